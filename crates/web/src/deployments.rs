//! The deployment log of redeployable cameras on the web (BDC-38, LJM-5): the Deployments
//! page — every deployment, newest first, those past their end still up in red, the form
//! that records one, the log as CSV and PDF — and each deployment's page: the record as it
//! stands with its corrections, its signs' and camera's times, photos of the signs, and the
//! forms for the signs going up and down, the camera coming down, a correction and a photo.
//!
//! Invariants:
//! - Only a person whose role keeps the deployment log under the pack's
//!   `[books.deployment]` changes anything; its countersigners and the logbooks' readers
//!   read it. The store decides again.
//! - Handlers parse, call one store method through [`record`] or [`take_step`] (shared with
//!   the API, `api::deployments`), and redirect.
//! - Pages show cameras and people by name, never internal ids.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use custos_base::UnixMs;
use custos_domain::Ident;
use custos_domain::deployment::{Consultation, Deployment, Draft, Field, Grounds, Standing};
use custos_domain::ledger::Book;
use custos_store::deployments::DeploymentStep;
use serde::Deserialize;

use crate::AppState;
use crate::auth::Staff;
use crate::cases::time_field;
use crate::error::WebError;
use crate::forms::ListForm;
use crate::pages::render;
use crate::staff::Banner;

/// Refuses, with the reason, unless `staff` may read the deployment log.
pub(crate) fn require_read(staff: &Staff) -> Result<(), WebError> {
    if staff.may_open_book(Book::Deployment) {
        return Ok(());
    }
    let why = staff
        .book_role(Book::Deployment, false)
        .err()
        .unwrap_or_default();
    Err(WebError::Forbidden(format!(
        "You may not read the deployment log: {why}, and your roles do not read the logbooks."
    )))
}

/// Refuses, with the reason, unless `staff` keeps the deployment log.
pub(crate) fn require_keep(staff: &Staff) -> Result<(), WebError> {
    staff
        .book_role(Book::Deployment, false)
        .map(|_| ())
        .map_err(|why| WebError::Forbidden(format!("{why}.")))
}

/// A deployment as given by a form or the API.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Given {
    #[serde(default)]
    pub(crate) camera: String,
    #[serde(default)]
    pub(crate) place: String,
    #[serde(default)]
    pub(crate) map_reference: String,
    #[serde(skip)]
    pub(crate) from_unix_ms: Option<i64>,
    #[serde(skip)]
    pub(crate) until_unix_ms: Option<i64>,
    #[serde(default)]
    pub(crate) grounds: String,
    #[serde(default)]
    pub(crate) justification: String,
    #[serde(default)]
    pub(crate) purpose: String,
    /// `made` or `not-possible`.
    #[serde(default)]
    pub(crate) consulted: String,
    #[serde(default)]
    pub(crate) consultation: String,
    #[serde(default)]
    pub(crate) privacy: String,
    #[serde(default)]
    pub(crate) authorised_by: String,
}

/// Records the deployment `g` describes as `staff`: the one way the page and the API do.
pub(crate) async fn record(
    state: &AppState,
    staff: &Staff,
    g: Given,
) -> Result<Deployment, WebError> {
    require_keep(staff)?;
    let camera = Ident::parse(g.camera.trim())
        .map_err(|e| WebError::BadRequest(format!("the camera: {e}")))?;
    let grounds: Grounds = g
        .grounds
        .trim()
        .parse()
        .map_err(|e| WebError::BadRequest(format!("the grounds: {e}")))?;
    let consultation = match g.consulted.trim() {
        "made" => Consultation::Made(g.consultation.trim().to_owned()),
        "not-possible" => Consultation::NotPossible(g.consultation.trim().to_owned()),
        other => {
            return Err(WebError::BadRequest(format!(
                "say whether those affected were consulted (`made`) or why it was not possible (`not-possible`), not {other:?}"
            )));
        }
    };
    let now = state.store.clock().now().0;
    let draft = Draft {
        camera,
        place: g.place,
        map_reference: g.map_reference,
        from_unix_ms: g.from_unix_ms.unwrap_or(now),
        until_unix_ms: g
            .until_unix_ms
            .ok_or_else(|| WebError::BadRequest("say when the camera is to come down".into()))?,
        grounds,
        justification: g.justification,
        purpose: g.purpose,
        consultation,
        privacy: g.privacy,
        authorised_by: g.authorised_by,
    };
    Ok(state
        .store
        .record_deployment(&staff.actor(), &staff.info.subject, &draft)
        .await?)
}

