//! Body-worn cameras (LBU-24): the device register (serial, model, owner) and the issue
//! and returns log — a device issued for the day or assigned to one officer permanently,
//! the officer's acknowledgement of their responsibility, and its return. A device issued
//! for the day and not back by the end of the shift is overdue (red).
//!
//! Invariants:
//! - A device is registered with every detail at once and an id that names it; a retired
//!   device is never issued again.
//! - An issue is recorded only with the officer's acknowledgement accepted (ticked and their
//!   name typed) and for a device that is not out already; its reference is
//!   `BWV-YYYY-NNNN`. A return is recorded once, never before the issue.

use crate::Ident;

/// The issue reference prefix.
pub const PREFIX: &str = "BWV";

/// How long a device issued for the day may be out: until the end of the shift.
pub const RETURN_WITHIN_HOURS: i64 = 12;

const HOUR_MS: i64 = 3_600_000;

/// What the officer accepts when a device is issued to them (LBU-24: "the SO will take
/// responsibility for the security of the unit and the data it captures").
pub const ACKNOWLEDGEMENT: &str = "I take responsibility for the security of this body-worn camera and of the footage it captures. I will check that it works before I leave, wear it visibly on mobile patrols, record only when the code of practice allows, and return it, with its footage, as the issue log says.";

kebab_enum! {
    /// How a device is assigned (LBU-24: "a daily issue basis, or … their own BWVC on a
    /// permanent basis").
    Assignment, "assignment" {
        /// Issued for the day; back by the end of the shift.
        Daily = "daily",
        /// Assigned to the officer until returned.
        Permanent = "permanent",
    }
}

impl Assignment {
    /// In words.
    pub fn words(self) -> &'static str {
        match self {
            Self::Daily => "For the day",
            Self::Permanent => "Assigned permanently",
        }
    }
}

/// A device as registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceDraft {
    /// The id it is known by, e.g. `bwv-07`.
    pub id: Ident,
    /// The maker's serial number.
    pub serial: String,
    /// The make and model.
    pub model: String,
    /// Who owns it: the organisation or department.
    pub owner: String,
}

/// A device in the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// As registered.
    pub draft: DeviceDraft,
    /// When it was registered (ms since the epoch).
    pub registered_at_unix_ms: i64,
    /// When it was retired from use, if it was.
    pub retired_at_unix_ms: Option<i64>,
}

/// Every problem with a device at once, or none.
pub fn validate_device(d: &DeviceDraft) -> Result<(), Vec<String>> {
    let mut p = Vec::new();
    if d.serial.trim().is_empty() {
        p.push("give the device's serial number, as the maker printed it".to_owned());
    }
    if d.model.trim().is_empty() {
        p.push("give the device's make and model".to_owned());
    }
    if d.owner.trim().is_empty() {
        p.push("say who owns the device: the organisation or department".to_owned());
    }
    if p.is_empty() { Ok(()) } else { Err(p) }
}

/// An issue as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueDraft {
    /// The device.
    pub device: Ident,
    /// The officer it is issued to, by name.
    pub officer: String,
    /// For the day or permanently.
    pub assignment: Assignment,
    /// When (ms since the epoch).
    pub issued_at_unix_ms: i64,
    /// The officer ticked [`ACKNOWLEDGEMENT`].
    pub acknowledged: bool,
    /// The name the officer typed under it.
    pub typed_name: String,
}

/// Every problem with an issue at once, or none, at `now_unix_ms`.
pub fn validate_issue(d: &IssueDraft, now_unix_ms: i64) -> Result<(), Vec<String>> {
    let mut p = Vec::new();
    if d.officer.trim().chars().count() < 2 {
        p.push("give the name of the officer the device is issued to".to_owned());
    }
    if d.issued_at_unix_ms > now_unix_ms + 60_000 {
        p.push("the time of issue is in the future".to_owned());
    }
    if !d.acknowledged || d.typed_name.trim().chars().count() < 2 {
        p.push(
            "the officer must accept responsibility for the device and its footage: tick the acknowledgement and type their name"
                .to_owned(),
        );
    }
    if p.is_empty() { Ok(()) } else { Err(p) }
}

/// An issue in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// `BWV-2026-0001`.
    pub reference: String,
    /// As recorded.
    pub draft: IssueDraft,
    /// Who issued it (by name).
    pub issued_by: String,
    /// When it came back.
    pub returned_at_unix_ms: Option<i64>,
    /// Who took it back (by name).
    pub returned_to: Option<String>,
}

impl Issue {
    /// When a device issued for the day is due back: the end of the shift. None for a
    /// permanent assignment.
    pub fn due_back(&self) -> Option<i64> {
        (self.draft.assignment == Assignment::Daily)
            .then_some(self.draft.issued_at_unix_ms + RETURN_WITHIN_HOURS * HOUR_MS)
    }

    /// Whether the device is still out.
    pub fn out(&self) -> bool {
        self.returned_at_unix_ms.is_none()
    }

    /// Whether, at `now_unix_ms`, the device is out past the end of the shift.
    pub fn overdue(&self, now_unix_ms: i64) -> bool {
        self.out() && self.due_back().is_some_and(|due| now_unix_ms >= due)
    }

    /// The log's row, in [`COLUMNS`] order.
    pub fn row(&self, now_unix_ms: i64) -> Vec<String> {
        let when = |ms: i64| custos_base::UnixMs(ms).to_london_display();
        vec![
            self.reference.clone(),
            self.draft.device.to_string(),
            self.draft.officer.clone(),
            self.draft.assignment.words().to_owned(),
            when(self.draft.issued_at_unix_ms),
            self.issued_by.clone(),
            self.draft.typed_name.clone(),
            self.due_back().map(when).unwrap_or_default(),
            self.returned_at_unix_ms.map(when).unwrap_or_default(),
            self.returned_to.clone().unwrap_or_default(),
            if self.overdue(now_unix_ms) {
                "Overdue".to_owned()
            } else if self.out() {
                "Out".to_owned()
            } else {
                "Returned".to_owned()
            },
        ]
    }
}

