/// An MLflow experiment: a named group of runs with its own artifact location.
public struct Experiment: Sendable, Hashable {
    public var id: String
    public var name: String
    public var artifactLocation: String
    public var lifecycleStage: LifecycleStage
    public var creationTime: Int64
    public var lastUpdateTime: Int64
    public var tags: [Tag]

    public init(
        id: String, name: String, artifactLocation: String, lifecycleStage: LifecycleStage,
        creationTime: Int64, lastUpdateTime: Int64, tags: [Tag] = []
    ) {
        self.id = id
        self.name = name
        self.artifactLocation = artifactLocation
        self.lifecycleStage = lifecycleStage
        self.creationTime = creationTime
        self.lastUpdateTime = lastUpdateTime
        self.tags = tags
    }

    /// The id of the `Default` experiment every fresh database holds, as MLflow has.
    public static let defaultID = "0"
    public static let defaultName = "Default"
}

/// Whether an entity is live or soft-deleted (`active` / `deleted` on the wire).
public enum LifecycleStage: String, Sendable, Hashable, Codable {
    case active
    case deleted
}

/// MLflow's `ViewType`: which lifecycle stages a search returns.
public enum ViewType: String, Sendable, Hashable, Codable {
    case activeOnly = "ACTIVE_ONLY"
    case deletedOnly = "DELETED_ONLY"
    case all = "ALL"

    /// The lifecycle stages this view includes.
    public var stages: [LifecycleStage] {
        switch self {
        case .activeOnly: [.active]
        case .deletedOnly: [.deleted]
        case .all: [.active, .deleted]
        }
    }

    /// Parses the wire value; MLflow also accepts the enum's numbers (1, 2, 3).
    public init(wire: String?) throws(CairnError) {
        switch wire?.uppercased() {
        case nil, "", "ACTIVE_ONLY", "1": self = .activeOnly
        case "DELETED_ONLY", "2": self = .deletedOnly
        case "ALL", "3": self = .all
        case let other?: throw .invalidParameter("Invalid view type '\(other)'; expected ACTIVE_ONLY, DELETED_ONLY or ALL")
        }
    }
}

/// A key/value tag (experiment, run, logged model, registry entities).
public struct Tag: Sendable, Hashable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}
