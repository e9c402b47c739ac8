//! The video print register on the web against a real store and real footage (BDC-34,
//! BDC-18), under Bassetlaw's pack (silent on the register: operators, supervisors and
//! managers keep it; supervisors and managers countersign): a police officer's written
//! authority refused below Inspector and then recorded with its document; a print made
//! from the simulated camera's recorded footage (a real PNG of the frame at the moment, its
//! sidecar naming the segment's SHA-256); to whom it was given; its destruction authorised
//! by a supervisor, not an operator, then recorded; the page's word when the server has no
//! FFmpeg; the register as CSV and PDF; and the same through the API.

mod support;

use axum::http::StatusCode;
use custos_base::Clock as _;
use support::*;

const BASSETLAW: &str = include_str!("../../../policies/bassetlaw-district-council.toml");

/// The app under Bassetlaw's pack with the front gate registered and three seconds of its
/// footage recorded a minute ago, and people in `roles` signed in: the app, their tokens
/// and when the footage starts.
async fn scheme(roles: &[(&str, &str)]) -> (App, Vec<String>, i64) {
    let app = app().await;
    add_front_gate(&app).await;
    app.store
        .load_policy(&console(), BASSETLAW)
        .await
        .expect("pack");
    let start = app.clock.now().0 - 60_000;
    record_simulated(&app, "front-gate", start, 3).await;
    let mut tokens = Vec::new();
    for (name, role) in roles {
        tokens.push(person(&app, name, role).await);
    }
    (app, tokens, start)
}

/// Records a written authority as `token` for an officer of `rank`: the reply.
async fn record_authority(app: &App, token: &str, rank: &str) -> Reply {
    let page = app.get("/prints", Some(token)).await;
    let csrf = App::csrf(&page.body);
    app.send_multipart(
        "/print-authorities",
        token,
        &[
            ("csrf", csrf.as_str()),
            ("officer_name", "Jane Doe"),
            ("rank", rank),
            ("officer_number", "4321"),
            ("force", "Nottinghamshire Police"),
            ("request", "Stills of the assault outside the Crown"),
            ("dated", "2026-09-21"),
        ],
        (
            "document",
            "authority.pdf",
            "application/pdf",
            b"%PDF-1.4 signed by Inspector Jane Doe",
        ),
    )
    .await
}

/// Makes a print as `token` under authority `authority` at `moment`: the reply.
async fn make_print(app: &App, token: &str, authority: &str, moment: i64) -> Reply {
    let page = app.get("/prints", Some(token)).await;
    let csrf = App::csrf(&page.body);
    let moment = custos_base::UnixMs(moment).to_rfc3339();
    app.send(
        "POST",
        "/prints",
        Some(token),
        Some(&format!(
            "csrf={csrf}&authority={authority}&camera=front-gate&moment={moment}"
        )),
    )
    .await
}

async fn step(app: &App, token: &str, path: &str, body: &str) -> Reply {
    let csrf = App::csrf(&app.get("/prints", Some(token)).await.body);
    app.send(
        "POST",
        path,
        Some(token),
        Some(&format!("csrf={csrf}&{body}")),
    )
    .await
}

