//! The faults and maintenance log (LBU-16, BDC-19, ALT-15, SCC-8, BDC-18, migration
//! `0037_maintenance`): each camera's scheduled checks (`check-recorded`), faults people
//! report (`fault-reported`) in the same list as those the recorder opens (`crate::health`),
//! the maintenance contractor called to a fault (`contractor-called`), their response
//! (`contractor-responded`), the fix (`fault-fixed`) and corrections
//! (`maintenance-corrected`), all in the ledger's `maintenance` book; and the queries the
//! Maintenance page asks: each camera's next check, the faults open with the contractor's
//! times, and each camera's availability over a period.
//!
//! Invariants:
//! - The rules are `custos_domain::maintenance`'s: a check gives every item of the
//!   checklist, a failed item says what is wrong, a contractor responds after being called,
//!   nothing is recorded in the future; every problem is reported at once.
//! - Who may write is the pack's `[books.maintenance]`, through
//!   `custos_domain::access::book_role`, checked here for every caller (pages, API,
//!   console).
//! - Every change writes its ledger entry in the same transaction. A check with a failed
//!   item reports a fault on its camera in that transaction too, so a fault found on a
//!   round is never only in the check.
//! - Rows are never rewritten: a fault's contractor call, response and fix are each filled
//!   once (an `UPDATE … WHERE … IS NULL` that must change one row), and a correction is a
//!   row of its own naming the detail, its value before and after, why, and the number of
//!   the ledger entry it corrects.
//! - Availability is read from the segment index (the main stream's footage): the time in a
//!   period covered by segments, over the part of the period the camera was in service and
//!   its footage is still kept; one indexed query per camera.

use custos_base::{Actor, UnixMs};
use custos_domain::Ident;
use custos_domain::access::Subject;
use custos_domain::ledger::{Book, NewEntry, Reference};
use custos_domain::maintenance::{
    Availability, CallDraft, Check, CheckDraft, CheckDue, CheckItem, ContractorCall, Correction,
    CorrectionDraft, Fault, FaultDraft, Field, Fix, ItemResult, Origin,
};
use custos_domain::policy::Maintenance;
use sqlx::Row;

use crate::cases::next_numbered;
use crate::error::{StoreError, StoreResult};
use crate::store::{Store, WriteTx};

const DAY_MS: i64 = 86_400_000;

fn reference(kind: &str, value: &str) -> StoreResult<Reference> {
    Reference::new(kind, value).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn rfc3339(ms: i64) -> String {
    UnixMs(ms).to_rfc3339()
}

fn invalid(problems: Vec<String>) -> StoreError {
    StoreError::Invalid(problems.join("; "))
}

/// Which faults a query reads.
#[derive(Debug, Clone, Copy)]
pub enum FaultFilter<'a> {
    /// The one fault with this reference.
    Reference(&'a str),
    /// Those still open.
    Open,
    /// Those noticed from the first instant (inclusive) to the second (exclusive).
    Between(i64, i64),
}

/// Which checks a query reads.
#[derive(Debug, Clone, Copy)]
enum CheckFilter<'a> {
    /// The one check with this reference.
    Reference(&'a str),
    /// Those made from the first instant (inclusive) to the second (exclusive).
    Between(i64, i64),
}

/// A camera in service, with its next check and its availability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraMaintenance {
    /// The camera.
    pub camera: Ident,
    /// Its name.
    pub name: String,
    /// When it was registered.
    pub in_service_since_unix_ms: i64,
    /// Its next check.
    pub due: CheckDue,
    /// Its availability over the period asked; `None` for a camera not recorded
    /// continuously (live only, on alarm or on demand), whose gaps are not faults.
    pub availability: Option<Availability>,
}

macro_rules! fault_columns {
    () => {
        "SELECT f.reference, f.camera_id, c.name, f.origin, f.opened_at_unix_ms, \
         f.down_since_unix_ms, f.closed_at_unix_ms, f.reason, f.reported_by, f.reported_by_name, \
         f.check_reference, f.contractor, f.contractor_job, f.contractor_called_at_unix_ms, \
         f.contractor_called_by_name, f.responded_at_unix_ms, f.response_note, \
         f.fixed_at_unix_ms, f.work_done, f.fixed_by_contractor, f.fixed_by_name \
         FROM camera_faults f JOIN cameras c ON c.id = f.camera_id "
    };
}

macro_rules! check_columns {
    () => {
        "SELECT k.reference, k.camera_id, c.name, k.checked_at_unix_ms, k.note, k.recorded_by, \
         k.recorded_by_name, k.recorded_at_unix_ms, k.fault_reference \
         FROM maintenance_checks k JOIN cameras c ON c.id = k.camera_id "
    };
}

macro_rules! correction_columns {
    () => {
        "SELECT reference, field, before_value, after_value, reason, corrected_by_name, \
         corrected_at_unix_ms FROM maintenance_corrections "
    };
}

impl Store {
    async fn maintenance_pack(&self) -> StoreResult<custos_domain::PolicyPack> {
        Ok(self
            .active_policy()
            .await?
            .ok_or_else(|| StoreError::Invalid("no policy pack is loaded".to_owned()))?
            .pack)
    }

