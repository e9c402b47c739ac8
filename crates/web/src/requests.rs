//! The public request form (LBU-18, BJS-10, ALT-10, BDC-29, BDC-30): anyone, without an
//! account, asks for footage of themselves or exercises another right over it, from the
//! transparency page; the request becomes a received case with an acknowledgement
//! reference, and footage at the time and place they give is held at once (BDC-28).
//!
//! The form follows the GOV.UK Design System's patterns: a problem is shown in an error
//! summary at the top linking to each field and beside its field (`aria-describedby`,
//! `aria-invalid`); a complete form is shown back on a check-your-answers page, and only
//! "Send" there files the request (`action=send`); "Change" brings the form back as typed.
//!
//! The form is answered POST-redirect-GET: a request filed is answered with a redirect to
//! its acknowledgement page (`/requests/received/KEY`), so refreshing the acknowledgement
//! files nothing; each copy of the form carries a random key in a hidden field, and the
//! same form sent again (the back button, a double click) is the request already filed:
//! it leads to the same acknowledgement and does not count against the limits.
//!
//! Invariants: nothing a person typed is lost on a mistake — the form comes back with their
//! words and what to fix; requests are limited per client address and overall
//! ([`RequestLimiter`]: per client — an IPv6 client counts as its /64 — per network, and
//! overall) so the form cannot be used to flood the scheme nor be used up by one network,
//! and a flood is ledgered and shown to staff; footage named is held only where it exists,
//! provisionally, until staff accept the request (the store's intake hold); the case is
//! opened by the actor `system:public-form` through the store, which ledgers it.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::response::{IntoResponse, Redirect};
use custos_base::{Actor, UnixMs};
use custos_domain::case::{CaseDue, CaseKind};
use custos_domain::network::{Network, client_network, client_site};
use custos_store::cases::{Case, KeyUse, NewCase, RequestKey, Sighting};
use serde::Deserialize;

use crate::AppState;
use crate::client::ClientAddr;
use crate::error::WebError;
use crate::pages::render;

/// Requests one client (an IPv4 address, or an IPv6 /64) may send in [`WINDOW_MS`].
pub const PER_ADDRESS: usize = 3;
/// Requests one network (an IPv4 /24, or an IPv6 /48) may send in [`WINDOW_MS`]: a share of
/// [`OVERALL`], so that no one organisation or provider's block can use up the form for
/// everyone else.
pub const PER_NETWORK: usize = 15;
/// Requests the form takes from everyone together in [`WINDOW_MS`].
pub const OVERALL: usize = 60;
/// The window the limits count over: an hour.
pub const WINDOW_MS: i64 = 60 * 60 * 1000;

/// Sliding-window limits on public requests: [`PER_ADDRESS`] per client, [`PER_NETWORK`]
/// per network and [`OVERALL`] in all, each per [`WINDOW_MS`]. Requests turned away are
/// counted too, for the alarm staff see. Kept in memory: a restart forgets it, which only
/// ever lets a request through.
#[derive(Debug, Default)]
pub struct RequestLimiter {
    by_client: HashMap<Network, VecDeque<i64>>,
    by_network: HashMap<Network, VecDeque<i64>>,
    all: VecDeque<i64>,
    /// Requests turned away in the window: when, and from which network.
    refused: VecDeque<(i64, Network)>,
}

/// Why a request was turned away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// When the client may try again (ms since the epoch).
    pub again_unix_ms: i64,
    /// The network it came from.
    pub network: Network,
    /// Which limit: `client`, `network` or `overall`.
    pub limit: &'static str,
    /// Whether it is the first request from that network turned away in the window (the
    /// moment to raise the alarm).
    pub first: bool,
}

