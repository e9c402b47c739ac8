//! Police control of the control room on the case engine (BDC-25): each request by the
//! police to take partial or total control is a case of kind `police-control`
//! (`POL-2026-0001`) whose details live in `case_police_control` and
//! `police_control_cameras`, keyed by the case's reference. The rules — ranks, what a
//! request needs, which cameras it affects, how a period stands — are
//! `custos_domain::police_control`'s; this module stores, loads and ledgers.
//!
//! Invariants:
//! - Every change writes its ledger entry (book `case`) in the same transaction: the
//!   request (`case-opened`, with the type of control, the officer's rank and force and how
//!   many cameras), the agreement (`case-agree`, with the role the representative acted in
//!   and the start), a refusal (`case-decide`), a withdrawal (`case-withdraw`) and the
//!   hand-back (`case-hand-back`, with the end and how many notes the period has). The
//!   officer's name and number and the request's reason stay with the case (the ledger
//!   cannot forget); the reason's SHA-256 stands in.
//! - A pack whose `[authorise.police_control]` has `allowed = false` refuses every request
//!   before anything is written.
//! - Agreement and refusal are given only by someone acting in a role of the pack's
//!   `[authorise.police_control]` — for total control `[authorise.police_control_total]`
//!   where the pack has it — (`access::decide_authority`, deputies of equal standing
//!   included), recorded in their own name, and agreement only once the written request is
//!   kept with the case as a document of kind [`WRITTEN_REQUEST`] (only requests made in
//!   writing are considered; any other document does not count).
//! - The state moves only through `domain::case::transition`; `Store::act_on_case` refuses
//!   these steps, which carry more than a reason.
//! - What was done while the police had control is the case's notes made during the period
//!   ([`PoliceControl::during`]); nothing here deletes a case.

use std::path::Path;

use custos_base::{Actor, UnixMs};
use custos_domain::Ident;
use custos_domain::access::{Right, Subject};
use custos_domain::case::{Action, CaseKind, CaseState, Decision, transition};
use custos_domain::ledger::{Book, NewEntry, Reference, to_hex};
use custos_domain::police_control::{self, ControlStatus, ControlType, Draft, Officer, PoliceRank};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::cases::{Case, CaseNote, NewCase};
use crate::error::{StoreError, StoreResult};
use crate::store::{Store, WriteTx};

/// The kind under which the written request is kept with its case.
pub const WRITTEN_REQUEST: &str = "police-written-request";

/// The written request as received (the secure e-mail, a scanned letter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenRequest {
    /// Its file name.
    pub name: String,
    /// Its media type, e.g. `text/plain` or `application/pdf`.
    pub media_type: String,
    /// Its contents.
    pub contents: Vec<u8>,
}

/// A new request as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPoliceControl {
    /// The request (checked by `police_control::validate`).
    pub draft: Draft,
    /// The case's line on the dashboard.
    pub summary: String,
    /// The written request, kept with the case as a document.
    pub written: Option<WrittenRequest>,
}

/// A step on a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoliceStep {
    /// The owners' representative agrees; control starts at this time (now when `None`).
    Agree {
        /// When control starts.
        starts_at_unix_ms: Option<i64>,
    },
    /// The owners' representative refuses, with the reasons.
    Refuse {
        /// Why.
        reasons: String,
    },
    /// The police withdraw the request before it is answered.
    Withdraw {
        /// Why.
        reason: String,
    },
    /// The police hand control back at this time (now when `None`).
    HandBack {
        /// When.
        at_unix_ms: Option<i64>,
    },
}

impl PoliceStep {
    /// The case engine's action for this step.
    pub fn action(&self) -> Action {
        match self {
            Self::Agree { .. } => Action::Agree,
            Self::Refuse { .. } => Action::Decide(Decision::Refuse),
            Self::Withdraw { .. } => Action::Withdraw,
            Self::HandBack { .. } => Action::HandBack,
        }
    }

    /// Whether the step is the owners' representative's to take.
    fn needs_representative(&self) -> bool {
        matches!(self, Self::Agree { .. } | Self::Refuse { .. })
    }
}

