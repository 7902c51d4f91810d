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
        // As MLflow: the run is not looked up, an unknown run (or key) has no history.
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
        // As MLflow: runs in the order given (a repeated id is read again), an unknown run has no points.
        for runID in runIDs {
            let points = try await database.query(
                Self.sampledHistory(runID: runID, key: key, startStep: startStep, endStep: endStep, maxResults: maxResults, dialect: dialect),
                as: HistoryPoint.self)
            result += points.map { Metric(key: key, value: $0.value, timestamp: $0.timestamp, step: $0.step, runID: runID) }
        }
        return result
    }

    /// Up to `maxResults` points of the series in range, sampled in the database as MLflow 3.17's
    /// SQL store samples them (`_sample_rows_with_window_functions`): the rows in (step,
    /// timestamp, value) order are cut into `maxResults` buckets as `NTILE` cuts them and the
    /// first row of each is kept, then the last row replaces the last kept one when it is not
    /// already there. So `maxResults = 1` gives the last point, and every point comes back when
    /// there are no more than `maxResults`. The rule of ``sampledRows(count:maxResults:)``.
    static func sampledHistory(runID: String, key: String, startStep: Int64?, endStep: Int64?, maxResults: Int, dialect: SQLDialect) -> SQLBuilder {
        var builder = SQLBuilder(
            """
            WITH p AS (SELECT timestamp, step, value, is_nan, ROW_NUMBER() OVER (ORDER BY step, timestamp, value, is_nan) - 1 AS i, \
            COUNT(*) OVER () AS n FROM metric_points WHERE series_id = 
            """, dialect: dialect)
        builder.append(seriesSubquery(runID: runID, key: key, into: &builder))
        if let startStep { builder.append(" AND step >= \(builder.bind(.int(startStep)))") }
        if let endStep { builder.append(" AND step <= \(builder.bind(.int(endStep)))") }
        let m = builder.bind(.int(Int64(maxResults)))
        // NTILE(m) over n rows: q = n / m rows per bucket, the first r = n % m buckets one more.
        // Row i starts bucket b = i / (q + 1) when i < r (q + 1), else b = r + (i - r (q + 1)) / q.
        builder.append(
            """
            ), b AS (SELECT timestamp, step, value, is_nan, i, n, n / \(m) AS q, n - (n / \(m)) * \(m) AS r FROM p)
            SELECT timestamp, step, value, is_nan FROM b
            WHERE n <= \(m) OR i = n - 1
             OR (i < r * (q + 1) AND i - (i / (q + 1)) * (q + 1) = 0 AND i / (q + 1) < \(m) - 1)
             OR (i >= r * (q + 1) AND (i - r * (q + 1)) - ((i - r * (q + 1)) / q) * q = 0 AND r + (i - r * (q + 1)) / q < \(m) - 1)
            ORDER BY step, timestamp, value, is_nan
            """)
        return builder
    }

    /// The indices (0-based, in (step, timestamp, value) order) of the rows MLflow keeps out of
    /// `count` for `maxResults`: the first row of each of `maxResults` NTILE buckets, the last of
    /// them replaced by the last row. The reference for ``sampledHistory``.
    static func sampledRows(count: Int, maxResults: Int) -> [Int] {
        guard count > maxResults else { return Array(0..<count) }
        let (q, r) = (count / maxResults, count % maxResults)
        return (0..<maxResults - 1).map { b in b * q + min(b, r) } + [count - 1]
    }
}

/// A row of `SELECT timestamp, step, value, is_nan FROM metric_points`, read straight from the
/// engine's cells: a 50,000-point history is 200,000 cells. (Charts read their chunks of a
/// series with it too.)
struct HistoryPoint: SQLRowDecodable {
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
/// page costs one comparison per point). Charts read their chunks of a series with it too.
struct HistoryColumns: SQLRowDecodable {
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
