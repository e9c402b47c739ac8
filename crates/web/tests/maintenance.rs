//! The faults and maintenance log on the web against a real store (LBU-16, BDC-19, ALT-15,
//! SCC-8, BDC-18), under the school's pack (the manager and the headteacher keep it; checks
//! weekly; the contractor answers within 48 hours and fixes within 120): a check recorded on
//! the Maintenance page, a failed item reporting a fault, the contractor called, responding
//! and fixing it with its times amber then red, a correction, each camera's next check and
//! its availability in a table and a chart, the log as CSV and PDF in the codes' columns,
//! and the same through the API.

mod support;

use axum::http::StatusCode;
use custos_base::Clock as _;
use support::*;

const HOUR_MS: i64 = 3_600_000;

/// Signs `name` (added by `person`) in again, with a fresh code: sessions lock when idle.
async fn again(app: &App, name: &str) -> String {
    app.clock.advance_ms(30_000);
    let code = custos_domain::totp::code_at(&[9u8; 20], app.clock.now().0);
    app.sign_in_with(name, &code).await
}

/// The form that records a check of `camera`: every item passed but those in `failed`,
/// each with the note "blurred after dark".
fn check_form(csrf: &str, camera: &str, failed: &[&str]) -> String {
    let mut form = format!("csrf={csrf}&camera={camera}&checked_at=&note=Weekly+round");
    for item in ["picture", "time", "focus", "privacy-masks", "signage"] {
        if failed.contains(&item) {
            form.push_str(&format!("&{item}=fail&{item}-note=blurred+after+dark"));
        } else {
            form.push_str(&format!("&{item}=pass&{item}-note="));
        }
    }
    form
}

fn reference_of(location: &str) -> String {
    location
        .trim_start_matches("/maintenance/")
        .split(['?', '#'])
        .next()
        .expect("a reference")
        .to_owned()
}

/// The row of the table with id `table` that mentions `text`.
fn row_with<'a>(page: &'a str, table: &str, text: &str) -> &'a str {
    let start = page
        .find(&format!("id=\"{table}\""))
        .unwrap_or_else(|| panic!("no table {table}: {page}"));
    page[start..]
        .split("<tr")
        .find(|r| r.contains(text))
        .unwrap_or_else(|| panic!("no row with {text} in {table}: {page}"))
}

/// LBU-16, ALT-15: the manager records a camera's scheduled check on the Maintenance page;
/// a check missing an item or with a failed item not explained is refused with every
/// problem; a failed item reports a fault at once, shown as open on the page and linked
/// from the check; the camera's next check is due a week after it; the auditor reads the
/// log without the forms, a supervisor (who does not keep it at the school) may not record,
/// and a viewer may not open it.
#[tokio::test]
async fn lbu_16_a_check_is_recorded_on_the_page_and_a_failed_item_reports_a_fault() {
    let app = app().await;
    let cam = add_front_gate(&app).await;
    let mgr = person(&app, "mgr", "manager").await;
    let page = app.get("/maintenance", Some(&mgr)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for words in [
        "id=\"maintenance-check\"",
        ">Maintenance</a>",
        "checked every 7 days",
        "within 48 hours",
        "Front gate",
        "never",
    ] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }
    let csrf = App::csrf(&page.body);
    let mut incomplete = check_form(&csrf, cam.as_str(), &[]);
    incomplete = incomplete.replace("&signage=pass", "");
    incomplete = incomplete.replace("&focus=pass", "&focus=fail");
    let r = app
        .send("POST", "/maintenance/checks", Some(&mgr), Some(&incomplete))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    for words in ["signage", "wrong with the focus"] {
        assert!(r.body.contains(words), "{words}: {}", r.body);
    }

    let r = app
        .send(
            "POST",
            "/maintenance/checks",
            Some(&mgr),
            Some(&check_form(&csrf, cam.as_str(), &["focus"])),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        r.location().contains("done=check-failed"),
        "{}",
        r.location()
    );
    let check = reference_of(r.location());
    assert_eq!(check, "CHK-2026-0001");
    let page = app.get(&format!("/maintenance/{check}"), Some(&mgr)).await;
    for words in [
        "Failed: Focus (fault FLT-2026-0001)",
        "Focus: fail — blurred after dark",
        "Person mgr",
        "Weekly round",
    ] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }
    assert!(!page.body.contains("user:"), "no internal ids");
    let page = app.get("/maintenance", Some(&mgr)).await;
    let fault = row_with(&page.body, "maintenance-faults", "FLT-2026-0001");
    assert!(fault.contains("Failed its scheduled check"), "{fault}");
    assert!(fault.contains("not called"), "{fault}");
    let camera = row_with(&page.body, "maintenance-cameras", "Front gate");
    assert!(!camera.contains("never"), "checked now: {camera}");

    // The auditor reads it without the forms; a supervisor reads but may not record; a
    // viewer may not open it.
    let aud = person(&app, "aud2", "auditor").await;
    let page = app.get("/maintenance", Some(&aud)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("CHK-2026-0001"), "{}", page.body);
    assert!(
        !page.body.contains("id=\"maintenance-check\""),
        "{}",
        page.body
    );
    let sup = person(&app, "sup", "supervisor").await;
    let csrf = App::csrf(&app.get("/maintenance", Some(&sup)).await.body);
    let r = app
        .send(
            "POST",
            "/maintenance/checks",
            Some(&sup),
            Some(&check_form(&csrf, cam.as_str(), &[])),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("manager"), "says who keeps it: {}", r.body);
    let view = person(&app, "view", "viewer").await;
    assert_eq!(
        app.get("/maintenance", Some(&view)).await.status,
        StatusCode::FORBIDDEN
    );
    let kinds: Vec<String> = app
        .store
        .ledger_entries(&custos_store::LedgerQuery {
            book: Some(custos_domain::ledger::Book::Maintenance),
            ..Default::default()
        })
        .await
        .expect("entries")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["check-recorded", "fault-reported"]);
}

