//! Writing init segments and movie fragments (the byte layout is in the parent module's
//! documentation).
//!
//! Invariants: [`init_segment`] is a pure function of its [`TrackConfig`], so equal
//! configurations give identical bytes. A [`Fragment`]'s sample table (`trun`) describes
//! exactly the bytes of its `mdat`, in order, with no gaps; the offsets it returns are those
//! the `trun` implies. Sample data is copied, never altered. Nothing here panics on any
//! input: limits are checked and reported as [`FragmentError`].
//!
//! Costs: a fragment is assembled in memory (its samples are copied once into the builder
//! and once into the finished bytes); about 12 to 16 bytes of `trun` per sample.

use super::nal::{Codec, NalError, NalKind, append_length_prefixed, length_prefixed, nal_kind};
use super::track::TrackConfig;
use super::{TIMESCALE_90K, TRACK_ID};

/// The `ftyp` major brand.
pub const MAJOR_BRAND: [u8; 4] = *b"iso6";
/// The `ftyp` compatible brands.
pub const COMPATIBLE_BRANDS: [[u8; 4]; 2] = [*b"iso6", *b"iso5"];

/// `tfhd` flag: offsets in the `trun` count from the start of the `moof`.
pub const TFHD_DEFAULT_BASE_IS_MOOF: u32 = 0x02_0000;
/// `trun` flag: a data offset is present.
pub const TRUN_DATA_OFFSET: u32 = 0x00_0001;
/// `trun` flag: the first sample's flags are given apart from the rest.
pub const TRUN_FIRST_SAMPLE_FLAGS: u32 = 0x00_0004;
/// `trun` flag: each sample has a duration.
pub const TRUN_SAMPLE_DURATION: u32 = 0x00_0100;
/// `trun` flag: each sample has a size.
pub const TRUN_SAMPLE_SIZE: u32 = 0x00_0200;
/// `trun` flag: each sample has flags.
pub const TRUN_SAMPLE_FLAGS: u32 = 0x00_0400;
/// `trun` flag: each sample has a composition time offset.
pub const TRUN_SAMPLE_COMPOSITION_OFFSET: u32 = 0x00_0800;

/// Sample flags of a sync sample: `sample_depends_on` = 2 (depends on no other sample),
/// `sample_is_non_sync_sample` = 0.
pub const SYNC_SAMPLE_FLAGS: u32 = 0x0200_0000;
/// Sample flags of any other sample: `sample_depends_on` = 1 (depends on others),
/// `sample_is_non_sync_sample` = 1.
pub const NON_SYNC_SAMPLE_FLAGS: u32 = 0x0101_0000;
/// The `sample_is_non_sync_sample` bit of sample flags.
pub const SAMPLE_IS_NON_SYNC: u32 = 0x0001_0000;

/// The most samples one fragment may hold (about 44 minutes at 25 frames per second; a
/// fragment holds one group of pictures, a few seconds). Keeps every box of a `moof`
/// far below 4 GiB.
pub const MAX_SAMPLES_PER_FRAGMENT: usize = 1 << 16;

/// Appends a box: a size placeholder, the type, the body, then the size filled in.
fn write_box(out: &mut Vec<u8>, fourcc: &[u8; 4], body: impl FnOnce(&mut Vec<u8>)) {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(fourcc);
    body(out);
    let size = u32::try_from(out.len() - start)
        .expect("init segment and moof boxes stay below 4 GiB by the limits on their inputs");
    out[start..start + 4].copy_from_slice(&size.to_be_bytes());
}

/// Appends a full box (a box whose body starts with a version byte and 24 bits of flags).
fn write_full_box(
    out: &mut Vec<u8>,
    fourcc: &[u8; 4],
    version: u8,
    flags: u32,
    body: impl FnOnce(&mut Vec<u8>),
) {
    write_box(out, fourcc, |out| {
        out.extend_from_slice(&(u32::from(version) << 24 | (flags & 0x00ff_ffff)).to_be_bytes());
        body(out);
    });
}

fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// The unity transformation matrix of `mvhd` and `tkhd` (16.16 and 2.30 fixed point).
fn put_unity_matrix(out: &mut Vec<u8>) {
    for v in [0x0001_0000u32, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000] {
        put_u32(out, v);
    }
}

