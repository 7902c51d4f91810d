/// A Kubernetes resource type: API group, version, kind and the plural used in URLs.
public struct ResourceType: Sendable, Hashable, CustomStringConvertible {
    /// The API group; empty for the core group (`v1`).
    public var group: String
    /// The API version within the group, e.g. `v1beta1`.
    public var version: String
    /// The kind, e.g. `InferenceService`.
    public var kind: String
    /// The lowercase plural used in REST paths, e.g. `inferenceservices`.
    public var plural: String

    /// Creates a resource type.
    public init(group: String, version: String, kind: String, plural: String) {
        self.group = group
        self.version = version
        self.kind = kind
        self.plural = plural
    }

    /// The `apiVersion` field value: `group/version`, or `version` for the core group.
    public var apiVersion: String { group.isEmpty ? version : group + "/" + version }

    /// The REST path of a namespaced object of this type, e.g.
    /// `/apis/apps/v1/namespaces/ml-prod/deployments/fraud`. Names and namespaces rendered by Cairn
    /// are DNS labels, so no escaping is needed.
    public func path(namespace: String, name: String) -> String {
        let base = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        return "\(base)/namespaces/\(namespace)/\(plural)/\(name)"
    }

    public var description: String { "\(apiVersion) \(kind)" }

    /// KServe's `serving.kserve.io/v1beta1` `InferenceService`.
    public static let inferenceService = ResourceType(
        group: "serving.kserve.io", version: "v1beta1", kind: "InferenceService", plural: "inferenceservices")
    /// `apps/v1` `Deployment`.
    public static let deployment = ResourceType(group: "apps", version: "v1", kind: "Deployment", plural: "deployments")
    /// Core `v1` `Service`.
    public static let service = ResourceType(group: "", version: "v1", kind: "Service", plural: "services")
    /// `autoscaling/v2` `HorizontalPodAutoscaler` (Kubernetes 1.23 and later).
    public static let horizontalPodAutoscalerV2 = ResourceType(
        group: "autoscaling", version: "v2", kind: "HorizontalPodAutoscaler", plural: "horizontalpodautoscalers")
    /// `autoscaling/v2beta2` `HorizontalPodAutoscaler` (Kubernetes 1.12 to 1.25).
    public static let horizontalPodAutoscalerV2beta2 = ResourceType(
        group: "autoscaling", version: "v2beta2", kind: "HorizontalPodAutoscaler", plural: "horizontalpodautoscalers")
}