/// Takes `step` on deployment `reference` as `staff`: the one way the page and the API do.
pub(crate) async fn take_step(
    state: &AppState,
    staff: &Staff,
    reference: &str,
    step: &DeploymentStep,
) -> Result<Deployment, WebError> {
    require_keep(staff)?;
    Ok(state
        .store
        .deployment_step(&staff.actor(), &staff.info.subject, reference, step)
        .await?)
}

/// Reads a step: `signs-up`, `signs-down`, `removed` (each `at`, now when absent) or
/// `correct` (`field`, `value`, `reason`); `at` is read by `time`.
pub(crate) fn read_step(
    step: &str,
    at: Option<i64>,
    field: &str,
    value: &str,
    reason: &str,
    now: i64,
) -> Result<DeploymentStep, WebError> {
    let at_unix_ms = at.unwrap_or(now);
    Ok(match step.trim() {
        "signs-up" => DeploymentStep::SignsUp { at_unix_ms },
        "signs-down" => DeploymentStep::SignsDown { at_unix_ms },
        "removed" => DeploymentStep::Removed { at_unix_ms },
        "correct" => {
            let field = Field::parse(field).map_err(WebError::BadRequest)?;
            let value = if field == Field::Until {
                time_field(value, "the planned end")?
                    .ok_or_else(|| WebError::BadRequest("give the new planned end".into()))?
                    .to_string()
            } else {
                value.to_owned()
            };
            DeploymentStep::Correct {
                field,
                value,
                reason: reason.to_owned(),
            }
        }
        other => {
            return Err(WebError::BadRequest(format!(
                "{other:?} is not a step of a deployment: signs-up, signs-down, removed or correct"
            )));
        }
    })
}

struct Listed {
    reference: String,
    camera: String,
    place: String,
    from: String,
    until: String,
    standing: &'static str,
    red: bool,
}

#[derive(Template)]
#[template(path = "deployments.html")]
struct ListPage {
    banner: Banner,
    listed: Vec<Listed>,
    keeps: bool,
    cameras: Vec<(String, String)>,
    purposes: Vec<String>,
    now_input: String,
    week_input: String,
}

async fn camera_names(state: &AppState) -> Result<Vec<(String, String)>, WebError> {
    Ok(state
        .store
        .cameras(true)
        .await?
        .into_iter()
        .map(|c| (c.id.to_string(), c.draft.name))
        .collect())
}

fn name_of(names: &[(String, String)], id: &Ident) -> String {
    names
        .iter()
        .find(|(i, _)| i == id.as_str())
        .map_or_else(|| id.to_string(), |(_, n)| n.clone())
}

/// `GET /deployments`: the log, newest first, with the form to record a deployment.
pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, WebError> {
    require_read(&staff)?;
    let now = state.store.clock().now().0;
    let names = camera_names(&state).await?;
    let listed = state
        .store
        .deployments()
        .await?
        .into_iter()
        .map(|d| {
            let c = d.current();
            let standing = d.standing(now);
            Listed {
                camera: name_of(&names, &c.camera),
                place: c.place.clone(),
                from: UnixMs(c.from_unix_ms).to_london_display(),
                until: UnixMs(c.until_unix_ms).to_london_display(),
                standing: standing.words(),
                red: standing == Standing::Overdue,
                reference: d.reference,
            }
        })
        .collect();
    // Redeployable cameras first: those are the ones deployed.
    let mut cameras: Vec<(String, String, bool)> = state
        .store
        .cameras(false)
        .await?
        .into_iter()
        .map(|c| {
            let redeployable = c.draft.kind == custos_domain::camera::CameraKind::Redeployable;
            (c.id.to_string(), c.draft.name, redeployable)
        })
        .collect();
    cameras.sort_by_key(|(_, _, r)| !*r);
    Ok(render(
        StatusCode::OK,
        &ListPage {
            banner: Banner::load(&state, &staff).await?,
            listed,
            keeps: require_keep(&staff).is_ok(),
            cameras: cameras.into_iter().map(|(i, n, _)| (i, n)).collect(),
            purposes: state.store.deployment_purpose_list().await?,
            now_input: UnixMs(now).to_uk_local_input(),
            week_input: UnixMs(now + 7 * 86_400_000).to_uk_local_input(),
        },
    ))
}

