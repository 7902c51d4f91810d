-- Each run's details version: bumped by every write of the run's metrics, params, tags, dataset
-- inputs or model inputs/outputs, in the same transaction (SQLTrackingStore+DetailVersions.swift).
-- A run search keeps the details it read under this version and reads them again only when it
-- has changed (RunDetailsCache.swift). Runs without a row are at version 0, so existing databases
-- need no backfill: creating the empty table takes no time whatever the database holds.
CREATE TABLE run_detail_versions (
    run_uuid TEXT PRIMARY KEY REFERENCES runs(run_uuid) ON DELETE CASCADE,
    version  BIGINT NOT NULL
);
-- Cairn bumps the version itself, first in each write (so that writers of one run lock it before
-- anything else), and marks the run bumped for the rest of the transaction
-- (cairn.detail_version_bumped). This trigger bumps it for any other writer of the five tables:
-- a replica of an older Cairn still serving during a rolling update, or SQL run by hand. It
-- leaves out rows of a run being deleted (a purge's cascade: the run is gone already).
CREATE FUNCTION cairn_bump_run_detail_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    run TEXT := CASE WHEN TG_OP = 'DELETE' THEN OLD.run_uuid ELSE NEW.run_uuid END;
BEGIN
    IF current_setting('cairn.detail_version_bumped', true) IS DISTINCT FROM run
        AND EXISTS (SELECT 1 FROM runs WHERE run_uuid = run) THEN
        INSERT INTO run_detail_versions (run_uuid, version) VALUES (run, 1)
        ON CONFLICT (run_uuid) DO UPDATE SET version = run_detail_versions.version + 1;
        PERFORM set_config('cairn.detail_version_bumped', run, true);
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER latest_metrics_detail_version BEFORE INSERT OR UPDATE OR DELETE ON latest_metrics
    FOR EACH ROW EXECUTE FUNCTION cairn_bump_run_detail_version();
CREATE TRIGGER params_detail_version BEFORE INSERT OR UPDATE OR DELETE ON params
    FOR EACH ROW EXECUTE FUNCTION cairn_bump_run_detail_version();
CREATE TRIGGER run_tags_detail_version BEFORE INSERT OR UPDATE OR DELETE ON run_tags
    FOR EACH ROW EXECUTE FUNCTION cairn_bump_run_detail_version();
CREATE TRIGGER run_dataset_inputs_detail_version BEFORE INSERT OR UPDATE OR DELETE ON run_dataset_inputs
    FOR EACH ROW EXECUTE FUNCTION cairn_bump_run_detail_version();
CREATE TRIGGER run_model_io_detail_version BEFORE INSERT OR UPDATE OR DELETE ON run_model_io
    FOR EACH ROW EXECUTE FUNCTION cairn_bump_run_detail_version();
