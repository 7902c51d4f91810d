import NIOConcurrencyHelpers

/// Whether the server has finished starting (migrations applied, ready to serve): what `/startupz`
/// and `/readyz` report.
final class StartupState: Sendable {
    private let started = NIOLockedValueBox(false)

    var isStarted: Bool { started.withLockedValue { $0 } }

    func markStarted() { started.withLockedValue { $0 = true } }
}
