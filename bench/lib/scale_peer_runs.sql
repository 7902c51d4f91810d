-- bench/scale.sh: bulk load of runs :a .. :b - 1 into a peer's own schema, MLflow 3.17.2's
-- (SqlAlchemyStore's tables as its migrations create them) or FastTrackML 0.6.0's (MLflow's tables
-- plus runs.row_num, metrics.iter + context_id, latest_metrics.last_iter + context_id, and
-- params.value_str instead of value). The same runs as bench/lib/scale_runs.sql puts into Cairn's
-- tables: run uuid md5(prefix || i), name 'run-' || i, the same start/end times, status, 5 tags,
-- 10 params and 10 metrics (one point at step 0 each, and the same latest values), every value from
-- bench/lib/scale_values.sql, which Cairn's loader uses too. The rows are the ones each server
-- writes for runs/create + runs/log-batch + runs/update of such a run:
--   runs            source_type UNKNOWN, source_name/entry_point_name/source_version '' (as both
--                   servers' create_run store them), deleted_time NULL; FastTrackML: row_num =
--                   the next numbers after the largest so far (its create_run takes max + 1)
--   tags            the 5 tags the Cairn load stores (mlflow.user, mlflow.source.type,
--                   mlflow.runName, dataset, team)
--   metrics, latest_metrics
--                   FastTrackML: iter 1 / last_iter 1, context_id of its empty context {}
-- One transaction per call; statements are marked with `\echo step NAME` as in scale_runs.sql.
-- psql variables: a, b, exps, arts, per, prefix, t0 (as scale_runs.sql; exps and arts are the
-- peer's own experiment ids and artifact locations), fml (true for FastTrackML, false for MLflow).
\set ON_ERROR_STOP 1
\timing on
\echo step begin
BEGIN;
\ir scale_values.sql

\echo step runs
\if :fml
INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time,
                  source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time, row_num)
SELECT run_uuid, name, 'UNKNOWN', '', '', 'bench', 'FINISHED', start_time, start_time + 600000, '', 'active',
       artifacts || '/' || run_uuid || '/artifacts', experiment_id, NULL,
       (SELECT coalesce(max(row_num), -1) FROM runs) + row_number() OVER (ORDER BY i)
FROM batch_runs ORDER BY i;
\else
INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time,
                  source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time)
SELECT run_uuid, name, 'UNKNOWN', '', '', 'bench', 'FINISHED', start_time, start_time + 600000, '', 'active',
       artifacts || '/' || run_uuid || '/artifacts', experiment_id, NULL
FROM batch_runs ORDER BY i;
\endif

\echo step run_tags
INSERT INTO tags (run_uuid, key, value) SELECT run_uuid, key, value FROM batch_tags ORDER BY i, ord;

\echo step params
\if :fml
INSERT INTO params (run_uuid, key, value_str) SELECT run_uuid, key, value FROM batch_params ORDER BY i, ord;
\else
INSERT INTO params (run_uuid, key, value) SELECT run_uuid, key, value FROM batch_params ORDER BY i, ord;
\endif

\if :fml
\echo step metric_points
INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan, iter, context_id)
SELECT key, value, timestamp, run_uuid, 0, false, 1, (SELECT id FROM contexts WHERE json = '{}'::jsonb)
FROM batch_metrics ORDER BY i, key;
\echo step latest_metrics
INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid, last_iter, context_id)
SELECT key, value, timestamp, 0, false, run_uuid, 1, (SELECT id FROM contexts WHERE json = '{}'::jsonb)
FROM batch_metrics ORDER BY i, key;
\else
\echo step metric_points
INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan)
SELECT key, value, timestamp, run_uuid, 0, false FROM batch_metrics ORDER BY i, key;
\echo step latest_metrics
INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid)
SELECT key, value, timestamp, 0, false, run_uuid FROM batch_metrics ORDER BY i, key;
\endif

\echo step commit
COMMIT;
