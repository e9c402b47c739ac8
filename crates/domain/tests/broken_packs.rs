//! Broken policy packs: each produces its expected message at the right line and column,
//! and a pack with several problems reports all of them.

use custos_domain::PolicyPack;

const MINIMAL: &str = include_str!("fixtures/minimal.toml");

/// The minimal pack with the first occurrence of `find` replaced by `replace`.
fn broken(find: &str, replace: &str) -> String {
    assert!(MINIMAL.contains(find), "fixture does not contain {find:?}");
    MINIMAL.replacen(find, replace, 1)
}

/// Asserts that `source` fails with a problem at `line:column` whose message contains each
/// of `fragments`.
#[track_caller]
fn assert_problem(source: &str, line: usize, column: usize, fragments: &[&str]) {
    let err = PolicyPack::parse(source).expect_err("the pack should be refused");
    let rendered = err.render("pack.toml");
    let hit = err.problems.iter().any(|p| {
        p.line == line && p.column == column && fragments.iter().all(|f| p.message.contains(f))
    });
    assert!(
        hit,
        "expected a problem at {line}:{column} containing {fragments:?}; got:\n{rendered}"
    );
    assert!(rendered.starts_with("pack.toml:"), "{rendered}");
}

#[test]
fn the_minimal_fixture_is_valid() {
    let pack = PolicyPack::parse(MINIMAL).expect("fixture valid");
    assert_eq!(pack.id.as_str(), "test-scheme");
    assert!(pack.role("headteacher").is_some());
}

/// ALT-16, BDC-2: no camera may keep footage beyond the scheme's maximum.
#[test]
fn alt_16_camera_kind_retention_above_maximum_is_refused() {
    let src = broken(
        "by_camera_kind = { vehicle = 14 }",
        "by_camera_kind = { vehicle = 45 }",
    );
    assert_problem(
        &src,
        27,
        30,
        &[
            "by_camera_kind.vehicle is 45 days",
            "maximum of 30 days",
            "lower it to 30",
        ],
    );
}

#[test]
fn default_retention_above_maximum_is_refused() {
    let src = broken("default_days = 30", "default_days = 45");
    assert_problem(&src, 25, 16, &["default_days is 45", "maximum of 30 days"]);
}

#[test]
fn a_role_that_does_not_exist_is_refused() {
    let src = broken(
        "download = { roles = [\"headteacher\"] }",
        "download = { roles = [\"head\"] }",
    );
    assert_problem(
        &src,
        47,
        23,
        &[
            "authorise.download.roles",
            "no role \"head\"",
            "headteacher",
            "[[roles.custom]]",
        ],
    );
}

/// SCC-1: a purpose must be usable by some camera.
#[test]
fn scc_1_a_purpose_allowing_neither_live_viewing_nor_recording_is_refused() {
    let src = broken(
        "live_view = true\nrecording = [\"continuous\"]",
        "live_view = false\nrecording = []",
    );
    assert_problem(
        &src,
        17,
        1,
        &[
            "\"crime-prevention\" allows neither live viewing nor recording",
            "live_view = true",
        ],
    );
}

#[test]
fn an_unparseable_deadline_rule_is_refused() {
    let src = broken(
        "complaint_acknowledge = \"working-days:5\"",
        "complaint_acknowledge = \"5 working days\"",
    );
    assert_problem(
        &src,
        37,
        25,
        &[
            "deadlines.complaint_acknowledge",
            "\"5 working days\" is not a deadline rule",
            "working-days:N",
        ],
    );
}

#[test]
fn an_unknown_nation_is_refused() {
    let src = broken("nation = \"england-wales\"", "nation = \"wales\"");
    assert_problem(
        &src,
        15,
        10,
        &[
            "scheme.nation",
            "\"wales\" is not a nation",
            "\"england-wales\"",
        ],
    );
}

#[test]
fn an_unknown_key_is_refused_with_the_keys_allowed() {
    let src = broken("live_view = true", "live_veiw = true");
    assert_problem(&src, 21, 1, &["unknown field `live_veiw`", "live_view"]);
}

#[test]
fn a_missing_section_is_refused() {
    let src = broken("[recording]\naudio_default = \"off\"\n", "");
    assert_problem(&src, 1, 1, &["missing field `recording`", "add it"]);
}

