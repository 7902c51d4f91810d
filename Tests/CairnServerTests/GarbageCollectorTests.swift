import CairnArtifacts
import CairnCore
import CairnMaintenance
import CairnServer
import CairnStore
import Foundation
import Logging
import NIOCore
import Testing

@Suite struct GarbageCollectorTests {
    struct Fixture {
        let store: SQLTrackingStore
        let registry: SQLRegistryStore
        let artifacts: LocalArtifactStore
        let root: URL
    }

    static func withFixture(_ body: @Sendable (Fixture) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-gc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let logger = Logger(label: "test")
        let (database, store) = try await openMigratedSQLiteStore(path: root.appendingPathComponent("cairn.db").path, logger: logger)
        let artifacts = try await LocalArtifactStore(root: root.appendingPathComponent("artifacts").path)
        try await body(Fixture(store: store, registry: SQLRegistryStore(tracking: store), artifacts: artifacts, root: root))
        await database.close()
    }

    /// A deleted run with a file, a logged model with a file; returns the run.
    static func deletedRunWithFiles(_ f: Fixture, experiment: String) async throws -> (Run, LoggedModel) {
        let run = try await f.store.createRun(CreateRunRequest(experimentID: experiment))
        let model = try await f.store.createLoggedModel(
            CreateLoggedModelRequest(experimentID: experiment, name: "model", sourceRunID: run.info.runID))
        for uri in [run.info.artifactURI, model.artifactLocation] {
            let path = try ArtifactPath(validating: String(uri.dropFirst("mlflow-artifacts:/".count)) + "/file.bin")
            _ = try await f.artifacts.put(path, body: [ByteBuffer(string: "bytes")].async)
        }
        try await f.store.deleteRun(id: run.info.runID)
        return (run, model)
    }

    @Test func oldDeletedRunsGoWithTheirArtifactsUnlessAModelVersionUsesThem() async throws {
        try await Self.withFixture { f in
            let experiment = try await f.store.createExperiment(name: "gc", artifactLocation: nil, tags: [])
            let (doomed, doomedModel) = try await Self.deletedRunWithFiles(f, experiment: experiment)
            let (kept, _) = try await Self.deletedRunWithFiles(f, experiment: experiment)
            _ = try await f.registry.createRegisteredModel(name: "prod-model", tags: [], description: nil, actor: .unauthenticated)
            _ = try await f.registry.createModelVersion(
                CreateModelVersionRequest(name: "prod-model", source: "runs:/\(kept.info.runID)/model", runID: kept.info.runID),
                actor: .unauthenticated)
            let active = try await f.store.createRun(CreateRunRequest(experimentID: experiment))
            let collector = GarbageCollector(store: f.store, artifacts: f.artifacts, logger: Logger(label: "test"))
            let later = Clock.nowMillis() + 31 * 86_400_000

            #expect(try await collector.collect(olderThanDays: 30, dryRun: false).purgedRuns.isEmpty, "nothing is old enough yet")
            let dry = try await collector.collect(olderThanDays: 30, dryRun: true, now: later)
            #expect(dry.purgedRuns == [doomed.info.runID])
            #expect(dry.kept.map(\.runID) == [kept.info.runID])
            #expect(try await f.store.run(id: doomed.info.runID).info.lifecycleStage == .deleted, "a dry run removes nothing")

            let report = try await collector.collect(olderThanDays: 30, dryRun: false, now: later)
            #expect(report.purgedRuns == [doomed.info.runID])
            #expect(Set(report.deletedArtifactPaths) == ["\(experiment)/\(doomed.info.runID)", "\(experiment)/models/\(doomedModel.modelID)"])
            await #expect(throws: CairnError.self) { _ = try await f.store.run(id: doomed.info.runID) }
            await #expect(throws: CairnError.self) { _ = try await f.store.loggedModel(id: doomedModel.modelID) }
            let experimentDir = f.root.appendingPathComponent("artifacts/\(experiment)")
            #expect(!FileManager.default.fileExists(atPath: experimentDir.appendingPathComponent(doomed.info.runID).path))
            #expect(!FileManager.default.fileExists(atPath: experimentDir.appendingPathComponent("models/\(doomedModel.modelID)").path))
            #expect(FileManager.default.fileExists(atPath: experimentDir.appendingPathComponent("\(kept.info.runID)/artifacts/file.bin").path))
            #expect(try await f.store.run(id: kept.info.runID).info.runID == kept.info.runID)
            #expect(try await f.store.run(id: active.info.runID).info.lifecycleStage == .active)
        }
    }
}

extension GarbageCollectorTests {
    /// A run restored between `cairn gc` listing it and purging it keeps its rows, its logged
    /// model and its files.
    @Test func aRunRestoredAfterListingIsNotPurged() async throws {
        try await Self.withFixture { f in
            let experiment = try await f.store.createExperiment(name: "gc-race", artifactLocation: nil, tags: [])
            let (run, model) = try await Self.deletedRunWithFiles(f, experiment: experiment)
            let candidates = try await f.store.purgeCandidates(deletedBefore: Clock.nowMillis() + 1)
            let candidate = try #require(candidates.first { $0.runID == run.info.runID })
            try await f.store.restoreRun(id: run.info.runID)
            #expect(try await f.store.purge(candidate) == false)
            #expect(try await f.store.run(id: run.info.runID).info.lifecycleStage == .active)
            #expect(try await f.store.loggedModel(id: model.modelID).modelID == model.modelID)
            // Deleted again and registered from before the purge: kept as well.
            try await f.store.deleteRun(id: run.info.runID)
            let listed = try #require(try await f.store.purgeCandidates(deletedBefore: Clock.nowMillis() + 1).first { $0.runID == run.info.runID })
            _ = try await f.registry.createRegisteredModel(name: "late", tags: [], description: nil, actor: .unauthenticated)
            _ = try await f.registry.createModelVersion(
                CreateModelVersionRequest(name: "late", source: "runs:/\(run.info.runID)/model", runID: run.info.runID), actor: .unauthenticated)
            #expect(try await f.store.purge(listed) == false)
            let file = f.root.appendingPathComponent("artifacts/\(experiment)/\(run.info.runID)/artifacts/file.bin")
            #expect(FileManager.default.fileExists(atPath: file.path))
        }
    }
}

extension Array where Element: Sendable {
    /// The elements as an async sequence (a request body in tests).
    var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}
