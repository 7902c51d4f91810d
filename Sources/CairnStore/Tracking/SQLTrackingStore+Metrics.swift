import CairnCore

extension SQLTrackingStore {
    public func logBatch(runID: String, metrics: [Metric], params: [Param], tags: [Tag]) async throws {
        let keys = try Self.validateBatch(metrics: metrics, params: params, tags: tags)
        let metrics = metrics.contains(where: { $0.value.isInfinite }) ? metrics.map(\.stored) : metrics
        let params = params.map { Param(key: $0.key, value: Validator.truncated($0.value, to: Limits.maxParamValueLength)) }
        let tags = try Self.normalisedRunTags(tags)
        if dialect == .postgres, params.isEmpty, tags.isEmpty, !metrics.isEmpty, metrics.allSatisfy({ ($0.modelID ?? "").isEmpty }) {
            return try await logMetricsInOneStatement(runID: runID, metrics: metrics, keys: keys)
        }
        _ = try await activeRunInfo(id: runID)
        let seriesIDs = metrics.isEmpty ? [] : try await seriesIDs(runID: runID, keys: keys.keys)
        try await database.withTransaction { tx in
            try await Self.bumpDetailVersion(runID: runID, tx)
            if !params.isEmpty { try await Self.insertParams(params, runID: runID, tx) }
            if !tags.isEmpty { try await Self.upsertRunTags(tags, runID: runID, tx) }
            if !metrics.isEmpty { try await Self.insertMetrics(metrics, keys: keys, seriesIDs: seriesIDs, runID: runID, tx) }
        }
    }

    /// The training loop's hot path on PostgreSQL (`log-metric`, metrics-only `log-batch`): the
    /// same rules as the transaction below (the run must exist and be active; history with exact
    /// duplicates dropped; the latest-metric rule) in one statement, so one round trip and one
    /// implicit transaction instead of five round trips. Nothing is written unless the run is active.
    ///
    /// The statement first inserts the history without `ON CONFLICT` (see
    /// ``MetricRows/pointsInsert(_:seriesIDs:dialect:firstArrayBind:filter:duplicates:)``): when a
    /// point is already stored (a client's retry, a re-logged value) or repeated in the batch, the
    /// whole statement fails with a unique violation, nothing of it is kept, and it runs again with
    /// duplicates dropped.
    ///
    /// The statements are ``FixedStatement``s (the points are array binds): parsing and planning
    /// them was about 0.3 ms of PostgreSQL's 0.6 ms for a one-point `log-metric` (pgbench, prepared
    /// against unnamed). One point (`log-metric`) has its own pair, of scalar binds: no arrays to
    /// encode and unnest (PostgreSQL: 0.17 ms against 0.19, pgbench, fsync off).
    func logMetricsInOneStatement(runID: String, metrics: [Metric], keys: MetricBatchKeys) async throws {
        let seriesIDs = try await seriesIDs(runID: runID, keys: keys.keys)
        let (statement, retry, binds): (any FixedStatement.Type, any FixedStatement.Type, [SQLValue]) =
            metrics.count == 1
            ? (RecordMetric.self, RecordMetricSkippingDuplicate.self, Self.metricBinds(runID: runID, metrics[0], seriesID: seriesIDs[0]))
            : (RecordMetrics.self, RecordMetricsSkippingDuplicates.self, Self.metricsBinds(runID: runID, metrics, keys: keys, seriesIDs: seriesIDs))
        let rows: [RunStage]
        do {
            rows = try await database.query(statement, binds, as: RunStage.self)
        } catch let error as SQLDatabaseError where error.kind == .uniqueViolation {
            rows = try await database.query(retry, binds, as: RunStage.self)
        }
        guard let stage = rows.first?.stage else { throw CairnError.notFound("Run with id=\(runID) not found") }
        guard stage == LifecycleStage.active.rawValue else {
            throw CairnError.invalidParameter("The run \(runID) must be in the 'active' state. Current state is \(stage).")
        }
    }

    /// The statement of ``logMetricsInOneStatement(runID:metrics:)``: the run's details version
    /// bumped (only if the run is active; the writes wait for it, so it is locked first, see
    /// ``bumpDetailVersionCTE``), history insert, latest-value upsert, and the run's stage (`$1` is
    /// the run id; the points are array binds, see ``metricsBinds(runID:_:seriesIDs:)``).
    fileprivate static func metricsSQL(duplicates: MetricRows.DuplicatePoints) -> String {
        let history = MetricRows.pointsInsert([], seriesIDs: [], dialect: .postgres, firstArrayBind: 2, filter: bumped, duplicates: duplicates)
        let newest = MetricRows.postgresInsert(into: "latest_metrics", [], conflict: latestMetricConflict, firstArrayBind: 7, filter: bumped)
        return recordSQL(history: history.sql, newest: newest.sql, seriesIDs: "ANY($12::int8[])")
    }

