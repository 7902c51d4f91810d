import Foundation
import Testing

@testable import CairnKube

@Suite struct KubeConfigTests {
    /// A kubeconfig with one cluster and the given user body (YAML flow mapping).
    static func kubeconfig(user: String, cluster: String? = nil, namespace: String = "ml-prod") -> String {
        """
        apiVersion: v1
        kind: Config
        clusters:
          - name: prod
            cluster: \(cluster ?? "{server: \"https://10.0.0.1:6443/\", certificate-authority-data: \"\(Fixtures.certificateBase64)\"}")
        users:
          - name: cairn
            user: \(user)
        contexts:
          - name: prod
            context: {cluster: prod, user: cairn, namespace: \(namespace)}
          - name: other
            context: {cluster: prod}
        current-context: prod
        """
    }

    @Test func tokenUserWithCertificateAuthorityData() throws {
        let config = try KubeConfig.parse(yaml: Self.kubeconfig(user: "{token: abc.def}"))
        #expect(config.server == "https://10.0.0.1:6443")
        #expect(config.namespace == "ml-prod")
        #expect(config.contextName == "prod")
        #expect(config.credentials.bearerToken == .literal("abc.def"))
        #expect(config.tls.certificateAuthorityPEM == Array(Fixtures.certificatePEM.utf8))
        #expect(!config.tls.insecureSkipVerify)
    }

    @Test func numericLookingTokenStaysText() throws {
        let config = try KubeConfig.parse(yaml: Self.kubeconfig(user: "{token: 0012345}"))
        #expect(config.credentials.bearerToken == .literal("0012345"))
    }

    @Test func namedContextOverridesCurrentContext() throws {
        let config = try KubeConfig.parse(yaml: Self.kubeconfig(user: "{token: t}"), context: "other")
        #expect(config.contextName == "other")
        #expect(config.namespace == "default")
        #expect(config.credentials.isEmpty)
    }

    @Test func tokenFileAndCertificateAuthorityFileResolveAgainstTheKubeconfigDirectory() throws {
        let directory = try Fixtures.temporaryDirectory()
        try Fixtures.write("file-token\n", to: "token", in: directory)
        try Fixtures.write(Fixtures.certificatePEM, to: "ca.crt", in: directory)
        let path = try Fixtures.write(
            Self.kubeconfig(user: "{tokenFile: token}", cluster: "{server: \"https://k:443\", certificate-authority: ca.crt}"),
            to: "config", in: directory)
        let config = try KubeConfig.load(path: path)
        #expect(config.credentials.bearerToken == .file(path: directory + "/token"))
        #expect(config.tls.certificateAuthorityPEM == Array(Fixtures.certificatePEM.utf8))
    }

    @Test func clientCertificateDataAndFiles() throws {
        let inline = try KubeConfig.parse(
            yaml: Self.kubeconfig(user: "{client-certificate-data: \(Fixtures.certificateBase64), client-key-data: \(Fixtures.keyBase64)}"))
        #expect(inline.credentials.clientCertificate?.certificatePEM == Array(Fixtures.certificatePEM.utf8))
        #expect(inline.credentials.clientCertificate?.privateKeyPEM == Array(Fixtures.keyPEM.utf8))

        let directory = try Fixtures.temporaryDirectory()
        try Fixtures.write(Fixtures.certificatePEM, to: "client.crt", in: directory)
        try Fixtures.write(Fixtures.keyPEM, to: "client.key", in: directory)
        let files = try KubeConfig.parse(
            yaml: Self.kubeconfig(user: "{client-certificate: client.crt, client-key: client.key}"), directory: directory)
        #expect(files.credentials.clientCertificate == inline.credentials.clientCertificate)
    }

    @Test func execPlugin() throws {
        let user = """
            {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws, args: [eks, get-token, --cluster-name, prod], \
            env: [{name: AWS_PROFILE, value: ml}], interactiveMode: Never, provideClusterInfo: true, installHint: "install the AWS CLI"}}
            """
        let config = try KubeConfig.parse(yaml: Self.kubeconfig(user: user))
        let exec = try #require(config.credentials.exec)
        #expect(exec.apiVersion == "client.authentication.k8s.io/v1beta1")
        #expect(exec.command == "aws")
        #expect(exec.arguments == ["eks", "get-token", "--cluster-name", "prod"])
        #expect(exec.environment == [.init(name: "AWS_PROFILE", value: "ml")])
        #expect(exec.provideClusterInfo)
        #expect(exec.installHint == "install the AWS CLI")
    }

    @Test func insecureSkipVerify() throws {
        let config = try KubeConfig.parse(
            yaml: Self.kubeconfig(user: "{token: t}", cluster: "{server: \"https://k\", insecure-skip-tls-verify: true}"))
        #expect(config.tls.insecureSkipVerify)
        #expect(config.tls.certificateAuthorityPEM == nil)
    }

