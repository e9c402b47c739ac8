//! The control-room visitors' log on the web (LBU-12, BDC-23, BDC-7, BDC-18): the Visitors
//! page — who is in the room now, the visits awaiting a countersignature past the end of
//! the shift, recent visits, and the arrival form with the pack's undertaking, which the
//! visitor accepts on screen (ticking it and typing their name) or signs on paper (its
//! scan uploaded) — each visit's page with its time out, countersignature and corrections,
//! and the log as CSV and PDF in the columns the codes name.
//!
//! Invariants: handlers are thin; the rules are `domain::visitors`' and who may do what is
//! the pack's `[books.visitors]`, asked through `Staff::book_role` before anything is read
//! from the request and again by the store for every change; those who read the logbooks
//! may read the log; pages show people's names and references, never internal ids.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use custos_base::UnixMs;
use custos_domain::ledger::Book;
use custos_domain::visitors::{
    AcceptedHow, Authoriser, CorrectionDraft, Details, Field, UndertakingDraft, Visit, VisitDraft,
};
use custos_store::visitors::Scan;
use serde::Deserialize;

use crate::AppState;
use crate::auth::Staff;
use crate::error::WebError;
use crate::pages::render;
use crate::staff::Banner;

const DAY_MS: i64 = 86_400_000;
/// The visits listed as recent on the page.
const RECENT_DAYS: i64 = 30;

/// Refuses unless the person keeps or countersigns the visitors' log, or reads the
/// logbooks.
pub(crate) fn may_read(staff: &Staff) -> Result<(), WebError> {
    if staff.may_open_book(Book::Visitors) {
        Ok(())
    } else {
        Err(WebError::Forbidden(format!(
            "{}; those who read the logbooks may read it",
            staff
                .book_role(Book::Visitors, false)
                .err()
                .unwrap_or_default()
        )))
    }
}

/// Refuses unless the person keeps the visitors' log (with `countersign`, countersigns it).
pub(crate) fn require_role(staff: &Staff, countersign: bool) -> Result<(), WebError> {
    staff
        .book_role(Book::Visitors, countersign)
        .map(|_| ())
        .map_err(|why| WebError::Forbidden(crate::staff::capitalise(&why)))
}

/// A visit as a row of the page's tables.
pub(crate) struct Row {
    pub(crate) reference: String,
    pub(crate) cells: Vec<String>,
    /// Awaiting a countersignature past the end of the shift.
    pub(crate) overdue: bool,
}

fn row(v: &Visit, now: i64) -> Row {
    Row {
        reference: v.reference.clone(),
        cells: v.row(),
        overdue: v.overdue(now),
    }
}

#[derive(Template)]
#[template(path = "visitors.html")]
struct VisitorsPage {
    banner: Banner,
    columns: Vec<&'static str>,
    in_room: Vec<Row>,
    awaiting: Vec<Row>,
    recent: Vec<Row>,
    /// The person keeps the log here, so the arrival form shows.
    keeps: bool,
    /// Why not, when they do not.
    keep_why_not: String,
    undertaking: String,
    now_input: String,
    recent_days: i64,
    within_hours: i64,
}

/// `GET /visitors`: who is in the control room now, the visits awaiting a countersignature
/// past the end of the shift, recent visits, and the arrival form for those who keep it.
pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, WebError> {
    may_read(&staff)?;
    let now = state.store.clock().now().0;
    let recent = state
        .store
        .visits(Some(now - RECENT_DAYS * DAY_MS), None)
        .await?;
    let awaiting = state.store.visits_awaiting_countersignature(now).await?;
    let keeps = staff.book_role(Book::Visitors, false);
    Ok(render(
        StatusCode::OK,
        &VisitorsPage {
            banner: Banner::load(&state, &staff).await?,
            columns: custos_domain::visitors::COLUMNS.to_vec(),
            in_room: recent
                .iter()
                .filter(|v| v.in_room())
                .map(|v| row(v, now))
                .collect(),
            awaiting: awaiting.iter().map(|v| row(v, now)).collect(),
            recent: recent.iter().rev().map(|v| row(v, now)).collect(),
            keep_why_not: keeps
                .as_ref()
                .err()
                .map(|w| crate::staff::capitalise(w))
                .unwrap_or_default(),
            keeps: keeps.is_ok(),
            undertaking: staff.books.visitor_undertaking.clone(),
            now_input: UnixMs(now).to_uk_local_input(),
            recent_days: RECENT_DAYS,
            within_hours: custos_domain::visitors::COUNTERSIGN_WITHIN_HOURS,
        },
    ))
}

