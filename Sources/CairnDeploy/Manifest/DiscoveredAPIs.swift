/// The API group versions a cluster serves, as its discovery endpoints (`/api`, `/apis`) list
/// them. The renderer picks API versions from it, so one target works on old and new clusters.
public struct DiscoveredAPIs: Sendable, Hashable {
    /// Served group versions, e.g. `apps/v1`, `autoscaling/v2beta2`, `v1`.
    public var groupVersions: Set<String>

    /// Creates a discovery result from served group versions.
    public init(groupVersions: some Sequence<String>) {
        self.groupVersions = Set(groupVersions)
    }

    /// Whether the cluster serves `groupVersion` (e.g. `autoscaling/v2`).
    public func serves(_ groupVersion: String) -> Bool { groupVersions.contains(groupVersion) }

    /// The HorizontalPodAutoscaler API to render: `autoscaling/v2` where served, else
    /// `autoscaling/v2beta2` (Kubernetes before 1.23).
    public var horizontalPodAutoscaler: ResourceType {
        serves("autoscaling/v2") ? .horizontalPodAutoscalerV2 : .horizontalPodAutoscalerV2beta2
    }

    /// A current cluster (Kubernetes 1.26 and later, KServe installed).
    public static let current = DiscoveredAPIs(groupVersions: [
        "v1", "apps/v1", "autoscaling/v1", "autoscaling/v2", "serving.kserve.io/v1beta1",
    ])

    /// A Kubernetes 1.20 cluster with KServe (what the test API server serves).
    public static let kubernetes120 = DiscoveredAPIs(groupVersions: [
        "v1", "apps/v1", "autoscaling/v1", "autoscaling/v2beta1", "autoscaling/v2beta2", "serving.kserve.io/v1beta1",
    ])
}
