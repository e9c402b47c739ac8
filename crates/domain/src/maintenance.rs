//! Faults and maintenance (LBU-16, BDC-19, ALT-15, SCC-8, BDC-18): each camera's scheduled
//! checks with their checklist, the faults the recorder finds and those people report, the
//! maintenance contractor called to a fault with when they responded and when it was fixed
//! against the times of the contract, and each camera's availability — the share of a
//! period it recorded.
//!
//! Invariants:
//! - A check gives a result for every item of the checklist ([`CheckItem::ALL`]: picture,
//!   time, focus, privacy masks, signage), each once, and says what is wrong with an item
//!   that fails; [`validate_check`] and [`validate_fault`] give every problem at once.
//! - Nothing recorded is edited: a correction is a new entry naming the detail, its value
//!   before and after, and why ([`Correction`]); a check or fault as it stands is the one
//!   recorded with its corrections applied in order ([`Check::current`], [`Fault::current`]).
//! - A contractor is called to an open fault once; they respond no earlier than the call;
//!   a fix is recorded once. Times are never in the future.
//! - Due and overdue follow one rule ([`urgency`]): red once the due time has passed, amber
//!   in the last quarter of the time allowed, as the cases dashboard shows a deadline near
//!   (amber) or passed (red). A camera's next check is due the pack's
//!   `[maintenance] check_every_days` after its last check (or after it entered service);
//!   the contractor's response and fix are due the pack's hours after the call, wall-clock
//!   hours like a deadline rule `hours:N`.
//! - Availability is the share of the time measured that is covered by recorded footage,
//!   the time measured starting no earlier than the camera entered service and no earlier
//!   than the oldest footage the retention period keeps ([`measured_from`]), so deleted
//!   footage is not counted as time not recorded.
//! - References are `CHK-YYYY-NNNN` for checks and `FLT-YYYY-NNNN` for faults, numbered in
//!   the UK year and never reused.
//!
//! Pure rules: no I/O. The store records, ledgers and loads (`custos_store::maintenance`).

use crate::Ident;
use crate::pdf::Block;
use crate::policy::Maintenance;

/// The prefix of a check's reference (`CHK-2026-0001`).
pub const CHECK_PREFIX: &str = "CHK";
/// The prefix of a fault's reference (`FLT-2026-0001`).
pub const FAULT_PREFIX: &str = "FLT";
/// The days over which the Maintenance page measures each camera's availability.
pub const AVAILABILITY_DAYS: i64 = 30;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 86_400_000;
/// A little slack for a clock on the keeper's computer that runs ahead.
const FUTURE_SLACK_MS: i64 = 5 * 60_000;
/// The longest text accepted in a note or description, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;

/// Whether `s` is a reference with `prefix`: `PREFIX-YYYY-NNNN`.
fn has_form(s: &str, prefix: &str) -> bool {
    let mut parts = s.split('-');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some(p), Some(y), Some(n), None)
            if p == prefix && y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit())
                && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
    )
}

/// Whether `s` has the form of a check's reference (`CHK-2026-0001`).
pub fn is_check_reference(s: &str) -> bool {
    has_form(s, CHECK_PREFIX)
}

/// Whether `s` has the form of a fault's reference (`FLT-2026-0001`).
pub fn is_fault_reference(s: &str) -> bool {
    has_form(s, FAULT_PREFIX)
}

fn when(ms: i64) -> String {
    custos_base::UnixMs(ms).to_london_display()
}

kebab_enum! {
    /// An item of a camera's scheduled check (LBU-15, LBU-16, BDC-26, BJS-7).
    CheckItem, "item of the checklist" {
        /// The picture is clear and shows what the camera is there for.
        Picture = "picture",
        /// The date and time on the recording are right (LBU-15, SCC-11).
        Time = "time",
        /// The picture is in focus.
        Focus = "focus",
        /// The privacy masks cover what they must (LBU-8, BDC-26).
        PrivacyMasks = "privacy-masks",
        /// The signs are in place and can be read (BJS-7, SCC-3).
        Signage = "signage",
    }
}

impl CheckItem {
    /// The item as a column is headed: "Privacy masks".
    pub fn describe(self) -> &'static str {
        match self {
            Self::Picture => "Picture",
            Self::Time => "Time",
            Self::Focus => "Focus",
            Self::PrivacyMasks => "Privacy masks",
            Self::Signage => "Signage",
        }
    }

    /// What the person checks, as the form asks it.
    pub fn question(self) -> &'static str {
        match self {
            Self::Picture => "The picture is clear and shows what the camera is there for",
            Self::Time => "The date and time on the recording are right",
            Self::Focus => "The picture is in focus, by day and by night",
            Self::PrivacyMasks => "The privacy masks cover the places the camera must not see",
            Self::Signage => "The signs about the cameras are in place and can be read",
        }
    }
}

/// One item's result in a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemResult {
    /// The item.
    pub item: CheckItem,
    /// Whether it passed.
    pub passed: bool,
    /// What was seen; required when it failed.
    pub note: String,
}

impl ItemResult {
    /// The result as stored and as a correction gives it: `pass`, `fail: NOTE`, or either
    /// with a note.
    pub fn value(&self) -> String {
        let word = if self.passed { "pass" } else { "fail" };
        if self.note.trim().is_empty() {
            word.to_owned()
        } else {
            format!("{word}: {}", self.note.trim())
        }
    }

    /// "Focus: fail — blurred at night".
    pub fn describe(&self) -> String {
        let word = if self.passed { "pass" } else { "fail" };
        if self.note.trim().is_empty() {
            format!("{}: {word}", self.item.describe())
        } else {
            format!("{}: {word} — {}", self.item.describe(), self.note.trim())
        }
    }
}

/// Reads an item's result as [`ItemResult::value`] writes it: `pass` or `fail`, then
/// optionally `: NOTE`.
pub fn parse_item_value(item: CheckItem, text: &str) -> Result<ItemResult, String> {
    let t = text.trim();
    let (word, note) = match t.split_once(':') {
        Some((w, n)) => (w.trim(), n.trim()),
        None => (t, ""),
    };
    let passed = match word.to_ascii_lowercase().as_str() {
        "pass" | "passed" => true,
        "fail" | "failed" => false,
        _ => {
            return Err(format!(
                "the {} result {t:?} is neither pass nor fail; write \"pass\" or \"fail: what is wrong\"",
                item.describe().to_lowercase()
            ));
        }
    };
    Ok(ItemResult {
        item,
        passed,
        note: note.to_owned(),
    })
}

/// A scheduled check of one camera, as the form gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckDraft {
    /// The camera checked.
    pub camera: Ident,
    /// When it was checked.
    pub checked_at_unix_ms: i64,
    /// A result for each item of the checklist.
    pub items: Vec<ItemResult>,
    /// Anything else worth noting.
    pub note: String,
}

impl CheckDraft {
    /// Whether every item passed.
    pub fn passed(&self) -> bool {
        self.items.iter().all(|r| r.passed)
    }

    /// The items that failed, in checklist order.
    pub fn failed(&self) -> Vec<&ItemResult> {
        CheckItem::ALL
            .iter()
            .filter_map(|i| self.result(*i))
            .filter(|r| !r.passed)
            .collect()
    }

