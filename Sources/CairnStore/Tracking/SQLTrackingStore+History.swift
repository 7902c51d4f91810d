import CairnCore

extension SQLTrackingStore {
    public func metricHistory(runID: String, key: String, offset: Int, limit: Int?) async throws -> Page<Metric> {
        if let limit, limit < 1 {
            throw CairnError.invalidParameter("Invalid value \(limit) for parameter 'max_results' supplied. It must be a positive integer.")
        }
        if let limit, limit > Limits.maxHistoryPageSize {
            throw CairnError.invalidParameter(
                "Invalid value \(limit) for parameter 'max_results': it must be between 1 and \(Limits.maxHistoryPageSize)")
        }
        _ = try await runInfo(id: runID)
        var builder = SQLBuilder(dialect == .postgres ? HistoryColumns.select : "", dialect: dialect)
        builder.append("SELECT timestamp, step, value, is_nan FROM metric_points WHERE series_id = ")
        builder.append(Self.seriesSubquery(runID: runID, key: key, into: &builder) + " ORDER BY timestamp, step, value")
        if let limit {
            builder.append(" LIMIT \(builder.bind(.int(Int64(limit + 1)))) OFFSET \(builder.bind(.int(Int64(offset))))")
        } else if offset > 0 {
            builder.append("\(dialect == .sqlite ? " LIMIT -1" : "") OFFSET \(builder.bind(.int(Int64(offset))))")
        }
        let rows: [HistoryPoint]
        if dialect == .postgres {
            builder.append(") AS page")
            rows = HistoryColumns.points(try await database.query(builder, as: HistoryColumns.self))
        } else {
            rows = try await database.query(builder, as: HistoryPoint.self)
        }
        let points = rows.map { point in Metric(key: key, value: point.value, timestamp: point.timestamp, step: point.step) }
        guard let limit else { return Page(items: points, nextPageToken: nil) }
        return SQLPaging.page(points, offset: offset, limit: limit)
    }

    public func metricHistoryBulkInterval(runIDs: [String], key: String, startStep: Int64?, endStep: Int64?, maxResults: Int) async throws -> [Metric]
    {
        // MLflow's order: run_ids (present, at most 100), metric_key, max_results, then the steps.
        let suffix = MLflowMessages.apiDocsSuffix
        guard !runIDs.isEmpty else { throw CairnError.invalidParameter(MLflowMessages.missingValue("run_ids")) }
        guard runIDs.count <= Limits.maxHistoryBulkRunIDs else {
            throw CairnError.invalidParameter(
                "GetMetricHistoryBulkInterval request must specify at most \(Limits.maxHistoryBulkRunIDs) run_ids. Received \(runIDs.count) run_ids.\(suffix)"
            )
        }
        guard !key.isEmpty else { throw CairnError.invalidParameter(MLflowMessages.missingValue("metric_key")) }
        guard (1...Limits.maxHistoryBulkResults).contains(maxResults) else {
            throw CairnError.invalidParameter("max_results must be between 1 and \(Limits.maxHistoryBulkResults).\(suffix)")
        }
        guard (startStep == nil) == (endStep == nil) else {
            throw CairnError.invalidParameter("If either start step or end step are specified, both must be specified.")
        }
        if let startStep, let endStep, startStep > endStep {
            throw CairnError.invalidParameter("end_step must be greater than start_step. Found start_step=\(startStep) and end_step=\(endStep).")
        }
        var result: [Metric] = []
        // Duplicate ids would return (and read) the same history twice.
        for runID in Set(runIDs).sorted() {
            _ = try await runInfo(id: runID)
            let points = try await database.query(
                Self.sampledHistory(runID: runID, key: key, startStep: startStep, endStep: endStep, maxResults: maxResults, dialect: dialect),
                as: HistoryPoint.self)
            result += points.map { Metric(key: key, value: $0.value, timestamp: $0.timestamp, step: $0.step, runID: runID) }
        }
        return result
    }

