import Foundation
import Testing

@testable import CairnKube

@Suite struct InClusterConfigTests {
    static func serviceAccount(namespace: String? = "ml-prod", ca: String? = Fixtures.certificatePEM) throws -> String {
        let directory = try Fixtures.temporaryDirectory()
        try Fixtures.write("sa-token-1\n", to: "token", in: directory)
        if let ca { try Fixtures.write(ca, to: "ca.crt", in: directory) }
        if let namespace { try Fixtures.write(namespace, to: "namespace", in: directory) }
        return directory
    }

    @Test func readsTheServiceAccount() throws {
        let directory = try Self.serviceAccount()
        let config = try KubeConfig.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"], serviceAccountDirectory: directory)
        #expect(config.server == "https://10.0.0.1:443")
        #expect(config.namespace == "ml-prod")
        #expect(config.credentials.bearerToken == .file(path: directory + "/token"))
        #expect(config.tls.certificateAuthorityPEM == Array(Fixtures.certificatePEM.utf8))
    }

    @Test func bracketsAnIPv6Host() throws {
        let config = try KubeConfig.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "6443"],
            serviceAccountDirectory: try Self.serviceAccount(namespace: nil))
        #expect(config.server == "https://[fd00::1]:6443")
        #expect(config.namespace == "default")
        #expect(config.host == "fd00::1")
    }

    @Test(arguments: [
        ([String: String](), "KUBERNETES_SERVICE_HOST is not set"),
        (["KUBERNETES_SERVICE_HOST": "10.0.0.1"], "KUBERNETES_SERVICE_PORT is not set"),
        (["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "https"], "not a port number"),
    ])
    func missingEnvironment(environment: [String: String], expected: String) throws {
        let directory = try Self.serviceAccount()
        let error = #expect(throws: KubeError.self) { try KubeConfig.inCluster(environment: environment, serviceAccountDirectory: directory) }
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
    }

    @Test func missingFilesAreNamed() throws {
        let environment = ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"]
        let noCA = try Self.serviceAccount(ca: nil)
        let error = #expect(throws: KubeError.self) { try KubeConfig.inCluster(environment: environment, serviceAccountDirectory: noCA) }
        #expect(error?.message.contains("\(noCA)/ca.crt") == true)
        let empty = try Fixtures.temporaryDirectory()
        let tokenError = #expect(throws: KubeError.self) { try KubeConfig.inCluster(environment: environment, serviceAccountDirectory: empty) }
        #expect(tokenError?.message.contains("\(empty)/token") == true)
    }

    @Test func rotatedTokenIsReadAgainAfterTheRefreshInterval() async throws {
        let directory = try Self.serviceAccount()
        let config = try KubeConfig.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"], serviceAccountDirectory: directory)
        let provider = CredentialProvider(config: config, tokenFileRefreshInterval: .milliseconds(200), execTimeout: .seconds(5))
        #expect(try await provider.current().bearerToken == "sa-token-1")
        try Fixtures.write("sa-token-2\n", to: "token", in: directory)
        #expect(try await provider.current().bearerToken == "sa-token-1", "cached within the interval")
        try await Task.sleep(for: .milliseconds(250))
        #expect(try await provider.current().bearerToken == "sa-token-2", "re-read after the interval")
        try Fixtures.write("sa-token-3\n", to: "token", in: directory)
        await provider.invalidate()
        #expect(try await provider.current().bearerToken == "sa-token-3", "re-read at once after a 401")
    }
}
