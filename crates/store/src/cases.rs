//! Cases (LBU-18, BJS-10, ALT-10, BDC-28, BDC-29, BDC-30, LJM-11): requests and other
//! matters the scheme must answer. A case has a kind, a human reference (`SAR-2026-0007`),
//! a state moved only by `domain::case::transition`, assignees, notes, encrypted
//! documents, and footage held for it through the retention holds.
//!
//! Invariants:
//! - Every change writes its ledger entry (book `case`) in the same transaction. Entries
//!   name the case by its reference and never hold the requester's name, contact or the
//!   text of notes and documents (the ledger cannot forget; those details can be erased
//!   with the case when its retention ends) — a note's or document's SHA-256 stands in.
//! - References are never reused: one counter per prefix and year.
//! - Pauses of the deadline's clock are recorded as intervals; a case waiting for proof of
//!   identity has exactly one open pause.
//! - A document's file holds only ciphertext, sealed with the case's own key (itself sealed
//!   with the master key), in the same file format as footage.

use std::path::Path;

use custos_base::{Actor, UnixMs};
use custos_domain::case::{Action, CaseKind, CaseState, Decision, check_decision, transition};
use custos_domain::ledger::{Book, NewEntry, Reference, to_hex};
use custos_domain::retention::HoldRequest;
use custos_media::segfile::{FileKind, RecordMeta, SegmentWriter};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::reviews::random_hex;
use crate::secrets::SecretKey;
use crate::store::{Store, WriteTx};

/// A case as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    /// Its kind.
    pub kind: CaseKind,
    /// When it was received (ms since the epoch); the deadline counts from here.
    pub received_at_unix_ms: i64,
    /// How it came: `staff`, `public-form`, `email`, `letter`…
    pub channel: String,
    /// What it is about, in a line (no personal details needed).
    pub summary: String,
    /// Who asks.
    pub requester_name: String,
    /// How to reach them.
    pub requester_contact: String,
    /// What they said: for a subject access request, the date, time and place.
    pub details: String,
}

/// A case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// Its reference, e.g. `SAR-2026-0007`.
    pub reference: String,
    /// Its kind.
    pub kind: CaseKind,
    /// Where it stands.
    pub state: CaseState,
    /// When it was received.
    pub received_at_unix_ms: i64,
    /// How it came.
    pub channel: String,
    /// What it is about.
    pub summary: String,
    /// Who asks.
    pub requester_name: String,
    /// How to reach them.
    pub requester_contact: String,
    /// What they said.
    pub details: String,
    /// Whether the deadline was extended, and why.
    pub extension: Option<String>,
    /// The decision and its reasons, once decided.
    pub decision: Option<(Decision, String)>,
    /// Who opened it (ledger actor text).
    pub opened_by: String,
    /// When it closed.
    pub closed_at_unix_ms: Option<i64>,
    /// The case it became, if converted.
    pub converted_to: Option<String>,
    /// Who works it.
    pub assignees: Vec<String>,
    /// The clock's pauses: (from, to, why); `to` is `None` while paused.
    pub pauses: Vec<(i64, Option<i64>, String)>,
    /// Holds placed for it.
    pub holds: Vec<String>,
}

/// What a step on a case states besides the action.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Step {
    /// Why (for a pause, an extension, a withdrawal) or the decision's reasons.
    pub reasons: String,
    /// For a decision to disclose: whether the footage shows other people (ALT-10).
    pub others_shown: bool,
    /// And if so, why disclosing them is reasonable.
    pub why_reasonable: Option<String>,
}

/// A note on a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseNote {
    /// When.
    pub at_unix_ms: i64,
    /// Who (ledger actor text).
    pub author: String,
    /// What.
    pub text: String,
}

