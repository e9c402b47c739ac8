//! The list of installed equipment (BDC-37, BDC-18, migration `0039_equipment`): entries of
//! recorders, monitors, links and other equipment, and the details of the register's
//! cameras the register does not hold (`equipment-entered`), their removal
//! (`equipment-removed`) and corrections (`equipment-corrected`), all in the ledger's
//! `equipment` book; and the list itself, the register's cameras with those entries.
//!
//! Invariants:
//! - The rules are `custos_domain::equipment`'s: an entry without every detail the code
//!   names is refused with every problem at once; a removal is not before the installation
//!   nor in the future; a correction has a reason and leaves the entry whole; a camera has
//!   at most one standing entry of details, for a camera the register has.
//! - Who may write is the pack's `[books.equipment]` keepers, through
//!   `custos_domain::access::book_role`, checked here for every caller (pages, API,
//!   console).
//! - Every change writes its ledger entry in the same transaction; an entry's row is never
//!   rewritten: its removal is filled once, and each correction is a row of its own naming
//!   the detail, its value before and after, and why.
//! - A camera's installation and removal days come from the register (the day it was
//!   added, the day it was retired, both from the camera's row and the ledger) unless its
//!   details entry gives them.

use custos_base::{Actor, UnixMs};
use custos_domain::access::Subject;
use custos_domain::equipment::{
    Correction, CorrectionDraft, Details, Item, Kind, ListRow, RegisteredCamera, Removal,
};
use custos_domain::ledger::{Book, NewEntry, Reference};
use jiff::civil::Date;
use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::store::Store;

fn equipment_ref(reference: &str) -> StoreResult<Reference> {
    Reference::new("equipment", reference).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn camera_ref(id: &str) -> StoreResult<Reference> {
    Reference::new("camera", id).map_err(|e| StoreError::Invalid(e.to_string()))
}

/// The UK day of `unix_ms`.
pub fn uk_day_of(unix_ms: i64) -> StoreResult<Date> {
    UnixMs(unix_ms)
        .to_timestamp()
        .and_then(|t| custos_domain::calendar::uk_day(t).ok())
        .ok_or_else(|| StoreError::Invalid("the date is out of range".to_owned()))
}

fn parse_stored_day(text: &str, reference: &str) -> StoreResult<Date> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("{reference}: {text:?} is not a day")))
}

macro_rules! item_columns {
    () => {
        "SELECT reference, kind, camera_id, make_model, serial_number, location, installed_on, \
         notes, recorded_by_name, recorded_at_unix_ms, removed_on, removal_reason, \
         removed_by_name, removal_recorded_at_unix_ms FROM equipment "
    };
}

