//! The control-room visitors' log on the web against a real store (LBU-12, BDC-23, BDC-7,
//! BDC-18), under Bassetlaw's pack (operators, supervisors and managers keep it; only the
//! supervisor countersigns): a visitor entered with the undertaking accepted on screen or
//! on paper, their time out and a correction; the countersignature by a supervisor other
//! than who recorded the visit, and the visits awaiting it on the supervisor's Start page;
//! the log as CSV and PDF in the codes' columns; and the same through the API.

mod support;

use axum::http::StatusCode;
use custos_base::Clock as _;
use support::*;

const BASSETLAW: &str = include_str!("../../../policies/bassetlaw-district-council.toml");
const UNDERTAKING: &str = "I will treat any viewed or written material in the CCTV control, monitoring and recording facility as strictly confidential";

/// The app under Bassetlaw's pack, with people in `roles` signed in: their tokens.
async fn bassetlaw(roles: &[(&str, &str)]) -> (App, Vec<String>) {
    let app = app().await;
    app.store
        .load_policy(&console(), BASSETLAW)
        .await
        .expect("pack");
    let mut tokens = Vec::new();
    for (name, role) in roles {
        tokens.push(person(&app, name, role).await);
    }
    (app, tokens)
}

/// Enters a visitor as `token`, accepted on screen when `accept`: the reply.
async fn arrive(app: &App, token: &str, name: &str, accept: bool) -> Reply {
    let page = app.get("/visitors", Some(token)).await;
    let csrf = App::csrf(&page.body);
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("name", name),
        ("organisation", "Nottinghamshire Police"),
        ("purpose", "Liaison visit"),
        ("authorised_by", "Sam Super"),
        ("authoriser_role", "CCTV supervisor"),
        ("time_in", ""),
        ("how", "on-screen"),
        ("typed_name", name),
    ];
    if accept {
        fields.push(("accept", "yes"));
    }
    app.send_multipart(
        "/visitors",
        token,
        &fields,
        ("scan", "", "application/octet-stream", b""),
    )
    .await
}

/// Signs `name` (added by `person`) in again, with a fresh code.
async fn again(app: &App, name: &str) -> String {
    app.clock.advance_ms(30_000);
    let code = custos_domain::totp::code_at(&[9u8; 20], app.clock.now().0);
    app.sign_in_with(name, &code).await
}

fn reference_of(location: &str) -> String {
    location
        .trim_start_matches("/visitors/")
        .split(['?', '#'])
        .next()
        .expect("a reference")
        .to_owned()
}

