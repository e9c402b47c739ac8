//! Kinds of case: the requests, complaints and other matters the scheme must answer, each
//! with its own deadline and workflow (LBU-18, BJS-10, ALT-10, BDC-29, BDC-30, LJM-11).
//!
//! Each kind has an explicit state machine ([`transition`]): one table of what each
//! [`Action`] does in each [`CaseState`]; an illegal transition is an error naming the
//! transitions allowed.
//!
//! Invariants: the vocabulary is closed — packs and the database use these ids only — so a
//! role's `work-cases` right can be limited to some kinds (`access.case_kinds`) and every
//! case kind has a known meaning. A case ends only through a decision (then its response)
//! or a withdrawal or conversion; refusals, restrictions and partial disclosures carry
//! reasons ([`check_decision`]).

kebab_enum! {
    /// What a case is about.
    CaseKind, "case kind" {
        /// A subject access request: a person asking for footage of themselves (LBU-18,
        /// BJS-10, ALT-10, BDC-29).
        SubjectAccess = "subject-access",
        /// A request to erase footage (BJS-10, LBU-18, BDC-30).
        Erasure = "erasure",
        /// An objection to processing (BJS-10, LBU-18, BDC-30).
        Objection = "objection",
        /// A request to restrict processing (BJS-10, LBU-18, BDC-30).
        Restriction = "restriction",
        /// A request to rectify (BDC-30).
        Rectification = "rectification",
        /// A Freedom of Information request (LJM-11, LBU-23, BJS-11).
        Foi = "foi",
        /// A request from a third party for footage: police, solicitors, insurers and others
        /// (LBU-19, ALT-13, BDC-39).
        Disclosure = "disclosure",
        /// A complaint about the scheme (SCC-3, BDC-13).
        Complaint = "complaint",
        /// A personal data breach.
        Breach = "breach",
    }
}

impl CaseKind {
    /// The kind in words, e.g. "subject access request".
    pub fn describe(self) -> &'static str {
        match self {
            Self::SubjectAccess => "subject access request",
            Self::Erasure => "request to erase footage",
            Self::Objection => "objection to recording",
            Self::Restriction => "request to restrict use",
            Self::Rectification => "request to correct",
            Self::Foi => "Freedom of Information request",
            Self::Disclosure => "request for footage from a third party",
            Self::Complaint => "complaint",
            Self::Breach => "data breach",
        }
    }

    /// The kind in words after "a" or "an", e.g. "a subject access request".
    pub fn describe_with_article(self) -> &'static str {
        match self {
            Self::SubjectAccess => "a subject access request",
            Self::Erasure => "a request to erase footage",
            Self::Objection => "an objection to recording",
            Self::Restriction => "a request to restrict use",
            Self::Rectification => "a request to correct",
            Self::Foi => "a Freedom of Information request",
            Self::Disclosure => "a request for footage from a third party",
            Self::Complaint => "a complaint",
            Self::Breach => "a data breach",
        }
    }

    /// The prefix of this kind's case references, e.g. `SAR` in `SAR-2026-0007`.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::SubjectAccess => "SAR",
            Self::Erasure => "ERA",
            Self::Objection => "OBJ",
            Self::Restriction => "RES",
            Self::Rectification => "REC",
            Self::Foi => "FOI",
            Self::Disclosure => "DIS",
            Self::Complaint => "COM",
            Self::Breach => "BRE",
        }
    }

    /// Whether the requester's identity is checked before the request is worked (the
    /// requests a person makes about their own data).
    pub fn checks_identity(self) -> bool {
        matches!(
            self,
            Self::SubjectAccess
                | Self::Erasure
                | Self::Objection
                | Self::Restriction
                | Self::Rectification
        )
    }

    /// Whether footage a request of this kind names is held from the moment it is received
    /// (BDC-28, BDC-40): a subject access request, a request to restrict and a third-party
    /// request for disclosure, whose footage must not be erased before the answer. An
    /// erasure request's footage is not held: erasing it is what was asked, and an
    /// objection's footage follows the normal retention.
    pub fn holds_footage_at_intake(self) -> bool {
        matches!(
            self,
            Self::SubjectAccess | Self::Restriction | Self::Disclosure
        )
    }

    /// Whether a request of this kind is about footage of the requester, so their date,
    /// time and place are asked for (LBU-18, BJS-10, ALT-10, BDC-29, BDC-30).
    pub fn concerns_footage(self) -> bool {
        matches!(
            self,
            Self::SubjectAccess | Self::Erasure | Self::Objection | Self::Restriction
        )
    }

    /// The decisions a case of this kind can end in.
    pub fn decisions(self) -> &'static [Decision] {
        use Decision::*;
        match self {
            Self::SubjectAccess => &[Disclose, ViewOnly, DiscloseInPart, Refuse, Restrict],
            Self::Erasure | Self::Objection | Self::Restriction | Self::Rectification => {
                &[Accept, Refuse]
            }
            Self::Foi => &[Answer, Refuse],
            Self::Disclosure => &[Disclose, Refuse],
            Self::Complaint | Self::Breach => &[Answer],
        }
    }

    /// The rule a case of this kind is answered by, once `extended` (UK GDPR Art 12(3):
    /// by up to two further months, for subject access): a month-based rule and a
    /// month-based extension make one count of months from receipt (a month and two more
    /// is three months from receipt). The extension is the law's, so it extends the law's
    /// month: a combination such as `earliest:calendar-days:30,month` (a scheme's promise
    /// within the legal limit) becomes its month part extended, here `months:3`. Other
    /// combinations keep the pack's rule.
    pub fn deadline_after_extension(
        self,
        pack: &crate::PolicyPack,
        extended: bool,
    ) -> Option<crate::deadline::DeadlineRule> {
        let base = self.deadline(pack)?;
        if !extended || self != Self::SubjectAccess {
            return Some(base);
        }
        let extension = pack
            .deadlines
            .subject_access_extension
            .as_ref()
            .and_then(crate::deadline::DeadlineRule::months);
        match (base.months(), extension) {
            (Some(a), Some(b)) => Some(crate::deadline::DeadlineRule::Months(a.saturating_add(b))),
            _ => Some(base),
        }
    }

    /// The pack's deadline rule for answering a case of this kind, if it has one.
    pub fn deadline(self, pack: &crate::PolicyPack) -> Option<crate::deadline::DeadlineRule> {
        let d = &pack.deadlines;
        match self {
            Self::SubjectAccess => Some(d.subject_access.clone()),
            Self::Erasure | Self::Objection | Self::Restriction | Self::Rectification => {
                Some(d.rights_request.clone())
            }
            Self::Foi => Some(d.foi.clone()),
            Self::Complaint => Some(d.complaint_answer.clone()),
            Self::Breach => Some(d.breach_notification.clone()),
            Self::Disclosure => None,
        }
    }
}

