import CairnCore

extension SQLTrackingStore {
    static let runColumns = "r.run_uuid, r.experiment_id, r.name, r.user_id, r.status, r.start_time, r.end_time, r.artifact_uri, r.lifecycle_stage"
    /// The number of ``runColumns`` (a search's details version comes right after them).
    static let runColumnCount = runColumns.split(separator: ",").count
    static let runNameTag = "mlflow.runName"
    static let userTag = "mlflow.user"

    public func createRun(_ request: CreateRunRequest) async throws -> Run {
        let experiment = try await experiment(id: request.experimentID)
        try Self.requireActive(experiment)
        var tags = try Self.normalisedRunTags(request.tags)
        let tagName = tags.first(where: { $0.key == Self.runNameTag })?.value
        if let given = request.runName, !given.isEmpty, let tagName, tagName != given {
            throw CairnError.invalidParameter(
                "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='\(given)', mlflow.runName='\(tagName)')."
            )
        }
        let name = request.runName.flatMap { $0.isEmpty ? nil : $0 } ?? tagName ?? Identifiers.newRunName()
        if tagName == nil { tags.append(Tag(key: Self.runNameTag, value: name)) }
        let userID = request.userID.isEmpty ? (tags.first(where: { $0.key == Self.userTag })?.value ?? "") : request.userID
        let runID = Identifiers.newRunID()
        let startTime = request.startTime ?? Clock.nowMillis()
        let artifactURI = experiment.artifactLocation + "/" + runID + "/artifacts"
        let experimentNumber = try Self.experimentNumber(experiment.id)
        let runTags = tags
        try await database.withTransaction { tx in
            try await tx.execute(
                """
                INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, artifact_uri, lifecycle_stage)
                VALUES ($1, $2, $3, $4, 'RUNNING', $5, $6, 'active')
                """,
                [.text(runID), .int(experimentNumber), .text(name), .text(userID), .int(startTime), .text(artifactURI)]
            )
            try await Self.upsertRunTags(runTags, runID: runID, tx)
        }
        let info = RunInfo(
            runID: runID, runName: name, experimentID: experiment.id, userID: userID, status: .running,
            startTime: startTime, endTime: nil, artifactURI: artifactURI, lifecycleStage: .active
        )
        return Run(info: info, tags: tags.sorted { $0.key < $1.key })
    }

    public func run(id: String) async throws -> Run {
        var builder = SQLBuilder("SELECT \(Self.runColumns) FROM runs r WHERE r.run_uuid = ", dialect: dialect)
        builder.append(builder.bind(.text(id)))
        guard let run = try await loadRuns(builder).first else {
            throw CairnError.notFound("Run with id=\(id) not found")
        }
        return run
    }

    public func updateRun(id: String, status: RunStatus?, endTime: Int64?, runName: String?) async throws -> RunInfo {
        var info = try await activeRunInfo(id: id)
        if let status { info.status = status }
        if let endTime { info.endTime = endTime }
        if let runName, !runName.isEmpty { info.runName = runName }
        let updated = info
        try await database.withTransaction { tx in
            if let runName, !runName.isEmpty { try await Self.bumpDetailVersion(runID: id, tx) }  // the run name tag
            try await tx.execute(
                "UPDATE runs SET status = $1, end_time = $2, name = $3 WHERE run_uuid = $4",
                [.text(updated.status.rawValue), updated.endTime.map(SQLValue.int) ?? .null, .text(updated.runName), .text(id)]
            )
            if let runName, !runName.isEmpty {
                try await Self.upsertRunTags([Tag(key: Self.runNameTag, value: runName)], runID: id, tx)
            }
        }
        return updated
    }

    public func deleteRun(id: String) async throws {
        _ = try await runInfo(id: id)
        try await database.execute(
            "UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = $1 WHERE run_uuid = $2",
            [.int(Clock.nowMillis()), .text(id)]
        )
    }

    public func restoreRun(id: String) async throws {
        _ = try await runInfo(id: id)
        try await database.execute("UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE run_uuid = $1", [.text(id)])
    }

    public func deleteRunTag(runID: String, key: String) async throws {
        _ = try await activeRunInfo(id: runID)
        let rows = try await database.query("SELECT 1 FROM run_tags WHERE run_uuid = $1 AND key = $2", [.text(runID), .text(key)])
        guard !rows.isEmpty else {
            throw CairnError.notFound("No tag with name: \(key) in run with id \(runID)")
        }
        try await database.withTransaction { tx in
            try await Self.bumpDetailVersion(runID: runID, tx)
            try await tx.execute("DELETE FROM run_tags WHERE run_uuid = $1 AND key = $2", [.text(runID), .text(key)])
        }
    }

