//! Staff pages: the banner every staff page shows, the logbooks (BDC-18, LBU-13, ALT-8),
//! the ledger's verification status and its alarm (BDC-35). The Start page is `start`.
//!
//! Invariants: every handler takes [`Staff`] and calls [`Staff::require`] before reading
//! anything; state-changing forms check the CSRF token; handlers make one store call for
//! what they show and render it.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use custos_base::UnixMs;
use custos_domain::access::{Right, Target};
use custos_domain::ledger::{Book, Names};
use custos_domain::logbook;
use custos_store::{LedgerAlarm, LedgerQuery, VerificationRecord};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Staff;
use crate::error::WebError;
use crate::pages::render;

/// Rows per page of a logbook.
pub const PAGE_ROWS: usize = 50;

/// The filters of the Logbooks page (all optional).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct LogbookFilter {
    pub(crate) book: Option<String>,
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
    pub(crate) camera: Option<String>,
    pub(crate) actor: Option<String>,
    pub(crate) after: Option<i64>,
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl LogbookFilter {
    fn book(&self) -> Result<Book, WebError> {
        nonempty(&self.book)
            .unwrap_or("review")
            .parse()
            .map_err(WebError::BadRequest)
    }

    pub(crate) fn query(&self, book: Book) -> Result<LedgerQuery, WebError> {
        let bound = |s: &Option<String>, end: bool| {
            nonempty(s)
                .map(|t| UnixMs::parse_bound(t, end).map(|u| u.0))
                .transpose()
                .map_err(WebError::BadRequest)
        };
        let actor = nonempty(&self.actor).map(|a| {
            if a.contains(':') {
                a.to_owned()
            } else {
                format!("user:{a}")
            }
        });
        Ok(LedgerQuery {
            book: Some(book),
            from_unix_ms: bound(&self.from, false)?,
            to_unix_ms: bound(&self.to, true)?,
            actor,
            reference: nonempty(&self.camera).map(|c| format!("camera:{c}")),
            after_seq: self.after,
            limit: None,
        })
    }

    /// The filters as a query string (without `after`), for links.
    fn query_string(&self, book: Book) -> String {
        let mut parts = vec![format!("book={book}")];
        for (k, v) in [
            ("from", &self.from),
            ("to", &self.to),
            ("camera", &self.camera),
            ("actor", &self.actor),
        ] {
            if let Some(v) = nonempty(v) {
                parts.push(format!("{k}={}", form_encode(v)));
            }
        }
        parts.join("&")
    }
}

/// `s` encoded for a query string (`application/x-www-form-urlencoded`: a space as `+`).
pub(crate) fn form_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b' ' => out.push('+'),
            b if b.is_ascii_alphanumeric() || b"-_.~:".contains(&b) => out.push(char::from(b)),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// What every staff page shows at the top.
pub(crate) struct Banner {
    pub(crate) on_duty: bool,
    pub(crate) name: String,
    pub(crate) roles: String,
    pub(crate) csrf: String,
    pub(crate) verification: Option<String>,
    pub(crate) alarms: Vec<AlarmView>,
    /// The ledger's integrity alarms everyone sees: witnesses that cannot be written, and
    /// checkpoints not being signed.
    pub(crate) integrity: Vec<String>,
    /// The pages this person may open, grouped by what people do there.
    pub(crate) nav: Vec<NavGroup>,
    /// The scheme's name.
    pub(crate) scheme: String,
    /// The path of the page shown.
    pub(crate) path: String,
    /// Deputising arrangements in effect for this person now (BDC-1).
    pub(crate) deputising: Vec<String>,
    /// What was just done and what happens next, after an action.
    pub(crate) done: Option<&'static str>,
    /// For those who handle breaches: each breach the ICO is still to be told of, with the
    /// hours left (ALT-18).
    pub(crate) breaches: Vec<String>,
}

