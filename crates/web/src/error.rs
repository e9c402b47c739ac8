//! Turning errors into HTTP responses, in one place, and showing them in the right shell.
//!
//! An error page is rendered on the public shell and carries what it says (a [`Shown`]
//! response extension). For a signed-in person on a staff page — or at an address that is
//! no page — [`in_staff_shell`] renders the same title and message again inside the staff
//! shell, so the navigation stays; a refusal by the rules of access also says which roles
//! give the missing right and who manages people here. The JSON API's errors are never
//! touched.
//!
//! Invariants: the status is kept; the page links only to pages the person may open (the
//! navigation is filtered by their rights, and the body links only to their Start page).

use std::sync::{Arc, Mutex};

use askama::Template;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use custos_base::ErrorKind;
use custos_domain::access::{Denial, Right};
use custos_store::StoreError;

use crate::AppState;
use crate::auth::Staff;
use crate::staff::Banner;

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
    /// Refused for a reason someone who manages people here can change (a right the pack
    /// gives only with another, no pack loaded yet): the staff page adds who they are.
    AskManagers(String),
    /// Refused by the rules of access ([`custos_domain::access::decide`]): the denial
    /// names the right that is missing, so the page can say who gives it.
    Denied(Denial),
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

/// What an error page says, carried on its response so that [`in_staff_shell`] can show
/// it again in the staff shell without reading the HTML.
#[derive(Debug, Clone)]
pub(crate) struct Shown {
    title: String,
    message: String,
    /// The refusal by the rules of access, if that is what it is.
    denial: Option<Denial>,
    /// A refusal that those who manage people can lift: the staff page names them.
    ask_managers: bool,
    /// Shown at an address that is no route: in the staff shell for anyone signed in.
    no_route: bool,
}

/// The page for an address that is no route.
pub(crate) fn no_route(title: &str, message: &str) -> Response {
    shown(
        StatusCode::NOT_FOUND,
        Shown {
            title: title.to_owned(),
            message: message.to_owned(),
            denial: None,
            ask_managers: false,
            no_route: true,
        },
    )
}

/// The public shell's error page for `what`, carrying it.
fn shown(status: StatusCode, what: Shown) -> Response {
    let mut res = crate::pages::render(
        status,
        &ErrorPage {
            title: &what.title,
            message: &what.message,
        },
    );
    res.extensions_mut().insert(what);
    res
}

impl WebError {
    /// The status, a title and the message a person or client is shown. Store failures
    /// other than bad input and missing things are logged here and shown only as a status,
    /// with the detail left in the server's log.
    pub fn public(&self) -> (StatusCode, &'static str, String) {
        match self {
            Self::Forbidden(why) | Self::AskManagers(why) => {
                (StatusCode::FORBIDDEN, "Not allowed", why.clone())
            }
            Self::Denied(denial) => (StatusCode::FORBIDDEN, "Not allowed", denial.to_string()),
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
            // The store's refusals are written for the person refused (a covert
            // authorisation's, say, without revealing it).
            Self::Store(custos_store::StoreError::Forbidden(why)) => {
                (StatusCode::FORBIDDEN, "Not allowed", why.clone())
            }
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
        let title = if title == "Something went wrong" {
            format!("{title} ({})", status.as_u16())
        } else {
            title.to_owned()
        };
        shown(
            status,
            Shown {
                title,
                message,
                ask_managers: matches!(self, Self::AskManagers(_)),
                denial: match self {
                    Self::Denied(d) => Some(d),
                    _ => None,
                },
                no_route: false,
            },
        )
    }
}

/// Where the [`Staff`] extractor leaves the signed-in person of a staff page, for
/// [`in_staff_shell`] (empty on public pages, and on the pages that set up a second
/// factor or accept the declaration).
#[derive(Debug, Clone, Default)]
pub(crate) struct StaffSlot(Arc<Mutex<Option<Staff>>>);

impl StaffSlot {
    /// Keeps `staff` for the error page.
    pub(crate) fn put(&self, staff: &Staff) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(staff.clone());
        }
    }

    fn take(&self) -> Option<Staff> {
        self.0.lock().ok().and_then(|mut s| s.take())
    }
}

/// The error page in the staff shell.
#[derive(Template)]
#[template(path = "staff_error.html")]
struct StaffErrorPage {
    banner: Banner,
    title: String,
    message: String,
    /// Who can help, in sentences.
    help: Vec<String>,
}

