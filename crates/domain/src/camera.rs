//! Camera vocabulary that policy packs and the camera register share: the kinds of camera
//! (LBU-7, BDC-2, ALT-2) and the recording modes (LJM-1).

kebab_enum! {
    /// What sort of camera it is (LBU-7, BJS-3, BDC-2, ALT-2).
    CameraKind, "camera kind" {
        /// A fixed camera.
        Fixed = "fixed",
        /// A pan-tilt-zoom camera.
        Ptz = "ptz",
        /// A body-worn camera (LBU-24).
        BodyWorn = "body-worn",
        /// An automatic number-plate recognition camera (SCC-12).
        Anpr = "anpr",
        /// A redeployable camera (BDC-38).
        Redeployable = "redeployable",
        /// A camera on a vehicle, e.g. a minibus (ALT-2).
        Vehicle = "vehicle",
    }
}

kebab_enum! {
    /// How a camera's pictures are kept (LJM-1).
    RecordingMode, "recording mode" {
        /// Recorded around the clock (BDC-2, LBU-7).
        Continuous = "continuous",
        /// Watched live, never recorded.
        LiveOnly = "live-only",
        /// Recorded only when an alarm triggers it.
        AlarmTriggered = "alarm-triggered",
        /// Recorded only while an authorised person has started it: an agreed teaching
        /// session (LJM-1) or a body-worn camera switched on by its wearer (LBU-24).
        OnDemand = "on-demand",
    }
}

kebab_enum! {
    /// The UK nation whose bank holidays define working days.
    Nation, "nation" {
        /// England and Wales.
        EnglandWales = "england-wales",
        /// Scotland.
        Scotland = "scotland",
        /// Northern Ireland.
        NorthernIreland = "northern-ireland",
    }
}

impl CameraKind {
    /// The kind in words, e.g. "Pan-tilt-zoom (PTZ) camera".
    pub fn describe(self) -> &'static str {
        match self {
            Self::Fixed => "Fixed camera",
            Self::Ptz => "Pan-tilt-zoom (PTZ) camera",
            Self::BodyWorn => "Body-worn camera",
            Self::Anpr => "Number-plate recognition (ANPR) camera",
            Self::Redeployable => "Redeployable camera",
            Self::Vehicle => "Camera on a vehicle",
        }
    }
}

impl RecordingMode {
    /// The mode as a label for staff, e.g. "Recorded around the clock".
    pub fn label(self) -> &'static str {
        match self {
            Self::Continuous => "Recorded around the clock",
            Self::LiveOnly => "Watched live only, never recorded",
            Self::AlarmTriggered => "Recorded when an alarm is triggered",
            Self::OnDemand => "Recorded while staff switch it on",
        }
    }

    /// The mode in words for the public, e.g. "around the clock".
    pub fn describe(self) -> &'static str {
        match self {
            Self::Continuous => "around the clock",
            Self::LiveOnly => "never (watched live only)",
            Self::AlarmTriggered => "only when an alarm is triggered",
            Self::OnDemand => "only while a member of staff has switched recording on",
        }
    }
}

kebab_enum! {
    /// How RTP travels from a camera: interleaved in the RTSP connection, or over UDP.
    Transport, "transport" {
        /// RTP interleaved in the RTSP TCP connection (works through firewalls and NAT).
        Tcp = "tcp",
        /// RTP over UDP (less overhead on a clean local network).
        Udp = "udp",
    }
}

/// An RTSP address with any user name and password taken out of it, so that the address
/// can be shown and logged and the credentials stored apart, encrypted.
#[derive(Clone, PartialEq, Eq)]
pub struct RtspAddress {
    /// The address without credentials, e.g. `rtsp://192.0.2.10:554/stream1`.
    pub url: String,
    /// The user name, if the address had one (percent-decoded).
    pub username: Option<String>,
    /// The password, if the address had one (percent-decoded).
    pub password: Option<String>,
}

impl std::fmt::Debug for RtspAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RtspAddress")
            .field("url", &self.url)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| {
                    "a % in the user name or password is not followed by two hex digits".to_owned()
                })?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map_err(|_| "the user name or password is not UTF-8 once decoded".to_owned())
}