    @Test func mergedFilesFirstDefinitionWins() throws {
        let directory = try Fixtures.temporaryDirectory()
        let first = try Fixtures.write(
            """
            users: [{name: cairn, user: {token: first}}]
            current-context: prod
            """, to: "a", in: directory)
        let second = try Fixtures.write(Self.kubeconfig(user: "{token: second}"), to: "b", in: directory)
        let config = try KubeConfig.load(paths: [first, directory + "/missing", second])
        #expect(config.credentials.bearerToken == .literal("first"))
        #expect(config.server == "https://10.0.0.1:6443")
    }

    static let invalidCases: [(String, String)] = [
        (
            kubeconfig(user: "{token: t}", cluster: "{certificate-authority-data: \(Fixtures.certificateBase64)}"),
            "clusters[\"prod\"].cluster.server is missing"
        ),
        (kubeconfig(user: "{token: t}", cluster: "{server: \"ftp://k\"}"), "clusters[\"prod\"].cluster.server is not an http(s) URL"),
        (
            kubeconfig(user: "{token: t}", cluster: "{server: \"https://k\", certificate-authority-data: \"!!\"}"),
            "certificate-authority-data is not valid base64"
        ),
        (kubeconfig(user: "{token: t}", cluster: "{server: \"https://k\", certificate-authority-data: \"aGVsbG8=\"}"), "certificate-authority"),
        (
            kubeconfig(user: "{token: t}", cluster: "{server: \"https://k\", certificate-authority: /nonexistent/ca.crt}"),
            "cannot read file /nonexistent/ca.crt"
        ),
        (
            kubeconfig(user: "{token: t}", cluster: "{server: \"https://k\", insecure-skip-tls-verify: maybe}"),
            "insecure-skip-tls-verify must be true or false"
        ),
        (kubeconfig(user: "{tokenFile: /nonexistent/token}"), "users[\"cairn\"].user.tokenFile: cannot read file"),
        (kubeconfig(user: "{client-certificate-data: \(Fixtures.certificateBase64)}"), "has client-certificate but no client-key"),
        (kubeconfig(user: "{client-key-data: \(Fixtures.keyBase64)}"), "has client-key but no client-certificate"),
        (
            kubeconfig(user: "{client-certificate-data: \(Fixtures.certificateBase64), client-key-data: aGVsbG8=}"),
            "client-key is not a PEM private key"
        ),
        (kubeconfig(user: "{exec: {command: aws}}"), "users[\"cairn\"].user.exec.apiVersion is missing"),
        (kubeconfig(user: "{exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: aws}}"), "is not supported"),
        (kubeconfig(user: "{exec: {apiVersion: client.authentication.k8s.io/v1}}"), "exec.command is missing"),
        (kubeconfig(user: "{exec: {apiVersion: client.authentication.k8s.io/v1, command: x, interactiveMode: Always}}"), "without a terminal"),
        (kubeconfig(user: "{token: t, exec: {apiVersion: client.authentication.k8s.io/v1, command: x}}"), "token and exec cannot both be set"),
        (kubeconfig(user: "{auth-provider: {name: gcp}}"), "auth-provider is not supported"),
        (kubeconfig(user: "{username: a, password: b}"), "basic auth"),
        ("kind: Config\nclusters: []\ncontexts: []\n", "current-context is not set"),
        ("kind: Pod\n", "kind is \"Pod\""),
        ("clusters: {a: b}\n", "clusters must be a list"),
        ("- a\n- b\n", "top level must be a mapping"),
        ("a: [\n", "not valid YAML"),
    ]

    @Test(arguments: invalidCases)
    func invalidKubeconfigNamesTheField(yaml: String, expected: String) {
        let error = #expect(throws: KubeError.self) { try KubeConfig.parse(yaml: yaml) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "no error") should contain \(expected)")
    }

    @Test func unknownContextListsTheKnownOnes() {
        let error = #expect(throws: KubeError.self) { try KubeConfig.parse(yaml: Self.kubeconfig(user: "{token: t}"), context: "staging") }
        #expect(error?.message == "context \"staging\" not found in kubeconfig (contexts: other, prod)")
    }

    @Test func contextNamingAMissingUser() {
        let yaml = """
            clusters: [{name: c, cluster: {server: "https://k"}}]
            contexts: [{name: x, context: {cluster: c, user: ghost}}]
            current-context: x
            """
        let error = #expect(throws: KubeError.self) { try KubeConfig.parse(yaml: yaml) }
        #expect(error?.message == "contexts[\"x\"].context.user names \"ghost\", which is not in users")
    }
}
