import CairnCore

/// The model registry as storage operations: registered models, versions, stages, aliases, tags
/// and the audit log. Version numbering, alias rules and source validation live here, so the
/// MLflow API, the CLI and the promotion webhook share one implementation. Every change writes an
/// audit event in the same transaction, naming the ``CairnCore/Principal`` passed as `actor`.
public protocol RegistryStore: Sendable {
    func createRegisteredModel(name: String, tags: [Tag], description: String?, actor: Principal) async throws -> RegisteredModel
    func registeredModel(name: String) async throws -> RegisteredModel
    func renameRegisteredModel(name: String, newName: String, actor: Principal) async throws -> RegisteredModel
    func updateRegisteredModel(name: String, description: String?, actor: Principal) async throws -> RegisteredModel
    func deleteRegisteredModel(name: String, actor: Principal) async throws
    func searchRegisteredModels(_ request: RegistrySearchRequest) async throws -> Page<RegisteredModel>
    func setRegisteredModelTag(name: String, tag: Tag, actor: Principal) async throws
    func deleteRegisteredModelTag(name: String, key: String, actor: Principal) async throws
    /// The latest version in each of `stages` (all stages when empty).
    func latestVersions(name: String, stages: [ModelStage]) async throws -> [ModelVersion]

    func createModelVersion(_ request: CreateModelVersionRequest, actor: Principal) async throws -> ModelVersion
    func modelVersion(name: String, version: Int64) async throws -> ModelVersion
    func updateModelVersion(name: String, version: Int64, description: String?, actor: Principal) async throws -> ModelVersion
    func deleteModelVersion(name: String, version: Int64, actor: Principal) async throws
    func searchModelVersions(_ request: RegistrySearchRequest) async throws -> Page<ModelVersion>
    /// Where the version's files are: the logged model's or run's artifact location, or the source.
    func downloadURI(name: String, version: Int64) async throws -> String
    func transitionStage(name: String, version: Int64, stage: ModelStage, archiveExistingVersions: Bool, actor: Principal) async throws
        -> ModelVersion
    func setModelVersionTag(name: String, version: Int64, tag: Tag, actor: Principal) async throws
    func deleteModelVersionTag(name: String, version: Int64, key: String, actor: Principal) async throws

    /// Points `alias` at `version`; with `expectedVersion`, only if the alias points at that version
    /// now (0: only if it does not exist), else 409 `RESOURCE_CONFLICT` and nothing changes.
    func setAlias(name: String, alias: String, version: Int64, expectedVersion: Int64?, actor: Principal) async throws
    func deleteAlias(name: String, alias: String, actor: Principal) async throws
    func modelVersion(name: String, alias: String) async throws -> ModelVersion

    /// The audit events of one entity (e.g. `model:NAME`), newest first.
    func auditEvents(entity: String, maxResults: Int, pageToken: String?) async throws -> Page<AuditEvent>
}

public struct RegistrySearchRequest: Sendable {
    public var filter: String?
    public var orderBy: [String]
    public var maxResults: Int
    public var pageToken: String?

    public init(filter: String? = nil, orderBy: [String] = [], maxResults: Int, pageToken: String? = nil) {
        self.filter = filter
        self.orderBy = orderBy
        self.maxResults = maxResults
        self.pageToken = pageToken
    }
}

public struct CreateModelVersionRequest: Sendable {
    public var name: String
    public var source: String
    public var runID: String?
    public var modelID: String?
    public var runLink: String?
    public var description: String?
    public var tags: [Tag]

    public init(
        name: String, source: String, runID: String? = nil, modelID: String? = nil, runLink: String? = nil, description: String? = nil,
        tags: [Tag] = []
    ) {
        self.name = name
        self.source = source
        self.runID = runID
        self.modelID = modelID
        self.runLink = runLink
        self.description = description
        self.tags = tags
    }
}

extension RegistryStore {
    /// Points `alias` at `version`, whatever it pointed at before.
    public func setAlias(name: String, alias: String, version: Int64, actor: Principal) async throws {
        try await setAlias(name: name, alias: alias, version: version, expectedVersion: nil, actor: actor)
    }
}
