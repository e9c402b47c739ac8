//! Reading back the boxes Custos writes: a box walker, the init segment's facts, and the
//! fragments of a segment with every sample's place and time.
//!
//! This reader is strict on purpose: it accepts the layout described in the parent module
//! and reports anything else (an unknown or repeated box where a known one belongs, a
//! sample table that does not cover its `mdat` exactly, a size that runs past its parent)
//! as a [`ReadError`] naming the box and its byte offset. It is meant for tests and for
//! checking stored footage, not for playing other people's files.
//!
//! Invariants: nothing here panics or allocates in proportion to a size field before
//! checking that the bytes are there, whatever the input; offsets in results and errors
//! are absolute within the input given.

use std::fmt;

use super::nal::Codec;
use super::writer::{SAMPLE_IS_NON_SYNC, SampleLocation};
use super::{TIMESCALE_90K, TRACK_ID};

/// A four-character box type.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FourCc(pub [u8; 4]);

impl fmt::Display for FourCc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &b in &self.0 {
            if b.is_ascii_graphic() || b == b' ' {
                write!(f, "{}", b as char)?;
            } else {
                write!(f, "\\x{b:02x}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for FourCc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{self}'")
    }
}

/// Why bytes could not be read as Custos's MP4 layout.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// Fewer bytes than a box header remain.
    #[error("box header at byte {offset} is cut short")]
    TruncatedHeader {
        /// Where the header starts.
        offset: u64,
    },
    /// A box's size is impossible (smaller than its header, or 0 meaning "to the end").
    #[error("box '{fourcc}' at byte {offset} has an invalid size {size}")]
    BadSize {
        /// The box type.
        fourcc: FourCc,
        /// Where the box starts.
        offset: u64,
        /// The size it declares.
        size: u64,
    },
    /// A box's size runs past the end of its parent or of the input.
    #[error("box '{fourcc}' at byte {offset} declares {size} bytes but only {available} remain")]
    Overrun {
        /// The box type.
        fourcc: FourCc,
        /// Where the box starts.
        offset: u64,
        /// The size it declares.
        size: u64,
        /// The bytes left in its parent.
        available: u64,
    },
    /// A box is shorter than the fields it must hold.
    #[error("box '{fourcc}' at byte {offset} is too short for its fields")]
    TooShort {
        /// The box type.
        fourcc: FourCc,
        /// Where the box starts.
        offset: u64,
    },
    /// A box that does not belong where it was found.
    #[error("unexpected box '{found}' at byte {offset} ({expected})")]
    Unexpected {
        /// The box type found.
        found: FourCc,
        /// Where it starts.
        offset: u64,
        /// What was expected there.
        expected: &'static str,
    },
    /// A required box is missing.
    #[error("box '{parent}' at byte {offset} has no '{child}' box")]
    Missing {
        /// The box that should contain it.
        parent: FourCc,
        /// Where that box starts.
        offset: u64,
        /// The missing box type.
        child: &'static str,
    },
    /// A `moof` not followed by its `mdat`.
    #[error("moof at byte {offset} is not followed by an mdat")]
    NoMdat {
        /// Where the `moof` starts.
        offset: u64,
    },
    /// A field has a value Custos does not write or cannot use.
    #[error("box '{fourcc}' at byte {offset}: {problem}")]
    Invalid {
        /// The box type.
        fourcc: FourCc,
        /// Where the box starts.
        offset: u64,
        /// What is wrong.
        problem: String,
    },
}

/// One box within the input: its type, where it is, and its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoxRef<'a> {
    /// The box type.
    pub fourcc: FourCc,
    /// Offset of the box's first byte within the input.
    pub offset: u64,
    /// Length of the header (8, 16 with a 64-bit size, 24 or 32 for `uuid`).
    pub header_len: usize,
    bytes: &'a [u8],
}

impl<'a> BoxRef<'a> {
    /// The whole box, header included.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Length of the whole box in bytes.
    pub fn len(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// Whether the box has no body (never true: a box has at least its header).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The body after the header.
    pub fn payload(&self) -> &'a [u8] {
        self.bytes.get(self.header_len..).unwrap_or_default()
    }

