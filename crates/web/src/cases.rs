//! Cases on the web (LBU-18, BJS-10, BDC-29, BDC-30, LJM-11): the cases dashboard — open
//! cases by kind with their due dates, amber when due within five working days and red when
//! overdue, "my cases" and filters — and each case's page with the steps it allows.
//!
//! Invariants: a case is shown and moved only by someone holding `work-cases` for its kind
//! (`access.case_kinds`); every step goes through the store, which checks it against the
//! case's state machine and ledgers it; deadlines come from `domain::case::due` on the
//! scheme's calendar, as on the console.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use custos_base::UnixMs;
use custos_domain::access::{Right, Target, Username};
use custos_domain::case::{Action, CaseDue, CaseKind, Decision, allowed_actions};
use custos_domain::letter::LetterKind;
use custos_store::cases::{Case, NewCase, Sighting, Step};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Staff;
use crate::error::WebError;
use crate::pages::render;
use crate::staff::Banner;

pub(crate) fn target(kind: CaseKind) -> Target {
    Target::Case { kind, site: None }
}

/// The working days before a deadline from which a case is due soon (amber). The policy
/// packs have no setting for it.
pub(crate) const WARNING_WORKING_DAYS: u32 = 5;

/// The due date in words and its urgency: `""`, `"amber"` (within
/// [`WARNING_WORKING_DAYS`] working days) or `"red"` (overdue). The one rule for a case's
/// urgency, on the cases dashboard, a case's page and the Start page.
pub(crate) fn due(
    state: &AppState,
    pack: &custos_domain::PolicyPack,
    c: &Case,
) -> (String, &'static str) {
    let calendar = match state.calendar(pack.nation) {
        Ok(c) => c,
        Err(e) => return (e, ""),
    };
    let pauses = c.clock_pauses();
    let (clock, due) = match custos_domain::case::next_deadline(&c.times(&pauses), pack, &calendar)
    {
        Ok(d) => d,
        Err(e) => return (e.to_string(), ""),
    };
    // Beside the answer, a complaint's other clocks say what is due.
    let what = match clock {
        custos_domain::case::Clock::Answer => String::new(),
        other => format!("{} ", crate::staff::capitalise(other.describe())),
    };
    match due {
        CaseDue::Finished => ("finished".to_owned(), ""),
        CaseDue::NoRule => ("no deadline in the pack".to_owned(), ""),
        CaseDue::Paused { since_unix_ms, .. } => (
            format!(
                "clock stopped since {}",
                UnixMs(since_unix_ms).to_london_display()
            ),
            "",
        ),
        CaseDue::Set(due) => {
            let urgency = urgency_of(state, &calendar, &due);
            (
                format!(
                    "{}due {}",
                    if what.is_empty() {
                        String::new()
                    } else {
                        what.clone()
                    },
                    due.describe()
                ),
                urgency,
            )
        }
        CaseDue::Due(d) => {
            let now = state.store.clock().now();
            let urgency = match (
                now.to_timestamp()
                    .and_then(|t| custos_domain::calendar::uk_day(t).ok()),
                d.due.passes_at(),
            ) {
                (Some(today), Ok(passes)) => {
                    let overdue = now.to_timestamp().is_some_and(|t| t >= passes);
                    let soon = calendar
                        .nth_working_day_after(today, WARNING_WORKING_DAYS)
                        .ok()
                        .zip(match d.due {
                            custos_domain::calendar::Due::Day(day) => Some(day),
                            custos_domain::calendar::Due::Instant(_) => None,
                        })
                        .is_none_or(|(limit, day)| day <= limit);
                    if overdue {
                        "red"
                    } else if soon {
                        "amber"
                    } else {
                        ""
                    }
                }
                _ => "",
            };
            (
                format!(
                    "{what}{}{} ({})",
                    if what.is_empty() { "" } else { "due " },
                    d.due.describe(),
                    d.rule.describe()
                ),
                urgency,
            )
        }
    }
}

/// How urgent a due day or instant is: `"red"` once passed, `"amber"` within
/// [`WARNING_WORKING_DAYS`] working days (an instant always), `""` otherwise.
fn urgency_of(
    state: &AppState,
    calendar: &custos_domain::calendar::Calendar,
    due: &custos_domain::calendar::Due,
) -> &'static str {
    let now = state.store.clock().now();
    let (Some(today), Ok(passes)) = (
        now.to_timestamp()
            .and_then(|t| custos_domain::calendar::uk_day(t).ok()),
        due.passes_at(),
    ) else {
        return "";
    };
    if now.to_timestamp().is_some_and(|t| t >= passes) {
        return "red";
    }
    let soon = calendar
        .nth_working_day_after(today, WARNING_WORKING_DAYS)
        .ok()
        .zip(match due {
            custos_domain::calendar::Due::Day(day) => Some(*day),
            custos_domain::calendar::Due::Instant(_) => None,
        })
        .is_none_or(|(limit, day)| day <= limit);
    if soon { "amber" } else { "" }
}

