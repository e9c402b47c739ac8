//! `custos case …`: cases from the console — opening one, moving it on by its state
//! machine, notes, assignees, documents and the footage held for it (LBU-18, BJS-10,
//! BDC-28, BDC-29, BDC-30, LJM-11).
//!
//! Invariants: every step goes through the store, which checks it against the case's state
//! machine and ledgers it; nothing here decides what a case may do next.

use std::process::ExitCode;

use anyhow::{Context as _, anyhow, bail};
use custos_base::{Actor, UnixMs};
use custos_domain::Ident;
use custos_domain::access::Username;
use custos_domain::case::{Action, CaseKind, allowed_actions};
use custos_domain::letter::LetterKind;
use custos_domain::retention::HoldRequest;
use custos_store::Store;
use custos_store::cases::{Case, NewCase, Sighting, Step};

use custos_domain::case::CaseDue;

use crate::cli::CaseCommand;
use crate::config::Config;
use crate::retention::time;

fn print_case(c: &Case, due: &str) {
    println!("{}  {}  {}", c.reference, c.kind, c.state);
    println!("  deadline   {due}");
    println!(
        "  received   {} ({})",
        UnixMs(c.received_at_unix_ms).to_london_display(),
        c.channel
    );
    println!("  about      {}", c.summary);
    println!(
        "  requester  {} <{}>",
        c.requester_name, c.requester_contact
    );
    if !c.details.is_empty() {
        println!("  details    {}", c.details);
    }
    if !c.assignees.is_empty() {
        println!("  assigned   {}", c.assignees.join(", "));
    }
    if let Some(sg) = &c.sighting {
        println!(
            "  seen       {} at about {}",
            sg.place,
            UnixMs(sg.at_unix_ms).to_london_display()
        );
    }
    print_footage(c);
    if let Some(e) = &c.erasure {
        println!("  erased     {} segment(s)", e.segments_erased);
        for k in &e.kept {
            println!("  kept       {k}");
        }
    }
    for (from, to, why) in &c.pauses {
        println!(
            "  paused     {} to {} ({why})",
            UnixMs(*from).to_london_display(),
            to.map_or_else(|| "now".to_owned(), |t| UnixMs(t).to_london_display())
        );
    }
    if let Some(why) = &c.extension {
        println!("  extended   {why}");
    }
    if let Some(at) = c.incident_at_unix_ms {
        println!(
            "  incident   {}{}",
            UnixMs(at).to_london_display(),
            if c.raised_late {
                " (raised after the window for complaints)"
            } else {
                ""
            }
        );
    }
    if let Some(at) = c.acknowledged_at_unix_ms {
        println!("  acknowledged {}", UnixMs(at).to_london_display());
    }
    if let Some((d, reasons)) = &c.decision {
        println!(
            "  decision   {d}{}",
            if reasons.is_empty() {
                String::new()
            } else {
                format!(": {reasons}")
            }
        );
    }
    if let Some(a) = &c.appeal {
        println!(
            "  appealed   {}: {}",
            UnixMs(a.received_at_unix_ms).to_london_display(),
            a.grounds
        );
        if let Some((o, reasons, _)) = &a.outcome {
            println!("  appeal     {o}: {reasons}");
        }
    }
    if !c.holds.is_empty() {
        println!("  holds      {}", c.holds.join(", "));
    }
    if let Some(absent) = c.footage_absent {
        println!("  footage    {}", absent.for_staff());
    }
    if let Some(to) = &c.converted_to {
        println!("  became     {to}");
    }
    let next: Vec<String> = allowed_actions(c.kind, c.state, c.progress())
        .iter()
        .map(|a| match a.choice() {
            Some(c) => format!("{} --decision {c}", a.name()),
            None => a.name().to_owned(),
        })
        .collect();
    if !next.is_empty() {
        println!("  next       {}", next.join(" | "));
    }
}

