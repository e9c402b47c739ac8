//! The JSON API under `/api/v1`, for integrations: the same people, rights and gates as the
//! pages, in JSON. Its OpenAPI document ([`openapi_json`]) is derived from the handlers and
//! types below, served at `/api/v1/openapi.json`, printed by `custos openapi`, and checked
//! against `docs/ref/openapi.json` by the tests.
//!
//! Invariants:
//! - A caller is a signed-in session, named by `Authorization: Bearer TOKEN` (a token from
//!   `POST /api/v1/sessions`). Cookies are ignored here, so a browser cannot be tricked into
//!   calling the API (no CSRF), and a page's session cannot be used without its token.
//! - The session becomes a person through [`auth::resolve`], as for the pages: the idle
//!   limit, a mandatory second factor and the declaration (BDC-7) hold for the API too.
//! - Every right is decided by `domain::access::decide` through [`Staff::require`], and a
//!   review is opened, played and finished through the same functions as the pages
//!   ([`review`]), so the API cannot reach footage the pages would refuse.
//! - Every error under `/api/v1` is JSON, `{"status": N, "error": "what is wrong and what to
//!   do"}` ([`ErrorBody`]): the handlers' own refusals, bodies, query strings and paths that
//!   do not parse ([`Body`], [`Params`], [`Segment`]), paths that are no call
//!   ([`no_such_call`]), methods a call does not take ([`wrong_method`]), and the errors of
//!   the code shared with the pages (live view's 502, playback's 416) ([`relay`]).
//! - The document says every status each call can answer, with the headers that come with
//!   it (`WWW-Authenticate` on 401, `Retry-After` on 503, `Content-Range` on 206 and 416),
//!   the formats of dates and times and the fields that may not be empty; the server refuses
//!   with 400 what the document says is not allowed. `scripts/api-check` holds the server
//!   to the document with schemathesis, a tool Custos did not write.

use axum::Json;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use custos_base::UnixMs;
use custos_domain::Ident;
use custos_domain::access::{Right, Username};
use custos_domain::ledger::Book;
use custos_store::reviews::ReviewRequest;
use custos_store::{SignIn, SignInAttempt};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

pub(crate) mod bodyworn;
pub(crate) mod cases;
pub(crate) mod checks;
pub(crate) mod covert;
pub(crate) mod deployments;
pub(crate) mod equipment;
pub(crate) mod incidents;
pub(crate) mod maintenance;
pub(crate) mod police_control;
pub(crate) mod prints;
pub(crate) mod visitors;

use crate::AppState;
use crate::auth::{self, Refusal, Staff};
use crate::client::ClientAddr;
use crate::error::WebError;
use crate::review;

/// An error, as every API call reports it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The HTTP status.
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// What is wrong and what to do about it.
    #[schema(min_length = 1)]
    pub error: String,
}

/// An error on its way to becoming JSON.
#[derive(Debug)]
pub enum ApiError {
    /// A refusal or failure shared with the pages.
    Web(WebError),
    /// No usable session: 401.
    Unauthorized(String),
    /// Too many attempts: 429.
    TooMany(String),
    /// Refused for a reason the caller can fix: 403.
    Forbidden(String),
    /// The server is too busy now: 503, with `Retry-After`.
    Busy(String),
    /// A path under `/api/v1` that is no call: 404.
    NoSuchCall(String),
    /// A method the call does not take: 405 (the router adds `Allow`).
    WrongMethod(String),
    /// An error that code shared with the pages answered in another form (live view's 502,
    /// playback's 416), with its status kept.
    Relayed(StatusCode, String),
}

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        Self::Web(e)
    }
}

impl From<custos_store::StoreError> for ApiError {
    fn from(e: custos_store::StoreError) -> Self {
        Self::Web(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error) = match self {
            Self::Web(e) => {
                let (status, _, message) = e.public();
                (status, message)
            }
            Self::Unauthorized(m) => (StatusCode::UNAUTHORIZED, m),
            Self::TooMany(m) => (StatusCode::TOO_MANY_REQUESTS, m),
            Self::Forbidden(m) => (StatusCode::FORBIDDEN, m),
            Self::Busy(m) => (StatusCode::SERVICE_UNAVAILABLE, m),
            Self::NoSuchCall(m) => (StatusCode::NOT_FOUND, m),
            Self::WrongMethod(m) => (StatusCode::METHOD_NOT_ALLOWED, m),
            Self::Relayed(status, m) => (status, m),
        };
        let mut res = (
            status,
            Json(ErrorBody {
                status: status.as_u16(),
                error,
            }),
        )
            .into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
        }
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer realm=\"custos\""),
            );
        }
        res
    }
}

/// The token from `Authorization: Bearer TOKEN`.
fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.trim().split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .then(|| token.trim().to_owned())
}

/// The signed-in person behind an API call.
pub(crate) struct Caller(pub(crate) Staff);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = bearer(&parts.headers) else {
            return Err(ApiError::Unauthorized(
                "send `Authorization: Bearer TOKEN`, with a token from POST /api/v1/sessions"
                    .to_owned(),
            ));
        };
        // Reading and accepting the declaration is open before it is accepted.
        let exempt = parts.uri.path() == "/api/v1/declaration";
        match auth::resolve(state, parts, &token, exempt).await {
            Ok(staff) => Ok(Caller(staff)),
            Err(Refusal::NoSession) => Err(ApiError::Unauthorized(
                "this session has ended or the token is not right; sign in again with POST /api/v1/sessions".to_owned(),
            )),
            Err(Refusal::Locked(_, minutes)) => Err(ApiError::Unauthorized(format!(
                "this session was idle for longer than the scheme allows ({minutes} minutes) and is locked; sign in again with POST /api/v1/sessions"
            ))),
            Err(Refusal::NeedsMfa) => Err(ApiError::Web(WebError::Forbidden(
                "the scheme requires a second factor for your role: set it up in the browser (it asks at sign-in), then sign in here with its code".to_owned(),
            ))),
            Err(Refusal::NeedsDeclaration) => Err(ApiError::Web(WebError::Forbidden(
                "accept the scheme's confidentiality declaration first: read it with GET /api/v1/declaration and accept it with POST /api/v1/declaration, or sign in in the browser".to_owned(),
            ))),
            Err(Refusal::Error(e)) => Err(ApiError::Web(e)),
        }
    }
}

