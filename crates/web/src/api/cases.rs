//! Cases under `/api/v1/cases`: list, read, open and move on the cases the caller works —
//! subject access and other rights requests, FOI requests, complaints, breaches — through
//! the same functions as the pages ([`crate::cases::open_intake`],
//! [`crate::cases::take_step`]), so the API checks the same rights and the same state
//! machine, and every step is in the `case` logbook as from a page. Covert authorisations
//! and police requests to take control are listed and read here too, with their own
//! section of the case, but opened and moved on by their own calls
//! ([`super::covert`], [`super::police_control`]): asked here, they are refused naming
//! those calls.
//!
//! Invariants: a caller sees and acts only on the kinds of case their roles work
//! (`access.case_kinds`); the deadline given is the one due next (for a complaint, its
//! acknowledgement, answer or appeal); times are RFC 3339 instants, as elsewhere in the
//! API. A step that decides a case is taken at once: unlike the page, the API asks no
//! confirmation.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use custos_base::UnixMs;
use custos_domain::access::Right;
use custos_domain::case::{Action, CaseDue, CaseKind};
use custos_domain::covert::CovertStatus;
use custos_store::cases::{Case, Step};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, Body, Caller, ErrorBody, Params, Segment, instant};
use crate::AppState;
use crate::error::WebError;

/// When a case is due next.
#[derive(Debug, Serialize, ToSchema)]
pub struct DueView {
    /// What is due: `acknowledgement`, `answer` or `answer to the appeal`.
    pub what: String,
    /// The day (`YYYY-MM-DD`, UK time) or, for an hours rule, the instant (RFC 3339).
    pub due: String,
    /// The rule, in words, e.g. "5 working days".
    pub rule: String,
}

/// A case in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseSummary {
    /// Its reference, e.g. `COM-2026-0001`.
    pub reference: String,
    /// Its kind's id, e.g. `complaint`.
    pub kind: String,
    /// Its state's id, e.g. `in-progress`.
    pub state: String,
    /// Its state in words.
    pub state_words: String,
    /// When it was received (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub received_at: String,
    /// What it is about, in a line.
    pub summary: String,
    /// The deadline due next; absent when the case is finished or its clock is stopped.
    pub due: Option<DueView>,
}

/// An appeal against a complaint's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppealView {
    /// When it came (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub received_at: String,
    /// Why the complainant is not satisfied.
    pub grounds: String,
    /// `upheld` or `not-upheld`, once decided.
    pub outcome: Option<String>,
    /// The outcome's reasons.
    pub reasons: Option<String>,
}

/// A step the case allows now.
#[derive(Debug, Serialize, ToSchema)]
pub struct AllowedStep {
    /// The step, as the case's steps call takes it: `StepRequest.step`
    /// (`/api/v1/cases/{reference}/steps`), or for a covert authorisation
    /// `CovertStepRequest.step` (`/api/v1/covert/{reference}/steps`) and for a police
    /// request to take control `PoliceControlStepRequest.step`
    /// (`/api/v1/police-control/{reference}/steps`).
    pub step: String,
    /// The decision or outcome it records, as `StepRequest.decision` takes it.
    pub decision: Option<String>,
    /// What it does, in words.
    pub words: String,
}

/// A covert surveillance authorisation, in brief (its rationale, areas and reasons stay
/// on its page).
#[derive(Debug, Serialize, ToSchema)]
pub struct CovertView {
    /// How it stands, in a sentence.
    pub status: String,
    /// Who authorised it: `scheme`, `police` or `local-authority`.
    pub body: String,
    /// When it took (or takes) effect, renewals counted (RFC 3339, UTC); absent while a
    /// council's awaits a justice's approval.
    #[schema(format = DateTime)]
    pub takes_effect_at: Option<String>,
    /// The last moment it is in force (RFC 3339, UTC); absent with `takes_effect_at`.
    #[schema(format = DateTime)]
    pub expires_at: Option<String>,
    /// The day its next review is due (`YYYY-MM-DD`, UK), while it is in force.
    #[schema(format = Date)]
    pub next_review: Option<String>,
    /// The ids of the cameras it uses.
    pub cameras: Vec<String>,
    /// The user names of its team.
    pub team: Vec<String>,
    /// When it was cancelled (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub cancelled_at: Option<String>,
}

