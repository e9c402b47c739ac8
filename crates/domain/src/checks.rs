//! The supervisor's checks (BDC-18): what each of the control room's books needs from the
//! people who countersign it — an incident without its outcome or countersignature, a visit
//! not countersigned or a visitor still signed in, a redeployable camera past its end or
//! without its signs — in words, and the "checked" a
//! supervisor records against a book once they have been through it.
//!
//! Invariants: an item names the entry by its reference and says what it waits for; it is
//! read from the book as it stands, never stored, so an item goes away as soon as the book
//! no longer needs it. Only the books of [`crate::policy::KEPT_BOOKS`] are checked.

use crate::ledger::Book;

/// What an entry waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// An incident has no outcome yet.
    Outcome,
    /// An entry is not countersigned.
    Countersignature,
    /// A visitor came in and has not been signed out.
    SigningOut,
    /// A redeployable camera is past its planned end and still up.
    Removal,
    /// A redeployable camera is up with no signs recorded.
    Signs,
    /// A redeployable camera came down and its signs are still up.
    SignsDown,
    /// A body-worn camera issued for the day is not back.
    Return,
    /// A camera's scheduled check is due soon or overdue.
    Check,
    /// A fault is open with nobody called to it.
    Contractor,
    /// The contractor is late (or nearly) to respond to or fix a fault.
    ContractorLate,
    /// A video print is kept, waiting for its destruction to be authorised.
    Kept,
    /// A video print's destruction is authorised and not yet done.
    Destruction,
}

/// One thing a book needs from its checker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The book.
    pub book: Book,
    /// What it waits for.
    pub need: Need,
    /// The entry's reference, e.g. `INC-2026-0003` or `VIS-2026-0001`.
    pub reference: String,
    /// The entry in a few words: the incident's place, the visitor's name.
    pub label: String,
    /// When the entry's matter happened: the incident, the visitor's arrival (ms since the
    /// epoch).
    pub since_unix_ms: i64,
    /// Whether it is past the time it was due (a visit's countersignature after the end of
    /// the shift).
    pub overdue: bool,
}

impl Item {
    /// The item in words, e.g. "INC-2026-0003 (Market square) has no outcome yet".
    pub fn words(&self) -> String {
        let need = match (self.need, self.book) {
            (Need::Outcome, _) => "has no outcome yet",
            (Need::Countersignature, Book::Visitors) => {
                "is not countersigned: the visit's authorisation needs a supervisor's signature"
            }
            (Need::Countersignature, _) => "is not countersigned",
            (Need::SigningOut, _) => "is still signed in: record when the visitor left",
            (Need::Removal, _) => "is past its planned end: take the camera down, or extend it",
            (Need::Signs, _) => "is up with no signs recorded: erect them, or record them",
            (Need::SignsDown, _) => "has come down, its signs still up: remove them",
            (Need::Return, _) => "is not back: the device was due back at the end of the shift",
            (Need::Check, _) if self.overdue => "is overdue for its scheduled check",
            (Need::Check, _) => "is due for its scheduled check soon",
            (Need::Contractor, _) => "is open and no contractor has been called",
            (Need::ContractorLate, _) if self.overdue => {
                "is past the contract's time for the contractor to respond or fix it"
            }
            (Need::ContractorLate, _) => {
                "is nearly past the contract's time for the contractor to respond or fix it"
            }
            (Need::Kept, _) => "is kept until its destruction is authorised",
            (Need::Destruction, _) => {
                "has its destruction authorised: destroy it and record that it was destroyed"
            }
        };
        let late = match (self.overdue, self.book) {
            (true, Book::Visitors) => ", past the end of the shift",
            _ => "",
        };
        format!("{} ({}) {need}{late}", self.reference, self.label)
    }
}

/// The last "checked" recorded against a book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// When (ms since the epoch).
    pub at_unix_ms: i64,
    /// Who (ledger actor text).
    pub by: String,
    /// In which role.
    pub role: String,
    /// How many items the book had open when it was checked.
    pub open_items: i64,
}

/// A book as its checker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookCheck {
    /// The book.
    pub book: Book,
    /// What it needs, oldest first.
    pub items: Vec<Item>,
    /// The last time someone checked it.
    pub last_checked: Option<Checked>,
}

impl BookCheck {
    /// Whether anything in the book is past its time.
    pub fn overdue(&self) -> usize {
        self.items.iter().filter(|i| i.overdue).count()
    }
}

/// Sorts `items` oldest first, then by reference, so a checker works from the oldest.
pub fn order(items: &mut [Item]) {
    items.sort_by(|a, b| {
        (a.since_unix_ms, &a.reference, a.need as u8).cmp(&(
            b.since_unix_ms,
            &b.reference,
            b.need as u8,
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(need: Need, book: Book, overdue: bool, since: i64) -> Item {
        Item {
            book,
            need,
            reference: format!("X-{since}"),
            label: "Market square".to_owned(),
            since_unix_ms: since,
            overdue,
        }
    }

    #[test]
    fn bdc_18_each_need_reads_as_a_sentence_naming_the_entry() {
        assert_eq!(
            item(Need::Outcome, Book::Incident, false, 1).words(),
            "X-1 (Market square) has no outcome yet"
        );
        assert_eq!(
            item(Need::Countersignature, Book::Visitors, true, 2).words(),
            "X-2 (Market square) is not countersigned: the visit's authorisation needs a \
             supervisor's signature, past the end of the shift"
        );
        assert!(
            item(Need::SigningOut, Book::Visitors, false, 3)
                .words()
                .contains("still signed in")
        );
    }

    #[test]
    fn bdc_18_items_are_worked_oldest_first() {
        let mut items = vec![
            item(Need::Outcome, Book::Incident, false, 30),
            item(Need::Countersignature, Book::Incident, true, 10),
            item(Need::SigningOut, Book::Visitors, false, 20),
        ];
        order(&mut items);
        let since: Vec<i64> = items.iter().map(|i| i.since_unix_ms).collect();
        assert_eq!(since, vec![10, 20, 30]);
        let check = BookCheck {
            book: Book::Incident,
            items,
            last_checked: None,
        };
        assert_eq!(check.overdue(), 1);
    }
}
