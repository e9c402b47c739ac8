-- The ledger: one append-only, hash-chained table of logbook entries (docs/ref/ledger.md),
-- and the signed checkpoints over it.
CREATE TABLE ledger_entries (
    seq BIGINT PRIMARY KEY CHECK (seq >= 1),
    at_unix_ms BIGINT NOT NULL,
    actor TEXT NOT NULL,
    book TEXT NOT NULL,
    kind TEXT NOT NULL,
    refs TEXT NOT NULL,
    body TEXT NOT NULL,
    prev_hash BYTEA NOT NULL,
    hash BYTEA NOT NULL
);

CREATE INDEX ledger_entries_by_book ON ledger_entries (book, at_unix_ms);

-- Entries are never changed or removed by Custos; refuse it at the engine too.
CREATE FUNCTION ledger_entries_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: entries cannot be changed or removed';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only();

CREATE TABLE ledger_checkpoints (
    seq BIGINT PRIMARY KEY,
    hash BYTEA NOT NULL,
    at_unix_ms BIGINT NOT NULL,
    signature BYTEA NOT NULL
);
