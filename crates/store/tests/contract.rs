//! The store's contract, run against both backends: SQLite always, PostgreSQL when
//! `CUSTOS_TEST_POSTGRES_URL` names a server (each test gets its own fresh database there).
//! CI always sets it; without it (and outside CI) the PostgreSQL half says it is skipped.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use custos_base::{Actor, Clock as _, SimulatedClock, UnixMs};
use custos_domain::access::{Assignment, Scope, Username};
use custos_domain::ledger::{Book, NewEntry, Problem, Reference};
use custos_store::{
    DatabaseLocation, LedgerQuery, LedgerSigner, NewSession, SessionState, SignIn, SignInAttempt,
    Store, StoreError, read_witness,
};
use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};
use sqlx::Connection;

const SCHOOL: &str = include_str!("../../../policies/bosmere-junior-school.toml");
const TRUST: &str = include_str!("../../../policies/active-learning-trust.toml");

/// A sign-in attempt as `name` with `password` from `source`, without a code.
fn attempt<'a>(name: &'a Username, password: &'a str, source: &'a str) -> SignInAttempt<'a> {
    SignInAttempt {
        name: name.as_str(),
        password,
        code: None,
        source,
    }
}

struct TestDb {
    location: DatabaseLocation,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    fn is_sqlite(&self) -> bool {
        matches!(self.location, DatabaseLocation::Sqlite(_))
    }

    fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        Self {
            location: DatabaseLocation::Sqlite(dir.path().join("custos.db")),
            _dir: Some(dir),
        }
    }

    async fn postgres() -> Option<Self> {
        static N: AtomicU32 = AtomicU32::new(0);
        let Ok(base) = std::env::var("CUSTOS_TEST_POSTGRES_URL") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must set CUSTOS_TEST_POSTGRES_URL so the PostgreSQL backend is tested"
            );
            eprintln!("skipped: CUSTOS_TEST_POSTGRES_URL is not set (./scripts/test sets it)");
            return None;
        };
        let name = format!(
            "custos_test_{}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        let mut admin = sqlx::PgConnection::connect(&base)
            .await
            .expect("connect to the test server");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create a test database");
        admin.close().await.ok();
        let (prefix, query) = match base.split_once('?') {
            Some((p, q)) => (p.to_owned(), format!("?{q}")),
            None => (base.clone(), String::new()),
        };
        let server = prefix.rsplit_once('/').map_or(prefix.as_str(), |(s, _)| s);
        Some(Self {
            location: DatabaseLocation::Postgres(format!("{server}/{name}{query}")),
            _dir: None,
        })
    }

    async fn store(&self) -> Store {
        let clock = SimulatedClock::new(UnixMs(1_790_000_000_000));
        Store::open(&self.location, Arc::new(clock))
            .await
            .expect("open store")
    }

    async fn migrated(&self) -> Store {
        let s = self.store().await;
        s.migrate(&Actor::System("test".into()))
            .await
            .expect("migrate");
        s
    }

    /// Counts the rows a query returns, behind the store's back.
    async fn count(&self, sql: &str) -> usize {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match &self.location {
            DatabaseLocation::Sqlite(path) => {
                let url = format!("sqlite://{}", path.display());
                let mut c = sqlx::SqliteConnection::connect(&url)
                    .await
                    .expect("connect");
                sqlx::raw_sql(sql)
                    .fetch_all(&mut c)
                    .await
                    .expect("raw sql")
                    .len()
            }
            DatabaseLocation::Postgres(url) => {
                let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
                sqlx::raw_sql(sql)
                    .fetch_all(&mut c)
                    .await
                    .expect("raw sql")
                    .len()
            }
        }
    }

    /// Runs SQL behind the store's back, to set up states the store itself never creates.
    async fn raw(&self, sql: &str) {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match &self.location {
            DatabaseLocation::Sqlite(path) => {
                let url = format!("sqlite://{}", path.display());
                let mut c = sqlx::SqliteConnection::connect(&url)
                    .await
                    .expect("connect");
                sqlx::raw_sql(sql).execute(&mut c).await.expect("raw sql");
            }
            DatabaseLocation::Postgres(url) => {
                let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
                sqlx::raw_sql(sql).execute(&mut c).await.expect("raw sql");
            }
        }
    }
}

impl TestDb {
    /// The first column of the first row `sql` returns, as text.
    async fn text(&self, sql: &str) -> String {
        use sqlx::Row as _;
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match &self.location {
            DatabaseLocation::Sqlite(path) => {
                let url = format!("sqlite://{}", path.display());
                let mut c = sqlx::SqliteConnection::connect(&url)
                    .await
                    .expect("connect");
                let row = sqlx::query(sql).fetch_one(&mut c).await.expect("query");
                row.try_get::<String, _>(0).expect("text")
            }
            DatabaseLocation::Postgres(url) => {
                let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
                let row = sqlx::query(sql).fetch_one(&mut c).await.expect("query");
                row.try_get::<String, _>(0).expect("text")
            }
        }
    }
}

fn console() -> Actor {
    Actor::Console("tester".to_owned())
}

macro_rules! contract {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::$name(&super::TestDb::sqlite()).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    if let Some(db) = super::TestDb::postgres().await {
                        super::$name(&db).await;
                    }
                }
            )+
        }
    };
}

contract!(
    migrations_bring_an_empty_database_to_the_latest_version_once,
    a_database_newer_than_the_binary_is_refused,
    a_database_behind_the_binary_is_reported,
    policy_versions_are_kept_and_the_latest_is_active,
    an_invalid_pack_is_refused_and_nothing_is_stored,
    an_unknown_version_is_not_found,
    check_reports_a_missing_policy_then_passes,
    many_concurrent_writers_all_succeed_in_sequence,
    a_write_transaction_not_committed_changes_nothing,
    bdc_35_concurrent_appends_are_numbered_without_gaps_and_verify,
    a_failing_ledger_append_rolls_back_the_change_it_accompanies,
    a_change_without_a_ledger_entry_is_refused,
    checkpoints_are_signed_every_n_entries_and_witnessed,
    bdc_35_verify_names_the_entry_edited_or_deleted_behind_the_stores_back,
    the_ledger_refuses_updates_and_deletes,
    ledger_queries_filter_by_book_time_actor_and_reference,
    bdc_35_a_failed_verification_raises_an_alarm_until_acknowledged,
    bdc_35_the_start_alarm_names_only_unsigned_entries_from_before_the_start,
    bdc_35_a_rewritten_chain_is_never_signed_over_and_an_acceptance_re_anchors_it,
    bdc_35_verify_reads_many_chunks_in_parallel_and_names_the_first_bad_entry,
    lbu_4_accounts_hold_pack_roles_every_change_is_ledgered_and_none_deleted,
    accounts_need_a_policy_pack_and_a_strong_password,
    lbu_14_sessions_sign_in_and_out_lock_when_idle_and_store_no_token,
    bjs_6_second_factor_secrets_are_sealed_with_the_master_key,
    refused_sign_ins_lock_the_account_and_throttle_the_source,
    a_burst_of_concurrent_sign_ins_gets_exactly_the_documented_number_of_tries,
    a_name_without_an_account_leaves_no_actor_and_ipv6_counts_by_its_64,
    bdc_22_licences_expire_and_a_licensed_operator_on_duty_supervises_trainees,
    bdc_11_training_counts_only_while_in_date,
    bdc_1_absences_make_a_role_absent_until_its_holders_return,
    ljm_8_camera_groups_keep_their_workstations_and_refusals_are_ledgered,
    ljm_1_cameras_are_registered_against_the_pack_with_credentials_sealed,
    bjs_4_closed_camera_hours_are_sealed_into_the_ledger_once,
    lbu_4_a_review_needs_a_reason_and_its_grant_is_bound_and_expires,
    bjs_8_footage_past_retention_goes_with_its_files_and_its_day_key,
    bdc_28_held_footage_survives_retention_until_its_hold_ends,
    bjs_4_the_retention_report_flags_a_camera_whose_deletion_is_stuck,
    bdc_28_the_disk_floor_takes_the_oldest_unheld_footage_and_never_held_footage,
    lbu_18_a_subject_access_case_moves_by_its_state_machine_and_every_step_is_ledgered,
    lbu_25_a_late_complaint_is_accepted_or_refused_and_an_appeal_is_heard_by_another,
    alt_18_a_breach_is_assessed_notified_late_with_reasons_and_closed_with_its_outcome,
    ljm_11_an_foi_request_for_ones_own_images_becomes_a_subject_access_request,
    bdc_28_a_subject_access_request_holds_the_footage_of_its_time_and_place_at_intake,
    bdc_29_a_request_about_footage_past_retention_holds_nothing_and_says_why,
    lbu_18_a_public_request_sent_twice_with_its_key_is_filed_once,
    bdc_30_an_accepted_erasure_erases_the_footage_except_what_a_hold_keeps,
    bdc_4_a_held_segment_keeps_its_proof_after_the_rest_of_its_hour_is_deleted,
    bdc_5_packages_made_on_the_web_are_deleted_from_the_server_after_a_day,
    lbu_19_a_police_request_is_held_at_once_and_released_only_with_its_form_agreement_and_an_allowed_role,
    lbu_19_a_solicitor_needs_a_letter_of_authority_and_the_subjects_identity,
    bdc_39_the_media_only_through_the_police_as_a_secondary_request_with_an_inspectors_agreement,
    bdc_17_a_national_crime_agency_request_cannot_be_refused_and_other_refusals_need_reasons,
    bdc_32_physical_media_are_registered_with_unique_references_and_what_became_of_them,
    bdc_3_alt_16_packages_keep_their_footage_under_the_packs_master_and_disclosed_copy_classes,
    alt_8_a_download_is_authorised_by_its_authoriser_in_their_own_name_where_the_footage_is,
    lbu_19_a_download_the_pack_gives_to_two_people_waits_for_both,
    alt_14_a_pack_that_requires_encrypted_copies_refuses_a_clear_one,
    the_last_owner_can_be_neither_disabled_nor_stripped_of_the_role,
    bdc_29_a_decision_a_letter_stated_changes_only_with_a_reason_and_a_new_letter,
    bdc_5_the_hour_being_recorded_is_sealed_on_demand_and_its_hour_seal_proves_it_too,
    alt_8_only_those_who_could_authorise_a_waiting_download_are_told_by_email,
    the_start_pages_figures_count_cameras_per_hour_and_day_and_read_requests_and_holds,
    bdc_16_a_council_authorisation_is_in_force_from_its_approval_and_its_footage_opens_only_to_its_team,
    bdc_16_a_cancellation_is_ledgered_tells_the_team_and_an_unresolved_expiry_raises_the_alarm,
    ljm_4_the_schemes_own_covert_recording_is_recorded_only_by_a_role_the_pack_names,
    bdc_25_police_control_is_agreed_by_a_pack_role_only_ledgered_and_handed_back,
    bdc_25_total_police_control_needs_an_assistant_chief_constable_and_a_pack_may_forbid_it,
    bdc_24_an_incident_is_recorded_corrected_closed_and_countersigned_each_in_the_ledger,
    bdc_24_footage_linked_to_an_incident_is_held_and_statements_are_kept_encrypted,
    bdc_25_total_control_is_agreed_by_the_chief_executive_alone,
    bdc_36_an_operators_shift_is_read_as_one_log,
    lbu_12_a_visit_is_recorded_only_with_every_detail_and_its_undertaking_accepted,
    bdc_23_a_correction_is_a_new_entry_and_the_visit_as_recorded_stays,
    bdc_18_the_supervisors_checks_list_what_each_book_waits_for_and_a_check_is_ledgered,
    lbu_16_a_check_covers_the_checklist_and_a_failed_item_reports_a_fault,
    bdc_19_the_contractor_is_called_responds_and_fixes_each_in_the_ledger,
    scc_8_a_correction_is_a_new_entry_naming_the_entry_it_corrects,
    alt_15_availability_is_the_share_of_the_period_with_footage,
    bdc_38_a_deployment_is_recorded_with_its_grounds_signed_corrected_and_taken_down,
    bdc_18_a_visit_is_countersigned_by_a_supervisor_other_than_who_recorded_it,
    lbu_24_a_body_worn_camera_is_issued_with_the_acknowledgement_and_returned_once,
    bdc_37_the_list_holds_the_registers_cameras_and_the_equipment_entered,
    bdc_37_a_removal_and_a_correction_are_new_entries_and_the_entry_stays,
    bdc_34_a_print_is_a_still_decoded_from_the_footage_on_an_inspectors_written_authority,
    bdc_34_a_print_is_given_kept_and_destroyed_only_when_authorised,
);

async fn migrations_bring_an_empty_database_to_the_latest_version_once(db: &TestDb) {
    let store = db.store().await;
    let before = store.schema_status().await.expect("status");
    assert_eq!(before.database, 0);
    assert!(before.binary >= 1);
    let first = store
        .migrate(&Actor::System("test".into()))
        .await
        .expect("migrate");
    assert_eq!((first.from, first.to), (0, before.binary));
    assert_eq!(first.applied.len() as i64, before.binary);
    store
        .require_current_schema()
        .await
        .expect("current after migrating");
    // Reopening and migrating again does nothing.
    let again = db
        .store()
        .await
        .migrate(&Actor::System("test".into()))
        .await
        .expect("migrate again");
    assert!(again.applied.is_empty());
    assert_eq!((again.from, again.to), (before.binary, before.binary));
}

async fn a_database_newer_than_the_binary_is_refused(db: &TestDb) {
    let store = db.migrated().await;
    store.load_policy(&console(), SCHOOL).await.expect("load");
    store.close().await;
    db.raw(
        "INSERT INTO custos_schema (version, name, applied_at_unix_ms) \
         VALUES (999, 'from_the_future', 0)",
    )
    .await;
    let store = db.store().await;
    let err = store
        .migrate(&Actor::System("test".into()))
        .await
        .expect_err("newer schema must be refused");
    assert!(
        matches!(err, StoreError::SchemaTooNew { database: 999, .. }),
        "{err}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("version 999") && msg.contains("newer Custos"),
        "{msg}"
    );
    assert!(store.require_current_schema().await.is_err());
    let report = store.check().await.expect("check runs");
    assert_eq!(report.problems.len(), 1, "{report:?}");
    // Nothing was touched: the schema is still 999 and the data is still there.
    assert_eq!(store.schema_status().await.expect("status").database, 999);
    assert_eq!(store.policy_history().await.expect("history").len(), 1);
}

async fn a_database_behind_the_binary_is_reported(db: &TestDb) {
    let store = db.store().await;
    let err = store
        .require_current_schema()
        .await
        .expect_err("empty database is behind");
    assert!(err.to_string().contains("run `custos migrate`"), "{err}");
}

async fn policy_versions_are_kept_and_the_latest_is_active(db: &TestDb) {
    let store = db.migrated().await;
    assert!(store.active_policy().await.expect("read").is_none());
    let v1 = store
        .load_policy(&console(), SCHOOL)
        .await
        .expect("load school");
    let v2 = store
        .load_policy(&console(), TRUST)
        .await
        .expect("load trust");
    assert_eq!((v1.version, v2.version), (1, 2));
    assert_eq!(
        v1.sha256_hex,
        format!("{:x}", Sha256::digest(SCHOOL.as_bytes()))
    );
    assert_eq!(v2.loaded_by, "console:tester");
    assert_eq!(v2.loaded_at_unix_ms, 1_790_000_000_000);

    let active = store.active_policy().await.expect("read").expect("active");
    assert_eq!(active.meta.version, 2);
    assert_eq!(active.pack.id.as_str(), "active-learning-trust");
    assert!(active.meta.active);

    let old = store.policy_version(1).await.expect("version 1 kept");
    assert_eq!(old.source, SCHOOL, "the source is stored exactly");
    assert!(!old.meta.active);

    let history = store.policy_history().await.expect("history");
    let summary: Vec<(i64, &str, bool)> = history
        .iter()
        .map(|v| (v.version, v.pack_id.as_str(), v.active))
        .collect();
    assert_eq!(
        summary,
        vec![
            (1, "bosmere-junior-school", false),
            (2, "active-learning-trust", true)
        ]
    );
}

async fn an_invalid_pack_is_refused_and_nothing_is_stored(db: &TestDb) {
    let store = db.migrated().await;
    let broken = SCHOOL.replacen("maximum_days = 21", "maximum_days = 0", 1);
    assert_ne!(broken, SCHOOL, "the fixture must change");
    let err = store
        .load_policy(&console(), &broken)
        .await
        .expect_err("refused");
    assert!(matches!(err, StoreError::InvalidPolicy(_)), "{err}");
    assert!(store.policy_history().await.expect("history").is_empty());
    assert!(store.active_policy().await.expect("read").is_none());
}

async fn an_unknown_version_is_not_found(db: &TestDb) {
    let store = db.migrated().await;
    let err = store.policy_version(7).await.expect_err("no such version");
    assert_eq!(err.kind(), custos_base::ErrorKind::NotFound);
    assert!(err.to_string().contains("custos policy history"), "{err}");
}

async fn check_reports_a_missing_policy_then_passes(db: &TestDb) {
    let store = db.migrated().await;
    let report = store.check().await.expect("check");
    assert_eq!(report.problems.len(), 1, "{report:?}");
    assert!(report.problems[0].contains("no policy pack is active"));
    store.load_policy(&console(), SCHOOL).await.expect("load");
    let report = store.check().await.expect("check");
    assert!(report.problems.is_empty(), "{report:?}");
}

/// Many writers at once, through two separate stores on the same database (as `serve` and
/// a CLI command would be), all succeed: no "database is locked", no lost or duplicate
/// versions.
async fn many_concurrent_writers_all_succeed_in_sequence(db: &TestDb) {
    const TASKS: usize = 24;
    const EACH: usize = 10;
    let a = db.migrated().await;
    let b = db.store().await;
    let mut handles = Vec::new();
    for t in 0..TASKS {
        let store = if t % 2 == 0 { a.clone() } else { b.clone() };
        handles.push(tokio::spawn(async move {
            let source = if t % 3 == 0 { TRUST } else { SCHOOL };
            let mut versions = Vec::new();
            for i in 0..EACH {
                let v = if (t + i) % 2 == 0 {
                    store
                        .load_policy(&console(), source)
                        .await
                        .map_err(|e| e.to_string())?
                        .version
                } else {
                    read_then_write(&store).await.map_err(|e| e.to_string())?
                };
                versions.push(v);
            }
            Ok::<_, String>(versions)
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.expect("task").expect("every write succeeds"));
    }
    all.sort_unstable();
    let expected: Vec<i64> = (1..=(TASKS * EACH) as i64).collect();
    assert_eq!(
        all, expected,
        "versions are 1..=N with no gaps or duplicates"
    );
    assert_eq!(
        a.policy_history().await.expect("history").len(),
        TASKS * EACH
    );
}

/// A transaction that reads before it writes, as ledger appends will (read the head, then
/// append). On SQLite a deferred transaction doing this fails at once with "database is
/// locked" when another writer got in between; the store's write path must prevent that.
async fn read_then_write(store: &Store) -> Result<i64, Box<dyn std::error::Error>> {
    use sqlx::Row;
    let mut tx = store.write().await?;
    let row = sqlx::query("SELECT COUNT(*) AS n FROM policy_versions")
        .fetch_one(tx.conn())
        .await?;
    let n: i64 = row.try_get("n")?;
    tokio::task::yield_now().await;
    let row = sqlx::query(
        "INSERT INTO policy_versions \
         (pack_id, name, source_toml, sha256_hex, loaded_at_unix_ms, loaded_by) \
         VALUES ('raw', $1, 'x', $2, 0, 'test') RETURNING version",
    )
    .bind(format!("after {n}"))
    .bind("0".repeat(64))
    .fetch_one(tx.conn())
    .await?;
    let version: i64 = row.try_get("version")?;
    tx.record(&console(), NewEntry::new(Book::System, "schema-migrated"));
    tx.commit().await?;
    Ok(version)
}

async fn a_write_transaction_not_committed_changes_nothing(db: &TestDb) {
    let store = db.migrated().await;
    {
        let mut tx = store.write().await.expect("begin");
        sqlx::query(
            "INSERT INTO policy_versions \
             (pack_id, name, source_toml, sha256_hex, loaded_at_unix_ms, loaded_by) \
             VALUES ('x', 'x', 'x', $1, 0, 'x')",
        )
        .bind("0".repeat(64))
        .execute(tx.conn())
        .await
        .expect("insert inside the transaction");
        // Dropped here without commit.
    }
    assert!(store.policy_history().await.expect("history").is_empty());
    // The store still takes writes afterwards (the writer lock was released).
    store
        .load_policy(&console(), SCHOOL)
        .await
        .expect("load after rollback");
}

/// The embedded default: a SQLite file in WAL mode with foreign keys enforced.
#[tokio::test]
async fn sqlite_uses_wal_and_enforces_foreign_keys() {
    let db = TestDb::sqlite();
    let store = db.migrated().await;
    store.load_policy(&console(), SCHOOL).await.expect("load");
    let DatabaseLocation::Sqlite(path) = &db.location else {
        unreachable!("sqlite")
    };
    let wal = path.with_file_name("custos.db-wal");
    assert!(
        wal.exists(),
        "a WAL file sits beside the database while it is open"
    );

    let mut tx = store.write().await.expect("begin");
    let err = sqlx::query(
        "INSERT INTO active_policy (id, version, activated_at_unix_ms, activated_by) \
         VALUES (1, 999, 0, 'x') \
         ON CONFLICT (id) DO UPDATE SET version = excluded.version",
    )
    .execute(tx.conn())
    .await
    .expect_err("a reference to a version that does not exist is refused");
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
}

fn test_key() -> SigningKey {
    SigningKey::from_bytes(&[42; 32])
}

async fn with_signer(store: &Store, every: u64) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let witness = dir.path().join("witness.txt");
    store
        .set_ledger_signer(LedgerSigner {
            key: test_key(),
            witnesses: vec![custos_store::WitnessTarget::File(witness.clone())],
            witness_ca: None,
            every_entries: every,
        })
        .await
        .expect("signer");
    (dir, witness)
}

fn review(i: usize) -> NewEntry {
    NewEntry::new(Book::Review, "review-opened")
        .with_ref(Reference::new("camera", format!("cam-{}", i % 3)).expect("ref"))
        .with("reason", format!("enquiry {i}"))
}

async fn verify(
    store: &Store,
    witness: &std::path::Path,
) -> Result<custos_domain::ledger::Summary, Problem> {
    let lines = read_witness(witness).expect("witness");
    store
        .verify_ledger(test_key().verifying_key(), 1, &lines, |_| {})
        .await
        .expect("verification runs")
}

/// BDC-35: entries appended at once by many writers, through two stores, by group commit
/// and inside change transactions, get the numbers 1..=N with no gaps or duplicates, and
/// the chain verifies.
async fn bdc_35_concurrent_appends_are_numbered_without_gaps_and_verify(db: &TestDb) {
    const TASKS: usize = 16;
    const EACH: usize = 40;
    let a = db.migrated().await;
    let b = db.store().await;
    let (_dir, witness) = with_signer(&a, 100).await;
    let base = a.ledger_head().await.expect("head").map_or(0, |h| h.0);
    let mut handles = Vec::new();
    for t in 0..TASKS {
        let store = if t % 2 == 0 { a.clone() } else { b.clone() };
        handles.push(tokio::spawn(async move {
            let mut seqs = Vec::new();
            for i in 0..EACH {
                if i % 10 == 0 {
                    store
                        .load_policy(&console(), SCHOOL)
                        .await
                        .map_err(|e| e.to_string())?;
                } else {
                    seqs.push(
                        store
                            .append(&console(), review(i))
                            .await
                            .map_err(|e| e.to_string())?
                            .seq,
                    );
                }
            }
            Ok::<_, String>(seqs)
        }));
    }
    let mut seqs = Vec::new();
    for h in handles {
        seqs.extend(h.await.expect("task").expect("every append succeeds"));
    }
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(
        seqs.len(),
        TASKS * EACH * 9 / 10,
        "no two appends got the same number"
    );
    let head = a.ledger_head().await.expect("head").expect("entries");
    assert_eq!(head.0, base + (TASKS * EACH) as i64, "no gaps");
    a.checkpoint().await.expect("checkpoint");
    let summary = verify(&a, &witness).await.expect("intact");
    assert_eq!(summary.entries as i64, head.0);
    assert!(
        summary.checkpoints >= 1 && summary.witness_lines >= 1,
        "{summary:?}"
    );
}

async fn install_failing_ledger(db: &TestDb) {
    if db.is_sqlite() {
        db.raw(
            "CREATE TRIGGER ledger_full BEFORE INSERT ON ledger_entries \
             BEGIN SELECT RAISE(ABORT, 'ledger disk full (test)'); END;",
        )
        .await;
    } else {
        db.raw(
            "CREATE FUNCTION ledger_full() RETURNS trigger AS $$ BEGIN \
             RAISE EXCEPTION 'ledger disk full (test)'; END; $$ LANGUAGE plpgsql; \
             CREATE TRIGGER ledger_full BEFORE INSERT ON ledger_entries \
             FOR EACH ROW EXECUTE FUNCTION ledger_full();",
        )
        .await;
    }
}

/// Fail closed: when the ledger entry cannot be written, the change it describes does not
/// happen either.
async fn a_failing_ledger_append_rolls_back_the_change_it_accompanies(db: &TestDb) {
    let store = db.migrated().await;
    let before = store.ledger_head().await.expect("head");
    install_failing_ledger(db).await;
    let err = store
        .load_policy(&console(), SCHOOL)
        .await
        .expect_err("append fails");
    assert!(err.to_string().contains("appending to the ledger"), "{err}");
    assert!(
        store.policy_history().await.expect("history").is_empty(),
        "the change was rolled back"
    );
    assert!(store.active_policy().await.expect("read").is_none());
    assert_eq!(store.ledger_head().await.expect("head"), before);
    let err = store
        .append(&console(), review(1))
        .await
        .expect_err("append fails");
    assert!(err.to_string().contains("ledger"), "{err}");
}

async fn a_change_without_a_ledger_entry_is_refused(db: &TestDb) {
    let store = db.migrated().await;
    let mut tx = store.write().await.expect("begin");
    sqlx::query(
        "INSERT INTO policy_versions (pack_id, name, source_toml, sha256_hex, loaded_at_unix_ms, loaded_by) \
         VALUES ('x', 'x', 'x', $1, 0, 'x')",
    )
    .bind("0".repeat(64))
    .execute(tx.conn())
    .await
    .expect("insert");
    let err = tx.commit().await.expect_err("refused");
    assert!(matches!(err, StoreError::Unledgered), "{err}");
    assert!(store.policy_history().await.expect("history").is_empty());
}

async fn checkpoints_are_signed_every_n_entries_and_witnessed(db: &TestDb) {
    let store = db.migrated().await;
    let (_dir, witness) = with_signer(&store, 10).await;
    let base = store.ledger_head().await.expect("head").map_or(0, |h| h.0);
    // The first checkpoint comes at the first entry once ten exist (the schema steps alone
    // may be ten or more), then one every ten entries; append up to five past the third, so
    // that the head itself is never a checkpoint, whatever the number of schema steps.
    let first = if base >= 10 { base + 1 } else { 10 };
    let head = first + 25;
    for i in 0..(head - base) {
        store
            .append(&console(), review(i as usize))
            .await
            .expect("append");
    }
    let cps = store.ledger_checkpoints().await.expect("checkpoints");
    let seqs: Vec<i64> = cps.iter().map(|c| c.seq).collect();
    let expected: Vec<i64> = (0..)
        .map(|k| first + k * 10)
        .take_while(|s| *s < head)
        .collect();
    assert_eq!(seqs, expected, "one checkpoint per 10 entries");
    let last = store
        .checkpoint()
        .await
        .expect("checkpoint")
        .expect("new head");
    assert_eq!(last.seq, head);
    assert!(
        store.checkpoint().await.expect("again").is_none(),
        "the head is already signed"
    );
    let lines = read_witness(&witness).expect("witness");
    assert_eq!(lines.len(), expected.len() + 1);
    assert!(
        lines
            .last()
            .is_some_and(|l| l.starts_with(&format!("custos-witness-v1 {head} ")))
    );
    for c in store.ledger_checkpoints().await.expect("checkpoints") {
        assert!(c.signature_valid(&test_key().verifying_key()));
    }
}

async fn drop_append_only_guard(db: &TestDb) {
    if db.is_sqlite() {
        db.raw("DROP TRIGGER ledger_entries_no_update; DROP TRIGGER ledger_entries_no_delete;")
            .await;
    } else {
        db.raw("DROP TRIGGER ledger_entries_append_only ON ledger_entries;")
            .await;
    }
}

/// Rewrites the ledger from entry `from` on as a forger with the data folder would: each
/// entry's body changed and every hash recomputed so the chain links, and the database's
/// checkpoints deleted. Only a signature (or a witness kept elsewhere) can tell.
async fn forge_from(db: &TestDb, store: &Store, from: i64) {
    drop_append_only_guard(db).await;
    db.raw("DELETE FROM ledger_checkpoints").await;
    let entries = store
        .ledger_entries(&LedgerQuery::default())
        .await
        .expect("entries");
    let mut prev = custos_domain::ledger::GENESIS;
    let mut sql = String::new();
    for mut e in entries {
        if e.seq >= from {
            if e.seq == from {
                e.body = r#"{"forged":true}"#.to_owned();
            }
            e.prev_hash = prev.0.to_vec();
            let h = custos_domain::ledger::entry_hash(&prev, &e.fields());
            sql.push_str(&format!(
                "UPDATE ledger_entries SET body = '{}', prev_hash = {}, hash = {} WHERE seq = {};\n",
                e.body.replace('\'', "''"),
                blob(db, &prev.0),
                blob(db, &h.0),
                e.seq
            ));
            prev = h;
        } else {
            prev = custos_domain::ledger::Hash::from_slice(&e.hash).expect("hash");
        }
    }
    db.raw(&sql).await;
}

/// A byte string as an SQL literal of the backend.
fn blob(db: &TestDb, bytes: &[u8]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    if db.is_sqlite() {
        format!("X'{hex}'")
    } else {
        format!("'\\x{hex}'::bytea")
    }
}

/// BDC-35: a chain rewritten behind the store's back (checkpoints deleted, hashes
/// recomputed) is never signed over by a store that finds the witness elsewhere: it stops
/// signing, raises the alarm and leaves the witness as it was; verification names the
/// entry. Accepting the ledger (with the key) records why, writes an acceptance to the
/// witness, and signing goes on.
async fn bdc_35_a_rewritten_chain_is_never_signed_over_and_an_acceptance_re_anchors_it(
    db: &TestDb,
) {
    let store = db.migrated().await;
    let (_dir, witness) = with_signer(&store, 1000).await;
    for i in 0..10 {
        store.append(&console(), review(i)).await.expect("append");
    }
    store
        .checkpoint()
        .await
        .expect("checkpoint")
        .expect("signed");
    let head = store.ledger_counts().await.expect("counts").0;
    store.close().await;
    forge_from(db, &db.store().await, 4).await;

    // The next process to open the store: a new entry, then a checkpoint.
    let store = db.store().await;
    store
        .set_ledger_signer(LedgerSigner::new(
            test_key(),
            vec![custos_store::WitnessTarget::File(witness.clone())],
        ))
        .await
        .expect("signer");
    let before = read_witness(&witness).expect("witness");
    store.append(&console(), review(99)).await.expect("append");
    assert_eq!(
        store.checkpoint().await.expect("runs"),
        None,
        "not signed over"
    );
    assert!(store.signing_suspended().is_some());
    assert_eq!(
        read_witness(&witness).expect("witness"),
        before,
        "witness untouched"
    );
    let alarms = store.ledger_alarms().await.expect("alarms");
    assert_eq!(alarms.len(), 1, "{alarms:?}");
    assert!(
        alarms[0].problem.contains(&format!("entry {head}")),
        "{alarms:?}"
    );
    let v = store
        .verify_ledger(test_key().verifying_key(), 1, &before, |_| {})
        .await
        .expect("runs");
    // The witness cannot say which entry was rewritten, only that the entry it vouches
    // for no longer has the hash signed.
    assert!(
        matches!(v, Err(ref p) if p.seq() == head),
        "the witnessed entry is named: {v:?}"
    );

    // Accepting it re-anchors the witness: verification passes and signing resumes.
    let err = store
        .accept_ledger(&console(), " ")
        .await
        .expect_err("a reason is needed");
    assert_eq!(err.kind(), custos_base::ErrorKind::InvalidInput);
    let a = store
        .accept_ledger(&console(), "rewritten during a test; accepted to carry on")
        .await
        .expect("accepted");
    assert_eq!(
        a.agreed_to,
        head - 1,
        "the witness's line about entry {head} is void"
    );
    let lines = read_witness(&witness).expect("witness");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("custos-accept-v1 {} ", head - 1))),
        "{lines:?}"
    );
    let v = store
        .verify_ledger(test_key().verifying_key(), 1, &lines, |_| {})
        .await
        .expect("runs")
        .expect("intact once accepted");
    assert_eq!(v.signed_to, v.head.0);
    assert!(store.signing_suspended().is_none());
    store.append(&console(), review(100)).await.expect("append");
    assert!(
        store.checkpoint().await.expect("runs").is_some(),
        "signing goes on"
    );
    let accepted = store
        .ledger_entries(&LedgerQuery::default())
        .await
        .expect("entries")
        .into_iter()
        .filter(|e| e.kind == "ledger-accepted")
        .count();
    assert_eq!(accepted, 1);
}

/// BDC-35: someone with database access who disables the append-only guard and edits,
/// deletes or truncates entries is caught, and the entry is named.
async fn bdc_35_verify_names_the_entry_edited_or_deleted_behind_the_stores_back(db: &TestDb) {
    let store = db.migrated().await;
    let (_dir, witness) = with_signer(&store, 1000).await;
    for i in 0..20 {
        store.append(&console(), review(i)).await.expect("append");
    }
    store.checkpoint().await.expect("checkpoint");
    let head = store.ledger_head().await.expect("head").expect("entries").0;
    verify(&store, &witness)
        .await
        .expect("intact before tampering");
    drop_append_only_guard(db).await;

    db.raw("UPDATE ledger_entries SET body = '{\"reason\":\"nothing to see\"}' WHERE seq = 7")
        .await;
    let p = verify(&store, &witness).await.expect_err("edit detected");
    assert!(matches!(p, Problem::HashMismatch { seq: 7 }), "{p}");

    db.raw("DELETE FROM ledger_entries WHERE seq = 5").await;
    let p = verify(&store, &witness)
        .await
        .expect_err("deletion detected");
    assert!(matches!(p, Problem::Gap { missing: 5, .. }), "{p}");

    db.raw(&format!(
        "DELETE FROM ledger_entries WHERE seq >= {}",
        head - 2
    ))
    .await;
    db.raw("DELETE FROM ledger_entries WHERE seq <= 7").await;
    let lines = read_witness(&witness).expect("witness");
    let p = store
        .verify_ledger(test_key().verifying_key(), 8, &lines, |_| {})
        .await
        .expect("runs")
        .expect_err("truncation detected by the witness");
    assert!(
        matches!(p, Problem::HeadBehindWitness { .. }) && p.seq() == head - 2,
        "{p}"
    );
}

async fn the_ledger_refuses_updates_and_deletes(db: &TestDb) {
    let store = db.migrated().await;
    store.append(&console(), review(1)).await.expect("append");
    let mut tx = store.write().await.expect("begin");
    let err = sqlx::query("UPDATE ledger_entries SET body = '{}'")
        .execute(tx.conn())
        .await
        .expect_err("update refused");
    assert!(err.to_string().contains("append-only"), "{err}");
    drop(tx);
    let mut tx = store.write().await.expect("begin");
    let err = sqlx::query("DELETE FROM ledger_entries")
        .execute(tx.conn())
        .await
        .expect_err("delete refused");
    assert!(err.to_string().contains("append-only"), "{err}");
}

async fn ledger_queries_filter_by_book_time_actor_and_reference(db: &TestDb) {
    let store = db.migrated().await;
    let alice = Actor::User("alice".to_owned());
    for i in 0..6 {
        let who = if i % 2 == 0 { &alice } else { &console() };
        store.append(who, review(i)).await.expect("append");
    }
    store
        .append(
            &alice,
            NewEntry::new(Book::Download, "evidence-downloaded")
                .with_ref(Reference::new("camera", "cam_%").expect("ref")),
        )
        .await
        .expect("append");
    let reviews = store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::Review),
            ..Default::default()
        })
        .await
        .expect("query");
    assert_eq!(reviews.len(), 6);
    let by_alice = store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::Review),
            actor: Some("user:alice".to_owned()),
            ..Default::default()
        })
        .await
        .expect("query");
    assert_eq!(by_alice.len(), 3);
    let cam1 = store
        .ledger_entries(&LedgerQuery {
            reference: Some("camera:cam-1".to_owned()),
            ..Default::default()
        })
        .await
        .expect("query");
    assert_eq!(
        cam1.iter()
            .map(|e| e.body.as_str())
            .collect::<Vec<_>>()
            .len(),
        2
    );
    // LIKE wildcards in a reference are matched literally.
    let odd = store
        .ledger_entries(&LedgerQuery {
            reference: Some("camera:cam_%".to_owned()),
            ..Default::default()
        })
        .await
        .expect("query");
    assert_eq!(odd.len(), 1);
    assert_eq!(odd[0].book, "download");
    let none = store
        .ledger_entries(&LedgerQuery {
            from_unix_ms: Some(1_790_000_000_001),
            ..Default::default()
        })
        .await
        .expect("query");
    assert!(
        none.is_empty(),
        "the simulated clock never moved past its start"
    );
    let page = store
        .ledger_entries(&LedgerQuery {
            after_seq: Some(reviews[1].seq),
            limit: Some(2),
            ..Default::default()
        })
        .await
        .expect("query");
    assert_eq!(
        page.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![reviews[2].seq, reviews[3].seq]
    );
}

/// BDC-35: at start, entries no signature covers raise an alarm — but only those written
/// before the server started, not the ones it writes itself while its first verification
/// is pending (those are signed once it passes).
async fn bdc_35_the_start_alarm_names_only_unsigned_entries_from_before_the_start(db: &TestDb) {
    let store = db.migrated().await;
    let (_dir, witness) = with_signer(&store, 1000).await;
    let verifier = Actor::System("ledger-verifier".to_owned());
    store.append(&console(), review(0)).await.expect("append");
    store
        .checkpoint()
        .await
        .expect("checkpoint")
        .expect("signed");
    // A clean start: the server writes while it waits for its first verification.
    store.hold_signing_until_verified().await.expect("hold");
    assert_eq!(store.checkpoint().await.expect("checkpoint"), None, "held");
    store.append(&console(), review(1)).await.expect("append");
    let ok = store
        .verify_and_record(&verifier, true)
        .await
        .expect("verify");
    assert!(ok.intact, "{ok:?}");
    assert!(
        store.ledger_alarms().await.expect("alarms").is_empty(),
        "the server's own entries are not an unsigned tail"
    );
    assert!(
        store.checkpoint().await.expect("checkpoint").is_some(),
        "signed once verified"
    );

    // An unclean stop: two entries after the last checkpoint, then a start.
    let a = store.append(&console(), review(2)).await.expect("append");
    let b = store.append(&console(), review(3)).await.expect("append");
    drop(store);
    let store = db.store().await;
    store
        .set_ledger_signer(LedgerSigner {
            key: test_key(),
            witnesses: vec![custos_store::WitnessTarget::File(witness)],
            witness_ca: None,
            every_entries: 1000,
        })
        .await
        .expect("signer");
    store.hold_signing_until_verified().await.expect("hold");
    store.append(&console(), review(4)).await.expect("append");
    let ok = store
        .verify_and_record(&verifier, true)
        .await
        .expect("verify");
    assert!(ok.intact, "{ok:?}");
    let alarms = store.ledger_alarms().await.expect("alarms");
    assert_eq!(alarms.len(), 1, "{alarms:?}");
    assert!(
        alarms[0]
            .problem
            .starts_with(&format!("entries {} to {} ", a.seq, b.seq)),
        "{alarms:?}"
    );
}

