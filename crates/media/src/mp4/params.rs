//! Sequence parameter sets and decoder configuration records: what the sample entry of an
//! MP4 track needs to know about an H.264 or H.265 stream.
//!
//! - [`H264Sps::parse`] reads an H.264 SPS (ISO/IEC 14496-10 §7.3.2.1.1) as far as the VUI
//!   timing information (Annex E): profile, level, chroma format, bit depths, the cropped
//!   picture size, the sample aspect ratio and the tick rate.
//! - [`H265Sps::parse`] reads an H.265 SPS (ISO/IEC 23008-2 §7.3.2.2) as far as the bit
//!   depths: profile/tier/level, chroma format and the picture size inside the conformance
//!   window. Its VUI is not read (it lies behind the reference picture sets).
//! - [`avc_decoder_config`] and [`hevc_decoder_config`] build the `avcC` and `hvcC` payloads
//!   (ISO/IEC 14496-15 §5.3.3.1 and §8.3.3.1) with 4-byte NAL unit lengths;
//!   [`parse_avc_decoder_config`] and [`parse_hevc_decoder_config`] take them apart again.
//!
//! Invariants: parsing never panics, whatever the bytes; every error says which structure
//! and, for bit-level problems, at which bit (counted from the NAL unit header, after
//! emulation prevention bytes are removed) it went wrong. A parsed picture size is never
//! zero and fits 16 bits, as the MP4 sample entry requires.

use super::nal::{BitReader, Codec, NalError, NalKind, nal_kind, to_rbsp};

/// An error in a parameter set or decoder configuration record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    /// The structure ended before a field it must have.
    #[error("{what} truncated at bit {at_bit}")]
    Truncated {
        /// What was being read ("H.264 SPS", …).
        what: &'static str,
        /// Where the field that could not be read starts.
        at_bit: u64,
    },
    /// An Exp-Golomb code too long to be valid.
    #[error("{what}: Exp-Golomb code at bit {at_bit} is longer than 32 bits")]
    BadExpGolomb {
        /// What was being read.
        what: &'static str,
        /// Where the code starts.
        at_bit: u64,
    },
    /// A field holds a value outside the range the standard allows.
    #[error("{what}: {field} {value} is out of range")]
    OutOfRange {
        /// What was being read.
        what: &'static str,
        /// The syntax element's name.
        field: &'static str,
        /// Its value.
        value: u64,
    },
    /// A value the standard allows but this reader does not handle.
    #[error("{what}: unsupported {field} {value}")]
    Unsupported {
        /// What was being read.
        what: &'static str,
        /// The syntax element's name.
        field: &'static str,
        /// Its value.
        value: u64,
    },
    /// A NAL unit of the wrong type was given.
    #[error("expected {expected}, found NAL unit type {found:?}")]
    WrongNalType {
        /// What was expected ("H.264 SPS", …).
        expected: &'static str,
        /// The `nal_unit_type` found, `None` for a unit shorter than its header.
        found: Option<u8>,
    },
    /// A required parameter set is missing.
    #[error("no {0} among the parameter sets")]
    Missing(&'static str),
    /// Too many parameter sets, or one too long, for a decoder configuration record.
    #[error("{0} do not fit a decoder configuration record")]
    TooLarge(&'static str),
    /// A decoder configuration record (`avcC`/`hvcC`) is malformed.
    #[error("{what} is malformed: {problem}")]
    BadRecord {
        /// "avcC" or "hvcC".
        what: &'static str,
        /// What is wrong.
        problem: &'static str,
    },
}

impl ParamError {
    fn from_bits(what: &'static str, e: NalError) -> Self {
        match e {
            NalError::ExpGolombTooLong { at_bit } => ParamError::BadExpGolomb { what, at_bit },
            NalError::Truncated { at_bit } => ParamError::Truncated { what, at_bit },
            // Bit reading yields no other errors; report them as truncation at the start.
            _ => ParamError::Truncated { what, at_bit: 0 },
        }
    }
}

/// A bit reader that names what it reads in its errors.
struct Fields<'a> {
    bits: BitReader<'a>,
    what: &'static str,
}

impl Fields<'_> {
    fn u(&mut self, n: u32) -> Result<u32, ParamError> {
        self.bits
            .read_bits(n)
            .map_err(|e| ParamError::from_bits(self.what, e))
    }
    fn u64(&mut self, n: u32) -> Result<u64, ParamError> {
        self.bits
            .read_bits_u64(n)
            .map_err(|e| ParamError::from_bits(self.what, e))
    }
    fn flag(&mut self) -> Result<bool, ParamError> {
        self.bits
            .read_bit()
            .map_err(|e| ParamError::from_bits(self.what, e))
    }
    fn u8(&mut self) -> Result<u8, ParamError> {
        self.bits
            .read_u8()
            .map_err(|e| ParamError::from_bits(self.what, e))
    }
    fn ue(&mut self) -> Result<u32, ParamError> {
        self.bits
            .read_ue()
            .map_err(|e| ParamError::from_bits(self.what, e))
    }
    /// `ue(v)` that must not exceed `max`.
    fn ue_max(&mut self, field: &'static str, max: u32) -> Result<u32, ParamError> {
        let value = self.ue()?;
        if value > max {
            return Err(self.out_of_range(field, u64::from(value)));
        }
        Ok(value)
    }
    fn se(&mut self) -> Result<i32, ParamError> {
        self.bits
            .read_se()
            .map_err(|e| ParamError::from_bits(self.what, e))
    }
    fn skip(&mut self, n: u64) -> Result<(), ParamError> {
        self.bits
            .skip_bits(n)
            .map_err(|e| ParamError::from_bits(self.what, e))
    }
    fn out_of_range(&self, field: &'static str, value: u64) -> ParamError {
        ParamError::OutOfRange {
            what: self.what,
            field,
            value,
        }
    }
}