impl RtspAddress {
    /// Parses `rtsp://[user[:password]@]host[:port]/path` (or `rtsps://`), splitting out the
    /// credentials. Errors never repeat the address, which may hold a password.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let bad = |why: &str| {
            format!(
                "the camera's address is not an RTSP address: {why}; write it as rtsp://HOST[:PORT]/PATH (a user name and password in it are taken out and stored encrypted)"
            )
        };
        let (scheme, rest) = text
            .split_once("://")
            .ok_or_else(|| bad("it does not start with rtsp://"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "rtsp" && scheme != "rtsps" {
            return Err(bad("it does not start with rtsp:// or rtsps://"));
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("it contains spaces or control characters"));
        }
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let (userinfo, host) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        if host.is_empty() || host.starts_with(':') {
            return Err(bad("it names no host"));
        }
        if let Some((_, port)) = host.rsplit_once(':')
            && !host.ends_with(']')
            && port.parse::<u16>().is_err()
        {
            return Err(bad("the port is not a number from 0 to 65535"));
        }
        let (username, password) = match userinfo {
            None => (None, None),
            Some(u) => match u.split_once(':') {
                Some((name, pw)) => (Some(percent_decode(name)?), Some(percent_decode(pw)?)),
                None => (Some(percent_decode(u)?), None),
            },
        };
        Ok(Self {
            url: format!("{scheme}://{host}{path}"),
            username: username.filter(|u| !u.is_empty()),
            password: password.filter(|p| !p.is_empty()),
        })
    }
}

/// How much a camera's recording matters when the disk fills with footage that must be
/// kept: 1 (paused last) to 9 (paused first); 5 unless the register says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Priority(u8);

impl Priority {
    /// The priority of a camera the register says nothing about.
    pub const DEFAULT: Self = Self(5);

    /// A priority from 1 (most important) to 9.
    pub fn new(n: u8) -> Result<Self, String> {
        if (1..=9).contains(&n) {
            Ok(Self(n))
        } else {
            Err(format!(
                "a camera's priority is 1 (its recording is paused last when the disk is full of held footage) to 9 (paused first), not {n}"
            ))
        }
    }

    /// Reads "1" to "9".
    pub fn parse(text: &str) -> Result<Self, String> {
        let n: u8 = text.trim().parse().map_err(|_| {
            format!("a camera's priority is a whole number from 1 (paused last) to 9, not {text:?}")
        })?;
        Self::new(n)
    }

    /// The number, 1 to 9.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl std::fmt::Display for Priority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A camera as registered or about to be: everything the register checks against the
/// scheme's policy pack (LJM-1, LJM-3, BDC-9, ALT-16).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraDraft {
    /// The camera's name for people.
    pub name: String,
    /// The site it is on.
    pub site: crate::Ident,
    /// Where it is.
    pub location: String,
    /// What it covers.
    pub area: String,
    /// Its kind.
    pub kind: CameraKind,
    /// How its pictures are kept.
    pub mode: RecordingMode,
    /// The pack purposes it serves (at least one).
    pub purposes: Vec<crate::Ident>,
    /// Whether sound is recorded (off unless approved, LJM-3).
    pub audio: bool,
    /// Days its footage is kept, if not the pack's default for its kind.
    pub retention_days: Option<u32>,
    /// The data protection impact assessment that covers it (BDC-9).
    pub dpia_ref: String,
    /// The operational requirement it meets (BDC-9).
    pub operational_requirement: String,
    /// Which cameras stop recording first when only held footage is left on a full disk.
    pub priority: Priority,
}

/// Whether a camera serving `purposes` may be watched live under `pack` (LJM-1, LBU-4,
/// BDC-8): at least one of its purposes allows live viewing; otherwise why not, in words.
pub fn live_view_allowed(
    pack: &crate::PolicyPack,
    purposes: &[crate::Ident],
) -> Result<(), String> {
    if pack
        .purposes
        .iter()
        .any(|p| p.live_view && purposes.contains(&p.id))
    {
        return Ok(());
    }
    Err(
        "this camera serves only purposes for which its pictures are not watched live (the scheme's policy); its recordings may be reviewed with a reason instead"
            .to_owned(),
    )
}

/// Whether the footage of a camera serving `camera_purposes` may be reviewed for `purpose`
/// under `pack` (LJM-1, LBU-4, BDC-8): the camera serves it, and it is a purpose footage is
/// recorded for — a live-only purpose (technical support, room usage) is never a reason to
/// look at recordings. Otherwise why not, in words.
pub fn review_allowed(
    pack: &crate::PolicyPack,
    camera_purposes: &[crate::Ident],
    purpose: &crate::Ident,
) -> Result<(), String> {
    let name = |id: &crate::Ident| {
        pack.purposes
            .iter()
            .find(|p| &p.id == id)
            .map_or_else(|| id.to_string(), |p| p.name.clone())
    };
    if !camera_purposes.contains(purpose) {
        let allowed: Vec<String> = camera_purposes.iter().map(name).collect();
        return Err(format!(
            "this camera is registered for {}, not {}: footage is used only for the purposes it was recorded for",
            allowed.join(", "),
            name(purpose)
        ));
    }
    match pack.purposes.iter().find(|p| &p.id == purpose) {
        Some(p) if p.recording.is_empty() => Err(format!(
            "{} is a purpose for watching live only, so no recording may be reviewed for it; choose the purpose the footage was recorded for",
            p.name
        )),
        Some(_) => Ok(()),
        None => Err(format!(
            "the scheme's policy has no purpose {purpose}; choose one of the camera's purposes"
        )),
    }
}