/// A UK local time typed in a form, or `None` when empty.
fn typed_time(text: &str, what: &str) -> Result<Option<i64>, WebError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    UnixMs::parse_uk_local(t)
        .map(|t| Some(t.0))
        .map_err(|e| WebError::BadRequest(format!("{what}: {e}")))
}

/// `POST /visitors` (multipart: `csrf`, `name`, `organisation`, `purpose`,
/// `authorised_by`, `authoriser_role`, `time_in` (empty: now), `how` (`on-screen` or
/// `on-paper`), `accept` and `typed_name` on screen, `scan` on paper): records a visitor
/// coming in, refused unless the undertaking is accepted.
pub(crate) async fn arrive(
    State(state): State<AppState>,
    staff: Staff,
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    require_role(&staff, false)?;
    let mut form = form.map_err(|e| {
        WebError::BadRequest(format!(
            "send the arrival form as the page does (multipart/form-data): {e}"
        ))
    })?;
    let bad = |e: axum::extract::multipart::MultipartError| {
        WebError::BadRequest(format!("the form could not be read: {e}"))
    };
    let mut fields = std::collections::HashMap::new();
    let mut scan = None;
    while let Some(field) = form.next_field().await.map_err(bad)? {
        let Some(name) = field.name().map(str::to_owned) else {
            continue;
        };
        if name == "scan" {
            let file = field.file_name().unwrap_or("undertaking").to_owned();
            let media = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_owned();
            let bytes = field.bytes().await.map_err(bad)?;
            if !bytes.is_empty() {
                scan = Some(Scan {
                    name: file,
                    media_type: media,
                    contents: bytes.to_vec(),
                });
            }
        } else {
            fields.insert(name, field.text().await.map_err(bad)?);
        }
    }
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    staff.check_csrf(&get("csrf"))?;
    let now = state.store.clock().now().0;
    let entered = typed_time(&get("time_in"), "Time in")?.unwrap_or(now);
    let how: AcceptedHow = match get("how").trim() {
        "" => AcceptedHow::OnScreen,
        h => h.parse().map_err(WebError::BadRequest)?,
    };
    let undertaking = match how {
        AcceptedHow::OnScreen => UndertakingDraft::OnScreen {
            ticked: get("accept") == "yes",
            typed_name: get("typed_name"),
        },
        AcceptedHow::OnPaper => UndertakingDraft::OnPaper {
            scan_attached: scan.is_some(),
        },
    };
    let draft = VisitDraft {
        details: Details {
            name: get("name"),
            organisation: get("organisation"),
            purpose: get("purpose"),
            authorised_by: Authoriser {
                name: get("authorised_by"),
                role: get("authoriser_role"),
            },
            entered_at_unix_ms: entered,
            left_at_unix_ms: None,
        },
        undertaking,
    };
    let v = state
        .store
        .record_visit_arrival(
            &staff.actor(),
            &staff.info.subject,
            state.documents.as_deref(),
            &draft,
            scan.as_ref(),
        )
        .await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/visitors/{}", v.reference),
        "visitor-arrived",
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "visit.html")]
struct VisitPage {
    banner: Banner,
    reference: String,
    /// (label, value) of each column after the reference.
    details: Vec<(&'static str, String)>,
    recorded_by: String,
    typed_name: String,
    scan: bool,
    in_room: bool,
    overdue: bool,
    countersigned: bool,
    due: String,
    keeps: bool,
    may_countersign: bool,
    /// Why the person cannot countersign, when they countersign the log but not this visit.
    countersign_why_not: String,
    corrections: Vec<String>,
    fields: Vec<(&'static str, &'static str)>,
    now_input: String,
}

/// Visit `reference`, or 404.
async fn load(state: &AppState, reference: &str) -> Result<Visit, WebError> {
    state.store.visit(reference).await?.ok_or_else(|| {
        WebError::Store(custos_store::StoreError::NotFound(format!(
            "there is no visit {reference}"
        )))
    })
}

/// `GET /visitors/{reference}`: the visit, with its time out, countersignature and
/// corrections, and the forms for them.
pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    may_read(&staff)?;
    let v = load(&state, &reference).await?;
    let now = state.store.clock().now().0;
    let countersigner = staff.book_role(Book::Visitors, true).is_ok();
    let own = v.recorded_by == staff.info.subject.username;
    let cells = v.row();
    Ok(render(
        StatusCode::OK,
        &VisitPage {
            banner: Banner::load(&state, &staff).await?,
            details: custos_domain::visitors::COLUMNS
                .iter()
                .copied()
                .zip(cells)
                .skip(1)
                .filter(|(c, _)| *c != "Corrections")
                .collect(),
            recorded_by: format!(
                "{} on {}",
                v.recorded_by_name,
                UnixMs(v.acceptance.at_unix_ms).to_london_display()
            ),
            typed_name: v.acceptance.typed_name.clone().unwrap_or_default(),
            scan: v.acceptance.how == AcceptedHow::OnPaper,
            in_room: v.in_room(),
            overdue: v.overdue(now),
            countersigned: v.countersigned.is_some(),
            due: UnixMs(v.countersign_due()).to_london_display(),
            keeps: staff.book_role(Book::Visitors, false).is_ok(),
            may_countersign: countersigner && !own && v.countersigned.is_none(),
            countersign_why_not: if countersigner && own && v.countersigned.is_none() {
                "You recorded this visit, so someone else who countersigns the visitors' log checks and countersigns it.".to_owned()
            } else {
                String::new()
            },
            corrections: v
                .corrections
                .iter()
                .map(custos_domain::visitors::Correction::describe)
                .collect(),
            fields: Field::ALL
                .iter()
                .filter(|f| **f != Field::TimeOut || !v.in_room())
                .map(|f| (f.as_str(), f.describe()))
                .collect(),
            now_input: UnixMs(now).to_uk_local_input(),
            reference: v.reference,
        },
    ))
}

