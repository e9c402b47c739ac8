//! Policy packs: a scheme's code of practice as data (TOML), parsed and validated.
//!
//! A pack fixes what the codes of practice fix: the controller and contact points, the
//! nation whose bank holidays count, the purposes, retention periods, deadlines, which roles
//! may authorise each controlled action, access rules and the audio default. The format is
//! specified in `docs/ref/policy.md`.
//!
//! Invariants: [`PolicyPack::parse`] either returns a pack in which every reference resolves
//! (roles exist, retention never exceeds the maximum, every rule parses) or a
//! [`PolicyError`] listing every problem found, each with the line and column of the value
//! at fault and one sentence saying what is wrong and what would be right. A TOML syntax or
//! shape error (missing key, unknown key, wrong type) stops parsing, so it is reported alone;
//! all semantic problems are reported together.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::camera::{CameraKind, Nation, RecordingMode};
use crate::deadline::DeadlineRule;
use crate::ident::Ident;
use crate::ledger::Book;
use crate::role::{BUILT_IN_ROLES, Role, is_built_in};

/// The pack format this version of Custos reads.
pub const FORMAT_VERSION: u32 = 1;

/// The longest idle-lock time a pack may set, in minutes.
pub const MAX_IDLE_LOCK_MINUTES: u32 = 120;

// ---------------------------------------------------------------------------------------
// The validated pack
// ---------------------------------------------------------------------------------------

/// A validated policy pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyPack {
    /// The pack's id, e.g. `bosmere-junior-school`.
    pub id: Ident,
    /// The scheme's name for people.
    pub name: String,
    /// The author's label for this edition of the pack, if any.
    pub version_label: Option<String>,
    /// Where the published code of practice can be read (SCC-3, LJM-12), if given.
    pub code_of_practice: Option<String>,
    /// Who runs the scheme and how to reach them.
    pub controller: Controller,
    /// Whose bank holidays count for working days.
    pub nation: Nation,
    /// The specified purposes (SCC-1).
    pub purposes: Vec<Purpose>,
    /// How long footage and evidence are kept.
    pub retention: Retention,
    /// Statutory and scheme deadlines.
    pub deadlines: Deadlines,
    /// Built-in roles followed by the pack's custom roles.
    pub roles: Vec<Role>,
    /// Who may authorise each controlled action.
    pub authorise: Authorisations,
    /// Access rules for people using the system.
    pub access: Access,
    /// Defaults for newly registered cameras.
    pub recording: RecordingDefaults,
    /// Who keeps and who countersigns each of the control room's books (BDC-18, BDC-37).
    pub books: Books,
    /// How often each camera is checked and the maintenance contractor's times (LBU-16,
    /// BDC-19, ALT-15, SCC-8).
    pub maintenance: Maintenance,
}

/// The data controller and the published contact points (SCC-3, BDC-13, LBU-9, BJS-7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Controller {
    /// The controller's legal name.
    pub name: String,
    /// Postal address.
    pub address: String,
    /// Who to contact about the scheme.
    pub contact_point: String,
    /// How to reach the Data Protection Officer.
    pub dpo: String,
    /// How to ask for your footage or exercise other rights.
    pub requests: String,
    /// How to complain.
    pub complaints: String,
    /// E-mail address, if published.
    pub email: Option<String>,
    /// Telephone number, if published.
    pub phone: Option<String>,
    /// Web address, if published.
    pub website: Option<String>,
    /// The ombudsman a complainant may go to once the scheme's own procedure is complete,
    /// if any besides the ICO (a council's: the Local Government and Social Care
    /// Ombudsman).
    pub ombudsman: Option<Ombudsman>,
}

kebab_enum! {
    /// An ombudsman complaints may go to after the scheme's own procedure.
    Ombudsman, "ombudsman" {
        /// The Local Government and Social Care Ombudsman (Local Government Act 1974
        /// Part III), for councils in England.
        LocalGovernment = "local-government-and-social-care",
    }
}

/// A specified purpose (SCC-1, BJS-1, ALT-1, LBU-1, BDC-8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purpose {
    /// Stable id, e.g. `crime-prevention`.
    pub id: Ident,
    /// Short title.
    pub name: String,
    /// What the purpose is, for the transparency page.
    pub description: String,
    /// Whether cameras may be watched live for this purpose.
    pub live_view: bool,
    /// The recording modes this purpose allows; empty means live viewing only (LJM-1).
    pub recording: Vec<RecordingMode>,
    /// Whether the people recorded must consent first (LJM-1, LJM-2).
    pub consent_required: bool,
}

/// A length of time for keeping something, as people state it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    /// Whole days.
    Days(u32),
    /// Calendar months.
    Months(u32),
    /// Calendar years.
    Years(u32),
}

impl Period {
    /// Parses "21 days", "6 months", "1 year", "5 years".
    pub fn parse(text: &str) -> Result<Self, String> {
        let hint =
            "write a whole number and a unit, such as \"21 days\", \"6 months\" or \"3 years\"";
        let mut words = text.split_whitespace();
        let (Some(n), Some(unit), None) = (words.next(), words.next(), words.next()) else {
            return Err(format!("{text:?} is not a period: {hint}"));
        };
        let n: u32 = match n.parse() {
            Ok(n) if n > 0 && n <= 10_000 => n,
            _ => {
                return Err(format!(
                    "{text:?} is not a period: {n:?} is not a count from 1 to 10000; {hint}"
                ));
            }
        };
        match unit {
            "day" | "days" => Ok(Self::Days(n)),
            "month" | "months" => Ok(Self::Months(n)),
            "year" | "years" => Ok(Self::Years(n)),
            _ => Err(format!(
                "{text:?} is not a period: the unit {unit:?} is unknown; {hint}"
            )),
        }
    }
}

impl Period {
    /// The instant this period after `start`, counted in UK calendar days, months or
    /// years (6 months from 31 August is 28 or 29 February). Saturates at the far future.
    pub fn after(self, start: custos_base::UnixMs) -> custos_base::UnixMs {
        let (y, m, d) = match self {
            Self::Days(n) => (0, 0, i64::from(n)),
            Self::Months(n) => (0, i64::from(n), 0),
            Self::Years(n) => (i64::from(n), 0, 0),
        };
        start
            .plus_uk_calendar(y, m, d)
            .unwrap_or(custos_base::UnixMs(i64::MAX / 2))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (n, one, many) = match *self {
            Self::Days(n) => (n, "day", "days"),
            Self::Months(n) => (n, "month", "months"),
            Self::Years(n) => (n, "year", "years"),
        };
        write!(f, "{n} {}", if n == 1 { one } else { many })
    }
}

/// Retention rules (BJS-8, LBU-17, ALT-16, BDC-2, BDC-3, BDC-16).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retention {
    /// How long recorded footage is kept unless a camera says otherwise.
    pub default_days: u32,
    /// No camera may keep routine footage longer than this.
    pub maximum_days: u32,
    /// Retention for particular kinds of camera (never above the maximum).
    pub by_camera_kind: Vec<(CameraKind, u32)>,
    /// Evidence classes that keep material for their own periods.
    pub classes: Vec<EvidenceClass>,
    /// How long footage named in a request from the public form is held before staff have
    /// accepted the request (BDC-28): a provisional hold, confirmed for the case's whole
    /// period once they do, so that strangers cannot hold footage for months unchecked.
    pub provisional_hold_days: u32,
}

/// The days a provisional hold lasts unless the pack says otherwise.
pub const DEFAULT_PROVISIONAL_HOLD_DAYS: u32 = 14;

impl Retention {
    /// The days footage from a camera of `kind` is kept, before any per-camera override.
    pub fn days_for(&self, kind: CameraKind) -> u32 {
        self.by_camera_kind
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(self.default_days, |(_, d)| *d)
    }

    /// The class that keeps `what` by itself, if the pack names one.
    pub fn class_for(&self, what: AppliesTo) -> Option<&EvidenceClass> {
        self.classes.iter().find(|c| c.applies_to == Some(what))
    }
}