kebab_enum! {
    /// Where a case stands.
    CaseState, "case state" {
        /// Received, not yet worked.
        Received = "received",
        /// Waiting for proof of the requester's identity; the deadline's clock is paused.
        AwaitingIdentity = "awaiting-identity",
        /// Being worked.
        InProgress = "in-progress",
        /// Decided; the response is being prepared.
        Decided = "decided",
        /// Answered and closed.
        Closed = "closed",
        /// Withdrawn by the requester.
        Withdrawn = "withdrawn",
        /// Turned into a case of another kind (an FOI request for one's own images becomes
        /// a subject access request, LJM-11).
        Converted = "converted",
    }
}

impl CaseState {
    /// The state in words, e.g. "waiting for proof of identity".
    pub fn describe(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::AwaitingIdentity => "waiting for proof of identity",
            Self::InProgress => "in progress",
            Self::Decided => "decided, response to send",
            Self::Closed => "closed",
            Self::Withdrawn => "withdrawn",
            Self::Converted => "became another case",
        }
    }

    /// Whether the case is still open (its deadline matters).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Received | Self::AwaitingIdentity | Self::InProgress | Self::Decided
        )
    }
}

kebab_enum! {
    /// How a request is answered.
    Decision, "decision" {
        /// A copy of the footage is disclosed (LBU-18, BDC-29).
        Disclose = "disclose",
        /// The requester is offered a viewing instead of a copy (BDC-29).
        ViewOnly = "view-only",
        /// Some of it is disclosed, with reasons for the rest.
        DiscloseInPart = "disclose-in-part",
        /// Refused, with reasons and the requester's rights (LJM-10, BDC-29).
        Refuse = "refuse",
        /// Restricted under DPA 2018 s45, with reasons (BDC-41).
        Restrict = "restrict",
        /// The request is accepted (erasure, objection, restriction, rectification).
        Accept = "accept",
        /// Answered (an FOI request, a complaint, a breach).
        Answer = "answer",
    }
}

impl Decision {
    /// The decision in words, completing "decided to …": "offer a viewing only".
    pub fn describe(self) -> &'static str {
        match self {
            Self::Disclose => "disclose a copy",
            Self::ViewOnly => "offer a viewing only",
            Self::DiscloseInPart => "disclose in part",
            Self::Refuse => "refuse",
            Self::Restrict => "restrict",
            Self::Accept => "accept the request",
            Self::Answer => "answer",
        }
    }

    /// Whether the decision must give reasons (refusals, restrictions and partial
    /// disclosure: LJM-10, BDC-29, BDC-41).
    pub fn needs_reasons(self) -> bool {
        matches!(self, Self::Refuse | Self::Restrict | Self::DiscloseInPart)
    }

    /// Whether footage leaves the scheme as a copy.
    pub fn discloses(self) -> bool {
        matches!(self, Self::Disclose | Self::DiscloseInPart)
    }
}

