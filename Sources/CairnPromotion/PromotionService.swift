import CairnCore
import CairnDeploy
import CairnKube
import CairnStore
import CoreMetrics
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Puts registered model versions on promotion targets, one rule set for the API, the CI webhook
/// and the CLI.
///
/// A promotion is checked and rendered while the caller waits (unknown model, version, alias or
/// target, an unresolvable source, an object-name collision, and anything the cluster's dry run
/// rejects are refused before the ledger or the cluster is touched), then recorded in the ledger
/// under the target's lock and carried out in the background by ``run()``: apply → wait until
/// ready → move `alias_on_ready` → `ready`, or `failed` / `rolled_back` (see
/// ``PromotionStateMachine``). In-flight promotions hold a lease that ``run()`` renews; a replica
/// that finds a lease abandoned (its replica died) takes the promotion over and finishes it.
public final class PromotionService: Service {
    public let configuration: PromotionConfiguration
    let registry: any RegistryStore
    let tracking: any TrackingStore
    public let ledger: DeploymentStore
    public let clusters: ClusterConnections
    let logger: Logger
    let jobs: AsyncStream<PromotionJob>
    let submit: AsyncStream<PromotionJob>.Continuation
    /// Finished once the database is migrated: ``run()`` waits for it before sweeping the ledger.
    let ready: AsyncStream<Void>
    let readyContinuation: AsyncStream<Void>.Continuation
    /// The promotions this replica is carrying out, so its own sweep never adopts one of them.
    let running = Mutex<Set<String>>([])
    /// Where finished promotions are counted and timed.
    let metrics: any MetricsFactory

    public init(
        configuration: PromotionConfiguration, registry: any RegistryStore, tracking: any TrackingStore, ledger: DeploymentStore,
        clusters: ClusterConnections, metrics: any MetricsFactory = NOOPMetricsHandler.instance, logger: Logger
    ) {
        self.configuration = configuration
        self.registry = registry
        self.tracking = tracking
        self.ledger = ledger
        self.clusters = clusters
        self.metrics = metrics
        self.logger = logger
        for outcome in Self.outcomes {  // present at zero from the start, for alert rules
            _ = Counter(label: "cairn_promotions_total", dimensions: [("outcome", outcome)], factory: metrics)
        }
        (jobs, submit) = AsyncStream.makeStream(of: PromotionJob.self)
        (ready, readyContinuation) = AsyncStream.makeStream(of: Void.self)
    }

    /// Tells the service the database schema is in place (call after migrating); until then
    /// ``run()`` neither sweeps for abandoned promotions nor runs any.
    public func databaseIsReady() {
        readyContinuation.finish()
    }

    /// The declared targets, in file order.
    public var targets: [PromotionTarget] { configuration.targets.targets }

    /// The target called `name`.
    /// - Throws: 404 `RESOURCE_DOES_NOT_EXIST`.
    public func target(named name: String) throws(CairnError) -> PromotionTarget {
        guard let target = configuration.targets.target(named: name) else {
            throw CairnError.notFound("No promotion target named '\(name)'")
        }
        return target
    }

    /// What a promotion request turned into.
    public enum Outcome: Sendable {
        /// Recorded and under way; poll the deployment for its status.
        case started(Deployment)
        /// A dry run: nothing was applied or recorded.
        case dryRun(DryRunReport)
    }

