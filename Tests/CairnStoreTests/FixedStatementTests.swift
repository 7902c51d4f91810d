import CairnStore
import Testing

/// Fixed statements (prepared once per connection on PostgreSQL) give what the same text gives
/// unprepared, call after call (PostgreSQL switches to a generic plan after five), on pooled
/// connections and inside transactions, and their errors come back typed.
@Suite struct FixedStatementTests {
    enum Squares: FixedStatement {
        static let name = "test_squares"
        static let sql = """
            SELECT CAST(x AS BIGINT), CAST(x AS BIGINT) * CAST(x AS BIGINT), 'n' || x
            FROM (SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3) AS t WHERE x >= $1 ORDER BY 1
            """
    }

    enum DivideByZero: FixedStatement {
        static let name = "test_divide_by_zero"
        static let sql = "SELECT CAST(1 AS BIGINT) / (CAST($1 AS BIGINT) - CAST($1 AS BIGINT)), 0, ''"
    }

    struct Square: SQLRowDecodable, Equatable {
        var root: Int64, square: Int64, label: String

        init(root: Int64, square: Int64, label: String) { (self.root, self.square, self.label) = (root, square, label) }

        init<Cells: SQLCells>(cells: inout Cells) throws {
            self.init(root: try cells.int(), square: try cells.int(), label: try cells.string())
        }
    }

    @Test(arguments: Engine.available)
    func aFixedStatementAnswersAsItsTextDoesOnEveryCall(engine: Engine) async throws {
        try await TestDatabase.withDatabase(engine) { database in
            for call in 0..<12 {
                let start = Int64(call % 3 + 1)
                let fixed = try await database.query(Squares.self, [.int(start)], as: Square.self)
                let plain = try await database.query(Squares.sql, [.int(start)], as: Square.self)
                #expect(fixed == plain)
                #expect(fixed == (start...3).map { Square(root: $0, square: $0 * $0, label: "n\($0)") })
            }
            let inTransaction = try await database.withTransaction { tx in try await tx.query(Squares.self, [.int(2)], as: Square.self) }
            #expect(inTransaction.map(\.root) == [2, 3])
        }
    }

    enum CountProbes: FixedStatement {
        static let name = "test_count_probes"
        static let sql = "SELECT CAST(count(*) AS BIGINT), 0, '' FROM fixed_statement_probes WHERE CAST($1 AS BIGINT) > 0"
    }

    /// postgres-nio remembers a failed preparation for the connection's lifetime: the connection
    /// must be replaced, or the statement fails forever on it even once its table exists. One
    /// connection, so the second call cannot dodge the first one's.
    @Test(arguments: Engine.available)
    func aStatementThatFailedToPrepareWorksOnceItsTableExists(engine: Engine) async throws {
        try await TestDatabase.withDatabase(engine, maximumConnections: 1) { database in
            let missing = await #expect(throws: SQLDatabaseError.self) { _ = try await database.query(CountProbes.self, [.int(1)], as: Square.self) }
            #expect(missing?.message.contains("fixed_statement_probes") == true)
            try await database.execute("CREATE TABLE fixed_statement_probes (id BIGINT)")
            try await database.execute("INSERT INTO fixed_statement_probes VALUES (1), (2)")
            for _ in 0..<3 {
                let counted = try await database.query(CountProbes.self, [.int(1)], as: Square.self)
                #expect(counted.map(\.root) == [2])
            }
            if engine == .postgres { #expect(try await Self.preparedCount(database) == 1) }
        }
    }

    /// With `?prepared_statements=false` the text is sent every time, with the same answers.
    @Test func withoutPreparedStatementsAFixedStatementAnswersTheSame() async throws {
        guard Engine.available.contains(.postgres) else { return }
        try await TestDatabase.withDatabase(.postgres, maximumConnections: 1, preparedStatements: false) { database in
            for call in 0..<3 {
                let start = Int64(call + 1)
                let rows = try await database.query(Squares.self, [.int(start)], as: Square.self)
                #expect(rows == (start...3).map { Square(root: $0, square: $0 * $0, label: "n\($0)") })
            }
            let inTransaction = try await database.withTransaction { tx in try await tx.query(Squares.self, [.int(3)], as: Square.self) }
            #expect(inTransaction.map(\.square) == [9])
            #expect(try await Self.preparedCount(database) == 0)
        }
    }

    /// The session's prepared statements named by Cairn (one connection in these tests).
    static func preparedCount(_ database: any SQLDatabase) async throws -> Int64 {
        try await database.query("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'cairn_%'", []).first?.int(0) ?? -1
    }

    @Test(arguments: Engine.available)
    func aFailingFixedStatementThrowsATypedErrorAndTheConnectionStaysUsable(engine: Engine) async throws {
        try await TestDatabase.withDatabase(engine, maximumConnections: 1) { database in
            // SQLite answers NULL for a division by zero; PostgreSQL fails with 22012.
            if engine == .postgres {
                let error = await #expect(throws: SQLDatabaseError.self) {
                    _ = try await database.query(DivideByZero.self, [.int(4)], as: Square.self)
                }
                #expect(error?.kind == .invalidData)
            }
            let after = try await database.query(Squares.self, [.int(3)], as: Square.self)
            #expect(after.map(\.square) == [9])
        }
    }
}
