//! Covert surveillance authorisations: the rules for covert recording with a scheme's
//! cameras (LJM-4, LBU-11, BDC-16). This module says whether an authorisation may be
//! recorded, when it takes effect and expires, how it stands at a given moment (reviews due,
//! the alarm for one left to lapse), who may review the footage it covers, and how long its
//! footage and its record are kept.
//!
//! Three bodies authorise covert recording with a scheme's cameras ([`AuthorisingBody`]):
//! - **the scheme itself**, for its own covert recording, which is outside RIPA (LJM-4,
//!   LBU-11): authorised beforehand by the officer the pack names
//!   (`[authorise.covert_recording]`), on a written rationale, until a time limit the
//!   authoriser sets, never more than three months;
//! - **a police force** under RIPA Part II, identified by the force's unique reference
//!   number ([`Urn`]; BDC-16's "unique surveillance number");
//! - **a local authority** (a council) under RIPA Part II (BDC-16), whose authorisation has
//!   no effect until a justice of the peace approves it (RIPA s32A) and which cannot be
//!   granted orally (s43(1A)). A council may authorise directed surveillance only, only to
//!   prevent or detect crime or prevent disorder, and only for offences over the crime
//!   threshold (SI 2010/521 art 7A).
//!
//! How long an authorisation lasts ([`expires_at`], RIPA s43(3)):
//! - written (directed or intrusive): three months *beginning with* the day it takes effect,
//!   so that one taking effect on 1 January ends at the end of 31 March: it is in force up
//!   to the day before the same date three months on, or, where that date does not exist,
//!   to the last day of that month (30 November gives 28 or 29 February; 31 August gives 30
//!   November);
//! - urgent oral (police only): 72 real hours from the moment it takes effect (a clock
//!   change in between moves the clock time, not the length);
//! - the scheme's own recording: until the time limit its authoriser set.
//!
//! A renewal (written) takes effect when the authorisation would otherwise have expired and
//! runs for a further term from then (s43(6)); it counts only when granted before that
//! expiry, and, for a council, approved by a justice before it too.
//!
//! Invariants:
//! - No I/O, no async, no clock reads: every function is a function of its arguments, and
//!   "now" is always one of them. Facts dated after that "now" (a renewal, an approval, a
//!   cancellation) are treated as not having happened yet.
//! - [`validate`] is the only way to make an [`Authorisation`]; it reports every problem at
//!   once, each in plain words saying how to put it right. A covert human intelligence
//!   source is never accepted: it is a person, not camera surveillance.
//! - Times are UTC milliseconds; days are UK days (`calendar::uk_time_zone`); months are
//!   counted on the UK calendar, never as a number of milliseconds.
//! - An expiry is the *last* millisecond an authorisation is in force (e.g. 23:59:59.999 UK
//!   time on its last day): it is in force at `t` exactly when it has taken effect and `t`
//!   is no later than its expiry.
//! - The scheme's own recording never runs for more than three months per term, whatever
//!   time limit is recorded.
//! - [`may_review`] only restricts: it never grants a right that `access::decide` refuses,
//!   and it refuses without naming the team, the reference or the target.

use std::fmt;

use custos_base::UnixMs;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

use crate::access::{Subject, Username};
use crate::calendar::{self, Calendar, CalendarError, Due};
use crate::camera::Nation;
use crate::deadline::DeadlineRule;
use crate::ident::Ident;
use crate::policy::{Authority, EvidenceClass, Period, PolicyPack};

/// The months a written authorisation (or a renewal) lasts (RIPA s43(3)(d)), and the longest
/// time limit the scheme may set for its own covert recording.
pub const TERM_MONTHS: i8 = 3;

/// The hours an urgent oral authorisation lasts (RIPA s43(3)(a)).
pub const URGENT_ORAL_HOURS: u32 = 72;

/// The fewest characters accepted as the written rationale for the scheme's own covert
/// recording (LJM-4, LBU-11).
pub const MIN_RATIONALE_CHARS: usize = 20;

/// The id of the pack's evidence class for footage gathered under a RIPA authorisation
/// (BDC-16; `[[retention.class]]` in the council's pack).
pub const RIPA_CLASS_ID: &str = "ripa-material";

/// The least time footage gathered under a RIPA authorisation is kept, non-evidential
/// footage included (BDC-16: "a minimum of 5 years").
pub const FOOTAGE_KEPT_AT_LEAST: Period = Period::Years(5);

/// How long the central record of an authorisation is kept after it ends, at least (the
/// Home Office Covert Surveillance and Property Interference code of practice, 8.1).
pub const RECORD_KEPT_AFTER_END: Period = Period::Years(3);

/// Why a time could not be worked out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CovertError {
    /// A time outside the range the UK calendar covers.
    #[error("the time {at_unix_ms} ms is outside the years the UK calendar covers")]
    OutOfRange {
        /// The time.
        at_unix_ms: i64,
    },
    /// The calendar could not place a day or an instant.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// The status was asked for at a moment before the authorisation was granted.
    #[error(
        "the authorisation was granted at {granted}, after the moment asked about ({now})",
        granted = UnixMs(*granted_at_unix_ms).to_london_display(),
        now = UnixMs(*now_unix_ms).to_london_display()
    )]
    BeforeGrant {
        /// When it was granted.
        granted_at_unix_ms: i64,
        /// The moment asked about.
        now_unix_ms: i64,
    },
}

kebab_enum! {
    /// The kind of covert surveillance an authorisation is for (RIPA s26).
    SurveillanceType, "kind of covert surveillance" {
        /// Covert surveillance for a specific investigation or operation, likely to obtain
        /// private information, and not in homes or private vehicles (s26(2)).
        Directed = "directed",
        /// Covert surveillance of anything in residential premises or a private vehicle
        /// (s26(3)).
        Intrusive = "intrusive",
        /// A covert human intelligence source (s26(8)): a person, not a camera, so outside
        /// what Custos records; refused by [`check_surveillance_type`].
        Chis = "chis",
    }
}

impl SurveillanceType {
    /// The kind in words.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Directed => "directed surveillance",
            Self::Intrusive => "intrusive surveillance",
            Self::Chis => "a covert human intelligence source",
        }
    }
}

/// Whether Custos can record an authorisation of this kind: a covert human intelligence
/// source is refused, with the reason in words.
pub fn check_surveillance_type(kind: SurveillanceType) -> Result<(), String> {
    match kind {
        SurveillanceType::Directed | SurveillanceType::Intrusive => Ok(()),
        SurveillanceType::Chis => Err(
            "a covert human intelligence source is a person who keeps up a relationship to obtain information, not camera surveillance, so Custos does not record it; record the camera surveillance (directed or intrusive) under its own authorisation, and keep the source's authorisation in the authorising body's own records"
                .to_owned(),
        ),
    }
}

kebab_enum! {
    /// Which kind of body authorised the surveillance ([`AuthorisingBody`] carries the rest).
    BodyKind, "authorising body" {
        /// The scheme itself, for its own covert recording (LJM-4, LBU-11).
        Scheme = "scheme",
        /// A police force under RIPA (BDC-16).
        Police = "police",
        /// A local authority (a council) under RIPA (BDC-16).
        LocalAuthority = "local-authority",
    }
}

impl BodyKind {
    /// The body in words.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Scheme => "the scheme itself, for its own covert recording",
            Self::Police => "a police force, under RIPA",
            Self::LocalAuthority => "a local authority (a council), under RIPA",
        }
    }
}

/// Who authorised the surveillance, with what each kind of body must give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorisingBody {
    /// The scheme's own covert recording, outside RIPA (LJM-4, LBU-11), authorised by the
    /// officer the pack names.
    Scheme {
        /// The time limit its authoriser set: the last millisecond it may run (no more
        /// than three months from when it is granted).
        until_unix_ms: i64,
    },
    /// A police force under RIPA (BDC-16).
    Police {
        /// The force, e.g. "Nottinghamshire Police".
        force: String,
        /// The force's unique reference number for the authorisation.
        urn: Urn,
    },
    /// A local authority under RIPA (BDC-16): in force only once a justice of the peace
    /// approves it (RIPA s32A).
    LocalAuthority {
        /// The council, e.g. "Bassetlaw District Council".
        council: String,
    },
}

impl AuthorisingBody {
    /// The kind of body.
    pub fn kind(&self) -> BodyKind {
        match self {
            Self::Scheme { .. } => BodyKind::Scheme,
            Self::Police { .. } => BodyKind::Police,
            Self::LocalAuthority { .. } => BodyKind::LocalAuthority,
        }
    }

    /// Whether the authorisation (and each renewal) takes effect only once a justice of
    /// the peace approves it (RIPA s32A: local authorities).
    pub fn needs_judicial_approval(&self) -> bool {
        matches!(self, Self::LocalAuthority { .. })
    }
}

/// A police force's unique reference number for a RIPA authorisation (BDC-16): 3 to 40
/// letters, digits, `/`, `-`, `.` or `_`, with at least one digit, as the force wrote it
/// (spaces around it are dropped).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Urn(String);

