//! The deployment log of redeployable cameras under `/api/v1/deployments` (BDC-38, LJM-5):
//! the deployments, one deployment, recording one, and its steps — signs up and down, the
//! camera taken down, a correction.
//!
//! Invariants: who may do what is the pack's `[books.deployment]`, asked before the body is
//! read (as on the pages, `crate::deployments`) and again by the store; recording and steps
//! go through the same functions as the pages (`deployments::record`,
//! `deployments::take_step`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use custos_base::UnixMs;
use custos_domain::deployment::Deployment;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiError, Body, Caller, ErrorBody, Segment, instant};
use crate::AppState;
use crate::deployments::{Given, read_step, record, require_keep, require_read, take_step};
use crate::error::WebError;

/// A correction of a deployment.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeploymentCorrectionView {
    /// The detail: `place`, `map-reference`, `until`, `justification`, `consultation` or
    /// `privacy`.
    pub field: String,
    /// Before (the planned end in ms since the epoch, written out).
    pub before: String,
    /// After.
    pub after: String,
    /// Why.
    pub reason: String,
    /// Who, by name.
    pub by: String,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub at: String,
}

/// A deployment as it stands (its corrections applied).
#[derive(Debug, Serialize, ToSchema)]
pub struct DeploymentView {
    /// `DEP-2026-0001`.
    pub reference: String,
    /// The camera's id.
    pub camera: String,
    /// Where.
    pub place: String,
    /// The map reference.
    pub map_reference: String,
    /// From (RFC 3339).
    #[schema(format = DateTime)]
    pub from: String,
    /// The planned end (RFC 3339).
    #[schema(format = DateTime)]
    pub until: String,
    /// `crime-pattern`, `intelligence` or `both`.
    pub grounds: String,
    /// The analysis or intelligence it rests on.
    pub justification: String,
    /// One of the pack's deployment purposes.
    pub purpose: String,
    /// Whether those affected were consulted.
    pub consulted: bool,
    /// Who was consulted and how, or why it was not possible.
    pub consultation: String,
    /// The privacy restrictions at the site.
    pub privacy: String,
    /// Who authorised it.
    pub authorised_by: String,
    /// When its signs went up (RFC 3339).
    #[schema(format = DateTime)]
    pub signs_up: Option<String>,
    /// When its signs came down.
    #[schema(format = DateTime)]
    pub signs_down: Option<String>,
    /// When the camera came down.
    #[schema(format = DateTime)]
    pub removed: Option<String>,
    /// `planned`, `deployed`, `overdue` (past its end, still up), `signs-left` or `ended`.
    pub standing: String,
    /// Who recorded it, by name.
    pub recorded_by: String,
    /// The corrections, oldest first.
    pub corrections: Vec<DeploymentCorrectionView>,
}

fn view(d: &Deployment, now: i64) -> DeploymentView {
    use custos_domain::deployment::{Consultation, Standing};
    let c = d.current();
    let t = |ms: i64| UnixMs(ms).to_rfc3339();
    DeploymentView {
        reference: d.reference.clone(),
        camera: c.camera.to_string(),
        place: c.place.clone(),
        map_reference: c.map_reference.clone(),
        from: t(c.from_unix_ms),
        until: t(c.until_unix_ms),
        grounds: c.grounds.as_str().to_owned(),
        justification: c.justification.clone(),
        purpose: c.purpose.clone(),
        consulted: matches!(c.consultation, Consultation::Made(_)),
        consultation: match &c.consultation {
            Consultation::Made(w) | Consultation::NotPossible(w) => w.clone(),
        },
        privacy: c.privacy.clone(),
        authorised_by: c.authorised_by.clone(),
        signs_up: d.signs_up_unix_ms.map(t),
        signs_down: d.signs_down_unix_ms.map(t),
        removed: d.removed_unix_ms.map(t),
        standing: match d.standing(now) {
            Standing::Planned => "planned",
            Standing::Deployed => "deployed",
            Standing::Overdue => "overdue",
            Standing::SignsLeft => "signs-left",
            Standing::Ended => "ended",
        }
        .to_owned(),
        recorded_by: d.recorded_by.clone(),
        corrections: d
            .corrections
            .iter()
            .map(|x| DeploymentCorrectionView {
                field: x.field.as_str().to_owned(),
                before: x.before.clone(),
                after: x.after.clone(),
                reason: x.reason.clone(),
                by: x.by.clone(),
                at: t(x.at_unix_ms),
            })
            .collect(),
    }
}

/// Every deployment, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/deployments",
    operation_id = "list_deployments",
    tag = "deployments",
    responses(
        (status = 200, description = "The deployments", body = [DeploymentView]),
        (status = 403, description = "Neither keeps nor reads the deployment log, and why", body = ErrorBody),
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    Caller(staff): Caller,
) -> Result<Json<Vec<DeploymentView>>, ApiError> {
    require_read(&staff)?;
    let now = state.store.clock().now().0;
    Ok(Json(
        state
            .store
            .deployments()
            .await?
            .iter()
            .map(|d| view(d, now))
            .collect(),
    ))
}

