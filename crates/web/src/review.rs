//! Reviewing recorded footage in the browser (LBU-4, ALT-6, BDC-32, BDC-33): a camera's
//! recorded spans and gaps for a day; the form where a person states the purpose, the
//! reason and who else is present before anything is shown; the player for the range they
//! were granted; and the result when they finish.
//!
//! Invariants: no recorded byte is served without a grant that belongs to this person and
//! this session and has not expired; opening a review needs `review-recordings` on the
//! camera from this workstation (LJM-8) and writes the review's ledger entry in the same
//! transaction as the grant; media is served with HTTP range requests, decrypting only the
//! fragments asked for.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use custos_base::UnixMs;
use custos_domain::Ident;
use custos_domain::access::Right;
use custos_store::reviews::ReviewRequest;
use custos_store::{Camera, StoreError};
use futures::StreamExt;
use serde::Deserialize;

use crate::AppState;
use crate::auth::Staff;
use crate::error::WebError;
use crate::pages::render;
use crate::staff::Banner;

fn footage(state: &AppState) -> Result<&std::path::Path, WebError> {
    state.footage.as_deref().ok_or_else(|| {
        WebError::Store(StoreError::NotFound(
            "this server keeps no footage folder, so there is nothing to review".to_owned(),
        ))
    })
}

/// The camera `id`, once `review-recordings` on it is allowed from this workstation; with
/// the actor to record the review as.
pub(crate) async fn reviewable(
    state: &AppState,
    staff: &Staff,
    id: &str,
) -> Result<(Camera, custos_base::Actor), WebError> {
    let c = camera(state, staff, id).await?;
    let actor = staff
        .require(
            state,
            Right::ReviewRecordings,
            &state.store.camera_target(&c).await?,
        )
        .await?;
    Ok((c, actor))
}

async fn camera(state: &AppState, staff: &Staff, id: &str) -> Result<Camera, WebError> {
    let found = match Ident::parse(id) {
        Ok(id) => state.store.camera(&id).await?,
        Err(_) => None,
    };
    match found {
        Some(c) => Ok(c),
        None => {
            staff.require_somewhere(Right::ReviewRecordings)?;
            Err(WebError::Store(StoreError::NotFound(format!(
                "there is no camera {id:?}"
            ))))
        }
    }
}

struct Span {
    from: String,
    to: String,
}

/// A time a camera did not record.
pub(crate) struct Gap {
    pub(crate) from_unix_ms: i64,
    /// `None` while it lasts.
    pub(crate) to_unix_ms: Option<i64>,
    pub(crate) reason: String,
}

/// What a camera recorded between two instants: spans (segments that follow one another
/// within 5 s make one span) and gaps. Times only; no footage.
pub(crate) struct DayRecord {
    pub(crate) spans: Vec<(i64, i64)>,
    pub(crate) gaps: Vec<Gap>,
}

pub(crate) async fn day_record(
    state: &AppState,
    c: &Camera,
    from_unix_ms: i64,
    to_unix_ms: i64,
) -> Result<DayRecord, WebError> {
    let segments = state
        .store
        .segments(Some(&c.id), Some("main"), from_unix_ms, to_unix_ms)
        .await?;
    let mut spans: Vec<(i64, i64)> = Vec::new();
    for s in &segments {
        match spans.last_mut() {
            Some(last) if s.start_unix_ms - last.1 <= 5_000 => last.1 = last.1.max(s.end_unix_ms),
            _ => spans.push((s.start_unix_ms, s.end_unix_ms)),
        }
    }
    let gaps = state
        .store
        .gaps(&c.id, from_unix_ms, to_unix_ms)
        .await?
        .into_iter()
        .map(|(_, a, b, reason)| Gap {
            from_unix_ms: a,
            to_unix_ms: b,
            reason,
        })
        .collect();
    Ok(DayRecord { spans, gaps })
}

/// A bar on the day's timeline, in minutes from the day's start.
struct Bar {
    x: i64,
    width: i64,
    class: &'static str,
    title: String,
}