    /// The boxes inside this one, for container boxes.
    pub fn children(&self) -> Boxes<'a> {
        self.children_after(0)
    }

    /// The boxes inside this one that follow `skip` bytes of fields (for boxes such as
    /// `stsd` or sample entries that hold fields before their children).
    pub fn children_after(&self, skip: usize) -> Boxes<'a> {
        let start = self.header_len.saturating_add(skip);
        match self.bytes.get(start..) {
            Some(data) => Boxes::new(data, self.offset + start as u64),
            None => Boxes::failed(ReadError::TooShort {
                fourcc: self.fourcc,
                offset: self.offset,
            }),
        }
    }

    /// A reader over the body.
    fn fields(&self) -> Fields<'a> {
        Fields {
            data: self.payload(),
            pos: 0,
            fourcc: self.fourcc,
            offset: self.offset,
        }
    }

    /// A reader over the body of a full box, after its version and flags.
    fn full_box(&self) -> Result<(u8, u32, Fields<'a>), ReadError> {
        let mut f = self.fields();
        let word = f.u32()?;
        Ok(((word >> 24) as u8, word & 0x00ff_ffff, f))
    }

    fn invalid(&self, problem: impl Into<String>) -> ReadError {
        ReadError::Invalid {
            fourcc: self.fourcc,
            offset: self.offset,
            problem: problem.into(),
        }
    }
}

/// Iterator over consecutive boxes; after the first error it yields nothing more.
#[derive(Debug, Clone)]
pub struct Boxes<'a> {
    data: &'a [u8],
    pos: usize,
    base_offset: u64,
    pending_error: Option<ReadError>,
}

/// The boxes at the top level of `bytes`.
pub fn boxes(bytes: &[u8]) -> Boxes<'_> {
    Boxes::new(bytes, 0)
}

impl<'a> Boxes<'a> {
    fn new(data: &'a [u8], base_offset: u64) -> Self {
        Self {
            data,
            pos: 0,
            base_offset,
            pending_error: None,
        }
    }

    fn failed(e: ReadError) -> Self {
        Self {
            data: &[],
            pos: 0,
            base_offset: 0,
            pending_error: Some(e),
        }
    }

    fn read_one(&mut self) -> Result<BoxRef<'a>, ReadError> {
        let rest = self.data.get(self.pos..).unwrap_or_default();
        let offset = self.base_offset + self.pos as u64;
        let truncated = ReadError::TruncatedHeader { offset };
        let head: [u8; 8] = rest
            .get(..8)
            .and_then(|b| b.try_into().ok())
            .ok_or(truncated.clone())?;
        let size32 = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        let fourcc = FourCc([head[4], head[5], head[6], head[7]]);
        let (size, mut header_len) = match size32 {
            1 => {
                let large: [u8; 8] = rest
                    .get(8..16)
                    .and_then(|b| b.try_into().ok())
                    .ok_or(truncated.clone())?;
                (u64::from_be_bytes(large), 16usize)
            }
            _ => (u64::from(size32), 8usize),
        };
        if fourcc.0 == *b"uuid" {
            header_len += 16;
        }
        if size < header_len as u64 {
            return Err(ReadError::BadSize {
                fourcc,
                offset,
                size,
            });
        }
        let available = rest.len() as u64;
        if size > available {
            return Err(ReadError::Overrun {
                fourcc,
                offset,
                size,
                available,
            });
        }
        // size ≤ rest.len(), so it fits usize.
        let len = size as usize;
        self.pos += len;
        Ok(BoxRef {
            fourcc,
            offset,
            header_len,
            bytes: rest.get(..len).unwrap_or_default(),
        })
    }
}

impl<'a> Iterator for Boxes<'a> {
    type Item = Result<BoxRef<'a>, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.pending_error.take() {
            self.pos = self.data.len();
            return Some(Err(e));
        }
        if self.pos >= self.data.len() {
            return None;
        }
        let result = self.read_one();
        if result.is_err() {
            self.pos = self.data.len();
        }
        Some(result)
    }
}

/// Big-endian fields of a box body.
struct Fields<'a> {
    data: &'a [u8],
    pos: usize,
    fourcc: FourCc,
    offset: u64,
}

impl<'a> Fields<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ReadError> {
        let slice = self
            .pos
            .checked_add(n)
            .and_then(|end| self.data.get(self.pos..end))
            .ok_or(ReadError::TooShort {
                fourcc: self.fourcc,
                offset: self.offset,
            })?;
        self.pos += n;
        Ok(slice)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], ReadError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
    fn u16(&mut self) -> Result<u16, ReadError> {
        Ok(u16::from_be_bytes(self.array()?))
    }
    fn u32(&mut self) -> Result<u32, ReadError> {
        Ok(u32::from_be_bytes(self.array()?))
    }
    fn u64(&mut self) -> Result<u64, ReadError> {
        Ok(u64::from_be_bytes(self.array()?))
    }
    fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }
}

