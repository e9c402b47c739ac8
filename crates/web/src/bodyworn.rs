//! Body-worn cameras on the web (LBU-24): the Body-worn cameras page — the register of
//! devices and where each is now (in store, out to an officer, out past the end of the
//! shift in red, retired), the devices out, the last 30 days of the issue and returns log,
//! and the forms that register a device, issue one with the officer's acknowledgement,
//! record a return and retire a device — and the log as CSV and PDF.
//!
//! Invariants:
//! - Only a person whose role keeps the log under the pack's `[books.bwv]` changes
//!   anything; its countersigners and the logbooks' readers read it. The store decides
//!   again.
//! - Handlers parse, call one store method through [`register`], [`issue`], [`give_back`]
//!   or [`retire`] (shared with the API, `api::bodyworn`), and redirect.
//! - An issue is never recorded unless the officer ticked the acknowledgement and typed
//!   their name (the store refuses it otherwise).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use custos_base::UnixMs;
use custos_domain::Ident;
use custos_domain::bodyworn::{
    ACKNOWLEDGEMENT, Assignment, Device, DeviceDraft, Issue, IssueDraft,
};
use custos_domain::ledger::Book;
use serde::Deserialize;

use crate::AppState;
use crate::auth::Staff;
use crate::cases::time_field;
use crate::error::WebError;
use crate::forms::ListForm;
use crate::pages::render;
use crate::staff::Banner;

/// How far back the page lists issues.
const RECENT_MS: i64 = 30 * 86_400_000;

/// Refuses, with the reason, unless `staff` may read the body-worn cameras' log.
pub(crate) fn require_read(staff: &Staff) -> Result<(), WebError> {
    if staff.may_open_book(Book::Bwv) {
        return Ok(());
    }
    let why = staff.book_role(Book::Bwv, false).err().unwrap_or_default();
    Err(WebError::Forbidden(format!(
        "You may not read the body-worn cameras' log: {why}, and your roles do not read the logbooks."
    )))
}

/// Refuses, with the reason, unless `staff` keeps the body-worn cameras' log.
pub(crate) fn require_keep(staff: &Staff) -> Result<(), WebError> {
    staff
        .book_role(Book::Bwv, false)
        .map(|_| ())
        .map_err(|why| WebError::Forbidden(format!("{why}.")))
}

fn device_id(text: &str) -> Result<Ident, WebError> {
    Ident::parse(text.trim()).map_err(|e| WebError::BadRequest(format!("the device: {e}")))
}

/// Registers a device as `staff`: the one way the page and the API do.
pub(crate) async fn register(
    state: &AppState,
    staff: &Staff,
    id: &str,
    serial: String,
    model: String,
    owner: String,
) -> Result<Device, WebError> {
    require_keep(staff)?;
    let draft = DeviceDraft {
        id: device_id(id)?,
        serial,
        model,
        owner,
    };
    Ok(state
        .store
        .register_bwv_device(&staff.actor(), &staff.info.subject, &draft)
        .await?)
}

/// Retires device `id` as `staff`: the one way the page and the API do.
pub(crate) async fn retire(state: &AppState, staff: &Staff, id: &str) -> Result<Device, WebError> {
    require_keep(staff)?;
    Ok(state
        .store
        .retire_bwv_device(&staff.actor(), &staff.info.subject, &device_id(id)?)
        .await?)
}

/// An issue as given by the form or the API.
#[derive(Debug, Clone, Default)]
pub(crate) struct Given {
    pub(crate) device: String,
    pub(crate) officer: String,
    /// `daily` or `permanent`.
    pub(crate) assignment: String,
    pub(crate) at_unix_ms: Option<i64>,
    pub(crate) acknowledged: bool,
    pub(crate) typed_name: String,
}

