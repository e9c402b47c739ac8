//! A deliberately tiny H.264 encoder for the simulated cameras: Constrained Baseline profile,
//! CAVLC, progressive frames, one slice per picture, no motion search and no transform.
//!
//! * An IDR picture codes every macroblock as `I_PCM` (its raw samples) and is preceded by
//!   the SPS and PPS in the same access unit.
//! * A P picture codes each macroblock that differs from the previous picture as `I_PCM` too
//!   (intra `mb_type` 30 in a P slice) and every other macroblock as `P_Skip` (through
//!   `mb_skip_run`). With no motion vectors anywhere, every `P_Skip` predicts a zero motion
//!   vector (clause 8.4.1.1), so it copies the co-located macroblock of the previous picture.
//!
//! Invariants: the coding is lossless, so the decoder's reference picture equals the
//! encoder's previous picture and change detection against it is exact; every picture is a
//! reference picture (`nal_ref_idc` ≠ 0, `frame_num` counts up from 0 at each IDR, modulo
//! 2^16), one reference frame, POC type 2 (output order is decoding order), the in-loop
//! deblocking filter is switched off, consecutive IDRs carry different `idr_pic_id`s. The SPS
//! carries VUI timing (`time_scale` = 2 × fps, `num_units_in_tick` = 1, fixed frame rate) and
//! says no frames are reordered. Costs: an IDR is about 385 bytes per macroblock (1.4 MB at
//! 1280×720), a P picture about 385 bytes per changed macroblock; encoding is a copy and a
//! comparison of the picture. The level is chosen from picture size and rate only: I_PCM
//! pictures are larger than the level's minimum compression ratio allows, which players
//! ignore.

use super::bits::{BitWriter, nal_unit};
use super::picture::Planes;

/// `nal_unit_type` of a coded slice of a non-IDR picture.
const NAL_SLICE: u8 = 1;
/// `nal_unit_type` of a coded slice of an IDR picture.
const NAL_IDR: u8 = 5;
/// `nal_unit_type` of a sequence parameter set.
const NAL_SPS: u8 = 7;
/// `nal_unit_type` of a picture parameter set.
const NAL_PPS: u8 = 8;
/// `profile_idc` of the Baseline profile.
const PROFILE_BASELINE: u8 = 66;
/// `constraint_set0_flag` and `constraint_set1_flag`: Constrained Baseline (Annex A.2.1.1).
const CONSTRAINT_FLAGS: u8 = 0b1100_0000;
/// `log2_max_frame_num_minus4 + 4`.
const LOG2_MAX_FRAME_NUM: u32 = 16;
/// `mb_type` of `I_PCM` in an I slice (Table 7-11).
const MB_TYPE_I_PCM: u32 = 25;
/// `mb_type` of `I_PCM` in a P slice: intra types follow the five P types (Table 7-13).
const MB_TYPE_I_PCM_IN_P: u32 = 5 + MB_TYPE_I_PCM;
/// `slice_type` 7: I, and every slice of the picture is I.
const SLICE_TYPE_I_ALL: u32 = 7;
/// `slice_type` 5: P, and every slice of the picture is P.
const SLICE_TYPE_P_ALL: u32 = 5;
/// Bytes of one `I_PCM` macroblock's samples: 256 luma, 64 Cb, 64 Cr.
const PCM_BYTES: usize = 384;

/// Levels of Table A-1 as (`level_idc`, MaxMBPS, MaxFS), from 3.0 up.
const LEVELS: [(u8, u64, u64); 8] = [
    (30, 40_500, 1_620),
    (31, 108_000, 3_600),
    (32, 216_000, 5_120),
    (40, 245_760, 8_192),
    (42, 522_240, 8_704),
    (50, 589_824, 22_080),
    (51, 983_040, 36_864),
    (52, 2_073_600, 36_864),
];

/// The lowest level (3.0 or above) whose frame size and macroblock rate limits admit
/// `width_mbs × height_mbs` macroblocks at `fps`, or `None` if even level 5.2 does not.
pub(crate) fn level_idc(width_mbs: u64, height_mbs: u64, fps: u64) -> Option<u8> {
    let frame_mbs = width_mbs * height_mbs;
    LEVELS
        .iter()
        .find(|(_, max_mbps, max_fs)| {
            // Neither dimension may exceed sqrt(8 × MaxFS) macroblocks (A.3.1).
            frame_mbs <= *max_fs
                && frame_mbs * fps <= *max_mbps
                && width_mbs * width_mbs <= 8 * max_fs
                && height_mbs * height_mbs <= 8 * max_fs
        })
        .map(|(level, _, _)| *level)
}