/// Middleware: shows an error page of a staff page (or of an address that is no page) in
/// the staff shell when someone is signed in, with the same status and headers. Anything
/// else passes untouched, the JSON API's errors included.
pub(crate) async fn in_staff_shell(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    if crate::api::is_api_path(req.uri().path()) {
        return next.run(req).await;
    }
    let slot = StaffSlot::default();
    req.extensions_mut().insert(slot.clone());
    let token = crate::auth::session_token(req.headers());
    let path = req.uri().path().to_owned();
    let (parts, body) = req.into_parts();
    let client = crate::client::from_parts(&parts, &state);
    let res = next.run(Request::from_parts(parts, body)).await;
    let Some(what) = res.extensions().get::<Shown>().cloned() else {
        return res;
    };
    let staff = match (slot.take(), token) {
        (Some(staff), _) => staff,
        (None, Some(token)) if what.no_route => {
            match crate::auth::resolve_client(&state, client, &token).await {
                Ok(staff) => Staff { path, ..staff },
                Err(_) => return res,
            }
        }
        _ => return res,
    };
    match staff_page(&state, staff, &what, res.status()).await {
        Ok(mut page) => {
            for (name, value) in res.headers() {
                if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                    page.headers_mut().insert(name.clone(), value.clone());
                }
            }
            page
        }
        Err(e) => {
            tracing::error!(error = ?e, "the error page could not be shown in the staff shell");
            res
        }
    }
}

async fn staff_page(
    state: &AppState,
    staff: Staff,
    what: &Shown,
    status: StatusCode,
) -> Result<Response, WebError> {
    let staff = Staff {
        done: None,
        ..staff
    };
    let help = match &what.denial {
        Some(denial) => who_can_help(state, &staff, denial).await?,
        None if what.ask_managers => vec![managers_sentence(state, &staff).await?],
        None => Vec::new(),
    };
    let page = StaffErrorPage {
        banner: Banner::load(state, &staff).await?,
        title: what.title.clone(),
        message: what.message.clone(),
        help,
    };
    let html = page
        .render()
        .map_err(|e| WebError::BadRequest(format!("the error page: {e}")))?;
    Ok((status, axum::response::Html(html)).into_response())
}

/// What a refusal adds for the person refused: the roles of the scheme's pack that give
/// the missing right, and who manages people here (by name), who can give it.
async fn who_can_help(
    state: &AppState,
    staff: &Staff,
    denial: &Denial,
) -> Result<Vec<String>, WebError> {
    let mut help = Vec::new();
    if let Denial::NoRight { right, .. } = denial {
        let roles: Vec<String> = staff
            .table
            .roles_with(*right)
            .into_iter()
            .map(|r| custos_domain::role::display_name(r.as_str()))
            .collect();
        if !roles.is_empty() {
            help.push(format!(
                "To {} you need {}: {}.",
                right.describe(),
                if roles.len() == 1 {
                    "this role"
                } else {
                    "one of these roles"
                },
                roles.join(", ")
            ));
        }
    }
    // A trainee waits for an operator on duty, not for a manager.
    if !matches!(denial, Denial::NoLicensedOperatorOnDuty { .. }) {
        help.push(managers_sentence(state, staff).await?);
    }
    Ok(help)
}

/// "Ask A or B, who manage people here.": the enabled accounts (not the person's own)
/// whose roles over the whole scheme let them manage people.
async fn managers_sentence(state: &AppState, staff: &Staff) -> Result<String, WebError> {
    let me = &staff.info.subject.username;
    let names: Vec<String> = state
        .store
        .users()
        .await?
        .into_iter()
        .filter(|u| !u.disabled && &u.username != me)
        .filter(|u| {
            u.assignments.iter().any(|a| {
                a.scope == custos_domain::access::Scope::Scheme
                    && staff
                        .table
                        .rights(a.role.as_str())
                        .contains(&Right::ManageUsers)
            })
        })
        .map(|u| u.display_name)
        .collect();
    Ok(match names.as_slice() {
        [] => "Ask the scheme's owner, who answers for who may do what here.".to_owned(),
        [one] => format!("Ask {one}, who manages people here."),
        [rest @ .., last] => format!("Ask {} or {last}, who manage people here.", rest.join(", ")),
    })
}