/// The record form, as posted.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RecordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    #[serde(flatten)]
    given: Given,
}

/// `POST /deployments`: records a deployment.
pub(crate) async fn create(
    State(state): State<AppState>,
    staff: Staff,
    ListForm(f): ListForm<RecordForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let mut g = f.given;
    g.from_unix_ms = time_field(&f.from, "From")?;
    g.until_unix_ms = time_field(&f.until, "Until")?;
    let d = record(&state, &staff, g).await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/deployments/{}", d.reference),
        "deployment-recorded",
    ))
    .into_response())
}

struct DocView {
    id: String,
    name: String,
    kind: &'static str,
    at: String,
    by: String,
}

#[derive(Template)]
#[template(path = "deployment.html")]
struct DeploymentPage {
    banner: Banner,
    reference: String,
    standing: &'static str,
    red: bool,
    facts: Vec<(&'static str, String)>,
    corrections: Vec<(String, String, String, String, String)>,
    documents: Vec<DocView>,
    keeps: bool,
    signs_up: bool,
    signs_down: bool,
    removed: bool,
    now_input: String,
    may_keep_documents: bool,
    fields: Vec<(&'static str, &'static str)>,
}

/// `GET /deployments/{reference}`: the deployment as it stands, and its forms.
pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    require_read(&staff)?;
    let d = state.store.deployment(&reference).await?.ok_or_else(|| {
        WebError::Store(custos_store::StoreError::NotFound(format!(
            "there is no deployment {reference}"
        )))
    })?;
    let names = crate::staff::names(&state).await?;
    let now = state.store.clock().now().0;
    let c = d.current();
    let when = |ms: i64| UnixMs(ms).to_london_display();
    let maybe = |ms: Option<i64>, none: &str| ms.map_or_else(|| none.to_owned(), when);
    let facts = vec![
        ("Camera", names.camera(c.camera.as_str())),
        ("Place", c.place.clone()),
        ("Map reference", c.map_reference.clone()),
        ("From", when(c.from_unix_ms)),
        ("Until", when(c.until_unix_ms)),
        ("Grounds", c.grounds.words().to_owned()),
        ("Crime pattern or intelligence", c.justification.clone()),
        ("Purpose", c.purpose.clone()),
        ("Consultation", c.consultation.words()),
        ("Privacy restrictions", c.privacy.clone()),
        ("Authorised by", c.authorised_by.clone()),
        ("Signs erected", maybe(d.signs_up_unix_ms, "Not yet")),
        ("Signs removed", maybe(d.signs_down_unix_ms, "Not yet")),
        ("Camera taken down", maybe(d.removed_unix_ms, "Not yet")),
        (
            "Recorded",
            format!("{} by {}", when(d.recorded_at_unix_ms), d.recorded_by),
        ),
    ];
    let corrections = d
        .corrections
        .iter()
        .map(|x| {
            let shown = |v: &str| {
                if x.field == Field::Until {
                    v.parse().map(when).unwrap_or_else(|_| v.to_owned())
                } else {
                    v.to_owned()
                }
            };
            (
                when(x.at_unix_ms),
                x.by.clone(),
                x.field.words().to_owned(),
                format!("“{}” became “{}”", shown(&x.before), shown(&x.after)),
                x.reason.clone(),
            )
        })
        .collect();
    let documents = state
        .store
        .deployment_documents(&d.reference)
        .await?
        .into_iter()
        .map(|doc| DocView {
            kind: match doc.kind.as_str() {
                "signs-erected" => "Photo of the signs erected",
                "signs-removed" => "Photo of the signs removed",
                _ => "Document",
            },
            at: when(doc.added_at_unix_ms),
            by: names.actor(&doc.added_by),
            id: doc.id,
            name: doc.name,
        })
        .collect();
    let standing = d.standing(now);
    Ok(render(
        StatusCode::OK,
        &DeploymentPage {
            banner: Banner::load(&state, &staff).await?,
            reference: d.reference.clone(),
            standing: standing.words(),
            red: standing == Standing::Overdue,
            facts,
            corrections,
            documents,
            keeps: require_keep(&staff).is_ok(),
            signs_up: d.signs_up_unix_ms.is_some(),
            signs_down: d.signs_down_unix_ms.is_some(),
            removed: d.removed_unix_ms.is_some(),
            now_input: UnixMs(now).to_uk_local_input(),
            may_keep_documents: state.documents.is_some(),
            fields: Field::ALL.map(|f| (f.as_str(), f.words())).to_vec(),
        },
    ))
}