/// One coded picture: its NAL units, without start codes, in decoding order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AccessUnit {
    /// SPS, PPS and the slice for an IDR; the slice alone otherwise.
    pub(crate) nal_units: Vec<Vec<u8>>,
    /// Whether this is an IDR picture (a random access point).
    pub(crate) is_idr: bool,
}

/// Concatenates NAL units into an Annex B byte stream (four-byte start codes), as written to
/// `.h264` files.
pub(crate) fn annex_b(nal_units: &[Vec<u8>]) -> Vec<u8> {
    let len_bytes = nal_units.iter().map(|n| n.len() + 4).sum();
    let mut out = Vec::with_capacity(len_bytes);
    for nal in nal_units {
        out.extend_from_slice(&[0, 0, 0, 1]);
        out.extend_from_slice(nal);
    }
    out
}

/// Encodes one camera's pictures. Create it with [`Encoder::new`]; the first picture and
/// every picture after [`Encoder::encode`] with `idr` set is an IDR.
#[derive(Debug)]
pub(crate) struct Encoder {
    width_mbs: usize,
    height_mbs: usize,
    sps: Vec<u8>,
    pps: Vec<u8>,
    /// The previous picture as the decoder holds it; `None` before the first IDR.
    reference: Option<Planes>,
    frame_num: u32,
    idr_pic_id: u32,
}

impl Encoder {
    /// An encoder for pictures displayed at `width × height` (even numbers; pictures are
    /// coded at the next multiples of 16 and cropped) at `fps` frames per second.
    /// `level_idc` comes from [`level_idc`].
    pub(crate) fn new(width: u32, height: u32, fps: u32, level_idc: u8) -> Self {
        let width_mbs = width.div_ceil(16) as usize;
        let height_mbs = height.div_ceil(16) as usize;
        let sps = sequence_parameter_set(width, height, fps, level_idc);
        Self {
            width_mbs,
            height_mbs,
            sps: nal_unit(3, NAL_SPS, &sps),
            pps: nal_unit(3, NAL_PPS, &picture_parameter_set()),
            reference: None,
            frame_num: 0,
            idr_pic_id: 0,
        }
    }

    /// The SPS NAL unit (header byte included).
    pub(crate) fn sps(&self) -> &[u8] {
        &self.sps
    }

    /// The PPS NAL unit (header byte included).
    pub(crate) fn pps(&self) -> &[u8] {
        &self.pps
    }

    /// Codes `picture` (at the coded size), as an IDR when `idr` is set or no IDR has been
    /// coded yet, otherwise as a P picture predicted from the previous one.
    pub(crate) fn encode(&mut self, picture: &Planes, idr: bool) -> AccessUnit {
        debug_assert_eq!(
            (picture.width, picture.height),
            (self.width_mbs * 16, self.height_mbs * 16)
        );
        match self.reference.take() {
            Some(reference) if !idr => self.encode_p(picture, reference),
            _ => self.encode_idr(picture),
        }
    }

    fn encode_idr(&mut self, picture: &Planes) -> AccessUnit {
        let mbs = self.width_mbs * self.height_mbs;
        let mut w = BitWriter::with_capacity(mbs * (PCM_BYTES + 2) + 32);
        w.ue(0); // first_mb_in_slice
        w.ue(SLICE_TYPE_I_ALL);
        w.ue(0); // pic_parameter_set_id
        w.u(LOG2_MAX_FRAME_NUM, 0); // frame_num
        w.ue(self.idr_pic_id);
        w.flag(false); // no_output_of_prior_pics_flag
        w.flag(false); // long_term_reference_flag
        w.se(0); // slice_qp_delta
        w.ue(1); // disable_deblocking_filter_idc
        for mb in 0..mbs {
            w.ue(MB_TYPE_I_PCM);
            write_pcm(&mut w, picture, self.width_mbs, mb);
        }
        w.rbsp_trailing_bits();
        let slice = nal_unit(3, NAL_IDR, &w.into_rbsp());
        self.idr_pic_id = (self.idr_pic_id + 1) % 65_536;
        self.frame_num = 0;
        self.reference = Some(picture.clone());
        AccessUnit {
            nal_units: vec![self.sps.clone(), self.pps.clone(), slice],
            is_idr: true,
        }
    }

