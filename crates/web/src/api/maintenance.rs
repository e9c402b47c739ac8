//! The faults and maintenance log under `/api/v1/maintenance` (LBU-16, BDC-19, ALT-15,
//! SCC-8, BDC-18): each camera's next check and availability, the checks and the faults
//! (reported or found by the recorder), recording a check and reporting a fault, and the
//! steps on them — the contractor called, their response, the fix and corrections.
//!
//! Invariants: who may do what is the pack's `[books.maintenance]`, asked before the body
//! is read (as on the pages, `crate::maintenance`) and again by the store; every change
//! goes through the functions the pages use (`maintenance::record_check`,
//! `maintenance::report_fault`, `maintenance::take_step`) and is the store's, ledgered in
//! its transaction; cameras are named by id, times are RFC 3339.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use custos_base::UnixMs;
use custos_domain::maintenance::{
    AVAILABILITY_DAYS, CallDraft, Check, CheckItem, Correction, CorrectionDraft, Fault, Field,
    Standing, Urgency,
};
use custos_domain::policy::Maintenance;
use custos_store::maintenance::FaultFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, Body, Caller, ErrorBody, Params, Segment, instant};
use crate::AppState;
use crate::error::WebError;
use crate::maintenance::{GivenCheck, Step, Stepped, may_read, require_role, take_step};

fn t(ms: i64) -> String {
    UnixMs(ms).to_rfc3339()
}

fn urgency_id(u: Urgency) -> &'static str {
    match u {
        Urgency::OnTime => "on-time",
        Urgency::Soon => "due-soon",
        Urgency::Overdue => "overdue",
    }
}

/// A camera's availability over a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct AvailabilityView {
    /// The start of the time measured (RFC 3339): the period's start, or later when the
    /// camera was registered later or its older footage is past its retention.
    #[schema(format = DateTime)]
    pub from: String,
    /// Its end: now (RFC 3339).
    #[schema(format = DateTime)]
    pub to: String,
    /// Seconds of it with recorded footage.
    pub recorded_seconds: i64,
    /// The share recorded in tenths of a percent (0–1000); null when no time was measured.
    pub per_mille: Option<u32>,
}

/// A camera in service: its next check and its availability.
#[derive(Debug, Serialize, ToSchema)]
pub struct CameraMaintenanceView {
    /// The camera's id.
    pub camera: String,
    /// Its name.
    pub name: String,
    /// When it was last checked (RFC 3339); null if never.
    #[schema(format = DateTime)]
    pub last_checked: Option<String>,
    /// When its next check is due (RFC 3339).
    #[schema(format = DateTime)]
    pub next_check_due: String,
    /// `on-time`, `due-soon` (the last quarter of the interval) or `overdue`.
    pub check: String,
    /// Its availability over the period asked; null for a camera not recorded continuously.
    pub availability: Option<AvailabilityView>,
}

/// The period over which availability is measured.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CamerasParams {
    /// Days back from now (1–366); 30 when absent.
    #[param(minimum = 1, maximum = 366)]
    pub days: Option<i64>,
}

/// Each camera in service with its next check (LBU-16, ALT-15) and the share of the last
/// days it recorded. Those who keep or countersign the faults and maintenance log, and
/// those who read the logbooks.
#[utoipa::path(
    get,
    path = "/api/v1/maintenance/cameras",
    operation_id = "list_camera_maintenance",
    tag = "maintenance",
    params(CamerasParams),
    responses(
        (status = 200, description = "The cameras", body = [CameraMaintenanceView]),
        (status = 400, description = "Days out of range", body = ErrorBody),
        (status = 403, description = "Neither keeps nor reads the faults and maintenance log, and why", body = ErrorBody),
    )
)]
pub(crate) async fn cameras(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Params(p): Params<CamerasParams>,
) -> Result<Json<Vec<CameraMaintenanceView>>, ApiError> {
    may_read(&staff)?;
    let days = p.days.unwrap_or(AVAILABILITY_DAYS);
    if !(1..=366).contains(&days) {
        return Err(
            WebError::BadRequest(format!("`days` is {days}: give from 1 to 366 days")).into(),
        );
    }
    let cameras = state.store.cameras_maintenance(days).await?;
    Ok(Json(
        cameras
            .into_iter()
            .map(|c| CameraMaintenanceView {
                camera: c.camera.to_string(),
                name: c.name,
                last_checked: c.due.last_checked_unix_ms.map(t),
                next_check_due: t(c.due.due_unix_ms),
                check: urgency_id(c.due.urgency).to_owned(),
                availability: c.availability.map(|a| AvailabilityView {
                    from: t(a.from_unix_ms),
                    to: t(a.to_unix_ms),
                    recorded_seconds: a.recorded_ms / 1000,
                    per_mille: a.per_mille(),
                }),
            })
            .collect(),
    ))
}

