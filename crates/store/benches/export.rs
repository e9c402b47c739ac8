//! Evidence export benchmark: how fast `Store::produce_download` makes a signed package of
//! one hour of one 4 Mbit/s camera, against `cp -r` of the same hour's encrypted footage
//! folder on the same disk, with the package's peak memory and where its time goes.
//!
//! The hour is made here, as the recorder writes it: 60 one-minute segment files, each of
//! 60 one-second fragments (one GOP of 25 frames, about 500 kB: 4 Mbit/s), real fMP4
//! (`moof` + `mdat`) with a real H.264 sample entry and pseudo-random slice data,
//! encrypted with the camera-day's key, indexed with their fragments, and sealed; it lies
//! two hours before the simulated clock, so its hour is closed. About 1.8 GB in all.
//!
//! `cargo bench -p custos-store --bench export` runs it in full: `cp -r` once to warm the
//! page cache, then three rounds of `cp -r`, `cp -r` with the copies fsynced (`sync FILE…`)
//! and the export, each into a new folder in the same temporary folder, removed (and the
//! file system synced) before the next. The page cache is not dropped (that needs root):
//! the footage is read from memory by all of them alike. Then the export's steps once
//! more, one by one, timed. Under `cargo test` it runs a small version (two minutes of
//! frames 20 times smaller, one round) so that it keeps working, and checks that package
//! with the package verifier. Figures are in docs/PERFORMANCE.md.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use custos_base::{Actor, SimulatedClock, UnixMs};
use custos_domain::Ident;
use custos_domain::camera::{CameraDraft, RtspAddress, Transport};
use custos_media::mp4::{FragmentBuilder, Sample, TrackConfig, init_segment};
use custos_media::segfile::{FileKind, RecordMeta, SegmentWriter};
use custos_store::evidence::ExportRequest;
use custos_store::recordings::{FragmentIndex, InitSegment, Segment};
use custos_store::{CameraRequest, DatabaseLocation, LedgerSigner, Store};
use sha2::{Digest, Sha256};

/// 2026-11-30 12:00 UTC: the hour exported is 10:00–11:00.
const NOW: i64 = 1_796_040_000_000;
const HOUR_START: i64 = NOW - 2 * 3_600_000;
const DAY: &str = "2026-11-30";
/// The account that authorises the release.
const AUTHORISER: &str = "d.price";
/// Frames per one-second fragment (25 fps, one GOP a second).
const FRAMES: usize = 25;
/// Bytes of the key frame and of each other frame: 500,000 a second with the key frame.
const KEY_FRAME: usize = 104_000;
const OTHER_FRAME: usize = 16_500;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn id(s: &str) -> Ident {
    Ident::parse(s).expect("id")
}

fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

/// Pseudo-random bytes (xorshift64), so that nothing on the way could compress them.
fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut v = Vec::with_capacity(len + 8);
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(len);
    v
}

/// A frame: one length-prefixed IDR or non-IDR slice NAL unit of `len` bytes in all, its
/// body taken from `pool` at `at`.
fn frame(pool: &[u8], at: usize, len: usize, key: bool) -> Vec<u8> {
    let body = len - 5;
    let mut f = Vec::with_capacity(len);
    f.extend_from_slice(&u32::try_from(body + 1).expect("len").to_be_bytes());
    f.push(if key { 0x65 } else { 0x41 });
    let at = at % (pool.len() - body);
    f.extend_from_slice(&pool[at..at + body]);
    f
}

/// The peak (`VmHWM`) or current (`VmRSS`) resident memory of this process, in MiB.
fn memory_mib(which: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(which))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Starts the peak resident memory afresh from the current one (Linux: `clear_refs` 5).
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn sh(script: &str) {
    let ok = std::process::Command::new("sh")
        .args(["-c", script])
        .status()
        .expect("sh")
        .success();
    assert!(ok, "{script} failed");
}