    fn encode_p(&mut self, picture: &Planes, mut reference: Planes) -> AccessUnit {
        self.frame_num = (self.frame_num + 1) % (1 << LOG2_MAX_FRAME_NUM);
        let mbs = self.width_mbs * self.height_mbs;
        let changed: Vec<usize> = (0..mbs)
            .filter(|&mb| macroblock_differs(picture, &reference, self.width_mbs, mb))
            .collect();
        let mut w = BitWriter::with_capacity(changed.len() * (PCM_BYTES + 4) + 32);
        w.ue(0); // first_mb_in_slice
        w.ue(SLICE_TYPE_P_ALL);
        w.ue(0); // pic_parameter_set_id
        w.u(LOG2_MAX_FRAME_NUM, self.frame_num);
        w.flag(false); // num_ref_idx_active_override_flag
        w.flag(false); // ref_pic_list_modification_flag_l0
        w.flag(false); // adaptive_ref_pic_marking_mode_flag
        w.se(0); // slice_qp_delta
        w.ue(1); // disable_deblocking_filter_idc
        let mut next_mb = 0;
        for &mb in &changed {
            w.ue((mb - next_mb) as u32); // mb_skip_run
            w.ue(MB_TYPE_I_PCM_IN_P);
            write_pcm(&mut w, picture, self.width_mbs, mb);
            copy_macroblock(picture, &mut reference, self.width_mbs, mb);
            next_mb = mb + 1;
        }
        if next_mb < mbs {
            w.ue((mbs - next_mb) as u32); // the trailing skipped macroblocks
        }
        w.rbsp_trailing_bits();
        self.reference = Some(reference);
        AccessUnit {
            nal_units: vec![nal_unit(2, NAL_SLICE, &w.into_rbsp())],
            is_idr: false,
        }
    }
}

/// The sequence parameter set RBSP (clause 7.3.2.1.1) with VUI (Annex E).
fn sequence_parameter_set(width: u32, height: u32, fps: u32, level_idc: u8) -> Vec<u8> {
    let width_mbs = width.div_ceil(16);
    let height_mbs = height.div_ceil(16);
    let mut w = BitWriter::with_capacity(32);
    w.u(8, u32::from(PROFILE_BASELINE));
    w.u(8, u32::from(CONSTRAINT_FLAGS));
    w.u(8, u32::from(level_idc));
    w.ue(0); // seq_parameter_set_id
    w.ue(LOG2_MAX_FRAME_NUM - 4);
    w.ue(2); // pic_order_cnt_type
    w.ue(1); // max_num_ref_frames
    w.flag(false); // gaps_in_frame_num_value_allowed_flag
    w.ue(width_mbs - 1);
    w.ue(height_mbs - 1);
    w.flag(true); // frame_mbs_only_flag
    w.flag(true); // direct_8x8_inference_flag
    // Cropping is counted in units of two luma samples for 4:2:0 frames (CropUnitX/Y).
    let crop_right = (width_mbs * 16 - width) / 2;
    let crop_bottom = (height_mbs * 16 - height) / 2;
    let cropping = crop_right != 0 || crop_bottom != 0;
    w.flag(cropping);
    if cropping {
        w.ue(0);
        w.ue(crop_right);
        w.ue(0);
        w.ue(crop_bottom);
    }
    w.flag(true); // vui_parameters_present_flag
    w.flag(true); // aspect_ratio_info_present_flag
    w.u(8, 1); // aspect_ratio_idc: 1:1 (square samples)
    w.flag(false); // overscan_info_present_flag
    w.flag(true); // video_signal_type_present_flag
    w.u(3, 5); // video_format: unspecified
    w.flag(false); // video_full_range_flag: limited range
    w.flag(true); // colour_description_present_flag
    w.u(8, 1); // colour_primaries: BT.709
    w.u(8, 1); // transfer_characteristics: BT.709
    w.u(8, 1); // matrix_coefficients: BT.709
    w.flag(false); // chroma_loc_info_present_flag
    w.flag(true); // timing_info_present_flag
    w.u(32, 1); // num_units_in_tick
    w.u(32, 2 * fps); // time_scale: two ticks (fields) per frame
    w.flag(true); // fixed_frame_rate_flag
    w.flag(false); // nal_hrd_parameters_present_flag
    w.flag(false); // vcl_hrd_parameters_present_flag
    w.flag(false); // pic_struct_present_flag
    w.flag(true); // bitstream_restriction_flag
    w.flag(true); // motion_vectors_over_pic_boundaries_flag
    w.ue(0); // max_bytes_per_pic_denom: no limit
    w.ue(0); // max_bits_per_mb_denom: no limit
    w.ue(16); // log2_max_mv_length_horizontal
    w.ue(16); // log2_max_mv_length_vertical
    w.ue(0); // max_num_reorder_frames: output at once
    w.ue(1); // max_dec_frame_buffering
    w.rbsp_trailing_bits();
    w.into_rbsp()
}

