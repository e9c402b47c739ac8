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
    assert!(out.contains("due 2026-03-02 (one calendar month)"), "{out}");

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

/// Runs a recipient's tool on a file and returns what it printed; fails the test if the
/// tool is missing or complains.
fn tool(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} must be installed (scripts/test installs it): {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// LJM-10, BDC-29, BDC-41, ALT-10, LBU-18: a subject access request through every path —
/// disclose (only with a reason why showing others is reasonable), view only, disclose in
/// part, refuse, restrict, and extend — each with its response letter as a PDF that
/// `qpdf --check` accepts and `pdftotext` reads: the decision, the reasons the requester
/// is owed, and their rights to complain to the ICO and to go to court; the extension
/// letter gives the reason and the new date; an issued letter is kept with the case.
#[test]
fn ljm_10_bdc_41_a_subject_access_request_through_every_path_with_its_letters() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("scheme");
    let pack = policies().join("bosmere-junior-school.toml");
    ok(&data, &["init", "--policy", pack.to_str().expect("path")]);
    let letter_text = |reference: &str, kind: &str| {
        let pdf = dir.path().join(format!("{reference}-{kind}.pdf"));
        let out = ok(
            &data,
            &[
                "case",
                "letter",
                reference,
                kind,
                "--out",
                pdf.to_str().expect("path"),
            ],
        );
        assert!(out.contains("Wrote the"), "{out}");
        tool("qpdf", &["--check", pdf.to_str().expect("path")]);
        // pdftotext breaks lines where the PDF does; join them to read sentences.
        tool("pdftotext", &[pdf.to_str().expect("path"), "-"])
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let paths: &[(&str, &[&str], &[&str])] = &[
        (
            "disclose",
            &[
                "--others-shown",
                "--why-reasonable",
                "The other pupils in view consented in writing",
            ],
            &["copy"],
        ),
        ("view-only", &[], &["view"]),
        (
            "disclose-in-part",
            &["--reasons", "Two minutes show only other pupils"],
            &["Two minutes show only other pupils"],
        ),
        (
            "refuse",
            &["--reasons", "We found no footage of you at that time"],
            &["We found no footage of you at that time", "court"],
        ),
        (
            "restrict",
            &["--reasons", "The footage is part of a police investigation"],
            &[
                "The footage is part of a police investigation",
                "45",
                "court",
            ],
        ),
    ];
    for (n, (decision, extra, expect)) in paths.iter().enumerate() {
        let reference = format!("SAR-2026-{:04}", n + 1);
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
                "12 High Street, Bosmere, IP1 2AB",
                "--summary",
                "Footage of me at the front gate",
                "--received",
                "2026-01-31",
            ],
        );
        assert!(out.starts_with(&format!("Opened {reference}.")), "{out}");
        let ack = letter_text(&reference, "acknowledgement");
        assert!(
            ack.contains(&reference) && ack.contains("Alex Example"),
            "{ack}"
        );
        ok(&data, &["case", "act", &reference, "start"]);
        if *decision == "disclose" {
            // ALT-10: without a reason why showing other people is reasonable, no copy.
            let (code, _, err) = run(
                &data,
                &[
                    "case",
                    "act",
                    &reference,
                    "decide",
                    "--decision",
                    "disclose",
                    "--others-shown",
                ],
            );
            assert_ne!(code, 0);
            assert!(err.contains("why disclosing them is reasonable"), "{err}");
        }
        let mut args = vec!["case", "act", &reference, "decide", "--decision", decision];
        args.extend_from_slice(extra);
        ok(&data, &args);
        let text = letter_text(&reference, "response");
        for e in *expect {
            assert!(text.contains(e), "{decision}: {e:?} missing from {text}");
        }
        assert!(
            text.contains("Information Commissioner"),
            "{decision}: no rights in {text}"
        );
        if ["disclose", "disclose-in-part"].contains(decision) {
            // No copy was made for the case: it cannot close as disclosed.
            let (code, _, err) = run(&data, &["case", "act", &reference, "close"]);
            assert_ne!(code, 0);
            assert!(err.contains("no copy has been made"), "{err}");
        } else {
            ok(&data, &["case", "act", &reference, "close"]);
        }
    }

    // Extend: the letter says why and gives the new date (received 31 January, a month
    // and two more: 31 April does not exist, so Thursday 30 April 2026).
    let out = ok(
        &data,
        &[
            "case",
            "open",
            "--kind",
            "subject-access",
            "--name",
            "Sam Example",
            "--contact",
            "sam@example.org",
            "--summary",
            "Footage of me in the car park, several days",
            "--received",
            "2026-01-31",
        ],
    );
    let reference = out
        .split_whitespace()
        .nth(1)
        .expect("reference")
        .trim_end_matches('.')
        .to_owned();
    ok(&data, &["case", "act", &reference, "start"]);
    ok(
        &data,
        &[
            "case",
            "act",
            &reference,
            "extend",
            "--reasons",
            "Footage from five days and four cameras must be searched",
        ],
    );
    let text = letter_text(&reference, "extension");
    assert!(
        text.contains("Footage from five days and four cameras must be searched"),
        "{text}"
    );
    assert!(text.contains("Thursday 30 April 2026"), "{text}");
    // Issued: a PDF copy kept with the case, listed and ledgered.
    let out = ok(
        &data,
        &["case", "letter", &reference, "extension", "--issue"],
    );
    assert!(out.contains(&reference), "{out}");
    let shown = ok(&data, &["case", "show", &reference]);
    assert!(
        shown.contains(&format!("{reference}-extension.pdf (application/pdf")),
        "{shown}"
    );
    // A response cannot be written before a decision.
    let (code, _, err) = run(&data, &["case", "letter", &reference, "response"]);
    assert_ne!(code, 0);
    assert!(err.contains("decision"), "{err}");
}

