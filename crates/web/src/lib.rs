//! The web front end: server-rendered HTML pages and (later) the JSON API under `/api/v1`.
//!
//! Invariants: handlers stay thin (extract → one store call → render); no SQL here; every
//! error becomes an HTTP status through [`error::status_for`], in one place. The web layer
//! reads the store and never talks to the recorder.

pub mod auth;
pub mod error;
mod pages;
mod staff;

use axum::Router;
use axum::routing::{get, post};
use custos_store::Store;
use tokio::net::TcpListener;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The scheme's store.
    pub store: Store,
}

/// The application's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::transparency))
        .route("/healthz", get(pages::health))
        .route("/static/custos.css", get(pages::stylesheet))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/logout/everywhere", post(auth::logout_everywhere))
        .route("/unlock", post(auth::unlock))
        .route("/logbooks", get(staff::logbooks))
        .route("/logbooks/export.csv", get(staff::logbook_csv))
        .route(
            "/ledger/alarms/{seq}/acknowledge",
            post(staff::acknowledge_alarm),
        )
        .fallback(pages::not_found)
        .with_state(state)
}

/// Serves the application on `listener` until `shutdown` completes, then finishes the
/// requests in flight.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
