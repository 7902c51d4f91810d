import CairnCore
import CairnStore
import Hummingbird

/// MLflow's run endpoints (`/api/2.0/mlflow/runs/...`).
struct RunsController {
    let store: any TrackingStore
    /// Counts the metric points accepted.
    var metrics = ServerMetrics.disabled
    /// The JSON of searched runs' details, kept under their details versions.
    let detailsJSON = RunDetailsJSONCache()

    func register(_ routes: RouteRegistrar) {
        let base = "/api/2.0/mlflow/runs"
        routes.post("\(base)/create", create)
        routes.get("\(base)/get", get)
        routes.post("\(base)/update", update)
        routes.post("\(base)/delete", access: .scope(.admin), delete)
        routes.post("\(base)/restore", restore)
        routes.post("\(base)/log-metric", logMetric)
        routes.post("\(base)/log-parameter", logParameter)
        routes.post("\(base)/set-tag", setTag)
        routes.post("\(base)/delete-tag", deleteTag)
        routes.post("\(base)/log-batch", logBatch)
        routes.post("\(base)/search", access: .scope(.read), search)
        routes.post("\(base)/log-inputs", logInputs)
        routes.post("\(base)/outputs", logOutputs)
        routes.post("\(base)/log-model", logModel)
    }

    /// The fields the run endpoints take; `run_id` falls back to the legacy `run_uuid`.
    private struct RunBody: Decodable {
        let run_id: String?
        let run_uuid: String?
        /// A string, as MLflow's schema asserts: a JSON number is refused, not converted.
        let experiment_id: String?
        let user_id: String?
        let run_name: String?
        let start_time: FlexibleInt64?
        let end_time: FlexibleInt64?
        let status: FlexibleString?
        let tags: [KeyValueDTO]?
        let key: String?
        /// A string, as MLflow's schema asserts for `log-parameter` and `set-tag`.
        let value: String?
        let model_json: String?

        func runID() throws(CairnError) -> String {
            try required(run_id.flatMap { $0.isEmpty ? nil : $0 } ?? run_uuid, "run_id")
        }
    }

    @Sendable func create(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(RunBody.self, context: context)
        let tags = try (body.tags ?? []).map { dto throws(CairnError) in try dto.tag(field: "tags") }
        let run = try await store.createRun(
            CreateRunRequest(
                experimentID: body.experiment_id ?? Experiment.defaultID, userID: body.user_id ?? "", runName: body.run_name,
                startTime: body.start_time?.value, tags: tags
            ))
        return JSONResponse.object { w in
            w.keyPrefix("run")
            w.run(run)
        }
    }

    @Sendable func get(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let run = try await store.run(id: try required(request.query("run_id") ?? request.query("run_uuid"), "run_id"))
        return JSONResponse.object { w in
            w.keyPrefix("run")
            w.run(run)
        }
    }

    @Sendable func update(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(RunBody.self, context: context)
        let status = try body.status.map { text throws(CairnError) in try RunStatus(wire: text.value) }
        let info = try await store.updateRun(id: try body.runID(), status: status, endTime: body.end_time?.value, runName: body.run_name)
        return JSONResponse.object { w in
            w.keyPrefix("run_info")
            w.runInfo(info)
        }
    }

    @Sendable func delete(_ request: Request, context: CairnRequestContext) async throws -> Response {
        try await store.deleteRun(id: try request.decodeJSON(RunBody.self, context: context).runID())
        return JSONResponse.empty
    }

    @Sendable func restore(_ request: Request, context: CairnRequestContext) async throws -> Response {
        try await store.restoreRun(id: try request.decodeJSON(RunBody.self, context: context).runID())
        return JSONResponse.empty
    }

    @Sendable func logMetric(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let bytes = try await request.bodyBytes(context: context)
        let body = try LogBatchFastDecoder.decodeMetric(bytes) ?? Request.decodeJSON(MetricDTO.self, from: bytes)
        let runID = try required(body.run_id.flatMap { $0.isEmpty ? nil : $0 } ?? body.run_uuid, "run_id")
        // MLflow's log-metric schema requires these three (log-batch has its own messages).
        _ = (try required(body.key, "key"), try required(body.value, "value"), try required(body.timestamp, "timestamp"))
        try await store.logBatch(runID: runID, metrics: [try body.metric()], params: [], tags: [])
        self.metrics.recordIngested(points: 1)
        return JSONResponse.empty
    }

    @Sendable func logParameter(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(RunBody.self, context: context)
        let param = Param(key: try required(body.key, "key"), value: try required(body.value, "value"))
        try await store.logBatch(runID: try body.runID(), metrics: [], params: [param], tags: [])
        return JSONResponse.empty
    }

    @Sendable func setTag(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(RunBody.self, context: context)
        let tag = Tag(key: try required(body.key, "key"), value: try required(body.value, "value"))
        try await store.logBatch(runID: try body.runID(), metrics: [], params: [], tags: [tag])
        return JSONResponse.empty
    }

    @Sendable func deleteTag(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(RunBody.self, context: context)
        try await store.deleteRunTag(runID: try body.runID(), key: try required(body.key, "key"))
        return JSONResponse.empty
    }

    /// The body of `runs/log-batch` (also produced by ``LogBatchFastDecoder``).
    struct BatchBody: Decodable {
        let run_id: String?
        let run_uuid: String?
        let metrics: [MetricDTO]?
        let params: [KeyValueDTO]?
        let tags: [KeyValueDTO]?
    }

