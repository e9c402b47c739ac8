//! The list of installed equipment under `/api/v1/equipment` (BDC-37, BDC-18): the list
//! (the register's cameras with their details, and every entry), one entry, entering
//! equipment or a camera's details, and the steps on an entry — its removal and a
//! correction.
//!
//! Invariants: who may write is the pack's `[books.equipment]`, asked before the body is
//! read (as on the pages, `crate::equipment`) and again by the store; every change is the
//! store's, ledgered in its transaction; days are `YYYY-MM-DD` (UK days).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use custos_base::UnixMs;
use custos_domain::equipment::{CorrectionDraft, Details, Field, Item, Kind, ListRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiError, Body, Caller, ErrorBody, Segment};
use crate::AppState;
use crate::equipment::{may_read, require_keeper};
use crate::error::WebError;

/// A row of the list of installed equipment, in the columns the code names.
#[derive(Debug, Serialize, ToSchema)]
pub struct EquipmentRowView {
    /// The entry's reference (`EQ-2026-0001`); null for a camera of the register whose
    /// details are not entered.
    pub reference: Option<String>,
    /// `camera`, `recorder`, `monitor`, `link` or `other`.
    pub kind: String,
    /// For a camera, its id in the register.
    pub camera: Option<String>,
    /// What it is ("Camera: Front gate", "Recorder").
    pub equipment: String,
    /// Make and model.
    pub make_model: String,
    /// Serial number.
    pub serial_number: String,
    /// Where it is.
    pub location: String,
    /// The day it was installed, as the list shows it.
    pub installed: String,
    /// The day it was removed, as the list shows it; empty while installed.
    pub removed: String,
    /// Notes.
    pub notes: String,
    /// Still installed.
    pub in_place: bool,
}

fn row_view(r: ListRow) -> EquipmentRowView {
    let cell = |i: usize| r.cells.get(i).cloned().unwrap_or_default();
    EquipmentRowView {
        reference: Some(r.reference.clone()).filter(|s| !s.is_empty()),
        kind: r.kind.as_str().to_owned(),
        camera: r.camera.clone(),
        equipment: cell(1),
        make_model: cell(2),
        serial_number: cell(3),
        location: cell(4),
        installed: cell(5),
        removed: cell(6),
        notes: cell(7),
        in_place: r.installed,
    }
}

/// A correction: a new entry naming the detail, its value before and after, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct EquipmentCorrectionView {
    /// `make-model`, `serial-number`, `location`, `installed-on`, `removed-on` or `notes`.
    pub field: String,
    /// Its value before.
    pub before: String,
    /// Its value after.
    pub after: String,
    /// Why.
    pub reason: String,
    /// Who, by name.
    pub by: String,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub at: String,
}

/// An equipment entry as it stands (its removal and corrections applied).
#[derive(Debug, Serialize, ToSchema)]
pub struct EquipmentView {
    /// `EQ-2026-0001`.
    pub reference: String,
    /// `camera`, `recorder`, `monitor`, `link` or `other`.
    pub kind: String,
    /// For a camera's details, the camera's id in the register.
    pub camera: Option<String>,
    /// Make and model.
    pub make_model: String,
    /// Serial number.
    pub serial_number: String,
    /// Where it is (for a camera, empty: the register's place).
    pub location: String,
    /// The UK day it was installed.
    #[schema(format = Date)]
    pub installed_on: String,
    /// The UK day it was removed; null while installed.
    #[schema(format = Date)]
    pub removed_on: Option<String>,
    /// Why it was removed.
    pub removal_reason: Option<String>,
    /// Notes.
    pub notes: String,
    /// Who entered it, by name.
    pub entered_by: String,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub entered_at: String,
    /// The corrections, oldest first.
    pub corrections: Vec<EquipmentCorrectionView>,
}

