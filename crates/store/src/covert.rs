//! Covert surveillance authorisations on the case engine (LJM-4, LBU-11, BDC-16): the
//! scheme's own covert recording and police or council authorisations under RIPA, each a
//! case of kind `covert-authorisation` (`COV-2026-0001`) whose details live in
//! `case_covert` and its side tables, keyed by the case's reference. Every rule —
//! validation, when it takes effect and expires, renewals, status, who may review its
//! footage, how long footage and record are kept — is `custos_domain::covert`'s; this
//! module stores, loads and ledgers.
//!
//! Invariants:
//! - Every change writes its ledger entry (book `case`) in the same transaction: the
//!   opening (`case-opened`), a justice's approval (`case-approve-judicially`), reviews
//!   (`case-review`), renewals (`case-renew`) and the cancellation (`case-cancel`, with the
//!   notices to the team written in the same transaction). Entries carry the reference,
//!   kinds, times and counts, never the rationale, the grounds' text, the areas, the team or
//!   the reasons, which the ledger could not forget and which would reveal the operation to
//!   everyone who reads the logbooks: their SHA-256 stands in.
//! - The state moves only through `domain::case::transition`; `Store::act_on_case` refuses
//!   a covert authorisation's steps, which carry more than a reason.
//! - The scheme's own authorisation is recorded only by someone acting in a role of the
//!   pack's `[authorise.covert_recording]` (`access::decide_authority`, deputies included),
//!   in their own name; a police or council authorisation by anyone who works these cases.
//! - While an authorisation is in force, footage of its cameras in its range opens for
//!   review only to its team and the pack's covert-recording roles
//!   ([`Store::covert_review_check`], asked by `Store::open_review` for every review), and
//!   only they take a copy of it ([`Store::covert_copy_check`], asked when a download is
//!   requested and when any package is made).
//! - Footage gathered under a RIPA authorisation is held under the pack's RIPA class
//!   (`covert::footage_class`, five years or more) from the moment it takes effect, renewals
//!   included; on cancellation the holds are replaced by one over what was actually
//!   covered, counted from the cancellation. A pack without that class holds nothing: the
//!   footage follows each camera's normal retention, and what is needed as evidence leaves
//!   through a disclosure to the authorising body (whose own retention then applies). The
//!   scheme's own covert recording is outside RIPA: its footage follows the normal
//!   retention too, which deletes irrelevant material (LJM-4, LBU-11).
//! - The record itself is a case, and no code path deletes a case: it is kept at least
//!   [`custos_domain::covert::RECORD_KEPT_AFTER_END`] after it ends (see
//!   [`Covert::record_kept_until_unix_ms`]).

use custos_base::{Actor, UnixMs};
use custos_domain::Ident;
use custos_domain::access::{Right, Subject};
use custos_domain::case::{Action, CaseKind, CaseState, transition};
use custos_domain::covert::{
    self, AuthorisingBody, BodyKind, CovertRecord, CovertStatus, CrimeThreshold, Draft, Ground,
    Renewal, Review, Route, SurveillanceType,
};
use custos_domain::ledger::{Book, NewEntry, Reference, to_hex};
use custos_domain::policy::Authority;
use custos_domain::retention::HoldRequest;
use jiff::civil::Date;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::cases::{Case, NewCase};
use crate::error::{StoreError, StoreResult};
use crate::store::{Store, WriteTx};

/// A new authorisation as entered: the domain's draft, and what the case records besides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCovert {
    /// The authorisation as entered (checked by `covert::validate`).
    pub draft: Draft,
    /// The areas or places the surveillance concerns, in words.
    pub areas: String,
    /// The case's line on the dashboard: no names, no target (e.g. "Thefts from the
    /// staff car park").
    pub summary: String,
}

/// A step on an authorisation, with what it states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CovertStep {
    /// A justice of the peace approved a council's authorisation at this time (RIPA s32A).
    ApproveJudicially {
        /// When.
        approved_at_unix_ms: i64,
    },
    /// The authorising officer reviewed it.
    Review {
        /// What the review found (kept with the case, not in the ledger).
        findings: String,
        /// The UK day of the next review, while it is in force.
        next_review_on: Date,
    },
    /// The authorising officer renewed it before it expired.
    Renew {
        /// When it was renewed; now when `None`.
        granted_at_unix_ms: Option<i64>,
        /// A council's renewal: when a justice approved it (required: it counts only then).
        jp_approved_at_unix_ms: Option<i64>,
        /// The scheme's own: the new time limit (last millisecond).
        until_unix_ms: Option<i64>,
        /// Why it is still necessary and proportionate.
        reasons: String,
        /// The UK day of the next review, if set now.
        next_review_on: Option<Date>,
    },
    /// The authorising officer cancelled it; the team is told.
    Cancel {
        /// Why (the investigation ended, the grounds no longer hold…).
        reason: String,
    },
}

