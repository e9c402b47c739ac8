//! Personal data breaches on the web (ALT-18, UK GDPR Arts 33–34): the breach's section of
//! its case page (the 72 hours counting down, the risk, what the notification to the ICO
//! says, whether the ICO and the people affected were told), the form that records what
//! the notification says, the notification itself as the ICO would read it (kept as a PDF
//! with the case), the countdown on every page of those who handle breaches, and the
//! breach register with its CSV and yearly counts (Art 33(5)).
//!
//! Invariants: handlers are thin; the rules are `domain::breach`'s and the storing
//! `store::breaches`'; the steps (assess, notify, tell) go through the case's one step
//! form and `cases::take_step`; those who may work breach cases see breaches, nobody else.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use custos_base::UnixMs;
use custos_domain::access::Right;
use custos_domain::case::CaseKind;
use custos_store::breaches::BreachDetails;
use custos_store::cases::Case;
use serde::Deserialize;

use crate::AppState;
use crate::auth::Staff;
use crate::error::WebError;
use crate::pages::render;
use crate::staff::Banner;

/// A breach's section of its case page.
pub(crate) struct Section {
    /// The 72 hours, in words: due when, and how long is left (or how late).
    pub(crate) clock: String,
    /// Overdue and the ICO not yet dealt with.
    pub(crate) overdue: bool,
    pub(crate) risk: String,
    pub(crate) ico: String,
    pub(crate) people: String,
    pub(crate) details: BreachDetails,
    pub(crate) subjects: String,
    pub(crate) records: String,
    /// Whether what the notification says can still be changed (the breach is open).
    pub(crate) open: bool,
}

/// When the ICO is to be told of a breach the scheme became aware of at `aware_unix_ms`,
/// under `pack` on `calendar`, and how long is left at `now_unix_ms`.
fn ico_clock(
    pack: &custos_domain::PolicyPack,
    calendar: &custos_domain::calendar::Calendar,
    aware_unix_ms: i64,
    now_unix_ms: i64,
) -> Option<(
    custos_domain::calendar::Deadline,
    custos_domain::breach::Countdown,
)> {
    let due = custos_domain::breach::notification_due(
        aware_unix_ms,
        &pack.deadlines.breach_notification,
        calendar,
    )
    .ok()?;
    let left = custos_domain::breach::hours_left(&due, now_unix_ms).ok()?;
    Some((due, left))
}

/// The 72 hours of breach `c`: when they end, and how long is left now.
async fn countdown(state: &AppState, c: &Case) -> Option<(String, bool)> {
    let pack = state.store.active_policy().await.ok()??.pack;
    let calendar = state.calendar(pack.nation).ok()?;
    let (due, left) = ico_clock(
        &pack,
        &calendar,
        c.received_at_unix_ms,
        state.store.clock().now().0,
    )?;
    Some((
        format!(
            "The ICO is to be told by {} ({}): {}.",
            due.due.describe(),
            due.rule.describe(),
            left.describe()
        ),
        left.is_overdue(),
    ))
}

/// The breach section of case `c`, if it is a breach.
pub(crate) async fn section(state: &AppState, c: &Case) -> Option<Section> {
    if c.kind != CaseKind::Breach {
        return None;
    }
    let b = c.breach.clone().unwrap_or_default();
    let decided = b.ico_decided();
    let (clock, overdue) = if decided {
        (
            "The ICO has been dealt with: the 72 hours no longer run.".to_owned(),
            false,
        )
    } else {
        countdown(state, c)
            .await
            .unwrap_or_else(|| (String::new(), false))
    };
    Some(Section {
        clock,
        overdue,
        risk: b.risk.as_ref().map_or_else(
            || "Not assessed yet: assess it first (choose the step below).".to_owned(),
            |(l, why)| format!("{}: {why}", crate::staff::capitalise(l.describe())),
        ),
        ico: match (&b.ico_notified, &b.not_notified_reason) {
            (Some((at, late)), _) if late.trim().is_empty() => {
                format!("Notified {}.", UnixMs(*at).to_london_long())
            }
            (Some((at, late)), _) => format!(
                "Notified {}, after the 72 hours, because: {late}",
                UnixMs(*at).to_london_long()
            ),
            (None, Some(why)) => format!("Not notified, because: {why}"),
            (None, None) => "Not yet.".to_owned(),
        },
        people: match (&b.people_told, &b.people_exception) {
            (Some((at, how)), _) => format!("Told {}: {how}", UnixMs(*at).to_london_long()),
            (None, Some((e, why))) => format!(
                "Not told: {}. {why}",
                crate::staff::capitalise(e.describe())
            ),
            (None, None) => {
                "Not yet decided (they must be told where the risk is high).".to_owned()
            }
        },
        subjects: b
            .details
            .subjects_approx
            .map(|n| n.to_string())
            .unwrap_or_default(),
        records: b
            .details
            .records_approx
            .map(|n| n.to_string())
            .unwrap_or_default(),
        details: b.details,
        open: c.state.is_open(),
    })
}

