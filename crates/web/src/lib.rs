//! The web front end: server-rendered HTML pages and the JSON API under `/api/v1`.
//!
//! Invariants: handlers stay thin (extract → one store call → render); no SQL here; every
//! error becomes an HTTP status through [`error::status_for`], in one place. The web layer
//! reads the store and never talks to the recorder.

mod account;
pub mod api;
pub mod assets;
pub mod auth;
mod bodyworn;
mod breaches;
mod cameras;
mod cases;
mod charts;
mod checks;
pub mod client;
mod complaints;
mod confirm;
mod covert;
mod deployments;
mod disclosures;
mod done;
pub mod downloads;
mod equipment;
pub mod error;
pub mod export;
mod forms;
mod groups;
pub mod headers;
mod incidents;
pub mod live;
mod maintenance;
mod metrics;
mod pages;
mod police_control;
mod prints;
pub mod requests;
mod retention;
mod review;
pub mod server;
mod shifts;
mod staff;
mod start;
mod users;
mod visitors;

use axum::Router;
use axum::routing::{MethodRouter, get, post};
use custos_domain::access::Right;
use custos_domain::ledger::Book;
use custos_store::Store;
use tokio::net::TcpListener;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The scheme's store.
    pub store: Store,
    /// Reverse proxies whose `X-Forwarded-For` is believed (`web.trusted_proxies`); none
    /// unless configured.
    pub trusted_proxies: Vec<custos_domain::network::Network>,
    /// Client networks `/metrics` is served to (`web.metrics_from`).
    pub metrics_from: Vec<custos_domain::network::Network>,
    /// The footage folder, for review playback; `None` when this server keeps none.
    pub footage: Option<std::path::PathBuf>,
    /// One-off changes to the bank holidays from the configuration (`[calendar]`), each for
    /// the nations it names, on top of those shipped with Custos.
    pub holidays: Vec<custos_domain::calendar::ConfiguredOneOff>,
    /// The case documents folder; `None` when this server keeps none.
    pub documents: Option<std::path::PathBuf>,
    /// The limits on the public request form, per client address and overall.
    pub request_limiter: requests::SharedLimiter,
    /// Evidence packages being made or made by this server, by job id.
    pub exports: export::ExportJobs,
    /// Where packages made on the web are kept until downloaded (deleted after a day by
    /// the sweep); `None` when this server makes none.
    pub exports_dir: Option<std::path::PathBuf>,
    /// Live view's shared camera sessions and the bound on streams per person.
    pub live: live::LiveHub,
    /// Where an export made now asks the recorder in this process to close every camera's
    /// open segment at its next key frame, so that footage up to the moment of asking can
    /// leave at once (BDC-5); `None` where nothing records here.
    pub segment_cuts: Option<tokio::sync::watch::Sender<i64>>,
    /// Tells people outside Custos (by e-mail) of work waiting for them, where the server
    /// is configured to; `None` otherwise.
    pub notifier: Option<std::sync::Arc<dyn Notifier>>,
}

/// Tells people of work waiting for them outside Custos (e-mail), where configured.
pub trait Notifier: Send + Sync + std::fmt::Debug {
    /// Download `id` waits for authorisation: tell those who could give it (ALT-8). Runs
    /// in the background; failures are logged, never the request's.
    fn download_waiting(&self, store: Store, id: String);
}

/// Loopback, IPv4 and IPv6: where `/metrics` is served unless configured otherwise.
pub fn loopback() -> Vec<custos_domain::network::Network> {
    ["127.0.0.0/8", "::1/128"]
        .iter()
        .filter_map(|n| custos_domain::network::Network::parse(n).ok())
        .collect()
}

impl AppState {
    /// The state for `store`, trusting no proxy.
    pub fn new(store: Store) -> Self {
        Self {
            store,
            trusted_proxies: Vec::new(),
            metrics_from: loopback(),
            footage: None,
            holidays: Vec::new(),
            documents: None,
            request_limiter: requests::SharedLimiter::default(),
            exports: export::ExportJobs::default(),
            exports_dir: None,
            live: live::LiveHub::default(),
            segment_cuts: None,
            notifier: None,
        }
    }

    /// The scheme's working-day calendar for `nation`: the shipped bank holidays with the
    /// configured one-offs.
    pub fn calendar(
        &self,
        nation: custos_domain::Nation,
    ) -> Result<custos_domain::calendar::Calendar, String> {
        custos_domain::calendar::Calendar::with_one_offs(nation, &self.holidays)
            .map_err(|e| format!("the calendar's one-off holidays: {e}"))
    }
}

/// Who may use a route. Handlers enforce it (staff handlers through
/// [`auth::Staff::require`]); the route × role matrix test checks that each does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Anyone signed in.
    SignedIn,
    /// Someone holding this right (at the scheme scope for scheme-wide pages).
    Right(Right),
    /// Someone whose role keeps (or countersigns) this control-room book under the pack's
    /// `[books]` (BDC-18); pages that only show the book also those who read the logbooks.
    Book(custos_domain::ledger::Book),
}