    /// Checks, renders and (unless a dry run) records and starts a promotion on behalf of `actor`.
    /// - Throws: 403 when `actor` may not promote to the target; 404 for an unknown model, version, alias or target; 400 for a source that cannot
    ///   be turned into a storage URI or manifests the cluster rejects; 409 when another promotion
    ///   holds the target or another model already uses the object name; 502/503 when the
    ///   cluster cannot be reached.
    public func promote(_ request: PromotionRequest, by actor: Principal) async throws -> Outcome {
        try Self.checkMayPromote(actor, to: request.target)
        let target = try target(named: request.target)
        let version: ModelVersion
        switch request.selector {
        case .version(let number): version = try await registry.modelVersion(name: request.model, version: number)
        case .alias(let alias): version = try await registry.modelVersion(name: request.model, alias: alias)
        }
        let resolution = await StorageURIResolver(locations: TrackingArtifactLocations(store: tracking)).resolve(
            source: version.source, storageLocation: version.storageLocation.isEmpty ? nil : version.storageLocation,
            prefix: target.storageURIPrefix)
        if let other = KubernetesNames.collision(
            model: version.name, target: target, deployedModels: try await ledger.deployedModels(target: target.name))
        {
            let name = KubernetesNames.objectName(forModel: version.name, on: target)
            throw CairnError(
                .resourceConflict,
                "Model '\(version.name)' would be deployed as '\(name)' on target '\(target.name)', which model '\(other)' already uses; set object_name on a separate target or rename the model"
            )
        }
        if let storageURI = resolution.storageURI, !target.allowsStorage(storageURI) {
            throw CairnError.invalidParameter(
                "Cannot promote '\(version.name)' version \(version.version) to target '\(target.name)': its storage URI '\(storageURI)' lies outside the target's allowed_storage_prefixes (\(target.allowedStoragePrefixes.joined(separator: ", ")))"
            )
        }
        if request.dryRun {
            return .dryRun(try await dryRun(version: version, target: target, resolution: resolution))
        }
        guard let storageURI = resolution.storageURI else {
            throw CairnError.invalidParameter(
                "Cannot promote '\(version.name)' version \(version.version): \(resolution.warning ?? "no storage URI")")
        }
        if case .alias(let alias) = request.selector {
            // Before the target is locked: a failure here must not leave a pending promotion.
            try await ledger.recordPromotionAlias(model: version.name, alias: alias, target: target.name)
        }
        let id = Deployment.newID()
        let manifests = try await renderAndValidate(version: version, storageURI: storageURI, target: target, deploymentID: id).manifests
        let deployment = try await ledger.begin(
            model: version.name, version: version.version, target: target.name, manifest: Self.ledgerText(manifests), actor: actor, id: id)
        logger.info(
            "promotion started",
            metadata: ["deployment": "\(id)", "model": "\(version.name)", "version": "\(version.version)", "target": "\(target.name)"])
        enqueue(deployment, manifests: manifests, target: target)
        return .started(deployment)
    }

    /// Checks that `actor` may move `alias` of `model`: an alias a target promotes by (its
    /// `alias_on_ready`, or an alias a promotion to it was requested by) decides what the
    /// target serves next, so only a principal that may promote to every such target (an admin
    /// or a write token allowed them; anyone when authentication is off) may set or delete it.
    /// - Throws: 403 `PERMISSION_DENIED` naming the target.
    public func checkMayMoveAlias(model: String, alias: String, by actor: Principal) async throws {
        guard !actor.mayPromoteEverywhere else { return }
        var targets = configuration.targets.targets.filter { $0.aliasOnReady == alias }.map(\.name)
        targets += try await ledger.targetsPromoted(model: model, alias: alias).filter { configuration.targets.target(named: $0) != nil }
        for target in targets where !actor.mayPromote(to: target) {
            throw CairnError(
                .permissionDenied,
                "\(actor.displayName) may not move alias '\(alias)' of model '\(model)': target '\(target)' promotes by it, so it needs an admin token or a write token allowed that target"
            )
        }
    }

    /// Checks that `actor` may promote to (or roll back) `target`: an admin token, a write token
    /// whose allowed targets include it, the webhook signed for it, or anyone when
    /// authentication is off.
    /// - Throws: 403 `PERMISSION_DENIED`.
    public static func checkMayPromote(_ actor: Principal, to target: String) throws(CairnError) {
        guard actor.mayPromote(to: target) else {
            throw CairnError(
                .permissionDenied,
                "\(actor.displayName) may not promote to target '\(target)': promotions need an admin token or a write token allowed that target")
        }
    }

