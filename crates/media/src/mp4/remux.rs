//! Working copies (BDC-3, BDC-4): recorded footage rewritten, without re-encoding, as one
//! *progressive* MP4 file that recipients (the police, insurers, requesters) can open in any
//! player, with the wall-clock time shown as a subtitle track. The master footage stays as
//! it was recorded; a working copy is made from it and never replaces it.
//!
//! # Invariants
//!
//! * The master is untouched: the inputs are borrowed read-only and nothing is written
//!   anywhere but the caller's `out`.
//! * Every video sample of the working copy is the sample stored in its fragment, byte for
//!   byte, in the same (decode) order, with the same sync flag and composition offset; the
//!   sample entry (`avc1`/`hvc1` with its `avcC`/`hvcC` and any `pasp`, `btrt`) is the init
//!   segment's, copied. [`progressive_video_samples`] lists what a working copy holds and
//!   [`fragment_video_samples`] / [`pieces_video_samples`] what its sources hold, so that a
//!   verifier can prove the two equal.
//! * The output is a pure function of the pieces and options: the same input gives the same
//!   bytes (the `mvhd` creation time is the footage's first wall-clock second, not "now").
//! * Nothing here panics on any input, and reading a working copy allocates in proportion
//!   to a count only after checking that the table holding it is really there.
//!
//! # Layout
//!
//! ```text
//! ftyp   major isom, minor 0x200, compatible isom iso2 avc1 mp41 (H.264) or isom iso2 mp41
//! moov   before the media data ("faststart"), so browsers can play while downloading
//!   mvhd v1        creation and modification time = first wall-clock second, timescale
//!                  90000, duration, next_track_ID 3
//!   trak           video, track_ID 1
//!     tkhd v1      flags 3, presentation size copied from the init segment's tkhd
//!     mdia / mdhd v1 (90000, "und") / hdlr "vide" / minf / vmhd, dinf
//!       stbl       stsd (the init segment's sample entry), stts, ctts (v0, or v1 when an
//!                  offset is negative; only if some offset is not 0), stss (only if some
//!                  sample is not a sync sample), stsz, stsc, stco (co64 past 4 GiB)
//!   trak           timed text, track_ID 2
//!     tkhd v1      flags 3, layer -1, the video's presentation size
//!     mdia / mdhd v1 (90000, "eng") / hdlr "sbtl" / minf / nmhd, dinf
//!       stbl       stsd with one 3GPP `tx3g` entry (FFmpeg's `mov_text`), stts, stsz,
//!                  stsc, stco or co64
//! mdat   (64-bit size past 4 GiB) for each fragment in order: its video samples exactly as
//!        stored (one chunk), then the text samples that start in it (one chunk)
//! ```
//!
//! A text sample is a 16-bit length and UTF-8 text, e.g. `2026-11-20 09:14:07 UK time ·
//! front-gate`: one cue per second of wall-clock time covered, cut where the footage
//! starts, ends or has a gap. Gaps in the footage carry empty text samples (length 0),
//! which players show as no subtitle.
//!
//! # Timeline and gaps
//!
//! The first fragment decodes at 0. A fragment whose stored decode time (`tfdt`) follows on
//! from the previous fragment's end keeps its place right after it, so continuous footage
//! keeps its recorded durations exactly. After a gap (or a new recording session, whose
//! decode times start again) a fragment goes where the wall clock puts it: its wall-clock
//! start less the first fragment's, in 90 kHz ticks, but never before the end of the
//! previous fragment. This is the rule the store uses to reassemble a range, so a working
//! copy and a reassembled range of the same fragments have the same timeline.
//!
//! Every sample keeps its stored duration except the last one before a gap: its `stts`
//! duration also covers the gap (players hold the last picture), since the sample table of
//! a progressive file has no other way to leave time empty short of edit lists, which
//! players handle less consistently. A gap can therefore be at most what a 32-bit duration
//! holds (about 13 h 15 min at 90 kHz); a longer one is refused ([`RemuxError::GapTooLong`]).
//!
//! The subtitle follows the wall clock: within a fragment, wall time advances with media
//! time from the fragment's recorded wall-clock start; within continuous footage the time
//! shown never runs backwards (a fragment whose recorded start is a little early, from
//! millisecond rounding or a clock step, continues from where the previous one ended).
//! No cue spans a gap.
//!
//! # Changes of configuration
//!
//! One working copy holds one codec configuration: consecutive pieces whose init segments
//! carry the same sample entry share the one video track; a piece with another
//! configuration is refused ([`RemuxError::ConfigurationChanged`]), and the caller makes one
//! working copy per configuration. (Several `stsd` entries switched by `stsc` are valid MP4,
//! but browsers and many players do not switch decoder configuration mid-track.)
//!
//! # Costs
//!
//! Video data is streamed from the fragment slices to `out`, never copied into a second
//! buffer. For footage too long to hold in memory, a [`Planner`] takes the fragments one at
//! a time and keeps only their sample tables and a handle to where their samples are (the
//! store's master files); [`write_planned`] then asks for each fragment's samples in turn. The `moov` is built in memory: about 4 to 24 bytes per video sample (4 when
//! durations, offsets and sync samples are regular), 8 to 16 per fragment and about 60
//! bytes per second of footage for the subtitle text.

use std::fmt;
use std::io::Write;

use super::TIMESCALE_90K;
use super::nal::Codec;
use super::reader::{BoxRef, FourCc, ReadError, boxes, fragments, parse_init};
use super::writer::SampleLocation;

/// The video track's ID in a working copy.
pub const VIDEO_TRACK_ID: u32 = 1;

/// The timestamp subtitle track's ID in a working copy.
pub const TEXT_TRACK_ID: u32 = 2;

/// The most video samples in one working copy (about 46 days at 25 frames per second), which
/// keeps the `moov` below 4 GiB.
pub const MAX_VIDEO_SAMPLES: usize = 100_000_000;

/// The longest time zone or camera label, in UTF-8 bytes.
pub const MAX_LABEL_BYTES: usize = 200;

/// The latest wall-clock time accepted: 9999-12-31 23:59:59.999 UTC, in ms.
const MAX_WALL_MS: i64 = 253_402_300_799_999;

/// Seconds from 1904-01-01 (the MP4 epoch) to 1970-01-01.
const MP4_EPOCH_OFFSET_S: u64 = 2_082_844_800;

/// Ticks per second as a wide integer, for wall-clock arithmetic.
const TICKS_PER_S: i128 = TIMESCALE_90K as i128;

/// One piece of the recording: an init segment and the fragments made with it, each with
/// the wall-clock time (ms since the Unix epoch) at which its first sample was captured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece<'a> {
    /// The init segment (`ftyp` and `moov`) the fragments were made with.
    pub init: &'a [u8],
    /// The fragments in order: each slice holds exactly one `moof` and its `mdat`.
    pub fragments: Vec<(&'a [u8], i64)>,
}

/// How the timestamp subtitles read.
#[derive(Debug, Clone)]
pub struct RemuxOptions {
    /// Written after the time, e.g. `UK time`; left out when empty.
    pub time_zone_label: String,
    /// Written after the time and a middle dot, e.g. `front-gate`; left out when empty.
    pub camera_label: String,
    /// The local time's offset from UTC, in minutes, at an instant (ms since the Unix
    /// epoch); [`uk_utc_offset_minutes`] for the United Kingdom.
    pub utc_offset_minutes: fn(i64) -> i32,
}

impl RemuxOptions {
    /// Subtitles in United Kingdom civil time (GMT, or BST in summer) labelled `UK time`.
    pub fn uk(camera_label: impl Into<String>) -> Self {
        Self {
            time_zone_label: "UK time".to_string(),
            camera_label: camera_label.into(),
            utc_offset_minutes: uk_utc_offset_minutes,
        }
    }
}

/// What [`write_progressive`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemuxSummary {
    /// Video samples (frames) written.
    pub video_samples: u64,
    /// How many of them are sync samples (key frames).
    pub sync_samples: u64,
    /// Fragments read.
    pub fragments: u64,
    /// Gaps in the footage (places where a fragment starts after the previous one ended).
    pub gaps: u64,
    /// The video track's duration in 90 kHz ticks (gaps included).
    pub duration_90k: u64,
    /// Subtitle cues with text (empty samples over gaps not counted).
    pub subtitle_cues: u64,
    /// Wall-clock time of the first sample, ms since the Unix epoch.
    pub start_unix_ms: i64,
    /// Bytes written to `out`.
    pub bytes_written: u64,
}

/// One video sample as a file holds it: enough to compare a working copy with the
/// fragments it was made from.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SampleRef<'a> {
    /// The sample's bytes, within the file or fragments given.
    pub data: &'a [u8],
    /// Decode time in 90 kHz ticks, counted from the first sample.
    pub decode_time_90k: u64,
    /// Presentation time minus decode time, in 90 kHz ticks.
    pub composition_offset_90k: i32,
    /// Whether the sample is a sync sample (a key frame).
    pub is_sync: bool,
}

impl fmt::Debug for SampleRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SampleRef")
            .field("len_bytes", &self.data.len())
            .field("decode_time_90k", &self.decode_time_90k)
            .field("composition_offset_90k", &self.composition_offset_90k)
            .field("is_sync", &self.is_sync)
            .finish()
    }
}

/// The video of a file: its sample entry (decoder configuration) and samples, in decode
/// order. Two equal values hold the same pictures with the same timing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoSamples<'a> {
    /// The whole sample entry box (`avc1` or `hvc1` with its children).
    pub sample_entry: &'a [u8],
    /// The samples in decode order.
    pub samples: Vec<SampleRef<'a>>,
}

