//! Fragmented MP4 written by `custos_media::mp4`, checked with the tools recipients use:
//! `ffprobe` for what the file says it is and `ffmpeg` for whether it decodes cleanly and
//! to the very frames the encoder produced.
//!
//! Clips are encoded at run time by FFmpeg (libx264 and libx265 from the `testsrc2`
//! pattern: 10 s, 25 fps, a key frame every 25 frames, no B-frames), then cut into access
//! units by `split_access_units` (first-slice detection, so no access unit delimiters are
//! needed; the H.264 clip has them anyway, to show they are left out of samples), and
//! written as an init segment plus one fragment per group of pictures. The H.265 clip uses
//! x265's default open GOPs, so its later key frames are CRA pictures, not IDR.
//!
//! Clauses: BJS-4 (integrity from capture to court: every frame out of the file is the
//! frame the camera coded), LBU-7 and BDC-2 (continuous recording at the full frame rate:
//! 250 frames in 10 s at 25 fps, none lost or duplicated).

use std::path::Path;
use std::process::Command;

use custos_media::mp4::nal::{Codec, NalKind, nal_kind, split_access_units, split_annex_b};
use custos_media::mp4::{
    Fragment, FragmentBuilder, Sample, TrackConfig, append_sample_data, fragments, init_segment,
    parse_init,
};

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

/// Encodes the 10 s test clip as an Annex B byte stream.
fn encode(codec: Codec, dir: &Path) -> Vec<u8> {
    let (encoder, params, format, name) = match codec {
        Codec::H264 => (
            "libx264",
            "keyint=25:min-keyint=25:scenecut=0:bframes=0:aud=1",
            "h264",
            "clip.h264",
        ),
        Codec::H265 => (
            "libx265",
            "log-level=error:keyint=25:min-keyint=25:scenecut=0:bframes=0",
            "hevc",
            "clip.h265",
        ),
    };
    let path = dir.join(name);
    let params_flag = if codec == Codec::H264 {
        "-x264-params"
    } else {
        "-x265-params"
    };
    run(Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg("testsrc2=size=640x360:rate=25")
        .args([
            "-t",
            "10",
            "-pix_fmt",
            "yuv420p",
            "-c:v",
            encoder,
            params_flag,
            params,
        ])
        .args(["-f", format])
        .arg(&path));
    std::fs::read(&path).expect("encoded clip")
}

/// What writing a clip produced.
struct Written {
    init: Vec<u8>,
    fragments: Vec<Fragment>,
    /// How many fragments start with each random-access NAL unit type.
    key_frame_types: Vec<u8>,
    /// Parameter sets and delimiters left out of the samples.
    omitted_units: usize,
}

/// Cuts an Annex B clip into access units and writes an init segment and one fragment per
/// GOP, as the recorder does.
fn write_clip(codec: Codec, annex_b: &[u8]) -> Written {
    let nals: Vec<&[u8]> = split_annex_b(annex_b).collect();
    let units = split_access_units(codec, &nals);
    let config = TrackConfig::from_nals(codec, units[0].iter().copied())
        .expect("valid parameter sets")
        .expect("the first access unit carries the parameter sets");
    let init = init_segment(&config);

    let mut fragments = Vec::new();
    let mut builder: Option<FragmentBuilder> = None;
    let mut key_frame_types = Vec::new();
    let mut omitted_units = 0;
    let mut sequence_number = 1;
    for (i, unit) in units.iter().enumerate() {
        // In-band parameter sets must match the init segment; a change would need a new one.
        if let Some(c) = TrackConfig::from_nals(codec, unit.iter().copied()).expect("valid") {
            assert_eq!(c, config, "access unit {i}: parameter sets changed");
        }
        let mut data = Vec::new();
        let summary = append_sample_data(codec, unit.iter().copied(), &mut data).expect("valid");
        omitted_units += summary.omitted_count;
        if summary.is_random_access {
            if let Some(b) = builder.take() {
                fragments.push(b.finish().expect("valid fragment"));
            }
            let key_type = unit
                .iter()
                .copied()
                .find(|n| nal_kind(codec, n) == Some(NalKind::RandomAccessSlice))
                .map(|n| match codec {
                    Codec::H264 => n[0] & 0x1f,
                    Codec::H265 => (n[0] >> 1) & 0x3f,
                })
                .expect("a random access slice");
            key_frame_types.push(key_type);
            builder = Some(FragmentBuilder::new(
                sequence_number,
                i as u64 * u64::from(FRAME_90K),
            ));
            sequence_number += 1;
        }
        let b = builder.as_mut().expect("the clip starts with a key frame");
        let last = i + 1 == units.len();
        b.push(Sample {
            data: &data,
            // The last frame's successor never comes: it takes the previous duration.
            duration_90k: if last { None } else { Some(FRAME_90K) },
            is_sync: summary.is_random_access,
            composition_offset_90k: 0,
        })
        .expect("valid sample");
    }
    if let Some(b) = builder {
        fragments.push(b.finish().expect("valid fragment"));
    }
    Written {
        init,
        fragments,
        key_frame_types,
        omitted_units,
    }
}