#[test]
fn a_toml_syntax_error_is_placed() {
    let src = broken("name = \"Test Council\"", "name = \"Test Council");
    let err = PolicyPack::parse(&src).expect_err("syntax error");
    assert_eq!(err.problems.len(), 1);
    assert_eq!(err.problems[0].line, 7, "{}", err.render("pack.toml"));
}

#[test]
fn a_value_of_the_wrong_type_is_refused() {
    let src = broken("idle_lock_minutes = 10", "idle_lock_minutes = \"ten\"");
    assert_problem(&src, 66, 21, &["invalid type", "expected u32"]);
}

/// LBU-14: screens must lock when unattended, so an idle lock of 0 is refused.
#[test]
fn lbu_14_an_idle_lock_of_zero_minutes_is_refused() {
    let src = broken("idle_lock_minutes = 10", "idle_lock_minutes = 0");
    assert_problem(&src, 66, 21, &["idle_lock_minutes is 0", "from 1 to 120"]);
}

#[test]
fn an_unsupported_format_is_refused() {
    let src = broken("format = 1", "format = 2");
    assert_problem(&src, 2, 10, &["format = 2 is not supported", "format = 1"]);
}

#[test]
fn a_bad_retention_period_is_refused() {
    let src = broken("period = \"6 months\"", "period = \"half a year\"");
    assert_problem(
        &src,
        32,
        10,
        &[
            "retention.class.period",
            "\"half a year\" is not a period",
            "\"6 months\"",
        ],
    );
}

#[test]
fn duplicate_purposes_are_refused() {
    let extra = "[[purpose]]\nid = \"crime-prevention\"\nname = \"Again\"\ndescription = \"Again.\"\nlive_view = true\nrecording = []\n\n[retention]";
    let src = broken("[retention]", extra);
    assert_problem(
        &src,
        25,
        6,
        &["purpose \"crime-prevention\" is defined twice"],
    );
}

#[test]
fn an_authority_with_no_roles_or_contradicting_allowed_is_refused() {
    let src = broken(
        "police_control = { roles = [\"owner\"] }",
        "police_control = { roles = [] }",
    );
    assert_problem(
        &src,
        51,
        18,
        &["authorise.police_control names no role", "allowed = false"],
    );
    let src = broken(
        "media = { allowed = false }",
        "media = { allowed = false, roles = [\"owner\"] }",
    );
    assert_problem(
        &src,
        62,
        9,
        &["disclosure.media says allowed = false but lists roles"],
    );
}

/// BDC-25: a pack may name fewer people for total police control than for partial, but not
/// name anyone for it while forbidding police control altogether.
#[test]
fn bdc_25_total_control_needs_police_control_allowed() {
    let src = broken(
        "police_control = { roles = [\"owner\"] }",
        "police_control = { allowed = false }\npolice_control_total = { roles = [\"owner\"] }",
    );
    assert_problem(&src, 52, 24, &["police_control_total", "allowed = false"]);
    let ok = broken(
        "police_control = { roles = [\"owner\"] }",
        "police_control = { roles = [\"owner\", \"manager\"] }\npolice_control_total = { roles = [\"owner\"] }",
    );
    let pack = PolicyPack::parse(&ok).expect("a pack naming who agrees to total control");
    assert_eq!(pack.authorise.police_control_for(false).roles.len(), 2);
    assert_eq!(pack.authorise.police_control_for(true).roles.len(), 1);
}

/// BDC-18: a pack's `[books]` names only the kept books, at least one keeper each, known
/// roles, an undertaking only for the visitors' book and purposes only for the deployment
/// log (BDC-38).
#[test]
fn bdc_18_a_books_section_is_checked_when_the_pack_loads() {
    for (add, says) in [
        (
            "[books.diary]\nkeep = [\"operator\"]\n",
            "books.diary: there is no such book",
        ),
        (
            "[books.incident]\nkeep = []\n",
            "books.incident.keep is empty",
        ),
        (
            "[books.visitors]\nkeep = [\"operatr\"]\n",
            "books.visitors.keep: there is no role \"operatr\"",
        ),
        (
            "[books.incident]\nkeep = [\"operator\"]\nundertaking = \"I will keep quiet\"\n",
            "only the visitors' book has an undertaking",
        ),
        (
            "[books.incident]\nkeep = [\"operator\"]\npurposes = [\"Crime\"]\n",
            "only the deployment log has purposes",
        ),
        (
            "[books.deployment]\nkeep = [\"operator\"]\npurposes = [\"Crime\", \" \"]\n",
            "books.deployment.purposes lists an empty purpose",
        ),
    ] {
        let err = PolicyPack::parse(&format!("{MINIMAL}\n{add}")).expect_err(add);
        assert!(err.to_string().contains(says), "{add}: {err}");
    }
    let ok = PolicyPack::parse(&format!(
        "{MINIMAL}\n[books.visitors]\nkeep = [\"operator\"]\ncountersign = [\"supervisor\"]\nundertaking = \"I will say nothing of what I see here.\"\n"
    ))
    .expect("a pack with a visitors' book");
    assert_eq!(
        ok.books.visitor_undertaking,
        "I will say nothing of what I see here."
    );
    assert_eq!(
        ok.books.deployment_purposes.len(),
        5,
        "BDC-38's five where the pack names none"
    );
    let ok = PolicyPack::parse(&format!(
        "{MINIMAL}\n[books.deployment]\nkeep = [\"operator\"]\npurposes = [\"Fly-tipping enforcement\"]\n"
    ))
    .expect("a pack with its own deployment purposes");
    assert_eq!(
        ok.books.deployment_purposes,
        vec!["Fly-tipping enforcement"]
    );
}