/// The time out as typed.
#[derive(Debug, Deserialize)]
pub(crate) struct LeftForm {
    csrf: String,
    #[serde(default)]
    time_out: String,
}

/// `POST /visitors/{reference}/left`: records the visitor leaving (empty time: now).
pub(crate) async fn left(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(f): Form<LeftForm>,
) -> Result<Response, WebError> {
    require_role(&staff, false)?;
    staff.check_csrf(&f.csrf)?;
    let at = typed_time(&f.time_out, "Time out")?;
    let v = state
        .store
        .record_visitor_left(&staff.actor(), &staff.info.subject, &reference, at)
        .await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/visitors/{}", v.reference),
        "visitor-left",
    ))
    .into_response())
}

/// Only the CSRF token.
#[derive(Debug, Deserialize)]
pub(crate) struct CsrfForm {
    csrf: String,
}

/// `POST /visitors/{reference}/countersign`: countersigns the visit's authorisation
/// (BDC-18), by a countersigner of the log other than who recorded it.
pub(crate) async fn countersign(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    require_role(&staff, true)?;
    staff.check_csrf(&f.csrf)?;
    let v = state
        .store
        .countersign_visit(&staff.actor(), &staff.info.subject, &reference)
        .await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/visitors/{}", v.reference),
        "visit-countersigned",
    ))
    .into_response())
}

/// A correction as typed.
#[derive(Debug, Deserialize)]
pub(crate) struct CorrectForm {
    csrf: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    reason: String,
}