/// Why a working copy could not be made or read.
#[derive(Debug, thiserror::Error)]
pub enum RemuxError {
    /// No fragments were given.
    #[error("a working copy needs at least one fragment, and none were given")]
    NoFragments,
    /// An init segment is not in the layout Custos writes.
    #[error("piece {piece}: its init segment cannot be read: {source}")]
    Init {
        /// The piece's index.
        piece: usize,
        /// What is wrong.
        #[source]
        source: ReadError,
    },
    /// A fragment is not in the layout Custos writes.
    #[error("piece {piece}, fragment {fragment}: {source}")]
    Fragment {
        /// The piece's index.
        piece: usize,
        /// The fragment's index within the piece.
        fragment: usize,
        /// What is wrong.
        #[source]
        source: ReadError,
    },
    /// A fragment slice does not hold exactly one `moof` and its `mdat`.
    #[error("piece {piece}, fragment {fragment}: expected one moof and its mdat, found {found}")]
    NotOneFragment {
        /// The piece's index.
        piece: usize,
        /// The fragment's index within the piece.
        fragment: usize,
        /// What was found instead.
        found: &'static str,
    },
    /// A fragment holds no samples.
    #[error("piece {piece}, fragment {fragment} holds no samples")]
    EmptyFragment {
        /// The piece's index.
        piece: usize,
        /// The fragment's index within the piece.
        fragment: usize,
    },
    /// A piece's codec configuration differs from the first piece's.
    #[error(
        "piece {piece} has another codec configuration ({now}) than piece 0 ({was}); one \
         working copy holds one configuration, so make one working copy for each"
    )]
    ConfigurationChanged {
        /// The piece's index.
        piece: usize,
        /// The first piece's configuration, in words.
        was: String,
        /// This piece's configuration, in words.
        now: String,
    },
    /// A fragment's wall-clock start is outside the years 1970 to 9999.
    #[error(
        "piece {piece}, fragment {fragment}: wall-clock start {unix_ms} ms is not a time \
         from 1970 to 9999"
    )]
    BadWallClock {
        /// The piece's index.
        piece: usize,
        /// The fragment's index within the piece.
        fragment: usize,
        /// The time given.
        unix_ms: i64,
    },
    /// A gap too long for the duration of the sample before it.
    #[error(
        "the gap of {gap_s:.3} s before piece {piece}, fragment {fragment} is longer than one \
         video sample can last in a progressive MP4 (about 13 h 15 min); make separate working \
         copies before and after it"
    )]
    GapTooLong {
        /// The piece's index.
        piece: usize,
        /// The fragment's index within the piece.
        fragment: usize,
        /// The gap in seconds.
        gap_s: f64,
    },
    /// Decode times passed 2⁶⁴ ticks.
    #[error("decode times overflow 64 bits at piece {piece}, fragment {fragment}")]
    TimeOverflow {
        /// The piece's index.
        piece: usize,
        /// The fragment's index within the piece.
        fragment: usize,
    },
    /// More video samples than [`MAX_VIDEO_SAMPLES`].
    #[error("more than {MAX_VIDEO_SAMPLES} video samples: too many for one working copy")]
    TooManySamples,
    /// A label too long or holding control characters.
    #[error(
        "the {which} label is {len_bytes} bytes long or holds control characters; it must be \
         at most {MAX_LABEL_BYTES} bytes of printable text"
    )]
    BadLabel {
        /// Which label: "time zone" or "camera".
        which: &'static str,
        /// Its length in bytes.
        len_bytes: usize,
    },
    /// Writing to `out` failed.
    #[error("writing the working copy failed: {0}")]
    Io(#[from] std::io::Error),
    /// A file given as a working copy is not one this module can read.
    #[error("not a working copy this module can read: {0}")]
    NotAWorkingCopy(String),
    /// An init segment or fragments given for listing cannot be read.
    #[error("the init segment or fragments cannot be read: {0}")]
    Read(#[source] ReadError),
}

// ---------------------------------------------------------------------------------------
// Planning: where each fragment goes on the timeline.
// ---------------------------------------------------------------------------------------

/// The video track of an init segment: its sample entry and presentation size.
struct InitTrack<'a> {
    codec: Codec,
    width: u16,
    height: u16,
    sample_entry: &'a [u8],
    /// `tkhd` width and height, 16.16 fixed point.
    presentation: (u32, u32),
}

impl InitTrack<'_> {
    fn describe(&self) -> String {
        let codec = match self.codec {
            Codec::H264 => "H.264",
            Codec::H265 => "H.265",
        };
        format!("{codec} {}×{}", self.width, self.height)
    }
}

/// The child of type `fourcc` of a container box.
fn child<'a>(
    parent: &BoxRef<'a>,
    skip: usize,
    fourcc: &'static str,
) -> Result<BoxRef<'a>, ReadError> {
    for c in parent.children_after(skip) {
        let c = c?;
        if c.fourcc.0 == fourcc.as_bytes() {
            return Ok(c);
        }
    }
    Err(ReadError::Missing {
        parent: parent.fourcc,
        offset: parent.offset,
        child: fourcc,
    })
}

/// Reads the video track of an init segment (already checked by [`parse_init`]).
fn init_track(init: &[u8]) -> Result<InitTrack<'_>, ReadError> {
    let info = parse_init(init)?;
    let mut moov = None;
    for b in boxes(init) {
        let b = b?;
        if b.fourcc.0 == *b"moov" {
            moov = Some(b);
            break;
        }
    }
    let moov = moov.ok_or(ReadError::TruncatedHeader { offset: 0 })?;
    let trak = child(&moov, 0, "trak")?;
    let tkhd = child(&trak, 0, "tkhd")?;
    let p = tkhd.payload();
    let at = if p.first() == Some(&1) { 88 } else { 76 };
    let presentation = match (read_u32(p, at), read_u32(p, at + 4)) {
        (Some(w), Some(h)) => (w, h),
        _ => {
            return Err(ReadError::TooShort {
                fourcc: tkhd.fourcc,
                offset: tkhd.offset,
            });
        }
    };
    let stsd = child(
        &child(&child(&child(&trak, 0, "mdia")?, 0, "minf")?, 0, "stbl")?,
        0,
        "stsd",
    )?;
    let entry = stsd.children_after(8).next().ok_or(ReadError::Missing {
        parent: stsd.fourcc,
        offset: stsd.offset,
        child: "avc1 or hvc1",
    })??;
    Ok(InitTrack {
        codec: info.codec,
        width: info.width,
        height: info.height,
        sample_entry: entry.bytes(),
        presentation,
    })
}

fn read_u32(data: &[u8], at: usize) -> Option<u32> {
    let bytes: [u8; 4] = data.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_be_bytes(bytes))
}

/// The video track a plan keeps: [`InitTrack`] with its sample entry copied, so that a plan
/// outlives the init segments it was made from.
struct PlanTrack {
    codec: Codec,
    sample_entry: Vec<u8>,
    presentation: (u32, u32),
    described: String,
}

/// One fragment placed on the working copy's timeline.
struct Placed<D> {
    /// Where the samples are, back to back (the fragment's `mdat` payload): the bytes
    /// themselves, or a handle the writer resolves ([`Planner`]).
    data: D,
    /// How many bytes that is.
    data_len: u64,
    /// The samples; offsets are within the fragment slice, `data` starts at the first.
    samples: Vec<SampleLocation>,
    /// Where the fragment's first sample decodes in the working copy.
    start_90k: u64,
    /// The sum of its stored sample durations.
    duration_90k: u64,
    /// Added to its last sample's duration to cover the gap after it.
    extra_90k: u32,
    /// The wall-clock time at `start_90k`, in 90 kHz ticks since the Unix epoch.
    wall_anchor_90k: i128,
}

impl<D> Placed<D> {
    fn end_90k(&self) -> u64 {
        // Checked when placed.
        self.start_90k.saturating_add(self.duration_90k)
    }
}

/// Every fragment of every piece, placed on one timeline.
struct Plan<D> {
    track: PlanTrack,
    start_unix_ms: i64,
    fragments: Vec<Placed<D>>,
    gaps: u64,
}

/// Plans a working copy one fragment at a time, keeping each fragment's sample table and a
/// handle `D` to where its samples' bytes are rather than the bytes, so that footage of
/// any length is remuxed in memory proportional to its number of samples, not its size.
/// [`write_planned`] then writes the file, asking for each fragment's bytes in turn.
///
/// Pieces are started with [`Planner::start_piece`] (an init segment) and their fragments
/// added in order with [`Planner::add_fragment`]; every check of [`write_progressive`]
/// applies, with pieces and fragments numbered as added.
pub struct Planner<D> {
    track: Option<PlanTrack>,
    placed: Vec<Placed<D>>,
    first_wall_ms: Option<i64>,
    recorded_end: Option<u64>,
    gaps: u64,
    sample_count: usize,
    /// The current piece's number, once one is started.
    piece: Option<usize>,
    /// Fragments added to the current piece.
    fragment: usize,
}

impl<D> Default for Planner<D> {
    fn default() -> Self {
        Self {
            track: None,
            placed: Vec::new(),
            first_wall_ms: None,
            recorded_end: None,
            gaps: 0,
            sample_count: 0,
            piece: None,
            fragment: 0,
        }
    }
}

