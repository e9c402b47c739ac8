//! Personal data breaches on the case engine (ALT-18, UK GDPR Articles 33–34): each breach
//! is a case of kind `breach` (`BRE-2026-0001`) whose received time is when the scheme
//! became aware of it — the 72 hours run from there — with its record in `case_breach`:
//! the risk as assessed, what the ICO notification says (Art 33(3)(a)–(d)), and whether
//! and when the ICO and the people affected were told, or why not (Art 33(5), 34(3)).
//!
//! Invariants:
//! - The rules are `custos_domain::breach`'s: the duties a risk level brings, the
//!   notification's contents and when it is late, the outcome a breach may close with.
//!   This module stores, loads and ledgers, in the same transaction as the case's step.
//! - Every breach is documented, notified or not (Art 33(5)): it is a case, and no code
//!   path deletes a case; the register lists them all.
//! - Ledger entries carry the reference, the risk level, times and field names, never what
//!   the notification says about people, which the ledger could not forget.

use custos_base::Actor;
use custos_domain::breach::{
    Assessment, Contact, IcoNotification, Info, Outcome, PeopleDecision, Phase, RiskLevel,
    TellingException,
};
use custos_domain::case::{Action, CaseKind, CaseState};
use custos_domain::ledger::{Book, NewEntry};
use sqlx::Row;

use crate::cases::Case;
use crate::error::{StoreError, StoreResult};
use crate::store::{Store, WriteTx};

/// What a breach's record holds besides its case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BreachRecord {
    /// The risk as last assessed, with its reasons.
    pub risk: Option<(RiskLevel, String)>,
    /// What the notification says (Art 33(3)).
    pub details: BreachDetails,
    /// When the ICO was notified, and why late if it was.
    pub ico_notified: Option<(i64, String)>,
    /// Why the ICO is not notified (Art 33(5)).
    pub not_notified_reason: Option<String>,
    /// When and how the people affected were told (Art 34(1)).
    pub people_told: Option<(i64, String)>,
    /// Why they are not told (Art 34(3)), with the facts.
    pub people_exception: Option<(TellingException, String)>,
}

/// What a breach's ICO notification says, as recorded (Art 33(3)(a), (c), (d)); the
/// contact point (b) is the pack's DPO. An empty text or a missing number is "to follow".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BreachDetails {
    /// (a) What happened.
    pub nature: String,
    /// (a) Whose data: the categories of people.
    pub subject_categories: String,
    /// (a) About how many people.
    pub subjects_approx: Option<u64>,
    /// (a) What records.
    pub record_categories: String,
    /// (a) About how many records.
    pub records_approx: Option<u64>,
    /// (c) The likely consequences.
    pub consequences: String,
    /// (d) The measures taken or proposed, remedial actions included.
    pub measures: String,
}

impl BreachRecord {
    /// Whether the ICO was notified, or why not recorded.
    pub fn ico_decided(&self) -> bool {
        self.ico_notified.is_some() || self.not_notified_reason.is_some()
    }

    /// Whether the people affected were told, or the exception recorded.
    pub fn people_decided(&self) -> bool {
        self.people_told.is_some() || self.people_exception.is_some()
    }
}

const COLUMNS: &str = "SELECT risk_level, risk_reasons, nature, subject_categories, subjects_approx, \
     record_categories, records_approx, consequences, measures, ico_notified_at_unix_ms, \
     delay_reasons, not_notified_reason, people_told_at_unix_ms, people_told_how, \
     people_exception, people_exception_details FROM case_breach WHERE reference = $1";