/// One item's result in a check.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ItemView {
    /// `picture`, `time`, `focus`, `privacy-masks` or `signage`.
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "focus")]
    pub item: String,
    /// Whether it passed.
    #[serde(default)]
    pub passed: bool,
    /// What was seen; required when it failed.
    #[serde(default)]
    pub note: String,
}

/// A correction: a new entry naming the detail, its value before and after, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct MaintenanceCorrectionView {
    /// The detail, e.g. `focus`, `called-at`, `work-done`.
    pub field: String,
    /// Its value before (a time in RFC 3339).
    pub before: String,
    /// Its value after.
    pub after: String,
    /// Why.
    pub reason: String,
    /// Who corrected it, by name.
    pub by: String,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub at: String,
}

fn corrections(cs: &[Correction]) -> Vec<MaintenanceCorrectionView> {
    let words = |f: Field, v: &str| {
        if f.is_time() {
            v.parse::<i64>().map(t).unwrap_or_default()
        } else {
            v.to_owned()
        }
    };
    cs.iter()
        .map(|c| MaintenanceCorrectionView {
            field: c.field.as_str().to_owned(),
            before: words(c.field, &c.before),
            after: words(c.field, &c.after),
            reason: c.reason.clone(),
            by: c.by.clone(),
            at: t(c.at_unix_ms),
        })
        .collect()
}

/// A camera's scheduled check as it stands (its corrections applied).
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckView {
    /// `CHK-2026-0001`.
    pub reference: String,
    /// The camera's id.
    pub camera: String,
    /// Its name.
    pub camera_name: String,
    /// When it was checked (RFC 3339).
    #[schema(format = DateTime)]
    pub checked_at: String,
    /// Each item of the checklist.
    pub items: Vec<ItemView>,
    /// Anything else noted.
    pub note: String,
    /// Whether every item passed.
    pub passed: bool,
    /// The fault its failure reported, if any.
    pub fault: Option<String>,
    /// Who recorded it, by name.
    pub recorded_by: String,
    /// The corrections, oldest first.
    pub corrections: Vec<MaintenanceCorrectionView>,
}

fn check_view(c: &Check) -> CheckView {
    let d = c.current();
    CheckView {
        reference: c.reference.clone(),
        camera: d.camera.to_string(),
        camera_name: c.camera_name.clone(),
        checked_at: t(d.checked_at_unix_ms),
        items: CheckItem::ALL
            .iter()
            .filter_map(|i| d.result(*i))
            .map(|r| ItemView {
                item: r.item.as_str().to_owned(),
                passed: r.passed,
                note: r.note.clone(),
            })
            .collect(),
        passed: d.passed(),
        note: d.note.clone(),
        fault: c.fault.clone(),
        recorded_by: c.recorded_by_name.clone(),
        corrections: corrections(&c.corrections),
    }
}

/// Where the contractor's response or fix stands against the pack's time.
#[derive(Debug, Serialize, ToSchema)]
pub struct DueView {
    /// When it is (or was) due (RFC 3339).
    #[schema(format = DateTime)]
    pub due: String,
    /// When it was done (RFC 3339); null while awaited.
    #[schema(format = DateTime)]
    pub done: Option<String>,
    /// `on-time`, `due-soon` or `overdue` while awaited; `in-time` or `late` once done.
    pub state: String,
}

