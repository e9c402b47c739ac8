//! Police control of the control room on the web (BDC-25): the form on the Cases page that
//! records a police request to take partial or total control, the section of its case's
//! page — the officer, rank, type, cameras, times, the agreement and what was done under
//! control — with the forms for its steps (agree, refuse, withdraw, hand back), and the
//! words the live page and the Start page show while a period of control runs.
//!
//! Invariants:
//! - Recorded and worked only by someone holding `work-cases` for police control
//!   (`access.case_kinds`); agreement and refusal are given by the person signed in, in
//!   their own name, who must act in a role of the pack's `[authorise.police_control]` —
//!   the store decides that (`Store::police_control_step`).
//! - Every rule is the domain's and every change the store's; handlers parse, call one
//!   store method, and redirect. A form is read into what `record` and `take_step` take,
//!   and the API (`api::police_control`) calls the same two, so the page and
//!   the API record and step the same way.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use custos_base::UnixMs;
use custos_domain::Ident;
use custos_domain::access::Right;
use custos_domain::case::{Action, CaseKind, Decision};
use custos_domain::police_control::{ControlStatus, ControlType, Draft, Officer, PoliceRank};
use custos_store::cases::Case;
use custos_store::police_control::{NewPoliceControl, PoliceControl, PoliceStep, WrittenRequest};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Staff;
use crate::cases::{load_to_work, target, time_field};
use crate::error::WebError;

