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
    /// (``CairnCore/M4Downsampling``). NaN values are left out; the result is in step order.
    /// (Charts read ``metricCharts(_:axis:buckets:range:)``, which keeps these reductions.)
    public func metricSeriesDownsampled(runID: String, key: String, buckets: Int) async throws -> [Metric] {
        try await metricSeriesDownsampled(runID: runID, key: key, buckets: buckets, chunkSize: Self.chartChunkSize)
    }

    /// The same, read `chunkSize` points at a time (tests read in small chunks).
    func metricSeriesDownsampled(runID: String, key: String, buckets: Int, chunkSize: Int) async throws -> [Metric] {
        var builder = SQLBuilder("", dialect: dialect)
        let series = Self.seriesSubquery(runID: runID, key: key, into: &builder)
        return try await reduced(
            series: series, builder: builder, runID: runID, key: key, axis: .step, buckets: buckets, range: nil, chunkSize: chunkSize)
    }

    /// How many points one read of a series for a chart takes (3 × 8 bytes each in memory).
    static let chartChunkSize = 100_000

    /// The M4 reduction of the series `series` (an SQL expression whose binds are in `builder`)
    /// over `axis`, optionally only the points whose axis value lies in `range`; on the time axis
    /// the x of a point is its timestamp, and points with equal x and value are told apart by
    /// the other axis.
    ///
    /// The points are read in primary-key order, `chunkSize` at a time after the last one
    /// read, into an ``CairnCore/M4Reduction`` over the x range read first: every statement is an
    /// index range of one series, whatever the planner's statistics say, and memory is bounded
    /// by the chunk. (Computing the rule in SQL joined the points to per-bucket aggregates; a
    /// series newer than PostgreSQL's statistics was estimated at one row, the joins became
    /// nested loops, and a 50,000-point chart hit the statement timeout.)
    func reduced(
        series: String, builder start: SQLBuilder, runID: String, key: String, axis: ChartAxis, buckets: Int, range: ClosedRange<Int64>?,
        chunkSize: Int = chartChunkSize
    ) async throws -> [Metric] {
        guard (1...10_000).contains(buckets) else { throw CairnError.invalidParameter("buckets must be between 1 and 10000") }
        let x = axis == .step ? "step" : "timestamp"
        func points(_ builder: inout SQLBuilder) {
            builder.append(" FROM metric_points WHERE series_id = \(series) AND is_nan = 0")
            if let range {
                builder.append(" AND \(x) BETWEEN \(builder.bind(.int(range.lowerBound))) AND \(builder.bind(.int(range.upperBound)))")
            }
        }
        var bounds = start
        bounds.append("SELECT MIN(\(x)), MAX(\(x))")
        points(&bounds)
        guard let row = try await database.query(bounds).first, let low = row[0].int, let high = row[1].int else { return [] }
        var reduction = M4Reduction(low: low, high: high, buckets: buckets)
        // The greatest primary key read so far (the rows' order is not relied on): where the next
        // chunk starts.
        var after: (timestamp: Int64, step: Int64, value: Double)?
        while true {
            var chunk = start
            if dialect == .postgres { chunk.append(HistoryColumns.select) }
            chunk.append("SELECT timestamp, step, value, is_nan")
            points(&chunk)
            if let after {
                chunk.append(
                    " AND (timestamp, step, value) > (\(chunk.bind(.int(after.timestamp))), \(chunk.bind(.int(after.step))), \(chunk.bind(.double(after.value))))"
                )
            }
            chunk.append(" ORDER BY timestamp, step, value LIMIT \(chunk.bind(.int(Int64(chunkSize)))) ")
            var read = 0
            func offer(timestamp: Int64, step: Int64, value: Double) {
                reduction.add(x: axis == .step ? step : timestamp, value: value, tie: axis == .step ? timestamp : step)
                if after.map({ (timestamp, step, value) > ($0.timestamp, $0.step, $0.value) }) ?? true { after = (timestamp, step, value) }
                read += 1
            }
            if dialect == .postgres {
                chunk.append(") AS page")
                if let columns = try await database.query(chunk, as: HistoryColumns.self).first {
                    for index in columns.steps.indices {
                        offer(timestamp: columns.timestamps[index], step: columns.steps[index], value: columns.values[index])
                    }
                }
            } else {
                for point in try await database.query(chunk, as: HistoryPoint.self) {
                    offer(timestamp: point.timestamp, step: point.step, value: point.value)
                }
            }
            guard read == chunkSize else { break }
        }
        return reduction.kept.map { point in
            axis == .step
                ? Metric(key: key, value: point.value, timestamp: point.tie, step: point.x, runID: runID)
                : Metric(key: key, value: point.value, timestamp: point.x, step: point.tie, runID: runID)
        }
    }
}
