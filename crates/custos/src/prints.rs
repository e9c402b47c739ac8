//! `custos print …`: the video print register at the console (BDC-34, BDC-18) — police
//! officers' written authorities, prints made from recorded footage under them, to whom
//! each was given, the authorisation of its destruction and its destruction, corrections,
//! the still and its sidecar, and the register as CSV or PDF in the columns the code names.
//!
//! Invariants: every change goes through the store (`Store::record_print_authority`,
//! `make_video_print`, `give_video_print`, `authorise_print_destruction`,
//! `destroy_video_print`, `correct_video_print`, `correct_print_authority`), which checks
//! the person named with `--as` against the pack's `[books.video-prints]` and ledgers it;
//! the entry's actor is whoever is at the console. A still is written out only for a keeper
//! or countersigner of the register, and ledgered.

use std::process::ExitCode;

use anyhow::{Context as _, anyhow};
use custos_base::{Actor, UnixMs};
use custos_domain::ledger::Book;
use custos_domain::prints::{
    Authority, AuthorityDraft, AuthorityField, CorrectionDraft, Given, Officer, Print, PrintField,
    Rank,
};
use custos_store::Store;
use custos_store::prints::AuthorityDocument;

use crate::cli::PrintCommand;
use crate::config::Config;
use crate::retention::time;

/// Prints authority `a` as it stands.
fn show_authority(a: &Authority) {
    let d = a.current();
    println!("{}", a.reference);
    for (label, value) in [
        ("Officer", d.officer.describe()),
        ("What it asks for", d.request.clone()),
        ("Dated", d.dated.map(|d| d.to_string()).unwrap_or_default()),
        (
            "Written authority",
            format!("{} (SHA-256 {})", a.document.name, a.document.sha256),
        ),
        ("Recorded by", a.recorded_by_name.clone()),
    ] {
        println!("  {label:<20} {value}");
    }
    for c in &a.corrections {
        println!("  correction           {}", c.describe());
    }
}

/// Prints print `p` as it stands.
fn show_print(p: &Print, a: Option<&Authority>) {
    println!("{}  {}", p.reference, p.status());
    for (col, value) in custos_domain::prints::COLUMNS
        .iter()
        .zip(custos_domain::prints::row(p, a))
        .skip(1)
        .filter(|(c, _)| **c != "Corrections")
    {
        println!(
            "  {:<28} {}",
            col,
            if value.is_empty() { "—" } else { &value }
        );
    }
    for c in &p.corrections {
        println!("  correction                   {}", c.describe());
    }
}

/// Writes `bytes` to `out`, or to standard output.
fn write_out(out: Option<&std::path::Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match out {
        Some(path) => {
            std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            use std::io::Write as _;
            std::io::stdout()
                .write_all(bytes)
                .context("cannot write to standard output")
        }
    }
}

