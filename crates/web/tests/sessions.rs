//! Sessions end everywhere they are used: a live stream of a real (simulated) camera over
//! RTSP ends within seconds of its session being signed out, signed out everywhere,
//! disabled, losing its role or locking when idle; viewers of one camera share one RTSP
//! session; one person holds a bounded number of streams.

mod support;

use std::time::Duration;

use axum::body::Body;
use axum::http::StatusCode;
use custos_domain::Ident;
use custos_domain::access::{Assignment, Scope, Username};
use http_body_util::BodyExt;
use support::*;

/// A simulated camera served over RTSP on loopback until the returned sender is dropped.
async fn simulated_camera() -> (String, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listen");
    let addr = listener.local_addr().expect("addr");
    let config = custos_media::simcam::SimCamConfig {
        cameras: 1,
        width: 160,
        height: 96,
        fps: 10,
        gop_frames: 10,
    };
    let url = config.urls(addr)[0].clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(custos_media::simcam::serve(listener, config, async move {
        let _ = stopped.await;
    }));
    (url, stop)
}

/// An app with the front gate camera on a simulated camera.
async fn app_with_camera() -> (App, tokio::sync::oneshot::Sender<()>) {
    let app = app().await;
    let (url, stop) = simulated_camera().await;
    add_front_gate_at(&app, &url).await;
    (app, stop)
}

/// Opens the front gate's live stream for `token` and reads its first bytes.
async fn watch(app: &App, token: &str) -> Body {
    let (status, mut body) = app.open_stream("/live/front-gate/stream.mp4", token).await;
    assert_eq!(status, StatusCode::OK);
    let first = tokio::time::timeout(Duration::from_secs(15), body.frame())
        .await
        .expect("the stream starts")
        .expect("a first chunk")
        .expect("no error");
    assert!(first.is_data());
    body
}

/// Reads `body` until it ends; panics if it is still flowing after `within`. Returns the
/// bytes read.
async fn ends_within(body: &mut Body, within: Duration) -> usize {
    let deadline = tokio::time::Instant::now() + within;
    let mut read = 0;
    loop {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => panic!("the stream still flows {within:?} later ({read} bytes since)"),
            Ok(None) | Ok(Some(Err(_))) => return read,
            Ok(Some(Ok(f))) => read += f.data_ref().map_or(0, |d| d.len()),
        }
    }
}

/// Reads `body` for `for_` and checks that it keeps flowing.
async fn flows_for(body: &mut Body, for_: Duration) {
    let deadline = tokio::time::Instant::now() + for_;
    let mut read = 0;
    loop {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => break,
            Ok(Some(Ok(f))) => read += f.data_ref().map_or(0, |d| d.len()),
            Ok(other) => panic!("the stream ended by itself: {other:?}"),
        }
    }
    assert!(read > 0, "nothing arrived in {for_:?}");
}

const SOON: Duration = Duration::from_secs(6);

/// A live stream ends within seconds of signing out, of "sign out everywhere" on another
/// computer, of the account being disabled, of the role being revoked, and of the screen
/// locking after the idle limit; until then it flows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lbu_14_live_streams_end_with_their_session() {
    let (app, _camera) = app_with_camera().await;
    let op = Username::parse("op").expect("name");

    // Signing out.
    let token = app.sign_in("op").await;
    let mut stream = watch(&app, &token).await;
    flows_for(&mut stream, Duration::from_secs(3)).await;
    let csrf = App::csrf(&app.get("/start", Some(&token)).await.body);
    let r = app
        .send(
            "POST",
            "/logout",
            Some(&token),
            Some(&format!("csrf={csrf}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    ends_within(&mut stream, SOON).await;

    // Signing out everywhere, from another computer.
    let token = app.sign_in("op").await;
    let other = app.sign_in("op").await;
    let mut stream = watch(&app, &token).await;
    let csrf = App::csrf(&app.get("/start", Some(&other)).await.body);
    let r = app
        .send(
            "POST",
            "/logout/everywhere",
            Some(&other),
            Some(&format!("csrf={csrf}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    ends_within(&mut stream, SOON).await;

    // The account disabled.
    let token = app.sign_in("op").await;
    let mut stream = watch(&app, &token).await;
    app.store
        .set_user_disabled(&console(), &op, true, "left the school")
        .await
        .expect("disable");
    ends_within(&mut stream, SOON).await;
    app.store
        .set_user_disabled(&console(), &op, false, "came back")
        .await
        .expect("enable");

    // The role revoked (the account stays).
    let token = app.sign_in("op").await;
    let mut stream = watch(&app, &token).await;
    let operator = Assignment {
        role: Ident::parse("operator").expect("role"),
        scope: Scope::Scheme,
    };
    app.store
        .revoke_role(&console(), &op, &operator)
        .await
        .expect("revoke");
    ends_within(&mut stream, SOON).await;
    app.store
        .grant_role(&console(), &op, &operator)
        .await
        .expect("grant");

    // The idle lock: no request from the person for longer than the pack's limit. The
    // stream itself is not activity, so it does not keep the screen unlocked.
    let token = app.sign_in("op").await;
    let mut stream = watch(&app, &token).await;
    flows_for(&mut stream, Duration::from_secs(3)).await;
    app.clock.advance_ms(6 * 60_000);
    ends_within(&mut stream, SOON).await;
    let r = app.get("/start", Some(&token)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "the lock screen");
    assert!(r.body.contains("Screen locked"), "{}", r.body);
    let state = app.get("/session/state", Some(&token)).await;
    assert_eq!(state.body, r#"{"state":"locked"}"#);
}

/// The viewers of one camera share one RTSP session to it, opened for the first and
/// closed after the last; one person may hold only the configured number of streams.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewers_share_one_camera_session_and_each_holds_a_bounded_number() {
    let (mut app, _camera) = app_with_camera().await;
    app.live = custos_web::live::LiveHub::new(2);
    let op = app.sign_in("op").await;
    let aud = person(&app, "watcher", "operator").await;
    let mut first = watch(&app, &op).await;
    let mut second = watch(&app, &aud).await;
    assert_eq!(app.live.sessions_open(), 1, "one session for two viewers");
    flows_for(&mut first, Duration::from_secs(1)).await;
    flows_for(&mut second, Duration::from_secs(1)).await;

    let third = watch(&app, &op).await;
    let (status, _) = app.open_stream("/live/front-gate/stream.mp4", &op).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "two streams each");
    drop(third);
    let again = watch(&app, &op).await;

    drop((first, second, again));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while app.live.sessions_open() > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        app.live.sessions_open(),
        0,
        "the session closes after the last viewer"
    );
}
