//! The incident log under `/api/v1/incidents` (BDC-24, BDC-18): listing incidents (the open
//! ones alone with `open=true`), recording one, reading one with its corrections, footage,
//! links and witness statements, and its steps — the outcome, a correction with its
//! reason, countersigning, linking footage, a review or a download, keeping a witness
//! statement — through the same functions as the Incidents page and each incident's page
//! ([`crate::incidents::record`], [`crate::incidents::read_step`],
//! [`crate::incidents::take_step`], [`crate::incidents::keep_statement`]), so the API checks
//! the same roles of the pack's `[books.incident]` and the same rules, and ledgers the same
//! entries.
//!
//! Invariants: the log is read by its keepers, its countersigners and those who read the
//! logbooks, and written only by its keepers (countersigned only by its countersigning
//! roles); the store decides again. Times are RFC 3339 instants, as elsewhere in the API,
//! and cameras are named by id. A witness statement's text is never given back here: the
//! incident lists its statements by name, size and SHA-256.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use custos_base::UnixMs;
use custos_store::incidents::{Incident, IncidentRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, Body, Caller, ErrorBody, Params, Segment, instant};
use crate::AppState;
use crate::incidents::{Given, StepForm};

/// An incident in the log's list.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentSummary {
    /// Its reference, e.g. `INC-2026-0001`.
    pub reference: String,
    /// When it happened (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub occurred_at: String,
    /// The ids of the cameras that saw it.
    pub cameras: Vec<String>,
    /// Where: the street, building or area.
    pub place: String,
    /// What was seen.
    pub seen: String,
    /// Open: no outcome recorded yet.
    pub open: bool,
    /// The entry as it stands is countersigned.
    pub countersigned: bool,
}

/// A field a correction changed, with its value before and after (times as milliseconds
/// since the epoch, cameras as ids separated by commas, as the ledger keeps them).
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeView {
    /// The field: `occurred`, `cameras`, `place`, `seen`, `seen_by`, `police_reference`,
    /// `action_taken` or `outcome`.
    pub field: String,
    /// Its value before.
    pub before: String,
    /// Its value after.
    pub after: String,
}

/// A correction: a new entry that names the one it corrects.
#[derive(Debug, Serialize, ToSchema)]
pub struct CorrectionView {
    /// Its number among the incident's corrections, from 1.
    pub n: i64,
    /// When it was made (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub at: String,
    /// Who made it, e.g. `user:mgr`.
    pub by: String,
    /// Why.
    pub reason: String,
    /// What changed.
    pub changes: Vec<ChangeView>,
}

/// Footage linked to the incident, and the hold that keeps it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkedFootageView {
    /// The hold's id.
    pub hold: String,
    /// The evidence class it is held under.
    pub class: String,
    /// The ids of its cameras.
    pub cameras: Vec<String>,
    /// From (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub from: String,
    /// To (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub to: String,
    /// Still held.
    pub held: bool,
}

/// A review or download linked to the incident.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkView {
    /// `review` or `download`.
    pub kind: String,
    /// The review's or download's id.
    pub target: String,
    /// When it was linked (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub at: String,
    /// Who linked it.
    pub by: String,
}

/// A witness statement kept with the incident, without its text (it is kept encrypted and
/// read on the incident's page).
#[derive(Debug, Serialize, ToSchema)]
pub struct StatementView {
    /// Its id.
    pub id: String,
    /// Its file name.
    pub name: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// The SHA-256 of its text, in hex.
    pub sha256: String,
    /// When it was kept (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub added_at: String,
    /// Whose statement it is.
    pub added_by: String,
}

/// An incident as it stands, with its history.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentView {
    /// Its reference, e.g. `INC-2026-0001`.
    pub reference: String,
    /// When it happened (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub occurred_at: String,
    /// The ids of the cameras that saw it.
    pub cameras: Vec<String>,
    /// Where.
    pub place: String,
    /// What was seen.
    pub seen: String,
    /// Who saw it.
    pub seen_by: String,
    /// The police reference; absent when it was not reported to the police.
    pub police_reference: Option<String>,
    /// The action taken.
    pub action_taken: String,
    /// How it ended; absent while it is open.
    pub outcome: Option<String>,
    /// Open: no outcome recorded yet.
    pub open: bool,
    /// When it was recorded (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub recorded_at: String,
    /// Who recorded it, e.g. `user:op`.
    pub recorded_by: String,
    /// When its outcome was recorded (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub outcome_at: Option<String>,
    /// Who recorded its outcome.
    pub outcome_by: Option<String>,
    /// Who countersigned the entry as it stands (their user name); absent until then, and
    /// again after a correction.
    pub countersigned_by: Option<String>,
    /// The role they countersigned in.
    pub countersigned_role: Option<String>,
    /// When (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub countersigned_at: Option<String>,
    /// Its corrections, oldest first.
    pub corrections: Vec<CorrectionView>,
    /// The footage linked to it.
    pub footage: Vec<LinkedFootageView>,
    /// The reviews and downloads linked to it.
    pub links: Vec<LinkView>,
    /// The witness statements kept with it, without their text.
    pub statements: Vec<StatementView>,
}

