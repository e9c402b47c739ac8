//! Policy pack versions: every pack loaded into the scheme is kept, numbered, with its
//! source text and SHA-256; exactly one version is active.
//!
//! Invariants: a stored pack validated when it was loaded; loading stores the version and
//! makes it active in one transaction. Reading a version re-validates its source, so a pack
//! that a newer Custos no longer accepts is reported, not silently used (the last source
//! parsed is remembered by its SHA-256, so the active pack is parsed once, not on every
//! request).

use custos_base::Actor;
use custos_domain::PolicyPack;
use custos_domain::ledger::{Book, NewEntry, Reference};
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::{StoreError, StoreResult};
use crate::store::Store;

/// What is recorded about a stored pack version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyVersion {
    /// The scheme's version number for this pack (1, 2, 3, …).
    pub version: i64,
    /// The pack's own id.
    pub pack_id: String,
    /// The scheme name in the pack.
    pub name: String,
    /// SHA-256 of the source text, lower-case hex.
    pub sha256_hex: String,
    /// When it was loaded (UTC, ms since the epoch).
    pub loaded_at_unix_ms: i64,
    /// Who loaded it.
    pub loaded_by: String,
    /// Whether this is the active version.
    pub active: bool,
}

/// A stored pack: its record, source and parsed form.
#[derive(Debug, Clone)]
pub struct StoredPolicy {
    /// The record.
    pub meta: PolicyVersion,
    /// The TOML source exactly as loaded.
    pub source: String,
    /// The parsed pack.
    pub pack: PolicyPack,
}

/// The columns of a policy version, with whether it is active; a macro so that queries
/// can extend it with `concat!` and stay static strings.
macro_rules! select_version {
    () => {
        "SELECT v.version, v.pack_id, v.name, v.sha256_hex, v.loaded_at_unix_ms, \
     v.loaded_by, v.source_toml, \
     CASE WHEN a.version IS NULL THEN 0 ELSE 1 END AS active \
     FROM policy_versions v LEFT JOIN active_policy a ON a.version = v.version"
    };
}

fn meta(row: &AnyRow) -> Result<PolicyVersion, sqlx::Error> {
    Ok(PolicyVersion {
        version: row.try_get("version")?,
        pack_id: row.try_get("pack_id")?,
        name: row.try_get("name")?,
        sha256_hex: row.try_get("sha256_hex")?,
        loaded_at_unix_ms: row.try_get("loaded_at_unix_ms")?,
        loaded_by: row.try_get("loaded_by")?,
        active: row.try_get::<i32, _>("active")? != 0,
    })
}

fn stored(store: &Store, row: &AnyRow) -> StoreResult<StoredPolicy> {
    let meta = meta(row).map_err(StoreError::db("reading a policy version"))?;
    let source: String = row
        .try_get("source_toml")
        .map_err(StoreError::db("reading a policy version"))?;
    let pack = store.parse_policy(&source).map_err(|e| {
        StoreError::Corrupt(format!(
            "policy version {} ({}) no longer validates with this Custos; load a corrected pack with `custos policy load FILE`:\n{}",
            meta.version,
            meta.pack_id,
            e.render(&format!("policy version {}", meta.version))
        ))
    })?;
    Ok(StoredPolicy { meta, source, pack })
}

impl Store {
    /// Validates `source`, stores it as a new version and makes it the active one.
    pub async fn load_policy(&self, actor: &Actor, source: &str) -> StoreResult<PolicyVersion> {
        let pack = PolicyPack::parse(source)?;
        let sha256_hex = hex(&Sha256::digest(source.as_bytes()));
        let now = self.clock().now().0;
        let by = actor.to_string();
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "INSERT INTO policy_versions (pack_id, name, source_toml, sha256_hex, loaded_at_unix_ms, loaded_by) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING version",
        )
        .bind(pack.id.as_str())
        .bind(&pack.name)
        .bind(source)
        .bind(&sha256_hex)
        .bind(now)
        .bind(&by)
        .fetch_one(tx.conn())
        .await
        .map_err(StoreError::db("storing a policy version"))?;
        let version: i64 = row
            .try_get("version")
            .map_err(StoreError::db("storing a policy version"))?;
        sqlx::query(
            "INSERT INTO active_policy (id, version, activated_at_unix_ms, activated_by) VALUES (1, $1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET version = excluded.version, \
             activated_at_unix_ms = excluded.activated_at_unix_ms, activated_by = excluded.activated_by",
        )
        .bind(version)
        .bind(now)
        .bind(&by)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("activating a policy version"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Config, "policy-loaded")
                .with_ref(policy_ref(version))
                .with("version", version)
                .with("pack_id", pack.id.as_str())
                .with("pack_version_label", pack.version_label.clone())
                .with("name", pack.name.as_str())
                .with("sha256", sha256_hex.as_str()),
        );
        tx.commit().await?;
        tracing::info!(version, pack = %pack.id, by = %by, "policy pack loaded and activated");
        Ok(PolicyVersion {
            version,
            pack_id: pack.id.to_string(),
            name: pack.name,
            sha256_hex,
            loaded_at_unix_ms: now,
            loaded_by: by,
            active: true,
        })
    }

    /// The active pack, if one has been loaded.
    pub async fn active_policy(&self) -> StoreResult<Option<StoredPolicy>> {
        let row = sqlx::query(concat!(select_version!(), " WHERE a.id = 1"))
            .fetch_optional(self.pool())
            .await
            .map_err(StoreError::db("reading the active policy"))?;
        row.as_ref().map(|r| stored(self, r)).transpose()
    }

    /// A stored version by number.
    pub async fn policy_version(&self, version: i64) -> StoreResult<StoredPolicy> {
        let row = sqlx::query(concat!(select_version!(), " WHERE v.version = $1"))
            .bind(version)
            .fetch_optional(self.pool())
            .await
            .map_err(StoreError::db("reading a policy version"))?;
        match row {
            Some(row) => stored(self, &row),
            None => Err(StoreError::NotFound(format!(
                "there is no policy version {version}; `custos policy history` lists the versions"
            ))),
        }
    }

    /// Every stored version, oldest first.
    pub async fn policy_history(&self) -> StoreResult<Vec<PolicyVersion>> {
        let rows = sqlx::query(concat!(select_version!(), " ORDER BY v.version"))
            .fetch_all(self.pool())
            .await
            .map_err(StoreError::db("listing policy versions"))?;
        rows.iter()
            .map(|r| meta(r).map_err(StoreError::db("listing policy versions")))
            .collect()
    }
}

fn policy_ref(version: i64) -> Reference {
    // A positive integer is always a valid reference value.
    Reference::new("policy-version", version.to_string()).unwrap_or_else(|e| unreachable!("{e}"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