/// A heading in the navigation and the pages under it.
pub(crate) struct NavGroup {
    pub(crate) label: &'static str,
    pub(crate) items: Vec<NavItem>,
}

/// One page in the navigation.
pub(crate) struct NavItem {
    pub(crate) path: &'static str,
    pub(crate) label: &'static str,
    /// This page, or a page within it, is the one shown.
    pub(crate) current: bool,
}

/// The navigation for `staff`: the pages their rights open, grouped by what people do
/// (watch, work, records, the scheme), a group shown only when it has a page for them.
/// The page shown (or the page it belongs to) is marked current.
fn nav_groups(staff: &Staff) -> Vec<NavGroup> {
    /// Who sees a page in the navigation.
    #[derive(Clone, Copy)]
    enum Gate {
        /// Anyone signed in.
        Anyone,
        /// Those holding the right somewhere.
        Right(Right),
        /// Those who keep or countersign the book under the pack, or read the logbooks.
        Book(Book),
        /// Those of [`Gate::Book`], where the pack states the book itself.
        StatedBook(Book),
        /// Those who countersign, and so check, a control-room book.
        Checker,
    }
    /// A page in the navigation: its path, its label, and who sees it.
    type Page = (&'static str, &'static str, Gate);
    const GROUPS: &[(&str, &[Page])] = &[
        ("", &[("/start", "Start", Gate::Anyone)]),
        (
            "Watch",
            &[
                ("/live", "Live", Gate::Right(Right::ViewLive)),
                ("/groups", "Cameras", Gate::Right(Right::ViewLive)),
            ],
        ),
        (
            "Work",
            &[
                ("/cases", "Cases", Gate::Right(Right::WorkCases)),
                ("/export", "Export", Gate::Right(Right::Export)),
                // The control room's visitors' log (LBU-12, BDC-23), kept by the pack's
                // `[books.visitors]` roles.
                ("/visitors", "Visitors", Gate::Book(Book::Visitors)),
                // The deployment log of redeployable cameras (BDC-38).
                // Shown where the pack states that book: a scheme that deploys cameras.
                (
                    "/deployments",
                    "Deployments",
                    Gate::StatedBook(Book::Deployment),
                ),
                // The body-worn cameras' register and issue log (LBU-24). Shown where the
                // pack states that book: a scheme that issues body-worn cameras.
                (
                    "/bodyworn",
                    "Body-worn cameras",
                    Gate::StatedBook(Book::Bwv),
                ),
                // The faults and maintenance log (LBU-16, BDC-19), kept by the pack's
                // `[books.maintenance]` roles.
                ("/maintenance", "Maintenance", Gate::Book(Book::Maintenance)),
                // The supervisor's checks (BDC-18), for those who countersign a book.
                ("/checks", "Checks", Gate::Checker),
            ],
        ),
        (
            "Records",
            &[
                ("/logbooks", "Logbooks", Gate::Right(Right::ReadLogbooks)),
                // The incident log (BDC-24), kept by the pack's `[books.incident]` roles.
                ("/incidents", "Incidents", Gate::Book(Book::Incident)),
                // The video print register (BDC-34), kept by the pack's
                // `[books.video-prints]` roles.
                ("/prints", "Video prints", Gate::Book(Book::VideoPrints)),
                ("/retention", "Retention", Gate::Right(Right::ReadLogbooks)),
                // The disclosure log is read as a logbook (LBU-20); see `routes`.
                (
                    "/disclosures",
                    "Disclosures",
                    Gate::Right(Right::ReadLogbooks),
                ),
                (
                    "/complaints",
                    "Complaints",
                    Gate::Right(Right::ReadLogbooks),
                ),
                ("/breaches", "Breaches", Gate::Right(Right::WorkCases)),
            ],
        ),
        (
            "Scheme",
            &[
                (
                    "/cameras",
                    "Camera register",
                    Gate::Right(Right::ManageCameras),
                ),
                // The list of installed equipment (BDC-37), kept by the pack's
                // `[books.equipment]` roles.
                ("/equipment", "Equipment", Gate::Book(Book::Equipment)),
                ("/users", "People", Gate::Right(Right::ManageUsers)),
                ("/", "Transparency page", Gate::Anyone),
            ],
        ),
    ];
    // Pages reached from another page belong to it in the navigation.
    let here = match staff.path.as_str() {
        p if p.starts_with("/cameras/") && p.ends_with("/review") => "/groups",
        p if p.starts_with("/reviews/") => "/groups",
        p if p.starts_with("/exports/") || p.starts_with("/downloads/") => "/export",
        p if p.starts_with("/print-authorities/") => "/prints",
        p => p,
    };
    let within = |path: &str| match path {
        "/" => here == "/",
        p => {
            here == p
                || here
                    .strip_prefix(p)
                    .is_some_and(|rest| rest.starts_with('/'))
        }
    };
    GROUPS
        .iter()
        .map(|(label, pages)| NavGroup {
            label,
            items: pages
                .iter()
                .filter(|(_, _, gate)| match gate {
                    Gate::Anyone => true,
                    Gate::Right(r) => staff.holds(*r),
                    Gate::Book(b) => staff.may_open_book(*b),
                    Gate::StatedBook(b) => staff.books.stated(*b) && staff.may_open_book(*b),
                    Gate::Checker => !crate::checks::books_checked_by(staff).is_empty(),
                })
                .map(|(path, label, _)| NavItem {
                    path,
                    label,
                    current: within(path),
                })
                .collect(),
        })
        .filter(|g| !g.items.is_empty())
        .collect()
}

