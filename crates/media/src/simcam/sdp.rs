//! The session description (SDP, RFC 4566) a simulated camera's `DESCRIBE` returns, with the
//! H.264 payload format parameters of RFC 6184 section 8.1.
//!
//! Invariants: one video stream, payload type 96, clock rate 90 kHz, packetization-mode 1;
//! `profile-level-id` is the SPS's profile, constraint and level bytes; `sprop-parameter-sets`
//! is the SPS and PPS in base64 (RFC 4648 with padding); lines end in CRLF.

use super::rtp::PAYLOAD_TYPE;

/// The control URL of the one track, relative to the `Content-Base`.
pub(crate) const TRACK_CONTROL: &str = "track1";

/// What the description says about one camera.
#[derive(Debug, Clone)]
pub(crate) struct Description<'a> {
    /// Session name (the camera's name).
    pub(crate) name: &'a str,
    /// The server's address as the client reached it, for the `o=` line.
    pub(crate) server_ip: std::net::IpAddr,
    /// Session identifier for the `o=` line (any number stable for the camera).
    pub(crate) session_id: u64,
    /// The SPS NAL unit.
    pub(crate) sps: &'a [u8],
    /// The PPS NAL unit.
    pub(crate) pps: &'a [u8],
    /// Frames per second.
    pub(crate) fps: u32,
    /// Displayed picture size in pixels.
    pub(crate) width: u32,
    /// Displayed picture size in pixels.
    pub(crate) height: u32,
}

impl Description<'_> {
    /// The SDP text.
    pub(crate) fn to_sdp(&self) -> String {
        let address_type = if self.server_ip.is_ipv4() {
            "IP4"
        } else {
            "IP6"
        };
        let profile_level_id: String = self
            .sps
            .get(1..4)
            .unwrap_or(&[66, 0xC0, 30])
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect();
        let lines = [
            "v=0".to_owned(),
            format!(
                "o=- {id} 1 IN {address_type} {ip}",
                id = self.session_id,
                ip = self.server_ip
            ),
            format!("s={}", self.name),
            format!("i=Synthetic H.264 video, {}x{}", self.width, self.height),
            format!("c=IN {address_type} {}", unspecified(self.server_ip)),
            "t=0 0".to_owned(),
            "a=tool:Custos".to_owned(),
            "a=type:broadcast".to_owned(),
            "a=range:npt=0-".to_owned(),
            "a=control:*".to_owned(),
            format!("m=video 0 RTP/AVP {PAYLOAD_TYPE}"),
            format!("a=rtpmap:{PAYLOAD_TYPE} H264/90000"),
            format!(
                "a=fmtp:{PAYLOAD_TYPE} packetization-mode=1;profile-level-id={profile_level_id};\
                 sprop-parameter-sets={},{}",
                base64(self.sps),
                base64(self.pps)
            ),
            format!("a=framerate:{}", self.fps),
            format!("a=control:{TRACK_CONTROL}"),
        ];
        let mut sdp = lines.join("\r\n");
        sdp.push_str("\r\n");
        sdp
    }
}

/// The unspecified address of the same family as `ip`.
fn unspecified(ip: std::net::IpAddr) -> &'static str {
    if ip.is_ipv4() { "0.0.0.0" } else { "::" }
}

/// Base64 with the standard alphabet and `=` padding (RFC 4648 section 4).
pub(crate) fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_4648_test_vectors() {
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (input, expected) in vectors {
            assert_eq!(base64(input.as_bytes()), expected);
        }
        assert_eq!(base64(&[0xFF, 0xEF, 0xBE]), "/+++");
    }

    #[test]
    fn the_description_announces_h264_with_parameter_sets() {
        let sps = [0x67, 0x42, 0xC0, 0x1F, 0xDA];
        let pps = [0x68, 0xCE, 0x38, 0x80];
        let sdp = Description {
            name: "Simulated camera 2",
            server_ip: "127.0.0.1".parse().expect("an address"),
            session_id: 42,
            sps: &sps,
            pps: &pps,
            fps: 25,
            width: 320,
            height: 240,
        }
        .to_sdp();
        let lines: Vec<&str> = sdp.split("\r\n").collect();
        assert_eq!(lines[0], "v=0");
        assert_eq!(lines.last(), Some(&""), "every line ends in CRLF");
        for expected in [
            "o=- 42 1 IN IP4 127.0.0.1",
            "s=Simulated camera 2",
            "c=IN IP4 0.0.0.0",
            "a=control:*",
            "m=video 0 RTP/AVP 96",
            "a=rtpmap:96 H264/90000",
            "a=fmtp:96 packetization-mode=1;profile-level-id=42C01F;\
             sprop-parameter-sets=Z0LAH9o=,aM44gA==",
            "a=framerate:25",
            "a=control:track1",
        ] {
            assert!(lines.contains(&expected), "missing {expected:?} in\n{sdp}");
        }
        let media = lines.iter().position(|l| l.starts_with("m=")).expect("m=");
        let track = lines
            .iter()
            .position(|l| *l == "a=control:track1")
            .expect("control");
        assert!(
            track > media,
            "the track's control URL belongs to the media section"
        );
    }
}
