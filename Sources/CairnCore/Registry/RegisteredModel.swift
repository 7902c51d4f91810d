/// A registered model: a name under which versions are registered, tagged and aliased.
public struct RegisteredModel: Sendable, Hashable {
    public var name: String
    public var creationTimestamp: Int64
    public var lastUpdatedTimestamp: Int64
    public var description: String
    public var userID: String
    public var tags: [Tag]
    /// alias → version.
    public var aliases: [ModelAlias]
    /// The latest version in each stage (MLflow's `latest_versions`).
    public var latestVersions: [ModelVersion]

    public init(
        name: String, creationTimestamp: Int64, lastUpdatedTimestamp: Int64, description: String = "", userID: String = "",
        tags: [Tag] = [], aliases: [ModelAlias] = [], latestVersions: [ModelVersion] = []
    ) {
        self.name = name
        self.creationTimestamp = creationTimestamp
        self.lastUpdatedTimestamp = lastUpdatedTimestamp
        self.description = description
        self.userID = userID
        self.tags = tags
        self.aliases = aliases
        self.latestVersions = latestVersions
    }
}

/// An alias pointing at one version of a registered model.
public struct ModelAlias: Sendable, Hashable {
    public var alias: String
    public var version: Int64

    public init(alias: String, version: Int64) {
        self.alias = alias
        self.version = version
    }
}

/// One version of a registered model.
public struct ModelVersion: Sendable, Hashable {
    public var name: String
    public var version: Int64
    public var creationTimestamp: Int64
    public var lastUpdatedTimestamp: Int64
    public var userID: String
    public var currentStage: ModelStage
    public var description: String
    public var source: String
    public var runID: String
    public var runLink: String
    public var modelID: String
    /// Where the files are (the source resolved: `runs:/…` and `models:/…` to artifact URIs).
    public var storageLocation: String
    public var status: String
    public var tags: [Tag]
    public var aliases: [String]

    public init(
        name: String, version: Int64, creationTimestamp: Int64, lastUpdatedTimestamp: Int64, userID: String = "",
        currentStage: ModelStage = .none, description: String = "", source: String, runID: String = "", runLink: String = "",
        modelID: String = "", storageLocation: String = "", status: String = "READY", tags: [Tag] = [], aliases: [String] = []
    ) {
        self.name = name
        self.version = version
        self.creationTimestamp = creationTimestamp
        self.lastUpdatedTimestamp = lastUpdatedTimestamp
        self.userID = userID
        self.currentStage = currentStage
        self.description = description
        self.source = source
        self.runID = runID
        self.runLink = runLink
        self.modelID = modelID
        self.storageLocation = storageLocation
        self.status = status
        self.tags = tags
        self.aliases = aliases
    }
}

/// MLflow's deprecated (but still called) model stages.
public enum ModelStage: String, Sendable, Hashable, CaseIterable {
    case none = "None"
    case staging = "Staging"
    case production = "Production"
    case archived = "Archived"

    /// Parses a stage name case-insensitively, as MLflow does.
    public init(wire: String) throws(CairnError) {
        guard let stage = ModelStage.allCases.first(where: { $0.rawValue.lowercased() == wire.lowercased() }) else {
            throw .invalidParameter(
                "Invalid Model Version stage: \(wire). Value must be one of \(ModelStage.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        self = stage
    }
}
