-- Recorded footage (see docs/ref/storage.md). Files hold ciphertext only; these tables say
-- what each file is, how to decrypt it and what its plaintext hashes to.

-- One data key per camera per UK day, sealed with the scheme's master key.
CREATE TABLE data_keys (
    camera_id TEXT NOT NULL REFERENCES cameras (id),
    day TEXT NOT NULL,
    key_sealed TEXT NOT NULL,
    PRIMARY KEY (camera_id, day)
);

-- One initialisation segment per codec configuration of a camera's stream.
CREATE TABLE init_segments (
    id TEXT PRIMARY KEY,
    camera_id TEXT NOT NULL REFERENCES cameras (id),
    stream TEXT NOT NULL,
    codec TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    path TEXT NOT NULL,
    day TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at_unix_ms INTEGER NOT NULL
);

-- One row per closed segment file (about a minute of one stream).
CREATE TABLE segments (
    path TEXT PRIMARY KEY,
    camera_id TEXT NOT NULL REFERENCES cameras (id),
    stream TEXT NOT NULL,
    init_id TEXT NOT NULL REFERENCES init_segments (id),
    day TEXT NOT NULL,
    start_unix_ms INTEGER NOT NULL,
    end_unix_ms INTEGER NOT NULL,
    frames INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    fragments TEXT NOT NULL,
    recovered INTEGER NOT NULL DEFAULT 0,
    sealed_hour_unix_ms INTEGER
);
CREATE INDEX segments_by_camera_time ON segments (camera_id, stream, start_unix_ms);

-- Each sealed camera-hour: the Merkle root of its segments, also in the ledger.
CREATE TABLE seals (
    camera_id TEXT NOT NULL REFERENCES cameras (id),
    stream TEXT NOT NULL,
    hour_unix_ms INTEGER NOT NULL,
    segments INTEGER NOT NULL,
    root TEXT NOT NULL,
    ledger_seq INTEGER,
    PRIMARY KEY (camera_id, stream, hour_unix_ms)
);

-- Times a stream was not recorded while it should have been.
CREATE TABLE recording_gaps (
    camera_id TEXT NOT NULL REFERENCES cameras (id),
    stream TEXT NOT NULL,
    from_unix_ms INTEGER NOT NULL,
    to_unix_ms INTEGER,
    reason TEXT NOT NULL,
    PRIMARY KEY (camera_id, stream, from_unix_ms)
);