    /// ``metricsSQL(duplicates:)`` for one point, of scalar binds (see ``metricBinds(runID:_:seriesID:)``).
    fileprivate static func metricSQL(duplicates: MetricRows.DuplicatePoints) -> String {
        let skip = duplicates == .skip ? " ON CONFLICT DO NOTHING" : ""
        return recordSQL(
            history: "INSERT INTO metric_points \(MetricRows.pointColumns) SELECT $2, $4, $5, $6, $7 WHERE \(bumped)\(skip)",
            newest: "INSERT INTO latest_metrics \(MetricRows.columns) SELECT $1, $3, $4, $5, $6, $7 WHERE \(bumped) \(latestMetricConflict)",
            seriesIDs: "$2")
    }

    /// The condition that holds once ``bumpDetailVersionCTE`` has bumped (the run is active).
    private static let bumped = "EXISTS (SELECT 1 FROM bumped)"

    /// The statement around a history insert and a latest-value upsert (both waiting for
    /// `bumped`): the bump first, then the dashboard's reductions of the series written dropped
    /// (`seriesIDs`: the series written, as `= <scalar>` or `= ANY(<array>)`; an index probe per
    /// series finds them empty unless a chart of it was viewed), and the run's stage returned
    /// (`$1` is the run id).
    private static func recordSQL(history: String, newest: String, seriesIDs: String) -> String {
        """
        WITH bumped AS (\(bumpDetailVersionCTE)), history AS (\(history)), newest AS (\(newest)),
        charts AS (DELETE FROM metric_chart_cache WHERE series_id = \(seriesIDs))
        SELECT lifecycle_stage FROM runs WHERE run_uuid = $1
        """
    }

    /// The binds of ``metricSQL(duplicates:)``: the run id, the series id, the key, then the
    /// timestamp, step, value and NaN flag (NaN is stored as value 0 with `is_nan` 1).
    private static func metricBinds(runID: String, _ metric: Metric, seriesID: Int64) -> [SQLValue] {
        [
            .text(runID), .int(seriesID), .text(metric.key), .int(metric.timestamp), .int(metric.step),
            .double(metric.value.isNaN ? 0 : metric.value), .int(metric.value.isNaN ? 1 : 0),
        ]
    }

    /// The binds of ``metricsSQL(duplicates:)``: the run id, the history's five arrays, the
    /// latest points' five, and the series ids (`seriesIDs`: one per key of `keys`), whose charts
    /// are dropped. The charts' ids are the distinct ones: the history's 1,000 ids of 10 series
    /// made PostgreSQL sort and deduplicate 1,000 array keys for the `= ANY` index scan, 2% of its
    /// time per batch (`perf`).
    private static func metricsBinds(runID: String, _ metrics: [Metric], keys: MetricBatchKeys, seriesIDs: [Int64]) -> [SQLValue] {
        [.text(runID)] + MetricRows.postgresPointsBinds(metrics, seriesIDs: keys.perPoint(seriesIDs))
            + MetricRows.postgresKeyedBinds(keys.latestPoints(metrics)) + [.intArray(seriesIDs.sorted())]
    }

    /// Upsert of `latest_metrics` that only replaces a value with a later one (MLflow's rule:
    /// step, then timestamp, then non-NaN over NaN, then value).
    static let latestMetricConflict =
        "ON CONFLICT (run_uuid, key) DO UPDATE SET timestamp = excluded.timestamp, step = excluded.step, value = excluded.value, is_nan = excluded.is_nan WHERE (excluded.step, excluded.timestamp, 1 - excluded.is_nan, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, 1 - latest_metrics.is_nan, latest_metrics.value)"

    /// Checks a batch's sizes, keys, timestamps and params; returns its metrics' keys.
    static func validateBatch(metrics: [Metric], params: [Param], tags: [Tag]) throws(CairnError) -> MetricBatchKeys {
        if metrics.count > Limits.maxMetricsPerBatch {
            throw .invalidParameter(
                "A batch logging request can contain at most \(Limits.maxMetricsPerBatch) metrics. Got \(metrics.count) metrics. Please split up metrics across multiple requests and try again."
            )
        }
        if params.count > Limits.maxParamsPerBatch {
            throw .invalidParameter(
                "A batch logging request can contain at most \(Limits.maxParamsPerBatch) params. Got \(params.count) params. Please split up params across multiple requests and try again."
            )
        }
        if tags.count > Limits.maxTagsPerBatch {
            throw .invalidParameter(
                "A batch logging request can contain at most \(Limits.maxTagsPerBatch) tags. Got \(tags.count) tags. Please split up tags across multiple requests and try again."
            )
        }
        let total = metrics.count + params.count + tags.count
        if total > Limits.maxEntitiesPerBatch {
            throw .invalidParameter(
                "A batch logging request can contain at most \(Limits.maxEntitiesPerBatch) total metrics, params, and tags. Got \(total). Please split up across multiple requests and try again."
            )
        }
        let keys = MetricBatchKeys(metrics)
        for (point, metric) in metrics.enumerated() {
            // A batch repeats a few keys many times (1,000 points of 10 keys): check each key once.
            if keys.firstPoint[keys.keyIndex[point]] == point {
                try Validator.validateKey(metric.key, kind: "metric")
            }
            try Validator.validateTimestamp(metric.timestamp, key: metric.key)
        }
        var seen = Set<String>()
        var duplicates: [String] = []
        for param in params {
            try Validator.validateKey(param.key, kind: "param")
            if !seen.insert(param.key).inserted { duplicates.append(param.key) }
        }
        if !duplicates.isEmpty {
            throw .invalidParameter(
                "Duplicate parameter keys have been submitted: \(duplicates). Please ensure the request contains only one param value per param key.")
        }
        return keys
    }

