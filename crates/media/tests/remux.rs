//! Working copies (`custos_media::mp4::remux`) checked with the tools recipients use:
//! `ffprobe` for what the file holds, `ffmpeg` for whether it decodes cleanly, to the same
//! pictures as the fragmented original, and for the subtitles it shows.
//!
//! The H.264 footage is the simulated camera's (real H.264: IDRs of I_PCM macroblocks and P
//! pictures), 640×360 at 25 fps with a key frame every 25 frames, cut into one fragment per
//! GOP as the recorder does. The H.265 clip is encoded at run time by FFmpeg (libx265).
//!
//! Clauses: BDC-3 and BDC-4 (a working copy for recipients, the master untouched), BJS-4
//! (every sample of the working copy is the recorded sample, byte for byte).

use std::path::Path;
use std::process::Command;

use custos_media::mp4::nal::{Codec, split_access_units, split_annex_b};
use custos_media::mp4::remux::{
    Piece, RemuxError, RemuxOptions, fragment_video_samples, pieces_video_samples,
    progressive_video_samples, write_progressive,
};
use custos_media::mp4::{FragmentBuilder, Sample, TrackConfig, append_sample_data, init_segment};
use custos_media::simcam::{SimCamConfig, annex_b_clip};

/// 2026-11-20 09:14:07.000 UTC (Greenwich Mean Time in the UK).
const NOV_20_09_14_07_MS: i64 = 1_795_166_047_000;
const FRAME_90K: u32 = 3600; // 25 fps

/// Runs a command, failing the test with its stderr if it fails.
fn run(cmd: &mut Command) -> (Vec<u8>, String) {
    let out = cmd
        .output()
        .expect("ffmpeg and ffprobe are installed (Debian: apt-get install ffmpeg)");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{cmd:?} failed: {stderr}");
    (out.stdout, stderr)
}

/// An init segment and the samples of each GOP.
struct Clip {
    init: Vec<u8>,
    gops: Vec<Vec<Vec<u8>>>,
}

/// Cuts an Annex B stream into an init segment and GOPs of MP4 samples.
fn cut(codec: Codec, annex_b: &[u8]) -> Clip {
    let nals: Vec<&[u8]> = split_annex_b(annex_b).collect();
    let units = split_access_units(codec, &nals);
    let config = TrackConfig::from_nals(codec, units[0].iter().copied())
        .expect("valid parameter sets")
        .expect("the first access unit carries the parameter sets");
    let mut gops: Vec<Vec<Vec<u8>>> = Vec::new();
    for unit in &units {
        let mut data = Vec::new();
        let summary = append_sample_data(codec, unit.iter().copied(), &mut data).expect("valid");
        if summary.is_random_access {
            gops.push(Vec::new());
        }
        gops.last_mut()
            .expect("the clip starts with a key frame")
            .push(data);
    }
    Clip {
        init: init_segment(&config),
        gops,
    }
}

/// The simulated camera's first `frames` frames, starting at `start_ms`.
fn simcam_clip(width: u32, height: u32, start_ms: i64, frames: u64) -> Clip {
    let config = SimCamConfig {
        cameras: 1,
        width,
        height,
        fps: 25,
        gop_frames: 25,
    };
    cut(
        Codec::H264,
        &annex_b_clip(&config, 1, start_ms, frames).expect("simulated footage"),
    )
}

/// One fragment of a GOP's samples, 40 ms each, first sample decoding at `base_90k`.
fn fragment(gop: &[Vec<u8>], sequence_number: u32, base_90k: u64) -> Vec<u8> {
    let mut b = FragmentBuilder::new(sequence_number, base_90k);
    for (i, data) in gop.iter().enumerate() {
        b.push(Sample {
            data,
            duration_90k: Some(FRAME_90K),
            is_sync: i == 0,
            composition_offset_90k: 0,
        })
        .expect("valid sample");
    }
    b.finish().expect("valid fragment").bytes
}

/// `ffprobe -show_streams` as JSON.
fn streams(path: &Path) -> serde_json::Value {
    let (stdout, _) = run(Command::new("ffprobe")
        .args(["-v", "error", "-show_streams", "-of", "json"])
        .arg(path));
    let v: serde_json::Value = serde_json::from_slice(&stdout).expect("ffprobe prints JSON");
    v["streams"].clone()
}

/// How many video frames FFmpeg decodes.
fn decoded_frames(path: &Path) -> u64 {
    let (stdout, _) = run(Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
        .args(["-show_entries", "stream=nb_read_frames", "-of", "csv=p=0"])
        .arg(path));
    String::from_utf8(stdout)
        .expect("text")
        .trim()
        .parse()
        .expect("a frame count")
}

