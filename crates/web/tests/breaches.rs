//! Personal data breaches on the web against a real store (ALT-18, UK GDPR Arts 33–34):
//! reported from the media register, counted down on every page of those who handle them,
//! assessed, described, notified to the ICO with the Article 33(3) contents, the people
//! affected dealt with, closed, and listed in the breach register.

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
