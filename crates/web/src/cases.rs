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
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use custos_base::UnixMs;
use custos_domain::access::{Right, Target};
use custos_domain::case::{Action, CaseDue, CaseKind, Decision, allowed_actions};
use custos_store::cases::{Case, Step};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Staff;
use crate::error::WebError;
use crate::pages::render;
use crate::staff::Banner;

fn target(kind: CaseKind) -> Target {
    Target::Case { kind, site: None }
}

/// The due date in words and its urgency: `""`, `"amber"` (within five working days) or
/// `"red"` (overdue).
fn due(state: &AppState, pack: &custos_domain::PolicyPack, c: &Case) -> (String, &'static str) {
    let calendar = match state.calendar(pack.nation) {
        Ok(c) => c,
        Err(e) => return (e, ""),
    };
    let pauses: Vec<(i64, Option<i64>)> = c.pauses.iter().map(|(a, b, _)| (*a, *b)).collect();
    match custos_domain::case::due(
        c.kind,
        c.state,
        c.received_at_unix_ms,
        &pauses,
        c.extension.is_some(),
        pack,
        &calendar,
    ) {
        Err(e) => (e.to_string(), ""),
        Ok(CaseDue::Finished) => ("finished".to_owned(), ""),
        Ok(CaseDue::NoRule) => ("no deadline in the pack".to_owned(), ""),
        Ok(CaseDue::Paused { since_unix_ms, .. }) => (
            format!(
                "clock stopped since {}",
                UnixMs(since_unix_ms).to_london_display()
            ),
            "",
        ),
        Ok(CaseDue::Due(d)) => {
            let now = state.store.clock().now();
            let urgency = match (
                now.to_timestamp()
                    .and_then(|t| custos_domain::calendar::uk_day(t).ok()),
                d.due.passes_at(),
            ) {
                (Some(today), Ok(passes)) => {
                    let overdue = now.to_timestamp().is_some_and(|t| t >= passes);
                    let soon = calendar
                        .nth_working_day_after(today, 5)
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
            (format!("{} ({})", d.due, d.rule), urgency)
        }
    }
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
    rows: Vec<Row>,
    kinds: Vec<String>,
    kind: String,
    mine: bool,
    all: bool,
}

/// `?kind=&mine=1&all=1`
#[derive(Debug, Deserialize)]
pub(crate) struct CasesQuery {
    kind: Option<String>,
    mine: Option<String>,
    all: Option<String>,
}

/// `GET /cases`: the cases dashboard.
pub(crate) async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<CasesQuery>,
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
    let mut rows = Vec::new();
    for c in state.store.cases(all).await? {
        if kind.is_some_and(|k| k != c.kind)
            || !staff.may(Right::WorkCases, &target(c.kind))
            || (mine && !c.assignees.contains(&me))
        {
            continue;
        }
        let (due_text, urgency) = due(&state, &policy.pack, &c);
        rows.push(Row {
            reference: c.reference.clone(),
            kind: c.kind.to_string(),
            state: c.state.to_string(),
            received: UnixMs(c.received_at_unix_ms).to_london_display(),
            due: due_text,
            urgency,
            summary: c.summary.clone(),
            assignees: c.assignees.join(", "),
        });
    }
    Ok(render(
        StatusCode::OK,
        &CasesPage {
            banner: Banner::load(&state, &staff).await?,
            rows,
            kinds: CaseKind::ALL.iter().map(ToString::to_string).collect(),
            kind: kind.map(|k| k.to_string()).unwrap_or_default(),
            mine,
            all,
        },
    ))
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
    due: String,
    urgency: &'static str,
    pauses: Vec<String>,
    decision: String,
    steps: Vec<StepView>,
    notes: Vec<(String, String, String)>,
    documents: Vec<(String, String, u64)>,
}

async fn load(state: &AppState, staff: &Staff, reference: &str) -> Result<Case, WebError> {
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

/// `GET /cases/{reference}`
pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    let c = load(&state, &staff, &reference).await?;
    let Some(policy) = state.store.active_policy().await? else {
        return Err(WebError::Forbidden("no policy pack is loaded".to_owned()));
    };
    let (due_text, urgency) = due(&state, &policy.pack, &c);
    let steps = allowed_actions(c.kind, c.state, c.extension.is_some())
        .into_iter()
        .map(|a| StepView {
            action: a.name().to_owned(),
            label: a.describe(),
            decision: match a {
                Action::Decide(d) => d.to_string(),
                _ => String::new(),
            },
        })
        .collect();
    let notes = state
        .store
        .case_notes(&c.reference)
        .await?
        .into_iter()
        .map(|n| (UnixMs(n.at_unix_ms).to_london_display(), n.author, n.text))
        .collect();
    let documents = state
        .store
        .case_documents(&c.reference)
        .await?
        .into_iter()
        .map(|d| (d.name, d.media_type, d.bytes))
        .collect();
    Ok(render(
        StatusCode::OK,
        &CasePage {
            banner: Banner::load(&state, &staff).await?,
            kind: c.kind.to_string(),
            state_text: c.state.to_string(),
            received: UnixMs(c.received_at_unix_ms).to_london_display(),
            due: due_text,
            urgency,
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
                    if r.is_empty() {
                        d.to_string()
                    } else {
                        format!("{d}: {r}")
                    }
                })
                .unwrap_or_default(),
            steps,
            notes,
            documents,
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
}

/// `POST /cases/{reference}/act`
pub(crate) async fn act(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(f): Form<StepForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let c = load(&state, &staff, &reference).await?;
    let actor = staff
        .require(&state, Right::WorkCases, &target(c.kind))
        .await?;
    let (name, decision) = f.step.split_once(':').unwrap_or((f.step.as_str(), ""));
    let action = match name {
        "await-identity" => Action::AwaitIdentity,
        "verify-identity" => Action::VerifyIdentity,
        "start" => Action::Start,
        "extend" => Action::Extend,
        "decide" => Action::Decide(decision.parse::<Decision>().map_err(WebError::BadRequest)?),
        "close" => Action::Close,
        "withdraw" => Action::Withdraw,
        "convert-to-subject-access" => Action::ConvertToSubjectAccess,
        other => {
            return Err(WebError::BadRequest(format!(
                "{other:?} is not a step a case takes"
            )));
        }
    };
    let after = state
        .store
        .act_on_case(
            &actor,
            &c.reference,
            action,
            &Step {
                reasons: f.reasons,
                others_shown: f.others_shown.is_some(),
                why_reasonable: Some(f.why_reasonable).filter(|w| !w.trim().is_empty()),
            },
        )
        .await?;
    let to = after.converted_to.unwrap_or(after.reference);
    Ok(Redirect::to(&format!("/cases/{to}")).into_response())
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
    let c = load(&state, &staff, &reference).await?;
    let actor = staff
        .require(&state, Right::WorkCases, &target(c.kind))
        .await?;
    state
        .store
        .add_case_note(&actor, &c.reference, &f.text)
        .await?;
    Ok(Redirect::to(&format!("/cases/{}", c.reference)).into_response())
}
