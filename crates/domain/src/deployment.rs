//! Redeployable camera deployments (BDC-38, LJM-5): the deployment log of a camera that is
//! not fixed in one place — where it goes (place and map reference), from when and until
//! when, the crime pattern or criminal intelligence that justifies it, one of the pack's
//! deployment purposes, the consultation with those affected or why there was none, the
//! privacy restrictions at that site, who authorised it, the signs erected and removed, and
//! when the camera came down.
//!
//! Invariants:
//! - A deployment is recorded only with every detail (all problems reported at once) and a
//!   purpose the pack lists; its reference is `DEP-YYYY-NNNN`.
//! - Nothing recorded is edited: a correction names the field, its value before and after,
//!   and why, and is applied on top of the record in order ([`Deployment::current`]).
//! - Signs may go up before the camera (they stand on the approach); they come down no
//!   earlier than they went up, and the camera comes down no earlier than the deployment
//!   starts.
//! - A deployment past its planned end with the camera still up is overdue (red), and one
//!   whose camera came down with its signs still up waits for them to come down.

use crate::Ident;

/// The reference prefix.
pub const PREFIX: &str = "DEP";

/// The five purposes BDC-38 allows a deployment, used when a pack names none.
pub const DEFAULT_PURPOSES: [&str; 5] = [
    "Prevention, investigation and/or detection of crime",
    "Apprehension and/or prosecution of offenders",
    "Public and employee safety",
    "Staff discipline",
    "Traffic flow monitoring",
];

kebab_enum! {
    /// What justifies a deployment (BDC-38: "crime patterns and/or criminal intelligence,
    /// both of which should have supporting data").
    Grounds, "grounds" {
        /// A written analysis of crime patterns.
        CrimePattern = "crime-pattern",
        /// Criminal intelligence logs.
        Intelligence = "intelligence",
        /// Both.
        Both = "both",
    }
}

impl Grounds {
    /// In words.
    pub fn words(self) -> &'static str {
        match self {
            Self::CrimePattern => "Crime pattern analysis",
            Self::Intelligence => "Criminal intelligence",
            Self::Both => "Crime pattern analysis and criminal intelligence",
        }
    }
}

/// The consultation with those the camera may affect (BDC-38, LJM-5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Consultation {
    /// Who was consulted and how.
    Made(String),
    /// Why consulting was not possible (e.g. it would defeat the deployment's purpose).
    NotPossible(String),
}

impl Consultation {
    /// In words, for the log.
    pub fn words(&self) -> String {
        match self {
            Self::Made(w) => format!("Consulted: {w}"),
            Self::NotPossible(w) => format!("Not possible: {w}"),
        }
    }

    /// Reads the form of [`Consultation::words`] back.
    pub fn from_words(text: &str) -> Self {
        match text.strip_prefix("Not possible: ") {
            Some(w) => Self::NotPossible(w.to_owned()),
            None => Self::Made(text.strip_prefix("Consulted: ").unwrap_or(text).to_owned()),
        }
    }
}

/// A deployment as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The camera deployed (a camera of the register).
    pub camera: Ident,
    /// Where: the street, building or site.
    pub place: String,
    /// The map reference (a grid reference or coordinates).
    pub map_reference: String,
    /// When it goes up (ms since the epoch).
    pub from_unix_ms: i64,
    /// When it is to come down.
    pub until_unix_ms: i64,
    /// What justifies it.
    pub grounds: Grounds,
    /// The crime pattern analysis or intelligence it rests on: its reference and summary.
    pub justification: String,
    /// One of the pack's deployment purposes, as the pack words it.
    pub purpose: String,
    /// The consultation made, or why none was possible.
    pub consultation: Consultation,
    /// The privacy restrictions at that site (masks over windows and gardens), or that none
    /// are needed and why.
    pub privacy: String,
    /// Who authorised it: name and role.
    pub authorised_by: String,
}

/// The details a correction may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The place.
    Place,
    /// The map reference.
    MapReference,
    /// The planned end.
    Until,
    /// The justification.
    Justification,
    /// The consultation.
    Consultation,
    /// The privacy restrictions.
    Privacy,
}

