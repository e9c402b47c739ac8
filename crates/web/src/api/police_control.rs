//! Police requests to take control of the control room under `/api/v1/police-control`
//! (BDC-25): recording one with its written request, and its steps — agree, refuse,
//! withdraw, hand back — through the same functions as the Cases page's form and the case
//! page's police control section ([`crate::police_control::record`],
//! [`crate::police_control::take_step`]). Reading one is `GET /api/v1/cases/{reference}`
//! (its `police_control` section).
//!
//! Invariants: the caller must hold `work-cases` for police control requests; agreement
//! and refusal are given in the caller's own name, by a role of the pack's
//! `[authorise.police_control]` (the store decides); only requests made in writing are
//! considered, so the written request is required here as on the page — as text (the
//! secure e-mail's text, a letter typed out), kept with the case as
//! `written-request.txt`; a scan can be added to the case's documents on its page.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use custos_domain::access::Right;
use serde::Deserialize;
use utoipa::ToSchema;

use super::cases::{CaseView, view};
use super::{ApiError, Body, Caller, ErrorBody, Segment, instant};
use crate::AppState;
use crate::police_control::{Given, GivenStep};

/// A police request to take partial or total control of the control room.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PoliceControlOpenRequest {
    /// The case's line on the dashboard.
    #[serde(default)]
    #[schema(
        required = true,
        min_length = 1,
        example = "Market day public order operation"
    )]
    pub summary: String,
    /// The officer who asks, by name.
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "Jane Doe")]
    pub officer_name: String,
    /// Their rank: `constable`, `sergeant`, `inspector`, `chief-inspector`,
    /// `superintendent`, `chief-superintendent`, `assistant-chief-constable`,
    /// `deputy-chief-constable` or `chief-constable`. Partial control needs an Inspector or
    /// above, total control an Assistant Chief Constable or above.
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "inspector")]
    pub rank: String,
    /// Their warrant or collar number.
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "4821")]
    pub number: String,
    /// Their force.
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "Nottinghamshire Police")]
    pub force: String,
    /// `partial` (the cameras named) or `total` (every camera and the control room).
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "partial")]
    pub control: String,
    /// Partial control: the ids of the cameras asked for.
    #[serde(default)]
    pub cameras: Vec<String>,
    /// Why, as the written request states it (at least 5 characters).
    #[serde(default)]
    #[schema(required = true, min_length = 5)]
    pub reason: String,
    /// The written request as received, in text; kept with the case as
    /// `written-request.txt`.
    #[serde(default)]
    #[schema(required = true, min_length = 1)]
    pub written: String,
    /// When the request came (RFC 3339); now when absent.
    #[schema(format = DateTime)]
    pub requested_at: Option<String>,
}

/// A step on a police request to take control.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PoliceControlStepRequest {
    /// `agree`, `refuse` (with reasons), `withdraw` (by the police, with the reason) or
    /// `hand-back`: one of the case's `steps`.
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "agree")]
    pub step: String,
    /// The reasons for a refusal or a withdrawal.
    pub reasons: Option<String>,
    /// When control starts (`agree`) or was handed back (`hand-back`), RFC 3339; now when
    /// absent.
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

/// Records a police request to take control with its written request (ledgered
/// `case-opened`), as the Cases page's form does; a request from too junior an officer,
/// or under a code of practice that forbids police control, is refused with the reason.
#[utoipa::path(
    post,
    path = "/api/v1/police-control",
    operation_id = "open_police_control",
    tag = "cases",
    request_body = PoliceControlOpenRequest,
    responses(
        (status = 201, description = "It is recorded; the case, with its `police_control` section", body = CaseView),
        (status = 400, description = "The body is not JSON of this shape, or something is missing or wrong (an officer too junior for the control asked), and what", body = ErrorBody),
        (status = 403, description = "Not allowed to work police control requests, or the scheme's code of practice forbids police control, and why", body = ErrorBody),
    )
)]
pub(crate) async fn open(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Body(req): Body<PoliceControlOpenRequest>,
) -> Result<Response, ApiError> {
    // The right first: a caller who may not work cases learns that, not what the body
    // lacks; `record` checks the right to work police control requests.
    staff.require_somewhere(Right::WorkCases)?;
    let given = Given {
        requested: req
            .requested_at
            .as_deref()
            .map(|t| instant(t, "requested_at").map(|t| t.0))
            .transpose()?,
        summary: req.summary,
        officer_name: req.officer_name,
        rank: req.rank,
        number: req.number,
        force: req.force,
        control: req.control,
        cameras: req.cameras,
        reason: req.reason,
        written: req.written,
    };
    let c = crate::police_control::record(&state, &staff, given).await?;
    Ok((StatusCode::CREATED, Json(view(&state, &c).await?)).into_response())
}

/// Takes a step on a police request to take control (ledgered `case-STEP`), as its case
/// page's police control section does: agreeing or refusing (only by a role of the pack's
/// `[authorise.police_control]`, in the caller's own name), the police's withdrawal, or
/// the hand-back that ends the period of control.
#[utoipa::path(
    post,
    path = "/api/v1/police-control/{reference}/steps",
    operation_id = "step_police_control",
    tag = "cases",
    params(("reference" = String, Path, description = "The request's reference, e.g. POL-2026-0001")),
    request_body = PoliceControlStepRequest,
    responses(
        (status = 200, description = "The step is recorded; the case as it now is", body = CaseView),
        (status = 400, description = "The body is not JSON of this shape; a step the request does not allow now, or one without its reasons, and what", body = ErrorBody),
        (status = 403, description = "Not allowed (agreeing or refusing needs a role the pack names), and why", body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody),
    )
)]
pub(crate) async fn step(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(reference): Segment<String>,
    Body(req): Body<PoliceControlStepRequest>,
) -> Result<Response, ApiError> {
    staff.require_somewhere(Right::WorkCases)?;
    let given = GivenStep {
        at: req
            .at
            .as_deref()
            .map(|t| instant(t, "at").map(|t| t.0))
            .transpose()?,
        step: req.step,
        reasons: req.reasons.unwrap_or_default(),
    };
    let after = crate::police_control::take_step(&state, &staff, &reference, given).await?;
    Ok(Json(view(&state, &after).await?).into_response())
}