    /// A page of runs, paged by keyset: the page token holds the sort key of the page's last run
    /// and the next page is the runs after it (never an OFFSET, so the fiftieth page costs what
    /// the second does).
    public func searchRuns(_ request: RunSearchRequest) async throws -> Page<Run> {
        let page = try await searchVersionedRuns(request)
        return Page(items: page.items.map(\.run), nextPageToken: page.nextPageToken)
    }

    /// As ``searchRuns(_:)``, each run with the details version its details were read under
    /// (PostgreSQL; nil on SQLite), so that the caller can keep what it derives from them.
    public func searchVersionedRuns(_ request: RunSearchRequest) async throws -> Page<VersionedRun> {
        let (rows, token) = try await searchRunRows(request, detailVersions: dialect == .postgres)
        return Page(items: try await loadVersionedRuns(rows: rows), nextPageToken: token)
    }

    /// The dashboard's runs table: a page of the same search (same order, same keyset tokens),
    /// with only the metric and param columns asked for read besides the runs' attributes.
    public func searchRunTable(_ request: RunSearchRequest, metricKeys: [String], paramKeys: [String]) async throws -> Page<RunTableRow> {
        let (rows, token) = try await searchRunRows(request)
        let infos = rows.map(Self.runInfo)
        var metrics: [String: [String: Double]] = [:]
        var params: [String: [String: String]] = [:]
        let ids = infos.map(\.runID)
        // The two column reads go to the database at once (two pooled connections).
        var metricRead = SQLBuilder("SELECT run_uuid, key, value, is_nan FROM latest_metrics WHERE ", dialect: dialect)
        metricRead.append(metricRead.inList("run_uuid", texts: ids) + " AND " + metricRead.inList("key", texts: metricKeys))
        var paramRead = SQLBuilder("SELECT run_uuid, key, value FROM params WHERE ", dialect: dialect)
        paramRead.append(paramRead.inList("run_uuid", texts: ids) + " AND " + paramRead.inList("key", texts: paramKeys))
        let database = self.database
        async let metricRows = ids.isEmpty || metricKeys.isEmpty ? [] : database.query(metricRead)
        async let paramRows = ids.isEmpty || paramKeys.isEmpty ? [] : database.query(paramRead)
        for row in try await metricRows {
            metrics[row.string(0), default: [:]][row.string(1)] = row.int(3) == 1 ? .nan : row.double(2)
        }
        for row in try await paramRows {
            params[row.string(0), default: [:]][row.string(1)] = row.string(2)
        }
        let items = infos.map { RunTableRow(info: $0, metrics: metrics[$0.runID] ?? [:], params: params[$0.runID] ?? [:]) }
        return Page(items: items, nextPageToken: token)
    }

    /// The metric and param keys of one run, at most `limit` of each in key order (the runs
    /// table offers them as columns).
    public func runKeys(runID: String, limit: Int) async throws -> (metrics: [String], params: [String]) {
        let metrics = try await database.query(
            "SELECT key FROM latest_metrics WHERE run_uuid = $1 ORDER BY key LIMIT $2", [.text(runID), .int(Int64(limit))]
        ).map { $0.string(0) }
        let params = try await database.query(
            "SELECT key FROM params WHERE run_uuid = $1 ORDER BY key LIMIT $2", [.text(runID), .int(Int64(limit))]
        ).map { $0.string(0) }
        return (metrics, params)
    }

    /// The rows (``runColumns`` first, then with `detailVersions` ``detailVersionColumn``) of one
    /// page of a run search and the next page's token.
    private func searchRunRows(_ request: RunSearchRequest, detailVersions: Bool = false) async throws -> ([SQLRow], String?) {
        try Limits.checkSearchExperimentIDs(request.experimentIDs.count)
        let limit = try SQLPaging.limit(maxResults: request.maxResults, ceiling: Limits.maxRunsSearchResults)
        var builder = SQLBuilder("SELECT \(Self.runColumns)" + (detailVersions ? ", " + Self.detailVersionColumn : ""), dialect: dialect)
        let compiled = try RunSearchCompiler.compile(filter: request.filter, orderBy: request.orderBy, into: &builder)
        let keys = compiled.sortKeys
        let search = KeysetPageToken.fingerprint(
            [request.filter ?? "", request.orderBy.joined(separator: "\u{1E}"), request.experimentIDs.joined(separator: ","), "\(request.viewType)"])
        let after = try KeysetPageToken.decode(request.pageToken, search: search, count: keys.count)
        for (index, key) in keys.enumerated() { builder.append(", \(key.expression) AS k\(index)") }
        builder.append(" FROM runs r " + compiled.joinSQL + " WHERE ")
        let experimentNumbers = request.experimentIDs.compactMap { Int64($0) }
        guard !experimentNumbers.isEmpty else { return ([], nil) }
        let experiments = builder.inList("r.experiment_id", ints: experimentNumbers)
        let stages = builder.inList("r.lifecycle_stage", texts: request.viewType.stages.map(\.rawValue))
        builder.append("\(dialect.deadlineCheck)\(experiments) AND \(stages) AND (\(compiled.whereSQL))")
        if let after { builder.append(" AND " + SQLPaging.keysetCondition(keys, after: after, into: &builder)) }
        builder.append(" ORDER BY \(compiled.orderBySQL) LIMIT \(builder.bind(.int(Int64(limit + 1))))")
        let rows = try await database.query(builder)
        guard rows.count > limit else { return (rows, nil) }
        let last = rows[limit - 1]
        let keyset = (0..<keys.count).map { SQLPaging.keysetValue(last[last.count - keys.count + $0]) }
        return (Array(rows.prefix(limit)), KeysetPageToken(keyset: keyset, search: search).encoded())
    }