    /// The result of `item`.
    pub fn result(&self, item: CheckItem) -> Option<&ItemResult> {
        self.items.iter().find(|r| r.item == item)
    }

    /// Every item's result in checklist order: "Picture: pass; Focus: fail — blurred".
    pub fn results_words(&self) -> String {
        CheckItem::ALL
            .iter()
            .filter_map(|i| self.result(*i))
            .map(ItemResult::describe)
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// What a fault reported because of this check says: the failed items and their notes.
    pub fn fault_description(&self) -> String {
        let failed: Vec<String> = self.failed().iter().map(|r| r.describe()).collect();
        format!("Failed its scheduled check: {}", failed.join("; "))
    }
}

fn time_problems(at: i64, what: &str, now_unix_ms: i64, problems: &mut Vec<String>) {
    if at <= 0 {
        problems.push(format!("give the time {what}"));
    } else if at > now_unix_ms + FUTURE_SLACK_MS {
        problems.push(format!(
            "the time {what} is in the future: record it when it has happened"
        ));
    }
}

fn text_problems(text: &str, min: usize, missing: &str, problems: &mut Vec<String>) {
    let n = text.trim().chars().count();
    if n < min {
        problems.push(missing.to_owned());
    } else if n > MAX_TEXT_CHARS {
        problems.push(format!(
            "{missing} in at most {MAX_TEXT_CHARS} characters (this is {n})"
        ));
    }
}

/// Every problem with `draft` at `now_unix_ms`, at once: a result for every item of the
/// checklist, each once, a note for each that failed, a time not in the future.
pub fn validate_check(draft: &CheckDraft, now_unix_ms: i64) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    time_problems(
        draft.checked_at_unix_ms,
        "the camera was checked",
        now_unix_ms,
        &mut problems,
    );
    for item in CheckItem::ALL {
        let given: Vec<&ItemResult> = draft.items.iter().filter(|r| r.item == *item).collect();
        match given.as_slice() {
            [] => problems.push(format!(
                "give the result of the {} check: pass or fail",
                item.describe().to_lowercase()
            )),
            [r] => {
                if !r.passed && r.note.trim().chars().count() < 3 {
                    problems.push(format!(
                        "say what is wrong with the {}",
                        item.describe().to_lowercase()
                    ));
                }
                if r.note.chars().count() > MAX_TEXT_CHARS {
                    problems.push(format!(
                        "the note on the {} is longer than {MAX_TEXT_CHARS} characters",
                        item.describe().to_lowercase()
                    ));
                }
            }
            _ => problems.push(format!(
                "the {} is given more than once: give one result for it",
                item.describe().to_lowercase()
            )),
        }
    }
    if draft.note.chars().count() > MAX_TEXT_CHARS {
        problems.push(format!(
            "the note is longer than {MAX_TEXT_CHARS} characters"
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

kebab_enum! {
    /// How a fault came to the log.
    Origin, "origin of a fault" {
        /// The recorder found the camera not recording for the pack's
        /// `recording.fault_after_minutes`.
        Recorder = "recorder",
        /// A person reported it (a failed check counts).
        Reported = "reported",
    }
}

impl Origin {
    /// "Fault found by the recorder", "Fault reported".
    pub fn describe(self) -> &'static str {
        match self {
            Self::Recorder => "Fault found by the recorder",
            Self::Reported => "Fault reported",
        }
    }
}

/// A fault as a person reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultDraft {
    /// The camera.
    pub camera: Ident,
    /// When the fault was noticed.
    pub noticed_at_unix_ms: i64,
    /// What is wrong.
    pub description: String,
}

/// Every problem with `draft` at `now_unix_ms`, at once.
pub fn validate_fault(draft: &FaultDraft, now_unix_ms: i64) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    time_problems(
        draft.noticed_at_unix_ms,
        "the fault was noticed",
        now_unix_ms,
        &mut problems,
    );
    text_problems(
        &draft.description,
        5,
        "say what is wrong with the camera",
        &mut problems,
    );
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// The contractor called to a fault, and their response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractorCall {
    /// The contractor's name.
    pub contractor: String,
    /// The contractor's reference for the job, if they gave one.
    pub job_reference: String,
    /// When they were called.
    pub called_at_unix_ms: i64,
    /// Who called them (their name).
    pub called_by: String,
    /// When they responded, once they have.
    pub responded_at_unix_ms: Option<i64>,
    /// What they said or did when they responded.
    pub response_note: String,
}

impl ContractorCall {
    /// "Ace Security (job 4411)".
    pub fn describe(&self) -> String {
        if self.job_reference.trim().is_empty() {
            self.contractor.clone()
        } else {
            format!("{} (job {})", self.contractor, self.job_reference.trim())
        }
    }
}

/// The fix of a fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// When it was fixed.
    pub at_unix_ms: i64,
    /// What was done.
    pub work_done: String,
    /// Whether the contractor fixed it (otherwise the scheme's own people did).
    pub by_contractor: bool,
    /// Who recorded the fix (their name).
    pub recorded_by: String,
}

/// A contractor called to a fault, as the form gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallDraft {
    /// The contractor's name.
    pub contractor: String,
    /// Their reference for the job, if any.
    pub job_reference: String,
    /// When they were called.
    pub called_at_unix_ms: i64,
}

/// A fault as recorded, with what has happened since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// `FLT-2026-0001`.
    pub reference: String,
    /// The camera.
    pub camera: Ident,
    /// The camera's name.
    pub camera_name: String,
    /// Found by the recorder or reported.
    pub origin: Origin,
    /// When it was noticed (for the recorder: since when the camera was down).
    pub noticed_at_unix_ms: i64,
    /// What is wrong.
    pub description: String,
    /// When it was entered in the log.
    pub opened_at_unix_ms: i64,
    /// The user name of who reported it (empty for the recorder).
    pub reported_by: String,
    /// Their name (empty for the recorder).
    pub reported_by_name: String,
    /// The check whose failure reported it, if any.
    pub check: Option<String>,
    /// The contractor called, once called.
    pub contractor: Option<ContractorCall>,
    /// The fix, once recorded.
    pub fix: Option<Fix>,
    /// When it closed: fixed, or (a fault the recorder found) recording again.
    pub closed_at_unix_ms: Option<i64>,
    /// The corrections, oldest first.
    pub corrections: Vec<Correction>,
}

/// How urgent something due is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    /// Not yet near.
    OnTime,
    /// In the last quarter of the time allowed (amber).
    Soon,
    /// Past (red).
    Overdue,
}

impl Urgency {
    /// The page's class for it, as the cases dashboard's: `""`, `"amber"`, `"red"`.
    pub fn class(self) -> &'static str {
        match self {
            Self::OnTime => "",
            Self::Soon => "amber",
            Self::Overdue => "red",
        }
    }

    /// In words beside a due time: `""`, `"due soon"`, `"overdue"`.
    pub fn words(self) -> &'static str {
        match self {
            Self::OnTime => "",
            Self::Soon => "due soon",
            Self::Overdue => "overdue",
        }
    }
}

