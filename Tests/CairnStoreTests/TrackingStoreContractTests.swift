import CairnCore
import CairnStore
import Foundation
import Testing

/// One contract, both engines: every test runs against SQLite and (when configured) PostgreSQL.
@Suite struct TrackingStoreContractTests {
    static func unique(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8))" }

    func newRun(_ store: SQLTrackingStore, experiment: String? = nil, tags: [Tag] = []) async throws -> Run {
        var experimentID = experiment
        if experimentID == nil { experimentID = try await store.createExperiment(name: Self.unique("exp"), artifactLocation: nil, tags: []) }
        return try await store.createRun(CreateRunRequest(experimentID: experimentID!, userID: "alice", tags: tags))
    }

    @Test(arguments: Engine.available)
    func freshDatabaseHasTheDefaultExperiment(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let experiment = try await store.experiment(id: "0")
            #expect(experiment.name == "Default")
            #expect(experiment.artifactLocation == "mlflow-artifacts:/0")
            #expect(try await store.experiment(named: "Default").id == "0")
        }
    }

    @Test(arguments: Engine.available)
    func migratingTwiceAppliesNothingTheSecondTime(engine: Engine) async throws {
        try await TestDatabase.withDatabase(engine) { database in
            let migrator = Migrator(logger: TestDatabase.logger)
            let first = try await migrator.migrate(database)
            let second = try await migrator.migrate(database)
            #expect(!first.isEmpty)
            #expect(second.isEmpty)
            #expect(try await migrator.currentVersion(database) == first.max())
        }
    }

    @Test(arguments: Engine.available)
    func duplicateExperimentNameIsResourceAlreadyExists(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let name = Self.unique("dup")
            let id = try await store.createExperiment(name: name, artifactLocation: nil, tags: [Tag(key: "team", value: "ml")])
            let error = await #expect(throws: CairnError.self) {
                _ = try await store.createExperiment(name: name, artifactLocation: nil, tags: [])
            }
            #expect(error?.code == .resourceAlreadyExists)
            let experiment = try await store.experiment(id: id)
            #expect(experiment.artifactLocation == "mlflow-artifacts:/\(id)")
            #expect(experiment.tags == [Tag(key: "team", value: "ml")])
        }
    }

    @Test(arguments: Engine.available)
    func paramsAreWriteOnceAndAConflictRollsBackTheWholeBatch(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let run = try await newRun(store)
            let id = run.info.runID
            try await store.logBatch(runID: id, metrics: [], params: [Param(key: "lr", value: "0.1")], tags: [])
            try await store.logBatch(runID: id, metrics: [], params: [Param(key: "lr", value: "0.1")], tags: [])
            let error = await #expect(throws: CairnError.self) {
                try await store.logBatch(
                    runID: id, metrics: [Metric(key: "loss", value: 1, timestamp: 1, step: 0)], params: [Param(key: "lr", value: "0.2")], tags: [])
            }
            #expect(error?.code == .invalidParameterValue)
            let stored = try await store.run(id: id)
            #expect(stored.params == [Param(key: "lr", value: "0.1")])
            #expect(stored.metrics.isEmpty, "the metric of the rejected batch must not be stored")
        }
    }

    @Test(arguments: Engine.available)
    func exactDuplicateMetricsAreStoredOnce(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let id = try await newRun(store).info.runID
            let point = Metric(key: "acc", value: 0.5, timestamp: 10, step: 3)
            for _ in 0..<3 { try await store.logBatch(runID: id, metrics: [point, point], params: [], tags: []) }
            let history = try await store.metricHistory(runID: id, key: "acc", offset: 0, limit: nil)
            #expect(history.items.count == 1)
        }
    }

    /// One point (`log-metric`) has its own statement on PostgreSQL: a client's retry of it is
    /// stored once, an older point leaves the latest value alone, NaN is kept as NaN, and a
    /// finished run's point is refused.
    @Test(arguments: Engine.available)
    func aSinglePointIsStoredOnceAndFollowsTheLatestValueRule(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let id = try await newRun(store).info.runID
            let newer = Metric(key: "loss", value: 0.25, timestamp: 20, step: 2)
            for _ in 0..<3 { try await store.logBatch(runID: id, metrics: [newer], params: [], tags: []) }
            try await store.logBatch(runID: id, metrics: [Metric(key: "loss", value: 0.75, timestamp: 10, step: 1)], params: [], tags: [])
            try await store.logBatch(runID: id, metrics: [Metric(key: "nan", value: .nan, timestamp: 5, step: 0)], params: [], tags: [])
            let history = try await store.metricHistory(runID: id, key: "loss", offset: 0, limit: nil)
            #expect(history.items.map(\.step) == [1, 2])
            let latest = try await store.run(id: id).metrics.sorted { $0.key < $1.key }
            #expect(latest.map(\.key) == ["loss", "nan"])
            #expect(latest.first?.value == 0.25 && latest.first?.step == 2)
            #expect(latest.last?.value.isNaN == true)
            try await store.deleteRun(id: id)
            await #expect(throws: CairnError.self) {
                try await store.logBatch(runID: id, metrics: [Metric(key: "loss", value: 1, timestamp: 30, step: 3)], params: [], tags: [])
            }
            #expect(try await store.metricHistory(runID: id, key: "loss", offset: 0, limit: nil).items.count == 2)
        }
    }

    /// On PostgreSQL a batch is first inserted without `ON CONFLICT` and, when a point is already
    /// stored, again with duplicates dropped: the new points of such a batch and its latest
    /// values must still be written, once.
    @Test(arguments: Engine.available)
    func aBatchOverlappingStoredPointsKeepsItsNewPointsAndLatestValues(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let id = try await newRun(store).info.runID
            func points(_ steps: ClosedRange<Int64>) -> [Metric] {
                steps.flatMap { step in ["a", "b"].map { Metric(key: $0, value: Double(step), timestamp: 100 + step, step: step) } }
            }
            try await store.logBatch(runID: id, metrics: points(0...4), params: [], tags: [])
            try await store.logBatch(runID: id, metrics: points(3...7), params: [], tags: [])
            for key in ["a", "b"] {
                let history = try await store.metricHistory(runID: id, key: key, offset: 0, limit: nil)
                #expect(history.items.map(\.step) == Array(0...7))
            }
            let latest = try await store.run(id: id).metrics.sorted { $0.key < $1.key }
            #expect(latest.map(\.key) == ["a", "b"])
            #expect(latest.map(\.step) == [7, 7])
            // A retried batch of older points (all already stored) leaves the latest values alone.
            try await store.logBatch(runID: id, metrics: points(1...2), params: [], tags: [])
            #expect(try await store.run(id: id).metrics.map(\.step) == [7, 7])
            #expect(try await store.metricHistory(runID: id, key: "a", offset: 0, limit: nil).items.count == 8)
        }
    }

    /// Clients retrying the same batch at once: every call succeeds and each point is stored once.
    @Test(arguments: Engine.available)
    func concurrentIdenticalBatchesStoreEachPointOnce(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let id = try await newRun(store).info.runID
            let batch = (0..<200).map { Metric(key: "k\($0 % 4)", value: Double($0), timestamp: 1_000 + Int64($0), step: Int64($0 / 4)) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 { group.addTask { try await store.logBatch(runID: id, metrics: batch, params: [], tags: []) } }
                try await group.waitForAll()
            }
            for key in 0..<4 {
                let history = try await store.metricHistory(runID: id, key: "k\(key)", offset: 0, limit: nil)
                #expect(history.items.count == 50)
            }
        }
    }

    /// Every kind of detail a run has (metrics with NaN, params, tags, dataset inputs with their
    /// tags, model inputs and outputs) comes back from `run(id:)` and from a search page.
    @Test(arguments: Engine.available)
    func aRunComesBackWithEveryKindOfDetail(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let run = try await newRun(store, tags: [Tag(key: "team", value: "vision")])
            let id = run.info.runID
            try await store.logBatch(
                runID: id,
                metrics: [Metric(key: "loss", value: .nan, timestamp: 5, step: 2), Metric(key: "acc", value: 0.75, timestamp: 6, step: 3)],
                params: [Param(key: "lr", value: "0.01")], tags: [])
            let dataset = DatasetInput(
                name: "mnist", digest: "d1g", sourceType: "local", source: "{\"uri\": \"/data\"}", schema: "{}", profile: "{\"rows\": 10}",
                tags: [Tag(key: "mlflow.data.context", value: "train")])
            try await store.logInputs(runID: id, datasets: [dataset], modelIDs: ["m-in"])
            try await store.logOutputs(runID: id, models: [ModelOutput(modelID: "m-out", step: 7)])

            let found = try await store.searchRuns(RunSearchRequest(experimentIDs: [run.info.experimentID], filter: "datasets.context = 'train'"))
            for loaded in [try await store.run(id: id), found.items.first] {
                let metrics = loaded?.metrics.sorted { $0.key < $1.key }
                #expect(metrics?.map(\.key) == ["acc", "loss"])
                #expect(metrics?.first?.value == 0.75 && metrics?.first?.timestamp == 6 && metrics?.first?.step == 3)
                #expect(metrics?.last?.value.isNaN == true && metrics?.last?.step == 2)
                #expect(loaded?.params == [Param(key: "lr", value: "0.01")])
                #expect(loaded?.tags.contains(Tag(key: "team", value: "vision")) == true)
                #expect(loaded?.datasetInputs == [dataset])
                #expect(loaded?.modelInputs == ["m-in"])
                #expect(loaded?.modelOutputs == [ModelOutput(modelID: "m-out", step: 7)])
            }
            #expect(found.items.map(\.info.runID) == [id])
        }
    }

    @Test(arguments: Engine.available)
    func latestMetricIsTheHighestStepThenTimestampThenValue(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let id = try await newRun(store).info.runID
            try await store.logBatch(runID: id, metrics: [Metric(key: "m", value: 5, timestamp: 1, step: 5)], params: [], tags: [])
            try await store.logBatch(runID: id, metrics: [Metric(key: "m", value: 3, timestamp: 999, step: 3)], params: [], tags: [])
            #expect(try await store.run(id: id).metrics.first?.value == 5)
            try await store.logBatch(
                runID: id, metrics: [Metric(key: "m", value: 1, timestamp: 2, step: 5), Metric(key: "m", value: 9, timestamp: 2, step: 5)],
                params: [], tags: [])
            #expect(try await store.run(id: id).metrics.first?.value == 9)
        }
    }

    /// Also: a refused write creates no metric series (migration 0007), by the one-statement
    /// path (metrics only) and by the transaction path (with tags).
    @Test(arguments: Engine.available)
    func metricsToAMissingRunAre404AndToADeletedRunAre400AndWriteNothing(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let point = Metric(key: "loss", value: 1, timestamp: 1, step: 1)
            let never = Metric(key: "never", value: 1, timestamp: 1, step: 0)
            let missing = await #expect(throws: CairnError.self) {
                try await store.logBatch(runID: "0123456789abcdef0123456789abcdef", metrics: [point, never], params: [], tags: [])
            }
            #expect(missing?.code == .resourceDoesNotExist)
            let id = try await newRun(store).info.runID
            try await store.logBatch(runID: id, metrics: [point], params: [], tags: [])
            try await store.deleteRun(id: id)
            let deleted = await #expect(throws: CairnError.self) {
                try await store.logBatch(runID: id, metrics: [Metric(key: "loss", value: 0.5, timestamp: 2, step: 2), never], params: [], tags: [])
            }
            #expect(deleted?.code == .invalidParameterValue)
            #expect(deleted?.message.contains("must be in the 'active' state") == true)
            let withTags = await #expect(throws: CairnError.self) {
                try await store.logBatch(runID: id, metrics: [never], params: [], tags: [Tag(key: "t", value: "v")])
            }
            #expect(withTags?.code == .invalidParameterValue)
            let series = try await store.database.query("SELECT count(*) FROM metric_series WHERE key = 'never'", [])
            #expect(series.first?.int(0) == 0)
            try await store.restoreRun(id: id)
            #expect(try await store.metricHistory(runID: id, key: "loss", offset: 0, limit: nil).items == [point])
            #expect(try await store.run(id: id).metrics.first?.value == 1)
        }
    }

    @Test(arguments: Engine.available)
    func purgingADeletedRunRemovesItsWholeHistory(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let kept = try await newRun(store).info.runID
            let purged = try await newRun(store).info.runID
            let points = (0..<50).map { Metric(key: "loss", value: Double($0), timestamp: Int64($0), step: Int64($0)) }
            for id in [kept, purged] { try await store.logBatch(runID: id, metrics: points, params: [], tags: []) }
            try await store.deleteRun(id: purged)
            let candidates = try await store.purgeCandidates(deletedBefore: Clock.nowMillis() + 1)
            #expect(candidates.map(\.runID) == [purged])
            for candidate in candidates { try await store.purge(candidate) }
            let rows = try await store.database.query(
                "SELECT s.run_uuid, count(*) FROM metric_points p JOIN metric_series s ON s.series_id = p.series_id GROUP BY s.run_uuid", [])
            #expect(rows.map { $0.string(0) } == [kept], "a purged run's history must not outlive it (the history has no foreign key)")
            #expect(rows.first?.int(1) == 50)
            let series = try await store.database.query("SELECT count(*) FROM metric_series WHERE run_uuid = $1", [.text(purged)])
            #expect(series.first?.int(0) == 0, "nor its series")
        }
    }

    /// `"Å"` as U+00C5 and as U+212B are equal Swift strings but different keys to the database
    /// (and to MLflow): each keeps its own history and latest value, in one batch or in two.
    @Test(arguments: Engine.available)
    func canonicallyEquivalentKeysKeepSeparateHistories(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let composed = "\u{00C5}", angstrom = "\u{212B}"
            #expect(composed == angstrom, "the premise: Swift compares them as equal")
            let run = try await newRun(store).info.runID
            try await store.logBatch(
                runID: run,
                metrics: [Metric(key: composed, value: 1, timestamp: 1, step: 0), Metric(key: angstrom, value: 2, timestamp: 1, step: 0)],
                params: [], tags: [])
            try await store.logBatch(runID: run, metrics: [Metric(key: angstrom, value: 3, timestamp: 2, step: 1)], params: [], tags: [])
            let first = try await store.metricHistory(runID: run, key: composed, offset: 0, limit: nil).items
            let second = try await store.metricHistory(runID: run, key: angstrom, offset: 0, limit: nil).items
            #expect(first.map(\.value) == [1])
            #expect(second.map(\.value) == [2, 3])
            let latest = try await store.run(id: run).metrics
            #expect(latest.count == 2)
            #expect(Set(latest.map(\.value)) == [1, 3])
        }
    }

    @Test(arguments: Engine.available)
    func nanAndInfinityRoundTrip(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let id = try await newRun(store).info.runID
            let points = [
                Metric(key: "x", value: .nan, timestamp: 1, step: 0), Metric(key: "x", value: .infinity, timestamp: 2, step: 1),
                Metric(key: "x", value: -.infinity, timestamp: 3, step: 2),
            ]
            try await store.logBatch(runID: id, metrics: points, params: [], tags: [])
            try await store.logBatch(runID: id, metrics: [points[0]], params: [], tags: [])
            let history = try await store.metricHistory(runID: id, key: "x", offset: 0, limit: nil).items
            #expect(history.count == 3)
            #expect(history[0].value.isNaN)
            // Stored as MLflow's SQL store stores them: the largest finite doubles.
            #expect(history[1].value == .greatestFiniteMagnitude)
            #expect(history[2].value == -.greatestFiniteMagnitude)
        }
    }

    @Test(arguments: Engine.available)
    func metricHistoryPagesInTimestampOrder(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let id = try await newRun(store).info.runID
            let points = (0..<250).map { Metric(key: "loss", value: Double($0) / 10, timestamp: Int64(1000 + $0), step: Int64($0)) }
            try await store.logBatch(runID: id, metrics: Array(points.shuffled()), params: [], tags: [])
            var offset = 0
            var seen: [Metric] = []
            while true {
                let page = try await store.metricHistory(runID: id, key: "loss", offset: offset, limit: 100)
                seen += page.items
                guard let token = page.nextPageToken else { break }
                offset = try PageToken.decodeOffset(token)
            }
            #expect(seen.map(\.step) == Array(0..<250).map(Int64.init))
            #expect(seen.map(\.value) == points.map(\.value))
        }
    }

    /// History is ordered by timestamp, then step, then value (a NaN point sorting as the 0 it is
    /// stored as), whole or paged; on PostgreSQL it comes back as three arrays (``HistoryColumns``).
    @Test(arguments: Engine.available)
    func metricHistoryOrdersByTimestampStepAndValueWithNaNAndInfinities(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let id = try await newRun(store).info.runID
            let logged: [(Int64, Int64, Double)] = [
                (5, 2, 3), (5, 2, -1), (5, 1, 9), (1, 7, .nan), (1, 7, 0.5), (1, 7, -.infinity), (9, 0, .infinity), (1, 7, -2),
            ]
            try await store.logBatch(
                runID: id, metrics: logged.map { Metric(key: "m", value: $0.2, timestamp: $0.0, step: $0.1) }, params: [], tags: [])
            // ±Infinity comes back as ±1.7976931348623157e+308, as from MLflow's SQL store.
            let expected = [
                "1/7/-1.7976931348623157e+308", "1/7/-2.0", "1/7/nan", "1/7/0.5", "5/1/9.0", "5/2/-1.0", "5/2/3.0", "9/0/1.7976931348623157e+308",
            ]
            func described(_ points: [Metric]) -> [String] { points.map { "\($0.timestamp)/\($0.step)/\($0.value)" } }
            let whole = try await store.metricHistory(runID: id, key: "m", offset: 0, limit: nil)
            #expect(described(whole.items) == expected)
            var paged: [Metric] = []
            var offset = 0
            while true {
                let page = try await store.metricHistory(runID: id, key: "m", offset: offset, limit: 3)
                paged += page.items
                guard let token = page.nextPageToken else { break }
                offset = try PageToken.decodeOffset(token)
            }
            #expect(described(paged) == expected)
            let fromOffset = try await store.metricHistory(runID: id, key: "m", offset: 6, limit: nil)
            #expect(described(fromOffset.items) == Array(expected.suffix(2)))
            let none = try await store.metricHistory(runID: id, key: "never-logged", offset: 0, limit: nil)
            #expect(none.items.isEmpty)
        }
    }

    @Test(arguments: Engine.available)
    func searchRunsFiltersAndOrdersByMetricWithMissingValuesLast(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let experiment = try await store.createExperiment(name: Self.unique("search"), artifactLocation: nil, tags: [])
            var expected: [(String, Double)] = []
            for index in 0..<12 {
                let run = try await newRun(store, experiment: experiment, tags: [Tag(key: "team", value: index % 2 == 0 ? "a" : "b")])
                let optimizer = index % 3 == 0 ? "adam" : "sgd"
                var metrics: [Metric] = []
                if index != 6 { metrics.append(Metric(key: "acc", value: Double(index) / 12, timestamp: 1, step: 0)) }
                try await store.logBatch(runID: run.info.runID, metrics: metrics, params: [Param(key: "optimizer", value: optimizer)], tags: [])
                if optimizer == "adam" && index != 6 && Double(index) / 12 > 0.1 { expected.append((run.info.runID, Double(index) / 12)) }
            }
            let page = try await store.searchRuns(
                RunSearchRequest(
                    experimentIDs: [experiment], filter: "metrics.acc > 0.1 and params.optimizer = 'adam'", orderBy: ["metrics.acc DESC"]))
            #expect(page.items.map(\.info.runID) == expected.sorted { $0.1 > $1.1 }.map(\.0))
            let all = try await store.searchRuns(RunSearchRequest(experimentIDs: [experiment], orderBy: ["metrics.acc ASC"]))
            #expect(all.items.count == 12)
            #expect(all.items.last?.metrics.isEmpty == true, "the run without the metric sorts last")
            let tagged = try await store.searchRuns(RunSearchRequest(experimentIDs: [experiment], filter: "tags.team = 'b'"))
            #expect(tagged.items.count == 6)
        }
    }

    @Test(arguments: Engine.available)
    func searchRunsPagesWithOpaqueTokensAndRejectsGarbage(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let experiment = try await store.createExperiment(name: Self.unique("pages"), artifactLocation: nil, tags: [])
            var ids = Set<String>()
            for _ in 0..<7 { ids.insert(try await newRun(store, experiment: experiment).info.runID) }
            var token: String?
            var seen: [String] = []
            repeat {
                let page = try await store.searchRuns(RunSearchRequest(experimentIDs: [experiment], maxResults: 3, pageToken: token))
                seen += page.items.map(\.info.runID)
                token = page.nextPageToken
            } while token != nil
            #expect(Set(seen) == ids)
            #expect(seen.count == 7)
            let error = await #expect(throws: CairnError.self) {
                _ = try await store.searchRuns(RunSearchRequest(experimentIDs: [experiment], pageToken: "not-a-token!!"))
            }
            #expect(error?.code == .invalidParameterValue)
        }
    }

    @Test(arguments: Engine.available)
    func deletedRunsRefuseWritesUntilRestored(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let run = try await newRun(store)
            let id = run.info.runID
            try await store.deleteRun(id: id)
            let error = await #expect(throws: CairnError.self) {
                try await store.logBatch(runID: id, metrics: [Metric(key: "a", value: 1, timestamp: 1, step: 0)], params: [], tags: [])
            }
            #expect(error?.code == .invalidParameterValue)
            let active = try await store.searchRuns(RunSearchRequest(experimentIDs: [run.info.experimentID]))
            #expect(active.items.isEmpty)
            try await store.restoreRun(id: id)
            try await store.logBatch(runID: id, metrics: [Metric(key: "a", value: 1, timestamp: 1, step: 0)], params: [], tags: [])
            #expect(try await store.run(id: id).metrics.count == 1)
        }
    }

    @Test(arguments: Engine.available)
    func batchLimitsAreEnforcedBeforeAnythingIsWritten(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let id = try await newRun(store).info.runID
            let metrics = (0..<1001).map { Metric(key: "m", value: 1, timestamp: Int64($0), step: Int64($0)) }
            await #expect(throws: CairnError.self) { try await store.logBatch(runID: id, metrics: metrics, params: [], tags: []) }
            let params = (0..<101).map { Param(key: "p\($0)", value: "v") }
            await #expect(throws: CairnError.self) { try await store.logBatch(runID: id, metrics: [], params: params, tags: []) }
            await #expect(throws: CairnError.self) {
                try await store.logBatch(runID: id, metrics: [Metric(key: "../escape", value: 1, timestamp: 1, step: 0)], params: [], tags: [])
            }
            #expect(try await store.metricHistory(runID: id, key: "m", offset: 0, limit: nil).items.isEmpty)
        }
    }

    @Test(arguments: Engine.available)
    func longParamAndTagValuesAreTruncatedAsMLflowDoes(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let id = try await newRun(store).info.runID
            try await store.logBatch(
                runID: id, metrics: [], params: [Param(key: "p", value: String(repeating: "x", count: 7000))],
                tags: [Tag(key: "t", value: String(repeating: "y", count: 9000))])
            let run = try await store.run(id: id)
            #expect(run.params.first?.value.count == 6000)
            #expect(run.tags.first(where: { $0.key == "t" })?.value.count == 8000)
        }
    }

    @Test(arguments: Engine.available)
    func runNameIsMirroredInTheRunNameTag(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let run = try await newRun(store)
            #expect(!run.info.runName.isEmpty)
            #expect(run.tags.contains(Tag(key: "mlflow.runName", value: run.info.runName)))
            _ = try await store.updateRun(id: run.info.runID, status: .finished, endTime: 42, runName: "renamed")
            let updated = try await store.run(id: run.info.runID)
            #expect(updated.info.runName == "renamed")
            #expect(updated.info.status == .finished)
            #expect(updated.info.endTime == 42)
            #expect(updated.tags.contains(Tag(key: "mlflow.runName", value: "renamed")))
        }
    }

    @Test(arguments: Engine.available)
    func deletingAnExperimentHidesItAndItsRunsFromActiveSearches(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let name = Self.unique("gone")
            let experiment = try await store.createExperiment(name: name, artifactLocation: nil, tags: [])
            _ = try await newRun(store, experiment: experiment)
            try await store.deleteExperiment(id: experiment)
            let active = try await store.searchExperiments(ExperimentSearchRequest(filter: "name = '\(name)'"))
            #expect(active.items.isEmpty)
            let deleted = try await store.searchExperiments(ExperimentSearchRequest(filter: "name = '\(name)'", viewType: .deletedOnly))
            #expect(deleted.items.map(\.id) == [experiment])
            await #expect(throws: CairnError.self) { _ = try await store.createRun(CreateRunRequest(experimentID: experiment)) }
            try await store.restoreExperiment(id: experiment)
            #expect(try await store.searchRuns(RunSearchRequest(experimentIDs: [experiment])).items.count == 1)
        }
    }

    @Test(arguments: Engine.available)
    func loggedModelsAreCreatedFinalizedTaggedAndFoundByName(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let run = try await newRun(store)
            let model = try await store.createLoggedModel(
                CreateLoggedModelRequest(
                    experimentID: run.info.experimentID, name: "model", sourceRunID: run.info.runID, params: [Param(key: "a", value: "1")]))
            #expect(model.modelID.hasPrefix("m-"))
            #expect(model.artifactLocation == "mlflow-artifacts:/\(run.info.experimentID)/models/\(model.modelID)/artifacts")
            #expect(model.status == "LOGGED_MODEL_PENDING")
            let ready = try await store.finalizeLoggedModel(id: model.modelID, status: "LOGGED_MODEL_READY")
            #expect(ready.status == "LOGGED_MODEL_READY")
            _ = try await store.setLoggedModelTags(id: model.modelID, tags: [Tag(key: "k", value: "v")])
            let found = try await store.searchLoggedModels(LoggedModelSearchRequest(experimentIDs: [run.info.experimentID], filter: "name = 'model'"))
            #expect(found.items.map(\.modelID) == [model.modelID])
            #expect(found.items.first?.tags == [Tag(key: "k", value: "v")])
            let none = try await store.searchLoggedModels(LoggedModelSearchRequest(experimentIDs: [run.info.experimentID], filter: "name = 'other'"))
            #expect(none.items.isEmpty)
        }
    }
}
