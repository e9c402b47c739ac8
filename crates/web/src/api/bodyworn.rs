//! Body-worn cameras under `/api/v1/bodyworn` (LBU-24): the register with where each device
//! is now and the issue and returns log, registering and retiring a device, issuing one
//! with the officer's acknowledgement, and recording its return.
//!
//! Invariants: who may do what is the pack's `[books.bwv]`, asked before the body is read
//! (as on the page, `crate::bodyworn`) and again by the store; every change goes through
//! the same functions as the page (`bodyworn::register`, `retire`, `issue`, `give_back`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use custos_base::UnixMs;
use custos_domain::bodyworn::{Device, Issue};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiError, Body, Caller, ErrorBody, Segment, instant};
use crate::AppState;
use crate::bodyworn::{self as page, Given, require_keep, require_read};

/// A body-worn camera in the register, with where it is now.
#[derive(Debug, Serialize, ToSchema)]
pub struct BwvDeviceView {
    /// The id it is known by, e.g. `bwv-07`.
    pub id: String,
    /// The maker's serial number.
    pub serial: String,
    /// The make and model.
    pub model: String,
    /// Who owns it.
    pub owner: String,
    /// When it was registered (RFC 3339).
    #[schema(format = DateTime)]
    pub registered: String,
    /// When it was retired, if it was.
    #[schema(format = DateTime)]
    pub retired: Option<String>,
    /// `in-store`, `out`, `overdue` (out past the end of the shift) or `retired`.
    pub standing: String,
    /// Where it is now, in words.
    pub whereabouts: String,
    /// The issue it is out under, if it is out.
    pub out_under: Option<String>,
}

/// An issue in the issue and returns log.
#[derive(Debug, Serialize, ToSchema)]
pub struct BwvIssueView {
    /// `BWV-2026-0001`.
    pub reference: String,
    /// The device's id.
    pub device: String,
    /// The officer it was issued to.
    pub officer: String,
    /// `daily` or `permanent`.
    pub assignment: String,
    /// When it was issued (RFC 3339).
    #[schema(format = DateTime)]
    pub issued: String,
    /// Who issued it, by name.
    pub issued_by: String,
    /// The name the officer typed under the acknowledgement.
    pub acknowledged_by: String,
    /// When a device issued for the day is due back: the end of the shift.
    #[schema(format = DateTime)]
    pub due_back: Option<String>,
    /// When it came back.
    #[schema(format = DateTime)]
    pub returned: Option<String>,
    /// Who took it back, by name.
    pub returned_to: Option<String>,
    /// Whether it is out past the end of the shift.
    pub overdue: bool,
}

/// The register and the log.
#[derive(Debug, Serialize, ToSchema)]
pub struct BodywornView {
    /// Every device, by id.
    pub devices: Vec<BwvDeviceView>,
    /// Every issue, newest first.
    pub issues: Vec<BwvIssueView>,
}

fn t(ms: i64) -> String {
    UnixMs(ms).to_rfc3339()
}

fn device_view(d: &Device, open: Option<&Issue>, now: i64) -> BwvDeviceView {
    let (whereabouts, red) = page::whereabouts(d, open, now);
    let standing = if d.retired_at_unix_ms.is_some() {
        "retired"
    } else if red {
        "overdue"
    } else if open.is_some() {
        "out"
    } else {
        "in-store"
    };
    BwvDeviceView {
        id: d.draft.id.to_string(),
        serial: d.draft.serial.clone(),
        model: d.draft.model.clone(),
        owner: d.draft.owner.clone(),
        registered: t(d.registered_at_unix_ms),
        retired: d.retired_at_unix_ms.map(t),
        standing: standing.to_owned(),
        whereabouts,
        out_under: open.map(|i| i.reference.clone()),
    }
}

fn issue_view(i: &Issue, now: i64) -> BwvIssueView {
    BwvIssueView {
        reference: i.reference.clone(),
        device: i.draft.device.to_string(),
        officer: i.draft.officer.clone(),
        assignment: i.draft.assignment.as_str().to_owned(),
        issued: t(i.draft.issued_at_unix_ms),
        issued_by: i.issued_by.clone(),
        acknowledged_by: i.draft.typed_name.clone(),
        due_back: i.due_back().map(t),
        returned: i.returned_at_unix_ms.map(t),
        returned_to: i.returned_to.clone(),
        overdue: i.overdue(now),
    }
}

/// The register, with where each device is now, and the issue and returns log.
#[utoipa::path(
    get,
    path = "/api/v1/bodyworn",
    operation_id = "list_bodyworn",
    tag = "bodyworn",
    responses(
        (status = 200, description = "The register and the log", body = BodywornView),
        (status = 403, description = "Neither keeps nor reads the body-worn cameras' log, and why", body = ErrorBody),
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    Caller(staff): Caller,
) -> Result<Json<BodywornView>, ApiError> {
    require_read(&staff)?;
    let now = state.store.clock().now().0;
    let out = state.store.bwv_out().await?;
    let devices = state
        .store
        .bwv_devices()
        .await?
        .iter()
        .map(|d| {
            let open = out.iter().find(|i| i.draft.device == d.draft.id);
            device_view(d, open, now)
        })
        .collect();
    let issues = state
        .store
        .bwv_issues()
        .await?
        .iter()
        .map(|i| issue_view(i, now))
        .collect();
    Ok(Json(BodywornView { devices, issues }))
}

