-- Dashboard sign-in sessions (issue 15): a browser signs in with an API token once and then
-- carries a random session id in an HttpOnly cookie. Only the id's SHA-256 is stored, and the
-- token by name, never its secret: a leaked table opens no session and reveals no token. A
-- session ends at its expiry, at sign-out, or when its token is revoked or expires.
CREATE TABLE dashboard_sessions (
    session_hash TEXT PRIMARY KEY,
    token_name   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX dashboard_sessions_expires_at ON dashboard_sessions (expires_at);