/// How urgent something due at `due_unix_ms`, allowed from `from_unix_ms`, is at
/// `now_unix_ms`: overdue once due, soon in the last quarter of the time allowed.
pub fn urgency(from_unix_ms: i64, due_unix_ms: i64, now_unix_ms: i64) -> Urgency {
    if now_unix_ms >= due_unix_ms {
        Urgency::Overdue
    } else if now_unix_ms >= due_unix_ms - (due_unix_ms - from_unix_ms).max(0) / 4 {
        Urgency::Soon
    } else {
        Urgency::OnTime
    }
}

/// Where something due stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Not done yet: due at the instant, with its urgency now.
    Waiting {
        /// When it is due.
        due_unix_ms: i64,
        /// How urgent it is now.
        urgency: Urgency,
    },
    /// Done at the instant; late if after it was due.
    Done {
        /// When it was due.
        due_unix_ms: i64,
        /// When it was done.
        at_unix_ms: i64,
    },
}

impl Standing {
    fn of(from: i64, due: i64, done: Option<i64>, now: i64) -> Self {
        match done {
            Some(at) => Self::Done {
                due_unix_ms: due,
                at_unix_ms: at,
            },
            None => Self::Waiting {
                due_unix_ms: due,
                urgency: urgency(from, due, now),
            },
        }
    }

    /// When it is (or was) due.
    pub fn due_unix_ms(self) -> i64 {
        match self {
            Self::Waiting { due_unix_ms, .. } | Self::Done { due_unix_ms, .. } => due_unix_ms,
        }
    }

    /// How urgent it is now: done is never urgent.
    pub fn urgency(self) -> Urgency {
        match self {
            Self::Waiting { urgency, .. } => urgency,
            Self::Done { .. } => Urgency::OnTime,
        }
    }

    /// Whether it was done after it was due.
    pub fn late(self) -> bool {
        matches!(self, Self::Done { due_unix_ms, at_unix_ms } if at_unix_ms > due_unix_ms)
    }

    /// "due 2026-11-23 09:30 GMT (overdue)", "done 2026-11-23 09:00 GMT, in time".
    pub fn describe(self) -> String {
        match self {
            Self::Waiting {
                due_unix_ms,
                urgency,
            } => match urgency.words() {
                "" => format!("due {}", when(due_unix_ms)),
                w => format!("due {} ({w})", when(due_unix_ms)),
            },
            Self::Done {
                due_unix_ms,
                at_unix_ms,
            } => format!(
                "{}, {}",
                when(at_unix_ms),
                if at_unix_ms > due_unix_ms {
                    "late"
                } else {
                    "in time"
                }
            ),
        }
    }
}

/// The contractor's response and fix against the contract's times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContractorState {
    /// The response, due the pack's response hours after the call.
    pub response: Standing,
    /// The fix, due the pack's fix hours after the call.
    pub fix: Standing,
}

impl ContractorState {
    /// The more urgent of the two.
    pub fn urgency(&self) -> Urgency {
        self.response.urgency().max(self.fix.urgency())
    }
}

impl Fault {
    /// The fault as it stands: as recorded, with each correction applied in order.
    pub fn current(&self) -> Fault {
        let mut f = self.clone();
        for c in &self.corrections {
            if let Ok(next) = fault_with(&f, c.field, &c.after) {
                f = next;
            }
        }
        f
    }

    /// Whether it is still open.
    pub fn is_open(&self) -> bool {
        self.closed_at_unix_ms.is_none()
    }

    /// The contractor's response and fix against the times in `m`, at `now_unix_ms`, once
    /// a contractor is called. A fix by the contractor is their response too when no
    /// response was recorded first. A fault closed without a fix (the recorder saw the
    /// camera record again) waits for nothing more.
    pub fn contractor_state(&self, m: &Maintenance, now_unix_ms: i64) -> Option<ContractorState> {
        let f = self.current();
        let call = f.contractor.as_ref()?;
        let called = call.called_at_unix_ms;
        let fixed = f.fix.as_ref().map(|x| x.at_unix_ms);
        let by_contractor = f
            .fix
            .as_ref()
            .filter(|x| x.by_contractor)
            .map(|x| x.at_unix_ms);
        // Closed by the recorder: nothing is awaited any more; what was not done stays
        // not done, and is not counted as late.
        let ended = f.closed_at_unix_ms.filter(|_| f.fix.is_none());
        let response_due = called + i64::from(m.contractor_response_hours) * HOUR_MS;
        let fix_due = called + i64::from(m.contractor_fix_hours) * HOUR_MS;
        let settle = |due: i64, done: Option<i64>| match (done, ended) {
            (None, Some(_)) => Standing::Waiting {
                due_unix_ms: due,
                urgency: Urgency::OnTime,
            },
            _ => Standing::of(called, due, done, now_unix_ms),
        };
        Some(ContractorState {
            response: settle(response_due, call.responded_at_unix_ms.or(by_contractor)),
            fix: settle(fix_due, fixed),
        })
    }

    /// How urgent the fault is at `now_unix_ms`: the contractor's response or fix, once
    /// called, while open.
    pub fn urgency(&self, m: &Maintenance, now_unix_ms: i64) -> Urgency {
        self.contractor_state(m, now_unix_ms)
            .map_or(Urgency::OnTime, |s| s.urgency())
    }

    /// "Open", "Fixed 2026-11-23 09:00 GMT", "Recording again 2026-11-23 09:00 GMT".
    pub fn state_words(&self) -> String {
        let f = self.current();
        match (&f.fix, f.closed_at_unix_ms) {
            (Some(x), _) => format!("Fixed {}", when(x.at_unix_ms)),
            (None, Some(at)) => format!("Recording again {}", when(at)),
            (None, None) => "Open".to_owned(),
        }
    }

    /// The fault's row of the log, in [`COLUMNS`] order, with the contractor's times
    /// against `m` at `now_unix_ms`.
    pub fn row(&self, m: &Maintenance, now_unix_ms: i64) -> Vec<String> {
        let f = self.current();
        let state = self.contractor_state(m, now_unix_ms);
        let call = f.contractor.as_ref();
        let due_words = |s: Option<Standing>| match s {
            Some(s) => match s.urgency().words() {
                "" => when(s.due_unix_ms()),
                w => format!("{} ({w})", when(s.due_unix_ms())),
            },
            None => String::new(),
        };
        let done_words = |s: Option<Standing>| match s {
            Some(s @ Standing::Done { .. }) => s.describe(),
            _ => String::new(),
        };
        let mut responded = done_words(state.map(|s| s.response));
        if let Some(c) = call
            && !c.response_note.trim().is_empty()
        {
            responded = format!("{responded}: {}", c.response_note.trim());
        }
        vec![
            f.reference.clone(),
            f.origin.describe().to_owned(),
            f.camera_name.clone(),
            when(f.noticed_at_unix_ms),
            if f.origin == Origin::Recorder {
                "Custos (recorder)".to_owned()
            } else {
                f.reported_by_name.clone()
            },
            match &f.check {
                Some(c) => format!("{} (check {c})", f.description),
                None => f.description.clone(),
            },
            self.state_words(),
            call.map(ContractorCall::describe).unwrap_or_default(),
            call.map(|c| when(c.called_at_unix_ms)).unwrap_or_default(),
            due_words(state.map(|s| s.response)),
            responded,
            due_words(state.map(|s| s.fix)),
            done_words(state.map(|s| s.fix)),
            f.fix
                .as_ref()
                .map(|x| {
                    format!(
                        "{}{}",
                        x.work_done,
                        if x.by_contractor {
                            " (by the contractor)"
                        } else {
                            " (by our own staff)"
                        }
                    )
                })
                .unwrap_or_default(),
            corrections_words(&f.corrections),
        ]
    }
}