struct Row {
    reference: String,
    kind: String,
    state: String,
    received: String,
    due: String,
    urgency: &'static str,
    summary: String,
    assignees: String,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    banner: Banner,
    /// The intake filled in for a breach reported from another page.
    prefill: Option<Prefill>,
    rows: Vec<Row>,
    /// Every case kind: (id, in words).
    kinds: Vec<(&'static str, String)>,
    kind: String,
    mine: bool,
    all: bool,
    /// This person's deadlines feed address.
    feed: String,
    /// The session's CSRF token (for replacing the feed's address).
    csrf: String,
    /// The third-party request form, for those who may work disclosure cases.
    disclosure: Option<crate::disclosures::Intake>,
    /// The covert authorisation form, for those who may work covert authorisations.
    covert: Option<crate::covert::Intake>,
    /// The police control request form, for those who may work police control requests.
    police: Option<crate::police_control::Intake>,
}

/// `?kind=&mine=1&all=1`
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CasesQuery {
    kind: Option<String>,
    mine: Option<String>,
    all: Option<String>,
    /// A breach reported from elsewhere (`media-register`, `download`, `ledger-alarm`):
    /// the intake opens as a breach, with where it came from.
    report: Option<String>,
    /// What the breach is about, in a line, for the intake.
    about: Option<String>,
}

/// The link from another page that opens the Cases page's intake as a breach reported
/// from `source` (one of [`custos_domain::case::BREACH_REPORT_SOURCES`]), about `about`,
/// for `staff` who may work breach cases; `None` for anyone else. Every page that offers
/// to report a breach links through this.
pub(crate) fn report_breach(staff: &Staff, source: &str, about: &str) -> Option<String> {
    (custos_domain::case::BREACH_REPORT_SOURCES.contains(&source)
        && staff.may(Right::WorkCases, &target(CaseKind::Breach)))
    .then(|| {
        format!(
            "/cases?report={source}&about={}#intake",
            crate::staff::form_encode(about)
        )
    })
}

/// The intake filled in for a breach reported from another page.
pub(crate) struct Prefill {
    summary: String,
    channel: String,
    channel_words: String,
    name: String,
}

/// `GET /cases`: the cases dashboard.
pub(crate) async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<CasesQuery>,
) -> Result<Response, WebError> {
    dashboard(&state, &staff, q, StatusCode::OK, None).await
}

