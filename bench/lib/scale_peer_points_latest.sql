-- bench/scale.sh: a peer's latest values of the pool series after points were added
-- (bench/lib/scale_points_latest.sql in the peer's schema): the point at step :last
-- (FastTrackML: last_iter = :last + 1). psql variables: last, t0, fml.
\set ON_ERROR_STOP 1
\timing on
\echo step latest_metrics
UPDATE latest_metrics lm
SET timestamp = :t0::bigint + :last::bigint * 1000, step = :last::bigint,
    value = 1.0 / (:last::bigint + 1) + (ps.sid % 100) / 1000.0, is_nan = false
\if :fml
    , last_iter = :last::bigint + 1
\endif
FROM bench_pool_series ps
WHERE lm.run_uuid = ps.run_uuid AND lm.key = ps.key;
