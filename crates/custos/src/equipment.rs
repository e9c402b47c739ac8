//! `custos equipment …`: the list of installed equipment at the console (BDC-37, BDC-18) —
//! entering recorders, monitors, links and other equipment and the register's cameras'
//! details, removals and corrections, and the list as CSV or PDF in the columns the code
//! names.
//!
//! Invariants: every change goes through the store (`Store::enter_equipment`,
//! `record_equipment_removed`, `correct_equipment`), which checks the person named with
//! `--as` against the pack's `[books.equipment]` and ledgers it; the entry's actor is
//! whoever is at the console, and the entry names the person who kept it.

use std::process::ExitCode;

use anyhow::{Context as _, anyhow};
use custos_base::Actor;
use custos_domain::equipment::{CorrectionDraft, Details, Field, Item, Kind, parse_day};
use custos_store::Store;

use crate::cli::EquipmentCommand;

/// Prints entry `i` as it stands.
fn show(i: &Item) {
    let d = i.current();
    println!("{}", i.reference);
    let day = |d: Option<jiff::civil::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    for (label, value) in [
        ("Equipment", d.kind.describe().to_owned()),
        ("Camera", d.camera.clone().unwrap_or_default()),
        ("Make and model", d.make_model.clone()),
        ("Serial number", d.serial_number.clone()),
        ("Location", d.location.clone()),
        ("Installed", day(d.installed_on)),
        ("Removed", day(d.removed_on)),
        ("Notes", d.notes.clone()),
        ("Entered by", i.recorded_by_name.clone()),
    ] {
        println!(
            "  {:<16} {}",
            label,
            if value.is_empty() { "—" } else { &value }
        );
    }
    for c in &i.corrections {
        println!("  correction       {}", c.describe());
    }
}

/// `custos equipment …`
pub async fn run(store: &Store, actor: &Actor, cmd: EquipmentCommand) -> anyhow::Result<ExitCode> {
    let item = match cmd {
        EquipmentCommand::Enter {
            user,
            kind,
            camera,
            make_model,
            serial,
            location,
            installed,
            notes,
        } => {
            let keeper = store.subject_of(&user, None).await?;
            let kind: Kind = kind.trim().parse().map_err(anyhow::Error::msg)?;
            let i = store
                .enter_equipment(
                    actor,
                    &keeper,
                    &Details {
                        kind,
                        camera,
                        make_model,
                        serial_number: serial,
                        location,
                        installed_on: Some(
                            parse_day(&installed, "--installed").map_err(anyhow::Error::msg)?,
                        ),
                        removed_on: None,
                        notes,
                    },
                )
                .await?;
            println!(
                "Entered {} in the list of installed equipment.",
                i.reference
            );
            i
        }
        EquipmentCommand::Remove {
            reference,
            user,
            on,
            reason,
        } => {
            let keeper = store.subject_of(&user, None).await?;
            let on = parse_day(&on, "--on").map_err(anyhow::Error::msg)?;
            let i = store
                .record_equipment_removed(actor, &keeper, &reference, on, &reason)
                .await?;
            println!("Recorded the removal of {}.", i.reference);
            i
        }
        EquipmentCommand::Correct {
            reference,
            user,
            field,
            value,
            reason,
        } => {
            let keeper = store.subject_of(&user, None).await?;
            let field: Field = field.trim().parse().map_err(anyhow::Error::msg)?;
            let i = store
                .correct_equipment(
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
            println!("Corrected {}.", i.reference);
            i
        }
        EquipmentCommand::List => {
            for r in store.equipment_list().await? {
                let cell = |i: usize| r.cells.get(i).cloned().unwrap_or_default();
                println!(
                    "{:<13} {}  {}  serial {}  {}  installed {}{}",
                    if r.reference.is_empty() {
                        "—".to_owned()
                    } else {
                        r.reference.clone()
                    },
                    cell(1),
                    cell(2),
                    if cell(3).is_empty() {
                        "not entered".to_owned()
                    } else {
                        cell(3)
                    },
                    cell(4),
                    cell(5),
                    if cell(6).is_empty() {
                        String::new()
                    } else {
                        format!("  removed {}", cell(6))
                    }
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        EquipmentCommand::Show { reference } => store
            .equipment_item(&reference)
            .await?
            .ok_or_else(|| anyhow!("there is no equipment entry {reference}"))?,
        EquipmentCommand::Csv { out } => {
            let csv = custos_domain::equipment::csv(&store.equipment_list().await?);
            match out {
                Some(path) => std::fs::write(&path, csv)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => print!("{csv}"),
            }
            return Ok(ExitCode::SUCCESS);
        }
        EquipmentCommand::Pdf { out } => {
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
            let pdf =
                custos_domain::equipment::pdf(&pack.name, &store.equipment_list().await?, created);
            std::fs::write(&out, pdf).with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "Wrote the list of installed equipment to {}.",
                out.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
    };
    show(&item);
    Ok(ExitCode::SUCCESS)
}
