//! The incident log (BDC-24, BDC-18): incidents recorded, corrected, closed with their
//! outcome and countersigned; footage linked to them (and held from that moment), reviews
//! and downloads linked, and the operators' witness statements kept with them. The rules
//! are `custos_domain::incident`'s; this module stores, loads and ledgers.
//!
//! Invariants:
//! - Every change writes its ledger entry (book `incident`, reference `incident:REF`) in the
//!   same transaction: `incident-recorded`, `incident-corrected`, `incident-outcome`,
//!   `incident-countersigned`, `incident-footage-linked` (with the hold's own
//!   `hold-placed`), `incident-linked` and `incident-statement-added`. Nothing is written
//!   when its entry cannot be.
//! - A correction never edits an entry: it is a new `incident-corrected` entry naming the
//!   ledger entry it corrects (`corrects`: the number of the incident's latest recorded or
//!   corrected entry), the fields changed and the reason; the incident's row is updated in
//!   the same transaction and the correction kept with the values before and after, so the
//!   page shows the history. A correction of a countersigned incident withdraws the
//!   countersignature: the corrected entry must be countersigned again.
//! - Only a person whose role keeps the incident log under the pack's `[books.incident]`
//!   writes in it, and only one whose role countersigns it countersigns
//!   (`access::book_role`); the store decides, whatever called it.
//! - Footage linked to an incident is held under an evidence class the pack has, with the
//!   incident's reference as the hold's case reference; witness statements are encrypted
//!   under the incident's own key (sealed with the master key) exactly as case documents
//!   are (`documents::write_sealed`).
//! - Nothing here deletes an incident.

use std::path::Path;

use custos_base::{Actor, UnixMs};
use custos_domain::Ident;
use custos_domain::access::Subject;
use custos_domain::incident::{self, Changes, Draft, Field, LogRow};
use custos_domain::ledger::{Book, NewEntry, Reference, to_hex};
use custos_domain::retention::HoldRequest;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::cases::next_numbered;
use crate::error::{StoreError, StoreResult};
use crate::reviews::random_hex;
use crate::secrets::SecretKey;
use crate::store::{Store, WriteTx};

/// The kind under which an operator's witness statement is kept (BDC-18).
pub const WITNESS_STATEMENT: &str = "witness-statement";

/// The evidence classes footage linked to an incident is held under when none is named,
/// in order of preference: the first the pack has.
pub const DEFAULT_CLASSES: [&str; 3] = ["investigation-hold", "evidential", "evidence-master-copy"];

/// An incident as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    /// `INC-2026-0001`.
    pub reference: String,
    /// What it says now (after corrections).
    pub draft: Draft,
    /// When it was recorded.
    pub recorded_at_unix_ms: i64,
    /// Who recorded it (ledger actor text).
    pub recorded_by: String,
    /// When and by whom (ledger actor text) the outcome was recorded.
    pub outcome_at: Option<(i64, String)>,
    /// Who countersigned (user name), the role they acted in, and when.
    pub countersigned: Option<(String, String, i64)>,
}

/// A correction, as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// 1, 2, … for the incident.
    pub n: i64,
    /// When.
    pub at_unix_ms: i64,
    /// Who (ledger actor text).
    pub by: String,
    /// The fields it changed.
    pub fields: Vec<Field>,
    /// Why.
    pub reason: String,
    /// Each changed field's value before and after (cameras as ids, the time in ms).
    pub changes: Vec<(Field, String, String)>,
}

/// Something linked to an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// `footage` (a hold), `review` or `download`.
    pub kind: String,
    /// The hold's, review's or download's id.
    pub target: String,
    /// When.
    pub at_unix_ms: i64,
    /// Who (ledger actor text).
    pub by: String,
}

/// Footage linked to an incident: the hold that keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedFootage {
    /// The hold's id.
    pub hold: String,
    /// Its evidence class.
    pub class: String,
    /// The cameras.
    pub cameras: Vec<Ident>,
    /// From and to (ms since the epoch).
    pub from_unix_ms: i64,
    /// To.
    pub to_unix_ms: i64,
    /// Whether the hold still stands.
    pub held: bool,
}

/// A witness statement (or other document) kept with an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentDocument {
    /// Its id.
    pub id: String,
    /// Its file name as given.
    pub name: String,
    /// Its media type.
    pub media_type: String,
    /// Its plaintext size.
    pub bytes: u64,
    /// The SHA-256 of its plaintext.
    pub sha256: String,
    /// When.
    pub added_at_unix_ms: i64,
    /// Who (ledger actor text).
    pub added_by: String,
    /// What it is ([`WITNESS_STATEMENT`]).
    pub kind: String,
}

