//! Retention rules (BJS-8, LBU-17, ALT-16, BDC-2, BDC-3, BDC-16, BDC-28, BDC-40): how long
//! each camera's footage is kept, what a hold on footage must state, and which footage a
//! sweep may delete. No I/O: the store applies these rules and writes the ledger.
//!
//! Invariants:
//! - A camera never keeps routine footage longer than the pack's maximum, whatever its own
//!   setting says (the pack may have been lowered since the camera was registered).
//! - Footage is deletable only when it ended at or before the camera's cutoff and no active
//!   hold on that camera overlaps it; a hold covers every segment it touches, whole.
//! - A hold states its cameras, a time range, a reason, an owner and one of the pack's
//!   evidence classes; it expires when its class says, or earlier if its placer says so,
//!   never later.

use custos_base::UnixMs;

use crate::Ident;
use crate::camera::CameraDraft;
use crate::policy::PolicyPack;

/// A day, in milliseconds.
pub const DAY_MS: i64 = 86_400_000;

/// The days `camera`'s footage is kept under `pack`: its own setting or its kind's, never
/// above the pack's maximum.
pub fn retention_days(camera: &CameraDraft, pack: &PolicyPack) -> u32 {
    camera.retention_days(pack).min(pack.retention.maximum_days)
}

/// Footage that ended at or before this instant is past its retention at `now`.
pub fn cutoff_unix_ms(now: UnixMs, days: u32) -> i64 {
    now.0 - i64::from(days) * DAY_MS
}

/// Disk pressure: the free-space floor in bytes for a disk of `total_bytes`, and the level
/// free space must climb back to before paused cameras resume (one percent of the disk
/// above the floor, so recording does not flap on and off at the line).
pub fn free_space_floor(total_bytes: u64, min_free_percent: u8) -> (u64, u64) {
    let percent = u128::from(min_free_percent.min(90));
    let floor = u128::from(total_bytes) * percent / 100;
    let resume = floor + u128::from(total_bytes) / 100;
    (
        u64::try_from(floor).unwrap_or(u64::MAX),
        u64::try_from(resume).unwrap_or(u64::MAX),
    )
}

/// Which recording camera to pause next when only held footage is left on a full disk: the
/// one with the highest priority number (9 before 1); among equals, the last by id.
pub fn next_to_pause(recording: &[(Ident, crate::camera::Priority)]) -> Option<Ident> {
    recording
        .iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)))
        .map(|(id, _)| id.clone())
}

/// A held time range of one camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldRange {
    /// From (ms since the epoch).
    pub from_unix_ms: i64,
    /// To (ms since the epoch), exclusive.
    pub to_unix_ms: i64,
}

/// Whether footage `[from, to)` touches any of `held`.
pub fn is_held(from_unix_ms: i64, to_unix_ms: i64, held: &[HeldRange]) -> bool {
    held.iter()
        .any(|h| h.from_unix_ms < to_unix_ms && from_unix_ms < h.to_unix_ms)
}

/// A hold as someone asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldRequest {
    /// The cameras whose footage is held.
    pub cameras: Vec<Ident>,
    /// From (ms since the epoch).
    pub from_unix_ms: i64,
    /// To (ms since the epoch), exclusive.
    pub to_unix_ms: i64,
    /// One of the pack's evidence classes (`retention.class`).
    pub class: Ident,
    /// Why the footage is kept.
    pub reason: String,
    /// Who answers for it (a user name).
    pub owner: String,
    /// An earlier expiry than the class gives, if wanted.
    pub until_unix_ms: Option<i64>,
    /// A case it belongs to, if any (e.g. `SAR-2026-0007`).
    pub case_ref: Option<String>,
}

