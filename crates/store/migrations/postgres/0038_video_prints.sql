-- The video print register (BDC-34, BDC-18). A police officer's written authority
-- (VPA-2026-0001) is one row of print_authorities: the officer's name, rank, warrant or
-- collar number and force, what it asks for, the day it is dated, and the written authority
-- itself kept encrypted under the authority's own key (sealed by the master key). Each print
-- (VP-2026-0001) is one row of video_prints under an authority: the camera and moment, the
-- frame shown, the SHA-256 of the recorded segment it was decoded from, and the still (PNG)
-- and its sidecar (JSON) kept encrypted under the print's own key. To whom it was given, the
-- authorisation of its destruction and its destruction are filled once; at destruction the
-- files are deleted and the key dropped. Details are never changed: corrections are rows of
-- print_authority_corrections and video_print_corrections, applied in order. Every change is
-- a ledger entry (book video-prints) written in the same transaction.

CREATE TABLE print_authorities (
    reference TEXT PRIMARY KEY,
    officer_name TEXT NOT NULL,
    -- domain::prints::Rank id
    officer_rank TEXT NOT NULL,
    officer_number TEXT NOT NULL,
    officer_force TEXT NOT NULL,
    request TEXT NOT NULL,
    -- The UK day the written authority is dated, YYYY-MM-DD.
    dated TEXT NOT NULL,
    document_path TEXT NOT NULL,
    document_name TEXT NOT NULL,
    document_sha256 TEXT NOT NULL,
    key_sealed TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_by_name TEXT NOT NULL,
    recorded_at_unix_ms BIGINT NOT NULL
);

CREATE TABLE print_authority_corrections (
    reference TEXT NOT NULL REFERENCES print_authorities (reference),
    number BIGINT NOT NULL,
    -- domain::prints::AuthorityField id
    field TEXT NOT NULL,
    before_value TEXT NOT NULL,
    after_value TEXT NOT NULL,
    reason TEXT NOT NULL,
    corrected_by TEXT NOT NULL,
    corrected_by_name TEXT NOT NULL,
    corrected_at_unix_ms BIGINT NOT NULL,
    PRIMARY KEY (reference, number)
);

CREATE TABLE video_prints (
    reference TEXT PRIMARY KEY,
    authority TEXT NOT NULL REFERENCES print_authorities (reference),
    camera_id TEXT NOT NULL REFERENCES cameras (id),
    camera_name TEXT NOT NULL,
    moment_unix_ms BIGINT NOT NULL,
    frame_unix_ms BIGINT NOT NULL,
    -- The recorded segment the still was decoded from, and its SHA-256 as the index keeps it.
    segment_path TEXT NOT NULL,
    segment_sha256 TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    still_path TEXT,
    still_sha256 TEXT NOT NULL,
    sidecar_path TEXT,
    sidecar_sha256 TEXT NOT NULL,
    -- NULL once the print is destroyed.
    key_sealed TEXT,
    made_by TEXT NOT NULL,
    made_by_name TEXT NOT NULL,
    made_at_unix_ms BIGINT NOT NULL,
    given_to TEXT,
    given_to_organisation TEXT,
    given_at_unix_ms BIGINT,
    destruction_authorised_by TEXT,
    destruction_authorised_name TEXT,
    destruction_authorised_role TEXT,
    destruction_reason TEXT,
    destruction_authorised_at_unix_ms BIGINT,
    destroyed_by TEXT,
    destroyed_by_name TEXT,
    destroyed_at_unix_ms BIGINT
);
-- The register lists prints by when they were made; the checks ask for those not destroyed.
CREATE INDEX video_prints_made ON video_prints (made_at_unix_ms);
CREATE INDEX video_prints_kept ON video_prints (destroyed_at_unix_ms, made_at_unix_ms);

CREATE TABLE video_print_corrections (
    reference TEXT NOT NULL REFERENCES video_prints (reference),
    number BIGINT NOT NULL,
    -- domain::prints::PrintField id
    field TEXT NOT NULL,
    before_value TEXT NOT NULL,
    after_value TEXT NOT NULL,
    reason TEXT NOT NULL,
    corrected_by TEXT NOT NULL,
    corrected_by_name TEXT NOT NULL,
    corrected_at_unix_ms BIGINT NOT NULL,
    PRIMARY KEY (reference, number)
);
