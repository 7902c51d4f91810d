import Testing

@testable import CairnStore

/// `--database-url` parsing: PostgreSQL coordinates and the query options (TLS as libpq reads it,
/// prepared statements).
@Suite struct DatabaseURLTests {
    @Test func aPostgresURLGivesItsCoordinatesAndPreparesStatementsByDefault() throws {
        guard case .postgres(let p) = try DatabaseURL(parsing: "postgresql://ci:s%40cret@db.internal:6432/cairn") else {
            Issue.record("not a postgres URL")
            return
        }
        #expect(p.host == "db.internal" && p.port == 6432 && p.user == "ci" && p.password == "s@cret" && p.database == "cairn")
        #expect(p.preparedStatements)
    }

    @Test(arguments: [("false", false), ("off", false), ("0", false), ("true", true), ("ON", true)])
    func preparedStatementsCanBeTurnedOffForAConnectionPooler(value: String, expected: Bool) throws {
        let url = try DatabaseURL(parsing: "postgres://pgbouncer:6432/cairn?prepared_statements=\(value)")
        guard case .postgres(let p) = url else {
            Issue.record("not a postgres URL")
            return
        }
        #expect(p.preparedStatements == expected)
        #expect(url.description.hasSuffix("?prepared_statements=false") == !expected)
    }

    @Test func parallelQueryIsOffUnlessTheURLTurnsItOn() throws {
        guard case .postgres(let plain) = try DatabaseURL(parsing: "postgres://h/db"),
            case .postgres(let parallel) = try DatabaseURL(parsing: "postgres://h/db?parallel_query=true")
        else {
            Issue.record("not a postgres URL")
            return
        }
        #expect(!plain.parallelQuery && parallel.parallelQuery)
        #expect(try DatabaseURL(parsing: "postgres://h/db?parallel_query=true").description.hasSuffix("?parallel_query=true"))
        let keepAlive = ["tcp_keepalives_idle", "tcp_keepalives_interval", "tcp_keepalives_count"]
        #expect(
            PostgresDatabase.startupParameters(statementTimeout: nil, settings: plain).map(\.0) == ["max_parallel_workers_per_gather"] + keepAlive)
        #expect(PostgresDatabase.startupParameters(statementTimeout: nil, settings: parallel).isEmpty)
    }

    @Test(arguments: [
        ("postgres://h/db?prepared_statements=maybe", "prepared_statements must be true or false"),
        ("postgres://h/db?parallel_query=yes", "parallel_query must be true or false, not 'yes'"),
        ("postgres://h/db?prepared_statement=false", "unknown option 'prepared_statement'"),
        ("postgres://h/db?sslmode=verify_full", "sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full, not 'verify_full'"),
        ("postgres://h/db?sslmode=verify-full", "sslmode=verify-full needs sslrootcert=PATH"),
        ("postgres://h/db?sslmode=verify-ca&prepared_statements=false", "sslmode=verify-ca needs sslrootcert=PATH"),
        ("postgres://h/db?sslmode=require&sslcert=/c.pem", "sslcert needs sslkey"),
        ("postgres://h/db?sslmode=require&sslkey=/k.pem", "sslkey needs sslcert"),
        ("postgres://h/db?sslmode=disable&sslrootcert=/ca.pem", "no effect with sslmode=disable"),
        ("postgres://h/db?sslmode=allow&sslcert=/c.pem&sslkey=/k.pem", "no effect with sslmode=allow"),
        ("postgres://h/db?sslmode=verify-ca&sslrootcert=system", "sslrootcert=system needs sslmode=verify-full"),
        ("postgres://h/db?sslrootcert=", "sslrootcert needs a PEM file path"),
        (
            "postgres://h/db?sslpassword=x",
            "unknown option 'sslpassword' (options: sslmode, sslrootcert, sslcert, sslkey, prepared_statements, parallel_query)"
        ),
    ])
    func anUnknownOptionOrValueIsRefusedWithItsName(url: String, message: String) {
        let error = #expect(throws: DatabaseURLError.self) { _ = try DatabaseURL(parsing: url) }
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "no error")")
    }

    /// No sslmode: libpq's default, prefer (TLS when the server offers it).
    @Test func withoutSSLModeTheURLPrefersTLS() throws {
        guard case .postgres(let p) = try DatabaseURL(parsing: "postgres://h/db") else {
            Issue.record("not a postgres URL")
            return
        }
        #expect(p.sslMode == .prefer && p.trustRoots == nil && p.clientCertificate == nil)
    }

    @Test(arguments: DatabaseURL.Postgres.SSLMode.allCases)
    func everyLibpqSSLModeIsRead(mode: DatabaseURL.Postgres.SSLMode) throws {
        let roots = mode == .verifyCA || mode == .verifyFull ? "&sslrootcert=/etc/ca.pem" : ""
        guard case .postgres(let p) = try DatabaseURL(parsing: "postgres://h/db?sslmode=\(mode.rawValue.uppercased())\(roots)") else {
            Issue.record("not a postgres URL")
            return
        }
        #expect(p.sslMode == mode)
        #expect(p.sslMode.usesTLS == ![.disable, .allow].contains(mode))
    }

    /// Paths keep their case and are percent-decoded; sslrootcert=system alone means verify-full (libpq 16).
    @Test func tlsFilesAreNamedAsGiven() throws {
        let text = "postgres://h/db?sslmode=verify-full&sslrootcert=/Certs/My%20CA.pem&sslcert=/Certs/Client.crt&sslkey=/Certs/Client.KEY"
        guard case .postgres(let p) = try DatabaseURL(parsing: text) else {
            Issue.record("not a postgres URL")
            return
        }
        #expect(p.trustRoots == .file("/Certs/My CA.pem"))
        #expect(p.clientCertificate == .init(certificateChain: "/Certs/Client.crt", privateKey: "/Certs/Client.KEY"))
        guard case .postgres(let system) = try DatabaseURL(parsing: "postgres://h/db?sslrootcert=system") else {
            Issue.record("not a postgres URL")
            return
        }
        #expect(system.sslMode == .verifyFull && system.trustRoots == .system)
    }

    /// The description goes to logs: every option but never the password.
    @Test func theDescriptionShowsTheOptionsButNeverThePassword() throws {
        let url = try DatabaseURL(
            parsing: "postgres://cairn:p%40ss%3Aword@db:5433/cairn?sslmode=verify-full&sslrootcert=/ca.pem&sslcert=/c.pem&sslkey=/k.pem")
        #expect(url.description == "postgres://cairn:***@db:5433/cairn?sslmode=verify-full&sslrootcert=/ca.pem&sslcert=/c.pem&sslkey=/k.pem")
        #expect(!url.description.contains("p@ss") && !url.description.contains("word"))
        #expect(try DatabaseURL(parsing: "postgres://u:secret@h/db?sslmode=prefer").description == "postgres://u:***@h:5432/db")
    }

    @Test func sslmodeThatAllowsAPlainConnectionIsAccepted() throws {
        guard case .postgres(let p) = try DatabaseURL(parsing: "postgres://h/db?sslmode=disable&prepared_statements=false") else {
            Issue.record("not a postgres URL")
            return
        }
        #expect(!p.preparedStatements && p.sslMode == .disable)
    }
}
