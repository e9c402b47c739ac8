//! The list of installed equipment (BDC-37, BDC-18): every camera, recorder, monitor and
//! link of the scheme with its make and model, serial number, location, and the days it
//! was installed and removed.
//!
//! Invariants:
//! - Cameras come from the camera register (their name, location, the day they were
//!   registered and the day they were retired); what the register does not hold — a
//!   camera's make and model, serial number and the day it was installed — is entered as a
//!   camera's details, at most one standing entry per camera. Recorders, monitors, links and
//!   other equipment are entered. [`list`] puts both together in [`COLUMNS`].
//! - An entry is recorded only with every detail the code names ([`validate`], every
//!   problem at once): what it is, its serial number (or "none"), where it is (a camera's
//!   place is the register's) and the day it was installed, not in the future.
//! - An entry is never edited: its removal and each correction are new entries naming it;
//!   the item as it stands is the item as entered with its removal and corrections applied
//!   in order ([`Item::current`]). A removal is not before the installation nor in the
//!   future.
//! - References are `EQ-YYYY-NNNN`, numbered in the UK year of entry and never reused.
//!
//! Pure rules: no I/O. The store records, ledgers and loads (`custos_store::equipment`).

use jiff::civil::Date;

use crate::pdf::Block;

/// The prefix of an entry's reference (`EQ-2026-0001`).
pub const PREFIX: &str = "EQ";

kebab_enum! {
    /// What a piece of equipment is (BDC-37: "cameras, recorders, monitors, links").
    Kind, "kind of equipment" {
        /// A camera of the register; the entry holds what the register does not.
        Camera = "camera",
        /// A recorder or server that keeps footage.
        Recorder = "recorder",
        /// A monitor or screen.
        Monitor = "monitor",
        /// A link: network, radio or fibre transmission equipment.
        Link = "link",
        /// Anything else installed (a keyboard, a joystick, a power supply).
        Other = "other",
    }
}

impl Kind {
    /// In words, capitalised: "Recorder".
    pub fn describe(self) -> &'static str {
        match self {
            Self::Camera => "Camera",
            Self::Recorder => "Recorder",
            Self::Monitor => "Monitor",
            Self::Link => "Link",
            Self::Other => "Other equipment",
        }
    }
}

/// The details of an entry that a correction may change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Details {
    /// What it is.
    pub kind: Kind,
    /// For a camera: its id in the register.
    pub camera: Option<String>,
    /// Its make and model, or what it is ("Axis P1455-LE").
    pub make_model: String,
    /// Its serial number, or "none".
    pub serial_number: String,
    /// Where it is; for a camera, empty to use the register's place.
    pub location: String,
    /// The UK day it was installed.
    pub installed_on: Option<Date>,
    /// The UK day it was removed, once it has been.
    pub removed_on: Option<Date>,
    /// Anything else worth knowing.
    pub notes: String,
}

impl Default for Details {
    fn default() -> Self {
        Self {
            kind: Kind::Other,
            camera: None,
            make_model: String::new(),
            serial_number: String::new(),
            location: String::new(),
            installed_on: None,
            removed_on: None,
            notes: String::new(),
        }
    }
}

/// Every problem with `d` on UK day `today`.
fn detail_problems(d: &Details, today: Date) -> Vec<String> {
    let mut problems = Vec::new();
    if d.kind == Kind::Camera {
        if d.camera.as_deref().is_none_or(|c| c.trim().is_empty()) {
            problems.push("name the camera of the register these details are for".to_owned());
        }
    } else if d.location.trim().chars().count() < 2 {
        problems.push("say where the equipment is installed".to_owned());
    }
    if d.make_model.trim().chars().count() < 2 {
        problems.push("give the make and model, or say what the equipment is".to_owned());
    }
    if d.serial_number.trim().is_empty() {
        problems.push("give the serial number (write “none” if it has none)".to_owned());
    }
    match d.installed_on {
        None => problems.push("give the day it was installed".to_owned()),
        Some(day) if day > today => {
            problems.push("the day it was installed is in the future".to_owned());
        }
        Some(_) => {}
    }
    if let Some(removed) = d.removed_on {
        if d.installed_on.is_some_and(|i| removed < i) {
            problems.push("the day it was removed is before the day it was installed".to_owned());
        }
        if removed > today {
            problems.push(
                "the day it was removed is in the future: record it when it is removed".to_owned(),
            );
        }
    }
    problems
}