/// The cases dashboard with `disclosure`, the third-party request form as typed and its
/// problems, when it comes back to be put right.
pub(crate) async fn dashboard(
    state: &AppState,
    staff: &Staff,
    q: CasesQuery,
    status: StatusCode,
    disclosure: Option<(crate::disclosures::RequestForm, Vec<String>)>,
) -> Result<Response, WebError> {
    staff.require_somewhere(Right::WorkCases)?;
    let Some(policy) = state.store.active_policy().await? else {
        return Err(WebError::Forbidden("no policy pack is loaded".to_owned()));
    };
    let kind: Option<CaseKind> = match q.kind.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(k) => Some(k.parse().map_err(WebError::BadRequest)?),
    };
    let mine = q.mine.is_some_and(|m| !m.is_empty());
    let all = q.all.is_some_and(|a| !a.is_empty());
    let me = staff.info.subject.username.clone();
    let names = crate::staff::names(state).await?;
    let mut rows = Vec::new();
    for c in state.store.cases(all).await? {
        if kind.is_some_and(|k| k != c.kind)
            || !staff.may(Right::WorkCases, &target(c.kind))
            || (mine && !c.assignees.contains(&me))
        {
            continue;
        }
        let (due_text, urgency) = due(state, &policy.pack, &c);
        rows.push(Row {
            reference: c.reference.clone(),
            kind: crate::staff::capitalise(c.kind.describe()),
            state: crate::staff::capitalise(c.state.describe()),
            received: UnixMs(c.received_at_unix_ms).to_london_long(),
            due: due_text,
            urgency,
            summary: c.summary.clone(),
            assignees: c
                .assignees
                .iter()
                .map(|u| names.person(u))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let prefill = q
        .report
        .as_deref()
        .map(str::trim)
        .filter(|r| custos_domain::case::BREACH_REPORT_SOURCES.contains(r))
        .map(|r| Prefill {
            summary: q.about.clone().unwrap_or_default(),
            channel: r.to_owned(),
            channel_words: custos_domain::case::channel_words(r),
            name: staff.info.display_name.clone(),
        });
    let disclosure = if staff.may(Right::WorkCases, &target(CaseKind::Disclosure)) {
        let (form, problems) = disclosure.unwrap_or_default();
        Some(crate::disclosures::intake(state, form, problems).await?)
    } else {
        None
    };
    Ok(render(
        status,
        &CasesPage {
            banner: Banner::load(state, staff).await?,
            covert: crate::covert::intake(state, staff).await?,
            police: crate::police_control::intake(state, staff).await?,
            disclosure,
            prefill,
            rows,
            kinds: CaseKind::ALL
                .iter()
                .map(|k| (k.as_str(), crate::staff::capitalise(k.describe())))
                .collect(),
            kind: kind.map(|k| k.to_string()).unwrap_or_default(),
            mine,
            all,
            feed: state
                .store
                .calendar_token(&me)
                .await
                .map(|t| format!("/calendar/{me}/{t}.ics"))
                .unwrap_or_default(),
            csrf: staff.info.csrf.clone(),
        },
    ))
}

/// Footage linked to a case, for its page.
struct FootageRow {
    /// The camera's id, for the review link.
    camera: String,
    /// Its name.
    camera_name: String,
    from: String,
    to: String,
    /// For the review form's fields.
    from_input: String,
    to_input: String,
    /// Whether a hold keeps it, and until when, or that it was released, in words.
    hold: String,
}

struct StepView {
    action: String,
    label: String,
    decision: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    banner: Banner,
    case: Case,
    kind: String,
    state_text: String,
    received: String,
    /// How the request came, in words.
    channel: String,
    /// Who is assigned, by name.
    assignees: String,
    due: String,
    urgency: &'static str,
    /// A complaint's own facts, as (what, in words): the incident, whether it was raised
    /// late, its acknowledgement, an appeal and its outcome.
    complaint: Vec<(&'static str, String)>,
    pauses: Vec<String>,
    decision: String,
    steps: Vec<StepView>,
    notes: Vec<(String, String, String)>,
    /// (id, name, media type, bytes, added)
    documents: Vec<(String, String, String, u64, String)>,
    footage: Vec<FootageRow>,
    /// The sighting in words, if the requester gave one.
    sighting: String,
    /// Cameras in service, for adding footage: (id, name).
    cameras: Vec<(String, String)>,
    footage_from: String,
    footage_to: String,
    /// Whether footage added is held at once (BDC-28).
    holds_footage: bool,
    /// Accounts that can be assigned: (user name, name).
    users: Vec<(String, String)>,
    /// The letters the case can send now.
    letters: Vec<String>,
    /// What an accepted erasure did, in words.
    erasure: Vec<String>,
    /// Why the request has no footage to hold or review, in words; empty if it has.
    footage_absent: String,
    /// A third-party disclosure's request and where its release stands.
    disclosure: Option<crate::disclosures::Section>,
    /// A covert authorisation's record and the forms for its steps.
    covert: Option<crate::covert::Section>,
    /// A breach's record, its countdown and what its notification says.
    breach: Option<crate::breaches::Section>,
    /// A police request to take control: its record and the forms for its steps.
    police: Option<crate::police_control::Section>,
    /// Why the step form cannot refuse this request, if it cannot (BDC-17).
    no_refusal: String,
    /// The decision the latest response letter states and when it was issued, in words;
    /// empty before any.
    letter_stated: String,
}

pub(crate) async fn load(
    state: &AppState,
    staff: &Staff,
    reference: &str,
) -> Result<Case, WebError> {
    let found = state.store.case(reference).await?;
    match found {
        Some(c) => {
            staff
                .require(state, Right::WorkCases, &target(c.kind))
                .await?;
            Ok(c)
        }
        None => {
            staff.require_somewhere(Right::WorkCases)?;
            Err(WebError::Store(custos_store::StoreError::NotFound(
                format!("there is no case {reference:?}"),
            )))
        }
    }
}

/// The case `reference` and the actor working it: the caller's own right or their
/// deputising for someone else's.
pub(crate) async fn load_to_work(
    state: &AppState,
    staff: &Staff,
    reference: &str,
) -> Result<(Case, custos_base::Actor), WebError> {
    let c = load(state, staff, reference).await?;
    let actor = staff
        .require(state, Right::WorkCases, &target(c.kind))
        .await?;
    Ok((c, actor))
}

/// `GET /cases/{reference}` (`?recipient=&organisation=` shows a disclosure's release
/// agreement for that recipient).
pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Query(q): Query<crate::disclosures::AgreementQuery>,
) -> Result<Response, WebError> {
    let c = load(&state, &staff, &reference).await?;
    let disclosure = crate::disclosures::section(&state, &staff, &c, q).await?;
    let covert = crate::covert::section(&state, &c).await?;
    let police = crate::police_control::section(&state, &c).await?;
    let Some(policy) = state.store.active_policy().await? else {
        return Err(WebError::Forbidden("no policy pack is loaded".to_owned()));
    };
    let (due_text, urgency) = due(&state, &policy.pack, &c);
    let names = crate::staff::names(&state).await?;
    let steps = allowed_actions(c.kind, c.state, c.progress())
        .into_iter()
        // A disclosure is decided to disclose only by authorising its release, in its own
        // section, which checks the documents, the agreement and the authoriser's role.
        .filter(|a| disclosure.is_none() || *a != Action::Decide(Decision::Disclose))
        // A covert authorisation's steps carry more than a reason: its own forms take them.
        .filter(|_| covert.is_none() && police.is_none())
        .map(|a| StepView {
            action: a.name().to_owned(),
            label: crate::staff::capitalise(&a.describe()),
            decision: a.choice().unwrap_or_default().to_owned(),
        })
        .collect();
    let letter_stated = state
        .store
        .response_letter_decision(&c.reference)
        .await?
        .map(|(d, at)| {
            format!(
                "The response letter issued on {} states the decision to {}.",
                UnixMs(at).to_london_long(),
                d.parse::<Decision>()
                    .map_or_else(|_| d.clone(), |d| d.describe().to_owned())
            )
        })
        .unwrap_or_default();
    let notes = state
        .store
        .case_notes(&c.reference)
        .await?
        .into_iter()
        .map(|n| {
            (
                UnixMs(n.at_unix_ms).to_london_display(),
                names.who(&n.author),
                n.text,
            )
        })
        .collect();
    let documents = state
        .store
        .case_documents(&c.reference)
        .await?
        .into_iter()
        .map(|d| {
            (
                d.id,
                d.name,
                d.media_type,
                d.bytes,
                UnixMs(d.added_at_unix_ms).to_london_display(),
            )
        })
        .collect();
    let footage = c
        .footage
        .iter()
        .map(|f| FootageRow {
            camera: f.camera.clone(),
            camera_name: names.camera(&f.camera),
            from: UnixMs(f.from_unix_ms).to_london_display(),
            to: UnixMs(f.to_unix_ms).to_london_display(),
            from_input: UnixMs(f.from_unix_ms).to_uk_local_input(),
            to_input: UnixMs(f.to_unix_ms).to_uk_local_input(),
            hold: f
                .hold_state
                .map_or_else(|| "not held".to_owned(), |h| h.describe()),
        })
        .collect();
    let (footage_from, footage_to) = c.sighting.as_ref().map_or_else(
        || (String::new(), String::new()),
        |sg| {
            let (a, b) = sg.window();
            (UnixMs(a).to_uk_local_input(), UnixMs(b).to_uk_local_input())
        },
    );
    let cameras = state
        .store
        .cameras(false)
        .await?
        .into_iter()
        .map(|cam| (cam.id.to_string(), cam.draft.name))
        .collect();
    let users = state
        .store
        .users()
        .await?
        .into_iter()
        .filter(|u| !u.disabled)
        .map(|u| (u.username, u.display_name))
        .collect();
    let breach = crate::breaches::section(&state, &c).await;
    // An authorisation and a police request have no requester to write to; a breach is
    // notified to the ICO.
    let mut letters = if covert.is_some() || police.is_some() || breach.is_some() {
        Vec::new()
    } else {
        vec![LetterKind::Acknowledgement.to_string()]
    };
    if c.extension.is_some() {
        letters.push(LetterKind::Extension.to_string());
    }
    if c.decision.is_some() {
        letters.push(LetterKind::Response.to_string());
    }
    if c.appeal.as_ref().is_some_and(|a| a.outcome.is_some()) {
        letters.push(LetterKind::AppealOutcome.to_string());
    }
    let complaint = complaint_facts(&c, &names);
    Ok(render(
        StatusCode::OK,
        &CasePage {
            banner: Banner::load(&state, &staff).await?,
            kind: crate::staff::capitalise(c.kind.describe()),
            state_text: crate::staff::capitalise(c.state.describe()),
            received: UnixMs(c.received_at_unix_ms).to_london_long(),
            channel: custos_domain::case::channel_words(&c.channel),
            assignees: c
                .assignees
                .iter()
                .map(|u| names.person(u))
                .collect::<Vec<_>>()
                .join(", "),
            due: due_text,
            urgency,
            complaint,
            pauses: c
                .pauses
                .iter()
                .map(|(a, b, why)| {
                    format!(
                        "{} to {}: {why}",
                        UnixMs(*a).to_london_display(),
                        b.map_or_else(|| "now".to_owned(), |b| UnixMs(b).to_london_display())
                    )
                })
                .collect(),
            decision: c
                .decision
                .as_ref()
                .map(|(d, r)| {
                    let d = crate::staff::capitalise(d.describe());
                    if r.is_empty() { d } else { format!("{d}: {r}") }
                })
                .unwrap_or_default(),
            steps,
            notes,
            documents,
            footage,
            sighting: c.sighting.as_ref().map_or_else(String::new, |sg| {
                format!(
                    "{} at about {}",
                    sg.place,
                    UnixMs(sg.at_unix_ms).to_london_display()
                )
            }),
            cameras,
            footage_from,
            footage_to,
            holds_footage: c.kind.holds_footage_at_intake(),
            users,
            letters,
            footage_absent: c.footage_absent.map_or_else(String::new, |a| a.for_staff()),
            erasure: c
                .erasure
                .as_ref()
                .map(|e| {
                    let mut v = vec![format!("{} segment(s) erased", e.segments_erased)];
                    v.extend(e.kept.iter().cloned());
                    v
                })
                .unwrap_or_default(),
            no_refusal: disclosure
                .as_ref()
                .map(|d| d.no_refusal.clone())
                .unwrap_or_default(),
            disclosure,
            covert,
            breach,
            police,
            letter_stated,
            case: c,
        },
    ))
}

/// A step from the case page.
#[derive(Debug, Deserialize)]
pub(crate) struct StepForm {
    csrf: String,
    /// `ACTION:DECISION`, e.g. `decide:view-only` or `close:`.
    #[serde(default)]
    step: String,
    #[serde(default)]
    reasons: String,
    /// Present when ticked.
    others_shown: Option<String>,
    #[serde(default)]
    why_reasonable: String,
    /// Why a decision a response letter already stated changes.
    #[serde(default)]
    change_reason: String,
    /// `yes` from the confirmation page (a decision asks first).
    confirm: Option<String>,
}

/// `POST /cases/{reference}/act`
pub(crate) async fn act(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(f): Form<StepForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let (c, actor) = load_to_work(&state, &staff, &reference).await?;
    let (name, decision) = f.step.split_once(':').unwrap_or((f.step.as_str(), ""));
    if name.trim().is_empty() {
        return Err(WebError::BadRequest(
            "choose the step to record from the list".to_owned(),
        ));
    }
    let action = Action::parse(name, Some(decision)).map_err(WebError::BadRequest)?;
    let step = Step {
        reasons: f.reasons.clone(),
        others_shown: f.others_shown.is_some(),
        why_reasonable: Some(f.why_reasonable.clone()).filter(|w| !w.trim().is_empty()),
        footage: state.footage.clone(),
        documents: state.documents.clone(),
        change_reason: Some(f.change_reason.clone()).filter(|w| !w.trim().is_empty()),
    };
    if let Action::Decide(decision) = action
        && !crate::confirm::confirmed(f.confirm.as_deref())
    {
        state
            .store
            .check_case_step(&actor, &c.reference, action, &step)
            .await?;
        return confirm_decision(&state, &staff, &c, decision, &f).await;
    }
    let after = take_step(&state, &staff, &c, &actor, action, &step).await?;
    let to = after.converted_to.unwrap_or(after.reference);
    Ok(Redirect::to(&crate::done::to(&format!("/cases/{to}"), "case-step")).into_response())
}

/// Moves case `c` on by `action` as `actor`, the one way the page and the API take a
/// step: accepting an erasure request also needs the right to authorise deleting footage
/// (ALT-8, LJM-9: it erases footage before its time); the store checks the rest.
pub(crate) async fn take_step(
    state: &AppState,
    staff: &Staff,
    c: &Case,
    actor: &custos_base::Actor,
    action: Action,
    step: &Step,
) -> Result<Case, WebError> {
    if c.kind == CaseKind::Erasure && action == Action::Decide(Decision::Accept) {
        staff
            .require(state, Right::AuthoriseDeletion, &Target::Scheme)
            .await?;
    }
    Ok(state
        .store
        .act_on_case(actor, &c.reference, action, step)
        .await?)
}

/// What deciding a `kind` case by `decision` does, completing "You are about to decide
/// … to …".
fn decision_words(kind: CaseKind, decision: Decision) -> &'static str {
    match decision {
        Decision::Disclose => "disclose a copy of the footage to the requester",
        Decision::ViewOnly => "offer the requester a viewing of the footage instead of a copy",
        Decision::DiscloseInPart => {
            "disclose part of the footage to the requester, with reasons for the rest"
        }
        Decision::Refuse => "refuse the request, with the reasons the requester will read",
        Decision::Restrict => "restrict what the requester is given, with reasons",
        Decision::Accept if kind == CaseKind::Erasure => {
            "accept the request and erase the footage it concerns now"
        }
        Decision::Accept => "accept the request",
        Decision::Answer => "answer the request",
        Decision::Upheld => "uphold the complaint, with what was found and what is done about it",
        Decision::PartlyUpheld => {
            "uphold part of the complaint, with what was found and what is done about it"
        }
        Decision::NotUpheld => {
            "not uphold the complaint, with the reasons the complainant will read"
        }
    }
}

/// The page that asks before case `c` is decided by `decision`, naming both.
async fn confirm_decision(
    state: &AppState,
    staff: &Staff,
    c: &Case,
    decision: Decision,
    f: &StepForm,
) -> Result<Response, WebError> {
    let mut sentences = vec![format!(
        "You are about to decide {} ({}): to {}.",
        c.reference,
        c.summary,
        decision_words(c.kind, decision)
    )];
    if !f.reasons.trim().is_empty() {
        sentences.push(format!(
            "The reasons, as the requester will read them: {}",
            f.reasons.trim()
        ));
    }
    sentences.push(
        "The decision is written to the case's logbook with your name, and the response letter states it."
            .to_owned(),
    );
    let undo = if c.kind == CaseKind::Erasure && decision == Decision::Accept {
        "This cannot be undone: erased footage cannot be brought back."
    } else {
        "This cannot be undone: the decision stays in the case's record, and changing it later needs its reason and a new letter."
    };
    let mut fields = vec![
        ("csrf", f.csrf.clone()),
        ("step", f.step.clone()),
        ("reasons", f.reasons.clone()),
        ("why_reasonable", f.why_reasonable.clone()),
        ("change_reason", f.change_reason.clone()),
    ];
    if let Some(o) = &f.others_shown {
        fields.push(("others_shown", o.clone()));
    }
    crate::confirm::page(
        state,
        staff,
        crate::confirm::Confirmation {
            title: format!("Decide {}?", c.reference),
            sentences,
            undo: undo.to_owned(),
            action: format!("/cases/{}/act", c.reference),
            fields,
            confirm: "Record this decision".to_owned(),
            cancel: format!("/cases/{}", c.reference),
        },
    )
    .await
}

/// A note from the case page.
#[derive(Debug, Deserialize)]
pub(crate) struct NoteForm {
    csrf: String,
    #[serde(default)]
    text: String,
}

/// `POST /cases/{reference}/notes`
pub(crate) async fn note(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(f): Form<NoteForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let (c, actor) = load_to_work(&state, &staff, &reference).await?;
    state
        .store
        .add_case_note(&actor, &c.reference, &f.text)
        .await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/cases/{}", c.reference),
        "case-note",
    ))
    .into_response())
}

