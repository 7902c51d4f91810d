import CairnCore

extension SQLTrackingStore {
    /// Active experiments whose name contains `nameContains` (case-insensitive; nil: all), newest
    /// first, at most `limit`, each with its active runs' count and last activity.
    public func experimentSummaries(nameContains: String?, limit: Int) async throws -> [ExperimentSummary] {
        var filter: String?
        // The search grammar's string has no escapes: quotes and backslashes are dropped from the text.
        let text = (nameContains ?? "").filter { $0 != "'" && $0 != "\\" && $0 != "\"" }
        if !text.isEmpty { filter = "name ILIKE '%\(text)%'" }
        let experiments = try await searchExperiments(
            ExperimentSearchRequest(filter: filter, orderBy: ["creation_time DESC"], maxResults: min(limit, 1000))
        ).items
        guard !experiments.isEmpty else { return [] }
        var builder = SQLBuilder("SELECT experiment_id, COUNT(*), MAX(COALESCE(end_time, start_time)) FROM runs WHERE ", dialect: dialect)
        builder.append(builder.inList("experiment_id", ints: experiments.compactMap { Int64($0.id) }))
        builder.append(" AND lifecycle_stage = 'active' GROUP BY experiment_id")
        var counts: [String: (Int64, Int64?)] = [:]
        for row in try await database.query(builder) {
            counts[String(row.int(0))] = (row.int(1), row[2].int)
        }
        return experiments.map { experiment in
            let (count, last) = counts[experiment.id] ?? (0, nil)
            return ExperimentSummary(experiment: experiment, runCount: count, lastActivity: last)
        }
    }

    /// One metric of a run reduced to at most four points per bucket by the M4 rule
    /// (``CairnCore/M4Downsampling``), computed in the database: only the kept points are read.
    /// NaN values are left out; the result is in step order. (Charts read
    /// ``metricCharts(_:axis:buckets:range:)``, which keeps these reductions.)
    public func metricSeriesDownsampled(runID: String, key: String, buckets: Int) async throws -> [Metric] {
        var builder = SQLBuilder("", dialect: dialect)
        let series = Self.seriesSubquery(runID: runID, key: key, into: &builder)
        return try await reduced(series: series, builder: builder, runID: runID, key: key, axis: .step, buckets: buckets, range: nil)
    }

    /// The M4 reduction of the series `series` (an SQL expression whose binds are in `builder`)
    /// over `axis`, optionally only the points whose axis value lies in `range`. Per bucket of the
    /// axis' range, the points with the lowest and highest axis value and the lowest and highest
    /// value survive; on the time axis the x of a point is its timestamp.
    func reduced(
        series: String, builder start: SQLBuilder, runID: String, key: String, axis: ChartAxis, buckets: Int, range: ClosedRange<Int64>?
    ) async throws -> [Metric] {
        guard (1...10_000).contains(buckets) else { throw CairnError.invalidParameter("buckets must be between 1 and 10000") }
        let real = dialect == .postgres ? "DOUBLE PRECISION" : "REAL"
        let (x, other) = axis == .step ? ("step", "timestamp") : ("timestamp", "step")
        var builder = start
        builder.append("WITH p AS (SELECT \(x) AS x, \(other) AS o, value FROM metric_points WHERE is_nan = 0 AND series_id = \(series)")
        if let range {
            builder.append(" AND \(x) BETWEEN \(builder.bind(.int(range.lowerBound))) AND \(builder.bind(.int(range.upperBound)))")
        }
        let b = builder.bind(.int(Int64(buckets)))
        let bucketExpression =
            dialect == .postgres
            ? "FLOOR((CAST(p.x AS \(real)) - r.lo) * \(b) / (CAST(r.hi AS \(real)) - r.lo + 1))"
            : "CAST((CAST(p.x AS \(real)) - r.lo) * \(b) / (CAST(r.hi AS \(real)) - r.lo + 1) AS INTEGER)"
        builder.append(
            """
            ), r AS (SELECT MIN(x) AS lo, MAX(x) AS hi FROM p),
            b AS (SELECT p.x, p.o, p.value, \(bucketExpression) AS bucket FROM p, r),
            g AS (SELECT bucket, MIN(x) AS x0, MAX(x) AS x1, MIN(value) AS v0, MAX(value) AS v1 FROM b GROUP BY bucket),
            e AS (SELECT b.bucket,
                MIN(CASE WHEN b.x = g.x0 THEN b.value END) AS f0, MIN(CASE WHEN b.x = g.x1 THEN b.value END) AS f1,
                MIN(CASE WHEN b.value = g.v0 THEN b.x END) AS x2, MIN(CASE WHEN b.value = g.v1 THEN b.x END) AS x3
                FROM b JOIN g ON g.bucket = b.bucket GROUP BY b.bucket)
            SELECT b.x, b.value, MIN(b.o) FROM b JOIN g ON g.bucket = b.bucket JOIN e ON e.bucket = b.bucket
            WHERE (b.x = g.x0 AND b.value = e.f0) OR (b.x = g.x1 AND b.value = e.f1)
               OR (b.x = e.x2 AND b.value = g.v0) OR (b.x = e.x3 AND b.value = g.v1)
            GROUP BY b.x, b.value ORDER BY b.x, b.value
            """)
        return try await database.query(builder).map { row in
            axis == .step
                ? Metric(key: key, value: row.double(1), timestamp: row.int(2), step: row.int(0), runID: runID)
                : Metric(key: key, value: row.double(1), timestamp: row.int(0), step: row.int(2), runID: runID)
        }
    }
}
