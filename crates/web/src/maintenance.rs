//! The faults and maintenance log on the web (LBU-16, BDC-19, ALT-15, SCC-8, BDC-18): the
//! Maintenance page — each camera's next check (amber when due soon, red when overdue), the
//! faults open with the contractor's response and fix against the pack's times, each
//! camera's availability over the last 30 days in a table and a chart, the recent checks
//! and faults, and the forms that record a check and report a fault — each check's and
//! fault's page with its history and the forms for the contractor's call, response, the fix
//! and corrections, and the log as CSV and PDF in the columns the codes name.
//!
//! Invariants: handlers are thin; the rules are `domain::maintenance`'s and who may do what
//! is the pack's `[books.maintenance]`, asked through `Staff::book_role` before anything is
//! read from the request and again by the store for every change ([`record_check`],
//! [`report_fault`] and [`take_step`] are shared with the API); those who read the logbooks
//! may read the log; pages show cameras and people by name, never internal ids.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use custos_base::UnixMs;
use custos_domain::Ident;
use custos_domain::ledger::Book;
use custos_domain::maintenance::{
    AVAILABILITY_DAYS, CallDraft, Check, CheckDraft, CheckItem, CorrectionDraft, Fault, FaultDraft,
    Field, ItemResult, Standing, Urgency,
};
use custos_domain::policy::Maintenance;
use custos_store::maintenance::{CameraMaintenance, FaultFilter};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Staff;
use crate::cases::time_field;
use crate::charts::{BarChart, Colour, Series};
use crate::error::WebError;
use crate::forms::ListForm;
use crate::pages::render;
use crate::staff::Banner;

const DAY_MS: i64 = 86_400_000;
/// The checks and faults listed as recent on the page.
const RECENT_DAYS: i64 = 30;

/// Refuses unless the person keeps or countersigns the faults and maintenance log, or
/// reads the logbooks.
pub(crate) fn may_read(staff: &Staff) -> Result<(), WebError> {
    if staff.may_open_book(Book::Maintenance) {
        Ok(())
    } else {
        Err(WebError::Forbidden(format!(
            "{}; those who read the logbooks may read it",
            crate::staff::capitalise(
                &staff
                    .book_role(Book::Maintenance, false)
                    .err()
                    .unwrap_or_default()
            )
        )))
    }
}

/// Refuses unless the person keeps the faults and maintenance log.
pub(crate) fn require_role(staff: &Staff) -> Result<(), WebError> {
    staff
        .book_role(Book::Maintenance, false)
        .map(|_| ())
        .map_err(|why| WebError::Forbidden(crate::staff::capitalise(&why)))
}

fn when(ms: i64) -> String {
    UnixMs(ms).to_london_display()
}

/// A check as the page's form or an API call gives it: the camera's id, the time (now when
/// `None`), each item's result (`pass` or `fail`, empty when not given) with its note, and
/// a note.
#[derive(Debug, Clone, Default)]
pub(crate) struct GivenCheck {
    pub(crate) camera: String,
    pub(crate) checked_at_unix_ms: Option<i64>,
    pub(crate) items: Vec<(CheckItem, String, String)>,
    pub(crate) note: String,
}

/// Records `given` as `staff`'s check: the one way the page and the API record one.
pub(crate) async fn record_check(
    state: &AppState,
    staff: &Staff,
    given: GivenCheck,
) -> Result<Check, WebError> {
    require_role(staff)?;
    let camera = Ident::parse(given.camera.trim())
        .map_err(|_| WebError::BadRequest("choose the camera that was checked".to_owned()))?;
    let mut items = Vec::new();
    let mut problems = Vec::new();
    for (item, result, note) in given.items {
        let result = result.trim();
        if result.is_empty() {
            // Left out: the domain's check names it with the others.
            continue;
        }
        match custos_domain::maintenance::parse_item_value(item, result) {
            Ok(r) => items.push(ItemResult {
                note: note.trim().to_owned(),
                ..r
            }),
            Err(e) => problems.push(e),
        }
    }
    if !problems.is_empty() {
        return Err(WebError::BadRequest(problems.join("; ")));
    }
    let draft = CheckDraft {
        camera,
        checked_at_unix_ms: given
            .checked_at_unix_ms
            .unwrap_or_else(|| state.store.clock().now().0),
        items,
        note: given.note,
    };
    Ok(state
        .store
        .record_check(&staff.actor(), &staff.info.subject, &draft)
        .await?)
}