fn due_view(s: Standing) -> DueView {
    match s {
        Standing::Waiting {
            due_unix_ms,
            urgency,
        } => DueView {
            due: t(due_unix_ms),
            done: None,
            state: urgency_id(urgency).to_owned(),
        },
        Standing::Done {
            due_unix_ms,
            at_unix_ms,
        } => DueView {
            due: t(due_unix_ms),
            done: Some(t(at_unix_ms)),
            state: if s.late() { "late" } else { "in-time" }.to_owned(),
        },
    }
}

/// The contractor called to a fault.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContractorView {
    /// The contractor's name.
    pub name: String,
    /// Their job reference (may be empty).
    pub job_reference: String,
    /// When they were called (RFC 3339).
    #[schema(format = DateTime)]
    pub called_at: String,
    /// What they said or did when they responded.
    pub response_note: String,
    /// Their response against the pack's response time.
    pub response: DueView,
    /// The fix against the pack's fix time.
    pub fix: DueView,
}

/// A fault's fix.
#[derive(Debug, Serialize, ToSchema)]
pub struct FixView {
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub at: String,
    /// The work done.
    pub work_done: String,
    /// Whether the contractor fixed it (otherwise the scheme's own staff).
    pub by_contractor: bool,
}

/// A fault as it stands (its corrections applied).
#[derive(Debug, Serialize, ToSchema)]
pub struct FaultView {
    /// `FLT-2026-0001`.
    pub reference: String,
    /// The camera's id.
    pub camera: String,
    /// Its name.
    pub camera_name: String,
    /// `recorder` (found when the camera stopped recording) or `reported`.
    pub origin: String,
    /// When it was noticed (for the recorder: since when the camera was down) (RFC 3339).
    #[schema(format = DateTime)]
    pub noticed_at: String,
    /// What is wrong.
    pub description: String,
    /// Who reported it, by name; null for the recorder.
    pub reported_by: Option<String>,
    /// The check whose failure reported it.
    pub check: Option<String>,
    /// Whether it is still open.
    pub open: bool,
    /// When it closed (RFC 3339): fixed, or recording again.
    #[schema(format = DateTime)]
    pub closed_at: Option<String>,
    /// The contractor called, once called.
    pub contractor: Option<ContractorView>,
    /// The fix, once recorded.
    pub fix: Option<FixView>,
    /// `on-time`, `due-soon` or `overdue`: the contractor's response or fix awaited.
    pub urgency: String,
    /// The corrections, oldest first.
    pub corrections: Vec<MaintenanceCorrectionView>,
}

fn fault_view(f: &Fault, m: &Maintenance, now: i64) -> FaultView {
    let cur = f.current();
    let state = f.contractor_state(m, now);
    FaultView {
        reference: f.reference.clone(),
        camera: cur.camera.to_string(),
        camera_name: cur.camera_name.clone(),
        origin: cur.origin.as_str().to_owned(),
        noticed_at: t(cur.noticed_at_unix_ms),
        description: cur.description.clone(),
        reported_by: (!cur.reported_by_name.is_empty()).then(|| cur.reported_by_name.clone()),
        check: cur.check.clone(),
        open: cur.is_open(),
        closed_at: cur.closed_at_unix_ms.map(t),
        contractor: cur
            .contractor
            .as_ref()
            .zip(state)
            .map(|(c, s)| ContractorView {
                name: c.contractor.clone(),
                job_reference: c.job_reference.clone(),
                called_at: t(c.called_at_unix_ms),
                response_note: c.response_note.clone(),
                response: due_view(s.response),
                fix: due_view(s.fix),
            }),
        fix: cur.fix.as_ref().map(|x| FixView {
            at: t(x.at_unix_ms),
            work_done: x.work_done.clone(),
            by_contractor: x.by_contractor,
        }),
        urgency: urgency_id(f.urgency(m, now)).to_owned(),
        corrections: corrections(&f.corrections),
    }
}

