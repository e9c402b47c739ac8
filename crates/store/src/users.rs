//! User accounts: who may use Custos, their password (as an Argon2id hash) and the roles
//! they hold where.
//!
//! Invariants:
//! - Accounts are disabled, never deleted: the ledger refers to them by name.
//! - Every change (account added, disabled or enabled, password set, role granted or
//!   revoked) writes its ledger entry in the same transaction (books `config` and
//!   `access`). Entries never contain a password or its hash.
//! - Passwords follow the NCSC rules in `domain::password` and are stored only as Argon2id
//!   hashes in PHC string form ([`ARGON2_MEMORY_KIB`], [`ARGON2_ITERATIONS`],
//!   [`ARGON2_LANES`]); hashing runs off the async threads.
//! - A role must be one the active policy pack knows.
//!
//! Costs: hashing or checking a password takes about 19 MiB of memory and a few tens of
//! milliseconds of one core, by design.

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use custos_base::Actor;
use custos_domain::access::{Assignment, RightsTable, Scope, Username};
use custos_domain::ledger::{Book, NewEntry, Reference};
use custos_domain::{Ident, password, totp};
use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::store::{Store, WriteTx};

/// Argon2id memory cost, KiB (OWASP's minimum recommendation for Argon2id).
pub const ARGON2_MEMORY_KIB: u32 = 19_456;
/// Argon2id passes over memory.
pub const ARGON2_ITERATIONS: u32 = 2;
/// Argon2id parallelism.
pub const ARGON2_LANES: u32 = 1;

/// An account as stored (without its password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// The user name.
    pub username: String,
    /// The person's name.
    pub display_name: String,
    /// Whether the account is disabled.
    pub disabled: bool,
    /// When it was created (ms since the epoch).
    pub created_at_unix_ms: i64,
    /// Who created it.
    pub created_by: String,
    /// The roles held, sorted.
    pub assignments: Vec<Assignment>,
    /// Whether a second factor (TOTP) is set up.
    pub mfa_enrolled: bool,
    /// Where the person is told by e-mail of work waiting for them, if anywhere.
    pub email: Option<String>,
}

