//! Configuration: one typed struct, read from a TOML file, then `CUSTOS_*` environment
//! variables, then command-line flags (each later source overrides the earlier).
//!
//! Invariants: unknown keys in the file are errors, and so are unknown `CUSTOS_*`
//! environment variables (a misspelt setting never silently does nothing). Secrets (the
//! database password) are held in [`SecretUrl`], whose `Debug` and `Display` hide them, so
//! they cannot reach logs or error messages by accident. Every key is listed, with its
//! default, in `docs/ref/config.md`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use custos_domain::calendar::{Calendar, Change, ConfiguredOneOff};
use serde::{Deserialize, Serialize};

/// The environment variables Custos reads. Any other `CUSTOS_*` variable is refused.
pub const KNOWN_ENV: &[&str] = &[
    "CUSTOS_CONFIG",
    "CUSTOS_DATA",
    "CUSTOS_DATABASE_URL",
    "CUSTOS_KEY_DIR",
    "CUSTOS_LISTEN",
    "CUSTOS_LOG",
];

/// The whole configuration of one `custos` process.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The data directory: database file, footage, case documents.
    pub data_dir: PathBuf,
    /// Where the scheme's keys and its local ledger witness are kept, apart from the data
    /// (so that a copy of the data folder cannot be read, nor its ledger rewritten unseen);
    /// default: beside the data folder, `DATA-keys`.
    pub key_dir: Option<PathBuf>,
    /// Database settings.
    pub database: DatabaseConfig,
    /// Web server settings.
    pub web: WebConfig,
    /// Logging.
    pub log: LogConfig,
    /// The ledger: signing key, witness file, checkpoints.
    pub ledger: LedgerConfig,
    /// `[storage]`
    pub storage: StorageConfig,
    /// `[calendar]`
    pub calendar: CalendarConfig,
    /// `[mail]`
    pub mail: MailConfig,
}

/// `[mail]`: e-mail telling staff of work waiting for them (a download to authorise,
/// ALT-8). Off unless `smtp` is set.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    /// The scheme's SMTP relay: `smtps://HOST:PORT` (TLS), `smtp://HOST:PORT?tls=required`
    /// (STARTTLS), or `smtp://HOST:PORT` (unencrypted: only a relay on this machine or its
    /// own network); `USER:PASSWORD@` before the host to sign in.
    pub smtp: Option<SecretUrl>,
    /// The sender, e.g. `CCTV <cctv@school.example>`.
    pub from: String,
}

/// `[calendar]`: one-off changes to the bank holidays, on top of those shipped with Custos
/// (every one proclaimed from 1995 to the release): days added or moved by proclamation
/// since, each for the nations it names.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CalendarConfig {
    /// Extra bank holidays, e.g. `{ date = "2027-06-07", nations = ["scotland"] }`.
    pub extra_holidays: Vec<OneOffEntry>,
    /// Bank holidays that did not happen (moved), in the same form.
    pub removed_holidays: Vec<OneOffEntry>,
}

/// One configured one-off: `{ date = "YYYY-MM-DD", nations = ["england-wales", …] }`.
/// A bare date (the form before one-offs named their nations) is refused with advice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OneOffEntry {
    /// The day, `YYYY-MM-DD`.
    pub date: String,
    /// The nations it applies to: `england-wales`, `scotland`, `northern-ireland`.
    pub nations: Vec<String>,
}

/// How a one-off is written, for error messages.
const ONE_OFF_FORM: &str = "{ date = \"YYYY-MM-DD\", nations = [\"england-wales\"] } (nations from \"england-wales\", \"scotland\", \"northern-ireland\")";

impl<'de> Deserialize<'de> for OneOffEntry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entry;
        impl<'de> serde::de::Visitor<'de> for Entry {
            type Value = OneOffEntry;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "a one-off bank holiday written {ONE_OFF_FORM}")
            }

            fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Err(E::custom(format!(
                    "a one-off bank holiday must name its nations: write {ONE_OFF_FORM}; the one-offs proclaimed up to this release (1995 to 2023, and Scotland's 15 June 2026) are built in and need no entry"
                )))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Raw {
                    date: String,
                    #[serde(default)]
                    nations: Vec<String>,
                }
                let raw = Raw::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(OneOffEntry {
                    date: raw.date,
                    nations: raw.nations,
                })
            }
        }
        d.deserialize_any(Entry)
    }
}

