//! The small set of error kinds that every library error maps to.
//!
//! Library crates define their own `thiserror` enums and expose a `kind()` returning one of
//! these; the web layer maps kinds to HTTP status codes in one place and the binary maps
//! them to exit codes. Keep the list short: a kind says what the caller can do about it.

/// What kind of failure happened, from the point of view of whoever must act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The input was wrong; the message says what would be right.
    InvalidInput,
    /// The thing asked for does not exist.
    NotFound,
    /// The caller may not do this.
    PermissionDenied,
    /// The request conflicts with the current state (e.g. a duplicate name).
    Conflict,
    /// The data on disk or in the database is newer than this program understands.
    Unsupported,
    /// A database, file or other resource failed; retrying or an operator may help.
    Unavailable,
    /// Data failed an integrity check.
    Corrupt,
    /// A bug: an invariant of Custos itself was broken.
    Internal,
}
