//! Documents kept encrypted on disk: a case's documents (`cases`), an incident's witness
//! statements (`incidents`), a visit's scanned undertaking (`visitors`), and a video print's
//! written authority, still and sidecar (`prints`) are each one record of a segment file (`custos_media::segfile`)
//! sealed under a key of their own, which the database keeps sealed by the master key.
//!
//! Invariants: a document is written whole and synced before the row that names it is
//! committed (a transaction that does not commit leaves an unreferenced file, never a row
//! without its file); a document read back is checked against the SHA-256 recorded when it
//! was kept, and a mismatch is an error, never the altered bytes.

use std::path::Path;

use custos_domain::ledger::to_hex;
use custos_media::segfile::{FileKind, RecordMeta, SegmentWriter};
use sha2::{Digest, Sha256};

use crate::error::{StoreError, StoreResult};
use crate::secrets::SecretKey;

/// Writes `contents` encrypted under `key` as a new file at `path` (its folder made if
/// needed), synced to disk, stamped `now_unix_ms`. Returns the contents' SHA-256 in hex.
pub(crate) fn write_sealed(
    path: &Path,
    key: &SecretKey,
    contents: &[u8],
    now_unix_ms: i64,
) -> StoreResult<String> {
    let io = |e: std::io::Error| StoreError::Files(format!("cannot write {}: {e}", path.display()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut w = SegmentWriter::create(path, FileKind::Media, key.bytes())
        .map_err(|e| StoreError::Files(e.to_string()))?;
    w.append(
        contents,
        &RecordMeta {
            start_unix_ms: now_unix_ms,
            frames: 0,
            duration_ms: 0,
        },
    )
    .map_err(|e| StoreError::Files(e.to_string()))?;
    w.sync().map_err(|e| StoreError::Files(e.to_string()))?;
    Ok(to_hex(&Sha256::digest(contents)))
}

/// The contents of the file at `path`, decrypted under `key` and checked against `sha256`;
/// `what` names the document in errors ("document 1a2b of case SAR-2026-0001").
pub(crate) fn read_sealed(
    path: &Path,
    key: &SecretKey,
    sha256: &str,
    what: &str,
) -> StoreResult<Vec<u8>> {
    let contents = custos_media::segfile::read_records(path, key.bytes())
        .map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))?
        .records
        .into_iter()
        .next()
        .map(|r| r.plaintext)
        .unwrap_or_default();
    if to_hex(&Sha256::digest(&contents)) != sha256 {
        return Err(StoreError::Corrupt(format!(
            "{what} no longer matches its SHA-256"
        )));
    }
    Ok(contents)
}

impl crate::store::Store {
    /// The data key sealed in the `key_sealed` column of the row `query` selects for
    /// `reference` (one `$1` parameter), opened with the master key under `context`; `what`
    /// names the record in errors ("case", "incident"). How a case's documents and an
    /// incident's statements find the key they are encrypted under.
    pub(crate) async fn open_record_key(
        &self,
        query: &'static str,
        context: &str,
        reference: &str,
        what: &str,
    ) -> StoreResult<SecretKey> {
        use sqlx::Row;
        let row = sqlx::query(query)
            .bind(reference)
            .fetch_optional(self.pool())
            .await
            .map_err(StoreError::db("reading a record's key"))?
            .ok_or_else(|| StoreError::NotFound(format!("there is no {what} {reference}")))?;
        let sealed: String = row
            .try_get(0)
            .map_err(StoreError::db("reading a record's key"))?;
        self.master_key()?
            .open_key(context, &sealed, &format!("the key of {what} {reference}"))
    }
}