/// `ffprobe -show_streams -show_format -count_frames` as JSON.
fn probe(path: &Path) -> serde_json::Value {
    let (stdout, _) = run(Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-count_frames",
            "-show_streams",
            "-show_format",
        ])
        .args(["-of", "json"])
        .arg(path));
    serde_json::from_slice(&stdout).expect("ffprobe prints JSON")
}

fn seconds(v: &serde_json::Value) -> f64 {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("a number of seconds, not {v}"))
}

/// Each packet's presentation time in 90 kHz ticks and whether FFmpeg sees it as a key
/// frame, from `ffprobe -show_entries packet=pts,flags`.
fn packets(path: &Path) -> Vec<(u64, bool)> {
    let (stdout, _) = run(Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "packet=pts,flags",
            "-of",
            "csv=p=0",
        ])
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

/// Decodes with `ffmpeg -v error … -f null -`, requiring silence on stderr.
fn decodes_cleanly(path: &Path) {
    let (_, stderr) = run(Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-f", "null", "-"]));
    assert_eq!(stderr, "", "{} must decode without errors", path.display());
}

/// The MD5 of every decoded frame, in order.
fn frame_hashes(path: &Path, input_format: Option<&str>) -> Vec<String> {
    let mut cmd = Command::new("ffmpeg");
    cmd.args(["-v", "error"]);
    if let Some(f) = input_format {
        cmd.args(["-f", f]);
    }
    cmd.arg("-i").arg(path).args(["-f", "framemd5", "-"]);
    let (stdout, _) = run(&mut cmd);
    String::from_utf8(stdout)
        .expect("text")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit(',').next().map(|h| h.trim().to_string()))
        .collect()
}

