//! The camera register (LJM-1, LJM-3, BDC-9, ALT-16): what each camera is, where, what it
//! is for, how it is recorded and how Custos reaches it.
//!
//! Invariants:
//! - A camera is checked against the active policy pack before it is stored
//!   ([`CameraDraft::problems`]): purposes that allow its recording mode, retention within
//!   the scheme's maximum; its camera groups exist and are on its site.
//! - Sound is off unless someone turns it on with an approval reason (LJM-3), which is
//!   ledgered with the change.
//! - Credentials in an RTSP address are split out and stored only sealed with the master
//!   key; addresses are stored, shown and ledgered without them.
//! - Cameras are retired, never deleted; every change is one ledger entry in book `config`
//!   in the same transaction (`camera-added`, `camera-changed` with each field's before and
//!   after, `camera-retired`).

use custos_base::Actor;
use custos_domain::camera::{CameraDraft, RtspAddress, Transport};
use custos_domain::ledger::{Book, NewEntry, Reference};
use custos_domain::{CameraKind, Ident, RecordingMode};
use serde_json::{Value, json};
use sqlx::Row;

use crate::error::{StoreError, StoreResult, required_reason};
use crate::store::{Store, WriteTx};

/// A camera as registered, or as it is to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Camera {
    /// Its id (kebab case), e.g. `front-gate`.
    pub id: Ident,
    /// What the pack checks.
    pub draft: CameraDraft,
    /// The camera groups it is in.
    pub groups: Vec<Ident>,
    /// The main stream's address, without credentials.
    pub main_url: String,
    /// An H.264 substream's address for browser live view, without credentials.
    pub sub_url: Option<String>,
    /// How RTP travels.
    pub transport: Transport,
    /// Whether credentials are stored for it.
    pub has_credentials: bool,
    /// Why sound was approved, when it is on.
    pub audio_reason: Option<String>,
    /// Whether it is retired.
    pub retired: bool,
}

/// The credentials to reach a camera.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// User name.
    pub username: String,
    /// Password (may be empty).
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}, ***)", self.username)
    }
}

/// What a person asks to register or change: the camera, its addresses as typed (which may
/// hold credentials) and, when turning sound on, why.
#[derive(Debug, Clone)]
pub struct CameraRequest {
    /// Id, pack-checked fields, groups and transport.
    pub id: Ident,
    /// What the pack checks.
    pub draft: CameraDraft,
    /// Camera groups.
    pub groups: Vec<Ident>,
    /// The main stream's address as given.
    pub main: RtspAddress,
    /// The substream's address as given.
    pub sub: Option<RtspAddress>,
    /// How RTP travels.
    pub transport: Transport,
    /// Why sound is approved (needed when it is turned on, LJM-3).
    pub audio_reason: Option<String>,
}

