import CairnCore
import CairnDeploy
import Testing

@Suite struct KServeRenderingTests {
    @Test func oneInferenceServiceWithPredictorModel() throws {
        let manifests = try renderExample("prod")
        #expect(manifests.count == 1)
        let isvc = manifests[0]
        #expect(isvc.type == .inferenceService)
        #expect(isvc.name == "fraud" && isvc.namespace == "ml-prod")
        #expect(isvc.path == "/apis/serving.kserve.io/v1beta1/namespaces/ml-prod/inferenceservices/fraud")
        #expect(isvc.body.keys == ["apiVersion", "kind", "metadata", "spec"])
        #expect(isvc.body["apiVersion"] == "serving.kserve.io/v1beta1" && isvc.body["kind"] == "InferenceService")
        let predictor = try #require(isvc.body[path: ["spec", "predictor"]])
        #expect(predictor.keys == ["labels", "annotations", "serviceAccountName", "nodeSelector", "minReplicas", "maxReplicas", "model"])
        let model = try #require(predictor["model"])
        #expect(model["modelFormat"] == .object([.init("name", "mlflow")]))
        #expect(model["runtime"] == "kserve-mlserver" && model["protocolVersion"] == "v2")
        #expect(model["storageUri"] == "s3://models/1/abc/artifacts/model")
        #expect(predictor["minReplicas"] == 1 && predictor["maxReplicas"] == 4 && predictor["serviceAccountName"] == "models-s3-reader")
    }

    @Test func neverTheLegacyFrameworkKeys() throws {
        let predictor = try #require(try renderExample("prod")[0].body[path: ["spec", "predictor"]])
        for legacy in ["sklearn", "xgboost", "tensorflow", "pytorch", "triton", "onnx", "pmml", "lightgbm", "paddle", "huggingface"] {
            #expect(predictor[legacy] == nil)
        }
    }

    @Test(arguments: [(KServeSettings.DeploymentMode.rawDeployment, "RawDeployment"), (.serverless, "Serverless")])
    func deploymentModeAnnotationIsAlwaysSet(mode: KServeSettings.DeploymentMode, text: String) throws {
        let isvc = try renderExample("prod") { $0.workload = .kserve(KServeSettings(deploymentMode: mode)) }[0]
        #expect(isvc.body[path: ["metadata", "annotations"]]?.stringMap["serving.kserve.io/deploymentMode"] == text)
        // Defaults: no runtime and no protocol version are written when the target gives none.
        #expect(isvc.body[path: ["spec", "predictor", "model"]]?.keys == ["modelFormat", "storageUri", "resources"])
    }

    @Test func stampsOnTheObjectAndInPredictorAnnotations() throws {
        let isvc = try renderExample("prod")[0]
        let labels = try #require(isvc.body[path: ["metadata", "labels"]]).stringMap
        #expect(labels["cairn.dev/model"] == "Fraud-Detector" && labels["cairn.dev/version"] == "7" && labels["cairn.dev/target"] == "prod")
        #expect(labels["app.kubernetes.io/managed-by"] == "cairn")
        let annotations = try #require(isvc.body[path: ["metadata", "annotations"]]).stringMap
        #expect(annotations["cairn.dev/deployment-id"] == "dep-0001" && annotations["cairn.dev/model-name"] == "Fraud Detector")
        let predictorAnnotations = try #require(isvc.body[path: ["spec", "predictor", "annotations"]]).stringMap
        #expect(predictorAnnotations["cairn.dev/deployment-id"] == "dep-0001")
        let predictorLabels = try #require(isvc.body[path: ["spec", "predictor", "labels"]]).stringMap
        #expect(predictorLabels == ["cairn.dev/model": "Fraud-Detector", "cairn.dev/version": "7"])
    }

    @Test func fullModelNameOnlyInAnnotations() throws {
        let model = "team/Fraud Detector (EU) ✓"
        let isvc = try renderExample("prod", model: model) { $0.objectName = nil }[0]
        #expect(isvc.name == "team-fraud-detector-eu")
        let labels = try #require(isvc.body[path: ["metadata", "labels"]]).stringMap
        #expect(labels["cairn.dev/model"] == "team-Fraud-Detector--EU")
        #expect(labels.values.allSatisfy(KubernetesNames.isLabelValue))
        #expect(isvc.body[path: ["metadata", "annotations"]]?.stringMap["cairn.dev/model-name"] == model)
    }

    @Test func gpuLimitsNodeSelectorsAndTolerationsPassThrough() throws {
        let tolerations = [Toleration(key: "nvidia.com/gpu", operator: .exists, effect: .noSchedule)]
        let predictor = try #require(try renderExample("prod") { $0.tolerations = tolerations }[0].body[path: ["spec", "predictor"]])
        #expect(predictor[path: ["model", "resources", "limits"]] == .object([.init("nvidia.com/gpu", "1")]))
        #expect(predictor[path: ["model", "resources", "requests"]]?.stringMap == ["cpu": "1", "memory": "2Gi"])
        #expect(predictor["nodeSelector"]?.stringMap == ["nvidia.com/gpu.product": "A100"])
        #expect(
            predictor["tolerations"]
                == .array([.object([.init("key", "nvidia.com/gpu"), .init("operator", "Exists"), .init("effect", "NoSchedule")])]))
    }

    @Test func renderingIsDeterministic() throws {
        #expect(try renderExample("prod").map(\.json) == (try renderExample("prod")).map(\.json))
    }

    @Test func refusesIncompleteInput() throws {
        let target = try #require(try exampleTargets().target(named: "prod"))
        let renderer = ManifestRenderer()
        #expect(throws: CairnError.self) { try renderer.render(model: "m", version: 1, storageURI: "", target: target, deploymentID: "d") }
        #expect(throws: CairnError.self) { try renderer.render(model: "m", version: 0, storageURI: "s3://x", target: target, deploymentID: "d") }
        #expect(throws: CairnError.self) { try renderer.render(model: "m", version: 1, storageURI: "s3://x", target: target, deploymentID: "") }
        #expect(throws: CairnError.self) { try renderer.render(model: "", version: 1, storageURI: "s3://x", target: target, deploymentID: "d") }
    }
}
