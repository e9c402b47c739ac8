//! The video print register under `/api/v1/prints` and `/api/v1/print-authorities`
//! (BDC-34, BDC-18): police officers' written authorities (listed, one, recorded with the
//! written authority in base64, corrected), and prints (listed, one, made from recorded
//! footage under an authority, and their steps — given to someone, destruction authorised,
//! destroyed, corrected).
//!
//! Invariants: who may do what is the pack's `[books.video-prints]`, asked before the body
//! is read (as on the pages, `crate::prints`) and again by the store; a print is decoded
//! from the footage by the same store call as on the pages, refused saying so when the
//! server has no FFmpeg; the still itself is taken on the pages (each time ledgered), not
//! here; every change is the store's, ledgered in its transaction.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use custos_base::UnixMs;
use custos_domain::prints::{
    Authority, AuthorityDraft, AuthorityField, CorrectionDraft, Given, Officer, Print, PrintField,
    Rank,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiError, Body, Caller, ErrorBody, Segment, instant};
use crate::AppState;
use crate::error::WebError;
use crate::prints::{may_read, require_role};

/// A correction: a new entry naming the detail, its value before and after, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrintCorrectionView {
    /// The detail.
    pub field: String,
    /// Its value before (a time in RFC 3339).
    pub before: String,
    /// Its value after.
    pub after: String,
    /// Why.
    pub reason: String,
    /// Who, by name.
    pub by: String,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub at: String,
}

/// A police officer's written authority for video prints, as it stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrintAuthorityView {
    /// `VPA-2026-0001`.
    pub reference: String,
    /// The officer's name.
    pub officer: String,
    /// Their rank's id (`inspector`, `chief-inspector`, … `commissioner`).
    pub rank: String,
    /// Their rank in words.
    pub rank_words: String,
    /// Their warrant or collar number.
    pub number: String,
    /// Their force.
    pub force: String,
    /// What it asks for, and why.
    pub request: String,
    /// The UK day it is dated.
    #[schema(format = Date)]
    pub dated: String,
    /// The written authority's file name.
    pub document_name: String,
    /// Its SHA-256.
    pub document_sha256: String,
    /// Who recorded it, by name.
    pub recorded_by: String,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub recorded_at: String,
    /// The corrections, oldest first (`field`: `officer-name`, `officer-rank`,
    /// `officer-number`, `force`, `request` or `dated`).
    pub corrections: Vec<PrintCorrectionView>,
}

fn authority_view(a: &Authority) -> PrintAuthorityView {
    let d = a.current();
    PrintAuthorityView {
        reference: a.reference.clone(),
        officer: d.officer.name.clone(),
        rank: d.officer.rank.as_str().to_owned(),
        rank_words: d.officer.rank.describe().to_owned(),
        number: d.officer.number.clone(),
        force: d.officer.force.clone(),
        request: d.request.clone(),
        dated: d.dated.map(|d| d.to_string()).unwrap_or_default(),
        document_name: a.document.name.clone(),
        document_sha256: a.document.sha256.clone(),
        recorded_by: a.recorded_by_name.clone(),
        recorded_at: UnixMs(a.recorded_at_unix_ms).to_rfc3339(),
        corrections: a
            .corrections
            .iter()
            .map(|c| PrintCorrectionView {
                field: c.field.as_str().to_owned(),
                before: c.before.clone(),
                after: c.after.clone(),
                reason: c.reason.clone(),
                by: c.by.clone(),
                at: UnixMs(c.at_unix_ms).to_rfc3339(),
            })
            .collect(),
    }
}

/// To whom a print was given.
#[derive(Debug, Serialize, ToSchema)]
pub struct GivenView {
    /// Their name.
    pub to: String,
    /// Their organisation.
    pub organisation: String,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub at: String,
}

/// The authorisation of a print's destruction.
#[derive(Debug, Serialize, ToSchema)]
pub struct DestructionView {
    /// Who authorised it, by name.
    pub by: String,
    /// The pack role they authorised it in.
    pub role: String,
    /// Why.
    pub reason: String,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub at: String,
}

/// A print's destruction.
#[derive(Debug, Serialize, ToSchema)]
pub struct DestroyedView {
    /// Who destroyed it, by name.
    pub by: String,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub at: String,
}

