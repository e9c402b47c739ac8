//! The ledger in the database: appending entries inside write transactions, group commit
//! for entries that accompany no other change, signed checkpoints with a witness file,
//! verification, and reading entries back for logbooks and exports.
//!
//! Invariants:
//! - Entries are appended only by [`crate::WriteTx::commit`] (inside the caller's
//!   transaction) or by the group committer behind [`Store::append`]; both go through
//!   [`append_in`], which takes the ledger lock (SQLite: the write lock; PostgreSQL: a
//!   transaction-scoped advisory lock), reads the head and numbers entries from it. So
//!   sequence numbers have no gaps and follow commit order, on both backends.
//! - An entry's time is the clock's, but never earlier than the entry before it.
//! - A checkpoint is written in its own transaction and, after it commits, appended to the
//!   witness file and flushed to disk; a witness line therefore never names an entry the
//!   database does not have, unless the database lost it.
//!
//! Costs: an append is one indexed read of the head plus one insert per entry; group
//! commit shares one transaction (one fsync on SQLite) among every entry queued meanwhile.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use custos_base::Actor;
use custos_domain::ledger::{
    Acceptance, Book, Checkpoint, EntryFields, GENESIS, Hash, NewEntry, Problem, Reference,
    StoredEntry, Summary, Verifier, entry_hash, refs_text,
};
use ed25519_dalek::{SigningKey, VerifyingKey};
use sqlx::{AnyConnection, Row};
use tokio::sync::{mpsc, oneshot};

use crate::dialect::Backend;
use crate::error::{StoreError, StoreResult};
use crate::store::Store;
use crate::witness::{WitnessTarget, read_witness};

/// Where an appended entry landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// Its sequence number.
    pub seq: i64,
    /// Its hash.
    pub hash: Hash,
    /// Its time (ms since the epoch).
    pub at_unix_ms: i64,
}

/// The most entries one group commit writes.
const MAX_BATCH: usize = 4096;

/// Rows per multi-row insert (9 parameters each; well below both engines' limits).
const INSERT_ROWS: usize = 64;

const INSERT_ONE: &str = "INSERT INTO ledger_entries \
     (seq, at_unix_ms, actor, book, kind, refs, body, prev_hash, hash) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/// `INSERT … VALUES (…), (…), …` for [`INSERT_ROWS`] rows, built once. It holds only
/// placeholders, never data.
fn insert_sql_many() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        let rows: Vec<String> = (0..INSERT_ROWS)
            .map(|r| {
                let p: Vec<String> = (1..=9).map(|c| format!("${}", r * 9 + c)).collect();
                format!("({})", p.join(", "))
            })
            .collect();
        format!(
            "INSERT INTO ledger_entries (seq, at_unix_ms, actor, book, kind, refs, body, prev_hash, hash) VALUES {}",
            rows.join(", ")
        )
    })
}

/// Appends `items` after the current head, inside the caller's transaction.
pub(crate) async fn append_in(
    conn: &mut AnyConnection,
    backend: Backend,
    now_unix_ms: i64,
    items: &[(String, NewEntry)],
) -> StoreResult<Vec<Appended>> {
    if let Some(lock) = backend.ledger_lock() {
        sqlx::query(lock)
            .execute(&mut *conn)
            .await
            .map_err(StoreError::db("taking the ledger lock"))?;
    }
    let (mut seq, mut at, mut prev) =
        read_head(&mut *conn)
            .await?
            .unwrap_or((0, i64::MIN, GENESIS));
    // Hash every entry first, then insert them several rows per statement: per-statement
    // overhead, not hashing, is what limits a large group commit.
    let mut rows = Vec::with_capacity(items.len());
    for (actor, entry) in items {
        seq += 1;
        at = at.max(now_unix_ms);
        let refs = refs_text(&entry.refs);
        let body = entry.body_text();
        let fields = EntryFields {
            seq,
            at_unix_ms: at,
            actor,
            book: entry.book.as_str(),
            kind: entry.kind.as_str(),
            refs: &refs,
            body: &body,
        };
        let hash = entry_hash(&prev, &fields);
        rows.push((seq, at, actor.as_str(), entry, refs, body, prev, hash));
        prev = hash;
    }
    let mut rest = rows.as_slice();
    while !rest.is_empty() {
        let (n, sql) = if rest.len() >= INSERT_ROWS {
            (INSERT_ROWS, insert_sql_many())
        } else {
            (1, INSERT_ONE)
        };
        let (part, tail) = rest.split_at(n);
        let mut q = sqlx::query(sql);
        for (seq, at, actor, entry, refs, body, prev, hash) in part {
            q = q
                .bind(*seq)
                .bind(*at)
                .bind(*actor)
                .bind(entry.book.as_str())
                .bind(entry.kind.as_str())
                .bind(refs.as_str())
                .bind(body.as_str())
                .bind(prev.0.to_vec())
                .bind(hash.0.to_vec());
        }
        q.execute(&mut *conn)
            .await
            .map_err(StoreError::db("appending to the ledger"))?;
        rest = tail;
    }
    let out = rows
        .iter()
        .map(|(seq, at, .., hash)| Appended {
            seq: *seq,
            hash: *hash,
            at_unix_ms: *at,
        })
        .collect();
    Ok(out)
}

