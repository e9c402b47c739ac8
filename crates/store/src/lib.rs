//! The only owner of persistence in Custos: the database (SQLite or PostgreSQL) and, as the
//! system grows, footage files and the ledger.
//!
//! Invariants:
//! - One API for both backends; SQL is portable (`$N` placeholders) and the few dialect
//!   differences live in [`dialect`].
//! - The schema is created by numbered, forward-only migrations embedded in the binary
//!   ([`migrate`]); a database whose schema is newer than this binary is refused.
//! - Every write goes through [`Store::write`], which on SQLite serialises writers inside the
//!   process and takes the write lock up front (`BEGIN IMMEDIATE`), so concurrent writers
//!   queue instead of failing with "database is locked".
//! - Every change commits together with the ledger entries that describe it
//!   ([`WriteTx::record`]); a write transaction without an entry is refused ([`ledger`]).
//! - Connection URLs are never logged or put in errors with their password ([`redact_url`]).

pub mod bodyworn;
pub mod breaches;
pub mod cameras;
pub mod cases;
pub mod checks;
pub mod competence;
pub mod covert;
pub mod deployments;
pub mod dialect;
pub mod disclosures;
mod documents;
pub mod downloads;
pub mod equipment;
pub mod error;
pub mod evidence;
pub mod footage;
pub mod groups;
pub mod health;
pub mod incidents;
pub mod ledger;
pub mod maintenance;
pub mod migrate;
pub mod overview;
pub mod police_control;
pub mod policy;
pub mod prints;
pub mod recordings;
pub mod retention;
pub mod reviews;
pub mod secrets;
pub mod sessions;
mod sqlite_verify;
mod store;
pub mod users;
pub mod visitors;
pub mod witness;

pub use cameras::{Camera, CameraRequest, Credentials};
pub use competence::{Absence, Shift};
pub use dialect::Backend;
pub use error::{StoreError, StoreResult};
pub use groups::CameraGroup;
pub use ledger::{Appended, LedgerAlarm, LedgerQuery, LedgerSigner, VerificationRecord};
pub use migrate::{MigrationReport, SchemaStatus};
pub use policy::{PolicyVersion, StoredPolicy};
pub use sessions::{NewSession, SessionInfo, SessionState, SignIn, SignInAttempt};
pub use store::{CheckReport, DatabaseLocation, Store, WriteTx, redact_url};
pub use users::UserRecord;
pub use witness::{WitnessProblem, WitnessTarget, read_witness};
