//! The list of installed equipment on the web against a real store (BDC-37, BDC-18), under
//! the school's pack (silent on it: operators, supervisors and managers keep it): the
//! register's cameras listed with the details entered for them, a recorder entered, its
//! removal and a correction as new entries, the list as CSV and PDF in the code's columns,
//! and the same through the API.

mod support;

use axum::http::StatusCode;
use support::*;

fn reference_of(location: &str) -> String {
    location
        .trim_start_matches("/equipment/")
        .split(['?', '#'])
        .next()
        .expect("a reference")
        .to_owned()
}

/// `pdf` checked with `qpdf --check` and read with `pdftotext`, one space between words.
fn pdf_text(app: &App, pdf: &[u8]) -> String {
    use std::process::Command;
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let file = app.dir.path().join("equipment.pdf");
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

/// BDC-37: an operator sees the register's camera in the list and enters its details and a
/// recorder; the recorder's removal and a correction are new entries with their reasons;
/// the list downloads as CSV in the code's columns and as a PDF `qpdf` accepts; a viewer
/// neither keeps nor reads it, and an auditor reads it without the forms.
#[tokio::test]
async fn bdc_37_the_list_shows_the_cameras_and_the_equipment_entered_on_the_page() {
    let app = app().await;
    add_front_gate(&app).await;
    let op = app.sign_in("op").await;
    let page = app.get("/equipment", Some(&op)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for words in [
        "Camera: Front gate",
        "Main entrance",
        "id=\"equipment-form\"",
        "id=\"camera-details-form\"",
        ">Equipment</a>",
    ] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }
    let csrf = App::csrf(&page.body);
    let r = app
        .send(
            "POST",
            "/equipment",
            Some(&op),
            Some(&format!(
                "csrf={csrf}&kind=recorder&make_model=Dell+PowerEdge+R350&serial_number=&location=Control+room&installed_on=2026-09-01"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("serial number"), "{}", r.body);
    let r = app
        .send(
            "POST",
            "/equipment",
            Some(&op),
            Some(&format!(
                "csrf={csrf}&kind=recorder&make_model=Dell+PowerEdge+R350&serial_number=7XQ2K93&location=Control+room&installed_on=2026-09-01&notes="
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let reference = reference_of(r.location());
    assert_eq!(reference, "EQ-2026-0001");
    let r = app
        .send(
            "POST",
            "/equipment",
            Some(&op),
            Some(&format!(
                "csrf={csrf}&kind=camera&camera=front-gate&make_model=Axis+P1455-LE&serial_number=ACCC8E000001&installed_on=2026-08-01"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get("/equipment", Some(&op)).await;
    assert!(page.body.contains("ACCC8E000001"), "{}", page.body);
    assert!(
        !page.body.contains("id=\"camera-details-form\""),
        "every camera in service has its details: {}",
        page.body
    );

    let path = format!("/equipment/{reference}");
    let r = app
        .send(
            "POST",
            &format!("{path}/steps"),
            Some(&op),
            Some(&format!(
                "csrf={csrf}&step=remove&removed_on=2026-09-20&reason=Replaced+after+a+disk+fault"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app
        .send(
            "POST",
            &format!("{path}/steps"),
            Some(&op),
            Some(&format!(
                "csrf={csrf}&step=correct&field=serial-number&value=7XQ2K98&reason=A+digit+misread"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let item = app.get(&path, Some(&op)).await;
    for words in [
        "7XQ2K98",
        "Replaced after a disk fault",
        "corrected from “7XQ2K93” to “7XQ2K98”",
        "A digit misread",
    ] {
        assert!(item.body.contains(words), "{words}: {}", item.body);
    }
    assert!(!item.body.contains("user:"), "no internal ids");
    assert!(
        !item.body.contains("id=\"equipment-remove\""),
        "removed once"
    );

    let csv = app.get("/equipment.csv", Some(&op)).await;
    assert_eq!(csv.status, StatusCode::OK);
    let mut lines = csv.body.lines();
    assert_eq!(
        lines.next().expect("header"),
        "Reference,Equipment,Make and model,Serial number,Location,Installed,Removed,Notes,Corrections"
    );
    assert!(csv.body.contains("Camera: Front gate"), "{}", csv.body);
    assert!(
        csv.body
            .contains("2026-09-20 (Replaced after a disk fault)")
    );
    let (status, headers, pdf) = app.get_bytes("/equipment.pdf", Some(&op)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/pdf");
    let text = pdf_text(&app, &pdf);
    for words in [
        "Installed equipment",
        "EQ-2026-0001 — Recorder",
        "Serial number: 7XQ2K98",
        "Serial number: ACCC8E000001",
        "Removed: 2026-09-20",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }

    let viewer = person(&app, "view", "viewer").await;
    assert_eq!(
        app.get("/equipment", Some(&viewer)).await.status,
        StatusCode::FORBIDDEN
    );
    let aud = app.sign_in("aud").await;
    let page = app.get("/equipment", Some(&aud)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        !page.body.contains("id=\"equipment-form\""),
        "{}",
        page.body
    );
    let csrf = App::csrf(&page.body);
    let r = app
        .send(
            "POST",
            "/equipment",
            Some(&aud),
            Some(&format!(
                "csrf={csrf}&kind=monitor&make_model=Any&serial_number=1&location=Here&installed_on=2026-09-01"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

/// BDC-37 through the API: equipment entered, refused to an auditor, listed with the
/// register's camera, and removed.
#[tokio::test]
async fn bdc_37_the_api_enters_lists_and_removes_equipment() {
    let app = app().await;
    add_front_gate(&app).await;
    let op = app.sign_in("op").await;
    let aud = app.sign_in("aud").await;
    let body = r#"{"kind":"monitor","make_model":"Samsung QM55","serial_number":"QM55-0042","location":"Control room wall","installed_on":"2026-09-01"}"#;
    let r = app
        .api("POST", "/api/v1/equipment", Some(&aud), Some(body))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app
        .api("POST", "/api/v1/equipment", Some(&op), Some(body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(v["reference"], "EQ-2026-0001");
    assert_eq!(v["installed_on"], "2026-09-01");
    let r = app.api("GET", "/api/v1/equipment", Some(&aud), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let list: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(list[0]["equipment"], "Camera: Front gate");
    assert_eq!(list[0]["reference"], serde_json::Value::Null);
    assert_eq!(list[1]["serial_number"], "QM55-0042");
    let r = app
        .api(
            "POST",
            "/api/v1/equipment/EQ-2026-0001/steps",
            Some(&op),
            Some(r#"{"step":"remove","removed_on":"2026-09-21","reason":"Replaced"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(v["removed_on"], "2026-09-21");
    let r = app
        .api("GET", "/api/v1/equipment/EQ-2026-0001", Some(&aud), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}
