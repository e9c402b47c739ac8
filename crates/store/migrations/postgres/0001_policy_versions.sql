-- Policy packs: every version ever loaded, and which one is active.
CREATE TABLE policy_versions (
    version BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pack_id TEXT NOT NULL,
    name TEXT NOT NULL,
    source_toml TEXT NOT NULL,
    sha256_hex TEXT NOT NULL CHECK (length(sha256_hex) = 64),
    loaded_at_unix_ms BIGINT NOT NULL,
    loaded_by TEXT NOT NULL
);

CREATE TABLE active_policy (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL REFERENCES policy_versions (version),
    activated_at_unix_ms BIGINT NOT NULL,
    activated_by TEXT NOT NULL
);
