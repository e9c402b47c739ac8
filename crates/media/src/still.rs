//! One picture of recorded footage as a PNG, for a video print (BDC-34): which frame of a
//! recorded fragment shows a moment ([`frame_at`]), and that one frame decoded by the
//! `ffmpeg` program ([`decode_png`]).
//!
//! Invariants:
//! - The footage is only read: the MP4 handed in (an init segment and one fragment, as
//!   recorded) is piped to FFmpeg, which decodes it and writes one picture; nothing is
//!   re-encoded or written back, and the recorded bytes stay as they are.
//! - FFmpeg runs as a separate process, never linked: Debian's FFmpeg libraries are GPL
//!   builds. When the program is missing the error says so ([`StillError::NoFfmpeg`]), so
//!   that the caller records nothing and tells people to install it.
//! - The frame chosen is the last one, in presentation order, at or before the moment (the
//!   key frame when the moment is before it); frames that precede the key frame in
//!   presentation order (an open GOP's leading pictures) are never chosen, since they cannot
//!   be decoded from the fragment alone.
//! - FFmpeg gets [`DECODE_TIMEOUT`] to answer and is killed after it; what it writes is
//!   accepted only as a PNG.
//!
//! Costs: one process and the decoding of at most one group of pictures.

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long FFmpeg may take to decode one frame before it is stopped.
pub const DECODE_TIMEOUT: Duration = Duration::from_secs(30);

/// The PNG signature.
const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// Why a still could not be made.
#[derive(Debug, thiserror::Error)]
pub enum StillError {
    /// The `ffmpeg` program is not installed (or not where it was said to be).
    #[error(
        "making a video print needs the ffmpeg program, which this server does not have ({program} was not found): install it (on Debian: apt-get install ffmpeg) and try again"
    )]
    NoFfmpeg {
        /// The program looked for.
        program: String,
    },
    /// The fragment holds no frame, or is not a fragment.
    #[error("the recorded fragment cannot be read: {0}")]
    Fragment(String),
    /// FFmpeg ran and failed, or did not finish in time.
    #[error("ffmpeg could not decode the frame: {0}")]
    Decode(String),
}

/// The frame of a fragment that shows a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FramePick {
    /// Its wall-clock time: the fragment's start plus its presentation time after the key
    /// frame's.
    pub unix_ms: i64,
    /// Its presentation time after the earliest presentation time in the fragment, in
    /// 90 kHz ticks: where FFmpeg finds it.
    pub offset_90k: u64,
    /// Its place in decode order (the sample's number in the fragment).
    pub sample: usize,
    /// Frames in the fragment.
    pub frames: usize,
}

/// The frame of `fragment` (one `moof` and its `mdat`, as recorded, whose key frame was
/// captured at `start_unix_ms`) that shows `moment_unix_ms`: the last at or before it.
pub fn frame_at(
    fragment: &[u8],
    start_unix_ms: i64,
    moment_unix_ms: i64,
) -> Result<FramePick, StillError> {
    let info = crate::mp4::reader::fragments(fragment)
        .next()
        .ok_or_else(|| StillError::Fragment("no fragment".to_owned()))?
        .map_err(|e| StillError::Fragment(e.to_string()))?;
    let pts: Vec<i64> = info
        .samples
        .iter()
        .map(|s| {
            i64::try_from(s.decode_time_90k).unwrap_or(i64::MAX)
                + i64::from(s.composition_offset_90k)
        })
        .collect();
    let (Some(&key), Some(&earliest)) = (pts.first(), pts.iter().min()) else {
        return Err(StillError::Fragment(
            "the fragment holds no frame".to_owned(),
        ));
    };
    let time = |p: i64| start_unix_ms + (p - key) / 90;
    let mut best = 0usize;
    for (i, &p) in pts.iter().enumerate() {
        if p >= key && time(p) <= moment_unix_ms && p >= pts[best] {
            best = i;
        }
    }
    Ok(FramePick {
        unix_ms: time(pts[best]),
        offset_90k: u64::try_from(pts[best] - earliest).unwrap_or(0),
        sample: best,
        frames: pts.len(),
    })
}

/// Whether `program` can be run: a path to a file, or a name found on `PATH`.
pub fn ffmpeg_available(program: &Path) -> bool {
    if program.components().count() > 1 {
        return program.is_file();
    }
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// The width and height of PNG `png`, if it is one.
pub fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    if png.get(..8)? != PNG_SIGNATURE || png.get(12..16)? != b"IHDR" {
        return None;
    }
    let be = |at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(png.get(at..at + 4)?.try_into().ok()?))
    };
    Some((be(16)?, be(20)?))
}

