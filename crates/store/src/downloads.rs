//! Downloads (ALT-8, LBU-19, BDC-1, BDC-5): every copy of footage taken out of the scheme
//! as an evidence package — the request, the authorisations it needs, the package made, and
//! what became of the copy: viewed by the recipient, its destruction authorised, destroyed.
//! One `download:ID` reference ties every ledger entry about a copy together; the download
//! log (the trust's Appendix I) is laid out from those entries (`domain::logbook`).
//!
//! Invariants:
//! - A package is made from a download request only once every group of roles the pack's
//!   `[authorise.download]` names has its own person's authorisation ([`groups_wanting`]).
//! - An authorisation is an act of its authoriser: the store is given the authoriser's own
//!   `Subject` (their signed-in session, or their password and second factor checked at
//!   the console) and asks `access::decide_authority` — scope over every camera, training,
//!   licences and deputies included. Nobody authorises the same download twice.
//! - Every change and its ledger entry are written in one transaction.
//! - Every package gets a download id, including a disclosure's release (whose
//!   authorisation is the disclosure's, `crate::disclosures`), so every copy is a row of
//!   the download log.

use custos_base::{Actor, UnixMs};
use custos_domain::Ident;
use custos_domain::access::{
    Grant, Right, RightsTable, Subject, Target, decide_authority, groups_wanting,
};
use custos_domain::ledger::{Book, NewEntry, Reference};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::evidence::{ExportRequest, ExportSummary, Progress};
use crate::store::{Store, WriteTx};

/// Where a download stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownloadState {
    /// Waiting for authorisations.
    Awaiting,
    /// Every authorisation given; the package can be made.
    Authorised,
    /// The package was made.
    Produced,
}

impl DownloadState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Awaiting => "awaiting",
            Self::Authorised => "authorised",
            Self::Produced => "produced",
        }
    }

    fn parse(s: &str) -> StoreResult<Self> {
        match s {
            "awaiting" => Ok(Self::Awaiting),
            "authorised" => Ok(Self::Authorised),
            "produced" => Ok(Self::Produced),
            other => Err(StoreError::Corrupt(format!(
                "a download is in the unknown state {other:?}"
            ))),
        }
    }

    /// In words, for pages and the console.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Awaiting => "waiting for authorisation",
            Self::Authorised => "authorised; the package can be made",
            Self::Produced => "package made",
        }
    }
}

/// An authorisation given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Given {
    /// Who gave it.
    pub username: String,
    /// The role they acted in (for a deputy, the absent role they stood in for).
    pub role: Ident,
    /// For a deputy, the absent roles they stood in for (BDC-1).
    pub as_deputy_for: Option<String>,
    /// When.
    pub at_unix_ms: i64,
}

/// A download: what was asked, who has authorised it, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// Its id, e.g. `D3f9a1c2b7e`: the `download:ID` reference of its entries.
    pub id: String,
    /// Who asked for it to be made (ledger actor text).
    pub requested_by: String,
    /// When.
    pub requested_at_unix_ms: i64,
    /// The package's fields as asked.
    pub request: ExportRequest,
    /// Where it stands.
    pub state: DownloadState,
    /// The authorisations given, in order.
    pub given: Vec<Given>,
    /// The groups of roles still wanting an authoriser, each one person (empty once
    /// authorised).
    pub wanting: Vec<Vec<Ident>>,
    /// The package, once made.
    pub package_id: Option<String>,
}

impl Download {
    /// Who must still authorise, in words: "manager" or "director-of-hr or
    /// academic-registrar, and head-of-security".
    pub fn wanting_words(&self) -> String {
        self.wanting
            .iter()
            .map(|g| {
                g.iter()
                    .map(|r| custos_domain::role::role_words(r.as_str()))
                    .collect::<Vec<_>>()
                    .join(" or ")
            })
            .collect::<Vec<_>>()
            .join(", and ")
    }

    /// Who authorised it, joined for the custody record: "mgr (manager); hos
    /// (head-of-security, as deputy for …)".
    pub fn authorisers(&self) -> String {
        authorisers_of(&self.given)
    }
}