/// BDC-35: the scheduled verification records its outcome in the ledger; a failure stays an
/// alarm until someone acknowledges it with a note, and the acknowledgement is ledgered.
async fn bdc_35_a_failed_verification_raises_an_alarm_until_acknowledged(db: &TestDb) {
    let store = db.migrated().await;
    let (_dir, _witness) = with_signer(&store, 1000).await;
    let verifier = Actor::System("ledger-verifier".to_owned());
    for i in 0..5 {
        store.append(&console(), review(i)).await.expect("append");
    }
    assert!(store.latest_verification().await.expect("read").is_none());
    // Until a signature covers it, a ledger cannot be told from a forgery: unverified.
    let unsigned = store
        .verify_and_record(&verifier, false)
        .await
        .expect("verify");
    assert!(!unsigned.intact, "{unsigned:?}");
    assert!(
        unsigned
            .problem
            .as_deref()
            .is_some_and(|p| p.contains("witness file")),
        "{unsigned:?}"
    );
    let first_alarm = store.ledger_alarms().await.expect("alarms");
    assert_eq!(first_alarm.len(), 1);
    assert!(store.signing_suspended().is_some(), "not signed over");
    assert_eq!(store.checkpoint().await.expect("checkpoint"), None);
    store
        .acknowledge_ledger_alarm(&console(), first_alarm[0].seq, "new scheme; signed now")
        .await
        .expect("ack");
    // Signed (a new store, as at the next start), it verifies.
    drop(store);
    let store = db.store().await;
    let (_dir, _witness) = with_signer(&store, 1000).await;
    store
        .checkpoint()
        .await
        .expect("checkpoint")
        .expect("signed");
    let ok = store
        .verify_and_record(&verifier, false)
        .await
        .expect("verify");
    let base = store.ledger_counts().await.expect("counts").0 - 1;
    assert!(ok.intact && ok.entries == base, "{ok:?}");
    assert_eq!(store.latest_verification().await.expect("read"), Some(ok));
    assert!(store.ledger_alarms().await.expect("alarms").is_empty());

    drop_append_only_guard(db).await;
    db.raw("UPDATE ledger_entries SET actor = 'user:mallory' WHERE seq = 3")
        .await;
    let bad = store
        .verify_and_record(&verifier, false)
        .await
        .expect("verify");
    assert!(!bad.intact);
    assert!(
        bad.problem
            .as_deref()
            .is_some_and(|p| p.starts_with("entry 3: hash mismatch")),
        "{bad:?}"
    );
    let alarms = store.ledger_alarms().await.expect("alarms");
    assert_eq!(alarms.len(), 1);
    assert_eq!(alarms[0].seq, bad.seq);

    let dpo = Actor::User("dpo".to_owned());
    let err = store
        .acknowledge_ledger_alarm(&dpo, bad.seq, "  ")
        .await
        .expect_err("a note is required");
    assert_eq!(err.kind(), custos_base::ErrorKind::InvalidInput);
    let err = store
        .acknowledge_ledger_alarm(&dpo, 2, "x")
        .await
        .expect_err("not a failure");
    assert_eq!(err.kind(), custos_base::ErrorKind::NotFound);
    let ack = store
        .acknowledge_ledger_alarm(
            &dpo,
            bad.seq,
            "Database restored from backup; police informed",
        )
        .await
        .expect("acknowledged");
    assert!(store.ledger_alarms().await.expect("alarms").is_empty());
    let recorded = store
        .ledger_entries(&LedgerQuery {
            after_seq: Some(ack.seq - 1),
            limit: Some(1),
            ..Default::default()
        })
        .await
        .expect("read");
    assert_eq!(recorded[0].kind, "ledger-alarm-acknowledged");
    assert_eq!(recorded[0].actor, "user:dpo");
    assert_eq!(recorded[0].refs, format!("ledger-entry:{}", bad.seq));
}

/// BDC-35: a ledger long enough to be read in several chunks by parallel readers still
/// verifies in order: the first damaged entry is named, whichever chunk it is in, and a
/// sequence number moved far ahead is reported at once rather than walked to.
async fn bdc_35_verify_reads_many_chunks_in_parallel_and_names_the_first_bad_entry(db: &TestDb) {
    let store = db.migrated().await;
    let (_dir, witness) = with_signer(&store, 1_000_000).await;
    let actor = console();
    let mut i = 0;
    while i < 50_000 {
        let mut tx = store.write().await.expect("write");
        for _ in 0..10_000 {
            tx.record(&actor, review(i));
            i += 1;
        }
        tx.commit().await.expect("commit");
    }
    store.checkpoint().await.expect("checkpoint");
    let s = verify(&store, &witness).await.expect("intact");
    let migrations = custos_store::migrate::latest_version() - 1;
    assert_eq!(
        s.entries as i64,
        50_000 + migrations,
        "the schema steps are entries too"
    );
    drop_append_only_guard(db).await;

    db.raw("UPDATE ledger_entries SET body = '{}' WHERE seq = 45000")
        .await;
    let p = verify(&store, &witness)
        .await
        .expect_err("edit in the last chunk");
    assert_eq!(p, Problem::HashMismatch { seq: 45_000 });

    db.raw("DELETE FROM ledger_entries WHERE seq = 35000").await;
    let p = verify(&store, &witness)
        .await
        .expect_err("deletion in the second chunk");
    assert!(
        matches!(
            p,
            Problem::Gap {
                missing: 35_000,
                ..
            }
        ),
        "{p}"
    );

    db.raw("DELETE FROM ledger_entries WHERE seq > 20000 AND seq <= 40000")
        .await;
    let p = verify(&store, &witness)
        .await
        .expect_err("a whole chunk deleted");
    assert!(
        matches!(
            p,
            Problem::Gap {
                missing: 20_001,
                found: 40_001
            }
        ),
        "{p}"
    );

    db.raw("UPDATE ledger_entries SET seq = 1000000000000000 WHERE seq = 15000")
        .await;
    let started = std::time::Instant::now();
    let p = verify(&store, &witness).await.expect_err("a moved entry");
    assert!(
        matches!(
            p,
            Problem::Gap {
                missing: 15_000,
                ..
            }
        ),
        "{p}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "not walked to"
    );
}

fn assignment(role: &str, scope: &str) -> Assignment {
    Assignment {
        role: custos_domain::Ident::parse(role).expect("role"),
        scope: Scope::parse(scope).expect("scope"),
    }
}

fn username(s: &str) -> Username {
    Username::parse(s).expect("user name")
}

async fn entries_about(store: &Store, user: &str) -> Vec<custos_domain::ledger::StoredEntry> {
    store
        .ledger_entries(&LedgerQuery {
            reference: Some(format!("user:{user}")),
            ..Default::default()
        })
        .await
        .expect("entries")
}

/// LJM-6, LBU-4, BDC-11: named accounts hold roles the pack knows; adding, disabling,
/// re-enabling, granting and revoking are each ledgered (with no password in the ledger),
/// and an account is never deleted.
async fn lbu_4_accounts_hold_pack_roles_every_change_is_ledgered_and_none_deleted(db: &TestDb) {
    let store = db.migrated().await;
    store.load_policy(&console(), TRUST).await.expect("load");
    let jo = username("j.okafor");
    let password = "walnut kettle lamp";
    let added = store
        .add_user(
            &console(),
            &jo,
            "Jo Okafor",
            password,
            &[assignment("headteacher", "site:school-a")],
        )
        .await
        .expect("added");
    assert_eq!(
        added.assignments,
        vec![assignment("headteacher", "site:school-a")]
    );
    assert!(!added.disabled);
    assert!(store.check_password(&jo, password).await.expect("check"));
    assert!(
        !store
            .check_password(&jo, "walnut kettle lamps")
            .await
            .expect("check")
    );
    assert!(
        !store
            .check_password(&username("nobody"), password)
            .await
            .expect("check")
    );

    let err = store
        .add_user(
            &console(),
            &jo,
            "Another Jo",
            "maple river stone",
            &[assignment("operator", "scheme")],
        )
        .await
        .expect_err("the name is taken");
    assert!(err.to_string().contains("already an account"), "{err}");

    store
        .grant_role(&console(), &jo, &assignment("dpo", "scheme"))
        .await
        .expect("grant");
    store
        .revoke_role(&console(), &jo, &assignment("headteacher", "site:school-a"))
        .await
        .expect("revoke");
    let err = store
        .revoke_role(&console(), &jo, &assignment("headteacher", "site:school-a"))
        .await
        .expect_err("no longer held");
    assert_eq!(err.kind(), custos_base::ErrorKind::NotFound);

    store
        .set_user_disabled(&console(), &jo, true, "left the trust")
        .await
        .expect("disable");
    assert!(
        !store.check_password(&jo, password).await.expect("check"),
        "a disabled account cannot sign in"
    );
    let err = store
        .set_user_disabled(&console(), &jo, true, "again")
        .await
        .expect_err("already");
    assert!(err.to_string().contains("already disabled"), "{err}");
    store
        .set_user_disabled(&console(), &jo, false, "returned")
        .await
        .expect("enable");
    store
        .set_password(&console(), &jo, "orchard violin teapot")
        .await
        .expect("password");
    assert!(
        store
            .check_password(&jo, "orchard violin teapot")
            .await
            .expect("check")
    );

    let kinds: Vec<(String, String)> = entries_about(&store, "j.okafor")
        .await
        .into_iter()
        .map(|e| (e.book, e.kind))
        .collect();
    let expected: Vec<(String, String)> = [
        ("config", "user-added"),
        ("config", "role-granted"),
        ("config", "role-revoked"),
        ("config", "user-disabled"),
        ("config", "user-enabled"),
        ("access", "password-set"),
    ]
    .iter()
    .map(|(b, k)| ((*b).to_owned(), (*k).to_owned()))
    .collect();
    assert_eq!(kinds, expected);
    for e in entries_about(&store, "j.okafor").await {
        assert!(
            !e.body.contains("argon2") && !e.body.contains(password),
            "{}",
            e.body
        );
    }
    let all = store.users().await.expect("users");
    assert_eq!(all.len(), 1, "accounts are never deleted");
    assert_eq!(all[0].assignments, vec![assignment("dpo", "scheme")]);
}

async fn accounts_need_a_policy_pack_and_a_strong_password(db: &TestDb) {
    let store = db.migrated().await;
    let u = username("op1");
    let err = store
        .add_user(
            &console(),
            &u,
            "Op One",
            "walnut kettle lamp",
            &[assignment("operator", "scheme")],
        )
        .await
        .expect_err("no pack");
    assert!(err.to_string().contains("custos policy load"), "{err}");
    store.load_policy(&console(), SCHOOL).await.expect("load");
    let err = store
        .add_user(
            &console(),
            &u,
            "Op One",
            "walnut kettle lamp",
            &[assignment("headteacher", "scheme")],
        )
        .await
        .expect_err("the school's pack has no headteacher role");
    assert!(err.to_string().contains("no role \"headteacher\""), "{err}");
    let err = store
        .add_user(
            &console(),
            &u,
            "Op One",
            "Password123!",
            &[assignment("operator", "scheme")],
        )
        .await
        .expect_err("common password");
    assert!(err.to_string().contains("commonly used"), "{err}");
    let err = store
        .add_user(
            &console(),
            &u,
            "Op One",
            "bosmere lamp kettle",
            &[assignment("operator", "scheme")],
        )
        .await
        .expect_err("the scheme's name");
    assert!(err.to_string().contains("scheme's"), "{err}");
    assert!(
        store.users().await.expect("users").is_empty(),
        "nothing was added"
    );
}

/// LBU-14 and the access book: signing in (and a refused attempt) and out are ledgered; a
/// session idle for longer than the limit locks until the password is entered again; only a
/// hash of the token is stored; a disabled account's sessions end at once.
async fn lbu_14_sessions_sign_in_and_out_lock_when_idle_and_store_no_token(db: &TestDb) {
    let clock = SimulatedClock::new(UnixMs(1_790_000_000_000));
    let store = Store::open(&db.location, Arc::new(clock.clone()))
        .await
        .expect("open");
    store.migrate(&console()).await.expect("migrate");
    store.load_policy(&console(), SCHOOL).await.expect("load");
    let op = username("op1");
    store
        .add_user(
            &console(),
            &op,
            "Op One",
            "walnut kettle lamp",
            &[assignment("operator", "scheme")],
        )
        .await
        .expect("user");
    let day = 12 * 3600 * 1000;
    let idle = 5 * 60 * 1000;

    assert_eq!(
        store
            .sign_in(attempt(&op, "wrong password!", "192.0.2.7"), day)
            .await
            .expect("runs"),
        SignIn::Refused
    );
    let s = store
        .sign_in(attempt(&op, "walnut kettle lamp", "192.0.2.7"), day)
        .await
        .expect("runs");
    let s = signed(s);
    assert_eq!(s.token.len(), 64);
    let SessionState::Live(info) = store.session(&s.token, idle).await.expect("session") else {
        panic!("live session expected");
    };
    assert_eq!(info.subject.username, "op1");
    assert_eq!(info.csrf, s.csrf);
    assert_eq!(
        store.session("not-a-token", idle).await.expect("session"),
        SessionState::None
    );

    // Activity keeps it alive; silence beyond the limit locks it until the password is
    // entered again (a wrong one does not unlock it).
    clock.advance_ms(idle - 1000);
    assert!(matches!(
        store.session(&s.token, idle).await.expect("s"),
        SessionState::Live(_)
    ));
    clock.advance_ms(idle + 1);
    assert!(matches!(
        store.session(&s.token, idle).await.expect("s"),
        SessionState::Locked(_)
    ));
    clock.advance_ms(1000);
    assert!(
        matches!(
            store.session(&s.token, idle).await.expect("s"),
            SessionState::Locked(_)
        ),
        "stays locked however soon the next request comes"
    );
    assert_eq!(
        store
            .unlock_session(&s.token, "not my password", "192.0.2.7")
            .await
            .expect("runs"),
        Some(SignIn::Refused)
    );
    assert_eq!(
        store
            .unlock_session(&s.token, "walnut kettle lamp", "192.0.2.7")
            .await
            .expect("runs"),
        None
    );
    assert!(matches!(
        store.session(&s.token, idle).await.expect("s"),
        SessionState::Live(_)
    ));

    // Signing out, and disabling the account, end sessions.
    let s2 = store
        .sign_in(attempt(&op, "walnut kettle lamp", "192.0.2.7"), day)
        .await
        .expect("runs");
    let s2 = signed(s2);
    store
        .end_session(&s2.token, &Actor::User("op1".into()), "signed out")
        .await
        .expect("out");
    assert_eq!(
        store.session(&s2.token, idle).await.expect("s"),
        SessionState::None
    );
    let s3 = store
        .sign_in(attempt(&op, "walnut kettle lamp", "192.0.2.7"), day)
        .await
        .expect("runs");
    let s3 = signed(s3);
    store
        .set_user_disabled(&console(), &op, true, "left")
        .await
        .expect("disable");
    assert_eq!(
        store.session(&s3.token, idle).await.expect("s"),
        SessionState::None
    );

    let kinds: Vec<String> = entries_about(&store, "op1")
        .await
        .into_iter()
        .filter(|e| e.book == "access")
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "sign-in-refused",
            "signed-in",
            "screen-locked",
            "sign-in-refused",
            "screen-unlocked",
            "signed-in",
            "signed-out",
            "signed-in",
            "signed-out"
        ]
    );
    assert_eq!(
        session_keys(db, &s.token).await,
        (0, 1),
        "only the token's hash is stored"
    );
}

/// How many session rows are keyed by the token itself (as bytes), and how many by its
/// SHA-256.
async fn session_keys(db: &TestDb, token: &str) -> (i64, i64) {
    use sqlx::Row;
    let store = db.store().await;
    let mut n = Vec::new();
    for key in [
        token.as_bytes().to_vec(),
        Sha256::digest(token.as_bytes()).to_vec(),
    ] {
        let mut tx = store.write().await.expect("w");
        let row = sqlx::query("SELECT COUNT(*) FROM sessions WHERE token_hash = $1")
            .bind(key)
            .fetch_one(tx.conn())
            .await
            .expect("count");
        n.push(row.try_get::<i64, _>(0).expect("n"));
    }
    (n[0], n[1])
}

/// BJS-6, SCC-9: a second factor's secret is kept sealed with the master key (bound to its
/// account), so a copy of the database does not give anyone the codes; secrets an older
/// version kept in base32 are sealed at the next start, and still work.
async fn bjs_6_second_factor_secrets_are_sealed_with_the_master_key(db: &TestDb) {
    let clock = SimulatedClock::new(UnixMs(1_790_000_000_000));
    let store = Store::open(&db.location, Arc::new(clock.clone()))
        .await
        .expect("open");
    store.migrate(&console()).await.expect("migrate");
    store.load_policy(&console(), SCHOOL).await.expect("load");
    store.set_master_key(custos_store::secrets::SecretKey::from_bytes([4; 32]));
    let boss = username("boss");
    let password = "walnut kettle lamp";
    store
        .add_user(
            &console(),
            &boss,
            "Boss",
            password,
            &[assignment("manager", "scheme")],
        )
        .await
        .expect("user");
    let secret = [6u8; 20];
    let code = custos_domain::totp::code_at(&secret, clock.now().0);
    store
        .enrol_mfa(&console(), &boss, &secret, &code)
        .await
        .expect("enrol");
    let stored = db
        .text("SELECT totp_secret FROM users WHERE username = 'boss'")
        .await;
    assert!(stored.starts_with("v1:"), "{stored}");
    assert!(!stored.contains(&custos_domain::totp::base32_encode(&secret)));
    clock.advance_ms(30_000);
    let day = 12 * 3600 * 1000;
    let code = custos_domain::totp::code_at(&secret, clock.now().0);
    fn with_code<'a>(code: &'a str, password: &'a str) -> SignInAttempt<'a> {
        SignInAttempt {
            name: "boss",
            password,
            code: Some(code),
            source: "192.0.2.7",
        }
    }
    signed(
        store
            .sign_in(with_code(&code, password), day)
            .await
            .expect("runs"),
    );

    // As an older version kept it: base32 in the clear. Sealed at the next start.
    db.raw(&format!(
        "UPDATE users SET totp_secret = '{}' WHERE username = 'boss'",
        custos_domain::totp::base32_encode(&secret)
    ))
    .await;
    assert_eq!(
        store
            .seal_plain_totp_secrets(&console())
            .await
            .expect("seal"),
        1
    );
    assert!(
        db.text("SELECT totp_secret FROM users WHERE username = 'boss'")
            .await
            .starts_with("v1:")
    );
    assert_eq!(
        store
            .seal_plain_totp_secrets(&console())
            .await
            .expect("seal"),
        0
    );
    clock.advance_ms(30_000);
    let code = custos_domain::totp::code_at(&secret, clock.now().0);
    signed(
        store
            .sign_in(with_code(&code, password), day)
            .await
            .expect("runs"),
    );
}

fn signed(s: SignIn) -> NewSession {
    match s {
        SignIn::Signed(n) => n,
        other => panic!("expected to be signed in: {other:?}"),
    }
}

/// Login throttling: five refused sign-ins lock the account for the window (even the right
/// password is refused, and no more entries are written while locked); an unlock lifts it;
/// twenty from one address pause that address. Each lock is ledgered once.
async fn refused_sign_ins_lock_the_account_and_throttle_the_source(db: &TestDb) {
    let clock = SimulatedClock::new(UnixMs(1_790_000_000_000));
    let store = Store::open(&db.location, Arc::new(clock.clone()))
        .await
        .expect("open");
    store.migrate(&console()).await.expect("migrate");
    store.load_policy(&console(), SCHOOL).await.expect("load");
    let op = username("op1");
    let good = "walnut kettle lamp";
    store
        .add_user(
            &console(),
            &op,
            "Op One",
            good,
            &[assignment("operator", "scheme")],
        )
        .await
        .expect("user");
    let day = 12 * 3600 * 1000;
    for _ in 0..5 {
        assert_eq!(
            store
                .sign_in(attempt(&op, "guess guess guess", "198.51.100.1"), day)
                .await
                .expect("runs"),
            SignIn::Refused
        );
        clock.advance_ms(1000);
    }
    let locked = store
        .sign_in(attempt(&op, good, "198.51.100.2"), day)
        .await
        .expect("runs");
    assert!(matches!(locked, SignIn::AccountLocked { .. }), "{locked:?}");
    let before = store.ledger_counts().await.expect("counts").0;
    for _ in 0..10 {
        store
            .sign_in(attempt(&op, "guess guess guess", "198.51.100.3"), day)
            .await
            .expect("runs");
    }
    assert_eq!(
        store.ledger_counts().await.expect("counts").0,
        before,
        "no flood while locked"
    );
    clock.advance_ms(15 * 60_000);
    signed(
        store
            .sign_in(attempt(&op, good, "198.51.100.2"), day)
            .await
            .expect("runs"),
    );

    // An unlock lifts a lock at once.
    for _ in 0..5 {
        store
            .sign_in(attempt(&op, "guess guess guess", "198.51.100.4"), day)
            .await
            .expect("runs");
    }
    assert!(matches!(
        store
            .sign_in(attempt(&op, good, "198.51.100.2"), day)
            .await
            .expect("runs"),
        SignIn::AccountLocked { .. }
    ));
    let err = store
        .unlock_account(&console(), &op, " ")
        .await
        .expect_err("reason needed");
    assert_eq!(err.kind(), custos_base::ErrorKind::InvalidInput);
    store
        .unlock_account(&console(), &op, "it was them")
        .await
        .expect("unlock");
    signed(
        store
            .sign_in(attempt(&op, good, "198.51.100.2"), day)
            .await
            .expect("runs"),
    );

    // Twenty refusals from one address, spread over many names, pause that address only.
    for i in 0..20 {
        let name = username(&format!("guess{i}"));
        store
            .sign_in(attempt(&name, "guess guess guess", "203.0.113.9"), day)
            .await
            .expect("runs");
    }
    let paused = store
        .sign_in(attempt(&op, good, "203.0.113.9"), day)
        .await
        .expect("runs");
    assert!(
        matches!(paused, SignIn::SourceThrottled { .. }),
        "{paused:?}"
    );
    signed(
        store
            .sign_in(attempt(&op, good, "198.51.100.2"), day)
            .await
            .expect("runs"),
    );

    let kinds: Vec<String> = store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::Access),
            ..Default::default()
        })
        .await
        .expect("entries")
        .into_iter()
        .map(|e| e.kind)
        .filter(|k| k != "sign-in-refused" && k != "signed-in")
        .collect();
    assert_eq!(
        kinds,
        [
            "account-locked",
            "account-locked",
            "account-unlocked",
            "source-throttled"
        ]
    );
}

/// Every attempt is counted before its password is checked, so a burst gets exactly the
/// documented number of tries however many arrive at once: 40 at once on one account
/// (from 40 addresses, the right password last) get five tries and no sign-in; 300 at once
/// from one address, over real, unknown and malformed names, get twenty.
async fn a_burst_of_concurrent_sign_ins_gets_exactly_the_documented_number_of_tries(db: &TestDb) {
    let clock = SimulatedClock::new(UnixMs(1_790_000_000_000));
    let store = Store::open(&db.location, Arc::new(clock.clone()))
        .await
        .expect("open");
    store.migrate(&console()).await.expect("migrate");
    store.load_policy(&console(), SCHOOL).await.expect("load");
    let op = username("op1");
    let good = "walnut kettle lamp";
    store
        .add_user(
            &console(),
            &op,
            "Op One",
            good,
            &[assignment("operator", "scheme")],
        )
        .await
        .expect("user");
    let day = 12 * 3600 * 1000;
    let sources: Vec<String> = (0..40).map(|i| format!("198.51.100.{i}")).collect();
    let answers = futures::future::join_all(sources.iter().enumerate().map(|(i, source)| {
        let store = store.clone();
        let password = if i == 39 { good } else { "guess guess guess" };
        async move {
            store
                .sign_in(
                    SignInAttempt {
                        name: "op1",
                        password,
                        code: None,
                        source,
                    },
                    day,
                )
                .await
                .expect("runs")
        }
    }))
    .await;
    let refused = answers.iter().filter(|a| **a == SignIn::Refused).count();
    assert_eq!(refused, 5, "{answers:?}");
    assert!(
        answers
            .iter()
            .all(|a| matches!(a, SignIn::Refused | SignIn::AccountLocked { .. })),
        "the right password, after the limit, is not let in: {answers:?}"
    );
    let kinds = |entries: &[custos_domain::ledger::StoredEntry], kind: &str| {
        entries.iter().filter(|e| e.kind == kind).count()
    };
    let access = |store: Store| async move {
        store
            .ledger_entries(&LedgerQuery {
                book: Some(Book::Access),
                ..Default::default()
            })
            .await
            .expect("entries")
    };
    let entries = access(store.clone()).await;
    assert_eq!(kinds(&entries, "sign-in-refused"), 5);
    assert_eq!(kinds(&entries, "account-locked"), 1);
    assert_eq!(kinds(&entries, "signed-in"), 0);
    assert!(matches!(
        store
            .sign_in(attempt(&op, good, "198.51.100.99"), day)
            .await
            .expect("runs"),
        SignIn::AccountLocked { .. }
    ));

    // 300 at once from one address, over many names: twenty tries, one pause ledgered.
    clock.advance_ms(16 * 60_000);
    let names: Vec<String> = (0..300)
        .map(|i| match i % 5 {
            0 => "op1".to_owned(),
            1 => format!("nobody{i}"),
            2 => "Op One".to_owned(),
            3 => String::new(),
            _ => "élodie".to_owned(),
        })
        .collect();
    let answers = futures::future::join_all(names.iter().map(|name| {
        let store = store.clone();
        async move {
            store
                .sign_in(
                    SignInAttempt {
                        name,
                        password: "guess guess guess",
                        code: None,
                        source: "203.0.113.50",
                    },
                    day,
                )
                .await
                .expect("runs")
        }
    }))
    .await;
    assert_eq!(
        answers.iter().filter(|a| **a == SignIn::Refused).count(),
        20,
        "{answers:?}"
    );
    assert!(answers.iter().all(|a| matches!(
        a,
        SignIn::Refused | SignIn::AccountLocked { .. } | SignIn::SourceThrottled { .. }
    )));
    let entries = access(store.clone()).await;
    let from_burst = entries
        .iter()
        .filter(|e| e.kind == "sign-in-refused")
        .filter(|e| e.refs.contains("source:203.0.113.50"))
        .count();
    assert_eq!(from_burst, 20);
    assert_eq!(kinds(&entries, "source-throttled"), 1);
    assert!(matches!(
        store
            .sign_in(attempt(&op, good, "203.0.113.50"), day)
            .await
            .expect("runs"),
        SignIn::SourceThrottled { .. }
    ));
}

/// A sign-in under a name that has no account (or is no user name at all) is refused and
/// ledgered without the guesser's text becoming an actor or a reference; malformed names
/// count against the address like any other; an IPv6 client counts as its /64.
async fn a_name_without_an_account_leaves_no_actor_and_ipv6_counts_by_its_64(db: &TestDb) {
    let store = db.migrated().await;
    store.load_policy(&console(), SCHOOL).await.expect("load");
    let op = username("op1");
    let good = "walnut kettle lamp";
    store
        .add_user(
            &console(),
            &op,
            "Op One",
            good,
            &[assignment("operator", "scheme")],
        )
        .await
        .expect("user");
    let day = 12 * 3600 * 1000;
    let typed = ["mallory", "Mallory Evil", "", "<script>", "ÉLODIE"];
    for i in 0..20 {
        let answer = store
            .sign_in(
                SignInAttempt {
                    name: typed[i % typed.len()],
                    password: "guess guess guess",
                    code: None,
                    source: &format!("2001:db8:5:6::{i:x}"),
                },
                day,
            )
            .await
            .expect("runs");
        assert_eq!(answer, SignIn::Refused, "attempt {i}");
    }
    let paused = store
        .sign_in(attempt(&op, good, "2001:db8:5:6:ffff::1"), day)
        .await
        .expect("runs");
    assert!(
        matches!(paused, SignIn::SourceThrottled { .. }),
        "{paused:?}"
    );
    signed(
        store
            .sign_in(attempt(&op, good, "2001:db8:5:7::1"), day)
            .await
            .expect("runs"),
    );
    let entries = store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::Access),
            ..Default::default()
        })
        .await
        .expect("entries");
    let refused: Vec<_> = entries
        .iter()
        .filter(|e| e.kind == "sign-in-refused")
        .collect();
    assert_eq!(refused.len(), 20);
    for e in &refused {
        assert_eq!(e.actor, "system:sign-in", "{e:?}");
        assert!(!e.refs.contains("user:"), "{e:?}");
    }
    let all = format!("{entries:?}");
    for name in ["mallory", "Mallory", "script", "LODIE"] {
        assert!(!all.contains(name), "{name} is in the ledger");
    }
}

/// BDC-22, BDC-36: a licence is valid up to and including its expiry date; a trainee is
/// supervised only while an operator with a valid licence is signed on duty; duty is
/// ledgered in book `duty`.
async fn bdc_22_licences_expire_and_a_licensed_operator_on_duty_supervises_trainees(db: &TestDb) {
    // 2026-11-23 12:00 UTC.
    let clock = SimulatedClock::new(UnixMs(1_795_435_200_000));
    let store = Store::open(&db.location, Arc::new(clock.clone()))
        .await
        .expect("open");
    store.migrate(&console()).await.expect("migrate");
    store
        .load_policy(
            &console(),
            include_str!("../../../policies/bassetlaw-district-council.toml"),
        )
        .await
        .expect("load");
    let op = username("op1");
    let tr = username("tr1");
    for (u, role) in [(&op, "operator"), (&tr, "trainee-operator")] {
        store
            .add_user(
                &console(),
                u,
                "Control Room",
                "walnut kettle lamp",
                &[assignment(role, "scheme")],
            )
            .await
            .expect("user");
    }
    assert!(!store.competence("op1").await.expect("c").licence_valid);
    let err = store
        .record_licence(&console(), &op, "1234 5678 9012 3456", "23/11/2026")
        .await
        .expect_err("bad date");
    assert!(err.to_string().contains("YYYY-MM-DD"), "{err}");
    store
        .record_licence(&console(), &op, "1234 5678 9012 3456", "2026-11-23")
        .await
        .expect("licence");
    assert!(
        store.competence("op1").await.expect("c").licence_valid,
        "valid on its last day"
    );
    store
        .record_training(
            &console(),
            &op,
            "CCTV control room induction",
            "2026-10-01",
            Some("2027-10-01"),
        )
        .await
        .expect("training");

    assert!(
        !store
            .competence("tr1")
            .await
            .expect("c")
            .licensed_operator_on_duty
    );
    store
        .set_duty(&Actor::User("op1".into()), &op, true)
        .await
        .expect("on");
    let err = store
        .set_duty(&Actor::User("op1".into()), &op, true)
        .await
        .expect_err("twice");
    assert!(err.to_string().contains("already on duty"), "{err}");
    let c = store.competence("tr1").await.expect("c");
    assert!(c.operator_on_duty && c.licensed_operator_on_duty);

    // The next day the licence has expired: the operator on duty no longer counts.
    clock.advance_ms(24 * 3600 * 1000);
    assert!(!store.competence("op1").await.expect("c").licence_valid);
    let c = store.competence("tr1").await.expect("c");
    assert!(c.operator_on_duty && !c.licensed_operator_on_duty);
    store
        .set_duty(&Actor::User("op1".into()), &op, false)
        .await
        .expect("off");
    assert!(!store.competence("tr1").await.expect("c").operator_on_duty);

    let duty: Vec<String> = store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::Duty),
            ..Default::default()
        })
        .await
        .expect("entries")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(duty, ["signed-on", "signed-off"]);
    let kinds: Vec<String> = entries_about(&store, "op1")
        .await
        .into_iter()
        .filter(|e| e.book == "config")
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        ["user-added", "licence-recorded", "training-recorded"]
    );
}

/// BDC-11: a training record counts from its completion date up to and including its
/// expiry date; one without an expiry date counts from then on.
async fn bdc_11_training_counts_only_while_in_date(db: &TestDb) {
    // 2026-11-23 12:00 UTC.
    let clock = SimulatedClock::new(UnixMs(1_795_435_200_000));
    let store = Store::open(&db.location, Arc::new(clock.clone()))
        .await
        .expect("open");
    store.migrate(&console()).await.expect("migrate");
    store
        .load_policy(
            &console(),
            include_str!("../../../policies/bassetlaw-district-council.toml"),
        )
        .await
        .expect("load");
    let op = username("op1");
    store
        .add_user(
            &console(),
            &op,
            "Control Room",
            "walnut kettle lamp",
            &[assignment("operator", "scheme")],
        )
        .await
        .expect("user");
    let t = |c: &str, done: &str, until: Option<&'static str>| {
        let store = store.clone();
        let op = op.clone();
        let c = c.to_owned();
        let done = done.to_owned();
        async move {
            store
                .record_training(&console(), &op, &c, &done, until)
                .await
                .expect("training")
        }
    };
    t("CCTV Operator Training", "2025-11-23", Some("2026-11-23")).await;
    t("Data protection", "2026-12-01", None).await;
    t("First aid", "2020-01-01", None).await;
    let courses = store.current_courses("op1").await.expect("courses");
    assert_eq!(
        courses.into_iter().collect::<Vec<_>>(),
        ["cctv operator training", "first aid"],
        "in date on its expiry day; not before completion"
    );
    clock.advance_ms(24 * 3600 * 1000);
    assert!(
        !store
            .competence("op1")
            .await
            .expect("c")
            .courses
            .contains("cctv operator training"),
        "expired the day after"
    );
}

/// BDC-1: a role is absent where every holder is absent (or disabled); an absence covers
/// whole UK days, is ledgered, and ends early when the person is back.
async fn bdc_1_absences_make_a_role_absent_until_its_holders_return(db: &TestDb) {
    // 2026-11-23 12:00 UTC.
    let clock = SimulatedClock::new(UnixMs(1_795_435_200_000));
    let store = Store::open(&db.location, Arc::new(clock.clone()))
        .await
        .expect("open");
    store.migrate(&console()).await.expect("migrate");
    store
        .load_policy(
            &console(),
            include_str!("../../../policies/bassetlaw-district-council.toml"),
        )
        .await
        .expect("load");
    let m1 = username("m1");
    let m2 = username("m2");
    for (u, scope) in [(&m1, "scheme"), (&m2, "site:retford")] {
        store
            .add_user(
                &console(),
                u,
                "Manager",
                "walnut kettle lamp",
                &[assignment("manager", scope)],
            )
            .await
            .expect("user");
    }
    let needs = vec![
        assignment("manager", "scheme"),
        assignment("manager", "site:retford"),
        assignment("manager", "site:worksop"),
    ];
    assert!(store.absent_roles(&needs).await.expect("absent").is_empty());

    let err = store
        .record_absence(&console(), &m1, "2026-11-25", "2026-11-24", "leave")
        .await
        .expect_err("order");
    assert!(err.to_string().contains("before the first"), "{err}");
    let err = store
        .record_absence(&console(), &m1, "2026-11-23", "2026-11-24", " ")
        .await
        .expect_err("reason");
    assert!(err.to_string().contains("give the reason"), "{err}");
    store
        .record_absence(&console(), &m1, "2026-11-24", "2026-11-30", "annual leave")
        .await
        .expect("future absence");
    assert!(
        store.absent_roles(&needs).await.expect("absent").is_empty(),
        "not yet away"
    );
    // Midnight UK time on 24 November (GMT): away from then.
    clock.set(UnixMs(1_795_478_400_000));
    let absent = store.absent_roles(&needs).await.expect("absent");
    assert_eq!(
        absent,
        [
            assignment("manager", "scheme"),
            assignment("manager", "site:worksop")
        ],
        "the Retford manager still covers Retford"
    );
    let listed = store.absences(None).await.expect("absences");
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].from.as_str(), listed[0].until.as_str()),
        ("2026-11-24", "2026-11-30")
    );
    store.end_absence(&console(), &m1).await.expect("back");
    assert!(store.absent_roles(&needs).await.expect("absent").is_empty());
    let err = store.end_absence(&console(), &m1).await.expect_err("none");
    assert!(
        err.to_string().contains("no current or coming absence"),
        "{err}"
    );
    // A disabled holder is not present either.
    store
        .set_user_disabled(&console(), &m2, true, "left the council")
        .await
        .expect("disable");
    assert_eq!(
        store
            .absent_roles(&[assignment("manager", "site:retford")])
            .await
            .expect("absent")
            .len(),
        0,
        "the scheme-wide manager covers Retford"
    );
    let kinds: Vec<String> = entries_about(&store, "m1")
        .await
        .into_iter()
        .filter(|e| e.book == "access")
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["absence-recorded", "absence-ended"]);
}

/// LJM-8, LBU-5: a camera group keeps the client networks it may be watched from; changes
/// need a reason and are ledgered with before and after; refusals are ledgered.
async fn ljm_8_camera_groups_keep_their_workstations_and_refusals_are_ledgered(db: &TestDb) {
    let store = db.store().await;
    store.migrate(&console()).await.expect("migrate");
    let id = custos_domain::Ident::parse("control-room").expect("id");
    let site = custos_domain::Ident::parse("main").expect("site");
    let lan = custos_domain::network::parse_networks("10.20.0.0/16").expect("net");
    store
        .add_camera_group(&console(), &id, &site, "Control room wall", &lan)
        .await
        .expect("add");
    let err = store
        .add_camera_group(&console(), &id, &site, "Again", &[])
        .await
        .expect_err("twice");
    assert!(err.to_string().contains("already a camera group"), "{err}");
    let g = store.camera_group(&id).await.expect("read").expect("group");
    assert_eq!(g.networks_text(), "10.20.0.0/16");
    assert!(matches!(
        g.target(),
        custos_domain::access::Target::Located { ref workstations, .. } if workstations.len() == 1
    ));
    let err = store
        .set_group_workstations(&console(), &id, &[], "")
        .await
        .expect_err("reason");
    assert!(err.to_string().contains("give the reason"), "{err}");
    store
        .set_group_workstations(&console(), &id, &[], "restriction lifted by the DPO")
        .await
        .expect("change");
    assert_eq!(
        store.camera_groups().await.expect("list")[0].networks_text(),
        "anywhere"
    );
    store
        .record_workstation_refusal(
            &Actor::User("op1".into()),
            &id,
            custos_domain::access::Right::ViewLive,
            Some("192.0.2.7".parse().expect("ip")),
        )
        .await
        .expect("refusal");
    let entries = store
        .ledger_entries(&LedgerQuery {
            reference: Some("group:control-room".to_owned()),
            ..Default::default()
        })
        .await
        .expect("entries");
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "camera-group-added",
            "workstations-changed",
            "workstation-refused"
        ]
    );
    assert!(entries[2].body.contains("192.0.2.7"), "{}", entries[2].body);
}