pub(crate) struct AlarmView {
    pub(crate) seq: i64,
    pub(crate) at: String,
    pub(crate) title: String,
    pub(crate) problem: String,
    /// The link to report it as a personal data breach, for those who may work breaches.
    pub(crate) report_breach: Option<String>,
}

impl Banner {
    /// The banner for `staff`: who is signed in; for those who read logbooks, the last
    /// verification and any alarm not yet acknowledged (which then shows on every page).
    pub(crate) async fn load(state: &AppState, staff: &Staff) -> Result<Self, WebError> {
        let reader = staff.may(Right::ReadLogbooks, &Target::Scheme);
        let (verification, alarms) = if reader {
            let v = state.store.latest_verification().await?;
            let a = state.store.ledger_alarms().await?;
            (
                v.map(|v| describe_verification(&v)),
                a.iter().map(|a| alarm_view(staff, a)).collect(),
            )
        } else {
            (None, Vec::new())
        };
        let nav = nav_groups(staff);
        let mut integrity: Vec<String> = state
            .store
            .witness_problems()
            .await?
            .into_iter()
            .map(|w| {
                format!(
                    "The ledger's witness {} cannot be written (since {}): {}. Until it can, a copy of the ledger's signatures is not being kept there; tell the scheme's DPO or whoever looks after the server.",
                    w.target,
                    UnixMs(w.since_unix_ms).to_london_display(),
                    w.detail
                )
            })
            .collect();
        if staff.holds(Right::WorkCases) || reader {
            let now = state.store.clock().now().0;
            let (refused, top) = state
                .request_limiter
                .lock()
                .map(|l| l.refused_recently(now))
                .unwrap_or((0, None));
            if refused > 0 {
                integrity.push(format!(
                    "The public request form turned away {refused} request{} in the last hour{}, over its limits: someone may be flooding it. Each network's first refusal is in the access logbook.",
                    if refused == 1 { "" } else { "s" },
                    top.map(|n| format!(" (most from {n})")).unwrap_or_default()
                ));
            }
        }
        if let Some(why) = state.store.signing_suspended() {
            integrity.push(format!(
                "The ledger is not being signed, because it could not be verified: {why}. Recording goes on; tell the scheme's DPO."
            ));
        }
        Ok(Self {
            breaches: crate::breaches::banner_lines(state, staff).await?,
            nav,
            scheme: staff.scheme.clone(),
            path: staff.path.clone(),
            integrity,
            deputising: staff.table.deputising(&staff.info.subject),
            done: staff.done,
            on_duty: state.store.on_duty(&staff.info.subject.username).await?,
            name: staff.info.display_name.clone(),
            roles: staff.roles_text(),
            csrf: staff.info.csrf.clone(),
            verification,
            alarms,
        })
    }
}