    /// Params are write-once: re-logging the same value is a no-op, a different value is a 400
    /// and the whole batch is rolled back.
    static func insertParams(_ params: [Param], runID: String, _ tx: any SQLExecutor) async throws {
        var builder = SQLBuilder("SELECT key, value FROM params WHERE run_uuid = ", dialect: tx.dialect)
        builder.append("\(builder.bind(.text(runID))) AND ")
        builder.append(builder.inList("key", texts: params.map(\.key)))
        let existing = Dictionary(try await tx.query(builder).map { ($0.string(0), $0.string(1)) }, uniquingKeysWith: { a, _ in a })
        for param in params {
            if let old = existing[param.key] {
                if old != param.value {
                    throw CairnError.invalidParameter(
                        "Changing param values is not allowed. Param with key='\(param.key)' was already logged with value='\(old)' for run ID='\(runID)'. Attempted logging new value '\(param.value)'."
                    )
                }
                continue
            }
            try await tx.execute(
                "INSERT INTO params (run_uuid, key, value) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                [.text(runID), .text(param.key), .text(param.value)]
            )
        }
    }

    /// Writes history (`seriesIDs[k]` is the series of `keys.keys[k]`; exact duplicates dropped
    /// by the primary key), the latest value per key (MLflow's rule, in the same transaction) and
    /// logged-model metrics, each as one statement.
    static func insertMetrics(
        _ metrics: [Metric], keys: MetricBatchKeys, seriesIDs: [Int64], runID: String, _ tx: any SQLExecutor
    ) async throws {
        try await tx.execute(MetricRows.pointsInsert(metrics, seriesIDs: keys.perPoint(seriesIDs), dialect: tx.dialect))
        var clear = SQLBuilder("DELETE FROM metric_chart_cache WHERE ", dialect: tx.dialect)
        clear.append(clear.inList("series_id", ints: seriesIDs.sorted()))
        try await tx.execute(clear.sql, clear.binds)
        try await tx.execute(
            MetricRows.insert(into: "latest_metrics", runID: runID, keys.latestPoints(metrics), conflict: latestMetricConflict, dialect: tx.dialect))
        let byModel = Dictionary(grouping: metrics.filter { !($0.modelID ?? "").isEmpty }, by: { $0.modelID! })
        for (modelID, points) in byModel.sorted(by: { $0.key < $1.key }) {
            for point in points {
                try await tx.execute(
                    """
                    INSERT INTO logged_model_metrics (model_id, run_uuid, key, timestamp, step, value, is_nan, dataset_name, dataset_digest)
                    SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 WHERE EXISTS (SELECT 1 FROM logged_models WHERE model_id = $1)
                    ON CONFLICT DO NOTHING
                    """,
                    [
                        .text(modelID), .text(runID), .text(point.key), .int(point.timestamp), .int(point.step),
                        .double(point.value.isNaN ? 0 : point.value), .int(point.value.isNaN ? 1 : 0), .text(point.datasetName ?? ""),
                        .text(point.datasetDigest ?? ""),
                    ]
                )
            }
        }
    }
}

/// ``SQLTrackingStore/logMetricsInOneStatement(runID:metrics:)``'s statement, history inserted
/// without `ON CONFLICT`.
private enum RecordMetrics: FixedStatement {
    static let name = "record_metrics"
    static let sql = SQLTrackingStore.metricsSQL(duplicates: .fail)
}

/// The same with exact duplicates dropped: the retry after a unique violation.
private enum RecordMetricsSkippingDuplicates: FixedStatement {
    static let name = "record_metrics_skipping_duplicates"
    static let sql = SQLTrackingStore.metricsSQL(duplicates: .skip)
}

/// The statement of one point (`log-metric`), history inserted without `ON CONFLICT`.
private enum RecordMetric: FixedStatement {
    static let name = "record_metric"
    static let sql = SQLTrackingStore.metricSQL(duplicates: .fail)
}

/// The same with an exact duplicate dropped: the retry after a unique violation.
private enum RecordMetricSkippingDuplicate: FixedStatement {
    static let name = "record_metric_skipping_duplicate"
    static let sql = SQLTrackingStore.metricSQL(duplicates: .skip)
}

/// The run's lifecycle stage, the one column the metrics statement returns.
private struct RunStage: SQLRowDecodable {
    let stage: String

    init<Cells: SQLCells>(cells: inout Cells) throws {
        stage = try cells.string()
    }
}
