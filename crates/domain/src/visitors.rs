//! The control-room visitors' log (LBU-12, BDC-23, BDC-7, BDC-18): who visited, from where,
//! why, who authorised the visit, when they came in and went out, how they accepted the
//! confidentiality undertaking, and the supervisor's countersignature.
//!
//! Invariants:
//! - A visit is recorded only when every detail the codes name is there and its undertaking
//!   is accepted: on the operator's screen (the visitor ticks the pack's text and types
//!   their own name under it; the SHA-256 of the text they saw is kept with the time) or on
//!   paper (a scanned signed copy is kept as an encrypted document). [`validate`] gives
//!   every problem at once.
//! - A visit is never edited: a correction is a new entry that names the visit it corrects,
//!   the detail, its value before and after, and why ([`Correction`]); the visit as it
//!   stands is the visit as recorded with its corrections applied in order ([`Visit::current`]).
//! - A visitor leaves after they came in, never before, and not in the future.
//! - The end of the shift (BDC-18's countersignature): a visit not countersigned within
//!   [`COUNTERSIGN_WITHIN_HOURS`] hours of the visitor's entry is overdue
//!   ([`Visit::overdue`]). Control rooms here work shifts of at most twelve hours, and the
//!   packs hold no shift times, so twelve hours after entry is always at or after the end of
//!   the shift in which the visit began.
//! - References are `VIS-YYYY-NNNN`, numbered in the UK year of entry and never reused.
//!
//! Pure rules: no I/O. The store records, ledgers and loads (`custos_store::visitors`).

use sha2::{Digest, Sha256};

use crate::pdf::Block;

/// The prefix of a visit's reference (`VIS-2026-0001`).
pub const PREFIX: &str = "VIS";

/// A visit not countersigned this many hours after the visitor came in is overdue: the
/// shift in which it began has ended.
pub const COUNTERSIGN_WITHIN_HOURS: i64 = 12;

const HOUR_MS: i64 = 3_600_000;

/// A little slack for a clock on the operator's computer that runs ahead.
const FUTURE_SLACK_MS: i64 = 5 * 60_000;

/// Whether `s` has the form of a visit's reference: `VIS-` then a year and a number.
pub fn is_reference(s: &str) -> bool {
    let mut parts = s.split('-');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some(PREFIX), Some(y), Some(n), None)
            if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit())
                && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
    )
}

kebab_enum! {
    /// How the visitor accepted the confidentiality undertaking (BDC-7).
    AcceptedHow, "way of accepting the undertaking" {
        /// On the operator's screen: ticked, with the visitor's name typed under it.
        OnScreen = "on-screen",
        /// On paper, signed; a scan is kept with the visit.
        OnPaper = "on-paper",
    }
}

impl AcceptedHow {
    /// In words: "on screen", "on paper".
    pub fn describe(self) -> &'static str {
        match self {
            Self::OnScreen => "on screen",
            Self::OnPaper => "on paper",
        }
    }
}

/// Who authorised a visit: a person's name and their role (LBU-12: "the person who granted
/// authorisation").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Authoriser {
    /// Their name.
    pub name: String,
    /// Their role or post, as they hold it ("Control room supervisor").
    pub role: String,
}

impl Authoriser {
    /// "NAME (ROLE)".
    pub fn describe(&self) -> String {
        if self.role.trim().is_empty() {
            self.name.clone()
        } else {
            format!("{} ({})", self.name, self.role)
        }
    }
}

/// The details of a visit that a correction may change.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Details {
    /// The visitor's name.
    pub name: String,
    /// The organisation or department they represent.
    pub organisation: String,
    /// Why they visit.
    pub purpose: String,
    /// Who authorised the visit.
    pub authorised_by: Authoriser,
    /// When they came in.
    pub entered_at_unix_ms: i64,
    /// When they went out, once they have.
    pub left_at_unix_ms: Option<i64>,
}

/// How the undertaking was accepted, as the arrival form gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UndertakingDraft {
    /// On screen: whether the visitor ticked the box under the text, and the name they typed.
    OnScreen {
        /// The box under the undertaking is ticked.
        ticked: bool,
        /// The name the visitor typed under it.
        typed_name: String,
    },
    /// On paper: whether a scan of the signed copy comes with the arrival.
    OnPaper {
        /// A non-empty scan is attached.
        scan_attached: bool,
    },
}

