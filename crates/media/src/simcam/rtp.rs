//! RTP packetisation of H.264 (RFC 6184, packetization-mode=1) and RTCP sender reports
//! (RFC 3550).
//!
//! Invariants: a NAL unit that fits in [`MAX_PAYLOAD_BYTES`] travels as a single NAL unit
//! packet, a larger one as FU-A fragments that each fit, with the start bit on the first and
//! the end bit on the last; payloads are computed once per access unit and shared by every
//! session, which adds its own 12-byte header (sequence number, timestamp offset and SSRC are
//! per session); the marker bit is set on the last packet of an access unit only. Sender
//! reports pair an NTP wall-clock time with the RTP timestamp of the same instant.

/// Largest RTP payload sent, in bytes: with the 12-byte RTP header, 8-byte UDP header and
/// 20-byte IPv4 header, a packet stays under a 1500-byte Ethernet MTU.
pub(crate) const MAX_PAYLOAD_BYTES: usize = 1400;
/// RTP clock rate for video, in Hz (RFC 6184 section 8.2.1).
pub(crate) const CLOCK_RATE_HZ: u64 = 90_000;
/// The dynamic payload type the SDP announces for H.264.
pub(crate) const PAYLOAD_TYPE: u8 = 96;
/// Length of the fixed RTP header, in bytes.
pub(crate) const HEADER_BYTES: usize = 12;
/// NAL unit type of a fragmentation unit A (RFC 6184 section 5.8).
const FU_A: u8 = 28;
/// Seconds from 1900-01-01 (NTP era 0) to 1970-01-01.
const NTP_UNIX_OFFSET_S: u64 = 2_208_988_800;

/// Splits an access unit's NAL units into RTP payloads of at most `max_payload_bytes` each:
/// single NAL unit packets, or FU-A fragments for NAL units that do not fit.
pub(crate) fn payloads(nal_units: &[Vec<u8>], max_payload_bytes: usize) -> Vec<Vec<u8>> {
    debug_assert!(max_payload_bytes > 2);
    let mut out = Vec::new();
    for nal in nal_units {
        let Some((&header, body)) = nal.split_first() else {
            continue;
        };
        if nal.len() <= max_payload_bytes {
            out.push(nal.clone());
            continue;
        }
        let indicator = (header & 0xE0) | FU_A;
        let nal_type = header & 0x1F;
        let chunk_bytes = max_payload_bytes - 2;
        let last = body.len().div_ceil(chunk_bytes) - 1;
        for (i, chunk) in body.chunks(chunk_bytes).enumerate() {
            let mut fu_header = nal_type;
            if i == 0 {
                fu_header |= 0x80;
            }
            if i == last {
                fu_header |= 0x40;
            }
            let mut payload = Vec::with_capacity(chunk.len() + 2);
            payload.push(indicator);
            payload.push(fu_header);
            payload.extend_from_slice(chunk);
            out.push(payload);
        }
    }
    out
}

/// Appends a fixed RTP header (version 2, no padding, extension or CSRCs).
pub(crate) fn write_header(out: &mut Vec<u8>, marker: bool, seq: u16, timestamp: u32, ssrc: u32) {
    out.push(0x80);
    out.push(if marker { 0x80 } else { 0 } | PAYLOAD_TYPE);
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(&timestamp.to_be_bytes());
    out.extend_from_slice(&ssrc.to_be_bytes());
}

/// A 64-bit NTP timestamp (seconds since 1900 in the high half, fraction in the low half)
/// for `unix_ns` nanoseconds since the Unix epoch.
pub(crate) fn ntp_timestamp(unix_ns: u64) -> u64 {
    let seconds = unix_ns / 1_000_000_000 + NTP_UNIX_OFFSET_S;
    let fraction = ((u128::from(unix_ns % 1_000_000_000) << 32) / 1_000_000_000) as u64;
    (seconds << 32) | fraction
}

/// What a sender report states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SenderReport {
    /// The session's SSRC.
    pub(crate) ssrc: u32,
    /// Wall-clock time of the instant reported, as [`ntp_timestamp`] gives it.
    pub(crate) ntp: u64,
    /// The RTP timestamp of the same instant.
    pub(crate) rtp_timestamp: u32,
    /// RTP data packets sent so far.
    pub(crate) packet_count: u32,
    /// RTP payload bytes sent so far.
    pub(crate) octet_count: u32,
}

