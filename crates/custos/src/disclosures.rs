//! `custos disclosure …` and `custos media …`: third-party requests for footage from the
//! console — opening one, its documents, the public-interest test, the release agreement,
//! the authorisation, the release as an evidence package, the disclosure log (LBU-19,
//! LBU-20, LBU-21, BDC-17, BDC-31, BDC-39) — and the register of physical media (BDC-32).
//!
//! Invariants: every step goes through the store, which applies the disclosure rules and
//! ledgers it; nothing here decides whether a release may go ahead.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, anyhow, bail};
use custos_base::{Actor, UnixMs};
use custos_domain::Ident;
use custos_domain::case::CaseKind;
use custos_domain::disclosure::{Category, DocumentKind, LegalBasis, RequestType, csv};
use custos_store::Store;
use custos_store::cases::NewCase;
use custos_store::disclosures::{Disclosure, DisclosureRequest, Medium, MediumEvent};

use crate::cli::{DisclosureCommand, MediaCommand};
use crate::config::Config;
use crate::retention::time;

fn print_disclosure(d: &Disclosure) {
    println!(
        "  category   {} ({})",
        d.category.as_str(),
        d.category.describe()
    );
    println!("  request    {}", d.request_type.describe());
    println!("  from       {}", d.organisation);
    println!(
        "  crime ref  {}",
        if d.crime_reference.is_empty() {
            "(none given)"
        } else {
            &d.crime_reference
        }
    );
    println!("  purpose    {}", d.purpose);
    for k in &d.documents {
        println!("  document   {k}");
    }
    if let Some(t) = &d.public_interest_test {
        println!("  public-interest test  {t}");
    }
    if let Some(a) = &d.agreement {
        println!(
            "  agreement  accepted by {} ({}) on {}, recorded by {}",
            a.recipient_name,
            a.organisation,
            UnixMs(a.accepted_at_unix_ms).to_london_display(),
            a.recorded_by
        );
    }
    if let Some(a) = &d.authorisation {
        println!(
            "  authorised by {} as {} on {}; legal basis: {}",
            a.username,
            a.role,
            UnixMs(a.at_unix_ms).to_london_display(),
            a.legal_basis.describe()
        );
    }
    for r in &d.releases {
        println!(
            "  released   {} to {} ({}): package {} (SHA256SUMS {})",
            r.handed_over_at,
            r.recipient_officer,
            r.recipient_organisation,
            r.package_id,
            r.package_sha256
        );
    }
}

/// Prints what a release of `reference` still needs (if `authoriser` authorised it), or
/// that it may go ahead; returns whether it may.
async fn print_check(
    store: &Store,
    reference: &str,
    authoriser: Option<&str>,
) -> anyhow::Result<bool> {
    let subject = match authoriser {
        Some(name) => Some(store.subject_of(name, None).await?),
        None => None,
    };
    match store.disclosure_check(reference, subject.as_ref()).await? {
        Ok(role) => {
            match authoriser {
                Some(u) => println!("  ready      {u} may authorise the release as {role}"),
                None => println!(
                    "  ready      everything is in; a person acting as {role} (or another role the pack allows) may authorise the release"
                ),
            }
            Ok(true)
        }
        Err(problems) => {
            for p in problems {
                println!("  needs      {p}");
            }
            Ok(false)
        }
    }
}

