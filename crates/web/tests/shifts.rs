//! Operators' shifts on the web (BDC-36): a shift runs from signing on to signing off, and
//! its page is everything the person did in between, read from the logbooks.

mod support;

use axum::http::StatusCode;
use support::*;

/// BDC-36: an operator signs on, opens the live page and signs off; the supervisor (who
/// reads the logbooks) finds the shift on the Shifts page and reads it as one page — signing
/// on, what was done, signing off, in sentences — and as CSV; the operator reads their own
/// shift but not another person's, and the Shifts page lists only their own.
#[tokio::test]
async fn bdc_36_a_supervisor_reads_one_operators_shift_as_one_page() {
    let app = app().await;
    let op = person(&app, "opal", "operator").await;
    let other = person(&app, "otto", "operator").await;
    let sup = person(&app, "sue", "supervisor").await;
    let duty = |cookie: String, on: bool| {
        let app = &app;
        async move {
            let csrf = App::csrf(&app.get("/start", Some(&cookie)).await.body);
            let path = if on { "/duty/on" } else { "/duty/off" };
            let r = app
                .send("POST", path, Some(&cookie), Some(&format!("csrf={csrf}")))
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
    };
    duty(op.clone(), true).await;
    app.clock.advance_ms(60_000);
    let note = app.get("/account/declaration", Some(&op)).await;
    assert_eq!(note.status, StatusCode::OK);
    duty(other.clone(), true).await;
    app.clock.advance_ms(60_000);
    duty(op.clone(), false).await;

    let list = app.get("/shifts", Some(&sup)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("Person opal"), "{}", list.body);
    assert!(list.body.contains("Person otto"), "{}", list.body);
    assert!(
        list.body.contains("on duty now"),
        "otto is still on: {}",
        list.body
    );
    let link = list
        .body
        .split("href=\"")
        .map(|s| s.split('"').next().unwrap_or(""))
        .find(|h| h.starts_with("/shifts/opal/"))
        .expect("a link to opal's shift")
        .to_owned();
    let shift = app.get(&link, Some(&sup)).await;
    assert_eq!(shift.status, StatusCode::OK, "{}", shift.body);
    for words in [
        "<h1>Person opal's shift</h1>",
        "went on duty",
        "went off duty",
        "id=\"shift-log\"",
    ] {
        assert!(shift.body.contains(words), "{words}: {}", shift.body);
    }
    assert!(
        !shift.body.contains("Person otto"),
        "only opal's entries: {}",
        shift.body
    );
    let csv = app.get(&format!("{link}/log.csv"), Some(&sup)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with("When,Logbook,What"), "{}", csv.body);
    assert!(csv.body.lines().count() >= 3, "{}", csv.body);

    // The operator: their own shift, not otto's; the list shows only theirs.
    assert_eq!(app.get(&link, Some(&op)).await.status, StatusCode::OK);
    let mine = app.get("/shifts", Some(&op)).await;
    assert!(mine.body.contains("Person opal"), "{}", mine.body);
    assert!(!mine.body.contains("Person otto"), "{}", mine.body);
    let ottos = list
        .body
        .split("href=\"")
        .map(|s| s.split('"').next().unwrap_or(""))
        .find(|h| h.starts_with("/shifts/otto/"))
        .expect("a link to otto's shift")
        .to_owned();
    let refused = app.get(&ottos, Some(&op)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(refused.body.contains("your own shifts"), "{}", refused.body);
    assert_eq!(
        app.get("/shifts/opal/12345", Some(&sup)).await.status,
        StatusCode::NOT_FOUND
    );
}