/// The period listed.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// From this instant (RFC 3339).
    #[param(format = DateTime)]
    pub from: Option<String>,
    /// Before this instant (RFC 3339).
    #[param(format = DateTime)]
    pub to: Option<String>,
}

fn bounds(from: Option<&str>, to: Option<&str>) -> Result<(Option<i64>, Option<i64>), ApiError> {
    Ok((
        from.map(|t| instant(t, "from").map(|t| t.0)).transpose()?,
        to.map(|t| instant(t, "to").map(|t| t.0)).transpose()?,
    ))
}

/// The scheduled checks made in a period, in order of when they were made (LBU-16, ALT-15).
#[utoipa::path(
    get,
    path = "/api/v1/maintenance/checks",
    operation_id = "list_maintenance_checks",
    tag = "maintenance",
    params(PeriodParams),
    responses(
        (status = 200, description = "The checks", body = [CheckView]),
        (status = 400, description = "A malformed time", body = ErrorBody),
        (status = 403, description = "Neither keeps nor reads the faults and maintenance log, and why", body = ErrorBody),
    )
)]
pub(crate) async fn checks(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Params(p): Params<PeriodParams>,
) -> Result<Json<Vec<CheckView>>, ApiError> {
    may_read(&staff)?;
    let (from, to) = bounds(p.from.as_deref(), p.to.as_deref())?;
    let checks = state.store.maintenance_checks(from, to).await?;
    Ok(Json(checks.iter().map(check_view).collect()))
}

/// A camera's scheduled check.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CheckRecordRequest {
    /// The camera's id.
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "front-gate")]
    pub camera: String,
    /// When it was checked (RFC 3339); now when absent.
    #[schema(format = DateTime)]
    pub checked_at: Option<String>,
    /// A result for each item of the checklist: `picture`, `time`, `focus`,
    /// `privacy-masks`, `signage`, each once; a failed item says what is wrong.
    #[serde(default)]
    pub items: Vec<ItemView>,
    /// Anything else worth noting.
    #[serde(default)]
    pub note: String,
}

/// Records a camera's scheduled check (ledgered `check-recorded`). A check with a failed
/// item reports a fault on the camera in the same transaction (`fault-reported`). Only
/// those whose role keeps the faults and maintenance log.
#[utoipa::path(
    post,
    path = "/api/v1/maintenance/checks",
    operation_id = "record_check",
    tag = "maintenance",
    request_body = CheckRecordRequest,
    responses(
        (status = 201, description = "The check is recorded", body = CheckView),
        (status = 400, description = "An item missing, given twice or failed without a note, a time in the future (every problem at once)", body = ErrorBody),
        (status = 403, description = "The caller's role does not keep the faults and maintenance log, and why", body = ErrorBody),
        (status = 404, description = "No such camera", body = ErrorBody),
    )
)]
pub(crate) async fn record_check(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Body(req): Body<CheckRecordRequest>,
) -> Result<Response, ApiError> {
    require_role(&staff)?;
    let mut items = Vec::new();
    for i in req.items {
        let item: CheckItem = i.item.trim().parse().map_err(WebError::BadRequest)?;
        items.push((
            item,
            if i.passed { "pass" } else { "fail" }.to_owned(),
            i.note,
        ));
    }
    let given = GivenCheck {
        camera: req.camera,
        checked_at_unix_ms: req
            .checked_at
            .as_deref()
            .map(|t| instant(t, "checked_at").map(|t| t.0))
            .transpose()?,
        items,
        note: req.note,
    };
    let c = crate::maintenance::record_check(&state, &staff, given).await?;
    Ok((StatusCode::CREATED, Json(check_view(&c))).into_response())
}