/// Why a unique reference number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrnError {
    /// None was given.
    #[error(
        "a police authorisation needs the force's unique reference number for it (BDC-16); ask the force for it before the surveillance starts"
    )]
    Missing,
    /// What was given is not one.
    #[error(
        "{text:?} is not a unique reference number: write it as the force gave it, 3 to 40 letters, digits, slashes, hyphens, dots or underscores with at least one digit and no spaces (e.g. NP/CAB/2026/0142)"
    )]
    Invalid {
        /// The text given.
        text: String,
    },
}

impl Urn {
    /// Parses a reference, refusing an empty or malformed one.
    pub fn parse(text: &str) -> Result<Self, UrnError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(UrnError::Missing);
        }
        let ok = (3..=40).contains(&t.len())
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_'))
            && t.bytes().any(|b| b.is_ascii_digit());
        if ok {
            Ok(Self(t.to_owned()))
        } else {
            Err(UrnError::Invalid {
                text: text.to_owned(),
            })
        }
    }

    /// The reference as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Urn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

kebab_enum! {
    /// How the authorisation was given (RIPA s43(1)).
    Route, "route" {
        /// In writing: three months.
        Written = "written",
        /// Orally, in an urgent case: 72 hours. Open to the police only: councils have no
        /// oral route (s43(1A)), and the scheme's own recording is authorised in writing.
        UrgentOral = "urgent-oral",
    }
}

impl Route {
    /// The route in words.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Written => "in writing",
            Self::UrgentOral => "orally, in an urgent case",
        }
    }
}

kebab_enum! {
    /// The grounds an authorisation is necessary on (RIPA s28(3) for directed, s32(3) for
    /// intrusive surveillance). Only those a camera operation can rest on are offered; the
    /// Act's others (the economic well-being of the UK, tax, health emergencies, purposes
    /// added by order) are left out.
    Ground, "ground" {
        /// In the interests of national security (s28(3)(a), s32(3)(a)).
        NationalSecurity = "national-security",
        /// For preventing or detecting crime or preventing disorder (s28(3)(b)): the only
        /// ground open to a council (SI 2010/521).
        CrimeOrDisorder = "crime-or-disorder",
        /// For preventing or detecting serious crime (s32(3)(b)): the crime ground for
        /// intrusive surveillance.
        SeriousCrime = "serious-crime",
        /// In the interests of public safety (s28(3)(d)).
        PublicSafety = "public-safety",
        /// For protecting public health (s28(3)(e)).
        PublicHealth = "public-health",
    }
}

impl Ground {
    /// The ground in the Act's words.
    pub fn describe(self) -> &'static str {
        match self {
            Self::NationalSecurity => "in the interests of national security",
            Self::CrimeOrDisorder => "for preventing or detecting crime or preventing disorder",
            Self::SeriousCrime => "for preventing or detecting serious crime",
            Self::PublicSafety => "in the interests of public safety",
            Self::PublicHealth => "for protecting public health",
        }
    }

    /// Whether the ground can support intrusive surveillance (s32(3)).
    pub fn allows_intrusive(self) -> bool {
        matches!(self, Self::NationalSecurity | Self::SeriousCrime)
    }
}

kebab_enum! {
    /// Why a council's directed surveillance meets the crime threshold (SI 2010/521 art
    /// 7A): a council may authorise it only to prevent or detect these offences.
    CrimeThreshold, "crime threshold" {
        /// An offence punishable by a maximum term of at least six months' imprisonment.
        SixMonthsImprisonment = "six-months-imprisonment",
        /// Selling alcohol or tobacco to children (Licensing Act 2003 ss146, 147, 147A;
        /// Children and Young Persons Act 1933 s7).
        UnderageSales = "underage-sales",
    }
}

impl CrimeThreshold {
    /// The threshold in words.
    pub fn describe(self) -> &'static str {
        match self {
            Self::SixMonthsImprisonment => {
                "an offence punishable by at least six months' imprisonment"
            }
            Self::UnderageSales => "the sale of alcohol or tobacco to children",
        }
    }
}

/// How long one term of an authorisation runs, from the moment it takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term {
    /// Three months beginning with the day it takes effect (written RIPA authorisations
    /// and renewals).
    ThreeMonths,
    /// 72 hours from the moment it takes effect (urgent oral, police only).
    UrgentOral,
    /// Until a time limit the authoriser set (the scheme's own recording), and never
    /// beyond three months.
    Until {
        /// The last millisecond it may run.
        until_unix_ms: i64,
    },
}

/// The last millisecond a term that takes effect at `takes_effect_at_unix_ms` is in force:
/// 23:59:59.999 UK time on the last day of three months beginning with its first day, 72
/// real hours on less a millisecond, or the authoriser's time limit (cut to three months).
pub fn expires_at(term: Term, takes_effect_at_unix_ms: i64) -> Result<i64, CovertError> {
    let at = timestamp(takes_effect_at_unix_ms)?;
    match term {
        Term::ThreeMonths => three_months_last_ms(at),
        Term::UrgentOral => {
            // Hour rules do not depend on the nation's holidays.
            let deadline = Calendar::rules_only(Nation::EnglandWales)
                .due(DeadlineRule::Hours(URGENT_ORAL_HOURS), at)?;
            last_ms_before(deadline.due)
        }
        Term::Until { until_unix_ms } => Ok(until_unix_ms.min(three_months_last_ms(at)?)),
    }
}

/// The last millisecond of three months beginning with the UK day of `at`: the day before
/// the same date three months on, or the last day of that month when the date does not
/// exist there.
fn three_months_last_ms(at: Timestamp) -> Result<i64, CovertError> {
    let first_day = calendar::uk_day(at)?;
    let out_of_range = || CovertError::OutOfRange {
        at_unix_ms: at.as_millisecond(),
    };
    // jiff puts a date that does not exist on the last day of its month.
    let on = first_day
        .checked_add(TERM_MONTHS.months())
        .map_err(|_| out_of_range())?;
    let last_day = if on.day() == first_day.day() {
        on.yesterday().map_err(|_| out_of_range())?
    } else {
        on
    };
    last_ms_before(Due::Day(last_day))
}

/// The millisecond before a due date passes.
fn last_ms_before(due: Due) -> Result<i64, CovertError> {
    Ok(due.passes_at()?.as_millisecond() - 1)
}

fn timestamp(at_unix_ms: i64) -> Result<Timestamp, CovertError> {
    Timestamp::from_millisecond(at_unix_ms).map_err(|_| CovertError::OutOfRange { at_unix_ms })
}

/// A new authorisation as entered, before [`validate`] checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The kind of surveillance.
    pub surveillance: SurveillanceType,
    /// Who authorised it.
    pub body: BodyKind,
    /// The police force or council, by name (not needed for the scheme's own recording).
    pub organisation: String,
    /// The force's unique reference number (police only).
    pub urn: Option<String>,
    /// Written or urgent oral.
    pub route: Route,
    /// The grounds (RIPA authorisations).
    pub grounds: Vec<Ground>,
    /// Why a council's directed surveillance meets the crime threshold.
    pub crime_threshold: Option<CrimeThreshold>,
    /// The written rationale (required for the scheme's own recording; the reasons for
    /// any other).
    pub rationale: String,
    /// The scheme's own recording: the time limit its authoriser set, the last millisecond
    /// it may run.
    pub until_unix_ms: Option<i64>,
    /// The authorising officer, by name and rank or post.
    pub authorised_by: String,
    /// The cameras it covers.
    pub cameras: Vec<Ident>,
    /// The user names of the people working on it.
    pub team: Vec<String>,
    /// When it was granted.
    pub granted_at_unix_ms: i64,
    /// The UK day of its first review.
    pub first_review_on: Option<Date>,
}

/// A checked authorisation: made only by [`validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorisation {
    surveillance: SurveillanceType,
    body: AuthorisingBody,
    route: Route,
    grounds: Vec<Ground>,
    crime_threshold: Option<CrimeThreshold>,
    rationale: String,
    authorised_by: String,
    cameras: Vec<Ident>,
    team: Vec<Username>,
    granted_at_unix_ms: i64,
    first_review_on: Date,
}

impl Authorisation {
    /// The kind of surveillance (never a covert human intelligence source).
    pub fn surveillance(&self) -> SurveillanceType {
        self.surveillance
    }

    /// Who authorised it.
    pub fn body(&self) -> &AuthorisingBody {
        &self.body
    }

    /// Written or urgent oral.
    pub fn route(&self) -> Route {
        self.route
    }

    /// The grounds, in the order given.
    pub fn grounds(&self) -> &[Ground] {
        &self.grounds
    }

    /// Why a council's directed surveillance meets the crime threshold.
    pub fn crime_threshold(&self) -> Option<CrimeThreshold> {
        self.crime_threshold
    }

    /// The written rationale or reasons, trimmed.
    pub fn rationale(&self) -> &str {
        &self.rationale
    }

    /// The authorising officer.
    pub fn authorised_by(&self) -> &str {
        &self.authorised_by
    }

    /// The cameras it covers, sorted, each once.
    pub fn cameras(&self) -> &[Ident] {
        &self.cameras
    }

