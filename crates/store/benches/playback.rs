//! Review playback benchmark: how long from asking for a one-hour recorded range to having
//! its first 64 KiB (laying the range out from the index, decrypting the init segment and
//! the first fragment), and to having 64 KiB from its middle (a seek). The hour is made
//! here: one camera, 60 one-minute segment files of 30 two-second fragments, encrypted and
//! indexed as the recorder writes them.
//!
//! `cargo bench -p custos-store --bench playback` prints the figures (median of 25 tries);
//! under `cargo test` it runs a small smoke version. Figures are in docs/PERFORMANCE.md.

use std::sync::Arc;
use std::time::Instant;

use custos_base::{Actor, SystemClock};
use custos_domain::Ident;
use custos_domain::camera::{CameraDraft, RtspAddress, Transport};
use custos_media::mp4::{FragmentBuilder, Sample, TrackConfig, init_segment};
use custos_media::segfile::{FileKind, RecordMeta, SegmentWriter};
use custos_store::recordings::{FragmentIndex, InitSegment, Segment};
use custos_store::{CameraRequest, DatabaseLocation, Store};
use sha2::{Digest, Sha256};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn id(s: &str) -> Ident {
    Ident::parse(s).expect("id")
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (segments, frame_bytes, tries): (u32, usize, usize) =
        if full { (60, 10_000, 25) } else { (2, 500, 2) };
    let dir = tempfile::tempdir().expect("tmp");
    let footage = dir.path().join("footage");
    let store = Store::open(
        &DatabaseLocation::Sqlite(dir.path().join("bench.db")),
        Arc::new(SystemClock),
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
    let day = "2026-11-29";
    let key = store.data_key(&cam, day).await.expect("key");
    // Real parameter sets, from the simulated camera's encoder.
    let clip = custos_media::simcam::annex_b_clip(
        &custos_media::simcam::SimCamConfig {
            cameras: 1,
            width: 1920,
            height: 1080,
            fps: 25,
            gop_frames: 50,
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
    let init_rel = format!("cam/{day}/init-{}.cinit", &init_sha[..16]);
    std::fs::create_dir_all(footage.join(format!("cam/{day}"))).expect("dir");
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
    store
        .add_init_segment(&InitSegment {
            id: format!("cam-{}", &init_sha[..16]),
            camera: cam.clone(),
            stream: "main".into(),
            codec: track.codec_string().into(),
            width: 1920,
            height: 1080,
            path: init_rel,
            day: day.into(),
            sha256: init_sha.clone(),
        })
        .await
        .expect("init row");
    // A frame: one IDR or non-IDR slice NAL unit of `frame_bytes`, length-prefixed.
    let frame = |key: bool| {
        let mut f = u32::try_from(frame_bytes)
            .expect("len")
            .to_be_bytes()
            .to_vec();
        f.push(if key { 0x65 } else { 0x41 });
        f.resize(4 + frame_bytes, 0x5a);
        f
    };
    let start_ms: i64 = 1_795_978_800_000;
    let mut seq = 0u32;
    for s in 0..segments {
        let seg_start = start_ms + i64::from(s) * 60_000;
        let rel = format!("cam/{day}/{seg_start}-main-{}.cseg", &init_sha[..16]);
        let mut w =
            SegmentWriter::create(&footage.join(&rel), FileKind::Media, key.bytes()).expect("seg");
        let mut h = Sha256::new();
        let mut fragments = Vec::new();
        let mut offset = 0u64;
        for g in 0..30u32 {
            seq += 1;
            let base = (u64::from(s) * 30 + u64::from(g)) * 180_000;
            let mut b = FragmentBuilder::new(seq, base);
            let frames: Vec<Vec<u8>> = (0..50).map(|i| frame(i == 0)).collect();
            for (i, f) in frames.iter().enumerate() {
                b.push(Sample {
                    data: f,
                    duration_90k: Some(3600),
                    is_sync: i == 0,
                    composition_offset_90k: 0,
                })
                .expect("sample");
            }
            let frag = b.finish().expect("fragment");
            let at = seg_start + i64::from(g) * 2000;
            h.update(&frag.bytes);
            w.append(
                &frag.bytes,
                &RecordMeta {
                    start_unix_ms: at,
                    frames: 50,
                    duration_ms: 2000,
                },
            )
            .expect("record");
            fragments.push(FragmentIndex {
                offset,
                len: frag.bytes.len() as u64,
                start_unix_ms: at,
                frames: 50,
                decode_base_90k: base,
                decode_duration_90k: 180_000,
            });
            offset += frag.bytes.len() as u64;
        }
        store
            .add_segment(&Segment {
                path: rel,
                camera: cam.clone(),
                stream: "main".into(),
                init_id: format!("cam-{}", &init_sha[..16]),
                day: day.into(),
                start_unix_ms: seg_start,
                end_unix_ms: seg_start + 60_000,
                frames: 1500,
                bytes: offset,
                sha256: hex(&h.finalize()),
                fragments,
                recovered: false,
            })
            .await
            .expect("segment");
    }
    let to = start_ms + i64::from(segments) * 60_000;
    let mut first = Vec::new();
    let mut middle = Vec::new();
    let mut size = 0;
    for _ in 0..tries {
        let t = Instant::now();
        let plan = store
            .playback(&footage, &cam, "main", start_ms, to)
            .await
            .expect("plan");
        let bytes = store
            .read_playback(&footage, &plan, 0, 65_536)
            .await
            .expect("first");
        first.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(bytes.len(), 65_536.min(plan.len as usize));
        size = plan.len;
        let t = Instant::now();
        let plan = store
            .playback(&footage, &cam, "main", start_ms, to)
            .await
            .expect("plan");
        let mid = plan.len / 2;
        store
            .read_playback(&footage, &plan, mid, mid + 65_536)
            .await
            .expect("middle");
        middle.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "playback  {} min, {:.0} MiB: first 64 KiB in {:.1} ms, 64 KiB from the middle in {:.1} ms (median of {tries})",
        segments,
        size as f64 / 1_048_576.0,
        median(&mut first),
        median(&mut middle)
    );
}