/// Checks that an issue can be returned at `at_unix_ms`.
pub fn check_return(issue: &Issue, at_unix_ms: i64, now_unix_ms: i64) -> Result<(), String> {
    if !issue.out() {
        return Err(format!("{} is already returned", issue.reference));
    }
    if at_unix_ms < issue.draft.issued_at_unix_ms {
        return Err("a device cannot come back before it was issued".to_owned());
    }
    if at_unix_ms > now_unix_ms + 60_000 {
        return Err("the time of return is in the future".to_owned());
    }
    Ok(())
}

/// The issue and returns log's columns (LBU-24).
pub const COLUMNS: [&str; 11] = [
    "Reference",
    "Device",
    "Officer",
    "Assignment",
    "Issued",
    "Issued by",
    "Acknowledged by (typed name)",
    "Due back",
    "Returned",
    "Returned to",
    "Standing",
];

/// The device register's columns.
pub const DEVICE_COLUMNS: [&str; 6] = [
    "Device",
    "Serial number",
    "Make and model",
    "Owner",
    "Registered",
    "Retired",
];

/// The issue and returns log as CSV in [`COLUMNS`].
pub fn csv(issues: &[Issue], now_unix_ms: i64) -> String {
    crate::csvfile::document(&COLUMNS, issues.iter().map(|i| i.row(now_unix_ms)))
}

/// The register and the issue and returns log as a PDF.
pub fn pdf(
    scheme: &str,
    devices: &[Device],
    issues: &[Issue],
    now_unix_ms: i64,
    created: jiff::Timestamp,
) -> Vec<u8> {
    use crate::pdf::Block;
    let when = |ms: i64| custos_base::UnixMs(ms).to_london_display();
    let title = format!("Body-worn cameras — {scheme}");
    let mut blocks = vec![
        Block::Heading(title.clone()),
        Block::Paragraph(format!(
            "The register of body-worn cameras and their issue and returns log: to whom each was issued, for the day or permanently, with the officer's acknowledgement, and when it came back. {} devices, {} issues.",
            devices.len(),
            issues.len()
        )),
        Block::Heading("The register".to_owned()),
    ];
    for d in devices {
        blocks.push(Block::Line(format!(
            "{}: serial {}, {}, owned by {}; registered {}{}",
            d.draft.id,
            d.draft.serial,
            d.draft.model,
            d.draft.owner,
            when(d.registered_at_unix_ms),
            d.retired_at_unix_ms
                .map(|r| format!("; retired {}", when(r)))
                .unwrap_or_default()
        )));
    }
    blocks.push(Block::Heading("What the officer accepts".to_owned()));
    blocks.push(Block::Paragraph(ACKNOWLEDGEMENT.to_owned()));
    for i in issues {
        blocks.push(Block::Heading(i.reference.clone()));
        for (col, value) in COLUMNS.iter().zip(i.row(now_unix_ms).iter()).skip(1) {
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

    fn issue(assignment: Assignment) -> Issue {
        Issue {
            reference: "BWV-2026-0001".to_owned(),
            draft: IssueDraft {
                device: Ident::parse("bwv-07").expect("id"),
                officer: "Sam Officer".to_owned(),
                assignment,
                issued_at_unix_ms: 10 * HOUR_MS,
                acknowledged: true,
                typed_name: "Sam Officer".to_owned(),
            },
            issued_by: "Head of Security".to_owned(),
            returned_at_unix_ms: None,
            returned_to: None,
        }
    }

    #[test]
    fn lbu_24_a_device_issued_for_the_day_is_overdue_at_the_end_of_the_shift() {
        let daily = issue(Assignment::Daily);
        assert!(!daily.overdue(21 * HOUR_MS));
        assert!(daily.overdue(22 * HOUR_MS));
        let permanent = issue(Assignment::Permanent);
        assert!(!permanent.overdue(1_000 * HOUR_MS), "assigned, never due");
        check_return(&daily, 9 * HOUR_MS, 23 * HOUR_MS).expect_err("before the issue");
        check_return(&daily, 23 * HOUR_MS, 23 * HOUR_MS).expect("back");
        let mut back = daily.clone();
        back.returned_at_unix_ms = Some(23 * HOUR_MS);
        assert!(!back.overdue(30 * HOUR_MS));
        check_return(&back, 24 * HOUR_MS, 24 * HOUR_MS).expect_err("once");
        assert_eq!(back.row(30 * HOUR_MS).len(), COLUMNS.len());
    }

    #[test]
    fn lbu_24_an_issue_needs_the_officers_acknowledgement_and_a_device_every_detail() {
        let mut d = issue(Assignment::Daily).draft;
        validate_issue(&d, 10 * HOUR_MS).expect("complete");
        d.acknowledged = false;
        d.officer = " ".to_owned();
        let p = validate_issue(&d, 10 * HOUR_MS).expect_err("no acknowledgement");
        assert_eq!(p.len(), 2, "{p:?}");
        let p = validate_device(&DeviceDraft {
            id: Ident::parse("bwv-07").expect("id"),
            serial: String::new(),
            model: String::new(),
            owner: String::new(),
        })
        .expect_err("nothing given");
        assert_eq!(p.len(), 3, "{p:?}");
    }
}
