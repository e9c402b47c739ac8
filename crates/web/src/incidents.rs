//! The incident log on the web (BDC-24, BDC-18): the Incidents page — every incident,
//! newest first, open ones (no outcome yet) marked, the form that records one (opened from
//! a live tile with its camera and the time filled in), the log as CSV and PDF — and each
//! incident's page: the record as it stands, the history of its corrections, the footage,
//! reviews and downloads linked, the witness statements, and the forms for the outcome, a
//! correction, countersigning, linking footage and attaching a statement.
//!
//! Invariants:
//! - Only a person whose role keeps the incident log under the pack's `[books.incident]`
//!   (`access::book_role`) records or changes anything, and countersigning is for its
//!   countersigning roles; the store decides again (`Store::record_incident`,
//!   `Store::incident_step`). Those roles and anyone holding `read-logbooks` read it.
//! - Handlers parse, call one store method through [`record`] or [`take_step`] (shared with
//!   the API, `api::incidents`), and redirect; the rules are `domain::incident`'s.
//! - Pages show cameras and people by name, never internal ids.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use custos_base::UnixMs;
use custos_domain::Ident;
use custos_domain::incident::{Changes, Draft};
use custos_domain::ledger::Book;
use custos_store::incidents::{Incident, IncidentRecord, IncidentStep};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Staff;
use crate::cases::time_field;
use crate::error::WebError;
use crate::forms::{CameraChoice, ListForm};
use crate::pages::render;
use crate::staff::Banner;

/// Whether `staff` keeps the incident log under the pack's `[books.incident]`.
pub(crate) fn keeps(staff: &Staff) -> bool {
    staff.book_role(Book::Incident, false).is_ok()
}

/// Refuses, with the reason, unless `staff` may read the incident log: its keepers, its
/// countersigners and those who read the logbooks (`Staff::may_open_book`).
pub(crate) fn require_read(staff: &Staff) -> Result<(), WebError> {
    if staff.may_open_book(Book::Incident) {
        return Ok(());
    }
    let why = staff
        .book_role(Book::Incident, false)
        .err()
        .unwrap_or_default();
    Err(WebError::Forbidden(format!(
        "You may not read the incident log: {why}, and your roles do not read the logbooks."
    )))
}

/// Refuses, with the reason, unless `staff` keeps the incident log (or, for
/// `countersign`, countersigns it).
pub(crate) fn require_keep(staff: &Staff, countersign: bool) -> Result<(), WebError> {
    staff
        .book_role(Book::Incident, countersign)
        .map(|_| ())
        .map_err(|why| WebError::Forbidden(format!("{why}.")))
}

/// Refuses, with the reason, unless `staff` keeps or countersigns the incident log: asked
/// before an incident is looked up, so that someone who may do neither learns that, not
/// whether the incident exists.
pub(crate) fn require_keep_or_countersign(staff: &Staff) -> Result<(), WebError> {
    if staff.book_role(Book::Incident, true).is_ok() {
        return Ok(());
    }
    require_keep(staff, false)
}

/// An incident as given by a form or the API.
#[derive(Debug, Clone, Default)]
pub(crate) struct Given {
    pub(crate) occurred_at_unix_ms: Option<i64>,
    pub(crate) cameras: Vec<String>,
    pub(crate) place: String,
    pub(crate) seen: String,
    pub(crate) seen_by: String,
    pub(crate) police_reference: String,
    pub(crate) action_taken: String,
    pub(crate) outcome: String,
}

fn camera_ids(given: &[String]) -> Result<Vec<Ident>, WebError> {
    given
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .map(|c| {
            Ident::parse(c).map_err(|e| WebError::BadRequest(format!("the camera {c:?}: {e}")))
        })
        .collect()
}

/// Records the incident `g` describes as `staff`: the one way the page and the API record
/// one (the store checks the keeper and the draft).
pub(crate) async fn record(
    state: &AppState,
    staff: &Staff,
    g: Given,
) -> Result<Incident, WebError> {
    require_keep(staff, false)?;
    let draft = Draft {
        occurred_at_unix_ms: g
            .occurred_at_unix_ms
            .unwrap_or_else(|| state.store.clock().now().0),
        cameras: camera_ids(&g.cameras)?,
        place: g.place,
        seen: g.seen,
        seen_by: g.seen_by,
        police_reference: g.police_reference,
        action_taken: g.action_taken,
        outcome: g.outcome,
    };
    Ok(state
        .store
        .record_incident(&staff.actor(), &staff.info.subject, &draft)
        .await?)
}

