import CairnCore
import Foundation
import Testing

@testable import CairnKube

@Suite struct ExecCredentialTests {
    static let v1 = "client.authentication.k8s.io/v1"

    @Test func parsesATokenAndItsExpiration() throws {
        let credential = try ExecCredential.parse(
            Array(
                #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"k8s-aws-v1.abc","expirationTimestamp":"2030-01-02T03:04:05Z"}}"#
                    .utf8),
            expectedAPIVersion: Self.v1)
        #expect(credential.token == "k8s-aws-v1.abc")
        #expect(credential.expiration == Date(timeIntervalSince1970: 1_893_553_445))
    }

    @Test func parsesAClientCertificate() throws {
        let status: JSONValue = [
            "apiVersion": .string(Self.v1), "kind": "ExecCredential",
            "status": ["clientCertificateData": .string(Fixtures.certificatePEM), "clientKeyData": .string(Fixtures.keyPEM)],
        ]
        let credential = try ExecCredential.parse(Array(status.jsonString.utf8), expectedAPIVersion: Self.v1)
        #expect(credential.token == nil)
        #expect(credential.clientCertificate?.certificatePEM == Array(Fixtures.certificatePEM.utf8))
        #expect(credential.expiration == nil)
    }

    @Test(arguments: [
        ("not json", "not JSON"),
        (#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"Pod"}"#, "not an ExecCredential"),
        (
            #"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"t"}}"#,
            "asked for \"client.authentication.k8s.io/v1\""
        ),
        (#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential"}"#, "has no status"),
        (#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}}"#, "neither status.token nor"),
        (
            #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"x"}}"#,
            "without status.clientKeyData"
        ),
        (
            #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t","expirationTimestamp":"tomorrow"}}"#,
            "not RFC 3339"
        ),
    ])
    func rejectsBadOutput(output: String, expected: String) {
        let error = #expect(throws: KubeError.self) { try ExecCredential.parse(Array(output.utf8), expectedAPIVersion: Self.v1) }
        #expect(error?.code == .credentialPlugin)
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
    }

    /// A plugin script that counts its runs in `runs`, records KUBERNETES_EXEC_INFO in `info`, and
    /// prints a token made of $PLUGIN_VALUE and the run number, expiring at `expiration`.
    static func plugin(expiration: String, body: String? = nil) throws -> (ExecCredentialConfig, String) {
        let directory = try Fixtures.temporaryDirectory()
        let script =
            body ?? """
                #!/bin/sh
                n=$(($(cat "\(directory)/runs" 2>/dev/null || echo 0) + 1))
                echo $n > "\(directory)/runs"
                printf '%s' "$KUBERNETES_EXEC_INFO" > "\(directory)/info"
                printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"%s-%s","expirationTimestamp":"\(expiration)"}}' \
                  "client.authentication.k8s.io/v1" "$PLUGIN_VALUE" "$n"
                """
        let path = try Fixtures.write(script, to: "plugin.sh", in: directory, executable: true)
        let config = ExecCredentialConfig(
            command: path, arguments: [], environment: [.init(name: "PLUGIN_VALUE", value: "tok")], provideClusterInfo: true,
            installHint: "install the plugin")
        return (config, directory)
    }

    static func provider(_ exec: ExecCredentialConfig, timeout: Duration = .seconds(20)) throws -> CredentialProvider {
        let config = try KubeConfig(
            server: "https://k.example:6443", tls: .init(certificateAuthorityPEM: Array(Fixtures.certificatePEM.utf8)),
            credentials: KubeCredentials(exec: exec))
        return CredentialProvider(config: config, tokenFileRefreshInterval: .seconds(60), execTimeout: timeout)
    }

    @Test func runsThePluginAndCachesUntilExpiry() async throws {
        let (exec, directory) = try Self.plugin(expiration: "2999-01-01T00:00:00Z")
        let provider = try Self.provider(exec)
        #expect(try await provider.current().bearerToken == "tok-1")
        #expect(try await provider.current().bearerToken == "tok-1", "cached: not expired")
        await provider.invalidate()
        #expect(try await provider.current().bearerToken == "tok-2", "re-run after a 401")

        let info = try JSONValue(parsing: try String(contentsOfFile: directory + "/info", encoding: .utf8))
        #expect(info["kind"] == "ExecCredential")
        #expect(info["spec"]?["interactive"] == false)
        #expect(info["spec"]?["cluster"]?["server"] == "https://k.example:6443")
        #expect(info["spec"]?["cluster"]?["certificate-authority-data"]?.stringValue == Fixtures.certificateBase64)
    }

    @Test func thePluginStartsFromThePassedEnvironmentNotTheProcesses() async throws {
        var (exec, _) = try Self.plugin(expiration: "2999-01-01T00:00:00Z")
        exec.environment = []
        exec.inheritedEnvironment = ["PLUGIN_VALUE": "inherited"]
        #expect(try await Self.provider(exec).current().bearerToken == "inherited-1")
        exec.environment = [.init(name: "PLUGIN_VALUE", value: "own")]
        #expect(try await Self.provider(exec).current().bearerToken == "own-2", "the kubeconfig's env entries win")
    }

    @Test func aKubeconfigResolvesHomeFromThePassedEnvironment() throws {
        let yaml = """
            apiVersion: v1
            kind: Config
            current-context: c
            clusters: [{name: k, cluster: {server: "https://k.example:6443", certificate-authority: ~/ca.pem}}]
            contexts: [{name: c, context: {cluster: k}}]
            """
        let directory = try Fixtures.temporaryDirectory()
        _ = try Fixtures.write(Fixtures.certificatePEM, to: "ca.pem", in: directory)
        let config = try KubeConfig.parse(yaml: yaml, directory: "/elsewhere", environment: ["HOME": directory])
        #expect(config.server == "https://k.example:6443")
    }

    @Test func expiredCredentialIsFetchedAgain() async throws {
        let (exec, _) = try Self.plugin(expiration: "2000-01-01T00:00:00Z")
        let provider = try Self.provider(exec)
        #expect(try await provider.current().bearerToken == "tok-1")
        #expect(try await provider.current().bearerToken == "tok-2")
    }

    @Test func failingPluginQuotesItsErrorAndTheInstallHint() async throws {
        let (exec, _) = try Self.plugin(expiration: "", body: "#!/bin/sh\necho 'no SSO session' >&2\nexit 3\n")
        let provider = try Self.provider(exec)
        let error = await #expect(throws: KubeError.self) { try await provider.current() }
        #expect(error?.code == .credentialPlugin)
        #expect(error?.message.contains("exited with status 3: no SSO session") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("install the plugin") == true)
    }

    @Test func missingCommandIsAClearError() async throws {
        let provider = try Self.provider(ExecCredentialConfig(command: "cairn-no-such-plugin"))
        let error = await #expect(throws: KubeError.self) { try await provider.current() }
        #expect(error?.code == .credentialPlugin)
        #expect(error?.message.contains("cairn-no-such-plugin") == true)
    }

    @Test func hangingPluginTimesOut() async throws {
        let (exec, _) = try Self.plugin(expiration: "", body: "#!/bin/sh\nsleep 30\n")
        let provider = try Self.provider(exec, timeout: .milliseconds(500))
        let start = ContinuousClock.now
        let error = await #expect(throws: KubeError.self) { try await provider.current() }
        #expect(error?.message.contains("did not finish within") == true, "\(error?.message ?? "")")
        #expect(ContinuousClock.now - start < .seconds(20))  // the plugin sleeps 30 s; CI can be slow
    }
}
