//! Turning errors into HTTP responses, in one place.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use custos_base::ErrorKind;
use custos_store::StoreError;

/// The HTTP status for an error kind.
pub fn status_for(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::InvalidInput => StatusCode::BAD_REQUEST,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::PermissionDenied => StatusCode::FORBIDDEN,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Unavailable | ErrorKind::Unsupported => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Corrupt | ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An error on its way to becoming a page.
#[derive(Debug)]
pub struct WebError(pub StoreError);

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        Self(e)
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = status_for(self.0.kind());
        tracing::error!(error = %self.0, status = status.as_u16(), "request failed");
        // The detail is in the server log; the page says what a visitor can do.
        let body = format!(
            "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Custos: {code}</title>\
             <h1>Something went wrong ({code})</h1><p>The server could not complete this request. \
             The details are in the server's log; please tell the scheme's contact point.</p></html>",
            code = status.as_u16()
        );
        (status, Html(body)).into_response()
    }
}
