//! Ledger benchmarks: durable appends per second (1 and 16 concurrent writers, and many
//! writers sharing group commits) on SQLite and, when `CUSTOS_TEST_POSTGRES_URL` names a
//! server, PostgreSQL; and verification speed over 1,000,000 entries.
//!
//! `cargo bench -p custos-store --bench ledger` runs the full benchmark and prints one line
//! per figure. Under `cargo test` (no `--bench` argument) it runs a small smoke version so
//! that the benchmark keeps compiling and working. Figures are recorded in
//! docs/PERFORMANCE.md.

use std::sync::Arc;
use std::time::Instant;

use custos_base::{Actor, SystemClock};
use custos_domain::ledger::{Book, NewEntry, Reference};
use custos_store::{DatabaseLocation, LedgerSigner, Store};
use ed25519_dalek::SigningKey;

fn entry(i: usize) -> NewEntry {
    NewEntry::new(Book::Review, "review-opened")
        .with_ref(Reference::new("camera", format!("camera-{}", i % 16)).expect("ref"))
        .with_ref(Reference::new("user", "operator-1").expect("ref"))
        .with(
            "reason",
            "Report of damage to a parked car near the main entrance",
        )
        .with("footage_from", "2026-11-23T09:00:00Z")
        .with("footage_to", "2026-11-23T09:30:00Z")
        .with("persons_present", vec!["PC 1234 Smith"])
        .with("n", i)
}

async fn fresh(location: &DatabaseLocation, dir: &std::path::Path) -> Store {
    let store = Store::open(location, Arc::new(SystemClock))
        .await
        .expect("open");
    store
        .migrate(&Actor::System("bench".into()))
        .await
        .expect("migrate");
    store
        .set_ledger_signer(LedgerSigner {
            key: SigningKey::from_bytes(&[7; 32]),
            witnesses: vec![custos_store::WitnessTarget::File(dir.join("witness"))],
            witness_ca: None,
            every_entries: 1000,
        })
        .await
        .expect("signer");
    store
}

/// `writers` tasks each append `each` entries one after another; returns appends/s.
async fn appends(store: &Store, writers: usize, each: usize) -> f64 {
    let actor = Actor::User("operator-1".into());
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..writers {
        let store = store.clone();
        let actor = actor.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..each {
                store
                    .append(&actor, entry(w * each + i))
                    .await
                    .expect("append");
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    (writers * each) as f64 / start.elapsed().as_secs_f64()
}

/// Fills the ledger to `n` entries quickly (large transactions), then times verification.
async fn verify(store: &Store, n: usize) -> (f64, u64) {
    let actor = Actor::System("bench".into());
    let have = store.ledger_head().await.expect("head").map_or(0, |h| h.0) as usize;
    let mut i = have;
    while i < n {
        let mut tx = store.write().await.expect("write");
        for _ in 0..(n - i).min(20_000) {
            tx.record(&actor, entry(i));
            i += 1;
        }
        tx.commit().await.expect("commit");
    }
    store.checkpoint().await.expect("checkpoint");
    let key = SigningKey::from_bytes(&[7; 32]).verifying_key();
    let start = Instant::now();
    let summary = store
        .verify_ledger(key, 1, &[], |_| {})
        .await
        .expect("verify runs")
        .expect("intact");
    let secs = start.elapsed().as_secs_f64();
    (summary.entries as f64 / secs, summary.entries)
}

/// Times the verifier alone (hashing, chaining, checkpoint signatures) over entries already
/// in memory, to separate its cost from reading the database.
async fn verify_in_memory(store: &Store) -> f64 {
    let entries = store
        .ledger_entries(&custos_store::LedgerQuery::default())
        .await
        .expect("read");
    let checkpoints = store.ledger_checkpoints().await.expect("checkpoints");
    let key = SigningKey::from_bytes(&[7; 32]).verifying_key();
    let start = Instant::now();
    let mut v = custos_domain::ledger::Verifier::new(key, 1, checkpoints, &[]).expect("verifier");
    for e in &entries {
        v.entry(e).expect("intact");
    }
    v.finish().expect("intact");
    entries.len() as f64 / start.elapsed().as_secs_f64()
}

async fn postgres_location() -> Option<DatabaseLocation> {
    use sqlx::Connection;
    let base = std::env::var("CUSTOS_TEST_POSTGRES_URL").ok()?;
    let name = format!("custos_bench_{}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(&base).await.expect("connect");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create database");
    let server = base.split('?').next()?.rsplit_once('/')?.0.to_owned();
    Some(DatabaseLocation::Postgres(format!("{server}/{name}")))
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (each_1, each_16, many, verify_n) = if full {
        (2_000, 1_000, 50_000, 1_000_000)
    } else {
        (20, 5, 512, 2_000)
    };
    let dir = tempfile::tempdir().expect("tmp");
    let mut backends = vec![(
        "SQLite",
        DatabaseLocation::Sqlite(dir.path().join("bench.db")),
    )];
    if let Some(pg) = postgres_location().await {
        backends.push(("PostgreSQL", pg));
    }
    for (name, location) in backends {
        let store = fresh(&location, dir.path()).await;
        let one = appends(&store, 1, each_1).await;
        println!("ledger append  {name:<10}   1 writer : {one:>9.0} durable appends/s");
        let sixteen = appends(&store, 16, each_16).await;
        println!(
            "ledger append  {name:<10}  16 writers: {sixteen:>9.0} durable appends/s (group commit)"
        );
        let writers = 256;
        let batched = appends(&store, writers, many / writers).await;
        println!(
            "ledger append  {name:<10} 256 writers: {batched:>9.0} durable appends/s (group commit)"
        );
        let (rate, entries) = verify(&store, verify_n).await;
        println!(
            "ledger verify  {name:<10} {entries} entries: {rate:>9.0} entries/s (read from the database)"
        );
        let mem = verify_in_memory(&store).await;
        println!(
            "ledger verify  {name:<10} {entries} entries: {mem:>9.0} entries/s (verifier alone, entries in memory)"
        );
        store.close().await;
    }
}