/// A document kept with a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseDocument {
    /// Its id.
    pub id: String,
    /// Its file name as given.
    pub name: String,
    /// Its media type, e.g. `application/pdf`.
    pub media_type: String,
    /// Its plaintext size.
    pub bytes: u64,
    /// The SHA-256 of its plaintext.
    pub sha256: String,
    /// When and by whom it was added.
    pub added_at_unix_ms: i64,
    /// Who added it (ledger actor text).
    pub added_by: String,
}

fn case_ref(reference: &str) -> StoreResult<Reference> {
    Reference::new("case", reference).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn key_context(reference: &str) -> String {
    format!("custos case key v1:{reference}")
}

macro_rules! case_columns {
    () => {
        "SELECT reference, kind, state, received_at_unix_ms, channel, summary, requester_name, \
         requester_contact, details, extended, extension_reason, decision, decision_reasons, \
         opened_by, closed_at_unix_ms, converted_to FROM cases "
    };
}

impl Store {
    /// Opens a case (ledgered `case-opened`) and returns it.
    pub async fn open_case(&self, actor: &Actor, new: &NewCase) -> StoreResult<Case> {
        let mut problems = Vec::new();
        if new.summary.trim().is_empty() {
            problems.push("say in a line what the case is about");
        }
        if new.requester_name.trim().is_empty() {
            problems.push("give the requester's name");
        }
        if new.requester_contact.trim().is_empty() {
            problems.push("give a way to reach the requester (an address or an email)");
        }
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems.join("; ")));
        }
        let key = SecretKey::generate()?;
        let master = self.master_key()?;
        let mut tx = self.write().await?;
        let reference = next_reference(&mut tx, new.kind, new.received_at_unix_ms).await?;
        sqlx::query(
            "INSERT INTO cases (reference, kind, state, received_at_unix_ms, channel, summary, \
             requester_name, requester_contact, details, opened_by, key_sealed) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&reference)
        .bind(new.kind.as_str())
        .bind(CaseState::Received.as_str())
        .bind(new.received_at_unix_ms)
        .bind(new.channel.trim())
        .bind(new.summary.trim())
        .bind(new.requester_name.trim())
        .bind(new.requester_contact.trim())
        .bind(new.details.trim())
        .bind(actor.to_string())
        .bind(master.seal(&key_context(&reference), key.bytes())?)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("opening a case"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Case, "case-opened")
                .with_ref(case_ref(&reference)?)
                .with("kind", new.kind.as_str())
                .with("channel", new.channel.trim())
                .with("received", UnixMs(new.received_at_unix_ms).to_rfc3339()),
        );
        tx.commit().await?;
        self.require_case(&reference).await
    }

    async fn require_case(&self, reference: &str) -> StoreResult<Case> {
        self.case(reference).await?.ok_or_else(|| {
            StoreError::NotFound(format!(
                "there is no case {reference}; references look like SAR-2026-0007"
            ))
        })
    }

    /// The case `reference`.
    pub async fn case(&self, reference: &str) -> StoreResult<Option<Case>> {
        let row = sqlx::query(concat!(case_columns!(), "WHERE reference = $1"))
            .bind(reference.trim())
            .fetch_optional(self.pool())
            .await
            .map_err(StoreError::db("reading a case"))?;
        match row {
            Some(r) => Ok(Some(self.case_from(&r).await?)),
            None => Ok(None),
        }
    }

    /// Every case, newest first; only open ones unless `all`.
    pub async fn cases(&self, all: bool) -> StoreResult<Vec<Case>> {
        let rows = sqlx::query(concat!(
            case_columns!(),
            "ORDER BY received_at_unix_ms DESC, reference"
        ))
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading cases"))?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let c = self.case_from(r).await?;
            if all || c.state.is_open() {
                out.push(c);
            }
        }
        Ok(out)
    }

    async fn case_from(&self, r: &sqlx::any::AnyRow) -> StoreResult<Case> {
        let get = StoreError::db("reading a case");
        let reference: String = r.try_get(0).map_err(&get)?;
        let corrupt = |e: String| StoreError::Corrupt(format!("case {reference}: {e}"));
        let kind: String = r.try_get(1).map_err(&get)?;
        let state: String = r.try_get(2).map_err(&get)?;
        let extended: i64 = r.try_get(9).map_err(&get)?;
        let decision: Option<String> = r.try_get(11).map_err(&get)?;
        let reasons: Option<String> = r.try_get(12).map_err(&get)?;
        let pauses = sqlx::query(
            "SELECT paused_at_unix_ms, resumed_at_unix_ms, reason FROM case_pauses \
             WHERE reference = $1 ORDER BY paused_at_unix_ms",
        )
        .bind(&reference)
        .fetch_all(self.pool())
        .await
        .map_err(&get)?
        .iter()
        .map(|p| {
            Ok((
                p.try_get(0).map_err(&get)?,
                p.try_get(1).map_err(&get)?,
                p.try_get(2).map_err(&get)?,
            ))
        })
        .collect::<StoreResult<Vec<_>>>()?;
        let strings = |sql: &'static str| {
            let reference = reference.clone();
            async move {
                sqlx::query(sql)
                    .bind(&reference)
                    .fetch_all(self.pool())
                    .await
                    .map_err(StoreError::db("reading a case"))?
                    .iter()
                    .map(|x| {
                        x.try_get::<String, _>(0)
                            .map_err(StoreError::db("reading a case"))
                    })
                    .collect::<StoreResult<Vec<String>>>()
            }
        };
        let assignees =
            strings("SELECT username FROM case_assignees WHERE reference = $1 ORDER BY username")
                .await?;
        let holds =
            strings("SELECT hold_id FROM case_holds WHERE reference = $1 ORDER BY hold_id").await?;
        Ok(Case {
            kind: kind.parse().map_err(corrupt)?,
            state: state.parse().map_err(corrupt)?,
            received_at_unix_ms: r.try_get(3).map_err(&get)?,
            channel: r.try_get(4).map_err(&get)?,
            summary: r.try_get(5).map_err(&get)?,
            requester_name: r.try_get(6).map_err(&get)?,
            requester_contact: r.try_get(7).map_err(&get)?,
            details: r.try_get(8).map_err(&get)?,
            extension: if extended == 1 {
                Some(
                    r.try_get::<Option<String>, _>(10)
                        .map_err(&get)?
                        .unwrap_or_default(),
                )
            } else {
                None
            },
            decision: match decision {
                Some(d) => Some((d.parse().map_err(corrupt)?, reasons.unwrap_or_default())),
                None => None,
            },
            opened_by: r.try_get(13).map_err(&get)?,
            closed_at_unix_ms: r.try_get(14).map_err(&get)?,
            converted_to: r.try_get(15).map_err(&get)?,
            assignees,
            pauses,
            holds,
            reference,
        })
    }

    /// Moves case `reference` on by `action` (checked by the case's state machine), with
    /// what the step states, ledgered `case-ACTION` with the new state. Pausing for proof
    /// of identity opens a pause of the clock; confirming it closes the pause. Converting an
    /// FOI request opens the subject access request it becomes (LJM-11), in the same
    /// transaction. Returns the case as it now is.
    pub async fn act_on_case(
        &self,
        actor: &Actor,
        reference: &str,
        action: Action,
        step: &Step,
    ) -> StoreResult<Case> {
        let case = self.require_case(reference).await?;
        let next = transition(case.kind, case.state, case.extension.is_some(), action)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let why = step.reasons.trim();
        let needs_why = matches!(action, Action::Extend | Action::Withdraw);
        if needs_why && why.chars().count() < 5 {
            return Err(StoreError::Invalid(format!(
                "say why ({}): it goes into the case's record{}",
                action.describe(),
                if action == Action::Extend {
                    " and the letter telling the requester (the request must be complex or numerous, UK GDPR Art 12(3))"
                } else {
                    ""
                }
            )));
        }
        if let Action::Decide(d) = action {
            check_decision(d, why, step.others_shown, step.why_reasonable.as_deref())
                .map_err(StoreError::Invalid)?;
        }
        let now = self.clock().now().0;
        let mut tx = self.write().await?;
        let mut entry = NewEntry::new(Book::Case, action.ledger_kind())
            .with_ref(case_ref(&case.reference)?)
            .with("from", case.state.as_str())
            .with("to", next.as_str());
        match action {
            Action::AwaitIdentity => {
                sqlx::query(
                    "INSERT INTO case_pauses (reference, paused_at_unix_ms, reason) \
                     VALUES ($1, $2, $3)",
                )
                .bind(&case.reference)
                .bind(now)
                .bind(if why.is_empty() {
                    "waiting for proof of identity"
                } else {
                    why
                })
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("pausing a case's clock"))?;
                entry = entry.with("clock", "paused");
            }
            Action::VerifyIdentity => {
                restart_clock(&mut tx, &case.reference, now).await?;
                entry = entry.with("clock", "running");
            }
            Action::Extend => {
                sqlx::query(
                    "UPDATE cases SET extended = 1, extension_reason = $1 WHERE reference = $2",
                )
                .bind(why)
                .bind(&case.reference)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("extending a case"))?;
                entry = entry.with("reason", why);
            }
            Action::Decide(d) => {
                sqlx::query(
                    "UPDATE cases SET decision = $1, decision_reasons = $2 WHERE reference = $3",
                )
                .bind(d.as_str())
                .bind(why)
                .bind(&case.reference)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("deciding a case"))?;
                entry = entry.with("decision", d.as_str()).with("reasons", why);
                if step.others_shown {
                    entry = entry.with(
                        "others_shown_reasonable",
                        step.why_reasonable.as_deref().unwrap_or("").trim(),
                    );
                }
            }
            Action::Close | Action::Withdraw => {
                sqlx::query("UPDATE cases SET closed_at_unix_ms = $1 WHERE reference = $2")
                    .bind(now)
                    .bind(&case.reference)
                    .execute(tx.conn())
                    .await
                    .map_err(StoreError::db("closing a case"))?;
                // A withdrawn case's clock stops for good: close any open pause.
                restart_clock(&mut tx, &case.reference, now).await?;
                if !why.is_empty() {
                    entry = entry.with("reason", why);
                }
            }
            Action::ConvertToSubjectAccess => {
                let sar =
                    next_reference(&mut tx, CaseKind::SubjectAccess, case.received_at_unix_ms)
                        .await?;
                let key = SecretKey::generate()?;
                sqlx::query(
                    "INSERT INTO cases (reference, kind, state, received_at_unix_ms, channel, \
                     summary, requester_name, requester_contact, details, opened_by, key_sealed) \
                     SELECT $1, $2, $3, received_at_unix_ms, channel, summary, requester_name, \
                     requester_contact, details, $4, $5 FROM cases WHERE reference = $6",
                )
                .bind(&sar)
                .bind(CaseKind::SubjectAccess.as_str())
                .bind(CaseState::Received.as_str())
                .bind(actor.to_string())
                .bind(self.master_key()?.seal(&key_context(&sar), key.bytes())?)
                .bind(&case.reference)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("converting a case"))?;
                sqlx::query(
                    "UPDATE cases SET converted_to = $1, closed_at_unix_ms = $2 WHERE reference = $3",
                )
                .bind(&sar)
                .bind(now)
                .bind(&case.reference)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("converting a case"))?;
                entry = entry.with_ref(case_ref(&sar)?).with("became", sar.as_str());
                tx.record(
                    actor,
                    NewEntry::new(Book::Case, "case-opened")
                        .with_ref(case_ref(&sar)?)
                        .with("kind", CaseKind::SubjectAccess.as_str())
                        .with("channel", case.channel.as_str())
                        .with("received", UnixMs(case.received_at_unix_ms).to_rfc3339())
                        .with("converted_from", case.reference.as_str()),
                );
            }
            Action::Start => {}
        }
        sqlx::query("UPDATE cases SET state = $1 WHERE reference = $2")
            .bind(next.as_str())
            .bind(&case.reference)
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("moving a case on"))?;
        tx.record(actor, entry);
        tx.commit().await?;
        self.require_case(&case.reference).await
    }

    /// Assigns `username` to case `reference` (ledgered `case-assigned`).
    pub async fn assign_case(
        &self,
        actor: &Actor,
        reference: &str,
        username: &custos_domain::access::Username,
    ) -> StoreResult<()> {
        let case = self.require_case(reference).await?;
        if self.user(username).await?.is_none() {
            return Err(StoreError::NotFound(format!(
                "there is no account called {username}"
            )));
        }
        if case.assignees.iter().any(|a| a == username.as_str()) {
            return Ok(());
        }
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO case_assignees (reference, username) VALUES ($1, $2)")
            .bind(&case.reference)
            .bind(username.as_str())
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("assigning a case"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Case, "case-assigned")
                .with_ref(case_ref(&case.reference)?)
                .with_ref(
                    Reference::new("user", username.as_str())
                        .map_err(|e| StoreError::Invalid(e.to_string()))?,
                ),
        );
        tx.commit().await
    }

    /// Adds a note to case `reference`; the ledger entry (`case-note-added`) holds the
    /// note's SHA-256, not its text.
    pub async fn add_case_note(
        &self,
        actor: &Actor,
        reference: &str,
        text: &str,
    ) -> StoreResult<()> {
        let text = text.trim();
        if text.is_empty() {
            return Err(StoreError::Invalid("the note is empty".to_owned()));
        }
        let case = self.require_case(reference).await?;
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO case_notes (reference, at_unix_ms, author, text) VALUES ($1, $2, $3, $4)",
        )
        .bind(&case.reference)
        .bind(self.clock().now().0)
        .bind(actor.to_string())
        .bind(text)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("adding a note"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Case, "case-note-added")
                .with_ref(case_ref(&case.reference)?)
                .with("sha256", to_hex(&Sha256::digest(text.as_bytes()))),
        );
        tx.commit().await
    }

    /// The notes on case `reference`, oldest first.
    pub async fn case_notes(&self, reference: &str) -> StoreResult<Vec<CaseNote>> {
        let rows = sqlx::query(
            "SELECT at_unix_ms, author, text FROM case_notes WHERE reference = $1 \
             ORDER BY at_unix_ms",
        )
        .bind(reference)
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading notes"))?;
        let get = StoreError::db("reading notes");
        rows.iter()
            .map(|r| {
                Ok(CaseNote {
                    at_unix_ms: r.try_get(0).map_err(&get)?,
                    author: r.try_get(1).map_err(&get)?,
                    text: r.try_get(2).map_err(&get)?,
                })
            })
            .collect()
    }

    /// Holds footage for case `reference` through the retention holds (BDC-28): the hold
    /// carries the case's reference, and the case lists the hold (`case-footage-held`).
    pub async fn hold_for_case(
        &self,
        actor: &Actor,
        reference: &str,
        request: &HoldRequest,
    ) -> StoreResult<crate::retention::Hold> {
        let case = self.require_case(reference).await?;
        let mut req = request.clone();
        req.case_ref = Some(case.reference.clone());
        let hold = self.place_hold(actor, &req).await?;
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO case_holds (reference, hold_id) VALUES ($1, $2)")
            .bind(&case.reference)
            .bind(&hold.id)
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("linking a hold to a case"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Case, "case-footage-held")
                .with_ref(case_ref(&case.reference)?)
                .with_ref(
                    Reference::new("hold", &hold.id)
                        .map_err(|e| StoreError::Invalid(e.to_string()))?,
                ),
        );
        tx.commit().await?;
        Ok(hold)
    }

    async fn case_key(&self, reference: &str) -> StoreResult<SecretKey> {
        let row = sqlx::query("SELECT key_sealed FROM cases WHERE reference = $1")
            .bind(reference)
            .fetch_optional(self.pool())
            .await
            .map_err(StoreError::db("reading a case key"))?
            .ok_or_else(|| StoreError::NotFound(format!("there is no case {reference}")))?;
        let sealed: String = row
            .try_get(0)
            .map_err(StoreError::db("reading a case key"))?;
        self.master_key()?.open_key(
            &key_context(reference),
            &sealed,
            &format!("the key of case {reference}"),
        )
    }

    /// Keeps a document with case `reference`, encrypted under `documents` (ledgered
    /// `case-document-added` with its SHA-256, not its contents or name).
    pub async fn add_case_document(
        &self,
        actor: &Actor,
        documents: &Path,
        reference: &str,
        name: &str,
        media_type: &str,
        contents: &[u8],
    ) -> StoreResult<CaseDocument> {
        let case = self.require_case(reference).await?;
        let name = name.trim();
        if name.is_empty() || contents.is_empty() {
            return Err(StoreError::Invalid(
                "a document needs a name and some contents".to_owned(),
            ));
        }
        let key = self.case_key(&case.reference).await?;
        let id = random_hex(8)?;
        let rel = format!("{}/{id}.cdoc", case.reference);
        let abs = documents.join(&rel);
        let io =
            |e: std::io::Error| StoreError::Files(format!("cannot write {}: {e}", abs.display()));
        if let Some(dir) = abs.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut w = SegmentWriter::create(&abs, FileKind::Media, key.bytes())
            .map_err(|e| StoreError::Files(e.to_string()))?;
        w.append(
            contents,
            &RecordMeta {
                start_unix_ms: self.clock().now().0,
                frames: 0,
                duration_ms: 0,
            },
        )
        .map_err(|e| StoreError::Files(e.to_string()))?;
        w.sync().map_err(|e| StoreError::Files(e.to_string()))?;
        let sha = to_hex(&Sha256::digest(contents));
        let now = self.clock().now().0;
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO case_documents (id, reference, name, media_type, path, bytes, sha256, \
             added_at_unix_ms, added_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(&case.reference)
        .bind(name)
        .bind(media_type.trim())
        .bind(&rel)
        .bind(i64::try_from(contents.len()).unwrap_or(i64::MAX))
        .bind(&sha)
        .bind(now)
        .bind(actor.to_string())
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("adding a document"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Case, "case-document-added")
                .with_ref(case_ref(&case.reference)?)
                .with("document", id.as_str())
                .with("sha256", sha.as_str())
                .with("bytes", contents.len()),
        );
        tx.commit().await?;
        Ok(CaseDocument {
            id,
            name: name.to_owned(),
            media_type: media_type.trim().to_owned(),
            bytes: contents.len() as u64,
            sha256: sha,
            added_at_unix_ms: now,
            added_by: actor.to_string(),
        })
    }

    /// The documents of case `reference`.
    pub async fn case_documents(&self, reference: &str) -> StoreResult<Vec<CaseDocument>> {
        let rows = sqlx::query(
            "SELECT id, name, media_type, bytes, sha256, added_at_unix_ms, added_by \
             FROM case_documents WHERE reference = $1 ORDER BY added_at_unix_ms, id",
        )
        .bind(reference)
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading documents"))?;
        let get = StoreError::db("reading documents");
        rows.iter()
            .map(|r| {
                Ok(CaseDocument {
                    id: r.try_get(0).map_err(&get)?,
                    name: r.try_get(1).map_err(&get)?,
                    media_type: r.try_get(2).map_err(&get)?,
                    bytes: u64::try_from(r.try_get::<i64, _>(3).map_err(&get)?).unwrap_or(0),
                    sha256: r.try_get(4).map_err(&get)?,
                    added_at_unix_ms: r.try_get(5).map_err(&get)?,
                    added_by: r.try_get(6).map_err(&get)?,
                })
            })
            .collect()
    }

    /// A document's contents, decrypted and checked against its SHA-256.
    pub async fn case_document(
        &self,
        documents: &Path,
        reference: &str,
        id: &str,
    ) -> StoreResult<(CaseDocument, Vec<u8>)> {
        let doc = self
            .case_documents(reference)
            .await?
            .into_iter()
            .find(|d| d.id == id)
            .ok_or_else(|| {
                StoreError::NotFound(format!("case {reference} has no document {id}"))
            })?;
        let key = self.case_key(reference).await?;
        let path = documents.join(format!("{reference}/{id}.cdoc"));
        let contents = custos_media::segfile::read_records(&path, key.bytes())
            .map_err(|e| StoreError::Corrupt(format!("document {id} of case {reference}: {e}")))?
            .records
            .into_iter()
            .next()
            .map(|r| r.plaintext)
            .unwrap_or_default();
        if to_hex(&Sha256::digest(&contents)) != doc.sha256 {
            return Err(StoreError::Corrupt(format!(
                "document {id} of case {reference} no longer matches its SHA-256"
            )));
        }
        Ok((doc, contents))
    }
}

