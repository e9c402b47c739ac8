//! Video prints (BDC-34, BDC-18): stills made from recorded footage only on the written
//! authority of a police officer of the rank of Inspector or above, each with a unique
//! reference, recorded in the video print register with to whom it was given and its
//! destruction once authorised.
//!
//! Invariants:
//! - An authority ([`AuthorityDraft`]) is recorded only with the officer's name, rank,
//!   warrant or collar number and force, what it asks for, the day it is dated (not in the
//!   future) and the written authority itself; [`validate_authority`] gives every problem at
//!   once, and refuses an officer below Inspector ([`check_rank`]). Ranks are ordered by
//!   their standing among a territorial force's ranks ([`Rank::standing`], the
//!   Metropolitan and City of London Police's own titles placed with their equals), so "or
//!   above" is a comparison, never a list.
//! - A print is made under one authority, from one camera at one moment: the last frame at
//!   or before it, decoded from the footage as recorded (never re-encoded).
//! - A print moves forward only: made, then (in any order) given to someone and its
//!   destruction authorised by a countersigner of the register; destroyed only once its
//!   destruction is authorised, and never given after it is destroyed ([`Print::check`]).
//! - Nothing is edited: corrections are new entries naming the record, the detail, its
//!   value before and after, and why, applied in order ([`Authority::current`],
//!   [`Print::current_given`]); a correction of the rank is refused below Inspector too.
//! - References are `VPA-YYYY-NNNN` for an authority and `VP-YYYY-NNNN` for a print,
//!   numbered in the UK year and never reused.
//!
//! Pure rules: no I/O. The store records, decodes the still, ledgers and loads
//! (`custos_store::prints`).

use jiff::civil::Date;

use crate::pdf::Block;
use crate::police_control::PoliceRank;

/// The prefix of an authority's reference (`VPA-2026-0001`).
pub const AUTHORITY_PREFIX: &str = "VPA";

/// The prefix of a print's reference (`VP-2026-0001`).
pub const PREFIX: &str = "VP";

/// The lowest rank whose written authority allows a print.
pub const LOWEST_RANK: PoliceRank = PoliceRank::Inspector;

kebab_enum! {
    /// A police officer's rank as written on an authority: the ranks of a territorial force
    /// and the titles the Metropolitan Police and the City of London Police use above
    /// Chief Superintendent.
    Rank, "police rank" {
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
        /// Commander (Metropolitan and City of London Police): an Assistant Chief
        /// Constable's equal.
        Commander = "commander",
        /// Assistant Chief Constable.
        AssistantChiefConstable = "assistant-chief-constable",
        /// Deputy Assistant Commissioner (Metropolitan Police): a Deputy Chief
        /// Constable's equal.
        DeputyAssistantCommissioner = "deputy-assistant-commissioner",
        /// Deputy Chief Constable.
        DeputyChiefConstable = "deputy-chief-constable",
        /// Assistant Commissioner (Metropolitan Police, City of London Police): a Chief
        /// Constable's equal.
        AssistantCommissioner = "assistant-commissioner",
        /// Chief Constable.
        ChiefConstable = "chief-constable",
        /// Deputy Commissioner (Metropolitan Police).
        DeputyCommissioner = "deputy-commissioner",
        /// Commissioner (Metropolitan Police, City of London Police).
        Commissioner = "commissioner",
    }
}