fn argon2() -> StoreResult<Argon2<'static>> {
    let params = Params::new(ARGON2_MEMORY_KIB, ARGON2_ITERATIONS, ARGON2_LANES, None)
        .map_err(|e| StoreError::Invalid(format!("password hashing parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// How long a password check waits for its turn before the server answers "busy".
pub const HASH_WAIT_MS: u64 = 3_000;

/// A password hash to run on one of the pool's threads, with that thread's memory.
type HashJob = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// The bound on password hashes running at once: one per core, each on a thread of its own
/// that keeps its Argon2 memory from one hash to the next. Every hash and check of a
/// password goes through it, so a burst of sign-ins cannot take more than that many times
/// [`ARGON2_MEMORY_KIB`] of memory (nor leave freed blocks scattered over the allocator's
/// arenas), nor every core; the rest wait their turn for at most [`HASH_WAIT_MS`], and at
/// most [`HashPool::max_waiting`] wait at all: beyond that the answer is "busy" at once.
/// The threads end when the store is dropped.
#[derive(Debug)]
pub(crate) struct HashPool {
    permits: std::sync::Arc<tokio::sync::Semaphore>,
    waiting: std::sync::atomic::AtomicUsize,
    size: usize,
    wait: std::time::Duration,
    jobs: std::sync::Mutex<std::sync::mpsc::Sender<HashJob>>,
}

impl HashPool {
    /// A pool of one hash per core (from 1 to 8).
    pub(crate) fn new() -> Self {
        let size = std::thread::available_parallelism()
            .map_or(2, std::num::NonZeroUsize::get)
            .clamp(1, 8);
        Self::with_size(size, std::time::Duration::from_millis(HASH_WAIT_MS))
    }

    fn with_size(size: usize, wait: std::time::Duration) -> Self {
        let (jobs, queue) = std::sync::mpsc::channel::<HashJob>();
        let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
        for n in 0..size {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("custos-hash-{n}"))
                .spawn(move || {
                    let mut memory: Vec<Block> = Vec::new();
                    loop {
                        let job = queue
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .recv();
                        match job {
                            Ok(job) => job(&mut memory),
                            Err(_) => break,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password-hashing thread");
            }
        }
        Self {
            permits: std::sync::Arc::new(tokio::sync::Semaphore::new(size)),
            waiting: std::sync::atomic::AtomicUsize::new(0),
            size,
            wait,
            jobs: std::sync::Mutex::new(jobs),
        }
    }

    /// How many hashes run at once.
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// How many may wait for their turn.
    pub(crate) fn max_waiting(&self) -> usize {
        self.size * 16
    }

    /// Runs `work` (a hash, given the thread's Argon2 memory) on one of the pool's threads
    /// when a turn is free; `Busy` when too many are waiting or the turn does not come in
    /// time.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> StoreResult<T> {
        use std::sync::atomic::Ordering;
        let busy = || {
            StoreError::Busy(
                "the server is checking too many passwords at once; try again in a few seconds"
                    .to_owned(),
            )
        };
        let queued = self.waiting.fetch_add(1, Ordering::SeqCst);
        let permit = if queued >= self.max_waiting() {
            None
        } else {
            tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
                .await
                .ok()
                .and_then(Result::ok)
        };
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let permit = permit.ok_or_else(busy)?;
        let (done, result) = tokio::sync::oneshot::channel();
        let job: HashJob = Box::new(move |memory| {
            let _ = done.send(work(memory));
            drop(permit);
        });
        self.jobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .send(job)
            .map_err(|_| {
                StoreError::Invalid("the password-hashing threads have stopped".to_owned())
            })?;
        result.await.map_err(|_| {
            StoreError::Invalid("a password hash stopped before it finished".to_owned())
        })
    }
}

/// Makes `memory` hold at least `blocks` Argon2 blocks (it never shrinks, so a pool thread
/// allocates it once).
fn fit(memory: &mut Vec<Block>, blocks: usize) {
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
}

/// The PHC string of `password` hashed with the current parameters and `salt`, in `memory`.
fn phc_hash(memory: &mut Vec<Block>, password: &[u8], salt: &SaltString) -> StoreResult<String> {
    let bad = |e: argon2::password_hash::Error| {
        StoreError::Invalid(format!("cannot hash the password: {e}"))
    };
    let argon = argon2()?;
    let params = argon.params().clone();
    fit(memory, params.block_count());
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_buf).map_err(bad)?;
    let output = Output::init_with(
        params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN),
        |out| {
            Ok(argon.hash_password_into_with_memory(password, salt_bytes, out, &mut memory[..])?)
        },
    )
    .map_err(bad)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(bad)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `phc` (with its own parameters, so hashes
/// made with older parameters still check), computed in `memory`.
fn phc_matches(memory: &mut Vec<Block>, password: &[u8], phc: &str) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) =
        (Algorithm::try_from(hash.algorithm), Params::try_from(&hash))
    else {
        return false;
    };
    let version = match hash.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        return false;
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    fit(memory, params.block_count());
    let argon = Argon2::new(algorithm, version, params);
    // `Output`'s comparison takes the same time wherever the first difference is.
    Output::init_with(expected.len(), |out| {
        Ok(argon.hash_password_into_with_memory(password, salt_bytes, out, &mut memory[..])?)
    })
    .is_ok_and(|got| got == expected)
}

impl Store {
    /// Hashes a password with a fresh random salt, in its turn ([`HashPool`]).
    async fn hash_password(&self, password: String) -> StoreResult<String> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt)
            .map_err(|e| StoreError::Invalid(format!("no random bytes for a salt: {e}")))?;
        let salt =
            SaltString::encode_b64(&salt).map_err(|e| StoreError::Invalid(format!("salt: {e}")))?;
        self.inner()
            .hashing
            .run(move |memory| phc_hash(memory, password.as_bytes(), &salt))
            .await?
    }

    /// Whether `password` matches a stored hash, in its turn ([`HashPool`]). The stored
    /// hash's own parameters are used, so hashes made with older parameters still check.
    pub(crate) async fn password_matches(
        &self,
        password: String,
        phc: String,
    ) -> StoreResult<bool> {
        self.inner()
            .hashing
            .run(move |memory| phc_matches(memory, password.as_bytes(), &phc))
            .await
    }

    /// How many password hashes run at once, at most.
    pub fn password_checks_at_once(&self) -> usize {
        self.inner().hashing.size()
    }
}

fn user_ref(u: &Username) -> StoreResult<Reference> {
    Reference::new("user", u.as_str()).map_err(|e| StoreError::Invalid(e.to_string()))
}

impl Store {
    /// The rights table of the active policy pack; people cannot be given roles before a
    /// pack is loaded.
    pub async fn rights_table(&self) -> StoreResult<RightsTable> {
        match self.active_policy().await? {
            Some(p) => Ok(RightsTable::from_pack(&p.pack)),
            None => Err(StoreError::Invalid(
                "no policy pack is loaded, so there are no roles yet; load one with `custos policy load FILE`".to_owned(),
            )),
        }
    }

    async fn check_roles(&self, assignments: &[Assignment]) -> StoreResult<()> {
        let table = self.rights_table().await?;
        for a in assignments {
            if !table.knows(a.role.as_str()) {
                return Err(StoreError::Invalid(format!(
                    "the policy pack has no role {:?}; `custos policy show` lists the roles",
                    a.role.as_str()
                )));
            }
        }
        Ok(())
    }