impl SenderReport {
    /// A compound RTCP packet: the sender report (no report blocks) and an SDES packet
    /// carrying the CNAME, as RFC 3550 section 6.1 requires of every compound packet.
    pub(crate) fn to_bytes(self, cname: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(&[0x80, 200, 0, 6]); // V=2, RC=0, PT=SR, length 7 words − 1
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        out.extend_from_slice(&self.ntp.to_be_bytes());
        out.extend_from_slice(&self.rtp_timestamp.to_be_bytes());
        out.extend_from_slice(&self.packet_count.to_be_bytes());
        out.extend_from_slice(&self.octet_count.to_be_bytes());
        let cname = &cname.as_bytes()[..cname.len().min(255)];
        // SSRC, CNAME item (type, length, text), END item, padding to a 32-bit boundary.
        let chunk_bytes = (4 + 2 + cname.len() + 1).next_multiple_of(4);
        out.extend_from_slice(&[0x81, 202]); // V=2, SC=1, PT=SDES
        out.extend_from_slice(&((chunk_bytes / 4) as u16).to_be_bytes());
        let chunk_start = out.len();
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        out.push(1); // CNAME
        out.push(cname.len() as u8);
        out.extend_from_slice(cname);
        out.resize(chunk_start + chunk_bytes, 0);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nal(len: usize) -> Vec<u8> {
        let mut nal = vec![0x65];
        nal.extend((1..len).map(|i| (i % 251) as u8));
        nal
    }

    /// Rebuilds the NAL units from single NAL unit packets and FU-A fragments.
    fn reassemble(payloads: &[Vec<u8>]) -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = Vec::new();
        let mut partial: Option<Vec<u8>> = None;
        for p in payloads {
            if p[0] & 0x1F != FU_A {
                assert!(
                    partial.is_none(),
                    "a fragmented NAL unit was left unfinished"
                );
                out.push(p.clone());
                continue;
            }
            let (start, end) = (p[1] & 0x80 != 0, p[1] & 0x40 != 0);
            assert_eq!(p[1] & 0x20, 0, "reserved bit");
            if start {
                assert!(partial.is_none());
                partial = Some(vec![(p[0] & 0xE0) | (p[1] & 0x1F)]);
            }
            let buf = partial
                .as_mut()
                .expect("a fragment before any start fragment");
            buf.extend_from_slice(&p[2..]);
            if end {
                out.extend(partial.take());
            }
        }
        assert!(partial.is_none());
        out
    }

    #[test]
    fn a_nal_unit_that_fits_is_sent_whole() {
        let units = vec![nal(100), nal(1400)];
        let p = payloads(&units, 1400);
        assert_eq!(p, units);
    }

    #[test]
    fn fu_a_fragments_mark_first_and_last_and_reassemble() {
        for len in [1401, 1402, 2797, 2798, 2799, 100_000] {
            let units = vec![nal(len)];
            let p = payloads(&units, 1400);
            assert!(p.len() >= 2, "{len} bytes must be fragmented");
            assert!(p.iter().all(|p| p.len() <= 1400));
            assert!(
                p.iter().all(|p| p[0] == 0x60 | FU_A),
                "F and NRI kept, type 28"
            );
            assert_eq!(p[0][1], 0x80 | 5, "first fragment: start bit");
            assert_eq!(p[p.len() - 1][1], 0x40 | 5, "last fragment: end bit");
            for middle in &p[1..p.len() - 1] {
                assert_eq!(middle[1], 5);
            }
            assert_eq!(reassemble(&p), units, "{len} bytes");
            // One byte more than a whole number of full fragments needs another fragment.
            let expected = (len - 1).div_ceil(1398);
            assert_eq!(p.len(), expected, "{len} bytes");
        }
    }

    #[test]
    fn mixed_access_units_reassemble_in_order() {
        let units = vec![vec![0x67, 1, 2, 3], vec![0x68, 4], nal(5000)];
        assert_eq!(reassemble(&payloads(&units, 1400)), units);
    }

    #[test]
    fn header_layout() {
        let mut out = Vec::new();
        write_header(&mut out, true, 0xABCD, 0x0102_0304, 0xDEAD_BEEF);
        assert_eq!(
            out,
            [
                0x80,
                0x80 | 96,
                0xAB,
                0xCD,
                1,
                2,
                3,
                4,
                0xDE,
                0xAD,
                0xBE,
                0xEF
            ]
        );
        out.clear();
        write_header(&mut out, false, 1, 2, 3);
        assert_eq!(out[1], 96);
        assert_eq!(out.len(), HEADER_BYTES);
    }

    #[test]
    fn ntp_timestamps_count_from_1900() {
        assert_eq!(ntp_timestamp(0), NTP_UNIX_OFFSET_S << 32);
        assert_eq!(
            ntp_timestamp(1_500_000_000),
            ((NTP_UNIX_OFFSET_S + 1) << 32) | 0x8000_0000
        );
    }

    #[test]
    fn sender_report_layout() {
        let sr = SenderReport {
            ssrc: 0x1122_3344,
            ntp: 0x0102_0304_0506_0708,
            rtp_timestamp: 90_000,
            packet_count: 10,
            octet_count: 12_345,
        };
        let bytes = sr.to_bytes("cam1");
        assert_eq!(&bytes[..4], &[0x80, 200, 0, 6]);
        assert_eq!(&bytes[8..16], &0x0102_0304_0506_0708u64.to_be_bytes());
        assert_eq!(&bytes[16..20], &90_000u32.to_be_bytes());
        let sdes = &bytes[28..];
        assert_eq!(sdes[0..2], [0x81, 202]);
        let words = u16::from_be_bytes([sdes[2], sdes[3]]) as usize;
        assert_eq!(sdes.len(), 4 + words * 4);
        assert_eq!(&sdes[8..10], &[1, 4]);
        assert_eq!(&sdes[10..14], b"cam1");
        assert_eq!(sdes[14], 0, "END item");
        assert_eq!(bytes.len() % 4, 0);
    }
}