impl Rank {
    /// The rank in words, capitalised as a title: "Chief Inspector".
    pub fn describe(self) -> &'static str {
        match self {
            Self::Constable => "Police Constable",
            Self::Sergeant => "Sergeant",
            Self::Inspector => "Inspector",
            Self::ChiefInspector => "Chief Inspector",
            Self::Superintendent => "Superintendent",
            Self::ChiefSuperintendent => "Chief Superintendent",
            Self::Commander => "Commander",
            Self::AssistantChiefConstable => "Assistant Chief Constable",
            Self::DeputyAssistantCommissioner => "Deputy Assistant Commissioner",
            Self::DeputyChiefConstable => "Deputy Chief Constable",
            Self::AssistantCommissioner => "Assistant Commissioner",
            Self::ChiefConstable => "Chief Constable",
            Self::DeputyCommissioner => "Deputy Commissioner",
            Self::Commissioner => "Commissioner",
        }
    }

    /// A rank as written: its id (`chief-inspector`) or its title in any case and spacing
    /// ("Chief Inspector").
    pub fn parse_words(text: &str) -> Result<Self, String> {
        let t = text.trim();
        if let Ok(r) = t.parse() {
            return Ok(r);
        }
        let norm = |s: &str| {
            s.split_whitespace()
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
                .join(" ")
        };
        Self::ALL
            .iter()
            .copied()
            .find(|r| norm(r.describe()) == norm(t))
            .ok_or_else(|| {
                format!(
                    "{t:?} is not a police rank; use one of {}",
                    Self::ALL
                        .iter()
                        .map(|r| r.describe())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
    }

    /// Where the rank stands among a territorial force's ranks: a Commander with an
    /// Assistant Chief Constable, a Deputy Assistant Commissioner with a Deputy Chief
    /// Constable, the Commissioners with a Chief Constable.
    pub fn standing(self) -> PoliceRank {
        match self {
            Self::Constable => PoliceRank::Constable,
            Self::Sergeant => PoliceRank::Sergeant,
            Self::Inspector => PoliceRank::Inspector,
            Self::ChiefInspector => PoliceRank::ChiefInspector,
            Self::Superintendent => PoliceRank::Superintendent,
            Self::ChiefSuperintendent => PoliceRank::ChiefSuperintendent,
            Self::Commander | Self::AssistantChiefConstable => PoliceRank::AssistantChiefConstable,
            Self::DeputyAssistantCommissioner | Self::DeputyChiefConstable => {
                PoliceRank::DeputyChiefConstable
            }
            Self::AssistantCommissioner
            | Self::ChiefConstable
            | Self::DeputyCommissioner
            | Self::Commissioner => PoliceRank::ChiefConstable,
        }
    }
}

/// Whether an officer of `rank` may authorise a print; the refusal says which rank is
/// needed.
pub fn check_rank(rank: Rank) -> Result<(), String> {
    if rank.standing() >= LOWEST_RANK {
        Ok(())
    } else {
        Err(format!(
            "a video print is made only on the written authority of a police officer of the rank of {} or above; a {} cannot authorise one: ask an Inspector or a more senior officer for the written authority",
            LOWEST_RANK.describe(),
            rank.describe()
        ))
    }
}

/// The officer whose written authority allows prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Officer {
    /// Their name.
    pub name: String,
    /// Their rank.
    pub rank: Rank,
    /// Their warrant or collar number.
    pub number: String,
    /// Their force, e.g. "Nottinghamshire Police".
    pub force: String,
}

impl Officer {
    /// "Inspector Jane Doe (warrant or collar number 1234), Nottinghamshire Police".
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

/// A written authority as the form gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorityDraft {
    /// Who gave it.
    pub officer: Officer,
    /// What it asks for and why ("stills of the assault outside the Crown, 23:10").
    pub request: String,
    /// The day it is dated.
    pub dated: Option<Date>,
    /// The written authority (a scan or the e-mail) is attached, not empty.
    pub document_attached: bool,
}

fn officer_problems(o: &Officer, problems: &mut Vec<String>) {
    if o.name.trim().chars().count() < 2 {
        problems.push("give the name of the police officer who gave the authority".to_owned());
    }
    if o.number.trim().is_empty() {
        problems.push("give the officer's warrant or collar number".to_owned());
    }
    if o.force.trim().chars().count() < 2 {
        problems.push("give the officer's force".to_owned());
    }
    if let Err(e) = check_rank(o.rank) {
        problems.push(e);
    }
}

fn authority_problems(d: &AuthorityDraft, today: Date) -> Vec<String> {
    let mut problems = Vec::new();
    officer_problems(&d.officer, &mut problems);
    if d.request.trim().chars().count() < 5 {
        problems.push("say what the authority asks for and why".to_owned());
    }
    match d.dated {
        None => problems.push("give the day the written authority is dated".to_owned()),
        Some(day) if day > today => {
            problems.push("the written authority is dated in the future".to_owned());
        }
        Some(_) => {}
    }
    problems
}

/// Every problem with `d` on UK day `today`, at once: the officer's details and rank, what
/// it asks for, its date, and the written authority attached.
pub fn validate_authority(d: &AuthorityDraft, today: Date) -> Result<(), Vec<String>> {
    let mut problems = authority_problems(d, today);
    if !d.document_attached {
        problems.push(
            "attach the written authority (a scan of the signed request or the e-mail as received)"
                .to_owned(),
        );
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

kebab_enum! {
    /// A detail of an authority a correction changes.
    AuthorityField, "detail of an authority" {
        /// The officer's name.
        OfficerName = "officer-name",
        /// The officer's rank.
        OfficerRank = "officer-rank",
        /// The warrant or collar number.
        OfficerNumber = "officer-number",
        /// The force.
        Force = "force",
        /// What it asks for.
        Request = "request",
        /// The day it is dated.
        Dated = "dated",
    }
}

impl AuthorityField {
    /// In words: "Officer's rank".
    pub fn describe(self) -> &'static str {
        match self {
            Self::OfficerName => "Officer's name",
            Self::OfficerRank => "Officer's rank",
            Self::OfficerNumber => "Warrant or collar number",
            Self::Force => "Force",
            Self::Request => "What it asks for",
            Self::Dated => "Dated",
        }
    }

    /// The field's value in `d`, as stored (a rank by its id, a day as `YYYY-MM-DD`).
    pub fn value_in(self, d: &AuthorityDraft) -> String {
        match self {
            Self::OfficerName => d.officer.name.clone(),
            Self::OfficerRank => d.officer.rank.as_str().to_owned(),
            Self::OfficerNumber => d.officer.number.clone(),
            Self::Force => d.officer.force.clone(),
            Self::Request => d.request.clone(),
            Self::Dated => d.dated.map(|d| d.to_string()).unwrap_or_default(),
        }
    }

    /// A value as stored: a rank by its id, anything else trimmed.
    pub fn stored(self, value: &str) -> String {
        match self {
            Self::OfficerRank => Rank::parse_words(value)
                .map(|r| r.as_str().to_owned())
                .unwrap_or_else(|_| value.trim().to_owned()),
            _ => value.trim().to_owned(),
        }
    }

    /// A stored value in words (a rank as its title).
    pub fn value_words(self, value: &str) -> String {
        match self {
            Self::OfficerRank => Rank::parse_words(value)
                .map(|r| r.describe().to_owned())
                .unwrap_or_else(|_| value.to_owned()),
            _ => value.to_owned(),
        }
    }
}

/// `d` with `field` set to `value`, or why the value cannot be.
fn authority_with(
    d: &AuthorityDraft,
    field: AuthorityField,
    value: &str,
) -> Result<AuthorityDraft, String> {
    let mut d = d.clone();
    let v = value.trim().to_owned();
    match field {
        AuthorityField::OfficerName => d.officer.name = v,
        AuthorityField::OfficerRank => d.officer.rank = Rank::parse_words(&v)?,
        AuthorityField::OfficerNumber => d.officer.number = v,
        AuthorityField::Force => d.officer.force = v,
        AuthorityField::Request => d.request = v,
        AuthorityField::Dated => {
            d.dated = Some(v.parse().map_err(|_| {
                "the day it is dated must be written YYYY-MM-DD, e.g. 2026-11-23".to_owned()
            })?);
        }
    }
    Ok(d)
}

/// A correction as asked for: the detail, its new value, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrectionDraft<F> {
    /// The detail corrected.
    pub field: F,
    /// Its new value.
    pub value: String,
    /// Why.
    pub reason: String,
}

/// A correction as recorded: a new entry naming the record it corrects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction<F> {
    /// The detail corrected.
    pub field: F,
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

impl Correction<AuthorityField> {
    /// "Officer's name corrected from “…” to “…” by … on …: why".
    pub fn describe(&self) -> String {
        correction_words(
            self.field.describe(),
            &self.field.value_words(&self.before),
            &self.field.value_words(&self.after),
            self,
        )
    }
}

impl Correction<PrintField> {
    /// "Given to corrected from “…” to “…” by … on …: why".
    pub fn describe(&self) -> String {
        correction_words(
            self.field.describe(),
            &self.field.value_words(&self.before),
            &self.field.value_words(&self.after),
            self,
        )
    }
}

fn correction_words<F>(what: &str, before: &str, after: &str, c: &Correction<F>) -> String {
    format!(
        "{what} corrected from “{before}” to “{after}” by {} on {}: {}",
        c.by,
        custos_base::UnixMs(c.at_unix_ms).to_london_display(),
        c.reason
    )
}

/// Checks correction `c` of an authority standing as `current` on UK day `today`: a
/// reason, a value that changes something, and the authority still whole (an officer of
/// Inspector's rank or above). Returns the value before, as stored.
pub fn check_authority_correction(
    current: &AuthorityDraft,
    c: &CorrectionDraft<AuthorityField>,
    today: Date,
) -> Result<String, Vec<String>> {
    let mut problems = Vec::new();
    if c.reason.trim().chars().count() < 5 {
        problems.push("say why the authority is corrected".to_owned());
    }
    let before = c.field.value_in(current);
    match authority_with(current, c.field, &c.value) {
        Err(e) => problems.push(e),
        Ok(after) => {
            if c.field.value_in(&after) == before {
                problems.push(format!(
                    "{} is already “{}”: nothing to correct",
                    c.field.describe(),
                    c.field.value_words(&before)
                ));
            }
            problems.extend(authority_problems(&after, today));
        }
    }
    if problems.is_empty() {
        Ok(before)
    } else {
        Err(problems)
    }
}

/// The written authority kept with an authority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Its file name as received.
    pub name: String,
    /// Its SHA-256, in hex.
    pub sha256: String,
}