/// Every problem with a new entry `d` on UK day `today`, at once.
pub fn validate(d: &Details, today: Date) -> Result<(), Vec<String>> {
    let problems = detail_problems(d, today);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// A day as typed (`YYYY-MM-DD`), or what is wrong with it; `what` names it.
pub fn parse_day(text: &str, what: &str) -> Result<Date, String> {
    text.trim()
        .parse::<Date>()
        .map_err(|_| format!("{what} must be a day written YYYY-MM-DD, e.g. 2026-11-23"))
}

/// A day in words for people: "Monday 23 November 2026".
pub fn day_words(d: Date) -> String {
    custos_base::long_date(d)
}

kebab_enum! {
    /// A detail of an entry a correction changes.
    Field, "detail of an equipment entry" {
        /// Make and model.
        MakeModel = "make-model",
        /// Serial number.
        SerialNumber = "serial-number",
        /// Location.
        Location = "location",
        /// The day installed.
        InstalledOn = "installed-on",
        /// The day removed.
        RemovedOn = "removed-on",
        /// Notes.
        Notes = "notes",
    }
}

impl Field {
    /// In words, as a column is headed: "Serial number".
    pub fn describe(self) -> &'static str {
        match self {
            Self::MakeModel => "Make and model",
            Self::SerialNumber => "Serial number",
            Self::Location => "Location",
            Self::InstalledOn => "Installed",
            Self::RemovedOn => "Removed",
            Self::Notes => "Notes",
        }
    }

    /// Whether the field is a day (`YYYY-MM-DD`).
    pub fn is_day(self) -> bool {
        matches!(self, Self::InstalledOn | Self::RemovedOn)
    }

    /// The field's value in `d`, as stored (a day as `YYYY-MM-DD`; empty when none).
    pub fn value_in(self, d: &Details) -> String {
        let day = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
        match self {
            Self::MakeModel => d.make_model.clone(),
            Self::SerialNumber => d.serial_number.clone(),
            Self::Location => d.location.clone(),
            Self::InstalledOn => day(d.installed_on),
            Self::RemovedOn => day(d.removed_on),
            Self::Notes => d.notes.clone(),
        }
    }

    /// A stored value in words (a day written out).
    pub fn value_words(self, value: &str) -> String {
        if self.is_day() {
            value
                .parse::<Date>()
                .map(day_words)
                .unwrap_or_else(|_| "none".to_owned())
        } else {
            value.to_owned()
        }
    }
}

/// A correction as asked for: the detail, its new value (a day as `YYYY-MM-DD`), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrectionDraft {
    /// The detail corrected.
    pub field: Field,
    /// Its new value.
    pub value: String,
    /// Why.
    pub reason: String,
}

/// A correction as recorded: a new entry naming the item it corrects.
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
    /// "Serial number corrected from “A1” to “A7” by Sam on …: typed wrongly".
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

/// `d` with `field` set to `value`, or why the value cannot be.
fn with_value(d: &Details, field: Field, value: &str) -> Result<Details, String> {
    let mut d = d.clone();
    let v = value.trim().to_owned();
    match field {
        Field::MakeModel => d.make_model = v,
        Field::SerialNumber => d.serial_number = v,
        Field::Location => d.location = v,
        Field::Notes => d.notes = v,
        Field::InstalledOn => d.installed_on = Some(parse_day(&v, "the day installed")?),
        Field::RemovedOn => d.removed_on = Some(parse_day(&v, "the day removed")?),
    }
    Ok(d)
}

/// Checks correction `c` of an item standing as `current` on UK day `today`: a reason, a
/// value that changes something, and the item still whole after it. Returns the value
/// before, as stored.
pub fn check_correction(
    current: &Details,
    c: &CorrectionDraft,
    today: Date,
) -> Result<String, Vec<String>> {
    let mut problems = Vec::new();
    if c.reason.trim().chars().count() < 5 {
        problems.push("say why the entry is corrected".to_owned());
    }
    if c.field == Field::RemovedOn && current.removed_on.is_none() {
        problems.push(
            "the equipment has not been removed: record its removal rather than correct it"
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
            problems.extend(detail_problems(&after, today));
        }
    }
    if problems.is_empty() {
        Ok(before)
    } else {
        Err(problems)
    }
}