impl Store {
    /// Enters `details` in the list of installed equipment, kept by `keeper` (a keeper of
    /// the list) and ledgered as `actor` (`equipment-entered`): refused unless every detail
    /// is there; a camera's details only for a camera of the register without standing
    /// details already.
    pub async fn enter_equipment(
        &self,
        actor: &Actor,
        keeper: &Subject,
        details: &Details,
    ) -> StoreResult<Item> {
        self.book_role(keeper, Book::Equipment, false).await?;
        let now = self.clock().now().0;
        let today = uk_day_of(now)?;
        let mut problems = match custos_domain::equipment::validate(details, today) {
            Ok(()) => Vec::new(),
            Err(p) => p,
        };
        if details.removed_on.is_some() {
            problems.push(
                "enter the equipment as installed, then record its removal as a step of its own"
                    .to_owned(),
            );
        }
        let camera = match (details.kind, details.camera.as_deref().map(str::trim)) {
            (Kind::Camera, Some(c)) if !c.is_empty() => {
                let known = match custos_domain::Ident::parse(c) {
                    Ok(id) => self.camera(&id).await?,
                    Err(_) => None,
                };
                match known {
                    None => problems.push(format!(
                        "there is no camera {c} in the register; `custos camera list` shows it"
                    )),
                    Some(_) => {
                        if let Some(standing) = self
                            .equipment_items()
                            .await?
                            .into_iter()
                            .find(|i| i.recorded.camera.as_deref() == Some(c) && i.installed())
                        {
                            problems.push(format!(
                                "camera {c}'s details are entered already as {}: correct them there, or record its removal first",
                                standing.reference
                            ));
                        }
                    }
                }
                Some(c.to_owned())
            }
            (Kind::Camera, _) => None,
            (_, Some(c)) if !c.is_empty() => {
                problems.push(
                    "only a camera's details name a camera; choose the kind “camera”".to_owned(),
                );
                None
            }
            _ => None,
        };
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems.join("; ")));
        }
        let installed = details
            .installed_on
            .ok_or_else(|| StoreError::Invalid("give the day it was installed".to_owned()))?;
        let name = self.name_of(&keeper.username).await?;
        let mut tx = self.write().await?;
        let reference =
            crate::cases::next_numbered(&mut tx, custos_domain::equipment::PREFIX, now).await?;
        sqlx::query(
            "INSERT INTO equipment (reference, kind, camera_id, make_model, serial_number, \
             location, installed_on, notes, recorded_by, recorded_by_name, recorded_at_unix_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&reference)
        .bind(details.kind.as_str())
        .bind(camera.as_deref())
        .bind(details.make_model.trim())
        .bind(details.serial_number.trim())
        .bind(details.location.trim())
        .bind(installed.to_string())
        .bind(details.notes.trim())
        .bind(&keeper.username)
        .bind(&name)
        .bind(now)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("entering equipment"))?;
        let mut entry = NewEntry::new(Book::Equipment, "equipment-entered")
            .with_ref(equipment_ref(&reference)?)
            .with("kind", details.kind.as_str())
            .with("make_model", details.make_model.trim())
            .with("serial_number", details.serial_number.trim())
            .with("installed_on", installed.to_string());
        if !details.location.trim().is_empty() {
            entry = entry.with("location", details.location.trim());
        }
        if !details.notes.trim().is_empty() {
            entry = entry.with("notes", details.notes.trim());
        }
        if let Some(c) = &camera {
            entry = entry.with_ref(camera_ref(c)?);
        }
        tx.record(actor, entry);
        tx.commit().await?;
        self.require_equipment(&reference).await
    }

    /// Records the removal of equipment `reference` on UK day `removed_on`, with `reason`,
    /// by `keeper` (`equipment-removed`): a new entry; the entry as made stays.
    pub async fn record_equipment_removed(
        &self,
        actor: &Actor,
        keeper: &Subject,
        reference: &str,
        removed_on: Date,
        reason: &str,
    ) -> StoreResult<Item> {
        self.book_role(keeper, Book::Equipment, false).await?;
        let item = self.require_equipment(reference).await?;
        let now = self.clock().now().0;
        custos_domain::equipment::check_removal(
            &item.current(),
            removed_on,
            reason,
            uk_day_of(now)?,
        )
        .map_err(|p| StoreError::Invalid(p.join("; ")))?;
        let name = self.name_of(&keeper.username).await?;
        let mut tx = self.write().await?;
        let changed = sqlx::query(
            "UPDATE equipment SET removed_on = $1, removal_reason = $2, removed_by_name = $3, \
             removal_recorded_at_unix_ms = $4 WHERE reference = $5 AND removed_on IS NULL",
        )
        .bind(removed_on.to_string())
        .bind(reason.trim())
        .bind(&name)
        .bind(now)
        .bind(&item.reference)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording the removal of equipment"))?;
        if changed.rows_affected() != 1 {
            return Err(StoreError::Invalid(format!(
                "the removal of {} has just been recorded",
                item.reference
            )));
        }
        let mut entry = NewEntry::new(Book::Equipment, "equipment-removed")
            .with_ref(equipment_ref(&item.reference)?)
            .with("removed_on", removed_on.to_string())
            .with("reason", reason.trim());
        if let Some(c) = &item.recorded.camera {
            entry = entry.with_ref(camera_ref(c)?);
        }
        tx.record(actor, entry);
        tx.commit().await?;
        self.require_equipment(&item.reference).await
    }

    /// Corrects one detail of equipment `reference` by `keeper`: a new entry naming it, the
    /// detail, its value before and after, and why (`equipment-corrected`); the entry as
    /// made stays as it was.
    pub async fn correct_equipment(
        &self,
        actor: &Actor,
        keeper: &Subject,
        reference: &str,
        correction: &CorrectionDraft,
    ) -> StoreResult<Item> {
        self.book_role(keeper, Book::Equipment, false).await?;
        let item = self.require_equipment(reference).await?;
        let now = self.clock().now().0;
        let before = custos_domain::equipment::check_correction(
            &item.current(),
            correction,
            uk_day_of(now)?,
        )
        .map_err(|p| StoreError::Invalid(p.join("; ")))?;
        let after = correction.value.trim().to_owned();
        let name = self.name_of(&keeper.username).await?;
        let number = i64::try_from(item.corrections.len()).unwrap_or(i64::MAX) + 1;
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO equipment_corrections (reference, number, field, before_value, \
             after_value, reason, corrected_by, corrected_by_name, corrected_at_unix_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&item.reference)
        .bind(number)
        .bind(correction.field.as_str())
        .bind(&before)
        .bind(&after)
        .bind(correction.reason.trim())
        .bind(&keeper.username)
        .bind(&name)
        .bind(now)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("correcting an equipment entry"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Equipment, "equipment-corrected")
                .with_ref(equipment_ref(&item.reference)?)
                .with("correction", number)
                .with("field", correction.field.as_str())
                .with("before", before.as_str())
                .with("after", after.as_str())
                .with("reason", correction.reason.trim()),
        );
        tx.commit().await?;
        self.require_equipment(&item.reference).await
    }

    /// Equipment entry `reference`, if there is one.
    pub async fn equipment_item(&self, reference: &str) -> StoreResult<Option<Item>> {
        Ok(self
            .items_where(Some(reference.trim()))
            .await?
            .into_iter()
            .next())
    }

    async fn require_equipment(&self, reference: &str) -> StoreResult<Item> {
        self.equipment_item(reference).await?.ok_or_else(|| {
            StoreError::NotFound(format!(
                "there is no equipment entry {}; the list of installed equipment shows them",
                reference.trim()
            ))
        })
    }

    /// Every equipment entry, in order of reference.
    pub async fn equipment_items(&self) -> StoreResult<Vec<Item>> {
        self.items_where(None).await
    }

    /// The cameras of the register, retired ones too, with the UK days they were
    /// registered and retired, in the register's order.
    pub async fn registered_cameras(&self) -> StoreResult<Vec<RegisteredCamera>> {
        let get = StoreError::db("reading the camera register's dates");
        let rows = sqlx::query(
            "SELECT id, name, location, created_at_unix_ms, retired FROM cameras ORDER BY id",
        )
        .fetch_all(self.pool())
        .await
        .map_err(get)?;
        let retired_rows = sqlx::query(
            "SELECT refs, at_unix_ms FROM ledger_entries \
             WHERE book = 'config' AND kind = 'camera-retired' ORDER BY seq",
        )
        .fetch_all(self.pool())
        .await
        .map_err(get)?;
        let mut retired_at = std::collections::BTreeMap::new();
        for r in &retired_rows {
            let refs: String = r.try_get(0).map_err(get)?;
            let at: i64 = r.try_get(1).map_err(get)?;
            for reference in custos_domain::ledger::parse_refs(&refs) {
                if reference.kind() == "camera" {
                    retired_at.insert(reference.value().to_owned(), at);
                }
            }
        }
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: String = r.try_get(0).map_err(get)?;
            let retired: i64 = r.try_get(4).map_err(get)?;
            let created: i64 = r.try_get(3).map_err(get)?;
            out.push(RegisteredCamera {
                name: r.try_get(1).map_err(get)?,
                location: r.try_get(2).map_err(get)?,
                registered_on: uk_day_of(created).ok(),
                retired_on: if retired != 0 {
                    retired_at.get(&id).and_then(|at| uk_day_of(*at).ok())
                } else {
                    None
                },
                id,
            });
        }
        Ok(out)
    }

    /// The list of installed equipment (BDC-37): the register's cameras with their
    /// details, then every other entry (`custos_domain::equipment::list`).
    pub async fn equipment_list(&self) -> StoreResult<Vec<ListRow>> {
        Ok(custos_domain::equipment::list(
            &self.equipment_items().await?,
            &self.registered_cameras().await?,
        ))
    }

    async fn items_where(&self, reference: Option<&str>) -> StoreResult<Vec<Item>> {
        let get = StoreError::db("reading the list of installed equipment");
        let rows = match reference {
            Some(r) => {
                sqlx::query(concat!(item_columns!(), "WHERE reference = $1"))
                    .bind(r)
                    .fetch_all(self.pool())
                    .await
            }
            None => {
                sqlx::query(concat!(item_columns!(), "ORDER BY reference"))
                    .fetch_all(self.pool())
                    .await
            }
        }
        .map_err(get)?;
        let mut items = Vec::with_capacity(rows.len());
        for r in &rows {
            let reference: String = r.try_get(0).map_err(get)?;
            let kind: String = r.try_get(1).map_err(get)?;
            let installed: String = r.try_get(6).map_err(get)?;
            let removal = match (
                r.try_get::<Option<String>, _>(10).map_err(get)?,
                r.try_get::<Option<String>, _>(11).map_err(get)?,
                r.try_get::<Option<String>, _>(12).map_err(get)?,
                r.try_get::<Option<i64>, _>(13).map_err(get)?,
            ) {
                (Some(on), Some(reason), Some(by), Some(at)) => Some(Removal {
                    on: parse_stored_day(&on, &reference)?,
                    reason,
                    by,
                    at_unix_ms: at,
                }),
                _ => None,
            };
            items.push(Item {
                recorded: Details {
                    kind: kind.parse().map_err(|e: String| {
                        StoreError::Corrupt(format!("equipment {reference}: {e}"))
                    })?,
                    camera: r.try_get(2).map_err(get)?,
                    make_model: r.try_get(3).map_err(get)?,
                    serial_number: r.try_get(4).map_err(get)?,
                    location: r.try_get(5).map_err(get)?,
                    installed_on: Some(parse_stored_day(&installed, &reference)?),
                    removed_on: None,
                    notes: r.try_get(7).map_err(get)?,
                },
                recorded_by_name: r.try_get(8).map_err(get)?,
                recorded_at_unix_ms: r.try_get(9).map_err(get)?,
                removal,
                corrections: Vec::new(),
                reference,
            });
        }
        if items.is_empty() {
            return Ok(items);
        }
        let rows = match reference {
            Some(r) => {
                sqlx::query(
                    "SELECT reference, field, before_value, after_value, reason, \
                     corrected_by_name, corrected_at_unix_ms FROM equipment_corrections \
                     WHERE reference = $1 ORDER BY reference, number",
                )
                .bind(r)
                .fetch_all(self.pool())
                .await
            }
            None => {
                sqlx::query(
                    "SELECT reference, field, before_value, after_value, reason, \
                     corrected_by_name, corrected_at_unix_ms FROM equipment_corrections \
                     ORDER BY reference, number",
                )
                .fetch_all(self.pool())
                .await
            }
        }
        .map_err(get)?;
        for r in &rows {
            let reference: String = r.try_get(0).map_err(get)?;
            let field: String = r.try_get(1).map_err(get)?;
            let c = Correction {
                field: field.parse().map_err(|e: String| {
                    StoreError::Corrupt(format!("equipment {reference}: {e}"))
                })?,
                before: r.try_get(2).map_err(get)?,
                after: r.try_get(3).map_err(get)?,
                reason: r.try_get(4).map_err(get)?,
                by: r.try_get(5).map_err(get)?,
                at_unix_ms: r.try_get(6).map_err(get)?,
            };
            if let Some(i) = items.iter_mut().find(|i| i.reference == reference) {
                i.corrections.push(c);
            }
        }
        Ok(items)
    }
}
