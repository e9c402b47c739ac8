//! The configuration of one video track: codec, parameter sets and what follows from them.
//!
//! A [`TrackConfig`] is what an init segment is made from. It is built only from parameter
//! sets that parse, so every value it reports is consistent with the decoder configuration
//! record it holds. Two configurations are equal exactly when their codec and parameter
//! sets are byte-for-byte equal (everything else is derived from those), so a recorder
//! detects a camera's change of resolution, profile or encoding settings by comparing the
//! configuration built from each key frame's in-band parameter sets with the current one,
//! and starts a new init segment when they differ.

use super::nal::{Codec, NalKind, nal_kind};
use super::params::{
    H264Sps, H265Sps, ParamError, ParameterSets, avc_decoder_config, hevc_decoder_config,
    parse_avc_decoder_config, parse_hevc_decoder_config,
};

/// Codec, parameter sets and derived facts of one video track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackConfig {
    codec: Codec,
    parameter_sets: ParameterSets,
    width: u16,
    height: u16,
    sample_aspect_ratio: Option<(u16, u16)>,
    decoder_config: Vec<u8>,
    codec_string: String,
}

/// Borrows each parameter set.
fn refs(v: &[Vec<u8>]) -> Vec<&[u8]> {
    v.iter().map(Vec::as_slice).collect()
}

impl TrackConfig {
    /// An H.264 track from one SPS and one PPS (NAL units with their headers).
    pub fn h264(sps: &[u8], pps: &[u8]) -> Result<Self, ParamError> {
        Self::from_parameter_sets(
            Codec::H264,
            ParameterSets {
                vps: Vec::new(),
                sps: vec![sps.to_vec()],
                pps: vec![pps.to_vec()],
            },
        )
    }

    /// An H.265 track from one VPS, SPS and PPS (NAL units with their headers).
    pub fn h265(vps: &[u8], sps: &[u8], pps: &[u8]) -> Result<Self, ParamError> {
        Self::from_parameter_sets(
            Codec::H265,
            ParameterSets {
                vps: vec![vps.to_vec()],
                sps: vec![sps.to_vec()],
                pps: vec![pps.to_vec()],
            },
        )
    }

    /// A track from any number of parameter sets; the first SPS describes the picture.
    /// VPSs are ignored for H.264.
    pub fn from_parameter_sets(codec: Codec, mut sets: ParameterSets) -> Result<Self, ParamError> {
        let first_sps = sets.sps.first().map(Vec::as_slice).unwrap_or_default();
        let (decoder_config, width, height, sample_aspect_ratio, codec_string) = match codec {
            Codec::H264 => {
                sets.vps.clear();
                let record = avc_decoder_config(&refs(&sets.sps), &refs(&sets.pps))?;
                let sps = H264Sps::parse(first_sps)?;
                let codec_string = format!(
                    "avc1.{:02X}{:02X}{:02X}",
                    sps.profile_idc, sps.constraint_flags, sps.level_idc
                );
                (
                    record,
                    sps.width,
                    sps.height,
                    sps.sample_aspect_ratio,
                    codec_string,
                )
            }
            Codec::H265 => {
                let record =
                    hevc_decoder_config(&refs(&sets.vps), &refs(&sets.sps), &refs(&sets.pps))?;
                let sps = H265Sps::parse(first_sps)?;
                (record, sps.width, sps.height, None, hevc_codec_string(&sps))
            }
        };
        Ok(TrackConfig {
            codec,
            parameter_sets: sets,
            width,
            height,
            sample_aspect_ratio,
            decoder_config,
            codec_string,
        })
    }

    /// The configuration given by the parameter sets among `nals` (for instance the units of
    /// a key frame as a camera sends it), or `None` if there is no SPS among them.
    ///
    /// Repeated identical parameter sets count once. An SPS without the other parameter
    /// sets the codec needs is an error.
    pub fn from_nals<'n>(
        codec: Codec,
        nals: impl IntoIterator<Item = &'n [u8]>,
    ) -> Result<Option<Self>, ParamError> {
        let mut sets = ParameterSets::default();
        for nal in nals {
            let list = match nal_kind(codec, nal) {
                Some(NalKind::Vps) if codec == Codec::H265 => &mut sets.vps,
                Some(NalKind::Sps) => &mut sets.sps,
                Some(NalKind::Pps) => &mut sets.pps,
                _ => continue,
            };
            if !list.iter().any(|known| known.as_slice() == nal) {
                list.push(nal.to_vec());
            }
        }
        if sets.sps.is_empty() {
            return Ok(None);
        }
        Self::from_parameter_sets(codec, sets).map(Some)
    }

    /// The configuration described by an `avcC` or `hvcC` payload (such as the "extra data"
    /// an RTSP client derives from the session description). The record is rebuilt from its
    /// parameter sets, so [`TrackConfig::decoder_config`] may differ from `record` in fields
    /// Custos leaves unspecified.
    pub fn from_decoder_config(codec: Codec, record: &[u8]) -> Result<Self, ParamError> {
        let sets = match codec {
            Codec::H264 => parse_avc_decoder_config(record)?,
            Codec::H265 => parse_hevc_decoder_config(record)?,
        };
        Self::from_parameter_sets(codec, sets)
    }

    /// The codec.
    pub fn codec(&self) -> Codec {
        self.codec
    }

    /// The parameter sets, as given.
    pub fn parameter_sets(&self) -> &ParameterSets {
        &self.parameter_sets
    }

    /// Picture width in luma samples, after cropping.
    pub fn width(&self) -> u16 {
        self.width
    }

    /// Picture height in luma samples, after cropping.
    pub fn height(&self) -> u16 {
        self.height
    }

    /// The sample (pixel) aspect ratio, when the SPS gives one other than 1:1. Only read
    /// for H.264.
    pub fn sample_aspect_ratio(&self) -> Option<(u16, u16)> {
        self.sample_aspect_ratio
    }

    /// The `avcC` or `hvcC` payload.
    pub fn decoder_config(&self) -> &[u8] {
        &self.decoder_config
    }

    /// The sample entry type: `avc1` or `hvc1`.
    pub fn sample_entry_type(&self) -> [u8; 4] {
        match self.codec {
            Codec::H264 => *b"avc1",
            Codec::H265 => *b"hvc1",
        }
    }

    /// The `codecs` parameter of the MIME type (RFC 6381; ISO/IEC 14496-15 Annex E for
    /// H.265), e.g. `avc1.640028` or `hvc1.1.6.L120.90`, as Media Source Extensions want it.
    pub fn codec_string(&self) -> &str {
        &self.codec_string
    }

    /// Whether frames may be shown in another order than they are decoded (B-frames). Only
    /// H.264 Baseline rules them out by its profile; anything else is assumed to reorder.
    pub fn may_reorder(&self) -> bool {
        match self.codec {
            Codec::H264 => self
                .parameter_sets
                .sps
                .first()
                .and_then(|sps| H264Sps::parse(sps).ok())
                .is_none_or(|sps| sps.profile_idc != 66),
            Codec::H265 => true,
        }
    }
}