fn view(i: &Item) -> EquipmentView {
    let d = i.current();
    EquipmentView {
        reference: i.reference.clone(),
        kind: d.kind.as_str().to_owned(),
        camera: d.camera.clone(),
        make_model: d.make_model.clone(),
        serial_number: d.serial_number.clone(),
        location: d.location.clone(),
        installed_on: d.installed_on.map(|d| d.to_string()).unwrap_or_default(),
        removed_on: d.removed_on.map(|d| d.to_string()),
        removal_reason: i.removal.as_ref().map(|r| r.reason.clone()),
        notes: d.notes.clone(),
        entered_by: i.recorded_by_name.clone(),
        entered_at: UnixMs(i.recorded_at_unix_ms).to_rfc3339(),
        corrections: i
            .corrections
            .iter()
            .map(|c| EquipmentCorrectionView {
                field: c.field.as_str().to_owned(),
                before: c.before.clone(),
                after: c.after.clone(),
                reason: c.reason.clone(),
                by: c.by.clone(),
                at: UnixMs(c.at_unix_ms).to_rfc3339(),
            })
            .collect(),
    }
}

/// The list of installed equipment (BDC-37): every camera of the register with the
/// details entered for it, then every recorder, monitor, link and other piece of equipment.
/// Those who keep the list, and those who read the logbooks.
#[utoipa::path(
    get,
    path = "/api/v1/equipment",
    operation_id = "list_equipment",
    tag = "equipment",
    responses(
        (status = 200, description = "The list", body = [EquipmentRowView]),
        (status = 403, description = "Neither keeps nor reads the list, and why", body = ErrorBody),
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    Caller(staff): Caller,
) -> Result<Json<Vec<EquipmentRowView>>, ApiError> {
    may_read(&staff)?;
    Ok(Json(
        state
            .store
            .equipment_list()
            .await?
            .into_iter()
            .map(row_view)
            .collect(),
    ))
}

/// An equipment entry.
#[utoipa::path(
    get,
    path = "/api/v1/equipment/{reference}",
    operation_id = "show_equipment",
    tag = "equipment",
    params(("reference" = String, Path, description = "The entry's reference, e.g. EQ-2026-0001")),
    responses(
        (status = 200, description = "The entry as it stands", body = EquipmentView),
        (status = 403, description = "Neither keeps nor reads the list, and why", body = ErrorBody),
        (status = 404, description = "No such entry", body = ErrorBody),
    )
)]
pub(crate) async fn show(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(reference): Segment<String>,
) -> Result<Json<EquipmentView>, ApiError> {
    may_read(&staff)?;
    let i = state
        .store
        .equipment_item(&reference)
        .await?
        .ok_or_else(|| {
            WebError::Store(custos_store::StoreError::NotFound(format!(
                "there is no equipment entry {reference}"
            )))
        })?;
    Ok(Json(view(&i)))
}

/// Equipment to enter, or a camera's details.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EquipmentRequest {
    /// `recorder`, `monitor`, `link`, `other`, or `camera` for a camera's details.
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "recorder")]
    pub kind: String,
    /// For `camera`: the camera's id in the register.
    pub camera: Option<String>,
    /// Make and model.
    #[serde(default)]
    #[schema(required = true, min_length = 2, example = "Dell PowerEdge R350")]
    pub make_model: String,
    /// Serial number, or "none".
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "7XQ2K93")]
    pub serial_number: String,
    /// Where it is installed (optional for a camera: the register's place).
    #[serde(default)]
    pub location: String,
    /// The UK day it was installed.
    #[serde(default)]
    #[schema(required = true, format = Date, example = "2026-03-01")]
    pub installed_on: String,
    /// Notes.
    #[serde(default)]
    pub notes: String,
}

fn day(text: &str, what: &str) -> Result<Option<jiff::civil::Date>, WebError> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        custos_domain::equipment::parse_day(text, what)
            .map(Some)
            .map_err(WebError::BadRequest)
    }
}

