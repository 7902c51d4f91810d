import CairnCore
import Foundation
import Testing

@testable import CairnStore

/// A param value of the longest length allowed (6,000 characters, which do not compress) is
/// stored, read back and found by a search on both engines: on PostgreSQL the (key, value)
/// index of params leaves such values out (a B-tree entry holds at most about 2,700 bytes, and
/// logging one failed with an internal error while the index held every value), and a search
/// for a short value still uses that index.
@Suite struct LongParamValueTests {
    @Test(arguments: Engine.available)
    func aParamOfTheLongestAllowedValueIsStoredAndFound(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let experiment = try await store.createExperiment(name: "long-params", artifactLocation: nil, tags: [])
            let run = try await store.createRun(CreateRunRequest(experimentID: experiment, userID: "u", startTime: 1, tags: []))
            let id = run.info.runID
            var generator = SeededGenerator(seed: 17)
            let long = generator.letters(Limits.maxParamValueLength)
            try await store.logBatch(
                runID: id, metrics: [], params: [Param(key: "long", value: long), Param(key: "optimizer", value: "adam")], tags: [])
            let stored = try await store.run(id: id)
            #expect(stored.params.first { $0.key == "long" }?.value == long)
            for filter in ["params.long = '\(long)'", "params.optimizer = 'adam'"] {
                let found = try await store.searchRuns(RunSearchRequest(experimentIDs: [experiment], filter: filter)).items
                #expect(found.map(\.info.runID) == [id], "\(filter.prefix(40))")
            }
        }
    }

    @Test func aSearchForAShortParamValueCanUseTheIndex() async throws {
        guard Engine.available.contains(.postgres) else { return }  // EngineAvailabilityTests fails CI without PostgreSQL
        try await TestDatabase.withStore(.postgres) { store in
            var builder = SQLBuilder("EXPLAIN SELECT r.run_uuid FROM runs r WHERE ", dialect: .postgres)
            let search = try RunSearchCompiler.compile(filter: "params.optimizer = 'adam'", orderBy: [], into: &builder)
            builder.append(search.whereSQL)
            let (sql, binds) = (builder.sql, builder.binds)
            let plan = try await store.database.withTransaction { tx in
                // Every other path made dear, so the plan shows whether the index can serve the condition at all.
                try await tx.execute("SET LOCAL enable_seqscan = off")
                try await tx.execute("SET LOCAL enable_bitmapscan = off")
                return try await tx.query(sql, binds).map { $0.string(0) }.joined(separator: "\n")
            }
            #expect(plan.contains("params_key_value"), "\(plan)")
        }
    }
}