async fn kinds(app: &App) -> Vec<String> {
    app.store
        .ledger_entries(&custos_store::LedgerQuery {
            book: Some(custos_domain::ledger::Book::VideoPrints),
            ..Default::default()
        })
        .await
        .expect("entries")
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

/// BDC-34, BDC-18: an operator's written authority from a Sergeant is refused and nothing
/// is recorded; an Inspector's is recorded with its document; the operator makes a print of
/// the front gate from its recorded footage: the still is a PNG at the footage's size,
/// showing the frame at or before the moment, and its sidecar names the segment by the
/// SHA-256 the store keeps; it is given to a police officer; an operator may not authorise
/// its destruction, a supervisor does; once destroyed its still is gone and the register
/// keeps the record. An auditor reads the register but does not take the still; a viewer
/// does not read it.
#[tokio::test]
async fn bdc_34_a_print_is_made_from_recorded_footage_on_an_inspectors_written_authority() {
    let (app, t, start) = scheme(&[("pop", "operator"), ("psup", "supervisor")]).await;
    let (op, sup) = (&t[0], &t[1]);
    let page = app.get("/prints", Some(op)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for words in [
        "id=\"authority-form\"",
        ">Video prints</a>",
        "Inspector or above",
    ] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }
    assert!(
        !page.body.contains("id=\"no-ffmpeg\""),
        "ffmpeg is installed"
    );

    let r = record_authority(&app, op, "sergeant").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("Inspector or above"), "{}", r.body);
    assert!(
        app.store
            .print_authorities()
            .await
            .expect("list")
            .is_empty()
    );
    assert!(kinds(&app).await.is_empty(), "nothing recorded");

    let r = record_authority(&app, op, "inspector").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location_path(), "/print-authorities/VPA-2026-0001");
    let a = app.get("/print-authorities/VPA-2026-0001", Some(op)).await;
    for words in ["Jane Doe", "Inspector", "id=\"print-form\"", "Front gate"] {
        assert!(a.body.contains(words), "{words}: {}", a.body);
    }
    let (status, _, doc) = app
        .get_bytes("/print-authorities/VPA-2026-0001/document", Some(op))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc, b"%PDF-1.4 signed by Inspector Jane Doe");

    let r = make_print(&app, op, "VPA-2026-0001", start + 2050).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location_path(), "/prints/VP-2026-0001");
    let p = app.get("/prints/VP-2026-0001", Some(op)).await;
    for words in [
        "Front gate",
        "Jane Doe",
        "id=\"print-still\"",
        "id=\"print-give\"",
    ] {
        assert!(p.body.contains(words), "{words}: {}", p.body);
    }
    assert!(!p.body.contains("user:"), "no internal ids");
    let (status, headers, png) = app
        .get_bytes("/prints/VP-2026-0001/still.png", Some(op))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-disposition"]
            .to_str()
            .expect("text")
            .contains("VP-2026-0001.png")
    );
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(
        custos_media::still::png_size(&png),
        Some((640, 360)),
        "the footage's size"
    );
    let file = app.dir.path().join("still.png");
    std::fs::write(&file, &png).expect("write");
    let luma = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&file)
        .args(["-f", "rawvideo", "-pix_fmt", "gray", "-"])
        .output()
        .expect("ffmpeg is installed");
    assert!(luma.status.success(), "{luma:?}");
    let overlay =
        custos_media::simcam::read_overlay(&luma.stdout, 640, 360).expect("the camera's text");
    assert_eq!(
        overlay.unix_ms,
        start + 2040,
        "the frame at or before the moment"
    );
    let (status, _, sidecar) = app
        .get_bytes("/prints/VP-2026-0001/sidecar.json", Some(op))
        .await;
    assert_eq!(status, StatusCode::OK);
    let sidecar: serde_json::Value = serde_json::from_slice(&sidecar).expect("JSON");
    let cam = custos_domain::Ident::parse("front-gate").expect("id");
    let seg = app
        .store
        .segments(Some(&cam), Some("main"), start, start + 1)
        .await
        .expect("segments")
        .remove(0);
    assert_eq!(sidecar["segment"]["sha256"], seg.sha256.as_str());
    assert_eq!(sidecar["print"], "VP-2026-0001");

    // Given to an officer; its destruction authorised by a supervisor, then recorded.
    let path = "/prints/VP-2026-0001/steps";
    let r = step(
        &app,
        op,
        path,
        "step=give&to=PC+Smith&organisation=Nottinghamshire+Police&at=",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = step(&app, op, path, "step=destroy").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("not authorised"), "{}", r.body);
    let r = step(
        &app,
        op,
        path,
        "step=authorise-destruction&reason=Case+closed",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let p = app.get("/prints/VP-2026-0001", Some(sup)).await;
    assert!(p.body.contains("id=\"print-authorise\""), "{}", p.body);
    let r = step(
        &app,
        sup,
        path,
        "step=authorise-destruction&reason=Case+closed",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get("/prints", Some(sup)).await;
    assert!(
        page.body.contains("destruction authorised"),
        "{}",
        page.body
    );
    let r = step(&app, op, path, "step=destroy").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let p = app.get("/prints/VP-2026-0001", Some(op)).await;
    assert!(p.body.contains("Destroyed"), "{}", p.body);
    assert!(!p.body.contains("id=\"print-still\""), "{}", p.body);
    let (status, _, _) = app
        .get_bytes("/prints/VP-2026-0001/still.png", Some(op))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        kinds(&app).await,
        [
            "print-authority-recorded",
            "video-print-made",
            "video-print-downloaded",
            "video-print-given",
            "video-print-destruction-authorised",
            "video-print-destroyed"
        ]
    );

    // The auditor reads the register, not the still; a viewer neither.
    let aud = person(&app, "paud", "auditor").await;
    let page = app.get("/prints", Some(&aud)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("VP-2026-0001"), "{}", page.body);
    assert!(
        !page.body.contains("id=\"authority-form\""),
        "{}",
        page.body
    );
    let (status, _, _) = app
        .get_bytes("/prints/VP-2026-0001/still.png", Some(&aud))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only keepers and countersigners"
    );
    let viewer = person(&app, "pview", "viewer").await;
    assert_eq!(
        app.get("/prints", Some(&viewer)).await.status,
        StatusCode::FORBIDDEN
    );
}

