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
        /// A covert surveillance authorisation: the scheme's own covert recording (LJM-4,
        /// LBU-11) or a police or council authorisation under RIPA (BDC-16), its reviews,
        /// renewals and cancellation (`crate::covert` holds its rules).
        Covert = "covert-authorisation",
        /// A request by the police to take partial or total control of the control room
        /// (BDC-25): agreed by the owners' representative, then handed back
        /// (`crate::police_control` holds its rules).
        PoliceControl = "police-control",
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
            Self::Covert => "covert surveillance authorisation",
            Self::PoliceControl => "police request to take control",
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
            Self::Covert => "a covert surveillance authorisation",
            Self::PoliceControl => "a police request to take control",
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
            Self::Covert => "COV",
            Self::PoliceControl => "POL",
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
    /// (BDC-28, BDC-40): a subject access request, a request to restrict, a third-party
    /// request for disclosure and a complaint about an incident on camera, whose footage
    /// must not be erased before the answer. An
    /// erasure request's footage is not held: erasing it is what was asked, and an
    /// objection's footage follows the normal retention.
    pub fn holds_footage_at_intake(self) -> bool {
        matches!(
            self,
            Self::SubjectAccess | Self::Restriction | Self::Disclosure | Self::Complaint
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
            // A complaint raised too late may be refused without being considered.
            Self::Complaint => &[Upheld, PartlyUpheld, NotUpheld, Refuse],
            // A breach is not decided: it closes once the ICO was notified (or why not
            // recorded) and, for a high risk, the people affected told.
            Self::Breach => &[],
            // An authorisation is not decided: it is reviewed, renewed and cancelled.
            Self::Covert => &[],
            // A request for control is agreed (a step of its own) or refused.
            Self::PoliceControl => &[Refuse],
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
            // Its clocks are its own record's: the next review and the expiry
            // (`crate::covert::status`, through [`next_deadline`]).
            // A request for control is answered at once, in the control room; its period
            // runs until it is handed back.
            Self::Disclosure | Self::Covert | Self::PoliceControl => None,
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
        /// A complaint's answer is appealed (LBU-25, BDC-21); the appeal's clock runs.
        Appealed = "appealed",
        /// The appeal is decided; its outcome is to be sent.
        AppealDecided = "appeal-decided",
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
            Self::Appealed => "appealed",
            Self::AppealDecided => "appeal decided, outcome to send",
        }
    }

    /// Whether the case is still open (its deadline matters).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Received
                | Self::AwaitingIdentity
                | Self::InProgress
                | Self::Decided
                | Self::Appealed
                | Self::AppealDecided
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
        /// Answered (an FOI request, a breach).
        Answer = "answer",
        /// A complaint is upheld: the scheme was at fault, and the answer says what it does
        /// about it.
        Upheld = "upheld",
        /// A complaint is upheld in part.
        PartlyUpheld = "partly-upheld",
        /// A complaint is not upheld, with the reasons.
        NotUpheld = "not-upheld",
    }
}

kebab_enum! {
    /// How an appeal against a complaint's answer ends (LBU-25, BDC-21).
    AppealOutcome, "appeal outcome" {
        /// The appeal succeeds: the answer is changed.
        Upheld = "upheld",
        /// The answer stands.
        NotUpheld = "not-upheld",
    }
}

impl AppealOutcome {
    /// The outcome in words, completing "decided to …".
    pub fn describe(self) -> &'static str {
        match self {
            Self::Upheld => "uphold the appeal",
            Self::NotUpheld => "not uphold the appeal",
        }
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
            Self::Upheld => "uphold the complaint",
            Self::PartlyUpheld => "uphold the complaint in part",
            Self::NotUpheld => "not uphold the complaint",
        }
    }

    /// Whether the decision must give reasons (refusals, restrictions and partial
    /// disclosure: LJM-10, BDC-29, BDC-41; a complaint's answer, which is its reasons and
    /// what is done: BDC-21).
    pub fn needs_reasons(self) -> bool {
        matches!(
            self,
            Self::Refuse
                | Self::Restrict
                | Self::DiscloseInPart
                | Self::Upheld
                | Self::PartlyUpheld
                | Self::NotUpheld
        )
    }

    /// Whether footage leaves the scheme as a copy.
    pub fn discloses(self) -> bool {
        matches!(self, Self::Disclose | Self::DiscloseInPart)
    }
}

/// The places a personal data breach is reported from besides the Cases page, each the
/// channel its case records: a medium lost or not returned (`media-register`), a download
/// sent to the wrong place (`download`), a ledger alarm (`ledger-alarm`). Each has its
/// words in [`channel_words`].
pub const BREACH_REPORT_SOURCES: &[&str] = &["media-register", "download", "ledger-alarm"];

