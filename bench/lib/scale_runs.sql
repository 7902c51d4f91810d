-- bench/scale.sh: bulk load of runs :a .. :b - 1 into Cairn's own tables (as migrated), one
-- transaction, the rows that the API would have written for each run:
--   runs/create      runs row, tags mlflow.user, mlflow.source.type, mlflow.runName
--   runs/log-batch   10 params (request order), 2 more tags (dataset, team), 10 metrics with one
--                    point each: metric_series (one row per key, ids in key order, as Cairn's
--                    createSeries inserts sorted keys), metric_points, latest_metrics (keys in
--                    sorted order, as Cairn's latestPoints sorts them)
--   runs/update      status FINISHED, end_time
-- The `seq` columns of params, run_tags and latest_metrics (migration 0013, insertion order) and
-- metric_series.series_id come from their identity/sequence defaults in the ORDER BY order, so a
-- run's rows are numbered as one request would have numbered them.
-- The values come from bench/lib/scale_values.sql, which the peers' loader uses too. The tables'
-- triggers (migration 0018) bump each run's details version as the API's writes would.
--
-- psql variables: a, b (index range), exps and arts (array literals: run i belongs to experiment
-- exps[1 + i / per], whose artifact_location is arts[1 + i / per]), per, prefix (run uuid =
-- md5(prefix || i), name = 'run-' || i), t0 (start_time of run 0, ms; run i starts t0 + i s).
-- Each statement is preceded by `\echo step NAME` so that the
-- caller can attribute psql's `INSERT 0 n` and `Time:` lines.
\set ON_ERROR_STOP 1
\timing on
\echo step begin
BEGIN;
\ir scale_values.sql

\echo step runs
INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage)
SELECT run_uuid, experiment_id, name, 'bench', 'FINISHED', start_time, start_time + 600000,
       artifacts || '/' || run_uuid || '/artifacts', 'active'
FROM batch_runs ORDER BY i;

\echo step run_tags
INSERT INTO run_tags (run_uuid, key, value) SELECT run_uuid, key, value FROM batch_tags ORDER BY i, ord;

\echo step params
INSERT INTO params (run_uuid, key, value) SELECT run_uuid, key, value FROM batch_params ORDER BY i, ord;

\echo step metric_series
INSERT INTO metric_series (run_uuid, key)
SELECT b.run_uuid, m.key
FROM batch_runs b
CROSS JOIN (VALUES ('acc'), ('auc'), ('epoch_time'), ('f1'), ('loss'), ('precision'), ('recall'), ('throughput'),
                   ('val_acc'), ('val_loss')) AS m (key)
ORDER BY b.i, m.key;

\echo step metric_points
INSERT INTO metric_points (series_id, timestamp, step, value, is_nan)
SELECT s.series_id, bm.timestamp, 0, bm.value, 0
FROM batch_metrics bm JOIN metric_series s ON s.run_uuid = bm.run_uuid AND s.key = bm.key
ORDER BY bm.i, bm.key;

\echo step latest_metrics
INSERT INTO latest_metrics (run_uuid, key, timestamp, step, value, is_nan)
SELECT run_uuid, key, timestamp, 0, value, 0 FROM batch_metrics ORDER BY i, key;

\echo step commit
COMMIT;
