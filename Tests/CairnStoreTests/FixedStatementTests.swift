import CairnStore
import Testing

/// Fixed statements (prepared once per connection on PostgreSQL) give what the same text gives
/// unprepared, call after call (PostgreSQL switches to a generic plan after five), on pooled
/// connections and inside transactions, and their errors come back typed.
@Suite struct FixedStatementTests {
    enum Squares: FixedStatement {
        static let name = "test_squares"
        static let sql = "SELECT CAST(x AS BIGINT), CAST(x AS BIGINT) * CAST(x AS BIGINT), 'n' || x FROM (SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3) AS t WHERE x >= $1 ORDER BY 1"
    }

    enum DivideByZero: FixedStatement {
        static let name = "test_divide_by_zero"
        static let sql = "SELECT 1 / (CAST($1 AS INTEGER) - CAST($1 AS INTEGER))"
    }

    static func cells(_ rows: [SQLRow]) -> [[String]] {
        rows.map { row in (0..<row.count).map { String(describing: row[$0]) } }
    }

    @Test(arguments: Engine.available)
    func aFixedStatementAnswersAsItsTextDoesOnEveryCall(engine: Engine) async throws {
        try await TestDatabase.withDatabase(engine) { database in
            for call in 0..<12 {
                let start = Int64(call % 3 + 1)
                let fixed = try await database.query(Squares.self, [.int(start)])
                let plain = try await database.query(Squares.sql, [.int(start)])
                #expect(Self.cells(fixed) == Self.cells(plain))
                #expect(fixed.map { $0.int(1) } == (start...3).map { $0 * $0 })
                #expect(fixed.first?.string(2) == "n\(start)")
            }
            let inTransaction = try await database.withTransaction { tx in try await tx.query(Squares.self, [.int(2)]) }
            #expect(inTransaction.map { $0.int(0) } == [2, 3])
        }
    }

    @Test(arguments: Engine.available)
    func aFailingFixedStatementThrowsATypedErrorAndTheConnectionStaysUsable(engine: Engine) async throws {
        try await TestDatabase.withDatabase(engine) { database in
            // SQLite answers NULL for a division by zero; PostgreSQL fails with 22012.
            if engine == .postgres {
                let error = await #expect(throws: SQLDatabaseError.self) { _ = try await database.query(DivideByZero.self, [.int(4)]) }
                #expect(error?.kind == .invalidData)
            }
            let after = try await database.query(Squares.self, [.int(3)])
            #expect(after.map { $0.int(1) } == [9])
        }
    }
}
