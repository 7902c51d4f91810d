-- Logged-model metrics keep the dataset they were computed on (issue 12): `dataset_name` and
-- `dataset_digest` as MLflow's `log-metric` and `log-batch` send them ('' for none; MLflow wants
-- both or neither), returned on the model's metrics and searched by
-- `logged-models/search` `datasets`. The dataset is part of the key, so the same value on two
-- datasets is two rows.
ALTER TABLE logged_model_metrics ADD COLUMN dataset_name TEXT NOT NULL DEFAULT '';
ALTER TABLE logged_model_metrics ADD COLUMN dataset_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE logged_model_metrics DROP CONSTRAINT logged_model_metrics_pkey;
ALTER TABLE logged_model_metrics ADD PRIMARY KEY (model_id, key, timestamp, step, value, is_nan, dataset_name, dataset_digest);