/// An evidence class with its own retention period (e.g. SAR copies for 6 months, ALT-16).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceClass {
    /// Stable id, e.g. `sar-copy`.
    pub id: Ident,
    /// What belongs in the class.
    pub description: String,
    /// How long material of this class is kept.
    pub period: Period,
    /// What Custos keeps under this class by itself, if anything ([`AppliesTo`]).
    pub applies_to: Option<AppliesTo>,
}

kebab_enum! {
    /// Material a pack's evidence class keeps without anyone choosing the class: each
    /// evidence package's footage (BDC-3) or the footage behind copies made for subject
    /// access and third parties (ALT-16). At most one class applies to each.
    AppliesTo, "what an evidence class applies to" {
        /// The footage whose master copy leaves in an evidence package: the scheme keeps
        /// its own master for the class's period (BDC-3, three years).
        EvidenceMasterCopies = "evidence-master-copies",
        /// The footage behind a copy made for a subject access request or a third party
        /// (ALT-16, six months).
        DisclosedCopies = "disclosed-copies",
    }
}

/// Deadline rules for requests and notifications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadlines {
    /// Answering a subject access request (LBU-18, BJS-10, ALT-10, BDC-29).
    pub subject_access: DeadlineRule,
    /// The most a subject access deadline may be extended by, if the pack allows it.
    pub subject_access_extension: Option<DeadlineRule>,
    /// Answering objection, erasure, rectification and restriction requests (BDC-30).
    pub rights_request: DeadlineRule,
    /// Acknowledging a complaint (BDC-21).
    pub complaint_acknowledge: DeadlineRule,
    /// Answering a complaint (BDC-21, LBU-25).
    pub complaint_answer: DeadlineRule,
    /// How long after an incident a complaint may be made, if limited (LBU-25).
    pub complaint_window: Option<DeadlineRule>,
    /// Answering an appeal against a complaint's answer, from the day the appeal came
    /// (LBU-25, BDC-21); where the pack gives none, `complaint_answer`.
    pub complaint_appeal: Option<DeadlineRule>,
    /// Notifying the ICO of a breach (ALT-18).
    pub breach_notification: DeadlineRule,
    /// Answering a Freedom of Information request.
    pub foi: DeadlineRule,
}

/// Who may authorise one controlled action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    /// Whether the action may happen at all in this scheme.
    pub allowed: bool,
    /// The scheme roles that may take part in authorising it (empty exactly when not
    /// allowed): for a one-person authority, any one of them; for a several-person
    /// authority, every role of [`Authority::all_of`].
    pub roles: Vec<Ident>,
    /// When the code asks for more than one person (LBU-19: the Director of HR or the
    /// Academic Registrar, and the Head of Security): the groups of roles, each of which
    /// one different person must authorise from. Empty for a one-person authority, whose
    /// one group is `roles`.
    pub all_of: Vec<Vec<Ident>>,
    /// An authority outside the scheme that must also agree, in words (e.g. "a police
    /// Inspector or above, in writing", BDC-34).
    pub external: Option<String>,
    /// For a disclosure category, documents the scheme's code requires besides the lawful
    /// minimum (`crate::disclosure::required_documents`); empty for other actions.
    pub documents: Vec<crate::disclosure::DocumentKind>,
    /// For `download` only: copies leave only encrypted, with the passphrase sent
    /// separately (ALT-14); an unencrypted package is refused. False elsewhere.
    pub encrypted: bool,
}

impl Authority {
    /// The groups of roles one different person each must authorise from: `all_of`, or
    /// for a one-person authority the one group `roles` (none when not allowed).
    pub fn groups(&self) -> Vec<Vec<Ident>> {
        if !self.all_of.is_empty() {
            self.all_of.clone()
        } else if self.roles.is_empty() {
            Vec::new()
        } else {
            vec![self.roles.clone()]
        }
    }

    /// Who must authorise, in words: "manager" or "director-of-hr or academic-registrar,
    /// and head-of-security (two people)".
    pub fn describe_groups(&self) -> String {
        let groups = self.groups();
        let words: Vec<String> = groups
            .iter()
            .map(|g| {
                g.iter()
                    .map(Ident::to_string)
                    .collect::<Vec<_>>()
                    .join(" or ")
            })
            .collect();
        match words.len() {
            0 => "nobody (the scheme does not allow it)".to_owned(),
            1 => words.join(""),
            n => format!("{} ({n} people)", words.join(", and ")),
        }
    }
}

/// Third-party disclosure categories (LBU-19, ALT-13, BDC-39, BDC-17).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureAuthorities {
    /// Police and other law-enforcement agencies.
    pub law_enforcement: Authority,
    /// The National Crime Agency (BDC-17).
    pub national_crime_agency: Authority,
    /// Prosecuting bodies.
    pub prosecuting_body: Authority,
    /// Legal representatives of a data subject.
    pub legal_representative: Authority,
    /// Under a court order.
    pub court_order: Authority,
    /// Statutory bodies with a power to obtain footage.
    pub statutory_body: Authority,
    /// Internal HR or disciplinary processes.
    pub hr_discipline: Authority,
    /// The media.
    pub media: Authority,
}

impl DisclosureAuthorities {
    /// Each category's id and authority, in a fixed order.
    pub fn categories(&self) -> [(&'static str, &Authority); 8] {
        [
            ("law-enforcement", &self.law_enforcement),
            ("national-crime-agency", &self.national_crime_agency),
            ("prosecuting-body", &self.prosecuting_body),
            ("legal-representative", &self.legal_representative),
            ("court-order", &self.court_order),
            ("statutory-body", &self.statutory_body),
            ("hr-discipline", &self.hr_discipline),
            ("media", &self.media),
        ]
    }
}

/// Who may authorise each controlled action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorisations {
    /// Downloading (exporting) footage (ALT-8).
    pub download: Authority,
    /// Deleting footage that is being retained (ALT-8, LJM-9).
    pub delete_retained: Authority,
    /// Covert recording (LJM-4, LBU-11, BDC-16).
    pub covert_recording: Authority,
    /// Video prints (stills) (BDC-34).
    pub video_prints: Authority,
    /// Police taking partial or total control (BDC-25).
    pub police_control: Authority,
    /// Police taking total control, where the pack names fewer people for it than for
    /// partial control (BDC-25: only the most senior officer of the owners); `None` when
    /// `police_control` answers both. See [`Authorisations::police_control_for`].
    pub police_control_total: Option<Authority>,
    /// A change of use (LBU-6, BDC-6).
    pub change_of_use: Authority,
    /// Disclosure to third parties, per category.
    pub disclosure: DisclosureAuthorities,
}

impl Authorisations {
    /// Who answers a police request to take control: `[authorise.police_control_total]`
    /// for total control where the pack has it, `[authorise.police_control]` otherwise.
    pub fn police_control_for(&self, total: bool) -> &Authority {
        match (&self.police_control_total, total) {
            (Some(t), true) => t,
            _ => &self.police_control,
        }
    }

    /// Each action's id and authority, in a fixed order (disclosures as `disclosure.CATEGORY`).
    pub fn actions(&self) -> Vec<(String, &Authority)> {
        let mut out = vec![
            ("download".to_owned(), &self.download),
            ("delete_retained".to_owned(), &self.delete_retained),
            ("covert_recording".to_owned(), &self.covert_recording),
            ("video_prints".to_owned(), &self.video_prints),
            ("police_control".to_owned(), &self.police_control),
        ];
        if let Some(total) = &self.police_control_total {
            out.push(("police_control_total".to_owned(), total));
        }
        out.push(("change_of_use".to_owned(), &self.change_of_use));
        for (cat, a) in self.disclosure.categories() {
            out.push((format!("disclosure.{cat}"), a));
        }
        out
    }
}