/// A JSON body, with a clear error when it does not parse.
pub(crate) struct Body<T>(T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Self(v)),
            Err(e) => Err(ApiError::Web(WebError::BadRequest(format!(
                "the request body is not what this call takes ({}); send JSON as the API document (/api/v1/openapi.json) describes",
                e.body_text()
            )))),
        }
    }
}

/// Query parameters, with a JSON 400 that names the one that is wrong.
pub(crate) struct Params<T>(T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(Self(v)),
            Err(e) => Err(ApiError::Web(WebError::BadRequest(format!(
                "the query string is not what this call takes ({}); give only the parameters the API document (/api/v1/openapi.json) lists for it, in their formats",
                e.body_text()
            )))),
        }
    }
}

/// Path parameters (`{id}`, `{grant}`, `{book}`), with a JSON 400 when one cannot be read
/// (a percent-encoding that is not UTF-8).
pub(crate) struct Segment<T>(T);

impl<T: serde::de::DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Segment<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(Self(v)),
            Err(e) => Err(ApiError::Web(WebError::BadRequest(format!(
                "the path cannot be read ({}); send the path with UTF-8 text, percent-encoded",
                e.body_text()
            )))),
        }
    }
}

/// Whether `path` is in the API's namespace, where every answer is JSON.
pub(crate) fn is_api_path(path: &str) -> bool {
    path == "/api/v1" || path.starts_with("/api/v1/")
}

/// At most `max` characters of what a client sent, to quote it back.
fn quoted(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

/// A path under `/api/v1` that is no call: 404, in JSON (the pages answer HTML).
pub(crate) async fn no_such_call(uri: axum::http::Uri) -> ApiError {
    ApiError::NoSuchCall(format!(
        "there is no call at {}; the calls are listed in the API document, /api/v1/openapi.json",
        quoted(uri.path(), 200)
    ))
}

/// A call asked with a method it does not take: 405, in JSON; the router adds `Allow`
/// with the methods it does take.
pub(crate) async fn wrong_method(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::WrongMethod(format!(
        "{} does not take {}; the `Allow` header names the methods it takes, and the API document (/api/v1/openapi.json) describes them",
        quoted(uri.path(), 200),
        quoted(method.as_str(), 20)
    ))
}

/// The most of an error's text that [`relay`] reads.
const RELAYED_TEXT_BYTES: usize = 4096;

/// `res` from code shared with the pages, with an error that is not JSON (live view's 502
/// in text, playback's 416 without a body) made JSON in the API's shape. Its other headers
/// (`Content-Range` on a 416) are kept; anything else passes unchanged.
async fn relay(res: Response) -> Response {
    let status = res.status();
    let json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json || !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let (parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, RELAYED_TEXT_BYTES)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let range = parts
        .headers
        .get(header::CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let message = match (text.is_empty(), status, &range) {
        (false, _, _) => text,
        (true, StatusCode::RANGE_NOT_SATISFIABLE, Some(r)) => format!(
            "the range asked for is not within the video ({r}); ask for `Range: bytes=A-B` within its length, or leave `Range` out for all of it"
        ),
        (true, _, _) => format!(
            "the server answered {status} for this call; the API document (/api/v1/openapi.json) says what each status means"
        ),
    };
    let mut out = ApiError::Relayed(status, message).into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}

/// `POST /api/v1/sessions`
#[derive(Debug, Deserialize, ToSchema)]
pub struct SignInRequest {
    /// The user name.
    #[schema(min_length = 1, example = "wall-display")]
    pub username: String,
    /// The password.
    #[schema(min_length = 1)]
    pub password: String,
    /// The authenticator app's current code, for accounts with a second factor.
    #[serde(default)]
    #[schema(example = "123456")]
    pub code: Option<String>,
}

/// A new session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionCreated {
    /// The session token: send it as `Authorization: Bearer TOKEN`. Keep it secret.
    #[schema(min_length = 1)]
    pub token: String,
    /// When the session ends at the latest (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub expires_at: String,
    /// The session locks after this many idle minutes (LBU-14); sign in again then.
    pub idle_lock_minutes: u32,
}

/// Signs in. The same accounts, throttling and second factor as the sign-in page; every
/// attempt is ledgered.
#[utoipa::path(
    post,
    path = "/api/v1/sessions",
    tag = "sessions",
    request_body = SignInRequest,
    security(()),
    responses(
        (status = 201, description = "Signed in", body = SessionCreated),
        (status = 400, description = "The body is not JSON of this shape, or the user name or password is empty", body = ErrorBody),
        (status = 401, description = "Wrong name, password or code, or a disabled account", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"custos\"`"))),
        (status = 403, description = "The account's role needs a second factor, not yet set up on the web", body = ErrorBody),
        (status = 429, description = "Too many attempts from this address", body = ErrorBody),
        (status = 503, description = "Too many sign-ins being checked at once, or the database cannot be reached; try again after Retry-After seconds", body = ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
    )
)]
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    client: Result<ClientAddr, WebError>,
    Body(req): Body<SignInRequest>,
) -> Result<Response, ApiError> {
    let ClientAddr(client) = client?;
    // Refused before any attempt is counted: there is nothing to check.
    if req.username.trim().is_empty() || req.password.is_empty() {
        return Err(WebError::BadRequest(
            "give both `username` and `password` (neither may be empty)".to_owned(),
        )
        .into());
    }
    let refused = || {
        ApiError::Unauthorized(
            "the user name, password or code is not right, or the account is disabled".to_owned(),
        )
    };
    let source = client.to_string();
    let signed = state
        .store
        .sign_in_api(
            SignInAttempt {
                name: req.username.trim(),
                password: &req.password,
                code: req.code.as_deref().filter(|c| !c.trim().is_empty()),
                source: &source,
            },
            auth::SESSION_LIFETIME_MS,
        )
        .await?;
    match signed {
        SignIn::Refused | SignIn::AccountLocked { .. } => Err(refused()),
        SignIn::SecondFactorNotSetUp => Err(ApiError::Forbidden(
            "your role needs a second factor: sign in on the web once to set it up, then give its code here".to_owned(),
        )),
        SignIn::SourceThrottled { until_unix_ms } => Err(ApiError::TooMany(format!(
            "too many sign-in attempts from this address; try again after {}",
            UnixMs(until_unix_ms).to_rfc3339()
        ))),
        SignIn::Busy => Err(ApiError::Busy(
            "the server is busy checking other sign-ins; try again in a few seconds".to_owned(),
        )),
        SignIn::Signed(session) => {
            let minutes = state
                .store
                .active_policy()
                .await?
                .map_or(0, |p| p.pack.access.idle_lock_minutes);
            let expires = UnixMs(state.store.clock().now().0 + auth::SESSION_LIFETIME_MS);
            Ok((
                StatusCode::CREATED,
                Json(SessionCreated {
                    token: session.token,
                    expires_at: expires.to_rfc3339(),
                    idle_lock_minutes: minutes,
                }),
            )
                .into_response())
        }
    }
}

