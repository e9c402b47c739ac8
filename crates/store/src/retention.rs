//! Retention, holds and provable deletion (BJS-8, BJS-4, LBU-17, ALT-8, ALT-16, BDC-2,
//! BDC-28, BDC-40, SCC-6): the sweep that deletes each camera's footage once it is past its
//! retention, the holds that keep footage for a stated reason until a stated date, and the
//! report that shows deletion really happens.
//!
//! Invariants:
//! - Nothing is deleted silently: every deletion is ledgered (book `retention`), one entry
//!   per camera, stream and hour, naming the segments' count, bytes, times and the hour's
//!   Merkle root, in the same transaction that removes their index rows.
//! - Held footage is never deleted: a segment that touches an active hold on its camera is
//!   left, whatever its age.
//! - A segment's file is removed before its index row, so a crash between the two leaves a
//!   row whose file is gone (finished by the next sweep), never a file without a row that
//!   start-up recovery could index again.
//! - Once no footage of a camera-day remains and the whole day is past retention, the day's
//!   data key is destroyed (its row kept, emptied): copies of its files made earlier can no
//!   longer be decrypted, from any disk (crypto-shredding). A destroyed key is never made
//!   again.
//! - "Now" is the store's [`Clock`](custos_base::Clock), so tests move days forward.

use std::collections::BTreeMap;
use std::path::Path;

use custos_base::{Actor, UnixMs};
use custos_domain::Ident;
use custos_domain::ledger::{Book, NewEntry, Reference};
use custos_domain::retention::{HoldRequest, cutoff_unix_ms, retention_days};
use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::recordings::HOUR_MS;
use crate::reviews::random_hex;
use crate::store::{Store, WriteTx};

/// Segments deleted per transaction, so a sweep never holds the write lock for long
/// (recording goes on meanwhile).
const BATCH: i64 = 100;

/// A hold on footage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold {
    /// Its id (`hold:ID` in the ledger).
    pub id: String,
    /// The cameras it holds.
    pub cameras: Vec<Ident>,
    /// The evidence class.
    pub class: String,
    /// Why.
    pub reason: String,
    /// Who answers for it.
    pub owner: String,
    /// A case reference, if any.
    pub case_ref: Option<String>,
    /// Held from (ms since the epoch).
    pub from_unix_ms: i64,
    /// Held to (ms since the epoch, exclusive).
    pub to_unix_ms: i64,
    /// When it was placed.
    pub placed_at_unix_ms: i64,
    /// Who placed it (ledger actor text).
    pub placed_by: String,
    /// When it expires.
    pub expires_at_unix_ms: i64,
    /// When it was released, if it was.
    pub released_at_unix_ms: Option<i64>,
    /// Who released it.
    pub released_by: Option<String>,
    /// Why it was released.
    pub release_reason: Option<String>,
    /// Whether it is provisional: placed for a request from the public and not yet
    /// confirmed by staff accepting the request (BDC-28).
    pub provisional: bool,
    /// The download whose copy it keeps the scheme's footage for, if any: releasing it is
    /// the authorisation to destroy that copy (ALT-8).
    pub download_id: Option<String>,
}

impl Hold {
    /// Whether it still holds footage at `now`.
    pub fn active(&self, now_unix_ms: i64) -> bool {
        self.released_at_unix_ms.is_none() && self.expires_at_unix_ms > now_unix_ms
    }
}

/// What a sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// When it ran.
    pub at_unix_ms: i64,
    /// Segments deleted.
    pub segments_deleted: u64,
    /// Their bytes on disk.
    pub bytes_deleted: u64,
    /// Holds released because they expired.
    pub holds_expired: Vec<String>,
    /// Camera-days whose data keys were destroyed.
    pub keys_destroyed: Vec<(Ident, String)>,
    /// Downloads whose scheme's copy of the footage is now all erased (their holds
    /// released), recorded in the download log (`download-deleted`).
    pub downloads_erased: Vec<String>,
    /// What could not be done, each saying why; empty when all went well.
    pub problems: Vec<String>,
}

/// What relieving disk pressure did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PressureReport {
    /// Segments deleted early.
    pub segments_deleted: u64,
    /// Their bytes on disk.
    pub bytes_deleted: u64,
    /// Whether unheld footage is left (false: only held footage remains).
    pub unheld_left: bool,
    /// Files that could not be deleted.
    pub problems: Vec<String>,
    /// The camera whose recording was paused, if one was.
    pub paused: Option<Ident>,
    /// Cameras whose recording resumed.
    pub resumed: Vec<Ident>,
}

/// One camera in the retention report (BJS-4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraRetention {
    /// The camera.
    pub camera: Ident,
    /// Its name.
    pub name: String,
    /// Whether it is retired.
    pub retired: bool,
    /// The days its footage is kept.
    pub retention_days: u32,
    /// Footage that ended at or before this is past retention.
    pub cutoff_unix_ms: i64,
    /// The oldest footage present.
    pub oldest_unix_ms: Option<i64>,
    /// The newest footage present.
    pub newest_unix_ms: Option<i64>,
    /// Segments present.
    pub segments: u64,
    /// Active holds on it: (id, from, to, expires).
    pub holds: Vec<(String, i64, i64, i64)>,
    /// Segments deleted in the report's period.
    pub deleted_in_period: u64,
    /// Unheld segments past retention by more than the sweep's grace (deletion stuck).
    pub overdue_segments: u64,
    /// The oldest of them.
    pub oldest_overdue_unix_ms: Option<i64>,
}

impl CameraRetention {
    /// Whether the camera keeps footage longer than it may.
    pub fn flagged(&self) -> bool {
        self.overdue_segments > 0
    }
}

/// How long past its cutoff footage may wait for the hourly sweep before the report flags
/// it.
pub const SWEEP_GRACE_MS: i64 = 2 * HOUR_MS;

/// A `sweep-finished` entry's figures in words, e.g. "3 segment(s) deleted, 0 hold(s)
/// expired, 1 day key(s) destroyed, no problems".
pub fn describe_sweep(body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let n = |k: &str| v.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0);
    let problems = v
        .get("problems")
        .and_then(serde_json::Value::as_array)
        .map_or(0, Vec::len);
    format!(
        "{} segment(s) deleted, {} hold(s) expired, {} day key(s) destroyed, {}",
        n("segments_deleted"),
        n("holds_expired"),
        n("keys_destroyed"),
        if problems == 0 {
            "no problems".to_owned()
        } else {
            format!("{problems} problem(s)")
        }
    )
}