impl CalendarConfig {
    /// The one-off changes, checked for form: each date a date, each naming one nation or
    /// more. Whether each is a holiday is checked when a calendar is made
    /// ([`CalendarConfig::calendar`]).
    pub fn one_offs(&self) -> Result<Vec<ConfiguredOneOff>, String> {
        let mut out = Vec::new();
        for (list, key, change) in [
            (&self.extra_holidays, "extra_holidays", Change::Added),
            (&self.removed_holidays, "removed_holidays", Change::Removed),
        ] {
            for entry in list {
                out.push(one_off(entry, key, change)?);
            }
        }
        Ok(out)
    }

    /// The scheme's working-day calendar for a nation: the shipped bank holidays with these
    /// one-offs.
    pub fn calendar(&self, nation: custos_domain::Nation) -> Result<Calendar, String> {
        Calendar::with_one_offs(nation, &self.one_offs()?)
            .map_err(|e| format!("[calendar] {e}; see docs/ref/config.md"))
    }
}

fn one_off(entry: &OneOffEntry, key: &str, change: Change) -> Result<ConfiguredOneOff, String> {
    let t = &entry.date;
    let date: jiff::civil::Date = t.parse().map_err(|_| {
        format!("[calendar] {key}: {t:?} is not a date; write YYYY-MM-DD, e.g. \"2023-05-08\"")
    })?;
    if entry.nations.is_empty() {
        return Err(format!(
            "[calendar] {key}: the one-off on {date} names no nation; write {ONE_OFF_FORM}"
        ));
    }
    let nations = entry
        .nations
        .iter()
        .map(|n| {
            n.parse::<custos_domain::Nation>()
                .map_err(|e| format!("[calendar] {key}: the one-off on {date}: {e}"))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(ConfiguredOneOff {
        date,
        nations,
        change,
    })
}

/// `[storage]`
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// The master key file (64 hex digits); default `KEYS/master-key`.
    pub master_key_file: Option<PathBuf>,
    /// A command whose output is the master key, instead of the file (e.g. to fetch it
    /// from a key management service).
    pub master_key_command: Option<String>,
    /// The free-space floor of the footage disk, in percent of the disk (1 to 50): below
    /// it, the oldest unheld footage is deleted early.
    pub min_free_percent: u8,
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self {
            master_key_file: None,
            master_key_command: None,
            min_free_percent: 5,
        }
    }
}

/// `[ledger]`
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LedgerConfig {
    /// The scheme's Ed25519 signing key (OpenSSH format); default `KEYS/ledger-signing-key`.
    pub signing_key: Option<PathBuf>,
    /// Where every signed checkpoint is also written: file paths, `syslog+tcp://HOST:PORT`
    /// and `http(s)://…` addresses; one, or a list. Default `KEYS/ledger-witness`.
    #[serde(deserialize_with = "one_or_many")]
    pub witness: Vec<String>,
    /// An extra CA certificate (PEM) to trust for `https://` witnesses.
    pub witness_ca_file: Option<PathBuf>,
    /// Sign a checkpoint after this many entries (at least 1).
    pub checkpoint_every_entries: u64,
    /// While `custos serve` runs, sign the head at most this many seconds after an entry
    /// is written (1 to 60).
    pub checkpoint_within_seconds: u64,
    /// Replaced by `checkpoint_within_seconds`; refused with that advice.
    #[serde(skip_serializing)]
    pub checkpoint_every_minutes: Option<u64>,
    /// `custos serve` verifies the whole ledger at start and then this often, in hours.
    pub verify_every_hours: u64,
}

impl Default for LedgerConfig {
    fn default() -> Self {
        Self {
            signing_key: None,
            witness: Vec::new(),
            witness_ca_file: None,
            checkpoint_every_entries: 1000,
            checkpoint_within_seconds: 2,
            checkpoint_every_minutes: None,
            verify_every_hours: 24,
        }
    }
}

/// A list in the file that may also be written as a single string.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

/// `[database]`
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// `postgres://…` to use PostgreSQL; unset for the SQLite file in the data directory.
    pub url: Option<SecretUrl>,
}