/// Records the fault `staff` reports on camera `camera` (its id), noticed at `noticed` (now
/// when `None`): the one way the page and the API report one.
pub(crate) async fn report_fault(
    state: &AppState,
    staff: &Staff,
    camera: &str,
    noticed: Option<i64>,
    description: String,
) -> Result<Fault, WebError> {
    require_role(staff)?;
    let camera = Ident::parse(camera.trim())
        .map_err(|_| WebError::BadRequest("choose the camera with the fault".to_owned()))?;
    Ok(state
        .store
        .report_fault(
            &staff.actor(),
            &staff.info.subject,
            &FaultDraft {
                camera,
                noticed_at_unix_ms: noticed.unwrap_or_else(|| state.store.clock().now().0),
                description,
            },
        )
        .await?)
}

/// A step on a fault, or a correction of a check or fault.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    /// The contractor called.
    Call(CallDraft),
    /// Their response at a time (now when `None`), with a note.
    Respond(Option<i64>, String),
    /// The fix at a time (now when `None`), the work done, and whether the contractor did it.
    Fix(Option<i64>, String, bool),
    /// A correction.
    Correct(CorrectionDraft),
}

/// What a step leaves: the check or the fault as it now is.
pub(crate) enum Stepped {
    Check(Box<Check>),
    Fault(Box<Fault>),
}

/// Takes `step` on check or fault `reference` as `staff`: the one way the page and the API
/// take one. A check takes only corrections.
pub(crate) async fn take_step(
    state: &AppState,
    staff: &Staff,
    reference: &str,
    step: Step,
) -> Result<Stepped, WebError> {
    require_role(staff)?;
    let (actor, who) = (staff.actor(), &staff.info.subject);
    let reference = reference.trim().to_ascii_uppercase();
    let store = &state.store;
    if custos_domain::maintenance::is_check_reference(&reference) {
        let Step::Correct(c) = step else {
            return Err(WebError::BadRequest(format!(
                "{reference} is a check: a check is only corrected"
            )));
        };
        return Ok(Stepped::Check(Box::new(
            store.correct_check(&actor, who, &reference, &c).await?,
        )));
    }
    let f = match step {
        Step::Call(c) => store.call_contractor(&actor, who, &reference, &c).await?,
        Step::Respond(at, note) => {
            store
                .record_contractor_response(&actor, who, &reference, at, &note)
                .await?
        }
        Step::Fix(at, work, by_contractor) => {
            store
                .record_fault_fixed(&actor, who, &reference, at, &work, by_contractor)
                .await?
        }
        Step::Correct(c) => store.correct_fault(&actor, who, &reference, &c).await?,
    };
    Ok(Stepped::Fault(Box::new(f)))
}

/// A camera's row on the page.
pub(crate) struct CameraRow {
    name: String,
    last_checked: String,
    due: String,
    urgency: &'static str,
    availability: String,
}

fn camera_row(c: &CameraMaintenance) -> CameraRow {
    CameraRow {
        name: c.name.clone(),
        last_checked: c
            .due
            .last_checked_unix_ms
            .map_or_else(|| "never".to_owned(), when),
        due: when(c.due.due_unix_ms),
        urgency: c.due.urgency.class(),
        availability: c.availability.map_or_else(
            || "not recorded continuously".to_owned(),
            |a| a.percent_words(),
        ),
    }
}

/// A fault's row on the page.
pub(crate) struct FaultRow {
    reference: String,
    camera: String,
    noticed: String,
    what: String,
    contractor: String,
    response: String,
    fix: String,
    urgency: &'static str,
}

fn standing_words(s: Standing) -> String {
    match s {
        Standing::Waiting { .. } => s.describe(),
        Standing::Done { .. } => format!("done {}", s.describe()),
    }
}