/// `hvc1.` profile space and idc, reversed compatibility flags, tier and level, and the
/// constraint bytes without trailing zero bytes (ISO/IEC 14496-15 §E.3).
fn hevc_codec_string(sps: &H265Sps) -> String {
    let space = match sps.general_profile_space {
        1 => "A",
        2 => "B",
        3 => "C",
        _ => "",
    };
    let tier = if sps.general_tier_flag { 'H' } else { 'L' };
    let mut s = format!(
        "hvc1.{space}{}.{:X}.{tier}{}",
        sps.general_profile_idc,
        sps.general_profile_compatibility_flags.reverse_bits(),
        sps.general_level_idc
    );
    let constraints = &sps.general_constraint_indicator_flags.to_be_bytes()[2..];
    let kept = constraints
        .iter()
        .rposition(|&b| b != 0)
        .map_or(0, |i| i + 1);
    for b in constraints.iter().take(kept) {
        s.push_str(&format!(".{b:02X}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::super::params::tests::*;
    use super::*;

    #[test]
    fn h264_track_reports_what_the_sps_says() {
        let t = TrackConfig::h264(&hex(H264_1080P_SPS), &hex(H264_1080P_PPS)).expect("valid");
        assert_eq!((t.width(), t.height()), (1920, 1080));
        assert_eq!(t.codec_string(), "avc1.640028");
        assert_eq!(&t.sample_entry_type(), b"avc1");
    }

    #[test]
    fn h265_track_reports_what_the_sps_says() {
        let t = TrackConfig::h265(
            &hex(H265_1080P_VPS),
            &hex(H265_1080P_SPS),
            &hex(H265_1080P_PPS),
        )
        .expect("valid");
        assert_eq!((t.width(), t.height()), (1920, 1080));
        assert_eq!(t.codec_string(), "hvc1.1.6.L120.90");
        assert_eq!(&t.sample_entry_type(), b"hvc1");
    }

    #[test]
    fn changed_parameter_sets_make_a_different_config() {
        let sps = hex(H264_1080P_SPS);
        let pps = hex(H264_1080P_PPS);
        let a = TrackConfig::h264(&sps, &pps).expect("valid");
        let nals: [&[u8]; 4] = [&[0x09, 0xf0], &sps, &pps, &[0x65, 0x88]];
        let b = TrackConfig::from_nals(Codec::H264, nals)
            .expect("valid")
            .expect("has an SPS");
        assert_eq!(a, b, "same parameter sets, same config");
        let other = TrackConfig::h264(&hex(H264_BASELINE_SPS), &pps).expect("valid");
        assert_ne!(a, other, "new SPS, new init segment");
        assert_eq!(
            TrackConfig::from_nals(Codec::H264, [&[0x41u8, 0x9a][..]]).expect("no SPS"),
            None
        );
        assert_eq!(
            TrackConfig::from_nals(Codec::H264, [sps.as_slice()]).expect_err("no PPS"),
            ParamError::Missing("H.264 PPS")
        );
    }

    #[test]
    fn decoder_config_round_trip() {
        let h264 = TrackConfig::h264(&hex(H264_1080P_SPS), &hex(H264_1080P_PPS)).expect("valid");
        let again =
            TrackConfig::from_decoder_config(Codec::H264, h264.decoder_config()).expect("valid");
        assert_eq!(h264, again);
        let h265 = TrackConfig::h265(
            &hex(H265_1080P_VPS),
            &hex(H265_1080P_SPS),
            &hex(H265_1080P_PPS),
        )
        .expect("valid");
        let again =
            TrackConfig::from_decoder_config(Codec::H265, h265.decoder_config()).expect("valid");
        assert_eq!(h265, again);
    }
}
