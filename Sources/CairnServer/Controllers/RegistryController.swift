import CairnCore
import CairnPromotion
import CairnStore
import Crypto
import Hummingbird

/// MLflow's model registry endpoints (`/api/2.0/mlflow/registered-models/...`,
/// `/api/2.0/mlflow/model-versions/...`) and Cairn's audit log.
struct RegistryController {
    let registry: any RegistryStore
    /// Decides who may move aliases that promotion targets go by; nil without promotions.
    var promotion: PromotionService? = nil
    /// Remembers `Idempotency-Key`s of `model-versions/create`; nil: the header is refused.
    var idempotency: IdempotencyStore? = nil

    func register(_ routes: RouteRegistrar) {
        let models = "/api/2.0/mlflow/registered-models"
        let versions = "/api/2.0/mlflow/model-versions"
        routes.post("\(models)/create", createModel)
        routes.get("\(models)/get", getModel)
        routes.post("\(models)/rename", renameModel)
        routes.patch("\(models)/update", updateModel)
        routes.delete("\(models)/delete", deleteModel)
        routes.get("\(models)/search", searchModels)
        routes.post("\(models)/set-tag", setModelTag)
        routes.delete("\(models)/delete-tag", access: .scope(.write), deleteModelTag)
        routes.post("\(models)/get-latest-versions", access: .scope(.read), latestVersions)
        routes.get("\(models)/get-latest-versions", latestVersions)
        routes.post("\(models)/alias", setAlias)
        routes.delete("\(models)/alias", access: .scope(.write), deleteAlias)
        routes.get("\(models)/alias", getByAlias)
        routes.post("\(versions)/create", createVersion)
        routes.get("\(versions)/get", getVersion)
        routes.patch("\(versions)/update", updateVersion)
        routes.delete("\(versions)/delete", deleteVersion)
        routes.get("\(versions)/search", searchVersions)
        routes.get("\(versions)/get-download-uri", downloadURI)
        routes.post("\(versions)/transition-stage", transitionStage)
        routes.post("\(versions)/set-tag", setVersionTag)
        routes.delete("\(versions)/delete-tag", access: .scope(.write), deleteVersionTag)
        routes.get("/api/cairn/v1/audit", audit)
    }

    /// Every field the registry endpoints take, from the JSON body or, for GET (and DELETE
    /// without a body), the query string.
    struct Fields: Decodable {
        var name: String?
        var new_name: String?
        var description: String?
        var version: FlexibleString?
        var key: String?
        var value: FlexibleString?
        var alias: String?
        var source: String?
        var run_id: String?
        var run_link: String?
        var model_id: String?
        var stage: String?
        var stages: [String]?
        var archive_existing_versions: FlexibleString?
        var tags: [KeyValueDTO]?
        /// `registered-models/alias` (Cairn's extension): move the alias only if it points at this
        /// version now; `0` only if it does not exist yet.
        var expected_version: FlexibleString?

        static func read(_ request: Request, context: CairnRequestContext) async throws -> Fields {
            var fields = request.method == .get ? Fields() : try await request.decodeJSON(Fields.self, context: context)
            for (name, path) in [("name", \Fields.name), ("alias", \.alias), ("key", \.key)] where fields[keyPath: path] == nil {
                fields[keyPath: path] = request.query(name)
            }
            if fields.version == nil, let version = request.query("version") { fields.version = FlexibleString(value: version) }
            if fields.stages == nil, !request.queryAll("stages").isEmpty { fields.stages = request.queryAll("stages") }
            return fields
        }

        init() {}

        func modelName() throws(CairnError) -> String { try required(name, "name") }
        func versionNumber() throws(CairnError) -> Int64 { try RegistryRules.parseVersion(try required(version?.value, "version")) }
        func tagList() throws(CairnError) -> [Tag] { try (tags ?? []).map { dto throws(CairnError) in try dto.tag(field: "tags") } }
    }

    private func model(_ model: RegisteredModel) -> Response {
        JSONResponse.object { w in
            w.keyPrefix("registered_model")
            w.registeredModel(model)
        }
    }

    private func version(_ version: ModelVersion) -> Response {
        JSONResponse.object { w in
            w.keyPrefix("model_version")
            w.modelVersion(version)
        }
    }

    @Sendable func createModel(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let f = try await Fields.read(request, context: context)
        return model(
            try await registry.createRegisteredModel(
                name: try f.modelName(), tags: try f.tagList(), description: f.description, actor: try context.actingPrincipal()))
    }

