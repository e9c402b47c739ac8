//! Competence: SIA licences and training records (BDC-11, BDC-22), and who is signed on
//! duty in the control room (BDC-36).
//!
//! Invariants: records are added, never changed or removed, each with its ledger entry
//! (books `config` for licences and training, `duty` for signing on and off); a licence is
//! valid on the days up to and including its expiry date, in UK time; the facts
//! `domain::access::decide` needs are computed here, at the time asked.

use custos_base::{Actor, UnixMs};
use custos_domain::access::{Competence, LICENSED_ROLES, Username};
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

    /// The competence facts for `username` now.
    pub async fn competence(&self, username: &str) -> StoreResult<Competence> {
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
