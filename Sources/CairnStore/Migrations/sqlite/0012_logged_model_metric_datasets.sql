-- Logged-model metrics keep the dataset they were computed on (issue 12): `dataset_name` and
-- `dataset_digest` as MLflow's `log-metric` and `log-batch` send them ('' for none; MLflow wants
-- both or neither), returned on the model's metrics and searched by
-- `logged-models/search` `datasets`. The dataset is part of the key, so the same value on two
-- datasets is two rows. SQLite cannot change a primary key in place: the table is rebuilt.
CREATE TABLE logged_model_metrics_new (
    model_id       TEXT NOT NULL REFERENCES logged_models(model_id) ON DELETE CASCADE,
    run_uuid       TEXT NOT NULL,
    key            TEXT NOT NULL,
    timestamp      BIGINT NOT NULL,
    step           BIGINT NOT NULL,
    value          REAL NOT NULL,
    is_nan         INTEGER NOT NULL DEFAULT 0,
    dataset_name   TEXT NOT NULL DEFAULT '',
    dataset_digest TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (model_id, key, timestamp, step, value, is_nan, dataset_name, dataset_digest)
);
INSERT INTO logged_model_metrics_new (model_id, run_uuid, key, timestamp, step, value, is_nan)
SELECT model_id, run_uuid, key, timestamp, step, value, is_nan FROM logged_model_metrics;
DROP TABLE logged_model_metrics;
ALTER TABLE logged_model_metrics_new RENAME TO logged_model_metrics;
