-- The ledger: one append-only, hash-chained table of logbook entries (docs/ref/ledger.md),
-- and the signed checkpoints over it.
CREATE TABLE ledger_entries (
    seq INTEGER PRIMARY KEY CHECK (seq >= 1),
    at_unix_ms INTEGER NOT NULL,
    actor TEXT NOT NULL,
    book TEXT NOT NULL,
    kind TEXT NOT NULL,
    refs TEXT NOT NULL,
    body TEXT NOT NULL,
    prev_hash BLOB NOT NULL,
    hash BLOB NOT NULL
);

CREATE INDEX ledger_entries_by_book ON ledger_entries (book, at_unix_ms);

-- Entries are never changed or removed by Custos; refuse it at the engine too.
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only: entries cannot be changed');
END;

CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only: entries cannot be removed');
END;

CREATE TABLE ledger_checkpoints (
    seq INTEGER PRIMARY KEY,
    hash BLOB NOT NULL,
    at_unix_ms INTEGER NOT NULL,
    signature BLOB NOT NULL
);
