//! Reviewing recorded footage (LBU-4, ALT-6, BDC-32, BDC-33): a review is opened with a
//! purpose of the scheme, a reason and who else is present; that writes the review's ledger
//! entry (book `review`) in the same transaction that issues a playback grant; finishing it
//! records the result as a linked entry.
//!
//! Invariants:
//! - No grant without its `review-opened` entry, and no entry without a reason and a purpose
//!   the camera is registered for.
//! - A grant is good only for the person and session it was issued to, one camera, one
//!   range, and [`GRANT_MS`]; only a hash of its token is stored.
//! - A review is finished once.
//! - Footage under a covert surveillance authorisation opens only to the people it names
//!   (`Store::covert_review_check`), whatever rights the person holds otherwise.

use custos_base::{Actor, UnixMs};
use custos_domain::Ident;
use custos_domain::ledger::{Book, NewEntry, Reference};
use sqlx::Row;

use crate::cameras::Camera;
use crate::error::{StoreError, StoreResult};
use crate::sessions::token_hash;
use crate::store::Store;

/// How long a playback grant lasts.
pub const GRANT_MS: i64 = 30 * 60 * 1000;

/// A review already made of a camera's footage, as the timeline shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewSpan {
    /// The review's id: its `review:ID` reference in the ledger.
    pub review_id: String,
    /// Who reviewed it, by their display name.
    pub by: String,
    /// From (ms since the epoch).
    pub from_unix_ms: i64,
    /// To (ms since the epoch).
    pub to_unix_ms: i64,
}

/// The longest range one review may cover.
pub const MAX_REVIEW_MS: i64 = 24 * 3600 * 1000;

/// What a person states before any footage is shown (BDC-32, BDC-33).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRequest {
    /// From (ms since the epoch).
    pub from_unix_ms: i64,
    /// To (ms since the epoch).
    pub to_unix_ms: i64,
    /// The purpose of the scheme it serves.
    pub purpose: Ident,
    /// Why, in the person's words.
    pub reason: String,
    /// A case reference, if any.
    pub case_ref: Option<String>,
    /// Anyone else present.
    pub persons_present: Vec<String>,
}

/// A playback grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The review it belongs to.
    pub review_id: String,
    /// Who may use it.
    pub username: String,
    /// The camera.
    pub camera: Ident,
    /// The stream.
    pub stream: String,
    /// From.
    pub from_unix_ms: i64,
    /// To.
    pub to_unix_ms: i64,
    /// Until when it may be used.
    pub expires_at_unix_ms: i64,
    /// Whether the review is finished.
    pub finished: bool,
}

fn reference(kind: &str, id: &str) -> StoreResult<Reference> {
    Reference::new(kind, id).map_err(|e| StoreError::Invalid(e.to_string()))
}

/// `bytes` random bytes as lowercase hex: ids and tokens nobody can guess.
pub fn random_hex(bytes: usize) -> StoreResult<String> {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b).map_err(|e| StoreError::Invalid(format!("no randomness: {e}")))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