/// Timing information from an H.264 VUI (Annex E.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VuiTiming {
    /// `num_units_in_tick`.
    pub num_units_in_tick: u32,
    /// `time_scale` (ticks per second are `time_scale / num_units_in_tick`; a frame is
    /// usually two ticks).
    pub time_scale: u32,
    /// `fixed_frame_rate_flag`.
    pub fixed_frame_rate: bool,
}

/// What Custos reads from an H.264 sequence parameter set.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct H264Sps {
    /// `profile_idc` (66 Baseline, 77 Main, 100 High, …).
    pub profile_idc: u8,
    /// The byte of `constraint_set0..5_flag` and the two reserved bits.
    pub constraint_flags: u8,
    /// `level_idc` (ten times the level number).
    pub level_idc: u8,
    /// `seq_parameter_set_id`.
    pub seq_parameter_set_id: u32,
    /// `chroma_format_idc` (0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4).
    pub chroma_format_idc: u8,
    /// Luma bit depth (8 to 14).
    pub bit_depth_luma: u8,
    /// Chroma bit depth (8 to 14).
    pub bit_depth_chroma: u8,
    /// `frame_mbs_only_flag`: false when the stream may contain fields.
    pub frame_mbs_only: bool,
    /// Picture width in luma samples after cropping.
    pub width: u16,
    /// Picture height in luma samples after cropping (a frame's height for field streams).
    pub height: u16,
    /// Sample aspect ratio (horizontal, vertical) when the VUI gives one other than 1:1
    /// or unspecified.
    pub sample_aspect_ratio: Option<(u16, u16)>,
    /// VUI timing information, when present.
    pub timing: Option<VuiTiming>,
}

/// Profiles whose SPS carries chroma format, bit depths and scaling lists (§7.3.2.1.1).
const H264_HIGH_PROFILES: [u8; 13] = [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135];

/// Sample aspect ratios of Table E-1, indexed by `aspect_ratio_idc` − 1.
const H264_SAR_TABLE: [(u16, u16); 16] = [
    (1, 1),
    (12, 11),
    (10, 11),
    (16, 11),
    (40, 33),
    (24, 11),
    (20, 11),
    (32, 11),
    (80, 33),
    (18, 11),
    (15, 11),
    (64, 33),
    (160, 99),
    (4, 3),
    (3, 2),
    (2, 1),
];

impl H264Sps {
    /// Parses an H.264 SPS NAL unit (header included, emulation prevention bytes present).
    pub fn parse(nal: &[u8]) -> Result<Self, ParamError> {
        const WHAT: &str = "H.264 SPS";
        let found = super::nal::nal_unit_type(Codec::H264, nal);
        if found != Some(7) {
            return Err(ParamError::WrongNalType {
                expected: WHAT,
                found,
            });
        }
        let rbsp = to_rbsp(nal);
        let mut r = Fields {
            bits: BitReader::new(&rbsp),
            what: WHAT,
        };
        r.skip(8)?; // NAL unit header
        let profile_idc = r.u8()?;
        let constraint_flags = r.u8()?;
        let level_idc = r.u8()?;
        let seq_parameter_set_id = r.ue_max("seq_parameter_set_id", 31)?;
        let mut chroma_format_idc = 1u32;
        let mut separate_colour_plane = false;
        let mut bit_depth_luma_minus8 = 0;
        let mut bit_depth_chroma_minus8 = 0;
        if H264_HIGH_PROFILES.contains(&profile_idc) {
            chroma_format_idc = r.ue_max("chroma_format_idc", 3)?;
            if chroma_format_idc == 3 {
                separate_colour_plane = r.flag()?;
            }
            bit_depth_luma_minus8 = r.ue_max("bit_depth_luma_minus8", 6)?;
            bit_depth_chroma_minus8 = r.ue_max("bit_depth_chroma_minus8", 6)?;
            r.skip(1)?; // qpprime_y_zero_transform_bypass_flag
            if r.flag()? {
                // seq_scaling_matrix_present_flag
                let lists = if chroma_format_idc == 3 { 12 } else { 8 };
                for i in 0..lists {
                    if r.flag()? {
                        skip_h264_scaling_list(&mut r, if i < 6 { 16 } else { 64 })?;
                    }
                }
            }
        }
        r.ue_max("log2_max_frame_num_minus4", 12)?;
        let pic_order_cnt_type = r.ue_max("pic_order_cnt_type", 2)?;
        if pic_order_cnt_type == 0 {
            r.ue_max("log2_max_pic_order_cnt_lsb_minus4", 12)?;
        } else if pic_order_cnt_type == 1 {
            r.skip(1)?; // delta_pic_order_always_zero_flag
            r.se()?; // offset_for_non_ref_pic
            r.se()?; // offset_for_top_to_bottom_field
            let cycle = r.ue_max("num_ref_frames_in_pic_order_cnt_cycle", 255)?;
            for _ in 0..cycle {
                r.se()?; // offset_for_ref_frame[i]
            }
        }
        r.ue()?; // max_num_ref_frames
        r.skip(1)?; // gaps_in_frame_num_value_allowed_flag
        let width_mbs = u64::from(r.ue()?) + 1;
        let height_map_units = u64::from(r.ue()?) + 1;
        let frame_mbs_only = r.flag()?;
        if !frame_mbs_only {
            r.skip(1)?; // mb_adaptive_frame_field_flag
        }
        r.skip(1)?; // direct_8x8_inference_flag
        let mut crop = [0u64; 4]; // left, right, top, bottom
        if r.flag()? {
            for c in &mut crop {
                *c = u64::from(r.ue()?);
            }
        }
        // §7.4.2.1.1: crop units depend on ChromaArrayType and frame_mbs_only_flag.
        let chroma_array_type = if separate_colour_plane {
            0
        } else {
            chroma_format_idc
        };
        let field_factor = if frame_mbs_only { 1 } else { 2 };
        let (crop_unit_x, crop_unit_y) = match chroma_array_type {
            1 => (2, 2 * field_factor),
            2 => (2, field_factor),
            _ => (1, field_factor),
        };
        let coded_width = width_mbs * 16;
        let coded_height = height_map_units * 16 * field_factor;
        let width = picture_dimension(
            WHAT,
            "width",
            coded_width,
            crop_unit_x * (crop[0] + crop[1]),
        )?;
        let height = picture_dimension(
            WHAT,
            "height",
            coded_height,
            crop_unit_y * (crop[2] + crop[3]),
        )?;

        let mut sample_aspect_ratio = None;
        let mut timing = None;
        if r.flag()? {
            // vui_parameters_present_flag
            if r.flag()? {
                // aspect_ratio_info_present_flag
                let idc = r.u8()?;
                let sar = match idc {
                    0 => None,
                    1..=16 => H264_SAR_TABLE.get(usize::from(idc) - 1).copied(),
                    255 => {
                        let w = r.u(16)? as u16;
                        let h = r.u(16)? as u16;
                        Some((w, h))
                    }
                    _ => None, // reserved values: treat as unspecified (Annex E.2.1)
                };
                sample_aspect_ratio = sar.filter(|&(w, h)| w != 0 && h != 0 && w != h);
            }
            if r.flag()? {
                // overscan_info_present_flag
                r.skip(1)?;
            }
            if r.flag()? {
                // video_signal_type_present_flag
                r.skip(4)?; // video_format, video_full_range_flag
                if r.flag()? {
                    r.skip(24)?; // colour_primaries, transfer, matrix
                }
            }
            if r.flag()? {
                // chroma_loc_info_present_flag
                r.ue()?;
                r.ue()?;
            }
            if r.flag()? {
                // timing_info_present_flag
                let num_units_in_tick = r.u(32)?;
                let time_scale = r.u(32)?;
                let fixed_frame_rate = r.flag()?;
                timing = Some(VuiTiming {
                    num_units_in_tick,
                    time_scale,
                    fixed_frame_rate,
                });
            }
        }

        Ok(H264Sps {
            profile_idc,
            constraint_flags,
            level_idc,
            seq_parameter_set_id,
            chroma_format_idc: chroma_format_idc as u8,
            bit_depth_luma: bit_depth_luma_minus8 as u8 + 8,
            bit_depth_chroma: bit_depth_chroma_minus8 as u8 + 8,
            frame_mbs_only,
            width,
            height,
            sample_aspect_ratio,
            timing,
        })
    }