fn camera_request(id: &str, url: &str) -> custos_store::CameraRequest {
    use custos_domain::camera::{CameraDraft, RtspAddress, Transport};
    let ident = |s: &str| custos_domain::Ident::parse(s).expect("id");
    custos_store::CameraRequest {
        id: ident(id),
        draft: CameraDraft {
            name: "Front gate".to_owned(),
            site: ident("bosmere"),
            location: "Above the main gate".to_owned(),
            area: "The gate and the path to reception".to_owned(),
            kind: custos_domain::CameraKind::Fixed,
            mode: custos_domain::RecordingMode::Continuous,
            purposes: vec![ident("security-and-safety")],
            audio: false,
            retention_days: None,
            dpia_ref: "DPIA-2026-03".to_owned(),
            operational_requirement: "Identify people entering the site".to_owned(),
            priority: custos_domain::camera::Priority::DEFAULT,
        },
        groups: vec![ident("entrances")],
        main: RtspAddress::parse(url).expect("url"),
        sub: None,
        transport: Transport::Tcp,
        audio_reason: None,
    }
}

/// LJM-1, LJM-3, BDC-9, ALT-16: a camera is registered only for purposes of the pack that
/// allow its recording mode, within the maximum retention and in groups on its site;
/// credentials in its address are stored sealed with the master key (and never in the
/// ledger); sound needs an approval reason; every change is ledgered with before and after;
/// cameras are retired, never deleted.
async fn ljm_1_cameras_are_registered_against_the_pack_with_credentials_sealed(db: &TestDb) {
    let store = db.store().await;
    store.migrate(&console()).await.expect("migrate");
    store
        .load_policy(
            &console(),
            include_str!("../../../policies/bosmere-junior-school.toml"),
        )
        .await
        .expect("load");
    let site = custos_domain::Ident::parse("bosmere").expect("site");
    let entrances = custos_domain::Ident::parse("entrances").expect("group");
    store
        .add_camera_group(&console(), &entrances, &site, "Entrances", &[])
        .await
        .expect("group");
    let req = camera_request("front-gate", "rtsp://admin:s3cret@192.0.2.10:554/stream1");
    let err = store
        .add_camera(&console(), &req)
        .await
        .expect_err("no key");
    assert!(
        err.to_string().contains("master key is not loaded"),
        "{err}"
    );
    store.set_master_key(custos_store::secrets::SecretKey::generate().expect("key"));

    let mut bad = req.clone();
    bad.draft.retention_days = Some(400);
    bad.draft
        .purposes
        .push(custos_domain::Ident::parse("marketing").expect("id"));
    bad.draft.audio = true;
    let err = store.add_camera(&console(), &bad).await.expect_err("bad");
    let text = err.to_string();
    for part in [
        "no purpose \"marketing\"",
        "keep footage 400 days",
        "sound is recorded only with an approval",
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }
    let mut live_only_purpose = req.clone();
    live_only_purpose.draft.mode = custos_domain::RecordingMode::AlarmTriggered;
    let err = store
        .add_camera(&console(), &live_only_purpose)
        .await
        .expect_err("mode");
    assert!(
        err.to_string()
            .contains("does not allow alarm-triggered cameras"),
        "{err}"
    );

    let cam = store.add_camera(&console(), &req).await.expect("add");
    assert!(cam.has_credentials);
    assert_eq!(cam.main_url, "rtsp://192.0.2.10:554/stream1");
    let creds = store
        .camera_credentials(&cam.id)
        .await
        .expect("read")
        .expect("some");
    assert_eq!(
        (creds.username.as_str(), creds.password.as_str()),
        ("admin", "s3cret")
    );
    // The password is nowhere in the clear: not in the table, not in the ledger.
    assert_eq!(
        db.count("SELECT id FROM cameras WHERE credentials_sealed IS NOT NULL")
            .await,
        1
    );
    assert_eq!(
        db.count(
            "SELECT id FROM cameras WHERE credentials_sealed LIKE '%s3cret%' OR main_url LIKE '%s3cret%' OR main_url LIKE '%admin%'"
        )
        .await,
        0
    );
    let entries = entries_about_ref(&store, "camera:front-gate").await;
    assert!(entries.iter().all(|e| !e.body.contains("s3cret")));
    assert!(
        entries[0].body.contains("stored encrypted"),
        "{}",
        entries[0].body
    );

    let mut louder = req.clone();
    louder.main =
        custos_domain::camera::RtspAddress::parse("rtsp://192.0.2.10:554/stream1").expect("url");
    louder.draft.audio = true;
    let err = store
        .change_camera(&console(), &louder, "sound for the reception desk")
        .await
        .expect_err("no approval");
    assert!(err.to_string().contains("approval"), "{err}");
    louder.audio_reason = Some("approved by the DPO, DPIA-2026-03 review".to_owned());
    let after = store
        .change_camera(&console(), &louder, "sound for the reception desk")
        .await
        .expect("change");
    assert!(
        after.draft.audio && after.has_credentials,
        "credentials kept"
    );
    let entries = entries_about_ref(&store, "camera:front-gate").await;
    let change = &entries[1];
    assert_eq!(change.kind, "camera-changed");
    assert!(
        change.body.contains("\"audio\":[false,true]"),
        "{}",
        change.body
    );
    assert!(
        change.body.contains("approved by the DPO"),
        "{}",
        change.body
    );

    store
        .retire_camera(&console(), &cam.id, "removed")
        .await
        .expect("retire");
    assert!(store.cameras(false).await.expect("list").is_empty());
    assert!(store.cameras(true).await.expect("list")[0].retired);
    assert!(
        store
            .retire_camera(&console(), &cam.id, "again")
            .await
            .is_err()
    );
}

async fn entries_about_ref(store: &Store, r: &str) -> Vec<custos_domain::ledger::StoredEntry> {
    store
        .ledger_entries(&LedgerQuery {
            reference: Some(r.to_owned()),
            ..Default::default()
        })
        .await
        .expect("entries")
}

/// BJS-4, BJS-6, LBU-7: a camera-day's data key is made once, sealed, and ledgered without
/// the key; segments are indexed; each closed camera-hour is sealed once with the Merkle
/// root of its segments' hashes in the ledger; a segment cannot join a sealed hour; gaps
/// open and close.
async fn bjs_4_closed_camera_hours_are_sealed_into_the_ledger_once(db: &TestDb) {
    use custos_store::recordings::{FragmentIndex, HOUR_MS, InitSegment, Segment};
    // 2026-11-23 12:00 UTC.
    let clock = SimulatedClock::new(UnixMs(1_795_435_200_000));
    let store = Store::open(&db.location, Arc::new(clock.clone()))
        .await
        .expect("open");
    store.migrate(&console()).await.expect("migrate");
    store
        .load_policy(
            &console(),
            include_str!("../../../policies/bosmere-junior-school.toml"),
        )
        .await
        .expect("load");
    store.set_master_key(custos_store::secrets::SecretKey::generate().expect("key"));
    let site = custos_domain::Ident::parse("bosmere").expect("site");
    let entrances = custos_domain::Ident::parse("entrances").expect("group");
    store
        .add_camera_group(&console(), &entrances, &site, "Entrances", &[])
        .await
        .expect("group");
    let cam = store
        .add_camera(
            &console(),
            &camera_request("front-gate", "rtsp://192.0.2.10/s1"),
        )
        .await
        .expect("camera")
        .id;
    let k1 = store.data_key(&cam, "2026-11-23").await.expect("key");
    let k2 = store.data_key(&cam, "2026-11-23").await.expect("key");
    assert_eq!(k1.bytes(), k2.bytes(), "one key per camera-day");
    let k3 = store.data_key(&cam, "2026-11-24").await.expect("key");
    assert_ne!(k1.bytes(), k3.bytes());
    let keys = entries_about_ref(&store, "camera:front-gate")
        .await
        .into_iter()
        .filter(|e| e.kind == "data-key-created")
        .collect::<Vec<_>>();
    assert_eq!(keys.len(), 2);

    store
        .add_init_segment(&InitSegment {
            id: "front-gate-aa".to_owned(),
            camera: cam.clone(),
            stream: "main".to_owned(),
            codec: "avc1.42c01f".to_owned(),
            width: 1280,
            height: 720,
            path: "front-gate/2026-11-23/init-aa.cinit".to_owned(),
            day: "2026-11-23".to_owned(),
            sha256: "aa".repeat(32),
        })
        .await
        .expect("init");
    let hour = 1_795_435_200_000 - HOUR_MS; // 11:00 UTC
    let seg = |i: i64, sha: &str| Segment {
        path: format!("front-gate/2026-11-23/{i}.cseg"),
        camera: cam.clone(),
        stream: "main".to_owned(),
        init_id: "front-gate-aa".to_owned(),
        day: "2026-11-23".to_owned(),
        start_unix_ms: hour + i * 60_000,
        end_unix_ms: hour + (i + 1) * 60_000,
        frames: 1500,
        bytes: 1000,
        sha256: sha.to_owned(),
        fragments: vec![FragmentIndex {
            offset: 0,
            len: 1000,
            start_unix_ms: hour + i * 60_000,
            frames: 1500,
            decode_base_90k: 0,
            decode_duration_90k: 5_400_000,
        }],
        recovered: false,
    };
    let hashes: Vec<String> = (0..3u8).map(|i| format!("{i:02x}").repeat(32)).collect();
    for (i, h) in hashes.iter().enumerate() {
        store.add_segment(&seg(i as i64, h)).await.expect("segment");
    }
    // A segment in the current hour (12:00) stays unsealed.
    store
        .add_segment(&seg(60, &"ff".repeat(32)))
        .await
        .expect("segment");
    assert_eq!(
        store
            .segments(Some(&cam), Some("main"), hour, hour + 2 * HOUR_MS)
            .await
            .expect("list")
            .len(),
        4
    );

    let seals = store
        .seal_closed_hours(custos_base::Clock::now(&clock).0, 5 * 60_000)
        .await
        .expect("seal");
    assert!(seals.is_empty(), "within the grace period after the hour");
    clock.advance_ms(10 * 60_000);
    let seals = store
        .seal_closed_hours(custos_base::Clock::now(&clock).0, 5 * 60_000)
        .await
        .expect("seal");
    assert_eq!(seals.len(), 1);
    let expected = custos_domain::seal::merkle_root(
        &hashes
            .iter()
            .map(|h| custos_domain::ledger::Hash::from_hex(h).expect("hash"))
            .collect::<Vec<_>>(),
    );
    assert_eq!(seals[0].root, expected.to_string());
    assert_eq!(seals[0].hour_unix_ms, hour);
    let entry = entries_about_ref(&store, "camera:front-gate")
        .await
        .into_iter()
        .find(|e| e.kind == "hour-sealed")
        .expect("sealed in the ledger");
    assert_eq!(entry.book, "recording");
    assert!(entry.body.contains(&expected.to_string()), "{}", entry.body);
    assert_eq!(entry.seq, seals[0].ledger_seq);
    assert!(
        store
            .seal_closed_hours(custos_base::Clock::now(&clock).0, 5 * 60_000)
            .await
            .expect("again")
            .is_empty(),
        "sealed once"
    );
    let err = store
        .add_segment(&seg(10, &"ee".repeat(32)))
        .await
        .expect_err("late");
    assert!(err.to_string().contains("already sealed"), "{err}");

    store
        .open_gap(&cam, "main", hour + 3 * 60_000, "camera unreachable")
        .await
        .expect("gap");
    store
        .open_gap(&cam, "main", hour + 4 * 60_000, "still unreachable")
        .await
        .expect("gap again");
    assert_eq!(
        store
            .close_gap(&cam, "main", hour + 9 * 60_000)
            .await
            .expect("close"),
        Some(hour + 3 * 60_000)
    );
    let gaps = store.gaps(&cam, hour, hour + HOUR_MS).await.expect("gaps");
    assert_eq!(gaps.len(), 1);
    assert_eq!(gaps[0].2, Some(hour + 9 * 60_000));
}

/// LBU-4, BDC-32, BDC-33: a review needs a reason and a purpose the camera is registered
/// for; opening it ledgers `review-opened` and issues a grant good only for that session,
/// for half an hour; finishing records the result once.
async fn lbu_4_a_review_needs_a_reason_and_its_grant_is_bound_and_expires(db: &TestDb) {
    use custos_store::reviews::{GRANT_MS, ReviewRequest};
    // 2026-11-23 12:00 UTC.
    let clock = SimulatedClock::new(UnixMs(1_795_435_200_000));
    let store = Store::open(&db.location, Arc::new(clock.clone()))
        .await
        .expect("open");
    store.migrate(&console()).await.expect("migrate");
    store
        .load_policy(
            &console(),
            include_str!("../../../policies/bosmere-junior-school.toml"),
        )
        .await
        .expect("load");
    store.set_master_key(custos_store::secrets::SecretKey::generate().expect("key"));
    let site = custos_domain::Ident::parse("bosmere").expect("site");
    let entrances = custos_domain::Ident::parse("entrances").expect("group");
    store
        .add_camera_group(&console(), &entrances, &site, "Entrances", &[])
        .await
        .expect("group");
    let cam = store
        .add_camera(
            &console(),
            &camera_request("front-gate", "rtsp://192.0.2.10/s1"),
        )
        .await
        .expect("camera");
    let op = username("op1");
    store
        .add_user(
            &console(),
            &op,
            "Operator",
            "walnut kettle lamp",
            &[assignment("operator", "scheme")],
        )
        .await
        .expect("user");
    let actor = Actor::User("op1".into());
    let req = |reason: &str, purpose: &str| ReviewRequest {
        from_unix_ms: 1_795_431_600_000,
        to_unix_ms: 1_795_432_200_000,
        purpose: custos_domain::Ident::parse(purpose).expect("purpose"),
        reason: reason.to_owned(),
        case_ref: None,
        persons_present: vec!["PC Jones".to_owned(), " ".to_owned()],
    };
    let err = store
        .open_review(
            &actor,
            "op1",
            "session-a",
            &cam,
            &req("", "security-and-safety"),
        )
        .await
        .expect_err("no reason");
    assert!(err.to_string().contains("say why"), "{err}");
    let err = store
        .open_review(
            &actor,
            "op1",
            "session-a",
            &cam,
            &req("Stolen bike", "property-protection"),
        )
        .await
        .expect_err("not the camera's purpose");
    assert!(
        err.to_string()
            .contains("registered for Security and safety, not Protecting school property"),
        "{err}"
    );
    let (token, review) = store
        .open_review(
            &actor,
            "op1",
            "session-a",
            &cam,
            &req("Stolen bike", "security-and-safety"),
        )
        .await
        .expect("open");
    let entries = entries_about_ref(&store, &format!("review:{review}")).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].book, "review");
    assert!(
        entries[0].body.contains("\"reason\":\"Stolen bike\"")
            && entries[0]
                .body
                .contains("\"persons_present\":[\"PC Jones\"]"),
        "{}",
        entries[0].body
    );
    assert!(
        store
            .review_grant(&token, "session-a")
            .await
            .expect("grant")
            .is_some()
    );
    assert!(
        store
            .review_grant(&token, "session-b")
            .await
            .expect("grant")
            .is_none(),
        "bound to its session"
    );
    assert!(
        store
            .review_grant("not-a-token", "session-a")
            .await
            .expect("grant")
            .is_none()
    );
    clock.advance_ms(GRANT_MS + 1);
    assert!(
        store
            .review_grant(&token, "session-a")
            .await
            .expect("grant")
            .is_none(),
        "expired"
    );
    let err = store
        .finish_review(&actor, &token, "session-a", "nothing seen")
        .await
        .expect_err("expired");
    assert!(err.to_string().contains("not open"), "{err}");
    let (token, review) = store
        .open_review(
            &actor,
            "op1",
            "session-a",
            &cam,
            &req("Fence damage", "security-and-safety"),
        )
        .await
        .expect("open");
    store
        .finish_review(&actor, &token, "session-a", "Damage seen at 11:05")
        .await
        .expect("finish");
    assert!(
        store
            .finish_review(&actor, &token, "session-a", "again")
            .await
            .is_err(),
        "finished once"
    );
    let kinds: Vec<String> = entries_about_ref(&store, &format!("review:{review}"))
        .await
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["review-opened", "review-finished"]);
}

/// A scheme on the school's pack (21 days' retention) with camera `front-gate`, its clock
/// at 2026-11-01 10:00 UTC, and a footage folder.
async fn retention_scheme(db: &TestDb) -> (Store, SimulatedClock, tempfile::TempDir) {
    let clock = SimulatedClock::new(UnixMs(1_793_527_200_000));
    let store = Store::open(&db.location, Arc::new(clock.clone()))
        .await
        .expect("open");
    store.migrate(&console()).await.expect("migrate");
    store
        .load_policy(
            &console(),
            include_str!("../../../policies/bosmere-junior-school.toml"),
        )
        .await
        .expect("load");
    store.set_master_key(custos_store::secrets::SecretKey::generate().expect("key"));
    let site = custos_domain::Ident::parse("bosmere").expect("site");
    let entrances = custos_domain::Ident::parse("entrances").expect("group");
    store
        .add_camera_group(&console(), &entrances, &site, "Entrances", &[])
        .await
        .expect("group");
    store
        .add_camera(
            &console(),
            &camera_request("front-gate", "rtsp://192.0.2.10/s1"),
        )
        .await
        .expect("camera");
    (store, clock, tempfile::tempdir().expect("footage"))
}

const DAY: i64 = 86_400_000;

/// Writes a minute of (encrypted) footage of `front-gate` starting at `start`, with its
/// day's init segment, as the recorder does; returns the segment's path under `footage`.
async fn record_minute(store: &Store, footage: &std::path::Path, start: i64) -> String {
    use custos_media::segfile::{FileKind, RecordMeta, SegmentWriter};
    use custos_store::recordings::{FragmentIndex, InitSegment, Segment};
    let cam = custos_domain::Ident::parse("front-gate").expect("id");
    let day = UnixMs(start).to_uk_local_input()[..10].to_owned();
    let key = store.data_key(&cam, &day).await.expect("key");
    let compact: String = day.chars().filter(char::is_ascii_digit).collect();
    let init_id = format!("front-gate-{compact}-aaaaaaaaaaaaaaaa");
    std::fs::create_dir_all(footage.join(format!("front-gate/{day}"))).expect("dir");
    if store.init_segment(&init_id).await.expect("init").is_none() {
        let path = format!("front-gate/{day}/init-{compact}-aaaaaaaaaaaaaaaa.cinit");
        let mut w = SegmentWriter::create(&footage.join(&path), FileKind::Init, key.bytes())
            .expect("init file");
        w.append(
            b"init",
            &RecordMeta {
                start_unix_ms: 0,
                frames: 0,
                duration_ms: 0,
            },
        )
        .expect("init record");
        w.sync().expect("sync");
        store
            .add_init_segment(&InitSegment {
                id: init_id.clone(),
                camera: cam.clone(),
                stream: "main".into(),
                codec: "avc1.42c01f".into(),
                width: 640,
                height: 360,
                path,
                day: day.clone(),
                sha256: custos_domain::ledger::to_hex(&Sha256::digest(b"init")),
            })
            .await
            .expect("init row");
    }
    let path = format!("front-gate/{day}/{start}-main-{compact}-aaaaaaaaaaaaaaaa.cseg");
    let body = format!("a minute of footage from {start}").into_bytes();
    let mut w = SegmentWriter::create(&footage.join(&path), FileKind::Media, key.bytes())
        .expect("segment file");
    w.append(
        &body,
        &RecordMeta {
            start_unix_ms: start,
            frames: 1500,
            duration_ms: 60_000,
        },
    )
    .expect("record");
    w.sync().expect("sync");
    store
        .add_segment(&Segment {
            path: path.clone(),
            camera: cam,
            stream: "main".into(),
            init_id,
            day,
            start_unix_ms: start,
            end_unix_ms: start + 60_000,
            frames: 1500,
            bytes: std::fs::metadata(footage.join(&path)).expect("size").len(),
            sha256: custos_domain::ledger::to_hex(&Sha256::digest(&body)),
            fragments: vec![FragmentIndex {
                offset: 0,
                len: body.len() as u64,
                start_unix_ms: start,
                frames: 1500,
                decode_base_90k: 0,
                decode_duration_90k: 5_400_000,
            }],
            recovered: false,
        })
        .await
        .expect("segment row");
    path
}

async fn retention_entries(store: &Store, kind: &str) -> Vec<custos_domain::ledger::StoredEntry> {
    store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::Retention),
            ..LedgerQuery::default()
        })
        .await
        .expect("entries")
        .into_iter()
        .filter(|e| e.kind == kind)
        .collect()
}

/// BJS-8, BJS-4, SCC-6: at the school (21 days) footage from day 20 is kept and footage
/// from day 22 is gone: its files and index rows, with one ledger entry per camera-hour; the
/// day's data key is destroyed, so a copy of the file made before can no longer be
/// decrypted, and the day is never given a new key.
async fn bjs_8_footage_past_retention_goes_with_its_files_and_its_day_key(db: &TestDb) {
    let (store, clock, footage) = retention_scheme(db).await;
    let t0 = custos_base::Clock::now(&clock).0;
    let cam = custos_domain::Ident::parse("front-gate").expect("id");
    let old = record_minute(&store, footage.path(), t0).await;
    let kept = record_minute(&store, footage.path(), t0 + 2 * DAY).await;
    let old_day = old.split('/').nth(1).expect("day").to_owned();
    let copy = footage.path().join("copy-made-earlier.cseg");
    std::fs::copy(footage.path().join(&old), &copy).expect("copy");

    // Day 20: everything is kept.
    clock.set(UnixMs(t0 + 20 * DAY + 12 * 3_600_000));
    let r = store.sweep(footage.path()).await.expect("sweep");
    assert_eq!(r.segments_deleted, 0);
    assert!(footage.path().join(&old).exists());

    // Day 22: the first day's minute goes; the later one stays.
    clock.set(UnixMs(t0 + 22 * DAY));
    let r = store.sweep(footage.path()).await.expect("sweep");
    assert_eq!(r.segments_deleted, 1, "{r:?}");
    assert!(r.problems.is_empty(), "{r:?}");
    assert_eq!(r.keys_destroyed, vec![(cam.clone(), old_day.clone())]);
    assert!(!footage.path().join(&old).exists());
    assert!(footage.path().join(&kept).exists());
    assert!(!footage.path().join("front-gate").join(&old_day).exists());
    let left = store
        .segments(Some(&cam), None, i64::MIN, i64::MAX)
        .await
        .expect("segments");
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].path, kept);

    let deleted = retention_entries(&store, "footage-deleted").await;
    assert_eq!(deleted.len(), 1);
    assert!(deleted[0].refs.contains("camera:front-gate"));
    assert!(
        deleted[0].body.contains("\"segments\":1"),
        "{}",
        deleted[0].body
    );
    assert!(deleted[0].body.contains("21 days"), "{}", deleted[0].body);
    assert_eq!(
        retention_entries(&store, "day-key-destroyed").await.len(),
        1
    );
    assert_eq!(retention_entries(&store, "sweep-finished").await.len(), 2);
    assert_eq!(
        store.last_sweep().await.expect("last").map(|e| e.seq),
        retention_entries(&store, "sweep-finished")
            .await
            .last()
            .map(|e| e.seq)
    );

    // Crypto-shredding: the key is gone for good, so the earlier copy cannot be read.
    for _ in 0..2 {
        let err = store.data_key(&cam, &old_day).await.expect_err("destroyed");
        assert!(err.to_string().contains("destroyed"), "{err}");
    }
    assert!(std::fs::metadata(&copy).is_ok());
    // The later day's footage still reads with its own key.
    let later_day = kept.split('/').nth(1).expect("day");
    let key = store.data_key(&cam, later_day).await.expect("key");
    custos_media::segfile::read_records(&footage.path().join(&kept), key.bytes())
        .expect("the kept day reads");
    // No key the scheme still holds opens the earlier copy.
    assert!(custos_media::segfile::read_records(&copy, key.bytes()).is_err());
    // A second sweep finds nothing more to do.
    let r = store.sweep(footage.path()).await.expect("sweep");
    assert_eq!((r.segments_deleted, r.keys_destroyed.len()), (0, 0));
}

/// BDC-28, LBU-17, ALT-8: a held range survives past retention; ending a hold early needs a
/// reason and is ledgered; on the day the hold ends, the footage goes.
async fn bdc_28_held_footage_survives_retention_until_its_hold_ends(db: &TestDb) {
    use custos_domain::retention::HoldRequest;
    let (store, clock, footage) = retention_scheme(db).await;
    let t0 = custos_base::Clock::now(&clock).0;
    let cam = custos_domain::Ident::parse("front-gate").expect("id");
    let held = record_minute(&store, footage.path(), t0).await;
    let unheld = record_minute(&store, footage.path(), t0 + 3_600_000).await;
    let req = |class: &str, reason: &str| HoldRequest {
        cameras: vec![cam.clone()],
        from_unix_ms: t0 - 60_000,
        to_unix_ms: t0 + 30_000,
        class: custos_domain::Ident::parse(class).expect("class"),
        reason: reason.to_owned(),
        owner: "head".to_owned(),
        until_unix_ms: Some(t0 + 30 * DAY),
        case_ref: Some("INC-2026-0042".to_owned()),
    };
    let err = store
        .place_hold(&console(), &req("investigation-hold", ""))
        .await
        .expect_err("no reason");
    assert!(err.to_string().contains("say why"), "{err}");
    let err = store
        .place_hold(&console(), &req("holiday-snaps", "Break-in at the gate"))
        .await
        .expect_err("no such class");
    assert!(err.to_string().contains("investigation-hold"), "{err}");
    let hold = store
        .place_hold(
            &console(),
            &req("investigation-hold", "Break-in at the gate"),
        )
        .await
        .expect("hold");
    assert_eq!(hold.expires_at_unix_ms, t0 + 30 * DAY);
    let placed = retention_entries(&store, "hold-placed").await;
    assert_eq!(placed.len(), 1);
    assert!(placed[0].body.contains("INC-2026-0042"));

    clock.set(UnixMs(t0 + 22 * DAY));
    let r = store.sweep(footage.path()).await.expect("sweep");
    assert_eq!(r.segments_deleted, 1, "only the unheld minute goes: {r:?}");
    assert!(footage.path().join(&held).exists());
    assert!(!footage.path().join(&unheld).exists());
    // The day still has held footage, so its key stays.
    assert!(r.keys_destroyed.is_empty());
    let report = store.retention_report(t0).await.expect("report");
    assert!(
        !report[0].flagged(),
        "held footage is not overdue: {report:?}"
    );
    assert_eq!(report[0].holds.len(), 1);

    // Ending it early needs a reason; then it is shortened, and ledgered.
    let err = store
        .shorten_hold(&console(), &hold.id, t0 + 25 * DAY, "", Some("head"))
        .await
        .expect_err("no reason");
    assert!(err.to_string().contains("say why"), "{err}");
    store
        .shorten_hold(
            &console(),
            &hold.id,
            t0 + 25 * DAY,
            "Police collected their copy",
            Some("head"),
        )
        .await
        .expect("shorten");
    let shortened = retention_entries(&store, "hold-shortened").await;
    assert_eq!(shortened.len(), 1);
    assert!(shortened[0].body.contains("\"authorised_by\":\"head\""));

    clock.set(UnixMs(t0 + 24 * DAY));
    let r = store.sweep(footage.path()).await.expect("sweep");
    assert_eq!(r.segments_deleted, 0);
    clock.set(UnixMs(t0 + 25 * DAY + 1));
    let r = store.sweep(footage.path()).await.expect("sweep");
    assert_eq!(r.holds_expired, vec![hold.id.clone()]);
    assert_eq!(r.segments_deleted, 1);
    assert!(!footage.path().join(&held).exists());
    assert_eq!(r.keys_destroyed.len(), 1);
    assert_eq!(retention_entries(&store, "hold-expired").await.len(), 1);
    let h = store.hold(&hold.id).await.expect("hold").expect("kept");
    assert!(!h.active(custos_base::Clock::now(&clock).0));
    let err = store
        .release_hold(&console(), &hold.id, "Release it again", None)
        .await
        .expect_err("already ended");
    assert!(err.to_string().contains("no longer holds"), "{err}");
}

/// BJS-4: the report shows each camera's retention, oldest and newest footage and
/// deletions, and flags a camera whose footage past its limit is still there (here a file
/// the sweep cannot delete); once deletion works again, the flag goes.
async fn bjs_4_the_retention_report_flags_a_camera_whose_deletion_is_stuck(db: &TestDb) {
    let (store, clock, footage) = retention_scheme(db).await;
    let t0 = custos_base::Clock::now(&clock).0;
    let stuck = record_minute(&store, footage.path(), t0).await;
    record_minute(&store, footage.path(), t0 + 10 * DAY).await;
    // Something in the way: a folder where the file was (even root cannot unlink it).
    let file = footage.path().join(&stuck);
    std::fs::remove_file(&file).expect("rm");
    std::fs::create_dir_all(file.join("in-the-way")).expect("obstacle");

    clock.set(UnixMs(t0 + 23 * DAY));
    let r = store.sweep(footage.path()).await.expect("sweep");
    assert_eq!(r.segments_deleted, 0);
    assert_eq!(r.problems.len(), 1, "{r:?}");
    assert!(r.problems[0].contains("cannot delete"), "{r:?}");
    let last = store.last_sweep().await.expect("last").expect("a sweep");
    assert!(last.body.contains("cannot delete"), "{}", last.body);
    let report = store.retention_report(t0).await.expect("report");
    assert_eq!(report.len(), 1);
    let row = &report[0];
    assert_eq!(row.retention_days, 21);
    assert!(row.flagged(), "{row:?}");
    assert_eq!(row.overdue_segments, 1);
    assert_eq!(row.oldest_overdue_unix_ms, Some(t0));
    assert_eq!(row.oldest_unix_ms, Some(t0));
    assert_eq!(row.newest_unix_ms, Some(t0 + 10 * DAY + 60_000));
    assert_eq!(row.segments, 2);

    std::fs::remove_dir_all(&file).expect("clear the way");
    let r = store.sweep(footage.path()).await.expect("sweep");
    assert_eq!(r.segments_deleted, 1);
    let report = store.retention_report(t0).await.expect("report");
    assert!(!report[0].flagged(), "{report:?}");
    assert_eq!(report[0].deleted_in_period, 1);
    assert_eq!(report[0].oldest_unix_ms, Some(t0 + 10 * DAY));
}

/// BDC-28, LBU-17: under disk pressure the oldest unheld footage goes first, ledgered as
/// early deletion with the reason; held footage is never deleted, however much space is
/// wanted, and the result says so; a camera's recording is paused and resumed with entries.
async fn bdc_28_the_disk_floor_takes_the_oldest_unheld_footage_and_never_held_footage(db: &TestDb) {
    use custos_domain::retention::HoldRequest;
    let (store, clock, footage) = retention_scheme(db).await;
    let t0 = custos_base::Clock::now(&clock).0;
    let cam = custos_domain::Ident::parse("front-gate").expect("id");
    let held = record_minute(&store, footage.path(), t0).await;
    let older = record_minute(&store, footage.path(), t0 + 60_000).await;
    let newer = record_minute(&store, footage.path(), t0 + 120_000).await;
    store
        .place_hold(
            &console(),
            &HoldRequest {
                cameras: vec![cam.clone()],
                from_unix_ms: t0,
                to_unix_ms: t0 + 30_000,
                class: custos_domain::Ident::parse("investigation-hold").expect("class"),
                reason: "Assault at the gate".to_owned(),
                owner: "head".to_owned(),
                until_unix_ms: None,
                case_ref: None,
            },
        )
        .await
        .expect("hold");
    clock.advance_ms(3 * 60_000);
    let one = std::fs::metadata(footage.path().join(&older))
        .expect("size")
        .len();
    // A little space: only the oldest unheld minute goes.
    let r = store
        .delete_oldest_unheld(footage.path(), 1, "free space below the floor")
        .await
        .expect("pressure");
    assert_eq!((r.segments_deleted, r.bytes_deleted), (1, one));
    assert!(r.unheld_left);
    assert!(footage.path().join(&held).exists());
    assert!(!footage.path().join(&older).exists());
    assert!(footage.path().join(&newer).exists());
    let early = retention_entries(&store, "footage-deleted-early").await;
    assert_eq!(early.len(), 1);
    assert!(
        early[0].body.contains("free space below the floor"),
        "{}",
        early[0].body
    );
    // Any amount: everything unheld goes, and nothing held.
    let r = store
        .delete_oldest_unheld(footage.path(), u64::MAX, "free space below the floor")
        .await
        .expect("pressure");
    assert_eq!(r.segments_deleted, 1);
    assert!(!r.unheld_left, "only held footage is left");
    assert!(footage.path().join(&held).exists());
    assert!(!footage.path().join(&newer).exists());

    // Still below the floor with only held footage left: the camera's recording pauses
    // (once), with an entry; when space returns, it resumes.
    let r = store
        .relieve_pressure(footage.path(), 10, 1_000, 5)
        .await
        .expect("pressure");
    assert_eq!(r.segments_deleted, 0);
    assert_eq!(r.paused, Some(cam.clone()));
    assert!(footage.path().join(&held).exists());
    let paused = store.paused_cameras().await.expect("paused");
    assert_eq!(paused.len(), 1);
    assert!(
        paused[0].2.contains("only held footage is left"),
        "{}",
        paused[0].2
    );
    let r = store
        .relieve_pressure(footage.path(), 10, 1_000, 5)
        .await
        .expect("pressure");
    assert_eq!(r.paused, None, "no other camera to pause");
    // Above the floor but not yet a percent above it: still paused.
    let r = store
        .relieve_pressure(footage.path(), 55, 1_000, 5)
        .await
        .expect("pressure");
    assert!(r.resumed.is_empty());
    let r = store
        .relieve_pressure(footage.path(), 600, 1_000, 5)
        .await
        .expect("pressure");
    assert_eq!(r.resumed, vec![cam.clone()]);
    assert!(store.paused_cameras().await.expect("paused").is_empty());
    assert_eq!(retention_entries(&store, "recording-paused").await.len(), 1);
    assert_eq!(
        retention_entries(&store, "recording-resumed").await.len(),
        1
    );
}

fn new_case(kind: custos_domain::case::CaseKind, at: i64) -> custos_store::cases::NewCase {
    custos_store::cases::NewCase {
        kind,
        received_at_unix_ms: at,
        channel: "staff".to_owned(),
        summary: "Footage of me at the gate".to_owned(),
        requester_name: "Alex Example".to_owned(),
        requester_contact: "alex@example.org".to_owned(),
        details: "Monday about 8:40, at the front gate".to_owned(),
        sighting: None,
        incident_at_unix_ms: None,
        raised_late: false,
    }
}

/// LBU-25, BDC-21: a complaint raised after the pack's window is recorded as late (in the
/// case and its `case-opened` entry) and cannot simply be started: it is accepted late
/// with a reason, or refused. An answered complaint is appealed once, with its grounds;
/// the one who decided the answer may not decide the appeal; the appeal's outcome is kept
/// with who decided it, and closing after it keeps the time the first answer was sent.
async fn lbu_25_a_late_complaint_is_accepted_or_refused_and_an_appeal_is_heard_by_another(
    db: &TestDb,
) {
    use custos_base::Actor;
    use custos_domain::case::{Action, AppealOutcome, CaseKind, CaseState, Decision};
    use custos_store::cases::Step;
    let (store, clock, _footage) = retention_scheme(db).await;
    let t0 = custos_base::Clock::now(&clock).0;
    let late = custos_store::cases::NewCase {
        incident_at_unix_ms: Some(t0 - 40 * DAY),
        raised_late: true,
        ..new_case(CaseKind::Complaint, t0)
    };
    let c = store.open_case(&console(), &late).await.expect("open");
    assert!(c.reference.starts_with("COM-"), "{}", c.reference);
    assert!(c.raised_late);
    assert_eq!(c.incident_at_unix_ms, Some(t0 - 40 * DAY));
    let opened = store
        .ledger_entries(&custos_store::LedgerQuery {
            reference: Some(format!("case:{}", c.reference)),
            ..custos_store::LedgerQuery::default()
        })
        .await
        .expect("entries");
    assert!(
        opened[0].body.contains("\"raised_late\":true"),
        "{}",
        opened[0].body
    );
    let step = |reasons: &str| Step {
        reasons: reasons.to_owned(),
        ..Step::default()
    };
    let err = store
        .act_on_case(&console(), &c.reference, Action::Start, &step(""))
        .await
        .expect_err("late");
    assert!(
        err.to_string()
            .contains("accept it although it was raised late"),
        "{err}"
    );
    let err = store
        .act_on_case(&console(), &c.reference, Action::AcceptLate, &step(""))
        .await
        .expect_err("no reason");
    assert!(err.to_string().contains("say why"), "{err}");
    let c = store
        .act_on_case(
            &console(),
            &c.reference,
            Action::AcceptLate,
            &step("The complainant was in hospital for the month after the incident"),
        )
        .await
        .expect("accepted late");
    assert_eq!(c.state, CaseState::InProgress);
    // Another late one is refused without being worked, with the reason.
    let other = store.open_case(&console(), &late).await.expect("open");
    let other = store
        .act_on_case(
            &console(),
            &other.reference,
            Action::Decide(Decision::Refuse),
            &step("Raised ten weeks after the incident, long after the footage was erased"),
        )
        .await
        .expect("refused");
    assert_eq!(other.state, CaseState::Decided);

    // Answered by one person, appealed, heard by another.
    let first = Actor::User("ann".to_owned());
    let second = Actor::User("bob".to_owned());
    store
        .act_on_case(&first, &c.reference, Action::Acknowledge, &step(""))
        .await
        .expect("acknowledged");
    store
        .act_on_case(
            &first,
            &c.reference,
            Action::Decide(Decision::NotUpheld),
            &step("The camera shows only the car park, as the signs say"),
        )
        .await
        .expect("answered");
    let closed = store
        .act_on_case(&first, &c.reference, Action::Close, &step(""))
        .await
        .expect("closed");
    let answered_at = closed.closed_at_unix_ms.expect("closed at");
    clock.advance_ms(5 * DAY);
    let appealed = store
        .act_on_case(
            &console(),
            &closed.reference,
            Action::Appeal,
            &step("The signs were covered by a hedge"),
        )
        .await
        .expect("appealed");
    assert_eq!(appealed.state, CaseState::Appealed);
    let appeal = appealed.appeal.clone().expect("appeal");
    assert_eq!(appeal.grounds, "The signs were covered by a hedge");
    assert_eq!(
        appeal.received_at_unix_ms,
        custos_base::Clock::now(&clock).0
    );
    let err = store
        .act_on_case(
            &first,
            &c.reference,
            Action::DecideAppeal(AppealOutcome::NotUpheld),
            &step("The signs are visible"),
        )
        .await
        .expect_err("the same person");
    assert!(
        err.to_string().contains("not involved in the first answer"),
        "{err}"
    );
    let decided = store
        .act_on_case(
            &second,
            &c.reference,
            Action::DecideAppeal(AppealOutcome::Upheld),
            &step("The hedge was cut back and a second sign put up"),
        )
        .await
        .expect("appeal decided");
    let (outcome, reasons, by) = decided.appeal.and_then(|a| a.outcome).expect("an outcome");
    assert_eq!(outcome, AppealOutcome::Upheld);
    assert!(reasons.contains("second sign"));
    assert_eq!(by, "user:bob");
    let done = store
        .act_on_case(&second, &c.reference, Action::Close, &step(""))
        .await
        .expect("closed again");
    assert_eq!(done.state, CaseState::Closed);
    assert_eq!(done.closed_at_unix_ms, Some(answered_at));
    let err = store
        .act_on_case(&console(), &c.reference, Action::Appeal, &step("Once more"))
        .await
        .expect_err("one appeal");
    assert!(err.to_string().contains("from here it can"), "{err}");
}

