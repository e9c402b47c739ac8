//! The Start page: what needs the signed-in person today, by the rights their roles give —
//! cases due or overdue, downloads waiting for their authorisation (ALT-8), open camera
//! faults, visits to the control room awaiting a countersignature past the end of the shift
//! (BDC-18), holds about to end, cameras not recording, footage kept past its limit and the
//! ledger's state — each with a count, a sentence and a link to where it is dealt with;
//! rights held back for now; and, for those who read the logbooks, charts of recording,
//! requests answered in time and footage kept against the retention limits.
//!
//! Invariants: an item shows only to someone holding the right to deal with it; people and
//! cameras are named by their names, never their internal ids; urgency (amber, red) comes
//! from the same rules as the pages where things are dealt with (`cases::due` for
//! deadlines); every figure comes from a bounded store query (`store::overview`); charts
//! are server-rendered SVG with their figures beside them ([`crate::charts`]).

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use custos_base::UnixMs;
use custos_domain::Ident;
use custos_domain::access::{Denial, Right, Target, decide};
use custos_domain::case::Timeliness;

use crate::AppState;
use crate::auth::Staff;
use crate::charts::{BarChart, Colour, Series};
use crate::error::WebError;
use crate::pages::render;
use crate::staff::Banner;

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;
/// Holds ending within this are an item.
const HOLDS_WITHIN_DAYS: i64 = 7;
/// A camera recording around the clock with no footage this recent is not recording.
const RECENT_FOOTAGE_MS: i64 = 10 * MINUTE_MS;
/// A failure that is no fault of the request (the time zone database, a time out of range).
fn internal(e: impl std::fmt::Display) -> WebError {
    WebError::Store(custos_store::StoreError::Corrupt(e.to_string()))
}

pub(crate) const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// One thing that needs the person: a count, a sentence, and links to where it is dealt
/// with.
pub(crate) struct Todo {
    /// The item's id on the page (`todo-…`).
    id: &'static str,
    /// `""`, `"amber"` or `"red"`.
    urgency: &'static str,
    count: usize,
    /// The sentence, after the count.
    text: String,
    /// Where it is dealt with: (path, words).
    links: Vec<(String, String)>,
}

/// The ledger's state, for those who read the logbooks.
struct LedgerState {
    /// `green`, `amber` or `red`.
    tag: &'static str,
    /// The tag's word.
    word: &'static str,
    /// In sentences.
    text: String,
}

#[derive(Template)]
#[template(path = "start.html")]
struct StartPage {
    banner: Banner,
    todo: Vec<Todo>,
    /// Cameras whose recording is paused for lack of disk space: (camera's name, since,
    /// why), an alarm.
    paused: Vec<(String, String, String)>,
    /// Rights the person's roles give but that are held back now, and why (no licence in
    /// date, training not recorded, no licensed operator on duty for a trainee).
    held_back: Vec<String>,
    ledger: Option<LedgerState>,
    /// The charts as HTML (built and escaped by [`crate::charts`]).
    charts: Vec<String>,
    /// What the person may do here, each right in words.
    rights: Vec<&'static str>,
}

/// `n` with the singular or plural words.
fn count_words(n: usize, one: &str, many: &str) -> String {
    if n == 1 { one } else { many }.to_owned()
}

