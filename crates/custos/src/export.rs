//! `custos export` and `custos package verify` (BDC-3, BDC-4, BDC-5): producing an evidence
//! package from the console, with a progress bar, and checking one anywhere, offline.
//!
//! Invariants: only the store makes packages (one way, ledgered); verification opens no
//! database and changes nothing, and exits non-zero naming the file on any mismatch.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::anyhow;
use custos_base::{Actor, UnixMs};
use custos_domain::Ident;
use custos_store::Store;
use custos_store::downloads::DownloadState;
use custos_store::evidence::{ExportRequest, ExportSummary};

use crate::config::Config;

/// Where packages made on the web wait to be downloaded (a day at most).
pub fn exports_dir(data: &Path) -> PathBuf {
    data.join("exports")
}

/// What `custos export` was given.
#[derive(Debug)]
pub struct Args {
    /// Camera ids.
    pub cameras: Vec<String>,
    /// From (UK time).
    pub from: String,
    /// To (UK time).
    pub to: String,
    /// Exhibit reference.
    pub exhibit: String,
    /// Who asked.
    pub requester: String,
    /// Who authorised.
    pub authoriser: String,
    /// Who receives it.
    pub recipient: String,
    /// What for.
    pub purpose: String,
    /// The case, if any.
    pub case_ref: Option<String>,
    /// The new folder.
    pub out: PathBuf,
    /// The evidence class to keep the scheme's copy under, if any.
    pub keep_as: Option<String>,
    /// Whether to encrypt it with a passphrase.
    pub encrypt: bool,
}