/// Which incidents to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncidentListParams {
    /// Only the open incidents: those without an outcome.
    pub open: Option<bool>,
}

/// An incident to record.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct IncidentRecordRequest {
    /// When it happened (RFC 3339); now when absent.
    #[schema(format = DateTime)]
    pub occurred_at: Option<String>,
    /// The ids of the cameras that saw it, if any.
    #[serde(default)]
    pub cameras: Vec<String>,
    /// Where: the street, building or area.
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "Front gate car park")]
    pub place: String,
    /// What was seen.
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "A car window smashed")]
    pub seen: String,
    /// Who saw it.
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "Sam Operator")]
    pub seen_by: String,
    /// The police reference, when it was reported to the police.
    pub police_reference: Option<String>,
    /// The action taken.
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "Called the police")]
    pub action_taken: String,
    /// How it ended, when that is known already; the incident stays open without it.
    pub outcome: Option<String>,
}

/// A step on an incident. A correction changes the fields it gives and leaves the others
/// as recorded.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct IncidentStepRequest {
    /// `outcome`, `correct`, `countersign`, `link-footage`, `link-review`,
    /// `link-download` or `statement`.
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "correct")]
    pub step: String,
    /// `outcome`: how it ended; `correct`: the corrected outcome of a closed incident.
    pub outcome: Option<String>,
    /// `correct`: why (required).
    pub reason: Option<String>,
    /// `correct`: when it happened (RFC 3339).
    #[schema(format = DateTime)]
    pub occurred_at: Option<String>,
    /// `correct`: the ids of the cameras that saw it (all of them); `link-footage`: the
    /// cameras whose footage is linked.
    pub cameras: Option<Vec<String>>,
    /// `correct`: where.
    pub place: Option<String>,
    /// `correct`: what was seen.
    pub seen: Option<String>,
    /// `correct`: who saw it.
    pub seen_by: Option<String>,
    /// `correct`: the police reference (empty: it was not reported to the police).
    pub police_reference: Option<String>,
    /// `correct`: the action taken.
    pub action_taken: Option<String>,
    /// `link-footage`: from (RFC 3339).
    #[schema(format = DateTime)]
    pub from: Option<String>,
    /// `link-footage`: to (RFC 3339).
    #[schema(format = DateTime)]
    pub to: Option<String>,
    /// `link-footage`: the pack's evidence class to hold it under (the pack's default for
    /// incidents when absent).
    pub class: Option<String>,
    /// `link-review`: the review's id.
    pub review: Option<String>,
    /// `link-download`: the download's id.
    pub download: Option<String>,
    /// `statement`: the text of the caller's own witness statement.
    pub statement: Option<String>,
    /// `statement`: its file name; `witness-statement.txt` when absent.
    pub name: Option<String>,
}

/// `t`, an RFC 3339 instant the body may leave out, checked against the document's format
/// and passed on as given (the page's reader takes it as it is).
fn checked_time(t: Option<String>, what: &str) -> Result<String, ApiError> {
    match t {
        None => Ok(String::new()),
        Some(t) => {
            instant(&t, what)?;
            Ok(t)
        }
    }
}

fn at(ms: i64) -> String {
    UnixMs(ms).to_rfc3339()
}

fn ids(cameras: &[custos_domain::Ident]) -> Vec<String> {
    cameras.iter().map(ToString::to_string).collect()
}

fn summary(i: &Incident) -> IncidentSummary {
    IncidentSummary {
        reference: i.reference.clone(),
        occurred_at: at(i.draft.occurred_at_unix_ms),
        cameras: ids(&i.draft.cameras),
        place: i.draft.place.clone(),
        seen: i.draft.seen.clone(),
        open: i.draft.is_open(),
        countersigned: i.countersigned.is_some(),
    }
}

