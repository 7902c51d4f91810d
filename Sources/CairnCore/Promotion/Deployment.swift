/// One entry of the deployment ledger: a promotion of a model version to a target, and how it went.
public struct Deployment: Sendable, Hashable {
    public var id: String
    public var model: String
    public var version: Int64
    public var target: String
    public var status: DeploymentStatus
    /// The rendered manifests (JSON), as applied.
    public var manifest: String
    public var message: String
    /// The deployment that was serving before this one: the rollback point.
    public var previousDeploymentID: String?
    public var actor: String
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(
        id: String, model: String, version: Int64, target: String, status: DeploymentStatus, manifest: String = "", message: String = "",
        previousDeploymentID: String? = nil, actor: String, createdAt: Int64, updatedAt: Int64
    ) {
        self.id = id
        self.model = model
        self.version = version
        self.target = target
        self.status = status
        self.manifest = manifest
        self.message = message
        self.previousDeploymentID = previousDeploymentID
        self.actor = actor
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// A new deployment id: `d-` and 32 hex characters.
    public static func newID() -> String { "d-" + Identifiers.randomHex(bytes: 16) }
}

/// Where a promotion is in its life.
public enum DeploymentStatus: String, Sendable, Hashable, CaseIterable {
    case pending
    case applying
    case waiting
    case ready
    case failed
    case rolledBack = "rolled_back"

    /// Whether the promotion is over (the target's lock is released).
    public var isFinal: Bool { self == .ready || self == .failed || self == .rolledBack }
}