/// The choices of the form on the Cases page.
pub(crate) struct Intake {
    /// (id, in words), lowest first.
    pub(crate) ranks: Vec<(&'static str, &'static str)>,
    /// (id, in words, the rank it needs).
    pub(crate) types: Vec<(&'static str, &'static str, &'static str)>,
    /// Cameras in service, as boxes to tick.
    pub(crate) cameras: Vec<crate::forms::CameraChoice>,
    /// Why the code of practice here refuses every request, if it does.
    pub(crate) refused: String,
    /// Who answers a request, in words.
    pub(crate) answered_by: String,
}

/// Who answers a request for `control` (`None`: any request, naming who answers total
/// control where the pack names fewer people for it), in words.
fn roles_words(pack: &custos_domain::PolicyPack, control: Option<ControlType>) -> String {
    let words = |total: bool| {
        pack.authorise
            .police_control_for(total)
            .roles
            .iter()
            .map(|r| custos_domain::role::role_words(r.as_str()))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    match (control, &pack.authorise.police_control_total) {
        (Some(c), _) => words(c == ControlType::Total),
        (None, Some(_)) => format!("{} (total control: {})", words(false), words(true)),
        (None, None) => words(false),
    }
}

/// The form on the Cases page, for those who may work police control requests.
pub(crate) async fn intake(state: &AppState, staff: &Staff) -> Result<Option<Intake>, WebError> {
    if !staff.may(Right::WorkCases, &target(CaseKind::PoliceControl)) {
        return Ok(None);
    }
    let pack = state.store.active_policy().await?.map(|p| p.pack);
    Ok(Some(Intake {
        ranks: PoliceRank::ALL
            .iter()
            .map(|r| (r.as_str(), r.describe()))
            .collect(),
        types: ControlType::ALL
            .iter()
            .map(|t| (t.as_str(), t.describe(), t.required_rank().describe()))
            .collect(),
        cameras: crate::forms::camera_choices(
            state
                .store
                .cameras(false)
                .await?
                .into_iter()
                .map(|c| (c.id.to_string(), c.draft.name))
                .collect(),
            "",
        ),
        refused: pack
            .as_ref()
            .and_then(|p| custos_domain::police_control::refusal(&p.authorise.police_control))
            .unwrap_or_default(),
        answered_by: pack
            .as_ref()
            .map(|p| roles_words(p, None))
            .unwrap_or_default(),
    }))
}

/// The form that records a request.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct OpenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    officer_name: String,
    #[serde(default)]
    rank: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    force: String,
    /// `partial` or `total`.
    #[serde(default)]
    control: String,
    /// Camera ids, comma separated (partial control).
    #[serde(default)]
    cameras: String,
    #[serde(default)]
    reason: String,
    /// The written request as received (kept with the case).
    #[serde(default)]
    written: String,
    /// When it came (UK time); now when empty.
    #[serde(default)]
    requested: String,
}

/// A request as the form on the Cases page or the API gives it, its time already read
/// (the form's in UK time, the API's as an RFC 3339 instant): what [`record`] checks and
/// records.
#[derive(Debug, Default)]
pub(crate) struct Given {
    pub(crate) summary: String,
    pub(crate) officer_name: String,
    /// A rank's id, e.g. `inspector`.
    pub(crate) rank: String,
    pub(crate) number: String,
    pub(crate) force: String,
    /// `partial` or `total`.
    pub(crate) control: String,
    /// Camera ids (partial control).
    pub(crate) cameras: Vec<String>,
    pub(crate) reason: String,
    /// The written request as received, in text; required, as only requests made in
    /// writing are considered.
    pub(crate) written: String,
    /// When it came; now when `None`.
    pub(crate) requested: Option<i64>,
}

/// The request `g` describes, come now (`now_unix_ms`) when it says not when.
fn new_request(g: Given, now_unix_ms: i64) -> Result<NewPoliceControl, WebError> {
    let bad = |what: &str, e: String| WebError::BadRequest(format!("{what}: {e}"));
    let rank: PoliceRank = g.rank.trim().parse().map_err(|e| bad("the rank", e))?;
    let control: ControlType = g
        .control
        .trim()
        .parse()
        .map_err(|e| bad("the type of control", e))?;
    let cameras = g
        .cameras
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .map(|c| Ident::parse(c).map_err(|e| bad("the cameras", e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    if g.written.trim().is_empty() {
        return Err(WebError::BadRequest(
            "the written request: give it as received (only requests made in writing are considered)".to_owned(),
        ));
    }
    Ok(NewPoliceControl {
        draft: Draft {
            officer: Officer {
                name: g.officer_name,
                rank,
                number: g.number,
                force: g.force,
            },
            control,
            cameras,
            reason: g.reason,
            requested_at_unix_ms: g.requested.unwrap_or(now_unix_ms),
        },
        summary: g.summary,
        written: Some(WrittenRequest {
            name: "written-request.txt".to_owned(),
            media_type: "text/plain; charset=utf-8".to_owned(),
            contents: g.written.trim().as_bytes().to_vec(),
        }),
    })
}

/// Records the police request `g` describes as `staff`, the one way the page and the API
/// record one: the right to work police control requests first, then the store's checks
/// (`Store::open_police_control`), the written request kept with the case.
pub(crate) async fn record(state: &AppState, staff: &Staff, g: Given) -> Result<Case, WebError> {
    let actor = staff
        .require(state, Right::WorkCases, &target(CaseKind::PoliceControl))
        .await?;
    let new = new_request(g, state.store.clock().now().0)?;
    Ok(state
        .store
        .open_police_control(&actor, state.documents.as_deref(), &new)
        .await?)
}

/// `POST /police-control`: records a police request to take control, with its written
/// request, and sends the person to its page.
pub(crate) async fn open(
    State(state): State<AppState>,
    staff: Staff,
    crate::forms::ListForm(f): crate::forms::ListForm<OpenForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    // The right first: someone who may not work cases learns that, not what the form
    // lacks; `record` checks the right to work police control requests.
    staff.require_somewhere(Right::WorkCases)?;
    let given = Given {
        cameras: f
            .cameras
            .split([',', '\n', ';'])
            .map(str::to_owned)
            .collect(),
        requested: time_field(&f.requested, "when the request came")?,
        summary: f.summary,
        officer_name: f.officer_name,
        rank: f.rank,
        number: f.number,
        force: f.force,
        control: f.control,
        reason: f.reason,
        written: f.written,
    };
    let c = record(&state, &staff, given).await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/cases/{}", c.reference),
        "case-opened",
    ))
    .into_response())
}

/// The section of a police control case's page.
pub(crate) struct Section {
    /// How it stands, in a sentence.
    pub(crate) status: String,
    /// Whether the police have control now.
    pub(crate) running: bool,
    /// (what, in words), in order.
    pub(crate) facts: Vec<(&'static str, String)>,
    /// What was done under control: (when, who, what).
    pub(crate) log: Vec<(String, String, String)>,
    /// Which step forms to show.
    pub(crate) may_answer: bool,
    pub(crate) may_hand_back: bool,
    /// Whether the form that keeps the written request (a scan, an e-mail file) shows.
    pub(crate) may_keep_written: bool,
    /// Who answers a request, in words.
    pub(crate) answered_by: String,
}

/// How `p` stands, in a sentence.
pub(crate) fn status_words(p: &PoliceControl) -> String {
    let when = |ms: i64| UnixMs(ms).to_london_long();
    match p.status {
        ControlStatus::Requested => {
            "Requested: waiting for the owners' representative to agree or refuse.".to_owned()
        }
        ControlStatus::Agreed { starts_at_unix_ms } => format!(
            "Agreed: the police take {} from {}.",
            p.control.describe(),
            when(starts_at_unix_ms)
        ),
        ControlStatus::InControl { since_unix_ms } => format!(
            "The police have {} since {}.",
            p.control.describe(),
            when(since_unix_ms)
        ),
        ControlStatus::HandedBack {
            from_unix_ms,
            to_unix_ms,
        } => format!(
            "Control was handed back on {} (the police had {} from {}).",
            when(to_unix_ms),
            p.control.describe(),
            when(from_unix_ms)
        ),
        ControlStatus::Refused => "Refused.".to_owned(),
        ControlStatus::Withdrawn => "Withdrawn by the police.".to_owned(),
    }
}

/// The section for case `c`, `None` if it is not a police control request.
pub(crate) async fn section(state: &AppState, c: &Case) -> Result<Option<Section>, WebError> {
    let Some(p) = state.store.police_control(&c.reference).await? else {
        return Ok(None);
    };
    let names = crate::staff::names(state).await?;
    let pack = state.store.active_policy().await?.map(|p| p.pack);
    let notes = state.store.case_notes(&c.reference).await?;
    let when = |ms: i64| UnixMs(ms).to_london_long();
    let mut facts: Vec<(&'static str, String)> = vec![
        ("Requested by", p.officer.describe()),
        ("Rank", p.officer.rank.describe().to_owned()),
        (
            "Type",
            format!(
                "{} (needs {} or above)",
                crate::staff::capitalise(p.control.describe()),
                p.control.required_rank().describe()
            ),
        ),
        (
            "Cameras",
            match p.control {
                ControlType::Total => "Every camera, and the control room itself".to_owned(),
                ControlType::Partial => p
                    .cameras
                    .iter()
                    .map(|x| names.camera(x.as_str()))
                    .collect::<Vec<_>>()
                    .join(", "),
            },
        ),
        ("Why", p.reason.clone()),
        ("Requested", when(p.requested_at_unix_ms)),
    ];
    let written = state
        .store
        .case_documents(&c.reference)
        .await?
        .into_iter()
        .find(|d| d.kind.as_deref() == Some(custos_store::police_control::WRITTEN_REQUEST));
    facts.push((
        "Written request",
        match &written {
            Some(d) => format!("{}, kept {}", d.name, when(d.added_at_unix_ms)),
            None => "Not kept yet: it is agreed to only once it is.".to_owned(),
        },
    ));
    if let (Some((by, role)), Some(at)) = (&p.agreed, p.agreed_at_unix_ms) {
        facts.push((
            "Agreed",
            format!(
                "{} by {}, {}",
                when(at),
                names.person(by),
                custos_domain::role::role_words(role)
            ),
        ));
    }
    if let Some(s) = p.starts_at_unix_ms {
        facts.push(("Control from", when(s)));
    }
    if let Some(e) = p.ends_at_unix_ms {
        facts.push((
            "Handed back",
            format!(
                "{}{}",
                when(e),
                p.handed_back_by
                    .as_ref()
                    .map(|b| format!(", recorded by {}", names.who(b)))
                    .unwrap_or_default()
            ),
        ));
    }
    let open = c.state.is_open();
    Ok(Some(Section {
        status: status_words(&p),
        running: p.status.is_running(),
        log: p
            .during(&notes)
            .into_iter()
            .map(|n| (when(n.at_unix_ms), names.who(&n.author), n.text.clone()))
            .collect(),
        may_answer: open && p.status == ControlStatus::Requested,
        may_keep_written: open && p.status == ControlStatus::Requested,
        may_hand_back: open && p.starts_at_unix_ms.is_some(),
        answered_by: pack
            .as_ref()
            .map(|pk| roles_words(pk, Some(p.control)))
            .unwrap_or_default(),
        facts,
    }))
}

/// A step from the police control section of a case's page.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct StepForm {
    #[serde(default)]
    csrf: String,
    /// `agree`, `refuse`, `withdraw` or `hand-back`.
    #[serde(default)]
    step: String,
    /// The reasons for a refusal or withdrawal.
    #[serde(default)]
    reasons: String,
    /// When control starts or was handed back (UK time); now when empty.
    #[serde(default)]
    at: String,
}

/// A step as the page or the API gives it, its time already read.
#[derive(Debug, Default)]
pub(crate) struct GivenStep {
    /// `agree`, `refuse`, `withdraw` or `hand-back`.
    pub(crate) step: String,
    /// The reasons for a refusal or withdrawal.
    pub(crate) reasons: String,
    /// When control starts or was handed back; now when `None`.
    pub(crate) at: Option<i64>,
}

/// The name a step of a police request goes by in its form and in the API: `refuse` for
/// the refusal (the case engine's `decide` refuse), the action's own name otherwise.
pub(crate) fn step_name(action: Action) -> &'static str {
    match action {
        Action::Decide(Decision::Refuse) => "refuse",
        a => a.name(),
    }
}

