import CairnCore

extension SQLTrackingStore {
    /// The series id of each of `keys` (distinct) in `runID`, created where missing (migration
    /// 0007), in the order of `keys`. Keys are told apart by their bytes (``ExactKey``). Known
    /// series cost nothing (``MetricSeriesCache``); new ones two statements, outside any
    /// transaction, created only while the run is active.
    /// - Throws: 404 when the run does not exist, 400 when it is not active (then nothing is created).
    func seriesIDs(runID: String, keys: [ExactKey]) async throws -> [Int64] {
        var (known, missing) = seriesCache.lookup(runID: runID, keys: keys)
        if !missing.isEmpty {
            let created = try await createSeries(runID: runID, keys: missing.sorted())
            seriesCache.store(runID: runID, created)
            known.merge(created) { old, _ in old }
            if known.count < keys.count {
                _ = try await activeRunInfo(id: runID)  // throws the run's 404 or 400
                throw CairnError(.internalError, "The metric series of run \(runID) could not be created")
            }
        }
        return keys.map { known[$0]! }
    }

    /// Inserts the series of `keys` (sorted, so concurrent writers take the unique index's locks
    /// in one order) if the run is active, then reads their ids, existing or new. Two statements in
    /// one transaction (READ COMMITTED on PostgreSQL: the read's snapshot sees series a concurrent
    /// writer committed while the insert waited; on SQLite the writer's own connection).
    private func createSeries(runID: String, keys: [ExactKey]) async throws -> [ExactKey: Int64] {
        var insert = SQLBuilder("INSERT INTO metric_series (run_uuid, key) SELECT ", dialect: dialect)
        _ = insert.bind(.text(runID))
        switch dialect {
        case .postgres:
            insert.append("$1, k FROM unnest(\(insert.bind(.textArray(keys.map(\.text))))::text[]) AS k WHERE \(Self.runIsActive)")
        case .sqlite:
            let values = keys.map { "(\(insert.bind(.text($0.text))))" }.joined(separator: ",")
            insert.append("$1, k.column1 FROM (VALUES \(values)) AS k WHERE \(Self.runIsActive)")
        }
        insert.append(" ON CONFLICT DO NOTHING")
        var select = SQLBuilder("SELECT key, series_id FROM metric_series WHERE run_uuid = ", dialect: dialect)
        select.append("\(select.bind(.text(runID))) AND " + select.inList("key", texts: keys.map(\.text)))
        // Both on one connection: on SQLite a read connection may still hold an older snapshot
        // than the writer's insert (a concurrent request's series went missing there).
        let (insertSQL, insertBinds, selectSQL, selectBinds) = (insert.sql, insert.binds, select.sql, select.binds)
        let rows = try await database.withTransaction { tx in
            try await tx.execute(insertSQL, insertBinds)
            return try await tx.query(selectSQL, selectBinds)
        }
        return Dictionary(rows.map { (ExactKey($0.string(0)), $0.int(1)) }, uniquingKeysWith: { a, _ in a })
    }

    /// True while the run bound as `$1` exists and is active: the guard of every metric write.
    static let runIsActive = "EXISTS (SELECT 1 FROM runs WHERE run_uuid = $1 AND lifecycle_stage = 'active')"

    /// `(SELECT series_id FROM metric_series WHERE run_uuid = <run> AND key = <key>)`, bound into `builder`.
    static func seriesSubquery(runID: String, key: String, into builder: inout SQLBuilder) -> String {
        "(SELECT series_id FROM metric_series WHERE run_uuid = \(builder.bind(.text(runID))) AND key = \(builder.bind(.text(key))))"
    }
}
