//! Shared foundations for every Custos crate: the error kinds every layer maps to, the
//! [`Clock`] that all time flows through (real or simulated), and time units.
//!
//! Invariants: times are UTC instants held as milliseconds since the Unix epoch
//! ([`UnixMs`]); nothing in Custos reads the system clock except through [`Clock`], so
//! tests can run on simulated time.

pub mod clock;
pub mod error;

pub use clock::{Clock, SimulatedClock, SystemClock, UnixMs, long_date};
pub use error::ErrorKind;

/// Who did something: a signed-in person or a named part of the system.
///
/// Every state change in the store records its actor; the ledger refers to actors by the
/// text form (`user:alice`, `system:retention-sweeper`, `console:root`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Actor {
    /// A person signed in to Custos, by user name.
    User(String),
    /// A person signed in to Custos using rights they hold only as deputy while the holders
    /// of other roles are absent (BDC-1). Recorded as the person (`user:NAME`); the store
    /// adds `as_deputy_for` to each entry they cause.
    Deputy {
        /// Their user name.
        user: String,
        /// The absent roles they stand in for, e.g. `manager, supervisor`.
        for_roles: String,
    },
    /// Someone at the server's console running the `custos` command, by operating-system
    /// user name.
    Console(String),
    /// A component of Custos acting on its own (e.g. `retention-sweeper`).
    System(String),
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::User(n) | Actor::Deputy { user: n, .. } => write!(f, "user:{n}"),
            Actor::Console(n) => write!(f, "console:{n}"),
            Actor::System(n) => write!(f, "system:{n}"),
        }
    }
}