/// The last entry's sequence number, time and hash, or `None` for an empty ledger.
async fn read_head(conn: &mut AnyConnection) -> StoreResult<Option<(i64, i64, Hash)>> {
    let row =
        sqlx::query("SELECT seq, at_unix_ms, hash FROM ledger_entries ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await
            .map_err(StoreError::db("reading the ledger head"))?;
    let Some(row) = row else { return Ok(None) };
    let seq: i64 = row
        .try_get(0)
        .map_err(StoreError::db("reading the ledger head"))?;
    let at: i64 = row
        .try_get(1)
        .map_err(StoreError::db("reading the ledger head"))?;
    let hash: Vec<u8> = row
        .try_get(2)
        .map_err(StoreError::db("reading the ledger head"))?;
    let hash = Hash::from_slice(&hash).ok_or_else(|| {
        StoreError::Corrupt(format!(
            "the ledger's last entry ({seq}) has a damaged hash; run `custos ledger verify`"
        ))
    })?;
    Ok(Some((seq, at, hash)))
}

/// A request to the group committer.
pub(crate) struct Job {
    actor: String,
    entry: NewEntry,
    done: oneshot::Sender<Result<Appended, String>>,
}

/// Starts the group committer for a store; it ends when the last handle to the store is
/// dropped (the sender lives in the store).
pub(crate) fn spawn_committer(store: std::sync::Weak<crate::store::Inner>) -> mpsc::Sender<Job> {
    let (tx, mut rx) = mpsc::channel::<Job>(MAX_BATCH);
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            let Some(inner) = store.upgrade() else { break };
            let store = Store::from_inner(inner);
            let result = commit_batch(&store, &mut batch).await;
            match result {
                Ok(appended) => {
                    for (job, a) in batch.into_iter().zip(appended) {
                        let _ = job.done.send(Ok(a));
                    }
                }
                Err(e) => {
                    let msg = e.to_string();
                    for job in batch {
                        let _ = job.done.send(Err(msg.clone()));
                    }
                }
            }
        }
    });
    tx
}

async fn commit_batch(store: &Store, batch: &mut [Job]) -> StoreResult<Vec<Appended>> {
    let mut tx = store.write().await?;
    for job in batch.iter() {
        tx.record_as(job.actor.clone(), job.entry.clone());
    }
    tx.commit_returning().await
}

/// What the store needs to sign checkpoints.
#[derive(Debug)]
pub struct LedgerSigner {
    /// The scheme's signing key.
    pub key: SigningKey,
    /// Where each checkpoint is also written.
    pub witnesses: Vec<WitnessTarget>,
    /// An extra CA certificate (PEM) trusted for HTTPS witnesses.
    pub witness_ca: Option<PathBuf>,
    /// Write a checkpoint once this many entries have been appended since the last.
    pub every_entries: u64,
}

impl LedgerSigner {
    /// A signer with `key` writing to `witnesses`, checkpointing every 1,000 entries.
    pub fn new(key: SigningKey, witnesses: Vec<WitnessTarget>) -> Self {
        Self {
            key,
            witnesses,
            witness_ca: None,
            every_entries: 1000,
        }
    }

    /// The file witnesses, to read back.
    pub fn witness_files(&self) -> Vec<PathBuf> {
        self.witnesses
            .iter()
            .filter_map(|w| w.file().map(Path::to_path_buf))
            .collect()
    }
}

/// Which entries to read back.
#[derive(Debug, Clone, Default)]
pub struct LedgerQuery {
    /// Only this book.
    pub book: Option<Book>,
    /// Only entries at or after this time (ms since the epoch).
    pub from_unix_ms: Option<i64>,
    /// Only entries before this time (ms since the epoch).
    pub to_unix_ms: Option<i64>,
    /// Only entries by this actor (`user:alice`).
    pub actor: Option<String>,
    /// Only entries with this reference (`camera:front-gate`).
    pub reference: Option<String>,
    /// Only entries after this sequence number (for paging).
    pub after_seq: Option<i64>,
    /// At most this many entries.
    pub limit: Option<i64>,
}

macro_rules! entry_columns {
    () => {
        "SELECT seq, at_unix_ms, actor, book, kind, refs, body, prev_hash, hash FROM ledger_entries"
    };
}

fn read_entry<'r, R: Row>(row: &'r R) -> Result<StoredEntry, sqlx::Error>
where
    usize: sqlx::ColumnIndex<R>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Vec<u8>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(StoredEntry {
        seq: row.try_get(0)?,
        at_unix_ms: row.try_get(1)?,
        actor: row.try_get(2)?,
        book: row.try_get(3)?,
        kind: row.try_get(4)?,
        refs: row.try_get(5)?,
        body: row.try_get(6)?,
        prev_hash: row.try_get(7)?,
        hash: row.try_get(8)?,
    })
}

/// The outcome of a recorded verification, as the ledger holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationRecord {
    /// The entry that records it.
    pub seq: i64,
    /// When it was recorded (ms since the epoch).
    pub at_unix_ms: i64,
    /// Whether the ledger was intact.
    pub intact: bool,
    /// Entries checked (when intact).
    pub entries: i64,
    /// What was wrong (when not intact).
    pub problem: Option<String>,
}

/// A verification failure nobody has acknowledged yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerAlarm {
    /// The entry that records the failure; acknowledge it by this number.
    pub seq: i64,
    /// When the failure was found (ms since the epoch).
    pub at_unix_ms: i64,
    /// The alarm's heading.
    pub title: String,
    /// What was wrong.
    pub problem: String,
}

const VERIFIED: &str = "ledger-verified";
const VERIFICATION_FAILED: &str = "ledger-verification-failed";
const ALARM_ACKNOWLEDGED: &str = "ledger-alarm-acknowledged";
const UNSIGNED_TAIL: &str = "ledger-unsigned-tail";
const ACCEPTED: &str = "ledger-accepted";

/// How many entries verification reads per query.
const VERIFY_CHUNK: i64 = 20_000;

/// Reads the chunks `k = first, first + step, …` of the entries after `after` (chunk `k`
/// holds the entries with `after + k·VERIFY_CHUNK < seq ≤ after + (k+1)·VERIFY_CHUNK`), up
/// to `last_seq`, on `conn`, sending each (even an empty one) to `out` in turn; a macro
/// because SQLite and PostgreSQL connections are different types.
macro_rules! send_chunks {
    ($conn:expr, $after:expr, $first:expr, $step:expr, $last_seq:expr, $out:expr) => {{
        let mut k: i64 = $first;
        loop {
            let lo = $after + k * VERIFY_CHUNK;
            if lo >= $last_seq {
                break;
            }
            let rows = sqlx::query(concat!(
                entry_columns!(),
                " WHERE seq > $1 AND seq <= $2 ORDER BY seq"
            ))
            .bind(lo)
            .bind(lo + VERIFY_CHUNK)
            .fetch_all(&mut $conn)
            .await
            .map_err(StoreError::db("reading ledger entries"));
            let chunk = rows.and_then(|rows| {
                rows.iter()
                    .map(read_entry)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(StoreError::db("reading ledger entries"))
            });
            let failed = chunk.is_err();
            if $out.send(chunk).await.is_err() || failed {
                break;
            }
            k += $step;
        }
    }};
}

