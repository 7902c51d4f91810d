import CairnCore
import Foundation
import Testing

@testable import CairnStore

/// Values too long for where they go are the request's fault, never an internal error: a dataset
/// input longer than MLflow allows is refused with MLflow's message on both engines (its name
/// and digest are part of the inputs' primary key), one at the limits is stored; and on
/// PostgreSQL any value too long for an index entry (about 2,700 bytes) comes back as invalid
/// data (`INVALID_PARAMETER_VALUE`), with nothing of the request stored.
@Suite struct OversizedInputTests {
    @Test(arguments: Engine.available)
    func aDatasetInputIsHeldToMLflowsLengths(engine: Engine) async throws {
        try await TestDatabase.withStore(engine) { store in
            let experiment = try await store.createExperiment(name: "oversized-datasets", artifactLocation: nil, tags: [])
            let id = try await store.createRun(CreateRunRequest(experimentID: experiment, userID: "u", startTime: 1, tags: [])).info.runID
            var generator = SeededGenerator(seed: 23)
            // Four-byte characters that do not compress: the longest name is 2,000 bytes.
            func text(_ count: Int) -> String {
                String(String.UnicodeScalarView((0..<count).map { _ in Unicode.Scalar(UInt32.random(in: 0x1F300...0x1F5FF, using: &generator))! }))
            }
            let longest = DatasetInput(
                name: text(Limits.maxDatasetNameLength), digest: text(Limits.maxDatasetDigestLength), sourceType: "code", source: "s",
                schema: "", profile: "", tags: [Tag(key: "mlflow.data.context", value: text(Limits.maxInputTagValueLength))])
            try await store.logInputs(runID: id, datasets: [longest], modelIDs: [])
            #expect(try await store.run(id: id).datasetInputs.map(\.name) == [longest.name])
            for (field, dataset) in [
                ("name", DatasetInput(name: text(501), digest: "d", sourceType: "code", source: "s", schema: "", profile: "", tags: [])),
                ("digest", DatasetInput(name: "n", digest: text(37), sourceType: "code", source: "s", schema: "", profile: "", tags: [])),
                (
                    "value",
                    DatasetInput(
                        name: "n", digest: "d", sourceType: "code", source: "s", schema: "", profile: "", tags: [Tag(key: "k", value: text(501))])
                ),
            ] {
                let error = await #expect(throws: CairnError.self) { try await store.logInputs(runID: id, datasets: [dataset], modelIDs: []) }
                #expect(error?.code == .invalidParameterValue)
                let limit = ["name": 500, "digest": 36, "value": 500][field]!
                #expect(error?.message == "'\(field)' exceeds the maximum length of \(limit) characters")
            }
            #expect(try await store.run(id: id).datasetInputs.count == 1)
        }
    }

    @Test func aValueTooLongForAnIndexEntryIsInvalidDataOnPostgres() async throws {
        guard Engine.available.contains(.postgres) else { return }  // EngineAvailabilityTests fails CI without PostgreSQL
        try await TestDatabase.withStore(.postgres) { store in
            let experiment = try await store.createExperiment(name: "oversized-models", artifactLocation: nil, tags: [])
            let id = try await store.createRun(CreateRunRequest(experimentID: experiment, userID: "u", startTime: 1, tags: [])).info.runID
            var generator = SeededGenerator(seed: 29)
            let modelID = generator.letters(6_000)
            let error = await #expect(throws: SQLDatabaseError.self) {
                try await store.logInputs(runID: id, datasets: [], modelIDs: ["m-1", modelID])
            }
            #expect(error?.kind == .invalidData)
            #expect(try await store.run(id: id).modelInputs.isEmpty)
        }
    }
}