/// The children of `parent`, each type allowed at most once and only those in `allowed`.
fn children_by_type<'a>(
    parent: &BoxRef<'a>,
    skip: usize,
    allowed: &'static [&'static [u8; 4]],
    expected: &'static str,
) -> Result<Vec<BoxRef<'a>>, ReadError> {
    let mut found: Vec<BoxRef<'a>> = Vec::new();
    for child in parent.children_after(skip) {
        let child = child?;
        if !allowed.iter().any(|a| **a == child.fourcc.0)
            || found.iter().any(|f| f.fourcc == child.fourcc)
        {
            return Err(ReadError::Unexpected {
                found: child.fourcc,
                offset: child.offset,
                expected,
            });
        }
        found.push(child);
    }
    Ok(found)
}

/// The child of type `fourcc` from a list made by [`children_by_type`].
fn required<'a>(
    parent: &BoxRef<'a>,
    children: &[BoxRef<'a>],
    fourcc: &'static str,
) -> Result<BoxRef<'a>, ReadError> {
    children
        .iter()
        .find(|c| c.fourcc.0 == fourcc.as_bytes())
        .copied()
        .ok_or(ReadError::Missing {
            parent: parent.fourcc,
            offset: parent.offset,
            child: fourcc,
        })
}

/// What an init segment says about its track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitInfo {
    /// The codec of the sample entry (`avc1` or `hvc1`).
    pub codec: Codec,
    /// The track's ID.
    pub track_id: u32,
    /// Width from the sample entry.
    pub width: u16,
    /// Height from the sample entry.
    pub height: u16,
    /// The `avcC` or `hvcC` payload.
    pub decoder_config: Vec<u8>,
    /// Length of the init segment (`ftyp` and `moov`) in bytes.
    pub len_bytes: u64,
}

