//! Cases (LBU-18, BJS-10, ALT-10, BDC-28, BDC-29, BDC-30, LJM-11): requests and other
//! matters the scheme must answer. A case has a kind, a human reference (`SAR-2026-0007`),
//! a state moved only by `domain::case::transition`, assignees, notes, encrypted
//! documents, and footage held for it through the retention holds.
//!
//! Invariants:
//! - Every change writes its ledger entry (book `case`) in the same transaction. Entries
//!   name the case by its reference and never hold the requester's name, contact or the
//!   text of notes and documents (the ledger cannot forget; those details can be erased
//!   with the case when its retention ends) — a note's or document's SHA-256 stands in.
//! - References are never reused: one counter per prefix and year.
//! - Pauses of the deadline's clock are recorded as intervals; a case waiting for proof of
//!   identity has exactly one open pause.
//! - A document's file holds only ciphertext, sealed with the case's own key (itself sealed
//!   with the master key), in the same file format as footage.

use std::path::Path;

use custos_base::{Actor, UnixMs};
use custos_domain::case::{
    Action, AppealOutcome, CaseDue, CaseKind, CaseState, CaseTimes, Decision, FootageAbsence,
    Progress, check_decision, transition,
};
use custos_domain::ledger::{Book, NewEntry, Reference, to_hex};
use custos_domain::letter::{ErasureFacts, Letter, LetterFacts, LetterKind, compose};
use custos_domain::retention::HoldRequest;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::reviews::random_hex;
use crate::secrets::SecretKey;
use crate::store::{Store, WriteTx};

/// A case as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    /// Its kind.
    pub kind: CaseKind,
    /// When it was received (ms since the epoch); the deadline counts from here.
    pub received_at_unix_ms: i64,
    /// How it came: `staff`, `public-form`, `email`, `letter`…
    pub channel: String,
    /// What it is about, in a line (no personal details needed).
    pub summary: String,
    /// Who asks.
    pub requester_name: String,
    /// How to reach them.
    pub requester_contact: String,
    /// What they said: for a subject access request, the date, time and place.
    pub details: String,
    /// When and where the requester was, for a request about footage of them (or, for a
    /// complaint about an incident on camera, where and when it happened).
    pub sighting: Option<Sighting>,
    /// For a complaint: when the incident complained of happened.
    pub incident_at_unix_ms: Option<i64>,
    /// For a complaint: whether it came after the pack's window for raising one
    /// ([`custos_domain::case::complaint_is_late`], on the scheme's calendar). It is still
    /// recorded; accepting or refusing it is a step with a reason.
    pub raised_late: bool,
}

/// When and where a requester says they were (LBU-18, BJS-10, ALT-10, BDC-29): a time,
/// searched an hour either side, and a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sighting {
    /// The time they gave (ms since the epoch).
    pub at_unix_ms: i64,
    /// The place, in their words or one of the places the cameras cover.
    pub place: String,
}

impl Sighting {
    /// The footage window: an hour either side of the time given.
    pub fn window(&self) -> (i64, i64) {
        (
            self.at_unix_ms - custos_domain::case::SIGHTING_MARGIN_MS,
            self.at_unix_ms + custos_domain::case::SIGHTING_MARGIN_MS,
        )
    }
}

/// The key a copy of the public request form carries in a hidden field, so that the same
/// form sent twice — a refresh, the back button, a double click — files one request: 32
/// random hexadecimal digits. It also opens the request's acknowledgement page, so only its
/// SHA-256 is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct RequestKey(String);

impl RequestKey {
    /// A new random key.
    pub fn generate() -> StoreResult<Self> {
        Ok(Self(random_hex(16)?))
    }

    /// Reads a key as sent back by a form: 32 lower-case hexadecimal digits.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        (s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| Self(s.to_owned()))
    }

    /// The key, for the form's hidden field and the acknowledgement's address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the store keeps of it.
    fn stored(&self) -> String {
        to_hex(&Sha256::digest(format!("custos request key v1:{}", self.0)))
    }
}

impl std::fmt::Debug for RequestKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RequestKey(…)")
    }
}

/// What a [`RequestKey`] has been used for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyUse {
    /// Nothing yet.
    Unused,
    /// The request with these very words: the same form sent again.
    Same(Box<Case>),
    /// A request with other words: the form was changed before it was sent again.
    Different,
}

/// The SHA-256 of what a request says (not when it was received), to tell a form sent
/// again from a changed one.
fn form_digest(new: &NewCase) -> StoreResult<String> {
    let said = serde_json::to_string(&(
        new.kind.as_str(),
        new.channel.trim(),
        new.summary.trim(),
        new.requester_name.trim(),
        new.requester_contact.trim(),
        new.details.trim(),
        new.sighting
            .as_ref()
            .map(|s| (s.at_unix_ms, s.place.trim())),
    ))
    .map_err(|e| StoreError::Invalid(e.to_string()))?;
    Ok(to_hex(&Sha256::digest(said)))
}

/// Footage a case concerns: a camera and a range, and the hold keeping it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFootage {
    /// The camera.
    pub camera: String,
    /// From (ms since the epoch).
    pub from_unix_ms: i64,
    /// To (ms since the epoch, exclusive).
    pub to_unix_ms: i64,
    /// The hold keeping it, if held.
    pub hold: Option<String>,
    /// Where that hold stands now.
    pub hold_state: Option<HoldState>,
}

/// Where the hold on a case's footage stands (BDC-28), for the case's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldState {
    /// It keeps the footage until then; provisional while a request from the public has
    /// not been accepted by staff.
    Keeping {
        /// When it ends unless released or confirmed (ms since the epoch).
        until_unix_ms: i64,
        /// Whether it is provisional.
        provisional: bool,
    },
    /// It was released then (a request answered or withdrawn, say): the footage returned to
    /// the normal retention.
    Released {
        /// When (ms since the epoch).
        at_unix_ms: i64,
    },
    /// It ended at its expiry.
    Expired {
        /// When (ms since the epoch).
        at_unix_ms: i64,
    },
}

impl HoldState {
    /// In words for the case's page, e.g. "kept until Tue 21 Dec 2026 14:00" or "released
    /// on …".
    pub fn describe(self) -> String {
        match self {
            Self::Keeping {
                until_unix_ms,
                provisional: true,
            } => format!(
                "kept provisionally until {}, unless staff accept the request",
                UnixMs(until_unix_ms).to_london_display()
            ),
            Self::Keeping { until_unix_ms, .. } => {
                format!("kept until {}", UnixMs(until_unix_ms).to_london_display())
            }
            Self::Released { at_unix_ms } => format!(
                "released on {}: back under the normal retention period",
                UnixMs(at_unix_ms).to_london_display()
            ),
            Self::Expired { at_unix_ms } => format!(
                "hold ended on {}: back under the normal retention period",
                UnixMs(at_unix_ms).to_london_display()
            ),
        }
    }

    /// Whether it keeps the footage now.
    pub fn keeping(self) -> bool {
        matches!(self, Self::Keeping { .. })
    }
}

/// What an accepted erasure did (BDC-30), for the record and the response letter.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ErasureOutcome {
    /// Segments erased.
    pub segments_erased: u64,
    /// For each piece of footage a hold kept, a sentence saying what and why.
    pub kept: Vec<String>,
}

/// A case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// Its reference, e.g. `SAR-2026-0007`.
    pub reference: String,
    /// Its kind.
    pub kind: CaseKind,
    /// Where it stands.
    pub state: CaseState,
    /// When it was received.
    pub received_at_unix_ms: i64,
    /// How it came.
    pub channel: String,
    /// What it is about.
    pub summary: String,
    /// Who asks.
    pub requester_name: String,
    /// How to reach them.
    pub requester_contact: String,
    /// What they said.
    pub details: String,
    /// Whether the deadline was extended, and why.
    pub extension: Option<String>,
    /// The decision and its reasons, once decided.
    pub decision: Option<(Decision, String)>,
    /// Who opened it (ledger actor text).
    pub opened_by: String,
    /// When it closed.
    pub closed_at_unix_ms: Option<i64>,
    /// The case it became, if converted.
    pub converted_to: Option<String>,
    /// Who works it.
    pub assignees: Vec<String>,
    /// The clock's pauses: (from, to, why); `to` is `None` while paused.
    pub pauses: Vec<(i64, Option<i64>, String)>,
    /// Holds placed for it.
    pub holds: Vec<String>,
    /// When and where the requester says they were.
    pub sighting: Option<Sighting>,
    /// The footage it concerns.
    pub footage: Vec<CaseFootage>,
    /// What an accepted erasure did.
    pub erasure: Option<ErasureOutcome>,
    /// Why the request has no footage to hold or review, when the cameras covering the
    /// place the requester gave hold nothing from their time (BDC-29).
    pub footage_absent: Option<FootageAbsence>,
    /// For a complaint: when the incident complained of happened.
    pub incident_at_unix_ms: Option<i64>,
    /// For a complaint: whether it came after the pack's window for raising one.
    pub raised_late: bool,
    /// For a complaint: when it was acknowledged in writing (BDC-21).
    pub acknowledged_at_unix_ms: Option<i64>,
    /// For a complaint: the appeal against its answer, if any.
    pub appeal: Option<CaseAppeal>,
    /// For a covert authorisation: how it stands now (`Store::covert` has the rest).
    pub covert: Option<custos_domain::covert::CovertStatus>,
    /// For a breach: its record, once anything is recorded.
    pub breach: Option<crate::breaches::BreachRecord>,
}

/// An appeal against a complaint's answer (LBU-25, BDC-21).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseAppeal {
    /// When it came; the appeal's clock counts from here.
    pub received_at_unix_ms: i64,
    /// Why the complainant is not satisfied.
    pub grounds: String,
    /// How it ended, once decided, with the reasons and who decided it (ledger actor).
    pub outcome: Option<(AppealOutcome, String, String)>,
}

