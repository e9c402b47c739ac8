-- Who has accepted which confidentiality declaration (BDC-7), by the SHA-256 of its text;
-- each acceptance is also an entry in the ledger.
CREATE TABLE declaration_acceptances (
    username TEXT NOT NULL REFERENCES users (username),
    sha256_hex TEXT NOT NULL,
    accepted_at_unix_ms INTEGER NOT NULL,
    PRIMARY KEY (username, sha256_hex)
);
