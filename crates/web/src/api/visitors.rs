//! The control-room visitors' log under `/api/v1/visitors` (LBU-12, BDC-23, BDC-7,
//! BDC-18): the visits, one visit, recording an arrival with the undertaking accepted, and
//! the steps on a visit — the time out, the countersignature and a correction.
//!
//! Invariants: who may do what is the pack's `[books.visitors]`, asked before the body is
//! read (as on the pages, `crate::visitors`) and again by the store; an arrival through the
//! API accepts the undertaking on screen (the visitor ticks it and types their name at
//! the calling application) or on paper with the scan sent as base64; every change is the
//! store's, ledgered in its transaction.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use custos_base::UnixMs;
use custos_domain::visitors::{
    AcceptedHow, Authoriser, CorrectionDraft, Details, Field, UndertakingDraft, Visit, VisitDraft,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, Body, Caller, ErrorBody, Params, Segment, instant};
use crate::AppState;
use crate::error::WebError;
use crate::visitors::{may_read, require_role};

/// Who authorised a visit.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthoriserView {
    /// Their name.
    pub name: String,
    /// Their role.
    pub role: String,
}

/// How the undertaking was accepted.
#[derive(Debug, Serialize, ToSchema)]
pub struct UndertakingView {
    /// `on-screen` or `on-paper`.
    pub how: String,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub at: String,
    /// The SHA-256 of the undertaking's text the visitor accepted.
    pub text_sha256: String,
    /// The name the visitor typed under it (on screen).
    pub typed_name: Option<String>,
    /// The SHA-256 of the scan of the signed copy (on paper).
    pub scan_sha256: Option<String>,
}

/// A supervisor's countersignature.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountersignatureView {
    /// Who, by name.
    pub by: String,
    /// The pack role they countersigned in.
    pub role: String,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub at: String,
}

/// A correction: a new entry naming the detail, its value before and after, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct CorrectionView {
    /// The detail: `name`, `organisation`, `purpose`, `authorised-by`, `authoriser-role`,
    /// `time-in` or `time-out`.
    pub field: String,
    /// Its value before (a time in RFC 3339).
    pub before: String,
    /// Its value after.
    pub after: String,
    /// Why.
    pub reason: String,
    /// Who corrected it, by name.
    pub by: String,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub at: String,
}

/// A visit to the control room as it stands (its corrections applied).
#[derive(Debug, Serialize, ToSchema)]
pub struct VisitView {
    /// `VIS-2026-0001`.
    pub reference: String,
    /// The visitor's name.
    pub name: String,
    /// The organisation or department they represent.
    pub organisation: String,
    /// Why they visited.
    pub purpose: String,
    /// Who authorised the visit.
    pub authorised_by: AuthoriserView,
    /// When they came in (RFC 3339).
    #[schema(format = DateTime)]
    pub time_in: String,
    /// When they left (RFC 3339); null while in the room.
    #[schema(format = DateTime)]
    pub time_out: Option<String>,
    /// How the undertaking was accepted.
    pub undertaking: UndertakingView,
    /// Who recorded the visit, by name.
    pub recorded_by: String,
    /// The countersignature; null until given.
    pub countersigned: Option<CountersignatureView>,
    /// When the countersignature is due: the end of the shift (12 hours after the time in).
    #[schema(format = DateTime)]
    pub countersign_due: String,
    /// Past the end of the shift without a countersignature.
    pub overdue: bool,
    /// The corrections, oldest first.
    pub corrections: Vec<CorrectionView>,
}

fn stored_words(field: Field, value: &str) -> String {
    if field.is_time() {
        value
            .parse::<i64>()
            .map(|t| UnixMs(t).to_rfc3339())
            .unwrap_or_default()
    } else {
        value.to_owned()
    }
}