/// The picture parameter set RBSP (clause 7.3.2.2).
fn picture_parameter_set() -> Vec<u8> {
    let mut w = BitWriter::with_capacity(8);
    w.ue(0); // pic_parameter_set_id
    w.ue(0); // seq_parameter_set_id
    w.flag(false); // entropy_coding_mode_flag: CAVLC
    w.flag(false); // bottom_field_pic_order_in_frame_present_flag
    w.ue(0); // num_slice_groups_minus1
    w.ue(0); // num_ref_idx_l0_default_active_minus1
    w.ue(0); // num_ref_idx_l1_default_active_minus1
    w.flag(false); // weighted_pred_flag
    w.u(2, 0); // weighted_bipred_idc
    w.se(0); // pic_init_qp_minus26
    w.se(0); // pic_init_qs_minus26
    w.se(0); // chroma_qp_index_offset
    w.flag(true); // deblocking_filter_control_present_flag
    w.flag(false); // constrained_intra_pred_flag
    w.flag(false); // redundant_pic_cnt_present_flag
    w.rbsp_trailing_bits();
    w.into_rbsp()
}

/// Writes `pcm_alignment_zero_bit`s and the samples of macroblock `mb` (raster order).
fn write_pcm(w: &mut BitWriter, picture: &Planes, width_mbs: usize, mb: usize) {
    w.align_with_zeros();
    let (mb_x, mb_y) = (mb % width_mbs, mb / width_mbs);
    for row in 0..16 {
        let start = (mb_y * 16 + row) * picture.width + mb_x * 16;
        w.aligned_bytes(&picture.y[start..start + 16]);
    }
    let chroma_width = picture.width / 2;
    for plane in [&picture.cb, &picture.cr] {
        for row in 0..8 {
            let start = (mb_y * 8 + row) * chroma_width + mb_x * 8;
            w.aligned_bytes(&plane[start..start + 8]);
        }
    }
}

/// Whether macroblock `mb` differs between `a` and `b` in any sample.
fn macroblock_differs(a: &Planes, b: &Planes, width_mbs: usize, mb: usize) -> bool {
    let (mb_x, mb_y) = (mb % width_mbs, mb / width_mbs);
    let luma_differs = (0..16).any(|row| {
        let start = (mb_y * 16 + row) * a.width + mb_x * 16;
        a.y[start..start + 16] != b.y[start..start + 16]
    });
    let chroma_width = a.width / 2;
    luma_differs
        || (0..8).any(|row| {
            let start = (mb_y * 8 + row) * chroma_width + mb_x * 8;
            a.cb[start..start + 8] != b.cb[start..start + 8]
                || a.cr[start..start + 8] != b.cr[start..start + 8]
        })
}

/// Copies macroblock `mb` from `from` into `to`.
fn copy_macroblock(from: &Planes, to: &mut Planes, width_mbs: usize, mb: usize) {
    let (mb_x, mb_y) = (mb % width_mbs, mb / width_mbs);
    for row in 0..16 {
        let start = (mb_y * 16 + row) * from.width + mb_x * 16;
        to.y[start..start + 16].copy_from_slice(&from.y[start..start + 16]);
    }
    let chroma_width = from.width / 2;
    for row in 0..8 {
        let start = (mb_y * 8 + row) * chroma_width + mb_x * 8;
        to.cb[start..start + 8].copy_from_slice(&from.cb[start..start + 8]);
        to.cr[start..start + 8].copy_from_slice(&from.cr[start..start + 8]);
    }
}

#[cfg(test)]
mod tests {
    use super::super::picture::Painter;
    use super::*;
    use std::process::Command;