impl RequestLimiter {
    /// Counts a request from `client` at `now_unix_ms` if the limits allow it; otherwise
    /// says why and when the client may try again, counting the refusal.
    pub fn admit(&mut self, client: IpAddr, now_unix_ms: i64) -> Result<(), Refused> {
        let since = now_unix_ms - WINDOW_MS;
        let prune = |q: &mut VecDeque<i64>| {
            while q.front().is_some_and(|t| *t <= since) {
                q.pop_front();
            }
        };
        prune(&mut self.all);
        while self.refused.front().is_some_and(|(t, _)| *t <= since) {
            self.refused.pop_front();
        }
        for map in [&mut self.by_client, &mut self.by_network] {
            map.retain(|_, q| {
                prune(q);
                !q.is_empty()
            });
        }
        let me = client_network(client);
        let site = client_site(client);
        let again = |q: &VecDeque<i64>| q.front().map_or(now_unix_ms, |t| t + WINDOW_MS);
        let over = if let Some(q) = self.by_client.get(&me).filter(|q| q.len() >= PER_ADDRESS) {
            Some(("client", again(q)))
        } else if let Some(q) = self
            .by_network
            .get(&site)
            .filter(|q| q.len() >= PER_NETWORK)
        {
            Some(("network", again(q)))
        } else if self.all.len() >= OVERALL {
            Some(("overall", again(&self.all)))
        } else {
            None
        };
        if let Some((limit, again_unix_ms)) = over {
            let first = !self.refused.iter().any(|(_, n)| *n == site);
            self.refused.push_back((now_unix_ms, site));
            return Err(Refused {
                again_unix_ms,
                network: site,
                limit,
                first,
            });
        }
        self.by_client.entry(me).or_default().push_back(now_unix_ms);
        self.by_network
            .entry(site)
            .or_default()
            .push_back(now_unix_ms);
        self.all.push_back(now_unix_ms);
        Ok(())
    }

    /// Gives back the count [`RequestLimiter::admit`] took from `client` at `at_unix_ms`,
    /// for a request that turned out to be one already filed (sent twice at once).
    pub fn refund(&mut self, client: IpAddr, at_unix_ms: i64) {
        let take = |q: &mut VecDeque<i64>| {
            if let Some(i) = q.iter().rposition(|t| *t == at_unix_ms) {
                q.remove(i);
            }
        };
        if let Some(q) = self.by_client.get_mut(&client_network(client)) {
            take(q);
        }
        if let Some(q) = self.by_network.get_mut(&client_site(client)) {
            take(q);
        }
        take(&mut self.all);
    }

    /// Requests turned away in the window ending at `now_unix_ms`, and the network most of
    /// them came from.
    pub fn refused_recently(&self, now_unix_ms: i64) -> (usize, Option<Network>) {
        let since = now_unix_ms - WINDOW_MS;
        let recent: Vec<&Network> = self
            .refused
            .iter()
            .filter(|(t, _)| *t > since)
            .map(|(_, n)| n)
            .collect();
        let mut counts: HashMap<&Network, usize> = HashMap::new();
        for n in &recent {
            *counts.entry(n).or_default() += 1;
        }
        let top = counts.into_iter().max_by_key(|(_, c)| *c).map(|(n, _)| *n);
        (recent.len(), top)
    }
}

/// The limiter shared by the server's handlers.
pub type SharedLimiter = Arc<Mutex<RequestLimiter>>;

/// How a public form names `kind`.
fn kind_words(kind: CaseKind) -> &'static str {
    match kind {
        CaseKind::Complaint => "A complaint about our CCTV",
        k => PUBLIC_KINDS
            .iter()
            .find(|(p, _)| *p == k)
            .map_or("Request", |(_, l)| *l),
    }
}

/// The kinds of request the public may make, with how the form names them.
const PUBLIC_KINDS: &[(CaseKind, &str)] = &[
    (CaseKind::SubjectAccess, "A copy of footage of me"),
    (CaseKind::Erasure, "Erase footage of me"),
    (CaseKind::Objection, "Stop recording me (an objection)"),
    (
        CaseKind::Restriction,
        "Restrict the use of footage of me (keep it, but do not use it)",
    ),
];

