import CairnCore
import Foundation
import Testing

@testable import CairnKube

/// Against the real kube-apiserver of `scripts/lib/kube.sh`.
@Suite(.enabled(if: KubeTestEnvironment.shouldRun, KubeTestEnvironment.skipReason))
struct KubernetesClientIntegrationTests {
    static func configMap(_ name: String, namespace: String, data: [String: String]) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "data": .sortedStrings(data),
        ]
    }

    @Test func applyCreatesThenUpdatesAnObject() async throws {
        let environment = try KubeTestEnvironment.require()
        try await withClient(try environment.client()) { client in
            let namespace = try await environment.makeNamespace(client)
            let created = try await client.apply(Self.configMap("model", namespace: namespace, data: ["version": "1"]))
            #expect(created["data"]?["version"] == "1")
            let managers = created["metadata"]?["managedFields"]?.arrayValue ?? []
            #expect(managers.contains { $0["manager"] == "cairn" && $0["operation"] == "Apply" })

            let updated = try await client.apply(Self.configMap("model", namespace: namespace, data: ["version": "2"]))
            #expect(updated["data"]?["version"] == "2")
            #expect(updated["metadata"]?["uid"] == created["metadata"]?["uid"])
            let live = try #require(try await client.get(apiVersion: "v1", kind: "ConfigMap", namespace: namespace, name: "model"))
            #expect(live["data"]?["version"] == "2")
            #expect(try await client.get(apiVersion: "v1", kind: "ConfigMap", namespace: namespace, name: "absent") == nil)
        }
    }

    @Test func dryRunChangesNothing() async throws {
        let environment = try KubeTestEnvironment.require()
        try await withClient(try environment.client()) { client in
            let namespace = try await environment.makeNamespace(client)
            let wouldBe = try await client.apply(Self.configMap("dry", namespace: namespace, data: ["a": "1"]), dryRun: true)
            #expect(wouldBe["data"]?["a"] == "1")
            #expect(try await client.get(.configMap, namespace: namespace, name: "dry") == nil, "a dry run creates nothing")

            _ = try await client.apply(Self.configMap("dry", namespace: namespace, data: ["a": "1"]))
            let preview = try await client.apply(Self.configMap("dry", namespace: namespace, data: ["a": "2"]), dryRun: true)
            #expect(preview["data"]?["a"] == "2")
            #expect(try await client.get(.configMap, namespace: namespace, name: "dry")?["data"]?["a"] == "1", "a dry run updates nothing")
        }
    }

    @Test func conflictingFieldManagerIsNamedAndForceTakesOver() async throws {
        let environment = try KubeTestEnvironment.require()
        try await withClient(try environment.client()) { client in
            let namespace = try await environment.makeNamespace(client)
            _ = try await client.apply(Self.configMap("shared", namespace: namespace, data: ["replicas": "3"]), fieldManager: "ops-hand-edit")
            let error = await #expect(throws: KubeError.self) {
                try await client.apply(Self.configMap("shared", namespace: namespace, data: ["replicas": "1"]))
            }
            #expect(error?.code == .conflict)
            #expect(error?.httpStatus == 409)
            #expect(error?.conflictingManagers == ["ops-hand-edit"])
            #expect(error?.message.contains("\"ops-hand-edit\"") == true, "\(error?.message ?? "")")
            #expect(error?.message.contains(".data.replicas") == true, "\(error?.message ?? "")")
            let dryConflict = await #expect(throws: KubeError.self) {
                try await client.apply(Self.configMap("shared", namespace: namespace, data: ["replicas": "1"]), dryRun: true)
            }
            #expect(dryConflict?.code == .conflict, "a dry run reports the conflict too")

            let forced = try await client.apply(Self.configMap("shared", namespace: namespace, data: ["replicas": "1"]), force: true)
            #expect(forced["data"]?["replicas"] == "1")
        }
    }

    @Test func limitedTokenGetsTheRBACError() async throws {
        let environment = try KubeTestEnvironment.require()
        let namespace = try await withClient(try environment.client()) { try await environment.makeNamespace($0) }
        try await withClient(try environment.client(token: environment.limitedToken)) { client in
            let error = await #expect(throws: KubeError.self) {
                try await client.apply(Self.configMap("denied", namespace: namespace, data: ["a": "1"]))
            }
            #expect(error?.code == .forbidden)
            #expect(error?.httpStatus == 403)
            #expect(
                error?.message.hasPrefix("RBAC denied: user \"\(environment.limitedUser)\" may not patch configmaps in namespace \"\(namespace)\"")
                    == true,
                "\(error?.message ?? "")")
            let readError = await #expect(throws: KubeError.self) { try await client.get(.configMap, namespace: namespace, name: "denied") }
            #expect(readError?.message.contains("may not get configmaps") == true, "\(readError?.message ?? "")")
        }
    }

    @Test func unknownTokenIsUnauthorized() async throws {
        let environment = try KubeTestEnvironment.require()
        try await withClient(try environment.client(token: "not-a-token")) { client in
            let error = await #expect(throws: KubeError.self) { try await client.get(.configMap, namespace: "default", name: "x") }
            #expect(error?.code == .unauthorized)
        }
    }

    @Test func untrustedServerCertificateIsATLSFailure() async throws {
        let environment = try KubeTestEnvironment.require()
        let config = try KubeConfig(
            server: environment.url, tls: .init(certificateAuthorityPEM: Array(Fixtures.certificatePEM.utf8)),
            credentials: KubeCredentials(bearerToken: .literal(environment.adminToken)))
        try await withClient(try KubernetesClient(config: config)) { client in
            let error = await #expect(throws: KubeError.self) { try await client.get(.configMap, namespace: "default", name: "x") }
            #expect(error?.code == .tlsFailure, "\(String(describing: error))")
        }
    }

    @Test func discoveryOfTheTestServer() async throws {
        let environment = try KubeTestEnvironment.require()
        try await withClient(try environment.client()) { client in
            let resources = try await client.serverResources(listing: ["serving.kserve.io/v1beta1", "autoscaling/v2beta2"])
            #expect(resources.serves("v1") && resources.serves("apps/v1"))
            #expect(resources.serves("autoscaling/v2beta2"))
            #expect(resources.horizontalPodAutoscaler.apiVersion == (resources.serves("autoscaling/v2") ? "autoscaling/v2" : "autoscaling/v2beta2"))
            #expect(resources.serves("serving.kserve.io/v1beta1"), "the KServe CRD is installed by cairn_kube_start")
            #expect(resources.resource(apiVersion: "serving.kserve.io/v1beta1", kind: "InferenceService") == .inferenceService)
            #expect(try await client.resourceList(apiVersion: "example.invalid/v1").isEmpty)
        }
    }

    @Test func kubeconfigFileFromTheScript() async throws {
        let environment = try KubeTestEnvironment.require()
        let path = try #require(environment.kubeconfig, "KUBE_KUBECONFIG is exported by cairn_kube_start")
        let admin = try KubeConfig.load(path: path)
        try await withClient(try KubernetesClient(config: admin)) { client in
            let namespace = try await client.get(.namespace, name: "default")
            #expect(namespace != nil)
        }
        let limited = try KubeConfig.load(path: path, context: "cairn-test-limited")
        try await withClient(try KubernetesClient(config: limited)) { client in
            let error = await #expect(throws: KubeError.self) { try await client.get(.namespace, name: "default") }
            #expect(error?.code == .forbidden)
        }
    }

    @Test func tokenFileAndExecPluginCredentialsReachTheServer() async throws {
        let environment = try KubeTestEnvironment.require()
        let directory = try Fixtures.temporaryDirectory()
        let tokenFile = try Fixtures.write(environment.adminToken, to: "token", in: directory)
        let plugin = try Fixtures.write(
            """
            #!/bin/sh
            printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$CAIRN_TEST_TOKEN"
            """, to: "plugin.sh", in: directory, executable: true)
        let ca = try KubeConfig.readFile(environment.caFile, field: "ca")
        let viaFile = try KubeConfig(
            server: environment.url, tls: .init(certificateAuthorityPEM: ca), credentials: .init(bearerToken: .file(path: tokenFile)))
        let viaExec = try KubeConfig(
            server: environment.url, tls: .init(certificateAuthorityPEM: ca),
            credentials: .init(
                exec: ExecCredentialConfig(command: plugin, environment: [.init(name: "CAIRN_TEST_TOKEN", value: environment.adminToken)])))
        for config in [viaFile, viaExec] {
            try await withClient(try KubernetesClient(config: config)) { client in
                let namespace = try await client.get(.namespace, name: "default")
                #expect(namespace?["metadata"]?["name"] == "default")
            }
        }
    }
}
