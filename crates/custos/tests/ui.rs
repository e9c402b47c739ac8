//! The interface in a real browser (headless Chromium), on the demo: every page of the
//! route table, as each demo role, at a phone's width and a laptop's (and reflowed to
//! 320 CSS px), fits the width without scrolling sideways, has no violation of the WCAG
//! 2.2 A and AA rules that axe-core checks and shows no clause id or internal actor id in
//! its text; and the public request form can be used with the keyboard alone.
//!
//! axe-core is vendored in `support/axe/` (from npm, with its licence). Screenshots of
//! every page at both widths are written under the test's output folder
//! (`target/tmp/ui-screenshots/`), for people to look at; they are not committed.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};

mod support;
use support::RunningDemo;
use support::browser::{
    Driver, browser, enrol_second_factor, pick_cameras, picked_cameras, set_value, submit_and_leave,
};

/// axe-core, run in the page.
const AXE: &str = include_str!("support/axe/axe.min.js");

/// The widths every page is checked at: a phone (390 CSS px) and a laptop (1366).
const WIDTHS: [u32; 2] = [390, 1366];

/// The narrowest width content must reflow to without scrolling sideways (WCAG 1.4.10).
const REFLOW: u32 = 320;

/// How the test reaches a route of the route table.
enum Row {
    /// A page: the path to open, where `{name}` is filled from what the test made earlier
    /// (a review, an export, a request) or a demo fixture.
    Page(&'static str),
    /// Not a page a person reads: what it is instead.
    NotAPage(&'static str),
}

/// Every `GET` route outside the JSON API and what the test does with it. A page added
/// later without a row here fails [`every_page_for_every_role_fits_a_phone_and_passes_axe`].
const ROWS: &[(&str, Row)] = &[
    ("/", Row::Page("/")),
    ("/healthz", Row::NotAPage("plain text for monitoring")),
    ("/requests/new", Row::Page("/requests/new")),
    ("/complaints/new", Row::Page("/complaints/new")),
    ("/requests/received/{key}", Row::Page("{received}")),
    ("/metrics", Row::NotAPage("Prometheus text")),
    (
        "/static/{file}",
        Row::NotAPage("the stylesheet and scripts"),
    ),
    (
        "/session/state",
        Row::NotAPage("JSON for the session script"),
    ),
    ("/login", Row::Page("/login")),
    ("/account/mfa", Row::Page("/account/mfa")),
    ("/account/declaration", Row::Page("/account/declaration")),
    ("/start", Row::Page("/start")),
    ("/logbooks", Row::Page("/logbooks")),
    ("/logbooks/export.csv", Row::NotAPage("a CSV file")),
    ("/users", Row::Page("/users")),
    ("/cameras", Row::Page("/cameras")),
    ("/cameras/{id}", Row::Page("/cameras/sim-1")),
    ("/cameras/{id}/review", Row::Page("/cameras/sim-1/review")),
    ("/reviews/{token}", Row::Page("{review}")),
    ("/reviews/{token}/video.mp4", Row::NotAPage("video")),
    ("/live", Row::Page("/live")),
    ("/cameras/{id}/thumbnail.mp4", Row::NotAPage("video")),
    ("/live/{id}/stream.mp4", Row::NotAPage("video")),
    ("/cases", Row::Page("/cases")),
    ("/cases/{reference}", Row::Page("/cases/SAR-2026-0001")),
    ("/cases/{reference}/documents/{id}", Row::NotAPage("a file")),
    (
        "/cases/{reference}/letters/{kind}",
        Row::NotAPage("a PDF letter"),
    ),
    (
        "/calendar/{username}/{token}",
        Row::NotAPage("an iCalendar feed"),
    ),
    ("/export", Row::Page("/export")),
    ("/downloads/{id}", Row::Page("{download}")),
    ("/exports/{id}", Row::Page("{export}")),
    (
        "/exports/{id}/status",
        Row::NotAPage("JSON for the export page"),
    ),
    (
        "/exports/{id}/download",
        Row::NotAPage("an evidence package"),
    ),
    ("/disclosures", Row::Page("/disclosures")),
    ("/disclosures.csv", Row::NotAPage("a CSV file")),
    ("/complaints", Row::Page("/complaints")),
    ("/breaches", Row::Page("/breaches")),
    ("/breaches.csv", Row::NotAPage("a CSV file")),
    (
        "/cases/{reference}/ico-notification",
        Row::Page("/cases/BRE-2026-0001/ico-notification"),
    ),
    (
        "/cases/{reference}/ico-notification.txt",
        Row::NotAPage("plain text to send"),
    ),
    (
        "/cases/{reference}/ico-notification.pdf",
        Row::NotAPage("a PDF to send"),
    ),
    ("/complaints.csv", Row::NotAPage("a CSV file")),
    ("/visitors", Row::Page("/visitors")),
    ("/visitors.csv", Row::NotAPage("a CSV file")),
    ("/visitors.pdf", Row::NotAPage("a PDF file")),
    // The demo's visit, countersigned.
    (
        "/visitors/{reference}",
        Row::Page("/visitors/VIS-2026-0001"),
    ),
    (
        "/visitors/{reference}/undertaking",
        Row::NotAPage("the scan of a signed undertaking"),
    ),
    ("/prints", Row::Page("/prints")),
    ("/prints.csv", Row::NotAPage("a CSV file")),
    ("/prints.pdf", Row::NotAPage("a PDF file")),
    // The print the operator makes from the demo's written authority (see `make`).
    ("/prints/{reference}", Row::Page("{print}")),
    (
        "/prints/{reference}/still.png",
        Row::NotAPage("a still picture"),
    ),
    (
        "/prints/{reference}/sidecar.json",
        Row::NotAPage("JSON: what a still was made from"),
    ),
    // The demo's written authority, recorded when the demo starts.
    ("/print-authorities/{reference}", Row::Page("{authority}")),
    (
        "/print-authorities/{reference}/document",
        Row::NotAPage("a written authority's file"),
    ),
    ("/equipment", Row::Page("/equipment")),
    ("/equipment.csv", Row::NotAPage("a CSV file")),
    ("/equipment.pdf", Row::NotAPage("a PDF file")),
    // The demo's recording server, entered when the demo starts.
    ("/equipment/{reference}", Row::Page("{equipment}")),
    ("/maintenance", Row::Page("/maintenance")),
    ("/maintenance.csv", Row::NotAPage("a CSV file")),
    ("/maintenance.pdf", Row::NotAPage("a PDF file")),
    // The demo's fault, reported with the contractor called and responding (this year's
    // first).
    ("/maintenance/{reference}", Row::Page("{fault}")),
    ("/retention", Row::Page("/retention")),
    ("/groups", Row::Page("/groups")),
    ("/incidents", Row::Page("/incidents")),
    ("/incidents/new", Row::Page("/incidents/new?camera=sim-1")),
    ("/incidents.csv", Row::NotAPage("a CSV file")),
    ("/incidents.pdf", Row::NotAPage("a PDF file")),
    // The demo's incident, logged when the demo starts (this year's first).
    ("/incidents/{reference}", Row::Page("{incident}")),
    (
        "/incidents/{reference}/statements/{id}",
        Row::NotAPage("a witness statement's file"),
    ),
    ("/groups/{id}", Row::Page("/groups/demo-cameras")),
    ("/checks", Row::Page("/checks")),
    ("/deployments", Row::Page("/deployments")),
    ("/deployments.csv", Row::NotAPage("a CSV file")),
    ("/deployments.pdf", Row::NotAPage("a PDF file")),
    // The demo's deployment, a month ago, ended.
    ("/deployments/{reference}", Row::Page("{deployment}")),
    (
        "/deployments/{reference}/documents/{id}",
        Row::NotAPage("a photo or document's file"),
    ),
    // The demo's body-worn camera, issued for the day and back in store.
    ("/bodyworn", Row::Page("/bodyworn")),
    ("/bodyworn.csv", Row::NotAPage("a CSV file")),
    ("/bodyworn.pdf", Row::NotAPage("a PDF file")),
    ("/shifts", Row::Page("/shifts")),
    // The operator's shift, begun after their review (see `make`).
    ("/shifts/{username}/{on}", Row::Page("{shift}")),
    (
        "/shifts/{username}/{on}/log.csv",
        Row::NotAPage("a CSV file"),
    ),
];

/// Where the screenshots go.
fn screenshots() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ui-screenshots")
}

/// Waits until the page has loaded and has its heading.
async fn settle(c: &Client) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let ready = c
            .execute("return document.readyState", vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(|s| s == "complete"))
            .unwrap_or(false);
        if ready && c.find(Locator::Css("h1")).await.is_ok() {
            return;
        }
        assert!(Instant::now() < deadline, "the page did not load");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What is wrong with the page as shown at `width`: sideways scrolling (with the elements
/// that stick out) and axe-core's violations of the WCAG 2.2 A and AA rules.
async fn check(c: &Client, width: u32, axe: bool) -> Vec<String> {
    c.set_window_size(width, 900).await.expect("resize");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut problems = Vec::new();
    let inner = c
        .execute("return window.innerWidth", vec![])
        .await
        .expect("width")
        .as_u64()
        .unwrap_or(0);
    assert!(
        inner <= u64::from(width),
        "the browser shows {inner} px, not {width}"
    );
    let overflow = c
        .execute(
            r##"const root = document.documentElement;
               if (root.scrollWidth <= root.clientWidth) return [];
               const out = [];
               for (const e of document.body.querySelectorAll("*")) {
                 const r = e.getBoundingClientRect();
                 if (r.right > root.clientWidth + 1 && r.width > 0) {
                   out.push(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
                            (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "") +
                            " (right edge at " + Math.round(r.right) + " px)");
                 }
                 if (out.length >= 5) break;
               }
               return ["scrolls sideways: " + root.scrollWidth + " px wide in " + root.clientWidth + " px; " + out.join(", ")];"##,
            vec![],
        )
        .await
        .expect("measure");
    if let Some(found) = overflow.as_array() {
        problems.extend(found.iter().filter_map(|v| v.as_str().map(str::to_owned)));
    }
    if axe {
        problems.extend(words(c).await);
        c.execute(&format!("{AXE}\nreturn true;"), vec![])
            .await
            .expect("axe-core loads");
        let found = c
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                   axe.run(document, {
                     runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"] },
                     // WCAG 2.2's target size (2.5.8) is off in axe-core by default.
                     rules: { "target-size": { enabled: true } },
                     resultTypes: ["violations"]
                   }).then(r => done(r.violations.map(v =>
                     v.id + ": " + v.help + " — " + v.nodes.slice(0, 3).map(n => n.target.join(" ") + " (" + (n.failureSummary || "").replace(/\s+/g, " ") + ")").join(" | "))))
                     .catch(e => done(["axe-core failed: " + e]));"#,
                vec![],
            )
            .await
            .expect("axe-core runs");
        if let Some(found) = found.as_array() {
            problems.extend(found.iter().filter_map(|v| v.as_str().map(str::to_owned)));
        }
    }
    problems
}

/// What the page shows that people should not have to read: a clause of a code of practice
/// (`BDC-39`: those belong in the docs and tests, the page says the rule in words) or an
/// internal actor id (`user:dpo`: the page names the person). Only the visible text counts
/// (`innerText`): details closed behind a "Details" summary may keep the raw fields.
async fn words(c: &Client) -> Vec<String> {
    let found = c
        .execute(
            r#"const text = document.body.innerText;
               const out = [];
               for (const [what, re] of [
                 ["a clause id", /\b(BDC|LBU|ALT|BJS|LJM|SCC)-\d+\b/g],
                 ["an internal actor id", /\b(user|system|console):[a-z][^\s,;)]*/g],
               ]) {
                 const hits = [...new Set(text.match(re) || [])];
                 if (hits.length) out.push("shows " + what + ": " + hits.slice(0, 5).join(", "));
               }
               return out;"#,
            vec![],
        )
        .await
        .expect("read the page's text");
    found
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Saves the whole page at `width` as `name-width.png`.
async fn screenshot(c: &Client, name: &str, width: u32) {
    let height = c
        .execute("return document.documentElement.scrollHeight", vec![])
        .await
        .ok()
        .and_then(|v| v.as_u64())
        .unwrap_or(900)
        .clamp(600, 6000);
    c.set_window_size(width, u32::try_from(height).unwrap_or(900))
        .await
        .expect("resize");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let png = c.screenshot().await.expect("screenshot");
    let dir = screenshots();
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    std::fs::write(dir.join(format!("{name}-{width}.png")), png).expect("screenshot saved");
    c.set_window_size(width, 900).await.expect("resize");
}

/// Opens `path` and checks it at both widths; the first time a page is seen it is also
/// saved as a screenshot. Problems are collected under `label`.
async fn visit(
    c: &Client,
    base: &str,
    path: &str,
    label: &str,
    seen: &mut std::collections::BTreeSet<String>,
    problems: &mut Vec<String>,
) {
    c.goto(&format!("{base}{path}"))
        .await
        .expect("open the page");
    settle(c).await;
    look(c, label, seen, problems).await;
}

/// Checks the page shown now at both widths (see [`visit`]).
async fn look(
    c: &Client,
    label: &str,
    seen: &mut std::collections::BTreeSet<String>,
    problems: &mut Vec<String>,
) {
    let heading = c
        .find(Locator::Css("h1"))
        .await
        .expect("a heading")
        .text()
        .await
        .unwrap_or_default();
    // One refusal page per role is enough: they are the same page with other words.
    let key = if heading == "Not allowed" {
        format!("{}: refused", label.split(' ').next().unwrap_or(label))
    } else {
        label.to_owned()
    };
    let first = seen.insert(key);
    // One screenshot per page, of the first role to open it.
    let page = label.split_once(' ').map_or(label, |(_, p)| p);
    let shoot = heading != "Not allowed" && seen.insert(format!("screenshot {page}"));
    for p in check(c, REFLOW, false).await {
        problems.push(format!("{label} at {REFLOW} px — {p}"));
    }
    for width in WIDTHS {
        for p in check(c, width, first).await {
            problems.push(format!("{label} at {width} px — {p}"));
        }
        if shoot {
            let name: String = label
                .chars()
                .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '_' })
                .collect();
            screenshot(c, &name, width).await;
        }
    }
}