impl Field {
    /// Every field, for messages.
    pub const ALL: [Field; 6] = [
        Field::Place,
        Field::MapReference,
        Field::Until,
        Field::Justification,
        Field::Consultation,
        Field::Privacy,
    ];

    /// Its id in forms, the API and the ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Place => "place",
            Self::MapReference => "map-reference",
            Self::Until => "until",
            Self::Justification => "justification",
            Self::Consultation => "consultation",
            Self::Privacy => "privacy",
        }
    }

    /// Reads a field id.
    pub fn parse(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == text.trim())
            .ok_or_else(|| {
                format!(
                    "{text:?} is not a detail of a deployment that can be corrected: {}",
                    Self::ALL.map(Field::as_str).join(", ")
                )
            })
    }

    /// In words, e.g. "the planned end".
    pub fn words(self) -> &'static str {
        match self {
            Self::Place => "the place",
            Self::MapReference => "the map reference",
            Self::Until => "the planned end",
            Self::Justification => "the justification",
            Self::Consultation => "the consultation",
            Self::Privacy => "the privacy restrictions",
        }
    }
}

/// A correction: a field's value before and after, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// The field.
    pub field: Field,
    /// Before (a time as ms since the epoch, written out).
    pub before: String,
    /// After.
    pub after: String,
    /// Why.
    pub reason: String,
    /// Who (by name).
    pub by: String,
    /// When (ms since the epoch).
    pub at_unix_ms: i64,
}

/// A deployment as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    /// `DEP-2026-0001`.
    pub reference: String,
    /// As recorded.
    pub recorded: Draft,
    /// Who recorded it (by name).
    pub recorded_by: String,
    /// When.
    pub recorded_at_unix_ms: i64,
    /// When its signs went up.
    pub signs_up_unix_ms: Option<i64>,
    /// When its signs came down.
    pub signs_down_unix_ms: Option<i64>,
    /// When the camera came down.
    pub removed_unix_ms: Option<i64>,
    /// The corrections, in order.
    pub corrections: Vec<Correction>,
}

/// Where a deployment stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Not yet up.
    Planned,
    /// Up, within its planned period.
    Deployed,
    /// Past its planned end with the camera still up (red).
    Overdue,
    /// The camera came down, its signs still up.
    SignsLeft,
    /// Over: the camera and its signs down.
    Ended,
}

impl Standing {
    /// In words.
    pub fn words(self) -> &'static str {
        match self {
            Self::Planned => "Planned",
            Self::Deployed => "Deployed",
            Self::Overdue => "Past its end, still up",
            Self::SignsLeft => "Camera removed, signs still up",
            Self::Ended => "Ended",
        }
    }
}

impl Deployment {
    /// The deployment with its corrections applied, in order.
    pub fn current(&self) -> Draft {
        let mut d = self.recorded.clone();
        for c in &self.corrections {
            match c.field {
                Field::Place => d.place.clone_from(&c.after),
                Field::MapReference => d.map_reference.clone_from(&c.after),
                Field::Until => {
                    if let Ok(t) = c.after.parse() {
                        d.until_unix_ms = t;
                    }
                }
                Field::Justification => d.justification.clone_from(&c.after),
                Field::Consultation => d.consultation = Consultation::from_words(&c.after),
                Field::Privacy => d.privacy.clone_from(&c.after),
            }
        }
        d
    }

    /// Where it stands at `now_unix_ms`.
    pub fn standing(&self, now_unix_ms: i64) -> Standing {
        let d = self.current();
        match self.removed_unix_ms {
            Some(_) if self.signs_up_unix_ms.is_some() && self.signs_down_unix_ms.is_none() => {
                Standing::SignsLeft
            }
            Some(_) => Standing::Ended,
            None if now_unix_ms < d.from_unix_ms => Standing::Planned,
            None if now_unix_ms >= d.until_unix_ms => Standing::Overdue,
            None => Standing::Deployed,
        }
    }

    /// Whether footage recorded at `at_unix_ms` by its camera was recorded under it: from its
    /// start until the camera came down (or, while up, without end).
    pub fn covers(&self, at_unix_ms: i64) -> bool {
        let d = self.current();
        at_unix_ms >= d.from_unix_ms && self.removed_unix_ms.is_none_or(|r| at_unix_ms < r)
    }