/// How a request came, in words, completing "received by …": the public request form
/// (`public-form`), letter, e-mail, telephone, in person; anything else as it is.
pub fn channel_words(channel: &str) -> String {
    match channel {
        "public-form" => "the public request form".to_owned(),
        "email" => "e-mail".to_owned(),
        "in person" => "a visit in person".to_owned(),
        "staff" => "a member of staff".to_owned(),
        other => other.replace('-', " "),
    }
}

/// Where a case's deadline stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseDue {
    /// The case is finished: no deadline.
    Finished,
    /// The pack gives no deadline rule for this kind.
    NoRule,
    /// The clock is stopped (waiting for proof of identity) since this instant (ms).
    Paused {
        /// Since when.
        since_unix_ms: i64,
        /// The rule.
        rule: crate::deadline::DeadlineRule,
    },
    /// Due on this day (or at this instant, for hours rules).
    Due(crate::calendar::Deadline),
}

/// The deadline of a `kind` case received at `received_unix_ms`, in `state`, with the
/// clock stopped over `pauses` (from, to; `to` is `None` while stopped), `extended` or not,
/// under `pack`, on `calendar` (the scheme's nation with its one-off holidays). FOI
/// requests count a bank holiday anywhere in the UK as a non-working day (FOIA s10(6)),
/// except in Scotland, where FOISA counts Scotland's own.
pub fn due(
    kind: CaseKind,
    state: CaseState,
    received_unix_ms: i64,
    pauses: &[(i64, Option<i64>)],
    extended: bool,
    pack: &crate::PolicyPack,
    calendar: &crate::calendar::Calendar,
) -> Result<CaseDue, crate::calendar::CalendarError> {
    if !state.is_open() {
        return Ok(CaseDue::Finished);
    }
    deadline(kind, received_unix_ms, pauses, extended, pack, calendar)
}

/// The deadline of a `kind` case received at `received_unix_ms` whatever its state now, as
/// [`due`] finds it for an open case: for a closed case, the deadline it was answered
/// against.
pub fn deadline(
    kind: CaseKind,
    received_unix_ms: i64,
    pauses: &[(i64, Option<i64>)],
    extended: bool,
    pack: &crate::PolicyPack,
    calendar: &crate::calendar::Calendar,
) -> Result<CaseDue, crate::calendar::CalendarError> {
    use crate::calendar::{Pause, Timer, TimerState};
    let Some(rule) = kind.deadline_after_extension(pack, extended) else {
        return Ok(CaseDue::NoRule);
    };
    let calendar = if kind == CaseKind::Foi && pack.nation != crate::Nation::Scotland {
        calendar.clone().any_part_of_uk()
    } else {
        calendar.clone()
    };
    let ts = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms).map_err(|_| {
            crate::calendar::CalendarError::NoTimeZone(format!("the time {ms} ms is out of range"))
        })
    };
    let pauses = pauses
        .iter()
        .map(|(from, to)| {
            Ok(Pause {
                paused_at: ts(*from)?,
                resumed_at: to.map(ts).transpose()?,
            })
        })
        .collect::<Result<Vec<_>, crate::calendar::CalendarError>>()?;
    let timer = Timer::with_pauses(rule.clone(), ts(received_unix_ms)?, &pauses)?;
    Ok(match timer.state(&calendar)? {
        TimerState::Running(d) => CaseDue::Due(d),
        TimerState::Paused { since } => CaseDue::Paused {
            since_unix_ms: since.as_millisecond(),
            rule,
        },
    })
}

/// How a request stands against its deadline, for the figures of requests answered in
/// time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeliness {
    /// Answered (closed) before its deadline passed.
    InTime,
    /// Answered after its deadline passed, or still open past it.
    Late,
    /// Still open, its deadline not yet passed (or its clock stopped).
    Open,
}