/// ALT-18, UK GDPR Arts 33–34: a breach counts 72 hours from when the scheme became aware;
/// its risk is assessed with reasons; the ICO is notified only once what happened is
/// recorded, and after the 72 hours only with the reasons for the delay; a high risk closes
/// only once the people affected are told or an exception is recorded; until the ICO is
/// dealt with, the breach is among those awaiting it; every step is in book `case`.
async fn alt_18_a_breach_is_assessed_notified_late_with_reasons_and_closed_with_its_outcome(
    db: &TestDb,
) {
    use custos_domain::breach::{RiskLevel, TellingException};
    use custos_domain::case::{Action, CaseKind, CaseState};
    use custos_store::breaches::BreachDetails;
    use custos_store::cases::Step;
    let (store, clock, _footage) = retention_scheme(db).await;
    let aware = custos_base::Clock::now(&clock).0;
    let c = store
        .open_case(&console(), &new_case(CaseKind::Breach, aware))
        .await
        .expect("open");
    assert!(c.reference.starts_with("BRE-"), "{}", c.reference);
    let waiting = store.breaches_awaiting_ico().await.expect("awaiting");
    assert_eq!(waiting, vec![(c.reference.clone(), aware)]);
    let step = |reasons: &str| Step {
        reasons: reasons.to_owned(),
        ..Step::default()
    };
    let act = |action, reasons: &'static str| {
        let (store, reference) = (&store, c.reference.clone());
        async move {
            store
                .act_on_case(&console(), &reference, action, &step(reasons))
                .await
        }
    };
    let err = act(Action::AssessRisk(RiskLevel::HighRisk), "")
        .await
        .expect_err("reasons");
    assert!(err.to_string().contains("say why"), "{err}");
    act(
        Action::AssessRisk(RiskLevel::HighRisk),
        "A memory stick with a week of playground footage was lost on a bus",
    )
    .await
    .expect("assessed");
    let err = act(Action::NotifyIco, "")
        .await
        .expect_err("nothing recorded");
    assert!(
        err.to_string().contains("record what happened first"),
        "{err}"
    );
    store
        .record_breach_details(
            &console(),
            &c.reference,
            &BreachDetails {
                nature: "An unencrypted memory stick holding footage was lost".to_owned(),
                subject_categories: "pupils and staff".to_owned(),
                subjects_approx: Some(300),
                record_categories: "CCTV recordings of the playground".to_owned(),
                records_approx: Some(7),
                consequences: "Children could be identified by strangers".to_owned(),
                measures: "Copies now leave only encrypted; the bus company is searching"
                    .to_owned(),
            },
        )
        .await
        .expect("details");
    // 73 hours on: late, so the delay needs its reasons.
    clock.advance_ms(73 * 3_600_000);
    let err = act(Action::NotifyIco, "").await.expect_err("late");
    assert!(err.to_string().to_lowercase().contains("delay"), "{err}");
    let c2 = act(
        Action::NotifyIco,
        "The loss was reported to the school only on the third day",
    )
    .await
    .expect("notified late");
    assert!(c2.breach.as_ref().is_some_and(|b| b.ico_notified.is_some()));
    assert!(
        store
            .breaches_awaiting_ico()
            .await
            .expect("awaiting")
            .is_empty()
    );
    let err = act(Action::Close, "").await.expect_err("people first");
    assert!(err.to_string().contains("from here it can"), "{err}");
    act(
        Action::NotTellPeople(TellingException::DisproportionateEffort),
        "Three hundred families; a letter to every family and a notice on the website instead",
    )
    .await
    .expect("exception");
    let closed = act(Action::Close, "").await.expect("closed");
    assert_eq!(closed.state, CaseState::Closed);
    let kinds: Vec<String> = store
        .ledger_entries(&custos_store::LedgerQuery {
            reference: Some(format!("case:{}", c.reference)),
            ..custos_store::LedgerQuery::default()
        })
        .await
        .expect("entries")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "case-opened",
            "case-assess-risk",
            "case-breach-details",
            "case-notify-ico",
            "case-not-tell-people",
            "case-close"
        ]
    );
}

/// LBU-18, BDC-29, BDC-28: a subject access request gets its reference, moves only as its
/// state machine allows (the error names what is allowed), pauses its clock while identity
/// is awaited, holds the footage it concerns, keeps an encrypted document, and needs
/// reasons to refuse; every step is in book `case`, and no entry holds the requester's
/// name or contact.
async fn lbu_18_a_subject_access_case_moves_by_its_state_machine_and_every_step_is_ledgered(
    db: &TestDb,
) {
    use custos_domain::case::{Action, CaseKind, CaseState, Decision};
    use custos_store::cases::Step;
    let (store, clock, footage) = retention_scheme(db).await;
    let t0 = custos_base::Clock::now(&clock).0;
    let c = store
        .open_case(&console(), &new_case(CaseKind::SubjectAccess, t0))
        .await
        .expect("open");
    assert_eq!(c.reference, "SAR-2026-0001");
    assert_eq!(c.state, CaseState::Received);
    let second = store
        .open_case(&console(), &new_case(CaseKind::SubjectAccess, t0))
        .await
        .expect("open");
    assert_eq!(second.reference, "SAR-2026-0002");
    let err = store
        .act_on_case(&console(), &c.reference, Action::Close, &Step::default())
        .await
        .expect_err("not decided");
    assert!(err.to_string().contains("from here it can"), "{err}");

    let c = store
        .act_on_case(
            &console(),
            &c.reference,
            Action::AwaitIdentity,
            &Step::default(),
        )
        .await
        .expect("await identity");
    assert_eq!(c.state, CaseState::AwaitingIdentity);
    assert_eq!(c.pauses.len(), 1);
    assert!(c.pauses[0].1.is_none(), "paused");
    clock.advance_ms(3 * DAY);
    let c = store
        .act_on_case(
            &console(),
            &c.reference,
            Action::VerifyIdentity,
            &Step::default(),
        )
        .await
        .expect("verify");
    assert_eq!(c.pauses[0].1, Some(t0 + 3 * DAY));

    // BDC-28: the footage the request concerns is held at once.
    let hold = store
        .hold_for_case(
            &console(),
            &c.reference,
            &custos_domain::retention::HoldRequest {
                cameras: vec![custos_domain::Ident::parse("front-gate").expect("id")],
                from_unix_ms: t0 - 3_600_000,
                to_unix_ms: t0 + 3_600_000,
                class: custos_domain::Ident::parse("request-pending").expect("class"),
                reason: "Subject access request".to_owned(),
                owner: "dpo".to_owned(),
                until_unix_ms: None,
                case_ref: None,
            },
        )
        .await
        .expect("hold");
    assert_eq!(hold.case_ref.as_deref(), Some("SAR-2026-0001"));
    let c = store.case(&c.reference).await.expect("read").expect("case");
    assert_eq!(c.holds, vec![hold.id.clone()]);

    // A document, encrypted on disk and read back whole.
    let docs = footage.path().join("documents");
    let doc = store
        .add_case_document(
            &console(),
            &docs,
            &c.reference,
            "passport.pdf",
            "application/pdf",
            b"%PDF-1.4 proof of identity",
        )
        .await
        .expect("document");
    let on_disk =
        std::fs::read(docs.join(format!("{}/{}.cdoc", c.reference, doc.id))).expect("file");
    assert!(
        !on_disk.windows(5).any(|w| w == b"proof"),
        "ciphertext only"
    );
    let (_, back) = store
        .case_document(&docs, &c.reference, &doc.id)
        .await
        .expect("read");
    assert_eq!(back, b"%PDF-1.4 proof of identity");

    let err = store
        .act_on_case(
            &console(),
            &c.reference,
            Action::Decide(Decision::Refuse),
            &Step::default(),
        )
        .await
        .expect_err("a refusal needs reasons");
    assert!(err.to_string().contains("needs its reasons"), "{err}");
    let err = store
        .act_on_case(
            &console(),
            &c.reference,
            Action::Decide(Decision::Disclose),
            &Step {
                others_shown: true,
                ..Step::default()
            },
        )
        .await
        .expect_err("ALT-10");
    assert!(
        err.to_string()
            .contains("why disclosing them is reasonable"),
        "{err}"
    );
    let c = store
        .act_on_case(
            &console(),
            &c.reference,
            Action::Extend,
            &Step {
                reasons: "Many hours of footage from several cameras".to_owned(),
                ..Step::default()
            },
        )
        .await
        .expect("extend");
    assert!(c.extension.is_some());
    let c = store
        .act_on_case(
            &console(),
            &c.reference,
            Action::Decide(Decision::ViewOnly),
            &Step::default(),
        )
        .await
        .expect("decide");
    assert_eq!(c.decision.as_ref().map(|d| d.0), Some(Decision::ViewOnly));
    let c = store
        .act_on_case(&console(), &c.reference, Action::Close, &Step::default())
        .await
        .expect("close");
    assert_eq!(c.state, CaseState::Closed);
    store
        .add_case_note(&console(), &c.reference, "Viewing held with Alex on Friday")
        .await
        .expect("note");

    let entries = store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::Case),
            reference: Some("case:SAR-2026-0001".to_owned()),
            ..LedgerQuery::default()
        })
        .await
        .expect("entries");
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "case-opened",
            "case-await-identity",
            "case-verify-identity",
            "case-footage-held",
            "case-document-added",
            "case-extend",
            "case-decide",
            "case-close",
            "case-note-added",
        ]
    );
    for e in &entries {
        assert!(
            !e.body.contains("Alex") && !e.body.contains("alex@"),
            "no personal details in the ledger: {}",
            e.body
        );
    }
}

/// LJM-11: an FOI request for one's own images becomes a subject access request, in one
/// step that ledgers both.
async fn ljm_11_an_foi_request_for_ones_own_images_becomes_a_subject_access_request(db: &TestDb) {
    use custos_domain::case::{Action, CaseKind, CaseState};
    let (store, clock, _footage) = retention_scheme(db).await;
    let t0 = custos_base::Clock::now(&clock).0;
    let foi = store
        .open_case(&console(), &new_case(CaseKind::Foi, t0))
        .await
        .expect("open");
    assert_eq!(foi.reference, "FOI-2026-0001");
    let foi = store
        .act_on_case(
            &console(),
            &foi.reference,
            Action::ConvertToSubjectAccess,
            &custos_store::cases::Step::default(),
        )
        .await
        .expect("convert");
    assert_eq!(foi.state, CaseState::Converted);
    let sar = foi.converted_to.expect("became");
    assert_eq!(sar, "SAR-2026-0001");
    let sar = store.case(&sar).await.expect("read").expect("case");
    assert_eq!(sar.kind, CaseKind::SubjectAccess);
    assert_eq!(
        sar.received_at_unix_ms, t0,
        "the clock runs from the first receipt"
    );
    assert_eq!(sar.requester_name, "Alex Example");
    let open: Vec<String> = store
        .cases(false)
        .await
        .expect("cases")
        .into_iter()
        .map(|c| c.reference)
        .collect();
    assert_eq!(open, ["SAR-2026-0001"]);
}

/// BDC-28, LBU-18, ALT-10: a subject access request that says when (a time, searched an
/// hour either side) and where (a place the cameras cover) holds the footage of the cameras
/// there at once, in the transaction that opens it, so the sweep cannot take it; the case
/// lists the footage and its hold, and the ledger records both; answering the request ends
/// the hold.
async fn bdc_28_a_subject_access_request_holds_the_footage_of_its_time_and_place_at_intake(
    db: &TestDb,
) {
    use custos_domain::case::CaseKind;
    use custos_store::cases::Sighting;
    let (store, clock, footage) = retention_scheme(db).await;
    let t0 = custos_base::Clock::now(&clock).0;
    let seen = record_minute(&store, footage.path(), t0 + 10 * 60_000).await;
    let later = record_minute(&store, footage.path(), t0 + 3 * 3_600_000).await;
    let mut new = new_case(CaseKind::SubjectAccess, t0 + DAY);
    new.sighting = Some(Sighting {
        at_unix_ms: t0 + 30 * 60_000,
        place: "the main gate".to_owned(),
    });
    let c = store.open_case(&console(), &new).await.expect("open");
    assert_eq!(c.footage.len(), 1, "{:?}", c.footage);
    assert_eq!(c.footage[0].camera, "front-gate");
    assert_eq!(c.footage[0].from_unix_ms, t0 + 30 * 60_000 - 3_600_000);
    assert_eq!(c.footage[0].to_unix_ms, t0 + 30 * 60_000 + 3_600_000);
    let hold_id = c.footage[0].hold.clone().expect("held at intake");
    assert_eq!(c.holds, vec![hold_id.clone()]);
    let hold = store.hold(&hold_id).await.expect("hold").expect("exists");
    assert_eq!(hold.class, "request-pending");
    assert_eq!(hold.case_ref.as_deref(), Some(c.reference.as_str()));
    // Past the school's 21 days, the sweep takes the later footage and leaves the held.
    clock.advance_ms(25 * DAY);
    store.sweep(footage.path()).await.expect("sweep");
    assert!(
        footage.path().join(&seen).exists(),
        "held footage was swept"
    );
    assert!(
        !footage.path().join(&later).exists(),
        "unheld footage was kept"
    );
    let kinds: Vec<String> = entries_about_ref(&store, &format!("case:{}", c.reference))
        .await
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.contains(&"case-footage-held".to_owned()), "{kinds:?}");
    // Answered, the request no longer keeps its footage: the intake hold ends with it.
    for action in [
        custos_domain::case::Action::Start,
        custos_domain::case::Action::Decide(custos_domain::case::Decision::ViewOnly),
        custos_domain::case::Action::Close,
    ] {
        store
            .act_on_case(
                &console(),
                &c.reference,
                action,
                &custos_store::cases::Step::default(),
            )
            .await
            .expect("step");
    }
    let hold = store.hold(&hold_id).await.expect("hold").expect("exists");
    assert!(hold.released_at_unix_ms.is_some(), "{hold:?}");
    let released = retention_entries(&store, "hold-released").await;
    assert_eq!(released.len(), 1);
    assert!(
        released[0].body.contains("answered"),
        "{}",
        released[0].body
    );
    // A place no camera covers proposes nothing and holds nothing; the case is still opened.
    new.sighting = Some(Sighting {
        at_unix_ms: t0,
        place: "the swimming pool".to_owned(),
    });
    let c = store.open_case(&console(), &new).await.expect("open");
    assert!(c.footage.is_empty() && c.holds.is_empty());
    // An erasure request names its footage without holding it.
    let mut era = new_case(CaseKind::Erasure, t0 + DAY);
    era.sighting = Some(Sighting {
        at_unix_ms: t0,
        place: "Above the main gate".to_owned(),
    });
    let e = store.open_case(&console(), &era).await.expect("open");
    assert_eq!(e.footage.len(), 1);
    assert!(e.footage[0].hold.is_none() && e.holds.is_empty());
}

/// BDC-29, BJS-8: a subject access request about a time older than the school's 21 days,
/// or one within them when nothing was recorded, links and holds nothing, records why, and
/// its acknowledgement tells the requester instead of promising to keep the footage; the
/// case's footage says, once the case is closed, that its hold was released.
async fn bdc_29_a_request_about_footage_past_retention_holds_nothing_and_says_why(db: &TestDb) {
    use custos_domain::case::{Action, CaseKind, Decision, FootageAbsence};
    use custos_domain::letter::LetterKind;
    use custos_store::cases::{HoldState, Sighting, Step};
    let (store, clock, footage) = retention_scheme(db).await;
    let t0 = custos_base::Clock::now(&clock).0;
    record_minute(&store, footage.path(), t0 + 10 * 60_000).await;
    clock.advance_ms(30 * DAY);
    let calendar = custos_domain::calendar::Calendar::new(custos_domain::Nation::EnglandWales);
    let mut new = new_case(CaseKind::SubjectAccess, t0 + 30 * DAY);
    new.sighting = Some(Sighting {
        at_unix_ms: t0 - 5 * DAY,
        place: "the main gate".to_owned(),
    });
    let c = store.open_case(&console(), &new).await.expect("open");
    assert!(c.footage.is_empty() && c.holds.is_empty(), "{c:?}");
    assert_eq!(
        c.footage_absent,
        Some(FootageAbsence::PastRetention { kept_days: 21 })
    );
    let opened = entries_about_ref(&store, &format!("case:{}", c.reference)).await;
    assert!(
        opened[0]
            .body
            .contains("\"footage_absent\":\"past-retention\"")
            && opened[0].body.contains("\"footage_kept_days\":21"),
        "{}",
        opened[0].body
    );
    let letter = store
        .compose_letter(&c.reference, LetterKind::Acknowledgement, &calendar)
        .await
        .expect("letter")
        .plain_text();
    assert!(letter.contains("no longer exists"), "{letter}");

    // Within the 21 days, nothing recorded: said as such.
    new.sighting = Some(Sighting {
        at_unix_ms: t0 + 29 * DAY,
        place: "the main gate".to_owned(),
    });
    let c = store.open_case(&console(), &new).await.expect("open");
    assert!(c.footage.is_empty() && c.holds.is_empty(), "{c:?}");
    assert_eq!(c.footage_absent, Some(FootageAbsence::NoneRecorded));

    // Footage held past the 21 days (a hold keeps the minute at t0+10min) still exists:
    // it is linked and held, and its hold shows as released once the case is answered.
    let cam = custos_domain::Ident::parse("front-gate").expect("id");
    store
        .place_hold(
            &console(),
            &custos_domain::retention::HoldRequest {
                cameras: vec![cam],
                from_unix_ms: t0,
                to_unix_ms: t0 + 3_600_000,
                class: custos_domain::Ident::parse("investigation-hold").expect("class"),
                reason: "an incident at the gate".to_owned(),
                owner: "manager".to_owned(),
                until_unix_ms: None,
                case_ref: None,
            },
        )
        .await
        .expect("hold");
    store.sweep(footage.path()).await.expect("sweep");
    new.sighting = Some(Sighting {
        at_unix_ms: t0 + 30 * 60_000,
        place: "the main gate".to_owned(),
    });
    let c = store.open_case(&console(), &new).await.expect("open");
    assert_eq!(c.footage_absent, None);
    assert_eq!(c.footage.len(), 1, "{c:?}");
    assert!(
        matches!(c.footage[0].hold_state, Some(HoldState::Keeping { .. })),
        "{c:?}"
    );
    for action in [
        Action::Start,
        Action::Decide(Decision::ViewOnly),
        Action::Close,
    ] {
        store
            .act_on_case(&console(), &c.reference, action, &Step::default())
            .await
            .expect("step");
    }
    let closed = store
        .case(&c.reference)
        .await
        .expect("case")
        .expect("exists");
    assert!(
        matches!(
            closed.footage[0].hold_state,
            Some(HoldState::Released { .. })
        ),
        "{closed:?}"
    );
}

/// LBU-18: a request from the public form carries a key; sent again with it — one after
/// the other, or several at once — it is filed once, with one `case-opened` entry; the key
/// finds the request (for its acknowledgement), and tells a resend from changed words.
async fn lbu_18_a_public_request_sent_twice_with_its_key_is_filed_once(db: &TestDb) {
    use custos_domain::case::CaseKind;
    use custos_store::cases::{KeyUse, PUBLIC_CHANNEL, RequestKey};
    let (store, clock, _footage) = retention_scheme(db).await;
    let t0 = custos_base::Clock::now(&clock).0;
    let actor = Actor::System("public-form".to_owned());
    let mut new = new_case(CaseKind::SubjectAccess, t0);
    new.channel = PUBLIC_CHANNEL.to_owned();
    let key = RequestKey::generate().expect("key");
    assert!(RequestKey::parse(key.as_str()).is_some());
    assert!(RequestKey::parse("not a key").is_none());
    assert_eq!(
        store.request_by_key(&key, &new).await.expect("lookup"),
        KeyUse::Unused
    );
    let (first, filed) = store
        .open_case_once(&actor, &new, &key)
        .await
        .expect("open");
    assert!(filed);
    let (again, filed) = store
        .open_case_once(&actor, &new, &key)
        .await
        .expect("open");
    assert!(!filed);
    assert_eq!(again.reference, first.reference);
    assert!(matches!(
        store.request_by_key(&key, &new).await.expect("lookup"),
        KeyUse::Same(c) if c.reference == first.reference
    ));
    let mut changed = new.clone();
    changed.details = "Red coat, not blue".to_owned();
    assert_eq!(
        store.request_by_key(&key, &changed).await.expect("lookup"),
        KeyUse::Different
    );
    assert_eq!(
        store
            .case_by_request_key(&key)
            .await
            .expect("lookup")
            .map(|c| c.reference),
        Some(first.reference.clone())
    );

    // Sent several times at once: one filed, the others given it.
    let key = RequestKey::generate().expect("key");
    let mut tries = Vec::new();
    for _ in 0..4 {
        let (store, actor, new, key) = (store.clone(), actor.clone(), new.clone(), key.clone());
        tries.push(tokio::spawn(async move {
            store
                .open_case_once(&actor, &new, &key)
                .await
                .expect("open")
        }));
    }
    let mut references = std::collections::BTreeSet::new();
    let mut filed = 0;
    for t in tries {
        let (c, now) = t.await.expect("task");
        references.insert(c.reference);
        filed += usize::from(now);
    }
    assert_eq!(filed, 1);
    assert_eq!(references.len(), 1, "{references:?}");
    let opened = store
        .ledger_entries(&LedgerQuery::default())
        .await
        .expect("entries")
        .into_iter()
        .filter(|e| e.kind == "case-opened")
        .count();
    assert_eq!(opened, 2);
}

/// BDC-30, ALT-8: accepting an erasure request erases the footage it names through the
/// retention API (files gone, `footage-erased` entries in book `retention`), except footage
/// another hold keeps, which stays and is said in words for the response; without the
/// footage folder, or with no footage named, acceptance is refused and nothing changes.
async fn bdc_30_an_accepted_erasure_erases_the_footage_except_what_a_hold_keeps(db: &TestDb) {
    use custos_domain::case::{Action, CaseKind, Decision};
    use custos_domain::retention::HoldRequest;
    use custos_store::cases::{Sighting, Step};
    let (store, clock, footage) = retention_scheme(db).await;
    let t0 = custos_base::Clock::now(&clock).0;
    let cam = custos_domain::Ident::parse("front-gate").expect("id");
    let first = record_minute(&store, footage.path(), t0).await;
    let second = record_minute(&store, footage.path(), t0 + 20 * 60_000).await;
    let police = store
        .place_hold(
            &console(),
            &HoldRequest {
                cameras: vec![cam.clone()],
                from_unix_ms: t0 + 15 * 60_000,
                to_unix_ms: t0 + 30 * 60_000,
                class: custos_domain::Ident::parse("investigation-hold").expect("class"),
                reason: "Break-in at the gate".to_owned(),
                owner: "head".to_owned(),
                until_unix_ms: Some(t0 + 30 * DAY),
                case_ref: None,
            },
        )
        .await
        .expect("hold");
    let mut era = new_case(CaseKind::Erasure, t0 + 3_600_000);
    era.sighting = Some(Sighting {
        at_unix_ms: t0 + 10 * 60_000,
        place: "front gate".to_owned(),
    });
    let c = store.open_case(&console(), &era).await.expect("open");
    store
        .act_on_case(&console(), &c.reference, Action::Start, &Step::default())
        .await
        .expect("start");
    let accept = Action::Decide(Decision::Accept);
    let err = store
        .act_on_case(&console(), &c.reference, accept, &Step::default())
        .await
        .expect_err("no footage folder");
    assert!(err.to_string().contains("keeps no footage"), "{err}");
    assert!(footage.path().join(&first).exists());
    let c = store
        .act_on_case(
            &console(),
            &c.reference,
            accept,
            &Step {
                footage: Some(footage.path().to_owned()),
                ..Step::default()
            },
        )
        .await
        .expect("accept");
    assert!(!footage.path().join(&first).exists(), "not erased");
    assert!(footage.path().join(&second).exists(), "held footage erased");
    let outcome = c.erasure.expect("outcome");
    assert_eq!(outcome.segments_erased, 1);
    assert_eq!(outcome.kept.len(), 1, "{:?}", outcome.kept);
    assert!(outcome.kept[0].contains(&police.id), "{:?}", outcome.kept);
    let erased = retention_entries(&store, "footage-erased").await;
    assert_eq!(erased.len(), 1);
    assert!(erased[0].body.contains(&c.reference), "{}", erased[0].body);
    // Nothing named: refused.
    let bare = store
        .open_case(&console(), &new_case(CaseKind::Erasure, t0 + 3_600_000))
        .await
        .expect("open");
    store
        .act_on_case(&console(), &bare.reference, Action::Start, &Step::default())
        .await
        .expect("start");
    let err = store
        .act_on_case(
            &console(),
            &bare.reference,
            accept,
            &Step {
                footage: Some(footage.path().to_owned()),
                ..Step::default()
            },
        )
        .await
        .expect_err("nothing named");
    assert!(err.to_string().contains("names no footage"), "{err}");
}

/// BDC-4, BJS-4: a segment's proof of inclusion in its sealed hour is made from the leaves
/// kept with the seal, so held footage exported weeks later still proves, after the
/// unheld minutes of the same hour were deleted; the proof leads to the root in the
/// `hour-sealed` ledger entry.
async fn bdc_4_a_held_segment_keeps_its_proof_after_the_rest_of_its_hour_is_deleted(db: &TestDb) {
    use custos_domain::retention::HoldRequest;
    let (store, clock, footage) = retention_scheme(db).await;
    let t0 = custos_base::Clock::now(&clock).0;
    let hour = t0 - t0.rem_euclid(3_600_000);
    let cam = custos_domain::Ident::parse("front-gate").expect("id");
    for m in [1, 2, 3] {
        record_minute(&store, footage.path(), hour + m * 60_000).await;
    }
    store
        .seal_closed_hours(hour + 3 * 3_600_000, 0)
        .await
        .expect("seal");
    store
        .place_hold(
            &console(),
            &HoldRequest {
                cameras: vec![cam.clone()],
                from_unix_ms: hour + 2 * 60_000,
                to_unix_ms: hour + 2 * 60_000 + 30_000,
                class: custos_domain::Ident::parse("investigation-hold").expect("class"),
                reason: "Break-in at the gate".to_owned(),
                owner: "head".to_owned(),
                until_unix_ms: Some(t0 + 60 * DAY),
                case_ref: None,
            },
        )
        .await
        .expect("hold");
    clock.advance_ms(25 * DAY);
    store.sweep(footage.path()).await.expect("sweep");
    let left = store
        .segments(Some(&cam), Some("main"), hour, hour + 3_600_000)
        .await
        .expect("segments");
    assert_eq!(left.len(), 1, "only the held minute is left");
    let proof = store.seal_proof(&left[0]).await.expect("proof");
    assert_eq!((proof.leaf_index, proof.leaf_count), (1, 3));
    let hex = |h: &str| custos_domain::ledger::Hash::from_hex(h).expect("hex");
    let path: Vec<_> = proof.path.iter().map(|h| hex(h)).collect();
    assert!(custos_domain::seal::verify_inclusion(
        &hex(&proof.root),
        &hex(&left[0].sha256),
        proof.leaf_index,
        proof.leaf_count,
        &path
    ));
    assert_eq!(proof.entry.kind, "hour-sealed");
    assert!(
        proof.entry.body.contains(&proof.root),
        "{}",
        proof.entry.body
    );
}

/// BDC-5, ALT-16: a package made on the web waits on the server a day for its maker to
/// download it, then the sweep deletes it, with an `evidence-copy-deleted` entry naming
/// the files; a younger one stays.
async fn bdc_5_packages_made_on_the_web_are_deleted_from_the_server_after_a_day(db: &TestDb) {
    let (store, clock, footage) = retention_scheme(db).await;
    let exports = footage.path().join("exports");
    let job = exports.join("0123456789abcdef");
    std::fs::create_dir_all(&job).expect("mkdir");
    std::fs::write(job.join("JS-1.tar.age"), b"sealed").expect("write");
    let made = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).expect("ms"))
        .expect("time");
    clock.set(UnixMs(made + 3_600_000));
    let (n, problems) = store.sweep_export_staging(&exports).await.expect("sweep");
    assert_eq!((n, problems.len()), (0, 0));
    assert!(job.exists(), "a younger package stays");
    clock.set(UnixMs(made + 2 * DAY));
    let (n, problems) = store.sweep_export_staging(&exports).await.expect("sweep");
    assert_eq!((n, problems.len()), (1, 0));
    assert!(!job.exists());
    let entries = store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::Download),
            ..LedgerQuery::default()
        })
        .await
        .expect("entries");
    assert!(
        entries
            .iter()
            .any(|e| e.kind == "evidence-copy-deleted" && e.body.contains("JS-1.tar.age")),
        "{entries:?}"
    );
    // No folder at all is nothing to do.
    let (n, _) = store
        .sweep_export_staging(&footage.path().join("none"))
        .await
        .expect("sweep");
    assert_eq!(n, 0);
}

/// A Bassetlaw scheme (its pack names who authorises each disclosure category) with one
/// camera, an operator, a manager and the DPO.
async fn disclosure_scheme(db: &TestDb) -> (Store, SimulatedClock) {
    let clock = SimulatedClock::new(UnixMs(1_793_527_200_000));
    let store = Store::open(&db.location, Arc::new(clock.clone()))
        .await
        .expect("open");
    store.migrate(&console()).await.expect("migrate");
    store
        .load_policy(
            &console(),
            include_str!("../../../policies/bassetlaw-district-council.toml"),
        )
        .await
        .expect("load");
    store.set_master_key(custos_store::secrets::SecretKey::generate().expect("key"));
    let site = custos_domain::Ident::parse("bosmere").expect("site");
    let entrances = custos_domain::Ident::parse("entrances").expect("group");
    store
        .add_camera_group(&console(), &entrances, &site, "Entrances", &[])
        .await
        .expect("group");
    let mut cam = camera_request("front-gate", "rtsp://192.0.2.10/s1");
    cam.draft.purposes =
        vec![custos_domain::Ident::parse("crime-deterrence-detection").expect("p")];
    store.add_camera(&console(), &cam).await.expect("camera");
    for (user, role, scope) in [
        ("op", "operator", "scheme"),
        ("mgr", "manager", "scheme"),
        ("dp", "dpo", "scheme"),
        ("far", "manager", "site:retford"),
    ] {
        store
            .add_user(
                &console(),
                &username(user),
                user,
                "walnut kettle lamp",
                &[assignment(role, scope)],
            )
            .await
            .expect("user");
    }
    (store, clock)
}

fn disclosure_request(
    category: custos_domain::disclosure::Category,
    request_type: custos_domain::disclosure::RequestType,
    at: i64,
) -> custos_store::disclosures::DisclosureRequest {
    custos_store::disclosures::DisclosureRequest {
        category,
        request_type,
        organisation: "Nottinghamshire Police".to_owned(),
        crime_reference: String::new(),
        purpose: "Identify the person who damaged the gate".to_owned(),
        cameras: vec![custos_domain::Ident::parse("front-gate").expect("id")],
        from_unix_ms: at - 3_600_000,
        to_unix_ms: at - 3_000_000,
    }
}

fn disclosure_case(at: i64) -> custos_store::cases::NewCase {
    custos_store::cases::NewCase {
        summary: "Footage of the gate being damaged".to_owned(),
        requester_name: "PC 1234 Sam Officer".to_owned(),
        requester_contact: "sam.officer@police.example".to_owned(),
        details: String::new(),
        ..new_case(custos_domain::case::CaseKind::Disclosure, at)
    }
}

async fn add_doc(
    store: &Store,
    dir: &std::path::Path,
    r: &str,
    kind: custos_domain::disclosure::DocumentKind,
) {
    store
        .add_disclosure_document(
            &console(),
            dir,
            r,
            kind,
            "scan.pdf",
            "application/pdf",
            b"%PDF-1.4 scan",
        )
        .await
        .expect("document");
}

