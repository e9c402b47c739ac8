//! Live-view latency against a simulated camera's clock, for `benches/live.sh`.
//!
//! Reads a live fragmented-MP4 stream of a simulated camera on standard input (e.g. from
//! `curl -sN …/api/v1/cameras/sim-1/live.mp4`), passes it box by box to an ffmpeg decoder
//! started with low-delay flags, and reads the decoded pictures back as grey frames. For
//! each frame it reads the wall-clock time the camera drew on it ([`read_overlay`]) and
//! records two ages, in milliseconds, against this computer's clock (the camera's clock is
//! the same one when the camera runs on this computer):
//!
//! - *arrived*: when the frame's fragment (`moof` + `mdat`) had fully arrived on standard
//!   input, minus the time on the picture: the camera, the server and the transport;
//! - *decoded*: when its decoded picture came out of ffmpeg, minus the time on the
//!   picture: the above plus demultiplexing and decoding at the client.
//!
//! Frames in the first `--warmup-s` seconds are not counted; it stops after `--seconds`
//! more and prints one `key value` line per figure (the time from starting to the first
//! picture, which includes waiting for the camera's next key frame; median, p95, max and
//! min of each age; frames, and frames missing by their frame numbers), then exits, which
//! closes the stream.
//!
//! Usage: `live_latency [--width 640] [--height 360] [--warmup-s 5] [--seconds 30]`
//! (needs `ffmpeg` on the `PATH`).

use std::io::{BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use custos_media::simcam::read_overlay;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

struct Options {
    width: u32,
    height: u32,
    warmup: Duration,
    measure: Duration,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        width: 640,
        height: 360,
        warmup: Duration::from_secs(5),
        measure: Duration::from_secs(30),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |v: &str| {
            v.parse::<u32>()
                .map_err(|_| format!("{flag} takes a whole number, not {v:?}"))
        };
        match flag.as_str() {
            "--width" => o.width = number(&value)?,
            "--height" => o.height = number(&value)?,
            "--warmup-s" => o.warmup = Duration::from_secs(number(&value)?.into()),
            "--seconds" => o.measure = Duration::from_secs(number(&value)?.into()),
            _ => {
                return Err(format!(
                    "unknown option {flag}; usage: live_latency [--width 640] [--height 360] \
                     [--warmup-s 5] [--seconds 30] < live.mp4"
                ));
            }
        }
    }
    Ok(o)
}

/// Copies top-level MP4 boxes from `input` to `output` as each arrives in full, and sends
/// the arrival time (ms) of each `mdat`, which completes a fragment, down `arrivals`.
fn forward_boxes(
    mut input: impl Read,
    mut output: impl Write,
    arrivals: &mpsc::Sender<i64>,
) -> Result<(), String> {
    let mut header = [0u8; 8];
    let mut body = Vec::new();
    loop {
        match input.read_exact(&mut header) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err("the stream ended".to_owned());
            }
            Err(e) => return Err(format!("reading the stream: {e}")),
        }
        let size = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
        let kind = [header[4], header[5], header[6], header[7]];
        // Live fragments are small: 32-bit box sizes only.
        let size = usize::try_from(size)
            .ok()
            .filter(|s| *s >= 8)
            .ok_or_else(|| {
                format!(
                    "a box of size {size} ({}) is not one this tool reads; is this a Custos live stream?",
                    String::from_utf8_lossy(&kind)
                )
            })?;
        body.resize(size - 8, 0);
        input
            .read_exact(&mut body)
            .map_err(|e| format!("reading the stream: {e}"))?;
        if &kind == b"mdat" {
            // Arrival is when the fragment is whole; the receiver may have gone: ignore.
            let _ = arrivals.send(now_ms());
        }
        if output
            .write_all(&header)
            .and_then(|()| output.write_all(&body))
            .and_then(|()| output.flush())
            .is_err()
        {
            return Ok(()); // ffmpeg has stopped: we are done.
        }
    }
}