/// How a request came, in words, completing "received by …": the public request form
/// (`public-form`), letter, e-mail, telephone, in person; anything else as it is.
pub fn channel_words(channel: &str) -> String {
    match channel {
        "public-form" => "the public request form".to_owned(),
        "email" => "e-mail".to_owned(),
        "in person" => "a visit in person".to_owned(),
        "staff" => "a member of staff".to_owned(),
        "media-register" => "the media register (a medium lost or not returned)".to_owned(),
        "download" => "a download sent to the wrong place".to_owned(),
        "ledger-alarm" => "a ledger alarm".to_owned(),
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
    /// Due on a day or at an instant the case's own record sets rather than a rule of the
    /// pack: a covert authorisation's next review or its expiry.
    Set(crate::calendar::Due),
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
    let Some(rule) = kind.deadline_after_extension(pack, extended) else {
        return Ok(CaseDue::NoRule);
    };
    let calendar = if kind == CaseKind::Foi && pack.nation != crate::Nation::Scotland {
        calendar.clone().any_part_of_uk()
    } else {
        calendar.clone()
    };
    count(rule, received_unix_ms, pauses, &calendar)
}

/// `rule` counted from `start_unix_ms` on `calendar`, with the clock stopped over `pauses`.
fn count(
    rule: crate::deadline::DeadlineRule,
    start_unix_ms: i64,
    pauses: &[(i64, Option<i64>)],
    calendar: &crate::calendar::Calendar,
) -> Result<CaseDue, crate::calendar::CalendarError> {
    use crate::calendar::{Pause, Timer, TimerState};
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
    let timer = Timer::with_pauses(rule.clone(), ts(start_unix_ms)?, &pauses)?;
    Ok(match timer.state(calendar)? {
        TimerState::Running(d) => CaseDue::Due(d),
        TimerState::Paused { since } => CaseDue::Paused {
            since_unix_ms: since.as_millisecond(),
            rule,
        },
    })
}

/// Which of a case's clocks a deadline is on: every case has its answer's; a complaint
/// also has its acknowledgement's (BDC-21: five working days) and, once appealed, the
/// appeal's (LBU-25, BDC-21).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The written acknowledgement of a complaint.
    Acknowledgement,
    /// The answer.
    Answer,
    /// The answer to an appeal.
    Appeal,
    /// A covert authorisation's next review (BDC-16: reviewed regularly while in force).
    Review,
    /// A covert authorisation's expiry: renew it before then or cancel it (BDC-16).
    Expiry,
}

impl Clock {
    /// What is due, in words completing "… due": "acknowledgement", "answer".
    pub fn describe(self) -> &'static str {
        match self {
            Self::Acknowledgement => "acknowledgement",
            Self::Answer => "answer",
            Self::Appeal => "answer to the appeal",
            Self::Review => "review",
            Self::Expiry => "renewal or cancellation",
        }
    }
}

/// A case's times, for its clocks.
#[derive(Debug, Clone, Copy)]
pub struct CaseTimes<'a> {
    /// Its kind.
    pub kind: CaseKind,
    /// Where it stands.
    pub state: CaseState,
    /// When it was received.
    pub received_unix_ms: i64,
    /// The answer clock's pauses (from, to; `to` is `None` while stopped).
    pub pauses: &'a [(i64, Option<i64>)],
    /// What has happened to it.
    pub progress: Progress,
    /// When an appeal was received, for an appealed complaint.
    pub appealed_at_unix_ms: Option<i64>,
    /// How a covert authorisation stands now (`crate::covert::status`), for its clocks.
    pub covert: Option<crate::covert::CovertStatus>,
}

/// The deadline a case must meet next, and which clock it is on: an appealed complaint's
/// appeal (the pack's `complaint_appeal`, or its `complaint_answer` where it gives none,
/// from the day the appeal came); an unacknowledged complaint's acknowledgement (the
/// pack's `complaint_acknowledge`, from receipt); a covert authorisation's next review or,
/// when that is later or none is set, its expiry ([`covert_deadline`]); otherwise the
/// answer, as [`due`] finds it.
pub fn next_deadline(
    t: &CaseTimes,
    pack: &crate::PolicyPack,
    calendar: &crate::calendar::Calendar,
) -> Result<(Clock, CaseDue), crate::calendar::CalendarError> {
    if !t.state.is_open() {
        return Ok((Clock::Answer, CaseDue::Finished));
    }
    if t.kind == CaseKind::Covert {
        return covert_deadline(t.covert);
    }
    if t.kind == CaseKind::Complaint {
        let d = &pack.deadlines;
        if matches!(t.state, CaseState::Appealed | CaseState::AppealDecided) {
            let rule = d
                .complaint_appeal
                .clone()
                .unwrap_or_else(|| d.complaint_answer.clone());
            let from = t.appealed_at_unix_ms.unwrap_or(t.received_unix_ms);
            return Ok((Clock::Appeal, count(rule, from, &[], calendar)?));
        }
        if !t.progress.acknowledged {
            let ack = acknowledgement_due(t.received_unix_ms, pack, calendar)?;
            return Ok((Clock::Acknowledgement, ack));
        }
    }
    let answer = due(
        t.kind,
        t.state,
        t.received_unix_ms,
        t.pauses,
        t.progress.extended,
        pack,
        calendar,
    )?;
    Ok((Clock::Answer, answer))
}

/// When a complaint received at `received_unix_ms` is to be acknowledged in writing (the
/// pack's `complaint_acknowledge`, BDC-21), whether or not it has been.
pub fn acknowledgement_due(
    received_unix_ms: i64,
    pack: &crate::PolicyPack,
    calendar: &crate::calendar::Calendar,
) -> Result<CaseDue, crate::calendar::CalendarError> {
    count(
        pack.deadlines.complaint_acknowledge.clone(),
        received_unix_ms,
        &[],
        calendar,
    )
}

/// A covert authorisation's clock from how it stands: the review due (overdue, or next,
/// when due on or before the expiry's day), else the expiry, which an authorisation past
/// it without renewal or cancellation shows overdue (the alarm of
/// `crate::covert::CovertStatus::ExpiredUnresolved`). One awaiting a justice's approval,
/// or ended, has none.
pub fn covert_deadline(
    status: Option<crate::covert::CovertStatus>,
) -> Result<(Clock, CaseDue), crate::calendar::CalendarError> {
    use crate::calendar::Due;
    use crate::covert::CovertStatus as S;
    let instant = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms).map_err(|_| {
            crate::calendar::CalendarError::NoTimeZone(format!("the time {ms} ms is out of range"))
        })
    };
    Ok(match status {
        Some(S::ReviewOverdue { review_due_on, .. }) => {
            (Clock::Review, CaseDue::Set(Due::Day(review_due_on)))
        }
        Some(S::InForce {
            expires_at_unix_ms,
            next_review_on,
        }) => {
            let expiry_day = crate::calendar::uk_day(instant(expires_at_unix_ms)?)?;
            match next_review_on {
                Some(day) if day <= expiry_day => (Clock::Review, CaseDue::Set(Due::Day(day))),
                _ => (
                    Clock::Expiry,
                    CaseDue::Set(Due::Instant(instant(expires_at_unix_ms + 1)?)),
                ),
            }
        }
        Some(S::ExpiredUnresolved { expired_at_unix_ms }) => (
            Clock::Expiry,
            CaseDue::Set(Due::Instant(instant(expired_at_unix_ms + 1)?)),
        ),
        Some(S::AwaitingApproval) | None => (Clock::Answer, CaseDue::NoRule),
        Some(S::Cancelled { .. } | S::Ended { .. }) => (Clock::Answer, CaseDue::Finished),
    })
}