/// One route: its method, path and who may use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteSpec {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The path, with `{param}` placeholders.
    pub path: &'static str,
    /// Who may use it.
    pub access: Access,
}

const fn spec(method: &'static str, path: &'static str, access: Access) -> RouteSpec {
    RouteSpec {
        method,
        path,
        access,
    }
}

/// Every route with its declared access and handler; [`router`] is built from this list
/// alone, so a route cannot exist without declaring who may use it.
fn routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    use Access::{Public, SignedIn};
    vec![
        (spec("GET", "/", Public), get(pages::transparency)),
        (spec("GET", "/healthz", Public), get(pages::health)),
        (spec("GET", "/requests/new", Public), get(requests::form)),
        (
            spec("GET", "/complaints/new", Public),
            get(requests::complaint_form),
        ),
        (spec("POST", "/requests", Public), post(requests::submit)),
        (
            spec("GET", "/requests/received/{key}", Public),
            get(requests::received),
        ),
        (spec("GET", "/metrics", Public), get(metrics::metrics)),
        // The design system's stylesheet and our scripts, by hashed or plain name.
        (spec("GET", "/static/{file}", Public), get(assets::serve)),
        (
            spec("GET", "/session/state", Public),
            get(auth::session_state),
        ),
        (spec("GET", "/login", Public), get(auth::login_form)),
        (spec("POST", "/login", Public), post(auth::login)),
        (spec("POST", "/logout", SignedIn), post(auth::logout)),
        (
            spec("POST", "/logout/everywhere", SignedIn),
            post(auth::logout_everywhere),
        ),
        (spec("POST", "/unlock", SignedIn), post(auth::unlock)),
        (spec("POST", "/duty/on", SignedIn), post(auth::duty_on)),
        (spec("POST", "/duty/off", SignedIn), post(auth::duty_off)),
        (
            spec("GET", "/account/mfa", SignedIn),
            get(account::mfa_form),
        ),
        (
            spec("POST", "/account/mfa", SignedIn),
            post(account::mfa_enrol),
        ),
        (
            spec("GET", "/account/declaration", SignedIn),
            get(account::declaration_form),
        ),
        (
            spec("POST", "/account/declaration", SignedIn),
            post(account::declaration_accept),
        ),
        (spec("GET", "/start", SignedIn), get(start::start)),
        // Shifts (BDC-36): a person's own, or everyone's for those who read the logbooks;
        // each handler decides (`shifts::require_read`).
        // The supervisor's checks (BDC-18): for those who countersign a control-room book;
        // the handlers decide which (`checks::require_checker`).
        (spec("GET", "/checks", SignedIn), get(checks::page)),
        (
            spec("POST", "/checks/{book}", SignedIn),
            post(checks::checked),
        ),
        (spec("GET", "/shifts", SignedIn), get(shifts::page)),
        (
            spec("GET", "/shifts/{username}/{on}", SignedIn),
            get(shifts::show),
        ),
        (
            spec("GET", "/shifts/{username}/{on}/log.csv", SignedIn),
            get(shifts::csv),
        ),
        (
            spec("GET", "/logbooks", Access::Right(Right::ReadLogbooks)),
            get(staff::logbooks),
        ),
        (
            spec(
                "GET",
                "/logbooks/export.csv",
                Access::Right(Right::ReadLogbooks),
            ),
            get(staff::logbook_csv),
        ),
        (
            spec("GET", "/users", Access::Right(Right::ManageUsers)),
            get(users::list),
        ),
        (
            spec("POST", "/users", Access::Right(Right::ManageUsers)),
            post(users::add),
        ),
        (
            spec(
                "POST",
                "/users/{name}/disable",
                Access::Right(Right::ManageUsers),
            ),
            post(users::disable),
        ),
        (
            spec(
                "POST",
                "/users/{name}/enable",
                Access::Right(Right::ManageUsers),
            ),
            post(users::enable),
        ),
        (
            spec(
                "POST",
                "/users/{name}/grant",
                Access::Right(Right::ManageUsers),
            ),
            post(users::grant),
        ),
        (
            spec(
                "POST",
                "/users/{name}/revoke",
                Access::Right(Right::ManageUsers),
            ),
            post(users::revoke),
        ),
        (
            spec(
                "POST",
                "/users/{name}/absent",
                Access::Right(Right::ManageUsers),
            ),
            post(users::absent),
        ),
        (
            spec(
                "POST",
                "/users/{name}/back",
                Access::Right(Right::ManageUsers),
            ),
            post(users::back),
        ),
        (
            spec("GET", "/cameras", Access::Right(Right::ManageCameras)),
            get(cameras::list),
        ),
        (
            spec("POST", "/cameras", Access::Right(Right::ManageCameras)),
            post(cameras::add),
        ),
        (
            spec("GET", "/cameras/{id}", Access::Right(Right::ManageCameras)),
            get(cameras::show),
        ),
        (
            spec("POST", "/cameras/{id}", Access::Right(Right::ManageCameras)),
            post(cameras::change),
        ),
        (
            spec(
                "POST",
                "/cameras/{id}/retire",
                Access::Right(Right::ManageCameras),
            ),
            post(cameras::retire),
        ),
        (
            spec(
                "GET",
                "/cameras/{id}/review",
                Access::Right(Right::ReviewRecordings),
            ),
            get(review::form),
        ),
        (
            spec(
                "POST",
                "/cameras/{id}/review",
                Access::Right(Right::ReviewRecordings),
            ),
            post(review::open),
        ),
        (
            spec(
                "GET",
                "/reviews/{token}",
                Access::Right(Right::ReviewRecordings),
            ),
            get(review::player),
        ),
        (
            spec(
                "GET",
                "/reviews/{token}/video.mp4",
                Access::Right(Right::ReviewRecordings),
            ),
            get(review::video),
        ),
        (
            spec(
                "POST",
                "/reviews/{token}/finish",
                Access::Right(Right::ReviewRecordings),
            ),
            post(review::finish),
        ),
        (
            spec("GET", "/live", Access::Right(Right::ViewLive)),
            get(live::grid),
        ),
        (
            spec(
                "GET",
                "/cameras/{id}/thumbnail.mp4",
                Access::Right(Right::ViewLive),
            ),
            get(live::thumbnail),
        ),
        (
            spec(
                "GET",
                "/live/{id}/stream.mp4",
                Access::Right(Right::ViewLive),
            ),
            get(live::stream),
        ),
        (
            spec("GET", "/deployments", Access::Book(Book::Deployment)),
            get(deployments::page),
        ),
        (
            spec("POST", "/deployments", Access::Book(Book::Deployment)),
            post(deployments::create),
        ),
        (
            spec("GET", "/deployments.csv", Access::Book(Book::Deployment)),
            get(deployments::csv),
        ),
        (
            spec("GET", "/deployments.pdf", Access::Book(Book::Deployment)),
            get(deployments::pdf),
        ),
        (
            spec(
                "GET",
                "/deployments/{reference}",
                Access::Book(Book::Deployment),
            ),
            get(deployments::show),
        ),
        (
            spec(
                "POST",
                "/deployments/{reference}/steps",
                Access::Book(Book::Deployment),
            ),
            post(deployments::step),
        ),
        (
            spec(
                "POST",
                "/deployments/{reference}/documents",
                Access::Book(Book::Deployment),
            ),
            post(deployments::add_document),
        ),
        (
            spec(
                "GET",
                "/deployments/{reference}/documents/{id}",
                Access::Book(Book::Deployment),
            ),
            get(deployments::document),
        ),
        // The video print register (BDC-34): read by its keepers and countersigners and those
        // who read the logbooks; written by the pack's `[books.video-prints]` keepers, the
        // destruction of a print authorised by its countersigners, the still taken only by
        // either (`prints::require_role`, `prints::require_handler`).
        (
            spec("GET", "/prints", Access::Book(Book::VideoPrints)),
            get(prints::page),
        ),
        (
            spec("POST", "/prints", Access::Book(Book::VideoPrints)),
            post(prints::make),
        ),
        (
            spec("GET", "/prints.csv", Access::Book(Book::VideoPrints)),
            get(prints::csv),
        ),
        (
            spec("GET", "/prints.pdf", Access::Book(Book::VideoPrints)),
            get(prints::pdf),
        ),
        (
            spec(
                "GET",
                "/prints/{reference}",
                Access::Book(Book::VideoPrints),
            ),
            get(prints::show),
        ),
        (
            spec(
                "GET",
                "/prints/{reference}/still.png",
                Access::Book(Book::VideoPrints),
            ),
            get(prints::still),
        ),
        (
            spec(
                "GET",
                "/prints/{reference}/sidecar.json",
                Access::Book(Book::VideoPrints),
            ),
            get(prints::sidecar),
        ),
        (
            spec(
                "POST",
                "/prints/{reference}/steps",
                Access::Book(Book::VideoPrints),
            ),
            post(prints::step),
        ),
        (
            spec(
                "POST",
                "/print-authorities",
                Access::Book(Book::VideoPrints),
            ),
            post(prints::record_authority),
        ),
        (
            spec(
                "GET",
                "/print-authorities/{reference}",
                Access::Book(Book::VideoPrints),
            ),
            get(prints::show_authority),
        ),
        (
            spec(
                "GET",
                "/print-authorities/{reference}/document",
                Access::Book(Book::VideoPrints),
            ),
            get(prints::authority_document),
        ),
        (
            spec(
                "POST",
                "/print-authorities/{reference}/steps",
                Access::Book(Book::VideoPrints),
            ),
            post(prints::authority_step),
        ),
        // The list of installed equipment (BDC-37): read by its keepers and those who read
        // the logbooks; written by the pack's `[books.equipment]` keepers
        // (`equipment::require_keeper`).
        (
            spec("GET", "/equipment", Access::Book(Book::Equipment)),
            get(equipment::page),
        ),
        (
            spec("POST", "/equipment", Access::Book(Book::Equipment)),
            post(equipment::enter),
        ),
        (
            spec("GET", "/equipment.csv", Access::Book(Book::Equipment)),
            get(equipment::csv),
        ),
        (
            spec("GET", "/equipment.pdf", Access::Book(Book::Equipment)),
            get(equipment::pdf),
        ),
        (
            spec(
                "GET",
                "/equipment/{reference}",
                Access::Book(Book::Equipment),
            ),
            get(equipment::show),
        ),
        (
            spec(
                "POST",
                "/equipment/{reference}/steps",
                Access::Book(Book::Equipment),
            ),
            post(equipment::step),
        ),
        (
            spec("GET", "/bodyworn", Access::Book(Book::Bwv)),
            get(bodyworn::page),
        ),
        (
            spec("GET", "/bodyworn.csv", Access::Book(Book::Bwv)),
            get(bodyworn::csv),
        ),
        (
            spec("GET", "/bodyworn.pdf", Access::Book(Book::Bwv)),
            get(bodyworn::pdf),
        ),
        (
            spec("POST", "/bodyworn/devices", Access::Book(Book::Bwv)),
            post(bodyworn::add_device),
        ),
        (
            spec(
                "POST",
                "/bodyworn/devices/{id}/retire",
                Access::Book(Book::Bwv),
            ),
            post(bodyworn::retire_device),
        ),
        (
            spec("POST", "/bodyworn/issues", Access::Book(Book::Bwv)),
            post(bodyworn::add_issue),
        ),
        (
            spec(
                "POST",
                "/bodyworn/issues/{reference}/return",
                Access::Book(Book::Bwv),
            ),
            post(bodyworn::add_return),
        ),
        (
            spec("GET", "/visitors", Access::Book(Book::Visitors)),
            get(visitors::page),
        ),
        (
            spec("POST", "/visitors", Access::Book(Book::Visitors)),
            post(visitors::arrive),
        ),
        (
            spec("GET", "/visitors.csv", Access::Book(Book::Visitors)),
            get(visitors::csv),
        ),
        (
            spec("GET", "/visitors.pdf", Access::Book(Book::Visitors)),
            get(visitors::pdf),
        ),
        (
            spec("GET", "/visitors/{reference}", Access::Book(Book::Visitors)),
            get(visitors::show),
        ),
        (
            spec(
                "GET",
                "/visitors/{reference}/undertaking",
                Access::Book(Book::Visitors),
            ),
            get(visitors::scan),
        ),
        (
            spec(
                "POST",
                "/visitors/{reference}/left",
                Access::Book(Book::Visitors),
            ),
            post(visitors::left),
        ),
        (
            spec(
                "POST",
                "/visitors/{reference}/countersign",
                Access::Book(Book::Visitors),
            ),
            post(visitors::countersign),
        ),
        (
            spec(
                "POST",
                "/visitors/{reference}/correct",
                Access::Book(Book::Visitors),
            ),
            post(visitors::correct),
        ),
        // The faults and maintenance log (LBU-16, BDC-19), kept by the pack's
        // `[books.maintenance]` roles, read by them and the logbooks' readers.
        (
            spec("GET", "/maintenance", Access::Book(Book::Maintenance)),
            get(maintenance::page),
        ),
        (
            spec("GET", "/maintenance.csv", Access::Book(Book::Maintenance)),
            get(maintenance::csv),
        ),
        (
            spec("GET", "/maintenance.pdf", Access::Book(Book::Maintenance)),
            get(maintenance::pdf),
        ),
        (
            spec(
                "POST",
                "/maintenance/checks",
                Access::Book(Book::Maintenance),
            ),
            post(maintenance::check),
        ),
        (
            spec(
                "POST",
                "/maintenance/faults",
                Access::Book(Book::Maintenance),
            ),
            post(maintenance::fault),
        ),
        (
            spec(
                "GET",
                "/maintenance/{reference}",
                Access::Book(Book::Maintenance),
            ),
            get(maintenance::show),
        ),
        (
            spec(
                "POST",
                "/maintenance/{reference}/steps",
                Access::Book(Book::Maintenance),
            ),
            post(maintenance::step),
        ),
        (
            spec("GET", "/cases", Access::Right(Right::WorkCases)),
            get(cases::list),
        ),
        (
            spec("GET", "/cases/{reference}", Access::Right(Right::WorkCases)),
            get(cases::show),
        ),
        (
            spec(
                "POST",
                "/cases/{reference}/act",
                Access::Right(Right::WorkCases),
            ),
            post(cases::act),
        ),
        (
            spec(
                "POST",
                "/cases/{reference}/notes",
                Access::Right(Right::WorkCases),
            ),
            post(cases::note),
        ),
        (
            spec("POST", "/cases", Access::Right(Right::WorkCases)),
            post(cases::open),
        ),
        (
            spec(
                "POST",
                "/cases/{reference}/assign",
                Access::Right(Right::WorkCases),
            ),
            post(cases::assign),
        ),
        (
            spec(
                "POST",
                "/cases/{reference}/footage",
                Access::Right(Right::WorkCases),
            ),
            post(cases::footage),
        ),
        (
            spec(
                "POST",
                "/cases/{reference}/documents",
                Access::Right(Right::WorkCases),
            ),
            post(cases::attach),
        ),
        (
            spec(
                "GET",
                "/cases/{reference}/documents/{id}",
                Access::Right(Right::WorkCases),
            ),
            get(cases::document),
        ),
        (
            spec(
                "GET",
                "/cases/{reference}/letters/{kind}",
                Access::Right(Right::WorkCases),
            ),
            get(cases::letter),
        ),
        (
            spec(
                "POST",
                "/cases/{reference}/letters/{kind}",
                Access::Right(Right::WorkCases),
            ),
            post(cases::issue_letter),
        ),
        (
            spec("GET", "/calendar/{username}/{token}", Public),
            get(cases::feed),
        ),
        (
            spec("POST", "/calendar/replace", Access::Right(Right::WorkCases)),
            post(cases::replace_feed),
        ),
        (
            spec("GET", "/export", Access::Right(Right::Export)),
            get(export::form),
        ),
        (
            spec("GET", "/downloads/{id}", SignedIn),
            get(downloads::show),
        ),
        (
            spec("POST", "/downloads/{id}/authorise", SignedIn),
            post(downloads::authorise),
        ),
        (
            spec("POST", "/downloads/{id}/make", Access::Right(Right::Export)),
            post(downloads::make),
        ),
        (
            spec(
                "POST",
                "/downloads/{id}/viewed",
                Access::Right(Right::Export),
            ),
            post(downloads::viewed),
        ),
        (
            spec("POST", "/downloads/{id}/destroy", SignedIn),
            post(downloads::destroy),
        ),
        (
            spec(
                "POST",
                "/downloads/{id}/destroyed",
                Access::Right(Right::Export),
            ),
            post(downloads::destroyed),
        ),
        (
            spec("POST", "/export", Access::Right(Right::Export)),
            post(export::start),
        ),
        (
            spec("GET", "/exports/{id}", Access::Right(Right::Export)),
            get(export::show),
        ),
        (
            spec("GET", "/exports/{id}/status", Access::Right(Right::Export)),
            get(export::status),
        ),
        (
            spec(
                "GET",
                "/exports/{id}/download",
                Access::Right(Right::Export),
            ),
            get(export::download),
        ),
        (
            spec("POST", "/covert", Access::Right(Right::WorkCases)),
            post(covert::open),
        ),
        (
            spec("POST", "/police-control", Access::Right(Right::WorkCases)),
            post(police_control::open),
        ),
        (
            spec(
                "POST",
                "/cases/{reference}/police-control",
                Access::Right(Right::WorkCases),
            ),
            post(police_control::act),
        ),
        (
            spec(
                "POST",
                "/cases/{reference}/covert",
                Access::Right(Right::WorkCases),
            ),
            post(covert::act),
        ),
        (
            spec(
                "POST",
                "/disclosures/requests",
                Access::Right(Right::WorkCases),
            ),
            post(disclosures::open),
        ),
        (
            spec(
                "POST",
                "/cases/{reference}/crime-reference",
                Access::Right(Right::WorkCases),
            ),
            post(disclosures::crime_reference),
        ),
        (
            spec(
                "POST",
                "/cases/{reference}/public-interest-test",
                Access::Right(Right::WorkCases),
            ),
            post(disclosures::public_interest_test),
        ),
        (
            spec(
                "POST",
                "/cases/{reference}/agreement",
                Access::Right(Right::WorkCases),
            ),
            post(disclosures::agreement),
        ),
        (
            spec(
                "POST",
                "/cases/{reference}/authorise",
                Access::Right(Right::WorkCases),
            ),
            post(disclosures::authorise),
        ),
        // A release also needs `export` for the case's cameras, checked by the handler.
        (
            spec(
                "POST",
                "/cases/{reference}/release",
                Access::Right(Right::WorkCases),
            ),
            post(disclosures::release),
        ),
        // The disclosure log is one of the scheme's logs (LBU-20): it is read by those who
        // read the logbooks — the auditor and supervisor as well as those who work cases —
        // rather than only by those who make disclosures, who see each case's releases on
        // its page.
        (
            spec("GET", "/disclosures", Access::Right(Right::ReadLogbooks)),
            get(disclosures::page),
        ),
        (
            spec("GET", "/complaints", Access::Right(Right::ReadLogbooks)),
            get(complaints::page),
        ),
        (
            spec("GET", "/breaches", Access::Right(Right::WorkCases)),
            get(breaches::page),
        ),
        (
            spec("GET", "/breaches.csv", Access::Right(Right::WorkCases)),
            get(breaches::csv),
        ),
        (
            spec(
                "POST",
                "/cases/{reference}/breach",
                Access::Right(Right::WorkCases),
            ),
            post(breaches::details),
        ),
        (
            spec(
                "GET",
                "/cases/{reference}/ico-notification",
                Access::Right(Right::WorkCases),
            ),
            get(breaches::show_notification),
        ),
        (
            spec(
                "GET",
                "/cases/{reference}/ico-notification.txt",
                Access::Right(Right::WorkCases),
            ),
            get(breaches::notification_text),
        ),
        (
            spec(
                "GET",
                "/cases/{reference}/ico-notification.pdf",
                Access::Right(Right::WorkCases),
            ),
            get(breaches::notification_pdf),
        ),
        // The incident log (BDC-24): opened by the keepers and countersigners of the
        // pack's `[books.incident]` and the logbooks' readers; each change is for its
        // keepers (or countersigners) alone (`incidents::require_keep`).
        (
            spec("GET", "/incidents", Access::Book(Book::Incident)),
            get(incidents::page),
        ),
        (
            spec("GET", "/incidents/new", Access::Book(Book::Incident)),
            get(incidents::new),
        ),
        (
            spec("POST", "/incidents", Access::Book(Book::Incident)),
            post(incidents::create),
        ),
        (
            spec("GET", "/incidents.csv", Access::Book(Book::Incident)),
            get(incidents::csv),
        ),
        (
            spec("GET", "/incidents.pdf", Access::Book(Book::Incident)),
            get(incidents::pdf),
        ),
        (
            spec(
                "GET",
                "/incidents/{reference}",
                Access::Book(Book::Incident),
            ),
            get(incidents::show),
        ),
        (
            spec(
                "POST",
                "/incidents/{reference}/steps",
                Access::Book(Book::Incident),
            ),
            post(incidents::step),
        ),
        (
            spec(
                "POST",
                "/incidents/{reference}/statements",
                Access::Book(Book::Incident),
            ),
            post(incidents::add_statement),
        ),
        (
            spec(
                "GET",
                "/incidents/{reference}/statements/{id}",
                Access::Book(Book::Incident),
            ),
            get(incidents::statement),
        ),
        (
            spec("GET", "/complaints.csv", Access::Right(Right::ReadLogbooks)),
            get(complaints::csv),
        ),
        (
            spec(
                "GET",
                "/disclosures.csv",
                Access::Right(Right::ReadLogbooks),
            ),
            get(disclosures::csv),
        ),
        // A medium carries an evidence package out of the scheme (BDC-32): registering it
        // and what became of it is for those who may export footage.
        (
            spec("POST", "/media", Access::Right(Right::Export)),
            post(disclosures::register_medium),
        ),
        (
            spec(
                "POST",
                "/media/{reference}/returned",
                Access::Right(Right::Export),
            ),
            post(disclosures::medium_returned),
        ),
        (
            spec(
                "POST",
                "/media/{reference}/erased",
                Access::Right(Right::Export),
            ),
            post(disclosures::medium_erased),
        ),
        (
            spec("GET", "/retention", Access::Right(Right::ReadLogbooks)),
            get(retention::page),
        ),
        (
            spec("POST", "/holds", Access::Right(Right::ManageHolds)),
            post(retention::place),
        ),
        (
            spec(
                "POST",
                "/holds/{id}/release",
                Access::Right(Right::AuthoriseDeletion),
            ),
            post(retention::release),
        ),
        (
            spec("GET", "/api/v1/prints", Access::Book(Book::VideoPrints)),
            get(api::prints::list),
        ),
        (
            spec("POST", "/api/v1/prints", Access::Book(Book::VideoPrints)),
            post(api::prints::make),
        ),
        (
            spec(
                "GET",
                "/api/v1/prints/{reference}",
                Access::Book(Book::VideoPrints),
            ),
            get(api::prints::show),
        ),
        (
            spec(
                "POST",
                "/api/v1/prints/{reference}/steps",
                Access::Book(Book::VideoPrints),
            ),
            post(api::prints::step),
        ),
        (
            spec(
                "GET",
                "/api/v1/print-authorities",
                Access::Book(Book::VideoPrints),
            ),
            get(api::prints::list_authorities),
        ),
        (
            spec(
                "POST",
                "/api/v1/print-authorities",
                Access::Book(Book::VideoPrints),
            ),
            post(api::prints::record_authority),
        ),
        (
            spec(
                "GET",
                "/api/v1/print-authorities/{reference}",
                Access::Book(Book::VideoPrints),
            ),
            get(api::prints::show_authority),
        ),
        (
            spec(
                "POST",
                "/api/v1/print-authorities/{reference}/steps",
                Access::Book(Book::VideoPrints),
            ),
            post(api::prints::authority_step),
        ),
        (
            spec("GET", "/api/v1/equipment", Access::Book(Book::Equipment)),
            get(api::equipment::list),
        ),
        (
            spec("POST", "/api/v1/equipment", Access::Book(Book::Equipment)),
            post(api::equipment::enter),
        ),
        (
            spec(
                "GET",
                "/api/v1/equipment/{reference}",
                Access::Book(Book::Equipment),
            ),
            get(api::equipment::show),
        ),
        (
            spec(
                "POST",
                "/api/v1/equipment/{reference}/steps",
                Access::Book(Book::Equipment),
            ),
            post(api::equipment::step),
        ),
        (
            spec("GET", "/groups", Access::Right(Right::ViewLive)),
            get(groups::list),
        ),
        (
            spec("GET", "/groups/{id}", Access::Right(Right::ViewLive)),
            get(groups::show),
        ),
        (spec("POST", "/api/v1/sessions", Public), post(api::sign_in)),
        (
            spec("POST", "/api/v1/sessions/end", SignedIn),
            post(api::sign_out),
        ),
        (
            spec("GET", "/api/v1/declaration", SignedIn),
            get(api::declaration),
        ),
        (
            spec("POST", "/api/v1/declaration", SignedIn),
            post(api::accept_declaration),
        ),
        (
            spec("GET", "/api/v1/openapi.json", Public),
            get(api::document),
        ),
        (spec("GET", "/api/v1/cameras", SignedIn), get(api::cameras)),
        (
            spec(
                "GET",
                "/api/v1/cameras/{id}/live.mp4",
                Access::Right(Right::ViewLive),
            ),
            get(api::live),
        ),
        (
            spec(
                "GET",
                "/api/v1/cameras/{id}/recordings",
                Access::Right(Right::ReviewRecordings),
            ),
            get(api::recordings),
        ),
        (
            spec(
                "POST",
                "/api/v1/cameras/{id}/reviews",
                Access::Right(Right::ReviewRecordings),
            ),
            post(api::open_review),
        ),
        (
            spec(
                "GET",
                "/api/v1/reviews/{grant}/video.mp4",
                Access::Right(Right::ReviewRecordings),
            ),
            get(api::video),
        ),
        (
            spec(
                "POST",
                "/api/v1/reviews/{grant}/finish",
                Access::Right(Right::ReviewRecordings),
            ),
            post(api::finish_review),
        ),
        (
            spec(
                "GET",
                "/api/v1/logbooks/{book}",
                Access::Right(Right::ReadLogbooks),
            ),
            get(api::logbook),
        ),
        (
            spec(
                "GET",
                "/api/v1/maintenance/cameras",
                Access::Book(Book::Maintenance),
            ),
            get(api::maintenance::cameras),
        ),
        (
            spec(
                "GET",
                "/api/v1/maintenance/checks",
                Access::Book(Book::Maintenance),
            ),
            get(api::maintenance::checks),
        ),
        (
            spec(
                "POST",
                "/api/v1/maintenance/checks",
                Access::Book(Book::Maintenance),
            ),
            post(api::maintenance::record_check),
        ),
        (
            spec(
                "GET",
                "/api/v1/maintenance/checks/{reference}",
                Access::Book(Book::Maintenance),
            ),
            get(api::maintenance::show_check),
        ),
        (
            spec(
                "POST",
                "/api/v1/maintenance/checks/{reference}/steps",
                Access::Book(Book::Maintenance),
            ),
            post(api::maintenance::step_check),
        ),
        (
            spec(
                "GET",
                "/api/v1/maintenance/faults",
                Access::Book(Book::Maintenance),
            ),
            get(api::maintenance::faults),
        ),
        (
            spec(
                "POST",
                "/api/v1/maintenance/faults",
                Access::Book(Book::Maintenance),
            ),
            post(api::maintenance::report_fault),
        ),
        (
            spec(
                "GET",
                "/api/v1/maintenance/faults/{reference}",
                Access::Book(Book::Maintenance),
            ),
            get(api::maintenance::show_fault),
        ),
        (
            spec(
                "POST",
                "/api/v1/maintenance/faults/{reference}/steps",
                Access::Book(Book::Maintenance),
            ),
            post(api::maintenance::step_fault),
        ),
        (
            spec("GET", "/api/v1/visitors", Access::Book(Book::Visitors)),
            get(api::visitors::list),
        ),
        (
            spec("POST", "/api/v1/visitors", Access::Book(Book::Visitors)),
            post(api::visitors::arrive),
        ),
        (
            spec(
                "GET",
                "/api/v1/visitors/{reference}",
                Access::Book(Book::Visitors),
            ),
            get(api::visitors::show),
        ),
        (
            spec(
                "POST",
                "/api/v1/visitors/{reference}/steps",
                Access::Book(Book::Visitors),
            ),
            post(api::visitors::step),
        ),
        (
            spec("GET", "/api/v1/deployments", Access::Book(Book::Deployment)),
            get(api::deployments::list),
        ),
        (
            spec(
                "POST",
                "/api/v1/deployments",
                Access::Book(Book::Deployment),
            ),
            post(api::deployments::create),
        ),
        (
            spec(
                "GET",
                "/api/v1/deployments/{reference}",
                Access::Book(Book::Deployment),
            ),
            get(api::deployments::show),
        ),
        (
            spec(
                "POST",
                "/api/v1/deployments/{reference}/steps",
                Access::Book(Book::Deployment),
            ),
            post(api::deployments::step),
        ),
        (
            spec("GET", "/api/v1/bodyworn", Access::Book(Book::Bwv)),
            get(api::bodyworn::list),
        ),
        (
            spec("POST", "/api/v1/bodyworn/devices", Access::Book(Book::Bwv)),
            post(api::bodyworn::register),
        ),
        (
            spec(
                "POST",
                "/api/v1/bodyworn/devices/{id}/retire",
                Access::Book(Book::Bwv),
            ),
            post(api::bodyworn::retire),
        ),
        (
            spec("POST", "/api/v1/bodyworn/issues", Access::Book(Book::Bwv)),
            post(api::bodyworn::issue),
        ),
        (
            spec(
                "POST",
                "/api/v1/bodyworn/issues/{reference}/return",
                Access::Book(Book::Bwv),
            ),
            post(api::bodyworn::give_back),
        ),
        (
            spec("GET", "/api/v1/checks", SignedIn),
            get(api::checks::list),
        ),
        (
            spec("POST", "/api/v1/checks/{book}", SignedIn),
            post(api::checks::mark),
        ),
        (
            spec("GET", "/api/v1/cases", SignedIn),
            get(api::cases::list),
        ),
        (
            spec("POST", "/api/v1/cases", SignedIn),
            post(api::cases::open),
        ),
        (
            spec("GET", "/api/v1/cases/{reference}", SignedIn),
            get(api::cases::show),
        ),
        (
            spec("POST", "/api/v1/cases/{reference}/steps", SignedIn),
            post(api::cases::step),
        ),
        (
            spec("POST", "/api/v1/covert", Access::Right(Right::WorkCases)),
            post(api::covert::open),
        ),
        (
            spec(
                "POST",
                "/api/v1/covert/{reference}/steps",
                Access::Right(Right::WorkCases),
            ),
            post(api::covert::step),
        ),
        (
            spec(
                "POST",
                "/api/v1/police-control",
                Access::Right(Right::WorkCases),
            ),
            post(api::police_control::open),
        ),
        (
            spec(
                "POST",
                "/api/v1/police-control/{reference}/steps",
                Access::Right(Right::WorkCases),
            ),
            post(api::police_control::step),
        ),
        // The incident log's keepers and readers, as on its pages.
        (
            spec("GET", "/api/v1/incidents", Access::Book(Book::Incident)),
            get(api::incidents::list),
        ),
        (
            spec("POST", "/api/v1/incidents", Access::Book(Book::Incident)),
            post(api::incidents::record),
        ),
        (
            spec(
                "GET",
                "/api/v1/incidents/{reference}",
                Access::Book(Book::Incident),
            ),
            get(api::incidents::show),
        ),
        (
            spec(
                "POST",
                "/api/v1/incidents/{reference}/steps",
                Access::Book(Book::Incident),
            ),
            post(api::incidents::step),
        ),
        (
            spec(
                "POST",
                "/ledger/alarms/{seq}/acknowledge",
                Access::Right(Right::ReadLogbooks),
            ),
            post(staff::acknowledge_alarm),
        ),
    ]
}

