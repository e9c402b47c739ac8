//! `/metrics`: each camera stream's figures in the Prometheus text format (LBU-16), for the
//! scheme's monitoring.
//!
//! Invariants: served only to client networks listed in `web.metrics_from` (loopback by
//! default), since camera names and their states say where the scheme watches; the figures
//! are the recorder's, read from the store; nothing here shows footage.

use std::fmt::Write as _;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::client::ClientAddr;
use crate::error::WebError;

fn label(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// `GET /metrics`
pub(crate) async fn metrics(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
) -> Result<Response, WebError> {
    if !state.metrics_from.iter().any(|n| n.contains(client)) {
        return Err(WebError::Forbidden(format!(
            "the metrics are served only to the networks in web.metrics_from, and this request comes from {client}"
        )));
    }
    let health = state.store.health().await?;
    let faults = state.store.open_faults().await?;
    let mut out = String::new();
    let families: [(&str, &str, &str); 7] = [
        (
            "custos_camera_up",
            "gauge",
            "1 while the camera stream is recording, else 0.",
        ),
        (
            "custos_camera_frames_per_second",
            "gauge",
            "Frames received per second, over the last few seconds.",
        ),
        (
            "custos_camera_bitrate_bits_per_second",
            "gauge",
            "Bits received per second, over the last few seconds.",
        ),
        (
            "custos_camera_last_frame_timestamp_seconds",
            "gauge",
            "When the last frame arrived (seconds since 1970).",
        ),
        (
            "custos_camera_reconnects_total",
            "counter",
            "Reconnections since the recorder started.",
        ),
        (
            "custos_camera_clock_drift_seconds",
            "gauge",
            "The last measured difference between camera time and server time.",
        ),
        (
            "custos_camera_fault_open",
            "gauge",
            "1 while the camera has an open fault in the maintenance log.",
        ),
    ];
    for (name, kind, help) in families {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} {kind}");
        for h in &health {
            let labels = format!(
                "camera=\"{}\",stream=\"{}\"",
                label(h.camera.as_str()),
                label(&h.stream)
            );
            let value = match name {
                "custos_camera_up" => f64::from(u8::from(h.state == "recording")),
                "custos_camera_frames_per_second" => h.frames_per_s_milli as f64 / 1000.0,
                "custos_camera_bitrate_bits_per_second" => h.bitrate_bps as f64,
                "custos_camera_last_frame_timestamp_seconds" => {
                    h.last_frame_unix_ms.map_or(0.0, |t| t as f64 / 1000.0)
                }
                "custos_camera_reconnects_total" => h.reconnects as f64,
                "custos_camera_clock_drift_seconds" => h.drift_ms as f64 / 1000.0,
                _ => f64::from(u8::from(faults.iter().any(|(c, _, _)| *c == h.camera))),
            };
            let _ = writeln!(out, "{name}{{{labels}}} {value}");
        }
    }
    let paused = state.store.paused_cameras().await?;
    let _ = writeln!(
        out,
        "# HELP custos_camera_recording_paused 1 while the camera's recording is paused because the footage disk is full of held footage."
    );
    let _ = writeln!(out, "# TYPE custos_camera_recording_paused gauge");
    for (camera, _, _) in &paused {
        let _ = writeln!(
            out,
            "custos_camera_recording_paused{{camera=\"{}\"}} 1",
            label(camera.as_str())
        );
    }
    if let Some(e) = state.store.last_sweep().await? {
        let _ = writeln!(
            out,
            "# HELP custos_retention_last_sweep_timestamp_seconds When the last retention sweep finished (seconds since 1970)."
        );
        let _ = writeln!(
            out,
            "# TYPE custos_retention_last_sweep_timestamp_seconds gauge"
        );
        let _ = writeln!(
            out,
            "custos_retention_last_sweep_timestamp_seconds {}",
            e.at_unix_ms as f64 / 1000.0
        );
    }
    Ok((
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response())
}
