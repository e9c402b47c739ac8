//! Fast verification of a SQLite ledger: the rows are read through SQLite's own interface
//! (`rusqlite`, borrowing each value instead of decoding it into an owned one, which is
//! what limits reading through sqlx), on one read-only connection per part, the parts
//! checked at once on separate threads and their seams checked afterwards.
//!
//! Invariants: the outcome is what one [`Verifier`] reading every entry in order would
//! report — the first problem by sequence number, naming the same entry — because each
//! part is checked by a `Verifier` of its own and the seams between parts (the chain link,
//! time order, and no entries missing at the end of a part) are checked here. This module
//! only reads.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use custos_domain::ledger::{Checkpoint, EntryFields, Problem, Summary, Verifier};
use ed25519_dalek::VerifyingKey;

use crate::error::{StoreError, StoreResult};

/// How a part ended, for checking the seams.
struct Part {
    /// The part's own result.
    result: Result<Summary, Problem>,
    /// The first entry read: sequence number, stored previous hash, time.
    first: Option<(i64, Vec<u8>, i64)>,
    /// The last entry read: sequence number, stored hash (`None` if not 32 bytes), time.
    last: Option<(i64, Option<[u8; 32]>, i64)>,
}

fn db_error(doing: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |e| StoreError::Ledger(format!("{doing}: {e}"))
}

fn open(path: &Path) -> StoreResult<rusqlite::Connection> {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(db_error("opening the ledger to verify it"))?;
    // Read the file through memory mapping (up to 1 GiB) rather than copying each page.
    conn.pragma_update(None, "mmap_size", 1_073_741_824_i64)
        .map_err(db_error("opening the ledger to verify it"))?;
    Ok(conn)
}

/// Checks the entries with `lo <= seq <= hi` (all of them when `hi` is `None`).
fn check_part(
    path: &Path,
    key: VerifyingKey,
    lo: i64,
    hi: Option<i64>,
    checkpoints: Vec<Checkpoint>,
    witness: &[String],
    done: &AtomicU64,
) -> StoreResult<Part> {
    let conn = open(path)?;
    let mut v = match Verifier::new(key, lo, checkpoints, witness) {
        Ok(v) => v,
        Err(p) => {
            return Ok(Part {
                result: Err(p),
                first: None,
                last: None,
            });
        }
    };
    if let Some(hi) = hi {
        v.stop_at(hi);
    }
    let mut stmt = conn
        .prepare(
            "SELECT seq, at_unix_ms, actor, book, kind, refs, body, prev_hash, hash \
             FROM ledger_entries WHERE seq >= ?1 AND seq <= ?2 ORDER BY seq",
        )
        .map_err(db_error("reading ledger entries"))?;
    let mut rows = stmt
        .query((lo, hi.unwrap_or(i64::MAX)))
        .map_err(db_error("reading ledger entries"))?;
    let mut first = None;
    let mut last = None;
    let mut n = 0u64;
    while let Some(row) = rows.next().map_err(db_error("reading ledger entries"))? {
        let text = |i: usize| -> StoreResult<&str> {
            row.get_ref(i)
                .and_then(|v| v.as_str().map_err(Into::into))
                .map_err(db_error("reading a ledger entry"))
        };
        let blob = |i: usize| -> StoreResult<&[u8]> {
            row.get_ref(i)
                .and_then(|v| v.as_blob().map_err(Into::into))
                .map_err(db_error("reading a ledger entry"))
        };
        let seq: i64 = row.get(0).map_err(db_error("reading a ledger entry"))?;
        let at: i64 = row.get(1).map_err(db_error("reading a ledger entry"))?;
        let fields = EntryFields {
            seq,
            at_unix_ms: at,
            actor: text(2)?,
            book: text(3)?,
            kind: text(4)?,
            refs: text(5)?,
            body: text(6)?,
        };
        let (prev, hash) = (blob(7)?, blob(8)?);
        if first.is_none() {
            first = Some((seq, prev.to_vec(), at));
        }
        if let Err(p) = v.check(&fields, prev, hash) {
            return Ok(Part {
                result: Err(p),
                first,
                last,
            });
        }
        last = Some((seq, hash.try_into().ok(), at));
        n += 1;
        if n.is_multiple_of(16_384) {
            done.fetch_add(16_384, Ordering::Relaxed);
        }
    }
    done.fetch_add(n % 16_384, Ordering::Relaxed);
    // Only the last part checks that nothing recorded lies beyond its end; for the others,
    // entries missing at the end of the part are found at the seam with the next.
    let result = if hi.is_some() {
        Ok(v.summary())
    } else {
        v.finish()
    };
    Ok(Part {
        result,
        first,
        last,
    })
}