/// Prints the footage case `c` concerns, a line per camera and range, with its hold.
pub(crate) fn print_footage(c: &Case) {
    for f in &c.footage {
        println!(
            "  footage    {} {} to {} ({})",
            f.camera,
            UnixMs(f.from_unix_ms).to_london_display(),
            UnixMs(f.to_unix_ms).to_london_display(),
            match (&f.hold, f.hold_state) {
                (Some(h), Some(state)) => format!("hold {h}, {}", state.describe()),
                (Some(h), None) => format!("hold {h}"),
                _ => "not held".to_owned(),
            }
        );
    }
}

/// Reads an action as typed: `start`, `decide` (with `--decision`), `close`…
fn action(name: &str, decision: Option<&str>) -> anyhow::Result<Action> {
    Action::parse(name, decision)
        .map_err(|e| anyhow!("{e} (`custos case show REF` lists what the case allows next)"))
}

/// Where case documents are kept: `DATA/documents`.
pub fn documents_dir(data: &std::path::Path) -> std::path::PathBuf {
    data.join("documents")
}

/// The scheme's working-day calendar: the active pack's nation with `[calendar]` one-offs.
async fn scheme_calendar(
    store: &Store,
    config: &Config,
) -> anyhow::Result<custos_domain::calendar::Calendar> {
    let Some(policy) = store.active_policy().await? else {
        bail!("no policy pack is loaded; load one with `custos policy load FILE`");
    };
    config
        .calendar
        .calendar(policy.pack.nation)
        .map_err(anyhow::Error::msg)
}

/// When case `c` is due under the active pack and the scheme's calendar, in words:
/// "due 2026-12-01 (one calendar month)", "clock paused since …", or why there is no date.
async fn due(store: &Store, config: &Config, c: &Case) -> anyhow::Result<String> {
    let Some(policy) = store.active_policy().await? else {
        return Ok("no policy pack, so no deadline".to_owned());
    };
    let calendar = config
        .calendar
        .calendar(policy.pack.nation)
        .map_err(anyhow::Error::msg)?;
    let pauses = c.clock_pauses();
    let (clock, due) =
        custos_domain::case::next_deadline(&c.times(&pauses), &policy.pack, &calendar)?;
    let what = match clock {
        custos_domain::case::Clock::Answer => String::new(),
        other => format!("{} ", other.describe()),
    };
    Ok(match due {
        CaseDue::Finished => "finished".to_owned(),
        CaseDue::NoRule => "no deadline in the pack for this kind".to_owned(),
        CaseDue::Paused {
            since_unix_ms,
            rule,
        } => format!(
            "clock paused since {} ({})",
            UnixMs(since_unix_ms).to_london_display(),
            rule.describe()
        ),
        CaseDue::Due(d) => format!("{what}due {} ({})", d.due, d.rule.describe()),
        // A covert authorisation's next review or expiry, set by its own record.
        CaseDue::Set(due) => format!("{what}due {}", due.describe()),
    })
}