    async fn password_context(&self, username: &Username, display_name: &str) -> Vec<String> {
        let mut ctx = vec![username.to_string(), display_name.to_owned()];
        if let Ok(Some(p)) = self.active_policy().await {
            ctx.push(p.pack.name.clone());
        }
        ctx
    }

    /// Creates an account with a password and roles.
    pub async fn add_user(
        &self,
        actor: &Actor,
        username: &Username,
        display_name: &str,
        password: &str,
        assignments: &[Assignment],
    ) -> StoreResult<UserRecord> {
        let display_name = display_name.trim();
        if display_name.is_empty() {
            return Err(StoreError::Invalid(
                "give the person's name (e.g. --name \"Jane Smith\"), so logbooks say who did what"
                    .to_owned(),
            ));
        }
        if assignments.is_empty() {
            return Err(StoreError::Invalid(
                "give the account at least one role (e.g. --role operator)".to_owned(),
            ));
        }
        self.check_roles(assignments).await?;
        let ctx = self.password_context(username, display_name).await;
        let ctx: Vec<&str> = ctx.iter().map(String::as_str).collect();
        password::check(password, &ctx).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let hash = self.hash_password(password.to_owned()).await?;
        let now = self.clock().now().0;
        let by = actor.to_string();
        let mut tx = self.write().await?;
        let exists = sqlx::query("SELECT username FROM users WHERE username = $1")
            .bind(username.as_str())
            .fetch_optional(tx.conn())
            .await
            .map_err(StoreError::db("looking up a user"))?;
        if exists.is_some() {
            return Err(StoreError::Invalid(format!(
                "there is already an account called {username}; accounts are never deleted, so choose another name"
            )));
        }
        sqlx::query(
            "INSERT INTO users (username, display_name, password_hash, disabled, created_at_unix_ms, created_by) \
             VALUES ($1, $2, $3, 0, $4, $5)",
        )
        .bind(username.as_str())
        .bind(display_name)
        .bind(hash)
        .bind(now)
        .bind(&by)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("adding a user"))?;
        for a in assignments {
            insert_role(&mut tx, username, a, now, &by).await?;
        }
        let roles: Vec<String> = assignments
            .iter()
            .map(|a| format!("{} at {}", a.role, a.scope))
            .collect();
        tx.record(
            actor,
            NewEntry::new(Book::Config, "user-added")
                .with_ref(user_ref(username)?)
                .with("display_name", display_name)
                .with("roles", roles),
        );
        tx.commit().await?;
        self.user(username).await?.ok_or_else(|| {
            StoreError::Corrupt(format!(
                "the account {username} vanished after it was added"
            ))
        })
    }

    /// Sets a new password (after the NCSC rules).
    pub async fn set_password(
        &self,
        actor: &Actor,
        username: &Username,
        password: &str,
    ) -> StoreResult<()> {
        let user = self.require_user(username).await?;
        let ctx = self.password_context(username, &user.display_name).await;
        let ctx: Vec<&str> = ctx.iter().map(String::as_str).collect();
        password::check(password, &ctx).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let hash = self.hash_password(password.to_owned()).await?;
        let mut tx = self.write().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE username = $2")
            .bind(hash)
            .bind(username.as_str())
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("setting a password"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Access, "password-set").with_ref(user_ref(username)?),
        );
        tx.commit().await
    }

    /// Disables or re-enables an account, with the reason.
    pub async fn set_user_disabled(
        &self,
        actor: &Actor,
        username: &Username,
        disabled: bool,
        reason: &str,
    ) -> StoreResult<()> {
        let reason = crate::error::required_reason(reason, "left the school")?;
        let user = self.require_user(username).await?;
        if user.disabled == disabled {
            return Err(StoreError::Invalid(format!(
                "the account {username} is already {}",
                if disabled { "disabled" } else { "enabled" }
            )));
        }
        let mut tx = self.write().await?;
        if disabled && user.assignments.iter().any(is_owner) {
            last_owner_stays(&mut tx, username, "disable").await?;
        }
        sqlx::query("UPDATE users SET disabled = $1 WHERE username = $2")
            .bind(i64::from(disabled))
            .bind(username.as_str())
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("disabling a user"))?;
        tx.record(
            actor,
            NewEntry::new(
                Book::Config,
                if disabled {
                    "user-disabled"
                } else {
                    "user-enabled"
                },
            )
            .with_ref(user_ref(username)?)
            .with("reason", reason),
        );
        tx.commit().await
    }

    /// Sets (or, with `None`, removes) the e-mail address a person is told of work
    /// waiting for them at; ledgered `user-email-set` without the address (personal data
    /// stays on the account).
    pub async fn set_user_email(
        &self,
        actor: &Actor,
        username: &Username,
        email: Option<&str>,
    ) -> StoreResult<()> {
        let email = email.map(str::trim).filter(|e| !e.is_empty());
        if let Some(e) = email {
            let ok = e.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }) && !e
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == ',');
            if !ok {
                return Err(StoreError::Invalid(format!(
                    "{e:?} is not an e-mail address; give one like j.smith@school.example"
                )));
            }
        }
        self.require_user(username).await?;
        let mut tx = self.write().await?;
        sqlx::query("UPDATE users SET email = $1 WHERE username = $2")
            .bind(email)
            .bind(username.as_str())
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("setting an e-mail address"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Config, "user-email-set")
                .with_ref(user_ref(username)?)
                .with("email", if email.is_some() { "set" } else { "removed" }),
        );
        tx.commit().await
    }

    /// Gives a person a role at a scope.
    pub async fn grant_role(
        &self,
        actor: &Actor,
        username: &Username,
        assignment: &Assignment,
    ) -> StoreResult<()> {
        self.check_roles(std::slice::from_ref(assignment)).await?;
        let user = self.require_user(username).await?;
        if user.assignments.contains(assignment) {
            return Err(StoreError::Invalid(format!(
                "{username} already holds {} at {}",
                assignment.role, assignment.scope
            )));
        }
        let now = self.clock().now().0;
        let mut tx = self.write().await?;
        insert_role(&mut tx, username, assignment, now, &actor.to_string()).await?;
        tx.record(
            actor,
            NewEntry::new(Book::Config, "role-granted")
                .with_ref(user_ref(username)?)
                .with("role", assignment.role.as_str())
                .with("scope", assignment.scope.to_string()),
        );
        tx.commit().await
    }

    /// Takes a role at a scope away from a person.
    pub async fn revoke_role(
        &self,
        actor: &Actor,
        username: &Username,
        assignment: &Assignment,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        if is_owner(assignment) {
            last_owner_stays(&mut tx, username, "take the owner role from").await?;
        }
        let done =
            sqlx::query("DELETE FROM user_roles WHERE username = $1 AND role = $2 AND scope = $3")
                .bind(username.as_str())
                .bind(assignment.role.as_str())
                .bind(assignment.scope.to_string())
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("revoking a role"))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!(
                "{username} does not hold {} at {}; `custos user list` shows who holds what",
                assignment.role, assignment.scope
            )));
        }
        tx.record(
            actor,
            NewEntry::new(Book::Config, "role-revoked")
                .with_ref(user_ref(username)?)
                .with("role", assignment.role.as_str())
                .with("scope", assignment.scope.to_string()),
        );
        tx.commit().await
    }

    /// An account, if it exists.
    pub async fn user(&self, username: &Username) -> StoreResult<Option<UserRecord>> {
        Ok(self
            .users_where(Some(username.as_str()))
            .await?
            .into_iter()
            .next())
    }

    async fn require_user(&self, username: &Username) -> StoreResult<UserRecord> {
        self.user(username).await?.ok_or_else(|| {
            StoreError::NotFound(format!(
                "there is no account called {username}; `custos user list` lists them"
            ))
        })
    }

    /// Every account, by user name.
    pub async fn users(&self) -> StoreResult<Vec<UserRecord>> {
        self.users_where(None).await
    }

    async fn users_where(&self, username: Option<&str>) -> StoreResult<Vec<UserRecord>> {
        let rows = sqlx::query(
            "SELECT username, display_name, disabled, created_at_unix_ms, created_by, \
             CASE WHEN totp_secret IS NULL THEN 0 ELSE 1 END, email FROM users \
             WHERE (CAST($1 AS TEXT) IS NULL OR username = $1) ORDER BY username",
        )
        .bind(username)
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading users"))?;
        let roles = sqlx::query(
            "SELECT username, role, scope FROM user_roles \
             WHERE (CAST($1 AS TEXT) IS NULL OR username = $1) ORDER BY username, role, scope",
        )
        .bind(username)
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading roles"))?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let name: String = r.try_get(0).map_err(StoreError::db("reading users"))?;
            let mut assignments = Vec::new();
            for x in roles
                .iter()
                .filter(|x| x.try_get::<String, _>(0).ok().as_deref() == Some(name.as_str()))
            {
                let role: String = x.try_get(1).map_err(StoreError::db("reading roles"))?;
                let scope: String = x.try_get(2).map_err(StoreError::db("reading roles"))?;
                let role = Ident::parse(&role)
                    .map_err(|e| StoreError::Corrupt(format!("stored role of {name}: {e}")))?;
                let scope = Scope::parse(&scope)
                    .map_err(|e| StoreError::Corrupt(format!("stored scope of {name}: {e}")))?;
                assignments.push(Assignment { role, scope });
            }
            out.push(UserRecord {
                username: name,
                display_name: r.try_get(1).map_err(StoreError::db("reading users"))?,
                disabled: r
                    .try_get::<i64, _>(2)
                    .map_err(StoreError::db("reading users"))?
                    != 0,
                created_at_unix_ms: r.try_get(3).map_err(StoreError::db("reading users"))?,
                created_by: r.try_get(4).map_err(StoreError::db("reading users"))?,
                assignments,
                mfa_enrolled: r
                    .try_get::<i32, _>(5)
                    .map_err(StoreError::db("reading users"))?
                    != 0,
                email: r.try_get(6).map_err(StoreError::db("reading users"))?,
            });
        }
        Ok(out)
    }

    /// Whether `password` is the account's password (false for unknown or disabled
    /// accounts). Sign-in attempts are ledgered by the sign-in flow, not here.
    pub async fn check_password(&self, username: &Username, password: &str) -> StoreResult<bool> {
        let row = sqlx::query("SELECT password_hash, disabled FROM users WHERE username = $1")
            .bind(username.as_str())
            .fetch_optional(self.pool())
            .await
            .map_err(StoreError::db("reading a password"))?;
        let Some(row) = row else {
            // Spend the same time as a real check, so timing does not reveal who has an
            // account.
            self.password_matches(password.to_owned(), DUMMY_HASH.to_owned())
                .await?;
            return Ok(false);
        };
        let phc: String = row
            .try_get(0)
            .map_err(StoreError::db("reading a password"))?;
        let disabled: i64 = row
            .try_get(1)
            .map_err(StoreError::db("reading a password"))?;
        let ok = self.password_matches(password.to_owned(), phc).await?;
        Ok(ok && disabled == 0)
    }
}