/// A police officer's written authority as recorded, with its corrections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    /// `VPA-2026-0001`.
    pub reference: String,
    /// As recorded (the document attached).
    pub recorded: AuthorityDraft,
    /// The written authority.
    pub document: Document,
    /// Who recorded it (their user name).
    pub recorded_by: String,
    /// Their name.
    pub recorded_by_name: String,
    /// When.
    pub recorded_at_unix_ms: i64,
    /// The corrections, oldest first.
    pub corrections: Vec<Correction<AuthorityField>>,
}

impl Authority {
    /// The authority as it stands: as recorded with each correction applied in order.
    pub fn current(&self) -> AuthorityDraft {
        let mut d = self.recorded.clone();
        for c in &self.corrections {
            if let Ok(next) = authority_with(&d, c.field, &c.after) {
                d = next;
            }
        }
        d
    }
}

/// To whom a print was given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Given {
    /// Their name.
    pub to: String,
    /// Their organisation ("Nottinghamshire Police").
    pub organisation: String,
    /// When.
    pub at_unix_ms: i64,
}

/// Checks `g` at `now_unix_ms`.
pub fn check_given(g: &Given, made_at_unix_ms: i64, now_unix_ms: i64) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    if g.to.trim().chars().count() < 2 {
        problems.push("give the name of the person the print was given to".to_owned());
    }
    if g.organisation.trim().chars().count() < 2 {
        problems.push("give their organisation".to_owned());
    }
    if g.at_unix_ms < made_at_unix_ms {
        problems.push("the print was given before it was made".to_owned());
    }
    if g.at_unix_ms > now_unix_ms + 5 * 60_000 {
        problems.push("the time it was given is in the future".to_owned());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

kebab_enum! {
    /// A detail of a print a correction changes: to whom it was given.
    PrintField, "detail of a print" {
        /// The name of who it was given to.
        GivenTo = "given-to",
        /// Their organisation.
        GivenToOrganisation = "given-to-organisation",
        /// When it was given.
        GivenAt = "given-at",
    }
}

impl PrintField {
    /// In words: "Given to".
    pub fn describe(self) -> &'static str {
        match self {
            Self::GivenTo => "Given to",
            Self::GivenToOrganisation => "Their organisation",
            Self::GivenAt => "Given at",
        }
    }

    /// The field's value in `g`, as stored (a time as milliseconds).
    pub fn value_in(self, g: &Given) -> String {
        match self {
            Self::GivenTo => g.to.clone(),
            Self::GivenToOrganisation => g.organisation.clone(),
            Self::GivenAt => g.at_unix_ms.to_string(),
        }
    }

    /// A stored value in words (a time in UK time).
    pub fn value_words(self, value: &str) -> String {
        match self {
            Self::GivenAt => value
                .parse::<i64>()
                .map(|t| custos_base::UnixMs(t).to_london_display())
                .unwrap_or_else(|_| value.to_owned()),
            _ => value.to_owned(),
        }
    }

    /// Whether the field is a time (its value is milliseconds since 1970 as text).
    pub fn is_time(self) -> bool {
        self == Self::GivenAt
    }
}

