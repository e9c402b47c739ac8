-- Body-worn cameras (LBU-24): the device register and the issue and returns log. A device
-- is registered once and may be retired; an issue names the device, the officer, daily or
-- permanent assignment, who issued it, the officer's acknowledgement (the SHA-256 of the
-- text accepted and the name typed under it), and once, its return. Every change has its
-- ledger entry in book `bwv`.

CREATE TABLE bwv_devices (
    id TEXT PRIMARY KEY,
    serial TEXT NOT NULL,
    model TEXT NOT NULL,
    owner TEXT NOT NULL,
    registered_at_unix_ms BIGINT NOT NULL,
    registered_by TEXT NOT NULL,
    retired_at_unix_ms BIGINT
);

CREATE TABLE bwv_issues (
    reference TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES bwv_devices (id),
    officer TEXT NOT NULL,
    -- daily | permanent
    assignment TEXT NOT NULL,
    issued_at_unix_ms BIGINT NOT NULL,
    issued_by TEXT NOT NULL,
    issued_by_name TEXT NOT NULL,
    acknowledgement_sha256 TEXT NOT NULL,
    typed_name TEXT NOT NULL,
    returned_at_unix_ms BIGINT,
    returned_to_name TEXT
);
-- The log lists issues by time; a device's open issue is found by device.
CREATE INDEX bwv_issues_by_issued ON bwv_issues (issued_at_unix_ms);
CREATE INDEX bwv_issues_by_device ON bwv_issues (device_id, returned_at_unix_ms);