impl Store {
    /// A new random secret for enrolling a second factor (nothing is stored until
    /// [`Store::enrol_mfa`] confirms it with a code).
    pub fn new_mfa_secret(&self) -> StoreResult<Vec<u8>> {
        let mut secret = vec![0u8; totp::SECRET_BYTES];
        getrandom::fill(&mut secret)
            .map_err(|e| StoreError::Invalid(format!("no random bytes for a secret: {e}")))?;
        Ok(secret)
    }

    /// Sets up the account's second factor once the person has proved, with a code from
    /// their authenticator app, that it holds `secret`. Ledgered (`mfa-enrolled`).
    pub async fn enrol_mfa(
        &self,
        actor: &Actor,
        username: &Username,
        secret: &[u8],
        code: &str,
    ) -> StoreResult<()> {
        if secret.len() < 16 {
            return Err(StoreError::Invalid(
                "the secret is too short; reload the page to get a new one".to_owned(),
            ));
        }
        if self.require_user(username).await?.mfa_enrolled {
            return Err(StoreError::Invalid(
                "a second factor is already set up; replacing it needs your password and a current code from it".to_owned(),
            ));
        }
        let now = self.clock().now().0;
        let Some(step) = totp::verify(secret, code, now, None) else {
            return Err(StoreError::Invalid(
                "that code is not right; check the time on your phone and enter the 6-digit code the app shows now".to_owned(),
            ));
        };
        let sealed = self.master_key()?.seal(&totp_context(username), secret)?;
        let mut tx = self.write().await?;
        sqlx::query("UPDATE users SET totp_secret = $1, totp_last_step = $2 WHERE username = $3")
            .bind(sealed)
            .bind(step)
            .bind(username.as_str())
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("setting up a second factor"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Access, "mfa-enrolled").with_ref(user_ref(username)?),
        );
        tx.commit().await
    }

    /// Replaces the account's second factor with `new_secret`, proved by `new_code` from
    /// the new app, once the person has given their password and a current code from the
    /// factor it replaces — both counted and throttled like a sign-in from `source`, so a
    /// session left open cannot be used to move the factor to someone else's phone.
    /// Ledgered (`mfa-replaced`). `None` once replaced, or the refusal.
    pub async fn replace_mfa(
        &self,
        username: &Username,
        password: &str,
        current_code: &str,
        new_secret: &[u8],
        new_code: &str,
        source: &str,
    ) -> StoreResult<Option<crate::SignIn>> {
        if new_secret.len() < 16 {
            return Err(StoreError::Invalid(
                "the new secret is too short; reload the page to get a new one".to_owned(),
            ));
        }
        let now = self.clock().now().0;
        let Some(new_step) = totp::verify(new_secret, new_code, now, None) else {
            return Err(StoreError::Invalid(
                "the code from the new app is not right; check the time on your phone and enter the 6-digit code it shows now".to_owned(),
            ));
        };
        let sealed = self
            .master_key()?
            .seal(&totp_context(username), new_secret)?;
        let (attempt, mut tx) = match self
            .confirm_identity(username, password, current_code, source)
            .await?
        {
            Ok(confirmed) => confirmed,
            Err(refusal) => return Ok(Some(refusal)),
        };
        sqlx::query("UPDATE users SET totp_secret = $1, totp_last_step = $2 WHERE username = $3")
            .bind(sealed)
            .bind(new_step)
            .bind(username.as_str())
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("replacing a second factor"))?;
        crate::sessions::clear_attempts(&mut tx, attempt, username).await?;
        tx.record(
            &Actor::User(username.to_string()),
            NewEntry::new(Book::Access, "mfa-replaced").with_ref(user_ref(username)?),
        );
        tx.commit().await?;
        Ok(None)
    }

    /// Removes an account's second factor (a lost phone), with the reason; the person sets
    /// up a new one at their next sign-in. Ledgered (`mfa-reset`).
    pub async fn reset_mfa(
        &self,
        actor: &Actor,
        username: &Username,
        reason: &str,
    ) -> StoreResult<()> {
        let reason =
            crate::error::required_reason(reason, "lost phone, identity checked in person")?;
        let user = self.require_user(username).await?;
        if !user.mfa_enrolled {
            return Err(StoreError::Invalid(format!(
                "{username} has no second factor set up"
            )));
        }
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE users SET totp_secret = NULL, totp_last_step = NULL WHERE username = $1",
        )
        .bind(username.as_str())
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("resetting a second factor"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Access, "mfa-reset")
                .with_ref(user_ref(username)?)
                .with("reason", reason),
        );
        tx.commit().await
    }

    /// Checks a second-factor code for an account that has one; `Ok(None)` when the
    /// account has none. A right code's step is remembered in `tx`, so it cannot be used
    /// again.
    pub(crate) async fn check_mfa_in(
        &self,
        tx: &mut WriteTx,
        username: &Username,
        code: Option<&str>,
    ) -> StoreResult<Option<bool>> {
        let row = sqlx::query("SELECT totp_secret, totp_last_step FROM users WHERE username = $1")
            .bind(username.as_str())
            .fetch_optional(tx.conn())
            .await
            .map_err(StoreError::db("reading a second factor"))?;
        let Some(row) = row else { return Ok(None) };
        let secret: Option<String> = row
            .try_get(0)
            .map_err(StoreError::db("reading a second factor"))?;
        let last: Option<i64> = row
            .try_get(1)
            .map_err(StoreError::db("reading a second factor"))?;
        let Some(stored) = secret else {
            return Ok(None);
        };
        let secret = self.open_totp_secret(username, &stored)?;
        let now = self.clock().now().0;
        let Some(step) = code.and_then(|c| totp::verify(&secret, c, now, last)) else {
            return Ok(Some(false));
        };
        sqlx::query("UPDATE users SET totp_last_step = $1 WHERE username = $2")
            .bind(step)
            .bind(username.as_str())
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("noting a second-factor code"))?;
        Ok(Some(true))
    }
}

