//! The control-room visitors' log (LBU-12, BDC-23, BDC-7, BDC-18, migration `0033_visitors`):
//! each visit recorded as the visitor comes in (`visitor-arrived`), their time out
//! (`visitor-left`), the countersignature of its authorisation (`visit-countersigned`) and
//! corrections (`visit-corrected`), all in the ledger's `visitors` book.
//!
//! Invariants:
//! - The rules are `custos_domain::visitors`': a visit whose details are incomplete or whose
//!   undertaking is not accepted is refused, with every problem at once; an exit is not
//!   before the entry; a correction has a reason and leaves the visit whole.
//! - Who may do what is the pack's `[books.visitors]`, through
//!   `custos_domain::access::book_role`, checked here for every caller (pages, API,
//!   console): its keepers record arrivals, exits and corrections; its countersigners
//!   countersign, never a visit they recorded themselves.
//! - Every change writes its ledger entry in the same transaction; a visit's row is never
//!   rewritten: its time out and countersignature are filled once, and each correction is a
//!   row of its own naming the detail, its value before and after, and why.
//! - A scan of an undertaking signed on paper is kept encrypted under the visit's own key
//!   (sealed by the master key), through the same sealed-file mechanism as case documents
//!   (`crate::documents`), and read back only when it matches its SHA-256.

use std::path::Path;

use custos_base::{Actor, UnixMs};
use custos_domain::access::Subject;
use custos_domain::ledger::{Book, NewEntry, Reference};
use custos_domain::visitors::{
    Acceptance, AcceptedHow, Authoriser, Correction, CorrectionDraft, Countersignature, Details,
    Field, UndertakingDraft, Visit, VisitDraft,
};
use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::reviews::random_hex;
use crate::secrets::SecretKey;
use crate::store::Store;

/// The scan of an undertaking signed on paper.
#[derive(Debug, Clone)]
pub struct Scan {
    /// The file's name as uploaded.
    pub name: String,
    /// Its media type (`application/pdf`, `image/jpeg`).
    pub media_type: String,
    /// Its bytes.
    pub contents: Vec<u8>,
}

