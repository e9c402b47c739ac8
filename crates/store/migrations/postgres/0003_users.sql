-- People who use Custos. Accounts are disabled, never deleted: the ledger refers to them.
CREATE TABLE users (
    username TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at_unix_ms BIGINT NOT NULL,
    created_by TEXT NOT NULL
);

-- The roles each person holds and where (scheme, site:ID or group:ID).
CREATE TABLE user_roles (
    username TEXT NOT NULL REFERENCES users (username),
    role TEXT NOT NULL,
    scope TEXT NOT NULL,
    granted_at_unix_ms BIGINT NOT NULL,
    granted_by TEXT NOT NULL,
    PRIMARY KEY (username, role, scope)
);
