import CairnStore
import Testing

/// Rows decoded as tuples of column types (``SQLColumn``) read what ``SQLRow`` reads, on both engines.
@Suite struct SQLColumnDecodingTests {
    static let select = """
        SELECT 'plain', CAST(NULL AS TEXT), CAST(9007199254740993 AS BIGINT), CAST(NULL AS BIGINT), CAST(7 AS INTEGER), 'Å-\u{212B}-😀', CAST(0.5 AS DOUBLE PRECISION)
        UNION ALL SELECT '', 'set', CAST(-1 AS BIGINT), CAST(0 AS BIGINT), CAST(-7 AS INTEGER), 'second', CAST(-2 AS DOUBLE PRECISION)
        """

    @Test(arguments: Engine.available)
    func tuplesMatchWhatSQLRowReads(engine: Engine) async throws {
        try await TestDatabase.withDatabase(engine) { database in
            let decoded = try await database.query(
                Self.select, [], columns: (String, String?, Int64, Int64?, Int64, String, Double).self)
            let generic = try await database.query(Self.select, [])
            #expect(decoded.count == 2)
            #expect(decoded.count == generic.count)
            for (tuple, row) in zip(decoded, generic) {
                #expect(tuple.0 == row.string(0))
                #expect(tuple.1 == row.optionalString(1))
                #expect(tuple.2 == row.int(2))
                #expect(tuple.3 == row.optionalInt(3))
                #expect(tuple.4 == row.int(4))
                #expect(tuple.5.utf8.elementsEqual(row.string(5).utf8))
                #expect(tuple.6 == row.double(6))
            }
            let first = try #require(decoded.first)
            #expect(first.0 == "plain" && first.1 == nil && first.2 == 9_007_199_254_740_993 && first.3 == nil && first.4 == 7)
            #expect(first.5.utf8.elementsEqual("Å-\u{212B}-😀".utf8))
            #expect(decoded[1].1 == "set" && decoded[1].3 == 0)
        }
    }

    @Test(arguments: Engine.available)
    func decodingMoreColumnsThanSelectedIsAnErrorNotACrash(engine: Engine) async throws {
        try await TestDatabase.withDatabase(engine) { database in
            await #expect(throws: SQLDatabaseError.self) {
                _ = try await database.query("SELECT 'a', CAST(1 AS BIGINT)", [], columns: (String, Int64, String).self)
            }
        }
    }
}