/// BDC-34: where the server has no FFmpeg the pages say that making prints needs it, the
/// authority's page offers no print form, and a print asked for is refused saying so, with
/// nothing recorded.
#[tokio::test]
async fn bdc_34_without_ffmpeg_the_pages_say_so_and_nothing_is_recorded() {
    let (app, t, start) = scheme(&[("pop", "operator")]).await;
    let op = &t[0];
    let r = record_authority(&app, op, "chief-inspector").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    app.store
        .set_ffmpeg_program("/nonexistent/custos-test/ffmpeg");
    let page = app.get("/prints", Some(op)).await;
    assert!(page.body.contains("id=\"no-ffmpeg\""), "{}", page.body);
    assert!(
        page.body.contains("needs the ffmpeg program"),
        "{}",
        page.body
    );
    let a = app.get("/print-authorities/VPA-2026-0001", Some(op)).await;
    assert!(a.body.contains("id=\"no-ffmpeg\""), "{}", a.body);
    assert!(!a.body.contains("id=\"print-form\""), "{}", a.body);
    let r = make_print(&app, op, "VPA-2026-0001", start + 500).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("needs the ffmpeg program"), "{}", r.body);
    assert!(r.body.contains("nothing was recorded"), "{}", r.body);
    assert!(app.store.video_prints().await.expect("prints").is_empty());
    assert_eq!(kinds(&app).await, ["print-authority-recorded"]);
}

/// `pdf` checked with `qpdf --check` and read with `pdftotext`, one space between words.
fn pdf_text(app: &App, pdf: &[u8]) -> String {
    use std::process::Command;
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let file = app.dir.path().join("prints.pdf");
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

/// BDC-34 through the API: an authority refused below Inspector and recorded for a
/// Superintendent with its document in base64; a print made and given; the register as
/// CSV in the code's columns and as a PDF `qpdf` accepts.
#[tokio::test]
async fn bdc_34_the_api_records_an_authority_and_a_print_and_the_register_downloads() {
    let (app, t, start) = scheme(&[("pop", "operator"), ("psup", "supervisor")]).await;
    let (op, sup) = (&t[0], &t[1]);
    let doc = "JVBERi0xLjQgc2lnbmVk"; // "%PDF-1.4 signed"
    let body = |rank: &str| {
        format!(
            r#"{{"officer":"John Roe","rank":"{rank}","number":"77","force":"Metropolitan Police","request":"Stills of the stolen van","dated":"2026-09-20","document":{{"name":"request.pdf","base64":"{doc}"}}}}"#
        )
    };
    let r = app
        .api(
            "POST",
            "/api/v1/print-authorities",
            Some(op),
            Some(&body("sergeant")),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("Inspector or above"), "{}", r.body);
    let r = app
        .api(
            "POST",
            "/api/v1/print-authorities",
            Some(op),
            Some(&body("commander")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let a: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(a["reference"], "VPA-2026-0001");
    assert_eq!(a["rank_words"], "Commander");
    let moment = custos_base::UnixMs(start + 700).to_rfc3339();
    let r = app
        .api(
            "POST",
            "/api/v1/prints",
            Some(op),
            Some(&format!(
                r#"{{"authority":"VPA-2026-0001","camera":"front-gate","moment":"{moment}"}}"#
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let p: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(p["reference"], "VP-2026-0001");
    assert_eq!(p["width"], 640);
    assert_eq!(
        p["frame_at"],
        custos_base::UnixMs(start + 680).to_rfc3339().as_str()
    );
    let steps = "/api/v1/prints/VP-2026-0001/steps";
    let r = app
        .api(
            "POST",
            steps,
            Some(op),
            Some(r#"{"step":"give","to":"DC Roe","organisation":"Metropolitan Police"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .api(
            "POST",
            steps,
            Some(op),
            Some(r#"{"step":"authorise-destruction","reason":"done"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app
        .api(
            "POST",
            steps,
            Some(sup),
            Some(r#"{"step":"authorise-destruction","reason":"The case is closed"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(v["destruction_authorised"]["role"], "supervisor");
    let r = app.api("GET", "/api/v1/prints", Some(sup), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("VP-2026-0001"), "{}", r.body);

    let csv = app.get("/prints.csv", Some(op)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(
        csv.body.lines().next().expect("header"),
        "Reference,Made,Made by,Camera,Moment shown,Authority,Officer,Rank,Warrant or collar number,Force,Authority dated,Given to,Given at,Destruction authorised by,Destruction authorised at,Destroyed by,Destroyed at,Segment SHA-256,Corrections"
    );
    let row = csv.body.lines().nth(1).expect("a row");
    for cell in [
        "VP-2026-0001",
        "John Roe",
        "Commander",
        "DC Roe (Metropolitan Police)",
        "The case is closed",
    ] {
        assert!(row.contains(cell), "{cell}: {row}");
    }
    let (status, headers, pdf) = app.get_bytes("/prints.pdf", Some(op)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/pdf");
    let text = pdf_text(&app, &pdf);
    for words in [
        "Video print register",
        "VP-2026-0001",
        "Officer: John Roe",
        "Rank: Commander",
        "Given to: DC Roe (Metropolitan Police)",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
}