    /// The team's user names, sorted, each once.
    pub fn team(&self) -> &[Username] {
        &self.team
    }

    /// When it was granted.
    pub fn granted_at_unix_ms(&self) -> i64 {
        self.granted_at_unix_ms
    }

    /// The UK day of its first review.
    pub fn first_review_on(&self) -> Date {
        self.first_review_on
    }

    /// How long its first term runs.
    pub fn term(&self) -> Term {
        match (&self.body, self.route) {
            (AuthorisingBody::Scheme { until_unix_ms }, _) => Term::Until {
                until_unix_ms: *until_unix_ms,
            },
            (_, Route::UrgentOral) => Term::UrgentOral,
            (_, Route::Written) => Term::ThreeMonths,
        }
    }

    /// When it takes effect: when granted, or for a council when a justice approves it
    /// (`None` until then).
    pub fn takes_effect_at(&self, jp_approved_at_unix_ms: Option<i64>) -> Option<i64> {
        if self.body.needs_judicial_approval() {
            jp_approved_at_unix_ms.map(|j| j.max(self.granted_at_unix_ms))
        } else {
            Some(self.granted_at_unix_ms)
        }
    }
}

/// Checks a new authorisation, returning it checked or every problem found, each in plain
/// words saying how to put it right. `covert` is the pack's `[authorise.covert_recording]`
/// (whether the scheme records covertly of its own accord at all). That the person
/// recording it as authoriser holds one of the pack's roles is for
/// `access::decide_authority`, not this function.
pub fn validate(draft: &Draft, covert: &Authority) -> Result<Authorisation, Vec<String>> {
    let mut problems = Vec::new();
    if let Err(why) = check_surveillance_type(draft.surveillance) {
        problems.push(why);
    }
    let intrusive = draft.surveillance == SurveillanceType::Intrusive;
    let granted_at = draft.granted_at_unix_ms;
    let grant_day = timestamp(granted_at)
        .ok()
        .and_then(|t| calendar::uk_day(t).ok());
    let first_term_end = expires_at(Term::ThreeMonths, granted_at).ok();
    if grant_day.is_none() || first_term_end.is_none() {
        problems.push(format!(
            "the time of grant ({granted_at} ms) is outside the years the UK calendar covers; give the date and time it was granted"
        ));
    }
    let organisation = draft.organisation.trim();

    let body = match draft.body {
        BodyKind::Scheme => scheme_body(draft, covert, first_term_end, &mut problems),
        BodyKind::Police => {
            if organisation.is_empty() {
                problems.push("name the police force that authorised the surveillance".to_owned());
            }
            match Urn::parse(draft.urn.as_deref().unwrap_or("")) {
                Ok(urn) => Some(AuthorisingBody::Police {
                    force: organisation.to_owned(),
                    urn,
                }),
                Err(e) => {
                    problems.push(e.to_string());
                    None
                }
            }
        }
        BodyKind::LocalAuthority => {
            if organisation.is_empty() {
                problems.push("name the council that authorised the surveillance".to_owned());
            }
            if draft.route == Route::UrgentOral {
                problems.push(
                    "a council has no urgent oral route: its authorisations are given in writing only (RIPA s43(1A)), and take effect once a justice of the peace approves them (s32A); record it as written".to_owned(),
                );
            }
            Some(AuthorisingBody::LocalAuthority {
                council: organisation.to_owned(),
            })
        }
    };

    if intrusive && draft.body != BodyKind::Police {
        problems.push(format!(
            "intrusive surveillance can be authorised only by the police and the other bodies RIPA s32 lists, not by {}; if the surveillance is of a home or a private vehicle, the police must authorise it",
            match draft.body {
                BodyKind::LocalAuthority => "a council",
                _ => "the scheme itself",
            }
        ));
    }

    if draft.body != BodyKind::Scheme {
        ripa_grounds(draft, &mut problems);
    }

    if draft.authorised_by.trim().is_empty() {
        problems.push(
            "name the authorising officer, with their rank or post; it is logged before the surveillance starts (BDC-16)".to_owned(),
        );
    }
    let mut cameras = draft.cameras.clone();
    cameras.sort();
    cameras.dedup();
    if cameras.is_empty() {
        problems.push(
            "name at least one camera the surveillance uses; only the cameras named may be used for it".to_owned(),
        );
    }
    let mut team = Vec::new();
    for name in &draft.team {
        match Username::parse(name.trim()) {
            Ok(u) => team.push(u),
            Err(e) => problems.push(format!("in the team: {e}")),
        }
    }
    team.sort();
    team.dedup();
    if draft.team.is_empty() {
        problems.push(
            "name the team: the user names of the people working on the surveillance, who alone (with the roles the pack names) may review its footage".to_owned(),
        );
    }

    match (draft.first_review_on, grant_day) {
        (None, _) => problems.push(
            "set the date of the first review: the authorising officer reviews the authorisation regularly while it is in force (BDC-16)".to_owned(),
        ),
        (Some(review), Some(granted)) if review < granted => problems.push(format!(
            "the first review ({}) is before the authorisation was granted ({}); set a date on or after the grant",
            custos_base::long_date(review),
            custos_base::long_date(granted)
        )),
        (Some(review), _) => {
            // A council's term starts only on approval, so its end is not known yet.
            let last = match draft.body {
                BodyKind::LocalAuthority => None,
                BodyKind::Scheme => draft.until_unix_ms.and_then(uk_day_of),
                BodyKind::Police if draft.route == Route::UrgentOral => {
                    expires_at(Term::UrgentOral, granted_at)
                        .ok()
                        .and_then(uk_day_of)
                }
                BodyKind::Police => first_term_end.and_then(uk_day_of),
            };
            if let Some(last) = last.filter(|&last| review > last) {
                problems.push(format!(
                    "the first review ({}) is after the authorisation expires ({}); set a date while it is in force",
                    custos_base::long_date(review),
                    custos_base::long_date(last)
                ));
            }
        }
    }

    match (body, draft.first_review_on) {
        (Some(body), Some(first_review_on)) if problems.is_empty() => Ok(Authorisation {
            surveillance: draft.surveillance,
            body,
            route: draft.route,
            grounds: draft.grounds.clone(),
            crime_threshold: draft.crime_threshold,
            rationale: draft.rationale.trim().to_owned(),
            authorised_by: draft.authorised_by.trim().to_owned(),
            cameras,
            team,
            granted_at_unix_ms: granted_at,
            first_review_on,
        }),
        _ => Err(problems),
    }
}

/// The scheme's own recording: allowed by the pack, written, with a rationale and a time
/// limit of at most three months (LJM-4, LBU-11).
fn scheme_body(
    draft: &Draft,
    covert: &Authority,
    first_term_end: Option<i64>,
    problems: &mut Vec<String>,
) -> Option<AuthorisingBody> {
    if !covert.allowed {
        problems.push(
            "this scheme's code does not allow covert recording (its pack says allowed = false under [authorise.covert_recording]); the scheme may not record covertly of its own accord".to_owned(),
        );
    }
    if draft.route == Route::UrgentOral {
        problems.push(
            "the scheme's own covert recording is authorised beforehand in writing, on a documented rationale (LJM-4, LBU-11); it has no urgent oral route".to_owned(),
        );
    }
    if draft.rationale.trim().chars().count() < MIN_RATIONALE_CHARS {
        problems.push(format!(
            "write the rationale for the covert recording (at least {MIN_RATIONALE_CHARS} characters): the suspected unlawful activity or serious misconduct, why covert recording is proportionate, and why less intrusive means will not do (LJM-4, LBU-11)"
        ));
    }
    let Some(until) = draft.until_unix_ms else {
        problems.push(
            "set the time limit: covert recording runs only for a limited, reasonable period, at most three months, and stops when the investigation ends (LJM-4, LBU-11)".to_owned(),
        );
        return None;
    };
    if until <= draft.granted_at_unix_ms {
        problems.push("the time limit must fall after the recording is authorised".to_owned());
        return None;
    }
    if let Some(longest) = first_term_end.filter(|&longest| until > longest) {
        problems.push(format!(
            "the time limit may be at most three months: until {} at the latest; renew it then, with a fresh rationale, if the investigation still needs it",
            UnixMs(longest).to_london_long()
        ));
        return None;
    }
    Some(AuthorisingBody::Scheme {
        until_unix_ms: until,
    })
}