/// Reads the init segment at the start of `bytes` (an init segment alone, or a whole file):
/// `ftyp` then `moov` with one video track in 90 kHz. What follows the `moov` is not read.
pub fn parse_init(bytes: &[u8]) -> Result<InitInfo, ReadError> {
    let mut top = boxes(bytes);
    let ftyp = top
        .next()
        .ok_or(ReadError::TruncatedHeader { offset: 0 })??;
    if ftyp.fourcc.0 != *b"ftyp" {
        return Err(ReadError::Unexpected {
            found: ftyp.fourcc,
            offset: ftyp.offset,
            expected: "an init segment starts with ftyp",
        });
    }
    let moov = top
        .next()
        .ok_or(ReadError::TruncatedHeader { offset: ftyp.len() })??;
    if moov.fourcc.0 != *b"moov" {
        return Err(ReadError::Unexpected {
            found: moov.fourcc,
            offset: moov.offset,
            expected: "moov follows ftyp",
        });
    }
    let moov_children = children_by_type(
        &moov,
        0,
        &[b"mvhd", b"trak", b"mvex"],
        "moov holds mvhd, one trak and mvex",
    )?;
    let mvhd = required(&moov, &moov_children, "mvhd")?;
    let (version, _, _) = mvhd.full_box()?;
    if version > 1 {
        return Err(mvhd.invalid(format!("version {version}")));
    }
    let trak = required(&moov, &moov_children, "trak")?;
    let mvex = required(&moov, &moov_children, "mvex")?;

    let trak_children = children_by_type(&trak, 0, &[b"tkhd", b"mdia"], "trak holds tkhd, mdia")?;
    let tkhd = required(&trak, &trak_children, "tkhd")?;
    let (version, _, mut f) = tkhd.full_box()?;
    let track_id = match version {
        0 => {
            f.take(8)?;
            f.u32()?
        }
        1 => {
            f.take(16)?;
            f.u32()?
        }
        v => return Err(tkhd.invalid(format!("version {v}"))),
    };
    if track_id != TRACK_ID {
        return Err(tkhd.invalid(format!("track_ID {track_id}, not {TRACK_ID}")));
    }

    let mdia = required(&trak, &trak_children, "mdia")?;
    let mdia_children = children_by_type(
        &mdia,
        0,
        &[b"mdhd", b"hdlr", b"minf"],
        "mdia holds mdhd, hdlr, minf",
    )?;
    let mdhd = required(&mdia, &mdia_children, "mdhd")?;
    let (version, _, mut f) = mdhd.full_box()?;
    let timescale = match version {
        0 => {
            f.take(8)?;
            f.u32()?
        }
        1 => {
            f.take(16)?;
            f.u32()?
        }
        v => return Err(mdhd.invalid(format!("version {v}"))),
    };
    if timescale != TIMESCALE_90K {
        return Err(mdhd.invalid(format!("timescale {timescale}, not {TIMESCALE_90K}")));
    }
    let hdlr = required(&mdia, &mdia_children, "hdlr")?;
    let (_, _, mut f) = hdlr.full_box()?;
    f.take(4)?; // pre_defined
    let handler: [u8; 4] = f.array()?;
    if handler != *b"vide" {
        return Err(hdlr.invalid(format!("handler {}, not vide", FourCc(handler))));
    }
    let minf = required(&mdia, &mdia_children, "minf")?;
    let minf_children = children_by_type(
        &minf,
        0,
        &[b"vmhd", b"dinf", b"stbl"],
        "minf holds vmhd, dinf, stbl",
    )?;
    required(&minf, &minf_children, "vmhd")?;
    required(&minf, &minf_children, "dinf")?;
    let stbl = required(&minf, &minf_children, "stbl")?;
    let stbl_children = children_by_type(
        &stbl,
        0,
        &[b"stsd", b"stts", b"stsc", b"stsz", b"stco"],
        "stbl holds stsd and empty sample tables",
    )?;
    for table in ["stts", "stsc", "stco"] {
        let b = required(&stbl, &stbl_children, table)?;
        let (_, _, mut f) = b.full_box()?;
        if f.u32()? != 0 {
            return Err(b.invalid("entries in a fragmented file's sample table"));
        }
    }
    let stsz = required(&stbl, &stbl_children, "stsz")?;
    let (_, _, mut f) = stsz.full_box()?;
    f.u32()?; // sample_size
    if f.u32()? != 0 {
        return Err(stsz.invalid("entries in a fragmented file's sample table"));
    }
    let stsd = required(&stbl, &stbl_children, "stsd")?;
    let (_, _, mut f) = stsd.full_box()?;
    if f.u32()? != 1 {
        return Err(stsd.invalid("not exactly one sample entry"));
    }
    let entry = stsd.children_after(8).next().ok_or(ReadError::Missing {
        parent: stsd.fourcc,
        offset: stsd.offset,
        child: "avc1 or hvc1",
    })??;
    let (codec, config_type): (Codec, &'static [u8; 4]) = match &entry.fourcc.0 {
        b"avc1" => (Codec::H264, b"avcC"),
        b"hvc1" => (Codec::H265, b"hvcC"),
        _ => {
            return Err(ReadError::Unexpected {
                found: entry.fourcc,
                offset: entry.offset,
                expected: "sample entry avc1 or hvc1",
            });
        }
    };
    let mut f = entry.fields();
    f.take(24)?; // reserved, data_reference_index, pre_defined and reserved
    let width = f.u16()?;
    let height = f.u16()?;
    // Sample entry fields: 8 (SampleEntry) + 70 (VisualSampleEntry) bytes before children.
    let entry_children = children_by_type(
        &entry,
        78,
        &[b"avcC", b"hvcC", b"pasp", b"btrt"],
        "the sample entry holds its decoder configuration and optionally pasp, btrt",
    )?;
    let config = entry_children
        .iter()
        .find(|c| &c.fourcc.0 == config_type)
        .ok_or(ReadError::Missing {
            parent: entry.fourcc,
            offset: entry.offset,
            child: if codec == Codec::H264 { "avcC" } else { "hvcC" },
        })?;
    if entry_children
        .iter()
        .any(|c| matches!(&c.fourcc.0, b"avcC" | b"hvcC") && &c.fourcc.0 != config_type)
    {
        return Err(entry.invalid("decoder configuration of the other codec"));
    }

    let mvex_children = children_by_type(&mvex, 0, &[b"trex", b"mehd"], "mvex holds trex")?;
    let trex = required(&mvex, &mvex_children, "trex")?;
    let (_, _, mut f) = trex.full_box()?;
    let trex_track = f.u32()?;
    if trex_track != track_id {
        return Err(trex.invalid(format!("track_ID {trex_track}, not {track_id}")));
    }

    Ok(InitInfo {
        codec,
        track_id,
        width,
        height,
        decoder_config: config.payload().to_vec(),
        len_bytes: moov.offset + moov.len(),
    })
}