/// A correction's value as stored: a time typed in UK time becomes milliseconds.
pub(crate) fn correction_value(field: Field, value: &str) -> Result<String, WebError> {
    if field.is_time() {
        Ok(typed_time(value, field.describe())?
            .ok_or_else(|| {
                WebError::BadRequest(format!("give the {}", field.describe().to_lowercase()))
            })?
            .to_string())
    } else {
        Ok(value.trim().to_owned())
    }
}

/// `POST /visitors/{reference}/correct`: corrects one detail, with a reason, as a new entry.
pub(crate) async fn correct(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(f): Form<CorrectForm>,
) -> Result<Response, WebError> {
    require_role(&staff, false)?;
    staff.check_csrf(&f.csrf)?;
    let field: Field = f.field.trim().parse().map_err(WebError::BadRequest)?;
    let v = state
        .store
        .correct_visit(
            &staff.actor(),
            &staff.info.subject,
            &reference,
            &CorrectionDraft {
                field,
                value: correction_value(field, &f.value)?,
                reason: f.reason,
            },
        )
        .await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/visitors/{}", v.reference),
        "visit-corrected",
    ))
    .into_response())
}

/// `GET /visitors/{reference}/undertaking`: the scan of the undertaking signed on paper,
/// decrypted and checked, as a download.
pub(crate) async fn scan(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    may_read(&staff)?;
    let dir = crate::cases::documents_dir(&state)?;
    let (name, _, bytes) = state.store.visit_undertaking_scan(&dir, &reference).await?;
    Ok(crate::cases::document_download(&name, bytes))
}

/// The days an export covers: `from` and `to` as UK days (`to` included), either open.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Period {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

impl Period {
    fn bounds(&self) -> Result<(Option<i64>, Option<i64>), WebError> {
        let bound = |t: &str, end: bool| -> Result<Option<i64>, WebError> {
            if t.trim().is_empty() {
                Ok(None)
            } else {
                UnixMs::parse_bound(t, end)
                    .map(|t| Some(t.0))
                    .map_err(WebError::BadRequest)
            }
        };
        Ok((bound(&self.from, false)?, bound(&self.to, true)?))
    }
}

/// `GET /visitors.csv[?from=DAY&to=DAY]`: the log as CSV, in the columns the codes name.
pub(crate) async fn csv(
    State(state): State<AppState>,
    staff: Staff,
    Query(p): Query<Period>,
) -> Result<Response, WebError> {
    may_read(&staff)?;
    let (from, to) = p.bounds()?;
    let visits = state.store.visits(from, to).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"custos-visitors.csv\"".to_owned(),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        custos_domain::visitors::csv(&visits),
    )
        .into_response())
}

/// `GET /visitors.pdf[?from=DAY&to=DAY]`: the log as a PDF, each visit with every column.
pub(crate) async fn pdf(
    State(state): State<AppState>,
    staff: Staff,
    Query(p): Query<Period>,
) -> Result<Response, WebError> {
    may_read(&staff)?;
    let (from, to) = p.bounds()?;
    let visits = state.store.visits(from, to).await?;
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
                "attachment; filename=\"custos-visitors.pdf\"".to_owned(),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        custos_domain::visitors::pdf(
            &staff.scheme,
            &staff.books.visitor_undertaking,
            &visits,
            created,
        ),
    )
        .into_response())
}

/// The Start page's item for those who countersign the visitors' log: visits awaiting a
/// countersignature past the end of the shift (BDC-18).
pub(crate) async fn awaiting_countersignature(
    state: &AppState,
    staff: &Staff,
) -> Result<Vec<String>, WebError> {
    if staff.book_role(Book::Visitors, true).is_err() {
        return Ok(Vec::new());
    }
    let now = state.store.clock().now().0;
    Ok(state
        .store
        .visits_awaiting_countersignature(now)
        .await?
        .into_iter()
        .map(|v| v.reference)
        .collect())
}
