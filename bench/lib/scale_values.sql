-- bench/scale.sh: the values of runs :a .. :b - 1, once, for every schema's loader
-- (bench/lib/scale_runs.sql for Cairn, bench/lib/scale_peer_runs.sql for MLflow and FastTrackML),
-- so that every server is loaded with the same runs. Included (\ir) inside the loader's
-- transaction; temporary tables dropped at its commit:
--   batch_runs     i, run_uuid md5(prefix || i), name 'run-' || i, start_time t0 + i s,
--                  experiment_id exps[1 + i / per], artifacts arts[1 + i / per]
--   batch_tags     i, run_uuid, ord, key, value: mlflow.user, mlflow.source.type, mlflow.runName,
--                  dataset, team (in request order, ord)
--   batch_params   i, run_uuid, ord, key, value: 10 params (in request order, ord)
--   batch_metrics  i, run_uuid, key, timestamp, value: 10 metrics, one point at step 0, logged at
--                  the run's end; value = (hash(i, seed) mod 2^31) / 2^31 * scale
-- Every value is a function of i (hashint8extended), so a data set is the same in every run of the
-- benchmark and any answer can be recomputed in SQL.
\echo step temp_tables
CREATE TEMP TABLE batch_runs ON COMMIT DROP AS
SELECT i, md5(:'prefix' || i) AS run_uuid, 'run-' || i AS name, :t0::bigint + i * 1000 AS start_time,
       (:'exps'::bigint[])[1 + i / :per] AS experiment_id, (:'arts'::text[])[1 + i / :per] AS artifacts
FROM generate_series(:a::bigint, :b::bigint - 1) i;

CREATE TEMP TABLE batch_tags ON COMMIT DROP AS
SELECT b.i, b.run_uuid, t.ord, t.key,
       CASE t.key
           WHEN 'mlflow.user' THEN 'bench'
           WHEN 'mlflow.source.type' THEN 'LOCAL'
           WHEN 'mlflow.runName' THEN b.name
           WHEN 'dataset' THEN 'ds-' || (b.i % 40) || '-v' || (b.i % 3)
           ELSE 'team-' || (b.i % 7)
       END AS value
FROM batch_runs b
CROSS JOIN (VALUES (1, 'mlflow.user'), (2, 'mlflow.source.type'), (3, 'mlflow.runName'), (4, 'dataset'), (5, 'team')) AS t (ord, key);

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

CREATE TEMP TABLE batch_metrics ON COMMIT DROP AS
SELECT b.i, b.run_uuid, m.key, b.start_time + 600000 AS timestamp,
       (hashint8extended(b.i, m.seed) & 2147483647) / 2147483648.0 * m.scale AS value
FROM batch_runs b
CROSS JOIN (VALUES ('acc', 1, 1.0), ('loss', 2, 3.0), ('val_acc', 3, 1.0), ('val_loss', 4, 3.0), ('f1', 5, 1.0),
                   ('precision', 6, 1.0), ('recall', 7, 1.0), ('auc', 8, 1.0), ('epoch_time', 9, 100.0),
                   ('throughput', 10, 5000.0)) AS m (key, seed, scale);