    /// The log's row, in [`COLUMNS`] order.
    pub fn row(&self, camera_name: &str, now_unix_ms: i64) -> Vec<String> {
        let d = self.current();
        let when = |ms: i64| custos_base::UnixMs(ms).to_london_display();
        let maybe = |ms: Option<i64>| ms.map(when).unwrap_or_default();
        vec![
            self.reference.clone(),
            camera_name.to_owned(),
            d.place.clone(),
            d.map_reference.clone(),
            when(d.from_unix_ms),
            when(d.until_unix_ms),
            d.grounds.words().to_owned(),
            d.justification.clone(),
            d.purpose.clone(),
            d.consultation.words(),
            d.privacy.clone(),
            d.authorised_by.clone(),
            maybe(self.signs_up_unix_ms),
            maybe(self.signs_down_unix_ms),
            maybe(self.removed_unix_ms),
            self.standing(now_unix_ms).words().to_owned(),
            self.recorded_by.clone(),
            self.corrections.len().to_string(),
        ]
    }
}

/// The deployment log's columns (BDC-38's CCTV Deployment Log).
pub const COLUMNS: [&str; 18] = [
    "Reference",
    "Camera",
    "Place",
    "Map reference",
    "From",
    "Until",
    "Grounds",
    "Crime pattern or intelligence",
    "Purpose",
    "Consultation",
    "Privacy restrictions",
    "Authorised by",
    "Signs erected",
    "Signs removed",
    "Camera removed",
    "Standing",
    "Recorded by",
    "Corrections",
];

/// The deployment log as CSV in [`COLUMNS`]; `camera_name` names each camera by id.
pub fn csv(
    deployments: &[Deployment],
    camera_name: &dyn Fn(&Ident) -> String,
    now_unix_ms: i64,
) -> String {
    crate::csvfile::document(
        &COLUMNS,
        deployments
            .iter()
            .map(|d| d.row(&camera_name(&d.recorded.camera), now_unix_ms)),
    )
}

/// The deployment log as a PDF: a title, the purposes, then each deployment as a block of
/// lines under its reference, every column named, and its corrections.
pub fn pdf(
    scheme: &str,
    purposes: &[String],
    deployments: &[Deployment],
    camera_name: &dyn Fn(&Ident) -> String,
    now_unix_ms: i64,
    created: jiff::Timestamp,
) -> Vec<u8> {
    use crate::pdf::Block;
    let title = format!("Deployment log of redeployable cameras — {scheme}");
    let mut blocks = vec![
        Block::Heading(title.clone()),
        Block::Paragraph(format!(
            "Every deployment of a camera that is not fixed in one place: where and when, the crime pattern or intelligence that justified it, its purpose, the consultation made, the privacy restrictions, who authorised it, and when its signs and the camera went up and came down. {} deployments.",
            deployments.len()
        )),
        Block::Heading("The purposes a camera may be deployed for".to_owned()),
    ];
    for p in purposes {
        blocks.push(Block::Line(format!("• {p}")));
    }
    for d in deployments {
        let row = d.row(&camera_name(&d.recorded.camera), now_unix_ms);
        blocks.push(Block::Heading(d.reference.clone()));
        for (col, value) in COLUMNS.iter().zip(row.iter()).skip(1) {
            let value = if value.is_empty() { "—" } else { value };
            blocks.push(Block::Line(format!("{col}: {value}")));
        }
        for c in &d.corrections {
            blocks.push(Block::Line(format!(
                "Corrected {} by {}: {} — “{}”",
                custos_base::UnixMs(c.at_unix_ms).to_london_display(),
                c.by,
                c.field.words(),
                c.reason
            )));
        }
        blocks.push(Block::Space);
    }
    crate::pdf::render(&title, &blocks, created)
}

