/// How Cairn proves its identity to the API server: a bearer token (literal or from a file that
/// is re-read as it rotates), a client certificate, or an exec credential plugin.
public struct KubeCredentials: Sendable, Hashable {
    /// Where a bearer token comes from.
    public enum BearerToken: Sendable, Hashable {
        /// A token written in the kubeconfig.
        case literal(String)
        /// A file holding the token (`tokenFile`, or a service account's projected token),
        /// re-read periodically and after a 401 because it rotates.
        case file(path: String)
    }

    /// A client certificate and its private key, both PEM.
    public struct ClientCertificate: Sendable, Hashable {
        /// The certificate chain, PEM.
        public var certificatePEM: [UInt8]
        /// The private key, PEM.
        public var privateKeyPEM: [UInt8]

        /// Creates a client certificate from PEM bytes.
        public init(certificatePEM: [UInt8], privateKeyPEM: [UInt8]) {
            self.certificatePEM = certificatePEM
            self.privateKeyPEM = privateKeyPEM
        }
    }

    /// The bearer token, if any.
    public var bearerToken: BearerToken?
    /// The client certificate, if any.
    public var clientCertificate: ClientCertificate?
    /// The exec credential plugin, if any; it supplies a token or a certificate at call time.
    public var exec: ExecCredentialConfig?

    /// Creates credentials; all parts are optional (no parts means anonymous).
    public init(bearerToken: BearerToken? = nil, clientCertificate: ClientCertificate? = nil, exec: ExecCredentialConfig? = nil) {
        self.bearerToken = bearerToken
        self.clientCertificate = clientCertificate
        self.exec = exec
    }

    /// No credentials: anonymous requests.
    public static let anonymous = KubeCredentials()

    /// Whether any credential is configured.
    public var isEmpty: Bool { bearerToken == nil && clientCertificate == nil && exec == nil }
}