fn camera_ref(id: &Ident) -> StoreResult<Reference> {
    Reference::new("camera", id.as_str()).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn credentials_context(id: &Ident) -> String {
    format!("custos camera credentials v1:{id}")
}

fn join<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The fields shown in the ledger, without secrets.
fn fields(c: &Camera) -> serde_json::Map<String, Value> {
    let d = &c.draft;
    let v = json!({
        "name": d.name,
        "site": d.site.as_str(),
        "location": d.location,
        "area": d.area,
        "kind": d.kind.as_str(),
        "mode": d.mode.as_str(),
        "purposes": join(&d.purposes),
        "groups": join(&c.groups),
        "main_url": c.main_url,
        "sub_url": c.sub_url,
        "transport": c.transport.as_str(),
        "credentials": if c.has_credentials { "stored encrypted" } else { "none" },
        "audio": d.audio,
        "retention_days": d.retention_days,
        "dpia_ref": d.dpia_ref,
        "operational_requirement": d.operational_requirement,
        "priority": d.priority.get(),
    });
    match v {
        Value::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

impl Store {
    async fn check_camera(&self, req: &CameraRequest, was_audio: bool) -> StoreResult<Camera> {
        let Some(policy) = self.active_policy().await? else {
            return Err(StoreError::Invalid(
                "load the scheme's policy pack first (`custos policy load FILE`): cameras are checked against its purposes".to_owned(),
            ));
        };
        let mut problems = req.draft.problems(&policy.pack);
        for g in &req.groups {
            match self.camera_group(g).await? {
                None => problems.push(format!(
                    "there is no camera group {g}; add it with `custos group add` first"
                )),
                Some(group) if group.site != req.draft.site => problems.push(format!(
                    "camera group {g} is on site {}, not {}",
                    group.site, req.draft.site
                )),
                Some(_) => {}
            }
        }
        let reason = req
            .audio_reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        if req.draft.audio && !was_audio && reason.is_none() {
            problems.push(
                "sound is recorded only with an approval: give the reason it is needed, e.g. --audio-reason \"approved by the DPO after the DPIA review of 2026-11-02\"".to_owned(),
            );
        }
        if let (Some(m), Some(s)) = (
            &req.main.username,
            &req.sub.as_ref().and_then(|s| s.username.clone()),
        ) && m != s
        {
            problems.push(
                "the main stream and the substream name different users; Custos keeps one set of credentials per camera".to_owned(),
            );
        }
        if !problems.is_empty() {
            return Err(StoreError::Invalid(format!(
                "camera {} cannot be registered as given:\n- {}",
                req.id,
                problems.join("\n- ")
            )));
        }
        let mut groups = req.groups.clone();
        groups.sort();
        groups.dedup();
        Ok(Camera {
            id: req.id.clone(),
            draft: req.draft.clone(),
            groups,
            main_url: req.main.url.clone(),
            sub_url: req.sub.as_ref().map(|s| s.url.clone()),
            transport: req.transport,
            has_credentials: false,
            audio_reason: if req.draft.audio {
                reason.map(str::to_owned)
            } else {
                None
            },
            retired: false,
        })
    }

    /// The credentials in a request, sealed for `id`, or `None` when it has none.
    fn seal_credentials(&self, req: &CameraRequest) -> StoreResult<Option<String>> {
        let from = |a: &RtspAddress| {
            a.username.clone().map(|u| Credentials {
                username: u,
                password: a.password.clone().unwrap_or_default(),
            })
        };
        let Some(c) = from(&req.main).or_else(|| req.sub.as_ref().and_then(from)) else {
            return Ok(None);
        };
        let plain = json!({"username": c.username, "password": c.password}).to_string();
        self.master_key()?
            .seal(&credentials_context(&req.id), plain.as_bytes())
            .map(Some)
    }

    /// Registers a camera.
    pub async fn add_camera(&self, actor: &Actor, req: &CameraRequest) -> StoreResult<Camera> {
        if self.camera(&req.id).await?.is_some() {
            return Err(StoreError::Invalid(format!(
                "there is already a camera {}; choose another id, or change it with `custos camera edit`",
                req.id
            )));
        }
        let mut camera = self.check_camera(req, false).await?;
        let sealed = self.seal_credentials(req)?;
        camera.has_credentials = sealed.is_some();
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO cameras (id, name, site, location, area, kind, mode, purposes, main_url, \
             sub_url, transport, credentials_sealed, audio, audio_reason, retention_days, dpia_ref, \
             operational_requirement, created_at_unix_ms, created_by, priority) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
        )
        .bind(camera.id.as_str())
        .bind(&camera.draft.name)
        .bind(camera.draft.site.as_str())
        .bind(&camera.draft.location)
        .bind(&camera.draft.area)
        .bind(camera.draft.kind.as_str())
        .bind(camera.draft.mode.as_str())
        .bind(join(&camera.draft.purposes))
        .bind(&camera.main_url)
        .bind(camera.sub_url.clone())
        .bind(camera.transport.as_str())
        .bind(sealed)
        .bind(i64::from(camera.draft.audio))
        .bind(camera.audio_reason.clone())
        .bind(camera.draft.retention_days.map(i64::from))
        .bind(&camera.draft.dpia_ref)
        .bind(&camera.draft.operational_requirement)
        .bind(self.clock().now().0)
        .bind(actor.to_string())
        .bind(i64::from(camera.draft.priority.get()))
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("adding a camera"))?;
        write_groups(&mut tx, &camera).await?;
        let mut entry =
            NewEntry::new(Book::Config, "camera-added").with_ref(camera_ref(&camera.id)?);
        for (k, v) in fields(&camera) {
            entry = entry.with(&k, v);
        }
        if let Some(r) = &camera.audio_reason {
            entry = entry.with("audio_reason", r.as_str());
        }
        tx.record(actor, entry);
        tx.commit().await?;
        Ok(camera)
    }

    /// Changes a camera to `req`, with the reason; the ledger entry lists each field's
    /// before and after. Credentials are replaced only if the new address holds some.
    pub async fn change_camera(
        &self,
        actor: &Actor,
        req: &CameraRequest,
        reason: &str,
    ) -> StoreResult<Camera> {
        let reason = required_reason(reason, "moved to cover the new entrance")?.to_owned();
        let Some(before) = self.camera(&req.id).await? else {
            return Err(StoreError::NotFound(format!(
                "there is no camera {}; `custos camera list` lists them",
                req.id
            )));
        };
        if before.retired {
            return Err(StoreError::Invalid(format!(
                "camera {} is retired; register a new camera instead",
                req.id
            )));
        }
        let mut after = self.check_camera(req, before.draft.audio).await?;
        if after.draft.audio && before.draft.audio && after.audio_reason.is_none() {
            after.audio_reason = before.audio_reason.clone();
        }
        let sealed = self.seal_credentials(req)?;
        after.has_credentials = sealed.is_some() || before.has_credentials;
        let (b, a) = (fields(&before), fields(&after));
        let changes: serde_json::Map<String, Value> = a
            .iter()
            .filter(|(k, v)| b.get(*k) != Some(v) || (*k == "credentials" && sealed.is_some()))
            .map(|(k, v)| (k.clone(), json!([b.get(k), v])))
            .collect();
        if changes.is_empty() {
            return Err(StoreError::Invalid(format!(
                "that changes nothing about camera {}",
                req.id
            )));
        }
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE cameras SET name = $1, site = $2, location = $3, area = $4, kind = $5, \
             mode = $6, purposes = $7, main_url = $8, sub_url = $9, transport = $10, \
             credentials_sealed = COALESCE($11, credentials_sealed), audio = $12, \
             audio_reason = $13, retention_days = $14, dpia_ref = $15, \
             operational_requirement = $16, priority = $18 WHERE id = $17",
        )
        .bind(&after.draft.name)
        .bind(after.draft.site.as_str())
        .bind(&after.draft.location)
        .bind(&after.draft.area)
        .bind(after.draft.kind.as_str())
        .bind(after.draft.mode.as_str())
        .bind(join(&after.draft.purposes))
        .bind(&after.main_url)
        .bind(after.sub_url.clone())
        .bind(after.transport.as_str())
        .bind(sealed)
        .bind(i64::from(after.draft.audio))
        .bind(after.audio_reason.clone())
        .bind(after.draft.retention_days.map(i64::from))
        .bind(&after.draft.dpia_ref)
        .bind(&after.draft.operational_requirement)
        .bind(after.id.as_str())
        .bind(i64::from(after.draft.priority.get()))
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("changing a camera"))?;
        sqlx::query("DELETE FROM camera_group_members WHERE camera_id = $1")
            .bind(after.id.as_str())
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("changing a camera's groups"))?;
        write_groups(&mut tx, &after).await?;
        let mut entry = NewEntry::new(Book::Config, "camera-changed")
            .with_ref(camera_ref(&after.id)?)
            .with("changes", Value::Object(changes))
            .with("reason", reason);
        if after.draft.audio
            && !before.draft.audio
            && let Some(r) = &after.audio_reason
        {
            entry = entry.with("audio_reason", r.as_str());
        }
        tx.record(actor, entry);
        tx.commit().await?;
        Ok(after)
    }

    /// Retires a camera: it is no longer recorded or shown for watching, and stays in the
    /// register with its footage and history.
    pub async fn retire_camera(&self, actor: &Actor, id: &Ident, reason: &str) -> StoreResult<()> {
        let reason = required_reason(reason, "removed when the car park was rebuilt")?.to_owned();
        let mut tx = self.write().await?;
        let n = sqlx::query("UPDATE cameras SET retired = 1 WHERE id = $1 AND retired = 0")
            .bind(id.as_str())
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("retiring a camera"))?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!(
                "there is no camera {id} in service; `custos camera list` lists them"
            )));
        }
        tx.record(
            actor,
            NewEntry::new(Book::Config, "camera-retired")
                .with_ref(camera_ref(id)?)
                .with("reason", reason),
        );
        tx.commit().await
    }

    /// Every camera (retired ones too, if asked), by id.
    pub async fn cameras(&self, include_retired: bool) -> StoreResult<Vec<Camera>> {
        let rows = sqlx::query(concat!(
            camera_columns!(),
            " WHERE retired = 0 OR $1 = 1 ORDER BY id"
        ))
        .bind(i64::from(include_retired))
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading cameras"))?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(self.camera_from_row(r).await?);
        }
        Ok(out)
    }

    /// One camera.
    pub async fn camera(&self, id: &Ident) -> StoreResult<Option<Camera>> {
        let row = sqlx::query(concat!(camera_columns!(), " WHERE id = $1"))
            .bind(id.as_str())
            .fetch_optional(self.pool())
            .await
            .map_err(StoreError::db("reading a camera"))?;
        match row {
            Some(r) => Ok(Some(self.camera_from_row(&r).await?)),
            None => Ok(None),
        }
    }

    /// The cameras in a group.
    pub async fn cameras_in_group(&self, group: &Ident) -> StoreResult<Vec<Camera>> {
        let ids = sqlx::query(
            "SELECT camera_id FROM camera_group_members WHERE group_id = $1 ORDER BY camera_id",
        )
        .bind(group.as_str())
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading a group's cameras"))?;
        let mut out = Vec::new();
        for r in ids {
            let id: String = r
                .try_get(0)
                .map_err(StoreError::db("reading a group's cameras"))?;
            let id = Ident::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            if let Some(c) = self.camera(&id).await?
                && !c.retired
            {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// The credentials stored for a camera, opened with the master key.
    pub async fn camera_credentials(&self, id: &Ident) -> StoreResult<Option<Credentials>> {
        let row = sqlx::query("SELECT credentials_sealed FROM cameras WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(self.pool())
            .await
            .map_err(StoreError::db("reading a camera's credentials"))?;
        let Some(sealed) = row
            .map(|r| r.try_get::<Option<String>, _>(0))
            .transpose()
            .map_err(StoreError::db("reading a camera's credentials"))?
            .flatten()
        else {
            return Ok(None);
        };
        let plain = self.master_key()?.open(&credentials_context(id), &sealed)?;
        let v: Value = serde_json::from_slice(&plain)
            .map_err(|e| StoreError::Corrupt(format!("camera {id}'s credentials: {e}")))?;
        Ok(Some(Credentials {
            username: v["username"].as_str().unwrap_or_default().to_owned(),
            password: v["password"].as_str().unwrap_or_default().to_owned(),
        }))
    }

    async fn camera_from_row(&self, r: &sqlx::any::AnyRow) -> StoreResult<Camera> {
        let get = StoreError::db("reading cameras");
        let id: String = r.try_get(0).map_err(get)?;
        let corrupt = |what: String| StoreError::Corrupt(format!("camera {id}: {what}"));
        let ident = |s: &str| Ident::parse(s).map_err(|e| corrupt(e.to_string()));
        let id_ = ident(&id)?;
        let purposes: String = r.try_get(7).map_err(get)?;
        let groups = sqlx::query(
            "SELECT group_id FROM camera_group_members WHERE camera_id = $1 ORDER BY group_id",
        )
        .bind(&id)
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading a camera's groups"))?
        .iter()
        .map(|g| {
            g.try_get::<String, _>(0)
                .map_err(StoreError::db("reading a camera's groups"))
                .and_then(|s| ident(&s))
        })
        .collect::<StoreResult<Vec<_>>>()?;
        let kind: String = r.try_get(5).map_err(get)?;
        let mode: String = r.try_get(6).map_err(get)?;
        let transport: String = r.try_get(10).map_err(get)?;
        let retention: Option<i64> = r.try_get(14).map_err(get)?;
        Ok(Camera {
            draft: CameraDraft {
                name: r.try_get(1).map_err(get)?,
                site: ident(&r.try_get::<String, _>(2).map_err(get)?)?,
                location: r.try_get(3).map_err(get)?,
                area: r.try_get(4).map_err(get)?,
                kind: kind.parse::<CameraKind>().map_err(corrupt)?,
                mode: mode.parse::<RecordingMode>().map_err(corrupt)?,
                purposes: purposes
                    .split_whitespace()
                    .map(ident)
                    .collect::<StoreResult<_>>()?,
                audio: r.try_get::<i64, _>(12).map_err(get)? == 1,
                retention_days: retention
                    .map(u32::try_from)
                    .transpose()
                    .map_err(|e| corrupt(e.to_string()))?,
                dpia_ref: r.try_get(15).map_err(get)?,
                operational_requirement: r.try_get(16).map_err(get)?,
                priority: custos_domain::camera::Priority::new(
                    u8::try_from(r.try_get::<i64, _>(18).map_err(get)?).unwrap_or(0),
                )
                .map_err(corrupt)?,
            },
            id: id_,
            groups,
            main_url: r.try_get(8).map_err(get)?,
            sub_url: r.try_get(9).map_err(get)?,
            transport: transport.parse().map_err(corrupt)?,
            has_credentials: r.try_get::<Option<String>, _>(11).map_err(get)?.is_some(),
            audio_reason: r.try_get(13).map_err(get)?,
            retired: r.try_get::<i64, _>(17).map_err(get)? == 1,
        })
    }
}

macro_rules! camera_columns {
    () => {
        "SELECT id, name, site, location, area, kind, mode, purposes, main_url, sub_url, \
         transport, credentials_sealed, audio, audio_reason, retention_days, dpia_ref, \
         operational_requirement, retired, priority FROM cameras"
    };
}
use camera_columns;

async fn write_groups(tx: &mut WriteTx, camera: &Camera) -> StoreResult<()> {
    for g in &camera.groups {
        sqlx::query("INSERT INTO camera_group_members (camera_id, group_id) VALUES ($1, $2)")
            .bind(camera.id.as_str())
            .bind(g.as_str())
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("placing a camera in a group"))?;
    }
    Ok(())
}

impl Store {
    /// Whether `camera` may be watched live under the active pack: some purpose it serves
    /// allows live viewing (LJM-1, LBU-4, BDC-8); otherwise why not, in words.
    pub async fn live_view_allowed(&self, camera: &Camera) -> StoreResult<Result<(), String>> {
        Ok(match self.active_policy().await? {
            Some(p) => custos_domain::camera::live_view_allowed(&p.pack, &camera.draft.purposes),
            None => Err("no policy pack is loaded".to_owned()),
        })
    }

    /// What an action on `camera` is done to, for `domain::access::decide`: its site, its
    /// groups and their workstation rules.
    pub async fn camera_target(
        &self,
        camera: &Camera,
    ) -> StoreResult<custos_domain::access::Target> {
        let mut workstations = Vec::new();
        for g in &camera.groups {
            if let Some(group) = self.camera_group(g).await?
                && !group.networks.is_empty()
            {
                workstations.push(custos_domain::access::WorkstationRule {
                    group: group.id.clone(),
                    networks: group.networks.clone(),
                });
            }
        }
        Ok(custos_domain::access::Target::Located {
            site: camera.draft.site.clone(),
            groups: camera.groups.clone(),
            workstations,
        })
    }
}
