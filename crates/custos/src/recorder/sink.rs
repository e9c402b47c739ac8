//! Turns a camera's frames into encrypted segment files and index rows (BDC-2, LBU-7,
//! BJS-4, BJS-6): one fragment per group of pictures, a segment file about every minute
//! (the first one of each camera shortened by its stagger, so cameras do not all close
//! their segments at the same moment, and one closed early, at the first key frame of the
//! moment asked, when an export made now asks: BDC-5), and an init segment per codec
//! configuration.
//!
//! Invariants — the crash-safety order, documented in `docs/ref/storage.md`:
//! 1. a fragment is written to its segment file as one encrypted record, then flushed to
//!    disk (`fdatasync`): a crash loses at most the group of pictures still in memory;
//! 2. when a segment closes, its file is flushed again and only then is its index row
//!    committed, with the SHA-256 of its plaintext;
//! 3. an init segment's file is complete and flushed before its row is committed, and
//!    before any segment that needs it is started.
//!
//! A segment file's name holds its start time, stream and init segment, so that start-up
//! recovery can index a file whose row a crash prevented.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use custos_domain::Ident;
use custos_domain::ledger::to_hex;
use custos_media::mp4::{FragmentBuilder, Sample, TrackConfig, init_segment};
use custos_media::segfile::{FileKind, RecordMeta, SegmentWriter};
use custos_store::Store;
use custos_store::recordings::{FragmentIndex, InitSegment, Segment};
use sha2::{Digest, Sha256};

/// Target length of a segment file.
pub const SEGMENT_MS: i64 = 60_000;

pub use custos_media::rtsp::Frame;

use custos_media::decode_order::DecodeTimes;
pub use custos_media::decode_order::REORDER_FRAMES;

/// A frame with its decode time.
struct Timed {
    frame: Frame,
    dts_90k: i64,
}

/// The UK day of a time, `YYYY-MM-DD`.
pub fn uk_day(unix_ms: i64) -> String {
    custos_base::UnixMs(unix_ms)
        .to_timestamp()
        .and_then(|t| {
            jiff::tz::TimeZone::get("Europe/London")
                .ok()
                .map(|tz| t.to_zoned(tz).date().to_string())
        })
        .unwrap_or_else(|| "1970-01-01".to_owned())
}

struct OpenSegment {
    writer: SegmentWriter,
    rel_path: String,
    abs_path: PathBuf,
    init_id: String,
    day: String,
    start_unix_ms: i64,
    end_unix_ms: i64,
    frames: u64,
    plain_bytes: u64,
    hasher: Sha256,
    fragments: Vec<FragmentIndex>,
}

/// The writer of one camera stream.
pub struct Sink {
    store: Store,
    footage: PathBuf,
    camera: Ident,
    stream: String,
    stagger_ms: i64,
    track: Option<(TrackConfig, String)>,
    gop: Vec<Timed>,
    /// Frames waiting for their decode times (B-frames).
    order: DecodeTimes,
    segment: Option<OpenSegment>,
    sequence: u32,
    segments_closed: u64,
    /// When an export made now last asked every camera to close its open segment at its
    /// next key frame (ms since the epoch), so that the footage up to then is indexed and
    /// can be sealed and exported at once (BDC-5); and the last such request acted on.
    cut: tokio::sync::watch::Receiver<i64>,
    cut_seen: i64,
}

impl Sink {
    /// A sink for `camera`'s `stream`, writing under `footage`; the first segment is
    /// shortened by `stagger_ms`; `cut` carries exports' requests to close the open
    /// segment early.
    pub fn new(
        store: Store,
        footage: &Path,
        camera: Ident,
        stream: &str,
        stagger_ms: i64,
        cut: tokio::sync::watch::Receiver<i64>,
    ) -> Self {
        let cut_seen = *cut.borrow();
        Self {
            cut,
            cut_seen,
            store,
            footage: footage.to_path_buf(),
            camera,
            stream: stream.to_owned(),
            stagger_ms: stagger_ms.rem_euclid(SEGMENT_MS),
            track: None,
            gop: Vec::new(),
            order: DecodeTimes::new(REORDER_FRAMES),
            segment: None,
            sequence: 0,
            segments_closed: 0,
        }
    }

    /// Takes the next frame. A change of codec configuration must be announced with
    /// [`Sink::set_track`] before the key frame that uses it.
    pub async fn push(&mut self, frame: Frame) -> anyhow::Result<()> {
        if let Some((frame, dts_90k)) = self.order.push(frame) {
            self.place(Timed { frame, dts_90k }).await?;
        }
        Ok(())
    }

