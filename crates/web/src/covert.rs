//! Covert surveillance authorisations on the web (LJM-4, LBU-11, BDC-16): the form on the
//! Cases page that records one, the section of its case's page — how it stands, who
//! authorised it, its cameras, areas, team, dates, reviews, renewals, cancellation and what
//! its team was told — and the forms for its steps (a justice's approval, review, renewal,
//! cancellation).
//!
//! Invariants:
//! - Recorded and worked only by someone holding `work-cases` for covert authorisations
//!   (`access.case_kinds`); the scheme's own covert recording additionally by someone
//!   acting in a role of the pack's `[authorise.covert_recording]` — the store decides
//!   that (`Store::open_covert`), in the name of the person signed in.
//! - Every rule is the domain's and every change the store's; handlers parse, call one
//!   store method, and redirect. A form is read into what `record` and `take_step` take,
//!   and the API (`api::covert`) calls the same two, so the page and
//!   the API record and step the same way.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use custos_base::UnixMs;
use custos_domain::Ident;
use custos_domain::access::Right;
use custos_domain::case::CaseKind;
use custos_domain::covert::{
    AuthorisingBody, BodyKind, CovertStatus, CrimeThreshold, Draft, Ground, Route, SurveillanceType,
};
use custos_store::cases::Case;
use custos_store::covert::{Covert, CovertStep, NewCovert};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Staff;
use crate::cases::{load_to_work, target, time_field};
use crate::error::WebError;

/// The choices of the form on the Cases page: (id, in words) for each list.
pub(crate) struct Intake {
    pub(crate) types: Vec<(&'static str, &'static str)>,
    pub(crate) bodies: Vec<(&'static str, &'static str)>,
    pub(crate) routes: Vec<(&'static str, &'static str)>,
    pub(crate) grounds: Vec<(&'static str, &'static str)>,
    pub(crate) thresholds: Vec<(&'static str, &'static str)>,
    /// Cameras in service, as boxes to tick.
    pub(crate) cameras: Vec<crate::forms::CameraChoice>,
    /// The people who may be in the team: (user name, name).
    pub(crate) people: Vec<(String, String)>,
    /// Who may record the scheme's own, in words ("" when the pack forbids it).
    pub(crate) own_by: String,
}

/// The form on the Cases page, for those who may work covert authorisations.
pub(crate) async fn intake(state: &AppState, staff: &Staff) -> Result<Option<Intake>, WebError> {
    if !staff.may(Right::WorkCases, &target(CaseKind::Covert)) {
        return Ok(None);
    }
    let own_by = match state.store.active_policy().await? {
        Some(p) if p.pack.authorise.covert_recording.allowed => p
            .pack
            .authorise
            .covert_recording
            .roles
            .iter()
            .map(|r| custos_domain::role::role_words(r.as_str()))
            .collect::<Vec<_>>()
            .join(" or "),
        _ => String::new(),
    };
    Ok(Some(Intake {
        types: [SurveillanceType::Directed, SurveillanceType::Intrusive]
            .iter()
            .map(|t| (t.as_str(), t.describe()))
            .collect(),
        bodies: BodyKind::ALL
            .iter()
            .map(|b| (b.as_str(), b.describe()))
            .collect(),
        routes: Route::ALL
            .iter()
            .map(|r| (r.as_str(), r.describe()))
            .collect(),
        grounds: Ground::ALL
            .iter()
            .map(|g| (g.as_str(), g.describe()))
            .collect(),
        thresholds: CrimeThreshold::ALL
            .iter()
            .map(|c| (c.as_str(), c.describe()))
            .collect(),
        cameras: crate::forms::camera_choices(
            state
                .store
                .cameras(false)
                .await?
                .into_iter()
                .map(|c| (c.id.to_string(), c.draft.name))
                .collect(),
            "",
        ),
        people: state
            .store
            .users()
            .await?
            .into_iter()
            .filter(|u| !u.disabled)
            .map(|u| (u.username, u.display_name))
            .collect(),
        own_by,
    }))
}

