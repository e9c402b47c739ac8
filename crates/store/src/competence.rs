//! Competence: SIA licences and training records (BDC-11, BDC-22), who is signed on duty
//! in the control room (BDC-36), and who is absent so that deputies act for them (BDC-1).
//!
//! Invariants: records are added, never changed or removed, each with its ledger entry
//! (books `config` for licences and training, `duty` for signing on and off); a licence is
//! valid on the days up to and including its expiry date, in UK time, and so is a training
//! record; an absence covers from the start of its first day to the end of its last, UK
//! time, unless ended early; the facts `domain::access::decide` needs are computed here, at
//! the time asked.

use custos_base::{Actor, UnixMs};
use std::collections::BTreeSet;

use custos_domain::access::{Assignment, Competence, LICENSED_ROLES, Scope, Username, course_key};
use custos_domain::ledger::{Book, NewEntry, Reference};
use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::store::Store;

/// A UK calendar date, `YYYY-MM-DD`, checked.
fn date(text: &str, what: &str) -> StoreResult<String> {
    let d: jiff::civil::Date = text.trim().parse().map_err(|_| {
        StoreError::Invalid(format!(
            "{what} {text:?} is not a date; write it as YYYY-MM-DD"
        ))
    })?;
    Ok(d.to_string())
}

/// Today's date in the UK at `now`.
fn today(now: UnixMs) -> String {
    now.to_timestamp()
        .and_then(|t| {
            jiff::tz::TimeZone::get("Europe/London")
                .ok()
                .map(|tz| t.to_zoned(tz).date().to_string())
        })
        .unwrap_or_default()
}

fn user_ref(u: &Username) -> StoreResult<Reference> {
    Reference::new("user", u.as_str()).map_err(|e| StoreError::Invalid(e.to_string()))
}

