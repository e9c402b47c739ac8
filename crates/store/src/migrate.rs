//! Numbered, forward-only schema migrations, embedded in the binary.
//!
//! Each backend has its own list (`migrations/sqlite`, `migrations/postgres`) with the same
//! version numbers. The table `custos_schema` records each version applied. Each migration
//! runs in its own transaction together with its `custos_schema` row, so a failed
//! migration leaves the schema at the previous version. A database at a version newer than
//! the newest here is refused, never touched.

use custos_base::Actor;
use custos_domain::ledger::{Book, NewEntry};
use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::store::Store;

/// One schema step.
#[derive(Debug)]
pub struct Migration {
    /// The version the schema has after this step (1, 2, 3, …, no gaps).
    pub version: i64,
    /// A short name for people.
    pub name: &'static str,
    /// The SQL, possibly several statements.
    pub sql: &'static str,
}

macro_rules! migrations {
    ($dir:literal: $($v:literal $prefix:literal $name:literal),+ $(,)?) => {
        &[$(Migration {
            version: $v,
            name: $name,
            sql: include_str!(concat!("../migrations/", $dir, "/", $prefix, "_", $name, ".sql")),
        }),+]
    };
}

/// SQLite migrations.
pub(crate) const SQLITE: &[Migration] = migrations!("sqlite": 1 "0001" "policy_versions", 2 "0002" "ledger", 3 "0003" "users", 4 "0004" "sessions", 5 "0005" "session_lock", 6 "0006" "totp", 7 "0007" "declarations", 8 "0008" "competence", 9 "0009" "absences_and_groups", 10 "0010" "cameras", 11 "0011" "recordings", 12 "0012" "camera_health", 13 "0013" "review_grants", 14 "0014" "retention", 15 "0015" "cases", 16 "0016" "case_footage", 17 "0017" "seal_leaves", 18 "0018" "disclosures", 19 "0019" "sign_in_attempts", 20 "0020" "calendar_feed_generation", 21 "0021" "witness_status", 22 "0022" "provisional_holds", 23 "0023" "downloads", 24 "0024" "interim_seals", 25 "0025" "case_footage_absent", 26 "0026" "request_keys", 27 "0027" "user_email", 28 "0028" "complaints", 29 "0029" "covert_authorisations", 30 "0030" "breaches", 31 "0031" "police_control", 32 "0032" "incidents", 33 "0033" "visitors", 34 "0034" "incident_keeper", 35 "0035" "deployments", 36 "0036" "bodyworn", 37 "0037" "maintenance", 38 "0038" "video_prints", 39 "0039" "equipment");
/// PostgreSQL migrations.
pub(crate) const POSTGRES: &[Migration] = migrations!("postgres": 1 "0001" "policy_versions", 2 "0002" "ledger", 3 "0003" "users", 4 "0004" "sessions", 5 "0005" "session_lock", 6 "0006" "totp", 7 "0007" "declarations", 8 "0008" "competence", 9 "0009" "absences_and_groups", 10 "0010" "cameras", 11 "0011" "recordings", 12 "0012" "camera_health", 13 "0013" "review_grants", 14 "0014" "retention", 15 "0015" "cases", 16 "0016" "case_footage", 17 "0017" "seal_leaves", 18 "0018" "disclosures", 19 "0019" "sign_in_attempts", 20 "0020" "calendar_feed_generation", 21 "0021" "witness_status", 22 "0022" "provisional_holds", 23 "0023" "downloads", 24 "0024" "interim_seals", 25 "0025" "case_footage_absent", 26 "0026" "request_keys", 27 "0027" "user_email", 28 "0028" "complaints", 29 "0029" "covert_authorisations", 30 "0030" "breaches", 31 "0031" "police_control", 32 "0032" "incidents", 33 "0033" "visitors", 34 "0034" "incident_keeper", 35 "0035" "deployments", 36 "0036" "bodyworn", 37 "0037" "maintenance", 38 "0038" "video_prints", 39 "0039" "equipment");

/// The schema version that creates the ledger.
const LEDGER_SINCE: i64 = 2;

/// Where a database's schema stands relative to this binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaStatus {
    /// The version in the database (0 for an empty database).
    pub database: i64,
    /// The newest version this binary knows.
    pub binary: i64,
}

