import CairnArtifacts
import CairnCore
import CairnStore
import Logging

/// `cairn gc`: permanently removes runs deleted more than N days ago, with their artifacts and
/// their logged models' artifacts (MLflow 3 keeps model files outside the run and would leave them
/// orphaned). A run that a model version still references is kept, whatever its age.
public struct GarbageCollector: Sendable {
    /// What one collection did (or, in a dry run, would do).
    public struct Report: Sendable {
        public var purgedRuns: [String] = []
        public var deletedArtifactPaths: [String] = []
        public var kept: [(runID: String, reason: String)] = []
        public var skippedArtifacts: [String] = []
    }

    let store: SQLTrackingStore
    let artifacts: any ArtifactStore
    let logger: Logger

    public init(store: SQLTrackingStore, artifacts: any ArtifactStore, logger: Logger) {
        self.store = store
        self.artifacts = artifacts
        self.logger = logger
    }

    /// Collects runs deleted before `now - olderThanDays`.
    public func collect(olderThanDays days: Int, dryRun: Bool, now: Int64 = Clock.nowMillis()) async throws -> Report {
        guard (0...100_000).contains(days) else { throw CairnError.invalidParameter("--older-than-days must be between 0 and 100000") }
        var report = Report()
        for candidate in try await store.purgeCandidates(deletedBefore: now - Int64(days) * 86_400_000) {
            if let reason = candidate.keptBecause {
                report.kept.append((candidate.runID, reason))
                continue
            }
            // The run's folder (…/<run_id>, holding artifacts/) and each logged model's folder.
            var paths: [ArtifactPath] = []
            for location in [Self.parent(candidate.artifactURI)] + candidate.loggedModels.map({ Self.parent($0.artifactLocation) }) {
                if let path = Self.storePath(location) { paths.append(path) } else { report.skippedArtifacts.append(location) }
            }
            if !dryRun {
                // Rows first, guarded by the run still being deleted; artifacts only after, so a
                // run restored meanwhile keeps its files, and a crash leaves orphan files at
                // worst, never rows pointing at nothing.
                guard try await store.purge(candidate) else {
                    report.kept.append((candidate.runID, "restored or registered while the collection ran"))
                    continue
                }
                for path in paths { try await artifacts.delete(path) }
                logger.info("purged run", metadata: ["run_id": "\(candidate.runID)"])
            }
            report.deletedArtifactPaths += paths.map(\.value)
            report.purgedRuns.append(candidate.runID)
        }
        return report
    }

    /// `mlflow-artifacts:/X` → the store path X; nil for locations outside Cairn's store.
    static func storePath(_ uri: String) -> ArtifactPath? {
        guard uri.hasPrefix("mlflow-artifacts:") else { return nil }
        let relative = uri.dropFirst("mlflow-artifacts:".count).drop { $0 == "/" }
        guard let path = try? ArtifactPath(validating: String(relative)), !path.isRoot else { return nil }
        return path
    }

    /// `…/<id>/artifacts` → `…/<id>`.
    static func parent(_ uri: String) -> String {
        uri.hasSuffix("/artifacts") ? String(uri.dropLast("/artifacts".count)) : uri
    }
}