/// `items` joined as a list in words: "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `GET /start`: what needs the signed-in person today, and what they may do here.
pub(crate) async fn start(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, WebError> {
    let page = load(&state, &staff).await?;
    Ok(render(StatusCode::OK, &page))
}

async fn load(state: &AppState, staff: &Staff) -> Result<StartPage, WebError> {
    let now = state.store.clock().now().0;
    let reader = staff.may(Right::ReadLogbooks, &Target::Scheme);
    let watches_cameras = staff.holds(Right::ManageCameras) || staff.holds(Right::ReadLogbooks);
    let mut todo = Vec::new();

    if staff.holds(Right::WorkCases) {
        todo.extend(cases_due(state, staff).await?);
    }
    // BDC-16: a covert authorisation past its expiry without renewal or cancellation.
    if staff.may(
        Right::WorkCases,
        &crate::cases::target(custos_domain::case::CaseKind::Covert),
    ) {
        todo.extend(covert_expired(state).await?);
    }
    todo.extend(covert_notices(state, staff, now).await?);
    // BDC-25: a period of police control running now.
    if staff.may(
        Right::WorkCases,
        &crate::cases::target(custos_domain::case::CaseKind::PoliceControl),
    ) {
        todo.extend(police_control(state).await?);
    }
    // BDC-18: visits awaiting a countersignature past the end of the shift, on the Start
    // page of those who countersign the visitors' log.
    let refs = crate::visitors::awaiting_countersignature(state, staff).await?;
    if !refs.is_empty() {
        let n = refs.len();
        todo.push(Todo {
            id: "visits-countersign",
            urgency: "amber",
            count: n,
            text: format!(
                "{} to the control room {} a countersignature past the end of the shift ({} hours after the visitor came in): {}.",
                count_words(n, "visit", "visits"),
                count_words(n, "awaits", "await"),
                custos_domain::visitors::COUNTERSIGN_WITHIN_HOURS,
                and_list(&refs)
            ),
            links: vec![(
                "/visitors".to_owned(),
                "Open the visitors' log".to_owned(),
            )],
        });
    }
    // ALT-8: downloads wait on the Start page of those who can authorise them.
    if staff.holds(Right::AuthoriseDownload) {
        todo.extend(to_authorise(state, staff).await?);
    }
    let cameras: HashMap<Ident, (String, bool, bool)> =
        if watches_cameras || staff.holds(Right::ManageHolds) {
            state
                .store
                .cameras(true)
                .await?
                .into_iter()
                .map(|c| {
                    let continuous = c.draft.mode == custos_domain::RecordingMode::Continuous;
                    (c.id, (c.draft.name, c.retired, continuous))
                })
                .collect()
        } else {
            HashMap::new()
        };
    let name = |id: &Ident| {
        cameras.get(id).map_or_else(
            || "a camera no longer in the register".to_owned(),
            |c| c.0.clone(),
        )
    };
    let camera_link = if staff.holds(Right::ManageCameras) {
        ("/cameras".to_owned(), "Open the camera register".to_owned())
    } else {
        (
            "/logbooks?book=maintenance".to_owned(),
            "Read the maintenance log".to_owned(),
        )
    };
    let mut paused = Vec::new();
    if watches_cameras {
        let faults = state.store.open_faults().await?;
        if !faults.is_empty() {
            let named: Vec<String> = faults
                .iter()
                .map(|(c, since, _)| {
                    format!(
                        "{} (down since {})",
                        name(c),
                        UnixMs(*since).to_london_display()
                    )
                })
                .collect();
            todo.push(Todo {
                id: "faults",
                urgency: "red",
                count: faults.len(),
                text: format!(
                    "{} open in the maintenance log: {}.",
                    count_words(faults.len(), "fault is", "faults are"),
                    and_list(&named)
                ),
                links: vec![camera_link.clone()],
            });
        }
        let paused_now = state.store.paused_cameras().await?;
        let newest = state.store.newest_footage().await?;
        // The recorder's own word first: frames arriving in the last minute on the main
        // stream is recording, even before its first segment has closed.
        let health = state.store.health().await?;
        let receiving = |c: &custos_domain::Ident| {
            health.iter().any(|h| {
                h.camera == *c
                    && h.stream == "main"
                    && h.state == "recording"
                    && h.last_frame_unix_ms.is_some_and(|t| t >= now - 60_000)
            })
        };
        let mut silent: Vec<String> = Vec::new();
        for (c, since, why) in &paused_now {
            paused.push((name(c), UnixMs(*since).to_london_display(), why.clone()));
            silent.push(format!(
                "{} (paused since {})",
                name(c),
                UnixMs(*since).to_london_display()
            ));
        }
        for (c, last) in &newest {
            let Some((camera, retired, continuous)) = cameras.get(c) else {
                continue;
            };
            if *retired || !*continuous || paused_now.iter().any(|(p, _, _)| p == c) || receiving(c)
            {
                continue;
            }
            match last {
                Some(t) if *t >= now - RECENT_FOOTAGE_MS => {}
                Some(t) => silent.push(format!(
                    "{camera} (no footage since {})",
                    UnixMs(*t).to_london_display()
                )),
                None => silent.push(format!("{camera} (nothing recorded yet)")),
            }
        }
        if !silent.is_empty() {
            todo.push(Todo {
                id: "not-recording",
                urgency: "red",
                count: silent.len(),
                text: format!(
                    "{} not recording: {}.",
                    count_words(silent.len(), "camera is", "cameras are"),
                    and_list(&silent)
                ),
                links: vec![camera_link.clone()],
            });
        }
    }
    if staff.holds(Right::ManageHolds) || staff.holds(Right::ReadLogbooks) {
        let ending = state
            .store
            .holds_ending_before(now + HOLDS_WITHIN_DAYS * DAY_MS)
            .await?;
        if !ending.is_empty() {
            let named: Vec<String> = ending
                .iter()
                .map(|h| {
                    let of: Vec<String> = h.cameras.iter().map(&name).collect();
                    format!(
                        "footage of {} kept for {} ends on {}",
                        and_list(&of),
                        h.case_ref
                            .as_deref()
                            .map_or_else(|| format!("\u{201c}{}\u{201d}", h.reason), str::to_owned),
                        UnixMs(h.expires_at_unix_ms).to_london_display()
                    )
                })
                .collect();
            todo.push(Todo {
                id: "holds",
                urgency: "amber",
                count: ending.len(),
                text: format!(
                    "{} within {HOLDS_WITHIN_DAYS} days: {}.",
                    count_words(ending.len(), "hold ends", "holds end"),
                    named.join("; ")
                ),
                links: vec![(
                    "/retention".to_owned(),
                    "Open the retention page".to_owned(),
                )],
            });
        }
    }
    let (ledger, charts) = if reader {
        let report = state.store.retention_report(now).await?;
        let flagged: Vec<String> = report
            .iter()
            .filter(|r| r.flagged())
            .map(|r| r.name.clone())
            .collect();
        if !flagged.is_empty() {
            todo.push(Todo {
                id: "retention",
                urgency: "red",
                count: flagged.len(),
                text: format!(
                    "{} footage past {} limit: {}.",
                    count_words(flagged.len(), "camera keeps", "cameras keep"),
                    count_words(flagged.len(), "its", "their"),
                    and_list(&flagged)
                ),
                links: vec![(
                    "/retention".to_owned(),
                    "Open the retention report".to_owned(),
                )],
            });
        }
        let (ledger, item) = ledger_state(state).await?;
        todo.extend(item);
        let in_service = cameras.values().filter(|c| !c.1).count();
        let charts = vec![
            recording_hours(state, now, in_service).await?.html(),
            recording_days(state, now, in_service).await?.html(),
            requests_in_time(state, now).await?.html(),
            retention_kept(now, &report).html(),
        ];
        (Some(ledger), charts)
    } else {
        (None, Vec::new())
    };

    let rights = Right::ALL
        .iter()
        .filter(|r| staff.holds(**r))
        .map(|r| r.describe())
        .collect();
    let mut held_back: Vec<String> = Vec::new();
    for r in Right::ALL {
        if let Err(
            d @ (Denial::LicenceMissing { .. }
            | Denial::NoLicensedOperatorOnDuty { .. }
            | Denial::TrainingMissing { .. }),
        ) = decide(&staff.table, &staff.info.subject, *r, &Target::Scheme)
        {
            let why = crate::staff::capitalise(&d.to_string());
            if !held_back.contains(&why) {
                held_back.push(why);
            }
        }
    }
    Ok(StartPage {
        banner: Banner::load(state, staff).await?,
        todo,
        paused,
        held_back,
        ledger,
        charts,
        rights,
    })
}

/// The open cases this person may work that are overdue (red) or due within the warning
/// window (amber), as the cases dashboard colours them.
async fn cases_due(state: &AppState, staff: &Staff) -> Result<Vec<Todo>, WebError> {
    let Some(policy) = state.store.active_policy().await? else {
        return Ok(Vec::new());
    };
    let mut overdue = Vec::new();
    let mut soon = Vec::new();
    for c in state.store.cases(false).await? {
        if !staff.may(Right::WorkCases, &crate::cases::target(c.kind)) {
            continue;
        }
        match crate::cases::due(state, &policy.pack, &c).1 {
            "red" => overdue.push(c.reference),
            "amber" => soon.push(c.reference),
            _ => {}
        }
    }
    let link = || vec![("/cases".to_owned(), "Open the cases".to_owned())];
    let mut out = Vec::new();
    if !overdue.is_empty() {
        out.push(Todo {
            id: "overdue",
            urgency: "red",
            count: overdue.len(),
            text: format!(
                "{} overdue: {}.",
                count_words(overdue.len(), "case is", "cases are"),
                and_list(&overdue)
            ),
            links: link(),
        });
    }
    if !soon.is_empty() {
        out.push(Todo {
            id: "due-soon",
            urgency: "amber",
            count: soon.len(),
            text: format!(
                "{} due within {} working days: {}.",
                count_words(soon.len(), "case is", "cases are"),
                crate::cases::WARNING_WORKING_DAYS,
                and_list(&soon)
            ),
            links: link(),
        });
    }
    Ok(out)
}

/// The covert authorisations past their expiry with neither a renewal nor a cancellation:
/// an alarm until the cancellation is recorded (BDC-16).
async fn covert_expired(state: &AppState) -> Result<Option<Todo>, WebError> {
    let expired = state.store.covert_alarms().await?;
    if expired.is_empty() {
        return Ok(None);
    }
    let refs: Vec<String> = expired.iter().map(|c| c.reference.clone()).collect();
    Ok(Some(Todo {
        id: "covert-expired",
        urgency: "red",
        count: refs.len(),
        text: format!(
            "{} expired without a renewal or a cancellation: {}. Any covert recording under {} must stop, and the authorising officer must record the cancellation.",
            count_words(
                refs.len(),
                "covert surveillance authorisation",
                "covert surveillance authorisations"
            ),
            and_list(&refs),
            if refs.len() == 1 { "it" } else { "them" }
        ),
        links: refs
            .iter()
            .map(|r| (format!("/cases/{r}"), format!("Open {r}")))
            .collect(),
    }))
}

/// The periods of police control running now (BDC-25), each linked to its case.
async fn police_control(state: &AppState) -> Result<Option<Todo>, WebError> {
    let running = state.store.police_control_running().await?;
    if running.is_empty() {
        return Ok(None);
    }
    Ok(Some(Todo {
        id: "police-control",
        urgency: "amber",
        count: running.len(),
        text: running
            .iter()
            .map(|p| {
                format!(
                    "{} ({}). Record what is done at the police's direction as notes on the case, and the hand-back when it comes.",
                    crate::police_control::status_words(p).trim_end_matches('.'),
                    p.reference
                )
            })
            .collect::<Vec<_>>()
            .join(" "),
        links: running
            .iter()
            .map(|p| (format!("/cases/{}", p.reference), format!("Open {}", p.reference)))
            .collect(),
    }))
}

/// What this person was told as a member of a covert authorisation's team in the last 14
/// days (a cancellation).
async fn covert_notices(
    state: &AppState,
    staff: &Staff,
    now: i64,
) -> Result<Option<Todo>, WebError> {
    let notices = state
        .store
        .covert_notices_for(&staff.info.subject.username, now - 14 * 86_400_000)
        .await?;
    if notices.is_empty() {
        return Ok(None);
    }
    Ok(Some(Todo {
        id: "covert-notices",
        urgency: "amber",
        count: notices.len(),
        text: notices
            .iter()
            .map(|n| n.message.clone())
            .collect::<Vec<_>>()
            .join(" "),
        links: Vec::new(),
    }))
}

/// Downloads waiting for an authorisation this person could give, each linked to its page.
async fn to_authorise(state: &AppState, staff: &Staff) -> Result<Option<Todo>, WebError> {
    let waiting = state
        .store
        .downloads_to_authorise(&staff.info.subject)
        .await?;
    if waiting.is_empty() {
        return Ok(None);
    }
    let people: HashMap<String, String> = state
        .store
        .users()
        .await?
        .into_iter()
        .map(|u| (format!("user:{}", u.username), u.display_name))
        .collect();
    let links = waiting
        .iter()
        .map(|d| {
            let by = people
                .get(&d.requested_by)
                .cloned()
                .unwrap_or_else(|| d.request.requester.clone());
            (
                format!("/downloads/{}", d.id),
                format!(
                    "exhibit {}, asked for by {by} on {}",
                    d.request.exhibit,
                    UnixMs(d.requested_at_unix_ms).to_london_display()
                ),
            )
        })
        .collect();
    Ok(Some(Todo {
        id: "to-authorise",
        urgency: "amber",
        count: waiting.len(),
        text: format!(
            "{} for your authorisation:",
            count_words(waiting.len(), "download waits", "downloads wait")
        ),
        links,
    }))
}

/// The ledger's last verification and its witnesses, and an item when they need someone.
async fn ledger_state(state: &AppState) -> Result<(LedgerState, Option<Todo>), WebError> {
    let verification = state.store.latest_verification().await?;
    let witnesses = state.store.witness_problems().await?;
    let suspended = state.store.signing_suspended();
    let link = || {
        vec![(
            "/logbooks?book=system".to_owned(),
            "Read the system log".to_owned(),
        )]
    };
    let witness_text = if witnesses.is_empty() {
        "Every witness takes the ledger's checkpoints.".to_owned()
    } else {
        format!(
            "{} cannot be written: {}.",
            count_words(witnesses.len(), "A witness", "Witnesses"),
            and_list(
                &witnesses
                    .iter()
                    .map(|w| w.target.clone())
                    .collect::<Vec<_>>()
            )
        )
    };
    let (tag, word, said, item) = match &verification {
        Some(v) if !v.intact => (
            "red",
            "failed",
            format!(
                "The last verification, at {}, found the ledger damaged.",
                UnixMs(v.at_unix_ms).to_london_display()
            ),
            Some(Todo {
                id: "ledger",
                urgency: "red",
                count: 1,
                text: format!(
                    "ledger verification failed, at {}: keep the database as it is and tell the scheme's DPO.",
                    UnixMs(v.at_unix_ms).to_london_display()
                ),
                links: link(),
            }),
        ),
        Some(v) => (
            "green",
            "intact",
            format!(
                "Verified at {}: {} entries intact.",
                UnixMs(v.at_unix_ms).to_london_display(),
                v.entries
            ),
            None,
        ),
        None => (
            "amber",
            "not verified",
            "The ledger has not been verified yet.".to_owned(),
            None,
        ),
    };
    let mut item = item;
    if item.is_none() && (!witnesses.is_empty() || suspended.is_some()) {
        item = Some(Todo {
            id: "ledger",
            urgency: "red",
            count: witnesses.len().max(1),
            text: match &suspended {
                Some(why) => format!("the ledger is not being signed: {why}."),
                None => format!(
                    "{} of the ledger cannot be written.",
                    count_words(witnesses.len(), "witness", "witnesses")
                ),
            },
            links: link(),
        });
    }
    let (tag, word) = if witnesses.is_empty() && suspended.is_none() {
        (tag, word)
    } else {
        ("red", "not witnessed")
    };
    Ok((
        LedgerState {
            tag,
            word,
            text: format!("{said} {witness_text}"),
        },
        item,
    ))
}

/// Cameras with footage in each of the last 24 hours, UK time.
async fn recording_hours(
    state: &AppState,
    now: i64,
    in_service: usize,
) -> Result<BarChart, WebError> {
    let hours = 24;
    let from = (now.div_euclid(HOUR_MS) - (hours as i64 - 1)) * HOUR_MS;
    let counts = state.store.cameras_recorded_per_hour(from, hours).await?;
    let tz = custos_domain::calendar::uk_time_zone().map_err(internal)?;
    let categories = (0..hours)
        .map(|h| {
            jiff::Timestamp::from_millisecond(from + h as i64 * HOUR_MS)
                .map(|t| t.to_zoned(tz.clone()).strftime("%H:00").to_string())
                .unwrap_or_default()
        })
        .collect();
    Ok(BarChart {
        id: "chart-hours".to_owned(),
        title: "Cameras recording, each hour of the last 24".to_owned(),
        caption: format!(
            "How many cameras recorded footage in each hour of the last 24 (UK time), out of {in_service} in service."
        ),
        category_label: "Hour (UK time)".to_owned(),
        value_label: "Cameras".to_owned(),
        categories,
        series: vec![Series {
            name: "Cameras recording".to_owned(),
            colour: Colour::Blue,
        }],
        values: counts.into_iter().map(|c| vec![u64::from(c)]).collect(),
        stacked: false,
        axis_max: Some(in_service as u64),
        empty: "No camera recorded in the last 24 hours.".to_owned(),
    })
}

/// Cameras with footage on each of the last 30 UK days.
async fn recording_days(
    state: &AppState,
    now: i64,
    in_service: usize,
) -> Result<BarChart, WebError> {
    let today = jiff::Timestamp::from_millisecond(now)
        .map_err(internal)
        .and_then(|t| custos_domain::calendar::uk_day(t).map_err(internal))?;
    let days: Vec<jiff::civil::Date> = (0..30)
        .rev()
        .filter_map(|back| today.checked_sub(jiff::Span::new().days(back)).ok())
        .collect();
    let first = days.first().copied().unwrap_or(today).to_string();
    let counts: HashMap<String, u32> = state
        .store
        .cameras_recorded_per_day(&first, &today.to_string())
        .await?
        .into_iter()
        .collect();
    Ok(BarChart {
        id: "chart-days".to_owned(),
        title: "Cameras recording, each of the last 30 days".to_owned(),
        caption: format!(
            "How many cameras recorded footage on each of the last 30 days, out of {in_service} in service; a day counts even when its footage has since been deleted."
        ),
        category_label: "Day".to_owned(),
        value_label: "Cameras".to_owned(),
        categories: days
            .iter()
            .map(|d| {
                format!(
                    "{} {}",
                    d.day(),
                    MONTHS[usize::try_from(d.month() - 1).unwrap_or(0)]
                )
            })
            .collect(),
        series: vec![Series {
            name: "Cameras recording".to_owned(),
            colour: Colour::Blue,
        }],
        values: days
            .iter()
            .map(|d| vec![u64::from(counts.get(&d.to_string()).copied().unwrap_or(0))])
            .collect(),
        stacked: false,
        axis_max: Some(in_service as u64),
        empty: "No camera recorded in the last 30 days.".to_owned(),
    })
}

/// Requests received in each of the last 12 months, answered in time, late, or still open.
async fn requests_in_time(state: &AppState, now: i64) -> Result<BarChart, WebError> {
    let tz = custos_domain::calendar::uk_time_zone().map_err(internal)?;
    let this_month = jiff::Timestamp::from_millisecond(now)
        .map_err(internal)?
        .to_zoned(tz.clone())
        .date()
        .first_of_month();
    let months: Vec<jiff::civil::Date> = (0..12)
        .rev()
        .filter_map(|back| this_month.checked_sub(jiff::Span::new().months(back)).ok())
        .collect();
    let first = months.first().copied().unwrap_or(this_month);
    let since = first
        .to_zoned(tz.clone())
        .map_err(internal)?
        .timestamp()
        .as_millisecond();
    let mut values = vec![vec![0u64; 3]; months.len()];
    if let Some(policy) = state.store.active_policy().await? {
        // Without a calendar (its one-off holidays are wrong) no deadline can be worked
        // out: the chart is left empty, and the cases dashboard says why.
        let calendar = state.calendar(policy.pack.nation).ok();
        let timings = match calendar {
            Some(_) => state.store.case_timings(since).await?,
            None => Vec::new(),
        };
        for c in timings {
            let Some(calendar) = calendar.as_ref() else {
                break;
            };
            let Ok(Some(t)) = custos_domain::case::timeliness(
                c.kind,
                c.state,
                c.received_at_unix_ms,
                c.closed_at_unix_ms,
                &c.pauses,
                c.extended,
                &policy.pack,
                calendar,
                now,
            ) else {
                continue;
            };
            let received = jiff::Timestamp::from_millisecond(c.received_at_unix_ms)
                .map_err(internal)?
                .to_zoned(tz.clone())
                .date()
                .first_of_month();
            let Some(i) = months.iter().position(|m| *m == received) else {
                continue;
            };
            let j = match t {
                Timeliness::InTime => 0,
                Timeliness::Late => 1,
                Timeliness::Open => 2,
            };
            values[i][j] += 1;
        }
    }
    Ok(BarChart {
        id: "chart-requests".to_owned(),
        title: "Requests answered in time, each month of the last 12".to_owned(),
        caption: "Requests with a deadline (subject access and other rights requests, freedom of information requests, complaints, breaches) by the month they were received: answered in time, late (answered after the deadline, or still open past it), or still open.".to_owned(),
        category_label: "Month received".to_owned(),
        value_label: "Requests".to_owned(),
        categories: months
            .iter()
            .map(|m| format!("{} {}", MONTHS[usize::try_from(m.month() - 1).unwrap_or(0)], m.year()))
            .collect(),
        series: vec![
            Series {
                name: "In time".to_owned(),
                colour: Colour::Green,
            },
            Series {
                name: "Late".to_owned(),
                colour: Colour::Red,
            },
            Series {
                name: "Open".to_owned(),
                colour: Colour::Blue,
            },
        ],
        values,
        stacked: true,
        axis_max: None,
        empty: "No request with a deadline was received in the last 12 months.".to_owned(),
    })
}

/// Days of footage each camera in service keeps now, beside the days it may keep.
fn retention_kept(now: i64, report: &[custos_store::retention::CameraRetention]) -> BarChart {
    let cameras: Vec<_> = report.iter().filter(|r| !r.retired).collect();
    BarChart {
        id: "chart-retention".to_owned(),
        title: "Footage kept against each camera's limit".to_owned(),
        caption: "Whole days between each camera's oldest footage and now, beside the days the policy lets it keep footage.".to_owned(),
        category_label: "Camera".to_owned(),
        value_label: "Days".to_owned(),
        categories: cameras.iter().map(|r| r.name.clone()).collect(),
        series: vec![
            Series {
                name: "Kept now".to_owned(),
                colour: Colour::Blue,
            },
            Series {
                name: "Limit".to_owned(),
                colour: Colour::Grey,
            },
        ],
        values: cameras
            .iter()
            .map(|r| {
                let kept = r
                    .oldest_unix_ms
                    .map_or(0, |o| u64::try_from((now - o).max(0) / DAY_MS).unwrap_or(0));
                vec![kept, u64::from(r.retention_days)]
            })
            .collect(),
        stacked: false,
        axis_max: None,
        empty: "No camera is in service.".to_owned(),
    }
}