    public func logInputs(runID: String, datasets: [DatasetInput], modelIDs: [String]) async throws {
        for dataset in datasets { try Validator.validateDatasetInput(dataset) }
        _ = try await activeRunInfo(id: runID)
        try await database.withTransaction { tx in
            try await Self.bumpDetailVersion(runID: runID, tx)
            for dataset in datasets {
                let context = dataset.tags.first(where: { $0.key == "mlflow.data.context" })?.value ?? ""
                try await tx.execute(
                    """
                    INSERT INTO run_dataset_inputs (run_uuid, name, digest, source_type, source, schema, profile, context, tags_json)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING
                    """,
                    [
                        .text(runID), .text(dataset.name), .text(dataset.digest), .text(dataset.sourceType), .text(dataset.source),
                        .text(dataset.schema), .text(dataset.profile), .text(context), .text(TagCodec.encode(dataset.tags)),
                    ]
                )
            }
            for modelID in modelIDs {
                try await tx.execute(
                    "INSERT INTO run_model_io (run_uuid, direction, model_id, step) VALUES ($1, 'input', $2, 0) ON CONFLICT DO NOTHING",
                    [.text(runID), .text(modelID)]
                )
            }
        }
    }

    public func logOutputs(runID: String, models: [ModelOutput]) async throws {
        _ = try await activeRunInfo(id: runID)
        try await database.withTransaction { tx in
            try await Self.bumpDetailVersion(runID: runID, tx)
            for model in models {
                try await tx.execute(
                    """
                    INSERT INTO run_model_io (run_uuid, direction, model_id, step) VALUES ($1, 'output', $2, $3)
                    ON CONFLICT (run_uuid, direction, model_id) DO UPDATE SET step = excluded.step
                    """,
                    [.text(runID), .text(model.modelID), .int(model.step)]
                )
            }
        }
    }

    // MARK: Helpers

    /// The run's attributes, or 404.
    public func runInfo(id: String) async throws -> RunInfo {
        var builder = SQLBuilder("SELECT \(Self.runColumns) FROM runs r WHERE r.run_uuid = ", dialect: dialect)
        builder.append(builder.bind(.text(id)))
        guard let row = try await database.query(builder).first else {
            throw CairnError.notFound("Run with id=\(id) not found")
        }
        return Self.runInfo(row)
    }

    /// The run's attributes, or 404 when missing and 400 when deleted (MLflow's rule for writes).
    func activeRunInfo(id: String) async throws -> RunInfo {
        let info = try await runInfo(id: id)
        guard info.lifecycleStage == .active else {
            throw CairnError.invalidParameter("The run \(id) must be in the 'active' state. Current state is \(info.lifecycleStage.rawValue).")
        }
        return info
    }

    static func runInfo(_ row: SQLRow) -> RunInfo {
        RunInfo(
            runID: row.string(0), runName: row.string(2), experimentID: String(row.int(1)), userID: row.string(3),
            status: RunStatus(rawValue: row.string(4)) ?? .running, startTime: row.int(5), endTime: row.optionalInt(6),
            artifactURI: row.string(7), lifecycleStage: LifecycleStage(rawValue: row.string(8)) ?? .active
        )
    }

    /// Validates run tags and truncates long values, as MLflow does.
    static func normalisedRunTags(_ tags: [Tag]) throws(CairnError) -> [Tag] {
        var result: [Tag] = []
        for tag in tags {
            try Validator.validateKey(tag.key, kind: "tag")
            result.append(Tag(key: tag.key, value: Validator.truncated(tag.value, to: Limits.maxRunTagValueLength)))
        }
        return result
    }

    static func upsertRunTags(_ tags: [Tag], runID: String, _ tx: any SQLExecutor) async throws {
        for tag in tags {
            try await tx.execute(
                "INSERT INTO run_tags (run_uuid, key, value) VALUES ($1, $2, $3) ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value",
                [.text(runID), .text(tag.key), .text(tag.value)]
            )
            if tag.key == runNameTag {
                try await tx.execute("UPDATE runs SET name = $1 WHERE run_uuid = $2", [.text(tag.value), .text(runID)])
            }
        }
    }
}
