//! The cases dashboard and a case's page against a real store (LBU-18, BDC-29): open cases
//! with their due dates, amber when due within five working days and red when overdue,
//! "my cases", and steps taken on the page through the case's state machine; third-party
//! disclosure cases from the request form to the authorised release, the disclosure log
//! and the media register (LBU-19, LBU-20, BDC-17, BDC-32, BDC-39).

mod support;

use axum::http::StatusCode;
use custos_base::Clock as _;
use custos_domain::access::Username;
use custos_domain::case::CaseKind;
use custos_store::cases::NewCase;
use support::*;

const DAY: i64 = 86_400_000;

fn sar(at: i64, summary: &str) -> NewCase {
    NewCase {
        kind: CaseKind::SubjectAccess,
        received_at_unix_ms: at,
        channel: "staff".to_owned(),
        summary: summary.to_owned(),
        requester_name: "Alex Example".to_owned(),
        requester_contact: "alex@example.org".to_owned(),
        details: "at the gate".to_owned(),
        sighting: None,
        incident_at_unix_ms: None,
        raised_late: false,
    }
}

/// LBU-18, BDC-29: the DPO sees open subject access requests with their deadlines by the
/// month rule — one overdue (red), one due within five working days (amber), one not yet —
/// filters to their own, and moves a case on from its page; a refusal without reasons is
/// refused; the operator may not open the dashboard.
#[tokio::test]
async fn lbu_18_the_cases_dashboard_shows_deadlines_and_steps_move_cases() {
    let app = app().await;
    let dpo = person(&app, "dp", "dpo").await;
    let operator = app.sign_in("op").await;
    let now = app.clock.now().0;
    let store = &app.store;
    store.set_master_key(custos_store::secrets::SecretKey::generate().expect("key"));
    let console = console();
    let late = store
        .open_case(&console, &sar(now - 40 * DAY, "Late one"))
        .await
        .expect("case");
    let soon = store
        .open_case(&console, &sar(now - 28 * DAY, "Soon one"))
        .await
        .expect("case");
    let fresh = store
        .open_case(&console, &sar(now, "Fresh one"))
        .await
        .expect("case");
    store
        .assign_case(
            &console,
            &fresh.reference,
            &Username::parse("dp").expect("name"),
        )
        .await
        .expect("assign");

    let r = app.get("/cases", Some(&operator)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let page = app.get("/cases", Some(&dpo)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let row = |reference: &str| {
        page.body
            .split(&format!("<tr id=\"case-{reference}\""))
            .nth(1)
            .and_then(|s| s.split("</tr>").next())
            .unwrap_or_else(|| panic!("{reference} in {}", page.body))
            .to_owned()
    };
    assert!(
        row(&late.reference).contains("due-red"),
        "{}",
        row(&late.reference)
    );
    assert!(
        row(&soon.reference).contains("due-amber"),
        "{}",
        row(&soon.reference)
    );
    assert!(
        !row(&fresh.reference).contains("due-"),
        "{}",
        row(&fresh.reference)
    );
    let mine = app.get("/cases?mine=1", Some(&dpo)).await;
    assert!(mine.body.contains(&fresh.reference) && !mine.body.contains(&late.reference));

    // The case page offers only the steps the state machine allows, and records them.
    let path = format!("/cases/{}", fresh.reference);
    let page = app.get(&path, Some(&dpo)).await;
    assert!(
        page.body.contains("value=\"await-identity:\""),
        "{}",
        page.body
    );
    assert!(!page.body.contains("value=\"close:\""));
    // The step list starts at no step: nothing is recorded by default.
    assert!(
        page.body.contains(
            "<select id=\"step\" name=\"step\" required><option value=\"\" selected disabled>Choose a step</option>"
        ),
        "{}",
        page.body
    );
    let csrf = App::csrf(&page.body);
    let act = |step: &str, reasons: &str| {
        format!("csrf={csrf}&step={step}&reasons={reasons}&why_reasonable=")
    };
    let r = app
        .send(
            "POST",
            &format!("{path}/act"),
            Some(&dpo),
            Some(&act("close%3A", "")),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("from here it can"), "{}", r.body);
    for step in ["await-identity%3A", "verify-identity%3A"] {
        let r = app
            .send(
                "POST",
                &format!("{path}/act"),
                Some(&dpo),
                Some(&act(step, "")),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{step}: {}", r.body);
        // The case's page says the step is recorded and what comes next.
        assert_eq!(r.location(), format!("{path}?done=case-step"));
        let told = app.get(r.location(), Some(&dpo)).await.body;
        assert!(told.contains("The step is recorded in the case"), "{told}");
    }
    let r = app
        .send(
            "POST",
            &format!("{path}/act"),
            Some(&dpo),
            Some(&act("decide%3Arefuse", "")),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("needs its reasons"), "{}", r.body);
    let r = app
        .send(
            "POST",
            &format!("{path}/act"),
            Some(&dpo),
            Some(&format!(
                "{}&confirm=yes",
                act(
                    "decide%3Arefuse",
                    "The+footage+was+deleted+before+the+request+arrived",
                )
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&path, Some(&dpo)).await;
    assert!(
        page.body.contains("Refuse: The footage was deleted"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Clock stopped"), "{}", page.body);
    let r = app
        .send(
            "POST",
            &format!("{path}/notes"),
            Some(&dpo),
            Some(&format!("csrf={csrf}&text=Letter+posted+first+class")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = app.get(&path, Some(&dpo)).await;
    assert!(page.body.contains("Letter posted first class"));
}

/// BDC-28, LBU-18: staff open a request taken by letter with the requester's time and
/// place: the front-gate camera is proposed and its footage an hour either side held at
/// once; the case is assigned, and the assignee's deadlines feed (a calendar address with
/// its own token) lists it with its due day and no personal details, while a wrong token is
/// refused. From the public form, a fourth request from one address within the hour is
/// turned away with the form kept.
#[tokio::test]
async fn bdc_28_staff_intake_holds_footage_and_the_deadlines_feed_lists_assigned_cases() {
    let app = app().await;
    app.store
        .set_master_key(custos_store::secrets::SecretKey::generate().expect("key"));
    let cam = add_front_gate(&app).await;
    let now = app.clock.now().0;
    index_hour(&app, &cam, now - now % DAY + 9 * HOUR).await;
    let dpo = person(&app, "dp", "dpo").await;
    let page = app.get("/cases", Some(&dpo)).await;
    let csrf = App::csrf(&page.body);
    let r = app
        .send(
            "POST",
            "/cases",
            Some(&dpo),
            Some(&format!(
                "csrf={csrf}&kind=subject-access&name=Alex+Example&contact=alex%40example.org&summary=Footage+of+me&details=&received=&channel=letter&seen=2026-09-21T10%3A30&place=front+gate"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let path = r.location_path().to_owned();
    let reference = path.trim_start_matches("/cases/").to_owned();
    let c = app
        .store
        .case(&reference)
        .await
        .expect("case")
        .expect("exists");
    assert_eq!(c.channel, "letter");
    assert_eq!(c.footage.len(), 1, "{:?}", c.footage);
    assert!(c.footage[0].hold.is_some(), "held at intake");
    let page = app.get(&path, Some(&dpo)).await;
    assert!(page.body.contains("id=\"case-footage\""), "{}", page.body);

    let r = app
        .send(
            "POST",
            &format!("{path}/assign"),
            Some(&dpo),
            Some(&format!("csrf={csrf}&username=dp")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get("/cases", Some(&dpo)).await;
    let feed = page
        .body
        .split("id=\"deadlines-feed\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the feed's address")
        .to_owned();
    let ics = app.get(&feed, None).await;
    assert_eq!(ics.status, StatusCode::OK, "{}", ics.body);
    assert!(
        ics.body.contains(&format!("SUMMARY:{reference} due")),
        "{}",
        ics.body
    );
    assert!(ics.body.contains("DTSTART;VALUE=DATE:"), "{}", ics.body);
    assert!(!ics.body.contains("Alex"), "no personal details in a feed");
    let wrong = app
        .get("/calendar/dp/00000000000000000000000000000000.ics", None)
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);

    // The public form: three requests an hour from one address, then the form comes back.
    let form = "kind=subject-access&name=Robin+Requester&contact=robin%40example.org&date=2026-01-05&time=09%3A30&place=elsewhere&place_other=front+gate&description=&website=&action=send";
    for _ in 0..custos_web::requests::PER_ADDRESS {
        let r = file_request(&app, form).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("id=\"request-reference\""), "{}", r.body);
    }
    let r = file_request(&app, form).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(
        r.body.contains("Robin Requester"),
        "the form is kept: {}",
        r.body
    );
}

/// BDC-30, ALT-8: accepting an erasure request from its page erases footage, so the DPO,
/// who works cases but may not authorise deleting retained footage in the school's pack,
/// is refused and nothing changes; the manager, who may, accepts it, and the page says
/// what was erased.
#[tokio::test]
async fn bdc_30_accepting_erasure_on_the_web_needs_the_right_to_authorise_deletion() {
    use custos_domain::case::{Action, CaseKind};
    use custos_store::cases::{Sighting, Step};
    let app = app().await;
    app.store
        .set_master_key(custos_store::secrets::SecretKey::generate().expect("key"));
    let cam = add_front_gate(&app).await;
    let dpo = person(&app, "dp", "dpo").await;
    let manager = person(&app, "mgr", "manager").await;
    let now = app.clock.now().0;
    // The gate camera has been recording for two hours (its segment not yet filed).
    app.store
        .put_health(&custos_store::health::Health {
            camera: cam.clone(),
            stream: "main".to_owned(),
            state: "recording".to_owned(),
            since_unix_ms: now - 2 * 3_600_000,
            last_frame_unix_ms: Some(now),
            frames_per_s_milli: 25_000,
            bitrate_bps: 4_000_000,
            reconnects: 0,
            drift_ms: 0,
            detail: String::new(),
            updated_at_unix_ms: now,
        })
        .await
        .expect("health");
    let mut era = sar(now, "Erase footage of me at the gate");
    era.kind = CaseKind::Erasure;
    era.sighting = Some(Sighting {
        at_unix_ms: now - 3_600_000,
        place: "Entrance".to_owned(),
    });
    let c = app.store.open_case(&console(), &era).await.expect("open");
    assert_eq!(c.footage.len(), 1, "the gate camera is proposed");
    app.store
        .act_on_case(&console(), &c.reference, Action::Start, &Step::default())
        .await
        .expect("start");
    let path = format!("/cases/{}", c.reference);
    let accept = |cookie: String| {
        let app = &app;
        let path = path.clone();
        async move {
            let page = app.get(&path, Some(&cookie)).await;
            let csrf = App::csrf(&page.body);
            app.send(
                "POST",
                &format!("{path}/act"),
                Some(&cookie),
                Some(&format!(
                    "csrf={csrf}&step=decide%3Aaccept&reasons=&why_reasonable=&confirm=yes"
                )),
            )
            .await
        }
    };
    let r = accept(dpo).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let still = app
        .store
        .case(&c.reference)
        .await
        .expect("case")
        .expect("exists");
    assert!(still.decision.is_none() && still.erasure.is_none());
    let r = accept(manager.clone()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&path, Some(&manager)).await;
    assert!(page.body.contains("0 segment(s) erased"), "{}", page.body);
    let done = app
        .store
        .case(&c.reference)
        .await
        .expect("case")
        .expect("exists");
    assert!(done.erasure.is_some());
}

const HOUR: i64 = 3_600_000;

const BASSETLAW: &str = include_str!("../../../policies/bassetlaw-district-council.toml");

/// `s` encoded for a form body.
fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b' ' => out.push('+'),
            b if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) => out.push(char::from(b)),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A third-party request as the Cases page's form sends it, for footage of `front-gate`
/// from two hours ago to one hour ago; `changes` replace fields by name.
fn disclosure_form(app: &App, csrf: &str, changes: &[(&str, &str)]) -> String {
    let now = app.clock.now().0;
    let from = custos_base::UnixMs(now - 2 * HOUR).to_uk_local_input();
    let to = custos_base::UnixMs(now - HOUR).to_uk_local_input();
    let mut fields = vec![
        ("csrf", csrf.to_owned()),
        ("category", "law-enforcement".to_owned()),
        ("request_type", "primary".to_owned()),
        ("name", "PC 1234 Sam Officer".to_owned()),
        ("contact", "sam.officer@police.example".to_owned()),
        ("organisation", "Hampshire Constabulary".to_owned()),
        ("crime_reference", String::new()),
        (
            "purpose",
            "Identify the person who damaged the gate".to_owned(),
        ),
        ("cameras", "front-gate".to_owned()),
        ("from", from),
        ("to", to),
        ("received", String::new()),
        ("channel", "email".to_owned()),
    ];
    for (k, v) in changes {
        if let Some(f) = fields.iter_mut().find(|(name, _)| name == k) {
            f.1 = (*v).to_owned();
        }
    }
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Opens a third-party request through the form as `cookie`; returns the case's path.
async fn open_disclosure(app: &App, cookie: &str, changes: &[(&str, &str)]) -> String {
    let page = app.get("/cases", Some(cookie)).await;
    assert!(
        page.body.contains("id=\"open-disclosure\""),
        "{}",
        page.body
    );
    let csrf = App::csrf(&page.body);
    let r = app
        .send(
            "POST",
            "/disclosures/requests",
            Some(cookie),
            Some(&disclosure_form(app, &csrf, changes)),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location().starts_with("/cases/DIS-"), "{}", r.location());
    r.location_path().to_owned()
}

/// Posts `form` (after the CSRF field) to `path` as `cookie`.
async fn post(app: &App, cookie: &str, path: &str, form: &str) -> Reply {
    let page = app.get("/start", Some(cookie)).await;
    let csrf = App::csrf(&page.body);
    app.send(
        "POST",
        path,
        Some(cookie),
        Some(&format!("csrf={csrf}&{form}")),
    )
    .await
}

/// Keeps a document of `kind` with the case at `path`, as its page's upload does.
async fn upload(app: &App, cookie: &str, path: &str, kind: &str) -> Reply {
    let page = app.get(path, Some(cookie)).await;
    let csrf = App::csrf(&page.body);
    app.send_multipart(
        &format!("{path}/documents"),
        cookie,
        &[("csrf", &csrf), ("kind", kind)],
        (
            "file",
            "scan.pdf",
            "application/pdf",
            b"%PDF-1.4 a scanned document",
        ),
    )
    .await
}

/// Records the recipient's acceptance of the agreement as the page shows it.
async fn accept_agreement(app: &App, cookie: &str, path: &str, name: &str, org: &str) -> Reply {
    let reference = path.trim_start_matches("/cases/");
    let text = app
        .store
        .release_agreement(reference, name, org)
        .await
        .expect("agreement");
    post(
        app,
        cookie,
        &format!("{path}/agreement"),
        &format!(
            "recipient={}&organisation={}&shown={}&accepted=1",
            enc(name),
            enc(org),
            enc(&text)
        ),
    )
    .await
}

/// The checklist's items on a case page.
fn checklist(body: &str) -> String {
    body.split("id=\"disclosure-checklist\">")
        .nth(1)
        .and_then(|s| s.split("</ul>").next())
        .unwrap_or("")
        .to_owned()
}

/// LBU-19, LBU-21, SCC-7, BDC-28: staff open a police request through the Cases page's
/// third-party form — a mistake brings the form back with everything typed kept and each
/// problem named, and nothing opened — and its footage is held at once. The case's page
/// lists what a release still needs: the force's form certifying the purpose, the crime
/// reference and the recipient's agreement. The form uploaded by its kind, the crime
/// reference recorded and the agreement accepted as shown, the checklist passes for the
/// owner, whom the school's pack lets authorise; the DPO, whose role may not, is told so and
/// refused. The owner authorises the release under the category's usual legal basis; the
/// ordinary "disclose" step is never offered.
#[tokio::test]
async fn lbu_19_a_police_request_from_the_form_is_authorised_once_its_checklist_passes() {
    police_request_on(app().await).await;
}

/// The same police request, on PostgreSQL.
#[tokio::test]
async fn lbu_19_a_police_request_from_the_form_is_authorised_on_postgresql() {
    let Some(location) = postgres().await else {
        return;
    };
    police_request_on(app_on(tempfile::tempdir().expect("tmp"), location).await).await;
}

async fn police_request_on(app: App) {
    use custos_domain::case::{CaseKind, CaseState, Decision};
    add_front_gate(&app).await;
    let head = person(&app, "head", "owner").await;
    let dpo = person(&app, "dp", "dpo").await;
    let page = app.get("/cases", Some(&head)).await;
    let csrf = App::csrf(&page.body);
    for category in custos_domain::disclosure::Category::ALL {
        assert!(
            page.body.contains(&format!("<option value=\"{category}\"")),
            "{category}"
        );
    }

    // A mistake keeps the form and names each problem; nothing is opened.
    let r = app
        .send(
            "POST",
            "/disclosures/requests",
            Some(&head),
            Some(&disclosure_form(
                &app,
                &csrf,
                &[("organisation", ""), ("purpose", "gate"), ("to", "")],
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let problems = r
        .body
        .split("id=\"disclosure-problems\"")
        .nth(1)
        .and_then(|s| s.split("</div>").next())
        .expect("the problems")
        .to_owned();
    assert_eq!(problems.matches("<li>").count(), 3, "{problems}");
    assert!(problems.contains("organisation"), "{problems}");
    assert!(
        problems.contains("purpose the request states"),
        "{problems}"
    );
    assert!(problems.contains("end of the footage"), "{problems}");
    assert!(r.body.contains("value=\"PC 1234 Sam Officer\""), "kept");
    assert!(r.body.contains("value=\"front-gate\""), "kept");
    assert!(
        r.body
            .contains("<option value=\"law-enforcement\" selected>"),
        "kept"
    );
    assert!(r.body.contains(">gate</textarea>"), "kept");
    let cases = app.store.cases(true).await.expect("cases");
    assert!(
        cases.iter().all(|c| c.kind != CaseKind::Disclosure),
        "nothing opened"
    );

    // Opened: the footage is held at once.
    let path = open_disclosure(&app, &head, &[]).await;
    let reference = path.trim_start_matches("/cases/").to_owned();
    let c = app
        .store
        .case(&reference)
        .await
        .expect("case")
        .expect("exists");
    assert_eq!(c.kind, CaseKind::Disclosure);
    assert_eq!(c.holds.len(), 1, "held from receipt");
    let page = app.get(&path, Some(&head)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("id=\"disclosure\""), "{}", page.body);
    assert!(page.body.contains("Hampshire Constabulary"));
    let missing = checklist(&page.body);
    assert_eq!(missing.matches("<li>").count(), 3, "{missing}");
    assert!(missing.contains("form certifying the purpose"), "{missing}");
    assert!(missing.contains("crime reference number"), "{missing}");
    assert!(missing.contains("release agreement"), "{missing}");
    assert!(
        !page.body.contains("<option value=\"public-interest-test\""),
        "the test is written, not uploaded"
    );
    assert!(page.body.contains("id=\"agreement-preview\""));
    assert!(page.body.contains("id=\"disclosure-start-first\""));

    let r = upload(&app, &head, &path, "police-request-form").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = post(
        &app,
        &head,
        &format!("{path}/crime-reference"),
        "crime_reference=CR%2F0412%2F26",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // An acceptance of a text other than the agreement is not recorded.
    let r = post(
        &app,
        &head,
        &format!("{path}/agreement"),
        "recipient=PC+1234+Sam+Officer&organisation=Hampshire+Constabulary&shown=I+agree+to+nothing&accepted=1",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location().contains("changed=1"), "{}", r.location());
    let changed = app.get(r.location(), Some(&head)).await;
    assert!(changed.body.contains("id=\"agreement-changed\""));
    let r = accept_agreement(
        &app,
        &head,
        &path,
        "PC 1234 Sam Officer",
        "Hampshire Constabulary",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let d = app
        .store
        .disclosure(&reference)
        .await
        .expect("read")
        .expect("some");
    assert_eq!(
        d.documents,
        vec![custos_domain::disclosure::DocumentKind::PoliceRequestForm]
    );
    assert_eq!(d.crime_reference, "CR/0412/26");
    assert!(d.agreement.is_some());

    // The DPO's role may not authorise a release to the police in the school's pack.
    let page = app.get(&path, Some(&dpo)).await;
    let missing = checklist(&page.body);
    assert!(
        missing.contains("none of your roles (Data Protection Officer) may"),
        "{missing}"
    );
    assert!(missing.contains("Owner"), "{missing}");
    let page = app.get(&path, Some(&head)).await;
    assert!(
        page.body.contains("id=\"disclosure-ready\"") && page.body.contains("acting as owner"),
        "{}",
        page.body
    );
    assert!(page.body.contains("id=\"agreement-accepted\""));
    assert!(page.body.contains("social media"), "the accepted text");
    assert!(
        !page.body.contains("id=\"disclosure-authorise\""),
        "start first"
    );
    let r = post(
        &app,
        &head,
        &format!("{path}/act"),
        "step=start%3A&reasons=",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&path, Some(&head)).await;
    assert!(
        page.body.contains("value=\"decide:refuse\""),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("value=\"decide:disclose\""),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("id=\"disclosure-authorise\""),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("<option value=\"dpa-2018-schedule-2-paragraph-2\" selected>"),
        "the category's usual basis"
    );
    // The ordinary step cannot decide it either.
    let r = post(
        &app,
        &head,
        &format!("{path}/act"),
        "step=decide%3Adisclose&reasons=The+police+asked+for+it",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);

    let r = post(&app, &dpo, &format!("{path}/authorise"), "legal_basis=").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body
            .contains("none of your roles (Data Protection Officer) may"),
        "{}",
        r.body
    );
    let r = post(
        &app,
        &head,
        &format!("{path}/authorise"),
        "legal_basis=dpa-2018-schedule-2-paragraph-2",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let c = app
        .store
        .case(&reference)
        .await
        .expect("case")
        .expect("exists");
    assert_eq!(c.state, CaseState::Decided);
    assert_eq!(c.decision.map(|d| d.0), Some(Decision::Disclose));
    let page = app.get(&path, Some(&head)).await;
    assert!(
        page.body
            .contains("Authorised by Person head acting as owner"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("id=\"disclosure-release\""),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("id=\"release-encrypt\" name=\"encrypt\" value=\"1\" checked")
    );

    // Releasing asks first, naming the footage and the recipient; nothing leaves until
    // the owner confirms.
    let r = post(
        &app,
        &head,
        &format!("{path}/release"),
        "exhibit=HC%2F1&encrypt=1",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for words in [
        format!(
            "Release the footage of {reference} to PC 1234 Sam Officer of Hampshire Constabulary?"
        ),
        "You are about to release the footage of Front gate from".to_owned(),
        "to PC 1234 Sam Officer of Hampshire Constabulary, as exhibit HC/1.".to_owned(),
        "encrypted with a passphrase".to_owned(),
        "this cannot be undone".to_owned(),
        "name=\"exhibit\" value=\"HC/1\"".to_owned(),
        "name=\"encrypt\" value=\"1\"".to_owned(),
        "name=\"confirm\" value=\"yes\"".to_owned(),
        "class=\"warning\"".to_owned(),
    ] {
        assert!(r.body.contains(&words), "{words}: {}", r.body);
    }
    let d = app
        .store
        .disclosure(&reference)
        .await
        .expect("disclosure")
        .expect("exists");
    assert!(
        d.releases.is_empty(),
        "nothing is released before confirming"
    );
}

/// BDC-39, BDC-31: a request from the media is always secondary — the form says so when it
/// is given as primary — and, under a pack that releases to the media (Bassetlaw's, through
/// its DPO), its checklist asks for a recorded public-interest test and a police Inspector's
/// written agreement: the test is written on the page (a token one is refused), the
/// agreement uploaded by kind, and only then does the checklist pass; the media's release
/// agreement carries their extra undertakings.
#[tokio::test]
async fn bdc_39_a_media_request_needs_a_public_interest_test_and_an_inspectors_agreement() {
    let app = app().await;
    add_front_gate(&app).await;
    app.store
        .load_policy(&console(), BASSETLAW)
        .await
        .expect("load");
    let dpo = person(&app, "dp", "dpo").await;
    let page = app.get("/cases", Some(&dpo)).await;
    let csrf = App::csrf(&page.body);
    let media = [
        ("category", "media"),
        (
            "organisation",
            "Worksop Guardian, via Nottinghamshire Police",
        ),
        ("crime_reference", "CR/0413/26"),
        ("name", "J Editor"),
    ];
    let r = app
        .send(
            "POST",
            "/disclosures/requests",
            Some(&dpo),
            Some(&disclosure_form(&app, &csrf, &media)),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body
            .contains("always a secondary request, because the media"),
        "{}",
        r.body
    );
    let mut secondary = media.to_vec();
    secondary.push(("request_type", "secondary"));
    let path = open_disclosure(&app, &dpo, &secondary).await;
    let page = app.get(&path, Some(&dpo)).await;
    assert!(page.body.contains("id=\"disclosure-public-interest\""));
    let missing = checklist(&page.body);
    assert!(missing.contains("public-interest test"), "{missing}");
    assert!(missing.contains("Inspector"), "{missing}");
    assert!(missing.contains("certifying that the public"), "{missing}");

    let r = post(
        &app,
        &dpo,
        &format!("{path}/public-interest-test"),
        "text=needed",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("public-interest test out"), "{}", r.body);
    let test = "The police need the public's help to identify a man who assaulted a pensioner at the gate; the assault was serious and he may do it again, which outweighs his privacy.";
    let r = post(
        &app,
        &dpo,
        &format!("{path}/public-interest-test"),
        &format!("text={}", enc(test)),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&path, Some(&dpo)).await;
    assert!(page.body.contains("id=\"public-interest-test\""));
    let missing = checklist(&page.body);
    assert!(!missing.contains("public-interest test"), "{missing}");
    assert!(missing.contains("Inspector"), "{missing}");

    for kind in ["inspector-agreement", "police-request-form"] {
        let r = upload(&app, &dpo, &path, kind).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{kind}: {}", r.body);
    }
    let r = accept_agreement(&app, &dpo, &path, "J Editor", "Worksop Guardian").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = post(&app, &dpo, &format!("{path}/act"), "step=start%3A&reasons=").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&path, Some(&dpo)).await;
    assert!(
        page.body.contains("id=\"disclosure-ready\"")
            && page.body.contains("acting as Data Protection Officer"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("proof of my editing"),
        "the media's undertakings"
    );
    let r = post(&app, &dpo, &format!("{path}/authorise"), "legal_basis=").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

/// BDC-17, LBU-19, BDC-14: the page says a request from the National Crime Agency cannot be
/// refused; refusing it anyway is refused with that message and the case stays in progress
/// and undecided, while a police request is refused with its reasons.
#[tokio::test]
async fn bdc_17_refusing_a_national_crime_agency_request_shows_why_it_cannot_be_and_changes_nothing()
 {
    use custos_domain::case::{CaseState, Decision};
    let app = app().await;
    add_front_gate(&app).await;
    let head = person(&app, "head", "owner").await;
    let path = open_disclosure(
        &app,
        &head,
        &[
            ("category", "national-crime-agency"),
            ("organisation", "National Crime Agency"),
            ("crime_reference", "OP-BRAMBLE"),
        ],
    )
    .await;
    let reference = path.trim_start_matches("/cases/").to_owned();
    let r = post(
        &app,
        &head,
        &format!("{path}/act"),
        "step=start%3A&reasons=",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&path, Some(&head)).await;
    assert!(page.body.contains("id=\"no-refusal\""), "{}", page.body);
    let r = post(
        &app,
        &head,
        &format!("{path}/act"),
        "step=decide%3Arefuse&reasons=We+would+rather+not+release+this+footage",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body.contains("cannot be refused (Crime and Courts Act"),
        "{}",
        r.body
    );
    let c = app
        .store
        .case(&reference)
        .await
        .expect("case")
        .expect("exists");
    assert_eq!(c.state, CaseState::InProgress);
    assert!(c.decision.is_none());

    let police = open_disclosure(&app, &head, &[]).await;
    let r = post(
        &app,
        &head,
        &format!("{police}/act"),
        "step=start%3A&reasons=",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&police, Some(&head)).await;
    assert!(!page.body.contains("id=\"no-refusal\""));
    let r = post(
        &app,
        &head,
        &format!("{police}/act"),
        "step=decide%3Arefuse&reasons=The+camera+faces+away+from+the+road+the+officer+named&confirm=yes",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let c = app
        .store
        .case(police.trim_start_matches("/cases/"))
        .await
        .expect("case")
        .expect("exists");
    assert_eq!(c.decision.map(|d| d.0), Some(Decision::Refuse));
}

/// LBU-20: the Disclosures page, in the navigation of those who read the logbooks, shows
/// the disclosure log, which downloads as CSV headed by its field names, named with today's
/// date; those who do not read the logbooks are refused both.
#[tokio::test]
async fn lbu_20_the_disclosure_log_downloads_as_csv_with_its_field_names() {
    let app = app().await;
    let aud = app.sign_in("aud").await;
    let op = app.sign_in("op").await;
    let page = app.get("/disclosures", Some(&aud)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("<a href=\"/disclosures\" aria-current=\"page\">Disclosures</a>"),
        "in the navigation, marked as the page shown"
    );
    assert!(page.body.contains("id=\"no-disclosures\""), "{}", page.body);
    assert!(
        !page.body.contains("id=\"register-medium\""),
        "the auditor does not export, so registers no media"
    );
    let csv = app.get("/disclosures.csv", Some(&aud)).await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    let header = |name: axum::http::HeaderName| {
        csv.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    assert!(header(axum::http::header::CONTENT_TYPE).starts_with("text/csv"));
    let today = &custos_base::UnixMs(app.clock.now().0).to_uk_local_input()[..10];
    assert_eq!(
        header(axum::http::header::CONTENT_DISPOSITION),
        format!("attachment; filename=\"custos-disclosure-log-{today}.csv\"")
    );
    assert_eq!(
        csv.body,
        format!("{}\r\n", custos_domain::disclosure::LOG_HEADERS.join(","))
    );
    for path in ["/disclosures", "/disclosures.csv"] {
        let r = app.get(path, Some(&op)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    let op_page = app.get("/start", Some(&op)).await;
    assert!(!op_page.body.contains("href=\"/disclosures\""));
}

/// BDC-32: the media register's form registers a physical medium under the first reference
/// of the year, `MED-YYYY-0001`; a mistake brings the form back with what was typed and the
/// problem named; returning the medium is recorded with its remarks; the auditor, who does
/// not export, may not register one, and a form without the session's token is refused.
#[tokio::test]
async fn bdc_32_the_media_register_form_registers_a_medium_under_a_new_reference() {
    let app = app().await;
    let sup = person(&app, "sup", "supervisor").await;
    let aud = app.sign_in("aud").await;
    let page = app.get("/disclosures", Some(&sup)).await;
    assert!(
        page.body.contains("id=\"register-medium\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("id=\"no-media\""));
    let r = post(
        &app,
        &sup,
        "/media",
        "package_id=&case_ref=&description=Encrypted+USB+stick&issued_to=PC+1234+Sam+Officer&organisation=Hampshire+Constabulary&remarks=",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"medium-problems\""), "{}", r.body);
    assert!(r.body.contains("id of the package"), "{}", r.body);
    assert!(r.body.contains("value=\"PC 1234 Sam Officer\""), "kept");
    let good = "package_id=P0123456789abcdef&case_ref=&description=Encrypted+USB+stick%2C+exhibit+JS%2F1&issued_to=PC+1234+Sam+Officer&organisation=Hampshire+Constabulary&remarks=handed+over+at+the+office";
    let r = post(&app, &aud, "/media", good).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app
        .send(
            "POST",
            "/media",
            Some(&sup),
            Some(&format!("csrf=wrong&{good}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(
        app.store
            .media_register()
            .await
            .expect("register")
            .is_empty()
    );
    let r = post(&app, &sup, "/media", good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let year = &custos_base::UnixMs(app.clock.now().0).to_uk_local_input()[..4];
    let reference = format!("MED-{year}-0001");
    assert_eq!(
        r.location(),
        format!("/disclosures?done=medium-registered#medium-{reference}")
    );
    let page = app.get("/disclosures", Some(&sup)).await;
    let row = page
        .body
        .split(&format!("<tr id=\"medium-{reference}\">"))
        .nth(1)
        .and_then(|s| s.split("</tr>").next())
        .unwrap_or_else(|| panic!("{reference} in {}", page.body))
        .to_owned();
    assert!(row.contains("P0123456789abcdef") && row.contains("Hampshire Constabulary"));
    assert!(row.contains("Record it returned"), "{row}");
    let r = post(
        &app,
        &sup,
        &format!("/media/{reference}/returned"),
        "remarks=back+after+the+trial",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get("/disclosures", Some(&sup)).await;
    let row = page
        .body
        .split(&format!("<tr id=\"medium-{reference}\">"))
        .nth(1)
        .and_then(|s| s.split("</tr>").next())
        .expect("the row")
        .to_owned();
    assert!(!row.contains("Record it returned"), "{row}");
    assert!(row.contains("back after the trial"), "{row}");
    let m = app
        .store
        .medium(&reference)
        .await
        .expect("read")
        .expect("some");
    assert!(m.returned_at_unix_ms.is_some());
}

/// An uploaded document is always served as an opaque download, whatever type its uploader
/// claimed: an HTML file with a script cannot become a page of this site.
#[tokio::test]
async fn an_uploaded_document_comes_back_as_a_download_never_as_a_page() {
    let app = app().await;
    app.store
        .set_master_key(custos_store::secrets::SecretKey::generate().expect("key"));
    let dpo = person(&app, "dp", "dpo").await;
    let page = app.get("/cases", Some(&dpo)).await;
    let csrf = App::csrf(&page.body);
    let r = app
        .send(
            "POST",
            "/cases",
            Some(&dpo),
            Some(&format!(
                "csrf={csrf}&kind=subject-access&name=Alex+Example&contact=alex%40example.org&summary=Footage+of+me&details=&received=&channel=letter&seen=&place="
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let path = r.location_path().to_owned();
    let r = app
        .send_multipart(
            &format!("{path}/documents"),
            &dpo,
            &[("csrf", &csrf)],
            (
                "file",
                "letter.html",
                "text/html",
                b"<html><script>alert(document.cookie)</script></html>",
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&path, Some(&dpo)).await;
    let link = page
        .body
        .split("<ul id=\"case-documents\"><li><a href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the document's link")
        .to_owned();
    let doc = app.get(&link, Some(&dpo)).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(
        doc.headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("application/octet-stream")
    );
    assert!(
        doc.headers
            .get(axum::http::header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("attachment;")),
        "{:?}",
        doc.headers
    );
    assert!(doc.body.contains("<script>"), "the bytes are as uploaded");
}

/// A deadlines feed's address can be replaced (the old one stops at once, ledgered), and
/// it stops working when its person may no longer work on cases.
#[tokio::test]
async fn a_deadlines_feed_can_be_replaced_and_ends_with_the_right() {
    let app = app().await;
    app.store
        .set_master_key(custos_store::secrets::SecretKey::generate().expect("key"));
    let dpo = person(&app, "dp", "dpo").await;
    let feed_of = |body: &str| {
        body.split("id=\"deadlines-feed\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .expect("the feed's address")
            .to_owned()
    };
    let page = app.get("/cases", Some(&dpo)).await;
    let old = feed_of(&page.body);
    assert_eq!(app.get(&old, None).await.status, StatusCode::OK);
    let csrf = App::csrf(&page.body);
    let r = app
        .send(
            "POST",
            "/calendar/replace",
            Some(&dpo),
            Some(&format!("csrf={csrf}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let new = feed_of(&app.get("/cases", Some(&dpo)).await.body);
    assert_ne!(new, old);
    assert_eq!(app.get(&old, None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&new, None).await.status, StatusCode::OK);
    let replaced = app
        .store
        .ledger_entries(&custos_store::LedgerQuery::default())
        .await
        .expect("entries")
        .into_iter()
        .filter(|e| e.kind == "calendar-feed-replaced" && e.refs.contains("user:dp"))
        .count();
    assert_eq!(replaced, 1);

    // The role that let them work on cases is revoked: the feed stops.
    let dp = Username::parse("dp").expect("name");
    app.store
        .revoke_role(
            &console(),
            &dp,
            &custos_domain::access::Assignment {
                role: custos_domain::Ident::parse("dpo").expect("role"),
                scope: custos_domain::access::Scope::Scheme,
            },
        )
        .await
        .expect("revoke");
    app.store
        .grant_role(
            &console(),
            &dp,
            &custos_domain::access::Assignment {
                role: custos_domain::Ident::parse("auditor").expect("role"),
                scope: custos_domain::access::Scope::Scheme,
            },
        )
        .await
        .expect("grant");
    assert_eq!(app.get(&new, None).await.status, StatusCode::FORBIDDEN);
}

/// The public form's request for `date` and `time` at the front gate, as a browser sends it.
fn gate_request(date: &str, time: &str) -> String {
    format!(
        "kind=subject-access&name=Robin+Requester&contact=robin%40example.org&date={date}&time={time}&place=elsewhere&place_other=front+gate&description=&website=&action=send"
    )
}

/// The reference on an acknowledgement page.
fn reference_on(page: &str) -> String {
    page.split("id=\"request-reference\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("a reference")
        .trim()
        .to_owned()
}

/// LBU-18, BDC-29: the public form follows the GOV.UK patterns people know. A form with
/// problems comes back with an error summary at the top linking to each field and each
/// problem beside its field (`aria-describedby`, `aria-invalid`), with what was typed kept;
/// a complete form is shown back on a check-your-answers page that files nothing; "Change"
/// brings the form back as typed; only "Send" files the request.
#[tokio::test]
async fn lbu_18_the_public_form_links_each_problem_to_its_field_and_shows_the_answers_before_sending()
 {
    let app = app().await;
    add_front_gate(&app).await;
    let cases_before = app.store.cases(true).await.expect("cases").len();

    // No name and no time: the summary links to both fields, each field says why.
    let form = gate_request("2026-09-21", "")
        .replace("name=Robin+Requester", "name=")
        .replace("&action=send", "&action=check");
    let r = app.send("POST", "/requests", None, Some(&form)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("<title>Error: "), "{}", r.body);
    assert!(r.body.contains("There is a problem"), "{}", r.body);
    for field in ["name", "time"] {
        assert!(
            r.body.contains(&format!("<a href=\"#{field}\">")),
            "{field} linked from the summary: {}",
            r.body
        );
        assert!(
            r.body.contains(&format!("id=\"{field}-error\"")),
            "{field}'s own message: {}",
            r.body
        );
        assert!(
            r.body
                .contains(&format!("{field}-error\" aria-invalid=\"true\"")),
            "{field} marked invalid and described by its message: {}",
            r.body
        );
    }
    assert!(!r.body.contains("href=\"#contact\""), "{}", r.body);
    assert!(
        r.body.contains("robin@example.org"),
        "kept as typed: {}",
        r.body
    );

    // Complete: the answers to check, and nothing filed yet.
    let complete = gate_request("2026-09-21", "10:30").replace("&action=send", "&action=check");
    let r = app.send("POST", "/requests", None, Some(&complete)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body
            .contains("Check your answers before sending your request")
            && r.body.contains("Robin Requester")
            && r.body.contains("front gate")
            && r.body.contains("value=\"send\""),
        "{}",
        r.body
    );
    assert_eq!(
        app.store.cases(true).await.expect("cases").len(),
        cases_before
    );

    // Change: the form again, as typed, without complaint.
    let change = complete.replace("&action=check", "&action=change");
    let r = app.send("POST", "/requests", None, Some(&change)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("id=\"request-form\"")
            && r.body.contains("value=\"Robin Requester\"")
            && !r.body.contains("There is a problem"),
        "{}",
        r.body
    );
    assert_eq!(
        app.store.cases(true).await.expect("cases").len(),
        cases_before
    );

    // Send: filed, and on to the acknowledgement.
    let send = complete.replace("&action=check", "&action=send");
    let r = file_request(&app, &send).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("id=\"request-reference\""), "{}", r.body);
    assert_eq!(
        app.store.cases(true).await.expect("cases").len(),
        cases_before + 1
    );
}

/// BDC-28: a request from the public holds footage only where some exists, provisionally
/// (the pack's 14 days), until staff accept the request — then the hold is confirmed for
/// its class's whole period (ledgered). A request naming a time with no footage holds
/// nothing; footage a camera is recording now counts as existing.
#[tokio::test]
async fn bdc_28_a_public_request_holds_existing_footage_provisionally_until_staff_accept_it() {
    let mut app = app().await;
    let cam = add_front_gate(&app).await;
    let now = app.clock.now().0;
    let day_start = now - now % DAY;
    index_hour(&app, &cam, day_start + 9 * 3_600_000).await;

    // Footage exists at 09:30 UTC (10:30 in London, BST): held, for 14 days.
    let r = file_request(&app, &gate_request("2026-09-21", "10:30")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let reference = reference_on(&r.body);
    let case = app
        .store
        .case(&reference)
        .await
        .expect("case")
        .expect("exists");
    assert_eq!(case.holds.len(), 1, "{case:?}");
    let hold = app
        .store
        .hold(&case.holds[0])
        .await
        .expect("hold")
        .expect("exists");
    assert!(hold.provisional);
    assert_eq!(hold.expires_at_unix_ms, now + 14 * DAY);

    // Nothing recorded at 03:00: nothing held (the case is opened all the same).
    app.peer = "192.0.2.99:5000".parse().expect("addr");
    let r = file_request(&app, &gate_request("2026-09-21", "03:00")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let empty = app
        .store
        .case(&reference_on(&r.body))
        .await
        .expect("case")
        .expect("exists");
    assert!(empty.holds.is_empty(), "{empty:?}");

    // Footage still being recorded exists too, before its segment closes: the camera has
    // been recording since 12:00 UTC, and 14:00 in London (13:00 UTC) is held.
    app.store
        .put_health(&custos_store::health::Health {
            camera: cam.clone(),
            stream: "main".to_owned(),
            state: "recording".to_owned(),
            since_unix_ms: day_start + 12 * 3_600_000,
            last_frame_unix_ms: Some(now),
            frames_per_s_milli: 25_000,
            bitrate_bps: 4_000_000,
            reconnects: 0,
            drift_ms: 0,
            detail: String::new(),
            updated_at_unix_ms: now,
        })
        .await
        .expect("health");
    app.peer = "198.51.100.7:5000".parse().expect("addr");
    let r = file_request(&app, &gate_request("2026-09-21", "14:00")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let live = app
        .store
        .case(&reference_on(&r.body))
        .await
        .expect("case")
        .expect("exists");
    assert_eq!(live.holds.len(), 1, "{live:?}");

    // Staff accept the request: the hold is confirmed for the class's three months.
    let dpo = Username::parse("dp").expect("name");
    person(&app, "dp", "dpo").await;
    app.store
        .act_on_case(
            &custos_base::Actor::User(dpo.to_string()),
            &reference,
            custos_domain::case::Action::Start,
            &custos_store::cases::Step::default(),
        )
        .await
        .expect("start");
    let hold = app
        .store
        .hold(&hold.id)
        .await
        .expect("hold")
        .expect("exists");
    assert!(!hold.provisional);
    assert!(hold.expires_at_unix_ms > now + 80 * DAY, "{hold:?}");
    let confirmed = app
        .store
        .ledger_entries(&custos_store::LedgerQuery::default())
        .await
        .expect("entries")
        .into_iter()
        .filter(|e| e.kind == "hold-confirmed" && e.refs.contains(&format!("case:{reference}")))
        .count();
    assert_eq!(confirmed, 1);
}

/// The public form's limits cannot be dodged or used against everyone: an IPv6 client
/// counts as its /64, one network (a /24) may take only its share of the hour's requests,
/// so the public elsewhere still gets through; and the flood is shown to staff, with the
/// first refusal from each network in the access logbook.
#[tokio::test]
async fn the_public_forms_limits_count_ipv6_by_64_and_no_network_uses_them_up() {
    let mut app = app().await;
    add_front_gate(&app).await;
    let form = gate_request("2026-09-21", "10:30");
    // Four addresses of one IPv6 /64: the fourth is turned away.
    for i in 1..=4u8 {
        app.peer = format!("[2001:db8:7:1::{i}]:5000").parse().expect("addr");
        let r = file_request(&app, &form).await;
        let want = if i <= 3 {
            StatusCode::OK
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(r.status, want, "request {i}: {}", r.body);
    }
    // Twenty addresses of one /24, three requests each: fifteen get through.
    let mut accepted = 0;
    for host in 1..=20u8 {
        app.peer = format!("203.0.113.{host}:5000").parse().expect("addr");
        for _ in 0..3 {
            if app
                .send("POST", "/requests", None, Some(&form))
                .await
                .status
                == StatusCode::SEE_OTHER
            {
                accepted += 1;
            }
        }
    }
    assert_eq!(accepted, custos_web::requests::PER_NETWORK);
    // Someone elsewhere is not locked out.
    app.peer = "198.51.100.7:5000".parse().expect("addr");
    let r = file_request(&app, &form).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let refusals: Vec<_> = app
        .store
        .ledger_entries(&custos_store::LedgerQuery {
            book: Some(custos_domain::ledger::Book::Access),
            ..Default::default()
        })
        .await
        .expect("entries")
        .into_iter()
        .filter(|e| e.kind == "public-requests-refused")
        .collect();
    assert_eq!(refusals.len(), 2, "one per network: {refusals:?}");
    assert!(refusals.iter().any(|e| e.body.contains("203.0.113.0/24")));
    assert!(refusals.iter().any(|e| e.body.contains("2001:db8:7::/48")));
    let dpo = person(&app, "dp", "dpo").await;
    let start = app.get("/start", Some(&dpo)).await;
    assert!(
        start
            .body
            .contains("turned away 46 requests in the last hour")
            && start.body.contains("203.0.113.0/24"),
        "{}",
        start.body
    );
}

/// Posts the public form as a browser does: a redirect to the acknowledgement is followed.
async fn file_request(app: &App, form: &str) -> Reply {
    let r = app.send("POST", "/requests", None, Some(form)).await;
    if r.status == StatusCode::SEE_OTHER {
        let to = r.location().to_owned();
        return app.get(&to, None).await;
    }
    r
}

/// The entries about case `reference` of kind `kind`.
async fn case_entries(
    app: &App,
    reference: &str,
    kind: &str,
) -> Vec<custos_domain::ledger::StoredEntry> {
    app.store
        .ledger_entries(&custos_store::LedgerQuery::default())
        .await
        .expect("entries")
        .into_iter()
        .filter(|e| e.kind == kind && e.refs.contains(&format!("case:{reference}")))
        .collect()
}

/// BJS-10, BJS-8, BDC-29: a subject access request about a time the scheme no longer has
/// footage of — older than the school's 21 days, erased automatically — is told so on its
/// acknowledgement page and in its acknowledgement letter, holds nothing and proposes no
/// footage to review; so is one about a time within the 21 days when the cameras there
/// recorded nothing, and one taken by letter by staff. Staff see why on the case's page.
#[tokio::test]
async fn bjs_10_a_request_about_erased_footage_is_told_so_and_holds_nothing() {
    use custos_domain::case::FootageAbsence;
    let mut app = app().await;
    let cam = add_front_gate(&app).await;
    let now = app.clock.now().0;
    let day_start = now - now % DAY;
    index_hour(&app, &cam, day_start + 9 * 3_600_000).await;

    // 1 August is 51 days before 21 September: past the school's 21 days.
    let r = file_request(&app, &gate_request("2026-08-01", "10:30")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("id=\"request-no-footage\""), "{}", r.body);
    assert!(
        r.body.contains("21 days") && r.body.contains("no longer exists"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("id=\"request-kept\""), "{}", r.body);
    assert!(
        !r.body.contains("recognise you in the footage"),
        "{}",
        r.body
    );
    let reference = reference_on(&r.body);
    let case = app
        .store
        .case(&reference)
        .await
        .expect("case")
        .expect("exists");
    assert!(case.holds.is_empty(), "{case:?}");
    assert!(case.footage.is_empty(), "nothing to review: {case:?}");
    assert_eq!(
        case.footage_absent,
        Some(FootageAbsence::PastRetention { kept_days: 21 })
    );
    let opened = case_entries(&app, &reference, "case-opened").await;
    assert_eq!(opened.len(), 1);
    assert!(
        opened[0]
            .body
            .contains("\"footage_absent\":\"past-retention\""),
        "{}",
        opened[0].body
    );
    assert!(
        case_entries(&app, &reference, "case-footage-held")
            .await
            .is_empty()
    );

    // Staff see why, with nothing offered to review.
    let dpo = person(&app, "dp", "dpo").await;
    let page = app.get(&format!("/cases/{reference}"), Some(&dpo)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("id=\"footage-absent\""), "{}", page.body);
    assert!(!page.body.contains("/review?"), "{}", page.body);
    // The acknowledgement letter says so, and promises to keep nothing.
    let letter = app
        .get(
            &format!("/cases/{reference}/letters/acknowledgement"),
            Some(&dpo),
        )
        .await;
    assert_eq!(letter.status, StatusCode::OK, "{}", letter.body);
    assert!(
        letter.body.contains("21 days") && letter.body.contains("no longer exists"),
        "{}",
        letter.body
    );
    assert!(!letter.body.contains("is kept while"), "{}", letter.body);

    // Within the 21 days, at 03:00 today, the gate camera recorded nothing.
    app.peer = "192.0.2.99:5000".parse().expect("addr");
    let r = file_request(&app, &gate_request("2026-09-21", "03:00")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("id=\"request-no-footage\""), "{}", r.body);
    assert!(r.body.contains("recorded nothing"), "{}", r.body);
    let empty = app
        .store
        .case(&reference_on(&r.body))
        .await
        .expect("case")
        .expect("exists");
    assert!(
        empty.holds.is_empty() && empty.footage.is_empty(),
        "{empty:?}"
    );
    assert_eq!(empty.footage_absent, Some(FootageAbsence::NoneRecorded));

    // A request taken by letter about 1 August holds nothing either.
    let csrf = App::csrf(&app.get("/cases", Some(&dpo)).await.body);
    let r = app
        .send(
            "POST",
            "/cases",
            Some(&dpo),
            Some(&format!(
                "csrf={csrf}&kind=subject-access&name=Alex+Example&contact=alex%40example.org&summary=Footage+of+me&details=&received=&channel=letter&seen=2026-08-01T10%3A30&place=front+gate"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let by_letter = app
        .store
        .case(
            r.location()
                .trim_start_matches("/cases/")
                .split(['?', '#'])
                .next()
                .unwrap_or_default(),
        )
        .await
        .expect("case")
        .expect("exists");
    assert!(
        by_letter.holds.is_empty() && by_letter.footage.is_empty(),
        "{by_letter:?}"
    );
    assert_eq!(
        by_letter.footage_absent,
        Some(FootageAbsence::PastRetention { kept_days: 21 })
    );
}

/// BDC-28: the footage on a case's page says in words whether it is kept (and until when)
/// — never a hold's internal id — and once the case is answered and closed, the hold that
/// kept it while it was pending shows as released, not as still keeping it.
#[tokio::test]
async fn bdc_28_a_closed_case_shows_its_released_hold_as_released() {
    let app = app().await;
    let cam = add_front_gate(&app).await;
    let now = app.clock.now().0;
    let day_start = now - now % DAY;
    index_hour(&app, &cam, day_start + 9 * 3_600_000).await;
    let r = file_request(&app, &gate_request("2026-09-21", "10:30")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("id=\"request-kept\""), "{}", r.body);
    let reference = reference_on(&r.body);
    let hold = app
        .store
        .case(&reference)
        .await
        .expect("case")
        .expect("exists")
        .holds[0]
        .clone();
    let dpo = person(&app, "dp", "dpo").await;
    let page = app.get(&format!("/cases/{reference}"), Some(&dpo)).await;
    let row = |body: &str| {
        body.split("id=\"case-footage\"")
            .nth(1)
            .and_then(|s| s.split("</table>").next())
            .expect("the footage table")
            .to_owned()
    };
    let before = row(&page.body);
    assert!(before.contains("kept provisionally until"), "{before}");
    assert!(!before.contains(&hold), "no internal ids: {before}");

    let actor = custos_base::Actor::User("dp".to_owned());
    for action in [
        custos_domain::case::Action::Start,
        custos_domain::case::Action::Decide(custos_domain::case::Decision::ViewOnly),
        custos_domain::case::Action::Close,
    ] {
        app.store
            .act_on_case(
                &actor,
                &reference,
                action,
                &custos_store::cases::Step::default(),
            )
            .await
            .expect("step");
    }
    let page = app.get(&format!("/cases/{reference}"), Some(&dpo)).await;
    let after = row(&page.body);
    assert!(after.contains("released"), "{after}");
    assert!(!after.contains("kept"), "{after}");
    assert!(!after.contains(&hold), "no internal ids: {after}");
}

/// The key a fresh copy of the public form carries, fetched over the wire.
async fn fresh_key(addr: std::net::SocketAddr) -> String {
    let form = wire(addr, "GET", "/requests/new", None).await;
    assert_eq!(form.status, 200, "{}", form.body);
    form.body
        .split("name=\"request_key\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the form's key")
        .to_owned()
}

/// LBU-18, BDC-29: through the real HTTP server, the public form is sent as POST and
/// answered with a redirect to its acknowledgement (POST-redirect-GET), so refreshing the
/// acknowledgement asks for nothing again; the same form sent twice (the same hidden key:
/// back and send again, or a double click) files one request and points to the same
/// acknowledgement, and does not use up the address's three tries an hour. A form whose
/// words were changed before it was sent again is a new request.
#[tokio::test]
async fn lbu_18_a_request_sent_twice_is_filed_once_and_costs_its_address_one_try() {
    let app = app().await;
    add_front_gate(&app).await;
    let server = app.serve_http().await;
    let addr = server.addr;
    let key = fresh_key(addr).await;
    let form = format!("{}&request_key={key}", gate_request("2026-09-21", "10:30"));
    let first = wire(addr, "POST", "/requests", Some(&form)).await;
    assert_eq!(first.status, 303, "{}", first.body);
    let ack = first.location.clone();
    assert!(ack.starts_with("/requests/received/"), "{ack}");
    let page = wire(addr, "GET", &ack, None).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let reference = reference_on(&page.body);
    // Refreshing the acknowledgement shows it again and files nothing.
    let again = wire(addr, "GET", &ack, None).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(reference_on(&again.body), reference);
    // The form sent again lands on the same acknowledgement.
    let second = wire(addr, "POST", "/requests", Some(&form)).await;
    assert_eq!(second.status, 303, "{}", second.body);
    assert_eq!(second.location, ack);
    let cases = app.store.cases(true).await.expect("cases");
    assert_eq!(cases.len(), 1, "one case: {cases:?}");
    let opened = app
        .store
        .ledger_entries(&custos_store::LedgerQuery::default())
        .await
        .expect("entries")
        .into_iter()
        .filter(|e| e.kind == "case-opened")
        .count();
    assert_eq!(opened, 1);

    // Changed before it was sent again: a new request, with its own acknowledgement.
    let changed = format!("{}&request_key={key}", gate_request("2026-09-21", "11:15"));
    let third = wire(addr, "POST", "/requests", Some(&changed)).await;
    assert_eq!(third.status, 303, "{}", third.body);
    assert_ne!(third.location, ack);
    // The duplicate cost nothing: this address has had two of its three tries.
    let fresh = format!(
        "{}&request_key={}",
        gate_request("2026-09-21", "12:00"),
        fresh_key(addr).await
    );
    assert_eq!(
        wire(addr, "POST", "/requests", Some(&fresh)).await.status,
        303
    );
    let over = format!(
        "{}&request_key={}",
        gate_request("2026-09-21", "12:30"),
        fresh_key(addr).await
    );
    assert_eq!(
        wire(addr, "POST", "/requests", Some(&over)).await.status,
        429
    );
    // Even at the limit, the first form sent once more still finds its acknowledgement.
    let late = wire(addr, "POST", "/requests", Some(&form)).await;
    assert_eq!(late.status, 303, "{}", late.body);
    assert_eq!(late.location, ack);
    assert_eq!(app.store.cases(true).await.expect("cases").len(), 3);
    // An acknowledgement nobody was given is not found.
    let unknown = wire(
        addr,
        "GET",
        "/requests/received/00000000000000000000000000000000",
        None,
    )
    .await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
}

/// Deciding a case asks first: the step alone changes nothing and answers with a page
/// naming the case and the decision, with the reasons the requester will read, carrying
/// the form's fields; a decision the case cannot take is refused before anything is asked;
/// confirming records it.
#[tokio::test]
async fn deciding_a_case_asks_first_naming_the_case_and_the_decision() {
    let app = app().await;
    app.store
        .set_master_key(custos_store::secrets::SecretKey::generate().expect("key"));
    let dpo = person(&app, "dp", "dpo").await;
    let c = app
        .store
        .open_case(&console(), &sar(app.clock.now().0, "At the gate"))
        .await
        .expect("case");
    let path = format!("/cases/{}", c.reference);
    let csrf = App::csrf(&app.get(&path, Some(&dpo)).await.body);
    let send = |form: String| {
        let (app, dpo, path) = (&app, &dpo, &path);
        async move {
            app.send("POST", &format!("{path}/act"), Some(dpo), Some(&form))
                .await
        }
    };
    let r = send(format!("csrf={csrf}&step=start%3A&reasons=")).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "steps that can be taken back do not ask"
    );
    let refuse = format!(
        "csrf={csrf}&step=decide%3Arefuse&reasons=The+camera+was+off+that+day&why_reasonable="
    );
    let r = send(refuse.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for words in [
        format!("Decide {}?", c.reference),
        format!(
            "You are about to decide {} (At the gate): to refuse the request",
            c.reference
        ),
        "The camera was off that day".to_owned(),
        "This cannot be undone".to_owned(),
        "name=\"step\" value=\"decide:refuse\"".to_owned(),
        "name=\"confirm\" value=\"yes\"".to_owned(),
        format!("href=\"{path}\" id=\"confirm-cancel\""),
        "class=\"warning\"".to_owned(),
        "id=\"nav\"".to_owned(),
    ] {
        assert!(r.body.contains(&words), "{words}: {}", r.body);
    }
    let now = app
        .store
        .case(&c.reference)
        .await
        .expect("case")
        .expect("c");
    assert!(now.decision.is_none(), "nothing changes before confirming");

    // A refusal without reasons is refused at once, not after confirming.
    let r = send(format!("csrf={csrf}&step=decide%3Arefuse&reasons=")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("needs its reasons"), "{}", r.body);

    let r = send(format!("{refuse}&confirm=yes")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let now = app
        .store
        .case(&c.reference)
        .await
        .expect("case")
        .expect("c");
    assert_eq!(
        now.decision.map(|d| d.0),
        Some(custos_domain::case::Decision::Refuse)
    );
}

/// A complaint as the public form sends it: about the front gate, at `time` on `date`.
fn gate_complaint(date: &str, time: &str, action: &str) -> String {
    format!(
        "kind=complaint&name=Casey+Complainant&contact=casey%40example.org&description=The+gate+camera+recorded+me+arguing+and+a+guard+showed+the+footage+to+others&date={date}&time={time}&place=elsewhere&place_other=front+gate&website=&action={action}"
    )
}

/// BDC-21, SCC-4: the transparency page links a complaint form beside the request form;
/// it says what is missing, shows the answers before sending, and files a complaint whose
/// acknowledgement gives the day it will be acknowledged in writing (five working days) and
/// the day it will be answered; the footage of the incident it names is kept.
#[tokio::test]
async fn bdc_21_a_complaint_from_the_public_form_is_acknowledged_with_its_dates() {
    let app = app().await;
    let cam = add_front_gate(&app).await;
    let now = app.clock.now().0;
    index_hour(&app, &cam, now - now % DAY + 9 * 3_600_000).await;
    let home = app.get("/", None).await;
    assert!(
        home.body.contains("href=\"/complaints/new\""),
        "{}",
        home.body
    );
    let form = app.get("/complaints/new", None).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    for words in [
        "Make a complaint about our CCTV",
        "within 5 working days",
        "name=\"kind\" value=\"complaint\"",
    ] {
        assert!(form.body.contains(words), "{words}: {}", form.body);
    }

    // Without the complaint itself: the summary links to the field, and nothing is filed.
    let before = app.store.cases(true).await.expect("cases").len();
    let empty = gate_complaint("2026-09-21", "10:30", "check")
        .replace("description=The+gate", "description=&x=");
    let r = app.send("POST", "/requests", None, Some(&empty)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body
            .contains("<a href=\"#description\">Tell us what your complaint is about"),
        "{}",
        r.body
    );
    assert!(r.body.contains("id=\"complaint-form\""), "{}", r.body);
    let r = app
        .send(
            "POST",
            "/requests",
            None,
            Some(&gate_complaint("2026-09-21", "10:30", "check")),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body
            .contains("Check your answers before sending your complaint")
            && r.body.contains("Your complaint")
            && r.body.contains("front gate"),
        "{}",
        r.body
    );
    assert_eq!(app.store.cases(true).await.expect("cases").len(), before);

    let r = file_request(&app, &gate_complaint("2026-09-21", "10:30", "send")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let reference = reference_on(&r.body);
    assert!(reference.starts_with("COM-2026-"), "{reference}");
    // Received Monday 21 September 2026: acknowledged by Monday 28 September, answered by
    // Wednesday 21 October (the school's pack: a month).
    for words in [
        "We have your complaint",
        "Monday 28 September 2026",
        "Wednesday 21 October 2026",
        "id=\"request-kept\"",
    ] {
        assert!(r.body.contains(words), "{words}: {}", r.body);
    }
    let case = app
        .store
        .case(&reference)
        .await
        .expect("case")
        .expect("exists");
    assert_eq!(case.kind, CaseKind::Complaint);
    assert!(case.incident_at_unix_ms.is_some() && !case.raised_late);
    assert_eq!(case.holds.len(), 1, "the incident's footage is held");
}

/// BDC-21, LBU-25: staff work a complaint from its page: the acknowledgement is due
/// first; acknowledged, the answer is; it is answered "not upheld" with its findings and
/// letter; the complainant appeals, with the grounds; the person who answered may not
/// decide the appeal, a colleague does, and the appeal outcome letter gives the final
/// answer and the ICO.
#[tokio::test]
async fn lbu_25_a_complaint_is_acknowledged_answered_and_appealed_on_its_page() {
    let app = app().await;
    app.store
        .set_master_key(custos_store::secrets::SecretKey::generate().expect("key"));
    let first = person(&app, "dp", "dpo").await;
    let second = person(&app, "dp2", "dpo").await;
    let now = app.clock.now().0;
    let c = app
        .store
        .open_case(
            &console(),
            &NewCase {
                kind: CaseKind::Complaint,
                received_at_unix_ms: now,
                channel: "letter".to_owned(),
                summary: "camera facing a neighbour's garden".to_owned(),
                requester_name: "Nell Neighbour".to_owned(),
                requester_contact: "nell@example.org".to_owned(),
                details: "The new camera on the hall looks into my garden.".to_owned(),
                sighting: None,
                incident_at_unix_ms: Some(now - 2 * DAY),
                raised_late: false,
            },
        )
        .await
        .expect("complaint");
    let path = format!("/cases/{}", c.reference);
    let page = app.get(&path, Some(&first)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("Acknowledgement due Monday 28 September 2026"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("value=\"acknowledge:\""),
        "{}",
        page.body
    );
    let csrf = App::csrf(&page.body);
    let csrf2 = App::csrf(&app.get(&path, Some(&second)).await.body);
    let step = |who: &String, step: &str, reasons: &str| {
        let token = if *who == second { &csrf2 } else { &csrf };
        let body =
            format!("csrf={token}&step={step}&reasons={reasons}&why_reasonable=&confirm=yes");
        let path = format!("{path}/act");
        let who = who.clone();
        let app = &app;
        async move { app.send("POST", &path, Some(&who), Some(&body)).await }
    };
    for s in ["acknowledge%3A", "start%3A"] {
        let r = step(&first, s, "").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{s}: {}", r.body);
    }
    let page = app.get(&path, Some(&first)).await;
    assert!(
        page.body.contains("Wednesday 21 October 2026")
            && !page.body.contains("Acknowledgement due"),
        "the answer is due next: {}",
        page.body
    );
    let r = step(
        &first,
        "decide%3Anot-upheld",
        "The+camera+is+masked+so+that+it+shows+only+the+hall%27s+wall",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app
        .send(
            "POST",
            &format!("{path}/letters/response"),
            Some(&first),
            Some(&format!("csrf={csrf}")),
        )
        .await;
    assert!(r.status.is_redirection(), "{}", r.body);
    let letter = app
        .get(&format!("{path}/letters/response"), Some(&first))
        .await;
    for words in [
        "Our answer to your complaint",
        "we do not uphold it",
        "you can appeal",
    ] {
        assert!(letter.body.contains(words), "{words}: {}", letter.body);
    }
    let r = step(&first, "close%3A", "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // The appeal, with its grounds; not decided by the one who answered.
    let r = step(
        &first,
        "appeal%3A",
        "The+mask+still+shows+part+of+my+garden",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = step(&first, "decide-appeal%3Anot-upheld", "The+mask+is+correct").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body.contains("not involved in the first answer"),
        "{}",
        r.body
    );
    let r = step(
        &second,
        "decide-appeal%3Aupheld",
        "A+site+visit+found+the+mask+one+metre+short%3B+it+was+moved",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&path, Some(&second)).await;
    for words in [
        "The mask still shows part of my garden",
        "Decided to uphold the appeal by Person dp2",
        "id=\"letter-appeal-outcome\"",
    ] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }
    let letter = app
        .get(&format!("{path}/letters/appeal-outcome"), Some(&second))
        .await;
    for words in ["This is our final answer", "one metre short", "ico.org.uk"] {
        assert!(letter.body.contains(words), "{words}: {}", letter.body);
    }
    let r = step(&second, "close%3A", "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let kinds: Vec<String> = app
        .store
        .ledger_entries(&custos_store::LedgerQuery {
            reference: Some(format!("case:{}", c.reference)),
            ..custos_store::LedgerQuery::default()
        })
        .await
        .expect("entries")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    for k in [
        "case-acknowledge",
        "case-decide",
        "case-appeal",
        "case-decide-appeal",
        "case-close",
    ] {
        assert!(kinds.iter().any(|x| x == k), "{k}: {kinds:?}");
    }
    let closed = app
        .store
        .case(&c.reference)
        .await
        .expect("case")
        .expect("exists");
    assert_eq!(closed.state, custos_domain::case::CaseState::Closed);
}

/// BDC-21: the Complaints page gives the year's complaints month by month — received,
/// acknowledged and answered in time, how they ended — as a table beside its chart and as
/// a CSV file, with each complaint linked; it is read like the logbooks, not by operators.
#[tokio::test]
async fn bdc_21_the_complaints_page_gives_the_years_figures_as_a_table_chart_and_csv() {
    use custos_domain::case::{Action, Decision};
    use custos_store::cases::Step;
    let app = app().await;
    app.store
        .set_master_key(custos_store::secrets::SecretKey::generate().expect("key"));
    let auditor = app.sign_in("aud").await;
    let operator = app.sign_in("op").await;
    let now = app.clock.now().0;
    let c = app
        .store
        .open_case(
            &console(),
            &NewCase {
                kind: CaseKind::Complaint,
                received_at_unix_ms: now,
                channel: "email".to_owned(),
                summary: "a camera pointing at the staff room".to_owned(),
                requester_name: "Sam Staff".to_owned(),
                requester_contact: "sam@example.org".to_owned(),
                details: "It shows the staff room through the window.".to_owned(),
                sighting: None,
                incident_at_unix_ms: Some(now - DAY),
                raised_late: false,
            },
        )
        .await
        .expect("complaint");
    let step = |reasons: &str| Step {
        reasons: reasons.to_owned(),
        ..Step::default()
    };
    for (action, reasons) in [
        (Action::Acknowledge, ""),
        (Action::Start, ""),
        (
            Action::Decide(Decision::Upheld),
            "The camera was turned away from the window",
        ),
        (Action::Close, ""),
    ] {
        app.store
            .act_on_case(&console(), &c.reference, action, &step(reasons))
            .await
            .expect("step");
    }
    let page = app.get("/complaints?year=2026", Some(&auditor)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for words in [
        "Complaints in 2026",
        "<th scope=\"row\">2026-09</th><td>1</td><td>1</td><td>1</td><td>0</td><td>1</td>",
        "id=\"chart-complaints\"",
        "By e-mail: 1",
        &format!("href=\"/cases/{}\"", c.reference),
        "href=\"/complaints.csv?year=2026\"",
    ] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }
    let csv = app.get("/complaints.csv?year=2026", Some(&auditor)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body.contains("2026-09,1,1,1,0,1,0,0,0,0,0,0,0\r\n"),
        "{}",
        csv.body
    );
    let other = app.get("/complaints?year=2025", Some(&auditor)).await;
    assert!(
        other.body.contains("id=\"no-complaints\""),
        "{}",
        other.body
    );
    let refused = app.get("/complaints", Some(&operator)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
