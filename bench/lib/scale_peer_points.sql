-- bench/scale.sh: the history pool's extra points (bench/lib/scale_points.sql) in a peer's schema
-- (MLflow's metrics table; FastTrackML's, with iter = step + 1, the point's number in its series,
-- as FastTrackML counts them, and its empty context). The same points as Cairn's: steps :s0 ..
-- :s1 - 1 of every pool series, step by step across the series in the order of Cairn's series ids (ORDER BY),
-- value 1 / (n + 1) + (sid mod 100) / 1000 where sid is the Cairn series id of the same (run, key):
-- the table bench_pool_series (run_uuid, key, sid), copied from Cairn's metric_series by scale.sh
-- after the pool was loaded, holds that mapping (the servers never read it).
-- psql variables: s0, s1, t0, fml (true for FastTrackML).
\set ON_ERROR_STOP 1
\timing on
\echo step metric_points
\if :fml
INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan, iter, context_id)
SELECT ps.key, 1.0 / (n + 1) + (ps.sid % 100) / 1000.0, :t0::bigint + n * 1000, ps.run_uuid, n, false, n + 1,
       (SELECT id FROM contexts WHERE json = '{}'::jsonb)
FROM generate_series(:s0::bigint, :s1::bigint - 1) n
CROSS JOIN bench_pool_series ps
ORDER BY n, ps.sid;
\else
INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan)
SELECT ps.key, 1.0 / (n + 1) + (ps.sid % 100) / 1000.0, :t0::bigint + n * 1000, ps.run_uuid, n, false
FROM generate_series(:s0::bigint, :s1::bigint - 1) n
CROSS JOIN bench_pool_series ps
ORDER BY n, ps.sid;
\endif