    async fn place(&mut self, t: Timed) -> anyhow::Result<()> {
        if t.frame.is_key && !self.gop.is_empty() {
            self.flush_gop(Some(t.dts_90k)).await?;
        }
        if self.gop.is_empty() && !t.frame.is_key {
            // Nothing can be decoded before the first key frame.
            return Ok(());
        }
        if self.gop.is_empty() {
            self.maybe_rotate(t.frame.wall_unix_ms).await?;
        }
        self.gop.push(t);
        Ok(())
    }

    /// Places every waiting frame (the session ended or the configuration changed).
    async fn drain(&mut self) -> anyhow::Result<()> {
        for (frame, dts_90k) in self.order.drain() {
            self.place(Timed { frame, dts_90k }).await?;
        }
        Ok(())
    }

    /// Sets the codec configuration for the frames that follow. A new configuration closes
    /// the open segment (after writing what is buffered) and starts a new init segment.
    pub async fn set_track(&mut self, track: TrackConfig) -> anyhow::Result<()> {
        if self.track.as_ref().is_some_and(|(t, _)| *t == track) {
            return Ok(());
        }
        self.drain().await?;
        self.flush_gop(None).await?;
        self.close_segment().await?;
        self.track = Some((track, String::new()));
        Ok(())
    }

    /// Writes what is buffered and closes the open segment (on shutdown or disconnect).
    pub async fn finish(&mut self) -> anyhow::Result<()> {
        self.drain().await?;
        self.flush_gop(None).await?;
        self.close_segment().await
    }

    async fn maybe_rotate(&mut self, wall_ms: i64) -> anyhow::Result<()> {
        let rotate = match &self.segment {
            None => false,
            Some(s) => {
                let limit = if self.segments_closed == 0 {
                    SEGMENT_MS - self.stagger_ms
                } else {
                    SEGMENT_MS
                };
                // An export asked for the segment to close: at the first key frame of the
                // moment asked or after (frames arrive in decode order, a little late).
                let asked = *self.cut.borrow();
                let cut = asked != self.cut_seen && wall_ms >= asked && asked > s.start_unix_ms;
                wall_ms - s.start_unix_ms >= limit.max(1000) || uk_day(wall_ms) != s.day || cut
            }
        };
        let asked = *self.cut.borrow();
        if asked != self.cut_seen && (wall_ms >= asked || self.segment.is_none()) {
            self.cut_seen = asked;
        }
        if rotate {
            self.close_segment().await?;
        }
        Ok(())
    }

    /// Writes the buffered group of pictures as one fragment. `next_dts_90k` is the decode
    /// time of the frame after it, for the last frame's duration.
    async fn flush_gop(&mut self, next_dts_90k: Option<i64>) -> anyhow::Result<()> {
        if self.gop.is_empty() {
            return Ok(());
        }
        let gop = std::mem::take(&mut self.gop);
        if self.segment.is_none() {
            self.open_segment(gop[0].frame.wall_unix_ms).await?;
        }
        let Some(seg) = self.segment.as_mut() else {
            return Ok(());
        };
        let pts: Vec<i64> = gop.iter().map(|t| t.frame.time_90k).collect();
        let dts: Vec<i64> = gop.iter().map(|t| t.dts_90k).collect();
        let base = u64::try_from(dts[0].max(0)).unwrap_or(0);
        self.sequence = self.sequence.wrapping_add(1);
        let mut builder = FragmentBuilder::new(self.sequence, base);
        let mut total_90k: i64 = 0;
        for (i, f) in gop.iter().enumerate() {
            let next = dts.get(i + 1).copied().or(next_dts_90k);
            let duration = next
                .map(|n| n - dts[i])
                .filter(|d| *d > 0 && *d < 90_000 * 10)
                .and_then(|d| u32::try_from(d).ok());
            let duration = match (duration, i + 1 == gop.len()) {
                (Some(d), _) => Some(d),
                // The last frame with no successor takes its predecessor's duration; an
                // only frame gets one 25th of a second.
                (None, true) if gop.len() > 1 => None,
                (None, _) => Some(3600),
            };
            total_90k += i64::from(duration.unwrap_or(3600));
            builder
                .push(Sample {
                    data: &f.frame.data,
                    duration_90k: duration,
                    is_sync: i == 0,
                    composition_offset_90k: i32::try_from(pts[i] - dts[i]).unwrap_or(0),
                })
                .context("a frame could not be put in a fragment")?;
        }
        let fragment = builder
            .finish()
            .context("a fragment could not be written")?;
        let meta = RecordMeta {
            start_unix_ms: gop[0].frame.wall_unix_ms,
            frames: u32::try_from(gop.len()).unwrap_or(u32::MAX),
            duration_ms: u32::try_from(total_90k / 90).unwrap_or(0),
        };
        let frames = gop.len() as u64;
        let (decode_base_90k, decode_duration_90k) =
            (fragment.base_decode_time_90k, fragment.duration_90k);
        // The frames are in the fragment now: free them before encrypting it.
        drop(gop);
        let mut bytes = fragment.bytes;
        let plain_len = bytes.len() as u64;
        seg.hasher.update(&bytes);
        seg.writer.append_in_place(&mut bytes, &meta)?;
        drop(bytes);
        // Crash safety, step 1: the fragment is on disk before the next one is built.
        seg.writer.sync()?;
        seg.fragments.push(FragmentIndex {
            offset: seg.plain_bytes,
            len: plain_len,
            start_unix_ms: meta.start_unix_ms,
            frames: meta.frames,
            decode_base_90k,
            decode_duration_90k,
        });
        seg.plain_bytes += plain_len;
        seg.frames += frames;
        seg.end_unix_ms = meta.start_unix_ms + i64::from(meta.duration_ms);
        Ok(())
    }