    /// Frames per second from the VUI timing (two ticks per frame, §E.2.1), if given and
    /// sensible.
    pub fn frame_rate(&self) -> Option<f64> {
        let t = self.timing?;
        if t.num_units_in_tick == 0 || t.time_scale == 0 {
            return None;
        }
        Some(f64::from(t.time_scale) / (2.0 * f64::from(t.num_units_in_tick)))
    }
}

/// Skips one `scaling_list()` (§7.3.2.1.1.1) of `size` coefficients.
fn skip_h264_scaling_list(r: &mut Fields<'_>, size: usize) -> Result<(), ParamError> {
    let mut last_scale: i64 = 8;
    let mut next_scale: i64 = 8;
    for _ in 0..size {
        if next_scale != 0 {
            let delta = i64::from(r.se()?);
            if !(-128..=127).contains(&delta) {
                return Err(r.out_of_range("delta_scale", delta as u64));
            }
            next_scale = (last_scale + delta).rem_euclid(256);
        }
        if next_scale != 0 {
            last_scale = next_scale;
        }
    }
    Ok(())
}

/// A coded dimension less its cropping, checked to be positive and to fit 16 bits.
fn picture_dimension(
    what: &'static str,
    field: &'static str,
    coded: u64,
    cropped_away: u64,
) -> Result<u16, ParamError> {
    if cropped_away >= coded {
        return Err(ParamError::OutOfRange {
            what,
            field: if field == "width" {
                "horizontal cropping"
            } else {
                "vertical cropping"
            },
            value: cropped_away,
        });
    }
    let size = coded - cropped_away;
    u16::try_from(size).map_err(|_| ParamError::OutOfRange {
        what,
        field,
        value: size,
    })
}

/// What Custos reads from an H.265 sequence parameter set.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct H265Sps {
    /// `sps_max_sub_layers_minus1` + 1 (1 to 7).
    pub max_sub_layers: u8,
    /// `sps_temporal_id_nesting_flag`.
    pub temporal_id_nesting: bool,
    /// `general_profile_space` (0 to 3).
    pub general_profile_space: u8,
    /// `general_tier_flag` (false: Main tier, true: High tier).
    pub general_tier_flag: bool,
    /// `general_profile_idc` (1 Main, 2 Main 10, 3 Main Still Picture, 4 range extensions…).
    pub general_profile_idc: u8,
    /// `general_profile_compatibility_flag[0..32]`, flag 0 in the most significant bit.
    pub general_profile_compatibility_flags: u32,
    /// The 48 bits from `general_progressive_source_flag` to `general_inbld_flag` (or the
    /// reserved bit in its place), in the low 48 bits.
    pub general_constraint_indicator_flags: u64,
    /// `general_level_idc` (thirty times the level number).
    pub general_level_idc: u8,
    /// `sps_seq_parameter_set_id`.
    pub seq_parameter_set_id: u32,
    /// `chroma_format_idc` (0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4).
    pub chroma_format_idc: u8,
    /// Luma bit depth (8 to 16).
    pub bit_depth_luma: u8,
    /// Chroma bit depth (8 to 16).
    pub bit_depth_chroma: u8,
    /// Picture width in luma samples inside the conformance window.
    pub width: u16,
    /// Picture height in luma samples inside the conformance window.
    pub height: u16,
}

