import CairnCore

/// Each run's details version (`run_detail_versions`, migration 0018): a counter that every write
/// of the run's metrics, params, tags, dataset inputs or model inputs/outputs bumps in its own
/// transaction. ``RunDetailsCache`` keeps a search page's details under it. A run without a row
/// has version 0 (nothing written since it was created, or a run loaded straight into the tables
/// with triggers off).
///
/// Cairn bumps it first in each write: a writer then holds the run's version row before any other
/// row it locks, in every write path, so two writers of one run cannot wait on each other in
/// opposite orders. The bump marks the run bumped for the rest of the transaction
/// (`cairn.detail_version_bumped`), which tells the tables' triggers (PostgreSQL) that it is done;
/// those triggers bump it for any other writer (an older replica during a rolling update, SQL run
/// by hand), so that no write leaves a search showing old details.
extension SQLTrackingStore {
    /// The bump as a statement of its own (`$1`: the run id), first in a write's transaction.
    private static let bumpDetailVersionSQL = bumpSQL(returning: markBumped)
    private static let bumpDetailVersionSQLite = bumpSQL(returning: "version")

    private static func bumpSQL(returning: String) -> String {
        """
        INSERT INTO run_detail_versions (run_uuid, version) VALUES ($1, 1)
        ON CONFLICT (run_uuid) DO UPDATE SET version = run_detail_versions.version + 1 RETURNING \(returning)
        """
    }

    /// The bump for a statement's `WITH`, only while the run is active (`$1`); it returns a row
    /// when it bumped, so that a statement's writes can wait for it (`WHERE EXISTS (SELECT 1 FROM bumped)`).
    static let bumpDetailVersionCTE = """
        INSERT INTO run_detail_versions (run_uuid, version) SELECT $1, 1 WHERE \(runIsActive)
        ON CONFLICT (run_uuid) DO UPDATE SET version = run_detail_versions.version + 1 RETURNING \(markBumped)
        """

    /// Marks the run bumped until the transaction ends, for the triggers (SQLite has neither: its
    /// bump returns the version instead).
    private static let markBumped = "set_config('cairn.detail_version_bumped', run_detail_versions.run_uuid, true)"

    static func bumpDetailVersion(runID: String, _ tx: any SQLExecutor) async throws {
        _ = try await tx.query(tx.dialect == .postgres ? bumpDetailVersionSQL : bumpDetailVersionSQLite, [.text(runID)])
    }

    /// The details versions of `runIDs` (distinct), 0 for a run without a row. Read before the
    /// details it validates (a separate, earlier statement: its snapshot is no newer than theirs).
    func detailVersions(_ runIDs: [String]) async throws -> [String: Int64] {
        var versions: [String: Int64] = [:]
        versions.reserveCapacity(runIDs.count)
        for row in try await database.query(RunDetailVersionsStatement.self, [.textArray(runIDs)], as: RunDetailVersion.self) {
            versions[row.runID] = row.version
        }
        return versions
    }
}

/// ``SQLTrackingStore/detailVersions(_:)`` on PostgreSQL: one primary-key probe per id (a scalar
/// subquery, which PostgreSQL cannot turn into a join over the whole table).
private enum RunDetailVersionsStatement: FixedStatement {
    static let name = "run_detail_versions"
    static let sql = """
        SELECT ids.id, COALESCE((SELECT v.version FROM run_detail_versions v WHERE v.run_uuid = ids.id), 0)
        FROM unnest($1::text[]) AS ids(id)
        """
}

private struct RunDetailVersion: SQLRowDecodable {
    let runID: String
    let version: Int64

    init<Cells: SQLCells>(cells: inout Cells) throws {
        runID = try cells.string()
        version = try cells.int()
    }
}