/// A police request to take control of the control room, in brief.
#[derive(Debug, Serialize, ToSchema)]
pub struct PoliceControlView {
    /// How it stands, in a sentence.
    pub status: String,
    /// `partial` or `total`.
    pub control: String,
    /// The officer who asked: rank, name, number and force, in words.
    pub officer: String,
    /// Who agreed (their user name), once agreed.
    pub agreed_by: Option<String>,
    /// When the police's control starts or started (RFC 3339, UTC), once agreed.
    #[schema(format = DateTime)]
    pub starts_at: Option<String>,
    /// When control was handed back (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub ends_at: Option<String>,
    /// Partial control: the ids of the cameras asked for (total control: every camera,
    /// and this is empty).
    pub cameras: Vec<String>,
}

/// A case.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    /// Its reference.
    pub reference: String,
    /// Its kind's id.
    pub kind: String,
    /// Its state's id.
    pub state: String,
    /// Its state in words.
    pub state_words: String,
    /// When it was received (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub received_at: String,
    /// How it came (`public-form`, `letter`, `email`…).
    pub channel: String,
    /// What it is about, in a line.
    pub summary: String,
    /// Who asks.
    pub requester_name: String,
    /// How to reach them.
    pub requester_contact: String,
    /// What they said.
    pub details: String,
    /// The deadline due next.
    pub due: Option<DueView>,
    /// The decision's id, once decided.
    pub decision: Option<String>,
    /// The decision's reasons.
    pub decision_reasons: Option<String>,
    /// A complaint: when the incident happened (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub incident_at: Option<String>,
    /// A complaint: raised after the pack's window for raising one.
    pub raised_late: bool,
    /// A complaint: when it was acknowledged in writing (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub acknowledged_at: Option<String>,
    /// A complaint: the appeal against its answer.
    pub appeal: Option<AppealView>,
    /// A covert surveillance authorisation: how it stands, its dates, cameras and team.
    pub covert: Option<CovertView>,
    /// A police request to take control: how it stands, the officer, the agreement, the
    /// period of control and its cameras.
    pub police_control: Option<PoliceControlView>,
    /// The steps it allows now.
    pub steps: Vec<AllowedStep>,
}

/// Which cases to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseListParams {
    /// Closed, withdrawn and converted cases too.
    pub all: Option<bool>,
}

/// A case to open, as taken by letter, e-mail, telephone or in person.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CaseOpenRequest {
    /// The kind: `subject-access`, `erasure`, `objection`, `restriction`, `rectification`,
    /// `foi`, `complaint` or `breach` (third-party requests are opened on the Disclosures
    /// form, with who is asking and why; covert authorisations with `POST /api/v1/covert`
    /// and police requests to take control with `POST /api/v1/police-control`).
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "complaint")]
    pub kind: String,
    /// When it was received (RFC 3339); now when absent.
    #[schema(format = DateTime)]
    pub received_at: Option<String>,
    /// How it came; `staff` when absent.
    pub channel: Option<String>,
    /// What it is about, in a line.
    #[serde(default)]
    #[schema(required = true, min_length = 1)]
    pub summary: String,
    /// Who asks.
    #[serde(default)]
    #[schema(required = true, min_length = 1)]
    pub requester_name: String,
    /// How to reach them: an address or an e-mail.
    #[serde(default)]
    #[schema(required = true, min_length = 1)]
    pub requester_contact: String,
    /// What they said.
    pub details: Option<String>,
    /// When they were there (a request about footage of them) or when the incident happened
    /// (a complaint), RFC 3339.
    #[schema(format = DateTime)]
    pub seen_at: Option<String>,
    /// Where they were, or where the incident happened: a place the cameras cover.
    pub place: Option<String>,
}

