//! Camera groups on the web: the groups a person may watch, and each group's page, which is
//! where its cameras are watched (ALT-5, ALT-21), only from its registered workstations
//! (LJM-8, LBU-5).
//!
//! Invariants: a group's page is shown only after [`Staff::require`] allows `view-live` on
//! that group from this request's address; a refusal by a workstation rule is ledgered
//! there; the list shows only groups the person's roles reach.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use custos_domain::Ident;
use custos_domain::access::{Denial, Right, decide};
use custos_store::CameraGroup;

use crate::AppState;
use crate::auth::Staff;
use crate::error::WebError;
use crate::pages::render;
use crate::staff::Banner;

struct GroupRow {
    id: String,
    name: String,
    site: String,
    workstations: String,
    /// Whether it may be watched from here.
    here: bool,
}

#[derive(Template)]
#[template(path = "groups.html")]
struct GroupsPage {
    banner: Banner,
    groups: Vec<GroupRow>,
    address: String,
}

/// `GET /groups`
pub(crate) async fn list(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, WebError> {
    let mut groups = Vec::new();
    for g in state.store.camera_groups().await? {
        match decide(
            &staff.table,
            &staff.info.subject,
            Right::ViewLive,
            &g.target(),
        ) {
            Ok(_) => groups.push(row(&g, true)),
            Err(Denial::Workstation { .. }) => groups.push(row(&g, false)),
            Err(_) => {}
        }
    }
    if groups.is_empty() {
        // Nothing to list: say why, as for any other refusal, if the person may not watch
        // cameras anywhere.
        staff.require_somewhere(Right::ViewLive)?;
    }
    Ok(render(
        StatusCode::OK,
        &GroupsPage {
            banner: Banner::load(&state, &staff).await?,
            groups,
            address: staff
                .info
                .subject
                .client
                .map_or_else(|| "unknown".to_owned(), |a| a.to_string()),
        },
    ))
}

fn row(g: &CameraGroup, here: bool) -> GroupRow {
    GroupRow {
        id: g.id.to_string(),
        name: g.name.clone(),
        site: g.site.to_string(),
        workstations: g.networks_text(),
        here,
    }
}

#[derive(Template)]
#[template(path = "group.html")]
struct GroupPage {
    banner: Banner,
    group: GroupRow,
    cameras: Vec<crate::cameras::CameraView>,
}

/// `GET /groups/{id}`: the group's page, where its cameras are watched.
pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let group = match Ident::parse(&id) {
        Ok(id) => state.store.camera_group(&id).await?,
        Err(_) => None,
    };
    let Some(group) = group else {
        staff.require_somewhere(Right::ViewLive)?;
        return Err(WebError::Store(custos_store::StoreError::NotFound(
            format!("there is no camera group {id:?}; the Cameras page lists those you may watch"),
        )));
    };
    staff
        .require(&state, Right::ViewLive, &group.target())
        .await?;
    let cameras = state
        .store
        .cameras_in_group(&group.id)
        .await?
        .iter()
        .map(|c| crate::cameras::view(c, None))
        .collect();
    Ok(render(
        StatusCode::OK,
        &GroupPage {
            banner: Banner::load(&state, &staff).await?,
            group: row(&group, true),
            cameras,
        },
    ))
}
