//! The deployment log of redeployable cameras (BDC-38, LJM-5): deployments recorded, their
//! signs erected and removed, the camera taken down, corrections, photos of the signs and
//! other documents kept encrypted, and the deployment a camera's footage was recorded under.
//!
//! Invariants:
//! - Only a person whose role keeps the log under the pack's `[books.deployment]`
//!   (`access::book_role`) writes in it; the store asks whoever calls (page, API, console).
//! - A deployment is checked by `domain::deployment` with every problem at once, against
//!   the camera register and the pack's deployment purposes; its row as recorded is never
//!   rewritten: the signs' and camera's times are filled once, and each correction is a row
//!   of its own applied on top in order.
//! - Every change writes its ledger entry (book `deployment`, with the `deployment:REF`
//!   reference and the camera's) in the same transaction. The justification, which may
//!   carry intelligence, is ledgered as its SHA-256 only.
//! - A camera has at most one deployment covering any moment: a new one may not overlap
//!   another of the same camera that has not come down.

use std::path::Path;

use custos_base::{Actor, UnixMs};
use custos_domain::access::Subject;
use custos_domain::deployment::{
    self, Consultation, Correction, Deployment, Draft, Field, Grounds,
};
use custos_domain::ledger::{Book, NewEntry, Reference, to_hex};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::reviews::random_hex;
use crate::secrets::SecretKey;
use crate::store::Store;

/// A step on a deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeploymentStep {
    /// The signs were erected at this time.
    SignsUp {
        /// When (ms since the epoch).
        at_unix_ms: i64,
    },
    /// The signs were removed at this time.
    SignsDown {
        /// When.
        at_unix_ms: i64,
    },
    /// The camera was taken down at this time, ending the deployment.
    Removed {
        /// When.
        at_unix_ms: i64,
    },
    /// A correction of one detail, with the reason.
    Correct {
        /// The detail.
        field: Field,
        /// Its new value (a time as ms since the epoch, written out).
        value: String,
        /// Why.
        reason: String,
    },
}

impl DeploymentStep {
    /// The step's id, as forms and the API name it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::SignsUp { .. } => "signs-up",
            Self::SignsDown { .. } => "signs-down",
            Self::Removed { .. } => "removed",
            Self::Correct { .. } => "correct",
        }
    }
}

/// A document kept with a deployment: a photo of its signs, or another paper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentDocument {
    /// Its id.
    pub id: String,
    /// `signs-erected`, `signs-removed` or `other`.
    pub kind: String,
    /// Its file name.
    pub name: String,
    /// Its media type.
    pub media_type: String,
    /// Its size.
    pub bytes: u64,
    /// Its SHA-256.
    pub sha256: String,
    /// When it was kept (ms since the epoch).
    pub added_at_unix_ms: i64,
    /// Who kept it (ledger actor text).
    pub added_by: String,
}

/// The kinds of document a deployment keeps.
pub const DOCUMENT_KINDS: [&str; 3] = ["signs-erected", "signs-removed", "other"];

