/// A kubeconfig `users[].user.exec` entry: a command that prints an `ExecCredential` (EKS'
/// `aws eks get-token`, GKE's `gke-gcloud-auth-plugin`, `kubelogin`).
public struct ExecCredentialConfig: Sendable, Hashable {
    /// `client.authentication.k8s.io/v1` or `client.authentication.k8s.io/v1beta1`.
    public var apiVersion: String
    /// The command; a relative path containing `/` is resolved against the kubeconfig's directory,
    /// a bare name is looked up in `PATH`.
    public var command: String
    /// Arguments passed to the command.
    public var arguments: [String]
    /// Extra environment variables for the command, in order.
    public var environment: [EnvironmentVariable]
    /// `Never`, `IfAvailable` or `Always`. Cairn has no terminal, so `Always` is refused.
    public var interactiveMode: String?
    /// Whether `KUBERNETES_EXEC_INFO` carries the cluster (server, CA).
    public var provideClusterInfo: Bool
    /// Shown when the command cannot be run (`installHint`).
    public var installHint: String?
    /// The environment the command starts from, before ``environment`` is added: the server's
    /// own (`PATH`, `HOME`, cloud credentials), passed in by the executable, never read here.
    public var inheritedEnvironment: [String: String]

    /// One `env` entry.
    public struct EnvironmentVariable: Sendable, Hashable {
        /// The variable name.
        public var name: String
        /// The value.
        public var value: String

        /// Creates an environment variable.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The two `ExecCredential` API versions Cairn understands.
    public static let supportedAPIVersions = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]

    /// Creates an exec plugin configuration.
    public init(
        apiVersion: String = "client.authentication.k8s.io/v1", command: String, arguments: [String] = [],
        environment: [EnvironmentVariable] = [], interactiveMode: String? = nil, provideClusterInfo: Bool = false,
        installHint: String? = nil, inheritedEnvironment: [String: String] = [:]
    ) {
        self.apiVersion = apiVersion
        self.command = command
        self.arguments = arguments
        self.environment = environment
        self.interactiveMode = interactiveMode
        self.provideClusterInfo = provideClusterInfo
        self.installHint = installHint
        self.inheritedEnvironment = inheritedEnvironment
    }
}
