-- API tokens (PostgreSQL). Mirrors schema/sqlite/0003_tokens.sql. Only a SHA-256 of each token is kept.
CREATE TABLE api_tokens (
    name            TEXT PRIMARY KEY,
    token_hash      TEXT NOT NULL UNIQUE,
    scope           TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT,
    allowed_targets TEXT NOT NULL DEFAULT '',
    last_used_at    BIGINT,
    revoked_at      BIGINT
);
