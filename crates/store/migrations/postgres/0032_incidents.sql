-- The incident log (BDC-24, BDC-18): one row per incident as it stands now (its reference
-- INC-YYYY-NNNN, when and where, what was seen, by whom, the police reference, the action
-- taken, the outcome once recorded and the countersignature), the cameras that saw it,
-- each correction with the fields it changed (before and after) and its reason, what is
-- linked to it (held footage, reviews, downloads) and its witness statements, encrypted
-- under the incident's own key like case documents. Every change has its ledger entry
-- (book `incident`); a correction is a new entry, and the row here is updated with it.

CREATE TABLE incidents (
    reference TEXT PRIMARY KEY,
    occurred_at_unix_ms BIGINT NOT NULL,
    place TEXT NOT NULL,
    seen TEXT NOT NULL,
    seen_by TEXT NOT NULL,
    police_reference TEXT NOT NULL,
    action_taken TEXT NOT NULL,
    -- Empty while the incident is open.
    outcome TEXT NOT NULL,
    outcome_at_unix_ms BIGINT,
    outcome_by TEXT,
    recorded_at_unix_ms BIGINT NOT NULL,
    recorded_by TEXT NOT NULL,
    countersigned_by TEXT,
    countersigned_role TEXT,
    countersigned_at_unix_ms BIGINT,
    -- The incident's document key, sealed with the master key.
    key_sealed TEXT NOT NULL
);
-- The log is listed newest first.
CREATE INDEX incidents_by_occurred ON incidents (occurred_at_unix_ms);

CREATE TABLE incident_cameras (
    reference TEXT NOT NULL REFERENCES incidents (reference),
    camera_id TEXT NOT NULL REFERENCES cameras (id),
    PRIMARY KEY (reference, camera_id)
);

CREATE TABLE incident_corrections (
    reference TEXT NOT NULL REFERENCES incidents (reference),
    -- 1, 2, … per incident.
    n BIGINT NOT NULL,
    at_unix_ms BIGINT NOT NULL,
    corrected_by TEXT NOT NULL,
    -- domain::incident::Field ids, comma-separated.
    fields TEXT NOT NULL,
    reason TEXT NOT NULL,
    -- The changed fields before and after, as JSON objects.
    before_json TEXT NOT NULL,
    after_json TEXT NOT NULL,
    PRIMARY KEY (reference, n)
);

CREATE TABLE incident_links (
    reference TEXT NOT NULL REFERENCES incidents (reference),
    -- footage (a hold's id) | review (a review's id) | download (a download's id)
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    linked_at_unix_ms BIGINT NOT NULL,
    linked_by TEXT NOT NULL,
    PRIMARY KEY (reference, kind, target)
);

CREATE TABLE incident_documents (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL REFERENCES incidents (reference),
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    path TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    added_at_unix_ms BIGINT NOT NULL,
    added_by TEXT NOT NULL,
    -- witness-statement
    kind TEXT NOT NULL
);
CREATE INDEX incident_documents_by_reference ON incident_documents (reference);
