//! The `custos` binary as a person uses it: validating packs, creating a scheme, loading and
//! showing policy, checking, configuration precedence, and the demo serving its
//! transparency page until Ctrl-C.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use custos_domain::PolicyPack;

mod support;
use support::browser::{
    Driver, browser, enrol_second_factor, pick_cameras, set_value, submit_and_leave,
};
use support::{Reap, RunningDemo, copy_dir, custos, free_port};

fn policies() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../policies")
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("custos runs");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

#[test]
fn help_names_every_subcommand_in_plain_words() {
    let (code, out, _) = run(custos().arg("--help"));
    assert_eq!(code, 0);
    for (cmd, words) in [
        ("init", "Set up a new scheme"),
        ("serve", "Run the scheme"),
        ("demo", "Try Custos"),
        ("migrate", "Upgrade the database"),
        ("check", "Check that the database"),
        ("policy", "policy packs"),
    ] {
        assert!(
            out.lines()
                .any(|l| l.trim_start().starts_with(cmd) && l.contains(words)),
            "{cmd}: {out}"
        );
    }
    let (code, out, _) = run(custos().args(["policy", "--help"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("validate") && out.contains("every problem with its line and column"),
        "{out}"
    );
    assert!(out.contains("show") && out.contains("plain words"), "{out}");
}

#[test]
fn policy_validate_accepts_every_shipped_pack() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(policies())
        .expect("policies/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 5);
    let (code, out, err) = run(custos().args(["policy", "validate"]).args(&files));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        out.lines().filter(|l| l.contains(": ok: ")).count(),
        5,
        "{out}"
    );
}

#[test]
fn policy_validate_reports_file_line_and_column_and_fails() {
    let dir = tempfile::tempdir().expect("tmp");
    let school =
        std::fs::read_to_string(policies().join("bosmere-junior-school.toml")).expect("read");
    let broken = school.replacen(
        "[retention]\n",
        "[retention]\nby_camera_kind = { vehicle = 45 }\n",
        1,
    );
    assert_ne!(broken, school);
    let path = dir.path().join("broken.toml");
    std::fs::write(&path, &broken).expect("write");
    let line = broken
        .lines()
        .position(|l| l.starts_with("by_camera_kind"))
        .expect("line")
        + 1;

    let good = policies().join("bosmere-junior-school.toml");
    let (code, out, _) = run(custos().args(["policy", "validate"]).arg(&good).arg(&path));
    assert_eq!(code, 1, "{out}");
    let expected = format!(
        "{}:{line}:30: retention.by_camera_kind.vehicle is 45 days, above the pack's maximum of 21 days",
        path.display()
    );
    assert!(out.contains(&expected), "expected {expected:?} in:\n{out}");
    assert!(out.contains("1 of 2 pack(s) invalid"), "{out}");
}

#[test]
fn init_load_show_history_and_check_a_scheme() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("scheme");
    let school = policies().join("bosmere-junior-school.toml");
    let (code, out, err) = run(custos()
        .arg("--data")
        .arg(&data)
        .arg("init")
        .arg("--policy")
        .arg(&school));
    assert_eq!(code, 0, "{out}{err}");
    assert!(data.join("custos.db").exists());
    assert!(out.contains("as version 1"), "{out}");

    let (code, out, _) = run(custos().arg("--data").arg(&data).args(["policy", "show"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("Bosmere Junior School") && out.contains("Retention: 21 days"),
        "{out}"
    );

    // CUSTOS_DATA names the same directory as --data.
    let trust = policies().join("active-learning-trust.toml");
    let (code, out, err) = run(custos()
        .env("CUSTOS_DATA", &data)
        .args(["policy", "load"])
        .arg(&trust));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("as version 2"), "{out}");

    let (code, out, _) = run(custos()
        .arg("--data")
        .arg(&data)
        .args(["policy", "history"]));
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].contains("bosmere-junior-school") && lines[0].contains("console:tester"));
    assert!(
        lines[1].trim_start().starts_with("2*"),
        "the active version is starred: {out}"
    );

    let (code, out, _) =
        run(custos()
            .arg("--data")
            .arg(&data)
            .args(["policy", "show", "--version", "1"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("Bosmere Junior School") && !out.contains("(in force)"),
        "{out}"
    );

    let (code, out, _) = run(custos().arg("--data").arg(&data).arg("check"));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("All") && out.contains("checks passed"),
        "{out}"
    );
    assert!(
        out.contains("ok       ledger intact: "),
        "check verifies the ledger: {out}"
    );

    let (code, out, _) = run(custos().arg("--data").arg(&data).arg("migrate"));
    assert_eq!(code, 0);
    assert!(out.contains("up to date"), "{out}");
}

#[test]
fn a_broken_pack_is_not_loaded() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("scheme");
    let (code, ..) = run(custos().arg("--data").arg(&data).arg("init"));
    assert_eq!(code, 0);
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "format = 1\n").expect("write");
    let (code, _, err) = run(custos()
        .arg("--data")
        .arg(&data)
        .args(["policy", "load"])
        .arg(&bad));
    assert_eq!(code, 1);
    assert!(
        err.contains("nothing was loaded") && err.contains("bad.toml:1:1: missing field"),
        "{err}"
    );
    let (code, out, _) = run(custos().arg("--data").arg(&data).arg("check"));
    assert_eq!(code, 1, "no pack is active, so check fails: {out}");
    assert!(out.contains("PROBLEM  no policy pack is active"), "{out}");
}

#[test]
fn commands_on_a_missing_scheme_say_how_to_create_one() {
    let dir = tempfile::tempdir().expect("tmp");
    let (code, _, err) = run(custos()
        .arg("--data")
        .arg(dir.path().join("nope"))
        .arg("check"));
    assert_eq!(code, 1);
    assert!(err.contains("run `custos init`"), "{err}");
}