/// Issues a device as `staff`: the one way the page and the API do.
pub(crate) async fn issue(state: &AppState, staff: &Staff, g: Given) -> Result<Issue, WebError> {
    require_keep(staff)?;
    let assignment: Assignment = g.assignment.trim().parse().map_err(|_| {
        WebError::BadRequest(
            "say whether the device is issued for the day (`daily`) or permanently (`permanent`)"
                .into(),
        )
    })?;
    let draft = IssueDraft {
        device: device_id(&g.device)?,
        officer: g.officer,
        assignment,
        issued_at_unix_ms: g.at_unix_ms.unwrap_or(state.store.clock().now().0),
        acknowledged: g.acknowledged,
        typed_name: g.typed_name,
    };
    Ok(state
        .store
        .issue_bwv(&staff.actor(), &staff.info.subject, &draft)
        .await?)
}

/// Records issue `reference`'s device returned at `at` (now when `None`) as `staff`: the
/// one way the page and the API do.
pub(crate) async fn give_back(
    state: &AppState,
    staff: &Staff,
    reference: &str,
    at: Option<i64>,
) -> Result<Issue, WebError> {
    require_keep(staff)?;
    Ok(state
        .store
        .return_bwv(&staff.actor(), &staff.info.subject, reference, at)
        .await?)
}

/// Where a device is now, in words, and whether that is overdue (red).
pub(crate) fn whereabouts(d: &Device, open: Option<&Issue>, now: i64) -> (String, bool) {
    if d.retired_at_unix_ms.is_some() {
        return ("Retired".to_owned(), false);
    }
    match open {
        None => ("In store".to_owned(), false),
        Some(i) => {
            let since = UnixMs(i.draft.issued_at_unix_ms).to_london_display();
            if i.overdue(now) {
                (
                    format!(
                        "Out to {} since {since}, past the end of the shift",
                        i.draft.officer
                    ),
                    true,
                )
            } else {
                (format!("Out to {} since {since}", i.draft.officer), false)
            }
        }
    }
}

struct DeviceRow {
    id: String,
    serial: String,
    model: String,
    owner: String,
    now: String,
    red: bool,
}

struct OutRow {
    reference: String,
    device: String,
    officer: String,
    assignment: &'static str,
    issued: String,
    due: String,
    red: bool,
}

#[derive(Template)]
#[template(path = "bodyworn.html")]
struct BodywornPage {
    banner: Banner,
    devices: Vec<DeviceRow>,
    out: Vec<OutRow>,
    recent: Vec<Vec<String>>,
    columns: &'static [&'static str],
    keeps: bool,
    in_store: Vec<String>,
    acknowledgement: &'static str,
    now_input: String,
}

/// `GET /bodyworn`: the register, the devices out, the recent log and the forms.
pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, WebError> {
    require_read(&staff)?;
    let now = state.store.clock().now().0;
    let registered = state.store.bwv_devices().await?;
    let out_now = state.store.bwv_out().await?;
    let open_of = |d: &Device| out_now.iter().find(|i| i.draft.device == d.draft.id);
    let devices = registered
        .iter()
        .map(|d| {
            let (words, red) = whereabouts(d, open_of(d), now);
            DeviceRow {
                id: d.draft.id.to_string(),
                serial: d.draft.serial.clone(),
                model: d.draft.model.clone(),
                owner: d.draft.owner.clone(),
                now: words,
                red,
            }
        })
        .collect();
    let in_store = registered
        .iter()
        .filter(|d| d.retired_at_unix_ms.is_none() && open_of(d).is_none())
        .map(|d| d.draft.id.to_string())
        .collect::<Vec<_>>();
    let when = |ms: i64| UnixMs(ms).to_london_display();
    let out = out_now
        .iter()
        .map(|i| OutRow {
            reference: i.reference.clone(),
            device: i.draft.device.to_string(),
            officer: i.draft.officer.clone(),
            assignment: i.draft.assignment.words(),
            issued: when(i.draft.issued_at_unix_ms),
            due: i
                .due_back()
                .map_or_else(|| "Not due: assigned permanently".to_owned(), when),
            red: i.overdue(now),
        })
        .collect();
    let recent = state
        .store
        .bwv_issues()
        .await?
        .iter()
        .filter(|i| i.draft.issued_at_unix_ms >= now - RECENT_MS || i.out())
        .map(|i| i.row(now))
        .collect();
    Ok(render(
        StatusCode::OK,
        &BodywornPage {
            banner: Banner::load(&state, &staff).await?,
            devices,
            out,
            recent,
            columns: &custos_domain::bodyworn::COLUMNS,
            keeps: require_keep(&staff).is_ok(),
            in_store,
            acknowledgement: ACKNOWLEDGEMENT,
            now_input: UnixMs(now).to_uk_local_input(),
        },
    ))
}

