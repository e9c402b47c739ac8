//! Retention sweep benchmark: an index of 30 days × 64 cameras of one-minute segments
//! (2,764,800 rows, plus the hour past the cutoff) on SQLite; the time the Start page's
//! figures take over it; the duration of the hourly sweep (one hour of every camera past
//! retention) and of a catch-up sweep (a whole day), and the longest time a concurrent
//! recorder waits to index a segment while each runs.
//!
//! `cargo bench -p custos-store --bench retention` runs it in full; under `cargo test` it
//! runs a small version so that it keeps working. The files are not created (the sweep
//! finds them already gone), so the figures are the index, ledger and key work; unlinking
//! real files adds the file system's time. Figures are in docs/PERFORMANCE.md.

use std::sync::Arc;
use std::time::{Duration, Instant};

use custos_base::{Actor, SimulatedClock, UnixMs};
use custos_domain::Ident;
use custos_domain::camera::{CameraDraft, Priority, RtspAddress, Transport};
use custos_store::recordings::{FragmentIndex, InitSegment, Segment};
use custos_store::{CameraRequest, DatabaseLocation, Store};

const MINUTE: i64 = 60_000;
const DAY: i64 = 86_400_000;

fn id(s: &str) -> Ident {
    Ident::parse(s).expect("id")
}

fn day_of(ms: i64) -> String {
    UnixMs(ms).to_uk_local_input()[..10].to_owned()
}

