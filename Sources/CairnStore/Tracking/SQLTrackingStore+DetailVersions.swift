import CairnCore

/// Each run's details version (`run_detail_versions`, PostgreSQL's migration 0018): a counter that every write
/// of the run's metrics, params, tags, dataset inputs or model inputs/outputs bumps in its own
/// transaction. ``VersionedCache`` keeps a search page's details under it. A run without a row
/// has version 0 (nothing written since it was created, or a run loaded straight into the tables
/// with triggers off).
///
/// Cairn bumps it first in each write: a writer then holds the run's version row before any other
/// row it locks, in every write path, so two writers of one run cannot wait on each other in
/// opposite orders. The bump marks the run bumped for the rest of the transaction
/// (`cairn.detail_version_bumped`), which tells the tables' triggers that it is done;
/// those triggers bump it for any other writer (an older replica during a rolling update, SQL run
/// by hand), so that no write leaves a search showing old details.
extension SQLTrackingStore {
    /// The bump as a statement of its own (`$1`: the run id), first in a write's transaction.
    private static let bumpDetailVersionSQL = bumpSQL(row: "VALUES ($1, 1)")

    /// The bump for a statement's `WITH`, only while the run is active (`$1`); it returns a row
    /// when it bumped, so that a statement's writes can wait for it (`WHERE EXISTS (SELECT 1 FROM bumped)`).
    static let bumpDetailVersionCTE = bumpSQL(row: "SELECT $1, 1 WHERE \(runIsActive)")

    /// The upsert of `row` (the run id and version 1), which marks the run bumped until the
    /// transaction ends, for the triggers.
    private static func bumpSQL(row: String) -> String {
        """
        INSERT INTO run_detail_versions (run_uuid, version) \(row)
        ON CONFLICT (run_uuid) DO UPDATE SET version = run_detail_versions.version + 1
        RETURNING set_config('cairn.detail_version_bumped', run_detail_versions.run_uuid, true)
        """
    }

    /// Bumps the run's version on PostgreSQL; on SQLite nothing reads versions (run searches keep
    /// no details there), so nothing is written.
    static func bumpDetailVersion(runID: String, _ tx: any SQLExecutor) async throws {
        guard tx.dialect == .postgres else { return }
        _ = try await tx.query(bumpDetailVersionSQL, [.text(runID)])
    }

    /// A run search's column of each run's details version (0 for a run without a row), read in
    /// the search's own statement, so before the details it validates (their later snapshot is
    /// no older). A scalar subquery: PostgreSQL evaluates an expensive output column after the
    /// sort and the limit, so it costs one primary-key probe per run of the page. As a statement
    /// of its own it cost a round trip and 0.4-0.5 ms of PostgreSQL per 100-run page.
    static let detailVersionColumn = "COALESCE((SELECT v.version FROM run_detail_versions v WHERE v.run_uuid = r.run_uuid), 0) AS dv"
}