/// Takes `step` on incident `reference` as `staff`: the one way the page and the API do.
pub(crate) async fn take_step(
    state: &AppState,
    staff: &Staff,
    reference: &str,
    step: &IncidentStep,
) -> Result<Incident, WebError> {
    require_keep(staff, matches!(step, IncidentStep::Countersign))?;
    Ok(state
        .store
        .incident_step(&staff.actor(), &staff.info.subject, reference, step)
        .await?)
}

/// A step as given by a form or the API, read into the store's step.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct StepForm {
    #[serde(default)]
    pub(crate) csrf: String,
    /// `outcome`, `correct`, `countersign`, `link-footage`, `link-review`, `link-download`.
    #[serde(default)]
    pub(crate) step: String,
    #[serde(default)]
    pub(crate) outcome: String,
    #[serde(default)]
    pub(crate) reason: String,
    #[serde(default)]
    pub(crate) occurred: String,
    #[serde(default)]
    pub(crate) cameras: String,
    #[serde(default)]
    pub(crate) place: String,
    #[serde(default)]
    pub(crate) seen: String,
    #[serde(default)]
    pub(crate) seen_by: String,
    #[serde(default)]
    pub(crate) police_reference: String,
    #[serde(default)]
    pub(crate) action_taken: String,
    #[serde(default)]
    pub(crate) from: String,
    #[serde(default)]
    pub(crate) to: String,
    #[serde(default)]
    pub(crate) class: String,
    #[serde(default)]
    pub(crate) review: String,
    #[serde(default)]
    pub(crate) download: String,
}

/// Reads a step form: a correction changes each field the form carries (the form is
/// filled in with the record as it stands, so what was not edited does not change).
pub(crate) fn read_step(f: &StepForm, current: &Incident) -> Result<IncidentStep, WebError> {
    let split = |s: &str| -> Vec<String> {
        s.split([',', '\n', ';'])
            .map(|x| x.trim().to_owned())
            .filter(|x| !x.is_empty())
            .collect()
    };
    let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    Ok(match f.step.trim() {
        "outcome" => IncidentStep::Outcome {
            outcome: f.outcome.clone(),
        },
        "countersign" => IncidentStep::Countersign,
        "correct" => IncidentStep::Correct {
            changes: Changes {
                occurred_at_unix_ms: time_field(&f.occurred, "when it happened")?,
                // The cameras box is sent (perhaps empty) by the page's form; a client that
                // sends no `place` and no cameras changes neither.
                cameras: if f.cameras.trim().is_empty() && f.place.trim().is_empty() {
                    None
                } else {
                    Some(camera_ids(&split(&f.cameras))?)
                },
                place: some(&f.place),
                seen: some(&f.seen),
                seen_by: some(&f.seen_by),
                police_reference: if f.place.trim().is_empty() {
                    some(&f.police_reference)
                } else {
                    Some(f.police_reference.trim().to_owned())
                },
                action_taken: some(&f.action_taken),
                outcome: if current.draft.is_open() {
                    None
                } else {
                    some(&f.outcome)
                },
            },
            reason: f.reason.clone(),
        },
        "link-footage" => IncidentStep::LinkFootage {
            cameras: camera_ids(&split(&f.cameras))?,
            from_unix_ms: time_field(&f.from, "the footage's start")?
                .ok_or_else(|| WebError::BadRequest("say when the footage starts".to_owned()))?,
            to_unix_ms: time_field(&f.to, "the footage's end")?
                .ok_or_else(|| WebError::BadRequest("say when the footage ends".to_owned()))?,
            class: match f.class.trim() {
                "" => None,
                c => Some(Ident::parse(c).map_err(|e| WebError::BadRequest(e.to_string()))?),
            },
        },
        "link-review" => IncidentStep::LinkReview {
            review: f.review.clone(),
        },
        "link-download" => IncidentStep::LinkDownload {
            download: f.download.clone(),
        },
        other => {
            return Err(WebError::BadRequest(format!(
                "{other:?} is not a step of an incident: outcome, correct, countersign, \
                 link-footage, link-review or link-download (or, through the API, statement)"
            )));
        }
    })
}

/// An incident in the list.
struct Listed {
    reference: String,
    occurred: String,
    place: String,
    cameras: String,
    seen: String,
    open: bool,
    countersigned: bool,
}

