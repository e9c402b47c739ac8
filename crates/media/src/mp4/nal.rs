//! NAL units of H.264 (ISO/IEC 14496-10) and H.265 (ISO/IEC 23008-2): splitting byte streams
//! into units, reading their bits, and telling their types apart.
//!
//! Three representations of a NAL unit meet here:
//! - *Annex B byte streams* (start codes `00 00 01` / `00 00 00 01` between units), the form
//!   encoders write to `.h264`/`.h265` files. [`split_annex_b`] cuts them into units; it is
//!   meant for tests and tools, since cameras deliver units over RTSP already separated.
//! - *Length-prefixed samples* (each unit preceded by its length as a 4-byte big-endian
//!   integer), the form MP4 stores and `retina` hands out. [`LengthPrefixed`] walks one;
//!   [`append_length_prefixed`] writes one.
//! - *RBSP*: the payload with emulation prevention bytes (`00 00 03` → `00 00`) removed, the
//!   form the syntax tables of the standards describe. [`to_rbsp`] produces it and
//!   [`BitReader`] reads it, including Exp-Golomb codes.
//!
//! Invariants: nothing here panics on any input; units yielded are never empty; a reader
//! error names the bit position (counted from the first bit of the NAL unit header, after
//! emulation prevention bytes are removed) where the data ran out or went wrong.

use std::borrow::Cow;

/// The video codecs the recorder stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    /// H.264 / AVC.
    H264,
    /// H.265 / HEVC.
    H265,
}

impl Codec {
    /// Length of the NAL unit header in bytes (1 for H.264, 2 for H.265).
    pub fn nal_header_len(self) -> usize {
        match self {
            Codec::H264 => 1,
            Codec::H265 => 2,
        }
    }
}

/// An error while reading NAL units or the bits inside them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NalError {
    /// The data ended inside the field being read.
    #[error("truncated at bit {at_bit}")]
    Truncated {
        /// Bit position where the field that could not be read completely starts.
        at_bit: u64,
    },
    /// An Exp-Golomb code had more than 31 leading zero bits (its value would not fit 32 bits).
    #[error("Exp-Golomb code at bit {at_bit} is longer than 32 bits")]
    ExpGolombTooLong {
        /// Bit position where the code starts.
        at_bit: u64,
    },
    /// A length prefix claimed more bytes than remain.
    #[error(
        "NAL unit length {len_bytes} at byte {offset} runs past the end ({available} bytes remain)"
    )]
    LengthOverrun {
        /// Byte offset of the length prefix.
        offset: usize,
        /// The length the prefix claims.
        len_bytes: u64,
        /// Bytes remaining after the prefix.
        available: usize,
    },
    /// A length prefix was cut short (fewer than 4 bytes left).
    #[error("length prefix at byte {offset} is cut short")]
    TruncatedLength {
        /// Byte offset of the incomplete prefix.
        offset: usize,
    },
    /// A NAL unit of length zero.
    #[error("empty NAL unit at byte {offset}")]
    Empty {
        /// Byte offset of the length prefix.
        offset: usize,
    },
    /// A NAL unit shorter than its header.
    #[error("NAL unit of {len_bytes} bytes is shorter than its header")]
    HeaderMissing {
        /// Its length.
        len_bytes: usize,
    },
    /// A NAL unit too long for a 4-byte length prefix.
    #[error("NAL unit of {len_bytes} bytes does not fit a 4-byte length prefix")]
    TooLong {
        /// Its length.
        len_bytes: usize,
    },
}

/// Splits an Annex B byte stream into NAL units.
///
/// Start codes may be 3 or 4 bytes; bytes before the first start code are ignored, and zero
/// bytes at the end of a unit (the leading zero of the next 4-byte start code, or
/// `trailing_zero_8bits`) are dropped. A stream without any start code yields nothing.
pub fn split_annex_b(stream: &[u8]) -> AnnexB<'_> {
    let pos = find_start_code(stream, 0).map_or(stream.len(), |p| p + 3);
    AnnexB { stream, pos }
}