fn reference(kind: &str, id: &str) -> StoreResult<Reference> {
    Reference::new(kind, id).map_err(|e| StoreError::Invalid(e.to_string()))
}

/// The condition that segment `s` touches no active hold on its camera, with parameter
/// `$now` = now.
macro_rules! unheld {
    ($now:literal) => {
        concat!(
            "NOT EXISTS (SELECT 1 FROM holds h JOIN hold_cameras hc ON hc.hold_id = h.id \
             WHERE hc.camera_id = s.camera_id AND h.released_at_unix_ms IS NULL \
             AND h.expires_at_unix_ms > ",
            $now,
            " AND h.from_unix_ms < s.end_unix_ms AND s.start_unix_ms < h.to_unix_ms)"
        )
    };
}

macro_rules! hold_columns {
    () => {
        "SELECT h.id, h.class, h.reason, h.owner, h.case_ref, h.from_unix_ms, h.to_unix_ms, \
         h.placed_at_unix_ms, h.placed_by, h.expires_at_unix_ms, h.released_at_unix_ms, \
         h.released_by, h.release_reason, h.provisional, h.download_id FROM holds h "
    };
}

/// What an authorised erasure did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erasure {
    /// Segments erased.
    pub segments: u64,
    /// Their bytes.
    pub bytes: u64,
    /// The holds that kept footage in the range, which was therefore not erased.
    pub kept_by: Vec<Hold>,
}

/// Removes a file; one already gone is fine.
fn remove(path: &Path) -> Result<(), String> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot delete {}: {e}", path.display())),
    }
}

struct Doomed {
    camera: Ident,
    path: String,
    stream: String,
    start_unix_ms: i64,
    end_unix_ms: i64,
    bytes: i64,
}

impl Doomed {
    /// `camera`'s segments from rows of (path, stream, start, end, bytes).
    fn camera_rows(
        camera: &Ident,
        rows: &[sqlx::any::AnyRow],
        doing: &'static str,
    ) -> StoreResult<Vec<Self>> {
        let get = StoreError::db(doing);
        rows.iter()
            .map(|r| {
                Ok(Self {
                    camera: camera.clone(),
                    path: r.try_get(0).map_err(&get)?,
                    stream: r.try_get(1).map_err(&get)?,
                    start_unix_ms: r.try_get(2).map_err(&get)?,
                    end_unix_ms: r.try_get(3).map_err(&get)?,
                    bytes: r.try_get(4).map_err(&get)?,
                })
            })
            .collect()
    }
}

/// `entry` about `hold`, with its cameras, the reason and who authorised it, if anyone.
fn hold_entry(
    mut entry: NewEntry,
    hold: &Hold,
    reason: &str,
    authorised_by: Option<&str>,
) -> StoreResult<NewEntry> {
    entry = entry.with_ref(reference("hold", &hold.id)?);
    if let Some(a) = authorised_by {
        entry = entry.with("authorised_by", a);
    }
    for c in &hold.cameras {
        entry = entry.with_ref(reference("camera", c.as_str())?);
    }
    Ok(entry.with("reason", reason))
}

/// Releases `hold` at `now` inside `tx` (ledgered `hold-released` with `reason`): early, on
/// the word of someone who may authorise deleting retained footage ([`Store::release_hold`]),
/// or because what it was kept for is over (a request answered).
pub(crate) async fn release_in(
    tx: &mut WriteTx,
    actor: &Actor,
    hold: &Hold,
    reason: &str,
    now: i64,
    authorised_by: Option<&str>,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE holds SET released_at_unix_ms = $1, released_by = $2, release_reason = $3 \
         WHERE id = $4",
    )
    .bind(now)
    .bind(actor.to_string())
    .bind(reason)
    .bind(&hold.id)
    .execute(tx.conn())
    .await
    .map_err(StoreError::db("releasing a hold"))?;
    tx.record(
        actor,
        hold_entry(
            NewEntry::new(Book::Retention, "hold-released"),
            hold,
            reason,
            authorised_by,
        )?,
    );
    Ok(())
}

/// Confirms a provisional `hold` for case `reference` inside `tx`: it keeps its footage for
/// its class's whole period from when it was placed, and is no longer provisional
/// (ledgered `hold-confirmed`).
pub(crate) async fn confirm_in(
    tx: &mut WriteTx,
    actor: &Actor,
    hold: &Hold,
    pack: &custos_domain::PolicyPack,
    case_reference: &str,
) -> StoreResult<()> {
    let class = pack
        .retention
        .classes
        .iter()
        .find(|c| c.id.as_str() == hold.class)
        .ok_or_else(|| {
            StoreError::Invalid(format!(
                "the pack has no evidence class {}, so hold {} cannot be confirmed",
                hold.class, hold.id
            ))
        })?;
    let expires = class
        .period
        .after(UnixMs(hold.placed_at_unix_ms))
        .0
        .max(hold.expires_at_unix_ms);
    sqlx::query("UPDATE holds SET provisional = 0, expires_at_unix_ms = $1 WHERE id = $2")
        .bind(expires)
        .bind(&hold.id)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("confirming a hold"))?;
    tx.record(
        actor,
        NewEntry::new(Book::Retention, "hold-confirmed")
            .with_ref(reference("hold", &hold.id)?)
            .with_ref(reference("case", case_reference)?)
            .with("expires", UnixMs(expires).to_rfc3339()),
    );
    Ok(())
}