/// Whether a complaint about an incident at `incident_unix_ms`, received at
/// `received_unix_ms`, came after the window the pack gives for raising one (LBU-25:
/// within 30 days of the incident); never late where the pack sets no window. A late
/// complaint is still recorded; accepting or refusing it is a step with a reason.
pub fn complaint_is_late(
    incident_unix_ms: i64,
    received_unix_ms: i64,
    pack: &crate::PolicyPack,
    calendar: &crate::calendar::Calendar,
) -> Result<bool, crate::calendar::CalendarError> {
    let Some(window) = pack.deadlines.complaint_window.clone() else {
        return Ok(false);
    };
    Ok(match count(window, incident_unix_ms, &[], calendar)? {
        CaseDue::Due(d) => d.due.passes_at()?.as_millisecond() <= received_unix_ms,
        _ => false,
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
        CaseDue::Set(due) => due.passes_at()?.as_millisecond(),
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
    /// A complaint is acknowledged in writing (BDC-21: within five working days); its
    /// acknowledgement clock stops.
    Acknowledge,
    /// A complaint raised after the scheme's window (LBU-25: 30 days from the incident) is
    /// accepted for consideration, with the reason.
    AcceptLate,
    /// The complainant appeals against the answer (LBU-25, BDC-21); the appeal's clock
    /// starts.
    Appeal,
    /// The appeal is decided.
    DecideAppeal(AppealOutcome),
    /// A justice of the peace approved a council's covert authorisation, which takes effect
    /// only then (RIPA s32A, BDC-16).
    ApproveJudicially,
    /// The authorising officer reviewed a covert authorisation, setting the next review.
    Review,
    /// The authorising officer renewed a covert authorisation before it expired.
    Renew,
    /// The authorising officer cancelled a covert authorisation, with the reason; its team
    /// is told.
    Cancel,
    /// Assess a personal data breach's risk to people's rights and freedoms (ALT-18, UK
    /// GDPR Art 33–34), with the reasons; it may be assessed again as more is known.
    AssessRisk(crate::breach::RiskLevel),
    /// The ICO has been notified of a breach (Art 33(1)), with the notification's contents.
    NotifyIco,
    /// The ICO is not notified: the breach is unlikely to result in a risk, and why (Art
    /// 33(1), 33(5)).
    NotNotifyIco,
    /// The people affected have been told (Art 34(1)), and how.
    TellPeople,
    /// The people affected are not told, under an exception of Art 34(3), with the facts.
    NotTellPeople(crate::breach::TellingException),
    /// The owners' representative agreed to a police request to take control (BDC-25):
    /// control starts, or starts at the time given.
    Agree,
    /// The police handed control back (BDC-25): the period of control ends.
    HandBack,
}

impl Action {
    /// The action named `name` as forms and the console give it (`decide` and
    /// `decide-appeal` with the decision or outcome in `choice`).
    pub fn parse(name: &str, choice: Option<&str>) -> Result<Self, String> {
        let choice = || {
            choice
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .ok_or_else(|| format!("say which decision the step {name} records"))
        };
        Ok(match name.trim() {
            "await-identity" => Self::AwaitIdentity,
            "verify-identity" => Self::VerifyIdentity,
            "start" => Self::Start,
            "extend" => Self::Extend,
            "decide" => Self::Decide(choice()?.parse()?),
            "close" => Self::Close,
            "withdraw" => Self::Withdraw,
            "convert-to-subject-access" => Self::ConvertToSubjectAccess,
            "acknowledge" => Self::Acknowledge,
            "accept-late" => Self::AcceptLate,
            "appeal" => Self::Appeal,
            "decide-appeal" => Self::DecideAppeal(choice()?.parse()?),
            "approve-judicially" => Self::ApproveJudicially,
            "review" => Self::Review,
            "renew" => Self::Renew,
            "cancel" => Self::Cancel,
            "assess-risk" => Self::AssessRisk(choice()?.parse()?),
            "notify-ico" => Self::NotifyIco,
            "not-notify-ico" => Self::NotNotifyIco,
            "tell-people" => Self::TellPeople,
            "not-tell-people" => Self::NotTellPeople(choice()?.parse()?),
            "agree" => Self::Agree,
            "hand-back" => Self::HandBack,
            other => {
                return Err(format!(
                    "{other:?} is not a step; the steps are: await-identity, verify-identity, start, extend, decide, close, withdraw, convert-to-subject-access, acknowledge, accept-late, appeal, decide-appeal, approve-judicially, review, renew, cancel, assess-risk, notify-ico, not-notify-ico, tell-people, not-tell-people, agree, hand-back"
                ));
            }
        })
    }

    /// The choice the action carries, as [`Action::parse`] takes it back: the decision, the
    /// appeal's outcome, the risk level or the exception; `None` for the others.
    pub fn choice(self) -> Option<&'static str> {
        match self {
            Self::Decide(d) => Some(d.as_str()),
            Self::DecideAppeal(o) => Some(o.as_str()),
            Self::AssessRisk(l) => Some(l.as_str()),
            Self::NotTellPeople(e) => Some(e.as_str()),
            _ => None,
        }
    }

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
            Self::Acknowledge => "acknowledge it in writing".to_owned(),
            Self::AcceptLate => "accept it although it was raised late".to_owned(),
            Self::Appeal => "record an appeal against the answer".to_owned(),
            Self::DecideAppeal(o) => format!("decide to {}", o.describe()),
            Self::ApproveJudicially => "record a justice of the peace's approval".to_owned(),
            Self::Review => "record a review".to_owned(),
            Self::Renew => "record a renewal".to_owned(),
            Self::Cancel => "cancel the authorisation".to_owned(),
            Self::AssessRisk(l) => format!("assess the risk as {}", l.describe()),
            Self::NotifyIco => "record the notification to the ICO".to_owned(),
            Self::NotNotifyIco => "record why the ICO is not notified".to_owned(),
            Self::TellPeople => "record that the people affected were told".to_owned(),
            Self::NotTellPeople(e) => format!("not tell the people affected: {}", e.describe()),
            Self::Agree => "agree to the police taking control".to_owned(),
            Self::HandBack => "record that the police handed control back".to_owned(),
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
            Self::Acknowledge => "case-acknowledge",
            Self::AcceptLate => "case-accept-late",
            Self::Appeal => "case-appeal",
            Self::DecideAppeal(_) => "case-decide-appeal",
            Self::ApproveJudicially => "case-approve-judicially",
            Self::Review => "case-review",
            Self::Renew => "case-renew",
            Self::Cancel => "case-cancel",
            Self::AssessRisk(_) => "case-assess-risk",
            Self::NotifyIco => "case-notify-ico",
            Self::NotNotifyIco => "case-not-notify-ico",
            Self::TellPeople => "case-tell-people",
            Self::NotTellPeople(_) => "case-not-tell-people",
            Self::Agree => "case-agree",
            Self::HandBack => "case-hand-back",
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
            Self::Acknowledge => "acknowledge",
            Self::AcceptLate => "accept-late",
            Self::Appeal => "appeal",
            Self::DecideAppeal(_) => "decide-appeal",
            Self::ApproveJudicially => "approve-judicially",
            Self::Review => "review",
            Self::Renew => "renew",
            Self::Cancel => "cancel",
            Self::AssessRisk(_) => "assess-risk",
            Self::NotifyIco => "notify-ico",
            Self::NotNotifyIco => "not-notify-ico",
            Self::TellPeople => "tell-people",
            Self::NotTellPeople(_) => "not-tell-people",
            Self::Agree => "agree",
            Self::HandBack => "hand-back",
        }
    }

    /// Whether the step must say why (it goes into the case's record, and for some into
    /// a letter).
    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            Self::Extend
                | Self::Withdraw
                | Self::AcceptLate
                | Self::Appeal
                | Self::DecideAppeal(_)
                | Self::Review
                | Self::Renew
                | Self::Cancel
                | Self::AssessRisk(_)
                | Self::NotNotifyIco
                | Self::TellPeople
                | Self::NotTellPeople(_)
        )
    }
}