fn given_with(g: &Given, field: PrintField, value: &str) -> Result<Given, String> {
    let mut g = g.clone();
    let v = value.trim().to_owned();
    match field {
        PrintField::GivenTo => g.to = v,
        PrintField::GivenToOrganisation => g.organisation = v,
        PrintField::GivenAt => {
            g.at_unix_ms = v
                .parse()
                .map_err(|_| "the time it was given must be a time".to_owned())?;
        }
    }
    Ok(g)
}

/// Who authorised a print's destruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestructionAuthorised {
    /// Their name.
    pub by: String,
    /// The pack role they authorised it in.
    pub role: String,
    /// Why it may be destroyed.
    pub reason: String,
    /// When.
    pub at_unix_ms: i64,
}

/// A print's destruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destroyed {
    /// Who destroyed it (their name).
    pub by: String,
    /// When.
    pub at_unix_ms: i64,
}

/// What the still was made from: the recorded segment and fragment, as the store keeps
/// them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The camera's id.
    pub camera: String,
    /// The camera's name when the print was made.
    pub camera_name: String,
    /// The moment asked for.
    pub moment_unix_ms: i64,
    /// The wall-clock time of the frame the still shows.
    pub frame_unix_ms: i64,
    /// The segment's SHA-256 as the store recorded it when it was written.
    pub segment_sha256: String,
    /// The still's (PNG's) SHA-256.
    pub still_sha256: String,
    /// The sidecar's (JSON's) SHA-256.
    pub sidecar_sha256: String,
    /// The still's size in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
}