fn fault_row(f: &Fault, m: &Maintenance, now: i64) -> FaultRow {
    let cur = f.current();
    let state = f.contractor_state(m, now);
    FaultRow {
        reference: f.reference.clone(),
        camera: cur.camera_name.clone(),
        noticed: when(cur.noticed_at_unix_ms),
        what: cur.description.clone(),
        contractor: cur
            .contractor
            .as_ref()
            .map_or_else(|| "not called".to_owned(), |c| c.describe()),
        response: state
            .map(|s| standing_words(s.response))
            .unwrap_or_default(),
        fix: state.map(|s| standing_words(s.fix)).unwrap_or_default(),
        urgency: f.urgency(m, now).class(),
    }
}

/// A recent check or fault, in the page's list.
pub(crate) struct RecentRow {
    reference: String,
    kind: String,
    camera: String,
    at: String,
    result: String,
}

/// A camera offered in a form's list.
pub(crate) struct CameraOption {
    id: String,
    name: String,
}

#[derive(Template)]
#[template(path = "maintenance.html")]
struct MaintenancePage {
    banner: Banner,
    every_days: u32,
    response: String,
    fix: String,
    cameras: Vec<CameraRow>,
    chart: String,
    faults: Vec<FaultRow>,
    recent: Vec<RecentRow>,
    recent_days: i64,
    availability_days: i64,
    keeps: bool,
    keep_why_not: String,
    options: Vec<CameraOption>,
    items: Vec<(&'static str, &'static str, &'static str)>,
    now_input: String,
}

/// Each camera's availability as a bar chart, with its figures as a table.
fn availability_chart(cameras: &[CameraMaintenance]) -> BarChart {
    let measured: Vec<(&str, u32)> = cameras
        .iter()
        .filter_map(|c| {
            c.availability
                .and_then(|a| a.per_mille())
                .map(|p| (c.name.as_str(), p))
        })
        .collect();
    BarChart {
        id: "chart-availability".to_owned(),
        title: format!("Each camera's availability over the last {AVAILABILITY_DAYS} days"),
        caption: format!(
            "The share of the last {AVAILABILITY_DAYS} days each camera recorded, in percent, counted from when it was registered and only over the days whose footage is still kept; cameras not recorded continuously are left out."
        ),
        category_label: "Camera".to_owned(),
        value_label: "Percent recorded".to_owned(),
        categories: measured.iter().map(|(n, _)| (*n).to_owned()).collect(),
        series: vec![Series {
            name: "Percent of the time recorded".to_owned(),
            colour: Colour::Green,
        }],
        values: measured
            .iter()
            .map(|(_, p)| vec![u64::from(*p / 10)])
            .collect(),
        stacked: false,
        axis_max: Some(100),
        empty: format!(
            "No camera recorded continuously has been measured over the last {AVAILABILITY_DAYS} days."
        ),
    }
}

/// `GET /maintenance`: each camera's next check and availability, the faults open with
/// the contractor's times, recent checks and faults, and the forms for those who keep it.
pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, WebError> {
    may_read(&staff)?;
    let store = &state.store;
    let now = store.clock().now().0;
    let m = store.maintenance_times().await?;
    let cameras = store.cameras_maintenance(AVAILABILITY_DAYS).await?;
    let open = store.faults(FaultFilter::Open).await?;
    let since = now - RECENT_DAYS * DAY_MS;
    let checks = store.maintenance_checks(Some(since), None).await?;
    let recent_faults = store.faults(FaultFilter::Between(since, i64::MAX)).await?;
    let mut recent: Vec<(i64, RecentRow)> = checks
        .iter()
        .map(|c| {
            let d = c.current();
            (
                d.checked_at_unix_ms,
                RecentRow {
                    reference: c.reference.clone(),
                    kind: "Routine check".to_owned(),
                    camera: c.camera_name.clone(),
                    at: when(d.checked_at_unix_ms),
                    result: c.result_words(),
                },
            )
        })
        .chain(recent_faults.iter().map(|f| {
            let cur = f.current();
            (
                cur.noticed_at_unix_ms,
                RecentRow {
                    reference: f.reference.clone(),
                    kind: f.origin.describe().to_owned(),
                    camera: cur.camera_name.clone(),
                    at: when(cur.noticed_at_unix_ms),
                    result: f.state_words(),
                },
            )
        }))
        .collect();
    recent.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| b.1.reference.cmp(&a.1.reference))
    });
    let keeps = staff.book_role(Book::Maintenance, false);
    Ok(render(
        StatusCode::OK,
        &MaintenancePage {
            banner: Banner::load(&state, &staff).await?,
            every_days: m.check_every_days,
            response: m.response_rule().describe(),
            fix: m.fix_rule().describe(),
            chart: availability_chart(&cameras).html(),
            options: cameras
                .iter()
                .map(|c| CameraOption {
                    id: c.camera.to_string(),
                    name: c.name.clone(),
                })
                .collect(),
            cameras: cameras.iter().map(camera_row).collect(),
            faults: open.iter().map(|f| fault_row(f, &m, now)).collect(),
            recent: recent.into_iter().map(|(_, r)| r).collect(),
            recent_days: RECENT_DAYS,
            availability_days: AVAILABILITY_DAYS,
            keep_why_not: keeps
                .as_ref()
                .err()
                .map(|w| crate::staff::capitalise(w))
                .unwrap_or_default(),
            keeps: keeps.is_ok(),
            items: CheckItem::ALL
                .iter()
                .map(|i| (i.as_str(), i.describe(), i.question()))
                .collect(),
            now_input: UnixMs(now).to_uk_local_input(),
        },
    ))
}