/// Ends the calling session (ledgered).
#[utoipa::path(
    post,
    path = "/api/v1/sessions/end",
    tag = "sessions",
    responses(
        (status = 204, description = "Signed out"),
    )
)]
pub(crate) async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    // Not through `Caller`: a holder can end their own token in any state (locked, before
    // the declaration is accepted or the second factor set up).
    let Some(token) = bearer(&headers) else {
        return Err(ApiError::Unauthorized(
            "send `Authorization: Bearer TOKEN` with the token to end".to_owned(),
        ));
    };
    if state.store.end_own_session(&token).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::Unauthorized(
            "this session has already ended or the token is not right".to_owned(),
        ))
    }
}

/// The scheme's confidentiality declaration (BDC-7).
#[derive(Debug, Serialize, ToSchema)]
pub struct DeclarationView {
    /// Its text, in force now.
    #[schema(min_length = 1)]
    pub text: String,
    /// Whether the caller has accepted this text.
    pub accepted: bool,
}

/// The confidentiality declaration every user accepts before using the scheme, and again
/// when its text changes (BDC-7). Open before it is accepted.
#[utoipa::path(
    get,
    path = "/api/v1/declaration",
    tag = "sessions",
    responses(
        (status = 200, description = "The text and whether the caller accepted it", body = DeclarationView),
        (status = 403, description = "The caller's role needs a second factor, not yet set up", body = ErrorBody),
    )
)]
pub(crate) async fn declaration(
    State(state): State<AppState>,
    Caller(staff): Caller,
) -> Result<Json<DeclarationView>, ApiError> {
    let text = crate::account::declaration_text(&state).await?;
    let name = Username::parse(&staff.info.subject.username).map_err(WebError::BadRequest)?;
    let accepted = state.store.has_accepted_declaration(&name, &text).await?;
    Ok(Json(DeclarationView { text, accepted }))
}

/// Accepting the declaration: the text read, sent back.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeclarationAccept {
    /// The declaration's text exactly as `GET /api/v1/declaration` gave it.
    #[schema(min_length = 1)]
    pub text: String,
}

