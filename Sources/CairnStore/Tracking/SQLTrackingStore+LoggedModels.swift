import CairnCore

extension SQLTrackingStore {
    static let loggedModelColumns = """
        m.model_id, m.experiment_id, m.name, m.artifact_location, m.creation_timestamp, m.last_updated_timestamp, \
        m.status, m.status_message, m.model_type, m.source_run_id
        """

    public func createLoggedModel(_ request: CreateLoggedModelRequest) async throws -> LoggedModel {
        let experiment = try await experiment(id: request.experimentID)
        try Self.requireActive(experiment)
        for tag in request.tags { try Validator.validateKey(tag.key, kind: "tag") }
        for param in request.params { try Validator.validateKey(param.key, kind: "param") }
        // The source run is not looked up: it may be a run of another tracking server (MLflow
        // stores the id as given too).
        let modelID = Identifiers.newLoggedModelID()
        let name = request.name.flatMap { $0.isEmpty ? nil : $0 } ?? Identifiers.newRunName()
        let now = Clock.nowMillis()
        let location = experiment.artifactLocation + "/models/" + modelID + "/artifacts"
        let experimentNumber = try Self.experimentNumber(experiment.id)
        try await database.withTransaction { tx in
            try await tx.execute(
                """
                INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_timestamp, last_updated_timestamp,
                    status, model_type, source_run_id)
                VALUES ($1, $2, $3, $4, $5, $5, 'LOGGED_MODEL_PENDING', $6, $7)
                """,
                [
                    .text(modelID), .int(experimentNumber), .text(name), .text(location), .int(now), .text(request.modelType ?? ""),
                    .text(request.sourceRunID ?? ""),
                ]
            )
            try await Self.upsertModelRows("logged_model_tags", request.tags.map { ($0.key, $0.value) }, modelID: modelID, tx)
            try await Self.upsertModelRows("logged_model_params", request.params.map { ($0.key, $0.value) }, modelID: modelID, tx)
        }
        return try await loggedModel(id: modelID)
    }

    public func loggedModel(id: String) async throws -> LoggedModel {
        var builder = SQLBuilder(
            "SELECT \(Self.loggedModelColumns) FROM logged_models m WHERE m.lifecycle_stage = 'active' AND m.model_id = ", dialect: dialect)
        builder.append(builder.bind(.text(id)))
        guard let model = try await loadLoggedModels(builder).first else {
            throw CairnError.notFound("Logged model with ID '\(id)' not found.")
        }
        return model
    }

    public func finalizeLoggedModel(id: String, status: String) async throws -> LoggedModel {
        guard LoggedModel.statuses.contains(status), status != "LOGGED_MODEL_STATUS_UNSPECIFIED" else {
            throw CairnError.invalidParameter("Invalid logged model status '\(status)'")
        }
        _ = try await loggedModel(id: id)
        try await database.execute(
            "UPDATE logged_models SET status = $1, last_updated_timestamp = $2 WHERE model_id = $3",
            [.text(status), .int(Clock.nowMillis()), .text(id)]
        )
        return try await loggedModel(id: id)
    }

    public func deleteLoggedModel(id: String) async throws {
        _ = try await loggedModel(id: id)
        try await database.execute(
            "UPDATE logged_models SET lifecycle_stage = 'deleted', last_updated_timestamp = $1 WHERE model_id = $2",
            [.int(Clock.nowMillis()), .text(id)]
        )
    }

    public func searchLoggedModels(_ request: LoggedModelSearchRequest) async throws -> Page<LoggedModel> {
        try Limits.checkSearchExperimentIDs(request.experimentIDs.count)
        let (offset, limit) = try SQLPaging.bounds(maxResults: request.maxResults, ceiling: Limits.maxRunsSearchResults, pageToken: request.pageToken)
        var builder = SQLBuilder("SELECT \(Self.loggedModelColumns) FROM logged_models m WHERE m.lifecycle_stage = 'active' AND ", dialect: dialect)
        let condition = try LoggedModelSearchCompiler.compile(filter: request.filter, datasets: request.datasets, into: &builder)
        let experiments = builder.inList("m.experiment_id", ints: request.experimentIDs.compactMap { Int64($0) })
        let order = try LoggedModelSearchCompiler.orderBy(request.orderBy, into: &builder)
        builder.append("\(dialect.deadlineCheck)\(experiments) AND (\(condition)) ORDER BY \(order)")
        builder.append(" LIMIT \(builder.bind(.int(Int64(limit + 1)))) OFFSET \(builder.bind(.int(Int64(offset))))")
        return SQLPaging.page(try await loadLoggedModels(builder), offset: offset, limit: limit)
    }

