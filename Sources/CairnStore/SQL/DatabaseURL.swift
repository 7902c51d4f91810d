import CairnCore

/// Where the metadata lives, parsed from `--database-url` / `CAIRN_DATABASE_URL`:
/// `sqlite:PATH` (or `sqlite:///abs/path`, `sqlite::memory:`) or
/// `postgres://[user[:pass]@]host[:port]/db[?option=value&…]` (`postgresql://` too), with the
/// options `sslmode`, `sslrootcert`, `sslcert`, `sslkey` (as libpq reads them),
/// `prepared_statements` and `parallel_query`.
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
        /// Whether PostgreSQL may plan Cairn's statements with parallel workers (`?parallel_query=true`:
        /// the server's `max_parallel_workers_per_gather` applies). Off by default: every Cairn
        /// statement reads a page or a few rows, and starting workers cost more than they save
        /// (a filtered search of 200,000 runs: 35 ms with two workers, 20 ms without).
        public var parallelQuery = false
        /// Whether and how the connection is encrypted (`sslmode`); libpq's default, `prefer`,
        /// when the URL names none.
        public var sslMode = SSLMode.prefer
        /// The CAs the server's certificate must chain to (`sslrootcert`); nil: none given.
        public var trustRoots: TrustRoots?
        /// A client certificate for the server to authenticate (`sslcert` and `sslkey`).
        public var clientCertificate: ClientCertificate?

        /// libpq's `sslmode` values, with libpq's meaning but for `allow`.
        public enum SSLMode: String, Sendable, Hashable, CaseIterable {
            /// A plain connection.
            case disable
            /// A plain connection: libpq would retry with TLS when the server refuses a plain
            /// one; postgres-nio cannot, so `allow` is `disable` here.
            case allow
            /// TLS when the server offers it, else a plain connection.
            case prefer
            /// TLS or no connection.
            case require
            /// TLS with the server's certificate chained to ``Postgres/trustRoots``.
            case verifyCA = "verify-ca"
            /// As `verify-ca`, and the certificate must name the host of the URL.
            case verifyFull = "verify-full"

            /// Whether this mode ever encrypts.
            public var usesTLS: Bool { self != .disable && self != .allow }
        }

        /// Where the trusted CAs come from.
        public enum TrustRoots: Sendable, Hashable {
            /// A PEM file of CA certificates (`sslrootcert=PATH`).
            case file(String)
            /// The system's trust store (`sslrootcert=system`, as libpq 16).
            case system
        }

        /// PEM files of a client certificate (chain) and its unencrypted private key.
        public struct ClientCertificate: Sendable, Hashable {
            public var certificateChain: String
            public var privateKey: String

            public init(certificateChain: String, privateKey: String) {
                self.certificateChain = certificateChain
                self.privateKey = privateKey
            }
        }

        /// The URL's query options in URL form (none for the defaults), for descriptions.
        var queryOptions: [String] {
            var options: [String] = []
            if sslMode != .prefer { options.append("sslmode=\(sslMode.rawValue)") }
            switch trustRoots {
            case .file(let path): options.append("sslrootcert=\(path)")
            case .system: options.append("sslrootcert=system")
            case nil: break
            }
            if let clientCertificate {
                options.append("sslcert=\(clientCertificate.certificateChain)")
                options.append("sslkey=\(clientCertificate.privateKey)")
            }
            if !preparedStatements { options.append("prepared_statements=false") }
            if parallelQuery { options.append("parallel_query=true") }
            return options
        }
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
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
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
        try settings.apply(query: query, scheme: scheme)
        self = .postgres(settings)
    }

    /// The URL without its password, for logs.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let p):
            "postgres://\(p.user)\(p.password == nil ? "" : ":***")@\(p.host):\(p.port)/\(p.database)"
                + (p.queryOptions.isEmpty ? "" : "?" + p.queryOptions.joined(separator: "&"))
        }
    }
}

/// A database URL that could not be parsed.
public struct DatabaseURLError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