impl<D> Planner<D> {
    /// An empty plan.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a piece: the fragments added next were made with `init`, whose codec
    /// configuration must be the first piece's.
    pub fn start_piece(&mut self, init: &[u8]) -> Result<(), RemuxError> {
        let p = self.piece.map_or(0, |p| p + 1);
        self.piece = Some(p);
        self.fragment = 0;
        let this = init_track(init).map_err(|source| RemuxError::Init { piece: p, source })?;
        match &self.track {
            None => {
                self.track = Some(PlanTrack {
                    codec: this.codec,
                    sample_entry: this.sample_entry.to_vec(),
                    presentation: this.presentation,
                    described: this.describe(),
                });
            }
            Some(first) if first.sample_entry != this.sample_entry => {
                let (was, mut now) = (first.described.clone(), this.describe());
                if was == now {
                    now.push_str(", other parameter sets");
                }
                return Err(RemuxError::ConfigurationChanged { piece: p, was, now });
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// Adds the next fragment of the current piece: `bytes` holds exactly one `moof` and
    /// its `mdat`, whose first sample was captured at `wall_ms` (ms since the Unix epoch).
    /// `data` is given the fragment and the byte range of its samples within it, and
    /// returns what [`write_planned`] will be given to write those bytes.
    pub fn add_fragment<'b>(
        &mut self,
        bytes: &'b [u8],
        wall_ms: i64,
        data: impl FnOnce(&'b [u8], std::ops::Range<usize>) -> D,
    ) -> Result<(), RemuxError> {
        let Some(p) = self.piece else {
            return Err(RemuxError::NoFragments);
        };
        let f = self.fragment;
        self.fragment += 1;
        if !(0..=MAX_WALL_MS).contains(&wall_ms) {
            return Err(RemuxError::BadWallClock {
                piece: p,
                fragment: f,
                unix_ms: wall_ms,
            });
        }
        let mut found = fragments(bytes);
        let info = match found.next() {
            None => {
                return Err(RemuxError::NotOneFragment {
                    piece: p,
                    fragment: f,
                    found: "none",
                });
            }
            Some(Err(source)) => {
                return Err(RemuxError::Fragment {
                    piece: p,
                    fragment: f,
                    source,
                });
            }
            Some(Ok(info)) => info,
        };
        if found.next().is_some() {
            return Err(RemuxError::NotOneFragment {
                piece: p,
                fragment: f,
                found: "more than one",
            });
        }
        let (Some(first), Some(last)) = (info.samples.first(), info.samples.last()) else {
            return Err(RemuxError::EmptyFragment {
                piece: p,
                fragment: f,
            });
        };
        self.sample_count = self.sample_count.saturating_add(info.samples.len());
        if self.sample_count > MAX_VIDEO_SAMPLES {
            return Err(RemuxError::TooManySamples);
        }
        let range = usize::try_from(first.offset)
            .ok()
            .zip(usize::try_from(last.offset + u64::from(last.len_bytes)).ok())
            .filter(|(from, to)| from <= to && *to <= bytes.len())
            .map(|(from, to)| from..to)
            .ok_or(RemuxError::EmptyFragment {
                piece: p,
                fragment: f,
            })?;
        let first_wall_ms = *self.first_wall_ms.get_or_insert(wall_ms);
        let wall_90k = i128::from(wall_ms) * i128::from(TIMESCALE_90K) / 1000;

        let recorded_end = self.recorded_end;
        let (start_90k, wall_anchor_90k) = match self.placed.last_mut() {
            None => (0, wall_90k),
            Some(prev) => {
                let prev_end = prev.end_90k();
                let start = if recorded_end == Some(info.base_decode_time_90k) {
                    prev_end
                } else {
                    let offset_ms = u64::try_from(wall_ms - first_wall_ms).unwrap_or(0);
                    (offset_ms * 90).max(prev_end)
                };
                let gap = start - prev_end;
                if gap > 0 {
                    self.gaps += 1;
                    let last_duration = prev.samples.last().map_or(0, |s| s.duration_90k);
                    prev.extra_90k = u32::try_from(gap)
                        .ok()
                        .filter(|g| last_duration.checked_add(*g).is_some())
                        .ok_or(RemuxError::GapTooLong {
                            piece: p,
                            fragment: f,
                            gap_s: gap as f64 / f64::from(TIMESCALE_90K),
                        })?;
                    (start, wall_90k)
                } else {
                    // Continuous footage: the time shown never runs backwards.
                    let carried = prev.wall_anchor_90k + i128::from(prev.duration_90k);
                    (start, wall_90k.max(carried))
                }
            }
        };
        start_90k
            .checked_add(info.duration_90k)
            .ok_or(RemuxError::TimeOverflow {
                piece: p,
                fragment: f,
            })?;
        self.recorded_end = info.base_decode_time_90k.checked_add(info.duration_90k);
        let data_len = (range.end - range.start) as u64;
        self.placed.push(Placed {
            data: data(bytes, range),
            data_len,
            samples: info.samples,
            start_90k,
            duration_90k: info.duration_90k,
            extra_90k: 0,
            wall_anchor_90k,
        });
        Ok(())
    }

    fn finish(self) -> Result<Plan<D>, RemuxError> {
        let (Some(track), Some(start_unix_ms)) = (self.track, self.first_wall_ms) else {
            return Err(RemuxError::NoFragments);
        };
        Ok(Plan {
            track,
            start_unix_ms,
            fragments: self.placed,
            gaps: self.gaps,
        })
    }
}

fn plan<'a>(pieces: &[Piece<'a>]) -> Result<Plan<&'a [u8]>, RemuxError> {
    let mut planner = Planner::new();
    for piece in pieces {
        planner.start_piece(piece.init)?;
        for &(bytes, wall_ms) in &piece.fragments {
            planner.add_fragment(bytes, wall_ms, |b, r| b.get(r).unwrap_or_default())?;
        }
    }
    planner.finish()
}

// ---------------------------------------------------------------------------------------
// Sample tables.
// ---------------------------------------------------------------------------------------

/// One track's sample table, before chunk offsets are made absolute.
#[derive(Debug, Default)]
struct Tables {
    sizes: Vec<u32>,
    durations: Vec<u32>,
    /// Composition offsets; empty when all are 0.
    composition: Vec<i32>,
    /// 1-based numbers of the sync samples; `None` when every sample is one.
    sync: Option<Vec<u32>>,
    chunk_samples: Vec<u32>,
    /// Chunk offsets from the start of the `mdat` payload.
    chunk_offsets: Vec<u64>,
}

impl Tables {
    fn duration_90k(&self) -> u64 {
        self.durations.iter().map(|&d| u64::from(d)).sum()
    }
}

fn video_tables<D>(plan: &Plan<D>) -> Tables {
    let count: usize = plan.fragments.iter().map(|f| f.samples.len()).sum();
    let mut t = Tables {
        sizes: Vec::with_capacity(count),
        durations: Vec::with_capacity(count),
        ..Tables::default()
    };
    let any_composition = plan
        .fragments
        .iter()
        .flat_map(|f| &f.samples)
        .any(|s| s.composition_offset_90k != 0);
    let all_sync = plan
        .fragments
        .iter()
        .flat_map(|f| &f.samples)
        .all(|s| s.is_sync);
    let mut sync = Vec::new();
    for f in &plan.fragments {
        let n = f.samples.len();
        for (i, s) in f.samples.iter().enumerate() {
            t.sizes.push(s.len_bytes);
            let extra = if i + 1 == n { f.extra_90k } else { 0 };
            // The plan checked that the last duration and the gap add up within 32 bits.
            t.durations.push(s.duration_90k.saturating_add(extra));
            if any_composition {
                t.composition.push(s.composition_offset_90k);
            }
            if s.is_sync && !all_sync {
                // At most MAX_VIDEO_SAMPLES, so the number fits.
                sync.push(t.sizes.len() as u32);
            }
        }
        t.chunk_samples.push(n as u32);
    }
    t.sync = (!all_sync).then_some(sync);
    t
}

/// One subtitle sample: a second of wall-clock time, or an empty stretch over a gap.
struct Cue {
    duration_90k: u64,
    /// The Unix second shown; `None` for an empty sample.
    second: Option<i64>,
    /// The fragment after whose video the sample is stored.
    fragment: usize,
}

/// One cue per second of wall-clock time covered, none across gaps.
fn cues<D>(plan: &Plan<D>) -> Vec<Cue> {
    let mut cues: Vec<Cue> = Vec::new();
    let mut text_end = 0u64;
    for (k, f) in plan.fragments.iter().enumerate() {
        if f.start_90k > text_end {
            cues.push(Cue {
                duration_90k: f.start_90k - text_end,
                second: None,
                fragment: k,
            });
        }
        let end = f.end_90k();
        let mut t = f.start_90k;
        while t < end {
            let wall = f.wall_anchor_90k + i128::from(t - f.start_90k);
            let second = wall.div_euclid(TICKS_PER_S);
            // The next whole second is after `t`, so every cue lasts at least one tick.
            let next = i128::from(f.start_90k) + (second + 1) * TICKS_PER_S - f.wall_anchor_90k;
            let cue_end = u64::try_from(next).map_or(end, |n| n.min(end));
            let duration = cue_end - t;
            // Wall-clock times are checked to lie in the years 1970 to 9999.
            let second = i64::try_from(second).unwrap_or(i64::MAX);
            match cues.last_mut() {
                Some(c) if c.second == Some(second) && t == text_end => c.duration_90k += duration,
                _ => cues.push(Cue {
                    duration_90k: duration,
                    second: Some(second),
                    fragment: k,
                }),
            }
            t = cue_end;
            text_end = cue_end;
        }
    }
    cues
}

/// The text of the cue for a Unix second.
fn cue_text(second: i64, opts: &RemuxOptions) -> String {
    let offset_min = i64::from((opts.utc_offset_minutes)(second.saturating_mul(1000)));
    let mut text = civil_time(second.saturating_add(offset_min * 60));
    if !opts.time_zone_label.is_empty() {
        text.push(' ');
        text.push_str(&opts.time_zone_label);
    }
    if !opts.camera_label.is_empty() {
        text.push_str(" · ");
        text.push_str(&opts.camera_label);
    }
    text
}

/// The text samples stored after one fragment's video: a byte range of the text data.
#[derive(Debug, Clone, Copy)]
struct TextChunk {
    from: usize,
    to: usize,
    samples: u32,
}

/// The subtitle track: its table, its samples' bytes and each fragment's text chunk.
struct TextTrack {
    tables: Tables,
    data: Vec<u8>,
    chunks: Vec<Option<TextChunk>>,
    cues_with_text: u64,
}

/// The text track's table and data.
fn text_tables<D>(plan: &Plan<D>, opts: &RemuxOptions) -> Result<TextTrack, RemuxError> {
    let cues = cues(plan);
    let mut t = Tables::default();
    let mut data = Vec::new();
    let mut chunks: Vec<Option<TextChunk>> = vec![None; plan.fragments.len()];
    let mut with_text = 0u64;
    for c in &cues {
        let start = data.len();
        match c.second {
            Some(s) => {
                let text = cue_text(s, opts);
                // Labels are at most MAX_LABEL_BYTES each, so the text fits 16 bits.
                data.extend_from_slice(&(text.len() as u16).to_be_bytes());
                data.extend_from_slice(text.as_bytes());
                with_text += 1;
            }
            None => data.extend_from_slice(&[0, 0]),
        }
        t.sizes.push((data.len() - start) as u32);
        t.durations.push(
            u32::try_from(c.duration_90k).map_err(|_| RemuxError::GapTooLong {
                piece: 0,
                fragment: c.fragment,
                gap_s: c.duration_90k as f64 / f64::from(TIMESCALE_90K),
            })?,
        );
        if let Some(chunk) = chunks.get_mut(c.fragment) {
            let c = chunk.get_or_insert(TextChunk {
                from: start,
                to: start,
                samples: 0,
            });
            c.to = data.len();
            c.samples += 1;
        }
    }
    t.chunk_samples = chunks.iter().flatten().map(|c| c.samples).collect();
    Ok(TextTrack {
        tables: t,
        data,
        chunks,
        cues_with_text: with_text,
    })
}

