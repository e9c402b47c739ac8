//! The simulated cameras end to end: a real server on 127.0.0.1 played by the `ffprobe` and
//! `ffmpeg` programs over RTSP, interleaved on TCP and over UDP. These support recording at
//! the camera's full frame rate (LBU-7, BDC-2) and accurate camera identity, date and time on
//! recordings (LBU-15).
//!
//! ffmpeg must be installed (Debian: `apt-get install ffmpeg`); without it the tests fail and
//! say so.

use std::net::SocketAddr;
use std::process::{Command, Output, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use custos_media::simcam::{SimCamConfig, read_overlay, serve};

const WIDTH: u32 = 320;
const HEIGHT: u32 = 240;
const FPS: u32 = 25;
const GOP_FRAMES: u32 = 25;

/// A simulated-camera server running on its own thread until dropped.
struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start() -> Self {
        let config = SimCamConfig {
            cameras: 2,
            width: WIDTH,
            height: HEIGHT,
            fps: FPS,
            gop_frames: GOP_FRAMES,
        };
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("a tokio runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("binding 127.0.0.1:0");
                addr_tx
                    .send(listener.local_addr().expect("the listener's address"))
                    .expect("the test is waiting for the address");
                serve(listener, config, async move {
                    let _ = stopped.await;
                })
                .await
                .expect("the simulated cameras run");
            });
        });
        let addr = addr_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("the server starts");
        Self {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    fn url(&self, camera: usize) -> String {
        format!("rtsp://{}/cam{camera}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Runs `program` with `args`, killing it after `limit`; fails the test if the program is
/// not installed.
fn run(program: &str, args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| {
            panic!(
                "could not run {program} ({error}): install ffmpeg (for example \
                 `apt-get install ffmpeg`) to run the simulated camera tests"
            )
        });
    // Read the output on threads so a full pipe cannot stall the program.
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut buf).expect("reading stdout");
        buf
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut buf).expect("reading stderr");
        buf
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for the program") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{program} {args:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        status,
        stdout: out.join().expect("stdout reader"),
        stderr: err.join().expect("stderr reader"),
    }
}

/// Asserts the program succeeded without printing errors.
fn assert_clean(program: &str, output: &Output) {
    assert!(
        output.status.success() && output.stderr.is_empty(),
        "{program} failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn ffprobe_sees_h264_at_the_configured_size_and_frame_rate() {
    let server = Server::start();
    let url = server.url(2);
    let output = run(
        "ffprobe",
        &[
            "-v",
            "error",
            "-rtsp_transport",
            "tcp",
            "-show_streams",
            "-of",
            "json",
            &url,
        ],
        Duration::from_secs(30),
    );
    assert_clean("ffprobe", &output);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("ffprobe's JSON");
    let streams = json["streams"].as_array().expect("a list of streams");
    assert_eq!(streams.len(), 1, "{json}");
    let stream = &streams[0];
    assert_eq!(stream["codec_name"], "h264");
    assert_eq!(stream["profile"], "Constrained Baseline");
    assert_eq!(stream["width"], WIDTH);
    assert_eq!(stream["height"], HEIGHT);
    assert_eq!(stream["pix_fmt"], "yuv420p");
    assert_eq!(stream["r_frame_rate"], "25/1");
    assert_eq!(stream["avg_frame_rate"], "25/1");
}

/// Records four seconds of camera 1 over `transport` and checks the recording: every frame
/// arrived (LBU-7, BDC-2: full frame rate), decoding reports no error, the stream was not
/// sent faster than real time, and key frames come exactly every GOP.
fn record_four_seconds(transport: &str) {
    let server = Server::start();
    let url = server.url(1);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let recording = dir.path().join("recording.mkv");
    let recording = recording.to_str().expect("a UTF-8 path");
    let started = Instant::now();
    let output = run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-rtsp_transport",
            transport,
            "-i",
            &url,
            "-map",
            "0:v",
            "-t",
            "4",
            "-c",
            "copy",
            recording,
            "-map",
            "0:v",
            "-t",
            "4",
            "-f",
            "null",
            "-",
        ],
        Duration::from_secs(60),
    );
    let elapsed = started.elapsed();
    assert_clean("ffmpeg", &output);
    assert!(
        elapsed >= Duration::from_millis(3_500),
        "four seconds of video arrived in {elapsed:?}: faster than real time"
    );

    let output = run(
        "ffprobe",
        &[
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_frames",
            "-show_entries",
            "frame=key_frame,pict_type",
            "-of",
            "csv=p=0",
            recording,
        ],
        Duration::from_secs(60),
    );
    assert_clean("ffprobe", &output);
    let frames: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| l.trim().trim_end_matches(',').to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    let expected = 4 * FPS as usize;
    assert!(
        frames.len().abs_diff(expected) <= expected / 10,
        "{} frames in 4 s over {transport}, expected about {expected}",
        frames.len()
    );
    let key_frames: Vec<usize> = frames
        .iter()
        .enumerate()
        .filter(|(_, f)| f.starts_with('1'))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        key_frames.first(),
        Some(&0),
        "the recording starts with a key frame"
    );
    assert!(key_frames.len() >= 3, "key frames at {key_frames:?}");
    for i in &key_frames {
        assert_eq!(i % GOP_FRAMES as usize, 0, "key frames at {key_frames:?}");
        assert_eq!(frames[*i], "1,I", "a key frame is an I picture");
    }
    assert_eq!(
        key_frames.len(),
        frames.len().div_ceil(GOP_FRAMES as usize),
        "a key frame starts every GOP: {key_frames:?}"
    );
}

