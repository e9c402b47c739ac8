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
//! - Errors are `{"status": N, "error": "what is wrong and what to do"}`.

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

use crate::AppState;
use crate::auth::{self, Refusal, Staff};
use crate::client::ClientAddr;
use crate::error::WebError;
use crate::review;

/// An error, as every API call reports it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The HTTP status.
    pub status: u16,
    /// What is wrong and what to do about it.
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
                "accept the scheme's confidentiality declaration first (BDC-7): read it with GET /api/v1/declaration and accept it with POST /api/v1/declaration, or sign in in the browser".to_owned(),
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

/// `POST /api/v1/sessions`
#[derive(Debug, Deserialize, ToSchema)]
pub struct SignInRequest {
    /// The user name.
    pub username: String,
    /// The password.
    pub password: String,
    /// The authenticator app's current code, for accounts with a second factor.
    #[serde(default)]
    pub code: Option<String>,
}

/// A new session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionCreated {
    /// The session token: send it as `Authorization: Bearer TOKEN`. Keep it secret.
    pub token: String,
    /// When the session ends at the latest (RFC 3339, UTC).
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
        (status = 401, description = "Wrong name, password or code, or a disabled account", body = ErrorBody),
        (status = 403, description = "The account's role needs a second factor, not yet set up on the web", body = ErrorBody),
        (status = 429, description = "Too many attempts from this address", body = ErrorBody),
        (status = 503, description = "Too many sign-ins being checked at once; try again after Retry-After seconds", body = ErrorBody),
    )
)]
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Body(req): Body<SignInRequest>,
) -> Result<Response, ApiError> {
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
        (status = 401, description = "No session", body = ErrorBody),
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
        (status = 401, description = "No session", body = ErrorBody),
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
        (status = 400, description = "Not the text in force", body = ErrorBody),
        (status = 401, description = "No session", body = ErrorBody),
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
        (status = 401, description = "No session", body = ErrorBody),
    )
)]
pub(crate) async fn cameras(
    State(state): State<AppState>,
    Caller(staff): Caller,
) -> Result<Json<Vec<CameraView>>, ApiError> {
    let mut out = Vec::new();
    for c in state.store.cameras(false).await? {
        let target = state.store.camera_target(&c).await?;
        let live = staff.may(Right::ViewLive, &target);
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
    pub day: Option<String>,
}

/// A recorded span.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpanView {
    /// From (RFC 3339, UTC).
    pub from: String,
    /// To (RFC 3339, UTC).
    pub to: String,
}

