//! The deployment log of redeployable cameras on the web against a real store (BDC-38,
//! LJM-5): a deployment recorded from its form by a keeper (an auditor reads but may not),
//! refused with every problem at once, its signs recorded and photographed, a correction
//! shown with its reason, past its end shown in red, the camera taken down, the log as CSV
//! in the code's columns and a PDF, and the same through the API.

mod support;

use axum::http::StatusCode;
use custos_base::Clock as _;
use support::*;

/// Signs `name` (added by `person`) in again, with a fresh code.
async fn again(app: &App, name: &str) -> String {
    app.clock.advance_ms(30_000);
    let code = custos_domain::totp::code_at(&[9u8; 20], app.clock.now().0);
    app.sign_in_with(name, &code).await
}

/// BDC-38, LJM-5: the school's manager (its pack is silent, so the lawful default keeps
/// the deployment log) deploys the front gate camera; the form refused without a purpose
/// the code names says so; the page shows the grounds, consultation and privacy; the
/// signs go up with a photo kept encrypted; a correction of the place shows with its
/// reason; past its end the deployment is red on the list and on the supervisor's checks;
/// the camera comes down; the CSV has the code's columns; the auditor reads, may not write.
#[tokio::test]
async fn bdc_38_a_deployment_from_its_form_to_the_camera_taken_down() {
    let app = app().await;
    add_front_gate(&app).await;
    let mgr = person(&app, "mgr1", "manager").await;
    person(&app, "sup1", "supervisor").await;
    let aud = app.sign_in("aud").await;
    let list = app.get("/deployments", Some(&mgr)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(
        list.body.contains("id=\"deployment-form\""),
        "{}",
        list.body
    );
    assert!(
        list.body
            .contains("<option>Prevention, investigation and/or detection of crime</option>"),
        "the code's purposes: {}",
        list.body
    );
    let csrf = App::csrf(&list.body);
    let now = app.clock.now().0;
    let from = custos_base::UnixMs(now - 3_600_000).to_uk_local_input();
    let until = custos_base::UnixMs(now + 2 * 86_400_000).to_uk_local_input();
    let form = |purpose: &str| {
        format!(
            "csrf={csrf}&camera=front-gate&place=Queen+Street+car+park&map_reference=SK+585+805&from={from}&until={until}&grounds=crime-pattern&justification=Analysis+CP-14%3A+eleven+thefts+from+cars&purpose={purpose}&consulted=not-possible&consultation=It+would+alert+the+thieves&privacy=Masks+over+the+windows+of+2+and+4&authorised_by=Max+Manager%2C+CCTV+Manager"
        )
    };
    let r = app
        .send("POST", "/deployments", Some(&mgr), Some(&form("Litter")))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("one of the scheme"), "{}", r.body);
    let r = app
        .send(
            "POST",
            "/deployments",
            Some(&mgr),
            Some(&form("Public+and+employee+safety")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let path = r.location_path().to_owned();
    let reference = path.trim_start_matches("/deployments/").to_owned();
    assert!(reference.starts_with("DEP-20"), "{reference}");
    let page = app.get(&path, Some(&mgr)).await;
    for words in [
        "Front gate",
        "Crime pattern analysis",
        "Not possible: It would alert the thieves",
        "Masks over the windows of 2 and 4",
        "id=\"deployment-signs-up\"",
    ] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }

    // Signs up, with a photo; a correction of the place.
    let step = |form: String| {
        let (app, path, mgr) = (&app, format!("{path}/steps"), mgr.clone());
        async move { app.send("POST", &path, Some(&mgr), Some(&form)).await }
    };
    let r = step(format!("csrf={csrf}&step=signs-up&at=")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app
        .send_multipart(
            &format!("{path}/documents"),
            &mgr,
            &[("csrf", &csrf), ("kind", "signs-erected")],
            (
                "file",
                "signs.jpg",
                "image/jpeg",
                b"\xff\xd8 a photo of the sign",
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = step(format!(
        "csrf={csrf}&step=correct&field=place&value=Queen+Street+car+park%2C+north+end&reason=The+post+moved+to+the+north+end"
    ))
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&path, Some(&aud)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for words in [
        "the place: “Queen Street car park” became “Queen Street car park, north end” — “The post moved to the north end”",
        "Photo of the signs erected: <a href=",
    ] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }
    assert!(
        !page.body.contains("id=\"deployment-signs-up\""),
        "up already"
    );
    assert!(
        !page.body.contains("id=\"deployment-correct\""),
        "the auditor only reads"
    );
    let id = page
        .body
        .split(&format!("{path}/documents/"))
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the photo's link")
        .to_owned();
    let photo = app
        .get_bytes(&format!("{path}/documents/{id}"), Some(&aud))
        .await;
    assert_eq!(photo.2, b"\xff\xd8 a photo of the sign".to_vec());
    let csrf_aud = App::csrf(&page.body);
    let r = app
        .send(
            "POST",
            &format!("{path}/steps"),
            Some(&aud),
            Some(&format!("csrf={csrf_aud}&step=removed&at=")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // Past its end, still up: red, and on the supervisor's checks.
    app.clock.advance_ms(3 * 86_400_000);
    let mgr = again(&app, "mgr1").await;
    let sup = again(&app, "sup1").await;
    let csrf = App::csrf(&app.get("/deployments", Some(&mgr)).await.body);
    let step = |form: String| {
        let (app, path, mgr) = (&app, format!("{path}/steps"), mgr.clone());
        async move { app.send("POST", &path, Some(&mgr), Some(&form)).await }
    };
    let list = app.get("/deployments", Some(&mgr)).await;
    assert!(
        list.body.contains(&format!(
            "<tr class=\"red\"><td><a href=\"/deployments/{reference}\">"
        )),
        "{}",
        list.body
    );
    let checks = app.get("/checks", Some(&sup)).await;
    assert!(
        checks
            .body
            .contains("is past its planned end: take the camera down, or extend it"),
        "{}",
        checks.body
    );
    let r = step(format!("csrf={csrf}&step=removed&at=")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&path, Some(&mgr)).await;
    assert!(
        page.body.contains("Camera removed, signs still up."),
        "{}",
        page.body
    );

    // The CSV in the code's columns.
    let aud = app.sign_in("aud").await;
    let csv = app.get("/deployments.csv", Some(&aud)).await;
    assert_eq!(csv.status, StatusCode::OK);
    let header = csv.body.lines().next().unwrap_or_default().to_owned();
    assert_eq!(
        header,
        custos_domain::deployment::COLUMNS
            .join(",")
            .trim_start_matches('\u{feff}')
    );
    assert!(
        csv.body.contains("Queen Street car park, north end"),
        "{}",
        csv.body
    );
    let pdf = app.get_bytes("/deployments.pdf", Some(&aud)).await;
    assert!(pdf.2.starts_with(b"%PDF-"));
}

/// BDC-38: the deployment log through the API — recorded, its signs up, listed with its
/// standing, a step it does not allow refused with the reason; and footage the camera
/// recorded while deployed is reviewed under the deployment's place, not its home.
#[tokio::test]
async fn bdc_38_the_deployment_log_through_the_api() {
    let app = app().await;
    add_front_gate(&app).await;
    let mgr = person(&app, "mgr1", "manager").await;
    let now = app.clock.now().0;
    index_hour(
        &app,
        &custos_domain::Ident::parse("front-gate").expect("id"),
        now - 3_600_000,
    )
    .await;
    let body = serde_json::json!({
        "camera": "front-gate",
        "from": custos_base::UnixMs(now - 2 * 3_600_000).to_rfc3339(),
        "place": "Bus station",
        "map_reference": "SK 590 810",
        "until": custos_base::UnixMs(now + 86_400_000).to_rfc3339(),
        "grounds": "intelligence",
        "justification": "Intelligence log IL-77: drug dealing at the shelters",
        "purpose": "Apprehension and/or prosecution of offenders",
        "consulted": "made",
        "consultation": "The bus company",
        "privacy": "None needed: no homes in view",
        "authorised_by": "Max Manager, CCTV Manager"
    })
    .to_string();
    let r = app
        .api("POST", "/api/v1/deployments", Some(&mgr), Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let made: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    let reference = made["reference"].as_str().expect("reference").to_owned();
    assert_eq!(made["standing"], "deployed");
    let steps = format!("/api/v1/deployments/{reference}/steps");
    let r = app
        .api("POST", &steps, Some(&mgr), Some(r#"{"step":"signs-down"}"#))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("never recorded as up"), "{}", r.body);
    let r = app
        .api("POST", &steps, Some(&mgr), Some(r#"{"step":"signs-up"}"#))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .api("GET", "/api/v1/deployments", Some(&mgr), None)
        .await;
    let all: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(all[0]["reference"], reference.as_str());
    assert!(all[0]["signs_up"].is_string(), "{all}");
    assert_eq!(all[0]["consulted"], true);

    // Footage recorded while deployed shows the deployment's place when reviewed.
    let page = app.get("/cameras/front-gate/review", Some(&mgr)).await;
    let csrf = App::csrf(&page.body);
    let r = app
        .send(
            "POST",
            "/cameras/front-gate/review",
            Some(&mgr),
            Some(&format!(
                "csrf={csrf}&from={}&to={}&purpose=security-and-safety&reason=Checking+the+shelters",
                custos_base::UnixMs(now - 50 * 60_000).to_uk_local_input(),
                custos_base::UnixMs(now - 40 * 60_000).to_uk_local_input()
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let player = app.get(r.location_path(), Some(&mgr)).await;
    assert!(
        player.body.contains(&format!(
            "Bus station (map reference SK 590 810), deployed under {reference}"
        )),
        "{}",
        player.body
    );
}
