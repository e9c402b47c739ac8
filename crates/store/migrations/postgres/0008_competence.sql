-- Competence (BDC-11, BDC-22, BDC-36): SIA licences and training records per person, and
-- who is signed on duty in the control room. Rows are added, never changed; each addition
-- is also an entry in the ledger.
CREATE TABLE licences (
    username TEXT NOT NULL REFERENCES users (username),
    number TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    recorded_at_unix_ms BIGINT NOT NULL,
    PRIMARY KEY (username, number)
);

CREATE TABLE training (
    username TEXT NOT NULL REFERENCES users (username),
    course TEXT NOT NULL,
    completed_on TEXT NOT NULL,
    expires_on TEXT,
    recorded_at_unix_ms BIGINT NOT NULL,
    PRIMARY KEY (username, course, completed_on)
);

CREATE TABLE duty (
    username TEXT NOT NULL REFERENCES users (username),
    on_at_unix_ms BIGINT NOT NULL,
    off_at_unix_ms BIGINT,
    PRIMARY KEY (username, on_at_unix_ms)
);
