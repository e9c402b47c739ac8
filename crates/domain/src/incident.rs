//! The incident log (BDC-24, BDC-18): anything of investigative or evidential value —
//! when, where (the cameras, if any, and the place), what was seen, by whom, the police
//! reference when it was reported, the action taken and the outcome — with the rules for
//! recording one, its reference (`INC-2026-0001`), what a correction may change, and the
//! log's columns for export. No I/O; the store keeps the rows and the ledger entries.
//!
//! Invariants:
//! - [`validate`] reports every problem of a draft at once, in words for the person
//!   filling in the form; a draft that passes has a place, what was seen, who saw it and
//!   the action taken, and a time not in the future.
//! - A correction never edits what was recorded: it is a new ledger entry that refers to
//!   what it corrects and says why ([`correct`] requires a reason and at least one change).
//!   It may change any field of [`Field::CORRECTABLE`] — not the reference, who recorded
//!   it or when, nor the countersignature and linked footage, which have their own steps;
//!   the outcome only once one has been recorded (an open incident gets its outcome
//!   through the outcome step). The corrected record must still pass [`validate`].
//! - [`COLUMNS`] are the log's columns as the council's code names them, in the order
//!   [`csv`] writes them; every field is written as given (formulas defused by
//!   [`crate::csvfile`]).

use std::fmt;

use crate::Ident;

/// The longest free-text field accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;

/// The prefix of an incident's reference.
pub const PREFIX: &str = "INC";

/// An incident's reference, `INC-YYYY-NNNN`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IncidentRef(String);

impl IncidentRef {
    /// The reference numbered `n` in `year`.
    pub fn new(year: i32, n: u32) -> Self {
        Self(format!("{PREFIX}-{year}-{n:04}"))
    }

    /// Reads `INC-YYYY-NNNN` (four-digit year, at least four digits of number; case and
    /// surrounding spaces forgiven).
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim().to_ascii_uppercase();
        let bad = || format!("{text:?} is not an incident reference; they look like INC-2026-0001");
        let mut parts = t.splitn(3, '-');
        let (Some(p), Some(y), Some(n)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if p != PREFIX || y.len() != 4 || !digits(y) || n.len() < 4 || !digits(n) {
            return Err(bad());
        }
        Ok(Self(t))
    }

    /// The reference as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IncidentRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An incident as entered (or as it stands after corrections).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Draft {
    /// When it happened.
    pub occurred_at_unix_ms: i64,
    /// The cameras that saw it, if any.
    pub cameras: Vec<Ident>,
    /// Where: the street, building or area.
    pub place: String,
    /// What was seen.
    pub seen: String,
    /// Who saw it (the operator, a caller, a patrol).
    pub seen_by: String,
    /// The police reference (crime or incident number), when reported to the police.
    pub police_reference: String,
    /// What was done about it.
    pub action_taken: String,
    /// How it ended; empty while it is open.
    pub outcome: String,
}

impl Draft {
    /// Whether the incident is still open (no outcome recorded).
    pub fn is_open(&self) -> bool {
        self.outcome.trim().is_empty()
    }

    /// The text of `field`, as written (cameras as their ids, comma-separated; the time as
    /// milliseconds).
    pub fn get(&self, field: Field) -> String {
        match field {
            Field::Occurred => self.occurred_at_unix_ms.to_string(),
            Field::Cameras => self
                .cameras
                .iter()
                .map(Ident::as_str)
                .collect::<Vec<_>>()
                .join(","),
            Field::Place => self.place.trim().to_owned(),
            Field::Seen => self.seen.trim().to_owned(),
            Field::SeenBy => self.seen_by.trim().to_owned(),
            Field::PoliceReference => self.police_reference.trim().to_owned(),
            Field::ActionTaken => self.action_taken.trim().to_owned(),
            Field::Outcome => self.outcome.trim().to_owned(),
        }
    }
}

