//! Signing in and out, and the [`Staff`] extractor that every staff page takes: it finds
//! the person behind the session cookie, or sends the browser to the sign-in page.
//!
//! Invariants:
//! - The session cookie is `HttpOnly`, `Secure` and `SameSite=Strict`; it holds the only
//!   copy of the session token (the store keeps its hash).
//! - Every state-changing request carries the session's CSRF token, checked by
//!   [`Staff::check_csrf`] in constant time.
//! - Whether a person may do something is asked of `domain::access::decide` through
//!   [`Staff::require`], never decided here.
//! - After a sign-in, the browser is sent only to a path on this site.

use axum::Form;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use custos_base::Actor;
use custos_domain::access::{Denial, Grant, Right, RightsTable, Target, Username, decide};
use custos_store::{SessionInfo, SessionState, SignIn, SignInAttempt, StoreError};
use serde::Deserialize;

use crate::AppState;
use crate::client::ClientAddr;
use crate::error::WebError;
use crate::pages::render;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "custos_session";
/// A session's absolute lifetime: one working shift.
pub const SESSION_LIFETIME_MS: i64 = 12 * 3600 * 1000;

/// A signed-in person, with what they may do.
#[derive(Debug, Clone)]
pub struct Staff {
    /// The session's person and CSRF token.
    pub info: SessionInfo,
    /// The active pack's rights table.
    pub table: RightsTable,
    /// The session token this request came with (secret; review grants are bound to it).
    pub session: String,
    /// What the page says was just done (the address's `done` code, in our own words).
    pub done: Option<&'static str>,
    /// The scheme's name, from the active pack, for the page header.
    pub scheme: String,
    /// The path of the page asked for, to mark it in the navigation.
    pub path: String,
    /// Who keeps and who countersigns the control room's books, from the active pack.
    pub books: custos_domain::policy::Books,
}

impl Staff {
    /// The ledger actor for what this person does.
    pub fn actor(&self) -> Actor {
        Actor::User(self.info.subject.username.clone())
    }

    /// Refuses, with the reason, unless the person may use `right` on `target`; otherwise
    /// the actor to record what they do as: the person, or the person as deputy (BDC-1),
    /// which the store marks on every entry. A refusal by a workstation rule is ledgered
    /// (LJM-8).
    pub async fn require(
        &self,
        state: &AppState,
        right: Right,
        target: &Target,
    ) -> Result<Actor, WebError> {
        match decide(&self.table, &self.info.subject, right, target) {
            Ok(Grant::Own) => Ok(self.actor()),
            Ok(grant @ Grant::Deputy { .. }) => Ok(Actor::Deputy {
                user: self.info.subject.username.clone(),
                for_roles: grant.deputy_for().unwrap_or_default(),
            }),
            Err(denial) => {
                if let Denial::Workstation {
                    right,
                    group,
                    address,
                } = &denial
                {
                    state
                        .store
                        .record_workstation_refusal(&self.actor(), group, *right, *address)
                        .await?;
                }
                Err(WebError::Denied(denial))
            }
        }
    }

    /// Refuses, with the reason, unless the person holds `right` somewhere (for pages that
    /// list what the right reaches, filtered by [`decide`] row by row).
    pub fn require_somewhere(&self, right: Right) -> Result<(), WebError> {
        match decide(&self.table, &self.info.subject, right, &Target::Scheme) {
            Ok(_) | Err(Denial::OutOfScope { .. }) => Ok(()),
            Err(d) => Err(WebError::Denied(d)),
        }
    }

