//! Public pages: the scheme's transparency page (SCC-3, LBU-9, BJS-7, BDC-13), health, and
//! the stylesheet.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use custos_base::UnixMs;
use custos_domain::PolicyPack;
use custos_domain::policy::AudioDefault;

use crate::AppState;
use crate::error::WebError;

#[derive(Template)]
#[template(path = "transparency.html")]
struct TransparencyPage<'a> {
    pack: &'a PolicyPack,
    version: i64,
    loaded_at: String,
    audio_off: bool,
}

#[derive(Template)]
#[template(path = "no_policy.html")]
struct NoPolicyPage;

/// `GET /`: who runs the scheme, why, how long footage is kept, and how to ask or complain.
pub(crate) async fn transparency(State(state): State<AppState>) -> Result<Response, WebError> {
    let Some(active) = state.store.active_policy().await? else {
        return Ok(render(StatusCode::SERVICE_UNAVAILABLE, &NoPolicyPage));
    };
    let page = TransparencyPage {
        pack: &active.pack,
        version: active.meta.version,
        loaded_at: UnixMs(active.meta.loaded_at_unix_ms).to_london_display(),
        audio_off: active.pack.recording.audio_default == AudioDefault::Off,
    };
    Ok(render(StatusCode::OK, &page))
}

/// Renders a template with a status, or a plain 500 if the template fails.
pub(crate) fn render(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be rendered",
            )
                .into_response()
        }
    }
}

/// `GET /healthz`: 200 when the database answers and its schema is current.
pub(crate) async fn health(State(state): State<AppState>) -> Result<&'static str, WebError> {
    state.store.require_current_schema().await?;
    Ok("ok\n")
}

/// Anything else.
pub(crate) async fn not_found() -> Response {
    crate::error::no_route(
        "Page not found",
        "There is no page at this address. If you typed it, check it; if you followed a link, the page may have moved.",
    )
}
