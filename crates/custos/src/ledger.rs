//! `custos ledger …` and `custos key show`: verifying the ledger, printing its head, and
//! exporting logbooks.

use std::io::{IsTerminal as _, Write as _};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use custos_domain::ledger::Book;
use custos_domain::logbook;
use custos_store::{LedgerQuery, read_witness};

use crate::cli::ExportFormat;
use crate::commands::open;
use crate::config::Config;
use crate::keys;

/// `custos key show`.
pub fn key_show(config: &Config) -> anyhow::Result<ExitCode> {
    let path = config.signing_key_path();
    let key = keys::load(&path)?;
    println!("Scheme signing key: {}", path.display());
    println!("Algorithm: Ed25519");
    println!(
        "Public key (hex): {}",
        custos_domain::ledger::to_hex(key.verifying_key().as_bytes())
    );
    println!("Fingerprint: {}", keys::fingerprint(&key));
    println!("OpenSSH: {}", keys::openssh_public(&key)?);
    Ok(ExitCode::SUCCESS)
}

/// The lines of every file witness (and of `extra` files, e.g. lines exported from a
/// syslog server), in order; `Err` when a configured witness file is missing or cannot be
/// read.
pub fn witness_lines(
    config: &Config,
    extra: &[std::path::PathBuf],
) -> anyhow::Result<Result<Vec<String>, String>> {
    let mut lines = Vec::new();
    for target in config.witness_targets()? {
        let Some(path) = target.file() else { continue };
        if !path.exists() {
            return Ok(Err(format!(
                "the witness file {} is missing, so the ledger cannot be checked against it (was it moved, deleted, or is its volume not mounted?)",
                path.display()
            )));
        }
        match read_witness(path) {
            Ok(l) => lines.extend(l),
            Err(e) => return Ok(Err(e.to_string())),
        }
    }
    for path in extra {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the witness lines in {}", path.display()))?;
        // Lines exported from a syslog server carry the message header before the line.
        lines.extend(text.lines().filter_map(|l| {
            l.find("custos-witness-v1 ")
                .or_else(|| l.find("custos-accept-v1 "))
                .map(|i| l[i..].trim_end().to_owned())
        }));
    }
    Ok(Ok(lines))
}