    /// Where the person starts when no page was asked for: the live grid for those who may
    /// watch cameras live, the start page for everyone else.
    pub fn landing(&self) -> &'static str {
        if self.holds(Right::ViewLive) {
            "/live"
        } else {
            "/start"
        }
    }

    /// Whether the person holds `right` anywhere (for the navigation).
    pub fn holds(&self, right: Right) -> bool {
        self.require_somewhere(right).is_ok()
    }

    /// Whether the person may use `right` on `target` (for showing or hiding parts of a
    /// page; the action itself still calls [`Staff::require`]).
    pub fn may(&self, right: Right, target: &Target) -> bool {
        decide(&self.table, &self.info.subject, right, target).is_ok()
    }

    /// The pack role in which the person keeps `book` (with `countersign`, countersigns its
    /// entries) under the pack's `[books]` (BDC-18), or why not, in words.
    pub fn book_role(
        &self,
        book: custos_domain::ledger::Book,
        countersign: bool,
    ) -> Result<custos_domain::Ident, String> {
        custos_domain::access::book_role(&self.books, book, &self.info.subject, countersign)
    }

    /// Whether the person keeps or countersigns `book`, or reads the logbooks: who may
    /// open the book's page.
    pub fn may_open_book(&self, book: custos_domain::ledger::Book) -> bool {
        self.book_role(book, false).is_ok()
            || self.book_role(book, true).is_ok()
            || self.may(Right::ReadLogbooks, &Target::Scheme)
    }

    /// Refuses a state-changing request whose CSRF token is not this session's.
    pub fn check_csrf(&self, given: &str) -> Result<(), WebError> {
        check_csrf(&self.info, given)
    }

    /// The roles held, for the page header.
    pub fn roles_text(&self) -> String {
        let parts: Vec<String> = self
            .info
            .subject
            .assignments
            .iter()
            .map(|a| {
                let name = custos_domain::role::display_name(a.role.as_str());
                match &a.scope {
                    custos_domain::access::Scope::Scheme => name,
                    custos_domain::access::Scope::Site(s) => format!("{name} at site {s}"),
                    custos_domain::access::Scope::CameraGroup(g) => {
                        format!("{name} for camera group {g}")
                    }
                }
            })
            .collect();
        parts.join(", ")
    }
}

/// The session token from the request's cookies.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE)
}

/// The value of the cookie `name` in the request's cookies.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// How often a stream checks that its session may still watch.
pub const STREAM_CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// A response body that ends as soon as `staff`'s session no longer may use `right` on
/// `target`: signed out (here or everywhere), locked by the idle limit, the account
/// disabled, or the role gone. Checked every [`STREAM_CHECK_EVERY`] without counting as
/// the person's activity, so a stream never keeps an unattended screen from locking.
pub(crate) fn while_allowed<S>(
    state: &AppState,
    staff: &Staff,
    right: Right,
    target: Target,
    stream: S,
) -> axum::body::Body
where
    S: futures::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static,
{
    use futures::StreamExt;
    let (ended_tx, ended) = tokio::sync::oneshot::channel::<()>();
    let (state, token, client) = (
        state.clone(),
        staff.session.clone(),
        staff.info.subject.client,
    );
    let watcher = tokio::spawn(async move {
        loop {
            tokio::time::sleep(STREAM_CHECK_EVERY).await;
            let allowed = match resolve_for(&state, client, &token, false, false).await {
                Ok(staff) => staff.may(right, &target),
                Err(_) => false,
            };
            if !allowed {
                let _ = ended_tx.send(());
                return;
            }
        }
    });
    let guard = AbortOnDrop(watcher);
    axum::body::Body::from_stream(stream.take_until(ended).map(move |chunk| {
        let _ = &guard;
        chunk
    }))
}

/// Stops a task when dropped (with the stream it watches).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// `GET /session/state`: whether the browser's session is live, locked or gone, as JSON
/// (`{"state":"live"}`), without counting as activity: signed-in pages ask every few
/// seconds, and replace themselves (and any video) with the lock screen or the sign-in
/// page when the session is no longer live.
pub(crate) async fn session_state(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let now = match session_token(&headers) {
        None => "none",
        Some(token) => {
            let (_, idle_ms) = idle_limit(&state).await?;
            match state.store.peek_session(&token, idle_ms).await? {
                SessionState::Live(_) => "live",
                SessionState::Locked(_) => "locked",
                SessionState::None => "none",
            }
        }
    };
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        format!("{{\"state\":\"{now}\"}}"),
    )
        .into_response())
}