/// The init segment (`ftyp` + `moov`) for one video track.
pub fn init_segment(track: &TrackConfig) -> Vec<u8> {
    let mut out = Vec::with_capacity(768 + track.decoder_config().len());
    write_box(&mut out, b"ftyp", |o| {
        o.extend_from_slice(&MAJOR_BRAND);
        put_u32(o, 0); // minor_version
        for brand in COMPATIBLE_BRANDS {
            o.extend_from_slice(&brand);
        }
    });
    write_box(&mut out, b"moov", |o| {
        write_mvhd(o);
        write_box(o, b"trak", |o| {
            write_tkhd(o, track);
            write_box(o, b"mdia", |o| {
                write_full_box(o, b"mdhd", 0, 0, |o| {
                    put_u32(o, 0); // creation_time
                    put_u32(o, 0); // modification_time
                    put_u32(o, TIMESCALE_90K);
                    put_u32(o, 0); // duration: all in fragments
                    put_u16(o, 0x55c4); // language "und" (ISO 639-2/T, 5-bit letters)
                    put_u16(o, 0); // pre_defined
                });
                write_full_box(o, b"hdlr", 0, 0, |o| {
                    put_u32(o, 0); // pre_defined
                    o.extend_from_slice(b"vide");
                    o.extend_from_slice(&[0; 12]); // reserved
                    o.extend_from_slice(b"Video\0");
                });
                write_box(o, b"minf", |o| {
                    write_full_box(o, b"vmhd", 0, 1, |o| {
                        o.extend_from_slice(&[0; 8]); // graphicsmode, opcolor
                    });
                    write_box(o, b"dinf", |o| {
                        write_full_box(o, b"dref", 0, 0, |o| {
                            put_u32(o, 1); // entry_count
                            // flags 1: the media data is in this file.
                            write_full_box(o, b"url ", 0, 1, |_| {});
                        });
                    });
                    write_stbl(o, track);
                });
            });
        });
        write_box(o, b"mvex", |o| {
            write_full_box(o, b"trex", 0, 0, |o| {
                put_u32(o, TRACK_ID);
                put_u32(o, 1); // default_sample_description_index
                put_u32(o, 0); // default_sample_duration
                put_u32(o, 0); // default_sample_size
                put_u32(o, 0); // default_sample_flags
            });
        });
    });
    out
}

fn write_mvhd(o: &mut Vec<u8>) {
    write_full_box(o, b"mvhd", 0, 0, |o| {
        put_u32(o, 0); // creation_time
        put_u32(o, 0); // modification_time
        put_u32(o, TIMESCALE_90K);
        put_u32(o, 0); // duration: all in fragments
        put_u32(o, 0x0001_0000); // rate 1.0
        put_u16(o, 0x0100); // volume 1.0
        o.extend_from_slice(&[0; 10]); // reserved
        put_unity_matrix(o);
        o.extend_from_slice(&[0; 24]); // pre_defined
        put_u32(o, TRACK_ID + 1); // next_track_ID
    });
}

fn write_tkhd(o: &mut Vec<u8>, track: &TrackConfig) {
    // Flags 3: track_enabled | track_in_movie.
    write_full_box(o, b"tkhd", 0, 3, |o| {
        put_u32(o, 0); // creation_time
        put_u32(o, 0); // modification_time
        put_u32(o, TRACK_ID);
        put_u32(o, 0); // reserved
        put_u32(o, 0); // duration: all in fragments
        o.extend_from_slice(&[0; 8]); // reserved
        put_u16(o, 0); // layer
        put_u16(o, 0); // alternate_group
        put_u16(o, 0); // volume: 0 for video
        put_u16(o, 0); // reserved
        put_unity_matrix(o);
        // Presentation size in 16.16 fixed point: the width stretched by the sample aspect
        // ratio, so square-pixel players show the picture in its true shape.
        let (sar_w, sar_h) = track.sample_aspect_ratio().unwrap_or((1, 1));
        let display_width =
            ((u64::from(track.width()) * u64::from(sar_w)) << 16) / u64::from(sar_h.max(1));
        put_u32(o, u32::try_from(display_width).unwrap_or(u32::MAX));
        put_u32(o, u32::from(track.height()) << 16);
    });
}