impl UndertakingDraft {
    /// How it is accepted.
    pub fn how(&self) -> AcceptedHow {
        match self {
            Self::OnScreen { .. } => AcceptedHow::OnScreen,
            Self::OnPaper { .. } => AcceptedHow::OnPaper,
        }
    }
}

/// A visit as the arrival form gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitDraft {
    /// The visit's details.
    pub details: Details,
    /// How the undertaking is accepted.
    pub undertaking: UndertakingDraft,
}

/// Names compared as people write them: case and runs of spaces do not matter.
fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
            .join(" ")
    };
    norm(a) == norm(b)
}

/// Every problem with `d` at `now_unix_ms`.
fn detail_problems(d: &Details, now_unix_ms: i64) -> Vec<String> {
    let mut problems = Vec::new();
    if d.name.trim().chars().count() < 2 {
        problems.push("give the visitor's name".to_owned());
    }
    if d.organisation.trim().chars().count() < 2 {
        problems.push("give the organisation or department the visitor represents".to_owned());
    }
    if d.purpose.trim().chars().count() < 3 {
        problems.push("say why the visitor is here".to_owned());
    }
    if d.authorised_by.name.trim().chars().count() < 2 {
        problems.push("give the name of the person who authorised the visit".to_owned());
    }
    if d.authorised_by.role.trim().chars().count() < 2 {
        problems.push("give the role of the person who authorised the visit".to_owned());
    }
    if d.entered_at_unix_ms <= 0 {
        problems.push("give the time the visitor came in".to_owned());
    } else if d.entered_at_unix_ms > now_unix_ms + FUTURE_SLACK_MS {
        problems
            .push("the time in is in the future: record a visitor when they come in".to_owned());
    }
    if let Some(left) = d.left_at_unix_ms {
        if left < d.entered_at_unix_ms {
            problems.push("the time out is before the time in".to_owned());
        }
        if left > now_unix_ms + FUTURE_SLACK_MS {
            problems.push(
                "the time out is in the future: record it when the visitor leaves".to_owned(),
            );
        }
    }
    problems
}