/// What happens when a page needs a signed-in person and there is none.
#[derive(Debug)]
pub enum NotSignedIn {
    /// Send the browser to the sign-in page.
    Redirect(String),
    /// The session is locked: show the lock screen, and nothing of the page (LBU-14).
    Locked(Response),
    /// The store failed.
    Error(WebError),
}

impl IntoResponse for NotSignedIn {
    fn into_response(self) -> Response {
        match self {
            Self::Redirect(to) => Redirect::to(&to).into_response(),
            Self::Locked(page) => page,
            Self::Error(e) => e.into_response(),
        }
    }
}

#[derive(askama::Template)]
#[template(path = "locked.html")]
struct LockedPage {
    name: String,
    username: String,
    csrf: String,
    next: String,
    minutes: u32,
    message: Option<String>,
}

fn locked_page(
    info: &SessionInfo,
    next: &str,
    minutes: u32,
    status: StatusCode,
    message: Option<String>,
) -> Response {
    render(
        status,
        &LockedPage {
            name: info.display_name.clone(),
            username: info.subject.username.clone(),
            csrf: info.csrf.clone(),
            next: safe_next(Some(next)),
            minutes,
            message,
        },
    )
}

/// The idle limit of the active pack, in minutes and milliseconds.
async fn idle_limit(state: &AppState) -> Result<(u32, i64), WebError> {
    let Some(policy) = state.store.active_policy().await? else {
        return Err(WebError::Forbidden(
            "no policy pack is loaded, so nobody can sign in yet".to_owned(),
        ));
    };
    let minutes = policy.pack.access.idle_lock_minutes;
    Ok((minutes, i64::from(minutes) * 60_000))
}

/// Why a session token does not (yet) give a signed-in person.
#[derive(Debug)]
pub enum Refusal {
    /// No session, or it has ended.
    NoSession,
    /// The session is locked by the idle limit (LBU-14): the password unlocks it.
    Locked(Box<SessionInfo>, u32),
    /// The pack makes a second factor mandatory for the person's roles and it is not set up.
    NeedsMfa,
    /// The scheme's confidentiality declaration is not accepted in its current text (BDC-7).
    NeedsDeclaration,
    /// The store failed, or no pack is loaded.
    Error(WebError),
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Self {
        Self::Error(e.into())
    }
}

/// The signed-in person behind session `token`, for a request to `parts`; the one place
/// the browser's cookie and an API client's bearer token become a [`Staff`].
/// `exempt` lets the pages that set up a second factor or accept the declaration through.
pub async fn resolve(
    state: &AppState,
    parts: &Parts,
    token: &str,
    exempt: bool,
) -> Result<Staff, Refusal> {
    resolve_for(
        state,
        crate::client::from_parts(parts, state),
        token,
        exempt,
        true,
    )
    .await
}

/// As [`resolve`] for a request from `client` to a page (not one of those exempt).
pub(crate) async fn resolve_client(
    state: &AppState,
    client: Option<std::net::IpAddr>,
    token: &str,
) -> Result<Staff, Refusal> {
    resolve_for(state, client, token, false, true).await
}

