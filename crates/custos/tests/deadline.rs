//! `custos deadline` as a DPO uses it: due dates for the ICO's month rule (LBU-18, BJS-10,
//! ALT-10, BDC-29, BDC-30), the earlier of 30 calendar days and a month (BDC-29, BDC-30),
//! FOI's 20 working days (LJM-11) per nation and hours across a clock change, the nation
//! taken from the scheme's pack, the shipped one-off holidays with no configuration and
//! more from the configuration per nation, and clear errors for bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn policies() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../policies")
}

/// A `custos` command with no `CUSTOS_*` settings inherited, on a data folder `data`.
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

/// The first line (the due date) and the rest.
fn deadline(data: &Path, args: &[&str]) -> (String, String) {
    let (code, out, err) = run(custos(data).arg("deadline").args(args));
    assert_eq!(code, 0, "{args:?}: {out}{err}");
    let (first, rest) = out.split_once('\n').expect("two lines or more");
    (first.to_owned(), rest.to_owned())
}

/// LBU-18, BJS-10, ALT-10, BDC-29, BDC-30: the month rule; LJM-11: 20 working days across
/// Christmas 2026 in each nation; a breach's 72 hours across the end of summer time.
#[test]
fn due_dates_month_lbu_18_bdc_29_working_days_ljm_11_and_hours() {
    let dir = tempfile::tempdir().expect("tmp");
    let none = dir.path().join("no-scheme");

    let (due, words) = deadline(&none, &["month", "2026-01-31"]);
    assert_eq!(due, "2026-03-02");
    assert!(
        words.contains("Received Saturday 31 January 2026")
            && words.contains("Saturday 28 February 2026")
            && words.contains("next working day, Monday 2 March 2026"),
        "{words}"
    );
    assert!(
        words.contains("England and Wales bank holidays (the default"),
        "{words}"
    );

    for (nation, expected) in [
        ("england-wales", "2027-01-14"),
        ("northern-ireland", "2027-01-14"),
        ("scotland", "2027-01-15"),
    ] {
        let (due, words) = deadline(
            &none,
            &["working-days:20", "2026-12-14", "--nation", nation],
        );
        assert_eq!(due, expected, "{nation}: {words}");
    }

    // FOIA counts Northern Ireland's St Patrick's Day (17 March 2026) in England too.
    let (due, words) = deadline(&none, &["working-days:5", "2026-03-12", "--any-part-of-uk"]);
    assert_eq!(due, "2026-03-20", "{words}");
    assert!(words.contains("any part of the UK"), "{words}");
    let (due, _) = deadline(&none, &["working-days:5", "2026-03-12"]);
    assert_eq!(due, "2026-03-19");

    let (due, words) = deadline(&none, &["hours:72", "2026-10-23T09:00"]);
    assert_eq!(due, "2026-10-26T08:00:00+00:00");
    assert!(words.contains("clocks change"), "{words}");
}

/// BDC-29, BDC-30: the council's 30 calendar days, never later than the legal month,
/// worked out and explained part by part.
#[test]
fn bdc_29_bdc_30_the_earlier_of_thirty_days_and_a_month() {
    let dir = tempfile::tempdir().expect("tmp");
    let none = dir.path().join("no-scheme");
    let (due, words) = deadline(&none, &["earliest:calendar-days:30,month", "2027-01-31"]);
    assert_eq!(due, "2027-03-01", "{words}");
    for part in [
        "The deadline is 30 calendar days or one calendar month, whichever is earlier.",
        "By 30 calendar days: 30 calendar days on is Tuesday 2 March 2027.",
        "By one calendar month: one calendar month on is Sunday 28 February 2027",
        "The earlier is Monday 1 March 2027, by one calendar month, which is the deadline.",
        "Rule earliest:calendar-days:30,month (30 calendar days or one calendar month, whichever is earlier)",
    ] {
        assert!(words.contains(part), "{part:?} in {words}");
    }
    let (due, words) = deadline(&none, &["earliest:calendar-days:30,month", "2026-01-05"]);
    assert_eq!(due, "2026-02-04", "{words}");
    assert!(
        words.contains("by 30 calendar days, which is the deadline"),
        "{words}"
    );
}

