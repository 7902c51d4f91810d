import CairnCore
import Foundation
import Testing

@testable import CairnKube

/// The real kube-apiserver started by `scripts/lib/kube.sh` (`cairn_kube_start`), from the
/// variables it exports. Without them the integration tests are skipped locally and fail in CI
/// (`CI=true`): a missing service is a failure there, not a skip.
struct KubeTestEnvironment: Sendable {
    let url: String
    let caFile: String
    let adminToken: String
    let limitedToken: String
    let limitedUser: String
    let kubeconfig: String?

    static let current: KubeTestEnvironment? = {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["KUBE_API_URL"], !url.isEmpty, let ca = environment["KUBE_CA_FILE"],
            let admin = environment["KUBE_ADMIN_TOKEN"], let limited = environment["KUBE_LIMITED_TOKEN"]
        else { return nil }
        return KubeTestEnvironment(
            url: url, caFile: ca, adminToken: admin, limitedToken: limited,
            limitedUser: environment["KUBE_LIMITED_USER"] ?? "cairn-limited", kubeconfig: environment["KUBE_KUBECONFIG"])
    }()

    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// Run when the API server is configured, and always in CI (where its absence fails).
    static let shouldRun = current != nil || isCI

    static let skipReason: Comment =
        "no kube-apiserver: source scripts/lib/kube.sh and run cairn_kube_start (exports KUBE_API_URL, KUBE_CA_FILE, KUBE_ADMIN_TOKEN, KUBE_LIMITED_TOKEN)"

    /// The environment, or a recorded failure naming what is missing.
    static func require() throws -> KubeTestEnvironment {
        try #require(
            current,
            "CI=true but no kube-apiserver is configured: KUBE_API_URL, KUBE_CA_FILE, KUBE_ADMIN_TOKEN and KUBE_LIMITED_TOKEN must be set by scripts/lib/kube.sh"
        )
    }

    func config(token: String? = nil, namespace: String = "default") throws -> KubeConfig {
        try KubeConfig(
            server: url, namespace: namespace,
            tls: .init(certificateAuthorityPEM: try KubeConfig.readFile(caFile, field: "KUBE_CA_FILE")),
            credentials: KubeCredentials(bearerToken: .literal(token ?? adminToken)))
    }

    func client(token: String? = nil, namespace: String = "default") throws -> KubernetesClient {
        var configuration = KubernetesClient.Configuration()
        configuration.requestTimeout = .seconds(20)
        return try KubernetesClient(config: config(token: token, namespace: namespace), configuration: configuration)
    }

    /// A new namespace for one test (never deleted: the test server runs no namespace controller,
    /// and the whole server is thrown away after the run).
    func makeNamespace(_ client: KubernetesClient) async throws -> String {
        let name = "cairn-kube-" + UUID().uuidString.lowercased().prefix(8)
        _ = try await client.apply(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(String(name))]], force: true)
        return String(name)
    }
}

/// Runs `body` with a client and shuts the client down afterwards, even when `body` throws.
func withClient<T>(_ client: KubernetesClient, _ body: (KubernetesClient) async throws -> T) async throws -> T {
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}