fn write_stbl(o: &mut Vec<u8>, track: &TrackConfig) {
    write_box(o, b"stbl", |o| {
        write_full_box(o, b"stsd", 0, 0, |o| {
            put_u32(o, 1); // entry_count
            write_box(o, &track.sample_entry_type(), |o| {
                // SampleEntry
                o.extend_from_slice(&[0; 6]); // reserved
                put_u16(o, 1); // data_reference_index
                // VisualSampleEntry
                o.extend_from_slice(&[0; 16]); // pre_defined, reserved, pre_defined[3]
                put_u16(o, track.width());
                put_u16(o, track.height());
                put_u32(o, 0x0048_0000); // horizresolution 72 dpi
                put_u32(o, 0x0048_0000); // vertresolution 72 dpi
                put_u32(o, 0); // reserved
                put_u16(o, 1); // frame_count
                o.extend_from_slice(&[0; 32]); // compressorname (empty)
                put_u16(o, 0x0018); // depth
                put_u16(o, 0xffff); // pre_defined = -1
                let config_type = match track.codec() {
                    Codec::H264 => b"avcC",
                    Codec::H265 => b"hvcC",
                };
                write_box(o, config_type, |o| {
                    o.extend_from_slice(track.decoder_config())
                });
                if let Some((h_spacing, v_spacing)) = track.sample_aspect_ratio() {
                    write_box(o, b"pasp", |o| {
                        put_u32(o, h_spacing.into());
                        put_u32(o, v_spacing.into());
                    });
                }
            });
        });
        // Empty sample tables: every sample is in a fragment.
        for fourcc in [b"stts", b"stsc", b"stco"] {
            write_full_box(o, fourcc, 0, 0, |o| put_u32(o, 0));
        }
        write_full_box(o, b"stsz", 0, 0, |o| {
            put_u32(o, 0); // sample_size
            put_u32(o, 0); // sample_count
        });
    });
}

/// What [`append_sample_data`] found in an access unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessUnitSummary {
    /// Whether the access unit holds a random access slice (H.264 IDR, H.265 IRAP: BLA,
    /// IDR or CRA), so that it may start a fragment and be marked as a sync sample.
    pub is_random_access: bool,
    /// How many NAL units were written.
    pub nal_count: usize,
    /// How many NAL units were left out (parameter sets and access unit delimiters).
    pub omitted_count: usize,
}

/// Writes one access unit as MP4 sample data: each NAL unit preceded by its 4-byte length,
/// parameter sets (VPS, SPS, PPS) and access unit delimiters left out (the parameter sets
/// belong in the init segment; compare [`TrackConfig::from_nals`] of the same units with
/// the current configuration to notice a change).
///
/// For units that arrive length-prefixed (as from an RTSP client), pass
/// `nal::length_prefixed(data)` collected into a list.
pub fn append_sample_data<'n>(
    codec: Codec,
    nals: impl IntoIterator<Item = &'n [u8]>,
    out: &mut Vec<u8>,
) -> Result<AccessUnitSummary, NalError> {
    let mut summary = AccessUnitSummary {
        is_random_access: false,
        nal_count: 0,
        omitted_count: 0,
    };
    for nal in nals {
        let kind = nal_kind(codec, nal).ok_or(NalError::HeaderMissing {
            len_bytes: nal.len(),
        })?;
        if kind.is_out_of_band() {
            summary.omitted_count += 1;
            continue;
        }
        summary.is_random_access |= kind == NalKind::RandomAccessSlice;
        append_length_prefixed(out, nal)?;
        summary.nal_count += 1;
    }
    Ok(summary)
}

/// One sample (access unit) to put in a fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample<'a> {
    /// The access unit as 4-byte-length-prefixed NAL units without parameter sets (see
    /// [`append_sample_data`]).
    pub data: &'a [u8],
    /// Time until the next sample's decode time, in 90 kHz ticks. `None` is allowed for the
    /// last sample of a fragment only (its successor may not have arrived yet): it then
    /// takes the previous sample's duration.
    pub duration_90k: Option<u32>,
    /// Whether decoding can start here (a key frame).
    pub is_sync: bool,
    /// Presentation time minus decode time, in 90 kHz ticks; 0 unless the stream reorders
    /// pictures (B-frames).
    pub composition_offset_90k: i32,
}