// ---------------------------------------------------------------------------------------
// Writing boxes.
// ---------------------------------------------------------------------------------------

fn put_box(o: &mut Vec<u8>, fourcc: &[u8; 4], body: impl FnOnce(&mut Vec<u8>)) {
    let start = o.len();
    o.extend_from_slice(&[0; 4]);
    o.extend_from_slice(fourcc);
    body(o);
    // A box of 4 GiB or more gets size 0, which no reader accepts; the moov's length is
    // checked once built, and every box in it is smaller than it.
    let size = u32::try_from(o.len() - start).unwrap_or(0);
    o[start..start + 4].copy_from_slice(&size.to_be_bytes());
}

fn put_full_box(
    o: &mut Vec<u8>,
    fourcc: &[u8; 4],
    version: u8,
    flags: u32,
    body: impl FnOnce(&mut Vec<u8>),
) {
    put_box(o, fourcc, |o| {
        o.extend_from_slice(&(u32::from(version) << 24 | (flags & 0x00ff_ffff)).to_be_bytes());
        body(o);
    });
}

fn put_u16(o: &mut Vec<u8>, v: u16) {
    o.extend_from_slice(&v.to_be_bytes());
}

fn put_u32(o: &mut Vec<u8>, v: u32) {
    o.extend_from_slice(&v.to_be_bytes());
}

fn put_u64(o: &mut Vec<u8>, v: u64) {
    o.extend_from_slice(&v.to_be_bytes());
}

fn put_unity_matrix(o: &mut Vec<u8>) {
    for v in [0x0001_0000u32, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000] {
        put_u32(o, v);
    }
}

fn ftyp(codec: Codec) -> Vec<u8> {
    let mut o = Vec::with_capacity(32);
    put_box(&mut o, b"ftyp", |o| {
        o.extend_from_slice(b"isom");
        put_u32(o, 0x200);
        o.extend_from_slice(b"isomiso2");
        if codec == Codec::H264 {
            o.extend_from_slice(b"avc1");
        }
        o.extend_from_slice(b"mp41");
    });
    o
}

fn mdat_header(payload_len: u64) -> Vec<u8> {
    let mut o = Vec::with_capacity(16);
    match u32::try_from(payload_len + 8) {
        Ok(size) => put_u32(&mut o, size),
        Err(_) => {
            put_u32(&mut o, 1);
            o.extend_from_slice(b"mdat");
            put_u64(&mut o, payload_len + 16);
            return o;
        }
    }
    o.extend_from_slice(b"mdat");
    o
}

/// What the `moov` needs besides the two tables.
struct MovieHeader {
    codec_entry: Vec<u8>,
    presentation: (u32, u32),
    creation_mp4_s: u64,
    duration_90k: u64,
}

/// The text track's `tx3g` sample entry (3GPP TS 26.245): centred at the bottom, white
/// Arial of size 16 on a transparent background (so no picture is hidden). Arial 16 is the
/// default style of FFmpeg's subtitle conversions, so subtitles converted from a working
/// copy (to SRT, for instance) carry no font markup.
fn tx3g_entry() -> Vec<u8> {
    let mut o = Vec::with_capacity(64);
    put_box(&mut o, b"tx3g", |o| {
        o.extend_from_slice(&[0; 6]); // reserved
        put_u16(o, 1); // data_reference_index
        put_u32(o, 0); // displayFlags
        o.push(1); // horizontal-justification: centre
        o.push(0xff); // vertical-justification: bottom (-1)
        o.extend_from_slice(&[0, 0, 0, 0]); // background-color-rgba
        o.extend_from_slice(&[0; 8]); // default-text-box: top, left, bottom, right
        put_u16(o, 0); // startChar
        put_u16(o, 0); // endChar
        put_u16(o, 1); // font-ID
        o.push(0); // face-style-flags
        o.push(16); // font-size
        o.extend_from_slice(&[0xff, 0xff, 0xff, 0xff]); // text-color-rgba
        put_box(o, b"ftab", |o| {
            put_u16(o, 1); // entry-count
            put_u16(o, 1); // font-ID
            let name = b"Arial";
            o.push(name.len() as u8);
            o.extend_from_slice(name);
        });
    });
    o
}

/// Run-length (count, value) pairs.
fn runs<T: PartialEq + Copy>(values: &[T]) -> Vec<(u32, T)> {
    let mut out: Vec<(u32, T)> = Vec::new();
    for &v in values {
        match out.last_mut() {
            Some((n, last)) if *last == v => *n += 1,
            _ => out.push((1, v)),
        }
    }
    out
}

fn put_stbl(o: &mut Vec<u8>, entry: &[u8], t: &Tables, base: u64, co64: bool) {
    put_box(o, b"stbl", |o| {
        put_full_box(o, b"stsd", 0, 0, |o| {
            put_u32(o, 1);
            o.extend_from_slice(entry);
        });
        let stts = runs(&t.durations);
        put_full_box(o, b"stts", 0, 0, |o| {
            put_u32(o, stts.len() as u32);
            for (n, d) in stts {
                put_u32(o, n);
                put_u32(o, d);
            }
        });
        if !t.composition.is_empty() {
            let ctts = runs(&t.composition);
            let version = u8::from(t.composition.iter().any(|&c| c < 0));
            put_full_box(o, b"ctts", version, 0, |o| {
                put_u32(o, ctts.len() as u32);
                for (n, c) in ctts {
                    put_u32(o, n);
                    o.extend_from_slice(&c.to_be_bytes());
                }
            });
        }
        if let Some(sync) = &t.sync {
            put_full_box(o, b"stss", 0, 0, |o| {
                put_u32(o, sync.len() as u32);
                for &s in sync {
                    put_u32(o, s);
                }
            });
        }
        put_full_box(o, b"stsz", 0, 0, |o| {
            let uniform = t
                .sizes
                .first()
                .filter(|&&s| t.sizes.iter().all(|&x| x == s));
            put_u32(o, uniform.copied().unwrap_or(0));
            put_u32(o, t.sizes.len() as u32);
            if uniform.is_none() {
                for &s in &t.sizes {
                    put_u32(o, s);
                }
            }
        });
        let stsc = runs(&t.chunk_samples);
        put_full_box(o, b"stsc", 0, 0, |o| {
            put_u32(o, stsc.len() as u32);
            let mut first_chunk = 1u32;
            for (n, per_chunk) in stsc {
                put_u32(o, first_chunk);
                put_u32(o, per_chunk);
                put_u32(o, 1); // sample_description_index
                first_chunk += n;
            }
        });
        put_full_box(o, if co64 { b"co64" } else { b"stco" }, 0, 0, |o| {
            put_u32(o, t.chunk_offsets.len() as u32);
            for &rel in &t.chunk_offsets {
                let at = base + rel;
                if co64 {
                    put_u64(o, at);
                } else {
                    // Only chosen when every offset fits 32 bits.
                    put_u32(o, at as u32);
                }
            }
        });
    });
}

fn put_dinf(o: &mut Vec<u8>) {
    put_box(o, b"dinf", |o| {
        put_full_box(o, b"dref", 0, 0, |o| {
            put_u32(o, 1);
            put_full_box(o, b"url ", 0, 1, |_| {});
        });
    });
}

#[allow(clippy::too_many_arguments)]
fn put_trak(
    o: &mut Vec<u8>,
    h: &MovieHeader,
    track_id: u32,
    layer: i16,
    duration_90k: u64,
    language: u16,
    handler: &[u8; 4],
    handler_name: &[u8],
    media_header: impl FnOnce(&mut Vec<u8>),
    stbl: impl FnOnce(&mut Vec<u8>),
) {
    put_box(o, b"trak", |o| {
        // Flags 3: track_enabled | track_in_movie.
        put_full_box(o, b"tkhd", 1, 3, |o| {
            put_u64(o, h.creation_mp4_s);
            put_u64(o, h.creation_mp4_s);
            put_u32(o, track_id);
            put_u32(o, 0); // reserved
            put_u64(o, duration_90k);
            o.extend_from_slice(&[0; 8]); // reserved
            o.extend_from_slice(&layer.to_be_bytes());
            put_u16(o, 0); // alternate_group
            put_u16(o, 0); // volume
            put_u16(o, 0); // reserved
            put_unity_matrix(o);
            put_u32(o, h.presentation.0);
            put_u32(o, h.presentation.1);
        });
        put_box(o, b"mdia", |o| {
            put_full_box(o, b"mdhd", 1, 0, |o| {
                put_u64(o, h.creation_mp4_s);
                put_u64(o, h.creation_mp4_s);
                put_u32(o, TIMESCALE_90K);
                put_u64(o, duration_90k);
                put_u16(o, language);
                put_u16(o, 0); // pre_defined
            });
            put_full_box(o, b"hdlr", 0, 0, |o| {
                put_u32(o, 0); // pre_defined
                o.extend_from_slice(handler);
                o.extend_from_slice(&[0; 12]); // reserved
                o.extend_from_slice(handler_name);
                o.push(0);
            });
            put_box(o, b"minf", |o| {
                media_header(o);
                put_dinf(o);
                stbl(o);
            });
        });
    });
}

/// ISO 639-2/T codes packed as three 5-bit letters.
const LANGUAGE_UND: u16 = 0x55c4;
const LANGUAGE_ENG: u16 = 0x15c7;