    /// The pack's `[maintenance]`: how often cameras are checked, the contractor's times.
    pub async fn maintenance_times(&self) -> StoreResult<Maintenance> {
        Ok(self.maintenance_pack().await?.maintenance)
    }

    /// The camera `id`, in service; refused when there is none or it is retired.
    async fn camera_in_service(&self, id: &Ident) -> StoreResult<crate::cameras::Camera> {
        match self.camera(id).await? {
            Some(c) if !c.retired => Ok(c),
            Some(_) => Err(StoreError::Invalid(format!(
                "camera {id} is retired: it is no longer checked"
            ))),
            None => Err(StoreError::NotFound(format!(
                "there is no camera {id}; name a camera of the register"
            ))),
        }
    }

    /// Records a camera's scheduled check by `keeper` (a keeper of the log), ledgered as
    /// `actor` (`check-recorded`): refused unless every item of the checklist has a result
    /// and each failed item says what is wrong. A check with a failed item reports a fault
    /// on the camera in the same transaction (`fault-reported`, naming the check).
    pub async fn record_check(
        &self,
        actor: &Actor,
        keeper: &Subject,
        draft: &CheckDraft,
    ) -> StoreResult<Check> {
        self.book_role(keeper, Book::Maintenance, false).await?;
        self.camera_in_service(&draft.camera).await?;
        let now = self.clock().now().0;
        custos_domain::maintenance::validate_check(draft, now).map_err(invalid)?;
        let name = self.name_of(&keeper.username).await?;
        let mut tx = self.write().await?;
        let check_ref = next_numbered(
            &mut tx,
            custos_domain::maintenance::CHECK_PREFIX,
            draft.checked_at_unix_ms,
        )
        .await?;
        let fault_ref = if draft.passed() {
            None
        } else {
            Some(
                next_numbered(
                    &mut tx,
                    custos_domain::maintenance::FAULT_PREFIX,
                    draft.checked_at_unix_ms,
                )
                .await?,
            )
        };
        sqlx::query(
            "INSERT INTO maintenance_checks (reference, camera_id, checked_at_unix_ms, note, \
             recorded_by, recorded_by_name, recorded_at_unix_ms, fault_reference) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&check_ref)
        .bind(draft.camera.as_str())
        .bind(draft.checked_at_unix_ms)
        .bind(draft.note.trim())
        .bind(&keeper.username)
        .bind(&name)
        .bind(now)
        .bind(fault_ref.as_deref())
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording a check"))?;
        let mut entry = NewEntry::new(Book::Maintenance, "check-recorded")
            .with_ref(reference("check", &check_ref)?)
            .with_ref(reference("camera", draft.camera.as_str())?)
            .with("checked_at", rfc3339(draft.checked_at_unix_ms));
        for item in CheckItem::ALL {
            let Some(r) = draft.result(*item) else {
                continue;
            };
            sqlx::query(
                "INSERT INTO maintenance_check_items (reference, item, passed, note) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(&check_ref)
            .bind(item.as_str())
            .bind(i64::from(r.passed))
            .bind(r.note.trim())
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("recording a check"))?;
            entry = entry.with(&item.as_str().replace('-', "_"), r.value());
        }
        if !draft.note.trim().is_empty() {
            entry = entry.with("note", draft.note.trim());
        }
        if let Some(f) = &fault_ref {
            let failed: Vec<String> = draft
                .failed()
                .iter()
                .map(|r| r.item.as_str().to_owned())
                .collect();
            entry = entry
                .with("failed", failed)
                .with_ref(reference("fault", f)?);
        }
        tx.record(actor, entry);
        if let Some(f) = &fault_ref {
            insert_reported_fault(
                &mut tx,
                actor,
                f,
                &FaultDraft {
                    camera: draft.camera.clone(),
                    noticed_at_unix_ms: draft.checked_at_unix_ms,
                    description: draft.fault_description(),
                },
                keeper,
                &name,
                Some(&check_ref),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        self.require_check(&check_ref).await
    }

    /// Records a fault on a camera reported by `keeper` (`fault-reported`), in the same list
    /// as the faults the recorder opens.
    pub async fn report_fault(
        &self,
        actor: &Actor,
        keeper: &Subject,
        draft: &FaultDraft,
    ) -> StoreResult<Fault> {
        self.book_role(keeper, Book::Maintenance, false).await?;
        self.camera_in_service(&draft.camera).await?;
        let now = self.clock().now().0;
        custos_domain::maintenance::validate_fault(draft, now).map_err(invalid)?;
        let name = self.name_of(&keeper.username).await?;
        let mut tx = self.write().await?;
        let fault_ref = next_numbered(
            &mut tx,
            custos_domain::maintenance::FAULT_PREFIX,
            draft.noticed_at_unix_ms,
        )
        .await?;
        insert_reported_fault(&mut tx, actor, &fault_ref, draft, keeper, &name, None, now).await?;
        tx.commit().await?;
        self.require_fault(&fault_ref).await
    }

    /// Records the maintenance contractor called to open fault `reference` by `keeper`
    /// (`contractor-called`, with when the pack's times make the response and the fix due).
    pub async fn call_contractor(
        &self,
        actor: &Actor,
        keeper: &Subject,
        reference_text: &str,
        call: &CallDraft,
    ) -> StoreResult<Fault> {
        self.book_role(keeper, Book::Maintenance, false).await?;
        let f = self.require_fault(reference_text).await?;
        let now = self.clock().now().0;
        custos_domain::maintenance::check_call(&f, call, now).map_err(invalid)?;
        let m = self.maintenance_times().await?;
        let name = self.name_of(&keeper.username).await?;
        let mut tx = self.write().await?;
        let changed = sqlx::query(
            "UPDATE camera_faults SET contractor = $1, contractor_job = $2, \
             contractor_called_at_unix_ms = $3, contractor_called_by = $4, \
             contractor_called_by_name = $5 \
             WHERE reference = $6 AND contractor_called_at_unix_ms IS NULL \
             AND closed_at_unix_ms IS NULL",
        )
        .bind(call.contractor.trim())
        .bind(call.job_reference.trim())
        .bind(call.called_at_unix_ms)
        .bind(&keeper.username)
        .bind(&name)
        .bind(&f.reference)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording a contractor's call"))?;
        if changed.rows_affected() != 1 {
            return Err(StoreError::Invalid(format!(
                "{} has just been closed or had a contractor called to it",
                f.reference
            )));
        }
        let hour = 3_600_000;
        let mut entry = fault_entry("contractor-called", &f)?
            .with("contractor", call.contractor.trim())
            .with("called_at", rfc3339(call.called_at_unix_ms))
            .with(
                "response_due",
                rfc3339(call.called_at_unix_ms + i64::from(m.contractor_response_hours) * hour),
            )
            .with(
                "fix_due",
                rfc3339(call.called_at_unix_ms + i64::from(m.contractor_fix_hours) * hour),
            );
        if !call.job_reference.trim().is_empty() {
            entry = entry.with("job_reference", call.job_reference.trim());
        }
        tx.record(actor, entry);
        tx.commit().await?;
        self.require_fault(&f.reference).await
    }

    /// Records the contractor's response to fault `reference` at `at_unix_ms` (now when
    /// `None`), with what they said or did, by `keeper` (`contractor-responded`).
    pub async fn record_contractor_response(
        &self,
        actor: &Actor,
        keeper: &Subject,
        reference_text: &str,
        at_unix_ms: Option<i64>,
        note: &str,
    ) -> StoreResult<Fault> {
        self.book_role(keeper, Book::Maintenance, false).await?;
        let f = self.require_fault(reference_text).await?;
        let now = self.clock().now().0;
        let at = at_unix_ms.unwrap_or(now);
        custos_domain::maintenance::check_response(&f, at, now).map_err(StoreError::Invalid)?;
        let m = self.maintenance_times().await?;
        let mut tx = self.write().await?;
        let changed = sqlx::query(
            "UPDATE camera_faults SET responded_at_unix_ms = $1, response_note = $2 \
             WHERE reference = $3 AND responded_at_unix_ms IS NULL \
             AND contractor_called_at_unix_ms IS NOT NULL",
        )
        .bind(at)
        .bind(note.trim())
        .bind(&f.reference)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording a contractor's response"))?;
        if changed.rows_affected() != 1 {
            return Err(StoreError::Invalid(format!(
                "the contractor's response to {} has just been recorded",
                f.reference
            )));
        }
        let mut entry = fault_entry("contractor-responded", &f)?.with("responded_at", rfc3339(at));
        if let Some(c) = &f.current().contractor {
            let due = c.called_at_unix_ms + i64::from(m.contractor_response_hours) * 3_600_000;
            entry = entry
                .with("contractor", c.contractor.as_str())
                .with("late", at > due);
        }
        if !note.trim().is_empty() {
            entry = entry.with("note", note.trim());
        }
        tx.record(actor, entry);
        tx.commit().await?;
        self.require_fault(&f.reference).await
    }

    /// Records fault `reference` fixed at `at_unix_ms` (now when `None`), with the work
    /// done, by the contractor or the scheme's own staff, by `keeper` (`fault-fixed`). An
    /// open fault closes with it.
    pub async fn record_fault_fixed(
        &self,
        actor: &Actor,
        keeper: &Subject,
        reference_text: &str,
        at_unix_ms: Option<i64>,
        work_done: &str,
        by_contractor: bool,
    ) -> StoreResult<Fault> {
        self.book_role(keeper, Book::Maintenance, false).await?;
        let f = self.require_fault(reference_text).await?;
        let now = self.clock().now().0;
        let at = at_unix_ms.unwrap_or(now);
        custos_domain::maintenance::check_fix(&f, at, work_done, now).map_err(invalid)?;
        if by_contractor && f.current().contractor.is_none() {
            return Err(StoreError::Invalid(format!(
                "no contractor has been called to {}: record the call first, or record that the scheme's own staff fixed it",
                f.reference
            )));
        }
        let m = self.maintenance_times().await?;
        let name = self.name_of(&keeper.username).await?;
        let mut tx = self.write().await?;
        let changed = sqlx::query(
            "UPDATE camera_faults SET fixed_at_unix_ms = $1, work_done = $2, \
             fixed_by_contractor = $3, fixed_by = $4, fixed_by_name = $5, \
             closed_at_unix_ms = COALESCE(closed_at_unix_ms, $6) \
             WHERE reference = $7 AND fixed_at_unix_ms IS NULL",
        )
        .bind(at)
        .bind(work_done.trim())
        .bind(i64::from(by_contractor))
        .bind(&keeper.username)
        .bind(&name)
        .bind(now)
        .bind(&f.reference)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording a fix"))?;
        if changed.rows_affected() != 1 {
            return Err(StoreError::Invalid(format!(
                "{} has just been recorded fixed",
                f.reference
            )));
        }
        let mut entry = fault_entry("fault-fixed", &f)?
            .with("fixed_at", rfc3339(at))
            .with("work_done", work_done.trim())
            .with("by_contractor", by_contractor);
        if by_contractor && let Some(c) = &f.current().contractor {
            let due = c.called_at_unix_ms + i64::from(m.contractor_fix_hours) * 3_600_000;
            entry = entry
                .with("contractor", c.contractor.as_str())
                .with("late", at > due);
        }
        tx.record(actor, entry);
        tx.commit().await?;
        self.require_fault(&f.reference).await
    }

    /// Corrects one detail of check `reference` by `keeper`: a new entry naming the check,
    /// the ledger entry it corrects, the detail, its value before and after, and why
    /// (`maintenance-corrected`); the check as recorded stays as it was.
    pub async fn correct_check(
        &self,
        actor: &Actor,
        keeper: &Subject,
        reference_text: &str,
        correction: &CorrectionDraft,
    ) -> StoreResult<Check> {
        self.book_role(keeper, Book::Maintenance, false).await?;
        let c = self.require_check(reference_text).await?;
        if !Field::CHECK.contains(&correction.field) {
            return Err(StoreError::Invalid(format!(
                "{} is a detail of a fault, not of a check; a check's details are {}",
                correction.field.describe().to_lowercase(),
                words(&Field::CHECK)
            )));
        }
        let now = self.clock().now().0;
        let before =
            custos_domain::maintenance::check_check_correction(&c.current(), correction, now)
                .map_err(invalid)?;
        self.write_correction(
            actor,
            keeper,
            "check",
            &c.reference,
            &c.recorded.camera,
            c.corrections.len(),
            &before,
            correction,
        )
        .await?;
        self.require_check(&c.reference).await
    }

    /// Corrects one detail of fault `reference` by `keeper`, as [`Store::correct_check`]
    /// does a check's.
    pub async fn correct_fault(
        &self,
        actor: &Actor,
        keeper: &Subject,
        reference_text: &str,
        correction: &CorrectionDraft,
    ) -> StoreResult<Fault> {
        self.book_role(keeper, Book::Maintenance, false).await?;
        let f = self.require_fault(reference_text).await?;
        if !Field::FAULT.contains(&correction.field) {
            return Err(StoreError::Invalid(format!(
                "{} is a detail of a check, not of a fault; a fault's details are {}",
                correction.field.describe().to_lowercase(),
                words(&Field::FAULT)
            )));
        }
        let now = self.clock().now().0;
        let before = custos_domain::maintenance::check_fault_correction(&f, correction, now)
            .map_err(invalid)?;
        self.write_correction(
            actor,
            keeper,
            "fault",
            &f.reference,
            &f.camera,
            f.corrections.len(),
            &before,
            correction,
        )
        .await?;
        self.require_fault(&f.reference).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn write_correction(
        &self,
        actor: &Actor,
        keeper: &Subject,
        kind: &str,
        reference_text: &str,
        camera: &Ident,
        corrections_so_far: usize,
        before: &str,
        correction: &CorrectionDraft,
    ) -> StoreResult<()> {
        let after = correction.value.trim().to_owned();
        let name = self.name_of(&keeper.username).await?;
        let now = self.clock().now().0;
        let mut tx = self.write().await?;
        let number = i64::try_from(corrections_so_far).unwrap_or(i64::MAX) + 1;
        let corrects = corrected_entry(
            &mut tx,
            &format!("{kind}:{reference_text}"),
            correction.field,
        )
        .await?;
        sqlx::query(
            "INSERT INTO maintenance_corrections (reference, number, field, before_value, \
             after_value, reason, corrected_by, corrected_by_name, corrected_at_unix_ms, \
             corrects_seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(reference_text)
        .bind(number)
        .bind(correction.field.as_str())
        .bind(before)
        .bind(&after)
        .bind(correction.reason.trim())
        .bind(&keeper.username)
        .bind(&name)
        .bind(now)
        .bind(corrects)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("correcting the maintenance log"))?;
        let stored_words = |value: &str| {
            if correction.field.is_time() {
                value.parse::<i64>().map(rfc3339).unwrap_or_default()
            } else {
                value.to_owned()
            }
        };
        let mut entry = NewEntry::new(Book::Maintenance, "maintenance-corrected")
            .with_ref(reference(kind, reference_text)?)
            .with_ref(reference("camera", camera.as_str())?)
            .with("correction", number)
            .with("field", correction.field.as_str())
            .with("before", stored_words(before))
            .with("after", stored_words(&after))
            .with("reason", correction.reason.trim());
        if let Some(seq) = corrects {
            entry = entry.with("corrects", seq);
        }
        tx.record(actor, entry);
        tx.commit().await
    }

    /// Check `reference`, if there is one.
    pub async fn maintenance_check(&self, reference_text: &str) -> StoreResult<Option<Check>> {
        Ok(self
            .checks_where(CheckFilter::Reference(reference_text.trim()))
            .await?
            .into_iter()
            .next())
    }

    async fn require_check(&self, reference_text: &str) -> StoreResult<Check> {
        self.maintenance_check(reference_text)
            .await?
            .ok_or_else(|| {
                StoreError::NotFound(format!("there is no check {}", reference_text.trim()))
            })
    }

    /// The checks made from `from_unix_ms` (inclusive) to `to_unix_ms` (exclusive), either
    /// bound open when `None`, in order of when they were made.
    pub async fn maintenance_checks(
        &self,
        from_unix_ms: Option<i64>,
        to_unix_ms: Option<i64>,
    ) -> StoreResult<Vec<Check>> {
        self.checks_where(CheckFilter::Between(
            from_unix_ms.unwrap_or(i64::MIN),
            to_unix_ms.unwrap_or(i64::MAX),
        ))
        .await
    }

    /// Fault `reference` (reported or found by the recorder), if there is one.
    pub async fn fault(&self, reference_text: &str) -> StoreResult<Option<Fault>> {
        Ok(self
            .faults(FaultFilter::Reference(reference_text.trim()))
            .await?
            .into_iter()
            .next())
    }

    async fn require_fault(&self, reference_text: &str) -> StoreResult<Fault> {
        self.fault(reference_text).await?.ok_or_else(|| {
            StoreError::NotFound(format!("there is no fault {}", reference_text.trim()))
        })
    }

    /// The faults `filter` picks, reported and found by the recorder alike, in order of
    /// when they were noticed.
    pub async fn faults(&self, filter: FaultFilter<'_>) -> StoreResult<Vec<Fault>> {
        let get = StoreError::db("reading the faults");
        let rows = match filter {
            FaultFilter::Reference(r) => {
                sqlx::query(concat!(fault_columns!(), "WHERE f.reference = $1"))
                    .bind(r)
                    .fetch_all(self.pool())
                    .await
            }
            FaultFilter::Open => {
                sqlx::query(concat!(
                    fault_columns!(),
                    "WHERE f.closed_at_unix_ms IS NULL \
                     ORDER BY f.down_since_unix_ms, f.reference"
                ))
                .fetch_all(self.pool())
                .await
            }
            FaultFilter::Between(from, to) => {
                sqlx::query(concat!(
                    fault_columns!(),
                    "WHERE f.down_since_unix_ms >= $1 AND f.down_since_unix_ms < $2 \
                     ORDER BY f.down_since_unix_ms, f.reference"
                ))
                .bind(from)
                .bind(to)
                .fetch_all(self.pool())
                .await
            }
        }
        .map_err(&get)?;
        let mut faults = Vec::with_capacity(rows.len());
        for r in &rows {
            let reference: String = r.try_get(0).map_err(&get)?;
            let camera: String = r.try_get(1).map_err(&get)?;
            let origin: String = r.try_get(3).map_err(&get)?;
            let contractor = match (
                r.try_get::<Option<String>, _>(11).map_err(&get)?,
                r.try_get::<Option<i64>, _>(13).map_err(&get)?,
            ) {
                (Some(name), Some(at)) => Some(ContractorCall {
                    contractor: name,
                    job_reference: r
                        .try_get::<Option<String>, _>(12)
                        .map_err(&get)?
                        .unwrap_or_default(),
                    called_at_unix_ms: at,
                    called_by: r
                        .try_get::<Option<String>, _>(14)
                        .map_err(&get)?
                        .unwrap_or_default(),
                    responded_at_unix_ms: r.try_get(15).map_err(&get)?,
                    response_note: r
                        .try_get::<Option<String>, _>(16)
                        .map_err(&get)?
                        .unwrap_or_default(),
                }),
                _ => None,
            };
            let fix = match r.try_get::<Option<i64>, _>(17).map_err(&get)? {
                Some(at) => Some(Fix {
                    at_unix_ms: at,
                    work_done: r
                        .try_get::<Option<String>, _>(18)
                        .map_err(&get)?
                        .unwrap_or_default(),
                    by_contractor: r.try_get::<Option<i64>, _>(19).map_err(&get)?.unwrap_or(0) != 0,
                    recorded_by: r
                        .try_get::<Option<String>, _>(20)
                        .map_err(&get)?
                        .unwrap_or_default(),
                }),
                None => None,
            };
            faults.push(Fault {
                camera: Ident::parse(&camera).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                camera_name: r.try_get(2).map_err(&get)?,
                origin: origin
                    .parse()
                    .map_err(|e: String| StoreError::Corrupt(format!("fault {reference}: {e}")))?,
                opened_at_unix_ms: r.try_get(4).map_err(&get)?,
                noticed_at_unix_ms: r.try_get(5).map_err(&get)?,
                closed_at_unix_ms: r.try_get(6).map_err(&get)?,
                description: r.try_get(7).map_err(&get)?,
                reported_by: r
                    .try_get::<Option<String>, _>(8)
                    .map_err(&get)?
                    .unwrap_or_default(),
                reported_by_name: r
                    .try_get::<Option<String>, _>(9)
                    .map_err(&get)?
                    .unwrap_or_default(),
                check: r.try_get(10).map_err(&get)?,
                contractor,
                fix,
                corrections: Vec::new(),
                reference,
            });
        }
        if faults.is_empty() {
            return Ok(faults);
        }
        let rows = match filter {
            FaultFilter::Reference(r) => {
                sqlx::query(concat!(
                    correction_columns!(),
                    "WHERE reference = $1 ORDER BY reference, number"
                ))
                .bind(r)
                .fetch_all(self.pool())
                .await
            }
            FaultFilter::Open => {
                sqlx::query(concat!(
                    correction_columns!(),
                    "WHERE reference IN (SELECT reference FROM camera_faults \
                     WHERE closed_at_unix_ms IS NULL) ORDER BY reference, number"
                ))
                .fetch_all(self.pool())
                .await
            }
            FaultFilter::Between(from, to) => {
                sqlx::query(concat!(
                    correction_columns!(),
                    "WHERE reference IN (SELECT reference FROM camera_faults \
                     WHERE down_since_unix_ms >= $1 AND down_since_unix_ms < $2) \
                     ORDER BY reference, number"
                ))
                .bind(from)
                .bind(to)
                .fetch_all(self.pool())
                .await
            }
        }
        .map_err(&get)?;
        for (reference_text, c) in read_corrections(&rows)? {
            if let Some(f) = faults.iter_mut().find(|f| f.reference == reference_text) {
                f.corrections.push(c);
            }
        }
        Ok(faults)
    }

    async fn checks_where(&self, filter: CheckFilter<'_>) -> StoreResult<Vec<Check>> {
        let get = StoreError::db("reading the checks");
        let rows = match filter {
            CheckFilter::Reference(r) => {
                sqlx::query(concat!(check_columns!(), "WHERE k.reference = $1"))
                    .bind(r)
                    .fetch_all(self.pool())
                    .await
            }
            CheckFilter::Between(from, to) => {
                sqlx::query(concat!(
                    check_columns!(),
                    "WHERE k.checked_at_unix_ms >= $1 AND k.checked_at_unix_ms < $2 \
                     ORDER BY k.checked_at_unix_ms, k.reference"
                ))
                .bind(from)
                .bind(to)
                .fetch_all(self.pool())
                .await
            }
        }
        .map_err(&get)?;
        let mut checks = Vec::with_capacity(rows.len());
        for r in &rows {
            let camera: String = r.try_get(1).map_err(&get)?;
            checks.push(Check {
                reference: r.try_get(0).map_err(&get)?,
                camera_name: r.try_get(2).map_err(&get)?,
                recorded: CheckDraft {
                    camera: Ident::parse(&camera)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    checked_at_unix_ms: r.try_get(3).map_err(&get)?,
                    items: Vec::new(),
                    note: r.try_get(4).map_err(&get)?,
                },
                recorded_by: r.try_get(5).map_err(&get)?,
                recorded_by_name: r.try_get(6).map_err(&get)?,
                recorded_at_unix_ms: r.try_get(7).map_err(&get)?,
                fault: r.try_get(8).map_err(&get)?,
                corrections: Vec::new(),
            });
        }
        if checks.is_empty() {
            return Ok(checks);
        }
        let (items, corrections) = match filter {
            CheckFilter::Reference(r) => (
                sqlx::query(
                    "SELECT reference, item, passed, note FROM maintenance_check_items \
                     WHERE reference = $1",
                )
                .bind(r)
                .fetch_all(self.pool())
                .await,
                sqlx::query(concat!(
                    correction_columns!(),
                    "WHERE reference = $1 ORDER BY reference, number"
                ))
                .bind(r)
                .fetch_all(self.pool())
                .await,
            ),
            CheckFilter::Between(from, to) => (
                sqlx::query(
                    "SELECT i.reference, i.item, i.passed, i.note FROM maintenance_check_items i \
                     JOIN maintenance_checks k ON k.reference = i.reference \
                     WHERE k.checked_at_unix_ms >= $1 AND k.checked_at_unix_ms < $2",
                )
                .bind(from)
                .bind(to)
                .fetch_all(self.pool())
                .await,
                sqlx::query(concat!(
                    correction_columns!(),
                    "WHERE reference IN (SELECT reference FROM maintenance_checks \
                     WHERE checked_at_unix_ms >= $1 AND checked_at_unix_ms < $2) \
                     ORDER BY reference, number"
                ))
                .bind(from)
                .bind(to)
                .fetch_all(self.pool())
                .await,
            ),
        };
        for r in &items.map_err(&get)? {
            let reference_text: String = r.try_get(0).map_err(&get)?;
            let item: String = r.try_get(1).map_err(&get)?;
            let result = ItemResult {
                item: item.parse().map_err(|e: String| {
                    StoreError::Corrupt(format!("check {reference_text}: {e}"))
                })?,
                passed: r.try_get::<i64, _>(2).map_err(&get)? != 0,
                note: r.try_get(3).map_err(&get)?,
            };
            if let Some(c) = checks.iter_mut().find(|c| c.reference == reference_text) {
                c.recorded.items.push(result);
            }
        }
        for c in &mut checks {
            c.recorded.items.sort_by_key(|r| r.item);
        }
        for (reference_text, correction) in read_corrections(&corrections.map_err(&get)?)? {
            if let Some(c) = checks.iter_mut().find(|c| c.reference == reference_text) {
                c.corrections.push(correction);
            }
        }
        Ok(checks)
    }

    /// Every camera in service with its next check under the active pack and, over the
    /// `days` days to now, its availability: the share of the time measured with footage of
    /// its main stream, the time measured starting no earlier than it was registered and
    /// than the oldest footage its retention period keeps.
    pub async fn cameras_maintenance(&self, days: i64) -> StoreResult<Vec<CameraMaintenance>> {
        let pack = self.maintenance_pack().await?;
        let now = self.clock().now().0;
        let get = StoreError::db("reading the cameras' checks");
        let registered: std::collections::BTreeMap<String, i64> =
            sqlx::query("SELECT id, created_at_unix_ms FROM cameras")
                .fetch_all(self.pool())
                .await
                .map_err(&get)?
                .iter()
                .map(|r| Ok((r.try_get(0).map_err(&get)?, r.try_get(1).map_err(&get)?)))
                .collect::<StoreResult<_>>()?;
        let last_checked = self.last_checks().await?;
        let mut out = Vec::new();
        for camera in self.cameras(false).await? {
            let since = registered.get(camera.id.as_str()).copied().unwrap_or(now);
            let due = custos_domain::maintenance::check_due(
                last_checked.get(camera.id.as_str()).copied(),
                since,
                pack.maintenance.check_every_days,
                now,
            );
            let availability = if camera.draft.mode == custos_domain::RecordingMode::Continuous {
                let kept_days = custos_domain::retention::retention_days(&camera.draft, &pack);
                let from = custos_domain::maintenance::measured_from(
                    now - days * DAY_MS,
                    since,
                    custos_domain::retention::cutoff_unix_ms(UnixMs(now), kept_days),
                );
                Some(Availability {
                    from_unix_ms: from.min(now),
                    to_unix_ms: now,
                    recorded_ms: self.recorded_ms(&camera.id, from.min(now), now).await?,
                })
            } else {
                None
            };
            out.push(CameraMaintenance {
                camera: camera.id,
                name: camera.draft.name,
                in_service_since_unix_ms: since,
                due,
                availability,
            });
        }
        Ok(out)
    }

    /// Each camera's latest check as it stands: the latest time of its checks whose time
    /// was never corrected, or the corrected time of one that was.
    async fn last_checks(&self) -> StoreResult<std::collections::BTreeMap<String, i64>> {
        let get = StoreError::db("reading the cameras' latest checks");
        let mut last = std::collections::BTreeMap::new();
        let rows = sqlx::query(
            "SELECT camera_id, MAX(checked_at_unix_ms) FROM maintenance_checks \
             WHERE reference NOT IN (SELECT reference FROM maintenance_corrections \
             WHERE field = 'checked-at') GROUP BY camera_id",
        )
        .fetch_all(self.pool())
        .await
        .map_err(&get)?;
        for r in &rows {
            let camera: String = r.try_get(0).map_err(&get)?;
            let at: Option<i64> = r.try_get(1).map_err(&get)?;
            if let Some(at) = at {
                last.insert(camera, at);
            }
        }
        // Checks whose time was corrected: their latest correction's value.
        let rows = sqlx::query(
            "SELECT c.reference, k.camera_id, c.after_value FROM maintenance_corrections c \
             JOIN maintenance_checks k ON k.reference = c.reference \
             WHERE c.field = 'checked-at' ORDER BY c.reference, c.number",
        )
        .fetch_all(self.pool())
        .await
        .map_err(&get)?;
        // Later corrections of the same check replace earlier ones.
        let mut corrected: std::collections::BTreeMap<String, (String, i64)> =
            std::collections::BTreeMap::new();
        for r in &rows {
            let check: String = r.try_get(0).map_err(&get)?;
            let camera: String = r.try_get(1).map_err(&get)?;
            let value: String = r.try_get(2).map_err(&get)?;
            if let Ok(at) = value.parse::<i64>() {
                corrected.insert(check, (camera, at));
            }
        }
        for (camera, at) in corrected.into_values() {
            let slot = last.entry(camera).or_insert(at);
            *slot = (*slot).max(at);
        }
        Ok(last)
    }

    /// How much of `[from, to)` has footage of `camera`'s main stream, in milliseconds.
    async fn recorded_ms(&self, camera: &Ident, from: i64, to: i64) -> StoreResult<i64> {
        if to <= from {
            return Ok(0);
        }
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM( \
             (CASE WHEN end_unix_ms < $3 THEN end_unix_ms ELSE $3 END) - \
             (CASE WHEN start_unix_ms > $2 THEN start_unix_ms ELSE $2 END)), 0) AS BIGINT) \
             FROM segments WHERE camera_id = $1 AND stream = 'main' \
             AND start_unix_ms < $3 AND end_unix_ms > $2",
        )
        .bind(camera.as_str())
        .bind(from)
        .bind(to)
        .fetch_one(self.pool())
        .await
        .map_err(StoreError::db("measuring a camera's recorded time"))?;
        row.try_get(0)
            .map_err(StoreError::db("measuring a camera's recorded time"))
    }
}

/// A fault's ledger entry of `kind`, naming the fault and its camera.
fn fault_entry(kind: &'static str, f: &Fault) -> StoreResult<NewEntry> {
    Ok(NewEntry::new(Book::Maintenance, kind)
        .with_ref(reference("fault", &f.reference)?)
        .with_ref(reference("camera", f.camera.as_str())?))
}

/// The fields' ids, for a message.
fn words(fields: &[Field]) -> String {
    fields
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Inserts a fault reported by `keeper` (from a check, `check`) and records its entry.
#[allow(clippy::too_many_arguments)]
async fn insert_reported_fault(
    tx: &mut WriteTx,
    actor: &Actor,
    fault_ref: &str,
    draft: &FaultDraft,
    keeper: &Subject,
    keeper_name: &str,
    check: Option<&str>,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO camera_faults (reference, camera_id, origin, opened_at_unix_ms, \
         down_since_unix_ms, reason, reported_by, reported_by_name, check_reference) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(fault_ref)
    .bind(draft.camera.as_str())
    .bind(Origin::Reported.as_str())
    .bind(now)
    .bind(draft.noticed_at_unix_ms)
    .bind(draft.description.trim())
    .bind(&keeper.username)
    .bind(keeper_name)
    .bind(check)
    .execute(tx.conn())
    .await
    .map_err(StoreError::db("reporting a fault"))?;
    let mut entry = NewEntry::new(Book::Maintenance, "fault-reported")
        .with_ref(reference("fault", fault_ref)?)
        .with_ref(reference("camera", draft.camera.as_str())?)
        .with("noticed_at", rfc3339(draft.noticed_at_unix_ms))
        .with("description", draft.description.trim());
    if let Some(c) = check {
        entry = entry.with_ref(reference("check", c)?);
    }
    tx.record(actor, entry);
    Ok(())
}

/// The kinds of entry that first record `field`.
fn recording_kinds(field: Field) -> &'static [&'static str] {
    match field {
        Field::CheckedAt
        | Field::Picture
        | Field::Time
        | Field::Focus
        | Field::PrivacyMasks
        | Field::Signage
        | Field::Note => &["check-recorded"],
        Field::NoticedAt | Field::Description => &["fault-reported", "fault-opened"],
        Field::Contractor | Field::JobReference | Field::CalledAt => &["contractor-called"],
        Field::RespondedAt | Field::ResponseNote => &["contractor-responded"],
        Field::FixedAt | Field::WorkDone => &["fault-fixed"],
    }
}

/// The number of the entry a correction of `field` of `reference` (`check:…`, `fault:…`)
/// corrects: the latest correction of the same detail, or else the entry that recorded it.
async fn corrected_entry(
    tx: &mut WriteTx,
    reference_text: &str,
    field: Field,
) -> StoreResult<Option<i64>> {
    let get = StoreError::db("finding the entry a correction corrects");
    let rows = sqlx::query(
        "SELECT seq, kind, body FROM ledger_entries WHERE book = 'maintenance' \
         AND ('\n' || refs || '\n') LIKE ('%\n' || $1 || '\n%') ESCAPE '!' \
         ORDER BY seq DESC",
    )
    .bind(crate::ledger::like_literal(reference_text))
    .fetch_all(tx.conn())
    .await
    .map_err(&get)?;
    for r in &rows {
        let kind: String = r.try_get(1).map_err(&get)?;
        let hit = if kind == "maintenance-corrected" {
            let body: String = r.try_get(2).map_err(&get)?;
            serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|b| b.get("field").and_then(|f| f.as_str().map(str::to_owned)))
                .is_some_and(|f| f == field.as_str())
        } else {
            recording_kinds(field).contains(&kind.as_str())
        };
        if hit {
            return r.try_get(0).map(Some).map_err(&get);
        }
    }
    Ok(None)
}

fn read_corrections(rows: &[sqlx::any::AnyRow]) -> StoreResult<Vec<(String, Correction)>> {
    let get = StoreError::db("reading corrections of the maintenance log");
    rows.iter()
        .map(|r| {
            let reference_text: String = r.try_get(0).map_err(&get)?;
            let field: String = r.try_get(1).map_err(&get)?;
            Ok((
                reference_text.clone(),
                Correction {
                    field: field.parse().map_err(|e: String| {
                        StoreError::Corrupt(format!("{reference_text}: {e}"))
                    })?,
                    before: r.try_get(2).map_err(&get)?,
                    after: r.try_get(3).map_err(&get)?,
                    reason: r.try_get(4).map_err(&get)?,
                    by: r.try_get(5).map_err(&get)?,
                    at_unix_ms: r.try_get(6).map_err(&get)?,
                },
            ))
        })
        .collect()
}