/// A step on a print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Given to someone.
    Give,
    /// Its destruction authorised.
    AuthoriseDestruction,
    /// Destroyed.
    Destroy,
    /// A correction of to whom it was given.
    Correct,
}

/// A print as recorded, with what has happened since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Print {
    /// `VP-2026-0001`.
    pub reference: String,
    /// The authority it was made under (`VPA-2026-0001`).
    pub authority: String,
    /// What it was made from.
    pub source: Source,
    /// Who made it (their user name).
    pub made_by: String,
    /// Their name.
    pub made_by_name: String,
    /// When.
    pub made_at_unix_ms: i64,
    /// To whom it was given, as first recorded.
    pub given: Option<Given>,
    /// Its destruction's authorisation.
    pub destruction_authorised: Option<DestructionAuthorised>,
    /// Its destruction.
    pub destroyed: Option<Destroyed>,
    /// Corrections of to whom it was given, oldest first.
    pub corrections: Vec<Correction<PrintField>>,
}

impl Print {
    /// To whom it was given, as it stands (with corrections).
    pub fn current_given(&self) -> Option<Given> {
        let mut g = self.given.clone()?;
        for c in &self.corrections {
            if let Ok(next) = given_with(&g, c.field, &c.after) {
                g = next;
            }
        }
        Some(g)
    }

    /// Whether `step` may be taken now; why not otherwise.
    pub fn check(&self, step: Step) -> Result<(), String> {
        let r = &self.reference;
        match (step, &self.destroyed) {
            (_, Some(d)) => Err(format!(
                "{r} was destroyed on {}: nothing more can be recorded for it",
                custos_base::UnixMs(d.at_unix_ms).to_london_display()
            )),
            (Step::Give, None) if self.given.is_some() => Err(format!(
                "{r} is recorded as given already; to change to whom, correct it"
            )),
            (Step::Correct, None) if self.given.is_none() => Err(format!(
                "{r} has not been given to anyone: record to whom it is given rather than correct it"
            )),
            (Step::AuthoriseDestruction, None) if self.destruction_authorised.is_some() => {
                Err(format!("the destruction of {r} is authorised already"))
            }
            (Step::Destroy, None) if self.destruction_authorised.is_none() => Err(format!(
                "the destruction of {r} is not authorised yet: someone who countersigns the video print register authorises it first"
            )),
            _ => Ok(()),
        }
    }