fn build_moov(h: &MovieHeader, video: &Tables, text: &Tables, base: u64, co64: bool) -> Vec<u8> {
    let mut o = Vec::with_capacity(
        1024 + h.codec_entry.len() + video.sizes.len() * 8 + text.sizes.len() * 12,
    );
    put_box(&mut o, b"moov", |o| {
        put_full_box(o, b"mvhd", 1, 0, |o| {
            put_u64(o, h.creation_mp4_s);
            put_u64(o, h.creation_mp4_s);
            put_u32(o, TIMESCALE_90K);
            put_u64(o, h.duration_90k);
            put_u32(o, 0x0001_0000); // rate 1.0
            put_u16(o, 0x0100); // volume 1.0
            o.extend_from_slice(&[0; 10]); // reserved
            put_unity_matrix(o);
            o.extend_from_slice(&[0; 24]); // pre_defined
            put_u32(o, TEXT_TRACK_ID + 1); // next_track_ID
        });
        put_trak(
            o,
            h,
            VIDEO_TRACK_ID,
            0,
            video.duration_90k(),
            LANGUAGE_UND,
            b"vide",
            b"Video",
            |o| {
                put_full_box(o, b"vmhd", 0, 1, |o| o.extend_from_slice(&[0; 8]));
            },
            |o| put_stbl(o, &h.codec_entry, video, base, co64),
        );
        put_trak(
            o,
            h,
            TEXT_TRACK_ID,
            -1,
            text.duration_90k(),
            LANGUAGE_ENG,
            b"sbtl",
            b"Wall-clock time",
            |o| put_full_box(o, b"nmhd", 0, 0, |_| {}),
            |o| put_stbl(o, &tx3g_entry(), text, base, co64),
        );
    });
    o
}

/// What comes before the media data: `ftyp`, `moov` and the `mdat` header.
struct Headers {
    ftyp: Vec<u8>,
    moov: Vec<u8>,
    mdat: Vec<u8>,
}

/// The file's header boxes, with absolute chunk offsets in the `moov`, for a payload of
/// `payload_len` bytes laid out as the tables' chunk offsets say.
fn layout(
    h: &MovieHeader,
    codec: Codec,
    video: &Tables,
    text: &Tables,
    payload_len: u64,
) -> Result<Headers, RemuxError> {
    let ftyp = ftyp(codec);
    let mdat = mdat_header(payload_len);
    let last_rel = video
        .chunk_offsets
        .iter()
        .chain(&text.chunk_offsets)
        .copied()
        .max()
        .unwrap_or(0);
    let base_with = |moov_len: usize| (ftyp.len() + moov_len + mdat.len()) as u64;
    // Sizes do not depend on the offsets' values, only on their width.
    let base = base_with(build_moov(h, video, text, 0, false).len());
    let (base, co64) = if base + last_rel > u64::from(u32::MAX) {
        (base_with(build_moov(h, video, text, 0, true).len()), true)
    } else {
        (base, false)
    };
    let moov = build_moov(h, video, text, base, co64);
    if u32::try_from(moov.len()).is_err() {
        return Err(RemuxError::TooManySamples);
    }
    Ok(Headers { ftyp, moov, mdat })
}

fn check_label(which: &'static str, label: &str) -> Result<(), RemuxError> {
    if label.len() > MAX_LABEL_BYTES || label.chars().any(char::is_control) {
        return Err(RemuxError::BadLabel {
            which,
            len_bytes: label.len(),
        });
    }
    Ok(())
}

/// Writes a progressive MP4 working copy of `pieces` to `out` (see the module
/// documentation for the layout, the timeline and what is refused), streaming the video
/// samples from the fragment slices. `out` is written in a few small and one large write
/// per fragment: give it a buffered writer for files. Every input is checked before the
/// first byte is written, so only a failing `out` can leave part of a file behind.
pub fn write_progressive(
    pieces: &[Piece<'_>],
    opts: &RemuxOptions,
    out: &mut impl Write,
) -> Result<RemuxSummary, RemuxError> {
    check_label("time zone", &opts.time_zone_label)?;
    check_label("camera", &opts.camera_label)?;
    write_plan(plan(pieces)?, opts, out, |data: &&[u8], o| {
        o.write_all(data)
    })
}

/// Writes the working copy `planner` planned to `out`, as [`write_progressive`] does, with
/// each fragment's samples written by `samples` from the handle given when the fragment
/// was added: it must write exactly the bytes the fragment held there, and a different
/// count is an error. Inputs are checked as they were added, labels before the first byte.
pub fn write_planned<D>(
    planner: Planner<D>,
    opts: &RemuxOptions,
    out: &mut impl Write,
    samples: impl FnMut(&D, &mut dyn Write) -> std::io::Result<()>,
) -> Result<RemuxSummary, RemuxError> {
    check_label("time zone", &opts.time_zone_label)?;
    check_label("camera", &opts.camera_label)?;
    write_plan(planner.finish()?, opts, out, samples)
}

/// Counts the bytes written through it.
struct Counting<'w, W: Write> {
    inner: &'w mut W,
    bytes: u64,
}

impl<W: Write> Write for Counting<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.inner.write_all(buf)?;
        self.bytes += buf.len() as u64;
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn write_plan<D>(
    plan: Plan<D>,
    opts: &RemuxOptions,
    out: &mut impl Write,
    mut samples: impl FnMut(&D, &mut dyn Write) -> std::io::Result<()>,
) -> Result<RemuxSummary, RemuxError> {
    let mut video = video_tables(&plan);
    let TextTrack {
        tables: mut text,
        data: text_data,
        chunks: text_chunks,
        cues_with_text: subtitle_cues,
    } = text_tables(&plan, opts)?;

    // The payload: each fragment's video chunk, then its text chunk.
    let mut rel = 0u64;
    for (f, chunk) in plan.fragments.iter().zip(&text_chunks) {
        video.chunk_offsets.push(rel);
        rel += f.data_len;
        if let Some(c) = chunk {
            text.chunk_offsets.push(rel);
            rel += (c.to - c.from) as u64;
        }
    }
    let payload_len = rel;

    let start_s = plan.start_unix_ms.div_euclid(1000);
    let header = MovieHeader {
        codec_entry: plan.track.sample_entry.clone(),
        presentation: plan.track.presentation,
        creation_mp4_s: u64::try_from(start_s).unwrap_or(0) + MP4_EPOCH_OFFSET_S,
        duration_90k: video.duration_90k().max(text.duration_90k()),
    };
    let Headers { ftyp, moov, mdat } =
        layout(&header, plan.track.codec, &video, &text, payload_len)?;
    out.write_all(&ftyp)?;
    out.write_all(&moov)?;
    out.write_all(&mdat)?;
    for (k, (f, chunk)) in plan.fragments.iter().zip(&text_chunks).enumerate() {
        let mut counted = Counting {
            inner: &mut *out,
            bytes: 0,
        };
        samples(&f.data, &mut counted)?;
        if counted.bytes != f.data_len {
            return Err(RemuxError::Io(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "fragment {k}: {} bytes of samples were written where it holds {}",
                    counted.bytes, f.data_len
                ),
            )));
        }
        if let Some(bytes) = chunk.and_then(|c| text_data.get(c.from..c.to)) {
            out.write_all(bytes)?;
        }
    }
    out.flush()?;

    Ok(RemuxSummary {
        video_samples: video.sizes.len() as u64,
        sync_samples: video.sync.as_ref().map_or(video.sizes.len(), Vec::len) as u64,
        fragments: plan.fragments.len() as u64,
        gaps: plan.gaps,
        duration_90k: video.duration_90k(),
        subtitle_cues,
        start_unix_ms: plan.start_unix_ms,
        bytes_written: (ftyp.len() + moov.len() + mdat.len()) as u64 + payload_len,
    })
}

// ---------------------------------------------------------------------------------------
// Listing samples.
// ---------------------------------------------------------------------------------------

/// The video samples `pieces` will have in a working copy: the fragments' samples with the
/// decode times [`write_progressive`] gives them (see the module documentation). Equal to
/// [`progressive_video_samples`] of the working copy made from the same pieces.
pub fn pieces_video_samples<'a>(pieces: &[Piece<'a>]) -> Result<VideoSamples<'a>, RemuxError> {
    let plan = plan(pieces)?;
    let mut samples = Vec::new();
    for f in &plan.fragments {
        let Some(base) = f.samples.first() else {
            continue;
        };
        let mut at = 0usize;
        for s in &f.samples {
            let len = s.len_bytes as usize;
            let data = f.data.get(at..at + len).unwrap_or_default();
            at += len;
            samples.push(SampleRef {
                data,
                decode_time_90k: f.start_90k + (s.decode_time_90k - base.decode_time_90k),
                composition_offset_90k: s.composition_offset_90k,
                is_sync: s.is_sync,
            });
        }
    }
    let first = pieces.first().ok_or(RemuxError::NoFragments)?;
    let sample_entry = init_track(first.init)
        .map_err(|source| RemuxError::Init { piece: 0, source })?
        .sample_entry;
    Ok(VideoSamples {
        sample_entry,
        samples,
    })
}

/// The video samples of an init segment and fragments (a segment, a reassembled range, or
/// a whole recording with its init segment in front), with decode times counted from the
/// first fragment's. These equal the working copy's when the fragments' decode times
/// already follow the wall clock across gaps, as in a range reassembled by the store; for
/// pieces with restarted decode times compare with [`pieces_video_samples`].
pub fn fragment_video_samples<'a>(
    init: &'a [u8],
    fragment_bytes: &'a [u8],
) -> Result<VideoSamples<'a>, RemuxError> {
    let track = init_track(init).map_err(RemuxError::Read)?;
    let mut samples = Vec::new();
    let mut first_base: Option<u64> = None;
    for f in fragments(fragment_bytes) {
        let f = f.map_err(RemuxError::Read)?;
        let base = *first_base.get_or_insert(f.base_decode_time_90k);
        for s in &f.samples {
            let data = usize::try_from(s.offset)
                .ok()
                .and_then(|at| fragment_bytes.get(at..at.checked_add(s.len_bytes as usize)?))
                .unwrap_or_default();
            let decode_time_90k = s.decode_time_90k.checked_sub(base).ok_or_else(|| {
                RemuxError::Read(ReadError::Invalid {
                    fourcc: FourCc(*b"tfdt"),
                    offset: f.offset,
                    problem: "the fragment decodes before the first fragment".to_string(),
                })
            })?;
            samples.push(SampleRef {
                data,
                decode_time_90k,
                composition_offset_90k: s.composition_offset_90k,
                is_sync: s.is_sync,
            });
        }
    }
    Ok(VideoSamples {
        sample_entry: track.sample_entry,
        samples,
    })
}

