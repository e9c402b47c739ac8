//! Pure rules of a CCTV scheme: policy packs, purposes, roles, deadline rules.
//!
//! Invariants: no I/O, no async, no clock reads. Everything here is a function of its
//! arguments, so the rules can be tested exhaustively and reused by every front end.

#[macro_use]
mod macros;

pub mod access;
pub mod bank_holidays;
pub mod bodyworn;
pub mod breach;
pub mod calendar;
pub mod camera;
pub mod case;
pub mod checks;
pub mod complaints;
pub mod covert;
pub mod csvfile;
pub mod deadline;
pub mod deployment;
pub mod disclosure;
pub mod equipment;
pub mod ident;
pub mod incident;
pub mod ledger;
pub mod letter;
pub mod logbook;
pub mod maintenance;
pub mod network;
pub mod password;
pub mod pdf;
pub mod police_control;
pub mod policy;
pub mod prints;
pub mod retention;
pub mod role;
pub mod seal;
pub mod totp;
pub mod visitors;

pub use camera::{CameraKind, Nation, RecordingMode};
pub use deadline::DeadlineRule;
pub use ident::{Ident, IdentError};
pub use policy::{LocatedProblem, PolicyError, PolicyPack, Problem};
pub use role::Role;