    /// The points of up to `maxResults` steps spread evenly over the series' distinct steps in
    /// range (the first and last always among them), sampled in the database so only the chosen
    /// points leave it. Step `i` of `n` (0-based) is kept when it is `floor(k * (n - 1) / (m - 1))`
    /// for some `k` in `0..<m`, i.e. when `k = ceil(i * (m - 1) / (n - 1))` maps back to `i`: the
    /// rule of ``sampledSteps(_:maxResults:)``, in integer arithmetic both engines share.
    static func sampledHistory(runID: String, key: String, startStep: Int64?, endStep: Int64?, maxResults: Int, dialect: SQLDialect) -> SQLBuilder {
        var builder = SQLBuilder("WITH d AS (SELECT DISTINCT step FROM metric_points WHERE series_id = ", dialect: dialect)
        func range(_ column: String, _ builder: inout SQLBuilder) {
            if let startStep { builder.append(" AND \(column) >= \(builder.bind(.int(startStep)))") }
            if let endStep { builder.append(" AND \(column) <= \(builder.bind(.int(endStep)))") }
        }
        builder.append(seriesSubquery(runID: runID, key: key, into: &builder))
        range("step", &builder)
        builder.append("), s AS (SELECT step, ROW_NUMBER() OVER (ORDER BY step) - 1 AS i, COUNT(*) OVER () AS n FROM d)")
        let m = builder.bind(.int(Int64(maxResults)))
        builder.append(" SELECT p.timestamp, p.step, p.value, p.is_nan FROM metric_points p JOIN s ON s.step = p.step WHERE p.series_id = ")
        builder.append(seriesSubquery(runID: runID, key: key, into: &builder))
        range("p.step", &builder)
        builder.append(
            """
             AND (s.n <= \(m) OR (\(m) = 1 AND s.i = 0)
              OR ((s.i * (\(m) - 1) + s.n - 2) / NULLIF(s.n - 1, 0)) * (s.n - 1) / NULLIF(\(m) - 1, 0) = s.i)
             ORDER BY p.step, p.timestamp, p.value
            """)
        return builder
    }

    /// Up to `maxResults` steps spread evenly over `steps`, always keeping the first and last.
    static func sampledSteps(_ steps: [Int64], maxResults: Int) -> Set<Int64> {
        guard steps.count > maxResults else { return Set(steps) }
        if maxResults == 1 { return [steps[0]] }
        var chosen = Set<Int64>()
        for i in 0..<maxResults {
            chosen.insert(steps[i * (steps.count - 1) / (maxResults - 1)])
        }
        return chosen
    }
}

/// A row of `SELECT timestamp, step, value, is_nan FROM metric_points`, read straight from the
/// engine's cells: a 50,000-point history is 200,000 cells.
private struct HistoryPoint: SQLRowDecodable {
    let timestamp: Int64, step: Int64, value: Double

    init(timestamp: Int64, step: Int64, value: Double) {
        (self.timestamp, self.step, self.value) = (timestamp, step, value)
    }

    init<Cells: SQLCells>(cells: inout Cells) throws {
        timestamp = try cells.int()
        step = try cells.int()
        let stored = try cells.double()
        value = try cells.int() != 0 ? .nan : stored
    }

    /// The history's order: timestamp, step, then the stored value (0 for NaN, as the table keeps it).
    static func inOrder(_ a: HistoryPoint, _ b: HistoryPoint) -> Bool {
        (a.timestamp, a.step, a.value.isNaN ? 0 : a.value) < (b.timestamp, b.step, b.value.isNaN ? 0 : b.value)
    }
}

/// A page of history on PostgreSQL as one row of three arrays (timestamps, steps, values with
/// NaN folded in) aggregated over the page's rows.
///
/// Sent as 50,000 rows, a history cost Cairn about 200 ms of CPU per fetch, most of it per row:
/// postgres-nio's handling of each `DataRow` message on the event loop, then the row iterator and
/// cell reads; as three binary arrays it is one message read in three tight loops. The arrays
/// are filled from the same rows in the same pass, so their elements correspond; their order is
/// the ordered subquery's in practice, and is restored in Swift regardless (a pass over a sorted
/// page costs one comparison per point).
private struct HistoryColumns: SQLRowDecodable {
    /// The aggregate over the page's query, which follows it and is closed by `) AS page`.
    static let select = """
        SELECT array_agg(timestamp), array_agg(step), array_agg(CASE WHEN is_nan = 1 THEN CAST('NaN' AS DOUBLE PRECISION) ELSE value END) FROM (
        """

    let timestamps: [Int64], steps: [Int64], values: [Double]

    init<Cells: SQLCells>(cells: inout Cells) throws {
        timestamps = try cells.intArray()
        steps = try cells.intArray()
        values = try cells.doubleArray()
        guard timestamps.count == steps.count, steps.count == values.count else {
            throw SQLDatabaseError(.other, "history arrays of different lengths: \(timestamps.count), \(steps.count), \(values.count)")
        }
    }

    /// The points of the one row the aggregate returns, in the history's order.
    static func points(_ rows: [HistoryColumns]) -> [HistoryPoint] {
        guard let columns = rows.first else { return [] }
        var points: [HistoryPoint] = []
        points.reserveCapacity(columns.timestamps.count)
        for index in columns.timestamps.indices {
            points.append(HistoryPoint(timestamp: columns.timestamps[index], step: columns.steps[index], value: columns.values[index]))
        }
        points.sort(by: HistoryPoint.inOrder)
        return points
    }
}
