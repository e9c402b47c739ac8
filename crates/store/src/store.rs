//! [`Store`]: opening a database, the write path, and the integrity check.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use custos_base::{Actor, Clock};
use custos_domain::ledger::NewEntry;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyConnection, AnyPool, Row, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard, mpsc};

use crate::dialect::Backend;
use crate::error::{StoreError, StoreResult};
use crate::ledger::{Appended, Job, LedgerSigner, append_in, spawn_committer};

/// Where the database is.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseLocation {
    /// A SQLite file (created if missing).
    Sqlite(PathBuf),
    /// A PostgreSQL server, as a `postgres://` URL (which may hold a password).
    Postgres(String),
}

impl std::fmt::Debug for DatabaseLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl std::fmt::Display for DatabaseLocation {
    /// Shows the location without any password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(p) => write!(f, "SQLite file {}", p.display()),
            Self::Postgres(url) => write!(f, "PostgreSQL {}", redact_url(url)),
        }
    }
}

impl DatabaseLocation {
    /// Parses a `--database-url`: `postgres://…`/`postgresql://…` or `sqlite://PATH`.
    pub fn from_url(url: &str) -> Result<Self, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(url.to_owned()))
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            Ok(Self::Sqlite(PathBuf::from(path)))
        } else {
            Err(format!(
                "the database URL {} is not one Custos understands; use postgres://USER:PASSWORD@HOST:PORT/DATABASE for PostgreSQL, or leave it out to use the SQLite file in the data directory",
                redact_url(url)
            ))
        }
    }

    fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }
}

/// A URL with any password replaced by `***`, safe for logs and error messages. The
/// credentials end at the last `@` (a password may hold `/`, `?`, `#`, `:` or `@` itself,
/// typed without percent-encoding), so nothing of a password survives, whatever it holds.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, after)) = rest.rsplit_once('@') else {
        // No credentials before the host; a password may still be a query parameter.
        let (authority, tail) = match rest.find(['/', '?']) {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        return format!("{scheme}://{authority}{}", redact_query(tail));
    };
    let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
    let shown = if userinfo.contains(':') {
        format!("{user}:***")
    } else {
        user.to_owned()
    };
    let (host, tail) = match after.find(['/', '?']) {
        Some(i) => after.split_at(i),
        None => (after, ""),
    };
    format!("{scheme}://{shown}@{host}{}", redact_query(tail))
}

/// The password in a URL's credentials (up to the last `@`), as typed and as a driver
/// would decode it, for removing from messages.
fn url_passwords(url: &str) -> Vec<String> {
    let Some((_, rest)) = url.split_once("://") else {
        return Vec::new();
    };
    let Some((userinfo, _)) = rest.rsplit_once('@') else {
        return Vec::new();
    };
    let Some((_, password)) = userinfo.split_once(':') else {
        return Vec::new();
    };
    if password.is_empty() {
        return Vec::new();
    }
    let mut out = vec![password.to_owned()];
    let decoded =
        url::form_urlencoded::parse(format!("p={}", password.replace('+', "%2B")).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned());
    if let Some(d) = decoded.filter(|d| !d.is_empty() && d != password) {
        out.push(d);
    }
    out
}

fn redact_query(tail: &str) -> String {
    let Some((path, query)) = tail.split_once('?') else {
        return tail.to_owned();
    };
    let q: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => kv.to_owned(),
        })
        .collect();
    format!("{path}?{}", q.join("&"))
}

/// The store: a connection pool and what every operation needs.
#[derive(Debug, Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pool: AnyPool,
    backend: Backend,
    clock: Arc<dyn Clock>,
    /// SQLite allows one writer at a time; writers in this process queue here.
    write_lock: Option<Arc<Mutex<()>>>,
    location: DatabaseLocation,
    /// The group committer behind [`Store::append`].
    committer: mpsc::Sender<Job>,
    /// The checkpoint signer, if one was given, and the last checkpointed sequence number.
    signer: std::sync::Mutex<Option<(Arc<LedgerSigner>, i64)>>,
    /// The last policy pack parsed, by the SHA-256 of its source: every staff request reads
    /// the active pack, and parsing it each time is the costly part.
    parsed_policy: std::sync::Mutex<Option<([u8; 32], custos_domain::PolicyPack)>>,
    /// The scheme's master key, once given ([`Store::set_master_key`]).
    pub(crate) master_key: std::sync::Mutex<Option<crate::secrets::SecretKey>>,
    /// The bound on password hashes running at once.
    pub(crate) hashing: crate::users::HashPool,
    /// Where checkpoints are also written, once a signer is given.
    pub(crate) witnesses: std::sync::Mutex<Option<Arc<crate::witness::Witnesses>>>,
    /// Why checkpoints are not being signed, when they are not (a ledger that could not be
    /// verified against its witnesses is never signed over).
    pub(crate) signing_suspended: std::sync::Mutex<Option<String>>,
    /// The ledger head when a starting server held signing back: entries after it are the
    /// server's own, written while it waited for its first verification.
    pub(crate) held_at_seq: std::sync::Mutex<Option<i64>>,
    /// The newest entry this process knows a valid signature for (a checkpoint, a witness
    /// line or an acceptance): the next checkpoint is signed only over a chain that extends
    /// it.
    pub(crate) anchor: std::sync::Mutex<Option<(i64, custos_domain::ledger::Hash)>>,
    /// The `ffmpeg` program that decodes video prints' stills (`prints`); `ffmpeg` on the
    /// `PATH` unless set ([`Store::set_ffmpeg_program`]).
    pub(crate) ffmpeg: std::sync::Mutex<std::path::PathBuf>,
}

