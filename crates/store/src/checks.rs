//! The supervisor's checks (BDC-18): what each of the control room's books waits for from
//! those who countersign it, read from the books as they stand, and the "checked" a
//! supervisor records against a book (ledgered `book-checked` in that book).
//!
//! Invariants:
//! - Only a person whose role countersigns a book under the pack's `[books.ID]`
//!   (`access::book_role`) marks it checked; the store asks whoever calls (page, API or
//!   console).
//! - A check is a ledger entry and nothing else: the last one is read back from the ledger,
//!   so it can be neither changed nor lost apart from the ledger.
//! - Items are never stored: each is read from its book on request, so it goes away as
//!   soon as the entry no longer waits for anything.

use custos_base::Actor;
use custos_domain::Ident;
use custos_domain::access::{Subject, book_role};
use custos_domain::checks::{BookCheck, Checked, Item, Need, order};
use custos_domain::deployment::Standing;
use custos_domain::ledger::{Book, NewEntry};
use custos_domain::policy::KEPT_BOOKS;
use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::store::Store;

impl Store {
    /// The role in which `person` keeps `book` (or, with `countersign`, countersigns and
    /// checks it) under the active pack, or why not.
    pub async fn book_role(
        &self,
        person: &Subject,
        book: Book,
        countersign: bool,
    ) -> StoreResult<Ident> {
        let pack = self
            .active_policy()
            .await?
            .ok_or_else(|| StoreError::Invalid("no policy pack is loaded".to_owned()))?
            .pack;
        book_role(&pack.books, book, person, countersign).map_err(StoreError::Forbidden)
    }

    /// The books `person` countersigns, and so checks, in [`KEPT_BOOKS`] order.
    pub async fn books_to_check(&self, person: &Subject) -> StoreResult<Vec<Book>> {
        let Some(policy) = self.active_policy().await? else {
            return Ok(Vec::new());
        };
        Ok(KEPT_BOOKS
            .into_iter()
            .filter(|b| book_role(&policy.pack.books, *b, person, true).is_ok())
            .collect())
    }

    /// What `book` waits for now, oldest first, and when it was last checked.
    pub async fn book_check(&self, book: Book) -> StoreResult<BookCheck> {
        let now = self.clock().now().0;
        let mut items = Vec::new();
        match book {
            Book::Incident => {
                for i in self.incidents().await? {
                    let item = |need| Item {
                        book,
                        need,
                        reference: i.reference.clone(),
                        label: i.draft.place.clone(),
                        since_unix_ms: i.draft.occurred_at_unix_ms,
                        overdue: false,
                    };
                    if i.draft.is_open() {
                        items.push(item(Need::Outcome));
                    }
                    if i.countersigned.is_none() {
                        items.push(item(Need::Countersignature));
                    }
                }
            }
            Book::Visitors => {
                for v in self.visits_waiting().await? {
                    let d = v.current();
                    let item = |need, overdue| Item {
                        book,
                        need,
                        reference: v.reference.clone(),
                        label: if d.organisation.trim().is_empty() {
                            d.name.clone()
                        } else {
                            format!("{}, {}", d.name, d.organisation)
                        },
                        since_unix_ms: d.entered_at_unix_ms,
                        overdue,
                    };
                    if v.countersigned.is_none() {
                        items.push(item(Need::Countersignature, v.overdue(now)));
                    }
                    if v.in_room() {
                        items.push(item(Need::SigningOut, false));
                    }
                }
            }
            Book::Deployment => {
                let names: std::collections::BTreeMap<String, String> = self
                    .cameras(true)
                    .await?
                    .into_iter()
                    .map(|c| (c.id.to_string(), c.draft.name))
                    .collect();
                for d in self.deployments().await? {
                    let cur = d.current();
                    let item = |need, overdue| Item {
                        book,
                        need,
                        reference: d.reference.clone(),
                        label: format!(
                            "{} at {}",
                            names
                                .get(cur.camera.as_str())
                                .map_or(cur.camera.as_str(), String::as_str),
                            cur.place
                        ),
                        since_unix_ms: cur.from_unix_ms,
                        overdue,
                    };
                    match d.standing(now) {
                        Standing::Overdue => items.push(item(Need::Removal, true)),
                        Standing::SignsLeft => items.push(item(Need::SignsDown, false)),
                        Standing::Deployed if d.signs_up_unix_ms.is_none() => {
                            items.push(item(Need::Signs, false));
                        }
                        _ => {}
                    }
                }
            }
            Book::Maintenance => {
                use custos_domain::maintenance::Urgency;
                for c in self.cameras_maintenance(1).await? {
                    if c.due.urgency != Urgency::OnTime {
                        items.push(Item {
                            book,
                            need: Need::Check,
                            // A camera is named for people by its name, never its id.
                            reference: c.name.clone(),
                            label: format!(
                                "due {}",
                                custos_base::UnixMs(c.due.due_unix_ms).to_london_display()
                            ),
                            since_unix_ms: c.due.due_unix_ms,
                            overdue: c.due.urgency == Urgency::Overdue,
                        });
                    }
                }
                let times = self.maintenance_times().await?;
                for f in self.faults(crate::maintenance::FaultFilter::Open).await? {
                    let item = |need, overdue| Item {
                        book,
                        need,
                        reference: f.reference.clone(),
                        label: f.camera_name.clone(),
                        since_unix_ms: f.noticed_at_unix_ms,
                        overdue,
                    };
                    match f.contractor_state(&times, now) {
                        None if f.current().fix.is_none() => {
                            items.push(item(Need::Contractor, false));
                        }
                        Some(state) if state.urgency() != Urgency::OnTime => items.push(item(
                            Need::ContractorLate,
                            state.urgency() == Urgency::Overdue,
                        )),
                        _ => {}
                    }
                }
            }
            Book::VideoPrints => {
                for p in self.prints_awaiting_destruction().await? {
                    let given = p.current_given();
                    items.push(Item {
                        book,
                        need: if p.destruction_authorised.is_some() {
                            Need::Destruction
                        } else {
                            Need::Kept
                        },
                        reference: p.reference.clone(),
                        label: match given {
                            Some(g) => format!("{}, given to {}", p.source.camera_name, g.to),
                            None => p.source.camera_name.clone(),
                        },
                        since_unix_ms: p.made_at_unix_ms,
                        overdue: false,
                    });
                }
            }
            Book::Bwv => {
                for i in self.bwv_out().await? {
                    if i.overdue(now) {
                        items.push(Item {
                            book,
                            need: Need::Return,
                            reference: i.reference.clone(),
                            label: format!("{}, issued to {}", i.draft.device, i.draft.officer),
                            since_unix_ms: i.draft.issued_at_unix_ms,
                            overdue: true,
                        });
                    }
                }
            }
            _ => {}
        }
        order(&mut items);
        Ok(BookCheck {
            book,
            items,
            last_checked: self.last_book_check(book).await?,
        })
    }