/// A video print as it stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrintView {
    /// `VP-2026-0001`.
    pub reference: String,
    /// The written authority it was made under (`VPA-2026-0001`).
    pub authority: String,
    /// The camera's id.
    pub camera: String,
    /// The camera's name.
    pub camera_name: String,
    /// The moment asked for (RFC 3339).
    #[schema(format = DateTime)]
    pub moment: String,
    /// The time of the frame the still shows: the last at or before the moment (RFC 3339).
    #[schema(format = DateTime)]
    pub frame_at: String,
    /// The SHA-256 of the recorded segment it was decoded from, as the store keeps it.
    pub segment_sha256: String,
    /// The still's (PNG's) SHA-256.
    pub still_sha256: String,
    /// The sidecar's (JSON's) SHA-256.
    pub sidecar_sha256: String,
    /// The still's width in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
    /// Who made it, by name.
    pub made_by: String,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub made_at: String,
    /// To whom it was given, as it stands; null until recorded.
    pub given: Option<GivenView>,
    /// The authorisation of its destruction; null until given.
    pub destruction_authorised: Option<DestructionView>,
    /// Its destruction; null while kept.
    pub destroyed: Option<DestroyedView>,
    /// Where it stands, in words.
    pub status: String,
    /// Corrections of to whom it was given, oldest first (`field`: `given-to`,
    /// `given-to-organisation` or `given-at`).
    pub corrections: Vec<PrintCorrectionView>,
}

fn print_view(p: &Print) -> PrintView {
    let t = |ms: i64| UnixMs(ms).to_rfc3339();
    PrintView {
        reference: p.reference.clone(),
        authority: p.authority.clone(),
        camera: p.source.camera.clone(),
        camera_name: p.source.camera_name.clone(),
        moment: t(p.source.moment_unix_ms),
        frame_at: t(p.source.frame_unix_ms),
        segment_sha256: p.source.segment_sha256.clone(),
        still_sha256: p.source.still_sha256.clone(),
        sidecar_sha256: p.source.sidecar_sha256.clone(),
        width: p.source.width,
        height: p.source.height,
        made_by: p.made_by_name.clone(),
        made_at: t(p.made_at_unix_ms),
        given: p.current_given().map(|g| GivenView {
            to: g.to,
            organisation: g.organisation,
            at: t(g.at_unix_ms),
        }),
        destruction_authorised: p.destruction_authorised.as_ref().map(|d| DestructionView {
            by: d.by.clone(),
            role: d.role.clone(),
            reason: d.reason.clone(),
            at: t(d.at_unix_ms),
        }),
        destroyed: p.destroyed.as_ref().map(|d| DestroyedView {
            by: d.by.clone(),
            at: t(d.at_unix_ms),
        }),
        status: p.status(),
        corrections: p
            .corrections
            .iter()
            .map(|c| PrintCorrectionView {
                field: c.field.as_str().to_owned(),
                before: if c.field.is_time() {
                    c.before.parse::<i64>().map(t).unwrap_or_default()
                } else {
                    c.before.clone()
                },
                after: if c.field.is_time() {
                    c.after.parse::<i64>().map(t).unwrap_or_default()
                } else {
                    c.after.clone()
                },
                reason: c.reason.clone(),
                by: c.by.clone(),
                at: t(c.at_unix_ms),
            })
            .collect(),
    }
}

fn not_found(what: &str, reference: &str) -> WebError {
    WebError::Store(custos_store::StoreError::NotFound(format!(
        "there is no {what} {reference}"
    )))
}

/// The police officers' written authorities for video prints, oldest first. Those who
/// keep or countersign the register, and those who read the logbooks.
#[utoipa::path(
    get,
    path = "/api/v1/print-authorities",
    operation_id = "list_print_authorities",
    tag = "video-prints",
    responses(
        (status = 200, description = "The written authorities", body = [PrintAuthorityView]),
        (status = 403, description = "Neither keeps nor reads the register, and why", body = ErrorBody),
    )
)]
pub(crate) async fn list_authorities(
    State(state): State<AppState>,
    Caller(staff): Caller,
) -> Result<Json<Vec<PrintAuthorityView>>, ApiError> {
    may_read(&staff)?;
    Ok(Json(
        state
            .store
            .print_authorities()
            .await?
            .iter()
            .map(authority_view)
            .collect(),
    ))
}