/// Chunks of entries in sequence order, read ahead by several connections at once.
struct ChunkReader {
    lanes: Vec<mpsc::Receiver<StoreResult<Vec<StoredEntry>>>>,
    next: usize,
}

impl ChunkReader {
    /// The next chunk in order, or `None` after the last.
    async fn next(&mut self) -> Option<StoreResult<Vec<StoredEntry>>> {
        let n = self.lanes.len();
        let lane = self.lanes.get_mut(self.next % n)?;
        self.next += 1;
        lane.recv().await
    }
}

/// The actor's ledger name and the entry as it will be written: an entry caused by a deputy
/// says so (`as_deputy_for`, BDC-1).
pub(crate) fn attributed(actor: &Actor, entry: NewEntry) -> (String, NewEntry) {
    let entry = match actor {
        Actor::Deputy { for_roles, .. } => entry.with("as_deputy_for", for_roles.as_str()),
        _ => entry,
    };
    (actor.to_string(), entry)
}

impl Store {
    /// Appends one entry that accompanies no other change (a review opened, a login), in a
    /// transaction shared with every other entry queued meanwhile (group commit). Returns
    /// once the entry is durable.
    pub async fn append(&self, actor: &Actor, entry: NewEntry) -> StoreResult<Appended> {
        let (done, wait) = oneshot::channel();
        let (actor, entry) = attributed(actor, entry);
        let job = Job { actor, entry, done };
        let fail = |why: String| StoreError::Ledger(why);
        self.committer()
            .send(job)
            .await
            .map_err(|_| fail("the ledger writer has stopped".to_owned()))?;
        wait.await
            .map_err(|_| fail("the ledger writer has stopped".to_owned()))?
            .map_err(fail)
    }

