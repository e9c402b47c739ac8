//! Bit-level writing for H.264 syntax: fixed-width fields `u(n)`, Exp-Golomb codes `ue(v)` and
//! `se(v)`, RBSP trailing bits, and wrapping an RBSP into a NAL unit with emulation
//! prevention.
//!
//! Invariants: bits are written most significant first, exactly as ITU-T H.264 clause 7.2
//! reads them; [`BitWriter::into_rbsp`] only hands back byte-aligned data; [`nal_unit`]
//! never lets `0x000000`, `0x000001`, `0x000002` or `0x000003` appear in its output after the
//! header byte (clause 7.4.1), so the result can be framed with Annex B start codes or sent
//! over RTP unchanged. Cost: one pass over the payload; aligned byte runs (PCM samples) are
//! copied without bit shifting.

/// Writes H.264 syntax elements into a growing byte buffer.
#[derive(Debug, Default)]
pub(crate) struct BitWriter {
    bytes: Vec<u8>,
    /// Pending bits, right-aligned; fewer than 8 between calls.
    pending: u64,
    pending_len: u32,
}

impl BitWriter {
    /// A writer whose buffer can take `capacity_bytes` without growing.
    pub(crate) fn with_capacity(capacity_bytes: usize) -> Self {
        Self {
            bytes: Vec::with_capacity(capacity_bytes),
            pending: 0,
            pending_len: 0,
        }
    }

    /// Writes the low `len_bits` bits of `value` (at most 56), most significant first.
    fn bits(&mut self, len_bits: u32, value: u64) {
        debug_assert!(len_bits <= 56);
        if len_bits == 0 {
            return;
        }
        let mask = (1u64 << len_bits) - 1;
        self.pending = (self.pending << len_bits) | (value & mask);
        self.pending_len += len_bits;
        while self.pending_len >= 8 {
            self.pending_len -= 8;
            self.bytes.push((self.pending >> self.pending_len) as u8);
        }
        self.pending &= (1u64 << self.pending_len) - 1;
    }

    /// `u(n)`: an unsigned field of `len_bits` bits (at most 32).
    pub(crate) fn u(&mut self, len_bits: u32, value: u32) {
        debug_assert!(len_bits <= 32);
        debug_assert!(len_bits == 32 || value < (1u32 << len_bits));
        self.bits(len_bits, u64::from(value));
    }

    /// `u(1)`: a flag.
    pub(crate) fn flag(&mut self, value: bool) {
        self.bits(1, u64::from(value));
    }

    /// `ue(v)`: unsigned Exp-Golomb (clause 9.1): `leading zeros`, then `value + 1` in binary.
    pub(crate) fn ue(&mut self, value: u32) {
        let code = u64::from(value) + 1;
        let len_bits = 64 - code.leading_zeros();
        self.bits(len_bits - 1, 0);
        self.bits(len_bits, code);
    }

    /// `se(v)`: signed Exp-Golomb (clause 9.1.1): k > 0 maps to 2k − 1, k ≤ 0 to −2k.
    pub(crate) fn se(&mut self, value: i32) {
        let mapped = if value > 0 {
            2 * i64::from(value) - 1
        } else {
            -2 * i64::from(value)
        };
        // The largest mapped value, 2^32, is one past u32::MAX: write it as a raw code.
        let code = mapped as u64 + 1;
        let len_bits = 64 - code.leading_zeros();
        self.bits(len_bits - 1, 0);
        self.bits(len_bits, code);
    }

    /// Whether the next bit starts a new byte.
    pub(crate) fn is_byte_aligned(&self) -> bool {
        self.pending_len == 0
    }

    /// Writes zero bits up to the next byte boundary (`pcm_alignment_zero_bit`).
    pub(crate) fn align_with_zeros(&mut self) {
        if self.pending_len != 0 {
            self.bits(8 - self.pending_len, 0);
        }
    }

    /// Appends whole bytes; the writer must be byte-aligned (e.g. PCM samples).
    pub(crate) fn aligned_bytes(&mut self, data: &[u8]) {
        debug_assert!(self.is_byte_aligned(), "aligned_bytes called mid-byte");
        self.bytes.extend_from_slice(data);
    }

    /// `rbsp_trailing_bits()`: a one bit, then zero bits to the byte boundary.
    pub(crate) fn rbsp_trailing_bits(&mut self) {
        self.bits(1, 1);
        self.align_with_zeros();
    }

    /// The written RBSP. Call after [`BitWriter::rbsp_trailing_bits`], which aligns it.
    pub(crate) fn into_rbsp(self) -> Vec<u8> {
        debug_assert!(self.is_byte_aligned(), "RBSP is not byte-aligned");
        self.bytes
    }
}