/// A write transaction. Record the ledger entries that describe the change with
/// [`WriteTx::record`], then commit: the entries are appended in the same transaction, so
/// the change and its entries commit together or not at all. Drop it to roll back. On
/// SQLite it also holds the process's writer lock until it ends.
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    guard: Option<OwnedMutexGuard<()>>,
    store: Store,
    pending: Vec<(String, NewEntry)>,
}

impl WriteTx {
    /// The connection, for queries inside the transaction.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Records a ledger entry to append when the transaction commits. An entry caused by a
    /// deputy says so (`as_deputy_for`, BDC-1).
    pub fn record(&mut self, actor: &Actor, entry: NewEntry) {
        self.pending.push(crate::ledger::attributed(actor, entry));
    }

    pub(crate) fn record_as(&mut self, actor: String, entry: NewEntry) {
        self.pending.push((actor, entry));
    }

    /// Appends the recorded entries and commits. A transaction with no entries is refused
    /// and rolled back: no change may go unrecorded.
    pub async fn commit(self) -> StoreResult<()> {
        self.commit_returning().await.map(|_| ())
    }

    /// As [`WriteTx::commit`], returning where the entries landed.
    pub async fn commit_returning(mut self) -> StoreResult<Vec<Appended>> {
        if self.pending.is_empty() {
            self.rollback().await?;
            return Err(StoreError::Unledgered);
        }
        let now = self.store.clock().now().0;
        let backend = self.store.backend();
        let pending = std::mem::take(&mut self.pending);
        let appended = append_in(&mut self.tx, backend, now, &pending).await?;
        let WriteTx {
            tx, guard, store, ..
        } = self;
        tx.commit()
            .await
            .map_err(StoreError::db("committing a transaction"))?;
        drop(guard);
        if let Some(last) = appended.last() {
            store.after_append(last.seq).await;
        }
        Ok(appended)
    }

    /// Commits a transaction that changes only the store's own bookkeeping (schema steps
    /// before the ledger exists, checkpoints), which has no ledger entry.
    pub(crate) async fn commit_unledgered(self) -> StoreResult<()> {
        self.tx
            .commit()
            .await
            .map_err(StoreError::db("committing a transaction"))
    }

    /// Rolls back.
    pub async fn rollback(self) -> StoreResult<()> {
        self.tx
            .rollback()
            .await
            .map_err(StoreError::db("rolling back a transaction"))
    }
}

/// What `Store::check` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// One line per check that passed.
    pub passed: Vec<String>,
    /// One line per problem found; empty when all is well.
    pub problems: Vec<String>,
    /// Things that work but weaken the scheme's protection (they do not fail the check).
    pub warnings: Vec<String>,
}

fn sqlite_url(path: &Path) -> String {
    let mut out = String::from("sqlite://");
    for c in path.display().to_string().chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3F"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out.push_str("?mode=rwc");
    out
}

