-- Downloads (ALT-8, LBU-19, BDC-1, BDC-5): every copy of footage taken out as an evidence
-- package, from the request through each authorisation to what became of the copy. Every
-- entry about a copy carries its download:ID reference, which the download log is built from.
CREATE TABLE downloads (
    id TEXT PRIMARY KEY,
    requested_by TEXT NOT NULL,
    requested_at_unix_ms INTEGER NOT NULL,
    -- The package's fields as asked (JSON): exhibit, cameras, range, requester, recipient,
    -- purpose, case, class to keep the copy under, encryption.
    request TEXT NOT NULL,
    -- awaiting (authorisations wanted), authorised, produced
    state TEXT NOT NULL,
    package_id TEXT,
    produced_at_unix_ms INTEGER
);
CREATE INDEX downloads_package ON downloads (package_id);

-- Each authorisation given, by the person who gave it, for a download (download:ID) or a
-- third-party disclosure (case:REF). One per person per subject.
CREATE TABLE authorisations (
    subject TEXT NOT NULL,
    username TEXT NOT NULL,
    role TEXT NOT NULL,
    as_deputy_for TEXT,
    at_unix_ms INTEGER NOT NULL,
    PRIMARY KEY (subject, username)
);

-- The download a hold keeps the scheme's copy for, if any: releasing it is the authorisation
-- to destroy that copy's footage.
ALTER TABLE holds ADD COLUMN download_id TEXT;
