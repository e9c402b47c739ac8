-- The faults and maintenance log (LBU-16, BDC-19, ALT-15, SCC-8, BDC-18).
--
-- camera_faults becomes the one list of faults: those the recorder opens when a camera stays
-- down (origin recorder, closed when it records again) and those people report (origin
-- reported, from the page or a failed check), each under its reference (FLT-2026-0001), with
-- the contractor called to it, their response and the fix. The faults the recorder opened
-- before are kept, each under a reference made from its camera and time.
--
-- maintenance_checks holds each camera's scheduled checks (CHK-2026-0001), with a result for
-- every item of the checklist in maintenance_check_items.
--
-- Nothing recorded is rewritten: a fault's contractor, response and fix are filled once, and
-- each correction of a check or a fault is a row of maintenance_corrections, applied in
-- order, naming the ledger entry it corrects. Every change is a ledger entry (book
-- maintenance) written in the same transaction.

CREATE TABLE camera_faults_0037 (
    reference TEXT PRIMARY KEY,
    camera_id TEXT NOT NULL REFERENCES cameras (id),
    -- recorder | reported
    origin TEXT NOT NULL,
    opened_at_unix_ms INTEGER NOT NULL,
    -- The recorder: since when the camera was down. A person: when they noticed the fault.
    down_since_unix_ms INTEGER NOT NULL,
    closed_at_unix_ms INTEGER,
    -- What is wrong.
    reason TEXT NOT NULL,
    reported_by TEXT,
    reported_by_name TEXT,
    -- The check whose failure reported it.
    check_reference TEXT,
    contractor TEXT,
    contractor_job TEXT,
    contractor_called_at_unix_ms INTEGER,
    contractor_called_by TEXT,
    contractor_called_by_name TEXT,
    responded_at_unix_ms INTEGER,
    response_note TEXT,
    fixed_at_unix_ms INTEGER,
    work_done TEXT,
    fixed_by_contractor INTEGER CHECK (fixed_by_contractor IN (0, 1)),
    fixed_by TEXT,
    fixed_by_name TEXT
);
INSERT INTO camera_faults_0037 (reference, camera_id, origin, opened_at_unix_ms,
    down_since_unix_ms, closed_at_unix_ms, reason)
SELECT 'FLT-' || camera_id || '-' || CAST(opened_at_unix_ms AS TEXT), camera_id, 'recorder',
    opened_at_unix_ms, down_since_unix_ms, closed_at_unix_ms, reason
FROM camera_faults;
DROP TABLE camera_faults;
ALTER TABLE camera_faults_0037 RENAME TO camera_faults;
-- Open faults (the page, the recorder's one open fault per camera) and faults by time.
CREATE INDEX camera_faults_open ON camera_faults (closed_at_unix_ms, camera_id);
CREATE INDEX camera_faults_noticed ON camera_faults (down_since_unix_ms);

CREATE TABLE maintenance_checks (
    reference TEXT PRIMARY KEY,
    camera_id TEXT NOT NULL REFERENCES cameras (id),
    checked_at_unix_ms INTEGER NOT NULL,
    note TEXT NOT NULL,
    -- The user name of who recorded it, and their name then.
    recorded_by TEXT NOT NULL,
    recorded_by_name TEXT NOT NULL,
    recorded_at_unix_ms INTEGER NOT NULL,
    -- The fault its failure reported.
    fault_reference TEXT
);
-- Each camera's latest check; the checks of a period.
CREATE INDEX maintenance_checks_by_camera ON maintenance_checks (camera_id, checked_at_unix_ms);
CREATE INDEX maintenance_checks_by_time ON maintenance_checks (checked_at_unix_ms);

CREATE TABLE maintenance_check_items (
    reference TEXT NOT NULL REFERENCES maintenance_checks (reference),
    -- domain::maintenance::CheckItem id
    item TEXT NOT NULL,
    passed INTEGER NOT NULL CHECK (passed IN (0, 1)),
    note TEXT NOT NULL,
    PRIMARY KEY (reference, item)
);

CREATE TABLE maintenance_corrections (
    -- A check's (CHK-…) or a fault's (FLT-…) reference.
    reference TEXT NOT NULL,
    number INTEGER NOT NULL,
    -- domain::maintenance::Field id
    field TEXT NOT NULL,
    before_value TEXT NOT NULL,
    after_value TEXT NOT NULL,
    reason TEXT NOT NULL,
    corrected_by TEXT NOT NULL,
    corrected_by_name TEXT NOT NULL,
    corrected_at_unix_ms INTEGER NOT NULL,
    -- The number of the ledger entry it corrects.
    corrects_seq INTEGER,
    PRIMARY KEY (reference, number)
);
CREATE INDEX maintenance_corrections_by_field ON maintenance_corrections (field, reference);