/// A written authority.
#[utoipa::path(
    get,
    path = "/api/v1/print-authorities/{reference}",
    operation_id = "show_print_authority",
    tag = "video-prints",
    params(("reference" = String, Path, description = "The authority's reference, e.g. VPA-2026-0001")),
    responses(
        (status = 200, description = "The authority as it stands", body = PrintAuthorityView),
        (status = 403, description = "Neither keeps nor reads the register, and why", body = ErrorBody),
        (status = 404, description = "No such authority", body = ErrorBody),
    )
)]
pub(crate) async fn show_authority(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(reference): Segment<String>,
) -> Result<Json<PrintAuthorityView>, ApiError> {
    may_read(&staff)?;
    let a = state
        .store
        .print_authority(&reference)
        .await?
        .ok_or_else(|| not_found("written authority", &reference))?;
    Ok(Json(authority_view(&a)))
}

/// The written authority as received, in base64.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AuthorityDocumentUpload {
    /// The file's name.
    #[serde(default)]
    #[schema(example = "authority.pdf")]
    pub name: String,
    /// Its bytes, in base64.
    #[serde(default)]
    #[schema(required = true, min_length = 1)]
    pub base64: String,
}

/// A police officer's written authority to record.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PrintAuthorityRequest {
    /// The officer's name.
    #[serde(default)]
    #[schema(required = true, min_length = 2, example = "Jane Doe")]
    pub officer: String,
    /// Their rank: `inspector`, `chief-inspector`, `superintendent`,
    /// `chief-superintendent`, `commander`, `assistant-chief-constable`,
    /// `deputy-assistant-commissioner`, `deputy-chief-constable`, `assistant-commissioner`,
    /// `chief-constable`, `deputy-commissioner` or `commissioner` (below Inspector is
    /// refused).
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "inspector")]
    pub rank: String,
    /// Their warrant or collar number.
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "4321")]
    pub number: String,
    /// Their force.
    #[serde(default)]
    #[schema(required = true, min_length = 2, example = "Nottinghamshire Police")]
    pub force: String,
    /// What it asks for, and why.
    #[serde(default)]
    #[schema(required = true, min_length = 5)]
    pub request: String,
    /// The UK day it is dated.
    #[serde(default)]
    #[schema(required = true, format = Date, example = "2026-11-01")]
    pub dated: String,
    /// The written authority.
    pub document: Option<AuthorityDocumentUpload>,
}

/// Records a police officer's written authority for video prints (BDC-34; ledgered
/// `print-authority-recorded`): refused below Inspector, or without every detail and the
/// written authority, with every problem at once. Keepers of the register only.
#[utoipa::path(
    post,
    path = "/api/v1/print-authorities",
    operation_id = "record_print_authority",
    tag = "video-prints",
    request_body = PrintAuthorityRequest,
    responses(
        (status = 201, description = "The authority is recorded", body = PrintAuthorityView),
        (status = 400, description = "An officer below Inspector, something missing or wrong (every problem at once)", body = ErrorBody),
        (status = 403, description = "The caller's role does not keep the register, and why", body = ErrorBody),
    )
)]
pub(crate) async fn record_authority(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Body(req): Body<PrintAuthorityRequest>,
) -> Result<Response, ApiError> {
    require_role(&staff, false)?;
    let rank = Rank::parse_words(&req.rank).map_err(WebError::BadRequest)?;
    let dated = match req.dated.trim() {
        "" => None,
        d => Some(custos_domain::equipment::parse_day(d, "`dated`").map_err(WebError::BadRequest)?),
    };
    let document = match req.document {
        Some(d) => custos_store::prints::AuthorityDocument {
            name: d.name,
            contents: super::visitors::decode_base64(&d.base64).ok_or_else(|| {
                WebError::BadRequest("`document.base64` is not base64".to_owned())
            })?,
        },
        None => custos_store::prints::AuthorityDocument {
            name: String::new(),
            contents: Vec::new(),
        },
    };
    let a = state
        .store
        .record_print_authority(
            &staff.actor(),
            &staff.info.subject,
            &crate::cases::documents_dir(&state)?,
            &AuthorityDraft {
                officer: Officer {
                    name: req.officer,
                    rank,
                    number: req.number,
                    force: req.force,
                },
                request: req.request,
                dated,
                document_attached: !document.contents.is_empty(),
            },
            &document,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(authority_view(&a))).into_response())
}

/// A correction of a written authority.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PrintAuthorityStepRequest {
    /// `correct`.
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "correct")]
    pub step: String,
    /// The detail: `officer-name`, `officer-rank`, `officer-number`, `force`, `request` or
    /// `dated`.
    pub field: Option<String>,
    /// Its correct value (a rank by its id, a day as `YYYY-MM-DD`).
    pub value: Option<String>,
    /// Why.
    pub reason: Option<String>,
}