/// Places a hold inside `tx` (ledgered `hold-placed`), checked against `pack` at `now`;
/// returns its id. [`Store::place_hold`] and opening a case that holds footage at once
/// (BDC-28) both come here, so a hold is placed one way only.
pub(crate) async fn insert_hold(
    tx: &mut WriteTx,
    actor: &Actor,
    req: &HoldRequest,
    pack: &custos_domain::PolicyPack,
    now: UnixMs,
    download: Option<&str>,
) -> StoreResult<String> {
    let expires = req
        .check(pack, now)
        .map_err(|p| StoreError::Invalid(p.join("; ")))?;
    let mut cameras = req.cameras.clone();
    cameras.sort();
    cameras.dedup();
    for c in &cameras {
        let known = sqlx::query("SELECT 1 FROM cameras WHERE id = $1")
            .bind(c.as_str())
            .fetch_optional(tx.conn())
            .await
            .map_err(StoreError::db("placing a hold"))?;
        if known.is_none() {
            return Err(StoreError::NotFound(format!(
                "there is no camera {c}; `custos camera list` shows the register"
            )));
        }
    }
    let id = format!("H{}", random_hex(5)?);
    let case_ref = req
        .case_ref
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    sqlx::query(
        "INSERT INTO holds (id, class, reason, owner, case_ref, from_unix_ms, to_unix_ms, \
             placed_at_unix_ms, placed_by, expires_at_unix_ms, download_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(req.class.as_str())
    .bind(req.reason.trim())
    .bind(req.owner.trim())
    .bind(case_ref.clone())
    .bind(req.from_unix_ms)
    .bind(req.to_unix_ms)
    .bind(now.0)
    .bind(actor.to_string())
    .bind(expires)
    .bind(download)
    .execute(tx.conn())
    .await
    .map_err(StoreError::db("placing a hold"))?;
    let mut entry = NewEntry::new(Book::Retention, "hold-placed").with_ref(reference("hold", &id)?);
    if let Some(d) = download {
        entry = entry.with_ref(reference("download", d)?);
    }
    for c in &cameras {
        sqlx::query("INSERT INTO hold_cameras (hold_id, camera_id) VALUES ($1, $2)")
            .bind(&id)
            .bind(c.as_str())
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("placing a hold"))?;
        entry = entry.with_ref(reference("camera", c.as_str())?);
    }
    entry = entry
        .with("class", req.class.as_str())
        .with("reason", req.reason.trim())
        .with("owner", req.owner.trim())
        .with("footage_from", UnixMs(req.from_unix_ms).to_rfc3339())
        .with("footage_to", UnixMs(req.to_unix_ms).to_rfc3339())
        .with("expires", UnixMs(expires).to_rfc3339());
    if let Some(c) = &case_ref {
        entry = entry.with("case_ref", c.as_str());
    }
    tx.record(actor, entry);
    Ok(id)
}