/// A time the camera did not record, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct GapView {
    /// From (RFC 3339, UTC).
    pub from: String,
    /// To (RFC 3339, UTC); absent while the gap lasts.
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
        (status = 400, description = "A malformed day", body = ErrorBody),
        (status = 403, description = "Not allowed, and why", body = ErrorBody),
        (status = 404, description = "No such camera", body = ErrorBody),
    )
)]
pub(crate) async fn recordings(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Path(id): Path<String>,
    Query(q): Query<DayParams>,
) -> Result<Json<RecordingsView>, ApiError> {
    let (c, _) = review::reviewable(&state, &staff, &id).await?;
    let day = q.day.filter(|d| !d.trim().is_empty()).unwrap_or_else(|| {
        state
            .store
            .clock()
            .now()
            .to_uk_local_input()
            .chars()
            .take(10)
            .collect()
    });
    if day.len() != 10 {
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
    /// Start of the footage (RFC 3339, e.g. `2026-11-23T09:00:00Z`).
    pub from: String,
    /// End of the footage (RFC 3339).
    pub to: String,
    /// The scheme purpose this review serves: one of the camera's `purposes`.
    pub purpose: String,
    /// Why the footage is being reviewed (at least 5 characters).
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
    pub expires_at: String,
}

/// An RFC 3339 instant; the API takes no local times, so a time means the same to every
/// client.
fn instant(text: &str, what: &str) -> Result<UnixMs, ApiError> {
    let t = text.trim();
    let zoned = t.ends_with(['Z', 'z'])
        || t.rsplit_once(['T', 't'])
            .is_some_and(|(_, time)| time.contains(['+', '-']));
    let bad = |why: String| {
        ApiError::Web(WebError::BadRequest(format!(
            "`{what}` {why}: give an RFC 3339 instant with its offset, such as 2026-11-23T09:00:00Z"
        )))
    };
    if !zoned {
        return Err(bad(format!("{t:?} has no time zone")));
    }
    UnixMs::parse_uk_local(t).map_err(bad)
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
        (status = 400, description = "A missing reason or purpose, or a bad range", body = ErrorBody),
        (status = 403, description = "Not allowed, and why", body = ErrorBody),
        (status = 404, description = "No such camera, or nothing recorded in the range", body = ErrorBody),
    )
)]
pub(crate) async fn open_review(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Path(id): Path<String>,
    Body(req): Body<ReviewOpenRequest>,
) -> Result<Response, ApiError> {
    let (c, actor) = review::reviewable(&state, &staff, &id).await?;
    let purpose = Ident::parse(req.purpose.trim()).map_err(|_| {
        WebError::BadRequest(format!(
            "`purpose` must be one of the camera's purposes ({}) (BDC-33)",
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
        ("Range" = Option<String>, Header, description = "`bytes=A-B`, to seek"),
    ),
    responses(
        (status = 200, description = "The whole range", content_type = "video/mp4", body = String),
        (status = 206, description = "Part of it", content_type = "video/mp4", body = String),
        (status = 403, description = "No valid grant for this session", body = ErrorBody),
        (status = 416, description = "A range outside the video"),
    )
)]
pub(crate) async fn video(
    State(state): State<AppState>,
    Caller(staff): Caller,
    headers: HeaderMap,
    Path(grant): Path<String>,
) -> Result<Response, ApiError> {
    Ok(review::media(&state, &staff, &headers, &grant).await?)
}

/// The result of a review (BDC-32).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewFinishRequest {
    /// What the review found or led to.
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
        (status = 400, description = "No result given, or already finished", body = ErrorBody),
        (status = 403, description = "No valid grant for this session", body = ErrorBody),
    )
)]
pub(crate) async fn finish_review(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Path(grant): Path<String>,
    Body(req): Body<ReviewFinishRequest>,
) -> Result<StatusCode, ApiError> {
    review::finish_review(&state, &staff, &grant, &req.result).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Filters for a logbook.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogbookParams {
    /// From this day (`YYYY-MM-DD`, UK time) or instant (RFC 3339).
    pub from: Option<String>,
    /// Up to and including this day, or before this instant.
    pub to: Option<String>,
    /// Only entries about this camera (its id).
    pub camera: Option<String>,
    /// Only entries by this person (user name).
    pub actor: Option<String>,
    /// Only entries after this sequence number (the previous page's `next_after`).
    pub after: Option<i64>,
}

/// A ledger entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryView {
    /// Its sequence number in the ledger.
    pub seq: i64,
    /// When (RFC 3339, UTC).
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
    /// Pass as `after` for the next page; absent on the last page.
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
    params(("book" = String, Path, description = "The book, e.g. `review`, `access`, `recording`"), LogbookParams),
    responses(
        (status = 200, description = "A page of entries", body = LogbookPage),
        (status = 400, description = "An unknown book or a malformed filter", body = ErrorBody),
        (status = 403, description = "Not allowed", body = ErrorBody),
    )
)]
pub(crate) async fn logbook(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Path(book): Path<String>,
    Query(p): Query<LogbookParams>,
) -> Result<Json<LogbookPage>, ApiError> {
    staff.require_somewhere(Right::ReadLogbooks)?;
    let book: Book = book.parse().map_err(WebError::BadRequest)?;
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
        (status = 200, description = "The live stream; header `X-Custos-Codec` gives the RFC 6381 codec", content_type = "video/mp4", body = String),
        (status = 403, description = "Not allowed, and why", body = ErrorBody),
        (status = 404, description = "No such camera in service", body = ErrorBody),
        (status = 502, description = "The camera cannot be reached now"),
    )
)]
pub(crate) async fn live(
    State(state): State<AppState>,
    Caller(staff): Caller,
    ClientAddr(client): ClientAddr,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(crate::live::watch(state, &staff, client, &id).await?)
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document of this API"))
)]
pub(crate) async fn document() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], openapi_json()).into_response()
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Custos API",
        description = "The JSON API of a Custos CCTV scheme: the same people, rights, reasons and logbooks as its pages. Sign in with POST /api/v1/sessions and send the token as `Authorization: Bearer TOKEN`."
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
        document
    ),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

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

/// The API's OpenAPI document, as pretty-printed JSON with a final newline.
pub fn openapi_json() -> String {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let mut text = doc
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
