//! The store's contract, run against both backends: SQLite always, PostgreSQL when
//! `CUSTOS_TEST_POSTGRES_URL` names a server (each test gets its own fresh database there).
//! CI always sets it; without it (and outside CI) the PostgreSQL half says it is skipped.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use custos_base::{Actor, SimulatedClock, UnixMs};
use custos_store::{DatabaseLocation, Store, StoreError};
use sha2::{Digest, Sha256};
use sqlx::Connection;

const SCHOOL: &str = include_str!("../../../policies/bosmere-junior-school.toml");
const TRUST: &str = include_str!("../../../policies/active-learning-trust.toml");

struct TestDb {
    location: DatabaseLocation,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        Self {
            location: DatabaseLocation::Sqlite(dir.path().join("custos.db")),
            _dir: Some(dir),
        }
    }

    async fn postgres() -> Option<Self> {
        static N: AtomicU32 = AtomicU32::new(0);
        let Ok(base) = std::env::var("CUSTOS_TEST_POSTGRES_URL") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must set CUSTOS_TEST_POSTGRES_URL so the PostgreSQL backend is tested"
            );
            eprintln!("skipped: CUSTOS_TEST_POSTGRES_URL is not set (./scripts/test sets it)");
            return None;
        };
        let name = format!(
            "custos_test_{}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        let mut admin = sqlx::PgConnection::connect(&base)
            .await
            .expect("connect to the test server");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create a test database");
        admin.close().await.ok();
        let (prefix, query) = match base.split_once('?') {
            Some((p, q)) => (p.to_owned(), format!("?{q}")),
            None => (base.clone(), String::new()),
        };
        let server = prefix.rsplit_once('/').map_or(prefix.as_str(), |(s, _)| s);
        Some(Self {
            location: DatabaseLocation::Postgres(format!("{server}/{name}{query}")),
            _dir: None,
        })
    }

    async fn store(&self) -> Store {
        let clock = SimulatedClock::new(UnixMs(1_790_000_000_000));
        Store::open(&self.location, Arc::new(clock))
            .await
            .expect("open store")
    }

    async fn migrated(&self) -> Store {
        let s = self.store().await;
        s.migrate().await.expect("migrate");
        s
    }

    /// Runs SQL behind the store's back, to set up states the store itself never creates.
    async fn raw(&self, sql: &str) {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match &self.location {
            DatabaseLocation::Sqlite(path) => {
                let url = format!("sqlite://{}", path.display());
                let mut c = sqlx::SqliteConnection::connect(&url)
                    .await
                    .expect("connect");
                sqlx::raw_sql(sql).execute(&mut c).await.expect("raw sql");
            }
            DatabaseLocation::Postgres(url) => {
                let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
                sqlx::raw_sql(sql).execute(&mut c).await.expect("raw sql");
            }
        }
    }
}

fn console() -> Actor {
    Actor::Console("tester".to_owned())
}

macro_rules! contract {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::$name(&super::TestDb::sqlite()).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    if let Some(db) = super::TestDb::postgres().await {
                        super::$name(&db).await;
                    }
                }
            )+
        }
    };
}

contract!(
    migrations_bring_an_empty_database_to_the_latest_version_once,
    a_database_newer_than_the_binary_is_refused,
    a_database_behind_the_binary_is_reported,
    policy_versions_are_kept_and_the_latest_is_active,
    an_invalid_pack_is_refused_and_nothing_is_stored,
    an_unknown_version_is_not_found,
    check_reports_a_missing_policy_then_passes,
    many_concurrent_writers_all_succeed_in_sequence,
    a_write_transaction_not_committed_changes_nothing,
);

async fn migrations_bring_an_empty_database_to_the_latest_version_once(db: &TestDb) {
    let store = db.store().await;
    let before = store.schema_status().await.expect("status");
    assert_eq!(before.database, 0);
    assert!(before.binary >= 1);
    let first = store.migrate().await.expect("migrate");
    assert_eq!((first.from, first.to), (0, before.binary));
    assert_eq!(first.applied.len() as i64, before.binary);
    store
        .require_current_schema()
        .await
        .expect("current after migrating");
    // Reopening and migrating again does nothing.
    let again = db.store().await.migrate().await.expect("migrate again");
    assert!(again.applied.is_empty());
    assert_eq!((again.from, again.to), (before.binary, before.binary));
}