/// Big-endian fields of a box body, with errors naming the box.
struct Fields<'a> {
    data: &'a [u8],
    pos: usize,
    fourcc: FourCc,
    offset: u64,
}

impl<'a> Fields<'a> {
    fn full_box(b: &BoxRef<'a>) -> Result<(u8, Self), RemuxError> {
        let mut f = Self {
            data: b.payload(),
            pos: 0,
            fourcc: b.fourcc,
            offset: b.offset,
        };
        let word = f.u32()?;
        Ok(((word >> 24) as u8, f))
    }

    fn problem(&self, what: impl fmt::Display) -> RemuxError {
        RemuxError::NotAWorkingCopy(format!(
            "box '{}' at byte {}: {what}",
            self.fourcc, self.offset
        ))
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], RemuxError> {
        let bytes = self
            .pos
            .checked_add(N)
            .and_then(|end| self.data.get(self.pos..end))
            .and_then(|b| <[u8; N]>::try_from(b).ok())
            .ok_or_else(|| self.problem("too short for its fields"))?;
        self.pos += N;
        Ok(bytes)
    }

    fn u32(&mut self) -> Result<u32, RemuxError> {
        self.take().map(u32::from_be_bytes)
    }

    fn u64(&mut self) -> Result<u64, RemuxError> {
        self.take().map(u64::from_be_bytes)
    }

    /// Reads an entry count and checks that that many entries of `entry_len` bytes follow.
    fn count(&mut self, entry_len: usize) -> Result<usize, RemuxError> {
        let n = self.u32()? as usize;
        let left = self.data.len().saturating_sub(self.pos);
        if n.checked_mul(entry_len) != Some(left) {
            return Err(self.problem(format!(
                "{n} entries of {entry_len} bytes do not fill its {left} bytes"
            )));
        }
        Ok(n)
    }
}

fn not_working_copy(what: impl Into<String>) -> RemuxError {
    RemuxError::NotAWorkingCopy(what.into())
}

fn find<'a>(parent: &BoxRef<'a>, fourcc: &'static str) -> Result<Option<BoxRef<'a>>, RemuxError> {
    let mut found = None;
    for c in parent.children() {
        let c = c.map_err(|e| not_working_copy(e.to_string()))?;
        if c.fourcc.0 == fourcc.as_bytes() {
            if found.is_some() {
                return Err(not_working_copy(format!(
                    "box '{}' at byte {} holds more than one {fourcc}",
                    parent.fourcc, parent.offset
                )));
            }
            found = Some(c);
        }
    }
    Ok(found)
}

fn need<'a>(parent: &BoxRef<'a>, fourcc: &'static str) -> Result<BoxRef<'a>, RemuxError> {
    find(parent, fourcc)?.ok_or_else(|| {
        not_working_copy(format!(
            "box '{}' at byte {} has no {fourcc}",
            parent.fourcc, parent.offset
        ))
    })
}

/// A sample found through a progressive file's sample table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Located {
    offset: u64,
    len_bytes: u32,
    decode_time_90k: u64,
    composition_offset_90k: i32,
    is_sync: bool,
}

/// Run-length entries (count, value), expanded one value at a time.
struct Runs<T> {
    entries: Vec<(u32, T)>,
    index: usize,
    used: u32,
}

impl<T: Copy> Runs<T> {
    fn new(entries: Vec<(u32, T)>) -> Self {
        Self {
            entries,
            index: 0,
            used: 0,
        }
    }

    fn next(&mut self) -> Option<T> {
        while let Some(&(n, v)) = self.entries.get(self.index) {
            if self.used < n {
                self.used += 1;
                return Some(v);
            }
            self.index += 1;
            self.used = 0;
        }
        None
    }

    /// Whether every entry has been used up.
    fn is_done(&mut self) -> bool {
        while let Some(&(n, _)) = self.entries.get(self.index) {
            if self.used < n {
                return false;
            }
            self.index += 1;
            self.used = 0;
        }
        true
    }
}

/// Reads a full box's table of `(count, value)` entries of 8 bytes.
fn run_table(b: &BoxRef<'_>) -> Result<(u8, Vec<(u32, u32)>), RemuxError> {
    let (version, mut f) = Fields::full_box(b)?;
    let n = f.count(8)?;
    let mut entries = Vec::with_capacity(n);
    for _ in 0..n {
        entries.push((f.u32()?, f.u32()?));
    }
    Ok((version, entries))
}

/// Reads a full box's table of 32-bit values.
fn u32_table(b: &BoxRef<'_>) -> Result<Vec<u32>, RemuxError> {
    let (_, mut f) = Fields::full_box(b)?;
    let n = f.count(4)?;
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        v.push(f.u32()?);
    }
    Ok(v)
}

/// The video track of a progressive `moov`: its sample entry and where its samples are, in
/// a file of `file_len` bytes. The track's chunks must follow one another without
/// overlapping and lie within the file, so the samples listed are at most one per byte.
fn video_track<'a>(
    moov: &BoxRef<'a>,
    file_len: u64,
) -> Result<(&'a [u8], Vec<Located>), RemuxError> {
    if find(moov, "mvex")?.is_some() {
        return Err(not_working_copy(
            "the moov has an mvex: this is a fragmented file",
        ));
    }
    let mut video = None;
    for trak in moov.children() {
        let trak = trak.map_err(|e| not_working_copy(e.to_string()))?;
        if trak.fourcc.0 != *b"trak" {
            continue;
        }
        let mdia = need(&trak, "mdia")?;
        let hdlr = need(&mdia, "hdlr")?;
        if hdlr.payload().get(8..12) == Some(b"vide") {
            if video.is_some() {
                return Err(not_working_copy("more than one video track"));
            }
            video = Some(mdia);
        }
    }
    let mdia = video.ok_or_else(|| not_working_copy("no video track"))?;

    let mdhd = need(&mdia, "mdhd")?;
    let (version, mut f) = Fields::full_box(&mdhd)?;
    let timescale = match version {
        0 => {
            f.take::<8>()?;
            f.u32()?
        }
        1 => {
            f.take::<16>()?;
            f.u32()?
        }
        v => return Err(f.problem(format!("version {v}"))),
    };
    if timescale != TIMESCALE_90K {
        return Err(f.problem(format!("timescale {timescale}, not {TIMESCALE_90K}")));
    }
    let stbl = need(&need(&mdia, "minf")?, "stbl")?;

    let stsd = need(&stbl, "stsd")?;
    let (_, mut f) = Fields::full_box(&stsd)?;
    if f.u32()? != 1 {
        return Err(f.problem("not exactly one sample entry"));
    }
    let entry = stsd
        .children_after(8)
        .next()
        .ok_or_else(|| f.problem("no sample entry"))?
        .map_err(|e| not_working_copy(e.to_string()))?;

    // stsz: the sample count and sizes (one size for all, or a table).
    let stsz = need(&stbl, "stsz")?;
    let (_, mut f) = Fields::full_box(&stsz)?;
    let uniform = f.u32()?;
    let (count, table) = if uniform == 0 {
        let n = f.count(4)?;
        let mut sizes = Vec::with_capacity(n);
        for _ in 0..n {
            sizes.push(f.u32()?);
        }
        (n, sizes)
    } else {
        (f.u32()? as usize, Vec::new())
    };
    let size_of = |i: usize| {
        if uniform == 0 {
            table.get(i).copied()
        } else {
            Some(uniform)
        }
    };
    let stsz_problem = f.problem(format!("lists {count} samples, more than its chunks hold"));

    let (_, durations) = run_table(&need(&stbl, "stts")?)?;
    let mut durations = Runs::new(durations);
    let mut composition = match find(&stbl, "ctts")? {
        Some(ctts) => {
            let (version, entries) = run_table(&ctts)?;
            if version == 0 && entries.iter().any(|&(_, c)| c > i32::MAX as u32) {
                return Err(not_working_copy(
                    "a composition offset beyond 2³¹ in a version 0 ctts",
                ));
            }
            Some(Runs::new(entries))
        }
        None => None,
    };
    // stss: sync sample numbers, ascending; every sample is one when it is absent.
    let sync = find(&stbl, "stss")?.map(|b| u32_table(&b)).transpose()?;
    let mut next_sync = 0usize;

    let chunk_offsets: Vec<u64> = match (find(&stbl, "stco")?, find(&stbl, "co64")?) {
        (Some(stco), None) => u32_table(&stco)?.into_iter().map(u64::from).collect(),
        (None, Some(co64)) => {
            let (_, mut f) = Fields::full_box(&co64)?;
            let n = f.count(8)?;
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                v.push(f.u64()?);
            }
            v
        }
        _ => {
            return Err(not_working_copy(
                "the video track needs one of stco and co64",
            ));
        }
    };

    let stsc = need(&stbl, "stsc")?;
    let (_, mut f) = Fields::full_box(&stsc)?;
    let n = f.count(12)?;
    let mut chunk_runs: Vec<(usize, u32)> = Vec::with_capacity(n);
    for _ in 0..n {
        let (first_chunk, per_chunk, description) = (f.u32()? as usize, f.u32()?, f.u32()?);
        let previous = chunk_runs.last().map_or(0, |&(c, _)| c);
        if first_chunk <= previous || (previous == 0 && first_chunk != 1) {
            return Err(f.problem("first_chunk values do not start at 1 and increase"));
        }
        if description != 1 {
            return Err(f.problem(format!("sample description {description}, not 1")));
        }
        chunk_runs.push((first_chunk, per_chunk));
    }

    let mut samples: Vec<Located> = Vec::new();
    let mut run = 0usize;
    let mut decode_time_90k = 0u64;
    let mut previous_end = 0u64;
    for (c, &chunk_offset) in chunk_offsets.iter().enumerate() {
        while chunk_runs
            .get(run + 1)
            .is_some_and(|&(first, _)| first <= c + 1)
        {
            run += 1;
        }
        let per_chunk = chunk_runs
            .get(run)
            .map(|&(_, n)| n)
            .ok_or_else(|| f.problem("no entries"))?;
        if chunk_offset < previous_end {
            return Err(not_working_copy(format!(
                "video chunk {c} at byte {chunk_offset} overlaps the one before it"
            )));
        }
        let mut at = chunk_offset;
        for _ in 0..per_chunk {
            let i = samples.len();
            let len_bytes = size_of(i).filter(|_| i < count).ok_or_else(|| {
                not_working_copy(format!(
                    "the video track's chunks hold more than {count} samples"
                ))
            })?;
            let end = at.saturating_add(u64::from(len_bytes));
            if len_bytes == 0 || end > file_len {
                return Err(not_working_copy(format!(
                    "video sample {i} (bytes {at} to {end}) is empty or past the end of the file"
                )));
            }
            let duration = durations
                .next()
                .ok_or_else(|| not_working_copy("the stts lists fewer samples than the stsz"))?;
            let offset = match composition.as_mut() {
                None => 0,
                Some(c) => c.next().ok_or_else(|| {
                    not_working_copy("the ctts lists fewer samples than the stsz")
                })?,
            };
            let is_sync = match &sync {
                None => true,
                Some(numbers) => {
                    let number = i as u64 + 1;
                    match numbers.get(next_sync) {
                        Some(&s) if u64::from(s) == number => {
                            next_sync += 1;
                            true
                        }
                        Some(&s) if u64::from(s) < number => {
                            return Err(not_working_copy("the stss is not in ascending order"));
                        }
                        _ => false,
                    }
                }
            };
            samples.push(Located {
                offset: at,
                len_bytes,
                decode_time_90k,
                composition_offset_90k: offset as i32,
                is_sync,
            });
            decode_time_90k = decode_time_90k
                .checked_add(u64::from(duration))
                .ok_or_else(|| not_working_copy("decode times overflow 64 bits"))?;
            at = end;
        }
        previous_end = at;
    }
    if samples.len() != count {
        return Err(stsz_problem);
    }
    if !durations.is_done() {
        return Err(not_working_copy(
            "the stts lists more samples than the stsz",
        ));
    }
    if composition.as_mut().is_some_and(|c| !c.is_done()) {
        return Err(not_working_copy(
            "the ctts lists more samples than the stsz",
        ));
    }
    if sync.is_some_and(|s| s.len() != next_sync) {
        return Err(not_working_copy("the stss lists samples that do not exist"));
    }
    Ok((entry.bytes(), samples))
}