/// The check form as sent: each item's result under the item's id (`privacy-masks`), and
/// its note under `ID-note`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CheckForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    camera: String,
    #[serde(default)]
    checked_at: String,
    #[serde(default)]
    note: String,
    #[serde(flatten)]
    rest: std::collections::BTreeMap<String, String>,
}

/// `POST /maintenance/checks`: records a camera's scheduled check.
pub(crate) async fn check(
    State(state): State<AppState>,
    staff: Staff,
    ListForm(f): ListForm<CheckForm>,
) -> Result<Response, WebError> {
    require_role(&staff)?;
    staff.check_csrf(&f.csrf)?;
    let get = |k: &str| f.rest.get(k).cloned().unwrap_or_default();
    let given = GivenCheck {
        camera: f.camera.clone(),
        checked_at_unix_ms: time_field(&f.checked_at, "Time checked")?,
        items: CheckItem::ALL
            .iter()
            .map(|i| (*i, get(i.as_str()), get(&format!("{}-note", i.as_str()))))
            .collect(),
        note: f.note.clone(),
    };
    let c = record_check(&state, &staff, given).await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/maintenance/{}", c.reference),
        if c.fault.is_some() {
            "check-failed"
        } else {
            "check-recorded"
        },
    ))
    .into_response())
}

/// The fault form as sent.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct FaultForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    camera: String,
    #[serde(default)]
    noticed_at: String,
    #[serde(default)]
    description: String,
}

/// `POST /maintenance/faults`: reports a fault on a camera.
pub(crate) async fn fault(
    State(state): State<AppState>,
    staff: Staff,
    ListForm(f): ListForm<FaultForm>,
) -> Result<Response, WebError> {
    require_role(&staff)?;
    staff.check_csrf(&f.csrf)?;
    let noticed = time_field(&f.noticed_at, "Time noticed")?;
    let fault = report_fault(&state, &staff, &f.camera, noticed, f.description).await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/maintenance/{}", fault.reference),
        "fault-reported",
    ))
    .into_response())
}

/// A step's form as sent.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct StepForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    step: String,
    #[serde(default)]
    contractor: String,
    #[serde(default)]
    job_reference: String,
    #[serde(default)]
    at: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    work_done: String,
    #[serde(default)]
    by: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    reason: String,
}

/// A correction's value as stored: a time typed in UK time becomes milliseconds.
pub(crate) fn correction_value(field: Field, value: &str) -> Result<String, WebError> {
    if field.is_time() {
        Ok(time_field(value, field.describe())?
            .ok_or_else(|| {
                WebError::BadRequest(format!("give the {}", field.describe().to_lowercase()))
            })?
            .to_string())
    } else {
        Ok(value.trim().to_owned())
    }
}

