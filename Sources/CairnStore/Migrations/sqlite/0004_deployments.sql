-- Promotion: the deployment ledger, per-target locks and webhook idempotency (SQLite).
-- Mirrors schema/postgres/0004_deployments.sql.
CREATE TABLE deployments (
    id                     TEXT PRIMARY KEY,
    model                  TEXT NOT NULL,
    version                BIGINT NOT NULL,
    target                 TEXT NOT NULL,
    -- pending | applying | waiting | ready | failed | rolled_back
    status                 TEXT NOT NULL,
    manifest               TEXT NOT NULL DEFAULT '',
    message                TEXT NOT NULL DEFAULT '',
    previous_deployment_id TEXT,
    actor                  TEXT NOT NULL,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL
);
CREATE INDEX deployments_target ON deployments (target, created_at DESC);
CREATE INDEX deployments_model ON deployments (model, created_at DESC);

-- One promotion per target at a time, across replicas: the row is the lock.
CREATE TABLE promotion_locks (
    target        TEXT PRIMARY KEY,
    deployment_id TEXT NOT NULL,
    acquired_at   BIGINT NOT NULL
);

-- Webhook idempotency: a key's first request is recorded in flight, then its response is stored
-- and replayed for the same key and body.
CREATE TABLE webhook_deliveries (
    idempotency_key TEXT PRIMARY KEY,
    body_sha256     TEXT NOT NULL,
    status          INTEGER,
    response        TEXT,
    created_at      BIGINT NOT NULL
);
