import CairnCore
import CairnStore
import Hummingbird

/// The MLflow 3 logged-model endpoints the client uses (`log_model`, `register_model`,
/// `list_artifacts` of a sub-path).
struct LoggedModelsController {
    let store: any TrackingStore

    func register(_ routes: RouteRegistrar) {
        let base = "/api/2.0/mlflow/logged-models"
        routes.post(base, create)
        routes.post("\(base)/search", access: .scope(.read), search)
        routes.get("\(base)/:model_id", get)
        routes.patch("\(base)/:model_id", finalize)
        routes.delete("\(base)/:model_id", delete)
        routes.patch("\(base)/:model_id/tags", setTags)
        routes.delete("\(base)/:model_id/tags/:tag_key", access: .scope(.write), deleteTag)
        routes.post("\(base)/:model_id/params", logParams)
    }

    private struct Body: Decodable {
        /// A string, as MLflow's schema asserts: a JSON number is refused.
        let experiment_id: String?
        let name: String?
        let model_type: String?
        let source_run_id: String?
        let params: [KeyValueDTO]?
        let tags: [KeyValueDTO]?
        let status: FlexibleString?
    }

    private func modelID(_ context: CairnRequestContext) throws(CairnError) -> String {
        try required(context.parameters.get("model_id"), "model_id")
    }

    private func respond(_ model: LoggedModel) -> Response {
        JSONResponse.object { w in
            w.keyPrefix("model")
            w.loggedModel(model)
        }
    }

    @Sendable func create(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(Body.self, context: context)
        let model = try await store.createLoggedModel(
            CreateLoggedModelRequest(
                experimentID: try required(body.experiment_id, "experiment_id"), name: body.name, modelType: body.model_type,
                sourceRunID: body.source_run_id, params: try (body.params ?? []).map { dto throws(CairnError) in try dto.param() },
                tags: try (body.tags ?? []).map { dto throws(CairnError) in try dto.tag(field: "tags") }
            ))
        return respond(model)
    }

    @Sendable func get(_ request: Request, context: CairnRequestContext) async throws -> Response {
        respond(try await store.loggedModel(id: try modelID(context)))
    }

    @Sendable func finalize(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(Body.self, context: context)
        var status = try required(body.status?.value, "status")
        let numbered = [
            "0": "LOGGED_MODEL_STATUS_UNSPECIFIED", "1": "LOGGED_MODEL_PENDING", "2": "LOGGED_MODEL_READY", "3": "LOGGED_MODEL_UPLOAD_FAILED",
        ]
        status = numbered[status] ?? status
        return respond(try await store.finalizeLoggedModel(id: try modelID(context), status: status))
    }

    @Sendable func delete(_ request: Request, context: CairnRequestContext) async throws -> Response {
        try await store.deleteLoggedModel(id: try modelID(context))
        return JSONResponse.empty
    }

    private struct SearchBody: Decodable {
        struct DatasetDTO: Decodable {
            let dataset_name: String?
            let dataset_digest: String?
        }
        struct OrderDTO: Decodable {
            let field_name: String?
            let ascending: Bool?
            let dataset_name: String?
            let dataset_digest: String?
        }
        let experiment_ids: [FlexibleString]?
        let filter: String?
        let datasets: [DatasetDTO]?
        let order_by: [OrderDTO]?
        let max_results: FlexibleInt64?
        let page_token: String?
    }

    @Sendable func search(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(SearchBody.self, context: context)
        let page = try await store.searchLoggedModels(
            LoggedModelSearchRequest(
                experimentIDs: try required(body.experiment_ids, "experiment_ids").map(\.value), filter: body.filter,
                datasets: (body.datasets ?? []).map { .init(name: $0.dataset_name, digest: $0.dataset_digest) },
                orderBy: try (body.order_by ?? []).map { order throws(CairnError) in
                    LoggedModelSearchRequest.Order(
                        field: try required(order.field_name, "order_by.field_name"), ascending: order.ascending ?? true,
                        dataset: order.dataset_name.map { .init(name: $0, digest: order.dataset_digest) })
                },
                maxResults: Int(body.max_results?.value ?? Int64(Limits.defaultLoggedModelsSearchResults)), pageToken: body.page_token
            ))
        return JSONResponse.object { w in
            w.array("models", page.items) { w, model in w.loggedModel(model) }
            w.field("next_page_token", page.nextPageToken)
        }
    }

    @Sendable func setTags(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(Body.self, context: context)
        let tags = try (body.tags ?? []).map { dto throws(CairnError) in try dto.tag(field: "tags") }
        return respond(try await store.setLoggedModelTags(id: try modelID(context), tags: tags))
    }

    @Sendable func deleteTag(_ request: Request, context: CairnRequestContext) async throws -> Response {
        try await store.deleteLoggedModelTag(id: try modelID(context), key: try required(context.parameters.get("tag_key"), "tag_key"))
        return JSONResponse.empty
    }

    @Sendable func logParams(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(Body.self, context: context)
        try await store.logLoggedModelParams(
            id: try modelID(context), params: try (body.params ?? []).map { dto throws(CairnError) in try dto.param() })
        return JSONResponse.empty
    }
}
