-- Cases (LBU-18, BJS-10, ALT-10, BDC-29, BDC-30, LJM-11): requests and other matters the
-- scheme must answer, each with a human reference, a state machine, assignees, notes,
-- documents and links to held footage. Every change is ledgered in book `case`, without
-- the requester's personal details, which stay here.

CREATE TABLE case_counters (
    prefix TEXT NOT NULL,
    year INTEGER NOT NULL,
    next INTEGER NOT NULL,
    PRIMARY KEY (prefix, year)
);

CREATE TABLE cases (
    reference TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    received_at_unix_ms INTEGER NOT NULL,
    channel TEXT NOT NULL,
    summary TEXT NOT NULL,
    requester_name TEXT NOT NULL,
    requester_contact TEXT NOT NULL,
    details TEXT NOT NULL,
    extended INTEGER NOT NULL DEFAULT 0,
    extension_reason TEXT,
    decision TEXT,
    decision_reasons TEXT,
    opened_by TEXT NOT NULL,
    closed_at_unix_ms INTEGER,
    converted_to TEXT,
    key_sealed TEXT NOT NULL
);
CREATE INDEX cases_by_state ON cases (state, kind);

-- Times the case's clock stood still (waiting for proof of identity).
CREATE TABLE case_pauses (
    reference TEXT NOT NULL REFERENCES cases (reference),
    paused_at_unix_ms INTEGER NOT NULL,
    resumed_at_unix_ms INTEGER,
    reason TEXT NOT NULL,
    PRIMARY KEY (reference, paused_at_unix_ms)
);

CREATE TABLE case_assignees (
    reference TEXT NOT NULL REFERENCES cases (reference),
    username TEXT NOT NULL REFERENCES users (username),
    PRIMARY KEY (reference, username)
);

CREATE TABLE case_notes (
    reference TEXT NOT NULL REFERENCES cases (reference),
    at_unix_ms INTEGER NOT NULL,
    author TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX case_notes_by_case ON case_notes (reference, at_unix_ms);

-- Documents (proof of identity, letters of authority, letters sent), encrypted with the
-- case's own key like footage; the file holds ciphertext only.
CREATE TABLE case_documents (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL REFERENCES cases (reference),
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    path TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    added_at_unix_ms INTEGER NOT NULL,
    added_by TEXT NOT NULL
);

-- Footage a case holds, through the retention holds.
CREATE TABLE case_holds (
    reference TEXT NOT NULL REFERENCES cases (reference),
    hold_id TEXT NOT NULL REFERENCES holds (id),
    PRIMARY KEY (reference, hold_id)
);
