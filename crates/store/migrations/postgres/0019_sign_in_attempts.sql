-- Sign-in attempts, counted before any password is checked, so that a burst of concurrent
-- attempts gets exactly the documented number of tries per account and per address.
-- This is the throttle's bookkeeping, not a logbook: every refusal and lock is also in the
-- ledger (book `access`). Rows older than the throttling window are deleted.
CREATE TABLE sign_in_attempts (
    id BIGSERIAL PRIMARY KEY,
    -- The client's address, or for IPv6 its /64 network, as the throttle counts it.
    source_key TEXT NOT NULL,
    -- The account tried, when one by that name exists; never the text a guesser typed.
    account TEXT,
    at_unix_ms BIGINT NOT NULL,
    -- 'pending' while its password is checked, 'refused', 'cleared' (a success, or an
    -- unlock, after which earlier refusals of the account no longer count), or
    -- 'throttle-noted' (the address's pause has been ledgered in this window).
    outcome TEXT NOT NULL
);

CREATE INDEX sign_in_attempts_by_source ON sign_in_attempts (source_key, at_unix_ms);
CREATE INDEX sign_in_attempts_by_account ON sign_in_attempts (account, at_unix_ms);
CREATE INDEX sign_in_attempts_by_time ON sign_in_attempts (at_unix_ms);