/// BDC-19, LBU-16: a fault reported on the page; the contractor called from its page, their
/// response due within the school's 48 hours: amber in the last quarter, red once past, on
/// the Maintenance page and the fault's own; the response and the fix recorded, after which
/// nothing is open; a correction is a new entry shown with its reason. A camera not checked
/// for a week is red too.
#[tokio::test]
async fn bdc_19_the_contractors_response_turns_amber_then_red_until_it_comes() {
    let app = app().await;
    let cam = add_front_gate(&app).await;
    let mgr = person(&app, "mgr", "manager").await;
    let csrf = App::csrf(&app.get("/maintenance", Some(&mgr)).await.body);
    let r = app
        .send(
            "POST",
            "/maintenance/faults",
            Some(&mgr),
            Some(&format!(
                "csrf={csrf}&camera={cam}&noticed_at=&description=The+housing+is+cracked"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let fault = reference_of(r.location());
    let path = format!("/maintenance/{fault}");
    let page = app.get(&path, Some(&mgr)).await;
    assert!(page.body.contains("id=\"fault-call\""), "{}", page.body);
    assert!(page.body.contains("id=\"fault-open\""), "{}", page.body);
    let r = app
        .send(
            "POST",
            &format!("{path}/steps"),
            Some(&mgr),
            Some(&format!(
                "csrf={csrf}&step=call&contractor=Ace+Security&job_reference=J-7&at="
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get("/maintenance", Some(&mgr)).await;
    let row = row_with(&page.body, "maintenance-faults", &fault);
    assert!(!row.contains("due-"), "on time: {row}");
    assert!(row.contains("Ace Security (job J-7)"), "{row}");

    app.clock.advance_ms(37 * HOUR_MS);
    let mgr = again(&app, "mgr").await;
    let page = app.get("/maintenance", Some(&mgr)).await;
    let row = row_with(&page.body, "maintenance-faults", &fault);
    assert!(row.contains("class=\"due-amber\""), "{row}");
    assert!(row.contains("due soon"), "{row}");

    app.clock.advance_ms(12 * HOUR_MS);
    let mgr = again(&app, "mgr").await;
    let page = app.get("/maintenance", Some(&mgr)).await;
    let row = row_with(&page.body, "maintenance-faults", &fault);
    assert!(row.contains("class=\"due-red\""), "{row}");
    assert!(row.contains("overdue"), "{row}");
    let page = app.get(&path, Some(&mgr)).await;
    assert!(
        page.body.contains("id=\"fault-urgency\"") && page.body.contains("response was due by"),
        "{}",
        page.body
    );

    let csrf = App::csrf(&page.body);
    let r = app
        .send(
            "POST",
            &format!("{path}/steps"),
            Some(&mgr),
            Some(&format!(
                "csrf={csrf}&step=respond&at=&note=Engineer+booked"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app
        .send(
            "POST",
            &format!("{path}/steps"),
            Some(&mgr),
            Some(&format!(
                "csrf={csrf}&step=fix&at=&work_done=Replaced+the+housing&by=contractor"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app
        .send(
            "POST",
            &format!("{path}/steps"),
            Some(&mgr),
            Some(&format!(
                "csrf={csrf}&step=correct&field=contractor&value=Best+Cameras+Ltd&reason=Another+firm+came"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&path, Some(&mgr)).await;
    for words in [
        "Best Cameras Ltd",
        "corrected from “Ace Security” to “Best Cameras Ltd”",
        "Another firm came",
        "Replaced the housing (by the contractor)",
        "late",
    ] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }
    assert!(!page.body.contains("id=\"fault-open\""), "{}", page.body);
    let list = app.get("/maintenance", Some(&mgr)).await;
    assert!(list.body.contains("id=\"no-open-faults\""), "{}", list.body);

    // Never checked since it was registered: due a week on, amber from five and a quarter
    // days, red after seven.
    let camera = row_with(&list.body, "maintenance-cameras", "Front gate");
    assert!(!camera.contains("due-"), "two days on: {camera}");
    app.clock.advance_ms(80 * HOUR_MS);
    let mgr = again(&app, "mgr").await;
    let list = app.get("/maintenance", Some(&mgr)).await;
    let camera = row_with(&list.body, "maintenance-cameras", "Front gate");
    assert!(camera.contains("class=\"due-amber\""), "{camera}");
    app.clock.advance_ms(45 * HOUR_MS);
    let mgr = again(&app, "mgr").await;
    let list = app.get("/maintenance", Some(&mgr)).await;
    let camera = row_with(&list.body, "maintenance-cameras", "Front gate");
    assert!(camera.contains("class=\"due-red\""), "a week on: {camera}");
    assert!(camera.contains("overdue"), "{camera}");
}

/// ALT-15, LBU-16: each camera's availability — the share of the last 30 days it recorded,
/// counted from when it was registered — in the cameras' table and as a chart with its
/// figures; a camera with no footage at all reads 0.0%.
#[tokio::test]
async fn alt_15_each_cameras_availability_shows_in_a_table_and_a_chart() {
    let app = app().await;
    person(&app, "aud2", "auditor").await;
    let cam = add_front_gate(&app).await;
    add_yard(&app).await;
    let t0 = app.clock.now().0;
    index_hour(&app, &cam, t0).await;
    // Two hours on, counting the half-minute signing in again takes.
    app.clock.advance_ms(2 * HOUR_MS - 30_000);
    let aud = again(&app, "aud2").await;
    let page = app.get("/maintenance", Some(&aud)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let front = row_with(&page.body, "maintenance-cameras", "Front gate");
    assert!(front.contains(">50.0%<"), "an hour of two: {front}");
    let yard = row_with(&page.body, "maintenance-cameras", "Yard");
    assert!(yard.contains(">0.0%<"), "{yard}");
    let chart = page
        .body
        .split("id=\"chart-availability\"")
        .nth(1)
        .expect("the chart");
    assert!(chart.contains("<svg"), "{chart}");
    assert!(chart.contains("<table"), "the figures beside it: {chart}");
    assert!(chart.contains("Front gate"), "{chart}");
}

/// `pdf` checked with `qpdf --check` and read with `pdftotext`, one space between words.
fn pdf_text(app: &App, pdf: &[u8]) -> String {
    use std::process::Command;
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let file = app.dir.path().join("maintenance.pdf");
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

/// SCC-8, BDC-18: the log downloads as CSV whose header is exactly the columns — routine
/// checks and breakdowns with the contractor's response — and as a PDF that `qpdf` accepts,
/// with every check and fault and every column given.
#[tokio::test]
async fn scc_8_the_log_downloads_as_csv_and_pdf_in_the_codes_columns() {
    let app = app().await;
    let cam = add_front_gate(&app).await;
    let mgr = person(&app, "mgr", "manager").await;
    let csrf = App::csrf(&app.get("/maintenance", Some(&mgr)).await.body);
    let r = app
        .send(
            "POST",
            "/maintenance/checks",
            Some(&mgr),
            Some(&check_form(&csrf, cam.as_str(), &["signage"])),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let csv = app.get("/maintenance.csv", Some(&mgr)).await;
    assert_eq!(csv.status, StatusCode::OK);
    let header = csv.body.lines().next().expect("header");
    assert_eq!(
        header,
        "Reference,Type,Camera,When,Recorded by,Details,Result,Contractor,Contractor called,Response due,Responded,Fix due,Fixed,Work done,Corrections"
    );
    let body = csv.body.lines().skip(1).collect::<Vec<_>>().join("\n");
    for cell in [
        "CHK-2026-0001,Routine check,Front gate",
        "FLT-2026-0001,Fault reported,Front gate",
        "Signage: fail — blurred after dark",
    ] {
        assert!(body.contains(cell), "{cell}: {body}");
    }
    let (status, headers, pdf) = app.get_bytes("/maintenance.pdf", Some(&mgr)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/pdf");
    let text = pdf_text(&app, &pdf);
    for words in [
        "Faults and maintenance",
        "CHK-2026-0001",
        "FLT-2026-0001",
        "Type: Routine check",
        "Camera: Front gate",
        "Result: Failed: Signage",
        "checked every 7 days",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
}

/// LBU-16, BDC-19 through the API: a check recorded (refused to a supervisor), a fault
/// reported, the contractor called, responding and fixing it, each camera's next check and
/// availability, and a correction of the check.
#[tokio::test]
async fn bdc_19_the_api_records_checks_faults_and_the_contractors_steps() {
    let app = app().await;
    let cam = add_front_gate(&app).await;
    let mgr = person(&app, "mgr", "manager").await;
    let sup = person(&app, "sup", "supervisor").await;
    let items = r#"[{"item":"picture","passed":true},{"item":"time","passed":true},{"item":"focus","passed":true},{"item":"privacy-masks","passed":true},{"item":"signage","passed":true}]"#;
    let body = format!(r#"{{"camera":"{cam}","items":{items}}}"#);
    let r = app
        .api(
            "POST",
            "/api/v1/maintenance/checks",
            Some(&sup),
            Some(&body),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app
        .api(
            "POST",
            "/api/v1/maintenance/checks",
            Some(&mgr),
            Some(&format!(r#"{{"camera":"{cam}","items":[]}}"#)),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = app
        .api(
            "POST",
            "/api/v1/maintenance/checks",
            Some(&mgr),
            Some(&body),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(v["reference"], "CHK-2026-0001");
    assert_eq!(v["passed"], true);
    let r = app
        .api("GET", "/api/v1/maintenance/cameras", Some(&sup), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(v[0]["camera"], cam.as_str());
    assert_eq!(v[0]["check"], "on-time");
    assert_eq!(v[0]["availability"]["recorded_seconds"], 0, "{v}");

    let r = app
        .api(
            "POST",
            "/api/v1/maintenance/faults",
            Some(&mgr),
            Some(&format!(
                r#"{{"camera":"{cam}","description":"No picture at night"}}"#
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    let fault = v["reference"].as_str().expect("reference").to_owned();
    assert_eq!(v["origin"], "reported");
    let steps = format!("/api/v1/maintenance/faults/{fault}/steps");
    let r = app
        .api("POST", &steps, Some(&mgr), Some(r#"{"step":"respond"}"#))
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "not called yet: {}",
        r.body
    );
    let r = app
        .api(
            "POST",
            &steps,
            Some(&mgr),
            Some(r#"{"step":"call","contractor":"Ace Security"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(v["contractor"]["response"]["state"], "on-time");
    let r = app
        .api(
            "POST",
            &steps,
            Some(&mgr),
            Some(r#"{"step":"respond","note":"On the way"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .api(
            "POST",
            &steps,
            Some(&mgr),
            Some(r#"{"step":"fix","work_done":"Reset the camera","by_contractor":true}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(v["open"], false);
    assert_eq!(v["contractor"]["response"]["state"], "in-time");
    assert_eq!(v["contractor"]["fix"]["state"], "in-time");
    let r = app
        .api(
            "GET",
            "/api/v1/maintenance/faults?open=true",
            Some(&sup),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body, "[]");
    let r = app
        .api(
            "POST",
            "/api/v1/maintenance/checks/CHK-2026-0001/steps",
            Some(&mgr),
            Some(
                r#"{"step":"correct","field":"focus","value":"fail: soft at the edges","reason":"looked again"}"#,
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(v["passed"], false);
    assert_eq!(v["corrections"][0]["before"], "pass");
    let r = app
        .api("GET", "/api/v1/maintenance/checks", Some(&sup), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("CHK-2026-0001"), "{}", r.body);
}
