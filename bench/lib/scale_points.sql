-- bench/scale.sh: stored metric history beyond the runs' own points: steps :s0 .. :s1 - 1 of every
-- series of the "history pool" (the runs of the experiments in :pool, the 50 small ones), one
-- statement and so one transaction per call. Rows are produced step by step across all series
-- (generate_series outside, the pool inside), the order in which concurrent training runs would
-- log them, so a series' points are spread over the heap as they would be in a live server.
-- point (series s, step n): timestamp t0 + n s, value 1 / (n + 1) + (s mod 100) / 1000.
-- psql variables: s0, s1, t0, pool (a bigint[] literal of experiment ids).
\set ON_ERROR_STOP 1
\timing on
\echo step metric_points
INSERT INTO metric_points (series_id, timestamp, step, value, is_nan)
SELECT sid, :t0::bigint + n * 1000, n, 1.0 / (n + 1) + (sid % 100) / 1000.0, 0
FROM generate_series(:s0::bigint, :s1::bigint - 1) n
CROSS JOIN LATERAL unnest((SELECT array_agg(s.series_id ORDER BY s.series_id)
                           FROM metric_series s JOIN runs r ON r.run_uuid = s.run_uuid
                           WHERE r.experiment_id = ANY (:'pool'::bigint[]))) AS sid;