/// Accepts the declaration (ledgered). The text must be the one in force, so that what
/// was accepted is what was read.
#[utoipa::path(
    post,
    path = "/api/v1/declaration",
    tag = "sessions",
    request_body = DeclarationAccept,
    responses(
        (status = 204, description = "Accepted"),
        (status = 400, description = "The body is not JSON of this shape, or not the text in force", body = ErrorBody),
        (status = 403, description = "The caller's role needs a second factor, not yet set up", body = ErrorBody),
    )
)]
pub(crate) async fn accept_declaration(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Body(req): Body<DeclarationAccept>,
) -> Result<StatusCode, ApiError> {
    let text = crate::account::declaration_text(&state).await?;
    if req.text != text {
        return Err(WebError::BadRequest(
            "that is not the declaration in force (it may have changed): read it again with GET /api/v1/declaration and send back its text".to_owned(),
        )
        .into());
    }
    let name = Username::parse(&staff.info.subject.username).map_err(WebError::BadRequest)?;
    state
        .store
        .accept_declaration(&staff.actor(), &name, &text)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A camera the caller may watch live or review.
#[derive(Debug, Serialize, ToSchema)]
pub struct CameraView {
    /// The camera's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its site.
    pub site: String,
    /// Where it is.
    pub location: String,
    /// How it records: `continuous`, `live-only`, `alarm-triggered` or `on-demand`.
    pub mode: String,
    /// The scheme's purposes a review of it may serve.
    pub purposes: Vec<String>,
    /// Whether the caller may watch it live from here (`GET .../live.mp4`).
    pub may_watch_live: bool,
    /// Whether the caller may review its recordings from here.
    pub may_review: bool,
}

/// The cameras in service that the caller may watch live or review from where they are.
#[utoipa::path(
    get,
    path = "/api/v1/cameras",
    tag = "cameras",
    responses(
        (status = 200, description = "The cameras, possibly none", body = Vec<CameraView>),
        (status = 403, description = "The declaration is not accepted yet, or the caller's role needs a second factor not yet set up", body = ErrorBody),
    )
)]
pub(crate) async fn cameras(
    State(state): State<AppState>,
    Caller(staff): Caller,
) -> Result<Json<Vec<CameraView>>, ApiError> {
    let mut out = Vec::new();
    for c in state.store.cameras(false).await? {
        let target = state.store.camera_target(&c).await?;
        let live =
            staff.may(Right::ViewLive, &target) && state.store.live_view_allowed(&c).await?.is_ok();
        let review = staff.may(Right::ReviewRecordings, &target);
        if live || review {
            out.push(CameraView {
                id: c.id.to_string(),
                name: c.draft.name.clone(),
                site: c.draft.site.to_string(),
                location: c.draft.location.clone(),
                mode: c.draft.mode.to_string(),
                purposes: c.draft.purposes.iter().map(Ident::to_string).collect(),
                may_watch_live: live,
                may_review: review,
            });
        }
    }
    Ok(Json(out))
}

/// `?day=YYYY-MM-DD` (UK time; today when absent).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayParams {
    /// The day, `YYYY-MM-DD`, in UK time; today when absent.
    #[param(format = Date, example = "2026-11-23")]
    pub day: Option<String>,
}

/// A recorded span.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpanView {
    /// From (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub from: String,
    /// To (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub to: String,
}

/// A time the camera did not record, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct GapView {
    /// From (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub from: String,
    /// To (RFC 3339, UTC); null while the gap lasts.
    #[schema(format = DateTime)]
    pub to: Option<String>,
    /// Why, as the recorder saw it.
    pub reason: String,
}

/// What a camera recorded on a day: times only, no footage.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordingsView {
    /// The camera's id.
    pub camera: String,
    /// The day, `YYYY-MM-DD`, UK time.
    #[schema(format = Date)]
    pub day: String,
    /// Recorded spans.
    pub spans: Vec<SpanView>,
    /// Gaps in recording.
    pub gaps: Vec<GapView>,
}

/// A camera's recorded spans and gaps for a day. Needs `review-recordings` on the camera.
#[utoipa::path(
    get,
    path = "/api/v1/cameras/{id}/recordings",
    tag = "review",
    params(("id" = String, Path, description = "The camera's id"), DayParams),
    responses(
        (status = 200, description = "The day's spans and gaps", body = RecordingsView),
        (status = 400, description = "A day that is empty or not YYYY-MM-DD, or a malformed query string", body = ErrorBody),
        (status = 403, description = "Not allowed, and why", body = ErrorBody),
        (status = 404, description = "No such camera", body = ErrorBody),
    )
)]
pub(crate) async fn recordings(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(id): Segment<String>,
    Params(q): Params<DayParams>,
) -> Result<Json<RecordingsView>, ApiError> {
    let (c, _) = review::reviewable(&state, &staff, &id).await?;
    if q.day.as_deref().is_some_and(|d| d.trim().is_empty()) {
        return Err(WebError::BadRequest(
            "`day` is empty: give a day as YYYY-MM-DD (UK time), or leave `day` out for today"
                .to_owned(),
        )
        .into());
    }
    let day = q.day.unwrap_or_else(|| {
        state
            .store
            .clock()
            .now()
            .to_uk_local_input()
            .chars()
            .take(10)
            .collect()
    });
    if !day_shape(&day) {
        return Err(WebError::BadRequest(format!(
            "{day:?} is not a day: use YYYY-MM-DD (UK time)"
        ))
        .into());
    }
    let from = UnixMs::parse_bound(&day, false).map_err(WebError::BadRequest)?;
    let to = UnixMs::parse_bound(&day, true).map_err(WebError::BadRequest)?;
    let record = review::day_record(&state, &c, from.0, to.0).await?;
    Ok(Json(RecordingsView {
        camera: c.id.to_string(),
        day,
        spans: record
            .spans
            .iter()
            .map(|(a, b)| SpanView {
                from: UnixMs(*a).to_rfc3339(),
                to: UnixMs(*b).to_rfc3339(),
            })
            .collect(),
        gaps: record
            .gaps
            .into_iter()
            .map(|g| GapView {
                from: UnixMs(g.from_unix_ms).to_rfc3339(),
                to: g.to_unix_ms.map(|t| UnixMs(t).to_rfc3339()),
                reason: g.reason,
            })
            .collect(),
    }))
}

/// What a person states before reviewing (LBU-4, BDC-32, BDC-33).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewOpenRequest {
    /// Start of the footage (RFC 3339 with its offset, e.g. `2026-11-23T09:00:00Z`).
    #[schema(format = DateTime, example = "2026-11-23T09:00:00Z")]
    pub from: String,
    /// End of the footage (RFC 3339 with its offset), after `from` and at most 24 hours on.
    #[schema(format = DateTime, example = "2026-11-23T09:10:00Z")]
    pub to: String,
    /// The scheme purpose this review serves: one of the camera's `purposes`.
    #[schema(min_length = 1, example = "security-and-safety")]
    pub purpose: String,
    /// Why the footage is being reviewed (at least 5 characters besides spaces at either
    /// end).
    #[schema(min_length = 5, example = "Fight at the gate reported by a parent")]
    pub reason: String,
    /// A case or incident reference, if there is one.
    #[serde(default)]
    pub case_ref: Option<String>,
    /// The names of anyone else present while the footage is shown.
    #[serde(default)]
    pub persons_present: Vec<String>,
}