/// Where a sample lies and when it plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleLocation {
    /// Offset of the sample's first byte: from the start of the fragment for
    /// [`Fragment::samples`], from the start of the input for the reader.
    pub offset: u64,
    /// Length in bytes.
    pub len_bytes: u32,
    /// Decode time in 90 kHz ticks.
    pub decode_time_90k: u64,
    /// Duration in 90 kHz ticks.
    pub duration_90k: u32,
    /// Presentation time minus decode time, in 90 kHz ticks.
    pub composition_offset_90k: i32,
    /// Whether the sample is a sync sample.
    pub is_sync: bool,
}

/// A finished movie fragment: `moof` followed by `mdat`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fragment {
    /// The bytes of the `moof` and `mdat` boxes.
    pub bytes: Vec<u8>,
    /// The `mfhd` sequence number.
    pub sequence_number: u32,
    /// The decode time of the first sample, in 90 kHz ticks.
    pub base_decode_time_90k: u64,
    /// The sum of the sample durations, in 90 kHz ticks.
    pub duration_90k: u64,
    /// Each sample's place in [`Fragment::bytes`] and its timing.
    pub samples: Vec<SampleLocation>,
}

impl Fragment {
    /// The decode time just after the last sample: the next fragment's base decode time
    /// when there is no gap.
    pub fn end_decode_time_90k(&self) -> u64 {
        self.base_decode_time_90k + self.duration_90k
    }
}

/// Why a fragment could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FragmentError {
    /// A fragment needs at least one sample.
    #[error("a fragment needs at least one sample")]
    Empty,
    /// More samples than [`MAX_SAMPLES_PER_FRAGMENT`].
    #[error("more than {MAX_SAMPLES_PER_FRAGMENT} samples in one fragment")]
    TooManySamples,
    /// A sample's data is not well-formed length-prefixed NAL units.
    #[error("sample {index}: {source}")]
    BadSampleData {
        /// The sample's index in the fragment.
        index: usize,
        /// What is wrong with it.
        source: NalError,
    },
    /// A sample without data.
    #[error("sample {index} is empty")]
    EmptySample {
        /// The sample's index in the fragment.
        index: usize,
    },
    /// A sample too large for the 32-bit size of `trun`.
    #[error("sample {index} has {len_bytes} bytes, more than 4 GiB")]
    SampleTooLarge {
        /// The sample's index in the fragment.
        index: usize,
        /// Its size.
        len_bytes: usize,
    },
    /// A sample other than the last has no duration, or the only sample has none.
    #[error("sample {index} has no duration (only a last sample after another may omit it)")]
    MissingDuration {
        /// The sample's index in the fragment.
        index: usize,
    },
    /// Decode times passed 2⁶⁴ ticks.
    #[error("decode time overflows 64 bits")]
    DecodeTimeOverflow,
}

/// Collects the samples of one fragment (one group of pictures) and writes it.
#[derive(Debug, Clone)]
pub struct FragmentBuilder {
    sequence_number: u32,
    base_decode_time_90k: u64,
    samples: Vec<PendingSample>,
    mdat_payload: Vec<u8>,
}

#[derive(Debug, Clone, Copy)]
struct PendingSample {
    len_bytes: u32,
    duration_90k: Option<u32>,
    is_sync: bool,
    composition_offset_90k: i32,
}

impl FragmentBuilder {
    /// Starts a fragment. Sequence numbers should start at 1 and increase by one with each
    /// fragment of a recording; the base decode time is the first sample's decode time.
    pub fn new(sequence_number: u32, base_decode_time_90k: u64) -> Self {
        Self {
            sequence_number,
            base_decode_time_90k,
            samples: Vec::new(),
            mdat_payload: Vec::new(),
        }
    }

    /// How many samples have been added.
    pub fn sample_count(&self) -> usize {
        self.samples.len()
    }