    @Sendable func logBatch(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let bytes = try await request.bodyBytes(context: context)
        let body = try LogBatchFastDecoder.decode(bytes) ?? Request.decodeJSON(BatchBody.self, from: bytes)
        let runID = try required(body.run_id.flatMap { $0.isEmpty ? nil : $0 } ?? body.run_uuid, "run_id")
        let metrics = try (body.metrics ?? []).map { dto throws(CairnError) in try dto.metric() }
        let params = try (body.params ?? []).map { dto throws(CairnError) in try dto.param() }
        let tags = try (body.tags ?? []).map { dto throws(CairnError) in try dto.tag(field: "tags") }
        try await store.logBatch(runID: runID, metrics: metrics, params: params, tags: tags)
        if !metrics.isEmpty { self.metrics.recordIngested(points: metrics.count) }
        return JSONResponse.empty
    }

    private struct SearchBody: Decodable {
        let experiment_ids: [FlexibleString]?
        let filter: String?
        let run_view_type: FlexibleString?
        let max_results: FlexibleInt64?
        let order_by: [String]?
        let page_token: String?
    }

    @Sendable func search(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(SearchBody.self, context: context)
        let page = try await store.searchVersionedRuns(
            RunSearchRequest(
                experimentIDs: (body.experiment_ids ?? []).map(\.value), filter: body.filter, orderBy: body.order_by ?? [],
                viewType: try ViewType(wire: body.run_view_type?.value),
                maxResults: Int(body.max_results?.value ?? Int64(Limits.defaultRunsSearchResults)),
                pageToken: body.page_token
            ))
        let details = await detailsJSON.json(for: page.items)
        return JSONResponse.object(capacity: details.reduce(512) { $0 + $1.count + 512 }) { w in
            w.array("runs", page.items.indices) { w, index in w.run(page.items[index].run.info, detailsJSON: details[index]) }
            w.field("next_page_token", page.nextPageToken)
        }
    }

    private struct InputsBody: Decodable {
        struct DatasetInputDTO: Decodable {
            struct DatasetDTO: Decodable {
                let name: String?
                let digest: String?
                let source_type: String?
                let source: String?
                let schema: String?
                let profile: String?
            }
            let tags: [KeyValueDTO]?
            let dataset: DatasetDTO?
        }
        struct ModelDTO: Decodable {
            let model_id: String?
            let step: FlexibleInt64?
        }
        let run_id: String?
        let datasets: [DatasetInputDTO]?
        let models: [ModelDTO]?
    }

    @Sendable func logInputs(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(InputsBody.self, context: context)
        let datasets = try (body.datasets ?? []).map { input throws(CairnError) -> DatasetInput in
            let dataset = try required(input.dataset, "datasets.dataset")
            return DatasetInput(
                name: try required(dataset.name, "dataset.name"), digest: try required(dataset.digest, "dataset.digest"),
                sourceType: dataset.source_type ?? "", source: dataset.source ?? "", schema: dataset.schema ?? "", profile: dataset.profile ?? "",
                tags: try (input.tags ?? []).map { dto throws(CairnError) in try dto.tag(field: "tags") }
            )
        }
        let models = try (body.models ?? []).map { model throws(CairnError) in try required(model.model_id, "models.model_id") }
        try await store.logInputs(runID: try required(body.run_id, "run_id"), datasets: datasets, modelIDs: models)
        return JSONResponse.empty
    }

    @Sendable func logOutputs(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(InputsBody.self, context: context)
        let models = try (body.models ?? []).map { model throws(CairnError) in
            ModelOutput(modelID: try required(model.model_id, "models.model_id"), step: model.step?.value ?? 0)
        }
        try await store.logOutputs(runID: try required(body.run_id, "run_id"), models: models)
        return JSONResponse.empty
    }

    /// The legacy `log-model`: appends the model JSON to the `mlflow.log-model.history` tag.
    @Sendable func logModel(_ request: Request, context: CairnRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(RunBody.self, context: context)
        let runID = try body.runID()
        try await store.appendLoggedModelHistory(runID: runID, modelJSON: try required(body.model_json, "model_json"))
        return JSONResponse.empty
    }
}

/// A metric as the wire sends it (log-metric body or a log-batch element).
struct MetricDTO: Decodable, Sendable {
    let run_id: String?
    let run_uuid: String?
    let key: String?
    let value: FlexibleDouble?
    let timestamp: FlexibleInt64?
    let step: FlexibleInt64?
    let model_id: String?
    let dataset_name: String?
    let dataset_digest: String?

    func metric() throws(CairnError) -> Metric {
        let key = try required(key, "key")
        guard let value else { throw .invalidParameter("Missing value for required parameter 'value' of metric '\(key)'") }
        try Validator.validateTimestamp(timestamp?.value, key: key)
        try Validator.validateMetricDataset(name: dataset_name, digest: dataset_digest)
        return Metric(
            key: key, value: value.value, timestamp: timestamp!.value, step: step?.value ?? 0,
            modelID: model_id.flatMap { $0.isEmpty ? nil : $0 }, datasetName: dataset_name.flatMap { $0.isEmpty ? nil : $0 },
            datasetDigest: dataset_digest.flatMap { $0.isEmpty ? nil : $0 }
        )
    }
}
