-- Police control of the control room (BDC-25): one row per request, keyed by its case's
-- reference — the requesting officer, partial or total control, the owners'
-- representative who agreed (in their own name, with the pack role they acted in), and
-- the period of control from its start to its hand-back — with the cameras a partial
-- control affects (total control affects every camera and lists none). What was done
-- under control is the case's notes made during the period.

CREATE TABLE case_police_control (
    reference TEXT PRIMARY KEY REFERENCES cases (reference),
    officer_name TEXT NOT NULL,
    -- domain::police_control::PoliceRank id
    officer_rank TEXT NOT NULL,
    -- Warrant or collar number.
    officer_number TEXT NOT NULL,
    force TEXT NOT NULL,
    -- partial | total
    control TEXT NOT NULL,
    reason TEXT NOT NULL,
    requested_at_unix_ms BIGINT NOT NULL,
    agreed_by TEXT,
    agreed_role TEXT,
    agreed_at_unix_ms BIGINT,
    starts_at_unix_ms BIGINT,
    ends_at_unix_ms BIGINT,
    handed_back_by TEXT
);
-- The live page asks, on every load, which periods run now.
CREATE INDEX police_control_open ON case_police_control (ends_at_unix_ms, starts_at_unix_ms);

CREATE TABLE police_control_cameras (
    reference TEXT NOT NULL REFERENCES cases (reference),
    camera_id TEXT NOT NULL REFERENCES cameras (id),
    PRIMARY KEY (reference, camera_id)
);