/// The register form, as posted.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DeviceForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    serial: String,
    #[serde(default)]
    model: String,
    #[serde(default)]
    owner: String,
}

/// `POST /bodyworn/devices`: registers a device.
pub(crate) async fn add_device(
    State(state): State<AppState>,
    staff: Staff,
    ListForm(f): ListForm<DeviceForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    register(&state, &staff, &f.id, f.serial, f.model, f.owner).await?;
    Ok(Redirect::to(&crate::done::to("/bodyworn", "bwv-device-registered")).into_response())
}

/// A form that only carries its token.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct TokenForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /bodyworn/devices/{id}/retire`: retires a device from use.
pub(crate) async fn retire_device(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    ListForm(f): ListForm<TokenForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    retire(&state, &staff, &id).await?;
    Ok(Redirect::to(&crate::done::to("/bodyworn", "bwv-device-retired")).into_response())
}

/// The issue form, as posted.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct IssueForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    device: String,
    #[serde(default)]
    officer: String,
    #[serde(default)]
    assignment: String,
    #[serde(default)]
    at: String,
    /// The checkbox: present (`yes`) only when ticked.
    #[serde(default)]
    acknowledged: String,
    #[serde(default)]
    typed_name: String,
}

/// `POST /bodyworn/issues`: issues a device to an officer.
pub(crate) async fn add_issue(
    State(state): State<AppState>,
    staff: Staff,
    ListForm(f): ListForm<IssueForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let g = Given {
        device: f.device,
        officer: f.officer,
        assignment: f.assignment,
        at_unix_ms: time_field(&f.at, "When it was issued")?,
        acknowledged: !f.acknowledged.trim().is_empty(),
        typed_name: f.typed_name,
    };
    issue(&state, &staff, g).await?;
    Ok(Redirect::to(&crate::done::to("/bodyworn", "bwv-issued")).into_response())
}

/// The return form, as posted.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReturnForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    at: String,
}

/// `POST /bodyworn/issues/{reference}/return`: records a device back.
pub(crate) async fn add_return(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    ListForm(f): ListForm<ReturnForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let at = time_field(&f.at, "When it came back")?;
    give_back(&state, &staff, &reference, at).await?;
    Ok(Redirect::to(&crate::done::to("/bodyworn", "bwv-returned")).into_response())
}

fn download(kind: &str, file: &str, body: impl IntoResponse) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// `GET /bodyworn.csv`: the issue and returns log as CSV in the code's columns.
pub(crate) async fn csv(State(state): State<AppState>, staff: Staff) -> Result<Response, WebError> {
    require_read(&staff)?;
    let all = state.store.bwv_issues().await?;
    let now = state.store.clock().now().0;
    Ok(download(
        "text/csv; charset=utf-8",
        "custos-bodyworn.csv",
        custos_domain::bodyworn::csv(&all, now),
    ))
}

/// `GET /bodyworn.pdf`: the register and the issue and returns log as a PDF.
pub(crate) async fn pdf(State(state): State<AppState>, staff: Staff) -> Result<Response, WebError> {
    require_read(&staff)?;
    let devices = state.store.bwv_devices().await?;
    let all = state.store.bwv_issues().await?;
    let now = state.store.clock().now();
    Ok(download(
        "application/pdf",
        "custos-bodyworn.pdf",
        custos_domain::bodyworn::pdf(
            &staff.scheme,
            &devices,
            &all,
            now.0,
            now.to_timestamp().unwrap_or(jiff::Timestamp::UNIX_EPOCH),
        ),
    ))
}