fn view(rec: &IncidentRecord) -> IncidentView {
    let i = &rec.incident;
    let d = &i.draft;
    let given = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    IncidentView {
        reference: i.reference.clone(),
        occurred_at: at(d.occurred_at_unix_ms),
        cameras: ids(&d.cameras),
        place: d.place.clone(),
        seen: d.seen.clone(),
        seen_by: d.seen_by.clone(),
        police_reference: given(&d.police_reference),
        action_taken: d.action_taken.clone(),
        outcome: given(&d.outcome),
        open: d.is_open(),
        recorded_at: at(i.recorded_at_unix_ms),
        recorded_by: i.recorded_by.clone(),
        outcome_at: i.outcome_at.as_ref().map(|(t, _)| at(*t)),
        outcome_by: i.outcome_at.as_ref().map(|(_, by)| by.clone()),
        countersigned_by: i.countersigned.as_ref().map(|(by, _, _)| by.clone()),
        countersigned_role: i.countersigned.as_ref().map(|(_, role, _)| role.clone()),
        countersigned_at: i.countersigned.as_ref().map(|(_, _, t)| at(*t)),
        corrections: rec
            .corrections
            .iter()
            .map(|c| CorrectionView {
                n: c.n,
                at: at(c.at_unix_ms),
                by: c.by.clone(),
                reason: c.reason.clone(),
                changes: c
                    .changes
                    .iter()
                    .map(|(f, before, after)| ChangeView {
                        field: f.as_str().to_owned(),
                        before: before.clone(),
                        after: after.clone(),
                    })
                    .collect(),
            })
            .collect(),
        footage: rec
            .footage
            .iter()
            .map(|f| LinkedFootageView {
                hold: f.hold.clone(),
                class: f.class.clone(),
                cameras: ids(&f.cameras),
                from: at(f.from_unix_ms),
                to: at(f.to_unix_ms),
                held: f.held,
            })
            .collect(),
        links: rec
            .links
            .iter()
            .filter(|l| l.kind != "footage")
            .map(|l| LinkView {
                kind: l.kind.clone(),
                target: l.target.clone(),
                at: at(l.at_unix_ms),
                by: l.by.clone(),
            })
            .collect(),
        statements: rec
            .documents
            .iter()
            .map(|d| StatementView {
                id: d.id.clone(),
                name: d.name.clone(),
                bytes: d.bytes,
                sha256: d.sha256.clone(),
                added_at: at(d.added_at_unix_ms),
                added_by: d.added_by.clone(),
            })
            .collect(),
    }
}

/// Incident `reference` with its history, as the API shows it.
async fn record_view(state: &AppState, reference: &str) -> Result<IncidentView, ApiError> {
    Ok(view(&crate::incidents::load(state, reference).await?))
}

/// The incident log, newest first (`open=true`: only the incidents without an outcome).
#[utoipa::path(
    get,
    path = "/api/v1/incidents",
    operation_id = "list_incidents",
    tag = "incidents",
    params(IncidentListParams),
    responses(
        (status = 200, description = "The incidents", body = [IncidentSummary]),
        (status = 400, description = "A query parameter is not what this call takes", body = ErrorBody),
        (status = 403, description = "Not one who keeps, countersigns or reads the incident log, and why", body = ErrorBody),
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Params(q): Params<IncidentListParams>,
) -> Result<Response, ApiError> {
    crate::incidents::require_read(&staff)?;
    let open_only = q.open.unwrap_or(false);
    let out: Vec<IncidentSummary> = state
        .store
        .incidents()
        .await?
        .iter()
        .filter(|i| !open_only || i.draft.is_open())
        .map(summary)
        .collect();
    Ok(Json(out).into_response())
}

/// Records an incident in the caller's name (ledgered `incident-recorded`, with what was
/// seen and done as SHA-256), as the Incidents page's form does.
#[utoipa::path(
    post,
    path = "/api/v1/incidents",
    operation_id = "record_incident",
    tag = "incidents",
    request_body = IncidentRecordRequest,
    responses(
        (status = 201, description = "It is recorded; the incident", body = IncidentView),
        (status = 400, description = "The body is not JSON of this shape, or something is missing or wrong (every problem at once), and what", body = ErrorBody),
        (status = 403, description = "Not in a role the pack's `[books.incident]` lets keep the incident log, and why", body = ErrorBody),
    )
)]
pub(crate) async fn record(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Body(req): Body<IncidentRecordRequest>,
) -> Result<Response, ApiError> {
    // The role first: a caller who may not keep the log learns that, not what the body
    // lacks.
    crate::incidents::require_keep(&staff, false)?;
    let given = Given {
        occurred_at_unix_ms: req
            .occurred_at
            .as_deref()
            .map(|t| instant(t, "occurred_at").map(|t| t.0))
            .transpose()?,
        cameras: req.cameras,
        place: req.place,
        seen: req.seen,
        seen_by: req.seen_by,
        police_reference: req.police_reference.unwrap_or_default(),
        action_taken: req.action_taken,
        outcome: req.outcome.unwrap_or_default(),
    };
    let i = crate::incidents::record(&state, &staff, given).await?;
    Ok((
        StatusCode::CREATED,
        Json(record_view(&state, &i.reference).await?),
    )
        .into_response())
}