/// Decodes one frame of `mp4` (an init segment, then one fragment whose decode time starts
/// at 0) to a PNG with the program `ffmpeg`: the first frame at or after `offset_90k` of
/// presentation time, which [`frame_at`] gives for the frame wanted.
pub fn decode_png(ffmpeg: &Path, mp4: &[u8], offset_90k: u64) -> Result<Vec<u8>, StillError> {
    // Half a tick before the frame, so that rounding to microseconds never passes it.
    let offset_s = (offset_90k as f64 - 0.5).max(0.0) / 90_000.0;
    let mut child = Command::new(ffmpeg)
        .args(["-nostdin", "-v", "error", "-f", "mp4", "-i", "pipe:0"])
        .args(["-ss", &format!("{offset_s:.6}")])
        .args([
            "-map",
            "0:v:0",
            "-frames:v",
            "1",
            "-f",
            "image2",
            "-c:v",
            "png",
        ])
        .arg("pipe:1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
                StillError::NoFfmpeg {
                    program: ffmpeg.display().to_string(),
                }
            }
            _ => StillError::Decode(format!("cannot start {}: {e}", ffmpeg.display())),
        })?;
    let io = |what: &str| StillError::Decode(format!("no {what} pipe to ffmpeg"));
    let mut stdin = child.stdin.take().ok_or_else(|| io("input"))?;
    let mut stdout = child.stdout.take().ok_or_else(|| io("output"))?;
    let mut stderr = child.stderr.take().ok_or_else(|| io("error"))?;
    let input = mp4.to_vec();
    // FFmpeg may stop reading once it has its frame: a broken pipe here is no error.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let errors = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = stderr.read_to_string(&mut out);
        out
    });
    let deadline = Instant::now() + DECODE_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(StillError::Decode(format!(
                    "it did not finish within {} seconds",
                    DECODE_TIMEOUT.as_secs()
                )));
            }
            Err(e) => return Err(StillError::Decode(e.to_string())),
        }
    };
    let _ = writer.join();
    let png = reader.join().unwrap_or_default();
    let errors = errors.join().unwrap_or_default();
    if !status.success() {
        return Err(StillError::Decode(format!(
            "{status}: {}",
            errors.trim().lines().take(3).collect::<Vec<_>>().join(" ")
        )));
    }
    if png_size(&png).is_none() {
        return Err(StillError::Decode(
            "it wrote no picture (is there a frame at that moment?)".to_owned(),
        ));
    }
    Ok(png)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mp4::{FragmentBuilder, Sample};

    fn fragment(offsets: &[i32]) -> Vec<u8> {
        let data = [0u8, 0, 0, 1, 0x65];
        let mut b = FragmentBuilder::new(1, 0);
        for (i, o) in offsets.iter().enumerate() {
            b.push(Sample {
                data: &data,
                duration_90k: Some(3600),
                is_sync: i == 0,
                composition_offset_90k: *o,
            })
            .expect("sample");
        }
        b.finish().expect("fragment").bytes
    }

    #[test]
    fn the_frame_at_or_before_the_moment_is_chosen() {
        let f = fragment(&[0; 25]);
        let start = 1_000_000;
        let p = frame_at(&f, start, start + 1010).expect("pick");
        assert_eq!(
            (p.sample, p.unix_ms, p.offset_90k),
            (24, start + 960, 24 * 3600)
        );
        let p = frame_at(&f, start, start + 130).expect("pick");
        assert_eq!(
            (p.sample, p.unix_ms, p.offset_90k),
            (3, start + 120, 3 * 3600)
        );
        let p = frame_at(&f, start, start - 500).expect("before the key frame");
        assert_eq!(p.sample, 0);
        assert_eq!(p.frames, 25);
    }

    #[test]
    fn reordered_frames_are_chosen_in_presentation_order() {
        // I P B B: presentation I=0, B=1, B=2, P=3 (in frames), decode order I P B B.
        let f = fragment(&[3600, 3 * 3600, 0, 0]);
        let start = 0;
        // Decode times 0, 1, 2, 3 frames; presentation 1, 4, 2, 3 frames.
        let p = frame_at(&f, start, 85).expect("pick");
        assert_eq!(p.sample, 3, "{p:?}");
        assert_eq!(p.unix_ms, 80);
        assert_eq!(p.offset_90k, 7200);
        let p = frame_at(&f, start, 79).expect("pick");
        assert_eq!((p.sample, p.unix_ms), (2, 40));
        let p = frame_at(&f, start, 1000).expect("pick");
        assert_eq!(p.sample, 1);
        assert_eq!(p.unix_ms, 120);
    }

    #[test]
    fn a_missing_program_is_said_so() {
        let missing = Path::new("/nonexistent/custos-test/ffmpeg");
        assert!(!ffmpeg_available(missing));
        let err = decode_png(missing, b"", 0).expect_err("no program");
        assert!(matches!(err, StillError::NoFfmpeg { .. }), "{err:?}");
        assert!(err.to_string().contains("apt-get install ffmpeg"), "{err}");
    }

    #[test]
    fn png_sizes_are_read_from_the_header() {
        let mut png = PNG_SIGNATURE.to_vec();
        png.extend_from_slice(&[0, 0, 0, 13]);
        png.extend_from_slice(b"IHDR");
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&360u32.to_be_bytes());
        assert_eq!(png_size(&png), Some((640, 360)));
        assert_eq!(png_size(b"GIF89a"), None);
    }
}
