//! Camera vocabulary that policy packs and the camera register share: the kinds of camera
//! (LBU-7, BDC-2, ALT-2) and the recording modes (LJM-1).

use std::fmt;
use std::str::FromStr;

macro_rules! kebab_enum {
    ($(#[$m:meta])* $name:ident, $what:literal { $($(#[$vm:meta])* $v:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($(#[$vm])* $v),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$v),+];

            /// The value's id as written in packs and the database.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),+ }
            }

            /// All ids, quoted and comma-separated, for error messages.
            pub fn choices() -> String {
                Self::ALL.iter().map(|v| format!("\"{}\"", v.as_str())).collect::<Vec<_>>().join(", ")
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($s => Ok($name::$v),)+
                    _ => Err(format!("{s:?} is not a {}; use one of {}", $what, Self::choices())),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

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

impl RecordingMode {
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