/// The record of breach `reference`, if it has one yet.
pub(crate) async fn load(store: &Store, reference: &str) -> StoreResult<Option<BreachRecord>> {
    let row = sqlx::query(COLUMNS)
        .bind(reference)
        .fetch_optional(store.pool())
        .await
        .map_err(StoreError::db("reading a breach"))?;
    let Some(r) = row else {
        return Ok(None);
    };
    let get = StoreError::db("reading a breach");
    let corrupt = |e: String| StoreError::Corrupt(format!("breach {reference}: {e}"));
    let text = |i: usize| -> StoreResult<String> {
        Ok(r.try_get::<Option<String>, _>(i)
            .map_err(&get)?
            .unwrap_or_default())
    };
    let number = |i: usize| -> StoreResult<Option<u64>> {
        Ok(r.try_get::<Option<i64>, _>(i)
            .map_err(&get)?
            .and_then(|n| u64::try_from(n).ok()))
    };
    let risk = match r.try_get::<Option<String>, _>(0).map_err(&get)? {
        Some(l) => Some((l.parse().map_err(corrupt)?, text(1)?)),
        None => None,
    };
    let at = |i: usize| -> StoreResult<Option<i64>> { r.try_get(i).map_err(&get) };
    Ok(Some(BreachRecord {
        risk,
        details: BreachDetails {
            nature: text(2)?,
            subject_categories: text(3)?,
            subjects_approx: number(4)?,
            record_categories: text(5)?,
            records_approx: number(6)?,
            consequences: text(7)?,
            measures: text(8)?,
        },
        ico_notified: at(9)?.map(|t| (t, text(10).unwrap_or_default())),
        not_notified_reason: r.try_get(11).map_err(&get)?,
        people_told: at(12)?.map(|t| (t, text(13).unwrap_or_default())),
        people_exception: match r.try_get::<Option<String>, _>(14).map_err(&get)? {
            Some(e) => Some((e.parse().map_err(corrupt)?, text(15)?)),
            None => None,
        },
    }))
}

/// Makes sure breach `reference` has its row.
async fn ensure_row(tx: &mut WriteTx, reference: &str) -> StoreResult<()> {
    let found = sqlx::query("SELECT 1 FROM case_breach WHERE reference = $1")
        .bind(reference)
        .fetch_optional(tx.conn())
        .await
        .map_err(StoreError::db("recording a breach"))?;
    if found.is_none() {
        sqlx::query("INSERT INTO case_breach (reference) VALUES ($1)")
            .bind(reference)
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("recording a breach"))?;
    }
    Ok(())
}

/// The ICO notification of `case` as its record stands, sent at `sent_unix_ms`, with
/// `delay_reasons` (empty when in time), from the pack's controller and DPO.
pub fn notification(
    case: &Case,
    record: &BreachRecord,
    pack: &custos_domain::PolicyPack,
    sent_unix_ms: i64,
    delay_reasons: &str,
) -> IcoNotification {
    let d = &record.details;
    let text = |t: &str| {
        if t.trim().is_empty() {
            Info::ToFollow
        } else {
            Info::Given(t.trim().to_owned())
        }
    };
    let number = |n: Option<u64>| n.map_or(Info::ToFollow, Info::Given);
    let complete = [
        &d.nature,
        &d.subject_categories,
        &d.record_categories,
        &d.consequences,
        &d.measures,
    ]
    .iter()
    .all(|t| !t.trim().is_empty())
        && d.subjects_approx.is_some()
        && d.records_approx.is_some();
    let c = &pack.controller;
    let mut contact = vec![c.dpo.trim().to_owned()];
    contact.extend(c.email.iter().map(|e| format!("E-mail: {}", e.trim())));
    contact.extend(c.phone.iter().map(|p| format!("Telephone: {}", p.trim())));
    IcoNotification {
        controller_name: c.name.trim().to_owned(),
        phase: if complete {
            Phase::Complete
        } else {
            Phase::Initial
        },
        what_happened: text(&d.nature),
        subject_categories: text(&d.subject_categories),
        subjects_approx: number(d.subjects_approx),
        record_categories: text(&d.record_categories),
        records_approx: number(d.records_approx),
        contact: Contact {
            name: "The Data Protection Officer".to_owned(),
            details: contact.join("\n"),
        },
        consequences: text(&d.consequences),
        measures: text(&d.measures),
        aware_unix_ms: case.received_at_unix_ms,
        sent_unix_ms,
        delay_reasons: delay_reasons.trim().to_owned(),
    }
}

/// The kind under which the notification to the ICO, as sent, is kept with its breach as
/// a PDF (in the ledger's `case-document-added` entry too).
pub const ICO_NOTIFICATION: &str = "ico-notification";

