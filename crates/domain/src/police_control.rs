//! Police control of the control room (BDC-25): a request by the police to take partial or
//! total control of the system, the rank it needs, the owners' agreement, and the period of
//! control from its start to the hand-back. A request is a case of kind `police-control`
//! (`POL-2026-0001`); its steps are in the one transition table of `crate::case`.
//!
//! Invariants:
//! - Partial control needs the written request of an officer of the rank of Inspector or
//!   above; total control of an Assistant Chief Constable or above ([`check_rank`]). Ranks
//!   are ordered ([`PoliceRank`]), so "or above" is a comparison, never a list.
//! - A pack whose `[authorise.police_control]` says `allowed = false` refuses every request,
//!   with the reason ([`validate`]).
//! - Total control affects every camera; partial control only the cameras named, at least
//!   one ([`affects`]).
//! - A period of control runs from its start to its hand-back; it never ends before it
//!   starts ([`check_hand_back`]), and it is running only between the two ([`status`]).
//!
//! Pure rules: no I/O. The store records, ledgers and loads (`custos_store::police_control`).

use crate::Ident;
use crate::case::CaseState;
use crate::policy::Authority;

kebab_enum! {
    /// The ranks of a UK territorial police force, lowest first, so that a higher rank
    /// compares greater (the Metropolitan Police's Commander stands with an Assistant
    /// Chief Constable).
    PoliceRank, "police rank" {
        /// Police Constable.
        Constable = "constable",
        /// Sergeant.
        Sergeant = "sergeant",
        /// Inspector.
        Inspector = "inspector",
        /// Chief Inspector.
        ChiefInspector = "chief-inspector",
        /// Superintendent.
        Superintendent = "superintendent",
        /// Chief Superintendent.
        ChiefSuperintendent = "chief-superintendent",
        /// Assistant Chief Constable (a Commander in the Metropolitan Police).
        AssistantChiefConstable = "assistant-chief-constable",
        /// Deputy Chief Constable.
        DeputyChiefConstable = "deputy-chief-constable",
        /// Chief Constable.
        ChiefConstable = "chief-constable",
    }
}

impl PoliceRank {
    /// The rank in words, capitalised as a title: "Assistant Chief Constable".
    pub fn describe(self) -> &'static str {
        match self {
            Self::Constable => "Police Constable",
            Self::Sergeant => "Sergeant",
            Self::Inspector => "Inspector",
            Self::ChiefInspector => "Chief Inspector",
            Self::Superintendent => "Superintendent",
            Self::ChiefSuperintendent => "Chief Superintendent",
            Self::AssistantChiefConstable => "Assistant Chief Constable",
            Self::DeputyChiefConstable => "Deputy Chief Constable",
            Self::ChiefConstable => "Chief Constable",
        }
    }

    /// The rank after "a" or "an": "an Inspector".
    pub fn with_article(self) -> String {
        let words = self.describe();
        match words.chars().next() {
            Some('A' | 'E' | 'I' | 'O' | 'U') => format!("an {words}"),
            _ => format!("a {words}"),
        }
    }
}

kebab_enum! {
    /// How much of the system the police ask to control (BDC-25).
    ControlType, "type of control" {
        /// Some cameras, with the scheme's operators still in the control room.
        Partial = "partial",
        /// The whole system, including the staffing of the control room, to the exclusion
        /// of the owners' representatives.
        Total = "total",
    }
}

impl ControlType {
    /// In words: "partial control".
    pub fn describe(self) -> &'static str {
        match self {
            Self::Partial => "partial control",
            Self::Total => "total control",
        }
    }

    /// The lowest rank that may ask for it in writing: an Inspector for partial control, an
    /// Assistant Chief Constable for total control (BDC-25).
    pub fn required_rank(self) -> PoliceRank {
        match self {
            Self::Partial => PoliceRank::Inspector,
            Self::Total => PoliceRank::AssistantChiefConstable,
        }
    }
}

