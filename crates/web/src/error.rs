//! Turning errors into HTTP responses, in one place.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
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
pub enum WebError {
    /// The store failed or refused; its kind decides the status.
    Store(StoreError),
    /// Refused: the message says why and what to do (it is shown to the person).
    Forbidden(String),
    /// The request was malformed; the message says what is wrong.
    BadRequest(String),
    /// The person holds too many of something (live streams) already: 429, with what to
    /// do about it.
    TooMany(String),
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

/// The page an error is shown on, in the design of every page.
#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
}

/// An error page with `status`, `title` and `message`.
pub(crate) fn page(status: StatusCode, title: &str, message: &str) -> Response {
    crate::pages::render(status, &ErrorPage { title, message })
}

impl WebError {
    /// The status, a title and the message a person or client is shown. Store failures
    /// other than bad input and missing things are logged here and shown only as a status,
    /// with the detail left in the server's log.
    pub fn public(&self) -> (StatusCode, &'static str, String) {
        match self {
            Self::Forbidden(why) => (StatusCode::FORBIDDEN, "Not allowed", why.clone()),
            Self::BadRequest(why) => (
                StatusCode::BAD_REQUEST,
                "Please check the request",
                why.clone(),
            ),
            Self::TooMany(why) => (
                StatusCode::TOO_MANY_REQUESTS,
                "Too many at once",
                why.clone(),
            ),
            Self::Store(e) => {
                let status = status_for(e.kind());
                if status == StatusCode::BAD_REQUEST
                    || status == StatusCode::NOT_FOUND
                    || status == StatusCode::CONFLICT
                {
                    // The store's message says what is wrong and how to fix it.
                    return (status, "Please check the request", e.to_string());
                }
                tracing::error!(error = %e, status = status.as_u16(), "request failed");
                (
                    status,
                    "Something went wrong",
                    "The server could not complete this request. The details are in the server's log; please tell the scheme's contact point.".to_owned(),
                )
            }
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, title, message) = self.public();
        if title == "Something went wrong" {
            return page(status, &format!("{title} ({})", status.as_u16()), &message);
        }
        page(status, title, &message)
    }
}
