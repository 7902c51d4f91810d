-- The runs table sorted by a metric, and a search filtered on one, read every run's latest value
-- of that metric: with the run id and the NaN flag in the (key, value) index itself, SQLite
-- answers from the index without a lookup per run in the table (PostgreSQL's version of this
-- migration uses INCLUDE, which SQLite lacks).
DROP INDEX latest_metrics_key_value;
CREATE INDEX latest_metrics_key_value ON latest_metrics (key, value, run_uuid, is_nan);