/// Enters equipment, or a camera's details, in the list (ledgered `equipment-entered`):
/// refused unless every detail is there. Only those whose role keeps the list.
#[utoipa::path(
    post,
    path = "/api/v1/equipment",
    operation_id = "enter_equipment",
    tag = "equipment",
    request_body = EquipmentRequest,
    responses(
        (status = 201, description = "The entry is made", body = EquipmentView),
        (status = 400, description = "Something is missing or wrong (every problem at once)", body = ErrorBody),
        (status = 403, description = "The caller's role does not keep the list, and why", body = ErrorBody),
    )
)]
pub(crate) async fn enter(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Body(req): Body<EquipmentRequest>,
) -> Result<Response, ApiError> {
    require_keeper(&staff)?;
    let kind: Kind = req.kind.trim().parse().map_err(WebError::BadRequest)?;
    let i = state
        .store
        .enter_equipment(
            &staff.actor(),
            &staff.info.subject,
            &Details {
                kind,
                camera: req.camera.filter(|c| !c.trim().is_empty()),
                make_model: req.make_model,
                serial_number: req.serial_number,
                location: req.location,
                installed_on: day(&req.installed_on, "`installed_on`")?,
                removed_on: None,
                notes: req.notes,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(view(&i))).into_response())
}

/// A step on an entry.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EquipmentStepRequest {
    /// `remove` (its removal, with `removed_on` and `reason`) or `correct` (one detail,
    /// with `field`, `value` and `reason`).
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "remove")]
    pub step: String,
    /// `remove`: the UK day it was removed.
    #[schema(format = Date)]
    pub removed_on: Option<String>,
    /// `correct`: the detail — `make-model`, `serial-number`, `location`, `installed-on`,
    /// `removed-on` or `notes`.
    pub field: Option<String>,
    /// `correct`: its correct value (a day as `YYYY-MM-DD`).
    pub value: Option<String>,
    /// Why.
    pub reason: Option<String>,
}

/// Takes a step on an entry: its removal (`equipment-removed`) or a correction
/// (`equipment-corrected`), each a new entry; the entry as made is kept. Keepers only.
#[utoipa::path(
    post,
    path = "/api/v1/equipment/{reference}/steps",
    operation_id = "step_equipment",
    tag = "equipment",
    params(("reference" = String, Path, description = "The entry's reference, e.g. EQ-2026-0001")),
    request_body = EquipmentStepRequest,
    responses(
        (status = 200, description = "The step is recorded; the entry as it now is", body = EquipmentView),
        (status = 400, description = "An unknown step, or one the entry does not allow (a removal before the installation, a correction without a reason), and what", body = ErrorBody),
        (status = 403, description = "The caller's role does not keep the list, and why", body = ErrorBody),
        (status = 404, description = "No such entry", body = ErrorBody),
    )
)]
pub(crate) async fn step(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(reference): Segment<String>,
    Body(req): Body<EquipmentStepRequest>,
) -> Result<Response, ApiError> {
    require_keeper(&staff)?;
    let (actor, keeper) = (staff.actor(), &staff.info.subject);
    let reason = req.reason.unwrap_or_default();
    let i = match req.step.trim() {
        "remove" => {
            let on = day(
                req.removed_on.as_deref().unwrap_or_default(),
                "`removed_on`",
            )?
            .ok_or_else(|| {
                WebError::BadRequest("give `removed_on`, the day it was removed".to_owned())
            })?;
            state
                .store
                .record_equipment_removed(&actor, keeper, &reference, on, &reason)
                .await?
        }
        "correct" => {
            let field: Field = req
                .field
                .as_deref()
                .unwrap_or_default()
                .trim()
                .parse()
                .map_err(WebError::BadRequest)?;
            state
                .store
                .correct_equipment(
                    &actor,
                    keeper,
                    &reference,
                    &CorrectionDraft {
                        field,
                        value: req.value.unwrap_or_default(),
                        reason,
                    },
                )
                .await?
        }
        other => {
            return Err(WebError::BadRequest(format!(
                "{other:?} is not a step on an equipment entry: use remove or correct"
            ))
            .into());
        }
    };
    Ok(Json(view(&i)).into_response())
}
