//! Body-worn cameras (LBU-24): the device register and the issue and returns log.
//!
//! Invariants:
//! - Only a person whose role keeps the log under the pack's `[books.bwv]`
//!   (`access::book_role`) writes in it; the store asks whoever calls (page, API, console).
//! - A device is issued only while it is in the register, not retired and not out; an
//!   issue is recorded only with the officer's acknowledgement of `bodyworn::ACKNOWLEDGEMENT`
//!   (its SHA-256 kept with the name they typed); a return is recorded once.
//! - Every change writes its ledger entry (book `bwv`, with the `bwv-device:ID` reference
//!   and, for issues, `bwv:REF`) in the same transaction.

use custos_base::{Actor, UnixMs};
use custos_domain::Ident;
use custos_domain::access::Subject;
use custos_domain::bodyworn::{
    self, ACKNOWLEDGEMENT, Assignment, Device, DeviceDraft, Issue, IssueDraft,
};
use custos_domain::ledger::{Book, NewEntry, Reference, to_hex};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::store::Store;

fn device_ref(id: &str) -> StoreResult<Reference> {
    Reference::new("bwv-device", id).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn issue_ref(reference: &str) -> StoreResult<Reference> {
    Reference::new("bwv", reference).map_err(|e| StoreError::Invalid(e.to_string()))
}

macro_rules! issue_columns {
    () => {
        "SELECT reference, device_id, officer, assignment, issued_at_unix_ms, issued_by_name, \
         typed_name, returned_at_unix_ms, returned_to_name FROM bwv_issues "
    };
}

impl Store {
    /// Registers a body-worn camera (ledgered `bwv-device-registered`), by a keeper of the
    /// log; refused with every problem at once, or for an id already registered.
    pub async fn register_bwv_device(
        &self,
        actor: &Actor,
        keeper: &Subject,
        draft: &DeviceDraft,
    ) -> StoreResult<Device> {
        self.book_role(keeper, Book::Bwv, false).await?;
        bodyworn::validate_device(draft).map_err(|p| StoreError::Invalid(p.join("; ")))?;
        if self.bwv_device(&draft.id).await?.is_some() {
            return Err(StoreError::Invalid(format!(
                "there is a device {} in the register already; give the new one another id",
                draft.id
            )));
        }
        let now = self.clock().now().0;
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO bwv_devices (id, serial, model, owner, registered_at_unix_ms, \
             registered_by) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(draft.id.as_str())
        .bind(draft.serial.trim())
        .bind(draft.model.trim())
        .bind(draft.owner.trim())
        .bind(now)
        .bind(actor.to_string())
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("registering a body-worn camera"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Bwv, "bwv-device-registered")
                .with_ref(device_ref(draft.id.as_str())?)
                .with("serial", draft.serial.trim())
                .with("model", draft.model.trim())
                .with("owner", draft.owner.trim()),
        );
        tx.commit().await?;
        self.bwv_device(&draft.id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("the device just registered is gone".into()))
    }

    /// Retires a device from use (ledgered `bwv-device-retired`); refused while it is out.
    pub async fn retire_bwv_device(
        &self,
        actor: &Actor,
        keeper: &Subject,
        id: &Ident,
    ) -> StoreResult<Device> {
        self.book_role(keeper, Book::Bwv, false).await?;
        let d = self.require_bwv_device(id).await?;
        if d.retired_at_unix_ms.is_some() {
            return Err(StoreError::Invalid(format!(
                "device {id} is retired already"
            )));
        }
        if let Some(open) = self.bwv_open_issue(id).await? {
            return Err(StoreError::Invalid(format!(
                "device {id} is out ({}): record its return first",
                open.reference
            )));
        }
        let now = self.clock().now().0;
        let mut tx = self.write().await?;
        sqlx::query("UPDATE bwv_devices SET retired_at_unix_ms = $1 WHERE id = $2")
            .bind(now)
            .bind(id.as_str())
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("retiring a body-worn camera"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Bwv, "bwv-device-retired").with_ref(device_ref(id.as_str())?),
        );
        tx.commit().await?;
        self.require_bwv_device(id).await
    }

    /// Issues a device to an officer (ledgered `bwv-issued`), by a keeper of the log.
    pub async fn issue_bwv(
        &self,
        actor: &Actor,
        keeper: &Subject,
        draft: &IssueDraft,
    ) -> StoreResult<Issue> {
        self.book_role(keeper, Book::Bwv, false).await?;
        let now = self.clock().now().0;
        let mut problems = bodyworn::validate_issue(draft, now)
            .err()
            .unwrap_or_default();
        match self.bwv_device(&draft.device).await? {
            None => problems.push(format!(
                "there is no body-worn camera {} in the register",
                draft.device
            )),
            Some(d) if d.retired_at_unix_ms.is_some() => {
                problems.push(format!("device {} is retired", draft.device));
            }
            Some(_) => {
                if let Some(open) = self.bwv_open_issue(&draft.device).await? {
                    problems.push(format!(
                        "device {} is out to {} ({}): record its return first",
                        draft.device, open.draft.officer, open.reference
                    ));
                }
            }
        }
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems.join("; ")));
        }
        let name = self.name_of(&keeper.username).await?;
        let ack_sha = to_hex(&Sha256::digest(ACKNOWLEDGEMENT.as_bytes()));
        let mut tx = self.write().await?;
        let reference =
            crate::cases::next_numbered(&mut tx, bodyworn::PREFIX, draft.issued_at_unix_ms).await?;
        sqlx::query(
            "INSERT INTO bwv_issues (reference, device_id, officer, assignment, \
             issued_at_unix_ms, issued_by, issued_by_name, acknowledgement_sha256, typed_name) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&reference)
        .bind(draft.device.as_str())
        .bind(draft.officer.trim())
        .bind(draft.assignment.as_str())
        .bind(draft.issued_at_unix_ms)
        .bind(&keeper.username)
        .bind(&name)
        .bind(&ack_sha)
        .bind(draft.typed_name.trim())
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("issuing a body-worn camera"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Bwv, "bwv-issued")
                .with_ref(issue_ref(&reference)?)
                .with_ref(device_ref(draft.device.as_str())?)
                .with("officer", draft.officer.trim())
                .with("assignment", draft.assignment.as_str())
                .with("issued_at", UnixMs(draft.issued_at_unix_ms).to_rfc3339())
                .with("acknowledgement_sha256", ack_sha.as_str()),
        );
        tx.commit().await?;
        self.require_bwv_issue(&reference).await
    }

    /// Records issue `reference`'s device returned at `at_unix_ms` (now when `None`),
    /// taken back by `keeper` (ledgered `bwv-returned`).
    pub async fn return_bwv(
        &self,
        actor: &Actor,
        keeper: &Subject,
        reference: &str,
        at_unix_ms: Option<i64>,
    ) -> StoreResult<Issue> {
        self.book_role(keeper, Book::Bwv, false).await?;
        let issue = self.require_bwv_issue(reference).await?;
        let now = self.clock().now().0;
        let at = at_unix_ms.unwrap_or(now);
        bodyworn::check_return(&issue, at, now).map_err(StoreError::Invalid)?;
        let name = self.name_of(&keeper.username).await?;
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE bwv_issues SET returned_at_unix_ms = $1, returned_to_name = $2 \
             WHERE reference = $3 AND returned_at_unix_ms IS NULL",
        )
        .bind(at)
        .bind(&name)
        .bind(&issue.reference)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording a body-worn camera returned"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Bwv, "bwv-returned")
                .with_ref(issue_ref(&issue.reference)?)
                .with_ref(device_ref(issue.draft.device.as_str())?)
                .with("returned_at", UnixMs(at).to_rfc3339())
                .with("late", issue.due_back().is_some_and(|due| at > due)),
        );
        tx.commit().await?;
        self.require_bwv_issue(&issue.reference).await
    }

    /// Every device in the register, by id.
    pub async fn bwv_devices(&self) -> StoreResult<Vec<Device>> {
        let get = StoreError::db("reading the body-worn camera register");
        let rows = sqlx::query(
            "SELECT id, serial, model, owner, registered_at_unix_ms, retired_at_unix_ms \
             FROM bwv_devices ORDER BY id",
        )
        .fetch_all(self.pool())
        .await
        .map_err(&get)?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get(0).map_err(&get)?;
                Ok(Device {
                    draft: DeviceDraft {
                        id: Ident::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                        serial: r.try_get(1).map_err(&get)?,
                        model: r.try_get(2).map_err(&get)?,
                        owner: r.try_get(3).map_err(&get)?,
                    },
                    registered_at_unix_ms: r.try_get(4).map_err(&get)?,
                    retired_at_unix_ms: r.try_get(5).map_err(&get)?,
                })
            })
            .collect()
    }

    /// Device `id`, if registered.
    pub async fn bwv_device(&self, id: &Ident) -> StoreResult<Option<Device>> {
        Ok(self
            .bwv_devices()
            .await?
            .into_iter()
            .find(|d| d.draft.id == *id))
    }

    async fn require_bwv_device(&self, id: &Ident) -> StoreResult<Device> {
        self.bwv_device(id).await?.ok_or_else(|| {
            StoreError::NotFound(format!("there is no body-worn camera {id} in the register"))
        })
    }

    /// The issue of device `id` still out, if any.
    pub async fn bwv_open_issue(&self, id: &Ident) -> StoreResult<Option<Issue>> {
        Ok(self
            .bwv_issues_where(Filter::OpenOf(id.as_str()))
            .await?
            .into_iter()
            .next())
    }

    /// Every issue, newest first.
    pub async fn bwv_issues(&self) -> StoreResult<Vec<Issue>> {
        let mut all = self.bwv_issues_where(Filter::All).await?;
        all.reverse();
        Ok(all)
    }

    /// Issue `reference`, if there is one.
    pub async fn bwv_issue(&self, reference: &str) -> StoreResult<Option<Issue>> {
        Ok(self
            .bwv_issues_where(Filter::Reference(&reference.trim().to_ascii_uppercase()))
            .await?
            .into_iter()
            .next())
    }

    async fn require_bwv_issue(&self, reference: &str) -> StoreResult<Issue> {
        self.bwv_issue(reference).await?.ok_or_else(|| {
            StoreError::NotFound(format!(
                "there is no issue {}; references look like BWV-2026-0001",
                reference.trim()
            ))
        })
    }

    async fn bwv_issues_where(&self, filter: Filter<'_>) -> StoreResult<Vec<Issue>> {
        let get = StoreError::db("reading the body-worn camera issue log");
        let (sql, value) = match filter {
            Filter::All => (
                concat!(issue_columns!(), "ORDER BY issued_at_unix_ms, reference"),
                None,
            ),
            Filter::Reference(r) => (concat!(issue_columns!(), "WHERE reference = $1"), Some(r)),
            Filter::OpenOf(d) => (
                concat!(
                    issue_columns!(),
                    "WHERE device_id = $1 AND returned_at_unix_ms IS NULL"
                ),
                Some(d),
            ),
            Filter::Out => (
                concat!(
                    issue_columns!(),
                    "WHERE returned_at_unix_ms IS NULL ORDER BY issued_at_unix_ms, reference"
                ),
                None,
            ),
        };
        let mut q = sqlx::query(sql);
        if let Some(v) = value {
            q = q.bind(v.to_owned());
        }
        let rows = q.fetch_all(self.pool()).await.map_err(&get)?;
        rows.iter()
            .map(|r| {
                let device: String = r.try_get(1).map_err(&get)?;
                let assignment: String = r.try_get(3).map_err(&get)?;
                Ok(Issue {
                    reference: r.try_get(0).map_err(&get)?,
                    draft: IssueDraft {
                        device: Ident::parse(&device)
                            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                        officer: r.try_get(2).map_err(&get)?,
                        assignment: assignment
                            .parse::<Assignment>()
                            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                        issued_at_unix_ms: r.try_get(4).map_err(&get)?,
                        acknowledged: true,
                        typed_name: r.try_get(6).map_err(&get)?,
                    },
                    issued_by: r.try_get(5).map_err(&get)?,
                    returned_at_unix_ms: r.try_get(7).map_err(&get)?,
                    returned_to: r.try_get(8).map_err(&get)?,
                })
            })
            .collect()
    }

    /// The devices out now, oldest issue first.
    pub async fn bwv_out(&self) -> StoreResult<Vec<Issue>> {
        self.bwv_issues_where(Filter::Out).await
    }
}

/// Which issues a query reads.
#[derive(Debug, Clone, Copy)]
enum Filter<'a> {
    /// Every one, oldest first.
    All,
    /// The one with this reference.
    Reference(&'a str),
    /// The open one of this device.
    OpenOf(&'a str),
    /// Every open one.
    Out,
}
