//! The Complaints page: a year's complaints in figures, as a table, a chart and a CSV file
//! for the annual report (BDC-21), with the year's complaints listed and linked to their
//! cases.
//!
//! Invariants: read-only; the figures come from `domain::complaints` over the complaint
//! cases in the store, counted on the scheme's calendar, so the page, the chart and the
//! CSV always agree; read by those who read the logbooks, like the disclosure log.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use custos_base::UnixMs;
use custos_domain::access::{Right, Target};
use custos_domain::case::CaseKind;
use custos_domain::complaints::{ComplaintFacts, HEADINGS, YearFigures};
use custos_store::cases::Case;
use serde::Deserialize;

use crate::AppState;
use crate::auth::Staff;
use crate::charts::{BarChart, Colour, Series};
use crate::error::WebError;
use crate::pages::render;
use crate::staff::Banner;

/// `?year=YYYY`: the year shown; this year when absent.
#[derive(Debug, Deserialize)]
pub(crate) struct YearQuery {
    year: Option<i16>,
}

/// A complaint in the year's list.
struct Listed {
    reference: String,
    received: String,
    summary: String,
    state: String,
}

#[derive(Template)]
#[template(path = "complaints.html")]
struct ComplaintsPage {
    banner: Banner,
    year: i16,
    years: Vec<i16>,
    headings: &'static [&'static str],
    rows: Vec<Vec<String>>,
    total: Vec<String>,
    channels: Vec<(String, u32)>,
    chart: String,
    listed: Vec<Listed>,
}

/// The complaint cases and the year's figures over them.
async fn year_figures(state: &AppState, year: i16) -> Result<(YearFigures, Vec<Case>), WebError> {
    let Some(policy) = state.store.active_policy().await? else {
        return Err(WebError::AskManagers(
            "no policy pack is loaded, so there are no deadlines to count complaints against"
                .to_owned(),
        ));
    };
    let calendar = state
        .calendar(policy.pack.nation)
        .map_err(WebError::BadRequest)?;
    let complaints: Vec<Case> = state
        .store
        .cases(true)
        .await?
        .into_iter()
        .filter(|c| c.kind == CaseKind::Complaint)
        .collect();
    let facts: Vec<ComplaintFacts> = complaints
        .iter()
        .map(|c| ComplaintFacts {
            received_unix_ms: c.received_at_unix_ms,
            channel: c.channel.clone(),
            state: c.state,
            decision: c.decision.as_ref().map(|d| d.0),
            acknowledged_unix_ms: c.acknowledged_at_unix_ms,
            closed_unix_ms: c.closed_at_unix_ms,
            appeal: c.appeal.as_ref().map(|a| a.outcome.as_ref().map(|o| o.0)),
        })
        .collect();
    let figures = custos_domain::complaints::figures(
        year,
        &facts,
        &policy.pack,
        &calendar,
        state.store.clock().now().0,
    )
    .map_err(|e| WebError::BadRequest(e.to_string()))?;
    Ok((figures, complaints))
}

/// This year, in UK time.
fn this_year(state: &AppState) -> i16 {
    let now = state.store.clock().now().0;
    jiff::Timestamp::from_millisecond(now)
        .ok()
        .and_then(|t| {
            custos_domain::calendar::uk_time_zone()
                .ok()
                .map(|tz| t.to_zoned(tz).year())
        })
        .unwrap_or(2026)
}

fn year_of(ms: i64) -> Option<i16> {
    let tz = custos_domain::calendar::uk_time_zone().ok()?;
    Some(
        jiff::Timestamp::from_millisecond(ms)
            .ok()?
            .to_zoned(tz)
            .year(),
    )
}

/// `GET /complaints`
pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    staff
        .require(&state, Right::ReadLogbooks, &Target::Scheme)
        .await?;
    let now_year = this_year(&state);
    let year = q.year.unwrap_or(now_year);
    let (f, complaints) = year_figures(&state, year).await?;
    let mut years: Vec<i16> = complaints
        .iter()
        .filter_map(|c| year_of(c.received_at_unix_ms))
        .chain([now_year, year])
        .collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let chart = BarChart {
        id: "chart-complaints".to_owned(),
        title: format!("Complaints received in {year}, by how they ended"),
        caption: "Complaints by the month they were received: upheld, partly upheld, not upheld, refused (raised too late and not accepted), or still open.".to_owned(),
        category_label: "Month received".to_owned(),
        value_label: "Complaints".to_owned(),
        categories: crate::start::MONTHS
            .iter()
            .map(|m| format!("{m} {year}"))
            .collect(),
        series: vec![
            Series {
                name: "Upheld".to_owned(),
                colour: Colour::Green,
            },
            Series {
                name: "Partly upheld".to_owned(),
                colour: Colour::Blue,
            },
            Series {
                name: "Not upheld".to_owned(),
                colour: Colour::Grey,
            },
            Series {
                name: "Refused or still open".to_owned(),
                colour: Colour::Red,
            },
        ],
        values: f
            .months
            .iter()
            .map(|m| {
                vec![
                    u64::from(m.upheld),
                    u64::from(m.partly_upheld),
                    u64::from(m.not_upheld),
                    u64::from(m.refused + m.open),
                ]
            })
            .collect(),
        stacked: true,
        axis_max: None,
        empty: format!("No complaint was received in {year}."),
    };
    let listed = complaints
        .iter()
        .filter(|c| year_of(c.received_at_unix_ms) == Some(year))
        .map(|c| Listed {
            reference: c.reference.clone(),
            received: UnixMs(c.received_at_unix_ms).to_london_long(),
            summary: c.summary.clone(),
            state: crate::staff::capitalise(c.state.describe()),
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &ComplaintsPage {
            banner: Banner::load(&state, &staff).await?,
            year,
            years,
            headings: &HEADINGS,
            rows: f.months.iter().map(|m| m.cells()).collect(),
            total: f.total.cells(),
            channels: f.channels.clone(),
            chart: chart.html(),
            listed,
        },
    ))
}

/// `GET /complaints.csv?year=`: the year's figures as a CSV file.
pub(crate) async fn csv(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    staff
        .require(&state, Right::ReadLogbooks, &Target::Scheme)
        .await?;
    let year = q.year.unwrap_or_else(|| this_year(&state));
    let (f, _) = year_figures(&state, year).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"custos-complaints-{year}.csv\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        custos_domain::complaints::csv(&f),
    )
        .into_response())
}
