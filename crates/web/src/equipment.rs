//! The list of installed equipment on the web (BDC-37, BDC-18): the Equipment page — every
//! camera of the register with the details entered for it, and every recorder, monitor,
//! link and other piece of equipment entered, with their serial numbers, locations and the
//! days they were installed and removed — the forms to enter equipment and a camera's
//! details, each entry's page with its removal and corrections, and the list as CSV and
//! PDF in the columns the code names.
//!
//! Invariants: handlers are thin; the rules are `domain::equipment`'s and who may write is
//! the pack's `[books.equipment]`, asked through `Staff::book_role` before anything is read
//! from the request and again by the store; those who read the logbooks may read the list;
//! pages show names and references, never internal ids.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use custos_base::UnixMs;
use custos_domain::equipment::{CorrectionDraft, Details, Field, Item, Kind};
use custos_domain::ledger::Book;
use serde::Deserialize;

use crate::AppState;
use crate::auth::Staff;
use crate::error::WebError;
use crate::pages::render;
use crate::staff::Banner;

/// Refuses unless the person keeps or countersigns the list, or reads the logbooks.
pub(crate) fn may_read(staff: &Staff) -> Result<(), WebError> {
    if staff.may_open_book(Book::Equipment) {
        Ok(())
    } else {
        Err(WebError::Forbidden(format!(
            "{}; those who read the logbooks may read it",
            staff
                .book_role(Book::Equipment, false)
                .err()
                .unwrap_or_default()
        )))
    }
}

/// Refuses unless the person keeps the list.
pub(crate) fn require_keeper(staff: &Staff) -> Result<(), WebError> {
    staff
        .book_role(Book::Equipment, false)
        .map(|_| ())
        .map_err(|why| WebError::Forbidden(crate::staff::capitalise(&why)))
}

/// A row of the page's table.
struct Row {
    reference: String,
    cells: Vec<String>,
    installed: bool,
}

#[derive(Template)]
#[template(path = "equipment.html")]
struct EquipmentPage {
    banner: Banner,
    columns: Vec<&'static str>,
    rows: Vec<Row>,
    keeps: bool,
    keep_why_not: String,
    /// (id, words) of the kinds entered by hand.
    kinds: Vec<(&'static str, &'static str)>,
    /// (id, name) of the register's cameras in service without standing details.
    cameras: Vec<(String, String)>,
    today: String,
}

/// `GET /equipment`: the list of installed equipment, and the forms for those who keep it.
pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, WebError> {
    may_read(&staff)?;
    let list = state.store.equipment_list().await?;
    let in_service: Vec<(String, String)> = state
        .store
        .cameras(false)
        .await?
        .into_iter()
        .map(|c| (c.id.to_string(), c.draft.name))
        .collect();
    let keeps = staff.book_role(Book::Equipment, false);
    let cameras = in_service
        .into_iter()
        .filter(|(id, _)| {
            list.iter().any(|r| {
                r.camera.as_deref() == Some(id.as_str()) && (r.reference.is_empty() || !r.installed)
            })
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &EquipmentPage {
            banner: Banner::load(&state, &staff).await?,
            columns: custos_domain::equipment::COLUMNS.to_vec(),
            rows: list
                .into_iter()
                .map(|r| Row {
                    reference: r.reference,
                    cells: r.cells,
                    installed: r.installed,
                })
                .collect(),
            keep_why_not: keeps
                .as_ref()
                .err()
                .map(|w| crate::staff::capitalise(w))
                .unwrap_or_default(),
            keeps: keeps.is_ok(),
            kinds: Kind::ALL
                .iter()
                .filter(|k| **k != Kind::Camera)
                .map(|k| (k.as_str(), k.describe()))
                .collect(),
            cameras,
            today: today(&state),
        },
    ))
}

/// Today in the UK, as a date field's value (`YYYY-MM-DD`).
fn today(state: &AppState) -> String {
    let now = UnixMs(state.store.clock().now().0).to_uk_local_input();
    now.get(..10).unwrap_or_default().to_owned()
}

/// A day typed in a form, or `None` when empty.
fn typed_day(text: &str, what: &str) -> Result<Option<jiff::civil::Date>, WebError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    custos_domain::equipment::parse_day(text, what)
        .map(Some)
        .map_err(WebError::BadRequest)
}

/// The entry form, as typed.
#[derive(Debug, Deserialize)]
pub(crate) struct EntryForm {
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    camera: String,
    #[serde(default)]
    make_model: String,
    #[serde(default)]
    serial_number: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    installed_on: String,
    #[serde(default)]
    notes: String,
}

