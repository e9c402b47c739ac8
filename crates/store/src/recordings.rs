//! The index of recorded footage (BJS-4, BJS-6, LBU-7): per camera-day data keys sealed with
//! the master key, initialisation segments, one row per closed segment file with the
//! SHA-256 of its plaintext, the hourly seals that bind segments into the ledger, and the
//! gaps when a stream was not recorded.
//!
//! Invariants:
//! - A segment row is written only after its file is complete and flushed to disk (the
//!   recorder's write → fsync → index order, `docs/ref/storage.md`); rows are bookkeeping
//!   that the hourly seal then commits to the ledger (book `recording`, `hour-sealed`), so a
//!   segment added or changed after its hour was sealed no longer matches the ledger.
//! - A data key is created once per camera and UK day, ledgered (`data-key-created`, no
//!   secret in it), and is only ever stored sealed.
//! - An hour is sealed once; its root is the Merkle root (`domain::seal`) of its segments'
//!   hashes in start order.

use custos_base::{Actor, UnixMs};
use custos_domain::Ident;
use custos_domain::ledger::{Book, Hash, NewEntry, Reference};
use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::secrets::SecretKey;
use crate::store::Store;

/// One hour, in milliseconds.
pub const HOUR_MS: i64 = 3_600_000;

/// How long after an hour ends it is sealed: time for the segment that was being written
/// across the hour's end to be indexed first, so it is one of the hour's leaves.
pub const SEAL_GRACE_MS: i64 = 120_000;

/// An initialisation segment (the codec configuration) of a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitSegment {
    /// Its id: the hex SHA-256 of its plaintext, prefixed with the camera id.
    pub id: String,
    /// The camera.
    pub camera: Ident,
    /// `main` or `sub`.
    pub stream: String,
    /// The codec, as RFC 6381 names it (e.g. `avc1.640028`).
    pub codec: String,
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
    /// The file, relative to the footage folder.
    pub path: String,
    /// The UK day whose data key encrypts it.
    pub day: String,
    /// The hex SHA-256 of its plaintext.
    pub sha256: String,
}

/// Where one fragment (one GOP) lies in a segment's plaintext.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FragmentIndex {
    /// Offset of its `moof` in the segment's plaintext.
    pub offset: u64,
    /// Its length in bytes (`moof` and `mdat`).
    pub len: u64,
    /// Wall-clock time of its first frame (ms since the epoch).
    pub start_unix_ms: i64,
    /// Frames in it.
    pub frames: u32,
    /// Its `tfdt` base decode time as recorded (90 kHz, the camera session's own clock).
    #[serde(default)]
    pub decode_base_90k: u64,
    /// The sum of its samples' durations (90 kHz).
    #[serde(default)]
    pub decode_duration_90k: u64,
}

/// A closed segment file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The file, relative to the footage folder (also its id).
    pub path: String,
    /// The camera.
    pub camera: Ident,
    /// `main` or `sub`.
    pub stream: String,
    /// The initialisation segment its fragments need.
    pub init_id: String,
    /// The UK day whose data key encrypts it.
    pub day: String,
    /// Wall-clock time of its first frame.
    pub start_unix_ms: i64,
    /// Wall-clock time just after its last frame.
    pub end_unix_ms: i64,
    /// Frames in it.
    pub frames: u64,
    /// Bytes of plaintext.
    pub bytes: u64,
    /// The hex SHA-256 of its plaintext.
    pub sha256: String,
    /// Its fragments.
    pub fragments: Vec<FragmentIndex>,
    /// Whether it was rebuilt at start-up from a file left by a crash.
    pub recovered: bool,
}

/// A sealed camera-hour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seal {
    /// The camera.
    pub camera: Ident,
    /// The stream.
    pub stream: String,
    /// The hour's start (ms since the epoch).
    pub hour_unix_ms: i64,
    /// Segments in it.
    pub segments: i64,
    /// The Merkle root (hex).
    pub root: String,
    /// The ledger entry that holds it.
    pub ledger_seq: i64,
}