/// Verifies the SQLite ledger at `path` from entry `from`, in up to `parts` parts checked
/// at once; `done` counts the entries checked so far (for a progress bar).
pub(crate) fn verify(
    path: &Path,
    key: VerifyingKey,
    from: i64,
    checkpoints: Vec<Checkpoint>,
    witness: &[String],
    parts: usize,
    done: &AtomicU64,
) -> StoreResult<Result<Summary, Problem>> {
    let from = from.max(1);
    // Split the sequence numbers into equal ranges (entries are numbered without gaps,
    // so the parts hold about the same number of entries); each part starts at an entry
    // that exists.
    let conn = open(path)?;
    let max: i64 = conn
        .query_row(
            "SELECT COALESCE(MAX(seq), 0) FROM ledger_entries",
            [],
            |r| r.get(0),
        )
        .map_err(db_error("reading the ledger head"))?;
    let parts = i64::try_from(parts.max(1)).unwrap_or(1);
    let span = (max - from + 1).max(0);
    let mut starts = vec![from];
    for k in 1..parts {
        let at = from + span * k / parts;
        let seq: Option<i64> = conn
            .query_row(
                "SELECT MIN(seq) FROM ledger_entries WHERE seq >= ?1",
                [at],
                |r| r.get(0),
            )
            .map_err(db_error("reading ledger entries"))?;
        if let Some(seq) = seq.filter(|s| starts.last().is_some_and(|l| s > l)) {
            starts.push(seq);
        }
    }
    drop(conn);
    let ranges: Vec<(i64, Option<i64>)> = starts
        .iter()
        .enumerate()
        .map(|(i, lo)| (*lo, starts.get(i + 1).map(|next| next - 1)))
        .collect();
    let results: Vec<StoreResult<Part>> = std::thread::scope(|scope| {
        let handles: Vec<_> = ranges
            .iter()
            .map(|(lo, hi)| {
                let checkpoints = checkpoints.clone();
                scope.spawn(move || check_part(path, key, *lo, *hi, checkpoints, witness, done))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(StoreError::Ledger(
                        "a verification thread failed".to_owned(),
                    ))
                })
            })
            .collect()
    });
    let mut parts_done = Vec::with_capacity(results.len());
    for r in results {
        parts_done.push(r?);
    }
    // The first problem in sequence order wins, whether inside a part or at a seam.
    let mut problems: Vec<Problem> = Vec::new();
    for (i, part) in parts_done.iter().enumerate() {
        if let Err(p) = &part.result {
            // Everything after a part's first problem is irrelevant to it.
            problems.push(p.clone());
            continue;
        }
        let Some(next) = parts_done.get(i + 1) else {
            continue;
        };
        let (_, hi) = ranges[i];
        match (&part.last, &next.first) {
            (Some((last_seq, last_hash, last_at)), Some((first_seq, first_prev, first_at))) => {
                if Some(*last_seq) != hi {
                    problems.push(Problem::Gap {
                        missing: last_seq + 1,
                        found: *first_seq,
                    });
                } else if last_hash.is_none_or(|h| first_prev.as_slice() != h.as_slice()) {
                    problems.push(Problem::BrokenChain { seq: *first_seq });
                } else if first_at < last_at {
                    problems.push(Problem::OutOfOrder {
                        seq: *first_seq,
                        why: format!(
                            "its time ({first_at} ms) is earlier than the previous entry's ({last_at} ms)"
                        ),
                    });
                }
            }
            (None, Some((first_seq, ..))) => {
                // This part had no entry at all before the next part's first.
                problems.push(Problem::Gap {
                    missing: ranges[i].0,
                    found: *first_seq,
                });
            }
            _ => {}
        }
    }
    if let Some(first) = problems.into_iter().min_by_key(Problem::seq) {
        return Ok(Err(first));
    }
    let mut total = Summary {
        entries: 0,
        checkpoints: 0,
        witness_lines: 0,
        head: (from - 1, custos_domain::ledger::GENESIS),
        signed_to: 0,
    };
    for part in parts_done {
        if let Ok(s) = part.result {
            total.entries += s.entries;
            total.checkpoints += s.checkpoints;
            total.witness_lines += s.witness_lines;
            total.signed_to = total.signed_to.max(s.signed_to);
            if s.entries > 0 {
                total.head = s.head;
            }
        }
    }
    Ok(Ok(total))
}