/// What the form holds, as typed.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RequestForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    place_other: String,
    #[serde(default)]
    description: String,
    /// Left empty by people; filled by robots that fill every field.
    #[serde(default)]
    website: String,
    /// This copy of the form's key (a hidden field), so that sending it twice files one
    /// request.
    #[serde(default)]
    request_key: String,
    /// Which button sent it: `check` (the form's: show the answers to check), `change`
    /// (the check page's: back to the form) or `send` (the check page's: file it).
    #[serde(default)]
    action: String,
}

/// A problem with one field of the form: the field's id (where the error summary links)
/// and what to do.
#[derive(Debug)]
pub(crate) struct Problem {
    field: &'static str,
    message: String,
}

impl Problem {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

#[derive(Template)]
#[template(path = "request_form.html")]
struct FormPage {
    controller: String,
    kinds: Vec<(String, &'static str)>,
    places: Vec<String>,
    problems: Vec<Problem>,
    form: RequestForm,
    sar_deadline: String,
    rights_deadline: String,
}

impl FormPage {
    /// The problem with `field`, if any.
    fn problem(&self, field: &str) -> Option<&str> {
        problem(&self.problems, field)
    }
}

/// The public complaint form (BDC-21, LBU-25): the same limits, robot trap, check page
/// and acknowledgement as the request form.
#[derive(Template)]
#[template(path = "complaint_form.html")]
struct ComplaintFormPage {
    controller: String,
    places: Vec<String>,
    problems: Vec<Problem>,
    form: RequestForm,
    /// The pack's acknowledgement and answer times, in words.
    acknowledge: String,
    answer: String,
    /// The time allowed for raising a complaint after the incident, in words, if limited.
    window: Option<String>,
}

impl ComplaintFormPage {
    /// The problem with `field`, if any.
    fn problem(&self, field: &str) -> Option<&str> {
        problem(&self.problems, field)
    }
}

/// The problem with `field` among `problems`, if any.
fn problem<'a>(problems: &'a [Problem], field: &str) -> Option<&'a str> {
    problems
        .iter()
        .find(|p| p.field == field)
        .map(|p| p.message.as_str())
}

/// The check-your-answers page: what will be sent, with the form's fields kept hidden so
/// that "Change" and "Send" both carry them.
#[derive(Template)]
#[template(path = "request_check.html")]
struct CheckPage {
    controller: String,
    form: RequestForm,
    kind: &'static str,
    place: String,
    /// A complaint: its answers read differently.
    complaint: bool,
}

#[derive(Template)]
#[template(path = "request_received.html")]
struct ReceivedPage {
    controller: String,
    reference: String,
    kind: String,
    received: String,
    due: String,
    footage_kept: bool,
    /// Why there is no footage to keep, in words for the requester; empty if there is.
    footage_absent: String,
    contact_point: String,
    /// A complaint: acknowledged in writing by this day, and no proof of identity asked.
    acknowledge_by: Option<String>,
}

/// `?kind=`
#[derive(Debug, Deserialize)]
pub(crate) struct FormQuery {
    kind: Option<String>,
}