impl H265Sps {
    /// Parses an H.265 SPS NAL unit (header included, emulation prevention bytes present).
    pub fn parse(nal: &[u8]) -> Result<Self, ParamError> {
        const WHAT: &str = "H.265 SPS";
        let found = super::nal::nal_unit_type(Codec::H265, nal);
        if found != Some(33) {
            return Err(ParamError::WrongNalType {
                expected: WHAT,
                found,
            });
        }
        let rbsp = to_rbsp(nal);
        let mut r = Fields {
            bits: BitReader::new(&rbsp),
            what: WHAT,
        };
        r.skip(16)?; // NAL unit header
        r.skip(4)?; // sps_video_parameter_set_id
        let max_sub_layers_minus1 = r.u(3)?;
        if max_sub_layers_minus1 > 6 {
            return Err(r.out_of_range("sps_max_sub_layers_minus1", max_sub_layers_minus1.into()));
        }
        let temporal_id_nesting = r.flag()?;

        // profile_tier_level(1, sps_max_sub_layers_minus1), §7.3.3
        let general_profile_space = r.u(2)? as u8;
        let general_tier_flag = r.flag()?;
        let general_profile_idc = r.u(5)? as u8;
        let general_profile_compatibility_flags = r.u(32)?;
        let general_constraint_indicator_flags = r.u64(48)?;
        let general_level_idc = r.u8()?;
        let mut sub_layer_present = [(false, false); 6];
        for present in sub_layer_present
            .iter_mut()
            .take(max_sub_layers_minus1 as usize)
        {
            *present = (r.flag()?, r.flag()?);
        }
        if max_sub_layers_minus1 > 0 {
            r.skip(2 * u64::from(8 - max_sub_layers_minus1))?; // reserved_zero_2bits
        }
        for &(profile_present, level_present) in sub_layer_present
            .iter()
            .take(max_sub_layers_minus1 as usize)
        {
            if profile_present {
                r.skip(88)?; // sub-layer profile space … inbld/reserved flag
            }
            if level_present {
                r.skip(8)?; // sub_layer_level_idc
            }
        }

        let seq_parameter_set_id = r.ue_max("sps_seq_parameter_set_id", 15)?;
        let chroma_format_idc = r.ue_max("chroma_format_idc", 3)?;
        let mut separate_colour_plane = false;
        if chroma_format_idc == 3 {
            separate_colour_plane = r.flag()?;
        }
        let coded_width = u64::from(r.ue()?);
        let coded_height = u64::from(r.ue()?);
        if coded_width == 0 {
            return Err(r.out_of_range("pic_width_in_luma_samples", 0));
        }
        if coded_height == 0 {
            return Err(r.out_of_range("pic_height_in_luma_samples", 0));
        }
        let mut window = [0u64; 4]; // left, right, top, bottom
        if r.flag()? {
            // conformance_window_flag
            for w in &mut window {
                *w = u64::from(r.ue()?);
            }
        }
        // Table 6-1: SubWidthC and SubHeightC.
        let (sub_width, sub_height) = match (chroma_format_idc, separate_colour_plane) {
            (1, _) => (2, 2),
            (2, _) => (2, 1),
            _ => (1, 1),
        };
        let width = picture_dimension(
            WHAT,
            "width",
            coded_width,
            sub_width * (window[0] + window[1]),
        )?;
        let height = picture_dimension(
            WHAT,
            "height",
            coded_height,
            sub_height * (window[2] + window[3]),
        )?;
        let bit_depth_luma_minus8 = r.ue_max("bit_depth_luma_minus8", 8)?;
        let bit_depth_chroma_minus8 = r.ue_max("bit_depth_chroma_minus8", 8)?;

        Ok(H265Sps {
            max_sub_layers: max_sub_layers_minus1 as u8 + 1,
            temporal_id_nesting,
            general_profile_space,
            general_tier_flag,
            general_profile_idc,
            general_profile_compatibility_flags,
            general_constraint_indicator_flags,
            general_level_idc,
            seq_parameter_set_id,
            chroma_format_idc: chroma_format_idc as u8,
            bit_depth_luma: bit_depth_luma_minus8 as u8 + 8,
            bit_depth_chroma: bit_depth_chroma_minus8 as u8 + 8,
            width,
            height,
        })
    }
}

/// Checks that `nal` is of `kind` for `codec`.
fn expect_kind(
    codec: Codec,
    nal: &[u8],
    kind: NalKind,
    expected: &'static str,
) -> Result<(), ParamError> {
    if nal_kind(codec, nal) == Some(kind) {
        Ok(())
    } else {
        Err(ParamError::WrongNalType {
            expected,
            found: super::nal::nal_unit_type(codec, nal),
        })
    }
}

/// Appends `nal` with a 16-bit length, as decoder configuration records store them.
fn push_u16_prefixed(out: &mut Vec<u8>, nal: &[u8], what: &'static str) -> Result<(), ParamError> {
    let len = u16::try_from(nal.len()).map_err(|_| ParamError::TooLarge(what))?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(nal);
    Ok(())
}