/// Runs `query` once cold and five times more, printing the first and the best time.
async fn timed_query<T, F, Fut>(what: &str, query: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = custos_store::StoreResult<T>>,
{
    let mut times = Vec::new();
    for _ in 0..6 {
        let t = Instant::now();
        query().await.expect(what);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let best = times[1..].iter().copied().fold(f64::INFINITY, f64::min);
    println!("  {what}: {:.1} ms first, {best:.1} ms best", times[0]);
}

/// Indexes a segment every 20 ms until `stop` is set, as a recorder does, timing the calls
/// made while `measuring` is set: (max, p99, count), in ms. Calls before it warm the caches.
async fn recorder(
    store: Store,
    cam: Ident,
    init: String,
    start: i64,
    measuring: Arc<std::sync::atomic::AtomicBool>,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> (f64, f64, usize) {
    let mut waits = Vec::new();
    let mut i = 0i64;
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        let counted = measuring.load(std::sync::atomic::Ordering::Relaxed);
        let s = start + i * 1000;
        i += 1;
        let seg = Segment {
            path: format!("live/{s}.cseg"),
            camera: cam.clone(),
            stream: "main".into(),
            init_id: init.clone(),
            day: day_of(s),
            start_unix_ms: s,
            end_unix_ms: s + 1000,
            frames: 25,
            bytes: 500_000,
            sha256: "ab".repeat(32),
            fragments: vec![FragmentIndex {
                offset: 0,
                len: 500_000,
                start_unix_ms: s,
                frames: 25,
                decode_base_90k: 0,
                decode_duration_90k: 90_000,
            }],
            recovered: false,
        };
        let t = Instant::now();
        store.add_segment(&seg).await.expect("a concurrent segment");
        if counted || measuring.load(std::sync::atomic::Ordering::Relaxed) {
            waits.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    waits.sort_by(f64::total_cmp);
    let max = waits.last().copied().unwrap_or(0.0);
    let p99 = waits
        .get(waits.len().saturating_sub(1) * 99 / 100)
        .copied()
        .unwrap_or(0.0);
    (max, p99, waits.len())
}

async fn timed_sweep(
    store: &Store,
    footage: &std::path::Path,
    cam: &Ident,
    init: &str,
    live_from: i64,
) {
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let measuring = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let rec = tokio::spawn(recorder(
        store.clone(),
        cam.clone(),
        init.to_owned(),
        live_from,
        measuring.clone(),
        stop.clone(),
    ));
    tokio::time::sleep(Duration::from_millis(1000)).await;
    measuring.store(true, std::sync::atomic::Ordering::Relaxed);
    let t = Instant::now();
    let r = store.sweep(footage).await.expect("sweep");
    let took = t.elapsed();
    measuring.store(false, std::sync::atomic::Ordering::Relaxed);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (max, p99, n) = rec.await.expect("recorder");
    println!(
        "  sweep: {} segments deleted, {} day keys destroyed, in {:.2} s; concurrent indexing ({n} segments): longest wait {max:.1} ms, p99 {p99:.1} ms",
        r.segments_deleted,
        r.keys_destroyed.len(),
        took.as_secs_f64()
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (cameras, days): (usize, i64) = if full { (64, 30) } else { (2, 2) };
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("bench.db");
    let footage = dir.path().join("footage");
    // Midnight UTC, 2026-11-01; the index runs from then for `days` days and an hour.
    let t0: i64 = 1_793_491_200_000;
    let clock = SimulatedClock::new(UnixMs(t0));
    let store = Store::open(
        &DatabaseLocation::Sqlite(db.clone()),
        Arc::new(clock.clone()),
    )
    .await
    .expect("open");
    let actor = Actor::System("bench".into());
    store.migrate(&actor).await.expect("migrate");
    store
        .load_policy(
            &actor,
            include_str!("../../../policies/bassetlaw-district-council.toml"),
        )
        .await
        .expect("pack");
    store.set_master_key(custos_store::secrets::SecretKey::generate().expect("key"));
    let pack = store
        .active_policy()
        .await
        .expect("policy")
        .expect("pack")
        .pack;
    let site = id("site");
    let purpose = pack
        .purposes
        .iter()
        .find(|p| {
            p.recording
                .contains(&custos_domain::RecordingMode::Continuous)
        })
        .expect("a recording purpose")
        .id
        .clone();
    store
        .add_camera_group(&actor, &id("g"), &site, "Group", &[])
        .await
        .expect("group");
    let setup = Instant::now();
    let mut cams = Vec::new();
    for c in 0..cameras {
        let cam = id(&format!("cam-{c:02}"));
        store
            .add_camera(
                &actor,
                &CameraRequest {
                    id: cam.clone(),
                    draft: CameraDraft {
                        name: format!("Camera {c}"),
                        site: site.clone(),
                        location: "Bench".into(),
                        area: "Bench".into(),
                        kind: custos_domain::CameraKind::Fixed,
                        mode: custos_domain::RecordingMode::Continuous,
                        purposes: vec![purpose.clone()],
                        audio: false,
                        retention_days: None,
                        dpia_ref: String::new(),
                        operational_requirement: String::new(),
                        priority: Priority::DEFAULT,
                    },
                    groups: vec![id("g")],
                    main: RtspAddress::parse("rtsp://192.0.2.1/s").expect("url"),
                    sub: None,
                    transport: Transport::Tcp,
                    audio_reason: None,
                },
            )
            .await
            .expect("camera");
        cams.push(cam);
    }
    // One init segment and data key per camera-day, as the recorder makes them.
    let end = t0 + days * DAY + 61 * MINUTE;
    let mut day_starts = Vec::new();
    let mut d = t0;
    while d < t0 + 32 * DAY {
        day_starts.push(d);
        d += DAY;
    }
    for cam in &cams {
        for &d in &day_starts {
            let day = day_of(d);
            store.data_key(cam, &day).await.expect("key");
            store
                .add_init_segment(&InitSegment {
                    id: format!("{cam}-{}-aa", day.replace('-', "")),
                    camera: cam.clone(),
                    stream: "main".into(),
                    codec: "avc1.640028".into(),
                    width: 1920,
                    height: 1080,
                    path: format!("{cam}/{day}/init.cinit"),
                    day,
                    sha256: "aa".repeat(32),
                })
                .await
                .expect("init");
        }
    }
    // The segments, in one transaction straight into the file (setup, not measured).
    {
        let mut conn = rusqlite::Connection::open(&db).expect("sqlite");
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;")
            .expect("pragma");
        let tx = conn.transaction().expect("tx");
        {
            let mut ins = tx
                .prepare(
                    "INSERT INTO segments (path, camera_id, stream, init_id, day, start_unix_ms, \
                     end_unix_ms, frames, bytes, sha256, fragments) \
                     VALUES (?1, ?2, 'main', ?3, ?4, ?5, ?6, 1500, 30000000, ?7, '[]')",
                )
                .expect("prepare");
            let sha = "cd".repeat(32);
            let mut s = t0;
            while s + MINUTE <= end {
                let day = day_of(s);
                let compact = day.replace('-', "");
                for cam in &cams {
                    ins.execute(rusqlite::params![
                        format!("{cam}/{day}/{s}-main-{compact}-aa.cseg"),
                        cam.as_str(),
                        format!("{cam}-{compact}-aa"),
                        day,
                        s,
                        s + MINUTE,
                        sha,
                    ])
                    .expect("insert");
                }
                s += MINUTE;
            }
        }
        tx.commit().expect("commit");
        // Fold the bulk load into the database now, so that no sweep pays for it.
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .expect("checkpoint");
    }
    let rows = (end - t0) / MINUTE * cameras as i64;
    println!(
        "index: {cameras} cameras × {days} days + 61 minutes = {rows} segments (set up in {:.0} s)",
        setup.elapsed().as_secs_f64()
    );

    // The Start page's figures over the whole index, before anything is swept.
    let now = t0 + days * DAY + 61 * MINUTE;
    clock.set(UnixMs(now));
    println!("Start page figures (first call, then the best of 5):");
    let hour_from = (now / 3_600_000 - 23) * 3_600_000;
    timed_query("cameras per hour, last 24 hours", || {
        store.cameras_recorded_per_hour(hour_from, 24)
    })
    .await;
    let (first_day, last_day) = (day_of(now - 29 * DAY), day_of(now));
    timed_query("cameras per day, last 30 days", || {
        store.cameras_recorded_per_day(&first_day, &last_day)
    })
    .await;
    timed_query("newest footage per camera", || store.newest_footage()).await;
    timed_query("retention report (footage kept per camera)", || {
        store.retention_report(now)
    })
    .await;
    timed_query("requests' timings, last 12 months", || {
        store.case_timings(now - 365 * DAY)
    })
    .await;

    // The hourly sweep: the index's first hour (and a minute) is past 30 days.
    let end = t0 + 30 * DAY + 61 * MINUTE;
    clock.set(UnixMs(end));
    println!("hourly sweep (an hour of every camera past retention):");
    timed_sweep(
        &store,
        &footage,
        &cams[0],
        &format!("{}-{}-aa", cams[0], day_of(end).replace('-', "")),
        end,
    )
    .await;
    // A catch-up sweep: a whole day more past retention (after a day without sweeps).
    clock.set(UnixMs(end + DAY));
    println!("catch-up sweep (a day of every camera past retention):");
    timed_sweep(
        &store,
        &footage,
        &cams[0],
        &format!("{}-{}-aa", cams[0], day_of(end).replace('-', "")),
        end + 3_600_000,
    )
    .await;
    // Nothing to do: the cost of an hourly sweep that finds nothing.
    println!("sweep with nothing past retention:");
    timed_sweep(
        &store,
        &footage,
        &cams[0],
        &format!("{}-{}-aa", cams[0], day_of(end).replace('-', "")),
        end + 7_200_000,
    )
    .await;
}
