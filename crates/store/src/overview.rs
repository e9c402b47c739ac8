//! The figures the staff Start page shows beside what needs doing: how many cameras
//! recorded in each hour and each day, each camera's newest footage, and how the requests
//! received in a period stand against their deadlines.
//!
//! Invariants: read-only and ledgers nothing; every query is bounded and aggregates on an
//! index, so the Start page stays cheap however much footage is kept —
//! - hours: segments by start time (`segments_by_start`), over the period asked only;
//! - days: the data keys, one row per camera and UK day it recorded, kept (emptied) after
//!   the day's footage is deleted, so a day past retention still counts what was recorded;
//! - newest footage: one index lookup per camera (`segments_by_end`);
//! - requests: the cases received in the period, with their clock's pauses.

use custos_domain::Ident;
use custos_domain::case::{CaseKind, CaseState};
use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::store::Store;

/// One hour in milliseconds.
const HOUR_MS: i64 = 3_600_000;

/// A request's timing: what its deadline is worked out from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseTiming {
    /// Its reference, e.g. `SAR-2026-0007`.
    pub reference: String,
    /// Its kind.
    pub kind: CaseKind,
    /// Where it stands.
    pub state: CaseState,
    /// When it was received.
    pub received_at_unix_ms: i64,
    /// When it closed, if it has.
    pub closed_at_unix_ms: Option<i64>,
    /// Whether its deadline was extended.
    pub extended: bool,
    /// The clock's pauses: (from, to); `to` is `None` while paused.
    pub pauses: Vec<(i64, Option<i64>)>,
}

impl Store {
    /// For each of the `hours` hours from `from_unix_ms`, how many cameras have footage
    /// starting in it (either stream).
    pub async fn cameras_recorded_per_hour(
        &self,
        from_unix_ms: i64,
        hours: usize,
    ) -> StoreResult<Vec<u32>> {
        let to = from_unix_ms + i64::try_from(hours).unwrap_or(0) * HOUR_MS;
        let rows = sqlx::query(
            "SELECT (start_unix_ms - $1) / 3600000 AS bucket, COUNT(DISTINCT camera_id) \
             FROM segments WHERE start_unix_ms >= $2 AND start_unix_ms < $3 GROUP BY bucket",
        )
        .bind(from_unix_ms)
        .bind(from_unix_ms)
        .bind(to)
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("counting cameras recorded per hour"))?;
        let mut out = vec![0; hours];
        for r in &rows {
            let get = StoreError::db("counting cameras recorded per hour");
            let hour: i64 = r.try_get(0).map_err(&get)?;
            let cameras: i64 = r.try_get(1).map_err(&get)?;
            if let Some(slot) = usize::try_from(hour).ok().and_then(|h| out.get_mut(h)) {
                *slot = u32::try_from(cameras).unwrap_or(u32::MAX);
            }
        }
        Ok(out)
    }

    /// For each UK day from `first_day` to `last_day` (both `YYYY-MM-DD`, inclusive) on
    /// which any camera recorded, how many cameras did: (day, cameras), by day. Counted
    /// from the cameras' day keys, which outlive the footage.
    pub async fn cameras_recorded_per_day(
        &self,
        first_day: &str,
        last_day: &str,
    ) -> StoreResult<Vec<(String, u32)>> {
        let rows = sqlx::query(
            "SELECT k.day, COUNT(*) FROM cameras c JOIN data_keys k ON k.camera_id = c.id \
             WHERE k.day >= $1 AND k.day <= $2 GROUP BY k.day ORDER BY k.day",
        )
        .bind(first_day)
        .bind(last_day)
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("counting cameras recorded per day"))?;
        rows.iter()
            .map(|r| {
                let get = StoreError::db("counting cameras recorded per day");
                let day: String = r.try_get(0).map_err(&get)?;
                let cameras: i64 = r.try_get(1).map_err(&get)?;
                Ok((day, u32::try_from(cameras).unwrap_or(u32::MAX)))
            })
            .collect()
    }

    /// Every camera (retired ones too) with the end of its newest footage, if it has any.
    pub async fn newest_footage(&self) -> StoreResult<Vec<(Ident, Option<i64>)>> {
        let rows = sqlx::query(
            "SELECT c.id, (SELECT MAX(s.end_unix_ms) FROM segments s WHERE s.camera_id = c.id) \
             FROM cameras c ORDER BY c.id",
        )
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading each camera's newest footage"))?;
        rows.iter()
            .map(|r| {
                let get = StoreError::db("reading each camera's newest footage");
                let id: String = r.try_get(0).map_err(&get)?;
                Ok((
                    Ident::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    r.try_get(1).map_err(&get)?,
                ))
            })
            .collect()
    }

    /// The cases received at or after `since_unix_ms`, oldest first, with what their
    /// deadlines are worked out from.
    pub async fn case_timings(&self, since_unix_ms: i64) -> StoreResult<Vec<CaseTiming>> {
        let get = StoreError::db("reading the cases' timings");
        let rows = sqlx::query(
            "SELECT reference, kind, state, received_at_unix_ms, closed_at_unix_ms, extended \
             FROM cases WHERE received_at_unix_ms >= $1 ORDER BY received_at_unix_ms, reference",
        )
        .bind(since_unix_ms)
        .fetch_all(self.pool())
        .await
        .map_err(&get)?;
        let pauses = sqlx::query(
            "SELECT p.reference, p.paused_at_unix_ms, p.resumed_at_unix_ms FROM case_pauses p \
             JOIN cases c ON c.reference = p.reference WHERE c.received_at_unix_ms >= $1 \
             ORDER BY p.reference, p.paused_at_unix_ms",
        )
        .bind(since_unix_ms)
        .fetch_all(self.pool())
        .await
        .map_err(&get)?;
        let mut paused: std::collections::HashMap<String, Vec<(i64, Option<i64>)>> =
            std::collections::HashMap::new();
        for p in &pauses {
            let reference: String = p.try_get(0).map_err(&get)?;
            paused
                .entry(reference)
                .or_default()
                .push((p.try_get(1).map_err(&get)?, p.try_get(2).map_err(&get)?));
        }
        rows.iter()
            .map(|r| {
                let reference: String = r.try_get(0).map_err(&get)?;
                let corrupt = |e: String| StoreError::Corrupt(format!("case {reference}: {e}"));
                let kind: String = r.try_get(1).map_err(&get)?;
                let state: String = r.try_get(2).map_err(&get)?;
                Ok(CaseTiming {
                    kind: kind.parse().map_err(corrupt)?,
                    state: state.parse().map_err(corrupt)?,
                    received_at_unix_ms: r.try_get(3).map_err(&get)?,
                    closed_at_unix_ms: r.try_get(4).map_err(&get)?,
                    extended: r.try_get::<i64, _>(5).map_err(&get)? != 0,
                    pauses: paused.remove(&reference).unwrap_or_default(),
                    reference,
                })
            })
            .collect()
    }
}
