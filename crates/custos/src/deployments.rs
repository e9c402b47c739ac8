//! `custos deployment …`: the deployment log of redeployable cameras from the console
//! (BDC-38, LJM-5) — recording a deployment, listing and showing them, its signs and the
//! camera going up and coming down, corrections with a reason, photos and documents kept
//! encrypted, and the log written as CSV in the code's columns or as a PDF.
//!
//! Invariants: every change goes through the store (`Store::record_deployment`,
//! `Store::deployment_step`, `Store::add_deployment_document`), which checks that the person
//! named with `--as` keeps the log under the pack's `[books.deployment]` and ledgers the
//! change, as for the page and the API; the console is the actor. The CSV and PDF are the
//! same documents as `/deployments.csv` and `/deployments.pdf`.

use std::process::ExitCode;

use anyhow::{Context as _, anyhow};
use custos_base::{Actor, UnixMs};
use custos_domain::Ident;
use custos_domain::deployment::{Consultation, Draft, Field, Grounds};
use custos_store::Store;
use custos_store::deployments::DeploymentStep;

use crate::cli::DeploymentCommand;
use crate::config::Config;
use crate::retention::time;

async fn show(store: &Store, reference: &str) -> anyhow::Result<()> {
    let d = store.deployment(reference).await?.ok_or_else(|| {
        anyhow!(
            "there is no deployment {}; `custos deployment list` lists them",
            reference.trim()
        )
    })?;
    let now = store.clock().now().0;
    let c = d.current();
    let when = |ms: i64| UnixMs(ms).to_london_display();
    let maybe = |ms: Option<i64>| ms.map_or_else(|| "not yet".to_owned(), when);
    println!("{}  {}", d.reference, d.standing(now).words());
    println!("  camera          {}", c.camera);
    println!("  place           {} ({})", c.place, c.map_reference);
    println!("  from            {}", when(c.from_unix_ms));
    println!("  until           {}", when(c.until_unix_ms));
    println!(
        "  grounds         {}: {}",
        c.grounds.words(),
        c.justification
    );
    println!("  purpose         {}", c.purpose);
    println!("  consultation    {}", c.consultation.words());
    println!("  privacy         {}", c.privacy);
    println!("  authorised by   {}", c.authorised_by);
    println!("  signs erected   {}", maybe(d.signs_up_unix_ms));
    println!("  signs removed   {}", maybe(d.signs_down_unix_ms));
    println!("  camera removed  {}", maybe(d.removed_unix_ms));
    for x in &d.corrections {
        println!(
            "  corrected {} by {}: {} \"{}\" became \"{}\" ({})",
            when(x.at_unix_ms),
            x.by,
            x.field.words(),
            x.before,
            x.after,
            x.reason
        );
    }
    for doc in store.deployment_documents(&d.reference).await? {
        println!(
            "  document  {} ({}, {} bytes)",
            doc.name, doc.kind, doc.bytes
        );
    }
    Ok(())
}

