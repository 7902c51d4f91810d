-- Each run's details version: bumped by every write of the run's metrics, params, tags, dataset
-- inputs or model inputs/outputs, in the same transaction (SQLTrackingStore+DetailVersions.swift).
-- A run search keeps the details it read under this version and reads them again only when it
-- has changed (RunDetailsCache.swift). Runs without a row are at version 0, so existing databases
-- need no backfill: creating the empty table takes no time whatever the database holds.
CREATE TABLE run_detail_versions (
    run_uuid TEXT PRIMARY KEY REFERENCES runs(run_uuid) ON DELETE CASCADE,
    version  BIGINT NOT NULL
);