/// As [`resolve`], for a request from `client`; `touch` says whether to count it as the
/// person's activity (a request they made) or not (a check the server makes on its own).
async fn resolve_for(
    state: &AppState,
    client: Option<std::net::IpAddr>,
    token: &str,
    exempt: bool,
    touch: bool,
) -> Result<Staff, Refusal> {
    let Some(policy) = state.store.active_policy().await? else {
        return Err(Refusal::Error(WebError::Forbidden(
            "no policy pack is loaded, so nobody can sign in yet".to_owned(),
        )));
    };
    let minutes = policy.pack.access.idle_lock_minutes;
    let idle_ms = i64::from(minutes) * 60_000;
    let found = if touch {
        state.store.session(token, idle_ms).await?
    } else {
        state.store.peek_session(token, idle_ms).await?
    };
    let info = match found {
        SessionState::Live(info) => info,
        SessionState::Locked(info) => return Err(Refusal::Locked(Box::new(info), minutes)),
        SessionState::None => return Err(Refusal::NoSession),
    };
    if !exempt {
        // The pack makes a second factor mandatory for its privileged roles: until it is
        // set up, nothing else is open.
        let needs_mfa = info
            .subject
            .assignments
            .iter()
            .any(|a| policy.pack.access.mfa_roles.contains(&a.role));
        if needs_mfa && !info.mfa_enrolled {
            return Err(Refusal::NeedsMfa);
        }
        // BDC-7: the scheme's confidentiality declaration, accepted at first sign-in and
        // again whenever its text changes.
        let name = Username::parse(&info.subject.username)
            .map_err(|e| Refusal::Error(WebError::BadRequest(e)))?;
        if !state
            .store
            .has_accepted_declaration(&name, &policy.pack.access.declaration)
            .await?
        {
            return Err(Refusal::NeedsDeclaration);
        }
    }
    let table = RightsTable::from_pack(&policy.pack);
    let mut info = info;
    info.subject.client = client;
    complete_subject(state, &table, &mut info.subject)
        .await
        .map_err(Refusal::Error)?;
    Ok(Staff {
        info,
        table,
        session: token.to_owned(),
        done: None,
        scheme: policy.pack.name.clone(),
        path: String::new(),
        books: policy.pack.books.clone(),
    })
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = NotSignedIn;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let next = parts
            .uri
            .path_and_query()
            .map_or("/start".to_owned(), |p| p.as_str().to_owned());
        let to_login =
            |why: &str| NotSignedIn::Redirect(format!("/login?{why}next={}", url_encode(&next)));
        let Some(token) = session_token(&parts.headers) else {
            return Err(to_login(""));
        };
        let exempt = [
            "/account/mfa",
            "/account/declaration",
            "/logout",
            "/logout/everywhere",
        ]
        .contains(&parts.uri.path());
        match resolve(state, parts, &token, exempt).await {
            Ok(staff) => {
                let staff = Staff {
                    done: crate::done::from_query(parts.uri.query()),
                    path: parts.uri.path().to_owned(),
                    ..staff
                };
                // An error on this page is shown in the staff shell, except on the pages
                // that come before the rest (second factor, declaration, signing out).
                if !exempt && let Some(slot) = parts.extensions.get::<crate::error::StaffSlot>() {
                    slot.put(&staff);
                }
                Ok(staff)
            }
            Err(Refusal::NoSession) => Err(to_login("")),
            Err(Refusal::Locked(info, minutes)) => Err(NotSignedIn::Locked(locked_page(
                &info,
                &next,
                minutes,
                StatusCode::UNAUTHORIZED,
                None,
            ))),
            Err(Refusal::NeedsMfa) => Err(NotSignedIn::Redirect("/account/mfa".to_owned())),
            Err(Refusal::NeedsDeclaration) => Err(NotSignedIn::Redirect(format!(
                "/account/declaration?next={}",
                url_encode(&next)
            ))),
            Err(Refusal::Error(e)) => Err(NotSignedIn::Error(e)),
        }
    }
}

/// Adds to `subject` what the store's session leaves to the caller, as far as `table`
/// needs it: training records (BDC-11, BJS-9, ALT-17, LBU-4), read only for people holding
/// a role the pack requires training for, and the roles absent where they may deputise
/// (BDC-1).
async fn complete_subject(
    state: &AppState,
    table: &RightsTable,
    subject: &mut custos_domain::access::Subject,
) -> Result<(), WebError> {
    if subject
        .assignments
        .iter()
        .any(|a| table.needs_training(a.role.as_str()))
        && subject.competence.courses.is_empty()
    {
        subject.competence.courses = state.store.current_courses(&subject.username).await?;
    }
    let needs = table.deputy_needs(&subject.assignments);
    if !needs.is_empty() {
        subject.absent_roles = state.store.absent_roles(&needs).await?;
    }
    Ok(())
}