/// Every problem with `draft` at `now`, at once; `Ok` when there is none.
pub fn validate(draft: &Draft, now_unix_ms: i64) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    if draft.occurred_at_unix_ms <= 0 {
        problems.push("say when it happened".to_owned());
    } else if draft.occurred_at_unix_ms > now_unix_ms {
        problems.push("the time it happened is in the future".to_owned());
    }
    let required = [
        (
            &draft.place,
            "say where it happened (the street, building or area)",
        ),
        (&draft.seen, "say what was seen"),
        (&draft.seen_by, "say who saw it"),
        (
            &draft.action_taken,
            "say what action was taken (or that none was)",
        ),
    ];
    for (text, problem) in required {
        if text.trim().is_empty() {
            problems.push(problem.to_owned());
        }
    }
    for (text, what) in [
        (&draft.place, "the place"),
        (&draft.seen, "what was seen"),
        (&draft.seen_by, "who saw it"),
        (&draft.action_taken, "the action taken"),
        (&draft.outcome, "the outcome"),
    ] {
        if text.chars().count() > MAX_TEXT_CHARS {
            problems.push(format!("{what} is longer than {MAX_TEXT_CHARS} characters"));
        }
    }
    let police = draft.police_reference.trim();
    if police.chars().count() > 100 || police.chars().any(char::is_control) {
        problems.push("the police reference should be one short line".to_owned());
    }
    let mut seen = std::collections::BTreeSet::new();
    for c in &draft.cameras {
        if !seen.insert(c) {
            problems.push(format!("camera {c} is named twice"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// A field of an incident, as a correction names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// When it happened.
    Occurred,
    /// The cameras.
    Cameras,
    /// The place.
    Place,
    /// What was seen.
    Seen,
    /// Who saw it.
    SeenBy,
    /// The police reference.
    PoliceReference,
    /// The action taken.
    ActionTaken,
    /// The outcome.
    Outcome,
}

impl Field {
    /// The fields a correction may change (the outcome only once recorded).
    pub const CORRECTABLE: [Field; 8] = [
        Field::Occurred,
        Field::Cameras,
        Field::Place,
        Field::Seen,
        Field::SeenBy,
        Field::PoliceReference,
        Field::ActionTaken,
        Field::Outcome,
    ];

    /// Its id, as stored in a correction's ledger entry.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Occurred => "occurred",
            Self::Cameras => "cameras",
            Self::Place => "place",
            Self::Seen => "seen",
            Self::SeenBy => "seen_by",
            Self::PoliceReference => "police_reference",
            Self::ActionTaken => "action_taken",
            Self::Outcome => "outcome",
        }
    }

    /// In words, for a page.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Occurred => "when it happened",
            Self::Cameras => "the cameras",
            Self::Place => "the place",
            Self::Seen => "what was seen",
            Self::SeenBy => "who saw it",
            Self::PoliceReference => "the police reference",
            Self::ActionTaken => "the action taken",
            Self::Outcome => "the outcome",
        }
    }
}

impl std::str::FromStr for Field {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::CORRECTABLE
            .into_iter()
            .find(|f| f.as_str() == s.trim())
            .ok_or_else(|| format!("{s:?} is not a field of an incident"))
    }
}

/// What a correction changes: each field given replaces the one recorded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Changes {
    /// When it happened.
    pub occurred_at_unix_ms: Option<i64>,
    /// The cameras.
    pub cameras: Option<Vec<Ident>>,
    /// The place.
    pub place: Option<String>,
    /// What was seen.
    pub seen: Option<String>,
    /// Who saw it.
    pub seen_by: Option<String>,
    /// The police reference.
    pub police_reference: Option<String>,
    /// The action taken.
    pub action_taken: Option<String>,
    /// The outcome.
    pub outcome: Option<String>,
}