/// `s` with its first letter a capital, for a sentence of its own.
pub(crate) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn describe_verification(v: &VerificationRecord) -> String {
    let at = UnixMs(v.at_unix_ms).to_london_display();
    if v.intact {
        format!("Ledger verified at {at}: {} entries intact.", v.entries)
    } else {
        format!("Ledger verification FAILED at {at}.")
    }
}

fn alarm_view(staff: &Staff, a: &LedgerAlarm) -> AlarmView {
    let at = UnixMs(a.at_unix_ms).to_london_display();
    AlarmView {
        seq: a.seq,
        report_breach: crate::cases::report_breach(
            staff,
            "ledger-alarm",
            &format!("Ledger alarm of {at}: {}", a.title),
        ),
        at,
        title: a.title.clone(),
        problem: a.problem.clone(),
    }
}

/// One ledger entry on the Logbooks page: a sentence, and its raw fields on demand.
struct EntryView {
    seq: i64,
    at: String,
    sentence: String,
    /// The entry's fields as stored: (name, value).
    details: Vec<(String, String)>,
}

/// A stored entry's fields as a JSON object (empty when the body is not one).
fn body_of(e: &custos_domain::ledger::StoredEntry) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::from_str::<serde_json::Value>(&e.body) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    }
}

/// The entry `e` in one sentence for people (`ledger::describe`).
pub(crate) fn sentence(e: &custos_domain::ledger::StoredEntry, names: &Names) -> String {
    let refs = custos_domain::ledger::parse_refs(&e.refs);
    custos_domain::ledger::describe(&e.actor, &e.kind, &body_of(e), &refs, names)
}

impl EntryView {
    fn new(e: &custos_domain::ledger::StoredEntry, names: &Names) -> Self {
        let body = body_of(e);
        let mut details = vec![
            ("Logbook".to_owned(), e.book.clone()),
            ("Kind".to_owned(), e.kind.clone()),
            ("Actor".to_owned(), e.actor.clone()),
        ];
        if !e.refs.is_empty() {
            details.push(("Concerning".to_owned(), e.refs.replace('\n', "; ")));
        }
        details.extend(body.iter().map(|(k, v)| {
            (
                k.clone(),
                match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                },
            )
        }));
        Self {
            seq: e.seq,
            at: UnixMs(e.at_unix_ms).to_london_display(),
            sentence: sentence(e, names),
            details,
        }
    }
}

/// What the ledger's sentences call people, cameras, purposes and camera groups: every
/// account (disabled ones too), every camera (retired ones too), the active pack's
/// purposes and the camera groups.
pub(crate) async fn names(state: &AppState) -> Result<Names, WebError> {
    let mut names = Names::default();
    for u in state.store.users().await? {
        names.people.insert(u.username, u.display_name);
    }
    for c in state.store.cameras(true).await? {
        names.cameras.insert(c.id.to_string(), c.draft.name);
    }
    if let Some(policy) = state.store.active_policy().await? {
        for p in &policy.pack.purposes {
            names.purposes.insert(p.id.to_string(), p.name.clone());
        }
    }
    for g in state.store.camera_groups().await? {
        names.groups.insert(g.id.to_string(), g.name);
    }
    Ok(names)
}