/// An open review and its playback grant.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewOpened {
    /// The review's id (the `review:` reference in the ledger).
    pub review: String,
    /// The grant: bound to this session, this camera and this range.
    pub grant: String,
    /// Where the footage is served, as MP4 with range requests.
    pub video: String,
    /// Where to record the result when finished.
    pub finish: String,
    /// When the grant expires (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub expires_at: String,
}

/// Whether `b` starts with the shape of a day, `YYYY-MM-DD`.
fn starts_as_day(b: &[u8]) -> bool {
    let digits = |from: usize, n: usize| {
        b.get(from..from + n)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    digits(0, 4)
        && b.get(4) == Some(&b'-')
        && digits(5, 2)
        && b.get(7) == Some(&b'-')
        && digits(8, 2)
}

/// Whether `t` has the shape of a day as the document's `date` format (JSON Schema's
/// `full-date`) reads it: `YYYY-MM-DD` and nothing else. Whether it is a real day is for
/// the parser.
fn day_shape(t: &str) -> bool {
    t.len() == 10 && starts_as_day(t.as_bytes())
}

/// Whether `t` has the shape of an instant as the document's `date-time` format (RFC 3339)
/// reads it: `YYYY-MM-DDTHH:MM:SS`, an optional fraction, then `Z` or `±HH:MM`, and nothing
/// else. Whether the numbers make a real instant is for the parser.
fn instant_shape(t: &str) -> bool {
    let b = t.as_bytes();
    let digits = |from: usize, n: usize| {
        b.get(from..from + n)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    let is = |i: usize, set: &[u8]| b.get(i).is_some_and(|c| set.contains(c));
    if !(starts_as_day(b)
        && is(10, b"Tt")
        && digits(11, 2)
        && is(13, b":")
        && digits(14, 2)
        && is(16, b":")
        && digits(17, 2))
    {
        return false;
    }
    let mut i = 19;
    if is(i, b".") {
        let n = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        i += 1 + n;
    }
    match b.get(i) {
        Some(b'Z' | b'z') => b.len() == i + 1,
        Some(b'+' | b'-') => {
            b.len() == i + 6 && digits(i + 1, 2) && is(i + 3, b":") && digits(i + 4, 2)
        }
        _ => false,
    }
}

/// An RFC 3339 instant; the API takes no local times, so a time means the same to every
/// client, and takes them only in the form the document gives (`format: date-time`).
fn instant(text: &str, what: &str) -> Result<UnixMs, ApiError> {
    let bad = |why: String| {
        ApiError::Web(WebError::BadRequest(format!(
            "`{what}` {why}: give an RFC 3339 instant with its offset, such as 2026-11-23T09:00:00Z"
        )))
    };
    if !instant_shape(text) {
        let t = text.trim();
        let zoned = t.ends_with(['Z', 'z'])
            || t.rsplit_once(['T', 't'])
                .is_some_and(|(_, time)| time.contains(['+', '-']));
        return Err(bad(if zoned {
            format!("{text:?} is not in RFC 3339's form")
        } else {
            format!("{t:?} has no time zone")
        }));
    }
    UnixMs::parse_uk_local(text).map_err(bad)
}

/// Opens a review: states the purpose, reason and who else is present, and receives a
/// grant to play the range. The review's ledger entry (book `review`) is written in the
/// same transaction as the grant; without a reason, nothing is granted.
#[utoipa::path(
    post,
    path = "/api/v1/cameras/{id}/reviews",
    tag = "review",
    params(("id" = String, Path, description = "The camera's id")),
    request_body = ReviewOpenRequest,
    responses(
        (status = 201, description = "The review is open and logged", body = ReviewOpened),
        (status = 400, description = "The body is not JSON of this shape; a missing reason or purpose, or a bad range", body = ErrorBody),
        (status = 403, description = "Not allowed, and why", body = ErrorBody),
        (status = 404, description = "No such camera, or nothing recorded in the range", body = ErrorBody),
    )
)]
pub(crate) async fn open_review(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(id): Segment<String>,
    Body(req): Body<ReviewOpenRequest>,
) -> Result<Response, ApiError> {
    let (c, actor) = review::reviewable(&state, &staff, &id).await?;
    let purpose = Ident::parse(req.purpose.trim()).map_err(|_| {
        WebError::BadRequest(format!(
            "`purpose` must be one of the camera's purposes ({})",
            c.draft
                .purposes
                .iter()
                .map(Ident::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    let request = ReviewRequest {
        from_unix_ms: instant(&req.from, "from")?.0,
        to_unix_ms: instant(&req.to, "to")?.0,
        purpose,
        reason: req.reason,
        case_ref: req.case_ref,
        persons_present: req.persons_present,
    };
    let (grant, review) = review::open_review(&state, &staff, &actor, &c, &request).await?;
    let (g, _) = review::grant(&state, &staff, &grant).await?;
    Ok((
        StatusCode::CREATED,
        Json(ReviewOpened {
            review,
            video: format!("/api/v1/reviews/{grant}/video.mp4"),
            finish: format!("/api/v1/reviews/{grant}/finish"),
            grant,
            expires_at: UnixMs(g.expires_at_unix_ms).to_rfc3339(),
        }),
    )
        .into_response())
}

/// The granted footage as MP4, with HTTP range requests. Only the session that opened the
/// review may fetch it, until the grant expires; anything else is 403.
#[utoipa::path(
    get,
    path = "/api/v1/reviews/{grant}/video.mp4",
    tag = "review",
    params(
        ("grant" = String, Path, description = "The grant from opening the review"),
        ("Range" = Option<String>, Header, description = "`bytes=A-B`, `bytes=A-` or `bytes=-N`, to seek; other forms are ignored"),
    ),
    responses(
        (status = 200, description = "The whole range", content_type = "video/mp4", body = Mp4,
            headers(("Accept-Ranges" = String, description = "`bytes`"))),
        (status = 206, description = "The part asked for", content_type = "video/mp4", body = Mp4,
            headers(
                ("Accept-Ranges" = String, description = "`bytes`"),
                ("Content-Range" = String, description = "`bytes A-B/LENGTH`"),
            )),
        (status = 400, description = "A path that cannot be read", body = ErrorBody),
        (status = 403, description = "No valid grant for this session, or the right is no longer held here", body = ErrorBody),
        (status = 404, description = "This server keeps no footage, or nothing is recorded in the granted range any more", body = ErrorBody),
        (status = 416, description = "A range outside the video", body = ErrorBody,
            headers(("Content-Range" = String, description = "`bytes */LENGTH`"))),
    )
)]
pub(crate) async fn video(
    State(state): State<AppState>,
    Caller(staff): Caller,
    headers: HeaderMap,
    Segment(grant): Segment<String>,
) -> Result<Response, ApiError> {
    Ok(relay(review::media(&state, &staff, &headers, &grant).await?).await)
}

/// The bytes of an MP4 file.
pub struct Mp4;

impl utoipa::PartialSchema for Mp4 {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Binary,
            )))
            .content_media_type("video/mp4")
            .description(Some("MP4 (ISO BMFF) bytes, H.264 or H.265 video"))
            .into()
    }
}

