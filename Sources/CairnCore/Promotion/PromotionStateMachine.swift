/// The promotion flow as an I/O-free state machine (the postgres-nio `ListenStateMachine`
/// habit): each event returns the ``Action`` the promotion service must carry out next, and the
/// state is persisted in the ledger after every step, so a restarted server resumes or fails the
/// promotion cleanly instead of leaving its target locked.
///
/// validate → lock → record the rollback point → render → validate manifests → apply → wait for
/// ready → move the alias → `ready`; on failure or timeout → `failed`, and with
/// `rollbackOnFailure` re-apply the previous manifest → `rolled_back`.
public struct PromotionStateMachine: Sendable, Hashable {
    public enum State: Sendable, Hashable {
        case pending
        case applying
        case waiting
        case ready
        case failed(String)
        case rollingBack(String)
        case rolledBack(String)
    }

    public enum Action: Sendable, Hashable {
        /// Apply the rendered manifests (server-side apply).
        case apply
        /// Poll readiness until the deadline.
        case pollReadiness
        /// Move `alias_on_ready` to the version, then report ready.
        case moveAlias
        /// Re-apply the previous deployment's manifest.
        case applyPrevious
        /// Persist the final state and release the target's lock.
        case finish(DeploymentStatus, message: String)
    }

    public private(set) var state: State = .pending
    public let rollbackOnFailure: Bool
    public let hasPrevious: Bool

    public init(rollbackOnFailure: Bool, hasPrevious: Bool) {
        self.rollbackOnFailure = rollbackOnFailure
        self.hasPrevious = hasPrevious
    }

    /// The ledger status of the current state.
    public var status: DeploymentStatus {
        switch state {
        case .pending: .pending
        case .applying, .rollingBack: .applying
        case .waiting: .waiting
        case .ready: .ready
        case .failed: .failed
        case .rolledBack: .rolledBack
        }
    }

    /// Why the promotion failed, once it has (also while rolling back).
    public var failureReason: String? {
        switch state {
        case .failed(let reason), .rollingBack(let reason), .rolledBack(let reason): reason
        default: nil
        }
    }

    /// The manifests were rendered and validated: apply them.
    public mutating func start() -> Action {
        precondition(state == .pending, "start() twice")
        state = .applying
        return .apply
    }

    public mutating func applied() -> Action {
        switch state {
        case .applying:
            state = .waiting
            return .pollReadiness
        case .rollingBack(let reason):
            state = .rolledBack(reason)
            return .finish(.rolledBack, message: "rolled back: \(reason)")
        default:
            preconditionFailure("applied() in \(state)")
        }
    }

    public mutating func becameReady() -> Action {
        precondition(state == .waiting, "becameReady() in \(state)")
        return .moveAlias
    }

    public mutating func aliasMoved() -> Action {
        state = .ready
        return .finish(.ready, message: "ready")
    }

    /// Anything failed (rendering, apply, readiness timeout, alias): roll back when configured
    /// and possible, else fail.
    public mutating func failed(_ reason: String) -> Action {
        switch state {
        case .rollingBack(let original):
            state = .failed(original)
            return .finish(.failed, message: "\(original); rollback failed too: \(reason)")
        case .ready, .failed, .rolledBack:
            return .finish(status, message: reason)
        case .pending, .applying, .waiting:
            if rollbackOnFailure && hasPrevious && state != .pending {
                state = .rollingBack(reason)
                return .applyPrevious
            }
            state = .failed(reason)
            return .finish(.failed, message: reason)
        }
    }
}