#[test]
fn bad_input_says_what_is_wrong_and_what_is_expected() {
    let dir = tempfile::tempdir().expect("tmp");
    let none = dir.path().join("no-scheme");
    for (args, expected) in [
        (&["month", "2026-02-30"][..], "write YYYY-MM-DD"),
        (&["month", "31/01/2026"][..], "write YYYY-MM-DD"),
        (&["fortnight", "2026-01-31"][..], "working-days:N"),
        (
            &["earliest:month", "2026-01-31"][..],
            "needs two rules or more",
        ),
        (
            &["earliest:hours:72,month", "2026-01-31"][..],
            "hours:N cannot be combined",
        ),
        (
            &["earliest:calendar-days:30, month", "2026-01-31"][..],
            "without spaces",
        ),
        (&["hours:72", "2026-10-23"][..], "needs the time of receipt"),
        (
            &["month", "2026-01-31", "--nation", "wales"][..],
            "\"england-wales\"",
        ),
        (
            &["month", "1980-01-31"][..],
            "outside the years 1990 to 2200",
        ),
    ] {
        let (code, out, err) = run(custos(&none).arg("deadline").args(args));
        assert_ne!(code, 0, "{args:?}: {out}");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
}

/// The nation comes from the scheme's policy pack, and one-off holidays from `[calendar]`.
#[test]
fn the_nation_comes_from_the_pack_and_one_offs_from_the_configuration() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("scheme");
    let school =
        std::fs::read_to_string(policies().join("bosmere-junior-school.toml")).expect("read");
    let scottish = school.replacen("nation = \"england-wales\"", "nation = \"scotland\"", 1);
    assert_ne!(scottish, school);
    let pack = dir.path().join("scottish.toml");
    std::fs::write(&pack, scottish).expect("write");
    let (code, out, err) = run(custos(&data).arg("init").arg("--policy").arg(&pack));
    assert_eq!(code, 0, "{out}{err}");

    // New Year 2027: Scotland's 2 January (a Saturday) gives Monday 4 January too.
    let (due, words) = deadline(&data, &["month", "2026-12-01"]);
    assert_eq!(due, "2027-01-05", "{words}");
    assert!(
        words.contains("Scotland bank holidays (the nation of the scheme's policy pack)"),
        "{words}"
    );
    let (due, _) = deadline(&data, &["month", "2026-12-01", "--nation", "england-wales"]);
    assert_eq!(due, "2027-01-04");

    // The Coronation bank holiday (8 May 2023) and the early May holiday moved to 8 May
    // (2020) need no configuration.
    let (due, words) = deadline(
        &data,
        &["working-days:1", "2023-05-05", "--nation", "england-wales"],
    );
    assert_eq!(due, "2023-05-09", "{words}");
    assert!(!words.contains("from the configuration"), "{words}");
    let (due, _) = deadline(
        &data,
        &["working-days:1", "2020-05-01", "--nation", "england-wales"],
    );
    assert_eq!(due, "2020-05-04");

    // One-offs proclaimed later are configured for the nations they apply to: Monday 7 June
    // 2027 in Scotland only, Tuesday 8 June everywhere.
    let config = dir.path().join("custos.toml");
    std::fs::write(
        &config,
        "[calendar]\nextra_holidays = [\n  { date = \"2027-06-07\", nations = [\"scotland\"] },\n  { date = \"2027-06-08\", nations = [\"england-wales\", \"scotland\", \"northern-ireland\"] },\n]\n",
    )
    .expect("write");
    let with_config = |args: &[&str]| {
        let mut cmd = custos(&data);
        cmd.arg("--config").arg(&config).arg("deadline").args(args);
        run(&mut cmd)
    };
    let (code, out, err) = with_config(&["working-days:1", "2027-06-04"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("2027-06-09\n"), "{out}");
    assert!(
        out.contains("2 one-off changes from the configuration"),
        "{out}"
    );
    let (code, out, err) =
        with_config(&["working-days:1", "2027-06-04", "--nation", "england-wales"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("2027-06-07\n"), "{out}");
    let (code, out, err) =
        with_config(&["working-days:2", "2027-06-04", "--nation", "england-wales"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("2027-06-09\n"), "{out}");

    // The old form, a bare date, names no nation.
    std::fs::write(&config, "[calendar]\nextra_holidays = [\"2027-06-07\"]\n").expect("write");
    let (code, _, err) = with_config(&["month", "2026-01-31"]);
    assert_ne!(code, 0);
    assert!(err.contains("must name its nations"), "{err}");

    std::fs::write(
        &config,
        "[calendar]\nremoved_holidays = [{ date = \"2026-05-05\", nations = [\"scotland\"] }]\n",
    )
    .expect("write");
    let (code, _, err) = with_config(&["month", "2026-01-31"]);
    assert_ne!(code, 0);
    assert!(
        err.contains(
            "2026-05-05 cannot be removed as a bank holiday in Scotland: it is not one there"
        ),
        "{err}"
    );
}
