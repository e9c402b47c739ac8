//! Covert surveillance authorisations on the web against a real store (LJM-4, LBU-11,
//! BDC-16): recorded from the Cases page, shown on their case's page with status, team,
//! cameras and dates, their footage refused to everyone outside the team in words that do
//! not reveal the operation, the expiry alarm on the Start page, and the cancellation
//! told to the team.

mod support;

use axum::http::StatusCode;
use custos_base::{Clock as _, UnixMs};
use support::*;

const DAY: i64 = 86_400_000;

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn form(fields: &[(&str, String)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn post(app: &App, cookie: &str, path: &str, fields: &[(&str, String)]) -> Reply {
    let page = app.get("/start", Some(cookie)).await;
    let csrf = App::csrf(&page.body);
    let mut all = vec![("csrf", csrf)];
    all.extend(fields.iter().cloned());
    app.send("POST", path, Some(cookie), Some(&form(&all)))
        .await
}

fn day_of(ms: i64) -> String {
    custos_domain::calendar::uk_day(UnixMs(ms).to_timestamp().expect("time"))
        .expect("day")
        .to_string()
}

/// BDC-16: a manager records a police authorisation on the Cases page; its page shows how
/// it stands, who authorised it, its cameras, areas, team and dates; an operator outside
/// the team is refused its footage in words that name neither the authorisation, its team
/// nor its place, while a team member reviews it; an authorisation left to expire is an
/// alarm on the Start page; the cancellation, with its reason, is told to the team on
/// their Start page.
#[tokio::test]
async fn bdc_16_an_authorisation_is_recorded_shown_and_its_footage_refused_outside_its_team() {
    let app = app().await;
    let cam = add_front_gate(&app).await;
    let mgr = person(&app, "mgr", "manager").await;
    let teamie = person(&app, "teamie", "operator").await;
    let op = app.sign_in("op").await;
    let now = app.clock.now().0;
    index_hour(&app, &cam, now - 3_600_000).await;

    let cases = app.get("/cases", Some(&mgr)).await;
    assert!(cases.body.contains("id=\"open-covert\""), "{}", cases.body);
    // Cameras and the team are chosen by name, not typed as identifiers.
    for words in [
        "name=\"cameras\" value=\"front-gate\"> Front gate</label>",
        "name=\"team\" value=\"teamie\"> Person teamie</label>",
    ] {
        assert!(cases.body.contains(words), "{words}: {}", cases.body);
    }
    let r = post(
        &app,
        &mgr,
        "/covert",
        &[
            ("summary", "Thefts from the depot yard".to_owned()),
            ("surveillance", "directed".to_owned()),
            ("body", "police".to_owned()),
            ("organisation", "Nottinghamshire Police".to_owned()),
            ("urn", "NP/CAB/2026/0142".to_owned()),
            ("authorised_by", "Supt A. Example".to_owned()),
            ("route", "written".to_owned()),
            ("ground", "crime-or-disorder".to_owned()),
            ("rationale", "Repeated thefts at night".to_owned()),
            ("cameras", "front-gate".to_owned()),
            ("areas", "The depot yard".to_owned()),
            ("team", "teamie".to_owned()),
            ("granted", UnixMs(now - 2 * 3_600_000).to_uk_local_input()),
            ("first_review", day_of(now + 7 * DAY)),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location().starts_with("/cases/COV-"), "{}", r.location());
    let path = r.location_path().to_owned();
    let reference = path.trim_start_matches("/cases/").to_owned();

    let page = app.get(&path, Some(&mgr)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for words in [
        "Covert surveillance authorisation",
        "In force until",
        "Nottinghamshire Police",
        "NP/CAB/2026/0142",
        "Person teamie",
        "Front gate",
        "The depot yard",
        "id=\"covert-cancel\"",
    ] {
        assert!(page.body.contains(words), "{words} in {}", page.body);
    }
    assert!(!page.body.contains("id=\"case-step\""), "no generic steps");
    assert!(!page.body.contains("user:"), "no internal ids");

    let review = |who: &'static str| {
        let cookie = match who {
            "op" => op.clone(),
            _ => teamie.clone(),
        };
        let app = &app;
        async move {
            post(
                app,
                &cookie,
                "/cameras/front-gate/review",
                &[
                    ("from", UnixMs(now - 50 * 60_000).to_uk_local_input()),
                    ("to", UnixMs(now - 40 * 60_000).to_uk_local_input()),
                    ("purpose", "security-and-safety".to_owned()),
                    ("reason", "Checking the gate after a report".to_owned()),
                ],
            )
            .await
        }
    };
    let refused = review("op").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(refused.body.contains("restricted"), "{}", refused.body);
    for secret in [reference.as_str(), "depot", "teamie", "Nottinghamshire"] {
        assert!(
            !refused.body.contains(secret),
            "{secret} in {}",
            refused.body
        );
    }
    let allowed = review("teamie").await;
    assert_eq!(allowed.status, StatusCode::SEE_OTHER, "{}", allowed.body);
    assert!(
        allowed.location().starts_with("/reviews/"),
        "{}",
        allowed.location()
    );
    // The operator cannot open the authorisation's page either.
    assert_eq!(
        app.get(&path, Some(&op)).await.status,
        StatusCode::FORBIDDEN
    );

    // One granted long ago and left to expire is an alarm on the Start page.
    let recorder = app.store.subject_of("mgr", None).await.expect("subject");
    let old = app
        .store
        .open_covert(
            &console(),
            &recorder,
            &custos_store::covert::NewCovert {
                draft: custos_domain::covert::Draft {
                    surveillance: custos_domain::covert::SurveillanceType::Directed,
                    body: custos_domain::covert::BodyKind::Police,
                    organisation: "Nottinghamshire Police".to_owned(),
                    urn: Some("NP/CAB/2026/0007".to_owned()),
                    route: custos_domain::covert::Route::Written,
                    grounds: vec![custos_domain::covert::Ground::CrimeOrDisorder],
                    crime_threshold: None,
                    rationale: String::new(),
                    until_unix_ms: None,
                    authorised_by: "Supt B. Example".to_owned(),
                    cameras: vec![cam.clone()],
                    team: vec!["teamie".to_owned()],
                    granted_at_unix_ms: now - 120 * DAY,
                    first_review_on: Some(day_of(now - 110 * DAY).parse().expect("date")),
                },
                areas: "The car park".to_owned(),
                summary: "An older operation".to_owned(),
            },
        )
        .await
        .expect("old authorisation");
    let start = app.get("/start", Some(&mgr)).await;
    assert!(
        start.body.contains("id=\"todo-covert-expired\""),
        "{}",
        start.body
    );
    assert!(start.body.contains(&old.reference), "{}", start.body);

    let r = post(
        &app,
        &mgr,
        &format!("/cases/{}/covert", old.reference),
        &[
            ("step", "cancel".to_owned()),
            ("reasons", "The operation ended in June".to_owned()),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let start = app.get("/start", Some(&mgr)).await;
    assert!(
        !start.body.contains("id=\"todo-covert-expired\""),
        "{}",
        start.body
    );
    let told = app.get("/start", Some(&teamie)).await;
    assert!(
        told.body.contains("id=\"todo-covert-notices\""),
        "{}",
        told.body
    );
    assert!(told.body.contains(&old.reference), "{}", told.body);
    let page = app
        .get(&format!("/cases/{}", old.reference), Some(&mgr))
        .await;
    assert!(
        page.body.contains("What the team was told"),
        "{}",
        page.body
    );
}