fn view(v: &Visit, now: i64) -> VisitView {
    let d = v.current();
    let t = |ms: i64| UnixMs(ms).to_rfc3339();
    VisitView {
        reference: v.reference.clone(),
        name: d.name,
        organisation: d.organisation,
        purpose: d.purpose,
        authorised_by: AuthoriserView {
            name: d.authorised_by.name,
            role: d.authorised_by.role,
        },
        time_in: t(d.entered_at_unix_ms),
        time_out: d.left_at_unix_ms.map(t),
        undertaking: UndertakingView {
            how: v.acceptance.how.as_str().to_owned(),
            at: t(v.acceptance.at_unix_ms),
            text_sha256: v.acceptance.text_sha256.clone(),
            typed_name: v.acceptance.typed_name.clone(),
            scan_sha256: v.acceptance.scan_sha256.clone(),
        },
        recorded_by: v.recorded_by_name.clone(),
        countersigned: v.countersigned.as_ref().map(|c| CountersignatureView {
            by: c.by.clone(),
            role: c.role.clone(),
            at: t(c.at_unix_ms),
        }),
        countersign_due: t(v.countersign_due()),
        overdue: v.overdue(now),
        corrections: v
            .corrections
            .iter()
            .map(|c| CorrectionView {
                field: c.field.as_str().to_owned(),
                before: stored_words(c.field, &c.before),
                after: stored_words(c.field, &c.after),
                reason: c.reason.clone(),
                by: c.by.clone(),
                at: t(c.at_unix_ms),
            })
            .collect(),
    }
}

/// The period listed.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VisitorsParams {
    /// Visits whose visitor came in from this instant (RFC 3339).
    #[param(format = DateTime)]
    pub from: Option<String>,
    /// Before this instant (RFC 3339).
    #[param(format = DateTime)]
    pub to: Option<String>,
}

/// The visits to the control room, in order of time in (LBU-12, BDC-23). Those who keep or
/// countersign the visitors' log, and those who read the logbooks.
#[utoipa::path(
    get,
    path = "/api/v1/visitors",
    operation_id = "list_visitors",
    tag = "visitors",
    params(VisitorsParams),
    responses(
        (status = 200, description = "The visits", body = [VisitView]),
        (status = 400, description = "A malformed time", body = ErrorBody),
        (status = 403, description = "Neither keeps nor reads the visitors' log, and why", body = ErrorBody),
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Params(p): Params<VisitorsParams>,
) -> Result<Json<Vec<VisitView>>, ApiError> {
    may_read(&staff)?;
    let from = p
        .from
        .as_deref()
        .map(|t| instant(t, "from").map(|t| t.0))
        .transpose()?;
    let to =
        p.to.as_deref()
            .map(|t| instant(t, "to").map(|t| t.0))
            .transpose()?;
    let now = state.store.clock().now().0;
    let visits = state.store.visits(from, to).await?;
    Ok(Json(visits.iter().map(|v| view(v, now)).collect()))
}

/// A visit to the control room.
#[utoipa::path(
    get,
    path = "/api/v1/visitors/{reference}",
    operation_id = "show_visit",
    tag = "visitors",
    params(("reference" = String, Path, description = "The visit's reference, e.g. VIS-2026-0001")),
    responses(
        (status = 200, description = "The visit as it stands", body = VisitView),
        (status = 403, description = "Neither keeps nor reads the visitors' log, and why", body = ErrorBody),
        (status = 404, description = "No such visit", body = ErrorBody),
    )
)]
pub(crate) async fn show(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(reference): Segment<String>,
) -> Result<Json<VisitView>, ApiError> {
    may_read(&staff)?;
    let v = state.store.visit(&reference).await?.ok_or_else(|| {
        WebError::Store(custos_store::StoreError::NotFound(format!(
            "there is no visit {reference}"
        )))
    })?;
    Ok(Json(view(&v, state.store.clock().now().0)))
}