impl ToSchema for Mp4 {}

/// The result of a review (BDC-32).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewFinishRequest {
    /// What the review found or led to.
    #[schema(min_length = 1, example = "Two pupils identified; passed to the head")]
    pub result: String,
}

/// Records the result of a review, as a linked ledger entry (BDC-32). Once only.
#[utoipa::path(
    post,
    path = "/api/v1/reviews/{grant}/finish",
    tag = "review",
    params(("grant" = String, Path, description = "The grant from opening the review")),
    request_body = ReviewFinishRequest,
    responses(
        (status = 204, description = "Recorded"),
        (status = 400, description = "The body is not JSON of this shape, no result given, or already finished", body = ErrorBody),
        (status = 403, description = "No valid grant for this session, or the right is no longer held here", body = ErrorBody),
        (status = 404, description = "The review stopped being open while the result was recorded (its half hour passed)", body = ErrorBody),
    )
)]
pub(crate) async fn finish_review(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(grant): Segment<String>,
    Body(req): Body<ReviewFinishRequest>,
) -> Result<StatusCode, ApiError> {
    review::finish_review(&state, &staff, &grant, &req.result).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Filters for a logbook.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogbookParams {
    /// From this day (`YYYY-MM-DD`, UK time) or instant (RFC 3339 with its offset).
    #[param(value_type = Option<DayOrInstant>)]
    pub from: Option<String>,
    /// Up to and including this day, or before this instant.
    #[param(value_type = Option<DayOrInstant>)]
    pub to: Option<String>,
    /// Only entries about this camera (its id).
    pub camera: Option<String>,
    /// Only entries by this person (user name).
    pub actor: Option<String>,
    /// Only entries after this sequence number (the previous page's `next_after`).
    pub after: Option<i64>,
}

/// A day (`YYYY-MM-DD`, UK time) or an instant (RFC 3339 with its offset).
pub struct DayOrInstant;

impl utoipa::PartialSchema for DayOrInstant {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::KnownFormat;
        use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, SchemaFormat, Type};
        let string = |format| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(format)))
        };
        AnyOfBuilder::new()
            .item(string(KnownFormat::Date))
            .item(string(KnownFormat::DateTime))
            .description(Some(
                "A day (`YYYY-MM-DD`, UK time) or an instant (RFC 3339 with its offset)",
            ))
            .into()
    }
}

impl ToSchema for DayOrInstant {}

/// The name of a logbook: one of the ledger's books.
pub struct BookName;

impl utoipa::PartialSchema for BookName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(Book::ALL.iter().map(|b| b.as_str())))
            .description(Some("A logbook: one of the ledger's books"))
            .into()
    }
}

impl ToSchema for BookName {}

/// A ledger entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryView {
    /// Its sequence number in the ledger.
    pub seq: i64,
    /// When (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub at: String,
    /// Who: `user:NAME`, `console:NAME` or `system:COMPONENT`.
    pub actor: String,
    /// What happened, e.g. `review-opened`.
    pub kind: String,
    /// What it concerns, e.g. `camera:gate review:…`.
    pub refs: String,
    /// The entry's fields.
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
}

/// A page of a logbook.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogbookPage {
    /// The book.
    pub book: String,
    /// The entries, oldest first.
    pub entries: Vec<EntryView>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<i64>,
}

/// Rows of a page.
const PAGE_ROWS: i64 = 500;