/// Every problem with `draft` at `now_unix_ms`, at once: the details the codes name, times
/// in order and not in the future, and the undertaking accepted.
pub fn validate(draft: &VisitDraft, now_unix_ms: i64) -> Result<(), Vec<String>> {
    let mut problems = detail_problems(&draft.details, now_unix_ms);
    match &draft.undertaking {
        UndertakingDraft::OnScreen { ticked, typed_name } => {
            if !ticked {
                problems.push(
                    "the visitor has not accepted the confidentiality undertaking: they tick the box under it, or sign it on paper"
                        .to_owned(),
                );
            }
            if typed_name.trim().is_empty() {
                problems.push("the visitor types their name under the undertaking".to_owned());
            } else if !same_name(typed_name, &draft.details.name) {
                problems.push(
                    "the name typed under the undertaking is not the visitor's name as given"
                        .to_owned(),
                );
            }
        }
        UndertakingDraft::OnPaper { scan_attached } => {
            if !scan_attached {
                problems.push(
                    "attach the scan of the undertaking the visitor signed on paper".to_owned(),
                );
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// The SHA-256 of an undertaking's text, in hex, as kept with a visit accepted on screen:
/// which words the visitor accepted.
pub fn undertaking_sha256(text: &str) -> String {
    crate::ledger::to_hex(&Sha256::digest(text.trim().as_bytes()))
}

/// How a visit's undertaking was accepted, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptance {
    /// On screen or on paper.
    pub how: AcceptedHow,
    /// When.
    pub at_unix_ms: i64,
    /// The SHA-256 of the undertaking's text.
    pub text_sha256: String,
    /// The name typed under it (on screen).
    pub typed_name: Option<String>,
    /// The SHA-256 of the scan of the signed copy (on paper).
    pub scan_sha256: Option<String>,
}

impl Acceptance {
    /// "on screen, 2026-11-23 09:30 GMT".
    pub fn describe(&self) -> String {
        format!(
            "{}, {}",
            self.how.describe(),
            custos_base::UnixMs(self.at_unix_ms).to_london_display()
        )
    }
}

kebab_enum! {
    /// A detail of a visit a correction changes.
    Field, "detail of a visit" {
        /// The visitor's name.
        Name = "name",
        /// Their organisation or department.
        Organisation = "organisation",
        /// Why they visited.
        Purpose = "purpose",
        /// The name of who authorised it.
        AuthorisedBy = "authorised-by",
        /// The role of who authorised it.
        AuthoriserRole = "authoriser-role",
        /// When they came in.
        TimeIn = "time-in",
        /// When they went out.
        TimeOut = "time-out",
    }
}

impl Field {
    /// In words, as a column is headed: "Time in".
    pub fn describe(self) -> &'static str {
        match self {
            Self::Name => "Name",
            Self::Organisation => "Organisation or department",
            Self::Purpose => "Purpose",
            Self::AuthorisedBy => "Authorised by",
            Self::AuthoriserRole => "Authoriser's role",
            Self::TimeIn => "Time in",
            Self::TimeOut => "Time out",
        }
    }

    /// Whether the field is a time (its value is milliseconds since 1970 as text).
    pub fn is_time(self) -> bool {
        matches!(self, Self::TimeIn | Self::TimeOut)
    }

    /// The field's value in `d`, as stored (times as milliseconds); empty for no time out.
    pub fn value_in(self, d: &Details) -> String {
        match self {
            Self::Name => d.name.clone(),
            Self::Organisation => d.organisation.clone(),
            Self::Purpose => d.purpose.clone(),
            Self::AuthorisedBy => d.authorised_by.name.clone(),
            Self::AuthoriserRole => d.authorised_by.role.clone(),
            Self::TimeIn => d.entered_at_unix_ms.to_string(),
            Self::TimeOut => d.left_at_unix_ms.map(|t| t.to_string()).unwrap_or_default(),
        }
    }

    /// A stored value in words (a time in UK time).
    pub fn value_words(self, value: &str) -> String {
        if self.is_time() {
            match value.parse::<i64>() {
                Ok(ms) => custos_base::UnixMs(ms).to_london_display(),
                Err(_) => "none".to_owned(),
            }
        } else {
            value.to_owned()
        }
    }
}

/// A correction as asked for: the detail, its new value (a time as milliseconds), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrectionDraft {
    /// The detail corrected.
    pub field: Field,
    /// Its new value.
    pub value: String,
    /// Why it is corrected.
    pub reason: String,
}

/// A correction as recorded: a new entry naming the visit it corrects.
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
    /// "Time in 09:30 → 09:40 (Jo Bloggs, 2026-11-23 10:00 GMT: typed the wrong time)".
    pub fn describe(&self) -> String {
        format!(
            "{} corrected from “{}” to “{}” by {} on {}: {}",
            self.field.describe(),
            self.field.value_words(&self.before),
            self.field.value_words(&self.after),
            self.by,
            custos_base::UnixMs(self.at_unix_ms).to_london_display(),
            self.reason
        )
    }
}

/// `d` with `field` set to `value` (a time as milliseconds), or why the value cannot be.
fn with_value(d: &Details, field: Field, value: &str) -> Result<Details, String> {
    let mut d = d.clone();
    let v = value.trim().to_owned();
    let time = || {
        v.parse::<i64>()
            .map_err(|_| format!("{} must be a time", field.describe().to_lowercase()))
    };
    match field {
        Field::Name => d.name = v,
        Field::Organisation => d.organisation = v,
        Field::Purpose => d.purpose = v,
        Field::AuthorisedBy => d.authorised_by.name = v,
        Field::AuthoriserRole => d.authorised_by.role = v,
        Field::TimeIn => d.entered_at_unix_ms = time()?,
        Field::TimeOut => d.left_at_unix_ms = Some(time()?),
    }
    Ok(d)
}

