//! Covert surveillance authorisations under `/api/v1/covert` (LJM-4, LBU-11, BDC-16):
//! recording one and taking its steps — a justice's approval, review, renewal,
//! cancellation — through the same functions as the Cases page's form and the case page's
//! covert section ([`crate::covert::record`], [`crate::covert::take_step`]), so the API
//! checks the same rights, `domain::covert`'s rules and the case's state machine, and
//! ledgers the same entries. Reading one is `GET /api/v1/cases/{reference}` (its `covert`
//! section).
//!
//! Invariants: the caller must hold `work-cases` for covert authorisations; the scheme's
//! own covert recording is recorded in the caller's own name, by a role of the pack's
//! `[authorise.covert_recording]` (the store decides); times are RFC 3339 instants and
//! days `YYYY-MM-DD` (UK), as elsewhere in the API.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use custos_domain::access::Right;
use serde::Deserialize;
use utoipa::ToSchema;

use super::cases::{CaseView, view};
use super::{ApiError, Body, Caller, ErrorBody, Segment, day_shape, instant};
use crate::AppState;
use crate::covert::{Given, GivenStep};
use crate::error::WebError;

/// A covert surveillance authorisation to record: the scheme's own, or one the police or
/// a council gave under RIPA.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CovertOpenRequest {
    /// `directed` or `intrusive` (intrusive: police only).
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "directed")]
    pub surveillance: String,
    /// Who authorised it: `scheme` (the scheme's own covert recording), `police` or
    /// `local-authority` (a council).
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "local-authority")]
    pub body: String,
    /// The force or council, e.g. "Bassetlaw District Council".
    pub organisation: Option<String>,
    /// A police authorisation's unique reference number, e.g. `NP/CAB/2026/0142`.
    pub urn: Option<String>,
    /// `written` (when absent) or `urgent-oral` (police only).
    pub route: Option<String>,
    /// The grounds (RIPA s28(3)): `national-security`, `crime-or-disorder`,
    /// `serious-crime`, `public-safety`, `public-health`; the scheme's own needs none.
    #[serde(default)]
    pub grounds: Vec<String>,
    /// A council's directed surveillance: `six-months-imprisonment` or `underage-sales`.
    pub crime_threshold: Option<String>,
    /// Why it is necessary and proportionate (the scheme's own: at least 20 characters).
    pub rationale: Option<String>,
    /// The scheme's own: its time limit (RFC 3339), at most three months.
    #[schema(format = DateTime)]
    pub until: Option<String>,
    /// The authorising officer, with their rank or post.
    #[serde(default)]
    #[schema(
        required = true,
        min_length = 1,
        example = "J. Smith, Head of Community Safety"
    )]
    pub authorised_by: String,
    /// The ids of the cameras it uses; only these may be used for it.
    #[serde(default)]
    #[schema(required = true, min_items = 1)]
    pub cameras: Vec<String>,
    /// The areas or places it concerns, in words (logged before it starts).
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "The lane behind the depot")]
    pub areas: String,
    /// The user names of its team, who alone (with the pack's covert roles) may review
    /// these cameras' footage while it is in force.
    #[serde(default)]
    #[schema(required = true, min_items = 1)]
    pub team: Vec<String>,
    /// When it was granted (RFC 3339); now when absent.
    #[schema(format = DateTime)]
    pub granted_at: Option<String>,
    /// The first review's day (`YYYY-MM-DD`, UK).
    #[serde(default)]
    #[schema(required = true, format = Date, example = "2026-10-05")]
    pub first_review: String,
    /// The case's line on the dashboard: no names, no target.
    #[serde(default)]
    #[schema(
        required = true,
        min_length = 1,
        example = "Fly-tipping behind the depot"
    )]
    pub summary: String,
}

/// A step on a covert authorisation.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CovertStepRequest {
    /// `approve-judicially` (a council's, once a justice of the peace approves it),
    /// `review`, `renew` or `cancel`: one of the case's `steps`.
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "review")]
    pub step: String,
    /// A review's findings, a renewal's reasons or the cancellation's reason.
    pub reasons: Option<String>,
    /// When a justice approved it (`approve-judicially`, now when absent; a council's
    /// `renew`), RFC 3339.
    #[schema(format = DateTime)]
    pub approved_at: Option<String>,
    /// The next review's day (`YYYY-MM-DD`, UK): required for `review`, optional for
    /// `renew`.
    #[schema(format = Date)]
    pub next_review: Option<String>,
    /// The scheme's own `renew`: its new time limit (RFC 3339).
    #[schema(format = DateTime)]
    pub until: Option<String>,
}

