import CairnCore
import Testing

@testable import CairnKube

/// Live objects as the API server returns them, with only the fields the rules read.
enum Live {
    static func deployment(
        name: String = "fraud-predictor", stamp: String? = "dep-2", generation: Int64 = 3, observed: Int64? = 3,
        specReplicas: Int64? = 2, replicas: Int64 = 2, updated: Int64 = 2, available: Int64 = 2, progressingReason: String? = nil
    ) -> JSONValue {
        var status: JSONValue = [
            "replicas": .int(replicas), "updatedReplicas": .int(updated), "availableReplicas": .int(available),
        ]
        if let observed { status["observedGeneration"] = .int(observed) }
        if let progressingReason {
            status["conditions"] = [["type": "Progressing", "status": "False", "reason": .string(progressingReason), "message": "took too long"]]
        }
        var spec: JSONValue = [
            "template": ["metadata": ["annotations": .object(stamp.map { [.init("cairn.dev/deployment-id", .string($0))] } ?? [])]]
        ]
        if let specReplicas { spec["replicas"] = .int(specReplicas) }
        return [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "generation": .int(generation)],
            "spec": spec, "status": status,
        ]
    }

    static func inferenceService(
        name: String = "fraud", ready: String? = "True", mode: String = "RawDeployment", predictorName: String? = nil,
        created: String? = nil, latestReady: String? = nil, observedGeneration: Int64 = 99
    ) -> JSONValue {
        var status: JSONValue = ["observedGeneration": .int(observedGeneration)]
        if let ready { status["conditions"] = [["type": "Ready", "status": .string(ready), "reason": "PredictorNotReady"]] }
        var predictor: JSONValue = [:]
        if let created { predictor["latestCreatedRevision"] = .string(created) }
        if let latestReady { predictor["latestReadyRevision"] = .string(latestReady) }
        status["components"] = ["predictor": predictor]
        var specPredictor: JSONValue = ["annotations": ["cairn.dev/deployment-id": "dep-2"]]
        if let predictorName { specPredictor["name"] = .string(predictorName) }
        return [
            "apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService",
            "metadata": ["name": .string(name), "generation": 5, "annotations": ["serving.kserve.io/deploymentMode": .string(mode)]],
            "spec": ["predictor": specPredictor], "status": status,
        ]
    }

    static func revision(name: String, stamp: String?, readyReason: String? = nil) -> JSONValue {
        var status: JSONValue = [:]
        if let readyReason { status["conditions"] = [["type": "Ready", "status": "False", "reason": .string(readyReason)]] }
        return [
            "apiVersion": "serving.knative.dev/v1", "kind": "Revision",
            "metadata": ["name": .string(name), "annotations": .object(stamp.map { [.init("cairn.dev/deployment-id", .string($0))] } ?? [])],
            "status": status,
        ]
    }
}

@Suite struct DeploymentReadinessTests {
    @Test func rolledOutWithTheStampIsReady() {
        #expect(ReadinessEvaluator.deployment(Live.deployment(), deploymentID: "dep-2") == .ready)
    }

    @Test func missingDeploymentIsProgressing() {
        #expect(ReadinessEvaluator.deployment(nil, deploymentID: "dep-2") == .progressing("the Deployment does not exist yet"))
    }