/// One movie fragment found in a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FragmentInfo {
    /// Offset of the `moof` within the input.
    pub offset: u64,
    /// Length of the `moof` and `mdat` together.
    pub len_bytes: u64,
    /// The `mfhd` sequence number.
    pub sequence_number: u32,
    /// The decode time of the first sample (`tfdt`), in 90 kHz ticks.
    pub base_decode_time_90k: u64,
    /// The sum of the sample durations, in 90 kHz ticks.
    pub duration_90k: u64,
    /// Each sample, with its offset within the input.
    pub samples: Vec<SampleLocation>,
}

impl FragmentInfo {
    /// How many samples the fragment holds.
    pub fn sample_count(&self) -> usize {
        self.samples.len()
    }
}

/// The movie fragments in `bytes`: a segment (fragments only) or a whole file (an init
/// segment, then fragments). Each `moof` must be followed at once by its `mdat`, and its
/// samples must cover that `mdat` exactly.
pub fn fragments(bytes: &[u8]) -> Fragments<'_> {
    Fragments {
        top: boxes(bytes),
        index: 0,
        previous: None,
        done: false,
    }
}

/// Iterator over movie fragments; see [`fragments`]. After the first error it yields
/// nothing more.
#[derive(Debug, Clone)]
pub struct Fragments<'a> {
    top: Boxes<'a>,
    /// How many top-level boxes have been read.
    index: usize,
    /// The type of the last top-level box read.
    previous: Option<FourCc>,
    done: bool,
}

impl Iterator for Fragments<'_> {
    type Item = Result<FragmentInfo, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let result = self.next_fragment().transpose();
        if !matches!(result, Some(Ok(_))) {
            self.done = true;
        }
        result
    }
}

impl Fragments<'_> {
    fn next_fragment(&mut self) -> Result<Option<FragmentInfo>, ReadError> {
        loop {
            let Some(b) = self.top.next().transpose()? else {
                return Ok(None);
            };
            let previous = self.previous.replace(b.fourcc);
            self.index += 1;
            match &b.fourcc.0 {
                // An init segment may come first: ftyp, then moov.
                b"ftyp" if self.index == 1 => continue,
                b"moov" if previous == Some(FourCc(*b"ftyp")) => continue,
                b"moof" => {
                    let mdat = self.top.next().transpose()?;
                    self.index += 1;
                    let mdat = match mdat {
                        Some(m) if m.fourcc.0 == *b"mdat" => m,
                        Some(other) => {
                            return Err(ReadError::Unexpected {
                                found: other.fourcc,
                                offset: other.offset,
                                expected: "mdat after moof",
                            });
                        }
                        None => return Err(ReadError::NoMdat { offset: b.offset }),
                    };
                    return parse_fragment(&b, &mdat).map(Some);
                }
                _ => {
                    return Err(ReadError::Unexpected {
                        found: b.fourcc,
                        offset: b.offset,
                        expected: "moof (after an optional ftyp and moov)",
                    });
                }
            }
        }
    }
}

