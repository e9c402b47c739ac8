//! Running each subcommand: wiring configuration, store and web server together.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use custos_base::{Actor, Clock, SystemClock, UnixMs};
use custos_domain::{Ident, PolicyPack};
use custos_store::{DatabaseLocation, LedgerSigner, MigrationReport, Store, StoredPolicy};

use crate::cli::{Cli, Command, KeyCommand, LedgerCommand, PolicyCommand};
use crate::config::{Config, LogLevel};
use crate::keys;

/// The policy pack `custos demo` loads when none is given: the primary school's.
pub const DEMO_POLICY: &str = include_str!("../../../policies/bosmere-junior-school.toml");

/// The SQLite file's name inside the data directory.
pub const SQLITE_FILE: &str = "custos.db";

/// Runs the command line's subcommand.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = Config::load(cli.global.config.as_deref(), &cli.overrides())?;
    // The demo speaks for itself on standard output (the address, the accounts, what it
    // records); its log says only what goes wrong, unless a level was asked for.
    let asked = cli.global.log.is_some()
        || cli.global.config.is_some()
        || std::env::var_os("CUSTOS_LOG").is_some();
    let level = if matches!(cli.command, Command::Demo { .. }) && !asked {
        crate::config::LogLevel::Warn
    } else {
        config.log.level
    };
    init_logging(level);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let data_given = cli.global.data_dir.is_some();
    runtime.block_on(run_async(cli.command, config, data_given))
}

