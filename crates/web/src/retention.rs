//! Retention on the web (BJS-4, BJS-8, LBU-17, ALT-8, BDC-28): the retention report with the
//! last sweep, the holds in force, placing a hold, and releasing one.
//!
//! Invariants: the report is for those who read the logbooks; placing a hold needs
//! `manage-holds` on every camera it names (from this workstation); releasing one needs
//! `authorise-deletion` (ALT-8, LJM-9), and the person releasing is the one recorded; the
//! store writes every change's ledger entry.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use custos_base::UnixMs;
use custos_domain::Ident;
use custos_domain::access::{Right, Target};
use custos_domain::retention::{DAY_MS, HoldRequest};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Staff;
use crate::error::WebError;
use crate::pages::render;
use crate::staff::Banner;

struct Row {
    camera: String,
    name: String,
    keep: String,
    oldest: String,
    newest: String,
    segments: u64,
    holds: usize,
    deleted: u64,
    flagged: bool,
    status: String,
}

struct HoldView {
    id: String,
    cameras: String,
    range: String,
    class: String,
    reason: String,
    owner: String,
    /// When it expires, written out.
    expires: String,
    case_ref: String,
}

/// An evidence class offered in the hold form.
struct ClassChoice {
    id: String,
    name: String,
    period: String,
    description: String,
}

#[derive(Template)]
#[template(path = "retention.html")]
struct RetentionPage {
    banner: Banner,
    last_sweep: Option<String>,
    rows: Vec<Row>,
    holds: Vec<HoldView>,
    may_hold: bool,
    may_release: bool,
    classes: Vec<ClassChoice>,
    cameras: Vec<crate::forms::CameraChoice>,
    me: String,
    /// Who may own a hold: (user name, name).
    people: Vec<(String, String)>,
}

fn when(ms: Option<i64>) -> String {
    ms.map_or_else(|| "—".to_owned(), |m| UnixMs(m).to_london_display())
}

/// The last sweep in words, for the Start page and this page.
pub(crate) async fn last_sweep(state: &AppState) -> Result<Option<String>, WebError> {
    Ok(state.store.last_sweep().await?.map(|e| {
        format!(
            "{}: {}",
            UnixMs(e.at_unix_ms).to_london_display(),
            custos_store::retention::describe_sweep(&e.body)
        )
    }))
}

