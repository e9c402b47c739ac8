-- Second factor (RFC 6238): the account's TOTP secret in base32 once enrolled, and the
-- last time step accepted, so that no code is accepted twice.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
