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

use custos_base::{Actor, UnixMs};
use custos_domain::access::{Competence, LICENSED_ROLES, Subject, TRAINEE_ROLE, Username};
use custos_domain::ledger::{Book, NewEntry, Reference, to_hex};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::store::{Store, WriteTx};

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
    /// The server is checking too many passwords at once; nothing was tried, and trying
    /// again in a few seconds will work.
    Busy,
    /// The password (and code) were right, but the pack makes a second factor mandatory
    /// for the account's roles and none is set up: an API client gets no session until it
    /// is, on the web.
    SecondFactorNotSetUp,
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

fn source_ref(source: &str) -> StoreResult<Reference> {
    Reference::new("source", source).map_err(|e| StoreError::Invalid(e.to_string()))
}

/// Makes the sign-in counting in `tx` wait for any other (on PostgreSQL; SQLite's write
/// transactions already take turns).
async fn take_sign_in_lock(tx: &mut WriteTx, backend: crate::Backend) -> StoreResult<()> {
    if let Some(lock) = backend.sign_in_lock() {
        sqlx::query(lock)
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("taking the sign-in lock"))?;
    }
    Ok(())
}

/// Attempts refused or still being checked for `column` = `key` since `since_unix_ms`:
/// how many, and when the first was.
async fn count_attempts(
    tx: &mut WriteTx,
    column: &str,
    key: &str,
    since_unix_ms: i64,
) -> StoreResult<(i64, Option<i64>)> {
    let sql = format!(
        "SELECT COUNT(*), MIN(at_unix_ms) FROM sign_in_attempts \
         WHERE {column} = $1 AND at_unix_ms >= $2 AND outcome IN ('pending', 'refused')"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(key)
        .bind(since_unix_ms)
        .fetch_one(tx.conn())
        .await
        .map_err(StoreError::db("counting sign-in attempts"))?;
    let get = StoreError::db("counting sign-in attempts");
    Ok((row.try_get(0).map_err(get)?, row.try_get(1).map_err(get)?))
}

async fn insert_attempt(
    tx: &mut WriteTx,
    key: &str,
    account: Option<&str>,
    now: i64,
    outcome: &str,
) -> StoreResult<i64> {
    sqlx::query(
        "INSERT INTO sign_in_attempts (source_key, account, at_unix_ms, outcome) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(key)
    .bind(account)
    .bind(now)
    .bind(outcome)
    .fetch_one(tx.conn())
    .await
    .and_then(|r| r.try_get(0))
    .map_err(StoreError::db("counting a sign-in attempt"))
}

/// Marks attempt `id` a success and the account's earlier refusals no longer counted (a
/// fresh start after a right password).
pub(crate) async fn clear_attempts(
    tx: &mut WriteTx,
    id: i64,
    account: &Username,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE sign_in_attempts SET outcome = 'cleared' \
         WHERE id = $1 OR (account = $2 AND outcome = 'refused')",
    )
    .bind(id)
    .bind(account.as_str())
    .execute(tx.conn())
    .await
    .map_err(StoreError::db("clearing sign-in attempts"))?;
    Ok(())
}

/// What someone gave to sign in or to unlock a screen.
#[derive(Debug, Clone, Copy)]
pub struct SignInAttempt<'a> {
    /// The user name as typed. Any text is accepted: a name with no account, or one that
    /// is not a valid user name at all, is refused like a wrong password and counted
    /// against the address like any other attempt; it never becomes an actor or a
    /// reference in the ledger.
    pub name: &'a str,
    /// The password.
    pub password: &'a str,
    /// The authenticator app's code, for accounts with a second factor.
    pub code: Option<&'a str>,
    /// Where the attempt comes from (the client's address), as ledgered. Throttling counts
    /// it by [`custos_domain::network::client_key`]: an IPv6 address by its /64.
    pub source: &'a str,
}

/// An attempt counted before its password is checked.
struct Reserved {
    /// Its bookkeeping row.
    id: i64,
    /// The account tried, when one by that name exists.
    account: Option<Username>,
}

/// Whether the password checked out.
enum Checked {
    /// It did: the attempt's row and the account.
    Right(i64, Username),
    /// It did not, or the attempt was not tried at all: the answer.
    Stop(SignIn),
}

