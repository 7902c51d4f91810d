import CairnCore
import CairnStore
import Hummingbird

/// MLflow's experiment endpoints (`/api/2.0/mlflow/experiments/...`).
struct ExperimentsController {
    let store: any TrackingStore

    func register(_ routes: RouteRegistrar) {
        let base = "/api/2.0/mlflow/experiments"
        routes.post("\(base)/create", create)
        routes.get("\(base)/get", get)
        routes.get("\(base)/get-by-name", getByName)
        routes.post("\(base)/search", access: .scope(.read), searchPOST)
        routes.get("\(base)/search", searchGET)
        routes.post("\(base)/update", update)
        routes.post("\(base)/delete", access: .scope(.admin), delete)
        routes.post("\(base)/restore", restore)
        routes.post("\(base)/set-experiment-tag", setTag)
        routes.post("\(base)/delete-experiment-tag", deleteTag)
        // UI-only: MLflow serves it under /ajax-api alone (its /api path has a typo, so it is a 404).
        routes.post("/ajax-api/2.0/mlflow/experiments/search-datasets", access: .scope(.read), searchDatasets)
    }

    private struct CreateBody: Decodable {
        let name: String?
        let artifact_location: String?
        let tags: [KeyValueDTO]?
    }

    @Sendable func create(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(CreateBody.self, context: context)
        let tags = try (body.tags ?? []).map { dto throws(CairnError) in try dto.tag(field: "tags") }
        let id = try await store.createExperiment(name: try required(body.name, "name"), artifactLocation: body.artifact_location, tags: tags)
        return JSONResponse.object { $0.field("experiment_id", id) }
    }

    @Sendable func get(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let experiment = try await store.experiment(id: try required(request.query("experiment_id"), "experiment_id"))
        return JSONResponse.object { w in
            w.keyPrefix("experiment")
            w.experiment(experiment)
        }
    }

    @Sendable func getByName(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let experiment = try await store.experiment(named: try required(request.query("experiment_name"), "experiment_name"))
        return JSONResponse.object { w in
            w.keyPrefix("experiment")
            w.experiment(experiment)
        }
    }

    private struct SearchDatasetsBody: Decodable {
        let experiment_ids: [String]?
    }

    /// The datasets logged to runs of the experiments, one per context; `{}` when there are none.
    @Sendable func searchDatasets(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(SearchDatasetsBody.self, context: context)
        let summaries = try await store.datasetSummaries(experimentIDs: body.experiment_ids ?? [])
        return JSONResponse.object { w in
            w.array("dataset_summaries", summaries) { w, summary in
                w.beginObject()
                w.field("experiment_id", summary.experimentID)
                w.field("name", summary.name)
                w.field("digest", summary.digest)
                w.field("context", summary.context)
                w.endObject()
            }
        }
    }

    private struct SearchBody: Decodable {
        let max_results: FlexibleInt64?
        let page_token: String?
        let filter: String?
        let order_by: [String]?
        let view_type: FlexibleString?
    }

    @Sendable func searchPOST(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(SearchBody.self, context: context)
        return try await search(
            ExperimentSearchRequest(
                filter: body.filter, orderBy: body.order_by ?? [], viewType: try ViewType(wire: body.view_type?.value),
                maxResults: Int(body.max_results?.value ?? Int64(Limits.defaultExperimentsSearchResults)), pageToken: body.page_token
            ))
    }

    @Sendable func searchGET(_ request: Request, context: CairnRequestContext) async throws -> Response {
        try await search(
            ExperimentSearchRequest(
                filter: request.query("filter"), orderBy: request.queryAll("order_by"), viewType: try ViewType(wire: request.query("view_type")),
                maxResults: Int(try request.queryInt("max_results") ?? Int64(Limits.defaultExperimentsSearchResults)),
                pageToken: request.query("page_token")
            ))
    }

    private func search(_ search: ExperimentSearchRequest) async throws -> Response {
        let page = try await store.searchExperiments(search)
        return JSONResponse.object { w in
            w.array("experiments", page.items) { w, e in w.experiment(e) }
            w.field("next_page_token", page.nextPageToken)
        }
    }

    private struct IDBody: Decodable {
        let experiment_id: FlexibleString?
        let new_name: String?
        let key: String?
        let value: FlexibleString?
    }

    @Sendable func update(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(IDBody.self, context: context)
        let id = try required(body.experiment_id?.value, "experiment_id")
        if let newName = body.new_name {
            try await store.renameExperiment(id: id, newName: newName)
        } else {
            _ = try await store.experiment(id: id)
        }
        return JSONResponse.empty
    }

    @Sendable func delete(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(IDBody.self, context: context)
        try await store.deleteExperiment(id: try required(body.experiment_id?.value, "experiment_id"))
        return JSONResponse.empty
    }

    @Sendable func restore(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(IDBody.self, context: context)
        try await store.restoreExperiment(id: try required(body.experiment_id?.value, "experiment_id"))
        return JSONResponse.empty
    }

    @Sendable func setTag(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(IDBody.self, context: context)
        let tag = Tag(key: try required(body.key, "key"), value: try required(body.value, "value").value)
        try await store.setExperimentTag(id: try required(body.experiment_id?.value, "experiment_id"), tag: tag)
        return JSONResponse.empty
    }

    @Sendable func deleteTag(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(IDBody.self, context: context)
        try await store.deleteExperimentTag(id: try required(body.experiment_id?.value, "experiment_id"), key: try required(body.key, "key"))
        return JSONResponse.empty
    }
}
