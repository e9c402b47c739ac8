//! The cases dashboard and a case's page against a real store (LBU-18, BDC-29): open cases
//! with their due dates, amber when due within five working days and red when overdue,
//! "my cases", and steps taken on the page through the case's state machine.

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
            Some(&act(
                "decide%3Arefuse",
                "The+footage+was+deleted+before+the+request+arrived",
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&path, Some(&dpo)).await;
    assert!(
        page.body.contains("refuse: The footage was deleted"),
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
    add_front_gate(&app).await;
    let dpo = person(&app, "dp", "dpo").await;
    let page = app.get("/cases", Some(&dpo)).await;
    let csrf = App::csrf(&page.body);
    let r = app
        .send(
            "POST",
            "/cases",
            Some(&dpo),
            Some(&format!(
                "csrf={csrf}&kind=subject-access&name=Alex+Example&contact=alex%40example.org&summary=Footage+of+me&details=&received=&channel=letter&seen=2026-01-05T09%3A30&place=front+gate"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let path = r.location().to_owned();
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
    let form = "kind=subject-access&name=Robin+Requester&contact=robin%40example.org&date=2026-01-05&time=09%3A30&place=elsewhere&place_other=front+gate&description=&website=";
    for _ in 0..custos_web::requests::PER_ADDRESS {
        let r = app.send("POST", "/requests", None, Some(form)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("id=\"request-reference\""), "{}", r.body);
    }
    let r = app.send("POST", "/requests", None, Some(form)).await;
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
    add_front_gate(&app).await;
    let dpo = person(&app, "dp", "dpo").await;
    let manager = person(&app, "mgr", "manager").await;
    let now = app.clock.now().0;
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
                    "csrf={csrf}&step=decide%3Aaccept&reasons=&why_reasonable="
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