/// LBU-19, LBU-20, LBU-21, BDC-28, BDC-40, SCC-7: a police request opens a disclosure case
/// whose footage is held at once; it cannot be decided to disclose except by authorising
/// it, which needs the force's form, the crime reference, the recipient's acceptance of the
/// release agreement and a person in a role the pack allows; the ledger keeps neither the
/// officer's name nor the purpose; and the case closes only after a release.
async fn lbu_19_a_police_request_is_held_at_once_and_released_only_with_its_form_agreement_and_an_allowed_role(
    db: &TestDb,
) {
    use custos_domain::case::{Action, CaseState, Decision};
    use custos_domain::disclosure::{Category, DocumentKind, RequestType};
    let (store, clock) = disclosure_scheme(db).await;
    let docs = tempfile::tempdir().expect("docs");
    let now = custos_base::Clock::now(&clock).0;
    // The case kind alone is not enough: a disclosure needs its request.
    let plain = store
        .open_case(&console(), &disclosure_case(now))
        .await
        .expect_err("no request");
    assert!(plain.to_string().contains("category"), "{plain}");
    let case = store
        .open_disclosure(
            &console(),
            &disclosure_case(now),
            &disclosure_request(Category::LawEnforcement, RequestType::Primary, now),
        )
        .await
        .expect("opened");
    assert!(case.reference.starts_with("DIS-"), "{}", case.reference);
    assert_eq!(case.holds.len(), 1, "held from receipt (BDC-28, BDC-40)");
    let hold = store
        .hold(&case.holds[0])
        .await
        .expect("hold")
        .expect("some");
    assert_eq!(hold.class, "request-pending");
    let r = case.reference.clone();
    let missing = store
        .disclosure_check(&r, None)
        .await
        .expect("check")
        .expect_err("missing");
    let all = missing.join("\n");
    assert!(all.contains("form certifying the purpose"), "{all}");
    assert!(all.contains("crime reference"), "{all}");
    assert!(all.contains("release agreement"), "{all}");
    // Deciding to disclose goes only through the authorisation.
    store
        .act_on_case(
            &console(),
            &r,
            Action::Start,
            &custos_store::cases::Step::default(),
        )
        .await
        .expect("start");
    let direct = store
        .act_on_case(
            &console(),
            &r,
            Action::Decide(Decision::Disclose),
            &custos_store::cases::Step {
                reasons: "The police asked for it".to_owned(),
                ..Default::default()
            },
        )
        .await
        .expect_err("not this way");
    assert!(direct.to_string().contains("authoris"), "{direct}");
    add_doc(&store, docs.path(), &r, DocumentKind::PoliceRequestForm).await;
    store
        .set_crime_reference(&console(), &r, "CR/0412/26")
        .await
        .expect("crime ref");
    let agreement = store
        .accept_release_agreement(
            &console(),
            &r,
            "PC 1234 Sam Officer",
            "Nottinghamshire Police",
        )
        .await
        .expect("agreement");
    assert!(
        agreement
            .text
            .contains("Identify the person who damaged the gate")
    );
    assert!(
        agreement.text.contains("social media"),
        "{}",
        agreement.text
    );
    // An operator's role may not authorise it; the manager's may.
    let refused = store
        .authorise_disclosure(
            &store.subject_of("op", None).await.expect("subject"),
            &r,
            None,
        )
        .await
        .expect_err("operator");
    assert!(
        refused
            .to_string()
            .contains("none of your roles (Operator) may"),
        "{refused}"
    );
    assert!(refused.to_string().contains("Manager"), "{refused}");
    // A manager's role held on another site does not reach this camera.
    let far = store
        .authorise_disclosure(
            &store.subject_of("far", None).await.expect("subject"),
            &r,
            None,
        )
        .await
        .expect_err("another site");
    assert!(
        far.to_string().contains("only at manager at site:"),
        "{far}"
    );
    let decided = store
        .authorise_disclosure(
            &store.subject_of("mgr", None).await.expect("subject"),
            &r,
            None,
        )
        .await
        .expect("authorised");
    // What was authorised goes to whom it was authorised for.
    let swap = store
        .accept_release_agreement(&console(), &r, "Someone Else", "Another Force")
        .await
        .expect_err("decided");
    assert!(
        swap.to_string().contains("before the request is decided"),
        "{swap}"
    );
    assert_eq!(decided.state, CaseState::Decided);
    let d = store.disclosure(&r).await.expect("read").expect("some");
    let auth = d.authorisation.expect("authorisation");
    assert_eq!(
        (auth.username.as_str(), auth.role.as_str()),
        ("mgr", "manager")
    );
    // Its footage leaves only through the case, never as a plain export naming it.
    let export = store
        .check_export(&custos_store::evidence::ExportRequest {
            exhibit: "SO/1".to_owned(),
            cameras: vec![custos_domain::Ident::parse("front-gate").expect("id")],
            from_unix_ms: now - 3_600_000,
            to_unix_ms: now - 3_000_000,
            requester: "PC 1234".to_owned(),
            authoriser: "mgr".to_owned(),
            recipient: "PC 1234".to_owned(),
            purpose: "Evidence of damage".to_owned(),
            case_ref: Some(r.clone()),
            keep_as: None,
            encrypt: false,
        })
        .await
        .expect_err("through the case");
    assert!(
        export.to_string().contains("disclosure release"),
        "{export}"
    );
    // Closed only after the footage is released.
    let early = store
        .act_on_case(
            &console(),
            &r,
            Action::Close,
            &custos_store::cases::Step::default(),
        )
        .await
        .expect_err("not released");
    assert!(
        early.to_string().contains("nothing has been released"),
        "{early}"
    );
    let entries = entries_about_ref(&store, &format!("case:{r}")).await;
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    for k in [
        "case-opened",
        "case-footage-held",
        "case-document-added",
        "disclosure-crime-reference",
        "disclosure-agreement-accepted",
        "case-decide",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    for e in &entries {
        assert!(!e.body.contains("Sam Officer"), "{}", e.body);
        assert!(!e.body.contains("damaged the gate"), "{}", e.body);
        assert!(!e.body.contains("CR/0412/26"), "{}", e.body);
    }
}

/// LBU-19: a solicitor's request needs a letter of authority signed by the person recorded
/// and evidence of that person's identity, and is authorised by the roles the pack names.
async fn lbu_19_a_solicitor_needs_a_letter_of_authority_and_the_subjects_identity(db: &TestDb) {
    use custos_domain::disclosure::{Category, DocumentKind, RequestType};
    let (store, clock) = disclosure_scheme(db).await;
    let docs = tempfile::tempdir().expect("docs");
    let now = custos_base::Clock::now(&clock).0;
    let mut req = disclosure_request(Category::LegalRepresentative, RequestType::Primary, now);
    req.organisation = "Example & Co Solicitors".to_owned();
    req.purpose = "Civil claim for the client's injury at the gate".to_owned();
    let case = store
        .open_disclosure(&console(), &disclosure_case(now), &req)
        .await
        .expect("opened");
    let r = case.reference;
    store
        .accept_release_agreement(&console(), &r, "A Solicitor", "Example & Co Solicitors")
        .await
        .expect("agreement");
    store
        .act_on_case(
            &console(),
            &r,
            custos_domain::case::Action::Start,
            &custos_store::cases::Step::default(),
        )
        .await
        .expect("start");
    let missing = store
        .authorise_disclosure(
            &store.subject_of("dp", None).await.expect("subject"),
            &r,
            None,
        )
        .await
        .expect_err("docs");
    assert!(
        missing.to_string().contains("letter of authority"),
        "{missing}"
    );
    assert!(
        missing
            .to_string()
            .contains("identity of the person recorded"),
        "{missing}"
    );
    assert!(
        !missing.to_string().contains("crime reference"),
        "{missing}"
    );
    add_doc(&store, docs.path(), &r, DocumentKind::LetterOfAuthority).await;
    let still = store
        .authorise_disclosure(
            &store.subject_of("dp", None).await.expect("subject"),
            &r,
            None,
        )
        .await
        .expect_err("identity");
    assert!(
        !still.to_string().contains("letter of authority"),
        "{still}"
    );
    add_doc(&store, docs.path(), &r, DocumentKind::SubjectIdentity).await;
    // A scheme whose code also wants a court order for solicitors says so in its pack.
    let stricter = include_str!("../../../policies/bassetlaw-district-council.toml").replacen(
        "roles = [\"dpo\", \"manager\"]  # BDC-39: legal representatives",
        "documents = [\"court-order\"]\nroles = [\"dpo\", \"manager\"]  # BDC-39: legal representatives",
        1,
    );
    store
        .load_policy(&console(), &stricter)
        .await
        .expect("stricter pack");
    let order = store
        .authorise_disclosure(
            &store.subject_of("dp", None).await.expect("subject"),
            &r,
            None,
        )
        .await
        .expect_err("court order");
    assert!(
        order.to_string().contains("also requires the court order"),
        "{order}"
    );
    add_doc(&store, docs.path(), &r, DocumentKind::CourtOrder).await;
    store
        .authorise_disclosure(
            &store.subject_of("dp", None).await.expect("subject"),
            &r,
            None,
        )
        .await
        .expect("authorised by the DPO");
    let d = store.disclosure(&r).await.expect("read").expect("some");
    assert_eq!(
        d.authorisation.expect("auth").legal_basis,
        custos_domain::disclosure::LegalBasis::DataSubjectConsent
    );
}

/// BDC-39, BDC-31: the media get footage only through the police and always as a secondary
/// request, which needs a recorded public-interest test and the written agreement of a
/// police Inspector, and their release agreement holds the media's extra undertakings.
async fn bdc_39_the_media_only_through_the_police_as_a_secondary_request_with_an_inspectors_agreement(
    db: &TestDb,
) {
    use custos_domain::disclosure::{Category, DocumentKind, RequestType};
    let (store, clock) = disclosure_scheme(db).await;
    let docs = tempfile::tempdir().expect("docs");
    let now = custos_base::Clock::now(&clock).0;
    let mut req = disclosure_request(Category::Media, RequestType::Primary, now);
    req.organisation = "Worksop Guardian, via Nottinghamshire Police".to_owned();
    req.crime_reference = "CR/0413/26".to_owned();
    let primary = store
        .open_disclosure(&console(), &disclosure_case(now), &req)
        .await
        .expect_err("media primary");
    assert!(
        primary.to_string().contains("always a secondary request"),
        "{primary}"
    );
    req.request_type = RequestType::Secondary;
    let r = store
        .open_disclosure(&console(), &disclosure_case(now), &req)
        .await
        .expect("opened")
        .reference;
    store
        .act_on_case(
            &console(),
            &r,
            custos_domain::case::Action::Start,
            &custos_store::cases::Step::default(),
        )
        .await
        .expect("start");
    add_doc(&store, docs.path(), &r, DocumentKind::PoliceRequestForm).await;
    let agreement = store
        .accept_release_agreement(&console(), &r, "J Editor", "Worksop Guardian")
        .await
        .expect("agreement");
    assert!(
        agreement.text.contains("proof of my editing"),
        "{}",
        agreement.text
    );
    let missing = store
        .authorise_disclosure(
            &store.subject_of("dp", None).await.expect("subject"),
            &r,
            None,
        )
        .await
        .expect_err("secondary");
    assert!(
        missing.to_string().contains("public-interest test"),
        "{missing}"
    );
    assert!(missing.to_string().contains("Inspector"), "{missing}");
    let short = store
        .record_public_interest_test(&console(), &r, "needed")
        .await
        .expect_err("too short");
    assert!(
        short.to_string().contains("public-interest test out"),
        "{short}"
    );
    store
        .record_public_interest_test(
            &console(),
            &r,
            "The police need the public's help to identify a man who assaulted a pensioner; \
             the assault was serious and the man may do it again, which outweighs his privacy.",
        )
        .await
        .expect("test");
    let inspector = store
        .authorise_disclosure(
            &store.subject_of("dp", None).await.expect("subject"),
            &r,
            None,
        )
        .await
        .expect_err("inspector");
    assert!(inspector.to_string().contains("Inspector"), "{inspector}");
    assert!(
        !inspector.to_string().contains("public-interest test"),
        "{inspector}"
    );
    add_doc(&store, docs.path(), &r, DocumentKind::InspectorAgreement).await;
    // The pack lets only the DPO release to the media.
    let manager = store
        .authorise_disclosure(
            &store.subject_of("mgr", None).await.expect("subject"),
            &r,
            None,
        )
        .await
        .expect_err("role");
    assert!(
        manager
            .to_string()
            .contains("none of your roles (Manager) may authorise releases to third parties here: that needs Data Protection Officer"),
        "{manager}"
    );
    store
        .authorise_disclosure(
            &store.subject_of("dp", None).await.expect("subject"),
            &r,
            None,
        )
        .await
        .expect("authorised");
}

/// BDC-17, LBU-19, BDC-14: a request from the National Crime Agency cannot be refused; any
/// other refusal needs its reasons in writing, which the case keeps.
async fn bdc_17_a_national_crime_agency_request_cannot_be_refused_and_other_refusals_need_reasons(
    db: &TestDb,
) {
    use custos_domain::case::{Action, CaseState, Decision};
    use custos_domain::disclosure::{Category, RequestType};
    let (store, clock) = disclosure_scheme(db).await;
    let now = custos_base::Clock::now(&clock).0;
    let mut req = disclosure_request(Category::NationalCrimeAgency, RequestType::Primary, now);
    req.organisation = "National Crime Agency".to_owned();
    let nca = store
        .open_disclosure(&console(), &disclosure_case(now), &req)
        .await
        .expect("opened")
        .reference;
    store
        .act_on_case(
            &console(),
            &nca,
            Action::Start,
            &custos_store::cases::Step::default(),
        )
        .await
        .expect("start");
    let refuse = |reasons: &str| custos_store::cases::Step {
        reasons: reasons.to_owned(),
        ..Default::default()
    };
    let refused = store
        .act_on_case(
            &console(),
            &nca,
            Action::Decide(Decision::Refuse),
            &refuse("We would rather not release this footage"),
        )
        .await
        .expect_err("NCA");
    assert!(
        refused
            .to_string()
            .contains("cannot be refused (Crime and Courts Act"),
        "{refused}"
    );
    assert_eq!(
        store.case(&nca).await.expect("read").expect("some").state,
        CaseState::InProgress
    );
    let police = store
        .open_disclosure(
            &console(),
            &disclosure_case(now),
            &disclosure_request(Category::LawEnforcement, RequestType::Primary, now),
        )
        .await
        .expect("opened")
        .reference;
    store
        .act_on_case(
            &console(),
            &police,
            Action::Start,
            &custos_store::cases::Step::default(),
        )
        .await
        .expect("start");
    let bare = store
        .act_on_case(
            &console(),
            &police,
            Action::Decide(Decision::Refuse),
            &refuse(""),
        )
        .await
        .expect_err("reasons");
    assert!(bare.to_string().contains("reasons"), "{bare}");
    let decided = store
        .act_on_case(
            &console(),
            &police,
            Action::Decide(Decision::Refuse),
            &refuse("The footage asked for was not recorded: the camera faces away from the road"),
        )
        .await
        .expect("refused with reasons");
    assert_eq!(decided.decision.map(|d| d.0), Some(Decision::Refuse));
    // A refused request closes without a release.
    store
        .act_on_case(
            &console(),
            &police,
            Action::Close,
            &custos_store::cases::Step::default(),
        )
        .await
        .expect("closed");
}

/// BDC-32, BDC-5: every physical medium evidence leaves on gets a unique reference, to whom
/// and when it was delivered, and whether it came back or was erased, each ledgered.
async fn bdc_32_physical_media_are_registered_with_unique_references_and_what_became_of_them(
    db: &TestDb,
) {
    use custos_store::disclosures::MediumEvent;
    let (store, clock) = disclosure_scheme(db).await;
    let bad = store
        .issue_medium(&console(), "", None, "", "", "", "")
        .await
        .expect_err("empty");
    assert!(bad.to_string().contains("package"), "{bad}");
    assert!(bad.to_string().contains("name and organisation"), "{bad}");
    let one = store
        .issue_medium(
            &console(),
            "P0123456789abcdef",
            None,
            "Encrypted USB stick, exhibit SO/1",
            "PC 1234 Sam Officer",
            "Nottinghamshire Police",
            "handed over at the front desk",
        )
        .await
        .expect("issued");
    let year = &UnixMs(custos_base::Clock::now(&clock).0).to_uk_local_input()[..4];
    assert_eq!(one.reference, format!("MED-{year}-0001"));
    let two = store
        .issue_medium(
            &console(),
            "P0123456789abcdef",
            None,
            "DVD",
            "PC 99 Lee",
            "BTP",
            "",
        )
        .await
        .expect("issued");
    assert_eq!(two.reference, format!("MED-{year}-0002"));
    clock.advance_ms(DAY);
    let back = store
        .medium_event(
            &console(),
            &one.reference,
            MediumEvent::Returned,
            "returned after trial",
        )
        .await
        .expect("returned");
    assert!(back.returned_at_unix_ms.is_some());
    assert!(back.remarks.contains("front desk") && back.remarks.contains("after trial"));
    let again = store
        .medium_event(&console(), &one.reference, MediumEvent::Returned, "")
        .await
        .expect_err("twice");
    assert!(again.to_string().contains("already"), "{again}");
    store
        .medium_event(&console(), &one.reference, MediumEvent::Erased, "wiped")
        .await
        .expect("erased");
    let register = store.media_register().await.expect("register");
    assert_eq!(register.len(), 2);
    assert!(register[0].erased_at_unix_ms.is_some());
    let entries = store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::Download),
            ..LedgerQuery::default()
        })
        .await
        .expect("entries");
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds.iter().filter(|k| k.starts_with("medium-")).count(),
        4,
        "{kinds:?}"
    );
}

/// BDC-3, ALT-16: every evidence package's footage is held under the pack's class for
/// master copies, and a package made for a subject access or disclosure case also under its
/// class for disclosed copies; a pack naming neither holds nothing of its own accord.
async fn bdc_3_alt_16_packages_keep_their_footage_under_the_packs_master_and_disclosed_copy_classes(
    db: &TestDb,
) {
    use custos_domain::disclosure::{Category, RequestType};
    let (store, clock) = disclosure_scheme(db).await;
    let now = custos_base::Clock::now(&clock).0;
    let r = store
        .open_disclosure(
            &console(),
            &disclosure_case(now),
            &disclosure_request(Category::LawEnforcement, RequestType::Primary, now),
        )
        .await
        .expect("opened")
        .reference;
    let mut req = custos_store::evidence::ExportRequest {
        exhibit: "SO/1".to_owned(),
        cameras: vec![custos_domain::Ident::parse("front-gate").expect("id")],
        from_unix_ms: now - 3_600_000,
        to_unix_ms: now - 3_000_000,
        requester: "PC 1234".to_owned(),
        authoriser: "mgr".to_owned(),
        recipient: "PC 1234".to_owned(),
        purpose: "Evidence of damage".to_owned(),
        case_ref: None,
        keep_as: None,
        encrypt: false,
    };
    let ids = |v: Vec<(custos_domain::Ident, &str)>| {
        v.into_iter()
            .map(|(c, _)| c.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(store.classes_to_keep(&req).await.expect("classes")),
        ["evidence-master-copy"]
    );
    req.case_ref = Some(r);
    // Bassetlaw names no class for disclosed copies: the master copy's is enough.
    assert_eq!(
        ids(store.classes_to_keep(&req).await.expect("classes")),
        ["evidence-master-copy"]
    );
    req.keep_as = Some(custos_domain::Ident::parse("investigation-hold").expect("class"));
    assert_eq!(
        ids(store.classes_to_keep(&req).await.expect("classes")),
        ["investigation-hold", "evidence-master-copy"]
    );
    // The trust's pack keeps copies for subject access and third parties six months.
    store
        .load_policy(
            &console(),
            include_str!("../../../policies/active-learning-trust.toml"),
        )
        .await
        .expect("trust pack");
    req.keep_as = None;
    assert_eq!(
        ids(store.classes_to_keep(&req).await.expect("classes")),
        ["sar-third-party-copy"]
    );
    req.case_ref = None;
    assert!(
        store
            .classes_to_keep(&req)
            .await
            .expect("classes")
            .is_empty()
    );
}

fn download_request(now: i64) -> custos_store::evidence::ExportRequest {
    custos_store::evidence::ExportRequest {
        exhibit: "SO/2".to_owned(),
        cameras: vec![custos_domain::Ident::parse("front-gate").expect("id")],
        from_unix_ms: now - 3_600_000,
        to_unix_ms: now - 3_000_000,
        requester: "PC 1234 Smith".to_owned(),
        authoriser: "typed by the exporter".to_owned(),
        recipient: "Nottinghamshire Police".to_owned(),
        purpose: "Evidence of damage to the gate".to_owned(),
        case_ref: None,
        keep_as: None,
        encrypt: false,
    }
}

/// ALT-8, LBU-19, BDC-1: a download is authorised by the authoriser, in their own name —
/// not by whoever makes it naming them. Someone without the pack's role, or holding it only
/// elsewhere, is refused; the authorisation is ledgered as the authoriser's, with the
/// download's reference, and the download log shows who authorised it, the reason and the
/// requestor. Nobody authorises twice, and nothing is made before it is authorised.
async fn alt_8_a_download_is_authorised_by_its_authoriser_in_their_own_name_where_the_footage_is(
    db: &TestDb,
) {
    use custos_store::downloads::DownloadState;
    let (store, clock) = disclosure_scheme(db).await;
    let now = custos_base::Clock::now(&clock).0;
    let d = store
        .request_download(&console(), &download_request(now))
        .await
        .expect("requested");
    assert_eq!(d.state, DownloadState::Awaiting);
    assert_eq!(d.wanting_words(), "manager");
    let out = tempfile::tempdir().expect("tmp");
    let early = store
        .produce_download(
            &console(),
            out.path(),
            &out.path().join("p"),
            &d.id,
            &|_, _| {},
        )
        .await
        .expect_err("not authorised yet");
    assert!(
        early
            .to_string()
            .contains("waiting for authorisation by manager"),
        "{early}"
    );
    let subject = |u: &'static str| {
        let store = store.clone();
        async move { store.subject_of(u, None).await.expect("subject") }
    };
    let op = store
        .authorise_download(&subject("op").await, &d.id)
        .await
        .expect_err("an operator");
    assert!(matches!(op, custos_store::StoreError::Forbidden(_)), "{op}");
    assert!(op.to_string().contains("that needs Manager"), "{op}");
    let far = store
        .authorise_download(&subject("far").await, &d.id)
        .await
        .expect_err("another site");
    assert!(
        far.to_string().contains("only at manager at site:retford"),
        "{far}"
    );
    let mgr = subject("mgr").await;
    assert_eq!(
        store
            .downloads_to_authorise(&mgr)
            .await
            .expect("list")
            .iter()
            .map(|x| x.id.clone())
            .collect::<Vec<_>>(),
        vec![d.id.clone()],
        "it waits on the manager's Start page"
    );
    let done = store
        .authorise_download(&mgr, &d.id)
        .await
        .expect("manager");
    assert_eq!(done.state, DownloadState::Authorised);
    assert_eq!(done.authorisers(), "mgr (manager)");
    assert!(
        store
            .downloads_to_authorise(&mgr)
            .await
            .expect("list")
            .is_empty()
    );
    let again = store
        .authorise_download(&mgr, &d.id)
        .await
        .expect_err("twice");
    assert!(
        again.to_string().contains("needs no more authorisations"),
        "{again}"
    );
    let entries = store
        .ledger_entries(&custos_store::ledger::LedgerQuery {
            book: Some(custos_domain::ledger::Book::Download),
            ..Default::default()
        })
        .await
        .expect("entries");
    let authorised = entries
        .iter()
        .find(|e| e.kind == "download-authorised")
        .expect("ledgered");
    assert_eq!(authorised.actor, "user:mgr", "the authoriser's own act");
    assert!(authorised.refs.contains(&format!("download:{}", d.id)));
    let log = custos_domain::logbook::table(custos_domain::ledger::Book::Download, &entries);
    assert_eq!(log.rows.len(), 1);
    assert!(log.rows[0][0].starts_with("mgr ("), "{:?}", log.rows[0]);
    assert_eq!(log.rows[0][2], "Evidence of damage to the gate");
    assert_eq!(log.rows[0][3], "PC 1234 Smith");
}

/// LBU-19: where the pack gives an authorisation to two people (`all_of`), the download
/// waits for both; each is ledgered separately, and one person holding a role in each group
/// still counts once.
async fn lbu_19_a_download_the_pack_gives_to_two_people_waits_for_both(db: &TestDb) {
    use custos_store::downloads::DownloadState;
    let (store, clock) = disclosure_scheme(db).await;
    let pack = include_str!("../../../policies/bassetlaw-district-council.toml");
    let old = "[authorise.download]\nroles = [\"manager\"]";
    assert!(pack.contains(old));
    store
        .load_policy(
            &console(),
            &pack.replace(
                old,
                "[authorise.download]\nall_of = [[\"manager\"], [\"dpo\"]]",
            ),
        )
        .await
        .expect("two-person pack");
    let now = custos_base::Clock::now(&clock).0;
    let d = store
        .request_download(&console(), &download_request(now))
        .await
        .expect("requested");
    assert_eq!(d.wanting_words(), "manager, and Data Protection Officer");
    let mgr = store.subject_of("mgr", None).await.expect("subject");
    let half = store.authorise_download(&mgr, &d.id).await.expect("first");
    assert_eq!(half.state, DownloadState::Awaiting);
    assert_eq!(half.wanting_words(), "Data Protection Officer");
    let again = store
        .authorise_download(&mgr, &d.id)
        .await
        .expect_err("the same person");
    assert!(again.to_string().contains("already authorised"), "{again}");
    clock.advance_ms(60_000);
    let dp = store.subject_of("dp", None).await.expect("subject");
    let whole = store.authorise_download(&dp, &d.id).await.expect("second");
    assert_eq!(whole.state, DownloadState::Authorised);
    assert_eq!(whole.authorisers(), "mgr (manager); dp (dpo)");
    let kinds: Vec<(String, String)> = store
        .ledger_entries(&custos_store::ledger::LedgerQuery {
            book: Some(custos_domain::ledger::Book::Download),
            ..Default::default()
        })
        .await
        .expect("entries")
        .into_iter()
        .filter(|e| e.kind == "download-authorised")
        .map(|e| (e.actor, e.kind))
        .collect();
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    assert_eq!(kinds[0].0, "user:mgr");
    assert_eq!(kinds[1].0, "user:dp");
}

/// ALT-14: the trust's copies travel only encrypted, with the password sent separately: a
/// request for a clear package is refused with the reason and how to put it right, and an
/// encrypted one is accepted. The council's pack asks no such thing.
async fn alt_14_a_pack_that_requires_encrypted_copies_refuses_a_clear_one(db: &TestDb) {
    let (store, clock) = disclosure_scheme(db).await;
    let now = custos_base::Clock::now(&clock).0;
    let mut req = download_request(now);
    store
        .request_download(&console(), &req)
        .await
        .expect("the council allows a clear copy");
    store
        .load_policy(
            &console(),
            include_str!("../../../policies/active-learning-trust.toml"),
        )
        .await
        .expect("trust pack");
    let refused = store
        .request_download(&console(), &req)
        .await
        .expect_err("clear");
    assert!(
        refused.to_string().contains("only encrypted") && refused.to_string().contains("--encrypt"),
        "{refused}"
    );
    req.encrypt = true;
    store
        .request_download(&console(), &req)
        .await
        .expect("encrypted");
}

/// Someone must always be able to manage the scheme: its last enabled owner can be neither
/// disabled nor stripped of the role, even from the console; with a second owner, either
/// may go.
async fn the_last_owner_can_be_neither_disabled_nor_stripped_of_the_role(db: &TestDb) {
    let store = db.migrated().await;
    store.load_policy(&console(), TRUST).await.expect("load");
    let (ann, bob) = (username("ann"), username("bob"));
    for u in [&ann, &bob] {
        store
            .add_user(
                &console(),
                u,
                "Owner",
                "walnut kettle lamp",
                &[assignment("owner", "scheme")],
            )
            .await
            .expect("added");
    }
    store
        .set_user_disabled(&console(), &bob, true, "left the trust")
        .await
        .expect("a second owner remains");
    let err = store
        .set_user_disabled(&console(), &ann, true, "left the trust")
        .await
        .expect_err("the last owner");
    assert!(err.to_string().contains("only owner"), "{err}");
    let err = store
        .revoke_role(&console(), &ann, &assignment("owner", "scheme"))
        .await
        .expect_err("the last owner");
    assert!(err.to_string().contains("only owner"), "{err}");
    store
        .set_user_disabled(&console(), &bob, false, "returned")
        .await
        .expect("enable");
    store
        .revoke_role(&console(), &ann, &assignment("owner", "scheme"))
        .await
        .expect("bob still owns it");
}

/// BDC-29, LJM-10: decisions are not silently reversed. Once the response letter stating a
/// decision is issued, changing the decision needs the reason it changed (ledgered with the
/// earlier decision) and the case closes only once a new letter states the decision it
/// closes with; a case decided to disclose a copy cannot close while no copy was made.
async fn bdc_29_a_decision_a_letter_stated_changes_only_with_a_reason_and_a_new_letter(
    db: &TestDb,
) {
    use custos_domain::case::{Action, CaseKind, CaseState, Decision};
    use custos_domain::letter::LetterKind;
    use custos_store::cases::Step;
    let (store, clock, footage) = retention_scheme(db).await;
    let docs = footage.path().join("documents");
    let calendar = custos_domain::calendar::Calendar::new(custos_domain::Nation::EnglandWales);
    let t0 = custos_base::Clock::now(&clock).0;
    let c = store
        .open_case(&console(), &new_case(CaseKind::SubjectAccess, t0))
        .await
        .expect("open");
    let r = c.reference.clone();
    for a in [Action::AwaitIdentity, Action::VerifyIdentity] {
        store
            .act_on_case(&console(), &r, a, &Step::default())
            .await
            .expect("step");
    }
    // Decided to disclose a copy, but no copy made: it cannot close as disclosed.
    store
        .act_on_case(
            &console(),
            &r,
            Action::Decide(Decision::Disclose),
            &Step::default(),
        )
        .await
        .expect("decide");
    let err = store
        .act_on_case(&console(), &r, Action::Close, &Step::default())
        .await
        .expect_err("no copy made");
    assert!(err.to_string().contains("no copy has been made"), "{err}");
    // No letter has gone out yet: the decision changes freely.
    store
        .act_on_case(
            &console(),
            &r,
            Action::Decide(Decision::ViewOnly),
            &Step::default(),
        )
        .await
        .expect("a decision no letter stated yet");
    store
        .issue_letter(&console(), &docs, &r, LetterKind::Response, &calendar)
        .await
        .expect("letter");
    assert_eq!(
        store
            .response_letter_decision(&r)
            .await
            .expect("read")
            .map(|(d, _)| d),
        Some("view-only".to_owned())
    );
    let err = store
        .act_on_case(
            &console(),
            &r,
            Action::Decide(Decision::Refuse),
            &Step {
                reasons: "The footage shows only other people".to_owned(),
                ..Step::default()
            },
        )
        .await
        .expect_err("the letter stated another decision");
    assert!(
        err.to_string().contains("say why the decision changed"),
        "{err}"
    );
    store
        .act_on_case(
            &console(),
            &r,
            Action::Decide(Decision::Refuse),
            &Step {
                reasons: "The footage shows only other people".to_owned(),
                change_reason: Some("On review the requester is not in the footage".to_owned()),
                ..Step::default()
            },
        )
        .await
        .expect("changed with a reason");
    let err = store
        .act_on_case(&console(), &r, Action::Close, &Step::default())
        .await
        .expect_err("the letter says view-only");
    assert!(
        err.to_string().contains("issue a new response letter"),
        "{err}"
    );
    clock.advance_ms(60_000);
    store
        .issue_letter(&console(), &docs, &r, LetterKind::Response, &calendar)
        .await
        .expect("the new letter");
    let c = store
        .act_on_case(&console(), &r, Action::Close, &Step::default())
        .await
        .expect("closes on the letter that states its decision");
    assert_eq!(c.state, CaseState::Closed);
    let changed = store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::Case),
            reference: Some(format!("case:{r}")),
            ..LedgerQuery::default()
        })
        .await
        .expect("entries")
        .into_iter()
        .filter(|e| e.kind == "case-decide" && e.body.contains("changed_from"))
        .collect::<Vec<_>>();
    assert_eq!(changed.len(), 1);
    assert!(
        changed[0].body.contains("view-only")
            && changed[0]
                .body
                .contains("On review the requester is not in the footage"),
        "{}",
        changed[0].body
    );
}

/// BDC-5, BDC-4: footage of the hour still being recorded can leave at once. An interim
/// seal over the hour's segments so far is made on demand and ledgered; each segment then
/// has a proof leading to it; a later segment gets a later interim seal; when the hour is
/// sealed it covers them all, and the interim seal's proof still holds, its entry in the
/// verified ledger.
async fn bdc_5_the_hour_being_recorded_is_sealed_on_demand_and_its_hour_seal_proves_it_too(
    db: &TestDb,
) {
    let (store, clock, footage) = retention_scheme(db).await;
    let t0 = custos_base::Clock::now(&clock).0;
    let hour = t0 - t0.rem_euclid(3_600_000);
    let cam = custos_domain::Ident::parse("front-gate").expect("id");
    for m in [1, 2] {
        record_minute(&store, footage.path(), hour + m * 60_000).await;
    }
    let segs = store
        .segments(Some(&cam), Some("main"), hour, hour + 3_600_000)
        .await
        .expect("segments");
    let err = store
        .seal_proof(&segs[0])
        .await
        .expect_err("not sealed yet");
    assert!(err.to_string().contains("not sealed yet"), "{err}");
    let made = store
        .seal_open_hours(&cam, "main", hour, hour + 3_600_000)
        .await
        .expect("interim");
    assert_eq!(made.len(), 1);
    assert_eq!(made[0].segments, 2);
    assert!(
        store
            .seal_open_hours(&cam, "main", hour, hour + 3_600_000)
            .await
            .expect("again")
            .is_empty(),
        "nothing new to seal"
    );
    let hex = |h: &str| custos_domain::ledger::Hash::from_hex(h).expect("hex");
    let proves = |p: &custos_store::evidence::SealProof,
                  seg: &custos_store::recordings::Segment| {
        let path: Vec<_> = p.path.iter().map(|h| hex(h)).collect();
        custos_domain::seal::verify_inclusion(
            &hex(&p.root),
            &hex(&seg.sha256),
            p.leaf_index,
            p.leaf_count,
            &path,
        ) && p.entry.body.contains(&p.root)
    };
    let interim = store.seal_proof(&segs[1]).await.expect("proof");
    assert_eq!(interim.entry.kind, "hour-sealed-interim");
    assert_eq!((interim.leaf_index, interim.leaf_count), (1, 2));
    assert!(proves(&interim, &segs[1]));

    // Another minute, another interim seal covering all three.
    record_minute(&store, footage.path(), hour + 3 * 60_000).await;
    let made = store
        .seal_open_hours(&cam, "main", hour, hour + 3_600_000)
        .await
        .expect("interim");
    assert_eq!(made[0].segments, 3);
    let segs = store
        .segments(Some(&cam), Some("main"), hour, hour + 3_600_000)
        .await
        .expect("segments");
    let later = store.seal_proof(&segs[2]).await.expect("proof");
    assert_eq!(later.leaf_count, 3);

    // The hour's own seal covers them all; the first interim proof still holds.
    clock.advance_ms(2 * 3_600_000);
    let sealed = store
        .seal_closed_hours(custos_base::Clock::now(&clock).0, 0)
        .await
        .expect("seal");
    assert_eq!(sealed.len(), 1);
    assert_eq!(sealed[0].segments, 3);
    let fin = store.seal_proof(&segs[1]).await.expect("proof");
    assert_eq!(fin.entry.kind, "hour-sealed");
    assert!(proves(&fin, &segs[1]));
    let entry = store.ledger_entry(interim.entry.seq).await.expect("entry");
    assert_eq!(
        entry, interim.entry,
        "the interim seal's entry stays as it was"
    );
    assert!(proves(&interim, &segs[1]));
    store
        .verify_ledger(test_key().verifying_key(), 1, &[], |_| {})
        .await
        .expect("verification runs")
        .expect("the ledger is intact");
}

/// ALT-8: a download waiting for authorisation is e-mailed only to those who could give it
/// and have an address: not an operator, not a manager of another site. An address that is
/// not one is refused, and the ledger records that an address was set, never the address.
async fn alt_8_only_those_who_could_authorise_a_waiting_download_are_told_by_email(db: &TestDb) {
    let (store, clock) = disclosure_scheme(db).await;
    let now = custos_base::Clock::now(&clock).0;
    let d = store
        .request_download(&console(), &download_request(now))
        .await
        .expect("requested");
    let err = store
        .set_user_email(&console(), &username("mgr"), Some("not an address"))
        .await
        .expect_err("not an address");
    assert!(
        err.to_string().contains("is not an e-mail address"),
        "{err}"
    );
    for (u, a) in [
        ("mgr", "manager@council.example"),
        ("op", "operator@council.example"),
        ("far", "retford@council.example"),
    ] {
        store
            .set_user_email(&console(), &username(u), Some(a))
            .await
            .expect("address");
    }
    assert_eq!(
        store.authorisers_to_tell(&d.id).await.expect("who"),
        vec![("mgr".to_owned(), "manager@council.example".to_owned())]
    );
    store
        .record_authoriser_told(&d.id, "mgr")
        .await
        .expect("told");
    let config = entries_about(&store, "mgr").await;
    let set = config
        .iter()
        .find(|e| e.kind == "user-email-set")
        .expect("ledgered");
    assert!(!set.body.contains("council.example"), "{}", set.body);
    store
        .set_user_email(&console(), &username("mgr"), None)
        .await
        .expect("removed");
    assert!(
        store
            .authorisers_to_tell(&d.id)
            .await
            .expect("who")
            .is_empty()
    );
}

/// The Start page's figures: cameras with footage in each hour (by the segment index) and
/// on each day (by the day keys), each camera's newest footage, the requests received in a
/// period with their clocks' pauses, and the holds about to end.
async fn the_start_pages_figures_count_cameras_per_hour_and_day_and_read_requests_and_holds(
    db: &TestDb,
) {
    use custos_store::recordings::{FragmentIndex, HOUR_MS, InitSegment, Segment};
    const DAY: i64 = 86_400_000;
    // 2026-11-23 12:00 UTC (and UK time).
    let noon = 1_795_435_200_000;
    let clock = SimulatedClock::new(UnixMs(noon));
    let store = Store::open(&db.location, Arc::new(clock.clone()))
        .await
        .expect("open");
    store.migrate(&console()).await.expect("migrate");
    store.load_policy(&console(), SCHOOL).await.expect("load");
    store.set_master_key(custos_store::secrets::SecretKey::generate().expect("key"));
    let site = custos_domain::Ident::parse("bosmere").expect("site");
    let entrances = custos_domain::Ident::parse("entrances").expect("group");
    store
        .add_camera_group(&console(), &entrances, &site, "Entrances", &[])
        .await
        .expect("group");
    let mut cams = Vec::new();
    for (id, url) in [
        ("front-gate", "rtsp://192.0.2.10/s1"),
        ("car-park", "rtsp://192.0.2.11/s1"),
    ] {
        cams.push(
            store
                .add_camera(&console(), &camera_request(id, url))
                .await
                .expect("camera")
                .id,
        );
    }
    assert!(
        store
            .newest_footage()
            .await
            .expect("newest")
            .iter()
            .all(|(_, t)| t.is_none())
    );
    store.data_key(&cams[0], "2026-11-20").await.expect("key");
    for (cam, starts) in [
        (
            &cams[0],
            vec![
                noon - 2 * HOUR_MS + 300_000,
                noon - HOUR_MS + 600_000,
                noon - HOUR_MS + 1_800_000,
            ],
        ),
        (&cams[1], vec![noon - HOUR_MS + 2_400_000]),
    ] {
        store.data_key(cam, "2026-11-23").await.expect("key");
        let init = format!("{cam}-init");
        store
            .add_init_segment(&InitSegment {
                id: init.clone(),
                camera: cam.clone(),
                stream: "main".to_owned(),
                codec: "avc1.42c01f".to_owned(),
                width: 640,
                height: 360,
                path: format!("{cam}/2026-11-23/init.cinit"),
                day: "2026-11-23".to_owned(),
                sha256: "aa".repeat(32),
            })
            .await
            .expect("init");
        for start in starts {
            store
                .add_segment(&Segment {
                    path: format!("{cam}/2026-11-23/{start}.cseg"),
                    camera: cam.clone(),
                    stream: "main".to_owned(),
                    init_id: init.clone(),
                    day: "2026-11-23".to_owned(),
                    start_unix_ms: start,
                    end_unix_ms: start + 60_000,
                    frames: 1500,
                    bytes: 1000,
                    sha256: "bb".repeat(32),
                    fragments: vec![FragmentIndex {
                        offset: 0,
                        len: 1000,
                        start_unix_ms: start,
                        frames: 1500,
                        decode_base_90k: 0,
                        decode_duration_90k: 5_400_000,
                    }],
                    recovered: false,
                })
                .await
                .expect("segment");
        }
    }
    assert_eq!(
        store
            .cameras_recorded_per_hour(noon - 3 * HOUR_MS, 4)
            .await
            .expect("hours"),
        vec![0, 1, 2, 0]
    );
    assert_eq!(
        store
            .cameras_recorded_per_day("2026-11-19", "2026-11-23")
            .await
            .expect("days"),
        vec![("2026-11-20".to_owned(), 1), ("2026-11-23".to_owned(), 2)]
    );
    assert_eq!(
        store
            .cameras_recorded_per_day("2026-11-21", "2026-11-22")
            .await
            .expect("days"),
        Vec::new()
    );
    let newest = store.newest_footage().await.expect("newest");
    assert_eq!(
        newest,
        vec![
            (cams[1].clone(), Some(noon - HOUR_MS + 2_460_000)),
            (cams[0].clone(), Some(noon - HOUR_MS + 1_860_000)),
        ]
    );

    let old = store
        .open_case(
            &console(),
            &new_case(
                custos_domain::case::CaseKind::SubjectAccess,
                noon - 40 * DAY,
            ),
        )
        .await
        .expect("case");
    let timings = store.case_timings(noon - 50 * DAY).await.expect("timings");
    assert_eq!(timings.len(), 1);
    assert_eq!(timings[0].reference, old.reference);
    assert_eq!(timings[0].received_at_unix_ms, noon - 40 * DAY);
    assert_eq!(timings[0].state, custos_domain::case::CaseState::Received);
    assert!(!timings[0].extended && timings[0].pauses.is_empty());
    assert!(
        store
            .case_timings(noon - 30 * DAY)
            .await
            .expect("timings")
            .is_empty()
    );

    let hold = store
        .place_hold(
            &console(),
            &custos_domain::retention::HoldRequest {
                cameras: vec![cams[0].clone()],
                from_unix_ms: noon - 2 * HOUR_MS,
                to_unix_ms: noon - HOUR_MS,
                class: custos_domain::Ident::parse("investigation-hold").expect("class"),
                reason: "Damage to the gate".to_owned(),
                owner: "head".to_owned(),
                until_unix_ms: Some(noon + 3 * DAY),
                case_ref: None,
            },
        )
        .await
        .expect("hold");
    let ending = store
        .holds_ending_before(noon + 7 * DAY)
        .await
        .expect("holds");
    assert_eq!(ending.iter().map(|h| &h.id).collect::<Vec<_>>(), [&hold.id]);
    assert!(
        store
            .holds_ending_before(noon + DAY)
            .await
            .expect("holds")
            .is_empty()
    );
}

/// A council scheme for covert authorisations: the disclosure fixture's pack, camera and
/// people, with a team member and a Head of Service (a role of the pack's
/// `[authorise.covert_recording]`).
async fn covert_scheme(db: &TestDb) -> (Store, SimulatedClock) {
    let (store, clock) = disclosure_scheme(db).await;
    for (user, role) in [("teamie", "operator"), ("hos", "head-of-service")] {
        store
            .add_user(
                &console(),
                &username(user),
                user,
                "walnut kettle lamp",
                &[assignment(role, "scheme")],
            )
            .await
            .expect("user");
    }
    (store, clock)
}

fn uk_day_of(ms: i64) -> jiff::civil::Date {
    custos_domain::calendar::uk_day(UnixMs(ms).to_timestamp().expect("time")).expect("day")
}