/// Wraps an RBSP as a NAL unit (clause 7.3.1): the header byte (`forbidden_zero_bit` 0,
/// `nal_ref_idc`, `nal_unit_type`), then the payload with an `emulation_prevention_three_byte`
/// inserted wherever two zero bytes would be followed by a byte ≤ 3, and after a final pair of
/// zero bytes. No start code is added.
pub(crate) fn nal_unit(nal_ref_idc: u8, nal_unit_type: u8, rbsp: &[u8]) -> Vec<u8> {
    debug_assert!(nal_ref_idc < 4 && nal_unit_type < 32);
    let mut out = Vec::with_capacity(rbsp.len() + rbsp.len() / 64 + 2);
    out.push((nal_ref_idc << 5) | nal_unit_type);
    let mut zeros = 0usize;
    for &byte in rbsp {
        if zeros >= 2 && byte <= 3 {
            out.push(3);
            zeros = 0;
        }
        out.push(byte);
        zeros = if byte == 0 { zeros + 1 } else { 0 };
    }
    if zeros > 0 {
        // A NAL unit may not end in a zero byte (clause 7.4.1).
        out.push(3);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits_of(writer: BitWriter) -> String {
        let len = writer.pending_len;
        let pending = writer.pending;
        let mut text: String = writer.bytes.iter().map(|b| format!("{b:08b}")).collect();
        for i in (0..len).rev() {
            text.push(if (pending >> i) & 1 == 1 { '1' } else { '0' });
        }
        text
    }

    #[test]
    fn ue_matches_the_codeword_table_of_clause_9_1() {
        // Table 9-2 of ITU-T H.264: codeNum → bit string.
        let table = [
            (0, "1"),
            (1, "010"),
            (2, "011"),
            (3, "00100"),
            (4, "00101"),
            (5, "00110"),
            (6, "00111"),
            (7, "0001000"),
            (8, "0001001"),
            (14, "0001111"),
            (15, "000010000"),
            (25, "000011010"),
            (30, "000011111"),
        ];
        for (value, expected) in table {
            let mut w = BitWriter::default();
            w.ue(value);
            assert_eq!(bits_of(w), expected, "ue({value})");
        }
        let mut w = BitWriter::default();
        w.ue(u32::MAX);
        let text = bits_of(w);
        assert_eq!(text.len(), 65);
        assert_eq!(&text[..33], &format!("{}1", "0".repeat(32)));
    }

    #[test]
    fn se_maps_signed_values_as_table_9_3() {
        let table = [
            (0, "1"),
            (1, "010"),
            (-1, "011"),
            (2, "00100"),
            (-2, "00101"),
            (3, "00110"),
            (-3, "00111"),
        ];
        for (value, expected) in table {
            let mut w = BitWriter::default();
            w.se(value);
            assert_eq!(bits_of(w), expected, "se({value})");
        }
        for extreme in [i32::MIN, i32::MAX] {
            let mut w = BitWriter::default();
            w.se(extreme);
            assert!(bits_of(w).len() <= 65);
        }
    }

    #[test]
    fn fixed_fields_flags_and_alignment() {
        let mut w = BitWriter::default();
        w.u(3, 0b101);
        w.flag(true);
        assert!(!w.is_byte_aligned());
        w.align_with_zeros();
        assert!(w.is_byte_aligned());
        w.aligned_bytes(&[0xAB]);
        w.u(32, 0xDEAD_BEEF);
        w.flag(false);
        w.rbsp_trailing_bits();
        assert_eq!(
            w.into_rbsp(),
            vec![0b1011_0000, 0xAB, 0xDE, 0xAD, 0xBE, 0xEF, 0b0100_0000]
        );
    }

    #[test]
    fn trailing_bits_on_an_aligned_writer_add_a_whole_byte() {
        let mut w = BitWriter::default();
        w.u(8, 0x42);
        w.rbsp_trailing_bits();
        assert_eq!(w.into_rbsp(), vec![0x42, 0x80]);
    }

    #[test]
    fn emulation_prevention_inserts_three_bytes() {
        let cases: [(&[u8], &[u8]); 8] = [
            (&[0, 0, 0], &[0, 0, 3, 0, 3]),
            (&[0, 0, 1], &[0, 0, 3, 1]),
            (&[0, 0, 2], &[0, 0, 3, 2]),
            (&[0, 0, 3], &[0, 0, 3, 3]),
            (&[0, 0, 4], &[0, 0, 4]),
            (&[1, 0, 0, 0, 0, 1], &[1, 0, 0, 3, 0, 0, 3, 1]),
            (&[0, 1, 0, 2], &[0, 1, 0, 2]),
            (&[5, 0, 0], &[5, 0, 0, 3]),
        ];
        for (rbsp, payload) in cases {
            let nal = nal_unit(3, 5, rbsp);
            assert_eq!(nal[0], 0x65);
            assert_eq!(&nal[1..], payload, "rbsp {rbsp:?}");
        }
    }

    #[test]
    fn emulation_prevention_never_leaves_a_start_code_prefix() {
        // Every pair of bytes drawn from the dangerous values, in long runs.
        let mut rbsp = Vec::new();
        for a in 0..=4u8 {
            for b in 0..=4u8 {
                rbsp.extend_from_slice(&[a, 0, 0, b, 0, 0, 0]);
            }
        }
        // An RBSP ends in its trailing bits, so never in a zero byte.
        rbsp.push(0x80);
        let nal = nal_unit(2, 1, &rbsp);
        for window in nal[1..].windows(3) {
            assert!(
                !(window[0] == 0 && window[1] == 0 && window[2] <= 2),
                "start-code-like bytes {window:?}"
            );
        }
        // Removing every 0x03 that follows two zeros gives the RBSP back.
        let mut back = Vec::new();
        let mut zeros = 0;
        for &byte in &nal[1..] {
            if zeros >= 2 && byte == 3 {
                zeros = 0;
                continue;
            }
            back.push(byte);
            zeros = if byte == 0 { zeros + 1 } else { 0 };
        }
        assert_eq!(back, rbsp);
    }
}