/// A request with everything recorded about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoliceControl {
    /// Its case's reference.
    pub reference: String,
    /// Who asked.
    pub officer: Officer,
    /// Partial or total.
    pub control: ControlType,
    /// Why, as the request states it.
    pub reason: String,
    /// When the written request came.
    pub requested_at_unix_ms: i64,
    /// The cameras a partial control affects (none listed for total control: all).
    pub cameras: Vec<Ident>,
    /// Who agreed (their user name) and the pack role they acted in.
    pub agreed: Option<(String, String)>,
    /// When they agreed.
    pub agreed_at_unix_ms: Option<i64>,
    /// When control starts or started.
    pub starts_at_unix_ms: Option<i64>,
    /// When control was handed back.
    pub ends_at_unix_ms: Option<i64>,
    /// Who recorded the hand-back (ledger actor text).
    pub handed_back_by: Option<String>,
    /// How it stands now.
    pub status: ControlStatus,
}

impl PoliceControl {
    /// Whether it affects `camera` (total control: every camera).
    pub fn affects(&self, camera: &Ident) -> bool {
        police_control::affects(self.control, &self.cameras, camera)
    }

    /// Of `notes`, those made while the police had control: what was done under it.
    pub fn during<'a>(&self, notes: &'a [CaseNote]) -> Vec<&'a CaseNote> {
        let Some(from) = self.starts_at_unix_ms else {
            return Vec::new();
        };
        let to = self.ends_at_unix_ms.unwrap_or(i64::MAX);
        notes
            .iter()
            .filter(|n| n.at_unix_ms >= from && n.at_unix_ms <= to)
            .collect()
    }
}

/// What `open_case_with` writes for a request, checked.
#[derive(Debug, Clone)]
pub(crate) struct Intake {
    pub(crate) draft: Draft,
}