impl Case {
    /// What has happened to it that decides which steps it allows.
    pub fn progress(&self) -> Progress {
        Progress {
            extended: self.extension.is_some(),
            acknowledged: self.acknowledged_at_unix_ms.is_some(),
            late_pending: self.raised_late && self.state == CaseState::Received,
            appealed: self.appeal.is_some(),
            risk: self
                .breach
                .as_ref()
                .and_then(|b| b.risk.as_ref().map(|r| r.0)),
            ico_decided: self.breach.as_ref().is_some_and(|b| b.ico_decided()),
            people_decided: self.breach.as_ref().is_some_and(|b| b.people_decided()),
        }
    }

    /// Its times, for its clocks ([`custos_domain::case::next_deadline`]); `pauses` are
    /// its clock's pauses as (from, to).
    pub fn times<'a>(&self, pauses: &'a [(i64, Option<i64>)]) -> CaseTimes<'a> {
        CaseTimes {
            kind: self.kind,
            state: self.state,
            received_unix_ms: self.received_at_unix_ms,
            pauses,
            progress: self.progress(),
            appealed_at_unix_ms: self.appeal.as_ref().map(|a| a.received_at_unix_ms),
            covert: self.covert,
        }
    }

    /// Its clock's pauses as (from, to), for [`Case::times`].
    pub fn clock_pauses(&self) -> Vec<(i64, Option<i64>)> {
        self.pauses.iter().map(|(a, b, _)| (*a, *b)).collect()
    }
}

/// What a step on a case states besides the action.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Step {
    /// Why (for a pause, an extension, a withdrawal) or the decision's reasons.
    pub reasons: String,
    /// For a decision to disclose: whether the footage shows other people (ALT-10).
    pub others_shown: bool,
    /// And if so, why disclosing them is reasonable.
    pub why_reasonable: Option<String>,
    /// The footage folder, for a step that erases footage (an accepted erasure request).
    pub footage: Option<std::path::PathBuf>,
    /// The case documents folder, for a step that keeps a document: notifying the ICO of
    /// a breach keeps the notification as sent, as a PDF. Without it (a server that keeps
    /// no case documents) the step is taken and no copy is kept.
    pub documents: Option<std::path::PathBuf>,
    /// Why a decision changes after a response letter stated the earlier one.
    pub change_reason: Option<String>,
}

/// The kind under which a response letter is kept with its case, followed by the decision
/// it states (e.g. `response-letter:view-only`).
const RESPONSE_LETTER: &str = "response-letter:";

/// A note on a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseNote {
    /// When.
    pub at_unix_ms: i64,
    /// Who (ledger actor text).
    pub author: String,
    /// What.
    pub text: String,
}

/// A document kept with a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseDocument {
    /// Its id.
    pub id: String,
    /// Its file name as given.
    pub name: String,
    /// Its media type, e.g. `application/pdf`.
    pub media_type: String,
    /// Its plaintext size.
    pub bytes: u64,
    /// The SHA-256 of its plaintext.
    pub sha256: String,
    /// When and by whom it was added.
    pub added_at_unix_ms: i64,
    /// Who added it (ledger actor text).
    pub added_by: String,
    /// What it is, if said: for a disclosure, a `domain::disclosure::DocumentKind` id.
    pub kind: Option<String>,
}

