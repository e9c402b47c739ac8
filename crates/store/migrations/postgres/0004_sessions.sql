-- Signed-in sessions. Only a SHA-256 hash of each session token is stored, so a copy of
-- the database does not let anyone sign in.
CREATE TABLE sessions (
    token_hash BYTEA PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users (username),
    csrf_token TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at_unix_ms BIGINT NOT NULL,
    last_seen_at_unix_ms BIGINT NOT NULL,
    expires_at_unix_ms BIGINT NOT NULL,
    ended_at_unix_ms BIGINT
);

CREATE INDEX sessions_by_user ON sessions (username);