/// A step on a case.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StepRequest {
    /// The step, one of the case's `steps`: e.g. `acknowledge`, `start`, `decide`,
    /// `close`, `appeal`, `decide-appeal`.
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "decide")]
    pub step: String,
    /// For `decide` and `decide-appeal`: the decision or outcome, e.g. `not-upheld`.
    pub decision: Option<String>,
    /// Why, or the decision's reasons (the requester reads them).
    pub reasons: Option<String>,
    /// For a decision to disclose: the footage shows other people.
    pub others_shown: Option<bool>,
    /// And why disclosing them is reasonable.
    pub why_reasonable: Option<String>,
    /// Why a decision changes after a response letter stated the earlier one.
    pub change_reason: Option<String>,
}

/// The call that opens a case of `kind`, where it is not `POST /api/v1/cases`: kinds
/// recorded with more than a case taken in, whose steps are that call's too.
fn own_call(kind: CaseKind) -> Option<&'static str> {
    match kind {
        CaseKind::Covert => Some("/api/v1/covert"),
        CaseKind::PoliceControl => Some("/api/v1/police-control"),
        _ => None,
    }
}

/// The deadline of `c` due next, under the active pack and the scheme's calendar.
async fn due_view(state: &AppState, c: &Case) -> Result<Option<DueView>, ApiError> {
    let Some(policy) = state.store.active_policy().await? else {
        return Ok(None);
    };
    let calendar = state
        .calendar(policy.pack.nation)
        .map_err(WebError::BadRequest)?;
    let pauses = c.clock_pauses();
    let (clock, due) =
        custos_domain::case::next_deadline(&c.times(&pauses), &policy.pack, &calendar)
            .map_err(|e| WebError::BadRequest(e.to_string()))?;
    Ok(match due {
        CaseDue::Due(d) => Some(DueView {
            what: clock.describe().to_owned(),
            due: d.due.to_string(),
            rule: d.rule.describe(),
        }),
        _ => None,
    })
}

async fn summary(state: &AppState, c: &Case) -> Result<CaseSummary, ApiError> {
    Ok(CaseSummary {
        reference: c.reference.clone(),
        kind: c.kind.to_string(),
        state: c.state.to_string(),
        state_words: c.state.describe().to_owned(),
        received_at: UnixMs(c.received_at_unix_ms).to_rfc3339(),
        summary: c.summary.clone(),
        due: due_view(state, c).await?,
    })
}

/// The `covert` section of case `c`, `None` if it is not a covert authorisation.
async fn covert_view(state: &AppState, c: &Case) -> Result<Option<CovertView>, ApiError> {
    if c.kind != CaseKind::Covert {
        return Ok(None);
    }
    let Some(v) = state.store.covert(&c.reference).await? else {
        return Ok(None);
    };
    let a = &v.record.authorisation;
    let span = v.record.in_force(i64::MAX).ok().flatten();
    let at = |ms: i64| UnixMs(ms).to_rfc3339();
    Ok(Some(CovertView {
        status: v.status.describe(),
        body: a.body().kind().as_str().to_owned(),
        takes_effect_at: span.map(|s| at(s.takes_effect_at_unix_ms)),
        expires_at: span.map(|s| at(s.expires_at_unix_ms)),
        next_review: match v.status {
            CovertStatus::InForce { next_review_on, .. } => next_review_on,
            CovertStatus::ReviewOverdue { review_due_on, .. } => Some(review_due_on),
            _ => None,
        }
        .map(|d| d.to_string()),
        cameras: a.cameras().iter().map(ToString::to_string).collect(),
        team: a.team().iter().map(ToString::to_string).collect(),
        cancelled_at: v.record.cancelled_at_unix_ms.map(at),
    }))
}

