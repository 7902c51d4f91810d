import CairnCore

/// What a cluster serves, from its discovery endpoints (`/api`, `/apis` and each group version's
/// resource list): used to choose API versions (`autoscaling/v2` where served, else
/// `autoscaling/v2beta2`) and to map kinds Cairn does not know to their plural.
public struct ServerResources: Sendable, Hashable {
    /// Served group versions, e.g. `v1`, `apps/v1`, `autoscaling/v2beta2`.
    public var groupVersions: Set<String>
    /// The server's preferred version per group (`""` for the core group).
    public var preferredVersions: [String: String]
    /// The resources of each group version that was listed (subresources such as `pods/status` left out).
    public var resources: [String: [KubeResource]]

    /// Creates a discovery result.
    public init(groupVersions: Set<String>, preferredVersions: [String: String] = [:], resources: [String: [KubeResource]] = [:]) {
        self.groupVersions = groupVersions
        self.preferredVersions = preferredVersions
        self.resources = resources
    }

    /// Whether the cluster serves `groupVersion` (e.g. `autoscaling/v2`).
    public func serves(_ groupVersion: String) -> Bool { groupVersions.contains(groupVersion) }

    /// The first of `candidates` (in order of preference) that the cluster serves.
    public func firstServed(_ candidates: [String]) -> String? { candidates.first(where: serves) }

    /// The HorizontalPodAutoscaler API to use: `autoscaling/v2` where served, else `autoscaling/v2beta2`.
    public var horizontalPodAutoscaler: KubeResource {
        serves("autoscaling/v2") ? .horizontalPodAutoscalerV2 : .horizontalPodAutoscalerV2beta2
    }

    /// The resource of `kind` in `apiVersion`, from the listed resources, else from the kinds Cairn knows.
    public func resource(apiVersion: String, kind: String) -> KubeResource? {
        resources[apiVersion]?.first { $0.kind == kind } ?? KubeResource.known(apiVersion: apiVersion, kind: kind)
    }

    /// Reads `/api` (an `APIVersions`) and `/apis` (an `APIGroupList`).
    /// - Throws: ``KubeError/Code/invalidResponse`` when they are not discovery documents.
    static func parse(coreVersions: JSONValue, groups: JSONValue) throws -> ServerResources {
        guard let versions = coreVersions["versions"]?.arrayValue, let groupList = groups["groups"]?.arrayValue else {
            throw KubeError(.invalidResponse, "the API server's discovery documents (/api, /apis) have no versions or groups")
        }
        var served = Set(versions.compactMap(\.stringValue))
        var preferred: [String: String] = [:]
        if let first = versions.first?.stringValue { preferred[""] = first }
        for group in groupList {
            guard let name = group["name"]?.stringValue else { continue }
            for version in group["versions"]?.arrayValue ?? [] {
                if let groupVersion = version["groupVersion"]?.stringValue { served.insert(groupVersion) }
            }
            if let version = group["preferredVersion"]?["version"]?.stringValue { preferred[name] = version }
        }
        return ServerResources(groupVersions: served, preferredVersions: preferred)
    }

    /// Reads one group version's `APIResourceList`.
    static func parseResourceList(_ list: JSONValue, apiVersion: String) -> [KubeResource] {
        (list["resources"]?.arrayValue ?? []).compactMap { entry in
            guard let name = entry["name"]?.stringValue, !name.contains("/"), let kind = entry["kind"]?.stringValue else { return nil }
            return KubeResource(apiVersion: apiVersion, plural: name, kind: kind, namespaced: entry["namespaced"]?.boolValue ?? true)
        }
    }
}
