-- A session left unattended past the policy's idle limit is locked (LBU-14) until its
-- owner enters their password again; NULL while unlocked.
ALTER TABLE sessions ADD COLUMN locked_at_unix_ms INTEGER;