/// Ends the open pause of case `reference`'s clock, if any, at `now`.
async fn restart_clock(tx: &mut WriteTx, reference: &str, now: i64) -> StoreResult<()> {
    sqlx::query(
        "UPDATE case_pauses SET resumed_at_unix_ms = $1 \
         WHERE reference = $2 AND resumed_at_unix_ms IS NULL",
    )
    .bind(now)
    .bind(reference)
    .execute(tx.conn())
    .await
    .map_err(StoreError::db("restarting a case's clock"))?;
    Ok(())
}

/// The next reference for `kind` in the UK year of `received`: `SAR-2026-0007`.
async fn next_reference(tx: &mut WriteTx, kind: CaseKind, received: i64) -> StoreResult<String> {
    let year: i64 = UnixMs(received)
        .to_uk_local_input()
        .get(..4)
        .and_then(|y| y.parse().ok())
        .ok_or_else(|| StoreError::Invalid("the date received is out of range".to_owned()))?;
    let row = sqlx::query("SELECT next FROM case_counters WHERE prefix = $1 AND year = $2")
        .bind(kind.prefix())
        .bind(year)
        .fetch_optional(tx.conn())
        .await
        .map_err(StoreError::db("numbering a case"))?;
    let n: i64 = match row {
        Some(r) => r.try_get(0).map_err(StoreError::db("numbering a case"))?,
        None => 1,
    };
    sqlx::query(
        "INSERT INTO case_counters (prefix, year, next) VALUES ($1, $2, $3) \
         ON CONFLICT (prefix, year) DO UPDATE SET next = $3",
    )
    .bind(kind.prefix())
    .bind(year)
    .bind(n + 1)
    .execute(tx.conn())
    .await
    .map_err(StoreError::db("numbering a case"))?;
    Ok(format!("{}-{year}-{n:04}", kind.prefix()))
}

/// An identifier check for case references typed by people.
pub fn is_reference(text: &str) -> bool {
    let parts: Vec<&str> = text.trim().split('-').collect();
    parts.len() == 3
        && CaseKind::ALL.iter().any(|k| k.prefix() == parts[0])
        && parts[1].len() == 4
        && parts[1].chars().all(|c| c.is_ascii_digit())
        && parts[2].chars().all(|c| c.is_ascii_digit())
}

impl std::fmt::Display for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}, {})", self.reference, self.kind, self.state)
    }
}