/// Checks correction `c` of a visit standing as `current` at `now_unix_ms`: a reason, a
/// value that changes something, and the visit still whole after it. Returns the value
/// before, as stored, and the details after.
pub fn check_correction(
    current: &Details,
    c: &CorrectionDraft,
    now_unix_ms: i64,
) -> Result<(String, Details), Vec<String>> {
    let mut problems = Vec::new();
    if c.reason.trim().chars().count() < 5 {
        problems.push("say why the visit is corrected".to_owned());
    }
    if c.field == Field::TimeOut && current.left_at_unix_ms.is_none() {
        problems.push(
            "the visitor has not left yet: record when they leave rather than correct it"
                .to_owned(),
        );
    }
    let before = c.field.value_in(current);
    match with_value(current, c.field, &c.value) {
        Err(e) => problems.push(e),
        Ok(after) => {
            if c.field.value_in(&after) == before {
                problems.push(format!(
                    "{} is already “{}”: nothing to correct",
                    c.field.describe(),
                    c.field.value_words(&before)
                ));
            }
            problems.extend(detail_problems(&after, now_unix_ms));
            if problems.is_empty() {
                return Ok((before, after));
            }
        }
    }
    Err(problems)
}

/// Checks that a visitor who came in at `entered_at_unix_ms` leaves at `left_at_unix_ms`,
/// at `now_unix_ms`.
pub fn check_exit(
    entered_at_unix_ms: i64,
    left_at_unix_ms: i64,
    now_unix_ms: i64,
) -> Result<(), String> {
    if left_at_unix_ms < entered_at_unix_ms {
        Err("the time out is before the time the visitor came in".to_owned())
    } else if left_at_unix_ms > now_unix_ms + FUTURE_SLACK_MS {
        Err("the time out is in the future: record it when the visitor leaves".to_owned())
    } else {
        Ok(())
    }
}

/// A supervisor's countersignature of a visit's authorisation (BDC-18).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Countersignature {
    /// Who countersigned (their name).
    pub by: String,
    /// The pack role they countersigned in.
    pub role: String,
    /// When.
    pub at_unix_ms: i64,
}

/// A visit as recorded, with what has happened since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    /// `VIS-2026-0001`.
    pub reference: String,
    /// The details as recorded at arrival (before any correction).
    pub recorded: Details,
    /// How the undertaking was accepted.
    pub acceptance: Acceptance,
    /// The user name of who recorded the arrival (who may not countersign it).
    pub recorded_by: String,
    /// Their name, for people.
    pub recorded_by_name: String,
    /// When the visitor's exit was recorded as a step (not a correction).
    pub left: Option<i64>,
    /// The countersignature, once given.
    pub countersigned: Option<Countersignature>,
    /// The corrections, oldest first.
    pub corrections: Vec<Correction>,
}

impl Visit {
    /// The details as they stand: as recorded, with the exit and each correction applied
    /// in order.
    pub fn current(&self) -> Details {
        let mut d = self.recorded.clone();
        if self.left.is_some() {
            d.left_at_unix_ms = self.left;
        }
        for c in &self.corrections {
            if let Ok(next) = with_value(&d, c.field, &c.after) {
                d = next;
            }
        }
        d
    }

    /// Whether the visitor is still in the room.
    pub fn in_room(&self) -> bool {
        self.current().left_at_unix_ms.is_none()
    }

    /// When the countersignature is due: the end of the shift in which the visit began.
    pub fn countersign_due(&self) -> i64 {
        self.current().entered_at_unix_ms + COUNTERSIGN_WITHIN_HOURS * HOUR_MS
    }

    /// Whether, at `now_unix_ms`, the visit waits for a countersignature past the end of
    /// the shift.
    pub fn overdue(&self, now_unix_ms: i64) -> bool {
        self.countersigned.is_none() && now_unix_ms >= self.countersign_due()
    }