impl Store {
    /// Signs a person in on a browser if the password is right (and, for an account with a
    /// second factor, `code` is its current code), the account enabled and not locked, and
    /// the source address not throttled, creating a session that lasts at most
    /// `lifetime_ms`. A refusal is ledgered (with the source address) and does not say
    /// which part was wrong.
    ///
    /// Throttling: every attempt is counted, in one transaction, before any password is
    /// checked: [`ACCOUNT_FAILURE_LIMIT`] attempts refused or still being checked for one
    /// account within [`THROTTLE_WINDOW_MS`] (since its last successful sign-in or unlock)
    /// lock the account until they are that old; [`SOURCE_FAILURE_LIMIT`] from one address
    /// pause that address. So a burst of any size gets exactly that many tries. The lock
    /// itself is ledgered once (`account-locked`, `source-throttled`); attempts while
    /// locked are refused without checking the password and without further entries, so an
    /// attacker cannot flood the ledger. Password checks run a few at a time
    /// (`HashPool`); an attempt that cannot get its turn soon is answered
    /// [`SignIn::Busy`] and not counted.
    pub async fn sign_in(
        &self,
        attempt: SignInAttempt<'_>,
        lifetime_ms: i64,
    ) -> StoreResult<SignIn> {
        self.sign_in_for(attempt, lifetime_ms, false).await
    }

    /// As [`Store::sign_in`], for an API client: an account whose roles need a second
    /// factor gets no session until the factor is set up (on the web) and its code given.
    pub async fn sign_in_api(
        &self,
        attempt: SignInAttempt<'_>,
        lifetime_ms: i64,
    ) -> StoreResult<SignIn> {
        self.sign_in_for(attempt, lifetime_ms, true).await
    }