/// A scan of the undertaking signed on paper.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ScanUpload {
    /// The file's name.
    #[serde(default)]
    #[schema(example = "undertaking.pdf")]
    pub name: String,
    /// Its media type.
    #[serde(default)]
    #[schema(example = "application/pdf")]
    pub media_type: String,
    /// Its bytes, in base64.
    #[serde(default)]
    #[schema(required = true, min_length = 1)]
    pub base64: String,
}

/// A visitor coming into the control room.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VisitArrivalRequest {
    /// The visitor's name.
    #[serde(default)]
    #[schema(required = true, min_length = 2, example = "Ann Other")]
    pub name: String,
    /// The organisation or department they represent.
    #[serde(default)]
    #[schema(required = true, min_length = 2, example = "Nottinghamshire Police")]
    pub organisation: String,
    /// Why they visit.
    #[serde(default)]
    #[schema(required = true, min_length = 3, example = "Liaison visit")]
    pub purpose: String,
    /// Who authorised the visit, by name.
    #[serde(default)]
    #[schema(required = true, min_length = 2)]
    pub authorised_by: String,
    /// Their role.
    #[serde(default)]
    #[schema(required = true, min_length = 2, example = "CCTV supervisor")]
    pub authoriser_role: String,
    /// When they came in (RFC 3339); now when absent.
    #[schema(format = DateTime)]
    pub time_in: Option<String>,
    /// `on-screen` (default) or `on-paper`.
    pub undertaking: Option<String>,
    /// On screen: the visitor accepted the pack's undertaking (ticked it).
    #[serde(default)]
    pub accepted: bool,
    /// On screen: the name the visitor typed under it (their name as given).
    pub typed_name: Option<String>,
    /// On paper: the scan of the signed copy.
    pub scan: Option<ScanUpload>,
}

/// Records a visitor coming into the control room (ledgered `visitor-arrived`), refused
/// unless every detail is there and the pack's undertaking is accepted. Only those whose
/// role keeps the visitors' log.
#[utoipa::path(
    post,
    path = "/api/v1/visitors",
    operation_id = "record_visit",
    tag = "visitors",
    request_body = VisitArrivalRequest,
    responses(
        (status = 201, description = "The visit is recorded", body = VisitView),
        (status = 400, description = "Something is missing or wrong (every problem at once), or the undertaking is not accepted", body = ErrorBody),
        (status = 403, description = "The caller's role does not keep the visitors' log, and why", body = ErrorBody),
    )
)]
pub(crate) async fn arrive(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Body(req): Body<VisitArrivalRequest>,
) -> Result<Response, ApiError> {
    require_role(&staff, false)?;
    let now = state.store.clock().now().0;
    let how: AcceptedHow = match req.undertaking.as_deref().map(str::trim) {
        None | Some("") => AcceptedHow::OnScreen,
        Some(h) => h.parse().map_err(WebError::BadRequest)?,
    };
    let scan = match (&how, req.scan) {
        (AcceptedHow::OnPaper, Some(s)) => Some(custos_store::visitors::Scan {
            name: s.name,
            media_type: s.media_type,
            contents: decode_base64(&s.base64)
                .ok_or_else(|| WebError::BadRequest("`scan.base64` is not base64".to_owned()))?,
        }),
        _ => None,
    };
    let draft = VisitDraft {
        details: Details {
            name: req.name,
            organisation: req.organisation,
            purpose: req.purpose,
            authorised_by: Authoriser {
                name: req.authorised_by,
                role: req.authoriser_role,
            },
            entered_at_unix_ms: req
                .time_in
                .as_deref()
                .map(|t| instant(t, "time_in").map(|t| t.0))
                .transpose()?
                .unwrap_or(now),
            left_at_unix_ms: None,
        },
        undertaking: match how {
            AcceptedHow::OnScreen => UndertakingDraft::OnScreen {
                ticked: req.accepted,
                typed_name: req.typed_name.unwrap_or_default(),
            },
            AcceptedHow::OnPaper => UndertakingDraft::OnPaper {
                scan_attached: scan.is_some(),
            },
        },
    };
    let v = state
        .store
        .record_visit_arrival(
            &staff.actor(),
            &staff.info.subject,
            state.documents.as_deref(),
            &draft,
            scan.as_ref(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(view(&v, now))).into_response())
}

