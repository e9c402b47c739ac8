//! `custos incident …`: the incident log from the console (BDC-24, BDC-18) — recording an
//! incident, listing and showing them, correcting one with a reason, its outcome,
//! countersigning, linking footage (held from that moment), a review or a download, keeping
//! a witness statement, and the log written as CSV in the code's columns or as a PDF.
//!
//! Invariants: every change goes through the store (`Store::record_incident`,
//! `Store::incident_step`), which checks that the person named with `--as` keeps the log
//! (or, to countersign, countersigns it) under the pack's `[books.incident]`, applies
//! `domain::incident`'s rules and ledgers the change, as for the page and the API; the
//! console is the actor, the person `--as` the keeper. The CSV and PDF are the same
//! documents as `/incidents.csv` and `/incidents.pdf`.

use std::process::ExitCode;

use anyhow::{Context as _, anyhow};
use custos_base::{Actor, UnixMs};
use custos_domain::Ident;
use custos_domain::incident::{Changes, Draft};
use custos_store::Store;
use custos_store::incidents::IncidentStep;

use crate::cli::IncidentCommand;
use crate::config::Config;
use crate::retention::time;

fn cameras(given: &[String]) -> anyhow::Result<Vec<Ident>> {
    given
        .iter()
        .map(|c| Ident::parse(c.trim()).map_err(|e| anyhow!("--camera {c:?}: {e}")))
        .collect()
}

