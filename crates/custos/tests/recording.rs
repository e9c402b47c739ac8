//! The recorder against RTSP servers Custos did not write (GStreamer's) and its own
//! simulated cameras: continuous recording of H.264 and H.265 reassembled and checked with
//! ffprobe and ffmpeg, a server that goes away and comes back, `kill -9` over and over with
//! `custos check` clean each time, and footage that cannot be read without the master key.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use custos_store::{DatabaseLocation, Store};

mod support;
use support::{copy_dir, custos, free_port};

fn policies() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../policies")
}

fn run(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn signal(child: &Child, sig: &str) {
    Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .expect("kill");
}

/// A scheme on the primary school's pack with one camera group.
fn scheme(dir: &Path) {
    scheme_with(dir, &policies().join("bosmere-junior-school.toml"));
}

/// A scheme on `pack` with one camera group.
fn scheme_with(dir: &Path, pack: &Path) {
    let (code, out) = run(custos()
        .arg("--data")
        .arg(dir)
        .args(["init", "--policy"])
        .arg(pack));
    assert_eq!(code, 0, "{out}");
    let (code, out) = run(custos().arg("--data").arg(dir).args([
        "group", "add", "yard", "--site", "bosmere", "--name", "Yard",
    ]));
    assert_eq!(code, 0, "{out}");
}

fn add_camera(dir: &Path, id: &str, url: &str) {
    let (code, out) = run(custos().arg("--data").arg(dir).args([
        "camera",
        "add",
        id,
        "--name",
        id,
        "--site",
        "bosmere",
        "--location",
        "Test bench",
        "--area",
        "Test picture",
        "--purpose",
        "security-and-safety",
        "--group",
        "yard",
        "--url",
        url,
    ]));
    assert_eq!(code, 0, "{out}");
}

/// `custos serve` on a free port until stopped.
struct Serve(Child);

impl Serve {
    fn start(dir: &Path) -> Self {
        let mut child = custos()
            .arg("--data")
            .arg(dir)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("serve starts");
        let out = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(out).lines();
        loop {
            match lines.next() {
                Some(Ok(l)) if l.contains("running at") => break,
                Some(_) => {}
                None => panic!("serve ended before it was running"),
            }
        }
        std::thread::spawn(move || for _ in lines {});
        Self(child)
    }

    fn stop(mut self) {
        signal(&self.0, "-INT");
        assert!(
            self.0.wait().expect("wait").success(),
            "serve stops cleanly"
        );
    }

    fn kill9(mut self) {
        signal(&self.0, "-KILL");
        let _ = self.0.wait();
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// GStreamer's RTSP server serving clips, until dropped.
struct Gst(Child);

impl Gst {
    fn start(port: u16, clips: &[(&str, &Path)]) -> Self {
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/gst_rtsp_server.py");
        let mut cmd = Command::new("/usr/bin/python3");
        cmd.arg(script).arg(port.to_string());
        for (name, path) in clips {
            cmd.arg(format!("{name}={}", path.display()));
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 with GStreamer's RTSP server (./scripts/test installs python3-gi and gir1.2-gst-rtsp-server-1.0)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read");
        assert_eq!(
            line.trim(),
            "ready",
            "the GStreamer RTSP server did not start"
        );
        Self(child)
    }
}

impl Drop for Gst {
    fn drop(&mut self) {
        signal(&self.0, "-TERM");
        let _ = self.0.wait();
    }
}

/// A clip made with ffmpeg: 640×360, 25 fps, a key frame every second.
fn clip(dir: &Path, codec: &str, seconds: u32) -> PathBuf {
    let path = dir.join(format!("clip-{codec}.mp4"));
    let mut cmd = Command::new("ffmpeg");
    cmd.args([
        "-v",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=640x360:rate=25",
        "-t",
    ])
    .arg(seconds.to_string())
    .args(["-pix_fmt", "yuv420p"]);
    if codec == "h265" {
        cmd.args([
            "-c:v",
            "libx265",
            "-x265-params",
            "log-level=error:keyint=25:min-keyint=25",
            "-tag:v",
            "hvc1",
        ]);
    } else {
        cmd.args(["-c:v", "libx264", "-g", "25"]);
    }
    let status = cmd
        .arg(&path)
        .status()
        .expect("ffmpeg (./scripts/test installs it)");
    assert!(status.success());
    path
}

/// Where a scheme's keys are: beside its data folder, `NAME-keys`.
fn keys_of(dir: &Path) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.with_file_name(format!("{name}-keys"))
}

async fn open_store(dir: &Path) -> Store {
    let store = Store::open(
        &DatabaseLocation::Sqlite(dir.join("custos.db")),
        Arc::new(custos_base::SystemClock),
    )
    .await
    .expect("open");
    let key = std::fs::read_to_string(keys_of(dir).join("master-key")).expect("master key");
    store.set_master_key(custos_store::secrets::SecretKey::from_hex(&key).expect("key"));
    store
}

fn now() -> custos_base::UnixMs {
    use custos_base::Clock as _;
    custos_base::SystemClock.now()
}

fn ident(s: &str) -> custos_domain::Ident {
    custos_domain::Ident::parse(s).expect("id")
}

fn ffprobe(file: &Path) -> serde_json::Value {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-count_frames",
            "-show_streams",
            "-show_format",
            "-of",
            "json",
        ])
        .arg(file)
        .output()
        .expect("ffprobe");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn decodes_cleanly(file: &Path) {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(file)
        .args(["-f", "null", "-"])
        .output()
        .expect("ffmpeg");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "",
        "decode errors"
    );
}

/// BDC-2, LBU-7, BJS-4, BJS-6: 30 seconds of H.264 and of H.265 from GStreamer's RTSP
/// server are recorded without transcoding; the range reassembles into files that ffprobe
/// reads as the camera sent them (codec, size, 25 fps, 30 s within 2 %) and ffmpeg decodes
/// without an error; `custos check` is clean; and a copy of the data folder without the
/// master key holds no readable video.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bdc_2_h264_and_h265_from_gstreamer_record_and_reassemble_cleanly() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("scheme");
    scheme(&dir);
    let h264 = clip(tmp.path(), "h264", 45);
    let h265 = clip(tmp.path(), "h265", 45);
    let port = free_port();
    let gst = Gst::start(port, &[("h264", &h264), ("h265", &h265)]);
    add_camera(&dir, "cam-264", &format!("rtsp://127.0.0.1:{port}/h264"));
    add_camera(&dir, "cam-265", &format!("rtsp://127.0.0.1:{port}/h265"));
    let serve = Serve::start(&dir);
    tokio::time::sleep(Duration::from_secs(36)).await;
    serve.stop();
    drop(gst);

    let store = open_store(&dir).await;
    let footage = dir.join("footage");
    for (cam, codec) in [("cam-264", "h264"), ("cam-265", "hevc")] {
        let segs = store
            .segments(Some(&ident(cam)), Some("main"), i64::MIN, i64::MAX)
            .await
            .expect("segments");
        assert!(!segs.is_empty(), "{cam} recorded nothing");
        let from = segs[0].start_unix_ms;
        let range = store
            .reassemble(&footage, &ident(cam), "main", from, from + 30_000)
            .await
            .expect("reassemble");
        // The same range laid out from the index and read in pieces, as review playback
        // serves it with range requests, is byte for byte the same file.
        let plan = store
            .playback(&footage, &ident(cam), "main", from, from + 30_000)
            .await
            .expect("playback");
        assert_eq!(plan.len as usize, range.mp4.len());
        let mut pieces = Vec::new();
        for (a, b) in [(0, 1000), (1000, plan.len / 2), (plan.len / 2, plan.len)] {
            pieces.extend(
                store
                    .read_playback(&footage, &plan, a, b)
                    .await
                    .expect("piece"),
            );
        }
        assert!(
            pieces == range.mp4,
            "{cam}: playback pieces differ from the reassembled file"
        );
        let file = tmp.path().join(format!("{cam}.mp4"));
        std::fs::write(&file, &range.mp4).expect("write");
        let probe = ffprobe(&file);
        let s = &probe["streams"][0];
        assert_eq!(s["codec_name"], codec, "{probe}");
        assert_eq!(
            (s["width"].as_i64(), s["height"].as_i64()),
            (Some(640), Some(360))
        );
        assert_eq!(s["r_frame_rate"], "25/1", "{probe}");
        let duration: f64 = probe["format"]["duration"]
            .as_str()
            .and_then(|d| d.parse().ok())
            .expect("duration");
        assert!(
            (duration - 30.0).abs() <= 0.6,
            "{cam}: {duration} s, not 30 s within 2 %"
        );
        let frames: f64 = s["nb_read_frames"]
            .as_str()
            .and_then(|n| n.parse().ok())
            .expect("frames");
        assert!(
            (frames - 750.0).abs() <= 15.0,
            "{cam}: {frames} frames for 30 s at 25 fps"
        );
        decodes_cleanly(&file);
    }
    store.close().await;

    let (code, out) = run(custos().arg("--data").arg(&dir).arg("check"));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("footage intact"), "{out}");

    // A copy without the master key: no file holds anything a video tool could read, and
    // nothing can be checked or reassembled.
    let copy = tmp.path().join("copy");
    copy_dir(&dir, &copy);
    assert!(
        !copy.join("master-key").exists(),
        "the master key is kept apart from the data folder"
    );
    for f in files(&copy.join("footage")) {
        let bytes = std::fs::read(&f).expect("read");
        for marker in [&b"ftyp"[..], b"moof", b"mdat", b"avcC", b"hvcC"] {
            assert!(
                !bytes.windows(4).any(|w| w == marker),
                "{} holds {:?} in the clear",
                f.display(),
                String::from_utf8_lossy(marker)
            );
        }
    }
    let (code, out) = run(custos().arg("--data").arg(&copy).arg("check"));
    assert_ne!(code, 0);
    assert!(out.contains("master key is missing"), "{out}");
    let keyless = Store::open(
        &DatabaseLocation::Sqlite(copy.join("custos.db")),
        Arc::new(custos_base::SystemClock),
    )
    .await
    .expect("open");
    let err = keyless
        .reassemble(
            &copy.join("footage"),
            &ident("cam-264"),
            "main",
            i64::MIN,
            i64::MAX,
        )
        .await
        .expect_err("no key, no video");
    assert!(err.to_string().contains("master key"), "{err}");
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("dir").flatten() {
        if e.path().is_dir() {
            out.extend(files(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

/// LBU-16, BDC-18: when the RTSP server goes away mid-recording, a gap is recorded from the
/// last frame; once the camera has been down longer than the pack allows (a minute here) a
/// fault is opened in the maintenance log; recording resumes by itself when the server is
/// back, which closes the gap and the fault.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lbu_16_a_server_that_goes_away_leaves_a_gap_and_a_fault_and_recording_resumes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("scheme");
    let pack = std::fs::read_to_string(policies().join("bosmere-junior-school.toml"))
        .expect("pack")
        .replacen(
            "[recording]\n",
            "[recording]\nfault_after_minutes = 1  # a minute, for the test\n",
            1,
        );
    assert!(pack.contains("fault_after_minutes = 1"));
    let pack_file = tmp.path().join("pack.toml");
    std::fs::write(&pack_file, pack).expect("pack");
    scheme_with(&dir, &pack_file);
    let h264 = clip(tmp.path(), "h264", 60);
    let port = free_port();
    let gst = Gst::start(port, &[("h264", &h264)]);
    add_camera(&dir, "cam", &format!("rtsp://127.0.0.1:{port}/h264"));
    let serve = Serve::start(&dir);
    tokio::time::sleep(Duration::from_secs(8)).await;
    drop(gst);
    let gone = now();
    tokio::time::sleep(Duration::from_secs(70)).await;
    let gst = Gst::start(port, &[("h264", &h264)]);
    let back = now();
    tokio::time::sleep(Duration::from_secs(40)).await;
    serve.stop();
    drop(gst);

    let store = open_store(&dir).await;
    let cam = ident("cam");
    let gaps = store.gaps(&cam, i64::MIN, i64::MAX).await.expect("gaps");
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    let (_, from, to, reason) = &gaps[0];
    let to = to.expect("the gap closed when recording resumed");
    assert!(
        (from - gone.0).abs() < 3_000,
        "gap from {from}, server gone at {}",
        gone.0
    );
    assert!(
        // Reconnection waits back off to at most 30 s.
        to >= back.0 && to - back.0 < 35_000,
        "gap to {to}, server back at {}",
        back.0
    );
    assert!(!reason.is_empty());
    let segs = store
        .segments(Some(&cam), Some("main"), i64::MIN, i64::MAX)
        .await
        .expect("segments");
    assert!(
        segs.iter().any(|s| s.end_unix_ms <= *from + 1_000),
        "footage before the gap"
    );
    assert!(
        segs.iter().any(|s| s.start_unix_ms >= to - 1_000),
        "footage after the gap"
    );
    let h = store.health().await.expect("health");
    assert!(
        h.iter().any(|h| h.camera == cam && h.reconnects >= 1),
        "{h:?}"
    );
}

/// BJS-4: `kill -9` of the recorder at random moments, twenty times over: each time
/// `custos check` (which first recovers what the crash left, as the recorder does when it
/// starts) finds every file indexed and every file matching its hash; at most the fragment
/// being written is lost. The ledger's only complaint is the unsigned tail a crash leaves
/// (an alarm, acknowledged here).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bjs_4_kill_9_twenty_times_leaves_custos_check_clean() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("scheme");
    scheme(&dir);
    let port = free_port();
    let mut sim = custos()
        .args([
            "simcam",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--cameras",
            "2",
            "--size",
            "320x240",
            "--fps",
            "10",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("simcam");
    add_camera(&dir, "sim-a", &format!("rtsp://127.0.0.1:{port}/cam1"));
    add_camera(&dir, "sim-b", &format!("rtsp://127.0.0.1:{port}/cam2"));
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for round in 0..20 {
        let serve = Serve::start(&dir);
        // Random moments within a few groups of pictures (2 s each here).
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let ms = 1_500 + seed % 4_500;
        std::thread::sleep(Duration::from_millis(ms));
        serve.kill9();
        // Entries written since the last checkpoint are, by design, an alarm at the next
        // start (an unsigned tail): the only alarm a crash may leave. Someone reads and
        // acknowledges it; then nothing else may be wrong.
        let (_, alarms) = run(custos().arg("--data").arg(&dir).args(["ledger", "alarms"]));
        for line in alarms.lines().filter(|l| l.starts_with("ALARM entry ")) {
            assert!(
                line.contains("not covered by any signature"),
                "round {round}, killed after {ms} ms: {line}"
            );
            let seq = line
                .trim_start_matches("ALARM entry ")
                .split(':')
                .next()
                .expect("seq");
            let (code, out) = run(custos().arg("--data").arg(&dir).args([
                "ledger",
                "acknowledge",
                seq,
                "--note",
                "read after a crash; genuine",
            ]));
            assert_eq!(code, 0, "{out}");
        }
        let (code, out) = run(custos().arg("--data").arg(&dir).arg("check"));
        assert_eq!(code, 0, "round {round}, killed after {ms} ms:\n{out}");
    }
    signal(&sim, "-INT");
    let _ = sim.wait();
    let store = open_store(&dir).await;
    let segs = store
        .segments(None, None, i64::MIN, i64::MAX)
        .await
        .expect("segments");
    assert!(
        segs.iter().any(|s| s.recovered),
        "crashes left segments that were recovered"
    );
}

/// BDC-2: the recorder follows the camera register without a restart: a camera added while
/// Custos runs is recording within seconds, and one retired stops.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bdc_2_cameras_added_while_running_are_recorded_and_retired_ones_stop() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("scheme");
    scheme(&dir);
    let port = free_port();
    let mut sim = custos()
        .args([
            "simcam",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--cameras",
            "1",
            "--size",
            "320x240",
            "--fps",
            "10",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("simcam");
    let serve = Serve::start(&dir);
    add_camera(&dir, "late", &format!("rtsp://127.0.0.1:{port}/cam1"));
    let store = open_store(&dir).await;
    let state = |want: &'static str| {
        let store = store.clone();
        async move {
            for _ in 0..60 {
                let h = store.health().await.expect("health");
                if h.iter()
                    .any(|h| h.camera.as_str() == "late" && h.state == want)
                {
                    return true;
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            false
        }
    };
    assert!(state("recording").await, "the new camera is recording");
    let (code, out) = run(custos().arg("--data").arg(&dir).args([
        "camera",
        "retire",
        "late",
        "--reason",
        "test over",
    ]));
    assert_eq!(code, 0, "{out}");
    assert!(state("stopped").await, "the retired camera stopped");
    serve.stop();
    signal(&sim, "-INT");
    let _ = sim.wait();
}
