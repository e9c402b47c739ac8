//! Fragmented MP4 (ISO/IEC 14496-12, with H.264/H.265 storage from ISO/IEC 14496-15): the
//! byte layout in which Custos stores camera video, exactly as the camera coded it.
//!
//! A recording is an *init segment* for each codec configuration, then *fragments*, one
//! per group of pictures (GOP), concatenated into segment files of about a minute. An init
//! segment followed by any run of fragments made with it, in order, is a playable file: the
//! original recording, a reassembled range for export, or a Media Source Extensions stream.
//!
//! # Byte layout
//!
//! All integers are big-endian. Every box is a 32-bit size and a four-character type, then
//! its body; a full box's body starts with an 8-bit version and 24 bits of flags. Only an
//! `mdat` of 4 GiB or more uses the 64-bit size form (size field 1, then a 64-bit size).
//! Times are in a 90 kHz timescale ([`TIMESCALE_90K`]), the RTP clock of H.264 and H.265.
//! There is one track, with ID 1 ([`TRACK_ID`]).
//!
//! Init segment ([`init_segment`]):
//!
//! ```text
//! ftyp              major brand iso6, minor version 0, compatible iso6 iso5
//! moov
//!   mvhd  v0        times 0, timescale 90000, duration 0, rate 1.0, volume 1.0,
//!                   unity matrix, next_track_ID 2
//!   trak
//!     tkhd  v0 flags 3 (enabled, in movie)   track_ID 1, duration 0, unity matrix,
//!                   width × sample aspect ratio and height, 16.16 fixed point
//!     mdia
//!       mdhd  v0    timescale 90000, duration 0, language "und"
//!       hdlr  v0    handler "vide", name "Video"
//!       minf
//!         vmhd  v0 flags 1
//!         dinf / dref v0 (1 entry) / "url " v0 flags 1 (data in this file)
//!         stbl
//!           stsd  v0 (1 entry)
//!             avc1 | hvc1   data_reference_index 1, cropped width and height, 72 dpi,
//!                           frame_count 1, empty compressor name, depth 0x18
//!               avcC | hvcC   decoder configuration record: all parameter sets, 4-byte
//!                             NAL unit lengths; hvcC arrays VPS, SPS, PPS each with
//!                             array_completeness 1
//!               pasp          only when the H.264 VUI gives a sample aspect ratio other
//!                             than 1:1
//!           stts, stsc, stco v0 with 0 entries; stsz v0 sample_size 0, 0 entries
//!   mvex
//!     trex  v0      track_ID 1, sample description 1, defaults 0
//! ```
//!
//! Fragment ([`FragmentBuilder`]):
//!
//! ```text
//! moof
//!   mfhd  v0        sequence_number (1, 2, 3, … along a recording)
//!   traf
//!     tfhd  v0 flags 0x020000 (default-base-is-moof)   track_ID 1
//!     tfdt  v1      baseMediaDecodeTime, 64 bits, 90 kHz
//!     trun  v0 flags 0x000701 (data offset; per-sample duration, size, flags), or
//!           v1 flags 0x000f01 (also signed composition offsets) when any sample has one
//!                   sample_count, data_offset (from the moof's first byte to the first
//!                   sample byte), then per sample: duration, size, flags
//!                   [, composition offset]
//! mdat              the samples back to back, in decode order
//! ```
//!
//! Sample flags are 0x02000000 for a sync sample (depends on no other, not non-sync) and
//! 0x01010000 otherwise (depends on others, non-sync). A sample is one access unit as
//! NAL units each preceded by a 4-byte length, without parameter sets or access unit
//! delimiters (those live only in the init segment). A fragment starts with a sync sample:
//! H.264 IDR, or H.265 IRAP (IDR, CRA or BLA).
//!
//! The brands: readers honour default-base-is-moof only in files compatible with `iso5` or
//! a later brand of that series, so `iso5` is listed beside the major brand `iso6`. No
//! `cmfc` (CMAF) brand is claimed, and there is no `sidx`, `mfra` or `styp`: an index in
//! the database points at fragments instead.
//!
//! # Changes of configuration
//!
//! Parameter sets are out of band (`avc1`, `hvc1`), so a fragment can only be decoded
//! with the init segment made from the same parameter sets. When a camera's parameter sets
//! change, the recorder starts a new init segment; [`TrackConfig`] equality tells it when.
//!
//! Modules: [`nal`] (NAL units, bits, Annex B), [`params`] (SPS parsing, `avcC`/`hvcC`),
//! [`track`] (the track configuration), [`writer`] (init segments and fragments),
//! [`reader`] (a strict reader of the same layout), [`remux`] (progressive MP4 working
//! copies for recipients, with a timestamp subtitle track, and the sample lists that show a
//! working copy holds exactly the recorded samples).

pub mod nal;
pub mod params;
pub mod reader;
pub mod remux;
pub mod track;
pub mod writer;

pub use nal::Codec;
pub use reader::{FragmentInfo, InitInfo, ReadError, boxes, fragments, parse_init};
pub use track::TrackConfig;
pub use writer::{
    AccessUnitSummary, Fragment, FragmentBuilder, FragmentError, Sample, SampleLocation,
    append_sample_data, init_segment,
};

/// Ticks per second of every time in the files: 90 kHz.
pub const TIMESCALE_90K: u32 = 90_000;

/// The ID of the one track.
pub const TRACK_ID: u32 = 1;
