-- Covert surveillance authorisations on the case engine (LJM-4, LBU-11, BDC-16): one row
-- per authorisation, keyed by its case's reference, with the cameras it covers, the team
-- who alone (with the roles the pack names) may review their footage while it is in
-- force, its reviews, renewals, and the notices its team was given when it was cancelled.
-- The central record is a case, and no code path deletes a case: it is kept at least three
-- years after the authorisation ends (domain::covert::RECORD_KEPT_AFTER_END).

CREATE TABLE case_covert (
    reference TEXT PRIMARY KEY REFERENCES cases (reference),
    -- directed | intrusive (a covert human intelligence source is refused).
    surveillance TEXT NOT NULL,
    -- scheme | police | local-authority
    body TEXT NOT NULL,
    -- The police force or council by name; empty for the scheme's own.
    organisation TEXT NOT NULL,
    -- The force's unique reference number (police only).
    urn TEXT,
    -- written | urgent-oral
    route TEXT NOT NULL,
    -- The grounds' ids, comma separated (RIPA authorisations).
    grounds TEXT NOT NULL,
    crime_threshold TEXT,
    -- The written rationale (the scheme's own) or the reasons.
    rationale TEXT NOT NULL,
    -- The scheme's own: the time limit its authoriser set (last millisecond).
    until_unix_ms BIGINT,
    -- The authorising officer, with rank or post.
    authorised_by TEXT NOT NULL,
    -- The scheme's own: the pack role the person who recorded it acted in.
    authorised_role TEXT,
    -- The areas or places the surveillance concerns, in words.
    areas TEXT NOT NULL,
    granted_at_unix_ms BIGINT NOT NULL,
    -- The UK day of the first review (YYYY-MM-DD).
    first_review_on TEXT NOT NULL,
    jp_approved_at_unix_ms BIGINT,
    cancelled_at_unix_ms BIGINT,
    cancel_reason TEXT
);

CREATE TABLE covert_cameras (
    reference TEXT NOT NULL REFERENCES cases (reference),
    camera_id TEXT NOT NULL REFERENCES cameras (id),
    PRIMARY KEY (reference, camera_id)
);
-- The review path asks, for one camera, which authorisations cover it.
CREATE INDEX covert_cameras_by_camera ON covert_cameras (camera_id);

CREATE TABLE covert_team (
    reference TEXT NOT NULL REFERENCES cases (reference),
    username TEXT NOT NULL REFERENCES users (username),
    PRIMARY KEY (reference, username)
);

-- Reviews due (the first set when it is granted, each next one when one is done).
CREATE TABLE covert_reviews (
    reference TEXT NOT NULL REFERENCES cases (reference),
    due_on TEXT NOT NULL,
    done_at_unix_ms BIGINT,
    done_by TEXT,
    findings TEXT
);
CREATE INDEX covert_reviews_by_case ON covert_reviews (reference, due_on);

CREATE TABLE covert_renewals (
    reference TEXT NOT NULL REFERENCES cases (reference),
    granted_at_unix_ms BIGINT NOT NULL,
    jp_approved_at_unix_ms BIGINT,
    until_unix_ms BIGINT,
    reasons TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (reference, granted_at_unix_ms)
);

-- What the team was told, and when (a cancellation); shown on each member's Start page.
CREATE TABLE covert_notices (
    reference TEXT NOT NULL REFERENCES cases (reference),
    username TEXT NOT NULL REFERENCES users (username),
    at_unix_ms BIGINT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (reference, username, at_unix_ms)
);
CREATE INDEX covert_notices_by_user ON covert_notices (username, at_unix_ms);
