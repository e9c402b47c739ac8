//! The differences between SQLite and PostgreSQL, in one place.
//!
//! Everything else in the store writes portable SQL with `$N` placeholders; what cannot be
//! portable (connection setup, how a write transaction begins, schema locks, the
//! migrations themselves) is chosen here by [`Backend`].

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, a file in the data directory; the embedded default.
    Sqlite,
    /// PostgreSQL, for larger or multi-node schemes.
    Postgres,
}

impl Backend {
    /// The engine's name for people.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }

    /// Statements run on every new connection.
    pub(crate) fn connection_setup(self) -> &'static [&'static str] {
        match self {
            // WAL lets readers run beside the one writer; foreign keys are off by default in
            // SQLite; the busy timeout makes a second process wait rather than fail. The WAL
            // is folded into the database by the store's checkpointer, beside the writer,
            // not by whichever commit crosses the WAL's size limit (which would hold the
            // write lock, and so the recorder, for as long as the checkpoint takes).
            Self::Sqlite => &[
                "PRAGMA journal_mode = WAL",
                "PRAGMA foreign_keys = ON",
                "PRAGMA busy_timeout = 30000",
                "PRAGMA synchronous = FULL",
                "PRAGMA wal_autocheckpoint = 0",
            ],
            Self::Postgres => &["SET TIME ZONE 'UTC'"],
        }
    }

    /// The statement that opens a write transaction.
    pub(crate) fn begin_write(self) -> &'static str {
        match self {
            // Take the write lock at the start, so a transaction never has to upgrade from a
            // read lock (which fails at once with SQLITE_BUSY instead of waiting).
            Self::Sqlite => "BEGIN IMMEDIATE",
            Self::Postgres => "BEGIN",
        }
    }

    /// A statement that makes ledger appends in concurrent transactions take turns
    /// (`None` where [`Backend::begin_write`] already does). Held until the transaction ends.
    pub(crate) fn ledger_lock(self) -> Option<&'static str> {
        match self {
            Self::Sqlite => None,
            // The key is an arbitrary constant reserved for the ledger ("CUSTOSLG").
            Self::Postgres => Some("SELECT pg_advisory_xact_lock(4851875795134794823)"),
        }
    }

    /// A statement that makes sign-in attempts in concurrent transactions count one at a
    /// time, so that no two see the same count (`None` where [`Backend::begin_write`]
    /// already does). Held until the transaction ends.
    pub(crate) fn sign_in_lock(self) -> Option<&'static str> {
        match self {
            Self::Sqlite => None,
            // An arbitrary constant reserved for sign-in counting ("CUSTOSSI").
            Self::Postgres => Some("SELECT pg_advisory_xact_lock(4851875795134792009)"),
        }
    }

    /// A statement, run first inside a migration transaction, that keeps two processes
    /// from migrating at once (`None` where [`Backend::begin_write`] already does).
    pub(crate) fn migration_lock(self) -> Option<&'static str> {
        match self {
            Self::Sqlite => None,
            Self::Postgres => Some("LOCK TABLE custos_schema IN ACCESS EXCLUSIVE MODE"),
        }
    }

    /// This backend's migrations, in order.
    pub(crate) fn migrations(self) -> &'static [crate::migrate::Migration] {
        match self {
            Self::Sqlite => crate::migrate::SQLITE,
            Self::Postgres => crate::migrate::POSTGRES,
        }
    }
}