/// A device to register.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BwvDeviceRequest {
    /// The id it is to be known by: letters, digits and dashes, e.g. `bwv-07`.
    #[serde(default)]
    pub id: String,
    /// The maker's serial number.
    #[serde(default)]
    pub serial: String,
    /// The make and model.
    #[serde(default)]
    pub model: String,
    /// Who owns it: the organisation or department.
    #[serde(default)]
    pub owner: String,
}

/// Registers a device (`bwv-device-registered` in book `bwv`).
#[utoipa::path(
    post,
    path = "/api/v1/bodyworn/devices",
    operation_id = "register_bodyworn_device",
    tag = "bodyworn",
    request_body = BwvDeviceRequest,
    responses(
        (status = 201, description = "The device is registered, in store", body = BwvDeviceView),
        (status = 400, description = "Something is missing (every problem at once), or the id is taken", body = ErrorBody),
        (status = 403, description = "The caller's role does not keep the body-worn cameras' log, and why", body = ErrorBody),
    )
)]
pub(crate) async fn register(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Body(req): Body<BwvDeviceRequest>,
) -> Result<Response, ApiError> {
    require_keep(&staff)?;
    let d = page::register(&state, &staff, &req.id, req.serial, req.model, req.owner).await?;
    let now = state.store.clock().now().0;
    Ok((StatusCode::CREATED, Json(device_view(&d, None, now))).into_response())
}

/// Retires a device from use (`bwv-device-retired`); refused while it is out.
#[utoipa::path(
    post,
    path = "/api/v1/bodyworn/devices/{id}/retire",
    operation_id = "retire_bodyworn_device",
    tag = "bodyworn",
    params(("id" = String, Path, description = "The device's id, e.g. bwv-07")),
    responses(
        (status = 200, description = "The device is retired", body = BwvDeviceView),
        (status = 400, description = "It is out, or retired already", body = ErrorBody),
        (status = 403, description = "The caller's role does not keep the body-worn cameras' log, and why", body = ErrorBody),
        (status = 404, description = "No such device", body = ErrorBody),
    )
)]
pub(crate) async fn retire(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(id): Segment<String>,
) -> Result<Json<BwvDeviceView>, ApiError> {
    require_keep(&staff)?;
    let d = page::retire(&state, &staff, &id).await?;
    Ok(Json(device_view(&d, None, state.store.clock().now().0)))
}

/// A device to issue.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BwvIssueRequest {
    /// The device's id.
    #[serde(default)]
    pub device: String,
    /// The officer it is issued to, by name.
    #[serde(default)]
    pub officer: String,
    /// `daily` (back by the end of the shift) or `permanent`.
    #[serde(default)]
    #[schema(example = "daily")]
    pub assignment: String,
    /// When it was issued (RFC 3339); now when absent.
    #[schema(format = DateTime)]
    pub at: Option<String>,
    /// The officer accepted the acknowledgement shown on the Body-worn cameras page
    /// (responsibility for the device and its footage).
    #[serde(default)]
    pub acknowledged: bool,
    /// The name the officer typed under it.
    #[serde(default)]
    pub acknowledged_by: String,
}

/// Issues a device to an officer (`bwv-issued`), only with their acknowledgement.
#[utoipa::path(
    post,
    path = "/api/v1/bodyworn/issues",
    operation_id = "issue_bodyworn",
    tag = "bodyworn",
    request_body = BwvIssueRequest,
    responses(
        (status = 201, description = "The device is issued", body = BwvIssueView),
        (status = 400, description = "No acknowledgement, no officer, or the device is out, retired or not registered (every problem at once)", body = ErrorBody),
        (status = 403, description = "The caller's role does not keep the body-worn cameras' log, and why", body = ErrorBody),
    )
)]
pub(crate) async fn issue(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Body(req): Body<BwvIssueRequest>,
) -> Result<Response, ApiError> {
    require_keep(&staff)?;
    let at = req
        .at
        .as_deref()
        .map(|t| instant(t, "at").map(|t| t.0))
        .transpose()?;
    let i = page::issue(
        &state,
        &staff,
        Given {
            device: req.device,
            officer: req.officer,
            assignment: req.assignment,
            at_unix_ms: at,
            acknowledged: req.acknowledged,
            typed_name: req.acknowledged_by,
        },
    )
    .await?;
    let now = state.store.clock().now().0;
    Ok((StatusCode::CREATED, Json(issue_view(&i, now))).into_response())
}

/// A return.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct BwvReturnRequest {
    /// When it came back (RFC 3339); now when absent.
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

/// Records an issued device returned (`bwv-returned`).
#[utoipa::path(
    post,
    path = "/api/v1/bodyworn/issues/{reference}/return",
    operation_id = "return_bodyworn",
    tag = "bodyworn",
    params(("reference" = String, Path, description = "The issue's reference, e.g. BWV-2026-0001")),
    request_body = BwvReturnRequest,
    responses(
        (status = 200, description = "The return is recorded", body = BwvIssueView),
        (status = 400, description = "Returned already, or a time before the issue or in the future", body = ErrorBody),
        (status = 403, description = "The caller's role does not keep the body-worn cameras' log, and why", body = ErrorBody),
        (status = 404, description = "No such issue", body = ErrorBody),
    )
)]
pub(crate) async fn give_back(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(reference): Segment<String>,
    Body(req): Body<BwvReturnRequest>,
) -> Result<Json<BwvIssueView>, ApiError> {
    require_keep(&staff)?;
    let at = req
        .at
        .as_deref()
        .map(|t| instant(t, "at").map(|t| t.0))
        .transpose()?;
    let i = page::give_back(&state, &staff, &reference, at).await?;
    Ok(Json(issue_view(&i, state.store.clock().now().0)))
}