/// One logbook (the review log is book `review`, LBU-13), filtered, 500 entries a page.
/// Needs `read-logbooks`.
#[utoipa::path(
    get,
    path = "/api/v1/logbooks/{book}",
    tag = "logbooks",
    params(("book" = BookName, Path, description = "The book, e.g. `review`, `access`, `recording`"), LogbookParams),
    responses(
        (status = 200, description = "A page of entries", body = LogbookPage),
        (status = 400, description = "An unknown book, a malformed filter or query string", body = ErrorBody),
        (status = 403, description = "Not allowed", body = ErrorBody),
    )
)]
pub(crate) async fn logbook(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(book): Segment<String>,
    Params(p): Params<LogbookParams>,
) -> Result<Json<LogbookPage>, ApiError> {
    staff.require_somewhere(Right::ReadLogbooks)?;
    let book: Book = book.parse().map_err(WebError::BadRequest)?;
    for (name, bound) in [("from", &p.from), ("to", &p.to)] {
        if let Some(b) = bound.as_deref()
            && !(day_shape(b) || instant_shape(b))
        {
            return Err(WebError::BadRequest(format!(
                "`{name}` {b:?} is neither a day (YYYY-MM-DD, UK time) nor an RFC 3339 instant such as 2026-11-23T09:00:00Z; give one, or leave `{name}` out"
            ))
            .into());
        }
    }
    let filter = crate::staff::LogbookFilter {
        book: Some(book.to_string()),
        from: p.from,
        to: p.to,
        camera: p.camera,
        actor: p.actor,
        after: p.after,
    };
    let mut query = filter.query(book)?;
    query.limit = Some(PAGE_ROWS + 1);
    let mut rows = state.store.ledger_entries(&query).await?;
    let more = rows.len() > usize::try_from(PAGE_ROWS).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(PAGE_ROWS).unwrap_or(usize::MAX));
    let entries: Vec<EntryView> = rows
        .into_iter()
        .map(|e| EntryView {
            seq: e.seq,
            at: UnixMs(e.at_unix_ms).to_rfc3339(),
            body: serde_json::from_str(&e.body).unwrap_or(serde_json::Value::String(e.body)),
            actor: e.actor,
            kind: e.kind,
            refs: e.refs,
        })
        .collect();
    Ok(Json(LogbookPage {
        book: book.to_string(),
        next_after: if more {
            entries.last().map(|e| e.seq)
        } else {
            None
        },
        entries,
    }))
}

/// A camera live, as fragmented MP4 (one fragment per frame, from a keyframe), for as long
/// as the caller reads. Needs `view-live` on the camera; opening and closing are ledgered
/// (book `access`).
#[utoipa::path(
    get,
    path = "/api/v1/cameras/{id}/live.mp4",
    tag = "cameras",
    params(("id" = String, Path, description = "The camera's id")),
    responses(
        (status = 200, description = "The live stream, for as long as it is read", content_type = "video/mp4", body = Mp4,
            headers(("X-Custos-Codec" = String, description = "The RFC 6381 codec, e.g. `avc1.42c01f`"))),
        (status = 400, description = "A path that cannot be read", body = ErrorBody),
        (status = 403, description = "Not allowed, and why", body = ErrorBody),
        (status = 404, description = "No such camera in service", body = ErrorBody),
        (status = 429, description = "The caller already watches as many streams as one person may", body = ErrorBody),
        (status = 502, description = "The camera cannot be reached now", body = ErrorBody),
    )
)]
pub(crate) async fn live(
    State(state): State<AppState>,
    Caller(staff): Caller,
    client: Result<ClientAddr, WebError>,
    Segment(id): Segment<String>,
) -> Result<Response, ApiError> {
    let ClientAddr(client) = client?;
    Ok(relay(crate::live::watch(state, &staff, client, &id).await?).await)
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", body = Object))
)]
pub(crate) async fn document() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], openapi_json()).into_response()
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Custos API",
        description = "The JSON API of a Custos CCTV scheme: the same people, rights, reasons and logbooks as its pages. Sign in with POST /api/v1/sessions and send the token as `Authorization: Bearer TOKEN`. Every error under /api/v1 is JSON, `{\"status\": N, \"error\": \"what is wrong and what to do\"}` (ErrorBody): those listed for each call, and also 404 for a path that is no call and 405 (with `Allow`) for a method a call does not take."
    ),
    paths(
        sign_in,
        sign_out,
        declaration,
        accept_declaration,
        cameras,
        live,
        recordings,
        open_review,
        video,
        finish_review,
        logbook,
        cases::list,
        cases::show,
        cases::open,
        cases::step,
        covert::open,
        covert::step,
        police_control::open,
        police_control::step,
        incidents::list,
        incidents::record,
        incidents::show,
        incidents::step,
        maintenance::cameras,
        equipment::list,
        equipment::enter,
        equipment::show,
        equipment::step,
        prints::list,
        prints::make,
        prints::show,
        prints::step,
        prints::list_authorities,
        prints::record_authority,
        prints::show_authority,
        prints::authority_step,
        maintenance::checks,
        maintenance::record_check,
        maintenance::show_check,
        maintenance::step_check,
        maintenance::faults,
        maintenance::report_fault,
        maintenance::show_fault,
        maintenance::step_fault,
        visitors::list,
        visitors::arrive,
        visitors::show,
        visitors::step,
        checks::list,
        checks::mark,
        deployments::list,
        deployments::create,
        deployments::show,
        deployments::step,
        bodyworn::list,
        bodyworn::register,
        bodyworn::retire,
        bodyworn::issue,
        bodyworn::give_back,
        document
    ),
    // Named only as parameters' types, which utoipa does not collect into the components.
    components(schemas(BookName, DayOrInstant)),
    modifiers(&BearerAuth, &CommonResponses),
    security(("bearer" = []))
)]
struct ApiDoc;

/// The answers every call can give besides its own, added to each operation so that the
/// handlers' annotations say only what is particular to them: 401 (with
/// `WWW-Authenticate`) for every call that needs a session, and 503 (with `Retry-After`)
/// for every call that reads the store, which answers so when its database cannot be
/// reached. An operation's own 401 or 503 is kept.
struct CommonResponses;