impl Store {
    /// Records an SIA licence (number and expiry date).
    pub async fn record_licence(
        &self,
        actor: &Actor,
        username: &Username,
        number: &str,
        expires_on: &str,
    ) -> StoreResult<()> {
        let number = number.trim();
        if number.is_empty() || number.chars().any(char::is_control) {
            return Err(StoreError::Invalid(
                "give the licence number as printed on the SIA licence".to_owned(),
            ));
        }
        let expires_on = date(expires_on, "the expiry date")?;
        if self.user(username).await?.is_none() {
            return Err(StoreError::NotFound(format!(
                "there is no account called {username}; `custos user list` lists them"
            )));
        }
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO licences (username, number, expires_on, recorded_at_unix_ms) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(username.as_str())
        .bind(number)
        .bind(&expires_on)
        .bind(self.clock().now().0)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording a licence"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Config, "licence-recorded")
                .with_ref(user_ref(username)?)
                .with("number", number)
                .with("expires_on", expires_on),
        );
        tx.commit().await
    }

    /// Records a training course completed (and when it expires, if it does).
    pub async fn record_training(
        &self,
        actor: &Actor,
        username: &Username,
        course: &str,
        completed_on: &str,
        expires_on: Option<&str>,
    ) -> StoreResult<()> {
        let course = course.trim();
        if course.is_empty() || course.chars().any(char::is_control) {
            return Err(StoreError::Invalid("give the course's name".to_owned()));
        }
        let completed_on = date(completed_on, "the completion date")?;
        let expires_on = expires_on.map(|e| date(e, "the expiry date")).transpose()?;
        if self.user(username).await?.is_none() {
            return Err(StoreError::NotFound(format!(
                "there is no account called {username}; `custos user list` lists them"
            )));
        }
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO training (username, course, completed_on, expires_on, recorded_at_unix_ms) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(username.as_str())
        .bind(course)
        .bind(&completed_on)
        .bind(expires_on.clone())
        .bind(self.clock().now().0)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording training"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Config, "training-recorded")
                .with_ref(user_ref(username)?)
                .with("course", course)
                .with("completed_on", completed_on)
                .with("expires_on", expires_on),
        );
        tx.commit().await
    }

    /// Whether `username` holds an SIA licence valid today.
    pub async fn licence_valid(&self, username: &str) -> StoreResult<bool> {
        let today = today(self.clock().now());
        let row = sqlx::query("SELECT 1 FROM licences WHERE username = $1 AND expires_on >= $2")
            .bind(username)
            .bind(today)
            .fetch_optional(self.pool())
            .await
            .map_err(StoreError::db("reading licences"))?;
        Ok(row.is_some())
    }

    /// The courses `username` has completed whose records are in date today, as
    /// [`course_key`]s.
    pub async fn current_courses(&self, username: &str) -> StoreResult<BTreeSet<String>> {
        let today = today(self.clock().now());
        let rows = sqlx::query(
            "SELECT course FROM training WHERE username = $1 AND completed_on <= $2 \
             AND (expires_on IS NULL OR expires_on >= $2)",
        )
        .bind(username)
        .bind(today)
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading training records"))?;
        rows.iter()
            .map(|r| {
                r.try_get::<String, _>(0)
                    .map(|c| course_key(&c))
                    .map_err(StoreError::db("reading training records"))
            })
            .collect()
    }

    /// The competence facts for `username` now.
    pub async fn competence(&self, username: &str) -> StoreResult<Competence> {
        let courses = self.current_courses(username).await?;
        let licence_valid = self.licence_valid(username).await?;
        // Someone with a valid licence and a control-room role is signed on duty.
        let on_duty = sqlx::query(
            "SELECT DISTINCT d.username FROM duty d JOIN user_roles r ON r.username = d.username \
             JOIN users u ON u.username = d.username \
             WHERE d.off_at_unix_ms IS NULL AND u.disabled = 0 AND r.role IN ($1, $2)",
        )
        .bind(LICENSED_ROLES[0])
        .bind(LICENSED_ROLES[1])
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading the duty roster"))?;
        let operator_on_duty = !on_duty.is_empty();
        let mut licensed_operator_on_duty = false;
        for row in &on_duty {
            let who: String = row
                .try_get(0)
                .map_err(StoreError::db("reading the duty roster"))?;
            if self.licence_valid(&who).await? {
                licensed_operator_on_duty = true;
                break;
            }
        }
        Ok(Competence {
            courses,
            licence_valid,
            operator_on_duty,
            licensed_operator_on_duty,
        })
    }

    /// Whether `username` is signed on duty.
    pub async fn on_duty(&self, username: &str) -> StoreResult<bool> {
        let row = sqlx::query("SELECT 1 FROM duty WHERE username = $1 AND off_at_unix_ms IS NULL")
            .bind(username)
            .fetch_optional(self.pool())
            .await
            .map_err(StoreError::db("reading the duty roster"))?;
        Ok(row.is_some())
    }

    /// What the person did during `shift`: every ledger entry they made (in their own name
    /// or deputising) from signing on to signing off, both included. The sign-off's entry
    /// is written as its transaction commits, moments after the time the roster records, so
    /// the entries are read a minute past that time and cut at the first sign-off.
    pub async fn shift_entries(
        &self,
        shift: &Shift,
    ) -> StoreResult<Vec<custos_domain::ledger::StoredEntry>> {
        let entries = self
            .ledger_entries(&crate::ledger::LedgerQuery {
                actor: Some(format!("user:{}", shift.username)),
                from_unix_ms: Some(shift.on_at_unix_ms),
                to_unix_ms: shift
                    .off_at_unix_ms
                    .map(|t| t.saturating_add(SIGN_OFF_WRITTEN_WITHIN_MS)),
                ..Default::default()
            })
            .await?;
        if shift.off_at_unix_ms.is_none() {
            return Ok(entries);
        }
        let end = entries
            .iter()
            .position(|e| e.book == Book::Duty.as_str() && e.kind == "signed-off")
            .map_or(entries.len(), |i| i + 1);
        Ok(entries.into_iter().take(end).collect())
    }

    /// The latest `limit` shifts, newest first: of `username`, or of everyone when `None`.
    pub async fn shifts(&self, username: Option<&str>, limit: i64) -> StoreResult<Vec<Shift>> {
        let rows = sqlx::query(
            "SELECT username, on_at_unix_ms, off_at_unix_ms FROM duty \
             WHERE (CAST($1 AS TEXT) IS NULL OR username = $1) \
             ORDER BY on_at_unix_ms DESC, username LIMIT $2",
        )
        .bind(username)
        .bind(limit)
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading the duty roster"))?;
        rows.iter()
            .map(|r| {
                Ok(Shift {
                    username: r.try_get(0)?,
                    on_at_unix_ms: r.try_get(1)?,
                    off_at_unix_ms: r.try_get(2)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::db("reading the duty roster"))
    }

    /// The shift of `username` that was running at `at_unix_ms` (signed on at or before it,
    /// not signed off before it); with `None`, their latest shift.
    pub async fn shift_at(
        &self,
        username: &str,
        at_unix_ms: Option<i64>,
    ) -> StoreResult<Option<Shift>> {
        let row = sqlx::query(
            "SELECT username, on_at_unix_ms, off_at_unix_ms FROM duty WHERE username = $1 \
             AND (CAST($2 AS BIGINT) IS NULL OR (on_at_unix_ms <= $2 \
             AND (off_at_unix_ms IS NULL OR off_at_unix_ms >= $2))) \
             ORDER BY on_at_unix_ms DESC LIMIT 1",
        )
        .bind(username)
        .bind(at_unix_ms)
        .fetch_optional(self.pool())
        .await
        .map_err(StoreError::db("reading the duty roster"))?;
        row.map(|r| {
            Ok(Shift {
                username: r.try_get(0)?,
                on_at_unix_ms: r.try_get(1)?,
                off_at_unix_ms: r.try_get(2)?,
            })
        })
        .transpose()
        .map_err(StoreError::db("reading the duty roster"))
    }

    /// Signs a person on or off duty (BDC-36: operators' working times), ledgered in book
    /// `duty`. Signing on when already on, or off when not on, is refused.
    pub async fn set_duty(&self, actor: &Actor, username: &Username, on: bool) -> StoreResult<()> {
        let now = self.clock().now().0;
        let mut tx = self.write().await?;
        let changed = if on {
            let open =
                sqlx::query("SELECT 1 FROM duty WHERE username = $1 AND off_at_unix_ms IS NULL")
                    .bind(username.as_str())
                    .fetch_optional(tx.conn())
                    .await
                    .map_err(StoreError::db("reading the duty roster"))?;
            if open.is_some() {
                0
            } else {
                sqlx::query("INSERT INTO duty (username, on_at_unix_ms) VALUES ($1, $2)")
                    .bind(username.as_str())
                    .bind(now)
                    .execute(tx.conn())
                    .await
                    .map_err(StoreError::db("signing on duty"))?
                    .rows_affected()
            }
        } else {
            sqlx::query(
                "UPDATE duty SET off_at_unix_ms = $1 WHERE username = $2 AND off_at_unix_ms IS NULL",
            )
            .bind(now)
            .bind(username.as_str())
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("signing off duty"))?
            .rows_affected()
        };
        if changed == 0 {
            return Err(StoreError::Invalid(format!(
                "{username} is {} on duty",
                if on { "already" } else { "not" }
            )));
        }
        tx.record(
            actor,
            NewEntry::new(Book::Duty, if on { "signed-on" } else { "signed-off" })
                .with_ref(user_ref(username)?),
        );
        tx.commit().await
    }
}

/// How long after the roster's sign-off time its ledger entry is looked for.
const SIGN_OFF_WRITTEN_WITHIN_MS: i64 = 60_000;

/// One spell on duty (BDC-36: an operator's working time): from signing on to signing off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    /// Who was on duty.
    pub username: String,
    /// When they signed on.
    pub on_at_unix_ms: i64,
    /// When they signed off; `None` while they are on duty.
    pub off_at_unix_ms: Option<i64>,
}