#[tokio::test]
async fn a_database_from_a_newer_custos_is_refused() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("scheme");
    let (code, ..) = run(custos().arg("--data").arg(&data).arg("init"));
    assert_eq!(code, 0);
    let url = format!("sqlite://{}", data.join("custos.db").display());
    let mut c = sqlx::SqliteConnection::connect(&url)
        .await
        .expect("connect");
    sqlx::query(
        "INSERT INTO custos_schema (version, name, applied_at_unix_ms) VALUES (999, 'future', 0)",
    )
    .execute(&mut c)
    .await
    .expect("insert");
    c.close().await.expect("close");
    for args in [
        &["migrate"][..],
        &["serve", "--listen", "127.0.0.1:0"],
        &["policy", "show"],
    ] {
        let (code, _, err) = run(custos().arg("--data").arg(&data).args(args));
        assert_eq!(code, 1, "{args:?}");
        assert!(
            err.contains("schema is version 999") && err.contains("newer Custos"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn configuration_file_then_environment_then_flags() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("custos.toml");
    std::fs::write(
        &file,
        "data_dir = \"/srv/custos\"\n[web]\nlisten = \"127.0.0.1:1111\"\n",
    )
    .expect("write");
    let show = |cmd: &mut Command| {
        let (code, out, err) = run(cmd.arg("--config").arg(&file).arg("config"));
        assert_eq!(code, 0, "{err}");
        out
    };
    let out = show(&mut custos());
    assert!(
        out.contains("listen = \"127.0.0.1:1111\"") && out.contains("data_dir = \"/srv/custos\""),
        "{out}"
    );
    let out = show(custos().env("CUSTOS_LISTEN", "127.0.0.1:2222"));
    assert!(
        out.contains("listen = \"127.0.0.1:2222\"") && out.contains("/srv/custos"),
        "{out}"
    );
    let out = show(
        custos()
            .env("CUSTOS_LISTEN", "127.0.0.1:2222")
            .args(["--listen", "127.0.0.1:3333"]),
    );
    assert!(out.contains("listen = \"127.0.0.1:3333\""), "{out}");

    std::fs::write(&file, "[web]\nlisen = \"127.0.0.1:1\"\n").expect("write");
    let (code, _, err) = run(custos().arg("--config").arg(&file).arg("config"));
    assert_eq!(code, 1);
    assert!(
        err.contains("custos.toml:2:1: unknown field `lisen`"),
        "{err}"
    );

    let (code, _, err) = run(custos().env("CUSTOS_LISTN", "x").arg("config"));
    assert_eq!(code, 1);
    assert!(
        err.contains("unknown environment variable CUSTOS_LISTN"),
        "{err}"
    );
}

#[test]
fn a_database_password_never_appears_in_output_or_errors() {
    let secret = "Sup3rSecretPw";
    let url = format!("postgres://custos:{secret}@127.0.0.1:1/custos");
    let (code, out, err) = run(custos().args(["--database-url", &url, "check"]));
    assert_eq!(code, 1, "nothing listens on port 1");
    assert!(!out.contains(secret) && !err.contains(secret), "{out}{err}");
    assert!(
        err.contains("postgres://custos:***@127.0.0.1:1/custos"),
        "{err}"
    );
    let (code, out, err) = run(custos().env("CUSTOS_DATABASE_URL", &url).arg("config"));
    assert_eq!(code, 0);
    assert!(!out.contains(secret) && out.contains("***"), "{out}{err}");
    let (_, help, _) = run(custos().env("CUSTOS_DATABASE_URL", &url).arg("--help"));
    assert!(!help.contains(secret), "{help}");
    // A password holding URL characters, typed as is: never shown, in whole or in part.
    for secret in ["Qx7v/Zk9w?Wm2y#Rt5u", "Qx7v@Zk9w:Wm2y/Rt5u"] {
        let url = format!("postgres://custos:{secret}@127.0.0.1:1/custos");
        let (code, out, err) = run(custos().args(["--database-url", &url, "check"]));
        assert_eq!(code, 1, "{out}{err}");
        for part in secret.split(['/', '?', '#', '@', ':']) {
            assert!(
                !out.contains(part) && !err.contains(part),
                "{part} of {secret} shown: {out}{err}"
            );
        }
        let (_, out, err) = run(custos().env("CUSTOS_DATABASE_URL", &url).arg("config"));
        for part in secret.split(['/', '?', '#', '@', ':']) {
            assert!(!out.contains(part), "{part} of {secret} shown: {out}{err}");
        }
    }
}

/// Sends a GET and returns (status, body).
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut resp = String::new();
    s.read_to_string(&mut resp).expect("read");
    let status = resp
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = resp
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// Sends a raw HTTP request and returns the whole response.
fn exchange(addr: &str, request: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    s.write_all(request.as_bytes()).expect("send");
    let mut resp = String::new();
    s.read_to_string(&mut resp).expect("read");
    resp
}

/// Signs in through the form, as a browser does (the form first, for its token and
/// cookie), and returns the session cookie (`custos_session=…`).
fn sign_in(addr: &str, user: &str, password: &str) -> String {
    let page = exchange(
        addr,
        &format!("GET /login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    );
    let login_cookie = page
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .expect("the sign-in form's cookie")
        .to_owned();
    let token = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the sign-in form's token")
        .to_owned();
    let form = format!("csrf={token}&username={user}&password={password}&next=%2Flogbooks");
    let resp = exchange(
        addr,
        &format!(
            "POST /login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nCookie: {login_cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            form.len()
        ),
    );
    assert!(resp.starts_with("HTTP/1.1 303"), "{resp}");
    resp.lines()
        .filter_map(|l| l.strip_prefix("set-cookie: "))
        .filter_map(|c| c.split(';').next())
        .find(|c| c.starts_with("custos_session="))
        .expect("a session cookie")
        .to_owned()
}

/// Accepts the confidentiality declaration through its form, as a person would.
fn accept_declaration(addr: &str, cookie: &str) {
    let (status, page) = get_with_cookie(addr, "/account/declaration", cookie);
    assert_eq!(status, 200, "{page}");
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a CSRF field")
        .to_owned();
    let form = format!("csrf={csrf}");
    let resp = exchange(
        addr,
        &format!(
            "POST /account/declaration HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            form.len()
        ),
    );
    assert!(resp.starts_with("HTTP/1.1 303"), "{resp}");
}

/// Posts the one-field form (its CSRF token only) at `path` as the person with `cookie`,
/// taking the token from `/start`; returns the response.
fn post_csrf_only(addr: &str, path: &str, cookie: &str) -> String {
    let (_, page) = get_with_cookie(addr, "/start", cookie);
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a CSRF field")
        .to_owned();
    let form = format!("csrf={csrf}");
    exchange(
        addr,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            form.len()
        ),
    )
}

/// BDC-36: an operator's shift read at the console as one log: the demo's operator signs
/// on duty on the web, opens the Start page and signs off; `custos ledger shift operator`
/// prints when they were on duty and, in sentences, what they did, and names the shift
/// running at a time given; a person with no shift is told how one begins.
#[test]
fn bdc_36_an_operators_shift_from_the_console() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("scheme");
    let mut demo = custos();
    demo.arg("--data")
        .arg(&data)
        .args(["demo", "--listen", "127.0.0.1:0"]);
    let demo = RunningDemo::spawn(demo);
    let addr = demo.addr.clone();
    let cookie = sign_in(&addr, "operator", &demo.accounts["operator"]);
    accept_declaration(&addr, &cookie);
    let on = post_csrf_only(&addr, "/duty/on", &cookie);
    assert!(on.starts_with("HTTP/1.1 303"), "{on}");
    let during = custos_base::UnixMs(now_ms()).to_rfc3339();
    let off = post_csrf_only(&addr, "/duty/off", &cookie);
    assert!(off.starts_with("HTTP/1.1 303"), "{off}");
    demo.stop();

    let shift = |args: &[&str]| {
        run(custos()
            .arg("--data")
            .arg(&data)
            .args(["ledger", "shift"])
            .args(args))
    };
    let (code, out, err) = shift(&["operator"]);
    assert_eq!(code, 0, "{out}{err}");
    let first = out.lines().next().unwrap_or("");
    assert!(
        first.starts_with("Demo operator: on duty from ") && !first.contains("still on duty"),
        "{out}"
    );
    assert!(out.contains("went on duty"), "{out}");
    assert!(out.contains("went off duty"), "{out}");
    let (code, at, err) = shift(&["operator", "--at", &during]);
    assert_eq!(code, 0, "{at}{err}");
    assert_eq!(at, out, "the same shift, found by a time within it");
    let (code, out, err) = shift(&["auditor"]);
    assert_ne!(code, 0, "{out}");
    assert!(
        err.contains("auditor has no shift yet") && err.contains("Sign on duty"),
        "{err}"
    );
}

/// An API call: the session as a bearer token, a JSON body, any extra header lines; returns
/// (status, headers, body bytes).
fn api_call(
    addr: &str,
    method: &str,
    path: &str,
    bearer: Option<&str>,
    json: Option<&str>,
    extra: &str,
) -> (u16, String, Vec<u8>) {
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{extra}");
    if let Some(t) = bearer {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    let body = json.unwrap_or("");
    if json.is_some() {
        req.push_str("Content-Type: application/json\r\n");
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    s.write_all(req.as_bytes()).expect("send");
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).expect("read");
    let split = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&resp[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, head, resp[split + 4..].to_vec())
}

/// A GET with a cookie; returns (status, body).
fn get_with_cookie(addr: &str, path: &str, cookie: &str) -> (u16, String) {
    let resp = exchange(
        addr,
        &format!(
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
        ),
    );
    let status = resp
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = resp
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('\'', "&#39;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// SCC-3, BJS-7, LBU-9, BDC-13: the demo's first page publishes the controller, the
/// purposes, how long footage is kept, how to ask for footage or complain, and the contact
/// point; the demo stops cleanly on Ctrl-C and removes its fresh data directory.
#[test]
fn scc_3_demo_serves_the_transparency_page_and_stops_on_ctrl_c() {
    let mut child = custos()
        .args(["demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("demo starts");
    let _reap = Reap::new(&child);
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut data_dir = None;
    let mut addr = None;
    let mut accounts = std::collections::BTreeMap::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while addr.is_none() && Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        if let Some(rest) = line.strip_prefix("Demo data in ") {
            data_dir = rest.split(" (").next().map(PathBuf::from);
        }
        if let Some((role, pw)) = line.trim().split_once(" password ") {
            accounts.insert(role.trim().to_owned(), pw.trim().to_owned());
        }
        if let Some(rest) = line.split("running at http://").nth(1) {
            addr = rest.split('/').next().map(str::to_owned);
        }
    }
    let addr = addr.expect("the demo prints its URL");
    let data_dir = data_dir.expect("the demo says where its data is");
    assert!(data_dir.join("custos.db").exists());

    let (status, page) = get(&addr, "/");
    assert_eq!(status, 200, "{page}");
    let pack = PolicyPack::parse(include_str!("../../../policies/bosmere-junior-school.toml"))
        .expect("pack");
    assert!(
        page.contains(&html_escape(&pack.controller.name)),
        "controller named"
    );
    assert!(
        page.contains(&html_escape(&pack.controller.contact_point)),
        "contact point"
    );
    assert!(
        page.contains(&html_escape(&pack.controller.requests)),
        "how to ask for footage"
    );
    assert!(
        page.contains(&html_escape(&pack.controller.complaints)),
        "how to complain"
    );
    for p in &pack.purposes {
        assert!(
            page.contains(&html_escape(&p.name)),
            "purpose {} listed",
            p.id
        );
        assert!(
            page.contains(&html_escape(&p.description)),
            "purpose {} described",
            p.id
        );
    }
    assert!(page.contains(&format!(
        "<strong>{} days</strong>",
        pack.retention.default_days
    )));
    assert!(page.contains("Information Commissioner"));
    assert_eq!(get(&addr, "/healthz"), (200, "ok\n".to_owned()));
    assert_eq!(get(&addr, "/no-such-page").0, 404);

    // One demo account per role; the auditor reads the logbooks, the viewer may not.
    for role in ["owner", "manager", "operator", "dpo", "auditor", "viewer"] {
        assert!(accounts.contains_key(role), "{role}: {accounts:?}");
    }
    let cookie = sign_in(&addr, "auditor", &accounts["auditor"]);
    let (status, _) = get_with_cookie(&addr, "/logbooks?book=config", &cookie);
    assert_eq!(status, 303, "the declaration comes first (BDC-7)");
    accept_declaration(&addr, &cookie);
    let (status, page) = get_with_cookie(&addr, "/logbooks?book=config", &cookie);
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Demo auditor") && page.contains("policy-loaded"),
        "{page}"
    );
    let cookie = sign_in(&addr, "viewer", &accounts["viewer"]);
    accept_declaration(&addr, &cookie);
    assert_eq!(get_with_cookie(&addr, "/logbooks", &cookie).0, 403);

    // Ctrl-C.
    let pid = child.id().to_string();
    // The shell's built-in `kill`, so no extra package is needed.
    let killed = Command::new("sh")
        .args(["-c", &format!("kill -INT {pid}")])
        .status()
        .expect("kill");
    assert!(killed.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().expect("demo exits");
    assert!(status.success(), "clean exit: {status:?} {rest:?}");
    assert!(
        rest.iter().any(|l| l.contains("Custos stopped")),
        "{rest:?}"
    );
    assert!(
        !data_dir.exists(),
        "the fresh demo data directory is removed"
    );
}

/// The same scheme commands work against PostgreSQL (CI sets CUSTOS_TEST_POSTGRES_URL).
#[tokio::test]
async fn init_and_show_on_postgresql() {
    use sqlx::Connection;
    let Ok(base) = std::env::var("CUSTOS_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must set CUSTOS_TEST_POSTGRES_URL"
        );
        eprintln!("skipped: CUSTOS_TEST_POSTGRES_URL is not set");
        return;
    };
    let name = format!("custos_cli_{}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(&base).await.expect("connect");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name}"
    )))
    .execute(&mut admin)
    .await
    .expect("drop");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create");
    let server = base
        .split('?')
        .next()
        .and_then(|p| p.rsplit_once('/'))
        .map(|(s, _)| s.to_owned())
        .expect("url");
    let url = format!("{server}/{name}");
    let dir = tempfile::tempdir().expect("tmp");
    let scheme = dir.path().join("scheme");
    let with_db = |args: &[&str]| {
        let mut c = custos();
        c.arg("--data")
            .arg(&scheme)
            .env("CUSTOS_DATABASE_URL", &url)
            .args(args);
        c
    };
    let school = policies().join("bosmere-junior-school.toml");
    let (code, out, err) = run(with_db(&["init", "--policy"]).arg(&school));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("PostgreSQL"), "{out}");
    assert!(
        !scheme.join("custos.db").exists(),
        "no SQLite file when PostgreSQL is used"
    );
    let (code, out, _) = run(&mut with_db(&["policy", "show"]));
    assert_eq!(code, 0);
    assert!(out.contains("Bosmere Junior School"), "{out}");
    let (code, out, _) = run(&mut with_db(&["check"]));
    assert_eq!(code, 0, "{out}");
}

/// Starts `custos demo` on a kept data folder, waits until it serves, and stops it with
/// Ctrl-C as a person would.
fn run_demo_once(data: &std::path::Path) {
    run_demo_once_with(data, &[]);
}

/// [`run_demo_once`] with more arguments to `custos demo` (e.g. `--policy FILE`); returns
/// what it printed before it served.
fn run_demo_once_with(data: &std::path::Path, more: &[&str]) -> String {
    let mut child = custos()
        .arg("--data")
        .arg(data)
        .args(["demo", "--listen", "127.0.0.1:0"])
        .args(more)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("demo starts");
    let _reap = Reap::new(&child);
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut running = false;
    let mut said = String::new();
    while !running && Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        running = line.contains("running at http://");
        said.push_str(&line);
        said.push('\n');
    }
    assert!(running, "the demo started: {said}");
    let killed = Command::new("sh")
        .args(["-c", &format!("kill -INT {}", child.id())])
        .status()
        .expect("kill");
    assert!(killed.success());
    let _: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(child.wait().expect("demo exits").success());
    said
}

/// LBU-16, BDC-19: the demo seeds the faults and maintenance log: a passed check of a camera
/// and a fault reported on one, the contractor called to it and their response recorded,
/// which the console then lists as open with its contractor.
#[test]
fn bdc_19_the_demo_seeds_a_check_and_a_fault_with_the_contractors_response() {
    let dir = tempfile::tempdir().expect("tmp");
    let school = dir.path().join("school");
    let said = run_demo_once_with(&school, &[]);
    assert!(said.contains("Demo maintenance: check CHK-"), "{said}");
    let fault = reference_in(
        said.lines()
            .find(|l| l.starts_with("Demo maintenance:"))
            .expect("the line"),
        "FLT-",
    );
    let (code, out, err) =
        run(custos()
            .arg("--data")
            .arg(&school)
            .args(["maintenance", "show", &fault]));
    assert_eq!(code, 0, "{out}{err}");
    for words in [
        "Fault reported",
        "Demo Security Systems (job J-1001)",
        "An engineer will visit tomorrow morning",
        "in time",
    ] {
        assert!(out.contains(words), "{words}: {out}");
    }
    let (code, out, err) = run(custos()
        .arg("--data")
        .arg(&school)
        .args(["maintenance", "list"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&fault) && out.contains("Demo Security Systems"),
        "{out}"
    );
}

/// LBU-24: the demo registers a body-worn camera and issues it for the day, with the
/// officer's acknowledgement, and takes it back; the console lists it in store.
#[test]
fn lbu_24_the_demo_issues_a_body_worn_camera_for_the_day_and_takes_it_back() {
    let dir = tempfile::tempdir().expect("tmp");
    let school = dir.path().join("school");
    let said = run_demo_once_with(&school, &[]);
    assert!(said.contains("Demo body-worn camera: bwv-01"), "{said}");
    let (code, out, err) = run(custos()
        .arg("--data")
        .arg(&school)
        .args(["bodyworn", "device", "list"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("bwv-01") && out.contains("in store"), "{out}");
}

/// BDC-21, ALT-18, BDC-16, BDC-25: the demo seeds one closed example of each governance
/// case its scheme's code allows — a complaint, a breach, a covert authorisation, and
/// (where the police may take control: the council's pack) a police control period with
/// its written request — and says when the code allows none; and one visit to the control
/// room, countersigned (BDC-18).
#[test]
fn bdc_25_the_demo_seeds_one_closed_example_of_each_governance_case() {
    let dir = tempfile::tempdir().expect("tmp");
    let list = |scheme: &std::path::Path| {
        let (code, out, err) = run(custos()
            .arg("--data")
            .arg(scheme)
            .args(["case", "list", "--all"]));
        assert_eq!(code, 0, "{out}{err}");
        out
    };
    let closed = |out: &str, kind: &str| {
        out.lines()
            .filter(|l| l.split_whitespace().nth(1) == Some(kind))
            .map(|l| l.split_whitespace().nth(2).unwrap_or("").to_owned())
            .collect::<Vec<_>>()
    };
    let school = dir.path().join("school");
    let said = run_demo_once_with(&school, &[]);
    assert!(
        said.contains("does not let the police take control"),
        "{said}"
    );
    assert!(
        said.contains("Demo visit: VIS-") && said.contains("countersigned"),
        "{said}"
    );
    let out = list(&school);
    for kind in ["complaint", "breach", "covert-authorisation"] {
        assert_eq!(closed(&out, kind), ["closed"], "{kind}: {out}");
    }
    assert!(closed(&out, "police-control").is_empty(), "{out}");

    let council = dir.path().join("council");
    let pack = policies().join("bassetlaw-district-council.toml");
    let said = run_demo_once_with(&council, &["--policy", pack.to_str().expect("path")]);
    assert!(said.contains("Demo police control: POL-"), "{said}");
    assert!(said.contains("Demo visit: VIS-"), "{said}");
    let out = list(&council);
    for kind in [
        "complaint",
        "breach",
        "covert-authorisation",
        "police-control",
    ] {
        assert_eq!(closed(&out, kind), ["closed"], "{kind}: {out}");
    }
    let reference = out
        .lines()
        .find(|l| l.contains("police-control"))
        .and_then(|l| l.split_whitespace().next())
        .expect("a police control case")
        .to_owned();
    let (code, shown, err) =
        run(custos()
            .arg("--data")
            .arg(&council)
            .args(["police-control", "show", &reference]));
    assert_eq!(code, 0, "{shown}{err}");
    assert!(shown.contains("handed     back"), "{shown}");
    assert!(
        shown
            .lines()
            .any(|l| l.trim_start().starts_with("done") && l.contains("no footage was copied")),
        "what was done under control: {shown}"
    );
}

fn sqlite3(db: &std::path::Path, sql: &str) -> (i32, String) {
    let out = Command::new("sqlite3")
        .arg(db)
        .arg(sql)
        .output()
        .expect("the sqlite3 tool is installed (./scripts/test installs it)");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// BDC-35, the ledger's acceptance test: `custos ledger verify` passes on an untouched
/// demo scheme, and fails naming the entry after any single row of the ledger table is
/// edited (in any column) or deleted with the sqlite3 tool, by someone who first removes
/// the append-only guard that otherwise refuses the change.
#[test]
fn bdc_35_ledger_verify_passes_on_a_demo_scheme_and_names_any_row_edited_or_deleted() {
    let dir = tempfile::tempdir().expect("tmp");
    let scheme = dir.path().join("scheme");
    run_demo_once(&scheme);
    let (code, out, err) = run(custos()
        .arg("--data")
        .arg(&scheme)
        .args(["ledger", "verify"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("Ledger intact: "), "{out}");
    assert_eq!(out.lines().count(), 1, "one summary line: {out}");
    let (code, head, _) = run(custos().arg("--data").arg(&scheme).args(["ledger", "head"]));
    assert_eq!(code, 0);
    let entries: i64 = head
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("head");
    assert!(
        entries >= 2,
        "the demo's schema step and policy load are ledgered: {head}"
    );
    assert!(out.contains(&format!("head is entry {entries}")), "{out}");

    // The guard refuses an ordinary edit.
    let (code, err) = sqlite3(
        &scheme.join("custos.db"),
        "UPDATE ledger_entries SET actor = 'console:mallory' WHERE seq = 1",
    );
    assert_ne!(code, 0);
    assert!(err.contains("append-only"), "{err}");

    let edits = [
        "at_unix_ms = at_unix_ms + 1",
        "actor = 'console:mallory'",
        "book = CASE book WHEN 'review' THEN 'config' ELSE 'review' END",
        "kind = kind || '-x'",
        "refs = refs || 'x'",
        "body = '{}'",
        "prev_hash = randomblob(32)",
        "hash = randomblob(32)",
        "seq = seq + 1000",
    ];
    for seq in 1..=entries {
        let mut damage: Vec<String> = edits
            .iter()
            .map(|e| {
                format!("DROP TRIGGER ledger_entries_no_update; UPDATE ledger_entries SET {e} WHERE seq = {seq}")
            })
            .collect();
        damage.push(format!(
            "DROP TRIGGER ledger_entries_no_delete; DELETE FROM ledger_entries WHERE seq = {seq}"
        ));
        for (i, sql) in damage.iter().enumerate() {
            let copy = dir.path().join(format!("copy-{seq}-{i}"));
            copy_dir(&scheme, &copy);
            let (code, err) = sqlite3(&copy.join("custos.db"), sql);
            assert_eq!(code, 0, "{sql}: {err}");
            let (code, out, err) = run(custos()
                .arg("--data")
                .arg(&copy)
                .arg("--key-dir")
                .arg(dir.path().join("scheme-keys"))
                .args(["ledger", "verify"]));
            assert_eq!(code, 1, "{sql} must be detected: {out}{err}");
            assert!(
                out.starts_with(&format!("LEDGER DAMAGED: entry {seq}: ")),
                "{sql} must name entry {seq}: {out}"
            );
        }
    }
}

#[test]
fn the_signing_key_is_private_and_its_public_half_reads_in_ssh_keygen() {
    let dir = tempfile::tempdir().expect("tmp");
    let scheme = dir.path().join("scheme");
    let (code, out, err) = run(custos().arg("--data").arg(&scheme).arg("init"));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Created the scheme's signing key"), "{out}");
    // Kept apart from the data folder, so a copy of that folder cannot sign.
    assert!(!scheme.join("ledger-signing-key").exists());
    let key = dir.path().join("scheme-keys").join("ledger-signing-key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).expect("key").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "only the owner may read the key");
    }
    let (code, out, _) = run(custos().arg("--data").arg(&scheme).args(["key", "show"]));
    assert_eq!(code, 0);
    let openssh = out
        .lines()
        .find_map(|l| l.strip_prefix("OpenSSH: "))
        .expect("an OpenSSH line");
    assert!(openssh.starts_with("ssh-ed25519 "), "{openssh}");
    let fingerprint = out
        .lines()
        .find_map(|l| l.strip_prefix("Fingerprint: "))
        .expect("a fingerprint");
    let public = dir.path().join("scheme.pub");
    std::fs::write(&public, format!("{openssh}\n")).expect("write");
    let keygen = Command::new("ssh-keygen")
        .arg("-l")
        .arg("-f")
        .arg(&public)
        .output()
        .expect("ssh-keygen is installed (./scripts/test installs it)");
    let listed = String::from_utf8_lossy(&keygen.stdout);
    assert!(
        keygen.status.success() && listed.contains(fingerprint),
        "{listed}"
    );
    // The private key file is an ordinary OpenSSH key too.
    let keygen = Command::new("ssh-keygen")
        .arg("-y")
        .arg("-f")
        .arg(&key)
        .output()
        .expect("ssh-keygen");
    assert!(keygen.status.success());
    assert!(
        String::from_utf8_lossy(&keygen.stdout)
            .starts_with(openssh.rsplit_once(' ').map_or(openssh, |(k, _)| k))
    );
    // A second init keeps the key.
    let before = std::fs::read(&key).expect("key");
    let (code, out, _) = run(custos().arg("--data").arg(&scheme).arg("init"));
    assert_eq!(code, 0);
    assert!(!out.contains("Created the scheme's signing key"));
    assert_eq!(std::fs::read(&key).expect("key"), before);
}

#[test]
fn commands_that_write_refuse_to_run_without_the_signing_key_and_change_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let scheme = dir.path().join("scheme");
    let school = policies().join("bosmere-junior-school.toml");
    let (code, ..) = run(custos()
        .arg("--data")
        .arg(&scheme)
        .args(["init", "--policy"])
        .arg(&school));
    assert_eq!(code, 0);
    std::fs::remove_file(dir.path().join("scheme-keys").join("ledger-signing-key"))
        .expect("remove key");
    let trust = policies().join("active-learning-trust.toml");
    let (code, _, err) = run(custos()
        .arg("--data")
        .arg(&scheme)
        .args(["policy", "load"])
        .arg(&trust));
    assert_eq!(code, 1);
    assert!(
        err.contains("signing key") && err.contains("custos init"),
        "{err}"
    );
    let (_, out, _) = run(custos()
        .arg("--data")
        .arg(&scheme)
        .args(["policy", "history"]));
    assert_eq!(out.lines().count(), 1, "nothing was loaded: {out}");
}

/// LBU-13, BDC-18, ALT-8: a logbook exports as CSV with its columns, or as JSON Lines with
/// every stored field; dates select UK days.
#[test]
fn bdc_18_logbooks_export_as_csv_and_json_lines() {
    let dir = tempfile::tempdir().expect("tmp");
    let scheme = dir.path().join("scheme");
    let d = scheme.as_path();
    let school = policies().join("bosmere-junior-school.toml");
    let trust = policies().join("active-learning-trust.toml");
    assert_eq!(
        run(custos()
            .arg("--data")
            .arg(d)
            .args(["init", "--policy"])
            .arg(&school))
        .0,
        0
    );
    assert_eq!(
        run(custos()
            .arg("--data")
            .arg(d)
            .args(["policy", "load"])
            .arg(&trust))
        .0,
        0
    );

    let (code, csv, err) = run(custos()
        .arg("--data")
        .arg(d)
        .args(["ledger", "export", "--book", "config"]));
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], "Entry,Time,Actor,Kind,Concerning,Details");
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines[1].contains("console:tester,policy-loaded,policy-version:1"),
        "{csv}"
    );
    assert!(lines[2].contains("active-learning-trust"), "{csv}");

    let (code, _, err) = run(custos()
        .arg("--data")
        .arg(d)
        .args(["ledger", "export", "--book", "download"]));
    assert_eq!(code, 0, "{err}");

    let out_file = d.join("config.jsonl");
    let (code, _, err) = run(custos()
        .arg("--data")
        .arg(d)
        .args([
            "ledger", "export", "--book", "config", "--format", "jsonl", "-o",
        ])
        .arg(&out_file));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Wrote 2 entries"), "{err}");
    let text = std::fs::read_to_string(&out_file).expect("written");
    assert_eq!(text.lines().count(), 2);
    assert!(
        text.lines()
            .all(|l| l.starts_with('{') && l.contains("\"hash\":\"")),
        "{text}"
    );

    let (code, csv, _) = run(custos().arg("--data").arg(d).args([
        "ledger",
        "export",
        "--book",
        "config",
        "--from",
        "2999-01-01",
    ]));
    assert_eq!(code, 0);
    assert_eq!(csv.lines().count(), 1, "only the header: {csv}");

    let (code, _, err) = run(custos()
        .arg("--data")
        .arg(d)
        .args(["ledger", "export", "--book", "reviews"]));
    assert_eq!(code, 1);
    assert!(
        err.contains("\"review\"") && err.contains("not a logbook"),
        "{err}"
    );
    let (code, _, err) = run(custos()
        .arg("--data")
        .arg(d)
        .args(["ledger", "export", "--book", "config", "--from", "1/7/2026"]));
    assert_eq!(code, 1);
    assert!(err.contains("YYYY-MM-DD"), "{err}");
}

/// Runs `custos serve` until `until` holds for the output of `custos ledger alarms`, then
/// stops it with Ctrl-C.
fn serve_until(data: &std::path::Path, until: impl Fn(&str) -> bool) -> String {
    let mut child = custos()
        .arg("--data")
        .arg(data)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let _reap = Reap::new(&child);
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut running = false;
    while !running {
        let Some(Ok(line)) = lines.next() else { break };
        running = line.contains("running at http://");
    }
    assert!(running, "serve started");
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = String::new();
    while Instant::now() < deadline {
        seen = run(custos().arg("--data").arg(data).args(["ledger", "alarms"])).1;
        if until(&seen) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Command::new("sh")
        .args(["-c", &format!("kill -INT {}", child.id())])
        .status()
        .expect("kill");
    let _: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(child.wait().expect("exits").success());
    seen
}

/// BDC-35: `custos serve` verifies the ledger when it starts (and daily); a failure is an
/// alarm until someone acknowledges it with a note, which is itself ledgered.
#[test]
fn bdc_35_serve_verifies_the_ledger_and_a_failure_stays_an_alarm_until_acknowledged() {
    let dir = tempfile::tempdir().expect("tmp");
    let scheme = dir.path().join("scheme");
    let d = scheme.as_path();
    let school = policies().join("bosmere-junior-school.toml");
    assert_eq!(
        run(custos()
            .arg("--data")
            .arg(d)
            .args(["init", "--policy"])
            .arg(&school))
        .0,
        0
    );
    let (code, out, _) = run(custos().arg("--data").arg(d).args(["ledger", "alarms"]));
    assert_eq!(code, 0);
    assert!(out.contains("not been verified"), "{out}");

    let out = serve_until(d, |o| o.contains("Last verification"));
    assert!(out.contains("intact"), "{out}");

    let (code, err) = sqlite3(
        &d.join("custos.db"),
        "DROP TRIGGER ledger_entries_no_update; UPDATE ledger_entries SET body = '{}' WHERE seq = 2",
    );
    assert_eq!(code, 0, "{err}");
    let out = serve_until(d, |o| o.contains("ALARM"));
    assert!(
        out.contains("ALARM entry") && out.contains("entry 2: hash mismatch"),
        "{out}"
    );
    let (code, ..) = run(custos().arg("--data").arg(d).args(["ledger", "alarms"]));
    assert_eq!(code, 1, "an open alarm fails the command, for monitoring");
    let (code, checked, _) = run(custos().arg("--data").arg(d).arg("check"));
    assert_eq!(code, 1);
    assert!(
        checked.contains("PROBLEM  ledger damaged: entry 2: hash mismatch")
            && checked.contains("not yet acknowledged"),
        "{checked}"
    );

    let seq: String = out
        .lines()
        .filter(|l| l.contains("hash mismatch"))
        .find_map(|l| l.strip_prefix("ALARM entry "))
        .and_then(|l| l.split(':').next())
        .expect("alarm entry")
        .to_owned();
    let (code, _, err) =
        run(custos()
            .arg("--data")
            .arg(d)
            .args(["ledger", "acknowledge", &seq, "--note", ""]));
    assert_eq!(code, 1);
    assert!(err.contains("say what was done"), "{err}");
    let (code, out, err) = run(custos().arg("--data").arg(d).args([
        "ledger",
        "acknowledge",
        &seq,
        "--note",
        "Restored from backup; DPO told",
    ]));
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, _) = run(custos().arg("--data").arg(d).args(["ledger", "alarms"]));
    let dbg = run(custos()
        .arg("--data")
        .arg(d)
        .args(["ledger", "export", "--book", "system"]))
    .1;
    assert_eq!(code, 0, "{out}\nDEBUG{dbg}");
    let (_, csv, _) = run(custos()
        .arg("--data")
        .arg(d)
        .args(["ledger", "export", "--book", "system"]));
    assert!(
        csv.contains("console:tester,ledger-alarm-acknowledged,ledger-entry:")
            && csv.contains("Restored from backup"),
        "{csv}"
    );
}

/// LJM-6, LBU-4: named accounts with roles from the console; passwords generated or read
/// from standard input, never shown again; changes go into the ledger.
#[test]
fn lbu_4_user_accounts_from_the_console() {
    let dir = tempfile::tempdir().expect("tmp");
    let scheme = dir.path().join("scheme");
    let d = scheme.as_path();
    let trust = policies().join("active-learning-trust.toml");
    assert_eq!(
        run(custos()
            .arg("--data")
            .arg(d)
            .args(["init", "--policy"])
            .arg(&trust))
        .0,
        0
    );

    let (code, out, err) = run(custos().arg("--data").arg(d).args([
        "user",
        "add",
        "j.okafor",
        "--name",
        "Jo Okafor",
        "--role",
        "headteacher@site:school-a",
    ]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("Added j.okafor (Jo Okafor) with headteacher at site:school-a."),
        "{out}"
    );
    let password = out
        .lines()
        .find_map(|l| l.strip_prefix("Password: "))
        .expect("a generated password");
    assert_eq!(password.len(), 19);

    let mut add = custos();
    add.arg("--data")
        .arg(d)
        .args([
            "user",
            "add",
            "a.ng",
            "--name",
            "Alex Ng",
            "--role",
            "operator",
            "--role",
            "dpo",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = add.spawn().expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"walnut kettle lamp\n")
        .expect("write");
    let out = child.wait_with_output().expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Password:"));

    let (code, _, err) = run(custos().arg("--data").arg(d).args([
        "user",
        "add",
        "x",
        "--name",
        "X",
        "--role",
        "superuser",
    ]));
    assert_eq!(code, 1);
    assert!(err.contains("no role \"superuser\""), "{err}");
    let (code, _, err) = run(custos().arg("--data").arg(d).args([
        "user", "add", "Bad Name", "--name", "X", "--role", "operator",
    ]));
    assert_eq!(code, 1);
    assert!(err.contains("is not a user name"), "{err}");

    assert_eq!(
        run(custos().arg("--data").arg(d).args([
            "user",
            "grant",
            "a.ng",
            "supervisor@site:school-b"
        ]))
        .0,
        0
    );
    assert_eq!(
        run(custos()
            .arg("--data")
            .arg(d)
            .args(["user", "revoke", "a.ng", "dpo"]))
        .0,
        0
    );
    let (code, _, err) = run(custos()
        .arg("--data")
        .arg(d)
        .args(["user", "disable", "j.okafor", "--reason", ""]));
    assert_eq!(code, 1);
    assert!(err.contains("give the reason"), "{err}");
    assert_eq!(
        run(custos()
            .arg("--data")
            .arg(d)
            .args(["user", "disable", "j.okafor", "--reason", "left"]))
        .0,
        0
    );

    let (code, list, _) = run(custos().arg("--data").arg(d).args(["user", "list"]));
    assert_eq!(code, 0);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert!(
        lines[0].starts_with("a.ng") && lines[0].contains("operator, supervisor at site:school-b"),
        "{list}"
    );
    assert!(
        lines[1].starts_with("j.okafor") && lines[1].contains("DISABLED"),
        "{list}"
    );

    let (_, csv, _) = run(custos()
        .arg("--data")
        .arg(d)
        .args(["ledger", "export", "--book", "config"]));
    for kind in [
        "user-added",
        "role-granted",
        "role-revoked",
        "user-disabled",
    ] {
        assert!(
            csv.contains(&format!("console:tester,{kind},user:")),
            "{kind}: {csv}"
        );
    }
    assert!(
        !csv.contains(password) && !csv.contains("walnut"),
        "no password in the ledger"
    );
    let (code, out, _) = run(custos().arg("--data").arg(d).args(["ledger", "verify"]));
    assert_eq!(code, 0, "{out}");
}

/// People and permissions, accepted in a real browser: every demo role signs in through
/// the form (the pack's privileged roles setting up their second factor from the page's
/// key), accepts the confidentiality declaration (BDC-7), lands on the live grid if it may
/// watch live and otherwise on the start page, whose navigation and list of rights show
/// only what the role may do (LBU-4, ALT-5), and sees the logbooks only if the role may
/// read them (BDC-18).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lbu_4_each_demo_role_signs_in_in_a_browser_and_sees_only_what_it_may() {
    use fantoccini::Locator;
    let dir = tempfile::tempdir().expect("tmp");
    let mut demo = custos()
        .arg("--data")
        .arg(dir.path().join("scheme"))
        .args(["demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("demo starts");
    let _reap = Reap::new(&demo);
    let mut lines = BufReader::new(demo.stdout.take().expect("stdout")).lines();
    let mut accounts = Vec::new();
    let mut addr = None;
    while addr.is_none() {
        let Some(Ok(line)) = lines.next() else { break };
        if let Some((role, pw)) = line.trim().split_once(" password ") {
            accounts.push((role.trim().to_owned(), pw.trim().to_owned()));
        }
        if let Some(rest) = line.split("running at http://").nth(1) {
            addr = rest.split('/').next().map(str::to_owned);
        }
    }
    let addr = addr.expect("the demo prints its URL");
    let pack = PolicyPack::parse(include_str!("../../../policies/bosmere-junior-school.toml"))
        .expect("pack");
    // One account per role that can do something under the pack: the built-in authoriser
    // role, which the school's pack names nowhere, gets none.
    let table = custos_domain::access::RightsTable::from_pack(&pack);
    let useful: Vec<&str> = pack
        .roles
        .iter()
        .map(|r| r.id.as_str())
        .filter(|r| !table.rights(r).is_empty())
        .collect();
    assert!(!useful.contains(&"authoriser"), "{useful:?}");
    assert_eq!(
        accounts.iter().map(|(r, _)| r.as_str()).collect::<Vec<_>>(),
        useful,
        "one account per role that can do something"
    );
    let readers = ["owner", "manager", "supervisor", "dpo", "auditor"];
    // The trainee watches only while an operator is signed on duty (BDC-22); nobody is.
    let watchers = ["owner", "manager", "supervisor", "operator", "viewer"];
    let caseworkers = ["owner", "manager", "dpo"];
    // The books the school's pack is silent on (video prints, installed equipment): kept by
    // operators, supervisors and managers, read by them and the logbooks' readers.
    let book_readers = [
        "owner",
        "manager",
        "supervisor",
        "operator",
        "dpo",
        "auditor",
    ];

    let driver = Driver::start();
    let c = browser(&driver, &dir.path().join("profile")).await;
    for (role, password) in &accounts {
        c.goto(&format!("http://{addr}/login"))
            .await
            .expect("login page");
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
        let mut path = submit_and_leave(&c, "form[action='/login'] button", "/login").await;
        if path == "/account/mfa" {
            assert!(
                pack.access.mfa_roles.iter().any(|r| r.as_str() == role),
                "{role} was asked for a second factor"
            );
            path = enrol_second_factor(&c).await;
        } else {
            assert!(
                !pack.access.mfa_roles.iter().any(|r| r.as_str() == role),
                "{role} skipped the second factor"
            );
        }
        assert_eq!(
            path, "/account/declaration",
            "{role}: the declaration comes first"
        );
        let text = c
            .find(Locator::Id("declaration-text"))
            .await
            .expect("text")
            .text()
            .await
            .expect("text");
        assert_eq!(text.trim(), pack.access.declaration);
        let path = submit_and_leave(
            &c,
            "form[action='/account/declaration'] button",
            "/account/declaration",
        )
        .await;
        // Those who may watch live start on the live grid; everyone else on the start page.
        let landing = if watchers.contains(&role.as_str()) {
            "/live"
        } else {
            "/start"
        };
        assert_eq!(path, landing, "{role}: where signing in leads");
        c.goto(&format!("http://{addr}/start"))
            .await
            .expect("start page");
        c.wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Id("nav"))
            .await
            .expect("the start page");
        let mut links = Vec::new();
        for a in c
            .find_all(Locator::Css("#nav a"))
            .await
            .expect("navigation")
        {
            links.push(a.text().await.expect("text"));
        }
        let nav = links.join(" · ");
        let expected: Vec<&str> = [
            ("Start", true),
            ("Live", watchers.contains(&role.as_str())),
            ("Cameras", watchers.contains(&role.as_str())),
            ("Cases", caseworkers.contains(&role.as_str())),
            (
                "Export",
                ["owner", "manager", "supervisor", "dpo"].contains(&role.as_str()),
            ),
            // The school's visitors' log: kept by the manager and the owner, read by
            // those who read the logbooks.
            ("Visitors", readers.contains(&role.as_str())),
            // The school's faults and maintenance log: kept by the manager and the owner,
            // read by those who read the logbooks (LBU-16, BDC-19).
            ("Maintenance", readers.contains(&role.as_str())),
            // The supervisor's checks: the owner countersigns the school's incident and
            // visitors' logs; its pack is silent on the other books, whose lawful default
            // has supervisors and managers countersign (BDC-18).
            (
                "Checks",
                ["owner", "manager", "supervisor"].contains(&role.as_str()),
            ),
            ("Logbooks", readers.contains(&role.as_str())),
            // The school keeps its incident log by its manager and owner; the logbooks'
            // readers read it (BDC-24).
            ("Incidents", readers.contains(&role.as_str())),
            ("Video prints", book_readers.contains(&role.as_str())),
            ("Retention", readers.contains(&role.as_str())),
            ("Disclosures", readers.contains(&role.as_str())),
            ("Complaints", readers.contains(&role.as_str())),
            ("Breaches", caseworkers.contains(&role.as_str())),
            (
                "Camera register",
                ["owner", "manager"].contains(&role.as_str()),
            ),
            ("Equipment", book_readers.contains(&role.as_str())),
            ("People", ["owner", "manager"].contains(&role.as_str())),
            ("Transparency page", true),
        ]
        .iter()
        .filter(|(_, shown)| *shown)
        .map(|(label, _)| *label)
        .collect();
        assert_eq!(nav, expected.join(" · "), "{role}'s navigation");
        let start = c.source().await.expect("source");
        assert_eq!(
            start.contains("<li>watch cameras live</li>"),
            watchers.contains(&role.as_str()),
            "{role}'s rights: {start}"
        );

        c.goto(&format!("http://{addr}/logbooks?book=config"))
            .await
            .expect("logbooks");
        // Wait until the page is there (a heading), not just the navigation started.
        c.wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css("h1"))
            .await
            .expect("a page with a heading");
        let page = c.source().await.expect("source");
        if readers.contains(&role.as_str()) {
            let who = c
                .find(Locator::Id("who"))
                .await
                .expect("who is signed in")
                .text()
                .await
                .expect("text");
            assert_eq!(who, format!("Demo {}", role.replace('-', " ")));
            assert!(
                page.contains("policy-loaded") && page.contains("user-added"),
                "{role} reads the logbook"
            );
            let path = submit_and_leave(&c, "form[action='/logout'] button", "/logbooks").await;
            assert_eq!(path, "/login", "{role} signed out");
        } else {
            assert!(
                page.contains("Not allowed") && !page.contains("policy-loaded"),
                "{role} must not read the logbooks: {page}"
            );
            c.delete_all_cookies()
                .await
                .expect("sign out by forgetting the cookie");
        }
    }
    c.close().await.expect("close");
    drop(driver);
    Command::new("sh")
        .args(["-c", &format!("kill -INT {}", demo.id())])
        .status()
        .expect("kill");
    let _: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(demo.wait().expect("demo exits").success());
}

/// LBU-14 in a real browser: a page left for longer than the pack's idle limit (one minute
/// here) comes back as the lock screen, with nothing of the page underneath; the password
/// unlocks it and returns to the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lbu_14_an_idle_browser_shows_the_lock_screen_until_the_password_is_given() {
    use fantoccini::Locator;
    let dir = tempfile::tempdir().expect("tmp");
    let pack = include_str!("../../../policies/bosmere-junior-school.toml").replacen(
        "idle_lock_minutes = 5 ",
        "idle_lock_minutes = 1 ",
        1,
    );
    let pack_file = dir.path().join("one-minute.toml");
    std::fs::write(&pack_file, pack).expect("pack");
    let mut demo = custos()
        .arg("--data")
        .arg(dir.path().join("scheme"))
        .args(["demo", "--listen", "127.0.0.1:0", "--policy"])
        .arg(&pack_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("demo starts");
    let _reap = Reap::new(&demo);
    let mut lines = BufReader::new(demo.stdout.take().expect("stdout")).lines();
    let mut password = None;
    let mut addr = None;
    while addr.is_none() {
        let Some(Ok(line)) = lines.next() else { break };
        if let Some(("auditor", pw)) = line
            .trim()
            .split_once(" password ")
            .map(|(r, p)| (r.trim(), p.trim()))
        {
            password = Some(pw.to_owned());
        }
        if let Some(rest) = line.split("running at http://").nth(1) {
            addr = rest.split('/').next().map(str::to_owned);
        }
    }
    let addr = addr.expect("the demo prints its URL");
    let password = password.expect("the auditor's password");

    let driver = Driver::start();
    let c = browser(&driver, &dir.path().join("profile")).await;
    c.goto(&format!(
        "http://{addr}/login?next=/logbooks%3Fbook%3Dconfig"
    ))
    .await
    .expect("login page");
    c.find(Locator::Id("username"))
        .await
        .expect("field")
        .send_keys("auditor")
        .await
        .expect("type");
    c.find(Locator::Id("password"))
        .await
        .expect("field")
        .send_keys(&password)
        .await
        .expect("type");
    let path = submit_and_leave(&c, "form[action='/login'] button", "/login").await;
    assert_eq!(path, "/account/declaration");
    let path = submit_and_leave(
        &c,
        "form[action='/account/declaration'] button",
        "/account/declaration",
    )
    .await;
    assert_eq!(path, "/logbooks");
    assert!(c.source().await.expect("page").contains("policy-loaded"));

    // Leave it alone for longer than the limit, then come back to it.
    tokio::time::sleep(Duration::from_secs(65)).await;
    c.refresh().await.expect("reload");
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Id("locked"))
        .await
        .expect("the lock screen");
    let locked = c.source().await.expect("page");
    assert!(
        locked.contains("locked after 1 minute without use") && !locked.contains("policy-loaded"),
        "nothing of the page shows under the lock: {locked}"
    );
    c.find(Locator::Id("password"))
        .await
        .expect("field")
        .send_keys(&password)
        .await
        .expect("type");
    c.find(Locator::Css("form[action='/unlock'] button"))
        .await
        .expect("button")
        .click()
        .await
        .expect("click");
    // Unlocking returns to the page that was open, at the same address.
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Id("csv"))
        .await
        .expect("the logbook again");
    assert_eq!(c.current_url().await.expect("url").path(), "/logbooks");
    assert!(c.source().await.expect("page").contains("policy-loaded"));
    c.close().await.expect("close");
    drop(driver);
    Command::new("sh")
        .args(["-c", &format!("kill -INT {}", demo.id())])
        .status()
        .expect("kill");
    let _: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(demo.wait().expect("demo exits").success());
}

/// LBU-14: a session ended elsewhere ("sign out everywhere" from another computer) ends
/// what its pages show: the live grid playing in Chromium stops, its videos are emptied
/// and the page gives way to the sign-in page within seconds, without anyone touching it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lbu_14_a_live_page_gives_way_when_its_session_ends_elsewhere() {
    let dir = tempfile::tempdir().expect("tmp");
    let demo = RunningDemo::start(&dir.path().join("scheme"));
    let addr = demo.addr.clone();
    let password = demo.accounts.get("operator").expect("operator").clone();
    let driver = Driver::start();
    let c = browser(&driver, &dir.path().join("profile")).await;
    let landed = browser_sign_in(&c, &addr, "operator", &password).await;
    assert_eq!(landed, "/live");
    // Wait until a tile plays.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let playing = c
            .execute(
                "return [...document.querySelectorAll('video[data-live]')].some(v => v.src.startsWith('blob:') && v.currentTime > 0 && !v.classList.contains('thumbnail'));",
                vec![],
            )
            .await
            .expect("script");
        if playing.as_bool() == Some(true) {
            break;
        }
        assert!(Instant::now() < deadline, "live view never played");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // Signed out everywhere from another computer.
    let cookie = sign_in(&addr, "operator", &password);
    let (_, start) = get_with_cookie(&addr, "/start", &cookie);
    let csrf = start
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a form token")
        .to_owned();
    let form = format!("csrf={csrf}");
    let resp = exchange(
        &addr,
        &format!(
            "POST /logout/everywhere HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            form.len()
        ),
    );
    assert!(resp.starts_with("HTTP/1.1 303"), "{resp}");
    let deadline = Instant::now() + Duration::from_secs(12);
    loop {
        let url = c.current_url().await.expect("url");
        let videos = c
            .execute(
                "return document.querySelectorAll('video[src]').length;",
                vec![],
            )
            .await
            .expect("script");
        if url.path() == "/login" && videos.as_i64() == Some(0) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the live page still shows at {url} ({videos} videos with a source)"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    c.close().await.expect("close");
    drop(driver);
    demo.stop();
}

/// LJM-8, BDC-1: camera groups with their workstations, and absences, from the console;
/// mistakes are explained and change nothing; every change is in the ledger.
#[test]
fn ljm_8_camera_groups_and_absences_from_the_console() {
    let dir = tempfile::tempdir().expect("tmp");
    let scheme = dir.path().join("scheme");
    let d = scheme.as_path();
    let council = policies().join("bassetlaw-district-council.toml");
    assert_eq!(
        run(custos()
            .arg("--data")
            .arg(d)
            .args(["init", "--policy"])
            .arg(&council))
        .0,
        0
    );
    let custos_in = |args: &[&str]| run(custos().arg("--data").arg(d).args(args));

    let (code, out, err) = custos_in(&[
        "group",
        "add",
        "control-room",
        "--site",
        "worksop",
        "--name",
        "Control room wall",
        "--workstations",
        "10.20.0.0/24,10.20.1.0/24",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("watched from 10.20.0.0/24 10.20.1.0/24"),
        "{out}"
    );
    let (code, out, err) = custos_in(&[
        "group",
        "workstations",
        "control-room",
        "10.20.0.0/33",
        "--reason",
        "moved",
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("CIDR notation"), "{out}{err}");
    let (code, out, err) = custos_in(&[
        "group",
        "workstations",
        "control-room",
        "10.30.0.0/24",
        "--reason",
        "control room moved",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let (_, out, _) = custos_in(&["group", "list"]);
    assert!(
        out.contains("control-room") && out.contains("watched from 10.30.0.0/24"),
        "{out}"
    );

    let (code, out, err) = custos_in(&[
        "user",
        "add",
        "k.manager",
        "--name",
        "Kim Manager",
        "--role",
        "manager",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = custos_in(&[
        "user",
        "absent",
        "k.manager",
        "--from",
        "2026-12-21",
        "--until",
        "2027-01-02",
        "--reason",
        "annual leave",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("away from 2026-12-21 to 2027-01-02"), "{out}");
    let (code, _, err) = custos_in(&[
        "user",
        "absent",
        "k.manager",
        "--from",
        "2027-01-05",
        "--until",
        "2027-01-04",
        "--reason",
        "leave",
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("before the first"), "{err}");
    let (code, out, err) = custos_in(&["user", "back", "k.manager"]);
    assert_eq!(code, 0, "{out}{err}");

    let (_, out, _) = custos_in(&["ledger", "export", "--book", "config", "--format", "jsonl"]);
    assert!(
        out.contains("camera-group-added") && out.contains("workstations-changed"),
        "{out}"
    );
    let (_, out, _) = custos_in(&["ledger", "export", "--book", "access", "--format", "jsonl"]);
    assert!(
        out.contains("absence-recorded") && out.contains("absence-ended"),
        "{out}"
    );
}

/// LJM-1, LJM-3, BDC-9, BJS-6: cameras registered from the console against the pack; the
/// password in a camera's address is split out, stored encrypted with the scheme's master
/// key (created by `init`, mode 0600) and appears in no output or ledger entry; sound needs
/// an approval reason; every change is ledgered.
#[test]
fn ljm_1_cameras_from_the_console_keep_their_passwords_secret() {
    let dir = tempfile::tempdir().expect("tmp");
    let scheme = dir.path().join("scheme");
    let d = scheme.as_path();
    let school = policies().join("bosmere-junior-school.toml");
    let (code, out, err) = run(custos()
        .arg("--data")
        .arg(d)
        .args(["init", "--policy"])
        .arg(&school));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Created the scheme's master key"), "{out}");
    let key = dir.path().join("scheme-keys").join("master-key");
    assert!(!d.join("master-key").exists(), "not in the data folder");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key).expect("key").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let custos_in = |args: &[&str]| run(custos().arg("--data").arg(d).args(args));
    assert_eq!(
        custos_in(&[
            "group",
            "add",
            "entrances",
            "--site",
            "bosmere",
            "--name",
            "Entrances"
        ])
        .0,
        0
    );
    let add = [
        "camera",
        "add",
        "front-gate",
        "--name",
        "Front gate",
        "--site",
        "bosmere",
        "--location",
        "Above the main gate",
        "--area",
        "Gate and path",
        "--purpose",
        "security-and-safety",
        "--group",
        "entrances",
        "--dpia",
        "DPIA-2026-03",
        "--requirement",
        "Identify people entering",
    ];
    let (code, out, err) = custos_in(
        &[
            &add[..],
            &[
                "--url",
                "rtsp://admin:Sup3rSecret@192.0.2.10/stream1",
                "--mode",
                "alarm-triggered",
            ],
        ]
        .concat(),
    );
    assert_ne!(code, 0);
    assert!(
        err.contains("does not allow alarm-triggered cameras; it allows"),
        "{err}"
    );
    assert!(!format!("{out}{err}").contains("Sup3rSecret"));
    let (code, out, err) = custos_in(
        &[
            &add[..],
            &["--url", "rtsp://admin:Sup3rSecret@192.0.2.10/stream1"],
        ]
        .concat(),
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("stored encrypted"), "{out}");
    assert!(
        !out.contains("Sup3rSecret") && out.contains("rtsp://192.0.2.10/stream1"),
        "{out}"
    );

    let (code, _, err) = custos_in(&[
        "camera",
        "edit",
        "front-gate",
        "--audio",
        "on",
        "--reason",
        "reception",
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("approval"), "{err}");
    let (code, out, err) = custos_in(&[
        "camera",
        "edit",
        "front-gate",
        "--audio",
        "on",
        "--audio-reason",
        "approved by the DPO",
        "--reason",
        "reception desk",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("[sound]"), "{out}");
    let (_, out, _) = custos_in(&["camera", "list"]);
    assert!(
        out.contains("front-gate") && out.contains("Front gate"),
        "{out}"
    );

    let (_, ledger, _) = custos_in(&["ledger", "export", "--book", "config", "--format", "jsonl"]);
    assert!(
        ledger.contains("camera-added") && ledger.contains("camera-changed"),
        "{ledger}"
    );
    assert!(ledger.contains("approved by the DPO"), "{ledger}");
    assert!(
        !ledger.contains("Sup3rSecret"),
        "the password is in the ledger"
    );
    let (_, dump) = sqlite3(&d.join("custos.db"), ".dump");
    assert!(
        !dump.contains("Sup3rSecret"),
        "the password is in the database in the clear"
    );

    // Without the master key, the stored password cannot be used; with it moved to a
    // key command, it can.
    let moved = d.join("kept-elsewhere");
    std::fs::rename(&key, &moved).expect("move key");
    let (code, _, err) = custos_in(&[
        "camera",
        "edit",
        "front-gate",
        "--url",
        "rtsp://admin:N3w@192.0.2.10/stream1",
        "--reason",
        "new password",
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("master key is not loaded"), "{err}");
    let config = d.join("custos.toml");
    std::fs::write(
        &config,
        format!(
            "[storage]\nmaster_key_command = \"cat '{}'\"\n",
            moved.display()
        ),
    )
    .expect("config");
    let (code, out, err) = run(custos()
        .arg("--config")
        .arg(&config)
        .arg("--data")
        .arg(d)
        .args([
            "camera",
            "edit",
            "front-gate",
            "--url",
            "rtsp://admin:N3w@192.0.2.10/stream1",
            "--reason",
            "new password",
        ]));
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = custos_in(&["camera", "retire", "front-gate", "--reason", "replaced"]);
    assert_eq!(code, 0, "{out}{err}");
    let (_, out, _) = custos_in(&["camera", "list", "--retired"]);
    assert!(out.contains("RETIRED"), "{out}");
}

/// BDC-2, LBU-7: `custos demo` records its two simulated cameras continuously: after a few
/// seconds each has footage, which `custos check` finds intact, and the ledger records the
/// cameras' day keys being made.
#[test]
fn bdc_2_the_demo_records_two_simulated_cameras() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("scheme");
    let mut child = custos()
        .arg("--data")
        .arg(&data)
        .args(["demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("demo starts");
    let _reap = Reap::new(&child);
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut said = String::new();
    while !said.contains("running at http://") {
        let Some(Ok(line)) = lines.next() else { break };
        said.push_str(&line);
        said.push('\n');
    }
    assert!(said.contains("Recording two simulated cameras"), "{said}");
    std::thread::sleep(Duration::from_secs(7));
    let killed = Command::new("sh")
        .args(["-c", &format!("kill -INT {}", child.id())])
        .status()
        .expect("kill");
    assert!(killed.success());
    let _: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(child.wait().expect("demo exits").success());
    let (code, out, err) = run(custos().arg("--data").arg(&data).arg("check"));
    assert_eq!(code, 0, "{out}{err}");
    let segments: usize = out
        .lines()
        .find_map(|l| l.split("footage intact: ").nth(1))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("a footage line");
    assert!(segments >= 2, "{out}");
    for cam in ["sim-1", "sim-2"] {
        let day_dirs = std::fs::read_dir(data.join("footage").join(cam))
            .expect("camera folder")
            .count();
        assert_eq!(day_dirs, 1, "{cam}");
    }
    let (_, ledger, _) = run(custos().arg("--data").arg(&data).args([
        "ledger",
        "export",
        "--book",
        "recording",
        "--format",
        "jsonl",
    ]));
    assert_eq!(ledger.matches("data-key-created").count(), 2, "{ledger}");
}

/// LBU-4, BDC-32, BDC-33, in a real browser on the demo: an operator opens a recording of a
/// simulated camera; without a reason it is refused; with one, the recording plays (the
/// video's `currentTime` advances); the grant's media URL replayed from another session is
/// refused; finishing records the result; the review log has exactly one row, with that
/// reason and result.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lbu_4_a_recording_plays_only_after_a_reason_and_the_review_is_logged() {
    use fantoccini::Locator;
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("scheme");
    let mut demo = custos()
        .arg("--data")
        .arg(&data)
        .args(["demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("demo starts");
    let _reap = Reap::new(&demo);
    let mut lines = BufReader::new(demo.stdout.take().expect("stdout")).lines();
    let mut password = None;
    let mut addr = None;
    while addr.is_none() {
        let Some(Ok(line)) = lines.next() else { break };
        if let Some(("operator", pw)) = line
            .trim()
            .split_once(" password ")
            .map(|(r, p)| (r.trim(), p.trim()))
        {
            password = Some(pw.to_owned());
        }
        if let Some(rest) = line.split("running at http://").nth(1) {
            addr = rest.split('/').next().map(str::to_owned);
        }
    }
    let addr = addr.expect("the demo prints its URL");
    let password = password.expect("the operator's password");
    let demo_started = Instant::now();
    let driver = Driver::start();
    let c = browser(&driver, &dir.path().join("profile")).await;
    c.goto(&format!("http://{addr}/login?next=/live"))
        .await
        .expect("login page");
    c.find(Locator::Id("username"))
        .await
        .expect("field")
        .send_keys("operator")
        .await
        .expect("type");
    c.find(Locator::Id("password"))
        .await
        .expect("field")
        .send_keys(&password)
        .await
        .expect("type");
    let path = submit_and_leave(&c, "form[action='/login'] button", "/login").await;
    assert_eq!(path, "/account/declaration");
    let path = submit_and_leave(
        &c,
        "form[action='/account/declaration'] button",
        "/account/declaration",
    )
    .await;
    // ALT-5: the live grid plays the simulated cameras.
    assert_eq!(path, "/live");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let t = c
            .execute(
                "const v = document.getElementById('live-sim-1'); return v ? v.currentTime : -1;",
                vec![],
            )
            .await
            .expect("currentTime")
            .as_f64()
            .unwrap_or(-1.0);
        if t > 1.0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "live view did not play (currentTime {t}): {}",
            c.source().await.unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // The second simulated camera closes its first (staggered) segment after 30 seconds.
    if let Some(wait) = Duration::from_secs(36).checked_sub(demo_started.elapsed()) {
        tokio::time::sleep(wait).await;
    }
    c.goto(&format!("http://{addr}/cameras/sim-2/review"))
        .await
        .expect("review page");
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Id("open-review"))
        .await
        .expect("the review form");
    let page = c.source().await.expect("page");
    assert!(page.contains("id=\"spans\""), "footage is listed: {page}");

    // The timeline works from the keyboard: ← moves the range a minute earlier, + makes it a
    // minute longer, and the form's fields follow.
    let fields = || async {
        let v = c
            .execute(
                "return [document.getElementById('from').value, document.getElementById('to').value];",
                vec![],
            )
            .await
            .expect("fields");
        let minutes = |i: usize| {
            let t = v[i].as_str().unwrap_or_default().to_owned();
            let hm = t.split('T').nth(1).unwrap_or_default().to_owned();
            let (h, m) = hm.split_once(':').unwrap_or(("0", "0"));
            h.parse::<i64>().unwrap_or(0) * 60 + m.parse::<i64>().unwrap_or(0)
        };
        (minutes(0), minutes(1))
    };
    let before = fields().await;
    c.execute("document.getElementById('timeline').focus();", vec![])
        .await
        .expect("focus");
    let timeline = c.active_element().await.expect("focused");
    timeline.send_keys("\u{E012}").await.expect("left");
    let after = fields().await;
    assert_eq!(
        (
            (before.0 - after.0 + 1440) % 1440,
            (before.1 - after.1 + 1440) % 1440
        ),
        (1, 1),
        "← moves the range a minute earlier: {before:?} → {after:?}"
    );
    timeline.send_keys("+").await.expect("plus");
    let longer = fields().await;
    assert_eq!((longer.0, (longer.1 - after.1 + 1440) % 1440), (after.0, 1));

    // The camera's thumbnail: its latest recorded keyframe, which the browser shows.
    let shown = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             fetch('/cameras/sim-2/thumbnail.mp4').then(async (r) => {\
               if (!r.ok) { done('status ' + r.status + ': ' + await r.text()); return; }\
               const v = document.createElement('video');\
               v.muted = true; v.preload = 'auto';\
               v.onloadeddata = () => done(v.videoWidth + 'x' + v.videoHeight);\
               v.onerror = () => done('cannot decode');\
               v.src = URL.createObjectURL(await r.blob());\
               document.body.appendChild(v);\
             });",
            vec![],
        )
        .await
        .expect("thumbnail");
    assert_eq!(shown.as_str(), Some("640x360"), "{shown:?}");

    // Without a reason (the browser's own check taken away): refused, nothing shown.
    c.execute(
        "const r = document.getElementById('reason'); r.removeAttribute('required'); r.removeAttribute('minlength'); r.value = '';",
        vec![],
    )
    .await
    .expect("clear the reason");
    // The refusal comes back at the same address, so wait for its words.
    c.find(Locator::Css("#open-review button"))
        .await
        .expect("button")
        .click()
        .await
        .expect("click");
    let deadline = Instant::now() + Duration::from_secs(15);
    let refused = loop {
        let page = c.source().await.expect("page");
        if page.contains("say why the footage is being reviewed") {
            break page;
        }
        assert!(Instant::now() < deadline, "no refusal: {page}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        refused.contains("say why the footage is being reviewed") && !refused.contains("<video"),
        "{refused}"
    );

    c.goto(&format!("http://{addr}/cameras/sim-2/review"))
        .await
        .expect("back");
    c.find(Locator::Id("reason"))
        .await
        .expect("reason")
        .send_keys("Report of a fall near the gate")
        .await
        .expect("type");
    let path = submit_and_leave(&c, "#open-review button", "/cameras/sim-2/review").await;
    assert!(path.starts_with("/reviews/"), "{path}");
    let token = path.trim_start_matches("/reviews/").to_owned();
    let deadline = Instant::now() + Duration::from_secs(45);
    loop {
        let t = c
            .execute(
                "const v = document.getElementById('player'); return v ? v.currentTime : -1;",
                vec![],
            )
            .await
            .expect("currentTime")
            .as_f64()
            .unwrap_or(-1.0);
        if t > 1.0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the recording did not play (currentTime {t})"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // The grant's media URL from another session of the same person: refused.
    let other = sign_in(&addr, "operator", &password);
    let (status, _) = get_with_cookie(&addr, &format!("/reviews/{token}/video.mp4"), &other);
    assert_eq!(status, 403);
    c.find(Locator::Id("result"))
        .await
        .expect("result")
        .send_keys("Fall seen at the gate; first aid given")
        .await
        .expect("type");
    submit_and_leave(&c, "#finish-review button", &path).await;
    // The page it lands on says that it worked.
    let said = c
        .find(Locator::Id("done"))
        .await
        .expect("a message saying what was done")
        .text()
        .await
        .expect("text");
    assert!(
        said.contains("The result of the review is recorded"),
        "{said}"
    );
    c.close().await.expect("close");
    drop(driver);

    // The same through the JSON API, with real footage: a reason first, then the range plays
    // with range requests and reads in ffprobe.
    let creds = format!(r#"{{"username":"operator","password":"{password}"}}"#);
    let (status, _, body) = api_call(&addr, "POST", "/api/v1/sessions", None, Some(&creds), "");
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    let session: serde_json::Value = serde_json::from_slice(&body).expect("json");
    let bearer = session["token"].as_str().expect("token").to_owned();
    let (status, _, body) = api_call(
        &addr,
        "GET",
        "/api/v1/cameras/sim-2/recordings",
        Some(&bearer),
        None,
        "",
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let day: serde_json::Value = serde_json::from_slice(&body).expect("json");
    let span = &day["spans"][0];
    let open = |reason: &str| {
        format!(
            r#"{{"from":"{}","to":"{}","purpose":"security-and-safety","reason":"{reason}"}}"#,
            span["from"].as_str().expect("from"),
            span["to"].as_str().expect("to")
        )
    };
    let (status, _, _) = api_call(
        &addr,
        "POST",
        "/api/v1/cameras/sim-2/reviews",
        Some(&bearer),
        Some(&open("")),
        "",
    );
    assert_eq!(status, 400, "no reason, no footage");
    let (status, _, body) = api_call(
        &addr,
        "POST",
        "/api/v1/cameras/sim-2/reviews",
        Some(&bearer),
        Some(&open("Checking the gate camera for the incident log")),
        "",
    );
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    let opened: serde_json::Value = serde_json::from_slice(&body).expect("json");
    let video = opened["video"].as_str().expect("video").to_owned();
    let (status, head, part) = api_call(
        &addr,
        "GET",
        &video,
        Some(&bearer),
        None,
        "Range: bytes=0-99\r\n",
    );
    assert_eq!(status, 206, "{head}");
    assert_eq!(part.len(), 100);
    assert_eq!(&part[4..8], b"ftyp");
    let (status, _, whole) = api_call(&addr, "GET", &video, Some(&bearer), None, "");
    assert_eq!(status, 200);
    assert_eq!(whole[..100], part[..]);
    let file = dir.path().join("api-review.mp4");
    std::fs::write(&file, &whole).expect("write");
    let probe = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-count_frames",
            "-show_entries",
            "stream=codec_name,width,height,nb_read_frames",
            "-of",
            "csv=p=0",
        ])
        .arg(&file)
        .output()
        .expect("ffprobe runs");
    let probed = String::from_utf8_lossy(&probe.stdout).trim().to_owned();
    assert!(probed.starts_with("h264,640,360,"), "{probed}");
    let frames: u64 = probed
        .rsplit(',')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(frames > 25, "{probed}");
    let finish = opened["finish"].as_str().expect("finish").to_owned();
    let (status, _, _) = api_call(
        &addr,
        "POST",
        &finish,
        Some(&bearer),
        Some(r#"{"result":"Nothing of note"}"#),
        "",
    );
    assert_eq!(status, 204);
    Command::new("sh")
        .args(["-c", &format!("kill -INT {}", demo.id())])
        .status()
        .expect("kill");
    let _: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(demo.wait().expect("demo exits").success());

    let (code, log, err) = run(custos()
        .arg("--data")
        .arg(&data)
        .args(["ledger", "export", "--book", "review"]));
    assert_eq!(code, 0, "{err}");
    let rows: Vec<&str> = log
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(rows.len(), 2, "{log}");
    assert!(
        rows[1].contains("Checking the gate camera for the incident log")
            && rows[1].contains("Nothing of note"),
        "{log}"
    );
    assert!(
        rows[0].contains("Report of a fall near the gate")
            && rows[0].contains("Fall seen at the gate; first aid given")
            && rows[0].contains("operator")
            && rows[0].contains("sim-2"),
        "{log}"
    );
    // Opening and closing live view is in book access, for each camera watched.
    let (_, access, _) = run(custos()
        .arg("--data")
        .arg(&data)
        .args(["ledger", "export", "--book", "access", "--format", "jsonl"]));
    for cam in ["sim-1", "sim-2"] {
        for kind in ["live-opened", "live-closed"] {
            assert!(
                access
                    .lines()
                    .any(|l| l.contains(kind) && l.contains(&format!("camera:{cam}"))),
                "{kind} {cam}: {access}"
            );
        }
    }
}

/// Headless Firefox driven through its own remote protocol (Marionette: length-prefixed
/// JSON over TCP), which Firefox ESR carries built in; Debian packages no geckodriver.
struct Firefox {
    child: std::process::Child,
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    next_id: u64,
}

impl Firefox {
    fn start(profile: &std::path::Path) -> Self {
        std::fs::create_dir_all(profile).expect("profile");
        // Port 0: Firefox picks a free port and writes it into the profile.
        std::fs::write(
            profile.join("user.js"),
            "user_pref(\"marionette.port\", 0);\nuser_pref(\"media.autoplay.default\", 0);\n",
        )
        .expect("prefs");
        let child = Command::new("firefox-esr")
            .args(["--headless", "--marionette", "--no-remote", "--profile"])
            .arg(profile)
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Firefox is installed (./scripts/test installs firefox-esr)");
        let port_file = profile.join("MarionetteActivePort");
        let deadline = Instant::now() + Duration::from_secs(60);
        let port: u16 = loop {
            if let Some(p) = std::fs::read_to_string(&port_file)
                .ok()
                .and_then(|p| p.trim().parse().ok())
            {
                break p;
            }
            assert!(
                Instant::now() < deadline,
                "Firefox did not start Marionette"
            );
            std::thread::sleep(Duration::from_millis(200));
        };
        let writer = TcpStream::connect(("127.0.0.1", port)).expect("Marionette");
        writer
            .set_read_timeout(Some(Duration::from_secs(120)))
            .expect("timeout");
        let mut ff = Self {
            child,
            reader: BufReader::new(writer.try_clone().expect("clone")),
            writer,
            next_id: 0,
        };
        let hello = ff.receive();
        assert_eq!(hello["marionetteProtocol"], 3, "{hello}");
        ff.call("WebDriver:NewSession", serde_json::json!({}));
        ff
    }

    fn receive(&mut self) -> serde_json::Value {
        let mut len = Vec::new();
        self.reader.read_until(b':', &mut len).expect("length");
        len.pop();
        let n: usize = String::from_utf8_lossy(&len)
            .trim()
            .parse()
            .expect("a length");
        let mut body = vec![0; n];
        self.reader.read_exact(&mut body).expect("message");
        serde_json::from_slice(&body).expect("JSON")
    }

    /// Sends a command and returns its result; panics with Firefox's error.
    fn call(&mut self, name: &str, params: serde_json::Value) -> serde_json::Value {
        self.next_id += 1;
        let msg = serde_json::json!([0, self.next_id, name, params]).to_string();
        write!(self.writer, "{}:{msg}", msg.len()).expect("send");
        let reply = self.receive();
        assert!(reply[2].is_null(), "{name}: {}", reply[2]);
        reply[3].clone()
    }

    fn goto(&mut self, url: &str) {
        self.call("WebDriver:Navigate", serde_json::json!({ "url": url }));
    }

    fn element(&mut self, css: &str) -> String {
        let found = self.call(
            "WebDriver:FindElement",
            serde_json::json!({ "using": "css selector", "value": css }),
        );
        found["value"]
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(|v| v.as_str())
            .unwrap_or_else(|| panic!("no element {css}: {found}"))
            .to_owned()
    }

    fn type_into(&mut self, css: &str, text: &str) {
        let id = self.element(css);
        self.call(
            "WebDriver:ElementSendKeys",
            serde_json::json!({ "id": id, "text": text }),
        );
    }

    fn click(&mut self, css: &str) {
        let id = self.element(css);
        self.call("WebDriver:ElementClick", serde_json::json!({ "id": id }));
    }

    fn script(&mut self, js: &str) -> serde_json::Value {
        self.call(
            "WebDriver:ExecuteScript",
            serde_json::json!({ "script": js, "args": [] }),
        )["value"]
            .clone()
    }

    /// Waits until `js` returns a number above `above`, or panics with `what`.
    fn wait_above(&mut self, js: &str, above: f64, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let v = self.script(js).as_f64().unwrap_or(-1.0);
            if v > above {
                return;
            }
            assert!(Instant::now() < deadline, "{what} (got {v})");
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    fn path(&mut self) -> String {
        self.script("return location.pathname;")
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

impl Drop for Firefox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// ALT-5, LBU-4: live view and a reason-gated review work in Firefox too.
#[test]
fn alt_5_lbu_4_firefox_plays_live_view_and_a_reviewed_recording() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut demo = custos()
        .arg("--data")
        .arg(dir.path().join("scheme"))
        .args(["demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("demo starts");
    let _reap = Reap::new(&demo);
    let mut lines = BufReader::new(demo.stdout.take().expect("stdout")).lines();
    let (mut password, mut addr) = (None, None);
    while addr.is_none() {
        let Some(Ok(line)) = lines.next() else { break };
        if let Some(("operator", pw)) = line
            .trim()
            .split_once(" password ")
            .map(|(r, p)| (r.trim(), p.trim()))
        {
            password = Some(pw.to_owned());
        }
        if let Some(rest) = line.split("running at http://").nth(1) {
            addr = rest.split('/').next().map(str::to_owned);
        }
    }
    let addr = addr.expect("the demo prints its URL");
    let password = password.expect("the operator's password");
    let started = Instant::now();
    let mut ff = Firefox::start(&dir.path().join("firefox"));
    ff.goto(&format!("http://{addr}/login?next=/live"));
    ff.type_into("#username", "operator");
    ff.type_into("#password", &password);
    ff.click("form[action='/login'] button");
    assert_eq!(ff.path(), "/account/declaration");
    ff.click("form[action='/account/declaration'] button");
    assert_eq!(ff.path(), "/live");
    ff.wait_above(
        "const v = document.getElementById('live-sim-1'); return v ? v.currentTime : -1;",
        1.0,
        "live view plays in Firefox",
    );
    // The second simulated camera closes its first (staggered) segment after 30 seconds.
    if let Some(wait) = Duration::from_secs(36).checked_sub(started.elapsed()) {
        std::thread::sleep(wait);
    }
    ff.goto(&format!("http://{addr}/cameras/sim-2/review"));
    ff.type_into("#reason", "Checking a report from the gate");
    ff.click("#open-review button");
    assert!(ff.path().starts_with("/reviews/"), "{}", ff.path());
    ff.wait_above(
        "const v = document.getElementById('player'); return v ? v.currentTime : -1;",
        1.0,
        "the reviewed recording plays in Firefox",
    );
    drop(ff);
    Command::new("sh")
        .args(["-c", &format!("kill -INT {}", demo.id())])
        .status()
        .expect("kill");
    let _: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(demo.wait().expect("demo exits").success());
}

/// BJS-4, BJS-8, LBU-17, ALT-8: on the demo, `custos retention report` shows every camera
/// within its limit with the last sweep; holds are placed, listed and released from the
/// console, and releasing needs someone who may authorise deleting retained footage.
#[test]
fn bjs_4_retention_report_and_holds_from_the_console_on_the_demo() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("scheme");
    let mut child = custos()
        .arg("--data")
        .arg(&data)
        .args(["demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("demo starts");
    let _reap = Reap::new(&child);
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut said = String::new();
    while !said.contains("running at http://") {
        let Some(Ok(line)) = lines.next() else { break };
        said.push_str(&line);
        said.push('\n');
    }
    // The running server sweeps as it starts, then hourly.
    std::thread::sleep(Duration::from_secs(4));
    // While it runs, sweeping from the console is refused: the server owns the footage.
    let (code, _, err) = run(custos()
        .arg("--data")
        .arg(&data)
        .args(["retention", "sweep"]));
    assert_ne!(code, 0);
    assert!(err.contains("holds the footage folder"), "{err}");
    Command::new("sh")
        .args(["-c", &format!("kill -INT {}", child.id())])
        .status()
        .expect("kill");
    let _: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(child.wait().expect("demo exits").success());

    let (code, out, err) = run(custos()
        .arg("--data")
        .arg(&data)
        .args(["retention", "report"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("Last sweep: "), "{out}");
    assert!(out.contains("no problems"), "{out}");
    for cam in ["sim-1", "sim-2"] {
        let row = out
            .lines()
            .find(|l| l.starts_with(cam))
            .unwrap_or_else(|| panic!("{cam} in {out}"));
        assert!(
            row.contains("21 days") && row.contains("within its limit"),
            "{row}"
        );
    }
    let (code, out, _) =
        run(custos()
            .arg("--data")
            .arg(&data)
            .args(["retention", "report", "--format", "json"]));
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&out).expect("json");
    let cameras = report["cameras"].as_array().expect("cameras");
    assert_eq!(cameras.len(), 2);
    assert!(cameras.iter().all(|c| c["flagged"] == false), "{out}");
    let (code, out, _) =
        run(custos()
            .arg("--data")
            .arg(&data)
            .args(["retention", "report", "--format", "csv"]));
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 3, "{out}");

    // A hold, placed, listed, and released only on an authoriser's word.
    let (code, out, err) = run(custos().arg("--data").arg(&data).args([
        "hold",
        "place",
        "--camera",
        "sim-1",
        "--from",
        "2026-01-05T09:00",
        "--to",
        "2026-01-05T10:00",
        "--class",
        "investigation-hold",
        "--reason",
        "Fight reported at the gate",
        "--owner",
        "manager",
        "--case",
        "INC-7",
    ]));
    assert_eq!(code, 0, "{err}");
    let id = out
        .split_whitespace()
        .nth(1)
        .expect("the hold's id")
        .to_owned();
    let (_, list, _) = run(custos().arg("--data").arg(&data).args(["hold", "list"]));
    assert!(
        list.contains(&id) && list.contains("Fight reported at the gate"),
        "{list}"
    );
    let (code, _, err) = run(custos().arg("--data").arg(&data).args([
        "hold",
        "release",
        &id,
        "--reason",
        "No longer needed",
        "--authorised-by",
        "operator",
    ]));
    assert_ne!(code, 0);
    assert!(
        err.contains("may not authorise deleting retained footage"),
        "{err}"
    );
    // ALT-8: naming the owner is not enough — the owner types their own password and code.
    let release = || {
        let mut cmd = custos();
        cmd.arg("--data").arg(&data).args([
            "hold",
            "release",
            &id,
            "--reason",
            "No longer needed",
            "--authorised-by",
            "owner",
        ]);
        cmd
    };
    let (code, _, err) = run_typing(&mut release(), "not the owner's password\n000000\n");
    assert_ne!(code, 0);
    assert!(err.contains("--authorised-by"), "{err}");
    let (_, list, _) = run(custos().arg("--data").arg(&data).args(["hold", "list"]));
    assert!(list.contains(&id), "still held: {list}");
    let (code, _, err) = run_typing(&mut release(), &typed_by(&data, &said, "owner"));
    assert_eq!(code, 0, "{err}");
    let (_, list, _) = run(custos().arg("--data").arg(&data).args(["hold", "list"]));
    assert!(list.contains("No holds in force"), "{list}");
    let (code, out, err) = run(custos()
        .arg("--data")
        .arg(&data)
        .args(["retention", "sweep"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Deleted 0 segment(s)"), "{out}");
    let (_, ledger, _) = run(custos().arg("--data").arg(&data).args([
        "ledger",
        "export",
        "--book",
        "retention",
        "--format",
        "jsonl",
    ]));
    for kind in ["hold-placed", "hold-released", "sweep-finished"] {
        assert!(ledger.contains(kind), "{kind}: {ledger}");
    }
    assert!(ledger.contains("\"authorised_by\":\"owner\""), "{ledger}");
}

/// Types `text` into the field with id `id`.
async fn type_in(c: &fantoccini::Client, id: &str, text: &str) {
    c.find(fantoccini::Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("field {id}: {e}"))
        .send_keys(text)
        .await
        .expect("type");
}

/// Signs `role` in through the form, setting up the second factor from the page's key if
/// asked and accepting the declaration; returns where signing in led.
async fn browser_sign_in(c: &fantoccini::Client, addr: &str, role: &str, password: &str) -> String {
    c.goto(&format!("http://{addr}/login"))
        .await
        .expect("login page");
    type_in(c, "username", role).await;
    type_in(c, "password", password).await;
    let mut path = submit_and_leave(c, "form[action='/login'] button", "/login").await;
    if path == "/account/mfa" {
        path = enrol_second_factor(c).await;
    }
    assert_eq!(path, "/account/declaration");
    submit_and_leave(
        c,
        "form[action='/account/declaration'] button",
        "/account/declaration",
    )
    .await
}

/// Clicks the submit button `selector` and waits for the next page to load, even when it
/// is the same address again (a form that posts and is redirected back).
async fn submit_and_reload(c: &fantoccini::Client, selector: &str) {
    c.execute("window.__custosBeforeSubmit = true;", vec![])
        .await
        .expect("mark the page");
    c.find(fantoccini::Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("button {selector}: {e}"))
        .click()
        .await
        .expect("click");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let fresh = c
            .execute(
                "return window.__custosBeforeSubmit === undefined && document.readyState === 'complete';",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if fresh {
            return;
        }
        assert!(Instant::now() < deadline, "{selector} led nowhere");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// LBU-18, BDC-28, BDC-29, LJM-10: in headless Chromium, a member of the public asks for
/// footage of themselves from the transparency page — no account — and gets a reference
/// and the date they will be answered by, with the footage of the time and place they gave
/// held at once; the DPO finds the request on the Cases page, waits for and confirms
/// proof of identity (attached, encrypted), sees the footage held, decides a viewing,
/// issues the response letter and closes the case; the letter, fetched by the browser, is
/// a PDF `qpdf` accepts whose text gives the decision and the requester's rights. The demo
/// scheme also shows a request already worked to its close.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lbu_18_a_subject_access_request_from_the_public_form_to_its_letter_in_chromium() {
    use fantoccini::Locator;
    let dir = tempfile::tempdir().expect("tmp");
    let mut demo = custos()
        .arg("--data")
        .arg(dir.path().join("scheme"))
        .args(["demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("demo starts");
    let _reap = Reap::new(&demo);
    let mut lines = BufReader::new(demo.stdout.take().expect("stdout")).lines();
    let (mut password, mut addr, mut seeded) = (None, None, None);
    while addr.is_none() {
        let Some(Ok(line)) = lines.next() else { break };
        if let Some(("dpo", pw)) = line
            .trim()
            .split_once(" password ")
            .map(|(r, p)| (r.trim(), p.trim()))
        {
            password = Some(pw.to_owned());
        }
        if let Some(rest) = line.strip_prefix("Demo case: ") {
            seeded = rest.split(',').next().map(str::to_owned);
        }
        if let Some(rest) = line.split("running at http://").nth(1) {
            addr = rest.split('/').next().map(str::to_owned);
        }
    }
    let addr = addr.expect("the demo prints its URL");
    let password = password.expect("the DPO's password");
    let seeded = seeded.expect("the demo seeds a worked request");
    // The visitor names a time the cameras were recording: wait until every one is.
    let db = dir.path().join("scheme").join("custos.db");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let out = Command::new("sqlite3")
            .arg(&db)
            .arg(
                "SELECT COUNT(*) FROM cameras c WHERE NOT EXISTS (SELECT 1 FROM camera_health h \
                 WHERE h.camera_id = c.id AND h.state = 'recording')",
            )
            .output()
            .expect("the sqlite3 tool is installed (./scripts/test installs it)");
        if out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "0" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the demo's cameras never recorded"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let driver = Driver::start();
    let c = browser(&driver, &dir.path().join("profile")).await;

    // The public side: from the transparency page to the form, no account.
    c.goto(&format!("http://{addr}/"))
        .await
        .expect("transparency");
    c.find(Locator::Id("ask-for-footage"))
        .await
        .expect("a link to the form")
        .click()
        .await
        .expect("click");
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Id("request-form"))
        .await
        .expect("the request form");
    // Sent without a time: the form comes back saying so, keeping what was typed.
    type_in(&c, "name", "Robin Requester").await;
    type_in(&c, "contact", "robin@example.org").await;
    let seen = custos_base::UnixMs(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .expect("time")
            - 10 * 60_000,
    )
    .to_uk_local_input();
    let (date, time) = seen.split_once('T').expect("date and time");
    set_value(&c, "date", date).await;
    set_value(&c, "place", "A test pattern with the time").await;
    c.execute(
        "document.getElementById('time').removeAttribute('required'); document.getElementById('request-form').submit();",
        vec![],
    )
    .await
    .expect("submit");
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Id("request-problems"))
        .await
        .expect("the problems");
    let page = c.source().await.expect("page");
    assert!(page.contains("Give the time you were there"), "{page}");
    assert!(page.contains("Robin Requester"), "what was typed is kept");
    set_value(&c, "time", time).await;
    // The form comes back at /requests; complete, it shows the answers to check, and
    // sent from there it is filed and redirects to its acknowledgement.
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
    let path = submit_and_leave(&c, "#send-request", "/requests").await;
    assert!(path.starts_with("/requests/received/"), "{path}");
    let reference = c
        .find(Locator::Id("request-reference"))
        .await
        .expect("a reference")
        .text()
        .await
        .expect("text");
    assert!(reference.starts_with("SAR-"), "{reference}");
    assert_ne!(reference, seeded);
    // Refreshing the acknowledgement shows the same request, filing nothing new.
    c.refresh().await.expect("refresh");
    let again = c
        .find(Locator::Id("request-reference"))
        .await
        .expect("a reference")
        .text()
        .await
        .expect("text");
    assert_eq!(again, reference);
    assert_eq!(c.current_url().await.expect("url").path(), path);
    let page = c.source().await.expect("page");
    assert!(
        page.contains("id=\"request-kept\""),
        "footage not held: {page}"
    );
    assert!(c.find(Locator::Id("request-due")).await.is_ok());

    // The DPO's side.
    browser_sign_in(&c, &addr, "dpo", &password).await;
    c.goto(&format!("http://{addr}/cases"))
        .await
        .expect("cases");
    let row = c
        .find(Locator::Id(&format!("case-{reference}")))
        .await
        .expect("the request is listed")
        .text()
        .await
        .expect("text");
    assert!(row.contains("Subject access request Received"), "{row}");
    c.goto(&format!("http://{addr}/cases?all=1"))
        .await
        .expect("cases");
    let seeded_row = c
        .find(Locator::Id(&format!("case-{seeded}")))
        .await
        .expect("the demo's worked request is listed")
        .text()
        .await
        .expect("text");
    assert!(seeded_row.contains("Closed"), "{seeded_row}");
    c.goto(&format!("http://{addr}/cases/{reference}"))
        .await
        .expect("case page");
    let held = c
        .find(Locator::Id("case-footage"))
        .await
        .expect("footage table")
        .text()
        .await
        .expect("text");
    assert!(
        held.contains("Simulated camera 1") && held.contains("Simulated camera 2"),
        "{held}"
    );
    assert!(!held.contains("not held"), "{held}");
    // Reviewing the held footage goes through the review form, proposed for the case.
    c.find(Locator::LinkText("review"))
        .await
        .expect("a review link")
        .click()
        .await
        .expect("click");
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Id("open-review"))
        .await
        .expect("the review form");
    let proposed = c
        .execute(
            "return [document.getElementById('case_ref').value, document.getElementById('from').value];",
            vec![],
        )
        .await
        .expect("fields");
    assert_eq!(proposed[0], serde_json::json!(reference), "{proposed}");
    let window_start = custos_base::UnixMs(
        custos_base::UnixMs::parse_uk_local(&seen).expect("seen").0 - 3_600_000,
    )
    .to_uk_local_input();
    assert_eq!(proposed[1], serde_json::json!(window_start), "{proposed}");
    c.goto(&format!("http://{addr}/cases/{reference}"))
        .await
        .expect("case page");
    let step = |value: &'static str| {
        let c = c.clone();
        async move {
            set_value(&c, "step", value).await;
            // The form posts to …/act and is redirected back to the case page.
            submit_and_reload(&c, "#case-step button").await;
            c.find(Locator::Id("case-state"))
                .await
                .expect("state")
                .text()
                .await
                .expect("text")
        }
    };
    assert_eq!(
        step("await-identity:").await,
        "Waiting for proof of identity"
    );
    let proof = dir.path().join("passport.txt");
    std::fs::write(&proof, "Passport 123456789, Robin Requester").expect("proof");
    c.find(Locator::Id("attach-file"))
        .await
        .expect("file field")
        .send_keys(proof.to_str().expect("path"))
        .await
        .expect("choose the file");
    submit_and_leave(
        &c,
        "#case-attach button",
        &format!("/cases/{reference}/documents"),
    )
    .await;
    assert_eq!(step("verify-identity:").await, "In progress");
    // A decision asks first, naming the case and the decision; confirming records it.
    set_value(&c, "step", "decide:view-only").await;
    submit_and_reload(&c, "#case-step button").await;
    let asked = c
        .find(Locator::Id("confirm-what"))
        .await
        .expect("the confirmation")
        .text()
        .await
        .expect("text");
    assert!(
        asked.contains(&format!("You are about to decide {reference}"))
            && asked.contains("offer the requester a viewing")
            && asked.contains("cannot be undone"),
        "{asked}"
    );
    submit_and_reload(&c, "#confirm-button").await;
    let decided = c
        .find(Locator::Id("case-state"))
        .await
        .expect("state")
        .text()
        .await
        .expect("text");
    assert_eq!(decided, "Decided, response to send");
    submit_and_leave(
        &c,
        "#issue-response",
        &format!("/cases/{reference}/letters/response"),
    )
    .await;
    assert_eq!(step("close:").await, "Closed");
    // Answered, the request no longer keeps its footage: the hold shows as released.
    let after = c
        .find(Locator::Id("case-footage"))
        .await
        .expect("footage table")
        .text()
        .await
        .expect("text");
    assert!(
        after.contains("released") && !after.contains("kept until"),
        "{after}"
    );
    let docs = c
        .find(Locator::Id("case-documents"))
        .await
        .expect("documents")
        .html(false)
        .await
        .expect("html");
    assert!(docs.contains("passport.txt"), "{docs}");
    let link = c
        .find(Locator::LinkText(&format!("{reference}-response.pdf")))
        .await
        .expect("the letter is kept")
        .attr("href")
        .await
        .expect("href")
        .expect("a link");
    let text = letter_text(&c, &link, &dir.path().join("letter.pdf")).await;
    assert!(text.contains(&reference), "{text}");
    assert!(text.contains("Robin Requester"), "{text}");
    assert!(text.contains("Information Commissioner"), "{text}");
    assert!(text.to_lowercase().contains("view"), "{text}");
    c.close().await.expect("close");
    drop(driver);
    Command::new("sh")
        .args(["-c", &format!("kill -INT {}", demo.id())])
        .status()
        .expect("kill");
    let _: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(demo.wait().expect("demo exits").success());
}

/// BDC-21, LBU-25: in headless Chromium, a member of the public complains from the
/// transparency page — no account — is told what is missing, checks the answers and gets a
/// reference with the days it will be acknowledged and answered; the DPO acknowledges it,
/// works it, answers it "partly upheld" after the confirmation page, issues the answer
/// letter and closes it. The letter, fetched by the browser, is a PDF `qpdf` accepts whose
/// text gives the outcome, the appeal and the ICO.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bdc_21_a_complaint_from_the_public_form_to_its_answer_letter_in_chromium() {
    use fantoccini::Locator;
    let dir = tempfile::tempdir().expect("tmp");
    let demo = RunningDemo::start(&dir.path().join("scheme"));
    let addr = demo.addr.clone();
    let password = demo
        .accounts
        .get("dpo")
        .cloned()
        .expect("the DPO's password");
    let driver = Driver::start();
    let c = browser(&driver, &dir.path().join("profile")).await;
    c.goto(&format!("http://{addr}/"))
        .await
        .expect("transparency");
    c.find(Locator::Id("make-a-complaint"))
        .await
        .expect("a link to the complaint form")
        .click()
        .await
        .expect("click");
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Id("complaint-form"))
        .await
        .expect("the complaint form");
    type_in(&c, "name", "Casey Complainant").await;
    type_in(&c, "contact", "casey@example.org").await;
    let today = custos_base::UnixMs(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .expect("time")
            - 60 * 60_000,
    )
    .to_uk_local_input();
    let (date, _) = today.split_once('T').expect("date");
    set_value(&c, "date", date).await;
    // Without the complaint itself, the form says so and keeps what was typed.
    c.execute(
        "document.getElementById('complaint-form').submit();",
        vec![],
    )
    .await
    .expect("submit");
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Id("request-problems"))
        .await
        .expect("the problems");
    let page = c.source().await.expect("page");
    assert!(
        page.contains("Tell us what your complaint is about"),
        "{page}"
    );
    assert!(page.contains("Casey Complainant"), "what was typed is kept");
    type_in(
        &c,
        "description",
        "A camera on the playground fence looks straight into our back garden.",
    )
    .await;
    c.find(Locator::Css("#complaint-form button[type=submit]"))
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
    let answers = c
        .find(Locator::Id("answers"))
        .await
        .expect("answers")
        .text()
        .await
        .expect("text");
    assert!(answers.contains("back garden"), "{answers}");
    let path = submit_and_leave(&c, "#send-request", "/requests").await;
    assert!(path.starts_with("/requests/received/"), "{path}");
    let reference = c
        .find(Locator::Id("request-reference"))
        .await
        .expect("a reference")
        .text()
        .await
        .expect("text");
    assert!(reference.starts_with("COM-"), "{reference}");
    assert!(
        c.find(Locator::Id("complaint-acknowledge-by"))
            .await
            .is_ok()
    );

    // The DPO's side: acknowledge, work, answer, letter, close.
    browser_sign_in(&c, &addr, "dpo", &password).await;
    c.goto(&format!("http://{addr}/cases/{reference}"))
        .await
        .expect("case page");
    let due = c
        .find(Locator::Id("case-due"))
        .await
        .expect("due")
        .text()
        .await
        .expect("text");
    assert!(due.starts_with("Acknowledgement due"), "{due}");
    for (value, state) in [("acknowledge:", "Received"), ("start:", "In progress")] {
        set_value(&c, "step", value).await;
        submit_and_reload(&c, "#case-step button").await;
        let now = c
            .find(Locator::Id("case-state"))
            .await
            .expect("state")
            .text()
            .await
            .expect("text");
        assert_eq!(now, state, "{value}");
    }
    set_value(&c, "step", "decide:partly-upheld").await;
    type_in(
        &c,
        "reasons",
        "The camera showed part of the garden; a privacy mask now hides it.",
    )
    .await;
    submit_and_reload(&c, "#case-step button").await;
    let asked = c
        .find(Locator::Id("confirm-what"))
        .await
        .expect("the confirmation")
        .text()
        .await
        .expect("text");
    assert!(asked.contains("uphold part of the complaint"), "{asked}");
    submit_and_reload(&c, "#confirm-button").await;
    submit_and_leave(
        &c,
        "#issue-response",
        &format!("/cases/{reference}/letters/response"),
    )
    .await;
    set_value(&c, "step", "close:").await;
    submit_and_reload(&c, "#case-step button").await;
    let link = c
        .find(Locator::LinkText(&format!("{reference}-response.pdf")))
        .await
        .expect("the letter is kept")
        .attr("href")
        .await
        .expect("href")
        .expect("a link");
    let text = letter_text(&c, &link, &dir.path().join("answer.pdf")).await;
    for words in [
        reference.as_str(),
        "Casey Complainant",
        "we uphold part of it",
        "privacy mask",
        "you can appeal",
        "Information Commissioner",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    c.close().await.expect("close");
    drop(driver);
    demo.stop();
}

/// LBU-25, BDC-21: a complaint from the console under Loughborough's pack: one raised more
/// than 30 days after the incident is recorded late and cannot simply be started; accepted
/// late with a reason, it shows its acknowledgement due first, is acknowledged, answered
/// "not upheld" with the findings, and its answer letter names the appeal to the Chief
/// Operating Officer and the ICO.
#[test]
fn lbu_25_a_late_complaint_from_the_console() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("scheme");
    let (code, out, err) = run(custos()
        .arg("--data")
        .arg(&data)
        .arg("init")
        .arg("--policy")
        .arg(policies().join("loughborough-university.toml")));
    assert_eq!(code, 0, "{out}{err}");
    let custos_at = |args: &[&str]| run(custos().arg("--data").arg(&data).args(args));
    let (code, out, err) = custos_at(&[
        "case",
        "open",
        "--kind",
        "complaint",
        "--name",
        "Sam Student",
        "--contact",
        "sam@example.org",
        "--summary",
        "a camera in the library",
        "--details",
        "A camera looks at the study desks.",
        "--received",
        "2026-11-20T10:00",
        "--incident",
        "2026-10-01T12:00",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let reference = out
        .split_whitespace()
        .find(|w| w.starts_with("COM-"))
        .map(|w| w.trim_end_matches('.').to_owned())
        .expect("a reference");
    let (_, shown, _) = custos_at(&["case", "show", &reference]);
    assert!(
        shown.contains("raised after the window for complaints"),
        "{shown}"
    );
    assert!(shown.contains("acknowledgement due"), "{shown}");
    let (code, _, err) = custos_at(&["case", "act", &reference, "start"]);
    assert_ne!(code, 0);
    assert!(
        err.contains("accept it although it was raised late"),
        "{err}"
    );
    for args in [
        vec![
            "accept-late",
            "--reasons",
            "The student was abroad on placement",
        ],
        vec!["acknowledge"],
        vec![
            "decide",
            "--decision",
            "not-upheld",
            "--reasons",
            "The camera shows the entrance only; the desks are masked.",
        ],
    ] {
        let mut all = vec!["case", "act", reference.as_str()];
        all.extend(args.iter().copied());
        let (code, out, err) = custos_at(&all);
        assert_eq!(code, 0, "{args:?}: {out}{err}");
    }
    let (code, letter, err) = custos_at(&["case", "letter", &reference, "response"]);
    assert_eq!(code, 0, "{err}");
    for words in [
        "we do not uphold it",
        "Chief Operating Officer",
        "Information Commissioner",
    ] {
        assert!(letter.contains(words), "{words}: {letter}");
    }
}

/// ALT-18: in headless Chromium, the DPO reports a memory stick missing from the media
/// register as a breach (the register's link opens the intake filled in), sees the 72 hours
/// counting down, assesses the risk, records what the notification says, and reads the
/// notification to the ICO with (a) to (d) of Article 33(3) and the DPO's contact; the text
/// the browser downloads says the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alt_18_a_breach_from_a_lost_medium_to_the_ico_notification_in_chromium() {
    use fantoccini::Locator;
    let dir = tempfile::tempdir().expect("tmp");
    let demo = RunningDemo::start(&dir.path().join("scheme"));
    let addr = demo.addr.clone();
    let password = demo
        .accounts
        .get("dpo")
        .cloned()
        .expect("the DPO's password");
    let driver = Driver::start();
    let c = browser(&driver, &dir.path().join("profile")).await;
    browser_sign_in(&c, &addr, "dpo", &password).await;
    c.goto(&format!(
        "http://{addr}/cases?report=media-register&about=Medium+M-2026-0007+lost+or+not+returned"
    ))
    .await
    .expect("the intake");
    let summary = c
        .find(Locator::Id("open-summary"))
        .await
        .expect("summary")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(
        summary.as_deref(),
        Some("Medium M-2026-0007 lost or not returned")
    );
    type_in(&c, "open-contact", "the school office").await;
    type_in(
        &c,
        "open-details",
        "A memory stick with playground footage was not returned.",
    )
    .await;
    let path = submit_and_leave(&c, "#open-case button", "/cases").await;
    assert!(path.starts_with("/cases/BRE-"), "{path}");
    let reference = path.trim_start_matches("/cases/").to_owned();
    let countdown = c
        .find(Locator::Id("breach-countdown-1"))
        .await
        .expect("the countdown on the page")
        .text()
        .await
        .expect("text");
    assert!(
        countdown.contains(&reference) && countdown.contains("hours left"),
        "{countdown}"
    );
    set_value(&c, "step", "assess-risk:high-risk").await;
    type_in(
        &c,
        "reasons",
        "Children are recognisable and the stick was not encrypted",
    )
    .await;
    submit_and_reload(&c, "#case-step button").await;
    let risk = c
        .find(Locator::Id("breach-risk"))
        .await
        .expect("risk")
        .text()
        .await
        .expect("text");
    assert!(risk.contains("high risk"), "{risk}");
    for (id, text) in [
        (
            "breach-nature",
            "An unencrypted memory stick with a week of playground footage was lost.",
        ),
        ("breach-subjects", "pupils and staff"),
        ("breach-subjects-n", "300"),
        ("breach-records", "recordings of the playground camera"),
        ("breach-records-n", "7"),
        (
            "breach-consequences",
            "Children could be recognised by strangers.",
        ),
        ("breach-measures", "Copies now leave only encrypted."),
    ] {
        type_in(&c, id, text).await;
    }
    submit_and_reload(&c, "#breach-form button").await;
    c.find(Locator::Id("read-notification"))
        .await
        .expect("the notification link")
        .click()
        .await
        .expect("click");
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Id("ico-notification"))
        .await
        .expect("the notification");
    let text = c
        .find(Locator::Id("ico-notification"))
        .await
        .expect("notification")
        .text()
        .await
        .expect("text");
    for words in [
        "Bosmere Junior School",
        "unencrypted memory stick",
        "pupils and staff",
        "about 300",
        "Children could be recognised by strangers",
        "Copies now leave only encrypted",
        "Alison Reilly",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    let href = c
        .find(Locator::Id("notification-text"))
        .await
        .expect("the text link")
        .attr("href")
        .await
        .expect("href")
        .expect("a link");
    let downloaded = c
        .execute_async(
            "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => r.text()).then(done);",
            vec![serde_json::json!(href)],
        )
        .await
        .expect("the browser fetches the text");
    let downloaded = downloaded.as_str().expect("text").to_owned();
    assert!(downloaded.contains("about 300"), "{downloaded}");
    assert!(
        downloaded.contains(&reference) || downloaded.contains("Bosmere"),
        "{downloaded}"
    );
    c.close().await.expect("close");
    drop(driver);
    demo.stop();
}

/// ALT-18: a breach from the console: opened with when the scheme became aware, assessed,
/// its notification recorded and printed with (a) to (d) of Article 33(3), the ICO
/// notified, the people told, and closed.
#[test]
fn alt_18_a_breach_from_the_console() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("scheme");
    let (code, out, err) = run(custos()
        .arg("--data")
        .arg(&data)
        .arg("init")
        .arg("--policy")
        .arg(policies().join("bassetlaw-district-council.toml")));
    assert_eq!(code, 0, "{out}{err}");
    let custos_at = |args: &[&str]| run(custos().arg("--data").arg(&data).args(args));
    let (code, out, err) = custos_at(&[
        "case",
        "open",
        "--kind",
        "breach",
        "--name",
        "Control room supervisor",
        "--contact",
        "control room",
        "--summary",
        "footage e-mailed to the wrong address",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let reference = out
        .split_whitespace()
        .find(|w| w.starts_with("BRE-"))
        .map(|w| w.trim_end_matches('.').to_owned())
        .expect("a reference");
    let (_, shown, _) = custos_at(&["case", "show", &reference]);
    assert!(shown.contains("(72 hours)"), "{shown}");
    for args in [
        vec![
            "act",
            reference.as_str(),
            "assess-risk",
            "--decision",
            "risk",
            "--reasons",
            "Faces of shoppers in the market square, sent to a private address",
        ],
        vec![
            "breach",
            reference.as_str(),
            "--nature",
            "Ten minutes of market square footage were e-mailed to a private address",
            "--people",
            "shoppers",
            "--people-count",
            "40",
            "--records",
            "one recording",
            "--records-count",
            "1",
            "--consequences",
            "Shoppers could be recognised",
            "--measures",
            "The recipient deleted it and confirmed in writing",
        ],
        vec!["act", reference.as_str(), "notify-ico"],
        vec!["act", reference.as_str(), "close"],
    ] {
        let mut all = vec!["case"];
        all.extend(args.iter().copied());
        let (code, out, err) = custos_at(&all);
        assert_eq!(code, 0, "{args:?}: {out}{err}");
    }
    let (code, text, err) = custos_at(&["case", "notification", &reference]);
    assert_eq!(code, 0, "{err}");
    for words in [
        "Bassetlaw District Council",
        "market square footage",
        "about 40",
        "Shoppers could be recognised",
        "deleted it",
        "Data Protection Manager",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
}

/// BDC-16: in headless Chromium, a manager records a council's directed surveillance
/// authorisation — cameras and team ticked by name — which awaits a justice's approval;
/// approved, it is in force: an operator in its team opens a review of its camera's
/// footage, a supervisor outside it is refused in words that do not reveal the operation;
/// then the manager cancels it, with the reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bdc_16_a_council_authorisation_from_approval_to_cancellation_in_chromium() {
    use fantoccini::Locator;
    let dir = tempfile::tempdir().expect("tmp");
    let started = now_ms();
    let demo = RunningDemo::start(&dir.path().join("scheme"));
    let addr = demo.addr.clone();
    let password = |role: &str| demo.accounts.get(role).cloned().expect("a password");
    let driver = Driver::start();
    let manager = browser(&driver, &dir.path().join("manager")).await;
    browser_sign_in(&manager, &addr, "manager", &password("manager")).await;
    manager
        .goto(&format!("http://{addr}/cases"))
        .await
        .expect("cases");
    manager
        .find(Locator::Css("#covert-intake summary"))
        .await
        .expect("the form's panel")
        .click()
        .await
        .expect("open it");
    type_in(
        &manager,
        "covert-summary",
        "Fly-tipping behind the school kitchen",
    )
    .await;
    set_value(&manager, "covert-type", "directed").await;
    set_value(&manager, "covert-body", "local-authority").await;
    type_in(
        &manager,
        "covert-organisation",
        "Mid Suffolk District Council",
    )
    .await;
    type_in(&manager, "covert-officer", "Head of Environmental Services").await;
    set_value(&manager, "covert-route", "written").await;
    set_value(&manager, "covert-ground", "crime-or-disorder").await;
    set_value(&manager, "covert-threshold", "six-months-imprisonment").await;
    type_in(
        &manager,
        "covert-rationale",
        "Repeated fly-tipping at night; signs and patrols have not stopped it",
    )
    .await;
    pick_cameras(&manager, "covert-cameras", &["sim-1"]).await;
    type_in(&manager, "covert-areas", "The yard behind the kitchen").await;
    manager
        .find(Locator::Css("#covert-team input[value=operator]"))
        .await
        .expect("the operator's box")
        .click()
        .await
        .expect("tick");
    let review_day = custos_base::UnixMs(now_ms() + 7 * 86_400_000).to_uk_local_input();
    set_value(&manager, "covert-first-review", &review_day[..10]).await;
    let path = submit_and_leave(&manager, "#open-covert button", "/cases").await;
    assert!(path.starts_with("/cases/COV-"), "{path}");
    let status = |c: fantoccini::Client| async move {
        c.find(Locator::Id("covert-status"))
            .await
            .expect("status")
            .text()
            .await
            .expect("text")
    };
    let s = status(manager.clone()).await;
    assert!(s.contains("awaiting a justice of the peace"), "{s}");
    submit_and_reload(&manager, "#covert-approve button").await;
    let s = status(manager.clone()).await;
    assert!(s.starts_with("In force"), "{s}");

    // Its camera's footage since the demo started, once its first minute is recorded: the
    // team's operator reviews it, a supervisor may not.
    let db = dir.path().join("scheme").join("custos.db");
    let deadline = Instant::now() + Duration::from_secs(120);
    let recorded = || {
        Command::new("sqlite3")
            .arg(&db)
            .arg("SELECT COUNT(*) FROM segments WHERE camera_id = 'sim-1'")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    while matches!(recorded().as_str(), "" | "0") {
        assert!(
            Instant::now() < deadline,
            "the demo's camera recorded nothing"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let from = custos_base::UnixMs(started - 60_000).to_uk_local_input();
    let to = custos_base::UnixMs(now_ms() + 5 * 60_000).to_uk_local_input();
    let review = |role: &'static str| {
        let (driver, dir, addr, password) =
            (&driver, dir.path().to_owned(), addr.clone(), password(role));
        let (from, to) = (from.clone(), to.clone());
        async move {
            let c = browser(driver, &dir.join(role)).await;
            browser_sign_in(&c, &addr, role, &password).await;
            c.goto(&format!("http://{addr}/cameras/sim-1/review"))
                .await
                .expect("review form");
            set_value(&c, "from", &from).await;
            set_value(&c, "to", &to).await;
            type_in(&c, "reason", "Checking the yard after a report").await;
            submit_and_reload(&c, "#open-review button").await;
            let path = c.current_url().await.expect("url").path().to_owned();
            let page = c.source().await.expect("page");
            c.close().await.expect("close");
            (path, page)
        }
    };
    let (path_in, page_in) = review("operator").await;
    assert!(path_in.starts_with("/reviews/"), "{path_in}: {page_in}");
    let (_, page_out) = review("supervisor").await;
    assert!(
        page_out.contains("Not allowed") && page_out.contains("restricted"),
        "{page_out}"
    );
    for secret in ["Fly-tipping", "kitchen", "Mid Suffolk"] {
        assert!(!page_out.contains(secret), "{secret}: {page_out}");
    }

    type_in(
        &manager,
        "covert-cancel-reason",
        "The culprit was identified and the tipping stopped",
    )
    .await;
    submit_and_reload(&manager, "#covert-cancel button").await;
    let s = status(manager.clone()).await;
    assert!(s.starts_with("Cancelled"), "{s}");
    manager.close().await.expect("close");
    drop(driver);
    demo.stop();
}

/// BDC-25 in a browser, on the council's scheme: the manager records an Inspector's written
/// request for partial control of one camera; the Chief Executive agrees on its page in
/// their own name; an operator's Live page then carries the police banner on that camera's
/// tile only; once the hand-back is recorded the banner is gone.
#[tokio::test]
async fn bdc_25_a_police_control_period_with_its_banner_in_chromium() {
    use fantoccini::Locator;
    let dir = tempfile::tempdir().expect("tmp");
    let mut cmd = custos();
    cmd.arg("--data")
        .arg(dir.path().join("scheme"))
        .args(["demo", "--listen", "127.0.0.1:0", "--policy"])
        .arg(policies().join("bassetlaw-district-council.toml"));
    let demo = RunningDemo::spawn(cmd);
    let addr = demo.addr.clone();
    let password = |role: &str| demo.accounts.get(role).cloned().expect("a password");
    let driver = Driver::start();
    let manager = browser(&driver, &dir.path().join("manager")).await;
    browser_sign_in(&manager, &addr, "manager", &password("manager")).await;
    manager
        .goto(&format!("http://{addr}/cases"))
        .await
        .expect("cases");
    manager
        .find(Locator::Css("#police-control-intake summary"))
        .await
        .expect("the form's panel")
        .click()
        .await
        .expect("open it");
    type_in(
        &manager,
        "police-summary",
        "Market day public order operation",
    )
    .await;
    type_in(&manager, "police-officer", "Sam Example").await;
    set_value(&manager, "police-rank", "inspector").await;
    type_in(&manager, "police-number", "4821").await;
    type_in(&manager, "police-force", "Nottinghamshire Police").await;
    set_value(&manager, "police-type", "partial").await;
    pick_cameras(&manager, "police-cameras", &["sim-1"]).await;
    type_in(
        &manager,
        "police-reason",
        "A public order operation at the market this morning",
    )
    .await;
    type_in(
        &manager,
        "police-written",
        "Inspector Sam Example (4821) asks for partial control of the market camera.",
    )
    .await;
    let path = submit_and_leave(&manager, "#open-police-control button", "/cases").await;
    assert!(path.starts_with("/cases/POL-"), "{path}");
    let status = |c: fantoccini::Client| async move {
        c.find(Locator::Id("police-control-status"))
            .await
            .expect("status")
            .text()
            .await
            .expect("text")
    };

    let chief = browser(&driver, &dir.path().join("chief")).await;
    browser_sign_in(
        &chief,
        &addr,
        "chief-executive",
        &password("chief-executive"),
    )
    .await;
    chief
        .goto(&format!("http://{addr}{path}"))
        .await
        .expect("the request");
    submit_and_reload(&chief, "#police-control-agree button").await;
    let s = status(chief.clone()).await;
    assert!(
        s.starts_with("The police have partial control since"),
        "{s}"
    );

    let operator = browser(&driver, &dir.path().join("operator")).await;
    browser_sign_in(&operator, &addr, "operator", &password("operator")).await;
    let banner = |c: fantoccini::Client, camera: &'static str| {
        let live = format!("http://{addr}/live");
        async move {
            c.goto(&live).await.expect("live");
            match c.find(Locator::Id(&format!("live-{camera}-police"))).await {
                Ok(e) => Some(e.text().await.expect("text")),
                Err(_) => None,
            }
        }
    };
    let on = banner(operator.clone(), "sim-1").await;
    assert!(
        on.as_deref()
            .is_some_and(|t| t.starts_with("Police have partial control since")),
        "{on:?}"
    );
    assert_eq!(
        banner(operator.clone(), "sim-2").await,
        None,
        "another camera"
    );

    manager
        .goto(&format!("http://{addr}{path}"))
        .await
        .expect("the request");
    submit_and_reload(&manager, "#police-control-hand-back button").await;
    let s = status(manager.clone()).await;
    assert!(s.starts_with("Control was handed back"), "{s}");
    assert_eq!(banner(operator.clone(), "sim-1").await, None, "handed back");
    for c in [manager, chief, operator] {
        c.close().await.expect("close");
    }
    drop(driver);
    demo.stop();
}

/// The letter at `link`, fetched by the browser (with its session) into `pdf`, checked
/// with `qpdf --check` and read with `pdftotext`: its text, one space between words.
async fn letter_text(c: &fantoccini::Client, link: &str, pdf: &std::path::Path) -> String {
    let bytes = c
        .execute_async(
            "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => r.arrayBuffer()).then(b => done(Array.from(new Uint8Array(b))));",
            vec![serde_json::json!(link)],
        )
        .await
        .expect("the browser fetches the letter");
    let bytes: Vec<u8> = serde_json::from_value(bytes).expect("bytes");
    std::fs::write(pdf, &bytes).expect("write");
    let check = Command::new("qpdf")
        .arg("--check")
        .arg(pdf)
        .output()
        .expect("qpdf is installed (scripts/test installs it)");
    assert!(check.status.success(), "{check:?}");
    let text = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext is installed (scripts/test installs poppler-utils)");
    String::from_utf8_lossy(&text.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `program` and returns (status code, stdout + stderr).
fn tool_output(cmd: &mut Command) -> (i32, String) {
    let out = cmd
        .output()
        .expect("the tool runs (scripts/test installs it)");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The libfaketime library, to preload into a `custos` whose clock a test moves.
fn libfaketime() -> PathBuf {
    std::fs::read_dir("/usr/lib")
        .expect("/usr/lib")
        .filter_map(Result::ok)
        .map(|e| e.path().join("faketime/libfaketime.so.1"))
        .chain([PathBuf::from("/usr/lib/faketime/libfaketime.so.1")])
        .find(|p| p.exists())
        .expect("libfaketime is installed (scripts/test installs the faketime package)")
}

/// Runs the demo on `data` for eight seconds with libfaketime putting its clock two hours
/// behind (monotonic time left alone), so the hour its cameras record in has closed and
/// can be sealed; returns what it printed up to "running at". libfaketime is preloaded
/// into the demo itself: the `faketime` wrapper does not stay the demo's parent.
fn record_two_hours_ago(data: &std::path::Path) -> String {
    let libfaketime = libfaketime();
    let mut child = custos()
        .env("LD_PRELOAD", &libfaketime)
        .env("FAKETIME", "-7200")
        .env("DONT_FAKE_MONOTONIC", "1")
        .arg("--data")
        .arg(data)
        .args(["demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("demo starts");
    let _reap = Reap::new(&child);
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut said = String::new();
    while !said.contains("running at http://") {
        let Some(Ok(line)) = lines.next() else { break };
        said.push_str(&line);
        said.push('\n');
    }
    std::thread::sleep(Duration::from_secs(8));
    Command::new("sh")
        .args(["-c", &format!("kill -INT {}", child.id())])
        .status()
        .expect("kill");
    let _: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(child.wait().expect("demo exits").success());
    said
}

/// Runs `cmd` with `typed` on its standard input (what a person types at the console).
fn run_typing(cmd: &mut Command, typed: &str) -> (i32, String, String) {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("custos runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(typed.as_bytes())
        .expect("type");
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().expect("custos finishes");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// A demo account's password, from what `custos demo` printed.
fn demo_password(said: &str, user: &str) -> String {
    said.lines()
        .find_map(|l| match l.trim().split_once(" password ") {
            Some((role, pw)) if role.trim() == user => Some(pw.trim().to_owned()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("the demo printed no password for {user}: {said}"))
}

/// The second factors set up in this test process: (data folder, user) → (secret, the
/// last time step whose code was used).
#[allow(clippy::type_complexity)]
static SECOND_FACTORS: std::sync::Mutex<
    std::collections::BTreeMap<(PathBuf, String), (Vec<u8>, i64)>,
> = std::sync::Mutex::new(std::collections::BTreeMap::new());

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// What `user` of the demo types at the console to act in their own name: their password
/// and, for a role the demo's pack gives a second factor, a code from a time step not used
/// before (the first time, the factor is set up with `custos user second-factor`, as the
/// person would with their app; a code is never accepted twice, so this may wait for the
/// next 30-second step).
fn typed_by(data: &std::path::Path, said: &str, user: &str) -> String {
    let password = demo_password(said, user);
    if !["owner", "manager", "dpo"].contains(&user) {
        return format!("{password}\n");
    }
    let key = (data.to_path_buf(), user.to_owned());
    let known = SECOND_FACTORS.lock().expect("lock").get(&key).cloned();
    let (secret, last) = match known {
        Some(k) => k,
        None => {
            let mut child = custos()
                .arg("--data")
                .arg(data)
                .args(["user", "second-factor", user])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("custos runs");
            let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
            let secret = loop {
                let line = lines.next().expect("a secret").expect("line");
                if let Some(b32) =
                    line.strip_prefix(&format!("Secret for {user}'s authenticator app: "))
                {
                    break custos_domain::totp::base32_decode(b32.trim()).expect("base32");
                }
            };
            let at = now_ms();
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(format!("{}\n", custos_domain::totp::code_at(&secret, at)).as_bytes())
                .expect("type the code");
            let _: Vec<String> = lines.map_while(Result::ok).collect();
            assert!(
                child.wait().expect("finishes").success(),
                "second factor set up"
            );
            (secret, at / 30_000)
        }
    };
    // The next step not yet used: the current one or the one after (accepted for drift),
    // waiting for the clock to reach it otherwise.
    let mut step = (last + 1).max(now_ms() / 30_000);
    while step > now_ms() / 30_000 + 1 {
        std::thread::sleep(Duration::from_millis(500));
        step = (last + 1).max(now_ms() / 30_000);
    }
    SECOND_FACTORS
        .lock()
        .expect("lock")
        .insert(key, (secret.clone(), step));
    format!(
        "{password}\n{}\n",
        custos_domain::totp::code_at(&secret, step * 30_000)
    )
}

/// Ten minutes either side of two hours ago, as UK times for `--from` and `--to`.
fn around_two_hours_ago() -> (String, String) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .expect("time");
    (
        custos_base::UnixMs(now - 7_200_000 - 10 * 60_000).to_uk_local_input(),
        custos_base::UnixMs(now - 7_200_000 + 10 * 60_000).to_uk_local_input(),
    )
}

/// BDC-3, BDC-4, BDC-5: footage the demo recorded (two hours ago, by the clock `faketime`
/// gives it, so its hour has closed) is exported as an evidence package that passes the
/// checks recipients make with standard tools — `sha256sum -c`, `ssh-keygen -Y verify`
/// with the package's allowed_signers, `ffprobe` and `ffmpeg -f null` on each working copy
/// — and `custos package verify`; the export is in the download logbook, and the scheme's
/// own copy of the footage is held under the class asked for (BDC-3). One flipped byte
/// in a master segment fails `sha256sum -c` and `custos package verify`, naming the file;
/// a master segment swapped for another recording, with SHA256SUMS redone and re-signed
/// by a forger's key, fails on its proof. Encrypted for transport (ALT-14), the package
/// opens with the standard `age` tool and the passphrase shown once, and still verifies.
#[test]
fn bdc_4_an_evidence_package_from_the_demo_passes_standard_checks_and_a_tampered_copy_fails() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("scheme");
    let said = record_two_hours_ago(&data);
    let demo = said.clone();
    assert!(said.contains("Recording two simulated cameras"), "{said}");
    let (from, to) = around_two_hours_ago();
    let pkg = dir.path().join("JS-1");
    // ALT-8: only someone the pack lets authorise downloads may authorise a release.
    let (code, _, err) = run_typing(
        custos().arg("--data").arg(&data).args([
            "export",
            "--camera",
            "sim-1",
            "--from",
            &from,
            "--to",
            &to,
            "--exhibit",
            "JS/0",
            "--requester",
            "PC 1234 Smith",
            "--authoriser",
            "operator",
            "--recipient",
            "Hampshire Constabulary",
            "--purpose",
            "Investigation of criminal damage",
            "--out",
            dir.path().join("refused").to_str().expect("path"),
        ]),
        &typed_by(&data, &demo, "operator"),
    );
    assert_ne!(code, 0);
    assert!(
        err.contains("none of your roles (Operator) may authorise downloads here: that needs Owner or Manager"),
        "{err}"
    );
    assert!(!dir.path().join("refused").exists(), "nothing is written");
    let (code, out, err) = run_typing(
        custos().arg("--data").arg(&data).args([
            "export",
            "--camera",
            "sim-1",
            "--camera",
            "sim-2",
            "--from",
            &from,
            "--to",
            &to,
            "--exhibit",
            "JS/1",
            "--requester",
            "PC 1234 Smith, Hampshire Constabulary",
            "--authoriser",
            "owner",
            "--recipient",
            "Hampshire Constabulary",
            "--purpose",
            "Investigation of criminal damage at the gate",
            "--keep-as",
            "investigation-hold",
            "--out",
            pkg.to_str().expect("path"),
        ]),
        &typed_by(&data, &demo, "owner"),
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Package P"), "{out}");

    let (code, said) = tool_output(
        Command::new("sha256sum")
            .args(["-c", "SHA256SUMS"])
            .current_dir(&pkg),
    );
    assert_eq!(code, 0, "{said}");
    let sums = std::fs::File::open(pkg.join("SHA256SUMS")).expect("sums");
    let (code, said) = tool_output(
        Command::new("ssh-keygen")
            .args([
                "-Y",
                "verify",
                "-f",
                "allowed_signers",
                "-I",
                "custos-evidence",
                "-n",
                "custos-evidence",
                "-s",
                "SHA256SUMS.sig",
            ])
            .stdin(sums)
            .current_dir(&pkg),
    );
    assert_eq!(code, 0, "{said}");
    assert!(
        said.contains("Good \"custos-evidence\" signature"),
        "{said}"
    );
    for cam in ["sim-1", "sim-2"] {
        let working = pkg.join(format!("working/{cam}.mp4"));
        let (code, probe) = tool_output(
            Command::new("ffprobe")
                .args(["-v", "error", "-show_streams", "-of", "json"])
                .arg(&working),
        );
        assert_eq!(code, 0, "{probe}");
        assert!(probe.contains("\"codec_name\": \"h264\""), "{probe}");
        assert!(probe.contains("\"codec_name\": \"mov_text\""), "{probe}");
        let (code, decoded) = tool_output(
            Command::new("ffmpeg")
                .args(["-v", "error", "-i"])
                .arg(&working)
                .args(["-map", "0:v", "-f", "null", "-"]),
        );
        assert_eq!(code, 0, "{decoded}");
        assert!(decoded.trim().is_empty(), "ffmpeg complained: {decoded}");
    }
    let (code, out, err) = run(custos().args(["package", "verify"]).arg(&pkg));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Package intact"), "{out}");
    let (_, ledger, _) = run(custos().arg("--data").arg(&data).args([
        "ledger", "export", "--book", "download", "--format", "jsonl",
    ]));
    assert!(
        ledger.contains("evidence-produced") && ledger.contains("JS/1"),
        "{ledger}"
    );
    // BDC-3: the scheme keeps its own copy of the footage for the class's period.
    let (_, holds, _) = run(custos().arg("--data").arg(&data).args(["hold", "list"]));
    assert!(
        holds.contains("the scheme's copy of exhibit JS/1"),
        "{holds}"
    );

    // ALT-14: the same footage as one encrypted archive; the passphrase is shown once, and
    // the standard age tool (typing it on a terminal) and tar give back a package that
    // verifies.
    let sealed = dir.path().join("JS-2");
    let (code, out, err) = run_typing(
        custos().arg("--data").arg(&data).args([
            "export",
            "--camera",
            "sim-1",
            "--from",
            &from,
            "--to",
            &to,
            "--exhibit",
            "JS/2",
            "--requester",
            "PC 1234 Smith, Hampshire Constabulary",
            "--authoriser",
            "owner",
            "--recipient",
            "Hampshire Constabulary",
            "--purpose",
            "Investigation of criminal damage at the gate",
            "--encrypt",
            "--out",
            sealed.to_str().expect("path"),
        ]),
        &typed_by(&data, &demo, "owner"),
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(!sealed.exists(), "the clear folder is removed");
    let passphrase = out
        .lines()
        .find_map(|l| l.split("send it separately from the package): ").nth(1))
        .expect("the passphrase is shown")
        .trim()
        .to_owned();
    let archive = dir.path().join("JS-2.tar.age");
    let tarball = dir.path().join("JS-2.tar");
    age_decrypt(&archive, &tarball, &passphrase);
    let opened = dir.path().join("opened");
    std::fs::create_dir_all(&opened).expect("mkdir");
    let (code, said) = tool_output(
        Command::new("tar")
            .arg("-xf")
            .arg(&tarball)
            .current_dir(&opened),
    );
    assert_eq!(code, 0, "{said}");
    let (code, out, err) = run(custos()
        .args(["package", "verify"])
        .arg(opened.join("JS-2")));
    assert_eq!(code, 0, "{out}{err}");

    // One flipped byte in a master segment.
    let master = |p: &std::path::Path, cam: &str| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(p.join("master").join(cam))
            .expect("master")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "m4s"))
            .collect();
        v.sort();
        v
    };
    let flipped = dir.path().join("flipped");
    copy_dir(&pkg, &flipped);
    let victim = master(&flipped, "sim-1")[0].clone();
    let mut bytes = std::fs::read(&victim).expect("read");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(&victim, &bytes).expect("write");
    let name = format!(
        "master/sim-1/{}",
        victim.file_name().expect("name").to_string_lossy()
    );
    let (code, said) = tool_output(
        Command::new("sha256sum")
            .args(["-c", "--quiet", "SHA256SUMS"])
            .current_dir(&flipped),
    );
    assert_ne!(code, 0);
    assert!(said.contains(&name), "{said}");
    let (code, out, err) = run(custos().args(["package", "verify"]).arg(&flipped));
    assert_ne!(code, 0, "{out}");
    assert!(err.contains(&name), "{err}");

    // A segment swapped for another recording, the sums redone and re-signed by a forger.
    let forged = dir.path().join("forged");
    copy_dir(&pkg, &forged);
    let target = master(&forged, "sim-1")[0].clone();
    std::fs::copy(&master(&forged, "sim-2")[0], &target).expect("swap");
    let rel = format!(
        "master/sim-1/{}",
        target.file_name().expect("name").to_string_lossy()
    );
    let (_, new_line) = tool_output(Command::new("sha256sum").arg(&rel).current_dir(&forged));
    let sums: String = std::fs::read_to_string(forged.join("SHA256SUMS"))
        .expect("sums")
        .lines()
        .map(|l| {
            if l.ends_with(&format!("  {rel}")) {
                format!("{}\n", new_line.trim())
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(forged.join("SHA256SUMS"), &sums).expect("sums");
    let key = dir.path().join("forger");
    let (code, said) = tool_output(
        Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(&key),
    );
    assert_eq!(code, 0, "{said}");
    std::fs::remove_file(forged.join("SHA256SUMS.sig")).expect("rm");
    let (code, said) = tool_output(
        Command::new("ssh-keygen")
            .args(["-Y", "sign", "-n", "custos-evidence", "-f"])
            .arg(&key)
            .arg(forged.join("SHA256SUMS")),
    );
    assert_eq!(code, 0, "{said}");
    let public = std::fs::read_to_string(key.with_extension("pub")).expect("pub");
    std::fs::write(
        forged.join("allowed_signers"),
        format!(
            "custos-evidence namespaces=\"custos-evidence\" {}",
            public.trim()
        ),
    )
    .expect("allowed");
    // allowed_signers changed too: redo its sum and sign again.
    let (_, line) = tool_output(
        Command::new("sha256sum")
            .arg("allowed_signers")
            .current_dir(&forged),
    );
    let sums: String = sums
        .lines()
        .map(|l| {
            if l.ends_with("  allowed_signers") {
                format!("{}\n", line.trim())
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(forged.join("SHA256SUMS"), &sums).expect("sums");
    std::fs::remove_file(forged.join("SHA256SUMS.sig")).expect("rm");
    let (code, said) = tool_output(
        Command::new("ssh-keygen")
            .args(["-Y", "sign", "-n", "custos-evidence", "-f"])
            .arg(&key)
            .arg(forged.join("SHA256SUMS")),
    );
    assert_eq!(code, 0, "{said}");
    let (code, said) = tool_output(
        Command::new("sha256sum")
            .args(["-c", "--quiet", "SHA256SUMS"])
            .current_dir(&forged),
    );
    assert_eq!(code, 0, "the forger's sums check: {said}");
    let (code, out, err) = run(custos().args(["package", "verify"]).arg(&forged));
    assert_ne!(code, 0, "{out}");
    assert!(err.contains(&rel), "{err}");
    assert!(err.contains("not the segment recorded"), "{err}");

    // The same forger puts the footage back and re-signs: every file and seal is the
    // scheme's, but each seal's ledger checkpoint is signed by the scheme's key, not the
    // forger's, so the package cannot be passed off as signed by someone else.
    std::fs::copy(&master(&pkg, "sim-1")[0], &target).expect("restore");
    let original = std::fs::read_to_string(pkg.join("SHA256SUMS")).expect("sums");
    let sums: String = sums
        .lines()
        .map(|l| {
            if l.ends_with(&format!("  {rel}")) {
                original
                    .lines()
                    .find(|o| o.ends_with(&format!("  {rel}")))
                    .map(|o| format!("{o}\n"))
                    .expect("the original line")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(forged.join("SHA256SUMS"), &sums).expect("sums");
    std::fs::remove_file(forged.join("SHA256SUMS.sig")).expect("rm");
    let (code, said) = tool_output(
        Command::new("ssh-keygen")
            .args(["-Y", "sign", "-n", "custos-evidence", "-f"])
            .arg(&key)
            .arg(forged.join("SHA256SUMS")),
    );
    assert_eq!(code, 0, "{said}");
    let (code, out, err) = run(custos().args(["package", "verify"]).arg(&forged));
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("not signed by the scheme's key"), "{err}");
    // An export that fails part-way (a segment damaged on disk, read after others have
    // been written out decrypted) leaves nothing behind.
    let mut segments: Vec<PathBuf> = Vec::new();
    let mut stack = vec![data.join("footage").join("sim-2")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("footage") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "cseg") {
                segments.push(p);
            }
        }
    }
    segments.sort();
    let last = segments.last().expect("a segment of sim-2");
    let mut bytes = std::fs::read(last).expect("read");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(last, &bytes).expect("damage");
    let failed = dir.path().join("failed");
    let (code, out, err) = run_typing(
        custos().arg("--data").arg(&data).args([
            "export",
            "--camera",
            "sim-1",
            "--camera",
            "sim-2",
            "--from",
            &from,
            "--to",
            &to,
            "--exhibit",
            "JS/2",
            "--requester",
            "PC 1234",
            "--authoriser",
            "owner",
            "--recipient",
            "Hampshire Constabulary",
            "--purpose",
            "A second copy",
            "--out",
            failed.to_str().expect("path"),
        ]),
        &typed_by(&data, &demo, "owner"),
    );
    assert_ne!(code, 0, "{out}{err}");
    assert!(
        !failed.exists(),
        "no decrypted footage is left in {}",
        failed.display()
    );
    assert!(!dir.path().join("failed.tar.age").exists());

    // ALT-8 (Appendix I): the owner authorises destroying each copy in their own name,
    // which ends the holds kept for it; when retention then erases the footage (a month
    // on, by libfaketime's clock), the download log records the date it was destroyed.
    let (_, list, _) = run(custos().arg("--data").arg(&data).args(["download", "list"]));
    let made: Vec<String> = list
        .lines()
        .filter(|l| l.contains("package made"))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect();
    assert_eq!(made.len(), 2, "{list}");
    for id in &made {
        let (code, out, err) = run_typing(
            custos().arg("--data").arg(&data).args([
                "download",
                "destroy",
                id,
                "--as",
                "owner",
                "--reason",
                "The police hold their copy; ours is no longer needed",
            ]),
            &typed_by(&data, &demo, "owner"),
        );
        assert_eq!(code, 0, "{out}{err}");
    }
    let libfaketime = libfaketime();
    let (code, out, err) = run(custos()
        .env("LD_PRELOAD", &libfaketime)
        .env("FAKETIME", "+35d")
        .arg("--data")
        .arg(&data)
        .args(["retention", "sweep"]));
    assert_eq!(code, 0, "{out}{err}");
    let (_, ledger, _) = run(custos().arg("--data").arg(&data).args([
        "ledger", "export", "--book", "download", "--format", "jsonl",
    ]));
    let erased: Vec<&str> = ledger
        .lines()
        .filter(|l| {
            l.contains("\"kind\":\"download-deleted\"")
                && l.contains("erased by the retention sweep")
        })
        .collect();
    assert_eq!(erased.len(), 2, "{ledger}");
    for id in &made {
        assert!(
            erased.iter().any(|l| l.contains(&format!("download:{id}"))),
            "{id}: {ledger}"
        );
    }
}

/// LBU-19, LBU-20, LBU-21, BDC-5, BDC-32, SCC-7: a police request for footage the demo
/// recorded is worked from the console: opened with its footage held, refused for release
/// until the force's form, the crime reference and the officer's acceptance of the release
/// agreement are in and until someone the pack allows authorises it; then released as an
/// evidence package that `custos package verify` passes, written to the disclosure log
/// (CSV with the ICO's fields), its stick in the media register, and the case closed.
#[test]
fn lbu_19_a_police_disclosure_from_the_console_ends_in_the_disclosure_log() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("scheme");
    let said = record_two_hours_ago(&data);
    let (from, to) = around_two_hours_ago();
    let custos_at = |args: &[&str]| run(custos().arg("--data").arg(&data).args(args));
    let custos_typing = |args: &[&str], typed: &str| {
        run_typing(custos().arg("--data").arg(&data).args(args), typed)
    };
    let (code, out, err) = custos_at(&[
        "disclosure",
        "open",
        "--category",
        "law-enforcement",
        "--name",
        "PC 1234 Smith",
        "--contact",
        "smith@hampshire.police.example",
        "--organisation",
        "Hampshire Constabulary",
        "--purpose",
        "Investigation of criminal damage at the gate",
        "--camera",
        "sim-1",
        "--from",
        &from,
        "--to",
        &to,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("footage is held"), "{out}");
    let reference = out
        .split_whitespace()
        .find(|w| w.starts_with("DIS-"))
        .map(|w| w.trim_end_matches([';', '.']).to_owned())
        .expect("a reference");
    assert!(out.contains("form certifying the purpose"), "{out}");
    assert!(out.contains("crime reference"), "{out}");
    assert!(out.contains("release agreement"), "{out}");
    let (code, _, _) = custos_at(&["case", "act", &reference, "start"]);
    assert_eq!(code, 0);
    let (code, out, err) = custos_typing(
        &[
            "disclosure",
            "authorise",
            &reference,
            "--authoriser",
            "owner",
        ],
        &typed_by(&data, &said, "owner"),
    );
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("cannot be authorised"), "{err}");
    let form = dir.path().join("form.pdf");
    std::fs::write(&form, b"%PDF-1.4 police request form").expect("write");
    let (code, out, err) = custos_at(&[
        "disclosure",
        "document",
        &reference,
        "--kind",
        "police-request-form",
        form.to_str().expect("path"),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = custos_at(&["disclosure", "crime-ref", &reference, "44/123456/26"]);
    assert_eq!(code, 0, "{err}");
    let (code, text, _) = custos_at(&[
        "disclosure",
        "agreement",
        &reference,
        "--recipient",
        "PC 1234 Smith",
        "--organisation",
        "Hampshire Constabulary",
    ]);
    assert_eq!(code, 0);
    assert!(text.contains("I will not pass the recordings"), "{text}");
    let (code, out, err) = custos_at(&[
        "disclosure",
        "agreement",
        &reference,
        "--recipient",
        "PC 1234 Smith",
        "--organisation",
        "Hampshire Constabulary",
        "--accept",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("ready"), "{out}");
    // The demo's pack lets only the owner authorise disclosure to the police.
    let (code, _, err) = custos_typing(
        &[
            "disclosure",
            "authorise",
            &reference,
            "--authoriser",
            "operator",
        ],
        &typed_by(&data, &said, "operator"),
    );
    assert_ne!(code, 0);
    assert!(err.contains("none of your roles (Operator) may"), "{err}");
    let (code, out, err) = custos_typing(
        &[
            "disclosure",
            "authorise",
            &reference,
            "--authoriser",
            "owner",
        ],
        &typed_by(&data, &said, "owner"),
    );
    assert_eq!(code, 0, "{out}{err}");
    let pkg = dir.path().join("HC-1");
    let (code, out, err) = custos_at(&[
        "disclosure",
        "release",
        &reference,
        "--exhibit",
        "HC/1",
        "--out",
        pkg.to_str().expect("path"),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let package = out
        .split_whitespace()
        .find(|w| w.starts_with('P') && w.len() == 17)
        .expect("the package id")
        .to_owned();
    let (code, said, err) = run(custos().args(["package", "verify"]).arg(&pkg));
    assert_eq!(code, 0, "{said}{err}");
    let custody = std::fs::read_to_string(pkg.join("custody.json")).expect("custody");
    assert!(custody.contains(&reference), "{custody}");
    let (code, log, _) = custos_at(&["disclosure", "log", "--csv", "-"]);
    assert_eq!(code, 0);
    let mut lines = log.lines();
    assert_eq!(
        lines.next(),
        Some(
            "Handed over at,Receiving officer,Organisation,Description of images,Crime reference,Legal basis,Package,Package SHA-256,Case,Authorised by"
        )
    );
    let row = lines.next().expect("one hand-over");
    for field in [
        "PC 1234 Smith",
        "Hampshire Constabulary",
        "44/123456/26",
        "dpa-2018-schedule-2-paragraph-2",
        &package,
        &reference,
        "owner (owner)",
        "sim-1",
        "HC/1",
    ] {
        assert!(row.contains(field), "{field} not in {row}");
    }
    let sums = std::fs::read(pkg.join("SHA256SUMS")).expect("sums");
    let sums_sha = custos_domain::ledger::to_hex(&<sha2::Sha256 as sha2::Digest>::digest(&sums));
    assert!(row.contains(&sums_sha), "{row}");
    let (code, out, err) = custos_at(&[
        "media",
        "issue",
        "--package",
        &package,
        "--description",
        "Encrypted USB stick, exhibit HC/1",
        "--to",
        "PC 1234 Smith",
        "--organisation",
        "Hampshire Constabulary",
        "--case",
        &reference,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("MED-"), "{out}");
    let (code, out, err) = custos_at(&["case", "act", &reference, "close"]);
    assert_eq!(code, 0, "{out}{err}");
    let (_, ledger, _) = custos_at(&["ledger", "export", "--book", "case", "--format", "jsonl"]);
    assert!(ledger.contains("disclosure-released"), "{ledger}");
    assert!(
        !ledger.contains("PC 1234 Smith"),
        "names stay out of the ledger"
    );
    let (_, ledger, _) = custos_at(&[
        "ledger", "export", "--book", "download", "--format", "jsonl",
    ]);
    assert!(
        ledger.contains("medium-issued") && ledger.contains("evidence-produced"),
        "{ledger}"
    );
}

/// On a finished export job's page in `c`: takes the passphrase shown once, downloads the
/// encrypted archive through the browser into `dir/NAME.tar.age`, opens it with the
/// standard `age` and `tar` into `dir/opened`, and checks that `custos package verify`
/// passes the package folder `NAME` in it.
async fn download_open_and_verify(c: &fantoccini::Client, dir: &std::path::Path, name: &str) {
    use fantoccini::Locator;
    let passphrase = c
        .find(Locator::Id("export-passphrase"))
        .await
        .expect("the passphrase, once")
        .text()
        .await
        .expect("text");
    let link = c
        .find(Locator::Id("export-download"))
        .await
        .expect("a download")
        .attr("href")
        .await
        .expect("href")
        .expect("a link");
    let bytes = c
        .execute_async(
            "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => r.arrayBuffer()).then(b => done(Array.from(new Uint8Array(b))));",
            vec![serde_json::json!(link)],
        )
        .await
        .expect("the browser downloads the archive");
    let bytes: Vec<u8> = serde_json::from_value(bytes).expect("bytes");
    let archive = dir.join(format!("{name}.tar.age"));
    std::fs::write(&archive, &bytes).expect("write");
    let tarball = dir.join(format!("{name}.tar"));
    age_decrypt(&archive, &tarball, passphrase.trim());
    let opened = dir.join("opened");
    std::fs::create_dir_all(&opened).expect("mkdir");
    let (code, said) = tool_output(
        Command::new("tar")
            .arg("-xf")
            .arg(&tarball)
            .current_dir(&opened),
    );
    assert_eq!(code, 0, "{said}");
    let (code, out, err) = run(custos().args(["package", "verify"]).arg(opened.join(name)));
    assert_eq!(code, 0, "{out}{err}");
}

/// Decrypts the age archive `archive` into `out` with the standard `age` tool, typing
/// `passphrase` on the terminal it insists on (through `script`).
fn age_decrypt(archive: &std::path::Path, out: &std::path::Path, passphrase: &str) {
    let mut typing = Command::new("script")
        .args([
            "-qec",
            &format!("age -d -o '{}' '{}'", out.display(), archive.display()),
            "/dev/null",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script and age are installed (scripts/test installs age)");
    std::io::Write::write_all(
        &mut typing.stdin.take().expect("stdin"),
        format!("{passphrase}\n").as_bytes(),
    )
    .expect("type the passphrase");
    let typed = typing.wait_with_output().expect("age finishes");
    assert!(typed.status.success(), "{typed:?}");
}

/// BDC-5, ALT-8, ALT-14: in headless Chromium the DPO exports footage the demo recorded two
/// hours ago (by the clock libfaketime gave it then) from the Export page: the package is
/// made in the background with its progress shown, the passphrase is shown once, the
/// encrypted archive downloads through the browser, the standard `age` and `tar` give back
/// a package that `custos package verify` passes, and the download is in the logbook.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bdc_5_an_evidence_package_from_the_export_page_in_chromium() {
    use fantoccini::Locator;
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("scheme");
    // Recorded two hours ago, so the hour has closed.
    let said = record_two_hours_ago(&data);
    let password = said
        .lines()
        .find_map(|l| match l.trim().split_once(" password ") {
            Some((role, pw)) if role.trim() == "dpo" => Some(pw.trim().to_owned()),
            _ => None,
        })
        .expect("the DPO's password");
    // ALT-8: the owner is told by e-mail too, through the scheme's SMTP relay (here a
    // real SMTP server, aiosmtpd, printing what it receives).
    let smtp_port = free_port();
    let mut smtp = Command::new("/usr/bin/python3")
        .args(["-u", "-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{smtp_port}"))
        .args(["-c", "aiosmtpd.handlers.Debugging"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("aiosmtpd runs (scripts/test installs python3-aiosmtpd)");
    let _smtp_reap = Reap::new(&smtp);
    let received = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    {
        let received = received.clone();
        let out = smtp.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if let Ok(mut r) = received.lock() {
                    r.push_str(&line);
                    r.push('\n');
                }
            }
        });
    }
    let (code, out, err) = run(custos().arg("--data").arg(&data).args([
        "user",
        "email",
        "owner",
        "head@school.example",
    ]));
    assert_eq!(code, 0, "{out}{err}");
    let config = dir.path().join("custos.toml");
    std::fs::write(
        &config,
        format!(
            "[mail]\nsmtp = \"smtp://127.0.0.1:{smtp_port}\"\nfrom = \"CCTV <cctv@school.example>\"\n"
        ),
    )
    .expect("config");
    // Now, on the same scheme.
    let mut cmd = custos();
    cmd.arg("--config")
        .arg(&config)
        .arg("--data")
        .arg(&data)
        .args(["demo", "--listen", "127.0.0.1:0"]);
    let demo = RunningDemo::spawn(cmd);
    let addr = demo.addr.clone();
    let driver = Driver::start();
    let c = browser(&driver, &dir.path().join("profile")).await;
    browser_sign_in(&c, &addr, "dpo", &password).await;
    c.goto(&format!("http://{addr}/export"))
        .await
        .expect("export page");
    let (from, to) = around_two_hours_ago();
    pick_cameras(&c, "export-cameras", &["sim-1"]).await;
    set_value(&c, "export-from", &from).await;
    set_value(&c, "export-to", &to).await;
    type_in(&c, "export-exhibit", "JS/7").await;
    type_in(
        &c,
        "export-requester",
        "PC 1234 Smith, Hampshire Constabulary",
    )
    .await;
    type_in(&c, "export-recipient", "Hampshire Constabulary").await;
    type_in(
        &c,
        "export-purpose",
        "Investigation of criminal damage at the gate",
    )
    .await;
    // ALT-8: the DPO may export but not authorise downloads, so the request waits for
    // the owner, who authorises it in their own session from their Start page.
    let waiting = submit_and_leave(&c, "#export-form button", "/export").await;
    assert!(waiting.starts_with("/downloads/"), "{waiting}");
    assert!(
        c.find(Locator::Id("download-wanting"))
            .await
            .expect("who must authorise")
            .text()
            .await
            .expect("text")
            .contains("owner or manager")
    );
    assert!(
        c.find(Locator::Id("download-make")).await.is_err(),
        "not yet"
    );
    // The owner's e-mail arrives; the manager, who could authorise too, has no address.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mail = loop {
        let r = received.lock().expect("lock").clone();
        if r.contains("JS/7") || Instant::now() > deadline {
            break r;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(mail.contains("head@school.example"), "{mail}");
    assert!(
        mail.contains("exhibit JS/7 waits for your authorisation"),
        "{mail}"
    );
    assert!(
        mail.contains("PC 1234 Smith, Hampshire Constabulary"),
        "{mail}"
    );
    assert_eq!(mail.matches("MESSAGE FOLLOWS").count(), 1, "{mail}");
    let owner_password = said
        .lines()
        .find_map(|l| match l.trim().split_once(" password ") {
            Some((role, pw)) if role.trim() == "owner" => Some(pw.trim().to_owned()),
            _ => None,
        })
        .expect("the owner's password");
    let o = browser(&driver, &dir.path().join("profile-owner")).await;
    browser_sign_in(&o, &addr, "owner", &owner_password).await;
    o.goto(&format!("http://{addr}/start"))
        .await
        .expect("start page");
    o.find(Locator::Css("#todo-to-authorise a"))
        .await
        .expect("the request waits on the owner's Start page")
        .click()
        .await
        .expect("open it");
    o.find(Locator::Css("#download-authorise button"))
        .await
        .expect("the authorise button")
        .click()
        .await
        .expect("authorise");
    o.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Id("done"))
        .await
        .expect("it says the authorisation is recorded");
    assert!(
        o.find(Locator::Id("download-given"))
            .await
            .expect("given")
            .text()
            .await
            .expect("text")
            .starts_with("Demo owner as owner")
    );
    o.close().await.expect("close");
    // Back to the DPO, who makes the package.
    c.goto(&format!("http://{addr}{waiting}"))
        .await
        .expect("the download");
    let path = submit_and_leave(&c, "#download-make button", &waiting).await;
    assert!(path.starts_with("/exports/"), "{path}");
    c.wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Id("export-done"))
        .await
        .expect("the package is made");
    download_open_and_verify(&c, dir.path(), "JS-7").await;
    // Shown once: the page no longer has it.
    c.refresh().await.expect("reload");
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Id("export-done"))
        .await
        .expect("the page");
    assert!(c.find(Locator::Id("export-passphrase")).await.is_err());
    c.close().await.expect("close");
    drop(driver);
    demo.stop();
    let (_, ledger, _) = run(custos().arg("--data").arg(&data).args([
        "ledger", "export", "--book", "download", "--format", "jsonl",
    ]));
    assert!(
        ledger.contains("evidence-produced") && ledger.contains("evidence-downloaded"),
        "{ledger}"
    );
    assert!(
        ledger.contains("\"kind\":\"download-authorised\"")
            && ledger.contains("\"actor\":\"user:owner\""),
        "{ledger}"
    );
    let _ = smtp.kill();
    let _ = smtp.wait();
    assert!(
        ledger.contains("\"kind\":\"download-authoriser-told\"")
            && ledger.contains("\"to\":\"owner\"")
            && !ledger.contains("head@school.example"),
        "told, in the ledger without the address: {ledger}"
    );
    // ALT-8: the download log (Appendix I's columns) has the row: the owner's
    // authorisation, when it was downloaded, the reason and the requestor.
    let (code, log, err) = run(custos()
        .arg("--data")
        .arg(&data)
        .args(["ledger", "export", "--book", "download"]));
    assert_eq!(code, 0, "{err}");
    let row = log
        .lines()
        .find(|l| l.contains("Investigation of criminal damage at the gate"))
        .unwrap_or_else(|| panic!("a row for the download: {log}"));
    assert!(row.starts_with("owner ("), "{row}");
    assert!(
        row.contains("PC 1234 Smith, Hampshire Constabulary"),
        "{row}"
    );
}

/// BDC-5: footage can leave as soon as it is recorded. Seconds after a fresh demo starts
/// recording — before any camera has finished its first one-minute segment — the owner
/// exports the Export form's proposed range (the last ten minutes) in headless Chromium:
/// the recorder closes the open segment at the next key frame, the hour still being
/// recorded is sealed so far, and the package `custos package verify` passes proves its
/// segment with that interim seal, which is in the verified ledger.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bdc_5_footage_recorded_seconds_ago_exports_at_once_from_the_export_page() {
    use fantoccini::Locator;
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("scheme");
    let demo = RunningDemo::start(&data);
    let addr = demo.addr.clone();
    let password = demo
        .accounts
        .get("owner")
        .expect("the owner's password")
        .clone();
    let driver = Driver::start();
    let c = browser(&driver, &dir.path().join("profile")).await;
    browser_sign_in(&c, &addr, "owner", &password).await;
    // The simulated cameras are recording (their first segments are a minute long).
    tokio::time::sleep(Duration::from_secs(8)).await;
    c.goto(&format!("http://{addr}/export"))
        .await
        .expect("export page");
    pick_cameras(&c, "export-cameras", &["sim-1"]).await;
    type_in(&c, "export-exhibit", "JS/9").await;
    type_in(
        &c,
        "export-requester",
        "PC 1234 Smith, Suffolk Constabulary",
    )
    .await;
    type_in(&c, "export-recipient", "Suffolk Constabulary").await;
    type_in(&c, "export-purpose", "A theft at the gate a moment ago").await;
    let asked = now_ms();
    let path = submit_and_leave(&c, "#export-form button", "/export").await;
    assert!(
        path.starts_with("/exports/"),
        "the owner authorises as they ask: {path}"
    );
    c.wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Id("export-done"))
        .await
        .expect("the package is made");
    download_open_and_verify(&c, dir.path(), "JS-9").await;
    c.close().await.expect("close");
    drop(driver);
    let proofs: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("opened/JS-9/proofs.json")).expect("proofs.json"),
    )
    .expect("json");
    let segments = proofs["segments"].as_array().expect("segments");
    assert!(!segments.is_empty(), "{proofs}");
    assert!(
        segments
            .iter()
            .all(|p| p["ledger_entry"]["kind"] == "hour-sealed-interim"),
        "proved by the interim seal: {proofs}"
    );
    let body: serde_json::Value =
        serde_json::from_str(segments[0]["ledger_entry"]["body"].as_str().expect("body"))
            .expect("json");
    let through = body["through"].as_str().expect("through");
    let through_ms = through
        .parse::<jiff::Timestamp>()
        .expect("a time")
        .as_millisecond();
    assert!(
        through_ms >= asked - 1_500,
        "the footage reaches the moment it was asked for: {through} vs {asked}"
    );
    demo.stop();
    let (code, out, err) = run(custos().arg("--data").arg(&data).args(["ledger", "verify"]));
    assert_eq!(code, 0, "{out}{err}");
}

/// LBU-19, LBU-20, LBU-21, BDC-5, SCC-7: in headless Chromium the demo's owner — whom its
/// pack alone lets authorise disclosure to the police — opens a police request on the
/// Cases page for footage the demo recorded two hours ago (by the clock libfaketime gave it
/// then), with the crime reference; the case's checklist names the force's form and the
/// release agreement; the form is kept with the case by its kind, the officer's acceptance
/// of the agreement shown is recorded, and once the case is started the owner authorises
/// the release and releases it encrypted: the package is made in the background as on the
/// Export page, the archive downloads through the browser, the standard `age` and `tar`
/// give back a package that `custos package verify` passes, the disclosure log's CSV,
/// fetched by the browser, has the hand-over with the case and the package, and the ledger
/// has `disclosure-released`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lbu_19_a_police_disclosure_end_to_end_in_chromium() {
    use fantoccini::Locator;
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("scheme");
    // Recorded two hours ago, so the hour has closed.
    let said = record_two_hours_ago(&data);
    let password = said
        .lines()
        .find_map(|l| match l.trim().split_once(" password ") {
            Some((role, pw)) if role.trim() == "owner" => Some(pw.trim().to_owned()),
            _ => None,
        })
        .expect("the owner's password");
    // Now, on the same scheme.
    let demo = RunningDemo::start(&data);
    let addr = demo.addr.clone();
    let driver = Driver::start();
    let c = browser(&driver, &dir.path().join("profile")).await;
    browser_sign_in(&c, &addr, "owner", &password).await;
    c.goto(&format!("http://{addr}/cases"))
        .await
        .expect("cases page");
    // The intake form is folded under its heading until wanted.
    c.find(Locator::Css("#third-party > summary"))
        .await
        .expect("the third-party request form's heading")
        .click()
        .await
        .expect("open it");
    let (from, to) = around_two_hours_ago();
    set_value(&c, "disclosure-category", "law-enforcement").await;
    set_value(&c, "disclosure-type", "primary").await;
    type_in(&c, "disclosure-name", "PC 1234 Smith").await;
    type_in(
        &c,
        "disclosure-contact",
        "pc1234.smith@hampshire.police.example",
    )
    .await;
    type_in(&c, "disclosure-organisation", "Hampshire Constabulary").await;
    type_in(&c, "disclosure-crime", "44/123456/26").await;
    type_in(
        &c,
        "disclosure-purpose",
        "Investigation of criminal damage at the gate",
    )
    .await;
    pick_cameras(&c, "disclosure-cameras", &["sim-1"]).await;
    set_value(&c, "disclosure-from", &from).await;
    set_value(&c, "disclosure-to", &to).await;
    let path = submit_and_leave(&c, "#open-disclosure button", "/cases").await;
    assert!(path.starts_with("/cases/DIS-"), "{path}");
    let reference = path.trim_start_matches("/cases/").to_owned();
    let checklist = c
        .find(Locator::Id("disclosure-checklist"))
        .await
        .expect("what the release still needs")
        .text()
        .await
        .expect("text");
    assert!(
        checklist.contains("form certifying the purpose")
            && checklist.contains("release agreement"),
        "{checklist}"
    );
    assert!(!checklist.contains("crime reference"), "{checklist}");
    // The force's request form, kept with the case by its kind.
    let form = dir.path().join("police-request-form.pdf");
    std::fs::write(
        &form,
        b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n",
    )
    .expect("write the form");
    set_value(&c, "disclosure-kind", "police-request-form").await;
    c.find(Locator::Id("disclosure-file"))
        .await
        .expect("the file field")
        .send_keys(&form.display().to_string())
        .await
        .expect("choose the file");
    submit_and_reload(&c, "#disclosure-attach button").await;
    let documents = c
        .find(Locator::Id("disclosure-documents"))
        .await
        .expect("the documents kept")
        .text()
        .await
        .expect("text");
    assert!(
        documents.contains("form certifying the purpose"),
        "{documents}"
    );
    // The officer reads the agreement and accepts it.
    let shown = c
        .find(Locator::Id("agreement-preview"))
        .await
        .expect("the agreement")
        .text()
        .await
        .expect("text");
    assert!(
        shown.contains("PC 1234 Smith") && shown.contains("Investigation of criminal damage"),
        "{shown}"
    );
    c.find(Locator::Id("agreement-accept"))
        .await
        .expect("the box")
        .click()
        .await
        .expect("tick");
    submit_and_reload(&c, "#disclosure-agreement button").await;
    c.find(Locator::Id("agreement-accepted"))
        .await
        .expect("the acceptance is recorded");
    let ready = c
        .find(Locator::Id("disclosure-ready"))
        .await
        .expect("nothing is missing")
        .text()
        .await
        .expect("text");
    assert!(ready.contains("owner"), "{ready}");
    set_value(&c, "step", "start:").await;
    submit_and_reload(&c, "#case-step button").await;
    submit_and_reload(&c, "#disclosure-authorise button").await;
    let authorised = c
        .find(Locator::Id("disclosure-authorised"))
        .await
        .expect("authorised")
        .text()
        .await
        .expect("text");
    assert!(authorised.contains("owner"), "{authorised}");
    type_in(&c, "release-exhibit", "HC/1").await;
    assert!(
        c.find(Locator::Id("release-encrypt"))
            .await
            .expect("the box")
            .is_selected()
            .await
            .expect("ticked?"),
        "encrypted unless unticked"
    );
    // Releasing asks first, naming the footage and the recipient.
    submit_and_leave(&c, "#disclosure-release button", &path).await;
    let asked = c
        .find(Locator::Id("confirm-what"))
        .await
        .expect("the confirmation")
        .text()
        .await
        .expect("text");
    assert!(
        asked.contains("You are about to release the footage of")
            && asked.contains("as exhibit HC/1")
            && asked.contains("cannot be undone"),
        "{asked}"
    );
    let here = c.current_url().await.expect("url").path().to_owned();
    let job = submit_and_leave(&c, "#confirm-button", &here).await;
    assert!(job.starts_with("/exports/"), "{job}");
    c.wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Id("export-done"))
        .await
        .expect("the package is made");
    let package = c
        .find(Locator::Id("export-package"))
        .await
        .expect("the package id")
        .text()
        .await
        .expect("text");
    download_open_and_verify(&c, dir.path(), "HC-1").await;
    // The disclosure log, as the browser downloads it.
    let csv = c
        .execute_async(
            "const done = arguments[arguments.length - 1]; fetch('/disclosures.csv').then(r => r.text()).then(done);",
            vec![],
        )
        .await
        .expect("the browser downloads the log");
    let csv = csv.as_str().expect("text").to_owned();
    assert!(csv.starts_with("Handed over at,"), "{csv}");
    let row = csv
        .lines()
        .find(|l| l.contains(&reference))
        .unwrap_or_else(|| panic!("{reference} in {csv}"));
    assert!(
        row.contains(package.trim())
            && row.contains("44/123456/26")
            && row.contains("PC 1234 Smith"),
        "{row}"
    );
    c.goto(&format!("http://{addr}/disclosures"))
        .await
        .expect("disclosures page");
    c.find(Locator::Id(&format!("release-{}", package.trim())))
        .await
        .expect("the hand-over in the log");
    c.close().await.expect("close");
    drop(driver);
    demo.stop();
    let (_, ledger, _) = run(custos()
        .arg("--data")
        .arg(&data)
        .args(["ledger", "export", "--book", "case", "--format", "jsonl"]));
    assert!(
        ledger.contains("disclosure-released") && ledger.contains(&reference),
        "{ledger}"
    );
}

/// BDC-18: the supervisor's checks from the console under the council's pack — the
/// manager's open incident is listed for the supervisor (its outcome and countersignature
/// waiting); the supervisor marks the incident log checked, which the list then shows; the
/// Chief Executive, who countersigns none of the books, has no checks; a book that is not
/// the control room's is refused by name.
#[test]
fn bdc_18_the_supervisors_checks_from_the_console() {
    let dir = tempfile::tempdir().expect("tmp");
    let custos_at = council_at_the_console(dir.path());
    let (code, out, err) = custos_at(&[
        "user",
        "add",
        "sup",
        "--name",
        "Sam Supervisor",
        "--role",
        "supervisor",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = custos_at(&[
        "incident",
        "record",
        "--as",
        "mgr",
        "--place",
        "Bus station",
        "--seen",
        "A shelter window broken",
        "--seen-by",
        "Max Manager",
        "--action",
        "Told the bus company",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let reference = reference_in(&out, "INC-");
    let (code, out, err) = custos_at(&["checks", "list", "--as", "sup"]);
    assert_eq!(code, 0, "{out}{err}");
    for words in [
        "Incident log\n  never checked",
        &format!("{reference} (Bus station) has no outcome yet"),
        &format!("{reference} (Bus station) is not countersigned"),
    ] {
        assert!(out.contains(words), "{words}: {out}");
    }
    let (code, out, err) = custos_at(&["checks", "done", "incident", "--as", "sup"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("sup checked the incident log as supervisor, with 2 waiting"),
        "{out}"
    );
    let (code, out, err) = custos_at(&["checks", "list", "--as", "sup"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("last checked ") && out.contains("(supervisor), 2 waiting then"),
        "{out}"
    );
    let (code, _, err) = custos_at(&["checks", "list", "--as", "ceo"]);
    assert_ne!(code, 0);
    assert!(err.contains("no checks"), "{err}");
    let (code, _, err) = custos_at(&["checks", "done", "review", "--as", "sup"]);
    assert_ne!(code, 0);
    assert!(err.contains("not one of the control room's books"), "{err}");
}

/// BDC-38, LJM-5: the deployment log from the console under the council's pack — the
/// manager deploys the market square camera with its grounds, one of the code's purposes
/// and why consultation was not possible; the Chief Executive, who does not keep the log,
/// cannot; a second deployment over the same time is refused; the signs go up, the
/// planned end is corrected with a reason, a photo is kept, the camera comes down; the log
/// written as CSV in the code's columns and as a PDF `qpdf` accepts.
#[test]
fn bdc_38_the_deployment_log_from_the_console() {
    let dir = tempfile::tempdir().expect("tmp");
    let custos_at = council_at_the_console(dir.path());
    let record = |who: &str, from: &str| {
        custos_at(&[
            "deployment",
            "record",
            "--as",
            who,
            "--camera",
            "market-square",
            "--place",
            "Bridge Street",
            "--map-reference",
            "SK 585 805",
            "--from",
            from,
            "--until",
            "2026-01-20T09:00",
            "--grounds",
            "both",
            "--justification",
            "Analysis CP-3 and intelligence log IL-9: shop thefts",
            "--purpose",
            "Apprehension and/or prosecution of offenders",
            "--not-consulted",
            "Telling the shops would alert the thieves",
            "--privacy",
            "No homes in view",
            "--authorised-by",
            "Max Manager, CCTV Manager",
        ])
    };
    let (code, out, err) = record("ceo", "2026-01-05T09:00");
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("deployment"), "{err}");
    let (code, out, err) = record("mgr", "2026-01-05T09:00");
    assert_eq!(code, 0, "{out}{err}");
    let reference = reference_in(&out, "DEP-");
    assert!(out.contains("Not possible: Telling the shops"), "{out}");
    let (code, _, err) = record("mgr", "2026-01-10T09:00");
    assert_ne!(code, 0);
    assert!(err.contains(&reference), "{err}");
    let (code, out, err) = custos_at(&[
        "deployment",
        "step",
        &reference,
        "signs-up",
        "--as",
        "mgr",
        "--at",
        "2026-01-05T08:00",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = custos_at(&[
        "deployment",
        "correct",
        &reference,
        "--as",
        "mgr",
        "--field",
        "until",
        "--value",
        "2026-01-27T09:00",
        "--reason",
        "Extended a week after more thefts",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Extended a week after more thefts"), "{out}");
    let photo = dir.path().join("sign.jpg");
    std::fs::write(&photo, b"\xff\xd8 the sign on the lamp post").expect("write");
    let (code, out, err) = custos_at(&[
        "deployment",
        "document",
        &reference,
        "--as",
        "mgr",
        "--kind",
        "signs-erected",
        "--file",
        &photo.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("document  sign.jpg (signs-erected"), "{out}");
    let (code, out, err) = custos_at(&[
        "deployment",
        "step",
        &reference,
        "removed",
        "--as",
        "mgr",
        "--at",
        "2026-01-26T17:00",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Camera removed, signs still up"), "{out}");

    let csv = dir.path().join("deployments.csv");
    let (code, out, err) = custos_at(&["deployment", "csv", "--out", &csv.to_string_lossy()]);
    assert_eq!(code, 0, "{out}{err}");
    let text = std::fs::read_to_string(&csv).expect("csv");
    assert!(
        text.lines().next().is_some_and(|h| h.contains(
            "Reference,Camera,Place,Map reference,From,Until,Grounds,Crime pattern or intelligence,Purpose,Consultation"
        )),
        "{text}"
    );
    assert!(
        text.contains(&reference) && text.contains("Bridge Street"),
        "{text}"
    );
    let pdf = dir.path().join("deployments.pdf");
    let (code, out, err) = custos_at(&["deployment", "pdf", "--out", &pdf.to_string_lossy()]);
    assert_eq!(code, 0, "{out}{err}");
    let check = std::process::Command::new("qpdf")
        .arg("--check")
        .arg(&pdf)
        .output()
        .expect("qpdf is installed");
    assert!(check.status.success(), "{check:?}");
}

/// LBU-24: body-worn cameras from the console under the council's pack, silent on them (so
/// the lawful default keeps the log): the Chief Executive may not register a camera; the
/// manager registers one, issues it for the day only with the officer's name under the
/// acknowledgement (which the command prints), may not issue it twice, records its return,
/// lists it back in store, retires it; the log is written as CSV in the code's columns and
/// as a PDF.
#[test]
fn lbu_24_body_worn_cameras_from_the_console() {
    let dir = tempfile::tempdir().expect("tmp");
    let custos_at = council_at_the_console(dir.path());
    let add = |who: &str| {
        custos_at(&[
            "bodyworn",
            "device",
            "add",
            "--as",
            who,
            "--id",
            "bwv-03",
            "--serial",
            "SN-3301",
            "--model",
            "Reveal D5",
            "--owner",
            "Community safety",
        ])
    };
    let (code, out, _) = add("ceo");
    assert_ne!(code, 0, "{out}");
    let (code, out, err) = add("mgr");
    assert_eq!(code, 0, "{out}{err}");
    let issue = |ack: &str| {
        custos_at(&[
            "bodyworn",
            "issue",
            "--as",
            "mgr",
            "--device",
            "bwv-03",
            "--officer",
            "Pat Warden",
            "--daily",
            "--acknowledged-by",
            ack,
        ])
    };
    let (code, out, err) = issue(" ");
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("acknowledgement"), "{err}");
    let (code, out, err) = issue("Pat Warden");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("I take responsibility"), "{out}");
    let reference = reference_in(&out, "BWV-");
    let (code, _, err) = issue("Pat Warden");
    assert_ne!(code, 0);
    assert!(err.contains(&reference), "{err}");
    let (code, out, err) = custos_at(&["bodyworn", "device", "list"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("out to Pat Warden"), "{out}");
    let (code, out, err) = custos_at(&["bodyworn", "return", &reference, "--as", "mgr"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = custos_at(&["bodyworn", "device", "list"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("in store"), "{out}");
    let (code, out, err) = custos_at(&["bodyworn", "device", "retire", "bwv-03", "--as", "mgr"]);
    assert_eq!(code, 0, "{out}{err}");

    let csv = dir.path().join("bodyworn.csv");
    let (code, out, err) = custos_at(&["bodyworn", "csv", "--out", &csv.to_string_lossy()]);
    assert_eq!(code, 0, "{out}{err}");
    let text = std::fs::read_to_string(&csv).expect("csv");
    assert!(
        text.lines().next().is_some_and(|h| h.contains(
            "Reference,Device,Officer,Assignment,Issued,Issued by,Acknowledged by (typed name)"
        )),
        "{text}"
    );
    assert!(
        text.contains(&reference) && text.contains("Returned"),
        "{text}"
    );
    let pdf = dir.path().join("bodyworn.pdf");
    let (code, out, err) = custos_at(&["bodyworn", "pdf", "--out", &pdf.to_string_lossy()]);
    assert_eq!(code, 0, "{out}{err}");
    let bytes = std::fs::read(&pdf).expect("pdf");
    assert!(bytes.starts_with(b"%PDF-"));
}

/// BDC-36, BDC-18, BDC-24, BDC-23, BDC-34: one control-room shift in the council's demo,
/// in Chromium — the operator signs on, logs an incident from the live tile of the camera
/// that saw it and links its footage, enters a visitor who accepts the undertaking on
/// screen and later leaves, and makes a video print on the Inspector's written authority;
/// the supervisor countersigns the visit and the incident once its outcome is recorded, and
/// marks the incident log and the visitors' log checked, after which the shift's entries
/// wait for nothing; the operator signs off, and their shift's event log shows all they
/// did.
#[tokio::test]
async fn bdc_36_a_control_room_shift_walked_in_chromium() {
    use fantoccini::Locator;
    let dir = tempfile::tempdir().expect("tmp");
    let mut cmd = custos();
    cmd.arg("--data")
        .arg(dir.path().join("scheme"))
        .args(["demo", "--listen", "127.0.0.1:0", "--policy"])
        .arg(policies().join("bassetlaw-district-council.toml"));
    let demo = RunningDemo::spawn(cmd);
    let addr = demo.addr.clone();
    let base = format!("http://{addr}");
    let password = |role: &str| demo.accounts.get(role).cloned().expect("a password");
    let driver = Driver::start();
    let op = browser(&driver, &dir.path().join("operator")).await;
    browser_sign_in(&op, &addr, "operator", &password("operator")).await;
    let sup = browser(&driver, &dir.path().join("supervisor")).await;
    browser_sign_in(&sup, &addr, "supervisor", &password("supervisor")).await;

    // On duty; an incident seen live, logged from the camera's tile.
    op.goto(&format!("{base}/live")).await.expect("live");
    submit_and_reload(&op, "form[action='/duty/on'] button").await;
    op.find(Locator::Id("live-sim-1-incident"))
        .await
        .expect("the tile's link")
        .click()
        .await
        .expect("click");
    op.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Id("incident-form"))
        .await
        .expect("the incident form");
    type_in(&op, "incident-place", "Market square, by the fountain").await;
    type_in(
        &op,
        "incident-seen",
        "Two people fighting; one knocked down",
    )
    .await;
    type_in(
        &op,
        "incident-action",
        "Called the police; followed on camera",
    )
    .await;
    let incident = submit_and_leave(&op, "#incident-form button", "/incidents/new").await;
    assert!(incident.starts_with("/incidents/INC-"), "{incident}");
    let inc_ref = incident.trim_start_matches("/incidents/").to_owned();
    op.find(Locator::Css("#incident-footage-panel summary"))
        .await
        .expect("the footage panel")
        .click()
        .await
        .expect("open");
    submit_and_reload(&op, "#incident-link-footage button").await;
    let page = op.source().await.expect("page");
    assert!(page.contains("— held"), "the footage is held: {page}");

    // A visitor arrives, accepting the undertaking on screen, and later leaves.
    op.goto(&format!("{base}/visitors"))
        .await
        .expect("visitors");
    type_in(&op, "visitor-name", "Casey Visitor").await;
    type_in(&op, "visitor-organisation", "Nottinghamshire Police").await;
    type_in(&op, "visitor-purpose", "Liaison visit").await;
    type_in(&op, "visitor-authorised-by", "Sam Supervisor").await;
    type_in(&op, "visitor-authoriser-role", "CCTV supervisor").await;
    op.find(Locator::Id("visitor-accept"))
        .await
        .expect("the box")
        .click()
        .await
        .expect("tick");
    type_in(&op, "visitor-typed-name", "Casey Visitor").await;
    let visit = submit_and_leave(&op, "#visitor-arrival button", "/visitors").await;
    assert!(visit.starts_with("/visitors/VIS-"), "{visit}");
    let vis_ref = visit.trim_start_matches("/visitors/").to_owned();
    submit_and_reload(&op, "#visit-left button").await;

    // A print on the Inspector's written authority the demo recorded, once footage exists.
    let year = custos_base::UnixMs(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(0)),
    )
    .to_uk_local_input()
    .get(..4)
    .unwrap_or("2026")
    .to_owned();
    let authority = format!("/print-authorities/VPA-{year}-0001");
    let deadline = Instant::now() + Duration::from_secs(180);
    let print = loop {
        op.goto(&format!("{base}{authority}"))
            .await
            .expect("the authority");
        let path = submit_and_leave(&op, "#print-form button", &authority).await;
        if path.starts_with("/prints/") {
            break path;
        }
        assert!(Instant::now() < deadline, "no print was made: {path}");
        tokio::time::sleep(Duration::from_secs(5)).await;
    };
    let print_ref = print.trim_start_matches("/prints/").to_owned();

    // The outcome, so the incident waits only for its countersignature.
    op.goto(&format!("{base}{incident}"))
        .await
        .expect("incident");
    op.find(Locator::Css("#incident-outcome-panel summary"))
        .await
        .expect("the outcome panel")
        .click()
        .await
        .expect("open");
    type_in(&op, "outcome-text", "Police attended; one arrest").await;
    submit_and_reload(&op, "#incident-outcome button").await;

    // The supervisor's checks: what waits, countersigned, then each book marked checked.
    sup.goto(&format!("{base}/checks")).await.expect("checks");
    let checks = sup.source().await.expect("page");
    for words in [
        format!("{inc_ref} (Market square, by the fountain) is not countersigned"),
        format!("{vis_ref} (Casey Visitor, Nottinghamshire Police) is not countersigned"),
        format!("{print_ref} ("),
    ] {
        assert!(checks.contains(&words), "{words}: {checks}");
    }
    sup.goto(&format!("{base}{visit}")).await.expect("visit");
    submit_and_reload(&sup, "#visit-countersign button").await;
    sup.goto(&format!("{base}{incident}"))
        .await
        .expect("incident");
    submit_and_reload(&sup, "#incident-countersign button").await;
    sup.goto(&format!("{base}/checks")).await.expect("checks");
    submit_and_reload(&sup, "#check-incident button").await;
    submit_and_reload(&sup, "#check-visitors button").await;
    let checks = sup.source().await.expect("page");
    for r in [&inc_ref, &vis_ref] {
        assert!(
            !checks.contains(&format!("{r} (")),
            "{r} waits for nothing now: {checks}"
        );
    }
    let last = sup
        .find(Locator::Id("book-visitors-last"))
        .await
        .expect("last checked")
        .text()
        .await
        .expect("text");
    assert!(last.starts_with("Last checked "), "{last}");

    // Off duty; the shift's event log holds it all.
    op.goto(&format!("{base}/start")).await.expect("start");
    submit_and_reload(&op, "form[action='/duty/off'] button").await;
    op.goto(&format!("{base}/shifts")).await.expect("shifts");
    let shift = op
        .find(Locator::Css("#shifts a"))
        .await
        .expect("the shift")
        .attr("href")
        .await
        .expect("href")
        .expect("a link");
    op.goto(&format!("{base}{shift}")).await.expect("the shift");
    let log = op.source().await.expect("page");
    for words in [inc_ref.as_str(), vis_ref.as_str(), print_ref.as_str()] {
        assert!(log.contains(words), "{words} in the shift: {log}");
    }
    op.close().await.expect("close");
    sup.close().await.expect("close");
    drop(driver);
    demo.stop();
}

/// A council scheme from the console under Bassetlaw's pack, with camera `market-square`,
/// a manager and the Chief Executive; returns the runner for further commands.
fn council_at_the_console(dir: &std::path::Path) -> impl Fn(&[&str]) -> (i32, String, String) {
    let data = dir.join("scheme");
    let (code, out, err) = run(custos()
        .arg("--data")
        .arg(&data)
        .arg("init")
        .arg("--policy")
        .arg(policies().join("bassetlaw-district-council.toml")));
    assert_eq!(code, 0, "{out}{err}");
    let custos_at = move |args: &[&str]| run(custos().arg("--data").arg(&data).args(args));
    for args in [
        &[
            "group",
            "add",
            "town",
            "--site",
            "retford",
            "--name",
            "Town centre",
        ][..],
        &[
            "camera",
            "add",
            "market-square",
            "--name",
            "Market square",
            "--site",
            "retford",
            "--location",
            "Above the market cross",
            "--area",
            "Market square",
            "--purpose",
            "crime-deterrence-detection",
            "--group",
            "town",
            "--url",
            "rtsp://192.0.2.10/s1",
        ],
        &[
            "user",
            "add",
            "ceo",
            "--name",
            "Chris Chief",
            "--role",
            "chief-executive",
        ],
        &[
            "user",
            "add",
            "mgr",
            "--name",
            "Max Manager",
            "--role",
            "manager",
        ],
        &[
            "user",
            "add",
            "teamie",
            "--name",
            "Terry Team",
            "--role",
            "operator",
        ],
    ] {
        let (code, out, err) = custos_at(args);
        assert_eq!(code, 0, "{args:?}: {out}{err}");
    }
    custos_at
}

fn reference_in(out: &str, prefix: &str) -> String {
    out.split_whitespace()
        .find(|w| w.starts_with(prefix))
        .map(|w| w.trim_end_matches(['.', ':']).to_owned())
        .expect("a reference")
}

/// BDC-25: a police request for partial control from the console: a Sergeant's is refused
/// as too junior; an Inspector's is recorded with its written request; the manager cannot
/// agree to it, the Chief Executive does in their own name; a note made under control is
/// shown as what was done, and the hand-back ends the period. The generic case steps
/// refuse it.
#[test]
fn bdc_25_police_control_from_the_console() {
    let dir = tempfile::tempdir().expect("tmp");
    let custos_at = council_at_the_console(dir.path());
    let written = dir.path().join("request.txt");
    std::fs::write(
        &written,
        "Request to assume partial control. Insp J Doe 4821",
    )
    .expect("file");
    let written = written.to_string_lossy().into_owned();
    let request = |rank: &str| {
        custos_at(&[
            "police-control",
            "request",
            "--summary",
            "Market day operation",
            "--officer",
            "Jane Doe",
            "--rank",
            rank,
            "--number",
            "4821",
            "--force",
            "Nottinghamshire Police",
            "--control",
            "partial",
            "--camera",
            "market-square",
            "--reason",
            "Public order operation at the market",
            "--written",
            &written,
        ])
    };
    let (code, _, err) = request("sergeant");
    assert_ne!(code, 0);
    assert!(err.contains("a Sergeant is too junior"), "{err}");
    let (code, out, err) = request("inspector");
    assert_eq!(code, 0, "{out}{err}");
    let reference = reference_in(&out, "POL-");
    let (code, _, err) = custos_at(&["case", "act", &reference, "agree"]);
    assert_ne!(code, 0);
    assert!(err.contains("custos police-control"), "{err}");
    let (code, _, err) = custos_at(&["police-control", "agree", &reference, "--as", "mgr"]);
    assert_ne!(code, 0);
    assert!(err.contains("Chief executive"), "{err}");
    let (code, out, err) = custos_at(&["police-control", "agree", &reference, "--as", "ceo"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("agreed"), "{out}");
    assert!(out.contains("InControl"), "{out}");
    let (code, out, err) = custos_at(&[
        "case",
        "note",
        &reference,
        "Camera turned to the market hall at the officer's direction",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = custos_at(&["police-control", "hand-back", &reference]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("HandedBack"), "{out}");
    assert!(out.contains("market hall"), "{out}");
    let (code, out, err) = custos_at(&["ledger", "verify"]);
    assert_eq!(code, 0, "{out}{err}");
}

/// BDC-16: a police RIPA authorisation from the console: recorded, reviewed, renewed and
/// cancelled with `custos covert`, each step shown in words; the generic case steps refuse
/// it and point to these commands.
#[test]
fn bdc_16_a_covert_authorisation_is_worked_from_the_console() {
    let dir = tempfile::tempdir().expect("tmp");
    let custos_at = council_at_the_console(dir.path());
    let (code, out, err) = custos_at(&[
        "covert",
        "open",
        "--summary",
        "Thefts from the market stalls",
        "--surveillance",
        "directed",
        "--body",
        "police",
        "--organisation",
        "Nottinghamshire Police",
        "--urn",
        "NP/CAB/2026/0142",
        "--ground",
        "crime-or-disorder",
        "--rationale",
        "Repeated thefts at night; overt cameras were avoided",
        "--authorised-by",
        "Supt A. Example",
        "--camera",
        "market-square",
        "--areas",
        "The market stalls",
        "--team",
        "teamie",
        "--first-review",
        "2099-01-01",
    ]);
    // The first review must fall within its three months: the error names it.
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("review"), "{err}");
    let review_day = {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("time")
            .as_secs() as i64;
        jiff::Timestamp::from_second(now + 7 * 86_400)
            .expect("time")
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date()
            .to_string()
    };
    let (code, out, err) = custos_at(&[
        "covert",
        "open",
        "--summary",
        "Thefts from the market stalls",
        "--surveillance",
        "directed",
        "--body",
        "police",
        "--organisation",
        "Nottinghamshire Police",
        "--urn",
        "NP/CAB/2026/0142",
        "--ground",
        "crime-or-disorder",
        "--rationale",
        "Repeated thefts at night; overt cameras were avoided",
        "--authorised-by",
        "Supt A. Example",
        "--camera",
        "market-square",
        "--areas",
        "The market stalls",
        "--team",
        "teamie",
        "--first-review",
        &review_day,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let reference = reference_in(&out, "COV-");
    let (code, _, err) = custos_at(&["case", "act", &reference, "cancel", "--reasons", "done"]);
    assert_ne!(code, 0);
    assert!(err.contains("custos covert"), "{err}");
    let (code, out, err) = custos_at(&[
        "covert",
        "review",
        &reference,
        "--findings",
        "Still necessary: two more thefts this week",
        "--next-review",
        &review_day,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("record a review recorded"), "{out}");
    let (code, out, err) = custos_at(&[
        "covert",
        "renew",
        &reference,
        "--reasons",
        "The thefts go on; still proportionate",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("renewed"), "{out}");
    let (code, out, err) = custos_at(&[
        "covert",
        "cancel",
        &reference,
        "--reason",
        "The suspects were arrested",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("cancelled"), "{out}");
    let (code, _, err) = custos_at(&["covert", "approve-judicially", &reference]);
    assert_ne!(
        code, 0,
        "a police authorisation needs no justice, and it is cancelled"
    );
    assert!(!err.is_empty());
}

/// BDC-24, BDC-18: the incident log from the console under the council's pack — the
/// manager records an incident on the market square camera in their own name (`--as`); the
/// Chief Executive, whose role does not keep the log, cannot; it is listed open, corrected
/// with a reason shown in its history, closed with its outcome, countersigned by a
/// supervisor (not by the Chief Executive), its footage linked and held; the log written as
/// CSV in the code's columns and as a PDF `qpdf` accepts; the ledger verifies.
#[test]
fn bdc_24_the_incident_log_from_the_console() {
    let dir = tempfile::tempdir().expect("tmp");
    let custos_at = council_at_the_console(dir.path());
    let (code, out, err) = custos_at(&[
        "user",
        "add",
        "sup",
        "--name",
        "Sam Supervisor",
        "--role",
        "supervisor",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let record = |who: &str| {
        custos_at(&[
            "incident",
            "record",
            "--as",
            who,
            "--camera",
            "market-square",
            "--place",
            "Market square",
            "--seen",
            "A stall overturned",
            "--seen-by",
            "Max Manager",
            "--action",
            "Sent the street warden",
        ])
    };
    let (code, out, err) = record("ceo");
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("incident log"), "{err}");
    let (code, out, err) = record("mgr");
    assert_eq!(code, 0, "{out}{err}");
    let reference = reference_in(&out, "INC-");
    assert!(out.contains("open"), "{out}");
    assert!(out.contains("market-square"), "{out}");

    let (code, out, err) = custos_at(&["incident", "list", "--open"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(&reference) && out.contains("open"), "{out}");

    let (code, _, err) = custos_at(&[
        "incident",
        "correct",
        &reference,
        "--as",
        "mgr",
        "--reason",
        "",
        "--place",
        "Market square, by the cross",
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("say why"), "{err}");
    let (code, out, err) = custos_at(&[
        "incident",
        "correct",
        &reference,
        "--as",
        "mgr",
        "--reason",
        "The place was misheard on the radio",
        "--place",
        "Market square, by the cross",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("The place was misheard on the radio"), "{out}");
    assert!(out.contains("\"Market square, by the cross\""), "{out}");

    let (code, out, err) = custos_at(&[
        "incident",
        "outcome",
        &reference,
        "--as",
        "mgr",
        "--outcome",
        "Stall righted; no damage",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("closed"), "{out}");
    let (code, out, err) = custos_at(&["incident", "list", "--open"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains(&reference), "{out}");

    let (code, _, err) = custos_at(&["incident", "countersign", &reference, "--as", "ceo"]);
    assert_ne!(code, 0);
    assert!(
        err.contains("countersigned here by the supervisor"),
        "{err}"
    );
    let (code, out, err) = custos_at(&["incident", "countersign", &reference, "--as", "sup"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("countersigned") && out.contains("sup"),
        "{out}"
    );

    let (code, out, err) = custos_at(&[
        "incident",
        "link-footage",
        &reference,
        "--as",
        "mgr",
        "--camera",
        "market-square",
        "--from",
        "2026-01-05T09:00",
        "--to",
        "2026-01-05T09:15",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("footage") && out.contains("held"), "{out}");

    // The manager's witness statement, from a file, kept encrypted with the incident.
    let statement = dir.path().join("statement.txt");
    std::fs::write(
        &statement,
        "I saw the stall tip over when the wind caught it.",
    )
    .expect("write");
    let (code, out, err) = custos_at(&[
        "incident",
        "statement",
        &reference,
        "--as",
        "mgr",
        "--file",
        &statement.to_string_lossy(),
        "--name",
        "Statement of Max Manager",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("statement  Statement of Max Manager"), "{out}");
    assert!(
        std::fs::read_dir(dir.path().join("scheme").join("documents"))
            .map(|mut d| d.next().is_some())
            .unwrap_or(false),
        "the statement is kept under the scheme's documents"
    );
    let (code, _, err) = custos_at(&[
        "incident",
        "link",
        &reference,
        "--as",
        "mgr",
        "--download",
        "Dnothere0000",
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("no download"), "{err}");

    // BDC-18: the supervisor records one of their own, and may not countersign it, from
    // the console as anywhere else.
    let (code, out, err) = record("sup");
    assert_eq!(code, 0, "{out}{err}");
    let own = reference_in(&out, "INC-");
    let (code, _, err) = custos_at(&["incident", "countersign", &own, "--as", "sup"]);
    assert_ne!(code, 0, "countersigned by who recorded it");
    assert!(err.contains("someone other than who recorded it"), "{err}");

    let csv = dir.path().join("incident-log.csv");
    let (code, out, err) = custos_at(&["incident", "csv", "--out", &csv.to_string_lossy()]);
    assert_eq!(code, 0, "{out}{err}");
    let text = std::fs::read_to_string(&csv).expect("csv");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "Reference,Occurred,Camera,Place,What was seen,Seen by,Police reference,\
             Action taken,Outcome,Linked footage,Countersigned by,Countersigned at,Corrections"
        )
    );
    assert!(
        text.contains(&reference) && text.contains("Stall righted"),
        "{text}"
    );

    let pdf = dir.path().join("incident-log.pdf");
    let (code, out, err) = custos_at(&["incident", "pdf", "--out", &pdf.to_string_lossy()]);
    assert_eq!(code, 0, "{out}{err}");
    let check = Command::new("qpdf")
        .arg("--check")
        .arg(&pdf)
        .output()
        .expect("qpdf is installed (scripts/test installs it)");
    assert!(check.status.success(), "{check:?}");

    let (code, out, err) = custos_at(&["ledger", "verify"]);
    assert_eq!(code, 0, "{out}{err}");
}

/// LBU-16, BDC-19, ALT-15 at the console, under Bassetlaw's pack: a check recorded only by a
/// keeper of the faults and maintenance log (not the Chief Executive), a failed item
/// reporting a fault, the contractor called, responding and fixing it, a correction, each
/// camera's next check and the faults open, and the log as CSV in the codes' columns and as
/// a PDF `qpdf` accepts; the ledger still verifies.
#[test]
fn lbu_16_the_maintenance_log_from_the_console() {
    let dir = tempfile::tempdir().expect("tmp");
    let custos_at = council_at_the_console(dir.path());
    let check = |who: &str, extra: &[&str]| {
        let mut args = vec![
            "maintenance",
            "check",
            "--as",
            who,
            "--camera",
            "market-square",
            "--all-pass",
        ];
        args.extend_from_slice(extra);
        custos_at(&args)
    };
    let (code, out, err) = check("ceo", &[]);
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("faults and maintenance log"), "{err}");
    let (code, out, err) = check("teamie", &["--result", "focus=fail"]);
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("wrong with the focus"), "{err}");
    let (code, out, err) = check("teamie", &["--result", "focus=fail: blurred at night"]);
    assert_eq!(code, 0, "{out}{err}");
    let check_ref = reference_in(&out, "CHK-");
    let fault = reference_in(&out, "FLT-");
    assert!(out.contains("Failed: Focus"), "{out}");

    let contractor = |event: &[&str]| {
        let mut args = vec!["maintenance", "contractor", fault.as_str(), "--as", "mgr"];
        args.extend_from_slice(event);
        custos_at(&args)
    };
    let (code, out, err) = contractor(&["responded"]);
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("record the call first"), "{err}");
    let (code, out, err) = contractor(&["called", "--name", "Ace Security", "--job", "J-1"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Ace Security (job J-1)"), "{out}");
    let (code, out, err) = contractor(&["responded", "--note", "Engineer on the way"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = contractor(&["fixed", "--work", "Cleaned and refocused the lens"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Fixed"), "{out}");
    assert!(out.contains("(by the contractor)"), "{out}");

    let (code, out, err) = custos_at(&[
        "maintenance",
        "correct",
        &check_ref,
        "--as",
        "mgr",
        "--field",
        "note",
        "--value",
        "Night round",
        "--reason",
        "The round was written wrongly",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("The round was written wrongly"), "{out}");

    let (code, out, err) = custos_at(&["maintenance", "list"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("checked every 1 days"), "{out}");
    assert!(out.contains("Market square  last checked"), "{out}");
    assert!(out.contains("No fault is open."), "{out}");

    let csv = dir.path().join("maintenance.csv");
    let (code, out, err) = custos_at(&["maintenance", "csv", "--out", &csv.to_string_lossy()]);
    assert_eq!(code, 0, "{out}{err}");
    let text = std::fs::read_to_string(&csv).expect("csv");
    assert!(
        text.starts_with("Reference,Type,Camera,When,Recorded by,Details,Result,Contractor,Contractor called,Response due,Responded,Fix due,Fixed,Work done,Corrections"),
        "{text}"
    );
    assert!(text.contains(&check_ref) && text.contains(&fault), "{text}");
    let pdf = dir.path().join("maintenance.pdf");
    let (code, out, err) = custos_at(&["maintenance", "pdf", "--out", &pdf.to_string_lossy()]);
    assert_eq!(code, 0, "{out}{err}");
    let qpdf = Command::new("qpdf")
        .arg("--check")
        .arg(&pdf)
        .output()
        .expect("qpdf is installed (scripts/test installs it)");
    assert!(qpdf.status.success(), "{qpdf:?}");

    let (code, out, err) = custos_at(&["ledger", "verify"]);
    assert_eq!(code, 0, "{out}{err}");
}

/// LBU-12, BDC-23, BDC-7, BDC-18 at the console, under Bassetlaw's pack: a visitor entered
/// only once the undertaking is accepted (typed on screen, or its signed paper copy's scan),
/// the time out, a correction, the countersignature refused to an operator and given by a
/// supervisor, and the log as CSV in the codes' columns and as a PDF.
#[test]
fn lbu_12_the_visitors_log_is_kept_and_countersigned_at_the_console() {
    let dir = tempfile::tempdir().expect("tmp");
    let scheme = dir.path().join("scheme");
    let d = scheme.as_path();
    let pack = policies().join("bassetlaw-district-council.toml");
    assert_eq!(
        run(custos()
            .arg("--data")
            .arg(d)
            .args(["init", "--policy"])
            .arg(&pack))
        .0,
        0
    );
    for (user, role) in [("op", "operator"), ("sup", "supervisor")] {
        let (code, out, err) = run(custos().arg("--data").arg(d).args([
            "user",
            "add",
            user,
            "--name",
            &format!("Person {user}"),
            "--role",
            role,
        ]));
        assert_eq!(code, 0, "{out}{err}");
    }
    let visitor = |extra: &[&str]| {
        let mut c = custos();
        c.arg("--data").arg(d).args([
            "visitor",
            "arrive",
            "--as",
            "op",
            "--name",
            "Ann Other",
            "--organisation",
            "Nottinghamshire Police",
            "--purpose",
            "Liaison visit",
            "--authorised-by",
            "Sam Super",
            "--authoriser-role",
            "CCTV supervisor",
        ]);
        c.args(extra);
        run(&mut c)
    };
    let (code, _, err) = visitor(&[]);
    assert_eq!(code, 1);
    assert!(err.contains("not accepted"), "{err}");
    let (code, out, err) = visitor(&["--accepted", "--typed-name", "Ann Other"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Entered VIS-"), "{out}");
    let reference = out
        .split_whitespace()
        .find(|w| w.starts_with("VIS-"))
        .expect("a reference")
        .to_owned();
    assert!(out.contains("on screen"), "{out}");
    let scan = dir.path().join("signed.pdf");
    std::fs::write(&scan, b"%PDF-1.4 signed").expect("scan");
    let (code, out, err) = visitor(&["--scan", scan.to_str().expect("path")]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("on paper"), "{out}");

    let v = |args: &[&str]| run(custos().arg("--data").arg(d).arg("visitor").args(args));
    let (code, out, err) = v(&["leave", &reference, "--as", "op"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = v(&[
        "correct",
        &reference,
        "--as",
        "op",
        "--field",
        "organisation",
        "--value",
        "Bassetlaw District Council",
        "--reason",
        "Wrote the wrong organisation",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Wrote the wrong organisation"), "{out}");
    let (code, _, err) = v(&["countersign", &reference, "--as", "op"]);
    assert_eq!(code, 1);
    assert!(err.contains("supervisor"), "{err}");
    let (code, out, err) = v(&["countersign", &reference, "--as", "sup"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Person sup (supervisor)"), "{out}");

    let (code, out, err) = v(&["list"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 2, "{out}");
    let (code, csv, err) = v(&["csv"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        csv.starts_with("Reference,Date,Name,Organisation or department,Purpose,Authorised by,Time in,Time out,Undertaking accepted,Countersigned by,Countersigned at,Corrections\r\n"),
        "{csv}"
    );
    assert!(csv.contains("Bassetlaw District Council"), "{csv}");
    let pdf = dir.path().join("visitors.pdf");
    let (code, _, err) = v(&["pdf", "--out", pdf.to_str().expect("path")]);
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read(&pdf).expect("pdf").starts_with(b"%PDF-"));
    let (code, out, err) = run(custos()
        .arg("--data")
        .arg(d)
        .args(["ledger", "export", "--book", "visitors"]));
    assert_eq!(code, 0, "{err}");
    for kind in [
        "visitor-arrived",
        "visitor-left",
        "visit-corrected",
        "visit-countersigned",
    ] {
        assert!(out.contains(kind), "{kind}: {out}");
    }
}

/// BDC-34 at the console, under Bassetlaw's pack: a written authority from a Sergeant is
/// refused and nothing is recorded; an Inspector's is recorded with its document; where
/// ffmpeg cannot be found making a print is refused saying that it needs ffmpeg, and
/// nothing is recorded; a moment without footage is refused; the register is CSV in the
/// code's columns and a PDF, and the ledger has the authority alone.
#[test]
fn bdc_34_the_video_print_register_is_kept_at_the_console() {
    let dir = tempfile::tempdir().expect("tmp");
    let custos_at = council_at_the_console(dir.path());
    let document = dir.path().join("authority.pdf");
    std::fs::write(&document, b"%PDF-1.4 signed by Inspector Jane Doe").expect("document");
    let authority = |rank: &str| {
        custos_at(&[
            "print",
            "authority",
            "--as",
            "teamie",
            "--officer",
            "Jane Doe",
            "--rank",
            rank,
            "--number",
            "4321",
            "--force",
            "Nottinghamshire Police",
            "--request",
            "Stills of the assault outside the Crown",
            "--dated",
            "2025-06-01",
            "--document",
            document.to_str().expect("path"),
        ])
    };
    let (code, _, err) = authority("sergeant");
    assert_eq!(code, 1);
    assert!(err.contains("Inspector or above"), "{err}");
    let (code, out, err) = custos_at(&["print", "authorities"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.trim().is_empty(), "nothing recorded: {out}");
    let (code, out, err) = authority("inspector");
    assert_eq!(code, 0, "{out}{err}");
    let reference = out
        .split_whitespace()
        .find(|w| w.starts_with("VPA-"))
        .expect("a reference")
        .to_owned();
    assert!(out.contains("Inspector Jane Doe"), "{out}");

    // Where ffmpeg cannot be found, the console says so and nothing is recorded.
    let (code, out, err) = run(custos()
        .arg("--data")
        .arg(dir.path().join("scheme"))
        .env("PATH", dir.path().join("no-programs-here"))
        .args([
            "print",
            "make",
            "--as",
            "teamie",
            "--authority",
            &reference,
            "--camera",
            "market-square",
            "--at",
            "2025-06-01T10:00:00",
        ]));
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("needs the ffmpeg program"), "{err}");
    assert!(err.contains("nothing was recorded"), "{err}");
    let (code, _, err) = custos_at(&[
        "print",
        "make",
        "--as",
        "teamie",
        "--authority",
        &reference,
        "--camera",
        "market-square",
        "--at",
        "2025-06-01T10:00:00",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("no recorded footage"), "{err}");
    let (code, out, err) = custos_at(&["print", "list"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.trim().is_empty(), "no print: {out}");

    let (code, csv, err) = custos_at(&["print", "csv"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        csv.starts_with("Reference,Made,Made by,Camera,Moment shown,Authority,Officer,Rank,Warrant or collar number,Force,Authority dated,Given to,Given at,Destruction authorised by,Destruction authorised at,Destroyed by,Destroyed at,Segment SHA-256,Corrections\r\n"),
        "{csv}"
    );
    let pdf = dir.path().join("prints.pdf");
    let (code, _, err) = custos_at(&["print", "pdf", "--out", pdf.to_str().expect("path")]);
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read(&pdf).expect("pdf").starts_with(b"%PDF-"));
    let (code, out, err) = custos_at(&["ledger", "export", "--book", "video-prints"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("print-authority-recorded"), "{out}");
    assert!(!out.contains("video-print-made"), "{out}");
}

/// BDC-37 at the console, under Bassetlaw's pack: a recorder entered, refused to someone
/// who does not keep the list, the register's camera's details entered, the recorder's
/// removal and a correction as new entries, and the list as CSV in the code's columns, a
/// PDF and in the ledger.
#[test]
fn bdc_37_the_list_of_installed_equipment_is_kept_at_the_console() {
    let dir = tempfile::tempdir().expect("tmp");
    let custos_at = council_at_the_console(dir.path());
    let recorder = |user: &str| {
        custos_at(&[
            "equipment",
            "enter",
            "--as",
            user,
            "--kind",
            "recorder",
            "--make-model",
            "Dell PowerEdge R350",
            "--serial",
            "7XQ2K93",
            "--location",
            "Control room rack 1",
            "--installed",
            "2025-03-01",
        ])
    };
    let (code, _, err) = recorder("ceo");
    assert_eq!(code, 1);
    assert!(err.contains("installed equipment"), "{err}");
    let (code, out, err) = recorder("teamie");
    assert_eq!(code, 0, "{out}{err}");
    let reference = out
        .split_whitespace()
        .find(|w| w.starts_with("EQ-"))
        .expect("a reference")
        .trim_end_matches('.')
        .to_owned();
    let (code, out, err) = custos_at(&[
        "equipment",
        "enter",
        "--as",
        "teamie",
        "--kind",
        "camera",
        "--camera",
        "market-square",
        "--make-model",
        "Axis P1455-LE",
        "--serial",
        "ACCC8E000001",
        "--installed",
        "2024-12-01",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = custos_at(&[
        "equipment",
        "remove",
        &reference,
        "--as",
        "teamie",
        "--on",
        "2025-06-01",
        "--reason",
        "Replaced after a disk fault",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = custos_at(&[
        "equipment",
        "correct",
        &reference,
        "--as",
        "teamie",
        "--field",
        "serial-number",
        "--value",
        "7XQ2K98",
        "--reason",
        "A digit misread from the label",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("A digit misread"), "{out}");
    let (code, out, err) = custos_at(&["equipment", "list"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Camera: Market square"), "{out}");
    assert!(out.contains("ACCC8E000001"), "{out}");
    let (code, csv, err) = custos_at(&["equipment", "csv"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        csv.starts_with("Reference,Equipment,Make and model,Serial number,Location,Installed,Removed,Notes,Corrections\r\n"),
        "{csv}"
    );
    assert!(
        csv.contains("2025-06-01 (Replaced after a disk fault)"),
        "{csv}"
    );
    let pdf = dir.path().join("equipment.pdf");
    let (code, _, err) = custos_at(&["equipment", "pdf", "--out", pdf.to_str().expect("path")]);
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read(&pdf).expect("pdf").starts_with(b"%PDF-"));
    let (code, out, err) = custos_at(&["ledger", "export", "--book", "equipment"]);
    assert_eq!(code, 0, "{err}");
    for kind in [
        "equipment-entered",
        "equipment-removed",
        "equipment-corrected",
    ] {
        assert!(out.contains(kind), "{kind}: {out}");
    }
}