/// Whether the person behind a new session may watch some camera live now (their training
/// counted, as every page counts it).
async fn watches_live(state: &AppState, token: &str) -> bool {
    let Ok(Some(policy)) = state.store.active_policy().await else {
        return false;
    };
    let idle_ms = i64::from(policy.pack.access.idle_lock_minutes) * 60_000;
    let Ok(SessionState::Live(mut info)) = state.store.session(token, idle_ms).await else {
        return false;
    };
    let table = RightsTable::from_pack(&policy.pack);
    if complete_subject(state, &table, &mut info.subject)
        .await
        .is_err()
    {
        return false;
    }
    let staff = Staff {
        info,
        table,
        session: token.to_owned(),
        done: None,
        scheme: policy.pack.name.clone(),
        path: String::new(),
        books: policy.pack.books.clone(),
    };
    staff.landing() == "/live"
}

pub(crate) fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where to send the browser after signing in: `next` if it is a path on this site, as
/// the browser would read it (decided by parsing it against this site's address, not by
/// looking at its first characters), else the start page. Control characters and spaces
/// (which browsers drop, turning `/\t/evil.example` into `//evil.example`) and
/// backslashes (which they read as slashes) are refused outright.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    const START: &str = "/start";
    let Some(next) = next else {
        return START.to_owned();
    };
    if !next.starts_with('/')
        || next
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    {
        return START.to_owned();
    }
    let Ok(base) = url::Url::parse("https://custos.invalid/") else {
        return START.to_owned();
    };
    match base.join(next) {
        Ok(u) if u.origin() == base.origin() => {
            let mut out = u.path().to_owned();
            if let Some(q) = u.query() {
                out.push('?');
                out.push_str(q);
            }
            out
        }
        _ => START.to_owned(),
    }
}

/// The cookie that carries the sign-in form's CSRF token (the form carries the same
/// value): a page on another site cannot read it, so it cannot sign a browser in to an
/// account of its choosing.
pub const LOGIN_CSRF_COOKIE: &str = "custos_login_csrf";

/// A fresh random token for the sign-in form.
fn login_csrf_token() -> Result<String, WebError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b)
        .map_err(|e| WebError::BadRequest(format!("no random bytes for the form: {e}")))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// The sign-in page with a new form token, and the cookie that matches it.
fn login_page(
    status: StatusCode,
    next: String,
    message: Option<String>,
    username: String,
) -> Result<Response, WebError> {
    let csrf = login_csrf_token()?;
    let mut response = render(
        status,
        &LoginPage {
            next,
            message,
            username,
            csrf: csrf.clone(),
        },
    );
    let cookie = format!("{LOGIN_CSRF_COOKIE}={csrf}; Path=/; HttpOnly; Secure; SameSite=Strict");
    response.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|e| WebError::BadRequest(e.to_string()))?,
    );
    Ok(response)
}

/// The sign-in form's token from the request's cookie.
fn login_csrf_cookie(headers: &HeaderMap) -> Option<String> {
    cookie(headers, LOGIN_CSRF_COOKIE)
}

#[derive(askama::Template)]
#[template(path = "login.html")]
struct LoginPage {
    next: String,
    message: Option<String>,
    username: String,
    csrf: String,
}

/// `?next=…&idle=1`
#[derive(Debug, Deserialize)]
pub(crate) struct LoginQuery {
    next: Option<String>,
    idle: Option<String>,
}

/// `GET /login`
pub(crate) async fn login_form(Query(q): Query<LoginQuery>) -> Result<Response, WebError> {
    let message = q.idle.map(|_| {
        "You were signed out because the screen was left unattended. Sign in again to carry on."
            .to_owned()
    });
    login_page(
        StatusCode::OK,
        safe_next(q.next.as_deref()),
        message,
        String::new(),
    )
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    /// The form's token, matching the sign-in cookie.
    #[serde(default)]
    csrf: String,
    username: String,
    password: String,
    /// The authenticator app's code, for accounts with a second factor.
    code: Option<String>,
    next: Option<String>,
}

