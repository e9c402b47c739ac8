//! `custos police-control …`: police requests to take partial or total control of the
//! control room from the console (BDC-25) — recording one as it came in writing, its
//! agreement or refusal by the owners' representative named with `--as`, its withdrawal
//! and its hand-back.
//!
//! Invariants: every step goes through the store (`Store::open_police_control`,
//! `Store::police_control_step`), which checks it against the case's state machine, the
//! officer's rank and the pack's `[authorise.police_control]`, and ledgers it; nothing here
//! decides what a request may do next.

use std::process::ExitCode;

use anyhow::{Context as _, anyhow};
use custos_base::{Actor, UnixMs};
use custos_domain::Ident;
use custos_domain::police_control::{ControlType, Draft, Officer, PoliceRank};
use custos_store::Store;
use custos_store::police_control::{NewPoliceControl, PoliceStep, WrittenRequest};

use crate::cli::PoliceControlCommand;
use crate::config::Config;
use crate::retention::time;

/// Prints request `reference` as it stands.
async fn show(store: &Store, reference: &str) -> anyhow::Result<()> {
    let p = store
        .police_control(reference)
        .await?
        .ok_or_else(|| anyhow!("{reference} is not a police request to take control"))?;
    let when = |ms: i64| UnixMs(ms).to_london_display();
    println!("{}  {}", p.reference, p.control.describe());
    println!("  officer    {}", p.officer.describe());
    println!(
        "  cameras    {}",
        match p.control {
            ControlType::Total => "all, and the control room".to_owned(),
            ControlType::Partial => p
                .cameras
                .iter()
                .map(Ident::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        }
    );
    println!("  why        {}", p.reason);
    println!("  requested  {}", when(p.requested_at_unix_ms));
    if let (Some((by, role)), Some(at)) = (&p.agreed, p.agreed_at_unix_ms) {
        println!("  agreed     {} by {by} ({role})", when(at));
    }
    if let Some(s) = p.starts_at_unix_ms {
        println!("  control    from {}", when(s));
    }
    if let Some(e) = p.ends_at_unix_ms {
        println!("  handed     back {}", when(e));
    }
    println!("  status     {:?}", p.status);
    let notes = store.case_notes(&p.reference).await?;
    for n in p.during(&notes) {
        println!(
            "  done       {} {}: {}",
            when(n.at_unix_ms),
            n.author,
            n.text
        );
    }
    Ok(())
}

/// `custos police-control …`
pub async fn run(
    store: &Store,
    config: &Config,
    actor: &Actor,
    cmd: PoliceControlCommand,
) -> anyhow::Result<ExitCode> {
    let documents = crate::cases::documents_dir(&config.data_dir);
    let reference = match cmd {
        PoliceControlCommand::Request {
            summary,
            officer,
            rank,
            number,
            force,
            control,
            cameras,
            reason,
            written,
            media_type,
            received,
        } => {
            let contents = std::fs::read(&written)
                .with_context(|| format!("cannot read {}", written.display()))?;
            let cameras = cameras
                .iter()
                .map(|c| Ident::parse(c.trim()).map_err(|e| anyhow!("--camera {c:?}: {e}")))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let requested = match received {
                Some(r) => time(&r, false, "--received")?,
                None => store.clock().now().0,
            };
            let c = store
                .open_police_control(
                    actor,
                    Some(&documents),
                    &NewPoliceControl {
                        draft: Draft {
                            officer: Officer {
                                name: officer,
                                rank: rank
                                    .trim()
                                    .parse::<PoliceRank>()
                                    .map_err(anyhow::Error::msg)?,
                                number,
                                force,
                            },
                            control: control
                                .trim()
                                .parse::<ControlType>()
                                .map_err(anyhow::Error::msg)?,
                            cameras,
                            reason,
                            requested_at_unix_ms: requested,
                        },
                        summary,
                        written: Some(WrittenRequest {
                            name: written
                                .file_name()
                                .map(|n| n.to_string_lossy().into_owned())
                                .unwrap_or_else(|| "written-request".to_owned()),
                            media_type,
                            contents,
                        }),
                    },
                )
                .await?;
            println!("Opened {}.", c.reference);
            c.reference
        }
        PoliceControlCommand::Agree {
            reference,
            user,
            at,
        } => {
            let who = store.subject_of(&user, None).await?;
            let at = at.map(|t| time(&t, false, "--at")).transpose()?;
            let c = store
                .police_control_step(
                    actor,
                    Some(&who),
                    &reference,
                    &PoliceStep::Agree {
                        starts_at_unix_ms: at,
                    },
                )
                .await?;
            println!("{user} agreed to police control under {}.", c.reference);
            c.reference
        }
        PoliceControlCommand::Refuse {
            reference,
            user,
            reasons,
        } => {
            let who = store.subject_of(&user, None).await?;
            let c = store
                .police_control_step(
                    actor,
                    Some(&who),
                    &reference,
                    &PoliceStep::Refuse { reasons },
                )
                .await?;
            println!("{user} refused {}.", c.reference);
            c.reference
        }
        PoliceControlCommand::Withdraw { reference, reason } => {
            let c = store
                .police_control_step(actor, None, &reference, &PoliceStep::Withdraw { reason })
                .await?;
            println!("{} withdrawn.", c.reference);
            c.reference
        }
        PoliceControlCommand::HandBack { reference, at } => {
            let at = at.map(|t| time(&t, false, "--at")).transpose()?;
            let c = store
                .police_control_step(
                    actor,
                    None,
                    &reference,
                    &PoliceStep::HandBack { at_unix_ms: at },
                )
                .await?;
            println!("Control handed back under {}.", c.reference);
            c.reference
        }
        PoliceControlCommand::Show { reference } => reference,
    };
    show(store, &reference).await?;
    Ok(ExitCode::SUCCESS)
}