/// The countdowns for the banner of `staff`: each open breach the ICO is still to be told
/// of, with the hours left, for those who may work breach cases.
pub(crate) async fn banner_lines(state: &AppState, staff: &Staff) -> Result<Vec<String>, WebError> {
    if !staff.may(Right::WorkCases, &crate::cases::target(CaseKind::Breach)) {
        return Ok(Vec::new());
    }
    let Some(policy) = state.store.active_policy().await? else {
        return Ok(Vec::new());
    };
    let Ok(calendar) = state.calendar(policy.pack.nation) else {
        return Ok(Vec::new());
    };
    let now = state.store.clock().now().0;
    let mut out = Vec::new();
    for (reference, aware) in state.store.breaches_awaiting_ico().await? {
        if let Some((due, left)) = ico_clock(&policy.pack, &calendar, aware, now) {
            out.push(format!(
                "Personal data breach {reference}: the ICO is to be told by {} — {}.",
                due.due.describe(),
                left.describe()
            ));
        }
    }
    Ok(out)
}

/// What the notification says, as typed.
#[derive(Debug, Deserialize)]
pub(crate) struct DetailsForm {
    csrf: String,
    #[serde(default)]
    nature: String,
    #[serde(default)]
    subject_categories: String,
    #[serde(default)]
    subjects_approx: String,
    #[serde(default)]
    record_categories: String,
    #[serde(default)]
    records_approx: String,
    #[serde(default)]
    consequences: String,
    #[serde(default)]
    measures: String,
}

fn number(text: &str, what: &str) -> Result<Option<u64>, WebError> {
    let t = text.trim().replace(',', "");
    if t.is_empty() {
        return Ok(None);
    }
    t.parse().map(Some).map_err(|_| {
        WebError::BadRequest(format!(
            "{what}: give a whole number (an estimate is fine), or leave it empty if not yet known"
        ))
    })
}

/// `POST /cases/{reference}/breach`: records what the breach's notification says.
pub(crate) async fn details(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(f): Form<DetailsForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let (c, actor) = crate::cases::load_to_work(&state, &staff, &reference).await?;
    let details = BreachDetails {
        nature: f.nature,
        subject_categories: f.subject_categories,
        subjects_approx: number(&f.subjects_approx, "About how many people")?,
        record_categories: f.record_categories,
        records_approx: number(&f.records_approx, "About how many records")?,
        consequences: f.consequences,
        measures: f.measures,
    };
    state
        .store
        .record_breach_details(&actor, &c.reference, &details)
        .await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/cases/{}#breach", c.reference),
        "breach-details",
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "ico_notification.html")]
struct NotificationPage {
    banner: Banner,
    reference: String,
    title: String,
    sections: Vec<(Option<String>, Vec<String>)>,
    problems: Vec<String>,
    /// The ICO has been notified, so the notification as sent is kept with the case.
    kept: bool,
}

/// The notification of `c` as it would be sent now, with what is missing for it.
async fn notification(
    state: &AppState,
    c: &Case,
) -> Result<(custos_domain::breach::IcoNotification, Vec<String>), WebError> {
    let Some(policy) = state.store.active_policy().await? else {
        return Err(WebError::AskManagers("no policy pack is loaded".to_owned()));
    };
    let n = custos_store::breaches::notification_as_it_stands(
        c,
        &policy.pack,
        state.store.clock().now().0,
    );
    let notified = c.breach.as_ref().is_some_and(|b| b.ico_notified.is_some());
    let calendar = state
        .calendar(policy.pack.nation)
        .map_err(WebError::BadRequest)?;
    let problems = match n.validate(&policy.pack.deadlines.breach_notification, &calendar) {
        Ok(()) => Vec::new(),
        Err(p) if !notified => p.into_iter().filter(|p| !p.contains("delay")).collect(),
        Err(p) => p,
    };
    Ok((n, problems))
}

/// Breach `reference`, for a person who may work it; refused for any other kind of case.
async fn load_breach(state: &AppState, staff: &Staff, reference: &str) -> Result<Case, WebError> {
    let c = crate::cases::load(state, staff, reference).await?;
    if c.kind != CaseKind::Breach {
        return Err(WebError::BadRequest(format!(
            "{} is not a breach: only a breach is notified to the ICO",
            c.reference
        )));
    }
    Ok(c)
}

/// `GET /cases/{reference}/ico-notification`: the notification to the ICO as its record
/// stands (Art 33(3)(a)–(d)), with what it still lacks.
pub(crate) async fn show_notification(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    let c = load_breach(&state, &staff, &reference).await?;
    let (n, problems) = notification(&state, &c).await?;
    Ok(render(
        StatusCode::OK,
        &NotificationPage {
            banner: Banner::load(&state, &staff).await?,
            reference: c.reference.clone(),
            title: n.title(),
            sections: n.sections(),
            problems,
            kept: c.breach.as_ref().is_some_and(|b| b.ico_notified.is_some()),
        },
    ))
}