/// Every route's method, path and declared access.
pub fn route_specs() -> Vec<RouteSpec> {
    routes().into_iter().map(|(s, _)| s).collect()
}

/// The application's routes. A path that is no route is a page's 404 in HTML, or under
/// `/api/v1` the API's 404 in JSON; a method a route does not take is a 405 (with
/// `Allow`), in JSON under `/api/v1`.
pub fn router(state: AppState) -> Router {
    let mut r = Router::new();
    for (spec, handler) in routes() {
        r = r.route(spec.path, handler);
    }
    // After every route: it applies to the routes registered so far.
    r.method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            error::in_staff_shell,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            headers::secure,
        ))
        .with_state(state)
}

/// No route has this path.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if api::is_api_path(uri.path()) {
        api::no_such_call(uri).await.into_response()
    } else {
        pages::not_found().await.into_response()
    }
}

/// A route has this path but not this method.
async fn method_not_allowed(
    method: axum::http::Method,
    uri: axum::http::Uri,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if api::is_api_path(uri.path()) {
        api::wrong_method(method, uri).await.into_response()
    } else {
        axum::http::StatusCode::METHOD_NOT_ALLOWED.into_response()
    }
}

/// Serves the application on `listener` within `limits` until `shutdown` completes, then
/// finishes the requests in flight (see [`server`]).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    limits: server::Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    server::serve(listener, router(state), limits, shutdown).await
}