/// `GET /retention`
pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, WebError> {
    staff.require_somewhere(Right::ReadLogbooks)?;
    let now = state.store.clock().now().0;
    let report = state.store.retention_report(now - 30 * DAY_MS).await?;
    let rows = report
        .iter()
        .map(|r| Row {
            camera: r.camera.to_string(),
            name: r.name.clone(),
            keep: format!("{} days", r.retention_days),
            oldest: when(r.oldest_unix_ms),
            newest: when(r.newest_unix_ms),
            segments: r.segments,
            holds: r.holds.len(),
            deleted: r.deleted_in_period,
            flagged: r.flagged(),
            status: if r.flagged() {
                format!(
                    "{} segment(s) kept past the limit, oldest from {}",
                    r.overdue_segments,
                    when(r.oldest_overdue_unix_ms)
                )
            } else {
                "within its limit".to_owned()
            },
        })
        .collect();
    let names = crate::staff::names(&state).await?;
    let policy = state.store.active_policy().await?;
    let class_names: std::collections::BTreeMap<String, String> = policy
        .as_ref()
        .map(|p| {
            p.pack
                .retention
                .classes
                .iter()
                .map(|c| (c.id.to_string(), c.id.words()))
                .collect()
        })
        .unwrap_or_default();
    let holds = state
        .store
        .holds(false)
        .await?
        .into_iter()
        .map(|h| HoldView {
            cameras: h
                .cameras
                .iter()
                .map(|c| names.camera(c.as_str()))
                .collect::<Vec<_>>()
                .join(", "),
            range: format!(
                "{} to {}",
                UnixMs(h.from_unix_ms).to_london_display(),
                UnixMs(h.to_unix_ms).to_london_display()
            ),
            class: class_names
                .get(&h.class)
                .cloned()
                .unwrap_or_else(|| h.class.clone()),
            reason: h.reason,
            owner: names.who(&h.owner),
            expires: UnixMs(h.expires_at_unix_ms).to_london_long(),
            case_ref: h.case_ref.unwrap_or_default(),
            id: h.id,
        })
        .collect();
    let classes = policy
        .map(|p| {
            p.pack
                .retention
                .classes
                .iter()
                .map(|c| ClassChoice {
                    id: c.id.to_string(),
                    name: c.id.words(),
                    period: c.period.to_string(),
                    description: c.description.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let cameras = state
        .store
        .cameras(false)
        .await?
        .into_iter()
        .map(|c| (c.id.to_string(), c.draft.name))
        .collect();
    let cameras = crate::forms::camera_choices(cameras, "");
    Ok(render(
        StatusCode::OK,
        &RetentionPage {
            banner: Banner::load(&state, &staff).await?,
            last_sweep: last_sweep(&state).await?,
            rows,
            holds,
            may_hold: staff.holds(Right::ManageHolds),
            may_release: staff.holds(Right::AuthoriseDeletion),
            classes,
            cameras,
            me: staff.info.subject.username.clone(),
            people: names.people.clone().into_iter().collect(),
        },
    ))
}

/// The hold form.
#[derive(Debug, Deserialize)]
pub(crate) struct HoldForm {
    csrf: String,
    /// One or more camera ids, comma-separated (one per ticked box).
    #[serde(default)]
    cameras: String,
    from: String,
    to: String,
    #[serde(default)]
    class: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    case_ref: String,
}

/// `POST /holds`: places a hold on the named cameras (comma-separated ids).
pub(crate) async fn place(
    State(state): State<AppState>,
    staff: Staff,
    crate::forms::ListForm(f): crate::forms::ListForm<HoldForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    staff.require_somewhere(Right::ManageHolds)?;
    let mut cameras = Vec::new();
    let mut actor = staff.actor();
    for id in f.cameras.split([',', ' ']).filter(|s| !s.trim().is_empty()) {
        let id = Ident::parse(id.trim()).map_err(|e| WebError::BadRequest(e.to_string()))?;
        let Some(c) = state.store.camera(&id).await? else {
            return Err(WebError::Store(custos_store::StoreError::NotFound(
                format!("there is no camera {id}"),
            )));
        };
        actor = staff
            .require(
                &state,
                Right::ManageHolds,
                &state.store.camera_target(&c).await?,
            )
            .await?;
        cameras.push(id);
    }
    let time = |t: &str, what: &str| {
        UnixMs::parse_uk_local(t)
            .map(|u| u.0)
            .map_err(|e| WebError::BadRequest(format!("{what}: {e}")))
    };
    let req = HoldRequest {
        cameras,
        from_unix_ms: time(&f.from, "From")?,
        to_unix_ms: time(&f.to, "To")?,
        class: Ident::parse(f.class.trim()).map_err(|_| {
            WebError::BadRequest("choose the evidence class the footage is held under".to_owned())
        })?,
        reason: f.reason,
        owner: if f.owner.trim().is_empty() {
            staff.info.subject.username.clone()
        } else {
            f.owner.trim().to_owned()
        },
        until_unix_ms: if f.until.trim().is_empty() {
            None
        } else {
            Some(
                UnixMs::parse_bound(&f.until, true)
                    .map_err(|e| WebError::BadRequest(format!("Until: {e}")))?
                    .0,
            )
        },
        case_ref: Some(f.case_ref),
    };
    state.store.place_hold(&actor, &req).await?;
    Ok(Redirect::to(&crate::done::to("/retention#holds", "hold-placed")).into_response())
}

/// Why a hold ends early, and when: a day to keep the footage until, or now.
#[derive(Debug, Deserialize)]
pub(crate) struct ReleaseForm {
    csrf: String,
    #[serde(default)]
    reason: String,
    /// The last day the footage is kept (`YYYY-MM-DD`); empty to release it now.
    #[serde(default)]
    until: String,
    /// `yes` from the confirmation page.
    confirm: Option<String>,
}

/// `POST /holds/{id}/release`: ends a hold now, or brings its end forward to the end of
/// the day given (ALT-8: by someone who may authorise deleting retained footage); either
/// after a page that says what will happen.
pub(crate) async fn release(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(f): Form<ReleaseForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let actor = staff
        .require(&state, Right::AuthoriseDeletion, &Target::Scheme)
        .await?;
    let until = until(&f.until)?;
    if !crate::confirm::confirmed(f.confirm.as_deref()) {
        return confirm_release(&state, &staff, &id, &f, until).await;
    }
    match until {
        None => {
            state
                .store
                .release_hold(&actor, &id, &f.reason, None)
                .await?;
            Ok(Redirect::to(&crate::done::to("/retention#holds", "hold-released")).into_response())
        }
        Some(u) => {
            state
                .store
                .shorten_hold(&actor, &id, u.0, &f.reason, None)
                .await?;
            Ok(
                Redirect::to(&crate::done::to("/retention#holds", "hold-shortened"))
                    .into_response(),
            )
        }
    }
}

/// The end of the day `day` (UK time), or `None` when it is empty.
fn until(day: &str) -> Result<Option<UnixMs>, WebError> {
    if day.trim().is_empty() {
        return Ok(None);
    }
    UnixMs::parse_bound(day.trim(), true)
        .map(Some)
        .map_err(|e| WebError::BadRequest(format!("Keep it until: {e}")))
}

/// The page that asks before hold `id` is released, naming the footage it keeps.
async fn confirm_release(
    state: &AppState,
    staff: &Staff,
    id: &str,
    f: &ReleaseForm,
    until: Option<UnixMs>,
) -> Result<Response, WebError> {
    let Some(hold) = state.store.hold(id.trim()).await? else {
        return Err(WebError::Store(custos_store::StoreError::NotFound(
            format!("there is no hold {id}"),
        )));
    };
    if !hold.active(state.store.clock().now().0) {
        return Err(WebError::BadRequest(format!(
            "hold {} no longer holds anything (it was released or has expired)",
            hold.id
        )));
    }
    if f.reason.trim().chars().count() < 5 {
        return Err(WebError::BadRequest(
            "say why the hold ends early: the footage becomes deletable, so the ledger must say why"
                .to_owned(),
        ));
    }
    let ids: Vec<&str> = hold.cameras.iter().map(Ident::as_str).collect();
    let cameras = crate::confirm::camera_names(state, &ids).await?;
    let footage = format!(
        "the footage of {cameras} {}",
        crate::confirm::span(hold.from_unix_ms, hold.to_unix_ms)
    );
    let case = hold
        .case_ref
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(|c| format!(" for {c}"))
        .unwrap_or_default();
    let (title, first, confirm) = match until {
        None => (
            "Release this hold?",
            format!("You are about to release the hold{case} that keeps {footage}."),
            "Release the hold",
        ),
        Some(u) => {
            if u.0 >= hold.expires_at_unix_ms {
                return Err(WebError::BadRequest(format!(
                    "Keep it until: choose a day before {}, when the hold ends anyway",
                    UnixMs(hold.expires_at_unix_ms).to_london_long()
                )));
            }
            (
                "Shorten this hold?",
                format!(
                    "You are about to shorten the hold{case} that keeps {footage}: it will end on {} instead of {}.",
                    u.to_london_long(),
                    UnixMs(hold.expires_at_unix_ms).to_london_long()
                ),
                "Shorten the hold",
            )
        }
    };
    crate::confirm::page(
        state,
        staff,
        crate::confirm::Confirmation {
            title: title.to_owned(),
            sentences: vec![
                first,
                "Once the hold ends, that footage will be erased on the normal schedule: whatever is past its retention period goes at the next hourly sweep, and the rest when its time comes.".to_owned(),
                format!("The reason kept in the ledger: {}", f.reason.trim()),
            ],
            undo: "This cannot be undone: erased footage cannot be brought back.".to_owned(),
            action: format!("/holds/{}/release", hold.id),
            fields: vec![
                ("csrf", f.csrf.clone()),
                ("reason", f.reason.clone()),
                ("until", f.until.clone()),
            ],
            confirm: confirm.to_owned(),
            cancel: "/retention#holds".to_owned(),
        },
    )
    .await
}