/// LBU-16, BDC-19: the pack's `[maintenance]` is checked when it loads: a check interval
/// and contractor times in range, at the line and column of the value at fault, and a fix
/// never due before the response; where the pack is silent, weekly checks and the default
/// contractor times.
#[test]
fn bdc_19_a_maintenance_section_is_checked_when_the_pack_loads() {
    let pack = PolicyPack::parse(MINIMAL).expect("minimal");
    assert_eq!(
        pack.maintenance,
        custos_domain::policy::Maintenance {
            check_every_days: 7,
            contractor_response_hours: 24,
            contractor_fix_hours: 72,
        }
    );
    let line = MINIMAL.lines().count() + 3;
    for (add, column, says) in [
        (
            "check_every_days = 0",
            20,
            "maintenance.check_every_days is 0; write the days between a camera's checks, from 1 to 366",
        ),
        (
            "contractor_response_hours = 9999",
            29,
            "maintenance.contractor_response_hours is 9999",
        ),
        (
            "contractor_response_hours = 48\ncontractor_fix_hours = 8",
            24,
            "contractor_fix_hours is 8, less than the response time of 48 hours",
        ),
    ] {
        let src = format!("{MINIMAL}\n[maintenance]\n{add}\n");
        let line = if add.contains('\n') { line + 1 } else { line };
        assert_problem(&src, line, column, &[says]);
    }
    let ok = PolicyPack::parse(&format!(
        "{MINIMAL}\n[maintenance]\ncheck_every_days = 1\ncontractor_response_hours = 4\ncontractor_fix_hours = 24\n"
    ))
    .expect("a pack with a maintenance section");
    assert_eq!(ok.maintenance.check_every_days, 1);
    assert_eq!(ok.maintenance.response_rule().describe(), "4 hours");
    assert_eq!(ok.maintenance.fix_rule().describe(), "24 hours");
    let err = PolicyPack::parse(&format!("{MINIMAL}\n[maintenance]\ncheck_every = 7\n"))
        .expect_err("unknown key");
    assert!(err.to_string().contains("unknown field"), "{err}");
}

#[test]
fn a_custom_role_may_not_reuse_a_built_in_id() {
    let src = broken("id = \"headteacher\"", "id = \"manager\"");
    assert_problem(
        &src,
        43,
        6,
        &["custom role \"manager\" has the same id as a built-in role"],
    );
}

/// LJM-1: "live-only" is a camera mode, not a recording mode of a purpose.
#[test]
fn ljm_1_live_only_is_not_a_recording_mode() {
    let src = broken(
        "recording = [\"continuous\"]",
        "recording = [\"live-only\"]",
    );
    assert_problem(
        &src,
        22,
        14,
        &["\"live-only\" is not a recording mode", "live_view = true"],
    );
}

/// LJM-3, BJS-3: audio is off or on, nothing else.
#[test]
fn ljm_3_an_unknown_audio_default_is_refused() {
    let src = broken("audio_default = \"off\"", "audio_default = \"quiet\"");
    assert_problem(
        &src,
        70,
        17,
        &["\"quiet\" is not an audio setting", "\"off\""],
    );
}

