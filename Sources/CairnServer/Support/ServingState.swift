import NIOConcurrencyHelpers

/// Where the server is in its life, as the probes report it: starting (migrations not done:
/// `/startupz` and `/readyz` answer 503), serving, or draining (SIGTERM received: `/readyz`
/// answers 503 so the load balancer stops sending, while requests are still served).
public final class ServingState: Sendable {
    private enum Phase { case starting, serving, draining }
    private let phase = NIOLockedValueBox(Phase.starting)

    public init() {}

    /// Migrations are done.
    public var isStarted: Bool { phase.withLockedValue { $0 != .starting } }

    /// Shutdown has begun.
    public var isDraining: Bool { phase.withLockedValue { $0 == .draining } }

    func markStarted() { phase.withLockedValue { if $0 == .starting { $0 = .serving } } }

    func markDraining() { phase.withLockedValue { $0 = .draining } }
}