/// The `police_control` section of case `c`, `None` if it is not a police request.
async fn police_control_view(
    state: &AppState,
    c: &Case,
) -> Result<Option<PoliceControlView>, ApiError> {
    if c.kind != CaseKind::PoliceControl {
        return Ok(None);
    }
    let Some(p) = state.store.police_control(&c.reference).await? else {
        return Ok(None);
    };
    let at = |ms: i64| UnixMs(ms).to_rfc3339();
    Ok(Some(PoliceControlView {
        status: crate::police_control::status_words(&p),
        control: p.control.as_str().to_owned(),
        officer: p.officer.describe(),
        agreed_by: p.agreed.as_ref().map(|(by, _)| by.clone()),
        starts_at: p.starts_at_unix_ms.map(at),
        ends_at: p.ends_at_unix_ms.map(at),
        cameras: p.cameras.iter().map(ToString::to_string).collect(),
    }))
}

/// Case `c` as the API shows it.
pub(super) async fn view(state: &AppState, c: &Case) -> Result<CaseView, ApiError> {
    Ok(CaseView {
        reference: c.reference.clone(),
        kind: c.kind.to_string(),
        state: c.state.to_string(),
        state_words: c.state.describe().to_owned(),
        received_at: UnixMs(c.received_at_unix_ms).to_rfc3339(),
        channel: c.channel.clone(),
        summary: c.summary.clone(),
        requester_name: c.requester_name.clone(),
        requester_contact: c.requester_contact.clone(),
        details: c.details.clone(),
        due: due_view(state, c).await?,
        decision: c.decision.as_ref().map(|d| d.0.to_string()),
        decision_reasons: c.decision.as_ref().map(|d| d.1.clone()),
        incident_at: c.incident_at_unix_ms.map(|t| UnixMs(t).to_rfc3339()),
        raised_late: c.raised_late,
        acknowledged_at: c.acknowledged_at_unix_ms.map(|t| UnixMs(t).to_rfc3339()),
        appeal: c.appeal.as_ref().map(|a| AppealView {
            received_at: UnixMs(a.received_at_unix_ms).to_rfc3339(),
            grounds: a.grounds.clone(),
            outcome: a.outcome.as_ref().map(|o| o.0.to_string()),
            reasons: a.outcome.as_ref().map(|o| o.1.clone()),
        }),
        covert: covert_view(state, c).await?,
        police_control: police_control_view(state, c).await?,
        steps: custos_domain::case::allowed_actions(c.kind, c.state, c.progress())
            .into_iter()
            .map(|a| match c.kind {
                // Its own call names the refusal `refuse`, with no decision to give.
                CaseKind::PoliceControl => AllowedStep {
                    step: crate::police_control::step_name(a).to_owned(),
                    decision: None,
                    words: a.describe(),
                },
                _ => AllowedStep {
                    step: a.name().to_owned(),
                    decision: a.choice().map(str::to_owned),
                    words: a.describe(),
                },
            })
            .collect(),
    })
}

/// The open cases of the kinds the caller works, newest first, each with the deadline
/// due next (`all=true`: finished ones too).
#[utoipa::path(
    get,
    path = "/api/v1/cases",
    tag = "cases",
    params(CaseListParams),
    responses(
        (status = 200, description = "The cases", body = [CaseSummary]),
        (status = 400, description = "A query parameter is not what this call takes", body = ErrorBody),
        (status = 403, description = "Not allowed to work cases, and why", body = ErrorBody),
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Params(q): Params<CaseListParams>,
) -> Result<Response, ApiError> {
    staff.require_somewhere(Right::WorkCases)?;
    let mut out = Vec::new();
    for c in state.store.cases(q.all.unwrap_or(false)).await? {
        if staff.may(Right::WorkCases, &crate::cases::target(c.kind)) {
            out.push(summary(&state, &c).await?);
        }
    }
    Ok(Json(out).into_response())
}

/// A case: what it records, the deadline due next and the steps it allows now.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{reference}",
    tag = "cases",
    params(("reference" = String, Path, description = "The case's reference, e.g. COM-2026-0001")),
    responses(
        (status = 200, description = "The case", body = CaseView),
        (status = 400, description = "The path cannot be read", body = ErrorBody),
        (status = 403, description = "Not allowed to work this kind of case, and why", body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody),
    )
)]
pub(crate) async fn show(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(reference): Segment<String>,
) -> Result<Response, ApiError> {
    let c = crate::cases::load(&state, &staff, &reference).await?;
    Ok(Json(view(&state, &c).await?).into_response())
}

