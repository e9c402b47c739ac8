//! A real browser for the tests: ChromeDriver on a free port and headless Chromium
//! through it, with the flags this machine needs.

use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::free_port;

/// ChromeDriver on a free port, stopped when dropped.
pub struct Driver {
    child: std::process::Child,
    pub port: u16,
}

impl Driver {
    pub fn start() -> Self {
        let port = free_port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed (./scripts/test installs chromium-driver)");
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Self { child, port }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Headless Chromium through ChromeDriver, with the flags this machine needs.
pub async fn browser(driver: &Driver, profile: &std::path::Path) -> fantoccini::Client {
    browser_with(driver, profile, &[]).await
}

/// Headless Chromium as [`browser`], with `extra` flags (such as `--lang=en-GB`).
pub async fn browser_with(
    driver: &Driver,
    profile: &std::path::Path,
    extra: &[&str],
) -> fantoccini::Client {
    let mut args = vec![
        "--headless=new".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--disable-sync".to_owned(),
        "--no-first-run".to_owned(),
        format!("--user-data-dir={}", profile.display()),
    ];
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": args,
        }
    });
    let serde_json::Value::Object(caps) = caps else {
        unreachable!("an object")
    };
    fantoccini::ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a Chromium session")
}

/// Clicks the submit button `selector` and waits until the browser has left `from` (the
/// click only starts the form's navigation).
pub async fn submit_and_leave(c: &fantoccini::Client, selector: &str, from: &str) -> String {
    c.find(fantoccini::Locator::Css(selector))
        .await
        .expect("button")
        .click()
        .await
        .expect("click");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let path = c.current_url().await.expect("url").path().to_owned();
        if path != from
            && c.find(fantoccini::Locator::Css("h1")).await.is_ok()
            && c.execute("return document.readyState", vec![])
                .await
                .ok()
                .and_then(|v| v.as_str().map(|s| s == "complete"))
                .unwrap_or(false)
        {
            return path;
        }
        assert!(
            Instant::now() < deadline,
            "still on {from} after submitting"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Chooses `value` in the select with id `id` and sets date or time fields by script (a
/// browser's date pickers take keys in the machine's locale).
pub async fn set_value(c: &fantoccini::Client, id: &str, value: &str) {
    c.execute(
        "document.getElementById(arguments[0]).value = arguments[1];",
        vec![serde_json::json!(id), serde_json::json!(value)],
    )
    .await
    .expect("set a field");
}

/// In the camera list with id `picker` (check boxes), ticks exactly the cameras `ids` by
/// clicking them, as a person would.
pub async fn pick_cameras(c: &fantoccini::Client, picker: &str, ids: &[&str]) {
    for b in c
        .find_all(fantoccini::Locator::Css(&format!(
            "#{picker} input[type=checkbox]"
        )))
        .await
        .expect("the camera boxes")
    {
        let id = b.attr("value").await.expect("value").unwrap_or_default();
        let ticked = b.prop("checked").await.expect("checked").as_deref() == Some("true");
        if ticked != ids.contains(&id.as_str()) {
            b.click().await.expect("tick a camera");
        }
    }
}

/// The cameras ticked in the camera list with id `picker`, comma-separated.
pub async fn picked_cameras(c: &fantoccini::Client, picker: &str) -> String {
    let mut ids = Vec::new();
    for b in c
        .find_all(fantoccini::Locator::Css(&format!(
            "#{picker} input:checked"
        )))
        .await
        .expect("the camera boxes")
    {
        ids.push(b.attr("value").await.expect("value").unwrap_or_default());
    }
    ids.join(",")
}

/// On the second-factor page: reads the key the page shows, types the authenticator's
/// code for now, and submits; returns the path the browser lands on.
pub async fn enrol_second_factor(c: &fantoccini::Client) -> String {
    let key = c
        .find(fantoccini::Locator::Id("secret"))
        .await
        .expect("key")
        .text()
        .await
        .expect("text");
    let secret = custos_domain::totp::base32_decode(&key).expect("base32");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .expect("time");
    c.find(fantoccini::Locator::Id("code"))
        .await
        .expect("code")
        .send_keys(&custos_domain::totp::code_at(&secret, now))
        .await
        .expect("type");
    submit_and_leave(c, "form[action='/account/mfa'] button", "/account/mfa").await
}
