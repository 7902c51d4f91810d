/// A Kubernetes resource type as the REST API addresses it: group, version, plural and kind,
/// and whether objects live in a namespace.
public struct KubeResource: Sendable, Hashable, CustomStringConvertible {
    /// The API group; empty for the core group.
    public var group: String
    /// The version within the group, e.g. `v1beta1`.
    public var version: String
    /// The lowercase plural used in paths, e.g. `inferenceservices`.
    public var plural: String
    /// The kind, e.g. `InferenceService`.
    public var kind: String
    /// Whether objects are namespaced.
    public var namespaced: Bool

    /// Creates a resource type.
    public init(group: String, version: String, plural: String, kind: String, namespaced: Bool = true) {
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
    }

    /// Creates a resource type from an `apiVersion` value (`v1`, `apps/v1`).
    public init(apiVersion: String, plural: String, kind: String, namespaced: Bool = true) {
        let (group, version) = Self.split(apiVersion: apiVersion)
        self.init(group: group, version: version, plural: plural, kind: kind, namespaced: namespaced)
    }

    /// `group/version`, or `version` for the core group.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    public var description: String { "\(apiVersion) \(kind)" }

    /// The group-version prefix: `/api/v1` or `/apis/GROUP/VERSION`.
    public var groupVersionPath: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }

    /// The path of the collection, e.g. `/apis/apps/v1/namespaces/ml/deployments`.
    /// - Parameter namespace: required for namespaced resources, ignored otherwise.
    /// - Throws: ``KubeError/Code/invalidManifest`` when a namespaced resource has no namespace or a
    ///   segment is not a valid name.
    public func collectionPath(namespace: String?) throws -> String {
        guard namespaced else { return "\(groupVersionPath)/\(plural)" }
        guard let namespace, !namespace.isEmpty else {
            throw KubeError(.invalidManifest, "\(kind) is namespaced, but no namespace was given")
        }
        try Self.checkSegment(namespace, what: "namespace")
        return "\(groupVersionPath)/namespaces/\(namespace)/\(plural)"
    }

    /// The path of one object, e.g. `/api/v1/namespaces/ml/services/fraud`.
    /// - Throws: ``KubeError/Code/invalidManifest`` as ``collectionPath(namespace:)``, or for a bad name.
    public func path(namespace: String?, name: String) throws -> String {
        try Self.checkSegment(name, what: "\(kind) name")
        return "\(try collectionPath(namespace: namespace))/\(name)"
    }

    /// Splits `apps/v1` into (`apps`, `v1`) and `v1` into (``, `v1`).
    public static func split(apiVersion: String) -> (group: String, version: String) {
        guard let slash = apiVersion.lastIndex(of: "/") else { return ("", apiVersion) }
        return (String(apiVersion[..<slash]), String(apiVersion[apiVersion.index(after: slash)...]))
    }

    /// Object names and namespaces are DNS subdomains: lowercase letters, digits, `-` and `.`,
    /// at most 253 characters. Anything else would change the path, so it is refused.
    static func checkSegment(_ value: String, what: String) throws {
        let allowed = value.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x2E
        }
        guard !value.isEmpty, value.utf8.count <= 253, allowed, value != ".", value != ".." else {
            throw KubeError(.invalidManifest, "\(what) \"\(value)\" is not a valid Kubernetes name")
        }
    }
}

extension KubeResource {
    /// KServe's `serving.kserve.io/v1beta1` `InferenceService`.
    public static let inferenceService = KubeResource(
        group: "serving.kserve.io", version: "v1beta1", plural: "inferenceservices", kind: "InferenceService")
    /// `apps/v1` `Deployment`.
    public static let deployment = KubeResource(group: "apps", version: "v1", plural: "deployments", kind: "Deployment")
    /// Core `v1` `Service`.
    public static let service = KubeResource(group: "", version: "v1", plural: "services", kind: "Service")
    /// Core `v1` `ConfigMap`.
    public static let configMap = KubeResource(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap")
    /// Core `v1` `Namespace` (cluster-scoped).
    public static let namespace = KubeResource(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)
    /// `autoscaling/v2` `HorizontalPodAutoscaler`.
    public static let horizontalPodAutoscalerV2 = KubeResource(
        group: "autoscaling", version: "v2", plural: "horizontalpodautoscalers", kind: "HorizontalPodAutoscaler")
    /// `autoscaling/v2beta2` `HorizontalPodAutoscaler` (Kubernetes 1.12 to 1.25).
    public static let horizontalPodAutoscalerV2beta2 = KubeResource(
        group: "autoscaling", version: "v2beta2", plural: "horizontalpodautoscalers", kind: "HorizontalPodAutoscaler")
    /// Knative's `serving.knative.dev/v1` `Revision` (KServe Serverless readiness).
    public static let knativeRevision = KubeResource(group: "serving.knative.dev", version: "v1", plural: "revisions", kind: "Revision")

    /// The kinds Cairn uses, by kind; the version comes from the object's `apiVersion`.
    static let knownKinds: [String: (plural: String, namespaced: Bool)] = [
        "InferenceService": ("inferenceservices", true), "Deployment": ("deployments", true), "Service": ("services", true),
        "HorizontalPodAutoscaler": ("horizontalpodautoscalers", true), "ConfigMap": ("configmaps", true),
        "Secret": ("secrets", true), "ServiceAccount": ("serviceaccounts", true), "Namespace": ("namespaces", false),
        "Revision": ("revisions", true), "Pod": ("pods", true), "Event": ("events", true),
        "Role": ("roles", true), "RoleBinding": ("rolebindings", true), "ClusterRole": ("clusterroles", false),
        "ClusterRoleBinding": ("clusterrolebindings", false),
        "CustomResourceDefinition": ("customresourcedefinitions", false),
        "ServingRuntime": ("servingruntimes", true), "ClusterServingRuntime": ("clusterservingruntimes", false),
    ]

    /// The resource for a kind Cairn knows (``knownKinds``) at the given `apiVersion`, without
    /// asking the server. Other kinds need discovery (``ServerResources/resource(apiVersion:kind:)``).
    public static func known(apiVersion: String, kind: String) -> KubeResource? {
        guard let entry = knownKinds[kind] else { return nil }
        return KubeResource(apiVersion: apiVersion, plural: entry.plural, kind: kind, namespaced: entry.namespaced)
    }
}
