-- The deployment log of redeployable cameras (BDC-38, LJM-5): one row per deployment, keyed
-- by its reference (DEP-2026-0001), holding the details as recorded (camera, place and map
-- reference, planned period, grounds and justification, purpose, consultation, privacy
-- restrictions, who authorised it), when its signs went up and came down and when the
-- camera came down; each correction as a row of its own (the deployment as recorded stays);
-- photos of the signs and other documents encrypted under the deployment's own key, sealed
-- by the master key. Every change has its ledger entry in book `deployment`.

CREATE TABLE deployments (
    reference TEXT PRIMARY KEY,
    camera_id TEXT NOT NULL REFERENCES cameras (id),
    place TEXT NOT NULL,
    map_reference TEXT NOT NULL,
    from_unix_ms INTEGER NOT NULL,
    until_unix_ms INTEGER NOT NULL,
    -- domain::deployment::Grounds id
    grounds TEXT NOT NULL,
    justification TEXT NOT NULL,
    purpose TEXT NOT NULL,
    -- domain::deployment::Consultation in words ("Consulted: …" | "Not possible: …")
    consultation TEXT NOT NULL,
    privacy TEXT NOT NULL,
    authorised_by TEXT NOT NULL,
    -- The user name of who recorded it, and their name then.
    recorded_by TEXT NOT NULL,
    recorded_by_name TEXT NOT NULL,
    recorded_at_unix_ms INTEGER NOT NULL,
    signs_up_unix_ms INTEGER,
    signs_down_unix_ms INTEGER,
    removed_unix_ms INTEGER,
    key_sealed TEXT NOT NULL
);
-- Footage finds the deployment it was recorded under by camera and time.
CREATE INDEX deployments_by_camera ON deployments (camera_id, from_unix_ms);

CREATE TABLE deployment_corrections (
    reference TEXT NOT NULL REFERENCES deployments (reference),
    number INTEGER NOT NULL,
    -- domain::deployment::Field id
    field TEXT NOT NULL,
    before_value TEXT NOT NULL,
    after_value TEXT NOT NULL,
    reason TEXT NOT NULL,
    corrected_by TEXT NOT NULL,
    corrected_by_name TEXT NOT NULL,
    corrected_at_unix_ms INTEGER NOT NULL,
    PRIMARY KEY (reference, number)
);

CREATE TABLE deployment_documents (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL REFERENCES deployments (reference),
    -- signs-erected | signs-removed | other
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    path TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    added_at_unix_ms INTEGER NOT NULL,
    added_by TEXT NOT NULL
);
CREATE INDEX deployment_documents_by_reference ON deployment_documents (reference);