/// Builds the payload of an `avcC` box (AVCDecoderConfigurationRecord, ISO/IEC 14496-15
/// §5.3.3.1) with `lengthSizeMinusOne` = 3.
///
/// Profile, compatibility and level come from the first SPS. For the High profiles (100,
/// 110, 122, 144) the record ends with the chroma format, bit depths and an empty list of
/// SPS extensions, as the standard requires.
pub fn avc_decoder_config(sps: &[&[u8]], pps: &[&[u8]]) -> Result<Vec<u8>, ParamError> {
    let first = sps.first().ok_or(ParamError::Missing("H.264 SPS"))?;
    if pps.is_empty() {
        return Err(ParamError::Missing("H.264 PPS"));
    }
    for s in sps {
        expect_kind(Codec::H264, s, NalKind::Sps, "H.264 SPS")?;
    }
    for p in pps {
        expect_kind(Codec::H264, p, NalKind::Pps, "H.264 PPS")?;
    }
    let parsed = H264Sps::parse(first)?;
    let sps_count = u8::try_from(sps.len())
        .ok()
        .filter(|&n| n <= 31)
        .ok_or(ParamError::TooLarge("H.264 SPSs"))?;
    let pps_count = u8::try_from(pps.len()).map_err(|_| ParamError::TooLarge("H.264 PPSs"))?;

    let mut out = vec![
        1, // configurationVersion
        parsed.profile_idc,
        parsed.constraint_flags,
        parsed.level_idc,
        0xfc | 3,         // reserved '111111', lengthSizeMinusOne
        0xe0 | sps_count, // reserved '111', numOfSequenceParameterSets
    ];
    for s in sps {
        push_u16_prefixed(&mut out, s, "H.264 SPSs")?;
    }
    out.push(pps_count);
    for p in pps {
        push_u16_prefixed(&mut out, p, "H.264 PPSs")?;
    }
    if matches!(parsed.profile_idc, 100 | 110 | 122 | 144) {
        out.push(0xfc | parsed.chroma_format_idc);
        out.push(0xf8 | (parsed.bit_depth_luma - 8));
        out.push(0xf8 | (parsed.bit_depth_chroma - 8));
        out.push(0); // numOfSequenceParameterSetExt
    }
    Ok(out)
}

/// Builds the payload of an `hvcC` box (HEVCDecoderConfigurationRecord, ISO/IEC 14496-15
/// §8.3.3.1) with `lengthSizeMinusOne` = 3 and one array each of VPS, SPS and PPS, each
/// marked complete (`array_completeness` = 1), as the `hvc1` sample entry requires.
///
/// Profile, tier, level, chroma format, bit depths and temporal layers come from the first
/// SPS. `min_spatial_segmentation_idc`, `parallelismType`, `avgFrameRate` and
/// `constantFrameRate` are written as 0 ("unknown"/"unspecified").
pub fn hevc_decoder_config(
    vps: &[&[u8]],
    sps: &[&[u8]],
    pps: &[&[u8]],
) -> Result<Vec<u8>, ParamError> {
    if vps.is_empty() {
        return Err(ParamError::Missing("H.265 VPS"));
    }
    let first = sps.first().ok_or(ParamError::Missing("H.265 SPS"))?;
    if pps.is_empty() {
        return Err(ParamError::Missing("H.265 PPS"));
    }
    // At most as many of each as there are identifiers (§7.4.3.1–7.4.3.3).
    for (count, max, what) in [
        (vps.len(), 16, "H.265 VPSs"),
        (sps.len(), 16, "H.265 SPSs"),
        (pps.len(), 64, "H.265 PPSs"),
    ] {
        if count > max {
            return Err(ParamError::TooLarge(what));
        }
    }
    for v in vps {
        expect_kind(Codec::H265, v, NalKind::Vps, "H.265 VPS")?;
    }
    for s in sps {
        expect_kind(Codec::H265, s, NalKind::Sps, "H.265 SPS")?;
    }
    for p in pps {
        expect_kind(Codec::H265, p, NalKind::Pps, "H.265 PPS")?;
    }
    let s = H265Sps::parse(first)?;
    // The record holds bit depths in 3 bits: 16-bit video (bit_depth_minus8 = 8) cannot
    // be described.
    for bit_depth in [s.bit_depth_luma, s.bit_depth_chroma] {
        if bit_depth > 15 {
            return Err(ParamError::Unsupported {
                what: "H.265 SPS",
                field: "bit depth",
                value: bit_depth.into(),
            });
        }
    }
    let mut out = Vec::with_capacity(64);
    out.push(1); // configurationVersion
    out.push(
        (s.general_profile_space << 6)
            | (u8::from(s.general_tier_flag) << 5)
            | s.general_profile_idc,
    );
    out.extend_from_slice(&s.general_profile_compatibility_flags.to_be_bytes());
    out.extend_from_slice(&s.general_constraint_indicator_flags.to_be_bytes()[2..]);
    out.push(s.general_level_idc);
    out.extend_from_slice(&[0xf0, 0x00]); // reserved '1111', min_spatial_segmentation_idc 0
    out.push(0xfc); // reserved '111111', parallelismType 0
    out.push(0xfc | s.chroma_format_idc);
    out.push(0xf8 | (s.bit_depth_luma - 8));
    out.push(0xf8 | (s.bit_depth_chroma - 8));
    out.extend_from_slice(&[0, 0]); // avgFrameRate
    // constantFrameRate 0, numTemporalLayers, temporalIdNested, lengthSizeMinusOne 3
    out.push((s.max_sub_layers << 3) | (u8::from(s.temporal_id_nesting) << 2) | 3);
    out.push(3); // numOfArrays
    for (nal_type, units, what) in [
        (32u8, vps, "H.265 VPSs"),
        (33, sps, "H.265 SPSs"),
        (34, pps, "H.265 PPSs"),
    ] {
        out.push(0x80 | nal_type); // array_completeness 1, reserved 0, NAL_unit_type
        let count = u16::try_from(units.len()).map_err(|_| ParamError::TooLarge(what))?;
        out.extend_from_slice(&count.to_be_bytes());
        for u in units {
            push_u16_prefixed(&mut out, u, what)?;
        }
    }
    Ok(out)
}