impl CovertStep {
    /// The case engine's action for this step.
    pub fn action(&self) -> Action {
        match self {
            Self::ApproveJudicially { .. } => Action::ApproveJudicially,
            Self::Review { .. } => Action::Review,
            Self::Renew { .. } => Action::Renew,
            Self::Cancel { .. } => Action::Cancel,
        }
    }
}

/// A review as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRecord {
    /// The UK day it was due.
    pub due_on: Date,
    /// When it was done, by whom (ledger actor text), and what it found.
    pub done: Option<(i64, String, String)>,
}

/// A renewal as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenewalRecord {
    /// The renewal.
    pub renewal: Renewal,
    /// Why.
    pub reasons: String,
    /// Who recorded it (ledger actor text).
    pub recorded_by: String,
}

/// A notice given to a member of the team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The case.
    pub reference: String,
    /// Who was told.
    pub username: String,
    /// When.
    pub at_unix_ms: i64,
    /// What.
    pub message: String,
}

/// An authorisation with everything recorded about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Covert {
    /// Its case's reference.
    pub reference: String,
    /// The domain's record, for its rules.
    pub record: CovertRecord,
    /// The areas in words.
    pub areas: String,
    /// The scheme's own: the pack role the person who recorded it acted in.
    pub authorised_role: Option<String>,
    /// Its reviews, in order of due day.
    pub reviews: Vec<ReviewRecord>,
    /// Its renewals, in order.
    pub renewals: Vec<RenewalRecord>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// The notices its team was given.
    pub notices: Vec<Notice>,
    /// How it stands now.
    pub status: CovertStatus,
}

impl Covert {
    /// The earliest its central record may be destroyed: three years after it ended
    /// (`None` while it has not ended).
    pub fn record_kept_until_unix_ms(&self) -> Option<i64> {
        self.status
            .ended_at_unix_ms()
            .map(covert::record_kept_until)
    }
}

fn case_ref(reference: &str) -> StoreResult<Reference> {
    Reference::new("case", reference).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn sha256(text: &str) -> String {
    to_hex(&Sha256::digest(text.trim().as_bytes()))
}

fn actor_name(actor: &Actor) -> String {
    match actor {
        Actor::User(n) | Actor::Deputy { user: n, .. } | Actor::Console(n) => n.clone(),
        Actor::System(n) => n.clone(),
    }
}

/// The authority a stored authorisation is re-read against: the pack's permission for the
/// scheme's own recording was checked when it was recorded, so a later pack forbidding it
/// does not make the record unreadable.
fn reading_authority() -> Authority {
    Authority {
        allowed: true,
        roles: Vec::new(),
        all_of: Vec::new(),
        external: None,
        documents: Vec::new(),
        encrypted: false,
    }
}

/// What `open_case_with` writes for a covert authorisation, checked.
#[derive(Debug, Clone)]
pub(crate) struct Intake {
    pub(crate) authorisation: covert::Authorisation,
    pub(crate) areas: String,
    pub(crate) authorised_role: Option<String>,
}

impl Intake {
    /// The state its case starts in: a council's awaits a justice's approval.
    pub(crate) fn initial_state(&self) -> CaseState {
        if self.authorisation.body().needs_judicial_approval() {
            CaseState::Received
        } else {
            CaseState::InProgress
        }
    }
}

/// Records `intake` for case `reference` (called by `open_case_with`, inside its
/// transaction), with the hold on its footage if it is in force at once; returns the
/// fields for the `case-opened` entry.
pub(crate) async fn insert(
    tx: &mut WriteTx,
    actor: &Actor,
    reference: &str,
    intake: &Intake,
    pack: &custos_domain::PolicyPack,
    now: i64,
) -> StoreResult<Vec<(&'static str, String)>> {
    let a = &intake.authorisation;
    let (organisation, urn, until) = match a.body() {
        AuthorisingBody::Scheme { until_unix_ms } => (String::new(), None, Some(*until_unix_ms)),
        AuthorisingBody::Police { force, urn } => (force.clone(), Some(urn.to_string()), None),
        AuthorisingBody::LocalAuthority { council } => (council.clone(), None, None),
    };
    sqlx::query(
        "INSERT INTO case_covert (reference, surveillance, body, organisation, urn, route, \
         grounds, crime_threshold, rationale, until_unix_ms, authorised_by, authorised_role, \
         areas, granted_at_unix_ms, first_review_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(reference)
    .bind(a.surveillance().as_str())
    .bind(a.body().kind().as_str())
    .bind(&organisation)
    .bind(urn)
    .bind(a.route().as_str())
    .bind(
        a.grounds()
            .iter()
            .map(|g| g.as_str())
            .collect::<Vec<_>>()
            .join(","),
    )
    .bind(a.crime_threshold().map(|c| c.as_str()))
    .bind(a.rationale())
    .bind(until)
    .bind(a.authorised_by())
    .bind(intake.authorised_role.as_deref())
    .bind(intake.areas.trim())
    .bind(a.granted_at_unix_ms())
    .bind(a.first_review_on().to_string())
    .execute(tx.conn())
    .await
    .map_err(StoreError::db("recording a covert authorisation"))?;
    for c in a.cameras() {
        sqlx::query("INSERT INTO covert_cameras (reference, camera_id) VALUES ($1, $2)")
            .bind(reference)
            .bind(c.as_str())
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("recording a covert authorisation's cameras"))?;
    }
    for u in a.team() {
        sqlx::query("INSERT INTO covert_team (reference, username) VALUES ($1, $2)")
            .bind(reference)
            .bind(u.as_str())
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("recording a covert authorisation's team"))?;
    }
    sqlx::query("INSERT INTO covert_reviews (reference, due_on) VALUES ($1, $2)")
        .bind(reference)
        .bind(a.first_review_on().to_string())
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording a covert authorisation's review"))?;
    let record = CovertRecord::new(a.clone());
    let mut fields = vec![
        ("surveillance", a.surveillance().as_str().to_owned()),
        ("body", a.body().kind().as_str().to_owned()),
        ("route", a.route().as_str().to_owned()),
        ("cameras", a.cameras().len().to_string()),
        ("team", a.team().len().to_string()),
        ("rationale_sha256", sha256(a.rationale())),
        ("first_review", a.first_review_on().to_string()),
    ];
    if let Some(span) = record.in_force(now).map_err(covert_error)? {
        fields.push((
            "takes_effect",
            UnixMs(span.takes_effect_at_unix_ms).to_rfc3339(),
        ));
        fields.push(("expires", UnixMs(span.expires_at_unix_ms).to_rfc3339()));
        hold_ripa_footage(
            tx,
            actor,
            reference,
            &record,
            pack,
            span.takes_effect_at_unix_ms,
            span.expires_at_unix_ms + 1,
            now,
        )
        .await?;
    }
    Ok(fields)
}

