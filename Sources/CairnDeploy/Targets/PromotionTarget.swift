/// A named place a registered model version can be promoted to: a namespace on a cluster, served
/// either by KServe (an `InferenceService`) or by a plain `Deployment` + `Service`.
///
/// Parsed from the targets file (``TargetsFile``); every field of the file has a property here.
/// > Warning: ``webhookSecretEnv`` names an environment variable holding a secret. It is kept for
/// > the webhook's signature check and is never rendered: ``redacted`` leaves it out.
public struct PromotionTarget: Sendable, Equatable {
    /// The target's name, unique in the file; used in URLs (`/api/cairn/v1/targets/{name}`).
    public var name: String
    /// The Kubernetes namespace objects are applied in.
    public var namespace: String
    /// Which cluster: a kubeconfig file and context, or the in-cluster configuration.
    public var cluster: ClusterReference
    /// The object name to use instead of one derived from the model name (`object_name`).
    public var objectName: String?
    /// The kind of workload and its kind-specific settings.
    public var workload: Workload
    /// `spec.serviceAccountName` of the serving pods (the account that may read the model bucket).
    public var serviceAccount: String?
    /// Resource requests and limits of the serving container (GPUs included).
    public var resources: ResourceRequirements
    /// Node selector of the serving pods.
    public var nodeSelector: [String: String]
    /// Tolerations of the serving pods, in file order.
    public var tolerations: [Toleration]
    /// Minimum replicas.
    public var minReplicas: Int
    /// Maximum replicas; a HorizontalPodAutoscaler is rendered for Deployments when larger than
    /// ``minReplicas``.
    public var maxReplicas: Int
    /// Prefix that turns a path under Cairn's artifact root into a URI the cluster can read, e.g.
    /// `s3://models` (no trailing slash).
    public var storageURIPrefix: String?
    /// Where models served by this target may come from (`allowed_storage_prefixes`, no trailing
    /// slash): a promotion whose storage URI lies outside every one is refused. Empty: any.
    public var allowedStoragePrefixes: [String]
    /// The alias moved to the promoted version once the rollout is ready.
    public var aliasOnReady: String?
    /// How long a promotion may wait for readiness.
    public var readyTimeout: Duration
    /// Whether a failed promotion re-applies the previous deployment.
    public var rollbackOnFailure: Bool
    /// Name of the environment variable holding this target's webhook secret. Never rendered.
    public var webhookSecretEnv: String?

    /// Whether `storageURI` lies under one of ``allowedStoragePrefixes`` (at a `/` boundary, so
    /// `s3://models/prod` does not admit `s3://models/production-copy`); true when none is set.
    /// A URI with `.`, `..` or empty path segments is refused when prefixes are set, so
    /// `s3://models/prod/../other` cannot pass as lying under `s3://models/prod`.
    public func allowsStorage(_ storageURI: String) -> Bool {
        guard !allowedStoragePrefixes.isEmpty else { return true }
        guard let scheme = storageURI.firstRange(of: "://") else { return false }
        let segments = storageURI[scheme.upperBound...].split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else { return false }
        return allowedStoragePrefixes.contains { prefix in storageURI == prefix || storageURI.hasPrefix(prefix + "/") }
    }

    /// The kind of workload a target renders.
    public enum Kind: String, Sendable, CaseIterable {
        /// A KServe `InferenceService`.
        case kserve
        /// A `Deployment` + `Service` (+ `HorizontalPodAutoscaler`).
        case deployment
    }

    /// Kind-specific settings.
    public enum Workload: Sendable, Equatable {
        /// A KServe `InferenceService`.
        case kserve(KServeSettings)
        /// A plain `Deployment` + `Service`.
        case deployment(DeploymentSettings)
    }

    /// The kind of ``workload``.
    public var kind: Kind {
        switch workload {
        case .kserve: .kserve
        case .deployment: .deployment
        }
    }

    /// Creates a target with the file's defaults for everything but name, namespace and workload.
    public init(name: String, namespace: String, workload: Workload) {
        self.name = name
        self.namespace = namespace
        self.cluster = ClusterReference()
        self.objectName = nil
        self.workload = workload
        self.serviceAccount = nil
        self.resources = ResourceRequirements()
        self.nodeSelector = [:]
        self.tolerations = []
        self.minReplicas = 1
        self.maxReplicas = 1
        self.storageURIPrefix = nil
        self.allowedStoragePrefixes = []
        self.aliasOnReady = nil
        self.readyTimeout = .seconds(600)
        self.rollbackOnFailure = true
        self.webhookSecretEnv = nil
    }
}

/// Where a target's cluster is: a kubeconfig (and optional context), or in-cluster when omitted.
public struct ClusterReference: Sendable, Hashable {
    /// Path of the kubeconfig file; `nil` means the in-cluster service account configuration.
    public var kubeconfig: String?
    /// The kubeconfig context; `nil` means its `current-context`.
    public var context: String?

    /// Creates a reference; with no arguments, the in-cluster configuration.
    public init(kubeconfig: String? = nil, context: String? = nil) {
        self.kubeconfig = kubeconfig
        self.context = context
    }
}