/// The ICO notification of breach `case` as its record stands: once the ICO is notified,
/// as recorded sent (at that time, with its reasons for any delay); before, as it would be
/// sent at `now_unix_ms`. What the page, its text and PDF downloads, and the console show.
pub fn notification_as_it_stands(
    case: &Case,
    pack: &custos_domain::PolicyPack,
    now_unix_ms: i64,
) -> IcoNotification {
    let record = case.breach.clone().unwrap_or_default();
    let (sent, late) = match &record.ico_notified {
        Some((at, late)) => (*at, late.as_str()),
        None => (now_unix_ms, ""),
    };
    notification(case, &record, pack, sent, late)
}

/// The checks and writes of a breach's own steps, inside `act_on_case`'s transaction:
/// what the ledger entry adds and, for notifying the ICO, the notification as sent (for
/// its copy to be kept with the case), or why the step is refused. `now` is the step's
/// time.
pub(crate) async fn step_in(
    store: &Store,
    tx: &mut WriteTx,
    case: &Case,
    action: Action,
    why: &str,
    now: i64,
    entry: NewEntry,
) -> StoreResult<(NewEntry, Option<IcoNotification>)> {
    let record = case.breach.clone().unwrap_or_default();
    let pack = store
        .active_policy()
        .await?
        .ok_or_else(|| StoreError::Invalid("no policy pack is loaded".to_owned()))?
        .pack;
    let invalid = |problems: Vec<String>| StoreError::Invalid(problems.join("; "));
    ensure_row(tx, &case.reference).await?;
    let reference = case.reference.as_str();
    let exec = |sql: &'static str| sqlx::query(sql);
    let mut sent = None;
    let entry = match action {
        Action::AssessRisk(level) => {
            let a = Assessment::new(level, why).map_err(|e| StoreError::Invalid(e.to_string()))?;
            exec("UPDATE case_breach SET risk_level = $1, risk_reasons = $2 WHERE reference = $3")
                .bind(level.as_str())
                .bind(a.reasons())
                .bind(reference)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("assessing a breach"))?;
            entry.with("risk", level.as_str()).with("reason", why)
        }
        Action::NotifyIco => {
            if record.details.nature.trim().is_empty() {
                return Err(StoreError::Invalid(
                    "record what happened first (the notification's part (a), UK GDPR Article 33(3)): what is not yet known can follow, but the ICO must be told what the breach is".to_owned(),
                ));
            }
            let n = notification(case, &record, &pack, now, why);
            let calendar = custos_domain::calendar::Calendar::rules_only(pack.nation);
            n.validate(&pack.deadlines.breach_notification, &calendar)
                .map_err(invalid)?;
            exec(
                "UPDATE case_breach SET ico_notified_at_unix_ms = $1, delay_reasons = $2 \
                 WHERE reference = $3",
            )
            .bind(now)
            .bind(why)
            .bind(reference)
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("recording a notification"))?;
            let entry = entry.with("phase", n.phase.as_str());
            sent = Some(n);
            if why.is_empty() {
                entry
            } else {
                entry.with("reason", why)
            }
        }
        Action::NotNotifyIco => {
            exec("UPDATE case_breach SET not_notified_reason = $1 WHERE reference = $2")
                .bind(why)
                .bind(reference)
                .execute(tx.conn())
                .await
                .map_err(StoreError::db("recording a breach"))?;
            entry.with("reason", why)
        }
        Action::TellPeople => {
            exec(
                "UPDATE case_breach SET people_told_at_unix_ms = $1, people_told_how = $2 \
                 WHERE reference = $3",
            )
            .bind(now)
            .bind(why)
            .bind(reference)
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("recording a breach"))?;
            entry.with("reason", why)
        }
        Action::NotTellPeople(e) => {
            exec(
                "UPDATE case_breach SET people_exception = $1, people_exception_details = $2 \
                 WHERE reference = $3",
            )
            .bind(e.as_str())
            .bind(why)
            .bind(reference)
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("recording a breach"))?;
            entry.with("exception", e.as_str()).with("reason", why)
        }
        Action::Close => {
            let Some((level, reasons)) = &record.risk else {
                return Err(StoreError::Invalid(
                    "assess the breach's risk before closing it".to_owned(),
                ));
            };
            let a =
                Assessment::new(*level, reasons).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let people = match (&record.people_told, &record.people_exception) {
                (Some(_), _) => PeopleDecision::Told,
                (None, Some((exception, details))) => PeopleDecision::NotTold {
                    exception: *exception,
                    details: details.clone(),
                },
                _ => PeopleDecision::NotRequired,
            };
            custos_domain::breach::check_outcome(&Outcome {
                assessment: &a,
                notify_ico: record.ico_notified.is_some(),
                why_not_notified: record.not_notified_reason.as_deref().unwrap_or(""),
                people: &people,
            })
            .map_err(invalid)?;
            entry
        }
        _ => entry,
    };
    Ok((entry, sent))
}