impl SchemaStatus {
    /// The error for a database at a version other than this binary's, if it is.
    pub fn mismatch(self) -> Option<StoreError> {
        let (database, binary) = (self.database, self.binary);
        match database.cmp(&binary) {
            std::cmp::Ordering::Greater => Some(StoreError::SchemaTooNew { database, binary }),
            std::cmp::Ordering::Less => Some(StoreError::SchemaBehind { database, binary }),
            std::cmp::Ordering::Equal => None,
        }
    }
}

/// What a migration run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    /// The version before.
    pub from: i64,
    /// The version after.
    pub to: i64,
    /// The names of the steps applied, in order.
    pub applied: Vec<String>,
}

const CREATE_SCHEMA_TABLE: &str = "CREATE TABLE IF NOT EXISTS custos_schema (
    version BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at_unix_ms BIGINT NOT NULL
)";

/// The newest schema version this binary knows (the same for both backends).
pub fn latest_version() -> i64 {
    latest(SQLITE)
}

/// The newest schema version of a migration list.
pub(crate) fn latest(list: &[Migration]) -> i64 {
    list.last().map_or(0, |m| m.version)
}

impl Store {
    /// The schema version in the database and the one this binary knows.
    pub async fn schema_status(&self) -> StoreResult<SchemaStatus> {
        sqlx::query(CREATE_SCHEMA_TABLE)
            .execute(self.pool())
            .await
            .map_err(StoreError::db("creating the schema table"))?;
        let row = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM custos_schema")
            .fetch_one(self.pool())
            .await
            .map_err(StoreError::db("reading the schema version"))?;
        let database: i64 = row
            .try_get("v")
            .map_err(StoreError::db("reading the schema version"))?;
        Ok(SchemaStatus {
            database,
            binary: latest(self.backend().migrations()),
        })
    }

    /// Refuses a database whose schema is newer than this binary, or behind it.
    pub async fn require_current_schema(&self) -> StoreResult<()> {
        self.schema_status().await?.mismatch().map_or(Ok(()), Err)
    }

    /// Brings the schema up to this binary's version, one transaction per step. Steps from
    /// the one that creates the ledger onwards are recorded in it (book `system`).
    pub async fn migrate(&self, actor: &Actor) -> StoreResult<MigrationReport> {
        let start = self.schema_status().await?;
        if let Some(e @ StoreError::SchemaTooNew { .. }) = start.mismatch() {
            return Err(e);
        }
        let mut applied = Vec::new();
        let mut current = start.database;
        for m in self.backend().migrations() {
            if m.version <= current {
                continue;
            }
            let mut tx = self.write().await?;
            if let Some(lock) = self.backend().migration_lock() {
                sqlx::query(lock)
                    .execute(tx.conn())
                    .await
                    .map_err(StoreError::db("locking the schema table"))?;
            }
            // Another process may have migrated while this one waited for the lock.
            let row = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM custos_schema")
                .fetch_one(tx.conn())
                .await
                .map_err(StoreError::db("reading the schema version"))?;
            let now_at: i64 = row
                .try_get("v")
                .map_err(StoreError::db("reading the schema version"))?;
            if now_at >= m.version {
                current = now_at;
                tx.rollback().await?;
                continue;
            }
            sqlx::raw_sql(m.sql)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("applying a schema migration"))?;
            sqlx::query(
                "INSERT INTO custos_schema (version, name, applied_at_unix_ms) VALUES ($1, $2, $3)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(self.clock().now().0)
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("recording a schema migration"))?;
            if m.version >= LEDGER_SINCE {
                tx.record(
                    actor,
                    NewEntry::new(Book::System, "schema-migrated")
                        .with("from_version", current)
                        .with("to_version", m.version)
                        .with("step", m.name),
                );
                tx.commit().await?;
            } else {
                tx.commit_unledgered().await?;
            }
            tracing::debug!(
                version = m.version,
                name = m.name,
                "applied schema migration"
            );
            applied.push(format!("{:04} {}", m.version, m.name));
            current = m.version;
        }
        Ok(MigrationReport {
            from: start.database,
            to: current,
            applied,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_have_the_same_numbered_steps_without_gaps() {
        assert_eq!(SQLITE.len(), POSTGRES.len());
        for (i, (s, p)) in SQLITE.iter().zip(POSTGRES).enumerate() {
            assert_eq!(
                s.version,
                i as i64 + 1,
                "versions are 1, 2, 3, … with no gaps"
            );
            assert_eq!((s.version, s.name), (p.version, p.name));
        }
    }
}