/// `GET /cases/{reference}/ico-notification.txt`: the notification as plain text, to
/// paste into the ICO's form or attach to an e-mail.
pub(crate) async fn notification_text(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    let c = load_breach(&state, &staff, &reference).await?;
    let (n, _) = notification(&state, &c).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}-ico-notification.txt\"",
                    c.reference
                ),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        n.plain_text(),
    )
        .into_response())
}

/// `GET /cases/{reference}/ico-notification.pdf`: the notification as a PDF, rendered
/// now from the same record as the page and the text; the copy kept when the ICO was
/// notified is among the case's documents.
pub(crate) async fn notification_pdf(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    let c = load_breach(&state, &staff, &reference).await?;
    let (n, _) = notification(&state, &c).await?;
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
                format!(
                    "attachment; filename=\"{}-ico-notification.pdf\"",
                    c.reference
                ),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        n.to_pdf(created),
    )
        .into_response())
}

/// A breach in the register.
struct Listed {
    reference: String,
    aware: String,
    summary: String,
    risk: String,
    ico: String,
    people: String,
    state: String,
}

#[derive(Template)]
#[template(path = "breaches.html")]
struct RegisterPage {
    banner: Banner,
    listed: Vec<Listed>,
    /// (year, breaches, notified to the ICO).
    years: Vec<(i16, u32, u32)>,
}

/// The register's rows: every breach, newest first.
async fn register(state: &AppState) -> Result<Vec<(Case, Listed)>, WebError> {
    Ok(state
        .store
        .cases(true)
        .await?
        .into_iter()
        .filter(|c| c.kind == CaseKind::Breach)
        .map(|c| {
            let b = c.breach.clone().unwrap_or_default();
            let listed = Listed {
                reference: c.reference.clone(),
                aware: UnixMs(c.received_at_unix_ms).to_london_long(),
                summary: c.summary.clone(),
                risk: b
                    .risk
                    .as_ref()
                    .map_or("not assessed".to_owned(), |r| r.0.describe().to_owned()),
                ico: match (&b.ico_notified, &b.not_notified_reason) {
                    (Some((at, _)), _) => format!("notified {}", UnixMs(*at).to_london_display()),
                    (None, Some(why)) => format!("not notified: {why}"),
                    _ => "not yet".to_owned(),
                },
                people: match (&b.people_told, &b.people_exception) {
                    (Some((at, _)), _) => format!("told {}", UnixMs(*at).to_london_display()),
                    (None, Some((e, _))) => format!("not told: {}", e.describe()),
                    _ => "not decided".to_owned(),
                },
                state: crate::staff::capitalise(c.state.describe()),
            };
            (c, listed)
        })
        .collect())
}

fn year_of(ms: i64) -> i16 {
    custos_domain::calendar::uk_time_zone()
        .ok()
        .and_then(|tz| {
            jiff::Timestamp::from_millisecond(ms)
                .ok()
                .map(|t| t.to_zoned(tz).year())
        })
        .unwrap_or(0)
}

/// `GET /breaches`: every breach, notified or not (Art 33(5)), with the count each year.
pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, WebError> {
    staff
        .require(
            &state,
            Right::WorkCases,
            &crate::cases::target(CaseKind::Breach),
        )
        .await?;
    let rows = register(&state).await?;
    let mut years: std::collections::BTreeMap<i16, (u32, u32)> = Default::default();
    for (c, _) in &rows {
        let y = years.entry(year_of(c.received_at_unix_ms)).or_default();
        y.0 += 1;
        if c.breach.as_ref().is_some_and(|b| b.ico_notified.is_some()) {
            y.1 += 1;
        }
    }
    Ok(render(
        StatusCode::OK,
        &RegisterPage {
            banner: Banner::load(&state, &staff).await?,
            listed: rows.into_iter().map(|(_, l)| l).collect(),
            years: years
                .into_iter()
                .rev()
                .map(|(y, (n, i))| (y, n, i))
                .collect(),
        },
    ))
}

/// `GET /breaches.csv`: the register as a CSV file.
pub(crate) async fn csv(State(state): State<AppState>, staff: Staff) -> Result<Response, WebError> {
    staff
        .require(
            &state,
            Right::WorkCases,
            &crate::cases::target(CaseKind::Breach),
        )
        .await?;
    let rows = register(&state).await?;
    let body = custos_domain::csvfile::document(
        &[
            "Reference",
            "Became aware",
            "What happened",
            "Risk",
            "ICO",
            "People affected",
            "State",
        ],
        rows.iter().map(|(_, l)| {
            vec![
                l.reference.clone(),
                l.aware.clone(),
                l.summary.clone(),
                l.risk.clone(),
                l.ico.clone(),
                l.people.clone(),
                l.state.clone(),
            ]
        }),
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"custos-breach-register.csv\"".to_owned(),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}