impl Store {
    /// Opens (creating, for SQLite) the database. Does not migrate; see [`Store::migrate`].
    pub async fn open(location: &DatabaseLocation, clock: Arc<dyn Clock>) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        let backend = location.backend();
        let url = match location {
            DatabaseLocation::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
                        location: location.to_string(),
                        reason: format!("cannot create the directory {}: {e}", dir.display()),
                    })?;
                }
                sqlite_url(path)
            }
            DatabaseLocation::Postgres(url) => url.clone(),
        };
        let options: AnyConnectOptions =
            url.parse().map_err(|e: sqlx::Error| StoreError::Open {
                location: location.to_string(),
                reason: without_secret(&e.to_string(), &url),
            })?;
        // One direct connection first, so an unreachable server or a wrong password fails
        // at once with the driver's reason instead of after the pool's retries.
        let probe = <AnyConnection as sqlx::Connection>::connect_with(&options)
            .await
            .map_err(|e| StoreError::Open {
                location: location.to_string(),
                reason: without_secret(&e.to_string(), &url),
            })?;
        let _ = sqlx::Connection::close(probe).await;
        let max_connections = match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    for stmt in backend.connection_setup() {
                        sqlx::query(*stmt).execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Open {
                location: location.to_string(),
                reason: without_secret(&e.to_string(), &url),
            })?;
        let write_lock = (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(())));
        if backend == Backend::Sqlite {
            spawn_checkpointer(pool.clone());
        }
        let inner = Arc::new_cyclic(|weak| Inner {
            pool,
            backend,
            clock,
            write_lock,
            location: location.clone(),
            committer: spawn_committer(weak.clone()),
            signer: std::sync::Mutex::new(None),
            parsed_policy: std::sync::Mutex::new(None),
            master_key: std::sync::Mutex::new(None),
            hashing: crate::users::HashPool::new(),
            witnesses: std::sync::Mutex::new(None),
            signing_suspended: std::sync::Mutex::new(None),
            held_at_seq: std::sync::Mutex::new(None),
            anchor: std::sync::Mutex::new(None),
            ffmpeg: std::sync::Mutex::new(std::path::PathBuf::from("ffmpeg")),
        });
        Ok(Self { inner })
    }

    /// A weak handle to the store, for tasks that must not keep it alive.
    pub(crate) fn downgrade(&self) -> std::sync::Weak<Inner> {
        Arc::downgrade(&self.inner)
    }

    pub(crate) fn from_inner(inner: Arc<Inner>) -> Self {
        Self { inner }
    }

    pub(crate) fn committer(&self) -> &mpsc::Sender<Job> {
        &self.inner.committer
    }

    pub(crate) fn signer(&self) -> Option<(Arc<LedgerSigner>, i64)> {
        self.inner
            .signer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn install_signer(&self, signer: Arc<LedgerSigner>, last_seq: i64) {
        *self
            .inner
            .signer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((signer, last_seq));
    }

    /// The pack parsed from `source`: the cached one when the source is the one parsed
    /// last (same SHA-256), else parsed now and cached.
    pub(crate) fn parse_policy(
        &self,
        source: &str,
    ) -> Result<custos_domain::PolicyPack, custos_domain::PolicyError> {
        use sha2::{Digest, Sha256};
        let digest: [u8; 32] = Sha256::digest(source.as_bytes()).into();
        let mut cache = self
            .inner
            .parsed_policy
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((d, pack)) = cache.as_ref()
            && *d == digest
        {
            return Ok(pack.clone());
        }
        let pack = custos_domain::PolicyPack::parse(source)?;
        *cache = Some((digest, pack.clone()));
        Ok(pack)
    }

    pub(crate) fn note_checkpoint(&self, seq: i64) {
        if let Some((_, last)) = self
            .inner
            .signer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_mut()
        {
            *last = (*last).max(seq);
        }
    }

    /// Which engine this store runs on.
    pub fn backend(&self) -> Backend {
        self.inner.backend
    }

    /// Where the database is (safe to show: no password).
    pub fn location(&self) -> &DatabaseLocation {
        &self.inner.location
    }

    /// The clock the store stamps changes with.
    pub fn clock(&self) -> &dyn Clock {
        self.inner.clock.as_ref()
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.inner.pool
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }

    /// Begins a write transaction. On SQLite, writers in this process queue for their turn
    /// and the transaction takes the database's write lock at once.
    pub async fn write(&self) -> StoreResult<WriteTx> {
        let guard = match &self.inner.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let tx = self
            .inner
            .pool
            .begin_with(self.inner.backend.begin_write())
            .await
            .map_err(StoreError::db("beginning a write transaction"))?;
        Ok(WriteTx {
            tx,
            guard,
            store: self.clone(),
            pending: Vec::new(),
        })
    }

    /// Closes every connection (on SQLite this also checkpoints the WAL).
    pub async fn close(&self) {
        self.inner.pool.close().await;
    }

    /// Checks the database: schema version, the engine's own integrity check, foreign keys,
    /// and that the active policy pack still validates.
    pub async fn check(&self) -> StoreResult<CheckReport> {
        let mut report = CheckReport::default();
        let s = self.schema_status().await?;
        if let Some(e) = s.mismatch() {
            report.problems.push(e.to_string());
            return Ok(report);
        }
        report
            .passed
            .push(format!("schema is at version {}", s.database));
        if self.backend() == Backend::Sqlite {
            let rows = sqlx::query("PRAGMA integrity_check")
                .fetch_all(self.pool())
                .await
                .map_err(StoreError::db("running the SQLite integrity check"))?;
            let lines: Vec<String> = rows
                .iter()
                .filter_map(|r| r.try_get::<String, _>(0).ok())
                .collect();
            if lines == ["ok"] {
                report
                    .passed
                    .push("SQLite integrity check passed".to_owned());
            } else {
                report
                    .problems
                    .extend(lines.into_iter().map(|l| format!("SQLite integrity: {l}")));
            }
            let fk = sqlx::query("PRAGMA foreign_key_check")
                .fetch_all(self.pool())
                .await
                .map_err(StoreError::db("checking foreign keys"))?;
            if fk.is_empty() {
                report
                    .passed
                    .push("every reference between tables resolves".to_owned());
            } else {
                report
                    .problems
                    .push(format!("{} rows refer to rows that do not exist", fk.len()));
            }
        }
        match self.active_policy().await {
            Ok(Some(p)) => report.passed.push(format!(
                "active policy pack {} (version {}) validates",
                p.meta.pack_id, p.meta.version
            )),
            Ok(None) => report.problems.push(
                "no policy pack is active; load one with `custos policy load FILE`".to_owned(),
            ),
            Err(e) => report.problems.push(e.to_string()),
        }
        Ok(report)
    }
}

