-- The control-room visitors' log (LBU-12, BDC-23, BDC-7, BDC-18): one row per visit, keyed
-- by its reference (VIS-2026-0001), holding the details as recorded at arrival, how the
-- confidentiality undertaking was accepted (on screen: the SHA-256 of the text and the name
-- typed under it; on paper: the encrypted scan's file and SHA-256, under the visit's own
-- key sealed by the master key), the time out, and the countersignature. A row's details
-- are never changed: each correction is a row of visit_corrections, applied in order.
-- Every change is a ledger entry (book visitors) written in the same transaction.

CREATE TABLE visits (
    reference TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    organisation TEXT NOT NULL,
    purpose TEXT NOT NULL,
    authorised_by TEXT NOT NULL,
    authoriser_role TEXT NOT NULL,
    entered_at_unix_ms INTEGER NOT NULL,
    -- on-screen | on-paper
    undertaking TEXT NOT NULL,
    undertaking_sha256 TEXT NOT NULL,
    accepted_at_unix_ms INTEGER NOT NULL,
    typed_name TEXT,
    -- The scan of the undertaking signed on paper: its file under the documents folder.
    scan_path TEXT,
    scan_name TEXT,
    scan_media_type TEXT,
    scan_sha256 TEXT,
    key_sealed TEXT,
    -- The user name of who recorded the arrival, and their name then.
    recorded_by TEXT NOT NULL,
    recorded_by_name TEXT NOT NULL,
    recorded_at_unix_ms INTEGER NOT NULL,
    left_at_unix_ms INTEGER,
    countersigned_by TEXT,
    countersigned_name TEXT,
    countersigned_role TEXT,
    countersigned_at_unix_ms INTEGER
);
-- The page lists visits by time in; the Start page asks for those awaiting a countersignature.
CREATE INDEX visits_entered ON visits (entered_at_unix_ms);
CREATE INDEX visits_awaiting ON visits (countersigned_at_unix_ms, entered_at_unix_ms);

CREATE TABLE visit_corrections (
    reference TEXT NOT NULL REFERENCES visits (reference),
    number INTEGER NOT NULL,
    -- domain::visitors::Field id
    field TEXT NOT NULL,
    before_value TEXT NOT NULL,
    after_value TEXT NOT NULL,
    reason TEXT NOT NULL,
    corrected_by TEXT NOT NULL,
    corrected_by_name TEXT NOT NULL,
    corrected_at_unix_ms INTEGER NOT NULL,
    PRIMARY KEY (reference, number)
);
