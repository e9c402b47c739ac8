//! Personal data breaches on the web against a real store (ALT-18, UK GDPR Arts 33–34):
//! reported from the media register, a download or a ledger alarm, counted down on every
//! page of those who handle them, assessed, described, notified to the ICO with the Article
//! 33(3) contents (kept as a PDF with the case), the people affected dealt with, closed,
//! and listed in the breach register.

mod support;

use axum::http::StatusCode;
use support::*;

/// The reference in a redirect to a case's page.
fn reference_of(location: &str) -> String {
    location
        .trim_start_matches("/cases/")
        .split(['?', '#'])
        .next()
        .expect("a reference")
        .to_owned()
}

/// ALT-18: a lost memory stick is reported as a breach from the media register's link;
/// from then, every page of the DPO says how many of the 72 hours are left, while an
/// operator sees nothing of it; the DPO assesses the risk, records what the notification
/// says, reads it as the ICO will — (a) to (d) of Article 33(3), the DPO's contact — records
/// it sent (the countdown ends), records why the families are told by a public notice, and
/// closes it; the register lists it with the year's count, and as CSV.
#[tokio::test]
async fn alt_18_a_lost_medium_becomes_a_breach_notified_to_the_ico_from_its_page() {
    let app = app().await;
    app.store
        .set_master_key(custos_store::secrets::SecretKey::generate().expect("key"));
    let dpo = person(&app, "dp", "dpo").await;
    let operator = app.sign_in("op").await;
    let intake = app
        .get(
            "/cases?report=media-register&about=Medium+M-2026-0001+lost+or+not+returned",
            Some(&dpo),
        )
        .await;
    assert_eq!(intake.status, StatusCode::OK, "{}", intake.body);
    for words in [
        "Report a personal data breach",
        "value=\"breach\" selected",
        "value=\"Medium M-2026-0001 lost or not returned\"",
        "<option value=\"media-register\" selected>From the media register",
    ] {
        assert!(intake.body.contains(words), "{words}: {}", intake.body);
    }
    let csrf = App::csrf(&intake.body);
    let r = app
        .send(
            "POST",
            "/cases",
            Some(&dpo),
            Some(&format!(
                "csrf={csrf}&kind=breach&name=Person+dp&contact=office&summary=Medium+M-2026-0001+lost&details=Left+on+the+school+bus&received=&channel=media-register&seen=&place="
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let reference = reference_of(r.location());
    assert!(reference.starts_with("BRE-2026-"), "{reference}");
    let path = format!("/cases/{reference}");

    // The countdown, on every page of those who handle breaches only.
    let start = app.get("/start", Some(&dpo)).await;
    assert!(
        start.body.contains(&format!(
            "Personal data breach {reference}: the ICO is to be told by"
        )) && start.body.contains("72 hours left"),
        "{}",
        start.body
    );
    let page = app.get(&path, Some(&dpo)).await;
    for option in [
        "value=\"assess-risk:high-risk\"",
        "value=\"assess-risk:unlikely\"",
    ] {
        assert!(page.body.contains(option), "{option}: {}", page.body);
    }
    let theirs = app.get("/live", Some(&operator)).await;
    assert!(
        !theirs.body.contains("Personal data breach"),
        "{}",
        theirs.body
    );
    assert_eq!(
        app.get("/breaches", Some(&operator)).await.status,
        StatusCode::FORBIDDEN
    );

    let step = |s: &str, reasons: &str| {
        let body = format!("csrf={csrf}&step={s}&reasons={reasons}&why_reasonable=&confirm=yes");
        let (app, dpo, path) = (&app, dpo.clone(), format!("{path}/act"));
        async move { app.send("POST", &path, Some(&dpo), Some(&body)).await }
    };
    let r = step(
        "assess-risk%3Ahigh-risk",
        "Footage+of+children+in+the+playground+on+an+unencrypted+stick",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app
        .send(
            "POST",
            &format!("{path}/breach"),
            Some(&dpo),
            Some(&format!(
                "csrf={csrf}&nature=An+unencrypted+memory+stick+with+a+week+of+playground+footage+was+lost+on+the+bus&subject_categories=pupils+and+staff&subjects_approx=300&record_categories=recordings+of+the+playground+camera&records_approx=7&consequences=Children+could+be+recognised+by+strangers&measures=Copies+now+leave+only+encrypted"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let notice = app
        .get(&format!("{path}/ico-notification"), Some(&dpo))
        .await;
    assert_eq!(notice.status, StatusCode::OK, "{}", notice.body);
    for words in [
        "notification to the Information Commissioner&#39;s Office",
        "unencrypted memory stick",
        "pupils and staff",
        "about 300",
        "Children could be recognised",
        "Copies now leave only encrypted",
        "Data Protection Officer",
    ] {
        assert!(notice.body.contains(words), "{words}: {}", notice.body);
    }
    assert!(
        !notice.body.contains("id=\"notification-problems\""),
        "{}",
        notice.body
    );
    let text = app
        .get(&format!("{path}/ico-notification.txt"), Some(&dpo))
        .await;
    assert!(text.body.contains("about 300"), "{}", text.body);

    let r = step("notify-ico%3A", "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let start = app.get("/start", Some(&dpo)).await;
    assert!(
        !start.body.contains("the ICO is to be told by"),
        "{}",
        start.body
    );
    let page = app.get(&path, Some(&dpo)).await;
    assert!(
        page.body.contains("id=\"breach-ico\">Notified "),
        "{}",
        page.body
    );
    let r = step("close%3A", "").await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "people first: {}",
        r.body
    );
    let r = step(
        "not-tell-people%3Adisproportionate-effort",
        "Three+hundred+families%3A+a+letter+home+and+a+notice+on+the+website+instead",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = step("close%3A", "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    let register = app.get("/breaches", Some(&dpo)).await;
    assert_eq!(register.status, StatusCode::OK, "{}", register.body);
    for words in [
        format!("href=\"/cases/{reference}\""),
        "<th scope=\"row\">2026</th><td>1</td><td>1</td>".to_owned(),
        "likely to result in a high risk".to_owned(),
    ] {
        assert!(register.body.contains(&words), "{words}: {}", register.body);
    }
    let csv = app.get("/breaches.csv", Some(&dpo)).await;
    assert!(
        csv.body.starts_with("Reference,Became aware"),
        "{}",
        csv.body
    );
    assert!(csv.body.contains(&reference), "{}", csv.body);
}

/// `pdf` checked with `qpdf --check` and read with `pdftotext`: its text, one space
/// between words (pdftotext breaks lines where the PDF does).
fn pdf_text(app: &App, name: &str, pdf: &[u8]) -> String {
    use std::process::Command;
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let file = app.dir.path().join(name);
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

/// ALT-18, UK GDPR Arts 33(3), 33(5): notifying the ICO keeps the notification as it was
/// sent as a PDF among the breach's documents, ledgered like any document in the same
/// step; the notification also downloads as a PDF at any time. Both are PDFs `qpdf`
/// accepts, with (a) to (d) of Article 33(3), the DPO's contact and, sent after the 72
/// hours, the reasons for the delay.
#[tokio::test]
async fn alt_18_notifying_the_ico_keeps_the_notification_as_a_pdf_with_the_case() {
    notification_pdf_on(app().await).await;
}

/// The same, on PostgreSQL.
#[tokio::test]
async fn alt_18_notifying_the_ico_keeps_the_notification_as_a_pdf_on_postgresql() {
    let Some(location) = postgres().await else {
        return;
    };
    notification_pdf_on(app_on(tempfile::tempdir().expect("tmp"), location).await).await;
}

async fn notification_pdf_on(app: App) {
    use custos_base::Clock as _;
    let dpo = person(&app, "dp", "dpo").await;
    let operator = app.sign_in("op").await;
    let now = app.clock.now().0;
    let c = app
        .store
        .open_case(
            &console(),
            &custos_store::cases::NewCase {
                kind: custos_domain::case::CaseKind::Breach,
                // Four days ago: the notification is late and says why.
                received_at_unix_ms: now - 80 * 3_600_000,
                channel: "staff".to_owned(),
                summary: "Footage e-mailed to the wrong address".to_owned(),
                requester_name: "Person dp".to_owned(),
                requester_contact: "office".to_owned(),
                details: String::new(),
                sighting: None,
                incident_at_unix_ms: None,
                raised_late: false,
            },
        )
        .await
        .expect("breach");
    let reference = c.reference.clone();
    let path = format!("/cases/{reference}");
    let csrf = App::csrf(&app.get(&path, Some(&dpo)).await.body);
    let step = |s: &str, reasons: &str| {
        let body = format!("csrf={csrf}&step={s}&reasons={reasons}&why_reasonable=&confirm=yes");
        let (app, dpo, path) = (&app, dpo.clone(), format!("{path}/act"));
        async move { app.send("POST", &path, Some(&dpo), Some(&body)).await }
    };
    let r = step(
        "assess-risk%3Arisk",
        "Ten+minutes+of+car+park+footage+with+faces+sent+to+a+stranger",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app
        .send(
            "POST",
            &format!("{path}/breach"),
            Some(&dpo),
            Some(&format!(
                "csrf={csrf}&nature=Ten+minutes+of+car+park+footage+were+e-mailed+to+a+parent+instead+of+the+police&subject_categories=parents+and+staff&subjects_approx=25&record_categories=one+recording+of+the+car+park+camera&records_approx=1&consequences=People+in+the+car+park+could+be+recognised&measures=The+parent+deleted+it+and+said+so+in+writing"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app
        .get(&format!("{path}/ico-notification"), Some(&dpo))
        .await;
    for words in [
        format!("href=\"{path}/ico-notification.pdf\""),
        "id=\"notification-keep\"".to_owned(),
    ] {
        assert!(page.body.contains(&words), "{words}: {}", page.body);
    }
    let kept = |app: &App| {
        let (store, reference) = (app.store.clone(), reference.clone());
        async move {
            store
                .case_documents(&reference)
                .await
                .expect("documents")
                .into_iter()
                .filter(|d| d.kind.as_deref() == Some("ico-notification"))
                .collect::<Vec<_>>()
        }
    };
    assert!(
        kept(&app).await.is_empty(),
        "nothing kept before it is sent"
    );

    let r = step(
        "notify-ico%3A",
        "The+wrong+address+was+noticed+only+on+the+fourth+day",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let docs = kept(&app).await;
    assert_eq!(docs.len(), 1, "{docs:?}");
    let doc = &docs[0];
    assert_eq!(doc.name, format!("{reference}-ico-notification.pdf"));
    assert_eq!(doc.media_type, "application/pdf");
    // Ledgered like any document, with the step that records the notification sent.
    let entries = app
        .store
        .ledger_entries(&custos_store::LedgerQuery {
            reference: Some(format!("case:{reference}")),
            ..custos_store::LedgerQuery::default()
        })
        .await
        .expect("entries");
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    let notified = kinds
        .iter()
        .position(|k| *k == "case-notify-ico")
        .expect("notified");
    assert_eq!(
        kinds.get(notified + 1),
        Some(&"case-document-added"),
        "{kinds:?}"
    );
    let added = &entries[notified + 1];
    assert!(
        added.body.contains("\"kind\":\"ico-notification\""),
        "{}",
        added.body
    );
    assert!(added.body.contains(&doc.sha256), "{}", added.body);
    assert_eq!(added.seq, entries[notified].seq + 1, "one transaction");

    let headings = [
        "Personal data breach: notification to the Information Commissioner's Office",
        "(a) The nature of the breach (UK GDPR Article 33(3)(a))",
        "(b) The Data Protection Officer or other contact point (UK GDPR Article 33(3)(b))",
        "(c) The likely consequences of the breach (UK GDPR Article 33(3)(c))",
        "(d) The measures taken or proposed, including to mitigate possible adverse effects (UK GDPR Article 33(3)(d))",
        "Reasons for the delay (UK GDPR Article 33(1))",
    ];
    let contents = [
        "Bosmere Junior School notifies the Information Commissioner's Office",
        "e-mailed to a parent instead of the police",
        "Approximate number of people concerned: about 25",
        "People in the car park could be recognised",
        "The parent deleted it",
        "noticed only on the fourth day",
        // The DPO's contact, from the policy pack.
        "Alison Reilly, Data Protection Officer",
        "E-mail: a.reailly@bosmere.hants.sch.uk",
    ];
    let (status, _, bytes) = app
        .get_bytes(&format!("{path}/documents/{}", doc.id), Some(&dpo))
        .await;
    assert_eq!(status, StatusCode::OK);
    let as_sent = pdf_text(&app, "kept.pdf", &bytes);
    for words in headings.iter().chain(&contents) {
        assert!(as_sent.contains(words), "{words}: {as_sent}");
    }

    let (status, headers, bytes) = app
        .get_bytes(&format!("{path}/ico-notification.pdf"), Some(&dpo))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    let now_text = pdf_text(&app, "download.pdf", &bytes);
    for words in headings.iter().chain(&contents) {
        assert!(now_text.contains(words), "{words}: {now_text}");
    }
    let page = app
        .get(&format!("{path}/ico-notification"), Some(&dpo))
        .await;
    assert!(
        page.body.contains("id=\"notification-kept\""),
        "{}",
        page.body
    );
    let (status, _, _) = app
        .get_bytes(&format!("{path}/ico-notification.pdf"), Some(&operator))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// The address of the link whose `<a>` carries `id` in `body`, as a browser requests it
/// (without its fragment).
fn href_of(body: &str, id: &str) -> String {
    let at = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id}: {body}"));
    let tag = &body[body[..at].rfind("<a ").expect("a link")..];
    tag.split("href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("an address")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
        .split('#')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// ALT-18: a breach is reported from where it is noticed — a copy of footage made for a
/// download that went to the wrong person, a ledger alarm — through the same prefilled
/// intake as the media register's: the link opens the Cases page's form as a breach, with
/// where it came from and what it is about filled in. Only those who may work breach
/// cases see the links; a supervisor who sees the same download and alarm does not.
#[tokio::test]
async fn alt_18_a_breach_is_reported_from_a_download_and_from_a_ledger_alarm() {
    let dir = tempfile::tempdir().expect("tmp");
    let location = custos_store::DatabaseLocation::Sqlite(dir.path().join("custos.db"));
    report_links_on(dir, location).await;
}

/// The same, on PostgreSQL.
#[tokio::test]
async fn alt_18_a_breach_is_reported_from_a_download_and_from_a_ledger_alarm_on_postgresql() {
    let Some(location) = postgres().await else {
        return;
    };
    report_links_on(tempfile::tempdir().expect("tmp"), location).await;
}

async fn report_links_on(dir: tempfile::TempDir, location: custos_store::DatabaseLocation) {
    use custos_base::Clock as _;
    use sqlx::Connection as _;
    let app = app_on(dir, location.clone()).await;
    let cam = add_front_gate(&app).await;
    let dpo = person(&app, "dp", "dpo").await;
    let supervisor = person(&app, "sv", "supervisor").await;
    let now = app.clock.now().0;
    let d = app
        .store
        .request_download(
            &console(),
            &custos_store::evidence::ExportRequest {
                exhibit: "AB/1".to_owned(),
                cameras: vec![cam],
                from_unix_ms: now - 2 * 3_600_000,
                to_unix_ms: now - 3_600_000,
                requester: "PC Smith".to_owned(),
                authoriser: String::new(),
                recipient: "Hampshire Constabulary".to_owned(),
                purpose: "Theft at the gate".to_owned(),
                case_ref: None,
                keep_as: None,
                encrypt: true,
            },
        )
        .await
        .expect("download");
    let page = format!("/downloads/{}", d.id);
    let before = app.get(&page, Some(&dpo)).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    assert!(
        !before.body.contains("id=\"download-report-breach\""),
        "nothing has left before the package is made: {}",
        before.body
    );
    // The package made (making one needs recorded footage; the page reads only the state).
    let made = format!(
        "UPDATE downloads SET state = 'produced', package_id = 'PKG-TEST', produced_at_unix_ms = {now} WHERE id = '{}'",
        d.id
    );
    match &location {
        custos_store::DatabaseLocation::Sqlite(file) => {
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display()))
                .await
                .expect("connect");
            sqlx::raw_sql(sqlx::AssertSqlSafe(made))
                .execute(&mut c)
                .await
                .expect("made");
            c.close().await.expect("close");
        }
        custos_store::DatabaseLocation::Postgres(url) => {
            let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
            sqlx::raw_sql(sqlx::AssertSqlSafe(made))
                .execute(&mut c)
                .await
                .expect("made");
            c.close().await.expect("close");
        }
    }
    let after = app.get(&page, Some(&dpo)).await;
    let link = href_of(&after.body, "download-report-breach");
    assert!(link.starts_with("/cases?report=download&"), "{link}");
    let form = app.get(&link, Some(&dpo)).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    for words in [
        "Report a personal data breach",
        "value=\"breach\" selected",
        "value=\"Copy of exhibit AB/1 sent to the wrong person or lost\"",
        "<option value=\"download\" selected>From a download sent to the wrong place",
    ] {
        assert!(form.body.contains(words), "{words}: {}", form.body);
    }
    let theirs = app.get(&page, Some(&supervisor)).await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
    assert!(
        theirs.body.contains("What became of the copy") && !theirs.body.contains("report a breach"),
        "{}",
        theirs.body
    );

    // A ledger no signature covers fails verification: an alarm on every page.
    let failed = app
        .store
        .verify_and_record(
            &custos_base::Actor::System("ledger-verifier".to_owned()),
            false,
        )
        .await
        .expect("verify");
    assert!(!failed.intact);
    let start = app.get("/start", Some(&dpo)).await;
    let link = href_of(&start.body, &format!("alarm-{}-breach", failed.seq));
    assert!(link.starts_with("/cases?report=ledger-alarm&"), "{link}");
    let form = app.get(&link, Some(&dpo)).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    for words in [
        "Report a personal data breach",
        "value=\"breach\" selected",
        "The ledger failed verification",
        "<option value=\"ledger-alarm\" selected>From a ledger alarm",
    ] {
        assert!(form.body.contains(words), "{words}: {}", form.body);
    }
    let theirs = app.get("/start", Some(&supervisor)).await;
    assert!(
        theirs
            .body
            .contains(&format!("id=\"alarm-{}\"", failed.seq))
            && !theirs.body.contains("report a breach"),
        "{}",
        theirs.body
    );

    // The form, sent, opens the breach with where it came from.
    let csrf = App::csrf(&form.body);
    let r = app
        .send(
            "POST",
            "/cases",
            Some(&dpo),
            Some(&format!(
                "csrf={csrf}&kind=breach&name=Person+dp&contact=office&summary=Ledger+alarm&details=&received=&channel=ledger-alarm&seen=&place="
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let reference = reference_of(r.location());
    let c = app
        .store
        .case(&reference)
        .await
        .expect("case")
        .expect("opened");
    assert_eq!(c.channel, "ledger-alarm");
}
