-- Each run's details version, as on PostgreSQL (migration 0018 there): Cairn bumps it in every
-- write of a run's metrics, params, tags, dataset inputs or model inputs/outputs. On SQLite run
-- searches do not keep details between requests (a single process, reading its own file), so
-- there are no triggers for other writers; the table keeps both engines' schemas alike.
CREATE TABLE run_detail_versions (
    run_uuid TEXT PRIMARY KEY REFERENCES runs(run_uuid) ON DELETE CASCADE,
    version  BIGINT NOT NULL
);
