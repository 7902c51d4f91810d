import CairnCore
import CairnKube

/// Reads the live objects a rollout must bring up and judges them with ``ReadinessEvaluator``:
/// which objects depends on what was applied (an InferenceService and its predictor Deployment or
/// Knative revision, or a plain Deployment), so a re-applied ledger manifest is checked the same way.
struct ReadinessProbe: Sendable {
    let client: KubernetesClient

    /// The rollout status of the applied `manifests` stamped with `deploymentID`.
    /// - Throws: `KubeError` when the cluster cannot be read (the caller retries until its deadline).
    func status(of manifests: [JSONValue], deploymentID: String) async throws -> RolloutStatus {
        if let isvc = manifests.first(where: { $0["kind"]?.stringValue == "InferenceService" }) {
            let namespace = isvc["metadata"]?["namespace"]?.stringValue
            let name = isvc["metadata"]?["name"]?.stringValue ?? ""
            let live = try await client.get(.inferenceService, namespace: namespace, name: name)
            if let live, KServeDeploymentMode(inferenceService: live) == .serverless {
                let revisionName = ReadinessEvaluator.serverlessRevisionName(inferenceService: live)
                let revision = try await revisionName.asyncMap { try await client.get(.knativeRevision, namespace: namespace, name: $0) } ?? nil
                return ReadinessEvaluator.kserveServerless(inferenceService: live, latestRevision: revision, deploymentID: deploymentID)
            }
            let predictor =
                try await live.asyncMap {
                    try await client.get(.deployment, namespace: namespace, name: ReadinessEvaluator.predictorDeploymentName(inferenceService: $0))
                } ?? nil
            return ReadinessEvaluator.kserveStandard(inferenceService: live, predictorDeployment: predictor, deploymentID: deploymentID)
        }
        guard let deployment = manifests.first(where: { $0["kind"]?.stringValue == "Deployment" }) else {
            return .failed("the manifests contain neither an InferenceService nor a Deployment")
        }
        let live = try await client.get(
            .deployment, namespace: deployment["metadata"]?["namespace"]?.stringValue, name: deployment["metadata"]?["name"]?.stringValue ?? "")
        return ReadinessEvaluator.deployment(live, deploymentID: deploymentID)
    }
}

extension Optional {
    /// `map` with an async transform.
    fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