/// `t`, an RFC 3339 instant the body may leave out, read.
fn time(t: Option<&str>, what: &str) -> Result<Option<i64>, ApiError> {
    t.map(|t| instant(t, what).map(|t| t.0)).transpose()
}

/// `t`, a day in the document's `date` format, as given.
fn day(t: &str, what: &str) -> Result<String, ApiError> {
    if day_shape(t) {
        Ok(t.to_owned())
    } else {
        Err(WebError::BadRequest(format!(
            "`{what}` {t:?} is not a day: use YYYY-MM-DD (UK time)"
        ))
        .into())
    }
}

/// Records a covert surveillance authorisation (ledgered `case-opened`, without the
/// rationale, team, areas or officer's name), as the Cases page's form does; its footage
/// is held from the moment it is in force. A council's takes effect only once a justice
/// approves it (`approve-judicially`).
#[utoipa::path(
    post,
    path = "/api/v1/covert",
    operation_id = "open_covert",
    tag = "cases",
    request_body = CovertOpenRequest,
    responses(
        (status = 201, description = "It is recorded; the case, with its `covert` section", body = CaseView),
        (status = 400, description = "The body is not JSON of this shape, or something is missing or wrong (every problem at once), and what", body = ErrorBody),
        (status = 403, description = "Not allowed to work covert authorisations, or (the scheme's own) not in a role the pack lets record it, and why", body = ErrorBody),
    )
)]
pub(crate) async fn open(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Body(req): Body<CovertOpenRequest>,
) -> Result<Response, ApiError> {
    // The right first: a caller who may not work cases learns that, not what the body
    // lacks; `record` checks the right to work covert authorisations.
    staff.require_somewhere(Right::WorkCases)?;
    let given = Given {
        until: time(req.until.as_deref(), "until")?,
        granted: time(req.granted_at.as_deref(), "granted_at")?,
        first_review: match req.first_review.as_str() {
            "" => String::new(),
            d => day(d, "first_review")?,
        },
        surveillance: req.surveillance,
        body: req.body,
        organisation: req.organisation.unwrap_or_default(),
        urn: req.urn.unwrap_or_default(),
        route: req.route.unwrap_or_default(),
        grounds: req.grounds,
        crime_threshold: req.crime_threshold.unwrap_or_default(),
        rationale: req.rationale.unwrap_or_default(),
        authorised_by: req.authorised_by,
        cameras: req.cameras,
        areas: req.areas,
        team: req.team,
        summary: req.summary,
    };
    let c = crate::covert::record(&state, &staff, given).await?;
    Ok((StatusCode::CREATED, Json(view(&state, &c).await?)).into_response())
}

/// Takes a step on a covert authorisation (ledgered `case-STEP`, reasons only as
/// SHA-256), as its case page's covert section does: a justice's approval, a review with
/// the next review's day, a renewal, or the cancellation, which its team is told of.
#[utoipa::path(
    post,
    path = "/api/v1/covert/{reference}/steps",
    operation_id = "step_covert",
    tag = "cases",
    params(("reference" = String, Path, description = "The authorisation's reference, e.g. COV-2026-0001")),
    request_body = CovertStepRequest,
    responses(
        (status = 200, description = "The step is recorded; the case as it now is", body = CaseView),
        (status = 400, description = "The body is not JSON of this shape; a step the authorisation does not allow now, or one without what it needs, and what", body = ErrorBody),
        (status = 403, description = "Not allowed, and why", body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody),
    )
)]
pub(crate) async fn step(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(reference): Segment<String>,
    Body(req): Body<CovertStepRequest>,
) -> Result<Response, ApiError> {
    staff.require_somewhere(Right::WorkCases)?;
    let given = GivenStep {
        approved: time(req.approved_at.as_deref(), "approved_at")?,
        until: time(req.until.as_deref(), "until")?,
        next_review: match req.next_review.as_deref() {
            None => String::new(),
            Some(d) => day(d, "next_review")?,
        },
        step: req.step,
        reasons: req.reasons.unwrap_or_default(),
    };
    let after = crate::covert::take_step(&state, &staff, &reference, given).await?;
    Ok(Json(view(&state, &after).await?).into_response())
}