    /// The visit's row of the CSV and the PDF, in [`COLUMNS`] order.
    pub fn row(&self) -> Vec<String> {
        let d = self.current();
        let time = |ms: i64| {
            custos_base::UnixMs(ms)
                .to_timestamp()
                .and_then(|t| {
                    crate::calendar::uk_time_zone()
                        .ok()
                        .map(|tz| t.to_zoned(tz).strftime("%H:%M").to_string())
                })
                .unwrap_or_default()
        };
        let date = custos_base::UnixMs(d.entered_at_unix_ms)
            .to_timestamp()
            .and_then(|t| crate::calendar::uk_day(t).ok())
            .map(|d| d.to_string())
            .unwrap_or_default();
        vec![
            self.reference.clone(),
            date,
            d.name.clone(),
            d.organisation.clone(),
            d.purpose.clone(),
            d.authorised_by.describe(),
            time(d.entered_at_unix_ms),
            d.left_at_unix_ms.map(time).unwrap_or_default(),
            self.acceptance.describe(),
            self.countersigned
                .as_ref()
                .map(|c| format!("{} ({})", c.by, crate::role::role_words(&c.role)))
                .unwrap_or_default(),
            self.countersigned
                .as_ref()
                .map(|c| custos_base::UnixMs(c.at_unix_ms).to_london_display())
                .unwrap_or_default(),
            self.corrections
                .iter()
                .map(Correction::describe)
                .collect::<Vec<_>>()
                .join("; "),
        ]
    }
}

/// The columns of the visitors' log (LBU-12, BDC-23, BDC-18), in the CSV and the PDF.
pub const COLUMNS: [&str; 12] = [
    "Reference",
    "Date",
    "Name",
    "Organisation or department",
    "Purpose",
    "Authorised by",
    "Time in",
    "Time out",
    "Undertaking accepted",
    "Countersigned by",
    "Countersigned at",
    "Corrections",
];

/// The log as a CSV file: [`COLUMNS`], then one row per visit.
pub fn csv(visits: &[Visit]) -> String {
    crate::csvfile::document(&COLUMNS, visits.iter().map(Visit::row))
}