/// Staff intake of a case.
#[derive(Debug, Deserialize)]
pub(crate) struct OpenForm {
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    details: String,
    /// `YYYY-MM-DDTHH:MM`, UK time; now when empty.
    #[serde(default)]
    received: String,
    #[serde(default)]
    channel: String,
    /// When the requester was there (`YYYY-MM-DDTHH:MM`), for a request about footage.
    #[serde(default)]
    seen: String,
    #[serde(default)]
    place: String,
}

pub(crate) fn time_field(text: &str, what: &str) -> Result<Option<i64>, WebError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    UnixMs::parse_uk_local(text)
        .map(|t| Some(t.0))
        .map_err(|e| WebError::BadRequest(format!("{what}: {e}")))
}

/// A case as staff or a client give it at intake.
pub(crate) struct Intake {
    pub(crate) kind: CaseKind,
    /// When it was received; now when `None`.
    pub(crate) received: Option<i64>,
    /// How it came; `staff` when empty.
    pub(crate) channel: String,
    pub(crate) summary: String,
    pub(crate) name: String,
    pub(crate) contact: String,
    pub(crate) details: String,
    /// When the requester was there, or (a complaint) when the incident happened.
    pub(crate) seen: Option<i64>,
    /// Where; empty if not given.
    pub(crate) place: String,
}