/// Every problem with `d` at once, or none; `purposes` are the pack's deployment purposes.
pub fn validate(d: &Draft, purposes: &[String]) -> Result<(), Vec<String>> {
    let mut p = Vec::new();
    let blank = |s: &str| s.trim().is_empty();
    if blank(&d.place) {
        p.push("say where the camera is deployed: the street, building or site".to_owned());
    }
    if blank(&d.map_reference) {
        p.push("give the site's map reference (a grid reference or coordinates)".to_owned());
    }
    if d.until_unix_ms <= d.from_unix_ms {
        p.push("the planned end must be after the deployment starts".to_owned());
    }
    if d.justification.trim().chars().count() < 10 {
        p.push(
            "give the crime pattern analysis or criminal intelligence that justifies it (its reference and what it shows)"
                .to_owned(),
        );
    }
    if !purposes.iter().any(|x| x == d.purpose.trim()) {
        p.push(format!(
            "the purpose must be one of the scheme's deployment purposes: {}",
            purposes.join("; ")
        ));
    }
    match &d.consultation {
        Consultation::Made(w) if blank(w) => {
            p.push("say who was consulted about the camera, and how".to_owned());
        }
        Consultation::NotPossible(w) if blank(w) => {
            p.push("say why consulting those affected was not possible".to_owned());
        }
        _ => {}
    }
    if blank(&d.privacy) {
        p.push(
            "describe the privacy restrictions at the site (masks over windows or gardens), or say why none are needed"
                .to_owned(),
        );
    }
    if blank(&d.authorised_by) {
        p.push("say who authorised the deployment: name and role".to_owned());
    }
    if p.is_empty() { Ok(()) } else { Err(p) }
}

/// Checks a correction of `field` to `value` on `dep`, giving the value to store (a time as
/// ms since the epoch, written out).
pub fn check_correction(
    dep: &Deployment,
    field: Field,
    value: &str,
    reason: &str,
) -> Result<String, String> {
    if reason.trim().chars().count() < 5 {
        return Err("say why it is corrected, in a few words: it goes into the ledger".to_owned());
    }
    let d = dep.current();
    let value = value.trim();
    match field {
        Field::Until => {
            let t: i64 = value
                .parse()
                .map_err(|_| format!("{value:?} is not a time"))?;
            if t <= d.from_unix_ms {
                return Err("the planned end must be after the deployment starts".to_owned());
            }
            Ok(t.to_string())
        }
        _ if value.is_empty() => Err(format!("{} cannot be empty", field.words())),
        _ => Ok(value.to_owned()),
    }
}

/// Checks that the signs can go up.
pub fn check_signs_up(dep: &Deployment) -> Result<(), String> {
    if dep.signs_up_unix_ms.is_some() {
        return Err(format!(
            "{}'s signs are already recorded as up",
            dep.reference
        ));
    }
    if dep.removed_unix_ms.is_some() {
        return Err(format!("{}'s camera has come down already", dep.reference));
    }
    Ok(())
}

/// Checks that the signs can come down at `at_unix_ms`.
pub fn check_signs_down(dep: &Deployment, at_unix_ms: i64) -> Result<(), String> {
    match (dep.signs_up_unix_ms, dep.signs_down_unix_ms) {
        (None, _) => Err(format!(
            "{}'s signs were never recorded as up",
            dep.reference
        )),
        (Some(_), Some(_)) => Err(format!(
            "{}'s signs are already recorded as down",
            dep.reference
        )),
        (Some(up), None) if at_unix_ms < up => {
            Err("the signs cannot come down before they went up".to_owned())
        }
        _ => Ok(()),
    }
}