fn case_ref(reference: &str) -> StoreResult<Reference> {
    Reference::new("case", reference).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn key_context(reference: &str) -> String {
    format!("custos case key v1:{reference}")
}

macro_rules! case_columns {
    () => {
        "SELECT reference, kind, state, received_at_unix_ms, channel, summary, requester_name, \
         requester_contact, details, extended, extension_reason, decision, decision_reasons, \
         opened_by, closed_at_unix_ms, converted_to, seen_from_unix_ms, seen_to_unix_ms, \
         place, erasure_outcome, footage_absent, footage_kept_days, incident_at_unix_ms, \
         raised_late, acknowledged_at_unix_ms, appeal_received_at_unix_ms, appeal_grounds, \
         appeal_outcome, appeal_reasons, appeal_decided_by FROM cases "
    };
}

impl Store {
    /// Opens a case (ledgered `case-opened`) and returns it.
    pub async fn open_case(&self, actor: &Actor, new: &NewCase) -> StoreResult<Case> {
        if new.kind == CaseKind::Disclosure {
            return Err(StoreError::Invalid(
                "a request for disclosure to a third party is opened with its category, \
                 purpose and footage (`custos disclosure open`, or the disclosure form on \
                 the Cases page)"
                    .to_owned(),
            ));
        }
        if new.kind == CaseKind::Covert {
            return Err(StoreError::Invalid(
                "a covert surveillance authorisation is recorded with who authorised it, its \
                 grounds, cameras, team and first review (`custos covert open`, or the form on \
                 the Cases page)"
                    .to_owned(),
            ));
        }
        if new.kind == CaseKind::PoliceControl {
            return Err(StoreError::Invalid(
                "a police request to take control is opened with its officer, rank, type of \
                 control and cameras (`custos police-control request`, or the form on the \
                 Cases page)"
                    .to_owned(),
            ));
        }
        self.open_case_with(actor, new, None, None, None, None)
            .await
            .map(|(c, _)| c)
    }

    /// Opens a request from the public form carrying `key` (ledgered `case-opened`), unless
    /// a request was already filed with that key: then nothing changes and that request is
    /// returned, with `false` (the same form sent twice is one request).
    pub async fn open_case_once(
        &self,
        actor: &Actor,
        new: &NewCase,
        key: &RequestKey,
    ) -> StoreResult<(Case, bool)> {
        self.open_case_with(actor, new, None, Some(key), None, None)
            .await
    }

    /// What `key` has been used for: nothing yet, the request `new` (the same words sent
    /// again), or a request with other words (the form was changed before it was sent
    /// again).
    pub async fn request_by_key(&self, key: &RequestKey, new: &NewCase) -> StoreResult<KeyUse> {
        let row = sqlx::query(
            "SELECT reference, request_form_sha256 FROM cases WHERE request_key_sha256 = $1",
        )
        .bind(key.stored())
        .fetch_optional(self.pool())
        .await
        .map_err(StoreError::db("looking up a request's key"))?;
        let Some(row) = row else {
            return Ok(KeyUse::Unused);
        };
        let get = StoreError::db("looking up a request's key");
        let reference: String = row.try_get(0).map_err(&get)?;
        let digest: Option<String> = row.try_get(1).map_err(&get)?;
        if digest.as_deref() == Some(form_digest(new)?.as_str()) {
            Ok(KeyUse::Same(Box::new(self.require_case(&reference).await?)))
        } else {
            Ok(KeyUse::Different)
        }
    }

    /// The request filed with `key`, if any: for its acknowledgement page.
    pub async fn case_by_request_key(&self, key: &RequestKey) -> StoreResult<Option<Case>> {
        let row = sqlx::query(concat!(case_columns!(), "WHERE request_key_sha256 = $1"))
            .bind(key.stored())
            .fetch_optional(self.pool())
            .await
            .map_err(StoreError::db("reading a case"))?;
        match row {
            Some(r) => Ok(Some(self.case_from(&r).await?)),
            None => Ok(None),
        }
    }

    /// Opens a case, and for a disclosure its request (`disclosure`, already checked) and
    /// footage, in one transaction; for a request carrying a key (`once`), only if no case
    /// has that key yet, else returns that case and `false`.
    pub(crate) async fn open_case_with(
        &self,
        actor: &Actor,
        new: &NewCase,
        disclosure: Option<&crate::disclosures::DisclosureRequest>,
        once: Option<&RequestKey>,
        covert: Option<&crate::covert::Intake>,
        police: Option<&crate::police_control::Intake>,
    ) -> StoreResult<(Case, bool)> {
        let mut problems = Vec::new();
        if new.summary.trim().is_empty() {
            problems.push("say in a line what the case is about");
        }
        if new.requester_name.trim().is_empty() {
            problems.push("give the requester's name");
        }
        if new.requester_contact.trim().is_empty() {
            problems.push("give a way to reach the requester (an address or an email)");
        }
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems.join("; ")));
        }
        let complaint = new.kind == CaseKind::Complaint;
        let sighting = match &new.sighting {
            Some(sg) if new.kind.concerns_footage() || complaint => {
                if sg.place.trim().is_empty() {
                    return Err(StoreError::Invalid(
                        "say where the requester was, so the cameras there can be searched"
                            .to_owned(),
                    ));
                }
                Some(sg.clone())
            }
            _ => None,
        };
        let policy = self.active_policy().await?;
        // The cameras the requester's place points to, from the register in service, and
        // the longest any of them keeps footage.
        let (proposed, kept_days) = match &sighting {
            _ if disclosure.is_some() => (
                disclosure.map(|d| d.cameras.clone()).unwrap_or_default(),
                None,
            ),
            Some(sg) => {
                let register = self.cameras(false).await?;
                let proposed = custos_domain::case::cameras_for_place(
                    &sg.place,
                    register.iter().map(|c| {
                        (
                            &c.id,
                            c.draft.name.as_str(),
                            c.draft.location.as_str(),
                            c.draft.area.as_str(),
                        )
                    }),
                );
                let kept_days = policy.as_ref().and_then(|p| {
                    register
                        .iter()
                        .filter(|c| proposed.contains(&c.id))
                        .map(|c| custos_domain::retention::retention_days(&c.draft, &p.pack))
                        .max()
                });
                (proposed, kept_days)
            }
            None => (Vec::new(), None),
        };
        let key = SecretKey::generate()?;
        let master = self.master_key()?;
        let now = self.clock().now();
        let form = once.map(|_| form_digest(new)).transpose()?;
        let mut tx = self.write().await?;
        // The same form sent again (a refresh, a double click) is the request already filed.
        if let Some(key) = once {
            let filed = sqlx::query("SELECT reference FROM cases WHERE request_key_sha256 = $1")
                .bind(key.stored())
                .fetch_optional(tx.conn())
                .await
                .map_err(StoreError::db("looking up a request's key"))?;
            if let Some(row) = filed {
                let reference: String = row
                    .try_get(0)
                    .map_err(StoreError::db("looking up a request's key"))?;
                drop(tx);
                return Ok((self.require_case(&reference).await?, false));
            }
        }
        let reference = next_reference(&mut tx, new.kind, new.received_at_unix_ms).await?;
        let window = match disclosure {
            Some(d) => Some((d.from_unix_ms, d.to_unix_ms)),
            None => sighting.as_ref().map(Sighting::window),
        };
        // A request about footage of the requester links, and holds, only the footage that
        // exists; where none does — the time is past the retention period, or nothing was
        // recorded then — the case says why, and the acknowledgement tells the requester
        // (BDC-29). A disclosure names its own footage, all of which is held.
        let (linked, absent) = match (window, &sighting) {
            (Some((from, to)), Some(sg)) if disclosure.is_none() && !proposed.is_empty() => {
                let found = cameras_with_footage(&mut tx, &proposed, from, to).await?;
                let absent = found.is_empty().then(|| match kept_days {
                    Some(days) => FootageAbsence::find(sg.at_unix_ms, now.0, days),
                    None => FootageAbsence::NoneRecorded,
                });
                (found, absent)
            }
            _ => (proposed.clone(), None),
        };
        let inserted = sqlx::query(
            "INSERT INTO cases (reference, kind, state, received_at_unix_ms, channel, summary, \
             requester_name, requester_contact, details, opened_by, key_sealed, \
             seen_from_unix_ms, seen_to_unix_ms, place, footage_absent, footage_kept_days, \
             request_key_sha256, request_form_sha256, incident_at_unix_ms, raised_late) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             $17, $18, $19, $20)",
        )
        .bind(&reference)
        .bind(new.kind.as_str())
        .bind(
            covert
                .map_or(CaseState::Received, crate::covert::Intake::initial_state)
                .as_str(),
        )
        .bind(new.received_at_unix_ms)
        .bind(new.channel.trim())
        .bind(new.summary.trim())
        .bind(new.requester_name.trim())
        .bind(new.requester_contact.trim())
        .bind(new.details.trim())
        .bind(actor.to_string())
        .bind(master.seal(&key_context(&reference), key.bytes())?)
        .bind(window.map(|w| w.0))
        .bind(window.map(|w| w.1))
        .bind(sighting.as_ref().map(|sg| sg.place.trim().to_owned()))
        .bind(absent.map(FootageAbsence::as_str))
        .bind(absent.and_then(FootageAbsence::kept_days).map(i64::from))
        .bind(once.map(RequestKey::stored))
        .bind(form)
        .bind(complaint.then_some(new.incident_at_unix_ms).flatten())
        .bind(i64::from(complaint && new.raised_late))
        .execute(tx.conn())
        .await;
        // Sent twice at once (PostgreSQL: the other transaction committed first): the
        // request already filed.
        if let (Err(sqlx::Error::Database(e)), Some(key)) = (&inserted, once)
            && e.is_unique_violation()
        {
            drop(tx);
            if let Some(filed) = self.case_by_request_key(key).await? {
                return Ok((filed, false));
            }
            return Err(StoreError::Invalid(
                "the request could not be filed; please send it again".to_owned(),
            ));
        }
        inserted.map_err(StoreError::db("opening a case"))?;
        let mut opened = NewEntry::new(Book::Case, "case-opened")
            .with_ref(case_ref(&reference)?)
            .with("kind", new.kind.as_str())
            .with("channel", new.channel.trim())
            .with("received", UnixMs(new.received_at_unix_ms).to_rfc3339());
        if let (true, Some(at)) = (complaint, new.incident_at_unix_ms) {
            opened = opened.with("incident", UnixMs(at).to_rfc3339());
            if new.raised_late {
                opened = opened.with("raised_late", true);
            }
        }
        if let Some(c) = covert {
            let pack = &policy
                .as_ref()
                .ok_or_else(|| StoreError::Invalid("no policy pack is loaded".to_owned()))?
                .pack;
            for (k, v) in crate::covert::insert(&mut tx, actor, &reference, c, pack, now.0).await? {
                opened = opened.with(k, v);
            }
        }
        if let Some(p) = police {
            for (k, v) in crate::police_control::insert(&mut tx, &reference, p).await? {
                opened = opened.with(k, v);
            }
        }
        if let Some(d) = disclosure {
            crate::disclosures::insert_request(&mut tx, &reference, d).await?;
            opened = opened
                .with("category", d.category.as_str())
                .with("request_type", d.request_type.as_str());
        }
        if let Some((from, to)) = window {
            opened = opened
                .with("footage_from", UnixMs(from).to_rfc3339())
                .with("footage_to", UnixMs(to).to_rfc3339())
                .with("cameras_proposed", linked.len());
        }
        if let Some(a) = absent {
            opened = opened.with("footage_absent", a.as_str());
            if let Some(days) = a.kept_days() {
                opened = opened.with("footage_kept_days", days);
            }
        }
        tx.record(actor, opened);
        if let Some((from, to)) = window
            && !linked.is_empty()
        {
            // BDC-28: footage a subject access or restriction request names is held at once,
            // in the same transaction as the case, so it cannot be swept in between.
            let mut hold = None;
            // A request from the public holds provisionally, only until staff accept it
            // (BDC-28).
            let public = new.channel.trim() == PUBLIC_CHANNEL;
            let to_hold = &linked;
            if new.kind.holds_footage_at_intake() {
                match policy
                    .as_ref()
                    .ok_or_else(|| "no policy pack is loaded".to_owned())
                    .and_then(|p| {
                        intake_hold(&p.pack, actor, &reference, to_hold, from, to).map(|mut req| {
                            if public {
                                req.until_unix_ms = Some(
                                    now.0
                                        + i64::from(p.pack.retention.provisional_hold_days)
                                            * 86_400_000,
                                );
                                req.reason = format!(
                                    "footage named in request {reference} from the public form, kept provisionally until staff accept the request"
                                );
                            }
                            (p, req)
                        })
                    }) {
                    Ok((p, req)) => {
                        let id =
                            crate::retention::insert_hold(&mut tx, actor, &req, &p.pack, now, None)
                                .await?;
                        if public {
                            sqlx::query("UPDATE holds SET provisional = 1 WHERE id = $1")
                                .bind(&id)
                                .execute(tx.conn())
                                .await
                                .map_err(StoreError::db("placing a hold"))?;
                        }
                        hold = Some(id);
                    }
                    // The request is never lost for want of a hold: it is opened, its
                    // footage linked, and the case's page shows the footage as not held.
                    Err(why) => {
                        tracing::warn!(%reference, %why, "footage named in a request could not be held at intake")
                    }
                }
            }
            link_footage(
                &mut tx,
                actor,
                &reference,
                &linked,
                from,
                to,
                hold.as_deref(),
                now.0,
            )
            .await?;
        }
        tx.commit().await?;
        Ok((self.require_case(&reference).await?, true))
    }

    async fn require_case(&self, reference: &str) -> StoreResult<Case> {
        self.case(reference).await?.ok_or_else(|| {
            StoreError::NotFound(format!(
                "there is no case {reference}; references look like SAR-2026-0007"
            ))
        })
    }

    /// The case `reference`.
    pub async fn case(&self, reference: &str) -> StoreResult<Option<Case>> {
        let row = sqlx::query(concat!(case_columns!(), "WHERE reference = $1"))
            .bind(reference.trim())
            .fetch_optional(self.pool())
            .await
            .map_err(StoreError::db("reading a case"))?;
        match row {
            Some(r) => Ok(Some(self.case_from(&r).await?)),
            None => Ok(None),
        }
    }

    /// Every case, newest first; only open ones unless `all`.
    pub async fn cases(&self, all: bool) -> StoreResult<Vec<Case>> {
        let rows = sqlx::query(concat!(
            case_columns!(),
            "ORDER BY received_at_unix_ms DESC, reference"
        ))
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading cases"))?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let c = self.case_from(r).await?;
            if all || c.state.is_open() {
                out.push(c);
            }
        }
        Ok(out)
    }

    async fn case_from(&self, r: &sqlx::any::AnyRow) -> StoreResult<Case> {
        let get = StoreError::db("reading a case");
        let reference: String = r.try_get(0).map_err(&get)?;
        let corrupt = |e: String| StoreError::Corrupt(format!("case {reference}: {e}"));
        let kind: String = r.try_get(1).map_err(&get)?;
        let state: String = r.try_get(2).map_err(&get)?;
        let extended: i64 = r.try_get(9).map_err(&get)?;
        let decision: Option<String> = r.try_get(11).map_err(&get)?;
        let reasons: Option<String> = r.try_get(12).map_err(&get)?;
        let pauses = sqlx::query(
            "SELECT paused_at_unix_ms, resumed_at_unix_ms, reason FROM case_pauses \
             WHERE reference = $1 ORDER BY paused_at_unix_ms",
        )
        .bind(&reference)
        .fetch_all(self.pool())
        .await
        .map_err(&get)?
        .iter()
        .map(|p| {
            Ok((
                p.try_get(0).map_err(&get)?,
                p.try_get(1).map_err(&get)?,
                p.try_get(2).map_err(&get)?,
            ))
        })
        .collect::<StoreResult<Vec<_>>>()?;
        let strings = |sql: &'static str| {
            let reference = reference.clone();
            async move {
                sqlx::query(sql)
                    .bind(&reference)
                    .fetch_all(self.pool())
                    .await
                    .map_err(StoreError::db("reading a case"))?
                    .iter()
                    .map(|x| {
                        x.try_get::<String, _>(0)
                            .map_err(StoreError::db("reading a case"))
                    })
                    .collect::<StoreResult<Vec<String>>>()
            }
        };
        let assignees =
            strings("SELECT username FROM case_assignees WHERE reference = $1 ORDER BY username")
                .await?;
        let holds =
            strings("SELECT hold_id FROM case_holds WHERE reference = $1 ORDER BY hold_id").await?;
        let now = self.clock().now().0;
        let footage = sqlx::query(
            "SELECT f.camera_id, f.from_unix_ms, f.to_unix_ms, f.hold_id, h.expires_at_unix_ms, \
             h.released_at_unix_ms, h.provisional FROM case_footage f \
             LEFT JOIN holds h ON h.id = f.hold_id \
             WHERE f.reference = $1 ORDER BY f.from_unix_ms, f.camera_id",
        )
        .bind(&reference)
        .fetch_all(self.pool())
        .await
        .map_err(&get)?
        .iter()
        .map(|f| {
            let expires: Option<i64> = f.try_get(4).map_err(&get)?;
            let released: Option<i64> = f.try_get(5).map_err(&get)?;
            let provisional: Option<i64> = f.try_get(6).map_err(&get)?;
            let hold_state = match (released, expires) {
                (Some(at_unix_ms), _) => Some(HoldState::Released { at_unix_ms }),
                (None, Some(at_unix_ms)) if at_unix_ms <= now => {
                    Some(HoldState::Expired { at_unix_ms })
                }
                (None, Some(until_unix_ms)) => Some(HoldState::Keeping {
                    until_unix_ms,
                    provisional: provisional.unwrap_or(0) != 0,
                }),
                (None, None) => None,
            };
            Ok(CaseFootage {
                camera: f.try_get(0).map_err(&get)?,
                from_unix_ms: f.try_get(1).map_err(&get)?,
                to_unix_ms: f.try_get(2).map_err(&get)?,
                hold: f.try_get(3).map_err(&get)?,
                hold_state,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
        let seen_from: Option<i64> = r.try_get(16).map_err(&get)?;
        let seen_to: Option<i64> = r.try_get(17).map_err(&get)?;
        let place: Option<String> = r.try_get(18).map_err(&get)?;
        let sighting = match (seen_from, seen_to, place) {
            (Some(a), Some(b), Some(place)) => Some(Sighting {
                at_unix_ms: a + (b - a) / 2,
                place,
            }),
            _ => None,
        };
        let footage_absent = match r.try_get::<Option<String>, _>(20).map_err(&get)? {
            Some(name) => Some(
                FootageAbsence::from_parts(&name, r.try_get(21).map_err(&get)?)
                    .map_err(|e| corrupt(format!("why its footage is absent: {e}")))?,
            ),
            None => None,
        };
        let erasure = match r.try_get::<Option<String>, _>(19).map_err(&get)? {
            Some(json) => Some(
                serde_json::from_str(&json)
                    .map_err(|e| corrupt(format!("its erasure outcome: {e}")))?,
            ),
            None => None,
        };
        let raised_late: i64 = r.try_get(23).map_err(&get)?;
        let appeal = match r.try_get::<Option<i64>, _>(25).map_err(&get)? {
            Some(received_at_unix_ms) => Some(CaseAppeal {
                received_at_unix_ms,
                grounds: r
                    .try_get::<Option<String>, _>(26)
                    .map_err(&get)?
                    .unwrap_or_default(),
                outcome: match r.try_get::<Option<String>, _>(27).map_err(&get)? {
                    Some(o) => Some((
                        o.parse().map_err(corrupt)?,
                        r.try_get::<Option<String>, _>(28)
                            .map_err(&get)?
                            .unwrap_or_default(),
                        r.try_get::<Option<String>, _>(29)
                            .map_err(&get)?
                            .unwrap_or_default(),
                    )),
                    None => None,
                },
            }),
            None => None,
        };
        let kind: CaseKind = kind.parse().map_err(corrupt)?;
        let covert = match kind {
            CaseKind::Covert => self.covert(&reference).await?.map(|c| c.status),
            _ => None,
        };
        let breach = match kind {
            CaseKind::Breach => crate::breaches::load(self, &reference).await?,
            _ => None,
        };
        Ok(Case {
            covert,
            breach,
            incident_at_unix_ms: r.try_get(22).map_err(&get)?,
            raised_late: raised_late != 0,
            acknowledged_at_unix_ms: r.try_get(24).map_err(&get)?,
            appeal,
            kind,
            state: state.parse().map_err(corrupt)?,
            received_at_unix_ms: r.try_get(3).map_err(&get)?,
            channel: r.try_get(4).map_err(&get)?,
            summary: r.try_get(5).map_err(&get)?,
            requester_name: r.try_get(6).map_err(&get)?,
            requester_contact: r.try_get(7).map_err(&get)?,
            details: r.try_get(8).map_err(&get)?,
            extension: if extended == 1 {
                Some(
                    r.try_get::<Option<String>, _>(10)
                        .map_err(&get)?
                        .unwrap_or_default(),
                )
            } else {
                None
            },
            decision: match decision {
                Some(d) => Some((d.parse().map_err(corrupt)?, reasons.unwrap_or_default())),
                None => None,
            },
            opened_by: r.try_get(13).map_err(&get)?,
            closed_at_unix_ms: r.try_get(14).map_err(&get)?,
            converted_to: r.try_get(15).map_err(&get)?,
            assignees,
            pauses,
            holds,
            sighting,
            footage,
            erasure,
            footage_absent,
            reference,
        })
    }

    /// Checks that case `reference` may move on by `action` with what `step` states, as
    /// [`Store::act_on_case`] would, changing nothing: for a page that asks for
    /// confirmation before a step that cannot be undone.
    pub async fn check_case_step(
        &self,
        actor: &Actor,
        reference: &str,
        action: Action,
        step: &Step,
    ) -> StoreResult<()> {
        let case = self.require_case(reference).await?;
        self.check_step(actor, &case, action, step)
            .await
            .map(|_| ())
    }

    /// The state `action` moves `case` to, and the decision a response letter stated with
    /// the reason it changes (when a decision changes after a letter), or why the step is
    /// refused.
    async fn check_step(
        &self,
        actor: &Actor,
        case: &Case,
        action: Action,
        step: &Step,
    ) -> StoreResult<(CaseState, Option<(String, String)>)> {
        if case.kind == CaseKind::Covert {
            return Err(StoreError::Invalid(format!(
                "a covert authorisation's steps carry more than a reason: take them in the covert section of its page on the web or with `custos covert` ({} cannot {} here)",
                case.reference,
                action.describe()
            )));
        }
        if case.kind == CaseKind::PoliceControl {
            return Err(StoreError::Invalid(format!(
                "a police request to take control is answered by the owners' representative in their own name: take its steps in the police control section of its page on the web, or with `custos police-control` ({} cannot {} here)",
                case.reference,
                action.describe()
            )));
        }
        let next = transition(case.kind, case.state, case.progress(), action)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let why = step.reasons.trim();
        if action.needs_reason() && why.chars().count() < 5 {
            return Err(StoreError::Invalid(format!(
                "say why ({}): it goes into the case's record{}",
                action.describe(),
                match action {
                    Action::Extend => {
                        " and the letter telling the requester (the request must be complex or numerous, UK GDPR Art 12(3))"
                    }
                    Action::Appeal => ": what the complainant is not satisfied with",
                    Action::DecideAppeal(_) => " and the letter giving the appeal's outcome",
                    _ => "",
                }
            )));
        }
        // An appeal is heard by someone who did not decide the answer appealed against
        // (LBU-25: the Chief Operating Officer; BDC-21: the appeals procedure).
        if let Action::DecideAppeal(_) = action {
            let decided = self
                .ledger_entries(&crate::LedgerQuery {
                    book: Some(Book::Case),
                    reference: Some(format!("case:{}", case.reference)),
                    ..crate::LedgerQuery::default()
                })
                .await?
                .into_iter()
                .rev()
                .find(|e| e.kind == Action::Decide(Decision::Answer).ledger_kind())
                .map(|e| e.actor);
            if decided.as_deref() == Some(actor.to_string().as_str()) {
                return Err(StoreError::Invalid(
                    "you decided the answer this appeal is against: an appeal is decided by someone who was not involved in the first answer"
                        .to_owned(),
                ));
            }
        }
        if let Action::Decide(d) = action {
            check_decision(d, why, step.others_shown, step.why_reasonable.as_deref())
                .map_err(StoreError::Invalid)?;
        }
        if case.kind == CaseKind::Disclosure {
            self.check_disclosure_step(case, action, why).await?;
        }
        // Decisions are not silently reversed: once a response letter has stated one,
        // changing it needs a reason and a new letter, and the case closes only on a letter
        // that states the decision it closes with.
        let letter = match action {
            Action::Decide(_) | Action::Close => {
                self.response_letter_decision(&case.reference).await?
            }
            _ => None,
        };
        let mut change = None;
        if let (Action::Decide(_), Some((stated, at))) = (action, &letter) {
            let because = step.change_reason.as_deref().unwrap_or("").trim();
            if because.chars().count() < 10 {
                return Err(StoreError::Invalid(format!(
                    "the response letter issued on {} states the decision to {stated}: to change it, say why the decision changed (it is kept in the case's record), then issue a new response letter",
                    UnixMs(*at).to_london_display()
                )));
            }
            change = Some((stated.clone(), because.to_owned()));
        }
        if action == Action::Close {
            let decision = case.decision.as_ref().map(|d| d.0);
            if let (Some((stated, at)), Some(d)) = (&letter, decision)
                && stated != d.as_str()
            {
                return Err(StoreError::Invalid(format!(
                    "the response letter issued on {} states the decision to {stated}, but the decision is now to {d}: issue a new response letter stating it before closing the case",
                    UnixMs(*at).to_london_display()
                )));
            }
            if case.kind != CaseKind::Disclosure
                && decision.is_some_and(Decision::discloses)
                && !self.copy_made_for_case(&case.reference).await?
            {
                return Err(StoreError::Invalid(format!(
                    "the decision is to disclose a copy, but no copy has been made for this case: make the package on the Export page with the case reference {r} (at the console, custos export --case {r}), or change the decision",
                    r = case.reference
                )));
            }
        }
        Ok((next, change))
    }

    /// Moves case `reference` on by `action` (checked by the case's state machine), with
    /// what the step states, ledgered `case-ACTION` with the new state. Pausing for proof
    /// of identity opens a pause of the clock; confirming it closes the pause. Converting an
    /// FOI request opens the subject access request it becomes (LJM-11), in the same
    /// transaction. Returns the case as it now is.
    pub async fn act_on_case(
        &self,
        actor: &Actor,
        reference: &str,
        action: Action,
        step: &Step,
    ) -> StoreResult<Case> {
        let case = self.require_case(reference).await?;
        let (next, change) = self.check_step(actor, &case, action, step).await?;
        let why = step.reasons.trim();
        let erasure =
            if case.kind == CaseKind::Erasure && action == Action::Decide(Decision::Accept) {
                Some(self.erase_for_case(actor, &case, step).await?)
            } else {
                None
            };
        let now = self.clock().now().0;
        // The holds placed because the request was pending end when it is answered or
        // withdrawn: that is their class's whole period. Other holds on the case stay.
        let mut answered_holds = Vec::new();
        if matches!(action, Action::Close | Action::Withdraw) {
            for id in &case.holds {
                if let Some(h) = self.hold(id).await?
                    && h.class == INTAKE_CLASS
                    && h.active(now)
                {
                    answered_holds.push(h);
                }
            }
        }
        // Staff taking a request from the public forward accept it: its provisional holds
        // are confirmed for their class's whole period (BDC-28).
        let mut confirm = Vec::new();
        if !matches!(action, Action::Close | Action::Withdraw) && !matches!(actor, Actor::System(_))
        {
            for id in &case.holds {
                if let Some(h) = self.hold(id).await?
                    && h.provisional
                    && h.active(now)
                {
                    confirm.push(h);
                }
            }
        }
        let pack = match confirm.is_empty() {
            true => None,
            false => self.active_policy().await?.map(|p| p.pack),
        };
        let mut tx = self.write().await?;
        for h in &confirm {
            let Some(pack) = &pack else { break };
            crate::retention::confirm_in(&mut tx, actor, h, pack, &case.reference).await?;
        }
        for h in &answered_holds {
            crate::retention::release_in(
                &mut tx,
                actor,
                h,
                &format!(
                    "request {} {}: footage kept while it was pending returns to the normal retention",
                    case.reference,
                    if action == Action::Close { "answered" } else { "withdrawn" }
                ),
                now,
                None,
            )
            .await?;
        }
        let mut entry = NewEntry::new(Book::Case, action.ledger_kind())
            .with_ref(case_ref(&case.reference)?)
            .with("from", case.state.as_str())
            .with("to", next.as_str());
        // A breach's own steps, and the outcome it may close with, are its record's.
        let mut sent = None;
        if case.kind == CaseKind::Breach {
            (entry, sent) =
                crate::breaches::step_in(self, &mut tx, &case, action, why, now, entry).await?;
        }
        match action {
            Action::AwaitIdentity => {
                sqlx::query(
                    "INSERT INTO case_pauses (reference, paused_at_unix_ms, reason) \
                     VALUES ($1, $2, $3)",
                )
                .bind(&case.reference)
                .bind(now)
                .bind(if why.is_empty() {
                    "waiting for proof of identity"
                } else {
                    why
                })
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("pausing a case's clock"))?;
                entry = entry.with("clock", "paused");
            }
            Action::VerifyIdentity => {
                restart_clock(&mut tx, &case.reference, now).await?;
                entry = entry.with("clock", "running");
            }
            Action::Extend => {
                sqlx::query(
                    "UPDATE cases SET extended = 1, extension_reason = $1 WHERE reference = $2",
                )
                .bind(why)
                .bind(&case.reference)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("extending a case"))?;
                entry = entry.with("reason", why);
            }
            Action::Decide(d) => {
                sqlx::query(
                    "UPDATE cases SET decision = $1, decision_reasons = $2 WHERE reference = $3",
                )
                .bind(d.as_str())
                .bind(why)
                .bind(&case.reference)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("deciding a case"))?;
                entry = entry.with("decision", d.as_str()).with("reasons", why);
                if let Some(outcome) = &erasure {
                    sqlx::query("UPDATE cases SET erasure_outcome = $1 WHERE reference = $2")
                        .bind(
                            serde_json::to_string(outcome)
                                .map_err(|e| StoreError::Invalid(e.to_string()))?,
                        )
                        .bind(&case.reference)
                        .execute(tx.conn())
                        .await
                        .map_err(StoreError::db("recording an erasure"))?;
                    entry = entry
                        .with("segments_erased", outcome.segments_erased)
                        .with("footage_kept_by_holds", outcome.kept.len());
                }
                if let Some((stated, because)) = &change {
                    entry = entry
                        .with("changed_from", stated.as_str())
                        .with("change_reason", because.as_str());
                }
                if step.others_shown {
                    entry = entry.with(
                        "others_shown_reasonable",
                        step.why_reasonable.as_deref().unwrap_or("").trim(),
                    );
                }
            }
            // Closing after an appeal keeps the time the first answer was sent: that is
            // what the answer's clock is measured against.
            Action::Close if case.state == CaseState::AppealDecided => {}
            Action::Close | Action::Withdraw => {
                sqlx::query("UPDATE cases SET closed_at_unix_ms = $1 WHERE reference = $2")
                    .bind(now)
                    .bind(&case.reference)
                    .execute(tx.conn())
                    .await
                    .map_err(StoreError::db("closing a case"))?;
                // A withdrawn case's clock stops for good: close any open pause.
                restart_clock(&mut tx, &case.reference, now).await?;
                if !why.is_empty() {
                    entry = entry.with("reason", why);
                }
            }
            Action::ConvertToSubjectAccess => {
                let sar =
                    next_reference(&mut tx, CaseKind::SubjectAccess, case.received_at_unix_ms)
                        .await?;
                let key = SecretKey::generate()?;
                sqlx::query(
                    "INSERT INTO cases (reference, kind, state, received_at_unix_ms, channel, \
                     summary, requester_name, requester_contact, details, opened_by, key_sealed) \
                     SELECT $1, $2, $3, received_at_unix_ms, channel, summary, requester_name, \
                     requester_contact, details, $4, $5 FROM cases WHERE reference = $6",
                )
                .bind(&sar)
                .bind(CaseKind::SubjectAccess.as_str())
                .bind(CaseState::Received.as_str())
                .bind(actor.to_string())
                .bind(self.master_key()?.seal(&key_context(&sar), key.bytes())?)
                .bind(&case.reference)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("converting a case"))?;
                sqlx::query(
                    "UPDATE cases SET converted_to = $1, closed_at_unix_ms = $2 WHERE reference = $3",
                )
                .bind(&sar)
                .bind(now)
                .bind(&case.reference)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("converting a case"))?;
                entry = entry.with_ref(case_ref(&sar)?).with("became", sar.as_str());
                tx.record(
                    actor,
                    NewEntry::new(Book::Case, "case-opened")
                        .with_ref(case_ref(&sar)?)
                        .with("kind", CaseKind::SubjectAccess.as_str())
                        .with("channel", case.channel.as_str())
                        .with("received", UnixMs(case.received_at_unix_ms).to_rfc3339())
                        .with("converted_from", case.reference.as_str()),
                );
            }
            Action::Acknowledge => {
                sqlx::query("UPDATE cases SET acknowledged_at_unix_ms = $1 WHERE reference = $2")
                    .bind(now)
                    .bind(&case.reference)
                    .execute(tx.conn())
                    .await
                    .map_err(StoreError::db("acknowledging a complaint"))?;
            }
            Action::AcceptLate => entry = entry.with("reason", why),
            Action::Appeal => {
                sqlx::query(
                    "UPDATE cases SET appeal_received_at_unix_ms = $1, appeal_grounds = $2 \
                     WHERE reference = $3",
                )
                .bind(now)
                .bind(why)
                .bind(&case.reference)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("recording an appeal"))?;
                entry = entry.with("reason", why);
            }
            Action::DecideAppeal(o) => {
                sqlx::query(
                    "UPDATE cases SET appeal_outcome = $1, appeal_reasons = $2, \
                     appeal_decided_by = $3 WHERE reference = $4",
                )
                .bind(o.as_str())
                .bind(why)
                .bind(actor.to_string())
                .bind(&case.reference)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("deciding an appeal"))?;
                entry = entry.with("outcome", o.as_str()).with("reasons", why);
            }
            Action::Start
            | Action::AssessRisk(_)
            | Action::NotifyIco
            | Action::NotNotifyIco
            | Action::TellPeople
            | Action::NotTellPeople(_) => {}
            // Refused by `check_step`: a covert authorisation's steps go through
            // `Store::covert_step`, which records what they carry.
            Action::ApproveJudicially
            | Action::Review
            | Action::Renew
            | Action::Cancel
            | Action::Agree
            | Action::HandBack => {
                return Err(StoreError::Invalid(format!(
                    "{} is taken on its own section of the case's page",
                    action.describe()
                )));
            }
        }
        sqlx::query("UPDATE cases SET state = $1 WHERE reference = $2")
            .bind(next.as_str())
            .bind(&case.reference)
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("moving a case on"))?;
        tx.record(actor, entry);
        // The notification to the ICO as sent is kept with the case, in the same
        // transaction as the step that records it sent.
        if let (Some(n), Some(documents)) = (sent, &step.documents) {
            let created = UnixMs(now)
                .to_timestamp()
                .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
            self.keep_case_document_in(
                &mut tx,
                actor,
                documents,
                &case.reference,
                Some(crate::breaches::ICO_NOTIFICATION),
                &format!("{}-ico-notification.pdf", case.reference),
                "application/pdf",
                &n.to_pdf(created),
            )
            .await?;
        }
        tx.commit().await?;
        self.require_case(&case.reference).await
    }

    /// Adds footage to case `reference`: `cameras` from `from_unix_ms` to `to_unix_ms`.
    /// For a kind whose footage is held while it is answered (BDC-28) the footage is held
    /// under the pack's `request-pending` class, in the same transaction; otherwise it is
    /// linked only (an erasure request's footage is what is to be erased).
    pub async fn add_case_footage(
        &self,
        actor: &Actor,
        reference: &str,
        cameras: &[custos_domain::Ident],
        from_unix_ms: i64,
        to_unix_ms: i64,
    ) -> StoreResult<Case> {
        let case = self.require_case(reference).await?;
        if !case.state.is_open() {
            return Err(StoreError::Invalid(format!(
                "{} is {}; footage is added to open cases only",
                case.reference, case.state
            )));
        }
        if cameras.is_empty() {
            return Err(StoreError::Invalid("choose at least one camera".to_owned()));
        }
        if to_unix_ms <= from_unix_ms {
            return Err(StoreError::Invalid(
                "the footage's range must end after it starts".to_owned(),
            ));
        }
        for c in cameras {
            if self.camera(c).await?.is_none() {
                return Err(StoreError::NotFound(format!(
                    "there is no camera {c}; `custos camera list` shows the register"
                )));
            }
        }
        let now = self.clock().now();
        let policy = self.active_policy().await?;
        let mut tx = self.write().await?;
        let hold = if case.kind.holds_footage_at_intake() {
            let Some(p) = policy.as_ref() else {
                return Err(StoreError::Invalid(
                    "no policy pack is loaded, so the footage cannot be held".to_owned(),
                ));
            };
            let req = intake_hold(
                &p.pack,
                actor,
                &case.reference,
                cameras,
                from_unix_ms,
                to_unix_ms,
            )
            .map_err(StoreError::Invalid)?;
            Some(crate::retention::insert_hold(&mut tx, actor, &req, &p.pack, now, None).await?)
        } else {
            None
        };
        link_footage(
            &mut tx,
            actor,
            &case.reference,
            cameras,
            from_unix_ms,
            to_unix_ms,
            hold.as_deref(),
            now.0,
        )
        .await?;
        tx.commit().await?;
        self.require_case(&case.reference).await
    }

    /// Carries out an accepted erasure request (BDC-30) before the decision is recorded:
    /// the case's own holds are released, then each piece of footage the case names is
    /// erased through the retention API, except what another hold keeps, which is said in
    /// words for the response. The caller has checked `authorise-deletion` (ALT-8).
    async fn erase_for_case(
        &self,
        actor: &Actor,
        case: &Case,
        step: &Step,
    ) -> StoreResult<ErasureOutcome> {
        let Some(footage_dir) = step.footage.as_deref() else {
            return Err(StoreError::Invalid(
                "this server keeps no footage, so an erasure cannot be carried out here; \
                 decide it where the footage is kept"
                    .to_owned(),
            ));
        };
        // A request about footage that no longer exists (or was never recorded) is accepted
        // with nothing to erase: the letter says none is held.
        if case.footage.is_empty() && case.footage_absent.is_none() {
            return Err(StoreError::Invalid(format!(
                "{} names no footage yet: add the cameras and times the request is about, \
                 then accept it",
                case.reference
            )));
        }
        let why = format!("erasure request {} accepted", case.reference);
        for id in &case.holds {
            if let Some(h) = self.hold(id).await?
                && h.released_at_unix_ms.is_none()
            {
                self.release_hold(actor, id, &why, None).await?;
            }
        }
        let pack = self.active_policy().await?.map(|p| p.pack);
        let mut outcome = ErasureOutcome::default();
        for f in &case.footage {
            let camera = custos_domain::Ident::parse(&f.camera)
                .map_err(|e| StoreError::Corrupt(format!("case {}: {e}", case.reference)))?;
            let done = self
                .erase_footage(
                    footage_dir,
                    actor,
                    &camera,
                    f.from_unix_ms,
                    f.to_unix_ms,
                    &why,
                )
                .await?;
            outcome.segments_erased += done.segments;
            for h in done.kept_by {
                let class = pack
                    .as_ref()
                    .and_then(|p| {
                        p.retention
                            .classes
                            .iter()
                            .find(|c| c.id.as_str() == h.class)
                    })
                    .map_or_else(|| h.class.clone(), |c| c.description.clone());
                outcome.kept.push(format!(
                    "footage from camera {} between {} and {} is kept under hold {} ({}) until \
                     {} at the latest, so it has not been erased; it will be erased when that \
                     hold ends",
                    f.camera,
                    UnixMs(f.from_unix_ms.max(h.from_unix_ms)).to_london_display(),
                    UnixMs(f.to_unix_ms.min(h.to_unix_ms)).to_london_display(),
                    h.id,
                    class.trim_end_matches('.'),
                    UnixMs(h.expires_at_unix_ms).to_london_display(),
                ));
            }
        }
        Ok(outcome)
    }

    /// Assigns `username` to case `reference` (ledgered `case-assigned`).
    pub async fn assign_case(
        &self,
        actor: &Actor,
        reference: &str,
        username: &custos_domain::access::Username,
    ) -> StoreResult<()> {
        let case = self.require_case(reference).await?;
        if self.user(username).await?.is_none() {
            return Err(StoreError::NotFound(format!(
                "there is no account called {username}"
            )));
        }
        if case.assignees.iter().any(|a| a == username.as_str()) {
            return Ok(());
        }
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO case_assignees (reference, username) VALUES ($1, $2)")
            .bind(&case.reference)
            .bind(username.as_str())
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("assigning a case"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Case, "case-assigned")
                .with_ref(case_ref(&case.reference)?)
                .with_ref(
                    Reference::new("user", username.as_str())
                        .map_err(|e| StoreError::Invalid(e.to_string()))?,
                ),
        );
        tx.commit().await
    }

    /// Adds a note to case `reference`; the ledger entry (`case-note-added`) holds the
    /// note's SHA-256, not its text.
    pub async fn add_case_note(
        &self,
        actor: &Actor,
        reference: &str,
        text: &str,
    ) -> StoreResult<()> {
        let text = text.trim();
        if text.is_empty() {
            return Err(StoreError::Invalid("the note is empty".to_owned()));
        }
        let case = self.require_case(reference).await?;
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO case_notes (reference, at_unix_ms, author, text) VALUES ($1, $2, $3, $4)",
        )
        .bind(&case.reference)
        .bind(self.clock().now().0)
        .bind(actor.to_string())
        .bind(text)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("adding a note"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Case, "case-note-added")
                .with_ref(case_ref(&case.reference)?)
                .with("sha256", to_hex(&Sha256::digest(text.as_bytes()))),
        );
        tx.commit().await
    }

    /// The notes on case `reference`, oldest first.
    pub async fn case_notes(&self, reference: &str) -> StoreResult<Vec<CaseNote>> {
        let rows = sqlx::query(
            "SELECT at_unix_ms, author, text FROM case_notes WHERE reference = $1 \
             ORDER BY at_unix_ms",
        )
        .bind(reference)
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading notes"))?;
        let get = StoreError::db("reading notes");
        rows.iter()
            .map(|r| {
                Ok(CaseNote {
                    at_unix_ms: r.try_get(0).map_err(&get)?,
                    author: r.try_get(1).map_err(&get)?,
                    text: r.try_get(2).map_err(&get)?,
                })
            })
            .collect()
    }

    /// Holds footage for case `reference` through the retention holds (BDC-28): the hold
    /// carries the case's reference, and the case lists the hold (`case-footage-held`).
    pub async fn hold_for_case(
        &self,
        actor: &Actor,
        reference: &str,
        request: &HoldRequest,
    ) -> StoreResult<crate::retention::Hold> {
        let case = self.require_case(reference).await?;
        let mut req = request.clone();
        req.case_ref = Some(case.reference.clone());
        let hold = self.place_hold(actor, &req).await?;
        let mut tx = self.write().await?;
        link_footage(
            &mut tx,
            actor,
            &case.reference,
            &req.cameras,
            req.from_unix_ms,
            req.to_unix_ms,
            Some(&hold.id),
            self.clock().now().0,
        )
        .await?;
        tx.commit().await?;
        Ok(hold)
    }

    async fn case_key(&self, reference: &str) -> StoreResult<SecretKey> {
        self.open_record_key(
            "SELECT key_sealed FROM cases WHERE reference = $1",
            &key_context(reference),
            reference,
            "case",
        )
        .await
    }

    /// Keeps a document with case `reference`, encrypted under `documents` (ledgered
    /// `case-document-added` with its SHA-256, not its contents or name).
    pub async fn add_case_document(
        &self,
        actor: &Actor,
        documents: &Path,
        reference: &str,
        name: &str,
        media_type: &str,
        contents: &[u8],
    ) -> StoreResult<CaseDocument> {
        self.add_case_document_of_kind(
            actor, documents, reference, None, name, media_type, contents,
        )
        .await
    }

    /// [`Store::add_case_document`], saying what the document is (`kind`); the kind is in
    /// the ledger entry too.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn add_case_document_of_kind(
        &self,
        actor: &Actor,
        documents: &Path,
        reference: &str,
        kind: Option<&str>,
        name: &str,
        media_type: &str,
        contents: &[u8],
    ) -> StoreResult<CaseDocument> {
        let case = self.require_case(reference).await?;
        // The file is written before the write transaction begins, so that a large upload
        // does not hold other writers back.
        let file = self
            .write_case_document_file(documents, &case.reference, name, contents)
            .await?;
        let mut tx = self.write().await?;
        let doc = record_case_document_in(
            &mut tx,
            actor,
            &case.reference,
            file,
            kind,
            media_type,
            contents,
            self.clock().now().0,
        )
        .await?;
        tx.commit().await?;
        Ok(doc)
    }

    /// Keeps a document with case `reference` inside `tx`: the file encrypted under the
    /// case's key in `documents`, its row, and its ledger entry (`case-document-added`
    /// with its SHA-256 and `kind`, not its contents or name). The file is written before
    /// the transaction commits; if it does not, the file is left unreferenced.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn keep_case_document_in(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        documents: &Path,
        reference: &str,
        kind: Option<&str>,
        name: &str,
        media_type: &str,
        contents: &[u8],
    ) -> StoreResult<CaseDocument> {
        let file = self
            .write_case_document_file(documents, reference, name, contents)
            .await?;
        record_case_document_in(
            tx,
            actor,
            reference,
            file,
            kind,
            media_type,
            contents,
            self.clock().now().0,
        )
        .await
    }

    /// Writes `contents` encrypted under case `reference`'s key as a new file in
    /// `documents`, for a document named `name` (refused when either is empty).
    async fn write_case_document_file(
        &self,
        documents: &Path,
        reference: &str,
        name: &str,
        contents: &[u8],
    ) -> StoreResult<DocumentFile> {
        let name = name.trim();
        if name.is_empty() || contents.is_empty() {
            return Err(StoreError::Invalid(
                "a document needs a name and some contents".to_owned(),
            ));
        }
        let key = self.case_key(reference).await?;
        let id = random_hex(8)?;
        let rel = format!("{reference}/{id}.cdoc");
        let abs = documents.join(&rel);
        crate::documents::write_sealed(&abs, &key, contents, self.clock().now().0)?;
        Ok(DocumentFile {
            id,
            rel,
            name: name.to_owned(),
        })
    }
    /// The documents of case `reference`.
    pub async fn case_documents(&self, reference: &str) -> StoreResult<Vec<CaseDocument>> {
        let rows = sqlx::query(
            "SELECT id, name, media_type, bytes, sha256, added_at_unix_ms, added_by, kind \
             FROM case_documents WHERE reference = $1 ORDER BY added_at_unix_ms, id",
        )
        .bind(reference)
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading documents"))?;
        let get = StoreError::db("reading documents");
        rows.iter()
            .map(|r| {
                Ok(CaseDocument {
                    id: r.try_get(0).map_err(&get)?,
                    name: r.try_get(1).map_err(&get)?,
                    media_type: r.try_get(2).map_err(&get)?,
                    bytes: u64::try_from(r.try_get::<i64, _>(3).map_err(&get)?).unwrap_or(0),
                    sha256: r.try_get(4).map_err(&get)?,
                    added_at_unix_ms: r.try_get(5).map_err(&get)?,
                    added_by: r.try_get(6).map_err(&get)?,
                    kind: r.try_get(7).map_err(&get)?,
                })
            })
            .collect()
    }

    /// A document's contents, decrypted and checked against its SHA-256.
    pub async fn case_document(
        &self,
        documents: &Path,
        reference: &str,
        id: &str,
    ) -> StoreResult<(CaseDocument, Vec<u8>)> {
        let doc = self
            .case_documents(reference)
            .await?
            .into_iter()
            .find(|d| d.id == id)
            .ok_or_else(|| {
                StoreError::NotFound(format!("case {reference} has no document {id}"))
            })?;
        let key = self.case_key(reference).await?;
        let path = documents.join(format!("{reference}/{id}.cdoc"));
        let contents = crate::documents::read_sealed(
            &path,
            &key,
            &doc.sha256,
            &format!("document {id} of case {reference}"),
        )?;
        Ok((doc, contents))
    }
}