impl Store {
    /// Opens a review of `camera` for the person behind `session_token`: checks what they
    /// state, writes the `review-opened` entry and issues a grant, in one transaction.
    /// Returns the grant's token (shown only to them) and the review's id.
    pub async fn open_review(
        &self,
        actor: &Actor,
        username: &str,
        session_token: &str,
        camera: &Camera,
        req: &ReviewRequest,
    ) -> StoreResult<(String, String)> {
        let reason = req.reason.trim();
        if reason.chars().count() < 5 {
            return Err(StoreError::Invalid(
                "say why the footage is being reviewed: a legitimate enquiry, in a few words — it goes into the review log".to_owned(),
            ));
        }
        // LJM-1, LBU-4, BDC-8: only a purpose the camera serves and records for.
        if let Some(p) = self.active_policy().await? {
            custos_domain::camera::review_allowed(&p.pack, &camera.draft.purposes, &req.purpose)
                .map_err(|why| StoreError::Invalid(format!("camera {}: {why}", camera.id)))?;
        } else if !camera.draft.purposes.contains(&req.purpose) {
            return Err(StoreError::Invalid(format!(
                "camera {} is not registered for {}: footage is used only for the purposes it was recorded for",
                camera.id, req.purpose
            )));
        }
        if req.to_unix_ms <= req.from_unix_ms || req.to_unix_ms - req.from_unix_ms > MAX_REVIEW_MS {
            return Err(StoreError::Invalid(
                "choose a range that ends after it starts and is at most 24 hours long".to_owned(),
            ));
        }
        // BDC-16, LJM-4: footage under a covert authorisation in force opens only to its
        // team and the roles the pack names; the refusal does not reveal the operation.
        self.covert_review_check(username, &camera.id, req.from_unix_ms, req.to_unix_ms)
            .await?;
        let present: Vec<String> = req
            .persons_present
            .iter()
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect();
        let now = self.clock().now().0;
        let token = random_hex(32)?;
        let review_id = random_hex(8)?;
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO review_grants (token_hash, review_id, username, session_hash, camera_id, \
             stream, from_unix_ms, to_unix_ms, expires_at_unix_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(token_hash(&token))
        .bind(&review_id)
        .bind(username)
        .bind(token_hash(session_token))
        .bind(camera.id.as_str())
        .bind("main")
        .bind(req.from_unix_ms)
        .bind(req.to_unix_ms)
        .bind(now + GRANT_MS)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("issuing a playback grant"))?;
        let mut entry = NewEntry::new(Book::Review, "review-opened")
            .with_ref(reference("camera", camera.id.as_str())?)
            .with_ref(reference("review", &review_id)?)
            .with("location", camera.draft.location.as_str())
            .with("footage_from", UnixMs(req.from_unix_ms).to_london_display())
            .with("footage_to", UnixMs(req.to_unix_ms).to_london_display())
            .with("purpose", req.purpose.as_str())
            .with("reason", reason)
            .with("persons_present", present);
        if let Some(c) = req
            .case_ref
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            entry = entry.with("case_ref", c);
        }
        tx.record(actor, entry);
        tx.commit().await?;
        Ok((token, review_id))
    }

    /// The reviews opened of `camera`'s footage that overlap `[from, to)`, by the start of
    /// the footage they covered.
    pub async fn reviews_of(
        &self,
        camera: &Ident,
        from_unix_ms: i64,
        to_unix_ms: i64,
    ) -> StoreResult<Vec<ReviewSpan>> {
        let rows = sqlx::query(
            "SELECT COALESCE(u.display_name, g.username), g.from_unix_ms, g.to_unix_ms, \
             g.review_id FROM review_grants g LEFT JOIN users u ON u.username = g.username \
             WHERE g.camera_id = $1 AND g.from_unix_ms < $3 AND g.to_unix_ms > $2 \
             ORDER BY g.from_unix_ms, g.to_unix_ms",
        )
        .bind(camera.as_str())
        .bind(from_unix_ms)
        .bind(to_unix_ms)
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading the reviews of a camera"))?;
        let get = StoreError::db("reading the reviews of a camera");
        rows.iter()
            .map(|r| {
                Ok(ReviewSpan {
                    review_id: r.try_get(3).map_err(&get)?,
                    by: r.try_get(0).map_err(&get)?,
                    from_unix_ms: r.try_get(1).map_err(&get)?,
                    to_unix_ms: r.try_get(2).map_err(&get)?,
                })
            })
            .collect()
    }

    /// The grant behind `token`, if it was issued to this session and has not expired.
    pub async fn review_grant(
        &self,
        token: &str,
        session_token: &str,
    ) -> StoreResult<Option<Grant>> {
        let row = sqlx::query(
            "SELECT review_id, username, camera_id, stream, from_unix_ms, to_unix_ms, \
             expires_at_unix_ms, finished_at_unix_ms FROM review_grants \
             WHERE token_hash = $1 AND session_hash = $2",
        )
        .bind(token_hash(token))
        .bind(token_hash(session_token))
        .fetch_optional(self.pool())
        .await
        .map_err(StoreError::db("reading a playback grant"))?;
        let Some(r) = row else { return Ok(None) };
        let get = StoreError::db("reading a playback grant");
        let camera: String = r.try_get(2).map_err(&get)?;
        let grant = Grant {
            review_id: r.try_get(0).map_err(&get)?,
            username: r.try_get(1).map_err(&get)?,
            camera: Ident::parse(&camera).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            stream: r.try_get(3).map_err(&get)?,
            from_unix_ms: r.try_get(4).map_err(&get)?,
            to_unix_ms: r.try_get(5).map_err(&get)?,
            expires_at_unix_ms: r.try_get(6).map_err(&get)?,
            finished: r.try_get::<Option<i64>, _>(7).map_err(&get)?.is_some(),
        };
        if grant.expires_at_unix_ms <= self.clock().now().0 {
            return Ok(None);
        }
        Ok(Some(grant))
    }

    /// Records a review's result (BDC-32) as an entry linked to it, and ends its grant.
    pub async fn finish_review(
        &self,
        actor: &Actor,
        token: &str,
        session_token: &str,
        result: &str,
    ) -> StoreResult<()> {
        let result = result.trim();
        if result.is_empty() {
            return Err(StoreError::Invalid(
                "record the result of the review for the review log, e.g. \"nothing relevant seen\" or \"incident identified at 10:42\"".to_owned(),
            ));
        }
        let Some(grant) = self.review_grant(token, session_token).await? else {
            return Err(StoreError::NotFound(
                "this review is not open in this session (or its half hour has passed)".to_owned(),
            ));
        };
        if grant.finished {
            return Err(StoreError::Invalid(
                "this review is already finished".to_owned(),
            ));
        }
        let now = self.clock().now().0;
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE review_grants SET finished_at_unix_ms = $1, expires_at_unix_ms = $1 \
             WHERE token_hash = $2",
        )
        .bind(now)
        .bind(token_hash(token))
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("finishing a review"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Review, "review-finished")
                .with_ref(reference("camera", grant.camera.as_str())?)
                .with_ref(reference("review", &grant.review_id)?)
                .with("result", result),
        );
        tx.commit().await
    }
}
