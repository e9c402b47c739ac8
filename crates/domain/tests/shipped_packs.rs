//! The five policy packs shipped in `policies/` load and say what their codes of practice say.

use std::path::PathBuf;

use custos_domain::access::{
    Assignment, Competence, Denial, Grant, Right, RightsTable, Scope, Subject, Target, course_key,
    decide,
};
use custos_domain::calendar::Calendar;
use custos_domain::case::CaseKind;
use custos_domain::policy::{AudioDefault, Period};
use custos_domain::{CameraKind, DeadlineRule, Ident, Nation, PolicyPack, RecordingMode};

fn load(name: &str) -> PolicyPack {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../policies")
        .join(name);
    let src = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    PolicyPack::parse(&src).unwrap_or_else(|e| panic!("{}", e.render(&path.display().to_string())))
}

const SHIPPED: [&str; 5] = [
    "bosmere-junior-school.toml",
    "active-learning-trust.toml",
    "loughborough-university.toml",
    "ljmu-operational-cameras.toml",
    "bassetlaw-district-council.toml",
];

#[test]
fn all_five_shipped_packs_load() {
    for name in SHIPPED {
        let pack = load(name);
        assert_eq!(
            format!("{}.toml", pack.id),
            name,
            "the file is named after the pack id"
        );
        assert!(!pack.purposes.is_empty());
    }
}

#[test]
fn every_shipped_value_line_cites_a_clause_or_says_the_code_is_silent() {
    // Each `key = value` line carries a comment naming a clause ID (e.g. BJS-8) or saying
    // the code is silent and which lawful default was chosen.
    let clause = |s: &str| {
        s.split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
            .any(|w| {
                let mut parts = w.splitn(2, '-');
                matches!(
                    (parts.next(), parts.next()),
                    (Some("LJM" | "LBU" | "BJS" | "ALT" | "BDC" | "SCC"), Some(_))
                )
            })
    };
    for name in SHIPPED {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../policies")
            .join(name);
        let src = std::fs::read_to_string(&path).expect("pack readable");
        let lines: Vec<&str> = src.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let t = line.trim_start();
            if t.is_empty() || t.starts_with('#') || t.starts_with('[') || !t.contains('=') {
                continue;
            }
            // The comment may sit on the line itself or on the comment lines just above it.
            let mut context = line.to_string();
            let mut j = i;
            while j > 0 && lines[j - 1].trim_start().starts_with('#') {
                j -= 1;
                context.push_str(lines[j]);
            }
            assert!(
                clause(&context) || context.to_lowercase().contains("silent"),
                "{name}:{}: value without a clause ID or a note that the code is silent: {line}",
                i + 1
            );
        }
    }
}

/// BJS-8: the school keeps footage 21 days; BJS-3: audio off; england-wales holidays.
#[test]
fn bjs_8_school_keeps_footage_21_days_without_audio() {
    let p = load("bosmere-junior-school.toml");
    assert_eq!(p.retention.default_days, 21);
    assert!(p.retention.maximum_days <= 21);
    assert_eq!(p.recording.audio_default, AudioDefault::Off);
    assert_eq!(p.nation, Nation::EnglandWales);
    assert_eq!(p.deadlines.subject_access, DeadlineRule::Month);
}

/// ALT-16: 30 days at most, SAR copies 6 months; ALT-18: breaches to the ICO in 72 hours.
#[test]
fn alt_16_trust_keeps_30_days_and_sar_copies_6_months() {
    let p = load("active-learning-trust.toml");
    assert!(p.retention.maximum_days <= 30);
    assert!(
        p.retention
            .classes
            .iter()
            .any(|c| c.period == Period::Months(6))
    );
    assert_eq!(p.deadlines.breach_notification, DeadlineRule::Hours(72));
    assert!(p.retention.days_for(CameraKind::Vehicle) <= 30);
}