/// Reads a `moof` and checks it against the `mdat` after it.
fn parse_fragment(moof: &BoxRef<'_>, mdat: &BoxRef<'_>) -> Result<FragmentInfo, ReadError> {
    let moof_children = children_by_type(moof, 0, &[b"mfhd", b"traf"], "moof holds mfhd, traf")?;
    let mfhd = required(moof, &moof_children, "mfhd")?;
    let (_, _, mut f) = mfhd.full_box()?;
    let sequence_number = f.u32()?;
    let traf = required(moof, &moof_children, "traf")?;
    let traf_children = children_by_type(
        &traf,
        0,
        &[b"tfhd", b"tfdt", b"trun"],
        "traf holds tfhd, tfdt, trun",
    )?;

    let tfhd = required(&traf, &traf_children, "tfhd")?;
    let (_, tfhd_flags, mut f) = tfhd.full_box()?;
    let track_id = f.u32()?;
    if track_id != TRACK_ID {
        return Err(tfhd.invalid(format!("track_ID {track_id}, not {TRACK_ID}")));
    }
    if tfhd_flags & 0x01 != 0 {
        return Err(tfhd.invalid("base-data-offset-present (Custos uses default-base-is-moof)"));
    }
    if tfhd_flags & 0x01_0000 != 0 {
        return Err(tfhd.invalid("duration-is-empty"));
    }
    if tfhd_flags & 0x02 != 0 {
        f.u32()?; // sample_description_index
    }
    let default_duration = if tfhd_flags & 0x08 != 0 {
        Some(f.u32()?)
    } else {
        None
    };
    let default_size = if tfhd_flags & 0x10 != 0 {
        Some(f.u32()?)
    } else {
        None
    };
    let default_flags = if tfhd_flags & 0x20 != 0 {
        Some(f.u32()?)
    } else {
        None
    };

    let tfdt = required(&traf, &traf_children, "tfdt")?;
    let (version, _, mut f) = tfdt.full_box()?;
    let base_decode_time_90k = match version {
        0 => u64::from(f.u32()?),
        1 => f.u64()?,
        v => return Err(tfdt.invalid(format!("version {v}"))),
    };

    let trun = required(&traf, &traf_children, "trun")?;
    let (version, flags, mut f) = trun.full_box()?;
    if version > 1 {
        return Err(trun.invalid(format!("version {version}")));
    }
    let count = f.u32()?;
    if flags & 0x01 == 0 {
        return Err(trun.invalid("no data offset"));
    }
    let data_offset = f.u32()? as i32;
    let first_flags = if flags & 0x04 != 0 {
        Some(f.u32()?)
    } else {
        None
    };
    let per_sample = [0x100, 0x200, 0x400, 0x800]
        .iter()
        .filter(|&&bit| flags & bit != 0)
        .count()
        * 4;
    // Check the table is all there before allocating for it.
    if (count as u64) * per_sample as u64 != f.remaining() as u64 {
        return Err(trun.invalid(format!(
            "{count} samples of {per_sample} bytes do not fill its {} bytes",
            f.remaining()
        )));
    }

    let mdat_payload_start = mdat.offset + mdat.header_len as u64;
    let mdat_end = mdat.offset + mdat.len();
    let data_start = i128::from(moof.offset) + i128::from(data_offset);
    if data_start != i128::from(mdat_payload_start) {
        return Err(trun.invalid(format!(
            "data offset {data_offset} does not point at the start of the mdat's data"
        )));
    }
    // Every sample has at least one byte inside the mdat, which bounds the count.
    let mut samples = Vec::with_capacity((count as usize).min(mdat.payload().len()));
    let mut offset = mdat_payload_start;
    let mut decode_time_90k = base_decode_time_90k;
    for i in 0..count {
        let duration_90k = if flags & 0x100 != 0 {
            f.u32()?
        } else {
            default_duration.ok_or_else(|| trun.invalid("no sample duration"))?
        };
        let len_bytes = if flags & 0x200 != 0 {
            f.u32()?
        } else {
            default_size.ok_or_else(|| trun.invalid("no sample size"))?
        };
        let sample_flags = if flags & 0x400 != 0 {
            f.u32()?
        } else if i == 0
            && let Some(first) = first_flags
        {
            first
        } else {
            default_flags.ok_or_else(|| trun.invalid("no sample flags"))?
        };
        let composition_offset_90k = if flags & 0x800 != 0 {
            let raw = f.u32()?;
            if version == 0 && raw > i32::MAX as u32 {
                return Err(trun.invalid("composition offset beyond 2³¹ in version 0"));
            }
            raw as i32
        } else {
            0
        };
        if len_bytes == 0 {
            return Err(trun.invalid(format!("sample {i} is empty")));
        }
        let end = offset + u64::from(len_bytes);
        if end > mdat_end {
            return Err(trun.invalid(format!("sample {i} runs past the end of the mdat")));
        }
        samples.push(SampleLocation {
            offset,
            len_bytes,
            decode_time_90k,
            duration_90k,
            composition_offset_90k,
            is_sync: sample_flags & SAMPLE_IS_NON_SYNC == 0,
        });
        offset = end;
        decode_time_90k = decode_time_90k
            .checked_add(u64::from(duration_90k))
            .ok_or_else(|| tfdt.invalid("decode times overflow 64 bits"))?;
    }
    if offset != mdat_end {
        return Err(mdat.invalid(format!("{} bytes after the last sample", mdat_end - offset)));
    }
    Ok(FragmentInfo {
        offset: moof.offset,
        len_bytes: mdat_end - moof.offset,
        sequence_number,
        base_decode_time_90k,
        duration_90k: decode_time_90k - base_decode_time_90k,
        samples,
    })
}

#[cfg(test)]
mod tests {
    use super::super::params::tests::*;
    use super::super::track::TrackConfig;
    use super::super::writer::{FragmentBuilder, Sample, init_segment};
    use super::*;