/// Rules for people using the system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// Whether operators need a valid SIA CCTV licence (BDC-22).
    pub sia_licence_required: bool,
    /// Minutes of inactivity before a screen locks (LBU-14).
    pub idle_lock_minutes: u32,
    /// Roles that must use a second factor to sign in.
    pub mfa_roles: Vec<Ident>,
    /// The confidentiality declaration every user accepts before using the system, and
    /// again whenever it changes (BDC-7); [`DEFAULT_DECLARATION`] when the pack has none.
    pub declaration: String,
    /// Training each role needs before its rights apply (BDC-11, LBU-4, BJS-9, ALT-17).
    pub training: Vec<TrainingRule>,
    /// Who deputises for whom, with which rights, while a role's holders are absent
    /// (BDC-1).
    pub deputies: Vec<DeputyRule>,
    /// The kinds of case each listed role's `work-cases` right covers; a role not listed
    /// works every kind.
    pub case_kinds: BTreeMap<Ident, Vec<crate::case::CaseKind>>,
}

/// A course that holders of some roles must have completed, and not let expire, before
/// those roles give them the rights it covers (every right of the roles, unless the rule
/// lists some).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingRule {
    /// The course's name, as recorded in training records (compared ignoring case and
    /// surrounding spaces).
    pub course: String,
    /// The roles that need it.
    pub roles: Vec<Ident>,
    /// The rights of those roles that wait for it; `None` for every right (BDC-11), a list
    /// where the code asks training only of those using the cameras (BJS-9, ALT-17, LBU-4).
    pub rights: Option<Vec<crate::access::Right>>,
}

/// A deputising arrangement (BDC-1): while every holder of each `absent` role is absent
/// (at the deputy's site or camera group, or scheme-wide), holders of `deputy` there hold
/// `rights` too, and what they do with them is ledgered as done as deputy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeputyRule {
    /// The roles whose holders must all be absent.
    pub absent: Vec<Ident>,
    /// The role that deputises.
    pub deputy: Ident,
    /// The rights it gains while deputising.
    pub rights: Vec<crate::access::Right>,
}

/// The confidentiality declaration used when a pack gives none (BDC-7).
pub const DEFAULT_DECLARATION: &str = "I will use this CCTV system only for the purposes of the scheme and as its code of practice says. I will treat everything I see, hear or read here, live or recorded, as strictly confidential, and I will not pass it on to anyone except as the code of practice allows. I understand that what I do on this system is recorded.";

/// The undertaking a control-room visitor accepts when the pack has none of its own (BDC-7,
/// BDC-23, LBU-12).
pub const DEFAULT_VISITOR_UNDERTAKING: &str = "I will treat everything I see or hear in this control room as strictly confidential. I will not record, copy or pass on any image or information, and I will not discuss what I saw with anyone except as the scheme's code of practice allows. I understand that my visit is recorded.";

/// The books of the control room a pack says who keeps: each is one of the ledger's books
/// (BDC-18, BDC-37). The pack writes them under `[books.ID]` with the book's id.
pub const KEPT_BOOKS: [Book; 7] = [
    Book::Incident,
    Book::Visitors,
    Book::Maintenance,
    Book::VideoPrints,
    Book::Equipment,
    Book::Bwv,
    Book::Deployment,
];

/// Who keeps a book and who countersigns or checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookRule {
    /// The roles whose holders write its entries.
    pub keep: Vec<Ident>,
    /// The roles whose holders countersign its entries and check it (BDC-18: "visitor
    /// authorisations counter-signed by a supervisor").
    pub countersign: Vec<Ident>,
}

/// The pack's `[books]`: a rule for each of [`KEPT_BOOKS`] (the lawful default where the
/// pack is silent: operators, supervisors and managers keep it; supervisors and managers
/// countersign), and the visitors' undertaking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Books {
    rules: BTreeMap<Book, BookRule>,
    /// The undertaking a visitor accepts before entering the control room (BDC-7, BDC-23);
    /// [`DEFAULT_VISITOR_UNDERTAKING`] when the pack has none.
    pub visitor_undertaking: String,
    /// The purposes a redeployable camera may be deployed for (BDC-38);
    /// [`crate::deployment::DEFAULT_PURPOSES`] when the pack names none.
    pub deployment_purposes: Vec<String>,
    /// The books the pack writes a `[books.ID]` section for, rather than leaving to the
    /// lawful default: a scheme that deploys cameras says so (BDC-38).
    stated: std::collections::BTreeSet<Book>,
}

impl Books {
    /// The default keepers of a book, where the pack is silent.
    pub const DEFAULT_KEEP: [&'static str; 3] = ["operator", "supervisor", "manager"];
    /// The default countersigners.
    pub const DEFAULT_COUNTERSIGN: [&'static str; 2] = ["supervisor", "manager"];

    /// Whether the pack writes a section for `book`.
    pub fn stated(&self, book: Book) -> bool {
        self.stated.contains(&book)
    }

    /// The rule for `book` (one of [`KEPT_BOOKS`]; any other book has none).
    pub fn rule(&self, book: Book) -> Option<&BookRule> {
        self.rules.get(&book)
    }

    /// The lawful default for every book.
    pub fn defaults() -> Self {
        let ids = |r: &[&str]| r.iter().filter_map(|r| Ident::parse(r).ok()).collect();
        Self {
            rules: KEPT_BOOKS
                .iter()
                .map(|b| {
                    (
                        *b,
                        BookRule {
                            keep: ids(&Self::DEFAULT_KEEP),
                            countersign: ids(&Self::DEFAULT_COUNTERSIGN),
                        },
                    )
                })
                .collect(),
            visitor_undertaking: DEFAULT_VISITOR_UNDERTAKING.to_owned(),
            deployment_purposes: crate::deployment::DEFAULT_PURPOSES
                .map(str::to_owned)
                .to_vec(),
            stated: std::collections::BTreeSet::new(),
        }
    }
}

/// The longest declaration accepted, in characters.
pub const MAX_DECLARATION_CHARS: usize = 2000;

/// Whether audio is recorded on a newly registered camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioDefault {
    /// Audio off until someone approves it with a reason (LJM-3, BJS-3).
    Off,
    /// Audio on by default.
    On,
}

/// Defaults for newly registered cameras.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingDefaults {
    /// The audio setting of a new camera.
    pub audio_default: AudioDefault,
    /// Minutes a camera may be down before a fault is opened in the maintenance log
    /// (LBU-16, BDC-18); [`DEFAULT_FAULT_AFTER_MINUTES`] when the pack says nothing.
    pub fault_after_minutes: u32,
}

/// Minutes a camera may be down before a fault is opened, when the pack does not say.
pub const DEFAULT_FAULT_AFTER_MINUTES: u32 = 5;

/// How the cameras are kept working (LBU-16, BDC-19, ALT-15, SCC-8): how often each is
/// checked, and the times the maintenance contractor's written contract gives for answering
/// a call and for mending the fault (BDC-19: "the response provided by contractors is
/// subject of a written contract"). The pack's `[maintenance]`; the defaults where it is
/// silent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Maintenance {
    /// Days between a camera's scheduled checks ([`DEFAULT_CHECK_EVERY_DAYS`]).
    pub check_every_days: u32,
    /// Hours from calling the contractor within which they respond
    /// ([`DEFAULT_CONTRACTOR_RESPONSE_HOURS`]).
    pub contractor_response_hours: u32,
    /// Hours from calling the contractor within which the fault is fixed
    /// ([`DEFAULT_CONTRACTOR_FIX_HOURS`]); never less than the response time.
    pub contractor_fix_hours: u32,
}

/// Days between a camera's checks when the pack does not say: weekly. The codes ask for
/// regular checks (ALT-15: "checked regularly"; BJS-4) without saying how often.
pub const DEFAULT_CHECK_EVERY_DAYS: u32 = 7;
/// Hours the contractor has to respond to a call when the pack does not say: one day.
pub const DEFAULT_CONTRACTOR_RESPONSE_HOURS: u32 = 24;
/// Hours the contractor has to fix a fault when the pack does not say: three days.
pub const DEFAULT_CONTRACTOR_FIX_HOURS: u32 = 72;
/// The longest check interval a pack may set: a year.
pub const MAX_CHECK_EVERY_DAYS: u32 = 366;
/// The longest contractor time a pack may set, in hours: ninety days.
pub const MAX_CONTRACTOR_HOURS: u32 = 2160;

