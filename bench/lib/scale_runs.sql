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
-- Every value is a function of the run's index i (hashint8extended), so a data set is the same in
-- every run of the benchmark and any answer can be recomputed in SQL.
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
\echo step temp_tables
CREATE TEMP TABLE batch_runs ON COMMIT DROP AS
SELECT i, md5(:'prefix' || i) AS run_uuid, 'run-' || i AS name, :t0::bigint + i * 1000 AS start_time,
       (:'exps'::bigint[])[1 + i / :per] AS experiment_id, (:'arts'::text[])[1 + i / :per] AS artifacts
FROM generate_series(:a::bigint, :b::bigint - 1) i;

\echo step runs
INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage)
SELECT run_uuid, experiment_id, name, 'bench', 'FINISHED', start_time, start_time + 600000,
       artifacts || '/' || run_uuid || '/artifacts', 'active'
FROM batch_runs ORDER BY i;

\echo step run_tags
INSERT INTO run_tags (run_uuid, key, value)
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

\echo step params
INSERT INTO params (run_uuid, key, value)
SELECT b.run_uuid, p.key,
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
       END
FROM batch_runs b
CROSS JOIN (VALUES (1, 'optimizer'), (2, 'lr'), (3, 'batch_size'), (4, 'epochs'), (5, 'seed'), (6, 'model'),
                   (7, 'dropout'), (8, 'layers'), (9, 'weight_decay'), (10, 'warmup_steps')) AS p (ord, key)
CROSS JOIN LATERAL (SELECT hashint8extended(b.i, 100 + p.ord) & 1048575 AS h) x
ORDER BY b.i, p.ord;

-- metric k of run i: value = (hash(i, seed) mod 2^31) / 2^31 * scale, step 0, logged at the end
\echo step metric_series
INSERT INTO metric_series (run_uuid, key)
SELECT b.run_uuid, m.key
FROM batch_runs b
CROSS JOIN (VALUES ('acc'), ('auc'), ('epoch_time'), ('f1'), ('loss'), ('precision'), ('recall'), ('throughput'),
                   ('val_acc'), ('val_loss')) AS m (key)
ORDER BY b.i, m.key;

\echo step temp_tables
CREATE TEMP TABLE batch_metrics ON COMMIT DROP AS
SELECT b.i, b.run_uuid, m.key, b.start_time + 600000 AS timestamp,
       (hashint8extended(b.i, m.seed) & 2147483647) / 2147483648.0 * m.scale AS value
FROM batch_runs b
CROSS JOIN (VALUES ('acc', 1, 1.0), ('loss', 2, 3.0), ('val_acc', 3, 1.0), ('val_loss', 4, 3.0), ('f1', 5, 1.0),
                   ('precision', 6, 1.0), ('recall', 7, 1.0), ('auc', 8, 1.0), ('epoch_time', 9, 100.0),
                   ('throughput', 10, 5000.0)) AS m (key, seed, scale);

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