fn visit_ref(reference: &str) -> StoreResult<Reference> {
    Reference::new("visit", reference).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn key_context(reference: &str) -> String {
    format!("custos visit key v1:{reference}")
}

fn rfc3339(ms: i64) -> String {
    UnixMs(ms).to_rfc3339()
}

/// Which visits a query reads.
#[derive(Debug, Clone, Copy)]
enum Filter<'a> {
    /// The one visit with this reference.
    Reference(&'a str),
    /// Those whose visitor came in from the first instant (inclusive) to the second.
    Between(i64, i64),
    /// Those not yet countersigned.
    Uncountersigned,
    /// Those not yet countersigned or whose visitor has not been signed out.
    Waiting,
}

macro_rules! visit_columns {
    () => {
        "SELECT reference, name, organisation, purpose, authorised_by, \
     authoriser_role, entered_at_unix_ms, undertaking, undertaking_sha256, accepted_at_unix_ms, \
     typed_name, scan_sha256, recorded_by, recorded_by_name, left_at_unix_ms, countersigned_name, \
     countersigned_role, countersigned_at_unix_ms FROM visits "
    };
}

macro_rules! correction_columns {
    () => {
        "SELECT c.reference, c.field, c.before_value, c.after_value, c.reason, \
         c.corrected_by_name, c.corrected_at_unix_ms \
         FROM visit_corrections c JOIN visits v ON v.reference = c.reference "
    };
}

impl Store {
    /// The person's name, for the log; their user name when the account is gone.
    pub(crate) async fn name_of(&self, username: &str) -> StoreResult<String> {
        let Ok(u) = custos_domain::access::Username::parse(username) else {
            return Ok(username.to_owned());
        };
        Ok(self
            .user(&u)
            .await?
            .map_or_else(|| username.to_owned(), |r| r.display_name))
    }

    /// Records a visitor coming into the control room, kept by `keeper` (a keeper of the
    /// visitors' log) and ledgered as `actor` (`visitor-arrived`): refused unless every
    /// detail is there and the undertaking — the active pack's text — is accepted, on
    /// screen or on paper with `scan` kept encrypted under `documents`.
    pub async fn record_visit_arrival(
        &self,
        actor: &Actor,
        keeper: &Subject,
        documents: Option<&Path>,
        draft: &VisitDraft,
        scan: Option<&Scan>,
    ) -> StoreResult<Visit> {
        self.book_role(keeper, Book::Visitors, false).await?;
        let pack = self
            .active_policy()
            .await?
            .ok_or_else(|| StoreError::Invalid("no policy pack is loaded".to_owned()))?
            .pack;
        let now = self.clock().now().0;
        let mut draft = draft.clone();
        // What is attached decides: a form cannot claim a scan it does not carry.
        if let UndertakingDraft::OnPaper { scan_attached } = &mut draft.undertaking {
            *scan_attached = scan.is_some_and(|s| !s.contents.is_empty());
        }
        custos_domain::visitors::validate(&draft, now)
            .map_err(|p| StoreError::Invalid(p.join("; ")))?;
        let d = &draft.details;
        let text_sha = custos_domain::visitors::undertaking_sha256(&pack.books.visitor_undertaking);
        let how = draft.undertaking.how();
        let typed = match &draft.undertaking {
            UndertakingDraft::OnScreen { typed_name, .. } => Some(typed_name.trim().to_owned()),
            UndertakingDraft::OnPaper { .. } => None,
        };
        let recorded_by_name = self.name_of(&keeper.username).await?;
        let mut tx = self.write().await?;
        let reference = crate::cases::next_numbered(
            &mut tx,
            custos_domain::visitors::PREFIX,
            d.entered_at_unix_ms,
        )
        .await?;
        // The scan, under a key of the visit's own.
        let (mut scan_path, mut scan_sha, mut key_sealed) = (None, None, None);
        if let (AcceptedHow::OnPaper, Some(scan)) = (how, scan) {
            let documents = documents.ok_or_else(|| {
                StoreError::Invalid(
                    "this server keeps no documents, so a scan cannot be kept: accept the undertaking on screen".to_owned(),
                )
            })?;
            let key = SecretKey::generate()?;
            key_sealed = Some(
                self.master_key()?
                    .seal(&key_context(&reference), key.bytes())?,
            );
            let rel = format!("visitors/{reference}/{}.cdoc", random_hex(8)?);
            scan_sha = Some(crate::documents::write_sealed(
                &documents.join(&rel),
                &key,
                &scan.contents,
                now,
            )?);
            scan_path = Some(rel);
        }
        sqlx::query(
            "INSERT INTO visits (reference, name, organisation, purpose, authorised_by, \
             authoriser_role, entered_at_unix_ms, undertaking, undertaking_sha256, \
             accepted_at_unix_ms, typed_name, scan_path, scan_name, scan_media_type, scan_sha256, \
             key_sealed, recorded_by, recorded_by_name, recorded_at_unix_ms, left_at_unix_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18, $19, $20)",
        )
        .bind(&reference)
        .bind(d.name.trim())
        .bind(d.organisation.trim())
        .bind(d.purpose.trim())
        .bind(d.authorised_by.name.trim())
        .bind(d.authorised_by.role.trim())
        .bind(d.entered_at_unix_ms)
        .bind(how.as_str())
        .bind(&text_sha)
        .bind(now)
        .bind(typed.as_deref())
        .bind(scan_path.as_deref())
        .bind(scan.map(|s| s.name.trim().to_owned()))
        .bind(scan.map(|s| s.media_type.trim().to_owned()))
        .bind(scan_sha.as_deref())
        .bind(key_sealed.as_deref())
        .bind(&keeper.username)
        .bind(&recorded_by_name)
        .bind(now)
        .bind(d.left_at_unix_ms)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording a visit"))?;
        let mut entry = NewEntry::new(Book::Visitors, "visitor-arrived")
            .with_ref(visit_ref(&reference)?)
            .with("name", d.name.trim())
            .with("organisation", d.organisation.trim())
            .with("purpose", d.purpose.trim())
            .with("authorised_by", d.authorised_by.name.trim())
            .with("authoriser_role", d.authorised_by.role.trim())
            .with("time_in", rfc3339(d.entered_at_unix_ms))
            .with("undertaking", how.as_str())
            .with("undertaking_sha256", text_sha.as_str())
            .with("accepted_at", rfc3339(now));
        if let Some(s) = &scan_sha {
            entry = entry.with("scan_sha256", s.as_str());
        }
        if let Some(t) = d.left_at_unix_ms {
            entry = entry.with("time_out", rfc3339(t));
        }
        tx.record(actor, entry);
        tx.commit().await?;
        self.require_visit(&reference).await
    }

    /// Records the visitor of visit `reference` leaving at `left_at_unix_ms` (now when
    /// `None`), by `keeper` (`visitor-left`).
    pub async fn record_visitor_left(
        &self,
        actor: &Actor,
        keeper: &Subject,
        reference: &str,
        left_at_unix_ms: Option<i64>,
    ) -> StoreResult<Visit> {
        self.book_role(keeper, Book::Visitors, false).await?;
        let v = self.require_visit(reference).await?;
        let current = v.current();
        if let Some(t) = current.left_at_unix_ms {
            return Err(StoreError::Invalid(format!(
                "the visitor of {} left at {}; to change the time, correct it",
                v.reference,
                UnixMs(t).to_london_display()
            )));
        }
        let now = self.clock().now().0;
        let left = left_at_unix_ms.unwrap_or(now);
        custos_domain::visitors::check_exit(current.entered_at_unix_ms, left, now)
            .map_err(StoreError::Invalid)?;
        let mut tx = self.write().await?;
        let changed = sqlx::query(
            "UPDATE visits SET left_at_unix_ms = $1 WHERE reference = $2 AND left_at_unix_ms IS NULL",
        )
        .bind(left)
        .bind(&v.reference)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording a visitor leaving"))?;
        if changed.rows_affected() != 1 {
            return Err(StoreError::Invalid(format!(
                "the visitor of {} has just been recorded as leaving",
                v.reference
            )));
        }
        tx.record(
            actor,
            NewEntry::new(Book::Visitors, "visitor-left")
                .with_ref(visit_ref(&v.reference)?)
                .with("time_out", rfc3339(left)),
        );
        tx.commit().await?;
        self.require_visit(&v.reference).await
    }

    /// Countersigns the authorisation of visit `reference` (BDC-18) by `signer`, who must
    /// countersign the visitors' log under the pack and must not be who recorded the visit
    /// (`visit-countersigned`).
    pub async fn countersign_visit(
        &self,
        actor: &Actor,
        signer: &Subject,
        reference: &str,
    ) -> StoreResult<Visit> {
        let role = self.book_role(signer, Book::Visitors, true).await?;
        let v = self.require_visit(reference).await?;
        if v.recorded_by == signer.username {
            return Err(StoreError::Forbidden(format!(
                "you recorded {}: someone else who countersigns the visitors' log checks and countersigns it",
                v.reference
            )));
        }
        if let Some(c) = &v.countersigned {
            return Err(StoreError::Invalid(format!(
                "{} was countersigned by {} on {}",
                v.reference,
                c.by,
                UnixMs(c.at_unix_ms).to_london_display()
            )));
        }
        let name = self.name_of(&signer.username).await?;
        let now = self.clock().now().0;
        let mut tx = self.write().await?;
        let changed = sqlx::query(
            "UPDATE visits SET countersigned_by = $1, countersigned_name = $2, \
             countersigned_role = $3, countersigned_at_unix_ms = $4 \
             WHERE reference = $5 AND countersigned_at_unix_ms IS NULL",
        )
        .bind(&signer.username)
        .bind(&name)
        .bind(role.as_str())
        .bind(now)
        .bind(&v.reference)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("countersigning a visit"))?;
        if changed.rows_affected() != 1 {
            return Err(StoreError::Invalid(format!(
                "{} has just been countersigned",
                v.reference
            )));
        }
        tx.record(
            actor,
            NewEntry::new(Book::Visitors, "visit-countersigned")
                .with_ref(visit_ref(&v.reference)?)
                .with("by", signer.username.as_str())
                .with("role", role.as_str()),
        );
        tx.commit().await?;
        self.require_visit(&v.reference).await
    }

    /// Corrects one detail of visit `reference` by `keeper`: a new entry naming the visit,
    /// the detail, its value before and after, and why (`visit-corrected`); the visit as
    /// recorded stays as it was.
    pub async fn correct_visit(
        &self,
        actor: &Actor,
        keeper: &Subject,
        reference: &str,
        correction: &CorrectionDraft,
    ) -> StoreResult<Visit> {
        self.book_role(keeper, Book::Visitors, false).await?;
        let v = self.require_visit(reference).await?;
        let now = self.clock().now().0;
        let (before, _) = custos_domain::visitors::check_correction(&v.current(), correction, now)
            .map_err(|p| StoreError::Invalid(p.join("; ")))?;
        let after = correction.value.trim().to_owned();
        let name = self.name_of(&keeper.username).await?;
        let mut tx = self.write().await?;
        let number = i64::try_from(v.corrections.len()).unwrap_or(i64::MAX) + 1;
        sqlx::query(
            "INSERT INTO visit_corrections (reference, number, field, before_value, after_value, \
             reason, corrected_by, corrected_by_name, corrected_at_unix_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&v.reference)
        .bind(number)
        .bind(correction.field.as_str())
        .bind(&before)
        .bind(&after)
        .bind(correction.reason.trim())
        .bind(&keeper.username)
        .bind(&name)
        .bind(now)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("correcting a visit"))?;
        let words = |field: Field, value: &str| {
            if field.is_time() {
                value
                    .parse::<i64>()
                    .map(rfc3339)
                    .unwrap_or_else(|_| String::new())
            } else {
                value.to_owned()
            }
        };
        tx.record(
            actor,
            NewEntry::new(Book::Visitors, "visit-corrected")
                .with_ref(visit_ref(&v.reference)?)
                .with("correction", number)
                .with("field", correction.field.as_str())
                .with("before", words(correction.field, &before))
                .with("after", words(correction.field, &after))
                .with("reason", correction.reason.trim()),
        );
        tx.commit().await?;
        self.require_visit(&v.reference).await
    }

    /// Visit `reference`, if there is one.
    pub async fn visit(&self, reference: &str) -> StoreResult<Option<Visit>> {
        Ok(self
            .visits_where(Filter::Reference(reference.trim()))
            .await?
            .into_iter()
            .next())
    }

    async fn require_visit(&self, reference: &str) -> StoreResult<Visit> {
        self.visit(reference)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("there is no visit {}", reference.trim())))
    }

    /// The visits whose visitor came in from `from_unix_ms` (inclusive) to `to_unix_ms`
    /// (exclusive), either bound open when `None`, in order of time in.
    pub async fn visits(
        &self,
        from_unix_ms: Option<i64>,
        to_unix_ms: Option<i64>,
    ) -> StoreResult<Vec<Visit>> {
        self.visits_where(Filter::Between(
            from_unix_ms.unwrap_or(i64::MIN),
            to_unix_ms.unwrap_or(i64::MAX),
        ))
        .await
    }

    /// The visits waiting for something: a countersignature, or the visitor's time out
    /// (as corrected), oldest first.
    pub async fn visits_waiting(&self) -> StoreResult<Vec<Visit>> {
        Ok(self
            .visits_where(Filter::Waiting)
            .await?
            .into_iter()
            .filter(|v| v.countersigned.is_none() || v.in_room())
            .collect())
    }

    /// The visits waiting for a countersignature past the end of the shift at `now_unix_ms`
    /// (`domain::visitors::Visit::overdue`), oldest first.
    pub async fn visits_awaiting_countersignature(
        &self,
        now_unix_ms: i64,
    ) -> StoreResult<Vec<Visit>> {
        Ok(self
            .visits_where(Filter::Uncountersigned)
            .await?
            .into_iter()
            // A correction of the time in moves the due time; `overdue` applies it.
            .filter(|v| v.overdue(now_unix_ms))
            .collect())
    }

    /// The scan of visit `reference`'s undertaking signed on paper: its name, media type
    /// and bytes, decrypted and checked against its SHA-256.
    pub async fn visit_undertaking_scan(
        &self,
        documents: &Path,
        reference: &str,
    ) -> StoreResult<(String, String, Vec<u8>)> {
        let row = sqlx::query(
            "SELECT scan_path, scan_name, scan_media_type, scan_sha256, key_sealed \
             FROM visits WHERE reference = $1",
        )
        .bind(reference.trim())
        .fetch_optional(self.pool())
        .await
        .map_err(StoreError::db("reading a visit's scan"))?
        .ok_or_else(|| StoreError::NotFound(format!("there is no visit {}", reference.trim())))?;
        let get = StoreError::db("reading a visit's scan");
        let path: Option<String> = row.try_get(0).map_err(&get)?;
        let (Some(path), Some(sha), Some(sealed)) = (
            path,
            row.try_get::<Option<String>, _>(3).map_err(&get)?,
            row.try_get::<Option<String>, _>(4).map_err(&get)?,
        ) else {
            return Err(StoreError::NotFound(format!(
                "the undertaking of {} was accepted on screen: there is no scan",
                reference.trim()
            )));
        };
        let key = self.master_key()?.open_key(
            &key_context(reference.trim()),
            &sealed,
            &format!("the key of visit {}", reference.trim()),
        )?;
        let contents = crate::documents::read_sealed(
            &documents.join(&path),
            &key,
            &sha,
            &format!("the scanned undertaking of visit {}", reference.trim()),
        )?;
        Ok((
            row.try_get::<Option<String>, _>(1)
                .map_err(&get)?
                .unwrap_or_else(|| "undertaking".to_owned()),
            row.try_get::<Option<String>, _>(2)
                .map_err(&get)?
                .unwrap_or_else(|| "application/octet-stream".to_owned()),
            contents,
        ))
    }

    async fn visits_where(&self, filter: Filter<'_>) -> StoreResult<Vec<Visit>> {
        let get = StoreError::db("reading the visitors' log");
        let rows = match filter {
            Filter::Reference(r) => {
                sqlx::query(concat!(visit_columns!(), "WHERE reference = $1"))
                    .bind(r)
                    .fetch_all(self.pool())
                    .await
            }
            Filter::Between(from, to) => {
                sqlx::query(concat!(
                    visit_columns!(),
                    "WHERE entered_at_unix_ms >= $1 AND entered_at_unix_ms < $2 \
                     ORDER BY entered_at_unix_ms, reference"
                ))
                .bind(from)
                .bind(to)
                .fetch_all(self.pool())
                .await
            }
            Filter::Waiting => {
                sqlx::query(concat!(
                    visit_columns!(),
                    "WHERE countersigned_at_unix_ms IS NULL OR left_at_unix_ms IS NULL \
                     ORDER BY entered_at_unix_ms, reference"
                ))
                .fetch_all(self.pool())
                .await
            }
            Filter::Uncountersigned => {
                sqlx::query(concat!(
                    visit_columns!(),
                    "WHERE countersigned_at_unix_ms IS NULL \
                     ORDER BY entered_at_unix_ms, reference"
                ))
                .fetch_all(self.pool())
                .await
            }
        }
        .map_err(&get)?;
        let mut visits = Vec::with_capacity(rows.len());
        for r in &rows {
            let how: String = r.try_get(7).map_err(&get)?;
            let reference: String = r.try_get(0).map_err(&get)?;
            let countersigned = match (
                r.try_get::<Option<String>, _>(15).map_err(&get)?,
                r.try_get::<Option<String>, _>(16).map_err(&get)?,
                r.try_get::<Option<i64>, _>(17).map_err(&get)?,
            ) {
                (Some(by), Some(role), Some(at)) => Some(Countersignature {
                    by,
                    role,
                    at_unix_ms: at,
                }),
                _ => None,
            };
            visits.push(Visit {
                recorded: Details {
                    name: r.try_get(1).map_err(&get)?,
                    organisation: r.try_get(2).map_err(&get)?,
                    purpose: r.try_get(3).map_err(&get)?,
                    authorised_by: Authoriser {
                        name: r.try_get(4).map_err(&get)?,
                        role: r.try_get(5).map_err(&get)?,
                    },
                    entered_at_unix_ms: r.try_get(6).map_err(&get)?,
                    left_at_unix_ms: None,
                },
                acceptance: Acceptance {
                    how: how.parse().map_err(|e: String| {
                        StoreError::Corrupt(format!("visit {reference}: {e}"))
                    })?,
                    text_sha256: r.try_get(8).map_err(&get)?,
                    at_unix_ms: r.try_get(9).map_err(&get)?,
                    typed_name: r.try_get(10).map_err(&get)?,
                    scan_sha256: r.try_get(11).map_err(&get)?,
                },
                recorded_by: r.try_get(12).map_err(&get)?,
                recorded_by_name: r.try_get(13).map_err(&get)?,
                left: r.try_get(14).map_err(&get)?,
                countersigned,
                corrections: Vec::new(),
                reference,
            });
        }
        if visits.is_empty() {
            return Ok(visits);
        }
        // The corrections of the visits listed, in one query over the same bounds.
        let rows = match filter {
            Filter::Reference(r) => {
                sqlx::query(concat!(
                    correction_columns!(),
                    "WHERE c.reference = $1 ORDER BY c.reference, c.number"
                ))
                .bind(r)
                .fetch_all(self.pool())
                .await
            }
            Filter::Between(from, to) => {
                sqlx::query(concat!(
                    correction_columns!(),
                    "WHERE v.entered_at_unix_ms >= $1 AND v.entered_at_unix_ms < $2 \
                     ORDER BY c.reference, c.number"
                ))
                .bind(from)
                .bind(to)
                .fetch_all(self.pool())
                .await
            }
            Filter::Waiting => {
                sqlx::query(concat!(
                    correction_columns!(),
                    "WHERE v.countersigned_at_unix_ms IS NULL OR v.left_at_unix_ms IS NULL \
                     ORDER BY c.reference, c.number"
                ))
                .fetch_all(self.pool())
                .await
            }
            Filter::Uncountersigned => {
                sqlx::query(concat!(
                    correction_columns!(),
                    "WHERE v.countersigned_at_unix_ms IS NULL \
                     ORDER BY c.reference, c.number"
                ))
                .fetch_all(self.pool())
                .await
            }
        }
        .map_err(&get)?;
        for r in &rows {
            let reference: String = r.try_get(0).map_err(&get)?;
            let field: String = r.try_get(1).map_err(&get)?;
            let c = Correction {
                field: field
                    .parse()
                    .map_err(|e: String| StoreError::Corrupt(format!("visit {reference}: {e}")))?,
                before: r.try_get(2).map_err(&get)?,
                after: r.try_get(3).map_err(&get)?,
                reason: r.try_get(4).map_err(&get)?,
                by: r.try_get(5).map_err(&get)?,
                at_unix_ms: r.try_get(6).map_err(&get)?,
            };
            if let Some(v) = visits.iter_mut().find(|v| v.reference == reference) {
                v.corrections.push(c);
            }
        }
        Ok(visits)
    }
}