/// One recorded absence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Absence {
    /// Who is away.
    pub username: String,
    /// The first day away (UK date).
    pub from: String,
    /// The last day away (UK date).
    pub until: String,
    /// Why, as recorded.
    pub reason: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// Whether it was ended early (the person came back).
    pub ended: bool,
}

/// Start of a UK day, in milliseconds since the epoch.
fn day_start_ms(date: &str) -> StoreResult<i64> {
    let d: jiff::civil::Date = date.parse().map_err(|_| {
        StoreError::Invalid(format!("{date:?} is not a date; write it as YYYY-MM-DD"))
    })?;
    let tz = jiff::tz::TimeZone::get("Europe/London")
        .map_err(|e| StoreError::Invalid(format!("the UK time zone is unavailable: {e}")))?;
    d.to_zoned(tz)
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|e| StoreError::Invalid(format!("{date}: {e}")))
}

fn ms_to_date(ms: i64) -> String {
    today(UnixMs(ms))
}

impl Store {
    /// Marks `username` absent from the start of `from` to the end of `until` (UK dates,
    /// inclusive), so that the pack's deputies act for them (BDC-1); ledgered in book
    /// `access`.
    pub async fn record_absence(
        &self,
        actor: &Actor,
        username: &Username,
        from: &str,
        until: &str,
        reason: &str,
    ) -> StoreResult<()> {
        let from = date(from, "the first day away")?;
        let until = date(until, "the last day away")?;
        if until < from {
            return Err(StoreError::Invalid(format!(
                "the last day away ({until}) is before the first ({from}); give the dates in order"
            )));
        }
        let reason = crate::error::required_reason(reason, "annual leave")?.to_owned();
        if self.user(username).await?.is_none() {
            return Err(StoreError::NotFound(format!(
                "there is no account called {username}; `custos user list` lists them"
            )));
        }
        let from_ms = day_start_ms(&from)?;
        let next_day = jiff::civil::Date::strptime("%Y-%m-%d", &until)
            .ok()
            .and_then(|d| d.tomorrow().ok())
            .map(|d| d.to_string())
            .ok_or_else(|| StoreError::Invalid(format!("{until}: no day follows it")))?;
        let until_ms = day_start_ms(&next_day)?;
        let mut tx = self.write().await?;
        let clash = sqlx::query("SELECT 1 FROM absences WHERE username = $1 AND from_unix_ms = $2")
            .bind(username.as_str())
            .bind(from_ms)
            .fetch_optional(tx.conn())
            .await
            .map_err(StoreError::db("reading absences"))?;
        if clash.is_some() {
            return Err(StoreError::Invalid(format!(
                "{username} already has an absence starting on {from}; end it with `custos user back` first, or choose another first day"
            )));
        }
        sqlx::query(
            "INSERT INTO absences (username, from_unix_ms, until_unix_ms, reason, \
             recorded_at_unix_ms, recorded_by) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(username.as_str())
        .bind(from_ms)
        .bind(until_ms)
        .bind(&reason)
        .bind(self.clock().now().0)
        .bind(actor.to_string())
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording an absence"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Access, "absence-recorded")
                .with_ref(user_ref(username)?)
                .with("from", from)
                .with("until", until)
                .with("reason", reason),
        );
        tx.commit().await
    }