    public func setLoggedModelTags(id: String, tags: [Tag]) async throws -> LoggedModel {
        for tag in tags { try Validator.validateKey(tag.key, kind: "tag") }
        _ = try await loggedModel(id: id)
        try await database.withTransaction { tx in
            try await Self.upsertModelRows("logged_model_tags", tags.map { ($0.key, $0.value) }, modelID: id, tx)
            try await tx.execute("UPDATE logged_models SET last_updated_timestamp = $1 WHERE model_id = $2", [.int(Clock.nowMillis()), .text(id)])
        }
        return try await loggedModel(id: id)
    }

    public func deleteLoggedModelTag(id: String, key: String) async throws {
        let model = try await loggedModel(id: id)
        guard model.tags.contains(where: { $0.key == key }) else {
            throw CairnError.notFound("No tag with key '\(key)' found for logged model '\(id)'")
        }
        try await database.execute("DELETE FROM logged_model_tags WHERE model_id = $1 AND key = $2", [.text(id), .text(key)])
    }

    public func logLoggedModelParams(id: String, params: [Param]) async throws {
        for param in params { try Validator.validateKey(param.key, kind: "param") }
        _ = try await loggedModel(id: id)
        try await database.withTransaction { tx in
            try await Self.upsertModelRows("logged_model_params", params.map { ($0.key, $0.value) }, modelID: id, tx)
        }
    }

    /// Upserts key/value rows of a logged model's tag or param table (constant table names only).
    private static func upsertModelRows(_ table: String, _ rows: [(String, String)], modelID: String, _ tx: any SQLExecutor) async throws {
        for (key, value) in rows {
            try await tx.execute(
                "INSERT INTO \(table) (model_id, key, value) VALUES ($1, $2, $3) ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value",
                [.text(modelID), .text(key), .text(value)]
            )
        }
    }

    /// Runs a logged-model SELECT (columns ``loggedModelColumns``) and attaches tags, params and metrics.
    func loadLoggedModels(_ builder: SQLBuilder) async throws -> [LoggedModel] {
        var models = try await database.query(builder).map { row in
            LoggedModel(
                modelID: row.string(0), experimentID: String(row.int(1)), name: row.string(2), artifactLocation: row.string(3),
                creationTimestamp: row.int(4), lastUpdatedTimestamp: row.int(5), status: row.string(6), statusMessage: row.string(7),
                modelType: row.string(8), sourceRunID: row.string(9)
            )
        }
        guard !models.isEmpty else { return [] }
        let ids = models.map(\.modelID)
        var tags: [String: [Tag]] = [:]
        var params: [String: [Param]] = [:]
        var metrics: [String: [Metric]] = [:]
        for row in try await selectForModels("model_id, key, value FROM logged_model_tags", ids) {
            tags[row.string(0), default: []].append(Tag(key: row.string(1), value: row.string(2)))
        }
        for row in try await selectForModels("model_id, key, value FROM logged_model_params", ids) {
            params[row.string(0), default: []].append(Param(key: row.string(1), value: row.string(2)))
        }
        let metricColumns = "model_id, key, value, timestamp, step, is_nan, run_uuid, dataset_name, dataset_digest FROM logged_model_metrics"
        for row in try await selectForModels(metricColumns, ids, inInsertionOrder: true) {
            let value = row.int(5) != 0 ? Double.nan : row.double(2)
            let (datasetName, datasetDigest) = (row.string(7), row.string(8))
            metrics[row.string(0), default: []].append(
                Metric(
                    key: row.string(1), value: value, timestamp: row.int(3), step: row.int(4), runID: row.string(6), modelID: row.string(0),
                    datasetName: datasetName.isEmpty ? nil : datasetName, datasetDigest: datasetDigest.isEmpty ? nil : datasetDigest))
        }
        for index in models.indices {
            let id = models[index].modelID
            models[index].tags = tags[id] ?? []
            models[index].params = params[id] ?? []
            models[index].metrics = metrics[id] ?? []
        }
        return models
    }

    /// The rows of a model table for `ids`, in MLflow's order (its SQL store reads them without
    /// ORDER BY; on its SQLite backend that is the primary key's order for tags and params, by key
    /// in byte order, and insertion order for metrics).
    private func selectForModels(_ columnsAndTable: String, _ ids: [String], inInsertionOrder: Bool = false) async throws -> [SQLRow] {
        var builder = SQLBuilder("SELECT \(columnsAndTable) WHERE ", dialect: dialect)
        builder.append(builder.inList("model_id", texts: ids))
        if inInsertionOrder {
            builder.append(dialect == .postgres ? " ORDER BY model_id, seq" : " ORDER BY model_id, rowid")
        } else {
            builder.append(dialect == .postgres ? " ORDER BY model_id, key COLLATE \"C\"" : " ORDER BY model_id, key")
        }
        return try await database.query(builder)
    }
}
