import CairnCore
import Foundation
import Testing

@testable import CairnStore

/// A run search keeps the details it read under each run's details version (VersionedCache):
/// after every kind of write of a run's details, the next search shows them as a direct read of
/// the run does, also with writers and searches running at once.
@Suite struct RunDetailsCacheTests {
    /// The run as the search shows it (one page of the experiment) with its details version, and
    /// as `runs/get` reads it.
    private func searched(_ store: SQLTrackingStore, experiment: String, run id: String) async throws -> (search: Run?, version: Int64?, direct: Run)
    {
        let page = try await store.searchVersionedRuns(RunSearchRequest(experimentIDs: [experiment], maxResults: 100)).items
        let found = page.first { $0.run.info.runID == id }
        return (found?.run, found?.detailsVersion, try await store.run(id: id))
    }

    private static func metric(_ key: String, _ value: Double, step: Int64) -> Metric {
        Metric(key: key, value: value, timestamp: step + 1, step: step)
    }

    @Test(arguments: Engine.available)
    func aSearchShowsEveryKindOfWriteOfARunsDetails(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let experiment = try await store.createExperiment(name: "details-\(UUID().uuidString.prefix(8))", artifactLocation: nil, tags: [])
            let id = try await store.createRun(CreateRunRequest(experimentID: experiment, userID: "u", tags: [Tag(key: "t0", value: "a")])).info.runID
            _ = try await store.createRun(CreateRunRequest(experimentID: experiment, userID: "u", tags: []))  // a neighbour on the page
            let model = #"{"artifact_path":"m","flavors":{}}"#
            let writes: [(String, @Sendable () async throws -> Void)] = [
                ("log-metric", { try await store.logBatch(runID: id, metrics: [Self.metric("loss", 0.5, step: 0)], params: [], tags: []) }),
                ("a later value", { try await store.logBatch(runID: id, metrics: [Self.metric("loss", 0.25, step: 1)], params: [], tags: []) }),
                ("log-param", { try await store.logBatch(runID: id, metrics: [], params: [Param(key: "lr", value: "0.1")], tags: []) }),
                ("set-tag", { try await store.logBatch(runID: id, metrics: [], params: [], tags: [Tag(key: "t0", value: "b")]) }),
                (
                    "log-batch of all three",
                    {
                        try await store.logBatch(
                            runID: id, metrics: [Metric(key: "acc", value: 0.9, timestamp: 3, step: 2)], params: [Param(key: "bs", value: "32")],
                            tags: [Tag(key: "t1", value: "c")])
                    }
                ),
                ("delete-tag", { try await store.deleteRunTag(runID: id, key: "t1") }),
                ("rename", { _ = try await store.updateRun(id: id, status: nil, endTime: nil, runName: "renamed") }),
                (
                    "log-inputs",
                    {
                        try await store.logInputs(
                            runID: id,
                            datasets: [DatasetInput(name: "d", digest: "1", sourceType: "local", source: "{}", schema: "", profile: "", tags: [])],
                            modelIDs: ["m-1"])
                    }
                ),
                ("log-outputs", { try await store.logOutputs(runID: id, models: [ModelOutput(modelID: "m-2", step: 4)]) }),
                ("log-model history", { try await store.appendLoggedModelHistory(runID: id, modelJSON: model) }),
            ]
            for (name, write) in writes {
                let before = try await searched(store, experiment: experiment, run: id)
                #expect(before.search == before.direct, "before \(name)")
                try await write()
                let after = try await searched(store, experiment: experiment, run: id)
                #expect(after.search == after.direct, "after \(name)")
                #expect(after.direct != before.direct, "\(name) changed nothing")
                // PostgreSQL's search reads each run's version with its row; SQLite keeps none.
                if engine == .postgres {
                    #expect(
                        (after.version ?? 0) > (before.version ?? .max),
                        "\(name): version \(String(describing: before.version)) -> \(String(describing: after.version))")
                } else {
                    #expect(after.version == nil && before.version == nil)
                }
            }
            let final = try await store.run(id: id)
            #expect(final.metrics.map(\.key).sorted() == ["acc", "loss"] && final.params.count == 2 && final.modelOutputs.count == 1)
        }
    }

    /// A writer that does not bump the version itself (an older replica during a rolling update,
    /// SQL by hand) is caught by the tables' triggers on PostgreSQL; a purge's cascade still works.
    @Test func writesThatDoNotBumpTheVersionAreCaughtByTheTriggers() async throws {
        guard Engine.available.contains(.postgres) else { return }  // EngineAvailabilityTests fails CI without PostgreSQL
        try await TestDatabase.withStore(.postgres) { store in
            let experiment = try await store.createExperiment(name: "details-sql-\(UUID().uuidString.prefix(8))", artifactLocation: nil, tags: [])
            let id = try await store.createRun(CreateRunRequest(experimentID: experiment, userID: "u", tags: [])).info.runID
            try await store.logBatch(runID: id, metrics: [Self.metric("loss", 0.5, step: 0)], params: [Param(key: "lr", value: "0.1")], tags: [])
            let statements: [(String, [SQLValue])] = [
                ("UPDATE latest_metrics SET value = 0.125 WHERE run_uuid = $1", [.text(id)]),
                ("INSERT INTO run_tags (run_uuid, key, value) VALUES ($1, 'by-hand', 'x')", [.text(id)]),
                ("DELETE FROM params WHERE run_uuid = $1", [.text(id)]),
                ("INSERT INTO run_model_io (run_uuid, direction, model_id, step) VALUES ($1, 'output', 'm-9', 1)", [.text(id)]),
            ]
            for (sql, binds) in statements {
                let before = try await searched(store, experiment: experiment, run: id)
                try await store.database.execute(sql, binds)
                let after = try await searched(store, experiment: experiment, run: id)
                #expect(after.search == after.direct && after.direct != before.direct, "\(sql)")
            }
            try await store.deleteRun(id: id)
            try await store.database.execute("DELETE FROM runs WHERE run_uuid = $1", [.text(id)])
            #expect(try await store.database.query("SELECT 1 FROM run_detail_versions WHERE run_uuid = $1", [.text(id)]).isEmpty)
        }
    }

    /// Writers and searches at once: once the writes are done, every search shows their end state.
    @Test(arguments: Engine.available)
    func searchesDuringConcurrentWritesEndOnTheWrittenState(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let experiment = try await store.createExperiment(name: "details-race-\(UUID().uuidString.prefix(8))", artifactLocation: nil, tags: [])
            var ids: [String] = []
            for _ in 0..<4 { ids.append(try await store.createRun(CreateRunRequest(experimentID: experiment, userID: "u", tags: [])).info.runID) }
            let runs = ids
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, id) in runs.enumerated() {
                    group.addTask {
                        for step in 0..<40 {
                            let metric = Metric(key: "m\(step % 3)", value: Double(step), timestamp: Int64(step), step: Int64(step))
                            let tags = step % 10 == 0 ? [Tag(key: "phase", value: "\(index)-\(step)")] : []
                            try await store.logBatch(runID: id, metrics: [metric], params: [], tags: tags)
                        }
                    }
                }
                for _ in 0..<3 {
                    group.addTask {
                        for _ in 0..<25 { _ = try await store.searchRuns(RunSearchRequest(experimentIDs: [experiment], maxResults: 10)) }
                    }
                }
                try await group.waitForAll()
            }
            let page = try await store.searchRuns(RunSearchRequest(experimentIDs: [experiment], maxResults: 10)).items
            #expect(page.count == runs.count)
            for run in page {
                #expect(run == (try await store.run(id: run.info.runID)))
                #expect(run.metrics.map(\.step).sorted() == [37, 38, 39] && run.tags.first { $0.key == "phase" }?.value.hasSuffix("-30") == true)
            }
        }
    }

    @Test func anEntryIsOnlyUsedForTheVersionItWasReadUnder() {
        let cache = VersionedCache<RunDetails>(budget: 32 << 20, size: { $0.estimatedBytes })
        cache.store([("a", 3, RunDetails(params: [Param(key: "lr", value: "0.1")])), ("b", 0, RunDetails())])
        #expect(cache.lookup(["a": 3, "b": 0]).keys.sorted() == ["a", "b"])
        #expect(cache.lookup(["a": 4, "b": 1, "c": 0]).isEmpty)
        cache.store([("a", 4, RunDetails(params: [Param(key: "lr", value: "0.2")]))])
        #expect(cache.lookup(["a": 4])["a"]?.params.first?.value == "0.2")
        #expect(cache.lookup(["a": 3]).isEmpty)
    }

    @Test func theCacheStaysWithinItsBudget() {
        let cache = VersionedCache<RunDetails>(budget: 32 << 20, size: { $0.estimatedBytes })
        let value = String(repeating: "x", count: 4_000)
        let details = RunDetails(params: (0..<50).map { Param(key: "p\($0)", value: value) })  // ~200 kB each
        for index in 0..<400 { cache.store([("run-\(index)", 1, details)]) }
        let usage = cache.usage
        #expect(usage.bytes <= cache.budget && usage.entries > 0 && usage.entries < 400, "\(usage)")
        #expect(usage.bytes == usage.entries * details.estimatedBytes)
        // Details too large for a sixty-fourth of the budget are never kept.
        let huge = RunDetails(params: (0..<200).map { Param(key: "p\($0)", value: value) })
        cache.store([("huge", 1, huge)])
        #expect(cache.lookup(["huge": 1]).isEmpty)
    }

    @Test func theEntriesUsedLongestAgoAreDroppedFirst() {
        let cache = VersionedCache<[UInt8]>(budget: 64 * 1024, size: { $0.count })
        let value = [UInt8](repeating: 1, count: 1_000)
        cache.store([("hot", 1, value)])
        // A walk through many other runs, with the hot run read between every two of them:
        // the cache passes its budget again and again, and the hot run stays.
        for index in 0..<1_000 {
            cache.store([("walk-\(index)", 1, value)])
            #expect(cache.lookup(["hot": 1])["hot"] != nil, "dropped after \(index) others")
        }
        let usage = cache.usage
        #expect(usage.bytes <= cache.budget && usage.entries < 66, "\(usage)")
        // Of the walk, what is left is its end.
        #expect(cache.lookup(["walk-999": 1, "walk-998": 1]).count == 2 && cache.lookup(["walk-0": 1]).isEmpty)
    }
}
