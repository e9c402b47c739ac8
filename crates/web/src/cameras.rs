//! The camera register on the web, for those who manage cameras (LJM-1, LJM-3, BDC-9): the
//! list, registering a camera, each camera's page with its details, changing it with a
//! reason, and retiring it.
//!
//! Invariants: every handler asks [`Staff::require`] for `manage-cameras` on the camera
//! (its site and groups) or, for the list, shows only cameras the person may manage;
//! changes check the CSRF token and are one store call each, which checks the camera
//! against the pack and ledgers the change; passwords typed in an address are never shown
//! back.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use custos_domain::Ident;
use custos_domain::access::{Right, Target};
use custos_domain::camera::{CameraDraft, RtspAddress};
use custos_store::{Camera, CameraRequest};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Staff;
use crate::error::WebError;
use crate::pages::render;
use crate::staff::Banner;

/// A camera as the pages show it.
pub(crate) struct CameraView {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) site: String,
    pub(crate) location: String,
    pub(crate) area: String,
    pub(crate) kind: String,
    pub(crate) mode: String,
    /// The kind and the recording mode in words.
    pub(crate) kind_words: &'static str,
    pub(crate) mode_words: &'static str,
    pub(crate) purposes: String,
    pub(crate) groups: String,
    pub(crate) main_url: String,
    pub(crate) sub_url: String,
    pub(crate) transport: String,
    pub(crate) credentials: bool,
    pub(crate) audio: bool,
    pub(crate) audio_reason: String,
    pub(crate) retention: String,
    pub(crate) retention_days: String,
    pub(crate) priority: u8,
    pub(crate) dpia: String,
    pub(crate) requirement: String,
    pub(crate) retired: bool,
}

pub(crate) fn view(c: &Camera, pack: Option<&custos_domain::PolicyPack>) -> CameraView {
    let d = &c.draft;
    let words = |v: &[Ident]| {
        v.iter()
            .map(Ident::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    CameraView {
        id: c.id.to_string(),
        name: d.name.clone(),
        site: d.site.to_string(),
        location: d.location.clone(),
        area: d.area.clone(),
        kind: d.kind.to_string(),
        mode: d.mode.to_string(),
        kind_words: d.kind.describe(),
        mode_words: d.mode.label(),
        purposes: d
            .purposes
            .iter()
            .map(|id| {
                pack.and_then(|p| p.purposes.iter().find(|p| p.id == *id))
                    .map_or_else(|| id.to_string(), |p| p.name.clone())
            })
            .collect::<Vec<_>>()
            .join(", "),
        groups: words(&c.groups),
        main_url: c.main_url.clone(),
        sub_url: c.sub_url.clone().unwrap_or_default(),
        transport: c.transport.to_string(),
        credentials: c.has_credentials,
        audio: d.audio,
        audio_reason: c.audio_reason.clone().unwrap_or_default(),
        retention: match (d.retention_days, pack) {
            (Some(n), _) => format!("{n} days (set for this camera)"),
            (None, Some(p)) => format!("{} days (the scheme's default)", d.retention_days(p)),
            (None, None) => "the scheme's default".to_owned(),
        },
        retention_days: d.retention_days.map(|n| n.to_string()).unwrap_or_default(),
        priority: d.priority.get(),
        dpia: d.dpia_ref.clone(),
        requirement: d.operational_requirement.clone(),
        retired: c.retired,
    }
}

#[derive(Template)]
#[template(path = "cameras.html")]
struct CamerasPage {
    banner: Banner,
    cameras: Vec<CameraView>,
    purposes: Vec<String>,
    groups: Vec<String>,
    /// Each kind and mode: (id, words).
    kinds: Vec<(&'static str, &'static str)>,
    modes: Vec<(&'static str, &'static str)>,
}

/// `GET /cameras`: the register, as far as the person manages it.
pub(crate) async fn list(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, WebError> {
    staff.require_somewhere(Right::ManageCameras)?;
    let policy = state.store.active_policy().await?;
    let pack = policy.as_ref().map(|p| &p.pack);
    let mut cameras = Vec::new();
    for c in state.store.cameras(true).await? {
        if staff.may(Right::ManageCameras, &state.store.camera_target(&c).await?) {
            cameras.push(view(&c, pack));
        }
    }
    Ok(render(
        StatusCode::OK,
        &CamerasPage {
            banner: Banner::load(&state, &staff).await?,
            cameras,
            purposes: pack
                .map(|p| {
                    p.purposes
                        .iter()
                        .map(|p| format!("{} ({})", p.name, p.id))
                        .collect()
                })
                .unwrap_or_default(),
            groups: state
                .store
                .camera_groups()
                .await?
                .iter()
                .map(|g| format!("{} ({})", g.id, g.site))
                .collect(),
            kinds: custos_domain::CameraKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.describe()))
                .collect(),
            modes: custos_domain::RecordingMode::ALL
                .iter()
                .map(|m| (m.as_str(), m.label()))
                .collect(),
        },
    ))
}

/// The camera form (registering or changing).
#[derive(Debug, Deserialize)]
pub(crate) struct CameraForm {
    csrf: String,
    #[serde(default)]
    id: String,
    name: String,
    site: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    area: String,
    kind: String,
    mode: String,
    /// Comma-separated purpose ids.
    #[serde(default)]
    purposes: String,
    /// Comma-separated group ids.
    #[serde(default)]
    groups: String,
    url: String,
    #[serde(default)]
    substream: String,
    #[serde(default)]
    transport: String,
    /// Present when the box is ticked.
    audio: Option<String>,
    #[serde(default)]
    audio_reason: String,
    #[serde(default)]
    retention_days: String,
    /// 1 to 9; empty for the default.
    #[serde(default)]
    priority: String,
    #[serde(default)]
    dpia: String,
    #[serde(default)]
    requirement: String,
    /// For a change.
    #[serde(default)]
    reason: String,
}

fn ids(text: &str, what: &str) -> Result<Vec<Ident>, WebError> {
    text.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Ident::parse(s).map_err(|e| WebError::BadRequest(format!("{what} {s:?}: {e}"))))
        .collect()
}

