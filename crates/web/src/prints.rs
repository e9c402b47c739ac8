//! The video print register on the web (BDC-34, BDC-18): the Video prints page — the prints
//! kept until their destruction, the police officers' written authorities, every print, and
//! the form to record a written authority — each authority's page with its written
//! authority, its prints and the form to make a print from recorded footage, each print's
//! page with its still, its sidecar, to whom it was given and its destruction, and the
//! register as CSV and PDF in the columns the code names.
//!
//! Invariants: handlers are thin; the rules are `domain::prints`' and who may do what is
//! the pack's `[books.video-prints]`, asked through `Staff::book_role` before anything is
//! read from the request and again by the store for every change; those who read the
//! logbooks read the register, the written authorities and the sidecars, but only those
//! who keep or countersign it take a still (each time ledgered); pages show names and
//! references, never internal ids; when the server has no FFmpeg the pages say that making
//! prints needs it.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use custos_base::UnixMs;
use custos_domain::ledger::Book;
use custos_domain::prints::{
    Authority, AuthorityDraft, AuthorityField, CorrectionDraft, Given, Officer, Print, PrintField,
    Rank,
};
use custos_store::prints::AuthorityDocument;
use serde::Deserialize;

use crate::AppState;
use crate::auth::Staff;
use crate::error::WebError;
use crate::pages::render;
use crate::staff::Banner;

/// Refuses unless the person keeps or countersigns the register, or reads the logbooks.
pub(crate) fn may_read(staff: &Staff) -> Result<(), WebError> {
    if staff.may_open_book(Book::VideoPrints) {
        Ok(())
    } else {
        Err(WebError::Forbidden(format!(
            "{}; those who read the logbooks may read it",
            staff
                .book_role(Book::VideoPrints, false)
                .err()
                .unwrap_or_default()
        )))
    }
}

/// Refuses unless the person keeps the register (with `countersign`, countersigns it).
pub(crate) fn require_role(staff: &Staff, countersign: bool) -> Result<(), WebError> {
    staff
        .book_role(Book::VideoPrints, countersign)
        .map(|_| ())
        .map_err(|why| WebError::Forbidden(crate::staff::capitalise(&why)))
}

/// Refuses unless the person keeps or countersigns the register: who may take a still.
pub(crate) fn require_handler(staff: &Staff) -> Result<(), WebError> {
    if staff.book_role(Book::VideoPrints, false).is_ok()
        || staff.book_role(Book::VideoPrints, true).is_ok()
    {
        Ok(())
    } else {
        Err(WebError::Forbidden(
            "Only those who keep or countersign the video print register take a still; the register and its sidecars are open to those who read the logbooks".to_owned(),
        ))
    }
}

/// The folders a print needs.
fn folders(state: &AppState) -> Result<(std::path::PathBuf, std::path::PathBuf), WebError> {
    let documents = crate::cases::documents_dir(state)?;
    let footage = state.footage.clone().ok_or_else(|| {
        WebError::Forbidden(
            "this server keeps no footage folder, so no print can be made here; use the server that holds the data folder".to_owned(),
        )
    })?;
    Ok((footage, documents))
}

/// UK local time with seconds, for a date-and-time field with `step="1"`.
fn input_seconds(ms: i64) -> String {
    UnixMs(ms)
        .to_timestamp()
        .and_then(|t| {
            custos_domain::calendar::uk_time_zone()
                .ok()
                .map(|tz| t.to_zoned(tz).strftime("%Y-%m-%dT%H:%M:%S").to_string())
        })
        .unwrap_or_default()
}

/// A time typed in a form, or `None` when empty.
fn typed_time(text: &str, what: &str) -> Result<Option<i64>, WebError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    UnixMs::parse_uk_local(t)
        .map(|t| Some(t.0))
        .map_err(|e| WebError::BadRequest(format!("{what}: {e}")))
}

/// A print as a row of the page's tables.
struct PrintRow {
    reference: String,
    made: String,
    camera: String,
    moment: String,
    authority: String,
    status: String,
    destruction_authorised: bool,
}

