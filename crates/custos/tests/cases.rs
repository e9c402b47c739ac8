//! `custos case …` from the console on a real scheme: a subject access request from intake
//! to its close, its deadline by the ICO's month rule on the scheme's calendar, the clock
//! paused while identity is awaited, its state machine refusing what it does not allow,
//! an encrypted document, and every step in the `case` logbook (LBU-18, BDC-29, LJM-11).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn policies() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../policies")
}

fn custos(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_custos"));
    for (k, _) in std::env::vars() {
        if k.starts_with("CUSTOS_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("USER", "tester").arg("--data").arg(data);
    cmd
}

fn run(data: &Path, args: &[&str]) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = custos(data).args(args).output().expect("custos runs");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

fn ok(data: &Path, args: &[&str]) -> String {
    let (code, out, err) = run(data, args);
    assert_eq!(code, 0, "custos {args:?}: {out}{err}");
    out
}

/// LBU-18, BDC-29: received Saturday 31 January 2026, a month on is Saturday 28 February,
/// so the request is due Monday 2 March; the case moves only as its state machine allows,
/// refusals need reasons, and the `case` logbook has every step.
#[test]
fn lbu_18_a_subject_access_request_from_the_console() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("scheme");
    let pack = policies().join("bosmere-junior-school.toml");
    ok(&data, &["init", "--policy", pack.to_str().expect("path")]);
    let out = ok(
        &data,
        &[
            "case",
            "open",
            "--kind",
            "subject-access",
            "--name",
            "Alex Example",
            "--contact",
            "alex@example.org",
            "--summary",
            "Footage of me at the front gate",
            "--details",
            "Friday 30 January, about 08:40, front gate",
            "--received",
            "2026-01-31",
        ],
    );
    assert!(out.starts_with("Opened SAR-2026-0001."), "{out}");
    assert!(out.contains("due 2026-03-02 (month)"), "{out}");

    let (code, _, err) = run(&data, &["case", "act", "SAR-2026-0001", "close"]);
    assert_ne!(code, 0);
    assert!(err.contains("from here it can"), "{err}");
    let out = ok(&data, &["case", "act", "SAR-2026-0001", "await-identity"]);
    assert!(out.contains("clock paused since"), "{out}");
    let out = ok(&data, &["case", "act", "SAR-2026-0001", "verify-identity"]);
    assert!(out.contains("in-progress"), "{out}");

    let id_file = dir.path().join("passport.pdf");
    std::fs::write(&id_file, b"%PDF-1.4 a passport page").expect("file");
    let out = ok(
        &data,
        &[
            "case",
            "attach",
            "SAR-2026-0001",
            id_file.to_str().expect("path"),
            "--media-type",
            "application/pdf",
        ],
    );
    assert!(out.contains("encrypted"), "{out}");

    let (code, _, err) = run(
        &data,
        &[
            "case",
            "act",
            "SAR-2026-0001",
            "decide",
            "--decision",
            "refuse",
        ],
    );
    assert_ne!(code, 0);
    assert!(err.contains("needs its reasons"), "{err}");
    ok(
        &data,
        &[
            "case",
            "act",
            "SAR-2026-0001",
            "decide",
            "--decision",
            "view-only",
        ],
    );
    ok(&data, &["case", "act", "SAR-2026-0001", "close"]);
    let open = ok(&data, &["case", "list"]);
    assert!(open.contains("No open cases"), "{open}");
    let all = ok(&data, &["case", "list", "--all"]);
    assert!(
        all.contains("SAR-2026-0001") && all.contains("closed"),
        "{all}"
    );
    let shown = ok(&data, &["case", "show", "SAR-2026-0001"]);
    assert!(
        shown.contains("passport.pdf") && shown.contains("view-only"),
        "{shown}"
    );

    let ledger = ok(
        &data,
        &["ledger", "export", "--book", "case", "--format", "jsonl"],
    );
    for kind in [
        "case-opened",
        "case-await-identity",
        "case-verify-identity",
        "case-document-added",
        "case-decide",
        "case-close",
    ] {
        assert!(ledger.contains(kind), "{kind}: {ledger}");
    }
    assert!(!ledger.contains("Alex"), "no personal details: {ledger}");
}

/// LJM-11: an FOI request for the requester's own images becomes a subject access request.
#[test]
fn ljm_11_an_foi_request_converts_from_the_console() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("scheme");
    let pack = policies().join("bosmere-junior-school.toml");
    ok(&data, &["init", "--policy", pack.to_str().expect("path")]);
    ok(
        &data,
        &[
            "case",
            "open",
            "--kind",
            "foi",
            "--name",
            "Sam Example",
            "--contact",
            "sam@example.org",
            "--summary",
            "CCTV images of me",
            "--received",
            "2026-03-02",
        ],
    );
    let out = ok(
        &data,
        &["case", "act", "FOI-2026-0001", "convert-to-subject-access"],
    );
    assert!(out.contains("became     SAR-2026-0001"), "{out}");
    let out = ok(&data, &["case", "show", "SAR-2026-0001"]);
    assert!(
        out.contains("subject-access") && out.contains("due 2026-04-02"),
        "{out}"
    );
}