fn police_step(g: GivenStep) -> Result<PoliceStep, WebError> {
    Ok(match g.step.trim() {
        "agree" => PoliceStep::Agree {
            starts_at_unix_ms: g.at,
        },
        "refuse" => PoliceStep::Refuse { reasons: g.reasons },
        "withdraw" => PoliceStep::Withdraw { reason: g.reasons },
        "hand-back" => PoliceStep::HandBack { at_unix_ms: g.at },
        other => {
            return Err(WebError::BadRequest(format!(
                "{other:?} is not a step of a police request to take control: choose agree, refuse, withdraw (withdrawn by the police) or hand-back (handed back)"
            )));
        }
    })
}

/// Takes the step `g` describes on police request `reference` as `staff`, the one way the
/// page and the API take one: the right to work it first, then the case's state machine
/// and `domain::police_control` in the store (`Store::police_control_step`), agreement and
/// refusal in the name of the person signed in. Returns the case as it now is.
pub(crate) async fn take_step(
    state: &AppState,
    staff: &Staff,
    reference: &str,
    g: GivenStep,
) -> Result<Case, WebError> {
    let (c, actor) = load_to_work(state, staff, reference).await?;
    let step = police_step(g)?;
    Ok(state
        .store
        .police_control_step(&actor, Some(&staff.info.subject), &c.reference, &step)
        .await?)
}

/// `POST /cases/{reference}/police-control`: a step on a police request to take control.
pub(crate) async fn act(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(f): Form<StepForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    staff.require_somewhere(Right::WorkCases)?;
    let given = GivenStep {
        at: time_field(&f.at, "the time")?,
        step: f.step,
        reasons: f.reasons,
    };
    let after = take_step(&state, &staff, &reference, given).await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/cases/{}", after.reference),
        "case-step",
    ))
    .into_response())
}

/// The words a live tile of `camera` shows while a period of control in `running` affects
/// it: "Police have partial control since 14:05 on …".
pub(crate) fn tile_banner(running: &[PoliceControl], camera: &Ident) -> Option<String> {
    running.iter().find(|p| p.affects(camera)).map(|p| {
        format!(
            "Police have {} since {}",
            p.control.describe(),
            p.starts_at_unix_ms
                .map(|s| UnixMs(s).to_london_long())
                .unwrap_or_default()
        )
    })
}