/// BDC-2: 30 days; BDC-3: master copies 3 years; BDC-16: RIPA 5 years; BDC-21: complaints
/// acknowledged in 5 and answered in 15 working days; BDC-22: SIA licence required.
#[test]
fn bdc_2_3_16_21_22_council_retention_deadlines_and_licensing() {
    let p = load("bassetlaw-district-council.toml");
    assert_eq!(p.retention.maximum_days, 30);
    let periods: Vec<Period> = p.retention.classes.iter().map(|c| c.period).collect();
    assert!(periods.contains(&Period::Years(3)), "{periods:?}");
    assert!(periods.contains(&Period::Years(5)), "{periods:?}");
    assert_eq!(
        p.deadlines.complaint_acknowledge,
        DeadlineRule::WorkingDays(5)
    );
    assert_eq!(p.deadlines.complaint_answer, DeadlineRule::WorkingDays(15));
    assert!(p.access.sia_licence_required);
}

/// BDC-29 (a copy within 30 calendar days) and BDC-30 (a written decision on another rights
/// request within 30 days): the council's pack answers both at the earlier of 30 calendar
/// days and the legal month, and a request received 31 January 2027 is due on the month's
/// Monday 1 March, a day before 30 days would give.
#[test]
fn bdc_29_bdc_30_council_answers_at_the_earlier_of_thirty_days_and_a_month() {
    let p = load("bassetlaw-district-council.toml");
    let earlier: DeadlineRule = "earliest:calendar-days:30,month".parse().expect("rule");
    assert_eq!(p.deadlines.subject_access, earlier);
    assert_eq!(p.deadlines.rights_request, earlier);
    assert_eq!(
        p.deadlines.subject_access.describe(),
        "30 calendar days or one calendar month, whichever is earlier"
    );
    let calendar = Calendar::new(p.nation);
    let due = |rule: &DeadlineRule, received: &str| {
        calendar
            .due_on_day(rule.clone(), received.parse().expect("date"))
            .expect("due")
            .due
            .to_string()
    };
    assert_eq!(due(&p.deadlines.subject_access, "2027-01-31"), "2027-03-01");
    assert_eq!(due(&p.deadlines.rights_request, "2026-01-05"), "2026-02-04");
}

/// LJM-1: operational cameras are live-only for some purposes; recording needs consent
/// (learning material) or an alarm (security).
#[test]
fn ljm_1_operational_cameras_are_live_only_or_consent_or_alarm() {
    let p = load("ljmu-operational-cameras.toml");
    assert!(
        p.purposes
            .iter()
            .any(|x| x.live_view && x.recording.is_empty())
    );
    assert!(
        p.purposes
            .iter()
            .any(|x| x.consent_required && !x.recording.is_empty())
    );
    assert!(
        p.purposes
            .iter()
            .any(|x| x.recording == vec![RecordingMode::AlarmTriggered])
    );
    assert!(
        !p.purposes
            .iter()
            .any(|x| x.recording.contains(&RecordingMode::Continuous))
    );
}

/// LBU-17: about 30 days; LBU-14: idle lock; LBU-25: complaints within 30 days of the incident.
#[test]
fn lbu_17_25_university_retention_and_complaint_window() {
    let p = load("loughborough-university.toml");
    assert!(p.retention.maximum_days <= 31 && p.retention.default_days >= 28);
    assert_eq!(
        p.deadlines.complaint_window,
        Some(DeadlineRule::CalendarDays(30))
    );
    assert_eq!(p.deadlines.complaint_answer, DeadlineRule::Month);
    assert!(p.access.idle_lock_minutes >= 1);
}

/// BDC-7: the council's users give a formal undertaking and confidentiality declaration;
/// packs without their own declaration get Custos's standard one.
#[test]
fn bdc_7_confidentiality_declarations() {
    let council = load("bassetlaw-district-council.toml");
    assert!(
        council.access.declaration.contains("strictly confidential")
            && council.access.declaration.contains("comply with"),
        "{}",
        council.access.declaration
    );
    let school = load("bosmere-junior-school.toml");
    assert_eq!(
        school.access.declaration,
        custos_domain::policy::DEFAULT_DECLARATION
    );
}