/// The parameter sets held in a decoder configuration record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParameterSets {
    /// Video parameter sets (H.265 only).
    pub vps: Vec<Vec<u8>>,
    /// Sequence parameter sets.
    pub sps: Vec<Vec<u8>>,
    /// Picture parameter sets.
    pub pps: Vec<Vec<u8>>,
}

/// Reads bytes of a decoder configuration record, failing with `BadRecord`.
struct RecordReader<'a> {
    data: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> RecordReader<'a> {
    fn bytes(&mut self, n: usize) -> Result<&'a [u8], ParamError> {
        let end = self.pos.checked_add(n);
        let slice = end
            .and_then(|e| self.data.get(self.pos..e))
            .ok_or(ParamError::BadRecord {
                what: self.what,
                problem: "it ends early",
            })?;
        self.pos += n;
        Ok(slice)
    }
    fn u8(&mut self) -> Result<u8, ParamError> {
        Ok(self.bytes(1)?.first().copied().unwrap_or(0))
    }
    fn u16(&mut self) -> Result<u16, ParamError> {
        let b = self.bytes(2)?;
        Ok(u16::from_be_bytes([
            b.first().copied().unwrap_or(0),
            b.get(1).copied().unwrap_or(0),
        ]))
    }
    fn nal(&mut self) -> Result<Vec<u8>, ParamError> {
        let len = usize::from(self.u16()?);
        if len == 0 {
            return Err(ParamError::BadRecord {
                what: self.what,
                problem: "it holds an empty NAL unit",
            });
        }
        Ok(self.bytes(len)?.to_vec())
    }
}

/// Takes the parameter sets out of an `avcC` payload.
pub fn parse_avc_decoder_config(record: &[u8]) -> Result<ParameterSets, ParamError> {
    let mut r = RecordReader {
        data: record,
        pos: 0,
        what: "avcC",
    };
    if r.u8()? != 1 {
        return Err(ParamError::BadRecord {
            what: "avcC",
            problem: "configurationVersion is not 1",
        });
    }
    r.bytes(4)?; // profile, compatibility, level, lengthSizeMinusOne
    let sps_count = r.u8()? & 0x1f;
    let mut sets = ParameterSets::default();
    for _ in 0..sps_count {
        sets.sps.push(r.nal()?);
    }
    let pps_count = r.u8()?;
    for _ in 0..pps_count {
        sets.pps.push(r.nal()?);
    }
    // Any High-profile extension that follows is derived from the SPS; it is not needed.
    Ok(sets)
}

