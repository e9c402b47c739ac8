//! Downloads on the web (ALT-8, LBU-19, BDC-1, BDC-5): one page per request for a package —
//! what was asked, who has authorised it and who still must, the package once made, and
//! what became of the copy (viewed by the recipient, its destruction authorised,
//! destroyed), and, once the copy is made, for those who may work breach cases, the link
//! to report it as a personal data breach (sent to the wrong person, lost). Each action is
//! the signed-in person's own, decided by the store.
//!
//! Invariants: an authorisation is given only by the person signed in, for themselves
//! (`Store::authorise_download` with their own `Subject`); the page is shown to those who
//! may export, authorise downloads or authorise deletions somewhere; every action ends on
//! the page with a message saying what was done and what happens next.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use custos_base::UnixMs;
use custos_domain::access::Right;
use custos_store::downloads::{Download, DownloadState};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Staff;
use crate::error::WebError;
use crate::pages::render;
use crate::staff::Banner;

#[derive(Template)]
#[template(path = "download.html")]
struct DownloadPage {
    banner: Banner,
    d: Download,
    state: &'static str,
    cameras: String,
    from: String,
    to: String,
    given: Vec<String>,
    may_authorise: bool,
    may_make: bool,
    may_destroy: bool,
    produced: bool,
    now: String,
    /// Once the copy is made, the link to report it as a breach (sent to the wrong person,
    /// lost), for those who may work breaches.
    report_breach: Option<String>,
}

fn may_see(staff: &Staff) -> Result<(), WebError> {
    if [
        Right::Export,
        Right::AuthoriseDownload,
        Right::AuthoriseDeletion,
    ]
    .iter()
    .any(|r| staff.holds(*r))
    {
        Ok(())
    } else {
        Err(WebError::AskManagers(
            "downloads are seen by those who may export footage or authorise downloads; your roles give neither".to_owned(),
        ))
    }
}