/// How a `kind` case in `state`, received at `received_unix_ms` and closed at
/// `closed_unix_ms` (if it was), stands against its deadline at `now_unix_ms`; `None`
/// for a case that was not answered (withdrawn, converted) or whose kind has no deadline.
#[allow(clippy::too_many_arguments)]
pub fn timeliness(
    kind: CaseKind,
    state: CaseState,
    received_unix_ms: i64,
    closed_unix_ms: Option<i64>,
    pauses: &[(i64, Option<i64>)],
    extended: bool,
    pack: &crate::PolicyPack,
    calendar: &crate::calendar::Calendar,
    now_unix_ms: i64,
) -> Result<Option<Timeliness>, crate::calendar::CalendarError> {
    let answered_at = match state {
        CaseState::Closed => closed_unix_ms.unwrap_or(now_unix_ms),
        CaseState::Withdrawn | CaseState::Converted => return Ok(None),
        _ => now_unix_ms,
    };
    let passes = match deadline(kind, received_unix_ms, pauses, extended, pack, calendar)? {
        CaseDue::Due(d) => d.due.passes_at()?.as_millisecond(),
        CaseDue::Paused { .. } if state.is_open() => return Ok(Some(Timeliness::Open)),
        CaseDue::Paused { .. } => i64::MAX,
        CaseDue::NoRule | CaseDue::Finished => return Ok(None),
    };
    Ok(Some(match (state.is_open(), answered_at < passes) {
        (_, false) => Timeliness::Late,
        (true, true) => Timeliness::Open,
        (false, true) => Timeliness::InTime,
    }))
}

/// Something done to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Ask for proof of identity; the deadline's clock pauses.
    AwaitIdentity,
    /// The requester's identity is confirmed; the clock runs again.
    VerifyIdentity,
    /// Start work (for kinds without an identity check, or once it is done).
    Start,
    /// Extend the deadline for a complex request (once; subject access only).
    Extend,
    /// Decide.
    Decide(Decision),
    /// The response is sent; the case closes.
    Close,
    /// The requester withdraws.
    Withdraw,
    /// Turn an FOI request for one's own images into a subject access request (LJM-11).
    ConvertToSubjectAccess,
}

impl Action {
    /// The action in words, e.g. "decide to refuse".
    pub fn describe(self) -> String {
        match self {
            Self::AwaitIdentity => "wait for proof of identity".to_owned(),
            Self::VerifyIdentity => "confirm the requester's identity".to_owned(),
            Self::Start => "start work".to_owned(),
            Self::Extend => "extend the deadline".to_owned(),
            Self::Decide(d) => format!("decide to {}", d.describe()),
            Self::Close => "send the response and close".to_owned(),
            Self::Withdraw => "record its withdrawal".to_owned(),
            Self::ConvertToSubjectAccess => "turn into a subject access request".to_owned(),
        }
    }

    /// The kind of its ledger entry (book `case`), e.g. `case-decide`.
    pub fn ledger_kind(self) -> &'static str {
        match self {
            Self::AwaitIdentity => "case-await-identity",
            Self::VerifyIdentity => "case-verify-identity",
            Self::Start => "case-start",
            Self::Extend => "case-extend",
            Self::Decide(_) => "case-decide",
            Self::Close => "case-close",
            Self::Withdraw => "case-withdraw",
            Self::ConvertToSubjectAccess => "case-convert-to-subject-access",
        }
    }

    /// Its kebab-case name, for forms and the ledger (`decide` for every decision).
    pub fn name(self) -> &'static str {
        match self {
            Self::AwaitIdentity => "await-identity",
            Self::VerifyIdentity => "verify-identity",
            Self::Start => "start",
            Self::Extend => "extend",
            Self::Decide(_) => "decide",
            Self::Close => "close",
            Self::Withdraw => "withdraw",
            Self::ConvertToSubjectAccess => "convert-to-subject-access",
        }
    }
}

/// A transition the case's state does not allow, with those it does.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a {} that is {} cannot {what}; from here it can: {allowed}",
    .kind.describe(),
    .state.describe()
)]
pub struct IllegalTransition {
    /// The case's kind.
    pub kind: CaseKind,
    /// Its state.
    pub state: CaseState,
    /// What was asked, in words.
    pub what: String,
    /// What it allows, in words (or "nothing more: the case is finished").
    pub allowed: String,
}

/// The state after `action` on a `kind` case in `state` (`extended`: whether its deadline
/// was already extended), or the error naming the actions allowed.
pub fn transition(
    kind: CaseKind,
    state: CaseState,
    extended: bool,
    action: Action,
) -> Result<CaseState, IllegalTransition> {
    next_state(kind, state, extended, action).ok_or_else(|| {
        let ok = allowed_actions(kind, state, extended);
        IllegalTransition {
            kind,
            state,
            what: action.describe(),
            allowed: if ok.is_empty() {
                "nothing more: the case is finished".to_owned()
            } else {
                ok.iter()
                    .map(|a| a.describe())
                    .collect::<Vec<_>>()
                    .join("; ")
            },
        }
    })
}