impl CameraDraft {
    /// Every way this camera breaks the pack's rules, in words; empty when it is fine.
    pub fn problems(&self, pack: &crate::PolicyPack) -> Vec<String> {
        let mut out = Vec::new();
        if self.name.trim().is_empty() {
            out.push("give the camera a name people will recognise".to_owned());
        }
        if self.purposes.is_empty() {
            out.push(format!(
                "name at least one purpose the camera serves: one of {}",
                purpose_ids(pack)
            ));
        }
        for id in &self.purposes {
            let Some(p) = pack.purposes.iter().find(|p| &p.id == id) else {
                out.push(format!(
                    "the scheme has no purpose \"{id}\"; use one of {}",
                    purpose_ids(pack)
                ));
                continue;
            };
            let allowed = match self.mode {
                RecordingMode::LiveOnly => p.live_view,
                mode => p.recording.contains(&mode),
            };
            if !allowed {
                let modes: Vec<&str> = p.recording.iter().map(|m| m.as_str()).collect();
                out.push(format!(
                    "purpose {id} does not allow {} cameras; it allows {}{}",
                    self.mode,
                    if modes.is_empty() {
                        "no recording".to_owned()
                    } else {
                        modes.join(", ")
                    },
                    if p.live_view { " and live viewing" } else { "" }
                ));
            }
        }
        if let Some(days) = self.retention_days {
            let max = pack.retention.maximum_days;
            if days == 0 || days > max {
                out.push(format!(
                    "the camera would keep footage {days} days; the scheme keeps footage at most {max} days (and at least 1), so choose 1 to {max}, or leave it to the default of {} days for a {} camera",
                    pack.retention.days_for(self.kind),
                    self.kind
                ));
            }
            if self.mode == RecordingMode::LiveOnly {
                out.push(
                    "a live-only camera keeps no footage, so it takes no retention period"
                        .to_owned(),
                );
            }
        }
        if self.audio && self.mode == RecordingMode::LiveOnly {
            out.push("a live-only camera records nothing, so it cannot record sound".to_owned());
        }
        out
    }

    /// Days this camera's footage is kept under `pack`.
    pub fn retention_days(&self, pack: &crate::PolicyPack) -> u32 {
        self.retention_days
            .unwrap_or_else(|| pack.retention.days_for(self.kind))
    }
}

fn purpose_ids(pack: &crate::PolicyPack) -> String {
    pack.purposes
        .iter()
        .map(|p| p.id.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtsp_addresses_lose_their_credentials() {
        let a = RtspAddress::parse("rtsp://admin:p%40ss:w0rd@192.0.2.10:554/Streaming/101?x=1")
            .expect("parse");
        assert_eq!(a.url, "rtsp://192.0.2.10:554/Streaming/101?x=1");
        assert_eq!(a.username.as_deref(), Some("admin"));
        assert_eq!(a.password.as_deref(), Some("p@ss:w0rd"));
        assert!(!format!("{a:?}").contains("w0rd"));
        let plain = RtspAddress::parse("RTSP://cam.example:8554/cam1").expect("parse");
        assert_eq!(plain.url, "rtsp://cam.example:8554/cam1");
        assert_eq!((plain.username, plain.password), (None, None));
        let v6 = RtspAddress::parse("rtsp://u:p@[2001:db8::5]:554/s").expect("parse");
        assert_eq!(v6.url, "rtsp://[2001:db8::5]:554/s");
        for bad in [
            "http://cam/stream",
            "rtsp://",
            "rtsp://u:secret@/x",
            "rtsp://cam:99999/x",
            "rtsp://u:se cret@cam/x",
            "cam/stream",
        ] {
            let e = RtspAddress::parse(bad).expect_err(bad);
            assert!(e.contains("rtsp://HOST"), "{e}");
            assert!(!e.contains("secret"), "{e}");
        }
    }
}
