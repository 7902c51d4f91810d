import CairnCore
import Foundation
import Testing

@_spi(Testing) @testable import CairnKube

/// Applies a real InferenceService (KServe's v0.20.0 CRD, installed by `cairn_kube_start`) and
/// plays KServe's controller (no controllers run on the test server): the child Deployment and
/// both `/status`es are written by the test, and the readiness rules are read off the live objects.
@Suite(.enabled(if: KubeTestEnvironment.shouldRun, KubeTestEnvironment.skipReason))
struct KServeRolloutIntegrationTests {
    static func inferenceService(namespace: String, deploymentID: String, storageURI: String) -> JSONValue {
        [
            "apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService",
            "metadata": [
                "name": "fraud", "namespace": .string(namespace),
                "annotations": ["serving.kserve.io/deploymentMode": "RawDeployment", "cairn.dev/deployment-id": .string(deploymentID)],
            ],
            "spec": [
                "predictor": [
                    "annotations": ["cairn.dev/deployment-id": .string(deploymentID)],
                    "model": [
                        "modelFormat": ["name": "mlflow"], "protocolVersion": "v2", "runtime": "kserve-mlserver",
                        "storageUri": .string(storageURI),
                    ],
                ]
            ],
        ]
    }

    /// What KServe's controller would write: the predictor Deployment with the predictor's annotations on its pod template.
    static func predictorDeployment(namespace: String, deploymentID: String) -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "fraud-predictor", "namespace": .string(namespace)],
            "spec": [
                "replicas": 1, "selector": ["matchLabels": ["app": "fraud-predictor"]],
                "template": [
                    "metadata": ["labels": ["app": "fraud-predictor"], "annotations": ["cairn.dev/deployment-id": .string(deploymentID)]],
                    "spec": ["containers": [["name": "kserve-container", "image": "kserve/mlserver:1.6"]]],
                ],
            ],
        ]
    }

    /// Plays the Deployment controller: the rollout of the current generation is complete.
    static func completeRollout(_ client: KubernetesClient, namespace: String) async throws {
        let live = try #require(try await client.get(.deployment, namespace: namespace, name: "fraud-predictor"))
        let generation = live["metadata"]?["generation"]?.intValue ?? 1
        try await client.mergePatch(
            .deployment, namespace: namespace, name: "fraud-predictor", subresource: "status",
            patch: [
                "status": ["observedGeneration": .int(generation), "replicas": 1, "updatedReplicas": 1, "availableReplicas": 1, "readyReplicas": 1]
            ])
    }

    static func setReady(_ client: KubernetesClient, namespace: String, _ ready: String) async throws {
        try await client.mergePatch(
            .inferenceService, namespace: namespace, name: "fraud", subresource: "status",
            patch: ["status": ["observedGeneration": 1, "conditions": [["type": "Ready", "status": .string(ready)]]]])
    }

    func readiness(_ client: KubernetesClient, namespace: String, deploymentID: String) async throws -> RolloutStatus {
        let isvc = try await client.get(.inferenceService, namespace: namespace, name: "fraud")
        var child: JSONValue?
        if let isvc {
            child = try await client.get(.deployment, namespace: namespace, name: ReadinessEvaluator.predictorDeploymentName(inferenceService: isvc))
        }
        return ReadinessEvaluator.kserveStandard(inferenceService: isvc, predictorDeployment: child, deploymentID: deploymentID)
    }

    @Test func secondRolloutIsNotReadyOnTheFirstOnesStaleReady() async throws {
        let environment = try KubeTestEnvironment.require()
        try await withClient(try environment.client()) { client in
            let namespace = try await environment.makeNamespace(client)

            // Dry run first: validated against the real CRD schema, nothing stored.
            _ = try await client.apply(
                Self.inferenceService(namespace: namespace, deploymentID: "dep-1", storageURI: "s3://models/fraud/1"), dryRun: true)
            #expect(try await client.get(.inferenceService, namespace: namespace, name: "fraud") == nil)

            // Rollout 1.
            let applied = try await client.apply(
                Self.inferenceService(namespace: namespace, deploymentID: "dep-1", storageURI: "s3://models/fraud/1"), force: true)
            #expect(applied["spec"]?["predictor"]?["model"]?["storageUri"] == "s3://models/fraud/1")
            #expect(
                try await readiness(client, namespace: namespace, deploymentID: "dep-1")
                    == .progressing("InferenceService fraud: predictor Deployment fraud-predictor does not exist yet"))
            _ = try await client.apply(
                Self.predictorDeployment(namespace: namespace, deploymentID: "dep-1"), fieldManager: "kserve-controller", force: true)
            #expect(!(try await readiness(client, namespace: namespace, deploymentID: "dep-1")).isReady, "no replica available yet")
            try await Self.completeRollout(client, namespace: namespace)
            try await Self.setReady(client, namespace: namespace, "True")
            #expect(try await readiness(client, namespace: namespace, deploymentID: "dep-1") == .ready)

            // Rollout 2 over it: Ready=True is still there from rollout 1, and must not count.
            _ = try await client.apply(
                Self.inferenceService(namespace: namespace, deploymentID: "dep-2", storageURI: "s3://models/fraud/2"), force: true)
            let stale = try await readiness(client, namespace: namespace, deploymentID: "dep-2")
            #expect(!stale.isReady)
            #expect(stale.description.contains("does not carry cairn.dev/deployment-id=dep-2"), "\(stale)")

            // The controller updates the child: new generation, not yet observed, then rolled out.
            _ = try await client.apply(
                Self.predictorDeployment(namespace: namespace, deploymentID: "dep-2"), fieldManager: "kserve-controller", force: true)
            let unobserved = try await readiness(client, namespace: namespace, deploymentID: "dep-2")
            #expect(unobserved.description.contains("observe generation"), "\(unobserved)")
            try await Self.completeRollout(client, namespace: namespace)
            #expect(try await readiness(client, namespace: namespace, deploymentID: "dep-2") == .ready)
        }
    }

    @Test func schemaViolationIsRejectedWithItsField() async throws {
        let environment = try KubeTestEnvironment.require()
        try await withClient(try environment.client()) { client in
            let namespace = try await environment.makeNamespace(client)
            var manifest = Self.inferenceService(namespace: namespace, deploymentID: "d", storageURI: "s3://m")
            _ = try #require(manifest[path: "spec", "predictor"], "fixture shape")
            manifest["spec"]?["predictor"]?["minReplicas"] = "lots"
            let error = await #expect(throws: KubeError.self) { try await client.apply(manifest, dryRun: true) }
            #expect(error?.code == .invalid, "\(String(describing: error))")
            #expect(error?.message.contains("spec.predictor.minReplicas") == true, "\(error?.message ?? "")")
        }
    }
}