/// Checks the removal on `removed_on` of an item standing as `current`, with `reason`, on
/// UK day `today`.
pub fn check_removal(
    current: &Details,
    removed_on: Date,
    reason: &str,
    today: Date,
) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    if let Some(day) = current.removed_on {
        problems.push(format!(
            "it was removed on {}; to change the day, correct it",
            day_words(day)
        ));
    }
    if reason.trim().chars().count() < 3 {
        problems.push("say why it was removed (replaced, faulty, no longer needed)".to_owned());
    }
    if current.installed_on.is_some_and(|i| removed_on < i) {
        problems.push("the day it was removed is before the day it was installed".to_owned());
    }
    if removed_on > today {
        problems.push(
            "the day it was removed is in the future: record it when it is removed".to_owned(),
        );
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// A removal as recorded: a new entry naming the item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    /// The UK day it was removed.
    pub on: Date,
    /// Why.
    pub reason: String,
    /// Who recorded it (their name).
    pub by: String,
    /// When it was recorded.
    pub at_unix_ms: i64,
}

/// An entry as recorded, with what has happened since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// `EQ-2026-0001`.
    pub reference: String,
    /// The details as entered (before any removal or correction).
    pub recorded: Details,
    /// Who entered it (their name).
    pub recorded_by_name: String,
    /// When.
    pub recorded_at_unix_ms: i64,
    /// Its removal, once recorded.
    pub removal: Option<Removal>,
    /// The corrections, oldest first.
    pub corrections: Vec<Correction>,
}

impl Item {
    /// The details as they stand: as entered, with the removal and each correction
    /// applied in order.
    pub fn current(&self) -> Details {
        let mut d = self.recorded.clone();
        if let Some(r) = &self.removal {
            d.removed_on = Some(r.on);
        }
        for c in &self.corrections {
            if let Ok(next) = with_value(&d, c.field, &c.after) {
                d = next;
            }
        }
        d
    }

    /// Whether it is still installed.
    pub fn installed(&self) -> bool {
        self.current().removed_on.is_none()
    }
}

/// A camera as the register holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredCamera {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Where it is.
    pub location: String,
    /// The UK day it was registered.
    pub registered_on: Option<Date>,
    /// The UK day it was retired, if it has been.
    pub retired_on: Option<Date>,
}

/// One row of the list: an entry, or a camera of the register with its details if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    /// The entry's reference; empty for a camera without details entered.
    pub reference: String,
    /// What it is.
    pub kind: Kind,
    /// For a camera, its id.
    pub camera: Option<String>,
    /// The cells in [`COLUMNS`] order.
    pub cells: Vec<String>,
    /// Still installed.
    pub installed: bool,
}

/// The columns of the list of installed equipment (BDC-37), in the CSV and the PDF.
pub const COLUMNS: [&str; 9] = [
    "Reference",
    "Equipment",
    "Make and model",
    "Serial number",
    "Location",
    "Installed",
    "Removed",
    "Notes",
    "Corrections",
];

fn corrections_text(item: &Item) -> String {
    item.corrections
        .iter()
        .map(Correction::describe)
        .collect::<Vec<_>>()
        .join("; ")
}

fn removal_text(d: &Details, item: &Item) -> String {
    match (d.removed_on, &item.removal) {
        (Some(day), Some(r)) => format!("{day} ({})", r.reason),
        (Some(day), None) => day.to_string(),
        (None, _) => String::new(),
    }
}