/// A witness statement as given.
#[derive(Debug, Clone, Copy)]
pub struct Statement<'a> {
    /// Its file name or title.
    pub name: &'a str,
    /// Its media type, e.g. `text/plain; charset=utf-8`.
    pub media_type: &'a str,
    /// Its contents.
    pub contents: &'a [u8],
}

/// Everything about an incident, for its page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentRecord {
    /// The incident as it stands.
    pub incident: Incident,
    /// Its corrections, oldest first.
    pub corrections: Vec<Correction>,
    /// The footage linked to it.
    pub footage: Vec<LinkedFootage>,
    /// Everything linked to it, in the order linked.
    pub links: Vec<Link>,
    /// Its witness statements.
    pub documents: Vec<IncidentDocument>,
}

/// A step on an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncidentStep {
    /// Record the outcome of an open incident.
    Outcome {
        /// How it ended.
        outcome: String,
    },
    /// Correct it: a new entry that refers to the one it corrects.
    Correct {
        /// What changes.
        changes: Changes,
        /// Why.
        reason: String,
    },
    /// Countersign it (BDC-18).
    Countersign,
    /// Link footage of `cameras` from `from` to `to`, held under `class` (the pack's
    /// default for incidents when `None`).
    LinkFootage {
        /// The cameras.
        cameras: Vec<Ident>,
        /// From (ms since the epoch).
        from_unix_ms: i64,
        /// To (ms since the epoch).
        to_unix_ms: i64,
        /// The evidence class.
        class: Option<Ident>,
    },
    /// Link a review by its id.
    LinkReview {
        /// The review's id.
        review: String,
    },
    /// Link a download by its id.
    LinkDownload {
        /// The download's id.
        download: String,
    },
}

impl IncidentStep {
    /// The step's id, as the API and the forms name it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Outcome { .. } => "outcome",
            Self::Correct { .. } => "correct",
            Self::Countersign => "countersign",
            Self::LinkFootage { .. } => "link-footage",
            Self::LinkReview { .. } => "link-review",
            Self::LinkDownload { .. } => "link-download",
        }
    }
}

