-- Review grants (LBU-4, ALT-6, BDC-33): permission for one person, in one session, to play
-- one camera's footage for one range, issued in the same transaction as the review's entry
-- in the ledger (book review), for a limited time. Only a hash of the grant's token is kept.
CREATE TABLE review_grants (
    token_hash BLOB PRIMARY KEY,
    review_id TEXT NOT NULL,
    username TEXT NOT NULL REFERENCES users (username),
    session_hash BLOB NOT NULL,
    camera_id TEXT NOT NULL REFERENCES cameras (id),
    stream TEXT NOT NULL,
    from_unix_ms INTEGER NOT NULL,
    to_unix_ms INTEGER NOT NULL,
    expires_at_unix_ms INTEGER NOT NULL,
    finished_at_unix_ms INTEGER
);