/// The grounds of a RIPA authorisation, and a council's limits on them.
fn ripa_grounds(draft: &Draft, problems: &mut Vec<String>) {
    let council = draft.body == BodyKind::LocalAuthority;
    if draft.grounds.is_empty() {
        problems.push(format!(
            "state the grounds on which the surveillance is necessary (RIPA s28(3)); choose from {}",
            Ground::choices()
        ));
    }
    if draft.surveillance == SurveillanceType::Intrusive {
        let bad: Vec<&str> = draft
            .grounds
            .iter()
            .filter(|g| !g.allows_intrusive())
            .map(|g| g.as_str())
            .collect();
        if !bad.is_empty() {
            problems.push(format!(
                "intrusive surveillance may be authorised only in the interests of national security or for preventing or detecting serious crime (RIPA s32(3)), not on {}",
                bad.join(", ")
            ));
        }
    }
    if council {
        let bad: Vec<&str> = draft
            .grounds
            .iter()
            .filter(|&&g| g != Ground::CrimeOrDisorder)
            .map(|g| g.as_str())
            .collect();
        if !bad.is_empty() {
            problems.push(format!(
                "a council may authorise directed surveillance only for preventing or detecting crime or preventing disorder (SI 2010/521), not on {}",
                bad.join(", ")
            ));
        }
        if draft.surveillance == SurveillanceType::Directed && draft.crime_threshold.is_none() {
            problems.push(format!(
                "say how the offence meets the crime threshold: a council may authorise directed surveillance only for {} or {} (SI 2010/521 art 7A)",
                CrimeThreshold::SixMonthsImprisonment.describe(),
                CrimeThreshold::UnderageSales.describe()
            ));
        }
    }
}

fn uk_day_of(at_unix_ms: i64) -> Option<Date> {
    timestamp(at_unix_ms)
        .ok()
        .and_then(|t| calendar::uk_day(t).ok())
}

/// A renewal, always in writing (an oral renewal is not recorded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renewal {
    /// When the authorising officer renewed it.
    pub granted_at_unix_ms: i64,
    /// When a justice of the peace approved the renewal (councils: RIPA s32A).
    pub jp_approved_at_unix_ms: Option<i64>,
    /// The scheme's own recording: the new time limit, the last millisecond it may run.
    pub until_unix_ms: Option<i64>,
}

/// A review: the day it is due and when it was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Review {
    /// The UK day it is due.
    pub due_on: Date,
    /// When the authorising officer did it.
    pub done_at_unix_ms: Option<i64>,
}

/// An authorisation with what happened to it since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CovertRecord {
    /// The authorisation as granted.
    pub authorisation: Authorisation,
    /// When a justice of the peace approved it (councils: RIPA s32A).
    pub jp_approved_at_unix_ms: Option<i64>,
    /// Its renewals, in any order.
    pub renewals: Vec<Renewal>,
    /// Its reviews, the first one included.
    pub reviews: Vec<Review>,
    /// When it was cancelled.
    pub cancelled_at_unix_ms: Option<i64>,
}

/// When an authorisation took effect and when it expires, renewals counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InForce {
    /// When it took effect.
    pub takes_effect_at_unix_ms: i64,
    /// The last millisecond it is in force.
    pub expires_at_unix_ms: i64,
}

impl CovertRecord {
    /// A record of a new authorisation, with its first review due.
    pub fn new(authorisation: Authorisation) -> Self {
        let first = Review {
            due_on: authorisation.first_review_on,
            done_at_unix_ms: None,
        };
        Self {
            authorisation,
            jp_approved_at_unix_ms: None,
            renewals: Vec::new(),
            reviews: vec![first],
            cancelled_at_unix_ms: None,
        }
    }

    /// When it took effect and when it expires, counting what had happened by
    /// `as_at_unix_ms`: `None` before it was granted or, for a council, approved. Each
    /// renewal granted (and for a council approved) before the expiry it extends adds a
    /// term from that expiry; the first that fails to stops the chain, since a lapsed
    /// authorisation cannot be renewed.
    pub fn in_force(&self, as_at_unix_ms: i64) -> Result<Option<InForce>, CovertError> {
        self.in_force_with(as_at_unix_ms, |_| true)
    }

    /// [`CovertRecord::in_force`] counting only the renewals `counted` accepts.
    fn in_force_with(
        &self,
        as_at_unix_ms: i64,
        counted: impl Fn(&Renewal) -> bool,
    ) -> Result<Option<InForce>, CovertError> {
        let a = &self.authorisation;
        if a.granted_at_unix_ms > as_at_unix_ms {
            return Ok(None);
        }
        let approved = self.jp_approved_at_unix_ms.filter(|&j| j <= as_at_unix_ms);
        let Some(takes_effect) = a.takes_effect_at(approved) else {
            return Ok(None);
        };
        let mut span = InForce {
            takes_effect_at_unix_ms: takes_effect,
            expires_at_unix_ms: expires_at(a.term(), takes_effect)?,
        };
        let mut renewals: Vec<&Renewal> = self
            .renewals
            .iter()
            .filter(|r| r.granted_at_unix_ms <= as_at_unix_ms && counted(r))
            .collect();
        renewals.sort_by_key(|r| r.granted_at_unix_ms);
        for r in renewals {
            let approved = r.jp_approved_at_unix_ms.filter(|&j| j <= as_at_unix_ms);
            if !self.renewal_problems(span, r, approved, true).is_empty() {
                break;
            }
            span.expires_at_unix_ms = self.renewal_expiry(span, r)?;
        }
        Ok(Some(span))
    }

    /// The expiry a renewal gives: a further term from the moment the authorisation would
    /// have expired (RIPA s43(6)).
    fn renewal_expiry(&self, span: InForce, r: &Renewal) -> Result<i64, CovertError> {
        let from = span.expires_at_unix_ms + 1;
        let term = match (&self.authorisation.body, r.until_unix_ms) {
            (AuthorisingBody::Scheme { .. }, Some(until_unix_ms)) => Term::Until { until_unix_ms },
            // Refused by `renewal_problems`; the shortest term if asked anyway.
            (AuthorisingBody::Scheme { .. }, None) => Term::Until {
                until_unix_ms: from,
            },
            _ => Term::ThreeMonths,
        };
        expires_at(term, from)
    }

    /// Why a renewal cannot extend an authorisation in force as `span`, in words (empty
    /// when it can). `require_approval`: a council's renewal counts only once approved.
    fn renewal_problems(
        &self,
        span: InForce,
        r: &Renewal,
        approved: Option<i64>,
        require_approval: bool,
    ) -> Vec<String> {
        let mut problems = Vec::new();
        let expiry = span.expires_at_unix_ms;
        let when = |ms: i64| UnixMs(ms).to_london_long();
        if let Some(c) = self
            .cancelled_at_unix_ms
            .filter(|&c| c <= r.granted_at_unix_ms)
        {
            problems.push(format!(
                "it was cancelled on {}; a cancelled authorisation cannot be renewed, so grant a new one if the surveillance is needed again",
                when(c)
            ));
        }
        if r.granted_at_unix_ms > expiry {
            problems.push(format!(
                "it expired at {} and can be renewed only before it expires (RIPA s43(4)); grant a new authorisation instead",
                when(expiry)
            ));
        }
        if self.authorisation.body.needs_judicial_approval() {
            match approved {
                Some(j) if j > expiry => problems.push(format!(
                    "a justice of the peace approved the renewal at {}, after the authorisation expired at {}; a renewal takes effect only once approved (RIPA s32A), so grant a new authorisation instead",
                    when(j),
                    when(expiry)
                )),
                None if require_approval => problems.push(
                    "a council's renewal takes effect only once a justice of the peace approves it (RIPA s32A)".to_owned(),
                ),
                _ => {}
            }
        }
        if let AuthorisingBody::Scheme { .. } = self.authorisation.body {
            let from = expiry + 1;
            match (r.until_unix_ms, expires_at(Term::ThreeMonths, from)) {
                (None, _) => problems.push(
                    "set the renewal's time limit, at most three months after the current one (LJM-4, LBU-11)".to_owned(),
                ),
                (Some(u), _) if u < from => problems.push(format!(
                    "the renewal's time limit must fall after the current one, {}",
                    when(expiry)
                )),
                (Some(u), Ok(longest)) if u > longest => problems.push(format!(
                    "a renewal's time limit may be at most three months on: until {} at the latest",
                    when(longest)
                )),
                _ => {}
            }
        }
        problems
    }
}

/// Checks a renewal against the record as it stood when the renewal was granted (the
/// renewal itself left out, if already recorded); returns the new expiry, or every problem
/// in words. A council's renewal may be recorded before a justice approves it; it counts
/// only once approved (before the expiry it extends).
pub fn check_renewal(record: &CovertRecord, renewal: &Renewal) -> Result<i64, Vec<String>> {
    let at = renewal.granted_at_unix_ms;
    let span = match record.in_force_with(at, |r| r != renewal) {
        Ok(Some(span)) => span,
        Ok(None) if record.authorisation.granted_at_unix_ms > at => {
            return Err(vec![
                "the renewal is dated before the authorisation was granted".to_owned(),
            ]);
        }
        Ok(None) => {
            return Err(vec![
                "a council's authorisation can be renewed only after a justice of the peace has approved it (RIPA s32A); it is not in force yet".to_owned(),
            ]);
        }
        Err(e) => return Err(vec![e.to_string()]),
    };
    let problems = record.renewal_problems(span, renewal, renewal.jp_approved_at_unix_ms, false);
    if !problems.is_empty() {
        return Err(problems);
    }
    record
        .renewal_expiry(span, renewal)
        .map_err(|e| vec![e.to_string()])
}

