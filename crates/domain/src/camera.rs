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