    /// Gives the store the key and witnesses for checkpoints, starting delivery to the
    /// remote witnesses. Without one, entries are still chained but no checkpoints are
    /// written.
    pub async fn set_ledger_signer(&self, signer: LedgerSigner) -> StoreResult<()> {
        let last = self.last_checkpoint_seq().await?;
        let needs_tls = signer
            .witnesses
            .iter()
            .any(|w| matches!(w, WitnessTarget::Http(u) if u.scheme() == "https"));
        let tls = if needs_tls {
            Some(
                crate::witness::tls_config(signer.witness_ca.as_deref())
                    .map_err(StoreError::Ledger)?,
            )
        } else {
            None
        };
        let weak = self.downgrade();
        let report: crate::witness::Reporter = Arc::new(move |target, result| {
            let weak = weak.clone();
            Box::pin(async move {
                if let Some(inner) = weak.upgrade() {
                    let store = Store::from_inner(inner);
                    if let Err(e) = store.note_witness(&target, result).await {
                        tracing::error!(error = %e, "cannot record a witness's state");
                    }
                }
            })
        });
        let witnesses = crate::witness::Witnesses::start(signer.witnesses.clone(), tls, report);
        *self
            .inner()
            .witnesses
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Arc::new(witnesses));
        self.install_signer(Arc::new(signer), last);
        Ok(())
    }

    fn witness_hub(&self) -> Option<Arc<crate::witness::Witnesses>> {
        self.inner()
            .witnesses
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Stops signing checkpoints, for `reason` (a ledger that could not be verified against
    /// its witnesses must not be signed over); entries are still written and chained.
    pub fn suspend_signing(&self, reason: &str) {
        tracing::error!(reason, "ledger checkpoints are no longer signed");
        *self
            .inner()
            .signing_suspended
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(reason.to_owned());
    }

    /// Holds checkpoints back until the next verification passes: a server calls this as it
    /// starts, so nothing it writes is signed over a chain it has not verified yet. The head
    /// at this moment is remembered: the start-up verification's unsigned-tail alarm covers
    /// only entries written before it, not those the server itself writes while it waits.
    pub async fn hold_signing_until_verified(&self) -> StoreResult<()> {
        *self
            .inner()
            .signing_suspended
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some("the ledger has not been verified since the server started".to_owned());
        let head = self.ledger_head().await?.map_or(0, |(seq, _)| seq);
        *self
            .inner()
            .held_at_seq
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(head);
        Ok(())
    }

    /// Why checkpoints are not being signed, if they are not.
    pub fn signing_suspended(&self) -> Option<String> {
        self.inner()
            .signing_suspended
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Writes `line` to every witness, recording each file witness's outcome.
    async fn witness(&self, line: &str) {
        let Some(hub) = self.witness_hub() else {
            return;
        };
        for (target, result) in hub.write(line) {
            // Through the hub's reporter (a boxed future): recording a witness's state
            // commits a ledger entry, which may sign a checkpoint, which writes to the
            // witnesses again.
            hub.report(target, result).await;
        }
    }

    /// Waits (at most `limit`) until the remote witnesses have what was written to them;
    /// whether they all do.
    pub async fn flush_witnesses(&self, limit: std::time::Duration) -> bool {
        match self.witness_hub() {
            Some(hub) => hub.flush(limit).await,
            None => true,
        }
    }

    /// Records a witness's state after writing to it; a change (failing, or working
    /// again) is ledgered.
    pub(crate) async fn note_witness(
        &self,
        target: &str,
        result: Result<(), String>,
    ) -> StoreResult<()> {
        let failing = result.is_err();
        let row = sqlx::query("SELECT failing FROM witness_status WHERE target = $1")
            .bind(target)
            .fetch_optional(self.pool())
            .await
            .map_err(StoreError::db("reading a witness's state"))?;
        let was_failing = match &row {
            Some(r) => {
                r.try_get::<i64, _>(0)
                    .map_err(StoreError::db("reading a witness's state"))?
                    != 0
            }
            None => false,
        };
        if row.is_some() && was_failing == failing {
            return Ok(());
        }
        let now = self.clock().now().0;
        let detail = result.err().unwrap_or_default();
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO witness_status (target, failing, since_unix_ms, detail) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (target) DO UPDATE SET \
             failing = excluded.failing, since_unix_ms = excluded.since_unix_ms, detail = excluded.detail",
        )
        .bind(target)
        .bind(i64::from(failing))
        .bind(now)
        .bind(&detail)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording a witness's state"))?;
        if row.is_none() && !failing {
            // A witness seen working for the first time: nothing has changed.
            return tx.commit_unledgered().await;
        }
        let actor = Actor::System("ledger".to_owned());
        if failing {
            tx.record(
                &actor,
                NewEntry::new(Book::System, "witness-failed")
                    .with("witness", target)
                    .with("error", detail.as_str()),
            );
        } else {
            tx.record(
                &actor,
                NewEntry::new(Book::System, "witness-restored").with("witness", target),
            );
        }
        tx.commit().await
    }

    /// The witnesses that could not be written last time they were tried (an alarm on
    /// every staff page).
    pub async fn witness_problems(&self) -> StoreResult<Vec<crate::witness::WitnessProblem>> {
        let rows = sqlx::query(
            "SELECT target, since_unix_ms, detail FROM witness_status WHERE failing <> 0 \
             ORDER BY target",
        )
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading witnesses' state"))?;
        rows.iter()
            .map(|r| {
                let get = StoreError::db("reading witnesses' state");
                Ok(crate::witness::WitnessProblem {
                    target: r.try_get(0).map_err(get)?,
                    since_unix_ms: r.try_get(1).map_err(get)?,
                    detail: r.try_get(2).map_err(get)?,
                })
            })
            .collect()
    }

    async fn last_checkpoint_seq(&self) -> StoreResult<i64> {
        let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) FROM ledger_checkpoints")
            .fetch_one(self.pool())
            .await
            .map_err(StoreError::db("reading the last checkpoint"))?;
        row.try_get(0)
            .map_err(StoreError::db("reading the last checkpoint"))
    }

    /// Called after entries commit: writes a checkpoint if enough entries have been appended
    /// since the last one. A checkpoint that fails is logged, not returned: the caller's
    /// change has already committed, and the next checkpoint covers it.
    pub(crate) async fn after_append(&self, head_seq: i64) {
        let Some((signer, last)) = self.signer() else {
            return;
        };
        let every = i64::try_from(signer.every_entries.max(1)).unwrap_or(i64::MAX);
        if head_seq - last >= every
            && let Err(e) = self.checkpoint().await
        {
            tracing::error!(error = %e, "could not write a ledger checkpoint");
        }
    }

    /// Signs the current head and records it in the database and the witness file, unless
    /// the head is already checkpointed. Returns the new checkpoint, if any.
    pub async fn checkpoint(&self) -> StoreResult<Option<Checkpoint>> {
        let Some((signer, _)) = self.signer() else {
            return Ok(None);
        };
        if self.signing_suspended().is_some() {
            return Ok(None);
        }
        // Never sign over a chain that does not extend the newest signature known.
        if let Err(problem) = self.check_extends_anchor(&signer).await? {
            self.suspend_signing(&problem);
            self.append(
                &Actor::System("ledger".to_owned()),
                NewEntry::new(Book::System, VERIFICATION_FAILED)
                    .with("entry", 0)
                    .with("problem", problem),
            )
            .await?;
            return Ok(None);
        }
        let mut tx = self.write().await?;
        if let Some(lock) = self.backend().ledger_lock() {
            sqlx::query(lock)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("taking the ledger lock"))?;
        }
        let Some((seq, _, hash)) = read_head(tx.conn()).await? else {
            tx.rollback().await?;
            return Ok(None);
        };
        let exists = sqlx::query("SELECT seq FROM ledger_checkpoints WHERE seq = $1")
            .bind(seq)
            .fetch_optional(tx.conn())
            .await
            .map_err(StoreError::db("reading checkpoints"))?;
        if exists.is_some() {
            tx.rollback().await?;
            return Ok(None);
        }
        let c = Checkpoint::sign(&signer.key, seq, hash, self.clock().now().0);
        sqlx::query(
            "INSERT INTO ledger_checkpoints (seq, hash, at_unix_ms, signature) VALUES ($1, $2, $3, $4)",
        )
        .bind(c.seq)
        .bind(c.hash.0.to_vec())
        .bind(c.at_unix_ms)
        .bind(c.signature.clone())
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("writing a ledger checkpoint"))?;
        tx.commit_unledgered().await?;
        self.note_checkpoint(seq);
        self.set_anchor(seq, hash);
        self.witness(&c.witness_line()).await;
        tracing::debug!(seq, "ledger checkpoint written");
        Ok(Some(c))
    }

    fn set_anchor(&self, seq: i64, hash: Hash) {
        let mut a = self
            .inner()
            .anchor
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if a.is_none_or(|(s, _)| s <= seq) {
            *a = Some((seq, hash));
        }
    }

    /// Whether the chain up to the head extends the newest signature this process knows of
    /// — its own last checkpoint, or else the newest in the database or at the end of a
    /// file witness whose signature is the scheme's: that entry still has the hash signed,
    /// and every entry after it links to the one before. `Err` says what is wrong. Cheap:
    /// only the entries after that signature are read.
    async fn check_extends_anchor(&self, signer: &LedgerSigner) -> StoreResult<Result<(), String>> {
        let key = signer.key.verifying_key();
        let known = *self
            .inner()
            .anchor
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let anchor = match known {
            Some(a) => Some(a),
            None => {
                let mut best: Option<(i64, Hash)> = None;
                let db = sqlx::query(
                    "SELECT seq, hash, at_unix_ms, signature FROM ledger_checkpoints ORDER BY seq DESC LIMIT 1",
                )
                .fetch_optional(self.pool())
                .await
                .map_err(StoreError::db("reading checkpoints"))?;
                if let Some(r) = db {
                    let get = StoreError::db("reading checkpoints");
                    let c = Checkpoint {
                        seq: r.try_get(0).map_err(get)?,
                        hash: Hash::from_slice(&r.try_get::<Vec<u8>, _>(1).map_err(get)?)
                            .unwrap_or(Hash([0xff; 32])),
                        at_unix_ms: r.try_get(2).map_err(get)?,
                        signature: r.try_get(3).map_err(get)?,
                    };
                    if !c.signature_valid(&key) {
                        return Ok(Err(format!(
                            "the checkpoint for entry {} in the database is not signed by the scheme's key",
                            c.seq
                        )));
                    }
                    best = Some((c.seq, c.hash));
                }
                for path in signer.witness_files() {
                    if let Some(c) = crate::witness::newest_signed(&path, &key)
                        && best.is_none_or(|(s, _)| c.seq > s)
                    {
                        best = Some((c.seq, c.hash));
                    }
                }
                best
            }
        };
        let Some((seq, hash)) = anchor else {
            // Nothing has ever been signed: a new ledger.
            return Ok(Ok(()));
        };
        // From the signed entry on; its own hash is compared with the signed one below.
        let mut v = match Verifier::new(key, seq, Vec::new(), &[]) {
            Ok(v) => v,
            Err(p) => return Ok(Err(p.to_string())),
        };
        let mut after = seq - 1;
        loop {
            let chunk = self
                .ledger_entries(&LedgerQuery {
                    after_seq: Some(after),
                    limit: Some(5_000),
                    ..Default::default()
                })
                .await?;
            if chunk.is_empty() {
                break;
            }
            for e in &chunk {
                // The signed entry itself: its hash must still be the one signed.
                if e.seq == seq && e.hash != hash.0.to_vec() {
                    return Ok(Err(format!(
                        "entry {seq} no longer has the hash that was signed for it: the ledger was rewritten"
                    )));
                }
                if let Err(p) = v.check(&e.fields(), &e.prev_hash, &e.hash) {
                    return Ok(Err(p.to_string()));
                }
            }
            after = chunk.last().map_or(after, |e| e.seq);
        }
        if v.next_seq() == seq {
            return Ok(Err(format!(
                "entry {seq}, which a signature covers, is missing: the ledger was cut short or an older copy restored"
            )));
        }
        Ok(Ok(()))
    }

    /// A signed checkpoint for exactly entry `seq` (the one in the database, or a new one
    /// signed, stored and witnessed now): evidence packages carry one for each hour seal
    /// they rely on, tying the seal to the scheme's signed ledger.
    pub async fn checkpoint_entry(&self, seq: i64) -> StoreResult<Checkpoint> {
        if let Some(c) = self
            .ledger_checkpoints()
            .await?
            .into_iter()
            .find(|c| c.seq == seq)
        {
            return Ok(c);
        }
        let Some((signer, _)) = self.signer() else {
            return Err(StoreError::Ledger(
                "no signing key is loaded, so the ledger cannot be vouched for".to_owned(),
            ));
        };
        if let Some(why) = self.signing_suspended() {
            return Err(StoreError::Ledger(format!(
                "the ledger is not being signed: {why}"
            )));
        }
        let e = self
            .ledger_entries(&LedgerQuery {
                after_seq: Some(seq - 1),
                limit: Some(1),
                ..Default::default()
            })
            .await?
            .into_iter()
            .find(|e| e.seq == seq)
            .ok_or_else(|| StoreError::NotFound(format!("there is no ledger entry {seq}")))?;
        let hash = Hash::from_slice(&e.hash).ok_or_else(|| {
            StoreError::Corrupt(format!("ledger entry {seq} has a malformed hash"))
        })?;
        let c = Checkpoint::sign(&signer.key, seq, hash, self.clock().now().0);
        sqlx::query(
            "INSERT INTO ledger_checkpoints (seq, hash, at_unix_ms, signature) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (seq) DO NOTHING",
        )
        .bind(c.seq)
        .bind(c.hash.0.to_vec())
        .bind(c.at_unix_ms)
        .bind(c.signature.clone())
        .execute(self.pool())
        .await
        .map_err(StoreError::db("writing a ledger checkpoint"))?;
        self.witness(&c.witness_line()).await;
        Ok(c)
    }

    /// The last entry's sequence number and hash, or `None` for an empty ledger.
    pub async fn ledger_head(&self) -> StoreResult<Option<(i64, Hash)>> {
        let mut conn = self
            .pool()
            .acquire()
            .await
            .map_err(StoreError::db("reading the ledger head"))?;
        Ok(read_head(&mut conn)
            .await?
            .map(|(seq, _, hash)| (seq, hash)))
    }

    /// The number of entries and checkpoints (for progress and summaries).
    pub async fn ledger_counts(&self) -> StoreResult<(i64, i64)> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM ledger_entries), (SELECT COUNT(*) FROM ledger_checkpoints)",
        )
        .fetch_one(self.pool())
        .await
        .map_err(StoreError::db("counting ledger entries"))?;
        Ok((
            row.try_get(0)
                .map_err(StoreError::db("counting ledger entries"))?,
            row.try_get(1)
                .map_err(StoreError::db("counting ledger entries"))?,
        ))
    }

    /// Every checkpoint, in sequence order.
    pub async fn ledger_checkpoints(&self) -> StoreResult<Vec<Checkpoint>> {
        let rows = sqlx::query(
            "SELECT seq, hash, at_unix_ms, signature FROM ledger_checkpoints ORDER BY seq",
        )
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading checkpoints"))?;
        rows.iter()
            .map(|r| {
                let seq: i64 = r.try_get(0)?;
                let hash: Vec<u8> = r.try_get(1)?;
                Ok(Checkpoint {
                    seq,
                    // A damaged hash becomes one that cannot match, so verification names it.
                    hash: Hash::from_slice(&hash).unwrap_or(Hash([0xff; 32])),
                    at_unix_ms: r.try_get(2)?,
                    signature: r.try_get(3)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::db("reading checkpoints"))
    }

    /// Recomputes every hash from entry `from` on, checks continuity, the checkpoints'
    /// signatures against `key`, and the witness lines. `progress` is called with the
    /// number of entries checked so far. `Ok(Err(problem))` names the first bad entry.
    pub async fn verify_ledger(
        &self,
        key: VerifyingKey,
        from: i64,
        witness_lines: &[String],
        mut progress: impl FnMut(u64),
    ) -> StoreResult<Result<Summary, Problem>> {
        let checkpoints = self.ledger_checkpoints().await?;
        if let crate::DatabaseLocation::Sqlite(path) = self.location() {
            return self
                .verify_sqlite(
                    path.clone(),
                    key,
                    from,
                    checkpoints,
                    witness_lines,
                    progress,
                )
                .await;
        }
        let mut v = match Verifier::new(key, from, checkpoints, witness_lines) {
            Ok(v) => v,
            Err(p) => return Ok(Err(p)),
        };
        let mut chunks = self.read_entries_from(from.max(1) - 1).await?;
        let mut done = 0u64;
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk?;
            if chunk.is_empty() {
                // A whole range without entries: they are missing (or the ledger ends).
                // Feed the next entry that exists, so the verifier names the gap, instead
                // of walking an empty range that an edited sequence number made huge.
                let next = self
                    .ledger_entries(&LedgerQuery {
                        after_seq: Some(v.next_seq() - 1),
                        limit: Some(1),
                        ..Default::default()
                    })
                    .await?;
                if let Some(e) = next.first()
                    && let Err(p) = v.entry(e)
                {
                    return Ok(Err(p));
                }
                break;
            }
            for e in &chunk {
                if let Err(p) = v.entry(e) {
                    return Ok(Err(p));
                }
            }
            done += chunk.len() as u64;
            progress(done);
        }
        Ok(v.finish())
    }

    /// Streams every entry after `after` (up to the last one present when called), in
    /// sequence order and in chunks. Chunks are read ahead by one task per processor, each
    /// on its own connection of the backend's own driver (decoding rows through the driver
    /// directly is about twice as fast as through the pool's generic rows), so reading
    /// keeps every core busy while the caller checks the chunks in order.
    async fn read_entries_from(&self, after: i64) -> StoreResult<ChunkReader> {
        use sqlx::Connection as _;
        let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) FROM ledger_entries")
            .fetch_one(self.pool())
            .await
            .map_err(StoreError::db("reading the ledger head"))?;
        let last_seq: i64 = row
            .try_get(0)
            .map_err(StoreError::db("reading the ledger head"))?;
        let lanes = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
        let step = i64::try_from(lanes).unwrap_or(2);
        let mut receivers = Vec::with_capacity(lanes);
        for first in 0..step {
            let (tx, rx) = mpsc::channel(2);
            receivers.push(rx);
            match self.location() {
                crate::DatabaseLocation::Sqlite(path) => {
                    let options = sqlx::sqlite::SqliteConnectOptions::new()
                        .filename(path)
                        .read_only(true);
                    let mut conn = sqlx::SqliteConnection::connect_with(&options)
                        .await
                        .map_err(StoreError::db("opening a connection to read the ledger"))?;
                    tokio::spawn(async move {
                        send_chunks!(conn, after, first, step, last_seq, tx);
                        let _ = conn.close().await;
                    });
                }
                crate::DatabaseLocation::Postgres(url) => {
                    let mut conn = sqlx::PgConnection::connect(url)
                        .await
                        .map_err(StoreError::db("opening a connection to read the ledger"))?;
                    tokio::spawn(async move {
                        send_chunks!(conn, after, first, step, last_seq, tx);
                        let _ = conn.close().await;
                    });
                }
            }
        }
        Ok(ChunkReader {
            lanes: receivers,
            next: 0,
        })
    }

    /// [`Store::verify_ledger`] for SQLite, through [`crate::sqlite_verify`] on blocking
    /// threads, reporting progress meanwhile.
    async fn verify_sqlite(
        &self,
        path: std::path::PathBuf,
        key: VerifyingKey,
        from: i64,
        checkpoints: Vec<Checkpoint>,
        witness_lines: &[String],
        mut progress: impl FnMut(u64),
    ) -> StoreResult<Result<Summary, Problem>> {
        let done = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let witness = witness_lines.to_vec();
        let parts = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8));
        let counter = done.clone();
        let mut job = tokio::task::spawn_blocking(move || {
            crate::sqlite_verify::verify(&path, key, from, checkpoints, &witness, parts, &counter)
        });
        let mut tick = tokio::time::interval(std::time::Duration::from_millis(200));
        loop {
            tokio::select! {
                out = &mut job => {
                    progress(done.load(std::sync::atomic::Ordering::Relaxed));
                    return out.map_err(|e| StoreError::Ledger(format!("verification stopped: {e}")))?;
                }
                _ = tick.tick() => progress(done.load(std::sync::atomic::Ordering::Relaxed)),
            }
        }
    }

    /// Entries matching `q`, in sequence order.
    pub async fn ledger_entries(&self, q: &LedgerQuery) -> StoreResult<Vec<StoredEntry>> {
        // Every filter is always present in the SQL and switched off by a NULL parameter,
        // so the statement stays one static string.
        let rows = sqlx::query(concat!(
            entry_columns!(),
            " WHERE (CAST($1 AS TEXT) IS NULL OR book = $1)",
            " AND (CAST($2 AS BIGINT) IS NULL OR at_unix_ms >= $2)",
            " AND (CAST($3 AS BIGINT) IS NULL OR at_unix_ms < $3)",
            " AND (CAST($4 AS TEXT) IS NULL OR actor = $4)",
            " AND (CAST($5 AS TEXT) IS NULL",
            " OR ('\n' || refs || '\n') LIKE ('%\n' || $5 || '\n%') ESCAPE '!')",
            " AND seq > $6",
            " ORDER BY seq LIMIT $7"
        ))
        .bind(q.book.map(|b| b.as_str().to_owned()))
        .bind(q.from_unix_ms)
        .bind(q.to_unix_ms)
        .bind(q.actor.clone())
        .bind(q.reference.as_deref().map(like_literal))
        .bind(q.after_seq.unwrap_or(0))
        .bind(q.limit.unwrap_or(i64::MAX))
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading ledger entries"))?;
        rows.iter()
            .map(read_entry)
            .collect::<Result<_, _>>()
            .map_err(StoreError::db("reading ledger entries"))
    }
}