/// The state machine itself: the one table of what each action does in each state.
fn next_state(
    kind: CaseKind,
    state: CaseState,
    extended: bool,
    action: Action,
) -> Option<CaseState> {
    use CaseState::*;
    match (state, action) {
        (Received | AwaitingIdentity | InProgress | Decided, Action::Withdraw) => Some(Withdrawn),
        (Received, Action::AwaitIdentity) if kind.checks_identity() => Some(AwaitingIdentity),
        (AwaitingIdentity, Action::VerifyIdentity) => Some(InProgress),
        (Received, Action::Start) => Some(InProgress),
        (InProgress, Action::Extend) if kind == CaseKind::SubjectAccess && !extended => {
            Some(InProgress)
        }
        (InProgress | Decided, Action::Decide(d)) if kind.decisions().contains(&d) => Some(Decided),
        (Decided, Action::Close) => Some(Closed),
        (Received | InProgress, Action::ConvertToSubjectAccess) if kind == CaseKind::Foi => {
            Some(Converted)
        }
        _ => None,
    }
}

/// Every action a `kind` case in `state` allows, for forms and error messages.
pub fn allowed_actions(kind: CaseKind, state: CaseState, extended: bool) -> Vec<Action> {
    let mut candidates = vec![
        Action::AwaitIdentity,
        Action::VerifyIdentity,
        Action::Start,
        Action::Extend,
    ];
    candidates.extend(kind.decisions().iter().map(|d| Action::Decide(*d)));
    candidates.extend([
        Action::Close,
        Action::Withdraw,
        Action::ConvertToSubjectAccess,
    ]);
    candidates
        .into_iter()
        .filter(|a| next_state(kind, state, extended, *a).is_some())
        .collect()
}

/// What a decision must carry besides the choice: reasons where the decision needs them,
/// and, when footage showing other people would be disclosed, either redaction (not yet
/// available) or a recorded reason why disclosing them is reasonable (ALT-10).
pub fn check_decision(
    decision: Decision,
    reasons: &str,
    others_shown: bool,
    why_reasonable: Option<&str>,
) -> Result<(), String> {
    if decision.needs_reasons() && reasons.trim().chars().count() < 10 {
        return Err(format!(
            "a decision to {decision} needs its reasons, in words the requester will read in the letter"
        ));
    }
    if decision.discloses()
        && others_shown
        && why_reasonable.is_none_or(|w| w.trim().chars().count() < 10)
    {
        return Err(
            "the footage shows other people: until redaction is available, a copy can be disclosed only with a recorded reason why disclosing them is reasonable; otherwise offer a viewing or disclose in part"
                .to_owned(),
        );
    }
    Ok(())
}

/// How far either side of the time a requester gives their footage is searched: about an
/// hour (LBU-18, BJS-10, ALT-10, BDC-29).
pub const SIGHTING_MARGIN_MS: i64 = 60 * 60 * 1000;

/// Why a request about footage of the requester has none to hold or to review: the cameras
/// covering the place hold nothing from the time given (LBU-18, BJS-10, ALT-10, BDC-29). It
/// is found when the request is opened and told to the requester in the acknowledgement,
/// so they learn at once that the footage no longer exists rather than at the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FootageAbsence {
    /// The time given is older than the cameras keep footage: it was erased automatically
    /// at the end of the retention period (BJS-8, LBU-17, ALT-16, BDC-2, SCC-6).
    PastRetention {
        /// The days the cameras covering the place keep footage (the longest of them).
        kept_days: u32,
    },
    /// The time given is within the retention period, and the cameras covering the place
    /// recorded nothing then.
    NoneRecorded,
}

impl FootageAbsence {
    /// Which absence it is, when the cameras covering the place, which keep footage
    /// `kept_days` (the longest of them), hold nothing from `at_unix_ms`, looked for at
    /// `now_unix_ms`.
    pub fn find(at_unix_ms: i64, now_unix_ms: i64, kept_days: u32) -> Self {
        if at_unix_ms
            <= crate::retention::cutoff_unix_ms(custos_base::UnixMs(now_unix_ms), kept_days)
        {
            Self::PastRetention { kept_days }
        } else {
            Self::NoneRecorded
        }
    }