/// Prints incident `reference` as it stands, with its history.
async fn show(store: &Store, reference: &str) -> anyhow::Result<()> {
    let rec = store.incident_record(reference).await?.ok_or_else(|| {
        anyhow!(
            "there is no incident {}; `custos incident list` lists them",
            reference.trim()
        )
    })?;
    let i = &rec.incident;
    let d = &i.draft;
    let when = |ms: i64| UnixMs(ms).to_london_display();
    let ids = |c: &[Ident]| {
        c.iter()
            .map(Ident::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "{}  {}",
        i.reference,
        if d.is_open() { "open" } else { "closed" }
    );
    println!("  occurred   {}", when(d.occurred_at_unix_ms));
    if !d.cameras.is_empty() {
        println!("  cameras    {}", ids(&d.cameras));
    }
    println!("  place      {}", d.place);
    println!("  seen       {}", d.seen);
    println!("  seen by    {}", d.seen_by);
    if !d.police_reference.is_empty() {
        println!("  police     {}", d.police_reference);
    }
    println!("  action     {}", d.action_taken);
    if !d.is_open() {
        println!("  outcome    {}", d.outcome);
    }
    println!(
        "  recorded   {} by {}",
        when(i.recorded_at_unix_ms),
        i.recorded_by
    );
    if let Some((by, role, at)) = &i.countersigned {
        println!("  countersigned {} by {by} ({role})", when(*at));
    }
    for c in &rec.corrections {
        println!(
            "  corrected  {} by {}: {}",
            when(c.at_unix_ms),
            c.by,
            c.reason
        );
        for (field, before, after) in &c.changes {
            println!("             {}: {before:?} -> {after:?}", field.describe());
        }
    }
    for f in &rec.footage {
        println!(
            "  footage    {} from {} to {} ({}{})",
            ids(&f.cameras),
            when(f.from_unix_ms),
            when(f.to_unix_ms),
            f.class,
            if f.held { ", held" } else { ", no longer held" }
        );
    }
    for l in rec.links.iter().filter(|l| l.kind != "footage") {
        println!("  linked     {} {}", l.kind, l.target);
    }
    for doc in &rec.documents {
        println!(
            "  statement  {} ({} bytes) by {}",
            doc.name, doc.bytes, doc.added_by
        );
    }
    Ok(())
}

/// Takes `step` on `reference` as `actor` in the name of `user`, then shows it.
async fn step(
    store: &Store,
    actor: &Actor,
    user: &str,
    reference: &str,
    step: IncidentStep,
) -> anyhow::Result<String> {
    let who = store.subject_of(user, None).await?;
    let i = store.incident_step(actor, &who, reference, &step).await?;
    Ok(i.reference)
}

/// `custos incident …`
pub async fn run(
    store: &Store,
    config: &Config,
    actor: &Actor,
    cmd: IncidentCommand,
) -> anyhow::Result<ExitCode> {
    let reference = match cmd {
        IncidentCommand::Record {
            user,
            occurred,
            cameras: given,
            place,
            seen,
            seen_by,
            police_reference,
            action_taken,
            outcome,
        } => {
            let who = store.subject_of(&user, None).await?;
            let draft = Draft {
                occurred_at_unix_ms: match occurred {
                    Some(t) => time(&t, false, "--occurred")?,
                    None => store.clock().now().0,
                },
                cameras: cameras(&given)?,
                place,
                seen,
                seen_by,
                police_reference,
                action_taken,
                outcome,
            };
            let i = store.record_incident(actor, &who, &draft).await?;
            println!("Recorded {} in the incident log.", i.reference);
            i.reference
        }
        IncidentCommand::List { open } => {
            let listed: Vec<_> = store
                .incidents()
                .await?
                .into_iter()
                .filter(|i| !open || i.draft.is_open())
                .collect();
            if listed.is_empty() {
                println!("No incidents.");
            }
            for i in listed {
                println!(
                    "{}  {}  {}{}  {}",
                    i.reference,
                    UnixMs(i.draft.occurred_at_unix_ms).to_london_display(),
                    if i.draft.is_open() { "open" } else { "closed" },
                    if i.countersigned.is_some() {
                        ", countersigned"
                    } else {
                        ""
                    },
                    i.draft.place
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        IncidentCommand::Show { reference } => reference,
        IncidentCommand::Correct {
            reference,
            user,
            reason,
            occurred,
            cameras: given,
            place,
            seen,
            seen_by,
            police_reference,
            action_taken,
            outcome,
        } => {
            let changes = Changes {
                occurred_at_unix_ms: occurred
                    .map(|t| time(&t, false, "--occurred"))
                    .transpose()?,
                cameras: if given.is_empty() {
                    None
                } else {
                    Some(cameras(&given)?)
                },
                place,
                seen,
                seen_by,
                police_reference,
                action_taken,
                outcome,
            };
            let r = step(
                store,
                actor,
                &user,
                &reference,
                IncidentStep::Correct { changes, reason },
            )
            .await?;
            println!("Corrected {r}.");
            r
        }
        IncidentCommand::Outcome {
            reference,
            user,
            outcome,
        } => {
            let r = step(
                store,
                actor,
                &user,
                &reference,
                IncidentStep::Outcome { outcome },
            )
            .await?;
            println!("Recorded the outcome of {r}.");
            r
        }
        IncidentCommand::Countersign { reference, user } => {
            let r = step(store, actor, &user, &reference, IncidentStep::Countersign).await?;
            println!("{user} countersigned {r}.");
            r
        }
        IncidentCommand::LinkFootage {
            reference,
            user,
            cameras: given,
            from,
            to,
            class,
        } => {
            let s = IncidentStep::LinkFootage {
                cameras: cameras(&given)?,
                from_unix_ms: time(&from, false, "--from")?,
                to_unix_ms: time(&to, true, "--to")?,
                class: class
                    .map(|c| Ident::parse(c.trim()).map_err(|e| anyhow!("--class {c:?}: {e}")))
                    .transpose()?,
            };
            let r = step(store, actor, &user, &reference, s).await?;
            println!("Linked footage to {r}; it is held.");
            r
        }
        IncidentCommand::Link {
            reference,
            user,
            review,
            download,
        } => {
            let (s, what) = match (review, download) {
                (Some(review), _) => (IncidentStep::LinkReview { review }, "the review"),
                (None, Some(download)) => (IncidentStep::LinkDownload { download }, "the download"),
                (None, None) => return Err(anyhow!("give --review ID or --download ID")),
            };
            let r = step(store, actor, &user, &reference, s).await?;
            println!("Linked {what} to {r}.");
            r
        }
        IncidentCommand::Statement {
            reference,
            user,
            file,
            name,
        } => {
            let contents = if file.as_os_str() == "-" {
                let mut text = Vec::new();
                std::io::Read::read_to_end(&mut std::io::stdin(), &mut text)
                    .context("cannot read the statement from standard input")?;
                text
            } else {
                std::fs::read(&file)
                    .with_context(|| format!("cannot read the statement {}", file.display()))?
            };
            if std::str::from_utf8(&contents).is_err() {
                return Err(anyhow!(
                    "{} is not text (UTF-8): a witness statement is kept as the words written",
                    file.display()
                ));
            }
            let who = store.subject_of(&user, None).await?;
            let doc = store
                .add_incident_statement(
                    actor,
                    &who,
                    &crate::cases::documents_dir(&config.data_dir),
                    &reference,
                    &custos_store::incidents::Statement {
                        name: &name,
                        media_type: "text/plain; charset=utf-8",
                        contents: &contents,
                    },
                )
                .await?;
            println!(
                "Kept {}'s statement ({} bytes) with {}, encrypted.",
                user, doc.bytes, reference
            );
            reference
        }
        IncidentCommand::Csv { out } => {
            let rows = store.incident_log().await?;
            std::fs::write(&out, custos_domain::incident::csv(&rows))
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "Wrote the incident log ({} incidents) to {}.",
                rows.len(),
                out.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        IncidentCommand::Pdf { out } => {
            let rows = store.incident_log().await?;
            let scheme = store
                .active_policy()
                .await?
                .map(|p| p.pack.name)
                .unwrap_or_default();
            let created = store
                .clock()
                .now()
                .to_timestamp()
                .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
            let bytes = custos_domain::pdf::render(
                "Incident log",
                &custos_domain::incident::pdf_blocks(&scheme, &rows),
                created,
            );
            std::fs::write(&out, bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "Wrote the incident log ({} incidents) to {}.",
                rows.len(),
                out.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
    };
    show(store, &reference).await?;
    Ok(ExitCode::SUCCESS)
}