/// `GET /downloads/{id}`
pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    may_see(&staff)?;
    let d = state.store.require_download(&id).await?;
    let may_authorise = d.state == DownloadState::Awaiting
        && state
            .store
            .downloads_to_authorise(&staff.info.subject)
            .await?
            .iter()
            .any(|x| x.id == d.id);
    let mut exports_all = true;
    let mut deletes_all = true;
    for c in &d.request.cameras {
        match state.store.camera(c).await? {
            Some(cam) => {
                let t = state.store.camera_target(&cam).await?;
                exports_all &= staff.may(Right::Export, &t);
                deletes_all &= staff.may(Right::AuthoriseDeletion, &t);
            }
            None => {
                exports_all = false;
                deletes_all = false;
            }
        }
    }
    let names = crate::staff::names(&state).await?;
    let given = d
        .given
        .iter()
        .map(|g| {
            let deputy = g
                .as_deputy_for
                .as_ref()
                .map(|r| {
                    format!(
                        ", deputising for the absent {}",
                        r.split(", ")
                            .map(custos_domain::role::role_words)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
                .unwrap_or_default();
            format!(
                "{} as {}{deputy}, {}",
                names.person(&g.username),
                custos_domain::role::role_words(g.role.as_str()),
                UnixMs(g.at_unix_ms).to_london_display()
            )
        })
        .collect();
    let produced = d.state == DownloadState::Produced;
    let report_breach = produced
        .then(|| {
            crate::cases::report_breach(
                &staff,
                "download",
                &format!(
                    "Copy of exhibit {} sent to the wrong person or lost",
                    d.request.exhibit
                ),
            )
        })
        .flatten();
    Ok(render(
        StatusCode::OK,
        &DownloadPage {
            banner: Banner::load(&state, &staff).await?,
            state: d.state.describe(),
            cameras: d
                .request
                .cameras
                .iter()
                .map(|c| names.camera(c.as_str()))
                .collect::<Vec<_>>()
                .join(", "),
            from: UnixMs(d.request.from_unix_ms).to_london_display(),
            to: UnixMs(d.request.to_unix_ms).to_london_display(),
            given,
            may_authorise,
            may_make: d.state == DownloadState::Authorised && exports_all,
            may_destroy: produced && deletes_all,
            produced,
            now: state.store.clock().now().to_uk_local_input(),
            report_breach,
            d,
        },
    ))
}

/// A form with only its CSRF token.
#[derive(Debug, Deserialize)]
pub(crate) struct CsrfForm {
    csrf: String,
}

fn back(id: &str, done: &str) -> Response {
    Redirect::to(&crate::done::to(&format!("/downloads/{id}"), done)).into_response()
}

/// `POST /downloads/{id}/authorise`: the person signed in authorises it in their own name;
/// once every authorisation is in, the person who asked can make the package.
pub(crate) async fn authorise(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    may_see(&staff)?;
    let d = state
        .store
        .authorise_download(&staff.info.subject, &id)
        .await?;
    Ok(back(&d.id, "download-authorised"))
}

/// `POST /downloads/{id}/make`: makes the package of an authorised download in the
/// background, on the Export page's job page.
pub(crate) async fn make(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    staff.require_somewhere(Right::Export)?;
    let folders = crate::export::folders(&state)?;
    let d = state.store.require_download(&id).await?;
    let mut actor = None;
    for c in &d.request.cameras {
        let Some(cam) = state.store.camera(c).await? else {
            return Err(WebError::BadRequest(format!("there is no camera {c}")));
        };
        actor = Some(
            staff
                .require(
                    &state,
                    Right::Export,
                    &state.store.camera_target(&cam).await?,
                )
                .await?,
        );
    }
    let Some(actor) = actor else {
        return Err(WebError::BadRequest(
            "the download names no camera".to_owned(),
        ));
    };
    if d.state != DownloadState::Authorised {
        return Err(WebError::BadRequest(format!(
            "this download is {}, so no package can be made from it now",
            d.state.describe()
        )));
    }
    let job = crate::export::spawn(
        &state,
        &staff,
        actor,
        folders,
        crate::export::JobWork::Download {
            id: d.id.clone(),
            exhibit: d.request.exhibit.clone(),
            case: d.request.case_ref.clone(),
        },
    )?;
    Ok(Redirect::to(&format!("/exports/{job}")).into_response())
}

/// When something happened to the copy, and a note.
#[derive(Debug, Deserialize)]
pub(crate) struct WhenForm {
    csrf: String,
    #[serde(default)]
    at: String,
    #[serde(default)]
    note: String,
    /// `yes` from the confirmation page (authorising destruction asks first).
    confirm: Option<String>,
}

fn when(f: &WhenForm) -> Result<i64, WebError> {
    UnixMs::parse_uk_local(&f.at)
        .map(|t| t.0)
        .map_err(|e| WebError::BadRequest(format!("when: {e}")))
}

/// `POST /downloads/{id}/viewed`: records when the recipient viewed the copy.
pub(crate) async fn viewed(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(f): Form<WhenForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    staff.require_somewhere(Right::Export)?;
    state
        .store
        .record_download_viewed(&staff.actor(), &id, when(&f)?, &f.note)
        .await?;
    Ok(back(id.trim(), "download-viewed"))
}

/// `POST /downloads/{id}/destroy`: the person signed in authorises destroying the copy;
/// the holds kept for it are released.
pub(crate) async fn destroy(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(f): Form<WhenForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    may_see(&staff)?;
    if !crate::confirm::confirmed(f.confirm.as_deref()) {
        return confirm_destroy(&state, &staff, &id, &f).await;
    }
    state
        .store
        .authorise_download_deletion(&staff.info.subject, &id, &f.note)
        .await?;
    Ok(back(id.trim(), "download-destroy"))
}

/// The page that asks before the destruction of download `id`'s copy is authorised,
/// naming the exhibit, its footage and who holds it.
async fn confirm_destroy(
    state: &AppState,
    staff: &Staff,
    id: &str,
    f: &WhenForm,
) -> Result<Response, WebError> {
    let d = state.store.require_download(id).await?;
    for c in &d.request.cameras {
        let Some(cam) = state.store.camera(c).await? else {
            return Err(WebError::BadRequest(format!("there is no camera {c}")));
        };
        staff
            .require(
                state,
                Right::AuthoriseDeletion,
                &state.store.camera_target(&cam).await?,
            )
            .await?;
    }
    if f.note.trim().chars().count() < 5 {
        return Err(WebError::BadRequest(
            "say why the copy is to be destroyed".to_owned(),
        ));
    }
    let ids: Vec<&str> = d.request.cameras.iter().map(|c| c.as_str()).collect();
    let cameras = crate::confirm::camera_names(state, &ids).await?;
    crate::confirm::page(
        state,
        staff,
        crate::confirm::Confirmation {
            title: format!("Authorise destroying the copy of exhibit {}?", d.request.exhibit),
            sentences: vec![
                format!(
                    "You are about to authorise destroying the copy of exhibit {} — the footage of {cameras} {} — that {} holds.",
                    d.request.exhibit,
                    crate::confirm::span(d.request.from_unix_ms, d.request.to_unix_ms),
                    d.request.recipient
                ),
                "The holds kept for this copy are released now, so the footage it came from will then be erased on the normal schedule.".to_owned(),
                format!("The reason kept in the ledger: {}", f.note.trim()),
            ],
            undo: "This cannot be undone.".to_owned(),
            action: format!("/downloads/{}/destroy", d.id),
            fields: vec![
                ("csrf", f.csrf.clone()),
                ("at", f.at.clone()),
                ("note", f.note.clone()),
            ],
            confirm: "Authorise destroying the copy".to_owned(),
            cancel: format!("/downloads/{}", d.id),
        },
    )
    .await
}

/// `POST /downloads/{id}/destroyed`: records when the copy was destroyed.
pub(crate) async fn destroyed(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(f): Form<WhenForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    staff.require_somewhere(Right::Export)?;
    state
        .store
        .record_download_deleted(&staff.actor(), &id, when(&f)?, &f.note)
        .await?;
    Ok(back(id.trim(), "download-destroyed"))
}
