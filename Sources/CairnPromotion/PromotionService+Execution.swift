import CairnCore
import CairnDeploy
import CairnKube
import CairnStore
import CoreMetrics
import Logging
import ServiceLifecycle
import Synchronization

/// A promotion recorded in the ledger and waiting to be carried out.
struct PromotionJob: Sendable {
    var deployment: Deployment
    var manifests: [JSONValue]
    var target: PromotionTarget
    /// Taken over from a replica that stopped: resume rather than start.
    var resumed: Bool
}

/// A rollout that failed or did not become ready in time.
struct RolloutFailure: Error, CustomStringConvertible {
    let description: String
}

extension PromotionService {
    func enqueue(_ deployment: Deployment, manifests: [JSONValue], target: PromotionTarget, resumed: Bool = false) {
        submit.yield(PromotionJob(deployment: deployment, manifests: manifests, target: target, resumed: resumed))
    }

    /// Carries out submitted promotions and takes over abandoned ones until graceful shutdown.
    /// On shutdown, promotions still running give up their leases (they stay locked and
    /// unfinished in the ledger) so the next replica to start resumes them at once.
    public func run() async throws {
        for await _ in ready.cancelOnGracefulShutdown() {}
        guard !Task.isShuttingDownGracefully, !Task.isCancelled else {
            await clusters.shutdown()
            return
        }
        await withDiscardingTaskGroup { group in
            group.addTask { await self.sweepAbandoned() }
            for await job in jobs.cancelOnGracefulShutdown() {
                group.addTask { await self.execute(job) }
            }
            group.cancelAll()
        }
        await clusters.shutdown()
    }