impl utoipa::Modify for CommonResponses {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::header::HeaderBuilder;
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let error = |description: &str, header: &str, header_text: &str, schema: Type| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .header(
                    header,
                    HeaderBuilder::new()
                        .schema(ObjectBuilder::new().schema_type(schema))
                        .description(Some(header_text))
                        .build(),
                )
                .build()
        };
        for (path, item) in doc.paths.paths.iter_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.options,
                &mut item.head,
                &mut item.patch,
                &mut item.trace,
            ];
            for op in operations.into_iter().flatten() {
                // `security(())` on the operation: no session needed.
                let public = op
                    .security
                    .as_ref()
                    .is_some_and(|s| s.iter().all(|r| r == &Default::default()));
                let answers = &mut op.responses.responses;
                if !public {
                    answers.entry("401".to_owned()).or_insert_with(|| {
                        error(
                            "No session: no `Authorization: Bearer TOKEN`, a wrong or ended token, or a session locked after idling; sign in with POST /api/v1/sessions",
                            "WWW-Authenticate",
                            "`Bearer realm=\"custos\"`",
                            Type::String,
                        )
                        .into()
                    });
                }
                if path != "/api/v1/openapi.json" {
                    answers.entry("503".to_owned()).or_insert_with(|| {
                        error(
                            "The database cannot be reached now; try again after Retry-After seconds",
                            "Retry-After",
                            "Seconds to wait",
                            Type::Integer,
                        )
                        .into()
                    });
                }
            }
        }
    }
}

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Marks every response header in `doc` (JSON) as required: each one documented is sent
/// on every answer of its status, and saying so lets a checker hold the server to it.
/// (utoipa's `Header` has no `required`.)
fn require_response_headers(doc: &mut serde_json::Value) {
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return;
    };
    for op in paths
        .values_mut()
        .filter_map(|item| item.as_object_mut())
        .flat_map(|item| item.values_mut())
    {
        let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut()) else {
            continue;
        };
        for header in responses
            .values_mut()
            .filter_map(|r| r.get_mut("headers").and_then(|h| h.as_object_mut()))
            .flat_map(|h| h.values_mut())
            .filter_map(|h| h.as_object_mut())
        {
            header.insert("required".to_owned(), serde_json::Value::Bool(true));
        }
    }
}

/// The API's OpenAPI document, as pretty-printed JSON with a final newline.
pub fn openapi_json() -> String {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let mut text = serde_json::to_value(&doc)
        .and_then(|mut v| {
            require_response_headers(&mut v);
            serde_json::to_string_pretty(&v)
        })
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_json(res: Response) -> serde_json::Value {
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 16)
            .await
            .expect("body");
        serde_json::from_slice(&bytes).expect("json")
    }

    /// Playback's 416 has no body; through the API it is JSON, with its `Content-Range`.
    #[tokio::test]
    async fn a_416_from_playback_is_relayed_as_json_with_its_content_range() {
        let res = (
            StatusCode::RANGE_NOT_SATISFIABLE,
            [(header::CONTENT_RANGE, "bytes */1000")],
        )
            .into_response();
        let res = relay(res).await;
        assert_eq!(res.status(), StatusCode::RANGE_NOT_SATISFIABLE);
        assert_eq!(res.headers()[header::CONTENT_RANGE], "bytes */1000");
        assert_eq!(res.headers()[header::CONTENT_TYPE], "application/json");
        let body = body_json(res).await;
        assert_eq!(body["status"], 416);
        assert!(
            body["error"]
                .as_str()
                .is_some_and(|e| e.contains("bytes */1000"))
        );
    }

    /// Days and instants are taken in exactly the forms of the document's `date` and
    /// `date-time` formats, and nothing that merely starts like one.
    #[test]
    fn days_and_instants_are_taken_only_in_the_documents_forms() {
        for day in ["2026-11-23", "2026-02-30"] {
            assert!(day_shape(day), "{day}");
        }
        for not in [
            "",
            "2026-11-2",
            " 2026-11-23",
            "2026-11-23 ",
            "2026/11/23",
            "２026-11-23",
        ] {
            assert!(!day_shape(not), "{not:?}");
        }
        for t in [
            "2026-11-23T09:00:00Z",
            "2026-11-23t09:00:00z",
            "2026-11-23T09:00:00.5+01:00",
            "2026-11-23T09:00:00.123456-05:30",
        ] {
            assert!(instant_shape(t), "{t}");
        }
        for not in [
            "2026-11-23",
            "2026-11-23T09:00Z",
            "2026-11-23 09:00:00Z",
            "2026-11-23T09:00:00",
            "2026-11-23T09:00:00.Z",
            "2026-11-23T09:00:00+01",
            "2026-11-23T09:00:00+0100",
            "2026-11-23T09:00:00Z ",
            "2026-11-23T09:00:00Z[Europe/London]",
        ] {
            assert!(!instant_shape(not), "{not:?}");
        }
    }

    /// Answers that are not errors, and errors already in JSON, pass unchanged.
    #[tokio::test]
    async fn relay_leaves_successes_and_json_errors_alone() {
        let ok = relay((StatusCode::OK, "video").into_response()).await;
        assert_eq!(ok.status(), StatusCode::OK);
        let bytes = axum::body::to_bytes(ok.into_body(), 64)
            .await
            .expect("body");
        assert_eq!(&bytes[..], b"video");
        let refused = relay(ApiError::Forbidden("no".to_owned()).into_response()).await;
        assert_eq!(body_json(refused).await["error"], "no");
    }
}