/// What a second factor's secret is sealed for: the account it belongs to, so a sealed
/// secret copied to another account's row does not open.
fn totp_context(username: &Username) -> String {
    format!("totp:{username}")
}

impl Store {
    /// The second factor's secret as stored for `username`: sealed with the master key
    /// (`v1:…`), or in base32 as schemes before sealing kept it.
    fn open_totp_secret(&self, username: &Username, stored: &str) -> StoreResult<Vec<u8>> {
        if stored.starts_with("v1:") {
            return self.master_key()?.open(&totp_context(username), stored);
        }
        totp::base32_decode(stored).ok_or_else(|| {
            StoreError::Corrupt(format!("{username}'s second factor is stored damaged"))
        })
    }

    /// Seals, with the master key, every second-factor secret still stored in base32 (by a
    /// version of Custos before they were sealed); ledgered once with how many
    /// (`totp-secrets-sealed`). Returns how many.
    pub async fn seal_plain_totp_secrets(&self, actor: &custos_base::Actor) -> StoreResult<u64> {
        let key = self.master_key()?;
        let rows = sqlx::query(
            "SELECT username, totp_secret FROM users WHERE totp_secret IS NOT NULL \
             AND totp_secret NOT LIKE 'v1:%'",
        )
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading second factors"))?;
        if rows.is_empty() {
            return Ok(0);
        }
        let mut tx = self.write().await?;
        let mut n = 0u64;
        for r in &rows {
            let get = StoreError::db("reading second factors");
            let name: String = r.try_get(0).map_err(get)?;
            let plain: String = r.try_get(1).map_err(get)?;
            let username = Username::parse(&name).map_err(StoreError::Corrupt)?;
            let Some(secret) = totp::base32_decode(&plain) else {
                continue;
            };
            sqlx::query("UPDATE users SET totp_secret = $1 WHERE username = $2")
                .bind(key.seal(&totp_context(&username), &secret)?)
                .bind(&name)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("sealing a second factor"))?;
            n += 1;
        }
        tx.record(
            actor,
            NewEntry::new(Book::Config, "totp-secrets-sealed").with("accounts", n),
        );
        tx.commit().await?;
        Ok(n)
    }
}