    /// Re-applies the deployment that served on `target` before the current one, as a new ledger
    /// entry that goes through the whole flow (apply, readiness, alias), on behalf of `actor`.
    /// - Throws: 403 when `actor` may not promote to the target; 404 for an unknown target or when there is no earlier ready deployment; 409 while
    ///   another promotion holds the target.
    public func rollback(target name: String, by actor: Principal) async throws -> Deployment {
        try Self.checkMayPromote(actor, to: name)
        let target = try target(named: name)
        guard let current = try await ledger.latestReady(target: target.name) else {
            throw CairnError.notFound("Nothing has been deployed to target '\(target.name)' yet: there is nothing to roll back")
        }
        guard let previousID = current.previousDeploymentID, let previous = try? await ledger.deployment(id: previousID),
            !previous.manifest.isEmpty
        else {
            throw CairnError.notFound(
                "Target '\(target.name)' has no ready deployment before \(current.id) (\(current.model) version \(current.version)) to roll back to")
        }
        let id = Deployment.newID()
        // The earlier manifests, restamped with the new deployment's id so readiness proves the
        // re-applied objects rolled out (ids are random, so the text replacement is exact).
        let text = previous.manifest.replacingOccurrences(of: previous.id, with: id)
        let manifests = try Self.parseLedgerText(text)
        let deployment = try await ledger.begin(
            model: previous.model, version: previous.version, target: target.name, manifest: text,
            message: "rollback from \(current.id) (version \(current.version)) to \(previous.id) (version \(previous.version))", actor: actor,
            id: id)
        logger.info("rollback started", metadata: ["deployment": "\(id)", "target": "\(target.name)", "to": "\(previous.id)"])
        enqueue(deployment, manifests: manifests, target: target)
        return deployment
    }

    /// One ledger entry.
    public func deployment(id: String) async throws -> Deployment { try await ledger.deployment(id: id) }

    /// Ledger entries, newest first.
    public func deployments(target: String?, model: String?, limit: Int) async throws -> [Deployment] {
        try await ledger.deployments(target: target, model: model, limit: limit)
    }

    // MARK: rendering

    private func dryRun(version: ModelVersion, target: PromotionTarget, resolution: StorageURIResolution) async throws -> DryRunReport {
        var warnings: [String] = []
        if let warning = resolution.warning { warnings.append(warning) }
        // Without a resolvable URI the manifests are still rendered and checked, with the source itself.
        let storageURI = resolution.storageURI ?? version.source
        let checked = try await renderAndValidate(version: version, storageURI: storageURI, target: target, deploymentID: Deployment.newID())
        return DryRunReport(
            model: version.name, version: version.version, target: target.name, storageURI: storageURI, manifests: checked.manifests,
            serverResults: checked.serverResults, warnings: warnings)
    }

    /// Renders for the cluster's APIs and sends each object through the server's dry run
    /// (validation, admission, field-manager conflicts) without persisting anything.
    private func renderAndValidate(
        version: ModelVersion, storageURI: String, target: PromotionTarget, deploymentID: String
    ) async throws -> (manifests: [JSONValue], serverResults: [JSONValue]) {
        let apis = try await clusters.apis(target: target.name)
        let rendered = try ManifestRenderer(apis: apis).render(
            model: version.name, version: version.version, storageURI: storageURI, target: target, deploymentID: deploymentID)
        let manifests = rendered.map(\.body)
        let client = try await clusters.client(target: target.name)
        var results: [JSONValue] = []
        for manifest in manifests {
            do {
                results.append(try await client.apply(manifest, dryRun: true))
            } catch let error as KubeError {
                throw error.cairnError
            }
        }
        return (manifests, results)
    }

    /// The ledger's `manifest` column: a JSON array of the applied objects, keys sorted
    /// (``JSONValue/jsonString``), as the column has always been written.
    static func ledgerText(_ manifests: [JSONValue]) -> String {
        JSONValue.array(manifests).jsonString
    }

    /// The applied objects back from the ledger's `manifest` column.
    /// - Throws: `CairnError` `INTERNAL_ERROR` when the text is not a JSON array.
    static func parseLedgerText(_ text: String) throws -> [JSONValue] {
        guard let manifests = try? JSONValue(parsing: text).arrayValue else {
            throw CairnError(.internalError, "the ledger's manifest is not a JSON array")
        }
        return manifests
    }
}