/// One deployment.
#[utoipa::path(
    get,
    path = "/api/v1/deployments/{reference}",
    operation_id = "show_deployment",
    tag = "deployments",
    params(("reference" = String, Path, description = "The deployment's reference, e.g. DEP-2026-0001")),
    responses(
        (status = 200, description = "The deployment as it stands", body = DeploymentView),
        (status = 403, description = "Neither keeps nor reads the deployment log, and why", body = ErrorBody),
        (status = 404, description = "No such deployment", body = ErrorBody),
    )
)]
pub(crate) async fn show(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(reference): Segment<String>,
) -> Result<Json<DeploymentView>, ApiError> {
    require_read(&staff)?;
    let d = state.store.deployment(&reference).await?.ok_or_else(|| {
        WebError::Store(custos_store::StoreError::NotFound(format!(
            "there is no deployment {reference}"
        )))
    })?;
    Ok(Json(view(&d, state.store.clock().now().0)))
}

/// A deployment to record.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeploymentRequest {
    /// The camera's id (from the register).
    #[serde(default)]
    pub camera: String,
    /// Where: the street, building or site.
    #[serde(default)]
    pub place: String,
    /// The map reference.
    #[serde(default)]
    pub map_reference: String,
    /// When it goes up (RFC 3339); now when absent.
    #[schema(format = DateTime)]
    pub from: Option<String>,
    /// When it is to come down (RFC 3339).
    #[schema(format = DateTime)]
    #[serde(default)]
    pub until: String,
    /// `crime-pattern`, `intelligence` or `both`.
    #[serde(default)]
    pub grounds: String,
    /// The analysis or intelligence: its reference and what it shows.
    #[serde(default)]
    pub justification: String,
    /// One of the pack's deployment purposes, as worded there.
    #[serde(default)]
    pub purpose: String,
    /// `made` or `not-possible`.
    #[serde(default)]
    pub consulted: String,
    /// Who was consulted and how, or why it was not possible.
    #[serde(default)]
    pub consultation: String,
    /// The privacy restrictions at the site, or why none are needed.
    #[serde(default)]
    pub privacy: String,
    /// Who authorised it: name and role.
    #[serde(default)]
    pub authorised_by: String,
}

/// Records a deployment (`deployment-recorded` in book `deployment`).
#[utoipa::path(
    post,
    path = "/api/v1/deployments",
    operation_id = "record_deployment",
    tag = "deployments",
    request_body = DeploymentRequest,
    responses(
        (status = 201, description = "The deployment is recorded", body = DeploymentView),
        (status = 400, description = "Something is missing or wrong (every problem at once), or the camera is deployed elsewhere then", body = ErrorBody),
        (status = 403, description = "The caller's role does not keep the deployment log, and why", body = ErrorBody),
    )
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Body(req): Body<DeploymentRequest>,
) -> Result<Response, ApiError> {
    require_keep(&staff)?;
    let from = req
        .from
        .as_deref()
        .map(|t| instant(t, "from").map(|t| t.0))
        .transpose()?;
    let until = instant(&req.until, "until")?.0;
    let d = record(
        &state,
        &staff,
        Given {
            camera: req.camera,
            place: req.place,
            map_reference: req.map_reference,
            from_unix_ms: from,
            until_unix_ms: Some(until),
            grounds: req.grounds,
            justification: req.justification,
            purpose: req.purpose,
            consulted: req.consulted,
            consultation: req.consultation,
            privacy: req.privacy,
            authorised_by: req.authorised_by,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(view(&d, state.store.clock().now().0)),
    )
        .into_response())
}

/// A step on a deployment.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeploymentStepRequest {
    /// `signs-up`, `signs-down`, `removed` (the camera taken down) or `correct`.
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "signs-up")]
    pub step: String,
    /// `signs-up`, `signs-down`, `removed`: when (RFC 3339); now when absent.
    #[schema(format = DateTime)]
    pub at: Option<String>,
    /// `correct`: the detail — `place`, `map-reference`, `until`, `justification`,
    /// `consultation` or `privacy`.
    pub field: Option<String>,
    /// `correct`: its correct value (the planned end in RFC 3339; the consultation as
    /// "Consulted: …" or "Not possible: …").
    pub value: Option<String>,
    /// `correct`: why.
    pub reason: Option<String>,
}

/// Takes a step on a deployment (`deployment-signs-erected`, `deployment-signs-removed`,
/// `deployment-ended` or `deployment-corrected`).
#[utoipa::path(
    post,
    path = "/api/v1/deployments/{reference}/steps",
    operation_id = "step_deployment",
    tag = "deployments",
    params(("reference" = String, Path, description = "The deployment's reference, e.g. DEP-2026-0001")),
    request_body = DeploymentStepRequest,
    responses(
        (status = 200, description = "The step is recorded; the deployment as it now is", body = DeploymentView),
        (status = 400, description = "An unknown step, or one the deployment does not allow (signs down before up, a correction without a reason), and what", body = ErrorBody),
        (status = 403, description = "The caller's role does not keep the deployment log, and why", body = ErrorBody),
        (status = 404, description = "No such deployment", body = ErrorBody),
    )
)]
pub(crate) async fn step(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(reference): Segment<String>,
    Body(req): Body<DeploymentStepRequest>,
) -> Result<Json<DeploymentView>, ApiError> {
    require_keep(&staff)?;
    let at = req
        .at
        .as_deref()
        .map(|t| instant(t, "at").map(|t| t.0))
        .transpose()?;
    let field = req.field.unwrap_or_default();
    let mut value = req.value.unwrap_or_default();
    if field.trim() == "until" {
        value = UnixMs(instant(&value, "value")?.0).to_uk_local_input();
    }
    let now = state.store.clock().now().0;
    let s = read_step(
        &req.step,
        at,
        &field,
        &value,
        &req.reason.unwrap_or_default(),
        now,
    )?;
    let d = take_step(&state, &staff, &reference, &s).await?;
    Ok(Json(view(&d, state.store.clock().now().0)))
}