impl Store {
    /// The lines of every file witness, in order; an error when a file witness of a ledger
    /// that has entries is missing or unreadable (it cannot be checked against it).
    pub async fn witness_lines(
        &self,
        signer: &LedgerSigner,
    ) -> StoreResult<Result<Vec<String>, String>> {
        let (entries, _) = self.ledger_counts().await?;
        let mut lines = Vec::new();
        for path in signer.witness_files() {
            if entries > 0 && !path.exists() {
                return Ok(Err(format!(
                    "the witness file {} is missing, so the ledger cannot be checked against it (was it moved, deleted or on a volume that is not mounted?)",
                    path.display()
                )));
            }
            match read_witness(&path) {
                Ok(l) => lines.extend(l),
                Err(e) => return Ok(Err(e.to_string())),
            }
        }
        Ok(Ok(lines))
    }

    /// Verifies the whole ledger with the signer's key and file witnesses and records the
    /// outcome in the ledger (book `system`). A failure — a damaged chain, a chain that does
    /// not extend what a witness or checkpoint recorded, a witness file missing, or a ledger
    /// with entries that no signature covers ("unverified") — is recorded as
    /// `ledger-verification-failed`, an alarm until acknowledged, and stops checkpoints being
    /// signed (the store never signs over a chain it could not verify). At start
    /// (`at_start`), entries after the last signature are recorded as
    /// `ledger-unsigned-tail`, an alarm too: they were written after the last checkpoint
    /// (normally in the seconds before the server stopped uncleanly) and nothing vouches for
    /// them.
    pub async fn verify_and_record(
        &self,
        actor: &Actor,
        at_start: bool,
    ) -> StoreResult<VerificationRecord> {
        let Some((signer, _)) = self.signer() else {
            return Err(StoreError::Ledger(
                "the ledger cannot be verified without the scheme's key".to_owned(),
            ));
        };
        let failure = |seq: i64, problem: String| {
            NewEntry::new(Book::System, VERIFICATION_FAILED)
                .with("entry", seq)
                .with("problem", problem)
        };
        let outcome = match self.witness_lines(&signer).await? {
            Err(why) => Err((1, why)),
            Ok(lines) => match self
                .verify_ledger(signer.key.verifying_key(), 1, &lines, |_| {})
                .await?
            {
                Err(p) => Err((p.seq(), p.to_string())),
                Ok(s) if s.entries > 0 && s.signed_to == 0 => Err((
                    1,
                    format!(
                        "unverified: the ledger has {} entries but no checkpoint or witness line covers any of them, so it cannot be told from one rewritten by someone with the data folder",
                        s.entries
                    ),
                )),
                Ok(s) => Ok(s),
            },
        };
        match outcome {
            Ok(s) => {
                let a = self
                    .append(
                        actor,
                        NewEntry::new(Book::System, VERIFIED)
                            .with("entries", s.entries)
                            .with("checkpoints", s.checkpoints)
                            .with("witness_lines", s.witness_lines)
                            .with("head_seq", s.head.0)
                            .with("head_hash", s.head.1.to_string())
                            .with("signed_to", s.signed_to),
                    )
                    .await?;
                // Entries before the server started that no signature covers; those the
                // server wrote itself while signing was held are signed from now on.
                let before_start = self
                    .inner()
                    .held_at_seq
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .map_or(s.head.0, |held| held.min(s.head.0));
                if at_start && s.signed_to < before_start {
                    let from = s.signed_to + 1;
                    let (first, last) = self.entry_times(from, before_start).await?;
                    self.append(
                        actor,
                        NewEntry::new(Book::System, UNSIGNED_TAIL)
                            .with("first_entry", from)
                            .with("last_entry", before_start)
                            .with(
                                "problem",
                                format!(
                                    "entries {from} to {before_start} (written {} to {}) are not covered by any signature: they were written after the last checkpoint, normally in the seconds before the server stopped without a clean shutdown. Read them (Logbooks) and acknowledge this once you are satisfied they are genuine",
                                    custos_base::UnixMs(first).to_london_display(),
                                    custos_base::UnixMs(last).to_london_display()
                                ),
                            ),
                    )
                    .await?;
                }
                tracing::info!(
                    entries = s.entries,
                    signed_to = s.signed_to,
                    "ledger verified"
                );
                self.set_anchor(s.head.0, s.head.1);
                // Verified against every witness: signing may go on (again).
                *self
                    .inner()
                    .signing_suspended
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
                Ok(VerificationRecord {
                    seq: a.seq,
                    at_unix_ms: a.at_unix_ms,
                    intact: true,
                    entries: i64::try_from(s.entries).unwrap_or(i64::MAX),
                    problem: None,
                })
            }
            Err((seq, problem)) => {
                tracing::error!(%problem, "THE LEDGER FAILED VERIFICATION");
                self.suspend_signing(&problem);
                let a = self.append(actor, failure(seq, problem.clone())).await?;
                Ok(VerificationRecord {
                    seq: a.seq,
                    at_unix_ms: a.at_unix_ms,
                    intact: false,
                    entries: 0,
                    problem: Some(problem),
                })
            }
        }
    }