/// Applies `changes` to `current` for a correction with `reason`: the corrected record and
/// the fields that changed (those given with the value already recorded do not count), or
/// every problem at once — no reason, nothing changed, the outcome of an open incident, or
/// a corrected record that no longer passes [`validate`].
pub fn correct(
    current: &Draft,
    changes: &Changes,
    reason: &str,
    now_unix_ms: i64,
) -> Result<(Draft, Vec<Field>), Vec<String>> {
    let mut problems = Vec::new();
    if reason.trim().is_empty() {
        problems.push("say why the entry is corrected".to_owned());
    }
    let mut next = current.clone();
    if let Some(v) = changes.occurred_at_unix_ms {
        next.occurred_at_unix_ms = v;
    }
    if let Some(v) = &changes.cameras {
        next.cameras = v.clone();
    }
    let text = |v: &Option<String>, into: &mut String| {
        if let Some(v) = v {
            *into = v.trim().to_owned();
        }
    };
    text(&changes.place, &mut next.place);
    text(&changes.seen, &mut next.seen);
    text(&changes.seen_by, &mut next.seen_by);
    text(&changes.police_reference, &mut next.police_reference);
    text(&changes.action_taken, &mut next.action_taken);
    text(&changes.outcome, &mut next.outcome);
    let changed: Vec<Field> = Field::CORRECTABLE
        .into_iter()
        .filter(|f| match f {
            Field::Cameras => {
                let mut a = current.cameras.clone();
                let mut b = next.cameras.clone();
                a.sort();
                b.sort();
                a != b
            }
            f => current.get(*f) != next.get(*f),
        })
        .collect();
    if changed.contains(&Field::Outcome) && current.is_open() {
        problems.push(
            "an open incident has no outcome to correct; record its outcome instead".to_owned(),
        );
    }
    if changed.contains(&Field::Outcome) && next.is_open() {
        problems.push("a recorded outcome cannot be corrected to nothing".to_owned());
    }
    if changed.is_empty() {
        problems.push("the correction changes nothing".to_owned());
    }
    // Only the fields changed are checked again for the time: an incident recorded long
    // ago keeps its time.
    if let Err(p) = validate(&next, now_unix_ms) {
        problems.extend(p);
    }
    if problems.is_empty() {
        Ok((next, changed))
    } else {
        Err(problems)
    }
}

/// An outcome for an open incident: refused, with the reason, if the incident has one or
/// the text is empty.
pub fn check_outcome(current: &Draft, outcome: &str) -> Result<(), String> {
    if !current.is_open() {
        return Err(
            "this incident already has an outcome; correct it with a reason instead".to_owned(),
        );
    }
    if outcome.trim().is_empty() {
        return Err("say what the outcome was".to_owned());
    }
    if outcome.chars().count() > MAX_TEXT_CHARS {
        return Err(format!(
            "the outcome is longer than {MAX_TEXT_CHARS} characters"
        ));
    }
    Ok(())
}

/// The incident log's columns as the council's code names them (BDC-24), in [`csv`]'s
/// order.
pub const COLUMNS: &[&str] = &[
    "Reference",
    "Occurred",
    "Camera",
    "Place",
    "What was seen",
    "Seen by",
    "Police reference",
    "Action taken",
    "Outcome",
    "Linked footage",
    "Countersigned by",
    "Countersigned at",
    "Corrections",
];

/// One row of the incident log, every field already in words.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogRow {
    /// `INC-2026-0001`.
    pub reference: String,
    /// When it happened, in UK time.
    pub occurred: String,
    /// The cameras by name.
    pub cameras: String,
    /// The place.
    pub place: String,
    /// What was seen.
    pub seen: String,
    /// Who saw it.
    pub seen_by: String,
    /// The police reference.
    pub police_reference: String,
    /// The action taken.
    pub action_taken: String,
    /// The outcome (empty while open).
    pub outcome: String,
    /// The footage linked, e.g. "Town Hall, 2026-12-07 10:00–10:10 GMT".
    pub linked_footage: String,
    /// Who countersigned.
    pub countersigned_by: String,
    /// When.
    pub countersigned_at: String,
    /// The corrections, each "when, by whom: fields — reason".
    pub corrections: String,
}

impl LogRow {
    /// The row's fields in [`COLUMNS`]' order.
    pub fn fields(&self) -> [&str; 13] {
        [
            &self.reference,
            &self.occurred,
            &self.cameras,
            &self.place,
            &self.seen,
            &self.seen_by,
            &self.police_reference,
            &self.action_taken,
            &self.outcome,
            &self.linked_footage,
            &self.countersigned_by,
            &self.countersigned_at,
            &self.corrections,
        ]
    }
}

/// The incident log as CSV through [`crate::csvfile`]: a header row of [`COLUMNS`], then
/// one record per row in the given order.
pub fn csv(rows: &[LogRow]) -> String {
    crate::csvfile::document(COLUMNS, rows.iter().map(LogRow::fields))
}