/// The video samples of a progressive MP4 (as [`write_progressive`] writes: one video
/// track in 90 kHz with one sample entry), in decode order with decode times from its
/// `stts`. Every sample must lie inside an `mdat`.
pub fn progressive_video_samples(file: &[u8]) -> Result<VideoSamples<'_>, RemuxError> {
    let mut moov = None;
    let mut mdats: Vec<(u64, u64)> = Vec::new();
    for b in boxes(file) {
        let b = b.map_err(|e| not_working_copy(e.to_string()))?;
        match &b.fourcc.0 {
            b"moov" if moov.is_some() => return Err(not_working_copy("more than one moov")),
            b"moov" => moov = Some(b),
            b"mdat" => mdats.push((b.offset + b.header_len as u64, b.offset + b.len())),
            b"moof" => {
                return Err(not_working_copy(format!(
                    "a moof at byte {}: this is a fragmented file",
                    b.offset
                )));
            }
            _ => {}
        }
    }
    let moov = moov.ok_or_else(|| not_working_copy("no moov"))?;
    let (sample_entry, located) = video_track(&moov, file.len() as u64)?;
    let mut samples = Vec::with_capacity(located.len());
    for (i, s) in located.iter().enumerate() {
        let end = s.offset.saturating_add(u64::from(s.len_bytes));
        let inside = mdats
            .iter()
            .any(|&(from, to)| s.offset >= from && end <= to);
        let data = usize::try_from(s.offset)
            .ok()
            .zip(usize::try_from(end).ok())
            .and_then(|(from, to)| file.get(from..to))
            .filter(|_| inside)
            .ok_or_else(|| {
                not_working_copy(format!(
                    "video sample {i} (bytes {} to {end}) is not inside an mdat",
                    s.offset
                ))
            })?;
        samples.push(SampleRef {
            data,
            decode_time_90k: s.decode_time_90k,
            composition_offset_90k: s.composition_offset_90k,
            is_sync: s.is_sync,
        });
    }
    Ok(VideoSamples {
        sample_entry,
        samples,
    })
}

