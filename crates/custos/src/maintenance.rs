//! `custos maintenance …`: the faults and maintenance log at the console (LBU-16, BDC-19,
//! ALT-15, SCC-8) — a camera's scheduled check, a fault reported, the contractor called,
//! responding and fixing it, corrections, each camera's next check and availability, and
//! the log as CSV or PDF in the columns the codes name.
//!
//! Invariants: every change goes through the store (`Store::record_check`, `report_fault`,
//! `call_contractor`, `record_contractor_response`, `record_fault_fixed`, `correct_check`,
//! `correct_fault`), which checks the person named with `--as` against the pack's
//! `[books.maintenance]` and ledgers it; the entry's actor is whoever is at the console, and
//! the entry names the person who kept the log.

use std::process::ExitCode;

use anyhow::{Context as _, anyhow};
use custos_base::{Actor, UnixMs};
use custos_domain::Ident;
use custos_domain::maintenance::{
    CallDraft, Check, CheckDraft, CheckItem, CorrectionDraft, Fault, FaultDraft, Field,
};
use custos_store::Store;
use custos_store::maintenance::FaultFilter;

use crate::cli::{ContractorEvent, MaintenanceCommand};
use crate::retention::time;

/// The results given with `--result ITEM=RESULT`, and with `--all-pass` every item not
/// given passed.
fn results(
    given: &[String],
    all_pass: bool,
) -> anyhow::Result<Vec<custos_domain::maintenance::ItemResult>> {
    let mut out = Vec::new();
    for r in given {
        let (item, value) = r.split_once('=').ok_or_else(|| {
            anyhow!("--result {r:?}: write ITEM=pass or ITEM=fail: what is wrong, e.g. focus=pass")
        })?;
        let item: CheckItem = item.trim().parse().map_err(anyhow::Error::msg)?;
        out.push(
            custos_domain::maintenance::parse_item_value(item, value)
                .map_err(anyhow::Error::msg)?,
        );
    }
    if all_pass {
        for item in CheckItem::ALL {
            if !out.iter().any(|r| r.item == *item) {
                out.push(custos_domain::maintenance::ItemResult {
                    item: *item,
                    passed: true,
                    note: String::new(),
                });
            }
        }
    }
    Ok(out)
}

fn print_row(row: &[String]) {
    println!("{}", row[0]);
    for (col, value) in custos_domain::maintenance::COLUMNS
        .iter()
        .zip(row)
        .skip(1)
        .filter(|(c, v)| **c != "Corrections" && !v.is_empty())
    {
        println!("  {col:<20} {value}");
    }
}

fn show_check(c: &Check) {
    print_row(&c.row());
    for x in &c.corrections {
        println!("  correction           {}", x.describe());
    }
}

