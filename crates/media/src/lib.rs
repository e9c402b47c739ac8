//! Media: RTSP camera sessions, segmenting into fragmented MP4, evidence packages and
//! redaction. No database access: this crate turns camera streams into bytes and bytes into
//! files, and the recorder in the `custos` binary hands the results to the store.
//!
//! It is empty until recording lands; it exists now so the crate boundaries of
//! `docs/ARCHITECTURE.md` hold from the start and nothing media-shaped grows elsewhere.