/// ALT-18, UK GDPR Art 33(3): a breach's notification to the ICO written as a PDF from the
/// console, which `qpdf --check` accepts and `pdftotext` reads with (a) to (d) of Article
/// 33(3) and the DPO's contact; recording the ICO notified keeps the notification as sent
/// among the case's documents.
#[test]
fn alt_18_the_notification_to_the_ico_as_a_pdf_from_the_console() {
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
            "breach",
            "--name",
            "School business manager",
            "--contact",
            "office",
            "--summary",
            "Footage e-mailed to the wrong parent",
        ],
    );
    let reference = out
        .split_whitespace()
        .find(|w| w.starts_with("BRE-"))
        .map(|w| w.trim_end_matches('.').to_owned())
        .expect("a reference");
    ok(
        &data,
        &[
            "case",
            "act",
            &reference,
            "assess-risk",
            "--decision",
            "risk",
            "--reasons",
            "Faces of parents at the gate, sent to another parent",
        ],
    );
    ok(
        &data,
        &[
            "case",
            "breach",
            &reference,
            "--nature",
            "Five minutes of gate footage were e-mailed to the wrong parent",
            "--people",
            "parents",
            "--people-count",
            "12",
            "--records",
            "one recording of the gate camera",
            "--records-count",
            "1",
            "--consequences",
            "Parents could be recognised",
            "--measures",
            "The parent deleted it and confirmed in writing",
        ],
    );
    let pdf = dir.path().join("notification.pdf");
    let out = ok(
        &data,
        &[
            "case",
            "notification",
            &reference,
            "--pdf",
            pdf.to_str().expect("path"),
        ],
    );
    assert!(out.contains("Wrote the notification"), "{out}");
    tool("qpdf", &["--check", pdf.to_str().expect("path")]);
    let text = tool("pdftotext", &[pdf.to_str().expect("path"), "-"])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for words in [
        "Personal data breach: notification to the Information Commissioner's Office",
        "(a) The nature of the breach (UK GDPR Article 33(3)(a))",
        "(b) The Data Protection Officer or other contact point (UK GDPR Article 33(3)(b))",
        "(c) The likely consequences of the breach (UK GDPR Article 33(3)(c))",
        "(d) The measures taken or proposed",
        "e-mailed to the wrong parent",
        "about 12",
        "Alison Reilly, Data Protection Officer",
        "E-mail: a.reailly@bosmere.hants.sch.uk",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    ok(&data, &["case", "act", &reference, "notify-ico"]);
    let shown = ok(&data, &["case", "show", &reference]);
    assert!(
        shown.contains(&format!("{reference}-ico-notification.pdf")),
        "{shown}"
    );
}