impl Store {
    /// Places a hold (ledgered `hold-placed`, book `retention`), checked against the active
    /// pack: a reason, a known evidence class and an expiry the class allows.
    pub async fn place_hold(&self, actor: &Actor, req: &HoldRequest) -> StoreResult<Hold> {
        let now = self.clock().now();
        let Some(policy) = self.active_policy().await? else {
            return Err(StoreError::Invalid(
                "no policy pack is loaded, so there are no evidence classes to hold footage under"
                    .to_owned(),
            ));
        };
        let mut tx = self.write().await?;
        let id = insert_hold(&mut tx, actor, req, &policy.pack, now, None).await?;
        tx.commit().await?;
        self.hold(&id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("hold {id} vanished as it was placed")))
    }

    /// The hold `id`.
    pub async fn hold(&self, id: &str) -> StoreResult<Option<Hold>> {
        let rows = sqlx::query(concat!(hold_columns!(), "WHERE h.id = $1"))
            .bind(id)
            .fetch_all(self.pool())
            .await
            .map_err(StoreError::db("reading holds"))?;
        Ok(self.holds_from(&rows).await?.into_iter().next())
    }

    /// The holds still in force that end before `until_unix_ms`, soonest first.
    pub async fn holds_ending_before(&self, until_unix_ms: i64) -> StoreResult<Vec<Hold>> {
        let now = self.clock().now().0;
        let rows = sqlx::query(concat!(
            hold_columns!(),
            "WHERE h.released_at_unix_ms IS NULL AND h.expires_at_unix_ms > $1 \
             AND h.expires_at_unix_ms <= $2 ORDER BY h.expires_at_unix_ms, h.id"
        ))
        .bind(now)
        .bind(until_unix_ms)
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading holds"))?;
        self.holds_from(&rows).await
    }

    /// Every hold, newest first; released and expired ones too when `all`.
    pub async fn holds(&self, all: bool) -> StoreResult<Vec<Hold>> {
        let now = self.clock().now().0;
        let rows = sqlx::query(concat!(
            hold_columns!(),
            "ORDER BY h.placed_at_unix_ms DESC, h.id"
        ))
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading holds"))?;
        Ok(self
            .holds_from(&rows)
            .await?
            .into_iter()
            .filter(|h| all || h.active(now))
            .collect())
    }

    async fn holds_from(&self, rows: &[sqlx::any::AnyRow]) -> StoreResult<Vec<Hold>> {
        let get = StoreError::db("reading holds");
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id: String = r.try_get(0).map_err(&get)?;
            let cams = sqlx::query(
                "SELECT camera_id FROM hold_cameras WHERE hold_id = $1 ORDER BY camera_id",
            )
            .bind(&id)
            .fetch_all(self.pool())
            .await
            .map_err(StoreError::db("reading holds"))?;
            let mut cameras = Vec::with_capacity(cams.len());
            for c in &cams {
                let c: String = c.try_get(0).map_err(&get)?;
                cameras.push(Ident::parse(&c).map_err(|e| {
                    StoreError::Corrupt(format!("hold {id} names camera {c:?}: {e}"))
                })?);
            }
            out.push(Hold {
                cameras,
                class: r.try_get(1).map_err(&get)?,
                reason: r.try_get(2).map_err(&get)?,
                owner: r.try_get(3).map_err(&get)?,
                case_ref: r.try_get(4).map_err(&get)?,
                from_unix_ms: r.try_get(5).map_err(&get)?,
                to_unix_ms: r.try_get(6).map_err(&get)?,
                placed_at_unix_ms: r.try_get(7).map_err(&get)?,
                placed_by: r.try_get(8).map_err(&get)?,
                expires_at_unix_ms: r.try_get(9).map_err(&get)?,
                released_at_unix_ms: r.try_get(10).map_err(&get)?,
                released_by: r.try_get(11).map_err(&get)?,
                release_reason: r.try_get(12).map_err(&get)?,
                provisional: r.try_get::<i64, _>(13).map_err(&get)? != 0,
                download_id: r.try_get(14).map_err(&get)?,
                id,
            });
        }
        Ok(out)
    }

    /// Releases hold `id` now, for `reason` (ledgered `hold-released`). The caller has
    /// checked the authorisation to delete retained footage (ALT-8, LJM-9): `actor` holds
    /// it, or acts on the word of `authorised_by`, who does (named in the entry). The
    /// footage becomes deletable at once if it is past retention.
    pub async fn release_hold(
        &self,
        actor: &Actor,
        id: &str,
        reason: &str,
        authorised_by: Option<&str>,
    ) -> StoreResult<()> {
        self.end_hold(actor, id, None, reason, authorised_by).await
    }

    /// Brings hold `id`'s expiry forward to `until` (ledgered `hold-shortened`); the
    /// authorisation as for [`Store::release_hold`].
    pub async fn shorten_hold(
        &self,
        actor: &Actor,
        id: &str,
        until_unix_ms: i64,
        reason: &str,
        authorised_by: Option<&str>,
    ) -> StoreResult<()> {
        self.end_hold(actor, id, Some(until_unix_ms), reason, authorised_by)
            .await
    }

    async fn end_hold(
        &self,
        actor: &Actor,
        id: &str,
        until: Option<i64>,
        reason: &str,
        authorised_by: Option<&str>,
    ) -> StoreResult<()> {
        let reason = reason.trim();
        if reason.chars().count() < 5 {
            return Err(StoreError::Invalid(
                "say why the hold ends early: the footage becomes deletable, so the ledger must say why"
                    .to_owned(),
            ));
        }
        let now = self.clock().now().0;
        let Some(hold) = self.hold(id).await? else {
            return Err(StoreError::NotFound(format!(
                "there is no hold {id}; `custos hold list --all` shows them"
            )));
        };
        if !hold.active(now) {
            return Err(StoreError::Invalid(format!(
                "hold {id} no longer holds anything (it was released or has expired)"
            )));
        }
        let mut tx = self.write().await?;
        let Some(u) = until else {
            release_in(&mut tx, actor, &hold, reason, now, authorised_by).await?;
            return tx.commit().await;
        };
        if u >= hold.expires_at_unix_ms || u <= now {
            return Err(StoreError::Invalid(format!(
                "a shortened hold must end after now and before its current expiry ({})",
                UnixMs(hold.expires_at_unix_ms).to_london_display()
            )));
        }
        sqlx::query("UPDATE holds SET expires_at_unix_ms = $1 WHERE id = $2")
            .bind(u)
            .bind(id)
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("shortening a hold"))?;
        let entry = NewEntry::new(Book::Retention, "hold-shortened")
            .with("was_expiring", UnixMs(hold.expires_at_unix_ms).to_rfc3339())
            .with("expires", UnixMs(u).to_rfc3339());
        tx.record(actor, hold_entry(entry, &hold, reason, authorised_by)?);
        tx.commit().await
    }

    /// Releases every hold whose expiry has passed, one `hold-expired` entry each; returns
    /// their ids.
    pub async fn release_expired_holds(&self) -> StoreResult<Vec<String>> {
        let now = self.clock().now().0;
        let expired: Vec<Hold> = self
            .holds(true)
            .await?
            .into_iter()
            .filter(|h| h.released_at_unix_ms.is_none() && h.expires_at_unix_ms <= now)
            .collect();
        let actor = Actor::System("retention".to_owned());
        let mut out = Vec::new();
        for h in expired {
            let mut tx = self.write().await?;
            sqlx::query(
                "UPDATE holds SET released_at_unix_ms = $1, released_by = $2, \
                 release_reason = $3 WHERE id = $4 AND released_at_unix_ms IS NULL",
            )
            .bind(now)
            .bind(actor.to_string())
            .bind("expired")
            .bind(&h.id)
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("releasing an expired hold"))?;
            let mut entry = NewEntry::new(Book::Retention, "hold-expired")
                .with_ref(reference("hold", &h.id)?)
                .with("expired", UnixMs(h.expires_at_unix_ms).to_rfc3339())
                .with("class", h.class.as_str());
            for c in &h.cameras {
                entry = entry.with_ref(reference("camera", c.as_str())?);
            }
            tx.record(&actor, entry);
            tx.commit().await?;
            out.push(h.id);
        }
        Ok(out)
    }

    /// One sweep (run at least hourly): releases expired holds, deletes every camera's
    /// unheld footage past its retention (files, then index rows with their ledger
    /// entries), destroys the data keys of camera-days with nothing left, and ledgers a
    /// `sweep-finished` summary. Problems (a file that cannot be deleted) are reported and
    /// ledgered, and the footage concerned is left for the next sweep.
    pub async fn sweep(&self, footage: &Path) -> StoreResult<SweepReport> {
        let now = self.clock().now();
        let Some(policy) = self.active_policy().await? else {
            return Err(StoreError::Invalid(
                "no policy pack is loaded, so there is no retention period to apply".to_owned(),
            ));
        };
        let actor = Actor::System("retention".to_owned());
        let mut report = SweepReport {
            at_unix_ms: now.0,
            holds_expired: self.release_expired_holds().await?,
            ..SweepReport::default()
        };
        for camera in self.cameras(true).await? {
            let days = retention_days(&camera.draft, &policy.pack);
            let cutoff = cutoff_unix_ms(now, days);
            self.sweep_camera(footage, &actor, &camera.id, days, cutoff, &mut report)
                .await?;
            self.destroy_spent_keys(footage, &actor, &camera.id, cutoff, &mut report)
                .await?;
        }
        report.downloads_erased = self.record_erased_downloads(&actor).await?;
        let mut entry = NewEntry::new(Book::Retention, "sweep-finished")
            .with("segments_deleted", report.segments_deleted)
            .with("bytes_deleted", report.bytes_deleted)
            .with("holds_expired", report.holds_expired.len())
            .with("keys_destroyed", report.keys_destroyed.len())
            .with("downloads_erased", report.downloads_erased.len());
        if !report.problems.is_empty() {
            entry = entry.with("problems", report.problems.clone());
        }
        self.append(&actor, entry).await?;
        Ok(report)
    }

    /// ALT-8 (Appendix I, "the date destroyed"): each download whose copy's destruction
    /// was authorised, or whose package kept the scheme's copy of its footage under holds
    /// that have all ended, and none of whose footage is left, is recorded as deleted
    /// (`download-deleted`, `how`: erased by the retention sweep) — once. Returns those
    /// downloads.
    async fn record_erased_downloads(&self, actor: &Actor) -> StoreResult<Vec<String>> {
        let now = self.clock().now().0;
        let holds = self.holds(true).await?;
        let mut erased = Vec::new();
        for d in self.downloads(false).await? {
            let mine: Vec<&Hold> = holds
                .iter()
                .filter(|h| h.download_id.as_deref() == Some(d.id.as_str()))
                .collect();
            if d.package_id.is_none() || mine.iter().any(|h| h.active(now)) {
                continue;
            }
            let mut left = false;
            for cam in &d.request.cameras {
                left |= !self
                    .segments(
                        Some(cam),
                        None,
                        d.request.from_unix_ms,
                        d.request.to_unix_ms,
                    )
                    .await?
                    .is_empty();
            }
            if left {
                continue;
            }
            let entries = self
                .ledger_entries(&crate::LedgerQuery {
                    book: Some(Book::Download),
                    reference: Some(format!("download:{}", d.id)),
                    ..crate::LedgerQuery::default()
                })
                .await?;
            let authorised = entries
                .iter()
                .any(|e| e.kind == "download-deletion-authorised");
            let recorded = entries.iter().any(|e| e.kind == "download-deleted");
            if recorded || (mine.is_empty() && !authorised) {
                continue;
            }
            self.record_download_deleted(actor, &d.id, now, "erased by the retention sweep")
                .await?;
            erased.push(d.id);
        }
        Ok(erased)
    }

    async fn sweep_camera(
        &self,
        footage: &Path,
        actor: &Actor,
        camera: &Ident,
        days: u32,
        cutoff: i64,
        report: &mut SweepReport,
    ) -> StoreResult<()> {
        let now = self.clock().now().0;
        let sql = concat!(
            "SELECT s.path, s.stream, s.start_unix_ms, s.end_unix_ms, s.bytes FROM segments s \
             WHERE s.camera_id = $1 AND s.end_unix_ms <= $2 AND ",
            unheld!("$3"),
            " AND (s.start_unix_ms > $4 OR (s.start_unix_ms = $4 AND s.path > $5)) \
             ORDER BY s.start_unix_ms, s.path LIMIT $6"
        );
        let mut after = (i64::MIN, String::new());
        loop {
            let rows = sqlx::query(sql)
                .bind(camera.as_str())
                .bind(cutoff)
                .bind(now)
                .bind(after.0)
                .bind(&after.1)
                .bind(BATCH)
                .fetch_all(self.pool())
                .await
                .map_err(StoreError::db("finding footage past retention"))?;
            if rows.is_empty() {
                return Ok(());
            }
            let batch = Doomed::camera_rows(camera, &rows, "finding footage past retention")?;
            if let Some(last) = batch.last() {
                after = (last.start_unix_ms, last.path.clone());
            }
            let (n, bytes) = self
                .delete_segments(
                    footage,
                    actor,
                    batch,
                    "footage-deleted",
                    &format!("past its retention of {days} days"),
                    &mut report.problems,
                )
                .await?;
            report.segments_deleted += n;
            report.bytes_deleted += bytes;
        }
    }

    /// Deletes `batch`: each file (one that cannot be deleted keeps its row, with the
    /// problem noted), then the rows of those deleted, with one `kind` entry per camera,
    /// stream and hour saying `why`, in one transaction. Returns the segments and bytes
    /// deleted.
    async fn delete_segments(
        &self,
        footage: &Path,
        actor: &Actor,
        batch: Vec<Doomed>,
        kind: &'static str,
        why: &str,
        problems: &mut Vec<String>,
    ) -> StoreResult<(u64, u64)> {
        let mut hours: BTreeMap<(Ident, String, i64), Vec<Doomed>> = BTreeMap::new();
        for d in batch {
            if let Err(e) = remove(&footage.join(&d.path)) {
                problems.push(e);
                continue;
            }
            let hour = d.start_unix_ms - d.start_unix_ms.rem_euclid(HOUR_MS);
            hours
                .entry((d.camera.clone(), d.stream.clone(), hour))
                .or_default()
                .push(d);
        }
        if hours.is_empty() {
            return Ok((0, 0));
        }
        let (mut count, mut total) = (0u64, 0u64);
        let mut tx = self.write().await?;
        for ((camera, stream, hour), segs) in hours {
            // One statement per hundred rows: a statement per row would hold the write lock
            // (and so the recorder) several times as long.
            for chunk in segs.chunks(100) {
                let placeholders: Vec<String> =
                    (1..=chunk.len()).map(|i| format!("${i}")).collect();
                // Only numbered placeholders are put into the text; the paths are bound.
                let sql = format!(
                    "DELETE FROM segments WHERE path IN ({})",
                    placeholders.join(", ")
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for d in chunk {
                    q = q.bind(&d.path);
                }
                q.execute(tx.conn())
                    .await
                    .map_err(StoreError::db("deleting footage"))?;
            }
            let root: Option<String> = sqlx::query(
                "SELECT root FROM seals WHERE camera_id = $1 AND stream = $2 \
                 AND hour_unix_ms = $3",
            )
            .bind(camera.as_str())
            .bind(&stream)
            .bind(hour)
            .fetch_optional(tx.conn())
            .await
            .map_err(StoreError::db("reading a seal"))?
            .map(|r| r.try_get(0))
            .transpose()
            .map_err(StoreError::db("reading a seal"))?;
            let bytes: i64 = segs.iter().map(|d| d.bytes).sum();
            let from = segs.iter().map(|d| d.start_unix_ms).min().unwrap_or(hour);
            let to = segs.iter().map(|d| d.end_unix_ms).max().unwrap_or(hour);
            count += segs.len() as u64;
            total += u64::try_from(bytes).unwrap_or(0);
            tx.record(
                actor,
                NewEntry::new(Book::Retention, kind)
                    .with_ref(reference("camera", camera.as_str())?)
                    .with("stream", stream.as_str())
                    .with("hour", UnixMs(hour).to_rfc3339())
                    .with("segments", segs.len())
                    .with("bytes", bytes)
                    .with("footage_from", UnixMs(from).to_rfc3339())
                    .with("footage_to", UnixMs(to).to_rfc3339())
                    .with("seal_root", root.unwrap_or_else(|| "unsealed".to_owned()))
                    .with("why", why),
            );
        }
        tx.commit().await?;
        Ok((count, total))
    }

    /// Authorised erasure before retention ends (an accepted erasure request, BDC-30,
    /// ALT-8): deletes `camera`'s footage overlapping `from..to` that no hold keeps, files
    /// first, with one `footage-erased` entry per camera-hour saying `why`. Footage a hold
    /// keeps is left; the holds that keep it are returned so the requester can be told.
    /// Whoever calls this must hold `authorise-deletion`.
    pub async fn erase_footage(
        &self,
        footage: &Path,
        actor: &Actor,
        camera: &Ident,
        from_unix_ms: i64,
        to_unix_ms: i64,
        why: &str,
    ) -> StoreResult<Erasure> {
        let now = self.clock().now().0;
        let get = StoreError::db("finding footage to erase");
        let rows = sqlx::query(concat!(
            "SELECT s.path, s.stream, s.start_unix_ms, s.end_unix_ms, s.bytes FROM segments s \
             WHERE s.camera_id = $1 AND s.start_unix_ms < $2 AND $3 < s.end_unix_ms AND ",
            unheld!("$4"),
            " ORDER BY s.start_unix_ms, s.path"
        ))
        .bind(camera.as_str())
        .bind(to_unix_ms)
        .bind(from_unix_ms)
        .bind(now)
        .fetch_all(self.pool())
        .await
        .map_err(&get)?;
        let batch = Doomed::camera_rows(camera, &rows, "finding footage to erase")?;
        let mut problems = Vec::new();
        let (segments, bytes) = self
            .delete_segments(footage, actor, batch, "footage-erased", why, &mut problems)
            .await?;
        if !problems.is_empty() {
            return Err(StoreError::Files(format!(
                "some footage could not be erased (it is still there; try again): {}",
                problems.join("; ")
            )));
        }
        let kept = sqlx::query(concat!(
            hold_columns!(),
            "JOIN hold_cameras hc ON hc.hold_id = h.id WHERE hc.camera_id = $1 \
             AND h.released_at_unix_ms IS NULL AND h.expires_at_unix_ms > $2 \
             AND h.from_unix_ms < $3 AND $4 < h.to_unix_ms \
             AND EXISTS (SELECT 1 FROM segments s WHERE s.camera_id = $1 \
             AND s.start_unix_ms < $3 AND $4 < s.end_unix_ms \
             AND h.from_unix_ms < s.end_unix_ms AND s.start_unix_ms < h.to_unix_ms) \
             ORDER BY h.id"
        ))
        .bind(camera.as_str())
        .bind(now)
        .bind(to_unix_ms)
        .bind(from_unix_ms)
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("finding the holds that keep footage"))?;
        let mut holds = Vec::new();
        for r in &kept {
            let id: String = r.try_get(0).map_err(StoreError::db("reading a hold"))?;
            if let Some(h) = self.hold(&id).await? {
                holds.push(h);
            }
        }
        Ok(Erasure {
            segments,
            bytes,
            kept_by: holds,
        })
    }

    /// Disk pressure: deletes the oldest unheld footage of any camera, oldest first, until
    /// `bytes_wanted` are freed or no unheld footage is left; each deletion is ledgered as
    /// `footage-deleted-early` with `why`. Held footage is never touched.
    pub async fn delete_oldest_unheld(
        &self,
        footage: &Path,
        bytes_wanted: u64,
        why: &str,
    ) -> StoreResult<PressureReport> {
        let actor = Actor::System("retention".to_owned());
        let now = self.clock().now().0;
        let sql = concat!(
            "SELECT s.camera_id, s.path, s.stream, s.start_unix_ms, s.end_unix_ms, s.bytes \
             FROM segments s WHERE ",
            unheld!("$1"),
            " AND (s.start_unix_ms > $2 OR (s.start_unix_ms = $2 AND s.path > $3)) \
             ORDER BY s.start_unix_ms, s.path LIMIT $4"
        );
        let mut report = PressureReport::default();
        let mut after = (i64::MIN, String::new());
        while report.bytes_deleted < bytes_wanted {
            let rows = sqlx::query(sql)
                .bind(now)
                .bind(after.0)
                .bind(&after.1)
                .bind(BATCH)
                .fetch_all(self.pool())
                .await
                .map_err(StoreError::db("finding the oldest footage"))?;
            if rows.is_empty() {
                report.unheld_left = false;
                return Ok(report);
            }
            let get = StoreError::db("finding the oldest footage");
            let mut batch = Vec::new();
            let mut planned = report.bytes_deleted;
            for r in &rows {
                if planned >= bytes_wanted {
                    break;
                }
                let camera: String = r.try_get(0).map_err(&get)?;
                let d = Doomed {
                    camera: Ident::parse(&camera).map_err(|e| {
                        StoreError::Corrupt(format!("a segment names camera {camera:?}: {e}"))
                    })?,
                    path: r.try_get(1).map_err(&get)?,
                    stream: r.try_get(2).map_err(&get)?,
                    start_unix_ms: r.try_get(3).map_err(&get)?,
                    end_unix_ms: r.try_get(4).map_err(&get)?,
                    bytes: r.try_get(5).map_err(&get)?,
                };
                planned += u64::try_from(d.bytes).unwrap_or(0);
                after = (d.start_unix_ms, d.path.clone());
                batch.push(d);
            }
            let (n, bytes) = self
                .delete_segments(
                    footage,
                    &actor,
                    batch,
                    "footage-deleted-early",
                    why,
                    &mut report.problems,
                )
                .await?;
            report.segments_deleted += n;
            report.bytes_deleted += bytes;
        }
        report.unheld_left = true;
        Ok(report)
    }

    /// One look at the footage disk, with `free_bytes` of `total_bytes` free and a floor of
    /// `min_free_percent`: below the floor, the oldest unheld footage is deleted early
    /// until free space is a percent above it; if only held footage is left, the
    /// lowest-priority camera still recording is paused (one per look) rather than delete
    /// anything held. Once free space is back above that level, paused cameras resume.
    pub async fn relieve_pressure(
        &self,
        footage: &Path,
        free_bytes: u64,
        total_bytes: u64,
        min_free_percent: u8,
    ) -> StoreResult<PressureReport> {
        let (floor, resume) =
            custos_domain::retention::free_space_floor(total_bytes, min_free_percent);
        let gib = |b: u64| format!("{:.1} GiB", b as f64 / f64::from(1u32 << 30));
        if free_bytes >= floor {
            let mut report = PressureReport {
                unheld_left: true,
                ..PressureReport::default()
            };
            if free_bytes >= resume {
                for (camera, _, _) in self.paused_cameras().await? {
                    if self.resume_recording(&camera).await? {
                        report.resumed.push(camera);
                    }
                }
            }
            return Ok(report);
        }
        let why = format!(
            "free space {} is below the floor of {} ({min_free_percent}% of the disk)",
            gib(free_bytes),
            gib(floor)
        );
        let mut report = self
            .delete_oldest_unheld(footage, resume - free_bytes, &why)
            .await?;
        if !report.unheld_left {
            let paused: Vec<Ident> = self
                .paused_cameras()
                .await?
                .into_iter()
                .map(|(c, _, _)| c)
                .collect();
            let recording: Vec<(Ident, custos_domain::camera::Priority)> = self
                .cameras(false)
                .await?
                .into_iter()
                .filter(|c| {
                    c.draft.mode != custos_domain::RecordingMode::LiveOnly
                        && !paused.contains(&c.id)
                })
                .map(|c| (c.id, c.draft.priority))
                .collect();
            if let Some(camera) = custos_domain::retention::next_to_pause(&recording) {
                self.pause_recording(
                    &camera,
                    &format!(
                        "{why}, and only held footage is left, which is never deleted early; free space or release holds that are no longer needed"
                    ),
                )
                .await?;
                report.paused = Some(camera);
            }
        }
        Ok(report)
    }

    /// Pauses recording `camera` (disk pressure with only held footage left); ledgered
    /// `recording-paused` (book `retention`). False if it was already paused.
    pub async fn pause_recording(&self, camera: &Ident, reason: &str) -> StoreResult<bool> {
        if self
            .paused_cameras()
            .await?
            .iter()
            .any(|(c, _, _)| c == camera)
        {
            return Ok(false);
        }
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO recording_pauses (camera_id, since_unix_ms, reason) VALUES ($1, $2, $3)",
        )
        .bind(camera.as_str())
        .bind(self.clock().now().0)
        .bind(reason)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("pausing a camera's recording"))?;
        tx.record(
            &Actor::System("retention".to_owned()),
            NewEntry::new(Book::Retention, "recording-paused")
                .with_ref(reference("camera", camera.as_str())?)
                .with("why", reason),
        );
        tx.commit().await?;
        Ok(true)
    }

    /// Resumes recording `camera`; ledgered `recording-resumed`. False if it was not paused.
    pub async fn resume_recording(&self, camera: &Ident) -> StoreResult<bool> {
        let Some((_, since, _)) = self
            .paused_cameras()
            .await?
            .into_iter()
            .find(|(c, _, _)| c == camera)
        else {
            return Ok(false);
        };
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM recording_pauses WHERE camera_id = $1")
            .bind(camera.as_str())
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("resuming a camera's recording"))?;
        tx.record(
            &Actor::System("retention".to_owned()),
            NewEntry::new(Book::Retention, "recording-resumed")
                .with_ref(reference("camera", camera.as_str())?)
                .with("paused_since", UnixMs(since).to_rfc3339()),
        );
        tx.commit().await?;
        Ok(true)
    }

    /// Cameras whose recording is paused: (camera, since, why), oldest first.
    pub async fn paused_cameras(&self) -> StoreResult<Vec<(Ident, i64, String)>> {
        let rows = sqlx::query(
            "SELECT camera_id, since_unix_ms, reason FROM recording_pauses \
             ORDER BY since_unix_ms, camera_id",
        )
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading paused cameras"))?;
        let get = StoreError::db("reading paused cameras");
        rows.iter()
            .map(|r| {
                let c: String = r.try_get(0).map_err(&get)?;
                Ok((
                    Ident::parse(&c)
                        .map_err(|e| StoreError::Corrupt(format!("a paused camera {c:?}: {e}")))?,
                    r.try_get(1).map_err(&get)?,
                    r.try_get(2).map_err(&get)?,
                ))
            })
            .collect()
    }

    /// Destroys the data key of every day of `camera` that has no footage left and ended
    /// at or before `cutoff`, with its init segments (ledgered `day-key-destroyed`).
    async fn destroy_spent_keys(
        &self,
        footage: &Path,
        actor: &Actor,
        camera: &Ident,
        cutoff: i64,
        report: &mut SweepReport,
    ) -> StoreResult<()> {
        // Only days up to the cutoff's day can be wholly past it (UK days written
        // YYYY-MM-DD sort as text).
        let cutoff_day: String = UnixMs(cutoff)
            .to_uk_local_input()
            .chars()
            .take(10)
            .collect();
        let rows = sqlx::query(
            "SELECT k.day FROM data_keys k WHERE k.camera_id = $1 AND k.day <= $2 \
             AND k.destroyed_at_unix_ms IS NULL \
             AND NOT EXISTS (SELECT 1 FROM segments s WHERE s.camera_id = k.camera_id \
                             AND s.day = k.day) ORDER BY k.day",
        )
        .bind(camera.as_str())
        .bind(&cutoff_day)
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("finding spent data keys"))?;
        let now = self.clock().now().0;
        for r in &rows {
            let day: String = r
                .try_get(0)
                .map_err(StoreError::db("finding spent data keys"))?;
            let day_end = UnixMs::parse_bound(&day, true)
                .map_err(|e| StoreError::Corrupt(format!("data key day {day:?}: {e}")))?;
            if day_end.0 > cutoff {
                continue;
            }
            // An init segment of this day that a later day's footage still uses keeps the
            // key (it is needed to decrypt that init segment).
            let inits = sqlx::query(
                "SELECT i.id, i.path, (SELECT COUNT(*) FROM segments s WHERE s.init_id = i.id) \
                 FROM init_segments i WHERE i.camera_id = $1 AND i.day = $2",
            )
            .bind(camera.as_str())
            .bind(&day)
            .fetch_all(self.pool())
            .await
            .map_err(StoreError::db("finding init segments"))?;
            let get = StoreError::db("finding init segments");
            let mut paths = Vec::new();
            let mut in_use = None;
            for i in &inits {
                let id: String = i.try_get(0).map_err(&get)?;
                let users: i64 = i.try_get(2).map_err(&get)?;
                if users > 0 {
                    in_use = Some(id);
                }
                paths.push(i.try_get::<String, _>(1).map_err(&get)?);
            }
            if let Some(id) = in_use {
                report.problems.push(format!(
                    "the data key of camera {camera} for {day} is kept: init segment {id} is still used by later footage"
                ));
                continue;
            }
            let mut failed = false;
            for p in &paths {
                if let Err(why) = remove(&footage.join(p)) {
                    report.problems.push(why);
                    failed = true;
                }
            }
            if failed {
                continue;
            }
            let mut tx = self.write().await?;
            sqlx::query("DELETE FROM init_segments WHERE camera_id = $1 AND day = $2")
                .bind(camera.as_str())
                .bind(&day)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("deleting init segments"))?;
            sqlx::query(
                "UPDATE data_keys SET key_sealed = '', destroyed_at_unix_ms = $1 \
                 WHERE camera_id = $2 AND day = $3",
            )
            .bind(now)
            .bind(camera.as_str())
            .bind(&day)
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("destroying a data key"))?;
            tx.record(
                actor,
                NewEntry::new(Book::Retention, "day-key-destroyed")
                    .with_ref(reference("camera", camera.as_str())?)
                    .with("day", day.as_str())
                    .with("init_segments", paths.len()),
            );
            tx.commit().await?;
            // The day's folder, if nothing else is in it.
            let _ = std::fs::remove_dir(footage.join(camera.as_str()).join(&day));
            report.keys_destroyed.push((camera.clone(), day));
        }
        Ok(())
    }

    /// The retention report (BJS-4, SCC-6): for every camera, its retention, the oldest and
    /// newest footage present, active holds, deletions since `since_unix_ms`, and any unheld
    /// footage still present past its cutoff by more than [`SWEEP_GRACE_MS`].
    pub async fn retention_report(&self, since_unix_ms: i64) -> StoreResult<Vec<CameraRetention>> {
        let now = self.clock().now();
        let Some(policy) = self.active_policy().await? else {
            return Err(StoreError::Invalid(
                "no policy pack is loaded, so there is no retention period to report on".to_owned(),
            ));
        };
        let holds = self.holds(false).await?;
        let deletions = self
            .ledger_entries(&crate::LedgerQuery {
                book: Some(Book::Retention),
                from_unix_ms: Some(since_unix_ms),
                ..crate::LedgerQuery::default()
            })
            .await?;
        let overdue_sql = concat!(
            "SELECT COUNT(*), MIN(s.start_unix_ms) FROM segments s \
             WHERE s.camera_id = $1 AND s.end_unix_ms <= $2 AND ",
            unheld!("$3")
        );
        let mut out = Vec::new();
        for camera in self.cameras(true).await? {
            let days = retention_days(&camera.draft, &policy.pack);
            let cutoff = cutoff_unix_ms(now, days);
            let get = StoreError::db("reading the retention report");
            // Two queries, each answered from one index alone: the count and the oldest
            // start from `segments_by_camera_time`, the newest end from `segments_by_end`.
            // (One query asking for all three read every segment's row: 9 s for 64 cameras'
            // 30 days.)
            let r = sqlx::query(
                "SELECT COUNT(*), MIN(start_unix_ms) FROM segments WHERE camera_id = $1",
            )
            .bind(camera.id.as_str())
            .fetch_one(self.pool())
            .await
            .map_err(&get)?;
            let segments: i64 = r.try_get(0).map_err(&get)?;
            let oldest: Option<i64> = r.try_get(1).map_err(&get)?;
            let newest: Option<i64> =
                sqlx::query("SELECT MAX(end_unix_ms) FROM segments WHERE camera_id = $1")
                    .bind(camera.id.as_str())
                    .fetch_one(self.pool())
                    .await
                    .map_err(&get)?
                    .try_get(0)
                    .map_err(&get)?;
            let o = sqlx::query(overdue_sql)
                .bind(camera.id.as_str())
                .bind(cutoff - SWEEP_GRACE_MS)
                .bind(now.0)
                .fetch_one(self.pool())
                .await
                .map_err(&get)?;
            let overdue: i64 = o.try_get(0).map_err(&get)?;
            let oldest_overdue: Option<i64> = o.try_get(1).map_err(&get)?;
            let camera_ref = format!("camera:{}", camera.id);
            let deleted_in_period = deletions
                .iter()
                .filter(|e| {
                    e.kind == "footage-deleted" && e.refs.split(' ').any(|r| r == camera_ref)
                })
                .filter_map(|e| {
                    serde_json::from_str::<serde_json::Value>(&e.body)
                        .ok()?
                        .get("segments")?
                        .as_u64()
                })
                .sum();
            out.push(CameraRetention {
                name: camera.draft.name.clone(),
                retired: camera.retired,
                retention_days: days,
                cutoff_unix_ms: cutoff,
                oldest_unix_ms: oldest,
                newest_unix_ms: newest,
                segments: u64::try_from(segments).unwrap_or(0),
                holds: holds
                    .iter()
                    .filter(|h| h.cameras.contains(&camera.id))
                    .map(|h| {
                        (
                            h.id.clone(),
                            h.from_unix_ms,
                            h.to_unix_ms,
                            h.expires_at_unix_ms,
                        )
                    })
                    .collect(),
                deleted_in_period,
                overdue_segments: u64::try_from(overdue).unwrap_or(0),
                oldest_overdue_unix_ms: oldest_overdue,
                camera: camera.id,
            });
        }
        Ok(out)
    }

    /// The last sweep's summary entry, if any sweep has run.
    pub async fn last_sweep(&self) -> StoreResult<Option<custos_domain::ledger::StoredEntry>> {
        let rows = self
            .ledger_entries(&crate::LedgerQuery {
                book: Some(Book::Retention),
                ..crate::LedgerQuery::default()
            })
            .await?;
        Ok(rows.into_iter().rev().find(|e| e.kind == "sweep-finished"))
    }
}