/// How an authorisation stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CovertStatus {
    /// A council's authorisation, granted but not yet approved by a justice of the peace:
    /// not in force, and nothing may be recorded under it (RIPA s32A).
    AwaitingApproval,
    /// In force.
    InForce {
        /// The last millisecond it is in force.
        expires_at_unix_ms: i64,
        /// The next review due, if one is set.
        next_review_on: Option<Date>,
    },
    /// In force, but a review's day has passed without it being done.
    ReviewOverdue {
        /// The last millisecond it is in force.
        expires_at_unix_ms: i64,
        /// The day the review was due.
        review_due_on: Date,
    },
    /// Past its expiry with neither a renewal nor a cancellation: an alarm, until its
    /// authorising officer records the cancellation.
    ExpiredUnresolved {
        /// The last millisecond it was in force.
        expired_at_unix_ms: i64,
    },
    /// Cancelled before it expired (or before it took effect).
    Cancelled {
        /// When.
        cancelled_at_unix_ms: i64,
    },
    /// Expired, and its cancellation recorded afterwards.
    Ended {
        /// The last millisecond it was in force.
        expired_at_unix_ms: i64,
        /// When the cancellation was recorded.
        closed_at_unix_ms: i64,
    },
}

impl CovertStatus {
    /// Whether this status raises an alarm: the authorisation has expired without renewal
    /// or cancellation.
    pub fn is_alarm(&self) -> bool {
        matches!(self, Self::ExpiredUnresolved { .. })
    }

    /// Whether the authorisation is in force (reviewed on time or not).
    pub fn is_in_force(&self) -> bool {
        matches!(self, Self::InForce { .. } | Self::ReviewOverdue { .. })
    }

    /// When the authorisation ended, for [`record_kept_until`]: when it was cancelled, or
    /// when it expired for one cancelled late; `None` while it has not ended.
    pub fn ended_at_unix_ms(&self) -> Option<i64> {
        match *self {
            Self::Cancelled {
                cancelled_at_unix_ms,
            } => Some(cancelled_at_unix_ms),
            Self::Ended {
                expired_at_unix_ms, ..
            } => Some(expired_at_unix_ms),
            _ => None,
        }
    }

    /// The status in a sentence for people.
    pub fn describe(&self) -> String {
        let when = |ms: i64| UnixMs(ms).to_london_long();
        match *self {
            Self::AwaitingApproval => "Granted, awaiting a justice of the peace's approval: not in force, and nothing may be recorded under it yet (RIPA s32A).".to_owned(),
            Self::InForce {
                expires_at_unix_ms,
                next_review_on,
            } => match next_review_on {
                Some(d) => format!(
                    "In force until {}; next review due {}.",
                    when(expires_at_unix_ms),
                    custos_base::long_date(d)
                ),
                None => format!(
                    "In force until {}; no review date is set, so the authorising officer should set one.",
                    when(expires_at_unix_ms)
                ),
            },
            Self::ReviewOverdue {
                expires_at_unix_ms,
                review_due_on,
            } => format!(
                "In force until {}, but the review due {} has not been done; the authorising officer must review it now.",
                when(expires_at_unix_ms),
                custos_base::long_date(review_due_on)
            ),
            Self::ExpiredUnresolved { expired_at_unix_ms } => format!(
                "Expired at {} with neither a renewal nor a cancellation: any covert recording under it must stop, and the authorising officer must record its cancellation.",
                when(expired_at_unix_ms)
            ),
            Self::Cancelled {
                cancelled_at_unix_ms,
            } => format!("Cancelled at {}.", when(cancelled_at_unix_ms)),
            Self::Ended {
                expired_at_unix_ms,
                closed_at_unix_ms,
            } => format!(
                "Expired at {}; its cancellation was recorded at {}.",
                when(expired_at_unix_ms),
                when(closed_at_unix_ms)
            ),
        }
    }
}

/// How `record` stands at `now_unix_ms`, counting only what had happened by then.
pub fn status(record: &CovertRecord, now_unix_ms: i64) -> Result<CovertStatus, CovertError> {
    let granted_at_unix_ms = record.authorisation.granted_at_unix_ms;
    if granted_at_unix_ms > now_unix_ms {
        return Err(CovertError::BeforeGrant {
            granted_at_unix_ms,
            now_unix_ms,
        });
    }
    let cancelled = record.cancelled_at_unix_ms.filter(|&c| c <= now_unix_ms);
    let Some(span) = record.in_force(now_unix_ms)? else {
        return Ok(match cancelled {
            Some(cancelled_at_unix_ms) => CovertStatus::Cancelled {
                cancelled_at_unix_ms,
            },
            None => CovertStatus::AwaitingApproval,
        });
    };
    let expires_at_unix_ms = span.expires_at_unix_ms;
    if let Some(c) = cancelled {
        return Ok(if c <= expires_at_unix_ms {
            CovertStatus::Cancelled {
                cancelled_at_unix_ms: c,
            }
        } else {
            CovertStatus::Ended {
                expired_at_unix_ms: expires_at_unix_ms,
                closed_at_unix_ms: c,
            }
        });
    }
    if now_unix_ms > expires_at_unix_ms {
        return Ok(CovertStatus::ExpiredUnresolved {
            expired_at_unix_ms: expires_at_unix_ms,
        });
    }
    let next_review_on = record
        .reviews
        .iter()
        .filter(|r| r.done_at_unix_ms.is_none_or(|d| d > now_unix_ms))
        .map(|r| r.due_on)
        .min();
    if let Some(due) = next_review_on
        && now_unix_ms >= Due::Day(due).passes_at()?.as_millisecond()
    {
        return Ok(CovertStatus::ReviewOverdue {
            expires_at_unix_ms,
            review_due_on: due,
        });
    }
    Ok(CovertStatus::InForce {
        expires_at_unix_ms,
        next_review_on,
    })
}

