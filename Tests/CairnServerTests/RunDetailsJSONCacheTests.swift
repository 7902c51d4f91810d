import CairnCore
import CairnStore
import Foundation
import Testing

@testable import CairnServer

/// A run search's runs are written from their details JSON kept under the run's details version.
@Suite struct RunDetailsJSONCacheTests {
    private func run(_ id: String, status: RunStatus = .running, param: String = "0.1") -> Run {
        Run(
            info: RunInfo(
                runID: id, runName: "r-\(id)", experimentID: "1", userID: "u", status: status, startTime: 5, endTime: nil,
                artifactURI: "file:///a/\(id)", lifecycleStage: .active),
            metrics: [Metric(key: "acc", value: .nan, timestamp: 7, step: 2), Metric(key: "loss", value: 0.25, timestamp: 7, step: 2)],
            params: [Param(key: "lr", value: param)], tags: [Tag(key: "mlflow.runName", value: "r-\(id)")],
            datasetInputs: [
                DatasetInput(
                    name: "d", digest: "x1", sourceType: "local", source: "{}", schema: "", profile: "p",
                    tags: [Tag(key: "mlflow.data.context", value: "train")])
            ],
            modelInputs: ["m-1"], modelOutputs: [ModelOutput(modelID: "m-2", step: 3)])
    }

    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func aRunWrittenFromItsDetailsJSONIsTheRunWrittenWhole() throws {
        for run in [run("a"), Run(info: run("b").info)] {
            var whole = JSONWriter()
            whole.run(run)
            var split = JSONWriter()
            split.run(run.info, detailsJSON: JSONWriter.runDetailsJSON(run))
            #expect(text(split.bytes) == text(whole.bytes))
            #expect(try JSONSerialization.jsonObject(with: Data(split.bytes)) is [String: Any])
        }
    }

    @Test func detailsJSONIsReusedOnlyForTheVersionItWasWrittenFrom() async {
        let cache = RunDetailsJSONCache()
        let first = await cache.json(for: [VersionedRun(run: run("a", param: "0.1"), detailsVersion: 3)])
        #expect(text(first[0]).contains(#""value":"0.1""#))
        // The same version: the kept JSON, whatever the details passed (they are the same by contract).
        let again = await cache.json(for: [VersionedRun(run: run("a", param: "0.2"), detailsVersion: 3)])
        #expect(again == first)
        // A new version: written again, and kept in place of the old.
        let bumped = await cache.json(for: [VersionedRun(run: run("a", param: "0.2"), detailsVersion: 4)])
        #expect(text(bumped[0]).contains(#""value":"0.2""#))
        #expect(await cache.json(for: [VersionedRun(run: run("a", param: "0.3"), detailsVersion: 4)]) == bumped)
        #expect(cache.usage.entries == 1)
    }

    @Test func runsWithoutAVersionAreWrittenEveryTimeAndNotKept() async {
        let cache = RunDetailsJSONCache()
        _ = await cache.json(for: [VersionedRun(run: run("a", param: "0.1"), detailsVersion: nil)])
        let second = await cache.json(for: [VersionedRun(run: run("a", param: "0.2"), detailsVersion: nil)])
        #expect(text(second[0]).contains(#""value":"0.2""#))
        #expect(cache.usage.entries == 0)
    }

    @Test func aRunsAttributesAreWrittenFreshOverItsKeptDetails() async {
        let cache = RunDetailsJSONCache()
        _ = await cache.json(for: [VersionedRun(run: run("a"), detailsVersion: 1)])
        // runs/update changes the status without a new details version.
        let finished = run("a", status: .finished)
        var writer = JSONWriter()
        writer.run(finished.info, detailsJSON: await cache.json(for: [VersionedRun(run: finished, detailsVersion: 1)])[0])
        var whole = JSONWriter()
        whole.run(finished)
        #expect(text(writer.bytes) == text(whole.bytes) && text(writer.bytes).contains(#""status":"FINISHED""#))
    }
}