fn covert_draft(
    body: custos_domain::covert::BodyKind,
    granted_at: i64,
) -> custos_store::covert::NewCovert {
    use custos_domain::covert::{BodyKind, CrimeThreshold, Draft, Ground, Route, SurveillanceType};
    let police = body == BodyKind::Police;
    custos_store::covert::NewCovert {
        draft: Draft {
            surveillance: SurveillanceType::Directed,
            body,
            organisation: match body {
                BodyKind::Police => "Nottinghamshire Police".to_owned(),
                BodyKind::LocalAuthority => "Bassetlaw District Council".to_owned(),
                BodyKind::Scheme => String::new(),
            },
            urn: police.then(|| "NP/CAB/2026/0142".to_owned()),
            route: Route::Written,
            grounds: if body == BodyKind::Scheme {
                Vec::new()
            } else {
                vec![Ground::CrimeOrDisorder]
            },
            crime_threshold: (body == BodyKind::LocalAuthority)
                .then_some(CrimeThreshold::SixMonthsImprisonment),
            rationale: "Repeated thefts from the depot yard at night; overt cameras were avoided"
                .to_owned(),
            until_unix_ms: (body == BodyKind::Scheme).then_some(granted_at + 20 * 86_400_000),
            authorised_by: if body == BodyKind::Scheme {
                String::new()
            } else {
                "Supt A. Example".to_owned()
            },
            cameras: vec![custos_domain::Ident::parse("front-gate").expect("camera")],
            team: vec!["teamie".to_owned()],
            granted_at_unix_ms: granted_at,
            first_review_on: Some(uk_day_of(granted_at + 7 * 86_400_000)),
        },
        areas: "The depot yard behind the gate".to_owned(),
        summary: "Thefts from the depot yard".to_owned(),
    }
}

fn covert_review(from: i64, to: i64) -> custos_store::reviews::ReviewRequest {
    custos_store::reviews::ReviewRequest {
        from_unix_ms: from,
        to_unix_ms: to,
        purpose: custos_domain::Ident::parse("crime-deterrence-detection").expect("purpose"),
        reason: "Checking the gate after a report".to_owned(),
        case_ref: None,
        persons_present: Vec::new(),
    }
}

/// BDC-16: a council's authorisation is recorded granted but not in force; it takes effect
/// when a justice of the peace's approval is recorded (ledgered, with its RIPA hold on the
/// footage); from then its camera's footage opens for review only to its team and the
/// pack's covert-recording roles, and everyone else is refused in words that name neither
/// the authorisation nor its team or place. Footage from before it took effect is not
/// restricted, and the case engine's generic steps cannot move it.
async fn bdc_16_a_council_authorisation_is_in_force_from_its_approval_and_its_footage_opens_only_to_its_team(
    db: &TestDb,
) {
    use custos_domain::case::{Action, CaseKind, CaseState};
    use custos_domain::covert::{BodyKind, CovertStatus};
    use custos_store::covert::CovertStep;
    let (store, clock) = covert_scheme(db).await;
    let start = clock.now().0;
    let recorder = store.subject_of("mgr", None).await.expect("subject");
    let case = store
        .open_covert(
            &console(),
            &recorder,
            &covert_draft(BodyKind::LocalAuthority, start - 3_600_000),
        )
        .await
        .expect("open");
    assert!(case.reference.starts_with("COV-"), "{}", case.reference);
    assert_eq!(case.kind, CaseKind::Covert);
    assert_eq!(case.state, CaseState::Received);
    assert_eq!(case.covert, Some(CovertStatus::AwaitingApproval));
    assert!(case.holds.is_empty(), "nothing held before it is in force");
    let camera = store
        .camera(&custos_domain::Ident::parse("front-gate").expect("id"))
        .await
        .expect("camera")
        .expect("exists");
    // Not in force: anyone who may review still may.
    store
        .open_review(
            &Actor::User("op".into()),
            "op",
            "s-op",
            &camera,
            &covert_review(start - 1_800_000, start - 600_000),
        )
        .await
        .expect("not restricted before approval");
    let err = store
        .act_on_case(
            &console(),
            &case.reference,
            Action::Cancel,
            &custos_store::cases::Step::default(),
        )
        .await
        .expect_err("covert steps go through covert_step");
    assert!(err.to_string().contains("covert"), "{err}");
    clock.advance_ms(60_000);
    let approved_at = clock.now().0;
    let case = store
        .covert_step(
            &console(),
            &case.reference,
            &CovertStep::ApproveJudicially {
                approved_at_unix_ms: approved_at,
            },
        )
        .await
        .expect("approve");
    assert_eq!(case.state, CaseState::InProgress);
    assert!(
        matches!(case.covert, Some(CovertStatus::InForce { .. })),
        "{:?}",
        case.covert
    );
    assert_eq!(
        case.holds.len(),
        1,
        "its footage is held under the RIPA class"
    );
    let hold = store
        .hold(&case.holds[0])
        .await
        .expect("hold")
        .expect("exists");
    assert_eq!(hold.class, "ripa-material");
    assert_eq!(hold.from_unix_ms, approved_at);
    let entries = store
        .ledger_entries(&LedgerQuery {
            reference: Some(format!("case:{}", case.reference)),
            ..Default::default()
        })
        .await
        .expect("entries");
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    assert!(kinds.contains(&"case-opened"), "{kinds:?}");
    assert!(kinds.contains(&"case-approve-judicially"), "{kinds:?}");
    for e in &entries {
        let body = e.body.to_string();
        for secret in ["depot", "teamie", "Thefts", "Supt"] {
            assert!(!body.contains(secret), "{secret} in {body}");
        }
    }
    // In force: the team and the pack's covert roles review; anyone else is refused.
    let window = covert_review(approved_at + 1_000, approved_at + 600_000);
    let err = store
        .open_review(&Actor::User("op".into()), "op", "s-op", &camera, &window)
        .await
        .expect_err("not in the team");
    assert!(matches!(err, StoreError::Forbidden(_)), "{err:?}");
    let words = err.to_string();
    assert!(words.contains("restricted"), "{words}");
    for secret in [case.reference.as_str(), "teamie", "depot", "Thefts"] {
        assert!(!words.contains(secret), "{secret} in {words}");
    }
    for who in ["teamie", "hos"] {
        store
            .open_review(&Actor::User(who.into()), who, "s", &camera, &window)
            .await
            .unwrap_or_else(|e| panic!("{who} may review: {e}"));
    }
    // A copy shows the footage as a review does: only the team asks for a download of it,
    // and nobody else makes a package of it.
    let mut copy = download_request(approved_at);
    copy.from_unix_ms = approved_at + 1_000;
    copy.to_unix_ms = approved_at + 600_000;
    let err = store
        .request_download(&Actor::User("op".into()), &copy)
        .await
        .expect_err("not in the team");
    assert!(matches!(err, StoreError::Forbidden(_)), "{err:?}");
    assert!(err.to_string().contains("a copy of this footage"), "{err}");
    let asked = store
        .request_download(&Actor::User("teamie".into()), &copy)
        .await
        .expect("the team asks for a copy");
    assert_eq!(asked.request.cameras, copy.cameras);
    let mgr = store.subject_of("mgr", None).await.expect("subject");
    store
        .authorise_download(&mgr, &asked.id)
        .await
        .expect("authorised");
    let out = tempfile::tempdir().expect("out");
    let err = store
        .produce_download(
            &Actor::User("op".into()),
            out.path(),
            &out.path().join("package"),
            &asked.id,
            &|_, _| {},
        )
        .await
        .expect_err("no package for someone outside the team");
    assert!(matches!(err, StoreError::Forbidden(_)), "{err:?}");
    assert!(!out.path().join("package").exists());
    // Footage from before it took effect stays open to the operator.
    store
        .open_review(
            &Actor::User("op".into()),
            "op",
            "s-op",
            &camera,
            &covert_review(start - 1_800_000, start - 600_000),
        )
        .await
        .expect("footage before it took effect");
    let c = store
        .covert(&case.reference)
        .await
        .expect("covert")
        .expect("exists");
    assert_eq!(c.record.jp_approved_at_unix_ms, Some(approved_at));
    assert_eq!(c.areas, "The depot yard behind the gate");
}

/// BDC-16: a review is ledgered with its next date; an authorisation past its expiry with
/// neither a renewal nor a cancellation is an alarm; its cancellation is ledgered (without
/// its reason), tells each member of its team, ends the alarm, and keeps its footage held
/// over what it covered; the record is kept three years after it ended.
async fn bdc_16_a_cancellation_is_ledgered_tells_the_team_and_an_unresolved_expiry_raises_the_alarm(
    db: &TestDb,
) {
    use custos_domain::case::CaseState;
    use custos_domain::covert::{BodyKind, CovertStatus};
    use custos_store::covert::CovertStep;
    let (store, clock) = covert_scheme(db).await;
    let start = clock.now().0;
    let recorder = store.subject_of("mgr", None).await.expect("subject");
    let case = store
        .open_covert(
            &console(),
            &recorder,
            &covert_draft(BodyKind::Police, start),
        )
        .await
        .expect("open");
    assert_eq!(
        case.state,
        CaseState::InProgress,
        "police: in force at once"
    );
    assert_eq!(case.holds.len(), 1);
    let err = store
        .covert_step(
            &console(),
            &case.reference,
            &CovertStep::Review {
                findings: "x".to_owned(),
                next_review_on: uk_day_of(start + 14 * 86_400_000),
            },
        )
        .await
        .expect_err("a review says what it found");
    assert!(err.to_string().contains("say why"), "{err}");
    store
        .covert_step(
            &console(),
            &case.reference,
            &CovertStep::Review {
                findings: "Still necessary: two further thefts this week".to_owned(),
                next_review_on: uk_day_of(start + 14 * 86_400_000),
            },
        )
        .await
        .expect("review");
    assert!(store.covert_alarms().await.expect("alarms").is_empty());
    // Four months on, neither renewed nor cancelled: the alarm.
    clock.advance_ms(120 * 86_400_000);
    let alarms = store.covert_alarms().await.expect("alarms");
    assert_eq!(alarms.len(), 1);
    assert_eq!(alarms[0].reference, case.reference);
    let expired = store
        .case(&case.reference)
        .await
        .expect("case")
        .expect("case");
    assert!(matches!(
        expired.covert,
        Some(CovertStatus::ExpiredUnresolved { .. })
    ));
    let err = store
        .covert_step(
            &console(),
            &case.reference,
            &CovertStep::Renew {
                granted_at_unix_ms: None,
                jp_approved_at_unix_ms: None,
                until_unix_ms: None,
                reasons: "Still needed".to_owned(),
                next_review_on: None,
            },
        )
        .await
        .expect_err("an expired authorisation cannot be renewed");
    assert!(err.to_string().contains("expired"), "{err}");
    let closed = store
        .covert_step(
            &console(),
            &case.reference,
            &CovertStep::Cancel {
                reason: "Investigation ended with an arrest".to_owned(),
            },
        )
        .await
        .expect("cancel");
    assert_eq!(closed.state, CaseState::Closed);
    assert!(matches!(closed.covert, Some(CovertStatus::Ended { .. })));
    assert!(store.covert_alarms().await.expect("alarms").is_empty());
    let notices = store
        .covert_notices_for("teamie", start)
        .await
        .expect("notices");
    assert_eq!(notices.len(), 1);
    assert!(notices[0].message.contains(&case.reference));
    assert!(
        store
            .covert_notices_for("op", start)
            .await
            .expect("notices")
            .is_empty()
    );
    let entries = store
        .ledger_entries(&LedgerQuery {
            reference: Some(format!("case:{}", case.reference)),
            ..Default::default()
        })
        .await
        .expect("entries");
    let cancel = entries
        .iter()
        .find(|e| e.kind == "case-cancel")
        .expect("case-cancel entry");
    assert!(cancel.body.contains("\"team_told\":1"), "{}", cancel.body);
    assert!(cancel.body.contains("reason_sha256"), "{}", cancel.body);
    assert!(!cancel.body.to_string().contains("arrest"));
    assert!(entries.iter().any(|e| e.kind == "case-review"));
    // The hold placed as it took effect gives way to one over what it covered.
    let mut active = Vec::new();
    for id in &closed.holds {
        let h = store.hold(id).await.expect("hold").expect("exists");
        if h.active(clock.now().0) {
            active.push(h);
        }
    }
    assert_eq!(active.len(), 1, "{:?}", closed.holds);
    assert_eq!(active[0].from_unix_ms, start);
    let c = store
        .covert(&case.reference)
        .await
        .expect("covert")
        .expect("exists");
    let ended = c.status.ended_at_unix_ms().expect("ended");
    assert_eq!(
        c.record_kept_until_unix_ms(),
        Some(custos_domain::covert::record_kept_until(ended))
    );
    assert!(c.record_kept_until_unix_ms().expect("kept") > ended + 3 * 365 * 86_400_000);
}

/// LJM-4, LBU-11: the scheme's own covert recording is recorded only by someone acting in
/// a role of the pack's `[authorise.covert_recording]`, on a written rationale with a time
/// limit; it is in force at once and holds nothing under the RIPA class; a covert human
/// intelligence source is refused with the reason.
async fn ljm_4_the_schemes_own_covert_recording_is_recorded_only_by_a_role_the_pack_names(
    db: &TestDb,
) {
    use custos_domain::case::CaseState;
    use custos_domain::covert::{BodyKind, SurveillanceType};
    let (store, clock) = covert_scheme(db).await;
    let now = clock.now().0;
    let manager = store.subject_of("mgr", None).await.expect("subject");
    let err = store
        .open_covert(
            &Actor::User("mgr".into()),
            &manager,
            &covert_draft(BodyKind::Scheme, now),
        )
        .await
        .expect_err("a manager is not named by the pack");
    assert!(matches!(err, StoreError::Forbidden(_)), "{err:?}");
    let hos = store.subject_of("hos", None).await.expect("subject");
    let mut short = covert_draft(BodyKind::Scheme, now);
    short.draft.rationale = "thefts".to_owned();
    let err = store
        .open_covert(&Actor::User("hos".into()), &hos, &short)
        .await
        .expect_err("no rationale");
    assert!(err.to_string().contains("rationale"), "{err}");
    let mut chis = covert_draft(BodyKind::Police, now);
    chis.draft.surveillance = SurveillanceType::Chis;
    let err = store
        .open_covert(&console(), &manager, &chis)
        .await
        .expect_err("CHIS refused");
    assert!(
        err.to_string().contains("human intelligence source"),
        "{err}"
    );
    let case = store
        .open_covert(
            &Actor::User("hos".into()),
            &hos,
            &covert_draft(BodyKind::Scheme, now),
        )
        .await
        .expect("open");
    assert_eq!(case.state, CaseState::InProgress);
    assert!(case.holds.is_empty(), "outside RIPA: normal retention");
    let c = store
        .covert(&case.reference)
        .await
        .expect("covert")
        .expect("exists");
    assert_eq!(c.authorised_role.as_deref(), Some("head-of-service"));
    assert!(c.record.authorisation.authorised_by().contains("hos"));
}

fn police_request(
    rank: custos_domain::police_control::PoliceRank,
    control: custos_domain::police_control::ControlType,
    at: i64,
) -> custos_store::police_control::NewPoliceControl {
    use custos_domain::police_control::{Draft, Officer};
    custos_store::police_control::NewPoliceControl {
        draft: Draft {
            officer: Officer {
                name: "Jane Doe".to_owned(),
                rank,
                number: "4821".to_owned(),
                force: "Nottinghamshire Police".to_owned(),
            },
            control,
            cameras: vec![custos_domain::Ident::parse("front-gate").expect("camera")],
            reason: "Public order operation at the market on Saturday".to_owned(),
            requested_at_unix_ms: at,
        },
        summary: "Market day public order operation".to_owned(),
        written: Some(custos_store::police_control::WrittenRequest {
            name: "request.txt".to_owned(),
            media_type: "text/plain".to_owned(),
            contents: b"Request to assume partial control of the market cameras.".to_vec(),
        }),
    }
}

/// BDC-25: a police request for partial control is recorded with its written request
/// (ledgered in book `case`); the case engine's generic steps cannot move it; the manager,
/// who holds no role of the pack's `[authorise.police_control]`, cannot agree, while the
/// Chief Executive does, in their own name; the period then runs on its cameras only,
/// notes made during it are what was done under control, and the hand-back ends it. Every
/// step is in the ledger with the case's reference.
async fn bdc_25_police_control_is_agreed_by_a_pack_role_only_ledgered_and_handed_back(db: &TestDb) {
    use custos_domain::case::{Action, CaseKind, CaseState};
    use custos_domain::police_control::{ControlStatus, ControlType, PoliceRank};
    use custos_store::police_control::PoliceStep;
    let (store, clock) = covert_scheme(db).await;
    store
        .add_user(
            &console(),
            &username("ceo"),
            "ceo",
            "walnut kettle lamp",
            &[assignment("chief-executive", "scheme")],
        )
        .await
        .expect("user");
    let docs = tempfile::tempdir().expect("docs");
    let now = clock.now().0;
    let err = store
        .open_police_control(
            &console(),
            Some(docs.path()),
            &police_request(PoliceRank::Sergeant, ControlType::Partial, now),
        )
        .await
        .expect_err("a sergeant is too junior");
    assert!(
        err.to_string().contains("a Sergeant is too junior"),
        "{err}"
    );
    let case = store
        .open_police_control(
            &console(),
            Some(docs.path()),
            &police_request(PoliceRank::Inspector, ControlType::Partial, now),
        )
        .await
        .expect("open");
    assert!(case.reference.starts_with("POL-"), "{}", case.reference);
    assert_eq!(case.kind, CaseKind::PoliceControl);
    assert_eq!(case.state, CaseState::Received);
    let docs_kept = store.case_documents(&case.reference).await.expect("docs");
    assert_eq!(docs_kept.len(), 1);
    assert_eq!(
        docs_kept[0].kind.as_deref(),
        Some(custos_store::police_control::WRITTEN_REQUEST)
    );
    let p = store
        .police_control(&case.reference)
        .await
        .expect("read")
        .expect("a request");
    assert_eq!(p.status, ControlStatus::Requested);
    assert_eq!(p.officer.rank, PoliceRank::Inspector);
    assert!(
        store
            .police_control_running()
            .await
            .expect("running")
            .is_empty()
    );

    let err = store
        .act_on_case(
            &console(),
            &case.reference,
            Action::Agree,
            &custos_store::cases::Step::default(),
        )
        .await
        .expect_err("its steps are its own");
    assert!(err.to_string().contains("police control"), "{err}");
    let mgr = store.subject_of("mgr", None).await.expect("subject");
    let err = store
        .police_control_step(
            &Actor::User("mgr".into()),
            Some(&mgr),
            &case.reference,
            &PoliceStep::Agree {
                starts_at_unix_ms: None,
            },
        )
        .await
        .expect_err("the manager is no representative of the owners");
    assert!(err.to_string().contains("Chief executive"), "{err}");

    clock.advance_ms(60_000);
    let ceo = store.subject_of("ceo", None).await.expect("subject");
    let agreed = store
        .police_control_step(
            &Actor::User("ceo".into()),
            Some(&ceo),
            &case.reference,
            &PoliceStep::Agree {
                starts_at_unix_ms: None,
            },
        )
        .await
        .expect("agreed");
    assert_eq!(agreed.state, CaseState::InProgress);
    let p = store
        .police_control(&case.reference)
        .await
        .expect("read")
        .expect("a request");
    let started = clock.now().0;
    assert_eq!(
        p.status,
        ControlStatus::InControl {
            since_unix_ms: started
        }
    );
    assert_eq!(
        p.agreed,
        Some(("ceo".to_owned(), "chief-executive".to_owned()))
    );
    let running = store.police_control_running().await.expect("running");
    assert_eq!(running.len(), 1);
    let gate = custos_domain::Ident::parse("front-gate").expect("id");
    assert!(running[0].affects(&gate));
    assert!(!running[0].affects(&custos_domain::Ident::parse("yard").expect("id")));

    clock.advance_ms(600_000);
    store
        .add_case_note(
            &Actor::User("op".into()),
            &case.reference,
            "Camera panned to the market hall at the officer's direction",
        )
        .await
        .expect("note");
    clock.advance_ms(600_000);
    let closed = store
        .police_control_step(
            &Actor::User("op".into()),
            None,
            &case.reference,
            &PoliceStep::HandBack { at_unix_ms: None },
        )
        .await
        .expect("handed back");
    assert_eq!(closed.state, CaseState::Closed);
    let p = store
        .police_control(&case.reference)
        .await
        .expect("read")
        .expect("a request");
    assert_eq!(
        p.status,
        ControlStatus::HandedBack {
            from_unix_ms: started,
            to_unix_ms: clock.now().0
        }
    );
    let notes = store.case_notes(&case.reference).await.expect("notes");
    assert_eq!(p.during(&notes).len(), 1);
    assert!(
        store
            .police_control_running()
            .await
            .expect("running")
            .is_empty()
    );

    let entries = store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::Case),
            reference: Some(format!("case:{}", case.reference)),
            ..Default::default()
        })
        .await
        .expect("ledger");
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "case-opened",
            "case-document-added",
            "case-agree",
            "case-note-added",
            "case-hand-back"
        ]
    );
    assert!(
        entries[0].body.contains("\"control\":\"partial\""),
        "{}",
        entries[0].body
    );
    assert!(
        !entries[0].body.contains("Jane Doe"),
        "no officer's name in the ledger"
    );
    assert_eq!(entries[2].actor, "user:ceo");
    assert!(
        entries[2].body.contains("chief-executive"),
        "{}",
        entries[2].body
    );
    assert!(
        entries[4].body.contains("\"notes\":1"),
        "{}",
        entries[4].body
    );
}

/// BDC-36: each operator's working times and event log: a shift runs from signing on to
/// signing off; what the operator did in it is every ledger entry they made between the
/// two, and nothing another person did, nor what they did after signing off. The shift
/// running at a time is found, and the latest one without a time.
async fn bdc_36_an_operators_shift_is_read_as_one_log(db: &TestDb) {
    let (store, clock) = covert_scheme(db).await;
    let op = Actor::User("op".into());
    let camera = store
        .camera(&custos_domain::Ident::parse("front-gate").expect("id"))
        .await
        .expect("camera")
        .expect("exists");
    let on = clock.now().0;
    store
        .set_duty(&op, &username("op"), true)
        .await
        .expect("signed on");
    clock.advance_ms(60_000);
    store
        .open_review(
            &op,
            "op",
            "s-op",
            &camera,
            &covert_review(on - 3_600_000, on - 1_800_000),
        )
        .await
        .expect("a review in the shift");
    store
        .open_review(
            &Actor::User("teamie".into()),
            "teamie",
            "s-t",
            &camera,
            &covert_review(on - 3_600_000, on - 1_800_000),
        )
        .await
        .expect("someone else's review");
    let during = clock.now().0;
    clock.advance_ms(60_000);
    store
        .set_duty(&op, &username("op"), false)
        .await
        .expect("signed off");
    let off = clock.now().0;
    // Within the minute the sign-off's entry is looked for: still not the shift's.
    clock.advance_ms(20_000);
    store
        .open_review(
            &op,
            "op",
            "s-op",
            &camera,
            &covert_review(on - 3_600_000, on - 1_800_000),
        )
        .await
        .expect("a review after the shift");

    let shifts = store.shifts(Some("op"), 10).await.expect("shifts");
    assert_eq!(
        shifts,
        vec![custos_store::Shift {
            username: "op".to_owned(),
            on_at_unix_ms: on,
            off_at_unix_ms: Some(off),
        }]
    );
    assert!(
        store
            .shifts(Some("teamie"), 10)
            .await
            .expect("shifts")
            .is_empty()
    );
    assert_eq!(
        store.shift_at("op", Some(during)).await.expect("shift"),
        Some(shifts[0].clone())
    );
    assert_eq!(
        store.shift_at("op", None).await.expect("shift"),
        Some(shifts[0].clone())
    );
    assert_eq!(
        store
            .shift_at("op", Some(off + 30_000))
            .await
            .expect("shift"),
        None
    );
    let kinds: Vec<String> = store
        .shift_entries(&shifts[0])
        .await
        .expect("entries")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds.first().map(String::as_str),
        Some("signed-on"),
        "{kinds:?}"
    );
    assert_eq!(
        kinds.last().map(String::as_str),
        Some("signed-off"),
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| k.starts_with("review")).count(),
        1,
        "the operator's own review in the shift only: {kinds:?}"
    );
}

/// BDC-25: partial control may be agreed by the owners' most senior representative
/// available (Bassetlaw: the Director acting for the owner, or the Chief Executive), but
/// total control only by the most senior officer of the owners — the pack's
/// `[authorise.police_control_total]` names the Chief Executive alone.
async fn bdc_25_total_control_is_agreed_by_the_chief_executive_alone(db: &TestDb) {
    use custos_domain::case::CaseState;
    use custos_domain::police_control::{ControlType, PoliceRank};
    use custos_store::police_control::PoliceStep;
    let (store, clock) = covert_scheme(db).await;
    for (user, role) in [("ceo", "chief-executive"), ("director", "owner")] {
        store
            .add_user(
                &console(),
                &username(user),
                user,
                "walnut kettle lamp",
                &[assignment(role, "scheme")],
            )
            .await
            .expect("user");
    }
    let director = store.subject_of("director", None).await.expect("subject");
    let ceo = store.subject_of("ceo", None).await.expect("subject");
    let docs = tempfile::tempdir().expect("docs");
    let now = clock.now().0;
    let agree = PoliceStep::Agree {
        starts_at_unix_ms: None,
    };
    let partial = store
        .open_police_control(
            &console(),
            Some(docs.path()),
            &police_request(PoliceRank::Inspector, ControlType::Partial, now),
        )
        .await
        .expect("open");
    let agreed = store
        .police_control_step(&console(), Some(&director), &partial.reference, &agree)
        .await
        .expect("the director agrees to partial control");
    assert_eq!(agreed.state, CaseState::InProgress);
    let total = store
        .open_police_control(
            &console(),
            Some(docs.path()),
            &police_request(PoliceRank::ChiefConstable, ControlType::Total, now),
        )
        .await
        .expect("open");
    let err = store
        .police_control_step(&console(), Some(&director), &total.reference, &agree)
        .await
        .expect_err("only the Chief Executive agrees to total control");
    assert!(
        err.to_string().contains("answered only by")
            && err.to_string().contains("(chief executive)"),
        "{err}"
    );
    let agreed = store
        .police_control_step(&console(), Some(&ceo), &total.reference, &agree)
        .await
        .expect("the Chief Executive agrees");
    assert_eq!(agreed.state, CaseState::InProgress);
    let p = store
        .police_control(&total.reference)
        .await
        .expect("read")
        .expect("a request");
    assert_eq!(
        p.agreed,
        Some(("ceo".to_owned(), "chief-executive".to_owned()))
    );
}

/// BDC-25: total control needs an Assistant Chief Constable or above and affects every
/// camera; it may be refused, with reasons, by the owners' representative and withdrawn
/// by the police; a pack whose code does not allow police control refuses every request
/// with the reason, writing nothing.
async fn bdc_25_total_police_control_needs_an_assistant_chief_constable_and_a_pack_may_forbid_it(
    db: &TestDb,
) {
    use custos_domain::case::CaseState;
    use custos_domain::police_control::{ControlType, PoliceRank};
    use custos_store::police_control::PoliceStep;
    let (store, clock) = covert_scheme(db).await;
    let docs = tempfile::tempdir().expect("docs");
    let now = clock.now().0;
    let err = store
        .open_police_control(
            &console(),
            Some(docs.path()),
            &police_request(PoliceRank::ChiefSuperintendent, ControlType::Total, now),
        )
        .await
        .expect_err("too junior for total control");
    assert!(
        err.to_string().contains("Assistant Chief Constable"),
        "{err}"
    );
    let total = store
        .open_police_control(
            &console(),
            Some(docs.path()),
            &police_request(PoliceRank::AssistantChiefConstable, ControlType::Total, now),
        )
        .await
        .expect("open");
    let p = store
        .police_control(&total.reference)
        .await
        .expect("read")
        .expect("a request");
    assert!(p.cameras.is_empty());
    assert!(p.affects(&custos_domain::Ident::parse("anything").expect("id")));
    let owner = store.subject_of("mgr", None).await.expect("subject");
    let err = store
        .police_control_step(
            &console(),
            Some(&owner),
            &total.reference,
            &PoliceStep::Refuse {
                reasons: "Nobody senior enough was available".to_owned(),
            },
        )
        .await
        .expect_err("the manager is no representative of the owners");
    assert!(err.to_string().contains("answered only by"), "{err}");
    let refused = store
        .police_control_step(
            &console(),
            None,
            &total.reference,
            &PoliceStep::Withdraw {
                reason: "The operation was called off".to_owned(),
            },
        )
        .await
        .expect("withdrawn");
    assert_eq!(refused.state, CaseState::Withdrawn);

    store
        .load_policy(&console(), SCHOOL)
        .await
        .expect("a school's pack");
    let before = store
        .ledger_entries(&LedgerQuery::default())
        .await
        .expect("ledger")
        .len();
    let err = store
        .open_police_control(
            &console(),
            Some(docs.path()),
            &police_request(PoliceRank::ChiefConstable, ControlType::Total, now),
        )
        .await
        .expect_err("the school's code does not allow it");
    assert!(
        err.to_string()
            .contains("does not let the police take control of the system"),
        "{err}"
    );
    let after = store
        .ledger_entries(&LedgerQuery::default())
        .await
        .expect("ledger")
        .len();
    assert_eq!(before, after, "nothing written");
}

fn incident_draft(at: i64) -> custos_domain::incident::Draft {
    custos_domain::incident::Draft {
        occurred_at_unix_ms: at,
        cameras: vec![custos_domain::Ident::parse("front-gate").expect("camera")],
        place: "Market Square, outside the bank".to_owned(),
        seen: "Two men fighting; one fell and did not get up".to_owned(),
        seen_by: "op".to_owned(),
        police_reference: String::new(),
        action_taken: "Called the police and an ambulance; followed on camera".to_owned(),
        outcome: String::new(),
    }
}

async fn incident_entries(
    store: &Store,
    reference: &str,
) -> Vec<custos_domain::ledger::StoredEntry> {
    store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::Incident),
            reference: Some(format!("incident:{reference}")),
            ..Default::default()
        })
        .await
        .expect("entries")
}

/// The Bassetlaw scheme with a control room: an operator, two supervisors, a manager and
/// the DPO; a documents folder for scans.
async fn visitors_scheme(db: &TestDb) -> (Store, SimulatedClock, tempfile::TempDir) {
    let (store, clock) = disclosure_scheme(db).await;
    for (user, role) in [("sup", "supervisor"), ("sup2", "supervisor")] {
        store
            .add_user(
                &console(),
                &username(user),
                &format!("Supervisor {user}"),
                "walnut kettle lamp",
                &[assignment(role, "scheme")],
            )
            .await
            .expect("user");
    }
    (store, clock, tempfile::tempdir().expect("docs"))
}

fn visit_draft(
    entered: i64,
    undertaking: custos_domain::visitors::UndertakingDraft,
) -> custos_domain::visitors::VisitDraft {
    use custos_domain::visitors::{Authoriser, Details, VisitDraft};
    VisitDraft {
        details: Details {
            name: "Ann Other".to_owned(),
            organisation: "Nottinghamshire Police".to_owned(),
            purpose: "Liaison visit".to_owned(),
            authorised_by: Authoriser {
                name: "Sam Super".to_owned(),
                role: "CCTV supervisor".to_owned(),
            },
            entered_at_unix_ms: entered,
            left_at_unix_ms: None,
        },
        undertaking,
    }
}

fn on_screen(ticked: bool) -> custos_domain::visitors::UndertakingDraft {
    custos_domain::visitors::UndertakingDraft::OnScreen {
        ticked,
        typed_name: "Ann Other".to_owned(),
    }
}

async fn visit_entries(store: &Store, reference: &str) -> Vec<custos_domain::ledger::StoredEntry> {
    store
        .ledger_entries(&LedgerQuery {
            reference: Some(format!("visit:{reference}")),
            ..Default::default()
        })
        .await
        .expect("entries")
}

/// BDC-24, BDC-18: an incident is recorded only by a role that keeps the incident log
/// (not the DPO here), with every problem of a bad draft at once; a correction needs a
/// reason, is a new ledger entry naming the entry it corrects, and updates the record with
/// its history kept; the outcome is recorded once; countersigning is only for the pack's
/// countersigning roles, and a later correction withdraws it. Every step is ledgered in
/// book `incident` with the incident's reference.
async fn bdc_24_an_incident_is_recorded_corrected_closed_and_countersigned_each_in_the_ledger(
    db: &TestDb,
) {
    use custos_domain::incident::{Changes, Field};
    use custos_store::incidents::IncidentStep;
    let (store, clock) = disclosure_scheme(db).await;
    let now = clock.now().0;
    let op = store.subject_of("op", None).await.expect("op");
    let mgr = store.subject_of("mgr", None).await.expect("mgr");
    let dp = store.subject_of("dp", None).await.expect("dp");
    let as_user = |u: &str| Actor::User(u.to_owned());
    let err = store
        .record_incident(&as_user("dp"), &dp, &incident_draft(now - 60_000))
        .await
        .expect_err("the DPO does not keep the incident log here");
    assert!(matches!(err, StoreError::Forbidden(_)), "{err}");
    assert!(err.to_string().contains("incident log"), "{err}");
    let err = store
        .record_incident(
            &as_user("op"),
            &op,
            &custos_domain::incident::Draft {
                occurred_at_unix_ms: now + 60_000,
                ..Default::default()
            },
        )
        .await
        .expect_err("nothing filled in");
    let text = err.to_string();
    for problem in ["future", "where", "what was seen", "who saw", "action"] {
        assert!(text.contains(problem), "{problem}: {text}");
    }
    let inc = store
        .record_incident(&as_user("op"), &op, &incident_draft(now - 60_000))
        .await
        .expect("recorded");
    assert!(inc.reference.starts_with("INC-2026-"), "{}", inc.reference);
    assert!(inc.draft.is_open());
    let second = store
        .record_incident(
            &as_user("mgr"),
            &mgr,
            &custos_domain::incident::Draft {
                cameras: vec![],
                ..incident_draft(now - 30_000)
            },
        )
        .await
        .expect("a second, with no camera");
    assert_ne!(second.reference, inc.reference);
    let listed = store.incidents().await.expect("list");
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].reference, second.reference, "newest first");

    let step = |s: IncidentStep, who: &'static str, subject: custos_domain::access::Subject| {
        let store = store.clone();
        let r = inc.reference.clone();
        async move {
            store
                .incident_step(&Actor::User(who.to_owned()), &subject, &r, &s)
                .await
        }
    };
    let place = Changes {
        place: Some("Market Square, by the cash machine".to_owned()),
        ..Changes::default()
    };
    let err = step(
        IncidentStep::Correct {
            changes: place.clone(),
            reason: " ".to_owned(),
        },
        "op",
        op.clone(),
    )
    .await
    .expect_err("no reason");
    assert!(err.to_string().contains("why"), "{err}");
    let corrected = step(
        IncidentStep::Correct {
            changes: place,
            reason: "the first place was too vague".to_owned(),
        },
        "op",
        op.clone(),
    )
    .await
    .expect("corrected");
    assert_eq!(corrected.draft.place, "Market Square, by the cash machine");
    let err = step(IncidentStep::Countersign, "op", op.clone())
        .await
        .expect_err("an operator does not countersign");
    assert!(matches!(err, StoreError::Forbidden(_)), "{err}");
    let signed = step(IncidentStep::Countersign, "mgr", mgr.clone())
        .await
        .expect("countersigned");
    assert_eq!(
        signed
            .countersigned
            .as_ref()
            .map(|(b, r, _)| (b.as_str(), r.as_str())),
        Some(("mgr", "manager"))
    );
    // Through the console, in the name of who recorded it: refused all the same.
    let err = store
        .incident_step(
            &Actor::Console("admin".to_owned()),
            &mgr,
            &second.reference,
            &IncidentStep::Countersign,
        )
        .await
        .expect_err("the manager recorded the second incident");
    assert!(matches!(err, StoreError::Forbidden(_)), "{err}");
    step(
        IncidentStep::Outcome {
            outcome: "One man arrested; the other taken to hospital".to_owned(),
        },
        "op",
        op.clone(),
    )
    .await
    .expect("outcome");
    let err = step(
        IncidentStep::Outcome {
            outcome: "again".to_owned(),
        },
        "op",
        op.clone(),
    )
    .await
    .expect_err("once");
    assert!(err.to_string().contains("already has an outcome"), "{err}");
    let again = step(
        IncidentStep::Correct {
            changes: Changes {
                police_reference: Some("NP-26-118820".to_owned()),
                ..Changes::default()
            },
            reason: "the police gave their reference".to_owned(),
        },
        "op",
        op.clone(),
    )
    .await
    .expect("corrected again");
    assert_eq!(again.draft.police_reference, "NP-26-118820");
    assert!(
        again.countersigned.is_none(),
        "a correction withdraws the countersignature"
    );

    let record = store
        .incident_record(&inc.reference)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(record.corrections.len(), 2);
    assert_eq!(
        record.corrections[0].changes,
        vec![(
            Field::Place,
            "Market Square, outside the bank".to_owned(),
            "Market Square, by the cash machine".to_owned()
        )]
    );
    let entries = incident_entries(&store, &inc.reference).await;
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "incident-recorded",
            "incident-corrected",
            "incident-countersigned",
            "incident-outcome",
            "incident-corrected"
        ]
    );
    // Each correction names the entry it corrects: the recorded entry, then the first
    // correction.
    assert!(
        entries[1]
            .body
            .contains(&format!("\"corrects\":{}", entries[0].seq)),
        "{}",
        entries[1].body
    );
    assert!(
        entries[4]
            .body
            .contains(&format!("\"corrects\":{}", entries[1].seq)),
        "{}",
        entries[4].body
    );
    assert!(entries[1].body.contains("the first place was too vague"));
    assert!(
        entries[2].body.contains("\"role\":\"manager\""),
        "{}",
        entries[2].body
    );
    // The words of what was seen stay with the incident, not the ledger.
    assert!(!entries[0].body.contains("fighting"), "{}", entries[0].body);
}

