import CairnCore
import Foundation

extension SQLTrackingStore {
    /// The run tag the legacy `log-model` route appends to: a JSON array of MLmodel dictionaries.
    public static let loggedModelHistoryKey = "mlflow.log-model.history"

    /// Appends one MLmodel dictionary (`model_json`) to the run's `mlflow.log-model.history`
    /// tag, as MLflow's `record_logged_model` does. The JSON is parsed, never pasted, and the
    /// read-modify-write runs in one transaction holding the run's row, so concurrent appends
    /// all survive.
    /// - Throws: 400 when `modelJSON` is not a JSON object, the run is not active, or the history
    ///   would outgrow a tag value; 404 for an unknown run.
    public func appendLoggedModelHistory(runID: String, modelJSON: String) async throws {
        guard (try? JSONSerialization.jsonObject(with: Data(modelJSON.utf8))) is [String: Any] else {
            throw CairnError.invalidParameter("Invalid value for parameter 'model_json': expected a JSON object (an MLmodel as a dictionary)")
        }
        _ = try await activeRunInfo(id: runID)
        let key = Self.loggedModelHistoryKey
        try await database.withTransaction { tx in
            try await Self.bumpDetailVersion(runID: runID, tx)
            // Holds the run against a concurrent append until this one commits (SQLite's write
            // transactions are serialised already).
            let lock = tx.dialect == .postgres ? " FOR UPDATE" : ""
            _ = try await tx.query("SELECT 1 FROM runs WHERE run_uuid = $1\(lock)", [.text(runID)])
            let stored = try await tx.query("SELECT value FROM run_tags WHERE run_uuid = $1 AND key = $2", [.text(runID), .text(key)]).first?.string(
                0)
            var history: [Any] = []
            if let stored, !stored.isEmpty {
                guard let array = try? JSONSerialization.jsonObject(with: Data(stored.utf8)) as? [Any] else {
                    throw CairnError.invalidParameter("The run's \(key) tag is not a JSON array; refusing to overwrite it")
                }
                history = array
            }
            history.append(try JSONSerialization.jsonObject(with: Data(modelJSON.utf8)))
            let text = String(decoding: try JSONSerialization.data(withJSONObject: history, options: [.sortedKeys]), as: UTF8.self)
            guard text.count <= Limits.maxRunTagValueLength else {
                throw CairnError.invalidParameter(
                    "The run's \(key) tag would exceed \(Limits.maxRunTagValueLength) characters; log further models with log_model (logged models) instead"
                )
            }
            try await tx.execute(
                "INSERT INTO run_tags (run_uuid, key, value) VALUES ($1, $2, $3) ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value",
                [.text(runID), .text(key), .text(text)])
        }
    }
}