/// What has already happened to a case that decides which steps it allows, besides its
/// state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Its deadline was extended (subject access, once).
    pub extended: bool,
    /// A complaint was acknowledged in writing.
    pub acknowledged: bool,
    /// A complaint was raised after the scheme's window and is not (yet) accepted: it can
    /// be accepted late or refused, not simply started.
    pub late_pending: bool,
    /// A complaint's answer was appealed (once only).
    pub appealed: bool,
    /// A breach's risk, as last assessed.
    pub risk: Option<crate::breach::RiskLevel>,
    /// A breach: the ICO was notified, or why not was recorded.
    pub ico_decided: bool,
    /// A breach: the people affected were told, or why not was recorded.
    pub people_decided: bool,
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

/// The state after `action` on a `kind` case in `state` with its `progress`, or the error
/// naming the actions allowed.
pub fn transition(
    kind: CaseKind,
    state: CaseState,
    progress: Progress,
    action: Action,
) -> Result<CaseState, IllegalTransition> {
    next_state(kind, state, progress, action).ok_or_else(|| {
        let ok = allowed_actions(kind, state, progress);
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
    progress: Progress,
    action: Action,
) -> Option<CaseState> {
    use CaseState::*;
    // A covert authorisation has steps of its own and none of the others: it is recorded
    // granted (a council's awaiting a justice's approval, `Received`) or in force
    // (`InProgress`), and ends only by its cancellation (`Closed`), even after it expired.
    if kind == CaseKind::Covert {
        return match (state, action) {
            (Received, Action::ApproveJudicially) => Some(InProgress),
            (InProgress, Action::Review | Action::Renew) => Some(InProgress),
            (Received | InProgress, Action::Cancel) => Some(Closed),
            _ => None,
        };
    }
    // A personal data breach (ALT-18): assessed, the ICO notified or why not recorded, the
    // people affected told where the risk is high (or the exception recorded), then closed.
    if kind == CaseKind::Breach {
        use crate::breach::RiskLevel;
        let assessed = progress.risk.is_some();
        return match (state, action) {
            (Received | InProgress, Action::AssessRisk(_)) => Some(InProgress),
            (InProgress, Action::NotifyIco) if assessed && !progress.ico_decided => {
                Some(InProgress)
            }
            (InProgress, Action::NotNotifyIco)
                if progress.risk == Some(RiskLevel::Unlikely) && !progress.ico_decided =>
            {
                Some(InProgress)
            }
            (InProgress, Action::TellPeople | Action::NotTellPeople(_))
                if assessed && !progress.people_decided =>
            {
                Some(InProgress)
            }
            (InProgress, Action::Close)
                if progress.ico_decided
                    && (progress.risk != Some(RiskLevel::HighRisk) || progress.people_decided) =>
            {
                Some(Closed)
            }
            (Received | InProgress, Action::Withdraw) => Some(Withdrawn),
            _ => None,
        };
    }
    // A police request to take control (BDC-25) is agreed, starting its period of control
    // (`InProgress`, from the time agreed), or refused or withdrawn before that; the period
    // ends only by the hand-back (`Closed`).
    if kind == CaseKind::PoliceControl {
        return match (state, action) {
            (Received, Action::Agree) => Some(InProgress),
            (Received, Action::Decide(Decision::Refuse)) => Some(Closed),
            (Received, Action::Withdraw) => Some(Withdrawn),
            (InProgress, Action::HandBack) => Some(Closed),
            _ => None,
        };
    }
    let complaint = kind == CaseKind::Complaint;
    match (state, action) {
        (Received | AwaitingIdentity | InProgress | Decided, Action::Withdraw) => Some(Withdrawn),
        (Received, Action::AwaitIdentity) if kind.checks_identity() => Some(AwaitingIdentity),
        (AwaitingIdentity, Action::VerifyIdentity) => Some(InProgress),
        (Received, Action::Start) if !progress.late_pending => Some(InProgress),
        (Received, Action::AcceptLate) if complaint && progress.late_pending => Some(InProgress),
        // A late complaint not accepted is refused, with the reason, without being worked.
        (Received, Action::Decide(Decision::Refuse)) if complaint && progress.late_pending => {
            Some(Decided)
        }
        (Received | InProgress | Decided, Action::Acknowledge)
            if complaint && !progress.acknowledged =>
        {
            Some(state)
        }
        (InProgress, Action::Extend) if kind == CaseKind::SubjectAccess && !progress.extended => {
            Some(InProgress)
        }
        (InProgress | Decided, Action::Decide(d)) if kind.decisions().contains(&d) => Some(Decided),
        (Decided | AppealDecided, Action::Close) => Some(Closed),
        (Received | InProgress, Action::ConvertToSubjectAccess) if kind == CaseKind::Foi => {
            Some(Converted)
        }
        (Closed, Action::Appeal) if complaint && !progress.appealed => Some(Appealed),
        (Appealed | AppealDecided, Action::DecideAppeal(_)) => Some(AppealDecided),
        _ => None,
    }
}

/// Every action a `kind` case in `state` allows, for forms and error messages.
pub fn allowed_actions(kind: CaseKind, state: CaseState, progress: Progress) -> Vec<Action> {
    let mut candidates = vec![
        Action::AcceptLate,
        Action::Acknowledge,
        Action::AwaitIdentity,
        Action::VerifyIdentity,
        Action::Start,
        Action::Extend,
    ];
    candidates.extend(kind.decisions().iter().map(|d| Action::Decide(*d)));
    candidates.extend([Action::Appeal]);
    candidates.extend(AppealOutcome::ALL.iter().map(|o| Action::DecideAppeal(*o)));
    candidates.extend(
        crate::breach::RiskLevel::ALL
            .iter()
            .map(|l| Action::AssessRisk(*l)),
    );
    candidates.extend([Action::NotifyIco, Action::NotNotifyIco, Action::TellPeople]);
    candidates.extend(
        crate::breach::TellingException::ALL
            .iter()
            .map(|e| Action::NotTellPeople(*e)),
    );
    candidates.extend([
        Action::ApproveJudicially,
        Action::Review,
        Action::Renew,
        Action::Cancel,
        Action::Agree,
        Action::HandBack,
        Action::Close,
        Action::Withdraw,
        Action::ConvertToSubjectAccess,
    ]);
    candidates
        .into_iter()
        .filter(|a| next_state(kind, state, progress, *a).is_some())
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

    const EXTENDED: Progress = Progress {
        extended: true,
        acknowledged: false,
        late_pending: false,
        appealed: false,
        risk: None,
        ico_decided: false,
        people_decided: false,
    };

    /// Every state × action pair: `transition` and `allowed_actions` agree, and a refusal
    /// names what is allowed.
    #[test]
    fn illegal_transitions_are_refused_with_the_allowed_ones() {
        for kind in CaseKind::ALL {
            for state in CaseState::ALL {
                for bits in 0..512u16 {
                    let progress = Progress {
                        extended: bits & 1 != 0,
                        acknowledged: bits & 2 != 0,
                        late_pending: bits & 4 != 0,
                        appealed: bits & 8 != 0,
                        risk: match (bits >> 4) & 3 {
                            0 => None,
                            1 => Some(crate::breach::RiskLevel::Unlikely),
                            2 => Some(crate::breach::RiskLevel::Risk),
                            _ => Some(crate::breach::RiskLevel::HighRisk),
                        },
                        ico_decided: bits & 64 != 0,
                        people_decided: bits & 128 != 0,
                    };
                    let allowed = allowed_actions(*kind, *state, progress);
                    let mut all = vec![
                        Action::AwaitIdentity,
                        Action::VerifyIdentity,
                        Action::Start,
                        Action::Extend,
                        Action::Close,
                        Action::Withdraw,
                        Action::ConvertToSubjectAccess,
                        Action::Acknowledge,
                        Action::AcceptLate,
                        Action::Appeal,
                        Action::ApproveJudicially,
                        Action::Review,
                        Action::Renew,
                        Action::Cancel,
                        Action::NotifyIco,
                        Action::NotNotifyIco,
                        Action::TellPeople,
                    ];
                    all.extend(Decision::ALL.iter().map(|d| Action::Decide(*d)));
                    all.extend(
                        crate::breach::RiskLevel::ALL
                            .iter()
                            .map(|l| Action::AssessRisk(*l)),
                    );
                    all.extend(
                        crate::breach::TellingException::ALL
                            .iter()
                            .map(|e| Action::NotTellPeople(*e)),
                    );
                    all.extend(AppealOutcome::ALL.iter().map(|o| Action::DecideAppeal(*o)));
                    for a in all {
                        let r = transition(*kind, *state, progress, a);
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
        s = transition(k, s, Progress::default(), Action::AwaitIdentity).expect("await");
        assert_eq!(s, CaseState::AwaitingIdentity);
        let err = transition(k, s, Progress::default(), Action::Close).expect_err("not decided");
        assert!(
            err.to_string().contains("confirm the requester's identity"),
            "{err}"
        );
        s = transition(k, s, Progress::default(), Action::VerifyIdentity).expect("verify");
        s = transition(k, s, Progress::default(), Action::Extend).expect("extend");
        assert!(
            transition(k, s, EXTENDED, Action::Extend).is_err(),
            "extended once"
        );
        s = transition(k, s, EXTENDED, Action::Decide(Decision::ViewOnly)).expect("decide");
        assert!(transition(k, s, EXTENDED, Action::Decide(Decision::Accept)).is_err());
        s = transition(k, s, EXTENDED, Action::Close).expect("close");
        assert_eq!(s, CaseState::Closed);
        assert!(allowed_actions(k, s, EXTENDED).is_empty());
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

    fn pack(file: &str) -> crate::PolicyPack {
        let text = match file {
            "bassetlaw" => include_str!("../../../policies/bassetlaw-district-council.toml"),
            _ => include_str!("../../../policies/loughborough-university.toml"),
        };
        crate::PolicyPack::parse(text).expect("pack")
    }

    fn ms(rfc3339: &str) -> i64 {
        rfc3339
            .parse::<jiff::Timestamp>()
            .expect("time")
            .as_millisecond()
    }

    fn next_due(t: &CaseTimes, pack: &crate::PolicyPack, nation: crate::Nation) -> (Clock, String) {
        let calendar = crate::calendar::Calendar::new(nation);
        match next_deadline(t, pack, &calendar).expect("deadline") {
            (clock, CaseDue::Due(d)) => (clock, d.due.to_string()),
            other => panic!("{other:?}"),
        }
    }

    /// BDC-21: a complaint received on Monday 21 December 2026 is to be acknowledged within
    /// five working days (Christmas Day and the Boxing Day substitute do not count: by
    /// Wednesday 30 December), then answered within fifteen (over New Year's Day: by
    /// Thursday 14 January 2027 in England and Wales and in Northern Ireland, and by
    /// Friday 15 January in Scotland, where 2 January's substitute is a holiday too).
    #[test]
    fn bdc_21_a_complaint_is_acknowledged_in_five_working_days_and_answered_in_fifteen() {
        let pack = pack("bassetlaw");
        let received = ms("2026-12-21T10:00:00Z");
        let mut t = CaseTimes {
            kind: CaseKind::Complaint,
            state: CaseState::Received,
            received_unix_ms: received,
            pauses: &[],
            progress: Progress::default(),
            appealed_at_unix_ms: None,
            covert: None,
        };
        assert_eq!(
            next_due(&t, &pack, crate::Nation::EnglandWales),
            (Clock::Acknowledgement, "2026-12-30".to_owned())
        );
        // Acknowledging stops that clock; the answer's is next.
        t.state = transition(
            CaseKind::Complaint,
            CaseState::Received,
            t.progress,
            Action::Acknowledge,
        )
        .expect("acknowledge");
        t.progress.acknowledged = true;
        assert!(
            transition(
                CaseKind::Complaint,
                t.state,
                t.progress,
                Action::Acknowledge
            )
            .is_err(),
            "acknowledged once"
        );
        for (nation, day) in [
            (crate::Nation::EnglandWales, "2027-01-14"),
            (crate::Nation::NorthernIreland, "2027-01-14"),
            (crate::Nation::Scotland, "2027-01-15"),
        ] {
            assert_eq!(
                next_due(&t, &pack, nation),
                (Clock::Answer, day.to_owned()),
                "{nation:?}"
            );
        }
        // Other kinds have no acknowledgement clock.
        assert!(
            transition(
                CaseKind::SubjectAccess,
                CaseState::Received,
                Progress::default(),
                Action::Acknowledge
            )
            .is_err()
        );
    }

    /// LBU-25: a complaint is raised within 30 days of the incident; one after is still
    /// recorded, but is not simply worked: it is accepted late with a reason, or refused.
    #[test]
    fn lbu_25_a_complaint_after_thirty_days_is_accepted_late_or_refused() {
        let pack = pack("loughborough");
        let calendar = crate::calendar::Calendar::new(pack.nation);
        let incident = ms("2026-11-01T10:00:00Z");
        assert!(
            !complaint_is_late(incident, ms("2026-11-30T16:00:00Z"), &pack, &calendar)
                .expect("late?")
        );
        assert!(
            complaint_is_late(incident, ms("2026-12-02T09:00:00Z"), &pack, &calendar)
                .expect("late?")
        );
        // Bassetlaw's code sets no window: never late.
        assert!(
            !complaint_is_late(
                incident,
                ms("2027-06-01T09:00:00Z"),
                &self::pack("bassetlaw"),
                &calendar
            )
            .expect("late?")
        );
        let late = Progress {
            late_pending: true,
            ..Progress::default()
        };
        let err = transition(
            CaseKind::Complaint,
            CaseState::Received,
            late,
            Action::Start,
        )
        .expect_err("a late complaint is not simply started");
        assert!(
            err.to_string()
                .contains("accept it although it was raised late"),
            "{err}"
        );
        assert_eq!(
            transition(
                CaseKind::Complaint,
                CaseState::Received,
                late,
                Action::AcceptLate
            ),
            Ok(CaseState::InProgress)
        );
        assert_eq!(
            transition(
                CaseKind::Complaint,
                CaseState::Received,
                late,
                Action::Decide(Decision::Refuse)
            ),
            Ok(CaseState::Decided)
        );
        assert!(Action::AcceptLate.needs_reason());
        // In time, there is nothing to accept.
        assert!(
            transition(
                CaseKind::Complaint,
                CaseState::Received,
                Progress::default(),
                Action::AcceptLate
            )
            .is_err()
        );
    }

    /// LBU-25, BDC-21: an answered complaint can be appealed once; the appeal has its own
    /// clock from the day it came (the pack's answer rule where it gives no appeal rule:
    /// Loughborough's month), and ends with its outcome and a final close.
    #[test]
    fn lbu_25_an_appeal_has_its_own_clock_and_outcome() {
        let pack = pack("loughborough");
        let answered = Progress {
            acknowledged: true,
            ..Progress::default()
        };
        let k = CaseKind::Complaint;
        let mut s = CaseState::InProgress;
        for d in [
            Decision::Upheld,
            Decision::PartlyUpheld,
            Decision::NotUpheld,
        ] {
            assert!(d.needs_reasons(), "{d}");
            assert!(k.decisions().contains(&d));
        }
        assert!(!k.decisions().contains(&Decision::Answer));
        s = transition(k, s, answered, Action::Decide(Decision::NotUpheld)).expect("decide");
        s = transition(k, s, answered, Action::Close).expect("close");
        s = transition(k, s, answered, Action::Appeal).expect("appeal");
        assert_eq!(s, CaseState::Appealed);
        assert!(s.is_open());
        let appealed = Progress {
            appealed: true,
            ..answered
        };
        let t = CaseTimes {
            kind: k,
            state: s,
            received_unix_ms: ms("2026-10-01T09:00:00Z"),
            pauses: &[],
            progress: appealed,
            appealed_at_unix_ms: Some(ms("2027-01-15T09:00:00Z")),
            covert: None,
        };
        assert_eq!(
            next_due(&t, &pack, pack.nation),
            (Clock::Appeal, "2027-02-15".to_owned())
        );
        s = transition(
            k,
            s,
            appealed,
            Action::DecideAppeal(AppealOutcome::NotUpheld),
        )
        .expect("decide the appeal");
        assert_eq!(s, CaseState::AppealDecided);
        s = transition(k, s, appealed, Action::Close).expect("final close");
        assert!(
            transition(k, s, appealed, Action::Appeal).is_err(),
            "appealed once only"
        );
        assert!(
            transition(
                CaseKind::SubjectAccess,
                CaseState::Closed,
                Progress::default(),
                Action::Appeal
            )
            .is_err(),
            "only complaints are appealed"
        );
    }

    /// The steps read from forms and the console by name, with the decision or outcome.
    #[test]
    fn steps_are_read_by_name() {
        assert_eq!(
            Action::parse("decide", Some("partly-upheld")),
            Ok(Action::Decide(Decision::PartlyUpheld))
        );
        assert_eq!(
            Action::parse("decide-appeal", Some("upheld")),
            Ok(Action::DecideAppeal(AppealOutcome::Upheld))
        );
        assert_eq!(Action::parse("acknowledge", None), Ok(Action::Acknowledge));
        // What an action carries reads back as the same action.
        for a in [
            Action::Decide(Decision::PartlyUpheld),
            Action::DecideAppeal(AppealOutcome::NotUpheld),
            Action::AssessRisk(crate::breach::RiskLevel::HighRisk),
            Action::NotTellPeople(crate::breach::TellingException::Unintelligible),
            Action::Close,
        ] {
            assert_eq!(Action::parse(a.name(), a.choice()), Ok(a));
        }
        assert!(Action::parse("decide", None).is_err());
        assert!(Action::parse("dance", None).is_err());
    }

    /// ALT-18, UK GDPR Arts 33–34: a breach is assessed, then the ICO notified (or, only
    /// when a risk is unlikely, why not recorded); a high risk also needs the people told
    /// (or an exception) before it closes; it is never "decided".
    #[test]
    fn alt_18_a_breach_closes_only_once_the_ico_and_the_people_are_dealt_with() {
        use crate::breach::{RiskLevel, TellingException};
        let k = CaseKind::Breach;
        assert!(k.decisions().is_empty());
        let mut p = Progress::default();
        assert!(transition(k, CaseState::Received, p, Action::NotifyIco).is_err());
        let s = transition(
            k,
            CaseState::Received,
            p,
            Action::AssessRisk(RiskLevel::HighRisk),
        )
        .expect("assessed");
        p.risk = Some(RiskLevel::HighRisk);
        assert!(
            transition(k, s, p, Action::NotNotifyIco).is_err(),
            "a high risk is notified"
        );
        let s = transition(k, s, p, Action::NotifyIco).expect("notified");
        p.ico_decided = true;
        let err = transition(k, s, p, Action::Close).expect_err("people first");
        assert!(
            err.to_string()
                .contains("record that the people affected were told"),
            "{err}"
        );
        let s = transition(
            k,
            s,
            p,
            Action::NotTellPeople(TellingException::DisproportionateEffort),
        )
        .expect("exception");
        p.people_decided = true;
        assert_eq!(transition(k, s, p, Action::Close), Ok(CaseState::Closed));
        // Unlikely to result in a risk: not notified, with the reason, and closed.
        let q = Progress {
            risk: Some(RiskLevel::Unlikely),
            ..Progress::default()
        };
        let s = transition(k, CaseState::InProgress, q, Action::NotNotifyIco).expect("not");
        let q = Progress {
            ico_decided: true,
            ..q
        };
        assert_eq!(transition(k, s, q, Action::Close), Ok(CaseState::Closed));
        assert_eq!(
            Action::parse("assess-risk", Some("high-risk")),
            Ok(Action::AssessRisk(RiskLevel::HighRisk))
        );
    }

    /// LJM-11: only an FOI request converts to a subject access request.
    #[test]
    fn ljm_11_an_foi_request_for_ones_own_images_converts() {
        assert_eq!(
            transition(
                CaseKind::Foi,
                CaseState::Received,
                Progress::default(),
                Action::ConvertToSubjectAccess
            ),
            Ok(CaseState::Converted)
        );
        assert!(
            transition(
                CaseKind::Erasure,
                CaseState::Received,
                Progress::default(),
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

    /// BDC-16: a covert authorisation moves only by its own steps — a justice's approval
    /// (councils), reviews and renewals while in force, and cancellation, which alone ends
    /// it; it cannot be started, decided, withdrawn or closed, and no other kind takes its
    /// steps.
    #[test]
    fn bdc_16_a_covert_authorisation_moves_only_by_its_own_steps() {
        use CaseState::*;
        let k = CaseKind::Covert;
        let p = Progress::default();
        for a in [
            Action::Start,
            Action::Review,
            Action::Renew,
            Action::Withdraw,
            Action::Close,
        ] {
            assert!(transition(k, Received, p, a).is_err(), "{a:?}");
        }
        assert_eq!(
            transition(k, Received, p, Action::ApproveJudicially),
            Ok(InProgress)
        );
        assert_eq!(transition(k, InProgress, p, Action::Review), Ok(InProgress));
        assert_eq!(transition(k, InProgress, p, Action::Renew), Ok(InProgress));
        assert!(transition(k, InProgress, p, Action::ApproveJudicially).is_err());
        assert!(transition(k, InProgress, p, Action::Withdraw).is_err());
        assert_eq!(transition(k, Received, p, Action::Cancel), Ok(Closed));
        assert_eq!(transition(k, InProgress, p, Action::Cancel), Ok(Closed));
        assert!(allowed_actions(k, Closed, p).is_empty());
        assert_eq!(
            allowed_actions(k, InProgress, p),
            vec![Action::Review, Action::Renew, Action::Cancel]
        );
        for other in CaseKind::ALL.iter().filter(|x| **x != k) {
            for a in [
                Action::ApproveJudicially,
                Action::Review,
                Action::Renew,
                Action::Cancel,
            ] {
                for state in CaseState::ALL {
                    assert!(transition(*other, *state, p, a).is_err(), "{other} {a:?}");
                }
            }
        }
        assert_eq!(Action::parse("cancel", None), Ok(Action::Cancel));
        assert_eq!(CaseKind::Covert.prefix(), "COV");
        assert_eq!(
            "covert-authorisation".parse::<CaseKind>(),
            Ok(CaseKind::Covert)
        );
    }

    /// BDC-25: a police request to take control is agreed (its period starts), refused or
    /// withdrawn while it is asked for, and ends only by the hand-back; no other kind takes
    /// these steps.
    #[test]
    fn bdc_25_a_police_request_for_control_is_agreed_then_handed_back() {
        use CaseState::*;
        let k = CaseKind::PoliceControl;
        let p = Progress::default();
        assert_eq!(transition(k, Received, p, Action::Agree), Ok(InProgress));
        assert_eq!(transition(k, InProgress, p, Action::HandBack), Ok(Closed));
        assert_eq!(
            transition(k, Received, p, Action::Decide(Decision::Refuse)),
            Ok(Closed)
        );
        assert_eq!(transition(k, Received, p, Action::Withdraw), Ok(Withdrawn));
        for a in [
            Action::Start,
            Action::HandBack,
            Action::Close,
            Action::Cancel,
        ] {
            assert!(transition(k, Received, p, a).is_err(), "{a:?}");
        }
        assert!(transition(k, InProgress, p, Action::Withdraw).is_err());
        assert!(transition(k, InProgress, p, Action::Agree).is_err());
        assert!(allowed_actions(k, Closed, p).is_empty());
        assert_eq!(allowed_actions(k, InProgress, p), vec![Action::HandBack]);
        for other in CaseKind::ALL.iter().filter(|x| **x != k) {
            for a in [Action::Agree, Action::HandBack] {
                for state in CaseState::ALL {
                    assert!(transition(*other, *state, p, a).is_err(), "{other} {a:?}");
                }
            }
        }
        assert_eq!(Action::parse("hand-back", None), Ok(Action::HandBack));
        assert_eq!(k.prefix(), "POL");
        assert_eq!("police-control".parse::<CaseKind>(), Ok(k));
    }

    /// BDC-16: an open authorisation's deadline is its next review, or its expiry when no
    /// review falls before it; past expiry without renewal or cancellation it is overdue;
    /// awaiting a justice's approval it has none, and once cancelled it is finished.
    #[test]
    fn bdc_16_an_authorisations_deadline_is_its_next_review_or_its_expiry() {
        use crate::calendar::Due;
        use crate::covert::CovertStatus as S;
        let day = |t: &str| t.parse::<jiff::civil::Date>().expect("date");
        let expires = ms("2026-03-31T22:59:59.999Z");
        let pack = pack("bassetlaw");
        let calendar = crate::calendar::Calendar::new(crate::Nation::EnglandWales);
        let times = |covert| CaseTimes {
            kind: CaseKind::Covert,
            state: CaseState::InProgress,
            received_unix_ms: ms("2026-01-01T09:00:00Z"),
            pauses: &[],
            progress: Progress::default(),
            appealed_at_unix_ms: None,
            covert,
        };
        let review = S::InForce {
            expires_at_unix_ms: expires,
            next_review_on: Some(day("2026-01-29")),
        };
        assert_eq!(
            next_deadline(&times(Some(review)), &pack, &calendar),
            Ok((Clock::Review, CaseDue::Set(Due::Day(day("2026-01-29")))))
        );
        let expiry = |ms: i64| {
            CaseDue::Set(Due::Instant(
                jiff::Timestamp::from_millisecond(ms).expect("instant"),
            ))
        };
        let review_after_expiry = S::InForce {
            expires_at_unix_ms: expires,
            next_review_on: Some(day("2026-04-02")),
        };
        assert_eq!(
            next_deadline(&times(Some(review_after_expiry)), &pack, &calendar),
            Ok((Clock::Expiry, expiry(expires + 1)))
        );
        assert_eq!(
            next_deadline(
                &times(Some(S::ExpiredUnresolved {
                    expired_at_unix_ms: expires
                })),
                &pack,
                &calendar
            ),
            Ok((Clock::Expiry, expiry(expires + 1)))
        );
        assert_eq!(
            next_deadline(&times(Some(S::AwaitingApproval)), &pack, &calendar),
            Ok((Clock::Answer, CaseDue::NoRule))
        );
        let mut closed = times(Some(S::Cancelled {
            cancelled_at_unix_ms: expires - 1,
        }));
        closed.state = CaseState::Closed;
        assert_eq!(
            next_deadline(&closed, &pack, &calendar),
            Ok((Clock::Answer, CaseDue::Finished))
        );
    }
}