    /// Its stored and ledgered name: `past-retention` or `none-recorded`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PastRetention { .. } => "past-retention",
            Self::NoneRecorded => "none-recorded",
        }
    }

    /// The days footage was kept, for a `past-retention` absence.
    pub fn kept_days(self) -> Option<u32> {
        match self {
            Self::PastRetention { kept_days } => Some(kept_days),
            Self::NoneRecorded => None,
        }
    }

    /// Reads the stored form: [`FootageAbsence::as_str`] and, for `past-retention`, the days.
    pub fn from_parts(name: &str, kept_days: Option<i64>) -> Result<Self, String> {
        match (name, kept_days) {
            ("none-recorded", _) => Ok(Self::NoneRecorded),
            ("past-retention", Some(d)) => u32::try_from(d)
                .map(|kept_days| Self::PastRetention { kept_days })
                .map_err(|_| format!("{d} is not a number of days footage is kept")),
            _ => Err(format!(
                "{name:?} is not a reason for footage to be absent (past-retention with its days, or none-recorded)"
            )),
        }
    }

    /// In words for the requester: why there is no footage to keep or to give them.
    pub fn for_requester(self) -> String {
        match self {
            Self::PastRetention { kept_days } => format!(
                "The time you gave is more than {kept_days} days ago. Our cameras' footage is kept for {kept_days} days and then erased automatically, so footage from that time no longer exists: we hold none of it, and there is none for us to keep or to give you."
            ),
            Self::NoneRecorded => "Our cameras at the place you gave recorded nothing at the time you gave, so we hold no footage from then: there is none for us to keep or to give you.".to_owned(),
        }
    }

    /// In words for staff, on the case's page.
    pub fn for_staff(self) -> String {
        match self {
            Self::PastRetention { kept_days } => format!(
                "No footage exists for the time the requester gave: it is older than the {kept_days} days the cameras there keep footage, so it had already been erased when the request was opened. Nothing was held and nothing is offered for review; the acknowledgement tells the requester so."
            ),
            Self::NoneRecorded => "No footage exists for the time the requester gave: the cameras covering the place recorded nothing then. Nothing was held and nothing is offered for review; the acknowledgement tells the requester so.".to_owned(),
        }
    }
}

/// Words too common to tell one place from another.
const PLACE_NOISE: &[&str] = &[
    "the", "and", "near", "by", "outside", "inside", "at", "on", "in", "of", "to", "from", "our",
    "my", "main", "area", "side", "camera", "cctv",
];