/// Corrects a written authority (`print-authority-corrected`, a new entry; the authority
/// as recorded is kept). Keepers of the register only.
#[utoipa::path(
    post,
    path = "/api/v1/print-authorities/{reference}/steps",
    operation_id = "step_print_authority",
    tag = "video-prints",
    params(("reference" = String, Path, description = "The authority's reference, e.g. VPA-2026-0001")),
    request_body = PrintAuthorityStepRequest,
    responses(
        (status = 200, description = "The correction is recorded; the authority as it now is", body = PrintAuthorityView),
        (status = 400, description = "An unknown step, or a correction the authority does not allow (no reason, a rank below Inspector), and what", body = ErrorBody),
        (status = 403, description = "The caller's role does not keep the register, and why", body = ErrorBody),
        (status = 404, description = "No such authority", body = ErrorBody),
    )
)]
pub(crate) async fn authority_step(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(reference): Segment<String>,
    Body(req): Body<PrintAuthorityStepRequest>,
) -> Result<Response, ApiError> {
    require_role(&staff, false)?;
    if req.step.trim() != "correct" {
        return Err(WebError::BadRequest(format!(
            "{:?} is not a step on a written authority: use correct (a print is made with POST /api/v1/prints)",
            req.step.trim()
        ))
        .into());
    }
    let field: AuthorityField = req
        .field
        .as_deref()
        .unwrap_or_default()
        .trim()
        .parse()
        .map_err(WebError::BadRequest)?;
    let a = state
        .store
        .correct_print_authority(
            &staff.actor(),
            &staff.info.subject,
            &reference,
            &CorrectionDraft {
                field,
                value: req.value.unwrap_or_default(),
                reason: req.reason.unwrap_or_default(),
            },
        )
        .await?;
    Ok(Json(authority_view(&a)).into_response())
}

/// The video print register (BDC-34): every print, in order of making. Those who keep or
/// countersign the register, and those who read the logbooks.
#[utoipa::path(
    get,
    path = "/api/v1/prints",
    operation_id = "list_prints",
    tag = "video-prints",
    responses(
        (status = 200, description = "The prints", body = [PrintView]),
        (status = 403, description = "Neither keeps nor reads the register, and why", body = ErrorBody),
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    Caller(staff): Caller,
) -> Result<Json<Vec<PrintView>>, ApiError> {
    may_read(&staff)?;
    Ok(Json(
        state
            .store
            .video_prints()
            .await?
            .iter()
            .map(print_view)
            .collect(),
    ))
}

/// A video print.
#[utoipa::path(
    get,
    path = "/api/v1/prints/{reference}",
    operation_id = "show_print",
    tag = "video-prints",
    params(("reference" = String, Path, description = "The print's reference, e.g. VP-2026-0001")),
    responses(
        (status = 200, description = "The print as it stands", body = PrintView),
        (status = 403, description = "Neither keeps nor reads the register, and why", body = ErrorBody),
        (status = 404, description = "No such print", body = ErrorBody),
    )
)]
pub(crate) async fn show(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(reference): Segment<String>,
) -> Result<Json<PrintView>, ApiError> {
    may_read(&staff)?;
    let p = state
        .store
        .video_print(&reference)
        .await?
        .ok_or_else(|| not_found("video print", &reference))?;
    Ok(Json(print_view(&p)))
}

/// A print to make.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PrintRequest {
    /// The written authority it is made under.
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "VPA-2026-0001")]
    pub authority: String,
    /// The camera's id.
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "market-square")]
    pub camera: String,
    /// The moment the still shows (RFC 3339): the last recorded frame at or before it.
    #[serde(default)]
    #[schema(required = true, format = DateTime)]
    pub moment: String,
}