/// A new random password: four groups of four lower-case letters (about 75 bits), easy
/// to type and read out; the person should change it at first sign-in.
pub fn generate_password() -> StoreResult<String> {
    const LETTERS: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    let mut out = String::new();
    for group in 0..4 {
        if group > 0 {
            out.push('-');
        }
        let mut i = 0;
        while i < 4 {
            let mut b = [0u8; 1];
            getrandom::fill(&mut b)
                .map_err(|e| StoreError::Invalid(format!("no random bytes: {e}")))?;
            // 240 is a multiple of the 24 letters, so rejecting larger bytes keeps the
            // choice unbiased.
            let n = usize::from(b[0]);
            if n < 240 {
                out.push(char::from(LETTERS[n % LETTERS.len()]));
                i += 1;
            }
        }
    }
    Ok(out)
}

/// The SHA-256 of a declaration's text, lower-case hex.
pub fn declaration_sha256(text: &str) -> String {
    use sha2::{Digest, Sha256};
    custos_domain::ledger::to_hex(&Sha256::digest(text.as_bytes()))
}

impl Store {
    /// Whether `username` has accepted the declaration `text` (this exact text).
    pub async fn has_accepted_declaration(
        &self,
        username: &Username,
        text: &str,
    ) -> StoreResult<bool> {
        let row = sqlx::query(
            "SELECT 1 FROM declaration_acceptances WHERE username = $1 AND sha256_hex = $2",
        )
        .bind(username.as_str())
        .bind(declaration_sha256(text))
        .fetch_optional(self.pool())
        .await
        .map_err(StoreError::db("reading declarations"))?;
        Ok(row.is_some())
    }