#[test]
fn ffmpeg_records_every_frame_over_tcp() {
    record_four_seconds("tcp");
}

#[test]
fn ffmpeg_records_every_frame_over_udp() {
    record_four_seconds("udp");
}

#[test]
fn the_running_clock_and_camera_name_are_drawn_on_the_pictures() {
    // LBU-15: recordings carry accurate camera identity, date and time.
    let server = Server::start();
    let url = server.url(2);
    let output = run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-rtsp_transport",
            "tcp",
            "-i",
            &url,
            "-vf",
            "select='eq(n,0)+eq(n,25)'",
            "-fps_mode",
            "passthrough",
            "-frames:v",
            "2",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "gray",
            "-",
        ],
        Duration::from_secs(30),
    );
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_millis() as i64;
    assert_clean("ffmpeg", &output);
    let frame_bytes = (WIDTH * HEIGHT) as usize;
    assert_eq!(output.stdout.len(), 2 * frame_bytes, "two grey frames");
    let (first, second) = output.stdout.split_at(frame_bytes);

    // The text box's clock region differs...
    let a = read_overlay(first, WIDTH, HEIGHT).expect("the first frame's text reads back");
    let b = read_overlay(second, WIDTH, HEIGHT).expect("the second frame's text reads back");
    assert_eq!(a.camera_name, "Simulated camera 2");
    assert_eq!(b.camera_name, "Simulated camera 2");
    assert_eq!(b.frame_number - a.frame_number, 25, "frames 25 apart");
    assert_eq!(
        b.unix_ms - a.unix_ms,
        1_000,
        "25 frames at 25 fps are one second"
    );
    assert!(
        (now_ms - b.unix_ms).abs() < 10_000,
        "the drawn time {} is the wall-clock time {now_ms}",
        b.unix_ms
    );
    assert_ne!(first, second);
    // ...while the background below the text box is identical.
    let below_box = (HEIGHT / 2 * WIDTH) as usize;
    assert!(
        first[below_box..] == second[below_box..],
        "the background must not change between frames"
    );
}

#[test]
fn two_clients_of_one_camera_play_at_once() {
    let server = Server::start();
    let url = server.url(1);
    let clients: Vec<_> = ["tcp", "udp"]
        .into_iter()
        .map(|transport| {
            let url = url.clone();
            std::thread::spawn(move || {
                run(
                    "ffmpeg",
                    &[
                        "-v",
                        "error",
                        "-rtsp_transport",
                        transport,
                        "-i",
                        &url,
                        "-t",
                        "3",
                        "-f",
                        "null",
                        "-",
                    ],
                    Duration::from_secs(60),
                )
            })
        })
        .collect();
    for client in clients {
        let output = client.join().expect("the client thread");
        assert_clean("ffmpeg", &output);
    }
}
