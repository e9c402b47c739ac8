-- Whether each ledger witness (a file, a syslog server, an HTTP(S) endpoint) could be
-- written last time: a failing one is an alarm on every staff page. Each change of state is
-- also in the ledger (witness-failed, witness-restored).
CREATE TABLE witness_status (
    target TEXT PRIMARY KEY,
    failing INTEGER NOT NULL,
    since_unix_ms INTEGER NOT NULL,
    detail TEXT NOT NULL
);
