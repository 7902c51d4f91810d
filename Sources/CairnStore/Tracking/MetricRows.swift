import CairnCore

/// Builds the one-statement multi-row inserts of metric points: `unnest` of array binds on
/// PostgreSQL, a multi-row `VALUES` list on SQLite (the run id bound once and reused).
///
/// On PostgreSQL the arrays are unnested in the select list (`SELECT unnest($2), unnest($3), …`),
/// which PostgreSQL runs as a `ProjectSet` that hands each row straight to the insert, walking
/// the arrays in step. `FROM UNNEST($2, $3, …)` first copies every row into a tuple store: its
/// 1,000-row history inserts took 11% longer (2.94 s against 2.62 s for 1,000 of them, the mean
/// of 5 alternating runs, from binary arrays in a PL/pgSQL loop). The arrays of one statement
/// always have the same length, so the two forms give the same rows.
enum MetricRows {
    /// What a history insert does with a point already stored (MLflow drops exact duplicates).
    enum DuplicatePoints {
        /// Drop it (`ON CONFLICT DO NOTHING`).
        case skip
        /// Fail the statement with a unique violation (PostgreSQL only; see ``pointsInsert``).
        case fail
    }

    static let columns = "(run_uuid, key, timestamp, step, value, is_nan)"
    static let pointColumns = "(series_id, timestamp, step, value, is_nan)"

    /// An insert into a table keyed by run and key (`latest_metrics`), the run id in `$1`.
    static func insert(into table: String, runID: String, _ metrics: [Metric], conflict: String, dialect: SQLDialect) -> (String, [SQLValue]) {
        switch dialect {
        case .postgres:
            let insert = postgresInsert(into: table, metrics, conflict: conflict, firstArrayBind: 2)
            return (insert.sql, [.text(runID)] + insert.binds)
        case .sqlite:
            let rows = sqliteRows(metrics, leadingSQL: "$1,", firstBind: 2) { _, metric in .text(metric.key) }
            return ("INSERT INTO \(table) \(columns) VALUES \(rows.sql) \(conflict)", [.text(runID)] + rows.binds)
        }
    }

    /// The PostgreSQL insert with the run id in `$1` and the five column arrays bound from
    /// `$firstArrayBind` on (so two inserts can share one statement), rows kept only where
    /// `filter` holds.
    static func postgresInsert(
        into table: String, _ metrics: [Metric], conflict: String, firstArrayBind b: Int, filter: String? = nil
    ) -> (sql: String, binds: [SQLValue]) {
        let sql = """
            INSERT INTO \(table) \(columns)
            SELECT $1, unnest($\(b)::text[]), unnest($\(b + 1)::int8[]), unnest($\(b + 2)::int8[]), unnest($\(b + 3)::float8[]), unnest($\(b + 4)::int8[])
            \(filter.map { "WHERE " + $0 } ?? "") \(conflict)
            """
        return (sql, postgresKeyedBinds(metrics))
    }

    /// The history insert into `metric_points`: `seriesIDs[i]` is the series of `metrics[i]`.
    /// On PostgreSQL the five arrays are bound from `$firstArrayBind` on, and rows are kept only
    /// where `filter` holds (`$1` is left to the caller).
    ///
    /// `duplicates: .fail` leaves out `ON CONFLICT DO NOTHING` on PostgreSQL, so an exact
    /// duplicate point fails the statement (unique violation) instead of being dropped: the
    /// caller retries with `.skip`. PostgreSQL's speculative insertion, which `ON CONFLICT` needs
    /// for every row, costs about a third of the insert (pgbench, 1,000-row inserts with 8
    /// clients: 131–146 transactions/s with it, 200–247 without), and duplicates are rare.
    static func pointsInsert(
        _ metrics: [Metric], seriesIDs: [Int64], dialect: SQLDialect, firstArrayBind b: Int = 1, filter: String? = nil,
        duplicates: DuplicatePoints = .skip
    ) -> (sql: String, binds: [SQLValue]) {
        switch dialect {
        case .postgres:
            let sql = """
                INSERT INTO metric_points \(pointColumns)
                SELECT unnest($\(b)::int8[]), unnest($\(b + 1)::int8[]), unnest($\(b + 2)::int8[]), unnest($\(b + 3)::float8[]), unnest($\(b + 4)::int8[])
                \(filter.map { "WHERE " + $0 } ?? "")\(duplicates == .skip ? " ON CONFLICT DO NOTHING" : "")
                """
            return (sql, postgresPointsBinds(metrics, seriesIDs: seriesIDs))
        case .sqlite:
            let rows = sqliteRows(metrics, leadingSQL: "", firstBind: b) { index, _ in .int(seriesIDs[index]) }
            return ("INSERT INTO metric_points \(pointColumns) VALUES \(rows.sql) ON CONFLICT DO NOTHING", rows.binds)
        }
    }

    /// The array binds of ``postgresInsert(into:_:conflict:firstArrayBind:filter:)``: the keys,
    /// then the points. Built apart from the text for callers whose text is a ``FixedStatement``.
    static func postgresKeyedBinds(_ metrics: [Metric]) -> [SQLValue] {
        [.textArray(metrics.map(\.key))] + pointArrays(metrics)
    }

    /// The PostgreSQL binds of ``pointsInsert(_:seriesIDs:dialect:firstArrayBind:filter:duplicates:)``:
    /// the series ids, then the points.
    static func postgresPointsBinds(_ metrics: [Metric], seriesIDs: [Int64]) -> [SQLValue] {
        [.intArray(seriesIDs)] + pointArrays(metrics)
    }

    /// A point's timestamp, step, value and NaN flag as four PostgreSQL array binds (NaN is
    /// stored as value 0 with `is_nan` 1).
    private static func pointArrays(_ metrics: [Metric]) -> [SQLValue] {
        [
            .intArray(metrics.map(\.timestamp)), .intArray(metrics.map(\.step)),
            .doubleArray(metrics.map { $0.value.isNaN ? 0 : $0.value }), .intArray(metrics.map { $0.value.isNaN ? 1 : 0 }),
        ]
    }

    /// SQLite's `(…),(…)` rows: `leadingSQL` (constant placeholders, e.g. the run id's `$1,`),
    /// then five binds per point from `$firstBind` on: `leading` (the key or series id), timestamp,
    /// step, value and NaN flag.
    private static func sqliteRows(
        _ metrics: [Metric], leadingSQL: String, firstBind: Int, leading: (Int, Metric) -> SQLValue
    ) -> (sql: String, binds: [SQLValue]) {
        var binds: [SQLValue] = []
        binds.reserveCapacity(metrics.count * 5)
        var sql = ""
        for (index, metric) in metrics.enumerated() {
            let base = firstBind + index * 5
            sql += index == 0 ? "" : ","
            sql += "(\(leadingSQL)$\(base),$\(base + 1),$\(base + 2),$\(base + 3),$\(base + 4))"
            binds.append(leading(index, metric))
            binds.append(.int(metric.timestamp))
            binds.append(.int(metric.step))
            binds.append(.double(metric.value.isNaN ? 0 : metric.value))
            binds.append(.int(metric.value.isNaN ? 1 : 0))
        }
        return (sql, binds)
    }
}

extension SQLExecutor {
    func execute(_ statement: (String, [SQLValue])) async throws {
        _ = try await query(statement.0, statement.1)
    }
}
