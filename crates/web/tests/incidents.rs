//! The incident log on the web against a real store (BDC-24, BDC-18): an incident logged
//! from a live tile in one click (camera and time filled in), read by the logbooks'
//! readers, kept only by the roles of the pack's `[books.incident]`, corrected with its
//! history shown, countersigned only by the countersigning role, closed with its outcome,
//! its footage linked and held, a witness statement kept, and the log as CSV in the code's
//! columns and as a PDF.

mod support;

use axum::http::StatusCode;
use custos_base::Clock as _;
use support::*;

/// `pdf` checked with `qpdf --check` and read with `pdftotext`, one space between words.
fn pdf_text(app: &App, pdf: &[u8]) -> String {
    use std::process::Command;
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let file = app.dir.path().join("incident-log.pdf");
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

/// BDC-24, BDC-18: the school's manager logs an incident from the live tile of the front
/// gate (the camera ticked and the time filled in); the auditor reads it but has no form
/// and cannot log one, an operator cannot open the log; a correction with its reason shows
/// in the entry's history; the manager may not countersign (the school's headteacher —
/// its owner — does); the outcome closes it; its footage is linked and held; the
/// manager's witness statement is kept and reads back.
#[tokio::test]
async fn bdc_24_an_incident_logged_from_a_live_tile_is_corrected_countersigned_and_closed() {
    let app = app().await;
    add_front_gate(&app).await;
    let mgr = person(&app, "mgr1", "manager").await;
    let owner = person(&app, "own1", "owner").await;
    let aud = app.sign_in("aud").await;
    let op = app.sign_in("op").await;

    let live = app.get("/live", Some(&mgr)).await;
    assert_eq!(live.status, StatusCode::OK, "{}", live.body);
    assert!(
        live.body
            .contains("href=\"/incidents/new?camera=front-gate\" id=\"live-front-gate-incident\">Log an incident</a>"),
        "{}",
        live.body
    );
    let form = app
        .get("/incidents/new?camera=front-gate", Some(&mgr))
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let now = custos_base::UnixMs(app.clock.now().0).to_uk_local_input();
    for words in [
        "value=\"front-gate\" checked> Front gate",
        &format!("value=\"{now}\""),
        "id=\"record-incident\" open",
        "value=\"Person mgr1\"",
    ] {
        assert!(form.body.contains(words), "{words}: {}", form.body);
    }
    let csrf = App::csrf(&form.body);
    let r = app
        .send(
            "POST",
            "/incidents",
            Some(&mgr),
            Some(&format!(
                "csrf={csrf}&occurred={now}&cameras=front-gate&place=Front+gate+car+park&seen=A+car+window+smashed&seen_by=Person+mgr1&police_reference=&action_taken=Called+the+police&outcome="
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let path = r.location_path().to_owned();
    let reference = path.trim_start_matches("/incidents/").to_owned();
    assert!(reference.starts_with("INC-20"), "{reference}");

    // Read by the auditor, without the form; not by an operator of the school.
    let list = app.get("/incidents", Some(&aud)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains(&reference) && list.body.contains(">Open<"));
    assert!(!list.body.contains("id=\"incident-form\""));
    assert!(list.body.contains(">Incidents</a>"), "in the navigation");
    let csrf_aud = App::csrf(&list.body);
    let r = app
        .send(
            "POST",
            "/incidents",
            Some(&aud),
            Some(&format!(
                "csrf={csrf_aud}&place=x&seen=x&seen_by=x&action_taken=x"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/incidents", Some(&op)).await.status,
        StatusCode::FORBIDDEN
    );

    // A correction, with its history on the page.
    let step = |who: &str, form: String| {
        let (who, form, path) = (who.to_owned(), form, format!("{path}/steps"));
        let app = &app;
        async move { app.send("POST", &path, Some(&who), Some(&form)).await }
    };
    let r = step(
        &mgr,
        format!(
            "csrf={csrf}&step=correct&occurred={now}&cameras=front-gate&place=Front+gate+car+park%2C+bay+4&seen=A+car+window+smashed&seen_by=Person+mgr1&police_reference=&action_taken=Called+the+police&reason="
        ),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "a reason is needed: {}",
        r.body
    );
    let r = step(
        &mgr,
        format!(
            "csrf={csrf}&step=correct&occurred={now}&cameras=front-gate&place=Front+gate+car+park%2C+bay+4&seen=A+car+window+smashed&seen_by=Person+mgr1&police_reference=NT-2026-4411&action_taken=Called+the+police&reason=The+bay+and+the+police+reference"
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&path, Some(&mgr)).await;
    for words in [
        "“The bay and the police reference”",
        "the place: “Front gate car park” became “Front gate car park, bay 4”",
        "NT-2026-4411",
        "Not countersigned yet.",
    ] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }
    assert!(!page.body.contains("user:"), "no internal ids");

    // Countersigned by the headteacher (the owner), not the manager.
    let r = step(&mgr, format!("csrf={csrf}&step=countersign")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let csrf_owner = App::csrf(&app.get("/incidents", Some(&owner)).await.body);
    let r = step(&owner, format!("csrf={csrf_owner}&step=countersign")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&path, Some(&aud)).await;
    assert!(
        page.body
            .contains("Countersigned by Person own1 as owner on "),
        "{}",
        page.body
    );

    // The outcome closes it; its footage is linked and held.
    let r = step(
        &mgr,
        format!("csrf={csrf}&step=outcome&outcome=Police+attended%3B+no+arrest"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = step(
        &mgr,
        format!(
            "csrf={csrf}&step=link-footage&cameras=front-gate&from=2026-09-21T10%3A00&to=2026-09-21T10%3A20&class="
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app
        .send(
            "POST",
            &format!("{path}/statements"),
            Some(&mgr),
            Some(&format!(
                "csrf={csrf}&name=Statement+of+Person+mgr1&statement=I+saw+a+man+in+a+grey+hoodie+strike+the+window."
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&path, Some(&mgr)).await;
    for words in [
        "Police attended; no arrest",
        "Front gate, 2026-09-21 10:00 BST to 2026-09-21 10:20 BST — held",
        "Statement of Person mgr1</a>",
    ] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }
    let list = app.get("/incidents", Some(&aud)).await;
    assert!(!list.body.contains(">Open<"), "closed now");
    let id = page
        .body
        .split(&format!("{path}/statements/"))
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a statement link")
        .to_owned();
    let doc = app
        .get(&format!("{path}/statements/{id}"), Some(&aud))
        .await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.body, "I saw a man in a grey hoodie strike the window.");
}

/// BDC-24: the incident log downloads as CSV in the code's columns (the header row is the
/// columns) and as a PDF that `qpdf` passes, each with the incident's words; readers only.
#[tokio::test]
async fn bdc_24_the_incident_log_is_csv_in_the_codes_columns_and_a_pdf() {
    let app = app().await;
    add_front_gate(&app).await;
    let mgr = person(&app, "mgr1", "manager").await;
    let aud = app.sign_in("aud").await;
    let op = app.sign_in("op").await;
    let csrf = App::csrf(&app.get("/incidents", Some(&mgr)).await.body);
    let r = app
        .send(
            "POST",
            "/incidents",
            Some(&mgr),
            Some(&format!(
                "csrf={csrf}&occurred=2026-09-21T09%3A30&cameras=front-gate&place=Main+entrance&seen=%3DHYPERLINK+drawn+on+the+gate&seen_by=Person+mgr1&police_reference=NT-1&action_taken=Reported&outcome=Cleaned"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let reference = r
        .location_path()
        .trim_start_matches("/incidents/")
        .to_owned();
    let csv = app.get("/incidents.csv", Some(&aud)).await;
    assert_eq!(csv.status, StatusCode::OK);
    let mut lines = csv.body.lines();
    assert_eq!(
        lines.next(),
        Some(custos_domain::incident::COLUMNS.join(",").as_str())
    );
    assert_eq!(
        custos_domain::incident::COLUMNS,
        [
            "Reference",
            "Occurred",
            "Camera",
            "Place",
            "What was seen",
            "Seen by",
            "Police reference",
            "Action taken",
            "Outcome",
            "Linked footage",
            "Countersigned by",
            "Countersigned at",
            "Corrections"
        ]
    );
    let row = lines.next().expect("a row");
    for words in [
        reference.as_str(),
        "2026-09-21 09:30 BST",
        "Front gate",
        "Main entrance",
        "'=HYPERLINK drawn on the gate",
        "NT-1",
        "Cleaned",
    ] {
        assert!(row.contains(words), "{words}: {row}");
    }
    let (status, headers, pdf) = app.get_bytes("/incidents.pdf", Some(&aud)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    let text = pdf_text(&app, &pdf);
    for words in [
        "Incident log",
        reference.as_str(),
        "Place: Main entrance",
        "Police reference: NT-1",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    assert_eq!(
        app.get("/incidents.csv", Some(&op)).await.status,
        StatusCode::FORBIDDEN
    );
}

/// BDC-24: a keeper links, from the incident's page, a review and a download of its
/// camera's footage made around its time: the page offers them in words (camera, times,
/// who), each linked one leaves the choices and shows under "Reviews and downloads", and
/// a review or download of another camera is not offered.
#[tokio::test]
async fn bdc_24_a_review_and_a_download_are_linked_from_the_incidents_page() {
    let app = app().await;
    let cam = add_front_gate(&app).await;
    let yard = add_yard(&app).await;
    let mgr = person(&app, "mgr1", "manager").await;
    let now = app.clock.now().0;
    index_hour(&app, &cam, now - 2 * 3_600_000).await;
    index_hour(&app, &yard, now - 2 * 3_600_000).await;
    let review = |camera: custos_domain::Ident| {
        let app = &app;
        async move {
            let camera = app
                .store
                .camera(&camera)
                .await
                .expect("camera")
                .expect("there");
            app.store
                .open_review(
                    &custos_base::Actor::User("mgr1".into()),
                    "mgr1",
                    "a session",
                    &camera,
                    &custos_store::reviews::ReviewRequest {
                        from_unix_ms: now - 2 * 3_600_000,
                        to_unix_ms: now - 2 * 3_600_000 + 600_000,
                        purpose: custos_domain::Ident::parse("security-and-safety")
                            .expect("purpose"),
                        reason: "Looking for the car's arrival".to_owned(),
                        case_ref: None,
                        persons_present: Vec::new(),
                    },
                )
                .await
                .expect("review")
                .1
        }
    };
    let gate_review = review(cam.clone()).await;
    let yard_review = review(yard.clone()).await;
    let download = app
        .store
        .request_download(
            &console(),
            &custos_store::evidence::ExportRequest {
                exhibit: "MB/1".to_owned(),
                cameras: vec![cam.clone()],
                from_unix_ms: now - 2 * 3_600_000,
                to_unix_ms: now - 3_600_000,
                requester: "PC Smith".to_owned(),
                authoriser: String::new(),
                recipient: "Hampshire Constabulary".to_owned(),
                purpose: "Damage to a car".to_owned(),
                case_ref: None,
                keep_as: None,
                encrypt: true,
            },
        )
        .await
        .expect("download");

    let list = app.get("/incidents", Some(&mgr)).await;
    let csrf = App::csrf(&list.body);
    let when = custos_base::UnixMs(now).to_uk_local_input();
    let r = app
        .send(
            "POST",
            "/incidents",
            Some(&mgr),
            Some(&format!(
                "csrf={csrf}&occurred={when}&cameras=front-gate&place=Car+park&seen=A+car+scratched&seen_by=Person+mgr1&police_reference=&action_taken=Told+the+owner&outcome="
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let path = r.location_path().to_owned();
    let page = app.get(&path, Some(&mgr)).await;
    for words in [
        &format!("<option value=\"{gate_review}\">Front gate, "),
        "reviewed by Person mgr1</option>",
        &format!(
            "<option value=\"{}\">Exhibit MB/1: Front gate, ",
            download.id
        ),
        "for Hampshire Constabulary</option>",
    ] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }
    assert!(
        !page.body.contains(&yard_review),
        "another camera's review is not offered"
    );
    for (step, field, id) in [
        ("link-review", "review", gate_review.as_str()),
        ("link-download", "download", download.id.as_str()),
    ] {
        let r = app
            .send(
                "POST",
                &format!("{path}/steps"),
                Some(&mgr),
                Some(&format!("csrf={csrf}&step={step}&{field}={id}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let page = app.get(&path, Some(&mgr)).await;
    for words in [
        "A review of recorded footage, linked",
        &format!(
            "<a href=\"/downloads/{}\">A download of footage</a>",
            download.id
        ),
        "No review of that footage is waiting to be linked.",
        "No download of that footage is waiting to be linked.",
    ] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }
}

/// BDC-18: the supervisor's checks page — the school's headteacher (the owner, who
/// countersigns its incident log) sees an open incident waiting for its outcome and
/// countersignature, linked to it, and "Checks" in the navigation; marking the incident
/// log checked is recorded in it and shown with who and how many things were waiting; an
/// operator has neither page nor link; the API lists the same.
#[tokio::test]
async fn bdc_18_the_supervisors_checks_page_lists_what_waits_and_records_the_check() {
    let app = app().await;
    add_front_gate(&app).await;
    let mgr = person(&app, "mgr1", "manager").await;
    let owner = person(&app, "own1", "owner").await;
    let op = app.sign_in("op").await;
    let list = app.get("/incidents", Some(&mgr)).await;
    let csrf = App::csrf(&list.body);
    let when = custos_base::UnixMs(app.clock.now().0 - 600_000).to_uk_local_input();
    let r = app
        .send(
            "POST",
            "/incidents",
            Some(&mgr),
            Some(&format!(
                "csrf={csrf}&occurred={when}&cameras=front-gate&place=Front+gate&seen=A+fence+panel+kicked+in&seen_by=Person+mgr1&police_reference=&action_taken=Made+it+safe&outcome="
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let reference = r
        .location_path()
        .trim_start_matches("/incidents/")
        .to_owned();

    let page = app.get("/checks", Some(&owner)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for words in [
        ">Checks</a>",
        &format!(
            "<a href=\"/incidents/{reference}\">{reference} (Front gate) has no outcome yet</a>"
        ),
        &format!("{reference} (Front gate) is not countersigned</a>"),
        "id=\"book-incident-last\">Not checked yet.",
        "id=\"book-visitors-clear\">Nothing is waiting.",
    ] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }
    let csrf_owner = App::csrf(&page.body);
    let r = app
        .send(
            "POST",
            "/checks/incident",
            Some(&owner),
            Some(&format!("csrf={csrf_owner}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        r.location().contains("done=book-checked"),
        "{}",
        r.location()
    );
    let page = app.get("/checks", Some(&owner)).await;
    assert!(
        page.body.contains("Last checked ")
            && page
                .body
                .contains(" by Person own1 as owner, with 2 things waiting."),
        "{}",
        page.body
    );
    let entries = app
        .store
        .ledger_entries(&custos_store::LedgerQuery {
            book: Some(custos_domain::ledger::Book::Incident),
            ..Default::default()
        })
        .await
        .expect("entries");
    assert_eq!(
        entries.last().map(|e| e.kind.as_str()),
        Some("book-checked")
    );

    // The operator: no page, no link, no check.
    let r = app.get("/checks", Some(&op)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let start = app.get("/start", Some(&op)).await;
    assert!(!start.body.contains(">Checks</a>"), "{}", start.body);
    let csrf_op = App::csrf(&start.body);
    let r = app
        .send(
            "POST",
            "/checks/incident",
            Some(&op),
            Some(&format!("csrf={csrf_op}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // The same through the API.
    let r = app.api("GET", "/api/v1/checks", Some(&owner), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let books: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    let incident = books
        .as_array()
        .and_then(|b| b.iter().find(|b| b["book"] == "incident"))
        .expect("the incident log");
    assert_eq!(incident["items"][0]["reference"], reference.as_str());
    assert_eq!(incident["items"][0]["need"], "outcome");
    assert_eq!(incident["last_checked"]["open_items"], 2);
    let r = app
        .api("POST", "/api/v1/checks/visitors", Some(&owner), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .api("POST", "/api/v1/checks/review", Some(&owner), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}
