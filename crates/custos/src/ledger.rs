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

/// `custos ledger verify`.
pub async fn verify(config: &Config, from: Option<i64>) -> anyhow::Result<ExitCode> {
    let from = from.unwrap_or(1);
    if from < 1 {
        bail!("--from must be an entry number, 1 or more");
    }
    let key = keys::load(&config.signing_key_path())?;
    let witness_path = config.witness_path();
    let witness = read_witness(&witness_path)?;
    let store = open(config).await?;
    store.require_current_schema().await?;
    let (total, _) = store.ledger_counts().await?;
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
    match result {
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
            Ok(ExitCode::SUCCESS)
        }
        Err(p) => {
            println!("LEDGER DAMAGED: {p}.");
            println!(
                "Nothing was changed. Keep this database and the witness file ({}) as they are, and tell the scheme's DPO.",
                witness_path.display()
            );
            Ok(ExitCode::FAILURE)
        }
    }
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
