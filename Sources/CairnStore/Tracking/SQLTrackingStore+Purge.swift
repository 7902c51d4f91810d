import CairnCore

/// What `cairn gc` may remove: runs soft-deleted before a cutoff, and what references them.
public struct PurgeCandidate: Sendable, Hashable {
    public var runID: String
    public var artifactURI: String
    public var deletedTime: Int64
    /// The logged models the run produced (MLflow 3 keeps their files outside the run).
    public var loggedModels: [LoggedModelLocation]
    /// Why the run must be kept, or nil when it may go.
    public var keptBecause: String?
}

public struct LoggedModelLocation: Sendable, Hashable {
    public var modelID: String
    public var artifactLocation: String
}

extension SQLTrackingStore {
    /// Runs deleted before `cutoff` (ms), with their logged models and whether a model version
    /// still references the run, one of its logged models, or a path inside their artifacts.
    public func purgeCandidates(deletedBefore cutoff: Int64) async throws -> [PurgeCandidate] {
        let runs = try await database.query(
            "SELECT run_uuid, artifact_uri, deleted_time FROM runs WHERE lifecycle_stage = 'deleted' AND deleted_time IS NOT NULL AND deleted_time < $1 ORDER BY deleted_time",
            [.int(cutoff)])
        var candidates: [PurgeCandidate] = []
        for row in runs {
            let runID = row.string(0)
            let models = try await database.query(
                "SELECT model_id, artifact_location FROM logged_models WHERE source_run_id = $1 ORDER BY model_id", [.text(runID)]
            ).map { LoggedModelLocation(modelID: $0.string(0), artifactLocation: $0.string(1)) }
            var candidate = PurgeCandidate(runID: runID, artifactURI: row.string(1), deletedTime: row.int(2), loggedModels: models, keptBecause: nil)
            candidate.keptBecause = try await referenceHolder(candidate, on: database)
            candidates.append(candidate)
        }
        return candidates
    }

    /// The first registry or deployment reference to the run's files, described; nil when none.
    private func referenceHolder(_ candidate: PurgeCandidate, on executor: any SQLExecutor) async throws -> String? {
        var builder = SQLBuilder("SELECT name, version FROM model_versions WHERE run_id = ", dialect: dialect)
        builder.append(builder.bind(.text(candidate.runID)))
        let locations = [candidate.artifactURI] + candidate.loggedModels.map(\.artifactLocation)
        for location in locations where !location.isEmpty {
            builder.append(
                " OR storage_location = \(builder.bind(.text(location))) OR storage_location LIKE \(builder.bind(.text(Self.likePrefix(location)))) ESCAPE '\\'"
            )
        }
        if !candidate.loggedModels.isEmpty {
            builder.append(" OR " + builder.inList("model_id", texts: candidate.loggedModels.map(\.modelID)))
        }
        builder.append(" LIMIT 1")
        if let row = try await executor.query(builder).first {
            return "model version \(row.string(0)) v\(row.int(1)) uses it"
        }
        return nil
    }

    /// Removes the run's rows and its logged models' rows for good (the history explicitly;
    /// params, tags and inputs by cascade), in one transaction that first checks the run is
    /// still deleted and still unreferenced: a run restored (or registered from) since it was
    /// listed is left alone. Returns whether it was purged; its artifacts go only then, after.
    @discardableResult
    public func purge(_ candidate: PurgeCandidate) async throws -> Bool {
        try await database.withTransaction { tx in
            // FOR UPDATE holds the row against a concurrent restore until the purge commits
            // (SQLite's write transaction already excludes every other writer).
            let lock = tx.dialect == .postgres ? " FOR UPDATE" : ""
            let still = try await tx.query(
                "SELECT 1 FROM runs WHERE run_uuid = $1 AND lifecycle_stage = 'deleted'\(lock)", [.text(candidate.runID)])
            guard !still.isEmpty, try await referenceHolder(candidate, on: tx) == nil else { return false }
            for model in candidate.loggedModels {
                try await tx.execute(
                    "DELETE FROM logged_models WHERE model_id = $1 AND source_run_id = $2", [.text(model.modelID), .text(candidate.runID)])
            }
            // The history is keyed by series, with no foreign key to runs (migrations 0006 and
            // 0007), so it goes explicitly.
            try await tx.execute(
                "DELETE FROM metric_points WHERE series_id IN (SELECT series_id FROM metric_series WHERE run_uuid = $1)", [.text(candidate.runID)])
            try await tx.execute(
                "DELETE FROM metric_chart_cache WHERE series_id IN (SELECT series_id FROM metric_series WHERE run_uuid = $1)",
                [.text(candidate.runID)])
            try await tx.execute("DELETE FROM metric_series WHERE run_uuid = $1", [.text(candidate.runID)])
            try await tx.execute("DELETE FROM runs WHERE run_uuid = $1 AND lifecycle_stage = 'deleted'", [.text(candidate.runID)])
            return true
        }
    }

    /// A LIKE pattern matching everything under `prefix/`, with `%`, `_` and `\` escaped.
    static func likePrefix(_ prefix: String) -> String {
        var escaped = ""
        for character in prefix {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped + "/%"
    }
}
