-- bench/scale.sh: bulk load of runs :a .. :b - 1 into a peer's own schema, MLflow 3.17.2's
-- (SqlAlchemyStore's tables as its migrations create them) or FastTrackML 0.6.0's (MLflow's tables
-- plus runs.row_num, metrics.iter + context_id, latest_metrics.last_iter + context_id, and
-- params.value_str instead of value). The same runs as bench/lib/scale_runs.sql puts into Cairn's
-- tables: run uuid md5(prefix || i), name 'run-' || i, the same start/end times, status, 5 tags,
-- 10 params and 10 metrics (one point at step 0 each, and the same latest values), every value the
-- same function of i. The rows are the ones each server writes for runs/create + runs/log-batch +
-- runs/update of such a run:
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
\echo step temp_tables
CREATE TEMP TABLE batch_runs ON COMMIT DROP AS
SELECT i, md5(:'prefix' || i) AS run_uuid, 'run-' || i AS name, :t0::bigint + i * 1000 AS start_time,
       (:'exps'::bigint[])[1 + i / :per] AS experiment_id, (:'arts'::text[])[1 + i / :per] AS artifacts
FROM generate_series(:a::bigint, :b::bigint - 1) i;

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
INSERT INTO tags (run_uuid, key, value)
SELECT b.run_uuid, t.key,
       CASE t.key
           WHEN 'mlflow.user' THEN 'bench'
           WHEN 'mlflow.source.type' THEN 'LOCAL'
           WHEN 'mlflow.runName' THEN b.name
           WHEN 'dataset' THEN 'ds-' || (b.i % 40) || '-v' || (b.i % 3)
           ELSE 'team-' || (b.i % 7)
       END
FROM batch_runs b
CROSS JOIN (VALUES (1, 'mlflow.user'), (2, 'mlflow.source.type'), (3, 'mlflow.runName'), (4, 'dataset'), (5, 'team')) AS t (ord, key)
ORDER BY b.i, t.ord;

\echo step temp_tables
CREATE TEMP TABLE batch_params ON COMMIT DROP AS
SELECT b.i, b.run_uuid, p.ord, p.key,
       CASE p.key
           WHEN 'optimizer' THEN (ARRAY['adam', 'sgd', 'rmsprop'])[1 + x.h % 3]
           WHEN 'lr' THEN (ARRAY['0.1', '0.01', '0.001'])[1 + x.h % 3]
           WHEN 'batch_size' THEN (ARRAY['32', '64', '128', '256'])[1 + x.h % 4]
           WHEN 'epochs' THEN (10 + b.i % 91)::text
           WHEN 'seed' THEN b.i::text
           WHEN 'model' THEN (ARRAY['resnet18', 'resnet50', 'vit-b16', 'bert-base'])[1 + x.h % 4]
           WHEN 'dropout' THEN (ARRAY['0.0', '0.1', '0.2', '0.3', '0.5'])[1 + x.h % 5]
           WHEN 'layers' THEN (2 + b.i % 23)::text
           WHEN 'weight_decay' THEN (ARRAY['0', '1e-5', '1e-4', '1e-3'])[1 + x.h % 4]
           ELSE ((b.i % 10) * 100)::text
       END AS value
FROM batch_runs b
CROSS JOIN (VALUES (1, 'optimizer'), (2, 'lr'), (3, 'batch_size'), (4, 'epochs'), (5, 'seed'), (6, 'model'),
                   (7, 'dropout'), (8, 'layers'), (9, 'weight_decay'), (10, 'warmup_steps')) AS p (ord, key)
CROSS JOIN LATERAL (SELECT hashint8extended(b.i, 100 + p.ord) & 1048575 AS h) x;

\echo step params
\if :fml
INSERT INTO params (run_uuid, key, value_str) SELECT run_uuid, key, value FROM batch_params ORDER BY i, ord;
\else
INSERT INTO params (run_uuid, key, value) SELECT run_uuid, key, value FROM batch_params ORDER BY i, ord;
\endif

\echo step temp_tables
CREATE TEMP TABLE batch_metrics ON COMMIT DROP AS
SELECT b.i, b.run_uuid, m.key, b.start_time + 600000 AS timestamp,
       (hashint8extended(b.i, m.seed) & 2147483647) / 2147483648.0 * m.scale AS value
FROM batch_runs b
CROSS JOIN (VALUES ('acc', 1, 1.0), ('loss', 2, 3.0), ('val_acc', 3, 1.0), ('val_loss', 4, 3.0), ('f1', 5, 1.0),
                   ('precision', 6, 1.0), ('recall', 7, 1.0), ('auc', 8, 1.0), ('epoch_time', 9, 100.0),
                   ('throughput', 10, 5000.0)) AS m (key, seed, scale);

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