    async fn sign_in_for(
        &self,
        attempt: SignInAttempt<'_>,
        lifetime_ms: i64,
        api: bool,
    ) -> StoreResult<SignIn> {
        let (id, username) = match self
            .authenticate(attempt.name, attempt.password, attempt.source)
            .await?
        {
            Checked::Right(id, username) => (id, username),
            Checked::Stop(answer) => return Ok(answer),
        };
        let who = user_ref(username.as_str())?;
        let source_ref = source_ref(attempt.source)?;
        let actor = Actor::User(username.to_string());
        let now = self.clock().now().0;
        let token = random_token()?;
        let csrf = random_token()?;
        let mut tx = self.write().await?;
        if self.check_mfa_in(&mut tx, &username, attempt.code).await? == Some(false) {
            tx.rollback().await?;
            // A right password with a wrong or missing code counts as a refused sign-in.
            return self
                .refuse_attempt(id, Some(&username), attempt.source, true)
                .await;
        }
        if api && self.second_factor_missing(&username).await? {
            clear_attempts(&mut tx, id, &username).await?;
            tx.record(
                &actor,
                NewEntry::new(Book::Access, "sign-in-refused")
                    .with_ref(who)
                    .with_ref(source_ref)
                    .with("second_factor", "not set up"),
            );
            tx.commit().await?;
            return Ok(SignIn::SecondFactorNotSetUp);
        }
        sqlx::query(
            "INSERT INTO sessions (token_hash, username, csrf_token, source, created_at_unix_ms, \
             last_seen_at_unix_ms, expires_at_unix_ms) VALUES ($1, $2, $3, $4, $5, $5, $6)",
        )
        .bind(token_hash(&token))
        .bind(username.as_str())
        .bind(&csrf)
        .bind(attempt.source)
        .bind(now)
        .bind(now.saturating_add(lifetime_ms))
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("creating a session"))?;
        clear_attempts(&mut tx, id, &username).await?;
        tx.record(
            &actor,
            NewEntry::new(Book::Access, "signed-in")
                .with_ref(who)
                .with_ref(source_ref),
        );
        tx.commit().await?;
        Ok(SignIn::Signed(NewSession { token, csrf }))
    }

    /// Confirms that the person acting as `username` is its holder, for a change that needs
    /// more than a session: their password and a current code from their second factor (if
    /// they have one), counted and throttled like a sign-in from `source`, the code used up.
    /// The attempt and the open transaction for the change, or the refusal (ledgered).
    pub(crate) async fn confirm_identity(
        &self,
        username: &Username,
        password: &str,
        code: &str,
        source: &str,
    ) -> StoreResult<Result<(i64, WriteTx), SignIn>> {
        let id = match self
            .authenticate(username.as_str(), password, source)
            .await?
        {
            Checked::Right(id, _) => id,
            Checked::Stop(answer) => return Ok(Err(answer)),
        };
        let mut tx = self.write().await?;
        if self.check_mfa_in(&mut tx, username, Some(code)).await? == Some(false) {
            tx.rollback().await?;
            return Ok(Err(self
                .refuse_attempt(id, Some(username), source, true)
                .await?));
        }
        Ok(Ok((id, tx)))
    }

    /// Confirms at the server's console that the holder of `username` is there to act in
    /// their own name (ALT-8: an authoriser authorises for themselves): their password and a
    /// current code from their second factor — required where the pack makes one mandatory
    /// for their roles — counted and throttled like a sign-in from the console, the code
    /// used up, ledgered `identity-confirmed` (or refused as a sign-in is). Returns who they
    /// are, for the decision.
    pub async fn confirm_at_console(
        &self,
        username: &str,
        password: &str,
        code: &str,
    ) -> StoreResult<custos_domain::access::Subject> {
        let name = Username::parse(username.trim()).map_err(StoreError::Invalid)?;
        let source = "console";
        let (attempt, mut tx) = match self.confirm_identity(&name, password, code, source).await? {
            Ok(confirmed) => confirmed,
            Err(SignIn::Busy) => {
                return Err(StoreError::Busy(
                    "the server is checking many passwords just now; try again in a few seconds"
                        .to_owned(),
                ));
            }
            Err(
                SignIn::AccountLocked { until_unix_ms } | SignIn::SourceThrottled { until_unix_ms },
            ) => {
                return Err(StoreError::Forbidden(format!(
                    "too many wrong passwords or codes for {name} lately; try again after {}",
                    UnixMs(until_unix_ms).to_london_display()
                )));
            }
            Err(_) => {
                return Err(StoreError::Forbidden(format!(
                    "the password or second-factor code for {name} is not right (or the account is disabled); {name} must type their own"
                )));
            }
        };
        if self.second_factor_missing(&name).await? {
            tx.rollback().await?;
            return Err(StoreError::Forbidden(format!(
                "{name}'s roles need a second factor, and none is set up; {name} sets one up on the web first"
            )));
        }
        clear_attempts(&mut tx, attempt, &name).await?;
        tx.record(
            &Actor::User(name.to_string()),
            NewEntry::new(Book::Access, "identity-confirmed")
                .with_ref(user_ref(name.as_str())?)
                .with_ref(source_ref(source)?),
        );
        tx.commit().await?;
        self.subject_of(name.as_str(), None).await
    }

    /// Whether the pack makes a second factor mandatory for one of the account's roles and
    /// the account has none set up.
    async fn second_factor_missing(&self, username: &Username) -> StoreResult<bool> {
        let Some(user) = self.user(username).await? else {
            return Ok(false);
        };
        let Some(policy) = self.active_policy().await? else {
            return Ok(false);
        };
        Ok(!user.mfa_enrolled
            && user
                .assignments
                .iter()
                .any(|a| policy.pack.access.mfa_roles.contains(&a.role)))
    }

    /// Counts an attempt, then checks its password (see [`Store::sign_in`]): the account
    /// and the attempt's row when the password is right and nothing stops the person;
    /// otherwise the answer, with refusals and locks ledgered.
    async fn authenticate(&self, name: &str, password: &str, source: &str) -> StoreResult<Checked> {
        let reserved = match self.reserve_attempt(name, source).await? {
            Ok(r) => r,
            Err(stop) => return Ok(Checked::Stop(stop)),
        };
        let checked = match &reserved.account {
            Some(account) => self.check_password(account, password).await,
            // No such account: spend the time a real check takes, so timing does not tell
            // which names have accounts.
            None => self
                .password_matches(password.to_owned(), crate::users::DUMMY_HASH.to_owned())
                .await
                .map(|_| false),
        };
        match (checked, reserved.account) {
            (Ok(true), Some(account)) => Ok(Checked::Right(reserved.id, account)),
            (Ok(_), account) => Ok(Checked::Stop(
                self.refuse_attempt(reserved.id, account.as_ref(), source, false)
                    .await?,
            )),
            (Err(StoreError::Busy(_)), _) => {
                // Nothing was tried: the attempt does not count.
                let mut tx = self.write().await?;
                sqlx::query("DELETE FROM sign_in_attempts WHERE id = $1")
                    .bind(reserved.id)
                    .execute(tx.conn())
                    .await
                    .map_err(StoreError::db("withdrawing a sign-in attempt"))?;
                tx.commit_unledgered().await?;
                Ok(Checked::Stop(SignIn::Busy))
            }
            (Err(e), _) => Err(e),
        }
    }

    /// Counts an attempt from `source` on the account called `name` (if there is one)
    /// before its password is checked, or says why it may not be tried.
    async fn reserve_attempt(
        &self,
        name: &str,
        source: &str,
    ) -> StoreResult<Result<Reserved, SignIn>> {
        let now = self.clock().now().0;
        let since = now - THROTTLE_WINDOW_MS;
        let key = custos_domain::network::client_key(source);
        let account = match Username::parse(name.trim()) {
            Ok(u) if self.user(&u).await?.is_some() => Some(u),
            _ => None,
        };
        let mut tx = self.write().await?;
        take_sign_in_lock(&mut tx, self.backend()).await?;
        sqlx::query("DELETE FROM sign_in_attempts WHERE at_unix_ms < $1")
            .bind(since)
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("forgetting old sign-in attempts"))?;
        let (n, first) = count_attempts(&mut tx, "source_key", &key, since).await?;
        if n >= SOURCE_FAILURE_LIMIT as i64 {
            let until = first.unwrap_or(now) + THROTTLE_WINDOW_MS;
            let noted: i64 = sqlx::query(
                "SELECT COUNT(*) FROM sign_in_attempts \
                 WHERE source_key = $1 AND outcome = 'throttle-noted'",
            )
            .bind(&key)
            .fetch_one(tx.conn())
            .await
            .and_then(|r| r.try_get(0))
            .map_err(StoreError::db("reading sign-in attempts"))?;
            if noted == 0 {
                insert_attempt(&mut tx, &key, None, now, "throttle-noted").await?;
                tx.record(
                    &Actor::System("sign-in".to_owned()),
                    NewEntry::new(Book::Access, "source-throttled")
                        .with_ref(source_ref(source)?)
                        .with("network", key)
                        .with("failures", n)
                        .with("window_minutes", THROTTLE_WINDOW_MS / 60_000),
                );
                tx.commit().await?;
            } else {
                tx.rollback().await?;
            }
            return Ok(Err(SignIn::SourceThrottled {
                until_unix_ms: until,
            }));
        }
        if let Some(account) = &account {
            let (n, first) = count_attempts(&mut tx, "account", account.as_str(), since).await?;
            if n >= ACCOUNT_FAILURE_LIMIT as i64 {
                tx.rollback().await?;
                return Ok(Err(SignIn::AccountLocked {
                    until_unix_ms: first.unwrap_or(now) + THROTTLE_WINDOW_MS,
                }));
            }
        }
        let id = insert_attempt(
            &mut tx,
            &key,
            account.as_ref().map(Username::as_str),
            now,
            "pending",
        )
        .await?;
        tx.commit_unledgered().await?;
        Ok(Ok(Reserved { id, account }))
    }

    /// Records attempt `id` as refused, with its ledger entry (and the account's lock
    /// when this refusal reaches the limit), and returns [`SignIn::Refused`].
    async fn refuse_attempt(
        &self,
        id: i64,
        account: Option<&Username>,
        source: &str,
        second_factor: bool,
    ) -> StoreResult<SignIn> {
        let now = self.clock().now().0;
        let mut tx = self.write().await?;
        take_sign_in_lock(&mut tx, self.backend()).await?;
        sqlx::query("UPDATE sign_in_attempts SET outcome = 'refused' WHERE id = $1")
            .bind(id)
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("refusing a sign-in attempt"))?;
        let mut entry =
            NewEntry::new(Book::Access, "sign-in-refused").with_ref(source_ref(source)?);
        if second_factor {
            entry = entry.with("second_factor", true);
        }
        match account {
            Some(account) => {
                let who = user_ref(account.as_str())?;
                tx.record(
                    &Actor::User(account.to_string()),
                    entry.with_ref(who.clone()),
                );
                let refused: i64 = sqlx::query(
                    "SELECT COUNT(*) FROM sign_in_attempts \
                     WHERE account = $1 AND outcome = 'refused' AND at_unix_ms >= $2",
                )
                .bind(account.as_str())
                .bind(now - THROTTLE_WINDOW_MS)
                .fetch_one(tx.conn())
                .await
                .and_then(|r| r.try_get(0))
                .map_err(StoreError::db("reading sign-in attempts"))?;
                if refused == ACCOUNT_FAILURE_LIMIT as i64 {
                    tx.record(
                        &Actor::System("sign-in".to_owned()),
                        NewEntry::new(Book::Access, "account-locked")
                            .with_ref(who)
                            .with("failures", refused)
                            .with("window_minutes", THROTTLE_WINDOW_MS / 60_000),
                    );
                }
            }
            // The name given has no account: the guesser's text is not kept.
            None => tx.record(
                &Actor::System("sign-in".to_owned()),
                entry.with("account", "none by that name"),
            ),
        }
        tx.commit().await?;
        Ok(SignIn::Refused)
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
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE sign_in_attempts SET outcome = 'cleared' \
             WHERE account = $1 AND outcome = 'refused'",
        )
        .bind(username.as_str())
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("lifting an account's lock"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Access, "account-unlocked")
                .with_ref(user_ref(username.as_str())?)
                .with("reason", reason),
        );
        tx.commit().await
    }

    /// The person behind `token`, if the session is live, noting the request as activity.
    /// A session idle for longer than `idle_limit_ms` is locked (ledgered as
    /// `screen-locked`) and stays locked until [`Store::unlock_session`].
    pub async fn session(&self, token: &str, idle_limit_ms: i64) -> StoreResult<SessionState> {
        self.session_with(token, idle_limit_ms, true).await
    }

    /// As [`Store::session`], without noting any activity: for checks that run on their
    /// own (is a stream's session still live?), which must not keep a session from
    /// locking when nobody is at the screen.
    pub async fn peek_session(&self, token: &str, idle_limit_ms: i64) -> StoreResult<SessionState> {
        self.session_with(token, idle_limit_ms, false).await
    }

    async fn session_with(
        &self,
        token: &str,
        idle_limit_ms: i64,
        touch: bool,
    ) -> StoreResult<SessionState> {
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
        if touch && now - last_seen >= TOUCH_EVERY_MS {
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
        let id = match self.authenticate(&username, password, source).await? {
            Checked::Right(id, _) => id,
            Checked::Stop(answer) => return Ok(Some(answer)),
        };
        let name = Username::parse(&username).map_err(StoreError::Corrupt)?;
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
        clear_attempts(&mut tx, id, &name).await?;
        tx.record(
            &Actor::User(username.clone()),
            NewEntry::new(Book::Access, "screen-unlocked")
                .with_ref(user_ref(&username)?)
                .with_ref(source_ref(source)?),
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

    /// Ends the session behind `token` at its holder's request, whatever state it is in
    /// (locked, or before the declaration is accepted: a holder can always end their own
    /// token), ledgered as the holder's act. `false` when there is no such live session.
    pub async fn end_own_session(&self, token: &str) -> StoreResult<bool> {
        let row = sqlx::query(
            "SELECT username FROM sessions WHERE token_hash = $1 AND ended_at_unix_ms IS NULL",
        )
        .bind(token_hash(token))
        .fetch_optional(self.pool())
        .await
        .map_err(StoreError::db("reading a session"))?;
        let Some(row) = row else {
            return Ok(false);
        };
        let username: String = row
            .try_get(0)
            .map_err(StoreError::db("reading a session"))?;
        self.end_session(token, &Actor::User(username), "signed out")
            .await?;
        Ok(true)
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