/// `custos export …`
pub async fn export(
    store: &Store,
    config: &Config,
    actor: &Actor,
    a: Args,
) -> anyhow::Result<ExitCode> {
    let cameras = a
        .cameras
        .iter()
        .map(|c| Ident::parse(c.trim()).map_err(|e| anyhow!("--camera {c}: {e}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let from = UnixMs::parse_uk_local(&a.from).map_err(|e| anyhow!("--from: {e}"))?;
    let to = UnixMs::parse_uk_local(&a.to).map_err(|e| anyhow!("--to: {e}"))?;
    let request = ExportRequest {
        exhibit: a.exhibit,
        cameras,
        from_unix_ms: from.0,
        to_unix_ms: to.0,
        requester: a.requester,
        authoriser: String::new(),
        recipient: a.recipient,
        purpose: a.purpose,
        case_ref: a.case_ref,
        keep_as: a
            .keep_as
            .as_deref()
            .map(|c| Ident::parse(c.trim()).map_err(|e| anyhow!("--keep-as {c}: {e}")))
            .transpose()?,
        encrypt: a.encrypt,
    };
    // ALT-8: the authoriser authorises in their own name, there at the console; the
    // request is checked before they are asked for their password.
    store.check_export(&request).await?;
    let authoriser = crate::users::present(store, &a.authoriser, "--authoriser").await?;
    let d = store.request_download(actor, &request).await?;
    let d = store.authorise_download(&authoriser, &d.id).await?;
    if d.state != DownloadState::Authorised {
        println!(
            "Download {} is recorded and authorised by {}; it still needs {}.",
            d.id,
            d.authorisers(),
            d.wanting_words()
        );
        println!(
            "Each of them runs: custos download authorise {} --as USER; then make it with: custos download make {} --out DIR",
            d.id, d.id
        );
        return Ok(ExitCode::SUCCESS);
    }
    make(store, config, actor, &d.id, &a.out).await
}

/// Makes the package of authorised download `id` in `out`, with a progress bar; Ctrl-C
/// stops it and removes what was written.
async fn make(
    store: &Store,
    config: &Config,
    actor: &Actor,
    id: &str,
    out: &Path,
) -> anyhow::Result<ExitCode> {
    let bar = progress_bar("exporting");
    let progress = |done: u64, total: u64| {
        if let Some(b) = &bar {
            b.set_length(total);
            b.set_position(done);
        }
    };
    let footage = crate::recorder::footage_dir(&config.data_dir);
    let export = store.produce_download(actor, &footage, out, id, &progress);
    // Ctrl-C stops the export; the store removes the unfinished package (decrypted
    // footage) as the export is dropped.
    let summary = tokio::select! {
        s = export => s,
        _ = tokio::signal::ctrl_c() => {
            if let Some(b) = &bar {
                b.finish_and_clear();
            }
            anyhow::bail!(
                "stopped: the unfinished package {} was removed, so no decrypted footage is left behind",
                out.display()
            );
        }
    };
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    print_summary(&summary?, out);
    println!(
        "Download {id}: record the recipient's viewing and the copy's destruction with `custos download viewed|destroy|destroyed {id}`."
    );
    Ok(ExitCode::SUCCESS)
}

/// `custos download …`
pub async fn download(
    store: &Store,
    config: &Config,
    actor: &Actor,
    cmd: crate::cli::DownloadCommand,
) -> anyhow::Result<ExitCode> {
    use crate::cli::DownloadCommand;
    let time = |t: &str, flag: &str| {
        UnixMs::parse_uk_local(t)
            .map(|t| t.0)
            .map_err(|e| anyhow!("{flag}: {e}"))
    };
    match cmd {
        DownloadCommand::List => {
            let all = store.downloads(false).await?;
            if all.is_empty() {
                println!("No downloads yet. Ask for one with: custos export …");
            }
            for d in all {
                let more = if d.wanting.is_empty() {
                    String::new()
                } else {
                    format!("; still needs {}", d.wanting_words())
                };
                println!(
                    "{}  exhibit {:<10} {}{more}; asked {} by {}",
                    d.id,
                    d.request.exhibit,
                    d.state.describe(),
                    UnixMs(d.requested_at_unix_ms).to_london_display(),
                    d.requested_by
                );
            }
        }
        DownloadCommand::Authorise { id, user } => {
            let who = crate::users::present(store, &user, "--as").await?;
            let d = store.authorise_download(&who, &id).await?;
            if d.state == DownloadState::Authorised {
                println!(
                    "Download {} is authorised by {}. Make it with: custos download make {} --out DIR",
                    d.id,
                    d.authorisers(),
                    d.id
                );
            } else {
                println!(
                    "Your authorisation of download {} is recorded; it still needs {}.",
                    d.id,
                    d.wanting_words()
                );
            }
        }
        DownloadCommand::Make { id, out } => return make(store, config, actor, &id, &out).await,
        DownloadCommand::Viewed { id, at, note } => {
            store
                .record_download_viewed(actor, &id, time(&at, "--at")?, &note)
                .await?;
            println!(
                "The viewing of download {} is recorded in the download log.",
                id.trim()
            );
        }
        DownloadCommand::Destroy { id, user, reason } => {
            let who = crate::users::present(store, &user, "--as").await?;
            store
                .authorise_download_deletion(&who, &id, &reason)
                .await?;
            println!(
                "Destroying the copy of download {} is authorised and its holds are released; record the destruction with `custos download destroyed {} --at TIME` once done.",
                id.trim(),
                id.trim()
            );
        }
        DownloadCommand::Destroyed { id, at, how } => {
            store
                .record_download_deleted(actor, &id, time(&at, "--at")?, &how)
                .await?;
            println!(
                "The destruction of download {}'s copy is recorded in the download log.",
                id.trim()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A progress bar for making a package, on a terminal only: "`what` ▕███  ▏ 1.2 GiB/1.8 GiB".
pub fn progress_bar(what: &str) -> Option<indicatif::ProgressBar> {
    std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(&format!(
                "{what} {{bar:40}} {{bytes}}/{{total_bytes}} ({{bytes_per_sec}}, {{eta}} left)"
            ))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    })
}

/// Says what package `s` in `out` is, its passphrase if encrypted (once), and how to check it.
pub fn print_summary(s: &ExportSummary, out: &Path) {
    println!(
        "Package {} written to {}: {} segment(s), {} bytes of master footage.",
        s.package_id,
        out.display(),
        s.segments,
        s.master_bytes
    );
    println!("SHA256SUMS has SHA-256 {}.", s.sums_sha256);
    if let Some((archive, passphrase)) = &s.encrypted {
        println!(
            "Encrypted as {} (the clear folder is removed).",
            archive.display()
        );
        println!("Passphrase (shown once; send it separately from the package): {passphrase}");
        println!("Open it with: age -d {} | tar -x", archive.display());
    }
    println!("Signed by {}.", s.signer_fingerprint);
    if s.encrypted.is_none() {
        println!(
            "Check it with: sha256sum -c SHA256SUMS; ssh-keygen -Y verify -f allowed_signers -I custos-evidence -n custos-evidence -s SHA256SUMS.sig < SHA256SUMS; custos package verify {}",
            out.display()
        );
    }
}

/// `custos package verify PATH`
pub fn verify(path: &Path) -> anyhow::Result<ExitCode> {
    match custos_evidence::verify::verify(path, custos_evidence::verify::same_samples) {
        Ok(v) => {
            println!(
                "Package intact: {} files match SHA256SUMS; signed by {}; {} segment(s) proved sealed at recording; {} working cop{} hold exactly the master's pictures.",
                v.files,
                v.signer_fingerprint,
                v.segments_proved,
                v.working_copies,
                if v.working_copies == 1 { "y" } else { "ies" }
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("Package NOT intact: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}
