-- Absences (BDC-1): a person marked away for a period, so that the pack's deputies act for
-- them. A row is ended early by setting ended_at_unix_ms; rows are never deleted, and each
-- change is also an entry in the ledger.
CREATE TABLE absences (
    username TEXT NOT NULL REFERENCES users (username),
    from_unix_ms INTEGER NOT NULL,
    until_unix_ms INTEGER NOT NULL,
    reason TEXT NOT NULL,
    recorded_at_unix_ms INTEGER NOT NULL,
    recorded_by TEXT NOT NULL,
    ended_at_unix_ms INTEGER,
    PRIMARY KEY (username, from_unix_ms),
    CHECK (until_unix_ms > from_unix_ms)
);

-- Camera groups: sets of cameras on one site that roles can be scoped to (ALT-21) and that
-- may be watched only from listed client networks (LJM-8, LBU-5). networks is a
-- space-separated list in CIDR notation; empty means no restriction.
CREATE TABLE camera_groups (
    id TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    name TEXT NOT NULL,
    networks TEXT NOT NULL DEFAULT '',
    created_at_unix_ms INTEGER NOT NULL,
    created_by TEXT NOT NULL
);