// ---------------------------------------------------------------------------------------
// Civil time.
// ---------------------------------------------------------------------------------------

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `YYYY-MM-DD hh:mm:ss` of a count of seconds since 1970-01-01 00:00:00 (of any clock).
fn civil_time(seconds: i64) -> String {
    let (days, secs) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// United Kingdom civil time's offset from UTC at an instant (ms since the Unix epoch): 60
/// minutes (British Summer Time) from 01:00 UTC on the last Sunday of March to 01:00 UTC on
/// the last Sunday of October, 0 (Greenwich Mean Time) otherwise. The rule in force since
/// 1981; earlier years get it too.
pub fn uk_utc_offset_minutes(unix_ms: i64) -> i32 {
    let seconds = unix_ms.div_euclid(1000);
    let (year, _, _) = civil_from_days(seconds.div_euclid(86_400));
    let last_sunday = |month: i64| {
        let last = days_from_civil(year, month, 31);
        // 1970-01-01 was a Thursday: day 0 is weekday 4, counting from Sunday.
        last - (last + 4).rem_euclid(7)
    };
    let starts = last_sunday(3) * 86_400 + 3600;
    let ends = last_sunday(10) * 86_400 + 3600;
    if (starts..ends).contains(&seconds) {
        60
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::super::params::tests::*;
    use super::super::track::TrackConfig;
    use super::super::writer::{FragmentBuilder, Sample, init_segment};
    use super::*;

    /// 2026-11-20 09:14:07.500 UTC.
    const START_MS: i64 = 1_795_166_047_500;

    fn h264_init() -> Vec<u8> {
        init_segment(&TrackConfig::h264(&hex(H264_1080P_SPS), &hex(H264_1080P_PPS)).expect("valid"))
    }

    /// `count` fragments of two one-second samples, decode times contiguous.
    fn small_fragments(count: u32) -> Vec<Vec<u8>> {
        (0..count)
            .map(|k| {
                let mut b = FragmentBuilder::new(k + 1, u64::from(k) * 180_000);
                for (i, data) in [[0, 0, 0, 3, 0x65, 1, 2], [0, 0, 0, 3, 0x41, 3, 4]]
                    .iter()
                    .enumerate()
                {
                    b.push(Sample {
                        data,
                        duration_90k: Some(90_000),
                        is_sync: i == 0,
                        composition_offset_90k: if k == 1 { -1 } else { 0 },
                    })
                    .expect("valid");
                }
                b.finish().expect("valid").bytes
            })
            .collect()
    }

    fn small_copy() -> (Vec<u8>, Vec<u8>, Vec<Vec<u8>>) {
        let init = h264_init();
        let frags = small_fragments(3);
        let piece = Piece {
            init: &init,
            fragments: frags
                .iter()
                .enumerate()
                .map(|(k, f)| (f.as_slice(), START_MS + k as i64 * 2000))
                .collect(),
        };
        let mut out = Vec::new();
        write_progressive(&[piece], &RemuxOptions::uk("front-gate"), &mut out).expect("writes");
        (out, init, frags)
    }

    #[test]
    fn civil_dates_and_uk_summer_time() {
        assert_eq!(civil_time(0), "1970-01-01 00:00:00");
        assert_eq!(civil_time(START_MS / 1000), "2026-11-20 09:14:07");
        assert_eq!(civil_time(951_782_400), "2000-02-29 00:00:00");
        for days in [-1_000_000, -1, 0, 59, 11_016, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        // 2026: BST from 29 March 01:00 UTC to 25 October 01:00 UTC.
        let at = |s: &str| {
            let (date, time) = s.split_once(' ').expect("date time");
            let p: Vec<i64> = date
                .split('-')
                .chain(time.split(':'))
                .map(|x| x.parse().expect("n"))
                .collect();
            (days_from_civil(p[0], p[1], p[2]) * 86_400 + p[3] * 3600 + p[4] * 60 + p[5]) * 1000
        };
        assert_eq!(uk_utc_offset_minutes(at("2026-03-29 00:59:59")), 0);
        assert_eq!(uk_utc_offset_minutes(at("2026-03-29 01:00:00")), 60);
        assert_eq!(uk_utc_offset_minutes(at("2026-07-01 12:00:00")), 60);
        assert_eq!(uk_utc_offset_minutes(at("2026-10-25 00:59:59")), 60);
        assert_eq!(uk_utc_offset_minutes(at("2026-10-25 01:00:00")), 0);
        assert_eq!(uk_utc_offset_minutes(START_MS), 0);
        let opts = RemuxOptions::uk("front-gate");
        assert_eq!(
            cue_text(at("2026-07-01 12:00:00") / 1000, &opts),
            "2026-07-01 13:00:00 UK time · front-gate"
        );
        let bare = RemuxOptions {
            time_zone_label: String::new(),
            camera_label: String::new(),
            utc_offset_minutes: |_| 0,
        };
        assert_eq!(cue_text(0, &bare), "1970-01-01 00:00:00");
    }

    #[test]
    fn small_copy_lists_the_fragments_samples() {
        let (out, init, frags) = small_copy();
        let got = progressive_video_samples(&out).expect("reads");
        let all: Vec<u8> = frags.concat();
        let want = fragment_video_samples(&init, &all).expect("reads");
        assert_eq!(got, want);
        assert_eq!(got.samples.len(), 6);
        assert_eq!(got.samples[3].composition_offset_90k, -1);
        assert_eq!(
            got.samples.iter().map(|s| s.is_sync).collect::<Vec<_>>(),
            [true, false, true, false, true, false]
        );
        // moov first, then one mdat.
        let top: Vec<[u8; 4]> = boxes(&out).map(|b| b.expect("box").fourcc.0).collect();
        assert_eq!(top, [*b"ftyp", *b"moov", *b"mdat"]);
    }

    /// A plan kept as handles into one concatenated file (as the store keeps a master copy)
    /// writes the same bytes as the slices do, and a handle that yields other bytes than
    /// the fragment held is an error, not a wrong file.
    #[test]
    fn a_plan_of_handles_writes_the_same_working_copy() {
        let (want, init, frags) = small_copy();
        let master: Vec<u8> = frags.concat();
        let mut planner = Planner::new();
        planner.start_piece(&init).expect("init");
        let mut at = 0usize;
        for (k, f) in frags.iter().enumerate() {
            planner
                .add_fragment(f, START_MS + k as i64 * 2000, |_, r| {
                    (at + r.start)..(at + r.end)
                })
                .expect("fragment");
            at += f.len();
        }
        let mut got = Vec::new();
        write_planned(
            planner,
            &RemuxOptions::uk("front-gate"),
            &mut got,
            |r: &std::ops::Range<usize>, o| o.write_all(&master[r.clone()]),
        )
        .expect("writes");
        assert_eq!(got, want);

        let mut planner = Planner::new();
        planner.start_piece(&init).expect("init");
        planner
            .add_fragment(&frags[0], START_MS, |_, r| r)
            .expect("fragment");
        let short = write_planned(
            planner,
            &RemuxOptions::uk("front-gate"),
            &mut Vec::new(),
            |r: &std::ops::Range<usize>, o| o.write_all(&frags[0][r.start + 1..r.end]),
        )
        .expect_err("one byte short");
        assert!(short.to_string().contains("bytes of samples"), "{short}");
    }

    #[test]
    fn cues_are_one_per_wall_clock_second_and_skip_gaps() {
        let init = h264_init();
        let frags = small_fragments(3);
        // Fragment 2 comes 10 s after fragment 1 ends; its decode time restarted.
        let piece = Piece {
            init: &init,
            fragments: vec![
                (frags[0].as_slice(), START_MS),
                (frags[1].as_slice(), START_MS + 2000),
                (frags[0].as_slice(), START_MS + 14_000),
            ],
        };
        let plan = plan(std::slice::from_ref(&piece)).expect("plans");
        assert_eq!(plan.gaps, 1);
        let starts: Vec<u64> = plan.fragments.iter().map(|f| f.start_90k).collect();
        assert_eq!(starts, [0, 180_000, 14 * 90_000]);
        assert_eq!(plan.fragments[1].extra_90k, 10 * 90_000);
        let c: Vec<(u64, Option<i64>, usize)> = cues(&plan)
            .iter()
            .map(|c| (c.duration_90k, c.second, c.fragment))
            .collect();
        let s = START_MS / 1000;
        assert_eq!(
            c,
            [
                (45_000, Some(s), 0),
                (90_000, Some(s + 1), 0),
                (90_000, Some(s + 2), 0),
                (90_000, Some(s + 3), 1),
                (45_000, Some(s + 4), 1),
                (900_000, None, 2),
                (45_000, Some(s + 14), 2),
                (90_000, Some(s + 15), 2),
                (45_000, Some(s + 16), 2),
            ]
        );
        let got = pieces_video_samples(std::slice::from_ref(&piece)).expect("lists");
        let mut out = Vec::new();
        let summary = write_progressive(&[piece], &RemuxOptions::uk(""), &mut out).expect("writes");
        assert_eq!(progressive_video_samples(&out).expect("reads"), got);
        assert_eq!(got.samples[4].decode_time_90k, 14 * 90_000);
        assert_eq!((summary.gaps, summary.subtitle_cues), (1, 8));
        assert_eq!(summary.duration_90k, 16 * 90_000);
        assert_eq!(summary.bytes_written, out.len() as u64);
    }

    #[test]
    fn a_slightly_early_wall_clock_does_not_run_the_time_backwards() {
        let init = h264_init();
        let frags = small_fragments(2);
        let piece = Piece {
            init: &init,
            fragments: vec![
                (frags[0].as_slice(), START_MS),
                // 1 ms earlier than the end of the first fragment, decode times contiguous.
                (frags[1].as_slice(), START_MS + 1999),
            ],
        };
        let plan = plan(&[piece]).expect("plans");
        let seconds: Vec<Option<i64>> = cues(&plan).iter().map(|c| c.second).collect();
        let s = START_MS / 1000;
        assert_eq!(
            seconds,
            [Some(s), Some(s + 1), Some(s + 2), Some(s + 3), Some(s + 4)]
        );
    }

    #[test]
    fn large_layout_uses_co64_and_a_64_bit_mdat() {
        let two_gib = 2u32 << 30;
        let video = Tables {
            sizes: vec![two_gib; 3],
            durations: vec![3600; 3],
            chunk_samples: vec![1; 3],
            chunk_offsets: vec![0, u64::from(two_gib), 2 * u64::from(two_gib)],
            ..Tables::default()
        };
        let text = Tables {
            sizes: vec![2],
            durations: vec![10_800],
            chunk_samples: vec![1],
            chunk_offsets: vec![3 * u64::from(two_gib)],
            ..Tables::default()
        };
        let h = MovieHeader {
            codec_entry: init_track(&h264_init())
                .expect("init")
                .sample_entry
                .to_vec(),
            presentation: (1920 << 16, 1080 << 16),
            creation_mp4_s: 0,
            duration_90k: 10_800,
        };
        let payload = 3 * u64::from(two_gib) + 2;
        let Headers { ftyp, moov, mdat } =
            layout(&h, Codec::H264, &video, &text, payload).expect("lays out");
        assert_eq!(mdat.len(), 16);
        assert_eq!(&mdat[..8], &[0, 0, 0, 1, b'm', b'd', b'a', b't']);
        assert_eq!(
            u64::from_be_bytes(mdat[8..].try_into().expect("8")),
            payload + 16
        );
        let moov_box = boxes(&moov).next().expect("moov").expect("valid");
        let (_, located) = video_track(&moov_box, u64::MAX).expect("reads");
        let base = (ftyp.len() + moov.len() + mdat.len()) as u64;
        let offsets: Vec<u64> = located.iter().map(|s| s.offset).collect();
        assert_eq!(
            offsets,
            [
                base,
                base + u64::from(two_gib),
                base + 2 * u64::from(two_gib)
            ]
        );
        assert!(moov.windows(4).any(|w| w == b"co64"));
        assert!(!moov.windows(4).any(|w| w == b"stco"));
        // A small file keeps 32-bit offsets and size.
        let (out, _, _) = small_copy();
        assert!(out.windows(4).any(|w| w == b"stco"));
        assert!(!out.windows(4).any(|w| w == b"co64"));
    }

    #[test]
    fn configuration_changes_and_bad_input_are_refused() {
        let init = h264_init();
        let other = init_segment(
            &TrackConfig::h264(&hex(H264_BASELINE_SPS), &hex(H264_1080P_PPS)).expect("valid"),
        );
        let frags = small_fragments(1);
        let piece = |init| Piece {
            init,
            fragments: vec![(frags[0].as_slice(), START_MS)],
        };
        let err = write_progressive(
            &[piece(&init), piece(&other)],
            &RemuxOptions::uk("x"),
            &mut Vec::new(),
        )
        .expect_err("two configurations");
        assert!(
            matches!(err, RemuxError::ConfigurationChanged { piece: 1, .. }),
            "{err}"
        );
        assert!(
            err.to_string()
                .contains("one working copy holds one configuration"),
            "{err}"
        );

        let no_fragments = Piece {
            init: &init,
            fragments: vec![],
        };
        assert!(matches!(
            write_progressive(&[no_fragments], &RemuxOptions::uk("x"), &mut Vec::new()),
            Err(RemuxError::NoFragments)
        ));
        let two = [frags[0].clone(), frags[0].clone()].concat();
        let doubled = Piece {
            init: &init,
            fragments: vec![(two.as_slice(), START_MS)],
        };
        assert!(matches!(
            write_progressive(&[doubled], &RemuxOptions::uk("x"), &mut Vec::new()),
            Err(RemuxError::NotOneFragment {
                found: "more than one",
                ..
            })
        ));
        let long_label = RemuxOptions::uk("x".repeat(MAX_LABEL_BYTES + 1));
        assert!(matches!(
            write_progressive(&[piece(&init)], &long_label, &mut Vec::new()),
            Err(RemuxError::BadLabel {
                which: "camera",
                ..
            })
        ));
        let bad_time = Piece {
            init: &init,
            fragments: vec![(frags[0].as_slice(), -1)],
        };
        assert!(matches!(
            write_progressive(&[bad_time], &RemuxOptions::uk("x"), &mut Vec::new()),
            Err(RemuxError::BadWallClock { .. })
        ));
        // A gap longer than a 32-bit duration.
        let frags2 = small_fragments(2);
        let far = Piece {
            init: &init,
            fragments: vec![
                (frags2[0].as_slice(), START_MS),
                (frags2[0].as_slice(), START_MS + 14 * 3600 * 1000),
            ],
        };
        let err = write_progressive(&[far], &RemuxOptions::uk("x"), &mut Vec::new())
            .expect_err("too long a gap");
        assert!(
            matches!(
                err,
                RemuxError::GapTooLong {
                    piece: 0,
                    fragment: 1,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn reading_never_panics_and_truncations_fail() {
        let (out, _, _) = small_copy();
        for len in 0..out.len() {
            assert!(
                progressive_video_samples(&out[..len]).is_err(),
                "cut at {len} must fail"
            );
        }
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let mut bytes = out.clone();
            for _ in 0..(next() % 4 + 1) {
                let i = (next() % bytes.len() as u64) as usize;
                bytes[i] = match next() % 4 {
                    0 => 0,
                    1 => 0xff,
                    2 => 1,
                    _ => next() as u8,
                };
            }
            let _ = progressive_video_samples(&bytes);
        }
    }
}
