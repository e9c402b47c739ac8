//! Operators' working times and event logs on the web (BDC-36): the Shifts page — each
//! spell on duty, from signing on to signing off, newest first — and one shift's page,
//! everything the person did in it read from the ledger (every entry they made between
//! signing on and signing off, each in a sentence), so a supervisor reads one operator's
//! shift as one page, and its CSV.
//!
//! Invariants:
//! - A person reads their own shifts; those holding `read-logbooks` read everyone's. The
//!   refusal says so.
//! - Nothing here changes anything: the shift is the duty roster, the events are the ledger
//!   (`Store::shift_entries`), never a copy that could differ from it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use custos_base::UnixMs;
use custos_domain::access::Right;
use custos_domain::ledger::StoredEntry;
use custos_store::Shift;

use crate::AppState;
use crate::auth::Staff;
use crate::error::WebError;
use crate::pages::render;
use crate::staff::{Banner, names};

/// How many shifts the Shifts page lists.
const SHIFTS_LISTED: i64 = 100;

/// Whether `staff` reads everyone's shifts, not only their own.
fn reads_all(staff: &Staff) -> bool {
    staff.holds(Right::ReadLogbooks)
}

/// Refuses, saying why, unless `staff` may read `username`'s shifts.
fn require_read(staff: &Staff, username: &str) -> Result<(), WebError> {
    if staff.info.subject.username == username || reads_all(staff) {
        Ok(())
    } else {
        Err(WebError::Forbidden(
            "You may read your own shifts; other people's are read by those who read the logbooks."
                .to_owned(),
        ))
    }
}

/// A shift in a list.
struct ShiftRow {
    who: String,
    on: String,
    off: String,
    link: String,
}

fn link(s: &Shift) -> String {
    format!("/shifts/{}/{}", s.username, s.on_at_unix_ms)
}

fn off_words(s: &Shift) -> String {
    s.off_at_unix_ms
        .map_or_else(|| "on duty now".to_owned(), |t| UnixMs(t).to_london_long())
}

#[derive(Template)]
#[template(path = "shifts.html")]
struct ShiftsPage {
    banner: Banner,
    everyone: bool,
    shifts: Vec<ShiftRow>,
}

/// `GET /shifts`: the latest shifts — everyone's for those who read the logbooks, otherwise
/// the person's own.
pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, WebError> {
    let everyone = reads_all(&staff);
    let whose = (!everyone).then_some(staff.info.subject.username.as_str());
    let names = names(&state).await?;
    let shifts = state
        .store
        .shifts(whose, SHIFTS_LISTED)
        .await?
        .iter()
        .map(|s| ShiftRow {
            who: names.person(&s.username),
            on: UnixMs(s.on_at_unix_ms).to_london_long(),
            off: off_words(s),
            link: link(s),
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &ShiftsPage {
            banner: Banner::load(&state, &staff).await?,
            everyone,
            shifts,
        },
    ))
}

/// An event of a shift.
struct EventRow {
    at: String,
    book: &'static str,
    sentence: String,
}

/// The shift of `username` that started at `on` and what was done in it, or 404.
async fn load(
    state: &AppState,
    staff: &Staff,
    username: &str,
    on: &str,
) -> Result<(Shift, Vec<StoredEntry>), WebError> {
    require_read(staff, username)?;
    let on: i64 = on.parse().map_err(|_| {
        WebError::Store(custos_store::StoreError::NotFound(format!(
            "there is no shift starting at {on:?}"
        )))
    })?;
    let shift = state
        .store
        .shift_at(username, Some(on))
        .await?
        .filter(|s| s.on_at_unix_ms == on)
        .ok_or_else(|| {
            WebError::Store(custos_store::StoreError::NotFound(
                "there is no such shift; the Shifts page lists them".to_owned(),
            ))
        })?;
    let entries = state.store.shift_entries(&shift).await?;
    Ok((shift, entries))
}

fn events(entries: &[StoredEntry], names: &custos_domain::ledger::Names) -> Vec<EventRow> {
    entries
        .iter()
        .map(|e| EventRow {
            at: UnixMs(e.at_unix_ms).to_london_long(),
            book: e
                .book
                .parse::<custos_domain::ledger::Book>()
                .map_or("", |b| b.title()),
            sentence: crate::staff::sentence(e, names),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "shift.html")]
struct ShiftPage {
    banner: Banner,
    who: String,
    on: String,
    off: String,
    events: Vec<EventRow>,
    csv_link: String,
}

/// `GET /shifts/{username}/{on}`: one shift as one page — when the person signed on and
/// off and everything they did in between, each in a sentence.
pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path((username, on)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (shift, entries) = load(&state, &staff, &username, &on).await?;
    let names = names(&state).await?;
    Ok(render(
        StatusCode::OK,
        &ShiftPage {
            banner: Banner::load(&state, &staff).await?,
            who: names.person(&shift.username),
            on: UnixMs(shift.on_at_unix_ms).to_london_long(),
            off: off_words(&shift),
            events: events(&entries, &names),
            csv_link: format!("{}/log.csv", link(&shift)),
        },
    ))
}

/// `GET /shifts/{username}/{on}/log.csv`: the shift's events as CSV (when, logbook, what).
pub(crate) async fn csv(
    State(state): State<AppState>,
    staff: Staff,
    Path((username, on)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (shift, entries) = load(&state, &staff, &username, &on).await?;
    let names = names(&state).await?;
    let rows: Vec<Vec<String>> = events(&entries, &names)
        .into_iter()
        .map(|e| vec![e.at, e.book.to_owned(), e.sentence])
        .collect();
    let body = custos_domain::csvfile::document(
        &["When".to_owned(), "Logbook".to_owned(), "What".to_owned()],
        &rows,
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"custos-shift-{}-{}.csv\"",
                    shift.username, shift.on_at_unix_ms
                ),
            ),
        ],
        body,
    )
        .into_response())
}