/// Iterator over the NAL units of an Annex B byte stream; see [`split_annex_b`].
#[derive(Debug, Clone)]
pub struct AnnexB<'a> {
    stream: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for AnnexB<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        while self.pos < self.stream.len() {
            let next = find_start_code(self.stream, self.pos);
            let end = next.unwrap_or(self.stream.len());
            let unit = self.stream.get(self.pos..end).unwrap_or_default();
            self.pos = next.map_or(self.stream.len(), |p| p + 3);
            let trimmed_len = unit.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
            if trimmed_len > 0 {
                return unit.get(..trimmed_len);
            }
        }
        None
    }
}

/// Index of the next `00 00 01` at or after `from`.
fn find_start_code(data: &[u8], from: usize) -> Option<usize> {
    data.get(from..)?
        .windows(3)
        .position(|w| w == [0, 0, 1])
        .map(|p| p + from)
}

/// Walks a length-prefixed sample (4-byte big-endian lengths, as in MP4 and from `retina`).
pub fn length_prefixed(sample: &[u8]) -> LengthPrefixed<'_> {
    LengthPrefixed {
        data: sample,
        pos: 0,
        failed: false,
    }
}

/// Iterator over the NAL units of a length-prefixed sample; see [`length_prefixed`]. After
/// the first error it yields nothing more.
#[derive(Debug, Clone)]
pub struct LengthPrefixed<'a> {
    data: &'a [u8],
    pos: usize,
    failed: bool,
}

impl<'a> Iterator for LengthPrefixed<'a> {
    type Item = Result<&'a [u8], NalError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.data.len() {
            return None;
        }
        let offset = self.pos;
        let result = (|| {
            let prefix: [u8; 4] = self
                .data
                .get(offset..offset + 4)
                .and_then(|b| b.try_into().ok())
                .ok_or(NalError::TruncatedLength { offset })?;
            let len_bytes = u32::from_be_bytes(prefix);
            let start = offset + 4;
            let available = self.data.len() - start;
            if len_bytes == 0 {
                return Err(NalError::Empty { offset });
            }
            let len = usize::try_from(len_bytes)
                .ok()
                .filter(|&l| l <= available)
                .ok_or(NalError::LengthOverrun {
                    offset,
                    len_bytes: u64::from(len_bytes),
                    available,
                })?;
            self.pos = start + len;
            self.data
                .get(start..start + len)
                .ok_or(NalError::TruncatedLength { offset })
        })();
        if result.is_err() {
            self.failed = true;
        }
        Some(result)
    }
}

/// Appends `nal` to `out` preceded by its length as a 4-byte big-endian integer.
pub fn append_length_prefixed(out: &mut Vec<u8>, nal: &[u8]) -> Result<(), NalError> {
    let len = u32::try_from(nal.len()).map_err(|_| NalError::TooLong {
        len_bytes: nal.len(),
    })?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(nal);
    Ok(())
}

/// Removes emulation prevention bytes: every `03` that follows two zero bytes.
///
/// Borrows when there is nothing to remove, which is the common case for headers.
pub fn to_rbsp(nal: &[u8]) -> Cow<'_, [u8]> {
    let needs_copy = nal.windows(3).any(|w| w == [0, 0, 3]);
    if !needs_copy {
        return Cow::Borrowed(nal);
    }
    let mut out = Vec::with_capacity(nal.len());
    let mut zeros = 0usize;
    for &b in nal {
        if zeros >= 2 && b == 3 {
            zeros = 0;
            continue;
        }
        zeros = if b == 0 { zeros + 1 } else { 0 };
        out.push(b);
    }
    Cow::Owned(out)
}

/// Reads bits most-significant first from an RBSP, with the Exp-Golomb codes of the
/// standards (`ue(v)`, `se(v)`).
#[derive(Debug, Clone)]
pub struct BitReader<'a> {
    data: &'a [u8],
    pos_bits: u64,
}

