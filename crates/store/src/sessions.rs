//! Signed-in sessions: signing in and out, and finding the person behind a session token.
//!
//! Invariants:
//! - Only the SHA-256 hash of a session token is stored; the token itself exists only in
//!   the person's browser cookie.
//! - Signing in, a refused sign-in, signing out, and a screen locked and unlocked are
//!   ledgered in book `access`, with the source address.
//! - A session ends at its absolute lifetime, when its owner is disabled, or when they
//!   sign out; an ended session never comes back. After the policy's idle limit without a
//!   request it is locked (LBU-14) until its owner enters their password again.
//! - Noting a session's last activity is bookkeeping, not a change to the scheme's data,
//!   so it has no ledger entry; it is written at most every [`TOUCH_EVERY_MS`].

use custos_base::Actor;
use custos_domain::access::{Competence, LICENSED_ROLES, Subject, TRAINEE_ROLE, Username};
use custos_domain::ledger::{Book, NewEntry, Reference, to_hex};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::ledger::LedgerQuery;
use crate::store::Store;

/// How often a session's last activity is written, at most.
pub const TOUCH_EVERY_MS: i64 = 30_000;

/// Refused sign-ins to one account within [`THROTTLE_WINDOW_MS`] that lock it.
pub const ACCOUNT_FAILURE_LIMIT: usize = 5;
/// Refused sign-ins from one address within [`THROTTLE_WINDOW_MS`] that pause it.
pub const SOURCE_FAILURE_LIMIT: usize = 20;
/// The window refusals are counted over, and so how long a lock lasts.
pub const THROTTLE_WINDOW_MS: i64 = 15 * 60_000;

/// How a sign-in went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// Signed in.
    Signed(NewSession),
    /// Wrong user name or password, or a disabled account.
    Refused,
    /// Too many refused sign-ins to this account lately.
    AccountLocked {
        /// When the lock lifts (ms since the epoch).
        until_unix_ms: i64,
    },
    /// Too many refused sign-ins from this address lately.
    SourceThrottled {
        /// When sign-ins from it are accepted again (ms since the epoch).
        until_unix_ms: i64,
    },
}

/// A session just created: the token for the cookie and the CSRF token for forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// The session token (secret; goes only into the cookie).
    pub token: String,
    /// The token every state-changing form must carry.
    pub csrf: String,
}

/// The person behind a live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// Who, with their roles.
    pub subject: Subject,
    /// Their name for display.
    pub display_name: String,
    /// The token every state-changing form must carry.
    pub csrf: String,
    /// Whether the person has a second factor set up.
    pub mfa_enrolled: bool,
}

/// Why a session could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// Live.
    Live(SessionInfo),
    /// Locked after the idle limit (LBU-14): the person must enter their password again
    /// before anything is shown.
    Locked(SessionInfo),
    /// No such session, or it has ended.
    None,
}

fn random_token() -> StoreResult<String> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b)
        .map_err(|e| StoreError::Invalid(format!("no random bytes for a session: {e}")))?;
    Ok(to_hex(&b))
}

pub(crate) fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn user_ref(u: &str) -> StoreResult<Reference> {
    Reference::new("user", u).map_err(|e| StoreError::Invalid(e.to_string()))
}