    /// An init segment and three fragments of two samples each, and the fragments' ends.
    fn small_file() -> (Vec<u8>, Vec<usize>) {
        let track = TrackConfig::h264(&hex(H264_1080P_SPS), &hex(H264_1080P_PPS)).expect("valid");
        let mut file = init_segment(&track);
        let mut ends = vec![file.len()];
        for k in 0..3u32 {
            let mut b = FragmentBuilder::new(k + 1, u64::from(k) * 7200);
            for (i, data) in [[0, 0, 0, 3, 0x65, 1, 2], [0, 0, 0, 3, 0x41, 3, 4]]
                .iter()
                .enumerate()
            {
                b.push(Sample {
                    data,
                    duration_90k: Some(3600),
                    is_sync: i == 0,
                    composition_offset_90k: if k == 2 { -1 } else { 0 },
                })
                .expect("valid");
            }
            file.extend_from_slice(&b.finish().expect("valid").bytes);
            ends.push(file.len());
        }
        (file, ends)
    }

    /// Reads everything the reader can read; panics only through a bug in the reader.
    fn read_all(
        bytes: &[u8],
    ) -> (
        Result<InitInfo, ReadError>,
        Vec<Result<FragmentInfo, ReadError>>,
    ) {
        fn walk(bytes: &[u8], depth: usize) {
            for b in boxes(bytes).take(1000) {
                let Ok(b) = b else { return };
                if depth < 8 {
                    walk(b.payload(), depth + 1);
                    let _ = b.children_after(78).count();
                }
            }
        }
        walk(bytes, 0);
        (parse_init(bytes), fragments(bytes).collect())
    }

    #[test]
    fn whole_file_reads_back() {
        let (file, ends) = small_file();
        let (init, frags) = read_all(&file);
        assert_eq!(init.expect("valid").len_bytes, ends[0] as u64);
        let frags: Vec<FragmentInfo> = frags.into_iter().collect::<Result<_, _>>().expect("valid");
        assert_eq!(frags.len(), 3);
        for (k, f) in frags.iter().enumerate() {
            assert_eq!(f.offset, ends[k] as u64);
            assert_eq!(f.offset + f.len_bytes, ends[k + 1] as u64);
            assert_eq!(f.sequence_number, k as u32 + 1);
            assert_eq!(f.base_decode_time_90k, k as u64 * 7200);
            assert_eq!(f.duration_90k, 7200);
            assert_eq!(f.sample_count(), 2);
            let first = &f.samples[0];
            assert!(first.is_sync && !f.samples[1].is_sync);
            let at = first.offset as usize;
            assert_eq!(
                &file[at..at + first.len_bytes as usize],
                &[0, 0, 0, 3, 0x65, 1, 2]
            );
        }
        assert_eq!(frags[2].samples[1].composition_offset_90k, -1);
        // A segment without its init segment reads the same.
        let seg: Vec<FragmentInfo> = fragments(&file[ends[0]..])
            .collect::<Result<_, _>>()
            .expect("valid");
        assert_eq!(seg.len(), 3);
        assert_eq!(seg[0].offset, 0);
    }