/// `POST /maintenance/{reference}/steps` (`step`: `call`, `respond`, `fix` or `correct`):
/// the contractor called, their response, the fix, or a correction.
pub(crate) async fn step(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    ListForm(f): ListForm<StepForm>,
) -> Result<Response, WebError> {
    require_role(&staff)?;
    staff.check_csrf(&f.csrf)?;
    let at = time_field(&f.at, "Time")?;
    let step = match f.step.trim() {
        "call" => Step::Call(CallDraft {
            contractor: f.contractor,
            job_reference: f.job_reference,
            called_at_unix_ms: at.unwrap_or_else(|| state.store.clock().now().0),
        }),
        "respond" => Step::Respond(at, f.note),
        "fix" => Step::Fix(at, f.work_done, f.by.trim() == "contractor"),
        "correct" => {
            let field: Field = f.field.trim().parse().map_err(WebError::BadRequest)?;
            Step::Correct(CorrectionDraft {
                field,
                value: correction_value(field, &f.value)?,
                reason: f.reason,
            })
        }
        other => {
            return Err(WebError::BadRequest(format!(
                "{other:?} is not a step here: use call, respond, fix or correct"
            )));
        }
    };
    let done = match &step {
        Step::Correct(_) => "maintenance-corrected",
        _ => "fault-step",
    };
    let reference = match take_step(&state, &staff, &reference, step).await? {
        Stepped::Check(c) => c.reference,
        Stepped::Fault(f) => f.reference,
    };
    Ok(Redirect::to(&crate::done::to(&format!("/maintenance/{reference}"), done)).into_response())
}

#[derive(Template)]
#[template(path = "maintenance_entry.html")]
struct EntryPage {
    banner: Banner,
    reference: String,
    title: String,
    /// (label, value) of each column after the reference.
    details: Vec<(&'static str, String)>,
    open: bool,
    urgency: &'static str,
    urgency_words: String,
    keeps: bool,
    may_call: bool,
    may_respond: bool,
    may_fix: bool,
    contractor_called: bool,
    corrections: Vec<String>,
    fields: Vec<(&'static str, &'static str)>,
    now_input: String,
    response: String,
    fix: String,
}

/// `GET /maintenance/{reference}`: the check or fault, with its corrections and the forms
/// for its steps.
pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    may_read(&staff)?;
    let reference = reference.trim().to_ascii_uppercase();
    let store = &state.store;
    let now = store.clock().now().0;
    let m = store.maintenance_times().await?;
    let keeps = staff.book_role(Book::Maintenance, false).is_ok();
    let not_found = || {
        WebError::Store(custos_store::StoreError::NotFound(format!(
            "there is no check or fault {reference}"
        )))
    };
    let labelled = |row: Vec<String>| -> Vec<(&'static str, String)> {
        custos_domain::maintenance::COLUMNS
            .iter()
            .copied()
            .zip(row)
            .skip(1)
            .filter(|(c, v)| *c != "Corrections" && !v.is_empty())
            .collect()
    };
    let page = if custos_domain::maintenance::is_check_reference(&reference) {
        let c = store
            .maintenance_check(&reference)
            .await?
            .ok_or_else(not_found)?;
        EntryPage {
            banner: Banner::load(&state, &staff).await?,
            title: format!("Check {} of {}", c.reference, c.camera_name),
            details: labelled(c.row()),
            open: false,
            urgency: "",
            urgency_words: String::new(),
            keeps,
            may_call: false,
            may_respond: false,
            may_fix: false,
            contractor_called: false,
            corrections: c
                .corrections
                .iter()
                .map(custos_domain::maintenance::Correction::describe)
                .collect(),
            fields: Field::CHECK
                .iter()
                .map(|f| (f.as_str(), f.describe()))
                .collect(),
            now_input: UnixMs(now).to_uk_local_input(),
            response: m.response_rule().describe(),
            fix: m.fix_rule().describe(),
            reference: c.reference,
        }
    } else {
        let f = store.fault(&reference).await?.ok_or_else(not_found)?;
        let cur = f.current();
        let urgency = f.urgency(&m, now);
        let urgency_words = match (urgency, f.contractor_state(&m, now)) {
            (Urgency::OnTime, _) | (_, None) => String::new(),
            (u, Some(s)) => {
                let (what, due) = if s.response.urgency() == u {
                    ("The contractor's response", s.response.due_unix_ms())
                } else {
                    ("The fix", s.fix.due_unix_ms())
                };
                match u {
                    Urgency::Overdue => format!("{what} was due by {} and is overdue.", when(due)),
                    _ => format!("{what} is due by {}.", when(due)),
                }
            }
        };
        EntryPage {
            banner: Banner::load(&state, &staff).await?,
            title: format!("Fault {} on {}", f.reference, cur.camera_name),
            details: labelled(f.row(&m, now)),
            open: f.is_open(),
            urgency: urgency.class(),
            urgency_words,
            keeps,
            may_call: keeps && f.is_open() && cur.contractor.is_none(),
            may_respond: keeps
                && cur
                    .contractor
                    .as_ref()
                    .is_some_and(|c| c.responded_at_unix_ms.is_none()),
            may_fix: keeps && cur.fix.is_none(),
            contractor_called: cur.contractor.is_some(),
            corrections: f
                .corrections
                .iter()
                .map(custos_domain::maintenance::Correction::describe)
                .collect(),
            fields: Field::FAULT
                .iter()
                .map(|f| (f.as_str(), f.describe()))
                .collect(),
            now_input: UnixMs(now).to_uk_local_input(),
            response: m.response_rule().describe(),
            fix: m.fix_rule().describe(),
            reference: f.reference,
        }
    };
    Ok(render(StatusCode::OK, &page))
}

