//! The staff pages over HTTP against a real (SQLite) store: signing in and out, the
//! Logbooks page for those allowed to read it, CSV download, paging and filters, CSRF, the
//! idle limit, and the ledger alarm shown until acknowledged.

mod support;

use std::net::SocketAddr;

use axum::http::{StatusCode, header};
use custos_base::{Actor, Clock};
use custos_domain::access::{Assignment, Scope, Username};
use custos_domain::ledger::{Book, NewEntry, Reference};
use custos_domain::network::Network;
use custos_store::LedgerQuery;
use support::*;

/// BDC-18, LBU-4: the logbooks open only after signing in, and only for a role that may
/// read them; the operator is told why not.
#[tokio::test]
async fn bdc_18_logbooks_need_sign_in_and_the_right_to_read_them() {
    let app = app().await;
    let r = app.get("/logbooks?book=config", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?next=/logbooks%3Fbook%3Dconfig");

    let op = app.sign_in("op").await;
    let r = app.get("/logbooks", Some(&op)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.body
            .contains("none of your roles (Operator) lets you read the logbooks"),
        "{}",
        r.body
    );

    let aud = app.sign_in("aud").await;
    let r = app.get("/logbooks?book=config", Some(&aud)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body
            .contains("Signed in as <strong id=\"who\">Person aud</strong> <span class=\"app-roles\">Auditor</span>"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("policy-loaded") && r.body.contains("user-added"),
        "{}",
        r.body
    );

    let r = app
        .get("/logbooks/export.csv?book=config", Some(&aud))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("text/csv; charset=utf-8")
    );
    assert!(
        r.body
            .starts_with("Entry,Time,Actor,Kind,Concerning,Details\r\n"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains(",console:tester,policy-loaded,"),
        "{}",
        r.body
    );
    let r = app.get("/logbooks/export.csv?book=config", Some(&op)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "the CSV is guarded too");
}

/// The access book: a wrong password is refused without saying which part was wrong, and
/// the attempt is ledgered.
#[tokio::test]
async fn a_wrong_password_is_refused_and_ledgered() {
    let app = app().await;
    let r = app.post_login("username=aud&password=nope+nope+nope").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(
        r.body.contains("The user name or password is not right"),
        "{}",
        r.body
    );
    assert!(
        r.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .all(|c| !c.to_str().unwrap_or("").starts_with("custos_session=")),
        "no session"
    );
    let refused: Vec<_> = app
        .store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::Access),
            ..Default::default()
        })
        .await
        .expect("entries")
        .into_iter()
        .filter(|e| e.kind != "declaration-accepted")
        .collect();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].kind, "sign-in-refused");
    assert!(
        refused[0].refs.contains("source:192.0.2.7"),
        "the source address is kept"
    );
}

/// LBU-13: each logbook entry reads as a sentence naming the person by name — who reviewed
/// what, when and why — with the entry's raw fields behind "Details"; the CSV keeps the
/// code's columns with the raw values.
#[tokio::test]
async fn lbu_13_logbook_entries_read_as_sentences_with_their_details_on_demand() {
    let app = app().await;
    app.store
        .append(
            &Actor::User("op".to_owned()),
            NewEntry::new(Book::Review, "review-opened")
                .with_ref(Reference::new("camera", "gate").expect("ref"))
                .with("footage_from", "2026-12-07 10:00 GMT")
                .with("footage_to", "2026-12-07 10:10 GMT")
                .with("reason", "report of a stolen bike"),
        )
        .await
        .expect("append");
    let aud = app.sign_in("aud").await;
    let r = app.get("/logbooks?book=review", Some(&aud)).await;
    assert_eq!(r.status, StatusCode::OK);
    let row = r
        .body
        .split("<tr><td class=\"number\">")
        .nth(1)
        .and_then(|s| s.split("</tr>").next())
        .unwrap_or_else(|| panic!("a row: {}", r.body));
    let (shown, details) = row.split_once("<details>").expect("details in the row");
    assert!(
        shown.contains("Person op reviewed gate, 2026-12-07 10:00–10:10 GMT"),
        "{shown}"
    );
    assert!(!shown.contains("user:") && !shown.contains('{'), "{shown}");
    assert!(
        details.starts_with("<summary>Details</summary>")
            && details.contains("<dd>user:op</dd>")
            && details.contains("<dd>review-opened</dd>"),
        "{details}"
    );
    let csv = app
        .get("/logbooks/export.csv?book=review", Some(&aud))
        .await
        .body;
    assert!(csv.contains(",op,"), "the CSV keeps the user name: {csv}");
}

/// LBU-13: the review log a page at a time, filtered by camera and person, all of it in
/// the CSV; bad dates are explained.
#[tokio::test]
async fn lbu_13_review_log_pages_filters_and_downloads() {
    let app = app().await;
    for i in 0..120 {
        let who = Actor::User(if i % 2 == 0 { "op" } else { "aud" }.to_owned());
        app.store
            .append(
                &who,
                NewEntry::new(Book::Review, "review-opened")
                    .with_ref(
                        Reference::new("camera", if i % 3 == 0 { "gate" } else { "hall" })
                            .expect("ref"),
                    )
                    .with("reason", format!("enquiry {i}")),
            )
            .await
            .expect("append");
    }
    let aud = app.sign_in("aud").await;
    let r = app.get("/logbooks?book=review", Some(&aud)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body.matches("<tr><td class=\"number\">").count(), 50);
    assert!(r.body.contains("enquiry 0<") && !r.body.contains("enquiry 50<"));
    let next = r
        .body
        .split("\" id=\"next\"")
        .next()
        .and_then(|before| before.rsplit("href=\"").next())
        .expect("a next link")
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let r = app.get(&next, Some(&aud)).await;
    assert_eq!(r.body.matches("<tr><td class=\"number\">").count(), 50);
    assert!(
        r.body.contains("enquiry 50<") && r.body.contains("First page"),
        "{next}: {}",
        r.body
    );

    let r = app
        .get("/logbooks?book=review&camera=gate&actor=op", Some(&aud))
        .await;
    // i % 3 == 0 and i even: i % 6 == 0, 20 of them.
    assert_eq!(
        r.body.matches("<tr><td class=\"number\">").count(),
        20,
        "{}",
        r.body
    );

    let r = app
        .get("/logbooks/export.csv?book=review", Some(&aud))
        .await;
    assert_eq!(r.body.matches("\r\n").count(), 121, "header and every row");
    assert!(r.body.starts_with("Entry,Reviewer,When reviewed,Camera,Location,Footage from,Footage to,Purpose,Reason,Persons present,Result\r\n"));

    let r = app
        .get("/logbooks?book=review&from=1%2F7%2F2026", Some(&aud))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("YYYY-MM-DD"), "{}", r.body);
    let r = app.get("/logbooks?book=reviews", Some(&aud)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("not a logbook"), "{}", r.body);
}

/// Signing out needs the session's CSRF token; afterwards the session is gone.
#[tokio::test]
async fn sign_out_needs_the_csrf_token_and_ends_the_session() {
    let app = app().await;
    let aud = app.sign_in("aud").await;
    let page = app.get("/logbooks", Some(&aud)).await.body;
    let r = app
        .send("POST", "/logout", Some(&aud), Some("csrf=forged"))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("did not come from this site"), "{}", r.body);
    assert_eq!(
        app.get("/logbooks", Some(&aud)).await.status,
        StatusCode::OK,
        "still signed in"
    );
    let r = app
        .send(
            "POST",
            "/logout",
            Some(&aud),
            Some(&format!("csrf={}", App::csrf(&page))),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login");
    let r = app.get("/logbooks", Some(&aud)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "signed out");
}

