import CairnCore
import CairnStore
import Foundation
import Testing

/// Issue 12's store rules on both engines: metric datasets on logged models, the UI's bulk
/// history and dataset summaries, the registry without the run, prompt aliases.
@Suite struct MLflowParityContractTests {
    static func unique(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8))" }

    @Test(arguments: Engine.available)
    func loggedModelMetricsKeepTheirDatasetAndSearchFiltersAndOrdersByIt(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let experiment = try await store.createExperiment(name: Self.unique("ds"), artifactLocation: nil, tags: [])
            let run = try await store.createRun(CreateRunRequest(experimentID: experiment))
            var ids: [String: String] = [:]
            for name in ["train", "eval", "plain"] {
                ids[name] = try await store.createLoggedModel(CreateLoggedModelRequest(experimentID: experiment, name: name)).modelID
            }
            try await store.logBatch(
                runID: run.info.runID,
                metrics: [
                    Metric(key: "acc", value: 0.5, timestamp: 1, step: 0, modelID: ids["train"], datasetName: "train", datasetDigest: "abc"),
                    // The same value on another dataset is another row.
                    Metric(key: "acc", value: 0.5, timestamp: 1, step: 0, modelID: ids["train"], datasetName: "other", datasetDigest: "x"),
                    Metric(key: "acc", value: 0.7, timestamp: 2, step: 0, modelID: ids["eval"], datasetName: "eval", datasetDigest: "def"),
                    Metric(key: "acc", value: 0.9, timestamp: 3, step: 0, modelID: ids["plain"]),
                ], params: [], tags: [])
            let train = try await store.loggedModel(id: ids["train"]!)
            #expect(Set(train.metrics.map { "\($0.datasetName ?? "")/\($0.datasetDigest ?? "")" }) == ["train/abc", "other/x"])
            #expect(try await store.loggedModel(id: ids["plain"]!).metrics.first?.datasetName == nil)

            func names(filter: String? = nil, datasets: [LoggedModelSearchRequest.Dataset] = [], orderBy: [LoggedModelSearchRequest.Order] = [])
                async throws -> [String]
            {
                try await store.searchLoggedModels(
                    LoggedModelSearchRequest(experimentIDs: [experiment], filter: filter, datasets: datasets, orderBy: orderBy)
                ).items.map(\.name)
            }
            #expect(try await names(datasets: [.init(name: "eval", digest: "def")]) == ["eval"])
            #expect(try await names(datasets: [.init(name: "eval", digest: "zzz")]) == [])
            #expect(try await names(datasets: [.init(name: "train")]) == ["train"], "a name alone matches any digest")
            #expect(try await names(filter: "metrics.acc > 0.6", datasets: [.init(name: "train", digest: "abc")]) == [])
            #expect(try await names(filter: "metrics.acc > 0.6").sorted() == ["eval", "plain"])
            let ordered = try await names(orderBy: [.init(field: "metrics.acc", ascending: false, dataset: .init(name: "train", digest: "abc"))])
            #expect(ordered.first == "train" && ordered.count == 3)
            #expect(try await names(orderBy: [.init(field: "metrics.acc", ascending: false)]) == ["plain", "eval", "train"])
            let unnamed = await #expect(throws: CairnError.self) { _ = try await names(datasets: [.init(name: nil, digest: "def")]) }
            #expect(unnamed?.message == "`dataset_name` in the `datasets` clause must be specified.")
        }
    }

    @Test(arguments: Engine.available)
    func bulkHistoryIsEveryPointByRunThenTimeCutInTotal(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let experiment = try await store.createExperiment(name: Self.unique("bulk"), artifactLocation: nil, tags: [])
            var runIDs: [String] = []
            for _ in 0..<2 {
                let run = try await store.createRun(CreateRunRequest(experimentID: experiment))
                try await store.logBatch(
                    runID: run.info.runID,
                    metrics: [
                        Metric(key: "loss", value: 3, timestamp: 10, step: 2), Metric(key: "loss", value: 1, timestamp: 5, step: 1),
                        Metric(key: "loss", value: 2, timestamp: 5, step: 0),
                    ], params: [], tags: [])
                runIDs.append(run.info.runID)
            }
            let sorted = runIDs.sorted()
            let all = try await store.metricHistoryBulk(runIDs: runIDs.reversed(), key: "loss", maxResults: 25_000)
            #expect(all.map { "\($0.runID ?? "")/\($0.step)" } == sorted.flatMap { id in [0, 1, 2].map { "\(id)/\($0)" } })
            #expect(try await store.metricHistoryBulk(runIDs: runIDs, key: "loss", maxResults: 4).count == 4)
            #expect(try await store.metricHistoryBulk(runIDs: ["nope"], key: "loss", maxResults: 10).isEmpty)
            let none = await #expect(throws: CairnError.self) { _ = try await store.metricHistoryBulk(runIDs: [], key: "loss", maxResults: 10) }
            #expect(none?.message == "GetMetricHistoryBulk request must specify at least one run_id.")
        }
    }

    @Test(arguments: Engine.available)
    func datasetSummariesAreOnePerContext(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let experiment = try await store.createExperiment(name: Self.unique("sum"), artifactLocation: nil, tags: [])
            func input(_ name: String, _ context: String?) -> DatasetInput {
                DatasetInput(
                    name: name, digest: "d", sourceType: "local", source: "{}", schema: "", profile: "",
                    tags: context.map { [Tag(key: "mlflow.data.context", value: $0)] } ?? [])
            }
            let first = try await store.createRun(CreateRunRequest(experimentID: experiment))
            let second = try await store.createRun(CreateRunRequest(experimentID: experiment))
            try await store.logInputs(runID: first.info.runID, datasets: [input("ds", "train"), input("ds2", nil)], modelIDs: [])
            try await store.logInputs(runID: second.info.runID, datasets: [input("ds", "eval")], modelIDs: [])
            let summaries = try await store.datasetSummaries(experimentIDs: [experiment])
            #expect(Set(summaries.map { "\($0.name)/\($0.context ?? "-")" }) == ["ds/train", "ds/eval", "ds2/-"])
            let bad = await #expect(throws: CairnError.self) { _ = try await store.datasetSummaries(experimentIDs: ["abc"]) }
            #expect(bad?.message == "Invalid experiment ID 'abc'. Experiment ID must be a valid integer.")
        }
    }

    @Test(arguments: Engine.available)
    func theRegistryDoesNotNeedTheRunAndTagsLoggedModelsWithTheirVersions(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let registry = SQLRegistryStore(tracking: store)
            let name = Self.unique("elsewhere")
            _ = try await registry.createRegisteredModel(name: name, tags: [], description: nil, actor: .unauthenticated)
            let ghost = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            let remote = try await registry.createModelVersion(
                CreateModelVersionRequest(name: name, source: "runs:/\(ghost)/model", runID: ghost), actor: .unauthenticated)
            #expect(remote.runID == ghost && remote.source == "runs:/\(ghost)/model")
            let unnamed = await #expect(throws: CairnError.self) {
                _ = try await registry.createModelVersion(
                    CreateModelVersionRequest(name: name, source: "runs:/\(ghost)/model"), actor: .unauthenticated)
            }
            #expect(unnamed?.code == .invalidParameterValue)

            let experiment = try await store.createExperiment(name: Self.unique("lm"), artifactLocation: nil, tags: [])
            let model = try await store.createLoggedModel(CreateLoggedModelRequest(experimentID: experiment, name: "m", sourceRunID: ghost))
            #expect(model.sourceRunID == ghost)
            for _ in 0..<2 {
                _ = try await registry.createModelVersion(
                    CreateModelVersionRequest(name: name, source: "models:/\(model.modelID)", modelID: model.modelID), actor: .unauthenticated)
            }
            let tag = try await store.loggedModel(id: model.modelID).tags.first { $0.key == "mlflow.modelVersions" }?.value
            #expect(tag == #"[{"name": "\#(name)", "version": 2}, {"name": "\#(name)", "version": 3}]"#)
        }
    }

    @Test(arguments: Engine.available)
    func latestIsTheHighestVersionAndAMissingAliasIsAnInvalidParameter(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let registry = SQLRegistryStore(tracking: store)
            let name = Self.unique("prompt")
            let prompt = [Tag(key: "mlflow.prompt.is_prompt", value: "true")]
            _ = try await registry.createRegisteredModel(name: name, tags: prompt, description: nil, actor: .unauthenticated)
            let none = await #expect(throws: CairnError.self) { _ = try await registry.modelVersion(name: name, alias: "latest") }
            #expect(none?.message == "Latest version not found for model \(name).")
            for source in ["dummy-source", "prompt-template"] {
                _ = try await registry.createModelVersion(
                    CreateModelVersionRequest(name: name, source: source, tags: prompt), actor: .unauthenticated)
            }
            let refused = await #expect(throws: CairnError.self) {
                _ = try await registry.createModelVersion(
                    CreateModelVersionRequest(name: name, source: "s3://b/p", tags: prompt), actor: .unauthenticated)
            }
            #expect(refused?.message == "Invalid prompt source: 's3://b/p'. Prompt sources must use an MLflow placeholder.")
            #expect(try await registry.modelVersion(name: name, alias: "Latest").version == 2)
            let missing = await #expect(throws: CairnError.self) { _ = try await registry.modelVersion(name: name, alias: "nope") }
            #expect(missing?.code == .invalidParameterValue && missing?.message == "Registered model alias nope not found.")
        }
    }
}