    /// Whether no sample has been added.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// Adds a sample after checking that its data is well-formed length-prefixed NAL units.
    pub fn push(&mut self, sample: Sample<'_>) -> Result<(), FragmentError> {
        let index = self.samples.len();
        if index >= MAX_SAMPLES_PER_FRAGMENT {
            return Err(FragmentError::TooManySamples);
        }
        if let Some(previous) = self.samples.last()
            && previous.duration_90k.is_none()
        {
            return Err(FragmentError::MissingDuration { index: index - 1 });
        }
        if sample.data.is_empty() {
            return Err(FragmentError::EmptySample { index });
        }
        let len_bytes =
            u32::try_from(sample.data.len()).map_err(|_| FragmentError::SampleTooLarge {
                index,
                len_bytes: sample.data.len(),
            })?;
        if let Some(Err(source)) = length_prefixed(sample.data).find(Result::is_err) {
            return Err(FragmentError::BadSampleData { index, source });
        }
        self.mdat_payload.extend_from_slice(sample.data);
        self.samples.push(PendingSample {
            len_bytes,
            duration_90k: sample.duration_90k,
            is_sync: sample.is_sync,
            composition_offset_90k: sample.composition_offset_90k,
        });
        Ok(())
    }

    /// Writes the `moof` and `mdat`.
    pub fn finish(self) -> Result<Fragment, FragmentError> {
        let count = self.samples.len();
        if count == 0 {
            return Err(FragmentError::Empty);
        }
        // Fill in a missing last duration from the previous sample.
        let mut durations = Vec::with_capacity(count);
        for (index, s) in self.samples.iter().enumerate() {
            let d = match s.duration_90k {
                Some(d) => d,
                None => *durations
                    .last()
                    .ok_or(FragmentError::MissingDuration { index })?,
            };
            durations.push(d);
        }
        let with_composition = self.samples.iter().any(|s| s.composition_offset_90k != 0);
        let mut trun_flags =
            TRUN_DATA_OFFSET | TRUN_SAMPLE_DURATION | TRUN_SAMPLE_SIZE | TRUN_SAMPLE_FLAGS;
        if with_composition {
            trun_flags |= TRUN_SAMPLE_COMPOSITION_OFFSET;
        }
        // Version 1 makes composition offsets signed; version 0 when none are needed.
        let trun_version = u8::from(with_composition);

        let mut moof = Vec::with_capacity(128 + count * 16);
        let mut data_offset_at = 0;
        write_box(&mut moof, b"moof", |o| {
            write_full_box(o, b"mfhd", 0, 0, |o| put_u32(o, self.sequence_number));
            write_box(o, b"traf", |o| {
                write_full_box(o, b"tfhd", 0, TFHD_DEFAULT_BASE_IS_MOOF, |o| {
                    put_u32(o, TRACK_ID);
                });
                write_full_box(o, b"tfdt", 1, 0, |o| {
                    o.extend_from_slice(&self.base_decode_time_90k.to_be_bytes());
                });
                write_full_box(o, b"trun", trun_version, trun_flags, |o| {
                    // count ≤ MAX_SAMPLES_PER_FRAGMENT, so it fits.
                    put_u32(o, count as u32);
                    data_offset_at = o.len();
                    put_u32(o, 0); // data_offset, filled in below
                    for (s, &duration) in self.samples.iter().zip(&durations) {
                        put_u32(o, duration);
                        put_u32(o, s.len_bytes);
                        put_u32(
                            o,
                            if s.is_sync {
                                SYNC_SAMPLE_FLAGS
                            } else {
                                NON_SYNC_SAMPLE_FLAGS
                            },
                        );
                        if with_composition {
                            o.extend_from_slice(&s.composition_offset_90k.to_be_bytes());
                        }
                    }
                });
            });
        });

        let payload_len = self.mdat_payload.len() as u64;
        let mdat_header_len: u64 = if payload_len + 8 <= u64::from(u32::MAX) {
            8
        } else {
            16
        };
        let data_offset = moof.len() as u64 + mdat_header_len;
        // The moof is at most a few MiB (MAX_SAMPLES_PER_FRAGMENT × 16 bytes), so this fits.
        let data_offset_i32 = i32::try_from(data_offset).unwrap_or(i32::MAX);
        moof[data_offset_at..data_offset_at + 4].copy_from_slice(&data_offset_i32.to_be_bytes());

        let mut bytes = moof;
        bytes.reserve(self.mdat_payload.len() + 16);
        if mdat_header_len == 8 {
            put_u32(&mut bytes, (payload_len + 8) as u32);
            bytes.extend_from_slice(b"mdat");
        } else {
            put_u32(&mut bytes, 1);
            bytes.extend_from_slice(b"mdat");
            bytes.extend_from_slice(&(payload_len + 16).to_be_bytes());
        }
        bytes.extend_from_slice(&self.mdat_payload);

        let mut samples = Vec::with_capacity(count);
        let mut offset = data_offset;
        let mut decode_time_90k = self.base_decode_time_90k;
        for (s, &duration_90k) in self.samples.iter().zip(&durations) {
            samples.push(SampleLocation {
                offset,
                len_bytes: s.len_bytes,
                decode_time_90k,
                duration_90k,
                composition_offset_90k: s.composition_offset_90k,
                is_sync: s.is_sync,
            });
            offset += u64::from(s.len_bytes);
            decode_time_90k = decode_time_90k
                .checked_add(u64::from(duration_90k))
                .ok_or(FragmentError::DecodeTimeOverflow)?;
        }
        Ok(Fragment {
            bytes,
            sequence_number: self.sequence_number,
            base_decode_time_90k: self.base_decode_time_90k,
            duration_90k: decode_time_90k - self.base_decode_time_90k,
            samples,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::params::tests::*;
    use super::super::reader::{BoxRef, boxes, fragments, parse_init};
    use super::*;

    /// Every box type in the tree, depth-first, indented by depth.
    fn tree(bytes: &[u8]) -> Vec<String> {
        fn walk(b: BoxRef<'_>, depth: usize, out: &mut Vec<String>) {
            out.push(format!("{}{}", "  ".repeat(depth), b.fourcc));
            let skip = match &b.fourcc.0 {
                b"moov" | b"trak" | b"mdia" | b"minf" | b"dinf" | b"stbl" | b"mvex" | b"moof"
                | b"traf" => Some(0),
                b"dref" | b"stsd" => Some(8),
                b"avc1" | b"hvc1" => Some(78),
                _ => None,
            };
            if let Some(skip) = skip {
                for child in b.children_after(skip) {
                    walk(child.expect("well-formed child"), depth + 1, out);
                }
            }
        }
        let mut out = Vec::new();
        for b in boxes(bytes) {
            walk(b.expect("well-formed box"), 0, &mut out);
        }
        out
    }

    fn h264_track() -> TrackConfig {
        TrackConfig::h264(&hex(H264_1080P_SPS), &hex(H264_1080P_PPS)).expect("valid")
    }

    fn h265_track() -> TrackConfig {
        TrackConfig::h265(
            &hex(H265_1080P_VPS),
            &hex(H265_1080P_SPS),
            &hex(H265_1080P_PPS),
        )
        .expect("valid")
    }

    #[test]
    fn init_segment_has_the_documented_boxes() {
        let init = init_segment(&h264_track());
        let expected = [
            "ftyp",
            "moov",
            "  mvhd",
            "  trak",
            "    tkhd",
            "    mdia",
            "      mdhd",
            "      hdlr",
            "      minf",
            "        vmhd",
            "        dinf",
            "          dref",
            "            url ",
            "        stbl",
            "          stsd",
            "            avc1",
            "              avcC",
            "          stts",
            "          stsc",
            "          stco",
            "          stsz",
            "  mvex",
            "    trex",
        ];
        assert_eq!(tree(&init), expected);
        assert_eq!(&init[4..24], b"ftypiso6\0\0\0\0iso6iso5");
    }

    #[test]
    fn init_segment_round_trips_through_the_reader() {
        for track in [h264_track(), h265_track()] {
            let init = init_segment(&track);
            let info = parse_init(&init).expect("our own init segment reads back");
            assert_eq!(info.codec, track.codec());
            assert_eq!((info.width, info.height), (1920, 1080));
            assert_eq!(info.decoder_config, track.decoder_config());
            assert_eq!(info.len_bytes, init.len() as u64);
            let again = TrackConfig::from_decoder_config(info.codec, &info.decoder_config)
                .expect("valid record");
            assert_eq!(
                again, track,
                "the init segment holds the whole configuration"
            );
            assert_eq!(init_segment(&again), init, "same configuration, same bytes");
        }
        let hevc = tree(&init_segment(&h265_track()));
        assert!(hevc.contains(&"            hvc1".to_string()));
        assert!(hevc.contains(&"              hvcC".to_string()));
    }

    #[test]
    fn sample_aspect_ratio_goes_into_pasp_and_tkhd() {
        let track =
            TrackConfig::h264(&hex(H264_INTERLACED_SAR_SPS), &hex(H264_1080P_PPS)).expect("valid");
        let init = init_segment(&track);
        assert!(tree(&init).contains(&"              pasp".to_string()));
        let pasp_at = init
            .windows(4)
            .position(|w| w == b"pasp")
            .expect("pasp present");
        assert_eq!(
            &init[pasp_at + 4..pasp_at + 12],
            &[0, 0, 0, 16, 0, 0, 0, 15]
        );
        // tkhd ends with width and height in 16.16: 720 × 16/15 = 768 wide.
        let tkhd_at = init.windows(4).position(|w| w == b"tkhd").expect("tkhd");
        let tkhd_len = 8 + 84;
        let wh = &init[tkhd_at - 4 + tkhd_len - 8..tkhd_at - 4 + tkhd_len];
        assert_eq!(wh, &[3, 0, 0, 0, 2, 0x40, 0, 0]);
    }

    /// Length-prefixed sample data of one NAL unit of type `nal_type` and `len` bytes.
    fn sample_data(first_byte: u8, len: usize) -> Vec<u8> {
        let mut nal = vec![first_byte];
        nal.extend((1..len).map(|i| i as u8));
        let mut out = Vec::new();
        append_length_prefixed(&mut out, &nal).expect("fits");
        out
    }

    #[test]
    fn fragment_layout_offsets_and_timing() {
        let data = [
            sample_data(0x65, 300),
            sample_data(0x41, 40),
            sample_data(0x41, 50),
        ];
        let mut b = FragmentBuilder::new(7, 900_000);
        for (i, d) in data.iter().enumerate() {
            b.push(Sample {
                data: d,
                duration_90k: if i < 2 { Some(3600) } else { None },
                is_sync: i == 0,
                composition_offset_90k: 0,
            })
            .expect("valid sample");
        }
        let f = b.finish().expect("valid fragment");
        assert_eq!(
            tree(&f.bytes),
            [
                "moof", "  mfhd", "  traf", "    tfhd", "    tfdt", "    trun", "mdat"
            ]
        );
        assert_eq!(f.sequence_number, 7);
        assert_eq!(f.base_decode_time_90k, 900_000);
        assert_eq!(
            f.duration_90k,
            3 * 3600,
            "last duration copied from the previous"
        );
        assert_eq!(f.end_decode_time_90k(), 900_000 + 3 * 3600);
        // trun: version 0, flags 0x000701.
        let trun_at = f.bytes.windows(4).position(|w| w == b"trun").expect("trun");
        assert_eq!(&f.bytes[trun_at + 4..trun_at + 8], &[0, 0, 0x07, 0x01]);
        // Sample flags: sync, then non-sync.
        let first_flags = trun_at + 16 + 8;
        assert_eq!(&f.bytes[first_flags..first_flags + 4], &[2, 0, 0, 0]);
        assert_eq!(&f.bytes[first_flags + 12..first_flags + 16], &[1, 1, 0, 0]);
        for (loc, d) in f.samples.iter().zip(&data) {
            let start = loc.offset as usize;
            assert_eq!(
                &f.bytes[start..start + loc.len_bytes as usize],
                d.as_slice()
            );
        }
        assert_eq!(
            f.samples
                .iter()
                .map(|s| s.decode_time_90k)
                .collect::<Vec<_>>(),
            [900_000, 903_600, 907_200]
        );
        // The reader sees the same fragment.
        let read: Vec<_> = fragments(&f.bytes)
            .collect::<Result<_, _>>()
            .expect("our own fragment reads back");
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].samples, f.samples);
        assert_eq!(read[0].sequence_number, 7);
        assert_eq!(read[0].base_decode_time_90k, 900_000);
        assert_eq!(read[0].len_bytes, f.bytes.len() as u64);
    }

    #[test]
    fn composition_offsets_use_trun_version_1() {
        let d = sample_data(0x65, 10);
        let mut b = FragmentBuilder::new(1, 0);
        for (i, cto) in [7200, -3600, 0].into_iter().enumerate() {
            b.push(Sample {
                data: &d,
                duration_90k: Some(3600),
                is_sync: i == 0,
                composition_offset_90k: cto,
            })
            .expect("valid");
        }
        let f = b.finish().expect("valid");
        let trun_at = f.bytes.windows(4).position(|w| w == b"trun").expect("trun");
        assert_eq!(&f.bytes[trun_at + 4..trun_at + 8], &[1, 0, 0x0f, 0x01]);
        let read = fragments(&f.bytes)
            .next()
            .expect("one fragment")
            .expect("valid");
        let ctos: Vec<i32> = read
            .samples
            .iter()
            .map(|s| s.composition_offset_90k)
            .collect();
        assert_eq!(ctos, [7200, -3600, 0]);
    }

    #[test]
    fn fragment_builder_refuses_bad_input() {
        let good = sample_data(0x65, 10);
        let sample = |data, duration_90k| Sample {
            data,
            duration_90k,
            is_sync: true,
            composition_offset_90k: 0,
        };
        assert_eq!(
            FragmentBuilder::new(1, 0).finish().expect_err("empty"),
            FragmentError::Empty
        );
        let mut b = FragmentBuilder::new(1, 0);
        b.push(sample(&good, None)).expect("may be last");
        assert_eq!(
            b.clone().finish().expect_err("nothing to copy"),
            FragmentError::MissingDuration { index: 0 }
        );
        assert_eq!(
            b.push(sample(&good, Some(1))).expect_err("not last"),
            FragmentError::MissingDuration { index: 0 }
        );
        let mut b = FragmentBuilder::new(1, 0);
        assert_eq!(
            b.push(sample(&[], Some(1))).expect_err("empty"),
            FragmentError::EmptySample { index: 0 }
        );
        assert!(matches!(
            b.push(sample(&[0, 0, 0, 9, 0x65], Some(1)))
                .expect_err("length overruns"),
            FragmentError::BadSampleData { index: 0, .. }
        ));
        assert!(b.is_empty(), "refused samples are not kept");
        let mut b = FragmentBuilder::new(1, u64::MAX - 1);
        b.push(sample(&good, Some(5))).expect("valid");
        assert_eq!(
            b.finish().expect_err("overflow"),
            FragmentError::DecodeTimeOverflow
        );
    }

    #[test]
    fn parameter_sets_and_delimiters_are_left_out_of_samples() {
        let sps = hex(H264_1080P_SPS);
        let pps = hex(H264_1080P_PPS);
        let nals: [&[u8]; 5] = [
            &[0x09, 0xf0],
            &sps,
            &pps,
            &[0x06, 5, 0x80],
            &[0x65, 0x88, 1],
        ];
        let mut out = Vec::new();
        let s = append_sample_data(Codec::H264, nals, &mut out).expect("valid");
        assert_eq!(
            s,
            AccessUnitSummary {
                is_random_access: true,
                nal_count: 2,
                omitted_count: 3
            }
        );
        assert_eq!(out, [0, 0, 0, 3, 0x06, 5, 0x80, 0, 0, 0, 3, 0x65, 0x88, 1]);

        // H.265: VPS, SPS, PPS and AUD left out; a CRA picture (type 21) is a random access
        // point, a trailing picture (type 1) is not.
        let h265 = |t: u8| vec![t << 1, 1, 0xaa];
        let (vps, sps, pps, aud, cra, trail) =
            (h265(32), h265(33), h265(34), h265(35), h265(21), h265(1));
        let mut out = Vec::new();
        let s = append_sample_data(Codec::H265, [&aud[..], &vps, &sps, &pps, &cra], &mut out)
            .expect("valid");
        assert!(s.is_random_access);
        assert_eq!((s.nal_count, s.omitted_count), (1, 4));
        let mut out = Vec::new();
        let s = append_sample_data(Codec::H265, [&trail[..]], &mut out).expect("valid");
        assert!(!s.is_random_access);
        assert_eq!(
            append_sample_data(Codec::H265, [&[0x02][..]], &mut out).expect_err("short"),
            NalError::HeaderMissing { len_bytes: 1 }
        );
    }
}
