//! `custos covert …`: covert surveillance authorisations from the console (LJM-4, LBU-11,
//! BDC-16) — recording one, a justice's approval, reviews, renewals and the cancellation.
//!
//! Invariants: every step goes through the store (`Store::open_covert`,
//! `Store::covert_step`), which checks it against the case's state machine and
//! `domain::covert`, and ledgers it; the scheme's own authorisation is recorded only in the
//! name of the person given with `--as`, who must act in a role the pack names.

use std::process::ExitCode;

use anyhow::anyhow;
use custos_base::{Actor, UnixMs};
use custos_domain::Ident;
use custos_domain::access::Subject;
use custos_domain::covert::{BodyKind, CrimeThreshold, Draft, Ground, Route, SurveillanceType};
use custos_store::Store;
use custos_store::covert::{CovertStep, NewCovert};

use crate::cli::CovertCommand;
use crate::retention::time;

fn day(text: &str, what: &str) -> anyhow::Result<jiff::civil::Date> {
    text.trim()
        .parse()
        .map_err(|_| anyhow!("{what}: give a day as YYYY-MM-DD"))
}

fn parse<T: std::str::FromStr<Err = String>>(text: &str) -> anyhow::Result<T> {
    text.trim().parse::<T>().map_err(anyhow::Error::msg)
}

/// Prints authorisation `reference` as it stands.
async fn show(store: &Store, reference: &str) -> anyhow::Result<()> {
    let c = store
        .covert(reference)
        .await?
        .ok_or_else(|| anyhow!("{reference} is not a covert surveillance authorisation"))?;
    println!("{}  {}", c.reference, c.status.describe());
    for r in &c.reviews {
        match &r.done {
            Some((at, by, _)) => println!(
                "  review     due {}, done {} by {by}",
                r.due_on,
                UnixMs(*at).to_london_display()
            ),
            None => println!("  review     due {}", r.due_on),
        }
    }
    for r in &c.renewals {
        println!(
            "  renewed    {} by {}",
            UnixMs(r.renewal.granted_at_unix_ms).to_london_display(),
            r.recorded_by
        );
    }
    if let Some(why) = &c.cancel_reason {
        println!("  cancelled  {why}");
    }
    Ok(())
}

/// `custos covert …`
pub async fn run(store: &Store, actor: &Actor, cmd: CovertCommand) -> anyhow::Result<ExitCode> {
    let now = store.clock().now().0;
    let (reference, step) = match cmd {
        CovertCommand::Open(open) => {
            let crate::cli::CovertOpen {
                summary,
                surveillance,
                body,
                organisation,
                urn,
                route,
                grounds,
                crime_threshold,
                rationale,
                until,
                authorised_by,
                cameras,
                areas,
                team,
                granted,
                first_review,
                user,
            } = *open;
            let recorder = match &user {
                Some(u) => store.subject_of(u, None).await?,
                None => Subject {
                    username: actor.to_string(),
                    disabled: false,
                    assignments: Vec::new(),
                    competence: custos_domain::access::Competence::default(),
                    absent_roles: Vec::new(),
                    client: None,
                },
            };
            let cameras = cameras
                .iter()
                .map(|c| Ident::parse(c.trim()).map_err(|e| anyhow!("--camera {c:?}: {e}")))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let new = NewCovert {
                draft: Draft {
                    surveillance: parse::<SurveillanceType>(&surveillance)?,
                    body: parse::<BodyKind>(&body)?,
                    organisation,
                    urn,
                    route: parse::<Route>(&route)?,
                    grounds: grounds
                        .iter()
                        .map(|g| parse::<Ground>(g))
                        .collect::<anyhow::Result<Vec<_>>>()?,
                    crime_threshold: crime_threshold
                        .map(|c| parse::<CrimeThreshold>(&c))
                        .transpose()?,
                    rationale,
                    until_unix_ms: until.map(|t| time(&t, true, "--until")).transpose()?,
                    authorised_by,
                    cameras,
                    team,
                    granted_at_unix_ms: match granted {
                        Some(g) => time(&g, false, "--granted")?,
                        None => now,
                    },
                    first_review_on: Some(day(&first_review, "--first-review")?),
                },
                areas,
                summary,
            };
            let c = store.open_covert(actor, &recorder, &new).await?;
            println!("Opened {}.", c.reference);
            (c.reference, None)
        }
        CovertCommand::ApproveJudicially { reference, at } => (
            reference,
            Some(CovertStep::ApproveJudicially {
                approved_at_unix_ms: match at {
                    Some(t) => time(&t, false, "--at")?,
                    None => now,
                },
            }),
        ),
        CovertCommand::Review {
            reference,
            findings,
            next_review,
        } => (
            reference,
            Some(CovertStep::Review {
                findings,
                next_review_on: day(&next_review, "--next-review")?,
            }),
        ),
        CovertCommand::Renew {
            reference,
            reasons,
            approved,
            until,
            next_review,
        } => (
            reference,
            Some(CovertStep::Renew {
                granted_at_unix_ms: None,
                jp_approved_at_unix_ms: approved
                    .map(|t| time(&t, false, "--approved"))
                    .transpose()?,
                until_unix_ms: until.map(|t| time(&t, true, "--until")).transpose()?,
                reasons,
                next_review_on: next_review.map(|d| day(&d, "--next-review")).transpose()?,
            }),
        ),
        CovertCommand::Cancel { reference, reason } => {
            (reference, Some(CovertStep::Cancel { reason }))
        }
    };
    if let Some(step) = step {
        let c = store.covert_step(actor, &reference, &step).await?;
        println!("{}: {} recorded.", c.reference, step.action().describe());
    }
    show(store, &reference).await?;
    Ok(ExitCode::SUCCESS)
}