/// BDC-24, BDC-18: footage linked to an incident is held from that moment under an
/// evidence class of the pack, with the incident's reference on the hold; an unknown review
/// cannot be linked; an operator's witness statement is kept encrypted (its words are not
/// in the file) and reads back whole; the log's rows carry the linked footage.
async fn bdc_24_footage_linked_to_an_incident_is_held_and_statements_are_kept_encrypted(
    db: &TestDb,
) {
    use custos_store::incidents::IncidentStep;
    let (store, clock) = disclosure_scheme(db).await;
    let now = clock.now().0;
    let op = store.subject_of("op", None).await.expect("op");
    let actor = Actor::User("op".to_owned());
    let inc = store
        .record_incident(&actor, &op, &incident_draft(now - 600_000))
        .await
        .expect("recorded");
    let front = custos_domain::Ident::parse("front-gate").expect("camera");
    store
        .incident_step(
            &actor,
            &op,
            &inc.reference,
            &IncidentStep::LinkFootage {
                cameras: vec![front.clone()],
                from_unix_ms: now - 900_000,
                to_unix_ms: now - 300_000,
                class: None,
            },
        )
        .await
        .expect("linked");
    assert_eq!(
        db.count(&format!(
            "SELECT id FROM holds WHERE case_ref = '{}' AND class = 'investigation-hold' \
             AND released_at_unix_ms IS NULL",
            inc.reference
        ))
        .await,
        1
    );
    let err = store
        .incident_step(
            &actor,
            &op,
            &inc.reference,
            &IncidentStep::LinkReview {
                review: "nope".to_owned(),
            },
        )
        .await
        .expect_err("no such review");
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");
    let docs = tempfile::tempdir().expect("docs");
    let words = b"I saw the man in the blue coat strike the other first.";
    let doc = store
        .add_incident_statement(
            &actor,
            &op,
            docs.path(),
            &inc.reference,
            &custos_store::incidents::Statement {
                name: "statement.txt",
                media_type: "text/plain",
                contents: words,
            },
        )
        .await
        .expect("statement");
    let mut found = false;
    for entry in walk(docs.path()) {
        let bytes = std::fs::read(&entry).expect("read");
        assert!(
            !bytes.windows(10).any(|w| w == &words[..10]),
            "the statement is encrypted at rest"
        );
        found = true;
    }
    assert!(found, "the statement is a file");
    let (_, back) = store
        .incident_statement(docs.path(), &inc.reference, &doc.id)
        .await
        .expect("read back");
    assert_eq!(back, words);
    let record = store
        .incident_record(&inc.reference)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(record.footage.len(), 1);
    assert!(record.footage[0].held);
    assert_eq!(record.documents.len(), 1);
    let kinds: Vec<String> = incident_entries(&store, &inc.reference)
        .await
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "incident-recorded",
            "incident-footage-linked",
            "incident-statement-added"
        ]
    );
    let log = store.incident_log().await.expect("log");
    assert_eq!(log.len(), 1);
    assert!(log[0].linked_footage.contains("front-gate") || !log[0].linked_footage.is_empty());
    let csv = custos_domain::incident::csv(&log);
    assert!(csv.starts_with("Reference,Occurred,Camera,Place"), "{csv}");
}

/// Every file under `dir`, in its sub-folders too.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// LBU-12, BDC-23, BDC-7: a visit is recorded by a keeper of the visitors' log only with
/// its name, organisation, purpose, who authorised it and the time in, and only once the
/// visitor has accepted the pack's undertaking — on screen (the text's SHA-256 kept with
/// the time and the name typed) or on paper (the scan kept encrypted and read back whole);
/// the time out is not before the time in.
async fn lbu_12_a_visit_is_recorded_only_with_every_detail_and_its_undertaking_accepted(
    db: &TestDb,
) {
    use custos_domain::visitors::{AcceptedHow, UndertakingDraft};
    use custos_store::visitors::Scan;
    let (store, clock, docs) = visitors_scheme(db).await;
    let op = store.subject_of("op", None).await.expect("op");
    let dpo = store.subject_of("dp", None).await.expect("dpo");
    let now = clock.now().0;
    let actor = Actor::User("op".to_owned());
    // Not accepted: refused, with every problem at once, and nothing written.
    let mut blank = visit_draft(now, on_screen(false));
    blank.details.organisation.clear();
    blank.details.authorised_by.role.clear();
    let err = store
        .record_visit_arrival(&actor, &op, Some(docs.path()), &blank, None)
        .await
        .expect_err("not accepted");
    let text = err.to_string();
    for want in ["organisation", "role of the person", "not accepted"] {
        assert!(text.contains(want), "{text}");
    }
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    // On paper without the scan: refused.
    let err = store
        .record_visit_arrival(
            &actor,
            &op,
            Some(docs.path()),
            &visit_draft(
                now,
                UndertakingDraft::OnPaper {
                    scan_attached: true,
                },
            ),
            None,
        )
        .await
        .expect_err("no scan");
    assert!(err.to_string().contains("scan"), "{err}");
    // The DPO does not keep the visitors' log here.
    let err = store
        .record_visit_arrival(
            &Actor::User("dp".to_owned()),
            &dpo,
            Some(docs.path()),
            &visit_draft(now, on_screen(true)),
            None,
        )
        .await
        .expect_err("not a keeper");
    assert!(matches!(err, StoreError::Forbidden(_)), "{err:?}");
    assert!(store.visits(None, None).await.expect("visits").is_empty());

    let v = store
        .record_visit_arrival(
            &actor,
            &op,
            Some(docs.path()),
            &visit_draft(now, on_screen(true)),
            None,
        )
        .await
        .expect("visit");
    assert_eq!(v.reference, "VIS-2026-0001");
    assert_eq!(v.acceptance.how, AcceptedHow::OnScreen);
    let pack = store
        .active_policy()
        .await
        .expect("pack")
        .expect("pack")
        .pack;
    assert_eq!(
        v.acceptance.text_sha256,
        custos_domain::visitors::undertaking_sha256(&pack.books.visitor_undertaking)
    );
    assert_eq!(v.acceptance.typed_name.as_deref(), Some("Ann Other"));
    assert!(v.in_room());
    let e = visit_entries(&store, &v.reference).await;
    assert_eq!(e.len(), 1);
    assert_eq!(
        (e[0].book.as_str(), e[0].kind.as_str()),
        ("visitors", "visitor-arrived")
    );
    assert!(
        e[0].body.contains("Nottinghamshire Police"),
        "{}",
        e[0].body
    );
    assert!(
        e[0].body.contains(&v.acceptance.text_sha256),
        "{}",
        e[0].body
    );

    // On paper: the scan is kept encrypted and comes back whole.
    let scan = Scan {
        name: "undertaking.pdf".to_owned(),
        media_type: "application/pdf".to_owned(),
        contents: b"%PDF-1.4 signed by Bob Visitor".to_vec(),
    };
    let mut paper = visit_draft(
        now,
        UndertakingDraft::OnPaper {
            scan_attached: true,
        },
    );
    paper.details.name = "Bob Visitor".to_owned();
    let p = store
        .record_visit_arrival(&actor, &op, Some(docs.path()), &paper, Some(&scan))
        .await
        .expect("paper visit");
    assert_eq!(p.reference, "VIS-2026-0002");
    assert_eq!(p.acceptance.how, AcceptedHow::OnPaper);
    let (name, media, bytes) = store
        .visit_undertaking_scan(docs.path(), &p.reference)
        .await
        .expect("scan");
    assert_eq!(
        (name.as_str(), media.as_str()),
        ("undertaking.pdf", "application/pdf")
    );
    assert_eq!(bytes, scan.contents);
    for f in walk(docs.path()) {
        let raw = std::fs::read(&f).expect("read");
        assert!(
            !raw.windows(9).any(|w| w == b"signed by"),
            "the scan is stored encrypted"
        );
    }
    assert!(
        store
            .visit_undertaking_scan(docs.path(), &v.reference)
            .await
            .is_err(),
        "a visit accepted on screen has no scan"
    );

    // The time out: not before the time in, once only.
    clock.advance_ms(3_600_000);
    let err = store
        .record_visitor_left(&actor, &op, &v.reference, Some(now - 60_000))
        .await
        .expect_err("before entry");
    assert!(err.to_string().contains("before"), "{err}");
    let left = store
        .record_visitor_left(&actor, &op, &v.reference, None)
        .await
        .expect("left");
    assert_eq!(left.current().left_at_unix_ms, Some(clock.now().0));
    assert!(!left.in_room());
    assert!(
        store
            .record_visitor_left(&actor, &op, &v.reference, None)
            .await
            .is_err(),
        "left once"
    );
    let kinds: Vec<String> = visit_entries(&store, &v.reference)
        .await
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["visitor-arrived", "visitor-left"]);
    assert_eq!(store.visits(None, None).await.expect("visits").len(), 2);
}

/// BDC-23, BDC-35: a visit is never edited: a correction is a new ledger entry naming the
/// visit, the detail, its value before and after, and why; the visit as recorded stays, and
/// the visit as it stands shows the correction. A correction without a reason is refused.
async fn bdc_23_a_correction_is_a_new_entry_and_the_visit_as_recorded_stays(db: &TestDb) {
    use custos_domain::visitors::{CorrectionDraft, Field};
    let (store, clock, docs) = visitors_scheme(db).await;
    let op = store.subject_of("op", None).await.expect("op");
    let actor = Actor::User("op".to_owned());
    let now = clock.now().0;
    let v = store
        .record_visit_arrival(
            &actor,
            &op,
            Some(docs.path()),
            &visit_draft(now, on_screen(true)),
            None,
        )
        .await
        .expect("visit");
    let err = store
        .correct_visit(
            &actor,
            &op,
            &v.reference,
            &CorrectionDraft {
                field: Field::Organisation,
                value: "Bassetlaw District Council".to_owned(),
                reason: String::new(),
            },
        )
        .await
        .expect_err("no reason");
    assert!(err.to_string().contains("why"), "{err}");
    let c = store
        .correct_visit(
            &actor,
            &op,
            &v.reference,
            &CorrectionDraft {
                field: Field::Organisation,
                value: "Bassetlaw District Council".to_owned(),
                reason: "the visitor's own council, written wrongly".to_owned(),
            },
        )
        .await
        .expect("corrected");
    assert_eq!(c.recorded.organisation, "Nottinghamshire Police");
    assert_eq!(c.current().organisation, "Bassetlaw District Council");
    assert_eq!(c.corrections.len(), 1);
    assert_eq!(c.corrections[0].before, "Nottinghamshire Police");
    let t = store
        .correct_visit(
            &actor,
            &op,
            &v.reference,
            &CorrectionDraft {
                field: Field::TimeIn,
                value: (now - 600_000).to_string(),
                reason: "came in ten minutes earlier".to_owned(),
            },
        )
        .await
        .expect("time corrected");
    assert_eq!(t.current().entered_at_unix_ms, now - 600_000);
    let e = visit_entries(&store, &v.reference).await;
    let kinds: Vec<&str> = e.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["visitor-arrived", "visit-corrected", "visit-corrected"]
    );
    assert!(
        e[1].body.contains("Bassetlaw District Council"),
        "{}",
        e[1].body
    );
    assert!(
        e[1].body.contains("Nottinghamshire Police"),
        "{}",
        e[1].body
    );
    assert!(e[1].body.contains("written wrongly"), "{}", e[1].body);
    // The row as recorded is unchanged in the database; only the corrections grew.
    assert_eq!(
        db.count("SELECT 1 FROM visits WHERE organisation = 'Nottinghamshire Police'")
            .await,
        1
    );
    assert_eq!(db.count("SELECT 1 FROM visit_corrections").await, 2);
    let csv = custos_domain::visitors::csv(&store.visits(None, None).await.expect("visits"));
    assert!(csv.contains("Bassetlaw District Council"), "{csv}");
    assert!(csv.contains("written wrongly"), "{csv}");
}

/// BDC-18: "visitor authorisations counter-signed by a supervisor": only a role the pack's
/// `[books.visitors]` names as countersigning (Bassetlaw: the supervisor alone) countersigns,
/// never the person who recorded the visit, once; a visit not countersigned twelve hours
/// after the visitor came in (the end of the shift) is awaiting a countersignature.
async fn bdc_18_a_visit_is_countersigned_by_a_supervisor_other_than_who_recorded_it(db: &TestDb) {
    let (store, clock, docs) = visitors_scheme(db).await;
    let [op, mgr, sup, sup2] = [
        store.subject_of("op", None).await.expect("op"),
        store.subject_of("mgr", None).await.expect("mgr"),
        store.subject_of("sup", None).await.expect("sup"),
        store.subject_of("sup2", None).await.expect("sup2"),
    ];
    let now = clock.now().0;
    let as_user = |s: &custos_domain::access::Subject| Actor::User(s.username.clone());
    let v = store
        .record_visit_arrival(
            &as_user(&sup),
            &sup,
            Some(docs.path()),
            &visit_draft(now, on_screen(true)),
            None,
        )
        .await
        .expect("visit");
    assert!(
        store
            .visits_awaiting_countersignature(now)
            .await
            .expect("awaiting")
            .is_empty(),
        "not yet the end of the shift"
    );
    clock.advance_ms(12 * 3_600_000);
    let awaiting = store
        .visits_awaiting_countersignature(clock.now().0)
        .await
        .expect("awaiting");
    assert_eq!(awaiting.len(), 1);
    assert_eq!(awaiting[0].reference, v.reference);
    for (who, why) in [
        (&op, "an operator does not countersign"),
        (
            &mgr,
            "Bassetlaw's visitors are countersigned by the supervisor only",
        ),
        (&sup, "not the person who recorded it"),
    ] {
        let err = store
            .countersign_visit(&as_user(who), who, &v.reference)
            .await
            .expect_err(why);
        assert!(matches!(err, StoreError::Forbidden(_)), "{why}: {err:?}");
    }
    let c = store
        .countersign_visit(&as_user(&sup2), &sup2, &v.reference)
        .await
        .expect("countersigned");
    let sig = c.countersigned.clone().expect("signature");
    assert_eq!(
        (sig.by.as_str(), sig.role.as_str()),
        ("Supervisor sup2", "supervisor")
    );
    assert!(
        store
            .countersign_visit(&as_user(&sup2), &sup2, &v.reference)
            .await
            .is_err(),
        "countersigned once"
    );
    assert!(
        store
            .visits_awaiting_countersignature(clock.now().0)
            .await
            .expect("awaiting")
            .is_empty()
    );
    let e = visit_entries(&store, &v.reference).await;
    let last = e.last().expect("entries");
    assert_eq!(last.kind, "visit-countersigned");
    assert_eq!(last.actor, "user:sup2");
    let row = c.row();
    assert_eq!(row[9], "Supervisor sup2 (supervisor)");
}

/// BDC-18: the supervisor's checks under Bassetlaw's pack — the supervisor checks the
/// incident and visitors' logs (the operator checks none); an incident without outcome or
/// countersignature and a visit not countersigned with its visitor still in are listed,
/// oldest first, the visit marked overdue after the end of the shift; each goes away once
/// done; marking a book checked is refused to the operator and ledgered in that book with
/// the role and how many things were waiting.
async fn bdc_18_the_supervisors_checks_list_what_each_book_waits_for_and_a_check_is_ledgered(
    db: &TestDb,
) {
    use custos_domain::checks::Need;
    use custos_store::incidents::IncidentStep;
    let (store, clock, docs) = visitors_scheme(db).await;
    let [op, sup, sup2] = [
        store.subject_of("op", None).await.expect("op"),
        store.subject_of("sup", None).await.expect("sup"),
        store.subject_of("sup2", None).await.expect("sup2"),
    ];
    let as_user = |s: &custos_domain::access::Subject| Actor::User(s.username.clone());
    assert!(
        store.books_to_check(&op).await.expect("books").is_empty(),
        "an operator checks no book"
    );
    let books = store.books_to_check(&sup).await.expect("books");
    assert!(
        books.contains(&Book::Incident) && books.contains(&Book::Visitors),
        "{books:?}"
    );
    let now = clock.now().0;
    let inc = store
        .record_incident(&as_user(&op), &op, &incident_draft(now - 3_600_000))
        .await
        .expect("incident");
    let v = store
        .record_visit_arrival(
            &as_user(&op),
            &op,
            Some(docs.path()),
            &visit_draft(now - 60_000, on_screen(true)),
            None,
        )
        .await
        .expect("visit");
    let check = store.book_check(Book::Incident).await.expect("check");
    let needs: Vec<(String, Need)> = check
        .items
        .iter()
        .map(|i| (i.reference.clone(), i.need))
        .collect();
    assert_eq!(
        needs,
        vec![
            (inc.reference.clone(), Need::Outcome),
            (inc.reference.clone(), Need::Countersignature)
        ]
    );
    assert!(check.last_checked.is_none());
    let visits = store.book_check(Book::Visitors).await.expect("check");
    assert_eq!(visits.items.len(), 2, "{:?}", visits.items);
    assert!(
        visits
            .items
            .iter()
            .all(|i| i.reference == v.reference && !i.overdue)
    );
    assert!(
        visits.items[0]
            .words()
            .contains("Ann Other, Nottinghamshire Police")
    );
    clock.advance_ms(12 * 3_600_000);
    let visits = store.book_check(Book::Visitors).await.expect("check");
    assert_eq!(
        visits.overdue(),
        1,
        "the countersignature is past the end of the shift"
    );

    // Done, they go.
    store
        .incident_step(
            &as_user(&op),
            &op,
            &inc.reference,
            &IncidentStep::Outcome {
                outcome: "Police attended".to_owned(),
            },
        )
        .await
        .expect("outcome");
    store
        .incident_step(
            &as_user(&sup),
            &sup,
            &inc.reference,
            &IncidentStep::Countersign,
        )
        .await
        .expect("countersigned");
    store
        .record_visitor_left(&as_user(&op), &op, &v.reference, None)
        .await
        .expect("left");
    assert!(
        store
            .book_check(Book::Incident)
            .await
            .expect("check")
            .items
            .is_empty()
    );
    let visits = store.book_check(Book::Visitors).await.expect("check");
    assert_eq!(
        visits.items.iter().map(|i| i.need).collect::<Vec<_>>(),
        vec![Need::Countersignature]
    );

    // Checked: refused to the operator; ledgered for the supervisor.
    let err = store
        .record_book_checked(&as_user(&op), &op, Book::Visitors)
        .await
        .expect_err("an operator does not check the book");
    assert!(matches!(err, StoreError::Forbidden(_)), "{err}");
    let err = store
        .record_book_checked(&as_user(&sup), &sup, Book::Review)
        .await
        .expect_err("not a control-room book");
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    let checked = store
        .record_book_checked(&as_user(&sup2), &sup2, Book::Visitors)
        .await
        .expect("checked");
    assert_eq!(
        (
            checked.by.as_str(),
            checked.role.as_str(),
            checked.open_items
        ),
        ("user:sup2", "supervisor", 1)
    );
    assert_eq!(
        store
            .book_check(Book::Visitors)
            .await
            .expect("check")
            .last_checked,
        Some(checked)
    );
    let entries = store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::Visitors),
            ..Default::default()
        })
        .await
        .expect("entries");
    let last = entries.last().expect("an entry");
    assert_eq!(last.kind, "book-checked");
    assert!(last.body.contains("\"open_items\":1"), "{}", last.body);
    assert!(
        store
            .book_check(Book::Incident)
            .await
            .expect("check")
            .last_checked
            .is_none(),
        "each book is checked on its own"
    );

    // The faults and maintenance log: a camera past its daily check (Bassetlaw checks
    // daily), and a fault reported with no contractor called.
    clock.advance_ms(2 * 86_400_000);
    let check = store.book_check(Book::Maintenance).await.expect("check");
    assert!(
        check
            .items
            .iter()
            .any(|i| i.need == Need::Check && i.overdue && !i.reference.contains("front-gate")),
        "named, not by id: {:?}",
        check.items
    );
    let fault = store
        .report_fault(
            &as_user(&op),
            &op,
            &custos_domain::maintenance::FaultDraft {
                camera: custos_domain::Ident::parse("front-gate").expect("id"),
                noticed_at_unix_ms: clock.now().0 - 60_000,
                description: "The picture is dark at night".to_owned(),
            },
        )
        .await
        .expect("fault");
    let check = store.book_check(Book::Maintenance).await.expect("check");
    assert!(
        check
            .items
            .iter()
            .any(|i| i.need == Need::Contractor && i.reference == fault.reference),
        "{:?}",
        check.items
    );
}

fn deployment_draft(from: i64, until: i64) -> custos_domain::deployment::Draft {
    use custos_domain::deployment::{Consultation, DEFAULT_PURPOSES, Draft, Grounds};
    Draft {
        camera: custos_domain::Ident::parse("front-gate").expect("camera"),
        place: "Queen Street car park".to_owned(),
        map_reference: "SK 585 805".to_owned(),
        from_unix_ms: from,
        until_unix_ms: until,
        grounds: Grounds::CrimePattern,
        justification: "Analysis CP-2026-14: eleven thefts from cars in six weeks".to_owned(),
        purpose: DEFAULT_PURPOSES[0].to_owned(),
        consultation: Consultation::Made("Letters to the fourteen houses facing it".to_owned()),
        privacy: "Masks over the windows of 2 and 4 Queen Street".to_owned(),
        authorised_by: "Max Manager, CCTV Manager".to_owned(),
    }
}

/// BDC-38, LJM-5: under Bassetlaw's pack a deployment is recorded only by a keeper of the
/// deployment log (the supervisor, not an operator), with every problem at once and one of
/// the code's purposes; a camera cannot be deployed twice over the same time; its footage
/// carries the deployment while the camera is up there; signs go up, a correction of the
/// planned end is a new row with its reason, the camera cannot come down before it went
/// up; once down with its signs still up it waits for them; a photo of the signs is kept
/// encrypted and reads back; the supervisor's checks list a camera up without signs and
/// one past its end; every step is ledgered in book `deployment`.
async fn bdc_38_a_deployment_is_recorded_with_its_grounds_signed_corrected_and_taken_down(
    db: &TestDb,
) {
    use custos_domain::checks::Need;
    use custos_domain::deployment::{Field, Standing};
    use custos_store::deployments::DeploymentStep;
    let (store, clock, docs) = visitors_scheme(db).await;
    let [op, sup] = [
        store.subject_of("op", None).await.expect("op"),
        store.subject_of("sup", None).await.expect("sup"),
    ];
    let as_user = |s: &custos_domain::access::Subject| Actor::User(s.username.clone());
    const H: i64 = 3_600_000;
    let now = clock.now().0;
    let err = store
        .record_deployment(&as_user(&op), &op, &deployment_draft(now, now + 48 * H))
        .await
        .expect_err("an operator does not keep the deployment log here");
    assert!(matches!(err, StoreError::Forbidden(_)), "{err}");
    let err = store
        .record_deployment(
            &as_user(&sup),
            &sup,
            &custos_domain::deployment::Draft {
                place: String::new(),
                purpose: "Catching litterers".to_owned(),
                privacy: String::new(),
                camera: custos_domain::Ident::parse("nowhere").expect("id"),
                ..deployment_draft(now, now - H)
            },
        )
        .await
        .expect_err("everything wrong");
    let text = err.to_string();
    for problem in [
        "say where",
        "planned end",
        "one of the scheme's",
        "privacy",
        "no camera nowhere",
    ] {
        assert!(text.contains(problem), "{problem}: {text}");
    }
    let dep = store
        .record_deployment(&as_user(&sup), &sup, &deployment_draft(now, now + 48 * H))
        .await
        .expect("recorded");
    assert!(dep.reference.starts_with("DEP-2026-"), "{}", dep.reference);
    let err = store
        .record_deployment(
            &as_user(&sup),
            &sup,
            &deployment_draft(now + 24 * H, now + 72 * H),
        )
        .await
        .expect_err("the camera is deployed then");
    assert!(err.to_string().contains(&dep.reference), "{err}");
    let cam = custos_domain::Ident::parse("front-gate").expect("id");
    assert_eq!(
        store
            .deployment_at(&cam, now + H)
            .await
            .expect("at")
            .map(|d| d.reference),
        Some(dep.reference.clone())
    );
    assert!(
        store
            .deployment_at(&cam, now - H)
            .await
            .expect("at")
            .is_none()
    );

    // Up without signs: the checks say so.
    clock.advance_ms(H);
    let check = store.book_check(Book::Deployment).await.expect("check");
    assert_eq!(
        check.items.iter().map(|i| i.need).collect::<Vec<_>>(),
        vec![Need::Signs]
    );
    let step = |s: DeploymentStep| {
        let (store, sup, r) = (store.clone(), sup.clone(), dep.reference.clone());
        async move {
            store
                .deployment_step(&Actor::User("sup".to_owned()), &sup, &r, &s)
                .await
        }
    };
    let t = clock.now().0;
    step(DeploymentStep::SignsDown { at_unix_ms: t })
        .await
        .expect_err("never up");
    step(DeploymentStep::SignsUp { at_unix_ms: t })
        .await
        .expect("signs up");
    let err = step(DeploymentStep::Correct {
        field: Field::Until,
        value: (now + 96 * H).to_string(),
        reason: String::new(),
    })
    .await
    .expect_err("a reason is needed");
    assert!(err.to_string().contains("why"), "{err}");
    let corrected = step(DeploymentStep::Correct {
        field: Field::Until,
        value: (now + 96 * H).to_string(),
        reason: "Extended for the bank holiday weekend".to_owned(),
    })
    .await
    .expect("corrected");
    assert_eq!(corrected.current().until_unix_ms, now + 96 * H);
    assert_eq!(
        corrected.recorded.until_unix_ms,
        now + 48 * H,
        "kept as recorded"
    );
    clock.advance_ms(100 * H);
    let check = store.book_check(Book::Deployment).await.expect("check");
    assert_eq!(
        check
            .items
            .iter()
            .map(|i| (i.need, i.overdue))
            .collect::<Vec<_>>(),
        vec![(Need::Removal, true)],
        "past its end, still up"
    );
    step(DeploymentStep::Removed {
        at_unix_ms: now - H,
    })
    .await
    .expect_err("before it went up");
    let down = step(DeploymentStep::Removed {
        at_unix_ms: clock.now().0,
    })
    .await
    .expect("taken down");
    assert_eq!(down.standing(clock.now().0), Standing::SignsLeft);
    let doc = store
        .add_deployment_document(
            &as_user(&sup),
            &sup,
            docs.path(),
            &dep.reference,
            "signs-removed",
            "signs-down.jpg",
            "image/jpeg",
            b"\xff\xd8 a photo of the empty lamp post",
        )
        .await
        .expect("photo");
    let (_, back) = store
        .deployment_document(docs.path(), &dep.reference, &doc.id)
        .await
        .expect("read back");
    assert_eq!(back, b"\xff\xd8 a photo of the empty lamp post");
    let ended = step(DeploymentStep::SignsDown {
        at_unix_ms: clock.now().0,
    })
    .await
    .expect("signs down");
    assert_eq!(ended.standing(clock.now().0), Standing::Ended);
    assert!(
        store
            .book_check(Book::Deployment)
            .await
            .expect("check")
            .items
            .is_empty()
    );
    assert!(
        store
            .deployment_at(&cam, clock.now().0)
            .await
            .expect("at")
            .is_none(),
        "the camera is no longer there"
    );
    let kinds: Vec<String> = store
        .ledger_entries(&LedgerQuery {
            reference: Some(format!("deployment:{}", dep.reference)),
            ..Default::default()
        })
        .await
        .expect("entries")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        vec![
            "deployment-recorded",
            "deployment-signs-erected",
            "deployment-corrected",
            "deployment-ended",
            "deployment-document-added",
            "deployment-signs-removed"
        ]
    );
}

/// A check of `front-gate` at `at` with every item passed, except `failed` (with a note).
fn check_draft(at: i64, failed: &[&str]) -> custos_domain::maintenance::CheckDraft {
    use custos_domain::maintenance::{CheckDraft, CheckItem, ItemResult};
    CheckDraft {
        camera: custos_domain::Ident::parse("front-gate").expect("id"),
        checked_at_unix_ms: at,
        items: CheckItem::ALL
            .iter()
            .map(|i| {
                let fails = failed.contains(&i.as_str());
                ItemResult {
                    item: *i,
                    passed: !fails,
                    note: if fails {
                        "blurred after dark".to_owned()
                    } else {
                        String::new()
                    },
                }
            })
            .collect(),
        note: String::new(),
    }
}

async fn maintenance_entries(
    store: &Store,
    reference: &str,
) -> Vec<custos_domain::ledger::StoredEntry> {
    store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::Maintenance),
            reference: Some(reference.to_owned()),
            ..Default::default()
        })
        .await
        .expect("entries")
}

/// LBU-16, ALT-15: a camera's scheduled check is recorded only by a keeper of the log
/// (Bassetlaw: operators, supervisors, managers; not the DPO) and only with a result for every
/// item of the checklist — picture, time, focus, privacy masks, signage — and what is wrong
/// with each that failed, every problem at once; it is ledgered `check-recorded` with each
/// result. A check with a failed item reports a fault on the camera in the same transaction.
/// The camera's next check is due the pack's interval after its last (daily at Bassetlaw),
/// red once past.
async fn lbu_16_a_check_covers_the_checklist_and_a_failed_item_reports_a_fault(db: &TestDb) {
    use custos_domain::maintenance::{Origin, Urgency};
    use custos_store::maintenance::FaultFilter;
    let (store, clock) = disclosure_scheme(db).await;
    let op = store.subject_of("op", None).await.expect("op");
    let dp = store.subject_of("dp", None).await.expect("dp");
    let actor = Actor::User("op".to_owned());
    let t0 = clock.now().0;
    // Never checked: due a day after it was registered.
    let cams = store.cameras_maintenance(30).await.expect("cameras");
    assert_eq!(cams.len(), 1);
    assert_eq!(cams[0].due.last_checked_unix_ms, None);
    assert_eq!(cams[0].due.due_unix_ms, t0 + DAY);

    let err = store
        .record_check(&Actor::User("dp".to_owned()), &dp, &check_draft(t0, &[]))
        .await
        .expect_err("the DPO does not keep the log here");
    assert!(matches!(err, StoreError::Forbidden(_)), "{err:?}");
    let mut bad = check_draft(t0 + DAY, &["focus"]);
    bad.items.retain(|r| r.item.as_str() != "signage");
    for r in &mut bad.items {
        r.note.clear();
    }
    let err = store
        .record_check(&actor, &op, &bad)
        .await
        .expect_err("incomplete");
    let text = err.to_string();
    for want in ["future", "signage", "wrong with the focus"] {
        assert!(text.contains(want), "{want}: {text}");
    }
    assert!(
        store
            .maintenance_checks(None, None)
            .await
            .expect("checks")
            .is_empty()
    );

    clock.advance_ms(3_600_000);
    let passed = store
        .record_check(&actor, &op, &check_draft(clock.now().0 - 60_000, &[]))
        .await
        .expect("check");
    assert_eq!(passed.reference, "CHK-2026-0001");
    assert_eq!(passed.result_words(), "Passed");
    assert_eq!(passed.fault, None);
    assert_eq!(passed.recorded.items.len(), 5);
    assert_eq!(passed.recorded_by_name, "op");
    let e = maintenance_entries(&store, "check:CHK-2026-0001").await;
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].kind, "check-recorded");
    assert!(
        e[0].body.contains("\"privacy_masks\":\"pass\""),
        "{}",
        e[0].body
    );
    assert!(e[0].refs.contains("camera:front-gate"), "{}", e[0].refs);
    let cams = store.cameras_maintenance(30).await.expect("cameras");
    assert_eq!(
        cams[0].due.last_checked_unix_ms,
        Some(passed.recorded.checked_at_unix_ms)
    );
    assert_eq!(
        cams[0].due.due_unix_ms,
        passed.recorded.checked_at_unix_ms + DAY
    );
    assert_eq!(cams[0].due.urgency, Urgency::OnTime);

    clock.advance_ms(DAY);
    assert_eq!(
        store.cameras_maintenance(30).await.expect("cameras")[0]
            .due
            .urgency,
        Urgency::Overdue,
        "a day later the daily check is overdue"
    );
    let failed = store
        .record_check(
            &actor,
            &op,
            &check_draft(clock.now().0, &["focus", "signage"]),
        )
        .await
        .expect("failed check");
    assert_eq!(failed.result_words(), "Failed: Focus, Signage");
    let fault_ref = failed.fault.clone().expect("a fault reported");
    assert_eq!(fault_ref, "FLT-2026-0001");
    let f = store.fault(&fault_ref).await.expect("read").expect("there");
    assert_eq!(f.origin, Origin::Reported);
    assert_eq!(f.check.as_deref(), Some(failed.reference.as_str()));
    assert!(
        f.description.contains("Focus: fail — blurred after dark"),
        "{}",
        f.description
    );
    assert!(f.is_open());
    let kinds: Vec<String> = maintenance_entries(&store, &format!("fault:{fault_ref}"))
        .await
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["check-recorded", "fault-reported"]);
    let open = store.faults(FaultFilter::Open).await.expect("open");
    assert_eq!(open.len(), 1);
    assert_eq!(
        store.cameras_maintenance(30).await.expect("cameras")[0]
            .due
            .urgency,
        Urgency::OnTime
    );
    // The log reads both, in order, under the codes' columns.
    let checks = store.maintenance_checks(None, None).await.expect("checks");
    assert_eq!(checks.len(), 2);
    let csv = custos_domain::maintenance::csv(
        &checks,
        &open,
        &store.maintenance_times().await.expect("times"),
        clock.now().0,
    );
    assert!(csv.starts_with("Reference,Type,Camera,When"), "{csv}");
    assert_eq!(csv.lines().count(), 4, "{csv}");
}

/// BDC-19, LBU-16: a fault a person reports is in the same list as those the recorder finds;
/// the contractor is called to it (ledgered with when the pack's times make the response and
/// fix due), responds late against the council's four hours and fixes it in time against its
/// day, and the fault closes with the fix, each step in its ledger entry. The recorder closes
/// only the faults it opened. A fault already closed cannot have a contractor called to it,
/// and a response or fix is recorded once.
async fn bdc_19_the_contractor_is_called_responds_and_fixes_each_in_the_ledger(db: &TestDb) {
    use custos_domain::maintenance::{CallDraft, FaultDraft, Origin, Urgency};
    use custos_store::maintenance::FaultFilter;
    let (store, clock) = disclosure_scheme(db).await;
    let op = store.subject_of("op", None).await.expect("op");
    let mgr = store.subject_of("mgr", None).await.expect("mgr");
    let actor = Actor::User("op".to_owned());
    let cam = custos_domain::Ident::parse("front-gate").expect("id");
    let t0 = clock.now().0;
    let err = store
        .report_fault(
            &actor,
            &op,
            &FaultDraft {
                camera: cam.clone(),
                noticed_at_unix_ms: t0,
                description: "x".to_owned(),
            },
        )
        .await
        .expect_err("no description");
    assert!(err.to_string().contains("what is wrong"), "{err}");
    let reported = store
        .report_fault(
            &actor,
            &op,
            &FaultDraft {
                camera: cam.clone(),
                noticed_at_unix_ms: t0 - 600_000,
                description: "The housing is cracked and the picture mists over".to_owned(),
            },
        )
        .await
        .expect("reported");
    assert_eq!(reported.reference, "FLT-2026-0001");
    assert_eq!(reported.origin, Origin::Reported);
    // The recorder's own fault joins the same list, under the next reference.
    assert!(
        store
            .open_fault(&cam, t0 - 300_000, "no answer from the camera")
            .await
            .expect("open")
    );
    let open = store.faults(FaultFilter::Open).await.expect("open");
    let refs: Vec<(&str, Origin)> = open
        .iter()
        .map(|f| (f.reference.as_str(), f.origin))
        .collect();
    assert_eq!(
        refs,
        [
            ("FLT-2026-0001", Origin::Reported),
            ("FLT-2026-0002", Origin::Recorder)
        ]
    );
    assert_eq!(store.open_faults().await.expect("recorder's").len(), 1);
    // Recording again closes the recorder's fault, not the one reported.
    assert!(store.close_fault(&cam).await.expect("close"));
    let open = store.faults(FaultFilter::Open).await.expect("open");
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].reference, reported.reference);
    let err = store
        .call_contractor(
            &actor,
            &op,
            "FLT-2026-0002",
            &CallDraft {
                contractor: "Ace Security".to_owned(),
                job_reference: String::new(),
                called_at_unix_ms: t0,
            },
        )
        .await
        .expect_err("closed");
    assert!(err.to_string().contains("closed"), "{err}");

    let called = store
        .call_contractor(
            &actor,
            &op,
            &reported.reference,
            &CallDraft {
                contractor: "Ace Security".to_owned(),
                job_reference: "J-4411".to_owned(),
                called_at_unix_ms: t0,
            },
        )
        .await
        .expect("called");
    let m = store.maintenance_times().await.expect("times");
    assert_eq!(m.contractor_response_hours, 4);
    let state = called.contractor_state(&m, t0).expect("state");
    assert_eq!(state.response.due_unix_ms(), t0 + 4 * 3_600_000);
    assert_eq!(state.fix.due_unix_ms(), t0 + DAY);
    clock.advance_ms(3 * 3_600_000 + 60_000);
    assert_eq!(called.urgency(&m, clock.now().0), Urgency::Soon);
    clock.advance_ms(3_600_000);
    assert_eq!(called.urgency(&m, clock.now().0), Urgency::Overdue);
    let responded = store
        .record_contractor_response(&actor, &op, &reported.reference, None, "Engineer on site")
        .await
        .expect("responded");
    let state = responded
        .contractor_state(&m, clock.now().0)
        .expect("state");
    assert!(state.response.late(), "{state:?}");
    assert!(
        store
            .record_contractor_response(&actor, &op, &reported.reference, None, "again")
            .await
            .is_err(),
        "once"
    );
    let err = store
        .record_fault_fixed(&actor, &mgr, &reported.reference, None, "", true)
        .await
        .expect_err("no work said");
    assert!(err.to_string().contains("what was done"), "{err}");
    clock.advance_ms(3_600_000);
    let fixed = store
        .record_fault_fixed(
            &Actor::User("mgr".to_owned()),
            &mgr,
            &reported.reference,
            None,
            "Replaced the housing",
            true,
        )
        .await
        .expect("fixed");
    assert!(!fixed.is_open());
    let state = fixed.contractor_state(&m, clock.now().0).expect("state");
    assert!(!state.fix.late());
    assert_eq!(state.urgency(), Urgency::OnTime);
    assert!(
        store
            .faults(FaultFilter::Open)
            .await
            .expect("open")
            .is_empty()
    );
    let e = maintenance_entries(&store, &format!("fault:{}", reported.reference)).await;
    let kinds: Vec<&str> = e.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "fault-reported",
            "contractor-called",
            "contractor-responded",
            "fault-fixed"
        ]
    );
    assert!(e[1].body.contains("J-4411"), "{}", e[1].body);
    assert!(e[1].body.contains("response_due"), "{}", e[1].body);
    assert!(e[2].body.contains("\"late\":true"), "{}", e[2].body);
    assert!(e[3].body.contains("\"late\":false"), "{}", e[3].body);
    assert_eq!(e[3].actor, "user:mgr");
    let recorder = maintenance_entries(&store, "fault:FLT-2026-0002").await;
    let kinds: Vec<&str> = recorder.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["fault-opened", "fault-closed"]);
    let all = store
        .faults(FaultFilter::Between(i64::MIN, i64::MAX))
        .await
        .expect("all");
    assert_eq!(all.len(), 2);
    let row = all[0].row(&m, clock.now().0);
    assert_eq!(row[7], "Ace Security (job J-4411)");
    assert!(row[10].contains("late"), "{row:?}");
    assert!(row[13].contains("Replaced the housing"), "{row:?}");
}