impl Default for Maintenance {
    fn default() -> Self {
        Self {
            check_every_days: DEFAULT_CHECK_EVERY_DAYS,
            contractor_response_hours: DEFAULT_CONTRACTOR_RESPONSE_HOURS,
            contractor_fix_hours: DEFAULT_CONTRACTOR_FIX_HOURS,
        }
    }
}

impl Maintenance {
    /// The contractor's response time as a deadline rule (`hours:N`), for words.
    pub fn response_rule(&self) -> DeadlineRule {
        DeadlineRule::Hours(self.contractor_response_hours)
    }

    /// The contractor's fix time as a deadline rule (`hours:N`), for words.
    pub fn fix_rule(&self) -> DeadlineRule {
        DeadlineRule::Hours(self.contractor_fix_hours)
    }
}

impl PolicyPack {
    /// Parses and validates a pack from its TOML source.
    pub fn parse(source: &str) -> Result<Self, PolicyError> {
        let raw: RawPack = toml::from_str(source).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            PolicyError::new(
                source,
                vec![Problem {
                    span,
                    message: toml_message(&e),
                }],
            )
        })?;
        let mut v = Validator {
            problems: Vec::new(),
        };
        let pack = v.pack(raw);
        match pack {
            Some(pack) if v.problems.is_empty() => Ok(pack),
            _ => Err(PolicyError::new(source, v.problems)),
        }
    }

    /// Looks up a purpose by id.
    pub fn purpose(&self, id: &str) -> Option<&Purpose> {
        self.purposes.iter().find(|p| p.id.as_str() == id)
    }

    /// Looks up a role by id.
    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.id.as_str() == id)
    }
}

/// Turns a TOML parser message into one sentence with a hint.
fn toml_message(e: &toml::de::Error) -> String {
    let msg = e.message().trim().trim_end_matches('.').replace('\n', " ");
    if msg.starts_with("unknown field") {
        format!("{msg}; remove or rename the key (see docs/ref/policy.md)")
    } else if msg.starts_with("missing field") {
        format!("{msg}; add it (see docs/ref/policy.md)")
    } else {
        format!("{msg}; fix the TOML here (see docs/ref/policy.md)")
    }
}

// ---------------------------------------------------------------------------------------
// Errors with positions
// ---------------------------------------------------------------------------------------

/// One problem in a pack: where (a byte range of the source) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Byte range in the source of the value at fault.
    pub span: Range<usize>,
    /// One sentence: what is wrong and what would be right.
    pub message: String,
}

/// A problem placed at a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocatedProblem {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// One sentence: what is wrong and what would be right.
    pub message: String,
}

/// Every problem found in a pack, in source order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PolicyError {
    /// The problems, sorted by position.
    pub problems: Vec<LocatedProblem>,
}

impl PolicyError {
    fn new(source: &str, problems: Vec<Problem>) -> Self {
        let mut located: Vec<LocatedProblem> = problems
            .into_iter()
            .map(|p| {
                let (line, column) = line_column(source, p.span.start);
                LocatedProblem {
                    line,
                    column,
                    message: p.message,
                }
            })
            .collect();
        located.sort_by_key(|p| (p.line, p.column));
        Self { problems: located }
    }

    /// The problems as `FILE:LINE:COLUMN: message` lines, one per problem.
    pub fn render(&self, file: &str) -> String {
        self.problems
            .iter()
            .map(|p| format!("{file}:{}:{}: {}\n", p.line, p.column, p.message))
            .collect()
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.render("policy pack").trim_end())
    }
}

/// The 1-based line and character column of byte `offset` in `source`.
pub fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before
        .get(line_start..)
        .map_or(1, |s| s.chars().count() + 1);
    (line, column)
}

// ---------------------------------------------------------------------------------------
// The raw TOML shape
// ---------------------------------------------------------------------------------------

