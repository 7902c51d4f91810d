-- A search filtered on a param (`params.optimizer = 'adam'`) finds the matching runs in a
-- (key, value) index of params, with the run id in the index for an index-only scan, instead of
-- reading every param of every run: the params table holds ten rows per run, so at 2,000 runs
-- the sequential scan was 2.5 of the 4 ms PostgreSQL spent on such a search. Equality and
-- ranges on a param's value use it alike. Building it reads the table once (see BENCHMARKS.md,
-- "Scale", for the time per million rows).
CREATE INDEX params_key_value ON params (key, value) INCLUDE (run_uuid);