/// Checks that the camera can come down at `at_unix_ms`.
pub fn check_removed(dep: &Deployment, at_unix_ms: i64) -> Result<(), String> {
    if dep.removed_unix_ms.is_some() {
        return Err(format!(
            "{}'s camera is already recorded as removed",
            dep.reference
        ));
    }
    if at_unix_ms < dep.current().from_unix_ms {
        return Err("the camera cannot come down before the deployment starts".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    fn draft() -> Draft {
        Draft {
            camera: Ident::parse("mobile-1").expect("id"),
            place: "Queen Street car park".to_owned(),
            map_reference: "SK 585 805".to_owned(),
            from_unix_ms: 10 * H,
            until_unix_ms: 100 * H,
            grounds: Grounds::CrimePattern,
            justification: "Analysis CP-2026-14: 11 vehicle crimes in six weeks".to_owned(),
            purpose: DEFAULT_PURPOSES[0].to_owned(),
            consultation: Consultation::Made("Letters to 14 houses on Queen Street".to_owned()),
            privacy: "Masks over the windows of 2 and 4 Queen Street".to_owned(),
            authorised_by: "A Manager, CCTV Manager".to_owned(),
        }
    }

    fn purposes() -> Vec<String> {
        DEFAULT_PURPOSES.map(str::to_owned).to_vec()
    }

    fn deployed() -> Deployment {
        Deployment {
            reference: "DEP-2026-0001".to_owned(),
            recorded: draft(),
            recorded_by: "Op".to_owned(),
            recorded_at_unix_ms: 9 * H,
            signs_up_unix_ms: None,
            signs_down_unix_ms: None,
            removed_unix_ms: None,
            corrections: Vec::new(),
        }
    }

    #[test]
    fn bdc_38_a_deployment_needs_every_detail_and_one_of_the_five_purposes() {
        validate(&draft(), &purposes()).expect("complete");
        let bad = Draft {
            place: " ".to_owned(),
            map_reference: String::new(),
            until_unix_ms: 5 * H,
            justification: "crime".to_owned(),
            purpose: "Catching litterers".to_owned(),
            consultation: Consultation::NotPossible(String::new()),
            privacy: String::new(),
            authorised_by: String::new(),
            ..draft()
        };
        let p = validate(&bad, &purposes()).expect_err("everything wrong");
        assert_eq!(p.len(), 8, "{p:?}");
        assert!(
            p.iter().any(|x| x.contains("Traffic flow monitoring")),
            "{p:?}"
        );
        assert!(p.iter().any(|x| x.contains("why consulting")), "{p:?}");
    }

    #[test]
    fn bdc_38_past_its_end_still_up_is_overdue_and_signs_left_behind_show() {
        let mut d = deployed();
        assert_eq!(d.standing(5 * H), Standing::Planned);
        assert_eq!(d.standing(50 * H), Standing::Deployed);
        assert_eq!(d.standing(100 * H), Standing::Overdue);
        check_signs_down(&d, 20 * H).expect_err("never up");
        check_signs_up(&d).expect("signs may go up first");
        d.signs_up_unix_ms = Some(8 * H);
        check_signs_down(&d, 7 * H).expect_err("before they went up");
        check_removed(&d, 9 * H).expect_err("before it started");
        check_removed(&d, 90 * H).expect("removed");
        d.removed_unix_ms = Some(90 * H);
        assert_eq!(d.standing(120 * H), Standing::SignsLeft);
        d.signs_down_unix_ms = Some(91 * H);
        assert_eq!(d.standing(120 * H), Standing::Ended);
        assert!(d.covers(10 * H) && d.covers(89 * H));
        assert!(!d.covers(9 * H) && !d.covers(90 * H));
    }

    #[test]
    fn bdc_38_a_correction_is_applied_on_top_and_needs_a_reason() {
        let mut d = deployed();
        let err =
            check_correction(&d, Field::Until, &(200 * H).to_string(), "").expect_err("no reason");
        assert!(err.contains("why"), "{err}");
        check_correction(&d, Field::Until, &H.to_string(), "extended for a week")
            .expect_err("before the start");
        let v = check_correction(&d, Field::Until, &(200 * H).to_string(), "extended").expect("ok");
        d.corrections.push(Correction {
            field: Field::Until,
            before: (100 * H).to_string(),
            after: v,
            reason: "extended".to_owned(),
            by: "Op".to_owned(),
            at_unix_ms: 60 * H,
        });
        d.corrections.push(Correction {
            field: Field::Consultation,
            before: draft().consultation.words(),
            after: "Not possible: it would alert the offenders".to_owned(),
            reason: "recorded wrongly".to_owned(),
            by: "Op".to_owned(),
            at_unix_ms: 61 * H,
        });
        let c = d.current();
        assert_eq!(c.until_unix_ms, 200 * H);
        assert_eq!(
            c.consultation,
            Consultation::NotPossible("it would alert the offenders".to_owned())
        );
        assert_eq!(d.standing(150 * H), Standing::Deployed);
        assert_eq!(
            d.recorded.until_unix_ms,
            100 * H,
            "the record stays as it was"
        );
        assert_eq!(d.row("Mobile 1", 150 * H).len(), COLUMNS.len());
    }
}