#[derive(Template)]
#[template(path = "logbooks.html")]
struct LogbooksPage {
    banner: Banner,
    /// Every logbook: (id, name).
    books: Vec<(&'static str, &'static str)>,
    book: String,
    book_title: &'static str,
    filter_from: String,
    filter_to: String,
    filter_camera: String,
    filter_actor: String,
    /// Cameras to filter by: (id, name).
    cameras: Vec<(String, String)>,
    /// People to filter by: (user name, name).
    people: Vec<(String, String)>,
    entries: Vec<EntryView>,
    csv_link: String,
    next_link: Option<String>,
    first_link: Option<String>,
}

/// `GET /logbooks`: one logbook, filtered, a page at a time.
pub(crate) async fn logbooks(
    State(state): State<AppState>,
    staff: Staff,
    Query(filter): Query<LogbookFilter>,
) -> Result<Response, WebError> {
    staff
        .require(&state, Right::ReadLogbooks, &Target::Scheme)
        .await?;
    let book = filter.book()?;
    let mut q = filter.query(book)?;
    q.limit = Some(PAGE_ROWS as i64 + 1);
    let mut entries = state.store.ledger_entries(&q).await?;
    let more = entries.len() > PAGE_ROWS;
    entries.truncate(PAGE_ROWS);
    let names = names(&state).await?;
    let qs = filter.query_string(book);
    let page = LogbooksPage {
        banner: Banner::load(&state, &staff).await?,
        books: Book::ALL.iter().map(|b| (b.as_str(), b.title())).collect(),
        book: book.to_string(),
        book_title: book.title(),
        filter_from: nonempty(&filter.from).unwrap_or("").to_owned(),
        filter_to: nonempty(&filter.to).unwrap_or("").to_owned(),
        filter_camera: nonempty(&filter.camera).unwrap_or("").to_owned(),
        filter_actor: nonempty(&filter.actor).unwrap_or("").to_owned(),
        entries: entries.iter().map(|e| EntryView::new(e, &names)).collect(),
        cameras: names
            .cameras
            .iter()
            .map(|(id, name)| (id.clone(), name.clone()))
            .collect(),
        people: names
            .people
            .iter()
            .map(|(u, name)| (u.clone(), name.clone()))
            .collect(),
        csv_link: format!("/logbooks/export.csv?{qs}"),
        next_link: more
            .then(|| {
                entries
                    .last()
                    .map(|e| format!("/logbooks?{qs}&after={}", e.seq))
            })
            .flatten(),
        first_link: filter.after.map(|_| format!("/logbooks?{qs}")),
    };
    Ok(render(StatusCode::OK, &page))
}

/// `GET /logbooks/export.csv`: the filtered logbook as CSV, every row.
pub(crate) async fn logbook_csv(
    State(state): State<AppState>,
    staff: Staff,
    Query(filter): Query<LogbookFilter>,
) -> Result<Response, WebError> {
    staff
        .require(&state, Right::ReadLogbooks, &Target::Scheme)
        .await?;
    let book = filter.book()?;
    let entries = state.store.ledger_entries(&filter.query(book)?).await?;
    let table = logbook::table(book, &entries);
    let csv = custos_domain::csvfile::document(&table.headers, &table.rows);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"custos-{book}-logbook.csv\""),
            ),
        ],
        csv,
    )
        .into_response())
}

/// The acknowledgement form.
#[derive(Debug, Deserialize)]
pub(crate) struct AcknowledgeForm {
    csrf: String,
    note: String,
}

/// `POST /ledger/alarms/{seq}/acknowledge`
pub(crate) async fn acknowledge_alarm(
    State(state): State<AppState>,
    staff: Staff,
    Path(seq): Path<i64>,
    Form(f): Form<AcknowledgeForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let actor = staff
        .require(&state, Right::ReadLogbooks, &Target::Scheme)
        .await?;
    state
        .store
        .acknowledge_ledger_alarm(&actor, seq, &f.note)
        .await?;
    Ok(Redirect::to(&crate::done::to(
        "/logbooks?book=system",
        "alarm-acknowledged",
    ))
    .into_response())
}