    /// Accepts the ledger as it now stands — after a backup was restored, or once a
    /// verification failure has been investigated — for `reason`: ledgered
    /// (`ledger-accepted`), then an [`Acceptance`] signed over the new head is written to
    /// every witness (voiding their earlier lines about entries after the last one on which
    /// they and the ledger agree) with a checkpoint, and signing resumes. The chain itself
    /// must be whole: a damaged chain is refused.
    pub async fn accept_ledger(&self, actor: &Actor, reason: &str) -> StoreResult<Acceptance> {
        let reason = crate::error::required_reason(
            reason,
            "backup of 03/12 restored after the disk failed; DPO told",
        )?;
        let Some((signer, _)) = self.signer() else {
            return Err(StoreError::Ledger(
                "the ledger cannot be accepted without the scheme's signing key".to_owned(),
            ));
        };
        if let Err(p) = self
            .verify_ledger(signer.key.verifying_key(), 1, &[], |_| {})
            .await?
        {
            return Err(StoreError::Invalid(format!(
                "the ledger's own chain is damaged ({p}), so it cannot be accepted; restore a copy whose chain is whole"
            )));
        }
        let mut lines = Vec::new();
        for path in signer.witness_files() {
            lines.extend(read_witness(&path)?);
        }
        // The first entry the witnesses disagree with the ledger about (or that it lacks).
        let head = self.ledger_head().await?.map_or(0, |(seq, _)| seq);
        let mut first_disagreement = i64::MAX;
        let mut witnessed_to = 0;
        for line in &lines {
            let recorded = Checkpoint::parse_witness_line(line)
                .map(|c| (c.seq, c.hash))
                .or_else(|| Acceptance::parse_witness_line(line).map(|a| (a.seq, a.hash)));
            let Some((seq, hash)) = recorded else {
                continue;
            };
            witnessed_to = witnessed_to.max(seq);
            let agrees = seq <= head
                && self
                    .ledger_entries(&LedgerQuery {
                        after_seq: Some(seq - 1),
                        limit: Some(1),
                        ..Default::default()
                    })
                    .await?
                    .first()
                    .is_some_and(|e| e.seq == seq && e.hash == hash.0.to_vec());
            if !agrees {
                first_disagreement = first_disagreement.min(seq);
            }
        }
        let agreed_to = (first_disagreement.saturating_sub(1)).min(head);
        // No checkpoint while the acceptance is being written: until it is, the chain does
        // not extend what the witnesses hold.
        *self
            .inner()
            .signing_suspended
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some("the ledger is being accepted".to_owned());
        let entry = NewEntry::new(Book::System, ACCEPTED)
            .with("reason", reason)
            .with("agreed_to", agreed_to)
            .with("witnessed_to", witnessed_to)
            .with("head_before", head);
        let appended = self.append(actor, entry).await?;
        let (seq, hash) = self
            .ledger_head()
            .await?
            .ok_or_else(|| StoreError::Ledger("the ledger is empty".to_owned()))?;
        let now = self.clock().now().0;
        let acceptance = Acceptance::sign(&signer.key, agreed_to, seq, hash, now);
        debug_assert!(seq >= appended.seq);
        *self
            .inner()
            .signing_suspended
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        *self
            .inner()
            .anchor
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((seq, hash));
        self.witness(&acceptance.witness_line()).await;
        self.checkpoint().await?;
        Ok(acceptance)
    }