/// `POST /login`
pub(crate) async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, WebError> {
    let next = safe_next(f.next.as_deref());
    let typed = f.username.trim().to_owned();
    let expected = login_csrf_cookie(&headers).unwrap_or_default();
    if expected.is_empty() || !same_secret(&expected, &f.csrf) {
        return login_page(
            StatusCode::FORBIDDEN,
            next,
            Some(
                "This sign-in form has expired or did not come from this site. Enter your details again."
                    .to_owned(),
            ),
            typed,
        );
    }
    let source = client.to_string();
    match state
        .store
        .sign_in(
            SignInAttempt {
                name: &typed,
                password: &f.password,
                code: f.code.as_deref().filter(|c| !c.trim().is_empty()),
                source: &source,
            },
            SESSION_LIFETIME_MS,
        )
        .await?
    {
        // A locked account gets the same answer as a wrong password, so the page does not
        // tell a guesser which names exist.
        SignIn::Refused | SignIn::AccountLocked { .. } | SignIn::SecondFactorNotSetUp => {
            login_page(
                StatusCode::UNAUTHORIZED,
                next,
                Some(
                    "The user name or password is not right, or the account is disabled."
                        .to_owned(),
                ),
                typed,
            )
        }
        SignIn::SourceThrottled { until_unix_ms } => login_page(
            StatusCode::TOO_MANY_REQUESTS,
            next,
            Some(format!(
                "Too many sign-in attempts from this computer. Try again after {}.",
                custos_base::UnixMs(until_unix_ms).to_london_display()
            )),
            typed,
        ),
        SignIn::Busy => Ok(busy(login_page(
            StatusCode::SERVICE_UNAVAILABLE,
            next,
            Some(
                "The server is busy checking other sign-ins. Wait a few seconds and try again."
                    .to_owned(),
            ),
            typed,
        )?)),
        SignIn::Signed(session) => {
            let cookie = format!(
                "{SESSION_COOKIE}={}; Path=/; HttpOnly; Secure; SameSite=Strict",
                session.token
            );
            // With nowhere asked for, people who may watch cameras live start on the live
            // grid; everyone else on the start page.
            let next = if next == safe_next(None) && watches_live(&state, &session.token).await {
                "/live".to_owned()
            } else {
                next
            };
            let mut response = Redirect::to(&next).into_response();
            response.headers_mut().insert(
                header::SET_COOKIE,
                HeaderValue::from_str(&cookie).map_err(|e| WebError::BadRequest(e.to_string()))?,
            );
            Ok(response)
        }
    }
}

/// Adds `Retry-After` to a "busy" answer: the client may try again in a few seconds.
pub(crate) fn busy(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    response
}

/// Whether two tokens are the same, compared in constant time.
fn same_secret(want: &str, got: &str) -> bool {
    let (want, got) = (want.as_bytes(), got.as_bytes());
    want.len() == got.len() && want.iter().zip(got).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// A form that carries only the CSRF token.
#[derive(Debug, Deserialize)]
pub(crate) struct CsrfForm {
    pub(crate) csrf: String,
}

/// A redirect to the sign-in page that also removes the session cookie.
fn to_login_forgetting_session() -> Response {
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "custos_session=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0",
        ),
    );
    response
}

/// The live or locked session behind the request's cookie, with its token.
async fn current(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(String, SessionInfo, u32)>, WebError> {
    let Some(token) = session_token(headers) else {
        return Ok(None);
    };
    let (minutes, idle_ms) = idle_limit(state).await?;
    Ok(match state.store.session(&token, idle_ms).await? {
        SessionState::Live(info) | SessionState::Locked(info) => Some((token, info, minutes)),
        SessionState::None => None,
    })
}

/// Refuses a form whose CSRF token is not the session's (compared in constant time); for
/// signed-in pages and for the lock screen alike.
fn check_csrf(info: &SessionInfo, given: &str) -> Result<(), WebError> {
    if same_secret(&info.csrf, given) {
        Ok(())
    } else {
        Err(WebError::Forbidden(
            "this form has expired or did not come from this site; go back, reload the page and try again".to_owned(),
        ))
    }
}

/// `POST /logout` (also from the lock screen).
pub(crate) async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    if let Some((token, info, _)) = current(&state, &headers).await? {
        check_csrf(&info, &f.csrf)?;
        state
            .store
            .end_session(
                &token,
                &Actor::User(info.subject.username.clone()),
                "signed out",
            )
            .await?;
    }
    Ok(to_login_forgetting_session())
}

