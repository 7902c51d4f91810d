/// Who is acting: what the audit log records as the actor and what promotion rights are checked
/// against. The HTTP layer puts it on the request context when it authenticates a request, and
/// every operation that records or checks it takes it as a parameter.
public enum Principal: Sendable, Hashable {
    /// A caller of a server that runs without authentication (`--auth none`): the operator chose
    /// to trust every caller that can reach it (loopback names only, unless allowed otherwise),
    /// so it holds every right. Recorded as `anonymous`.
    case unauthenticated
    /// A caller that presented this API token.
    case token(APIToken)
    /// The CI webhook, authenticated by a signature made with `target`'s webhook secret: it may
    /// promote to that target only. Recorded as `webhook`.
    case webhook(target: String)
    /// The promotion worker finishing a rollout that `actor` started (moving the target's alias
    /// once it is ready): the rights were checked when the promotion began, and the audit log
    /// names the one who began it. It may start nothing itself.
    case promotionWorker(actor: String)

    /// The actor the audit log and the ledger record.
    public var auditName: String {
        switch self {
        case .unauthenticated: "anonymous"
        case .token(let token): token.name
        case .webhook: "webhook"
        case .promotionWorker(let actor): actor
        }
    }

    /// Whether it may promote to (or roll back) `target`.
    public func mayPromote(to target: String) -> Bool {
        switch self {
        case .unauthenticated: true
        case .token(let token): token.mayPromote(to: target)
        case .webhook(let signedFor): signedFor == target
        case .promotionWorker: false
        }
    }

    /// Whether it may promote to every target (no per-target check is needed).
    public var mayPromoteEverywhere: Bool {
        switch self {
        case .unauthenticated: true
        case .token(let token): token.scope == .admin
        case .webhook, .promotionWorker: false
        }
    }

    /// How error messages name it, e.g. `Token 'ci-deployer'`.
    public var displayName: String {
        switch self {
        case .unauthenticated: "An unauthenticated caller"
        case .token(let token): "Token '\(token.name)'"
        case .webhook(let target): "The webhook signed for target '\(target)'"
        case .promotionWorker(let actor): "The promotion worker (for '\(actor)')"
        }
    }
}