#[derive(Template)]
#[template(path = "incidents.html")]
struct ListPage {
    banner: Banner,
    listed: Vec<Listed>,
    keeps: bool,
    cameras: Vec<CameraChoice>,
    occurred: String,
    /// The form is open, from a live tile.
    from_live: bool,
    seen_by: String,
}

/// The query of `/incidents/new`: the camera of the live tile it came from.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct NewQuery {
    #[serde(default)]
    camera: String,
}

async fn camera_names(state: &AppState) -> Result<Vec<(String, String)>, WebError> {
    Ok(state
        .store
        .cameras(true)
        .await?
        .into_iter()
        .map(|c| (c.id.to_string(), c.draft.name))
        .collect())
}

async fn list_page(
    state: &AppState,
    staff: &Staff,
    camera: &str,
    from_live: bool,
) -> Result<Response, WebError> {
    require_read(staff)?;
    let names = camera_names(state).await?;
    let name_of = |id: &Ident| {
        names
            .iter()
            .find(|(i, _)| i == id.as_str())
            .map_or_else(|| id.to_string(), |(_, n)| n.clone())
    };
    let listed = state
        .store
        .incidents()
        .await?
        .into_iter()
        .map(|i| Listed {
            occurred: UnixMs(i.draft.occurred_at_unix_ms).to_london_display(),
            place: i.draft.place.clone(),
            cameras: i
                .draft
                .cameras
                .iter()
                .map(name_of)
                .collect::<Vec<_>>()
                .join(", "),
            seen: i.draft.seen.clone(),
            open: i.draft.is_open(),
            countersigned: i.countersigned.is_some(),
            reference: i.reference,
        })
        .collect();
    let in_service: Vec<(String, String)> = state
        .store
        .cameras(false)
        .await?
        .into_iter()
        .map(|c| (c.id.to_string(), c.draft.name))
        .collect();
    let me = state
        .store
        .users()
        .await?
        .into_iter()
        .find(|u| u.username == staff.info.subject.username.as_str())
        .map(|u| u.display_name)
        .unwrap_or_default();
    Ok(render(
        StatusCode::OK,
        &ListPage {
            banner: Banner::load(state, staff).await?,
            listed,
            keeps: keeps(staff),
            cameras: crate::forms::camera_choices(in_service, camera),
            occurred: state.store.clock().now().to_uk_local_input(),
            from_live,
            seen_by: me,
        },
    ))
}

/// `GET /incidents`: the incident log, newest first, with the form to record one.
pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, WebError> {
    list_page(&state, &staff, "", false).await
}

/// `GET /incidents/new?camera=ID`: the form to record an incident, from a live tile: the
/// camera ticked and the time now filled in.
pub(crate) async fn new(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    list_page(&state, &staff, &q.camera, true).await
}

/// The form that records an incident.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RecordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    occurred: String,
    #[serde(default)]
    cameras: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    seen: String,
    #[serde(default)]
    seen_by: String,
    #[serde(default)]
    police_reference: String,
    #[serde(default)]
    action_taken: String,
    #[serde(default)]
    outcome: String,
}

/// `POST /incidents`: records an incident and sends the person to its page.
pub(crate) async fn create(
    State(state): State<AppState>,
    staff: Staff,
    ListForm(f): ListForm<RecordForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    require_keep(&staff, false)?;
    let given = Given {
        occurred_at_unix_ms: time_field(&f.occurred, "when it happened")?,
        cameras: f.cameras.split(',').map(str::to_owned).collect(),
        place: f.place,
        seen: f.seen,
        seen_by: f.seen_by,
        police_reference: f.police_reference,
        action_taken: f.action_taken,
        outcome: f.outcome,
    };
    let i = record(&state, &staff, given).await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/incidents/{}", i.reference),
        "incident-recorded",
    ))
    .into_response())
}