/// A case document's file, written and not yet recorded.
struct DocumentFile {
    id: String,
    /// Its path under the documents folder.
    rel: String,
    name: String,
}

/// Records document `file` of case `reference` in `tx`: its row and its ledger entry
/// (`case-document-added` with its SHA-256, size and `kind`).
#[allow(clippy::too_many_arguments)]
async fn record_case_document_in(
    tx: &mut WriteTx,
    actor: &Actor,
    reference: &str,
    file: DocumentFile,
    kind: Option<&str>,
    media_type: &str,
    contents: &[u8],
    now: i64,
) -> StoreResult<CaseDocument> {
    let DocumentFile { id, rel, name } = file;
    let sha = to_hex(&Sha256::digest(contents));
    sqlx::query(
        "INSERT INTO case_documents (id, reference, name, media_type, path, bytes, sha256, \
         added_at_unix_ms, added_by, kind) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(reference)
    .bind(&name)
    .bind(media_type.trim())
    .bind(&rel)
    .bind(i64::try_from(contents.len()).unwrap_or(i64::MAX))
    .bind(&sha)
    .bind(now)
    .bind(actor.to_string())
    .bind(kind)
    .execute(tx.conn())
    .await
    .map_err(StoreError::db("adding a document"))?;
    let mut entry = NewEntry::new(Book::Case, "case-document-added")
        .with_ref(case_ref(reference)?)
        .with("document", id.as_str())
        .with("sha256", sha.as_str())
        .with("bytes", contents.len());
    if let Some(k) = kind {
        entry = entry.with("kind", k);
    }
    tx.record(actor, entry);
    Ok(CaseDocument {
        id,
        name,
        media_type: media_type.trim().to_owned(),
        bytes: contents.len() as u64,
        sha256: sha,
        added_at_unix_ms: now,
        added_by: actor.to_string(),
        kind: kind.map(str::to_owned),
    })
}

/// Ends the open pause of case `reference`'s clock, if any, at `now`.
async fn restart_clock(tx: &mut WriteTx, reference: &str, now: i64) -> StoreResult<()> {
    sqlx::query(
        "UPDATE case_pauses SET resumed_at_unix_ms = $1 \
         WHERE reference = $2 AND resumed_at_unix_ms IS NULL",
    )
    .bind(now)
    .bind(reference)
    .execute(tx.conn())
    .await
    .map_err(StoreError::db("restarting a case's clock"))?;
    Ok(())
}

/// The next reference for `kind` in the UK year of `received`: `SAR-2026-0007`.
async fn next_reference(tx: &mut WriteTx, kind: CaseKind, received: i64) -> StoreResult<String> {
    next_numbered(tx, kind.prefix(), received).await
}

/// The next reference with `prefix` in the UK year of `at`: `PREFIX-2026-0007`, from one
/// counter per prefix and year, so that none is ever reused.
pub(crate) async fn next_numbered(tx: &mut WriteTx, prefix: &str, at: i64) -> StoreResult<String> {
    let year: i64 = UnixMs(at)
        .to_uk_local_input()
        .get(..4)
        .and_then(|y| y.parse().ok())
        .ok_or_else(|| StoreError::Invalid("the date is out of range".to_owned()))?;
    let row = sqlx::query("SELECT next FROM case_counters WHERE prefix = $1 AND year = $2")
        .bind(prefix)
        .bind(year)
        .fetch_optional(tx.conn())
        .await
        .map_err(StoreError::db("numbering a reference"))?;
    let n: i64 = match row {
        Some(r) => r
            .try_get(0)
            .map_err(StoreError::db("numbering a reference"))?,
        None => 1,
    };
    sqlx::query(
        "INSERT INTO case_counters (prefix, year, next) VALUES ($1, $2, $3) \
         ON CONFLICT (prefix, year) DO UPDATE SET next = $3",
    )
    .bind(prefix)
    .bind(year)
    .bind(n + 1)
    .execute(tx.conn())
    .await
    .map_err(StoreError::db("numbering a reference"))?;
    Ok(format!("{prefix}-{year}-{n:04}"))
}

/// The hold a request about footage places at intake (BDC-28): the pack's
/// `request-pending` evidence class, answered for by the person who opened the case or,
/// for a request from the public, the scheme's Data Protection Officer.
fn intake_hold(
    pack: &custos_domain::PolicyPack,
    actor: &Actor,
    reference: &str,
    cameras: &[custos_domain::Ident],
    from_unix_ms: i64,
    to_unix_ms: i64,
) -> Result<HoldRequest, String> {
    let class = custos_domain::Ident::parse(INTAKE_CLASS).map_err(|e| e.to_string())?;
    if !pack.retention.classes.iter().any(|c| c.id == class) {
        return Err(format!(
            "the policy pack has no evidence class {INTAKE_CLASS:?}, so footage named in a \
             request cannot be held while it is answered; add a [[retention.class]] \
             with id = \"{INTAKE_CLASS}\" to the pack"
        ));
    }
    Ok(HoldRequest {
        cameras: cameras.to_vec(),
        from_unix_ms,
        to_unix_ms,
        class,
        reason: format!("footage named in request {reference}, kept until it is answered"),
        owner: match actor {
            Actor::User(n) | Actor::Deputy { user: n, .. } | Actor::Console(n) => n.clone(),
            Actor::System(_) => pack.controller.dpo.clone(),
        },
        until_unix_ms: None,
        case_ref: Some(reference.to_owned()),
    })
}

/// The evidence class footage named in a pending request is held under.
pub const INTAKE_CLASS: &str = "request-pending";

/// The channel of requests made on the public form.
pub const PUBLIC_CHANNEL: &str = "public-form";

/// Those of `cameras` that have recorded footage in `[from, to)`, or are recording it now.
async fn cameras_with_footage(
    tx: &mut WriteTx,
    cameras: &[custos_domain::Ident],
    from_unix_ms: i64,
    to_unix_ms: i64,
) -> StoreResult<Vec<custos_domain::Ident>> {
    let mut out = Vec::new();
    for c in cameras {
        // Closed segments, or a recording in progress (its segment not closed yet) that
        // began before the window ends and has had frames since it began.
        let any = sqlx::query(
            "SELECT 1 FROM segments WHERE camera_id = $1 AND start_unix_ms < $3 \
             AND end_unix_ms > $2 \
             UNION ALL SELECT 1 FROM camera_health WHERE camera_id = $1 \
             AND state = 'recording' AND since_unix_ms < $3 AND last_frame_unix_ms > $2 \
             LIMIT 1",
        )
        .bind(c.as_str())
        .bind(from_unix_ms)
        .bind(to_unix_ms)
        .fetch_optional(tx.conn())
        .await
        .map_err(StoreError::db("looking for footage"))?;
        if any.is_some() {
            out.push(c.clone());
        }
    }
    Ok(out)
}

/// Links footage to case `reference` (one row per camera), with the hold keeping it if
/// any, ledgered `case-footage-linked` (and `case-footage-held` when held).
#[allow(clippy::too_many_arguments)]
async fn link_footage(
    tx: &mut WriteTx,
    actor: &Actor,
    reference: &str,
    cameras: &[custos_domain::Ident],
    from_unix_ms: i64,
    to_unix_ms: i64,
    hold: Option<&str>,
    now: i64,
) -> StoreResult<()> {
    let mut entry = NewEntry::new(
        Book::Case,
        if hold.is_some() {
            "case-footage-held"
        } else {
            "case-footage-linked"
        },
    )
    .with_ref(case_ref(reference)?);
    for c in cameras {
        sqlx::query(
            "INSERT INTO case_footage (reference, camera_id, from_unix_ms, to_unix_ms, \
             hold_id, added_at_unix_ms) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (reference, camera_id, from_unix_ms) DO UPDATE \
             SET to_unix_ms = $4, hold_id = COALESCE($5, case_footage.hold_id)",
        )
        .bind(reference)
        .bind(c.as_str())
        .bind(from_unix_ms)
        .bind(to_unix_ms)
        .bind(hold)
        .bind(now)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("linking footage to a case"))?;
        entry = entry.with_ref(
            Reference::new("camera", c.as_str()).map_err(|e| StoreError::Invalid(e.to_string()))?,
        );
    }
    if let Some(h) = hold {
        sqlx::query(
            "INSERT INTO case_holds (reference, hold_id) VALUES ($1, $2) \
             ON CONFLICT (reference, hold_id) DO NOTHING",
        )
        .bind(reference)
        .bind(h)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("linking a hold to a case"))?;
        entry = entry
            .with_ref(Reference::new("hold", h).map_err(|e| StoreError::Invalid(e.to_string()))?);
    }
    tx.record(
        actor,
        entry
            .with("footage_from", UnixMs(from_unix_ms).to_rfc3339())
            .with("footage_to", UnixMs(to_unix_ms).to_rfc3339()),
    );
    Ok(())
}