/// Standard base64, ignoring whitespace.
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(clean).ok()
}

/// A step on a visit.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VisitStepRequest {
    /// `leave` (the time out; keepers), `countersign` (BDC-18; countersigners, not who
    /// recorded the visit) or `correct` (one detail, with a reason; keepers).
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "leave")]
    pub step: String,
    /// `leave`: the time out (RFC 3339); now when absent.
    #[schema(format = DateTime)]
    pub at: Option<String>,
    /// `correct`: the detail — `name`, `organisation`, `purpose`, `authorised-by`,
    /// `authoriser-role`, `time-in` or `time-out`.
    pub field: Option<String>,
    /// `correct`: its correct value (a time in RFC 3339).
    pub value: Option<String>,
    /// `correct`: why.
    pub reason: Option<String>,
}

/// Takes a step on a visit: its time out (`visitor-left`), its countersignature
/// (`visit-countersigned`) or a correction (`visit-corrected`, a new entry; the visit as
/// recorded is kept).
#[utoipa::path(
    post,
    path = "/api/v1/visitors/{reference}/steps",
    operation_id = "step_visit",
    tag = "visitors",
    params(("reference" = String, Path, description = "The visit's reference, e.g. VIS-2026-0001")),
    request_body = VisitStepRequest,
    responses(
        (status = 200, description = "The step is recorded; the visit as it now is", body = VisitView),
        (status = 400, description = "An unknown step, or one the visit does not allow (a time out before the time in, a correction without a reason), and what", body = ErrorBody),
        (status = 403, description = "The caller's role does not keep (or countersign) the visitors' log, or they recorded the visit they would countersign", body = ErrorBody),
        (status = 404, description = "No such visit", body = ErrorBody),
    )
)]
pub(crate) async fn step(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(reference): Segment<String>,
    Body(req): Body<VisitStepRequest>,
) -> Result<Response, ApiError> {
    let (actor, subject) = (staff.actor(), &staff.info.subject);
    let v = match req.step.trim() {
        "leave" => {
            require_role(&staff, false)?;
            let at = req
                .at
                .as_deref()
                .map(|t| instant(t, "at").map(|t| t.0))
                .transpose()?;
            state
                .store
                .record_visitor_left(&actor, subject, &reference, at)
                .await?
        }
        "countersign" => {
            require_role(&staff, true)?;
            state
                .store
                .countersign_visit(&actor, subject, &reference)
                .await?
        }
        "correct" => {
            require_role(&staff, false)?;
            let field: Field = req
                .field
                .as_deref()
                .unwrap_or_default()
                .trim()
                .parse()
                .map_err(WebError::BadRequest)?;
            let value = req.value.unwrap_or_default();
            let value = if field.is_time() {
                instant(&value, "value")?.0.to_string()
            } else {
                value
            };
            state
                .store
                .correct_visit(
                    &actor,
                    subject,
                    &reference,
                    &CorrectionDraft {
                        field,
                        value,
                        reason: req.reason.unwrap_or_default(),
                    },
                )
                .await?
        }
        other => {
            // A caller who may not keep the log learns that first.
            if crate::visitors::require_role(&staff, false).is_err() {
                require_role(&staff, true)?;
            }
            return Err(WebError::BadRequest(format!(
                "{other:?} is not a step on a visit: use leave, countersign or correct"
            ))
            .into());
        }
    };
    Ok(Json(view(&v, state.store.clock().now().0)).into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_decodes() {
        assert_eq!(
            super::decode_base64("aGVs\nbG8=").as_deref(),
            Some(&b"hello"[..])
        );
        assert_eq!(super::decode_base64("a$"), None);
    }
}
