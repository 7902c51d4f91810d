-- Webhook signatures already used (issue 11): a signature (timestamp + digest) is accepted once,
-- for the Idempotency-Key it first came with, across replicas, until its window has passed.
CREATE TABLE webhook_signatures (
    signature       TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL,
    expires_at      BIGINT NOT NULL
);
CREATE INDEX webhook_signatures_expires_at ON webhook_signatures (expires_at);

-- Aliases promotions were requested by, per target (issue 11): moving such an alias decides what
-- the target serves next, so only an admin or a token allowed the target may move it.
CREATE TABLE promotion_aliases (
    model  TEXT NOT NULL,
    alias  TEXT NOT NULL,
    target TEXT NOT NULL,
    PRIMARY KEY (model, alias, target)
);
