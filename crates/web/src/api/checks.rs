//! The supervisor's checks under `/api/v1/checks` (BDC-18): what each control-room book
//! the caller countersigns waits for, and marking a book checked.
//!
//! Invariants: only the books whose `[books.ID] countersign` roles include the caller's are
//! listed or may be marked (as on the page, `crate::checks`), and the store asks again; a
//! check is a ledger entry in that book, written by the store.

use axum::Json;
use axum::extract::State;
use custos_base::UnixMs;
use custos_domain::checks::{BookCheck, Checked, Need};
use serde::Serialize;
use utoipa::ToSchema;

use super::{ApiError, Caller, ErrorBody, Segment};
use crate::AppState;
use crate::checks::{book_of, entry_href, mark_checked, require_checker};

/// One thing a book waits for.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckItemView {
    /// The entry's reference, e.g. INC-2026-0003.
    pub reference: String,
    /// What it waits for: `outcome`, `countersignature`, `signing-out`, `removal`, `signs`
    /// `signs-down`, `return`, `check`, `contractor`, `contractor-late`, `kept` or
    /// `destruction`.
    pub need: String,
    /// The item in words.
    pub words: String,
    /// When its matter happened: the incident, the visitor's arrival (RFC 3339).
    #[schema(format = DateTime)]
    pub since: String,
    /// Past the time it was due.
    pub overdue: bool,
    /// The entry's page.
    pub page: Option<String>,
}

/// The last check of a book.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckedView {
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub at: String,
    /// Who (the ledger's actor, e.g. `user:sup`).
    pub by: String,
    /// The pack role they checked it in.
    pub role: String,
    /// How many things the book was waiting for then.
    pub open_items: i64,
}

/// A book as its checker sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookCheckView {
    /// The book's id, e.g. `incident`, `visitors`.
    pub book: String,
    /// Its name for people.
    pub title: String,
    /// What it waits for, oldest first.
    pub items: Vec<CheckItemView>,
    /// Its last check; null if never.
    pub last_checked: Option<CheckedView>,
}

fn checked_view(c: &Checked) -> CheckedView {
    CheckedView {
        at: UnixMs(c.at_unix_ms).to_rfc3339(),
        by: c.by.clone(),
        role: c.role.clone(),
        open_items: c.open_items,
    }
}

fn view(c: &BookCheck) -> BookCheckView {
    BookCheckView {
        book: c.book.as_str().to_owned(),
        title: c.book.title().to_owned(),
        items: c
            .items
            .iter()
            .map(|i| CheckItemView {
                reference: i.reference.clone(),
                need: match i.need {
                    Need::Outcome => "outcome",
                    Need::Countersignature => "countersignature",
                    Need::SigningOut => "signing-out",
                    Need::Removal => "removal",
                    Need::Signs => "signs",
                    Need::SignsDown => "signs-down",
                    Need::Return => "return",
                    Need::Check => "check",
                    Need::Contractor => "contractor",
                    Need::ContractorLate => "contractor-late",
                    Need::Kept => "kept",
                    Need::Destruction => "destruction",
                }
                .to_owned(),
                words: i.words(),
                since: UnixMs(i.since_unix_ms).to_rfc3339(),
                overdue: i.overdue,
                page: entry_href(i.book, &i.reference),
            })
            .collect(),
        last_checked: c.last_checked.as_ref().map(checked_view),
    }
}

/// What each book the caller countersigns waits for.
#[utoipa::path(
    get,
    path = "/api/v1/checks",
    operation_id = "list_supervisor_checks",
    tag = "checks",
    responses(
        (status = 200, description = "Each book the caller checks, with what it waits for", body = [BookCheckView]),
        (status = 403, description = "The caller's role countersigns no control-room book", body = ErrorBody),
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    Caller(staff): Caller,
) -> Result<Json<Vec<BookCheckView>>, ApiError> {
    let mut out = Vec::new();
    for b in require_checker(&staff)? {
        out.push(view(&state.store.book_check(b).await?));
    }
    Ok(Json(out))
}

/// Marks a book checked now.
#[utoipa::path(
    post,
    path = "/api/v1/checks/{book}",
    operation_id = "mark_book_checked",
    tag = "checks",
    params(("book" = String, Path, description = "The book: incident, visitors, maintenance, video-prints, equipment, bwv or deployment")),
    responses(
        (status = 200, description = "The check, as recorded in the book", body = CheckedView),
        (status = 403, description = "The caller's role does not countersign that book, and why", body = ErrorBody),
        (status = 404, description = "Not one of the control room's books", body = ErrorBody),
    )
)]
pub(crate) async fn mark(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(book): Segment<String>,
) -> Result<Json<CheckedView>, ApiError> {
    require_checker(&staff)?;
    let book = book_of(&book)?;
    Ok(Json(checked_view(
        &mark_checked(&state, &staff, book).await?,
    )))
}