fn print_row(p: &Print) -> PrintRow {
    PrintRow {
        reference: p.reference.clone(),
        made: UnixMs(p.made_at_unix_ms).to_london_display(),
        camera: p.source.camera_name.clone(),
        moment: custos_domain::prints::moment_words(p.source.frame_unix_ms),
        authority: p.authority.clone(),
        status: p.status(),
        destruction_authorised: p.destruction_authorised.is_some() && p.destroyed.is_none(),
    }
}

/// An authority as a row.
struct AuthorityRow {
    reference: String,
    officer: String,
    dated: String,
    prints: usize,
}

#[derive(Template)]
#[template(path = "prints.html")]
struct PrintsPage {
    banner: Banner,
    kept: Vec<PrintRow>,
    authorities: Vec<AuthorityRow>,
    prints: Vec<PrintRow>,
    keeps: bool,
    keep_why_not: String,
    can_make: bool,
    ranks: Vec<(&'static str, &'static str)>,
    today: String,
}

/// `GET /prints`: the prints kept until their destruction, the written authorities, every
/// print, and the form to record a written authority for those who keep the register.
pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, WebError> {
    may_read(&staff)?;
    let prints = state.store.video_prints().await?;
    let authorities = state.store.print_authorities().await?;
    let kept = state.store.prints_awaiting_destruction().await?;
    let keeps = staff.book_role(Book::VideoPrints, false);
    Ok(render(
        StatusCode::OK,
        &PrintsPage {
            banner: Banner::load(&state, &staff).await?,
            kept: kept.iter().map(print_row).collect(),
            authorities: authorities
                .iter()
                .rev()
                .map(|a| {
                    let d = a.current();
                    AuthorityRow {
                        reference: a.reference.clone(),
                        officer: d.officer.describe(),
                        dated: d.dated.map(|d| d.to_string()).unwrap_or_default(),
                        prints: prints.iter().filter(|p| p.authority == a.reference).count(),
                    }
                })
                .collect(),
            prints: prints.iter().rev().map(print_row).collect(),
            keep_why_not: keeps
                .as_ref()
                .err()
                .map(|w| crate::staff::capitalise(w))
                .unwrap_or_default(),
            keeps: keeps.is_ok(),
            can_make: state.store.can_make_prints(),
            ranks: Rank::ALL
                .iter()
                .filter(|r| custos_domain::prints::check_rank(**r).is_ok())
                .map(|r| (r.as_str(), r.describe()))
                .collect(),
            today: UnixMs(state.store.clock().now().0)
                .to_uk_local_input()
                .get(..10)
                .unwrap_or_default()
                .to_owned(),
        },
    ))
}