fn dep_ref(reference: &str) -> StoreResult<Reference> {
    Reference::new("deployment", reference).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn camera_ref(camera: &custos_domain::Ident) -> StoreResult<Reference> {
    Reference::new("camera", camera.as_str()).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn key_context(reference: &str) -> String {
    format!("custos deployment key v1:{reference}")
}

fn sha256(text: &str) -> String {
    to_hex(&Sha256::digest(text.trim().as_bytes()))
}

macro_rules! deployment_columns {
    () => {
        "SELECT reference, camera_id, place, map_reference, from_unix_ms, until_unix_ms, grounds, \
         justification, purpose, consultation, privacy, authorised_by, recorded_by_name, \
         recorded_at_unix_ms, signs_up_unix_ms, signs_down_unix_ms, removed_unix_ms \
         FROM deployments "
    };
}

macro_rules! correction_columns {
    () => {
        "SELECT c.reference, c.field, c.before_value, c.after_value, c.reason, \
         c.corrected_by_name, c.corrected_at_unix_ms \
         FROM deployment_corrections c JOIN deployments d ON d.reference = c.reference "
    };
}

/// Which deployments a query reads.
#[derive(Debug, Clone, Copy)]
enum Filter<'a> {
    /// Every one.
    All,
    /// The one with this reference.
    Reference(&'a str),
    /// Those of this camera.
    Camera(&'a str),
}

impl Store {
    async fn deployment_purposes(&self) -> StoreResult<Vec<String>> {
        Ok(self
            .active_policy()
            .await?
            .ok_or_else(|| StoreError::Invalid("no policy pack is loaded".to_owned()))?
            .pack
            .books
            .deployment_purposes)
    }

    /// The purposes a camera may be deployed for under the active pack (BDC-38).
    pub async fn deployment_purpose_list(&self) -> StoreResult<Vec<String>> {
        self.deployment_purposes().await
    }

    /// Records a deployment (ledgered `deployment-recorded`), kept by `keeper`, who must keep
    /// the deployment log; refused with every problem at once, for a camera not in the
    /// register, or one deployed elsewhere over the same time.
    pub async fn record_deployment(
        &self,
        actor: &Actor,
        keeper: &Subject,
        draft: &Draft,
    ) -> StoreResult<Deployment> {
        self.book_role(keeper, Book::Deployment, false).await?;
        let purposes = self.deployment_purposes().await?;
        let mut problems = deployment::validate(draft, &purposes)
            .err()
            .unwrap_or_default();
        if self.camera(&draft.camera).await?.is_none() {
            problems.push(format!(
                "there is no camera {}; `custos camera list` shows the register",
                draft.camera
            ));
        }
        for other in self.deployments_of(&draft.camera).await? {
            let o = other.current();
            let end = other.removed_unix_ms.unwrap_or(i64::MAX);
            if o.from_unix_ms < draft.until_unix_ms && draft.from_unix_ms < end {
                problems.push(format!(
                    "the camera is deployed at {} ({}) over that time; record it taken down there first",
                    o.place, other.reference
                ));
            }
        }
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems.join("; ")));
        }
        let now = self.clock().now().0;
        let recorded_by_name = self.name_of(&keeper.username).await?;
        let key = SecretKey::generate()?;
        let mut tx = self.write().await?;
        let reference =
            crate::cases::next_numbered(&mut tx, deployment::PREFIX, draft.from_unix_ms).await?;
        sqlx::query(
            "INSERT INTO deployments (reference, camera_id, place, map_reference, from_unix_ms, \
             until_unix_ms, grounds, justification, purpose, consultation, privacy, \
             authorised_by, recorded_by, recorded_by_name, recorded_at_unix_ms, key_sealed) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(&reference)
        .bind(draft.camera.as_str())
        .bind(draft.place.trim())
        .bind(draft.map_reference.trim())
        .bind(draft.from_unix_ms)
        .bind(draft.until_unix_ms)
        .bind(draft.grounds.as_str())
        .bind(draft.justification.trim())
        .bind(draft.purpose.trim())
        .bind(draft.consultation.words())
        .bind(draft.privacy.trim())
        .bind(draft.authorised_by.trim())
        .bind(&keeper.username)
        .bind(&recorded_by_name)
        .bind(now)
        .bind(
            self.master_key()?
                .seal(&key_context(&reference), key.bytes())?,
        )
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording a deployment"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Deployment, "deployment-recorded")
                .with_ref(dep_ref(&reference)?)
                .with_ref(camera_ref(&draft.camera)?)
                .with("place", draft.place.trim())
                .with("map_reference", draft.map_reference.trim())
                .with("from", UnixMs(draft.from_unix_ms).to_rfc3339())
                .with("until", UnixMs(draft.until_unix_ms).to_rfc3339())
                .with("grounds", draft.grounds.as_str())
                .with("justification_sha256", sha256(&draft.justification))
                .with("purpose", draft.purpose.trim())
                .with(
                    "consulted",
                    matches!(draft.consultation, Consultation::Made(_)),
                )
                .with("authorised_by", draft.authorised_by.trim()),
        );
        tx.commit().await?;
        self.require_deployment(&reference).await
    }

    /// Takes `step` on deployment `reference` as `keeper` (a keeper of the log), ledgered in
    /// the same transaction: `deployment-signs-erected`, `deployment-signs-removed`,
    /// `deployment-ended` or `deployment-corrected`.
    pub async fn deployment_step(
        &self,
        actor: &Actor,
        keeper: &Subject,
        reference: &str,
        step: &DeploymentStep,
    ) -> StoreResult<Deployment> {
        self.book_role(keeper, Book::Deployment, false).await?;
        let dep = self.require_deployment(reference).await?;
        let r = dep_ref(&dep.reference)?;
        let now = self.clock().now().0;
        let invalid = StoreError::Invalid;
        let mut tx = self.write().await?;
        let (sql, at, kind) = match step {
            DeploymentStep::SignsUp { at_unix_ms } => {
                deployment::check_signs_up(&dep).map_err(invalid)?;
                (
                    "UPDATE deployments SET signs_up_unix_ms = $1 \
                     WHERE reference = $2 AND signs_up_unix_ms IS NULL",
                    *at_unix_ms,
                    "deployment-signs-erected",
                )
            }
            DeploymentStep::SignsDown { at_unix_ms } => {
                deployment::check_signs_down(&dep, *at_unix_ms).map_err(invalid)?;
                (
                    "UPDATE deployments SET signs_down_unix_ms = $1 \
                     WHERE reference = $2 AND signs_down_unix_ms IS NULL",
                    *at_unix_ms,
                    "deployment-signs-removed",
                )
            }
            DeploymentStep::Removed { at_unix_ms } => {
                deployment::check_removed(&dep, *at_unix_ms).map_err(invalid)?;
                (
                    "UPDATE deployments SET removed_unix_ms = $1 \
                     WHERE reference = $2 AND removed_unix_ms IS NULL",
                    *at_unix_ms,
                    "deployment-ended",
                )
            }
            DeploymentStep::Correct {
                field,
                value,
                reason,
            } => {
                let after =
                    deployment::check_correction(&dep, *field, value, reason).map_err(invalid)?;
                let d = dep.current();
                let before = match field {
                    Field::Place => d.place.clone(),
                    Field::MapReference => d.map_reference.clone(),
                    Field::Until => d.until_unix_ms.to_string(),
                    Field::Justification => d.justification.clone(),
                    Field::Consultation => d.consultation.words(),
                    Field::Privacy => d.privacy.clone(),
                };
                if before == after {
                    return Err(StoreError::Invalid(format!(
                        "{} is already {after:?}: nothing to correct",
                        field.words()
                    )));
                }
                let stored = if *field == Field::Consultation {
                    Consultation::from_words(&after).words()
                } else {
                    after
                };
                let name = self.name_of(&keeper.username).await?;
                sqlx::query(
                    "INSERT INTO deployment_corrections (reference, number, field, before_value, \
                     after_value, reason, corrected_by, corrected_by_name, corrected_at_unix_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&dep.reference)
                .bind(i64::try_from(dep.corrections.len()).unwrap_or(i64::MAX) + 1)
                .bind(field.as_str())
                .bind(&before)
                .bind(&stored)
                .bind(reason.trim())
                .bind(&keeper.username)
                .bind(&name)
                .bind(now)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("correcting a deployment"))?;
                let shown = |v: &str| {
                    if *field == Field::Until {
                        v.parse()
                            .map(|t| UnixMs(t).to_rfc3339())
                            .unwrap_or_default()
                    } else if *field == Field::Justification {
                        sha256(v)
                    } else {
                        v.to_owned()
                    }
                };
                tx.record(
                    actor,
                    NewEntry::new(Book::Deployment, "deployment-corrected")
                        .with_ref(r)
                        .with("field", field.as_str())
                        .with("before", shown(&before))
                        .with("after", shown(&stored))
                        .with("reason", reason.trim()),
                );
                tx.commit().await?;
                return self.require_deployment(&dep.reference).await;
            }
        };
        if at > now {
            return Err(StoreError::Invalid(
                "the time is in the future: record it when it has happened".to_owned(),
            ));
        }
        sqlx::query(sql)
            .bind(at)
            .bind(&dep.reference)
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("recording a step of a deployment"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Deployment, kind)
                .with_ref(r)
                .with_ref(camera_ref(&dep.recorded.camera)?)
                .with("at", UnixMs(at).to_rfc3339()),
        );
        tx.commit().await?;
        self.require_deployment(&dep.reference).await
    }

    /// Keeps a document with deployment `reference` — a photo of its signs or another paper —
    /// encrypted under the deployment's key in `documents` (ledgered
    /// `deployment-document-added` with its kind, SHA-256 and size).
    #[allow(clippy::too_many_arguments)]
    pub async fn add_deployment_document(
        &self,
        actor: &Actor,
        keeper: &Subject,
        documents: &Path,
        reference: &str,
        kind: &str,
        name: &str,
        media_type: &str,
        contents: &[u8],
    ) -> StoreResult<DeploymentDocument> {
        self.book_role(keeper, Book::Deployment, false).await?;
        let dep = self.require_deployment(reference).await?;
        let kind = kind.trim();
        if !DOCUMENT_KINDS.contains(&kind) {
            return Err(StoreError::Invalid(format!(
                "{kind:?} is not a kind of deployment document: {}",
                DOCUMENT_KINDS.join(", ")
            )));
        }
        let name = name.trim();
        if name.is_empty() || contents.is_empty() {
            return Err(StoreError::Invalid(
                "a document needs a file name and some contents".to_owned(),
            ));
        }
        let key = self.deployment_key(&dep.reference).await?;
        let id = random_hex(8)?;
        let rel = format!("deployments/{}/{id}.cdoc", dep.reference);
        let now = self.clock().now().0;
        let sha = crate::documents::write_sealed(&documents.join(&rel), &key, contents, now)?;
        let media_type = match media_type.trim() {
            "" => "application/octet-stream",
            m => m,
        };
        let bytes = i64::try_from(contents.len()).unwrap_or(i64::MAX);
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO deployment_documents (id, reference, kind, name, media_type, path, \
             bytes, sha256, added_at_unix_ms, added_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&id)
        .bind(&dep.reference)
        .bind(kind)
        .bind(name)
        .bind(media_type)
        .bind(&rel)
        .bind(bytes)
        .bind(&sha)
        .bind(now)
        .bind(actor.to_string())
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("keeping a deployment's document"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Deployment, "deployment-document-added")
                .with_ref(dep_ref(&dep.reference)?)
                .with("document", id.as_str())
                .with("kind", kind)
                .with("sha256", sha.as_str())
                .with("bytes", bytes),
        );
        tx.commit().await?;
        Ok(DeploymentDocument {
            id,
            kind: kind.to_owned(),
            name: name.to_owned(),
            media_type: media_type.to_owned(),
            bytes: contents.len() as u64,
            sha256: sha,
            added_at_unix_ms: now,
            added_by: actor.to_string(),
        })
    }

    /// The documents kept with deployment `reference`, oldest first.
    pub async fn deployment_documents(
        &self,
        reference: &str,
    ) -> StoreResult<Vec<DeploymentDocument>> {
        let get = StoreError::db("reading a deployment's documents");
        let rows = sqlx::query(
            "SELECT id, kind, name, media_type, bytes, sha256, added_at_unix_ms, added_by \
             FROM deployment_documents WHERE reference = $1 ORDER BY added_at_unix_ms, id",
        )
        .bind(reference.trim().to_ascii_uppercase())
        .fetch_all(self.pool())
        .await
        .map_err(&get)?;
        rows.iter()
            .map(|r| {
                Ok(DeploymentDocument {
                    id: r.try_get(0).map_err(&get)?,
                    kind: r.try_get(1).map_err(&get)?,
                    name: r.try_get(2).map_err(&get)?,
                    media_type: r.try_get(3).map_err(&get)?,
                    bytes: u64::try_from(r.try_get::<i64, _>(4).map_err(&get)?).unwrap_or(0),
                    sha256: r.try_get(5).map_err(&get)?,
                    added_at_unix_ms: r.try_get(6).map_err(&get)?,
                    added_by: r.try_get(7).map_err(&get)?,
                })
            })
            .collect()
    }

    /// A deployment's document, decrypted and checked against its SHA-256.
    pub async fn deployment_document(
        &self,
        documents: &Path,
        reference: &str,
        id: &str,
    ) -> StoreResult<(DeploymentDocument, Vec<u8>)> {
        let dep = self.require_deployment(reference).await?;
        let doc = self
            .deployment_documents(&dep.reference)
            .await?
            .into_iter()
            .find(|d| d.id == id)
            .ok_or_else(|| {
                StoreError::NotFound(format!("deployment {reference} has no document {id}"))
            })?;
        let key = self.deployment_key(&dep.reference).await?;
        let path = documents.join(format!("deployments/{}/{id}.cdoc", dep.reference));
        let contents = crate::documents::read_sealed(
            &path,
            &key,
            &doc.sha256,
            &format!("document {id} of deployment {}", dep.reference),
        )?;
        Ok((doc, contents))
    }

    async fn deployment_key(&self, reference: &str) -> StoreResult<SecretKey> {
        self.open_record_key(
            "SELECT key_sealed FROM deployments WHERE reference = $1",
            &key_context(reference),
            reference,
            "deployment",
        )
        .await
    }

    async fn require_deployment(&self, reference: &str) -> StoreResult<Deployment> {
        self.deployment(reference).await?.ok_or_else(|| {
            StoreError::NotFound(format!(
                "there is no deployment {}; references look like DEP-2026-0001",
                reference.trim()
            ))
        })
    }

    /// Deployment `reference` as it stands, if there is one.
    pub async fn deployment(&self, reference: &str) -> StoreResult<Option<Deployment>> {
        Ok(self
            .deployments_where(Filter::Reference(&reference.trim().to_ascii_uppercase()))
            .await?
            .into_iter()
            .next())
    }

    /// Every deployment, newest (by its start) first.
    pub async fn deployments(&self) -> StoreResult<Vec<Deployment>> {
        let mut all = self.deployments_where(Filter::All).await?;
        all.reverse();
        Ok(all)
    }

    /// The deployments of `camera`, oldest first.
    pub async fn deployments_of(
        &self,
        camera: &custos_domain::Ident,
    ) -> StoreResult<Vec<Deployment>> {
        self.deployments_where(Filter::Camera(camera.as_str()))
            .await
    }

    /// The deployment `camera`'s footage at `at_unix_ms` was recorded under, if any: where
    /// reviews and packages say the footage was recorded (BDC-38).
    pub async fn deployment_at(
        &self,
        camera: &custos_domain::Ident,
        at_unix_ms: i64,
    ) -> StoreResult<Option<Deployment>> {
        Ok(self
            .deployments_of(camera)
            .await?
            .into_iter()
            .find(|d| d.covers(at_unix_ms)))
    }

    /// Where `camera`'s footage at `at_unix_ms` was recorded, in words: the place and map
    /// reference of the deployment it was recorded under, or `home`, the camera's own
    /// location from the register (BDC-38).
    pub async fn footage_location(
        &self,
        camera: &custos_domain::Ident,
        home: &str,
        at_unix_ms: i64,
    ) -> StoreResult<String> {
        Ok(match self.deployment_at(camera, at_unix_ms).await? {
            Some(d) => {
                let c = d.current();
                format!(
                    "{} (map reference {}), deployed under {}",
                    c.place, c.map_reference, d.reference
                )
            }
            None => home.to_owned(),
        })
    }

    async fn deployments_where(&self, filter: Filter<'_>) -> StoreResult<Vec<Deployment>> {
        let get = StoreError::db("reading the deployment log");
        let (sql, corrections, value) = match filter {
            Filter::All => (
                concat!(deployment_columns!(), "ORDER BY from_unix_ms, reference"),
                concat!(correction_columns!(), "ORDER BY c.reference, c.number"),
                None,
            ),
            Filter::Reference(r) => (
                concat!(
                    deployment_columns!(),
                    "WHERE reference = $1 ORDER BY from_unix_ms, reference"
                ),
                concat!(
                    correction_columns!(),
                    "WHERE c.reference = $1 ORDER BY c.reference, c.number"
                ),
                Some(r),
            ),
            Filter::Camera(c) => (
                concat!(
                    deployment_columns!(),
                    "WHERE camera_id = $1 ORDER BY from_unix_ms, reference"
                ),
                concat!(
                    correction_columns!(),
                    "WHERE d.camera_id = $1 ORDER BY c.reference, c.number"
                ),
                Some(c),
            ),
        };
        let mut q = sqlx::query(sql);
        if let Some(v) = value {
            q = q.bind(v.to_owned());
        }
        let rows = q.fetch_all(self.pool()).await.map_err(&get)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let camera: String = r.try_get(1).map_err(&get)?;
            let grounds: String = r.try_get(6).map_err(&get)?;
            let consultation: String = r.try_get(9).map_err(&get)?;
            out.push(Deployment {
                reference: r.try_get(0).map_err(&get)?,
                recorded: Draft {
                    camera: custos_domain::Ident::parse(&camera)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    place: r.try_get(2).map_err(&get)?,
                    map_reference: r.try_get(3).map_err(&get)?,
                    from_unix_ms: r.try_get(4).map_err(&get)?,
                    until_unix_ms: r.try_get(5).map_err(&get)?,
                    grounds: grounds
                        .parse::<Grounds>()
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    justification: r.try_get(7).map_err(&get)?,
                    purpose: r.try_get(8).map_err(&get)?,
                    consultation: Consultation::from_words(&consultation),
                    privacy: r.try_get(10).map_err(&get)?,
                    authorised_by: r.try_get(11).map_err(&get)?,
                },
                recorded_by: r.try_get(12).map_err(&get)?,
                recorded_at_unix_ms: r.try_get(13).map_err(&get)?,
                signs_up_unix_ms: r.try_get(14).map_err(&get)?,
                signs_down_unix_ms: r.try_get(15).map_err(&get)?,
                removed_unix_ms: r.try_get(16).map_err(&get)?,
                corrections: Vec::new(),
            });
        }
        if out.is_empty() {
            return Ok(out);
        }
        let mut q = sqlx::query(corrections);
        if let Some(v) = value {
            q = q.bind(v.to_owned());
        }
        for r in q.fetch_all(self.pool()).await.map_err(&get)? {
            let reference: String = r.try_get(0).map_err(&get)?;
            let field: String = r.try_get(1).map_err(&get)?;
            let c = Correction {
                field: Field::parse(&field).map_err(StoreError::Corrupt)?,
                before: r.try_get(2).map_err(&get)?,
                after: r.try_get(3).map_err(&get)?,
                reason: r.try_get(4).map_err(&get)?,
                by: r.try_get(5).map_err(&get)?,
                at_unix_ms: r.try_get(6).map_err(&get)?,
            };
            if let Some(d) = out.iter_mut().find(|d| d.reference == reference) {
                d.corrections.push(c);
            }
        }
        Ok(out)
    }
}
