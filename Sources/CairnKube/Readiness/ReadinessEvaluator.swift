import CairnCore

/// Decides whether a rollout is ready, still progressing or failed, from live objects alone
/// (pure functions, no I/O), by issue 5's rules.
///
/// Every rule ties readiness to *this* rollout through the `cairn.dev/deployment-id` stamp, so a
/// `Ready=True` left over from the previous rollout never counts. The InferenceService's
/// `status.observedGeneration` is never read: KServe copies it from the child object
/// (kserve#6081), so it says nothing about the InferenceService's own generation.
public enum ReadinessEvaluator {
    /// The annotation that stamps a rollout on pod templates and revisions.
    public static let deploymentIDAnnotation = "cairn.dev/deployment-id"

    /// A Deployment target: the Deployment carries the stamp on its pod template and has rolled
    /// out by kubectl's rule (``deploymentRollout(_:)``).
    /// - Parameters:
    ///   - deployment: the live Deployment, `nil` when it does not exist (yet).
    ///   - deploymentID: this rollout's `cairn.dev/deployment-id`.
    public static func deployment(_ deployment: JSONValue?, deploymentID: String) -> RolloutStatus {
        guard let deployment else { return .progressing("the Deployment does not exist yet") }
        if let mismatch = stampMismatch(deployment, deploymentID: deploymentID) { return .progressing(mismatch) }
        return deploymentRollout(deployment)
    }

    /// kubectl's `rollout status` rule for a Deployment (`rollout_status.go`), with issue 5's
    /// stricter end condition: `status.observedGeneration >= metadata.generation`, no `Progressing`
    /// condition with reason `ProgressDeadlineExceeded` (that is ``RolloutStatus/failed(_:)``), no old
    /// replicas left, and `updatedReplicas == availableReplicas == spec.replicas`.
    public static func deploymentRollout(_ deployment: JSONValue) -> RolloutStatus {
        let name = deployment["metadata"]?["name"]?.stringValue ?? "?"
        let generation = deployment["metadata"]?["generation"]?.intValue ?? 0
        let observed = deployment["status"]?["observedGeneration"]?.intValue ?? 0
        guard observed >= generation else {
            return .progressing("Deployment \(name): waiting for the controller to observe generation \(generation) (observed \(observed))")
        }
        if let progressing = condition(deployment, type: "Progressing"),
            progressing["reason"]?.stringValue == "ProgressDeadlineExceeded"
        {
            let message = progressing["message"]?.stringValue.map { ": \($0)" } ?? ""
            return .failed("Deployment \(name) exceeded its progress deadline\(message)")
        }
        let wanted = deployment["spec"]?["replicas"]?.intValue ?? 1
        let status = deployment["status"]
        let replicas = status?["replicas"]?.intValue ?? 0
        let updated = status?["updatedReplicas"]?.intValue ?? 0
        let available = status?["availableReplicas"]?.intValue ?? 0
        if updated < wanted {
            return .progressing("Deployment \(name): \(updated) of \(wanted) new replicas have been updated")
        }
        if replicas > updated {
            return .progressing("Deployment \(name): \(replicas - updated) old replicas are pending termination")
        }
        if available < updated {
            return .progressing("Deployment \(name): \(available) of \(updated) updated replicas are available")
        }
        guard updated == wanted, available == wanted else {
            return .progressing(
                "Deployment \(name): updatedReplicas \(updated), availableReplicas \(available) and spec.replicas \(wanted) differ")
        }
        return .ready
    }

    /// A KServe InferenceService in RawDeployment/Standard mode: its child Deployment (see
    /// ``predictorDeploymentName(inferenceService:)``) carries the stamp on its pod template and
    /// has rolled out by kubectl's rule, and the InferenceService has condition `Ready=True`.
    /// - Parameters:
    ///   - inferenceService: the live InferenceService, `nil` when it does not exist (yet).
    ///   - predictorDeployment: the live child Deployment, `nil` when it does not exist (yet).
    ///   - deploymentID: this rollout's `cairn.dev/deployment-id`.
    public static func kserveStandard(inferenceService: JSONValue?, predictorDeployment: JSONValue?, deploymentID: String) -> RolloutStatus {
        guard let inferenceService else { return .progressing("the InferenceService does not exist yet") }
        let name = inferenceService["metadata"]?["name"]?.stringValue ?? "?"
        guard let predictorDeployment else {
            return .progressing(
                "InferenceService \(name): predictor Deployment \(predictorDeploymentName(inferenceService: inferenceService)) does not exist yet")
        }
        if let mismatch = stampMismatch(predictorDeployment, deploymentID: deploymentID) {
            return .progressing("InferenceService \(name): \(mismatch)")
        }
        switch deploymentRollout(predictorDeployment) {
        case .ready: break
        case .progressing(let reason): return .progressing("InferenceService \(name): \(reason)")
        case .failed(let reason): return .failed("InferenceService \(name): \(reason)")
        }
        return readyCondition(inferenceService, name: name)
    }