fn covert_error(e: covert::CovertError) -> StoreError {
    StoreError::Invalid(e.to_string())
}

/// Holds footage of `record`'s cameras from `from` to `to` under the pack's RIPA class
/// (BDC-16), linked to the case; nothing for the scheme's own recording or a pack without
/// the class (see the module's invariants).
#[allow(clippy::too_many_arguments)]
async fn hold_ripa_footage(
    tx: &mut WriteTx,
    actor: &Actor,
    reference: &str,
    record: &CovertRecord,
    pack: &custos_domain::PolicyPack,
    from: i64,
    to: i64,
    now: i64,
) -> StoreResult<Option<String>> {
    if record.authorisation.body().kind() == BodyKind::Scheme || to <= from {
        return Ok(None);
    }
    let Ok(class) = covert::footage_class(pack) else {
        return Ok(None);
    };
    let req = HoldRequest {
        cameras: record.authorisation.cameras().to_vec(),
        from_unix_ms: from,
        to_unix_ms: to,
        class: class.id.clone(),
        reason: format!(
            "footage gathered under covert surveillance authorisation {reference} (BDC-16)"
        ),
        owner: match actor {
            Actor::System(_) => pack.controller.dpo.clone(),
            other => actor_name(other),
        },
        until_unix_ms: None,
        case_ref: Some(reference.to_owned()),
    };
    let id = crate::retention::insert_hold(tx, actor, &req, pack, UnixMs(now), None).await?;
    sqlx::query("INSERT INTO case_holds (reference, hold_id) VALUES ($1, $2)")
        .bind(reference)
        .bind(&id)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("linking a hold to a case"))?;
    Ok(Some(id))
}

fn parse_date(text: &str) -> StoreResult<Date> {
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("the date {text:?}: {e}")))
}