    /// Checks correction `c` of to whom the print was given at `now_unix_ms`. Returns the
    /// value before, as stored.
    pub fn check_correction(
        &self,
        c: &CorrectionDraft<PrintField>,
        now_unix_ms: i64,
    ) -> Result<String, Vec<String>> {
        let mut problems = Vec::new();
        if let Err(e) = self.check(Step::Correct) {
            problems.push(e);
        }
        if c.reason.trim().chars().count() < 5 {
            problems.push("say why the print's record is corrected".to_owned());
        }
        let current = self.current_given().unwrap_or_default();
        let before = c.field.value_in(&current);
        match given_with(&current, c.field, &c.value) {
            Err(e) => problems.push(e),
            Ok(after) => {
                if c.field.value_in(&after) == before {
                    problems.push(format!(
                        "{} is already “{}”: nothing to correct",
                        c.field.describe(),
                        c.field.value_words(&before)
                    ));
                }
                if self.given.is_some()
                    && let Err(p) = check_given(&after, self.made_at_unix_ms, now_unix_ms)
                {
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

    /// Kept by the scheme and not destroyed: in the secure cabinet, or given away with
    /// the scheme's own copy still held.
    pub fn kept(&self) -> bool {
        self.destroyed.is_none()
    }

    /// Where it stands, in words: "Kept", "Given to …", "Destruction authorised",
    /// "Destroyed".
    pub fn status(&self) -> String {
        if self.destroyed.is_some() {
            "Destroyed".to_owned()
        } else if self.destruction_authorised.is_some() {
            "Destruction authorised".to_owned()
        } else if let Some(g) = self.current_given() {
            format!("Given to {} ({})", g.to, g.organisation)
        } else {
            "Kept".to_owned()
        }
    }
}

/// The columns of the video print register (BDC-34), in the CSV and the PDF.
pub const COLUMNS: [&str; 19] = [
    "Reference",
    "Made",
    "Made by",
    "Camera",
    "Moment shown",
    "Authority",
    "Officer",
    "Rank",
    "Warrant or collar number",
    "Force",
    "Authority dated",
    "Given to",
    "Given at",
    "Destruction authorised by",
    "Destruction authorised at",
    "Destroyed by",
    "Destroyed at",
    "Segment SHA-256",
    "Corrections",
];

/// A moment in UK time to the millisecond, as a still's moment is shown:
/// "2026-11-20 23:10:07.040 GMT".
pub fn moment_words(unix_ms: i64) -> String {
    custos_base::UnixMs(unix_ms)
        .to_timestamp()
        .and_then(|t| {
            crate::calendar::uk_time_zone().ok().map(|tz| {
                let z = t.to_zoned(tz);
                format!(
                    "{}.{:03} {}",
                    z.strftime("%Y-%m-%d %H:%M:%S"),
                    unix_ms.rem_euclid(1000),
                    z.strftime("%Z")
                )
            })
        })
        .unwrap_or_default()
}

/// A print's row of the register, in [`COLUMNS`] order, with its authority as it stands
/// (when known).
pub fn row(p: &Print, authority: Option<&Authority>) -> Vec<String> {
    let t = |ms: i64| custos_base::UnixMs(ms).to_london_display();
    let a = authority.map(Authority::current);
    let given = p.current_given();
    let mut corrections: Vec<String> = authority
        .map(|a| {
            a.corrections
                .iter()
                .map(Correction::<AuthorityField>::describe)
                .collect()
        })
        .unwrap_or_default();
    corrections.extend(p.corrections.iter().map(Correction::<PrintField>::describe));
    vec![
        p.reference.clone(),
        t(p.made_at_unix_ms),
        p.made_by_name.clone(),
        p.source.camera_name.clone(),
        moment_words(p.source.frame_unix_ms),
        p.authority.clone(),
        a.as_ref()
            .map(|a| a.officer.name.clone())
            .unwrap_or_default(),
        a.as_ref()
            .map(|a| a.officer.rank.describe().to_owned())
            .unwrap_or_default(),
        a.as_ref()
            .map(|a| a.officer.number.clone())
            .unwrap_or_default(),
        a.as_ref()
            .map(|a| a.officer.force.clone())
            .unwrap_or_default(),
        a.as_ref()
            .and_then(|a| a.dated)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        given
            .as_ref()
            .map(|g| format!("{} ({})", g.to, g.organisation))
            .unwrap_or_default(),
        given.as_ref().map(|g| t(g.at_unix_ms)).unwrap_or_default(),
        p.destruction_authorised
            .as_ref()
            .map(|d| {
                format!(
                    "{} ({}): {}",
                    d.by,
                    crate::role::role_words(&d.role),
                    d.reason
                )
            })
            .unwrap_or_default(),
        p.destruction_authorised
            .as_ref()
            .map(|d| t(d.at_unix_ms))
            .unwrap_or_default(),
        p.destroyed
            .as_ref()
            .map(|d| d.by.clone())
            .unwrap_or_default(),
        p.destroyed
            .as_ref()
            .map(|d| t(d.at_unix_ms))
            .unwrap_or_default(),
        p.source.segment_sha256.clone(),
        corrections.join("; "),
    ]
}

fn authority_of<'a>(p: &Print, authorities: &'a [Authority]) -> Option<&'a Authority> {
    authorities.iter().find(|a| a.reference == p.authority)
}

/// The register as a CSV file: [`COLUMNS`], then one row per print.
pub fn csv(prints: &[Print], authorities: &[Authority]) -> String {
    crate::csvfile::document(
        &COLUMNS,
        prints.iter().map(|p| row(p, authority_of(p, authorities))),
    )
}

/// The register as a PDF: a title, then each print as a block of lines under its
/// reference, every column named.
pub fn pdf(
    scheme: &str,
    prints: &[Print],
    authorities: &[Authority],
    created: jiff::Timestamp,
) -> Vec<u8> {
    let title = format!("Video print register — {scheme}");
    let kept = prints.iter().filter(|p| p.kept()).count();
    let mut blocks = vec![
        Block::Heading(title.clone()),
        Block::Paragraph(format!(
            "Every still made from the scheme's footage, each on the written authority of a police officer of the rank of Inspector or above, with to whom it was given and its destruction once authorised. {} prints, {kept} not destroyed.",
            prints.len()
        )),
    ];
    for p in prints {
        let cells = row(p, authority_of(p, authorities));
        blocks.push(Block::Heading(p.reference.clone()));
        for (col, value) in COLUMNS.iter().zip(cells.iter()).skip(1) {
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

    fn draft(rank: Rank) -> AuthorityDraft {
        AuthorityDraft {
            officer: Officer {
                name: "Jane Doe".to_owned(),
                rank,
                number: "4321".to_owned(),
                force: "Nottinghamshire Police".to_owned(),
            },
            request: "Stills of the assault outside the Crown at 23:10".to_owned(),
            dated: Some(day("2026-11-01")),
            document_attached: true,
        }
    }

    fn print() -> Print {
        Print {
            reference: "VP-2026-0001".to_owned(),
            authority: "VPA-2026-0001".to_owned(),
            source: Source {
                camera: "market".to_owned(),
                camera_name: "Market square".to_owned(),
                moment_unix_ms: 1000,
                frame_unix_ms: 960,
                segment_sha256: "ab".repeat(32),
                still_sha256: "cd".repeat(32),
                sidecar_sha256: "ef".repeat(32),
                width: 640,
                height: 360,
            },
            made_by: "op".to_owned(),
            made_by_name: "Op".to_owned(),
            made_at_unix_ms: 10_000,
            given: None,
            destruction_authorised: None,
            destroyed: None,
            corrections: Vec::new(),
        }
    }

    #[test]
    fn bdc_34_inspector_or_above_and_nothing_below() {
        let today = day("2026-11-02");
        for rank in [
            Rank::Inspector,
            Rank::ChiefInspector,
            Rank::Superintendent,
            Rank::ChiefSuperintendent,
            Rank::Commander,
            Rank::AssistantChiefConstable,
            Rank::DeputyAssistantCommissioner,
            Rank::DeputyChiefConstable,
            Rank::AssistantCommissioner,
            Rank::ChiefConstable,
            Rank::DeputyCommissioner,
            Rank::Commissioner,
        ] {
            assert_eq!(validate_authority(&draft(rank), today), Ok(()), "{rank}");
        }
        for rank in [Rank::Constable, Rank::Sergeant] {
            let p = validate_authority(&draft(rank), today).expect_err("too junior");
            assert_eq!(p.len(), 1, "{p:?}");
            assert!(p[0].contains("Inspector or above"), "{p:?}");
        }
        assert_eq!(
            Rank::Commander.standing(),
            PoliceRank::AssistantChiefConstable
        );
    }

    #[test]
    fn every_problem_with_an_authority_at_once() {
        let d = AuthorityDraft {
            officer: Officer {
                name: String::new(),
                rank: Rank::Sergeant,
                number: " ".to_owned(),
                force: String::new(),
            },
            request: String::new(),
            dated: Some(day("2027-01-01")),
            document_attached: false,
        };
        let p = validate_authority(&d, day("2026-11-02")).expect_err("problems");
        assert_eq!(p.len(), 7, "{p:?}");
    }

    #[test]
    fn a_stills_moment_is_shown_to_the_millisecond() {
        assert_eq!(
            moment_words(1_795_166_047_040),
            "2026-11-20 09:14:07.040 GMT"
        );
    }

    #[test]
    fn a_correction_cannot_lower_the_rank_below_inspector() {
        let today = day("2026-11-02");
        let d = draft(Rank::Inspector);
        let bad = CorrectionDraft {
            field: AuthorityField::OfficerRank,
            value: "sergeant".to_owned(),
            reason: "misread the rank".to_owned(),
        };
        assert!(check_authority_correction(&d, &bad, today).is_err());
        let good = CorrectionDraft {
            field: AuthorityField::OfficerRank,
            value: "chief  INSPECTOR".to_owned(),
            reason: "misread the rank".to_owned(),
        };
        assert_eq!(
            check_authority_correction(&d, &good, today),
            Ok("inspector".to_owned())
        );
        assert_eq!(
            AuthorityField::OfficerRank.stored("Chief Inspector"),
            "chief-inspector"
        );
        assert_eq!(Rank::parse_words("commander"), Ok(Rank::Commander));
        assert!(Rank::parse_words("general").is_err());
    }

    #[test]
    fn a_print_is_destroyed_only_once_its_destruction_is_authorised() {
        let mut p = print();
        assert!(p.check(Step::Destroy).is_err());
        assert!(p.check(Step::Correct).is_err());
        assert_eq!(p.check(Step::Give), Ok(()));
        p.given = Some(Given {
            to: "PC Smith".to_owned(),
            organisation: "Nottinghamshire Police".to_owned(),
            at_unix_ms: 20_000,
        });
        assert!(p.check(Step::Give).is_err());
        assert_eq!(p.status(), "Given to PC Smith (Nottinghamshire Police)");
        p.destruction_authorised = Some(DestructionAuthorised {
            by: "Sam".to_owned(),
            role: "supervisor".to_owned(),
            reason: "No longer needed".to_owned(),
            at_unix_ms: 30_000,
        });
        assert_eq!(p.check(Step::Destroy), Ok(()));
        p.destroyed = Some(Destroyed {
            by: "Op".to_owned(),
            at_unix_ms: 40_000,
        });
        assert!(!p.kept());
        for step in [
            Step::Give,
            Step::AuthoriseDestruction,
            Step::Destroy,
            Step::Correct,
        ] {
            assert!(p.check(step).is_err(), "{step:?}");
        }
    }

    #[test]
    fn corrections_of_to_whom_it_was_given_apply_in_order() {
        let mut p = print();
        p.given = Some(Given {
            to: "PC Smith".to_owned(),
            organisation: "Nottinghamshire Police".to_owned(),
            at_unix_ms: 20_000,
        });
        let c = CorrectionDraft {
            field: PrintField::GivenTo,
            value: "PC Smyth".to_owned(),
            reason: "spelt wrongly".to_owned(),
        };
        let before = p.check_correction(&c, 50_000).expect("ok");
        assert_eq!(before, "PC Smith");
        p.corrections.push(Correction {
            field: c.field,
            before,
            after: c.value,
            reason: c.reason,
            by: "Op".to_owned(),
            at_unix_ms: 50_000,
        });
        assert_eq!(p.current_given().expect("given").to, "PC Smyth");
        let cells = row(&p, None);
        assert_eq!(cells.len(), COLUMNS.len());
        assert!(cells[11].contains("PC Smyth"), "{cells:?}");
        assert!(cells[18].contains("spelt wrongly"), "{cells:?}");
        assert!(csv(&[p], &[]).starts_with(&COLUMNS.join(",")));
    }
}
