//! `custos retention …` and `custos hold …` from the console, and the hourly sweep of a
//! running server (BJS-8, BJS-4, LBU-17, ALT-8, BDC-28).
//!
//! Invariants: only the process holding the footage folder's lock deletes from it (the
//! server that records, or `retention sweep` while no server runs); ending a hold early
//! names a person who may authorise deleting retained footage, checked against the pack.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, anyhow, bail};
use custos_base::{Actor, UnixMs};
use custos_domain::Ident;
use custos_domain::access::{Right, Username};
use custos_domain::retention::HoldRequest;
use custos_store::Store;
use custos_store::retention::CameraRetention;

use crate::cli::{HoldCommand, ReportFormat, RetentionCommand};
use crate::commands::{finish, open, open_for_writing};
use crate::config::Config;

/// How often a running server sweeps.
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Sweeps at once and then every hour, logging what each sweep did and any problem, until
/// `stop` says so; a sweep under way finishes first, so its entries come before the
/// server's last checkpoint. Packages made on the web and left in `exports` for more than
/// a day go too.
pub async fn sweep_periodically(
    store: Store,
    footage: PathBuf,
    exports: PathBuf,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(SWEEP_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        match store.sweep(&footage).await {
            Ok(r) => {
                tracing::info!(
                    segments = r.segments_deleted,
                    bytes = r.bytes_deleted,
                    holds_expired = r.holds_expired.len(),
                    keys_destroyed = r.keys_destroyed.len(),
                    "retention sweep finished"
                );
                for p in &r.problems {
                    tracing::warn!(problem = %p, "retention sweep could not finish something");
                }
            }
            Err(e) => tracing::error!(error = %e, "the retention sweep failed"),
        }
        match store.sweep_export_staging(&exports).await {
            Ok((n, problems)) => {
                if n > 0 {
                    tracing::info!(
                        packages = n,
                        "packages made on the web more than a day ago deleted"
                    );
                }
                for p in &problems {
                    tracing::warn!(problem = %p, "a package made on the web could not be deleted");
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "the packages made on the web could not be swept")
            }
        }
    }
}

/// How often a running server looks at the footage disk's free space.
const DISK_CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// Free and total bytes of the file system holding `path`.
pub fn disk_space(path: &std::path::Path) -> anyhow::Result<(u64, u64)> {
    let s = rustix::fs::statvfs(path)
        .with_context(|| format!("cannot read the free space of {}", path.display()))?;
    Ok((
        s.f_bavail.saturating_mul(s.f_frsize),
        s.f_blocks.saturating_mul(s.f_frsize),
    ))
}

/// Keeps the footage disk above its free-space floor (`storage.min_free_percent`): the
/// oldest unheld footage goes early, then the lowest-priority cameras pause, never held
/// footage; paused cameras resume when space returns. Each step is ledgered by the store.
/// Stops when `stop` says so, after the look under way.
pub async fn watch_disk(
    store: Store,
    footage: PathBuf,
    min_free_percent: u8,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(DISK_CHECK_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        let (free, total) = match disk_space(&footage) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "cannot check the footage disk");
                continue;
            }
        };
        match store
            .relieve_pressure(&footage, free, total, min_free_percent)
            .await
        {
            Ok(r) => {
                if r.segments_deleted > 0 {
                    tracing::warn!(
                        segments = r.segments_deleted,
                        bytes = r.bytes_deleted,
                        "the footage disk is below its free-space floor: the oldest unheld footage was deleted early"
                    );
                }
                if let Some(c) = &r.paused {
                    tracing::error!(camera = %c, "the footage disk is full of held footage: this camera's recording is paused until space returns");
                }
                for c in &r.resumed {
                    tracing::info!(camera = %c, "space is back on the footage disk: recording resumes");
                }
                for p in &r.problems {
                    tracing::warn!(problem = %p, "could not delete footage under disk pressure");
                }
            }
            Err(e) => tracing::error!(error = %e, "could not relieve the footage disk"),
        }
    }
}