fn bad(e: String) -> WebError {
    WebError::BadRequest(e)
}

/// The request a form describes. On a change, an address typed without credentials keeps
/// the stored ones.
fn request(id: Ident, f: &CameraForm) -> Result<CameraRequest, WebError> {
    let retention_days = match f.retention_days.trim() {
        "" => None,
        n => Some(n.parse::<u32>().map_err(|_| {
            bad(format!(
                "the retention period is a number of days, not {n:?}; leave it empty for the scheme's default"
            ))
        })?),
    };
    Ok(CameraRequest {
        id,
        draft: CameraDraft {
            name: f.name.trim().to_owned(),
            site: Ident::parse(f.site.trim()).map_err(|e| bad(format!("site: {e}")))?,
            location: f.location.trim().to_owned(),
            area: f.area.trim().to_owned(),
            kind: f.kind.parse().map_err(bad)?,
            mode: f.mode.parse().map_err(bad)?,
            purposes: ids(&f.purposes, "purpose")?,
            audio: f.audio.is_some(),
            retention_days,
            dpia_ref: f.dpia.trim().to_owned(),
            operational_requirement: f.requirement.trim().to_owned(),
            priority: match f.priority.trim() {
                "" => custos_domain::camera::Priority::DEFAULT,
                p => custos_domain::camera::Priority::parse(p).map_err(bad)?,
            },
        },
        groups: ids(&f.groups, "camera group")?,
        main: RtspAddress::parse(&f.url).map_err(bad)?,
        sub: match f.substream.trim() {
            "" => None,
            s => Some(RtspAddress::parse(s).map_err(bad)?),
        },
        transport: match f.transport.trim() {
            "" => custos_domain::camera::Transport::Tcp,
            t => t.parse().map_err(bad)?,
        },
        audio_reason: Some(f.audio_reason.clone()).filter(|r| !r.trim().is_empty()),
    })
}

fn target_of(req: &CameraRequest) -> Target {
    // Before it exists, a camera is judged by its site and groups; workstation rules bind
    // watching, not managing.
    Target::Located {
        site: req.draft.site.clone(),
        groups: req.groups.clone(),
        workstations: Vec::new(),
    }
}

/// `POST /cameras`: registers a camera.
pub(crate) async fn add(
    State(state): State<AppState>,
    staff: Staff,
    Form(f): Form<CameraForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    staff.require_somewhere(Right::ManageCameras)?;
    let id = Ident::parse(f.id.trim()).map_err(|e| bad(format!("camera id: {e}")))?;
    let req = request(id, &f)?;
    let actor = staff
        .require(&state, Right::ManageCameras, &target_of(&req))
        .await?;
    let c = state.store.add_camera(&actor, &req).await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/cameras/{}", c.id),
        "camera-added",
    ))
    .into_response())
}