/// Removes the URL's password from a driver message, whatever the driver put in it (the
/// URL, the password as typed, or as decoded).
fn without_secret(message: &str, url: &str) -> String {
    let redacted = redact_url(url);
    let mut out = message.replace(url, &redacted);
    for password in url_passwords(url) {
        out = out.replace(&password, "***");
    }
    out
}

/// How often the SQLite write-ahead log is folded into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Folds the SQLite WAL into the database every second with a passive checkpoint, which
/// takes no write lock: writers go on meanwhile, and the WAL stays small. It stops when the
/// pool is closed. (SQLite also checkpoints when the last connection closes.)
fn spawn_checkpointer(pool: sqlx::AnyPool) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(CHECKPOINT_EVERY).await;
            if pool.is_closed() {
                break;
            }
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                if pool.is_closed() {
                    break;
                }
                tracing::warn!(error = %e, "could not checkpoint the database's write-ahead log");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_survive_redaction() {
        assert_eq!(
            redact_url("postgres://custos:s3cret@db.example:5432/custos?sslmode=require"),
            "postgres://custos:***@db.example:5432/custos?sslmode=require"
        );
        assert_eq!(
            redact_url("postgres://custos@db/custos"),
            "postgres://custos@db/custos"
        );
        assert_eq!(
            redact_url("postgres://db/custos?user=a&password=s3cret"),
            "postgres://db/custos?user=a&password=***"
        );
        let msg = without_secret(
            "failed for s3cret at postgres://u:s3cret@h/d",
            "postgres://u:s3cret@h/d",
        );
        assert!(!msg.contains("s3cret"), "{msg}");
    }

    /// Passwords typed with URL characters in them (`/`, `?`, `#`, `@`, `:`), or
    /// percent-encoded, never survive redaction, in the URL or in a driver's message.
    #[test]
    fn passwords_with_url_characters_never_survive_redaction() {
        for (url, secret) in [
            (
                "postgres://custos:pa/ss?wo#rd@db.example:5432/custos",
                "pa/ss?wo#rd",
            ),
            ("postgres://custos:p@ss@db.example/custos", "p@ss"),
            (
                "postgres://custos:a:b/c@db.example/custos?sslmode=require",
                "a:b/c",
            ),
            ("postgres://custos:%2Fsl%3Fash@db.example/custos", "/sl?ash"),
        ] {
            let shown = redact_url(url);
            assert!(!shown.contains(secret), "{url} -> {shown}");
            assert!(
                shown.starts_with("postgres://custos:***@db.example"),
                "{shown}"
            );
            let msg = without_secret(
                &format!("password authentication failed ({secret}) for {url}"),
                url,
            );
            assert!(!msg.contains(secret), "{msg}");
        }
    }

    #[test]
    fn database_urls_are_parsed_or_refused_with_advice() {
        assert_eq!(
            DatabaseLocation::from_url("sqlite:///var/lib/custos/custos.db"),
            Ok(DatabaseLocation::Sqlite(PathBuf::from(
                "/var/lib/custos/custos.db"
            )))
        );
        let e = DatabaseLocation::from_url("mysql://u:pw@h/d").expect_err("mysql is refused");
        assert!(e.contains("postgres://") && !e.contains("pw"), "{e}");
    }

    #[test]
    fn sqlite_paths_with_url_characters_are_escaped() {
        assert_eq!(
            sqlite_url(Path::new("/a b/c?#%.db")),
            "sqlite:///a b/c%3F%23%25.db?mode=rwc"
        );
    }
}
