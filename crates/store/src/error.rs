//! Store errors and their kinds.

use custos_base::ErrorKind;
use custos_domain::PolicyError;

/// Result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// Why a store operation failed. Messages never contain a database password.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or opened.
    #[error("could not open the database at {location}: {reason}")]
    Open {
        /// Where (with any password removed).
        location: String,
        /// Why, in words.
        reason: String,
    },
    /// A database operation failed.
    #[error("database error while {doing}: {source}")]
    Database {
        /// What the store was doing.
        doing: &'static str,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// The database was written by a newer Custos.
    #[error(
        "the database schema is version {database}, but this custos understands versions up to {binary}; it was written by a newer Custos. Run that newer version (or a later one) instead; Custos never downgrades a database"
    )]
    SchemaTooNew {
        /// The schema version found in the database.
        database: i64,
        /// The newest version this binary knows.
        binary: i64,
    },
    /// The database has not been brought up to this binary's schema.
    #[error(
        "the database schema is version {database}, but this custos needs version {binary}; run `custos migrate` first"
    )]
    SchemaBehind {
        /// The schema version found in the database.
        database: i64,
        /// The version this binary needs.
        binary: i64,
    },
    /// A policy pack failed validation.
    #[error("the policy pack is not valid:\n{0}")]
    InvalidPolicy(#[from] PolicyError),
    /// A request was not valid; the message says what would be.
    #[error("{0}")]
    Invalid(String),
    /// Something asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The person may not do this; the message says why and who may.
    #[error("{0}")]
    Forbidden(String),
    /// The ledger could not be written or read.
    #[error("ledger: {0}")]
    Ledger(String),
    /// A transaction tried to change data without writing a ledger entry (a bug in Custos).
    #[error(
        "refused to commit a change with no ledger entry; every change must be recorded in the ledger (this is a bug in Custos: please report it)"
    )]
    Unledgered,
    /// Stored data failed a check.
    #[error("{0}")]
    Corrupt(String),
    /// A file the store keeps (a document) could not be written or read.
    #[error("{0}")]
    Files(String),
    /// The server is too busy to do this now (too many password checks waiting); trying
    /// again in a few seconds will work.
    #[error("{0}")]
    Busy(String),
}

impl StoreError {
    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Open { .. }
            | Self::Database { .. }
            | Self::Ledger(_)
            | Self::Files(_)
            | Self::Busy(_) => ErrorKind::Unavailable,
            Self::Unledgered => ErrorKind::Internal,
            Self::SchemaTooNew { .. } | Self::SchemaBehind { .. } => ErrorKind::Unsupported,
            Self::InvalidPolicy(_) | Self::Invalid(_) => ErrorKind::InvalidInput,
            Self::NotFound(_) => ErrorKind::NotFound,
            Self::Forbidden(_) => ErrorKind::PermissionDenied,
            Self::Corrupt(_) => ErrorKind::Corrupt,
        }
    }

    /// Wraps a driver error with what the store was doing (usable for many results).
    pub(crate) fn db(doing: &'static str) -> impl Fn(sqlx::Error) -> Self + Copy {
        move |source| Self::Database { doing, source }
    }
}

/// The reason a person gave for a change, trimmed; refused when empty, with an example,
/// because the ledger must say why.
pub(crate) fn required_reason<'a>(reason: &'a str, example: &str) -> StoreResult<&'a str> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::Invalid(format!(
            "give the reason (e.g. --reason \"{example}\"); it is kept in the ledger"
        )));
    }
    Ok(reason)
}
