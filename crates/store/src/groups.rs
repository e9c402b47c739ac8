//! Camera groups: named sets of cameras on one site, which roles can be scoped to (ALT-21)
//! and which may be restricted to listed client networks, the registered workstations
//! (LJM-8, LBU-5).
//!
//! Invariants: groups are added and changed, never deleted (roles and the ledger refer to
//! them); every change is ledgered in book `config`, with the reason for a change of
//! workstations; a refusal because of a workstation rule is ledgered in book `access`.

use custos_base::Actor;
use custos_domain::Ident;
use custos_domain::access::{Right, Target, WorkstationRule};
use custos_domain::ledger::{Book, NewEntry, Reference};
use custos_domain::network::{Network, parse_networks};
use sqlx::Row;

use crate::error::{StoreError, StoreResult, required_reason};
use crate::store::Store;

/// A camera group as registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraGroup {
    /// Its id (kebab case).
    pub id: Ident,
    /// The site its cameras are on.
    pub site: Ident,
    /// Its name for people.
    pub name: String,
    /// The client networks it may be watched from; empty for anywhere.
    pub networks: Vec<Network>,
}

impl CameraGroup {
    /// What an action on the whole group is done to, for `domain::access::decide`.
    pub fn target(&self) -> Target {
        Target::Located {
            site: self.site.clone(),
            groups: vec![self.id.clone()],
            workstations: if self.networks.is_empty() {
                Vec::new()
            } else {
                vec![WorkstationRule {
                    group: self.id.clone(),
                    networks: self.networks.clone(),
                }]
            },
        }
    }

    /// The networks, space-separated, or `anywhere`.
    pub fn networks_text(&self) -> String {
        if self.networks.is_empty() {
            "anywhere".to_owned()
        } else {
            join(&self.networks)
        }
    }
}

fn join(networks: &[Network]) -> String {
    networks
        .iter()
        .map(Network::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

fn group_ref(id: &Ident) -> StoreResult<Reference> {
    Reference::new("group", id.as_str()).map_err(|e| StoreError::Invalid(e.to_string()))
}

impl Store {
    /// Registers a camera group on a site, optionally restricted to client networks.
    pub async fn add_camera_group(
        &self,
        actor: &Actor,
        id: &Ident,
        site: &Ident,
        name: &str,
        networks: &[Network],
    ) -> StoreResult<()> {
        let name = name.trim();
        if name.is_empty() || name.chars().any(char::is_control) {
            return Err(StoreError::Invalid(
                "give the group a name people will recognise (e.g. --name \"Main entrance\")"
                    .to_owned(),
            ));
        }
        if self.camera_group(id).await?.is_some() {
            return Err(StoreError::Invalid(format!(
                "there is already a camera group {id}; choose another id, or change its workstations with `custos group workstations`"
            )));
        }
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO camera_groups (id, site, name, networks, created_at_unix_ms, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.as_str())
        .bind(site.as_str())
        .bind(name)
        .bind(join(networks))
        .bind(self.clock().now().0)
        .bind(actor.to_string())
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("adding a camera group"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Config, "camera-group-added")
                .with_ref(group_ref(id)?)
                .with("site", site.as_str())
                .with("name", name)
                .with("workstations", join(networks)),
        );
        tx.commit().await
    }

    /// Sets the client networks a group may be watched from (empty: anywhere), with the
    /// reason (LJM-8).
    pub async fn set_group_workstations(
        &self,
        actor: &Actor,
        id: &Ident,
        networks: &[Network],
        reason: &str,
    ) -> StoreResult<()> {
        let reason = required_reason(reason, "new control-room workstation")?;
        let Some(before) = self.camera_group(id).await? else {
            return Err(StoreError::NotFound(format!(
                "there is no camera group {id}; `custos group list` lists them"
            )));
        };
        let mut tx = self.write().await?;
        sqlx::query("UPDATE camera_groups SET networks = $1 WHERE id = $2")
            .bind(join(networks))
            .bind(id.as_str())
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("changing a camera group"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Config, "workstations-changed")
                .with_ref(group_ref(id)?)
                .with("before", join(&before.networks))
                .with("after", join(networks))
                .with("reason", reason),
        );
        tx.commit().await
    }

    /// Every camera group, by id.
    pub async fn camera_groups(&self) -> StoreResult<Vec<CameraGroup>> {
        let rows = sqlx::query("SELECT id, site, name, networks FROM camera_groups ORDER BY id")
            .fetch_all(self.pool())
            .await
            .map_err(StoreError::db("reading camera groups"))?;
        rows.iter().map(group_from_row).collect()
    }

    /// One camera group.
    pub async fn camera_group(&self, id: &Ident) -> StoreResult<Option<CameraGroup>> {
        let row = sqlx::query("SELECT id, site, name, networks FROM camera_groups WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(self.pool())
            .await
            .map_err(StoreError::db("reading a camera group"))?;
        row.as_ref().map(group_from_row).transpose()
    }

    /// Records that `actor` was refused `right` on `group` because the request came from
    /// outside its registered workstations (LJM-8), in book `access`.
    pub async fn record_workstation_refusal(
        &self,
        actor: &Actor,
        group: &Ident,
        right: Right,
        address: Option<std::net::IpAddr>,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        tx.record(
            actor,
            NewEntry::new(Book::Access, "workstation-refused")
                .with_ref(group_ref(group)?)
                .with("right", right.to_string())
                .with(
                    "address",
                    address.map_or_else(|| "unknown".to_owned(), |a| a.to_string()),
                ),
        );
        tx.commit().await
    }
}

fn group_from_row(r: &sqlx::any::AnyRow) -> StoreResult<CameraGroup> {
    let get = StoreError::db("reading camera groups");
    let id: String = r.try_get(0).map_err(get)?;
    let site: String = r.try_get(1).map_err(get)?;
    let networks: String = r.try_get(3).map_err(get)?;
    let corrupt = |what: String| StoreError::Corrupt(format!("camera group {id}: {what}"));
    Ok(CameraGroup {
        id: Ident::parse(&id).map_err(|e| corrupt(e.to_string()))?,
        site: Ident::parse(&site).map_err(|e| corrupt(e.to_string()))?,
        name: r.try_get(2).map_err(get)?,
        networks: parse_networks(&networks).map_err(corrupt)?,
    })
}
