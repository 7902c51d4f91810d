-- bench/scale.sh: after points were added to the history pool, the latest value of each pool
-- series (latest_metrics) is its point at step :last, as the API's upsert would have left it
-- (the table's trigger bumps each pool run's details version, as the API does).
-- psql variables: last, t0, pool (as scale_points.sql).
\set ON_ERROR_STOP 1
\timing on
\echo step latest_metrics
UPDATE latest_metrics lm
SET timestamp = :t0::bigint + :last::bigint * 1000, step = :last::bigint,
    value = 1.0 / (:last::bigint + 1) + (s.series_id % 100) / 1000.0, is_nan = 0
FROM metric_series s JOIN runs r ON r.run_uuid = s.run_uuid
WHERE r.experiment_id = ANY (:'pool'::bigint[]) AND lm.run_uuid = s.run_uuid AND lm.key = s.key;
