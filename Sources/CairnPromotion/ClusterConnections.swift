import CairnCore
import CairnDeploy
import CairnKube
import Logging

/// One Kubernetes client per promotion target (targets on the same kubeconfig and context share
/// it), plus each cluster's discovered APIs, cached for ``discoveryTTL``.
///
/// The clients are created at start-up (``init(targets:environment:logger:)``), so a kubeconfig
/// that cannot be read stops the server with a message naming the target, not the first promotion.
public actor ClusterConnections {
    /// How long a cluster's discovery result is reused before it is read again.
    public static let discoveryTTL: Duration = .seconds(300)

    private let clusters: [ClusterReference: KubernetesClient]
    private let clusterOfTarget: [String: ClusterReference]
    private var discovery: [String: (apis: DiscoveredAPIs, at: ContinuousClock.Instant)] = [:]

    /// Loads every target's cluster configuration.
    /// - Parameters:
    ///   - targets: the targets file.
    ///   - environment: the process environment: for the in-cluster configuration, `~/` paths in
    ///     kubeconfigs, and the environment exec credential plugins start from.
    /// - Throws: 400 `INVALID_PARAMETER_VALUE` naming the target whose kubeconfig or in-cluster
    ///   configuration cannot be used.
    public init(targets: TargetsFile, environment: [String: String], logger: Logger) async throws {
        var byCluster: [ClusterReference: KubernetesClient] = [:]
        var clusterOfTarget: [String: ClusterReference] = [:]
        for target in targets.targets {
            clusterOfTarget[target.name] = target.cluster
            if byCluster[target.cluster] != nil { continue }
            do {
                let config: KubeConfig
                if let path = target.cluster.kubeconfig {
                    config = try KubeConfig.load(path: path, context: target.cluster.context, environment: environment)
                } else {
                    config = try KubeConfig.inCluster(environment: environment)
                }
                byCluster[target.cluster] = try KubernetesClient(config: config, logger: logger)
            } catch {
                for client in byCluster.values { try? await client.shutdown() }
                throw CairnError.invalidParameter("target '\(target.name)': cannot configure its cluster: \(error)")
            }
        }
        self.clusters = byCluster
        self.clusterOfTarget = clusterOfTarget
    }

    /// The client of `target`.
    public func client(target: String) throws(CairnError) -> KubernetesClient {
        guard let cluster = clusterOfTarget[target], let client = clusters[cluster] else {
            throw CairnError.notFound("No promotion target named '\(target)'")
        }
        return client
    }

    /// The APIs `target`'s cluster serves (cached for ``discoveryTTL``).
    /// - Throws: the cluster's failure as a `CairnError` (502/503 when it cannot be reached).
    public func apis(target: String) async throws -> DiscoveredAPIs {
        let now = ContinuousClock.now
        if let cached = discovery[target], now - cached.at < Self.discoveryTTL { return cached.apis }
        let client = try client(target: target)
        do {
            let served = try await client.serverResources()
            let apis = DiscoveredAPIs(groupVersions: served.groupVersions)
            discovery[target] = (apis, now)
            return apis
        } catch let error as KubeError {
            throw error.cairnError
        }
    }

    /// Closes every client.
    public func shutdown() async {
        for client in clusters.values { try? await client.shutdown() }
    }
}