/// `POST /print-authorities` (multipart: `csrf`, `officer_name`, `rank`, `officer_number`,
/// `force`, `request`, `dated` (YYYY-MM-DD), `document`): records a police officer's written
/// authority for prints, refused below Inspector or without the document.
pub(crate) async fn record_authority(
    State(state): State<AppState>,
    staff: Staff,
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    require_role(&staff, false)?;
    let mut form = form.map_err(|e| {
        WebError::BadRequest(format!(
            "send the authority form as the page does (multipart/form-data): {e}"
        ))
    })?;
    let bad = |e: axum::extract::multipart::MultipartError| {
        WebError::BadRequest(format!("the form could not be read: {e}"))
    };
    let mut fields = std::collections::HashMap::new();
    let mut document = AuthorityDocument {
        name: String::new(),
        contents: Vec::new(),
    };
    while let Some(field) = form.next_field().await.map_err(bad)? {
        let Some(name) = field.name().map(str::to_owned) else {
            continue;
        };
        if name == "document" {
            document.name = field.file_name().unwrap_or("written-authority").to_owned();
            document.contents = field.bytes().await.map_err(bad)?.to_vec();
        } else {
            fields.insert(name, field.text().await.map_err(bad)?);
        }
    }
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    staff.check_csrf(&get("csrf"))?;
    let rank = Rank::parse_words(&get("rank")).map_err(WebError::BadRequest)?;
    let dated = match get("dated").trim() {
        "" => None,
        d => Some(
            custos_domain::equipment::parse_day(d, "The day it is dated")
                .map_err(WebError::BadRequest)?,
        ),
    };
    let a = state
        .store
        .record_print_authority(
            &staff.actor(),
            &staff.info.subject,
            &crate::cases::documents_dir(&state)?,
            &AuthorityDraft {
                officer: Officer {
                    name: get("officer_name"),
                    rank,
                    number: get("officer_number"),
                    force: get("force"),
                },
                request: get("request"),
                dated,
                document_attached: !document.contents.is_empty(),
            },
            &document,
        )
        .await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/print-authorities/{}", a.reference),
        "print-authority-recorded",
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "print_authority.html")]
struct AuthorityPage {
    banner: Banner,
    reference: String,
    details: Vec<(&'static str, String)>,
    recorded_by: String,
    document_name: String,
    prints: Vec<PrintRow>,
    corrections: Vec<String>,
    keeps: bool,
    can_make: bool,
    cameras: Vec<(String, String)>,
    moment: String,
    fields: Vec<(&'static str, &'static str)>,
}

async fn load_authority(state: &AppState, reference: &str) -> Result<Authority, WebError> {
    state
        .store
        .print_authority(reference)
        .await?
        .ok_or_else(|| {
            WebError::Store(custos_store::StoreError::NotFound(format!(
                "there is no written authority {reference}"
            )))
        })
}

/// `GET /print-authorities/{reference}`: the authority, its written authority, its prints
/// and corrections, and the forms to make a print and to correct it.
pub(crate) async fn show_authority(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    may_read(&staff)?;
    let a = load_authority(&state, &reference).await?;
    let d = a.current();
    let prints: Vec<PrintRow> = state
        .store
        .video_prints()
        .await?
        .iter()
        .filter(|p| p.authority == a.reference)
        .map(print_row)
        .collect();
    let newest = state
        .store
        .newest_footage()
        .await?
        .into_iter()
        .filter_map(|(_, t)| t)
        .max();
    let now = state.store.clock().now().0;
    Ok(render(
        StatusCode::OK,
        &AuthorityPage {
            banner: Banner::load(&state, &staff).await?,
            details: vec![
                ("Officer", d.officer.name.clone()),
                ("Rank", d.officer.rank.describe().to_owned()),
                ("Warrant or collar number", d.officer.number.clone()),
                ("Force", d.officer.force.clone()),
                ("What it asks for", d.request.clone()),
                (
                    "Dated",
                    d.dated
                        .map(custos_domain::equipment::day_words)
                        .unwrap_or_default(),
                ),
            ],
            recorded_by: format!(
                "{} on {}",
                a.recorded_by_name,
                UnixMs(a.recorded_at_unix_ms).to_london_display()
            ),
            document_name: a.document.name.clone(),
            prints,
            corrections: a
                .corrections
                .iter()
                .map(custos_domain::prints::Correction::<AuthorityField>::describe)
                .collect(),
            keeps: staff.book_role(Book::VideoPrints, false).is_ok(),
            can_make: state.store.can_make_prints(),
            cameras: state
                .store
                .cameras(false)
                .await?
                .into_iter()
                .map(|c| (c.id.to_string(), c.draft.name))
                .collect(),
            // The newest recorded moment, a second before its end: footage there is kept.
            moment: input_seconds(newest.map_or(now, |t| t - 1000).min(now)),
            fields: AuthorityField::ALL
                .iter()
                .map(|f| (f.as_str(), f.describe()))
                .collect(),
            reference: a.reference,
        },
    ))
}

/// `GET /print-authorities/{reference}/document`: the written authority, decrypted and
/// checked, as a download.
pub(crate) async fn authority_document(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    may_read(&staff)?;
    let (name, bytes) = state
        .store
        .print_authority_document(&crate::cases::documents_dir(&state)?, &reference)
        .await?;
    Ok(crate::cases::document_download(&name, bytes))
}

/// A correction of an authority, as typed.
#[derive(Debug, Deserialize)]
pub(crate) struct AuthorityStepForm {
    csrf: String,
    #[serde(default)]
    step: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    reason: String,
}

/// `POST /print-authorities/{reference}/steps`: `step=correct` (`field`, `value`,
/// `reason`) corrects one detail as a new entry.
pub(crate) async fn authority_step(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(f): Form<AuthorityStepForm>,
) -> Result<Response, WebError> {
    require_role(&staff, false)?;
    staff.check_csrf(&f.csrf)?;
    if f.step.trim() != "correct" {
        return Err(WebError::BadRequest(format!(
            "{:?} is not a step on a written authority: use correct (a print is made with the form on the authority's page)",
            f.step.trim()
        )));
    }
    let field: AuthorityField = f.field.trim().parse().map_err(WebError::BadRequest)?;
    let a = state
        .store
        .correct_print_authority(
            &staff.actor(),
            &staff.info.subject,
            &reference,
            &CorrectionDraft {
                field,
                value: f.value,
                reason: f.reason,
            },
        )
        .await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/print-authorities/{}", a.reference),
        "print-step",
    ))
    .into_response())
}

