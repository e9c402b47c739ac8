//! Police control of the control room on the web against a real store (BDC-25): a request
//! recorded on the Cases page, agreed on its page only by a role of the pack's
//! `[authorise.police_control]`, the live page's banner on the cameras affected while the
//! period runs, the running period on the Start page, and both gone after the hand-back.

mod support;

use axum::http::StatusCode;
use support::*;

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn post(app: &App, cookie: &str, path: &str, fields: &[(&str, &str)]) -> Reply {
    let page = app.get("/start", Some(cookie)).await;
    let csrf = App::csrf(&page.body);
    let mut all = vec![format!("csrf={}", enc(&csrf))];
    all.extend(fields.iter().map(|(k, v)| format!("{k}={}", enc(v))));
    app.send("POST", path, Some(cookie), Some(&all.join("&")))
        .await
}

/// The school's pack, which (like the school's code) forbids police control, changed to let
/// the owner agree to it.
fn pack_allowing_police_control() -> String {
    let from = "control of the system (lawful default).\nallowed = false";
    assert!(
        SCHOOL.contains(from),
        "the school's pack forbids police control"
    );
    SCHOOL.replacen(
        from,
        "control of the system (lawful default).\nroles = [\"owner\"]",
        1,
    )
}

/// BDC-25: where the code forbids it, the Cases page says so and offers no form; where it
/// allows it, a manager records an Inspector's written request for partial control of the
/// front gate; the manager cannot agree, the owner does; while control runs the live page
/// shows the police banner on the front gate's tile only and the Start page of those who
/// work such cases shows the running period; after the hand-back both are gone.
#[tokio::test]
async fn bdc_25_the_live_page_shows_police_control_on_the_affected_cameras_while_it_runs() {
    let app = app().await;
    let mgr = person(&app, "mgr", "manager").await;
    let cases = app.get("/cases", Some(&mgr)).await;
    assert!(
        cases.body.contains("id=\"police-control-refused\""),
        "{}",
        cases.body
    );
    assert!(!cases.body.contains("id=\"open-police-control\""));

    app.store
        .load_policy(&console(), &pack_allowing_police_control())
        .await
        .expect("load");
    add_front_gate(&app).await;
    add_yard(&app).await;
    let boss = person(&app, "boss", "owner").await;
    let op = app.sign_in("op").await;

    let cases = app.get("/cases", Some(&mgr)).await;
    assert!(
        cases.body.contains("id=\"open-police-control\""),
        "{}",
        cases.body
    );
    let r = post(
        &app,
        &mgr,
        "/police-control",
        &[
            ("summary", "Market day public order operation"),
            ("officer_name", "Jane Doe"),
            ("rank", "sergeant"),
            ("number", "4821"),
            ("force", "Nottinghamshire Police"),
            ("control", "partial"),
            ("cameras", "front-gate"),
            ("reason", "Public order operation at the market"),
            (
                "written",
                "Please give us control of the front gate camera. Insp J Doe",
            ),
        ],
    )
    .await;
    assert_ne!(r.status, StatusCode::SEE_OTHER, "a Sergeant is too junior");
    assert!(r.body.contains("too junior"), "{}", r.body);
    let r = post(
        &app,
        &mgr,
        "/police-control",
        &[
            ("summary", "Market day public order operation"),
            ("officer_name", "Jane Doe"),
            ("rank", "inspector"),
            ("number", "4821"),
            ("force", "Nottinghamshire Police"),
            ("control", "partial"),
            ("cameras", "front-gate"),
            ("reason", "Public order operation at the market"),
            (
                "written",
                "Please give us control of the front gate camera. Insp J Doe",
            ),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location().starts_with("/cases/POL-"), "{}", r.location());
    let path = r.location_path().to_owned();
    let page = app.get(&path, Some(&mgr)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for words in [
        "Police control of the control room",
        "Inspector Jane Doe",
        "Nottinghamshire Police",
        "Partial control",
        "Front gate",
        "id=\"police-control-agree\"",
        "written-request.txt",
    ] {
        assert!(page.body.contains(words), "{words} in {}", page.body);
    }
    assert!(!page.body.contains("id=\"case-step\""), "no generic steps");

    let live = app.get("/live", Some(&op)).await;
    assert_eq!(live.status, StatusCode::OK, "{}", live.body);
    assert!(!live.body.contains("-police\""), "no control yet");

    let step = format!("{path}/police-control");
    let r = post(&app, &mgr, &step, &[("step", "agree")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = post(&app, &boss, &step, &[("step", "agree")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    let live = app.get("/live", Some(&op)).await;
    assert!(
        live.body.contains("id=\"live-front-gate-police\""),
        "{}",
        live.body
    );
    assert!(live.body.contains("Police have partial control since"));
    assert!(
        !live.body.contains("id=\"live-yard-police\""),
        "the yard is not affected"
    );
    let start = app.get("/start", Some(&mgr)).await;
    assert!(start.body.contains("todo-police-control"), "{}", start.body);
    assert!(start.body.contains("The police have partial control since"));

    app.clock.advance_ms(60_000);
    let r = post(&app, &mgr, &step, &[("step", "hand-back")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let live = app.get("/live", Some(&op)).await;
    assert!(!live.body.contains("-police\""), "{}", live.body);
    let start = app.get("/start", Some(&mgr)).await;
    assert!(!start.body.contains("todo-police-control"));
    let page = app.get(&path, Some(&mgr)).await;
    assert!(
        page.body.contains("Control was handed back"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("user:"), "no internal ids");
}

/// BDC-25: a request is agreed to only once its written request is kept with it, labelled
/// as such — one recorded without it (through the store) shows "Not kept yet" and the form
/// that keeps a scan or an e-mail file; agreement is refused before, and an ordinary
/// attachment does not count.
#[tokio::test]
async fn bdc_25_agreement_waits_for_the_written_request_kept_from_its_page() {
    use custos_domain::police_control::{ControlType, Draft, Officer, PoliceRank};
    let app = app().await;
    app.store
        .load_policy(&console(), &pack_allowing_police_control())
        .await
        .expect("load");
    add_front_gate(&app).await;
    let mgr = person(&app, "mgr", "manager").await;
    let boss = person(&app, "boss", "owner").await;
    let now = app.store.clock().now().0;
    let case = app
        .store
        .open_police_control(
            &console(),
            None,
            &custos_store::police_control::NewPoliceControl {
                draft: Draft {
                    officer: Officer {
                        name: "Jane Doe".to_owned(),
                        rank: PoliceRank::Inspector,
                        number: "4821".to_owned(),
                        force: "Nottinghamshire Police".to_owned(),
                    },
                    control: ControlType::Partial,
                    cameras: vec![custos_domain::Ident::parse("front-gate").expect("id")],
                    reason: "Public order operation at the market".to_owned(),
                    requested_at_unix_ms: now,
                },
                summary: "Market day public order operation".to_owned(),
                written: None,
            },
        )
        .await
        .expect("open");
    let path = format!("/cases/{}", case.reference);
    let page = app.get(&path, Some(&mgr)).await;
    assert!(page.body.contains("Not kept yet"), "{}", page.body);
    assert!(
        page.body.contains("id=\"police-control-written\""),
        "{}",
        page.body
    );
    let agree = post(
        &app,
        &boss,
        &format!("{path}/police-control"),
        &[("step", "agree")],
    )
    .await;
    assert_ne!(
        agree.status,
        StatusCode::SEE_OTHER,
        "no written request yet"
    );
    assert!(
        agree.body.contains("Keep the written request"),
        "{}",
        agree.body
    );

    let upload = |kind: &'static str| {
        let (app, mgr, path) = (&app, mgr.clone(), path.clone());
        async move {
            let page = app.get(&path, Some(&mgr)).await;
            let csrf = App::csrf(&page.body);
            app.send_multipart(
                &format!("{path}/documents"),
                &mgr,
                &[("csrf", &csrf), ("kind", kind)],
                (
                    "file",
                    "request.eml",
                    "message/rfc822",
                    b"From: Insp J Doe\r\n\r\nPlease give us control of the front gate camera.",
                ),
            )
            .await
        }
    };
    let r = upload("").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let agree = post(
        &app,
        &boss,
        &format!("{path}/police-control"),
        &[("step", "agree")],
    )
    .await;
    assert_ne!(
        agree.status,
        StatusCode::SEE_OTHER,
        "an ordinary attachment does not count"
    );

    let r = upload("police-written-request").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&path, Some(&mgr)).await;
    assert!(!page.body.contains("Not kept yet"), "{}", page.body);
    assert!(page.body.contains("request.eml, kept"), "{}", page.body);
    let agree = post(
        &app,
        &boss,
        &format!("{path}/police-control"),
        &[("step", "agree")],
    )
    .await;
    assert_eq!(agree.status, StatusCode::SEE_OTHER, "{}", agree.body);
    let docs = app
        .store
        .case_documents(&case.reference)
        .await
        .expect("docs");
    assert_eq!(
        docs.iter()
            .filter(|d| d.kind.as_deref() == Some(custos_store::police_control::WRITTEN_REQUEST))
            .count(),
        1
    );
}