fn init_logging(level: LogLevel) {
    let level = match level {
        LogLevel::Error => tracing::Level::ERROR,
        LogLevel::Warn => tracing::Level::WARN,
        LogLevel::Info => tracing::Level::INFO,
        LogLevel::Debug => tracing::Level::DEBUG,
        LogLevel::Trace => tracing::Level::TRACE,
    };
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

async fn run_async(command: Command, config: Config, data_given: bool) -> anyhow::Result<ExitCode> {
    match command {
        Command::Init { policy } => init(&config, policy.as_deref()).await,
        Command::Serve => serve(&config).await,
        Command::Demo { policy, gop } => demo(config, data_given, policy.as_deref(), gop).await,
        Command::Simcam {
            listen,
            cameras,
            size,
            fps,
            gop,
        } => simcam(listen, cameras, &size, fps, gop).await,
        Command::Migrate => migrate(&config).await,
        Command::Check => check(&config).await,
        Command::Policy(PolicyCommand::Load { file }) => policy_load(&config, &file).await,
        Command::Policy(PolicyCommand::Show { version }) => policy_show(&config, version).await,
        Command::Policy(PolicyCommand::History) => policy_history(&config).await,
        Command::Policy(PolicyCommand::Validate { files }) => Ok(validate_files(&files)),
        Command::Ledger(LedgerCommand::Verify { from, witnesses }) => {
            crate::ledger::verify(&config, from, &witnesses).await
        }
        Command::Ledger(LedgerCommand::Accept { reason }) => {
            crate::ledger::accept(&config, &reason).await
        }
        Command::Ledger(LedgerCommand::Head) => crate::ledger::head(&config).await,
        Command::Ledger(LedgerCommand::Shift { user, at }) => {
            crate::ledger::shift(&config, &user, at.as_deref()).await
        }
        Command::Ledger(LedgerCommand::Alarms) => crate::ledger::alarms(&config).await,
        Command::Ledger(LedgerCommand::Acknowledge { entry, note }) => {
            let store = open_for_writing(&config).await?;
            let result = store
                .acknowledge_ledger_alarm(&console_actor(), entry, &note)
                .await;
            finish(store).await?;
            let a = result?;
            println!(
                "Acknowledged the failure recorded in entry {entry} (entry {}).",
                a.seq
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Ledger(LedgerCommand::Export {
            book,
            from,
            to,
            format,
            output,
        }) => {
            crate::ledger::export(
                &config,
                &book,
                from.as_deref(),
                to.as_deref(),
                format,
                output.as_deref(),
            )
            .await
        }
        Command::User(cmd) => {
            let store = open_for_writing(&config).await?;
            let result = crate::users::run(&store, &console_actor(), cmd).await;
            finish(store).await?;
            result
        }
        Command::Retention(cmd) => crate::retention::run(&config, cmd).await,
        Command::Case(cmd) => {
            let store = open_for_writing(&config).await?;
            let result = crate::cases::run(&store, &config, &console_actor(), cmd).await;
            finish(store).await?;
            result
        }
        Command::Export {
            cameras,
            from,
            to,
            exhibit,
            requester,
            authoriser,
            recipient,
            purpose,
            case_ref,
            out,
            keep_as,
            encrypt,
        } => {
            let store = open_for_writing(&config).await?;
            let result = crate::export::export(
                &store,
                &config,
                &console_actor(),
                crate::export::Args {
                    cameras,
                    from,
                    to,
                    exhibit,
                    requester,
                    authoriser,
                    recipient,
                    purpose,
                    case_ref,
                    out,
                    keep_as,
                    encrypt,
                },
            )
            .await;
            finish(store).await?;
            result
        }
        Command::PoliceControl(cmd) => {
            let store = open_for_writing(&config).await?;
            let result = crate::police_control::run(&store, &config, &console_actor(), cmd).await;
            finish(store).await?;
            result
        }
        Command::Incident(cmd) => {
            let store = open_for_writing(&config).await?;
            let result = crate::incidents::run(&store, &config, &console_actor(), cmd).await;
            finish(store).await?;
            result
        }
        Command::Bodyworn(cmd) => {
            let store = open_for_writing(&config).await?;
            let result = crate::bodyworn::run(&store, &console_actor(), cmd).await;
            finish(store).await?;
            result
        }
        Command::Deployment(cmd) => {
            let store = open_for_writing(&config).await?;
            let result = crate::deployments::run(&store, &config, &console_actor(), cmd).await;
            finish(store).await?;
            result
        }
        Command::Print(cmd) => {
            let store = open_for_writing(&config).await?;
            let result = crate::prints::run(&store, &config, &console_actor(), cmd).await;
            finish(store).await?;
            result
        }
        Command::Equipment(cmd) => {
            let store = open_for_writing(&config).await?;
            let result = crate::equipment::run(&store, &console_actor(), cmd).await;
            finish(store).await?;
            result
        }
        Command::Checks(cmd) => {
            let store = open_for_writing(&config).await?;
            let result = crate::checks::run(&store, &console_actor(), cmd).await;
            finish(store).await?;
            result
        }
        Command::Visitor(cmd) => {
            let store = open_for_writing(&config).await?;
            let result = crate::visitors::run(&store, &config, &console_actor(), cmd).await;
            finish(store).await?;
            result
        }
        Command::Maintenance(cmd) => {
            let store = open_for_writing(&config).await?;
            let result = crate::maintenance::run(&store, &console_actor(), cmd).await;
            finish(store).await?;
            result
        }
        Command::Covert(cmd) => {
            let store = open_for_writing(&config).await?;
            let result = crate::covert::run(&store, &console_actor(), cmd).await;
            finish(store).await?;
            result
        }
        Command::Disclosure(cmd) => {
            let store = open_for_writing(&config).await?;
            let result = crate::disclosures::run(&store, &config, &console_actor(), cmd).await;
            finish(store).await?;
            result
        }
        Command::Download(cmd) => {
            let store = open_for_writing(&config).await?;
            let result = crate::export::download(&store, &config, &console_actor(), cmd).await;
            finish(store).await?;
            result
        }
        Command::Media(cmd) => {
            let store = open_for_writing(&config).await?;
            let result = crate::disclosures::media(&store, &console_actor(), cmd).await;
            finish(store).await?;
            result
        }
        Command::Package(crate::cli::PackageCommand::Verify { path }) => {
            crate::export::verify(&path)
        }
        Command::Hold(cmd) => {
            let store = open_for_writing(&config).await?;
            let result = crate::retention::hold(&store, &console_actor(), cmd).await;
            finish(store).await?;
            result
        }
        Command::Camera(cmd) => {
            let store = open_for_writing(&config).await?;
            let result = crate::cameras::run(&store, &console_actor(), cmd).await;
            finish(store).await?;
            result
        }
        Command::Group(cmd) => {
            let store = open_for_writing(&config).await?;
            let result = crate::users::group(&store, &console_actor(), cmd).await;
            finish(store).await?;
            result
        }
        Command::Deadline {
            rule,
            date,
            nation,
            any_part_of_uk,
        } => crate::deadline::run(&config, rule, &date, nation, any_part_of_uk).await,
        Command::Key(KeyCommand::Show) => crate::ledger::key_show(&config),
        Command::Config => {
            print!("{}", config.to_toml_redacted());
            Ok(ExitCode::SUCCESS)
        }
        Command::Openapi => {
            print!("{}", custos_web::api::openapi_json());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The person at the console, for the record of who changed what.
pub(crate) fn console_actor() -> Actor {
    let name = std::env::var("SUDO_USER")
        .or_else(|_| std::env::var("USER"))
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".to_owned());
    Actor::Console(name)
}

fn location(config: &Config) -> anyhow::Result<DatabaseLocation> {
    match &config.database.url {
        Some(url) => DatabaseLocation::from_url(url.expose()).map_err(anyhow::Error::msg),
        None => Ok(DatabaseLocation::Sqlite(config.data_dir.join(SQLITE_FILE))),
    }
}

/// Opens the store without changing the schema (and without a signer: for commands that
/// only read).
pub(crate) async fn open(config: &Config) -> anyhow::Result<Store> {
    let loc = location(config)?;
    if let DatabaseLocation::Sqlite(path) = &loc
        && !path.exists()
    {
        bail!(
            "there is no scheme in {}: run `custos init` to create one, or give the right folder with --data",
            config.data_dir.display()
        );
    }
    Ok(Store::open(&loc, Arc::new(SystemClock)).await?)
}

/// Creates `dir` (and its parents) if need be and makes it readable by its owner only
/// (0700): the data folder holds requesters' details, password hashes and footage, the key
/// folder the keys. A folder that already exists is tightened too.
pub(crate) fn private_dir(dir: &Path, what: &str) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create {what} {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir)
            .with_context(|| format!("cannot read {what} {}", dir.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).with_context(
                || format!("cannot make {what} {} private (mode 0700)", dir.display()),
            )?;
        }
    }
    Ok(())
}

/// Makes the SQLite database and its journal files readable by their owner only (0600).
fn private_database_files(config: &Config) -> anyhow::Result<()> {
    let Ok(DatabaseLocation::Sqlite(path)) = location(config) else {
        return Ok(());
    };
    #[cfg(unix)]
    for suffix in ["", "-wal", "-shm"] {
        use std::os::unix::fs::PermissionsExt as _;
        let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        if let Ok(meta) = std::fs::metadata(&file)
            && meta.permissions().mode() & 0o077 != 0
        {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).with_context(
                || {
                    format!(
                        "cannot make the database {} private (mode 0600)",
                        file.display()
                    )
                },
            )?;
        }
    }
    Ok(())
}

/// Whether a command may create the scheme's signing key when there is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NewKey {
    Create,
    MustExist,
}

/// Opens the store, creating the data directory, bringing the schema up to date, and
/// giving it the signing key so that it writes checkpoints.
async fn open_and_migrate(
    config: &Config,
    new_key: NewKey,
) -> anyhow::Result<(Store, MigrationReport)> {
    private_dir(&config.data_dir, "the data folder")?;
    if matches!(new_key, NewKey::Create) {
        private_dir(&config.key_dir(), "the key folder")?;
    }
    let key_path = config.signing_key_path();
    // The key is read before anything changes, so a missing key changes nothing.
    let key = match new_key {
        NewKey::Create => {
            let (key, created) = keys::load_or_create(&key_path)?;
            if created {
                println!(
                    "Created the scheme's signing key {} (keep a copy somewhere safe; `custos key show` prints its public half).",
                    key_path.display()
                );
            }
            key
        }
        NewKey::MustExist => keys::load(&key_path)?,
    };
    if matches!(new_key, NewKey::Create) && keys::create_master_if_missing(config)? {
        println!(
            "Created the scheme's master key {} (it encrypts footage and camera passwords: without it they cannot be read, so keep a copy somewhere safe and apart from the data).",
            config.master_key_path().display()
        );
    }
    let store = Store::open(&location(config)?, Arc::new(SystemClock)).await?;
    private_database_files(config)?;
    let report = store.migrate(&console_actor()).await?;
    attach_signer(&store, config, key).await?;
    if let Some(master) = keys::load_master(config)? {
        store.set_master_key(master);
    }
    Ok((store, report))
}

/// Opens the store for a command that changes data: schema current, signer attached.
pub(crate) async fn open_for_writing(config: &Config) -> anyhow::Result<Store> {
    let key = keys::load(&config.signing_key_path())?;
    let store = open(config).await?;
    store.require_current_schema().await?;
    attach_signer(&store, config, key).await?;
    if let Some(master) = keys::load_master(config)? {
        store.set_master_key(master);
    }
    Ok(store)
}

async fn attach_signer(
    store: &Store,
    config: &Config,
    key: ed25519_dalek::SigningKey,
) -> anyhow::Result<()> {
    store
        .set_ledger_signer(LedgerSigner {
            key,
            witnesses: config.witness_targets()?,
            witness_ca: config.ledger.witness_ca_file.clone(),
            every_entries: config.ledger.checkpoint_every_entries,
        })
        .await?;
    Ok(())
}

/// How long a command waits at its end for remote witnesses to take its checkpoint.
const WITNESS_FLUSH: std::time::Duration = std::time::Duration::from_secs(10);

/// A clean end for a command that wrote: sign the ledger's head (so the witnesses record
/// it), wait for remote witnesses, warn of any witness that could not be written, then
/// close the database.
pub(crate) async fn finish(store: Store) -> anyhow::Result<()> {
    let result = store.checkpoint().await;
    if !store.flush_witnesses(WITNESS_FLUSH).await {
        eprintln!(
            "warning: a remote ledger witness has not taken the latest checkpoint yet; `custos serve` keeps trying, and shows an alarm while it cannot"
        );
    }
    if let Ok(problems) = store.witness_problems().await {
        for w in problems {
            eprintln!(
                "warning: the ledger witness {} cannot be written: {}",
                w.target, w.detail
            );
        }
    }
    if let Some(why) = store.signing_suspended() {
        eprintln!("warning: the ledger is not being signed: {why}");
    }
    store.close().await;
    result.context("cannot sign the ledger's head at shutdown")?;
    Ok(())
}

fn read_pack_file(file: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the policy pack {}", file.display()))
}

/// Loads a pack, reporting problems with the file's name and positions.
async fn load_pack(
    store: &Store,
    file: &Path,
    source: &str,
) -> anyhow::Result<custos_store::PolicyVersion> {
    match store.load_policy(&console_actor(), source).await {
        Ok(v) => Ok(v),
        Err(custos_store::StoreError::InvalidPolicy(e)) => {
            bail!(
                "the policy pack is not valid; nothing was loaded:\n{}",
                e.render(&file.display().to_string()).trim_end()
            )
        }
        Err(e) => Err(e.into()),
    }
}

async fn init(config: &Config, policy: Option<&Path>) -> anyhow::Result<ExitCode> {
    let (store, _) = open_and_migrate(config, NewKey::Create).await?;
    println!(
        "Scheme ready in {} ({}).",
        config.data_dir.display(),
        store.location()
    );
    println!(
        "Keys kept in {} (apart from the data, so a copy of the data folder cannot be read). Ledger witnesses: {}.",
        config.key_dir().display(),
        config
            .witness_targets()?
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    if config.ledger.witness.is_empty() {
        println!(
            "For rollback protection, also send the witness to another machine: set [ledger] witness to include syslog+tcp://… or https://… (see docs/ref/ledger.md)."
        );
    }
    match policy {
        Some(file) => {
            let v = load_pack(&store, file, &read_pack_file(file)?).await?;
            println!(
                "Loaded policy pack {} as version {} and made it active.",
                v.pack_id, v.version
            );
        }
        None if store.active_policy().await?.is_none() => {
            println!(
                "No policy pack is loaded yet. Load your scheme's rules with: custos policy load FILE"
            );
        }
        None => {}
    }
    finish(store).await?;
    Ok(ExitCode::SUCCESS)
}

async fn migrate(config: &Config) -> anyhow::Result<ExitCode> {
    let (store, report) = open_and_migrate(config, NewKey::MustExist).await?;
    finish(store).await?;
    if report.applied.is_empty() {
        println!("The database is up to date (schema version {}).", report.to);
    } else {
        println!(
            "Upgraded the database from schema version {} to {}:",
            report.from, report.to
        );
        for step in &report.applied {
            println!("  applied {step}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn check(config: &Config) -> anyhow::Result<ExitCode> {
    let store = open(config).await?;
    let mut report = store.check().await?;
    if store.require_current_schema().await.is_ok() {
        check_ledger(config, &store, &mut report).await?;
        check_footage(config, &store, &mut report).await?;
    }
    store.close().await;
    check_key_places(config, &mut report);
    for line in &report.passed {
        println!("ok       {line}");
    }
    for line in &report.warnings {
        println!("WARNING  {line}");
    }
    for line in &report.problems {
        println!("PROBLEM  {line}");
    }
    if report.problems.is_empty() {
        println!("All {} checks passed.", report.passed.len());
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{} problem(s) found.", report.problems.len());
        Ok(ExitCode::FAILURE)
    }
}

/// Adds to `custos check` where the keys are kept: a master key or signing key in the data
/// folder, or on the same file system as the footage, is read or taken along with it by
/// whoever takes the disk (BJS-6, SCC-9), so it is warned about.
fn check_key_places(config: &Config, report: &mut custos_store::CheckReport) {
    let footage = crate::recorder::footage_dir(&config.data_dir);
    let data = &config.data_dir;
    let mut keys = vec![("signing key", config.signing_key_path())];
    if config.storage.master_key_command.is_none() {
        keys.push(("master key", config.master_key_path()));
    }
    for (what, path) in keys {
        if !path.exists() {
            continue;
        }
        if path.starts_with(data) {
            report.warnings.push(format!(
                "the {what} {} is in the data folder, so a copy of that folder carries it; move it to the key folder {} (or set its place in the configuration)",
                path.display(),
                config.key_dir().display()
            ));
        } else if same_file_system(&path, if footage.exists() { &footage } else { data }) {
            report.warnings.push(format!(
                "the {what} {} is on the same file system as the footage, so whoever takes that disk takes the key too; keep it on another disk, or give the master key through storage.master_key_command (systemd credentials or a TPM: see docs/ref/storage.md)",
                path.display()
            ));
        } else {
            report
                .passed
                .push(format!("the {what} is kept apart from the footage"));
        }
    }
}

/// Whether `a` and `b` are on one file system (the same device).
fn same_file_system(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(x), Ok(y)) => x.dev() == y.dev(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        false
    }
}

/// Adds footage to `custos check`. With nobody recording, files a crash left are first
/// recovered (as the recorder does when it starts); then every file is checked against the
/// index.
async fn check_footage(
    config: &Config,
    store: &Store,
    report: &mut custos_store::CheckReport,
) -> anyhow::Result<()> {
    let footage = crate::recorder::footage_dir(&config.data_dir);
    if !footage.exists() {
        return Ok(());
    }
    if let Some(master) = keys::load_master(config)? {
        store.set_master_key(master);
    } else {
        report.problems.push(
            "the master key is missing, so footage cannot be checked (see docs/ref/storage.md)"
                .to_owned(),
        );
        return Ok(());
    }
    let lock = crate::recorder::recover::try_lock(&footage)?;
    if lock.is_some() {
        for line in crate::recorder::recover::reconcile(store, &footage).await? {
            report.passed.push(line);
        }
    }
    crate::recorder::recover::check(store, &footage, lock.is_none(), report).await?;
    drop(lock);
    Ok(())
}

/// Adds the ledger to `custos check`: full verification, and any open alarm.
async fn check_ledger(
    config: &Config,
    store: &Store,
    report: &mut custos_store::CheckReport,
) -> anyhow::Result<()> {
    match keys::load(&config.signing_key_path()) {
        Err(e) => report.problems.push(format!("{e:#}")),
        Ok(key) => match crate::ledger::witness_lines(config, &[])? {
            Err(why) if store.ledger_counts().await?.0 > 0 => {
                report.problems.push(format!("ledger unverified: {why}"));
            }
            Err(_) => {}
            Ok(witness) => match store
                .verify_ledger(key.verifying_key(), 1, &witness, |_| {})
                .await?
            {
                Ok(s) if s.entries > 0 && s.signed_to == 0 => report.problems.push(format!(
                    "ledger unverified: {} entries and no checkpoint or witness line covers any of them",
                    s.entries
                )),
                Ok(s) => report.passed.push(format!(
                    "ledger intact: {} entries, {} signed checkpoints, {} witness lines",
                    s.entries, s.checkpoints, s.witness_lines
                )),
                Err(p) => report.problems.push(format!("ledger damaged: {p}")),
            },
        },
    }
    let alarms = store.ledger_alarms().await?;
    if !alarms.is_empty() {
        report.problems.push(format!(
            "{} ledger verification failure(s) not yet acknowledged; see `custos ledger alarms`",
            alarms.len()
        ));
    }
    Ok(())
}

fn validate_files(files: &[PathBuf]) -> ExitCode {
    let mut bad = 0;
    for file in files {
        let name = file.display().to_string();
        match std::fs::read_to_string(file) {
            Err(e) => {
                bad += 1;
                println!("{name}:1:1: cannot read the file: {e}");
            }
            Ok(src) => match PolicyPack::parse(&src) {
                Ok(p) => println!(
                    "{name}: ok: {} ({} purposes, footage kept {} days)",
                    p.id,
                    p.purposes.len(),
                    p.retention.default_days
                ),
                Err(e) => {
                    bad += 1;
                    print!("{}", e.render(&name));
                }
            },
        }
    }
    if bad == 0 {
        ExitCode::SUCCESS
    } else {
        println!("{bad} of {} pack(s) invalid.", files.len());
        ExitCode::FAILURE
    }
}

async fn policy_load(config: &Config, file: &Path) -> anyhow::Result<ExitCode> {
    let source = read_pack_file(file)?;
    let store = open_for_writing(config).await?;
    let v = load_pack(&store, file, &source).await?;
    finish(store).await?;
    println!(
        "Loaded policy pack {} as version {}; it is now the scheme's rules.",
        v.pack_id, v.version
    );
    Ok(ExitCode::SUCCESS)
}

async fn policy_show(config: &Config, version: Option<i64>) -> anyhow::Result<ExitCode> {
    let store = open(config).await?;
    store.require_current_schema().await?;
    let p = match version {
        Some(n) => store.policy_version(n).await?,
        None => match store.active_policy().await? {
            Some(p) => p,
            None => bail!("no policy pack is loaded; load one with `custos policy load FILE`"),
        },
    };
    store.close().await;
    print!("{}", describe(&p));
    Ok(ExitCode::SUCCESS)
}

async fn policy_history(config: &Config) -> anyhow::Result<ExitCode> {
    let store = open(config).await?;
    store.require_current_schema().await?;
    let versions = store.policy_history().await?;
    store.close().await;
    if versions.is_empty() {
        println!("No policy pack has been loaded.");
    }
    for v in versions {
        println!(
            "{:>4}{} {}  {}  loaded {} by {}  sha256 {}",
            v.version,
            if v.active { "*" } else { " " },
            v.pack_id,
            v.name,
            UnixMs(v.loaded_at_unix_ms).to_london_display(),
            v.loaded_by,
            v.sha256_hex
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A stored pack in plain words.
fn describe(p: &StoredPolicy) -> String {
    use std::fmt::Write;
    let pack = &p.pack;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} — policy version {}{}",
        pack.name,
        p.meta.version,
        if p.meta.active { " (in force)" } else { "" }
    );
    let _ = writeln!(
        s,
        "Pack {} {}, loaded {} by {}, sha256 {}",
        pack.id,
        pack.version_label.as_deref().unwrap_or(""),
        UnixMs(p.meta.loaded_at_unix_ms).to_london_display(),
        p.meta.loaded_by,
        p.meta.sha256_hex
    );
    let c = &pack.controller;
    let _ = writeln!(s, "\nController: {}, {}", c.name, c.address);
    let _ = writeln!(s, "Contact point: {}", c.contact_point);
    let _ = writeln!(s, "DPO: {}", c.dpo);
    let _ = writeln!(s, "Bank holidays: {}", pack.nation);
    let _ = writeln!(s, "\nPurposes:");
    for pu in &pack.purposes {
        let modes: Vec<&str> = pu.recording.iter().map(|m| m.as_str()).collect();
        let _ = writeln!(
            s,
            "  {} — {}: live view {}, recording {}{}",
            pu.id,
            pu.name,
            if pu.live_view { "yes" } else { "no" },
            if modes.is_empty() {
                "none".to_owned()
            } else {
                modes.join(", ")
            },
            if pu.consent_required {
                ", consent required"
            } else {
                ""
            }
        );
    }
    let r = &pack.retention;
    let _ = writeln!(
        s,
        "\nRetention: {} days (maximum {} days)",
        r.default_days, r.maximum_days
    );
    for (kind, days) in &r.by_camera_kind {
        let _ = writeln!(s, "  {kind} cameras: {days} days");
    }
    for cl in &r.classes {
        let _ = writeln!(s, "  {}: {} — {}", cl.id, cl.period, cl.description);
    }
    let d = &pack.deadlines;
    // Each rule in words, then as the pack writes it.
    let w = |r: &custos_domain::DeadlineRule| format!("{} ({r})", r.describe());
    let _ = writeln!(s, "\nDeadlines:");
    let _ = writeln!(s, "  subject access: {}", w(&d.subject_access));
    if let Some(x) = &d.subject_access_extension {
        let _ = writeln!(s, "  subject access extension: up to {}", w(x));
    }
    let _ = writeln!(s, "  other rights requests: {}", w(&d.rights_request));
    let _ = writeln!(
        s,
        "  complaint acknowledged: {}; answered: {}",
        w(&d.complaint_acknowledge),
        w(&d.complaint_answer)
    );
    if let Some(x) = &d.complaint_window {
        let _ = writeln!(s, "  complaints accepted within: {} of the incident", w(x));
    }
    let _ = writeln!(
        s,
        "  breach notified to the ICO: {}",
        w(&d.breach_notification)
    );
    let _ = writeln!(s, "  FOI: {}", w(&d.foi));
    let _ = writeln!(s, "\nWho may authorise:");
    for (action, a) in pack.authorise.actions() {
        let who = if a.allowed {
            a.describe_groups()
        } else {
            "never done in this scheme".to_owned()
        };
        let ext = a
            .external
            .as_deref()
            .map(|e| format!(" (and: {e})"))
            .unwrap_or_default();
        let _ = writeln!(s, "  {action}: {who}{ext}");
    }
    let custom: Vec<&str> = pack
        .roles
        .iter()
        .filter(|r| !r.built_in)
        .map(|r| r.id.as_str())
        .collect();
    if !custom.is_empty() {
        let _ = writeln!(s, "\nCustom roles: {}", custom.join(", "));
    }
    let a = &pack.access;
    let _ = writeln!(
        s,
        "\nAccess: SIA licence {}; screens lock after {} idle minutes; second factor for {}",
        if a.sia_licence_required {
            "required for operators"
        } else {
            "not required"
        },
        a.idle_lock_minutes,
        if a.mfa_roles.is_empty() {
            "nobody".to_owned()
        } else {
            a.mfa_roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    let _ = writeln!(
        s,
        "Audio on new cameras: {}",
        match pack.recording.audio_default {
            custos_domain::policy::AudioDefault::Off =>
                "off (needs a recorded approval to turn on)",
            custos_domain::policy::AudioDefault::On => "on",
        }
    );
    s
}

async fn serve(config: &Config) -> anyhow::Result<ExitCode> {
    let (store, _) = open_and_migrate(config, NewKey::MustExist).await?;
    if store.active_policy().await?.is_none() {
        tracing::warn!("no policy pack is loaded; load one with `custos policy load FILE`");
    }
    run_web(config, store).await?;
    Ok(ExitCode::SUCCESS)
}

async fn run_web(config: &Config, store: Store) -> anyhow::Result<()> {
    // Nothing is signed until the ledger has been verified against its witnesses (the
    // first verification runs at once).
    store.hold_signing_until_verified().await?;
    if store.has_master_key() {
        let sealed = store
            .seal_plain_totp_secrets(&Actor::System("secrets".to_owned()))
            .await?;
        if sealed > 0 {
            tracing::info!(
                accounts = sealed,
                "second-factor secrets sealed with the master key"
            );
        }
    }
    let descriptors = crate::limits::raise_descriptor_limit();
    let cameras = store.cameras(false).await?.len();
    let max_connections =
        crate::limits::web_connection_cap(config.web.max_connections, descriptors, cameras);
    if max_connections < config.web.max_connections {
        tracing::warn!(
            configured = config.web.max_connections,
            allowed = max_connections,
            descriptors = ?descriptors,
            cameras,
            "the web server takes fewer connections than configured, to keep descriptors for the recorder; raise the open-file limit (LimitNOFILE) to allow more"
        );
    }
    let limits = custos_web::server::Limits {
        max_connections,
        header_timeout: std::time::Duration::from_secs(config.web.header_timeout_seconds),
    };
    let listener = custos_web::server::listen(config.web.listen)
        .with_context(|| format!("cannot listen on {} (is another program using that port? choose another with --listen)", config.web.listen))?;
    let addr = listener
        .local_addr()
        .context("cannot read the listening address")?;
    let stop = shutdown_signal();
    println!("Custos is running at http://{addr}/ — press Ctrl-C to stop.");
    tracing::info!(%addr, database = %store.location(), "web server started");
    // Exports made on the web ask the recorder to close its open segments (BDC-5).
    let (segment_cuts, cut) = tokio::sync::watch::channel(0i64);
    let state = custos_web::AppState {
        segment_cuts: Some(segment_cuts),
        notifier: crate::mail::notifier(&config.mail)?,
        store: store.clone(),
        trusted_proxies: config
            .web
            .trusted_proxy_networks()
            .map_err(anyhow::Error::msg)?,
        metrics_from: config.web.metrics_networks().map_err(anyhow::Error::msg)?,
        footage: Some(crate::recorder::footage_dir(&config.data_dir)),
        holidays: config.calendar.one_offs().map_err(anyhow::Error::msg)?,
        documents: Some(crate::cases::documents_dir(&config.data_dir)),
        request_limiter: custos_web::requests::SharedLimiter::default(),
        exports: custos_web::export::ExportJobs::default(),
        exports_dir: Some(crate::export::exports_dir(&config.data_dir)),
        live: custos_web::live::LiveHub::new(config.web.live_streams_per_person),
    };
    // The server's periodic tasks stop between steps when asked, so that whatever they
    // write is in the ledger before the last checkpoint.
    let (stop_tasks, tasks_stopped) = tokio::sync::watch::channel(false);
    let checkpoints = tokio::spawn(checkpoint_periodically(
        store.clone(),
        config.ledger.checkpoint_within_seconds,
        tasks_stopped.clone(),
    ));
    let verification = tokio::spawn(verify_periodically(
        store.clone(),
        config.ledger.verify_every_hours,
        tasks_stopped.clone(),
    ));
    let recorder = crate::recorder::Recorder::start(
        store.clone(),
        crate::recorder::footage_dir(&config.data_dir),
        cut,
    )
    .await
    .context("cannot start the recorder")?;
    // The process that records (and so holds the footage folder) also deletes.
    let retention_stopped = tasks_stopped;
    let sweeper = recorder.is_some().then(|| {
        let footage = crate::recorder::footage_dir(&config.data_dir);
        (
            tokio::spawn(crate::retention::sweep_periodically(
                store.clone(),
                footage.clone(),
                crate::export::exports_dir(&config.data_dir),
                retention_stopped.clone(),
            )),
            tokio::spawn(crate::retention::watch_disk(
                store.clone(),
                footage,
                config.storage.min_free_percent,
                retention_stopped,
            )),
        )
    });
    let served = custos_web::serve(listener, state, limits, stop).await;
    if let Some(r) = recorder {
        r.stop().await;
    }
    let _ = stop_tasks.send(true);
    let _ = checkpoints.await;
    let _ = verification.await;
    if let Some((sweep, disk)) = sweeper {
        let _ = sweep.await;
        let _ = disk.await;
    }
    let finished = finish(store).await;
    served.context("the web server failed")?;
    finished?;
    println!("Custos stopped.");
    Ok(())
}

/// Serves simulated cameras until Ctrl-C.
async fn simcam(
    listen: std::net::SocketAddr,
    cameras: usize,
    size: &str,
    fps: u32,
    gop_s: u32,
) -> anyhow::Result<ExitCode> {
    let (w, h) = size
        .split_once(['x', 'X'])
        .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
        .ok_or_else(|| anyhow::anyhow!("--size is WIDTHxHEIGHT, e.g. 1280x720, not {size:?}"))?;
    let config = custos_media::simcam::SimCamConfig {
        cameras,
        width: w,
        height: h,
        fps,
        gop_frames: fps.saturating_mul(gop_s),
    };
    config.validate().map_err(|e| anyhow::anyhow!("{e}"))?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen} (is another program using that port? choose another with --listen)"))?;
    let addr = listener
        .local_addr()
        .context("cannot read the listening address")?;
    println!(
        "Simulated cameras at {} — press Ctrl-C to stop.",
        config.urls(addr).join(" ")
    );
    custos_media::simcam::serve(listener, config, shutdown_signal())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(ExitCode::SUCCESS)
}

/// Registers the demo's simulated cameras (or points them at this run's server).
async fn register_demo_cameras(store: &Store, urls: &[String]) -> anyhow::Result<()> {
    use custos_domain::camera::{CameraDraft, RtspAddress, Transport};
    let Some(policy) = store.active_policy().await? else {
        return Ok(());
    };
    let Some(purpose) = policy.pack.purposes.iter().find(|p| {
        p.recording
            .contains(&custos_domain::RecordingMode::Continuous)
    }) else {
        println!(
            "The demo pack has no purpose that allows continuous recording, so no simulated cameras are recorded."
        );
        return Ok(());
    };
    let actor = Actor::System("demo".to_owned());
    let site = Ident::parse("main-site").map_err(anyhow::Error::msg)?;
    let group = Ident::parse("demo-cameras").map_err(anyhow::Error::msg)?;
    if store.camera_group(&group).await?.is_none() {
        store
            .add_camera_group(&actor, &group, &site, "Demonstration cameras", &[])
            .await?;
    }
    for (i, url) in urls.iter().enumerate() {
        let n = i + 1;
        let id = Ident::parse(&format!("sim-{n}")).map_err(anyhow::Error::msg)?;
        let req = custos_store::CameraRequest {
            id: id.clone(),
            draft: CameraDraft {
                name: format!("Simulated camera {n}"),
                site: site.clone(),
                location: "Nowhere: a picture made by Custos".to_owned(),
                area: "A test pattern with the time".to_owned(),
                kind: custos_domain::CameraKind::Fixed,
                mode: custos_domain::RecordingMode::Continuous,
                purposes: vec![purpose.id.clone()],
                audio: false,
                retention_days: None,
                dpia_ref: "DEMO".to_owned(),
                operational_requirement: "Show how Custos records".to_owned(),
                priority: custos_domain::camera::Priority::DEFAULT,
            },
            groups: vec![group.clone()],
            main: RtspAddress::parse(url).map_err(anyhow::Error::msg)?,
            sub: None,
            transport: Transport::Tcp,
            audio_reason: None,
        };
        match store.camera(&id).await? {
            None => {
                store.add_camera(&actor, &req).await?;
            }
            Some(c) if c.main_url != req.main.url => {
                store
                    .change_camera(
                        &actor,
                        &req,
                        "the simulated cameras restarted on a new port",
                    )
                    .await?;
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Gives a new demonstration scheme one subject access request worked from start to
/// finish, as a real one would be: received from the public form with the requester's time
/// and place (the simulated cameras' footage held at once, BDC-28), identity awaited and
/// confirmed, decided (a viewing, BDC-29), the response letter issued (a PDF kept with the
/// case) and closed. Every step is in the `case` logbook.
/// One incident in the demo's incident log (BDC-24), logged by the first demo account
/// whose role keeps the log, on the first camera, a quarter of an hour ago; once.
/// The faults and maintenance log (LBU-16, BDC-19): a passed check of the first demo
/// camera and a fault reported on the last, the contractor called to it and their response
/// recorded, by the first demo account that keeps the log. Once only.
async fn seed_demo_maintenance(store: &Store) -> anyhow::Result<()> {
    use custos_domain::maintenance::{CallDraft, CheckDraft, CheckItem, FaultDraft, ItemResult};
    if !store.maintenance_checks(None, None).await?.is_empty() {
        return Ok(());
    }
    let Some(policy) = store.active_policy().await? else {
        return Ok(());
    };
    let cameras = store.cameras(false).await?;
    let (Some(first), Some(last)) = (cameras.first(), cameras.last()) else {
        return Ok(());
    };
    let mut keeper = None;
    for user in store.users().await? {
        let subject = store.subject_of(user.username.as_str(), None).await?;
        if custos_domain::access::book_role(
            &policy.pack.books,
            custos_domain::ledger::Book::Maintenance,
            &subject,
            false,
        )
        .is_ok()
        {
            keeper = Some(subject);
            break;
        }
    }
    let Some(keeper) = keeper else {
        return Ok(());
    };
    let actor = Actor::User(keeper.username.to_string());
    let now = store.clock().now().0;
    let check = store
        .record_check(
            &actor,
            &keeper,
            &CheckDraft {
                camera: first.id.clone(),
                checked_at_unix_ms: now - 10 * 60_000,
                items: CheckItem::ALL
                    .iter()
                    .map(|i| ItemResult {
                        item: *i,
                        passed: true,
                        note: String::new(),
                    })
                    .collect(),
                note: "Weekly round".to_owned(),
            },
        )
        .await?;
    let fault = store
        .report_fault(
            &actor,
            &keeper,
            &FaultDraft {
                camera: last.id.clone(),
                noticed_at_unix_ms: now - 5 * 60_000,
                description: "The picture flickers when the lights come on".to_owned(),
            },
        )
        .await?;
    store
        .call_contractor(
            &actor,
            &keeper,
            &fault.reference,
            &CallDraft {
                contractor: "Demo Security Systems".to_owned(),
                job_reference: "J-1001".to_owned(),
                called_at_unix_ms: now - 4 * 60_000,
            },
        )
        .await?;
    store
        .record_contractor_response(
            &actor,
            &keeper,
            &fault.reference,
            Some(now - 60_000),
            "An engineer will visit tomorrow morning",
        )
        .await?;
    println!(
        "Demo maintenance: check {} passed, and fault {} with the contractor's response (Maintenance, signed in as {}).",
        check.reference, fault.reference, keeper.username
    );
    Ok(())
}

async fn seed_demo_incident(store: &Store) -> anyhow::Result<()> {
    if !store.incidents().await?.is_empty() {
        return Ok(());
    }
    let Some(policy) = store.active_policy().await? else {
        return Ok(());
    };
    let Some(camera) = store.cameras(false).await?.into_iter().next() else {
        return Ok(());
    };
    let mut keeper = None;
    for user in store.users().await? {
        let subject = store.subject_of(user.username.as_str(), None).await?;
        if custos_domain::access::book_role(
            &policy.pack.books,
            custos_domain::ledger::Book::Incident,
            &subject,
            false,
        )
        .is_ok()
        {
            keeper = Some((user.display_name, subject));
            break;
        }
    }
    let Some((name, subject)) = keeper else {
        return Ok(());
    };
    let now = store.clock().now().0;
    let inc = store
        .record_incident(
            &Actor::User(subject.username.to_string()),
            &subject,
            &custos_domain::incident::Draft {
                occurred_at_unix_ms: now - 15 * 60_000,
                cameras: vec![camera.id.clone()],
                place: camera.draft.area.clone(),
                seen: "A bicycle left against the fence, its lock cut".to_owned(),
                seen_by: name,
                police_reference: String::new(),
                action_taken: "Watched the area; told the site team".to_owned(),
                outcome: String::new(),
            },
        )
        .await?;
    println!(
        "Demo incident: {}, open, in the incident log (Incidents, signed in as manager).",
        inc.reference
    );
    Ok(())
}

async fn seed_demo_case(store: &Store, config: &Config) -> anyhow::Result<()> {
    use custos_domain::case::{Action, CaseKind, Decision};
    use custos_store::cases::{NewCase, Sighting, Step};
    if !store.cases(true).await?.is_empty() {
        return Ok(());
    }
    let Some(policy) = store.active_policy().await? else {
        return Ok(());
    };
    let Some(area) = store
        .cameras(false)
        .await?
        .first()
        .map(|c| c.draft.area.clone())
    else {
        return Ok(());
    };
    let now = store.clock().now().0;
    let c = store
        .open_case(
            &Actor::System("public-form".to_owned()),
            &NewCase {
                kind: CaseKind::SubjectAccess,
                received_at_unix_ms: now,
                channel: "public-form".to_owned(),
                summary: format!("A copy of footage of me — {area}, a few minutes ago"),
                requester_name: "Alex Example".to_owned(),
                requester_contact: "alex@example.org".to_owned(),
                details: "Blue coat, walking past the camera".to_owned(),
                sighting: Some(Sighting {
                    at_unix_ms: now - 5 * 60_000,
                    place: area,
                }),
                incident_at_unix_ms: None,
                raised_late: false,
            },
        )
        .await?;
    let dpo = Actor::System("demo".to_owned());
    let step = |reasons: &str| Step {
        reasons: reasons.to_owned(),
        documents: Some(crate::cases::documents_dir(&config.data_dir)),
        ..Step::default()
    };
    for (action, reasons) in [
        (Action::AwaitIdentity, "waiting for proof of identity"),
        (Action::VerifyIdentity, ""),
        (
            Action::Decide(Decision::ViewOnly),
            "Other pupils are in view and redaction is not yet available",
        ),
    ] {
        store
            .act_on_case(&dpo, &c.reference, action, &step(reasons))
            .await?;
    }
    let calendar = config
        .calendar
        .calendar(policy.pack.nation)
        .map_err(anyhow::Error::msg)?;
    store
        .issue_letter(
            &dpo,
            &crate::cases::documents_dir(&config.data_dir),
            &c.reference,
            custos_domain::letter::LetterKind::Response,
            &calendar,
        )
        .await?;
    store
        .act_on_case(&dpo, &c.reference, Action::Close, &step(""))
        .await?;
    println!(
        "Demo case: {}, a subject access request from the public form, closed with its response letter (Cases, signed in as dpo).",
        c.reference
    );
    // A complaint by letter, acknowledged, answered and closed with its answer letter.
    let complaint = store
        .open_case(
            &dpo,
            &NewCase {
                kind: CaseKind::Complaint,
                received_at_unix_ms: now - 3 * 86_400_000,
                channel: "letter".to_owned(),
                summary: "A camera seems to look into a neighbour's garden".to_owned(),
                requester_name: "Pat Neighbour".to_owned(),
                requester_contact: "pat@example.org".to_owned(),
                details: "The camera on the corner of the playground seems to point over the fence into my garden.".to_owned(),
                sighting: None,
                incident_at_unix_ms: Some(now - 5 * 86_400_000),
                raised_late: false,
            },
        )
        .await?;
    for (action, reasons) in [
        (Action::Acknowledge, ""),
        (Action::Start, ""),
        (
            Action::Decide(Decision::NotUpheld),
            "We checked the camera's view on the day: it shows the playground only, and a privacy mask covers the fence line.",
        ),
    ] {
        store
            .act_on_case(&dpo, &complaint.reference, action, &step(reasons))
            .await?;
    }
    for letter in [
        custos_domain::letter::LetterKind::Acknowledgement,
        custos_domain::letter::LetterKind::Response,
    ] {
        store
            .issue_letter(
                &dpo,
                &crate::cases::documents_dir(&config.data_dir),
                &complaint.reference,
                letter,
                &calendar,
            )
            .await?;
    }
    store
        .act_on_case(&dpo, &complaint.reference, Action::Close, &step(""))
        .await?;
    println!(
        "Demo complaint: {}, acknowledged, answered and closed with its letters (Complaints, signed in as dpo).",
        complaint.reference
    );
    // A breach found on the day, assessed, notified to the ICO within the 72 hours, closed.
    let breach = store
        .open_case(
            &dpo,
            &NewCase {
                kind: CaseKind::Breach,
                received_at_unix_ms: now - 2 * 86_400_000,
                channel: "download".to_owned(),
                summary: "An evidence package was e-mailed to the wrong police officer".to_owned(),
                requester_name: "Demo dpo".to_owned(),
                requester_contact: "the school office".to_owned(),
                details: "The passphrase went separately to the right officer, who noticed."
                    .to_owned(),
                sighting: None,
                incident_at_unix_ms: None,
                raised_late: false,
            },
        )
        .await?;
    store
        .act_on_case(
            &dpo,
            &breach.reference,
            Action::AssessRisk(custos_domain::breach::RiskLevel::Risk),
            &step("The package is encrypted, but the wrong officer holds it until they delete it"),
        )
        .await?;
    store
        .record_breach_details(
            &dpo,
            &breach.reference,
            &custos_store::breaches::BreachDetails {
                nature: "An encrypted evidence package of ten minutes of gate footage was e-mailed to the wrong police officer; the passphrase was not.".to_owned(),
                subject_categories: "parents and pupils at the gate".to_owned(),
                subjects_approx: Some(12),
                record_categories: "recordings of the gate camera".to_owned(),
                records_approx: Some(1),
                consequences: "Little: without the passphrase the footage cannot be read.".to_owned(),
                measures: "The officer confirmed in writing that the e-mail was deleted; addresses are now checked by a second person.".to_owned(),
            },
        )
        .await?;
    store
        .act_on_case(&dpo, &breach.reference, Action::NotifyIco, &step(""))
        .await?;
    store
        .act_on_case(&dpo, &breach.reference, Action::Close, &step(""))
        .await?;
    println!(
        "Demo breach: {}, assessed, notified to the ICO and closed (Breaches, signed in as dpo).",
        breach.reference
    );
    seed_demo_covert(store, &dpo, now).await?;
    seed_demo_police_control(store, config, &policy.pack, now).await?;
    seed_demo_visit(store, &policy.pack, now).await?;
    seed_demo_deployment(store, &policy.pack, now).await?;
    seed_demo_bwv(store, &policy.pack, now).await?;
    seed_demo_equipment(store, &policy.pack).await?;
    Ok(())
}

/// A body-worn camera registered and issued for the day this morning, and returned at the
/// end of the shift (LBU-24): by the first demo account whose role keeps the body-worn
/// cameras' log. Skipped where the demo's accounts are not the scheme's.
async fn seed_demo_bwv(
    store: &Store,
    pack: &custos_domain::PolicyPack,
    now: i64,
) -> anyhow::Result<()> {
    use custos_domain::bodyworn::{Assignment, DeviceDraft, IssueDraft};
    use custos_domain::ledger::Book;
    const H: i64 = 3_600_000;
    let Some(rule) = pack.books.rule(Book::Bwv) else {
        return Ok(());
    };
    let mut keeper = None;
    for role in &rule.keep {
        if let Ok(subject) = store.subject_of(role.as_str(), None).await {
            keeper = Some(subject);
            break;
        }
    }
    let Some(keeper) = keeper else {
        return Ok(());
    };
    let actor = Actor::User(keeper.username.clone());
    let device = store
        .register_bwv_device(
            &actor,
            &keeper,
            &DeviceDraft {
                id: custos_domain::Ident::parse("bwv-01")?,
                serial: "RD5-0048213".to_owned(),
                model: "Reveal D5".to_owned(),
                owner: "Security".to_owned(),
            },
        )
        .await?;
    let issue = store
        .issue_bwv(
            &actor,
            &keeper,
            &IssueDraft {
                device: device.draft.id.clone(),
                officer: "Sam Patrol".to_owned(),
                assignment: Assignment::Daily,
                issued_at_unix_ms: now - 10 * H,
                acknowledged: true,
                typed_name: "Sam Patrol".to_owned(),
            },
        )
        .await?;
    store
        .return_bwv(&actor, &keeper, &issue.reference, Some(now - 2 * H))
        .await?;
    println!(
        "Demo body-worn camera: {} issued for the day under {} and returned (Body-worn cameras, signed in as {}).",
        device.draft.id, issue.reference, keeper.username
    );
    Ok(())
}

/// The first demo account whose role keeps `book` under `pack`, if any.
async fn demo_keeper(
    store: &Store,
    pack: &custos_domain::PolicyPack,
    book: custos_domain::ledger::Book,
    countersign: bool,
) -> anyhow::Result<Option<custos_domain::access::Subject>> {
    for user in store.users().await? {
        let subject = store.subject_of(user.username.as_str(), None).await?;
        if custos_domain::access::book_role(&pack.books, book, &subject, countersign).is_ok() {
            return Ok(Some(subject));
        }
    }
    Ok(None)
}

/// The video print register's demonstration (BDC-34): an Inspector's written authority,
/// recorded once by the first demo account whose role keeps the register, and — when the
/// demo's footage is already recorded (a demo started again on its data folder) and FFmpeg
/// is installed — one print of the first camera made under it. A fresh demo has no footage
/// when it starts: its authority's page offers to make the print once a minute is recorded.
async fn seed_demo_prints(store: &Store, config: &Config) -> anyhow::Result<()> {
    use custos_domain::ledger::Book;
    use custos_domain::prints::{AuthorityDraft, Officer, Rank};
    let Some(policy) = store.active_policy().await? else {
        return Ok(());
    };
    let Some(keeper) = demo_keeper(store, &policy.pack, Book::VideoPrints, false).await? else {
        return Ok(());
    };
    let actor = Actor::User(keeper.username.clone());
    let documents = crate::cases::documents_dir(&config.data_dir);
    let now = store.clock().now().0;
    let authority = match store.print_authorities().await?.into_iter().next() {
        Some(a) => a,
        None => {
            let a = store
                .record_print_authority(
                    &actor,
                    &keeper,
                    &documents,
                    &AuthorityDraft {
                        officer: Officer {
                            name: "Alex Example".to_owned(),
                            rank: Rank::Inspector,
                            number: "1234".to_owned(),
                            force: "Demonstration Constabulary".to_owned(),
                        },
                        request: "Stills of the cycle theft at the gate, for the officer's enquiries".to_owned(),
                        dated: Some(custos_store::equipment::uk_day_of(now)?),
                        document_attached: true,
                    },
                    &custos_store::prints::AuthorityDocument {
                        name: "written-authority.txt".to_owned(),
                        contents: b"Demonstration: the written authority of Inspector Alex Example (1234), Demonstration Constabulary, for stills of the cycle theft at the gate.\n".to_vec(),
                    },
                )
                .await?;
            println!(
                "Demo print authority: {}, an Inspector's written authority for video prints; make a print from its page once a minute of footage is recorded (Video prints, signed in as {}).",
                a.reference, keeper.username
            );
            a
        }
    };
    if !store.video_prints().await?.is_empty() || !store.can_make_prints() {
        return Ok(());
    }
    let newest = store
        .newest_footage()
        .await?
        .into_iter()
        .find_map(|(camera, t)| t.map(|t| (camera, t)));
    let Some((camera, until)) = newest else {
        return Ok(());
    };
    let footage = crate::recorder::footage_dir(&config.data_dir);
    match store
        .make_video_print(
            &actor,
            &keeper,
            &footage,
            &documents,
            &custos_store::prints::NewPrint {
                authority: &authority.reference,
                camera: &camera,
                moment_unix_ms: until - 1000,
            },
        )
        .await
    {
        Ok(p) => println!(
            "Demo video print: {}, a still of {} made under {} (Video prints, signed in as {}).",
            p.reference, p.source.camera_name, authority.reference, keeper.username
        ),
        // The demo runs without it: the authority's page offers to make one.
        Err(e) => eprintln!("warning: the demo's video print could not be made: {e}"),
    }
    Ok(())
}

/// One entry in the list of installed equipment (BDC-37): the demo's recording server,
/// entered by the first demo account whose role keeps the list. The simulated cameras are
/// listed from the register beside it.
async fn seed_demo_equipment(
    store: &Store,
    pack: &custos_domain::PolicyPack,
) -> anyhow::Result<()> {
    use custos_domain::equipment::{Details, Kind};
    use custos_domain::ledger::Book;
    let Some(keeper) = demo_keeper(store, pack, Book::Equipment, false).await? else {
        return Ok(());
    };
    let today = custos_store::equipment::uk_day_of(store.clock().now().0)?;
    let item = store
        .enter_equipment(
            &Actor::User(keeper.username.clone()),
            &keeper,
            &Details {
                kind: Kind::Recorder,
                camera: None,
                make_model: "Custos demonstration recording server".to_owned(),
                serial_number: "none".to_owned(),
                location: "Control room".to_owned(),
                installed_on: Some(today),
                removed_on: None,
                notes: "Records the two simulated cameras".to_owned(),
            },
        )
        .await?;
    println!(
        "Demo equipment: {}, the recording server, in the list of installed equipment (Equipment, signed in as {}).",
        item.reference, keeper.username
    );
    Ok(())
}

/// A deployment of the first demo camera a month ago (BDC-38), ended before the demo's
/// footage so that reviews show the camera's own place: recorded by the first demo account
/// whose role keeps the deployment log, its signs erected and removed and the camera taken
/// down ten days later. Skipped where the demo's accounts are not the scheme's.
async fn seed_demo_deployment(
    store: &Store,
    pack: &custos_domain::PolicyPack,
    now: i64,
) -> anyhow::Result<()> {
    use custos_domain::deployment::{Consultation, Draft, Grounds};
    use custos_domain::ledger::Book;
    use custos_store::deployments::DeploymentStep;
    const DAY: i64 = 86_400_000;
    let Some(rule) = pack.books.rule(Book::Deployment) else {
        return Ok(());
    };
    let mut keeper = None;
    for role in &rule.keep {
        if let Ok(subject) = store.subject_of(role.as_str(), None).await {
            keeper = Some(subject);
            break;
        }
    }
    let (Some(keeper), Some(purpose)) = (keeper, pack.books.deployment_purposes.first()) else {
        return Ok(());
    };
    let Some(camera) = store.cameras(false).await?.into_iter().next() else {
        return Ok(());
    };
    let actor = Actor::User(keeper.username.clone());
    let from = now - 30 * DAY;
    let dep = store
        .record_deployment(
            &actor,
            &keeper,
            &Draft {
                camera: camera.id.clone(),
                place: "Side gate by the bike sheds".to_owned(),
                map_reference: "TM 162 446".to_owned(),
                from_unix_ms: from,
                until_unix_ms: from + 14 * DAY,
                grounds: Grounds::CrimePattern,
                justification: "Site log SL-0931: five bikes taken from the sheds in three weeks, all after school".to_owned(),
                purpose: purpose.clone(),
                consultation: Consultation::Made(
                    "Letters to the four houses that back onto the side gate; no objection".to_owned(),
                ),
                privacy: "The view is masked where it would see into the gardens behind the fence".to_owned(),
                authorised_by: "Demo owner, owner of the scheme".to_owned(),
            },
        )
        .await?;
    for step in [
        DeploymentStep::SignsUp {
            at_unix_ms: from - 3_600_000,
        },
        DeploymentStep::Removed {
            at_unix_ms: from + 10 * DAY,
        },
        DeploymentStep::SignsDown {
            at_unix_ms: from + 10 * DAY + 3_600_000,
        },
    ] {
        store
            .deployment_step(&actor, &keeper, &dep.reference, &step)
            .await?;
    }
    println!(
        "Demo deployment: {}, the first camera moved to the side gate for ten days a month ago (Deployments, signed in as {}).",
        dep.reference, keeper.username
    );
    Ok(())
}

/// A visit to the control room two hours ago (LBU-12, BDC-23): recorded by the first demo
/// account whose role keeps the visitors' log, the undertaking accepted on screen, the
/// visitor gone an hour later, and countersigned by another account whose role
/// countersigns it (BDC-18). Skipped where the demo's accounts are not the scheme's.
async fn seed_demo_visit(
    store: &Store,
    pack: &custos_domain::PolicyPack,
    now: i64,
) -> anyhow::Result<()> {
    use custos_domain::ledger::Book;
    use custos_domain::visitors::{Authoriser, Details, UndertakingDraft, VisitDraft};
    let Some(rule) = pack.books.rule(Book::Visitors) else {
        return Ok(());
    };
    let mut keeper = None;
    let mut signer = None;
    for role in rule.keep.iter().chain(rule.countersign.iter()) {
        let Ok(subject) = store.subject_of(role.as_str(), None).await else {
            continue;
        };
        let keeps = custos_domain::access::book_role(&pack.books, Book::Visitors, &subject, false);
        let signs = custos_domain::access::book_role(&pack.books, Book::Visitors, &subject, true);
        if keeper.is_none() && keeps.is_ok() {
            keeper = Some(subject);
        } else if signer.is_none() && signs.is_ok() {
            signer = Some(subject);
        }
    }
    let (Some(keeper), Some(signer)) = (keeper, signer) else {
        return Ok(());
    };
    let name = "Jordan Visitor";
    let visit = store
        .record_visit_arrival(
            &Actor::User(keeper.username.clone()),
            &keeper,
            None,
            &VisitDraft {
                details: Details {
                    name: name.to_owned(),
                    organisation: "Local police neighbourhood team".to_owned(),
                    purpose: "Liaison visit: how footage is requested".to_owned(),
                    authorised_by: Authoriser {
                        name: "Demo owner".to_owned(),
                        role: "Owner of the scheme".to_owned(),
                    },
                    entered_at_unix_ms: now - 2 * 3_600_000,
                    left_at_unix_ms: None,
                },
                undertaking: UndertakingDraft::OnScreen {
                    ticked: true,
                    typed_name: name.to_owned(),
                },
            },
            None,
        )
        .await?;
    store
        .record_visitor_left(
            &Actor::User(keeper.username.clone()),
            &keeper,
            &visit.reference,
            Some(now - 3_600_000),
        )
        .await?;
    store
        .countersign_visit(
            &Actor::User(signer.username.clone()),
            &signer,
            &visit.reference,
        )
        .await?;
    println!(
        "Demo visit: {}, a visitor to the control room, countersigned (Visitors, signed in as {}).",
        visit.reference, signer.username
    );
    Ok(())
}

/// A police directed-surveillance authorisation over the first demo camera, given orally
/// in an urgent case ten days ago (so its 72 hours ended a week before the demo's footage
/// begins, which it therefore leaves unrestricted) and cancelled once the written record
/// came; its team is the first demo account that reviews footage.
async fn seed_demo_covert(store: &Store, actor: &Actor, now: i64) -> anyhow::Result<()> {
    use custos_domain::covert::{BodyKind, Draft, Ground, Route, SurveillanceType};
    use custos_store::covert::{CovertStep, NewCovert};
    const DAY_MS: i64 = 86_400_000;
    let Some(camera) = store.cameras(false).await?.first().map(|c| c.id.clone()) else {
        return Ok(());
    };
    let users = store.users().await?;
    let Some(member) = ["manager", "operator", "owner"]
        .into_iter()
        .find(|u| users.iter().any(|x| x.username == *u && !x.disabled))
    else {
        return Ok(());
    };
    let granted = now - 10 * DAY_MS;
    let first_review = custos_base::UnixMs(granted + DAY_MS)
        .to_timestamp()
        .and_then(|t| custos_domain::calendar::uk_day(t).ok())
        .context("the clock is out of range")?;
    let recorder = store.subject_of(member, None).await?;
    let c = store
        .open_covert(
            actor,
            &recorder,
            &NewCovert {
                draft: Draft {
                    surveillance: SurveillanceType::Directed,
                    body: BodyKind::Police,
                    organisation: "County Constabulary".to_owned(),
                    urn: Some("CC/CAB/2026/0417".to_owned()),
                    route: Route::UrgentOral,
                    grounds: vec![Ground::CrimeOrDisorder],
                    crime_threshold: None,
                    rationale: "Bicycles were being stolen from the racks by the gate over a weekend; the thieves were expected back that night.".to_owned(),
                    until_unix_ms: None,
                    authorised_by: "Superintendent A. Example".to_owned(),
                    cameras: vec![camera],
                    team: vec![member.to_owned()],
                    granted_at_unix_ms: granted,
                    first_review_on: Some(first_review),
                },
                areas: "The bicycle racks by the main gate".to_owned(),
                summary: "Bicycle thefts by the main gate".to_owned(),
            },
        )
        .await?;
    store
        .covert_step(
            actor,
            &c.reference,
            &CovertStep::Cancel {
                reason: "The operation ended with an arrest within the 72 hours; the force's written cancellation has come.".to_owned(),
            },
        )
        .await?;
    println!(
        "Demo covert authorisation: {}, an urgent police one, cancelled (Cases, signed in as dpo).",
        c.reference
    );
    Ok(())
}

/// A police request for partial control of the first demo camera, made three hours ago,
/// agreed by the owners' representative, with what was done under control, and handed back
/// now; where the scheme's
/// code does not let the police take control, says so instead.
async fn seed_demo_police_control(
    store: &Store,
    config: &Config,
    pack: &custos_domain::PolicyPack,
    now: i64,
) -> anyhow::Result<()> {
    use custos_domain::police_control::{ControlType, Draft, Officer, PoliceRank};
    use custos_store::police_control::{NewPoliceControl, PoliceStep, WrittenRequest};
    let authority = pack.authorise.police_control_for(false);
    if !authority.allowed {
        println!(
            "Police control: this scheme's code does not let the police take control of the system (`custos demo --policy policies/bassetlaw-district-council.toml` shows a council's)."
        );
        return Ok(());
    }
    let Some(camera) = store.cameras(false).await?.first().map(|c| c.id.clone()) else {
        return Ok(());
    };
    let users = store.users().await?;
    let Some(representative) = authority.roles.iter().find(|r| {
        users
            .iter()
            .any(|u| u.username == r.as_str() && !u.disabled)
    }) else {
        return Ok(());
    };
    let actor = Actor::System("demo".to_owned());
    let requested = now - 3 * 3_600_000;
    let c = store
        .open_police_control(
            &actor,
            Some(&crate::cases::documents_dir(&config.data_dir)),
            &NewPoliceControl {
                draft: Draft {
                    officer: Officer {
                        name: "Sam Example".to_owned(),
                        rank: PoliceRank::Inspector,
                        number: "4821".to_owned(),
                        force: "County Constabulary".to_owned(),
                    },
                    control: ControlType::Partial,
                    cameras: vec![camera],
                    reason: "A public order operation at the market on Saturday morning".to_owned(),
                    requested_at_unix_ms: requested,
                },
                summary: "Market day public order operation".to_owned(),
                written: Some(WrittenRequest {
                    name: "written-request.txt".to_owned(),
                    media_type: "text/plain".to_owned(),
                    contents: b"Inspector Sam Example (4821), County Constabulary, asks for partial control of the market camera from 09:00 to 11:00 on Saturday for a public order operation.".to_vec(),
                }),
            },
        )
        .await?;
    let representative = store.subject_of(representative.as_str(), None).await?;
    store
        .police_control_step(
            &actor,
            Some(&representative),
            &c.reference,
            &PoliceStep::Agree {
                starts_at_unix_ms: Some(requested + 3_600_000),
            },
        )
        .await?;
    store
        .add_case_note(
            &actor,
            &c.reference,
            "Police operators followed the crowd at the market entrance; no footage was copied.",
        )
        .await?;
    store
        .police_control_step(
            &actor,
            None,
            &c.reference,
            &PoliceStep::HandBack { at_unix_ms: None },
        )
        .await?;
    println!(
        "Demo police control: {}, partial control agreed, logged and handed back (Cases).",
        c.reference
    );
    Ok(())
}

/// Gives a demonstration scheme one account per role of its pack (each with the role
/// across the whole scheme) and prints the names and passwords, unless it has accounts.
async fn seed_demo_users(store: &Store) -> anyhow::Result<()> {
    if !store.users().await?.is_empty() {
        println!("Demo accounts: kept the scheme's existing accounts (`custos user list`).");
        return Ok(());
    }
    let Some(policy) = store.active_policy().await? else {
        return Ok(());
    };
    println!("Demo accounts, one per role (sign in at /login; user name = role):");
    let actor = Actor::System("demo".to_owned());
    let now = jiff::Zoned::now().with_time_zone(
        jiff::tz::TimeZone::get("Europe/London").context("the UK time zone is unavailable")?,
    );
    let today = now.date().to_string();
    let a_year_on = now
        .date()
        .checked_add(jiff::Span::new().years(1))
        .context("a year from today")?
        .to_string();
    // A role that gives no right under this pack (the built-in "authoriser" where the pack
    // names it nowhere) would be an account that can do nothing: it gets none.
    let table = custos_domain::access::RightsTable::from_pack(&policy.pack);
    let mut idle = Vec::new();
    for role in &policy.pack.roles {
        if table.rights(role.id.as_str()).is_empty() {
            idle.push(role.id.to_string());
            continue;
        }
        let name =
            custos_domain::access::Username::parse(role.id.as_str()).map_err(anyhow::Error::msg)?;
        let password = crate::users::random_password()?;
        let title = role.id.as_str().replace('-', " ");
        store
            .add_user(
                &actor,
                &name,
                &format!("Demo {title}"),
                &password,
                &[custos_domain::access::Assignment {
                    role: role.id.clone(),
                    scope: custos_domain::access::Scope::Scheme,
                }],
            )
            .await?;
        // So that every demo role can be tried, control-room roles get a demonstration
        // licence and the training the pack requires, each in date for a year.
        if policy.pack.access.sia_licence_required
            && custos_domain::access::LICENSED_ROLES.contains(&role.id.as_str())
        {
            store
                .record_licence(&actor, &name, "DEMO 0000 0000 0000", &a_year_on)
                .await?;
        }
        for rule in &policy.pack.access.training {
            if rule.roles.contains(&role.id) {
                store
                    .record_training(&actor, &name, &rule.course, &today, Some(&a_year_on))
                    .await?;
            }
        }
        println!("  {:<18} password {password}", role.id.as_str());
    }
    let second_factor: Vec<&str> = policy
        .pack
        .access
        .mfa_roles
        .iter()
        .map(|r| r.as_str())
        .filter(|r| !table.rights(r).is_empty())
        .collect();
    if !second_factor.is_empty() {
        println!(
            "At first sign-in, {} set up an authenticator app (any app for TOTP codes): the page shows a QR code and the key to type in.",
            second_factor.join(", ")
        );
    }
    if !idle.is_empty() {
        println!(
            "No account for {}: the scheme's policy gives {} nothing to do.",
            idle.join(", "),
            if idle.len() == 1 {
                "that role"
            } else {
                "those roles"
            }
        );
    }
    Ok(())
}

/// Signs the ledger's head every `minutes` minutes, if entries were added since the last
/// checkpoint (the count-based checkpoints happen as entries are written).
async fn checkpoint_periodically(
    store: Store,
    seconds: u64,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let period = std::time::Duration::from_secs(seconds.max(1));
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        if let Err(e) = store.checkpoint().await {
            tracing::error!(error = %e, "could not write a ledger checkpoint");
        }
    }
}

/// Verifies the whole ledger when the server starts and every `hours` hours after, and
/// records each outcome in the ledger; a failure raises the alarm until acknowledged.
async fn verify_periodically(
    store: Store,
    hours: u64,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let period = std::time::Duration::from_secs(hours.max(1) * 3600);
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let actor = Actor::System("ledger-verifier".to_owned());
    let mut first = true;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        let first = std::mem::replace(&mut first, false);
        if let Err(e) = store.verify_and_record(&actor, first).await {
            tracing::error!(error = %e, "could not verify the ledger");
        }
    }
}

/// Completes on Ctrl-C (SIGINT) or SIGTERM. The handlers are installed when this is
/// called, not when the future is first polled, so a signal that arrives as soon as the
/// server says it is running is not lost (and does not kill the process uncleanly).
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let int = signal(SignalKind::interrupt());
        let term = signal(SignalKind::terminate());
        async move {
            match (int, term) {
                (Ok(mut int), Ok(mut term)) => {
                    tokio::select! {
                        _ = int.recv() => {},
                        _ = term.recv() => {},
                    }
                }
                (Err(e), _) | (_, Err(e)) => {
                    tracing::error!(error = %e, "cannot listen for Ctrl-C or SIGTERM");
                    std::future::pending::<()>().await;
                }
            }
            tracing::info!("stopping");
        }
    }
    #[cfg(not(unix))]
    async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
        tracing::info!("stopping");
    }
}

async fn demo(
    mut config: Config,
    data_given: bool,
    policy: Option<&Path>,
    gop_s: u32,
) -> anyhow::Result<ExitCode> {
    // A fresh data directory unless one was given (by flag, variable or file).
    let temp = if !data_given && config.data_dir == Config::default().data_dir {
        let dir = std::env::temp_dir().join(format!(
            "custos-demo-{}-{}",
            std::process::id(),
            SystemClock.now().0
        ));
        config.data_dir = dir.join("data");
        if config.key_dir.is_none() {
            config.key_dir = Some(dir.join("keys"));
        }
        Some(dir)
    } else {
        None
    };
    let (name, source) = match policy {
        Some(file) => (file.display().to_string(), read_pack_file(file)?),
        None => (
            "bosmere-junior-school.toml (built in)".to_owned(),
            DEMO_POLICY.to_owned(),
        ),
    };
    let (store, _) = open_and_migrate(&config, NewKey::Create).await?;
    let current = store.active_policy().await?;
    if current.as_ref().map(|p| p.source.as_str()) != Some(source.as_str()) {
        let v = load_pack(&store, Path::new(&name), &source).await?;
        println!("Demo scheme: {} (policy version {}).", v.name, v.version);
    }
    seed_demo_users(&store).await?;
    // Two simulated cameras, recorded like real ones.
    let sim_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("cannot start the simulated cameras")?;
    let sim_addr = sim_listener
        .local_addr()
        .context("cannot read the simulated cameras' address")?;
    let sim_config = custos_media::simcam::SimCamConfig {
        cameras: 2,
        width: 640,
        height: 360,
        fps: 25,
        gop_frames: 25 * gop_s,
    };
    let (sim_stop, sim_stopped) = tokio::sync::oneshot::channel::<()>();
    let sim = tokio::spawn(custos_media::simcam::serve(
        sim_listener,
        sim_config.clone(),
        async move {
            let _ = sim_stopped.await;
        },
    ));
    register_demo_cameras(&store, &sim_config.urls(sim_addr)).await?;
    println!(
        "Recording two simulated cameras ({}).",
        sim_config.urls(sim_addr).join(", ")
    );
    seed_demo_case(&store, &config).await?;
    seed_demo_incident(&store).await?;
    seed_demo_prints(&store, &config).await?;
    seed_demo_maintenance(&store).await?;
    // Sign what the demo set up, as `init` does at its end, so the server finds the ledger
    // covered by a signature in its witness when it verifies it at start.
    store
        .checkpoint()
        .await
        .context("cannot sign the demo's ledger")?;
    match &temp {
        Some(_) => println!(
            "Demo data in {} (deleted when the demo stops, with its keys; give --data DIR to keep it).",
            config.data_dir.display()
        ),
        None => println!("Demo data in {}.", config.data_dir.display()),
    }
    let result = run_web(&config, store).await;
    let _ = sim_stop.send(());
    let _ = sim.await;
    if let Some(dir) = temp
        && let Err(e) = std::fs::remove_dir_all(&dir)
    {
        eprintln!(
            "warning: could not delete the demo data in {}: {e}",
            dir.display()
        );
    }
    result?;
    Ok(ExitCode::SUCCESS)
}