/// `custos print …`
pub async fn run(
    store: &Store,
    config: &Config,
    actor: &Actor,
    cmd: PrintCommand,
) -> anyhow::Result<ExitCode> {
    let documents = crate::cases::documents_dir(&config.data_dir);
    let p = match cmd {
        PrintCommand::Authority {
            user,
            officer,
            rank,
            number,
            force,
            request,
            dated,
            document,
        } => {
            let keeper = store.subject_of(&user, None).await?;
            let rank = Rank::parse_words(&rank).map_err(anyhow::Error::msg)?;
            let dated = custos_domain::equipment::parse_day(&dated, "--dated")
                .map_err(anyhow::Error::msg)?;
            let contents = std::fs::read(&document)
                .with_context(|| format!("cannot read {}", document.display()))?;
            let a = store
                .record_print_authority(
                    actor,
                    &keeper,
                    &documents,
                    &AuthorityDraft {
                        officer: Officer {
                            name: officer,
                            rank,
                            number,
                            force,
                        },
                        request,
                        dated: Some(dated),
                        document_attached: !contents.is_empty(),
                    },
                    &AuthorityDocument {
                        name: document
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                        contents,
                    },
                )
                .await?;
            println!(
                "Recorded the written authority {} in the video print register.",
                a.reference
            );
            show_authority(&a);
            return Ok(ExitCode::SUCCESS);
        }
        PrintCommand::Make {
            user,
            authority,
            camera,
            at,
        } => {
            let keeper = store.subject_of(&user, None).await?;
            let camera =
                custos_domain::Ident::parse(camera.trim()).map_err(|e| anyhow!("--camera: {e}"))?;
            let moment = time(&at, false, "--at")?;
            let footage = crate::recorder::footage_dir(&config.data_dir);
            let p = store
                .make_video_print(
                    actor,
                    &keeper,
                    &footage,
                    &documents,
                    &custos_store::prints::NewPrint {
                        authority: &authority,
                        camera: &camera,
                        moment_unix_ms: moment,
                    },
                )
                .await?;
            println!(
                "Made {} under {}: a still of {} at {}.",
                p.reference,
                p.authority,
                p.source.camera_name,
                custos_domain::prints::moment_words(p.source.frame_unix_ms)
            );
            p
        }
        PrintCommand::Give {
            reference,
            user,
            to,
            organisation,
            at,
        } => {
            let keeper = store.subject_of(&user, None).await?;
            let at = match at {
                Some(t) => time(&t, false, "--at")?,
                None => store.clock().now().0,
            };
            store
                .give_video_print(
                    actor,
                    &keeper,
                    &reference,
                    &Given {
                        to,
                        organisation,
                        at_unix_ms: at,
                    },
                )
                .await?
        }
        PrintCommand::AuthoriseDestruction {
            reference,
            user,
            reason,
        } => {
            let signer = store.subject_of(&user, None).await?;
            store
                .authorise_print_destruction(actor, &signer, &reference, &reason)
                .await?
        }
        PrintCommand::Destroy { reference, user } => {
            let keeper = store.subject_of(&user, None).await?;
            let p = store
                .destroy_video_print(actor, &keeper, &documents, &reference)
                .await?;
            println!(
                "Recorded the destruction of {}: its still and sidecar are deleted.",
                p.reference
            );
            p
        }
        PrintCommand::Correct {
            reference,
            user,
            authority,
            field,
            value,
            reason,
        } => {
            let keeper = store.subject_of(&user, None).await?;
            if authority {
                let field: AuthorityField = field.trim().parse().map_err(anyhow::Error::msg)?;
                let a = store
                    .correct_print_authority(
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
                show_authority(&a);
                return Ok(ExitCode::SUCCESS);
            }
            let field: PrintField = field.trim().parse().map_err(anyhow::Error::msg)?;
            let value = if field.is_time() {
                time(&value, false, "--value")?.to_string()
            } else {
                value
            };
            store
                .correct_video_print(
                    actor,
                    &keeper,
                    &reference,
                    &CorrectionDraft {
                        field,
                        value,
                        reason,
                    },
                )
                .await?
        }
        PrintCommand::List | PrintCommand::Awaiting => {
            let prints = if matches!(cmd, PrintCommand::Awaiting) {
                store.prints_awaiting_destruction().await?
            } else {
                store.video_prints().await?
            };
            for p in prints {
                println!(
                    "{}  {}  {} at {}  under {}  {}",
                    p.reference,
                    UnixMs(p.made_at_unix_ms).to_london_display(),
                    p.source.camera_name,
                    custos_domain::prints::moment_words(p.source.frame_unix_ms),
                    p.authority,
                    p.status()
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        PrintCommand::Authorities => {
            for a in store.print_authorities().await? {
                let d = a.current();
                println!(
                    "{}  {}  dated {}",
                    a.reference,
                    d.officer.describe(),
                    d.dated.map(|d| d.to_string()).unwrap_or_default()
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        PrintCommand::Show { reference } => {
            if let Some(a) = store.print_authority(&reference).await? {
                show_authority(&a);
                return Ok(ExitCode::SUCCESS);
            }
            store.video_print(&reference).await?.ok_or_else(|| {
                anyhow!("there is no video print or written authority {reference}")
            })?
        }
        PrintCommand::Still {
            reference,
            user,
            out,
        } => {
            let person = store.subject_of(&user, None).await?;
            if store
                .book_role(&person, Book::VideoPrints, false)
                .await
                .is_err()
            {
                store.book_role(&person, Book::VideoPrints, true).await?;
            }
            let png = store
                .video_print_still(actor, &documents, &reference)
                .await?;
            write_out(Some(&out), &png)?;
            println!("Wrote the still of {reference} to {}.", out.display());
            return Ok(ExitCode::SUCCESS);
        }
        PrintCommand::Sidecar { reference, out } => {
            let json = store.video_print_sidecar(&documents, &reference).await?;
            write_out(out.as_deref(), &json)?;
            return Ok(ExitCode::SUCCESS);
        }
        PrintCommand::Csv { out } => {
            let csv = custos_domain::prints::csv(
                &store.video_prints().await?,
                &store.print_authorities().await?,
            );
            write_out(out.as_deref(), csv.as_bytes())?;
            return Ok(ExitCode::SUCCESS);
        }
        PrintCommand::Pdf { out } => {
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
            let pdf = custos_domain::prints::pdf(
                &pack.name,
                &store.video_prints().await?,
                &store.print_authorities().await?,
                created,
            );
            write_out(Some(&out), &pdf)?;
            println!("Wrote the video print register to {}.", out.display());
            return Ok(ExitCode::SUCCESS);
        }
    };
    let a = store.print_authority(&p.authority).await?;
    show_print(&p, a.as_ref());
    Ok(ExitCode::SUCCESS)
}
