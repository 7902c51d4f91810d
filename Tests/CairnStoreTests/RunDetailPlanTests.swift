import CairnCore
import Foundation
import Testing

@testable import CairnStore

/// A search page's details (metrics, params, tags of up to 500 runs) cost what the page holds,
/// whatever PostgreSQL knows about the tables: before the first ANALYZE and after it, in a custom
/// and in the prepared statement's generic plan, every table is read by primary key per run,
/// never scanned whole (a scan made a 100-run page at 2,000 runs cost 12 ms before ANALYZE).
@Suite struct RunDetailPlanTests {
    @Test func aPagesDetailsAreReadByPrimaryKeyBeforeAndAfterAnalyze() async throws {
        guard Engine.available.contains(.postgres) else { return }  // EngineAvailabilityTests fails CI without PostgreSQL
        try await TestDatabase.withStore(.postgres) { store in
            let experiment = try await store.createExperiment(name: "detail-plans", artifactLocation: nil, tags: [])
            // 3,000 runs of 10 metrics, 10 params and 5 tags, inserted in bulk: never analyzed.
            try await TestDatabase.insertRuns(3000, experiment: experiment, idPrefix: "plan-", into: store.database)
            for (table, columns, values) in [
                ("params", "run_uuid, key, value", "md5('plan-' || i), 'p' || k, (i * k)::text"),
                ("run_tags", "run_uuid, key, value", "md5('plan-' || i), 't' || k, (i + k)::text"),
                ("latest_metrics", "run_uuid, key, timestamp, step, value, is_nan", "md5('plan-' || i), 'm' || k, i, 0, i * k, 0"),
            ] {
                let keys = table == "run_tags" ? 5 : 10
                try await store.database.execute(
                    "INSERT INTO \(table) (\(columns)) SELECT \(values) FROM generate_series(1, 3000) i, generate_series(1, \(keys)) k ORDER BY i, k")
            }
            let ids = (1...100).map { "md5('plan-\($0 * 7)')" }.joined(separator: ", ")
            let postgres = try #require(store.database as? PostgresDatabase)
            for analyzed in [false, true] {
                if analyzed { try await store.database.execute("ANALYZE") }
                for mode in ["force_custom_plan", "force_generic_plan"] {
                    let plan = try await postgres.withSession { session in
                        try await session.execute("SET plan_cache_mode = \(mode)")
                        try await session.execute("PREPARE plan_test(text[]) AS \(RunDetailGroupsStatement.sql)")
                        let rows = try await session.query("EXPLAIN EXECUTE plan_test(ARRAY[\(ids)])", [])
                        try await session.execute("DEALLOCATE plan_test")
                        try await session.execute("RESET plan_cache_mode")
                        return rows.map { $0.string(0) }.joined(separator: "\n")
                    }
                    for table in ["latest_metrics", "params", "run_tags"] {
                        #expect(!plan.contains("Seq Scan on \(table)"), "analyzed: \(analyzed), \(mode):\n\(plan)")
                    }
                }
            }
            // And the page's details are the runs' own, in the order they were stored.
            let runs = try await store.searchRuns(
                RunSearchRequest(experimentIDs: [experiment], filter: "attributes.run_name = 'run-21'", maxResults: 10))
            let run = try #require(runs.items.first)
            #expect(run.params.map(\.key) == (1...10).map { "p\($0)" })
            #expect(run.params.map(\.value) == (1...10).map { "\(21 * $0)" })
            #expect(run.tags.map(\.key).filter { $0.hasPrefix("t") } == (1...5).map { "t\($0)" })
            #expect(run.metrics.map(\.value) == (1...10).map { Double(21 * $0) })
        }
    }
}
