//! `custos bodyworn …`: body-worn cameras from the console (LBU-24) — the device register
//! (add, retire, list with where each device is now), issuing a device to an officer for
//! the day or permanently with their acknowledgement, recording its return, and the issue
//! and returns log written as CSV in the code's columns or as a PDF.
//!
//! Invariants: every change goes through the store (`Store::register_bwv_device`,
//! `Store::retire_bwv_device`, `Store::issue_bwv`, `Store::return_bwv`), which checks that
//! the person named with `--as` keeps the log under the pack's `[books.bwv]` and ledgers the
//! change, as for the page and the API; the console is the actor. An issue is recorded only
//! with `--acknowledged-by`, the name the officer gives after reading the acknowledgement,
//! which the command prints. The CSV and PDF are the same documents as `/bodyworn.csv` and
//! `/bodyworn.pdf`.

use std::process::ExitCode;

use anyhow::{Context as _, anyhow};
use custos_base::{Actor, UnixMs};
use custos_domain::Ident;
use custos_domain::bodyworn::{ACKNOWLEDGEMENT, Assignment, DeviceDraft, IssueDraft};
use custos_store::Store;

use crate::cli::{BodywornCommand, BwvDeviceCommand};
use crate::retention::time;

fn device_id(text: &str) -> anyhow::Result<Ident> {
    Ident::parse(text.trim()).map_err(|e| anyhow!("the device {text:?}: {e}"))
}

/// `custos bodyworn …`
pub async fn run(store: &Store, actor: &Actor, cmd: BodywornCommand) -> anyhow::Result<ExitCode> {
    let when = |ms: i64| UnixMs(ms).to_london_display();
    match cmd {
        BodywornCommand::Device(BwvDeviceCommand::Add {
            user,
            id,
            serial,
            model,
            owner,
        }) => {
            let who = store.subject_of(&user, None).await?;
            let d = store
                .register_bwv_device(
                    actor,
                    &who,
                    &DeviceDraft {
                        id: device_id(&id)?,
                        serial,
                        model,
                        owner,
                    },
                )
                .await?;
            println!(
                "Registered body-worn camera {} (serial {}, {}, owned by {}); it is in store.",
                d.draft.id, d.draft.serial, d.draft.model, d.draft.owner
            );
        }
        BodywornCommand::Device(BwvDeviceCommand::Retire { user, id }) => {
            let who = store.subject_of(&user, None).await?;
            let d = store
                .retire_bwv_device(actor, &who, &device_id(&id)?)
                .await?;
            println!(
                "Retired body-worn camera {}: it stays in the register and is never issued again.",
                d.draft.id
            );
        }
        BodywornCommand::Device(BwvDeviceCommand::List) => {
            let now = store.clock().now().0;
            let out = store.bwv_out().await?;
            let devices = store.bwv_devices().await?;
            if devices.is_empty() {
                println!("No body-worn camera is registered.");
            }
            for d in devices {
                let open = out.iter().find(|i| i.draft.device == d.draft.id);
                let place = if d.retired_at_unix_ms.is_some() {
                    "retired".to_owned()
                } else if let Some(i) = open {
                    format!(
                        "out to {} since {} ({}){}",
                        i.draft.officer,
                        when(i.draft.issued_at_unix_ms),
                        i.reference,
                        if i.overdue(now) {
                            ", OVERDUE: past the end of the shift"
                        } else {
                            ""
                        }
                    )
                } else {
                    "in store".to_owned()
                };
                println!(
                    "{}  {}  {}  {}  {}",
                    d.draft.id, d.draft.serial, d.draft.model, d.draft.owner, place
                );
            }
        }
        BodywornCommand::Issue {
            user,
            device,
            officer,
            daily: _,
            permanent,
            at,
            acknowledged_by,
        } => {
            let who = store.subject_of(&user, None).await?;
            let issued_at_unix_ms = match at {
                Some(t) => time(&t, false, "--at")?,
                None => store.clock().now().0,
            };
            println!("The officer accepts: {ACKNOWLEDGEMENT}");
            let i = store
                .issue_bwv(
                    actor,
                    &who,
                    &IssueDraft {
                        device: device_id(&device)?,
                        officer,
                        assignment: if permanent {
                            Assignment::Permanent
                        } else {
                            Assignment::Daily
                        },
                        issued_at_unix_ms,
                        acknowledged: !acknowledged_by.trim().is_empty(),
                        typed_name: acknowledged_by,
                    },
                )
                .await?;
            println!(
                "Issued body-worn camera {} to {} under {} ({}); due back: {}.",
                i.draft.device,
                i.draft.officer,
                i.reference,
                i.draft.assignment.words().to_lowercase(),
                i.due_back()
                    .map_or_else(|| "not due: assigned permanently".to_owned(), when)
            );
        }
        BodywornCommand::Return {
            reference,
            user,
            at,
        } => {
            let who = store.subject_of(&user, None).await?;
            let at = at.map(|t| time(&t, false, "--at")).transpose()?;
            let i = store.return_bwv(actor, &who, &reference, at).await?;
            println!(
                "Recorded {}: body-worn camera {} back from {} at {}.",
                i.reference,
                i.draft.device,
                i.draft.officer,
                i.returned_at_unix_ms.map(when).unwrap_or_default()
            );
        }
        BodywornCommand::Csv { out } => {
            let all = store.bwv_issues().await?;
            let text = custos_domain::bodyworn::csv(&all, store.clock().now().0);
            std::fs::write(&out, text)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "Wrote the body-worn cameras' issue log ({} issues) to {}.",
                all.len(),
                out.display()
            );
        }
        BodywornCommand::Pdf { out } => {
            let devices = store.bwv_devices().await?;
            let all = store.bwv_issues().await?;
            let policy = store
                .active_policy()
                .await?
                .ok_or_else(|| anyhow!("no policy pack is loaded"))?;
            let now = store.clock().now();
            let bytes = custos_domain::bodyworn::pdf(
                &policy.pack.name,
                &devices,
                &all,
                now.0,
                now.to_timestamp().unwrap_or(jiff::Timestamp::UNIX_EPOCH),
            );
            std::fs::write(&out, bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "Wrote the body-worn cameras' register and log ({} devices, {} issues) to {}.",
                devices.len(),
                all.len(),
                out.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