/// `custos ledger verify`.
pub async fn verify(
    config: &Config,
    from: Option<i64>,
    extra: &[std::path::PathBuf],
) -> anyhow::Result<ExitCode> {
    let from = from.unwrap_or(1);
    if from < 1 {
        bail!("--from must be an entry number, 1 or more");
    }
    let key = keys::load(&config.signing_key_path())?;
    let store = open(config).await?;
    store.require_current_schema().await?;
    let (total, _) = store.ledger_counts().await?;
    let witness = match witness_lines(config, extra)? {
        Ok(lines) => lines,
        Err(why) if total > 0 => {
            store.close().await;
            println!("LEDGER UNVERIFIED: {why}.");
            println!(
                "Nothing was changed. Until the witness is back, the ledger cannot be told from one rewritten by someone with the data folder; tell the scheme's DPO."
            );
            return Ok(ExitCode::FAILURE);
        }
        Err(_) => Vec::new(),
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(u64::try_from(total).unwrap_or(0));
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "verifying {bar:40} {pos}/{len} entries ({per_sec}, {eta} left)",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let result = store
        .verify_ledger(key.verifying_key(), from, &witness, |done| {
            if let Some(b) = &bar {
                b.set_position(done);
            }
        })
        .await?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    store.close().await;
    let places = config
        .witness_targets()?
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    match result {
        Ok(s) if s.entries > 0 && s.signed_to == 0 => {
            println!(
                "LEDGER UNVERIFIED: {} entries, but no signed checkpoint or witness line covers any of them, so the ledger cannot be told from one rewritten by someone with the data folder.",
                s.entries
            );
            println!(
                "Keep this database as it is and tell the scheme's DPO. Witnesses read: {places}."
            );
            Ok(ExitCode::FAILURE)
        }
        Ok(s) => {
            println!(
                "Ledger intact: {} entries{}, {} signed checkpoints, {} witness lines; head is entry {} ({}).",
                s.entries,
                if from > 1 {
                    format!(" from entry {from}")
                } else {
                    String::new()
                },
                s.checkpoints,
                s.witness_lines,
                s.head.0,
                s.head.1
            );
            if s.signed_to < s.head.0 {
                println!(
                    "Entries {} to {} are not covered by a signature yet (a running server signs new entries within {} seconds).",
                    s.signed_to + 1,
                    s.head.0,
                    config.ledger.checkpoint_within_seconds
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(p) => {
            println!("LEDGER DAMAGED: {p}.");
            println!(
                "Nothing was changed. Keep this database and the witnesses ({places}) as they are, and tell the scheme's DPO."
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

/// `custos ledger accept --reason TEXT`.
pub async fn accept(config: &Config, reason: &str) -> anyhow::Result<ExitCode> {
    let store = crate::commands::open_for_writing(config).await?;
    let result = store
        .accept_ledger(&crate::commands::console_actor(), reason)
        .await;
    crate::commands::finish(store).await?;
    let a = result?;
    println!(
        "Accepted the ledger as it stands: head entry {} ({}). Witness lines about entries after entry {} written before now no longer apply; the acceptance is in every witness and in the ledger.",
        a.seq, a.hash, a.agreed_to
    );
    Ok(ExitCode::SUCCESS)
}

/// `custos ledger alarms`.
pub async fn alarms(config: &Config) -> anyhow::Result<ExitCode> {
    let store = open(config).await?;
    store.require_current_schema().await?;
    let alarms = store.ledger_alarms().await?;
    let last = store.latest_verification().await?;
    store.close().await;
    match last {
        Some(v) if v.intact => println!(
            "Last verification: {}, intact ({} entries).",
            custos_base::UnixMs(v.at_unix_ms).to_london_display(),
            v.entries
        ),
        Some(v) => println!(
            "Last verification: {}, FAILED.",
            custos_base::UnixMs(v.at_unix_ms).to_london_display()
        ),
        None => println!("The ledger has not been verified by `custos serve` yet."),
    }
    if alarms.is_empty() {
        println!("No unacknowledged verification failures.");
        return Ok(ExitCode::SUCCESS);
    }
    for a in &alarms {
        println!(
            "ALARM entry {}: {} — {}",
            a.seq,
            custos_base::UnixMs(a.at_unix_ms).to_london_display(),
            a.problem
        );
    }
    println!("Acknowledge each with: custos ledger acknowledge SEQ --note \"what was done\"");
    Ok(ExitCode::FAILURE)
}

/// `custos ledger head`.
pub async fn head(config: &Config) -> anyhow::Result<ExitCode> {
    let store = open(config).await?;
    store.require_current_schema().await?;
    let head = store.ledger_head().await?;
    store.close().await;
    match head {
        Some((seq, hash)) => println!("{seq} {hash}"),
        None => println!("0 {}", custos_domain::ledger::GENESIS),
    }
    Ok(ExitCode::SUCCESS)
}

/// `custos ledger export`.
pub async fn export(
    config: &Config,
    book: &str,
    from: Option<&str>,
    to: Option<&str>,
    format: ExportFormat,
    output: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let book: Book = book.parse().map_err(anyhow::Error::msg)?;
    let from_unix_ms = from.map(|d| parse_bound(d, false)).transpose()?;
    let to_unix_ms = to.map(|d| parse_bound(d, true)).transpose()?;
    if let (Some(f), Some(t)) = (from_unix_ms, to_unix_ms)
        && f >= t
    {
        bail!("--from must be before --to");
    }
    let store = open(config).await?;
    store.require_current_schema().await?;
    let entries = store
        .ledger_entries(&LedgerQuery {
            book: Some(book),
            from_unix_ms,
            to_unix_ms,
            ..Default::default()
        })
        .await?;
    store.close().await;
    let mut text = String::new();
    match format {
        ExportFormat::Csv => {
            let table = logbook::table(book, &entries);
            text.push_str(&custos_domain::csvfile::document(
                &table.headers,
                &table.rows,
            ));
        }
        ExportFormat::Jsonl => {
            for e in &entries {
                text.push_str(&logbook::json_line(e));
                text.push('\n');
            }
        }
    }
    match output {
        Some(path) => {
            std::fs::write(path, &text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!(
                "Wrote {} entries of the {book} logbook to {}.",
                entries.len(),
                path.display()
            );
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .context("cannot write to the standard output")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A `--from`/`--to` value (see [`custos_base::UnixMs::parse_bound`]).
fn parse_bound(text: &str, end: bool) -> anyhow::Result<i64> {
    custos_base::UnixMs::parse_bound(text, end)
        .map(|t| t.0)
        .map_err(anyhow::Error::msg)
}

/// `custos ledger shift USER [--at TIME]`: the shift of `user` running at `at` (their
/// latest without it) as one log — signing on, each entry they made in their own name or
/// deputising, in a sentence, and signing off (BDC-36).
pub async fn shift(config: &Config, user: &str, at: Option<&str>) -> anyhow::Result<ExitCode> {
    let store = open(config).await?;
    store.require_current_schema().await?;
    let at = at
        .map(|t| crate::retention::time(t, false, "--at"))
        .transpose()?;
    let Some(shift) = store.shift_at(user, at).await? else {
        store.close().await;
        anyhow::bail!(
            "{user} has no shift {}; they sign on duty on the web (the banner's \"Sign on duty\")",
            if at.is_some() {
                "running at that time"
            } else {
                "yet"
            }
        );
    };
    let entries = store.shift_entries(&shift).await?;
    let mut names = custos_domain::ledger::Names::default();
    for u in store.users().await? {
        names.people.insert(u.username, u.display_name);
    }
    for c in store.cameras(true).await? {
        names.cameras.insert(c.id.to_string(), c.draft.name);
    }
    store.close().await;
    let when = |ms: i64| custos_base::UnixMs(ms).to_london_display();
    println!(
        "{}: on duty from {} to {}",
        names.person(&shift.username),
        when(shift.on_at_unix_ms),
        shift
            .off_at_unix_ms
            .map_or_else(|| "now (still on duty)".to_owned(), when)
    );
    for e in &entries {
        let body = match serde_json::from_str::<serde_json::Value>(&e.body) {
            Ok(serde_json::Value::Object(m)) => m,
            _ => serde_json::Map::new(),
        };
        let refs = custos_domain::ledger::parse_refs(&e.refs);
        println!(
            "  {}  {}",
            when(e.at_unix_ms),
            custos_domain::ledger::describe(&e.actor, &e.kind, &body, &refs, &names)
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::parse_bound;

    #[test]
    fn days_are_uk_days_and_to_includes_the_whole_day() {
        // 1 July is in British Summer Time (UTC+1).
        assert_eq!(
            parse_bound("2026-07-01", false).expect("date"),
            jiff::Timestamp::from_second(1_782_860_400)
                .expect("ts")
                .as_millisecond()
        );
        assert_eq!(
            parse_bound("2026-07-01", true).expect("date")
                - parse_bound("2026-07-01", false).expect("date"),
            86_400_000
        );
        assert!(parse_bound("1st July", false).is_err());
    }
}