impl Store {
    /// Writes letter `kind` for case `reference` from what the case records now, keeps a
    /// PDF copy with the case's documents (ledgered like any document, so what was sent is
    /// on record), and returns the letter for showing. Due dates are counted on `calendar`
    /// (the scheme's nation with its one-off holidays).
    pub async fn issue_letter(
        &self,
        actor: &Actor,
        documents: &Path,
        reference: &str,
        kind: LetterKind,
        calendar: &custos_domain::calendar::Calendar,
    ) -> StoreResult<(Letter, CaseDocument)> {
        let letter = self.compose_letter(reference, kind, calendar).await?;
        // A response letter is kept under the decision it states, so that the decision is
        // not changed behind it (see `act_on_case`).
        let doc_kind = match (kind, self.require_case(reference).await?.decision) {
            (LetterKind::Response, Some((d, _))) => Some(format!("{RESPONSE_LETTER}{d}")),
            _ => None,
        };
        let created = self
            .clock()
            .now()
            .to_timestamp()
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let pdf = letter.to_pdf(created);
        let doc = self
            .add_case_document_of_kind(
                actor,
                documents,
                reference,
                doc_kind.as_deref(),
                &format!("{reference}-{kind}.pdf"),
                "application/pdf",
                &pdf,
            )
            .await?;
        Ok((letter, doc))
    }