    /// Ends `username`'s current and future absences now (they are back); ledgered in
    /// book `access`. Refused when they have none.
    pub async fn end_absence(&self, actor: &Actor, username: &Username) -> StoreResult<()> {
        let now = self.clock().now().0;
        let mut tx = self.write().await?;
        let ended = sqlx::query(
            "UPDATE absences SET ended_at_unix_ms = $1 \
             WHERE username = $2 AND ended_at_unix_ms IS NULL AND until_unix_ms > $1",
        )
        .bind(now)
        .bind(username.as_str())
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("ending an absence"))?
        .rows_affected();
        if ended == 0 {
            return Err(StoreError::Invalid(format!(
                "{username} has no current or coming absence to end"
            )));
        }
        tx.record(
            actor,
            NewEntry::new(Book::Access, "absence-ended")
                .with_ref(user_ref(username)?)
                .with("absences", ended),
        );
        tx.commit().await
    }

    /// Absences now or to come (or all of `username`'s, if given), earliest first.
    pub async fn absences(&self, username: Option<&Username>) -> StoreResult<Vec<Absence>> {
        let now = self.clock().now().0;
        let rows = sqlx::query(
            "SELECT username, from_unix_ms, until_unix_ms, reason, recorded_by, \
             ended_at_unix_ms FROM absences \
             WHERE (CAST($1 AS TEXT) IS NULL AND ended_at_unix_ms IS NULL AND until_unix_ms > $2) \
             OR username = $1 ORDER BY from_unix_ms, username",
        )
        .bind(username.map(Username::as_str))
        .bind(now)
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading absences"))?;
        let get = StoreError::db("reading absences");
        rows.iter()
            .map(|r| {
                let until_ms: i64 = r.try_get(2).map_err(get)?;
                Ok(Absence {
                    username: r.try_get(0).map_err(get)?,
                    from: ms_to_date(r.try_get(1).map_err(get)?),
                    until: ms_to_date(until_ms - 1),
                    reason: r.try_get(3).map_err(get)?,
                    recorded_by: r.try_get(4).map_err(get)?,
                    ended: r.try_get::<Option<i64>, _>(5).map_err(get)?.is_some(),
                })
            })
            .collect()
    }

    /// Which of `needs` (roles where) have nobody present now: every holder of the role
    /// there, or scheme-wide, is absent or disabled (BDC-1).
    pub async fn absent_roles(&self, needs: &[Assignment]) -> StoreResult<Vec<Assignment>> {
        let now = self.clock().now().0;
        let mut out = Vec::new();
        for need in needs {
            let present = sqlx::query(
                "SELECT 1 FROM user_roles r JOIN users u ON u.username = r.username \
                 WHERE r.role = $1 AND (r.scope = $2 OR r.scope = $3) AND u.disabled = 0 \
                 AND NOT EXISTS (SELECT 1 FROM absences a WHERE a.username = r.username \
                   AND a.ended_at_unix_ms IS NULL AND a.from_unix_ms <= $4 AND a.until_unix_ms > $4) \
                 LIMIT 1",
            )
            .bind(need.role.as_str())
            .bind(need.scope.to_string())
            .bind(Scope::Scheme.to_string())
            .bind(now)
            .fetch_optional(self.pool())
            .await
            .map_err(StoreError::db("reading who is present"))?;
            if present.is_none() {
                out.push(need.clone());
            }
        }
        Ok(out)
    }
}