/// The log as a PDF: a title, the undertaking's text, then each visit as a block of lines
/// under its reference, every column named.
pub fn pdf(scheme: &str, undertaking: &str, visits: &[Visit], created: jiff::Timestamp) -> Vec<u8> {
    let title = format!("Control-room visitors — {scheme}");
    let mut blocks = vec![
        Block::Heading(title.clone()),
        Block::Paragraph(format!(
            "The visitors' log: every visit to the control room, with who authorised it, the times in and out, the visitor's acceptance of the confidentiality undertaking and the supervisor's countersignature. {} visits.",
            visits.len()
        )),
        Block::Heading("The undertaking visitors accept".to_owned()),
        Block::Paragraph(undertaking.to_owned()),
    ];
    for v in visits {
        let row = v.row();
        blocks.push(Block::Heading(v.reference.clone()));
        for (col, value) in COLUMNS.iter().zip(row.iter()).skip(1) {
            let value = if value.is_empty() { "—" } else { value };
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

    fn draft() -> VisitDraft {
        VisitDraft {
            details: Details {
                name: "Ann Other".to_owned(),
                organisation: "Nottinghamshire Police".to_owned(),
                purpose: "Liaison visit".to_owned(),
                authorised_by: Authoriser {
                    name: "Sam Super".to_owned(),
                    role: "Supervisor".to_owned(),
                },
                entered_at_unix_ms: NOW - HOUR_MS,
                left_at_unix_ms: None,
            },
            undertaking: UndertakingDraft::OnScreen {
                ticked: true,
                typed_name: "ann  other".to_owned(),
            },
        }
    }

    fn visit(d: &VisitDraft) -> Visit {
        Visit {
            reference: "VIS-2026-0001".to_owned(),
            recorded: d.details.clone(),
            acceptance: Acceptance {
                how: AcceptedHow::OnScreen,
                at_unix_ms: d.details.entered_at_unix_ms,
                text_sha256: undertaking_sha256("text"),
                typed_name: Some("Ann Other".to_owned()),
                scan_sha256: None,
            },
            recorded_by: "op".to_owned(),
            recorded_by_name: "Op".to_owned(),
            left: None,
            countersigned: None,
            corrections: Vec::new(),
        }
    }

    #[test]
    fn a_whole_visit_is_valid() {
        assert_eq!(validate(&draft(), NOW), Ok(()));
    }

    #[test]
    fn every_problem_at_once() {
        let d = VisitDraft {
            details: Details {
                entered_at_unix_ms: NOW + 10 * HOUR_MS,
                left_at_unix_ms: Some(NOW),
                ..Details::default()
            },
            undertaking: UndertakingDraft::OnScreen {
                ticked: false,
                typed_name: String::new(),
            },
        };
        let p = validate(&d, NOW).expect_err("problems");
        assert_eq!(p.len(), 9, "{p:?}");
        assert!(p.iter().any(|p| p.contains("before the time in")), "{p:?}");
        assert!(p.iter().any(|p| p.contains("not accepted")), "{p:?}");
    }

    #[test]
    fn the_typed_name_is_the_visitors_and_paper_needs_a_scan() {
        let mut d = draft();
        d.undertaking = UndertakingDraft::OnScreen {
            ticked: true,
            typed_name: "Someone Else".to_owned(),
        };
        assert!(validate(&d, NOW).is_err());
        d.undertaking = UndertakingDraft::OnPaper {
            scan_attached: false,
        };
        assert!(validate(&d, NOW).expect_err("scan")[0].contains("scan"));
        d.undertaking = UndertakingDraft::OnPaper {
            scan_attached: true,
        };
        assert_eq!(validate(&d, NOW), Ok(()));
    }

    #[test]
    fn references_have_their_form() {
        assert!(is_reference("VIS-2026-0001"));
        assert!(!is_reference("SAR-2026-0001"));
        assert!(!is_reference("VIS-26-0001"));
        assert!(!is_reference("VIS-2026-"));
    }

    #[test]
    fn overdue_twelve_hours_after_entry_until_countersigned() {
        let mut v = visit(&draft());
        let entered = v.recorded.entered_at_unix_ms;
        assert!(!v.overdue(entered + 12 * HOUR_MS - 1));
        assert!(v.overdue(entered + 12 * HOUR_MS));
        v.countersigned = Some(Countersignature {
            by: "Sam".to_owned(),
            role: "supervisor".to_owned(),
            at_unix_ms: entered + 13 * HOUR_MS,
        });
        assert!(!v.overdue(entered + 20 * HOUR_MS));
    }

    #[test]
    fn corrections_apply_in_order_and_are_checked() {
        let mut v = visit(&draft());
        let cur = v.current();
        let bad = CorrectionDraft {
            field: Field::TimeOut,
            value: (NOW - 2 * HOUR_MS).to_string(),
            reason: "x".to_owned(),
        };
        let p = check_correction(&cur, &bad, NOW).expect_err("problems");
        assert_eq!(p.len(), 3, "{p:?}");
        v.left = Some(NOW - HOUR_MS / 2);
        let c = CorrectionDraft {
            field: Field::Organisation,
            value: "Bassetlaw District Council".to_owned(),
            reason: "wrong organisation written".to_owned(),
        };
        let (before, after) = check_correction(&v.current(), &c, NOW).expect("ok");
        assert_eq!(before, "Nottinghamshire Police");
        assert_eq!(after.organisation, "Bassetlaw District Council");
        v.corrections.push(Correction {
            field: c.field,
            before,
            after: c.value.clone(),
            reason: c.reason.clone(),
            by: "Sam".to_owned(),
            at_unix_ms: NOW,
        });
        assert_eq!(v.current().organisation, "Bassetlaw District Council");
        assert_eq!(v.recorded.organisation, "Nottinghamshire Police");
        let row = v.row();
        assert_eq!(row.len(), COLUMNS.len());
        assert!(row[11].contains("wrong organisation written"), "{row:?}");
        assert!(!v.in_room());
    }

    #[test]
    fn exit_not_before_entry_nor_in_future() {
        assert!(check_exit(NOW, NOW - 1, NOW).is_err());
        assert!(check_exit(NOW - HOUR_MS, NOW + HOUR_MS, NOW).is_err());
        assert!(check_exit(NOW - HOUR_MS, NOW, NOW).is_ok());
    }

    #[test]
    fn csv_header_is_the_columns() {
        let text = csv(&[visit(&draft())]);
        assert!(text.starts_with(&COLUMNS.join(",")), "{text}");
    }
}
