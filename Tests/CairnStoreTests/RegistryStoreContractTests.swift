import CairnCore
import CairnStore
import Foundation
import Testing

/// The registry contract on both engines: numbering, aliases, stages, renames, sources, audit.
@Suite struct RegistryStoreContractTests {
    static func unique(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8))" }

    static func withRegistry<T: Sendable>(_ engine: Engine, _ body: @Sendable (SQLTrackingStore, SQLRegistryStore) async throws -> T) async throws
        -> T
    {
        try await TestDatabase.withStore(engine) { store in
            try await body(store, SQLRegistryStore(tracking: store))
        }
    }

    /// A run with an artifact location, for `runs:/` sources.
    static func run(_ store: SQLTrackingStore) async throws -> Run {
        let experiment = try await store.createExperiment(name: unique("reg"), artifactLocation: nil, tags: [])
        return try await store.createRun(CreateRunRequest(experimentID: experiment))
    }

    @Test(arguments: Engine.available)
    func twoHundredConcurrentRegistrationsGetVersionsOneToTwoHundred(engine: Engine) async throws {
        try await Self.withRegistry(engine) { _, registry in
            let name = Self.unique("concurrent")
            _ = try await registry.createRegisteredModel(name: name, tags: [], description: nil, actor: .unauthenticated)
            let versions = try await withThrowingTaskGroup(of: Int64.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        try await registry.createModelVersion(
                            CreateModelVersionRequest(name: name, source: "s3://bucket/model-\(index)"), actor: .unauthenticated
                        ).version
                    }
                }
                var collected: [Int64] = []
                for try await version in group { collected.append(version) }
                return collected
            }
            #expect(versions.sorted() == Array(1...200))
            let stored = try await registry.searchModelVersions(RegistrySearchRequest(filter: "name = '\(name)'", maxResults: 1000))
            #expect(stored.items.map(\.version).sorted() == Array(1...200))
        }
    }

    @Test(arguments: Engine.available)
    func canonicallyEquivalentModelNamesKeepTheirOwnTagsAliasesAndVersions(engine: Engine) async throws {
        try await Self.withRegistry(engine) { _, registry in
            let prefix = Self.unique("equiv")
            let composed = "\(prefix)-\u{00C5}", angstrom = "\(prefix)-\u{212B}"
            #expect(composed == angstrom, "the premise: Swift compares them as equal")
            for (name, label, versions) in [(composed, "composed", 1), (angstrom, "angstrom", 2)] {
                _ = try await registry.createRegisteredModel(
                    name: name, tags: [Tag(key: "spelling", value: label)], description: nil, actor: .unauthenticated)
                for index in 1...versions {
                    _ = try await registry.createModelVersion(
                        CreateModelVersionRequest(name: name, source: "s3://bucket/\(label)/\(index)"), actor: .unauthenticated)
                    try await registry.setModelVersionTag(
                        name: name, version: Int64(index), tag: Tag(key: "of", value: label), actor: .unauthenticated)
                }
                try await registry.setAlias(name: name, alias: "champion-\(label)", version: 1, actor: .unauthenticated)
            }
            let models = try await registry.searchRegisteredModels(RegistrySearchRequest(filter: "name LIKE '\(prefix)-%'", maxResults: 10)).items
            #expect(models.count == 2)
            for model in models {
                let label = model.name.utf8.elementsEqual(composed.utf8) ? "composed" : "angstrom"
                #expect(model.tags == [Tag(key: "spelling", value: label)])
                #expect(model.aliases.map(\.alias) == ["champion-\(label)"])
                #expect(model.latestVersions.map(\.source) == ["s3://bucket/\(label)/\(label == "composed" ? 1 : 2)"])
            }
            let versions = try await registry.searchModelVersions(RegistrySearchRequest(filter: "name LIKE '\(prefix)-%'", maxResults: 10)).items
            #expect(versions.count == 3)
            for version in versions {
                let label = version.name.utf8.elementsEqual(composed.utf8) ? "composed" : "angstrom"
                #expect(version.source.hasPrefix("s3://bucket/\(label)/"))
                #expect(version.tags == [Tag(key: "of", value: label)])
                #expect(version.aliases == (version.version == 1 ? ["champion-\(label)"] : []))
            }
        }
    }

    @Test(arguments: Engine.available)
    func runsSourcesResolveToTheRunsArtifactsAndMustMatchTheRunID(engine: Engine) async throws {
        try await Self.withRegistry(engine) { store, registry in
            let run = try await Self.run(store)
            let name = Self.unique("src")
            _ = try await registry.createRegisteredModel(name: name, tags: [], description: "first", actor: .unauthenticated)
            let version = try await registry.createModelVersion(
                CreateModelVersionRequest(name: name, source: "runs:/\(run.info.runID)/model", runID: run.info.runID), actor: .unauthenticated)
            #expect(version.version == 1)
            #expect(try await registry.downloadURI(name: name, version: 1) == run.info.artifactURI + "/model")
            let mismatch = await #expect(throws: CairnError.self) {
                _ = try await registry.createModelVersion(
                    CreateModelVersionRequest(name: name, source: "runs:/\(run.info.runID)/model", runID: "other"), actor: .unauthenticated)
            }
            #expect(mismatch?.code == .invalidParameterValue)
            let outside = await #expect(throws: CairnError.self) {
                _ = try await registry.createModelVersion(
                    CreateModelVersionRequest(name: name, source: "mlflow-artifacts:/elsewhere/model", runID: run.info.runID), actor: .unauthenticated
                )
            }
            #expect(outside?.code == .invalidParameterValue)
            let traversal = await #expect(throws: CairnError.self) {
                _ = try await registry.createModelVersion(
                    CreateModelVersionRequest(name: name, source: run.info.artifactURI + "/../../other", runID: run.info.runID),
                    actor: .unauthenticated)
            }
            #expect(traversal?.code == .invalidParameterValue)
        }
    }

    @Test(arguments: Engine.available)
    func loggedModelSourcesResolveToTheModelsArtifacts(engine: Engine) async throws {
        try await Self.withRegistry(engine) { store, registry in
            let run = try await Self.run(store)
            let logged = try await store.createLoggedModel(
                CreateLoggedModelRequest(experimentID: run.info.experimentID, name: "model", sourceRunID: run.info.runID))
            let name = Self.unique("logged")
            _ = try await registry.createRegisteredModel(name: name, tags: [], description: nil, actor: .unauthenticated)
            let version = try await registry.createModelVersion(
                CreateModelVersionRequest(name: name, source: "models:/\(logged.modelID)", runID: run.info.runID, modelID: logged.modelID),
                actor: .unauthenticated)
            #expect(try await registry.downloadURI(name: name, version: version.version) == logged.artifactLocation)
            await #expect(throws: CairnError.self) {
                _ = try await registry.createModelVersion(
                    CreateModelVersionRequest(name: name, source: "models:/\(logged.modelID)", modelID: "m-other"), actor: .unauthenticated)
            }
        }
    }

    @Test(arguments: Engine.available)
    func aliasesMoveRefuseReservedNamesAndFollowRenames(engine: Engine) async throws {
        try await Self.withRegistry(engine) { _, registry in
            let name = Self.unique("alias")
            _ = try await registry.createRegisteredModel(
                name: name, tags: [Tag(key: "team", value: "fraud")], description: nil, actor: .unauthenticated)
            for index in 1...2 {
                _ = try await registry.createModelVersion(CreateModelVersionRequest(name: name, source: "s3://b/\(index)"), actor: .unauthenticated)
            }
            try await registry.setAlias(name: name, alias: "champion", version: 1, actor: .unauthenticated)
            #expect(try await registry.modelVersion(name: name, alias: "champion").version == 1)
            try await registry.setAlias(name: name, alias: "champion", version: 2, actor: .unauthenticated)
            #expect(try await registry.modelVersion(name: name, alias: "champion").aliases == ["champion"])
            for reserved in ["latest", "v1", "V12", "bad alias", ""] {
                await #expect(throws: CairnError.self, "\(reserved) must be refused") {
                    try await registry.setAlias(name: name, alias: reserved, version: 1, actor: .unauthenticated)
                }
            }
            await #expect(throws: CairnError.self) { try await registry.setAlias(name: name, alias: "ghost", version: 9, actor: .unauthenticated) }
            try await registry.setModelVersionTag(name: name, version: 2, tag: Tag(key: "validated", value: "yes"), actor: .unauthenticated)
            let renamed = Self.unique("renamed")
            let model = try await registry.renameRegisteredModel(name: name, newName: renamed, actor: .unauthenticated)
            #expect(model.aliases == [ModelAlias(alias: "champion", version: 2)])
            #expect(model.tags == [Tag(key: "team", value: "fraud")])
            let moved = try await registry.modelVersion(name: renamed, alias: "champion")
            #expect(moved.tags == [Tag(key: "validated", value: "yes")])
            await #expect(throws: CairnError.self) { _ = try await registry.registeredModel(name: name) }
            try await registry.deleteAlias(name: renamed, alias: "champion", actor: .unauthenticated)
            await #expect(throws: CairnError.self) { _ = try await registry.modelVersion(name: renamed, alias: "champion") }
        }
    }

    @Test(arguments: Engine.available)
    func stageTransitionsArchiveExistingVersionsAndDriveLatestVersions(engine: Engine) async throws {
        try await Self.withRegistry(engine) { _, registry in
            let name = Self.unique("stages")
            _ = try await registry.createRegisteredModel(name: name, tags: [], description: nil, actor: .unauthenticated)
            for index in 1...3 {
                _ = try await registry.createModelVersion(CreateModelVersionRequest(name: name, source: "s3://b/\(index)"), actor: .unauthenticated)
            }
            _ = try await registry.transitionStage(
                name: name, version: 1, stage: .production, archiveExistingVersions: false, actor: .unauthenticated)
            _ = try await registry.transitionStage(name: name, version: 2, stage: .production, archiveExistingVersions: true, actor: .unauthenticated)
            #expect(try await registry.modelVersion(name: name, version: 1).currentStage == .archived)
            let latest = try await registry.latestVersions(name: name, stages: [])
            #expect(Set(latest.map { "\($0.currentStage.rawValue):\($0.version)" }) == ["Production:2", "Archived:1", "None:3"])
            #expect(try await registry.latestVersions(name: name, stages: [.production]).map(\.version) == [2])
        }
    }

    @Test(arguments: Engine.available)
    func searchesHonourFiltersAndThePromptExclusionClause(engine: Engine) async throws {
        try await Self.withRegistry(engine) { _, registry in
            let prefix = Self.unique("search")
            _ = try await registry.createRegisteredModel(name: "\(prefix)-a", tags: [], description: nil, actor: .unauthenticated)
            _ = try await registry.createRegisteredModel(
                name: "\(prefix)-b", tags: [Tag(key: "mlflow.prompt.is_prompt", value: "true")], description: nil, actor: .unauthenticated)
            let page = try await registry.searchRegisteredModels(
                RegistrySearchRequest(filter: "name LIKE '\(prefix)%' AND tag.`mlflow.prompt.is_prompt` != 'true'", maxResults: 100))
            #expect(page.items.map(\.name) == ["\(prefix)-a"])
            _ = try await registry.createModelVersion(
                CreateModelVersionRequest(name: "\(prefix)-a", source: "s3://b/1", runID: "r1"), actor: .unauthenticated)
            let versions = try await registry.searchModelVersions(
                RegistrySearchRequest(filter: "name IN ('\(prefix)-a', '\(prefix)-b') AND run_id = 'r1'", maxResults: 10))
            #expect(versions.items.map(\.version) == [1])
            await #expect(throws: CairnError.self) { _ = try await registry.searchRegisteredModels(RegistrySearchRequest(maxResults: 1001)) }
        }
    }

    @Test(arguments: Engine.available)
    func everyRegistryChangeIsAuditedWithBeforeAndAfter(engine: Engine) async throws {
        try await Self.withRegistry(engine) { _, registry in
            let name = Self.unique("audit")
            let bot = Principal.token(APIToken(name: "ci-bot", scope: .write, createdAt: 0))
            _ = try await registry.createRegisteredModel(name: name, tags: [], description: nil, actor: bot)
            _ = try await registry.createModelVersion(CreateModelVersionRequest(name: name, source: "s3://b/1"), actor: bot)
            try await registry.setAlias(name: name, alias: "champion", version: 1, actor: bot)
            _ = try await registry.updateRegisteredModel(name: name, description: "fraud model", actor: bot)
            try await registry.deleteModelVersion(name: name, version: 1, actor: .unauthenticated)
            let events = try await registry.auditEvents(entity: "model:\(name)", maxResults: 100, pageToken: nil).items
            #expect(
                events.map(\.action) == [
                    "delete_model_version", "update_registered_model", "set_registered_model_alias", "create_model_version",
                    "create_registered_model",
                ])
            #expect(events.dropFirst().allSatisfy { $0.actor == "ci-bot" })
            #expect(events.first?.actor == "anonymous")
            #expect(events.first?.after == nil)
            #expect(events.first?.before?.contains("\"version\":\"1\"") == true)
            let alias = try #require(events.first { $0.action == "set_registered_model_alias" })
            #expect(alias.before?.contains("\"aliases\":[]") == true)
            #expect(alias.after?.contains("champion") == true)
            let update = try #require(events.first { $0.action == "update_registered_model" })
            #expect(update.after?.contains("fraud model") == true)
            let paged = try await registry.auditEvents(entity: "model:\(name)", maxResults: 2, pageToken: nil)
            #expect(paged.items.count == 2)
            #expect(paged.nextPageToken != nil)
        }
    }

    @Test(arguments: Engine.available)
    func deletingAModelRemovesItsVersionsAndNamesCanBeReused(engine: Engine) async throws {
        try await Self.withRegistry(engine) { _, registry in
            let name = Self.unique("gone")
            _ = try await registry.createRegisteredModel(name: name, tags: [], description: nil, actor: .unauthenticated)
            _ = try await registry.createModelVersion(CreateModelVersionRequest(name: name, source: "s3://b/1"), actor: .unauthenticated)
            let duplicate = await #expect(throws: CairnError.self) {
                _ = try await registry.createRegisteredModel(name: name, tags: [], description: nil, actor: .unauthenticated)
            }
            #expect(duplicate?.code == .resourceAlreadyExists)
            try await registry.deleteRegisteredModel(name: name, actor: .unauthenticated)
            await #expect(throws: CairnError.self) { _ = try await registry.modelVersion(name: name, version: 1) }
            _ = try await registry.createRegisteredModel(name: name, tags: [], description: nil, actor: .unauthenticated)
            #expect(
                try await registry.createModelVersion(CreateModelVersionRequest(name: name, source: "s3://b/1"), actor: .unauthenticated).version == 1
            )
            await #expect(throws: CairnError.self) {
                _ = try await registry.createRegisteredModel(name: "a/b", tags: [], description: nil, actor: .unauthenticated)
            }
        }
    }
}