/// The list: every camera of the register first (in the register's order) with the
/// standing details entered for it — else the latest — then every other entry in order of
/// reference. A camera's place is the register's unless its details give one; its
/// installation day is the one entered, else the day it was registered; its removal the
/// day entered, else the day it was retired.
pub fn list(items: &[Item], cameras: &[RegisteredCamera]) -> Vec<ListRow> {
    let mut rows = Vec::new();
    for cam in cameras {
        let mine: Vec<&Item> = items
            .iter()
            .filter(|i| {
                i.recorded.kind == Kind::Camera && i.recorded.camera.as_deref() == Some(&cam.id)
            })
            .collect();
        let item = mine
            .iter()
            .rev()
            .find(|i| i.installed())
            .or_else(|| mine.last())
            .copied();
        let d = item.map(Item::current);
        let location = d
            .as_ref()
            .map(|d| d.location.trim().to_owned())
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| cam.location.clone());
        let installed = d
            .as_ref()
            .and_then(|d| d.installed_on)
            .map(|day| day.to_string())
            .or_else(|| cam.registered_on.map(|day| format!("{day} (registered)")))
            .unwrap_or_default();
        let removed = match (&d, item) {
            (Some(d), Some(item)) if d.removed_on.is_some() => removal_text(d, item),
            _ => cam
                .retired_on
                .map(|day| format!("{day} (retired from the register)"))
                .unwrap_or_default(),
        };
        let still = removed.is_empty();
        rows.push(ListRow {
            reference: item.map(|i| i.reference.clone()).unwrap_or_default(),
            kind: Kind::Camera,
            camera: Some(cam.id.clone()),
            cells: vec![
                item.map(|i| i.reference.clone()).unwrap_or_default(),
                format!("Camera: {}", cam.name),
                d.as_ref().map(|d| d.make_model.clone()).unwrap_or_default(),
                d.as_ref()
                    .map(|d| d.serial_number.clone())
                    .unwrap_or_default(),
                location,
                installed,
                removed,
                d.as_ref().map(|d| d.notes.clone()).unwrap_or_default(),
                item.map(corrections_text).unwrap_or_default(),
            ],
            installed: still,
        });
    }
    for item in items.iter().filter(|i| i.recorded.kind != Kind::Camera) {
        let d = item.current();
        rows.push(ListRow {
            reference: item.reference.clone(),
            kind: d.kind,
            camera: None,
            cells: vec![
                item.reference.clone(),
                d.kind.describe().to_owned(),
                d.make_model.clone(),
                d.serial_number.clone(),
                d.location.clone(),
                d.installed_on.map(|d| d.to_string()).unwrap_or_default(),
                removal_text(&d, item),
                d.notes.clone(),
                corrections_text(item),
            ],
            installed: d.removed_on.is_none(),
        });
    }
    rows
}

/// The list as a CSV file: [`COLUMNS`], then one row per camera or entry.
pub fn csv(rows: &[ListRow]) -> String {
    crate::csvfile::document(&COLUMNS, rows.iter().map(|r| r.cells.iter()))
}

