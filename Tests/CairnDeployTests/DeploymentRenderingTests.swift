import CairnCore
import CairnDeploy
import Testing

@Suite struct DeploymentRenderingTests {
    @Test func deploymentServiceAndAutoscaler() throws {
        let manifests = try renderExample("batch")
        #expect(manifests.map(\.type.kind) == ["Deployment", "Service", "HorizontalPodAutoscaler"])
        #expect(manifests.allSatisfy { $0.name == "fraud-detector" && $0.namespace == "ml-batch" })
        #expect(
            manifests.map(\.path) == [
                "/apis/apps/v1/namespaces/ml-batch/deployments/fraud-detector",
                "/api/v1/namespaces/ml-batch/services/fraud-detector",
                "/apis/autoscaling/v2/namespaces/ml-batch/horizontalpodautoscalers/fraud-detector",
            ])
    }

    @Test func storageInitializerDownloadsIntoTheSharedEmptyDir() throws {
        let deployment = try renderExample("batch")[0]
        let pod = try #require(deployment.body[path: ["spec", "template", "spec"]])
        let initContainer = try #require(pod["initContainers"]?.arrayValue?.first)
        #expect(initContainer["name"] == "storage-initializer" && initContainer["image"] == "kserve/storage-initializer:v0.20.0")
        #expect(initContainer["args"] == .array(["s3://models/1/abc/artifacts/model", "/mnt/models"]))
        #expect(initContainer["envFrom"] == .array([.object([.init("secretRef", .object([.init("name", "models-s3")]))])]))
        let env = try #require(initContainer["env"]?.arrayValue).map { ($0["name"]?.stringValue ?? "", $0["value"]?.stringValue ?? "") }
        #expect(env.map { $0.0 } == ["S3_ENDPOINT", "AWS_ENDPOINT_URL", "S3_USE_HTTPS", "AWS_DEFAULT_REGION"])
        #expect(env.map { $0.1 } == ["minio.minio.svc:9000", "http://minio.minio.svc:9000", "0", "us-east-1"])
        #expect(initContainer["volumeMounts"] == .array([.object([.init("name", "models"), .init("mountPath", "/mnt/models")])]))
        let server = try #require(pod["containers"]?.arrayValue?.first)
        #expect(server["image"] == "registry.local/serve:1.4")
        #expect(server["env"]?.arrayValue?.first == .object([.init("name", "MODEL_URI"), .init("value", "/mnt/models")]))
        #expect(server["volumeMounts"] == .array([.object([.init("name", "models"), .init("mountPath", "/mnt/models"), .init("readOnly", true)])]))
        #expect(pod["volumes"] == .array([.object([.init("name", "models"), .init("emptyDir", .object([]))])]))
        #expect(pod["serviceAccountName"] == "models-s3-reader")
    }

    @Test func withoutSecretOrEndpointTheInitContainerHasNoEnvironment() throws {
        let deployment = try renderExample("batch") {
            $0.workload = .deployment(DeploymentSettings(image: "serve:1"))
        }[0]
        let initContainer = try #require(deployment.body[path: ["spec", "template", "spec", "initContainers"]]?.arrayValue?.first)
        #expect(initContainer["envFrom"] == nil && initContainer["env"] == nil)
    }

    @Test func stampsOnEveryObjectAndThePodTemplate() throws {
        for manifest in try renderExample("batch") {
            let labels = try #require(manifest.body[path: ["metadata", "labels"]]).stringMap
            #expect(labels["cairn.dev/model"] == "Fraud-Detector" && labels["cairn.dev/version"] == "7", "\(manifest.type)")
            #expect(manifest.body[path: ["metadata", "annotations"]]?.stringMap["cairn.dev/deployment-id"] == "dep-0001", "\(manifest.type)")
        }
        let template = try #require(try renderExample("batch")[0].body[path: ["spec", "template", "metadata"]])
        #expect(template["annotations"]?.stringMap["cairn.dev/deployment-id"] == "dep-0001")
        #expect(
            template["labels"]?.stringMap == [
                "app.kubernetes.io/name": "fraud-detector", "cairn.dev/model": "Fraud-Detector", "cairn.dev/version": "7",
            ])
    }

    @Test func selectorDependsOnTheObjectNameOnly() throws {
        let first = try renderExample("batch", version: 1)
        let second = try renderExample("batch", version: 2)
        #expect(first[0].body[path: ["spec", "selector"]] == second[0].body[path: ["spec", "selector"]])
        #expect(first[1].body[path: ["spec", "selector"]] == .object([.init("app.kubernetes.io/name", "fraud-detector")]))
    }

    @Test func hpaAPIVersionFollowsDiscovery() throws {
        #expect(try renderExample("batch", apis: .current)[2].body["apiVersion"] == "autoscaling/v2")
        #expect(try renderExample("batch", apis: .kubernetes120)[2].body["apiVersion"] == "autoscaling/v2beta2")
        #expect(try renderExample("batch", apis: DiscoveredAPIs(groupVersions: ["v1", "apps/v1"]))[2].type == .horizontalPodAutoscalerV2beta2)
        let hpa = try renderExample("batch")[2].body
        #expect(
            hpa[path: ["spec", "scaleTargetRef"]]
                == .object([.init("apiVersion", "apps/v1"), .init("kind", "Deployment"), .init("name", "fraud-detector")]))
        #expect(hpa[path: ["spec", "minReplicas"]] == 2 && hpa[path: ["spec", "maxReplicas"]] == 5)
    }

    @Test func replicasBelongToTheAutoscalerWhenThereIsOne() throws {
        #expect(try renderExample("batch")[0].body[path: ["spec", "replicas"]] == nil)
        let fixed = try renderExample("batch") { $0.maxReplicas = 2 }
        #expect(fixed.map(\.type.kind) == ["Deployment", "Service"])
        #expect(fixed[0].body[path: ["spec", "replicas"]] == 2)
    }

    @Test func gpuLimitsNodeSelectorsAndTolerationsPassThrough() throws {
        let pod = try #require(try renderExample("batch")[0].body[path: ["spec", "template", "spec"]])
        #expect(pod[path: ["containers"]]?.arrayValue?.first?[path: ["resources", "limits"]] == .object([.init("nvidia.com/gpu", "2")]))
        #expect(pod["nodeSelector"]?.stringMap == ["nvidia.com/gpu.product": "A100", "pool": "gpu"])
        let tolerations = try #require(pod["tolerations"]?.arrayValue)
        #expect(tolerations.count == 2)
        #expect(
            tolerations[1]
                == .object([
                    .init("key", "dedicated"), .init("operator", "Equal"), .init("value", "ml"), .init("effect", "NoExecute"),
                    .init("tolerationSeconds", 300),
                ]))
    }

    @Test func serviceExposesTheServingPort() throws {
        let service = try renderExample("batch") { $0.workload = .deployment(DeploymentSettings(image: "serve:1", port: 9000)) }[1]
        #expect(
            service.body[path: ["spec", "ports"]]
                == .array([.object([.init("name", "http"), .init("port", 80), .init("targetPort", "http"), .init("protocol", "TCP")])]))
        let deployment = try renderExample("batch") { $0.workload = .deployment(DeploymentSettings(image: "serve:1", port: 9000)) }[0]
        #expect(
            deployment.body[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["ports"]?.arrayValue?.first?["containerPort"]
                == 9000)
    }
}