/// `POST /logout/everywhere`: ends every session of the signed-in person, on every
/// computer (for a lost or shared device).
pub(crate) async fn logout_everywhere(
    State(state): State<AppState>,
    staff: Staff,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let name = Username::parse(&staff.info.subject.username).map_err(WebError::BadRequest)?;
    state
        .store
        .end_all_sessions(&staff.actor(), &name, "signed out everywhere")
        .await?;
    Ok(to_login_forgetting_session())
}

/// `POST /duty/on` and `POST /duty/off`: signing on and off duty in the control room
/// (BDC-36), which a trainee's rights depend on (BDC-22).
pub(crate) async fn duty_on(
    State(state): State<AppState>,
    staff: Staff,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    set_duty(&state, &staff, &f.csrf, true).await
}

/// `POST /duty/off`
pub(crate) async fn duty_off(
    State(state): State<AppState>,
    staff: Staff,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    set_duty(&state, &staff, &f.csrf, false).await
}

async fn set_duty(
    state: &AppState,
    staff: &Staff,
    csrf: &str,
    on: bool,
) -> Result<Response, WebError> {
    staff.check_csrf(csrf)?;
    let name = Username::parse(&staff.info.subject.username).map_err(WebError::BadRequest)?;
    state.store.set_duty(&staff.actor(), &name, on).await?;
    // Back to where the person works (the duty book is for those who read logbooks).
    let done = if on { "duty-on" } else { "duty-off" };
    Ok(Redirect::to(&crate::done::to(staff.landing(), done)).into_response())
}

/// The unlock form on the lock screen.
#[derive(Debug, Deserialize)]
pub(crate) struct UnlockForm {
    csrf: String,
    password: String,
    next: Option<String>,
}

/// `POST /unlock`: the lock screen's password (LBU-14).
pub(crate) async fn unlock(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<UnlockForm>,
) -> Result<Response, WebError> {
    let next = safe_next(f.next.as_deref());
    let Some((token, info, minutes)) = current(&state, &headers).await? else {
        return Ok(Redirect::to(&format!("/login?next={}", url_encode(&next))).into_response());
    };
    check_csrf(&info, &f.csrf)?;
    let refused = state
        .store
        .unlock_session(&token, &f.password, &client.to_string())
        .await;
    match refused {
        Ok(None) => Ok(Redirect::to(&next).into_response()),
        // Not locked (any more): carry on.
        Err(e) if e.kind() == custos_base::ErrorKind::NotFound => {
            Ok(Redirect::to(&next).into_response())
        }
        Err(e) => Err(e.into()),
        Ok(Some(SignIn::Busy)) => Ok(busy(locked_page(
            &info,
            &next,
            minutes,
            StatusCode::SERVICE_UNAVAILABLE,
            Some(
                "The server is busy checking other sign-ins. Wait a few seconds and try again."
                    .to_owned(),
            ),
        ))),
        Ok(Some(SignIn::SourceThrottled { until_unix_ms })) => Ok(locked_page(
            &info,
            &next,
            minutes,
            StatusCode::TOO_MANY_REQUESTS,
            Some(format!(
                "Too many attempts from this computer. Try again after {}.",
                custos_base::UnixMs(until_unix_ms).to_london_display()
            )),
        )),
        Ok(Some(_)) => Ok(locked_page(
            &info,
            &next,
            minutes,
            StatusCode::UNAUTHORIZED,
            Some(
                "That password is not right (or sign-in is paused after too many attempts)."
                    .to_owned(),
            ),
        )),
    }
}
