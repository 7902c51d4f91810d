import Testing

@testable import CairnStore

/// Generated statements whose text recurs (experiment searches) are prepared per connection on
/// PostgreSQL from their second call: they answer as their text does unprepared, call after call,
/// are prepared under one name per text, recover from a failed preparation, and only a bounded
/// number of statements is ever prepared.
@Suite struct GeneratedStatementTests {
    private static let squares = """
        SELECT CAST(x AS BIGINT), 'n' || x FROM (SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3) AS t WHERE x >= $1 AND 'a' LIKE $2 ORDER BY 1
        """

    private func values(_ rows: [SQLRow]) -> [String] { rows.map { "\($0.int(0)):\($0.string(1))" } }

    @Test(arguments: Engine.available)
    func aReusedPlanAnswersAsTheTextDoesOnEveryCall(engine: Engine) async throws {
        try await TestDatabase.withDatabase(engine) { database in
            for call in 0..<12 {
                let start = Int64(call % 3 + 1)
                let binds: [SQLValue] = [.int(start), .text(call % 2 == 0 ? "a" : "%")]
                let reused = try await database.queryReusingPlan(Self.squares, binds)
                #expect(values(reused) == values(try await database.query(Self.squares, binds)))
                #expect(values(reused) == (start...3).map { "\($0):n\($0)" })
            }
            let inTransaction = try await database.withTransaction { tx in try await tx.queryReusingPlan(Self.squares, [.int(3), .text("a")]) }
            #expect(values(inTransaction) == ["3:n3"])
        }
    }

    @Test func aRecurringTextIsPreparedOnceOnItsConnection() async throws {
        guard Engine.available.contains(.postgres) else { return }  // EngineAvailabilityTests fails CI without PostgreSQL
        try await TestDatabase.withDatabase(.postgres) { database in
            let postgres = try #require(database as? PostgresDatabase)
            let prepared = try await postgres.withSession { session in
                for start in 1...3 { _ = try await session.queryReusingPlan(Self.squares, [.int(Int64(start)), .text("a")]) }
                return try await session.query("SELECT name, statement FROM pg_prepared_statements WHERE name LIKE 'cairn_generated_%'", [])
            }
            let name = try #require(postgres.generatedStatements.name(for: Self.squares, binds: [.int(1), .text("a")]))
            #expect(prepared.map { $0.string(0) } == [name])
            #expect(prepared.first?.string(1) == Self.squares)
        }
    }

    /// postgres-nio remembers a failed preparation for the connection's life; the connection is
    /// closed, so the same text works once its table exists. One connection: the later calls
    /// cannot dodge the failed one's. (The first call runs unprepared, the second is prepared.)
    @Test(arguments: Engine.available)
    func aTextThatFailedToPrepareWorksOnceItsTableExists(engine: Engine) async throws {
        try await TestDatabase.withDatabase(engine, maximumConnections: 1) { database in
            let sql = "SELECT CAST(count(*) AS BIGINT), 'x' FROM generated_statement_probes WHERE CAST($1 AS BIGINT) > 0"
            for _ in 0..<2 {
                let missing = await #expect(throws: SQLDatabaseError.self) { _ = try await database.queryReusingPlan(sql, [.int(1)]) }
                #expect(missing?.message.contains("generated_statement_probes") == true)
            }
            try await database.execute("CREATE TABLE generated_statement_probes (id BIGINT)")
            try await database.execute("INSERT INTO generated_statement_probes VALUES (1), (2)")
            #expect(try await database.queryReusingPlan(sql, [.int(1)]).first?.int(0) == 2)
        }
    }

    @Test func aStatementIsNamedAtItsSecondCallWhileThereIsRoomAndKeepsItsName() {
        let names = GeneratedStatementNames(capacity: 2)
        #expect(names.name(for: "SELECT $1", binds: [.int(1)]) == nil)  // its first call runs unprepared
        let first = names.name(for: "SELECT $1", binds: [.int(7)])
        #expect(first != nil)
        #expect(names.name(for: "SELECT $1", binds: [.int(8)]) == first)
        // The same text with a value of another type is another statement.
        #expect(names.name(for: "SELECT $1", binds: [.text("a")]) == nil)
        let second = names.name(for: "SELECT $1", binds: [.text("b")])
        #expect(second != nil && second != first)
        // No room left: a third statement stays unprepared however often it recurs.
        for _ in 0..<3 { #expect(names.name(for: "SELECT 2", binds: []) == nil) }
        #expect(names.name(for: "SELECT $1", binds: [.text("c")]) == second)
        let long = String(repeating: " ", count: GeneratedStatementNames.longestText + 1)
        let roomy = GeneratedStatementNames(capacity: 8)
        for _ in 0..<3 { #expect(roomy.name(for: long, binds: []) == nil) }
    }
}
