import CairnCore
import CairnDeploy
import CairnPromotion

extension JSONWriter {
    /// A ledger entry: `{id, model, version, target, status, manifest, message,
    /// previous_deployment_id, actor, created_at, updated_at}`; `version` is a string as in
    /// MLflow's model versions, `manifest` the applied objects as a JSON array.
    mutating func deployment(_ deployment: Deployment) {
        beginObject()
        field("id", deployment.id)
        field("model", deployment.model)
        field("version", String(deployment.version))
        field("target", deployment.target)
        field("status", deployment.status.rawValue)
        rawField("manifest", json: deployment.manifest.isEmpty ? "[]" : deployment.manifest)
        field("message", deployment.message)
        field("previous_deployment_id", deployment.previousDeploymentID)
        field("actor", deployment.actor)
        field("created_at", deployment.createdAt)
        field("updated_at", deployment.updatedAt)
        endObject()
    }

    /// The answer to a dry run: the rendered objects and the server's dry-run result of each.
    mutating func dryRunReport(_ report: DryRunReport) {
        field("dry_run", true)
        field("model", report.model)
        field("version", String(report.version))
        field("target", report.target)
        field("storage_uri", report.storageURI)
        array("warnings", report.warnings) { w, warning in w.element(warning) }
        array("manifests", report.manifests) { w, manifest in w.rawElement(json: manifest.jsonString) }
        array("server_results", report.serverResults) { w, result in w.rawElement(json: result.jsonString) }
    }

    /// A target as `GET /api/cairn/v1/targets` lists it: its settings without secrets.
    mutating func target(_ target: PromotionTarget, webhookSecretConfigured: Bool) {
        var redacted = target.redacted
        if case .object(var members) = redacted {
            members.removeAll { $0.key == "webhook_secret_configured" }
            members.append(.init("webhook_secret_configured", .bool(webhookSecretConfigured)))
            redacted = .object(members)
        }
        rawElement(json: ManifestEncoder.json(redacted))
    }
}