/// `[web]`
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebConfig {
    /// The address and port the web server listens on.
    pub listen: SocketAddr,
    /// Reverse proxies (addresses or CIDR networks) whose `X-Forwarded-For` header names
    /// the real client; empty (the default) trusts no header, so workstation rules and
    /// sign-in throttling judge by the connecting address.
    pub trusted_proxies: Vec<String>,
    /// Client networks `/metrics` is served to; default loopback only.
    pub metrics_from: Vec<String>,
    /// Web connections open at once, at most (default 1024). The server lowers it, with a
    /// warning, to what the process's descriptor limit leaves after the recorder's share.
    pub max_connections: usize,
    /// Seconds a client may take to send a request's headers, and a keep-alive connection
    /// may wait for its next request (default 10).
    pub header_timeout_seconds: u64,
    /// Live streams one person may watch at once (default 16, the largest grid).
    pub live_streams_per_person: usize,
}

impl WebConfig {
    /// The trusted proxies, parsed.
    pub fn trusted_proxy_networks(&self) -> Result<Vec<custos_domain::network::Network>, String> {
        networks(&self.trusted_proxies, "trusted_proxies")
    }

    /// The networks `/metrics` is served to, parsed.
    pub fn metrics_networks(&self) -> Result<Vec<custos_domain::network::Network>, String> {
        networks(&self.metrics_from, "metrics_from")
    }
}

fn networks(list: &[String], key: &str) -> Result<Vec<custos_domain::network::Network>, String> {
    list.iter()
        .map(|p| custos_domain::network::Network::parse(p).map_err(|e| format!("[web] {key}: {e}")))
        .collect()
}

/// `[log]`
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// The least severe level written: `error`, `warn`, `info`, `debug` or `trace`.
    pub level: LogLevel,
}

/// A log level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// Errors only.
    Error,
    /// Warnings and errors.
    Warn,
    /// Normal operation.
    Info,
    /// Detail for diagnosing problems.
    Debug,
    /// Everything.
    Trace,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("custos-data"),
            key_dir: None,
            database: DatabaseConfig::default(),
            web: WebConfig::default(),
            log: LogConfig::default(),
            ledger: LedgerConfig::default(),
            storage: StorageConfig::default(),
            calendar: CalendarConfig::default(),
            mail: MailConfig::default(),
        }
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            trusted_proxies: Vec::new(),
            metrics_from: vec!["127.0.0.0/8".to_owned(), "::1/128".to_owned()],
            max_connections: 1024,
            header_timeout_seconds: 10,
            live_streams_per_person: custos_web::live::DEFAULT_STREAMS_PER_PERSON,
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            level: LogLevel::Info,
        }
    }
}

/// A database URL that may contain a password; shown only with the password hidden.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct SecretUrl(String);

impl SecretUrl {
    /// Wraps a URL.
    pub fn new(url: String) -> Self {
        Self(url)
    }

    /// The full URL, password included: only for handing to the database driver.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&custos_store::redact_url(&self.0))
    }
}

impl std::fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&custos_store::redact_url(&self.0))
    }
}

impl Serialize for SecretUrl {
    /// Serialises redacted, so printing the configuration never shows the password.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&custos_store::redact_url(&self.0))
    }
}

/// Values given on the command line or in `CUSTOS_*` variables (clap reads both; a flag
/// wins over its variable). `None` means "not given: keep the file's value".
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// `--data` / `CUSTOS_DATA`.
    pub data_dir: Option<PathBuf>,
    /// `--key-dir` / `CUSTOS_KEY_DIR`.
    pub key_dir: Option<PathBuf>,
    /// `--database-url` / `CUSTOS_DATABASE_URL`.
    pub database_url: Option<String>,
    /// `--listen` / `CUSTOS_LISTEN`.
    pub listen: Option<SocketAddr>,
    /// `--log` / `CUSTOS_LOG`.
    pub log: Option<LogLevel>,
}