/// The list as a PDF: a title, then each camera or entry as a block of lines, every column
/// named.
pub fn pdf(scheme: &str, rows: &[ListRow], created: jiff::Timestamp) -> Vec<u8> {
    let title = format!("Installed equipment — {scheme}");
    let installed = rows.iter().filter(|r| r.installed).count();
    let mut blocks = vec![
        Block::Heading(title.clone()),
        Block::Paragraph(format!(
            "The list of installed equipment: every camera of the register and every recorder, monitor, link and other piece of equipment entered, with its serial number, location, and the days it was installed and removed. {} items, {installed} installed now.",
            rows.len()
        )),
    ];
    for r in rows {
        let heading = if r.reference.is_empty() {
            r.cells[1].clone()
        } else {
            format!("{} — {}", r.reference, r.cells[1])
        };
        blocks.push(Block::Heading(heading));
        for (col, value) in COLUMNS.iter().zip(r.cells.iter()).skip(2) {
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

    fn day(s: &str) -> Date {
        s.parse().expect("day")
    }

    fn recorder() -> Details {
        Details {
            kind: Kind::Recorder,
            camera: None,
            make_model: "Dell PowerEdge R350".to_owned(),
            serial_number: "7XQ2K93".to_owned(),
            location: "Control room rack 1".to_owned(),
            installed_on: Some(day("2026-03-01")),
            removed_on: None,
            notes: String::new(),
        }
    }

    fn item(d: Details) -> Item {
        Item {
            reference: "EQ-2026-0001".to_owned(),
            recorded: d,
            recorded_by_name: "Sam".to_owned(),
            recorded_at_unix_ms: 0,
            removal: None,
            corrections: Vec::new(),
        }
    }

    #[test]
    fn every_problem_at_once() {
        let d = Details {
            kind: Kind::Monitor,
            installed_on: Some(day("2027-01-01")),
            removed_on: Some(day("2026-01-01")),
            ..Details::default()
        };
        let p = validate(&d, day("2026-06-01")).expect_err("problems");
        assert_eq!(p.len(), 5, "{p:?}");
        let cam = Details {
            kind: Kind::Camera,
            ..recorder()
        };
        let p = validate(&cam, day("2026-06-01")).expect_err("no camera");
        assert!(p[0].contains("camera of the register"), "{p:?}");
        assert_eq!(validate(&recorder(), day("2026-06-01")), Ok(()));
    }

    #[test]
    fn removal_and_corrections_are_new_entries_applied_in_order() {
        let today = day("2026-06-01");
        let mut i = item(recorder());
        assert!(check_removal(&i.current(), day("2026-02-01"), "faulty", today).is_err());
        assert!(check_removal(&i.current(), day("2026-05-01"), "", today).is_err());
        assert_eq!(
            check_removal(&i.current(), day("2026-05-01"), "faulty", today),
            Ok(())
        );
        i.removal = Some(Removal {
            on: day("2026-05-01"),
            reason: "faulty".to_owned(),
            by: "Sam".to_owned(),
            at_unix_ms: 0,
        });
        assert!(!i.installed());
        let c = CorrectionDraft {
            field: Field::SerialNumber,
            value: "7XQ2K98".to_owned(),
            reason: "a digit misread".to_owned(),
        };
        let before = check_correction(&i.current(), &c, today).expect("ok");
        assert_eq!(before, "7XQ2K93");
        i.corrections.push(Correction {
            field: c.field,
            before,
            after: c.value.clone(),
            reason: c.reason.clone(),
            by: "Sam".to_owned(),
            at_unix_ms: 0,
        });
        assert_eq!(i.current().serial_number, "7XQ2K98");
        assert_eq!(i.recorded.serial_number, "7XQ2K93");
        let same = CorrectionDraft {
            field: Field::SerialNumber,
            value: "7XQ2K98".to_owned(),
            reason: "again and again".to_owned(),
        };
        assert!(check_correction(&i.current(), &same, today).is_err());
    }

    #[test]
    fn the_list_has_the_registers_cameras_then_the_other_equipment() {
        let cams = vec![
            RegisteredCamera {
                id: "gate".to_owned(),
                name: "Gate".to_owned(),
                location: "Above the gate".to_owned(),
                registered_on: Some(day("2026-01-05")),
                retired_on: None,
            },
            RegisteredCamera {
                id: "yard".to_owned(),
                name: "Yard".to_owned(),
                location: "Yard".to_owned(),
                registered_on: Some(day("2026-01-05")),
                retired_on: Some(day("2026-04-01")),
            },
        ];
        let mut gate = item(Details {
            kind: Kind::Camera,
            camera: Some("gate".to_owned()),
            make_model: "Axis P1455-LE".to_owned(),
            serial_number: "ACCC8E000001".to_owned(),
            location: String::new(),
            installed_on: Some(day("2025-12-01")),
            removed_on: None,
            notes: String::new(),
        });
        gate.reference = "EQ-2026-0002".to_owned();
        let rows = list(&[item(recorder()), gate], &cams);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].cells[1], "Camera: Gate");
        assert_eq!(rows[0].cells[3], "ACCC8E000001");
        assert_eq!(rows[0].cells[4], "Above the gate");
        assert_eq!(rows[0].cells[5], "2025-12-01");
        assert!(rows[1].cells[6].contains("retired"), "{:?}", rows[1]);
        assert!(!rows[1].installed);
        assert_eq!(rows[2].cells[1], "Recorder");
        let text = csv(&rows);
        assert!(text.starts_with(&COLUMNS.join(",")), "{text}");
    }
}