    @Sendable func getModel(_ request: Request, context: CairnRequestContext) async throws -> Response {
        model(try await registry.registeredModel(name: try Fields.read(request, context: context).modelName()))
    }

    @Sendable func renameModel(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let f = try await Fields.read(request, context: context)
        let (name, newName) = (try f.modelName(), try required(f.new_name, "new_name"))
        if let promotion {
            // A rename moves the model's aliases to the new name: a protected alias must not
            // leave its model, nor arrive under a name a target promotes by.
            for alias in try await registry.registeredModel(name: name).aliases {
                try await promotion.checkMayMoveAlias(model: name, alias: alias.alias, by: try context.actingPrincipal())
                try await promotion.checkMayMoveAlias(model: newName, alias: alias.alias, by: try context.actingPrincipal())
            }
        }
        return model(try await registry.renameRegisteredModel(name: name, newName: newName, actor: try context.actingPrincipal()))
    }

    @Sendable func updateModel(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let f = try await Fields.read(request, context: context)
        return model(
            try await registry.updateRegisteredModel(name: try f.modelName(), description: f.description, actor: try context.actingPrincipal()))
    }

    @Sendable func deleteModel(_ request: Request, context: CairnRequestContext) async throws -> Response {
        try await registry.deleteRegisteredModel(name: try Fields.read(request, context: context).modelName(), actor: try context.actingPrincipal())
        return JSONResponse.empty
    }

    @Sendable func searchModels(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let page = try await registry.searchRegisteredModels(
            RegistrySearchRequest(
                filter: request.query("filter"), orderBy: request.queryAll("order_by"),
                maxResults: Int(try request.queryInt("max_results") ?? Int64(RegistryRules.defaultModelSearchResults)),
                pageToken: request.query("page_token")))
        return JSONResponse.object { w in
            w.array("registered_models", page.items) { w, m in w.registeredModel(m) }
            w.field("next_page_token", page.nextPageToken)
        }
    }

    @Sendable func setModelTag(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let f = try await Fields.read(request, context: context)
        try await registry.setRegisteredModelTag(
            name: try f.modelName(), tag: Tag(key: try required(f.key, "key"), value: try required(f.value, "value").value),
            actor: try context.actingPrincipal())
        return JSONResponse.empty
    }

    @Sendable func deleteModelTag(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let f = try await Fields.read(request, context: context)
        try await registry.deleteRegisteredModelTag(name: try f.modelName(), key: try required(f.key, "key"), actor: try context.actingPrincipal())
        return JSONResponse.empty
    }

    @Sendable func latestVersions(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let f = try await Fields.read(request, context: context)
        let stages = try (f.stages ?? []).map { text throws(CairnError) in try ModelStage(wire: text) }
        let versions = try await registry.latestVersions(name: try f.modelName(), stages: stages)
        return JSONResponse.object { w in w.array("model_versions", versions) { w, v in w.modelVersion(v) } }
    }

    @Sendable func setAlias(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let f = try await Fields.read(request, context: context)
        let (model, alias) = (try f.modelName(), try required(f.alias, "alias"))
        let actor = try context.actingPrincipal()
        let expected = try f.expected_version.map { expected throws(CairnError) -> Int64 in
            guard let number = Int64(expected.value), number >= 0 else {
                throw CairnError.invalidParameter(
                    "Invalid value '\(expected.value)' for parameter 'expected_version': expected a version number, or 0 for none")
            }
            return number
        }
        try await promotion?.checkMayMoveAlias(model: model, alias: alias, by: actor)
        try await registry.setAlias(name: model, alias: alias, version: try f.versionNumber(), expectedVersion: expected, actor: actor)
        return JSONResponse.empty
    }

    @Sendable func deleteAlias(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let f = try await Fields.read(request, context: context)
        let (model, alias) = (try f.modelName(), try required(f.alias, "alias"))
        let actor = try context.actingPrincipal()
        try await promotion?.checkMayMoveAlias(model: model, alias: alias, by: actor)
        try await registry.deleteAlias(name: model, alias: alias, actor: actor)
        return JSONResponse.empty
    }

    @Sendable func getByAlias(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let f = try await Fields.read(request, context: context)
        return version(try await registry.modelVersion(name: try f.modelName(), alias: try required(f.alias, "alias")))
    }

