//! Evidence packages (BDC-3, BDC-4, BDC-5, ALT-14, LBU-20): what leaves the building, in a
//! form anyone can check without the scheme's database — the master copy of the footage
//! bit for bit, playable working copies, checksums, the scheme's signature over them, and
//! for each master segment its proof of inclusion in the hour sealed into the ledger at
//! recording time.
//!
//! Invariants: this crate reads and writes package files only; it never opens the scheme's
//! database, so `custos package verify` works anywhere the package is copied.

pub mod documents;
pub mod package;
pub mod signature;
pub mod verify;

pub mod age;
pub mod archive;