fn case_ref(reference: &str) -> StoreResult<Reference> {
    Reference::new("case", reference).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn sha256(text: &str) -> String {
    to_hex(&Sha256::digest(text.trim().as_bytes()))
}

/// Records `intake` for case `reference` (called by `open_case_with`, inside its
/// transaction); returns the fields for the `case-opened` entry.
pub(crate) async fn insert(
    tx: &mut WriteTx,
    reference: &str,
    intake: &Intake,
) -> StoreResult<Vec<(&'static str, String)>> {
    let d = &intake.draft;
    sqlx::query(
        "INSERT INTO case_police_control (reference, officer_name, officer_rank, \
         officer_number, force, control, reason, requested_at_unix_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(reference)
    .bind(d.officer.name.trim())
    .bind(d.officer.rank.as_str())
    .bind(d.officer.number.trim())
    .bind(d.officer.force.trim())
    .bind(d.control.as_str())
    .bind(d.reason.trim())
    .bind(d.requested_at_unix_ms)
    .execute(tx.conn())
    .await
    .map_err(StoreError::db("recording a police request for control"))?;
    let cameras: &[Ident] = match d.control {
        ControlType::Partial => &d.cameras,
        ControlType::Total => &[],
    };
    for c in cameras {
        sqlx::query("INSERT INTO police_control_cameras (reference, camera_id) VALUES ($1, $2)")
            .bind(reference)
            .bind(c.as_str())
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("recording the cameras asked for"))?;
    }
    Ok(vec![
        ("control", d.control.as_str().to_owned()),
        ("rank", d.officer.rank.as_str().to_owned()),
        ("force", d.officer.force.trim().to_owned()),
        (
            "cameras",
            match d.control {
                ControlType::Total => "all".to_owned(),
                ControlType::Partial => cameras.len().to_string(),
            },
        ),
        ("reason_sha256", sha256(&d.reason)),
    ])
}

impl Store {
    /// Opens a police request to take control (ledgered `case-opened`), checked by
    /// `police_control::validate` against the pack (a pack that does not allow police
    /// control refuses it with the reason) and its cameras against the register; the
    /// written request, if given, is kept with the case under `documents`.
    pub async fn open_police_control(
        &self,
        actor: &Actor,
        documents: Option<&Path>,
        new: &NewPoliceControl,
    ) -> StoreResult<Case> {
        let policy = self
            .active_policy()
            .await?
            .ok_or_else(|| StoreError::Invalid("no policy pack is loaded".to_owned()))?;
        let mut draft = new.draft.clone();
        let authority = policy
            .pack
            .authorise
            .police_control_for(draft.control == ControlType::Total);
        if let Some(why) = police_control::refusal(authority) {
            return Err(StoreError::Forbidden(why));
        }
        if draft.control == ControlType::Total {
            draft.cameras.clear();
        }
        let mut problems = match police_control::validate(&draft, authority) {
            Ok(()) => Vec::new(),
            Err(p) => p,
        };
        if draft.requested_at_unix_ms > self.clock().now().0 {
            problems.push("the time of the request is in the future".to_owned());
        }
        for c in &draft.cameras {
            if self.camera(c).await?.is_none() {
                problems.push(format!(
                    "there is no camera {c}; `custos camera list` shows the register"
                ));
            }
        }
        if new.summary.trim().is_empty() {
            problems.push("say in a line what the request is about".to_owned());
        }
        if new.written.is_some() && documents.is_none() {
            problems.push(
                "this server keeps no case documents, so the written request cannot be kept here"
                    .to_owned(),
            );
        }
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems.join("; ")));
        }
        let case = NewCase {
            kind: CaseKind::PoliceControl,
            received_at_unix_ms: draft.requested_at_unix_ms,
            channel: "staff".to_owned(),
            summary: new.summary.clone(),
            requester_name: format!(
                "{} {}",
                draft.officer.rank.describe(),
                draft.officer.name.trim()
            ),
            requester_contact: draft.officer.force.trim().to_owned(),
            details: String::new(),
            sighting: None,
            incident_at_unix_ms: None,
            raised_late: false,
        };
        let intake = Intake { draft };
        let (opened, _) = self
            .open_case_with(actor, &case, None, None, None, Some(&intake))
            .await?;
        if let (Some(w), Some(dir)) = (&new.written, documents) {
            self.add_police_written_request(actor, dir, &opened.reference, w)
                .await?;
        }
        Ok(opened)
    }

    /// Keeps the police's written request with request `reference` as its written request
    /// (encrypted under `documents`, ledgered `case-document-added` with kind
    /// [`WRITTEN_REQUEST`]): the document agreement waits for.
    pub async fn add_police_written_request(
        &self,
        actor: &Actor,
        documents: &std::path::Path,
        reference: &str,
        written: &WrittenRequest,
    ) -> StoreResult<crate::cases::CaseDocument> {
        let (case, _) = self.require_police_control(reference).await?;
        self.add_case_document_of_kind(
            actor,
            documents,
            &case.reference,
            Some(WRITTEN_REQUEST),
            &written.name,
            &written.media_type,
            &written.contents,
        )
        .await
    }

    /// The police request of case `reference`, with how it stands now; `None` if the case
    /// is not one.
    pub async fn police_control(&self, reference: &str) -> StoreResult<Option<PoliceControl>> {
        let get = StoreError::db("reading a police request for control");
        let Some(r) = sqlx::query(
            "SELECT p.officer_name, p.officer_rank, p.officer_number, p.force, p.control, \
             p.reason, p.requested_at_unix_ms, p.agreed_by, p.agreed_role, \
             p.agreed_at_unix_ms, p.starts_at_unix_ms, p.ends_at_unix_ms, p.handed_back_by, \
             c.state FROM case_police_control p JOIN cases c ON c.reference = p.reference \
             WHERE p.reference = $1",
        )
        .bind(reference.trim())
        .fetch_optional(self.pool())
        .await
        .map_err(get)?
        else {
            return Ok(None);
        };
        let reference = reference.trim().to_owned();
        let corrupt = |e: String| StoreError::Corrupt(format!("police request {reference}: {e}"));
        let text = |i: usize| r.try_get::<String, _>(i).map_err(get);
        let opt = |i: usize| r.try_get::<Option<String>, _>(i).map_err(get);
        let opt_ms = |i: usize| r.try_get::<Option<i64>, _>(i).map_err(get);
        let cameras = sqlx::query(
            "SELECT camera_id FROM police_control_cameras WHERE reference = $1 ORDER BY camera_id",
        )
        .bind(&reference)
        .fetch_all(self.pool())
        .await
        .map_err(get)?
        .iter()
        .map(|x| {
            let id: String = x.try_get(0).map_err(get)?;
            Ident::parse(&id).map_err(|e| corrupt(e.to_string()))
        })
        .collect::<StoreResult<Vec<_>>>()?;
        let state: CaseState = text(13)?.parse().map_err(corrupt)?;
        let starts = opt_ms(10)?;
        let ends = opt_ms(11)?;
        let now = self.clock().now().0;
        Ok(Some(PoliceControl {
            officer: Officer {
                name: text(0)?,
                rank: text(1)?.parse::<PoliceRank>().map_err(corrupt)?,
                number: text(2)?,
                force: text(3)?,
            },
            control: text(4)?.parse::<ControlType>().map_err(corrupt)?,
            reason: text(5)?,
            requested_at_unix_ms: r.try_get(6).map_err(get)?,
            cameras,
            agreed: match (opt(7)?, opt(8)?) {
                (Some(by), Some(role)) => Some((by, role)),
                _ => None,
            },
            agreed_at_unix_ms: opt_ms(9)?,
            starts_at_unix_ms: starts,
            ends_at_unix_ms: ends,
            handed_back_by: opt(12)?,
            status: police_control::status(state, starts, ends, now),
            reference,
        }))
    }

    async fn require_police_control(&self, reference: &str) -> StoreResult<(Case, PoliceControl)> {
        let case = self.case(reference).await?.ok_or_else(|| {
            StoreError::NotFound(format!(
                "there is no case {reference}; references look like POL-2026-0001"
            ))
        })?;
        let p = self.police_control(&case.reference).await?.ok_or_else(|| {
            StoreError::Invalid(format!(
                "{} is not a police request to take control",
                case.reference
            ))
        })?;
        Ok((case, p))
    }

    /// Takes `step` on police request `reference` (checked by the case's state machine and
    /// `domain::police_control`), ledgered in the same transaction as the change. Agreement
    /// and refusal are given by `representative`, who must act in a role of the pack's
    /// `[authorise.police_control]`; `actor` is who the web or the console found them
    /// acting as. Returns the case as it now is.
    pub async fn police_control_step(
        &self,
        actor: &Actor,
        representative: Option<&Subject>,
        reference: &str,
        step: &PoliceStep,
    ) -> StoreResult<Case> {
        let (case, p) = self.require_police_control(reference).await?;
        let action = step.action();
        let next = transition(case.kind, case.state, case.progress(), action)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let pack = self
            .active_policy()
            .await?
            .ok_or_else(|| StoreError::Invalid("no policy pack is loaded".to_owned()))?
            .pack;
        let now = self.clock().now().0;
        let mut actor = actor.clone();
        let mut role = None;
        if step.needs_representative() {
            let authority = pack
                .authorise
                .police_control_for(p.control == ControlType::Total);
            if let Some(why) = police_control::refusal(authority) {
                return Err(StoreError::Forbidden(why));
            }
            let who = representative.ok_or_else(|| {
                StoreError::Forbidden(
                    "name the owners' representative who answers the request".to_owned(),
                )
            })?;
            let table = self.rights_table().await?;
            let targets = self.targets_of(&p.cameras).await?;
            let (r, grant) = custos_domain::access::decide_authority(
                &table,
                who,
                Right::WorkCases,
                &authority.roles,
                &targets,
            )
            .map_err(|d| {
                StoreError::Forbidden(format!(
                    "a police request to take control is answered only by the owners' most senior representative available, in their own name ({}): {d}",
                    authority
                        .roles
                        .iter()
                        .map(|r| custos_domain::role::role_words(r.as_str()))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ))
            })?;
            if let Some(for_roles) = grant.deputy_for() {
                actor = Actor::Deputy {
                    user: who.username.clone(),
                    for_roles,
                };
            }
            role = Some((who.username.clone(), r.to_string()));
        }
        let mut entry = NewEntry::new(Book::Case, action.ledger_kind())
            .with_ref(case_ref(&case.reference)?)
            .with("from", case.state.as_str())
            .with("to", next.as_str());
        let documents = self.case_documents(&case.reference).await?;
        let notes = self.case_notes(&case.reference).await?;
        let mut tx = self.write().await?;
        match step {
            PoliceStep::Agree { starts_at_unix_ms } => {
                if !documents
                    .iter()
                    .any(|d| d.kind.as_deref() == Some(WRITTEN_REQUEST))
                {
                    return Err(StoreError::Invalid(
                        "keep the police's written request with the case first (\"Keep the written request\" on its page): only requests made in writing are considered".to_owned(),
                    ));
                }
                let starts = starts_at_unix_ms.unwrap_or(now);
                police_control::check_start(p.requested_at_unix_ms, starts)
                    .map_err(StoreError::Invalid)?;
                let (by, r) = role.clone().unwrap_or_default();
                sqlx::query(
                    "UPDATE case_police_control SET agreed_by = $1, agreed_role = $2, \
                     agreed_at_unix_ms = $3, starts_at_unix_ms = $4 WHERE reference = $5",
                )
                .bind(&by)
                .bind(&r)
                .bind(now)
                .bind(starts)
                .bind(&case.reference)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("recording the agreement"))?;
                entry = entry
                    .with("control", p.control.as_str())
                    .with("agreed_by", by)
                    .with("role", r)
                    .with("starts", UnixMs(starts).to_rfc3339());
            }
            PoliceStep::Refuse { reasons } => {
                if reasons.trim().chars().count() < 10 {
                    return Err(StoreError::Invalid(
                        "say why the request is refused: it goes into the case's record".to_owned(),
                    ));
                }
                sqlx::query(
                    "UPDATE cases SET decision = $1, decision_reasons = $2, \
                     closed_at_unix_ms = $3 WHERE reference = $4",
                )
                .bind(Decision::Refuse.as_str())
                .bind(reasons.trim())
                .bind(now)
                .bind(&case.reference)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("refusing a request"))?;
                let (by, r) = role.clone().unwrap_or_default();
                entry = entry
                    .with("decision", Decision::Refuse.as_str())
                    .with("reasons", reasons.trim())
                    .with("refused_by", by)
                    .with("role", r);
            }
            PoliceStep::Withdraw { reason } => {
                if reason.trim().chars().count() < 5 {
                    return Err(StoreError::Invalid(
                        "say why the police withdrew the request".to_owned(),
                    ));
                }
                sqlx::query("UPDATE cases SET closed_at_unix_ms = $1 WHERE reference = $2")
                    .bind(now)
                    .bind(&case.reference)
                    .execute(tx.conn())
                    .await
                    .map_err(StoreError::db("withdrawing a request"))?;
                entry = entry.with("reason", reason.trim());
            }
            PoliceStep::HandBack { at_unix_ms } => {
                let starts = p.starts_at_unix_ms.unwrap_or(now);
                let ends = police_control::check_hand_back(starts, at_unix_ms.unwrap_or(now), now)
                    .map_err(StoreError::Invalid)?;
                sqlx::query(
                    "UPDATE case_police_control SET ends_at_unix_ms = $1, handed_back_by = $2 \
                     WHERE reference = $3",
                )
                .bind(ends)
                .bind(actor.to_string())
                .bind(&case.reference)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("recording the hand-back"))?;
                sqlx::query("UPDATE cases SET closed_at_unix_ms = $1 WHERE reference = $2")
                    .bind(now)
                    .bind(&case.reference)
                    .execute(tx.conn())
                    .await
                    .map_err(StoreError::db("recording the hand-back"))?;
                let mut ended = p.clone();
                ended.ends_at_unix_ms = Some(ends);
                entry = entry
                    .with("control", p.control.as_str())
                    .with("started", UnixMs(starts).to_rfc3339())
                    .with("ended", UnixMs(ends).to_rfc3339())
                    .with("notes", ended.during(&notes).len());
            }
        }
        sqlx::query("UPDATE cases SET state = $1 WHERE reference = $2")
            .bind(next.as_str())
            .bind(&case.reference)
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("moving a case on"))?;
        tx.record(&actor, entry);
        tx.commit().await?;
        self.case(&case.reference)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("there is no case {}", case.reference)))
    }

    /// The periods of police control running now (agreed, started, not handed back), oldest
    /// first: for the live page's banners and the Start page.
    pub async fn police_control_running(&self) -> StoreResult<Vec<PoliceControl>> {
        let now = self.clock().now().0;
        let references: Vec<String> = sqlx::query(
            "SELECT p.reference FROM case_police_control p \
             JOIN cases c ON c.reference = p.reference \
             WHERE p.ends_at_unix_ms IS NULL AND p.starts_at_unix_ms <= $1 AND c.state = $2 \
             ORDER BY p.starts_at_unix_ms, p.reference",
        )
        .bind(now)
        .bind(CaseState::InProgress.as_str())
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading police control"))?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()
        .map_err(StoreError::db("reading police control"))?;
        let mut out = Vec::new();
        for r in references {
            if let Some(p) = self.police_control(&r).await?
                && p.status.is_running()
            {
                out.push(p);
            }
        }
        Ok(out)
    }
}
