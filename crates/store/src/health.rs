//! Camera health (LBU-16, BDC-18): the recorder's latest figures per camera stream, and the
//! faults it opens in the faults and maintenance log when a camera stays down and closes
//! when it is back.
//!
//! Invariants: figures are overwritten, not kept (history lives in the ledger); a camera
//! has at most one open fault found by the recorder; each fault has its reference
//! (`FLT-2026-0001`), in the same series and the same list as the faults people report
//! (`crate::maintenance`), so the contractor can be called to it like to any other; the
//! recorder closes only the faults it opened, never one a person reported; opening and
//! closing a fault each write a ledger entry in book `maintenance` in the same transaction.

use custos_base::{Actor, UnixMs};
use custos_domain::Ident;
use custos_domain::ledger::{Book, NewEntry, Reference};
use custos_domain::maintenance::Origin;
use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::store::Store;

/// The recorder's figures for one camera stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    /// The camera.
    pub camera: Ident,
    /// `main` or `sub`.
    pub stream: String,
    /// `connecting`, `recording` or `down`.
    pub state: String,
    /// Since when it has been in that state (ms since the epoch).
    pub since_unix_ms: i64,
    /// When the last frame arrived.
    pub last_frame_unix_ms: Option<i64>,
    /// Frames per second × 1000 over the last measurement.
    pub frames_per_s_milli: i64,
    /// Bits per second over the last measurement.
    pub bitrate_bps: i64,
    /// Reconnections since the recorder started.
    pub reconnects: i64,
    /// The last measured difference between camera and server time (ms).
    pub drift_ms: i64,
    /// Why it is down, or other detail.
    pub detail: String,
    /// When these figures were written.
    pub updated_at_unix_ms: i64,
}

