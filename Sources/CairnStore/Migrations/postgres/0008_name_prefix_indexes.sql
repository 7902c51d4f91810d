-- Prefix searches on registry names (`name LIKE 'team-%'`, the mlflow client's usual model and
-- version filter) by index. The primary keys' btree uses the database collation, which LIKE
-- cannot use unless it is "C"; a text_pattern_ops index can. EXPLAIN ANALYZE of a model-versions
-- search matching 1,000 of 10,000 versions: 9.9 ms with a sequential scan, 1.6 ms with this index.
CREATE INDEX model_versions_name_pattern ON model_versions (name text_pattern_ops);
CREATE INDEX registered_models_name_pattern ON registered_models (name text_pattern_ops);