/// `custos case …`
pub async fn run(
    store: &Store,
    config: &Config,
    actor: &Actor,
    cmd: CaseCommand,
) -> anyhow::Result<ExitCode> {
    let documents = &documents_dir(&config.data_dir);
    match cmd {
        CaseCommand::Open {
            kind,
            name,
            contact,
            summary,
            details,
            received,
            channel,
            seen,
            place,
            incident,
        } => {
            let kind: CaseKind = kind.parse().map_err(anyhow::Error::msg)?;
            let incident = incident
                .map(|t| time(&t, false, "--incident"))
                .transpose()?;
            let received = match received {
                Some(r) => time(&r, false, "--received")?,
                None => store.clock().now().0,
            };
            let c = store
                .open_case(
                    actor,
                    &NewCase {
                        kind,
                        received_at_unix_ms: received,
                        channel,
                        summary,
                        requester_name: name,
                        requester_contact: contact,
                        details: details.unwrap_or_default(),
                        sighting: match (seen, place) {
                            (Some(seen), Some(place)) => Some(Sighting {
                                at_unix_ms: time(&seen, false, "--seen")?,
                                place,
                            }),
                            _ => None,
                        },
                        incident_at_unix_ms: incident,
                        raised_late: match (kind, incident) {
                            (CaseKind::Complaint, Some(at)) => {
                                let policy = store.active_policy().await?.ok_or_else(|| {
                                    anyhow!("no policy pack is loaded; load one with `custos policy load FILE`")
                                })?;
                                custos_domain::case::complaint_is_late(
                                    at,
                                    received,
                                    &policy.pack,
                                    &scheme_calendar(store, config).await?,
                                )?
                            }
                            _ => false,
                        },
                    },
                )
                .await?;
            println!("Opened {}.", c.reference);
            print_case(&c, &due(store, config, &c).await?);
        }
        CaseCommand::List { all } => {
            let cases = store.cases(all).await?;
            if cases.is_empty() {
                println!("No {}cases.", if all { "" } else { "open " });
            }
            for c in cases {
                println!(
                    "{}  {:<15} {:<18} {:<32} {}",
                    c.reference,
                    c.kind.as_str(),
                    c.state.as_str(),
                    due(store, config, &c).await?,
                    c.summary
                );
            }
        }
        CaseCommand::Show { reference } => {
            let c = store.case(&reference).await?.ok_or_else(|| {
                anyhow!("there is no case {reference}; `custos case list --all` lists them")
            })?;
            print_case(&c, &due(store, config, &c).await?);
            for n in store.case_notes(&c.reference).await? {
                println!(
                    "  note       {} {}: {}",
                    UnixMs(n.at_unix_ms).to_london_display(),
                    n.author,
                    n.text
                );
            }
            for d in store.case_documents(&c.reference).await? {
                println!(
                    "  document   {} {} ({}, {} bytes, sha256 {})",
                    d.id, d.name, d.media_type, d.bytes, d.sha256
                );
            }
        }
        CaseCommand::Act {
            reference,
            action: name,
            decision,
            reasons,
            others_shown,
            why_reasonable,
            change_reason,
        } => {
            let a = action(name.trim(), decision.as_deref())?;
            // An accepted erasure deletes footage: only the process holding the footage
            // folder's lock may, so from here only while no server runs.
            let footage = crate::recorder::footage_dir(&config.data_dir);
            let lock = if a == Action::Decide(custos_domain::case::Decision::Accept) {
                crate::recorder::recover::try_lock(&footage)?
            } else {
                None
            };
            let c = store
                .act_on_case(
                    actor,
                    &reference,
                    a,
                    &Step {
                        reasons: reasons.unwrap_or_default(),
                        others_shown,
                        why_reasonable,
                        footage: lock.as_ref().map(|_| footage.clone()),
                        documents: Some(documents.to_path_buf()),
                        change_reason,
                    },
                )
                .await?;
            drop(lock);
            print_case(&c, &due(store, config, &c).await?);
        }
        CaseCommand::Note { reference, text } => {
            store.add_case_note(actor, &reference, &text).await?;
            println!("Note added to {reference}.");
        }
        CaseCommand::Assign { reference, user } => {
            let user = Username::parse(user.trim()).map_err(|e| anyhow!("user: {e}"))?;
            store.assign_case(actor, &reference, &user).await?;
            println!("{user} now works {reference}.");
        }
        CaseCommand::Hold {
            reference,
            cameras,
            from,
            to,
            class,
            owner,
        } => {
            let cameras = cameras
                .iter()
                .map(|c| Ident::parse(c.trim()).map_err(|e| anyhow!("--camera {c:?}: {e}")))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let h = store
                .hold_for_case(
                    actor,
                    &reference,
                    &HoldRequest {
                        cameras,
                        from_unix_ms: time(&from, false, "--from")?,
                        to_unix_ms: time(&to, true, "--to")?,
                        class: Ident::parse(class.trim()).map_err(|e| anyhow!("--class: {e}"))?,
                        reason: format!("held for case {reference}"),
                        owner,
                        until_unix_ms: None,
                        case_ref: None,
                    },
                )
                .await?;
            println!(
                "Hold {} placed for {reference}; it expires {}.",
                h.id,
                UnixMs(h.expires_at_unix_ms).to_london_display()
            );
        }
        CaseCommand::Attach {
            reference,
            file,
            media_type,
        } => {
            let contents =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "document".to_owned());
            let d = store
                .add_case_document(actor, documents, &reference, &name, &media_type, &contents)
                .await?;
            println!(
                "Kept {} with {reference} as document {} (encrypted; sha256 {}).",
                d.name, d.id, d.sha256
            );
        }
        CaseCommand::Breach {
            reference,
            nature,
            people,
            people_count,
            records,
            records_count,
            consequences,
            measures,
        } => {
            let c = store
                .record_breach_details(
                    actor,
                    &reference,
                    &custos_store::breaches::BreachDetails {
                        nature: nature.unwrap_or_default(),
                        subject_categories: people.unwrap_or_default(),
                        subjects_approx: people_count,
                        record_categories: records.unwrap_or_default(),
                        records_approx: records_count,
                        consequences: consequences.unwrap_or_default(),
                        measures: measures.unwrap_or_default(),
                    },
                )
                .await?;
            println!(
                "Recorded what the notification of {} says; `custos case notification {}` prints it.",
                c.reference, c.reference
            );
        }
        CaseCommand::Notification { reference, pdf } => {
            let Some(c) = store.case(&reference).await? else {
                bail!("there is no case {reference}; `custos case list --all` lists them");
            };
            if c.kind != custos_domain::case::CaseKind::Breach {
                bail!("{reference} is not a breach: only a breach is notified to the ICO");
            }
            let Some(policy) = store.active_policy().await? else {
                bail!("no policy pack is loaded; load one with `custos policy load FILE`");
            };
            let now = store.clock().now();
            let n = custos_store::breaches::notification_as_it_stands(&c, &policy.pack, now.0);
            match &pdf {
                Some(file) => {
                    let created = now.to_timestamp().unwrap_or(jiff::Timestamp::UNIX_EPOCH);
                    std::fs::write(file, n.to_pdf(created))
                        .with_context(|| format!("cannot write {}", file.display()))?;
                    println!(
                        "Wrote the notification of {reference} to the ICO to {}.",
                        file.display()
                    );
                }
                None => println!("{}", n.plain_text().trim_end()),
            }
            if let Err(problems) = n.validate(
                &policy.pack.deadlines.breach_notification,
                &scheme_calendar(store, config).await?,
            ) {
                for p in problems {
                    eprintln!("Still to put right: {p}");
                }
            }
        }
        CaseCommand::Letter {
            reference,
            kind,
            out,
            issue,
        } => {
            let kind: LetterKind = kind.parse().map_err(anyhow::Error::msg)?;
            let calendar = scheme_calendar(store, config).await?;
            let letter = if issue {
                let (letter, doc) = store
                    .issue_letter(actor, documents, &reference, kind, &calendar)
                    .await?;
                eprintln!(
                    "Kept {} with {reference} as document {} (encrypted; sha256 {}).",
                    doc.name, doc.id, doc.sha256
                );
                letter
            } else {
                store.compose_letter(&reference, kind, &calendar).await?
            };
            match out {
                None => println!("{}", letter.plain_text().trim_end()),
                Some(path) => {
                    let bytes = match path.extension().and_then(|e| e.to_str()) {
                        Some("pdf") => letter.to_pdf(
                            store
                                .clock()
                                .now()
                                .to_timestamp()
                                .unwrap_or(jiff::Timestamp::UNIX_EPOCH),
                        ),
                        Some("html" | "htm") => letter.to_html().into_bytes(),
                        _ => bail!(
                            "{} should end in .pdf or .html, so the letter's format is clear",
                            path.display()
                        ),
                    };
                    std::fs::write(&path, bytes)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    println!(
                        "Wrote the {kind} letter for {reference} to {}.",
                        path.display()
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