/// A print to make, as typed.
#[derive(Debug, Deserialize)]
pub(crate) struct MakeForm {
    csrf: String,
    #[serde(default)]
    authority: String,
    #[serde(default)]
    camera: String,
    #[serde(default)]
    moment: String,
}

/// `POST /prints` (`csrf`, `authority`, `camera`, `moment` in UK time): makes a print under
/// the authority, from the camera's recorded footage at the moment.
pub(crate) async fn make(
    State(state): State<AppState>,
    staff: Staff,
    Form(f): Form<MakeForm>,
) -> Result<Response, WebError> {
    require_role(&staff, false)?;
    staff.check_csrf(&f.csrf)?;
    let camera = custos_domain::Ident::parse(f.camera.trim())
        .map_err(|_| WebError::BadRequest("choose the camera".to_owned()))?;
    let moment = typed_time(&f.moment, "The moment")?
        .ok_or_else(|| WebError::BadRequest("give the moment the still shows".to_owned()))?;
    let (footage, documents) = folders(&state)?;
    let p = state
        .store
        .make_video_print(
            &staff.actor(),
            &staff.info.subject,
            &footage,
            &documents,
            &custos_store::prints::NewPrint {
                authority: &f.authority,
                camera: &camera,
                moment_unix_ms: moment,
            },
        )
        .await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/prints/{}", p.reference),
        "print-made",
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "print.html")]
struct PrintPage {
    banner: Banner,
    reference: String,
    details: Vec<(&'static str, String)>,
    authority: String,
    status: String,
    destroyed: bool,
    given: bool,
    authorised: bool,
    may_take: bool,
    keeps: bool,
    countersigns: bool,
    corrections: Vec<String>,
    fields: Vec<(&'static str, &'static str)>,
    now_input: String,
}

async fn load(state: &AppState, reference: &str) -> Result<Print, WebError> {
    state.store.video_print(reference).await?.ok_or_else(|| {
        WebError::Store(custos_store::StoreError::NotFound(format!(
            "there is no video print {reference}"
        )))
    })
}

/// `GET /prints/{reference}`: the print — what it shows, its authority, to whom it was
/// given and its destruction — and the forms for the steps.
pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    may_read(&staff)?;
    let p = load(&state, &reference).await?;
    let a = state.store.print_authority(&p.authority).await?;
    let cells = custos_domain::prints::row(&p, a.as_ref());
    let keeps = staff.book_role(Book::VideoPrints, false).is_ok();
    let countersigns = staff.book_role(Book::VideoPrints, true).is_ok();
    Ok(render(
        StatusCode::OK,
        &PrintPage {
            banner: Banner::load(&state, &staff).await?,
            details: custos_domain::prints::COLUMNS
                .iter()
                .copied()
                .zip(cells)
                .skip(1)
                .filter(|(c, _)| *c != "Corrections" && *c != "Authority")
                .collect(),
            authority: p.authority.clone(),
            status: p.status(),
            destroyed: p.destroyed.is_some(),
            given: p.given.is_some(),
            authorised: p.destruction_authorised.is_some(),
            may_take: keeps || countersigns,
            keeps,
            countersigns,
            corrections: p
                .corrections
                .iter()
                .map(custos_domain::prints::Correction::<PrintField>::describe)
                .collect(),
            fields: PrintField::ALL
                .iter()
                .map(|f| (f.as_str(), f.describe()))
                .collect(),
            now_input: UnixMs(state.store.clock().now().0).to_uk_local_input(),
            reference: p.reference,
        },
    ))
}