fn camera_ref(id: &Ident) -> StoreResult<Reference> {
    Reference::new("camera", id.as_str()).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn data_key_context(camera: &Ident, day: &str) -> String {
    format!("custos data key v1:{camera}:{day}")
}

impl Store {
    /// The data key for `camera` on UK `day` (YYYY-MM-DD), created and ledgered on first
    /// use. A key destroyed by retention is never made again: asking for it is an error
    /// (that day's footage no longer exists).
    pub async fn data_key(&self, camera: &Ident, day: &str) -> StoreResult<SecretKey> {
        let master = self.master_key()?;
        let context = data_key_context(camera, day);
        let read = |row: Option<sqlx::any::AnyRow>| -> StoreResult<Option<SecretKey>> {
            let Some(row) = row else { return Ok(None) };
            let destroyed: Option<i64> = row
                .try_get(1)
                .map_err(StoreError::db("reading a data key"))?;
            if let Some(at) = destroyed {
                return Err(StoreError::NotFound(format!(
                    "the data key of camera {camera} for {day} was destroyed on {} when that day's footage passed its retention; the footage no longer exists",
                    custos_base::UnixMs(at).to_london_display()
                )));
            }
            let sealed: String = row
                .try_get(0)
                .map_err(StoreError::db("reading a data key"))?;
            master
                .open_key(
                    &context,
                    &sealed,
                    &format!("the data key of {camera} on {day}"),
                )
                .map(Some)
        };
        let select = "SELECT key_sealed, destroyed_at_unix_ms FROM data_keys \
                      WHERE camera_id = $1 AND day = $2";
        let row = sqlx::query(select)
            .bind(camera.as_str())
            .bind(day)
            .fetch_optional(self.pool())
            .await
            .map_err(StoreError::db("reading a data key"))?;
        if let Some(k) = read(row)? {
            return Ok(k);
        }
        let mut tx = self.write().await?;
        // Another task may have made it meanwhile.
        let row = sqlx::query(select)
            .bind(camera.as_str())
            .bind(day)
            .fetch_optional(tx.conn())
            .await
            .map_err(StoreError::db("reading a data key"))?;
        if let Some(k) = read(row)? {
            return Ok(k);
        }
        let key = SecretKey::generate()?;
        sqlx::query("INSERT INTO data_keys (camera_id, day, key_sealed) VALUES ($1, $2, $3)")
            .bind(camera.as_str())
            .bind(day)
            .bind(master.seal(&context, key.bytes())?)
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("storing a data key"))?;
        tx.record(
            &Actor::System("recorder".to_owned()),
            NewEntry::new(Book::Recording, "data-key-created")
                .with_ref(camera_ref(camera)?)
                .with("day", day),
        );
        tx.commit().await?;
        Ok(key)
    }

    /// Records an initialisation segment whose file is on disk (once per id).
    pub async fn add_init_segment(&self, init: &InitSegment) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let exists = sqlx::query("SELECT 1 FROM init_segments WHERE id = $1")
            .bind(&init.id)
            .fetch_optional(tx.conn())
            .await
            .map_err(StoreError::db("reading init segments"))?;
        if exists.is_none() {
            sqlx::query(
                "INSERT INTO init_segments (id, camera_id, stream, codec, width, height, path, day, \
                 sha256, created_at_unix_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&init.id)
            .bind(init.camera.as_str())
            .bind(&init.stream)
            .bind(&init.codec)
            .bind(i64::from(init.width))
            .bind(i64::from(init.height))
            .bind(&init.path)
            .bind(&init.day)
            .bind(&init.sha256)
            .bind(self.clock().now().0)
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("recording an init segment"))?;
        }
        tx.commit_unledgered().await
    }

    /// One initialisation segment.
    pub async fn init_segment(&self, id: &str) -> StoreResult<Option<InitSegment>> {
        let row = sqlx::query(
            "SELECT id, camera_id, stream, codec, width, height, path, day, sha256 \
             FROM init_segments WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await
        .map_err(StoreError::db("reading init segments"))?;
        row.map(|r| {
            let get = StoreError::db("reading init segments");
            let camera: String = r.try_get(1).map_err(&get)?;
            Ok(InitSegment {
                id: r.try_get(0).map_err(&get)?,
                camera: Ident::parse(&camera).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                stream: r.try_get(2).map_err(&get)?,
                codec: r.try_get(3).map_err(&get)?,
                width: u32::try_from(r.try_get::<i64, _>(4).map_err(&get)?).unwrap_or(0),
                height: u32::try_from(r.try_get::<i64, _>(5).map_err(&get)?).unwrap_or(0),
                path: r.try_get(6).map_err(&get)?,
                day: r.try_get(7).map_err(&get)?,
                sha256: r.try_get(8).map_err(&get)?,
            })
        })
        .transpose()
    }

    /// Records a closed segment whose file is complete on disk. Refused for an hour
    /// already sealed — that hour's root is in the ledger and cannot take more — unless the
    /// segment was recovered after a crash, when it is indexed but stays outside the seal
    /// (and says so: `recovered`).
    pub async fn add_segment(&self, s: &Segment) -> StoreResult<()> {
        let hour = s.start_unix_ms - s.start_unix_ms.rem_euclid(HOUR_MS);
        let mut tx = self.write().await?;
        let sealed = sqlx::query(
            "SELECT 1 FROM seals WHERE camera_id = $1 AND stream = $2 AND hour_unix_ms = $3",
        )
        .bind(s.camera.as_str())
        .bind(&s.stream)
        .bind(hour)
        .fetch_optional(tx.conn())
        .await
        .map_err(StoreError::db("reading seals"))?;
        if sealed.is_some() && !s.recovered {
            return Err(StoreError::Invalid(format!(
                "the hour of segment {} is already sealed; a segment cannot join it afterwards",
                s.path
            )));
        }
        sqlx::query(
            "INSERT INTO segments (path, camera_id, stream, init_id, day, start_unix_ms, \
             end_unix_ms, frames, bytes, sha256, fragments, recovered) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&s.path)
        .bind(s.camera.as_str())
        .bind(&s.stream)
        .bind(&s.init_id)
        .bind(&s.day)
        .bind(s.start_unix_ms)
        .bind(s.end_unix_ms)
        .bind(i64::try_from(s.frames).unwrap_or(i64::MAX))
        .bind(i64::try_from(s.bytes).unwrap_or(i64::MAX))
        .bind(&s.sha256)
        .bind(serde_json::to_string(&s.fragments).map_err(|e| StoreError::Invalid(e.to_string()))?)
        .bind(i64::from(s.recovered))
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording a segment"))?;
        tx.commit_unledgered().await
    }

    /// Segments of a camera's stream overlapping `[from, to)`, in start order; every
    /// stream if `stream` is `None`, every camera if `camera` is `None`.
    pub async fn segments(
        &self,
        camera: Option<&Ident>,
        stream: Option<&str>,
        from_unix_ms: i64,
        to_unix_ms: i64,
    ) -> StoreResult<Vec<Segment>> {
        let rows = sqlx::query(
            "SELECT path, camera_id, stream, init_id, day, start_unix_ms, end_unix_ms, frames, \
             bytes, sha256, fragments, recovered FROM segments \
             WHERE (CAST($1 AS TEXT) IS NULL OR camera_id = $1) \
             AND (CAST($2 AS TEXT) IS NULL OR stream = $2) \
             AND end_unix_ms > $3 AND start_unix_ms < $4 \
             ORDER BY camera_id, stream, start_unix_ms",
        )
        .bind(camera.map(Ident::as_str))
        .bind(stream)
        .bind(from_unix_ms)
        .bind(to_unix_ms)
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading segments"))?;
        rows.iter().map(segment_from_row).collect()
    }

    /// Seals every camera-hour that ended before `now_unix_ms - grace_ms` and has segments
    /// but no seal: one ledger entry (book `recording`, `hour-sealed`) per hour with its
    /// Merkle root. Returns the seals made.
    pub async fn seal_closed_hours(
        &self,
        now_unix_ms: i64,
        grace_ms: i64,
    ) -> StoreResult<Vec<Seal>> {
        let before = now_unix_ms - grace_ms;
        let rows = sqlx::query(
            "SELECT DISTINCT s.camera_id, s.stream, s.start_unix_ms - (s.start_unix_ms % 3600000) \
             FROM segments s WHERE s.sealed_hour_unix_ms IS NULL AND s.start_unix_ms < $1 \
             AND NOT EXISTS (SELECT 1 FROM seals x WHERE x.camera_id = s.camera_id \
               AND x.stream = s.stream \
               AND x.hour_unix_ms = s.start_unix_ms - (s.start_unix_ms % 3600000))",
        )
        .bind(before - before.rem_euclid(HOUR_MS))
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("finding hours to seal"))?;
        let mut hours = Vec::new();
        for r in rows {
            let get = StoreError::db("finding hours to seal");
            let camera: String = r.try_get(0).map_err(&get)?;
            let stream: String = r.try_get(1).map_err(&get)?;
            let hour: i64 = r.try_get(2).map_err(&get)?;
            hours.push((camera, stream, hour));
        }
        hours.sort();
        let mut out = Vec::new();
        for (camera, stream, hour) in hours {
            let camera = Ident::parse(&camera).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            out.push(self.seal_hour(&camera, &stream, hour).await?);
        }
        Ok(out)
    }

    async fn seal_hour(&self, camera: &Ident, stream: &str, hour: i64) -> StoreResult<Seal> {
        let mut tx = self.write().await?;
        let rows = sqlx::query(
            "SELECT path, sha256 FROM segments WHERE camera_id = $1 AND stream = $2 \
             AND start_unix_ms >= $3 AND start_unix_ms < $4 ORDER BY start_unix_ms, path",
        )
        .bind(camera.as_str())
        .bind(stream)
        .bind(hour)
        .bind(hour + HOUR_MS)
        .fetch_all(tx.conn())
        .await
        .map_err(StoreError::db("reading an hour's segments"))?;
        let mut hashes = Vec::new();
        let mut first = String::new();
        let mut last = String::new();
        for r in &rows {
            let get = StoreError::db("reading an hour's segments");
            let path: String = r.try_get(0).map_err(&get)?;
            let sha: String = r.try_get(1).map_err(&get)?;
            hashes.push(Hash::from_hex(&sha).ok_or_else(|| {
                StoreError::Corrupt(format!("segment {path} has a malformed hash"))
            })?);
            if first.is_empty() {
                first.clone_from(&path);
            }
            last = path;
        }
        let root = custos_domain::seal::merkle_root(&hashes);
        sqlx::query(
            "UPDATE segments SET sealed_hour_unix_ms = $1 WHERE camera_id = $2 AND stream = $3 \
             AND start_unix_ms >= $1 AND start_unix_ms < $4",
        )
        .bind(hour)
        .bind(camera.as_str())
        .bind(stream)
        .bind(hour + HOUR_MS)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("sealing an hour"))?;
        sqlx::query(
            "INSERT INTO seals (camera_id, stream, hour_unix_ms, segments, root, leaves) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(camera.as_str())
        .bind(stream)
        .bind(hour)
        .bind(i64::try_from(hashes.len()).unwrap_or(i64::MAX))
        .bind(root.to_string())
        .bind(leaves_text(&hashes))
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording a seal"))?;
        tx.record(
            &Actor::System("recorder".to_owned()),
            NewEntry::new(Book::Recording, "hour-sealed")
                .with_ref(camera_ref(camera)?)
                .with("stream", stream)
                .with("hour", UnixMs(hour).to_rfc3339())
                .with("segments", hashes.len())
                .with("first", first)
                .with("last", last)
                .with("merkle_root", root.to_string()),
        );
        let appended = tx.commit_returning().await?;
        let seq = appended.last().map_or(0, |a| a.seq);
        // Where the seal's entry is, for finding it quickly: bookkeeping after the fact.
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE seals SET ledger_seq = $1 WHERE camera_id = $2 AND stream = $3 AND hour_unix_ms = $4",
        )
        .bind(seq)
        .bind(camera.as_str())
        .bind(stream)
        .bind(hour)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording a seal"))?;
        tx.commit_unledgered().await?;
        Ok(Seal {
            camera: camera.clone(),
            stream: stream.to_owned(),
            hour_unix_ms: hour,
            segments: i64::try_from(hashes.len()).unwrap_or(i64::MAX),
            root: root.to_string(),
            ledger_seq: seq,
        })
    }

    /// Seals, for an export to be made now, each hour of `camera`'s `stream` overlapping
    /// `[from_unix_ms, to_unix_ms)` that has segments but no seal yet (the hour still being
    /// recorded, or one ended within the grace the recorder leaves): an interim seal over
    /// the hour's segments recorded so far, ledgered `hour-sealed-interim` (book
    /// `recording`) with its Merkle root, unless an interim seal already covers exactly
    /// them. The hour's own seal later covers every segment; the interim one stays a valid
    /// proof of those it covered. Returns the interim seals made.
    pub async fn seal_open_hours(
        &self,
        camera: &Ident,
        stream: &str,
        from_unix_ms: i64,
        to_unix_ms: i64,
    ) -> StoreResult<Vec<Seal>> {
        let mut out = Vec::new();
        let mut hour = from_unix_ms - from_unix_ms.rem_euclid(HOUR_MS);
        while hour < to_unix_ms {
            if self.seal(camera, stream, hour).await?.is_none()
                && let Some(seal) = self.seal_hour_so_far(camera, stream, hour).await?
            {
                out.push(seal);
            }
            hour += HOUR_MS;
        }
        Ok(out)
    }

    async fn seal_hour_so_far(
        &self,
        camera: &Ident,
        stream: &str,
        hour: i64,
    ) -> StoreResult<Option<Seal>> {
        let segs = self
            .segments(Some(camera), Some(stream), hour, hour + HOUR_MS)
            .await?;
        let mut segs: Vec<Segment> = segs
            .into_iter()
            .filter(|s| s.start_unix_ms >= hour)
            .collect();
        segs.sort_by(|a, b| (a.start_unix_ms, &a.path).cmp(&(b.start_unix_ms, &b.path)));
        let (Some(first), Some(last)) = (segs.first(), segs.last()) else {
            return Ok(None);
        };
        let hashes = segs
            .iter()
            .map(|s| {
                Hash::from_hex(&s.sha256).ok_or_else(|| {
                    StoreError::Corrupt(format!("segment {} has a malformed hash", s.path))
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let root = custos_domain::seal::merkle_root(&hashes).to_string();
        let count = i64::try_from(hashes.len()).unwrap_or(i64::MAX);
        let mut tx = self.write().await?;
        let inserted = sqlx::query(
            "INSERT INTO interim_seals (camera_id, stream, hour_unix_ms, segments, root, leaves, \
             made_at_unix_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        )
        .bind(camera.as_str())
        .bind(stream)
        .bind(hour)
        .bind(count)
        .bind(&root)
        .bind(leaves_text(&hashes))
        .bind(self.clock().now().0)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording an interim seal"))?;
        if inserted.rows_affected() == 0 {
            // Already sealed so far (by another export at the same moment).
            return Ok(None);
        }
        tx.record(
            &Actor::System("recorder".to_owned()),
            NewEntry::new(Book::Recording, "hour-sealed-interim")
                .with_ref(camera_ref(camera)?)
                .with("stream", stream)
                .with("hour", UnixMs(hour).to_rfc3339())
                .with("segments", hashes.len())
                .with("first", first.path.as_str())
                .with("last", last.path.as_str())
                .with("through", UnixMs(last.end_unix_ms).to_rfc3339())
                .with("merkle_root", root.as_str()),
        );
        let appended = tx.commit_returning().await?;
        let seq = appended.last().map_or(0, |a| a.seq);
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE interim_seals SET ledger_seq = $1 WHERE camera_id = $2 AND stream = $3 \
             AND hour_unix_ms = $4 AND segments = $5",
        )
        .bind(seq)
        .bind(camera.as_str())
        .bind(stream)
        .bind(hour)
        .bind(count)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording an interim seal"))?;
        tx.commit_unledgered().await?;
        Ok(Some(Seal {
            camera: camera.clone(),
            stream: stream.to_owned(),
            hour_unix_ms: hour,
            segments: count,
            root,
            ledger_seq: seq,
        }))
    }

    /// The seal of a camera-hour, if it is sealed.
    pub async fn seal(
        &self,
        camera: &Ident,
        stream: &str,
        hour_unix_ms: i64,
    ) -> StoreResult<Option<Seal>> {
        let row = sqlx::query(
            "SELECT segments, root, ledger_seq FROM seals WHERE camera_id = $1 AND stream = $2 \
             AND hour_unix_ms = $3",
        )
        .bind(camera.as_str())
        .bind(stream)
        .bind(hour_unix_ms)
        .fetch_optional(self.pool())
        .await
        .map_err(StoreError::db("reading seals"))?;
        row.map(|r| {
            let get = StoreError::db("reading seals");
            Ok(Seal {
                camera: camera.clone(),
                stream: stream.to_owned(),
                hour_unix_ms,
                segments: r.try_get(0).map_err(&get)?,
                root: r.try_get(1).map_err(&get)?,
                ledger_seq: r.try_get::<Option<i64>, _>(2).map_err(&get)?.unwrap_or(0),
            })
        })
        .transpose()
    }

    /// Records that a stream stopped being recorded at `from` (if not already open).
    pub async fn open_gap(
        &self,
        camera: &Ident,
        stream: &str,
        from_unix_ms: i64,
        reason: &str,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let open = sqlx::query(
            "SELECT 1 FROM recording_gaps WHERE camera_id = $1 AND stream = $2 AND to_unix_ms IS NULL",
        )
        .bind(camera.as_str())
        .bind(stream)
        .fetch_optional(tx.conn())
        .await
        .map_err(StoreError::db("reading gaps"))?;
        if open.is_none() {
            sqlx::query(
                "INSERT INTO recording_gaps (camera_id, stream, from_unix_ms, reason) VALUES ($1, $2, $3, $4)",
            )
            .bind(camera.as_str())
            .bind(stream)
            .bind(from_unix_ms)
            .bind(reason)
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("recording a gap"))?;
        }
        tx.commit_unledgered().await
    }

    /// Closes a stream's open gap at `to` (recording resumed). Returns the gap's start, if
    /// one was open.
    pub async fn close_gap(
        &self,
        camera: &Ident,
        stream: &str,
        to_unix_ms: i64,
    ) -> StoreResult<Option<i64>> {
        let mut tx = self.write().await?;
        let open = sqlx::query(
            "SELECT from_unix_ms FROM recording_gaps WHERE camera_id = $1 AND stream = $2 AND to_unix_ms IS NULL",
        )
        .bind(camera.as_str())
        .bind(stream)
        .fetch_optional(tx.conn())
        .await
        .map_err(StoreError::db("reading gaps"))?;
        let from = open
            .map(|r| r.try_get::<i64, _>(0))
            .transpose()
            .map_err(StoreError::db("reading gaps"))?;
        if from.is_some() {
            sqlx::query(
                "UPDATE recording_gaps SET to_unix_ms = $1 WHERE camera_id = $2 AND stream = $3 AND to_unix_ms IS NULL",
            )
            .bind(to_unix_ms)
            .bind(camera.as_str())
            .bind(stream)
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("closing a gap"))?;
        }
        tx.commit_unledgered().await?;
        Ok(from)
    }

    /// The gaps of a camera overlapping `[from, to)`: (stream, from, to or `None` if still
    /// open, reason).
    pub async fn gaps(
        &self,
        camera: &Ident,
        from_unix_ms: i64,
        to_unix_ms: i64,
    ) -> StoreResult<Vec<(String, i64, Option<i64>, String)>> {
        let rows = sqlx::query(
            "SELECT stream, from_unix_ms, to_unix_ms, reason FROM recording_gaps WHERE camera_id = $1 \
             AND from_unix_ms < $3 AND (to_unix_ms IS NULL OR to_unix_ms > $2) ORDER BY from_unix_ms",
        )
        .bind(camera.as_str())
        .bind(from_unix_ms)
        .bind(to_unix_ms)
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading gaps"))?;
        rows.iter()
            .map(|r| {
                let get = StoreError::db("reading gaps");
                Ok((
                    r.try_get(0).map_err(&get)?,
                    r.try_get(1).map_err(&get)?,
                    r.try_get(2).map_err(&get)?,
                    r.try_get(3).map_err(&get)?,
                ))
            })
            .collect()
    }
}

fn segment_from_row(r: &sqlx::any::AnyRow) -> StoreResult<Segment> {
    let get = StoreError::db("reading segments");
    let path: String = r.try_get(0).map_err(&get)?;
    let corrupt = |what: String| StoreError::Corrupt(format!("segment {path}: {what}"));
    let camera: String = r.try_get(1).map_err(&get)?;
    let fragments: String = r.try_get(10).map_err(&get)?;
    Ok(Segment {
        camera: Ident::parse(&camera).map_err(|e| corrupt(e.to_string()))?,
        stream: r.try_get(2).map_err(&get)?,
        init_id: r.try_get(3).map_err(&get)?,
        day: r.try_get(4).map_err(&get)?,
        start_unix_ms: r.try_get(5).map_err(&get)?,
        end_unix_ms: r.try_get(6).map_err(&get)?,
        frames: u64::try_from(r.try_get::<i64, _>(7).map_err(&get)?).unwrap_or(0),
        bytes: u64::try_from(r.try_get::<i64, _>(8).map_err(&get)?).unwrap_or(0),
        sha256: r.try_get(9).map_err(&get)?,
        fragments: serde_json::from_str(&fragments).map_err(|e| corrupt(e.to_string()))?,
        recovered: r.try_get::<i64, _>(11).map_err(&get)? == 1,
        path,
    })
}

/// A seal's leaves as kept with it: the segments' hashes in order, comma-separated.
fn leaves_text(hashes: &[Hash]) -> String {
    hashes
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}