/// Opens the case `i` describes as `staff`, the one way the page and the API take a case
/// in: a request about footage needs both when and where or neither; a complaint may give
/// when the incident happened without a place, and is marked late on the scheme's
/// calendar when the pack's window had passed. A third-party request is opened with its
/// category and documents (`POST /disclosures/requests`), a covert authorisation and a
/// police request to take control with their own forms and API calls, not here.
pub(crate) async fn open_intake(
    state: &AppState,
    staff: &Staff,
    i: Intake,
) -> Result<Case, WebError> {
    staff.require_somewhere(Right::WorkCases)?;
    if i.kind == CaseKind::Disclosure {
        return Err(WebError::BadRequest(
            "a request for footage from a third party is opened with who is asking and why, on the Disclosures form (POST /disclosures/requests)".to_owned(),
        ));
    }
    if i.kind == CaseKind::Covert {
        return Err(WebError::BadRequest(
            "a covert surveillance authorisation is recorded with who authorised it, its grounds, cameras, team and first review: on the Cases page's covert authorisation form, or through the API with POST /api/v1/covert".to_owned(),
        ));
    }
    if i.kind == CaseKind::PoliceControl {
        return Err(WebError::BadRequest(
            "a police request to take control is recorded with its officer, rank, type of control, cameras and written request: on the Cases page's police control form, or through the API with POST /api/v1/police-control".to_owned(),
        ));
    }
    let actor = staff
        .require(state, Right::WorkCases, &target(i.kind))
        .await?;
    let received = i.received.unwrap_or(state.store.clock().now().0);
    let complaint = i.kind == CaseKind::Complaint;
    let sighting = match (i.seen, i.place.trim()) {
        (None, "") => None,
        // A complaint may give when the incident happened without a place on camera.
        (Some(_), "") if complaint => None,
        (Some(at), place) if !place.is_empty() => Some(Sighting {
            at_unix_ms: at,
            place: place.to_owned(),
        }),
        _ => {
            return Err(WebError::BadRequest(
                "give both when and where the requester was, or neither".to_owned(),
            ));
        }
    };
    let incident = i.seen.filter(|_| complaint);
    let raised_late = raised_late(state, i.kind, incident, received).await?;
    Ok(state
        .store
        .open_case(
            &actor,
            &NewCase {
                kind: i.kind,
                received_at_unix_ms: received,
                channel: if i.channel.trim().is_empty() {
                    "staff".to_owned()
                } else {
                    i.channel.trim().to_owned()
                },
                summary: i.summary,
                requester_name: i.name,
                requester_contact: i.contact,
                details: i.details,
                sighting,
                incident_at_unix_ms: incident,
                raised_late,
            },
        )
        .await?)
}

