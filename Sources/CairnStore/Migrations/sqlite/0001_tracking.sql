-- Cairn tracking schema (SQLite). Mirrors schema/postgres/0001_tracking.sql.
CREATE TABLE experiments (
    experiment_id     INTEGER PRIMARY KEY,
    name              TEXT NOT NULL UNIQUE,
    artifact_location TEXT NOT NULL DEFAULT '',
    lifecycle_stage   TEXT NOT NULL DEFAULT 'active',
    creation_time     BIGINT NOT NULL,
    last_update_time  BIGINT NOT NULL
);

CREATE TABLE experiment_tags (
    experiment_id BIGINT NOT NULL REFERENCES experiments(experiment_id) ON DELETE CASCADE,
    key           TEXT NOT NULL,
    value         TEXT NOT NULL,
    PRIMARY KEY (experiment_id, key)
);

CREATE TABLE runs (
    run_uuid        TEXT PRIMARY KEY,
    experiment_id   BIGINT NOT NULL REFERENCES experiments(experiment_id),
    name            TEXT NOT NULL DEFAULT '',
    user_id         TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'RUNNING',
    start_time      BIGINT NOT NULL,
    end_time        BIGINT,
    artifact_uri    TEXT NOT NULL DEFAULT '',
    lifecycle_stage TEXT NOT NULL DEFAULT 'active',
    deleted_time    BIGINT
);
CREATE INDEX runs_experiment_start ON runs (experiment_id, start_time DESC, run_uuid);

CREATE TABLE params (
    run_uuid TEXT NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (run_uuid, key)
);

CREATE TABLE run_tags (
    run_uuid TEXT NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (run_uuid, key)
);

-- Full metric history. NaN is stored as value 0 with is_nan = 1 (SQLite cannot store NaN), so the
-- primary key makes an exact duplicate point a no-op on both engines.
CREATE TABLE metrics (
    run_uuid  TEXT NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    timestamp BIGINT NOT NULL,
    step      BIGINT NOT NULL,
    value     REAL NOT NULL,
    is_nan    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_uuid, key, timestamp, step, value, is_nan)
);

-- One row per (run, key): the latest point by MLflow's rule (max step, then timestamp, then value).
CREATE TABLE latest_metrics (
    run_uuid  TEXT NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    timestamp BIGINT NOT NULL,
    step      BIGINT NOT NULL,
    value     REAL NOT NULL,
    is_nan    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_uuid, key)
);
CREATE INDEX latest_metrics_key_value ON latest_metrics (key, value);

CREATE TABLE run_dataset_inputs (
    run_uuid    TEXT NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    digest      TEXT NOT NULL,
    source_type TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL DEFAULT '',
    schema      TEXT NOT NULL DEFAULT '',
    profile     TEXT NOT NULL DEFAULT '',
    context     TEXT NOT NULL DEFAULT '', -- the input tag mlflow.data.context
    tags_json   TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (run_uuid, name, digest)
);

CREATE TABLE run_model_io (
    run_uuid  TEXT NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
    direction TEXT NOT NULL, -- 'input' or 'output'
    model_id  TEXT NOT NULL,
    step      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (run_uuid, direction, model_id)
);

CREATE TABLE logged_models (
    model_id           TEXT PRIMARY KEY,
    experiment_id      BIGINT NOT NULL REFERENCES experiments(experiment_id),
    name               TEXT NOT NULL,
    artifact_location  TEXT NOT NULL,
    creation_timestamp BIGINT NOT NULL,
    last_updated_timestamp BIGINT NOT NULL,
    status             TEXT NOT NULL DEFAULT 'LOGGED_MODEL_PENDING',
    status_message     TEXT NOT NULL DEFAULT '',
    model_type         TEXT NOT NULL DEFAULT '',
    source_run_id      TEXT NOT NULL DEFAULT '',
    lifecycle_stage    TEXT NOT NULL DEFAULT 'active'
);
CREATE INDEX logged_models_experiment ON logged_models (experiment_id, creation_timestamp DESC);

CREATE TABLE logged_model_tags (
    model_id TEXT NOT NULL REFERENCES logged_models(model_id) ON DELETE CASCADE,
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (model_id, key)
);

CREATE TABLE logged_model_params (
    model_id TEXT NOT NULL REFERENCES logged_models(model_id) ON DELETE CASCADE,
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (model_id, key)
);

CREATE TABLE logged_model_metrics (
    model_id  TEXT NOT NULL REFERENCES logged_models(model_id) ON DELETE CASCADE,
    run_uuid  TEXT NOT NULL,
    key       TEXT NOT NULL,
    timestamp BIGINT NOT NULL,
    step      BIGINT NOT NULL,
    value     REAL NOT NULL,
    is_nan    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (model_id, key, timestamp, step, value, is_nan)
);
