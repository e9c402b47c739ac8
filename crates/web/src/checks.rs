//! The supervisor's checks on the web (BDC-18): one page listing, for each control-room
//! book the signed-in person countersigns, what it waits for today — incidents without an
//! outcome or countersignature, visits to countersign, visitors still signed in — each
//! linked to its entry, when the book was last checked and by whom, and the form that marks
//! a book checked (ledgered in that book).
//!
//! Invariants:
//! - Only books whose `[books.ID] countersign` roles include the person's are shown or may
//!   be marked checked; the store decides again (`Store::record_book_checked`).
//! - Handlers parse, call one store method through [`mark_checked`] (shared with the API,
//!   `api::checks`), and redirect.
//! - Pages show people by name and entries by their references, never internal ids.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use custos_base::UnixMs;
use custos_domain::checks::{BookCheck, Checked};
use custos_domain::ledger::Book;
use custos_domain::policy::KEPT_BOOKS;
use serde::Deserialize;

use crate::AppState;
use crate::auth::Staff;
use crate::error::WebError;
use crate::forms::ListForm;
use crate::pages::render;
use crate::staff::Banner;

/// The books `staff` countersigns, and so checks, in the pack's book order.
pub(crate) fn books_checked_by(staff: &Staff) -> Vec<Book> {
    KEPT_BOOKS
        .into_iter()
        .filter(|b| staff.book_role(*b, true).is_ok())
        .collect()
}

/// Refuses, with the reason, unless `staff` countersigns some control-room book.
pub(crate) fn require_checker(staff: &Staff) -> Result<Vec<Book>, WebError> {
    let books = books_checked_by(staff);
    if books.is_empty() {
        return Err(WebError::Forbidden(
            "The checks are for those whose role countersigns a control-room book under the scheme's policy pack, and yours countersigns none."
                .to_owned(),
        ));
    }
    Ok(books)
}

/// Reads a book's id as a path gives it (`incident`, `video-prints`…).
pub(crate) fn book_of(id: &str) -> Result<Book, WebError> {
    id.parse::<Book>()
        .ok()
        .filter(|b| KEPT_BOOKS.contains(b))
        .ok_or_else(|| {
            WebError::Store(custos_store::StoreError::NotFound(format!(
                "{id:?} is not one of the control room's books: {}",
                KEPT_BOOKS.map(Book::as_str).join(", ")
            )))
        })
}

/// Marks `book` checked now as `staff`: the one way the page and the API do (the store
/// checks the countersigning role).
pub(crate) async fn mark_checked(
    state: &AppState,
    staff: &Staff,
    book: Book,
) -> Result<Checked, WebError> {
    staff
        .book_role(book, true)
        .map_err(|why| WebError::Forbidden(format!("{why}.")))?;
    Ok(state
        .store
        .record_book_checked(&staff.actor(), &staff.info.subject, book)
        .await?)
}

/// The page's address for an entry of `book`.
pub(crate) fn entry_href(book: Book, reference: &str) -> Option<String> {
    match book {
        Book::Incident => Some(format!("/incidents/{reference}")),
        Book::Visitors => Some(format!("/visitors/{reference}")),
        Book::Deployment => Some(format!("/deployments/{reference}")),
        Book::Maintenance if reference.starts_with("FLT-") => {
            Some(format!("/maintenance/{reference}"))
        }
        Book::Maintenance => Some("/maintenance".to_owned()),
        Book::VideoPrints => Some(format!("/prints/{reference}")),
        _ => None,
    }
}

/// The page of a book's own log.
fn book_href(book: Book) -> Option<&'static str> {
    match book {
        Book::Incident => Some("/incidents"),
        Book::Visitors => Some("/visitors"),
        Book::Deployment => Some("/deployments"),
        Book::Maintenance => Some("/maintenance"),
        Book::VideoPrints => Some("/prints"),
        Book::Equipment => Some("/equipment"),
        Book::Bwv => Some("/bodyworn"),
        _ => None,
    }
}

struct ItemView {
    words: String,
    href: Option<String>,
    since: String,
    overdue: bool,
}

struct BookView {
    id: &'static str,
    title: &'static str,
    href: Option<&'static str>,
    items: Vec<ItemView>,
    last: String,
}

#[derive(Template)]
#[template(path = "checks.html")]
struct ChecksPage {
    banner: Banner,
    books: Vec<BookView>,
    waiting: usize,
}

/// "Last checked on … by …, with N things waiting", or that it never was.
pub(crate) fn last_checked_words(
    c: Option<&Checked>,
    names: &custos_domain::ledger::Names,
) -> String {
    match c {
        None => "Not checked yet.".to_owned(),
        Some(c) => format!(
            "Last checked {} by {} as {}, with {} waiting.",
            UnixMs(c.at_unix_ms).to_london_display(),
            names.actor(&c.by),
            custos_domain::role::role_words(&c.role),
            match c.open_items {
                0 => "nothing".to_owned(),
                1 => "one thing".to_owned(),
                n => format!("{n} things"),
            }
        ),
    }
}

fn view(check: &BookCheck, names: &custos_domain::ledger::Names) -> BookView {
    BookView {
        id: check.book.as_str(),
        title: check.book.title(),
        href: book_href(check.book),
        items: check
            .items
            .iter()
            .map(|i| ItemView {
                words: i.words(),
                href: entry_href(i.book, &i.reference),
                since: UnixMs(i.since_unix_ms).to_london_display(),
                overdue: i.overdue,
            })
            .collect(),
        last: last_checked_words(check.last_checked.as_ref(), names),
    }
}

/// `GET /checks`: what each book the person countersigns waits for, and its "checked".
pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, WebError> {
    let books = require_checker(&staff)?;
    let names = crate::staff::names(&state).await?;
    let mut views = Vec::new();
    for b in books {
        views.push(view(&state.store.book_check(b).await?, &names));
    }
    let waiting = views.iter().map(|v| v.items.len()).sum();
    Ok(render(
        StatusCode::OK,
        &ChecksPage {
            banner: Banner::load(&state, &staff).await?,
            books: views,
            waiting,
        },
    ))
}

/// The form that marks a book checked.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CheckedForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /checks/{book}`: marks the book checked.
pub(crate) async fn checked(
    State(state): State<AppState>,
    staff: Staff,
    Path(book): Path<String>,
    ListForm(f): ListForm<CheckedForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    require_checker(&staff)?;
    let book = book_of(&book)?;
    mark_checked(&state, &staff, book).await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/checks#book-{}", book.as_str()),
        "book-checked",
    ))
    .into_response())
}