fn authorisers_of(given: &[Given]) -> String {
    given
        .iter()
        .map(|g| match &g.as_deputy_for {
            Some(d) => format!("{} ({}, as deputy for the absent {d})", g.username, g.role),
            None => format!("{} ({})", g.username, g.role),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The request as stored (JSON).
#[derive(Serialize, Deserialize)]
struct Stored {
    exhibit: String,
    cameras: Vec<String>,
    from_unix_ms: i64,
    to_unix_ms: i64,
    requester: String,
    recipient: String,
    purpose: String,
    case_ref: Option<String>,
    keep_as: Option<String>,
    encrypt: bool,
}

impl Stored {
    fn of(r: &ExportRequest) -> Self {
        Self {
            exhibit: r.exhibit.trim().to_owned(),
            cameras: r.cameras.iter().map(Ident::to_string).collect(),
            from_unix_ms: r.from_unix_ms,
            to_unix_ms: r.to_unix_ms,
            requester: r.requester.trim().to_owned(),
            recipient: r.recipient.trim().to_owned(),
            purpose: r.purpose.trim().to_owned(),
            case_ref: r.case_ref.clone(),
            keep_as: r.keep_as.as_ref().map(Ident::to_string),
            encrypt: r.encrypt,
        }
    }

    fn request(self, authoriser: String) -> StoreResult<ExportRequest> {
        let id = |s: &str| {
            Ident::parse(s).map_err(|e| StoreError::Corrupt(format!("a stored download: {e}")))
        };
        Ok(ExportRequest {
            exhibit: self.exhibit,
            cameras: self
                .cameras
                .iter()
                .map(|c| id(c))
                .collect::<StoreResult<_>>()?,
            from_unix_ms: self.from_unix_ms,
            to_unix_ms: self.to_unix_ms,
            requester: self.requester,
            authoriser,
            recipient: self.recipient,
            purpose: self.purpose,
            case_ref: self.case_ref,
            keep_as: self.keep_as.as_deref().map(id).transpose()?,
            encrypt: self.encrypt,
        })
    }
}

/// The `download:ID` reference.
pub(crate) fn download_ref(id: &str) -> StoreResult<Reference> {
    Reference::new("download", id).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn actor_of(subject: &Subject, grant: &Grant) -> Actor {
    match grant.deputy_for() {
        Some(for_roles) => Actor::Deputy {
            user: subject.username.clone(),
            for_roles,
        },
        None => Actor::User(subject.username.clone()),
    }
}

/// A new download id.
pub(crate) fn new_download_id() -> StoreResult<String> {
    Ok(format!("D{}", crate::reviews::random_hex(5)?))
}

/// Inserts download `id` inside `tx`.
pub(crate) async fn insert_download(
    tx: &mut WriteTx,
    id: &str,
    actor: &Actor,
    req: &ExportRequest,
    state: DownloadState,
    now: i64,
) -> StoreResult<()> {
    let json =
        serde_json::to_string(&Stored::of(req)).map_err(|e| StoreError::Invalid(e.to_string()))?;
    sqlx::query(
        "INSERT INTO downloads (id, requested_by, requested_at_unix_ms, request, state) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(actor.to_string())
    .bind(now)
    .bind(json)
    .bind(state.as_str())
    .execute(tx.conn())
    .await
    .map_err(StoreError::db("recording a download"))?;
    Ok(())
}

/// Marks download `id` produced as package `package_id`, inside `tx`.
pub(crate) async fn mark_produced(
    tx: &mut WriteTx,
    id: &str,
    package_id: &str,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE downloads SET state = 'produced', package_id = $1, produced_at_unix_ms = $2 \
         WHERE id = $3",
    )
    .bind(package_id)
    .bind(now)
    .bind(id)
    .execute(tx.conn())
    .await
    .map_err(StoreError::db("recording a download"))?;
    Ok(())
}

impl Store {
    /// The authorisations given for `subject` (`download:ID` or `case:REF`), in order.
    pub(crate) async fn authorisations_given(&self, subject: &str) -> StoreResult<Vec<Given>> {
        let rows = sqlx::query(
            "SELECT username, role, as_deputy_for, at_unix_ms FROM authorisations \
             WHERE subject = $1 ORDER BY at_unix_ms, username",
        )
        .bind(subject)
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading authorisations"))?;
        let get = StoreError::db("reading authorisations");
        rows.iter()
            .map(|r| {
                let role: String = r.try_get(1).map_err(&get)?;
                Ok(Given {
                    username: r.try_get(0).map_err(&get)?,
                    role: Ident::parse(&role).map_err(|e| {
                        StoreError::Corrupt(format!("an authorisation's role {role:?}: {e}"))
                    })?,
                    as_deputy_for: r.try_get(2).map_err(&get)?,
                    at_unix_ms: r.try_get(3).map_err(&get)?,
                })
            })
            .collect()
    }

    /// Records `subject`'s authorisation of `on` (`download:ID` or `case:REF`) for an
    /// authority whose groups are `groups`, inside `tx`: decided by
    /// `access::decide_authority` over `targets` with `right`, refused for someone who has
    /// already authorised it. Returns the role acted in, how it was granted, and the
    /// groups still wanting someone afterwards.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn give_authorisation(
        &self,
        tx: &mut WriteTx,
        subject: &Subject,
        on: &str,
        right: Right,
        groups: &[Vec<Ident>],
        targets: &[Target],
        now: i64,
    ) -> StoreResult<(Ident, Grant, Vec<Vec<Ident>>)> {
        let table = self.rights_table().await?;
        let given = self.authorisations_given(on).await?;
        if given.iter().any(|g| g.username == subject.username) {
            return Err(StoreError::Invalid(format!(
                "{} has already authorised this; another person must give the next authorisation",
                subject.username
            )));
        }
        let pairs: Vec<(String, Ident)> = given
            .iter()
            .map(|g| (g.username.clone(), g.role.clone()))
            .collect();
        let wanting = groups_wanting(groups, &pairs);
        if wanting.is_empty() {
            return Err(StoreError::Invalid(
                "every authorisation this needs has been given already".to_owned(),
            ));
        }
        let roles: Vec<Ident> = wanting.iter().flatten().cloned().collect();
        let (role, grant) = decide_authority(&table, subject, right, &roles, targets)
            .map_err(|d| StoreError::Forbidden(d.to_string()))?;
        sqlx::query(
            "INSERT INTO authorisations (subject, username, role, as_deputy_for, at_unix_ms) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(on)
        .bind(&subject.username)
        .bind(role.as_str())
        .bind(grant.deputy_for())
        .bind(now)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording an authorisation"))?;
        let mut after = pairs;
        after.push((subject.username.clone(), role.clone()));
        Ok((role, grant, groups_wanting(groups, &after)))
    }

    /// Where each camera is, for deciding who may authorise footage from it.
    pub(crate) async fn targets_of(&self, cameras: &[Ident]) -> StoreResult<Vec<Target>> {
        let mut out = Vec::with_capacity(cameras.len());
        for id in cameras {
            let Some(c) = self.camera(id).await? else {
                return Err(StoreError::NotFound(format!(
                    "there is no camera {id}; `custos camera list` shows the register"
                )));
            };
            out.push(self.camera_target(&c).await?);
        }
        Ok(out)
    }

    /// The groups of roles the pack's `[authorise.download]` needs, one person each.
    async fn download_groups(&self) -> StoreResult<Vec<Vec<Ident>>> {
        let Some(policy) = self.active_policy().await? else {
            return Err(StoreError::Invalid("no policy pack is loaded".to_owned()));
        };
        let a = &policy.pack.authorise.download;
        if !a.allowed {
            return Err(StoreError::Forbidden(
                "the scheme's policy does not allow footage to be downloaded".to_owned(),
            ));
        }
        Ok(a.groups())
    }

    /// Asks for an evidence package to be made (ALT-8, BDC-5): the request is checked
    /// ([`Store::check_export`]) and recorded, waiting for its authorisations
    /// (`download-requested`, book `download`). `actor` is whoever asks (their right to
    /// export the cameras is checked by the caller). The request's `authoriser` field is
    /// ignored: authorisers authorise for themselves ([`Store::authorise_download`]).
    pub async fn request_download(
        &self,
        actor: &Actor,
        req: &ExportRequest,
    ) -> StoreResult<Download> {
        let mut req = req.clone();
        req.authoriser = String::new();
        self.check_export(&req).await?;
        self.covert_copy_check(actor, &req.cameras, req.from_unix_ms, req.to_unix_ms)
            .await?;
        self.download_groups().await?;
        let now = self.clock().now().0;
        let mut tx = self.write().await?;
        let id = new_download_id()?;
        insert_download(&mut tx, &id, actor, &req, DownloadState::Awaiting, now).await?;
        let mut entry = NewEntry::new(Book::Download, "download-requested")
            .with_ref(download_ref(&id)?)
            .with("exhibit", req.exhibit.trim())
            .with("requestor", req.requester.trim())
            .with("reason", req.purpose.trim())
            .with("recipient", req.recipient.trim())
            .with("footage_from", UnixMs(req.from_unix_ms).to_rfc3339())
            .with("footage_to", UnixMs(req.to_unix_ms).to_rfc3339());
        for c in &req.cameras {
            entry = entry.with_ref(
                Reference::new("camera", c.as_str())
                    .map_err(|e| StoreError::Invalid(e.to_string()))?,
            );
        }
        tx.record(actor, entry);
        tx.commit().await?;
        self.require_download(&id).await
    }

    /// `authoriser`'s authorisation of download `id` (ALT-8, LBU-19, BDC-1), given in
    /// their own name: they must hold a role still wanted, where every camera is
    /// (`access::decide_authority`). Ledgered `download-authorised` as theirs (as deputy
    /// where that is how they hold it); the download is authorised once no group wants
    /// anyone.
    pub async fn authorise_download(
        &self,
        authoriser: &Subject,
        id: &str,
    ) -> StoreResult<Download> {
        let d = self.require_download(id).await?;
        if d.state != DownloadState::Awaiting {
            return Err(StoreError::Invalid(format!(
                "download {} needs no more authorisations: {}",
                d.id,
                d.state.describe()
            )));
        }
        let groups = self.download_groups().await?;
        let targets = self.targets_of(&d.request.cameras).await?;
        let now = self.clock().now().0;
        let on = format!("download:{}", d.id);
        let mut tx = self.write().await?;
        let (role, grant, wanting) = self
            .give_authorisation(
                &mut tx,
                authoriser,
                &on,
                Right::AuthoriseDownload,
                &groups,
                &targets,
                now,
            )
            .await?;
        if wanting.is_empty() {
            sqlx::query("UPDATE downloads SET state = 'authorised' WHERE id = $1")
                .bind(&d.id)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("authorising a download"))?;
        }
        tx.record(
            &actor_of(authoriser, &grant),
            NewEntry::new(Book::Download, "download-authorised")
                .with_ref(download_ref(&d.id)?)
                .with("role", role.as_str())
                .with("exhibit", d.request.exhibit.as_str())
                .with("complete", wanting.is_empty()),
        );
        tx.commit().await?;
        self.require_download(&d.id).await
    }

    /// Makes the package of authorised download `id` in the new folder `out` (see
    /// [`Store::produce_package`]); its production is ledgered `evidence-produced` with the
    /// download's reference, and the download marked produced, in one transaction.
    pub async fn produce_download(
        &self,
        actor: &Actor,
        footage: &std::path::Path,
        out: &std::path::Path,
        id: &str,
        progress: Progress<'_>,
    ) -> StoreResult<ExportSummary> {
        let d = self.require_download(id).await?;
        match d.state {
            DownloadState::Authorised => {}
            DownloadState::Awaiting => {
                return Err(StoreError::Invalid(format!(
                    "download {} is still waiting for authorisation by {}",
                    d.id,
                    d.wanting_words()
                )));
            }
            DownloadState::Produced => {
                return Err(StoreError::Invalid(format!(
                    "the package of download {} was made already ({}); ask for a new download for another copy",
                    d.id,
                    d.package_id.as_deref().unwrap_or("")
                )));
            }
        }
        self.produce_package(actor, footage, out, &d.request, Some(&d.id), progress)
            .await
    }

    /// Download `id`, if there is one.
    pub async fn download(&self, id: &str) -> StoreResult<Option<Download>> {
        let row = sqlx::query(
            "SELECT id, requested_by, requested_at_unix_ms, request, state, package_id \
             FROM downloads WHERE id = $1",
        )
        .bind(id.trim())
        .fetch_optional(self.pool())
        .await
        .map_err(StoreError::db("reading a download"))?;
        match row {
            Some(r) => Ok(Some(self.download_from(&r).await?)),
            None => Ok(None),
        }
    }

    /// Download `id`, or an error saying there is none.
    pub async fn require_download(&self, id: &str) -> StoreResult<Download> {
        self.download(id).await?.ok_or_else(|| {
            StoreError::NotFound(format!(
                "there is no download {}; `custos download list` lists them",
                id.trim()
            ))
        })
    }

    /// The download package `package_id` was made for, if any.
    pub async fn download_of_package(&self, package_id: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT id FROM downloads WHERE package_id = $1")
            .bind(package_id.trim())
            .fetch_optional(self.pool())
            .await
            .map_err(StoreError::db("reading a download"))?;
        row.map(|r| r.try_get(0))
            .transpose()
            .map_err(StoreError::db("reading a download"))
    }

    /// Downloads, newest first: those not yet made when `open_only`.
    pub async fn downloads(&self, open_only: bool) -> StoreResult<Vec<Download>> {
        let rows = sqlx::query(
            "SELECT id, requested_by, requested_at_unix_ms, request, state, package_id \
             FROM downloads ORDER BY requested_at_unix_ms DESC, id",
        )
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading downloads"))?;
        let mut out = Vec::new();
        for r in &rows {
            let d = self.download_from(r).await?;
            if !open_only || d.state != DownloadState::Produced {
                out.push(d);
            }
        }
        Ok(out)
    }

    /// The downloads waiting for an authorisation `subject` could give now (their Start
    /// page).
    pub async fn downloads_to_authorise(&self, subject: &Subject) -> StoreResult<Vec<Download>> {
        let table: RightsTable = self.rights_table().await?;
        let mut out = Vec::new();
        for d in self.downloads(true).await? {
            if d.state != DownloadState::Awaiting
                || d.given.iter().any(|g| g.username == subject.username)
            {
                continue;
            }
            let roles: Vec<Ident> = d.wanting.iter().flatten().cloned().collect();
            let Ok(targets) = self.targets_of(&d.request.cameras).await else {
                continue;
            };
            if decide_authority(&table, subject, Right::AuthoriseDownload, &roles, &targets).is_ok()
            {
                out.push(d);
            }
        }
        Ok(out)
    }

    async fn download_from(&self, r: &sqlx::any::AnyRow) -> StoreResult<Download> {
        let get = StoreError::db("reading a download");
        let id: String = r.try_get(0).map_err(&get)?;
        let json: String = r.try_get(3).map_err(&get)?;
        let state = DownloadState::parse(&r.try_get::<String, _>(4).map_err(&get)?)?;
        let stored: Stored = serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrupt(format!("download {id}: {e}")))?;
        let given = self.authorisations_given(&format!("download:{id}")).await?;
        let pairs: Vec<(String, Ident)> = given
            .iter()
            .map(|g| (g.username.clone(), g.role.clone()))
            .collect();
        let wanting = if state == DownloadState::Awaiting {
            groups_wanting(&self.download_groups().await.unwrap_or_default(), &pairs)
        } else {
            Vec::new()
        };
        let authoriser = authorisers_of(&given);
        Ok(Download {
            requested_by: r.try_get(1).map_err(&get)?,
            requested_at_unix_ms: r.try_get(2).map_err(&get)?,
            request: stored.request(authoriser)?,
            state,
            given,
            wanting,
            package_id: r.try_get(5).map_err(&get)?,
            id,
        })
    }

    /// Records when the recipient viewed the copy of download `id`, as far as the scheme
    /// knows (ALT-8, Appendix I: "date and time the recording was viewed"), ledgered
    /// `download-viewed` with the time given.
    pub async fn record_download_viewed(
        &self,
        actor: &Actor,
        id: &str,
        viewed_at_unix_ms: i64,
        note: &str,
    ) -> StoreResult<()> {
        let d = self.require_download(id).await?;
        if d.state != DownloadState::Produced {
            return Err(StoreError::Invalid(format!(
                "download {} has no package yet, so nobody can have viewed it",
                d.id
            )));
        }
        let now = self.clock().now().0;
        if viewed_at_unix_ms > now {
            return Err(StoreError::Invalid(
                "the viewing cannot be in the future; give when it happened".to_owned(),
            ));
        }
        let mut tx = self.write().await?;
        tx.record(
            actor,
            NewEntry::new(Book::Download, "download-viewed")
                .with_ref(download_ref(&d.id)?)
                .with("viewed_at", UnixMs(viewed_at_unix_ms).to_rfc3339())
                .with("note", note.trim()),
        );
        tx.commit().await
    }

    /// `authoriser`'s authorisation to destroy the copy of download `id` (ALT-8, Appendix
    /// I): they must be able to authorise deleting retained footage where every camera is
    /// (`access::decide_authority` over `[authorise.delete_retained]`). The holds that kept
    /// the scheme's copy for this download are released, and `download-deletion-authorised`
    /// written, in one transaction; the footage then goes when its retention ends.
    pub async fn authorise_download_deletion(
        &self,
        authoriser: &Subject,
        id: &str,
        reason: &str,
    ) -> StoreResult<()> {
        let d = self.require_download(id).await?;
        if reason.trim().chars().count() < 5 {
            return Err(StoreError::Invalid(
                "say why the copy is to be destroyed".to_owned(),
            ));
        }
        let Some(policy) = self.active_policy().await? else {
            return Err(StoreError::Invalid("no policy pack is loaded".to_owned()));
        };
        let authority = &policy.pack.authorise.delete_retained;
        let table = self.rights_table().await?;
        let targets = self.targets_of(&d.request.cameras).await?;
        let (role, grant) = decide_authority(
            &table,
            authoriser,
            Right::AuthoriseDeletion,
            &authority.roles,
            &targets,
        )
        .map_err(|e| StoreError::Forbidden(e.to_string()))?;
        let actor = actor_of(authoriser, &grant);
        let now = self.clock().now().0;
        let holds: Vec<_> = self
            .holds(false)
            .await?
            .into_iter()
            .filter(|h| h.download_id.as_deref() == Some(d.id.as_str()))
            .collect();
        let mut tx = self.write().await?;
        for h in &holds {
            crate::retention::release_in(&mut tx, &actor, h, reason.trim(), now, None).await?;
        }
        tx.record(
            &actor,
            NewEntry::new(Book::Download, "download-deletion-authorised")
                .with_ref(download_ref(&d.id)?)
                .with("role", role.as_str())
                .with("reason", reason.trim())
                .with(
                    "holds_released",
                    holds.iter().map(|h| h.id.clone()).collect::<Vec<_>>(),
                ),
        );
        tx.commit().await
    }

    /// Those who could give an authorisation download `id` still waits for, and have an
    /// e-mail address to be told at: (user name, address).
    pub async fn authorisers_to_tell(&self, id: &str) -> StoreResult<Vec<(String, String)>> {
        let mut out = Vec::new();
        for u in self.users().await? {
            let Some(email) = u.email.clone().filter(|_| !u.disabled) else {
                continue;
            };
            let subject = self.subject_of(&u.username, None).await?;
            if self
                .downloads_to_authorise(&subject)
                .await?
                .iter()
                .any(|d| d.id == id)
            {
                out.push((u.username, email));
            }
        }
        Ok(out)
    }

    /// Records that `username` was told by e-mail that download `id` waits for their
    /// authorisation (`download-authoriser-told`; the user name, not the address).
    pub async fn record_authoriser_told(&self, id: &str, username: &str) -> StoreResult<()> {
        let d = self.require_download(id).await?;
        let mut tx = self.write().await?;
        tx.record(
            &Actor::System("mail".to_owned()),
            NewEntry::new(Book::Download, "download-authoriser-told")
                .with_ref(download_ref(&d.id)?)
                .with("to", username),
        );
        tx.commit().await
    }

    /// Records that the copy of download `id` was destroyed (ALT-8, Appendix I: "date that
    /// a recording was deleted"), on the day given, ledgered `download-deleted`.
    pub async fn record_download_deleted(
        &self,
        actor: &Actor,
        id: &str,
        deleted_at_unix_ms: i64,
        how: &str,
    ) -> StoreResult<()> {
        let d = self.require_download(id).await?;
        if deleted_at_unix_ms > self.clock().now().0 {
            return Err(StoreError::Invalid(
                "the deletion cannot be in the future; give when it happened".to_owned(),
            ));
        }
        let mut tx = self.write().await?;
        tx.record(
            actor,
            NewEntry::new(Book::Download, "download-deleted")
                .with_ref(download_ref(&d.id)?)
                .with("deleted_at", UnixMs(deleted_at_unix_ms).to_rfc3339())
                .with("how", how.trim()),
        );
        tx.commit().await
    }
}
