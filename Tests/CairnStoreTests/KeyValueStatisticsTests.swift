import CairnCore
import Foundation
import Testing

@testable import CairnStore

/// After ANALYZE, PostgreSQL estimates a param or tag condition (a key and a value of one row)
/// from the pair's own share of the rows, not from the key's share times the value's: a value
/// used under one key only was estimated ten times too rare, and on such an estimate a filtered
/// search at 50,000 runs hashed every run holding the param (111 ms) instead of walking the
/// ordered metric (under 5 ms in PostgreSQL). The length bound a param search adds for the
/// value index (migration 0017) is estimated as what it is, kept by every row.
@Suite struct KeyValueStatisticsTests {
    @Test func aKeyValuePairIsEstimatedFromItsOwnShareOfTheRows() async throws {
        guard Engine.available.contains(.postgres) else { return }  // EngineAvailabilityTests fails CI without PostgreSQL
        try await TestDatabase.withStore(.postgres) { store in
            let experiment = try await store.createExperiment(name: "pair-statistics", artifactLocation: nil, tags: [])
            try await TestDatabase.insertRuns(3000, experiment: experiment, idPrefix: "pair-", into: store.database)
            // Per run: key k0 holds one of three values (1,000 runs each), keys k1..k9 values of
            // their own, so 'v0' is 1/30 of all values but 1/3 of k0's.
            for table in ["params", "run_tags"] {
                try await store.database.execute(
                    """
                    INSERT INTO \(table) (run_uuid, key, value)
                    SELECT md5('pair-' || i), 'k' || k, CASE WHEN k = 0 THEN 'v' || (i % 3) ELSE (i * 10 + k)::text END
                    FROM generate_series(1, 3000) i, generate_series(0, 9) k ORDER BY i, k
                    """)
            }
            try await store.database.execute("ANALYZE")
            for table in ["params", "run_tags"] {
                // There are 1,000; column by column it is 30,000 x 1/10 x 1/30 = 100.
                #expect((500...2000).contains(try await Self.estimate(table, store.database)), "\(table)")
            }
            // A search for a param value short enough for params_key_value adds a condition on
            // its length (RunSearchCompiler.indexedParamValueBytes), which every row meets; by
            // default the planner would take it to keep a third of them.
            let bounded = "AND octet_length(value) <= \(RunSearchCompiler.indexedParamValueBytes)"
            #expect((500...2000).contains(try await Self.estimate("params", store.database, bounded)))
            try await store.database.execute("DROP STATISTICS params_value_bytes")
            try await store.database.execute("ANALYZE params")
            #expect(try await Self.estimate("params", store.database, bounded) < 500)
            // Without the migration's statistics the estimate is the columns' product: the
            // bound above is what they change.
            try await store.database.execute("DROP STATISTICS params_key_value_pairs")
            try await store.database.execute("ANALYZE params")
            #expect(try await Self.estimate("params", store.database) < 300)
        }
    }

    /// PostgreSQL's estimate of the rows of `table` with key k0 and value v0 (and `more`).
    private static func estimate(_ table: String, _ database: any SQLDatabase, _ more: String = "") async throws -> Int {
        let plan = try await database.query("EXPLAIN SELECT 1 FROM \(table) WHERE key = 'k0' AND value = 'v0' \(more)", [])
        let top = try #require(plan.first?.string(0))
        return try #require(top.firstMatch(of: /rows=(\d+)/).flatMap { Int($0.1) }, "\(top)")
    }
}
