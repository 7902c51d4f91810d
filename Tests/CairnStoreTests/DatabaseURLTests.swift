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

    @Test(arguments: ["postgres://h/db?sslmode=require", "postgres://h/db?prepared_statements=maybe", "postgres://h/db?prepared_statement=false"])
    func anUnknownOptionOrValueIsRefusedWithItsName(url: String) {
        let error = #expect(throws: DatabaseURLError.self) { _ = try DatabaseURL(parsing: url) }
        #expect(error?.description.contains("prepared_statements") == true)
    }
}
