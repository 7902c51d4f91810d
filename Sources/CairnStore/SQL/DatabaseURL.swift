import CairnCore

/// Where the metadata lives, parsed from `--database-url` / `CAIRN_DATABASE_URL`:
/// `sqlite:PATH` (or `sqlite:///abs/path`, `sqlite::memory:`) or
/// `postgres://[user[:pass]@]host[:port]/db[?prepared_statements=false]` (`postgresql://` too).
public enum DatabaseURL: Sendable, Hashable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(Postgres)

    /// PostgreSQL coordinates.
    public struct Postgres: Sendable, Hashable {
        public var host: String
        public var port: Int
        public var user: String
        public var password: String?
        public var database: String
        /// Whether ``FixedStatement``s are prepared once per connection (the default). Off
        /// (`?prepared_statements=false`) for a connection pooler that does not keep
        /// protocol-level prepared statements, such as PgBouncer in transaction mode before 1.21.
        public var preparedStatements = true
    }

    /// The default: an embedded SQLite file under `./cairn-data`.
    public static let defaultValue = DatabaseURL.sqlite(path: "./cairn-data/cairn.db")

    /// Parses a database URL.
    /// - Throws: a message naming what is wrong, for the executable to print.
    public init(parsing text: String) throws(DatabaseURLError) {
        if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("///") { path = String(path.dropFirst(2)) } else if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw DatabaseURLError("'\(text)': sqlite URLs need a file path, e.g. sqlite:./cairn-data/cairn.db") }
            self = .sqlite(path: path)
            return
        }
        let schemes = ["postgres://", "postgresql://"]
        guard let scheme = schemes.first(where: { text.hasPrefix($0) }) else {
            throw DatabaseURLError("'\(text)': expected sqlite:PATH or postgres://[user[:pass]@]host[:port]/db")
        }
        var rest = Substring(text.dropFirst(scheme.count))
        var preparedStatements = true
        if let query = rest.firstIndex(of: "?") {
            preparedStatements = try Self.preparedStatements(in: rest[rest.index(after: query)...], scheme: scheme)
            rest = rest[..<query]
        }
        var user = "postgres"
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                user = PercentEncoding.decode(credentials[..<colon])
                password = PercentEncoding.decode(credentials[credentials.index(after: colon)...])
            } else {
                user = PercentEncoding.decode(credentials)
            }
        }
        guard let slash = rest.firstIndex(of: "/") else {
            throw DatabaseURLError("'\(scheme)…': the URL names no database (postgres://host:port/DATABASE)")
        }
        let database = PercentEncoding.decode(rest[rest.index(after: slash)...])
        let hostPort = rest[..<slash]
        var host = String(hostPort)
        var port = 5432
        if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            guard let parsed = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(parsed) else {
                throw DatabaseURLError("'\(scheme)…': the port is not a number between 1 and 65535")
            }
            port = parsed
        }
        guard !host.isEmpty else { throw DatabaseURLError("'\(scheme)…': the URL names no host") }
        guard !database.isEmpty else { throw DatabaseURLError("'\(scheme)…': the URL names no database") }
        var settings = Postgres(host: host, port: port, user: user, password: password, database: database)
        settings.preparedStatements = preparedStatements
        self = .postgres(settings)
    }

    /// The `prepared_statements` option of a PostgreSQL URL's query. `sslmode` is accepted where
    /// it allows a plain connection (what Cairn opens) and refused where it demands TLS; any other
    /// option is refused too (a misspelt one would otherwise be ignored silently).
    private static func preparedStatements(in query: Substring, scheme: String) throws(DatabaseURLError) -> Bool {
        var prepared = true
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentEncoding.decode(parts[0])
            let value = parts.count > 1 ? PercentEncoding.decode(parts[1]).lowercased() : ""
            if name == "sslmode" {
                guard ["disable", "allow", "prefer"].contains(value) else {
                    throw DatabaseURLError("'\(scheme)…': sslmode=\(value) asks for TLS, but Cairn connects to PostgreSQL without TLS")
                }
                continue
            }
            guard name == "prepared_statements" else {
                throw DatabaseURLError("'\(scheme)…': unknown option '\(name)' (options: prepared_statements=true|false, sslmode=disable)")
            }
            switch value {
            case "true", "on", "1": prepared = true
            case "false", "off", "0": prepared = false
            default: throw DatabaseURLError("'\(scheme)…': prepared_statements must be true or false, not '\(value)'")
            }
        }
        return prepared
    }

    /// The URL without its password, for logs.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let p):
            "postgres://\(p.user)\(p.password == nil ? "" : ":***")@\(p.host):\(p.port)/\(p.database)"
                + (p.preparedStatements ? "" : "?prepared_statements=false")
        }
    }
}

/// A database URL that could not be parsed.
public struct DatabaseURLError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