#[derive(Template)]
#[template(path = "review_form.html")]
struct ReviewForm {
    banner: Banner,
    camera_id: String,
    camera_name: String,
    day: String,
    spans: Vec<Span>,
    gaps: Vec<String>,
    purposes: Vec<String>,
    from: String,
    to: String,
    /// The timeline: the day's start (ms since the epoch) and length in minutes (23, 24 or
    /// 25 hours), its bars, and the proposed range in ms.
    day_start_ms: i64,
    day_minutes: i64,
    bars: Vec<Bar>,
    /// Reviews already made of this day's footage: their bars, and each in words.
    reviewed: Vec<Bar>,
    reviews: Vec<String>,
    hours: Vec<i64>,
    from_ms: i64,
    to_ms: i64,
    /// A case the review is for, when opened from the case's page.
    case_ref: String,
}

/// Bars for `[a, b)` clipped to the day, in minutes from its start.
fn bar(day: (i64, i64), a: i64, b: i64, class: &'static str, title: String) -> Option<Bar> {
    let (a, b) = (a.max(day.0), b.min(day.1));
    (b > a).then(|| Bar {
        x: (a - day.0) / 60_000,
        width: ((b - a) / 60_000).max(1),
        class,
        title,
    })
}

/// `?day=YYYY-MM-DD`, or from a case's page `?from=…&to=…&case_ref=…` (UK times) to
/// propose that range for that case.
#[derive(Debug, Deserialize)]
pub(crate) struct DayQuery {
    day: Option<String>,
    from: Option<String>,
    to: Option<String>,
    case_ref: Option<String>,
}

/// `GET /cameras/{id}/review`: the day's recorded spans and gaps, and the form.
pub(crate) async fn form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<DayQuery>,
) -> Result<Response, WebError> {
    let (c, _) = reviewable(&state, &staff, &id).await?;
    let now = state.store.clock().now();
    let asked = match (q.from.as_deref(), q.to.as_deref()) {
        (Some(a), Some(b)) if !a.trim().is_empty() && !b.trim().is_empty() => Some((
            UnixMs::parse_uk_local(a).map_err(WebError::BadRequest)?.0,
            UnixMs::parse_uk_local(b).map_err(WebError::BadRequest)?.0,
        )),
        _ => None,
    };
    let day = q
        .day
        .filter(|d| !d.trim().is_empty())
        .or_else(|| asked.map(|(a, _)| UnixMs(a).to_uk_local_input().chars().take(10).collect()))
        .unwrap_or_else(|| now.to_london_display().chars().take(10).collect());
    let from = UnixMs::parse_bound(&day, false)
        .map_err(WebError::BadRequest)?
        .0;
    let to = UnixMs::parse_bound(&day, true)
        .map_err(WebError::BadRequest)?
        .0;
    let record = day_record(&state, &c, from, to).await?;
    let spans = record.spans.clone();
    let gaps = record
        .gaps
        .iter()
        .map(|g| {
            format!(
                "{} to {}: {}",
                UnixMs(g.from_unix_ms).to_london_display(),
                g.to_unix_ms
                    .map_or_else(|| "now".to_owned(), |b| UnixMs(b).to_london_display()),
                g.reason
            )
        })
        .collect();
    let (dflt_from, dflt_to) = asked.map_or_else(
        || {
            spans.last().map_or((now.0 - 600_000, now.0), |(a, b)| {
                ((*b - 600_000).max(*a), *b)
            })
        },
        // The range asked for, as given (the form adds a minute to the proposed end).
        |(a, b)| (a, b - 60_000),
    );
    let day_span = (from, to);
    let mut bars: Vec<Bar> = spans
        .iter()
        .filter_map(|(a, b)| {
            bar(
                day_span,
                *a,
                *b,
                "rec",
                format!(
                    "recorded {} to {}",
                    UnixMs(*a).to_london_display(),
                    UnixMs(*b).to_london_display()
                ),
            )
        })
        .collect();
    bars.extend(record.gaps.iter().filter_map(|g| {
        bar(
            day_span,
            g.from_unix_ms,
            g.to_unix_ms.unwrap_or(now.0),
            "gap",
            format!("not recorded: {}", g.reason),
        )
    }));
    let made = state.store.reviews_of(&c.id, from, to).await?;
    let reviewed = made
        .iter()
        .filter_map(|r| {
            bar(
                day_span,
                r.from_unix_ms,
                r.to_unix_ms,
                "reviewed",
                format!(
                    "reviewed by {}, {} to {}",
                    r.by,
                    UnixMs(r.from_unix_ms).to_london_display(),
                    UnixMs(r.to_unix_ms).to_london_display()
                ),
            )
        })
        .collect();
    let reviews = made
        .iter()
        .map(|r| {
            format!(
                "{}, {} to {}",
                r.by,
                UnixMs(r.from_unix_ms).to_london_display(),
                UnixMs(r.to_unix_ms).to_london_display()
            )
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &ReviewForm {
            banner: Banner::load(&state, &staff).await?,
            reviewed,
            reviews,
            camera_id: c.id.to_string(),
            camera_name: c.draft.name.clone(),
            day,
            spans: spans
                .iter()
                .map(|(a, b)| Span {
                    from: UnixMs(*a).to_london_display(),
                    to: UnixMs(*b).to_london_display(),
                })
                .collect(),
            gaps,
            // Only the purposes its footage is recorded for (LJM-1): a live-only purpose is
            // never a reason to review.
            purposes: {
                let pack = state.store.active_policy().await?;
                c.draft
                    .purposes
                    .iter()
                    .filter(|id| {
                        pack.as_ref().is_none_or(|p| {
                            custos_domain::camera::review_allowed(&p.pack, &c.draft.purposes, id)
                                .is_ok()
                        })
                    })
                    .map(Ident::to_string)
                    .collect()
            },
            from: UnixMs(dflt_from).to_uk_local_input(),
            to: UnixMs(dflt_to + 60_000).to_uk_local_input(),
            day_start_ms: from,
            day_minutes: (to - from) / 60_000,
            bars,
            hours: (0..(to - from) / 3_600_000).map(|h| h * 60).collect(),
            from_ms: dflt_from,
            to_ms: dflt_to + 60_000,
            case_ref: q.case_ref.unwrap_or_default(),
        },
    ))
}