/// Whether `person` may review footage of `camera` from `footage_from_unix_ms` to
/// `footage_to_unix_ms` (exclusive) as far as `record` is concerned: footage of its cameras
/// recorded while it was in force (from taking effect to expiry or cancellation, renewals
/// counted) may be reviewed only by its team and by holders of `extra_roles` (the roles the
/// pack names, e.g. those that authorise covert recording). Footage of other cameras or
/// other times is unaffected. This only restricts: the ordinary rights (`access::decide`)
/// still apply. A refusal says why without naming the team, the reference or the target.
pub fn may_review(
    record: &CovertRecord,
    camera: &Ident,
    footage_from_unix_ms: i64,
    footage_to_unix_ms: i64,
    person: &Subject,
    extra_roles: &[Ident],
) -> Result<(), String> {
    let a = &record.authorisation;
    if !a.cameras.contains(camera) {
        return Ok(());
    }
    let span = match record.in_force(i64::MAX) {
        Ok(Some(span)) => span,
        Ok(None) => return Ok(()),
        Err(e) => {
            return Err(format!(
                "this footage may fall within a covert surveillance authorisation whose dates cannot be worked out ({e}), so it stays restricted; ask the authorising officer"
            ));
        }
    };
    let end = record
        .cancelled_at_unix_ms
        .map_or(span.expires_at_unix_ms, |c| c.min(span.expires_at_unix_ms));
    let overlaps = footage_from_unix_ms <= end
        && footage_to_unix_ms > span.takes_effect_at_unix_ms
        && span.takes_effect_at_unix_ms <= end;
    if !overlaps {
        return Ok(());
    }
    let in_team = a.team.iter().any(|u| u.as_str() == person.username);
    let holds_role = person
        .assignments
        .iter()
        .any(|x| extra_roles.contains(&x.role));
    if !person.disabled && (in_team || holds_role) {
        return Ok(());
    }
    let roles = if extra_roles.is_empty() {
        String::new()
    } else {
        format!(
            " and holders of the role{} {}",
            if extra_roles.len() == 1 { "" } else { "s" },
            extra_roles
                .iter()
                .map(Ident::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Err(format!(
        "this footage is restricted: it was recorded under a covert surveillance authorisation, and only the people named in it{roles} may review it; ask the authorising officer if you need it"
    ))
}

/// Whether a retention period keeps footage for at least `FOOTAGE_KEPT_AT_LEAST` (five
/// years) from any start (BDC-16); a period in days must have 366 days for every year.
pub fn check_footage_period(period: Period) -> Result<(), String> {
    let years = match FOOTAGE_KEPT_AT_LEAST {
        Period::Years(n) => n,
        Period::Months(n) => n / 12,
        Period::Days(n) => n / 366,
    };
    let enough = match period {
        Period::Years(n) => n >= years,
        Period::Months(n) => n >= years.saturating_mul(12),
        Period::Days(n) => n >= years.saturating_mul(366),
    };
    if enough {
        Ok(())
    } else {
        Err(format!(
            "footage gathered under a RIPA authorisation is kept for at least {FOOTAGE_KEPT_AT_LEAST}, non-evidential footage included (BDC-16), but the period given is {period}; set the class's period to {FOOTAGE_KEPT_AT_LEAST} or more"
        ))
    }
}

/// The pack's evidence class ([`RIPA_CLASS_ID`]) that footage gathered under a RIPA
/// authorisation is held under, checked to keep it at least five years (BDC-16).
pub fn footage_class(pack: &PolicyPack) -> Result<&EvidenceClass, String> {
    let class = pack
        .retention
        .classes
        .iter()
        .find(|c| c.id.as_str() == RIPA_CLASS_ID)
        .ok_or_else(|| {
            format!(
                "the pack has no evidence class \"{RIPA_CLASS_ID}\" for footage gathered under a RIPA authorisation; add a [[retention.class]] with that id and a period of at least {FOOTAGE_KEPT_AT_LEAST} (BDC-16)"
            )
        })?;
    check_footage_period(class.period)?;
    Ok(class)
}

/// The earliest the central record of an authorisation that ended at `ended_at_unix_ms`
/// may be destroyed: three years on, on the UK calendar.
pub fn record_kept_until(ended_at_unix_ms: i64) -> i64 {
    RECORD_KEPT_AFTER_END.after(UnixMs(ended_at_unix_ms)).0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{Assignment, Competence, Scope};

    fn uk(text: &str) -> i64 {
        UnixMs::parse_uk_local(text).expect(text).0
    }

    fn day(text: &str) -> Date {
        text.parse().expect(text)
    }

    fn id(text: &str) -> Ident {
        Ident::parse(text).expect(text)
    }

    fn council_pack() -> PolicyPack {
        PolicyPack::parse(include_str!(
            "../../../policies/bassetlaw-district-council.toml"
        ))
        .expect("council pack")
    }

    fn ljmu_pack() -> PolicyPack {
        PolicyPack::parse(include_str!(
            "../../../policies/ljmu-operational-cameras.toml"
        ))
        .expect("LJMU pack")
    }

    fn lbu_pack() -> PolicyPack {
        PolicyPack::parse(include_str!(
            "../../../policies/loughborough-university.toml"
        ))
        .expect("Loughborough pack")
    }

    fn school_pack() -> PolicyPack {
        PolicyPack::parse(include_str!("../../../policies/bosmere-junior-school.toml"))
            .expect("school pack")
    }

    /// A police directed-surveillance authorisation granted in writing at 09:00 on 1
    /// January 2026.
    fn police() -> Draft {
        Draft {
            surveillance: SurveillanceType::Directed,
            body: BodyKind::Police,
            organisation: "Nottinghamshire Police".to_owned(),
            urn: Some("NP/CAB/2026/0142".to_owned()),
            route: Route::Written,
            grounds: vec![Ground::CrimeOrDisorder],
            crime_threshold: None,
            rationale: String::new(),
            until_unix_ms: None,
            authorised_by: "Supt A. Example, Covert Authority Bureau".to_owned(),
            cameras: vec![id("market-square"), id("bridge-street")],
            team: vec!["pc.jones".to_owned(), "op.smith".to_owned()],
            granted_at_unix_ms: uk("2026-01-01T09:00"),
            first_review_on: Some(day("2026-01-29")),
        }
    }

    fn council() -> Draft {
        Draft {
            body: BodyKind::LocalAuthority,
            organisation: "Bassetlaw District Council".to_owned(),
            urn: None,
            crime_threshold: Some(CrimeThreshold::SixMonthsImprisonment),
            authorised_by: "Head of Regulatory Services".to_owned(),
            ..police()
        }
    }

    fn record(draft: &Draft) -> CovertRecord {
        let auth = validate(draft, &council_pack().authorise.covert_recording)
            .expect("a valid authorisation");
        CovertRecord::new(auth)
    }

    fn person(name: &str, roles: &[&str]) -> Subject {
        Subject {
            username: name.to_owned(),
            disabled: false,
            assignments: roles
                .iter()
                .map(|r| Assignment {
                    role: id(r),
                    scope: Scope::Scheme,
                })
                .collect(),
            competence: Competence::default(),
            absent_roles: Vec::new(),
            client: None,
        }
    }

    fn renewal(at: &str) -> Renewal {
        Renewal {
            granted_at_unix_ms: uk(at),
            jp_approved_at_unix_ms: None,
            until_unix_ms: None,
        }
    }

    /// BDC-16: a written authorisation lasts three months beginning with the day it takes
    /// effect: from 1 January to the end of 31 March (UK time, by then BST).
    #[test]
    fn bdc_16_a_written_authorisation_from_1_january_ends_at_the_end_of_31_march() {
        let end = expires_at(Term::ThreeMonths, uk("2026-01-01T09:00")).expect("expiry");
        assert_eq!(end, uk("2026-03-31T23:59:59.999"));
        assert_eq!(UnixMs(end).to_rfc3339(), "2026-03-31T22:59:59.999Z");
        assert_eq!(UnixMs(end).to_london_display(), "2026-03-31 23:59 BST");
        let r = record(&police());
        assert_eq!(
            status(&r, uk("2026-03-31T23:59")),
            Ok(CovertStatus::ReviewOverdue {
                expires_at_unix_ms: end,
                review_due_on: day("2026-01-29"),
            })
        );
        assert!(
            status(&r, uk("2026-04-01T00:00"))
                .expect("status")
                .is_alarm()
        );
    }

    /// BDC-16: three months less a day at the ends of months: the day before the same date
    /// three months on, or the last day of that month when the date does not exist.
    #[test]
    fn bdc_16_three_months_end_the_day_before_the_same_date_or_at_the_month_end() {
        for (start, last) in [
            ("2026-11-30", "2027-02-28"),
            ("2027-11-30", "2028-02-29"),
            ("2026-08-31", "2026-11-30"),
            ("2027-11-29", "2028-02-28"),
            ("2026-03-01", "2026-05-31"),
            ("2026-12-31", "2027-03-30"),
            ("2026-10-15", "2027-01-14"),
        ] {
            let end = expires_at(Term::ThreeMonths, uk(&format!("{start}T16:30"))).expect("expiry");
            assert_eq!(end, uk(&format!("{last}T23:59:59.999")), "{start}");
        }
    }

    /// BDC-16: an urgent oral police authorisation lasts 72 real hours: granted at 10:00
    /// GMT on Saturday 28 March 2026, it ends before 11:00 BST on Tuesday 31 March, the
    /// clocks having gone forward in between.
    #[test]
    fn bdc_16_an_urgent_oral_authorisation_lasts_72_hours_across_the_clock_change() {
        let granted = uk("2026-03-28T10:00");
        let end = expires_at(Term::UrgentOral, granted).expect("expiry");
        assert_eq!(end, uk("2026-03-31T10:59:59.999"));
        assert_eq!(end + 1 - granted, 72 * 3_600_000);
        let r = record(&Draft {
            route: Route::UrgentOral,
            granted_at_unix_ms: granted,
            first_review_on: Some(day("2026-03-30")),
            ..police()
        });
        assert!(
            status(&r, uk("2026-03-31T10:59"))
                .expect("status")
                .is_in_force()
        );
        assert!(
            status(&r, uk("2026-03-31T11:00"))
                .expect("status")
                .is_alarm()
        );
        // Renewed in writing: three months beginning with the day the 72 hours ran out.
        let mut renewed = r.clone();
        renewed.renewals.push(renewal("2026-03-30T15:00"));
        assert_eq!(
            renewed.in_force(uk("2026-04-01T00:00")).expect("span"),
            Some(InForce {
                takes_effect_at_unix_ms: granted,
                expires_at_unix_ms: uk("2026-06-30T23:59:59.999"),
            })
        );
    }

    /// BDC-16: a renewal takes effect when the authorisation would have expired and runs
    /// three more months from then; one granted after expiry is refused and revives
    /// nothing, so the alarm stands.
    #[test]
    fn bdc_16_a_renewal_runs_on_from_the_previous_expiry_and_only_before_it() {
        let mut r = record(&police());
        let first = renewal("2026-03-20T11:00");
        assert_eq!(check_renewal(&r, &first), Ok(uk("2026-06-30T23:59:59.999")));
        r.renewals.push(first);
        r.reviews[0].done_at_unix_ms = Some(uk("2026-01-29T10:00"));
        let second = renewal("2026-06-25T11:00");
        assert_eq!(
            check_renewal(&r, &second),
            Ok(uk("2026-09-30T23:59:59.999"))
        );
        r.renewals.push(second);
        assert_eq!(
            status(&r, uk("2026-09-30T12:00")),
            Ok(CovertStatus::InForce {
                expires_at_unix_ms: uk("2026-09-30T23:59:59.999"),
                next_review_on: None,
            })
        );
        // Before the second renewal was granted, the first's expiry stood.
        assert_eq!(
            r.in_force(uk("2026-06-01T00:00"))
                .expect("span")
                .map(|s| s.expires_at_unix_ms),
            Some(uk("2026-06-30T23:59:59.999"))
        );
        let late = renewal("2026-10-01T09:00");
        let problems = check_renewal(&r, &late).expect_err("lapsed");
        assert!(
            problems[0].contains("can be renewed only before it expires"),
            "{problems:?}"
        );
        r.renewals.push(late);
        assert_eq!(
            status(&r, uk("2026-10-02T09:00")),
            Ok(CovertStatus::ExpiredUnresolved {
                expired_at_unix_ms: uk("2026-09-30T23:59:59.999"),
            })
        );
    }

    /// BDC-16: an authorisation past its expiry with neither a renewal nor a cancellation
    /// raises the alarm; cancelling it then answers the alarm, and one cancelled in time
    /// never raises it.
    #[test]
    fn bdc_16_an_authorisation_past_expiry_without_renewal_or_cancellation_raises_the_alarm() {
        let mut r = record(&police());
        let expiry = uk("2026-03-31T23:59:59.999");
        let late = status(&r, uk("2026-04-02T08:00")).expect("status");
        assert_eq!(
            late,
            CovertStatus::ExpiredUnresolved {
                expired_at_unix_ms: expiry
            }
        );
        assert!(late.is_alarm() && !late.is_in_force());
        assert!(
            late.describe()
                .contains("neither a renewal nor a cancellation")
        );
        r.cancelled_at_unix_ms = Some(uk("2026-04-02T09:00"));
        let closed = status(&r, uk("2026-04-02T10:00")).expect("status");
        assert_eq!(
            closed,
            CovertStatus::Ended {
                expired_at_unix_ms: expiry,
                closed_at_unix_ms: uk("2026-04-02T09:00"),
            }
        );
        assert!(!closed.is_alarm());
        // The cancellation is not counted before it happened.
        assert!(
            status(&r, uk("2026-04-02T08:00"))
                .expect("status")
                .is_alarm()
        );
        r.cancelled_at_unix_ms = Some(uk("2026-02-10T17:00"));
        let cancelled = status(&r, uk("2026-06-01T00:00")).expect("status");
        assert_eq!(
            cancelled,
            CovertStatus::Cancelled {
                cancelled_at_unix_ms: uk("2026-02-10T17:00")
            }
        );
        assert_eq!(
            record_kept_until(cancelled.ended_at_unix_ms().expect("ended")),
            uk("2029-02-10T17:00")
        );
    }

    /// BDC-16: the authorising officer reviews the authorisation: a review date is needed
    /// to grant it, and a review not done by the end of its day shows as overdue.
    #[test]
    fn bdc_16_a_review_date_is_required_and_a_missed_review_is_overdue() {
        let problems = validate(
            &Draft {
                first_review_on: None,
                ..police()
            },
            &council_pack().authorise.covert_recording,
        )
        .expect_err("no review date");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("first review"));
        let mut r = record(&police());
        assert_eq!(
            status(&r, uk("2026-01-29T23:59")),
            Ok(CovertStatus::InForce {
                expires_at_unix_ms: uk("2026-03-31T23:59:59.999"),
                next_review_on: Some(day("2026-01-29")),
            })
        );
        assert_eq!(
            status(&r, uk("2026-01-30T00:00")),
            Ok(CovertStatus::ReviewOverdue {
                expires_at_unix_ms: uk("2026-03-31T23:59:59.999"),
                review_due_on: day("2026-01-29"),
            })
        );
        r.reviews[0].done_at_unix_ms = Some(uk("2026-01-30T09:00"));
        r.reviews.push(Review {
            due_on: day("2026-02-26"),
            done_at_unix_ms: None,
        });
        assert_eq!(
            status(&r, uk("2026-02-01T12:00")),
            Ok(CovertStatus::InForce {
                expires_at_unix_ms: uk("2026-03-31T23:59:59.999"),
                next_review_on: Some(day("2026-02-26")),
            })
        );
        let late = Draft {
            first_review_on: Some(day("2026-04-01")),
            ..police()
        };
        let problems =
            validate(&late, &council_pack().authorise.covert_recording).expect_err("after expiry");
        assert!(
            problems[0].contains("after the authorisation expires"),
            "{problems:?}"
        );
    }

    /// BDC-16: a council's authorisation has no effect until a justice of the peace
    /// approves it (RIPA s32A); its three months run from the day of approval.
    #[test]
    fn bdc_16_a_council_authorisation_takes_effect_only_once_a_justice_approves_it() {
        let mut r = record(&council());
        assert_eq!(r.in_force(uk("2026-02-01T00:00")), Ok(None));
        assert_eq!(
            status(&r, uk("2026-01-20T12:00")),
            Ok(CovertStatus::AwaitingApproval)
        );
        // Footage from before approval is not covered: nothing was authorised then.
        let camera = id("market-square");
        let outsider = person("op.brown", &["operator"]);
        assert_eq!(
            may_review(
                &r,
                &camera,
                uk("2026-01-05T10:00"),
                uk("2026-01-05T11:00"),
                &outsider,
                &[]
            ),
            Ok(())
        );
        r.jp_approved_at_unix_ms = Some(uk("2026-01-14T15:30"));
        // Not in force before the approval, even though granted.
        assert_eq!(
            status(&r, uk("2026-01-14T15:00")),
            Ok(CovertStatus::AwaitingApproval)
        );
        assert_eq!(
            r.in_force(uk("2026-01-20T00:00")),
            Ok(Some(InForce {
                takes_effect_at_unix_ms: uk("2026-01-14T15:30"),
                expires_at_unix_ms: uk("2026-04-13T23:59:59.999"),
            }))
        );
        assert!(
            status(&r, uk("2026-01-20T12:00"))
                .expect("status")
                .is_in_force()
        );
        // A renewal counts only once approved, and only if approved before expiry.
        let mut renew = renewal("2026-04-01T10:00");
        assert_eq!(check_renewal(&r, &renew), Ok(uk("2026-07-13T23:59:59.999")));
        r.renewals.push(renew.clone());
        assert_eq!(
            r.in_force(uk("2026-04-20T00:00"))
                .expect("span")
                .map(|s| s.expires_at_unix_ms),
            Some(uk("2026-04-13T23:59:59.999"))
        );
        renew.jp_approved_at_unix_ms = Some(uk("2026-04-10T11:00"));
        r.renewals = vec![renew.clone()];
        assert_eq!(
            r.in_force(uk("2026-04-20T00:00"))
                .expect("span")
                .map(|s| s.expires_at_unix_ms),
            Some(uk("2026-07-13T23:59:59.999"))
        );
        renew.jp_approved_at_unix_ms = Some(uk("2026-04-15T11:00"));
        let problems = check_renewal(&r, &renew).expect_err("approved too late");
        assert!(
            problems[0].contains("after the authorisation expired"),
            "{problems:?}"
        );
    }

    /// BDC-16: a council has no urgent oral route (RIPA s43(1A)), may rely only on
    /// preventing or detecting crime or preventing disorder, must meet the crime threshold
    /// for directed surveillance, and cannot authorise intrusive surveillance at all.
    #[test]
    fn bdc_16_councils_have_no_urgent_route_one_ground_a_crime_threshold_and_no_intrusive() {
        let covert = council_pack().authorise.covert_recording;
        let problems = validate(
            &Draft {
                route: Route::UrgentOral,
                grounds: vec![Ground::CrimeOrDisorder, Ground::PublicSafety],
                crime_threshold: None,
                ..council()
            },
            &covert,
        )
        .expect_err("invalid");
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("no urgent oral route") && problems[0].contains("s43(1A)"));
        assert!(problems[1].contains("public-safety"));
        assert!(problems[2].contains("crime threshold"));
        let problems = validate(
            &Draft {
                surveillance: SurveillanceType::Intrusive,
                ..council()
            },
            &covert,
        )
        .expect_err("intrusive");
        assert!(
            problems.iter().any(|p| p.contains("only by the police")),
            "{problems:?}"
        );
        let police_intrusive = Draft {
            surveillance: SurveillanceType::Intrusive,
            grounds: vec![Ground::SeriousCrime],
            ..police()
        };
        assert!(validate(&police_intrusive, &covert).is_ok());
    }

    /// BDC-16: a police authorisation carries the force's unique reference number; none,
    /// or a malformed one, is refused.
    #[test]
    fn bdc_16_a_police_authorisation_needs_its_unique_reference_number() {
        let covert = council_pack().authorise.covert_recording;
        for urn in [None, Some("  "), Some("NP CAB 1"), Some("ABC/DEF")] {
            let problems = validate(
                &Draft {
                    urn: urn.map(str::to_owned),
                    ..police()
                },
                &covert,
            )
            .expect_err("no reference");
            assert_eq!(problems.len(), 1, "{urn:?}: {problems:?}");
            assert!(
                problems[0].contains("unique reference number"),
                "{problems:?}"
            );
        }
        let auth = validate(&police(), &covert).expect("valid");
        let AuthorisingBody::Police { urn, force } = auth.body() else {
            panic!("not police: {:?}", auth.body());
        };
        assert_eq!(
            (urn.as_str(), force.as_str()),
            ("NP/CAB/2026/0142", "Nottinghamshire Police")
        );
        assert_eq!(auth.cameras(), [id("bridge-street"), id("market-square")]);
    }

    /// BDC-16: every problem of a new authorisation is reported at once, a covert human
    /// intelligence source among them (a person, not camera surveillance).
    #[test]
    fn bdc_16_every_problem_is_reported_at_once_and_a_chis_is_out_of_scope() {
        let draft = Draft {
            surveillance: SurveillanceType::Chis,
            urn: None,
            grounds: Vec::new(),
            authorised_by: " ".to_owned(),
            cameras: Vec::new(),
            team: Vec::new(),
            ..police()
        };
        let problems =
            validate(&draft, &council_pack().authorise.covert_recording).expect_err("invalid");
        let expect = [
            "covert human intelligence source is a person",
            "unique reference number",
            "state the grounds",
            "authorising officer",
            "at least one camera",
            "name the team",
        ];
        assert_eq!(problems.len(), expect.len(), "{problems:?}");
        for (p, e) in problems.iter().zip(expect) {
            assert!(p.contains(e), "{p:?} should say {e:?}");
        }
        assert!(check_surveillance_type(SurveillanceType::Chis).is_err());
        assert_eq!(check_surveillance_type(SurveillanceType::Directed), Ok(()));
        assert_eq!("chis".parse(), Ok(SurveillanceType::Chis));
        let bad_name = Draft {
            team: vec!["PC Jones".to_owned()],
            ..police()
        };
        let problems = validate(&bad_name, &council_pack().authorise.covert_recording)
            .expect_err("bad user name");
        assert!(problems[0].starts_with("in the team:"), "{problems:?}");
    }

    /// LJM-4, LBU-11: the scheme's own covert recording needs the pack to allow it, a
    /// written rationale and a time limit of at most three months, and it ends there.
    #[test]
    fn ljm_4_the_schemes_own_covert_recording_needs_a_rationale_and_a_time_limit() {
        let ljmu = ljmu_pack();
        let covert = &ljmu.authorise.covert_recording;
        let own = Draft {
            body: BodyKind::Scheme,
            organisation: String::new(),
            urn: None,
            grounds: Vec::new(),
            rationale: "short".to_owned(),
            until_unix_ms: None,
            authorised_by: "Head of Security".to_owned(),
            cameras: vec![id("lab-2")],
            team: vec!["sec.officer".to_owned()],
            granted_at_unix_ms: uk("2026-05-11T14:00"),
            first_review_on: Some(day("2026-05-18")),
            ..police()
        };
        let problems = validate(&own, covert).expect_err("invalid");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("rationale") && problems[0].contains("LJM-4"));
        assert!(problems[1].contains("time limit"));
        let too_long = Draft {
            rationale: "Repeated thefts of equipment from lab 2 after hours; \
                        signs and locks have not stopped them."
                .to_owned(),
            until_unix_ms: Some(uk("2026-08-11T00:00")),
            ..own.clone()
        };
        let problems = validate(&too_long, covert).expect_err("too long");
        assert!(
            problems[0].contains("Monday 10 August 2026, 23:59"),
            "{problems:?}"
        );
        let ok = Draft {
            until_unix_ms: Some(uk("2026-06-11T18:00")),
            ..too_long
        };
        let r = CovertRecord::new(validate(&ok, covert).expect("valid"));
        assert_eq!(
            r.authorisation.term(),
            Term::Until {
                until_unix_ms: uk("2026-06-11T18:00")
            }
        );
        assert!(
            status(&r, uk("2026-05-12T09:00"))
                .expect("status")
                .is_in_force()
        );
        assert!(
            status(&r, uk("2026-06-11T18:01"))
                .expect("status")
                .is_alarm()
        );
        // A scheme that never records covertly refuses it.
        let school = school_pack();
        let problems = validate(&ok, &school.authorise.covert_recording).expect_err("refused");
        assert!(problems[0].contains("allowed = false"), "{problems:?}");
        // Written only.
        let oral = Draft {
            route: Route::UrgentOral,
            ..ok
        };
        let problems = validate(&oral, covert).expect_err("oral");
        assert!(problems[0].contains("no urgent oral route"), "{problems:?}");
    }

    /// LBU-11: a renewal of the scheme's own recording sets a new time limit, at most three
    /// months on from the current one.
    #[test]
    fn lbu_11_a_renewal_of_the_schemes_own_recording_sets_a_new_time_limit() {
        let lbu = lbu_pack();
        let draft = Draft {
            body: BodyKind::Scheme,
            urn: None,
            grounds: Vec::new(),
            rationale: "Suspected serious misconduct in the stores, reported twice.".to_owned(),
            until_unix_ms: Some(uk("2026-05-31T23:59:59.999")),
            granted_at_unix_ms: uk("2026-05-01T10:00"),
            first_review_on: Some(day("2026-05-15")),
            ..police()
        };
        let r =
            CovertRecord::new(validate(&draft, &lbu.authorise.covert_recording).expect("valid"));
        let mut renew = renewal("2026-05-29T10:00");
        assert!(check_renewal(&r, &renew).expect_err("no limit")[0].contains("time limit"));
        renew.until_unix_ms = Some(uk("2026-09-01T00:00"));
        assert!(
            check_renewal(&r, &renew).expect_err("too long")[0]
                .contains("Monday 31 August 2026, 23:59")
        );
        renew.until_unix_ms = Some(uk("2026-06-30T18:00"));
        assert_eq!(check_renewal(&r, &renew), Ok(uk("2026-06-30T18:00")));
    }

    /// BDC-16: while an authorisation covers them, its cameras' footage is reviewed only by
    /// its team and holders of the roles the pack names; other cameras, and other times,
    /// are unaffected.
    #[test]
    fn bdc_16_only_the_team_and_named_roles_review_footage_under_an_authorisation() {
        let mut r = record(&police());
        let roles = council_pack().authorise.covert_recording.roles;
        let (from, to) = (uk("2026-02-03T21:00"), uk("2026-02-03T22:00"));
        let camera = id("market-square");
        let team_member = person("pc.jones", &["viewer"]);
        let authoriser = person("h.service", &["head-of-service"]);
        let outsider = person("op.brown", &["operator", "supervisor"]);
        assert_eq!(
            may_review(&r, &camera, from, to, &team_member, &roles),
            Ok(())
        );
        assert_eq!(
            may_review(&r, &camera, from, to, &authoriser, &roles),
            Ok(())
        );
        let refusal = may_review(&r, &camera, from, to, &outsider, &roles).expect_err("refused");
        assert!(refusal.contains("restricted"), "{refusal}");
        assert!(refusal.contains("head-of-service"), "{refusal}");
        assert!(
            !refusal.contains("pc.jones") && !refusal.contains("NP/CAB"),
            "{refusal}"
        );
        let mut disabled = team_member.clone();
        disabled.disabled = true;
        assert!(may_review(&r, &camera, from, to, &disabled, &roles).is_err());
        // Another camera, or footage from before it took effect, is unaffected.
        assert_eq!(
            may_review(&r, &id("car-park"), from, to, &outsider, &roles),
            Ok(())
        );
        let before = (uk("2025-12-31T08:00"), uk("2026-01-01T09:00"));
        assert_eq!(
            may_review(&r, &camera, before.0, before.1, &outsider, &roles),
            Ok(())
        );
        assert!(
            may_review(&r, &camera, before.0, before.1 + 1, &outsider, &roles).is_err(),
            "footage running into its first minute is covered"
        );
        // After it is cancelled, footage from later on is unaffected; earlier stays covered.
        r.cancelled_at_unix_ms = Some(uk("2026-02-10T17:00"));
        let after = (uk("2026-02-11T09:00"), uk("2026-02-11T10:00"));
        assert_eq!(
            may_review(&r, &camera, after.0, after.1, &outsider, &roles),
            Ok(())
        );
        assert!(may_review(&r, &camera, from, to, &outsider, &roles).is_err());
    }

    /// BDC-16: footage gathered under a RIPA authorisation is kept under the pack's RIPA
    /// class, at least five years; the central record at least three years after the
    /// authorisation ends.
    #[test]
    fn bdc_16_ripa_footage_is_kept_five_years_and_the_record_three_after_it_ends() {
        let pack = council_pack();
        let class = footage_class(&pack).expect("the council's RIPA class");
        assert_eq!(class.period, Period::Years(5));
        assert_eq!(check_footage_period(Period::Months(60)), Ok(()));
        assert_eq!(check_footage_period(Period::Days(1830)), Ok(()));
        for short in [Period::Years(4), Period::Months(59), Period::Days(1825)] {
            let why = check_footage_period(short).expect_err("too short");
            assert!(why.contains("at least 5 years"), "{why}");
        }
        let school = school_pack();
        assert!(
            footage_class(&school)
                .expect_err("none")
                .contains(RIPA_CLASS_ID)
        );
        assert_eq!(
            record_kept_until(uk("2028-02-29T12:00")),
            uk("2031-02-28T12:00")
        );
    }

    #[test]
    fn urns_parse_as_the_force_writes_them() {
        assert_eq!(
            Urn::parse(" NP/CAB/2026/0142 ").map(|u| u.to_string()),
            Ok("NP/CAB/2026/0142".to_owned())
        );
        assert_eq!(Urn::parse(""), Err(UrnError::Missing));
        assert!(matches!(Urn::parse("a b 1"), Err(UrnError::Invalid { .. })));
        assert!(matches!(
            Urn::parse(&"1".repeat(41)),
            Err(UrnError::Invalid { .. })
        ));
    }
}
