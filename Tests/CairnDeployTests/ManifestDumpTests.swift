import CairnDeploy
import Foundation
import Testing

/// Renders one manifest set per target shape and, when `CAIRN_MANIFEST_DUMP_DIR` is set, writes
/// each as a YAML stream there: `scripts/test.sh` then validates them with
/// `Tests/deploy/validate_manifests.py` (KServe's CRD schema for InferenceServices,
/// `kubernetes-validate --strict` for built-in kinds).
@Suite struct ManifestDumpTests {
    /// (file name, target in the example file, cluster APIs, edit)
    static let cases: [(String, String, DiscoveredAPIs, @Sendable (inout PromotionTarget) -> Void)] = [
        ("kserve-raw", "prod", .current, { _ in }),
        (
            "kserve-serverless", "prod", .current,
            {
                $0.workload = .kserve(KServeSettings(deploymentMode: .serverless, modelFormat: "sklearn"))
                $0.minReplicas = 0
            }
        ),
        (
            "kserve-minimal", "prod", .current,
            {
                $0.workload = .kserve(KServeSettings())
                $0.resources = ResourceRequirements()
                $0.nodeSelector = [:]
                $0.serviceAccount = nil
            }
        ),
        ("kserve-tolerations", "prod", .current, { $0.tolerations = [Toleration(key: "nvidia.com/gpu", operator: .exists, effect: .noSchedule)] }),
        ("deployment-hpa-v2", "batch", .current, { _ in }),
        ("deployment-hpa-v2beta2", "batch", .kubernetes120, { _ in }),
        (
            "deployment-fixed", "batch", .current,
            {
                $0.maxReplicas = $0.minReplicas
                $0.workload = .deployment(DeploymentSettings(image: "serve:1"))
            }
        ),
    ]

    @Test func renderAndDump() throws {
        let dir = ProcessInfo.processInfo.environment["CAIRN_MANIFEST_DUMP_DIR"].flatMap { $0.isEmpty ? nil : $0 }
        if let dir { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        for (file, targetName, apis, edit) in Self.cases {
            let manifests = try renderExample(targetName, apis: apis, edit: edit)
            let yaml = ManifestEncoder.yamlStream(manifests.map(\.body))
            #expect(yaml.contains("cairn.dev/deployment-id: dep-0001"), "\(file)")
            if let dir { try yaml.write(toFile: dir + "/" + file + ".yaml", atomically: true, encoding: .utf8) }
        }
    }
}
