-- Interim seals: a camera-hour still being recorded, sealed on demand so that its footage
-- can be exported at once. Each is the Merkle root of the hour's segments so far (their
-- hashes kept in order as leaves), also in the ledger (`hour-sealed-interim`); the hour's
-- own seal later covers every segment, and both stay valid proofs.
CREATE TABLE interim_seals (
    camera_id TEXT NOT NULL REFERENCES cameras (id),
    stream TEXT NOT NULL,
    hour_unix_ms INTEGER NOT NULL,
    segments INTEGER NOT NULL,
    root TEXT NOT NULL,
    leaves TEXT NOT NULL,
    ledger_seq INTEGER,
    made_at_unix_ms INTEGER NOT NULL,
    PRIMARY KEY (camera_id, stream, hour_unix_ms, segments)
);