fn inc_ref(reference: &str) -> StoreResult<Reference> {
    Reference::new("incident", reference).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn key_context(reference: &str) -> String {
    format!("custos incident key v1:{reference}")
}

fn sha256(text: &str) -> String {
    to_hex(&Sha256::digest(text.trim().as_bytes()))
}

fn field_json(d: &Draft, fields: &[Field]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = fields
        .iter()
        .map(|f| (f.as_str().to_owned(), serde_json::Value::String(d.get(*f))))
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// The pack's evidence class for footage linked to an incident: `wanted` if the pack has
/// it, otherwise the first of [`DEFAULT_CLASSES`] it has.
pub fn footage_class(
    pack: &custos_domain::PolicyPack,
    wanted: Option<&Ident>,
) -> Result<Ident, String> {
    let has = |id: &str| pack.retention.classes.iter().any(|c| c.id.as_str() == id);
    match wanted {
        Some(w) if has(w.as_str()) => Ok(w.clone()),
        Some(w) => Err(format!("the policy pack has no evidence class {w}")),
        None => DEFAULT_CLASSES
            .iter()
            .find(|c| has(c))
            .and_then(|c| Ident::parse(c).ok())
            .ok_or_else(|| {
                "the policy pack has no evidence class for incidents' footage; name one".to_owned()
            }),
    }
}

impl Store {
    async fn incident_pack(&self) -> StoreResult<custos_domain::PolicyPack> {
        Ok(self
            .active_policy()
            .await?
            .ok_or_else(|| StoreError::Invalid("no policy pack is loaded".to_owned()))?
            .pack)
    }

    async fn check_cameras(
        &self,
        cameras: &[Ident],
        problems: &mut Vec<String>,
    ) -> StoreResult<()> {
        for c in cameras {
            if self.camera(c).await?.is_none() {
                problems.push(format!(
                    "there is no camera {c}; `custos camera list` shows the register"
                ));
            }
        }
        Ok(())
    }

    /// Records an incident (ledgered `incident-recorded`), written by `keeper`, who must
    /// keep the incident log; checked by `incident::validate` and its cameras against the
    /// register.
    pub async fn record_incident(
        &self,
        actor: &Actor,
        keeper: &Subject,
        draft: &Draft,
    ) -> StoreResult<Incident> {
        self.book_role(keeper, Book::Incident, false).await?;
        let now = self.clock().now().0;
        let mut problems = incident::validate(draft, now).err().unwrap_or_default();
        self.check_cameras(&draft.cameras, &mut problems).await?;
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems.join("; ")));
        }
        let key = SecretKey::generate()?;
        let mut tx = self.write().await?;
        let reference = next_numbered(&mut tx, incident::PREFIX, now).await?;
        sqlx::query(
            "INSERT INTO incidents (reference, occurred_at_unix_ms, place, seen, seen_by, \
             police_reference, action_taken, outcome, outcome_at_unix_ms, outcome_by, \
             recorded_at_unix_ms, recorded_by, key_sealed, recorded_by_user) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(&reference)
        .bind(draft.occurred_at_unix_ms)
        .bind(draft.place.trim())
        .bind(draft.seen.trim())
        .bind(draft.seen_by.trim())
        .bind(draft.police_reference.trim())
        .bind(draft.action_taken.trim())
        .bind(draft.outcome.trim())
        .bind((!draft.is_open()).then_some(now))
        .bind((!draft.is_open()).then(|| actor.to_string()))
        .bind(now)
        .bind(actor.to_string())
        .bind(
            self.master_key()?
                .seal(&key_context(&reference), key.bytes())?,
        )
        .bind(keeper.username.as_str())
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording an incident"))?;
        set_cameras(&mut tx, &reference, &draft.cameras).await?;
        let mut entry = NewEntry::new(Book::Incident, "incident-recorded")
            .with_ref(inc_ref(&reference)?)
            .with("occurred", UnixMs(draft.occurred_at_unix_ms).to_rfc3339())
            .with("police_told", !draft.police_reference.trim().is_empty())
            .with("seen_sha256", sha256(&draft.seen))
            .with("action_sha256", sha256(&draft.action_taken));
        for c in &draft.cameras {
            entry = entry.with_ref(camera_ref(c)?);
        }
        if !draft.is_open() {
            entry = entry.with("outcome_sha256", sha256(&draft.outcome));
        }
        tx.record(actor, entry);
        tx.commit().await?;
        self.incident(&reference)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("incident {reference} vanished")))
    }

    /// Takes `step` on incident `reference` as `actor` (the person `keeper`), each with its
    /// ledger entry in one transaction; see the module's invariants for who may.
    pub async fn incident_step(
        &self,
        actor: &Actor,
        keeper: &Subject,
        reference: &str,
        step: &IncidentStep,
    ) -> StoreResult<Incident> {
        let countersign = matches!(step, IncidentStep::Countersign);
        // A countersigner who does not keep the book may still countersign.
        let role = self.book_role(keeper, Book::Incident, countersign).await?;
        let current = self.require_incident(reference).await?;
        let reference = current.reference.clone();
        let now = self.clock().now().0;
        let pack = self.incident_pack().await?;
        let mut tx = self.write().await?;
        let r = inc_ref(&reference)?;
        match step {
            IncidentStep::Outcome { outcome } => {
                incident::check_outcome(&current.draft, outcome).map_err(StoreError::Invalid)?;
                sqlx::query(
                    "UPDATE incidents SET outcome = $1, outcome_at_unix_ms = $2, outcome_by = $3 \
                     WHERE reference = $4",
                )
                .bind(outcome.trim())
                .bind(now)
                .bind(actor.to_string())
                .bind(&reference)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("recording an incident's outcome"))?;
                tx.record(
                    actor,
                    NewEntry::new(Book::Incident, "incident-outcome")
                        .with_ref(r)
                        .with("outcome_sha256", sha256(outcome)),
                );
            }
            IncidentStep::Correct { changes, reason } => {
                let (next, fields) = incident::correct(&current.draft, changes, reason, now)
                    .map_err(|p| StoreError::Invalid(p.join("; ")))?;
                let mut problems = Vec::new();
                if fields.contains(&Field::Cameras) {
                    self.check_cameras(&next.cameras, &mut problems).await?;
                }
                if !problems.is_empty() {
                    return Err(StoreError::Invalid(problems.join("; ")));
                }
                let corrects = latest_entry(&mut tx, &reference).await?;
                let n: i64 = sqlx::query(
                    "SELECT COALESCE(MAX(n), 0) FROM incident_corrections WHERE reference = $1",
                )
                .bind(&reference)
                .fetch_one(tx.conn())
                .await
                .and_then(|row| row.try_get(0))
                .map_err(StoreError::db("numbering a correction"))?;
                sqlx::query(
                    "UPDATE incidents SET occurred_at_unix_ms = $1, place = $2, seen = $3, \
                     seen_by = $4, police_reference = $5, action_taken = $6, outcome = $7, \
                     countersigned_by = NULL, countersigned_role = NULL, \
                     countersigned_at_unix_ms = NULL WHERE reference = $8",
                )
                .bind(next.occurred_at_unix_ms)
                .bind(next.place.trim())
                .bind(next.seen.trim())
                .bind(next.seen_by.trim())
                .bind(next.police_reference.trim())
                .bind(next.action_taken.trim())
                .bind(next.outcome.trim())
                .bind(&reference)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("correcting an incident"))?;
                if fields.contains(&Field::Cameras) {
                    sqlx::query("DELETE FROM incident_cameras WHERE reference = $1")
                        .bind(&reference)
                        .execute(tx.conn())
                        .await
                        .map_err(StoreError::db("correcting an incident's cameras"))?;
                    set_cameras(&mut tx, &reference, &next.cameras).await?;
                }
                let names = fields
                    .iter()
                    .map(|f| f.as_str())
                    .collect::<Vec<_>>()
                    .join(",");
                sqlx::query(
                    "INSERT INTO incident_corrections (reference, n, at_unix_ms, corrected_by, \
                     fields, reason, before_json, after_json) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&reference)
                .bind(n + 1)
                .bind(now)
                .bind(actor.to_string())
                .bind(&names)
                .bind(reason.trim())
                .bind(field_json(&current.draft, &fields))
                .bind(field_json(&next, &fields))
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("keeping a correction"))?;
                let mut entry = NewEntry::new(Book::Incident, "incident-corrected")
                    .with_ref(r)
                    .with("correction", n + 1)
                    .with("fields", names.as_str())
                    .with("reason", reason.trim());
                if let Some(seq) = corrects {
                    entry = entry.with("corrects", seq);
                }
                if current.countersigned.is_some() {
                    entry = entry.with("countersignature_withdrawn", true);
                }
                tx.record(actor, entry);
            }
            IncidentStep::Countersign => {
                if current.countersigned.is_some() {
                    return Err(StoreError::Invalid(format!(
                        "incident {reference} is already countersigned"
                    )));
                }
                // Whoever records an incident, on a page or in their name from the
                // console, does not countersign it.
                let recorder: Option<String> =
                    sqlx::query("SELECT recorded_by_user FROM incidents WHERE reference = $1")
                        .bind(&reference)
                        .fetch_one(tx.conn())
                        .await
                        .and_then(|row| row.try_get(0))
                        .map_err(StoreError::db("reading who recorded an incident"))?;
                let own = recorder.as_deref() == Some(keeper.username.as_str())
                    || matches!(actor, Actor::User(u) | Actor::Deputy { user: u, .. }
                        if current.recorded_by == format!("user:{u}"));
                if own {
                    return Err(StoreError::Forbidden(
                        "an entry is countersigned by someone other than who recorded it"
                            .to_owned(),
                    ));
                }
                sqlx::query(
                    "UPDATE incidents SET countersigned_by = $1, countersigned_role = $2, \
                     countersigned_at_unix_ms = $3 WHERE reference = $4",
                )
                .bind(keeper.username.as_str())
                .bind(role.as_str())
                .bind(now)
                .bind(&reference)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("countersigning an incident"))?;
                tx.record(
                    actor,
                    NewEntry::new(Book::Incident, "incident-countersigned")
                        .with_ref(r)
                        .with("role", role.as_str()),
                );
            }
            IncidentStep::LinkFootage {
                cameras,
                from_unix_ms,
                to_unix_ms,
                class,
            } => {
                let class = footage_class(&pack, class.as_ref()).map_err(StoreError::Invalid)?;
                let req = HoldRequest {
                    cameras: cameras.clone(),
                    from_unix_ms: *from_unix_ms,
                    to_unix_ms: *to_unix_ms,
                    class: class.clone(),
                    reason: format!("footage linked to incident {reference} (BDC-24)"),
                    owner: match actor {
                        Actor::User(n) | Actor::Deputy { user: n, .. } | Actor::Console(n) => {
                            n.clone()
                        }
                        Actor::System(_) => pack.controller.dpo.clone(),
                    },
                    until_unix_ms: None,
                    case_ref: Some(reference.clone()),
                };
                let hold =
                    crate::retention::insert_hold(&mut tx, actor, &req, &pack, UnixMs(now), None)
                        .await?;
                insert_link(&mut tx, actor, &reference, "footage", &hold, now).await?;
                let mut entry = NewEntry::new(Book::Incident, "incident-footage-linked")
                    .with_ref(r)
                    .with_ref(
                        Reference::new("hold", hold.as_str())
                            .map_err(|e| StoreError::Invalid(e.to_string()))?,
                    )
                    .with("class", class.as_str())
                    .with("footage_from", UnixMs(*from_unix_ms).to_rfc3339())
                    .with("footage_to", UnixMs(*to_unix_ms).to_rfc3339());
                for c in cameras {
                    entry = entry.with_ref(camera_ref(c)?);
                }
                tx.record(actor, entry);
            }
            IncidentStep::LinkReview { review } => {
                let review = review.trim();
                let known = sqlx::query("SELECT 1 FROM review_grants WHERE review_id = $1")
                    .bind(review)
                    .fetch_optional(tx.conn())
                    .await
                    .map_err(StoreError::db("finding a review"))?;
                if known.is_none() {
                    return Err(StoreError::NotFound(format!("there is no review {review}")));
                }
                insert_link(&mut tx, actor, &reference, "review", review, now).await?;
                tx.record(
                    actor,
                    NewEntry::new(Book::Incident, "incident-linked")
                        .with_ref(r)
                        .with_ref(
                            Reference::new("review", review)
                                .map_err(|e| StoreError::Invalid(e.to_string()))?,
                        ),
                );
            }
            IncidentStep::LinkDownload { download } => {
                let download = download.trim();
                let known = sqlx::query("SELECT 1 FROM downloads WHERE id = $1")
                    .bind(download)
                    .fetch_optional(tx.conn())
                    .await
                    .map_err(StoreError::db("finding a download"))?;
                if known.is_none() {
                    return Err(StoreError::NotFound(format!(
                        "there is no download {download}"
                    )));
                }
                insert_link(&mut tx, actor, &reference, "download", download, now).await?;
                tx.record(
                    actor,
                    NewEntry::new(Book::Incident, "incident-linked")
                        .with_ref(r)
                        .with_ref(
                            Reference::new("download", download)
                                .map_err(|e| StoreError::Invalid(e.to_string()))?,
                        ),
                );
            }
        }
        tx.commit().await?;
        self.require_incident(&reference).await
    }

    /// Keeps a witness statement (BDC-18) with incident `reference`, encrypted under the
    /// incident's key in `documents` like a case document (ledgered
    /// `incident-statement-added` with its SHA-256 and size, not its contents or name).
    pub async fn add_incident_statement(
        &self,
        actor: &Actor,
        keeper: &Subject,
        documents: &Path,
        reference: &str,
        statement: &Statement<'_>,
    ) -> StoreResult<IncidentDocument> {
        let Statement {
            name,
            media_type,
            contents,
        } = *statement;
        self.book_role(keeper, Book::Incident, false).await?;
        let inc = self.require_incident(reference).await?;
        let name = name.trim();
        if name.is_empty() || contents.is_empty() {
            return Err(StoreError::Invalid(
                "a statement needs a name and some contents".to_owned(),
            ));
        }
        let key = self.incident_key(&inc.reference).await?;
        let id = random_hex(8)?;
        let rel = format!("incidents/{}/{id}.cdoc", inc.reference);
        let now = self.clock().now().0;
        // Written before the transaction, so a large upload does not hold writers back; a
        // file whose row does not commit is left unreferenced.
        crate::documents::write_sealed(&documents.join(&rel), &key, contents, now)?;
        let sha = to_hex(&Sha256::digest(contents));
        let media_type = if media_type.trim().is_empty() {
            "application/octet-stream"
        } else {
            media_type.trim()
        };
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO incident_documents (id, reference, name, media_type, path, bytes, \
             sha256, added_at_unix_ms, added_by, kind) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&id)
        .bind(&inc.reference)
        .bind(name)
        .bind(media_type)
        .bind(&rel)
        .bind(i64::try_from(contents.len()).unwrap_or(i64::MAX))
        .bind(&sha)
        .bind(now)
        .bind(actor.to_string())
        .bind(WITNESS_STATEMENT)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("keeping a witness statement"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Incident, "incident-statement-added")
                .with_ref(inc_ref(&inc.reference)?)
                .with("document", id.as_str())
                .with("sha256", sha.as_str())
                .with("bytes", contents.len())
                .with("kind", WITNESS_STATEMENT),
        );
        tx.commit().await?;
        Ok(IncidentDocument {
            id,
            name: name.to_owned(),
            media_type: media_type.to_owned(),
            bytes: contents.len() as u64,
            sha256: sha,
            added_at_unix_ms: now,
            added_by: actor.to_string(),
            kind: WITNESS_STATEMENT.to_owned(),
        })
    }

    /// A witness statement's contents, decrypted and checked against its SHA-256.
    pub async fn incident_statement(
        &self,
        documents: &Path,
        reference: &str,
        id: &str,
    ) -> StoreResult<(IncidentDocument, Vec<u8>)> {
        let inc = self.require_incident(reference).await?;
        let doc = self
            .incident_documents(&inc.reference)
            .await?
            .into_iter()
            .find(|d| d.id == id)
            .ok_or_else(|| {
                StoreError::NotFound(format!("incident {reference} has no statement {id}"))
            })?;
        let key = self.incident_key(&inc.reference).await?;
        let path = documents.join(format!("incidents/{}/{id}.cdoc", inc.reference));
        let contents = crate::documents::read_sealed(
            &path,
            &key,
            &doc.sha256,
            &format!("statement {id} of incident {}", inc.reference),
        )?;
        Ok((doc, contents))
    }

    async fn incident_key(&self, reference: &str) -> StoreResult<SecretKey> {
        self.open_record_key(
            "SELECT key_sealed FROM incidents WHERE reference = $1",
            &key_context(reference),
            reference,
            "incident",
        )
        .await
    }

    async fn require_incident(&self, reference: &str) -> StoreResult<Incident> {
        self.incident(reference).await?.ok_or_else(|| {
            StoreError::NotFound(format!(
                "there is no incident {}; references look like INC-2026-0001",
                reference.trim()
            ))
        })
    }

    /// Incident `reference` as it stands, if there is one.
    pub async fn incident(&self, reference: &str) -> StoreResult<Option<Incident>> {
        let Ok(r) = incident::IncidentRef::parse(reference) else {
            return Ok(None);
        };
        Ok(self
            .incidents_where("WHERE reference = $1", Some(r.as_str()))
            .await?
            .into_iter()
            .next())
    }

    /// Every incident, newest (by when it happened) first.
    pub async fn incidents(&self) -> StoreResult<Vec<Incident>> {
        self.incidents_where("", None).await
    }

    async fn incidents_where(
        &self,
        filter: &str,
        reference: Option<&str>,
    ) -> StoreResult<Vec<Incident>> {
        let get = StoreError::db("reading incidents");
        let sql = format!(
            "SELECT reference, occurred_at_unix_ms, place, seen, seen_by, police_reference, \
             action_taken, outcome, outcome_at_unix_ms, outcome_by, recorded_at_unix_ms, \
             recorded_by, countersigned_by, countersigned_role, countersigned_at_unix_ms \
             FROM incidents {filter} ORDER BY occurred_at_unix_ms DESC, reference DESC"
        );
        // `filter` is one of this module's fixed strings; values are bound.
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(r) = reference {
            q = q.bind(r);
        }
        let rows = q.fetch_all(self.pool()).await.map_err(&get)?;
        let cams = sqlx::query(
            "SELECT reference, camera_id FROM incident_cameras ORDER BY reference, camera_id",
        )
        .fetch_all(self.pool())
        .await
        .map_err(&get)?;
        let mut cameras: std::collections::BTreeMap<String, Vec<Ident>> = Default::default();
        for c in &cams {
            let r: String = c.try_get(0).map_err(&get)?;
            let id: String = c.try_get(1).map_err(&get)?;
            let id = Ident::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            cameras.entry(r).or_default().push(id);
        }
        rows.iter()
            .map(|r| {
                let reference: String = r.try_get(0).map_err(&get)?;
                let outcome_at: Option<i64> = r.try_get(8).map_err(&get)?;
                let outcome_by: Option<String> = r.try_get(9).map_err(&get)?;
                let cs_by: Option<String> = r.try_get(12).map_err(&get)?;
                let cs_role: Option<String> = r.try_get(13).map_err(&get)?;
                let cs_at: Option<i64> = r.try_get(14).map_err(&get)?;
                Ok(Incident {
                    draft: Draft {
                        occurred_at_unix_ms: r.try_get(1).map_err(&get)?,
                        cameras: cameras.get(&reference).cloned().unwrap_or_default(),
                        place: r.try_get(2).map_err(&get)?,
                        seen: r.try_get(3).map_err(&get)?,
                        seen_by: r.try_get(4).map_err(&get)?,
                        police_reference: r.try_get(5).map_err(&get)?,
                        action_taken: r.try_get(6).map_err(&get)?,
                        outcome: r.try_get(7).map_err(&get)?,
                    },
                    recorded_at_unix_ms: r.try_get(10).map_err(&get)?,
                    recorded_by: r.try_get(11).map_err(&get)?,
                    outcome_at: outcome_at.zip(outcome_by),
                    countersigned: match (cs_by, cs_role, cs_at) {
                        (Some(b), Some(role), Some(at)) => Some((b, role, at)),
                        _ => None,
                    },
                    reference,
                })
            })
            .collect()
    }

    /// Everything about incident `reference`: corrections, footage, links, statements.
    pub async fn incident_record(&self, reference: &str) -> StoreResult<Option<IncidentRecord>> {
        let Some(incident) = self.incident(reference).await? else {
            return Ok(None);
        };
        let r = incident.reference.clone();
        let get = StoreError::db("reading an incident");
        let corrections = sqlx::query(
            "SELECT n, at_unix_ms, corrected_by, fields, reason, before_json, after_json \
             FROM incident_corrections WHERE reference = $1 ORDER BY n",
        )
        .bind(&r)
        .fetch_all(self.pool())
        .await
        .map_err(&get)?
        .iter()
        .map(|row| {
            let fields_text: String = row.try_get(3).map_err(&get)?;
            let fields: Vec<Field> = fields_text
                .split(',')
                .filter_map(|f| f.parse().ok())
                .collect();
            let parse = |i: usize| -> StoreResult<serde_json::Value> {
                let t: String = row.try_get(i).map_err(&get)?;
                serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(e.to_string()))
            };
            let (before, after) = (parse(5)?, parse(6)?);
            let text = |v: &serde_json::Value, f: Field| {
                v.get(f.as_str())
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            Ok(Correction {
                n: row.try_get(0).map_err(&get)?,
                at_unix_ms: row.try_get(1).map_err(&get)?,
                by: row.try_get(2).map_err(&get)?,
                changes: fields
                    .iter()
                    .map(|f| (*f, text(&before, *f), text(&after, *f)))
                    .collect(),
                fields,
                reason: row.try_get(4).map_err(&get)?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
        let links = sqlx::query(
            "SELECT kind, target, linked_at_unix_ms, linked_by FROM incident_links \
             WHERE reference = $1 ORDER BY linked_at_unix_ms, kind, target",
        )
        .bind(&r)
        .fetch_all(self.pool())
        .await
        .map_err(&get)?
        .iter()
        .map(|row| {
            Ok(Link {
                kind: row.try_get(0).map_err(&get)?,
                target: row.try_get(1).map_err(&get)?,
                at_unix_ms: row.try_get(2).map_err(&get)?,
                by: row.try_get(3).map_err(&get)?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
        let mut footage = Vec::new();
        for l in links.iter().filter(|l| l.kind == "footage") {
            let Some(h) = sqlx::query(
                "SELECT class, from_unix_ms, to_unix_ms, released_at_unix_ms FROM holds \
                 WHERE id = $1",
            )
            .bind(&l.target)
            .fetch_optional(self.pool())
            .await
            .map_err(&get)?
            else {
                continue;
            };
            let cams = sqlx::query(
                "SELECT camera_id FROM hold_cameras WHERE hold_id = $1 ORDER BY camera_id",
            )
            .bind(&l.target)
            .fetch_all(self.pool())
            .await
            .map_err(&get)?
            .iter()
            .map(|c| {
                let id: String = c.try_get(0).map_err(&get)?;
                Ident::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .collect::<StoreResult<Vec<_>>>()?;
            let released: Option<i64> = h.try_get(3).map_err(&get)?;
            footage.push(LinkedFootage {
                hold: l.target.clone(),
                class: h.try_get(0).map_err(&get)?,
                cameras: cams,
                from_unix_ms: h.try_get(1).map_err(&get)?,
                to_unix_ms: h.try_get(2).map_err(&get)?,
                held: released.is_none(),
            });
        }
        let documents = self.incident_documents(&r).await?;
        Ok(Some(IncidentRecord {
            incident,
            corrections,
            footage,
            links,
            documents,
        }))
    }

    /// The witness statements of incident `reference`.
    pub async fn incident_documents(&self, reference: &str) -> StoreResult<Vec<IncidentDocument>> {
        let get = StoreError::db("reading witness statements");
        sqlx::query(
            "SELECT id, name, media_type, bytes, sha256, added_at_unix_ms, added_by, kind \
             FROM incident_documents WHERE reference = $1 ORDER BY added_at_unix_ms, id",
        )
        .bind(reference)
        .fetch_all(self.pool())
        .await
        .map_err(&get)?
        .iter()
        .map(|r| {
            Ok(IncidentDocument {
                id: r.try_get(0).map_err(&get)?,
                name: r.try_get(1).map_err(&get)?,
                media_type: r.try_get(2).map_err(&get)?,
                bytes: u64::try_from(r.try_get::<i64, _>(3).map_err(&get)?).unwrap_or(0),
                sha256: r.try_get(4).map_err(&get)?,
                added_at_unix_ms: r.try_get(5).map_err(&get)?,
                added_by: r.try_get(6).map_err(&get)?,
                kind: r.try_get(7).map_err(&get)?,
            })
        })
        .collect()
    }

    /// The incident log as rows in words (cameras and people by name), newest first: what
    /// its CSV and PDF hold.
    pub async fn incident_log(&self) -> StoreResult<Vec<LogRow>> {
        let cameras: std::collections::BTreeMap<String, String> = self
            .cameras(true)
            .await?
            .into_iter()
            .map(|c| (c.id.to_string(), c.draft.name.clone()))
            .collect();
        let cam = |id: &Ident| {
            cameras
                .get(id.as_str())
                .cloned()
                .unwrap_or_else(|| id.to_string())
        };
        let people: std::collections::BTreeMap<String, String> = self
            .users()
            .await?
            .into_iter()
            .map(|u| (u.username.to_string(), u.display_name))
            .collect();
        let person = |actor: &str| {
            let user = actor.rsplit(':').next().unwrap_or(actor);
            people.get(user).cloned().unwrap_or_else(|| user.to_owned())
        };
        let mut rows = Vec::new();
        for inc in self.incidents().await? {
            let Some(rec) = self.incident_record(&inc.reference).await? else {
                continue;
            };
            let d = &inc.draft;
            rows.push(LogRow {
                reference: inc.reference.clone(),
                occurred: UnixMs(d.occurred_at_unix_ms).to_london_display(),
                cameras: d.cameras.iter().map(cam).collect::<Vec<_>>().join("; "),
                place: d.place.clone(),
                seen: d.seen.clone(),
                seen_by: d.seen_by.clone(),
                police_reference: d.police_reference.clone(),
                action_taken: d.action_taken.clone(),
                outcome: d.outcome.clone(),
                linked_footage: rec
                    .footage
                    .iter()
                    .map(|f| {
                        format!(
                            "{}, {} to {}",
                            f.cameras.iter().map(cam).collect::<Vec<_>>().join(", "),
                            UnixMs(f.from_unix_ms).to_london_display(),
                            UnixMs(f.to_unix_ms).to_london_display()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
                countersigned_by: inc
                    .countersigned
                    .as_ref()
                    .map(|(b, _, _)| person(b))
                    .unwrap_or_default(),
                countersigned_at: inc
                    .countersigned
                    .as_ref()
                    .map(|(_, _, at)| UnixMs(*at).to_london_display())
                    .unwrap_or_default(),
                corrections: rec
                    .corrections
                    .iter()
                    .map(|c| {
                        format!(
                            "{}, {}: {} — {}",
                            UnixMs(c.at_unix_ms).to_london_display(),
                            person(&c.by),
                            c.fields
                                .iter()
                                .map(|f| f.describe())
                                .collect::<Vec<_>>()
                                .join(", "),
                            c.reason
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            });
        }
        Ok(rows)
    }
}

fn camera_ref(c: &Ident) -> StoreResult<Reference> {
    Reference::new("camera", c.as_str()).map_err(|e| StoreError::Invalid(e.to_string()))
}

async fn set_cameras(tx: &mut WriteTx, reference: &str, cameras: &[Ident]) -> StoreResult<()> {
    let mut cameras = cameras.to_vec();
    cameras.sort();
    cameras.dedup();
    for c in &cameras {
        sqlx::query("INSERT INTO incident_cameras (reference, camera_id) VALUES ($1, $2)")
            .bind(reference)
            .bind(c.as_str())
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("recording an incident's cameras"))?;
    }
    Ok(())
}

async fn insert_link(
    tx: &mut WriteTx,
    actor: &Actor,
    reference: &str,
    kind: &str,
    target: &str,
    now: i64,
) -> StoreResult<()> {
    let exists = sqlx::query(
        "SELECT 1 FROM incident_links WHERE reference = $1 AND kind = $2 AND target = $3",
    )
    .bind(reference)
    .bind(kind)
    .bind(target)
    .fetch_optional(tx.conn())
    .await
    .map_err(StoreError::db("linking to an incident"))?;
    if exists.is_some() {
        return Err(StoreError::Invalid(format!(
            "that {kind} is already linked to incident {reference}"
        )));
    }
    sqlx::query(
        "INSERT INTO incident_links (reference, kind, target, linked_at_unix_ms, linked_by) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(reference)
    .bind(kind)
    .bind(target)
    .bind(now)
    .bind(actor.to_string())
    .execute(tx.conn())
    .await
    .map_err(StoreError::db("linking to an incident"))?;
    Ok(())
}

/// The number of the incident's latest `incident-recorded` or `incident-corrected` entry:
/// the entry a new correction corrects.
async fn latest_entry(tx: &mut WriteTx, reference: &str) -> StoreResult<Option<i64>> {
    let want = format!("incident:{reference}");
    let rows = sqlx::query(
        "SELECT seq, refs FROM ledger_entries WHERE book = 'incident' \
         AND kind IN ('incident-recorded', 'incident-corrected') AND refs LIKE $1 \
         ORDER BY seq DESC",
    )
    .bind(format!("%{want}%"))
    .fetch_all(tx.conn())
    .await
    .map_err(StoreError::db("finding the entry a correction corrects"))?;
    for r in rows {
        let refs: String = r
            .try_get(1)
            .map_err(StoreError::db("finding the entry a correction corrects"))?;
        if refs.split('\n').any(|l| l == want) {
            return r
                .try_get(0)
                .map(Some)
                .map_err(StoreError::db("finding the entry a correction corrects"));
        }
    }
    Ok(None)
}