    /// Records that `username` accepts the declaration `text` (BDC-7), with the text
    /// itself in the ledger entry, so the record shows exactly what was accepted.
    /// Accepting the same text again changes nothing.
    pub async fn accept_declaration(
        &self,
        actor: &Actor,
        username: &Username,
        text: &str,
    ) -> StoreResult<()> {
        if self.has_accepted_declaration(username, text).await? {
            return Ok(());
        }
        let sha = declaration_sha256(text);
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO declaration_acceptances (username, sha256_hex, accepted_at_unix_ms) \
             VALUES ($1, $2, $3)",
        )
        .bind(username.as_str())
        .bind(&sha)
        .bind(self.clock().now().0)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording a declaration"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Access, "declaration-accepted")
                .with_ref(user_ref(username)?)
                .with("sha256", sha)
                .with("text", text),
        );
        tx.commit().await
    }
}

/// An Argon2id hash (of a random password nobody knows) with the current parameters.
pub(crate) const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3Nwx0N9o4b6n1qvL9k4b1mG2C0p0Wm7XHqv0d8cV0uY";

async fn insert_role(
    tx: &mut WriteTx,
    username: &Username,
    a: &Assignment,
    now: i64,
    by: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO user_roles (username, role, scope, granted_at_unix_ms, granted_by) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(username.as_str())
    .bind(a.role.as_str())
    .bind(a.scope.to_string())
    .bind(now)
    .bind(by)
    .execute(tx.conn())
    .await
    .map_err(StoreError::db("granting a role"))?;
    Ok(())
}

impl Store {
    /// Everything authorisation needs to know about `username` now (`access::Subject`):
    /// roles, licence and training, the duty roster, and who is absent where they may
    /// deputise (BDC-1) — for decisions taken at the console, where `client` is `None`,
    /// and wherever no session supplies it.
    pub async fn subject_of(
        &self,
        username: &str,
        client: Option<std::net::IpAddr>,
    ) -> StoreResult<custos_domain::access::Subject> {
        let user = Username::parse(username.trim()).map_err(StoreError::Invalid)?;
        let Some(record) = self.user(&user).await? else {
            return Err(StoreError::NotFound(format!(
                "there is no account called {user}; `custos user list` lists them"
            )));
        };
        let table = self.rights_table().await?;
        let mut subject = custos_domain::access::Subject {
            username: record.username.clone(),
            disabled: record.disabled,
            assignments: record.assignments.clone(),
            competence: self.competence(&record.username).await?,
            absent_roles: Vec::new(),
            client,
        };
        let needs = table.deputy_needs(&subject.assignments);
        if !needs.is_empty() {
            subject.absent_roles = self.absent_roles(&needs).await?;
        }
        Ok(subject)
    }
}