/// Signs `role` in through the form, setting up the second factor and accepting the
/// declaration where asked, checking those pages on the way.
async fn sign_in(
    c: &Client,
    base: &str,
    role: &str,
    password: &str,
    seen: &mut std::collections::BTreeSet<String>,
    problems: &mut Vec<String>,
) {
    c.delete_all_cookies().await.expect("signed out");
    c.goto(&format!("{base}/login")).await.expect("login page");
    settle(c).await;
    c.find(Locator::Id("username"))
        .await
        .expect("field")
        .send_keys(role)
        .await
        .expect("type");
    c.find(Locator::Id("password"))
        .await
        .expect("field")
        .send_keys(password)
        .await
        .expect("type");
    let mut path = submit_and_leave(c, "form[action='/login'] button", "/login").await;
    if path == "/account/mfa" {
        look(c, &format!("{role} /account/mfa"), seen, problems).await;
        path = enrol_second_factor(c).await;
    }
    if path == "/account/declaration" {
        look(c, &format!("{role} /account/declaration"), seen, problems).await;
        submit_and_leave(
            c,
            "form[action='/account/declaration'] button",
            "/account/declaration",
        )
        .await;
    }
}

/// Makes what some pages show, as the roles that may: a review and a shift on duty
/// (operator), an export made at once (manager) and a download waiting for authorisation
/// (supervisor). Returns the placeholders they fill.
async fn make(c: &Client, base: &str, role: &str, made: &mut BTreeMap<&'static str, String>) {
    match role {
        "operator" => {
            c.goto(&format!("{base}/cameras/sim-1/review"))
                .await
                .expect("review form");
            settle(c).await;
            c.find(Locator::Id("reason"))
                .await
                .expect("reason")
                .send_keys("checking the interface's review page")
                .await
                .expect("type");
            let path = submit_and_leave(c, "#open-review button", "/cameras/sim-1/review").await;
            assert!(path.starts_with("/reviews/"), "a review opened: {path}");
            made.insert("{review}", path.clone());
            // On duty, so that the operator has a shift to read as one page.
            submit_and_leave(c, "form[action='/duty/on'] button", &path).await;
            c.goto(&format!("{base}/shifts")).await.expect("shifts");
            settle(c).await;
            let shift = c
                .find(Locator::Css("#shifts a"))
                .await
                .expect("the operator's shift")
                .attr("href")
                .await
                .expect("href")
                .expect("a link");
            made.insert("{shift}", shift);
            // A print from the demo's written authority, once a segment of footage is
            // recorded (the authority's page offers the newest recorded moment).
            let authority = made
                .get("{authority}")
                .cloned()
                .expect("the demo's authority");
            let deadline = Instant::now() + Duration::from_secs(180);
            loop {
                c.goto(&format!("{base}{authority}"))
                    .await
                    .expect("the authority's page");
                settle(c).await;
                let path = submit_and_leave(c, "#print-form button", &authority).await;
                if path.starts_with("/prints/") {
                    made.insert("{print}", path);
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "no print could be made from the demo's footage: {path}"
                );
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
        "manager" | "supervisor" => {
            c.goto(&format!("{base}/export"))
                .await
                .expect("export form");
            settle(c).await;
            let now = jiff::Zoned::now()
                .with_time_zone(jiff::tz::TimeZone::get("Europe/London").expect("tz"));
            let from = now
                .checked_sub(jiff::SignedDuration::from_mins(10))
                .expect("time");
            let fmt = |z: &jiff::Zoned| z.strftime("%Y-%m-%dT%H:%M").to_string();
            pick_cameras(c, "export-cameras", &["sim-1"]).await;
            set_value(c, "export-from", &fmt(&from)).await;
            set_value(c, "export-to", &fmt(&now)).await;
            set_value(c, "export-exhibit", &format!("UI/{role}")).await;
            set_value(c, "export-requester", "PC 123 Example, Hampshire Police").await;
            set_value(c, "export-recipient", "PC 123 Example").await;
            set_value(c, "export-purpose", "an investigation").await;
            let path = submit_and_leave(c, "#export-form button", "/export").await;
            if role == "manager" {
                assert!(path.starts_with("/exports/"), "made at once: {path}");
                made.insert("{export}", path);
            } else {
                assert!(path.starts_with("/downloads/"), "waiting: {path}");
                made.insert("{download}", path);
            }
        }
        _ => {}
    }
}

/// Every page of the route table, for every demo role, at 390 and 1366 CSS px: no page
/// scrolls sideways and axe-core finds no WCAG 2.2 A or AA violation — the public pages,
/// sign-in, the second-factor and declaration pages, the pages each role may open, the
/// refusal each role gets for those it may not, and the 404 page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_for_every_role_fits_a_phone_and_passes_axe() {
    // The route table and this test's rows agree.
    let routes: Vec<&str> = custos_web::route_specs()
        .into_iter()
        .filter(|s| s.method == "GET" && !s.path.starts_with("/api/"))
        .map(|s| s.path)
        .collect();
    let missing: Vec<&&str> = routes
        .iter()
        .filter(|p| !ROWS.iter().any(|(r, _)| r == *p))
        .collect();
    assert!(
        missing.is_empty(),
        "pages with no row in this test's table (add one saying how to reach it): {missing:?}"
    );
    for (route, row) in ROWS {
        if let Row::NotAPage(what) = row {
            assert!(
                !what.is_empty(),
                "{route}: say what it is instead of a page"
            );
        }
    }
    let stale: Vec<&str> = ROWS
        .iter()
        .map(|(r, _)| *r)
        .filter(|r| !routes.contains(r))
        .collect();
    assert!(
        stale.is_empty(),
        "rows for routes that no longer exist: {stale:?}"
    );

    let dir = tempfile::tempdir().expect("tmp");
    let demo = RunningDemo::start(&dir.path().join("scheme"));
    let base = format!("http://{}", demo.addr);
    let driver = Driver::start();
    let c = browser(&driver, &dir.path().join("profile")).await;
    let mut seen = std::collections::BTreeSet::new();
    let mut problems = Vec::new();
    let mut made: BTreeMap<&'static str, String> = BTreeMap::new();
    made.insert(
        "{deployment}",
        format!(
            "/deployments/DEP-{}-0001",
            custos_base::UnixMs(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(0))
                    - 30 * 86_400_000
            )
            .to_uk_local_input()
            .get(..4)
            .unwrap_or("2026")
        ),
    );
    // The demo's fixtures are this year's first of their series.
    let year = custos_base::UnixMs(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(0)),
    )
    .to_uk_local_input()
    .get(..4)
    .unwrap_or("2026")
    .to_owned();
    made.insert("{incident}", format!("/incidents/INC-{year}-0001"));
    made.insert("{equipment}", format!("/equipment/EQ-{year}-0001"));
    made.insert("{authority}", format!("/print-authorities/VPA-{year}-0001"));
    let year = custos_base::UnixMs(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(0)),
    )
    .to_uk_local_input()
    .get(..4)
    .unwrap_or("2026")
    .to_owned();
    made.insert("{incident}", format!("/incidents/INC-{year}-0001"));
    made.insert("{fault}", format!("/maintenance/FLT-{year}-0001"));

    // The checks find what they look for: an unlabelled field, a box too wide for a phone
    // and words that are identifiers, put into a page for the purpose, are all reported.
    c.goto(&format!("{base}/")).await.expect("open");
    settle(&c).await;
    c.execute(
        "const i = document.createElement('input'); document.querySelector('main').append(i);
         const d = document.createElement('div'); d.style.width = '1000px';
         d.textContent = 'wide, as BDC-39 says, by user:dpo';
         document.querySelector('main').append(d); return true;",
        vec![],
    )
    .await
    .expect("spoil the page");
    let found = check(&c, 390, true).await;
    assert!(
        found.iter().any(|p| p.starts_with("scrolls sideways"))
            && found.iter().any(|p| p.starts_with("label:"))
            && found.iter().any(|p| p == "shows a clause id: BDC-39")
            && found
                .iter()
                .any(|p| p == "shows an internal actor id: user:dpo"),
        "the checks report a wide box, an unlabelled field and identifiers: {found:?}"
    );

    // The public: the transparency page, the request form and its confirmation, sign-in,
    // and a page that does not exist.
    for path in [
        "/",
        "/requests/new",
        "/complaints/new",
        "/login",
        "/no-such-page",
    ] {
        visit(
            &c,
            &base,
            path,
            &format!("public {path}"),
            &mut seen,
            &mut problems,
        )
        .await;
    }
    c.goto(&format!("{base}/requests/new")).await.expect("form");
    settle(&c).await;
    let yesterday = jiff::Zoned::now()
        .checked_sub(jiff::SignedDuration::from_hours(24))
        .expect("time");
    set_value(&c, "name", "Alex Example").await;
    set_value(&c, "contact", "alex@example.org").await;
    set_value(&c, "date", &yesterday.strftime("%Y-%m-%d").to_string()).await;
    set_value(&c, "time", "10:30").await;
    c.find(Locator::Css("#request-form button[type=submit]"))
        .await
        .expect("continue")
        .click()
        .await
        .expect("click");
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Id("send-request"))
        .await
        .expect("the answers to check");
    look(&c, "public check-your-answers", &mut seen, &mut problems).await;
    let path = submit_and_leave(&c, "#send-request", "/requests").await;
    assert!(path.starts_with("/requests/received/"), "received: {path}");
    look(&c, "public {received}", &mut seen, &mut problems).await;

    // Roles that make something first, so that the others see it too.
    let mut roles: Vec<(&String, &String)> = demo.accounts.iter().collect();
    roles.sort_by_key(|(r, _)| !["operator", "manager", "supervisor"].contains(&r.as_str()));
    for (role, password) in roles {
        sign_in(&c, &base, role, password, &mut seen, &mut problems).await;
        make(&c, &base, role, &mut made).await;
        if role == "manager" {
            // A page that does not exist, signed in (the staff shell), and the page that
            // asks before an account is disabled (the form alone changes nothing).
            visit(
                &c,
                &base,
                "/no-such-page",
                "manager /no-such-page",
                &mut seen,
                &mut problems,
            )
            .await;
            c.goto(&format!("{base}/users")).await.expect("people");
            settle(&c).await;
            // Each person's changes are folded until wanted.
            c.find(Locator::Css("#user-operator details.row-actions > summary"))
                .await
                .expect("the operator's changes")
                .click()
                .await
                .expect("open them");
            c.find(Locator::Css(
                "form[action='/users/operator/disable'] input[name=reason]",
            ))
            .await
            .expect("a disable form")
            .send_keys("Checking the page")
            .await
            .expect("type");
            submit_and_leave(
                &c,
                "form[action='/users/operator/disable'] button",
                "/users",
            )
            .await;
            c.find(Locator::Id("confirm-what"))
                .await
                .expect("the confirmation page");
            look(&c, "manager {confirm}", &mut seen, &mut problems).await;
        }
        for (_, row) in ROWS {
            let Row::Page(path) = row else { continue };
            if [
                "/login",
                "/account/mfa",
                "/account/declaration",
                "{received}",
            ]
            .contains(path)
            {
                continue;
            }
            let concrete = match made.get(path) {
                Some(p) => p.clone(),
                None if path.starts_with('{') => continue,
                None => (*path).to_owned(),
            };
            visit(
                &c,
                &base,
                &concrete,
                &format!("{role} {path}"),
                &mut seen,
                &mut problems,
            )
            .await;
        }
    }
    for p in ["{review}", "{export}", "{download}", "{shift}"] {
        assert!(made.contains_key(p), "{p} was made and checked");
    }
    c.close().await.expect("close");
    demo.stop();
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The element that has the focus now: its id, or its tag and text for one without.
async fn focused(c: &Client) -> String {
    c.execute(
        "const e = document.activeElement;
         return e.id || (e.tagName.toLowerCase() + ':' + (e.textContent || '').trim());",
        vec![],
    )
    .await
    .expect("focus")
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

/// Presses `keys` (WebDriver key codes or text) into whatever has the focus.
async fn press(c: &Client, keys: &str) {
    c.active_element()
        .await
        .expect("something has the focus")
        .send_keys(keys)
        .await
        .expect("keys");
    tokio::time::sleep(Duration::from_millis(50)).await;
}

const TAB: &str = "\u{e004}";
const ENTER: &str = "\u{e007}";

/// Presses Tab until the focus is on `id` (at most `most` times), returning the ids
/// passed through on the way.
async fn tab_to(c: &Client, id: &str, most: usize) -> Vec<String> {
    let mut passed = Vec::new();
    for _ in 0..most {
        press(c, TAB).await;
        let now = focused(c).await;
        passed.push(now.clone());
        if now == id {
            return passed;
        }
    }
    panic!("{id} never took the focus; the focus went through {passed:?}");
}

/// LBU-18: a member of the public asks for footage of themselves with the keyboard alone,
/// in Chromium: the skip link comes first and leads into the page; the fields take the
/// focus in the order they are read, each showing a visible focus; a mistake (no name)
/// comes back with the error summary focused, whose link puts the focus in the field;
/// after the fix, the answers are checked and the request is sent, and the reference is
/// shown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lbu_18_the_public_request_form_works_with_the_keyboard_alone() {
    let dir = tempfile::tempdir().expect("tmp");
    let demo = RunningDemo::start(&dir.path().join("scheme"));
    let base = format!("http://{}", demo.addr);
    let driver = Driver::start();
    let c = browser(&driver, &dir.path().join("profile")).await;
    c.set_window_size(390, 900).await.expect("a phone's width");
    c.goto(&format!("{base}/requests/new")).await.expect("form");
    settle(&c).await;

    // The skip link first; it leads past the header into the page.
    press(&c, TAB).await;
    assert_eq!(focused(&c).await, "a:Skip to main content");
    press(&c, ENTER).await;
    let mut order = tab_to(&c, "description", 30).await;
    // A date or time field takes the focus once per part (day, month, year).
    order.dedup();
    assert_eq!(
        order,
        [
            "kind",
            "name",
            "contact",
            "date",
            "time",
            "place",
            "place_other",
            "description"
        ],
        "the fields in reading order, straight after the skip link"
    );

    // Back through the form, typing, but leaving the name out.
    c.goto(&format!("{base}/requests/new")).await.expect("form");
    settle(&c).await;
    tab_to(&c, "contact", 20).await;
    let outline = c
        .execute(
            "const s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + s.outlineWidth;",
            vec![],
        )
        .await
        .expect("style");
    assert_eq!(outline.as_str(), Some("solid 3px"), "a visible focus");
    press(&c, "alex@example.org").await;
    let yesterday = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::get("Europe/London").expect("tz"))
        .checked_sub(jiff::SignedDuration::from_hours(24))
        .expect("time");
    press(&c, TAB).await;
    assert_eq!(focused(&c).await, "date");
    // The date field takes its parts in the browser's own order (day, month, year in a
    // British browser; month first in an American one).
    let order = c
        .execute(
            "return new Intl.DateTimeFormat(navigator.language).formatToParts(new Date(2001, 10, 22))
               .filter(p => p.type !== 'literal').map(p => p.type).join(' ');",
            vec![],
        )
        .await
        .expect("the browser's date order");
    let keys: String = order
        .as_str()
        .unwrap_or("day month year")
        .split(' ')
        .map(|part| match part {
            "day" => yesterday.strftime("%d").to_string(),
            "month" => yesterday.strftime("%m").to_string(),
            _ => yesterday.strftime("%Y").to_string(),
        })
        .collect();
    press(&c, &keys).await;
    let typed = c
        .execute("return document.getElementById('date').value", vec![])
        .await
        .expect("value");
    assert_eq!(
        typed.as_str(),
        Some(yesterday.strftime("%Y-%m-%d").to_string().as_str()),
        "the date typed"
    );
    tab_to(&c, "time", 10).await;
    // Half past ten in the morning, on a 24-hour or a 12-hour clock.
    let cycle = c
        .execute(
            "return new Intl.DateTimeFormat(navigator.language, { hour: 'numeric' }).resolvedOptions().hourCycle;",
            vec![],
        )
        .await
        .expect("the browser's clock");
    let twelve = matches!(cycle.as_str(), Some("h11" | "h12"));
    press(&c, if twelve { "1030A" } else { "1030" }).await;
    let typed = c
        .execute("return document.getElementById('time').value", vec![])
        .await
        .expect("value");
    assert_eq!(typed.as_str(), Some("10:30"), "the time typed");
    tab_to(&c, "button:Continue", 15).await;
    press(&c, ENTER).await;
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Id("request-problems"))
        .await
        .expect("the problems");
    settle(&c).await;
    assert_eq!(
        focused(&c).await,
        "request-problems",
        "the summary has the focus"
    );
    press(&c, TAB).await;
    assert_eq!(
        focused(&c).await,
        "a:Give your name, so we can find you and answer you."
    );
    press(&c, ENTER).await;
    assert_eq!(
        focused(&c).await,
        "name",
        "the link puts the focus in the field"
    );
    press(&c, "Alex Example").await;
    tab_to(&c, "button:Continue", 15).await;
    press(&c, ENTER).await;
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Id("answers"))
        .await
        .expect("the answers to check");
    let answers = c
        .find(Locator::Id("answers"))
        .await
        .expect("answers")
        .text()
        .await
        .expect("text");
    assert!(
        answers.contains("Alex Example") && answers.contains("alex@example.org"),
        "{answers}"
    );
    tab_to(&c, "send-request", 20).await;
    press(&c, ENTER).await;
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Id("request-reference"))
        .await
        .expect("the reference");
    let reference = c
        .find(Locator::Id("request-reference"))
        .await
        .expect("reference")
        .text()
        .await
        .expect("text");
    assert!(reference.starts_with("SAR-"), "{reference}");
    c.close().await.expect("close");
    demo.stop();
}

