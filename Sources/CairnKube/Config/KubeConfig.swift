import Foundation

/// Where a Kubernetes API server is and how to talk to it: the server URL, TLS trust, credentials
/// and the default namespace.
///
/// Made from a kubeconfig file (``load(path:context:)``, ``load(paths:context:)``,
/// ``parse(yaml:directory:context:)``) or from a pod's service account (``inCluster(environment:serviceAccountDirectory:)``).
/// Libraries do not read the environment themselves: the executable passes it in.
public struct KubeConfig: Sendable, Hashable {
    /// TLS settings for the API server connection.
    public struct TLS: Sendable, Hashable {
        /// PEM certificates to trust instead of the system roots (`certificate-authority(-data)`,
        /// the service account's `ca.crt`); `nil` trusts the system roots.
        public var certificateAuthorityPEM: [UInt8]?
        /// `insecure-skip-tls-verify`: do not verify the server's certificate.
        /// > Warning: anyone on the path can then read Cairn's token. Tests and labs only.
        public var insecureSkipVerify: Bool
        /// `tls-server-name`: the name to verify the server certificate against instead of the URL's host.
        public var serverName: String?

        /// Creates TLS settings.
        public init(certificateAuthorityPEM: [UInt8]? = nil, insecureSkipVerify: Bool = false, serverName: String? = nil) {
            self.certificateAuthorityPEM = certificateAuthorityPEM
            self.insecureSkipVerify = insecureSkipVerify
            self.serverName = serverName
        }
    }

    /// The API server's base URL, e.g. `https://10.0.0.1:6443` (no trailing slash).
    public var server: String
    /// The namespace of the context (or the service account), `default` when none is set.
    public var namespace: String
    /// TLS trust.
    public var tls: TLS
    /// Credentials.
    public var credentials: KubeCredentials
    /// The kubeconfig context this came from (`nil` for in-cluster or hand-made configurations).
    public var contextName: String?

    /// Creates a configuration.
    /// - Throws: ``KubeError/Code/invalidConfiguration`` when `server` is not an `http(s)://` URL.
    public init(
        server: String, namespace: String = "default", tls: TLS = TLS(), credentials: KubeCredentials = .anonymous,
        contextName: String? = nil
    ) throws {
        self.server = try Self.normalizedServer(server, field: "server")
        self.namespace = namespace.isEmpty ? "default" : namespace
        self.tls = tls
        self.credentials = credentials
        self.contextName = contextName
    }

    /// Whether the server URL uses TLS.
    public var usesTLS: Bool { server.lowercased().hasPrefix("https://") }

    /// The default location of a pod's service account files.
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The configuration of a pod running inside the cluster, as client-go's `InClusterConfig`:
    /// `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`, the service account's `ca.crt`,
    /// its `token` (a file credential: re-read as the kubelet rotates it) and its `namespace`.
    /// - Parameters:
    ///   - environment: the process environment (the executable passes the one its configuration reader holds).
    ///   - serviceAccountDirectory: where the service account files are mounted.
    /// - Throws: ``KubeError/Code/invalidConfiguration`` naming the missing variable or file.
    public static func inCluster(
        environment: [String: String], serviceAccountDirectory: String = KubeConfig.serviceAccountDirectory
    ) throws -> KubeConfig {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty else {
            throw KubeError.invalidConfiguration("not running in a cluster: KUBERNETES_SERVICE_HOST is not set")
        }
        guard let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty else {
            throw KubeError.invalidConfiguration("not running in a cluster: KUBERNETES_SERVICE_PORT is not set")
        }
        guard let portNumber = Int(port), (1...65535).contains(portNumber) else {
            throw KubeError.invalidConfiguration("KUBERNETES_SERVICE_PORT is not a port number: \(port)")
        }
        let directory = serviceAccountDirectory.hasSuffix("/") ? String(serviceAccountDirectory.dropLast()) : serviceAccountDirectory
        let tokenPath = directory + "/token"
        guard FileManager.default.isReadableFile(atPath: tokenPath) else {
            throw KubeError.invalidConfiguration("in-cluster service account token \(tokenPath) is missing or unreadable")
        }
        let ca = try readFile(directory + "/ca.crt", field: "in-cluster certificate authority")
        try validateCertificates(ca, field: directory + "/ca.crt")
        var namespace = "default"
        if let bytes = try? readFile(directory + "/namespace", field: "namespace") {
            let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { namespace = text }
        }
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return try KubeConfig(
            server: "https://\(hostPart):\(portNumber)", namespace: namespace,
            tls: TLS(certificateAuthorityPEM: ca), credentials: KubeCredentials(bearerToken: .file(path: tokenPath)))
    }

    static func normalizedServer(_ server: String, field: String) throws -> String {
        var value = server.trimmingCharacters(in: .whitespaces)
        while value.hasSuffix("/") { value.removeLast() }
        let lower = value.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://"),
            let components = URLComponents(string: value), let host = components.host, !host.isEmpty
        else {
            throw KubeError.invalidConfiguration("\(field) is not an http(s) URL: \"\(server)\"")
        }
        return value
    }

    static func readFile(_ path: String, field: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeError.invalidConfiguration("\(field): cannot read file \(path)")
        }
        return Array(data)
    }
}