/// A check.
#[utoipa::path(
    get,
    path = "/api/v1/maintenance/checks/{reference}",
    operation_id = "show_check",
    tag = "maintenance",
    params(("reference" = String, Path, description = "The check's reference, e.g. CHK-2026-0001")),
    responses(
        (status = 200, description = "The check as it stands", body = CheckView),
        (status = 403, description = "Neither keeps nor reads the faults and maintenance log, and why", body = ErrorBody),
        (status = 404, description = "No such check", body = ErrorBody),
    )
)]
pub(crate) async fn show_check(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(reference): Segment<String>,
) -> Result<Json<CheckView>, ApiError> {
    may_read(&staff)?;
    let c = state
        .store
        .maintenance_check(&reference)
        .await?
        .ok_or_else(|| {
            WebError::Store(custos_store::StoreError::NotFound(format!(
                "there is no check {reference}"
            )))
        })?;
    Ok(Json(check_view(&c)))
}

/// A correction of a check.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CheckStepRequest {
    /// `correct`: the one step on a check.
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "correct")]
    pub step: String,
    /// The detail: `checked-at`, `picture`, `time`, `focus`, `privacy-masks`, `signage` or
    /// `note`.
    pub field: Option<String>,
    /// Its correct value: a time in RFC 3339; an item's result as `pass` or
    /// `fail: what is wrong`.
    pub value: Option<String>,
    /// Why.
    pub reason: Option<String>,
}

/// A correction read from a request: `field`, `value` (a time in RFC 3339) and `reason`.
fn correction(
    field: Option<String>,
    value: Option<String>,
    reason: Option<String>,
) -> Result<CorrectionDraft, ApiError> {
    let field: Field = field
        .as_deref()
        .unwrap_or_default()
        .trim()
        .parse()
        .map_err(WebError::BadRequest)?;
    let value = value.unwrap_or_default();
    let value = if field.is_time() {
        instant(&value, "value")?.0.to_string()
    } else {
        value
    };
    Ok(CorrectionDraft {
        field,
        value,
        reason: reason.unwrap_or_default(),
    })
}

/// Corrects a detail of a check (`maintenance-corrected`, a new entry naming the entry it
/// corrects; the check as recorded is kept). Only those whose role keeps the log.
#[utoipa::path(
    post,
    path = "/api/v1/maintenance/checks/{reference}/steps",
    operation_id = "step_check",
    tag = "maintenance",
    params(("reference" = String, Path, description = "The check's reference, e.g. CHK-2026-0001")),
    request_body = CheckStepRequest,
    responses(
        (status = 200, description = "The correction is recorded; the check as it now is", body = CheckView),
        (status = 400, description = "An unknown step or detail, a correction without a reason or that changes nothing, and what", body = ErrorBody),
        (status = 403, description = "The caller's role does not keep the faults and maintenance log, and why", body = ErrorBody),
        (status = 404, description = "No such check", body = ErrorBody),
    )
)]
pub(crate) async fn step_check(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(reference): Segment<String>,
    Body(req): Body<CheckStepRequest>,
) -> Result<Response, ApiError> {
    require_role(&staff)?;
    if req.step.trim() != "correct" {
        return Err(WebError::BadRequest(format!(
            "{:?} is not a step on a check: a check is only corrected (`correct`)",
            req.step
        ))
        .into());
    }
    if !custos_domain::maintenance::is_check_reference(reference.trim()) {
        return Err(WebError::Store(custos_store::StoreError::NotFound(format!(
            "there is no check {reference}"
        )))
        .into());
    }
    let c = correction(req.field, req.value, req.reason)?;
    match take_step(&state, &staff, &reference, Step::Correct(c)).await? {
        Stepped::Check(c) => Ok(Json(check_view(&c)).into_response()),
        Stepped::Fault(_) => {
            Err(WebError::BadRequest(format!("{reference} is not a check")).into())
        }
    }
}

/// Which faults are listed.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FaultsParams {
    /// Only the open faults (then `from` and `to` are not used).
    pub open: Option<bool>,
    /// Those noticed from this instant (RFC 3339).
    #[param(format = DateTime)]
    pub from: Option<String>,
    /// Before this instant (RFC 3339).
    #[param(format = DateTime)]
    pub to: Option<String>,
}