impl<'a> BitReader<'a> {
    /// Starts reading at the first bit of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, pos_bits: 0 }
    }

    /// The position of the next bit to read, counted from the start.
    pub fn position_bits(&self) -> u64 {
        self.pos_bits
    }

    /// Bits left to read.
    pub fn remaining_bits(&self) -> u64 {
        (self.data.len() as u64 * 8).saturating_sub(self.pos_bits)
    }

    /// Reads one bit (`u(1)`).
    pub fn read_bit(&mut self) -> Result<bool, NalError> {
        let byte_index = usize::try_from(self.pos_bits / 8).unwrap_or(usize::MAX);
        let byte = *self.data.get(byte_index).ok_or(NalError::Truncated {
            at_bit: self.pos_bits,
        })?;
        let bit = (byte >> (7 - (self.pos_bits % 8))) & 1;
        self.pos_bits += 1;
        Ok(bit == 1)
    }

    /// Reads `n` bits (`u(n)`) as an unsigned integer; `n` above 64 reads 64.
    pub fn read_bits_u64(&mut self, n: u32) -> Result<u64, NalError> {
        let n = n.min(64);
        if u64::from(n) > self.remaining_bits() {
            return Err(NalError::Truncated {
                at_bit: self.pos_bits,
            });
        }
        let mut value = 0u64;
        for _ in 0..n {
            value = (value << 1) | u64::from(self.read_bit()?);
        }
        Ok(value)
    }

    /// Reads `n` bits (`u(n)`) as an unsigned integer; `n` above 32 reads 32.
    pub fn read_bits(&mut self, n: u32) -> Result<u32, NalError> {
        // At most 32 bits were read, so the value fits.
        Ok(self.read_bits_u64(n.min(32))? as u32)
    }

    /// Reads an 8-bit unsigned integer (`u(8)`).
    pub fn read_u8(&mut self) -> Result<u8, NalError> {
        Ok(self.read_bits_u64(8)? as u8)
    }

    /// Skips `n` bits.
    pub fn skip_bits(&mut self, n: u64) -> Result<(), NalError> {
        if n > self.remaining_bits() {
            return Err(NalError::Truncated {
                at_bit: self.pos_bits,
            });
        }
        self.pos_bits += n;
        Ok(())
    }

    /// Reads an unsigned Exp-Golomb code (`ue(v)`), up to 2³² − 2.
    pub fn read_ue(&mut self) -> Result<u32, NalError> {
        let start = self.pos_bits;
        let truncated = |_| NalError::Truncated { at_bit: start };
        let mut leading_zeros = 0u32;
        while !self.read_bit().map_err(truncated)? {
            leading_zeros += 1;
            if leading_zeros > 31 {
                return Err(NalError::ExpGolombTooLong { at_bit: start });
            }
        }
        let suffix = self.read_bits_u64(leading_zeros).map_err(truncated)?;
        let value = (1u64 << leading_zeros) - 1 + suffix;
        u32::try_from(value).map_err(|_| NalError::ExpGolombTooLong { at_bit: start })
    }

    /// Reads a signed Exp-Golomb code (`se(v)`).
    pub fn read_se(&mut self) -> Result<i32, NalError> {
        let k = i64::from(self.read_ue()?);
        let value = if k % 2 == 1 { (k + 1) / 2 } else { -(k / 2) };
        // |value| ≤ 2³¹ − 1 because k ≤ 2³² − 2.
        Ok(value as i32)
    }
}

/// What a NAL unit is, as far as storing it is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NalKind {
    /// H.265 video parameter set (type 32).
    Vps,
    /// Sequence parameter set (H.264 type 7, H.265 type 33).
    Sps,
    /// Picture parameter set (H.264 type 8, H.265 type 34).
    Pps,
    /// Access unit delimiter (H.264 type 9, H.265 type 35).
    AccessUnitDelimiter,
    /// SEI that precedes the pictures of its access unit (H.264 type 6, H.265 type 39).
    Sei,
    /// H.265 suffix SEI (type 40), which follows the pictures of its access unit.
    SuffixSei,
    /// A slice of a picture where decoding may start: H.264 IDR (type 5) or H.265 IRAP
    /// (types 16–23: BLA, IDR, CRA and the reserved IRAP types).
    RandomAccessSlice,
    /// Any other slice (H.264 types 1–4; H.265 types 0–15).
    Slice,
    /// End of sequence (H.264 type 10, H.265 type 36).
    EndOfSequence,
    /// End of stream / bitstream (H.264 type 11, H.265 type 37).
    EndOfStream,
    /// Filler data (H.264 type 12, H.265 type 38).
    FillerData,
    /// Anything else (extensions, reserved and unspecified types).
    Other,
}