type Text = Spanned<String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    format: Spanned<u32>,
    id: Text,
    name: Text,
    version: Option<String>,
    code_of_practice: Option<String>,
    controller: RawController,
    scheme: RawScheme,
    #[serde(rename = "purpose")]
    purposes: Option<Spanned<Vec<Spanned<RawPurpose>>>>,
    retention: RawRetention,
    deadlines: RawDeadlines,
    #[serde(default)]
    roles: RawRoles,
    authorise: RawAuthorise,
    access: RawAccess,
    recording: RawRecording,
    #[serde(default)]
    books: BTreeMap<String, Spanned<RawBook>>,
    #[serde(default)]
    maintenance: RawMaintenance,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawMaintenance {
    check_every_days: Option<Spanned<u32>>,
    contractor_response_hours: Option<Spanned<u32>>,
    contractor_fix_hours: Option<Spanned<u32>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBook {
    keep: Vec<Text>,
    #[serde(default)]
    countersign: Vec<Text>,
    #[serde(default)]
    undertaking: Option<Spanned<String>>,
    #[serde(default)]
    purposes: Option<Spanned<Vec<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawController {
    name: Text,
    address: Text,
    contact_point: Text,
    dpo: Text,
    requests: Text,
    complaints: Text,
    ombudsman: Option<Spanned<String>>,
    email: Option<String>,
    phone: Option<String>,
    website: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScheme {
    nation: Text,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPurpose {
    id: Text,
    name: Text,
    description: Text,
    live_view: bool,
    recording: Vec<Text>,
    #[serde(default)]
    consent_required: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRetention {
    default_days: Spanned<u32>,
    maximum_days: Spanned<u32>,
    #[serde(default)]
    by_camera_kind: RawByKind,
    #[serde(default, rename = "class")]
    classes: Vec<RawClass>,
    provisional_hold_days: Option<Spanned<u32>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawByKind {
    fixed: Option<Spanned<u32>>,
    ptz: Option<Spanned<u32>>,
    body_worn: Option<Spanned<u32>>,
    anpr: Option<Spanned<u32>>,
    redeployable: Option<Spanned<u32>>,
    vehicle: Option<Spanned<u32>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClass {
    id: Text,
    description: Text,
    period: Text,
    #[serde(default)]
    applies_to: Option<Text>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeadlines {
    subject_access: Text,
    subject_access_extension: Option<Text>,
    rights_request: Text,
    complaint_acknowledge: Text,
    complaint_answer: Text,
    complaint_window: Option<Text>,
    complaint_appeal: Option<Text>,
    breach_notification: Text,
    foi: Text,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRoles {
    #[serde(default)]
    custom: Vec<RawCustomRole>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCustomRole {
    id: Text,
    description: Text,
    #[serde(default)]
    rights: Vec<Text>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuthorise {
    download: Spanned<RawAuthority>,
    delete_retained: Spanned<RawAuthority>,
    covert_recording: Spanned<RawAuthority>,
    video_prints: Spanned<RawAuthority>,
    police_control: Spanned<RawAuthority>,
    #[serde(default)]
    police_control_total: Option<Spanned<RawAuthority>>,
    change_of_use: Spanned<RawAuthority>,
    disclosure: RawDisclosure,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawDisclosure {
    law_enforcement: Spanned<RawAuthority>,
    national_crime_agency: Spanned<RawAuthority>,
    prosecuting_body: Spanned<RawAuthority>,
    legal_representative: Spanned<RawAuthority>,
    court_order: Spanned<RawAuthority>,
    statutory_body: Spanned<RawAuthority>,
    hr_discipline: Spanned<RawAuthority>,
    media: Spanned<RawAuthority>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuthority {
    #[serde(default)]
    roles: Vec<Text>,
    #[serde(default)]
    all_of: Vec<Spanned<Vec<Text>>>,
    external: Option<String>,
    allowed: Option<bool>,
    #[serde(default)]
    documents: Vec<Text>,
    encrypted: Option<Spanned<bool>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccess {
    sia_licence_required: bool,
    idle_lock_minutes: Spanned<u32>,
    #[serde(default)]
    mfa_roles: Vec<Text>,
    #[serde(default)]
    declaration: Option<Spanned<String>>,
    #[serde(default)]
    training: Vec<RawTraining>,
    #[serde(default)]
    deputies: Vec<RawDeputies>,
    #[serde(default)]
    case_kinds: BTreeMap<String, Spanned<Vec<Text>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTraining {
    course: Text,
    roles: Vec<Text>,
    #[serde(default)]
    rights: Option<Spanned<Vec<Text>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeputies {
    absent: Vec<Text>,
    deputy: Text,
    rights: Vec<Text>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecording {
    audio_default: Text,
    #[serde(default)]
    fault_after_minutes: Option<Spanned<u32>>,
}

// ---------------------------------------------------------------------------------------
// Validation: raw shape → validated pack, collecting every problem
// ---------------------------------------------------------------------------------------

struct Validator {
    problems: Vec<Problem>,
}

impl Validator {
    fn problem(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.problems.push(Problem {
            span,
            message: message.into(),
        });
    }

    /// A required, non-blank text value.
    fn text(&mut self, t: &Text, key: &str, what: &str) -> String {
        let v = t.get_ref().trim();
        if v.is_empty() {
            self.problem(t.span(), format!("{key} is empty; write {what}"));
        }
        v.to_owned()
    }

    fn ident(&mut self, t: &Text, key: &str) -> Option<Ident> {
        match Ident::parse(t.get_ref()) {
            Ok(id) => Some(id),
            Err(e) => {
                self.problem(t.span(), format!("{key}: {e}"));
                None
            }
        }
    }

    fn rule(&mut self, t: &Text, key: &str) -> Option<DeadlineRule> {
        match t.get_ref().parse::<DeadlineRule>() {
            Ok(r) => Some(r),
            Err(e) => {
                self.problem(t.span(), format!("deadlines.{key}: {e}"));
                None
            }
        }
    }

    fn pack(&mut self, raw: RawPack) -> Option<PolicyPack> {
        if *raw.format.get_ref() != FORMAT_VERSION {
            self.problem(
                raw.format.span(),
                format!(
                    "format = {} is not supported: this version of Custos reads policy pack format {FORMAT_VERSION}; write format = {FORMAT_VERSION} and check the pack against docs/ref/policy.md",
                    raw.format.get_ref()
                ),
            );
        }
        let id = self.ident(&raw.id, "id");
        let name = self.text(
            &raw.name,
            "name",
            "the scheme's name as the public will see it",
        );
        let controller = self.controller(&raw.controller);
        let nation = match raw.scheme.nation.get_ref().parse::<Nation>() {
            Ok(n) => Some(n),
            Err(e) => {
                self.problem(raw.scheme.nation.span(), format!("scheme.nation: {e}"));
                None
            }
        };
        let purposes = self.purposes(&raw.purposes);
        let retention = self.retention(&raw.retention);
        let deadlines = self.deadlines(&raw.deadlines);
        let roles = self.roles(&raw.roles);
        let known: BTreeSet<String> = roles.iter().map(|r| r.id.to_string()).collect();
        let authorise = self.authorise(&raw.authorise, &known);
        let access = self.access(&raw.access, &known);
        let books = self.books(&raw.books, &known);
        let maintenance = self.maintenance(&raw.maintenance);
        let fault_after_minutes = match &raw.recording.fault_after_minutes {
            None => Some(DEFAULT_FAULT_AFTER_MINUTES),
            Some(m) if (1..=1440).contains(m.get_ref()) => Some(*m.get_ref()),
            Some(m) => {
                self.problem(
                    m.span(),
                    format!(
                        "recording.fault_after_minutes is {}; write the minutes a camera may be down before a fault is logged, from 1 to 1440",
                        m.get_ref()
                    ),
                );
                None
            }
        };
        let audio_default = match raw.recording.audio_default.get_ref().as_str() {
            "off" => Some(AudioDefault::Off),
            "on" => Some(AudioDefault::On),
            other => {
                self.problem(
                    raw.recording.audio_default.span(),
                    format!(
                        "recording.audio_default: {other:?} is not an audio setting; write \"off\" (the lawful default) or \"on\""
                    ),
                );
                None
            }
        };
        Some(PolicyPack {
            id: id?,
            name,
            version_label: raw.version,
            code_of_practice: raw.code_of_practice,
            controller,
            nation: nation?,
            purposes: purposes?,
            retention: retention?,
            deadlines: deadlines?,
            roles,
            authorise: authorise?,
            access: access?,
            recording: RecordingDefaults {
                audio_default: audio_default?,
                fault_after_minutes: fault_after_minutes?,
            },
            books: books?,
            maintenance: maintenance?,
        })
    }

    /// The pack's `[maintenance]`: each value in range, the fix time not before the
    /// response time; the defaults for what it leaves out.
    fn maintenance(&mut self, raw: &RawMaintenance) -> Option<Maintenance> {
        let mut m = Maintenance::default();
        let mut ok = true;
        if let Some(d) = &raw.check_every_days {
            if (1..=MAX_CHECK_EVERY_DAYS).contains(d.get_ref()) {
                m.check_every_days = *d.get_ref();
            } else {
                self.problem(
                    d.span(),
                    format!(
                        "maintenance.check_every_days is {}; write the days between a camera's checks, from 1 to {MAX_CHECK_EVERY_DAYS} (7 for weekly)",
                        d.get_ref()
                    ),
                );
                ok = false;
            }
        }
        for (value, key, slot) in [
            (
                &raw.contractor_response_hours,
                "contractor_response_hours",
                &mut m.contractor_response_hours,
            ),
            (
                &raw.contractor_fix_hours,
                "contractor_fix_hours",
                &mut m.contractor_fix_hours,
            ),
        ] {
            let Some(h) = value else { continue };
            if (1..=MAX_CONTRACTOR_HOURS).contains(h.get_ref()) {
                *slot = *h.get_ref();
            } else {
                self.problem(
                    h.span(),
                    format!(
                        "maintenance.{key} is {}; write the hours the maintenance contract gives, from 1 to {MAX_CONTRACTOR_HOURS}",
                        h.get_ref()
                    ),
                );
                ok = false;
            }
        }
        if ok && m.contractor_fix_hours < m.contractor_response_hours {
            let span = raw
                .contractor_fix_hours
                .as_ref()
                .or(raw.contractor_response_hours.as_ref())
                .map_or(0..0, Spanned::span);
            self.problem(
                span,
                format!(
                    "maintenance.contractor_fix_hours is {}, less than the response time of {} hours; a fault cannot be due to be fixed before the contractor is due to respond: raise the fix time or lower the response time",
                    m.contractor_fix_hours, m.contractor_response_hours
                ),
            );
            ok = false;
        }
        ok.then_some(m)
    }

    fn books(
        &mut self,
        raw: &BTreeMap<String, Spanned<RawBook>>,
        known: &BTreeSet<String>,
    ) -> Option<Books> {
        let mut books = Books::defaults();
        let mut ok = true;
        for (id, b) in raw {
            let Some(book) = KEPT_BOOKS.iter().copied().find(|k| k.as_str() == id) else {
                self.problem(
                    b.span(),
                    format!(
                        "books.{id}: there is no such book; the books a pack says who keeps are {}",
                        KEPT_BOOKS
                            .iter()
                            .map(|k| k.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                ok = false;
                continue;
            };
            books.stated.insert(book);
            let r = b.get_ref();
            if r.keep.is_empty() {
                self.problem(
                    b.span(),
                    format!("books.{id}.keep is empty; name the roles whose holders keep the book"),
                );
                ok = false;
            }
            let keep = self.role_refs(&r.keep, &format!("books.{id}.keep"), known);
            let countersign =
                self.role_refs(&r.countersign, &format!("books.{id}.countersign"), known);
            if let (Some(keep), Some(countersign)) = (keep, countersign) {
                books.rules.insert(book, BookRule { keep, countersign });
            } else {
                ok = false;
            }
            if let Some(u) = &r.undertaking {
                let text = u.get_ref().trim();
                let chars = text.chars().count();
                if book != Book::Visitors {
                    self.problem(
                        u.span(),
                        format!(
                            "books.{id}.undertaking: only the visitors' book has an undertaking; move it to [books.visitors]"
                        ),
                    );
                    ok = false;
                } else if text.is_empty() || chars > MAX_DECLARATION_CHARS {
                    self.problem(
                        u.span(),
                        format!(
                            "books.visitors.undertaking has {chars} characters; write the undertaking visitors accept in 1 to {MAX_DECLARATION_CHARS} characters, or leave the key out to use Custos's standard one"
                        ),
                    );
                    ok = false;
                } else {
                    books.visitor_undertaking = text.to_owned();
                }
            }
            if let Some(p) = &r.purposes {
                let purposes: Vec<String> = p
                    .get_ref()
                    .iter()
                    .map(|x| x.trim().to_owned())
                    .filter(|x| !x.is_empty())
                    .collect();
                if book != Book::Deployment {
                    self.problem(
                        p.span(),
                        format!(
                            "books.{id}.purposes: only the deployment log has purposes; move them to [books.deployment]"
                        ),
                    );
                    ok = false;
                } else if purposes.is_empty() || purposes.len() != p.get_ref().len() {
                    self.problem(
                        p.span(),
                        "books.deployment.purposes lists an empty purpose or none; write each purpose a redeployable camera may be deployed for, or leave the key out for the five of the code of practice".to_owned(),
                    );
                    ok = false;
                } else {
                    books.deployment_purposes = purposes;
                }
            }
        }
        // The defaults name built-in roles; a pack always has them, but keep only known ones.
        for rule in books.rules.values_mut() {
            rule.keep.retain(|r| known.contains(r.as_str()));
            rule.countersign.retain(|r| known.contains(r.as_str()));
        }
        ok.then_some(books)
    }

    fn controller(&mut self, c: &RawController) -> Controller {
        Controller {
            name: self.text(&c.name, "controller.name", "the controller's legal name"),
            address: self.text(
                &c.address,
                "controller.address",
                "the controller's postal address",
            ),
            contact_point: self.text(
                &c.contact_point,
                "controller.contact_point",
                "who the public should contact about the scheme",
            ),
            dpo: self.text(
                &c.dpo,
                "controller.dpo",
                "how to reach the Data Protection Officer",
            ),
            requests: self.text(
                &c.requests,
                "controller.requests",
                "how a person asks for their footage or exercises their other rights",
            ),
            complaints: self.text(&c.complaints, "controller.complaints", "how to complain"),
            ombudsman: match &c.ombudsman {
                None => None,
                Some(o) => match o.get_ref().parse::<Ombudsman>() {
                    Ok(o) => Some(o),
                    Err(e) => {
                        self.problem(o.span(), format!("controller.ombudsman: {e}"));
                        None
                    }
                },
            },
            email: c.email.clone(),
            phone: c.phone.clone(),
            website: c.website.clone(),
        }
    }

    fn purposes(
        &mut self,
        raw: &Option<Spanned<Vec<Spanned<RawPurpose>>>>,
    ) -> Option<Vec<Purpose>> {
        let Some(raw) = raw.as_ref().filter(|r| !r.get_ref().is_empty()) else {
            self.problem(
                0..0,
                "the pack has no purposes; add at least one [[purpose]] table naming what the cameras are for",
            );
            return None;
        };
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        let mut ok = true;
        for sp in raw.get_ref() {
            let p = sp.get_ref();
            let id = self.ident(&p.id, "purpose.id");
            if let Some(id) = &id
                && !seen.insert(id.to_string())
            {
                self.problem(
                    p.id.span(),
                    format!("purpose \"{id}\" is defined twice; give each purpose its own id"),
                );
            }
            let name = self.text(&p.name, "purpose.name", "a short title for the purpose");
            let description = self.text(
                &p.description,
                "purpose.description",
                "what the purpose is, for the public",
            );
            let mut recording = Vec::new();
            for m in &p.recording {
                match m.get_ref().parse::<RecordingMode>() {
                    Ok(RecordingMode::LiveOnly) => self.problem(
                        m.span(),
                        "purpose.recording: \"live-only\" is not a recording mode; leave it out of recording and set live_view = true",
                    ),
                    Ok(mode) if recording.contains(&mode) => {
                        self.problem(m.span(), format!("purpose.recording lists {mode:?} twice; list it once"));
                    }
                    Ok(mode) => recording.push(mode),
                    Err(_) => self.problem(
                        m.span(),
                        format!(
                            "purpose.recording: {:?} is not a recording mode; use \"continuous\", \"alarm-triggered\" or \"on-demand\"",
                            m.get_ref()
                        ),
                    ),
                }
            }
            if !p.live_view && p.recording.is_empty() {
                self.problem(
                    sp.span(),
                    format!(
                        "purpose {:?} allows neither live viewing nor recording, so no camera could serve it; set live_view = true or list a recording mode",
                        p.id.get_ref()
                    ),
                );
            }
            match id {
                Some(id) => out.push(Purpose {
                    id,
                    name,
                    description,
                    live_view: p.live_view,
                    recording,
                    consent_required: p.consent_required,
                }),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn retention(&mut self, r: &RawRetention) -> Option<Retention> {
        let max = *r.maximum_days.get_ref();
        let default = *r.default_days.get_ref();
        if max == 0 {
            self.problem(
                r.maximum_days.span(),
                "retention.maximum_days is 0; footage must be kept at least a day, so write the scheme's maximum in days (e.g. 30)",
            );
        }
        if default == 0 {
            self.problem(
                r.default_days.span(),
                "retention.default_days is 0; write how many days footage is normally kept (e.g. 21)",
            );
        }
        if default > max {
            self.problem(
                r.default_days.span(),
                format!(
                    "retention.default_days is {default}, above the pack's maximum of {max} days; lower it to {max} or less, or raise maximum_days"
                ),
            );
        }
        let k = &r.by_camera_kind;
        let mut by_camera_kind = Vec::new();
        for (kind, days) in [
            (CameraKind::Fixed, &k.fixed),
            (CameraKind::Ptz, &k.ptz),
            (CameraKind::BodyWorn, &k.body_worn),
            (CameraKind::Anpr, &k.anpr),
            (CameraKind::Redeployable, &k.redeployable),
            (CameraKind::Vehicle, &k.vehicle),
        ] {
            let Some(days) = days else { continue };
            let d = *days.get_ref();
            if d > max {
                self.problem(
                    days.span(),
                    format!(
                        "retention.by_camera_kind.{kind} is {d} days, above the pack's maximum of {max} days; lower it to {max} or less"
                    ),
                );
            } else if d == 0 {
                self.problem(
                    days.span(),
                    format!("retention.by_camera_kind.{kind} is 0 days; write at least 1"),
                );
            }
            by_camera_kind.push((kind, d));
        }
        let mut seen = BTreeSet::new();
        let mut applied = BTreeSet::new();
        let mut classes = Vec::new();
        let mut ok = true;
        for c in &r.classes {
            let id = self.ident(&c.id, "retention.class.id");
            if let Some(id) = &id
                && !seen.insert(id.to_string())
            {
                self.problem(
                    c.id.span(),
                    format!("evidence class \"{id}\" is defined twice; give each class its own id"),
                );
            }
            let description = self.text(
                &c.description,
                "retention.class.description",
                "what material belongs in the class",
            );
            let period = match Period::parse(c.period.get_ref()) {
                Ok(p) => Some(p),
                Err(e) => {
                    self.problem(c.period.span(), format!("retention.class.period: {e}"));
                    None
                }
            };
            let applies_to = match &c.applies_to {
                None => None,
                Some(t) => match t.get_ref().parse::<AppliesTo>() {
                    Ok(a) if applied.insert(a.as_str()) => Some(a),
                    Ok(a) => {
                        self.problem(
                            t.span(),
                            format!(
                                "two evidence classes say applies_to = \"{a}\"; only one class may keep that material"
                            ),
                        );
                        None
                    }
                    Err(e) => {
                        self.problem(t.span(), format!("retention.class.applies_to: {e}"));
                        None
                    }
                },
            };
            match (id, period) {
                (Some(id), Some(period)) => classes.push(EvidenceClass {
                    id,
                    description,
                    period,
                    applies_to,
                }),
                _ => ok = false,
            }
        }
        let provisional_hold_days = match &r.provisional_hold_days {
            None => DEFAULT_PROVISIONAL_HOLD_DAYS,
            Some(d) if (1..=31).contains(d.get_ref()) => *d.get_ref(),
            Some(d) => {
                self.problem(
                    d.span(),
                    format!(
                        "retention.provisional_hold_days is {}; give from 1 to 31 days (the default is {DEFAULT_PROVISIONAL_HOLD_DAYS}): how long footage named in a request from the public is held before staff accept the request",
                        d.get_ref()
                    ),
                );
                ok = false;
                DEFAULT_PROVISIONAL_HOLD_DAYS
            }
        };
        ok.then_some(Retention {
            default_days: default,
            maximum_days: max,
            by_camera_kind,
            classes,
            provisional_hold_days,
        })
    }

    fn deadlines(&mut self, d: &RawDeadlines) -> Option<Deadlines> {
        let subject_access = self.rule(&d.subject_access, "subject_access");
        let extension = d
            .subject_access_extension
            .as_ref()
            .map(|t| self.rule(t, "subject_access_extension"));
        let rights_request = self.rule(&d.rights_request, "rights_request");
        let ack = self.rule(&d.complaint_acknowledge, "complaint_acknowledge");
        let answer = self.rule(&d.complaint_answer, "complaint_answer");
        let window = d
            .complaint_window
            .as_ref()
            .map(|t| self.rule(t, "complaint_window"));
        let appeal = d
            .complaint_appeal
            .as_ref()
            .map(|t| self.rule(t, "complaint_appeal"));
        let breach = self.rule(&d.breach_notification, "breach_notification");
        let foi = self.rule(&d.foi, "foi");
        Some(Deadlines {
            subject_access: subject_access?,
            subject_access_extension: extension.map_or(Some(None), |r| r.map(Some))?,
            rights_request: rights_request?,
            complaint_acknowledge: ack?,
            complaint_answer: answer?,
            complaint_window: window.map_or(Some(None), |r| r.map(Some))?,
            complaint_appeal: appeal.map_or(Some(None), |r| r.map(Some))?,
            breach_notification: breach?,
            foi: foi?,
        })
    }

    fn roles(&mut self, r: &RawRoles) -> Vec<Role> {
        let mut roles: Vec<Role> = BUILT_IN_ROLES
            .iter()
            .filter_map(|(id, description)| {
                Ident::parse(id).ok().map(|id| Role {
                    id,
                    description: (*description).to_owned(),
                    built_in: true,
                    rights: Vec::new(),
                })
            })
            .collect();
        for c in &r.custom {
            let Some(id) = self.ident(&c.id, "roles.custom.id") else {
                continue;
            };
            if is_built_in(id.as_str()) {
                self.problem(
                    c.id.span(),
                    format!(
                        "custom role \"{id}\" has the same id as a built-in role; use the built-in role, or give the custom role another id"
                    ),
                );
                continue;
            }
            if roles.iter().any(|r| r.id == id) {
                self.problem(
                    c.id.span(),
                    format!("custom role \"{id}\" is defined twice; define it once"),
                );
                continue;
            }
            let description = self.text(
                &c.description,
                "roles.custom.description",
                "what the role is for",
            );
            let mut rights = Vec::new();
            for r in &c.rights {
                match r.get_ref().parse::<crate::access::Right>() {
                    Ok(right) => rights.push(right),
                    Err(e) => self.problem(r.span(), format!("roles.custom.rights: {e}")),
                }
            }
            roles.push(Role {
                id,
                description,
                built_in: false,
                rights,
            });
        }
        roles
    }

    fn role_refs(
        &mut self,
        refs: &[Text],
        key: &str,
        known: &BTreeSet<String>,
    ) -> Option<Vec<Ident>> {
        let mut out = Vec::new();
        let mut ok = true;
        for t in refs {
            if known.contains(t.get_ref().as_str()) {
                if let Some(id) = self.ident(t, key) {
                    out.push(id);
                }
            } else {
                let known_list = known
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(", ");
                self.problem(
                    t.span(),
                    format!(
                        "{key}: there is no role {:?}; use one of {known_list}, or define it under [[roles.custom]]",
                        t.get_ref()
                    ),
                );
                ok = false;
            }
        }
        ok.then_some(out)
    }

    fn authority(
        &mut self,
        a: &Spanned<RawAuthority>,
        key: &str,
        known: &BTreeSet<String>,
    ) -> Option<Authority> {
        let raw = a.get_ref();
        let allowed = raw.allowed.unwrap_or(true);
        let mut roles = self.role_refs(&raw.roles, &format!("authorise.{key}.roles"), known);
        let mut all_of = Vec::new();
        if !raw.all_of.is_empty() {
            if !raw.roles.is_empty() {
                self.problem(
                    a.span(),
                    format!(
                        "authorise.{key} has both roles and all_of; use roles when one person of those roles authorises, or all_of when one person from each group must"
                    ),
                );
            }
            let mut union = Vec::new();
            for (n, group) in raw.all_of.iter().enumerate() {
                if group.get_ref().is_empty() {
                    self.problem(
                        group.span(),
                        format!(
                            "authorise.{key}.all_of group {} is empty; list the roles one of whom authorises, or remove the group",
                            n + 1
                        ),
                    );
                    continue;
                }
                match self.role_refs(group.get_ref(), &format!("authorise.{key}.all_of"), known) {
                    Some(g) => {
                        for r in &g {
                            if !union.contains(r) {
                                union.push(r.clone());
                            }
                        }
                        all_of.push(g);
                    }
                    None => roles = None,
                }
            }
            if all_of.len() == 1 {
                // One group is a one-person authority.
                all_of.clear();
            }
            if roles.is_some() {
                roles = Some(union);
            }
        }
        if allowed && raw.roles.is_empty() && raw.all_of.is_empty() {
            self.problem(
                a.span(),
                format!(
                    "authorise.{key} names no role, so nobody could authorise it; list the roles that may, or write allowed = false if the scheme never does it"
                ),
            );
        }
        if !allowed && (!raw.roles.is_empty() || !raw.all_of.is_empty()) {
            self.problem(
                a.span(),
                format!(
                    "authorise.{key} says allowed = false but lists roles; remove the roles, or remove allowed = false"
                ),
            );
        }
        let mut documents = Vec::new();
        for d in &raw.documents {
            if !key.starts_with("disclosure.") {
                self.problem(
                    d.span(),
                    format!(
                        "authorise.{key}.documents: documents are listed only for disclosure categories ([authorise.disclosure.…]); remove it"
                    ),
                );
                continue;
            }
            match d.get_ref().parse::<crate::disclosure::DocumentKind>() {
                Ok(k) if !documents.contains(&k) => documents.push(k),
                Ok(k) => self.problem(
                    d.span(),
                    format!("authorise.{key}.documents lists {k} twice; list it once"),
                ),
                Err(e) => self.problem(d.span(), format!("authorise.{key}.documents: {e}")),
            }
        }
        if let Some(e) = &raw.encrypted
            && key != "download"
        {
            self.problem(
                e.span(),
                format!(
                    "authorise.{key}.encrypted: only downloads ([authorise.download]) can require encrypted copies; remove it"
                ),
            );
        }
        Some(Authority {
            allowed,
            roles: roles?,
            all_of,
            external: raw.external.clone(),
            documents,
            encrypted: raw.encrypted.as_ref().is_some_and(|e| *e.get_ref()),
        })
    }

    fn authorise(&mut self, a: &RawAuthorise, known: &BTreeSet<String>) -> Option<Authorisations> {
        let d = &a.disclosure;
        let download = self.authority(&a.download, "download", known);
        let delete_retained = self.authority(&a.delete_retained, "delete_retained", known);
        let covert = self.authority(&a.covert_recording, "covert_recording", known);
        let prints = self.authority(&a.video_prints, "video_prints", known);
        let police = self.authority(&a.police_control, "police_control", known);
        let police_total = match &a.police_control_total {
            None => Some(None),
            Some(t) => {
                let total = self.authority(t, "police_control_total", known);
                if police.as_ref().is_some_and(|p| !p.allowed)
                    && total.as_ref().is_some_and(|t| t.allowed)
                {
                    self.problem(
                        t.span(),
                        "authorise.police_control_total names who agrees to total control, but authorise.police_control says allowed = false; remove the total-control section or allow police control".to_owned(),
                    );
                }
                total.map(Some)
            }
        };
        let change = self.authority(&a.change_of_use, "change_of_use", known);
        let le = self.authority(&d.law_enforcement, "disclosure.law-enforcement", known);
        let nca = self.authority(
            &d.national_crime_agency,
            "disclosure.national-crime-agency",
            known,
        );
        if nca.as_ref().is_some_and(|n| !n.allowed) {
            self.problem(
                d.national_crime_agency.span(),
                "authorise.disclosure.national-crime-agency says allowed = false, but a request from the National Crime Agency must be met (Crime and Courts Act 2013 s7); name the roles that authorise it".to_owned(),
            );
        }
        let pb = self.authority(&d.prosecuting_body, "disclosure.prosecuting-body", known);
        let lr = self.authority(
            &d.legal_representative,
            "disclosure.legal-representative",
            known,
        );
        let co = self.authority(&d.court_order, "disclosure.court-order", known);
        let sb = self.authority(&d.statutory_body, "disclosure.statutory-body", known);
        let hr = self.authority(&d.hr_discipline, "disclosure.hr-discipline", known);
        let media = self.authority(&d.media, "disclosure.media", known);
        Some(Authorisations {
            download: download?,
            delete_retained: delete_retained?,
            covert_recording: covert?,
            video_prints: prints?,
            police_control: police?,
            police_control_total: police_total?,
            change_of_use: change?,
            disclosure: DisclosureAuthorities {
                law_enforcement: le?,
                national_crime_agency: nca?,
                prosecuting_body: pb?,
                legal_representative: lr?,
                court_order: co?,
                statutory_body: sb?,
                hr_discipline: hr?,
                media: media?,
            },
        })
    }

    fn access(&mut self, a: &RawAccess, known: &BTreeSet<String>) -> Option<Access> {
        let minutes = *a.idle_lock_minutes.get_ref();
        if minutes == 0 || minutes > MAX_IDLE_LOCK_MINUTES {
            self.problem(
                a.idle_lock_minutes.span(),
                format!(
                    "access.idle_lock_minutes is {minutes}; screens must lock when unattended, so write a number of minutes from 1 to {MAX_IDLE_LOCK_MINUTES}"
                ),
            );
        }
        let mfa_roles = self.role_refs(&a.mfa_roles, "access.mfa_roles", known);
        let declaration = match &a.declaration {
            None => DEFAULT_DECLARATION.to_owned(),
            Some(d) => {
                let text = d.get_ref().trim();
                let chars = text.chars().count();
                if text.is_empty() || chars > MAX_DECLARATION_CHARS {
                    self.problem(
                        d.span(),
                        format!(
                            "access.declaration has {chars} characters; write the confidentiality declaration users accept in 1 to {MAX_DECLARATION_CHARS} characters, or leave the key out to use Custos's standard one"
                        ),
                    );
                }
                text.to_owned()
            }
        };
        let mut training = Vec::new();
        for t in &a.training {
            let course = t.course.get_ref().trim();
            if course.is_empty() || course.chars().any(char::is_control) {
                self.problem(
                    t.course.span(),
                    "access.training.course is empty; write the course's name as it is recorded with `custos user training`".to_owned(),
                );
            }
            if t.roles.is_empty() {
                self.problem(
                    t.course.span(),
                    format!("access.training for {course:?} lists no roles; list the roles that need the course"),
                );
            }
            let roles = self.role_refs(&t.roles, "access.training.roles", known);
            let rights = t.rights.as_ref().map(|list| {
                if list.get_ref().is_empty() {
                    self.problem(
                        list.span(),
                        format!("access.training for {course:?}: `rights` is empty; list the rights that wait for the course, or leave the key out for every right of its roles"),
                    );
                }
                let mut rights = Vec::new();
                for r in list.get_ref() {
                    match r.get_ref().parse::<crate::access::Right>() {
                        Ok(right) => rights.push(right),
                        Err(e) => self.problem(r.span(), format!("access.training.rights: {e}")),
                    }
                }
                rights
            });
            if let Some(roles) = roles {
                training.push(TrainingRule {
                    course: course.to_owned(),
                    roles,
                    rights,
                });
            }
        }
        let mut deputies = Vec::new();
        for d in &a.deputies {
            let absent = self.role_refs(&d.absent, "access.deputies.absent", known);
            let deputy = self.role_refs(
                std::slice::from_ref(&d.deputy),
                "access.deputies.deputy",
                known,
            );
            if d.absent.is_empty() {
                self.problem(
                    d.deputy.span(),
                    "access.deputies: `absent` lists no roles; list the roles whose absence makes the deputy act".to_owned(),
                );
            }
            if d.absent.iter().any(|r| r.get_ref() == d.deputy.get_ref()) {
                self.problem(
                    d.deputy.span(),
                    format!(
                        "access.deputies: {:?} cannot deputise for itself; name another role as deputy",
                        d.deputy.get_ref()
                    ),
                );
            }
            let mut rights = Vec::new();
            for r in &d.rights {
                match r.get_ref().parse::<crate::access::Right>() {
                    Ok(right) => rights.push(right),
                    Err(e) => self.problem(r.span(), format!("access.deputies.rights: {e}")),
                }
            }
            if d.rights.is_empty() {
                self.problem(
                    d.deputy.span(),
                    "access.deputies: `rights` is empty; list the rights the deputy gains"
                        .to_owned(),
                );
            }
            if let (Some(absent), Some(mut deputy)) = (absent, deputy)
                && let Some(deputy) = deputy.pop()
            {
                deputies.push(DeputyRule {
                    absent,
                    deputy,
                    rights,
                });
            }
        }
        let mut case_kinds = BTreeMap::new();
        for (role, kinds) in &a.case_kinds {
            let span = kinds.span();
            if !known.contains(role.as_str()) {
                self.problem(
                    span,
                    format!(
                        "access.case_kinds: there is no role {role:?}; list only the pack's roles"
                    ),
                );
                continue;
            }
            let mut parsed = Vec::new();
            for k in kinds.get_ref() {
                match k.get_ref().parse::<crate::case::CaseKind>() {
                    Ok(kind) => parsed.push(kind),
                    Err(e) => self.problem(k.span(), format!("access.case_kinds.{role}: {e}")),
                }
            }
            if kinds.get_ref().is_empty() {
                self.problem(
                    span,
                    format!(
                        "access.case_kinds.{role} is empty; list the kinds of case the role works, or take the role's `work-cases` right away"
                    ),
                );
            }
            if let Ok(id) = Ident::parse(role) {
                case_kinds.insert(id, parsed);
            }
        }
        Some(Access {
            case_kinds,
            sia_licence_required: a.sia_licence_required,
            idle_lock_minutes: minutes,
            mfa_roles: mfa_roles?,
            declaration,
            training,
            deputies,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let src = "ab\ncd é\nxyz";
        assert_eq!(line_column(src, 0), (1, 1));
        assert_eq!(line_column(src, 3), (2, 1));
        assert_eq!(line_column(src, 5), (2, 3));
        // 'é' is two bytes; the byte after it is column 5 of line 2.
        assert_eq!(line_column(src, 8), (2, 5));
        assert_eq!(line_column(src, 999), (3, 4));
    }

    #[test]
    fn periods_parse_and_print() {
        assert_eq!(Period::parse("6 months"), Ok(Period::Months(6)));
        assert_eq!(
            Period::parse("1 year").map(|p| p.to_string()),
            Ok("1 year".to_owned())
        );
        assert_eq!(Period::parse("21 days"), Ok(Period::Days(21)));
        for bad in [
            "six months",
            "6",
            "6 fortnights",
            "0 days",
            "6 months please",
        ] {
            let e = Period::parse(bad).expect_err(bad);
            assert!(e.contains("such as \"21 days\""), "{bad}: {e}");
        }
    }
}
