//! `custos checks …`: the supervisor's checks from the console (BDC-18) — what each
//! control-room book the person named with `--as` countersigns waits for, and marking a
//! book checked.
//!
//! Invariants: the store decides who checks which book (`Store::books_to_check`,
//! `Store::record_book_checked`) under the pack's `[books.ID] countersign`, as for the page
//! and the API; the console is the actor in the ledger, the person `--as` the checker.

use std::process::ExitCode;

use anyhow::anyhow;
use custos_base::{Actor, UnixMs};
use custos_domain::ledger::Book;
use custos_domain::policy::KEPT_BOOKS;
use custos_store::Store;

use crate::cli::ChecksCommand;

/// `custos checks …`
pub async fn run(store: &Store, actor: &Actor, cmd: ChecksCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ChecksCommand::List { user } => {
            let who = store.subject_of(&user, None).await?;
            let books = store.books_to_check(&who).await?;
            if books.is_empty() {
                return Err(anyhow!(
                    "{user}'s roles countersign none of the control-room books under the policy pack, so they have no checks"
                ));
            }
            for b in books {
                let check = store.book_check(b).await?;
                println!("{}", b.title());
                match &check.last_checked {
                    Some(c) => println!(
                        "  last checked {} by {} ({}), {} waiting then",
                        UnixMs(c.at_unix_ms).to_london_display(),
                        c.by,
                        c.role,
                        c.open_items
                    ),
                    None => println!("  never checked"),
                }
                if check.items.is_empty() {
                    println!("  nothing waiting");
                }
                for i in &check.items {
                    println!(
                        "  {} {}{}",
                        UnixMs(i.since_unix_ms).to_london_display(),
                        i.words(),
                        if i.overdue { "  OVERDUE" } else { "" }
                    );
                }
            }
        }
        ChecksCommand::Done { book, user } => {
            let b = book
                .trim()
                .parse::<Book>()
                .ok()
                .filter(|b| KEPT_BOOKS.contains(b))
                .ok_or_else(|| {
                    anyhow!(
                        "{book:?} is not one of the control room's books: {}",
                        KEPT_BOOKS.map(Book::as_str).join(", ")
                    )
                })?;
            let who = store.subject_of(&user, None).await?;
            let c = store.record_book_checked(actor, &who, b).await?;
            println!(
                "{user} checked the {} as {}, with {} waiting; recorded in the ledger.",
                b.title().to_lowercase(),
                c.role,
                c.open_items
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