impl Store {
    /// Signs a person in if the password is right (and, for an account with a second
    /// factor, `code` is its current code), the account enabled and not locked, and the
    /// source address not throttled, creating a session that lasts at most
    /// `lifetime_ms`. A refusal is ledgered (with the source address) and does not say
    /// which part was wrong.
    ///
    /// Throttling is counted from the ledger itself: [`ACCOUNT_FAILURE_LIMIT`] refused
    /// sign-ins to one account within [`THROTTLE_WINDOW_MS`] (since its last successful
    /// sign-in or unlock) lock the account until they are that old; so do
    /// [`SOURCE_FAILURE_LIMIT`] from one address for that address. The lock itself is
    /// ledgered once (`account-locked`, `source-throttled`); attempts while locked are
    /// refused without checking the password and without further entries, so an attacker
    /// cannot flood the ledger.
    pub async fn sign_in(
        &self,
        username: &Username,
        password: &str,
        code: Option<&str>,
        source: &str,
        lifetime_ms: i64,
    ) -> StoreResult<SignIn> {
        if let Some(refused) = self.authenticate(username, password, source).await? {
            return Ok(refused);
        }
        let who = user_ref(username.as_str())?;
        let source_ref =
            Reference::new("source", source).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let actor = Actor::User(username.to_string());
        let now = self.clock().now().0;
        let token = random_token()?;
        let csrf = random_token()?;
        let mut tx = self.write().await?;
        if self.check_mfa_in(&mut tx, username, code).await? == Some(false) {
            tx.rollback().await?;
            // A right password with a wrong or missing code counts as a refused sign-in.
            self.append(
                &actor,
                NewEntry::new(Book::Access, "sign-in-refused")
                    .with_ref(who)
                    .with_ref(source_ref)
                    .with("second_factor", true),
            )
            .await?;
            return Ok(SignIn::Refused);
        }
        sqlx::query(
            "INSERT INTO sessions (token_hash, username, csrf_token, source, created_at_unix_ms, \
             last_seen_at_unix_ms, expires_at_unix_ms) VALUES ($1, $2, $3, $4, $5, $5, $6)",
        )
        .bind(token_hash(&token))
        .bind(username.as_str())
        .bind(&csrf)
        .bind(source)
        .bind(now)
        .bind(now.saturating_add(lifetime_ms))
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("creating a session"))?;
        tx.record(
            &actor,
            NewEntry::new(Book::Access, "signed-in")
                .with_ref(who)
                .with_ref(source_ref),
        );
        tx.commit().await?;
        Ok(SignIn::Signed(NewSession { token, csrf }))
    }

    /// Checks a password for signing in or unlocking, with the throttling described at
    /// [`Store::sign_in`]; refusals and locks are ledgered here. `None` means the password
    /// is right and nothing stops the person; otherwise the refusal.
    async fn authenticate(
        &self,
        username: &Username,
        password: &str,
        source: &str,
    ) -> StoreResult<Option<SignIn>> {
        let actor = Actor::User(username.to_string());
        let now = self.clock().now().0;
        let since = now - THROTTLE_WINDOW_MS;
        let source_ref =
            Reference::new("source", source).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let by_source = self.recent_access(&source_ref.to_string(), since).await?;
        let source_failures: Vec<i64> = by_source
            .iter()
            .filter(|e| e.kind == "sign-in-refused")
            .map(|e| e.at_unix_ms)
            .collect();
        if source_failures.len() >= SOURCE_FAILURE_LIMIT {
            if !by_source.iter().any(|e| e.kind == "source-throttled") {
                self.append(
                    &Actor::System("sign-in".to_owned()),
                    NewEntry::new(Book::Access, "source-throttled")
                        .with_ref(source_ref.clone())
                        .with("failures", source_failures.len())
                        .with("window_minutes", THROTTLE_WINDOW_MS / 60_000),
                )
                .await?;
            }
            let until = source_failures.iter().min().copied().unwrap_or(now) + THROTTLE_WINDOW_MS;
            return Ok(Some(SignIn::SourceThrottled {
                until_unix_ms: until,
            }));
        }
        let who = user_ref(username.as_str())?;
        let by_user = self.recent_access(&who.to_string(), since).await?;
        let fresh_start = by_user
            .iter()
            .rposition(|e| e.kind == "signed-in" || e.kind == "account-unlocked")
            .map_or(0, |i| i + 1);
        let failures: Vec<i64> = by_user[fresh_start..]
            .iter()
            .filter(|e| e.kind == "sign-in-refused")
            .map(|e| e.at_unix_ms)
            .collect();
        if failures.len() >= ACCOUNT_FAILURE_LIMIT {
            let until = failures.iter().min().copied().unwrap_or(now) + THROTTLE_WINDOW_MS;
            return Ok(Some(SignIn::AccountLocked {
                until_unix_ms: until,
            }));
        }
        if !self.check_password(username, password).await? {
            self.append(
                &actor,
                NewEntry::new(Book::Access, "sign-in-refused")
                    .with_ref(who.clone())
                    .with_ref(source_ref.clone()),
            )
            .await?;
            if failures.len() + 1 >= ACCOUNT_FAILURE_LIMIT {
                self.append(
                    &Actor::System("sign-in".to_owned()),
                    NewEntry::new(Book::Access, "account-locked")
                        .with_ref(who)
                        .with("failures", failures.len() + 1)
                        .with("window_minutes", THROTTLE_WINDOW_MS / 60_000),
                )
                .await?;
            }
            return Ok(Some(SignIn::Refused));
        }
        Ok(None)
    }

    /// The `access` entries about `reference` since `since_unix_ms`, oldest first.
    async fn recent_access(
        &self,
        reference: &str,
        since_unix_ms: i64,
    ) -> StoreResult<Vec<custos_domain::ledger::StoredEntry>> {
        self.ledger_entries(&LedgerQuery {
            book: Some(Book::Access),
            from_unix_ms: Some(since_unix_ms),
            reference: Some(reference.to_owned()),
            ..Default::default()
        })
        .await
    }

    /// Lifts a lock on an account after refused sign-ins, ledgered with the reason.
    pub async fn unlock_account(
        &self,
        actor: &Actor,
        username: &Username,
        reason: &str,
    ) -> StoreResult<()> {
        let reason = crate::error::required_reason(reason, "confirmed by phone it was them")?;
        if self.user(username).await?.is_none() {
            return Err(StoreError::NotFound(format!(
                "there is no account called {username}; `custos user list` lists them"
            )));
        }
        self.append(
            actor,
            NewEntry::new(Book::Access, "account-unlocked")
                .with_ref(user_ref(username.as_str())?)
                .with("reason", reason),
        )
        .await?;
        Ok(())
    }

    /// The person behind `token`, if the session is live. A session idle for longer than
    /// `idle_limit_ms` is locked (ledgered as `screen-locked`) and stays locked until
    /// [`Store::unlock_session`].
    pub async fn session(&self, token: &str, idle_limit_ms: i64) -> StoreResult<SessionState> {
        let now = self.clock().now().0;
        let row = sqlx::query(
            "SELECT username, csrf_token, last_seen_at_unix_ms, expires_at_unix_ms, \
             locked_at_unix_ms FROM sessions WHERE token_hash = $1 AND ended_at_unix_ms IS NULL",
        )
        .bind(token_hash(token))
        .fetch_optional(self.pool())
        .await
        .map_err(StoreError::db("reading a session"))?;
        let Some(row) = row else {
            return Ok(SessionState::None);
        };
        let get = StoreError::db("reading a session");
        let username: String = row.try_get(0).map_err(get)?;
        let csrf: String = row.try_get(1).map_err(get)?;
        let last_seen: i64 = row.try_get(2).map_err(get)?;
        let expires: i64 = row.try_get(3).map_err(get)?;
        let locked_at: Option<i64> = row.try_get(4).map_err(get)?;
        let name = Username::parse(&username).map_err(StoreError::Corrupt)?;
        let Some(user) = self.user(&name).await? else {
            return Ok(SessionState::None);
        };
        if now >= expires || user.disabled {
            self.end_session(token, &Actor::System("sessions".to_owned()), "expired")
                .await?;
            return Ok(SessionState::None);
        }
        let info = SessionInfo {
            subject: Subject {
                username: user.username.clone(),
                disabled: user.disabled,
                assignments: user.assignments.clone(),
                // Only control-room roles depend on licences and the duty roster, so the
                // roster is read only for them; training records for other roles are read
                // by the caller, which knows which roles the pack requires training for.
                competence: if user.assignments.iter().any(|a| {
                    LICENSED_ROLES.contains(&a.role.as_str()) || a.role.as_str() == TRAINEE_ROLE
                }) {
                    self.competence(&user.username).await?
                } else {
                    Competence::default()
                },
                // Filled in by the caller, which knows the pack's deputies and the request.
                absent_roles: Vec::new(),
                client: None,
            },
            display_name: user.display_name.clone(),
            csrf: csrf.clone(),
            mfa_enrolled: user.mfa_enrolled,
        };
        if locked_at.is_some() {
            return Ok(SessionState::Locked(info));
        }
        if now - last_seen > idle_limit_ms {
            let mut tx = self.write().await?;
            let locked = sqlx::query(
                "UPDATE sessions SET locked_at_unix_ms = $1 \
                 WHERE token_hash = $2 AND locked_at_unix_ms IS NULL",
            )
            .bind(now)
            .bind(token_hash(token))
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("locking a session"))?;
            if locked.rows_affected() == 1 {
                tx.record(
                    &Actor::System("sessions".to_owned()),
                    NewEntry::new(Book::Access, "screen-locked")
                        .with_ref(user_ref(&username)?)
                        .with("idle_minutes", (now - last_seen) / 60_000),
                );
                tx.commit().await?;
            } else {
                tx.rollback().await?;
            }
            return Ok(SessionState::Locked(info));
        }
        if now - last_seen >= TOUCH_EVERY_MS {
            let mut tx = self.write().await?;
            sqlx::query("UPDATE sessions SET last_seen_at_unix_ms = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(token_hash(token))
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("noting session activity"))?;
            tx.commit_unledgered().await?;
        }
        Ok(SessionState::Live(info))
    }

    /// Unlocks a locked session when its owner enters their password (with the same
    /// throttling as signing in; a wrong password counts as a refused sign-in). Returns
    /// `None` once unlocked, or the refusal.
    pub async fn unlock_session(
        &self,
        token: &str,
        password: &str,
        source: &str,
    ) -> StoreResult<Option<SignIn>> {
        let row = sqlx::query(
            "SELECT username FROM sessions WHERE token_hash = $1 AND ended_at_unix_ms IS NULL \
             AND locked_at_unix_ms IS NOT NULL",
        )
        .bind(token_hash(token))
        .fetch_optional(self.pool())
        .await
        .map_err(StoreError::db("reading a session"))?;
        let Some(row) = row else {
            return Err(StoreError::NotFound(
                "this session is not locked or has ended; sign in again".to_owned(),
            ));
        };
        let username: String = row
            .try_get(0)
            .map_err(StoreError::db("reading a session"))?;
        let name = Username::parse(&username).map_err(StoreError::Corrupt)?;
        if let Some(refused) = self.authenticate(&name, password, source).await? {
            return Ok(Some(refused));
        }
        let now = self.clock().now().0;
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE sessions SET locked_at_unix_ms = NULL, last_seen_at_unix_ms = $1 \
             WHERE token_hash = $2",
        )
        .bind(now)
        .bind(token_hash(token))
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("unlocking a session"))?;
        tx.record(
            &Actor::User(username.clone()),
            NewEntry::new(Book::Access, "screen-unlocked")
                .with_ref(user_ref(&username)?)
                .with_ref(
                    Reference::new("source", source)
                        .map_err(|e| StoreError::Invalid(e.to_string()))?,
                ),
        );
        tx.commit().await?;
        Ok(None)
    }

    /// Ends every live session of `username` ("sign out everywhere"), in one transaction
    /// with one ledger entry saying how many. Returns that number.
    pub async fn end_all_sessions(
        &self,
        actor: &Actor,
        username: &Username,
        reason: &str,
    ) -> StoreResult<u64> {
        let now = self.clock().now().0;
        let mut tx = self.write().await?;
        let done = sqlx::query(
            "UPDATE sessions SET ended_at_unix_ms = $1 \
             WHERE username = $2 AND ended_at_unix_ms IS NULL",
        )
        .bind(now)
        .bind(username.as_str())
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("ending sessions"))?;
        let n = done.rows_affected();
        tx.record(
            actor,
            NewEntry::new(Book::Access, "signed-out-everywhere")
                .with_ref(user_ref(username.as_str())?)
                .with("sessions", n)
                .with("reason", reason),
        );
        tx.commit().await?;
        Ok(n)
    }

    /// Ends a session (signing out, or the system ending it), ledgered with the reason.
    /// Ending a session that has already ended does nothing.
    pub async fn end_session(&self, token: &str, actor: &Actor, reason: &str) -> StoreResult<()> {
        let now = self.clock().now().0;
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "UPDATE sessions SET ended_at_unix_ms = $1 \
             WHERE token_hash = $2 AND ended_at_unix_ms IS NULL RETURNING username",
        )
        .bind(now)
        .bind(token_hash(token))
        .fetch_optional(tx.conn())
        .await
        .map_err(StoreError::db("ending a session"))?;
        let Some(row) = row else {
            tx.rollback().await?;
            return Ok(());
        };
        let username: String = row.try_get(0).map_err(StoreError::db("ending a session"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Access, "signed-out")
                .with_ref(user_ref(&username)?)
                .with("reason", reason),
        );
        tx.commit().await
    }
}