    async fn open_segment(&mut self, start_ms: i64) -> anyhow::Result<()> {
        let day = uk_day(start_ms);
        let init_id = self.ensure_init(&day).await?;
        let key = self.store.data_key(&self.camera, &day).await?;
        // The init id without the camera: `{day}-{sha}` (older ids: `{sha}`), which start-up
        // recovery reads back from the file name.
        let prefix = format!("{}-", self.camera);
        let short = init_id.strip_prefix(&prefix).unwrap_or("init");
        let rel = format!(
            "{}/{day}/{start_ms}-{}-{short}.cseg",
            self.camera, self.stream
        );
        let abs = self.footage.join(&rel);
        if let Some(dir) = abs.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the footage folder {}", dir.display()))?;
        }
        let writer = SegmentWriter::create(&abs, FileKind::Media, key.bytes())?;
        self.segment = Some(OpenSegment {
            writer,
            rel_path: rel,
            abs_path: abs,
            init_id,
            day,
            start_unix_ms: start_ms,
            end_unix_ms: start_ms,
            frames: 0,
            plain_bytes: 0,
            hasher: Sha256::new(),
            fragments: Vec::new(),
        });
        Ok(())
    }

    /// The init segment for the current configuration on `day`, written on first use. Each
    /// day has its own, encrypted with that day's key, so that a day's footage needs only
    /// its own key and destroying it at the end of retention leaves other days whole.
    async fn ensure_init(&mut self, day: &str) -> anyhow::Result<String> {
        let Some((track, id)) = self.track.as_mut() else {
            anyhow::bail!(
                "no codec configuration is known yet for camera {}",
                self.camera
            );
        };
        let compact: String = day.chars().filter(char::is_ascii_digit).collect();
        if !id.is_empty() && id.starts_with(&format!("{}-{compact}-", self.camera)) {
            return Ok(id.clone());
        }
        let bytes = init_segment(track);
        let sha = to_hex(&Sha256::digest(&bytes));
        let new_id = format!("{}-{compact}-{}", self.camera, &sha[..16]);
        if self.store.init_segment(&new_id).await?.is_none() {
            let rel = format!("{}/{day}/init-{compact}-{}.cinit", self.camera, &sha[..16]);
            let abs = self.footage.join(&rel);
            if let Some(dir) = abs.parent() {
                std::fs::create_dir_all(dir).with_context(|| {
                    format!("cannot create the footage folder {}", dir.display())
                })?;
            }
            let key = self.store.data_key(&self.camera, day).await?;
            if abs.exists() {
                // Left by a crash before its row was committed: replace it.
                std::fs::remove_file(&abs)
                    .with_context(|| format!("cannot replace {}", abs.display()))?;
            }
            let mut w = SegmentWriter::create(&abs, FileKind::Init, key.bytes())?;
            w.append(
                &bytes,
                &RecordMeta {
                    start_unix_ms: 0,
                    frames: 0,
                    duration_ms: 0,
                },
            )?;
            w.sync()?;
            sync_dir(abs.parent());
            self.store
                .add_init_segment(&InitSegment {
                    id: new_id.clone(),
                    camera: self.camera.clone(),
                    stream: self.stream.clone(),
                    codec: track.codec_string().to_owned(),
                    width: u32::from(track.width()),
                    height: u32::from(track.height()),
                    path: rel,
                    day: day.to_owned(),
                    sha256: sha,
                })
                .await?;
        }
        id.clone_from(&new_id);
        Ok(new_id)
    }

    async fn close_segment(&mut self) -> anyhow::Result<()> {
        let Some(mut seg) = self.segment.take() else {
            return Ok(());
        };
        if seg.fragments.is_empty() {
            drop(seg.writer);
            let _ = std::fs::remove_file(&seg.abs_path);
            return Ok(());
        }
        // Crash safety, step 2: the whole file is on disk before its row exists.
        seg.writer.sync()?;
        sync_dir(seg.abs_path.parent());
        self.store
            .add_segment(&Segment {
                path: seg.rel_path.clone(),
                camera: self.camera.clone(),
                stream: self.stream.clone(),
                init_id: seg.init_id.clone(),
                day: seg.day.clone(),
                start_unix_ms: seg.start_unix_ms,
                end_unix_ms: seg.end_unix_ms,
                frames: seg.frames,
                bytes: seg.plain_bytes,
                sha256: to_hex(&seg.hasher.finalize()),
                fragments: seg.fragments,
                recovered: false,
            })
            .await?;
        self.segments_closed += 1;
        Ok(())
    }
}