impl Store {
    /// Opens a covert authorisation (ledgered `case-opened`, with the hold on its footage
    /// when it is in force at once): checked by `covert::validate` against the pack, its
    /// cameras in the register and its team among the enabled accounts. `recorder` is the
    /// person recording it: for the scheme's own they must act in a role of the pack's
    /// `[authorise.covert_recording]` (deputies included); `actor` is who the web or the
    /// console found them acting as.
    pub async fn open_covert(
        &self,
        actor: &Actor,
        recorder: &Subject,
        new: &NewCovert,
    ) -> StoreResult<Case> {
        let policy = self
            .active_policy()
            .await?
            .ok_or_else(|| StoreError::Invalid("no policy pack is loaded".to_owned()))?;
        let pack = &policy.pack;
        let now = self.clock().now().0;
        let mut draft = new.draft.clone();
        let mut problems = Vec::new();
        let mut authorised_role = None;
        let mut actor = actor.clone();
        if draft.body == BodyKind::Scheme && pack.authorise.covert_recording.allowed {
            let table = self.rights_table().await?;
            let targets = self.targets_of(&draft.cameras).await?;
            let (role, grant) = custos_domain::access::decide_authority(
                &table,
                recorder,
                Right::WorkCases,
                &pack.authorise.covert_recording.roles,
                &targets,
            )
            .map_err(|d| {
                StoreError::Forbidden(format!(
                    "the scheme's own covert recording is authorised only by the people the code names: {d}"
                ))
            })?;
            if let Some(for_roles) = grant.deputy_for() {
                actor = Actor::Deputy {
                    user: recorder.username.clone(),
                    for_roles,
                };
            }
            if draft.authorised_by.trim().is_empty() {
                draft.authorised_by = format!(
                    "{} ({})",
                    recorder.username,
                    custos_domain::role::role_words(role.as_str())
                );
            }
            authorised_role = Some(role.to_string());
        }
        if draft.granted_at_unix_ms > now {
            problems.push(
                "the time it was granted is in the future; record an authorisation once it has been granted".to_owned(),
            );
        }
        if new.areas.trim().is_empty() {
            problems.push(
                "say which areas or places the surveillance concerns (its location is logged before it starts, BDC-16)".to_owned(),
            );
        }
        if new.summary.trim().is_empty() {
            problems.push(
                "say in a line what it is about, without names (the cases dashboard shows it)"
                    .to_owned(),
            );
        }
        for c in &draft.cameras {
            if self.camera(c).await?.is_none() {
                problems.push(format!(
                    "there is no camera {c}; `custos camera list` shows the register"
                ));
            }
        }
        for name in &draft.team {
            if let Ok(u) = custos_domain::access::Username::parse(name.trim()) {
                match self.user(&u).await? {
                    Some(r) if !r.disabled => {}
                    Some(_) => problems.push(format!(
                        "{u}'s account is disabled; name only people who can work on the surveillance"
                    )),
                    None => problems.push(format!(
                        "there is no account called {u}; `custos user list` lists them"
                    )),
                }
            }
        }
        let authorisation = match covert::validate(&draft, &pack.authorise.covert_recording) {
            Ok(a) if problems.is_empty() => a,
            Ok(_) => return Err(StoreError::Invalid(problems.join("; "))),
            Err(mut more) => {
                more.extend(problems);
                return Err(StoreError::Invalid(more.join("; ")));
            }
        };
        let body = authorisation.body();
        let requester_name = authorisation.authorised_by().to_owned();
        let requester_contact = match body {
            AuthorisingBody::Scheme { .. } => "the scheme itself".to_owned(),
            AuthorisingBody::Police { force, urn } => format!("{force}, reference {urn}"),
            AuthorisingBody::LocalAuthority { council } => council.clone(),
        };
        let intake = Intake {
            authorisation,
            areas: new.areas.trim().to_owned(),
            authorised_role,
        };
        let case = NewCase {
            kind: CaseKind::Covert,
            received_at_unix_ms: draft.granted_at_unix_ms,
            channel: "staff".to_owned(),
            summary: new.summary.clone(),
            requester_name,
            requester_contact,
            details: String::new(),
            sighting: None,
            incident_at_unix_ms: None,
            raised_late: false,
        };
        self.open_case_with(&actor, &case, None, None, Some(&intake), None)
            .await
            .map(|(c, _)| c)
    }

