import CairnCore
import CairnDeploy
import Testing

@Suite struct TargetsFileTests {
    @Test func parsesEveryFieldOfTheKServeExample() throws {
        let file = try exampleTargets()
        #expect(file.targets.map(\.name) == ["prod", "batch"])
        let prod = try #require(file.target(named: "prod"))
        #expect(prod.kind == .kserve)
        #expect(prod.namespace == "ml-prod")
        #expect(prod.cluster == ClusterReference(kubeconfig: "/etc/cairn/kubeconfig", context: "prod"))
        #expect(prod.objectName == "fraud")
        #expect(
            prod.workload
                == .kserve(KServeSettings(deploymentMode: .rawDeployment, modelFormat: "mlflow", runtime: "kserve-mlserver", protocolVersion: .v2)))
        #expect(prod.serviceAccount == "models-s3-reader")
        #expect(prod.resources.requests == ["cpu": Quantity("1")!, "memory": Quantity("2Gi")!])
        #expect(prod.resources.limits == ["nvidia.com/gpu": Quantity("1")!])
        #expect(prod.nodeSelector == ["nvidia.com/gpu.product": "A100"])
        #expect(prod.tolerations.isEmpty)
        #expect(prod.minReplicas == 1 && prod.maxReplicas == 4)
        #expect(prod.storageURIPrefix == "s3://models")
        #expect(prod.aliasOnReady == "production")
        #expect(prod.readyTimeout == .seconds(600))
        #expect(prod.rollbackOnFailure)
        #expect(prod.webhookSecretEnv == "CAIRN_WEBHOOK_SECRET_PROD")
    }

    @Test func parsesEveryFieldOfTheDeploymentExample() throws {
        let batch = try #require(try exampleTargets().target(named: "batch"))
        #expect(batch.kind == .deployment)
        guard case .deployment(let settings) = batch.workload else {
            Issue.record("not a deployment target")
            return
        }
        #expect(settings.image == "registry.local/serve:1.4")
        #expect(settings.storageInitializerImage == "kserve/storage-initializer:v0.20.0")
        #expect(settings.s3CredentialsSecret == "models-s3")
        #expect(settings.s3 == S3Endpoint(endpoint: "minio.minio.svc:9000", useHTTPS: false, region: "us-east-1"))
        #expect(settings.port == 8080)
        #expect(batch.cluster == ClusterReference())
        #expect(batch.objectName == nil)
        #expect(batch.resources.limits == ["nvidia.com/gpu": Quantity("2")!])
        #expect(batch.nodeSelector == ["nvidia.com/gpu.product": "A100", "pool": "gpu"])
        #expect(
            batch.tolerations == [
                Toleration(key: "nvidia.com/gpu", operator: .exists, effect: .noSchedule),
                Toleration(key: "dedicated", operator: .equal, value: "ml", effect: .noExecute, tolerationSeconds: 300),
            ])
        #expect(batch.storageURIPrefix == "s3://models")
        #expect(batch.readyTimeout == .seconds(90))
        #expect(!batch.rollbackOnFailure)
        #expect(batch.webhookSecretEnv == nil && batch.aliasOnReady == nil)
    }

    @Test func defaults() throws {
        let file = try TargetsFile.parse(oneTarget("name: t\nkind: kserve\nnamespace: ns"))
        let target = try #require(file.targets.first)
        #expect(target.workload == .kserve(KServeSettings()))
        #expect(target.minReplicas == 1 && target.maxReplicas == 1)
        #expect(target.readyTimeout == .seconds(600) && target.rollbackOnFailure)
        #expect(target.cluster.kubeconfig == nil && target.storageURIPrefix == nil)
        let serverless = try TargetsFile.parse(oneTarget("name: t\nkind: kserve\nnamespace: ns\ndeployment_mode: Knative\nmin_replicas: 0"))
        #expect(serverless.targets[0].workload == .kserve(KServeSettings(deploymentMode: .serverless)))
        #expect(serverless.targets[0].maxReplicas == 1)
    }

    @Test(arguments: [("90s", 90, "90s"), ("10m", 600, "10m"), ("1h", 3600, "1h"), ("1h30m", 5400, "90m"), ("2m5s", 125, "125s")])
    func durations(text: String, seconds: Int64, formatted: String) throws {
        let file = try TargetsFile.parse(oneTarget("name: t\nkind: kserve\nnamespace: ns\nready_timeout: \(text)"))
        #expect(file.targets[0].readyTimeout == .seconds(seconds))
        #expect(TargetDuration.format(.seconds(seconds)) == formatted)
        #expect(TargetDuration.parse(formatted) == .seconds(seconds))
    }

    @Test func emptyTargetListIsValid() throws {
        #expect(try TargetsFile.parse("targets: []\n").targets.isEmpty)
    }

    @Test func redactedViewHasNoSecretAndEveryOtherField() throws {
        let prod = try #require(try exampleTargets().target(named: "prod"))
        let json = ManifestEncoder.json(prod.redacted)
        #expect(!json.contains("CAIRN_WEBHOOK_SECRET_PROD"))
        #expect(!json.contains("webhook_secret_env"))
        #expect(prod.redacted["webhook_secret_configured"] == .bool(true))
        #expect(
            prod.redacted.keys == [
                "name", "kind", "namespace", "kubeconfig", "context", "object_name", "deployment_mode", "model_format", "runtime",
                "protocol_version", "service_account", "resources", "node_selector", "tolerations", "min_replicas", "max_replicas",
                "storage_uri_prefix", "alias_on_ready", "ready_timeout", "ready_timeout_seconds", "rollback_on_failure",
                "webhook_secret_configured",
            ])
        #expect(prod.redacted["ready_timeout"] == "10m")
        #expect(json.contains(#""resources":{"requests":{"cpu":"1","memory":"2Gi"},"limits":{"nvidia.com/gpu":"1"}}"#))
    }
}
