-- Third-party disclosure (LBU-19, LBU-20, LBU-21, ALT-13, BDC-17, BDC-31, BDC-32, BDC-39):
-- what a disclosure case asks and under which category, the documents by kind, the
-- recipient's release agreement, who authorised the release, the disclosure log of every
-- hand-over, and the register of physical media evidence leaves on.

-- One row per disclosure case.
CREATE TABLE case_disclosures (
    reference TEXT PRIMARY KEY REFERENCES cases (reference),
    category TEXT NOT NULL,
    request_type TEXT NOT NULL,
    organisation TEXT NOT NULL,
    crime_reference TEXT NOT NULL,
    purpose TEXT NOT NULL,
    -- The scheme's public-interest test for a secondary request (BDC-39).
    public_interest_test TEXT,
    -- The release agreement as accepted: the recipient's name and organisation as they
    -- gave them, the full text, and when and by whom the acceptance was recorded.
    recipient_name TEXT,
    recipient_organisation TEXT,
    agreement_text TEXT,
    agreement_accepted_at_unix_ms BIGINT,
    agreement_recorded_by TEXT,
    -- The authorisation: the person, the pack role they acted in, the legal basis.
    authorised_by TEXT,
    authorised_role TEXT,
    authorised_at_unix_ms BIGINT,
    legal_basis TEXT
);

-- What a document kept with a case is (for a disclosure, one of the disclosure document
-- kinds); NULL for documents added without a kind.
ALTER TABLE case_documents ADD COLUMN kind TEXT;

-- The disclosure log (LBU-20): one row per package handed over for a disclosure case.
CREATE TABLE disclosure_log (
    package_id TEXT PRIMARY KEY,
    reference TEXT NOT NULL REFERENCES cases (reference),
    handed_over_at_unix_ms BIGINT NOT NULL,
    recipient_officer TEXT NOT NULL,
    recipient_organisation TEXT NOT NULL,
    description TEXT NOT NULL,
    crime_reference TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    package_sha256 TEXT NOT NULL,
    authorised_by TEXT NOT NULL
);
CREATE INDEX disclosure_log_by_time ON disclosure_log (handed_over_at_unix_ms);

-- The media register (BDC-32): each physical medium evidence leaves on, by its unique
-- reference, with where it went and what became of it.
CREATE TABLE media_register (
    reference TEXT PRIMARY KEY,
    package_id TEXT NOT NULL,
    case_reference TEXT REFERENCES cases (reference),
    description TEXT NOT NULL,
    issued_to TEXT NOT NULL,
    organisation TEXT NOT NULL,
    issued_at_unix_ms BIGINT NOT NULL,
    issued_by TEXT NOT NULL,
    returned_at_unix_ms BIGINT,
    erased_at_unix_ms BIGINT,
    remarks TEXT NOT NULL
);