fn staff(roles: &[(&str, Scope)], courses: &[&str]) -> Subject {
    Subject {
        username: "someone".to_owned(),
        disabled: false,
        assignments: roles
            .iter()
            .map(|(r, s)| Assignment {
                role: Ident::parse(r).expect("role"),
                scope: s.clone(),
            })
            .collect(),
        competence: Competence {
            courses: courses.iter().map(|c| course_key(c)).collect(),
            ..Competence::default()
        },
        absent_roles: Vec::new(),
        client: None,
    }
}

fn camera_at(site: &str) -> Target {
    Target::Located {
        site: Ident::parse(site).expect("site"),
        groups: Vec::new(),
        workstations: Vec::new(),
    }
}

/// The one course a pack requires, and the refusal an untrained person gets for `right`.
fn only_course(p: &PolicyPack) -> String {
    assert_eq!(p.access.training.len(), 1, "{:?}", p.access.training);
    p.access.training[0].course.clone()
}

/// BJS-9: "Staff using camera systems will have appropriate training" in their
/// responsibilities, the security and disclosure procedures and individuals' rights. Under
/// the school's pack nobody watches, reviews, exports, downloads or discloses footage
/// until that training is recorded and in date; reading the logbooks and working requests
/// do not use the cameras and stay open.
#[test]
fn bjs_9_untrained_staff_may_not_review_under_the_school_pack() {
    let p = load("bosmere-junior-school.toml");
    let course = only_course(&p);
    let table = RightsTable::from_pack(&p);
    let cam = camera_at("bosmere");
    for (role, right) in [
        ("operator", Right::ReviewRecordings),
        ("operator", Right::ViewLive),
        ("manager", Right::ReviewRecordings),
        ("manager", Right::Export),
        ("owner", Right::AuthoriseDownload),
        ("owner", Right::AuthoriseDisclosure),
        ("dpo", Right::ReviewRecordings),
        ("viewer", Right::ViewLive),
    ] {
        let untrained = staff(&[(role, Scope::Scheme)], &[]);
        assert_eq!(
            decide(&table, &untrained, right, &cam),
            Err(Denial::TrainingMissing {
                right,
                course: course.clone()
            }),
            "{role} {right:?}"
        );
        let trained = staff(&[(role, Scope::Scheme)], &[&course]);
        assert_eq!(
            decide(&table, &trained, right, &cam),
            Ok(Grant::Own),
            "{role} {right:?}"
        );
    }
    let dpo = staff(&[("dpo", Scope::Scheme)], &[]);
    let case = Target::Case {
        kind: CaseKind::SubjectAccess,
        site: None,
    };
    assert_eq!(
        decide(&table, &dpo, Right::WorkCases, &case),
        Ok(Grant::Own)
    );
    let auditor = staff(&[("auditor", Scope::Scheme)], &[]);
    assert_eq!(
        decide(&table, &auditor, Right::ReadLogbooks, &Target::Scheme),
        Ok(Grant::Own)
    );
}

/// ALT-17: a Headteacher ensures "all appropriate employees are trained on the use of the
/// equipment and familiar with their data protection responsibilities", since those
/// responsible for the system "manage the data and access the images". Under the trust's
/// pack an untrained headteacher authorises no download, deletion or disclosure and an
/// untrained member of staff watches and reviews nothing, at their own school as anywhere.
#[test]
fn alt_17_untrained_staff_may_not_use_the_cameras_under_the_trust_pack() {
    let p = load("active-learning-trust.toml");
    let course = only_course(&p);
    let table = RightsTable::from_pack(&p);
    let own = camera_at("school-a");
    let site = || Scope::Site(Ident::parse("school-a").expect("site"));
    for (role, right) in [
        ("headteacher", Right::AuthoriseDownload),
        ("headteacher", Right::AuthoriseDeletion),
        ("headteacher", Right::AuthoriseDisclosure),
        ("authoriser", Right::AuthoriseDownload),
        ("operator", Right::ViewLive),
        ("operator", Right::ReviewRecordings),
        ("manager", Right::Export),
        ("viewer", Right::ViewLive),
    ] {
        let untrained = staff(&[(role, site())], &[]);
        assert_eq!(
            decide(&table, &untrained, right, &own),
            Err(Denial::TrainingMissing {
                right,
                course: course.clone()
            }),
            "{role} {right:?}"
        );
        let trained = staff(&[(role, site())], &[&course]);
        assert_eq!(
            decide(&table, &trained, right, &own),
            Ok(Grant::Own),
            "{role} {right:?}"
        );
    }
    // The trust's DPO advises and works requests without handling the images.
    let dpo = staff(&[("dpo", Scope::Scheme)], &[]);
    let case = Target::Case {
        kind: CaseKind::SubjectAccess,
        site: None,
    };
    assert_eq!(
        decide(&table, &dpo, Right::WorkCases, &case),
        Ok(Grant::Own)
    );
}