async fn a_database_newer_than_the_binary_is_refused(db: &TestDb) {
    let store = db.migrated().await;
    store.load_policy(&console(), SCHOOL).await.expect("load");
    store.close().await;
    db.raw(
        "INSERT INTO custos_schema (version, name, applied_at_unix_ms) \
         VALUES (999, 'from_the_future', 0)",
    )
    .await;
    let store = db.store().await;
    let err = store
        .migrate()
        .await
        .expect_err("newer schema must be refused");
    assert!(
        matches!(err, StoreError::SchemaTooNew { database: 999, .. }),
        "{err}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("version 999") && msg.contains("newer Custos"),
        "{msg}"
    );
    assert!(store.require_current_schema().await.is_err());
    let report = store.check().await.expect("check runs");
    assert_eq!(report.problems.len(), 1, "{report:?}");
    // Nothing was touched: the schema is still 999 and the data is still there.
    assert_eq!(store.schema_status().await.expect("status").database, 999);
    assert_eq!(store.policy_history().await.expect("history").len(), 1);
}

async fn a_database_behind_the_binary_is_reported(db: &TestDb) {
    let store = db.store().await;
    let err = store
        .require_current_schema()
        .await
        .expect_err("empty database is behind");
    assert!(err.to_string().contains("run `custos migrate`"), "{err}");
}

async fn policy_versions_are_kept_and_the_latest_is_active(db: &TestDb) {
    let store = db.migrated().await;
    assert!(store.active_policy().await.expect("read").is_none());
    let v1 = store
        .load_policy(&console(), SCHOOL)
        .await
        .expect("load school");
    let v2 = store
        .load_policy(&console(), TRUST)
        .await
        .expect("load trust");
    assert_eq!((v1.version, v2.version), (1, 2));
    assert_eq!(
        v1.sha256_hex,
        format!("{:x}", Sha256::digest(SCHOOL.as_bytes()))
    );
    assert_eq!(v2.loaded_by, "console:tester");
    assert_eq!(v2.loaded_at_unix_ms, 1_790_000_000_000);

    let active = store.active_policy().await.expect("read").expect("active");
    assert_eq!(active.meta.version, 2);
    assert_eq!(active.pack.id.as_str(), "active-learning-trust");
    assert!(active.meta.active);

    let old = store.policy_version(1).await.expect("version 1 kept");
    assert_eq!(old.source, SCHOOL, "the source is stored exactly");
    assert!(!old.meta.active);

    let history = store.policy_history().await.expect("history");
    let summary: Vec<(i64, &str, bool)> = history
        .iter()
        .map(|v| (v.version, v.pack_id.as_str(), v.active))
        .collect();
    assert_eq!(
        summary,
        vec![
            (1, "bosmere-junior-school", false),
            (2, "active-learning-trust", true)
        ]
    );
}

async fn an_invalid_pack_is_refused_and_nothing_is_stored(db: &TestDb) {
    let store = db.migrated().await;
    let broken = SCHOOL.replacen("maximum_days = 21", "maximum_days = 0", 1);
    assert_ne!(broken, SCHOOL, "the fixture must change");
    let err = store
        .load_policy(&console(), &broken)
        .await
        .expect_err("refused");
    assert!(matches!(err, StoreError::InvalidPolicy(_)), "{err}");
    assert!(store.policy_history().await.expect("history").is_empty());
    assert!(store.active_policy().await.expect("read").is_none());
}

async fn an_unknown_version_is_not_found(db: &TestDb) {
    let store = db.migrated().await;
    let err = store.policy_version(7).await.expect_err("no such version");
    assert_eq!(err.kind(), custos_base::ErrorKind::NotFound);
    assert!(err.to_string().contains("custos policy history"), "{err}");
}

async fn check_reports_a_missing_policy_then_passes(db: &TestDb) {
    let store = db.migrated().await;
    let report = store.check().await.expect("check");
    assert_eq!(report.problems.len(), 1, "{report:?}");
    assert!(report.problems[0].contains("no policy pack is active"));
    store.load_policy(&console(), SCHOOL).await.expect("load");
    let report = store.check().await.expect("check");
    assert!(report.problems.is_empty(), "{report:?}");
}