fn camera_ref(id: &Ident) -> StoreResult<Reference> {
    Reference::new("camera", id.as_str()).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn fault_ref(reference: &str) -> StoreResult<Reference> {
    Reference::new("fault", reference).map_err(|e| StoreError::Invalid(e.to_string()))
}

impl Store {
    /// Writes a stream's figures.
    pub async fn put_health(&self, h: &Health) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM camera_health WHERE camera_id = $1 AND stream = $2")
            .bind(h.camera.as_str())
            .bind(&h.stream)
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("writing camera health"))?;
        sqlx::query(
            "INSERT INTO camera_health (camera_id, stream, state, since_unix_ms, last_frame_unix_ms, \
             frames_per_s_milli, bitrate_bps, reconnects, drift_ms, detail, updated_at_unix_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(h.camera.as_str())
        .bind(&h.stream)
        .bind(&h.state)
        .bind(h.since_unix_ms)
        .bind(h.last_frame_unix_ms)
        .bind(h.frames_per_s_milli)
        .bind(h.bitrate_bps)
        .bind(h.reconnects)
        .bind(h.drift_ms)
        .bind(&h.detail)
        .bind(h.updated_at_unix_ms)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("writing camera health"))?;
        tx.commit_unledgered().await
    }

    /// Every stream's figures, by camera.
    pub async fn health(&self) -> StoreResult<Vec<Health>> {
        let rows = sqlx::query(
            "SELECT camera_id, stream, state, since_unix_ms, last_frame_unix_ms, frames_per_s_milli, \
             bitrate_bps, reconnects, drift_ms, detail, updated_at_unix_ms FROM camera_health \
             ORDER BY camera_id, stream",
        )
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading camera health"))?;
        rows.iter()
            .map(|r| {
                let get = StoreError::db("reading camera health");
                let camera: String = r.try_get(0).map_err(&get)?;
                Ok(Health {
                    camera: Ident::parse(&camera)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    stream: r.try_get(1).map_err(&get)?,
                    state: r.try_get(2).map_err(&get)?,
                    since_unix_ms: r.try_get(3).map_err(&get)?,
                    last_frame_unix_ms: r.try_get(4).map_err(&get)?,
                    frames_per_s_milli: r.try_get(5).map_err(&get)?,
                    bitrate_bps: r.try_get(6).map_err(&get)?,
                    reconnects: r.try_get(7).map_err(&get)?,
                    drift_ms: r.try_get(8).map_err(&get)?,
                    detail: r.try_get(9).map_err(&get)?,
                    updated_at_unix_ms: r.try_get(10).map_err(&get)?,
                })
            })
            .collect()
    }

    /// Opens a fault for a camera down since `down_since` (unless the recorder has one open
    /// on it), under the next fault reference, ledgered in book `maintenance`. Returns
    /// whether one was opened.
    pub async fn open_fault(
        &self,
        camera: &Ident,
        down_since_unix_ms: i64,
        reason: &str,
    ) -> StoreResult<bool> {
        let now = self.clock().now().0;
        let mut tx = self.write().await?;
        let open = sqlx::query(
            "SELECT 1 FROM camera_faults WHERE camera_id = $1 AND origin = $2 \
             AND closed_at_unix_ms IS NULL",
        )
        .bind(camera.as_str())
        .bind(Origin::Recorder.as_str())
        .fetch_optional(tx.conn())
        .await
        .map_err(StoreError::db("reading faults"))?;
        if open.is_some() {
            return Ok(false);
        }
        let reference =
            crate::cases::next_numbered(&mut tx, custos_domain::maintenance::FAULT_PREFIX, now)
                .await?;
        sqlx::query(
            "INSERT INTO camera_faults (reference, camera_id, origin, opened_at_unix_ms, \
             down_since_unix_ms, reason) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&reference)
        .bind(camera.as_str())
        .bind(Origin::Recorder.as_str())
        .bind(now)
        .bind(down_since_unix_ms)
        .bind(reason)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("opening a fault"))?;
        tx.record(
            &Actor::System("recorder".to_owned()),
            NewEntry::new(Book::Maintenance, "fault-opened")
                .with_ref(fault_ref(&reference)?)
                .with_ref(camera_ref(camera)?)
                .with("down_since", UnixMs(down_since_unix_ms).to_rfc3339())
                .with("reason", reason),
        );
        tx.commit().await?;
        Ok(true)
    }

    /// Closes the fault the recorder opened on a camera (it records again), ledgered in
    /// book `maintenance`; faults people reported stay open until they are fixed. Returns
    /// whether one was open.
    pub async fn close_fault(&self, camera: &Ident) -> StoreResult<bool> {
        let now = self.clock().now().0;
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "SELECT reference, down_since_unix_ms FROM camera_faults \
             WHERE camera_id = $1 AND origin = $2 AND closed_at_unix_ms IS NULL",
        )
        .bind(camera.as_str())
        .bind(Origin::Recorder.as_str())
        .fetch_optional(tx.conn())
        .await
        .map_err(StoreError::db("reading faults"))?;
        let Some(row) = row else {
            return Ok(false);
        };
        let reference: String = row.try_get(0).map_err(StoreError::db("reading faults"))?;
        let down_since: i64 = row.try_get(1).map_err(StoreError::db("reading faults"))?;
        sqlx::query(
            "UPDATE camera_faults SET closed_at_unix_ms = $1 \
             WHERE reference = $2 AND closed_at_unix_ms IS NULL",
        )
        .bind(now)
        .bind(&reference)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("closing a fault"))?;
        tx.record(
            &Actor::System("recorder".to_owned()),
            NewEntry::new(Book::Maintenance, "fault-closed")
                .with_ref(fault_ref(&reference)?)
                .with_ref(camera_ref(camera)?)
                .with("down_since", UnixMs(down_since).to_rfc3339())
                .with("down_minutes", (now - down_since) / 60_000),
        );
        tx.commit().await?;
        Ok(true)
    }

    /// Cameras with an open fault found by the recorder (they are not recording), with
    /// when they went down and why. The faults people report are `Store::faults`.
    pub async fn open_faults(&self) -> StoreResult<Vec<(Ident, i64, String)>> {
        let rows = sqlx::query(
            "SELECT camera_id, down_since_unix_ms, reason FROM camera_faults \
             WHERE closed_at_unix_ms IS NULL AND origin = $1 ORDER BY camera_id",
        )
        .bind(Origin::Recorder.as_str())
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading faults"))?;
        rows.iter()
            .map(|r| {
                let get = StoreError::db("reading faults");
                let c: String = r.try_get(0).map_err(&get)?;
                Ok((
                    Ident::parse(&c).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    r.try_get(1).map_err(&get)?,
                    r.try_get(2).map_err(&get)?,
                ))
            })
            .collect()
    }
}