/// LBU-4: "All authorised persons are fully trained in the operation of the CCTV system and
/// will only review footage as part of a legitimate enquiry." Under the university's pack
/// nobody watches, reviews or exports images before that training is recorded; the rights
/// that do not show images (cases, logbooks) do not wait for it.
#[test]
fn lbu_4_untrained_staff_may_not_view_images_under_the_university_pack() {
    let p = load("loughborough-university.toml");
    let course = only_course(&p);
    let table = RightsTable::from_pack(&p);
    let cam = camera_at("loughborough");
    for (role, right) in [
        ("operator", Right::ViewLive),
        ("operator", Right::ReviewRecordings),
        ("supervisor", Right::Export),
        ("dpo", Right::ReviewRecordings),
        ("viewer", Right::ViewLive),
    ] {
        let untrained = staff(&[(role, Scope::Scheme)], &[]);
        assert_eq!(
            decide(&table, &untrained, right, &cam),
            Err(Denial::TrainingMissing {
                right,
                course: course.clone()
            }),
            "{role} {right:?}"
        );
        let trained = staff(&[(role, Scope::Scheme)], &[&course]);
        assert_eq!(
            decide(&table, &trained, right, &cam),
            Ok(Grant::Own),
            "{role} {right:?}"
        );
    }
    let dpo = staff(&[("dpo", Scope::Scheme)], &[]);
    let case = Target::Case {
        kind: CaseKind::SubjectAccess,
        site: None,
    };
    assert_eq!(
        decide(&table, &dpo, Right::WorkCases, &case),
        Ok(Grant::Own)
    );
    assert_eq!(
        decide(&table, &dpo, Right::ReadLogbooks, &Target::Scheme),
        Ok(Grant::Own)
    );
}