/// An incident as it stands: what it records, who countersigned it, its corrections with
/// each field before and after, the footage, reviews and downloads linked, and its witness
/// statements (without their text).
#[utoipa::path(
    get,
    path = "/api/v1/incidents/{reference}",
    operation_id = "show_incident",
    tag = "incidents",
    params(("reference" = String, Path, description = "The incident's reference, e.g. INC-2026-0001")),
    responses(
        (status = 200, description = "The incident", body = IncidentView),
        (status = 400, description = "The path cannot be read", body = ErrorBody),
        (status = 403, description = "Not one who keeps, countersigns or reads the incident log, and why", body = ErrorBody),
        (status = 404, description = "No such incident", body = ErrorBody),
    )
)]
pub(crate) async fn show(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(reference): Segment<String>,
) -> Result<Response, ApiError> {
    crate::incidents::require_read(&staff)?;
    Ok(Json(record_view(&state, &reference).await?).into_response())
}

/// Takes a step on an incident in the caller's name, as its page does: the outcome of an
/// open incident, a correction (a new `incident-corrected` entry naming the entry it
/// corrects, with the reason; it withdraws a countersignature), countersigning (by a
/// countersigning role, not the entry's author), linking footage (held from now under an
/// evidence class), a review or a download, or keeping the caller's witness statement
/// (encrypted).
#[utoipa::path(
    post,
    path = "/api/v1/incidents/{reference}/steps",
    operation_id = "step_incident",
    tag = "incidents",
    params(("reference" = String, Path, description = "The incident's reference, e.g. INC-2026-0001")),
    request_body = IncidentStepRequest,
    responses(
        (status = 200, description = "The step is recorded; the incident as it now is", body = IncidentView),
        (status = 400, description = "The body is not JSON of this shape; a step that is not one, or one without what it needs (a correction's reason, an outcome already recorded), and what", body = ErrorBody),
        (status = 403, description = "Not in a role the pack's `[books.incident]` lets keep (or, to countersign, countersign) the log, or countersigning one's own entry, and why", body = ErrorBody),
        (status = 404, description = "No such incident, or no such review or download to link", body = ErrorBody),
    )
)]
pub(crate) async fn step(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(reference): Segment<String>,
    Body(req): Body<IncidentStepRequest>,
) -> Result<Response, ApiError> {
    crate::incidents::require_keep_or_countersign(&staff)?;
    let current = crate::incidents::load(&state, &reference).await?;
    let reference = current.incident.reference.clone();
    if req.step.trim() == "statement" {
        crate::incidents::keep_statement(
            &state,
            &staff,
            &reference,
            req.name.as_deref().unwrap_or_default(),
            req.statement.as_deref().unwrap_or_default(),
        )
        .await?;
        return Ok(Json(record_view(&state, &reference).await?).into_response());
    }
    // A correction is read as the page's form is: filled in with the record as it
    // stands, so a field the body leaves out does not change.
    let d = &current.incident.draft;
    let correcting = req.step.trim() == "correct";
    let or_current = |given: Option<String>, current: &str| match given {
        Some(g) => g,
        None if correcting => current.to_owned(),
        None => String::new(),
    };
    let form = StepForm {
        csrf: String::new(),
        occurred: checked_time(req.occurred_at, "occurred_at")?,
        from: checked_time(req.from, "from")?,
        to: checked_time(req.to, "to")?,
        outcome: or_current(req.outcome, &d.outcome),
        reason: req.reason.unwrap_or_default(),
        cameras: or_current(req.cameras.map(|c| c.join(",")), &ids(&d.cameras).join(",")),
        place: or_current(req.place, &d.place),
        seen: or_current(req.seen, &d.seen),
        seen_by: or_current(req.seen_by, &d.seen_by),
        police_reference: or_current(req.police_reference, &d.police_reference),
        action_taken: or_current(req.action_taken, &d.action_taken),
        class: req.class.unwrap_or_default(),
        review: req.review.unwrap_or_default(),
        download: req.download.unwrap_or_default(),
        step: req.step,
    };
    let step = crate::incidents::read_step(&form, &current.incident)?;
    crate::incidents::take_step(&state, &staff, &reference, &step).await?;
    Ok(Json(record_view(&state, &reference).await?).into_response())
}