/// What a person states before reviewing.
#[derive(Debug, Deserialize)]
pub(crate) struct OpenForm {
    csrf: String,
    from: String,
    to: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    case_ref: String,
    #[serde(default)]
    present: String,
}

/// `POST /cameras/{id}/review`: opens a review (ledgered) and sends the person to the
/// player.
pub(crate) async fn open(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(f): Form<OpenForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let (c, actor) = reviewable(&state, &staff, &id).await?;
    let purpose = Ident::parse(f.purpose.trim()).map_err(|_| {
        WebError::BadRequest("choose the purpose of the scheme this review serves".to_owned())
    })?;
    let req = ReviewRequest {
        from_unix_ms: UnixMs::parse_uk_local(&f.from)
            .map_err(WebError::BadRequest)?
            .0,
        to_unix_ms: UnixMs::parse_uk_local(&f.to)
            .map_err(WebError::BadRequest)?
            .0,
        purpose,
        reason: f.reason,
        case_ref: Some(f.case_ref),
        persons_present: f
            .present
            .split([',', '\n', ';'])
            .map(str::to_owned)
            .collect(),
    };
    let (grant, _) = open_review(&state, &staff, &actor, &c, &req).await?;
    Ok(Redirect::to(&format!("/reviews/{grant}")).into_response())
}

/// Opens a review of `c` for this person and session (the store ledgers it with the
/// grant), refusing a range in which the camera recorded nothing, so that the log holds
/// reviews of footage, not of empty time. Returns the grant and the review's id.
pub(crate) async fn open_review(
    state: &AppState,
    staff: &Staff,
    actor: &custos_base::Actor,
    c: &Camera,
    req: &ReviewRequest,
) -> Result<(String, String), WebError> {
    if req.to_unix_ms > req.from_unix_ms
        && day_record(state, c, req.from_unix_ms, req.to_unix_ms)
            .await?
            .spans
            .is_empty()
    {
        return Err(WebError::Store(StoreError::NotFound(format!(
            "camera {} recorded nothing between {} and {}; choose a range within one of the recorded spans listed for the day",
            c.draft.name,
            UnixMs(req.from_unix_ms).to_london_display(),
            UnixMs(req.to_unix_ms).to_london_display()
        ))));
    }
    Ok(state
        .store
        .open_review(actor, &staff.info.subject.username, &staff.session, c, req)
        .await?)
}

/// The grant `token`, if it belongs to this person and this session and is unexpired, with
/// its camera; the right must still be held, from this workstation.
pub(crate) async fn grant(
    state: &AppState,
    staff: &Staff,
    token: &str,
) -> Result<(custos_store::reviews::Grant, Camera), WebError> {
    let refused = || {
        WebError::Forbidden(
            "this review is not open to you in this session (reviews are bound to the person and session that opened them, and last half an hour); open a new review with a reason".to_owned(),
        )
    };
    let g = state
        .store
        .review_grant(token, &staff.session)
        .await?
        .filter(|g| g.username == staff.info.subject.username)
        .ok_or_else(refused)?;
    let c = state.store.camera(&g.camera).await?.ok_or_else(refused)?;
    // The right must still be held, from this workstation.
    staff
        .require(
            state,
            Right::ReviewRecordings,
            &state.store.camera_target(&c).await?,
        )
        .await?;
    Ok((g, c))
}