    /// The covert authorisation of case `reference`, with how it stands now; `None` if the
    /// case is not one.
    pub async fn covert(&self, reference: &str) -> StoreResult<Option<Covert>> {
        let get = StoreError::db("reading a covert authorisation");
        let Some(r) = sqlx::query(
            "SELECT surveillance, body, organisation, urn, route, grounds, crime_threshold, \
             rationale, until_unix_ms, authorised_by, authorised_role, areas, \
             granted_at_unix_ms, first_review_on, jp_approved_at_unix_ms, \
             cancelled_at_unix_ms, cancel_reason FROM case_covert WHERE reference = $1",
        )
        .bind(reference.trim())
        .fetch_optional(self.pool())
        .await
        .map_err(get)?
        else {
            return Ok(None);
        };
        let reference = reference.trim().to_owned();
        let corrupt =
            |e: String| StoreError::Corrupt(format!("covert authorisation {reference}: {e}"));
        let text = |i: usize| r.try_get::<String, _>(i).map_err(get);
        let opt = |i: usize| r.try_get::<Option<String>, _>(i).map_err(get);
        let opt_ms = |i: usize| r.try_get::<Option<i64>, _>(i).map_err(get);
        let strings = |sql: &'static str| {
            let reference = reference.clone();
            async move {
                sqlx::query(sql)
                    .bind(&reference)
                    .fetch_all(self.pool())
                    .await
                    .map_err(get)?
                    .iter()
                    .map(|x| x.try_get::<String, _>(0).map_err(get))
                    .collect::<StoreResult<Vec<String>>>()
            }
        };
        let cameras =
            strings("SELECT camera_id FROM covert_cameras WHERE reference = $1 ORDER BY camera_id")
                .await?
                .iter()
                .map(|c| Ident::parse(c).map_err(|e| corrupt(e.to_string())))
                .collect::<StoreResult<Vec<_>>>()?;
        let team =
            strings("SELECT username FROM covert_team WHERE reference = $1 ORDER BY username")
                .await?;
        let grounds = text(5)?
            .split(',')
            .filter(|g| !g.is_empty())
            .map(|g| g.parse::<Ground>().map_err(corrupt))
            .collect::<StoreResult<Vec<_>>>()?;
        let draft = Draft {
            surveillance: text(0)?.parse::<SurveillanceType>().map_err(corrupt)?,
            body: text(1)?.parse::<BodyKind>().map_err(corrupt)?,
            organisation: text(2)?,
            urn: opt(3)?,
            route: text(4)?.parse::<Route>().map_err(corrupt)?,
            grounds,
            crime_threshold: opt(6)?
                .map(|c| c.parse::<CrimeThreshold>().map_err(corrupt))
                .transpose()?,
            rationale: text(7)?,
            until_unix_ms: opt_ms(8)?,
            authorised_by: text(9)?,
            cameras,
            team,
            granted_at_unix_ms: r.try_get(12).map_err(get)?,
            first_review_on: Some(parse_date(&text(13)?)?),
        };
        let authorisation =
            covert::validate(&draft, &reading_authority()).map_err(|p| corrupt(p.join("; ")))?;
        let reviews = sqlx::query(
            "SELECT due_on, done_at_unix_ms, done_by, findings FROM covert_reviews \
             WHERE reference = $1 ORDER BY due_on, done_at_unix_ms",
        )
        .bind(&reference)
        .fetch_all(self.pool())
        .await
        .map_err(get)?
        .iter()
        .map(|x| {
            let done: Option<i64> = x.try_get(1).map_err(get)?;
            Ok(ReviewRecord {
                due_on: parse_date(&x.try_get::<String, _>(0).map_err(get)?)?,
                done: match done {
                    Some(at) => Some((
                        at,
                        x.try_get::<Option<String>, _>(2)
                            .map_err(get)?
                            .unwrap_or_default(),
                        x.try_get::<Option<String>, _>(3)
                            .map_err(get)?
                            .unwrap_or_default(),
                    )),
                    None => None,
                },
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
        let renewals = sqlx::query(
            "SELECT granted_at_unix_ms, jp_approved_at_unix_ms, until_unix_ms, reasons, \
             recorded_by FROM covert_renewals WHERE reference = $1 ORDER BY granted_at_unix_ms",
        )
        .bind(&reference)
        .fetch_all(self.pool())
        .await
        .map_err(get)?
        .iter()
        .map(|x| {
            Ok(RenewalRecord {
                renewal: Renewal {
                    granted_at_unix_ms: x.try_get(0).map_err(get)?,
                    jp_approved_at_unix_ms: x.try_get(1).map_err(get)?,
                    until_unix_ms: x.try_get(2).map_err(get)?,
                },
                reasons: x.try_get(3).map_err(get)?,
                recorded_by: x.try_get(4).map_err(get)?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
        let notices = sqlx::query(
            "SELECT reference, username, at_unix_ms, message FROM covert_notices \
             WHERE reference = $1 ORDER BY at_unix_ms, username",
        )
        .bind(&reference)
        .fetch_all(self.pool())
        .await
        .map_err(get)?
        .iter()
        .map(notice_from)
        .collect::<StoreResult<Vec<_>>>()?;
        let record = CovertRecord {
            authorisation,
            jp_approved_at_unix_ms: opt_ms(14)?,
            renewals: renewals.iter().map(|x| x.renewal.clone()).collect(),
            reviews: reviews
                .iter()
                .map(|x| Review {
                    due_on: x.due_on,
                    done_at_unix_ms: x.done.as_ref().map(|d| d.0),
                })
                .collect(),
            cancelled_at_unix_ms: opt_ms(15)?,
        };
        let now = self.clock().now().0;
        let status = covert::status(&record, now).map_err(|e| corrupt(e.to_string()))?;
        Ok(Some(Covert {
            record,
            areas: text(11)?,
            authorised_role: opt(10)?,
            reviews,
            renewals,
            cancel_reason: opt(16)?,
            notices,
            status,
            reference,
        }))
    }

    async fn require_covert(&self, reference: &str) -> StoreResult<(Case, Covert)> {
        let case = self.case(reference).await?.ok_or_else(|| {
            StoreError::NotFound(format!(
                "there is no case {reference}; references look like COV-2026-0001"
            ))
        })?;
        let covert = self.covert(&case.reference).await?.ok_or_else(|| {
            StoreError::Invalid(format!(
                "{} is not a covert surveillance authorisation",
                case.reference
            ))
        })?;
        Ok((case, covert))
    }

    /// Takes `step` on covert authorisation `reference` (checked by the case's state
    /// machine and `domain::covert`), ledgered `case-ACTION` in the same transaction as
    /// the change, its holds and, for a cancellation, the notices to its team. Returns the
    /// case as it now is.
    pub async fn covert_step(
        &self,
        actor: &Actor,
        reference: &str,
        step: &CovertStep,
    ) -> StoreResult<Case> {
        let (case, c) = self.require_covert(reference).await?;
        let action = step.action();
        let next = transition(case.kind, case.state, case.progress(), action)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let pack = self
            .active_policy()
            .await?
            .ok_or_else(|| StoreError::Invalid("no policy pack is loaded".to_owned()))?
            .pack;
        let now = self.clock().now().0;
        let today = UnixMs(now)
            .to_timestamp()
            .and_then(|t| custos_domain::calendar::uk_day(t).ok())
            .ok_or_else(|| StoreError::Invalid("the clock is out of range".to_owned()))?;
        let reason_needed = |text: &str| {
            if text.trim().chars().count() < 5 {
                Err(StoreError::Invalid(format!(
                    "say why ({}): it goes into the authorisation's record",
                    action.describe()
                )))
            } else {
                Ok(())
            }
        };
        let mut entry = NewEntry::new(Book::Case, action.ledger_kind())
            .with_ref(case_ref(&case.reference)?)
            .with("from", case.state.as_str())
            .with("to", next.as_str());
        let mut tx = self.write().await?;
        match step {
            CovertStep::ApproveJudicially {
                approved_at_unix_ms,
            } => {
                let at = *approved_at_unix_ms;
                if at < c.record.authorisation.granted_at_unix_ms() || at > now {
                    return Err(StoreError::Invalid(
                        "the justice's approval must fall between the grant and now".to_owned(),
                    ));
                }
                sqlx::query(
                    "UPDATE case_covert SET jp_approved_at_unix_ms = $1 WHERE reference = $2",
                )
                .bind(at)
                .bind(&case.reference)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("recording a justice's approval"))?;
                let mut record = c.record.clone();
                record.jp_approved_at_unix_ms = Some(at);
                entry = entry.with("approved", UnixMs(at).to_rfc3339());
                if let Some(span) = record.in_force(now).map_err(covert_error)? {
                    entry = entry
                        .with(
                            "takes_effect",
                            UnixMs(span.takes_effect_at_unix_ms).to_rfc3339(),
                        )
                        .with("expires", UnixMs(span.expires_at_unix_ms).to_rfc3339());
                    hold_ripa_footage(
                        &mut tx,
                        actor,
                        &case.reference,
                        &record,
                        &pack,
                        span.takes_effect_at_unix_ms,
                        span.expires_at_unix_ms + 1,
                        now,
                    )
                    .await?;
                }
            }
            CovertStep::Review {
                findings,
                next_review_on,
            } => {
                reason_needed(findings)?;
                let expiry = match c.status {
                    CovertStatus::InForce {
                        expires_at_unix_ms, ..
                    }
                    | CovertStatus::ReviewOverdue {
                        expires_at_unix_ms, ..
                    } => expires_at_unix_ms,
                    other => {
                        return Err(StoreError::Invalid(format!(
                            "only an authorisation in force is reviewed; {}",
                            other.describe()
                        )));
                    }
                };
                let last_day = UnixMs(expiry)
                    .to_timestamp()
                    .and_then(|t| custos_domain::calendar::uk_day(t).ok());
                if *next_review_on < today || last_day.is_some_and(|d| *next_review_on > d) {
                    return Err(StoreError::Invalid(format!(
                        "set the next review between today and the day it expires ({})",
                        UnixMs(expiry).to_london_long()
                    )));
                }
                let due = c
                    .reviews
                    .iter()
                    .filter(|r| r.done.is_none())
                    .map(|r| r.due_on)
                    .min();
                match due {
                    Some(due) => {
                        sqlx::query(
                            "UPDATE covert_reviews SET done_at_unix_ms = $1, done_by = $2, \
                             findings = $3 WHERE reference = $4 AND due_on = $5 \
                             AND done_at_unix_ms IS NULL",
                        )
                        .bind(now)
                        .bind(actor.to_string())
                        .bind(findings.trim())
                        .bind(&case.reference)
                        .bind(due.to_string())
                        .execute(tx.conn())
                        .await
                        .map_err(StoreError::db("recording a review"))?;
                    }
                    None => {
                        sqlx::query(
                            "INSERT INTO covert_reviews (reference, due_on, done_at_unix_ms, \
                             done_by, findings) VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(&case.reference)
                        .bind(today.to_string())
                        .bind(now)
                        .bind(actor.to_string())
                        .bind(findings.trim())
                        .execute(tx.conn())
                        .await
                        .map_err(StoreError::db("recording a review"))?;
                    }
                }
                sqlx::query("INSERT INTO covert_reviews (reference, due_on) VALUES ($1, $2)")
                    .bind(&case.reference)
                    .bind(next_review_on.to_string())
                    .execute(tx.conn())
                    .await
                    .map_err(StoreError::db("setting the next review"))?;
                entry = entry
                    .with("next_review", next_review_on.to_string())
                    .with("findings_sha256", sha256(findings));
            }
            CovertStep::Renew {
                granted_at_unix_ms,
                jp_approved_at_unix_ms,
                until_unix_ms,
                reasons,
                next_review_on,
            } => {
                reason_needed(reasons)?;
                let renewal = Renewal {
                    granted_at_unix_ms: granted_at_unix_ms.unwrap_or(now).min(now),
                    jp_approved_at_unix_ms: *jp_approved_at_unix_ms,
                    until_unix_ms: *until_unix_ms,
                };
                if c.record.authorisation.body().needs_judicial_approval()
                    && renewal.jp_approved_at_unix_ms.is_none_or(|j| j > now)
                {
                    return Err(StoreError::Invalid(
                        "a council's renewal takes effect only once a justice of the peace approves it (RIPA s32A): record it with the time of the approval, before the authorisation expires".to_owned(),
                    ));
                }
                let previous = c
                    .record
                    .in_force(renewal.granted_at_unix_ms)
                    .map_err(covert_error)?;
                let expires = covert::check_renewal(&c.record, &renewal)
                    .map_err(|p| StoreError::Invalid(p.join("; ")))?;
                sqlx::query(
                    "INSERT INTO covert_renewals (reference, granted_at_unix_ms, \
                     jp_approved_at_unix_ms, until_unix_ms, reasons, recorded_by) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&case.reference)
                .bind(renewal.granted_at_unix_ms)
                .bind(renewal.jp_approved_at_unix_ms)
                .bind(renewal.until_unix_ms)
                .bind(reasons.trim())
                .bind(actor.to_string())
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("recording a renewal"))?;
                if let Some(day) = next_review_on {
                    sqlx::query("INSERT INTO covert_reviews (reference, due_on) VALUES ($1, $2)")
                        .bind(&case.reference)
                        .bind(day.to_string())
                        .execute(tx.conn())
                        .await
                        .map_err(StoreError::db("setting the next review"))?;
                    entry = entry.with("next_review", day.to_string());
                }
                if let Some(span) = previous {
                    let mut record = c.record.clone();
                    record.renewals.push(renewal.clone());
                    hold_ripa_footage(
                        &mut tx,
                        actor,
                        &case.reference,
                        &record,
                        &pack,
                        span.expires_at_unix_ms + 1,
                        expires + 1,
                        now,
                    )
                    .await?;
                }
                entry = entry
                    .with("expires", UnixMs(expires).to_rfc3339())
                    .with("reasons_sha256", sha256(reasons));
            }
            CovertStep::Cancel { reason } => {
                reason_needed(reason)?;
                sqlx::query(
                    "UPDATE case_covert SET cancelled_at_unix_ms = $1, cancel_reason = $2 \
                     WHERE reference = $3",
                )
                .bind(now)
                .bind(reason.trim())
                .bind(&case.reference)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("cancelling an authorisation"))?;
                sqlx::query("UPDATE cases SET closed_at_unix_ms = $1 WHERE reference = $2")
                    .bind(now)
                    .bind(&case.reference)
                    .execute(tx.conn())
                    .await
                    .map_err(StoreError::db("cancelling an authorisation"))?;
                // The holds placed as it took effect and was renewed give way to one over
                // what it actually covered, its five years counted from now (BDC-16).
                let span = c.record.in_force(now).map_err(covert_error)?;
                let mut held = Vec::new();
                for id in &case.holds {
                    if let Some(h) = self.hold(id).await?
                        && h.class == covert::RIPA_CLASS_ID
                        && h.active(now)
                    {
                        held.push(h);
                    }
                }
                for h in &held {
                    crate::retention::release_in(
                        &mut tx,
                        actor,
                        h,
                        &format!(
                            "covert authorisation {} cancelled: its footage is held again over the time it was in force",
                            case.reference
                        ),
                        now,
                        None,
                    )
                    .await?;
                }
                if let Some(span) = span {
                    let end = span.expires_at_unix_ms.min(now) + 1;
                    hold_ripa_footage(
                        &mut tx,
                        actor,
                        &case.reference,
                        &c.record,
                        &pack,
                        span.takes_effect_at_unix_ms,
                        end,
                        now,
                    )
                    .await?;
                }
                let message = format!(
                    "Covert surveillance authorisation {} was cancelled on {}. Stop any recording or viewing under it; its footage may no longer be used for it.",
                    case.reference,
                    UnixMs(now).to_london_long()
                );
                let team = c.record.authorisation.team();
                for u in team {
                    sqlx::query(
                        "INSERT INTO covert_notices (reference, username, at_unix_ms, message) \
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(&case.reference)
                    .bind(u.as_str())
                    .bind(now)
                    .bind(&message)
                    .execute(tx.conn())
                    .await
                    .map_err(StoreError::db("telling the team"))?;
                }
                entry = entry
                    .with("reason_sha256", sha256(reason))
                    .with("team_told", team.len());
            }
        }
        sqlx::query("UPDATE cases SET state = $1 WHERE reference = $2")
            .bind(next.as_str())
            .bind(&case.reference)
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("moving a case on"))?;
        tx.record(actor, entry);
        tx.commit().await?;
        self.case(&case.reference)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("there is no case {}", case.reference)))
    }

    /// Whether `username` may review footage of `camera` from `from_unix_ms` to
    /// `to_unix_ms` as far as covert authorisations are concerned (BDC-16, LJM-4): footage
    /// of an authorisation's cameras in its range only by its team and the roles of the
    /// pack's `[authorise.covert_recording]` (`covert::may_review`). The refusal says why
    /// without naming the authorisation, its team or its target. One indexed query when no
    /// authorisation covers the camera.
    pub async fn covert_review_check(
        &self,
        username: &str,
        camera: &Ident,
        from_unix_ms: i64,
        to_unix_ms: i64,
    ) -> StoreResult<()> {
        let references: Vec<String> =
            sqlx::query("SELECT reference FROM covert_cameras WHERE camera_id = $1")
                .bind(camera.as_str())
                .fetch_all(self.pool())
                .await
                .map_err(StoreError::db("reading covert authorisations"))?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()
                .map_err(StoreError::db("reading covert authorisations"))?;
        if references.is_empty() {
            return Ok(());
        }
        let roles = match self.active_policy().await? {
            Some(p) => p.pack.authorise.covert_recording.roles.clone(),
            None => Vec::new(),
        };
        let person = match custos_domain::access::Username::parse(username.trim()) {
            Ok(u) => self.user(&u).await?,
            Err(_) => None,
        };
        let subject = Subject {
            username: username.trim().to_owned(),
            disabled: person.as_ref().is_none_or(|p| p.disabled),
            assignments: person.map(|p| p.assignments).unwrap_or_default(),
            competence: custos_domain::access::Competence::default(),
            absent_roles: Vec::new(),
            client: None,
        };
        for r in references {
            let Some(c) = self.covert(&r).await? else {
                continue;
            };
            covert::may_review(
                &c.record,
                camera,
                from_unix_ms,
                to_unix_ms,
                &subject,
                &roles,
            )
            .map_err(StoreError::Forbidden)?;
        }
        Ok(())
    }

    /// Whether `actor` may take a copy of footage of `cameras` from `from_unix_ms` to
    /// `to_unix_ms` (an export, a download, a package for a case): a copy shows the footage
    /// as a review does, so [`Store::covert_review_check`] decides for each camera, for
    /// the person signed in (or deputising). The console's administrator, who holds the
    /// machine, and the system are not people with a team to belong to and are not asked.
    pub async fn covert_copy_check(
        &self,
        actor: &Actor,
        cameras: &[Ident],
        from_unix_ms: i64,
        to_unix_ms: i64,
    ) -> StoreResult<()> {
        let (Actor::User(username) | Actor::Deputy { user: username, .. }) = actor else {
            return Ok(());
        };
        for camera in cameras {
            self.covert_review_check(username, camera, from_unix_ms, to_unix_ms)
                .await
                .map_err(|e| match e {
                    StoreError::Forbidden(why) => StoreError::Forbidden(format!(
                        "a copy of this footage cannot be made by you: {why}"
                    )),
                    other => other,
                })?;
        }
        Ok(())
    }

    /// The open authorisations past their expiry with neither a renewal nor a
    /// cancellation (`CovertStatus::ExpiredUnresolved`): the Start page's alarm.
    pub async fn covert_alarms(&self) -> StoreResult<Vec<Covert>> {
        let references: Vec<String> = sqlx::query(
            "SELECT c.reference FROM case_covert c JOIN cases k ON k.reference = c.reference \
             WHERE c.cancelled_at_unix_ms IS NULL AND k.state <> $1 ORDER BY c.reference",
        )
        .bind(CaseState::Closed.as_str())
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading covert authorisations"))?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()
        .map_err(StoreError::db("reading covert authorisations"))?;
        let mut out = Vec::new();
        for r in references {
            if let Some(c) = self.covert(&r).await?
                && c.status.is_alarm()
            {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// The notices `username` was given since `since_unix_ms`, newest first: for their
    /// Start page.
    pub async fn covert_notices_for(
        &self,
        username: &str,
        since_unix_ms: i64,
    ) -> StoreResult<Vec<Notice>> {
        sqlx::query(
            "SELECT reference, username, at_unix_ms, message FROM covert_notices \
             WHERE username = $1 AND at_unix_ms >= $2 ORDER BY at_unix_ms DESC",
        )
        .bind(username)
        .bind(since_unix_ms)
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading notices"))?
        .iter()
        .map(notice_from)
        .collect()
    }
}

fn notice_from(x: &sqlx::any::AnyRow) -> StoreResult<Notice> {
    let get = StoreError::db("reading notices");
    Ok(Notice {
        reference: x.try_get(0).map_err(get)?,
        username: x.try_get(1).map_err(get)?,
        at_unix_ms: x.try_get(2).map_err(get)?,
        message: x.try_get(3).map_err(get)?,
    })
}