/// LBU-14: after the pack's idle minutes without a request the screen locks: the page
/// underneath is not shown until the password is entered again.
#[tokio::test]
async fn lbu_14_an_unattended_screen_locks_until_the_password_is_entered() {
    let app = app().await;
    let aud = app.sign_in("aud").await;
    app.clock.advance_ms(4 * 60_000);
    assert_eq!(
        app.get("/logbooks?book=config", Some(&aud)).await.status,
        StatusCode::OK
    );
    app.clock.advance_ms(5 * 60_000 + 1);
    let r = app.get("/logbooks?book=config", Some(&aud)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(
        r.body.contains("Screen locked") && r.body.contains("after 5 minutes"),
        "{}",
        r.body
    );
    assert!(
        !r.body.contains("policy-loaded") && !r.body.contains("id=\"logbook\""),
        "nothing of the page underneath is shown"
    );
    let csrf = App::csrf(&r.body);
    let r = app
        .send(
            "POST",
            "/unlock",
            Some(&aud),
            Some(&format!(
                "csrf={csrf}&password=wrong+wrong+wrong&next=%2Flogbooks"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("That password is not right"), "{}", r.body);
    let r = app
        .send(
            "POST",
            "/unlock",
            Some(&aud),
            Some("csrf=forged&password=walnut+kettle+lamp"),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "the CSRF token is checked");
    let r = app
        .send(
            "POST",
            "/unlock",
            Some(&aud),
            Some(&format!(
                "csrf={csrf}&password=walnut+kettle+lamp&next=%2Flogbooks%3Fbook%3Dconfig"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/logbooks?book=config");
    let r = app.get("/logbooks?book=config", Some(&aud)).await;
    assert_eq!(r.status, StatusCode::OK);
    let access = app.get("/logbooks?book=access", Some(&aud)).await.body;
    assert!(
        access.contains("screen-locked") && access.contains("screen-unlocked"),
        "the lock and unlock are in the access logbook: {access}"
    );
}

/// BDC-35: a failed verification puts an alarm on the page until someone acknowledges it
/// with a note; the acknowledgement is ledgered under their name.
#[tokio::test]
async fn bdc_35_a_verification_failure_is_an_alarm_until_acknowledged() {
    use sqlx::Connection;
    let app = app().await;
    let verifier = Actor::System("ledger-verifier".to_owned());
    // A ledger no signature covers cannot be verified: sign its head first.
    app.store
        .checkpoint()
        .await
        .expect("checkpoint")
        .expect("signed");
    assert!(
        app.store
            .verify_and_record(&verifier, false)
            .await
            .expect("verify")
            .intact
    );
    let aud = app.sign_in("aud").await;
    let r = app.get("/logbooks", Some(&aud)).await;
    assert!(
        r.body.contains("id=\"verification\">Ledger verified at"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("class=\"banner alarm\""));

    let url = format!("sqlite://{}", app.dir.path().join("custos.db").display());
    let mut c = sqlx::SqliteConnection::connect(&url)
        .await
        .expect("connect");
    sqlx::raw_sql("DROP TRIGGER ledger_entries_no_update; UPDATE ledger_entries SET actor = 'user:x' WHERE seq = 2")
        .execute(&mut c)
        .await
        .expect("tamper");
    c.close().await.expect("close");
    let failed = app
        .store
        .verify_and_record(&verifier, false)
        .await
        .expect("verify");
    assert!(!failed.intact);

    let r = app.get("/logbooks?book=review", Some(&aud)).await;
    assert!(
        r.body.contains("class=\"banner alarm\"") && r.body.contains("entry 2: hash mismatch"),
        "{}",
        r.body
    );
    let csrf = App::csrf(&r.body);
    let path = format!("/ledger/alarms/{}/acknowledge", failed.seq);
    let r = app
        .send(
            "POST",
            &path,
            Some(&aud),
            Some(&format!("csrf={csrf}&note=")),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a note is needed");
    let r = app
        .send(
            "POST",
            &path,
            Some(&aud),
            Some(&format!("csrf={csrf}&note=Restored+from+backup")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app.get("/logbooks?book=system", Some(&aud)).await;
    assert!(
        !r.body.contains(&format!("id=\"alarm-{}\"", failed.seq)),
        "{}",
        r.body
    );
    // Acknowledging does not mend the chain: it is still not signed over, and says so.
    assert!(
        r.body.contains("The ledger is not being signed"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("ledger-alarm-acknowledged") && r.body.contains("user:aud"),
        "{}",
        r.body
    );
}

/// "Log out everywhere": one request ends the person's sessions on every computer, and is
/// ledgered once.
#[tokio::test]
async fn signing_out_everywhere_ends_every_session_of_the_person() {
    let app = app().await;
    let first = app.sign_in("aud").await;
    let second = app.sign_in("aud").await;
    let other = app.sign_in("op").await;
    let page = app.get("/logbooks", Some(&first)).await.body;
    let r = app
        .send(
            "POST",
            "/logout/everywhere",
            Some(&first),
            Some(&format!("csrf={}", App::csrf(&page))),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    for token in [&first, &second] {
        assert_eq!(
            app.get("/logbooks", Some(token)).await.status,
            StatusCode::SEE_OTHER
        );
    }
    assert_eq!(
        app.get("/logbooks", Some(&other)).await.status,
        StatusCode::FORBIDDEN,
        "another person's session is untouched (still signed in, still not allowed)"
    );
    let entries = app
        .store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::Access),
            reference: Some("user:aud".to_owned()),
            ..Default::default()
        })
        .await
        .expect("entries");
    let last = entries.last().expect("entries");
    assert_eq!(last.kind, "signed-out-everywhere");
    assert!(last.body.contains("\"sessions\":2"), "{}", last.body);
}

/// Who the matrix expects to get through a route.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Everyone, signed in or not.
    Public,
    /// Every signed-in person, whatever their role.
    SignedIn,
    /// Only these roles.
    Roles(&'static [&'static str]),
    /// Nobody the matrix signs in: the route needs something it does not have (a
    /// loopback address, or a review grant of that session).
    Nobody,
}

/// The roles that may read the logbooks (BDC-18): the owner, manager, supervisor, DPO and
/// auditor; not operators, trainees, authorisers or viewers.
const READERS: &[&str] = &["owner", "manager", "supervisor", "dpo", "auditor"];

/// The route × role matrix: every route the router has, and who may use it.
const MATRIX: &[(&str, &str, Expect)] = &[
    ("GET", "/", Expect::Public),
    ("GET", "/healthz", Expect::Public),
    ("GET", "/metrics", Expect::Nobody),
    ("GET", "/session/state", Expect::Public),
    ("GET", "/live", Expect::Roles(WATCHERS)),
    ("GET", "/live/{id}/stream.mp4", Expect::Roles(WATCHERS)),
    (
        "GET",
        "/cameras/{id}/thumbnail.mp4",
        Expect::Roles(WATCHERS),
    ),
    ("GET", "/static/{file}", Expect::Public),
    ("GET", "/login", Expect::Public),
    ("POST", "/login", Expect::Public),
    ("POST", "/logout", Expect::SignedIn),
    ("POST", "/logout/everywhere", Expect::SignedIn),
    ("POST", "/unlock", Expect::SignedIn),
    ("POST", "/duty/on", Expect::SignedIn),
    ("POST", "/duty/off", Expect::SignedIn),
    ("GET", "/account/mfa", Expect::SignedIn),
    ("POST", "/account/mfa", Expect::SignedIn),
    ("GET", "/account/declaration", Expect::SignedIn),
    ("POST", "/account/declaration", Expect::SignedIn),
    ("GET", "/start", Expect::SignedIn),
    // Shifts (BDC-36): everyone reads their own (the page lists them), the logbooks'
    // readers everyone's; someone else's shift is refused to the others.
    ("GET", "/deployments", Expect::Roles(DEPLOYMENT_READERS)),
    ("POST", "/deployments", Expect::Roles(DEPLOYMENT_KEEPERS)),
    ("GET", "/deployments.csv", Expect::Roles(DEPLOYMENT_READERS)),
    ("GET", "/deployments.pdf", Expect::Roles(DEPLOYMENT_READERS)),
    (
        "GET",
        "/deployments/{reference}",
        Expect::Roles(DEPLOYMENT_READERS),
    ),
    (
        "POST",
        "/deployments/{reference}/steps",
        Expect::Roles(DEPLOYMENT_KEEPERS),
    ),
    (
        "POST",
        "/deployments/{reference}/documents",
        Expect::Roles(DEPLOYMENT_KEEPERS),
    ),
    (
        "GET",
        "/deployments/{reference}/documents/{id}",
        Expect::Roles(DEPLOYMENT_READERS),
    ),
    // Body-worn cameras (LBU-24): the school's pack is silent, so the lawful default.
    ("GET", "/bodyworn", Expect::Roles(BWV_READERS)),
    ("GET", "/bodyworn.csv", Expect::Roles(BWV_READERS)),
    ("GET", "/bodyworn.pdf", Expect::Roles(BWV_READERS)),
    ("POST", "/bodyworn/devices", Expect::Roles(BWV_KEEPERS)),
    (
        "POST",
        "/bodyworn/devices/{id}/retire",
        Expect::Roles(BWV_KEEPERS),
    ),
    ("POST", "/bodyworn/issues", Expect::Roles(BWV_KEEPERS)),
    (
        "POST",
        "/bodyworn/issues/{reference}/return",
        Expect::Roles(BWV_KEEPERS),
    ),
    ("GET", "/checks", Expect::Roles(CHECKERS)),
    ("POST", "/checks/{book}", Expect::Roles(CHECKERS)),
    ("GET", "/shifts", Expect::SignedIn),
    ("GET", "/shifts/{username}/{on}", Expect::Roles(READERS)),
    (
        "GET",
        "/shifts/{username}/{on}/log.csv",
        Expect::Roles(READERS),
    ),
    ("GET", "/logbooks", Expect::Roles(READERS)),
    ("GET", "/logbooks/export.csv", Expect::Roles(READERS)),
    (
        "POST",
        "/ledger/alarms/{seq}/acknowledge",
        Expect::Roles(READERS),
    ),
    ("GET", "/users", Expect::Roles(MANAGERS)),
    ("POST", "/users", Expect::Roles(MANAGERS)),
    ("POST", "/users/{name}/disable", Expect::Roles(MANAGERS)),
    ("POST", "/users/{name}/enable", Expect::Roles(MANAGERS)),
    ("POST", "/users/{name}/grant", Expect::Roles(MANAGERS)),
    ("POST", "/users/{name}/revoke", Expect::Roles(MANAGERS)),
    ("POST", "/users/{name}/absent", Expect::Roles(MANAGERS)),
    ("POST", "/users/{name}/back", Expect::Roles(MANAGERS)),
    ("GET", "/cameras", Expect::Roles(MANAGERS)),
    ("POST", "/cameras", Expect::Roles(MANAGERS)),
    ("GET", "/cameras/{id}", Expect::Roles(MANAGERS)),
    ("POST", "/cameras/{id}", Expect::Roles(MANAGERS)),
    ("POST", "/cameras/{id}/retire", Expect::Roles(MANAGERS)),
    ("GET", "/cameras/{id}/review", Expect::Roles(REVIEWERS)),
    ("POST", "/cameras/{id}/review", Expect::Roles(REVIEWERS)),
    ("GET", "/reviews/{token}", Expect::Nobody),
    ("GET", "/reviews/{token}/video.mp4", Expect::Nobody),
    ("POST", "/reviews/{token}/finish", Expect::Nobody),
    ("POST", "/api/v1/sessions", Expect::Public),
    ("POST", "/api/v1/sessions/end", Expect::SignedIn),
    ("GET", "/api/v1/openapi.json", Expect::Public),
    ("GET", "/api/v1/declaration", Expect::SignedIn),
    ("POST", "/api/v1/declaration", Expect::SignedIn),
    ("GET", "/api/v1/cameras", Expect::SignedIn),
    (
        "GET",
        "/api/v1/cameras/{id}/live.mp4",
        Expect::Roles(WATCHERS),
    ),
    (
        "GET",
        "/api/v1/cameras/{id}/recordings",
        Expect::Roles(REVIEWERS),
    ),
    (
        "POST",
        "/api/v1/cameras/{id}/reviews",
        Expect::Roles(REVIEWERS),
    ),
    ("GET", "/api/v1/reviews/{grant}/video.mp4", Expect::Nobody),
    ("POST", "/api/v1/reviews/{grant}/finish", Expect::Nobody),
    ("GET", "/api/v1/logbooks/{book}", Expect::Roles(READERS)),
    ("GET", "/api/v1/cases", Expect::Roles(CASEWORKERS)),
    ("POST", "/api/v1/cases", Expect::Roles(CASEWORKERS)),
    (
        "GET",
        "/api/v1/cases/{reference}",
        Expect::Roles(CASEWORKERS),
    ),
    (
        "POST",
        "/api/v1/cases/{reference}/steps",
        Expect::Roles(CASEWORKERS),
    ),
    ("POST", "/api/v1/covert", Expect::Roles(CASEWORKERS)),
    (
        "POST",
        "/api/v1/covert/{reference}/steps",
        Expect::Roles(CASEWORKERS),
    ),
    ("POST", "/api/v1/police-control", Expect::Roles(CASEWORKERS)),
    (
        "POST",
        "/api/v1/police-control/{reference}/steps",
        Expect::Roles(CASEWORKERS),
    ),
    ("GET", "/api/v1/incidents", Expect::Roles(READERS)),
    ("POST", "/api/v1/incidents", Expect::Roles(MANAGERS)),
    (
        "GET",
        "/api/v1/incidents/{reference}",
        Expect::Roles(READERS),
    ),
    (
        "POST",
        "/api/v1/incidents/{reference}/steps",
        Expect::Roles(MANAGERS),
    ),
    // The visitors' log: read by its keepers and countersigners and those who read the
    // logbooks; kept by the pack's `[books.visitors]` keepers (the school: the manager and
    // the owner), countersigned by its countersigners (the owner).
    ("GET", "/visitors", Expect::Roles(READERS)),
    ("POST", "/visitors", Expect::Roles(VISITOR_KEEPERS)),
    ("GET", "/visitors.csv", Expect::Roles(READERS)),
    ("GET", "/visitors.pdf", Expect::Roles(READERS)),
    ("GET", "/visitors/{reference}", Expect::Roles(READERS)),
    (
        "GET",
        "/visitors/{reference}/undertaking",
        Expect::Roles(READERS),
    ),
    (
        "POST",
        "/visitors/{reference}/left",
        Expect::Roles(VISITOR_KEEPERS),
    ),
    (
        "POST",
        "/visitors/{reference}/countersign",
        Expect::Roles(&["owner"]),
    ),
    (
        "POST",
        "/visitors/{reference}/correct",
        Expect::Roles(VISITOR_KEEPERS),
    ),
    (
        "GET",
        "/api/v1/deployments",
        Expect::Roles(DEPLOYMENT_READERS),
    ),
    (
        "POST",
        "/api/v1/deployments",
        Expect::Roles(DEPLOYMENT_KEEPERS),
    ),
    (
        "GET",
        "/api/v1/deployments/{reference}",
        Expect::Roles(DEPLOYMENT_READERS),
    ),
    (
        "POST",
        "/api/v1/deployments/{reference}/steps",
        Expect::Roles(DEPLOYMENT_KEEPERS),
    ),
    ("GET", "/api/v1/bodyworn", Expect::Roles(BWV_READERS)),
    (
        "POST",
        "/api/v1/bodyworn/devices",
        Expect::Roles(BWV_KEEPERS),
    ),
    (
        "POST",
        "/api/v1/bodyworn/devices/{id}/retire",
        Expect::Roles(BWV_KEEPERS),
    ),
    (
        "POST",
        "/api/v1/bodyworn/issues",
        Expect::Roles(BWV_KEEPERS),
    ),
    (
        "POST",
        "/api/v1/bodyworn/issues/{reference}/return",
        Expect::Roles(BWV_KEEPERS),
    ),
    ("GET", "/api/v1/checks", Expect::Roles(CHECKERS)),
    ("POST", "/api/v1/checks/{book}", Expect::Roles(CHECKERS)),
    ("GET", "/api/v1/visitors", Expect::Roles(READERS)),
    ("POST", "/api/v1/visitors", Expect::Roles(VISITOR_KEEPERS)),
    (
        "GET",
        "/api/v1/visitors/{reference}",
        Expect::Roles(READERS),
    ),
    (
        "POST",
        "/api/v1/visitors/{reference}/steps",
        Expect::Roles(VISITOR_KEEPERS),
    ),
    // The faults and maintenance log: read by its keepers and countersigners and those who
    // read the logbooks; kept by the pack's `[books.maintenance]` keepers (the school: the
    // manager and the owner).
    ("GET", "/maintenance", Expect::Roles(READERS)),
    ("GET", "/maintenance.csv", Expect::Roles(READERS)),
    ("GET", "/maintenance.pdf", Expect::Roles(READERS)),
    ("GET", "/maintenance/{reference}", Expect::Roles(READERS)),
    (
        "POST",
        "/maintenance/checks",
        Expect::Roles(MAINTENANCE_KEEPERS),
    ),
    (
        "POST",
        "/maintenance/faults",
        Expect::Roles(MAINTENANCE_KEEPERS),
    ),
    (
        "POST",
        "/maintenance/{reference}/steps",
        Expect::Roles(MAINTENANCE_KEEPERS),
    ),
    ("GET", "/api/v1/maintenance/cameras", Expect::Roles(READERS)),
    ("GET", "/api/v1/maintenance/checks", Expect::Roles(READERS)),
    (
        "POST",
        "/api/v1/maintenance/checks",
        Expect::Roles(MAINTENANCE_KEEPERS),
    ),
    (
        "GET",
        "/api/v1/maintenance/checks/{reference}",
        Expect::Roles(READERS),
    ),
    (
        "POST",
        "/api/v1/maintenance/checks/{reference}/steps",
        Expect::Roles(MAINTENANCE_KEEPERS),
    ),
    ("GET", "/api/v1/maintenance/faults", Expect::Roles(READERS)),
    (
        "POST",
        "/api/v1/maintenance/faults",
        Expect::Roles(MAINTENANCE_KEEPERS),
    ),
    (
        "GET",
        "/api/v1/maintenance/faults/{reference}",
        Expect::Roles(READERS),
    ),
    (
        "POST",
        "/api/v1/maintenance/faults/{reference}/steps",
        Expect::Roles(MAINTENANCE_KEEPERS),
    ),
    // The video print register: read by its keepers and countersigners and those who
    // read the logbooks; kept by the pack's `[books.video-prints]` keepers (the school is
    // silent: the operator, supervisor and manager); the still taken only by its keepers
    // and countersigners (the supervisor and manager).
    ("GET", "/prints", Expect::Roles(BOOK_READERS)),
    ("POST", "/prints", Expect::Roles(BOOK_KEEPERS)),
    ("GET", "/prints.csv", Expect::Roles(BOOK_READERS)),
    ("GET", "/prints.pdf", Expect::Roles(BOOK_READERS)),
    ("GET", "/prints/{reference}", Expect::Roles(BOOK_READERS)),
    (
        "GET",
        "/prints/{reference}/still.png",
        Expect::Roles(BOOK_KEEPERS),
    ),
    (
        "GET",
        "/prints/{reference}/sidecar.json",
        Expect::Roles(BOOK_READERS),
    ),
    (
        "POST",
        "/prints/{reference}/steps",
        Expect::Roles(BOOK_KEEPERS),
    ),
    ("POST", "/print-authorities", Expect::Roles(BOOK_KEEPERS)),
    (
        "GET",
        "/print-authorities/{reference}",
        Expect::Roles(BOOK_READERS),
    ),
    (
        "GET",
        "/print-authorities/{reference}/document",
        Expect::Roles(BOOK_READERS),
    ),
    (
        "POST",
        "/print-authorities/{reference}/steps",
        Expect::Roles(BOOK_KEEPERS),
    ),
    ("GET", "/api/v1/prints", Expect::Roles(BOOK_READERS)),
    ("POST", "/api/v1/prints", Expect::Roles(BOOK_KEEPERS)),
    (
        "GET",
        "/api/v1/prints/{reference}",
        Expect::Roles(BOOK_READERS),
    ),
    (
        "POST",
        "/api/v1/prints/{reference}/steps",
        Expect::Roles(BOOK_KEEPERS),
    ),
    (
        "GET",
        "/api/v1/print-authorities",
        Expect::Roles(BOOK_READERS),
    ),
    (
        "POST",
        "/api/v1/print-authorities",
        Expect::Roles(BOOK_KEEPERS),
    ),
    (
        "GET",
        "/api/v1/print-authorities/{reference}",
        Expect::Roles(BOOK_READERS),
    ),
    (
        "POST",
        "/api/v1/print-authorities/{reference}/steps",
        Expect::Roles(BOOK_KEEPERS),
    ),
    // The list of installed equipment: read by its keepers and those who read the
    // logbooks; kept by the pack's `[books.equipment]` keepers (the school is silent: the
    // operator, supervisor and manager).
    ("GET", "/equipment", Expect::Roles(BOOK_READERS)),
    ("POST", "/equipment", Expect::Roles(BOOK_KEEPERS)),
    ("GET", "/equipment.csv", Expect::Roles(BOOK_READERS)),
    ("GET", "/equipment.pdf", Expect::Roles(BOOK_READERS)),
    ("GET", "/equipment/{reference}", Expect::Roles(BOOK_READERS)),
    (
        "POST",
        "/equipment/{reference}/steps",
        Expect::Roles(BOOK_KEEPERS),
    ),
    ("GET", "/api/v1/equipment", Expect::Roles(BOOK_READERS)),
    ("POST", "/api/v1/equipment", Expect::Roles(BOOK_KEEPERS)),
    (
        "GET",
        "/api/v1/equipment/{reference}",
        Expect::Roles(BOOK_READERS),
    ),
    (
        "POST",
        "/api/v1/equipment/{reference}/steps",
        Expect::Roles(BOOK_KEEPERS),
    ),
    ("GET", "/complaints/new", Expect::Public),
    ("GET", "/complaints", Expect::Roles(READERS)),
    ("GET", "/complaints.csv", Expect::Roles(READERS)),
    // The incident log (BDC-24): kept by the school's manager and owner
    // (`[books.incident]`), read by them and the logbooks' readers.
    ("GET", "/incidents", Expect::Roles(READERS)),
    ("GET", "/incidents/new", Expect::Roles(READERS)),
    ("GET", "/incidents.csv", Expect::Roles(READERS)),
    ("GET", "/incidents.pdf", Expect::Roles(READERS)),
    ("GET", "/incidents/{reference}", Expect::Roles(READERS)),
    (
        "GET",
        "/incidents/{reference}/statements/{id}",
        Expect::Roles(READERS),
    ),
    ("POST", "/incidents", Expect::Roles(MANAGERS)),
    (
        "POST",
        "/incidents/{reference}/steps",
        Expect::Roles(MANAGERS),
    ),
    (
        "POST",
        "/incidents/{reference}/statements",
        Expect::Roles(MANAGERS),
    ),
    ("GET", "/breaches", Expect::Roles(CASEWORKERS)),
    ("GET", "/breaches.csv", Expect::Roles(CASEWORKERS)),
    (
        "POST",
        "/cases/{reference}/breach",
        Expect::Roles(CASEWORKERS),
    ),
    (
        "GET",
        "/cases/{reference}/ico-notification",
        Expect::Roles(CASEWORKERS),
    ),
    (
        "GET",
        "/cases/{reference}/ico-notification.txt",
        Expect::Roles(CASEWORKERS),
    ),
    (
        "GET",
        "/cases/{reference}/ico-notification.pdf",
        Expect::Roles(CASEWORKERS),
    ),
    ("GET", "/retention", Expect::Roles(READERS)),
    ("GET", "/cases", Expect::Roles(CASEWORKERS)),
    ("GET", "/cases/{reference}", Expect::Roles(CASEWORKERS)),
    ("POST", "/cases/{reference}/act", Expect::Roles(CASEWORKERS)),
    (
        "POST",
        "/cases/{reference}/notes",
        Expect::Roles(CASEWORKERS),
    ),
    ("POST", "/cases", Expect::Roles(CASEWORKERS)),
    ("POST", "/calendar/replace", Expect::Roles(CASEWORKERS)),
    (
        "POST",
        "/cases/{reference}/assign",
        Expect::Roles(CASEWORKERS),
    ),
    (
        "POST",
        "/cases/{reference}/footage",
        Expect::Roles(CASEWORKERS),
    ),
    (
        "POST",
        "/cases/{reference}/documents",
        Expect::Roles(CASEWORKERS),
    ),
    (
        "GET",
        "/cases/{reference}/documents/{id}",
        Expect::Roles(CASEWORKERS),
    ),
    (
        "GET",
        "/cases/{reference}/letters/{kind}",
        Expect::Roles(CASEWORKERS),
    ),
    (
        "POST",
        "/cases/{reference}/letters/{kind}",
        Expect::Roles(CASEWORKERS),
    ),
    ("POST", "/covert", Expect::Roles(CASEWORKERS)),
    ("POST", "/police-control", Expect::Roles(CASEWORKERS)),
    (
        "POST",
        "/cases/{reference}/police-control",
        Expect::Roles(CASEWORKERS),
    ),
    (
        "POST",
        "/cases/{reference}/covert",
        Expect::Roles(CASEWORKERS),
    ),
    ("POST", "/disclosures/requests", Expect::Roles(CASEWORKERS)),
    (
        "POST",
        "/cases/{reference}/crime-reference",
        Expect::Roles(CASEWORKERS),
    ),
    (
        "POST",
        "/cases/{reference}/public-interest-test",
        Expect::Roles(CASEWORKERS),
    ),
    (
        "POST",
        "/cases/{reference}/agreement",
        Expect::Roles(CASEWORKERS),
    ),
    (
        "POST",
        "/cases/{reference}/authorise",
        Expect::Roles(CASEWORKERS),
    ),
    (
        "POST",
        "/cases/{reference}/release",
        Expect::Roles(CASEWORKERS),
    ),
    ("GET", "/disclosures", Expect::Roles(READERS)),
    ("GET", "/disclosures.csv", Expect::Roles(READERS)),
    ("POST", "/media", Expect::Roles(EXPORTERS)),
    (
        "POST",
        "/media/{reference}/returned",
        Expect::Roles(EXPORTERS),
    ),
    (
        "POST",
        "/media/{reference}/erased",
        Expect::Roles(EXPORTERS),
    ),
    ("GET", "/requests/new", Expect::Public),
    ("POST", "/requests", Expect::Public),
    ("GET", "/requests/received/{key}", Expect::Public),
    // The deadlines feed needs its owner's token, which the matrix does not have.
    ("GET", "/calendar/{username}/{token}", Expect::Nobody),
    ("GET", "/export", Expect::Roles(EXPORTERS)),
    ("POST", "/export", Expect::Roles(EXPORTERS)),
    ("GET", "/exports/{id}", Expect::Roles(EXPORTERS)),
    ("GET", "/exports/{id}/status", Expect::Roles(EXPORTERS)),
    ("GET", "/exports/{id}/download", Expect::Roles(EXPORTERS)),
    // Seen by those who may export or authorise downloads or deletions (in this pack,
    // the exporters); each action is then decided for the person and the cameras.
    ("GET", "/downloads/{id}", Expect::Roles(EXPORTERS)),
    (
        "POST",
        "/downloads/{id}/authorise",
        Expect::Roles(EXPORTERS),
    ),
    ("POST", "/downloads/{id}/make", Expect::Roles(EXPORTERS)),
    ("POST", "/downloads/{id}/viewed", Expect::Roles(EXPORTERS)),
    ("POST", "/downloads/{id}/destroy", Expect::Roles(EXPORTERS)),
    (
        "POST",
        "/downloads/{id}/destroyed",
        Expect::Roles(EXPORTERS),
    ),
    ("POST", "/holds", Expect::Roles(HOLDERS)),
    ("POST", "/holds/{id}/release", Expect::Roles(AUTHORISERS)),
    ("GET", "/groups", Expect::Roles(WATCHERS)),
    ("GET", "/groups/{id}", Expect::Roles(WATCHERS)),
];

/// The roles that review recordings (LBU-4): not the trainee while no operator is on duty.
const REVIEWERS: &[&str] = &["owner", "manager", "supervisor", "operator", "dpo"];

/// The roles that watch cameras live (ALT-5): not the trainee while no operator is on duty
/// (BDC-22), nor the DPO, auditor or authoriser.
const WATCHERS: &[&str] = &["owner", "manager", "supervisor", "operator", "viewer"];

/// The roles that work cases: the owner, the manager and the DPO.
const CASEWORKERS: &[&str] = &["owner", "manager", "dpo"];

/// The roles that export footage as evidence packages (BDC-5): the owner, manager,
/// supervisor and DPO.
const EXPORTERS: &[&str] = &["owner", "manager", "supervisor", "dpo"];

/// The roles that place holds on footage (LBU-17, BDC-28).
const HOLDERS: &[&str] = &["owner", "manager", "supervisor", "dpo"];

/// The roles the school's pack lets authorise deleting retained footage (ALT-8, BJS-8).
const AUTHORISERS: &[&str] = &["owner", "manager"];

/// The roles that keep the school's visitors' log (its `[books.visitors]`).
const VISITOR_KEEPERS: &[&str] = &["manager", "owner"];

/// The roles that keep the school's deployment log: its pack is silent, so the lawful
/// default — operators, supervisors and managers (BDC-38).
const DEPLOYMENT_KEEPERS: &[&str] = &["operator", "supervisor", "manager"];

/// Those who read it: its keepers, its countersigners (supervisors and managers) and the
/// logbooks' readers.
const DEPLOYMENT_READERS: &[&str] = &[
    "owner",
    "manager",
    "supervisor",
    "dpo",
    "auditor",
    "operator",
];

/// The roles that keep the school's body-worn cameras' log: its pack is silent, so the
/// lawful default — operators, supervisors and managers (LBU-24).
const BWV_KEEPERS: &[&str] = &["operator", "supervisor", "manager"];

/// Those who read it: its keepers, its countersigners (supervisors and managers) and the
/// logbooks' readers.
const BWV_READERS: &[&str] = &[
    "owner",
    "manager",
    "supervisor",
    "dpo",
    "auditor",
    "operator",
];

/// The roles that countersign, and so check, one of the school's control-room books: the
/// owner (its incident and visitors' logs) and, by the lawful default for the books its
/// pack is silent on, the supervisor and the manager.
const CHECKERS: &[&str] = &["owner", "manager", "supervisor"];
/// The roles that keep the school's faults and maintenance log (its `[books.maintenance]`).
const MAINTENANCE_KEEPERS: &[&str] = &["manager", "owner"];

/// The roles that keep a control-room book the school's pack is silent on (the lawful
/// default: the operator, supervisor and manager).
const BOOK_KEEPERS: &[&str] = &["operator", "supervisor", "manager"];

/// Those who open such a book: its keepers and countersigners (the supervisor and
/// manager), and those who read the logbooks.
const BOOK_READERS: &[&str] = &[
    "owner",
    "manager",
    "supervisor",
    "operator",
    "dpo",
    "auditor",
];

/// The roles that manage accounts: the owner and the manager.
const MANAGERS: &[&str] = &["owner", "manager"];

async fn matrix_on(app: App) {
    let pack = custos_domain::PolicyPack::parse(SCHOOL).expect("pack");
    let roles: Vec<String> = pack.roles.iter().map(|r| r.id.to_string()).collect();
    // Everyone has a second factor, so that roles for which the pack makes it mandatory
    // reach the pages rather than the set-up page.
    let secret = [7u8; 20];
    for role in &roles {
        let name = Username::parse(&format!("as-{role}")).expect("name");
        app.store
            .add_user(
                &console(),
                &name,
                &format!("Tester {role}"),
                PASSWORD,
                &[Assignment {
                    role: custos_domain::Ident::parse(role).expect("role"),
                    scope: Scope::Scheme,
                }],
            )
            .await
            .expect("user");
        let code = custos_domain::totp::code_at(&secret, app.clock.now().0);
        app.store
            .enrol_mfa(&console(), &name, &secret, &code)
            .await
            .expect("enrol");
        train(&app.store, &name, role).await;
        accept_declaration(&app.store, &name).await;
    }
    for spec in custos_web::route_specs() {
        let Some((_, _, expect)) = MATRIX
            .iter()
            .find(|(m, p, _)| *m == spec.method && *p == spec.path)
        else {
            panic!(
                "{} {} has no row in the route × role matrix; add one saying who may use it",
                spec.method, spec.path
            );
        };
        let path = spec
            .path
            .replace("{seq}", "999999")
            .replace("{file}", "custos.css")
            .replace("{name}", "nobody")
            .replace("{id}", "nowhere")
            .replace("{token}", "0123456789abcdef")
            .replace("{grant}", "0123456789abcdef")
            .replace("{book}", "review")
            .replace("{kind}", "acknowledgement")
            .replace("{username}", "nobody")
            .replace("{on}", "1")
            .replace("{reference}", "SAR-2026-9999")
            .replace("{key}", "0123456789abcdef0123456789abcdef");
        // API calls carry the session as a bearer token and a JSON body (it signs in as
        // `aud`, so that the public sign-in call is seen to succeed).
        let api = path.starts_with("/api/");
        let json = format!(
            r#"{{"username":"aud","password":"{PASSWORD}","from":"2026-01-05T10:00:00Z","to":"2026-01-05T10:10:00Z","purpose":"security-and-safety","reason":"checked","result":"checked"}}"#
        );
        let send = |token: Option<String>, form: String| {
            let (method, path, json) = (spec.method, path.clone(), json.clone());
            let app = &app;
            async move {
                let body = (method == "POST").then_some(());
                if api {
                    app.api(
                        method,
                        &path,
                        token.as_deref(),
                        body.map(|()| json.as_str()),
                    )
                    .await
                } else if method == "POST" && path == "/login" {
                    // The sign-in form's own token comes with the form, as in a browser.
                    app.post_login(&form).await
                } else {
                    app.send(
                        method,
                        &path,
                        token.as_deref(),
                        body.map(|()| form.as_str()),
                    )
                    .await
                }
            }
        };
        // Signed out, any way to the sign-in page is a refusal; signed in, only one that
        // means to come back (signing out also ends there).
        let denied = |r: &Reply, signed_in: bool| {
            r.status == StatusCode::FORBIDDEN
                || (api && r.status == StatusCode::UNAUTHORIZED)
                || r.location()
                    .starts_with(if signed_in { "/login?" } else { "/login" })
        };
        // Nobody signed in.
        let r = send(
            None,
            "csrf=x&note=x&username=nobody&password=wrong+wrong+wrong".to_owned(),
        )
        .await;
        assert_eq!(
            denied(&r, false),
            !matches!(expect, Expect::Public),
            "{} {} for someone not signed in: {} {} {}",
            spec.method,
            spec.path,
            r.status,
            r.location(),
            r.body
        );
        for role in &roles {
            // A fresh time step, so the code is not a replay.
            app.clock.advance_ms(30_000);
            let code = custos_domain::totp::code_at(&secret, app.clock.now().0);
            let token = app.sign_in_with(&format!("as-{role}"), &code).await;
            let csrf = match app.store.session(&token, 3_600_000).await.expect("session") {
                custos_store::SessionState::Live(info) => info.csrf,
                other => panic!("{other:?}"),
            };
            let form = format!(
                "csrf={csrf}&note=checked&password=wrong+wrong+wrong&username=nobody&name=No+Body&role=viewer&scope=scheme&reason=checked&from=2026-01-05&until=2026-01-09&id=x&site=bosmere&kind=fixed&mode=continuous&url=rtsp%3A%2F%2Fh%2Fs&to=2026-01-05T10%3A10&result=checked"
            );
            let r = send(Some(token), form).await;
            let allowed = match expect {
                Expect::Public | Expect::SignedIn => true,
                Expect::Roles(rs) => rs.contains(&role.as_str()),
                Expect::Nobody => false,
            };
            assert_eq!(
                denied(&r, true),
                !allowed,
                "{} {} as {role}: {} {}",
                spec.method,
                spec.path,
                r.status,
                r.location()
            );
        }
    }
}

/// Route × role matrix (LJM-6, LBU-4, BDC-11, SCC-7), on SQLite: every route the router
/// has is in the matrix, and each lets through exactly the roles the matrix says.
#[tokio::test]
async fn lbu_4_route_role_matrix_on_sqlite() {
    matrix_on(app().await).await;
}

/// The same matrix on PostgreSQL.
#[tokio::test]
async fn lbu_4_route_role_matrix_on_postgresql() {
    let Some(location) = postgres().await else {
        return;
    };
    matrix_on(app_on(tempfile::tempdir().expect("tmp"), location).await).await;
}

/// The pack's privileged roles must set up a second factor (RFC 6238): until they do, every
/// staff page leads to the set-up page; afterwards a sign-in needs the password and a
/// current code, and a code cannot be used twice.
#[tokio::test]
async fn a_privileged_role_must_set_up_and_then_use_a_second_factor() {
    let app = app().await;
    let boss = Username::parse("boss").expect("name");
    app.store
        .add_user(
            &console(),
            &boss,
            "The Site Manager",
            PASSWORD,
            &[Assignment {
                role: custos_domain::Ident::parse("manager").expect("role"),
                scope: Scope::Scheme,
            }],
        )
        .await
        .expect("user");
    accept_declaration(&app.store, &boss).await;
    let token = app.sign_in("boss").await;
    let r = app.get("/logbooks", Some(&token)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.location(),
        "/account/mfa",
        "the manager must set up a second factor first"
    );

    let r = app.get("/account/mfa", Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("<svg") && r.body.contains("id=\"secret\""),
        "{}",
        r.body
    );
    let secret_b32 = r
        .body
        .split("id=\"secret\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the key")
        .to_owned();
    let secret = custos_domain::totp::base32_decode(&secret_b32).expect("base32");
    let csrf = App::csrf(&r.body);
    let r = app
        .send(
            "POST",
            "/account/mfa",
            Some(&token),
            Some(&format!("csrf={csrf}&secret={secret_b32}&code=000000")),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("that code is not right"), "{}", r.body);
    let code = custos_domain::totp::code_at(&secret, app.clock.now().0);
    let r = app
        .send(
            "POST",
            "/account/mfa",
            Some(&token),
            Some(&format!("csrf={csrf}&secret={secret_b32}&code={code}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        app.get("/logbooks", Some(&token)).await.status,
        StatusCode::OK
    );

    // From now on the password alone is not enough, and a code works once.
    let r = app
        .post_login("username=boss&password=walnut+kettle+lamp")
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app
        .post_login(&format!(
            "username=boss&password=walnut+kettle+lamp&code={code}"
        ))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "a code already used is refused"
    );
    app.clock.advance_ms(30_000);
    let code = custos_domain::totp::code_at(&secret, app.clock.now().0);
    let token = app.sign_in_with("boss", &code).await;
    assert_eq!(
        app.get("/logbooks", Some(&token)).await.status,
        StatusCode::OK
    );
    let access = app.get("/logbooks?book=access", Some(&token)).await.body;
    assert!(
        access.contains("mfa-enrolled") && access.contains("second_factor"),
        "{access}"
    );
}

/// BDC-7: users accept the scheme's confidentiality declaration at their first sign-in,
/// before any staff page, and again when the pack's text changes; each acceptance is
/// ledgered with the text accepted.
#[tokio::test]
async fn bdc_7_the_declaration_is_accepted_first_and_again_when_it_changes() {
    let app = app().await;
    let new = Username::parse("newbie").expect("name");
    app.store
        .add_user(
            &console(),
            &new,
            "New Person",
            PASSWORD,
            &[Assignment {
                role: custos_domain::Ident::parse("auditor").expect("role"),
                scope: Scope::Scheme,
            }],
        )
        .await
        .expect("user");
    let token = app.sign_in("newbie").await;
    let r = app.get("/logbooks?book=config", Some(&token)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.location(),
        "/account/declaration?next=/logbooks%3Fbook%3Dconfig"
    );
    let r = app.get(r.location(), Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains(custos_domain::policy::DEFAULT_DECLARATION),
        "{}",
        r.body
    );
    let csrf = App::csrf(&r.body);
    let r = app
        .send(
            "POST",
            "/account/declaration",
            Some(&token),
            Some(&format!("csrf={csrf}&next=%2Flogbooks%3Fbook%3Dconfig")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/logbooks?book=config");
    assert_eq!(
        app.get("/logbooks?book=config", Some(&token)).await.status,
        StatusCode::OK
    );

    // A new text must be accepted again.
    let changed = SCHOOL.replace(
        "idle_lock_minutes = 5",
        "idle_lock_minutes = 5\ndeclaration = \"I will keep what I see here confidential, as the school's CCTV policy says.\"",
    );
    assert_ne!(changed, SCHOOL);
    app.store
        .load_policy(&console(), &changed)
        .await
        .expect("load");
    let r = app.get("/logbooks", Some(&token)).await;
    assert!(
        r.location().starts_with("/account/declaration"),
        "{}",
        r.location()
    );
    let r = app.get("/account/declaration", Some(&token)).await;
    assert!(
        r.body.contains("as the school&#39;s CCTV policy says")
            || r.body.contains("as the school's CCTV policy says"),
        "{}",
        r.body
    );
    let csrf = App::csrf(&r.body);
    app.send(
        "POST",
        "/account/declaration",
        Some(&token),
        Some(&format!("csrf={csrf}")),
    )
    .await;
    assert_eq!(
        app.get("/logbooks", Some(&token)).await.status,
        StatusCode::OK
    );

    let accepted: Vec<String> = app
        .store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::Access),
            reference: Some("user:newbie".to_owned()),
            ..Default::default()
        })
        .await
        .expect("entries")
        .into_iter()
        .filter(|e| e.kind == "declaration-accepted")
        .map(|e| e.body)
        .collect();
    assert_eq!(accepted.len(), 2);
    assert!(
        accepted[1].contains("as the school's CCTV policy says"),
        "{}",
        accepted[1]
    );
}

/// BDC-36: signing on and off duty from the page header, ledgered in the duty logbook.
#[tokio::test]
async fn bdc_36_staff_sign_on_and_off_duty() {
    let app = app().await;
    let aud = app.sign_in("aud").await;
    let page = app.get("/logbooks", Some(&aud)).await.body;
    assert!(page.contains("Sign on duty"), "{page}");
    let csrf = App::csrf(&page);
    let r = app
        .send(
            "POST",
            "/duty/on",
            Some(&aud),
            Some(&format!("csrf={csrf}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = app.get("/logbooks?book=duty", Some(&aud)).await.body;
    assert!(
        page.contains("Sign off duty") && page.contains("signed-on"),
        "{page}"
    );
    let r = app
        .send(
            "POST",
            "/duty/on",
            Some(&aud),
            Some(&format!("csrf={csrf}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "already on duty");
    let r = app
        .send(
            "POST",
            "/duty/off",
            Some(&aud),
            Some(&format!("csrf={csrf}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = app.get("/logbooks?book=duty", Some(&aud)).await.body;
    assert!(
        page.contains("signed-off") && page.contains("Sign on duty"),
        "{page}"
    );
}

/// LJM-6, LBU-4: a manager adds a person on the web (the new password is shown once and
/// works), grants and revokes roles and disables the account with a reason; each change is
/// ledgered under the manager's name.
#[tokio::test]
async fn lbu_4_a_manager_manages_people_on_the_web() {
    let app = app().await;
    let boss = Username::parse("boss").expect("name");
    app.store
        .add_user(
            &console(),
            &boss,
            "The Site Manager",
            PASSWORD,
            &[Assignment {
                role: custos_domain::Ident::parse("manager").expect("role"),
                scope: Scope::Scheme,
            }],
        )
        .await
        .expect("user");
    accept_declaration(&app.store, &boss).await;
    let secret = [5u8; 20];
    let code = custos_domain::totp::code_at(&secret, app.clock.now().0);
    app.store
        .enrol_mfa(&console(), &boss, &secret, &code)
        .await
        .expect("mfa");
    app.clock.advance_ms(30_000);
    let token = app
        .sign_in_with(
            "boss",
            &custos_domain::totp::code_at(&secret, app.clock.now().0),
        )
        .await;
    let op = app.sign_in("op").await;
    assert_eq!(
        app.get("/users", Some(&op)).await.status,
        StatusCode::FORBIDDEN
    );

    let r = app.get("/users", Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("id=\"user-aud\"") && r.body.contains("id=\"user-op\""),
        "{}",
        r.body
    );
    let csrf = App::csrf(&r.body);
    let r = app
        .send(
            "POST",
            "/users",
            Some(&token),
            Some(&format!(
                "csrf={csrf}&username=n.patel&name=Nita+Patel&role=operator&scope="
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let password = r
        .body
        .split("id=\"new-password\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the new password, shown once")
        .to_owned();
    assert!(
        !app.get("/users", Some(&token))
            .await
            .body
            .contains(&password),
        "shown only once"
    );
    let r = app
        .post_login(&format!("username=n.patel&password={password}"))
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "the new person can sign in"
    );

    let r = app
        .send(
            "POST",
            "/users",
            Some(&token),
            Some(&format!(
                "csrf={csrf}&username=n.patel&name=X&role=operator"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("already an account"), "{}", r.body);

    for (path, form) in [
        ("/users/n.patel/grant", "role=supervisor&scope=site%3Amain"),
        ("/users/n.patel/revoke", "role=operator&scope=scheme"),
    ] {
        let r = app
            .send(
                "POST",
                path,
                Some(&token),
                Some(&format!("csrf={csrf}&{form}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}: {}", r.body);
    }
    let r = app
        .send(
            "POST",
            "/users/n.patel/disable",
            Some(&token),
            Some(&format!("csrf={csrf}&reason=")),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a reason is needed");
    let r = app
        .send(
            "POST",
            "/users/n.patel/disable",
            Some(&token),
            Some(&format!("csrf={csrf}&reason=left&confirm=yes")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = app.get("/users", Some(&token)).await.body;
    let row = page
        .split("id=\"user-n.patel\"")
        .nth(1)
        .and_then(|s| s.split("</tr>").next())
        .expect("row");
    let roles_cell = row.split("<td>").nth(3).unwrap_or_default();
    assert!(
        roles_cell.starts_with("Supervisor at site main") && !roles_cell.contains("Operator"),
        "{roles_cell}"
    );
    assert!(row.contains("<td>disabled</td>"), "{row}");

    let kinds: Vec<(String, String)> = app
        .store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::Config),
            reference: Some("user:n.patel".to_owned()),
            ..Default::default()
        })
        .await
        .expect("entries")
        .into_iter()
        .map(|e| (e.actor, e.kind))
        .collect();
    let by = "user:boss".to_owned();
    assert_eq!(
        kinds,
        [
            (by.clone(), "user-added".to_owned()),
            (by.clone(), "role-granted".to_owned()),
            (by.clone(), "role-revoked".to_owned()),
            (by, "user-disabled".to_owned()),
        ]
    );
}

/// BDC-1: while the manager is absent, the supervisor deputises with the rights the pack
/// gives (here: managing accounts); the page says so, and what they do is ledgered under
/// their name as deputy for the manager. When the manager is back, the right goes.
#[tokio::test]
async fn bdc_1_a_deputy_acts_while_the_manager_is_away_and_the_ledger_says_so() {
    let app = app().await;
    let pack = format!(
        "{SCHOOL}\n[[access.deputies]]\nabsent = [\"manager\"]\ndeputy = \"supervisor\"\nrights = [\"manage-users\"]\n"
    );
    app.store
        .load_policy(&console(), &pack)
        .await
        .expect("load");
    let mgr = person(&app, "mgr", "manager").await;
    let sup = person(&app, "sup", "supervisor").await;
    let r = app.get("/users", Some(&sup)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // The manager records their own leave, from today.
    let page = app.get("/users", Some(&mgr)).await;
    let today = custos_base::UnixMs(app.clock.now().0).to_london_display();
    let today = &today[..10];
    let r = app
        .send(
            "POST",
            "/users/mgr/absent",
            Some(&mgr),
            Some(&format!(
                "csrf={}&from={today}&until={today}&reason=annual+leave",
                App::csrf(&page.body)
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    let page = app.get("/users", Some(&sup)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("You are deputising for the absent manager (across the scheme)"),
        "{}",
        page.body
    );
    assert!(page.body.contains("away "), "{}", page.body);
    let r = app
        .send(
            "POST",
            "/users",
            Some(&sup),
            Some(&format!(
                "csrf={}&username=newbie&name=New+Starter&role=viewer&scope=scheme",
                App::csrf(&page.body)
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let added = app
        .store
        .ledger_entries(&LedgerQuery {
            reference: Some("user:newbie".to_owned()),
            ..Default::default()
        })
        .await
        .expect("entries");
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].actor, "user:sup");
    assert!(
        added[0].body.contains("\"as_deputy_for\":\"manager\""),
        "{}",
        added[0].body
    );

    // Back early: the supervisor's deputy rights end at once.
    let r = app
        .send(
            "POST",
            "/users/mgr/back",
            Some(&sup),
            Some(&format!("csrf={}", App::csrf(&page.body))),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app.get("/users", Some(&sup)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

/// LJM-8, LBU-5: a camera group restricted to the control room's network is refused from
/// elsewhere with a page that says why, and the refusal is ledgered; forwarded addresses
/// count only from a configured proxy. The navigation shows each role only the pages it
/// may open.
#[tokio::test]
async fn ljm_8_a_restricted_group_is_refused_outside_its_workstations_and_ledgered() {
    let mut app = app().await;
    let id = custos_domain::Ident::parse("office").expect("id");
    app.store
        .add_camera_group(
            &console(),
            &id,
            &custos_domain::Ident::parse("bosmere").expect("site"),
            "School office",
            &custos_domain::network::parse_networks("10.9.0.0/16").expect("nets"),
        )
        .await
        .expect("group");
    let op = app.sign_in("op").await;
    let list = app.get("/groups", Some(&op)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(
        list.body.contains("not from this workstation (192.0.2.7)"),
        "{}",
        list.body
    );
    let r = app.get("/groups/office", Some(&op)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.body.contains("the cameras of group office may be watched only from the workstations registered for it, and this request comes from 192.0.2.7"),
        "{}",
        r.body
    );
    let refusals = app
        .store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::Access),
            actor: Some("user:op".to_owned()),
            ..Default::default()
        })
        .await
        .expect("entries");
    let refusal = refusals
        .iter()
        .find(|e| e.kind == "workstation-refused")
        .expect("ledgered");
    assert!(refusal.refs.contains("group:office"), "{}", refusal.refs);
    assert!(refusal.body.contains("192.0.2.7"), "{}", refusal.body);

    // A forged header from a client the server does not trust changes nothing.
    app.forwarded_for = Some("10.9.4.4".to_owned());
    let r = app.get("/groups/office", Some(&op)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Behind a configured proxy, the forwarded address is the client's.
    app.proxies = vec![Network::parse("192.0.2.7").expect("net")];
    let r = app.get("/groups/office", Some(&op)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("School office"), "{}", r.body);
    assert!(
        r.body
            .contains("<a href=\"/groups\" aria-current=\"page\">Cameras</a>")
            && !r.body.contains("href=\"/logbooks\"")
            && !r.body.contains("href=\"/users\""),
        "an operator's navigation: {}",
        r.body
    );
    let aud = app.sign_in("aud").await;
    let r = app.get("/logbooks", Some(&aud)).await;
    assert!(
        r.body
            .contains("<a href=\"/logbooks\" aria-current=\"page\">Logbooks</a>")
            && !r.body.contains("href=\"/groups\"")
            && !r.body.contains("href=\"/users\""),
        "an auditor's navigation: {}",
        r.body
    );
}

/// LJM-1, BDC-9, ALT-21: a manager registers a camera on the web; its page shows what it is
/// for and never the password typed in its address; it appears on its group's page; a
/// manager of another site neither sees it in the register nor opens it.
#[tokio::test]
async fn ljm_1_managers_register_cameras_on_the_web_for_their_own_site() {
    let app = app().await;
    app.store
        .set_master_key(custos_store::secrets::SecretKey::generate().expect("key"));
    let site = custos_domain::Ident::parse("bosmere").expect("site");
    let group = custos_domain::Ident::parse("entrances").expect("group");
    app.store
        .add_camera_group(&console(), &group, &site, "Entrances", &[])
        .await
        .expect("group");
    let mgr = person(&app, "mgr", "manager").await;
    let page = app.get("/cameras", Some(&mgr)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = App::csrf(&page.body);
    let form = |purpose: &str| {
        format!(
            "csrf={csrf}&id=front-gate&name=Front+gate&site=bosmere&location=Above+the+gate&area=The+path&kind=fixed&mode=continuous&purposes={purpose}&groups=entrances&url=rtsp%3A%2F%2Fadmin%3AHidd3n%40192.0.2.10%2Fs1&transport=tcp&dpia=DPIA-7&requirement=Identify+visitors"
        )
    };
    let r = app
        .send("POST", "/cameras", Some(&mgr), Some(&form("gossip")))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("no purpose"), "{}", r.body);
    assert!(!r.body.contains("Hidd3n"));
    let r = app
        .send(
            "POST",
            "/cameras",
            Some(&mgr),
            Some(&form("security-and-safety")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/cameras/front-gate?done=camera-added");
    let page = app.get("/cameras/front-gate", Some(&mgr)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("rtsp://192.0.2.10/s1")
            && page.body.contains("credentials stored encrypted")
            && page.body.contains("DPIA-7")
            && !page.body.contains("Hidd3n"),
        "{}",
        page.body
    );
    let l = app.get("/cameras", Some(&mgr)).await;
    assert!(l.body.contains("id=\"camera-front-gate\""), "{}", l.body);
    let op = app.sign_in("op").await;
    let g = app.get("/groups/entrances", Some(&op)).await;
    assert!(g.body.contains("Front gate"), "{}", g.body);

    // A manager of another site.
    let other = Username::parse("other").expect("name");
    app.store
        .add_user(
            &console(),
            &other,
            "Other Site",
            PASSWORD,
            &[Assignment {
                role: custos_domain::Ident::parse("manager").expect("role"),
                scope: Scope::parse("site:elsewhere").expect("scope"),
            }],
        )
        .await
        .expect("user");
    let secret = [5u8; 20];
    let code = custos_domain::totp::code_at(&secret, app.clock.now().0);
    app.store
        .enrol_mfa(&console(), &other, &secret, &code)
        .await
        .expect("enrol");
    accept_declaration(&app.store, &other).await;
    app.clock.advance_ms(30_000);
    let code = custos_domain::totp::code_at(&secret, app.clock.now().0);
    let other = app.sign_in_with("other", &code).await;
    let list = app.get("/cameras", Some(&other)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        !list.body.contains("id=\"camera-front-gate\""),
        "{}",
        list.body
    );
    let r = app.get("/cameras/front-gate", Some(&other)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("only at site:elsewhere"), "{}", r.body);
}

/// LBU-16: `/metrics` gives each camera stream's figures in the Prometheus text format to
/// the configured networks (loopback by default) and refuses everyone else.
#[tokio::test]
async fn lbu_16_metrics_are_served_only_to_the_configured_networks() {
    let mut app = app().await;
    app.store
        .set_master_key(custos_store::secrets::SecretKey::generate().expect("key"));
    let site = custos_domain::Ident::parse("bosmere").expect("site");
    let group = custos_domain::Ident::parse("entrances").expect("group");
    app.store
        .add_camera_group(&console(), &group, &site, "Entrances", &[])
        .await
        .expect("group");
    let cam = custos_domain::Ident::parse("gate").expect("id");
    app.store
        .add_camera(
            &console(),
            &custos_store::CameraRequest {
                id: cam.clone(),
                draft: custos_domain::camera::CameraDraft {
                    name: "Gate".to_owned(),
                    site,
                    location: "Gate".to_owned(),
                    area: "Path".to_owned(),
                    kind: custos_domain::CameraKind::Fixed,
                    mode: custos_domain::RecordingMode::Continuous,
                    purposes: vec![custos_domain::Ident::parse("security-and-safety").expect("p")],
                    audio: false,
                    retention_days: None,
                    dpia_ref: String::new(),
                    operational_requirement: String::new(),
                    priority: custos_domain::camera::Priority::DEFAULT,
                },
                groups: vec![group],
                main: custos_domain::camera::RtspAddress::parse("rtsp://192.0.2.10/s")
                    .expect("url"),
                sub: None,
                transport: custos_domain::camera::Transport::Tcp,
                audio_reason: None,
            },
        )
        .await
        .expect("camera");
    app.store
        .put_health(&custos_store::health::Health {
            camera: cam.clone(),
            stream: "main".to_owned(),
            state: "recording".to_owned(),
            since_unix_ms: 1_790_000_000_000,
            last_frame_unix_ms: Some(1_790_000_100_000),
            frames_per_s_milli: 25_000,
            bitrate_bps: 4_000_000,
            reconnects: 2,
            drift_ms: 0,
            detail: String::new(),
            updated_at_unix_ms: 1_790_000_100_000,
        })
        .await
        .expect("health");
    let r = app.get("/metrics", None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("web.metrics_from"), "{}", r.body);
    app.peer = SocketAddr::from(([127, 0, 0, 1], 40000));
    let r = app.get("/metrics", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for line in [
        "# TYPE custos_camera_up gauge",
        "custos_camera_up{camera=\"gate\",stream=\"main\"} 1",
        "custos_camera_frames_per_second{camera=\"gate\",stream=\"main\"} 25",
        "custos_camera_bitrate_bits_per_second{camera=\"gate\",stream=\"main\"} 4000000",
        "custos_camera_reconnects_total{camera=\"gate\",stream=\"main\"} 2",
        "custos_camera_fault_open{camera=\"gate\",stream=\"main\"} 0",
    ] {
        assert!(r.body.lines().any(|l| l == line), "{line} in:\n{}", r.body);
    }
    assert!(
        app.store
            .open_fault(&cam, 1_790_000_000_000, "unreachable")
            .await
            .expect("fault")
    );
    let r = app.get("/metrics", None).await;
    assert!(
        r.body
            .contains("custos_camera_fault_open{camera=\"gate\",stream=\"main\"} 1"),
        "{}",
        r.body
    );
}

/// After a real sign-in the browser goes only to a path on this site: `next` is decided by
/// parsing it as the browser would, so a tab, a backslash or a second slash cannot send it
/// elsewhere; a path of our own (with its query) is kept.
#[tokio::test]
async fn signing_in_never_sends_the_browser_off_site() {
    let app = app().await;
    for (next, expected) in [
        ("/%09/evil.example", "/start"),
        ("%2F%2Fevil.example", "/start"),
        ("/%5Cevil.example", "/start"),
        ("https://evil.example/", "/start"),
        ("/%0A/evil.example", "/start"),
        ("/logbooks%3Fbook%3Dconfig", "/logbooks?book=config"),
    ] {
        let r = app
            .post_login(&format!(
                "username=aud&password=walnut+kettle+lamp&next={next}"
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next}: {}", r.body);
        assert_eq!(r.location(), expected, "{next}");
    }
}

/// The sign-in form carries a token matching a cookie, like every other form: a sign-in
/// posted from elsewhere (no token, or another form's) is refused before any password is
/// checked, and nothing is ledgered.
#[tokio::test]
async fn the_sign_in_form_needs_its_own_csrf_token() {
    let app = app().await;
    let before = app.store.ledger_counts().await.expect("counts").0;
    let r = app
        .send(
            "POST",
            "/login",
            None,
            Some("username=aud&password=walnut+kettle+lamp"),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(
        r.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .all(|c| !c.to_str().unwrap_or("").starts_with("custos_session="))
    );
    let page = app.get("/login", None).await;
    let wrong = format!(
        "csrf={}x&username=aud&password=walnut+kettle+lamp",
        App::csrf(&page.body)
    );
    let r = app.send("POST", "/login", None, Some(&wrong)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(app.store.ledger_counts().await.expect("counts").0, before);
    // The form as served works.
    app.sign_in("aud").await;
}

/// Replacing a second factor needs the password and a current code from the factor it
/// replaces, not only an open session; a wrong password or code counts as a refused
/// sign-in.
#[tokio::test]
async fn replacing_the_second_factor_needs_the_password_and_a_current_code() {
    let app = app().await;
    let token = person(&app, "boss", "manager").await;
    let old_secret = [9u8; 20];
    let r = app.get("/account/mfa", Some(&token)).await;
    assert!(r.body.contains("id=\"current_code\""), "{}", r.body);
    let new_b32 = r
        .body
        .split("id=\"secret\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the key")
        .to_owned();
    let new_secret = custos_domain::totp::base32_decode(&new_b32).expect("base32");
    let csrf = App::csrf(&r.body);
    // The sign-in used the current step's code; a code is never accepted twice.
    app.clock.advance_ms(30_000);
    let now = app.clock.now().0;
    let new_code = custos_domain::totp::code_at(&new_secret, now);
    let old_code = custos_domain::totp::code_at(&old_secret, now);
    // The session alone: refused.
    let r = app
        .send(
            "POST",
            "/account/mfa",
            Some(&token),
            Some(&format!("csrf={csrf}&secret={new_b32}&code={new_code}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    // A wrong current code: refused, and counted.
    let r = app
        .send(
            "POST",
            "/account/mfa",
            Some(&token),
            Some(&format!(
                "csrf={csrf}&secret={new_b32}&code={new_code}&password=walnut+kettle+lamp&current_code=000000"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    let refused = |entries: &[custos_domain::ledger::StoredEntry]| {
        entries
            .iter()
            .filter(|e| e.kind == "sign-in-refused" && e.body.contains("second_factor"))
            .count()
    };
    let access = app
        .store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::Access),
            ..Default::default()
        })
        .await
        .expect("entries");
    assert_eq!(refused(&access), 1);
    assert!(!access.iter().any(|e| e.kind == "mfa-replaced"));
    // Password and current code: replaced.
    let r = app
        .send(
            "POST",
            "/account/mfa",
            Some(&token),
            Some(&format!(
                "csrf={csrf}&secret={new_b32}&code={new_code}&password=walnut+kettle+lamp&current_code={old_code}"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let access = app
        .store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::Access),
            ..Default::default()
        })
        .await
        .expect("entries");
    assert!(access.iter().any(|e| e.kind == "mfa-replaced"));
    // The new factor is the one that signs in now.
    app.clock.advance_ms(30_000);
    let code = custos_domain::totp::code_at(&new_secret, app.clock.now().0);
    app.sign_in_with("boss", &code).await;
}

/// Every answer is safe to cache and to frame: a strict Content-Security-Policy with no
/// framing, no sniffing, no referrer, and `no-store` on pages and API answers (our own
/// static files may be kept but are revalidated); HSTS only when a trusted proxy says the
/// request came over TLS.
#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let mut app = app().await;
    let aud = app.sign_in("aud").await;
    let api = {
        let r = app
            .api(
                "POST",
                "/api/v1/sessions",
                None,
                Some(&format!(r#"{{"username":"op","password":"{PASSWORD}"}}"#)),
            )
            .await;
        serde_json::from_str::<serde_json::Value>(&r.body).expect("json")["token"]
            .as_str()
            .expect("token")
            .to_owned()
    };
    let mut answers = vec![
        ("/", app.get("/", None).await),
        ("/login", app.get("/login", None).await),
        ("/start", app.get("/start", Some(&aud)).await),
        ("/logbooks", app.get("/logbooks", Some(&aud)).await),
        ("/nowhere", app.get("/nowhere", None).await),
    ];
    answers.push((
        "/api/v1/cameras",
        app.api("GET", "/api/v1/cameras", Some(&api), None).await,
    ));
    for (path, r) in &answers {
        let h = |name: &str| {
            r.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        let csp = h("content-security-policy");
        assert!(
            csp.contains("frame-ancestors 'none'")
                && csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(h("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(h("cache-control"), "no-store", "{path}");
        assert_eq!(h("strict-transport-security"), "", "{path}: not over TLS");
    }
    let css = app.get("/static/custos.css", None).await;
    assert_eq!(
        css.headers
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-cache")
    );
    // Pages link to the stylesheet by a name carrying its content's hash, which may be
    // kept for a year: a changed stylesheet has a new name.
    let page = app.get("/", None).await;
    let hashed = page
        .body
        .split("href=\"/static/custos.")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(|rest| format!("/static/custos.{rest}"))
        .expect("the page links to the stylesheet");
    assert!(
        hashed.len() == "/static/custos..css".len() + 12 && hashed.ends_with(".css"),
        "{hashed}"
    );
    let css = app.get(&hashed, None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(
        css.headers
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(
        app.get("/static/custos.000000000000.css", None)
            .await
            .status,
        StatusCode::NOT_FOUND,
        "an old name is no file"
    );
    // Behind a trusted proxy that terminated TLS.
    app.peer = "127.0.0.1:40000".parse().expect("addr");
    app.proxies = vec![Network::parse("127.0.0.1").expect("net")];
    app.forwarded_for = Some("203.0.113.9".to_owned());
    let r = app
        .send_with_headers("GET", "/", &[("x-forwarded-proto", "https")])
        .await;
    assert!(
        r.headers
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("max-age=")),
        "{:?}",
        r.headers
    );
}

/// BJS-9: under the school's pack a viewer whose training is recorded starts on the live
/// grid after signing in, as every page counts their training; one whose training is not
/// recorded starts on the start page, and the live grid refuses them, naming the course.
#[tokio::test]
async fn bjs_9_a_trained_viewer_starts_on_the_live_grid_and_an_untrained_one_does_not() {
    let app = app().await;
    for (name, trained) in [("vt", true), ("vu", false)] {
        let user = Username::parse(name).expect("name");
        app.store
            .add_user(
                &console(),
                &user,
                &format!("Viewer {name}"),
                PASSWORD,
                &[Assignment {
                    role: custos_domain::Ident::parse("viewer").expect("role"),
                    scope: Scope::Scheme,
                }],
            )
            .await
            .expect("user");
        if trained {
            train(&app.store, &user, "viewer").await;
        }
        accept_declaration(&app.store, &user).await;
    }
    let r = app
        .post_login("username=vt&password=walnut+kettle+lamp")
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/live");
    let r = app
        .post_login("username=vu&password=walnut+kettle+lamp")
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/start");
    let untrained = app.sign_in("vu").await;
    let live = app.get("/live", Some(&untrained)).await;
    assert_eq!(live.status, StatusCode::FORBIDDEN, "{}", live.body);
    assert!(live.body.contains("CCTV staff training"), "{}", live.body);
}

/// LBU-4, LJM-1, BDC-8: a camera whose every purpose is for recordings only is not watched
/// live — not on the live grid, not as a stream, not as its latest picture, and the API
/// says so — though its recordings can still be reviewed for a purpose it serves.
#[tokio::test]
async fn lbu_4_a_camera_for_recorded_purposes_only_is_never_watched_live() {
    let app = app().await;
    let cam = add_front_gate(&app).await;
    // The school's pack with its security purpose made recorded-only.
    let pack = SCHOOL.replacen("live_view = true", "live_view = false", 1);
    assert_ne!(pack, SCHOOL);
    app.store
        .load_policy(&console(), &pack)
        .await
        .expect("recorded-only pack");
    let owner = person(&app, "head", "owner").await;
    let grid = app.get("/live", Some(&owner)).await;
    assert_eq!(grid.status, StatusCode::OK, "{}", grid.body);
    assert!(!grid.body.contains("tile-front-gate"), "{}", grid.body);
    for path in [
        format!("/live/{cam}/stream.mp4"),
        format!("/cameras/{cam}/thumbnail.mp4"),
    ] {
        let r = app.get(&path, Some(&owner)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.body);
        assert!(r.body.contains("not watched live"), "{path}: {}", r.body);
    }
    let listed = app.api("GET", "/api/v1/cameras", Some(&owner), None).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let cameras: serde_json::Value = serde_json::from_str(&listed.body).expect("json");
    assert_eq!(cameras[0]["id"], "front-gate");
    assert_eq!(cameras[0]["may_watch_live"], false);
    // With the pack as shipped, the same camera is watched live.
    app.store
        .load_policy(&console(), SCHOOL)
        .await
        .expect("school pack");
    let grid = app.get("/live", Some(&owner)).await;
    assert!(grid.body.contains("tile-front-gate"), "{}", grid.body);
}

const COUNCIL: &str = include_str!("../../../policies/bassetlaw-district-council.toml");

/// A person under the council's pack holding `role`, with an SIA licence and the operator
/// training in date when `qualified`; signed in.
async fn council_person(app: &App, name: &str, role: &str, qualified: bool) -> String {
    let cookie = person(app, name, role).await;
    if qualified {
        let user = Username::parse(name).expect("name");
        app.store
            .record_licence(&console(), &user, "1234 5678 9012 3456", "2099-01-01")
            .await
            .expect("licence");
        app.store
            .record_training(
                &console(),
                &user,
                "CCTV operator training",
                "2026-01-05",
                None,
            )
            .await
            .expect("training");
    }
    cookie
}

/// BDC-36, BDC-22: an operator who signs on duty from the page header lands on a page they
/// may open (not the duty logbook, which operators may not read), told that it worked; a
/// trainee's Start page says that a licensed operator must be on duty, not "ask a manager",
/// and once one is, the trainee may watch.
#[tokio::test]
async fn bdc_22_signing_on_duty_lands_on_a_page_that_opens_and_a_trainee_is_told_who_must_be_on_duty()
 {
    let app = app().await;
    app.store
        .load_policy(&console(), COUNCIL)
        .await
        .expect("council pack");
    let trainee = council_person(&app, "tr", "trainee-operator", false).await;
    let start = app.get("/start", Some(&trainee)).await;
    assert_eq!(start.status, StatusCode::OK, "{}", start.body);
    assert!(
        start
            .body
            .contains("only while a licensed operator is signed on duty"),
        "{}",
        start.body
    );
    assert!(!start.body.contains("ask a manager"), "{}", start.body);

    let op = council_person(&app, "op2", "operator", true).await;
    let page = app.get("/start", Some(&op)).await.body;
    let csrf = App::csrf(&page);
    let r = app
        .send("POST", "/duty/on", Some(&op), Some(&format!("csrf={csrf}")))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let landed = app.get(r.location(), Some(&op)).await;
    assert_eq!(
        landed.status,
        StatusCode::OK,
        "{}: {}",
        r.location(),
        landed.body
    );
    assert!(
        landed.body.contains("You are signed on duty."),
        "{}",
        landed.body
    );

    let start = app.get("/start", Some(&trainee)).await.body;
    assert!(start.contains("<li>watch cameras live</li>"), "{start}");
    assert!(!start.contains("id=\"held-back\""), "{start}");
}

/// LJM-6, LBU-4: the People page's role lists start at the least right and offer only the
/// roles the manager holds every right of; a manager cannot grant themselves (or anyone)
/// the owner role, nor disable the owner; and the scheme's last owner can be neither
/// disabled nor stripped of the role, even by themselves.
#[tokio::test]
async fn ljm_6_no_one_grants_a_role_above_their_own_and_the_last_owner_stays() {
    let app = app().await;
    let mgr = person(&app, "mgr", "manager").await;
    let boss = person(&app, "boss", "owner").await;
    let page = app.get("/users", Some(&mgr)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let select = page
        .body
        .split("id=\"new-role\"")
        .nth(1)
        .and_then(|s| s.split("</select>").next())
        .expect("the role list");
    assert!(
        select
            .trim_start()
            .starts_with("name=\"role\"><option value=\"auditor\">Auditor</option>"),
        "the least right comes first: {select}"
    );
    assert!(!select.contains(">Owner<"), "{select}");
    assert!(
        !select.contains(">Authoriser<"),
        "a role that gives nothing: {select}"
    );
    // Where a role applies is chosen from the scheme, its sites and its camera groups,
    // by name.
    let scopes = page
        .body
        .split("id=\"new-scope\"")
        .nth(1)
        .and_then(|s| s.split("</select>").next())
        .expect("the scope list");
    assert!(
        scopes.contains("<option value=\"scheme\">The whole scheme</option>"),
        "{scopes}"
    );
    let csrf = App::csrf(&page.body);
    let r = app
        .send(
            "POST",
            "/users/mgr/grant",
            Some(&mgr),
            Some(&format!("csrf={csrf}&role=owner&scope=")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    for words in [
        "the Owner role lets its holder",
        "your own roles do not",
        "Ask Person boss, who manages people here.",
    ] {
        assert!(r.body.contains(words), "{words}: {}", r.body);
    }
    let r = app
        .send(
            "POST",
            "/users/boss/disable",
            Some(&mgr),
            Some(&format!("csrf={csrf}&reason=taking+over")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    let page = app.get("/users", Some(&boss)).await;
    let csrf = App::csrf(&page.body);
    for (path, form) in [
        ("/users/boss/disable", "reason=leaving&confirm=yes"),
        ("/users/boss/revoke", "role=owner&scope=scheme"),
    ] {
        let r = app
            .send(
                "POST",
                path,
                Some(&boss),
                Some(&format!("csrf={csrf}&{form}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {}", r.body);
        assert!(r.body.contains("only owner"), "{}", r.body);
    }
    // With a second owner, the first may go.
    let r = app
        .send(
            "POST",
            "/users/mgr/grant",
            Some(&boss),
            Some(&format!("csrf={csrf}&role=owner&scope=")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/users?done=role-granted");
    let told = app.get(r.location(), Some(&boss)).await.body;
    assert!(told.contains("The role is granted"), "{told}");
    let r = app
        .send(
            "POST",
            "/users/boss/revoke",
            Some(&boss),
            Some(&format!("csrf={csrf}&role=owner&scope=scheme")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

/// Every action says it worked: the address an action sends the browser to names what was
/// done, the page says it in words of Custos's own, and words the address makes up itself
/// are not shown.
#[tokio::test]
async fn every_action_ends_on_a_page_saying_what_was_done() {
    let app = app().await;
    let aud = app.sign_in("aud").await;
    let page = app.get("/start?done=duty-off", Some(&aud)).await.body;
    assert!(page.contains("id=\"done\""), "{page}");
    assert!(page.contains("You are signed off duty."), "{page}");
    let page = app
        .get("/start?done=Your+account+is+suspended", Some(&aud))
        .await
        .body;
    assert!(!page.contains("id=\"done\""), "{page}");
    assert!(!page.contains("suspended"), "{page}");
}

/// A package that cannot be made says so in words, without the server's own paths, and
/// offers to try again from the download's page, where the request is kept as typed.
#[tokio::test]
async fn a_failed_export_says_why_in_words_without_the_servers_paths() {
    let app = app().await;
    add_front_gate(&app).await;
    let mgr = person(&app, "mgr", "manager").await;
    // The folder packages go into cannot be made: a file stands in its way.
    std::fs::write(app.dir.path().join("exports"), b"in the way").expect("file");
    let page = app.get("/export", Some(&mgr)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = App::csrf(&page.body);
    let now = app.clock.now().0;
    let enc = |t: i64| {
        custos_base::UnixMs(t)
            .to_uk_local_input()
            .replace(':', "%3A")
    };
    let form = format!(
        "csrf={csrf}&cameras=front-gate&from={}&to={}&exhibit=AB%2F1&requester=PC+Smith&recipient=Hampshire+Constabulary&purpose=Theft+at+the+gate&case_ref=&keep_as=&encrypt=1",
        enc(now - 2 * 3_600_000),
        enc(now - 3_600_000)
    );
    let r = app.send("POST", "/export", Some(&mgr), Some(&form)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let job = r.location().to_owned();
    assert!(job.starts_with("/exports/"), "{job}");
    let mut page = String::new();
    for _ in 0..100 {
        page = app.get(&job, Some(&mgr)).await.body;
        if page.contains("id=\"export-failed\"") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(page.contains("id=\"export-failed\""), "{page}");
    let dir = app.dir.path().display().to_string();
    assert!(
        !page.contains(&dir),
        "the server's paths are its own: {page}"
    );
    assert!(page.contains("could not write the package"), "{page}");
    let retry = page
        .split("id=\"export-retry\"")
        .next()
        .and_then(|s| s.rsplit("href=\"").next())
        .and_then(|s| s.split('"').next())
        .expect("a way to try again")
        .to_owned();
    assert!(retry.starts_with("/downloads/"), "{retry}");
    let again = app.get(&retry, Some(&mgr)).await.body;
    assert!(
        again.contains("AB/1") && again.contains("PC Smith"),
        "{again}"
    );
}

const DAY_MS: i64 = 86_400_000;

/// A subject access request received `days_ago` days ago, left open.
async fn open_request(app: &App, days_ago: i64, summary: &str) -> String {
    let now = app.clock.now().0;
    app.store
        .open_case(
            &console(),
            &custos_store::cases::NewCase {
                kind: custos_domain::case::CaseKind::SubjectAccess,
                received_at_unix_ms: now - days_ago * DAY_MS,
                channel: "staff".to_owned(),
                summary: summary.to_owned(),
                requester_name: "Alex Example".to_owned(),
                requester_contact: "alex@example.org".to_owned(),
                details: "at the gate".to_owned(),
                sighting: None,
                incident_at_unix_ms: None,
                raised_late: false,
            },
        )
        .await
        .expect("case")
        .reference
}

/// Indexes a minute of footage of `camera` starting at each of `starts` (the index rows
/// only: the Start page reads nothing else).
async fn index_footage(app: &App, camera: &custos_domain::Ident, starts: &[i64]) {
    use custos_store::recordings::{FragmentIndex, InitSegment, Segment};
    for (i, start) in starts.iter().enumerate() {
        let day: String = custos_base::UnixMs(*start)
            .to_uk_local_input()
            .chars()
            .take(10)
            .collect();
        app.store.data_key(camera, &day).await.expect("key");
        let init = format!("{camera}-{day}");
        if app.store.init_segment(&init).await.expect("init").is_none() {
            app.store
                .add_init_segment(&InitSegment {
                    id: init.clone(),
                    camera: camera.clone(),
                    stream: "main".to_owned(),
                    codec: "avc1.42c01f".to_owned(),
                    width: 640,
                    height: 360,
                    path: format!("{camera}/{day}/init.cinit"),
                    day: day.clone(),
                    sha256: "aa".repeat(32),
                })
                .await
                .expect("init");
        }
        app.store
            .add_segment(&Segment {
                path: format!("{camera}/{day}/{start}-{i}.cseg"),
                camera: camera.clone(),
                stream: "main".to_owned(),
                init_id: init,
                day,
                start_unix_ms: *start,
                end_unix_ms: start + 60_000,
                frames: 1500,
                bytes: 1000,
                sha256: "bb".repeat(32),
                fragments: vec![FragmentIndex {
                    offset: 0,
                    len: 1000,
                    start_unix_ms: *start,
                    frames: 1500,
                    decode_base_90k: 0,
                    decode_duration_90k: 5_400_000,
                }],
                recovered: false,
            })
            .await
            .expect("segment");
    }
}

/// The `<li>` of the Start page's item `id`, if it has one.
fn item(page: &str, id: &str) -> Option<String> {
    page.split(&format!("<li id=\"todo-{id}\""))
        .nth(1)
        .and_then(|s| s.split("</li>").next())
        .map(str::to_owned)
}

/// The page's text without its tags, as a person reads it.
fn text_of(page: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in page.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// A case worker's Start page says what is overdue (red) and what is due soon (amber),
/// each with its count, the cases' references and a link to the cases; a case not yet
/// near its deadline is not an item.
#[tokio::test]
async fn the_start_page_shows_a_case_worker_an_overdue_case_in_red_with_its_count_and_link() {
    let app = app().await;
    let dpo = person(&app, "dp", "dpo").await;
    let late = open_request(&app, 40, "Late one").await;
    let soon = open_request(&app, 28, "Soon one").await;
    let fresh = open_request(&app, 0, "Fresh one").await;
    let page = app.get("/start", Some(&dpo)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let overdue = item(&page.body, "overdue").unwrap_or_else(|| panic!("{}", page.body));
    assert_eq!(
        overdue,
        format!(
            " class=\"red\"><span class=\"count\">1</span> case is overdue: {late}. <a href=\"/cases\">Open the cases</a>"
        )
    );
    let due = item(&page.body, "due-soon").unwrap_or_else(|| panic!("{}", page.body));
    assert!(
        due.starts_with(
            " class=\"amber\"><span class=\"count\">1</span> case is due within 5 working days"
        ) && due.contains(&soon)
            && due.contains("<a href=\"/cases\">"),
        "{due}"
    );
    assert!(!page.body.contains(&fresh), "{}", page.body);
    assert!(!page.body.contains("Nothing needs you today"));
    // The list of rights is at the bottom, folded away.
    let rights = page.body.find("<summary>What you may do here</summary>");
    let today = page.body.find("id=\"today\"");
    assert!(rights.is_some() && today < rights, "{}", page.body);
}

/// An item shows only to those with the right to deal with it: the operator, who works no
/// cases and looks after no cameras or holds, is told nothing needs them; the auditor sees
/// the camera and the hold but not the overdue case.
#[tokio::test]
async fn a_person_without_the_right_to_deal_with_something_sees_no_item_for_it() {
    let app = app().await;
    let cam = add_front_gate(&app).await;
    let now = app.clock.now().0;
    open_request(&app, 40, "Late one").await;
    app.store
        .place_hold(
            &console(),
            &custos_domain::retention::HoldRequest {
                cameras: vec![cam.clone()],
                from_unix_ms: now - 3_600_000,
                to_unix_ms: now - 1_800_000,
                class: custos_domain::Ident::parse("investigation-hold").expect("class"),
                reason: "Damage to the gate".to_owned(),
                owner: "Site manager".to_owned(),
                until_unix_ms: Some(now + 3 * DAY_MS),
                case_ref: Some("INC-9".to_owned()),
            },
        )
        .await
        .expect("hold");
    let op = app.sign_in("op").await;
    let page = app.get("/start", Some(&op)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("<p class=\"empty\">Nothing needs you today.</p>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("id=\"todo-"), "{}", page.body);
    assert!(!page.body.contains("id=\"charts\""), "{}", page.body);
    assert!(!page.body.contains("id=\"ledger\""), "{}", page.body);

    let aud = app.sign_in("aud").await;
    let page = app.get("/start", Some(&aud)).await;
    assert!(item(&page.body, "overdue").is_none(), "{}", page.body);
    let camera = item(&page.body, "not-recording").unwrap_or_else(|| panic!("{}", page.body));
    assert!(
        camera.starts_with(" class=\"red\"><span class=\"count\">1</span> camera is not recording: Front gate (nothing recorded yet)."),
        "{camera}"
    );
    // Once the recorder says frames are arriving, the camera is recording, even before
    // its first segment has closed.
    let now = app.clock.now().0;
    app.store
        .put_health(&custos_store::health::Health {
            camera: cam.clone(),
            stream: "main".to_owned(),
            state: "recording".to_owned(),
            since_unix_ms: now - 20_000,
            last_frame_unix_ms: Some(now - 1_000),
            frames_per_s_milli: 25_000,
            bitrate_bps: 4_000_000,
            reconnects: 0,
            drift_ms: 0,
            detail: String::new(),
            updated_at_unix_ms: now,
        })
        .await
        .expect("health");
    let page = app.get("/start", Some(&aud)).await;
    assert!(item(&page.body, "not-recording").is_none(), "{}", page.body);
    let hold = item(&page.body, "holds").unwrap_or_else(|| panic!("{}", page.body));
    assert!(
        hold.starts_with(" class=\"amber\"><span class=\"count\">1</span> hold ends within 7 days: footage of Front gate kept for INC-9 ends on")
            && hold.contains("<a href=\"/retention\">"),
        "{hold}"
    );
}

/// Those who read the logbooks see the charts — cameras recording per hour and per day,
/// requests answered in time, footage kept against the limit — each an SVG image labelled
/// by its title, with the same figures in a table beside it; the operator sees none.
#[tokio::test]
async fn an_auditor_sees_the_charts_and_the_same_figures_in_tables() {
    let app = app().await;
    let cam = add_front_gate(&app).await;
    let now = app.clock.now().0;
    let starts = [now - 5 * 3_600_000, now - 20 * 60_000, now - 5 * 60_000];
    index_footage(&app, &cam, &starts).await;
    open_request(&app, 40, "Late one").await;
    open_request(&app, 0, "Fresh one").await;
    let aud = app.sign_in("aud").await;
    let page = app.get("/start", Some(&aud)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for id in [
        "chart-hours",
        "chart-days",
        "chart-requests",
        "chart-retention",
    ] {
        assert!(
            page.body.contains(&format!(
                "<figure class=\"chart\" id=\"{id}\"><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\""
            )),
            "{id}: {}",
            page.body
        );
        assert!(
            page.body
                .contains(&format!("<table class=\"data\" id=\"{id}-figures\">")),
            "{id}"
        );
    }
    assert!(!page.body.contains(" style="), "no inline styles");
    let tz = jiff::tz::TimeZone::get("Europe/London").expect("tz");
    let at = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms)
            .expect("time")
            .to_zoned(tz.clone())
    };
    let row =
        |label: String, cells: &str| format!("<tr><th scope=\"row\">{label}</th>{cells}</tr>");
    let figures = |id: &str| {
        page.body
            .split(&format!("id=\"{id}-figures\""))
            .nth(1)
            .and_then(|s| s.split("</table>").next())
            .unwrap_or_default()
            .to_owned()
    };
    // The front gate recorded in the hours of its footage, and no other hour.
    let hours = figures("chart-hours");
    let mut recorded: Vec<String> = starts
        .iter()
        .map(|s| at(*s).strftime("%H:00").to_string())
        .collect();
    recorded.dedup();
    for label in &recorded {
        assert!(
            hours.contains(&row(label.clone(), "<td>1</td>")),
            "{label}: {hours}"
        );
    }
    assert_eq!(
        hours.matches("<td>1</td>").count(),
        recorded.len(),
        "{hours}"
    );
    assert_eq!(hours.matches("<tr><th scope=\"row\">").count(), 24);
    // And today, of the last 30 days.
    let days = figures("chart-days");
    let today = at(now);
    let label = format!("{} {}", today.day(), today.strftime("%b"));
    assert!(days.contains(&row(label, "<td>1</td>")), "{days}");
    assert_eq!(days.matches("<tr><th scope=\"row\">").count(), 30);
    // One request still open past its deadline (late), one open this month.
    let requests = figures("chart-requests");
    let month = |ms: i64| at(ms).strftime("%b %Y").to_string();
    assert!(
        requests.contains(&row(
            month(now - 40 * DAY_MS),
            "<td>0</td><td>1</td><td>0</td>"
        )),
        "{requests}"
    );
    assert!(
        requests.contains(&row(month(now), "<td>0</td><td>0</td><td>1</td>")),
        "{requests}"
    );
    // The front gate keeps less than a day of its 21.
    let kept = figures("chart-retention");
    assert!(
        kept.contains(&row("Front gate".to_owned(), "<td>0</td><td>21</td>")),
        "{kept}"
    );
    // The bars say the same: one bar for each figure that is not zero.
    let svg = page
        .body
        .split("<figure class=\"chart\" id=\"chart-hours\">")
        .nth(1)
        .and_then(|s| s.split("</svg>").next())
        .unwrap_or_default();
    assert_eq!(
        svg.matches("data-value=\"1\"").count(),
        recorded.len(),
        "{svg}"
    );

    let op = app.sign_in("op").await;
    let page = app.get("/start", Some(&op)).await;
    assert!(!page.body.contains("<svg"), "{}", page.body);
}

/// The Start page names people and cameras by their names and shows no internal id — no
/// camera id, no `user:` actor, no hold id — and no clause ID, for the manager who sees
/// every item.
#[tokio::test]
async fn the_start_page_names_cameras_and_people_and_shows_no_internal_ids() {
    let app = app().await;
    let cam = add_front_gate(&app).await;
    let now = app.clock.now().0;
    app.store
        .open_fault(&cam, now - 3_600_000, "no answer from the camera")
        .await
        .expect("fault");
    app.store
        .pause_recording(&cam, "only held footage is left")
        .await
        .expect("pause");
    let hold = app
        .store
        .place_hold(
            &console(),
            &custos_domain::retention::HoldRequest {
                cameras: vec![cam.clone()],
                from_unix_ms: now - 3_600_000,
                to_unix_ms: now - 1_800_000,
                class: custos_domain::Ident::parse("investigation-hold").expect("class"),
                reason: "Damage to the gate".to_owned(),
                owner: "Site manager".to_owned(),
                until_unix_ms: Some(now + 2 * DAY_MS),
                case_ref: None,
            },
        )
        .await
        .expect("hold");
    open_request(&app, 40, "Late one").await;
    let mgr = person(&app, "mgr", "manager").await;
    let page = app.get("/start", Some(&mgr)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for id in ["overdue", "faults", "not-recording", "holds"] {
        assert!(item(&page.body, id).is_some(), "{id}: {}", page.body);
    }
    let faults = item(&page.body, "faults").unwrap_or_default();
    assert!(
        faults.contains("1</span> fault is open in the maintenance log: Front gate (down since")
            && faults.contains("<a href=\"/cameras\">"),
        "{faults}"
    );
    assert!(
        page.body.contains("<h2>Front gate is not recording (since"),
        "{}",
        page.body
    );
    let text = text_of(&page.body);
    for internal in [cam.as_str(), "user:", hold.id.as_str(), "console:"] {
        assert!(!text.contains(internal), "{internal:?} in {text}");
    }
    for clause in ["BDC-", "BJS-", "LBU-", "ALT-", "LJM-", "SCC-"] {
        assert!(!text.contains(clause), "{clause} in {text}");
    }
}

/// Disabling an account asks first: the form alone changes nothing and answers with a page
/// in the staff shell naming the person and what follows; confirming disables it.
#[tokio::test]
async fn disabling_an_account_asks_first_naming_the_person() {
    let app = app().await;
    let mgr = person(&app, "mgr", "manager").await;
    let page = app.get("/users", Some(&mgr)).await;
    let csrf = App::csrf(&page.body);
    let op = Username::parse("op").expect("name");
    let form = format!("csrf={csrf}&reason=Left+the+school");
    let r = app
        .send("POST", "/users/op/disable", Some(&mgr), Some(&form))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for words in [
        "Disable Person op&#39;s account?",
        "You are about to disable the account of Person op (op).",
        "Person op will no longer be able to sign in",
        "Left the school",
        "class=\"warning\"",
        "name=\"confirm\" value=\"yes\"",
        "name=\"reason\" value=\"Left the school\"",
        "href=\"/users\" id=\"confirm-cancel\"",
        "id=\"nav\"",
    ] {
        assert!(r.body.contains(words), "{words}: {}", r.body);
    }
    let user = app.store.user(&op).await.expect("user").expect("op");
    assert!(!user.disabled, "nothing changes before confirming");
    assert_eq!(
        app.get("/start", Some(&app.sign_in("op").await))
            .await
            .status,
        StatusCode::OK
    );

    let r = app
        .send(
            "POST",
            "/users/op/disable",
            Some(&mgr),
            Some(&format!("{form}&confirm=yes")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let user = app.store.user(&op).await.expect("user").expect("op");
    assert!(user.disabled);
}

/// A refusal on a staff page keeps the staff shell — the person, their roles and the
/// navigation — and says which roles give the right that is missing and who manages people
/// here, by name; the page links to nothing the person cannot open. The JSON API's refusal
/// stays JSON.
#[tokio::test]
async fn a_refusal_keeps_the_navigation_and_says_who_can_give_the_right() {
    let app = app().await;
    let _mgr = person(&app, "mgr", "manager").await;
    let op = app.sign_in("op").await;
    let r = app.get("/logbooks", Some(&op)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for words in [
        "none of your roles (Operator) lets you read the logbooks",
        "To read the logbooks you need one of these roles: Auditor, Supervisor, Data Protection Officer, Manager, Owner.",
        "Ask Person mgr, who manages people here.",
        "Signed in as <strong id=\"who\">Person op</strong>",
        "id=\"nav\"",
        "href=\"/live\"",
    ] {
        assert!(r.body.contains(words), "{words}: {}", r.body);
    }
    assert!(!r.body.contains("public-header"), "{}", r.body);
    // A refusal that is not by a single right says who can change it, too.
    let downloads = app.get("/downloads/no-such-download", Some(&op)).await;
    assert_eq!(downloads.status, StatusCode::FORBIDDEN);
    for words in [
        "downloads are seen by those who may export footage or authorise downloads",
        "Ask Person mgr, who manages people here.",
    ] {
        assert!(
            downloads.body.contains(words),
            "{words}: {}",
            downloads.body
        );
    }
    for forbidden in ["href=\"/logbooks", "href=\"/retention", "href=\"/users"] {
        assert!(!r.body.contains(forbidden), "{forbidden}: {}", r.body);
    }

    // A bad request on a staff page, and an address that is no page, keep the shell too.
    let aud = app.sign_in("aud").await;
    let r = app.get("/logbooks?book=nonsense", Some(&aud)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Please check the request"), "{}", r.body);
    assert!(r.body.contains("id=\"nav\""), "{}", r.body);
    assert!(
        r.body.contains("aria-current=\"page\">Logbooks"),
        "{}",
        r.body
    );
    let r = app.get("/no/such/page", Some(&aud)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("Page not found"), "{}", r.body);
    assert!(r.body.contains("Signed in as"), "{}", r.body);
    assert!(
        r.headers.contains_key(header::CONTENT_SECURITY_POLICY),
        "the page keeps every header"
    );

    // Not signed in, the same addresses answer on the public shell.
    let r = app.get("/no/such/page", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        r.body.contains("public-header") && !r.body.contains("Signed in as"),
        "{}",
        r.body
    );

    // The API answers in JSON, whoever asks.
    let token = app.sign_in("op").await;
    let r = app
        .api("GET", "/api/v1/logbooks/review", Some(&token), None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.body.starts_with('{') && r.body.contains("\"status\":403"),
        "{}",
        r.body
    );
}

/// Authorising the destruction of a download's copy asks first: the form alone changes
/// nothing and answers with a page naming the exhibit, its footage and who holds it;
/// confirming records the authorisation.
#[tokio::test]
async fn destroying_a_downloads_copy_asks_first_naming_the_exhibit() {
    let app = app().await;
    let cam = add_front_gate(&app).await;
    let mgr = person(&app, "mgr", "manager").await;
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
    let path = format!("/downloads/{}", d.id);
    let csrf = App::csrf(&app.get(&path, Some(&mgr)).await.body);
    let form = format!("csrf={csrf}&at=&note=The+case+is+closed");
    let r = app
        .send("POST", &format!("{path}/destroy"), Some(&mgr), Some(&form))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for words in [
        "You are about to authorise destroying the copy of exhibit AB/1",
        "the footage of Front gate from",
        "that Hampshire Constabulary holds",
        "The case is closed",
        "This cannot be undone.",
        "class=\"warning\"",
    ] {
        assert!(r.body.contains(words), "{words}: {}", r.body);
    }
    let authorised = || async {
        app.store
            .ledger_entries(&LedgerQuery {
                book: Some(Book::Download),
                ..Default::default()
            })
            .await
            .expect("entries")
            .iter()
            .any(|e| e.kind == "download-deletion-authorised")
    };
    assert!(!authorised().await, "nothing changes before confirming");
    let r = app
        .send(
            "POST",
            &format!("{path}/destroy"),
            Some(&mgr),
            Some(&format!("{form}&confirm=yes")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(authorised().await);
}

/// Where a role applies is chosen by name from the scheme, the sites its cameras are on
/// and its camera groups; the roles people hold read the same way.
#[tokio::test]
async fn where_a_role_applies_is_chosen_by_name() {
    let app = app().await;
    add_front_gate(&app).await;
    let mgr = person(&app, "mgr", "manager").await;
    let page = app.get("/users", Some(&mgr)).await;
    let scopes = page
        .body
        .split("id=\"new-scope\"")
        .nth(1)
        .and_then(|s| s.split("</select>").next())
        .expect("the scope list");
    for option in [
        "<option value=\"scheme\">The whole scheme</option>",
        "<option value=\"site:bosmere\">Site bosmere</option>",
        "<option value=\"group:entrances\">Camera group Entrances</option>",
    ] {
        assert!(scopes.contains(option), "{option}: {scopes}");
    }
    let csrf = App::csrf(&page.body);
    let r = app
        .send(
            "POST",
            "/users/mgr/grant",
            Some(&mgr),
            Some(&format!(
                "csrf={csrf}&role=operator&scope=group%3Aentrances"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get("/users", Some(&mgr)).await;
    assert!(
        page.body
            .contains("Operator for the camera group Entrances"),
        "{}",
        page.body
    );
}