#[derive(Template)]
#[template(path = "review_player.html")]
struct Player {
    banner: Banner,
    token: String,
    camera_id: String,
    camera_name: String,
    location: String,
    from: String,
    to: String,
    finished: bool,
    /// The playback file's clock: `[[media ms, wall-clock ms], …]` (JSON), one pair where
    /// the footage starts and after each gap, so the page can say what time is shown.
    clock: String,
    /// Whether this person may export this camera's footage (the "Export this range" link).
    may_export: bool,
    /// The reviewed range in the export form's terms (UK local, whole minutes).
    export_from: String,
    export_to: String,
}

/// The playback file's clock for `plan` as JSON pairs `[media ms, wall-clock ms]`: one
/// where the footage starts and one after each gap, where wall-clock time jumps ahead of
/// the file's own time.
fn clock_pairs(plan: &custos_store::footage::Playback) -> String {
    let mut pairs: Vec<(i64, i64)> = Vec::new();
    for p in &plan.parts {
        let media_ms = i64::try_from(p.base_90k / 90).unwrap_or(i64::MAX);
        let offset = p.start_unix_ms - media_ms;
        if pairs
            .last()
            .is_none_or(|(m, w)| (w - m - offset).abs() > 500)
        {
            pairs.push((media_ms, p.start_unix_ms));
        }
    }
    let inner: Vec<String> = pairs.iter().map(|(m, w)| format!("[{m},{w}]")).collect();
    format!("[{}]", inner.join(","))
}

/// `GET /reviews/{token}`: the player.
pub(crate) async fn player(
    State(state): State<AppState>,
    staff: Staff,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let (g, c) = grant(&state, &staff, &token).await?;
    // The clock is a convenience: without footage here the page still plays what it can.
    let clock = match footage(&state) {
        Ok(dir) => match state
            .store
            .playback(dir, &c.id, &g.stream, g.from_unix_ms, g.to_unix_ms)
            .await
        {
            Ok(plan) => clock_pairs(&plan),
            Err(_) => format!("[[0,{}]]", g.from_unix_ms),
        },
        Err(_) => format!("[[0,{}]]", g.from_unix_ms),
    };
    let may_export = staff.may(Right::Export, &state.store.camera_target(&c).await?);
    Ok(render(
        StatusCode::OK,
        &Player {
            banner: Banner::load(&state, &staff).await?,
            token,
            clock,
            may_export,
            export_from: UnixMs(g.from_unix_ms).to_uk_local_input(),
            export_to: UnixMs(g.to_unix_ms + 59_999 - (g.to_unix_ms + 59_999).rem_euclid(60_000))
                .to_uk_local_input(),
            camera_id: c.id.to_string(),
            camera_name: c.draft.name.clone(),
            location: state
                .store
                .footage_location(&c.id, &c.draft.location, g.from_unix_ms)
                .await?,
            from: UnixMs(g.from_unix_ms).to_london_display(),
            to: UnixMs(g.to_unix_ms).to_london_display(),
            finished: g.finished,
        },
    ))
}

/// A `Range: bytes=A-B` header, as (start, end exclusive) within `len`.
fn byte_range(headers: &HeaderMap, len: u64) -> Option<Result<(u64, u64), ()>> {
    let v = headers.get(header::RANGE)?.to_str().ok()?;
    let spec = v.strip_prefix("bytes=")?;
    let (a, b) = spec.split_once('-')?;
    let parsed = match (a.trim(), b.trim()) {
        ("", suffix) => suffix
            .parse::<u64>()
            .ok()
            .map(|n| (len.saturating_sub(n), len)),
        (start, "") => start.parse::<u64>().ok().map(|s| (s, len)),
        (start, end) => match (start.parse::<u64>(), end.parse::<u64>()) {
            // An end that does not fit once made exclusive is not a range of this file.
            (Ok(s), Ok(e)) => e.checked_add(1).map(|e| (s, e.min(len))),
            _ => None,
        },
    };
    Some(match parsed {
        Some((s, e)) if s < e && s < len => Ok((s, e)),
        _ => Err(()),
    })
}

