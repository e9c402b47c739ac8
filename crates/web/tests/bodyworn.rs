//! Body-worn cameras on the web against a real store (LBU-24): a camera registered by a
//! keeper of the log (the school's pack is silent, so the lawful default keeps it), an
//! issue refused without the officer's acknowledgement, issued with it, a second issue of
//! the same camera refused, the camera out past the end of the shift shown in red, its
//! return, the log as CSV in the code's columns and a PDF, and the same through the API.

mod support;

use axum::http::StatusCode;
use custos_base::Clock as _;
use support::*;

/// Signs `name` (added by `person`) in again, with a fresh code.
async fn again(app: &App, name: &str) -> String {
    app.clock.advance_ms(30_000);
    let code = custos_domain::totp::code_at(&[9u8; 20], app.clock.now().0);
    app.sign_in_with(name, &code).await
}

/// LBU-24: the school's operator registers a camera and issues it for the day; without the
/// officer's tick and typed name the issue is refused and says why; the same camera cannot
/// go out twice; past the end of the shift it is red on the page; its return puts it back
/// in store; the auditor reads the log but may not write in it; the CSV has the code's
/// columns and the PDF is a PDF.
#[tokio::test]
async fn lbu_24_a_body_worn_camera_registered_issued_overdue_and_returned() {
    let app = app().await;
    let op = person(&app, "op1", "operator").await;
    let aud = app.sign_in("aud").await;
    let page = app.get("/bodyworn", Some(&op)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("id=\"no-devices\""), "{}", page.body);
    assert!(
        !page.body.contains("href=\"/bodyworn\""),
        "the school's pack does not state the book, so it is not in the navigation"
    );
    let csrf = App::csrf(&page.body);
    let r = app
        .send(
            "POST",
            "/bodyworn/devices",
            Some(&op),
            Some(&format!(
                "csrf={csrf}&id=bwv-07&serial=SN-44821&model=Reveal+D5&owner=Security+Services"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get("/bodyworn", Some(&op)).await;
    for words in [
        "<td>bwv-07</td><td>SN-44821</td><td>Reveal D5</td><td>Security Services</td><td>In store</td>",
        custos_domain::bodyworn::ACKNOWLEDGEMENT,
        "<input type=\"checkbox\" id=\"issue-acknowledged\"",
    ] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }

    let issue = |extra: &str| {
        format!("csrf={csrf}&device=bwv-07&officer=Sam+Officer&assignment=daily&at={extra}")
    };
    let r = app
        .send(
            "POST",
            "/bodyworn/issues",
            Some(&op),
            Some(&issue("&typed_name=Sam+Officer")),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("tick the acknowledgement"), "{}", r.body);
    let r = app
        .send(
            "POST",
            "/bodyworn/issues",
            Some(&aud),
            Some(&issue("&acknowledged=yes&typed_name=Sam+Officer")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "the auditor only reads");
    let r = app
        .send(
            "POST",
            "/bodyworn/issues",
            Some(&op),
            Some(&issue("&acknowledged=yes&typed_name=Sam+Officer")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app
        .send(
            "POST",
            "/bodyworn/issues",
            Some(&op),
            Some(&issue("&acknowledged=yes&typed_name=Sam+Officer")),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "out already");
    assert!(r.body.contains("is out to Sam Officer"), "{}", r.body);
    let page = app.get("/bodyworn", Some(&aud)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Out to Sam Officer since"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("class=\"red\""), "not overdue yet");
    assert!(
        !page.body.contains("id=\"bodyworn-issue-form\""),
        "reads only"
    );
    let reference = page
        .body
        .find("BWV-")
        .and_then(|at| page.body.get(at..at + 13))
        .unwrap_or_default()
        .to_owned();
    assert!(reference.starts_with("BWV-20"), "{reference}");

    // Past the end of the shift: red.
    app.clock.advance_ms(13 * 3_600_000);
    let op = again(&app, "op1").await;
    let page = app.get("/bodyworn", Some(&op)).await;
    assert!(
        page.body.contains("<tr class=\"red\"><td>bwv-07</td>"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("past the end of the shift"),
        "{}",
        page.body
    );
    let csrf = App::csrf(&page.body);
    let r = app
        .send(
            "POST",
            &format!("/bodyworn/issues/{reference}/return"),
            Some(&op),
            Some(&format!("csrf={csrf}&at=")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get("/bodyworn", Some(&op)).await;
    assert!(page.body.contains("<td>In store</td>"), "{}", page.body);
    assert!(!page.body.contains("class=\"red\""), "back");
    assert!(page.body.contains("id=\"none-out\""), "{}", page.body);

    // The log in the code's columns, and a PDF.
    let aud = app.sign_in("aud").await;
    let csv = app.get("/bodyworn.csv", Some(&aud)).await;
    assert_eq!(csv.status, StatusCode::OK);
    let header = csv.body.lines().next().unwrap_or_default().to_owned();
    assert_eq!(
        header.trim_start_matches('\u{feff}'),
        custos_domain::bodyworn::COLUMNS.join(",")
    );
    assert!(
        csv.body.contains(&reference) && csv.body.contains("Returned"),
        "{}",
        csv.body
    );
    let pdf = app.get_bytes("/bodyworn.pdf", Some(&aud)).await;
    assert!(pdf.2.starts_with(b"%PDF-"));
}

/// LBU-24: the same through the API — a camera registered, issue refused without the
/// acknowledgement, issued permanently, listed as out, returned, retired, and never
/// issued again.
#[tokio::test]
async fn lbu_24_body_worn_cameras_through_the_api() {
    let app = app().await;
    let sup = person(&app, "sup1", "supervisor").await;
    let r = app
        .api(
            "POST",
            "/api/v1/bodyworn/devices",
            Some(&sup),
            Some(r#"{"id":"bwv-01","serial":"SN-1","model":"Axon Body 4","owner":"Security"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let issue = |ack: bool| {
        format!(
            r#"{{"device":"bwv-01","officer":"Jo Patrol","assignment":"permanent","acknowledged":{ack},"acknowledged_by":"Jo Patrol"}}"#
        )
    };
    let r = app
        .api(
            "POST",
            "/api/v1/bodyworn/issues",
            Some(&sup),
            Some(&issue(false)),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = app
        .api(
            "POST",
            "/api/v1/bodyworn/issues",
            Some(&sup),
            Some(&issue(true)),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let made: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    let reference = made["reference"].as_str().expect("reference").to_owned();
    assert!(made["due_back"].is_null(), "assigned permanently: {made}");
    let r = app.api("GET", "/api/v1/bodyworn", Some(&sup), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let all: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(all["devices"][0]["standing"], "out", "{all}");
    assert_eq!(all["devices"][0]["out_under"], reference.as_str());
    assert_eq!(all["issues"][0]["acknowledged_by"], "Jo Patrol");
    let retire = "/api/v1/bodyworn/devices/bwv-01/retire";
    let r = app.api("POST", retire, Some(&sup), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "out: {}", r.body);
    let r = app
        .api(
            "POST",
            &format!("/api/v1/bodyworn/issues/{reference}/return"),
            Some(&sup),
            Some("{}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let back: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert!(back["returned"].is_string(), "{back}");
    let r = app.api("POST", retire, Some(&sup), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .api(
            "POST",
            "/api/v1/bodyworn/issues",
            Some(&sup),
            Some(&issue(true)),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "retired: {}", r.body);
    assert!(r.body.contains("retired"), "{}", r.body);
}