    @Sendable func createVersion(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let f = try await Fields.read(request, context: context)
        let versionRequest = CreateModelVersionRequest(
            name: try f.modelName(), source: try required(f.source, "source"), runID: f.run_id, modelID: f.model_id, runLink: f.run_link,
            description: f.description, tags: try f.tagList())
        let actor = try context.actingPrincipal()
        guard let key = try IdempotentRequest.key(of: request) else {
            return version(try await registry.createModelVersion(versionRequest, actor: actor))
        }
        guard let idempotency else { throw CairnError(.badRequest, "This server does not keep Idempotency-Keys") }
        // A retry must ask for the same version: the fields that make it, in a fixed order.
        let identity =
            [
                versionRequest.name, versionRequest.source, versionRequest.runID ?? "", versionRequest.modelID ?? "",
                versionRequest.runLink ?? "", versionRequest.description ?? "",
            ] + versionRequest.tags.flatMap { [$0.key, $0.value] }
        let digest = Hex.encode(SHA256.hash(data: Array(identity.joined(separator: "\u{0}").utf8)))
        return try await IdempotentRequest(store: idempotency).run(namespace: "model-versions/create", key: key, bodySHA256: digest) {
            let created = try await registry.createModelVersion(versionRequest, actor: actor)
            return (
                200,
                JSONWriter.object { w in
                    w.keyPrefix("model_version")
                    w.modelVersion(created)
                }
            )
        }
    }

    @Sendable func getVersion(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let f = try await Fields.read(request, context: context)
        return version(try await registry.modelVersion(name: try f.modelName(), version: try f.versionNumber()))
    }

    @Sendable func updateVersion(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let f = try await Fields.read(request, context: context)
        return version(
            try await registry.updateModelVersion(
                name: try f.modelName(), version: try f.versionNumber(), description: f.description, actor: try context.actingPrincipal()))
    }

    @Sendable func deleteVersion(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let f = try await Fields.read(request, context: context)
        try await registry.deleteModelVersion(name: try f.modelName(), version: try f.versionNumber(), actor: try context.actingPrincipal())
        return JSONResponse.empty
    }

    @Sendable func searchVersions(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let page = try await registry.searchModelVersions(
            RegistrySearchRequest(
                filter: request.query("filter"), orderBy: request.queryAll("order_by"),
                maxResults: Int(try request.queryInt("max_results") ?? Int64(RegistryRules.defaultVersionSearchResults)),
                pageToken: request.query("page_token")))
        return JSONResponse.object(capacity: 512 * max(1, page.items.count)) { w in
            w.array("model_versions", page.items) { w, v in w.modelVersion(v) }
            w.field("next_page_token", page.nextPageToken)
        }
    }

    @Sendable func downloadURI(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let f = try await Fields.read(request, context: context)
        let uri = try await registry.downloadURI(name: try f.modelName(), version: try f.versionNumber())
        return JSONResponse.object { $0.field("artifact_uri", uri) }
    }

    @Sendable func transitionStage(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let f = try await Fields.read(request, context: context)
        let archive = try required(f.archive_existing_versions, "archive_existing_versions").value.lowercased() == "true"
        let updated = try await registry.transitionStage(
            name: try f.modelName(), version: try f.versionNumber(), stage: try ModelStage(wire: try required(f.stage, "stage")),
            archiveExistingVersions: archive, actor: try context.actingPrincipal())
        return version(updated)
    }

    @Sendable func setVersionTag(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let f = try await Fields.read(request, context: context)
        try await registry.setModelVersionTag(
            name: try f.modelName(), version: try f.versionNumber(),
            tag: Tag(key: try required(f.key, "key"), value: try required(f.value, "value").value), actor: try context.actingPrincipal())
        return JSONResponse.empty
    }

    @Sendable func deleteVersionTag(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let f = try await Fields.read(request, context: context)
        try await registry.deleteModelVersionTag(
            name: try f.modelName(), version: try f.versionNumber(), key: try required(f.key, "key"), actor: try context.actingPrincipal())
        return JSONResponse.empty
    }

    @Sendable func audit(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let page = try await registry.auditEvents(
            entity: try required(request.query("entity"), "entity"), maxResults: Int(try request.queryInt("max_results") ?? 100),
            pageToken: request.query("page_token"))
        return JSONResponse.object { w in
            w.array("events", page.items) { w, e in w.auditEvent(e) }
            w.field("next_page_token", page.nextPageToken)
        }
    }
}