fn check_codec(codec: Codec) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let annex_b = encode(codec, dir.path());
    let written = write_clip(codec, &annex_b);
    let (codec_name, tag, raw_format, raw_name) = match codec {
        Codec::H264 => ("h264", "avc1", "h264", "clip.h264"),
        Codec::H265 => ("hevc", "hvc1", "hevc", "clip.h265"),
    };

    // One fragment per GOP: 10 fragments of 25 frames, each starting with a key frame.
    assert_eq!(written.fragments.len(), 10);
    for (k, f) in written.fragments.iter().enumerate() {
        assert_eq!(f.samples.len(), 25, "fragment {k}");
        assert_eq!(f.base_decode_time_90k, k as u64 * 90_000);
        assert_eq!(f.duration_90k, 90_000, "fragment {k} lasts 1 s");
        assert!(f.samples[0].is_sync);
        assert!(f.samples[1..].iter().all(|s| !s.is_sync));
    }
    match codec {
        Codec::H264 => {
            assert!(written.key_frame_types.iter().all(|&t| t == 5), "IDR");
            // 250 delimiters plus the SPS and PPS before each IDR.
            assert!(written.omitted_units >= 250, "AUDs were in the clip");
        }
        Codec::H265 => {
            assert!(
                matches!(written.key_frame_types[0], 19 | 20),
                "an IDR first: {:?}",
                written.key_frame_types
            );
            assert!(
                written.key_frame_types[1..].iter().all(|&t| t == 21),
                "later key frames are CRA: {:?}",
                written.key_frame_types
            );
        }
    }

    // The whole recording: init segment and every fragment.
    let mut file = written.init.clone();
    for f in &written.fragments {
        file.extend_from_slice(&f.bytes);
    }
    let path = dir.path().join("recording.mp4");
    std::fs::write(&path, &file).expect("write");

    // Our own reader agrees with what was written.
    let info = parse_init(&file).expect("init segment reads back");
    assert_eq!((info.codec, info.width, info.height), (codec, 640, 360));
    let read: Vec<_> = fragments(&file)
        .collect::<Result<_, _>>()
        .expect("fragments read back");
    assert_eq!(read.len(), 10);
    let mut at = written.init.len() as u64;
    for (r, w) in read.iter().zip(&written.fragments) {
        assert_eq!(r.offset, at);
        assert_eq!(r.base_decode_time_90k, w.base_decode_time_90k);
        assert_eq!(r.sample_count(), w.samples.len());
        let shifted: Vec<u64> = w.samples.iter().map(|s| s.offset + at).collect();
        let got: Vec<u64> = r.samples.iter().map(|s| s.offset).collect();
        assert_eq!(got, shifted, "sample offsets are where the writer said");
        at += w.bytes.len() as u64;
    }

    // What ffprobe sees.
    let p = probe(&path);
    let stream = &p["streams"][0];
    assert_eq!(stream["codec_name"], codec_name, "{p}");
    assert_eq!(stream["codec_tag_string"], tag, "{p}");
    assert_eq!(
        (stream["width"].as_u64(), stream["height"].as_u64()),
        (Some(640), Some(360))
    );
    assert_eq!(stream["r_frame_rate"], "25/1", "{p}");
    assert_eq!(
        stream["nb_read_frames"], "250",
        "every frame (LBU-7, BDC-2): {p}"
    );
    let duration = seconds(&p["format"]["duration"]);
    assert!((duration - 10.0).abs() <= 0.2, "duration {duration} s");
    // Every frame 40 ms after the last, key frames (seek points) exactly once a second.
    let expected: Vec<(u64, bool)> = (0..250).map(|i| (i * 3600, i % 25 == 0)).collect();
    assert_eq!(packets(&path), expected);

    // It decodes cleanly, to exactly the frames the encoder made (BJS-4).
    decodes_cleanly(&path);
    let original = frame_hashes(&dir.path().join(raw_name), Some(raw_format));
    assert_eq!(original.len(), 250);
    assert_eq!(
        frame_hashes(&path, None),
        original,
        "frames differ from the encoder's"
    );

    // A reassembled range: the init segment and fragments 3 to 5 (2 s to 5 s), as an
    // export concatenates them, unchanged.
    let mut range = written.init.clone();
    for f in &written.fragments[2..5] {
        range.extend_from_slice(&f.bytes);
    }
    let range_path = dir.path().join("range.mp4");
    std::fs::write(&range_path, &range).expect("write");
    let p = probe(&range_path);
    let stream = &p["streams"][0];
    assert_eq!(stream["nb_read_frames"], "75", "{p}");
    assert_eq!(packets(&range_path), expected[50..125]);
    let start = seconds(&stream["start_time"]);
    assert!((start - 2.0).abs() < 1e-6, "the range starts at 2 s: {p}");
    // FFmpeg reports a fragmented file's duration as its end time (tfdt counts from the
    // start of the recording); the range's own length is end − start.
    let length = seconds(&p["format"]["duration"]) - seconds(&p["format"]["start_time"]);
    assert!((length - 3.0).abs() <= 0.06, "range lasts {length} s: {p}");
    decodes_cleanly(&range_path);
    assert_eq!(
        frame_hashes(&range_path, None),
        original[50..125],
        "the range holds frames 50 to 124"
    );
}

#[test]
fn h264_recording_and_range_play_in_ffmpeg() {
    check_codec(Codec::H264);
}

#[test]
fn h265_recording_and_range_play_in_ffmpeg() {
    check_codec(Codec::H265);
}