/// A correction in the history, in words.
struct CorrectionView {
    at: String,
    by: String,
    reason: String,
    /// (field in words, before, after).
    changes: Vec<(&'static str, String, String)>,
}

/// Something linked, in words.
struct LinkView {
    what: String,
    href: Option<String>,
    at: String,
    by: String,
}

struct DocView {
    id: String,
    name: String,
    at: String,
    by: String,
    bytes: u64,
}

#[derive(Template)]
#[template(path = "incident.html")]
struct IncidentPage {
    banner: Banner,
    reference: String,
    facts: Vec<(&'static str, String)>,
    open: bool,
    countersigned: String,
    corrections: Vec<CorrectionView>,
    footage: Vec<String>,
    links: Vec<LinkView>,
    documents: Vec<DocView>,
    keeps: bool,
    countersigns: bool,
    cameras: Vec<CameraChoice>,
    classes: Vec<(String, String)>,
    // The correction form, filled in with the record as it stands.
    occurred_input: String,
    place: String,
    seen: String,
    seen_by: String,
    police_reference: String,
    action_taken: String,
    outcome: String,
    footage_from: String,
    footage_to: String,
    may_keep_statements: bool,
    /// Reviews of the incident's footage not yet linked: (review id, in words).
    review_choices: Vec<(String, String)>,
    /// Downloads of the incident's footage not yet linked: (download id, in words).
    download_choices: Vec<(String, String)>,
}

pub(crate) async fn load(state: &AppState, reference: &str) -> Result<IncidentRecord, WebError> {
    state
        .store
        .incident_record(reference)
        .await?
        .ok_or_else(|| {
            WebError::Store(custos_store::StoreError::NotFound(format!(
                "there is no incident {}; references look like INC-2026-0001",
                reference.trim()
            )))
        })
}

/// `GET /incidents/{reference}`: the incident, its history and its forms.
pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    require_read(&staff)?;
    let rec = load(&state, &reference).await?;
    let names = crate::staff::names(&state).await?;
    let cams = |ids: &[Ident]| {
        ids.iter()
            .map(|c| names.camera(c.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let i = &rec.incident;
    let d = &i.draft;
    let when = |ms: i64| UnixMs(ms).to_london_display();
    let mut facts = vec![
        ("When", UnixMs(d.occurred_at_unix_ms).to_london_long()),
        (
            "Cameras",
            if d.cameras.is_empty() {
                "None".to_owned()
            } else {
                cams(&d.cameras)
            },
        ),
        ("Place", d.place.clone()),
        ("What was seen", d.seen.clone()),
        ("Seen by", d.seen_by.clone()),
        (
            "Police reference",
            if d.police_reference.is_empty() {
                "Not reported to the police".to_owned()
            } else {
                d.police_reference.clone()
            },
        ),
        ("Action taken", d.action_taken.clone()),
        (
            "Outcome",
            if d.is_open() {
                "Open: no outcome yet".to_owned()
            } else {
                d.outcome.clone()
            },
        ),
        (
            "Recorded",
            format!(
                "{} by {}",
                when(i.recorded_at_unix_ms),
                names.actor(&i.recorded_by)
            ),
        ),
    ];
    if let Some((at, by)) = &i.outcome_at {
        facts.push((
            "Outcome recorded",
            format!("{} by {}", when(*at), names.actor(by)),
        ));
    }
    let countersigned = i
        .countersigned
        .as_ref()
        .map(|(by, role, at)| {
            format!(
                "Countersigned by {} as {} on {}.",
                names.person(by),
                custos_domain::role::role_words(role),
                when(*at)
            )
        })
        .unwrap_or_default();
    let corrections = rec
        .corrections
        .iter()
        .map(|c| CorrectionView {
            at: when(c.at_unix_ms),
            by: names.actor(&c.by),
            reason: c.reason.clone(),
            changes: c
                .changes
                .iter()
                .map(|(f, before, after)| {
                    let words = |v: &str| match f {
                        custos_domain::incident::Field::Occurred => v
                            .parse::<i64>()
                            .map(|ms| UnixMs(ms).to_london_display())
                            .unwrap_or_else(|_| v.to_owned()),
                        custos_domain::incident::Field::Cameras => v
                            .split(',')
                            .filter(|c| !c.is_empty())
                            .map(|c| names.camera(c))
                            .collect::<Vec<_>>()
                            .join(", "),
                        _ => v.to_owned(),
                    };
                    (f.describe(), words(before), words(after))
                })
                .collect(),
        })
        .collect();
    let footage = rec
        .footage
        .iter()
        .map(|f| {
            format!(
                "{}, {} to {}{}",
                cams(&f.cameras),
                when(f.from_unix_ms),
                when(f.to_unix_ms),
                if f.held {
                    " — held"
                } else {
                    " — no longer held"
                }
            )
        })
        .collect();
    let links = rec
        .links
        .iter()
        .filter(|l| l.kind != "footage")
        .map(|l| LinkView {
            what: match l.kind.as_str() {
                "download" => "A download of footage".to_owned(),
                _ => "A review of recorded footage".to_owned(),
            },
            href: (l.kind == "download").then(|| format!("/downloads/{}", l.target)),
            at: when(l.at_unix_ms),
            by: names.actor(&l.by),
        })
        .collect();
    let documents = rec
        .documents
        .iter()
        .map(|doc| DocView {
            id: doc.id.clone(),
            name: doc.name.clone(),
            at: when(doc.added_at_unix_ms),
            by: names.actor(&doc.added_by),
            bytes: doc.bytes,
        })
        .collect();
    let classes = state
        .store
        .active_policy()
        .await?
        .map(|p| {
            p.pack
                .retention
                .classes
                .iter()
                .map(|c| (c.id.to_string(), c.description.clone()))
                .collect()
        })
        .unwrap_or_default();
    let in_service: Vec<(String, String)> = state
        .store
        .cameras(false)
        .await?
        .into_iter()
        .map(|c| (c.id.to_string(), c.draft.name))
        .collect();
    let picked = d
        .cameras
        .iter()
        .map(Ident::as_str)
        .collect::<Vec<_>>()
        .join(",");
    let (review_choices, download_choices) = if keeps(&staff) {
        link_choices(&state, &rec, &names).await?
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(render(
        StatusCode::OK,
        &IncidentPage {
            banner: Banner::load(&state, &staff).await?,
            reference: i.reference.clone(),
            facts,
            open: d.is_open(),
            countersigned,
            corrections,
            footage,
            links,
            documents,
            keeps: keeps(&staff),
            countersigns: staff.book_role(Book::Incident, true).is_ok()
                && i.countersigned.is_none(),
            cameras: crate::forms::camera_choices(in_service, &picked),
            classes,
            occurred_input: UnixMs(d.occurred_at_unix_ms).to_uk_local_input(),
            place: d.place.clone(),
            seen: d.seen.clone(),
            seen_by: d.seen_by.clone(),
            police_reference: d.police_reference.clone(),
            action_taken: d.action_taken.clone(),
            outcome: d.outcome.clone(),
            footage_from: UnixMs(d.occurred_at_unix_ms - 5 * 60_000).to_uk_local_input(),
            footage_to: UnixMs(d.occurred_at_unix_ms + 10 * 60_000).to_uk_local_input(),
            may_keep_statements: state.documents.is_some(),
            review_choices,
            download_choices,
        },
    ))
}

/// How far either side of an incident's time a review or download of its cameras' footage
/// is offered for linking.
const LINK_WINDOW_MS: i64 = 12 * 3_600_000;

/// The reviews and downloads a keeper may link from the incident's page: those of its
/// cameras' footage (every camera's, when it names none) within [`LINK_WINDOW_MS`] of its
/// time, not linked already, each in words.
async fn link_choices(
    state: &AppState,
    rec: &IncidentRecord,
    names: &custos_domain::ledger::Names,
) -> Result<(Vec<(String, String)>, Vec<(String, String)>), WebError> {
    let d = &rec.incident.draft;
    let cameras: Vec<Ident> = if d.cameras.is_empty() {
        state
            .store
            .cameras(true)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect()
    } else {
        d.cameras.clone()
    };
    let from = d.occurred_at_unix_ms - LINK_WINDOW_MS;
    let to = d.occurred_at_unix_ms + LINK_WINDOW_MS;
    let linked = |kind: &str, id: &str| rec.links.iter().any(|l| l.kind == kind && l.target == id);
    let when = |ms: i64| UnixMs(ms).to_london_display();
    let mut reviews = Vec::new();
    for camera in &cameras {
        for r in state.store.reviews_of(camera, from, to).await? {
            if linked("review", &r.review_id) || reviews.iter().any(|(id, _)| id == &r.review_id) {
                continue;
            }
            let words = format!(
                "{}, {} to {}, reviewed by {}",
                names.camera(camera.as_str()),
                when(r.from_unix_ms),
                when(r.to_unix_ms),
                r.by
            );
            reviews.push((r.review_id, words));
        }
    }
    let downloads = state
        .store
        .downloads(false)
        .await?
        .into_iter()
        .filter(|x| {
            !linked("download", &x.id)
                && x.request.from_unix_ms < to
                && x.request.to_unix_ms > from
                && x.request.cameras.iter().any(|c| cameras.contains(c))
        })
        .map(|x| {
            let words = format!(
                "Exhibit {}: {}, {} to {}, for {}",
                x.request.exhibit,
                x.request
                    .cameras
                    .iter()
                    .map(|c| names.camera(c.as_str()))
                    .collect::<Vec<_>>()
                    .join(", "),
                when(x.request.from_unix_ms),
                when(x.request.to_unix_ms),
                x.request.recipient
            );
            (x.id, words)
        })
        .collect();
    Ok((reviews, downloads))
}

/// `POST /incidents/{reference}/steps`: the outcome, a correction, countersigning, or
/// linking footage, a review or a download.
pub(crate) async fn step(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    ListForm(f): ListForm<StepForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    require_keep_or_countersign(&staff)?;
    let current = load(&state, &reference).await?;
    let s = read_step(&f, &current.incident)?;
    let i = take_step(&state, &staff, &current.incident.reference, &s).await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/incidents/{}", i.reference),
        "incident-step",
    ))
    .into_response())
}

/// The form that keeps a witness statement.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct StatementForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    statement: String,
}

/// Keeps `statement`, the text of `staff`'s witness statement (BDC-18), with incident
/// `reference`, encrypted, under `name` (`witness-statement.txt` when empty): the one way
/// the page and the API keep one (the store checks the keeper and the text).
pub(crate) async fn keep_statement(
    state: &AppState,
    staff: &Staff,
    reference: &str,
    name: &str,
    statement: &str,
) -> Result<custos_store::incidents::IncidentDocument, WebError> {
    require_keep(staff, false)?;
    let Some(dir) = state.documents.as_deref() else {
        return Err(WebError::BadRequest(
            "this server keeps no documents, so a statement cannot be kept here".to_owned(),
        ));
    };
    let name = match name.trim() {
        "" => "witness-statement.txt",
        n => n,
    };
    Ok(state
        .store
        .add_incident_statement(
            &staff.actor(),
            &staff.info.subject,
            dir,
            reference,
            &custos_store::incidents::Statement {
                name,
                media_type: "text/plain; charset=utf-8",
                contents: statement.as_bytes(),
            },
        )
        .await?)
}

/// `POST /incidents/{reference}/statements`: keeps the person's witness statement (BDC-18)
/// with the incident, encrypted.
pub(crate) async fn add_statement(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    ListForm(f): ListForm<StatementForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    keep_statement(&state, &staff, &reference, &f.name, &f.statement).await?;
    Ok(Redirect::to(&crate::done::to(
        &format!(
            "/incidents/{}#statements",
            reference.trim().to_ascii_uppercase()
        ),
        "incident-statement",
    ))
    .into_response())
}

/// `GET /incidents/{reference}/statements/{id}`: a witness statement, decrypted.
pub(crate) async fn statement(
    State(state): State<AppState>,
    staff: Staff,
    Path((reference, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    require_read(&staff)?;
    let Some(dir) = state.documents.as_deref() else {
        return Err(WebError::Store(custos_store::StoreError::NotFound(
            "this server keeps no documents".to_owned(),
        )));
    };
    let (doc, contents) = state.store.incident_statement(dir, &reference, &id).await?;
    Ok(crate::cases::document_download(&doc.name, contents))
}

/// `GET /incidents.csv`: the incident log in the code's columns.
pub(crate) async fn csv(State(state): State<AppState>, staff: Staff) -> Result<Response, WebError> {
    require_read(&staff)?;
    let rows = state.store.incident_log().await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"custos-incident-log.csv\"".to_owned(),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        custos_domain::incident::csv(&rows),
    )
        .into_response())
}

/// `GET /incidents.pdf`: the incident log as a PDF.
pub(crate) async fn pdf(State(state): State<AppState>, staff: Staff) -> Result<Response, WebError> {
    require_read(&staff)?;
    let rows = state.store.incident_log().await?;
    let scheme = state
        .store
        .active_policy()
        .await?
        .map(|p| p.pack.name)
        .unwrap_or_default();
    let created = state
        .store
        .clock()
        .now()
        .to_timestamp()
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let bytes = custos_domain::pdf::render(
        "Incident log",
        &custos_domain::incident::pdf_blocks(&scheme, &rows),
        created,
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"custos-incident-log.pdf\"".to_owned(),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