    /// The times of entries `from` and `to`.
    async fn entry_times(&self, from: i64, to: i64) -> StoreResult<(i64, i64)> {
        let row = sqlx::query(
            "SELECT MIN(at_unix_ms), MAX(at_unix_ms) FROM ledger_entries WHERE seq >= $1 AND seq <= $2",
        )
        .bind(from)
        .bind(to)
        .fetch_one(self.pool())
        .await
        .map_err(StoreError::db("reading ledger entries"))?;
        let get = StoreError::db("reading ledger entries");
        Ok((
            row.try_get::<Option<i64>, _>(0).map_err(get)?.unwrap_or(0),
            row.try_get::<Option<i64>, _>(1).map_err(get)?.unwrap_or(0),
        ))
    }

    /// The most recent recorded verification, if any.
    pub async fn latest_verification(&self) -> StoreResult<Option<VerificationRecord>> {
        let row = sqlx::query(concat!(
            entry_columns!(),
            " WHERE book = 'system' AND kind IN ('ledger-verified', 'ledger-verification-failed')",
            " ORDER BY seq DESC LIMIT 1"
        ))
        .fetch_optional(self.pool())
        .await
        .map_err(StoreError::db("reading the last verification"))?;
        let Some(row) = row else { return Ok(None) };
        let e = read_entry(&row).map_err(StoreError::db("reading the last verification"))?;
        let body: serde_json::Value = serde_json::from_str(&e.body).unwrap_or_default();
        let intact = e.kind == VERIFIED;
        Ok(Some(VerificationRecord {
            seq: e.seq,
            at_unix_ms: e.at_unix_ms,
            intact,
            entries: body["entries"].as_i64().unwrap_or(0),
            problem: (!intact).then(|| body["problem"].as_str().unwrap_or("").to_owned()),
        }))
    }