/// The form that records an authorisation.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct OpenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    surveillance: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    urn: String,
    #[serde(default)]
    route: String,
    /// A ground's id (the scheme's own needs none).
    #[serde(default)]
    ground: String,
    /// A second ground, if any.
    #[serde(default)]
    ground2: String,
    #[serde(default)]
    crime_threshold: String,
    #[serde(default)]
    rationale: String,
    /// The scheme's own: its time limit (`YYYY-MM-DDTHH:MM`, UK time).
    #[serde(default)]
    until: String,
    #[serde(default)]
    authorised_by: String,
    /// Camera ids, comma separated.
    #[serde(default)]
    cameras: String,
    #[serde(default)]
    areas: String,
    /// User names, comma separated.
    #[serde(default)]
    team: String,
    /// When it was granted (UK time); now when empty.
    #[serde(default)]
    granted: String,
    /// The first review's day (`YYYY-MM-DD`).
    #[serde(default)]
    first_review: String,
    #[serde(default)]
    summary: String,
}

fn list(text: &str) -> impl Iterator<Item = &str> {
    text.split([',', '\n', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn date_field(text: &str, what: &str) -> Result<Option<jiff::civil::Date>, WebError> {
    match text.trim() {
        "" => Ok(None),
        t => t
            .parse()
            .map(Some)
            .map_err(|_| WebError::BadRequest(format!("{what}: give a date as YYYY-MM-DD"))),
    }
}

/// An authorisation as the form on the Cases page or the API gives it, its times already
/// read (the form's in UK time, the API's as RFC 3339 instants): what [`record`] checks and
/// records.
#[derive(Debug, Default)]
pub(crate) struct Given {
    /// `directed` or `intrusive`.
    pub(crate) surveillance: String,
    /// `scheme`, `police` or `local-authority`.
    pub(crate) body: String,
    /// The force or council.
    pub(crate) organisation: String,
    /// A police authorisation's unique reference number.
    pub(crate) urn: String,
    /// `written` (when empty) or `urgent-oral`.
    pub(crate) route: String,
    /// Ground ids (the scheme's own needs none); empty entries are ignored.
    pub(crate) grounds: Vec<String>,
    /// A crime threshold's id, or empty.
    pub(crate) crime_threshold: String,
    pub(crate) rationale: String,
    /// The scheme's own: its time limit.
    pub(crate) until: Option<i64>,
    pub(crate) authorised_by: String,
    /// Camera ids.
    pub(crate) cameras: Vec<String>,
    pub(crate) areas: String,
    /// User names.
    pub(crate) team: Vec<String>,
    /// When it was granted; now when `None`.
    pub(crate) granted: Option<i64>,
    /// The first review's day (`YYYY-MM-DD`).
    pub(crate) first_review: String,
    pub(crate) summary: String,
}

/// The authorisation `g` describes, granted now (`now_unix_ms`) when it says not when; each
/// choice that is not one of its list is refused naming the list.
fn new_covert(g: Given, now_unix_ms: i64) -> Result<NewCovert, WebError> {
    let bad = |what: &str, e: String| WebError::BadRequest(format!("{what}: {e}"));
    let surveillance: SurveillanceType = g
        .surveillance
        .trim()
        .parse()
        .map_err(|e| bad("the kind of surveillance", e))?;
    let body: BodyKind = g
        .body
        .trim()
        .parse()
        .map_err(|e| bad("who authorised it", e))?;
    let route: Route = match g.route.trim() {
        "" => Route::Written,
        r => r.parse().map_err(|e| bad("how it was given", e))?,
    };
    let grounds = g
        .grounds
        .iter()
        .map(|g| g.trim())
        .filter(|g| !g.is_empty())
        .map(str::parse::<Ground>)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad("the grounds", e))?;
    let crime_threshold = match g.crime_threshold.trim() {
        "" => None,
        c => Some(
            c.parse::<CrimeThreshold>()
                .map_err(|e| bad("the crime threshold", e))?,
        ),
    };
    let cameras = g
        .cameras
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .map(|c| Ident::parse(c).map_err(|e| bad("the cameras", e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(NewCovert {
        draft: Draft {
            surveillance,
            body,
            organisation: g.organisation.trim().to_owned(),
            urn: Some(g.urn.trim().to_owned()).filter(|u| !u.is_empty()),
            route,
            grounds,
            crime_threshold,
            rationale: g.rationale,
            until_unix_ms: g.until,
            authorised_by: g.authorised_by,
            cameras,
            team: g
                .team
                .iter()
                .map(|t| t.trim())
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            granted_at_unix_ms: g.granted.unwrap_or(now_unix_ms),
            first_review_on: date_field(&g.first_review, "the first review")?,
        },
        areas: g.areas,
        summary: g.summary,
    })
}

/// Records the authorisation `g` describes as `staff`, the one way the page and the API
/// record one: the right to work covert authorisations first, then the store's checks
/// (`Store::open_covert`), in the name of the person signed in.
pub(crate) async fn record(state: &AppState, staff: &Staff, g: Given) -> Result<Case, WebError> {
    let actor = staff
        .require(state, Right::WorkCases, &target(CaseKind::Covert))
        .await?;
    let new = new_covert(g, state.store.clock().now().0)?;
    Ok(state
        .store
        .open_covert(&actor, &staff.info.subject, &new)
        .await?)
}

/// `POST /covert`: records an authorisation (the scheme's own, or a police or council
/// one), and sends the person to its page.
pub(crate) async fn open(
    State(state): State<AppState>,
    staff: Staff,
    crate::forms::ListForm(f): crate::forms::ListForm<OpenForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    // The right first: someone who may not work cases learns that, not what the form
    // lacks; `record` checks the right to work covert authorisations.
    staff.require_somewhere(Right::WorkCases)?;
    let owned = |text: &str| list(text).map(str::to_owned).collect::<Vec<_>>();
    let given = Given {
        grounds: vec![f.ground.clone(), f.ground2.clone()],
        cameras: owned(&f.cameras),
        team: owned(&f.team),
        until: time_field(&f.until, "its time limit")?,
        granted: time_field(&f.granted, "when it was granted")?,
        surveillance: f.surveillance,
        body: f.body,
        organisation: f.organisation,
        urn: f.urn,
        route: f.route,
        crime_threshold: f.crime_threshold,
        rationale: f.rationale,
        authorised_by: f.authorised_by,
        areas: f.areas,
        first_review: f.first_review,
        summary: f.summary,
    };
    let c = record(&state, &staff, given).await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/cases/{}", c.reference),
        "case-opened",
    ))
    .into_response())
}

/// The covert section of a case's page.
pub(crate) struct Section {
    /// How it stands, in a sentence.
    pub(crate) status: String,
    /// Whether it raises the alarm (expired without renewal or cancellation).
    pub(crate) alarm: bool,
    /// (what, in words), in order.
    pub(crate) facts: Vec<(&'static str, String)>,
    /// Reviews: (due, done in words).
    pub(crate) reviews: Vec<(String, String)>,
    /// Renewals in words.
    pub(crate) renewals: Vec<String>,
    /// What the team was told: (who, when, what).
    pub(crate) notices: Vec<(String, String, String)>,
    /// Which step forms to show.
    pub(crate) may_approve: bool,
    pub(crate) may_review: bool,
    pub(crate) may_renew: bool,
    pub(crate) may_cancel: bool,
    /// A council's renewal needs a justice's approval.
    pub(crate) council: bool,
    /// The scheme's own: its renewal sets a new time limit.
    pub(crate) own: bool,
}

fn words_list(items: &[String]) -> String {
    match items {
        [] => "none".to_owned(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The section for case `c`, `None` if it is not a covert authorisation.
pub(crate) async fn section(state: &AppState, c: &Case) -> Result<Option<Section>, WebError> {
    let Some(v) = state.store.covert(&c.reference).await? else {
        return Ok(None);
    };
    let names = crate::staff::names(state).await?;
    let pack = state.store.active_policy().await?.map(|p| p.pack);
    Ok(Some(describe(&v, c, &names, pack.as_ref())))
}

fn describe(
    v: &Covert,
    c: &Case,
    names: &custos_domain::ledger::Names,
    pack: Option<&custos_domain::PolicyPack>,
) -> Section {
    let a = &v.record.authorisation;
    let when = |ms: i64| UnixMs(ms).to_london_long();
    let mut facts: Vec<(&'static str, String)> = vec![
        (
            "Kind",
            crate::staff::capitalise(a.surveillance().describe()),
        ),
        (
            "Authorised by",
            match a.body() {
                AuthorisingBody::Scheme { .. } => format!(
                    "{}, for the scheme's own covert recording",
                    a.authorised_by()
                ),
                AuthorisingBody::Police { force, urn } => format!(
                    "{}, {force}, under RIPA; the force's reference {urn}",
                    a.authorised_by()
                ),
                AuthorisingBody::LocalAuthority { council } => {
                    format!("{}, {council}, under RIPA", a.authorised_by())
                }
            },
        ),
        (
            "Given",
            format!("{}, {}", a.route().describe(), when(a.granted_at_unix_ms())),
        ),
    ];
    if !a.grounds().is_empty() {
        facts.push((
            "Grounds",
            crate::staff::capitalise(&words_list(
                &a.grounds()
                    .iter()
                    .map(|g| g.describe().to_owned())
                    .collect::<Vec<_>>(),
            )),
        ));
    }
    if let Some(t) = a.crime_threshold() {
        facts.push(("Crime threshold", crate::staff::capitalise(t.describe())));
    }
    if !a.rationale().is_empty() {
        facts.push(("Rationale", a.rationale().to_owned()));
    }
    facts.push(("Areas", v.areas.clone()));
    facts.push((
        "Cameras",
        words_list(
            &a.cameras()
                .iter()
                .map(|x| names.camera(x.as_str()))
                .collect::<Vec<_>>(),
        ),
    ));
    facts.push((
        "Team",
        format!(
            "{} — the only people, with those who authorise covert recording here, who may review these cameras' footage while it is in force",
            words_list(
                &a.team()
                    .iter()
                    .map(|u| names.person(u.as_str()))
                    .collect::<Vec<_>>()
            )
        ),
    ));
    if let Some(j) = v.record.jp_approved_at_unix_ms {
        facts.push(("Approved by a justice of the peace", when(j)));
    }
    if let Ok(Some(span)) = v.record.in_force(i64::MAX) {
        facts.push(("Takes effect", when(span.takes_effect_at_unix_ms)));
        facts.push(("Expires", when(span.expires_at_unix_ms)));
    }
    if let (Some(at), Some(why)) = (v.record.cancelled_at_unix_ms, &v.cancel_reason) {
        facts.push(("Cancelled", format!("{}: {why}", when(at))));
    }
    let ripa = a.body().kind() != BodyKind::Scheme;
    let footage = match (ripa, pack.map(custos_domain::covert::footage_class)) {
        (false, _) => "Outside RIPA: footage follows each camera's normal retention, which deletes what is not needed; keep what is needed with a hold or an export.".to_owned(),
        (true, Some(Ok(class))) => format!(
            "Held under the evidence class \"{}\" ({}) from the moment it took effect, renewals included.",
            class.id, class.period
        ),
        (true, _) => "This scheme's policy has no class for footage gathered under RIPA, so it is not held by this authorisation: it follows each camera's normal retention. Export what the authorising body needs.".to_owned(),
    };
    facts.push(("Footage", footage));
    facts.push((
        "Record kept",
        match v.record_kept_until_unix_ms() {
            Some(until) => format!(
                "At least until {} (three years after it ended).",
                when(until)
            ),
            None => "For at least three years after it ends.".to_owned(),
        },
    ));
    let open = c.state.is_open();
    let in_force = v.status.is_in_force();
    Section {
        status: v.status.describe(),
        alarm: v.status.is_alarm(),
        facts,
        reviews: v
            .reviews
            .iter()
            .map(|r| {
                (
                    custos_base::long_date(r.due_on),
                    match &r.done {
                        Some((at, by, findings)) => {
                            format!("done {} by {}: {findings}", when(*at), names.who(by))
                        }
                        None => "not done yet".to_owned(),
                    },
                )
            })
            .collect(),
        renewals: v
            .renewals
            .iter()
            .map(|r| {
                format!(
                    "Renewed {}{} by {}: {}",
                    when(r.renewal.granted_at_unix_ms),
                    r.renewal
                        .jp_approved_at_unix_ms
                        .map(|j| format!(", approved by a justice of the peace {}", when(j)))
                        .unwrap_or_default(),
                    names.who(&r.recorded_by),
                    r.reasons
                )
            })
            .collect(),
        notices: v
            .notices
            .iter()
            .map(|n| {
                (
                    names.person(&n.username),
                    when(n.at_unix_ms),
                    n.message.clone(),
                )
            })
            .collect(),
        may_approve: open && v.status == CovertStatus::AwaitingApproval,
        may_review: open && in_force,
        may_renew: open && in_force,
        may_cancel: open,
        council: a.body().needs_judicial_approval(),
        own: a.body().kind() == BodyKind::Scheme,
    }
}

/// A step from the covert section of a case's page.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct StepForm {
    #[serde(default)]
    csrf: String,
    /// `approve-judicially`, `review`, `renew` or `cancel`.
    #[serde(default)]
    step: String,
    /// The findings, reasons or reason.
    #[serde(default)]
    reasons: String,
    /// When a justice approved (UK time).
    #[serde(default)]
    approved: String,
    /// The next review's day.
    #[serde(default)]
    next_review: String,
    /// The scheme's own renewal: its new time limit (UK time).
    #[serde(default)]
    until: String,
}

/// A step as the page or the API gives it, its times already read.
#[derive(Debug, Default)]
pub(crate) struct GivenStep {
    /// `approve-judicially`, `review`, `renew` or `cancel`.
    pub(crate) step: String,
    /// The findings, reasons or reason.
    pub(crate) reasons: String,
    /// When a justice approved; for an approval, now when `None`.
    pub(crate) approved: Option<i64>,
    /// The next review's day (`YYYY-MM-DD`).
    pub(crate) next_review: String,
    /// The scheme's own renewal: its new time limit.
    pub(crate) until: Option<i64>,
}

/// The step `g` describes, a justice's approval dated now (`now_unix_ms`) when it says not
/// when.
fn covert_step(g: GivenStep, now_unix_ms: i64) -> Result<CovertStep, WebError> {
    Ok(match g.step.trim() {
        "approve-judicially" => CovertStep::ApproveJudicially {
            approved_at_unix_ms: g.approved.unwrap_or(now_unix_ms),
        },
        "review" => CovertStep::Review {
            findings: g.reasons,
            next_review_on: date_field(&g.next_review, "the next review")?.ok_or_else(|| {
                WebError::BadRequest(
                    "set the day of the next review: it is reviewed regularly while it is in force"
                        .to_owned(),
                )
            })?,
        },
        "renew" => CovertStep::Renew {
            granted_at_unix_ms: None,
            jp_approved_at_unix_ms: g.approved,
            until_unix_ms: g.until,
            reasons: g.reasons,
            next_review_on: date_field(&g.next_review, "the next review")?,
        },
        "cancel" => CovertStep::Cancel { reason: g.reasons },
        other => {
            return Err(WebError::BadRequest(format!(
                "{other:?} is not a step of a covert authorisation: choose a justice's approval (approve-judicially), a review (review), a renewal (renew) or the cancellation (cancel)"
            )));
        }
    })
}

/// Takes the step `g` describes on covert authorisation `reference` as `staff`, the one
/// way the page and the API take one: the right to work it first, then the case's state
/// machine and `domain::covert` in the store (`Store::covert_step`). Returns the case as it
/// now is.
pub(crate) async fn take_step(
    state: &AppState,
    staff: &Staff,
    reference: &str,
    g: GivenStep,
) -> Result<Case, WebError> {
    let (c, actor) = load_to_work(state, staff, reference).await?;
    let step = covert_step(g, state.store.clock().now().0)?;
    Ok(state.store.covert_step(&actor, &c.reference, &step).await?)
}

/// `POST /cases/{reference}/covert`: a step on a covert authorisation.
pub(crate) async fn act(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(f): Form<StepForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    staff.require_somewhere(Right::WorkCases)?;
    let given = GivenStep {
        approved: time_field(&f.approved, "when the justice approved it")?,
        until: time_field(&f.until, "its new time limit")?,
        step: f.step,
        reasons: f.reasons,
        next_review: f.next_review,
    };
    let after = take_step(&state, &staff, &reference, given).await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/cases/{}", after.reference),
        "case-step",
    ))
    .into_response())
}
