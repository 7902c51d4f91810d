import CairnStore
import Testing

/// `--database-url` parsing: PostgreSQL coordinates and the one query option.
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

    @Test(arguments: [
        ("postgres://h/db?prepared_statements=maybe", "prepared_statements must be true or false"),
        ("postgres://h/db?prepared_statement=false", "unknown option 'prepared_statement'"),
        ("postgres://h/db?sslmode=require", "without TLS"),
        ("postgres://h/db?sslmode=verify-full&prepared_statements=false", "without TLS"),
    ])
    func anUnknownOptionOrValueIsRefusedWithItsName(url: String, message: String) {
        let error = #expect(throws: DatabaseURLError.self) { _ = try DatabaseURL(parsing: url) }
        #expect(error?.description.contains(message) == true)
    }

    @Test func sslmodeThatAllowsAPlainConnectionIsAccepted() throws {
        guard case .postgres(let p) = try DatabaseURL(parsing: "postgres://h/db?sslmode=disable&prepared_statements=false") else {
            Issue.record("not a postgres URL")
            return
        }
        #expect(!p.preparedStatements)
    }
}