    /// Every half lease, claims promotions whose lease ran out and resumes them.
    private func sweepAbandoned() async {
        let lease = configuration.lease
        let leaseMillis = lease.milliseconds
        while !Task.isCancelled {
            do {
                for deployment in try await ledger.claimAbandoned(leaseMillis: leaseMillis)
                where !running.withLock({ $0.contains(deployment.id) }) {
                    await adopt(deployment)
                }
            } catch {
                logger.warning("could not look for abandoned promotions", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: lease / 2)
        }
    }

    private func adopt(_ deployment: Deployment) async {
        logger.info("resuming an abandoned promotion", metadata: ["deployment": "\(deployment.id)", "target": "\(deployment.target)"])
        guard let target = configuration.targets.target(named: deployment.target) else {
            try? await ledger.update(
                deployment.id, status: .failed, message: "target '\(deployment.target)' is no longer declared; the promotion was abandoned")
            return
        }
        guard let manifests = try? Self.parseLedgerText(deployment.manifest) else {
            try? await ledger.update(deployment.id, status: .failed, message: "the promotion was abandoned before its manifests were recorded")
            return
        }
        enqueue(deployment, manifests: manifests, target: target, resumed: true)
    }

    /// Drives one promotion through ``PromotionStateMachine``, persisting every step.
    func execute(_ job: PromotionJob) async {
        let id = job.deployment.id
        guard running.withLock({ $0.insert(id).inserted }) else { return }
        defer { _ = running.withLock { $0.remove(id) } }
        let deadline = job.deployment.createdAt + job.target.readyTimeout.milliseconds
        var previous: [JSONValue]?
        if let previousID = job.deployment.previousDeploymentID, let entry = try? await ledger.deployment(id: previousID) {
            previous = try? Self.parseLedgerText(entry.manifest)
        }
        var machine = PromotionStateMachine(rollbackOnFailure: job.target.rollbackOnFailure, hasPrevious: previous != nil)
        var action = machine.start()
        if job.resumed && job.deployment.message.hasPrefix(Self.rollingBackPrefix) {
            action = machine.failed(String(job.deployment.message.dropFirst(Self.rollingBackPrefix.count)))
        } else if job.resumed && Clock.nowMillis() > deadline {
            action = machine.failed(
                "not ready within \(TargetDuration.format(job.target.readyTimeout)) (the promotion was resumed after its deadline)")
        }
        do {
            let client = try await clusters.client(target: job.target.name)
            while true {
                try Task.checkCancellation()
                switch action {
                case .apply:
                    try await ledger.update(id, status: .applying, message: "applying \(Self.describe(job.manifests))")
                    action = try await step(&machine) {
                        try await self.apply(job.manifests, client: client)
                    } next: {
                        $0.applied()
                    }
                case .pollReadiness:
                    try await ledger.update(id, status: .waiting, message: "waiting for the rollout to become ready")
                    action = try await step(&machine) {
                        try await self.waitUntilReady(job, client: client, deadline: deadline)
                    } next: {
                        $0.becameReady()
                    }
                case .moveAlias:
                    action = try await step(&machine) {
                        if let alias = job.target.aliasOnReady {
                            try await self.registry.setAlias(
                                name: job.deployment.model, alias: alias, version: job.deployment.version,
                                actor: .promotionWorker(actor: job.deployment.actor))
                        }
                    } next: {
                        $0.aliasMoved()
                    }
                case .applyPrevious:
                    let reason = machine.failureReason ?? "failed"
                    try await ledger.update(id, status: .applying, message: Self.rollingBackPrefix + reason)
                    action = try await step(&machine) {
                        try await self.apply(previous ?? [], client: client)
                    } next: {
                        $0.applied()
                    }
                case .finish(let status, let message):
                    try await ledger.update(id, status: status, message: message)
                    recordFinished(job.deployment, status: status)
                    logger.info("promotion finished", metadata: ["deployment": "\(id)", "status": "\(status.rawValue)", "message": "\(message)"])
                    return
                }
            }
        } catch is CancellationError {
            // Shutting down: hand the promotion to the next replica at once. The write runs
            // outside this cancelled task, which the database driver would refuse.
            let ledger = self.ledger
            try? await Task { try await ledger.releaseLeases([id]) }.value
        } catch {
            // The ledger itself failed; the lease runs out and another sweep finishes the promotion.
            logger.error("promotion interrupted", metadata: ["deployment": "\(id)", "error": "\(error)"])
        }
    }

    /// Runs one step; a failure (not a cancellation) becomes the state machine's `failed` event.
    private func step(
        _ machine: inout PromotionStateMachine, _ body: () async throws -> Void, next: (inout PromotionStateMachine) -> PromotionStateMachine.Action
    ) async throws -> PromotionStateMachine.Action {
        do {
            try await body()
            return next(&machine)
        } catch let error as CancellationError {
            throw error
        } catch let error as KubeError {
            return machine.failed(error.cairnError.message)
        } catch let error as CairnError {
            return machine.failed(error.message)
        } catch {
            return machine.failed("\(error)")
        }
    }

    /// Server-side applies each object in order (field manager `cairn`, no force: a field owned by
    /// another manager fails the promotion with that manager named).
    private func apply(_ manifests: [JSONValue], client: KubernetesClient) async throws {
        for manifest in manifests {
            _ = try await client.apply(manifest, fieldManager: "cairn", force: false)
        }
    }

    /// Polls readiness until ready, failed or past the deadline, renewing the lease as it goes.
    /// A cluster that cannot be read is retried until the deadline: a passing outage is not a failure.
    private func waitUntilReady(_ job: PromotionJob, client: KubernetesClient, deadline: Int64) async throws {
        let probe = ReadinessProbe(client: client)
        var last = "no status read yet"
        while true {
            do {
                switch try await probe.status(of: job.manifests, deploymentID: job.deployment.id) {
                case .ready: return
                case .failed(let reason): throw RolloutFailure(description: reason)
                case .progressing(let reason): last = reason
                }
            } catch let error as KubeError {
                last = "cannot read the rollout's status: \(error.message)"
            }
            guard Clock.nowMillis() < deadline else {
                throw RolloutFailure(description: "not ready within \(TargetDuration.format(job.target.readyTimeout)): \(last)")
            }
            try await ledger.heartbeat(job.deployment.id)
            try await Task.sleep(for: configuration.pollInterval)
        }
    }

    static let rollingBackPrefix = "rolling back: "

    /// `InferenceService fraud` or `Deployment fraud, Service fraud, …`, for ledger messages.
    static func describe(_ manifests: [JSONValue]) -> String {
        manifests.map { "\($0["kind"]?.stringValue ?? "?") \($0["metadata"]?["name"]?.stringValue ?? "?")" }.joined(separator: ", ")
    }
}

extension PromotionService {
    /// The outcomes promotions are counted by.
    static let outcomes = ["succeeded", "failed", "rolled_back"]

    /// `cairn_promotions_total{outcome}` and `cairn_promotion_duration_seconds{outcome}`, the
    /// duration from the ledger entry's creation to its final status. Outcomes: `succeeded`
    /// (ready), `failed`, `rolled_back`.
    func recordFinished(_ deployment: Deployment, status: DeploymentStatus) {
        let outcome =
            switch status {
            case .ready: "succeeded"
            case .rolledBack: "rolled_back"
            default: "failed"
            }
        Counter(label: "cairn_promotions_total", dimensions: [("outcome", outcome)], factory: metrics).increment()
        let elapsed = max(0, Clock.nowMillis() - deployment.createdAt)
        Timer(label: "cairn_promotion_duration_seconds", dimensions: [("outcome", outcome)], factory: metrics).recordMilliseconds(elapsed)
    }
}