/// Checks that contractor `call` may be recorded for fault `f` at `now_unix_ms`.
pub fn check_call(f: &Fault, call: &CallDraft, now_unix_ms: i64) -> Result<(), Vec<String>> {
    let f = f.current();
    let mut problems = Vec::new();
    if let Some(c) = &f.contractor {
        problems.push(format!(
            "{} was called to {} on {}; correct the call rather than record it again",
            c.contractor,
            f.reference,
            when(c.called_at_unix_ms)
        ));
    }
    if !f.is_open() {
        problems.push(format!(
            "{} is closed ({}): there is nothing to call a contractor to",
            f.reference,
            f.state_words().to_lowercase()
        ));
    }
    text_problems(
        &call.contractor,
        2,
        "give the contractor's name",
        &mut problems,
    );
    time_problems(
        call.called_at_unix_ms,
        "the contractor was called",
        now_unix_ms,
        &mut problems,
    );
    if call.called_at_unix_ms > 0 && call.called_at_unix_ms < f.noticed_at_unix_ms {
        problems.push(format!(
            "the contractor was called before the fault was noticed ({})",
            when(f.noticed_at_unix_ms)
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Checks that the contractor's response to fault `f` at `at_unix_ms` may be recorded at
/// `now_unix_ms`.
pub fn check_response(f: &Fault, at_unix_ms: i64, now_unix_ms: i64) -> Result<(), String> {
    let f = f.current();
    let Some(c) = &f.contractor else {
        return Err(format!(
            "no contractor has been called to {}: record the call first",
            f.reference
        ));
    };
    if let Some(t) = c.responded_at_unix_ms {
        return Err(format!(
            "{} responded to {} on {}; correct the time rather than record it again",
            c.contractor,
            f.reference,
            when(t)
        ));
    }
    if at_unix_ms < c.called_at_unix_ms {
        return Err(format!(
            "the response is before the call ({})",
            when(c.called_at_unix_ms)
        ));
    }
    if at_unix_ms > now_unix_ms + FUTURE_SLACK_MS {
        return Err(
            "the response is in the future: record it when the contractor has responded".to_owned(),
        );
    }
    Ok(())
}

/// Checks that the fix of fault `f` at `at_unix_ms`, with `work_done`, may be recorded at
/// `now_unix_ms`.
pub fn check_fix(
    f: &Fault,
    at_unix_ms: i64,
    work_done: &str,
    now_unix_ms: i64,
) -> Result<(), Vec<String>> {
    let f = f.current();
    let mut problems = Vec::new();
    if let Some(x) = &f.fix {
        problems.push(format!(
            "{} was fixed on {}; correct the fix rather than record it again",
            f.reference,
            when(x.at_unix_ms)
        ));
    }
    text_problems(work_done, 3, "say what was done to fix it", &mut problems);
    time_problems(at_unix_ms, "it was fixed", now_unix_ms, &mut problems);
    if at_unix_ms > 0 && at_unix_ms < f.noticed_at_unix_ms {
        problems.push(format!(
            "the fix is before the fault was noticed ({})",
            when(f.noticed_at_unix_ms)
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

kebab_enum! {
    /// A detail of a check or a fault a correction changes.
    Field, "detail of a check or fault" {
        /// When the camera was checked.
        CheckedAt = "checked-at",
        /// The picture's result.
        Picture = "picture",
        /// The time's result.
        Time = "time",
        /// The focus's result.
        Focus = "focus",
        /// The privacy masks' result.
        PrivacyMasks = "privacy-masks",
        /// The signage's result.
        Signage = "signage",
        /// The check's note.
        Note = "note",
        /// When the fault was noticed.
        NoticedAt = "noticed-at",
        /// What is wrong.
        Description = "description",
        /// The contractor's name.
        Contractor = "contractor",
        /// Their job reference.
        JobReference = "job-reference",
        /// When they were called.
        CalledAt = "called-at",
        /// When they responded.
        RespondedAt = "responded-at",
        /// What they said or did.
        ResponseNote = "response-note",
        /// When it was fixed.
        FixedAt = "fixed-at",
        /// What was done.
        WorkDone = "work-done",
    }
}

impl Field {
    /// The fields of a check.
    pub const CHECK: [Field; 7] = [
        Field::CheckedAt,
        Field::Picture,
        Field::Time,
        Field::Focus,
        Field::PrivacyMasks,
        Field::Signage,
        Field::Note,
    ];
    /// The fields of a fault.
    pub const FAULT: [Field; 9] = [
        Field::NoticedAt,
        Field::Description,
        Field::Contractor,
        Field::JobReference,
        Field::CalledAt,
        Field::RespondedAt,
        Field::ResponseNote,
        Field::FixedAt,
        Field::WorkDone,
    ];

    /// In words: "Called at".
    pub fn describe(self) -> &'static str {
        match self {
            Self::CheckedAt => "Time checked",
            Self::Picture => "Picture",
            Self::Time => "Time",
            Self::Focus => "Focus",
            Self::PrivacyMasks => "Privacy masks",
            Self::Signage => "Signage",
            Self::Note => "Note",
            Self::NoticedAt => "Time noticed",
            Self::Description => "What is wrong",
            Self::Contractor => "Contractor",
            Self::JobReference => "Contractor's job reference",
            Self::CalledAt => "Time the contractor was called",
            Self::RespondedAt => "Time the contractor responded",
            Self::ResponseNote => "Contractor's response",
            Self::FixedAt => "Time fixed",
            Self::WorkDone => "Work done",
        }
    }

    /// Whether the value is a time (milliseconds since 1970 as text).
    pub fn is_time(self) -> bool {
        matches!(
            self,
            Self::CheckedAt | Self::NoticedAt | Self::CalledAt | Self::RespondedAt | Self::FixedAt
        )
    }

    /// The checklist item this field is, if it is one.
    pub fn item(self) -> Option<CheckItem> {
        match self {
            Self::Picture => Some(CheckItem::Picture),
            Self::Time => Some(CheckItem::Time),
            Self::Focus => Some(CheckItem::Focus),
            Self::PrivacyMasks => Some(CheckItem::PrivacyMasks),
            Self::Signage => Some(CheckItem::Signage),
            _ => None,
        }
    }

    /// A stored value in words (a time in UK time).
    pub fn value_words(self, value: &str) -> String {
        if self.is_time() {
            match value.parse::<i64>() {
                Ok(ms) => when(ms),
                Err(_) => "none".to_owned(),
            }
        } else {
            value.to_owned()
        }
    }
}

/// A correction as asked for: the detail, its new value (a time as milliseconds, an item's
/// result as `pass` or `fail: NOTE`), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrectionDraft {
    /// The detail corrected.
    pub field: Field,
    /// Its new value.
    pub value: String,
    /// Why.
    pub reason: String,
}

/// A correction as recorded: a new entry naming the check or fault it corrects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// The detail corrected.
    pub field: Field,
    /// Its value before.
    pub before: String,
    /// Its value after.
    pub after: String,
    /// Why.
    pub reason: String,
    /// Who corrected it (their name).
    pub by: String,
    /// When.
    pub at_unix_ms: i64,
}

impl Correction {
    /// "Focus corrected from “pass” to “fail: blurred” by Sam on …: looked again".
    pub fn describe(&self) -> String {
        format!(
            "{} corrected from “{}” to “{}” by {} on {}: {}",
            self.field.describe(),
            self.field.value_words(&self.before),
            self.field.value_words(&self.after),
            self.by,
            when(self.at_unix_ms),
            self.reason
        )
    }
}

fn corrections_words(cs: &[Correction]) -> String {
    cs.iter()
        .map(Correction::describe)
        .collect::<Vec<_>>()
        .join("; ")
}

fn parse_time(field: Field, value: &str) -> Result<i64, String> {
    value
        .trim()
        .parse::<i64>()
        .map_err(|_| format!("{} must be a time", field.describe().to_lowercase()))
}

/// A check's field's value, as stored.
fn check_value(d: &CheckDraft, field: Field) -> Option<String> {
    match field {
        Field::CheckedAt => Some(d.checked_at_unix_ms.to_string()),
        Field::Note => Some(d.note.clone()),
        f => f
            .item()
            .map(|i| d.result(i).map(ItemResult::value).unwrap_or_default()),
    }
}

/// `d` with `field` set to `value`, or why it cannot be.
fn check_with(d: &CheckDraft, field: Field, value: &str) -> Result<CheckDraft, String> {
    let mut d = d.clone();
    match field {
        Field::CheckedAt => d.checked_at_unix_ms = parse_time(field, value)?,
        Field::Note => value.trim().clone_into(&mut d.note),
        f => {
            let Some(item) = f.item() else {
                return Err(format!(
                    "{} is a detail of a fault, not of a check",
                    f.describe().to_lowercase()
                ));
            };
            let r = parse_item_value(item, value)?;
            d.items.retain(|x| x.item != item);
            d.items.push(r);
        }
    }
    Ok(d)
}

/// A fault's field's value, as stored; `None` when it has not been recorded yet.
fn fault_value(f: &Fault, field: Field) -> Option<String> {
    let call = f.contractor.as_ref();
    match field {
        Field::NoticedAt => Some(f.noticed_at_unix_ms.to_string()),
        Field::Description => Some(f.description.clone()),
        Field::Contractor => call.map(|c| c.contractor.clone()),
        Field::JobReference => call.map(|c| c.job_reference.clone()),
        Field::CalledAt => call.map(|c| c.called_at_unix_ms.to_string()),
        Field::RespondedAt => call.and_then(|c| c.responded_at_unix_ms.map(|t| t.to_string())),
        Field::ResponseNote => call
            .filter(|c| c.responded_at_unix_ms.is_some())
            .map(|c| c.response_note.clone()),
        Field::FixedAt => f.fix.as_ref().map(|x| x.at_unix_ms.to_string()),
        Field::WorkDone => f.fix.as_ref().map(|x| x.work_done.clone()),
        _ => None,
    }
}

/// `f` with `field` set to `value`, or why it cannot be.
fn fault_with(f: &Fault, field: Field, value: &str) -> Result<Fault, String> {
    let mut f = f.clone();
    let v = value.trim().to_owned();
    let missing =
        |what: &str| format!("{what} has not been recorded yet: record it rather than correct it");
    match field {
        Field::NoticedAt => f.noticed_at_unix_ms = parse_time(field, &v)?,
        Field::Description => f.description = v,
        Field::FixedAt | Field::WorkDone => {
            let Some(x) = f.fix.as_mut() else {
                return Err(missing("the fix"));
            };
            if field == Field::FixedAt {
                x.at_unix_ms = parse_time(field, &v)?;
            } else {
                x.work_done = v;
            }
        }
        Field::Contractor
        | Field::JobReference
        | Field::CalledAt
        | Field::RespondedAt
        | Field::ResponseNote => {
            let Some(c) = f.contractor.as_mut() else {
                return Err(missing("the contractor's call"));
            };
            match field {
                Field::Contractor => c.contractor = v,
                Field::JobReference => c.job_reference = v,
                Field::CalledAt => c.called_at_unix_ms = parse_time(field, &v)?,
                Field::RespondedAt if c.responded_at_unix_ms.is_none() => {
                    return Err(missing("the contractor's response"));
                }
                Field::RespondedAt => c.responded_at_unix_ms = Some(parse_time(field, &v)?),
                _ if c.responded_at_unix_ms.is_none() => {
                    return Err(missing("the contractor's response"));
                }
                _ => c.response_note = v,
            }
        }
        other => {
            return Err(format!(
                "{} is a detail of a check, not of a fault",
                other.describe().to_lowercase()
            ));
        }
    }
    Ok(f)
}

fn reason_problems(c: &CorrectionDraft, what: &str, problems: &mut Vec<String>) {
    if c.reason.trim().chars().count() < 5 {
        problems.push(format!("say why the {what} is corrected"));
    }
}

/// Checks correction `c` of a check standing as `current` at `now_unix_ms`: a reason, a
/// value that changes something, and the check still whole after it. Returns the value
/// before, as stored.
pub fn check_check_correction(
    current: &CheckDraft,
    c: &CorrectionDraft,
    now_unix_ms: i64,
) -> Result<String, Vec<String>> {
    let mut problems = Vec::new();
    reason_problems(c, "check", &mut problems);
    let before = check_value(current, c.field).unwrap_or_default();
    match check_with(current, c.field, &c.value) {
        Err(e) => problems.push(e),
        Ok(after) => {
            if check_value(&after, c.field).unwrap_or_default() == before {
                problems.push(format!(
                    "{} is already “{}”: nothing to correct",
                    c.field.describe(),
                    c.field.value_words(&before)
                ));
            }
            if let Err(p) = validate_check(&after, now_unix_ms) {
                problems.extend(p);
            }
        }
    }
    if problems.is_empty() {
        Ok(before)
    } else {
        Err(problems)
    }
}

/// Checks correction `c` of fault `f` (as recorded, its corrections applied here) at
/// `now_unix_ms`: a reason, a detail already recorded, a value that changes it, and times
/// still in order. Returns the value before, as stored.
pub fn check_fault_correction(
    f: &Fault,
    c: &CorrectionDraft,
    now_unix_ms: i64,
) -> Result<String, Vec<String>> {
    let current = f.current();
    let mut problems = Vec::new();
    reason_problems(c, "fault", &mut problems);
    let before = fault_value(&current, c.field).unwrap_or_default();
    match fault_with(&current, c.field, &c.value) {
        Err(e) => problems.push(e),
        Ok(after) => {
            if fault_value(&after, c.field).unwrap_or_default() == before {
                problems.push(format!(
                    "{} is already “{}”: nothing to correct",
                    c.field.describe(),
                    c.field.value_words(&before)
                ));
            }
            let mut times = Vec::new();
            time_problems(
                after.noticed_at_unix_ms,
                "the fault was noticed",
                now_unix_ms,
                &mut times,
            );
            if let Some(call) = &after.contractor {
                text_problems(
                    &call.contractor,
                    2,
                    "give the contractor's name",
                    &mut times,
                );
                time_problems(
                    call.called_at_unix_ms,
                    "the contractor was called",
                    now_unix_ms,
                    &mut times,
                );
                if call.called_at_unix_ms < after.noticed_at_unix_ms {
                    times.push("the contractor was called before the fault was noticed".into());
                }
                if let Some(r) = call.responded_at_unix_ms {
                    time_problems(r, "the contractor responded", now_unix_ms, &mut times);
                    if r < call.called_at_unix_ms {
                        times.push("the response is before the call".into());
                    }
                }
            }
            if let Some(x) = &after.fix {
                time_problems(x.at_unix_ms, "it was fixed", now_unix_ms, &mut times);
                text_problems(&x.work_done, 3, "say what was done to fix it", &mut times);
                if x.at_unix_ms < after.noticed_at_unix_ms {
                    times.push("the fix is before the fault was noticed".into());
                }
            }
            text_problems(
                &after.description,
                5,
                "say what is wrong with the camera",
                &mut times,
            );
            problems.extend(times);
        }
    }
    if problems.is_empty() {
        Ok(before)
    } else {
        Err(problems)
    }
}

/// A scheduled check as recorded, with its corrections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// `CHK-2026-0001`.
    pub reference: String,
    /// The camera's name.
    pub camera_name: String,
    /// The check as recorded (before any correction).
    pub recorded: CheckDraft,
    /// The user name of who recorded it.
    pub recorded_by: String,
    /// Their name.
    pub recorded_by_name: String,
    /// When it was entered in the log.
    pub recorded_at_unix_ms: i64,
    /// The fault its failure reported, if any.
    pub fault: Option<String>,
    /// The corrections, oldest first.
    pub corrections: Vec<Correction>,
}

impl Check {
    /// The check as it stands: as recorded, with each correction applied in order.
    pub fn current(&self) -> CheckDraft {
        let mut d = self.recorded.clone();
        for c in &self.corrections {
            if let Ok(next) = check_with(&d, c.field, &c.after) {
                d = next;
            }
        }
        d
    }

    /// "Passed", or "Failed: Focus, Signage".
    pub fn result_words(&self) -> String {
        let d = self.current();
        let failed: Vec<&str> = d.failed().iter().map(|r| r.item.describe()).collect();
        if failed.is_empty() {
            "Passed".to_owned()
        } else {
            format!("Failed: {}", failed.join(", "))
        }
    }

    /// The check's row of the log, in [`COLUMNS`] order.
    pub fn row(&self) -> Vec<String> {
        let d = self.current();
        let mut details = d.results_words();
        if !d.note.trim().is_empty() {
            details = format!("{details}. Note: {}", d.note.trim());
        }
        let mut result = self.result_words();
        if let Some(f) = &self.fault {
            result = format!("{result} (fault {f})");
        }
        let mut row = vec![
            self.reference.clone(),
            "Routine check".to_owned(),
            self.camera_name.clone(),
            when(d.checked_at_unix_ms),
            self.recorded_by_name.clone(),
            details,
            result,
        ];
        row.extend(std::iter::repeat_n(String::new(), 7));
        row.push(corrections_words(&self.corrections));
        row
    }
}

/// When a camera's next check is due, and how it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckDue {
    /// When it was last checked, if ever.
    pub last_checked_unix_ms: Option<i64>,
    /// When the next check is due.
    pub due_unix_ms: i64,
    /// How urgent it is now.
    pub urgency: Urgency,
}

/// A camera's next check, checked every `every_days` days, last at `last_checked_unix_ms`
/// (or never, counted from when it entered service, `in_service_since_unix_ms`), at
/// `now_unix_ms`.
pub fn check_due(
    last_checked_unix_ms: Option<i64>,
    in_service_since_unix_ms: i64,
    every_days: u32,
    now_unix_ms: i64,
) -> CheckDue {
    let from = last_checked_unix_ms.unwrap_or(in_service_since_unix_ms);
    let due = from + i64::from(every_days) * DAY_MS;
    CheckDue {
        last_checked_unix_ms,
        due_unix_ms: due,
        urgency: urgency(from, due, now_unix_ms),
    }
}

/// Where a camera's availability is measured from: the latest of the window's start, the
/// time the camera entered service and the oldest time whose footage the retention period
/// still keeps.
pub fn measured_from(
    window_from_unix_ms: i64,
    in_service_since_unix_ms: i64,
    kept_since_unix_ms: i64,
) -> i64 {
    window_from_unix_ms
        .max(in_service_since_unix_ms)
        .max(kept_since_unix_ms)
}

/// A camera's availability over a period: how much of it is covered by recorded footage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Availability {
    /// The start of the time measured.
    pub from_unix_ms: i64,
    /// Its end.
    pub to_unix_ms: i64,
    /// How much of it has footage, in milliseconds.
    pub recorded_ms: i64,
}

impl Availability {
    /// The length of the time measured.
    pub fn period_ms(&self) -> i64 {
        (self.to_unix_ms - self.from_unix_ms).max(0)
    }

    /// The share recorded, in tenths of a percent (0–1000), rounded down; `None` when no
    /// time was measured.
    pub fn per_mille(&self) -> Option<u32> {
        let period = self.period_ms();
        if period == 0 {
            return None;
        }
        let recorded = self.recorded_ms.clamp(0, period);
        u32::try_from(i128::from(recorded) * 1000 / i128::from(period)).ok()
    }

    /// "99.5%", or "not measured".
    pub fn percent_words(&self) -> String {
        match self.per_mille() {
            Some(p) => format!("{}.{}%", p / 10, p % 10),
            None => "not measured".to_owned(),
        }
    }
}

/// The columns of the faults and maintenance log (LBU-16, BDC-19, BDC-18), in the CSV and
/// the PDF: routine checks and breakdowns, with the contractor's response.
pub const COLUMNS: [&str; 15] = [
    "Reference",
    "Type",
    "Camera",
    "When",
    "Recorded by",
    "Details",
    "Result",
    "Contractor",
    "Contractor called",
    "Response due",
    "Responded",
    "Fix due",
    "Fixed",
    "Work done",
    "Corrections",
];

/// The log's rows, checks and faults together in order of when they happened: checks by
/// their time, faults by when they were noticed.
pub fn rows(
    checks: &[Check],
    faults: &[Fault],
    m: &Maintenance,
    now_unix_ms: i64,
) -> Vec<Vec<String>> {
    let mut all: Vec<(i64, Vec<String>)> = checks
        .iter()
        .map(|c| (c.current().checked_at_unix_ms, c.row()))
        .chain(
            faults
                .iter()
                .map(|f| (f.current().noticed_at_unix_ms, f.row(m, now_unix_ms))),
        )
        .collect();
    all.sort_by(|a, b| (a.0, &a.1[0]).cmp(&(b.0, &b.1[0])));
    all.into_iter().map(|(_, r)| r).collect()
}

/// The log as a CSV file: [`COLUMNS`], then one row per check or fault.
pub fn csv(checks: &[Check], faults: &[Fault], m: &Maintenance, now_unix_ms: i64) -> String {
    crate::csvfile::document(&COLUMNS, rows(checks, faults, m, now_unix_ms))
}

/// The log as a PDF: a title, how often cameras are checked and the contractor's times,
/// then each check and fault as a block of lines under its reference, every column named.
pub fn pdf(
    scheme: &str,
    checks: &[Check],
    faults: &[Fault],
    m: &Maintenance,
    created: jiff::Timestamp,
) -> Vec<u8> {
    let title = format!("Faults and maintenance — {scheme}");
    let rows = rows(checks, faults, m, created.as_millisecond());
    let mut blocks = vec![
        Block::Heading(title.clone()),
        Block::Paragraph(format!(
            "The faults and maintenance log: each camera's scheduled checks (picture, time, focus, privacy masks, signage), the faults the recorder found and those people reported, and the maintenance contractor's response. Each camera is checked every {} days; the contractor responds within {} and fixes a fault within {} of being called. {} checks and {} faults.",
            m.check_every_days,
            m.response_rule().describe(),
            m.fix_rule().describe(),
            checks.len(),
            faults.len()
        )),
    ];
    for row in rows {
        blocks.push(Block::Heading(row[0].clone()));
        for (col, value) in COLUMNS.iter().zip(row.iter()).skip(1) {
            if value.is_empty() {
                continue;
            }
            blocks.push(Block::Line(format!("{col}: {value}")));
        }
        blocks.push(Block::Space);
    }
    crate::pdf::render(&title, &blocks, created)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_000_000_000;

    fn cam() -> Ident {
        Ident::parse("front-gate").expect("id")
    }

    fn all_pass() -> Vec<ItemResult> {
        CheckItem::ALL
            .iter()
            .map(|i| ItemResult {
                item: *i,
                passed: true,
                note: String::new(),
            })
            .collect()
    }

    fn draft() -> CheckDraft {
        CheckDraft {
            camera: cam(),
            checked_at_unix_ms: NOW - HOUR_MS,
            items: all_pass(),
            note: String::new(),
        }
    }

    fn fault() -> Fault {
        Fault {
            reference: "FLT-2026-0001".to_owned(),
            camera: cam(),
            camera_name: "Front gate".to_owned(),
            origin: Origin::Reported,
            noticed_at_unix_ms: NOW - 10 * HOUR_MS,
            description: "Picture blurred at night".to_owned(),
            opened_at_unix_ms: NOW - 10 * HOUR_MS,
            reported_by: "op".to_owned(),
            reported_by_name: "Olive Operator".to_owned(),
            check: None,
            contractor: None,
            fix: None,
            closed_at_unix_ms: None,
            corrections: Vec::new(),
        }
    }

    fn called(at: i64) -> ContractorCall {
        ContractorCall {
            contractor: "Ace Security".to_owned(),
            job_reference: "4411".to_owned(),
            called_at_unix_ms: at,
            called_by: "Olive Operator".to_owned(),
            responded_at_unix_ms: None,
            response_note: String::new(),
        }
    }

    const PACK: Maintenance = Maintenance {
        check_every_days: 7,
        contractor_response_hours: 4,
        contractor_fix_hours: 24,
    };

    /// ALT-15: a check gives every item of the checklist once, and says what is wrong with
    /// each that fails; every problem is reported at once.
    #[test]
    fn alt_15_a_check_covers_the_whole_checklist() {
        assert_eq!(validate_check(&draft(), NOW), Ok(()));
        let mut d = draft();
        d.items.retain(|r| r.item != CheckItem::Signage);
        d.items.push(ItemResult {
            item: CheckItem::Picture,
            passed: true,
            note: String::new(),
        });
        if let Some(r) = d.items.iter_mut().find(|r| r.item == CheckItem::Focus) {
            r.passed = false;
        }
        d.checked_at_unix_ms = NOW + DAY_MS;
        let p = validate_check(&d, NOW).expect_err("problems");
        assert_eq!(p.len(), 4, "{p:?}");
        for want in [
            "future",
            "signage check",
            "picture is given more",
            "wrong with the focus",
        ] {
            assert!(p.iter().any(|x| x.contains(want)), "{want}: {p:?}");
        }
    }

    #[test]
    fn item_values_read_back_as_written() {
        let r = parse_item_value(CheckItem::Focus, "fail: blurred at night").expect("read");
        assert!(!r.passed);
        assert_eq!(r.note, "blurred at night");
        assert_eq!(r.value(), "fail: blurred at night");
        assert_eq!(r.describe(), "Focus: fail — blurred at night");
        assert!(
            parse_item_value(CheckItem::Focus, "PASS")
                .expect("pass")
                .passed
        );
        assert!(parse_item_value(CheckItem::Focus, "maybe").is_err());
    }

    /// LBU-16: a camera is due its check the pack's days after the last one (or after it
    /// entered service), amber in the last quarter of the interval, red once past.
    #[test]
    fn lbu_16_a_check_is_due_every_interval_amber_then_red() {
        let last = NOW - 3 * DAY_MS;
        let due = check_due(Some(last), 0, 7, NOW);
        assert_eq!(due.due_unix_ms, last + 7 * DAY_MS);
        assert_eq!(due.urgency, Urgency::OnTime);
        assert_eq!(
            check_due(Some(NOW - 6 * DAY_MS), 0, 7, NOW).urgency,
            Urgency::Soon
        );
        assert_eq!(
            check_due(Some(NOW - 7 * DAY_MS), 0, 7, NOW).urgency,
            Urgency::Overdue
        );
        let never = check_due(None, NOW - 8 * DAY_MS, 7, NOW);
        assert_eq!(never.urgency, Urgency::Overdue);
        assert_eq!(never.last_checked_unix_ms, None);
        assert_eq!(Urgency::Overdue.class(), "red");
        assert_eq!(Urgency::Soon.class(), "amber");
    }

    /// BDC-19: once called, the contractor's response is due the pack's response hours
    /// later and the fix its fix hours later: amber in the last quarter, red once past,
    /// and once done, in time or late.
    #[test]
    fn bdc_19_the_contractors_response_and_fix_are_held_to_the_contracts_times() {
        let mut f = fault();
        assert_eq!(f.contractor_state(&PACK, NOW), None);
        let at = NOW - 2 * HOUR_MS;
        f.contractor = Some(called(at));
        let s = f.contractor_state(&PACK, NOW).expect("called");
        assert_eq!(
            s.response,
            Standing::Waiting {
                due_unix_ms: at + 4 * HOUR_MS,
                urgency: Urgency::OnTime
            }
        );
        assert_eq!(f.urgency(&PACK, at + 3 * HOUR_MS + 1), Urgency::Soon);
        assert_eq!(f.urgency(&PACK, at + 4 * HOUR_MS), Urgency::Overdue);
        // Responded late; the fix is then what is awaited.
        if let Some(c) = f.contractor.as_mut() {
            c.responded_at_unix_ms = Some(at + 5 * HOUR_MS);
        }
        let s = f.contractor_state(&PACK, at + 6 * HOUR_MS).expect("state");
        assert!(s.response.late());
        assert_eq!(s.fix.urgency(), Urgency::OnTime);
        assert_eq!(s.urgency(), Urgency::OnTime);
        assert_eq!(f.urgency(&PACK, at + 25 * HOUR_MS), Urgency::Overdue);
        f.fix = Some(Fix {
            at_unix_ms: at + 20 * HOUR_MS,
            work_done: "Refocused the lens".to_owned(),
            by_contractor: true,
            recorded_by: "Olive Operator".to_owned(),
        });
        f.closed_at_unix_ms = Some(at + 20 * HOUR_MS);
        let s = f.contractor_state(&PACK, at + 30 * HOUR_MS).expect("state");
        assert!(!s.fix.late());
        assert_eq!(s.urgency(), Urgency::OnTime);
        let row = f.row(&PACK, at + 30 * HOUR_MS);
        assert_eq!(row.len(), COLUMNS.len());
        assert!(row[10].contains("late"), "{row:?}");
        assert!(row[12].contains("in time"), "{row:?}");
        assert_eq!(row[7], "Ace Security (job 4411)");
    }

    #[test]
    fn a_fix_by_the_contractor_is_their_response_and_a_cleared_fault_awaits_nothing() {
        let mut f = fault();
        let at = NOW - 30 * HOUR_MS;
        f.contractor = Some(called(at));
        f.fix = Some(Fix {
            at_unix_ms: at + 2 * HOUR_MS,
            work_done: "Replaced the cable".to_owned(),
            by_contractor: true,
            recorded_by: "Olive".to_owned(),
        });
        let s = f.contractor_state(&PACK, NOW).expect("state");
        assert!(
            matches!(s.response, Standing::Done { at_unix_ms, .. } if at_unix_ms == at + 2 * HOUR_MS)
        );
        let mut g = fault();
        g.origin = Origin::Recorder;
        g.contractor = Some(called(at));
        g.closed_at_unix_ms = Some(at + HOUR_MS);
        assert_eq!(g.urgency(&PACK, NOW), Urgency::OnTime);
        assert!(g.state_words().starts_with("Recording again"));
    }

    #[test]
    fn contractor_steps_are_checked() {
        let mut f = fault();
        assert!(check_response(&f, NOW, NOW).is_err(), "not called");
        let call = CallDraft {
            contractor: String::new(),
            job_reference: String::new(),
            called_at_unix_ms: NOW - 20 * HOUR_MS,
        };
        let p = check_call(&f, &call, NOW).expect_err("problems");
        assert_eq!(p.len(), 2, "{p:?}");
        f.contractor = Some(called(NOW - HOUR_MS));
        assert!(
            check_call(
                &f,
                &CallDraft {
                    contractor: "Other".to_owned(),
                    ..call
                },
                NOW
            )
            .is_err()
        );
        assert!(
            check_response(&f, NOW - 2 * HOUR_MS, NOW).is_err(),
            "before the call"
        );
        assert!(check_response(&f, NOW, NOW).is_ok());
        assert!(check_fix(&f, NOW, "", NOW).is_err());
        assert!(check_fix(&f, NOW, "Refocused", NOW).is_ok());
    }

    /// SCC-8, BDC-18: a correction is a new entry applied over what was recorded; the check
    /// as recorded stays, and a correction that changes nothing or has no reason is refused.
    #[test]
    fn scc_8_corrections_apply_in_order_over_what_was_recorded() {
        let d = draft();
        let c = CorrectionDraft {
            field: Field::Focus,
            value: "fail: blurred at night".to_owned(),
            reason: "looked again after dark".to_owned(),
        };
        let before = check_check_correction(&d, &c, NOW).expect("ok");
        assert_eq!(before, "pass");
        let mut check = Check {
            reference: "CHK-2026-0001".to_owned(),
            camera_name: "Front gate".to_owned(),
            recorded: d.clone(),
            recorded_by: "op".to_owned(),
            recorded_by_name: "Olive Operator".to_owned(),
            recorded_at_unix_ms: NOW,
            fault: None,
            corrections: Vec::new(),
        };
        assert_eq!(check.result_words(), "Passed");
        check.corrections.push(Correction {
            field: c.field,
            before,
            after: c.value.clone(),
            reason: c.reason.clone(),
            by: "Sam".to_owned(),
            at_unix_ms: NOW,
        });
        assert_eq!(check.result_words(), "Failed: Focus");
        assert!(check.recorded.passed());
        let row = check.row();
        assert_eq!(row.len(), COLUMNS.len());
        assert!(row[14].contains("looked again after dark"), "{row:?}");
        let same = CorrectionDraft {
            field: Field::Focus,
            value: "fail: blurred at night".to_owned(),
            reason: "x".to_owned(),
        };
        let p = check_check_correction(&check.current(), &same, NOW).expect_err("nothing");
        assert_eq!(p.len(), 2, "{p:?}");
        // A fault's response cannot be corrected before it is recorded.
        let mut f = fault();
        f.contractor = Some(called(NOW - HOUR_MS));
        let p = check_fault_correction(
            &f,
            &CorrectionDraft {
                field: Field::RespondedAt,
                value: NOW.to_string(),
                reason: "wrong time typed".to_owned(),
            },
            NOW,
        )
        .expect_err("no response yet");
        assert!(p[0].contains("record it rather than correct it"), "{p:?}");
        let before = check_fault_correction(
            &f,
            &CorrectionDraft {
                field: Field::Contractor,
                value: "Best Cameras Ltd".to_owned(),
                reason: "the other contractor came".to_owned(),
            },
            NOW,
        )
        .expect("ok");
        assert_eq!(before, "Ace Security");
        assert!(
            check_fault_correction(
                &f,
                &CorrectionDraft {
                    field: Field::Focus,
                    value: "pass".to_owned(),
                    reason: "not a fault's detail".to_owned(),
                },
                NOW
            )
            .is_err()
        );
    }

    #[test]
    fn availability_is_the_share_recorded_of_the_time_measured() {
        let a = Availability {
            from_unix_ms: 0,
            to_unix_ms: 1000 * 60_000,
            recorded_ms: 995 * 60_000,
        };
        assert_eq!(a.per_mille(), Some(995));
        assert_eq!(a.percent_words(), "99.5%");
        let none = Availability {
            from_unix_ms: 10,
            to_unix_ms: 10,
            recorded_ms: 0,
        };
        assert_eq!(none.per_mille(), None);
        assert_eq!(measured_from(100, 50, 200), 200);
        assert_eq!(measured_from(100, 150, 20), 150);
    }

    #[test]
    fn references_have_their_form() {
        assert!(is_check_reference("CHK-2026-0001"));
        assert!(is_fault_reference("FLT-2026-0012"));
        assert!(!is_fault_reference("CHK-2026-0001"));
        assert!(!is_check_reference("CHK-26-1"));
    }

    #[test]
    fn the_log_interleaves_checks_and_faults_by_time_under_its_columns() {
        let check = Check {
            reference: "CHK-2026-0001".to_owned(),
            camera_name: "Front gate".to_owned(),
            recorded: draft(),
            recorded_by: "op".to_owned(),
            recorded_by_name: "Olive Operator".to_owned(),
            recorded_at_unix_ms: NOW,
            fault: None,
            corrections: Vec::new(),
        };
        let text = csv(&[check], &[fault()], &PACK, NOW);
        assert!(text.starts_with(&COLUMNS.join(",")), "{text}");
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[1].starts_with("FLT-2026-0001"), "{text}");
        assert!(lines[2].starts_with("CHK-2026-0001"), "{text}");
    }
}
