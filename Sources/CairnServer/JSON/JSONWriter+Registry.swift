import CairnCore

/// MLflow's registry messages on the wire.
extension JSONWriter {
    mutating func registeredModel(_ model: RegisteredModel) {
        beginObject()
        field("name", model.name)
        field("creation_timestamp", model.creationTimestamp)
        field("last_updated_timestamp", model.lastUpdatedTimestamp)
        if !model.userID.isEmpty { field("user_id", model.userID) }
        if !model.description.isEmpty { field("description", model.description) }
        array("latest_versions", model.latestVersions) { w, v in w.modelVersion(v) }
        tags("tags", model.tags)
        array("aliases", model.aliases) { w, alias in
            w.beginObject()
            w.field("alias", alias.alias)
            w.field("version", String(alias.version))
            w.endObject()
        }
        endObject()
    }

    /// A model version. Like MLflow 3.17, `model_id` is not sent (the client resolves files
    /// through `get-download-uri`).
    mutating func modelVersion(_ version: ModelVersion) {
        beginObject()
        field("name", version.name)
        field("version", String(version.version))
        field("creation_timestamp", version.creationTimestamp)
        field("last_updated_timestamp", version.lastUpdatedTimestamp)
        if !version.userID.isEmpty { field("user_id", version.userID) }
        field("current_stage", version.currentStage.rawValue)
        // description, run_id and run_link are always written, "" when empty, as MLflow writes them.
        field("description", version.description)
        field("source", version.source)
        field("run_id", version.runID)
        field("status", version.status)
        tags("tags", version.tags)
        field("run_link", version.runLink)
        array("aliases", version.aliases) { w, alias in w.element(alias) }
        endObject()
    }

    mutating func auditEvent(_ event: AuditEvent) {
        beginObject()
        field("id", event.id)
        field("entity", event.entity)
        field("action", event.action)
        field("actor", event.actor)
        field("timestamp", event.timestamp)
        field("before", event.before)
        field("after", event.after)
        endObject()
    }
}