    /// The verification failures not yet acknowledged, oldest first.
    pub async fn ledger_alarms(&self) -> StoreResult<Vec<LedgerAlarm>> {
        let rows = sqlx::query(concat!(
            entry_columns!(),
            " WHERE book = 'system' AND kind IN ('ledger-verification-failed', 'ledger-unsigned-tail', 'ledger-alarm-acknowledged')",
            " ORDER BY seq"
        ))
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading ledger alarms"))?;
        let mut open: Vec<LedgerAlarm> = Vec::new();
        for row in &rows {
            let e = read_entry(row).map_err(StoreError::db("reading ledger alarms"))?;
            if e.kind == VERIFICATION_FAILED || e.kind == UNSIGNED_TAIL {
                let body: serde_json::Value = serde_json::from_str(&e.body).unwrap_or_default();
                open.push(LedgerAlarm {
                    seq: e.seq,
                    at_unix_ms: e.at_unix_ms,
                    title: if e.kind == UNSIGNED_TAIL {
                        "Ledger entries that no signature covers"
                    } else {
                        "The ledger failed verification"
                    }
                    .to_owned(),
                    problem: body["problem"].as_str().unwrap_or("").to_owned(),
                });
            } else {
                let acked: Vec<i64> = custos_domain::ledger::parse_refs(&e.refs)
                    .iter()
                    .filter(|r| r.kind() == "ledger-entry")
                    .filter_map(|r| r.value().parse().ok())
                    .collect();
                open.retain(|a| !acked.contains(&a.seq));
            }
        }
        Ok(open)
    }

    /// Acknowledges a verification failure (recorded in the ledger with the reason), which
    /// clears its alarm. The failure itself stays in the ledger.
    pub async fn acknowledge_ledger_alarm(
        &self,
        actor: &Actor,
        failure_seq: i64,
        note: &str,
    ) -> StoreResult<Appended> {
        let note = note.trim();
        if note.is_empty() {
            return Err(StoreError::Invalid(
                "say what was done about the failure (for example who was told and what was found); it is kept in the ledger".to_owned(),
            ));
        }
        if !self
            .ledger_alarms()
            .await?
            .iter()
            .any(|a| a.seq == failure_seq)
        {
            return Err(StoreError::NotFound(format!(
                "entry {failure_seq} is not an unacknowledged verification failure; `custos ledger alarms` lists them"
            )));
        }
        let target = Reference::new("ledger-entry", failure_seq.to_string())
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.append(
            actor,
            NewEntry::new(Book::System, ALARM_ACKNOWLEDGED)
                .with_ref(target)
                .with("note", note),
        )
        .await
    }
}

/// Escapes `%`, `_` and the escape character itself for a `LIKE … ESCAPE '!'` pattern.
pub(crate) fn like_literal(s: &str) -> String {
    s.replace('!', "!!").replace('%', "!%").replace('_', "!_")
}