/// Each video packet's presentation time (90 kHz) and whether it is a key frame.
fn packets(path: &Path) -> Vec<(u64, bool)> {
    let (stdout, _) = run(Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0"])
        .args(["-show_entries", "packet=pts,flags", "-of", "csv=p=0"])
        .arg(path));
    String::from_utf8(stdout)
        .expect("text")
        .lines()
        .map(|l| {
            let (pts, flags) = l.split_once(',').expect("pts,flags");
            (pts.parse().expect("a pts in ticks"), flags.starts_with('K'))
        })
        .collect()
}

/// Decodes the video with `ffmpeg -v error … -map 0:v -f null -`, requiring silence.
fn decodes_cleanly(path: &Path) {
    let (_, stderr) = run(Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-map", "0:v", "-f", "null", "-"]));
    assert_eq!(stderr, "", "{} must decode without errors", path.display());
}

/// The MD5 of every decoded video frame, in order.
fn frame_hashes(path: &Path) -> Vec<String> {
    let (stdout, _) = run(Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-map", "0:v", "-f", "framemd5", "-"]));
    String::from_utf8(stdout)
        .expect("text")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit(',').next().map(|h| h.trim().to_string()))
        .collect()
}

/// The subtitles as SRT, from `ffmpeg -map 0:s -f srt -`.
fn subtitles(path: &Path) -> String {
    let (stdout, stderr) = run(Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-map", "0:s", "-f", "srt", "-"]));
    assert_eq!(stderr, "");
    String::from_utf8(stdout).expect("UTF-8 subtitles")
}

/// SRT cues from (start ms, end ms, text).
fn srt(cues: &[(u64, u64, &str)]) -> String {
    let time = |ms: u64| {
        format!(
            "{:02}:{:02}:{:02},{:03}",
            ms / 3_600_000,
            ms / 60_000 % 60,
            ms / 1000 % 60,
            ms % 1000
        )
    };
    cues.iter()
        .enumerate()
        .map(|(i, (from, to, text))| {
            format!("{}\n{} --> {}\n{text}\n\n", i + 1, time(*from), time(*to))
        })
        .collect()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

#[test]
fn h264_working_copy_plays_and_carries_exactly_the_recorded_samples() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let start_ms = NOV_20_09_14_07_MS + 500;
    let clip = simcam_clip(640, 360, start_ms, 75);
    assert_eq!(clip.gops.len(), 3);
    let frags: Vec<Vec<u8>> = (0..3)
        .map(|k| fragment(&clip.gops[k], k as u32 + 1, k as u64 * 90_000))
        .collect();
    let piece = Piece {
        init: &clip.init,
        fragments: frags
            .iter()
            .enumerate()
            .map(|(k, f)| (f.as_slice(), start_ms + k as i64 * 1000))
            .collect(),
    };
    let mut out = Vec::new();
    let summary = write_progressive(
        std::slice::from_ref(&piece),
        &RemuxOptions::uk("front-gate"),
        &mut out,
    )
    .expect("a working copy");
    assert_eq!(summary.video_samples, 75);
    assert_eq!(summary.sync_samples, 3);
    assert_eq!((summary.fragments, summary.gaps), (3, 0));
    assert_eq!(summary.duration_90k, 3 * 90_000);
    assert_eq!(summary.subtitle_cues, 4);
    assert_eq!(summary.bytes_written, out.len() as u64);
    let path = write(dir.path(), "working-copy.mp4", &out);
    let original: Vec<u8> = [clip.init.clone(), frags.concat()].concat();
    let original_path = write(dir.path(), "original.mp4", &original);

    // One H.264 stream and one mov_text subtitle stream.
    let s = streams(&path);
    assert_eq!(s.as_array().map(Vec::len), Some(2), "{s}");
    assert_eq!(s[0]["codec_type"], "video", "{s}");
    assert_eq!(s[0]["codec_name"], "h264", "{s}");
    assert_eq!(s[0]["codec_tag_string"], "avc1", "{s}");
    assert_eq!(
        (s[0]["width"].as_u64(), s[0]["height"].as_u64()),
        (Some(640), Some(360))
    );
    assert_eq!(s[0]["r_frame_rate"], "25/1", "{s}");
    assert_eq!(s[1]["codec_type"], "subtitle", "{s}");
    assert_eq!(s[1]["codec_name"], "mov_text", "{s}");
    assert_eq!(s[1]["tags"]["language"], "eng", "{s}");

    // It decodes cleanly, every frame, to the very pictures of the fragmented original.
    decodes_cleanly(&path);
    assert_eq!(decoded_frames(&path), 75);
    let expected: Vec<(u64, bool)> = (0..75).map(|i| (i * 3600, i % 25 == 0)).collect();
    assert_eq!(packets(&path), expected);
    let hashes = frame_hashes(&path);
    assert_eq!(hashes.len(), 75);
    assert_eq!(hashes, frame_hashes(&original_path));

    // One cue per second of wall-clock time, in UK time.
    let t = |s: u32| format!("2026-11-20 09:14:{s:02} UK time · front-gate");
    assert_eq!(
        subtitles(&path),
        srt(&[
            (0, 500, &t(7)),
            (500, 1500, &t(8)),
            (1500, 2500, &t(9)),
            (2500, 3000, &t(10)),
        ])
    );

    // The samples are the recorded ones, byte for byte, with the same times and key frames.
    let copy = progressive_video_samples(&out).expect("the working copy reads back");
    let segment = frags.concat();
    let recorded = fragment_video_samples(&clip.init, &segment).expect("fragments read");
    assert_eq!(copy.samples.len(), 75);
    assert_eq!(copy, recorded);
    assert_eq!(copy, pieces_video_samples(&[piece]).expect("pieces read"));
    assert!(copy.samples.iter().all(|s| s.data.len() > 4));

    // One flipped byte in one sample is noticed.
    let at = copy.samples[30].data.as_ptr() as usize - out.as_ptr() as usize + 7;
    let mut tampered = out.clone();
    tampered[at] ^= 0x01;
    let changed = progressive_video_samples(&tampered).expect("still reads");
    assert_ne!(changed, recorded);
    let differing: Vec<usize> = (0..75)
        .filter(|&i| changed.samples[i] != recorded.samples[i])
        .collect();
    assert_eq!(differing, [30]);
}

#[test]
fn a_ten_second_gap_is_kept_and_has_no_subtitles() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let start_ms = NOV_20_09_14_07_MS;
    let clip = simcam_clip(640, 360, start_ms, 75);
    // Fragments 0 and 1 back to back; fragment 2 starts 10 s after fragment 1 ends (the
    // camera's clock ran on through the gap, so its decode time jumps too).
    let starts_s = [0u64, 1, 12];
    let frags: Vec<Vec<u8>> = (0..3)
        .map(|k| fragment(&clip.gops[k], k as u32 + 1, starts_s[k] * 90_000))
        .collect();
    let piece = Piece {
        init: &clip.init,
        fragments: frags
            .iter()
            .zip(starts_s)
            .map(|(f, s)| (f.as_slice(), start_ms + s as i64 * 1000))
            .collect(),
    };
    let mut out = Vec::new();
    let summary = write_progressive(
        std::slice::from_ref(&piece),
        &RemuxOptions::uk("front-gate"),
        &mut out,
    )
    .expect("a working copy");
    assert_eq!((summary.gaps, summary.subtitle_cues), (1, 3));
    assert_eq!(summary.duration_90k, 13 * 90_000);
    let path = write(dir.path(), "gap.mp4", &out);

    decodes_cleanly(&path);
    assert_eq!(decoded_frames(&path), 75);
    let expected: Vec<(u64, bool)> = (0..75u64)
        .map(|i| {
            let pts = if i < 50 {
                i * 3600
            } else {
                12 * 90_000 + (i - 50) * 3600
            };
            (pts, i % 25 == 0)
        })
        .collect();
    assert_eq!(packets(&path), expected);

    // Cues for 09:14:07 and 09:14:08, then none until the footage resumes at 09:14:19.
    let t = |s: u32| format!("2026-11-20 09:14:{s:02} UK time · front-gate");
    assert_eq!(
        subtitles(&path),
        srt(&[
            (0, 1000, &t(7)),
            (1000, 2000, &t(8)),
            (12_000, 13_000, &t(19))
        ])
    );

    let copy = progressive_video_samples(&out).expect("reads back");
    assert_eq!(
        copy,
        fragment_video_samples(&clip.init, &frags.concat()).expect("fragments read")
    );
    assert_eq!(copy.samples[50].decode_time_90k, 12 * 90_000);
}

#[test]
fn pieces_with_restarted_decode_times_follow_the_wall_clock() {
    // Two recording sessions with the same configuration, each starting its decode times
    // at 0, the second 5 s after the first ends: one video track, placed by wall clock.
    let start_ms = NOV_20_09_14_07_MS;
    let clip = simcam_clip(640, 360, start_ms, 50);
    let a = fragment(&clip.gops[0], 1, 0);
    let b = fragment(&clip.gops[1], 1, 0);
    let pieces = [
        Piece {
            init: &clip.init,
            fragments: vec![(a.as_slice(), start_ms)],
        },
        Piece {
            init: &clip.init,
            fragments: vec![(b.as_slice(), start_ms + 6000)],
        },
    ];
    let mut out = Vec::new();
    let summary =
        write_progressive(&pieces, &RemuxOptions::uk("hall"), &mut out).expect("a working copy");
    assert_eq!((summary.video_samples, summary.gaps), (50, 1));
    let copy = progressive_video_samples(&out).expect("reads back");
    assert_eq!(copy, pieces_video_samples(&pieces).expect("pieces read"));
    assert_eq!(copy.samples[25].decode_time_90k, 6 * 90_000);
    // The fragments alone carry the restarted times, so only the bytes agree.
    let segment = [a.clone(), b.clone()].concat();
    let alone = fragment_video_samples(&clip.init, &segment).expect("fragments read");
    assert_ne!(copy, alone);
    assert!(
        copy.samples
            .iter()
            .zip(&alone.samples)
            .all(|(c, a)| c.data == a.data)
    );

    let dir = tempfile::tempdir().expect("temporary directory");
    let path = write(dir.path(), "two-sessions.mp4", &out);
    decodes_cleanly(&path);
    assert_eq!(decoded_frames(&path), 50);
}

#[test]
fn a_change_of_configuration_is_refused() {
    let first = simcam_clip(640, 360, NOV_20_09_14_07_MS, 25);
    let second = simcam_clip(320, 240, NOV_20_09_14_07_MS + 1000, 25);
    let a = fragment(&first.gops[0], 1, 0);
    let b = fragment(&second.gops[0], 1, 0);
    let pieces = [
        Piece {
            init: &first.init,
            fragments: vec![(a.as_slice(), NOV_20_09_14_07_MS)],
        },
        Piece {
            init: &second.init,
            fragments: vec![(b.as_slice(), NOV_20_09_14_07_MS + 1000)],
        },
    ];
    let mut out = Vec::new();
    let err = write_progressive(&pieces, &RemuxOptions::uk("hall"), &mut out)
        .expect_err("two configurations in one working copy");
    assert!(matches!(
        err,
        RemuxError::ConfigurationChanged { piece: 1, .. }
    ));
    assert_eq!(
        err.to_string(),
        "piece 1 has another codec configuration (H.264 320×240) than piece 0 (H.264 640×360); \
         one working copy holds one configuration, so make one working copy for each"
    );
    assert!(
        out.is_empty(),
        "nothing is written before the input is checked"
    );
}

#[test]
fn h265_working_copy_plays() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let raw = dir.path().join("clip.h265");
    run(Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=640x360:rate=25",
        ])
        .args([
            "-t",
            "2",
            "-pix_fmt",
            "yuv420p",
            "-c:v",
            "libx265",
            "-x265-params",
        ])
        .arg("log-level=error:keyint=25:min-keyint=25:scenecut=0:bframes=0")
        .args(["-f", "hevc"])
        .arg(&raw));
    let clip = cut(Codec::H265, &std::fs::read(&raw).expect("encoded clip"));
    assert_eq!(clip.gops.len(), 2);
    let frags: Vec<Vec<u8>> = (0..2)
        .map(|k| fragment(&clip.gops[k], k as u32 + 1, k as u64 * 90_000))
        .collect();
    let piece = Piece {
        init: &clip.init,
        fragments: frags
            .iter()
            .enumerate()
            .map(|(k, f)| (f.as_slice(), NOV_20_09_14_07_MS + k as i64 * 1000))
            .collect(),
    };
    let mut out = Vec::new();
    write_progressive(
        std::slice::from_ref(&piece),
        &RemuxOptions::uk("car-park"),
        &mut out,
    )
    .expect("a working copy");
    let path = write(dir.path(), "working-copy.mp4", &out);
    let original_path = write(
        dir.path(),
        "original.mp4",
        &[clip.init.clone(), frags.concat()].concat(),
    );

    let s = streams(&path);
    assert_eq!(s[0]["codec_name"], "hevc", "{s}");
    assert_eq!(s[0]["codec_tag_string"], "hvc1", "{s}");
    assert_eq!(s[1]["codec_name"], "mov_text", "{s}");
    decodes_cleanly(&path);
    assert_eq!(decoded_frames(&path), 50);
    assert_eq!(frame_hashes(&path), frame_hashes(&original_path));
    assert_eq!(
        progressive_video_samples(&out).expect("reads back"),
        fragment_video_samples(&clip.init, &frags.concat()).expect("fragments read")
    );
}
