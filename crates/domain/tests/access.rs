//! The authorisation function against real schemes' packs: rights by role, authorisation
//! rights from the pack, scopes by site and camera group, and reasons for every refusal.

use custos_domain::access::{
    Assignment, Competence, Denial, Right, RightsTable, Scope, Subject, Target, decide,
};
use custos_domain::{Ident, PolicyPack};

fn pack(name: &str) -> PolicyPack {
    let path = format!("{}/../../policies/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    PolicyPack::parse(&std::fs::read_to_string(path).expect("pack")).expect("valid")
}

fn id(s: &str) -> Ident {
    Ident::parse(s).expect("ident")
}

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
        competence: Competence::default(),
    }
}

fn camera_at(site: &str, groups: &[&str]) -> Target {
    Target::Located {
        site: id(site),
        groups: groups.iter().map(|g| id(g)).collect(),
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
        Ok(())
    );
    assert_eq!(
        decide(&table, &head, Right::AuthoriseDeletion, &own),
        Ok(())
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
            .contains("none of your roles (headteacher) lets you watch cameras live"),
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
    assert_eq!(decide(&table, &op, Right::ViewLive, &cam), Ok(()));

    let mut trainee = person("tr", &[("trainee-operator", Scope::Scheme)]);
    trainee.competence.licence_valid = true;
    assert_eq!(
        decide(&table, &trainee, Right::ViewLive, &cam),
        Err(Denial::NoLicensedOperatorOnDuty {
            right: Right::ViewLive
        })
    );
    trainee.competence.operator_on_duty = true;
    assert!(
        decide(&table, &trainee, Right::ViewLive, &cam).is_err(),
        "an unlicensed operator on duty is not enough where licences are required"
    );
    trainee.competence.licensed_operator_on_duty = true;
    assert_eq!(decide(&table, &trainee, Right::ViewLive, &cam), Ok(()));

    // A manager's rights are not control-room operator rights.
    let manager = person("m", &[("manager", Scope::Scheme)]);
    assert_eq!(decide(&table, &manager, Right::ViewLive, &cam), Ok(()));

    // A school that requires no licence does not gate its operators.
    let school = RightsTable::from_pack(&pack("bosmere-junior-school"));
    let op = person("op", &[("operator", Scope::Scheme)]);
    assert_eq!(decide(&school, &op, Right::ViewLive, &cam), Ok(()));
    // There a trainee needs an operator on duty, licensed or not.
    let mut trainee = person("tr", &[("trainee-operator", Scope::Scheme)]);
    assert!(decide(&school, &trainee, Right::ViewLive, &cam).is_err());
    trainee.competence.operator_on_duty = true;
    assert_eq!(decide(&school, &trainee, Right::ViewLive, &cam), Ok(()));
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
    assert_eq!(decide(&table, &head, Right::ViewLive, &own), Ok(()));
    assert_eq!(
        decide(&table, &head, Right::AuthoriseDownload, &own),
        Ok(())
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