/// Many writers at once, through two separate stores on the same database (as `serve` and
/// a CLI command would be), all succeed: no "database is locked", no lost or duplicate
/// versions.
async fn many_concurrent_writers_all_succeed_in_sequence(db: &TestDb) {
    const TASKS: usize = 24;
    const EACH: usize = 10;
    let a = db.migrated().await;
    let b = db.store().await;
    let mut handles = Vec::new();
    for t in 0..TASKS {
        let store = if t % 2 == 0 { a.clone() } else { b.clone() };
        handles.push(tokio::spawn(async move {
            let source = if t % 3 == 0 { TRUST } else { SCHOOL };
            let mut versions = Vec::new();
            for i in 0..EACH {
                let v = if (t + i) % 2 == 0 {
                    store
                        .load_policy(&console(), source)
                        .await
                        .map_err(|e| e.to_string())?
                        .version
                } else {
                    read_then_write(&store).await.map_err(|e| e.to_string())?
                };
                versions.push(v);
            }
            Ok::<_, String>(versions)
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.expect("task").expect("every write succeeds"));
    }
    all.sort_unstable();
    let expected: Vec<i64> = (1..=(TASKS * EACH) as i64).collect();
    assert_eq!(
        all, expected,
        "versions are 1..=N with no gaps or duplicates"
    );
    assert_eq!(
        a.policy_history().await.expect("history").len(),
        TASKS * EACH
    );
}

/// A transaction that reads before it writes, as ledger appends will (read the head, then
/// append). On SQLite a deferred transaction doing this fails at once with "database is
/// locked" when another writer got in between; the store's write path must prevent that.
async fn read_then_write(store: &Store) -> Result<i64, Box<dyn std::error::Error>> {
    use sqlx::Row;
    let mut tx = store.write().await?;
    let row = sqlx::query("SELECT COUNT(*) AS n FROM policy_versions")
        .fetch_one(tx.conn())
        .await?;
    let n: i64 = row.try_get("n")?;
    tokio::task::yield_now().await;
    let row = sqlx::query(
        "INSERT INTO policy_versions \
         (pack_id, name, source_toml, sha256_hex, loaded_at_unix_ms, loaded_by) \
         VALUES ('raw', $1, 'x', $2, 0, 'test') RETURNING version",
    )
    .bind(format!("after {n}"))
    .bind("0".repeat(64))
    .fetch_one(tx.conn())
    .await?;
    let version: i64 = row.try_get("version")?;
    tx.commit().await?;
    Ok(version)
}

async fn a_write_transaction_not_committed_changes_nothing(db: &TestDb) {
    let store = db.migrated().await;
    {
        let mut tx = store.write().await.expect("begin");
        sqlx::query(
            "INSERT INTO policy_versions \
             (pack_id, name, source_toml, sha256_hex, loaded_at_unix_ms, loaded_by) \
             VALUES ('x', 'x', 'x', $1, 0, 'x')",
        )
        .bind("0".repeat(64))
        .execute(tx.conn())
        .await
        .expect("insert inside the transaction");
        // Dropped here without commit.
    }
    assert!(store.policy_history().await.expect("history").is_empty());
    // The store still takes writes afterwards (the writer lock was released).
    store
        .load_policy(&console(), SCHOOL)
        .await
        .expect("load after rollback");
}

/// The embedded default: a SQLite file in WAL mode with foreign keys enforced.
#[tokio::test]
async fn sqlite_uses_wal_and_enforces_foreign_keys() {
    let db = TestDb::sqlite();
    let store = db.migrated().await;
    store.load_policy(&console(), SCHOOL).await.expect("load");
    let DatabaseLocation::Sqlite(path) = &db.location else {
        unreachable!("sqlite")
    };
    let wal = path.with_file_name("custos.db-wal");
    assert!(
        wal.exists(),
        "a WAL file sits beside the database while it is open"
    );

    let mut tx = store.write().await.expect("begin");
    let err = sqlx::query(
        "INSERT INTO active_policy (id, version, activated_at_unix_ms, activated_by) \
         VALUES (1, 999, 0, 'x') \
         ON CONFLICT (id) DO UPDATE SET version = excluded.version",
    )
    .execute(tx.conn())
    .await
    .expect_err("a reference to a version that does not exist is refused");
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
}