impl HoldRequest {
    /// Checks the request against `pack` at `now`; returns when the hold expires, or every
    /// problem found, each saying how to fix it.
    pub fn check(&self, pack: &PolicyPack, now: UnixMs) -> Result<i64, Vec<String>> {
        let mut problems = Vec::new();
        if self.cameras.is_empty() {
            problems.push("name at least one camera whose footage is to be held".to_owned());
        }
        if self.to_unix_ms <= self.from_unix_ms {
            problems.push("the held range must end after it starts".to_owned());
        }
        if self.reason.trim().chars().count() < 5 {
            problems.push(
                "say why the footage is held: the investigation, request or order it is kept for"
                    .to_owned(),
            );
        }
        if self.owner.trim().is_empty() {
            problems.push("name the person who answers for the hold".to_owned());
        }
        let class = pack.retention.classes.iter().find(|c| c.id == self.class);
        let expiry = match class {
            None => {
                let known: Vec<String> = pack
                    .retention
                    .classes
                    .iter()
                    .map(|c| c.id.to_string())
                    .collect();
                problems.push(format!(
                    "{} is not one of the scheme's evidence classes; use one of: {}",
                    self.class,
                    if known.is_empty() {
                        "(none: add [[retention.class]] to the policy pack)".to_owned()
                    } else {
                        known.join(", ")
                    }
                ));
                None
            }
            Some(c) => {
                let longest = c.period.after(now).0;
                match self.until_unix_ms {
                    Some(u) if u <= now.0 => {
                        problems.push("the hold's expiry must be in the future".to_owned());
                        None
                    }
                    Some(u) if u > longest => {
                        problems.push(format!(
                            "class {} keeps footage for {} at most, so the hold can last until {} at the latest; renew it then with a reason if it is still needed",
                            c.id,
                            c.period,
                            UnixMs(longest).to_london_display()
                        ));
                        None
                    }
                    Some(u) => Some(u),
                    None => Some(longest),
                }
            }
        };
        match expiry {
            Some(e) if problems.is_empty() => Ok(e),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack() -> PolicyPack {
        PolicyPack::parse(include_str!("../../../policies/bosmere-junior-school.toml"))
            .expect("pack")
    }

    fn id(s: &str) -> Ident {
        Ident::parse(s).expect("id")
    }

    /// BDC-28: the floor is a share of the disk; cameras resume a percent above it; the
    /// least important camera is paused first.
    #[test]
    fn bdc_28_the_disk_floor_and_the_order_cameras_pause_in() {
        assert_eq!(free_space_floor(1_000_000, 5), (50_000, 60_000));
        let p = |n| crate::camera::Priority::new(n).expect("priority");
        let cams = [
            (id("gate"), p(2)),
            (id("car-park"), p(7)),
            (id("bins"), p(7)),
        ];
        assert_eq!(next_to_pause(&cams), Some(id("car-park")));
        assert_eq!(next_to_pause(&[]), None);
    }

    /// BJS-8: held footage is anything touching a held range; the rest is not.
    #[test]
    fn bjs_8_a_hold_covers_every_segment_it_touches() {
        let held = [HeldRange {
            from_unix_ms: 1_000,
            to_unix_ms: 2_000,
        }];
        assert!(is_held(500, 1_001, &held));
        assert!(is_held(1_999, 3_000, &held));
        assert!(!is_held(0, 1_000, &held));
        assert!(!is_held(2_000, 2_500, &held));
    }

    /// LBU-17, BDC-28: a hold needs a reason, a known class and an expiry no later than the
    /// class allows; by default it lasts the class's period.
    #[test]
    fn lbu_17_a_hold_states_its_reason_and_class_and_expires_by_the_class() {
        // 2026-08-31 12:00 UTC.
        let now = UnixMs(1_788_177_600_000);
        let mut req = HoldRequest {
            cameras: vec![id("front-gate")],
            from_unix_ms: 1_000,
            to_unix_ms: 2_000,
            class: id("investigation-hold"),
            reason: "Break-in on 30 August".to_owned(),
            owner: "head".to_owned(),
            until_unix_ms: None,
            case_ref: None,
        };
        let expiry = req.check(&pack(), now).expect("valid");
        // Six months from 31 August (13:00 BST) is the last day of February, at 13:00 on
        // UK clocks, which is then GMT.
        assert_eq!(UnixMs(expiry).to_rfc3339(), "2027-02-28T13:00:00Z");
        req.until_unix_ms = Some(expiry + DAY_MS);
        assert!(req.check(&pack(), now).is_err());
        req.until_unix_ms = None;
        req.reason = " ".to_owned();
        req.class = id("no-such-class");
        let problems = req.check(&pack(), now).expect_err("invalid");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[1].contains("investigation-hold, request-pending"));
    }
}