    /// The decision the latest response letter issued for case `reference` states, and
    /// when it was issued; `None` before any.
    pub async fn response_letter_decision(
        &self,
        reference: &str,
    ) -> StoreResult<Option<(String, i64)>> {
        Ok(self
            .case_documents(reference)
            .await?
            .iter()
            .rev()
            .find_map(|d| {
                let stated = d.kind.as_deref()?.strip_prefix(RESPONSE_LETTER)?;
                Some((stated.to_owned(), d.added_at_unix_ms))
            }))
    }

    /// Whether a copy of footage (an evidence package) has been made for case `reference`.
    async fn copy_made_for_case(&self, reference: &str) -> StoreResult<bool> {
        Ok(self.downloads(false).await?.iter().any(|d| {
            d.package_id.is_some()
                && d.request
                    .case_ref
                    .as_deref()
                    .is_some_and(|r| r.trim() == reference)
        }))
    }

    /// Letter `kind` for case `reference` as the case stands, without keeping it.
    pub async fn compose_letter(
        &self,
        reference: &str,
        kind: LetterKind,
        calendar: &custos_domain::calendar::Calendar,
    ) -> StoreResult<Letter> {
        let case = self.require_case(reference).await?;
        let Some(policy) = self.active_policy().await? else {
            return Err(StoreError::Invalid(
                "no policy pack is loaded, so there is no controller to write from".to_owned(),
            ));
        };
        let now = self.clock().now();
        let day = |ms: i64| {
            UnixMs(ms)
                .to_timestamp()
                .and_then(|t| custos_domain::calendar::uk_day(t).ok())
                .ok_or_else(|| StoreError::Invalid(format!("{ms} is not a date")))
        };
        let pauses: Vec<(i64, Option<i64>)> =
            case.pauses.iter().map(|(a, b, _)| (*a, *b)).collect();
        let due = match custos_domain::case::due(
            case.kind,
            case.state,
            case.received_at_unix_ms,
            &pauses,
            case.extension.is_some(),
            &policy.pack,
            calendar,
        )
        .map_err(|e| StoreError::Invalid(e.to_string()))?
        {
            CaseDue::Due(d) => Some(match d.due {
                custos_domain::calendar::Due::Day(day) => day.strftime("%A %-d %B %Y").to_string(),
                custos_domain::calendar::Due::Instant(t) => {
                    UnixMs(t.as_millisecond()).to_london_display()
                }
            }),
            _ => None,
        };
        let facts = LetterFacts {
            kind,
            pack: &policy.pack,
            reference: &case.reference,
            case_kind: case.kind,
            requester_name: &case.requester_name,
            requester_contact: &case.requester_contact,
            summary: &case.summary,
            received: day(case.received_at_unix_ms)?,
            date: day(now.0)?,
            due,
            awaiting_identity: case.state == CaseState::AwaitingIdentity,
            extension_reason: case.extension.as_deref(),
            decision: case.decision.as_ref().map(|(d, _)| *d),
            reasons: case.decision.as_ref().map_or("", |(_, r)| r.as_str()),
            erasure: case.erasure.as_ref().map(|e| ErasureFacts {
                segments_erased: e.segments_erased,
                kept: e.kept.clone(),
            }),
            footage_absent: case.footage_absent,
            details: &case.details,
            appeal: case
                .appeal
                .as_ref()
                .map(|a| {
                    Ok::<_, StoreError>(custos_domain::letter::AppealFacts {
                        received: day(a.received_at_unix_ms)?,
                        grounds: &a.grounds,
                        outcome: a.outcome.as_ref().map(|o| o.0),
                        reasons: a.outcome.as_ref().map_or("", |o| o.1.as_str()),
                    })
                })
                .transpose()?,
        };
        compose(&facts)
            .map_err(|e| StoreError::Invalid(format!("the {kind} letter for {reference}: {e}")))
    }
}