fn percentile(sorted: &[i64], p: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    // Nearest rank.
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn report(name: &str, mut values: Vec<i64>) {
    values.sort_unstable();
    println!("{name}_median_ms {}", percentile(&values, 50.0));
    println!("{name}_p95_ms {}", percentile(&values, 95.0));
    println!("{name}_max_ms {}", values.last().copied().unwrap_or(0));
    println!("{name}_min_ms {}", values.first().copied().unwrap_or(0));
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("live_latency: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let o = options()?;
    // The stream is requested as this starts (curl and this run side by side in a pipeline).
    let requested = Instant::now();
    let mut ffmpeg = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-nostdin"])
        // Low delay: no probing beyond the header, and one thread for the decoder and for
        // the raw "encoder" (with frame threads, each holds a picture back: ffmpeg 5.1's
        // rawvideo output alone added one frame, 40 ms, until given `-threads 1`). Not
        // `-fflags nobuffer`: it throws away the packets read while probing (here the whole
        // first GOP), which would break the pairing of fragments with pictures below; it
        // changes nothing once playing.
        .args(["-flags", "low_delay"])
        .args(["-probesize", "32", "-analyzeduration", "0", "-threads", "1"])
        .args(["-f", "mp4", "-i", "pipe:0", "-an", "-threads", "1"])
        .args([
            "-f",
            "rawvideo",
            "-pix_fmt",
            "gray",
            "-flush_packets",
            "1",
            "pipe:1",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start ffmpeg ({e}); install it (apt-get install ffmpeg)"))?;
    let to_ffmpeg = ffmpeg.stdin.take().ok_or("no pipe to ffmpeg")?;
    let mut from_ffmpeg = ffmpeg.stdout.take().ok_or("no pipe from ffmpeg")?;
    let (arrivals_tx, arrivals) = mpsc::channel();
    let forwarder = std::thread::spawn(move || {
        forward_boxes(
            BufReader::with_capacity(1 << 20, std::io::stdin().lock()),
            to_ffmpeg,
            &arrivals_tx,
        )
    });

    let frame_bytes = o.width as usize * o.height as usize;
    let mut frame = vec![0u8; frame_bytes];
    let mut started: Option<Instant> = None;
    let (mut arrived, mut decoded) = (Vec::new(), Vec::new());
    let (mut frames, mut unreadable, mut missing) = (0u64, 0u64, 0u64);
    let mut last_number: Option<u64> = None;
    loop {
        if let Err(e) = from_ffmpeg.read_exact(&mut frame) {
            let _ = ffmpeg.kill();
            let why = match forwarder.join() {
                Ok(Err(stream)) => format!("{stream}; "),
                _ => String::new(),
            };
            return Err(format!(
                "{why}ffmpeg gave no more pictures ({e}) after {frames} frames"
            ));
        }
        let decoded_at = now_ms();
        // The fragment that held this picture (one fragment per frame, in order).
        let arrived_at = arrivals.recv_timeout(Duration::from_secs(1)).ok();
        let since = started
            .get_or_insert_with(|| {
                println!("first_picture_ms {}", requested.elapsed().as_millis());
                Instant::now()
            })
            .elapsed();
        if since > o.warmup + o.measure {
            break;
        }
        let counted = since >= o.warmup;
        let Some(overlay) = read_overlay(&frame, o.width, o.height) else {
            unreadable += u64::from(counted);
            continue;
        };
        if let Some(last) = last_number.replace(overlay.frame_number)
            && counted
        {
            missing += overlay.frame_number.saturating_sub(last + 1);
        }
        if !counted {
            continue;
        }
        frames += 1;
        decoded.push(decoded_at - overlay.unix_ms);
        if let Some(a) = arrived_at {
            arrived.push(a - overlay.unix_ms);
        }
    }
    let _ = ffmpeg.kill();
    let _ = ffmpeg.wait();
    // Each picture was paired with the next fragment to arrive; equal totals (bar those in
    // flight) show that ffmpeg dropped none, so the pairing held.
    let fragments_in_flight = arrivals.try_iter().count();
    println!("frames {frames}");
    println!("fragments_not_yet_decoded {fragments_in_flight}");
    println!("frames_unreadable {unreadable}");
    println!("frames_missing {missing}");
    report("arrived", arrived);
    report("decoded", decoded);
    // The forwarder is blocked on standard input; exiting closes the stream.
    Ok(())
}