    @Test func previousRolloutsStampIsNotReady() {
        let status = ReadinessEvaluator.deployment(Live.deployment(stamp: "dep-1"), deploymentID: "dep-2")
        #expect(
            status == .progressing("Deployment fraud-predictor does not carry cairn.dev/deployment-id=dep-2 on its pod template yet (it has dep-1)"))
    }

    @Test(arguments: [
        (Live.deployment(observed: 2), "waiting for the controller to observe generation 3 (observed 2)"),
        (Live.deployment(observed: nil), "observe generation 3 (observed 0)"),
        (Live.deployment(updated: 1, available: 1), "1 of 2 new replicas have been updated"),
        (Live.deployment(replicas: 3), "1 old replicas are pending termination"),
        (Live.deployment(available: 1), "1 of 2 updated replicas are available"),
        (Live.deployment(specReplicas: 1, replicas: 2, updated: 1, available: 1), "1 old replicas are pending termination"),
        (Live.deployment(specReplicas: nil), "updatedReplicas 2, availableReplicas 2 and spec.replicas 1 differ"),
    ])
    func unfinishedRolloutsAreProgressing(deployment: JSONValue, reason: String) {
        let status = ReadinessEvaluator.deploymentRollout(deployment)
        guard case .progressing(let text) = status else {
            Issue.record("expected progressing, got \(status)")
            return
        }
        #expect(text.contains(reason), "\(text)")
    }

    @Test func progressDeadlineExceededFails() {
        let status = ReadinessEvaluator.deployment(
            Live.deployment(available: 0, progressingReason: "ProgressDeadlineExceeded"), deploymentID: "dep-2")
        #expect(status == .failed("Deployment fraud-predictor exceeded its progress deadline: took too long"))
    }

    @Test func progressDeadlineOfAnUnobservedGenerationDoesNotFail() {
        let status = ReadinessEvaluator.deploymentRollout(Live.deployment(observed: 2, progressingReason: "ProgressDeadlineExceeded"))
        #expect(!status.isFailed && !status.isReady)
    }

    @Test func otherProgressingReasonsDoNotFail() {
        let status = ReadinessEvaluator.deploymentRollout(Live.deployment(progressingReason: "NewReplicaSetAvailable"))
        #expect(status == .ready)
    }

    @Test func scaledToZeroIsReady() {
        let status = ReadinessEvaluator.deploymentRollout(Live.deployment(specReplicas: 0, replicas: 0, updated: 0, available: 0))
        #expect(status == .ready)
    }
}

@Suite struct KServeStandardReadinessTests {
    @Test func readyIsvcAndRolledOutStampedChildIsReady() {
        let status = ReadinessEvaluator.kserveStandard(
            inferenceService: Live.inferenceService(), predictorDeployment: Live.deployment(), deploymentID: "dep-2")
        #expect(status == .ready)
    }

    @Test func staleReadyFromThePreviousRolloutDoesNotCount() {
        // Ready=True and the child rolled out, but the child is still the previous rollout's.
        let status = ReadinessEvaluator.kserveStandard(
            inferenceService: Live.inferenceService(), predictorDeployment: Live.deployment(stamp: "dep-1"), deploymentID: "dep-2")
        #expect(!status.isReady)
        #expect(status.description.contains("does not carry cairn.dev/deployment-id=dep-2"))
    }

    @Test func isvcObservedGenerationIsIgnored() {
        // status.observedGeneration (99) is the child's, not the InferenceService's (kserve#6081): it must not matter.
        for observed: Int64 in [0, 5, 99] {
            let status = ReadinessEvaluator.kserveStandard(
                inferenceService: Live.inferenceService(observedGeneration: observed), predictorDeployment: Live.deployment(),
                deploymentID: "dep-2")
            #expect(status == .ready)
        }
    }

    @Test func notReadyIsvcIsProgressing() {
        let status = ReadinessEvaluator.kserveStandard(
            inferenceService: Live.inferenceService(ready: "False"), predictorDeployment: Live.deployment(), deploymentID: "dep-2")
        #expect(status == .progressing("InferenceService fraud is not Ready (False): PredictorNotReady"))
        let noCondition = ReadinessEvaluator.kserveStandard(
            inferenceService: Live.inferenceService(ready: nil), predictorDeployment: Live.deployment(), deploymentID: "dep-2")
        #expect(noCondition == .progressing("InferenceService fraud has no Ready condition yet"))
    }

    @Test func childNotRolledOutIsProgressingAndDeadlineFails() {
        let waiting = ReadinessEvaluator.kserveStandard(
            inferenceService: Live.inferenceService(), predictorDeployment: Live.deployment(available: 1), deploymentID: "dep-2")
        #expect(waiting == .progressing("InferenceService fraud: Deployment fraud-predictor: 1 of 2 updated replicas are available"))
        let failed = ReadinessEvaluator.kserveStandard(
            inferenceService: Live.inferenceService(), predictorDeployment: Live.deployment(progressingReason: "ProgressDeadlineExceeded"),
            deploymentID: "dep-2")
        #expect(failed.isFailed)
    }