/// Takes the VPS, SPS and PPS arrays out of an `hvcC` payload (other arrays, such as SEI,
/// are skipped).
pub fn parse_hevc_decoder_config(record: &[u8]) -> Result<ParameterSets, ParamError> {
    let mut r = RecordReader {
        data: record,
        pos: 0,
        what: "hvcC",
    };
    if r.u8()? != 1 {
        return Err(ParamError::BadRecord {
            what: "hvcC",
            problem: "configurationVersion is not 1",
        });
    }
    r.bytes(21)?; // the fixed fields up to lengthSizeMinusOne
    let arrays = r.u8()?;
    let mut sets = ParameterSets::default();
    for _ in 0..arrays {
        let nal_type = r.u8()? & 0x3f;
        let count = r.u16()?;
        for _ in 0..count {
            let nal = r.nal()?;
            match nal_type {
                32 => sets.vps.push(nal),
                33 => sets.sps.push(nal),
                34 => sets.pps.push(nal),
                _ => {}
            }
        }
    }
    Ok(sets)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Bytes from hexadecimal digits.
    pub(crate) fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
            .collect()
    }

    // Parameter sets taken from streams encoded by FFmpeg 5.1 with libx264 and libx265.
    // Each was made with
    //     ffmpeg -f lavfi -i testsrc2=size=WxH:rate=25 -frames:v 1 OPTIONS -f h264 out.h264
    // (`-f hevc out.h265` for H.265), with the size and options given for it, and copied
    // in hexadecimal from the Annex B output (NAL unit header included, start code not).

    /// `-c:v libx264 -f h264`, 1920x1080: High, level 4.0, coded as 1088 rows with 8 cropped.
    pub(crate) const H264_1080P_SPS: &str =
        "67640028acd940780227e5c044000003000400000300c83c60c658";
    pub(crate) const H264_1080P_PPS: &str = "68ebe3cb22c0";
    /// `-c:v libx264 -profile:v baseline`, 640x360: Constrained Baseline, level 3.0.
    pub(crate) const H264_BASELINE_SPS: &str = "6742c01ed900a02ff97011000003000100000300320f162e48";
    /// `-vf setsar=16/15 -c:v libx264 -x264-params interlaced=1`, 720x576: High, fields
    /// (frame_mbs_only_flag 0), sample aspect ratio 16:15.
    pub(crate) const H264_INTERLACED_SAR_SPS: &str =
        "6764001eacd940b424dff8008000788000000300800000190f8a14cb";
    /// `-c:v libx264 -pix_fmt yuv444p`, 352x288: High 4:4:4 Predictive (chroma_format_idc 3).
    pub(crate) const H264_444_SPS: &str = "67f4000d919b282c12d808800000030080000019078a14cb";
    /// `-pix_fmt yuv422p10le -c:v libx264 -x264-params avcintra-class=100`, 1920x1080:
    /// High 4:2:2 Intra, 10 bits, scaling lists in the SPS, 8 rows cropped.
    pub(crate) const H264_AVC_INTRA_SPS: &str = "677a1029b6d420223319c6632321011198ce331918210256b93d7d7e4fe33f11f19e08b88c5443c0780227e270110000030001000003003284";
    /// `-c:v libx265 -f hevc`, 1920x1080: Main, level 4 (120).
    pub(crate) const H265_1080P_VPS: &str = "40010c01ffff016000000300900000030000030078959809";
    pub(crate) const H265_1080P_SPS: &str =
        "420101016000000300900000030000030078a003c08010e596566924caf0168080000003008000000c84";
    pub(crate) const H265_1080P_PPS: &str = "4401c172b46240";
    /// `-c:v libx265 -pix_fmt yuv420p10le -x265-params temporal-layers=1`, 1000x562: Main 10,
    /// level 3.1 (93), two temporal sub-layers, coded as 568 rows with a conformance window.
    pub(crate) const H265_MAIN10_SPS: &str = "42010202200000030090000003000003005d0000a007d2008e7c8d965662b349265780b4040000030004000003006420";

    #[test]
    fn h264_sps_1080p_is_cropped_from_1088_rows() {
        let sps = H264Sps::parse(&hex(H264_1080P_SPS)).expect("valid SPS");
        assert_eq!(
            (sps.profile_idc, sps.level_idc, sps.chroma_format_idc),
            (100, 40, 1)
        );
        assert_eq!((sps.width, sps.height), (1920, 1080));
        assert_eq!((sps.bit_depth_luma, sps.bit_depth_chroma), (8, 8));
        assert!(sps.frame_mbs_only);
        assert_eq!(sps.sample_aspect_ratio, None, "1:1 is reported as None");
        assert_eq!(
            sps.timing,
            Some(VuiTiming {
                num_units_in_tick: 1,
                time_scale: 50,
                fixed_frame_rate: false
            })
        );
        assert_eq!(sps.frame_rate(), Some(25.0));
    }

    #[test]
    fn h264_sps_baseline_has_no_high_profile_fields() {
        let sps = H264Sps::parse(&hex(H264_BASELINE_SPS)).expect("valid SPS");
        assert_eq!(
            (sps.profile_idc, sps.constraint_flags, sps.level_idc),
            (66, 0xc0, 30)
        );
        assert_eq!((sps.width, sps.height), (640, 360));
        assert_eq!(sps.chroma_format_idc, 1, "inferred for Baseline");
    }

    #[test]
    fn h264_sps_fields_and_extended_sample_aspect_ratio() {
        let sps = H264Sps::parse(&hex(H264_INTERLACED_SAR_SPS)).expect("valid SPS");
        assert!(!sps.frame_mbs_only);
        assert_eq!((sps.width, sps.height), (720, 576));
        assert_eq!(sps.sample_aspect_ratio, Some((16, 15)));
    }

    #[test]
    fn h264_sps_444() {
        let sps = H264Sps::parse(&hex(H264_444_SPS)).expect("valid SPS");
        assert_eq!((sps.profile_idc, sps.chroma_format_idc), (244, 3));
        assert_eq!((sps.width, sps.height), (352, 288));
        assert_eq!(sps.frame_rate(), Some(25.0));
    }

    #[test]
    fn h264_sps_scaling_lists_are_skipped() {
        let sps = H264Sps::parse(&hex(H264_AVC_INTRA_SPS)).expect("valid SPS");
        assert_eq!((sps.profile_idc, sps.level_idc), (122, 41));
        assert_eq!(sps.chroma_format_idc, 2);
        assert_eq!((sps.bit_depth_luma, sps.bit_depth_chroma), (10, 10));
        // Everything after the scaling lists still reads right.
        assert_eq!((sps.width, sps.height), (1920, 1080));
        assert!(sps.frame_mbs_only);
        assert_eq!(sps.frame_rate(), Some(25.0));
    }

    #[test]
    fn h265_sps_1080p_main() {
        let sps = H265Sps::parse(&hex(H265_1080P_SPS)).expect("valid SPS");
        assert_eq!(
            (
                sps.general_profile_idc,
                sps.general_level_idc,
                sps.general_tier_flag
            ),
            (1, 120, false)
        );
        assert_eq!(sps.general_profile_compatibility_flags, 0x6000_0000);
        assert_eq!(sps.general_constraint_indicator_flags, 0x9000_0000_0000);
        assert_eq!((sps.width, sps.height), (1920, 1080));
        assert_eq!((sps.chroma_format_idc, sps.bit_depth_luma), (1, 8));
        assert_eq!(sps.max_sub_layers, 1);
    }

    #[test]
    fn h265_sps_main10_conformance_window_and_sub_layers() {
        let sps = H265Sps::parse(&hex(H265_MAIN10_SPS)).expect("valid SPS");
        assert_eq!((sps.general_profile_idc, sps.general_level_idc), (2, 93));
        assert_eq!(
            (sps.width, sps.height),
            (1000, 562),
            "568 coded rows, 6 cropped"
        );
        assert_eq!((sps.bit_depth_luma, sps.bit_depth_chroma), (10, 10));
        assert_eq!(sps.max_sub_layers, 2);
    }

    #[test]
    fn truncated_sps_fails_at_every_length_without_panicking() {
        // A cut inside the fields that are read must fail as truncated; a cut after them
        // (the VUI's later parts) must give the same result as the whole SPS.
        let check = |codec: Codec, sps: &str| {
            let bytes = hex(sps);
            let parse = |b: &[u8]| match codec {
                Codec::H264 => H264Sps::parse(b).map(|s| format!("{s:?}")),
                Codec::H265 => H265Sps::parse(b).map(|s| format!("{s:?}")),
            };
            let whole = parse(&bytes).expect("the whole SPS parses");
            let mut failures = 0;
            for len in 0..bytes.len() {
                match parse(&bytes[..len]) {
                    Ok(partial) => assert_eq!(partial, whole, "{sps} cut to {len}"),
                    Err(ParamError::Truncated { .. } | ParamError::WrongNalType { .. }) => {
                        failures += 1
                    }
                    Err(e) => panic!("{sps} cut to {len}: unexpected {e}"),
                }
            }
            failures
        };
        assert!(
            check(Codec::H264, H264_1080P_SPS) >= 20,
            "VUI timing is read"
        );
        assert!(check(Codec::H264, H264_BASELINE_SPS) >= 20);
        assert!(check(Codec::H264, H264_INTERLACED_SAR_SPS) >= 20);
        assert!(check(Codec::H264, H264_444_SPS) >= 20);
        assert!(check(Codec::H264, H264_AVC_INTRA_SPS) >= 40);
        assert!(check(Codec::H265, H265_1080P_SPS) >= 20);
        assert!(check(Codec::H265, H265_MAIN10_SPS) >= 20);
        let err = H264Sps::parse(&hex("6764")).expect_err("truncated");
        assert_eq!(err.to_string(), "H.264 SPS truncated at bit 16");
    }

    #[test]
    fn corrupt_sps_bytes_never_panic() {
        // Every single-byte change of every SPS: parsing may succeed or fail, never panic.
        for (codec, sps) in [
            (Codec::H264, H264_1080P_SPS),
            (Codec::H264, H264_444_SPS),
            (Codec::H264, H264_AVC_INTRA_SPS),
            (Codec::H264, H264_INTERLACED_SAR_SPS),
            (Codec::H265, H265_1080P_SPS),
            (Codec::H265, H265_MAIN10_SPS),
        ] {
            let original = hex(sps);
            for i in 0..original.len() {
                for value in [0x00, 0x01, 0x7f, 0x80, 0xff] {
                    let mut bytes = original.clone();
                    bytes[i] = value;
                    let _ = match codec {
                        Codec::H264 => H264Sps::parse(&bytes).map(|_| ()),
                        Codec::H265 => H265Sps::parse(&bytes).map(|_| ()),
                    };
                }
            }
        }
    }

    #[test]
    fn bad_values_are_named() {
        // Baseline SPS with pic_order_cnt_type changed to 3 (ue 00100 at bit 48+5+1).
        // Built by hand: header, profile 66, flags, level 30, sps_id 0 ('1'),
        // log2_max_frame_num_minus4 0 ('1'), pic_order_cnt_type 3 ('00100').
        let bytes = [0x67, 66, 0, 30, 0b1100_1000];
        assert_eq!(
            H264Sps::parse(&bytes).expect_err("invalid").to_string(),
            "H.264 SPS: pic_order_cnt_type 3 is out of range"
        );
        // High profile with chroma_format_idc 4 ('00101').
        let bytes = [0x67, 100, 0, 30, 0b1001_0100];
        assert_eq!(
            H264Sps::parse(&bytes).expect_err("invalid").to_string(),
            "H.264 SPS: chroma_format_idc 4 is out of range"
        );
        assert_eq!(
            H264Sps::parse(&hex(H264_1080P_PPS))
                .expect_err("a PPS")
                .to_string(),
            "expected H.264 SPS, found NAL unit type Some(8)"
        );
    }

    #[test]
    fn avcc_layout_and_round_trip() {
        let sps = hex(H264_1080P_SPS);
        let pps = hex(H264_1080P_PPS);
        let record = avc_decoder_config(&[&sps], &[&pps]).expect("valid");
        assert_eq!(&record[..6], &[1, 100, 0, 40, 0xff, 0xe1]);
        assert_eq!(&record[6..8], &(sps.len() as u16).to_be_bytes());
        let tail = &record[record.len() - 4..];
        assert_eq!(tail, &[0xfd, 0xf8, 0xf8, 0], "High profile extension");
        let sets = parse_avc_decoder_config(&record).expect("parses");
        assert_eq!(sets.sps, vec![sps.clone()]);
        assert_eq!(sets.pps, vec![pps.clone()]);
        for len in 0..record.len() - 4 {
            assert!(
                parse_avc_decoder_config(&record[..len]).is_err(),
                "cut at {len}"
            );
        }
        assert_eq!(
            avc_decoder_config(&[&pps], &[&pps]).expect_err("wrong type"),
            ParamError::WrongNalType {
                expected: "H.264 SPS",
                found: Some(8)
            }
        );
        assert_eq!(
            avc_decoder_config(&[&sps], &[]).expect_err("no PPS"),
            ParamError::Missing("H.264 PPS")
        );
    }

    #[test]
    fn hvcc_layout_and_round_trip() {
        let vps = hex(H265_1080P_VPS);
        let sps = hex(H265_1080P_SPS);
        let pps = hex(H265_1080P_PPS);
        let record = hevc_decoder_config(&[&vps], &[&sps], &[&pps]).expect("valid");
        assert_eq!(record[0], 1);
        assert_eq!(record[1], 0x01, "profile space 0, Main tier, Main profile");
        assert_eq!(&record[2..6], &[0x60, 0, 0, 0]);
        assert_eq!(&record[6..12], &[0x90, 0, 0, 0, 0, 0]);
        assert_eq!(record[12], 120);
        assert_eq!(
            &record[13..22],
            &[0xf0, 0, 0xfc, 0xfd, 0xf8, 0xf8, 0, 0, 0x0f]
        );
        assert_eq!(record[22], 3, "three arrays");
        assert_eq!(record[23], 0x80 | 32, "complete VPS array");
        let sets = parse_hevc_decoder_config(&record).expect("parses");
        assert_eq!(
            (sets.vps, sets.sps, sets.pps),
            (vec![vps], vec![sps], vec![pps])
        );
        for len in 0..record.len() {
            assert!(
                parse_hevc_decoder_config(&record[..len]).is_err(),
                "cut at {len}"
            );
        }
    }
}