/// Whether an officer of `rank` may ask for `control`; the refusal says which rank is
/// needed and why the officer's is not enough.
pub fn check_rank(control: ControlType, rank: PoliceRank) -> Result<(), String> {
    let needed = control.required_rank();
    if rank >= needed {
        Ok(())
    } else {
        Err(format!(
            "{} needs the written request of a police officer not below the rank of {}; {} is too junior to ask for it",
            capitalise(control.describe()),
            needed.describe(),
            rank.with_article()
        ))
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The officer who makes the request in writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Officer {
    /// Their name.
    pub name: String,
    /// Their rank.
    pub rank: PoliceRank,
    /// Their warrant or collar number.
    pub number: String,
    /// Their force, e.g. "Nottinghamshire Police".
    pub force: String,
}

impl Officer {
    /// "Inspector Jane Doe (warrant 1234), Nottinghamshire Police".
    pub fn describe(&self) -> String {
        format!(
            "{} {} (warrant or collar number {}), {}",
            self.rank.describe(),
            self.name.trim(),
            self.number.trim(),
            self.force.trim()
        )
    }
}

/// A request as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// Who asks.
    pub officer: Officer,
    /// Partial or total.
    pub control: ControlType,
    /// The cameras asked for (partial control); ignored for total control, which takes
    /// them all.
    pub cameras: Vec<Ident>,
    /// Why, as the request states it.
    pub reason: String,
    /// When the written request came.
    pub requested_at_unix_ms: i64,
}

/// What the code of practice here says about the police taking control, when it does not
/// allow it at all.
pub fn refusal(authority: &Authority) -> Option<String> {
    (!authority.allowed).then(|| {
        "this scheme's code of practice does not let the police take control of the system: the request is refused, and footage can still be given to the police as a disclosure".to_owned()
    })
}

/// Every problem with `draft` under the pack's `[authorise.police_control]`, at once; a pack
/// that does not allow police control refuses it with only that reason.
pub fn validate(draft: &Draft, authority: &Authority) -> Result<(), Vec<String>> {
    if let Some(why) = refusal(authority) {
        return Err(vec![why]);
    }
    let mut problems = Vec::new();
    if draft.officer.name.trim().is_empty() {
        problems.push("give the requesting officer's name".to_owned());
    }
    if draft.officer.number.trim().is_empty() {
        problems.push("give the officer's warrant or collar number".to_owned());
    }
    if draft.officer.force.trim().is_empty() {
        problems.push("give the officer's force".to_owned());
    }
    if let Err(e) = check_rank(draft.control, draft.officer.rank) {
        problems.push(e);
    }
    if draft.control == ControlType::Partial && draft.cameras.is_empty() {
        problems.push("name the cameras the police ask to control (partial control)".to_owned());
    }
    if draft.reason.trim().chars().count() < 5 {
        problems.push("say why the police ask, as the written request states it".to_owned());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Whether `control` over `cameras` affects `camera`: total control affects every camera.
pub fn affects(control: ControlType, cameras: &[Ident], camera: &Ident) -> bool {
    control == ControlType::Total || cameras.contains(camera)
}

/// Checks the start agreed for a request received at `requested_at_unix_ms`: not before
/// the request.
pub fn check_start(requested_at_unix_ms: i64, starts_at_unix_ms: i64) -> Result<(), String> {
    if starts_at_unix_ms < requested_at_unix_ms {
        Err("control cannot start before the police asked for it".to_owned())
    } else {
        Ok(())
    }
}

/// The end of a period that started (or is to start) at `starts_at_unix_ms`, handed back at
/// `at_unix_ms`, checked at `now_unix_ms`: not in the future; a period handed back before it
/// started ends at its start (it never ran).
pub fn check_hand_back(
    starts_at_unix_ms: i64,
    at_unix_ms: i64,
    now_unix_ms: i64,
) -> Result<i64, String> {
    if at_unix_ms > now_unix_ms {
        return Err(
            "control is handed back when it happens: the time given is in the future".to_owned(),
        );
    }
    Ok(at_unix_ms.max(starts_at_unix_ms))
}

/// How a request stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlStatus {
    /// Asked for; the owners' representative has not answered.
    Requested,
    /// Agreed; control starts at this time.
    Agreed {
        /// When control starts.
        starts_at_unix_ms: i64,
    },
    /// The police have control now.
    InControl {
        /// Since when.
        since_unix_ms: i64,
    },
    /// Control was handed back.
    HandedBack {
        /// When it started.
        from_unix_ms: i64,
        /// When it ended.
        to_unix_ms: i64,
    },
    /// The owners' representative refused it.
    Refused,
    /// The police withdrew it.
    Withdrawn,
}

impl ControlStatus {
    /// Whether the police have control now.
    pub fn is_running(self) -> bool {
        matches!(self, Self::InControl { .. })
    }
}

/// How a request whose case is in `state`, agreed to start at `starts` and handed back at
/// `ends` (if it was), stands at `now_unix_ms`.
pub fn status(
    state: CaseState,
    starts: Option<i64>,
    ends: Option<i64>,
    now_unix_ms: i64,
) -> ControlStatus {
    match (state, starts, ends) {
        (CaseState::Withdrawn, _, _) => ControlStatus::Withdrawn,
        (_, Some(from), Some(to)) => ControlStatus::HandedBack {
            from_unix_ms: from,
            to_unix_ms: to,
        },
        (CaseState::InProgress, Some(from), None) if from <= now_unix_ms => {
            ControlStatus::InControl {
                since_unix_ms: from,
            }
        }
        (CaseState::InProgress, Some(from), None) => ControlStatus::Agreed {
            starts_at_unix_ms: from,
        },
        (CaseState::Received, _, _) => ControlStatus::Requested,
        _ => ControlStatus::Refused,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> Authority {
        Authority {
            allowed: true,
            roles: vec![Ident::parse("owner").expect("id")],
            all_of: Vec::new(),
            external: None,
            documents: Vec::new(),
            encrypted: false,
        }
    }

    fn draft(rank: PoliceRank, control: ControlType) -> Draft {
        Draft {
            officer: Officer {
                name: "Jane Doe".into(),
                rank,
                number: "1234".into(),
                force: "Nottinghamshire Police".into(),
            },
            control,
            cameras: vec![Ident::parse("market-square").expect("id")],
            reason: "Public order operation at the football match".into(),
            requested_at_unix_ms: 0,
        }
    }

    #[test]
    fn bdc_25_an_inspector_may_ask_for_partial_control_but_not_total() {
        assert_eq!(
            check_rank(ControlType::Partial, PoliceRank::Inspector),
            Ok(())
        );
        let e = check_rank(ControlType::Total, PoliceRank::Inspector).expect_err("too junior");
        assert!(e.contains("Assistant Chief Constable"), "{e}");
        assert!(e.contains("an Inspector is too junior"), "{e}");
        assert!(
            validate(
                &draft(PoliceRank::Inspector, ControlType::Partial),
                &allowed()
            )
            .is_ok()
        );
        assert!(
            validate(
                &draft(PoliceRank::Inspector, ControlType::Total),
                &allowed()
            )
            .is_err()
        );
    }

    #[test]
    fn bdc_25_a_sergeant_may_ask_for_neither() {
        for control in ControlType::ALL {
            let e = check_rank(*control, PoliceRank::Sergeant).expect_err("too junior");
            assert!(e.contains("a Sergeant is too junior"), "{e}");
        }
        let problems = validate(
            &draft(PoliceRank::Sergeant, ControlType::Partial),
            &allowed(),
        )
        .expect_err("no");
        assert!(
            problems.iter().any(|p| p.contains("Inspector")),
            "{problems:?}"
        );
    }

    #[test]
    fn bdc_25_an_assistant_chief_constable_may_ask_for_total_control() {
        for rank in [
            PoliceRank::AssistantChiefConstable,
            PoliceRank::DeputyChiefConstable,
            PoliceRank::ChiefConstable,
        ] {
            assert_eq!(check_rank(ControlType::Total, rank), Ok(()));
            assert_eq!(check_rank(ControlType::Partial, rank), Ok(()));
        }
        assert!(check_rank(ControlType::Total, PoliceRank::ChiefSuperintendent).is_err());
        let mut d = draft(PoliceRank::AssistantChiefConstable, ControlType::Total);
        d.cameras.clear();
        assert!(
            validate(&d, &allowed()).is_ok(),
            "total control names no cameras"
        );
    }

    #[test]
    fn bdc_25_a_pack_that_forbids_police_control_refuses_with_the_reason() {
        let mut a = allowed();
        a.allowed = false;
        let problems = validate(&draft(PoliceRank::ChiefConstable, ControlType::Total), &a)
            .expect_err("refused");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("does not let the police take control"));
    }

    #[test]
    fn bdc_25_partial_control_needs_cameras_and_total_affects_all() {
        let mut d = draft(PoliceRank::Inspector, ControlType::Partial);
        d.cameras.clear();
        let problems = validate(&d, &allowed()).expect_err("no cameras");
        assert!(problems.iter().any(|p| p.contains("name the cameras")));
        let square = Ident::parse("market-square").expect("id");
        let other = Ident::parse("bus-station").expect("id");
        let named = [square.clone()];
        assert!(affects(ControlType::Partial, &named, &square));
        assert!(!affects(ControlType::Partial, &named, &other));
        assert!(affects(ControlType::Total, &[], &other));
    }

    #[test]
    fn bdc_25_a_period_runs_from_its_start_until_it_is_handed_back() {
        use CaseState::*;
        assert_eq!(status(Received, None, None, 10), ControlStatus::Requested);
        assert_eq!(
            status(InProgress, Some(20), None, 10),
            ControlStatus::Agreed {
                starts_at_unix_ms: 20
            }
        );
        assert!(status(InProgress, Some(20), None, 20).is_running());
        assert_eq!(
            status(Closed, Some(20), Some(30), 40),
            ControlStatus::HandedBack {
                from_unix_ms: 20,
                to_unix_ms: 30
            }
        );
        assert_eq!(status(Closed, None, None, 40), ControlStatus::Refused);
        assert_eq!(status(Withdrawn, None, None, 40), ControlStatus::Withdrawn);
        assert_eq!(check_hand_back(20, 30, 40), Ok(30));
        assert_eq!(check_hand_back(50, 30, 40), Ok(50), "never ran");
        assert!(check_hand_back(20, 50, 40).is_err());
        assert!(check_start(20, 10).is_err());
    }
}