impl NalKind {
    /// Classifies a `nal_unit_type` value of `codec`.
    pub fn of(codec: Codec, nal_unit_type: u8) -> NalKind {
        match codec {
            Codec::H264 => match nal_unit_type {
                1..=4 => NalKind::Slice,
                5 => NalKind::RandomAccessSlice,
                6 => NalKind::Sei,
                7 => NalKind::Sps,
                8 => NalKind::Pps,
                9 => NalKind::AccessUnitDelimiter,
                10 => NalKind::EndOfSequence,
                11 => NalKind::EndOfStream,
                12 => NalKind::FillerData,
                _ => NalKind::Other,
            },
            Codec::H265 => match nal_unit_type {
                0..=15 => NalKind::Slice,
                16..=23 => NalKind::RandomAccessSlice,
                32 => NalKind::Vps,
                33 => NalKind::Sps,
                34 => NalKind::Pps,
                35 => NalKind::AccessUnitDelimiter,
                36 => NalKind::EndOfSequence,
                37 => NalKind::EndOfStream,
                38 => NalKind::FillerData,
                39 => NalKind::Sei,
                40 => NalKind::SuffixSei,
                _ => NalKind::Other,
            },
        }
    }

    /// Whether units of this kind carry picture data (VCL units).
    pub fn is_slice(self) -> bool {
        matches!(self, NalKind::Slice | NalKind::RandomAccessSlice)
    }

    /// Whether this kind belongs in the sample entry rather than in samples (parameter sets)
    /// or is redundant in MP4 (access unit delimiters), and so is left out of samples.
    pub fn is_out_of_band(self) -> bool {
        matches!(
            self,
            NalKind::Vps | NalKind::Sps | NalKind::Pps | NalKind::AccessUnitDelimiter
        )
    }
}

/// The `nal_unit_type` of a NAL unit, or `None` if the unit is shorter than its header.
pub fn nal_unit_type(codec: Codec, nal: &[u8]) -> Option<u8> {
    if nal.len() < codec.nal_header_len() {
        return None;
    }
    let first = *nal.first()?;
    Some(match codec {
        Codec::H264 => first & 0x1f,
        Codec::H265 => (first >> 1) & 0x3f,
    })
}

/// Classifies a NAL unit; `None` if it is shorter than its header.
pub fn nal_kind(codec: Codec, nal: &[u8]) -> Option<NalKind> {
    nal_unit_type(codec, nal).map(|t| NalKind::of(codec, t))
}

/// Whether a slice NAL unit is the first slice of its picture: `first_mb_in_slice == 0`
/// (H.264) or `first_slice_segment_in_pic_flag == 1` (H.265). Slices sent out of order
/// (H.264 arbitrary slice order) are not supported.
pub fn is_first_slice_of_picture(codec: Codec, nal: &[u8]) -> bool {
    // ue(v) = 0 is the single bit `1`, and the byte after the header cannot be an
    // emulation prevention byte, so reading the raw byte is exact.
    let byte = nal.get(codec.nal_header_len()).copied().unwrap_or(0);
    byte & 0x80 != 0
}