/// Removes `dir` and flushes the file system, so that no write-back is left over for the
/// next measurement (not timed).
fn clean(dir: &Path) {
    if dir.exists() {
        std::fs::remove_dir_all(dir).expect("remove");
    }
    sh(&format!(
        "sync -f '{}'",
        dir.parent().expect("parent").display()
    ));
}

fn bytes_under(dir: &Path) -> u64 {
    let mut n = 0;
    for e in std::fs::read_dir(dir).expect("dir") {
        let e = e.expect("entry");
        let m = e.metadata().expect("metadata");
        n += if m.is_dir() {
            bytes_under(&e.path())
        } else {
            m.len()
        };
    }
    n
}

/// A store on SQLite with one camera, `cam`, whose hour from `HOUR_START` is recorded for
/// `minutes` minutes in `footage` and sealed, with frames `shrink` times smaller than a
/// 4 Mbit/s camera's.
async fn scheme(
    dir: &Path,
    footage: &Path,
    minutes: u32,
    shrink: usize,
    seal: bool,
) -> (Store, SimulatedClock) {
    let clock = SimulatedClock::new(UnixMs(NOW));
    let store = Store::open(
        &DatabaseLocation::Sqlite(dir.join("bench.db")),
        Arc::new(clock.clone()),
    )
    .await
    .expect("open");
    let actor = Actor::System("bench".into());
    store.migrate(&actor).await.expect("migrate");
    store
        .load_policy(
            &actor,
            include_str!("../../../policies/bosmere-junior-school.toml"),
        )
        .await
        .expect("pack");
    store.set_master_key(custos_store::secrets::SecretKey::generate().expect("key"));
    store
        .set_ledger_signer(LedgerSigner {
            key: ed25519_dalek::SigningKey::from_bytes(&[42; 32]),
            witnesses: vec![custos_store::WitnessTarget::File(dir.join("witness.txt"))],
            witness_ca: None,
            every_entries: 1000,
        })
        .await
        .expect("signer");
    store
        .add_camera_group(&actor, &id("g"), &id("site"), "Group", &[])
        .await
        .expect("group");
    let cam = id("cam");
    store
        .add_camera(
            &actor,
            &CameraRequest {
                id: cam.clone(),
                draft: CameraDraft {
                    name: "Camera".into(),
                    site: id("site"),
                    location: "Bench".into(),
                    area: "Bench".into(),
                    kind: custos_domain::CameraKind::Fixed,
                    mode: custos_domain::RecordingMode::Continuous,
                    purposes: vec![id("security-and-safety")],
                    audio: false,
                    retention_days: None,
                    dpia_ref: String::new(),
                    operational_requirement: String::new(),
                    priority: custos_domain::camera::Priority::DEFAULT,
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
    // The authoriser: an account whose role may authorise downloads under the pack (ALT-8).
    store
        .add_user(
            &actor,
            &custos_domain::access::Username::parse(AUTHORISER).expect("user name"),
            "Dana Price",
            "walnut kettle lamp",
            &[custos_domain::access::Assignment {
                role: id("owner"),
                scope: custos_domain::access::Scope::Scheme,
            }],
        )
        .await
        .expect("authoriser");
    // BJS-9: the school's staff authorise downloads only once trained.
    store
        .record_training(
            &actor,
            &custos_domain::access::Username::parse(AUTHORISER).expect("user name"),
            "CCTV staff training",
            "2000-01-01",
            None,
        )
        .await
        .expect("training");
    let key = store.data_key(&cam, DAY).await.expect("key");
    // Real parameter sets, from the simulated camera's encoder.
    let clip = custos_media::simcam::annex_b_clip(
        &custos_media::simcam::SimCamConfig {
            cameras: 1,
            width: 1920,
            height: 1080,
            fps: 25,
            gop_frames: 25,
        },
        1,
        0,
        1,
    )
    .expect("clip");
    let nals: Vec<&[u8]> = custos_media::mp4::nal::split_annex_b(&clip).collect();
    let track = TrackConfig::from_nals(custos_media::mp4::Codec::H264, nals.iter().copied())
        .expect("track")
        .expect("parameter sets");
    let init = init_segment(&track);
    let init_sha = hex(&Sha256::digest(&init));
    let tag = &init_sha[..16];
    let init_id = format!("cam-{tag}");
    let init_rel = format!("cam/{DAY}/init-{tag}.cinit");
    std::fs::create_dir_all(footage.join(format!("cam/{DAY}"))).expect("dir");
    let mut w =
        SegmentWriter::create(&footage.join(&init_rel), FileKind::Init, key.bytes()).expect("init");
    w.append(
        &init,
        &RecordMeta {
            start_unix_ms: 0,
            frames: 0,
            duration_ms: 0,
        },
    )
    .expect("init record");
    w.sync().expect("sync");
    store
        .add_init_segment(&InitSegment {
            id: init_id.clone(),
            camera: cam.clone(),
            stream: "main".into(),
            codec: track.codec_string().into(),
            width: 1920,
            height: 1080,
            path: init_rel,
            day: DAY.into(),
            sha256: init_sha.clone(),
        })
        .await
        .expect("init row");
    let pool = noise(8 << 20);
    let mut seq = 0u32;
    for m in 0..minutes {
        let seg_start = HOUR_START + i64::from(m) * 60_000;
        let rel = format!("cam/{DAY}/{seg_start}-main-{tag}.cseg");
        let mut w =
            SegmentWriter::create(&footage.join(&rel), FileKind::Media, key.bytes()).expect("seg");
        let mut h = Sha256::new();
        let mut fragments = Vec::new();
        let mut offset = 0u64;
        for s in 0..60u32 {
            seq += 1;
            let base = (u64::from(m) * 60 + u64::from(s)) * 90_000;
            let mut b = FragmentBuilder::new(seq, base);
            for i in 0..FRAMES {
                let (len, key) = if i == 0 {
                    (KEY_FRAME / shrink, true)
                } else {
                    (OTHER_FRAME / shrink, false)
                };
                let f = frame(&pool, seq as usize * 7919 + i * 104_729, len, key);
                b.push(Sample {
                    data: &f,
                    duration_90k: Some(3600),
                    is_sync: key,
                    composition_offset_90k: 0,
                })
                .expect("sample");
            }
            let frag = b.finish().expect("fragment");
            let at = seg_start + i64::from(s) * 1000;
            let meta = RecordMeta {
                start_unix_ms: at,
                frames: FRAMES as u32,
                duration_ms: 1000,
            };
            let mut bytes = frag.bytes;
            let len = bytes.len() as u64;
            h.update(&bytes);
            w.append_in_place(&mut bytes, &meta).expect("record");
            fragments.push(FragmentIndex {
                offset,
                len,
                start_unix_ms: at,
                frames: FRAMES as u32,
                decode_base_90k: frag.base_decode_time_90k,
                decode_duration_90k: frag.duration_90k,
            });
            offset += len;
        }
        w.sync().expect("sync");
        store
            .add_segment(&Segment {
                path: rel,
                camera: cam.clone(),
                stream: "main".into(),
                init_id: init_id.clone(),
                day: DAY.into(),
                start_unix_ms: seg_start,
                end_unix_ms: seg_start + 60_000,
                frames: 60 * FRAMES as u64,
                bytes: offset,
                sha256: hex(&h.finalize()),
                fragments,
                recovered: false,
            })
            .await
            .expect("segment");
    }
    if seal {
        store.seal_closed_hours(NOW, 0).await.expect("seal");
    }
    (store, clock)
}

/// An init segment and its fragments, each with its wall-clock start (ms).
type OwnedPiece = (Vec<u8>, Vec<(Vec<u8>, i64)>);

fn request(minutes: u32) -> ExportRequest {
    ExportRequest {
        exhibit: "JS/1".into(),
        cameras: vec![id("cam")],
        from_unix_ms: HOUR_START,
        to_unix_ms: HOUR_START + i64::from(minutes) * 60_000,
        requester: "PC 1234 Smith".into(),
        authoriser: AUTHORISER.into(),
        recipient: "Suffolk Constabulary".into(),
        purpose: "Investigation of a break-in".into(),
        case_ref: None,
        keep_as: None,
        encrypt: false,
    }
}

/// The export's steps, each timed alone (seconds), one after another: reading the files,
/// decrypting them, checking their hash, writing and hashing the master copy, syncing it,
/// the proofs, remuxing the working copy and syncing it. (`produce_download` does the first
/// three for the next segments while it does the next three for one.)
async fn phases(
    store: &Store,
    footage: &Path,
    out: &Path,
    minutes: u32,
) -> Vec<(&'static str, f64)> {
    use custos_evidence::package::PackageWriter;
    use custos_media::mp4::remux::{Piece, RemuxOptions, write_progressive};
    use std::io::Write as _;
    let cam = id("cam");
    let req = request(minutes);
    let mut t = [0f64; 9];
    let all = Instant::now();
    let segs = store
        .segments(Some(&cam), Some("main"), req.from_unix_ms, req.to_unix_ms)
        .await
        .expect("segments");
    let mut w = PackageWriter::create(out).expect("package");
    let mut pieces: Vec<OwnedPiece> = Vec::new();
    let mut inits: Vec<String> = Vec::new();
    for seg in &segs {
        let (init, init_bytes) = store
            .init_bytes(footage, &cam, &seg.init_id)
            .await
            .expect("init");
        let init_file = format!("master/cam/init-{}.mp4", &init.sha256[..16]);
        if !inits.contains(&init_file) {
            w.add(&init_file, &init_bytes).expect("init file");
            inits.push(init_file);
        }
        let key = store.data_key(&cam, &seg.day).await.expect("key");
        let s = Instant::now();
        let data = std::fs::read(footage.join(&seg.path)).expect("read");
        t[0] += secs(s);
        let s = Instant::now();
        let c = custos_media::segfile::decrypt_file(&data, key.bytes()).expect("decrypt");
        drop(data);
        t[1] += secs(s);
        let s = Instant::now();
        let mut h = Sha256::new();
        for r in &c.records {
            h.update(&r.plaintext);
        }
        assert_eq!(hex(&h.finalize()), seg.sha256);
        t[2] += secs(s);
        let s = Instant::now();
        let name = seg.path.rsplit('/').next().expect("name");
        let mut f = w
            .file(&format!(
                "master/cam/{}.m4s",
                name.trim_end_matches(".cseg")
            ))
            .expect("file");
        for r in &c.records {
            f.write_all(&r.plaintext).expect("write");
        }
        f.flush().expect("flush");
        t[3] += secs(s);
        let s = Instant::now();
        f.finish().expect("finish");
        t[4] += secs(s);
        let s = Instant::now();
        store.seal_proof(seg).await.expect("proof");
        t[5] += secs(s);
        let frags: Vec<(Vec<u8>, i64)> = c
            .records
            .into_iter()
            .map(|r| (r.plaintext, r.meta.start_unix_ms))
            .collect();
        match pieces.last_mut() {
            Some((i, f)) if *i == init_bytes => f.extend(frags),
            _ => pieces.push((init_bytes, frags)),
        }
    }
    let s = Instant::now();
    let borrowed: Vec<Piece<'_>> = pieces
        .iter()
        .map(|(init, frags)| Piece {
            init,
            fragments: frags.iter().map(|(f, t)| (f.as_slice(), *t)).collect(),
        })
        .collect();
    let mut f = w.file("working/cam.mp4").expect("working");
    write_progressive(&borrowed, &RemuxOptions::uk("cam"), &mut f).expect("remux");
    t[6] += secs(s);
    let s = Instant::now();
    f.finish().expect("finish");
    t[7] += secs(s);
    t[8] = secs(all);
    vec![
        ("read the encrypted files", t[0]),
        ("decrypt (XChaCha20-Poly1305)", t[1]),
        ("check each segment's SHA-256", t[2]),
        ("write the master copy, hashing it", t[3]),
        ("fsync the master files", t[4]),
        ("seal proofs", t[5]),
        ("remux the working copy, writing and hashing it", t[6]),
        ("fsync the working copy", t[7]),
        ("all of the above", t[8]),
    ]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (minutes, shrink, rounds): (u32, usize, usize) = if full { (60, 1, 3) } else { (2, 20, 1) };
    let dir = tempfile::tempdir().expect("tmp");
    let footage = dir.path().join("footage");
    let setup = Instant::now();
    let (store, _) = scheme(dir.path(), &footage, minutes, shrink, true).await;
    let hour_dir = footage.join(format!("cam/{DAY}"));
    let footage_bytes = bytes_under(&hour_dir);
    println!(
        "footage: {minutes} one-minute segments, {:.2} GB encrypted, in {} (set up in {:.0} s)",
        footage_bytes as f64 / 1e9,
        hour_dir.display(),
        secs(setup)
    );
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average before: {}", load.trim());

    let copy = dir.path().join("copy");
    let cp = format!("cp -r '{}' '{}'", hour_dir.display(), copy.display());
    let cp_sync = format!("{cp} && sync '{}'/*", copy.display());
    // Once, to warm the page cache alike for every run.
    clean(&copy);
    sh(&cp);
    clean(&copy);
    let actor = Actor::System("bench".into());
    let (mut t_cp, mut t_cp_sync, mut t_export, mut peaks) = (vec![], vec![], vec![], vec![]);
    let mut package_bytes = 0;
    let mut master_bytes = 0;
    for round in 0..rounds {
        let s = Instant::now();
        sh(&cp);
        t_cp.push(secs(s));
        clean(&copy);
        let s = Instant::now();
        sh(&cp_sync);
        t_cp_sync.push(secs(s));
        clean(&copy);
        let out = dir.path().join(format!("package-{round}"));
        let reset = reset_peak();
        let before = memory_mib("VmRSS:");
        // The timed part is making the package; asking for and authorising it come first.
        let authoriser = store
            .subject_of(AUTHORISER, None)
            .await
            .expect("authoriser");
        let d = store
            .request_download(&actor, &request(minutes))
            .await
            .expect("request");
        store
            .authorise_download(&authoriser, &d.id)
            .await
            .expect("authorised");
        let s = Instant::now();
        let summary = store
            .produce_download(&actor, &footage, &out, &d.id, &|_, _| {})
            .await
            .expect("export");
        t_export.push(secs(s));
        peaks.push((memory_mib("VmHWM:"), before, reset));
        master_bytes = summary.master_bytes;
        package_bytes = bytes_under(&out);
        if !full {
            let v = custos_evidence::verify::verify(&out, custos_evidence::verify::same_samples)
                .expect("the package verifies");
            assert_eq!(v.segments_proved, minutes as usize);
            assert_eq!(v.working_copies, 1);
        }
        clean(&out);
        println!(
            "round {}: cp -r {:.2} s, cp -r + fsync {:.2} s, export {:.2} s (peak RSS {:.0} MiB, \
             {:.0} MiB before)",
            round + 1,
            t_cp[round],
            t_cp_sync[round],
            t_export[round],
            peaks[round].0,
            peaks[round].1
        );
    }
    let mb = |bytes: u64, t: f64| bytes as f64 / 1e6 / t;
    let best = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let median = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "master {:.2} GB, package {:.2} GB (master, working copy and the rest)",
        master_bytes as f64 / 1e9,
        package_bytes as f64 / 1e9
    );
    for (what, v, bytes) in [
        ("cp -r", &t_cp, footage_bytes),
        ("cp -r + fsync", &t_cp_sync, footage_bytes),
        ("export", &t_export, master_bytes),
    ] {
        println!(
            "{what:>14}: median {:.2} s ({:.0} MB/s of footage), best {:.2} s, runs {:?}",
            median(v),
            mb(bytes, median(v)),
            best(v),
            v.iter().map(|t| format!("{t:.2}")).collect::<Vec<_>>()
        );
    }
    println!(
        "export throughput / cp -r: {:.2} (median), / cp -r + fsync: {:.2}",
        mb(master_bytes, median(&t_export)) / mb(footage_bytes, median(&t_cp)),
        mb(master_bytes, median(&t_export)) / mb(footage_bytes, median(&t_cp_sync)),
    );
    println!(
        "export peak RSS (VmHWM): {} MiB{}",
        peaks
            .iter()
            .map(|(p, _, _)| format!("{p:.0}"))
            .collect::<Vec<_>>()
            .join(", "),
        if peaks.iter().all(|(_, _, reset)| *reset) {
            " (reset before each export)"
        } else {
            " (not reset: the setup's peak is included)"
        }
    );

    // Where the time goes.
    let out = dir.path().join("phases");
    let p = phases(&store, &footage, &out, minutes).await;
    clean(&out);
    println!(
        "the export's steps, each alone, one after another (the export reads, decrypts and \
         checks the next segments while it writes one):"
    );
    for (what, t) in &p {
        println!("  {what:<48} {t:6.2} s ({:.0} MB/s)", mb(master_bytes, *t));
    }
    drop(store);
    clean(&footage);
    current_hour(dir.path(), minutes, shrink, rounds, !full).await;
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average after: {}", load.trim());
}

/// The hour still being recorded (BDC-5): a scheme whose hour is not sealed, the clock
/// five seconds after its last segment ends; the last ten minutes are asked for,
/// authorised and made, the hour sealed so far as they are. Times from asking to the
/// first footage written into the package (the target: within 5 s) and to the package
/// done. The first round makes the interim seal; later rounds find it made.
async fn current_hour(dir: &Path, minutes: u32, shrink: usize, rounds: usize, check: bool) {
    let last = minutes.min(10);
    let here = dir.join("now");
    std::fs::create_dir_all(&here).expect("folder");
    let footage = here.join("footage");
    let (store, clock) = scheme(&here, &footage, minutes, shrink, false).await;
    let end = HOUR_START + i64::from(minutes) * 60_000;
    clock.set(UnixMs(end + 5_000));
    let actor = Actor::System("bench".into());
    let (mut t_start, mut t_done) = (vec![], vec![]);
    for round in 0..rounds {
        let out = here.join(format!("package-{round}"));
        let began = Instant::now();
        let first = std::sync::Mutex::new(None::<f64>);
        let authoriser = store
            .subject_of(AUTHORISER, None)
            .await
            .expect("authoriser");
        let d = store
            .request_download(
                &actor,
                &ExportRequest {
                    from_unix_ms: end - i64::from(last) * 60_000,
                    to_unix_ms: end,
                    ..request(minutes)
                },
            )
            .await
            .expect("request");
        store
            .authorise_download(&authoriser, &d.id)
            .await
            .expect("authorised");
        store
            .produce_download(&actor, &footage, &out, &d.id, &|done, _| {
                if done > 0
                    && let Ok(mut f) = first.lock()
                    && f.is_none()
                {
                    *f = Some(secs(began));
                }
            })
            .await
            .expect("the hour being recorded exports at once");
        t_done.push(secs(began));
        t_start.push(first.lock().ok().and_then(|f| *f).unwrap_or(f64::NAN));
        if check {
            let v = custos_evidence::verify::verify(&out, custos_evidence::verify::same_samples)
                .expect("the package of the hour being recorded verifies");
            assert_eq!(v.segments_proved, last as usize);
        }
        clean(&out);
        println!(
            "hour being recorded, round {}: last {last} minutes asked for; first footage \
             written after {:.2} s, package done after {:.2} s",
            round + 1,
            t_start[round],
            t_done[round]
        );
    }
    let sealed = store
        .ledger_entries(&custos_store::LedgerQuery {
            book: Some(custos_domain::ledger::Book::Recording),
            ..Default::default()
        })
        .await
        .expect("entries")
        .iter()
        .filter(|e| e.kind == "hour-sealed-interim")
        .count();
    println!(
        "interim seals made: {sealed} (the first export seals the hour so far; the later \
         ones find those segments sealed already)"
    );
}
