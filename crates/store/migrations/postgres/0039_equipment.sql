-- The list of installed equipment (BDC-37, BDC-18): one row per entry, keyed by its
-- reference (EQ-2026-0001), holding the details as entered: what it is (a camera's details
-- name the camera of the register; recorders, monitors, links and other equipment are
-- entered), its make and model, serial number, location and the UK day it was installed.
-- A row's details are never changed: its removal is filled once (a new ledger entry), and
-- each correction is a row of equipment_corrections, applied in order. Every change is a
-- ledger entry (book equipment) written in the same transaction.

CREATE TABLE equipment (
    reference TEXT PRIMARY KEY,
    -- domain::equipment::Kind id: camera | recorder | monitor | link | other
    kind TEXT NOT NULL,
    -- For a camera's details: the camera of the register.
    camera_id TEXT REFERENCES cameras (id),
    make_model TEXT NOT NULL,
    serial_number TEXT NOT NULL,
    location TEXT NOT NULL,
    -- UK days, YYYY-MM-DD.
    installed_on TEXT NOT NULL,
    notes TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_by_name TEXT NOT NULL,
    recorded_at_unix_ms BIGINT NOT NULL,
    removed_on TEXT,
    removal_reason TEXT,
    removed_by_name TEXT,
    removal_recorded_at_unix_ms BIGINT
);
CREATE INDEX equipment_camera ON equipment (camera_id);

CREATE TABLE equipment_corrections (
    reference TEXT NOT NULL REFERENCES equipment (reference),
    number BIGINT NOT NULL,
    -- domain::equipment::Field id
    field TEXT NOT NULL,
    before_value TEXT NOT NULL,
    after_value TEXT NOT NULL,
    reason TEXT NOT NULL,
    corrected_by TEXT NOT NULL,
    corrected_by_name TEXT NOT NULL,
    corrected_at_unix_ms BIGINT NOT NULL,
    PRIMARY KEY (reference, number)
);