    /// A KServe InferenceService in Serverless/Knative mode: `Ready=True`, the predictor's
    /// `latestCreatedRevision` equals its `latestReadyRevision`, and that revision carries the stamp.
    /// - Parameters:
    ///   - inferenceService: the live InferenceService, `nil` when it does not exist (yet).
    ///   - latestRevision: the Knative Revision named by ``serverlessRevisionName(inferenceService:)``, if read.
    ///   - deploymentID: this rollout's `cairn.dev/deployment-id`.
    public static func kserveServerless(inferenceService: JSONValue?, latestRevision: JSONValue?, deploymentID: String) -> RolloutStatus {
        guard let inferenceService else { return .progressing("the InferenceService does not exist yet") }
        let name = inferenceService["metadata"]?["name"]?.stringValue ?? "?"
        let predictor = inferenceService["status"]?["components"]?["predictor"]
        guard let created = predictor?["latestCreatedRevision"]?.stringValue, !created.isEmpty else {
            return .progressing("InferenceService \(name): no predictor revision has been created yet")
        }
        if let revision = latestRevision, revision["metadata"]?["name"]?.stringValue == created {
            if let mismatch = stampMismatch(revision, deploymentID: deploymentID) {
                return .progressing("InferenceService \(name): \(mismatch)")
            }
            if let ready = condition(revision, type: "Ready"), ready["status"]?.stringValue == "False",
                ready["reason"]?.stringValue == "ProgressDeadlineExceeded"
            {
                return .failed("InferenceService \(name): revision \(created) exceeded its progress deadline: \(ready["message"]?.stringValue ?? "")")
            }
        }
        let latestReady = predictor?["latestReadyRevision"]?.stringValue ?? "none"
        guard latestReady == created else {
            return .progressing("InferenceService \(name): latest created revision \(created) is not ready yet (latest ready: \(latestReady))")
        }
        guard let revision = latestRevision, revision["metadata"]?["name"]?.stringValue == created else {
            return .progressing("InferenceService \(name): revision \(created) has not been read yet")
        }
        return readyCondition(inferenceService, name: name)
    }

    /// The child Deployment KServe creates in Standard mode: `<name>-predictor`, or
    /// `<name>-<predictor.name>-predictor` when `spec.predictor.name` is set (KServe 0.20).
    public static func predictorDeploymentName(inferenceService: JSONValue) -> String {
        let name = inferenceService["metadata"]?["name"]?.stringValue ?? ""
        if let predictor = inferenceService["spec"]?["predictor"]?["name"]?.stringValue, !predictor.isEmpty {
            return "\(name)-\(predictor)-predictor"
        }
        return "\(name)-predictor"
    }

    /// The Knative Revision to read in Serverless mode: the predictor's `latestCreatedRevision`.
    public static func serverlessRevisionName(inferenceService: JSONValue) -> String? {
        inferenceService["status"]?["components"]?["predictor"]?["latestCreatedRevision"]?.stringValue
    }

    /// The condition of `type` in `status.conditions`.
    public static func condition(_ object: JSONValue, type: String) -> JSONValue? {
        object["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
    }

    private static func readyCondition(_ inferenceService: JSONValue, name: String) -> RolloutStatus {
        guard let ready = condition(inferenceService, type: "Ready") else {
            return .progressing("InferenceService \(name) has no Ready condition yet")
        }
        guard ready["status"]?.stringValue == "True" else {
            let why = [ready["reason"]?.stringValue, ready["message"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
            return .progressing(
                "InferenceService \(name) is not Ready (\(ready["status"]?.stringValue ?? "Unknown"))\(why.isEmpty ? "" : ": \(why)")")
        }
        return .ready
    }

    /// Where the stamp lives: a Deployment's pod template, or a Revision's own annotations.
    private static func stampMismatch(_ object: JSONValue, deploymentID: String) -> String? {
        let kind = object["kind"]?.stringValue ?? "object"
        let name = object["metadata"]?["name"]?.stringValue ?? "?"
        let annotations =
            kind == "Deployment"
            ? object["spec"]?["template"]?["metadata"]?["annotations"] : object["metadata"]?["annotations"]
        let stamp = annotations?[deploymentIDAnnotation]?.stringValue
        guard stamp != deploymentID else { return nil }
        let place = kind == "Deployment" ? " on its pod template" : ""
        return "\(kind) \(name) does not carry \(deploymentIDAnnotation)=\(deploymentID)\(place) yet (it has \(stamp ?? "none"))"
    }
}
