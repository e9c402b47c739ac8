-- What the recorder last knew of each camera stream (LBU-16): written every few seconds,
-- read by the camera pages and /metrics. Figures, not history: faults go to the ledger.
CREATE TABLE camera_health (
    camera_id TEXT NOT NULL REFERENCES cameras (id),
    stream TEXT NOT NULL,
    state TEXT NOT NULL,
    since_unix_ms BIGINT NOT NULL,
    last_frame_unix_ms BIGINT,
    frames_per_s_milli BIGINT NOT NULL DEFAULT 0,
    bitrate_bps BIGINT NOT NULL DEFAULT 0,
    reconnects BIGINT NOT NULL DEFAULT 0,
    drift_ms BIGINT NOT NULL DEFAULT 0,
    detail TEXT NOT NULL DEFAULT '',
    updated_at_unix_ms BIGINT NOT NULL,
    PRIMARY KEY (camera_id, stream)
);

-- Faults in the maintenance log (LBU-16, BDC-18): opened when a camera has been down for
-- the pack's threshold, closed when it records again; both are ledgered (book maintenance).
CREATE TABLE camera_faults (
    camera_id TEXT NOT NULL REFERENCES cameras (id),
    opened_at_unix_ms BIGINT NOT NULL,
    down_since_unix_ms BIGINT NOT NULL,
    closed_at_unix_ms BIGINT,
    reason TEXT NOT NULL,
    PRIMARY KEY (camera_id, opened_at_unix_ms)
);
