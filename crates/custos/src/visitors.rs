//! `custos visitor …`: the control-room visitors' log at the console (LBU-12, BDC-23,
//! BDC-7, BDC-18) — entering a visitor with the undertaking accepted (or its signed paper
//! copy's scan), their time out, corrections, the countersignature, and the log as CSV or
//! PDF in the columns the codes name.
//!
//! Invariants: every change goes through the store (`Store::record_visit_arrival`,
//! `record_visitor_left`, `correct_visit`, `countersign_visit`), which checks the person
//! named with `--as` against the pack's `[books.visitors]` and ledgers it; the entry's
//! actor is whoever is at the console, and the visit names the person who kept or
//! countersigned it.

use std::process::ExitCode;

use anyhow::{Context as _, anyhow};
use custos_base::{Actor, UnixMs};
use custos_domain::visitors::{
    Authoriser, CorrectionDraft, Details, Field, UndertakingDraft, Visit, VisitDraft,
};
use custos_store::Store;
use custos_store::visitors::Scan;

use crate::cli::VisitorCommand;
use crate::config::Config;
use crate::retention::time;

/// Prints visit `v` as it stands.
fn show(v: &Visit) {
    println!("{}", v.reference);
    for (col, value) in custos_domain::visitors::COLUMNS
        .iter()
        .zip(v.row())
        .skip(1)
        .filter(|(c, _)| **c != "Corrections")
    {
        println!(
            "  {:<28} {}",
            col,
            if value.is_empty() { "—" } else { &value }
        );
    }
    println!("  {:<28} {}", "Recorded by", v.recorded_by_name);
    for c in &v.corrections {
        println!("  correction                   {}", c.describe());
    }
}

/// The bounds of `--from` / `--to` (UK days, `--to` included).
fn period(from: Option<&str>, to: Option<&str>) -> anyhow::Result<(Option<i64>, Option<i64>)> {
    let bound = |t: Option<&str>, end: bool, what: &str| {
        t.map(|t| {
            UnixMs::parse_bound(t, end)
                .map(|t| t.0)
                .map_err(|e| anyhow!("{what}: {e}"))
        })
        .transpose()
    };
    Ok((bound(from, false, "--from")?, bound(to, true, "--to")?))
}

/// `custos visitor …`
pub async fn run(
    store: &Store,
    config: &Config,
    actor: &Actor,
    cmd: VisitorCommand,
) -> anyhow::Result<ExitCode> {
    let documents = crate::cases::documents_dir(&config.data_dir);
    let v = match cmd {
        VisitorCommand::Arrive {
            user,
            name,
            organisation,
            purpose,
            authorised_by,
            authoriser_role,
            time_in,
            accepted,
            typed_name,
            scan,
            media_type,
        } => {
            let keeper = store.subject_of(&user, None).await?;
            let entered = match time_in {
                Some(t) => time(&t, false, "--in")?,
                None => store.clock().now().0,
            };
            let scan = scan
                .map(|path| -> anyhow::Result<Scan> {
                    Ok(Scan {
                        contents: std::fs::read(&path)
                            .with_context(|| format!("cannot read {}", path.display()))?,
                        name: path
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_else(|| "undertaking".to_owned()),
                        media_type: media_type.clone(),
                    })
                })
                .transpose()?;
            let undertaking = match &scan {
                Some(_) => UndertakingDraft::OnPaper {
                    scan_attached: true,
                },
                None => UndertakingDraft::OnScreen {
                    ticked: accepted,
                    typed_name: typed_name.unwrap_or_default(),
                },
            };
            let v = store
                .record_visit_arrival(
                    actor,
                    &keeper,
                    Some(&documents),
                    &VisitDraft {
                        details: Details {
                            name,
                            organisation,
                            purpose,
                            authorised_by: Authoriser {
                                name: authorised_by,
                                role: authoriser_role,
                            },
                            entered_at_unix_ms: entered,
                            left_at_unix_ms: None,
                        },
                        undertaking,
                    },
                    scan.as_ref(),
                )
                .await?;
            println!("Entered {} in the visitors' log.", v.reference);
            v
        }
        VisitorCommand::Undertaking => {
            let pack = store
                .active_policy()
                .await?
                .ok_or_else(|| anyhow!("no policy pack is loaded"))?
                .pack;
            println!("{}", pack.books.visitor_undertaking);
            return Ok(ExitCode::SUCCESS);
        }
        VisitorCommand::Leave {
            reference,
            user,
            at,
        } => {
            let keeper = store.subject_of(&user, None).await?;
            let at = at.map(|t| time(&t, false, "--at")).transpose()?;
            let v = store
                .record_visitor_left(actor, &keeper, &reference, at)
                .await?;
            println!("The visitor of {} left.", v.reference);
            v
        }
        VisitorCommand::List { from, to } => {
            let (from, to) = period(from.as_deref(), to.as_deref())?;
            let now = store.clock().now().0;
            for v in store.visits(from, to).await? {
                let d = v.current();
                println!(
                    "{}  {}  {} ({})  {}{}",
                    v.reference,
                    UnixMs(d.entered_at_unix_ms).to_london_display(),
                    d.name,
                    d.organisation,
                    match &v.countersigned {
                        Some(c) => format!("countersigned by {}", c.by),
                        None => "not countersigned".to_owned(),
                    },
                    if v.overdue(now) {
                        " — past the end of the shift"
                    } else {
                        ""
                    }
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        VisitorCommand::Show { reference } => store
            .visit(&reference)
            .await?
            .ok_or_else(|| anyhow!("there is no visit {reference}"))?,
        VisitorCommand::Countersign { reference, user } => {
            let signer = store.subject_of(&user, None).await?;
            let v = store.countersign_visit(actor, &signer, &reference).await?;
            println!("{user} countersigned {}.", v.reference);
            v
        }
        VisitorCommand::Correct {
            reference,
            user,
            field,
            value,
            reason,
        } => {
            let keeper = store.subject_of(&user, None).await?;
            let field: Field = field.trim().parse().map_err(anyhow::Error::msg)?;
            let value = if field.is_time() {
                time(&value, false, "--value")?.to_string()
            } else {
                value
            };
            let v = store
                .correct_visit(
                    actor,
                    &keeper,
                    &reference,
                    &CorrectionDraft {
                        field,
                        value,
                        reason,
                    },
                )
                .await?;
            println!("Corrected {}.", v.reference);
            v
        }
        VisitorCommand::Csv { from, to, out } => {
            let (from, to) = period(from.as_deref(), to.as_deref())?;
            let csv = custos_domain::visitors::csv(&store.visits(from, to).await?);
            match out {
                Some(path) => std::fs::write(&path, csv)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => print!("{csv}"),
            }
            return Ok(ExitCode::SUCCESS);
        }
        VisitorCommand::Pdf { from, to, out } => {
            let (from, to) = period(from.as_deref(), to.as_deref())?;
            let pack = store
                .active_policy()
                .await?
                .ok_or_else(|| anyhow!("no policy pack is loaded"))?
                .pack;
            let created = store
                .clock()
                .now()
                .to_timestamp()
                .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
            let pdf = custos_domain::visitors::pdf(
                &pack.name,
                &pack.books.visitor_undertaking,
                &store.visits(from, to).await?,
                created,
            );
            std::fs::write(&out, pdf).with_context(|| format!("cannot write {}", out.display()))?;
            println!("Wrote the visitors' log to {}.", out.display());
            return Ok(ExitCode::SUCCESS);
        }
    };
    show(&v);
    Ok(ExitCode::SUCCESS)
}