/// The cameras a requester's place points to, from the register's `(id, name, location,
/// area)` of each camera in service: those whose location or area is the place itself
/// (ignoring case and spaces at the ends); failing that, those whose name, location or area
/// shares a significant word with it (three letters or more, not a common word). Empty
/// when nothing matches; people then choose the cameras.
pub fn cameras_for_place<'a>(
    place: &str,
    cameras: impl IntoIterator<Item = (&'a crate::Ident, &'a str, &'a str, &'a str)>,
) -> Vec<crate::Ident> {
    let place = place.trim().to_lowercase();
    if place.is_empty() {
        return Vec::new();
    }
    let words = |text: &str| -> Vec<String> {
        text.to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 3 && !PLACE_NOISE.contains(w))
            .map(str::to_owned)
            .collect()
    };
    let wanted = words(&place);
    let mut exact = Vec::new();
    let mut near = Vec::new();
    for (id, name, location, area) in cameras {
        if location.trim().to_lowercase() == place || area.trim().to_lowercase() == place {
            exact.push(id.clone());
        } else {
            let theirs: Vec<String> = [name, location, area]
                .iter()
                .flat_map(|t| words(t))
                .collect();
            if wanted.iter().any(|w| theirs.contains(w)) {
                near.push(id.clone());
            }
        }
    }
    let mut out = if exact.is_empty() { near } else { exact };
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    /// BJS-8, BDC-29: footage absent from a time older than the cameras keep it was erased
    /// at the end of the retention period; absent from a later time, nothing was recorded.
    #[test]
    fn bjs_8_absent_footage_is_past_retention_only_before_the_cutoff() {
        let now = 1_800_000_000_000;
        let day = crate::retention::DAY_MS;
        assert_eq!(
            FootageAbsence::find(now - 22 * day, now, 21),
            FootageAbsence::PastRetention { kept_days: 21 }
        );
        assert_eq!(
            FootageAbsence::find(now - 21 * day, now, 21),
            FootageAbsence::PastRetention { kept_days: 21 }
        );
        assert_eq!(
            FootageAbsence::find(now - 21 * day + 1, now, 21),
            FootageAbsence::NoneRecorded
        );
        for a in [
            FootageAbsence::PastRetention { kept_days: 30 },
            FootageAbsence::NoneRecorded,
        ] {
            assert_eq!(
                FootageAbsence::from_parts(a.as_str(), a.kept_days().map(i64::from)),
                Ok(a)
            );
        }
        assert!(FootageAbsence::from_parts("past-retention", None).is_err());
    }

    use super::*;

    /// Every state × action pair: `transition` and `allowed_actions` agree, and a refusal
    /// names what is allowed.
    #[test]
    fn illegal_transitions_are_refused_with_the_allowed_ones() {
        for kind in CaseKind::ALL {
            for state in CaseState::ALL {
                for extended in [false, true] {
                    let allowed = allowed_actions(*kind, *state, extended);
                    let mut all = vec![
                        Action::AwaitIdentity,
                        Action::VerifyIdentity,
                        Action::Start,
                        Action::Extend,
                        Action::Close,
                        Action::Withdraw,
                        Action::ConvertToSubjectAccess,
                    ];
                    all.extend(Decision::ALL.iter().map(|d| Action::Decide(*d)));
                    for a in all {
                        let r = transition(*kind, *state, extended, a);
                        assert_eq!(r.is_ok(), allowed.contains(&a), "{kind} {state} {a:?}");
                        if let Err(e) = r {
                            assert!(e.to_string().contains("from here it can"), "{e}");
                        }
                    }
                }
            }
        }
    }

    /// LBU-18, BDC-29: a subject access request goes received → awaiting identity →
    /// in progress → (extended once) → decided → closed; it cannot close undecided.
    #[test]
    fn lbu_18_a_subject_access_request_follows_its_workflow() {
        let k = CaseKind::SubjectAccess;
        let mut s = CaseState::Received;
        s = transition(k, s, false, Action::AwaitIdentity).expect("await");
        assert_eq!(s, CaseState::AwaitingIdentity);
        let err = transition(k, s, false, Action::Close).expect_err("not decided");
        assert!(
            err.to_string().contains("confirm the requester's identity"),
            "{err}"
        );
        s = transition(k, s, false, Action::VerifyIdentity).expect("verify");
        s = transition(k, s, false, Action::Extend).expect("extend");
        assert!(
            transition(k, s, true, Action::Extend).is_err(),
            "extended once"
        );
        s = transition(k, s, true, Action::Decide(Decision::ViewOnly)).expect("decide");
        assert!(transition(k, s, true, Action::Decide(Decision::Accept)).is_err());
        s = transition(k, s, true, Action::Close).expect("close");
        assert_eq!(s, CaseState::Closed);
        assert!(allowed_actions(k, s, true).is_empty());
    }

    /// LBU-18, BJS-10: a month, extended by two further months, is three months from
    /// receipt; other kinds ignore an extension.
    #[test]
    fn lbu_18_an_extended_subject_access_request_has_three_months() {
        let pack =
            crate::PolicyPack::parse(include_str!("../../../policies/bosmere-junior-school.toml"))
                .expect("pack");
        use crate::deadline::DeadlineRule;
        assert_eq!(
            CaseKind::SubjectAccess.deadline_after_extension(&pack, false),
            Some(DeadlineRule::Month)
        );
        assert_eq!(
            CaseKind::SubjectAccess.deadline_after_extension(&pack, true),
            Some(DeadlineRule::Months(3))
        );
        assert_eq!(
            CaseKind::Erasure.deadline_after_extension(&pack, true),
            Some(pack.deadlines.rights_request.clone())
        );
    }

    /// BDC-29, BDC-30: the council answers at the earlier of 30 calendar days and a month;
    /// extended (UK GDPR Art 12(3)), a subject access request has the law's three months
    /// from receipt, and an extension never touches another rights request.
    #[test]
    fn bdc_29_an_extended_request_has_three_months_from_the_earlier_rule() {
        let pack = crate::PolicyPack::parse(include_str!(
            "../../../policies/bassetlaw-district-council.toml"
        ))
        .expect("pack");
        use crate::deadline::DeadlineRule;
        let earlier: DeadlineRule = "earliest:calendar-days:30,month".parse().expect("rule");
        assert_eq!(
            CaseKind::SubjectAccess.deadline_after_extension(&pack, false),
            Some(earlier.clone())
        );
        assert_eq!(
            CaseKind::SubjectAccess.deadline_after_extension(&pack, true),
            Some(DeadlineRule::Months(3))
        );
        assert_eq!(
            CaseKind::Erasure.deadline_after_extension(&pack, true),
            Some(earlier)
        );
        // Received Monday 5 January 2026 (10:00 UTC), still open: due Wednesday 4 February,
        // 30 days on, a day before the month; extended, Tuesday 7 April (5 April is Easter
        // Sunday, 6 April Easter Monday).
        let calendar = crate::calendar::Calendar::new(pack.nation);
        let received_ms = 1_767_607_200_000;
        let due_on = |kind, extended| match due(
            kind,
            CaseState::InProgress,
            received_ms,
            &[],
            extended,
            &pack,
            &calendar,
        )
        .expect("due")
        {
            CaseDue::Due(d) => d.due.to_string(),
            other => panic!("{other:?}"),
        };
        assert_eq!(due_on(CaseKind::SubjectAccess, false), "2026-02-04");
        assert_eq!(due_on(CaseKind::Objection, false), "2026-02-04");
        assert_eq!(due_on(CaseKind::SubjectAccess, true), "2026-04-07");
    }

    /// A request answered before its deadline is in time, after it late; one still open
    /// is open until its deadline passes and late after; a withdrawn one and a kind without
    /// a deadline are not counted.
    #[test]
    fn a_request_is_answered_in_time_late_or_still_open() {
        let pack =
            crate::PolicyPack::parse(include_str!("../../../policies/bosmere-junior-school.toml"))
                .expect("pack");
        let calendar = crate::calendar::Calendar::new(pack.nation);
        // Received Monday 5 January 2026, 10:00 UTC: due by the month rule on 5 February,
        // so the deadline passes at the start of 6 February.
        let received = 1_767_607_200_000;
        let day = 86_400_000;
        let at = |kind, state, closed: Option<i64>, now: i64| {
            timeliness(
                kind,
                state,
                received,
                closed,
                &[],
                false,
                &pack,
                &calendar,
                now,
            )
            .expect("timeliness")
        };
        use CaseKind::SubjectAccess as Sar;
        let later = received + 100 * day;
        assert_eq!(
            at(Sar, CaseState::Closed, Some(received + 20 * day), later),
            Some(Timeliness::InTime)
        );
        assert_eq!(
            at(Sar, CaseState::Closed, Some(received + 40 * day), later),
            Some(Timeliness::Late)
        );
        assert_eq!(
            at(Sar, CaseState::InProgress, None, received + 20 * day),
            Some(Timeliness::Open)
        );
        assert_eq!(
            at(Sar, CaseState::InProgress, None, later),
            Some(Timeliness::Late)
        );
        assert_eq!(at(Sar, CaseState::Withdrawn, Some(received), later), None);
        assert_eq!(
            at(
                CaseKind::Disclosure,
                CaseState::Closed,
                Some(received),
                later
            ),
            None
        );
    }

    /// LJM-11: only an FOI request converts to a subject access request.
    #[test]
    fn ljm_11_an_foi_request_for_ones_own_images_converts() {
        assert_eq!(
            transition(
                CaseKind::Foi,
                CaseState::Received,
                false,
                Action::ConvertToSubjectAccess
            ),
            Ok(CaseState::Converted)
        );
        assert!(
            transition(
                CaseKind::Erasure,
                CaseState::Received,
                false,
                Action::ConvertToSubjectAccess
            )
            .is_err()
        );
    }

    /// LJM-10, BDC-29, BDC-41, ALT-10: refusals and restrictions need reasons; a copy
    /// showing others needs a reason why that is reasonable.
    #[test]
    fn bdc_29_refusals_need_reasons_and_alt_10_others_need_a_reason_to_disclose() {
        assert!(check_decision(Decision::Refuse, "", false, None).is_err());
        assert!(
            check_decision(
                Decision::Restrict,
                "prejudice to an investigation",
                false,
                None
            )
            .is_ok()
        );
        assert!(check_decision(Decision::ViewOnly, "", true, None).is_ok());
        let err = check_decision(Decision::Disclose, "", true, None).expect_err("others");
        assert!(err.contains("why disclosing them is reasonable"), "{err}");
        assert!(
            check_decision(
                Decision::Disclose,
                "",
                true,
                Some("the other people are the requester's own children")
            )
            .is_ok()
        );
    }

    #[test]
    fn lbu_18_a_requesters_place_proposes_the_cameras_covering_it() {
        let ids: Vec<crate::Ident> = ["front-gate", "car-park", "hall"]
            .iter()
            .filter_map(|i| crate::Ident::parse(i).ok())
            .collect();
        let register = vec![
            (
                &ids[0],
                "Front gate",
                "Gate post",
                "Front gate and the pavement",
            ),
            (&ids[1], "Car park", "Lamp post 3", "Visitor car park"),
            (&ids[2], "Hall", "Main hall ceiling", "Main hall"),
        ];
        // The area itself, in any case: that camera only.
        assert_eq!(
            cameras_for_place("visitor car park", register.clone()),
            vec![ids[1].clone()]
        );
        // Words in common: the gate camera, not the hall's "main".
        assert_eq!(
            cameras_for_place("by the main gate", register.clone()),
            vec![ids[0].clone()]
        );
        // Nothing in common: nothing proposed, people choose.
        assert!(cameras_for_place("the library", register.clone()).is_empty());
        assert!(cameras_for_place("  ", register).is_empty());
    }
}