/// A step's form, as posted.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct StepForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    step: String,
    #[serde(default)]
    at: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    reason: String,
}

/// `POST /deployments/{reference}/steps`: signs up or down, the camera down, a correction.
pub(crate) async fn step(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    ListForm(f): ListForm<StepForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    require_keep(&staff)?;
    let s = read_step(
        &f.step,
        time_field(&f.at, "When")?,
        &f.field,
        &f.value,
        &f.reason,
        state.store.clock().now().0,
    )?;
    let d = take_step(&state, &staff, &reference, &s).await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/deployments/{}", d.reference),
        "deployment-step",
    ))
    .into_response())
}

/// `POST /deployments/{reference}/documents` (multipart: `csrf`, `kind`, `file`): keeps a
/// photo of the signs or another document with the deployment, encrypted.
pub(crate) async fn add_document(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    require_keep(&staff)?;
    let documents = state.documents.clone().ok_or_else(|| {
        WebError::Forbidden("This server keeps no documents, so none can be kept here.".into())
    })?;
    let mut form = form.map_err(|e| {
        WebError::BadRequest(format!(
            "send the form as the page does (multipart/form-data): {e}"
        ))
    })?;
    let bad = |e: axum::extract::multipart::MultipartError| {
        WebError::BadRequest(format!("the form could not be read: {e}"))
    };
    let (mut csrf, mut kind, mut file) = (String::new(), String::new(), None);
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(bad)?,
            Some("kind") => kind = field.text().await.map_err(bad)?,
            Some("file") => {
                let name = field.file_name().unwrap_or("photo").to_owned();
                let media = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                file = Some((name, media, field.bytes().await.map_err(bad)?.to_vec()));
            }
            _ => {}
        }
    }
    staff.check_csrf(&csrf)?;
    let (name, media, bytes) = file
        .filter(|(_, _, b)| !b.is_empty())
        .ok_or_else(|| WebError::BadRequest("choose the photo or document to keep".into()))?;
    state
        .store
        .add_deployment_document(
            &staff.actor(),
            &staff.info.subject,
            &documents,
            &reference,
            &kind,
            &name,
            &media,
            &bytes,
        )
        .await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/deployments/{}", reference.trim().to_ascii_uppercase()),
        "deployment-document",
    ))
    .into_response())
}

/// `GET /deployments/{reference}/documents/{id}`: a kept document, decrypted.
pub(crate) async fn document(
    State(state): State<AppState>,
    staff: Staff,
    Path((reference, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    require_read(&staff)?;
    let documents = state
        .documents
        .clone()
        .ok_or_else(|| WebError::Forbidden("This server keeps no documents.".into()))?;
    let (doc, bytes) = state
        .store
        .deployment_document(&documents, &reference, &id)
        .await?;
    Ok(crate::cases::document_download(&doc.name, bytes))
}

async fn names_fn(state: &AppState) -> Result<impl Fn(&Ident) -> String, WebError> {
    let names = camera_names(state).await?;
    Ok(move |id: &Ident| name_of(&names, id))
}

/// `GET /deployments.csv`: the log as CSV in the code's columns.
pub(crate) async fn csv(State(state): State<AppState>, staff: Staff) -> Result<Response, WebError> {
    require_read(&staff)?;
    let all = state.store.deployments().await?;
    let name = names_fn(&state).await?;
    let now = state.store.clock().now().0;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"custos-deployments.csv\"".to_owned(),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        custos_domain::deployment::csv(&all, &name, now),
    )
        .into_response())
}

/// `GET /deployments.pdf`: the log as a PDF.
pub(crate) async fn pdf(State(state): State<AppState>, staff: Staff) -> Result<Response, WebError> {
    require_read(&staff)?;
    let all = state.store.deployments().await?;
    let name = names_fn(&state).await?;
    let now = state.store.clock().now();
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"custos-deployments.pdf\"".to_owned(),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        custos_domain::deployment::pdf(
            &staff.scheme,
            &state.store.deployment_purpose_list().await?,
            &all,
            &name,
            now.0,
            now.to_timestamp().unwrap_or(jiff::Timestamp::UNIX_EPOCH),
        ),
    )
        .into_response())
}