/// `custos deployment …`
pub async fn run(
    store: &Store,
    config: &Config,
    actor: &Actor,
    cmd: DeploymentCommand,
) -> anyhow::Result<ExitCode> {
    let camera_name = |names: &[(String, String)], id: &Ident| {
        names
            .iter()
            .find(|(i, _)| i == id.as_str())
            .map_or_else(|| id.to_string(), |(_, n)| n.clone())
    };
    let reference = match cmd {
        DeploymentCommand::Record {
            user,
            camera,
            place,
            map_reference,
            from,
            until,
            grounds,
            justification,
            purpose,
            consulted,
            not_consulted,
            privacy,
            authorised_by,
        } => {
            let who = store.subject_of(&user, None).await?;
            let draft = Draft {
                camera: Ident::parse(camera.trim())
                    .map_err(|e| anyhow!("--camera {camera:?}: {e}"))?,
                place,
                map_reference,
                from_unix_ms: match from {
                    Some(t) => time(&t, false, "--from")?,
                    None => store.clock().now().0,
                },
                until_unix_ms: time(&until, true, "--until")?,
                grounds: grounds
                    .parse::<Grounds>()
                    .map_err(|e| anyhow!("--grounds: {e}"))?,
                justification,
                purpose,
                consultation: match (consulted, not_consulted) {
                    (Some(w), _) => Consultation::Made(w),
                    (None, Some(w)) => Consultation::NotPossible(w),
                    (None, None) => return Err(anyhow!("give --consulted or --not-consulted")),
                },
                privacy,
                authorised_by,
            };
            let d = store.record_deployment(actor, &who, &draft).await?;
            println!("Recorded {} in the deployment log.", d.reference);
            d.reference
        }
        DeploymentCommand::List => {
            let now = store.clock().now().0;
            let all = store.deployments().await?;
            if all.is_empty() {
                println!("No deployments.");
            }
            for d in all {
                let c = d.current();
                println!(
                    "{}  {}  {} to {}  {}  {}",
                    d.reference,
                    c.camera,
                    UnixMs(c.from_unix_ms).to_london_display(),
                    UnixMs(c.until_unix_ms).to_london_display(),
                    d.standing(now).words(),
                    c.place
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        DeploymentCommand::Show { reference } => reference,
        DeploymentCommand::Step {
            reference,
            step,
            user,
            at,
        } => {
            let who = store.subject_of(&user, None).await?;
            let at_unix_ms = match at {
                Some(t) => time(&t, false, "--at")?,
                None => store.clock().now().0,
            };
            let s = match step.trim() {
                "signs-up" => DeploymentStep::SignsUp { at_unix_ms },
                "signs-down" => DeploymentStep::SignsDown { at_unix_ms },
                "removed" => DeploymentStep::Removed { at_unix_ms },
                other => {
                    return Err(anyhow!(
                        "{other:?} is not a step: signs-up, signs-down or removed (corrections: `custos deployment correct`)"
                    ));
                }
            };
            let d = store.deployment_step(actor, &who, &reference, &s).await?;
            println!("Recorded {} for {}.", s.as_str(), d.reference);
            d.reference
        }
        DeploymentCommand::Correct {
            reference,
            user,
            field,
            value,
            reason,
        } => {
            let who = store.subject_of(&user, None).await?;
            let field = Field::parse(&field).map_err(|e| anyhow!("--field: {e}"))?;
            let value = if field == Field::Until {
                time(&value, true, "--value")?.to_string()
            } else {
                value
            };
            let d = store
                .deployment_step(
                    actor,
                    &who,
                    &reference,
                    &DeploymentStep::Correct {
                        field,
                        value,
                        reason,
                    },
                )
                .await?;
            println!("Corrected {}.", d.reference);
            d.reference
        }
        DeploymentCommand::Document {
            reference,
            user,
            kind,
            file,
        } => {
            let who = store.subject_of(&user, None).await?;
            let contents =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "document".to_owned());
            let doc = store
                .add_deployment_document(
                    actor,
                    &who,
                    &crate::cases::documents_dir(&config.data_dir),
                    &reference,
                    &kind,
                    &name,
                    "application/octet-stream",
                    &contents,
                )
                .await?;
            println!(
                "Kept {} ({} bytes) with {}, encrypted.",
                doc.name, doc.bytes, reference
            );
            reference
        }
        DeploymentCommand::Csv { out } => {
            let all = store.deployments().await?;
            let names: Vec<(String, String)> = store
                .cameras(true)
                .await?
                .into_iter()
                .map(|c| (c.id.to_string(), c.draft.name))
                .collect();
            let text = custos_domain::deployment::csv(
                &all,
                &|id| camera_name(&names, id),
                store.clock().now().0,
            );
            std::fs::write(&out, text)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "Wrote the deployment log ({} deployments) to {}.",
                all.len(),
                out.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        DeploymentCommand::Pdf { out } => {
            let all = store.deployments().await?;
            let names: Vec<(String, String)> = store
                .cameras(true)
                .await?
                .into_iter()
                .map(|c| (c.id.to_string(), c.draft.name))
                .collect();
            let policy = store
                .active_policy()
                .await?
                .ok_or_else(|| anyhow!("no policy pack is loaded"))?;
            let now = store.clock().now();
            let bytes = custos_domain::deployment::pdf(
                &policy.pack.name,
                &policy.pack.books.deployment_purposes,
                &all,
                &|id| camera_name(&names, id),
                now.0,
                now.to_timestamp().unwrap_or(jiff::Timestamp::UNIX_EPOCH),
            );
            std::fs::write(&out, bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "Wrote the deployment log ({} deployments) to {}.",
                all.len(),
                out.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
    };
    show(store, &reference).await?;
    Ok(ExitCode::SUCCESS)
}