impl Store {
    /// The secret part of `username`'s deadlines feed address: an HMAC of the name and the
    /// feed's generation under the master key, so a calendar program can subscribe without
    /// signing in. The feed holds case references, kinds and due dates only, never a
    /// requester's details. [`Store::rotate_calendar_token`] replaces it.
    pub async fn calendar_token(&self, username: &str) -> StoreResult<String> {
        use hmac::{Hmac, Mac};
        let generation: i64 =
            sqlx::query("SELECT calendar_feed_generation FROM users WHERE username = $1")
                .bind(username)
                .fetch_optional(self.pool())
                .await
                .map_err(StoreError::db("reading a deadlines feed"))?
                .map(|r| r.try_get(0))
                .transpose()
                .map_err(StoreError::db("reading a deadlines feed"))?
                .ok_or_else(|| {
                    StoreError::NotFound(format!("there is no account called {username}"))
                })?;
        let key = self.master_key()?;
        let mut mac = Hmac::<Sha256>::new_from_slice(key.bytes())
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        mac.update(b"custos deadlines feed v2:");
        mac.update(username.as_bytes());
        mac.update(b":");
        mac.update(generation.to_string().as_bytes());
        let full = to_hex(&mac.finalize().into_bytes());
        Ok(full.get(..32).unwrap_or(&full).to_owned())
    }