impl Store {
    /// Records or changes what breach `reference`'s ICO notification says (ledgered
    /// `case-breach-details`, naming the parts given, not their words).
    pub async fn record_breach_details(
        &self,
        actor: &Actor,
        reference: &str,
        details: &BreachDetails,
    ) -> StoreResult<Case> {
        let case = self
            .case(reference)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("there is no case {reference}")))?;
        if case.kind != CaseKind::Breach {
            return Err(StoreError::Invalid(format!(
                "{reference} is not a breach: only a breach has a notification to the ICO"
            )));
        }
        if !case.state.is_open() {
            return Err(StoreError::Invalid(format!(
                "{reference} is {}: its record is kept as it was",
                case.state.describe()
            )));
        }
        let mut tx = self.write().await?;
        ensure_row(&mut tx, reference).await?;
        sqlx::query(
            "UPDATE case_breach SET nature = $1, subject_categories = $2, subjects_approx = $3, \
             record_categories = $4, records_approx = $5, consequences = $6, measures = $7 \
             WHERE reference = $8",
        )
        .bind(details.nature.trim())
        .bind(details.subject_categories.trim())
        .bind(details.subjects_approx.and_then(|n| i64::try_from(n).ok()))
        .bind(details.record_categories.trim())
        .bind(details.records_approx.and_then(|n| i64::try_from(n).ok()))
        .bind(details.consequences.trim())
        .bind(details.measures.trim())
        .bind(reference)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording a breach"))?;
        let given: Vec<&str> = [
            ("nature", !details.nature.trim().is_empty()),
            (
                "subject_categories",
                !details.subject_categories.trim().is_empty(),
            ),
            ("subjects_approx", details.subjects_approx.is_some()),
            (
                "record_categories",
                !details.record_categories.trim().is_empty(),
            ),
            ("records_approx", details.records_approx.is_some()),
            ("consequences", !details.consequences.trim().is_empty()),
            ("measures", !details.measures.trim().is_empty()),
        ]
        .iter()
        .filter(|(_, g)| *g)
        .map(|(n, _)| *n)
        .collect();
        tx.record(
            actor,
            NewEntry::new(Book::Case, "case-breach-details")
                .with_ref(
                    custos_domain::ledger::Reference::new("case", reference)
                        .map_err(|e| StoreError::Invalid(e.to_string()))?,
                )
                .with("given", given.join(" ")),
        );
        tx.commit().await?;
        self.case(reference)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("there is no case {reference}")))
    }

    /// The open breaches whose ICO notification is still to be decided, with when the
    /// scheme became aware of each: (reference, aware at), the oldest first — for the
    /// countdown on the pages of those who handle breaches.
    pub async fn breaches_awaiting_ico(&self) -> StoreResult<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT c.reference, c.received_at_unix_ms FROM cases c \
             LEFT JOIN case_breach b ON b.reference = c.reference \
             WHERE c.kind = $1 AND c.state IN ($2, $3) \
             AND b.ico_notified_at_unix_ms IS NULL AND b.not_notified_reason IS NULL \
             ORDER BY c.received_at_unix_ms",
        )
        .bind(CaseKind::Breach.as_str())
        .bind(CaseState::Received.as_str())
        .bind(CaseState::InProgress.as_str())
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::db("reading breaches"))?;
        rows.iter()
            .map(|r| {
                let get = StoreError::db("reading breaches");
                Ok((r.try_get(0).map_err(&get)?, r.try_get(1).map_err(&get)?))
            })
            .collect()
    }
}