/// ALT-14: the trust's pack lets copies leave only encrypted; the others do not require it,
/// and `encrypted` is refused anywhere but downloads.
#[test]
fn alt_14_the_trusts_copies_leave_only_encrypted() {
    let src = std::fs::read_to_string(format!(
        "{}/../../policies/active-learning-trust.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("pack");
    let trust = custos_domain::PolicyPack::parse(&src).expect("valid");
    assert!(trust.authorise.download.encrypted);
    let council = custos_domain::PolicyPack::parse(
        &std::fs::read_to_string(format!(
            "{}/../../policies/bassetlaw-district-council.toml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("pack"),
    )
    .expect("valid");
    assert!(!council.authorise.download.encrypted);
    let misplaced = src.replace(
        "[authorise.delete_retained]\n",
        "[authorise.delete_retained]\nencrypted = true\n",
    );
    let err = custos_domain::PolicyPack::parse(&misplaced).expect_err("misplaced");
    assert!(err.to_string().contains("only downloads"), "{err}");
}

/// LJM-1, LBU-4, BDC-8: the university's operational cameras for technical support and
/// room usage are watched live and never recorded or reviewed; those for learning
/// materials and equipment security are recorded and never watched live.
#[test]
fn ljm_1_live_only_purposes_are_never_reviewed_and_recorded_only_ones_never_watched() {
    use custos_domain::camera::{live_view_allowed, review_allowed};
    let pack = custos_domain::PolicyPack::parse(
        &std::fs::read_to_string(format!(
            "{}/../../policies/ljmu-operational-cameras.toml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("pack"),
    )
    .expect("valid");
    let id = |s: &str| custos_domain::Ident::parse(s).expect("id");
    assert!(live_view_allowed(&pack, &[id("technical-support")]).is_ok());
    assert!(live_view_allowed(&pack, &[id("room-usage"), id("equipment-security")]).is_ok());
    let refused = live_view_allowed(&pack, &[id("equipment-security"), id("learning-materials")])
        .expect_err("recorded only");
    assert!(refused.contains("not watched live"), "{refused}");
    assert!(
        review_allowed(
            &pack,
            &[id("equipment-security")],
            &id("equipment-security")
        )
        .is_ok()
    );
    let live_only = review_allowed(
        &pack,
        &[id("technical-support"), id("equipment-security")],
        &id("technical-support"),
    )
    .expect_err("live only");
    assert!(live_only.contains("watching live only"), "{live_only}");
    let other = review_allowed(
        &pack,
        &[id("equipment-security")],
        &id("learning-materials"),
    )
    .expect_err("not the camera's");
    assert!(other.contains("registered for"), "{other}");
}

/// BDC-18, BDC-23, BDC-7: the council's visitors' log is kept by the control room's staff
/// and each visit countersigned by a supervisor; visitors accept the council's own
/// confidentiality undertaking. A book a pack leaves out keeps the lawful default.
#[test]
fn bdc_18_visitor_authorisations_are_countersigned_by_a_supervisor() {
    use custos_domain::ledger::Book;
    let council = load("bassetlaw-district-council.toml");
    let visitors = council.books.rule(Book::Visitors).expect("a rule");
    assert_eq!(
        visitors.countersign,
        vec![Ident::parse("supervisor").expect("id")]
    );
    assert!(visitors.keep.iter().any(|r| r.as_str() == "operator"));
    assert!(
        council
            .books
            .visitor_undertaking
            .contains("strictly confidential")
    );
    let prints = council.books.rule(Book::VideoPrints).expect("the default");
    assert_eq!(
        prints
            .countersign
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>(),
        ["supervisor", "manager"]
    );
    assert!(
        council.books.rule(Book::Review).is_none(),
        "not a kept book"
    );
    for name in SHIPPED {
        let pack = load(name);
        for book in custos_domain::policy::KEPT_BOOKS {
            let rule = pack.books.rule(book).expect("every kept book has a rule");
            assert!(!rule.keep.is_empty(), "{name}: {book:?}");
        }
    }
}

/// LBU-16, BDC-19, ALT-15, SCC-8: every shipped pack says how often each camera is checked
/// and the contractor's times, the fix never due before the response; Bassetlaw's 24-hour
/// control room checks daily and holds its contractor to hours, not days.
#[test]
fn bdc_19_every_pack_checks_its_cameras_and_holds_the_contractor_to_times() {
    for name in SHIPPED {
        let m = load(name).maintenance;
        assert!(
            (1..=7).contains(&m.check_every_days),
            "{name}: checked every {} days",
            m.check_every_days
        );
        assert!(
            m.contractor_response_hours <= m.contractor_fix_hours,
            "{name}: {m:?}"
        );
    }
    let council = load("bassetlaw-district-council.toml");
    assert_eq!(council.maintenance.check_every_days, 1);
    assert_eq!(council.maintenance.contractor_response_hours, 4);
    assert_eq!(council.maintenance.contractor_fix_hours, 24);
    let rule = council
        .books
        .rule(custos_domain::ledger::Book::Maintenance)
        .expect("a rule");
    assert!(rule.keep.iter().any(|r| r.as_str() == "operator"));
    assert!(rule.countersign.iter().any(|r| r.as_str() == "supervisor"));
    let school = load("bosmere-junior-school.toml");
    assert_eq!(school.maintenance.check_every_days, 7);
}