    /// Whether `token` is `username`'s deadlines feed token now (compared in constant time).
    pub async fn calendar_token_matches(&self, username: &str, token: &str) -> StoreResult<bool> {
        let want = self.calendar_token(username).await?;
        let (a, b) = (want.as_bytes(), token.as_bytes());
        Ok(a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0)
    }

    /// Replaces `username`'s deadlines feed address: the old one stops working at once.
    /// Ledgered (`calendar-feed-replaced`).
    pub async fn rotate_calendar_token(
        &self,
        actor: &Actor,
        username: &custos_domain::access::Username,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let done = sqlx::query(
            "UPDATE users SET calendar_feed_generation = calendar_feed_generation + 1 \
             WHERE username = $1",
        )
        .bind(username.as_str())
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("replacing a deadlines feed"))?;
        if done.rows_affected() == 0 {
            tx.rollback().await?;
            return Err(StoreError::NotFound(format!(
                "there is no account called {username}"
            )));
        }
        tx.record(
            actor,
            NewEntry::new(Book::Access, "calendar-feed-replaced").with_ref(
                Reference::new("user", username.as_str())
                    .map_err(|e| StoreError::Invalid(e.to_string()))?,
            ),
        );
        tx.commit().await
    }
}

/// An identifier check for case references typed by people.
pub fn is_reference(text: &str) -> bool {
    let parts: Vec<&str> = text.trim().split('-').collect();
    parts.len() == 3
        && CaseKind::ALL.iter().any(|k| k.prefix() == parts[0])
        && parts[1].len() == 4
        && parts[1].chars().all(|c| c.is_ascii_digit())
        && parts[2].chars().all(|c| c.is_ascii_digit())
}

impl std::fmt::Display for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}, {})", self.reference, self.kind, self.state)
    }
}