impl Config {
    /// Reads the file (if any), then applies the overrides.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> anyhow::Result<Self> {
        check_environment(std::env::vars_os().filter_map(|(k, _)| k.into_string().ok()))?;
        let mut config = match file {
            Some(path) => Self::from_file(path)?,
            None => Self::default(),
        };
        if let Some(d) = &overrides.key_dir {
            config.key_dir = Some(d.clone());
        }
        if let Some(d) = &overrides.data_dir {
            config.data_dir = d.clone();
        }
        if let Some(u) = &overrides.database_url {
            config.database.url = Some(SecretUrl::new(u.clone()));
        }
        if let Some(l) = overrides.listen {
            config.web.listen = l;
        }
        if let Some(l) = overrides.log {
            config.log.level = l;
        }
        Ok(config)
    }

    fn from_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
        Self::from_toml(&text).map_err(|e| anyhow::anyhow!("{}:{e}", path.display()))
    }

    /// Parses configuration TOML; the error is `LINE:COLUMN: message`.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let config: Self = toml::from_str(text).map_err(|e| {
            let (line, col) = e.span().map_or((1, 1), |s| {
                custos_domain::policy::line_column(text, s.start)
            });
            let msg = e.message().trim().trim_end_matches('.').replace('\n', " ");
            // Never echo the offending text back: it may be a password.
            format!("{line}:{col}: {msg}; see docs/ref/config.md for the keys Custos reads")
        })?;
        if !(1..=50).contains(&config.storage.min_free_percent) {
            return Err(format!(
                "[storage] min_free_percent is {}; give a share of the footage disk from 1 to 50 (percent) to keep free; see docs/ref/config.md",
                config.storage.min_free_percent
            ));
        }
        if config.ledger.checkpoint_every_minutes.is_some() {
            return Err("[ledger] checkpoint_every_minutes is no longer used: the head is now signed within seconds of each entry; remove it, or set checkpoint_within_seconds (1 to 60, default 2); see docs/ref/config.md".to_owned());
        }
        if config.ledger.checkpoint_every_entries == 0 {
            return Err(
                "[ledger] checkpoint_every_entries must be at least 1; see docs/ref/config.md"
                    .to_owned(),
            );
        }
        if !(1..=60).contains(&config.ledger.checkpoint_within_seconds) {
            return Err(format!(
                "[ledger] checkpoint_within_seconds is {}; give from 1 to 60 (the default is 2); see docs/ref/config.md",
                config.ledger.checkpoint_within_seconds
            ));
        }
        for w in &config.ledger.witness {
            custos_store::WitnessTarget::parse(w).map_err(|e| format!("[ledger] witness: {e}"))?;
        }
        config.web.trusted_proxy_networks()?;
        config.web.metrics_networks()?;
        if config.web.max_connections < 16 {
            return Err(format!(
                "[web] max_connections is {}; give at least 16 (the default is 1024); see docs/ref/config.md",
                config.web.max_connections
            ));
        }
        if !(1..=64).contains(&config.web.live_streams_per_person) {
            return Err(format!(
                "[web] live_streams_per_person is {}; give from 1 to 64 (the default is 16); see docs/ref/config.md",
                config.web.live_streams_per_person
            ));
        }
        if !(1..=300).contains(&config.web.header_timeout_seconds) {
            return Err(format!(
                "[web] header_timeout_seconds is {}; give from 1 to 300 seconds (the default is 10); see docs/ref/config.md",
                config.web.header_timeout_seconds
            ));
        }
        // Dates and nations are checked here; whether each is a holiday in each nation when
        // a calendar is made.
        config.calendar.one_offs()?;
        Ok(config)
    }

    /// Where the keys and the local witness are kept: `key_dir`, or beside the data folder
    /// (`DATA-keys`).
    pub fn key_dir(&self) -> PathBuf {
        if let Some(d) = &self.key_dir {
            return d.clone();
        }
        let name = self.data_dir.file_name().map_or_else(
            || "custos-data".into(),
            |n| n.to_string_lossy().into_owned(),
        );
        self.data_dir.with_file_name(format!("{name}-keys"))
    }

    /// `explicit`, or `name` in the key folder — or in the data folder, where schemes made
    /// before keys moved out of it keep it (until it is moved; `custos check` says so).
    fn key_file(&self, explicit: Option<&PathBuf>, name: &str) -> PathBuf {
        if let Some(p) = explicit {
            return p.clone();
        }
        let kept = self.key_dir().join(name);
        let legacy = self.data_dir.join(name);
        if !kept.exists() && legacy.exists() {
            legacy
        } else {
            kept
        }
    }

    /// Where the master key file is.
    pub fn master_key_path(&self) -> PathBuf {
        self.key_file(self.storage.master_key_file.as_ref(), "master-key")
    }

    /// Where the scheme's signing key is.
    pub fn signing_key_path(&self) -> PathBuf {
        self.key_file(self.ledger.signing_key.as_ref(), "ledger-signing-key")
    }

    /// Where checkpoints are also written: the configured witnesses, or the witness file in
    /// the key folder.
    pub fn witness_targets(&self) -> anyhow::Result<Vec<custos_store::WitnessTarget>> {
        if self.ledger.witness.is_empty() {
            return Ok(vec![custos_store::WitnessTarget::File(
                self.key_file(None, "ledger-witness"),
            )]);
        }
        self.ledger
            .witness
            .iter()
            .map(|w| {
                custos_store::WitnessTarget::parse(w)
                    .map_err(|e| anyhow::anyhow!("[ledger] witness: {e}"))
            })
            .collect()
    }

    /// The effective configuration as TOML, with secrets hidden.
    pub fn to_toml_redacted(&self) -> String {
        toml::to_string(self).unwrap_or_else(|e| format!("# cannot show the configuration: {e}\n"))
    }
}