/// `POST /equipment` (`csrf`, `kind`, `camera` for a camera's details, `make_model`,
/// `serial_number`, `location`, `installed_on` (YYYY-MM-DD), `notes`): enters equipment,
/// or a camera's details.
pub(crate) async fn enter(
    State(state): State<AppState>,
    staff: Staff,
    Form(f): Form<EntryForm>,
) -> Result<Response, WebError> {
    require_keeper(&staff)?;
    staff.check_csrf(&f.csrf)?;
    let kind: Kind = match f.kind.trim() {
        "" if !f.camera.trim().is_empty() => Kind::Camera,
        k => k.parse().map_err(WebError::BadRequest)?,
    };
    let item = state
        .store
        .enter_equipment(
            &staff.actor(),
            &staff.info.subject,
            &Details {
                kind,
                camera: Some(f.camera.trim().to_owned()).filter(|c| !c.is_empty()),
                make_model: f.make_model,
                serial_number: f.serial_number,
                location: f.location,
                installed_on: typed_day(&f.installed_on, "The day installed")?,
                removed_on: None,
                notes: f.notes,
            },
        )
        .await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/equipment/{}", item.reference),
        "equipment-entered",
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "equipment_item.html")]
struct ItemPage {
    banner: Banner,
    reference: String,
    title: String,
    /// (label, value) of each column after the reference.
    details: Vec<(&'static str, String)>,
    recorded_by: String,
    installed: bool,
    keeps: bool,
    corrections: Vec<String>,
    fields: Vec<(&'static str, &'static str)>,
    today: String,
}

/// Equipment entry `reference`, or 404.
async fn load(state: &AppState, reference: &str) -> Result<Item, WebError> {
    state.store.equipment_item(reference).await?.ok_or_else(|| {
        WebError::Store(custos_store::StoreError::NotFound(format!(
            "there is no equipment entry {reference}"
        )))
    })
}

/// `GET /equipment/{reference}`: the entry, with its removal and corrections, and the
/// forms for them.
pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    may_read(&staff)?;
    let item = load(&state, &reference).await?;
    let list = state.store.equipment_list().await?;
    let row = list
        .into_iter()
        .find(|r| r.reference == item.reference)
        .map(|r| r.cells)
        .unwrap_or_default();
    let installed = item.installed();
    Ok(render(
        StatusCode::OK,
        &ItemPage {
            banner: Banner::load(&state, &staff).await?,
            title: row.get(1).cloned().unwrap_or_default(),
            details: custos_domain::equipment::COLUMNS
                .iter()
                .copied()
                .zip(row)
                .skip(1)
                .filter(|(c, _)| *c != "Corrections")
                .collect(),
            recorded_by: format!(
                "{} on {}",
                item.recorded_by_name,
                UnixMs(item.recorded_at_unix_ms).to_london_display()
            ),
            installed,
            keeps: staff.book_role(Book::Equipment, false).is_ok(),
            corrections: item
                .corrections
                .iter()
                .map(custos_domain::equipment::Correction::describe)
                .collect(),
            fields: Field::ALL
                .iter()
                .filter(|f| **f != Field::RemovedOn || !installed)
                .map(|f| (f.as_str(), f.describe()))
                .collect(),
            today: today(&state),
            reference: item.reference,
        },
    ))
}

/// A step on an entry, as typed.
#[derive(Debug, Deserialize)]
pub(crate) struct StepForm {
    csrf: String,
    #[serde(default)]
    step: String,
    #[serde(default)]
    removed_on: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    reason: String,
}

/// `POST /equipment/{reference}/steps`: `step=remove` (`removed_on`, `reason`) records
/// its removal; `step=correct` (`field`, `value`, `reason`) corrects one detail; each a new
/// entry.
pub(crate) async fn step(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(f): Form<StepForm>,
) -> Result<Response, WebError> {
    require_keeper(&staff)?;
    staff.check_csrf(&f.csrf)?;
    let (actor, keeper) = (staff.actor(), &staff.info.subject);
    let item = match f.step.trim() {
        "remove" => {
            let on = typed_day(&f.removed_on, "The day removed")?
                .ok_or_else(|| WebError::BadRequest("give the day it was removed".to_owned()))?;
            state
                .store
                .record_equipment_removed(&actor, keeper, &reference, on, &f.reason)
                .await?
        }
        "correct" => {
            let field: Field = f.field.trim().parse().map_err(WebError::BadRequest)?;
            state
                .store
                .correct_equipment(
                    &actor,
                    keeper,
                    &reference,
                    &CorrectionDraft {
                        field,
                        value: f.value,
                        reason: f.reason,
                    },
                )
                .await?
        }
        other => {
            return Err(WebError::BadRequest(format!(
                "{other:?} is not a step on an equipment entry: use remove or correct"
            )));
        }
    };
    Ok(Redirect::to(&crate::done::to(
        &format!("/equipment/{}", item.reference),
        "equipment-step",
    ))
    .into_response())
}

/// `GET /equipment.csv`: the list as CSV, in the columns the code names.
pub(crate) async fn csv(State(state): State<AppState>, staff: Staff) -> Result<Response, WebError> {
    may_read(&staff)?;
    let rows = state.store.equipment_list().await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"custos-equipment.csv\"".to_owned(),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        custos_domain::equipment::csv(&rows),
    )
        .into_response())
}

/// `GET /equipment.pdf`: the list as a PDF, each item with every column.
pub(crate) async fn pdf(State(state): State<AppState>, staff: Staff) -> Result<Response, WebError> {
    may_read(&staff)?;
    let rows = state.store.equipment_list().await?;
    let created = state
        .store
        .clock()
        .now()
        .to_timestamp()
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"custos-equipment.pdf\"".to_owned(),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        custos_domain::equipment::pdf(&staff.scheme, &rows, created),
    )
        .into_response())
}
