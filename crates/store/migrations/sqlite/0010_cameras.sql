-- The camera register (LJM-1, LJM-3, BDC-9, ALT-16): every camera with what it is for and
-- how it is recorded. Cameras are retired, never deleted (footage and the ledger refer to
-- them); every change is also an entry in the ledger. Credentials are stored sealed with
-- the scheme's master key (see docs/ref/storage.md), never in the clear.
CREATE TABLE cameras (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    site TEXT NOT NULL,
    location TEXT NOT NULL,
    area TEXT NOT NULL,
    kind TEXT NOT NULL,
    mode TEXT NOT NULL,
    purposes TEXT NOT NULL,
    main_url TEXT NOT NULL,
    sub_url TEXT,
    transport TEXT NOT NULL,
    credentials_sealed TEXT,
    audio INTEGER NOT NULL CHECK (audio IN (0, 1)),
    audio_reason TEXT,
    retention_days INTEGER,
    dpia_ref TEXT NOT NULL,
    operational_requirement TEXT NOT NULL,
    retired INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
    created_at_unix_ms INTEGER NOT NULL,
    created_by TEXT NOT NULL
);

-- Which camera groups each camera is in (roles and workstation rules apply by group).
CREATE TABLE camera_group_members (
    camera_id TEXT NOT NULL REFERENCES cameras (id),
    group_id TEXT NOT NULL REFERENCES camera_groups (id),
    PRIMARY KEY (camera_id, group_id)
);
