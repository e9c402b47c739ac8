//! Retention on the web against a real store: the report with the last sweep (BJS-4), and
//! holds placed by those who may and released only by those the pack lets authorise
//! deleting retained footage (LBU-17, BDC-28, ALT-8).

mod support;

use axum::http::StatusCode;
use custos_base::Clock as _;
use custos_domain::ledger::Book;
use custos_store::LedgerQuery;
use support::*;

/// BJS-4, LBU-17, ALT-8: the manager places a hold on the web; the supervisor, who may not
/// authorise deletion, cannot release it; the manager can, with a reason; the report and
/// the Start page show the last sweep and every camera within its limit.
#[tokio::test]
async fn alt_8_holds_on_the_web_and_the_retention_report() {
    let app = app().await;
    let cam = add_front_gate(&app).await;
    let manager = person(&app, "mgr", "manager").await;
    let supervisor = person(&app, "sup", "supervisor").await;
    let page = app.get("/retention", Some(&manager)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("No sweep has run yet"), "{}", page.body);
    assert!(page.body.contains("within its limit"));
    let csrf = App::csrf(&page.body);

    // A hold without a reason is refused and nothing is held.
    let form = |reason: &str| {
        format!(
            "csrf={csrf}&cameras={cam}&from=2026-09-20T09%3A00&to=2026-09-20T10%3A00&class=investigation-hold&reason={reason}&owner=mgr&until=&case_ref=INC-9"
        )
    };
    let r = app
        .send("POST", "/holds", Some(&manager), Some(&form("")))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("say why the footage is held"), "{}", r.body);
    assert!(app.store.holds(true).await.expect("holds").is_empty());
    let r = app
        .send(
            "POST",
            "/holds",
            Some(&manager),
            Some(&form("Damage+to+the+gate+reported")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let holds = app.store.holds(false).await.expect("holds");
    assert_eq!(holds.len(), 1);
    let id = holds[0].id.clone();
    assert_eq!(holds[0].case_ref.as_deref(), Some("INC-9"));

    // The supervisor places holds but may not release them (ALT-8).
    let page = app.get("/retention", Some(&supervisor)).await;
    assert!(page.body.contains(&id), "{}", page.body);
    assert!(
        !page.body.contains("/release"),
        "no release form for the supervisor"
    );
    let csrf_sup = App::csrf(&page.body);
    let r = app
        .send(
            "POST",
            &format!("/holds/{id}/release"),
            Some(&supervisor),
            Some(&format!("csrf={csrf_sup}&reason=Not+needed+any+more")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(app.store.holds(false).await.expect("holds").len() == 1);
    let r = app
        .send(
            "POST",
            &format!("/holds/{id}/release"),
            Some(&manager),
            Some(&format!(
                "csrf={csrf}&reason=Not+needed+any+more&confirm=yes"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(app.store.holds(false).await.expect("holds").is_empty());
    let released = app
        .store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::Retention),
            ..LedgerQuery::default()
        })
        .await
        .expect("entries");
    let kinds: Vec<&str> = released.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["hold-placed", "hold-released"]);
    assert!(released[1].actor.contains("mgr"), "{}", released[1].actor);
    assert!(released[1].body.contains("Not needed any more"));

    // After a sweep, the report and the Start page say when it ran and what it did.
    app.store
        .sweep(&app.dir.path().join("footage"))
        .await
        .expect("sweep");
    let page = app.get("/retention", Some(&manager)).await;
    let at = custos_base::UnixMs(app.clock.now().0).to_london_display();
    assert!(
        page.body
            .contains(&format!("Last sweep: {at}: 0 segment(s) deleted")),
        "{}",
        page.body
    );
    let start = app.get("/start", Some(&manager)).await;
    assert!(
        !start.body.contains("id=\"todo-retention\""),
        "every camera is within its limit: {}",
        start.body
    );

    // BDC-28: a camera paused because the disk is full of held footage is an alarm on the
    // Start page, and in /metrics.
    app.store
        .pause_recording(&cam, "only held footage is left")
        .await
        .expect("pause");
    let start = app.get("/start", Some(&manager)).await;
    assert!(
        start.body.contains("Front gate is not recording"),
        "{}",
        start.body
    );
    let peer = app.peer;
    let mut local = app;
    local.peer = std::net::SocketAddr::from(([127, 0, 0, 1], peer.port()));
    let metrics = local.get("/metrics", None).await;
    assert!(
        metrics
            .body
            .contains("custos_camera_recording_paused{camera=\"front-gate\"} 1"),
        "{}",
        metrics.body
    );
}

/// Releasing a hold asks first: the form alone changes nothing and answers with a page
/// naming the footage the hold keeps and that it will then be erased on the normal
/// schedule; Cancel leads back to the holds, Confirm releases it.
#[tokio::test]
async fn releasing_a_hold_asks_first_naming_its_footage() {
    let app = app().await;
    let cam = add_front_gate(&app).await;
    let manager = person(&app, "mgr", "manager").await;
    let csrf = App::csrf(&app.get("/retention", Some(&manager)).await.body);
    let r = app
        .send(
            "POST",
            "/holds",
            Some(&manager),
            Some(&format!(
                "csrf={csrf}&cameras={cam}&from=2026-09-20T09%3A00&to=2026-09-20T10%3A00&class=investigation-hold&reason=Damage+to+the+gate&owner=mgr&until=&case_ref=INC-9"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = app.store.holds(false).await.expect("holds")[0].id.clone();
    let form = format!("csrf={csrf}&reason=Not+needed+any+more");
    let r = app
        .send(
            "POST",
            &format!("/holds/{id}/release"),
            Some(&manager),
            Some(&form),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for words in [
        "You are about to release the hold for INC-9 that keeps the footage of Front gate from 2026-09-20 09:00 BST to 2026-09-20 10:00 BST.",
        "will be erased on the normal schedule",
        "This cannot be undone",
        "Not needed any more",
        "href=\"/retention#holds\"",
        "class=\"warning\"",
    ] {
        assert!(r.body.contains(words), "{words}: {}", r.body);
    }
    assert_eq!(
        app.store.holds(false).await.expect("holds").len(),
        1,
        "nothing changes before confirming"
    );
    let r = app
        .send(
            "POST",
            &format!("/holds/{id}/release"),
            Some(&manager),
            Some(&format!("{form}&confirm=yes")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(app.store.holds(false).await.expect("holds").is_empty());
}

/// The hold form offers the cameras by name as boxes to tick and the kinds of evidence by
/// name with what they are for; a hold on two ticked cameras holds both; the holds list
/// names its footage, kind and case in words, not by identifier.
#[tokio::test]
async fn a_hold_names_its_cameras_and_kind_in_words() {
    let app = app().await;
    let gate = add_front_gate(&app).await;
    let yard = add_yard(&app).await;
    let manager = person(&app, "mgr", "manager").await;
    let page = app.get("/retention", Some(&manager)).await;
    for words in [
        "type=\"checkbox\" name=\"cameras\" value=\"front-gate\"",
        "> Front gate</label>",
        "> Yard</label>",
        "Investigation hold, for up to 6 months",
        "needed for an ongoing investigation",
    ] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }
    let csrf = App::csrf(&page.body);
    let r = app
        .send(
            "POST",
            "/holds",
            Some(&manager),
            Some(&format!(
                "csrf={csrf}&cameras={gate}&cameras={yard}&from=2026-09-20T09%3A00&to=2026-09-20T10%3A00&class=investigation-hold&reason=Damage+to+the+gate&owner=mgr&until=&case_ref=INC-9"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let holds = app.store.holds(false).await.expect("holds");
    assert_eq!(holds.len(), 1);
    let held: Vec<&str> = holds[0].cameras.iter().map(|c| c.as_str()).collect();
    assert_eq!(held, ["front-gate", "yard"]);
    let page = app.get("/retention", Some(&manager)).await;
    let list = page
        .body
        .split("id=\"hold-list\"")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .expect("the holds list");
    for words in ["Front gate, Yard", "Investigation hold", "Case INC-9"] {
        assert!(list.contains(words), "{words}: {list}");
    }
    assert!(!list.contains(">investigation-hold<"), "{list}");

    // Ticking no camera is refused with what to do.
    let r = app
        .send(
            "POST",
            "/holds",
            Some(&manager),
            Some(&format!(
                "csrf={csrf}&from=2026-09-20T09%3A00&to=2026-09-20T10%3A00&class=investigation-hold&reason=Damage+to+the+gate&owner=mgr"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("camera"), "{}", r.body);
    assert_eq!(app.store.holds(false).await.expect("holds").len(), 1);
}

/// ALT-8: a hold is shortened from the page, like a release: the form names the new last
/// day, a page says what will happen and changes nothing, and confirming brings the end
/// forward with a `hold-shortened` entry; a day after the current end is refused.
#[tokio::test]
async fn alt_8_a_hold_is_shortened_from_the_page_after_confirming() {
    let app = app().await;
    let cam = add_front_gate(&app).await;
    let manager = person(&app, "mgr", "manager").await;
    let csrf = App::csrf(&app.get("/retention", Some(&manager)).await.body);
    let r = app
        .send(
            "POST",
            "/holds",
            Some(&manager),
            Some(&format!(
                "csrf={csrf}&cameras={cam}&from=2026-09-20T09%3A00&to=2026-09-20T10%3A00&class=investigation-hold&reason=Damage+to+the+gate&owner=mgr&until=&case_ref=INC-9"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let hold = app.store.holds(false).await.expect("holds").remove(0);
    let now = app.clock.now();
    let day = |ms: i64| {
        custos_base::UnixMs(ms)
            .to_uk_local_input()
            .split('T')
            .next()
            .expect("a day")
            .to_owned()
    };
    let new_end = day(now.0 + 10 * 86_400_000);
    let form = format!("csrf={csrf}&reason=Investigation+closed+early&until={new_end}");
    let r = app
        .send(
            "POST",
            &format!("/holds/{}/release", hold.id),
            Some(&manager),
            Some(&form),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for words in [
        "Shorten this hold?",
        "You are about to shorten the hold for INC-9 that keeps the footage of Front gate",
        "it will end on",
        "Investigation closed early",
        "name=\"until\"",
    ] {
        assert!(r.body.contains(words), "{words}: {}", r.body);
    }
    let unchanged = app.store.hold(&hold.id).await.expect("hold").expect("hold");
    assert_eq!(unchanged.expires_at_unix_ms, hold.expires_at_unix_ms);

    // A day after the hold ends anyway is refused, saying which.
    let late = day(hold.expires_at_unix_ms + 5 * 86_400_000);
    let r = app
        .send(
            "POST",
            &format!("/holds/{}/release", hold.id),
            Some(&manager),
            Some(&format!(
                "csrf={csrf}&reason=Investigation+closed+early&until={late}"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("choose a day before"), "{}", r.body);

    let r = app
        .send(
            "POST",
            &format!("/holds/{}/release", hold.id),
            Some(&manager),
            Some(&format!("{form}&confirm=yes")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let shortened = app.store.hold(&hold.id).await.expect("hold").expect("hold");
    assert!(
        shortened.expires_at_unix_ms < hold.expires_at_unix_ms
            && shortened.expires_at_unix_ms > now.0 + 10 * 86_400_000,
        "ends at the end of the day chosen"
    );
    let entries = app
        .store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::Retention),
            ..LedgerQuery::default()
        })
        .await
        .expect("entries");
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["hold-placed", "hold-shortened"]);
}