/// SCC-8, BDC-18, BDC-35: nothing in the maintenance log is edited: a correction is a new
/// `maintenance-corrected` entry naming the check or fault, the ledger entry it corrects (the
/// one that recorded the detail, or its latest correction), the value before and after and
/// why; the rows as recorded stay, and the check or fault as it stands applies the
/// corrections. A correction without a reason, or of a detail not yet recorded, is refused.
async fn scc_8_a_correction_is_a_new_entry_naming_the_entry_it_corrects(db: &TestDb) {
    use custos_domain::maintenance::{CallDraft, CorrectionDraft, FaultDraft, Field};
    let (store, clock) = disclosure_scheme(db).await;
    let op = store.subject_of("op", None).await.expect("op");
    let actor = Actor::User("op".to_owned());
    let t0 = clock.now().0;
    let check = store
        .record_check(&actor, &op, &check_draft(t0, &[]))
        .await
        .expect("check");
    let err = store
        .correct_check(
            &actor,
            &op,
            &check.reference,
            &CorrectionDraft {
                field: Field::Focus,
                value: "fail: blurred after dark".to_owned(),
                reason: String::new(),
            },
        )
        .await
        .expect_err("no reason");
    assert!(err.to_string().contains("why"), "{err}");
    let corrected = store
        .correct_check(
            &actor,
            &op,
            &check.reference,
            &CorrectionDraft {
                field: Field::Focus,
                value: "fail: blurred after dark".to_owned(),
                reason: "looked again at dusk".to_owned(),
            },
        )
        .await
        .expect("corrected");
    assert_eq!(corrected.result_words(), "Failed: Focus");
    assert!(corrected.recorded.passed(), "as recorded it passed");
    let again = store
        .correct_check(
            &actor,
            &op,
            &check.reference,
            &CorrectionDraft {
                field: Field::Focus,
                value: "pass".to_owned(),
                reason: "the lens was only dewy".to_owned(),
            },
        )
        .await
        .expect("corrected again");
    assert_eq!(again.result_words(), "Passed");
    assert_eq!(again.corrections.len(), 2);
    let e = maintenance_entries(&store, &format!("check:{}", check.reference)).await;
    let kinds: Vec<&str> = e.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "check-recorded",
            "maintenance-corrected",
            "maintenance-corrected"
        ]
    );
    assert!(
        e[1].body.contains(&format!("\"corrects\":{}", e[0].seq)),
        "the first correction corrects the check: {}",
        e[1].body
    );
    assert!(
        e[2].body.contains(&format!("\"corrects\":{}", e[1].seq)),
        "the second corrects the first: {}",
        e[2].body
    );
    assert!(e[1].body.contains("\"before\":\"pass\""), "{}", e[1].body);
    assert!(e[1].body.contains("looked again at dusk"), "{}", e[1].body);
    assert_eq!(
        db.count("SELECT 1 FROM maintenance_check_items WHERE item = 'focus' AND passed = 1")
            .await,
        1,
        "the row as recorded is unchanged"
    );
    assert_eq!(db.count("SELECT 1 FROM maintenance_corrections").await, 2);

    // A fault's contractor: not before it is recorded; then corrected, naming the call.
    let f = store
        .report_fault(
            &actor,
            &op,
            &FaultDraft {
                camera: custos_domain::Ident::parse("front-gate").expect("id"),
                noticed_at_unix_ms: t0,
                description: "No picture at night".to_owned(),
            },
        )
        .await
        .expect("fault");
    let contractor = |value: &str| CorrectionDraft {
        field: Field::Contractor,
        value: value.to_owned(),
        reason: "a different firm came".to_owned(),
    };
    let err = store
        .correct_fault(&actor, &op, &f.reference, &contractor("Best Cameras Ltd"))
        .await
        .expect_err("no call yet");
    assert!(err.to_string().contains("rather than correct"), "{err}");
    clock.advance_ms(60_000);
    store
        .call_contractor(
            &actor,
            &op,
            &f.reference,
            &CallDraft {
                contractor: "Ace Security".to_owned(),
                job_reference: String::new(),
                called_at_unix_ms: clock.now().0,
            },
        )
        .await
        .expect("called");
    let err = store
        .correct_fault(
            &actor,
            &op,
            &f.reference,
            &CorrectionDraft {
                field: Field::Focus,
                value: "pass".to_owned(),
                reason: "not a detail of a fault".to_owned(),
            },
        )
        .await
        .expect_err("a check's detail");
    assert!(err.to_string().contains("detail of a check"), "{err}");
    let fixed = store
        .correct_fault(&actor, &op, &f.reference, &contractor("Best Cameras Ltd"))
        .await
        .expect("corrected");
    assert_eq!(
        fixed.current().contractor.map(|c| c.contractor).as_deref(),
        Some("Best Cameras Ltd")
    );
    assert_eq!(
        fixed.contractor.map(|c| c.contractor).as_deref(),
        Some("Ace Security"),
        "as recorded"
    );
    let e = maintenance_entries(&store, &format!("fault:{}", f.reference)).await;
    assert_eq!(e[1].kind, "contractor-called");
    assert_eq!(e[2].kind, "maintenance-corrected");
    assert!(
        e[2].body.contains(&format!("\"corrects\":{}", e[1].seq)),
        "{}",
        e[2].body
    );
    // A correction of a check's time moves when its camera is next due.
    let moved = store
        .correct_check(
            &actor,
            &op,
            &check.reference,
            &CorrectionDraft {
                field: Field::CheckedAt,
                value: (t0 - 2 * 3_600_000).to_string(),
                reason: "entered after the round".to_owned(),
            },
        )
        .await
        .expect("time corrected");
    assert_eq!(moved.current().checked_at_unix_ms, t0 - 2 * 3_600_000);
    let cams = store.cameras_maintenance(30).await.expect("cameras");
    assert_eq!(cams[0].due.last_checked_unix_ms, Some(t0 - 2 * 3_600_000));
}

/// ALT-15, LBU-16: a camera's availability over a period is the share of it covered by
/// recorded footage of its main stream, measured from when it was registered and never
/// before the oldest footage its retention period keeps (footage deleted at the end of its
/// period is not time the camera failed to record).
async fn alt_15_availability_is_the_share_of_the_period_with_footage(db: &TestDb) {
    let (store, clock) = disclosure_scheme(db).await;
    let footage = tempfile::tempdir().expect("footage");
    let t0 = clock.now().0;
    let cams = store.cameras_maintenance(30).await.expect("cameras");
    assert_eq!(
        cams[0].availability.expect("measured").percent_words(),
        "not measured",
        "no time has passed since it was registered"
    );
    for minute in 0..30 {
        record_minute(&store, footage.path(), t0 + minute * 60_000).await;
    }
    clock.advance_ms(2 * 3_600_000);
    let a = store.cameras_maintenance(30).await.expect("cameras")[0]
        .availability
        .expect("measured");
    assert_eq!(a.from_unix_ms, t0, "from when the camera was registered");
    assert_eq!(a.recorded_ms, 30 * 60_000);
    assert_eq!(a.percent_words(), "25.0%");
    // Thirty-one days on, the council's thirty days of footage no longer reach back to it:
    // the time measured starts thirty days ago, and nothing was recorded since.
    clock.advance_ms(31 * DAY);
    let a = store.cameras_maintenance(30).await.expect("cameras")[0]
        .availability
        .expect("measured");
    assert_eq!(a.from_unix_ms, clock.now().0 - 30 * DAY);
    assert_eq!(a.percent_words(), "0.0%");
}

/// LBU-24: under Bassetlaw's pack, silent on body-worn cameras (so the lawful default
/// keeps the log), the DPO may not register a camera; the operator registers one with
/// every detail, issues it for the day only with the officer's acknowledgement, may not
/// issue it twice or retire it while out; past the end of the shift it is overdue and on
/// the supervisor's checks; it comes back once, never before it went out; retired, it is
/// never issued again; and every change is in book `bwv`.
async fn lbu_24_a_body_worn_camera_is_issued_with_the_acknowledgement_and_returned_once(
    db: &TestDb,
) {
    use custos_domain::bodyworn::{Assignment, DeviceDraft, IssueDraft};
    let (store, clock, _docs) = visitors_scheme(db).await;
    let [op, dp] = [
        store.subject_of("op", None).await.expect("op"),
        store.subject_of("dp", None).await.expect("dp"),
    ];
    let actor = Actor::User("op".to_owned());
    const H: i64 = 3_600_000;
    let id = custos_domain::Ident::parse("bwv-07").expect("id");
    let device = DeviceDraft {
        id: id.clone(),
        serial: "SN-44821".to_owned(),
        model: "Reveal D5".to_owned(),
        owner: "Community safety".to_owned(),
    };
    let err = store
        .register_bwv_device(&Actor::User("dp".to_owned()), &dp, &device)
        .await
        .expect_err("the DPO does not keep the log");
    assert!(matches!(err, StoreError::Forbidden(_)), "{err}");
    let err = store
        .register_bwv_device(
            &actor,
            &op,
            &DeviceDraft {
                serial: String::new(),
                owner: " ".to_owned(),
                ..device.clone()
            },
        )
        .await
        .expect_err("details missing");
    assert!(
        err.to_string().contains("serial") && err.to_string().contains("owns"),
        "{err}"
    );
    store
        .register_bwv_device(&actor, &op, &device)
        .await
        .expect("registered");
    store
        .register_bwv_device(&actor, &op, &device)
        .await
        .expect_err("the id is taken");

    let now = clock.now().0;
    let draft = |acknowledged: bool| IssueDraft {
        device: id.clone(),
        officer: "Sam Officer".to_owned(),
        assignment: Assignment::Daily,
        issued_at_unix_ms: now,
        acknowledged,
        typed_name: "Sam Officer".to_owned(),
    };
    let err = store
        .issue_bwv(&actor, &op, &draft(false))
        .await
        .expect_err("no acknowledgement");
    assert!(err.to_string().contains("acknowledgement"), "{err}");
    let issue = store
        .issue_bwv(&actor, &op, &draft(true))
        .await
        .expect("issued");
    assert!(issue.reference.starts_with("BWV-20"), "{}", issue.reference);
    let err = store
        .issue_bwv(&actor, &op, &draft(true))
        .await
        .expect_err("out already");
    assert!(err.to_string().contains(&issue.reference), "{err}");
    store
        .retire_bwv_device(&actor, &op, &id)
        .await
        .expect_err("out: it cannot be retired");
    assert_eq!(
        store
            .bwv_open_issue(&id)
            .await
            .expect("open")
            .map(|i| i.reference),
        Some(issue.reference.clone())
    );

    // Past the end of the shift: overdue, and on the supervisor's checks.
    clock.advance_ms(13 * H);
    let late = clock.now().0;
    let out = store.bwv_out().await.expect("out");
    assert!(out.len() == 1 && out[0].overdue(late), "{out:?}");
    let check = store.book_check(Book::Bwv).await.expect("check");
    assert_eq!(
        check
            .items
            .iter()
            .map(|i| i.reference.clone())
            .collect::<Vec<_>>(),
        vec![issue.reference.clone()]
    );
    store
        .return_bwv(&actor, &op, &issue.reference, Some(now - H))
        .await
        .expect_err("not before it went out");
    let back = store
        .return_bwv(&actor, &op, &issue.reference, None)
        .await
        .expect("returned");
    assert_eq!(back.returned_at_unix_ms, Some(late));
    store
        .return_bwv(&actor, &op, &issue.reference, None)
        .await
        .expect_err("once");
    assert!(store.bwv_out().await.expect("out").is_empty());
    assert!(
        store
            .book_check(Book::Bwv)
            .await
            .expect("check")
            .items
            .is_empty()
    );
    let retired = store
        .retire_bwv_device(&actor, &op, &id)
        .await
        .expect("retired");
    assert!(retired.retired_at_unix_ms.is_some());
    let err = store
        .issue_bwv(&actor, &op, &draft(true))
        .await
        .expect_err("retired");
    assert!(err.to_string().contains("retired"), "{err}");
    assert_eq!(store.bwv_issues().await.expect("issues").len(), 1);

    let kinds: Vec<String> = store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::Bwv),
            ..LedgerQuery::default()
        })
        .await
        .expect("entries")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "bwv-device-registered",
            "bwv-issued",
            "bwv-returned",
            "bwv-device-retired"
        ]
    );
}

fn day(s: &str) -> jiff::civil::Date {
    s.parse().expect("a day")
}

fn recorder(installed: &str) -> custos_domain::equipment::Details {
    custos_domain::equipment::Details {
        kind: custos_domain::equipment::Kind::Recorder,
        camera: None,
        make_model: "Dell PowerEdge R350".to_owned(),
        serial_number: "7XQ2K93".to_owned(),
        location: "Control room rack 1".to_owned(),
        installed_on: Some(day(installed)),
        removed_on: None,
        notes: String::new(),
    }
}

async fn equipment_entries(
    store: &Store,
    reference: &str,
) -> Vec<custos_domain::ledger::StoredEntry> {
    store
        .ledger_entries(&LedgerQuery {
            reference: Some(format!("equipment:{reference}")),
            ..Default::default()
        })
        .await
        .expect("entries")
}

/// BDC-37, BDC-18: the list of installed equipment holds the register's cameras (name,
/// place, the day registered and the day retired) with the details entered for them (make,
/// model, serial number, the day installed), and the recorders, monitors and links entered
/// by a keeper of the list (not the DPO here) with every detail the code names; at most one
/// standing entry of details per camera, only for a camera of the register.
async fn bdc_37_the_list_holds_the_registers_cameras_and_the_equipment_entered(db: &TestDb) {
    use custos_domain::equipment::{Details, Kind};
    let (store, _clock) = disclosure_scheme(db).await;
    let op = store.subject_of("op", None).await.expect("op");
    let dpo = store.subject_of("dp", None).await.expect("dpo");
    let actor = Actor::User("op".to_owned());
    // The DPO does not keep the list; an incomplete entry is refused with every problem.
    let err = store
        .enter_equipment(&Actor::User("dp".to_owned()), &dpo, &recorder("2026-03-01"))
        .await
        .expect_err("not a keeper");
    assert!(matches!(err, StoreError::Forbidden(_)), "{err:?}");
    let err = store
        .enter_equipment(
            &actor,
            &op,
            &Details {
                kind: Kind::Monitor,
                camera: None,
                make_model: String::new(),
                serial_number: String::new(),
                location: String::new(),
                installed_on: Some(day("2027-01-01")),
                removed_on: None,
                notes: String::new(),
            },
        )
        .await
        .expect_err("incomplete");
    let text = err.to_string();
    for want in ["make and model", "serial number", "where", "future"] {
        assert!(text.contains(want), "{want}: {text}");
    }
    assert!(store.equipment_items().await.expect("items").is_empty());

    let rec = store
        .enter_equipment(&actor, &op, &recorder("2026-03-01"))
        .await
        .expect("recorder");
    assert_eq!(rec.reference, "EQ-2026-0001");
    let cam_details = Details {
        kind: Kind::Camera,
        camera: Some("front-gate".to_owned()),
        make_model: "Axis P1455-LE".to_owned(),
        serial_number: "ACCC8E000001".to_owned(),
        location: String::new(),
        installed_on: Some(day("2025-12-01")),
        removed_on: None,
        notes: String::new(),
    };
    let cam = store
        .enter_equipment(&actor, &op, &cam_details)
        .await
        .expect("camera details");
    let again = store
        .enter_equipment(&actor, &op, &cam_details)
        .await
        .expect_err("one standing entry per camera");
    assert!(again.to_string().contains(&cam.reference), "{again}");
    let mut nowhere = cam_details.clone();
    nowhere.camera = Some("no-such-camera".to_owned());
    let err = store
        .enter_equipment(&actor, &op, &nowhere)
        .await
        .expect_err("not in the register");
    assert!(err.to_string().contains("no camera"), "{err}");

    let list = store.equipment_list().await.expect("list");
    assert_eq!(list.len(), 2, "{list:?}");
    assert_eq!(list[0].cells[1], "Camera: Front gate");
    assert_eq!(list[0].cells[3], "ACCC8E000001");
    assert_eq!(list[0].cells[4], "Above the main gate");
    assert_eq!(list[0].cells[5], "2025-12-01");
    assert_eq!(list[1].cells[1], "Recorder");
    assert_eq!(list[1].cells[3], "7XQ2K93");
    let e = equipment_entries(&store, &cam.reference).await;
    assert_eq!(e.len(), 1);
    assert_eq!(
        (e[0].book.as_str(), e[0].kind.as_str()),
        ("equipment", "equipment-entered")
    );
    assert!(e[0].refs.contains("camera:front-gate"), "{}", e[0].refs);
    assert!(e[0].body.contains("ACCC8E000001"), "{}", e[0].body);

    // A camera retired from the register is listed with the day it was retired.
    store
        .retire_camera(
            &console(),
            &custos_domain::Ident::parse("front-gate").expect("id"),
            "replaced",
        )
        .await
        .expect("retire");
    let list = store.equipment_list().await.expect("list");
    assert_eq!(list[0].cells[6], "2026-11-01 (retired from the register)");
    assert!(!list[0].installed);
    let csv = custos_domain::equipment::csv(&list);
    assert!(
        csv.starts_with("Reference,Equipment,Make and model,Serial number,Location,Installed,Removed,Notes,Corrections\r\n"),
        "{csv}"
    );
}

/// BDC-37, BDC-35: an entry is never edited: its removal is a new entry (not before its
/// installation, not in the future, once), and a correction is a new entry naming the
/// detail, its value before and after, and why; the entry as made stays.
async fn bdc_37_a_removal_and_a_correction_are_new_entries_and_the_entry_stays(db: &TestDb) {
    use custos_domain::equipment::{CorrectionDraft, Field};
    let (store, _clock) = disclosure_scheme(db).await;
    let op = store.subject_of("op", None).await.expect("op");
    let actor = Actor::User("op".to_owned());
    let rec = store
        .enter_equipment(&actor, &op, &recorder("2026-03-01"))
        .await
        .expect("recorder");
    let err = store
        .record_equipment_removed(&actor, &op, &rec.reference, day("2026-02-01"), "faulty")
        .await
        .expect_err("before installation");
    assert!(err.to_string().contains("before"), "{err}");
    let err = store
        .record_equipment_removed(&actor, &op, &rec.reference, day("2026-12-01"), "faulty")
        .await
        .expect_err("in the future");
    assert!(err.to_string().contains("future"), "{err}");
    let removed = store
        .record_equipment_removed(
            &actor,
            &op,
            &rec.reference,
            day("2026-10-30"),
            "faulty disk",
        )
        .await
        .expect("removed");
    assert!(!removed.installed());
    assert!(
        store
            .record_equipment_removed(&actor, &op, &rec.reference, day("2026-10-31"), "again")
            .await
            .is_err(),
        "removed once"
    );
    let err = store
        .correct_equipment(
            &actor,
            &op,
            &rec.reference,
            &CorrectionDraft {
                field: Field::SerialNumber,
                value: "7XQ2K98".to_owned(),
                reason: String::new(),
            },
        )
        .await
        .expect_err("no reason");
    assert!(err.to_string().contains("why"), "{err}");
    let c = store
        .correct_equipment(
            &actor,
            &op,
            &rec.reference,
            &CorrectionDraft {
                field: Field::SerialNumber,
                value: "7XQ2K98".to_owned(),
                reason: "a digit misread from the label".to_owned(),
            },
        )
        .await
        .expect("corrected");
    assert_eq!(c.current().serial_number, "7XQ2K98");
    assert_eq!(c.recorded.serial_number, "7XQ2K93");
    assert_eq!(
        db.count("SELECT 1 FROM equipment WHERE serial_number = '7XQ2K93'")
            .await,
        1
    );
    assert_eq!(db.count("SELECT 1 FROM equipment_corrections").await, 1);
    let kinds: Vec<String> = equipment_entries(&store, &rec.reference)
        .await
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "equipment-entered",
            "equipment-removed",
            "equipment-corrected"
        ]
    );
    let list = store.equipment_list().await.expect("list");
    let row = list
        .iter()
        .find(|r| r.reference == rec.reference)
        .expect("listed");
    assert_eq!(row.cells[6], "2026-10-30 (faulty disk)");
    assert!(row.cells[8].contains("a digit misread"), "{:?}", row.cells);
    assert!(!row.installed);
}

/// Records `seconds` of the simulated camera's real H.264 footage (640×360, 25 frames a
/// second, a key frame every second) of camera `cam` from `start`, as the recorder does: the
/// day's init segment, one encrypted segment file of one fragment per group of pictures
/// with its index row and SHA-256. Returns the segment's path under `footage`.
async fn record_simulated(
    store: &Store,
    footage: &std::path::Path,
    cam: &str,
    start: i64,
    seconds: u32,
) -> String {
    use custos_media::mp4::nal::{Codec, split_access_units, split_annex_b};
    use custos_media::mp4::{
        FragmentBuilder, Sample, TrackConfig, append_sample_data, init_segment,
    };
    use custos_media::segfile::{FileKind, RecordMeta, SegmentWriter};
    use custos_media::simcam::{SimCamConfig, annex_b_clip};
    use custos_store::recordings::{FragmentIndex, InitSegment, Segment};
    let config = SimCamConfig {
        cameras: 1,
        width: 640,
        height: 360,
        fps: 25,
        gop_frames: 25,
    };
    let clip = annex_b_clip(&config, 1, start, u64::from(seconds) * 25).expect("simulated footage");
    let nals: Vec<&[u8]> = split_annex_b(&clip).collect();
    let units = split_access_units(Codec::H264, &nals);
    let track = TrackConfig::from_nals(Codec::H264, units[0].iter().copied())
        .expect("parameter sets")
        .expect("the first unit carries them");
    let mut gops: Vec<Vec<Vec<u8>>> = Vec::new();
    for unit in &units {
        let mut data = Vec::new();
        let summary = append_sample_data(Codec::H264, unit.iter().copied(), &mut data).expect("ok");
        if summary.is_random_access {
            gops.push(Vec::new());
        }
        gops.last_mut().expect("a key frame first").push(data);
    }
    let id = custos_domain::Ident::parse(cam).expect("id");
    let day = UnixMs(start).to_uk_local_input()[..10].to_owned();
    let key = store.data_key(&id, &day).await.expect("key");
    let init = init_segment(&track);
    let init_sha = custos_domain::ledger::to_hex(&Sha256::digest(&init));
    let init_id = format!("{cam}-{}", &init_sha[..16]);
    let init_path = format!("{cam}/{day}/init-{}.cinit", &init_sha[..16]);
    std::fs::create_dir_all(footage.join(format!("{cam}/{day}"))).expect("dir");
    if store.init_segment(&init_id).await.expect("init").is_none() {
        let mut w = SegmentWriter::create(&footage.join(&init_path), FileKind::Init, key.bytes())
            .expect("init file");
        w.append(
            &init,
            &RecordMeta {
                start_unix_ms: 0,
                frames: 0,
                duration_ms: 0,
            },
        )
        .expect("init record");
        w.sync().expect("sync");
        store
            .add_init_segment(&InitSegment {
                id: init_id.clone(),
                camera: id.clone(),
                stream: "main".into(),
                codec: track.codec_string().to_owned(),
                width: u32::from(track.width()),
                height: u32::from(track.height()),
                path: init_path,
                day: day.clone(),
                sha256: init_sha,
            })
            .await
            .expect("init row");
    }
    let path = format!("{cam}/{day}/{start}-main.cseg");
    let mut w = SegmentWriter::create(&footage.join(&path), FileKind::Media, key.bytes())
        .expect("segment file");
    let (mut hasher, mut offset, mut fragments) = (Sha256::new(), 0u64, Vec::new());
    for (k, gop) in gops.iter().enumerate() {
        let base = k as u64 * 90_000;
        let mut b = FragmentBuilder::new(k as u32 + 1, base);
        for (i, data) in gop.iter().enumerate() {
            b.push(Sample {
                data,
                duration_90k: Some(3600),
                is_sync: i == 0,
                composition_offset_90k: 0,
            })
            .expect("sample");
        }
        let frag = b.finish().expect("fragment");
        let frag_start = start + k as i64 * 1000;
        w.append(
            &frag.bytes,
            &RecordMeta {
                start_unix_ms: frag_start,
                frames: gop.len() as u32,
                duration_ms: 1000,
            },
        )
        .expect("record");
        hasher.update(&frag.bytes);
        fragments.push(FragmentIndex {
            offset,
            len: frag.bytes.len() as u64,
            start_unix_ms: frag_start,
            frames: gop.len() as u32,
            decode_base_90k: base,
            decode_duration_90k: frag.duration_90k,
        });
        offset += frag.bytes.len() as u64;
    }
    w.sync().expect("sync");
    store
        .add_segment(&Segment {
            path: path.clone(),
            camera: id,
            stream: "main".into(),
            init_id,
            day,
            start_unix_ms: start,
            end_unix_ms: start + i64::from(seconds) * 1000,
            frames: u64::from(seconds) * 25,
            bytes: offset,
            sha256: custos_domain::ledger::to_hex(&hasher.finalize()),
            fragments,
            recovered: false,
        })
        .await
        .expect("segment row");
    path
}

fn inspector() -> custos_domain::prints::AuthorityDraft {
    use custos_domain::prints::{AuthorityDraft, Officer, Rank};
    AuthorityDraft {
        officer: Officer {
            name: "Jane Doe".to_owned(),
            rank: Rank::Inspector,
            number: "4321".to_owned(),
            force: "Nottinghamshire Police".to_owned(),
        },
        request: "Stills of the assault outside the Crown".to_owned(),
        dated: Some(day("2026-11-01")),
        document_attached: true,
    }
}

fn written_authority() -> custos_store::prints::AuthorityDocument {
    custos_store::prints::AuthorityDocument {
        name: "authority.pdf".to_owned(),
        contents: b"%PDF-1.4 signed by Inspector Jane Doe".to_vec(),
    }
}

async fn print_entries(store: &Store) -> Vec<custos_domain::ledger::StoredEntry> {
    store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::VideoPrints),
            ..Default::default()
        })
        .await
        .expect("entries")
}

/// Runs `cmd`, failing the test with its stderr if it fails.
fn run_tool(cmd: &mut std::process::Command) -> Vec<u8> {
    let out = cmd
        .output()
        .expect("ffmpeg and ffprobe are installed (Debian: apt-get install ffmpeg)");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// BDC-34: a print's written authority is refused below Inspector, without the document or
/// from someone who does not keep the register, and then nothing at all is recorded; with
/// an Inspector's authority a keeper makes a still of recorded footage: a real PNG, decoded
/// by FFmpeg from the recorded fragment, of the frame at or before the moment (the simulated
/// camera draws its time on each frame), at the footage's size, with a sidecar naming the
/// segment by the SHA-256 the store keeps; the footage is not changed; without FFmpeg the
/// print is refused saying so, and nothing is recorded.
async fn bdc_34_a_print_is_a_still_decoded_from_the_footage_on_an_inspectors_written_authority(
    db: &TestDb,
) {
    use custos_domain::prints::Rank;
    let (store, clock) = disclosure_scheme(db).await;
    let footage = tempfile::tempdir().expect("footage");
    let docs = tempfile::tempdir().expect("documents");
    let op = store.subject_of("op", None).await.expect("op");
    let dpo = store.subject_of("dp", None).await.expect("dpo");
    let actor = Actor::User("op".to_owned());
    let cam = custos_domain::Ident::parse("front-gate").expect("id");
    let start = clock.now().0 - 60_000;
    let seg_path = record_simulated(&store, footage.path(), "front-gate", start, 3).await;
    let seg_file_sha = |p: &std::path::Path| {
        custos_domain::ledger::to_hex(&Sha256::digest(std::fs::read(p).expect("segment")))
    };
    let before = seg_file_sha(&footage.path().join(&seg_path));

    // Refused below Inspector, without the written authority, and to the DPO: nothing kept.
    let mut sergeant = inspector();
    sergeant.officer.rank = Rank::Sergeant;
    let err = store
        .record_print_authority(&actor, &op, docs.path(), &sergeant, &written_authority())
        .await
        .expect_err("a sergeant");
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert!(err.to_string().contains("Inspector or above"), "{err}");
    let err = store
        .record_print_authority(
            &actor,
            &op,
            docs.path(),
            &inspector(),
            &custos_store::prints::AuthorityDocument {
                name: "empty.pdf".to_owned(),
                contents: Vec::new(),
            },
        )
        .await
        .expect_err("no document");
    assert!(
        err.to_string().contains("attach the written authority"),
        "{err}"
    );
    let err = store
        .record_print_authority(
            &Actor::User("dp".to_owned()),
            &dpo,
            docs.path(),
            &inspector(),
            &written_authority(),
        )
        .await
        .expect_err("not a keeper");
    assert!(matches!(err, StoreError::Forbidden(_)), "{err:?}");
    assert!(store.print_authorities().await.expect("list").is_empty());
    assert!(print_entries(&store).await.is_empty());
    assert!(walk(docs.path()).is_empty(), "no file kept");

    let a = store
        .record_print_authority(&actor, &op, docs.path(), &inspector(), &written_authority())
        .await
        .expect("authority");
    assert_eq!(a.reference, "VPA-2026-0001");
    let (name, bytes) = store
        .print_authority_document(docs.path(), &a.reference)
        .await
        .expect("document");
    assert_eq!(
        (name.as_str(), bytes),
        ("authority.pdf", written_authority().contents)
    );
    for f in walk(docs.path()) {
        let raw = std::fs::read(&f).expect("read");
        assert!(
            !raw.windows(9).any(|w| w == b"signed by"),
            "the written authority is kept encrypted"
        );
    }

    // Without FFmpeg: refused, saying so, and nothing recorded.
    let moment = start + 1530;
    store.set_ffmpeg_program("/nonexistent/custos-test/ffmpeg");
    assert!(!store.can_make_prints());
    let err = store
        .make_video_print(
            &actor,
            &op,
            footage.path(),
            docs.path(),
            &custos_store::prints::NewPrint {
                authority: &a.reference,
                camera: &cam,
                moment_unix_ms: moment,
            },
        )
        .await
        .expect_err("no ffmpeg");
    let text = err.to_string();
    assert!(text.contains("needs the ffmpeg program"), "{text}");
    assert!(text.contains("nothing was recorded"), "{text}");
    assert!(store.video_prints().await.expect("prints").is_empty());
    store.set_ffmpeg_program("ffmpeg");
    assert!(store.can_make_prints());
    // A moment without footage.
    let err = store
        .make_video_print(
            &actor,
            &op,
            footage.path(),
            docs.path(),
            &custos_store::prints::NewPrint {
                authority: &a.reference,
                camera: &cam,
                moment_unix_ms: start - 3_600_000,
            },
        )
        .await
        .expect_err("no footage then");
    assert!(err.to_string().contains("no recorded footage"), "{err}");
    assert!(store.video_prints().await.expect("prints").is_empty());

    let p = store
        .make_video_print(
            &actor,
            &op,
            footage.path(),
            docs.path(),
            &custos_store::prints::NewPrint {
                authority: &a.reference,
                camera: &cam,
                moment_unix_ms: moment,
            },
        )
        .await
        .expect("print");
    assert_eq!(p.reference, "VP-2026-0001");
    assert_eq!(p.authority, a.reference);
    // Frames come every 40 ms: the last at or before 1.530 s is the one at 1.520 s.
    assert_eq!(p.source.frame_unix_ms, start + 1520);
    assert_eq!((p.source.width, p.source.height), (640, 360));
    let png = store
        .video_print_still(&actor, docs.path(), &p.reference)
        .await
        .expect("still");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert_eq!(
        custos_domain::ledger::to_hex(&Sha256::digest(&png)),
        p.source.still_sha256
    );
    let file = docs.path().join("still.png");
    std::fs::write(&file, &png).expect("write");
    let probe = String::from_utf8(run_tool(
        std::process::Command::new("ffprobe")
            .args([
                "-v",
                "error",
                "-show_entries",
                "stream=codec_name,width,height",
            ])
            .args(["-of", "csv=p=0"])
            .arg(&file),
    ))
    .expect("text");
    assert_eq!(probe.trim(), "png,640,360");
    // The picture is the frame of that moment: the simulated camera's clock on it says so.
    let luma = run_tool(
        std::process::Command::new("ffmpeg")
            .args(["-v", "error", "-i"])
            .arg(&file)
            .args(["-f", "rawvideo", "-pix_fmt", "gray", "-"]),
    );
    let overlay = custos_media::simcam::read_overlay(&luma, 640, 360).expect("its text box");
    assert_eq!(overlay.unix_ms, start + 1520);

    // The sidecar names the segment by the SHA-256 the store keeps, and the authority.
    let sidecar = store
        .video_print_sidecar(docs.path(), &p.reference)
        .await
        .expect("sidecar");
    let sidecar: serde_json::Value = serde_json::from_slice(&sidecar).expect("JSON");
    let seg = store
        .segments(Some(&cam), Some("main"), start, start + 1)
        .await
        .expect("segments")
        .remove(0);
    assert_eq!(sidecar["segment"]["sha256"], seg.sha256.as_str());
    assert_eq!(sidecar["segment"]["file"], seg_path.as_str());
    assert_eq!(sidecar["segment"]["fragment_index"], 1);
    assert_eq!(sidecar["camera"]["id"], "front-gate");
    assert_eq!(sidecar["frame_unix_ms"], start + 1520);
    assert_eq!(sidecar["still"]["sha256"], p.source.still_sha256.as_str());
    assert_eq!(sidecar["authority"]["reference"], "VPA-2026-0001");
    assert_eq!(sidecar["authority"]["rank"], "Inspector");
    assert_eq!(p.source.segment_sha256, seg.sha256);
    // The footage itself is as it was.
    assert_eq!(seg_file_sha(&footage.path().join(&seg_path)), before);
    store
        .segment_records(footage.path(), &seg)
        .await
        .expect("the segment still matches its SHA-256");

    let kinds: Vec<String> = print_entries(&store)
        .await
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "print-authority-recorded",
            "video-print-made",
            "video-print-downloaded"
        ]
    );
    let made = print_entries(&store).await.remove(1);
    assert!(made.refs.contains("camera:front-gate"), "{}", made.refs);
    assert!(made.refs.contains("print:VP-2026-0001"), "{}", made.refs);
    assert!(made.body.contains(&seg.sha256), "{}", made.body);
}

/// BDC-34, BDC-18: a print is given to someone (recorded once, corrected as a new entry),
/// listed as awaiting destruction while kept, destroyed only once a countersigner of the
/// register (the manager here; not the operator) has authorised it; its destruction drops
/// its key and deletes its still and sidecar, and the register keeps the whole record.
async fn bdc_34_a_print_is_given_kept_and_destroyed_only_when_authorised(db: &TestDb) {
    use custos_domain::prints::{CorrectionDraft, Given, PrintField};
    let (store, clock) = disclosure_scheme(db).await;
    let footage = tempfile::tempdir().expect("footage");
    let docs = tempfile::tempdir().expect("documents");
    let op = store.subject_of("op", None).await.expect("op");
    let mgr = store.subject_of("mgr", None).await.expect("mgr");
    let (as_op, as_mgr) = (Actor::User("op".to_owned()), Actor::User("mgr".to_owned()));
    let cam = custos_domain::Ident::parse("front-gate").expect("id");
    let start = clock.now().0 - 60_000;
    record_simulated(&store, footage.path(), "front-gate", start, 2).await;
    let a = store
        .record_print_authority(&as_op, &op, docs.path(), &inspector(), &written_authority())
        .await
        .expect("authority");
    let p = store
        .make_video_print(
            &as_op,
            &op,
            footage.path(),
            docs.path(),
            &custos_store::prints::NewPrint {
                authority: &a.reference,
                camera: &cam,
                moment_unix_ms: start + 500,
            },
        )
        .await
        .expect("print");
    assert_eq!(p.source.frame_unix_ms, start + 480);
    let awaiting = store.prints_awaiting_destruction().await.expect("awaiting");
    assert_eq!(awaiting.len(), 1);
    assert_eq!(awaiting[0].reference, p.reference);

    let given = Given {
        to: "PC Smith".to_owned(),
        organisation: "Nottinghamshire Police".to_owned(),
        at_unix_ms: clock.now().0,
    };
    store
        .give_video_print(&as_op, &op, &p.reference, &given)
        .await
        .expect("given");
    assert!(
        store
            .give_video_print(&as_op, &op, &p.reference, &given)
            .await
            .is_err(),
        "given once"
    );
    let c = store
        .correct_video_print(
            &as_op,
            &op,
            &p.reference,
            &CorrectionDraft {
                field: PrintField::GivenTo,
                value: "PC Smyth".to_owned(),
                reason: "the name was spelt wrongly".to_owned(),
            },
        )
        .await
        .expect("corrected");
    assert_eq!(c.current_given().expect("given").to, "PC Smyth");
    assert_eq!(c.given.as_ref().expect("given").to, "PC Smith");

    let err = store
        .destroy_video_print(&as_op, &op, docs.path(), &p.reference)
        .await
        .expect_err("not authorised yet");
    assert!(err.to_string().contains("not authorised"), "{err}");
    let err = store
        .authorise_print_destruction(&as_op, &op, &p.reference, "no longer needed")
        .await
        .expect_err("an operator does not countersign");
    assert!(matches!(err, StoreError::Forbidden(_)), "{err:?}");
    let authorised = store
        .authorise_print_destruction(&as_mgr, &mgr, &p.reference, "the case is closed")
        .await
        .expect("authorised");
    assert_eq!(
        authorised
            .destruction_authorised
            .as_ref()
            .map(|d| d.role.as_str()),
        Some("manager")
    );
    let awaiting = store.prints_awaiting_destruction().await.expect("awaiting");
    assert!(awaiting[0].destruction_authorised.is_some());
    // BDC-18: the supervisor's checks list it for destruction.
    let check = store.book_check(Book::VideoPrints).await.expect("check");
    assert_eq!(
        check
            .items
            .iter()
            .map(|i| (i.reference.as_str(), i.need))
            .collect::<Vec<_>>(),
        vec![(
            p.reference.as_str(),
            custos_domain::checks::Need::Destruction
        )]
    );
    assert_eq!(
        walk(&docs.path().join("prints")).len(),
        2,
        "still and sidecar"
    );
    let destroyed = store
        .destroy_video_print(&as_op, &op, docs.path(), &p.reference)
        .await
        .expect("destroyed");
    assert!(!destroyed.kept());
    assert!(
        store
            .book_check(Book::VideoPrints)
            .await
            .expect("check")
            .items
            .is_empty(),
        "nothing waits once destroyed"
    );
    assert!(
        walk(&docs.path().join("prints")).is_empty(),
        "the files are deleted"
    );
    assert_eq!(
        db.count("SELECT 1 FROM video_prints WHERE key_sealed IS NULL")
            .await,
        1
    );
    assert!(
        store
            .video_print_still(&as_op, docs.path(), &p.reference)
            .await
            .is_err()
    );
    assert!(
        store
            .prints_awaiting_destruction()
            .await
            .expect("awaiting")
            .is_empty()
    );
    let kinds: Vec<String> = print_entries(&store)
        .await
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "print-authority-recorded",
            "video-print-made",
            "video-print-given",
            "video-print-corrected",
            "video-print-destruction-authorised",
            "video-print-destroyed"
        ]
    );
    let prints = store.video_prints().await.expect("prints");
    let csv = custos_domain::prints::csv(&prints, &store.print_authorities().await.expect("a"));
    assert!(
        csv.starts_with("Reference,Made,Made by,Camera,Moment shown,Authority,Officer,Rank,Warrant or collar number,Force,Authority dated,Given to,Given at,Destruction authorised by,Destruction authorised at,Destroyed by,Destroyed at,Segment SHA-256,Corrections\r\n"),
        "{csv}"
    );
    for cell in [
        "VP-2026-0001",
        "Jane Doe",
        "Inspector",
        "PC Smyth",
        "the case is closed",
    ] {
        assert!(csv.contains(cell), "{cell}: {csv}");
    }
}