/// `custos retention …`
pub async fn run(config: &Config, cmd: RetentionCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        RetentionCommand::Sweep => {
            let footage = crate::recorder::footage_dir(&config.data_dir);
            let Some(_lock) = crate::recorder::recover::try_lock(&footage)? else {
                bail!(
                    "a running Custos server holds the footage folder {} and sweeps it every hour; stop it to sweep from here, or see its last sweep with `custos retention report`",
                    footage.display()
                );
            };
            let store = open_for_writing(config).await?;
            let result = store.sweep(&footage).await;
            finish(store).await?;
            let r = result?;
            println!(
                "Deleted {} segment(s), {} bytes; {} hold(s) expired; {} day key(s) destroyed.",
                r.segments_deleted,
                r.bytes_deleted,
                r.holds_expired.len(),
                r.keys_destroyed.len()
            );
            for (camera, day) in &r.keys_destroyed {
                println!("  day key destroyed: {camera} {day}");
            }
            for p in &r.problems {
                eprintln!("problem: {p}");
            }
            Ok(if r.problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        RetentionCommand::Report { format, days } => {
            let store = open(config).await?;
            let now = store.clock().now();
            let since = now.0 - i64::from(days) * custos_domain::retention::DAY_MS;
            let rows = store.retention_report(since).await;
            let last = store.last_sweep().await;
            store.close().await;
            let (rows, last) = (rows?, last?);
            let text = match format {
                ReportFormat::Table => table(&rows, last.as_ref(), days),
                ReportFormat::Csv => csv(&rows),
                ReportFormat::Json => json(&rows, last.as_ref())?,
            };
            print!("{text}");
            // A flagged camera is a failed check, for scripts and monitoring.
            Ok(if rows.iter().any(CameraRetention::flagged) {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

fn when(ms: Option<i64>) -> String {
    ms.map_or_else(|| "-".to_owned(), |m| UnixMs(m).to_london_display())
}

fn status(r: &CameraRetention) -> String {
    if r.flagged() {
        format!(
            "FLAGGED: {} segment(s) past the {}-day limit, oldest from {}",
            r.overdue_segments,
            r.retention_days,
            when(r.oldest_overdue_unix_ms)
        )
    } else {
        "within its limit".to_owned()
    }
}

/// The report for people.
pub fn table(
    rows: &[CameraRetention],
    last: Option<&custos_domain::ledger::StoredEntry>,
    days: u32,
) -> String {
    let mut out = String::new();
    out.push_str(&match last {
        Some(e) => format!(
            "Last sweep: {} ({})\n\n",
            UnixMs(e.at_unix_ms).to_london_display(),
            custos_store::retention::describe_sweep(&e.body)
        ),
        None => "Last sweep: none yet (a running server sweeps every hour)\n\n".to_owned(),
    });
    let header = vec![
        "camera".to_owned(),
        "keep".to_owned(),
        "oldest".to_owned(),
        "newest".to_owned(),
        "segments".to_owned(),
        "holds".to_owned(),
        format!("deleted ({days} days)"),
        "status".to_owned(),
    ];
    let mut lines = vec![header];
    for r in rows {
        lines.push(vec![
            format!("{}{}", r.camera, if r.retired { " (retired)" } else { "" }),
            format!("{} days", r.retention_days),
            when(r.oldest_unix_ms),
            when(r.newest_unix_ms),
            r.segments.to_string(),
            r.holds.len().to_string(),
            r.deleted_in_period.to_string(),
            status(r),
        ]);
    }
    let widths: Vec<usize> = (0..lines[0].len())
        .map(|i| {
            lines
                .iter()
                .map(|l| l[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for l in &lines {
        let cells: Vec<String> = l
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    if rows.is_empty() {
        out.push_str("(no cameras registered)\n");
    }
    out
}

fn csv(rows: &[CameraRetention]) -> String {
    let t = |m: Option<i64>| m.map(|m| UnixMs(m).to_rfc3339()).unwrap_or_default();
    custos_domain::csvfile::document(
        &[
            "camera",
            "name",
            "retired",
            "retention_days",
            "oldest",
            "newest",
            "segments",
            "holds",
            "deleted_in_period",
            "overdue_segments",
            "oldest_overdue",
            "flagged",
        ],
        rows.iter().map(|r| {
            [
                r.camera.to_string(),
                r.name.clone(),
                r.retired.to_string(),
                r.retention_days.to_string(),
                t(r.oldest_unix_ms),
                t(r.newest_unix_ms),
                r.segments.to_string(),
                r.holds.len().to_string(),
                r.deleted_in_period.to_string(),
                r.overdue_segments.to_string(),
                t(r.oldest_overdue_unix_ms),
                r.flagged().to_string(),
            ]
        }),
    )
}

fn json(
    rows: &[CameraRetention],
    last: Option<&custos_domain::ledger::StoredEntry>,
) -> anyhow::Result<String> {
    let t = |m: Option<i64>| m.map(|m| UnixMs(m).to_rfc3339());
    let cameras: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "camera": r.camera.as_str(),
                "name": r.name,
                "retired": r.retired,
                "retention_days": r.retention_days,
                "cutoff": UnixMs(r.cutoff_unix_ms).to_rfc3339(),
                "oldest": t(r.oldest_unix_ms),
                "newest": t(r.newest_unix_ms),
                "segments": r.segments,
                "holds": r.holds.iter().map(|(id, from, to, expires)| serde_json::json!({
                    "id": id,
                    "from": UnixMs(*from).to_rfc3339(),
                    "to": UnixMs(*to).to_rfc3339(),
                    "expires": UnixMs(*expires).to_rfc3339(),
                })).collect::<Vec<_>>(),
                "deleted_in_period": r.deleted_in_period,
                "overdue_segments": r.overdue_segments,
                "oldest_overdue": t(r.oldest_overdue_unix_ms),
                "flagged": r.flagged(),
            })
        })
        .collect();
    let last = last.map(|e| {
        serde_json::json!({
            "at": UnixMs(e.at_unix_ms).to_rfc3339(),
            "seq": e.seq,
            "result": serde_json::from_str::<serde_json::Value>(&e.body).unwrap_or_default(),
        })
    });
    let mut text = serde_json::to_string_pretty(&serde_json::json!({
        "last_sweep": last,
        "cameras": cameras,
    }))?;
    text.push('\n');
    Ok(text)
}

/// A time typed at the console: UK local time or RFC 3339, or a UK day (its start, or
/// with `end` the start of the next day).
pub(crate) fn time(text: &str, end: bool, what: &str) -> anyhow::Result<i64> {
    UnixMs::parse_uk_local(text)
        .or_else(|_| UnixMs::parse_bound(text, end))
        .map(|t| t.0)
        .map_err(|e| anyhow!("{what}: {e}"))
}

/// Checks that `name` is an enabled account whose roles give it `right` under the active
/// pack; `flag` names the option it came from, and `section` the pack's table that gives
/// the right.
pub(crate) async fn authoriser(
    store: &Store,
    name: &str,
    right: Right,
    flag: &str,
    section: &str,
) -> anyhow::Result<String> {
    store
        .authoriser_holding(name, right)
        .await
        .map(|u| u.to_string())
        .map_err(|e| anyhow!("{flag}: {e} (the roles in {section})"))
}

/// Checks that `name` may authorise deleting retained footage under the active pack, then
/// has them show they are at the console to do it, in their own name (ALT-8): their
/// password and second-factor code, typed by them ([`crate::users::present`]).
async fn deletion_authoriser(store: &Store, name: &str) -> anyhow::Result<String> {
    let who = authoriser(
        store,
        name,
        Right::AuthoriseDeletion,
        "--authorised-by",
        "[authorise.delete_retained]",
    )
    .await?;
    crate::users::present(store, &who, "--authorised-by").await?;
    Ok(who)
}

/// `custos hold …`
pub async fn hold(store: &Store, actor: &Actor, cmd: HoldCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        HoldCommand::Place {
            cameras,
            from,
            to,
            class,
            reason,
            owner,
            until,
            case_ref,
        } => {
            let owner_name = Username::parse(owner.trim()).map_err(|e| anyhow!("--owner: {e}"))?;
            if store.user(&owner_name).await?.is_none() {
                bail!(
                    "--owner: there is no account called {owner_name}; the owner answers for the hold, so name a person with an account"
                );
            }
            let cameras = cameras
                .iter()
                .map(|c| Ident::parse(c.trim()).map_err(|e| anyhow!("--camera {c:?}: {e}")))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let req = HoldRequest {
                cameras,
                from_unix_ms: time(&from, false, "--from")?,
                to_unix_ms: time(&to, true, "--to")?,
                class: Ident::parse(class.trim()).map_err(|e| anyhow!("--class: {e}"))?,
                reason,
                owner: owner_name.to_string(),
                until_unix_ms: until.map(|u| time(&u, true, "--until")).transpose()?,
                case_ref,
            };
            let h = store.place_hold(actor, &req).await?;
            println!(
                "Hold {} placed on {} from {} to {}; it expires {}.",
                h.id,
                h.cameras
                    .iter()
                    .map(Ident::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                UnixMs(h.from_unix_ms).to_london_display(),
                UnixMs(h.to_unix_ms).to_london_display(),
                UnixMs(h.expires_at_unix_ms).to_london_display()
            );
            Ok(ExitCode::SUCCESS)
        }
        HoldCommand::List { all } => {
            let holds = store.holds(all).await?;
            let now = store.clock().now().0;
            if holds.is_empty() {
                println!("No holds{}.", if all { "" } else { " in force" });
            }
            for h in holds {
                println!(
                    "{}  {}  {} to {}  class {}  owner {}  {}\n    reason: {}{}",
                    h.id,
                    h.cameras
                        .iter()
                        .map(Ident::to_string)
                        .collect::<Vec<_>>()
                        .join(","),
                    UnixMs(h.from_unix_ms).to_london_display(),
                    UnixMs(h.to_unix_ms).to_london_display(),
                    h.class,
                    h.owner,
                    if h.active(now) {
                        format!(
                            "expires {}",
                            UnixMs(h.expires_at_unix_ms).to_london_display()
                        )
                    } else {
                        format!(
                            "ended {}",
                            when(h.released_at_unix_ms.or(Some(h.expires_at_unix_ms)))
                        )
                    },
                    h.reason,
                    h.case_ref
                        .map(|c| format!("  (case {c})"))
                        .unwrap_or_default()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        HoldCommand::Release {
            id,
            reason,
            authorised_by,
        } => {
            let who = deletion_authoriser(store, &authorised_by).await?;
            store
                .release_hold(actor, id.trim(), &reason, Some(&who))
                .await
                .with_context(|| format!("cannot release hold {id}"))?;
            println!(
                "Hold {id} released; its footage goes at the next sweep if it is past retention."
            );
            Ok(ExitCode::SUCCESS)
        }
        HoldCommand::Shorten {
            id,
            until,
            reason,
            authorised_by,
        } => {
            let who = deletion_authoriser(store, &authorised_by).await?;
            let until = time(&until, true, "--until")?;
            store
                .shorten_hold(actor, id.trim(), until, &reason, Some(&who))
                .await
                .with_context(|| format!("cannot shorten hold {id}"))?;
            println!(
                "Hold {id} now expires {}.",
                UnixMs(until).to_london_display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The retention report's CSV goes through the one CSV writer: a camera named like a
    /// formula cannot run in a spreadsheet.
    #[test]
    fn the_retention_report_csv_defuses_formulas() {
        let row = CameraRetention {
            camera: custos_domain::Ident::parse("gate").expect("id"),
            name: "=HYPERLINK(\"http://evil.example\",\"gate\")".to_owned(),
            retired: false,
            retention_days: 31,
            cutoff_unix_ms: 0,
            oldest_unix_ms: None,
            newest_unix_ms: None,
            segments: 0,
            holds: Vec::new(),
            deleted_in_period: 0,
            overdue_segments: 0,
            oldest_overdue_unix_ms: None,
        };
        let out = csv(&[row]);
        let line = out.lines().nth(1).expect("a row");
        assert!(line.starts_with("gate,\"'=HYPERLINK("), "{line}");
        assert!(out.ends_with("\r\n"));
    }
}