/// LBU-12, BDC-23, BDC-7: an operator enters a visitor with the pack's undertaking shown;
/// without it accepted the visit is refused; accepted on screen (ticked, the name typed)
/// or on paper (the scan kept and downloaded back whole), the visit is in the log; the time
/// out and a correction (a new entry, with its reason) follow; someone whose role neither
/// keeps nor reads the log is refused, and an auditor reads it without the arrival form.
#[tokio::test]
async fn lbu_12_a_visitor_is_entered_with_the_undertaking_accepted_on_screen_or_on_paper() {
    let (app, t) = bassetlaw(&[("vop", "operator"), ("view", "viewer")]).await;
    let (op, viewer) = (&t[0], &t[1]);
    let page = app.get("/visitors", Some(op)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for words in [UNDERTAKING, "id=\"visitor-arrival\"", ">Visitors</a>"] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }
    let refused = arrive(&app, op, "Ann Other", false).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(refused.body.contains("not accepted"), "{}", refused.body);

    let r = arrive(&app, op, "Ann Other", true).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let reference = reference_of(r.location());
    assert_eq!(reference, "VIS-2026-0001");
    let path = format!("/visitors/{reference}");
    let visit = app.get(&path, Some(op)).await;
    for words in [
        "Ann Other",
        "Nottinghamshire Police",
        "Sam Super (CCTV supervisor)",
        "on screen",
    ] {
        assert!(visit.body.contains(words), "{words}: {}", visit.body);
    }
    assert!(!visit.body.contains("user:"), "no internal ids");

    // On paper: the scan is kept, and downloads back as it was.
    let csrf = App::csrf(&visit.body);
    let scan = b"%PDF-1.4 the undertaking signed by Bob";
    let r = app
        .send_multipart(
            "/visitors",
            op,
            &[
                ("csrf", &csrf),
                ("name", "Bob Visitor"),
                ("organisation", "Highways"),
                ("purpose", "Camera survey"),
                ("authorised_by", "Sam Super"),
                ("authoriser_role", "CCTV supervisor"),
                ("how", "on-paper"),
            ],
            ("scan", "signed.pdf", "application/pdf", scan),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let paper = reference_of(r.location());
    let (status, _, bytes) = app
        .get_bytes(&format!("/visitors/{paper}/undertaking"), Some(op))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, scan);

    // The time out, then a correction.
    let r = app
        .send(
            "POST",
            &format!("{path}/left"),
            Some(op),
            Some(&format!("csrf={csrf}&time_out=")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app
        .send(
            "POST",
            &format!("{path}/correct"),
            Some(op),
            Some(&format!(
                "csrf={csrf}&field=organisation&value=Bassetlaw+District+Council&reason=Wrote+the+wrong+organisation"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let visit = app.get(&path, Some(op)).await;
    for words in [
        "Bassetlaw District Council",
        "corrected from “Nottinghamshire Police” to “Bassetlaw District Council”",
        "Wrote the wrong organisation",
    ] {
        assert!(visit.body.contains(words), "{words}: {}", visit.body);
    }
    let kinds: Vec<String> = app
        .store
        .ledger_entries(&custos_store::LedgerQuery {
            reference: Some(format!("visit:{reference}")),
            ..Default::default()
        })
        .await
        .expect("entries")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        ["visitor-arrived", "visitor-left", "visit-corrected"]
    );

    // A viewer neither keeps nor reads it; the auditor reads it, without the form.
    assert_eq!(
        app.get("/visitors", Some(viewer)).await.status,
        StatusCode::FORBIDDEN
    );
    let aud = person(&app, "aud2", "auditor").await;
    let page = app.get("/visitors", Some(&aud)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(&reference), "{}", page.body);
    assert!(
        !page.body.contains("id=\"visitor-arrival\""),
        "{}",
        page.body
    );
    let r = arrive(&app, &aud, "Eve", true).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

/// BDC-18: a visit not countersigned by the end of the shift (12 hours after the visitor
/// came in) shows on the Start page of a supervisor, who countersigns it here, and not on
/// an operator's; an operator or a manager may not countersign under Bassetlaw's pack, nor
/// a supervisor a visit they recorded themselves.
#[tokio::test]
async fn bdc_18_a_supervisor_countersigns_and_overdue_visits_show_on_their_start_page() {
    let (app, t) = bassetlaw(&[
        ("vop", "operator"),
        ("sup", "supervisor"),
        ("mgr", "manager"),
        ("sup2", "supervisor"),
    ])
    .await;
    let r = arrive(&app, &t[0], "Ann Other", true).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let path = format!("/visitors/{}", reference_of(r.location()));
    let start = app.get("/start", Some(&t[1])).await;
    assert!(
        !start.body.contains("todo-visits-countersign"),
        "not yet overdue"
    );

    app.clock.advance_ms(12 * 3_600_000 + 60_000);
    // Their sessions have locked while idle: each signs in again.
    let mut t = Vec::new();
    for name in ["vop", "sup", "mgr", "sup2"] {
        t.push(again(&app, name).await);
    }
    let (op, sup, mgr, sup2) = (&t[0], &t[1], &t[2], &t[3]);
    let start = app.get("/start", Some(sup)).await;
    assert!(
        start.body.contains("id=\"todo-visits-countersign\"")
            && start.body.contains("VIS-2026-0001")
            && start.body.contains("href=\"/visitors\""),
        "{}",
        start.body
    );
    let start = app.get("/start", Some(op)).await;
    assert!(
        !start.body.contains("todo-visits-countersign"),
        "{}",
        start.body
    );

    let page = app.get(&path, Some(op)).await;
    assert!(
        !page.body.contains("id=\"visit-countersign\""),
        "{}",
        page.body
    );
    for (token, who) in [(op, "operator"), (mgr, "manager")] {
        let csrf = App::csrf(&app.get("/start", Some(token)).await.body);
        let r = app
            .send(
                "POST",
                &format!("{path}/countersign"),
                Some(token),
                Some(&format!("csrf={csrf}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}: {}", r.body);
        assert!(r.body.contains("supervisor"), "{who}: {}", r.body);
    }

    // A supervisor may not countersign what they recorded.
    let own = arrive(&app, sup2, "Carl Caller", true).await;
    let own_path = format!("/visitors/{}", reference_of(own.location()));
    let page = app.get(&own_path, Some(sup2)).await;
    assert!(
        page.body.contains("id=\"countersign-why-not\""),
        "{}",
        page.body
    );
    let csrf = App::csrf(&page.body);
    let r = app
        .send(
            "POST",
            &format!("{own_path}/countersign"),
            Some(sup2),
            Some(&format!("csrf={csrf}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    let page = app.get(&path, Some(sup)).await;
    assert!(
        page.body.contains("id=\"visit-countersign\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("id=\"visit-overdue\""), "{}", page.body);
    let csrf = App::csrf(&page.body);
    let r = app
        .send(
            "POST",
            &format!("{path}/countersign"),
            Some(sup),
            Some(&format!("csrf={csrf}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&path, Some(sup)).await;
    assert!(
        page.body.contains("Person sup (supervisor)"),
        "{}",
        page.body
    );
    let start = app.get("/start", Some(sup)).await;
    assert!(
        !start.body.contains("todo-visits-countersign"),
        "{}",
        start.body
    );
}

/// `pdf` checked with `qpdf --check` and read with `pdftotext`, one space between words.
fn pdf_text(app: &App, pdf: &[u8]) -> String {
    use std::process::Command;
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let file = app.dir.path().join("visitors.pdf");
    std::fs::write(&file, pdf).expect("write");
    let check = Command::new("qpdf")
        .arg("--check")
        .arg(&file)
        .output()
        .expect("qpdf is installed (scripts/test installs it)");
    assert!(check.status.success(), "{check:?}");
    let text = Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext is installed (scripts/test installs poppler-utils)");
    assert!(text.status.success(), "{text:?}");
    String::from_utf8_lossy(&text.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// LBU-12, BDC-23, BDC-18: the log downloads as CSV whose header is exactly the columns the
/// codes name, and as a PDF that `qpdf` accepts, with every visit and every column.
#[tokio::test]
async fn bdc_23_the_log_downloads_as_csv_and_pdf_in_the_codes_columns() {
    let (app, t) = bassetlaw(&[("vop", "operator")]).await;
    let op = &t[0];
    let r = arrive(&app, op, "Ann Other", true).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let csv = app.get("/visitors.csv", Some(op)).await;
    assert_eq!(csv.status, StatusCode::OK);
    let header = csv.body.lines().next().expect("header");
    assert_eq!(
        header,
        "Reference,Date,Name,Organisation or department,Purpose,Authorised by,Time in,Time out,Undertaking accepted,Countersigned by,Countersigned at,Corrections"
    );
    let row = csv.body.lines().nth(1).expect("a row");
    for cell in [
        "VIS-2026-0001",
        "Ann Other",
        "Sam Super (CCTV supervisor)",
        "on screen",
    ] {
        assert!(row.contains(cell), "{cell}: {row}");
    }
    let (status, headers, pdf) = app.get_bytes("/visitors.pdf", Some(op)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/pdf");
    let text = pdf_text(&app, &pdf);
    for words in [
        "Control-room visitors",
        "VIS-2026-0001",
        "Name: Ann Other",
        "Authorised by: Sam Super (CCTV supervisor)",
        "Countersigned by:",
        "strictly confidential",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
}

/// LBU-12, BDC-18 through the API: a visit recorded with the undertaking accepted, its time
/// out, a countersignature refused to an operator and given by a supervisor.
#[tokio::test]
async fn lbu_12_the_api_records_a_visit_and_its_steps() {
    let (app, t) = bassetlaw(&[("vop", "operator"), ("sup", "supervisor")]).await;
    let (op, sup) = (&t[0], &t[1]);
    let r = app
        .api(
            "POST",
            "/api/v1/visitors",
            Some(op),
            Some(r#"{"name":"Ann Other","organisation":"Notts Police","purpose":"Liaison","authorised_by":"Sam Super","authoriser_role":"Supervisor","accepted":false,"typed_name":"Ann Other"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = app
        .api(
            "POST",
            "/api/v1/visitors",
            Some(op),
            Some(r#"{"name":"Ann Other","organisation":"Notts Police","purpose":"Liaison","authorised_by":"Sam Super","authoriser_role":"Supervisor","accepted":true,"typed_name":"Ann Other"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(v["reference"], "VIS-2026-0001");
    assert_eq!(v["undertaking"]["how"], "on-screen");
    let steps = "/api/v1/visitors/VIS-2026-0001/steps";
    let r = app
        .api("POST", steps, Some(op), Some(r#"{"step":"leave"}"#))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .api("POST", steps, Some(op), Some(r#"{"step":"countersign"}"#))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app
        .api("POST", steps, Some(sup), Some(r#"{"step":"countersign"}"#))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(v["countersigned"]["role"], "supervisor");
    let r = app.api("GET", "/api/v1/visitors", Some(sup), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("VIS-2026-0001"), "{}", r.body);
}