    #[test]
    fn levels_follow_frame_size_and_rate() {
        assert_eq!(level_idc(20, 15, 25), Some(30)); // 320×240
        assert_eq!(level_idc(80, 45, 25), Some(31)); // 1280×720
        assert_eq!(level_idc(80, 45, 30), Some(31));
        assert_eq!(level_idc(80, 45, 60), Some(32));
        assert_eq!(level_idc(120, 68, 25), Some(40)); // 1920×1080
        assert_eq!(level_idc(240, 135, 30), Some(51)); // 3840×2160
        assert_eq!(level_idc(256, 144, 60), None); // 4096×2304 at 60 fps
        assert_eq!(level_idc(700, 1, 1), None); // too wide for any level
    }

    #[test]
    fn parameter_sets_start_as_constrained_baseline() {
        let encoder = Encoder::new(1280, 720, 25, 31);
        assert_eq!(&encoder.sps()[..4], &[0x67, 66, 0xC0, 31]);
        assert_eq!(encoder.pps()[0], 0x68);
    }

    #[test]
    fn unchanged_pictures_code_as_all_skip_and_changes_as_pcm() {
        let painter = Painter::new(1, "Simulated camera 1", 320, 240);
        let mut encoder = Encoder::new(320, 240, 25, 30);
        let mut picture = painter.blank();
        painter.paint(&mut picture, 0, 0);
        let idr = encoder.encode(&picture, false);
        assert!(idr.is_idr);
        assert_eq!(idr.nal_units.len(), 3);
        assert!(idr.nal_units[2].len() > 300 * PCM_BYTES);
        let same = encoder.encode(&picture, false);
        assert!(!same.is_idr);
        assert!(
            same.nal_units[0].len() < 16,
            "an all-skip picture is a few bytes"
        );
        painter.paint(&mut picture, 1, 40);
        let changed = encoder.encode(&picture, false);
        let len = changed.nal_units[0].len();
        assert!(len > PCM_BYTES && len < 40 * PCM_BYTES, "{len} bytes");
        assert!(encoder.encode(&picture, true).is_idr);
    }

    /// Decodes an Annex B stream with the `ffmpeg` program into raw YUV 4:2:0 frames.
    fn ffmpeg_decode(stream: &[u8]) -> Vec<u8> {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("stream.h264");
        std::fs::write(&path, stream).expect("writing the stream");
        let output = Command::new("ffmpeg")
            .args(["-v", "error", "-f", "h264", "-i"])
            .arg(&path)
            .args(["-f", "rawvideo", "-pix_fmt", "yuv420p", "-"])
            .output()
            .expect("ffmpeg must be installed to run this test (apt-get install ffmpeg)");
        assert!(
            output.status.success() && output.stderr.is_empty(),
            "ffmpeg failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    }

    /// The displayed (cropped) planes of `picture`, as ffmpeg writes raw yuv420p.
    fn cropped(picture: &Planes, width: usize, height: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for row in 0..height {
            out.extend_from_slice(&picture.y[row * picture.width..][..width]);
        }
        for plane in [&picture.cb, &picture.cr] {
            for row in 0..height / 2 {
                out.extend_from_slice(&plane[row * picture.width / 2..][..width / 2]);
            }
        }
        out
    }

    #[test]
    fn ffmpeg_decodes_the_stream_bit_exactly_including_cropping() {
        // 200×104 is not a multiple of 16 either way: the SPS crops 8 columns and 8 rows.
        let (width, height) = (200, 104);
        let painter = Painter::new(2, "Simulated camera 2", width, height);
        let mut encoder = Encoder::new(width as u32, height as u32, 25, 30);
        let mut stream = Vec::new();
        let mut expected = Vec::new();
        let mut picture = painter.blank();
        for frame in 0..12u64 {
            painter.paint(&mut picture, frame, 1_700_000_000_000 + 40 * frame as i64);
            let au = encoder.encode(&picture, frame % 5 == 0);
            assert_eq!(au.is_idr, frame % 5 == 0);
            stream.extend_from_slice(&annex_b(&au.nal_units));
            expected.extend_from_slice(&cropped(&picture, width, height));
        }
        let decoded = ffmpeg_decode(&stream);
        assert_eq!(decoded.len(), expected.len(), "frame count or size differs");
        assert!(
            decoded == expected,
            "decoded pictures differ from the encoded ones"
        );
    }
}
