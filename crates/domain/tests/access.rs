//! The authorisation function against real schemes' packs: rights by role, authorisation
//! rights from the pack, scopes by site and camera group, and reasons for every refusal.

use custos_domain::access::{
    Assignment, Competence, Denial, Grant, Right, RightsTable, Scope, Subject, Target,
    WorkstationRule, course_key, decide,
};
use custos_domain::network::Network;
use custos_domain::{Ident, PolicyPack};

fn pack(name: &str) -> PolicyPack {
    let path = format!("{}/../../policies/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    PolicyPack::parse(&std::fs::read_to_string(path).expect("pack")).expect("valid")
}

fn id(s: &str) -> Ident {
    Ident::parse(s).expect("ident")
}

/// The courses the school's, the trust's and the university's packs require of those who
/// use the cameras (BJS-9, ALT-17, LBU-4): everyone here has them, so that each test is
/// about its own rule. The council's course (BDC-11) is given where a test wants it.
const CAMERA_COURSES: [&str; 3] = [
    "CCTV staff training",
    "CCTV equipment and data protection training",
    "CCTV system operation training",
];

fn person(name: &str, roles: &[(&str, Scope)]) -> Subject {
    Subject {
        username: name.to_owned(),
        disabled: false,
        assignments: roles
            .iter()
            .map(|(r, s)| Assignment {
                role: id(r),
                scope: s.clone(),
            })
            .collect(),
        competence: Competence {
            courses: CAMERA_COURSES.iter().map(|c| course_key(c)).collect(),
            ..Competence::default()
        },
        absent_roles: Vec::new(),
        client: None,
    }
}

fn camera_at(site: &str, groups: &[&str]) -> Target {
    Target::Located {
        site: id(site),
        groups: groups.iter().map(|g| id(g)).collect(),
        workstations: Vec::new(),
    }
}

/// ALT-21, ALT-8: a trust's headteacher authorises downloads for their own school only;
/// the right comes from the pack's `authorise.download`, not from a role default.
#[test]
fn alt_21_a_headteacher_acts_only_for_their_own_school() {
    let table = RightsTable::from_pack(&pack("active-learning-trust"));
    let head = person("head-a", &[("headteacher", Scope::Site(id("school-a")))]);
    let own = camera_at("school-a", &["entrance"]);
    let other = camera_at("school-b", &["entrance"]);
    assert_eq!(
        decide(&table, &head, Right::AuthoriseDownload, &own),
        Ok(Grant::Own)
    );
    assert_eq!(
        decide(&table, &head, Right::AuthoriseDeletion, &own),
        Ok(Grant::Own)
    );
    let refused =
        decide(&table, &head, Right::AuthoriseDownload, &other).expect_err("other school");
    assert!(matches!(refused, Denial::OutOfScope { .. }));
    assert_eq!(
        refused.to_string(),
        "you may authorise downloads only at site:school-a, not here"
    );
    // The pack gives headteachers no right to watch cameras or read logbooks.
    let refused = decide(&table, &head, Right::ViewLive, &own).expect_err("no live view");
    assert!(
        refused
            .to_string()
            .contains("none of your roles (Headteacher) lets you watch cameras live"),
        "{refused}"
    );
}

/// LJM-6, LBU-4, BDC-11, SCC-7: privileges are limited to the role.
#[test]
fn lbu_4_each_built_in_role_holds_only_its_rights() {
    let table = RightsTable::from_pack(&pack("bassetlaw-district-council"));
    let everywhere = Target::Scheme;
    let cam = camera_at("town-centre", &["market"]);
    let mut op = person("op", &[("operator", Scope::Scheme)]);
    op.competence.licence_valid = true;
    trained(&mut op);
    assert!(decide(&table, &op, Right::ViewLive, &cam).is_ok());
    assert!(decide(&table, &op, Right::ReviewRecordings, &cam).is_ok());
    for r in [
        Right::Export,
        Right::ManageUsers,
        Right::ReadLogbooks,
        Right::Administer,
    ] {
        assert!(decide(&table, &op, r, &everywhere).is_err(), "{r}");
    }
    let auditor = person("aud", &[("auditor", Scope::Scheme)]);
    assert!(decide(&table, &auditor, Right::ReadLogbooks, &everywhere).is_ok());
    assert!(decide(&table, &auditor, Right::ViewLive, &cam).is_err());
    let viewer = person("v", &[("viewer", Scope::CameraGroup(id("market")))]);
    assert!(decide(&table, &viewer, Right::ViewLive, &cam).is_ok());
    assert!(
        decide(
            &table,
            &viewer,
            Right::ViewLive,
            &camera_at("town-centre", &["bus-station"])
        )
        .is_err()
    );
    assert!(decide(&table, &viewer, Right::ReviewRecordings, &cam).is_err());
    let owner = person("o", &[("owner", Scope::Scheme)]);
    for r in [Right::Administer, Right::ManageUsers, Right::ReadLogbooks] {
        assert!(decide(&table, &owner, r, &everywhere).is_ok(), "{r}");
    }
}

/// A disabled account may do nothing, whatever it holds.
#[test]
fn a_disabled_account_may_do_nothing() {
    let table = RightsTable::from_pack(&pack("bosmere-junior-school"));
    let mut owner = person("o", &[("owner", Scope::Scheme)]);
    owner.disabled = true;
    assert_eq!(
        decide(&table, &owner, Right::ReadLogbooks, &Target::Scheme),
        Err(Denial::Disabled)
    );
}

/// A role scoped to a site cannot act on the scheme as a whole (users, settings, logbooks).
#[test]
fn a_site_manager_cannot_manage_the_whole_scheme() {
    let table = RightsTable::from_pack(&pack("active-learning-trust"));
    let m = person("m", &[("manager", Scope::Site(id("school-a")))]);
    assert!(
        decide(
            &table,
            &m,
            Right::ManageCameras,
            &camera_at("school-a", &[])
        )
        .is_ok()
    );
    assert!(matches!(
        decide(&table, &m, Right::ManageUsers, &Target::Scheme),
        Err(Denial::OutOfScope { .. })
    ));
}

#[test]
fn scopes_parse_and_explain_mistakes() {
    assert_eq!(Scope::parse("scheme"), Ok(Scope::Scheme));
    assert_eq!(
        Scope::parse("site:school-a"),
        Ok(Scope::Site(id("school-a")))
    );
    assert_eq!(
        Scope::parse("group:car-park").map(|s| s.to_string()),
        Ok("group:car-park".to_owned())
    );
    let e = Scope::parse("School A").expect_err("bad");
    assert!(e.contains("site:ID"), "{e}");
}

fn trained(p: &mut Subject) {
    p.competence
        .courses
        .insert(course_key("CCTV operator training"));
}

/// BDC-22, BDC-11: in a scheme that requires SIA licences, an operator without a licence in
/// date has no operator rights; a trainee acts only while a licensed operator is on duty;
/// other roles' rights do not depend on a licence.
#[test]
fn bdc_22_licences_and_trainees_gate_control_room_rights() {
    let table = RightsTable::from_pack(&pack("bassetlaw-district-council"));
    let cam = camera_at("town-centre", &["market"]);
    let mut op = person("op", &[("operator", Scope::Scheme)]);
    let refused = decide(&table, &op, Right::ViewLive, &cam).expect_err("no licence");
    assert_eq!(
        refused,
        Denial::LicenceMissing {
            right: Right::ViewLive
        }
    );
    assert!(
        refused.to_string().contains("valid SIA licence"),
        "{refused}"
    );
    op.competence.licence_valid = true;
    trained(&mut op);
    assert_eq!(decide(&table, &op, Right::ViewLive, &cam), Ok(Grant::Own));

    let mut trainee = person("tr", &[("trainee-operator", Scope::Scheme)]);
    trainee.competence.licence_valid = true;
    assert_eq!(
        decide(&table, &trainee, Right::ViewLive, &cam),
        Err(Denial::NoLicensedOperatorOnDuty {
            right: Right::ViewLive,
            licensed: true,
        })
    );
    trainee.competence.operator_on_duty = true;
    assert!(
        decide(&table, &trainee, Right::ViewLive, &cam).is_err(),
        "an unlicensed operator on duty is not enough where licences are required"
    );
    trainee.competence.licensed_operator_on_duty = true;
    assert_eq!(
        decide(&table, &trainee, Right::ViewLive, &cam),
        Ok(Grant::Own)
    );

    // A manager's rights are not control-room operator rights.
    let manager = person("m", &[("manager", Scope::Scheme)]);
    assert_eq!(
        decide(&table, &manager, Right::ViewLive, &cam),
        Ok(Grant::Own)
    );

    // A school that requires no licence does not gate its operators.
    let school = RightsTable::from_pack(&pack("bosmere-junior-school"));
    let op = person("op", &[("operator", Scope::Scheme)]);
    assert_eq!(decide(&school, &op, Right::ViewLive, &cam), Ok(Grant::Own));
    // There a trainee needs an operator on duty, licensed or not.
    let mut trainee = person("tr", &[("trainee-operator", Scope::Scheme)]);
    assert!(decide(&school, &trainee, Right::ViewLive, &cam).is_err());
    trainee.competence.operator_on_duty = true;
    assert_eq!(
        decide(&school, &trainee, Right::ViewLive, &cam),
        Ok(Grant::Own)
    );
}

/// LBU-4, ALT-21: a pack may give its custom roles rights of their own, on top of the
/// authorisation rights its `authorise` section gives them.
#[test]
fn lbu_4_custom_roles_hold_the_rights_the_pack_lists() {
    let path = format!(
        "{}/../../policies/active-learning-trust.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let src = std::fs::read_to_string(path).expect("pack").replace(
        "id = \"headteacher\"",
        "id = \"headteacher\"\nrights = [\"view-live\", \"read-logbooks\"]",
    );
    let table = RightsTable::from_pack(&PolicyPack::parse(&src).expect("valid"));
    let head = person("head-a", &[("headteacher", Scope::Site(id("school-a")))]);
    let own = camera_at("school-a", &["entrance"]);
    assert_eq!(decide(&table, &head, Right::ViewLive, &own), Ok(Grant::Own));
    assert_eq!(
        decide(&table, &head, Right::AuthoriseDownload, &own),
        Ok(Grant::Own)
    );
    assert!(
        decide(&table, &head, Right::Export, &own).is_err(),
        "not listed"
    );
    assert!(
        decide(&table, &head, Right::ViewLive, &camera_at("school-b", &[])).is_err(),
        "still only at their own school"
    );
}

/// BDC-11: where the pack requires a course for a role, the role gives no right until the
/// person has an in-date record of it; names compare ignoring case and spaces; roles the
/// rule does not name are unaffected.
#[test]
fn bdc_11_untrained_operators_hold_no_operator_rights() {
    let table = RightsTable::from_pack(&pack("bassetlaw-district-council"));
    let cam = camera_at("town-centre", &["market"]);
    let mut op = person("op", &[("operator", Scope::Scheme)]);
    op.competence.licence_valid = true;
    let refused = decide(&table, &op, Right::ViewLive, &cam).expect_err("untrained");
    assert_eq!(
        refused,
        Denial::TrainingMissing {
            right: Right::ViewLive,
            course: "CCTV operator training".to_owned()
        }
    );
    assert!(
        refused
            .to_string()
            .contains("once your training in \"CCTV operator training\" is recorded and in date"),
        "{refused}"
    );
    op.competence
        .courses
        .insert(course_key("  cctv OPERATOR training "));
    assert_eq!(decide(&table, &op, Right::ViewLive, &cam), Ok(Grant::Own));
    // The DPO's rights do not depend on the operators' course.
    let dpo = person("d", &[("dpo", Scope::Scheme)]);
    assert_eq!(
        decide(&table, &dpo, Right::ReviewRecordings, &cam),
        Ok(Grant::Own)
    );
}

/// BDC-1: while the manager is absent the supervisor deputises for the manager's release of
/// data, and the grant says it is as deputy; while both manager and supervisor are absent,
/// an operator does; nobody deputises while the holders are present, and a deputy's
/// licence and training still count.
#[test]
fn bdc_1_deputies_act_only_while_the_holders_are_absent() {
    let table = RightsTable::from_pack(&pack("bassetlaw-district-council"));
    let cam = camera_at("town-centre", &["market"]);
    let mut sup = person("s", &[("supervisor", Scope::Scheme)]);
    sup.competence.licence_valid = true;
    trained(&mut sup);
    let refused = decide(&table, &sup, Right::AuthoriseDownload, &cam).expect_err("present");
    assert!(matches!(refused, Denial::NoRight { .. }), "{refused}");
    assert_eq!(
        table.deputy_needs(&sup.assignments),
        vec![Assignment {
            role: id("manager"),
            scope: Scope::Scheme
        }]
    );
    sup.absent_roles = table.deputy_needs(&sup.assignments);
    assert_eq!(
        decide(&table, &sup, Right::AuthoriseDownload, &cam),
        Ok(Grant::Deputy {
            for_roles: vec![id("manager")]
        })
    );
    // Deputising gives only the listed rights.
    assert!(decide(&table, &sup, Right::AuthoriseDeletion, &cam).is_err());

    let mut op = person("o", &[("operator", Scope::Scheme)]);
    op.competence.licence_valid = true;
    trained(&mut op);
    let needs = table.deputy_needs(&op.assignments);
    assert_eq!(needs.len(), 2, "{needs:?}");
    // The manager is away but the supervisor is in: the operator does not deputise.
    op.absent_roles = vec![Assignment {
        role: id("manager"),
        scope: Scope::Scheme,
    }];
    assert!(decide(&table, &op, Right::AuthoriseDownload, &cam).is_err());
    op.absent_roles = needs;
    let grant = decide(&table, &op, Right::AuthoriseDownload, &cam).expect("deputy");
    assert_eq!(grant.deputy_for().as_deref(), Some("manager, supervisor"));
    // An operator whose licence has lapsed deputises for nobody.
    op.competence.licence_valid = false;
    assert!(matches!(
        decide(&table, &op, Right::AuthoriseDownload, &cam),
        Err(Denial::NoRight { .. })
    ));
}

/// LJM-8, LBU-5: a camera group restricted to client networks is watched, live or
/// recorded, only from them, even by the owner; other rights on it are unaffected.
#[test]
fn ljm_8_restricted_groups_are_watched_only_from_their_workstations() {
    let table = RightsTable::from_pack(&pack("ljmu-operational-cameras"));
    let cam = Target::Located {
        site: id("main"),
        groups: vec![id("control-room")],
        workstations: vec![WorkstationRule {
            group: id("control-room"),
            networks: vec![Network::parse("10.20.0.0/16").expect("net")],
        }],
    };
    let mut owner = person("o", &[("owner", Scope::Scheme)]);
    let refused = decide(&table, &owner, Right::ViewLive, &cam).expect_err("console");
    assert!(
        refused.to_string().contains("an unknown address"),
        "{refused}"
    );
    owner.client = Some("192.0.2.9".parse().expect("ip"));
    for right in [Right::ViewLive, Right::ReviewRecordings, Right::Export] {
        let refused = decide(&table, &owner, right, &cam).expect_err("elsewhere");
        assert_eq!(
            refused.to_string(),
            "the cameras of group control-room may be watched only from the workstations registered for it, and this request comes from 192.0.2.9; use a registered workstation, or ask a manager to register this one"
        );
    }
    assert_eq!(
        decide(&table, &owner, Right::ManageCameras, &cam),
        Ok(Grant::Own)
    );
    owner.client = Some("10.20.3.4".parse().expect("ip"));
    assert_eq!(
        decide(&table, &owner, Right::ViewLive, &cam),
        Ok(Grant::Own)
    );
}

fn case(kind: &str, site: Option<&str>) -> Target {
    Target::Case {
        kind: kind.parse().expect("kind"),
        site: site.map(id),
    }
}

/// LBU-4, BDC-39, BDC-29: `work-cases` is limited per kind of case where the pack says so
/// — Bassetlaw's manager and Heads of Service work third-party disclosures, its Data
/// Protection Manager the requests from data subjects, its owner every kind — and a case
/// about one site is worked only by those whose roles reach that site (ALT-21).
#[test]
fn lbu_4_cases_are_worked_only_by_the_roles_the_pack_gives_their_kind() {
    let table = RightsTable::from_pack(&pack("bassetlaw-district-council"));
    let manager = person("m", &[("manager", Scope::Scheme)]);
    assert_eq!(
        decide(
            &table,
            &manager,
            Right::WorkCases,
            &case("disclosure", None)
        ),
        Ok(Grant::Own)
    );
    let refused = decide(
        &table,
        &manager,
        Right::WorkCases,
        &case("subject-access", None),
    )
    .expect_err("not the manager's kind");
    assert_eq!(
        refused.to_string(),
        "your roles (Manager) work other kinds of case, not a subject access request; ask a manager if your work needs it"
    );
    let head = person("h", &[("head-of-service", Scope::Scheme)]);
    assert!(decide(&table, &head, Right::WorkCases, &case("disclosure", None)).is_ok());
    assert!(decide(&table, &head, Right::WorkCases, &case("complaint", None)).is_err());
    let dpo = person("d", &[("dpo", Scope::Scheme)]);
    assert!(
        decide(
            &table,
            &dpo,
            Right::WorkCases,
            &case("subject-access", None)
        )
        .is_ok()
    );
    assert!(decide(&table, &dpo, Right::WorkCases, &case("complaint", None)).is_err());
    let owner = person("o", &[("owner", Scope::Scheme)]);
    assert!(decide(&table, &owner, Right::WorkCases, &case("complaint", None)).is_ok());
    let op = person("op", &[("operator", Scope::Scheme)]);
    assert!(matches!(
        decide(&table, &op, Right::WorkCases, &case("complaint", None)),
        Err(Denial::NoRight { .. })
    ));

    // A trust's school manager works their own school's cases only.
    let trust = RightsTable::from_pack(&pack("active-learning-trust"));
    let school_manager = person("sm", &[("manager", Scope::Site(id("school-a")))]);
    assert!(
        decide(
            &trust,
            &school_manager,
            Right::WorkCases,
            &case("subject-access", Some("school-a"))
        )
        .is_ok()
    );
    assert!(matches!(
        decide(
            &trust,
            &school_manager,
            Right::WorkCases,
            &case("subject-access", Some("school-b"))
        ),
        Err(Denial::OutOfScope { .. })
    ));
    assert!(
        decide(
            &trust,
            &school_manager,
            Right::WorkCases,
            &case("subject-access", None)
        )
        .is_err(),
        "a case about the whole trust needs the right trust-wide"
    );
}

/// LBU-19: footage for HR and discipline goes out only with two people's authorisation —
/// the Director of HR or the Academic Registrar, and the Head of Security — and one person
/// holding both kinds of role still counts once.
#[test]
fn lbu_19_hr_releases_need_two_people() {
    use custos_domain::access::groups_wanting;
    let p = pack("loughborough-university");
    let hr = &p.authorise.disclosure.hr_discipline;
    let groups = hr.groups();
    assert_eq!(
        groups,
        vec![
            vec![id("director-of-hr"), id("academic-registrar")],
            vec![id("head-of-security")]
        ]
    );
    assert_eq!(
        hr.describe_groups(),
        "director-of-hr or academic-registrar, and head-of-security (2 people)"
    );
    // Nobody yet: both groups wanted.
    assert_eq!(groups_wanting(&groups, &[]), groups);
    // The Registrar alone fills the first group only.
    let registrar = ("r".to_owned(), id("academic-registrar"));
    assert_eq!(
        groups_wanting(&groups, std::slice::from_ref(&registrar)),
        vec![vec![id("head-of-security")]]
    );
    // The same person again, in another role, does not make a second person.
    let again = ("r".to_owned(), id("head-of-security"));
    assert_eq!(
        groups_wanting(&groups, &[registrar.clone(), again]),
        vec![vec![id("head-of-security")]]
    );
    // The Head of Security as a second person completes it, whichever came first.
    let security = ("h".to_owned(), id("head-of-security"));
    assert!(groups_wanting(&groups, &[security.clone(), registrar.clone()]).is_empty());
    // Two from the same group do not.
    let director = ("d".to_owned(), id("director-of-hr"));
    assert_eq!(groups_wanting(&groups, &[registrar, director]).len(), 1);
    // Other categories stay one person.
    assert_eq!(p.authorise.disclosure.law_enforcement.groups().len(), 1);
}

/// LBU-19: a pack states a several-person authority as `all_of`; mixing it with `roles`, an
/// empty group or an unknown role is refused with its position.
#[test]
fn lbu_19_all_of_is_checked_when_the_pack_loads() {
    let src = std::fs::read_to_string(format!(
        "{}/../../policies/loughborough-university.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("pack");
    let line =
        r#"all_of = [["director-of-hr", "academic-registrar"], ["head-of-security"]]  # LBU-19"#;
    assert!(src.contains(line));
    for (bad, says) in [
        (
            r#"all_of = [["director-of-hr"], ["head-of-security"]]
roles = ["dpo"]"#,
            "has both roles and all_of",
        ),
        (r#"all_of = [["director-of-hr"], []]"#, "group 2 is empty"),
        (
            r#"all_of = [["director-of-hr"], ["head-of-securty"]]"#,
            "there is no role \"head-of-securty\"",
        ),
    ] {
        let err = PolicyPack::parse(&src.replace(line, bad)).expect_err(bad);
        assert!(err.to_string().contains(says), "{bad}: {err}");
    }
}

/// BDC-1, BDC-39: while the manager is away the supervisor authorises third-party releases
/// in the manager's place, through the same decision as every other right: present
/// holders, training and licences count, and the role acted in is the manager's.
#[test]
fn bdc_1_a_deputy_authorises_releases_in_the_absent_managers_place() {
    use custos_domain::access::decide_authority;
    let p = pack("bassetlaw-district-council");
    let table = RightsTable::from_pack(&p);
    let police = p.authorise.disclosure.law_enforcement.roles.clone();
    let cams = [camera_at("town-centre", &["market"])];
    let mut sup = person("s", &[("supervisor", Scope::Scheme)]);
    sup.competence.licence_valid = true;
    trained(&mut sup);
    let refused = decide_authority(&table, &sup, Right::AuthoriseDisclosure, &police, &cams)
        .expect_err("the manager is in");
    assert!(
        matches!(refused, Denial::NotAnAuthoriser { .. }),
        "{refused}"
    );
    sup.absent_roles = table.deputy_needs(&sup.assignments);
    assert_eq!(
        decide_authority(&table, &sup, Right::AuthoriseDisclosure, &police, &cams),
        Ok((
            id("manager"),
            Grant::Deputy {
                for_roles: vec![id("manager")]
            }
        ))
    );
    // Downloads too, through the same function.
    let download = p.authorise.download.roles.clone();
    assert!(decide_authority(&table, &sup, Right::AuthoriseDownload, &download, &cams).is_ok());
    // Not for a category the manager may not authorise either (statutory bodies: owner, DPO).
    let statutory = p.authorise.disclosure.statutory_body.roles.clone();
    assert!(decide_authority(&table, &sup, Right::AuthoriseDisclosure, &statutory, &cams).is_err());
    // A lapsed licence: no deputising.
    sup.competence.licence_valid = false;
    assert!(decide_authority(&table, &sup, Right::AuthoriseDisclosure, &police, &cams).is_err());
}

/// ALT-8, ALT-21: an authoriser acts only where every camera of the footage is: a
/// headteacher of one school cannot authorise a download that takes in another school's
/// camera, and says where they may.
#[test]
fn alt_8_an_authoriser_must_hold_the_role_where_all_the_footage_is() {
    use custos_domain::access::decide_authority;
    let p = pack("active-learning-trust");
    let table = RightsTable::from_pack(&p);
    let roles = p.authorise.download.roles.clone();
    let head = person("h", &[("headteacher", Scope::Site(id("north")))]);
    let own = [camera_at("north", &[])];
    let both = [camera_at("north", &[]), camera_at("south", &[])];
    assert_eq!(
        decide_authority(&table, &head, Right::AuthoriseDownload, &roles, &own).map(|(r, _)| r),
        Ok(id("headteacher"))
    );
    let refused = decide_authority(&table, &head, Right::AuthoriseDownload, &roles, &both)
        .expect_err("another school");
    assert!(
        refused.to_string().contains("headteacher at site:north"),
        "{refused}"
    );
}

/// A refusal can say who would be allowed: the roles that give a right under the school's
/// pack, the one with the fewest rights first, and only those (the pack's authorisers too).
#[test]
fn the_roles_that_give_a_right_are_listed_the_least_first() {
    let table = RightsTable::from_pack(&pack("bosmere-junior-school"));
    let readers: Vec<&str> = table
        .roles_with(Right::ReadLogbooks)
        .into_iter()
        .map(Ident::as_str)
        .collect();
    assert_eq!(
        readers,
        ["auditor", "supervisor", "dpo", "manager", "owner"]
    );
    let deleters: Vec<&str> = table
        .roles_with(Right::AuthoriseDeletion)
        .into_iter()
        .map(Ident::as_str)
        .collect();
    assert_eq!(deleters, ["manager", "owner"]);
    assert_eq!(
        custos_domain::role::display_name(readers[2]),
        "Data Protection Officer"
    );
}

/// LBU-11, LBU-25: Loughborough's Chief Operating Officer and Director of HR, who authorise
/// covert recording, reach the covert authorisations (and the Chief Operating Officer the
/// complaints whose appeals they hear), but no other kind of case; the officers who do not
/// authorise it still cannot record one.
#[test]
fn lbu_11_the_officers_who_authorise_covert_recording_work_those_cases_only() {
    use custos_domain::access::decide_authority;
    let p = pack("loughborough-university");
    let table = RightsTable::from_pack(&p);
    let coo = person("c", &[("chief-operating-officer", Scope::Scheme)]);
    let hr = person("h", &[("director-of-hr", Scope::Scheme)]);
    for who in [&coo, &hr] {
        assert!(
            decide(
                &table,
                who,
                Right::WorkCases,
                &case("covert-authorisation", None)
            )
            .is_ok(),
            "{} works covert authorisations",
            who.username
        );
        assert!(
            decide(&table, who, Right::WorkCases, &case("subject-access", None)).is_err(),
            "{} does not work subject access",
            who.username
        );
    }
    assert!(decide(&table, &coo, Right::WorkCases, &case("complaint", None)).is_ok());
    assert!(decide(&table, &hr, Right::WorkCases, &case("complaint", None)).is_err());
    let roles = p.authorise.covert_recording.roles.clone();
    let cams = [camera_at("campus", &[])];
    assert_eq!(
        decide_authority(&table, &coo, Right::WorkCases, &roles, &cams).map(|(r, _)| r),
        Ok(id("chief-operating-officer"))
    );
    let registrar = person("r", &[("academic-registrar", Scope::Scheme)]);
    assert!(decide_authority(&table, &registrar, Right::WorkCases, &roles, &cams).is_err());
    // The Data Protection Team's casework is not limited by kind.
    let dpo = person("d", &[("dpo", Scope::Scheme)]);
    assert!(
        decide(
            &table,
            &dpo,
            Right::WorkCases,
            &case("subject-access", None)
        )
        .is_ok()
    );
}

/// BDC-18: the council's visitors' log is kept by operators and countersigned by the
/// supervisor only; a refusal names the roles that would do.
#[test]
fn bdc_18_a_book_is_kept_and_countersigned_by_the_roles_the_pack_names() {
    use custos_domain::access::book_role;
    use custos_domain::ledger::Book;
    let p = pack("bassetlaw-district-council");
    let op = person("o", &[("operator", Scope::Scheme)]);
    let sup = person("s", &[("supervisor", Scope::Scheme)]);
    let viewer = person("v", &[("viewer", Scope::Scheme)]);
    assert_eq!(
        book_role(&p.books, Book::Visitors, &op, false),
        Ok(id("operator"))
    );
    let refused = book_role(&p.books, Book::Visitors, &op, true).expect_err("no countersigning");
    assert!(
        refused.contains("countersigned here by the supervisor"),
        "{refused}"
    );
    assert_eq!(
        book_role(&p.books, Book::Visitors, &sup, true),
        Ok(id("supervisor"))
    );
    let refused = book_role(&p.books, Book::Incident, &viewer, false).expect_err("a viewer");
    assert!(refused.contains("none of your roles (Viewer)"), "{refused}");
    assert!(book_role(&p.books, Book::Review, &op, false).is_err());
}