/// The places the cameras in service cover, as the register names them: each camera's area.
async fn places(state: &AppState) -> Result<Vec<String>, WebError> {
    let mut out: Vec<String> = state
        .store
        .cameras(false)
        .await?
        .into_iter()
        .map(|c| c.draft.area.trim().to_owned())
        .filter(|a| !a.is_empty())
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

async fn form_page(
    state: &AppState,
    status: StatusCode,
    mut form: RequestForm,
    problems: Vec<Problem>,
) -> Result<Response, WebError> {
    // A form coming back keeps its key, so that it is still one request however often it
    // is sent; a new form, or one without a key that could be ours, gets a fresh one.
    if RequestKey::parse(&form.request_key).is_none() {
        form.request_key = RequestKey::generate()?.as_str().to_owned();
    }
    let Some(active) = state.store.active_policy().await? else {
        return Err(WebError::Forbidden(
            "the scheme has no policy loaded yet, so it cannot take requests here; write to the controller instead".to_owned(),
        ));
    };
    if form.kind == CaseKind::Complaint.as_str() {
        let d = &active.pack.deadlines;
        return Ok(render(
            status,
            &ComplaintFormPage {
                controller: active.pack.controller.name.clone(),
                places: places(state).await?,
                problems,
                form,
                acknowledge: d.complaint_acknowledge.describe(),
                answer: d.complaint_answer.describe(),
                window: d.complaint_window.as_ref().map(|w| w.describe()),
            },
        ));
    }
    Ok(render(
        status,
        &FormPage {
            controller: active.pack.controller.name.clone(),
            kinds: PUBLIC_KINDS
                .iter()
                .map(|(k, label)| (k.as_str().to_owned(), *label))
                .collect(),
            places: places(state).await?,
            problems,
            form,
            sar_deadline: active.pack.deadlines.subject_access.describe(),
            rights_deadline: active.pack.deadlines.rights_request.describe(),
        },
    ))
}

/// `GET /complaints/new`: the complaint form.
pub(crate) async fn complaint_form(State(state): State<AppState>) -> Result<Response, WebError> {
    let form = RequestForm {
        kind: CaseKind::Complaint.as_str().to_owned(),
        ..RequestForm::default()
    };
    form_page(&state, StatusCode::OK, form, Vec::new()).await
}

/// `GET /requests/new`: the form.
pub(crate) async fn form(
    State(state): State<AppState>,
    Query(q): Query<FormQuery>,
) -> Result<Response, WebError> {
    let form = RequestForm {
        kind: q
            .kind
            .unwrap_or_else(|| CaseKind::SubjectAccess.as_str().to_owned()),
        ..RequestForm::default()
    };
    form_page(&state, StatusCode::OK, form, Vec::new()).await
}

/// What is wrong with a filled form, each problem saying how to fix it; or the case.
fn read(form: &RequestForm, received_unix_ms: i64) -> Result<NewCase, Vec<Problem>> {
    if form.kind.trim() == CaseKind::Complaint.as_str() {
        return read_complaint(form, received_unix_ms);
    }
    let mut problems = Vec::new();
    let kind = PUBLIC_KINDS
        .iter()
        .find(|(k, _)| k.as_str() == form.kind.trim())
        .map(|(k, _)| *k);
    if kind.is_none() {
        problems.push(Problem::new("kind", "Choose what you are asking for."));
    }
    read_requester(form, &mut problems);
    let contact = form.contact.trim();
    let place = if form.place.trim() == "elsewhere" || form.place.trim().is_empty() {
        form.place_other.trim()
    } else {
        form.place.trim()
    };
    if place.is_empty() {
        problems.push(Problem::new(
            "place",
            "Say where you were: choose a place, or describe it.",
        ));
    }
    let when = match (form.date.trim(), form.time.trim()) {
        ("", _) => {
            problems.push(Problem::new("date", "Give the date you were there."));
            None
        }
        (date, time) => {
            let time = if time.is_empty() { "12:00" } else { time };
            match UnixMs::parse_uk_local(&format!("{date}T{time}")) {
                Ok(t) if t.0 > received_unix_ms => {
                    problems.push(Problem::new(
                        "date",
                        "The date and time you were there are in the future.",
                    ));
                    None
                }
                Ok(t) => Some(t.0),
                Err(_) => {
                    problems.push(Problem::new(
                        "date",
                        "Give the date as YYYY-MM-DD and the time as HH:MM, e.g. 2026-11-20 and 08:40.",
                    ));
                    None
                }
            }
        }
    };
    if form.time.trim().is_empty() {
        problems.push(Problem::new(
            "time",
            "Give the time you were there, as near as you can: we search an hour either side.",
        ));
    }
    match (kind, when, problems.is_empty()) {
        (Some(kind), Some(at), true) => Ok(NewCase {
            kind,
            received_at_unix_ms: received_unix_ms,
            channel: "public-form".to_owned(),
            summary: format!(
                "{} — {} on {} at about {}",
                kind_words(kind),
                place,
                form.date.trim(),
                form.time.trim()
            ),
            requester_name: form.name.trim().to_owned(),
            requester_contact: contact.to_owned(),
            details: form.description.trim().to_owned(),
            sighting: Some(Sighting {
                at_unix_ms: at,
                place: place.to_owned(),
            }),
            incident_at_unix_ms: None,
            raised_late: false,
        }),
        _ => Err(problems),
    }
}

/// The name and the address for the answer, which every public form asks for.
fn read_requester(form: &RequestForm, problems: &mut Vec<Problem>) {
    if form.name.trim().chars().count() < 2 {
        problems.push(Problem::new(
            "name",
            "Give your name, so we can find you and answer you.",
        ));
    }
    let contact = form.contact.trim();
    if contact.chars().count() < 6 || !(contact.contains('@') || contact.contains(' ')) {
        problems.push(Problem::new(
            "contact",
            "Give an e-mail address or a postal address we can send our answer to.",
        ));
    }
}

/// A filled complaint form: what is wrong, or the case. The complaint and the day it
/// happened are needed; the time and place only if it happened on camera, when the
/// footage is kept while the complaint is dealt with. Whether it came late is for the
/// caller, on the scheme's calendar.
fn read_complaint(form: &RequestForm, received_unix_ms: i64) -> Result<NewCase, Vec<Problem>> {
    let mut problems = Vec::new();
    read_requester(form, &mut problems);
    let what = form.description.trim();
    if what.chars().count() < 10 {
        problems.push(Problem::new(
            "description",
            "Tell us what your complaint is about: what happened, and what you would like us to do.",
        ));
    }
    let place = if form.place.trim() == "elsewhere" || form.place.trim().is_empty() {
        form.place_other.trim()
    } else {
        form.place.trim()
    };
    let when = match form.date.trim() {
        "" => {
            problems.push(Problem::new("date", "Give the date it happened."));
            None
        }
        date => {
            // A day without a time is read as its middle, or as the moment the
            // complaint came when that is earlier: something this morning, told of
            // before noon, has not happened in the future.
            let (time, day_only) = match form.time.trim() {
                "" => ("00:00", true),
                time => (time, false),
            };
            match UnixMs::parse_uk_local(&format!("{date}T{time}")) {
                Ok(t) if t.0 > received_unix_ms => {
                    problems.push(Problem::new(
                        "date",
                        "The date it happened is in the future.",
                    ));
                    None
                }
                Ok(t) if day_only => Some(
                    UnixMs::parse_uk_local(&format!("{date}T12:00"))
                        .map_or(t.0, |noon| noon.0.min(received_unix_ms)),
                ),
                Ok(t) => Some(t.0),
                Err(_) => {
                    problems.push(Problem::new(
                        "date",
                        "Give the date as YYYY-MM-DD and the time as HH:MM, e.g. 2026-11-20 and 08:40.",
                    ));
                    None
                }
            }
        }
    };
    if !place.is_empty() && form.time.trim().is_empty() {
        problems.push(Problem::new(
            "time",
            "Give the time it happened, as near as you can, so we can keep the footage: we keep an hour either side.",
        ));
    }
    let (Some(at), true) = (when, problems.is_empty()) else {
        return Err(problems);
    };
    let first_line: String = what
        .lines()
        .next()
        .unwrap_or(what)
        .chars()
        .take(80)
        .collect();
    Ok(NewCase {
        kind: CaseKind::Complaint,
        received_at_unix_ms: received_unix_ms,
        channel: "public-form".to_owned(),
        summary: format!("Complaint: {first_line}"),
        requester_name: form.name.trim().to_owned(),
        requester_contact: form.contact.trim().to_owned(),
        details: what.to_owned(),
        sighting: (!place.is_empty()).then(|| Sighting {
            at_unix_ms: at,
            place: place.to_owned(),
        }),
        incident_at_unix_ms: Some(at),
        raised_late: false,
    })
}

/// `POST /requests`: takes a request, within the limits, and redirects to its
/// acknowledgement; the same form sent again redirects there too, filing nothing.
pub(crate) async fn submit(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Form(form): Form<RequestForm>,
) -> Result<Response, WebError> {
    let now = state.store.clock().now();
    if !form.website.trim().is_empty() {
        return Err(WebError::BadRequest(
            "this request could not be taken; please write to us instead".to_owned(),
        ));
    }
    if form.action == "change" {
        return form_page(&state, StatusCode::OK, form, Vec::new()).await;
    }
    let mut new = match read(&form, now.0) {
        Ok(n) => n,
        Err(problems) => {
            return form_page(&state, StatusCode::UNPROCESSABLE_ENTITY, form, problems).await;
        }
    };
    new.raised_late = crate::cases::raised_late(
        &state,
        new.kind,
        new.incident_at_unix_ms,
        new.received_at_unix_ms,
    )
    .await?;
    if form.action != "send" {
        return check_page(&state, form, &new).await;
    }
    // The same form sent again is the request already filed: its acknowledgement, and no
    // count against the limits. Changed before it was sent again, it is a new request.
    let mut key = match RequestKey::parse(&form.request_key) {
        Some(k) => k,
        None => RequestKey::generate()?,
    };
    match state.store.request_by_key(&key, &new).await? {
        KeyUse::Same(_) => return Ok(to_acknowledgement(&key)),
        KeyUse::Different => key = RequestKey::generate()?,
        KeyUse::Unused => {}
    }
    let admitted = state
        .request_limiter
        .lock()
        .map_err(|_| WebError::BadRequest("the server is busy; try again".to_owned()))?
        .admit(client, now.0);
    if let Err(refused) = admitted {
        if refused.first {
            // A flood is visible to staff: the first request turned away from a network in
            // the window is ledgered (an alarm on the staff pages counts the rest).
            state
                .store
                .append(
                    &Actor::System("public-form".to_owned()),
                    custos_domain::ledger::NewEntry::new(
                        custos_domain::ledger::Book::Access,
                        "public-requests-refused",
                    )
                    .with("network", refused.network.to_string())
                    .with("limit", refused.limit),
                )
                .await?;
        }
        let again = refused.again_unix_ms;
        return form_page(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            form,
            vec![Problem::new(
                "name",
                format!(
                    "We have had several requests from your connection in the last hour. Nothing \
                     you typed is lost: try again after {}, or write to us instead.",
                    UnixMs(again).to_london_display()
                ),
            )],
        )
        .await;
    }
    let (_, filed_now) = state
        .store
        .open_case_once(&Actor::System("public-form".to_owned()), &new, &key)
        .await?;
    if !filed_now {
        // Sent twice at once: the other copy filed it, so this one costs nothing.
        if let Ok(mut limiter) = state.request_limiter.lock() {
            limiter.refund(client, now.0);
        }
    }
    Ok(to_acknowledgement(&key))
}

/// The answers of a complete form, to check before sending.
async fn check_page(
    state: &AppState,
    mut form: RequestForm,
    new: &NewCase,
) -> Result<Response, WebError> {
    if RequestKey::parse(&form.request_key).is_none() {
        form.request_key = RequestKey::generate()?.as_str().to_owned();
    }
    let controller = state
        .store
        .active_policy()
        .await?
        .map(|a| a.pack.controller.name.clone())
        .unwrap_or_default();
    let kind = kind_words(new.kind);
    let place = new
        .sighting
        .as_ref()
        .map(|s| s.place.clone())
        .unwrap_or_default();
    Ok(render(
        StatusCode::OK,
        &CheckPage {
            controller,
            form,
            kind,
            place,
            complaint: new.kind == CaseKind::Complaint,
        },
    ))
}

/// The redirect to a filed request's acknowledgement (303, so the browser asks for it with
/// GET and a refresh asks for nothing more).
fn to_acknowledgement(key: &RequestKey) -> Response {
    Redirect::to(&format!("/requests/received/{}", key.as_str())).into_response()
}

/// `GET /requests/received/{key}`: the acknowledgement of the request filed with `key`:
/// its reference, when it was received and the date it will be answered by, and whether
/// footage is kept for it or why there is none.
pub(crate) async fn received(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let case = match RequestKey::parse(&key) {
        Some(key) => state.store.case_by_request_key(&key).await?,
        None => None,
    };
    let Some(case) = case else {
        return Ok(crate::pages::not_found().await.into_response());
    };
    acknowledgement(&state, &case).await
}

/// The acknowledgement page of `case`.
async fn acknowledgement(state: &AppState, case: &Case) -> Result<Response, WebError> {
    let Some(active) = state.store.active_policy().await? else {
        return Err(WebError::Forbidden("no policy pack is loaded".to_owned()));
    };
    let calendar = state
        .calendar(active.pack.nation)
        .map_err(WebError::BadRequest)?;
    let due = match custos_domain::case::due(
        case.kind,
        case.state,
        case.received_at_unix_ms,
        &[],
        false,
        &active.pack,
        &calendar,
    ) {
        Ok(CaseDue::Due(d)) => d.due.describe(),
        _ => "the date the law sets".to_owned(),
    };
    // A complaint is first acknowledged in writing, by the day its own clock gives.
    let acknowledge_by = match case.kind {
        CaseKind::Complaint => {
            let pauses = case.clock_pauses();
            let mut times = case.times(&pauses);
            times.progress.acknowledged = false;
            match custos_domain::case::next_deadline(&times, &active.pack, &calendar) {
                Ok((_, CaseDue::Due(d))) => Some(d.due.describe()),
                _ => None,
            }
        }
        _ => None,
    };
    Ok(render(
        StatusCode::OK,
        &ReceivedPage {
            controller: active.pack.controller.name.clone(),
            reference: case.reference.clone(),
            kind: kind_words(case.kind).to_owned(),
            received: UnixMs(case.received_at_unix_ms).to_london_display(),
            due,
            footage_kept: case
                .footage
                .iter()
                .any(|f| f.hold_state.is_some_and(|h| h.keeping())),
            footage_absent: case
                .footage_absent
                .map_or_else(String::new, |a| a.for_requester()),
            contact_point: active.pack.controller.contact_point.clone(),
            acknowledge_by,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// LBU-18: the public form is limited per client address and overall, over a sliding
    /// hour; a refused request is not counted, and the window moves on.
    #[test]
    fn lbu_18_public_requests_are_limited_per_address_and_overall() {
        let mut l = RequestLimiter::default();
        let a: IpAddr = "203.0.113.9".parse().expect("ip");
        let t0 = 1_800_000_000_000;
        for i in 0..PER_ADDRESS {
            assert!(l.admit(a, t0 + i as i64).is_ok());
        }
        assert_eq!(
            l.admit(a, t0 + 10).map_err(|r| r.again_unix_ms),
            Err(t0 + WINDOW_MS)
        );
        assert!(
            l.admit(a, t0 + WINDOW_MS + 1).is_ok(),
            "the window moves on"
        );
        let mut l = RequestLimiter::default();
        for i in 0..OVERALL {
            let ip: IpAddr = format!("10.{i}.0.1").parse().expect("ip");
            assert!(l.admit(ip, t0).is_ok());
        }
        let other: IpAddr = "198.51.100.1".parse().expect("ip");
        assert_eq!(l.admit(other, t0 + 5).map_err(|r| r.limit), Err("overall"));
        assert_eq!(l.refused_recently(t0 + 5).0, 1);
    }

    /// LBU-18: a count given back (a request found to be one already filed) frees its
    /// place in every window; other clients' counts are untouched.
    #[test]
    fn lbu_18_a_refunded_request_frees_its_place() {
        let mut l = RequestLimiter::default();
        let a: IpAddr = "203.0.113.9".parse().expect("ip");
        let b: IpAddr = "203.0.113.10".parse().expect("ip");
        let t0 = 1_800_000_000_000;
        assert!(l.admit(b, t0).is_ok());
        for i in 0..PER_ADDRESS {
            assert!(l.admit(a, t0 + 1 + i as i64).is_ok());
        }
        assert!(l.admit(a, t0 + 10).is_err());
        l.refund(a, t0 + 2);
        assert!(l.admit(a, t0 + 11).is_ok(), "the refunded place is free");
        assert!(l.admit(a, t0 + 12).is_err());
        assert_eq!(l.all.len(), PER_ADDRESS + 1);
    }

    /// LBU-18, BDC-29: a request needs a name, a way to answer, a date, a time and a place;
    /// each missing piece is named, and a good one becomes a case with its sighting.
    #[test]
    fn lbu_18_the_form_says_what_is_missing_and_reads_the_time_and_place() {
        let err = read(&RequestForm::default(), 1_800_000_000_000).expect_err("empty");
        assert!(err.len() >= 5, "{err:?}");
        let f = RequestForm {
            kind: "subject-access".to_owned(),
            name: "Alex Example".to_owned(),
            contact: "alex@example.org".to_owned(),
            date: "2026-11-20".to_owned(),
            time: "08:40".to_owned(),
            place: "elsewhere".to_owned(),
            place_other: "by the front gate".to_owned(),
            ..RequestForm::default()
        };
        let c = read(&f, 1_800_000_000_000).expect("good");
        assert_eq!(c.kind, CaseKind::SubjectAccess);
        let s = c.sighting.expect("sighting");
        assert_eq!(s.place, "by the front gate");
        assert_eq!(
            s.at_unix_ms,
            UnixMs::parse_uk_local("2026-11-20T08:40").expect("t").0
        );
        let future = RequestForm {
            date: "2099-01-01".to_owned(),
            ..f
        };
        assert!(read(&future, 1_800_000_000_000).is_err());
    }

    #[test]
    fn bdc_21_a_complaint_about_this_morning_without_a_time_is_not_in_the_future() {
        let nine_am = UnixMs::parse_uk_local("2026-12-08T09:00").expect("t").0;
        let form = |date: &str| RequestForm {
            kind: "complaint".to_owned(),
            name: "Casey Complainant".to_owned(),
            contact: "casey@example.org".to_owned(),
            description: "A camera looks straight into our back garden.".to_owned(),
            date: date.to_owned(),
            ..RequestForm::default()
        };
        let c = read_complaint(&form("2026-12-08"), nine_am)
            .expect("a complaint about today, sent at nine");
        let at = c.incident_at_unix_ms.expect("the day it happened");
        assert!(at <= nine_am, "{at} is after the complaint came");
        assert!(
            at >= UnixMs::parse_uk_local("2026-12-08T00:00").expect("t").0,
            "{at} is before the day"
        );
        let err = read_complaint(&form("2026-12-09"), nine_am).expect_err("tomorrow");
        assert!(err.iter().any(|p| p.message.contains("future")), "{err:?}");
        let last_week = read_complaint(&form("2026-12-01"), nine_am).expect("last week");
        assert_eq!(
            last_week.incident_at_unix_ms,
            Some(UnixMs::parse_uk_local("2026-12-01T12:00").expect("t").0),
            "a day without a time is read as its middle"
        );
    }
}