/// Opens a case taken by letter, e-mail, telephone or in person (ledgered `case-opened`).
/// Footage a request names by time and place is held at once where the kind holds it
/// (subject access, restriction, a complaint about an incident on camera); a complaint
/// after the pack's window is marked late.
#[utoipa::path(
    post,
    path = "/api/v1/cases",
    tag = "cases",
    request_body = CaseOpenRequest,
    responses(
        (status = 201, description = "The case is open", body = CaseView),
        (status = 400, description = "The body is not JSON of this shape, or something is missing or wrong, and what", body = ErrorBody),
        (status = 403, description = "Not allowed to open this kind of case, and why", body = ErrorBody),
    )
)]
pub(crate) async fn open(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Body(req): Body<CaseOpenRequest>,
) -> Result<Response, ApiError> {
    // The right first: a caller who may not open cases learns that, not what the body
    // lacks.
    staff.require_somewhere(Right::WorkCases)?;
    let kind: CaseKind = req.kind.trim().parse().map_err(WebError::BadRequest)?;
    if let Some(call) = own_call(kind) {
        return Err(WebError::BadRequest(format!(
            "{} is recorded with what its kind needs, not as a case taken in: use POST {call}",
            kind.describe_with_article()
        ))
        .into());
    }
    let time = |t: &Option<String>, what| t.as_deref().map(|t| instant(t, what)).transpose();
    let c = crate::cases::open_intake(
        &state,
        &staff,
        crate::cases::Intake {
            kind,
            received: time(&req.received_at, "received_at")?.map(|t| t.0),
            channel: req.channel.unwrap_or_default(),
            summary: req.summary,
            name: req.requester_name,
            contact: req.requester_contact,
            details: req.details.unwrap_or_default(),
            seen: time(&req.seen_at, "seen_at")?.map(|t| t.0),
            place: req.place.unwrap_or_default(),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(view(&state, &c).await?)).into_response())
}

/// Moves a case on by one of the steps it allows (ledgered `case-STEP`), as the case's
/// page does; a decision is recorded at once.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{reference}/steps",
    tag = "cases",
    params(("reference" = String, Path, description = "The case's reference")),
    request_body = StepRequest,
    responses(
        (status = 200, description = "The step is recorded; the case as it now is", body = CaseView),
        (status = 400, description = "The body is not JSON of this shape; a step the case does not allow now (the message names those it does), or one without its reasons", body = ErrorBody),
        (status = 403, description = "Not allowed, and why", body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody),
    )
)]
pub(crate) async fn step(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(reference): Segment<String>,
    Body(req): Body<StepRequest>,
) -> Result<Response, ApiError> {
    let (c, actor) = crate::cases::load_to_work(&state, &staff, &reference).await?;
    if let Some(call) = own_call(c.kind) {
        return Err(WebError::BadRequest(format!(
            "{} is {}, whose steps carry more than a reason: take them with POST {call}/{}/steps",
            c.reference,
            c.kind.describe_with_article(),
            c.reference
        ))
        .into());
    }
    let action = Action::parse(&req.step, req.decision.as_deref()).map_err(WebError::BadRequest)?;
    let step = Step {
        reasons: req.reasons.unwrap_or_default(),
        others_shown: req.others_shown.unwrap_or(false),
        why_reasonable: req.why_reasonable.filter(|w| !w.trim().is_empty()),
        footage: state.footage.clone(),
        documents: state.documents.clone(),
        change_reason: req.change_reason.filter(|w| !w.trim().is_empty()),
    };
    let after = crate::cases::take_step(&state, &staff, &c, &actor, action, &step).await?;
    Ok(Json(view(&state, &after).await?).into_response())
}