    /// The last `book-checked` entry of `book`, if any.
    pub async fn last_book_check(&self, book: Book) -> StoreResult<Option<Checked>> {
        let get = StoreError::db("reading when a book was checked");
        let row = sqlx::query(
            "SELECT at_unix_ms, actor, body FROM ledger_entries \
             WHERE book = $1 AND kind = 'book-checked' ORDER BY at_unix_ms DESC, seq DESC LIMIT 1",
        )
        .bind(book.as_str())
        .fetch_optional(self.pool())
        .await
        .map_err(&get)?;
        let Some(row) = row else { return Ok(None) };
        let body: String = row.try_get(2).map_err(&get)?;
        let body: serde_json::Value = serde_json::from_str(&body)
            .map_err(|e| StoreError::Corrupt(format!("a book-checked entry's body: {e}")))?;
        Ok(Some(Checked {
            at_unix_ms: row.try_get(0).map_err(&get)?,
            by: row.try_get(1).map_err(&get)?,
            role: body["role"].as_str().unwrap_or_default().to_owned(),
            open_items: body["open_items"].as_i64().unwrap_or_default(),
        }))
    }

    /// Records that `person`, who countersigns `book`, has checked it now (ledgered
    /// `book-checked` in that book with the role and how many items were waiting).
    pub async fn record_book_checked(
        &self,
        actor: &Actor,
        person: &Subject,
        book: Book,
    ) -> StoreResult<Checked> {
        if !KEPT_BOOKS.contains(&book) {
            return Err(StoreError::Invalid(format!(
                "the {} is not one of the control room's books a supervisor checks",
                book.title().to_lowercase()
            )));
        }
        let role = self.book_role(person, book, true).await?;
        let open_items = i64::try_from(self.book_check(book).await?.items.len()).unwrap_or(0);
        let mut tx = self.write().await?;
        tx.record(
            actor,
            NewEntry::new(book, "book-checked")
                .with("book_title", book.title())
                .with("role", role.as_str())
                .with("open_items", open_items),
        );
        tx.commit().await?;
        self.last_book_check(book).await?.ok_or_else(|| {
            StoreError::Corrupt("the check just recorded is not in the ledger".into())
        })
    }
}
