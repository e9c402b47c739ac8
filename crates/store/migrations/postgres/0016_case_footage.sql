-- What a requester said about when and where they were seen (LBU-18, BJS-10, ALT-10,
-- BDC-29: a date, a time within about an hour, and a place), the footage a case concerns
-- (BDC-28: held at once for a subject access request), and what an accepted erasure did
-- (BDC-30).

ALTER TABLE cases ADD COLUMN seen_from_unix_ms BIGINT;
ALTER TABLE cases ADD COLUMN seen_to_unix_ms BIGINT;
ALTER TABLE cases ADD COLUMN place TEXT;
-- For an accepted erasure: what was erased and what a hold kept, in words for the letter.
ALTER TABLE cases ADD COLUMN erasure_outcome TEXT;

-- Footage a case concerns: one camera and range per row, with the hold keeping it, if any.
CREATE TABLE case_footage (
    reference TEXT NOT NULL REFERENCES cases (reference),
    camera_id TEXT NOT NULL REFERENCES cameras (id),
    from_unix_ms BIGINT NOT NULL,
    to_unix_ms BIGINT NOT NULL,
    hold_id TEXT REFERENCES holds (id),
    added_at_unix_ms BIGINT NOT NULL,
    PRIMARY KEY (reference, camera_id, from_unix_ms)
);
