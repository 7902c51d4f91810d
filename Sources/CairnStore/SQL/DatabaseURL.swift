import CairnCore

/// Where the metadata lives, parsed from `--database-url` / `CAIRN_DATABASE_URL`:
/// `sqlite:PATH` (or `sqlite:///abs/path`, `sqlite::memory:`) or
/// `postgres://[user[:pass]@]host[:port]/db` (`postgresql://` too).
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
        if let query = rest.firstIndex(of: "?") { rest = rest[..<query] }
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
        self = .postgres(Postgres(host: host, port: port, user: user, password: password, database: database))
    }

    /// The URL without its password, for logs.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let p): "postgres://\(p.user)\(p.password == nil ? "" : ":***")@\(p.host):\(p.port)/\(p.database)"
        }
    }
}

/// A database URL that could not be parsed.
public struct DatabaseURLError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