/// The recorder's figures, as the camera page shows them (LBU-16).
struct HealthView {
    stream: String,
    state: String,
    since: String,
    last_frame: String,
    fps: String,
    bitrate: String,
    reconnects: i64,
    drift: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "camera.html")]
struct CameraPage {
    banner: Banner,
    camera: CameraView,
    health: Vec<HealthView>,
    fault: Option<String>,
}

impl CameraPage {
    /// Each camera kind: (id, words).
    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        custos_domain::CameraKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.describe()))
            .collect()
    }

    /// Each recording mode: (id, words).
    fn modes(&self) -> Vec<(&'static str, &'static str)> {
        custos_domain::RecordingMode::ALL
            .iter()
            .map(|m| (m.as_str(), m.label()))
            .collect()
    }
}

async fn registered(state: &AppState, staff: &Staff, id: &str) -> Result<Camera, WebError> {
    let camera = match Ident::parse(id) {
        Ok(id) => state.store.camera(&id).await?,
        Err(_) => None,
    };
    match camera {
        Some(c) => Ok(c),
        None => {
            staff.require_somewhere(Right::ManageCameras)?;
            Err(WebError::Store(custos_store::StoreError::NotFound(
                format!("there is no camera {id:?}; the camera register lists them"),
            )))
        }
    }
}

/// `GET /cameras/{id}`: one camera's details.
pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let c = registered(&state, &staff, &id).await?;
    staff
        .require(
            &state,
            Right::ManageCameras,
            &state.store.camera_target(&c).await?,
        )
        .await?;
    let policy = state.store.active_policy().await?;
    let when = |ms: i64| custos_base::UnixMs(ms).to_london_display();
    let health = state
        .store
        .health()
        .await?
        .into_iter()
        .filter(|h| h.camera == c.id)
        .map(|h| HealthView {
            stream: h.stream,
            state: h.state,
            since: when(h.since_unix_ms),
            last_frame: h
                .last_frame_unix_ms
                .map_or_else(|| "none yet".to_owned(), when),
            fps: format!("{:.1}", h.frames_per_s_milli as f64 / 1000.0),
            bitrate: format!("{:.2} Mbit/s", h.bitrate_bps as f64 / 1e6),
            reconnects: h.reconnects,
            drift: format!("{:.1} s", h.drift_ms as f64 / 1000.0),
            detail: h.detail,
        })
        .collect();
    let fault = state
        .store
        .open_faults()
        .await?
        .into_iter()
        .find(|(id, _, _)| *id == c.id)
        .map(|(_, since, reason)| format!("down since {}: {reason}", when(since)));
    Ok(render(
        StatusCode::OK,
        &CameraPage {
            banner: Banner::load(&state, &staff).await?,
            camera: view(&c, policy.as_ref().map(|p| &p.pack)),
            health,
            fault,
        },
    ))
}

/// `POST /cameras/{id}`: changes a camera, with a reason.
pub(crate) async fn change(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(f): Form<CameraForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let c = registered(&state, &staff, &id).await?;
    staff
        .require(
            &state,
            Right::ManageCameras,
            &state.store.camera_target(&c).await?,
        )
        .await?;
    let req = request(c.id.clone(), &f)?;
    // Moving a camera needs the right where it goes, too.
    let actor = staff
        .require(&state, Right::ManageCameras, &target_of(&req))
        .await?;
    state.store.change_camera(&actor, &req, &f.reason).await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/cameras/{}", c.id),
        "camera-changed",
    ))
    .into_response())
}

/// A reason.
#[derive(Debug, Deserialize)]
pub(crate) struct RetireForm {
    csrf: String,
    reason: String,
}

/// `POST /cameras/{id}/retire`
pub(crate) async fn retire(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(f): Form<RetireForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let c = registered(&state, &staff, &id).await?;
    let actor = staff
        .require(
            &state,
            Right::ManageCameras,
            &state.store.camera_target(&c).await?,
        )
        .await?;
    state.store.retire_camera(&actor, &c.id, &f.reason).await?;
    Ok(Redirect::to(&crate::done::to("/cameras", "camera-retired")).into_response())
}