/// The days an export covers: `from` and `to` as UK days (`to` included), either open.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Period {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

impl Period {
    fn bounds(&self) -> Result<(Option<i64>, Option<i64>), WebError> {
        let bound = |t: &str, end: bool| -> Result<Option<i64>, WebError> {
            if t.trim().is_empty() {
                Ok(None)
            } else {
                UnixMs::parse_bound(t, end)
                    .map(|t| Some(t.0))
                    .map_err(WebError::BadRequest)
            }
        };
        Ok((bound(&self.from, false)?, bound(&self.to, true)?))
    }
}

/// The checks made and the faults noticed in the period.
async fn log(
    state: &AppState,
    p: &Period,
) -> Result<(Vec<Check>, Vec<Fault>, Maintenance), WebError> {
    let (from, to) = p.bounds()?;
    let store = &state.store;
    Ok((
        store.maintenance_checks(from, to).await?,
        store
            .faults(FaultFilter::Between(
                from.unwrap_or(i64::MIN),
                to.unwrap_or(i64::MAX),
            ))
            .await?,
        store.maintenance_times().await?,
    ))
}

/// `GET /maintenance.csv[?from=DAY&to=DAY]`: the log as CSV, in the columns the codes name.
pub(crate) async fn csv(
    State(state): State<AppState>,
    staff: Staff,
    Query(p): Query<Period>,
) -> Result<Response, WebError> {
    may_read(&staff)?;
    let (checks, faults, m) = log(&state, &p).await?;
    let now = state.store.clock().now().0;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"custos-maintenance.csv\"".to_owned(),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        custos_domain::maintenance::csv(&checks, &faults, &m, now),
    )
        .into_response())
}

/// `GET /maintenance.pdf[?from=DAY&to=DAY]`: the log as a PDF, each entry with every column.
pub(crate) async fn pdf(
    State(state): State<AppState>,
    staff: Staff,
    Query(p): Query<Period>,
) -> Result<Response, WebError> {
    may_read(&staff)?;
    let (checks, faults, m) = log(&state, &p).await?;
    let created = state
        .store
        .clock()
        .now()
        .to_timestamp()
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"custos-maintenance.pdf\"".to_owned(),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        custos_domain::maintenance::pdf(&staff.scheme, &checks, &faults, &m, created),
    )
        .into_response())
}
