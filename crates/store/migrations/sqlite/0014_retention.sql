-- Retention (BJS-8, LBU-17, ALT-16, BDC-2, BDC-28, BDC-40): holds that keep footage past its
-- retention for a stated reason until a stated date, and the destruction of each camera-day's
-- data key once none of that day's footage is left (crypto-shredding: copies of the files
-- made earlier can no longer be decrypted).

CREATE TABLE holds (
    id TEXT PRIMARY KEY,
    class TEXT NOT NULL,
    reason TEXT NOT NULL,
    owner TEXT NOT NULL,
    case_ref TEXT,
    from_unix_ms INTEGER NOT NULL,
    to_unix_ms INTEGER NOT NULL,
    placed_at_unix_ms INTEGER NOT NULL,
    placed_by TEXT NOT NULL,
    expires_at_unix_ms INTEGER NOT NULL,
    released_at_unix_ms INTEGER,
    released_by TEXT,
    release_reason TEXT
);

CREATE TABLE hold_cameras (
    hold_id TEXT NOT NULL REFERENCES holds (id),
    camera_id TEXT NOT NULL REFERENCES cameras (id),
    PRIMARY KEY (hold_id, camera_id)
);
CREATE INDEX hold_cameras_by_camera ON hold_cameras (camera_id);

-- A destroyed key keeps its row, emptied, so the day is never given a new key by mistake.
ALTER TABLE data_keys ADD COLUMN destroyed_at_unix_ms INTEGER;

CREATE INDEX segments_by_end ON segments (camera_id, end_unix_ms);
CREATE INDEX segments_by_day ON segments (camera_id, day);
-- Init segments are deleted with their day; finding (and checking) what uses one needs this.
CREATE INDEX segments_by_init ON segments (init_id);

-- Disk pressure: which cameras stop recording first when only held footage is left on a
-- full disk (1 = last, 9 = first), and the cameras whose recording is paused for it.
ALTER TABLE cameras ADD COLUMN priority INTEGER NOT NULL DEFAULT 5;

CREATE TABLE recording_pauses (
    camera_id TEXT PRIMARY KEY REFERENCES cameras (id),
    since_unix_ms INTEGER NOT NULL,
    reason TEXT NOT NULL
);

CREATE INDEX segments_by_start ON segments (start_unix_ms);