#[test]
fn every_semantic_problem_is_reported_at_once() {
    let src = broken("default_days = 30", "default_days = 45")
        .replacen("nation = \"england-wales\"", "nation = \"wales\"", 1)
        .replacen(
            "download = { roles = [\"headteacher\"] }",
            "download = { roles = [\"head\"] }",
            1,
        )
        .replacen("foi = \"working-days:20\"", "foi = \"20 days\"", 1);
    let err = PolicyPack::parse(&src).expect_err("broken");
    assert_eq!(err.problems.len(), 4, "{}", err.render("pack.toml"));
    let lines: Vec<usize> = err.problems.iter().map(|p| p.line).collect();
    assert_eq!(
        lines,
        vec![15, 25, 40, 47],
        "problems are listed in source order"
    );
}

/// BDC-7: a declaration users must accept cannot be empty.
#[test]
fn bdc_7_an_empty_declaration_is_refused() {
    let src = broken(
        "idle_lock_minutes = 10",
        "idle_lock_minutes = 10\ndeclaration = \"  \"",
    );
    assert_problem(
        &src,
        67,
        15,
        &[
            "access.declaration has 0 characters",
            "confidentiality declaration",
        ],
    );
}

/// A custom role's rights must be rights Custos knows, listed by their ids.
#[test]
fn a_custom_role_with_an_unknown_right_is_refused() {
    let src = broken(
        "description = \"Authorises downloads for one school\"",
        "description = \"Authorises downloads for one school\"\nrights = [\"view-live\", \"watch-everything\"]",
    );
    assert_problem(
        &src,
        45,
        24,
        &[
            "\"watch-everything\" is not a right",
            "\"review-recordings\"",
        ],
    );
}

/// BDC-1: a deputising arrangement names known roles, a deputy other than the absent
/// roles, and rights Custos knows.
#[test]
fn bdc_1_a_bad_deputising_arrangement_is_refused() {
    let src = broken(
        "mfa_roles = [\"owner\", \"manager\"]\n",
        "mfa_roles = [\"owner\", \"manager\"]\n\n[[access.deputies]]\nabsent = [\"manager\", \"bursar\"]\ndeputy = \"manager\"\nrights = [\"authorise-everything\"]\n",
    );
    assert_problem(
        &src,
        70,
        22,
        &["access.deputies.absent", "no role \"bursar\""],
    );
    assert_problem(&src, 71, 10, &["\"manager\" cannot deputise for itself"]);
    assert_problem(
        &src,
        72,
        11,
        &[
            "access.deputies.rights",
            "\"authorise-everything\" is not a right",
        ],
    );
}

/// BDC-11: a training rule names a course and the known roles that need it.
#[test]
fn bdc_11_a_bad_training_rule_is_refused() {
    let src = broken(
        "mfa_roles = [\"owner\", \"manager\"]\n",
        "mfa_roles = [\"owner\", \"manager\"]\n\n[[access.training]]\ncourse = \" \"\nroles = [\"operater\"]\n",
    );
    assert_problem(&src, 70, 10, &["access.training.course is empty"]);
    assert_problem(
        &src,
        71,
        10,
        &["access.training.roles", "no role \"operater\""],
    );
}

/// BJS-9, LBU-4: a training rule that limits itself to some rights names rights Custos
/// knows, and at least one.
#[test]
fn lbu_4_a_training_rule_names_real_rights() {
    let src = broken(
        "mfa_roles = [\"owner\", \"manager\"]\n",
        "mfa_roles = [\"owner\", \"manager\"]\n\n[[access.training]]\ncourse = \"CCTV\"\nroles = [\"operator\"]\nrights = [\"view-live\", \"watch-everything\"]\n",
    );
    assert_problem(
        &src,
        72,
        24,
        &[
            "access.training.rights",
            "\"watch-everything\" is not a right",
        ],
    );
    let src = broken(
        "mfa_roles = [\"owner\", \"manager\"]\n",
        "mfa_roles = [\"owner\", \"manager\"]\n\n[[access.training]]\ncourse = \"CCTV\"\nroles = [\"operator\"]\nrights = []\n",
    );
    assert_problem(&src, 72, 10, &["`rights` is empty", "leave the key out"]);
}

/// LBU-4: `access.case_kinds` names the pack's roles and kinds of case Custos knows.
#[test]
fn lbu_4_bad_case_kinds_are_refused() {
    let src = broken(
        "mfa_roles = [\"owner\", \"manager\"]\n",
        "mfa_roles = [\"owner\", \"manager\"]\ncase_kinds = { dpo = [\"subject-access\", \"gossip\"], bursar = [\"complaint\"] }\n",
    );
    let err = PolicyPack::parse(&src).expect_err("refused");
    let text = err.render("pack.toml");
    assert!(
        text.contains(
            "access.case_kinds.dpo: \"gossip\" is not a case kind; use one of \"subject-access\""
        ),
        "{text}"
    );
    assert!(
        text.contains("access.case_kinds: there is no role \"bursar\""),
        "{text}"
    );
}