/// `GET /prints/{reference}/still.png`: the still, as a download (opaque bytes, like every
/// kept document), for those who keep or countersign the register; each time ledgered.
pub(crate) async fn still(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    may_read(&staff)?;
    require_handler(&staff)?;
    let png = state
        .store
        .video_print_still(
            &staff.actor(),
            &crate::cases::documents_dir(&state)?,
            &reference,
        )
        .await?;
    Ok(crate::cases::document_download(
        &format!("{}.png", file_stem(&reference)),
        png,
    ))
}

/// `GET /prints/{reference}/sidecar.json`: what the still was made from, as JSON.
pub(crate) async fn sidecar(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    may_read(&staff)?;
    let json = state
        .store
        .video_print_sidecar(&crate::cases::documents_dir(&state)?, &reference)
        .await?;
    Ok(crate::cases::document_download(
        &format!("{}.json", file_stem(&reference)),
        json,
    ))
}

/// A reference as a file name: letters, digits and `-` only.
fn file_stem(reference: &str) -> String {
    reference
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A step on a print, as typed.
#[derive(Debug, Deserialize)]
pub(crate) struct StepForm {
    csrf: String,
    #[serde(default)]
    step: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    at: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    value: String,
}

/// `POST /prints/{reference}/steps`: `step=give` (`to`, `organisation`, `at`: now when
/// empty), `authorise-destruction` (`reason`; countersigners), `destroy`, or `correct`
/// (`field`, `value`, `reason`).
pub(crate) async fn step(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(f): Form<StepForm>,
) -> Result<Response, WebError> {
    let step = f.step.trim();
    require_role(&staff, step == "authorise-destruction")?;
    staff.check_csrf(&f.csrf)?;
    let (actor, subject) = (staff.actor(), &staff.info.subject);
    let now = state.store.clock().now().0;
    let p = match step {
        "give" => {
            let at = typed_time(&f.at, "When it was given")?.unwrap_or(now);
            state
                .store
                .give_video_print(
                    &actor,
                    subject,
                    &reference,
                    &Given {
                        to: f.to,
                        organisation: f.organisation,
                        at_unix_ms: at,
                    },
                )
                .await?
        }
        "authorise-destruction" => {
            state
                .store
                .authorise_print_destruction(&actor, subject, &reference, &f.reason)
                .await?
        }
        "destroy" => {
            state
                .store
                .destroy_video_print(
                    &actor,
                    subject,
                    &crate::cases::documents_dir(&state)?,
                    &reference,
                )
                .await?
        }
        "correct" => {
            let field: PrintField = f.field.trim().parse().map_err(WebError::BadRequest)?;
            let value = if field.is_time() {
                typed_time(&f.value, field.describe())?
                    .ok_or_else(|| WebError::BadRequest("give the time it was given".to_owned()))?
                    .to_string()
            } else {
                f.value
            };
            state
                .store
                .correct_video_print(
                    &actor,
                    subject,
                    &reference,
                    &CorrectionDraft {
                        field,
                        value,
                        reason: f.reason,
                    },
                )
                .await?
        }
        other => {
            return Err(WebError::BadRequest(format!(
                "{other:?} is not a step on a video print: use give, authorise-destruction, destroy or correct"
            )));
        }
    };
    Ok(Redirect::to(&crate::done::to(
        &format!("/prints/{}", p.reference),
        "print-step",
    ))
    .into_response())
}

/// `GET /prints.csv`: the register as CSV, in the columns the code names.
pub(crate) async fn csv(State(state): State<AppState>, staff: Staff) -> Result<Response, WebError> {
    may_read(&staff)?;
    let prints = state.store.video_prints().await?;
    let authorities = state.store.print_authorities().await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"custos-video-prints.csv\"".to_owned(),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        custos_domain::prints::csv(&prints, &authorities),
    )
        .into_response())
}

/// `GET /prints.pdf`: the register as a PDF, each print with every column.
pub(crate) async fn pdf(State(state): State<AppState>, staff: Staff) -> Result<Response, WebError> {
    may_read(&staff)?;
    let prints = state.store.video_prints().await?;
    let authorities = state.store.print_authorities().await?;
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
                "attachment; filename=\"custos-video-prints.pdf\"".to_owned(),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        custos_domain::prints::pdf(&staff.scheme, &prints, &authorities, created),
    )
        .into_response())
}