/// Refuses `CUSTOS_*` variables that Custos does not read (`CUSTOS_TEST_*` belong to the
/// test suite and are allowed).
pub fn check_environment(names: impl Iterator<Item = String>) -> anyhow::Result<()> {
    let mut unknown: Vec<String> = names
        .filter(|k| k.starts_with("CUSTOS_") && !k.starts_with("CUSTOS_TEST_"))
        .filter(|k| !KNOWN_ENV.contains(&k.as_str()))
        .collect();
    unknown.sort();
    if !unknown.is_empty() {
        bail!(
            "unknown environment variable{} {}: Custos reads only {}; unset or rename {}",
            if unknown.len() == 1 { "" } else { "s" },
            unknown.join(", "),
            KNOWN_ENV.join(", "),
            if unknown.len() == 1 { "it" } else { "them" }
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_as_documented() {
        let c = Config::default();
        assert_eq!(c.data_dir, PathBuf::from("custos-data"));
        assert_eq!(c.database.url, None);
        assert_eq!(c.web.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.log.level, LogLevel::Info);
    }

    #[test]
    fn file_then_overrides() {
        let file = "data_dir = \"/srv/custos\"\n[web]\nlisten = \"0.0.0.0:9000\"\n[log]\nlevel = \"debug\"\n";
        let mut c = Config::from_toml(file).expect("valid");
        assert_eq!(c.web.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(c.log.level, LogLevel::Debug);
        let o = Overrides {
            listen: Some("127.0.0.1:1".parse().expect("addr")),
            ..Default::default()
        };
        if let Some(l) = o.listen {
            c.web.listen = l;
        }
        assert_eq!(c.web.listen.to_string(), "127.0.0.1:1");
        assert_eq!(c.data_dir, PathBuf::from("/srv/custos"));
    }

    #[test]
    fn unknown_keys_are_errors_with_position() {
        let e = Config::from_toml("[web]\nlisen = \"127.0.0.1:1\"\n").expect_err("unknown key");
        assert!(e.starts_with("2:1: unknown field `lisen`"), "{e}");
        let e = Config::from_toml("colour = 1\n").expect_err("unknown key");
        assert!(e.contains("unknown field `colour`"), "{e}");
    }

    #[test]
    fn a_password_never_appears_in_errors_debug_or_output() {
        let text = "[database]\nurl = \"postgres://custos:hunter2hunter2@db/custos\"\n";
        let c = Config::from_toml(text).expect("valid");
        assert!(!format!("{c:?}").contains("hunter2"));
        assert!(!c.to_toml_redacted().contains("hunter2"));
        assert!(
            c.to_toml_redacted()
                .contains("postgres://custos:***@db/custos")
        );
        // A malformed value must not be echoed back either.
        let e = Config::from_toml("[database]\nurl = 5 # hunter2\n").expect_err("wrong type");
        assert!(!e.contains("hunter2"), "{e}");
    }

    #[test]
    fn calendar_one_offs_name_their_nations() {
        use custos_domain::Nation;
        let c = Config::from_toml(
            "[calendar]\nextra_holidays = [{ date = \"2027-06-07\", nations = [\"scotland\"] }, { date = \"2027-06-08\", nations = [\"england-wales\", \"scotland\", \"northern-ireland\"] }]\nremoved_holidays = [{ date = \"2027-05-31\", nations = [\"england-wales\"] }]\n",
        )
        .expect("valid");
        let scotland = c.calendar.calendar(Nation::Scotland).expect("calendar");
        let england = c.calendar.calendar(Nation::EnglandWales).expect("calendar");
        let day = |s: &str| -> jiff::civil::Date { s.parse().expect("date") };
        assert!(!scotland.is_working_day(day("2027-06-07")));
        assert!(england.is_working_day(day("2027-06-07")));
        assert!(!england.is_working_day(day("2027-06-08")));
        assert!(england.is_working_day(day("2027-05-31")));
        assert!(!scotland.is_working_day(day("2027-05-31")));
        // With no configuration, the shipped one-offs are there.
        let plain = Config::from_toml("").expect("empty");
        let cal = plain
            .calendar
            .calendar(Nation::EnglandWales)
            .expect("calendar");
        assert!(!cal.is_working_day(day("2023-05-08")));
        assert!(cal.is_working_day(day("2020-05-04")));

        let refused = |text: &str| Config::from_toml(text).expect_err(text);
        let e = refused(
            "[calendar]\nextra_holidays = [{ date = \"2023-5-8\", nations = [\"scotland\"] }]\n",
        );
        assert!(
            e.contains("\"2023-5-8\" is not a date; write YYYY-MM-DD"),
            "{e}"
        );
        // The old form, a bare date, names no nation.
        let e = refused("[calendar]\nextra_holidays = [\"2027-06-07\"]\n");
        assert!(
            e.starts_with("2:19: a one-off bank holiday must name its nations"),
            "{e}"
        );
        assert!(e.contains("nations = [\"england-wales\"]"), "{e}");
        let e = refused("[calendar]\nextra_holidays = [{ date = \"2027-06-07\" }]\n");
        assert!(
            e.contains("the one-off on 2027-06-07 names no nation"),
            "{e}"
        );
        let e = refused("[calendar]\nextra_holidays = [{ date = \"2027-06-07\", nations = [] }]\n");
        assert!(e.contains("names no nation"), "{e}");
        let e = refused(
            "[calendar]\nremoved_holidays = [{ date = \"2027-05-31\", nations = [\"wales\"] }]\n",
        );
        assert!(
            e.contains(
                "[calendar] removed_holidays: the one-off on 2027-05-31: \"wales\" is not a nation"
            ),
            "{e}"
        );
        let e = refused(
            "[calendar]\nextra_holidays = [{ date = \"2027-06-07\", nation = \"scotland\" }]\n",
        );
        assert!(e.contains("unknown field `nation`"), "{e}");

        // Whether each is a holiday is checked for each nation it names.
        let c = Config::from_toml(
            "[calendar]\nremoved_holidays = [{ date = \"2026-04-06\", nations = [\"england-wales\", \"scotland\"] }]\n",
        )
        .expect("well formed");
        let e = c
            .calendar
            .calendar(Nation::EnglandWales)
            .expect_err("not a holiday in Scotland");
        assert!(
            e.contains("cannot be removed as a bank holiday in Scotland"),
            "{e}"
        );
        // Round trip through `custos config`'s TOML.
        let c = Config::from_toml(
            "[calendar]\nextra_holidays = [{ date = \"2027-06-07\", nations = [\"scotland\"] }]\n",
        )
        .expect("valid");
        assert_eq!(
            Config::from_toml(&c.to_toml_redacted()).expect("round trip"),
            c
        );
    }

    #[test]
    fn unknown_custos_variables_are_refused_but_test_ones_allowed() {
        let ok = ["CUSTOS_DATA", "CUSTOS_TEST_POSTGRES_URL", "PATH"].map(String::from);
        assert!(check_environment(ok.into_iter()).is_ok());
        let e = check_environment(["CUSTOS_LISTN".to_owned()].into_iter()).expect_err("typo");
        assert!(e.to_string().contains("CUSTOS_LISTN"), "{e}");
        assert!(e.to_string().contains("CUSTOS_LISTEN"), "{e}");
    }
}