/// Makes a video print (`video-print-made`): one frame, the last at or before the moment,
/// decoded by FFmpeg from the camera's recorded footage without re-encoding it, kept
/// encrypted with a sidecar naming its source. Refused, with nothing recorded, when the
/// server has no FFmpeg. Keepers of the register only.
#[utoipa::path(
    post,
    path = "/api/v1/prints",
    operation_id = "make_print",
    tag = "video-prints",
    request_body = PrintRequest,
    responses(
        (status = 201, description = "The print is made", body = PrintView),
        (status = 400, description = "A malformed moment, a moment in the future, or no FFmpeg on the server (it says so)", body = ErrorBody),
        (status = 403, description = "The caller's role does not keep the register, and why", body = ErrorBody),
        (status = 404, description = "No such authority or camera, or no recorded footage at the moment", body = ErrorBody),
    )
)]
pub(crate) async fn make(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Body(req): Body<PrintRequest>,
) -> Result<Response, ApiError> {
    require_role(&staff, false)?;
    let camera = custos_domain::Ident::parse(req.camera.trim()).map_err(|_| {
        WebError::BadRequest(format!(
            "`camera` {:?} is not a camera's id; GET /api/v1/cameras lists them",
            req.camera
        ))
    })?;
    let moment = instant(&req.moment, "moment")?.0;
    let documents = crate::cases::documents_dir(&state)?;
    let footage = state.footage.clone().ok_or_else(|| {
        WebError::Forbidden(
            "this server keeps no footage folder, so no print can be made here".to_owned(),
        )
    })?;
    let p = state
        .store
        .make_video_print(
            &staff.actor(),
            &staff.info.subject,
            &footage,
            &documents,
            &custos_store::prints::NewPrint {
                authority: &req.authority,
                camera: &camera,
                moment_unix_ms: moment,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(print_view(&p))).into_response())
}

/// A step on a print.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PrintStepRequest {
    /// `give` (to whom it was given; keepers), `authorise-destruction` (countersigners of
    /// the register), `destroy` (once authorised; keepers) or `correct` (to whom it was
    /// given; keepers).
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "give")]
    pub step: String,
    /// `give`: their name.
    pub to: Option<String>,
    /// `give`: their organisation.
    pub organisation: Option<String>,
    /// `give`: when (RFC 3339); now when absent.
    #[schema(format = DateTime)]
    pub at: Option<String>,
    /// `authorise-destruction` and `correct`: why.
    pub reason: Option<String>,
    /// `correct`: the detail — `given-to`, `given-to-organisation` or `given-at`.
    pub field: Option<String>,
    /// `correct`: its correct value (a time in RFC 3339).
    pub value: Option<String>,
}

/// Takes a step on a print: to whom it was given (`video-print-given`), the authorisation
/// of its destruction (`video-print-destruction-authorised`), its destruction
/// (`video-print-destroyed`: its still and sidecar are deleted) or a correction
/// (`video-print-corrected`, a new entry).
#[utoipa::path(
    post,
    path = "/api/v1/prints/{reference}/steps",
    operation_id = "step_print",
    tag = "video-prints",
    params(("reference" = String, Path, description = "The print's reference, e.g. VP-2026-0001")),
    request_body = PrintStepRequest,
    responses(
        (status = 200, description = "The step is recorded; the print as it now is", body = PrintView),
        (status = 400, description = "An unknown step, or one the print does not allow now (destroyed before its destruction is authorised, given twice), and what", body = ErrorBody),
        (status = 403, description = "The caller's role does not keep (or countersign) the register, and why", body = ErrorBody),
        (status = 404, description = "No such print", body = ErrorBody),
    )
)]
pub(crate) async fn step(
    State(state): State<AppState>,
    Caller(staff): Caller,
    Segment(reference): Segment<String>,
    Body(req): Body<PrintStepRequest>,
) -> Result<Response, ApiError> {
    let step = req.step.trim();
    require_role(&staff, step == "authorise-destruction")?;
    let (actor, subject) = (staff.actor(), &staff.info.subject);
    let now = state.store.clock().now().0;
    let p = match step {
        "give" => {
            let at = req
                .at
                .as_deref()
                .map(|t| instant(t, "at").map(|t| t.0))
                .transpose()?
                .unwrap_or(now);
            state
                .store
                .give_video_print(
                    &actor,
                    subject,
                    &reference,
                    &Given {
                        to: req.to.unwrap_or_default(),
                        organisation: req.organisation.unwrap_or_default(),
                        at_unix_ms: at,
                    },
                )
                .await?
        }
        "authorise-destruction" => {
            state
                .store
                .authorise_print_destruction(
                    &actor,
                    subject,
                    &reference,
                    req.reason.as_deref().unwrap_or_default(),
                )
                .await?
        }
        "destroy" => {
            state
                .store
                .destroy_video_print(
                    &actor,
                    subject,
                    &crate::cases::documents_dir(&state)?,
                    &reference,
                )
                .await?
        }
        "correct" => {
            let field: PrintField = req
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
                .correct_video_print(
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
            return Err(WebError::BadRequest(format!(
                "{other:?} is not a step on a video print: use give, authorise-destruction, destroy or correct"
            ))
            .into());
        }
    };
    Ok(Json(print_view(&p)).into_response())
}