/// `custos disclosure …`
pub async fn run(
    store: &Store,
    config: &Config,
    actor: &Actor,
    cmd: DisclosureCommand,
) -> anyhow::Result<ExitCode> {
    match cmd {
        DisclosureCommand::Open {
            category,
            secondary,
            name,
            contact,
            organisation,
            purpose,
            crime_ref,
            cameras,
            from,
            to,
            received,
            channel,
        } => {
            let category: Category = category.parse().map_err(|e| anyhow!("--category: {e}"))?;
            let cameras = cameras
                .iter()
                .map(|c| Ident::parse(c.trim()).map_err(|e| anyhow!("--camera {c:?}: {e}")))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let received = match received {
                Some(r) => time(&r, false, "--received")?,
                None => store.clock().now().0,
            };
            let c = store
                .open_disclosure(
                    actor,
                    &NewCase {
                        kind: CaseKind::Disclosure,
                        received_at_unix_ms: received,
                        channel,
                        summary: format!(
                            "Request for footage from {} ({})",
                            organisation.trim(),
                            category
                        ),
                        requester_name: name,
                        requester_contact: contact,
                        details: String::new(),
                        sighting: None,
                        incident_at_unix_ms: None,
                        raised_late: false,
                    },
                    &DisclosureRequest {
                        category,
                        request_type: if secondary {
                            RequestType::Secondary
                        } else {
                            RequestType::Primary
                        },
                        organisation,
                        crime_reference: crime_ref.unwrap_or_default(),
                        purpose,
                        cameras,
                        from_unix_ms: time(&from, false, "--from")?,
                        to_unix_ms: time(&to, true, "--to")?,
                    },
                )
                .await?;
            println!(
                "Opened {}; its footage is {}.",
                c.reference,
                if c.holds.is_empty() {
                    "NOT held (see the warning in the server's log)".to_owned()
                } else {
                    format!("held ({})", c.holds.join(", "))
                }
            );
            print_check(store, &c.reference, None).await?;
        }
        DisclosureCommand::Show {
            reference,
            authoriser,
        } => {
            let d = store.disclosure(&reference).await?.ok_or_else(|| {
                anyhow!(
                    "{reference} is not a disclosure case; `custos case list --all` lists the cases"
                )
            })?;
            let c = store
                .case(&d.reference)
                .await?
                .ok_or_else(|| anyhow!("there is no case {reference}"))?;
            println!("{}  {}  {}", c.reference, c.kind, c.state);
            println!(
                "  requester  {} <{}>",
                c.requester_name, c.requester_contact
            );
            crate::cases::print_footage(&c);
            print_disclosure(&d);
            if let Some((decision, reasons)) = &c.decision {
                println!("  decision   {decision}: {reasons}");
            } else {
                print_check(store, &d.reference, authoriser.as_deref()).await?;
            }
        }
        DisclosureCommand::CrimeRef {
            reference,
            crime_ref,
        } => {
            store
                .set_crime_reference(actor, &reference, &crime_ref)
                .await?;
            println!("Crime reference recorded for {reference}.");
        }
        DisclosureCommand::Document {
            reference,
            kind,
            file,
            media_type,
        } => {
            let kind: DocumentKind = kind.parse().map_err(|e| anyhow!("--kind: {e}"))?;
            if kind == DocumentKind::PublicInterestTest {
                bail!(
                    "the public-interest test is recorded in words: `custos disclosure public-interest {reference} TEXT`"
                );
            }
            let contents =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "document".to_owned());
            let doc = store
                .add_disclosure_document(
                    actor,
                    &crate::cases::documents_dir(&config.data_dir),
                    &reference,
                    kind,
                    &name,
                    &media_type,
                    &contents,
                )
                .await?;
            println!(
                "Kept {} ({}) with {reference} as document {}, encrypted.",
                doc.name,
                kind.describe(),
                doc.id
            );
            print_check(store, &reference, None).await?;
        }
        DisclosureCommand::PublicInterest { reference, text } => {
            store
                .record_public_interest_test(actor, &reference, &text)
                .await?;
            println!("Public-interest test recorded for {reference}.");
            print_check(store, &reference, None).await?;
        }
        DisclosureCommand::Agreement {
            reference,
            recipient,
            organisation,
            accept,
        } => {
            if accept {
                let a = store
                    .accept_release_agreement(actor, &reference, &recipient, &organisation)
                    .await?;
                println!("{}", a.text);
                println!(
                    "Accepted by {} ({}) on {}.",
                    a.recipient_name,
                    a.organisation,
                    UnixMs(a.accepted_at_unix_ms).to_london_display()
                );
                print_check(store, &reference, None).await?;
            } else {
                println!(
                    "{}",
                    store
                        .release_agreement(&reference, &recipient, &organisation)
                        .await?
                );
                println!(
                    "Once the recipient has read and accepts it: custos disclosure agreement {reference} --recipient {recipient:?} --organisation {organisation:?} --accept"
                );
            }
        }
        DisclosureCommand::Authorise {
            reference,
            authoriser,
            legal_basis,
        } => {
            let basis = legal_basis
                .map(|b| {
                    b.parse::<LegalBasis>()
                        .map_err(|e| anyhow!("--legal-basis: {e}"))
                })
                .transpose()?;
            let who = crate::users::present(store, &authoriser, "--authoriser").await?;
            let c = store.authorise_disclosure(&who, &reference, basis).await?;
            let Some((_, reasons)) = c.decision else {
                let (_, wanting) = store.disclosure_authorisations(&c.reference).await?;
                let words: Vec<String> = wanting
                    .iter()
                    .map(|g| {
                        g.iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(" or ")
                    })
                    .collect();
                println!(
                    "{}'s authorisation of {} is recorded; the release still needs {}, each a different person (custos disclosure authorise {} --authoriser USER).",
                    who.username,
                    c.reference,
                    words.join(", and "),
                    c.reference
                );
                return Ok(ExitCode::SUCCESS);
            };
            println!("{} authorised for release: {reasons}", c.reference);
            println!(
                "Release it with: custos disclosure release {} --exhibit REF --out DIR --encrypt",
                c.reference
            );
        }
        DisclosureCommand::Release {
            reference,
            exhibit,
            out,
            encrypt,
        } => {
            let bar = crate::export::progress_bar("releasing");
            let progress = |done: u64, total: u64| {
                if let Some(b) = &bar {
                    b.set_length(total);
                    b.set_position(done);
                }
            };
            let summary = store
                .release_disclosure(
                    actor,
                    &crate::recorder::footage_dir(&config.data_dir),
                    &out,
                    &reference,
                    &exhibit,
                    encrypt,
                    &progress,
                )
                .await;
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            let s = summary?;
            crate::export::print_summary(&s, &out);
            println!(
                "Written to the disclosure log. A package handed over on a disc or stick goes in the media register: custos media issue --package {} --case {reference} …",
                s.package_id
            );
        }
        DisclosureCommand::Log { from, to, csv: out } => {
            let from = from.map(|f| time(&f, false, "--from")).transpose()?;
            let to = to.map(|t| time(&t, true, "--to")).transpose()?;
            let rows = store.disclosure_log(from, to).await?;
            match out {
                Some(path) => write_csv(&path, &csv(&rows))?,
                None if rows.is_empty() => println!("Nothing has been disclosed."),
                None => {
                    for r in &rows {
                        println!(
                            "{}  {}  {} ({})  crime ref {}  {}  package {} sha256 {}  authorised by {}",
                            r.handed_over_at,
                            r.case_reference,
                            r.recipient_officer,
                            r.recipient_organisation,
                            if r.crime_reference.is_empty() {
                                "-"
                            } else {
                                &r.crime_reference
                            },
                            r.legal_basis,
                            r.package_id,
                            r.package_sha256,
                            r.authorised_by
                        );
                        println!("    {}", r.description_of_images);
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn write_csv(path: &Path, text: &str) -> anyhow::Result<()> {
    if path == Path::new("-") {
        print!("{text}");
        Ok(())
    } else {
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
    }
}

fn print_medium(m: &Medium) {
    println!(
        "{}  package {}  {}  to {} ({}) on {} by {}{}",
        m.reference,
        m.package_id,
        m.description,
        m.issued_to,
        m.organisation,
        UnixMs(m.issued_at_unix_ms).to_london_display(),
        m.issued_by,
        m.case_reference
            .as_deref()
            .map(|c| format!(", case {c}"))
            .unwrap_or_default()
    );
    if let Some(t) = m.returned_at_unix_ms {
        println!("    returned {}", UnixMs(t).to_london_display());
    }
    if let Some(t) = m.erased_at_unix_ms {
        println!("    erased   {}", UnixMs(t).to_london_display());
    }
    for line in m.remarks.lines() {
        println!("    remark   {line}");
    }
}

/// `custos media …`
pub async fn media(store: &Store, actor: &Actor, cmd: MediaCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        MediaCommand::Issue {
            package,
            description,
            issued_to,
            organisation,
            case_ref,
            remarks,
        } => {
            let m = store
                .issue_medium(
                    actor,
                    &package,
                    case_ref.as_deref(),
                    &description,
                    &issued_to,
                    &organisation,
                    &remarks,
                )
                .await?;
            println!(
                "Registered as {}: write this reference on the medium.",
                m.reference
            );
            print_medium(&m);
        }
        MediaCommand::Returned { reference, remarks } => {
            let m = store
                .medium_event(actor, &reference, MediumEvent::Returned, &remarks)
                .await?;
            print_medium(&m);
        }
        MediaCommand::Erased { reference, remarks } => {
            let m = store
                .medium_event(actor, &reference, MediumEvent::Erased, &remarks)
                .await?;
            print_medium(&m);
        }
        MediaCommand::List => {
            let all = store.media_register().await?;
            if all.is_empty() {
                println!("No media registered.");
            }
            for m in &all {
                print_medium(m);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