/// `GET /reviews/{token}/video.mp4`: the granted range as MP4, with range requests.
pub(crate) async fn video(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    media(&state, &staff, &headers, &token).await
}

/// The range granted by `token` as MP4, answering HTTP range requests; for the player and
/// the API alike.
pub(crate) async fn media(
    state: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    token: &str,
) -> Result<Response, WebError> {
    let (g, c) = grant(state, staff, token).await?;
    let dir = footage(state)?;
    let plan = state
        .store
        .playback(dir, &c.id, &g.stream, g.from_unix_ms, g.to_unix_ms)
        .await?;
    let (status, start, end) = match byte_range(headers, plan.len) {
        None => (StatusCode::OK, 0, plan.len),
        Some(Ok((s, e))) => (StatusCode::PARTIAL_CONTENT, s, e),
        Some(Err(())) => {
            return Ok((
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(header::CONTENT_RANGE, format!("bytes */{}", plan.len))],
            )
                .into_response());
        }
    };
    // Sent a fragment at a time, so a long range never sits in memory; the stream ends
    // when the session does.
    let pieces = plan.pieces(start, end);
    let total = plan.len;
    let (store, dir) = (state.store.clone(), dir.to_path_buf());
    let plan = std::sync::Arc::new(plan);
    let body = futures::stream::iter(pieces).then(move |(a, b)| {
        let (store, dir, plan) = (store.clone(), dir.clone(), plan.clone());
        async move {
            store
                .read_playback(&dir, &plan, a, b)
                .await
                .map_err(|e| std::io::Error::other(e.to_string()))
        }
    });
    let target = state.store.camera_target(&c).await?;
    let body = crate::auth::while_allowed(state, staff, Right::ReviewRecordings, target, body);
    let mut res = (status, body).into_response();
    if let Ok(v) = HeaderValue::from_str(&(end - start).to_string()) {
        res.headers_mut().insert(header::CONTENT_LENGTH, v);
    }
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("video/mp4"));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{}/{total}", end - 1))
    {
        h.insert(header::CONTENT_RANGE, v);
    }
    Ok(res)
}

/// The result of a review.
#[derive(Debug, Deserialize)]
pub(crate) struct FinishForm {
    csrf: String,
    result: String,
}

/// `POST /reviews/{token}/finish`: records the result (BDC-32).
pub(crate) async fn finish(
    State(state): State<AppState>,
    staff: Staff,
    Path(token): Path<String>,
    Form(f): Form<FinishForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let c = finish_review(&state, &staff, &token, &f.result).await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/cameras/{}/review", c.id),
        "review-recorded",
    ))
    .into_response())
}

/// Records the result of the review granted by `token` (BDC-32); returns its camera.
pub(crate) async fn finish_review(
    state: &AppState,
    staff: &Staff,
    token: &str,
    result: &str,
) -> Result<Camera, WebError> {
    let (_, c) = grant(state, staff, token).await?;
    let actor = staff
        .require(
            state,
            Right::ReviewRecordings,
            &state.store.camera_target(&c).await?,
        )
        .await?;
    state
        .store
        .finish_review(&actor, token, &staff.session, result)
        .await?;
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(v: &str, len: u64) -> Option<Result<(u64, u64), ()>> {
        let mut h = HeaderMap::new();
        h.insert(header::RANGE, HeaderValue::from_str(v).expect("header"));
        byte_range(&h, len)
    }

    #[test]
    fn ranges_are_parsed_clamped_and_refused_without_overflowing() {
        assert_eq!(range("bytes=0-99", 1000), Some(Ok((0, 100))));
        assert_eq!(range("bytes=900-", 1000), Some(Ok((900, 1000))));
        assert_eq!(range("bytes=-100", 1000), Some(Ok((900, 1000))));
        assert_eq!(range("bytes=500-5000", 1000), Some(Ok((500, 1000))));
        // An end that cannot be made exclusive is not a range of this file: 416.
        assert_eq!(range(&format!("bytes=0-{}", u64::MAX), 1000), Some(Err(())));
        assert_eq!(range("bytes=1000-", 1000), Some(Err(())));
        assert_eq!(range("bytes=5-1", 1000), Some(Err(())));
        assert_eq!(range("bytes=x-1", 1000), Some(Err(())));
        assert_eq!(range("items=0-1", 1000), None);
    }
}