/// The faults, reported and found by the recorder, with the contractor's response and fix
/// against the pack's times (BDC-19), in order of when they were noticed.
#[utoipa::path(
    get,
    path = "/api/v1/maintenance/faults",
    operation_id = "list_faults",
    tag = "maintenance",
    params(FaultsParams),
    responses(
        (status = 200, description = "The faults", body = [FaultView]),
        (status = 400, description = "A malformed time", body = ErrorBody),
        (status = 403, description = "Neither keeps nor reads the faults and maintenance log, and why", body = ErrorBody),
    )
)]
pub(crate) async fn faults(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Params(p): Params<FaultsParams>,
) -> Result<Json<Vec<FaultView>>, ApiError> {
    may_read(&staff)?;
    let (from, to) = bounds(p.from.as_deref(), p.to.as_deref())?;
    let filter = if p.open == Some(true) {
        FaultFilter::Open
    } else {
        FaultFilter::Between(from.unwrap_or(i64::MIN), to.unwrap_or(i64::MAX))
    };
    let faults = state.store.faults(filter).await?;
    let m = state.store.maintenance_times().await?;
    let now = state.store.clock().now().0;
    Ok(Json(
        faults.iter().map(|f| fault_view(f, &m, now)).collect(),
    ))
}

/// A fault to report.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct FaultReportRequest {
    /// The camera's id.
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "front-gate")]
    pub camera: String,
    /// When the fault was noticed (RFC 3339); now when absent.
    #[schema(format = DateTime)]
    pub noticed_at: Option<String>,
    /// What is wrong.
    #[serde(default)]
    #[schema(
        required = true,
        min_length = 5,
        example = "The picture mists over at night"
    )]
    pub description: String,
}

/// Reports a fault on a camera (`fault-reported`), in the same list as the faults the
/// recorder finds. Only those whose role keeps the faults and maintenance log.
#[utoipa::path(
    post,
    path = "/api/v1/maintenance/faults",
    operation_id = "report_fault",
    tag = "maintenance",
    request_body = FaultReportRequest,
    responses(
        (status = 201, description = "The fault is recorded", body = FaultView),
        (status = 400, description = "No description, or a time in the future", body = ErrorBody),
        (status = 403, description = "The caller's role does not keep the faults and maintenance log, and why", body = ErrorBody),
        (status = 404, description = "No such camera", body = ErrorBody),
    )
)]
pub(crate) async fn report_fault(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Body(req): Body<FaultReportRequest>,
) -> Result<Response, ApiError> {
    require_role(&staff)?;
    let noticed = req
        .noticed_at
        .as_deref()
        .map(|t| instant(t, "noticed_at").map(|t| t.0))
        .transpose()?;
    let f = crate::maintenance::report_fault(&state, &staff, &req.camera, noticed, req.description)
        .await?;
    let m = state.store.maintenance_times().await?;
    let now = state.store.clock().now().0;
    Ok((StatusCode::CREATED, Json(fault_view(&f, &m, now))).into_response())
}

/// A fault.
#[utoipa::path(
    get,
    path = "/api/v1/maintenance/faults/{reference}",
    operation_id = "show_fault",
    tag = "maintenance",
    params(("reference" = String, Path, description = "The fault's reference, e.g. FLT-2026-0001")),
    responses(
        (status = 200, description = "The fault as it stands", body = FaultView),
        (status = 403, description = "Neither keeps nor reads the faults and maintenance log, and why", body = ErrorBody),
        (status = 404, description = "No such fault", body = ErrorBody),
    )
)]
pub(crate) async fn show_fault(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(reference): Segment<String>,
) -> Result<Json<FaultView>, ApiError> {
    may_read(&staff)?;
    let f = state.store.fault(&reference).await?.ok_or_else(|| {
        WebError::Store(custos_store::StoreError::NotFound(format!(
            "there is no fault {reference}"
        )))
    })?;
    let m = state.store.maintenance_times().await?;
    Ok(Json(fault_view(&f, &m, state.store.clock().now().0)))
}