impl Store {
    /// Checks that `name` is an enabled account whose roles give it `right` under the active
    /// pack — someone who may authorise what `right` covers (ALT-8: downloads, deletion of
    /// retained footage) — and returns the user name. The error says who may instead.
    pub async fn authoriser_holding(
        &self,
        name: &str,
        right: custos_domain::access::Right,
    ) -> StoreResult<Username> {
        let user = Username::parse(name.trim()).map_err(StoreError::Invalid)?;
        let Some(record) = self.user(&user).await? else {
            return Err(StoreError::NotFound(format!(
                "there is no account called {user}; `custos user list` lists them"
            )));
        };
        if record.disabled {
            return Err(StoreError::Invalid(format!(
                "the account {user} is disabled"
            )));
        }
        let Some(policy) = self.active_policy().await? else {
            return Err(StoreError::Invalid("no policy pack is loaded".to_owned()));
        };
        let table = RightsTable::from_pack(&policy.pack);
        if record
            .assignments
            .iter()
            .any(|a| table.rights(a.role.as_str()).contains(&right))
        {
            Ok(user)
        } else {
            Err(StoreError::Invalid(format!(
                "{user} may not {} under the scheme's policy; the pack gives that to other roles",
                right.describe()
            )))
        }
    }
}

/// Whether `a` is the owner role over the whole scheme.
fn is_owner(a: &Assignment) -> bool {
    a.role.as_str() == "owner" && a.scope == Scope::Scheme
}

/// Refuses, inside the transaction that would do it, to leave the scheme with no enabled
/// account holding the owner role scheme-wide: someone must always be able to manage it.
async fn last_owner_stays(tx: &mut WriteTx, username: &Username, doing: &str) -> StoreResult<()> {
    let others: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM user_roles r JOIN users u ON u.username = r.username \
         WHERE r.role = 'owner' AND r.scope = $1 AND u.disabled = 0 AND u.username <> $2",
    )
    .bind(Scope::Scheme.to_string())
    .bind(username.as_str())
    .fetch_one(tx.conn())
    .await
    .map_err(StoreError::db("counting the scheme's owners"))?;
    if others == 0 {
        return Err(StoreError::Invalid(format!(
            "{username} is the scheme's only owner: give another person the owner role first, then {doing} {username}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// However many arrive at once, no more hashes run than the pool's size; those that
    /// cannot get a turn in time, or find too many already waiting, are told "busy".
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn password_hashes_run_a_few_at_a_time_and_the_rest_are_told_busy() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let pool = Arc::new(HashPool::with_size(2, std::time::Duration::from_secs(5)));
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let jobs: Vec<_> = (0..24)
            .map(|_| {
                let (pool, running, peak) = (pool.clone(), running.clone(), peak.clone());
                tokio::spawn(async move {
                    pool.run(move |_| {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
                })
            })
            .collect();
        for j in jobs {
            j.await
                .expect("joins")
                .expect("each gets its turn within the wait");
        }
        assert_eq!(peak.load(Ordering::SeqCst), 2);

        // A short wait: most of a burst is told "busy" instead of queueing without end.
        let pool = Arc::new(HashPool::with_size(1, std::time::Duration::from_millis(50)));
        let jobs: Vec<_> = (0..40)
            .map(|_| {
                let pool = pool.clone();
                tokio::spawn(async move {
                    pool.run(|_| std::thread::sleep(std::time::Duration::from_millis(30)))
                        .await
                })
            })
            .collect();
        let mut busy = 0;
        for j in jobs {
            if let Err(e) = j.await.expect("joins") {
                assert!(matches!(e, StoreError::Busy(_)), "{e}");
                busy += 1;
            }
        }
        assert!((30..40).contains(&busy), "{busy} of 40 busy");
    }

    #[test]
    fn hashes_made_in_reused_memory_are_standard_argon2id_phc_strings() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let mut memory = Vec::new();
        let salt = SaltString::encode_b64(b"0123456789abcdef").expect("salt");
        let ours = phc_hash(&mut memory, b"walnut kettle lamp", &salt).expect("hash");
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        let parsed = PasswordHash::new(&ours).expect("parses");
        assert!(
            Argon2::default()
                .verify_password(b"walnut kettle lamp", &parsed)
                .is_ok()
        );
        let theirs = argon2()
            .expect("params")
            .hash_password(b"orchard violin teapot", &salt)
            .expect("hash")
            .to_string();
        assert!(phc_matches(&mut memory, b"orchard violin teapot", &theirs));
        assert!(!phc_matches(
            &mut memory,
            b"orchard violin teapots",
            &theirs
        ));
        assert!(phc_matches(&mut memory, b"walnut kettle lamp", &ours));
        assert!(!phc_matches(
            &mut memory,
            b"walnut kettle lamp",
            "not a hash"
        ));
        assert_eq!(
            memory.len(),
            ARGON2_MEMORY_KIB as usize,
            "memory is kept, not regrown"
        );
    }

    #[test]
    fn the_dummy_hash_is_a_real_argon2id_hash_with_the_current_parameters() {
        let h = PasswordHash::new(DUMMY_HASH).expect("parses");
        assert_eq!(h.algorithm.as_str(), "argon2id");
        let p = Params::try_from(&h).expect("params");
        assert_eq!(
            (p.m_cost(), p.t_cost(), p.p_cost()),
            (ARGON2_MEMORY_KIB, ARGON2_ITERATIONS, ARGON2_LANES)
        );
    }
}
