-- Model registry and audit log (SQLite). Mirrors schema/postgres/0002_registry.sql.
CREATE TABLE registered_models (
    name              TEXT PRIMARY KEY,
    creation_time     BIGINT NOT NULL,
    last_updated_time BIGINT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    user_id           TEXT NOT NULL DEFAULT '',
    -- the next version number to hand out: incremented under the row lock, so versions have no
    -- gaps or duplicates however many registrations run at once
    next_version      BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE registered_model_tags (
    name  TEXT NOT NULL REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
    key   TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (name, key)
);

CREATE TABLE model_versions (
    name              TEXT NOT NULL REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
    version           BIGINT NOT NULL,
    creation_time     BIGINT NOT NULL,
    last_updated_time BIGINT NOT NULL,
    user_id           TEXT NOT NULL DEFAULT '',
    current_stage     TEXT NOT NULL DEFAULT 'None',
    description       TEXT NOT NULL DEFAULT '',
    source            TEXT NOT NULL,
    run_id            TEXT NOT NULL DEFAULT '',
    run_link          TEXT NOT NULL DEFAULT '',
    model_id          TEXT NOT NULL DEFAULT '',
    storage_location  TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL DEFAULT 'READY',
    PRIMARY KEY (name, version)
);
CREATE INDEX model_versions_run ON model_versions (run_id);

CREATE TABLE model_version_tags (
    name    TEXT NOT NULL,
    version BIGINT NOT NULL,
    key     TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (name, version, key),
    FOREIGN KEY (name, version) REFERENCES model_versions(name, version) ON UPDATE CASCADE ON DELETE CASCADE
);

CREATE TABLE registered_model_aliases (
    name    TEXT NOT NULL,
    alias   TEXT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (name, alias),
    FOREIGN KEY (name, version) REFERENCES model_versions(name, version) ON UPDATE CASCADE ON DELETE CASCADE
);

-- Append-only: rows are inserted in the same transaction as the change they describe, never updated.
CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    entity      TEXT NOT NULL,
    action      TEXT NOT NULL,
    actor       TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    before_json TEXT,
    after_json  TEXT
);
CREATE INDEX audit_events_entity ON audit_events (entity, id DESC);