/// BDC-17: a pack cannot say the scheme never discloses to the National Crime Agency: its
/// requests must be met.
#[test]
fn bdc_17_a_pack_may_not_refuse_the_national_crime_agency() {
    let src = broken(
        "national-crime-agency = { roles = [\"manager\"] }",
        "national-crime-agency = { allowed = false }",
    );
    assert_problem(
        &src,
        56,
        25,
        &[
            "National Crime Agency must be met",
            "Crime and Courts Act 2013 s7",
        ],
    );
}

/// BDC-3, ALT-16: a class may keep evidence master copies or disclosed copies by itself;
/// an unknown value, or two classes claiming the same material, is refused at its place.
#[test]
fn bdc_3_alt_16_applies_to_names_known_material_once() {
    let with = |value: &str| {
        broken(
            "period = \"6 months\"\n",
            &format!("period = \"6 months\"\napplies_to = \"{value}\"\n"),
        )
    };
    let pack = PolicyPack::parse(&with("disclosed-copies")).expect("valid");
    let class = pack
        .retention
        .class_for(custos_domain::policy::AppliesTo::DisclosedCopies)
        .expect("the class");
    assert_eq!(class.id.as_str(), "sar-copy");
    assert!(
        pack.retention
            .class_for(custos_domain::policy::AppliesTo::EvidenceMasterCopies)
            .is_none()
    );
    assert_problem(
        &with("master-copies"),
        33,
        14,
        &["applies_to", "evidence-master-copies", "disclosed-copies"],
    );
    let twice = with("disclosed-copies").replacen(
        "[[retention.class]]",
        "[[retention.class]]\nid = \"other-copy\"\ndescription = \"Other copies\"\nperiod = \"1 month\"\napplies_to = \"disclosed-copies\"\n\n[[retention.class]]",
        1,
    );
    assert_problem(&twice, 39, 14, &["only one class may keep"]);
}

/// LBU-19, ALT-13, BDC-39: a pack may require more documents for a disclosure category
/// than the lawful minimum; an unknown document, or documents on an action that is not a
/// disclosure, is refused at its place.
#[test]
fn lbu_19_a_pack_may_require_more_documents_for_a_disclosure_category() {
    use custos_domain::disclosure::{Category, DocumentKind, missing_pack_documents};
    let src = broken(
        "legal-representative = { roles = [\"manager\", \"dpo\"] }",
        "legal-representative = { roles = [\"manager\", \"dpo\"], documents = [\"court-order\", \"letter-of-authority\"] }",
    );
    let pack = PolicyPack::parse(&src).expect("valid");
    let extra = &pack.authorise.disclosure.legal_representative.documents;
    assert_eq!(
        extra,
        &[DocumentKind::CourtOrder, DocumentKind::LetterOfAuthority]
    );
    // The letter of authority is the minimum already; only the court order is added.
    let missing = missing_pack_documents(
        Category::LegalRepresentative,
        false,
        extra,
        &[DocumentKind::LetterOfAuthority],
    );
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(missing[0].contains("court order"), "{missing:?}");
    assert!(
        missing_pack_documents(
            Category::LegalRepresentative,
            false,
            extra,
            &[DocumentKind::CourtOrder]
        )
        .is_empty()
    );
    let unknown = broken(
        "legal-representative = { roles = [\"manager\", \"dpo\"] }",
        "legal-representative = { roles = [\"manager\", \"dpo\"], documents = [\"a-note\"] }",
    );
    let err = PolicyPack::parse(&unknown).expect_err("unknown document");
    assert!(
        err.render("pack.toml")
            .contains("authorise.disclosure.legal-representative.documents"),
        "{}",
        err.render("pack.toml")
    );
    let misplaced = broken(
        "download = { roles = [\"headteacher\"] }",
        "download = { roles = [\"headteacher\"], documents = [\"court-order\"] }",
    );
    let err = PolicyPack::parse(&misplaced).expect_err("not a disclosure");
    assert!(
        err.render("pack.toml")
            .contains("only for disclosure categories"),
        "{}",
        err.render("pack.toml")
    );
}