/// A step on a fault.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct FaultStepRequest {
    /// `call` (the contractor called), `respond` (their response), `fix` (the fault fixed)
    /// or `correct` (one detail, with a reason).
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "call")]
    pub step: String,
    /// `call`: the contractor's name.
    pub contractor: Option<String>,
    /// `call`: their job reference.
    pub job_reference: Option<String>,
    /// `call`, `respond`, `fix`: when (RFC 3339); now when absent.
    #[schema(format = DateTime)]
    pub at: Option<String>,
    /// `respond`: what they said or did.
    pub note: Option<String>,
    /// `fix`: the work done.
    pub work_done: Option<String>,
    /// `fix`: whether the contractor fixed it (otherwise the scheme's own staff).
    pub by_contractor: Option<bool>,
    /// `correct`: the detail — `noticed-at`, `description`, `contractor`, `job-reference`,
    /// `called-at`, `responded-at`, `response-note`, `fixed-at` or `work-done`.
    pub field: Option<String>,
    /// `correct`: its correct value (a time in RFC 3339).
    pub value: Option<String>,
    /// `correct`: why.
    pub reason: Option<String>,
}

/// Takes a step on a fault: the contractor called (`contractor-called`, with when the
/// pack's times make the response and fix due), their response (`contractor-responded`),
/// the fix (`fault-fixed`; an open fault closes) or a correction (`maintenance-corrected`).
/// Only those whose role keeps the faults and maintenance log.
#[utoipa::path(
    post,
    path = "/api/v1/maintenance/faults/{reference}/steps",
    operation_id = "step_fault",
    tag = "maintenance",
    params(("reference" = String, Path, description = "The fault's reference, e.g. FLT-2026-0001")),
    request_body = FaultStepRequest,
    responses(
        (status = 200, description = "The step is recorded; the fault as it now is", body = FaultView),
        (status = 400, description = "An unknown step, or one the fault does not allow (a second call, a response before the call, a fix without the work done), and what", body = ErrorBody),
        (status = 403, description = "The caller's role does not keep the faults and maintenance log, and why", body = ErrorBody),
        (status = 404, description = "No such fault", body = ErrorBody),
    )
)]
pub(crate) async fn step_fault(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(reference): Segment<String>,
    Body(req): Body<FaultStepRequest>,
) -> Result<Response, ApiError> {
    require_role(&staff)?;
    if !custos_domain::maintenance::is_fault_reference(reference.trim())
        && state.store.fault(&reference).await?.is_none()
    {
        return Err(WebError::Store(custos_store::StoreError::NotFound(format!(
            "there is no fault {reference}"
        )))
        .into());
    }
    let at = req
        .at
        .as_deref()
        .map(|t| instant(t, "at").map(|t| t.0))
        .transpose()?;
    let now = state.store.clock().now().0;
    let step = match req.step.trim() {
        "call" => Step::Call(CallDraft {
            contractor: req.contractor.unwrap_or_default(),
            job_reference: req.job_reference.unwrap_or_default(),
            called_at_unix_ms: at.unwrap_or(now),
        }),
        "respond" => Step::Respond(at, req.note.unwrap_or_default()),
        "fix" => Step::Fix(
            at,
            req.work_done.unwrap_or_default(),
            req.by_contractor.unwrap_or(false),
        ),
        "correct" => Step::Correct(correction(req.field, req.value, req.reason)?),
        other => {
            return Err(WebError::BadRequest(format!(
                "{other:?} is not a step on a fault: use call, respond, fix or correct"
            ))
            .into());
        }
    };
    match take_step(&state, &staff, &reference, step).await? {
        Stepped::Fault(f) => {
            let m = state.store.maintenance_times().await?;
            Ok(Json(fault_view(&f, &m, state.store.clock().now().0)).into_response())
        }
        Stepped::Check(_) => {
            Err(WebError::BadRequest(format!("{reference} is not a fault")).into())
        }
    }
}