/// `POST /cases`: opens a case taken by letter, e-mail, telephone or in person.
pub(crate) async fn open(
    State(state): State<AppState>,
    staff: Staff,
    Form(f): Form<OpenForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    staff.require_somewhere(Right::WorkCases)?;
    let kind: CaseKind = f.kind.trim().parse().map_err(WebError::BadRequest)?;
    let c = open_intake(
        &state,
        &staff,
        Intake {
            kind,
            received: time_field(&f.received, "when it was received")?,
            channel: f.channel,
            summary: f.summary,
            name: f.name,
            contact: f.contact,
            details: f.details,
            seen: time_field(&f.seen, "when they were there")?,
            place: f.place,
        },
    )
    .await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/cases/{}", c.reference),
        "case-opened",
    ))
    .into_response())
}

/// Assigning someone to a case.
#[derive(Debug, Deserialize)]
pub(crate) struct AssignForm {
    csrf: String,
    #[serde(default)]
    username: String,
}

/// `POST /cases/{reference}/assign`
pub(crate) async fn assign(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(f): Form<AssignForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let (c, actor) = load_to_work(&state, &staff, &reference).await?;
    let who = Username::parse(f.username.trim()).map_err(WebError::BadRequest)?;
    state.store.assign_case(&actor, &c.reference, &who).await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/cases/{}", c.reference),
        "case-assigned",
    ))
    .into_response())
}

/// Footage for a case: cameras and a range.
#[derive(Debug, Deserialize)]
pub(crate) struct FootageForm {
    csrf: String,
    /// Camera ids, comma separated (a multiple select sends one field per camera, which
    /// `axum::Form` cannot collect; the page joins them).
    #[serde(default)]
    cameras: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// `POST /cases/{reference}/footage`: links footage to the case; for a subject access or
/// restriction request it is held at once (BDC-28).
pub(crate) async fn footage(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(f): Form<FootageForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let (c, actor) = load_to_work(&state, &staff, &reference).await?;
    let cameras = f
        .cameras
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| custos_domain::Ident::parse(s).map_err(|e| WebError::BadRequest(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    let from = time_field(&f.from, "from")?
        .ok_or_else(|| WebError::BadRequest("say from when".to_owned()))?;
    let to = time_field(&f.to, "to")?
        .ok_or_else(|| WebError::BadRequest("say until when".to_owned()))?;
    state
        .store
        .add_case_footage(&actor, &c.reference, &cameras, from, to)
        .await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/cases/{}", c.reference),
        "case-footage",
    ))
    .into_response())
}

/// `POST /cases/{reference}/documents` (multipart: `csrf`, `file`, and optionally `kind`:
/// for a disclosure a `DocumentKind`, which counts towards its release
/// (`Store::add_disclosure_document`); for a police request `police-written-request`, the
/// written request its agreement waits for): keeps a document with the case, encrypted.
pub(crate) async fn attach(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    staff.require_somewhere(Right::WorkCases)?;
    let mut form = form.map_err(|e| {
        WebError::BadRequest(format!(
            "send the document as a file upload (multipart/form-data): {e}"
        ))
    })?;
    let bad = |e: axum::extract::multipart::MultipartError| {
        WebError::BadRequest(format!("the upload could not be read: {e}"))
    };
    let (mut csrf, mut kind, mut file) = (String::new(), String::new(), None);
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(bad)?,
            Some("kind") => kind = field.text().await.map_err(bad)?,
            Some("file") => {
                let name = field.file_name().unwrap_or("document").to_owned();
                let media = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                file = Some((name, media, field.bytes().await.map_err(bad)?));
            }
            _ => {}
        }
    }
    staff.check_csrf(&csrf)?;
    let (c, actor) = load_to_work(&state, &staff, &reference).await?;
    let Some((name, media, bytes)) = file else {
        return Err(WebError::BadRequest("choose a file to attach".to_owned()));
    };
    let dir = documents_dir(&state)?;
    match kind.trim() {
        "" => {
            state
                .store
                .add_case_document(&actor, &dir, &c.reference, &name, &media, &bytes)
                .await?;
        }
        custos_store::police_control::WRITTEN_REQUEST => {
            state
                .store
                .add_police_written_request(
                    &actor,
                    &dir,
                    &c.reference,
                    &custos_store::police_control::WrittenRequest {
                        name,
                        media_type: media,
                        contents: bytes.to_vec(),
                    },
                )
                .await?;
        }
        kind => {
            let kind: custos_domain::disclosure::DocumentKind =
                kind.parse().map_err(WebError::BadRequest)?;
            state
                .store
                .add_disclosure_document(&actor, &dir, &c.reference, kind, &name, &media, &bytes)
                .await?;
        }
    }
    Ok(Redirect::to(&crate::done::to(
        &format!("/cases/{}", c.reference),
        "case-document",
    ))
    .into_response())
}