fn show_fault(f: &Fault, m: &custos_domain::policy::Maintenance, now: i64) {
    print_row(&f.row(m, now));
    for x in &f.corrections {
        println!("  correction           {}", x.describe());
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

fn camera(id: &str) -> anyhow::Result<Ident> {
    Ident::parse(id.trim()).map_err(|e| anyhow!("--camera: {e}"))
}

/// `custos maintenance …`
pub async fn run(
    store: &Store,
    actor: &Actor,
    cmd: MaintenanceCommand,
) -> anyhow::Result<ExitCode> {
    let now = store.clock().now().0;
    let m = store.maintenance_times().await?;
    match cmd {
        MaintenanceCommand::Check {
            user,
            camera: cam,
            at,
            results: given,
            all_pass,
            note,
        } => {
            let keeper = store.subject_of(&user, None).await?;
            let draft = CheckDraft {
                camera: camera(&cam)?,
                checked_at_unix_ms: at
                    .map(|t| time(&t, false, "--at"))
                    .transpose()?
                    .unwrap_or(now),
                items: results(&given, all_pass)?,
                note,
            };
            let c = store.record_check(actor, &keeper, &draft).await?;
            println!("Recorded check {} of {}.", c.reference, c.camera_name);
            if let Some(f) = &c.fault {
                println!("It failed: fault {f} is reported on the camera.");
            }
            show_check(&c);
        }
        MaintenanceCommand::Fault {
            user,
            camera: cam,
            description,
            noticed,
        } => {
            let keeper = store.subject_of(&user, None).await?;
            let f = store
                .report_fault(
                    actor,
                    &keeper,
                    &FaultDraft {
                        camera: camera(&cam)?,
                        noticed_at_unix_ms: noticed
                            .map(|t| time(&t, false, "--noticed"))
                            .transpose()?
                            .unwrap_or(now),
                        description,
                    },
                )
                .await?;
            println!("Reported fault {} on {}.", f.reference, f.camera_name);
            show_fault(&f, &m, now);
        }
        MaintenanceCommand::Contractor {
            reference,
            user,
            event,
        } => {
            let keeper = store.subject_of(&user, None).await?;
            let f = match event {
                ContractorEvent::Called { name, job, at } => {
                    store
                        .call_contractor(
                            actor,
                            &keeper,
                            &reference,
                            &CallDraft {
                                contractor: name,
                                job_reference: job,
                                called_at_unix_ms: at
                                    .map(|t| time(&t, false, "--at"))
                                    .transpose()?
                                    .unwrap_or(now),
                            },
                        )
                        .await?
                }
                ContractorEvent::Responded { at, note } => {
                    let at = at.map(|t| time(&t, false, "--at")).transpose()?;
                    store
                        .record_contractor_response(actor, &keeper, &reference, at, &note)
                        .await?
                }
                ContractorEvent::Fixed { work, at, by_staff } => {
                    let at = at.map(|t| time(&t, false, "--at")).transpose()?;
                    store
                        .record_fault_fixed(actor, &keeper, &reference, at, &work, !by_staff)
                        .await?
                }
            };
            println!("Recorded in the faults and maintenance log.");
            show_fault(&f, &m, now);
        }
        MaintenanceCommand::Correct {
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
            let c = CorrectionDraft {
                field,
                value,
                reason,
            };
            if custos_domain::maintenance::is_check_reference(reference.trim()) {
                let check = store.correct_check(actor, &keeper, &reference, &c).await?;
                println!("Corrected {}.", check.reference);
                show_check(&check);
            } else {
                let f = store.correct_fault(actor, &keeper, &reference, &c).await?;
                println!("Corrected {}.", f.reference);
                show_fault(&f, &m, now);
            }
        }
        MaintenanceCommand::List { days } => {
            if !(1..=366).contains(&days) {
                return Err(anyhow!("--days is {days}: give from 1 to 366"));
            }
            println!(
                "Each camera is checked every {} days; the contractor responds within {} and fixes within {}.",
                m.check_every_days,
                m.response_rule().describe(),
                m.fix_rule().describe()
            );
            for c in store.cameras_maintenance(days).await? {
                println!(
                    "{}  last checked {}  next due {}{}  recorded {} of the last {days} days",
                    c.name,
                    c.due
                        .last_checked_unix_ms
                        .map_or_else(|| "never".to_owned(), |t| UnixMs(t).to_london_display()),
                    UnixMs(c.due.due_unix_ms).to_london_display(),
                    match c.due.urgency.words() {
                        "" => String::new(),
                        w => format!(" ({w})"),
                    },
                    c.availability.map_or_else(
                        || "n/a (not recorded continuously)".to_owned(),
                        |a| { a.percent_words() }
                    ),
                );
            }
            let open = store.faults(FaultFilter::Open).await?;
            if open.is_empty() {
                println!("No fault is open.");
            }
            for f in open {
                let cur = f.current();
                println!(
                    "{}  {}  {}  {}{}",
                    f.reference,
                    cur.camera_name,
                    cur.description,
                    cur.contractor
                        .as_ref()
                        .map_or_else(|| "contractor not called".to_owned(), |c| c.describe()),
                    match f.urgency(&m, now).words() {
                        "" => String::new(),
                        w => format!(" — contractor {w}"),
                    }
                );
            }
        }
        MaintenanceCommand::Show { reference } => {
            if custos_domain::maintenance::is_check_reference(reference.trim()) {
                let c = store
                    .maintenance_check(&reference)
                    .await?
                    .ok_or_else(|| anyhow!("there is no check {reference}"))?;
                show_check(&c);
            } else {
                let f = store
                    .fault(&reference)
                    .await?
                    .ok_or_else(|| anyhow!("there is no check or fault {reference}"))?;
                show_fault(&f, &m, now);
            }
        }
        MaintenanceCommand::Csv { from, to, out } => {
            let (from, to) = period(from.as_deref(), to.as_deref())?;
            let checks = store.maintenance_checks(from, to).await?;
            let faults = store
                .faults(FaultFilter::Between(
                    from.unwrap_or(i64::MIN),
                    to.unwrap_or(i64::MAX),
                ))
                .await?;
            let csv = custos_domain::maintenance::csv(&checks, &faults, &m, now);
            match out {
                Some(path) => std::fs::write(&path, csv)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => print!("{csv}"),
            }
        }
        MaintenanceCommand::Pdf { from, to, out } => {
            let (from, to) = period(from.as_deref(), to.as_deref())?;
            let pack = store
                .active_policy()
                .await?
                .ok_or_else(|| anyhow!("no policy pack is loaded"))?
                .pack;
            let checks = store.maintenance_checks(from, to).await?;
            let faults = store
                .faults(FaultFilter::Between(
                    from.unwrap_or(i64::MIN),
                    to.unwrap_or(i64::MAX),
                ))
                .await?;
            let created = store
                .clock()
                .now()
                .to_timestamp()
                .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
            let pdf = custos_domain::maintenance::pdf(&pack.name, &checks, &faults, &m, created);
            std::fs::write(&out, pdf).with_context(|| format!("cannot write {}", out.display()))?;
            println!("Wrote the faults and maintenance log to {}.", out.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