    #[test]
    fn every_truncation_is_an_error_or_a_shorter_whole_file() {
        // BJS-4: a cut-off file must never read as if it were complete.
        let (file, ends) = small_file();
        let (_, full) = read_all(&file);
        for len in 0..file.len() {
            let (init, frags) = read_all(&file[..len]);
            if len < ends[0] {
                assert!(init.is_err(), "init cut at {len} must fail");
            }
            let complete_fragments = ends[1..].iter().filter(|&&e| e <= len).count();
            // Box boundaries before the first fragment: the start, after ftyp, after moov.
            let at_boundary = ends.contains(&len) || len == 0 || len == 24;
            let oks = frags.iter().take_while(|r| r.is_ok()).count();
            if at_boundary {
                assert!(frags.iter().all(Result::is_ok), "cut at {len} (boundary)");
                assert_eq!(oks, complete_fragments, "cut at {len}");
            } else {
                assert!(
                    frags.last().is_some_and(Result::is_err),
                    "cut at {len} must end in an error: {frags:?}"
                );
                assert_eq!(oks, complete_fragments, "cut at {len}");
            }
            for (got, want) in frags.iter().zip(&full).take(oks) {
                assert_eq!(got, want);
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let (file, _) = small_file();
        // A small xorshift generator: the same corruptions on every run.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let mut bytes = file.clone();
            for _ in 0..(next() % 4 + 1) {
                let i = (next() % bytes.len() as u64) as usize;
                bytes[i] = match next() % 4 {
                    0 => 0,
                    1 => 0xff,
                    2 => 1,
                    _ => next() as u8,
                };
            }
            let _ = read_all(&bytes);
        }
        for len in 0..64 {
            let noise: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let _ = read_all(&noise);
        }
    }

    #[test]
    fn malformed_boxes_are_named() {
        let err = |bytes: &[u8]| boxes(bytes).find_map(Result::err).expect("an error");
        assert_eq!(
            err(&[0, 0, 0, 4, b'f', b'r', b'e', b'e']),
            ReadError::BadSize {
                fourcc: FourCc(*b"free"),
                offset: 0,
                size: 4
            }
        );
        assert_eq!(
            err(&[0, 0, 0, 0, b'm', b'd', b'a', b't']),
            ReadError::BadSize {
                fourcc: FourCc(*b"mdat"),
                offset: 0,
                size: 0
            }
        );
        assert_eq!(
            err(&[0, 0, 0, 9, b'f', b'r', b'e', b'e']),
            ReadError::Overrun {
                fourcc: FourCc(*b"free"),
                offset: 0,
                size: 9,
                available: 8
            }
        );
        assert_eq!(err(&[0, 0, 0]), ReadError::TruncatedHeader { offset: 0 });
        // A 64-bit size and a uuid box.
        let mut large = vec![
            0, 0, 0, 1, b'm', b'd', b'a', b't', 0, 0, 0, 0, 0, 0, 0, 17, 42,
        ];
        large.extend_from_slice(&[0, 0, 0, 24, b'u', b'u', b'i', b'd']);
        large.extend_from_slice(&[7; 16]);
        let all: Vec<BoxRef<'_>> = boxes(&large).collect::<Result<_, _>>().expect("valid");
        assert_eq!((all[0].header_len, all[0].payload()), (16, &[42][..]));
        assert_eq!(
            (all[1].offset, all[1].header_len, all[1].payload().len()),
            (17, 24, 0)
        );

        // Something that is not a fragment between fragments.
        let (mut file, ends) = small_file();
        file.splice(ends[1]..ends[1], [0, 0, 0, 8, b'f', b'r', b'e', b'e']);
        let results: Vec<_> = fragments(&file).collect();
        assert_eq!(results.len(), 2);
        assert_eq!(
            results[1]
                .as_ref()
                .expect_err("free is not ours")
                .to_string(),
            format!(
                "unexpected box 'free' at byte {} (moof (after an optional ftyp and moov))",
                ends[1]
            )
        );

        // An init segment after the fragments has no place there.
        let (mut file, ends) = small_file();
        let init = file[..ends[0]].to_vec();
        file.extend_from_slice(&init);
        let last = fragments(&file).last().expect("results");
        assert_eq!(
            last.expect_err("ftyp after fragments").to_string(),
            format!(
                "unexpected box 'ftyp' at byte {} (moof (after an optional ftyp and moov))",
                ends[3]
            )
        );
        let moov_first = &file[24..];
        assert!(
            fragments(moov_first).next().expect("a result").is_err(),
            "moov without ftyp"
        );

        // An mdat holding more than its samples.
        let (file, ends) = small_file();
        let mut bytes = file[ends[0]..ends[1]].to_vec();
        bytes.push(0);
        let mdat_at = bytes.windows(4).position(|w| w == b"mdat").expect("mdat") - 4;
        let size = u32::from_be_bytes(bytes[mdat_at..mdat_at + 4].try_into().expect("4")) + 1;
        bytes[mdat_at..mdat_at + 4].copy_from_slice(&size.to_be_bytes());
        assert_eq!(
            fragments(&bytes)
                .next()
                .expect("one")
                .expect_err("extra byte")
                .to_string(),
            format!("box 'mdat' at byte {mdat_at}: 1 bytes after the last sample")
        );

        // An init segment whose track is in another timescale.
        let mut init = file[..ends[0]].to_vec();
        let mdhd_at = init.windows(4).position(|w| w == b"mdhd").expect("mdhd");
        init[mdhd_at + 16..mdhd_at + 20].copy_from_slice(&1000u32.to_be_bytes());
        assert_eq!(
            parse_init(&init).expect_err("timescale").to_string(),
            format!(
                "box 'mdhd' at byte {}: timescale 1000, not 90000",
                mdhd_at - 4
            )
        );
    }
}