/// Where case documents are kept: beside the footage folder, in `documents`.
pub(crate) fn documents_dir(state: &AppState) -> Result<std::path::PathBuf, WebError> {
    state.documents.clone().ok_or_else(|| {
        WebError::Forbidden(
            "this server keeps no case documents; use the server that holds the data folder"
                .to_owned(),
        )
    })
}

/// `GET /cases/{reference}/documents/{id}`: a document, decrypted and checked.
pub(crate) async fn document(
    State(state): State<AppState>,
    staff: Staff,
    Path((reference, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let c = load(&state, &staff, &reference).await?;
    let (doc, bytes) = state
        .store
        .case_document(&documents_dir(&state)?, &c.reference, &id)
        .await?;
    Ok(document_download(&doc.name, bytes))
}

/// A kept document as a download: always opaque bytes, never the type the uploader
/// claimed, so that a document cannot become a page of this site (an uploaded "text/html"
/// with a script in it); its name reduced to letters, digits, `.`, `-` and `_`; never
/// cached. Case documents, incident statements and visit scans leave this one way.
pub(crate) fn document_download(name: &str, bytes: Vec<u8>) -> Response {
    let name: String = name
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || matches!(ch, '.' | '-' | '_') {
                ch
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

/// One event of a deadlines feed: a case due on a day.
struct FeedEvent {
    reference: String,
    kind: CaseKind,
    due: jiff::civil::Date,
}

/// An iCalendar (RFC 5545) calendar of all-day events, one per case due. Only references,
/// kinds and dates go in: calendar programs copy feeds to places the scheme does not
/// control, so no requester's details do.
fn ical(events: &[FeedEvent], stamp: jiff::Timestamp, host: &str) -> String {
    let esc = |s: &str| {
        s.replace('\\', "\\\\")
            .replace(';', "\\;")
            .replace(',', "\\,")
            .replace('\n', "\\n")
    };
    let mut out = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Custos//Case deadlines//EN\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nX-WR-CALNAME:Custos case deadlines\r\n",
    );
    let dtstamp = stamp.strftime("%Y%m%dT%H%M%SZ").to_string();
    for e in events {
        let next = e.due.tomorrow().unwrap_or(e.due);
        out.push_str("BEGIN:VEVENT\r\n");
        out.push_str(&format!("UID:{}-due@{}\r\n", e.reference, esc(host)));
        out.push_str(&format!("DTSTAMP:{dtstamp}\r\n"));
        out.push_str(&format!(
            "DTSTART;VALUE=DATE:{}\r\n",
            e.due.strftime("%Y%m%d")
        ));
        out.push_str(&format!("DTEND;VALUE=DATE:{}\r\n", next.strftime("%Y%m%d")));
        out.push_str(&format!(
            "SUMMARY:{}\r\n",
            esc(&format!("{} due ({})", e.reference, e.kind))
        ));
        out.push_str("TRANSP:TRANSPARENT\r\nEND:VEVENT\r\n");
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

/// The due days of the open cases assigned to `username`.
async fn feed_events(
    state: &AppState,
    pack: &custos_domain::PolicyPack,
    username: &str,
) -> Result<Vec<FeedEvent>, WebError> {
    let calendar = state.calendar(pack.nation).map_err(WebError::BadRequest)?;
    let mut out = Vec::new();
    for c in state.store.cases(false).await? {
        if !c.assignees.iter().any(|a| a == username) {
            continue;
        }
        let pauses = c.clock_pauses();
        let due = match custos_domain::case::next_deadline(&c.times(&pauses), pack, &calendar) {
            Ok((_, CaseDue::Due(d))) => Some(d.due),
            // A covert authorisation's next review or expiry.
            Ok((_, CaseDue::Set(due))) => Some(due),
            _ => None,
        };
        if let Some(due) = due {
            let day = match due {
                custos_domain::calendar::Due::Day(day) => day,
                custos_domain::calendar::Due::Instant(t) => custos_domain::calendar::uk_day(t)
                    .map_err(|e| WebError::BadRequest(e.to_string()))?,
            };
            out.push(FeedEvent {
                reference: c.reference.clone(),
                kind: c.kind,
                due: day,
            });
        }
    }
    Ok(out)
}

/// `GET /calendar/{username}/{token}`: `username`'s case deadlines as an iCalendar feed a
/// calendar program subscribes to; the token (shown on the Cases page) stands in for
/// signing in, and the feed holds no requester's details.
pub(crate) async fn feed(
    State(state): State<AppState>,
    Path((username, token)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let token = token.trim_end_matches(".ics");
    let refused = || WebError::Forbidden("this calendar address is not right".to_owned());
    let who = Username::parse(username.trim()).map_err(|_| refused())?;
    let Some(user) = state.store.user(&who).await?.filter(|u| !u.disabled) else {
        return Err(refused());
    };
    match state
        .store
        .calendar_token_matches(who.as_str(), token)
        .await
    {
        Ok(true) => {}
        Ok(false) => return Err(refused()),
        Err(e) => {
            tracing::warn!(error = %e, "a deadlines feed cannot be checked");
            return Err(refused());
        }
    }
    let Some(policy) = state.store.active_policy().await? else {
        return Err(WebError::Forbidden("no policy pack is loaded".to_owned()));
    };
    // The address stands in for signing in, so it works only while the person may still
    // work on cases (a role revoked, the feed stops).
    let subject = custos_domain::access::Subject {
        username: user.username.clone(),
        disabled: user.disabled,
        assignments: user.assignments.clone(),
        competence: state.store.competence(&user.username).await?,
        absent_roles: Vec::new(),
        client: None,
    };
    let table = custos_domain::access::RightsTable::from_pack(&policy.pack);
    match custos_domain::access::decide(
        &table,
        &subject,
        Right::WorkCases,
        &custos_domain::access::Target::Scheme,
    ) {
        Ok(_) | Err(custos_domain::access::Denial::OutOfScope { .. }) => {}
        Err(_) => return Err(refused()),
    }
    let events = feed_events(&state, &policy.pack, who.as_str()).await?;
    let stamp = state
        .store
        .clock()
        .now()
        .to_timestamp()
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        ical(&events, stamp, "custos"),
    )
        .into_response())
}

/// `POST /calendar/replace`: replaces the signed-in person's deadlines feed address (the
/// old one stops working at once), then back to the Cases page with the new one.
pub(crate) async fn replace_feed(
    State(state): State<AppState>,
    staff: Staff,
    Form(f): Form<crate::auth::CsrfForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    staff.require_somewhere(Right::WorkCases)?;
    let me = Username::parse(&staff.info.subject.username).map_err(WebError::BadRequest)?;
    state
        .store
        .rotate_calendar_token(&staff.actor(), &me)
        .await?;
    Ok(Redirect::to(&crate::done::to("/cases#deadlines-feed", "feed-replaced")).into_response())
}

/// `GET /cases/{reference}/letters/{kind}`: the letter as it would be sent now (HTML, to
/// read or print).
pub(crate) async fn letter(
    State(state): State<AppState>,
    staff: Staff,
    Path((reference, kind)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let c = load(&state, &staff, &reference).await?;
    let kind: LetterKind = kind.parse().map_err(WebError::BadRequest)?;
    let letter = state
        .store
        .compose_letter(&c.reference, kind, &scheme_calendar(&state).await?)
        .await?;
    Ok(axum::response::Html(letter.to_html()).into_response())
}

/// `POST /cases/{reference}/letters/{kind}`: issues the letter: a PDF copy is kept with
/// the case's documents (ledgered), to send or print.
pub(crate) async fn issue_letter(
    State(state): State<AppState>,
    staff: Staff,
    Path((reference, kind)): Path<(String, String)>,
    Form(f): Form<crate::auth::CsrfForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let (c, actor) = load_to_work(&state, &staff, &reference).await?;
    let kind: LetterKind = kind.parse().map_err(WebError::BadRequest)?;
    state
        .store
        .issue_letter(
            &actor,
            &documents_dir(&state)?,
            &c.reference,
            kind,
            &scheme_calendar(&state).await?,
        )
        .await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/cases/{}#documents", c.reference),
        "letter-issued",
    ))
    .into_response())
}

/// A complaint's facts in words for its page: when the incident happened and whether the
/// complaint came late (and so waits to be accepted or refused), its acknowledgement, and
/// an appeal with its outcome.
fn complaint_facts(c: &Case, names: &custos_domain::ledger::Names) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if c.kind != CaseKind::Complaint {
        return out;
    }
    if let Some(at) = c.incident_at_unix_ms {
        let mut words = UnixMs(at).to_london_long();
        if c.raised_late {
            words.push_str(
                ". The complaint came after the time the scheme allows for raising one: it is still recorded, and is accepted (with the reason) or refused before it is worked.",
            );
        }
        out.push(("Incident", words));
    }
    out.push((
        "Acknowledged",
        c.acknowledged_at_unix_ms.map_or_else(
            || "Not yet: the acknowledgement is due first (see the deadline).".to_owned(),
            |at| UnixMs(at).to_london_long(),
        ),
    ));
    if let Some(a) = &c.appeal {
        out.push((
            "Appeal",
            format!(
                "Received {}: {}",
                UnixMs(a.received_at_unix_ms).to_london_long(),
                a.grounds
            ),
        ));
        if let Some((o, reasons, by)) = &a.outcome {
            out.push((
                "Appeal outcome",
                format!(
                    "{} by {}: {reasons}",
                    crate::staff::capitalise(&format!("decided to {}", o.describe())),
                    names.who(by)
                ),
            ));
        }
    }
    out
}

/// Whether a `kind` case about an incident at `incident`, received at `received`, is a
/// complaint raised after the pack's window (LBU-25), on the scheme's calendar.
pub(crate) async fn raised_late(
    state: &AppState,
    kind: CaseKind,
    incident: Option<i64>,
    received: i64,
) -> Result<bool, WebError> {
    let (CaseKind::Complaint, Some(at)) = (kind, incident) else {
        return Ok(false);
    };
    let Some(policy) = state.store.active_policy().await? else {
        return Ok(false);
    };
    let calendar = scheme_calendar(state).await?;
    custos_domain::case::complaint_is_late(at, received, &policy.pack, &calendar)
        .map_err(|e| WebError::BadRequest(format!("when the incident happened: {e}")))
}

async fn scheme_calendar(state: &AppState) -> Result<custos_domain::calendar::Calendar, WebError> {
    let Some(policy) = state.store.active_policy().await? else {
        return Err(WebError::Forbidden("no policy pack is loaded".to_owned()));
    };
    state
        .calendar(policy.pack.nation)
        .map_err(WebError::BadRequest)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The deadlines feed is valid iCalendar: CRLF lines, one all-day event per case with
    /// a stable UID, and text escaped.
    #[test]
    fn the_deadlines_feed_is_icalendar_with_one_all_day_event_per_case() {
        let day: jiff::civil::Date = "2026-12-29".parse().expect("date");
        let text = ical(
            &[FeedEvent {
                reference: "SAR-2026-0007".to_owned(),
                kind: CaseKind::SubjectAccess,
                due: day,
            }],
            "2026-11-29T10:00:00Z".parse().expect("ts"),
            "custos",
        );
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(text.contains("DTSTART;VALUE=DATE:20261229\r\nDTEND;VALUE=DATE:20261230\r\n"));
        assert!(text.contains("UID:SAR-2026-0007-due@custos\r\n"));
        assert!(text.contains("SUMMARY:SAR-2026-0007 due (subject-access)\r\n"));
        assert!(
            text.lines().all(|l| l.len() <= 75),
            "lines must be folded at 75 octets"
        );
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 1);
    }
}