/// Runs `js` in the page and returns what it gives.
async fn js(c: &Client, script: &str) -> serde_json::Value {
    c.execute(script, vec![]).await.expect("script")
}

/// Whether the element `css` is shown.
async fn shown(c: &Client, css: &str) -> bool {
    c.find(Locator::Css(css))
        .await
        .expect("element")
        .is_displayed()
        .await
        .expect("displayed")
}

/// LBU-4, BDC-32: live and review work as an NVR's do, from the keyboard. On the live grid
/// each tile names its camera and shows that it is recording; a camera's number enlarges
/// it alone and Esc goes back to the grid. In the review player (after the reason, as
/// always) our controls show the UK time of the picture, `>` plays faster, `[` and `]`
/// mark a range and "Export this range" opens the export form with that camera and range;
/// the day's timeline then shows the review already made, by whom.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lbu_4_live_and_review_work_like_an_nvr_from_the_keyboard() {
    let dir = tempfile::tempdir().expect("tmp");
    let demo = RunningDemo::start(&dir.path().join("scheme"));
    let started = Instant::now();
    let base = format!("http://{}", demo.addr);
    let driver = Driver::start();
    let c = browser(&driver, &dir.path().join("profile")).await;
    let (mut seen, mut problems) = (std::collections::BTreeSet::new(), Vec::new());
    let password = demo
        .accounts
        .get("owner")
        .expect("the owner's account")
        .clone();
    sign_in(&c, &base, "owner", &password, &mut seen, &mut problems).await;

    // Live: both cameras recording, each named on its tile.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        c.goto(&format!("{base}/live?layout=4"))
            .await
            .expect("live");
        settle(&c).await;
        let tags = js(
            &c,
            "return [...document.querySelectorAll('[id$=-recording]')].map(e => e.textContent);",
        )
        .await;
        if tags == serde_json::json!(["Recording", "Recording"]) {
            break;
        }
        assert!(Instant::now() < deadline, "the tiles say {tags}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let names = js(
        &c,
        "return [...document.querySelectorAll('.tile-name')].map(e => e.textContent.trim());",
    )
    .await;
    assert_eq!(
        names,
        serde_json::json!(["1 Simulated camera 1", "2 Simulated camera 2"])
    );
    let body = c.find(Locator::Css("body")).await.expect("body");
    body.send_keys("2").await.expect("key");
    assert!(shown(&c, "#tile-sim-2").await && !shown(&c, "#tile-sim-1").await);
    assert_eq!(
        c.find(Locator::Css("#tile-sim-2 button.enlarge"))
            .await
            .expect("button")
            .attr("aria-pressed")
            .await
            .expect("attr")
            .as_deref(),
        Some("true")
    );
    body.send_keys("\u{e00c}").await.expect("Esc");
    assert!(shown(&c, "#tile-sim-1").await && shown(&c, "#tile-sim-2").await);

    // Review, once closed footage exists (the demo's second camera closes its first
    // segment after half a minute).
    if let Some(wait) = Duration::from_secs(36).checked_sub(started.elapsed()) {
        tokio::time::sleep(wait).await;
    }
    c.goto(&format!("{base}/cameras/sim-2/review"))
        .await
        .expect("review form");
    settle(&c).await;
    c.find(Locator::Id("reason"))
        .await
        .expect("reason")
        .send_keys("checking the player's controls")
        .await
        .expect("type");
    let path = submit_and_leave(&c, "#open-review button", "/cameras/sim-2/review").await;
    assert!(path.starts_with("/reviews/"), "{path}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while js(&c, "return document.getElementById('player').readyState;")
        .await
        .as_u64()
        .unwrap_or(0)
        < 1
    {
        assert!(Instant::now() < deadline, "the footage did not load");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        js(&c, "return document.getElementById('player').controls;").await,
        serde_json::json!(false),
        "our controls replace the browser's"
    );
    assert!(shown(&c, "#player-controls").await);
    let time = c
        .find(Locator::Id("shown-time"))
        .await
        .expect("time")
        .text()
        .await
        .expect("text");
    assert!(
        time.ends_with("(UK time)") && time.chars().filter(|ch| *ch == ':').count() == 2,
        "{time}"
    );
    let body = c.find(Locator::Css("body")).await.expect("body");
    body.send_keys(">").await.expect("faster");
    assert_eq!(
        js(&c, "return document.getElementById('player').playbackRate;").await,
        serde_json::json!(2)
    );
    body.send_keys("[").await.expect("mark the start");
    body.send_keys("]").await.expect("mark the end");
    let words = c
        .find(Locator::Id("export-range-words"))
        .await
        .expect("words")
        .text()
        .await
        .expect("text");
    assert!(
        words.starts_with("From ") && words.ends_with("(UK time)."),
        "{words}"
    );
    let href = c
        .find(Locator::Id("export-range"))
        .await
        .expect("link")
        .attr("href")
        .await
        .expect("href")
        .expect("an address");
    let url = url::Url::parse(&format!("{base}{href}")).expect("url");
    let q: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(
        q.get("cameras").map(String::as_str),
        Some("sim-2"),
        "{href}"
    );
    c.find(Locator::Id("export-range"))
        .await
        .expect("link")
        .click()
        .await
        .expect("click");
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Id("export-form"))
        .await
        .expect("the export form");
    assert_eq!(
        picked_cameras(&c, "export-cameras").await,
        "sim-2",
        "the camera reviewed is the one ticked"
    );
    for (field, key) in [("export-from", "from"), ("export-to", "to")] {
        let value = c
            .find(Locator::Id(field))
            .await
            .expect("field")
            .prop("value")
            .await
            .expect("value");
        assert_eq!(value.as_deref(), q.get(key).map(String::as_str), "{field}");
    }

    // The day's timeline shows the review just made, by whom.
    c.goto(&format!("{base}/cameras/sim-2/review"))
        .await
        .expect("review form");
    settle(&c).await;
    let made = c
        .find(Locator::Id("reviews-made"))
        .await
        .expect("reviews already made")
        .text()
        .await
        .expect("text");
    assert!(made.contains("Demo owner"), "{made}");
    assert!(
        c.find(Locator::Css("#timeline rect.reviewed"))
            .await
            .is_ok(),
        "a bar for it on the timeline"
    );
    assert!(problems.is_empty(), "{problems:?}");
    c.close().await.expect("close");
    demo.stop();
}