/// The incident log as blocks for [`crate::pdf::render`]: a heading per incident, then
/// each column with its value.
pub fn pdf_blocks(scheme: &str, rows: &[LogRow]) -> Vec<crate::pdf::Block> {
    use crate::pdf::Block;
    let mut blocks = vec![Block::Heading(format!("Incident log — {scheme}"))];
    if rows.is_empty() {
        blocks.push(Block::Paragraph(
            "No incident has been recorded.".to_owned(),
        ));
    }
    for r in rows {
        blocks.push(Block::Heading(r.reference.clone()));
        for (column, value) in COLUMNS.iter().zip(r.fields()).skip(1) {
            if !value.trim().is_empty() {
                blocks.push(Block::Line(format!("{column}: {value}")));
            }
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    fn draft() -> Draft {
        Draft {
            occurred_at_unix_ms: NOW - 60_000,
            cameras: vec![Ident::parse("market-square").expect("id")],
            place: "Market Square".to_owned(),
            seen: "Two people fighting outside the bank".to_owned(),
            seen_by: "Olive Operator".to_owned(),
            police_reference: String::new(),
            action_taken: "Called the police; followed on camera".to_owned(),
            outcome: String::new(),
        }
    }

    #[test]
    fn bdc_24_a_draft_reports_every_problem_at_once() {
        assert_eq!(validate(&draft(), NOW), Ok(()));
        let empty = Draft {
            occurred_at_unix_ms: NOW + 1,
            ..Draft::default()
        };
        let problems = validate(&empty, NOW).expect_err("problems");
        assert_eq!(problems.len(), 5, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("future")));
        assert!(problems.iter().any(|p| p.contains("where")));
        // Cameras are optional; the place is not.
        let no_cameras = Draft {
            cameras: vec![],
            ..draft()
        };
        assert_eq!(validate(&no_cameras, NOW), Ok(()));
    }

    #[test]
    fn bdc_24_references_read_back() {
        let r = IncidentRef::new(2026, 7);
        assert_eq!(r.as_str(), "INC-2026-0007");
        assert_eq!(IncidentRef::parse(" inc-2026-0007 "), Ok(r));
        for bad in [
            "SAR-2026-0001",
            "INC-26-0001",
            "INC-2026-1",
            "INC-2026-00x1",
            "",
        ] {
            assert!(IncidentRef::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bdc_24_a_correction_needs_a_reason_and_a_change() {
        let d = draft();
        let problems = correct(&d, &Changes::default(), " ", NOW).expect_err("refused");
        assert!(problems.iter().any(|p| p.contains("why")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("changes nothing")));
        let (next, changed) = correct(
            &d,
            &Changes {
                place: Some("Market Square, by the bank".to_owned()),
                seen_by: Some(d.seen_by.clone()),
                ..Changes::default()
            },
            "the place was incomplete",
            NOW,
        )
        .expect("corrected");
        assert_eq!(changed, vec![Field::Place]);
        assert_eq!(next.place, "Market Square, by the bank");
        // An open incident's outcome comes through the outcome step, not a correction.
        let problems = correct(
            &d,
            &Changes {
                outcome: Some("arrest".to_owned()),
                ..Changes::default()
            },
            "adding the outcome",
            NOW,
        )
        .expect_err("refused");
        assert!(problems.iter().any(|p| p.contains("record its outcome")));
        // A correction cannot empty a required field.
        let problems = correct(
            &d,
            &Changes {
                seen: Some(String::new()),
                ..Changes::default()
            },
            "typo",
            NOW,
        )
        .expect_err("refused");
        assert!(problems.iter().any(|p| p.contains("what was seen")));
    }

    #[test]
    fn bdc_24_an_outcome_is_recorded_once() {
        let d = draft();
        assert!(check_outcome(&d, "").is_err());
        assert_eq!(check_outcome(&d, "Two arrested"), Ok(()));
        let closed = Draft {
            outcome: "Two arrested".to_owned(),
            ..d
        };
        assert!(check_outcome(&closed, "again").is_err());
    }

    #[test]
    fn bdc_24_the_log_is_csv_in_the_codes_columns() {
        let row = LogRow {
            reference: "INC-2026-0001".to_owned(),
            place: "=cmd".to_owned(),
            ..LogRow::default()
        };
        let out = csv(&[row]);
        let mut lines = out.lines();
        assert_eq!(lines.next(), Some(COLUMNS.join(",").as_str()));
        assert!(lines.next().unwrap_or_default().contains("'=cmd"));
        assert_eq!(COLUMNS.len(), LogRow::default().fields().len());
    }
}
