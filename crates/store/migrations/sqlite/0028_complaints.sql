-- Complaints on the case engine (BDC-21, LBU-25): when the incident complained of
-- happened, whether the complaint came after the pack's window for raising one (found when
-- it is opened; accepting or refusing it is then a step), when it was acknowledged in
-- writing, and an appeal against its answer with the appeal's own clock and outcome.
ALTER TABLE cases ADD COLUMN incident_at_unix_ms INTEGER;
ALTER TABLE cases ADD COLUMN raised_late INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN acknowledged_at_unix_ms INTEGER;
ALTER TABLE cases ADD COLUMN appeal_received_at_unix_ms INTEGER;
ALTER TABLE cases ADD COLUMN appeal_grounds TEXT;
ALTER TABLE cases ADD COLUMN appeal_outcome TEXT;
ALTER TABLE cases ADD COLUMN appeal_reasons TEXT;
ALTER TABLE cases ADD COLUMN appeal_decided_by TEXT;