    @Test func missingObjectsAreProgressing() {
        #expect(!ReadinessEvaluator.kserveStandard(inferenceService: nil, predictorDeployment: nil, deploymentID: "d").isReady)
        let status = ReadinessEvaluator.kserveStandard(inferenceService: Live.inferenceService(), predictorDeployment: nil, deploymentID: "d")
        #expect(status == .progressing("InferenceService fraud: predictor Deployment fraud-predictor does not exist yet"))
    }

    @Test func predictorDeploymentNames() {
        #expect(ReadinessEvaluator.predictorDeploymentName(inferenceService: Live.inferenceService()) == "fraud-predictor")
        #expect(ReadinessEvaluator.predictorDeploymentName(inferenceService: Live.inferenceService(predictorName: "blue")) == "fraud-blue-predictor")
    }

    @Test(arguments: [
        ("RawDeployment", KServeDeploymentMode.standard), ("Standard", .standard), ("Serverless", .serverless), ("Knative", .serverless),
    ])
    func deploymentModes(annotation: String, mode: KServeDeploymentMode) {
        #expect(KServeDeploymentMode(inferenceService: Live.inferenceService(mode: annotation)) == mode)
    }
}

@Suite struct KServeServerlessReadinessTests {
    func evaluate(_ isvc: JSONValue, _ revision: JSONValue?) -> RolloutStatus {
        ReadinessEvaluator.kserveServerless(inferenceService: isvc, latestRevision: revision, deploymentID: "dep-2")
    }

    @Test func readyLatestStampedRevisionIsReady() {
        let isvc = Live.inferenceService(mode: "Serverless", created: "fraud-predictor-00002", latestReady: "fraud-predictor-00002")
        #expect(ReadinessEvaluator.serverlessRevisionName(inferenceService: isvc) == "fraud-predictor-00002")
        #expect(evaluate(isvc, Live.revision(name: "fraud-predictor-00002", stamp: "dep-2")) == .ready)
    }

    @Test func staleReadyWithThePreviousRevisionDoesNotCount() {
        // KServe has not created our revision yet: the latest is still the previous rollout's.
        let isvc = Live.inferenceService(mode: "Serverless", created: "fraud-predictor-00001", latestReady: "fraud-predictor-00001")
        let status = evaluate(isvc, Live.revision(name: "fraud-predictor-00001", stamp: "dep-1"))
        #expect(status.description.contains("Revision fraud-predictor-00001 does not carry cairn.dev/deployment-id=dep-2 yet (it has dep-1)"))
    }

    @Test func createdButNotReadyRevisionIsProgressing() {
        let isvc = Live.inferenceService(mode: "Serverless", created: "fraud-predictor-00002", latestReady: "fraud-predictor-00001")
        #expect(
            evaluate(isvc, Live.revision(name: "fraud-predictor-00002", stamp: "dep-2"))
                == .progressing(
                    "InferenceService fraud: latest created revision fraud-predictor-00002 is not ready yet (latest ready: fraud-predictor-00001)"))
    }

    @Test func notReadyIsvcOrUnreadRevisionIsProgressing() {
        let notReady = Live.inferenceService(ready: "Unknown", mode: "Serverless", created: "r2", latestReady: "r2")
        #expect(!evaluate(notReady, Live.revision(name: "r2", stamp: "dep-2")).isReady)
        let ready = Live.inferenceService(mode: "Serverless", created: "r2", latestReady: "r2")
        #expect(evaluate(ready, nil) == .progressing("InferenceService fraud: revision r2 has not been read yet"))
        #expect(!evaluate(Live.inferenceService(mode: "Serverless"), nil).isReady)
    }

    @Test func revisionPastItsDeadlineFails() {
        let isvc = Live.inferenceService(ready: "False", mode: "Serverless", created: "r2", latestReady: "r1")
        #expect(evaluate(isvc, Live.revision(name: "r2", stamp: "dep-2", readyReason: "ProgressDeadlineExceeded")).isFailed)
    }
}
