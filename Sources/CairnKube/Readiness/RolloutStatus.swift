/// Where a rollout stands: ready, still progressing (with why), or failed (with why).
public enum RolloutStatus: Sendable, Hashable, CustomStringConvertible {
    /// The new version serves: every rule of the target's kind holds.
    case ready
    /// Not there yet; the reason says which rule is still unmet.
    case progressing(String)
    /// It will not get there without a new rollout (e.g. `ProgressDeadlineExceeded`).
    case failed(String)

    /// Whether this is ``ready``.
    public var isReady: Bool { self == .ready }

    /// Whether this is ``failed(_:)``.
    public var isFailed: Bool {
        if case .failed = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .ready: "ready"
        case .progressing(let reason): "progressing: \(reason)"
        case .failed(let reason): "failed: \(reason)"
        }
    }
}