/// Groups the NAL units of a byte stream into access units (one picture and what belongs
/// with it), for tests and tools.
///
/// A new access unit starts at the first slice of a picture (see
/// [`is_first_slice_of_picture`]) or at a delimiter, parameter set or prefix SEI, whichever
/// comes first after the previous picture's slices (H.264 §7.4.1.2.3, H.265 §7.4.2.4.4).
/// This needs no access unit delimiters; units before the first slice go with the first
/// access unit.
pub fn split_access_units<'a>(codec: Codec, nals: &[&'a [u8]]) -> Vec<Vec<&'a [u8]>> {
    let mut units: Vec<Vec<&'a [u8]>> = Vec::new();
    let mut current: Vec<&'a [u8]> = Vec::new();
    let mut current_has_slice = false;
    for &nal in nals {
        let Some(kind) = nal_kind(codec, nal) else {
            continue;
        };
        let starts_new = current_has_slice
            && match kind {
                NalKind::Slice | NalKind::RandomAccessSlice => {
                    is_first_slice_of_picture(codec, nal)
                }
                NalKind::Vps
                | NalKind::Sps
                | NalKind::Pps
                | NalKind::AccessUnitDelimiter
                | NalKind::Sei => true,
                // Prefix NAL units, subset SPS and types reserved to precede a picture.
                NalKind::Other => match (codec, nal_unit_type(codec, nal)) {
                    (Codec::H264, Some(t)) => (14..=18).contains(&t),
                    (Codec::H265, Some(t)) => (41..=44).contains(&t) || (48..=55).contains(&t),
                    _ => false,
                },
                _ => false,
            };
        if starts_new {
            units.push(std::mem::take(&mut current));
            current_has_slice = false;
        }
        current_has_slice |= kind.is_slice();
        current.push(nal);
    }
    if !current.is_empty() {
        units.push(current);
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annex_b_splits_on_three_and_four_byte_start_codes() {
        let stream = [
            0, 0, 0, 1, 0x67, 0xaa, 0, 0, 1, 0x68, 0xbb, 0, 0, 0, 0, 1, 0x65, 0xcc, 0, 0,
        ];
        let nals: Vec<&[u8]> = split_annex_b(&stream).collect();
        assert_eq!(
            nals,
            vec![&[0x67, 0xaa][..], &[0x68, 0xbb][..], &[0x65, 0xcc][..]]
        );
        assert_eq!(split_annex_b(&[1, 2, 3]).count(), 0, "no start code");
        assert_eq!(split_annex_b(&[0, 0, 1]).count(), 0, "nothing after it");
        assert_eq!(
            split_annex_b(&[0, 0, 1, 0, 0, 1, 9]).count(),
            1,
            "empty unit"
        );
    }

    #[test]
    fn emulation_prevention_bytes_are_removed() {
        assert_eq!(
            &*to_rbsp(&[0x67, 0, 0, 3, 1, 0, 0, 3, 0, 0, 3]),
            &[0x67, 0, 0, 1, 0, 0, 0, 0]
        );
        assert!(matches!(to_rbsp(&[1, 2, 3]), Cow::Borrowed(_)));
        // Only a 03 after two zeros is removed; the zero count restarts after it.
        assert_eq!(&*to_rbsp(&[0, 3, 0, 0, 3, 3]), &[0, 3, 0, 0, 3]);
    }

    #[test]
    fn exp_golomb_codes_read_as_the_standard_tables_say() {
        // 1 | 010 | 011 | 00100 | 00101 | 0001000 → ue 0,1,2,3,4,7
        let bits = ["1", "010", "011", "00100", "00101", "0001000"].concat();
        let mut bytes = vec![0u8; bits.len().div_ceil(8)];
        for (i, c) in bits.chars().enumerate() {
            if c == '1' {
                bytes[i / 8] |= 0x80 >> (i % 8);
            }
        }
        let mut r = BitReader::new(&bytes);
        let got: Vec<u32> = (0..6).map(|_| r.read_ue().expect("ue")).collect();
        assert_eq!(got, vec![0, 1, 2, 3, 4, 7]);
        let mut r = BitReader::new(&bytes);
        let got: Vec<i32> = (0..6).map(|_| r.read_se().expect("se")).collect();
        assert_eq!(got, vec![0, 1, -1, 2, -2, 4]);
    }

    #[test]
    fn bit_reader_reports_where_data_ran_out() {
        let mut r = BitReader::new(&[0xff]);
        assert_eq!(r.read_bits(4), Ok(0xf));
        assert_eq!(r.read_bits(5), Err(NalError::Truncated { at_bit: 4 }));
        let mut r = BitReader::new(&[0, 0, 0, 0, 0]);
        assert_eq!(r.read_ue(), Err(NalError::ExpGolombTooLong { at_bit: 0 }));
        let mut r = BitReader::new(&[0xff, 0x00]);
        r.skip_bits(8).expect("8 bits are there");
        assert_eq!(r.read_ue(), Err(NalError::Truncated { at_bit: 8 }));
        let mut r = BitReader::new(&[0x01]);
        assert_eq!(r.read_ue(), Err(NalError::Truncated { at_bit: 0 }));
        // The largest ue(v): 31 zeros, a one, 31 ones.
        let mut r = BitReader::new(&[0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe]);
        assert_eq!(r.read_ue(), Ok(u32::MAX - 1));
        let mut r = BitReader::new(&[0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe]);
        assert_eq!(r.read_se(), Ok(-(i32::MAX)));
    }

    #[test]
    fn length_prefixed_round_trip_and_errors() {
        let mut sample = Vec::new();
        append_length_prefixed(&mut sample, &[0x65, 1, 2]).expect("fits");
        append_length_prefixed(&mut sample, &[0x41]).expect("fits");
        let nals: Vec<&[u8]> = length_prefixed(&sample)
            .collect::<Result<_, _>>()
            .expect("well formed");
        assert_eq!(nals, vec![&[0x65, 1, 2][..], &[0x41][..]]);

        let errors: Vec<_> = [
            &[0, 0, 0][..],
            &[0, 0, 0, 0],
            &[0, 0, 0, 5, 1, 2],
            &[0xff, 0xff, 0xff, 0xff, 1],
        ]
        .iter()
        .map(|bad| length_prefixed(bad).find_map(Result::err))
        .collect();
        assert_eq!(
            errors,
            vec![
                Some(NalError::TruncatedLength { offset: 0 }),
                Some(NalError::Empty { offset: 0 }),
                Some(NalError::LengthOverrun {
                    offset: 0,
                    len_bytes: 5,
                    available: 2
                }),
                Some(NalError::LengthOverrun {
                    offset: 0,
                    len_bytes: u64::from(u32::MAX),
                    available: 1
                }),
            ]
        );
    }

    #[test]
    fn nal_types_classify() {
        assert_eq!(nal_kind(Codec::H264, &[0x67]), Some(NalKind::Sps));
        assert_eq!(nal_kind(Codec::H264, &[0x68]), Some(NalKind::Pps));
        assert_eq!(
            nal_kind(Codec::H264, &[0x65]),
            Some(NalKind::RandomAccessSlice)
        );
        assert_eq!(nal_kind(Codec::H264, &[0x41]), Some(NalKind::Slice));
        assert_eq!(
            nal_kind(Codec::H264, &[0x09]),
            Some(NalKind::AccessUnitDelimiter)
        );
        assert_eq!(nal_kind(Codec::H264, &[0x06]), Some(NalKind::Sei));
        assert_eq!(nal_kind(Codec::H264, &[]), None);
        // H.265 header: forbidden bit, 6-bit type, 6-bit layer, 3-bit temporal id + 1.
        let h265 = |t: u8| [t << 1, 1];
        assert_eq!(nal_kind(Codec::H265, &h265(32)), Some(NalKind::Vps));
        assert_eq!(nal_kind(Codec::H265, &h265(33)), Some(NalKind::Sps));
        assert_eq!(nal_kind(Codec::H265, &h265(34)), Some(NalKind::Pps));
        assert_eq!(
            nal_kind(Codec::H265, &h265(35)),
            Some(NalKind::AccessUnitDelimiter)
        );
        for irap in 16..=21 {
            assert_eq!(
                nal_kind(Codec::H265, &h265(irap)),
                Some(NalKind::RandomAccessSlice),
                "type {irap}"
            );
        }
        assert_eq!(nal_kind(Codec::H265, &h265(1)), Some(NalKind::Slice));
        assert_eq!(nal_kind(Codec::H265, &h265(9)), Some(NalKind::Slice));
        assert_eq!(nal_kind(Codec::H265, &h265(40)), Some(NalKind::SuffixSei));
        assert_eq!(
            nal_kind(Codec::H265, &[0x40]),
            None,
            "one byte is no header"
        );
    }

    #[test]
    fn access_units_split_at_first_slices_and_prefix_units() {
        let aud = &[0x09, 0xf0][..];
        let sps = &[0x67, 1][..];
        let pps = &[0x68, 1][..];
        let idr_first = &[0x65, 0x88][..];
        let idr_second = &[0x65, 0x40][..]; // first_mb_in_slice = 1
        let p_first = &[0x41, 0x9a][..];
        let p_second = &[0x41, 0x20][..];
        let sei = &[0x06, 5][..];
        let nals = [
            aud, sps, pps, idr_first, idr_second, p_first, p_second, sei, p_first, p_first,
        ];
        let units = split_access_units(Codec::H264, &nals);
        assert_eq!(
            units,
            vec![
                vec![aud, sps, pps, idr_first, idr_second],
                vec![p_first, p_second],
                vec![sei, p_first],
                vec![p_first],
            ]
        );
    }
}