/// Flushes a folder's entries (new files) to disk, where the platform allows.
pub fn sync_dir(dir: Option<&Path>) {
    if let Some(d) = dir
        && let Ok(f) = std::fs::File::open(d)
    {
        let _ = f.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use custos_base::{Actor, SimulatedClock, UnixMs};
    use custos_domain::camera::{CameraDraft, Priority, RtspAddress, Transport};
    use custos_store::{CameraRequest, DatabaseLocation};

    use super::*;

    fn id(s: &str) -> Ident {
        Ident::parse(s).expect("id")
    }

    /// BDC-5: an export made now asks every camera to close its open segment; the sink
    /// closes it at the next key frame (not a minute later), so the footage up to the
    /// moment of asking is indexed, and the next segment starts there. Asking once cuts
    /// once.
    #[tokio::test]
    async fn bdc_5_an_export_made_now_closes_the_open_segment_at_the_next_key_frame() {
        let dir = tempfile::tempdir().expect("tmp");
        // 2026-11-30 10:00:00 UTC, a minute boundary.
        let t0: i64 = 1_796_032_800_000;
        let store = Store::open(
            &DatabaseLocation::Sqlite(dir.path().join("custos.db")),
            Arc::new(SimulatedClock::new(UnixMs(t0))),
        )
        .await
        .expect("open");
        let actor = Actor::System("test".into());
        store.migrate(&actor).await.expect("migrate");
        store
            .load_policy(
                &actor,
                include_str!("../../../../policies/bosmere-junior-school.toml"),
            )
            .await
            .expect("pack");
        store.set_master_key(custos_store::secrets::SecretKey::generate().expect("key"));
        store
            .add_camera_group(&actor, &id("g"), &id("site"), "Group", &[])
            .await
            .expect("group");
        store
            .add_camera(
                &actor,
                &CameraRequest {
                    id: id("cam"),
                    draft: CameraDraft {
                        name: "Camera".into(),
                        site: id("site"),
                        location: "Gate".into(),
                        area: "Gate".into(),
                        kind: custos_domain::CameraKind::Fixed,
                        mode: custos_domain::RecordingMode::Continuous,
                        purposes: vec![id("security-and-safety")],
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
        let clip = custos_media::simcam::annex_b_clip(
            &custos_media::simcam::SimCamConfig {
                cameras: 1,
                width: 320,
                height: 180,
                fps: 5,
                gop_frames: 5,
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
        let (cuts, cut) = tokio::sync::watch::channel(0i64);
        let mut sink = Sink::new(store.clone(), dir.path(), id("cam"), "main", 0, cut);
        sink.set_track(track).await.expect("track");
        // Five frames a second, a key frame each second, for twelve seconds; the export
        // asks at 5.5 s.
        for n in 0..60i64 {
            if n == 28 {
                cuts.send_replace(t0 + 5_500);
            }
            let key = n % 5 == 0;
            sink.push(Frame {
                data: vec![0, 0, 0, 3, if key { 0x65 } else { 0x41 }, 0x88, 0x80],
                time_90k: n * 18_000,
                wall_unix_ms: t0 + n * 200,
                is_key: key,
            })
            .await
            .expect("frame");
        }
        let segs = store
            .segments(Some(&id("cam")), Some("main"), t0, t0 + 60_000)
            .await
            .expect("segments");
        assert_eq!(segs.len(), 1, "one segment closed, by the export's asking");
        assert_eq!(segs[0].start_unix_ms, t0);
        assert_eq!(
            segs[0].end_unix_ms,
            t0 + 6_000,
            "closed at the next key frame"
        );
        sink.finish().await.expect("finish");
        let segs = store
            .segments(Some(&id("cam")), Some("main"), t0, t0 + 60_000)
            .await
            .expect("segments");
        assert_eq!(segs.len(), 2);
        assert_eq!(
            segs[1].start_unix_ms,
            t0 + 6_000,
            "the next one starts there"
        );
    }
}
