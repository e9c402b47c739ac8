//! Witnesses: places outside the database where every signed checkpoint (and every
//! acceptance) is also written, so that a database rolled back, cut short or rewritten by
//! someone who can write the data folder — but not the witness — is found by comparing the
//! two (see `docs/ref/ledger.md`).
//!
//! A witness is a file (meant for another volume or a write-once mount), a syslog server
//! (RFC 5424 messages over TCP with octet-counting framing, RFC 6587 — a council's SIEM),
//! or an HTTP(S) endpoint that is sent each line in a `POST`.
//!
//! Invariants:
//! - A file witness is appended to and flushed to disk before the checkpoint counts as
//!   written; it is read back by `custos ledger verify` and `custos serve`.
//! - Remote witnesses are written from a queue of their own, in order, retried until
//!   delivered, so a witness that is down never holds up the ledger. At most
//!   [`QUEUE_LINES`] lines wait; beyond that the oldest are dropped (each line vouches for
//!   every entry before it, so the newest is the one that matters).
//! - A witness that cannot be written is an alarm: each change of its state is ledgered
//!   (`witness-failed`, `witness-restored`, book `system`) and kept in the table
//!   `witness_status`, which every staff page reads.
//! - A target is shown without any password or query string it may hold.

use std::collections::VecDeque;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::Notify;

use crate::error::{StoreError, StoreResult};

/// Lines a remote witness may have waiting.
pub const QUEUE_LINES: usize = 10_000;

/// How long one delivery to a remote witness may take.
const SEND_TIMEOUT: Duration = Duration::from_secs(5);

/// Where checkpoints are also written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WitnessTarget {
    /// A file, appended to.
    File(PathBuf),
    /// A syslog server: `HOST:PORT`, RFC 5424 over TCP.
    Syslog(String),
    /// An HTTP or HTTPS endpoint, sent each line in a `POST`.
    Http(url::Url),
}

impl WitnessTarget {
    /// Parses a target as the configuration writes it: `syslog+tcp://HOST:PORT`,
    /// `http://…` or `https://…`, or a file path (optionally `file:PATH`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("a witness is empty; give a file path, syslog+tcp://HOST:PORT or an https:// address".to_owned());
        }
        if let Some(rest) = text.strip_prefix("syslog+tcp://") {
            let rest = rest.trim_end_matches('/');
            let ok = rest
                .rsplit_once(':')
                .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok_and(|p| p > 0));
            return if ok {
                Ok(Self::Syslog(rest.to_owned()))
            } else {
                Err(format!(
                    "the syslog witness {text:?} needs a host and port: syslog+tcp://siem.example.org:6514"
                ))
            };
        }
        if text.starts_with("http://") || text.starts_with("https://") {
            let url = url::Url::parse(text)
                .map_err(|e| format!("the witness address {} is not valid: {e}", shown(text)))?;
            if url.host_str().is_none() {
                return Err(format!("the witness address {} has no host", shown(text)));
            }
            return Ok(Self::Http(url));
        }
        if text.contains("://") {
            return Err(format!(
                "the witness {} is of a kind Custos does not know; give a file path, syslog+tcp://HOST:PORT, http:// or https://",
                shown(text)
            ));
        }
        Ok(Self::File(PathBuf::from(
            text.strip_prefix("file:").unwrap_or(text),
        )))
    }

    /// The target for people and the ledger, without secrets.
    pub fn name(&self) -> String {
        match self {
            Self::File(p) => p.display().to_string(),
            Self::Syslog(hp) => format!("syslog+tcp://{hp}"),
            Self::Http(u) => shown(u.as_str()),
        }
    }

    /// The file, for a file witness.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Self::File(p) => Some(p),
            _ => None,
        }
    }
}

impl std::fmt::Display for WitnessTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// An address without its password and query string.
fn shown(text: &str) -> String {
    match url::Url::parse(text) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            if u.query().is_some() {
                u.set_query(Some("…"));
            }
            u.to_string()
        }
        Err(_) => text.split('?').next().unwrap_or(text).to_owned(),
    }
}

/// A witness that cannot be written now, for the alarm on every staff page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessProblem {
    /// The target, as [`WitnessTarget::name`] shows it.
    pub target: String,
    /// Since when (ms since the epoch).
    pub since_unix_ms: i64,
    /// Why, in words.
    pub detail: String,
}

/// Appends `line` to the file witness at `path` and flushes it to disk.
pub(crate) fn append_file(path: &Path, line: &str) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("cannot append to {}: {e}", path.display());
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(fail)?;
    writeln!(f, "{line}").map_err(fail)?;
    f.sync_all().map_err(fail)
}

/// Reads a file witness's lines; a missing file has none.
pub fn read_witness(path: &Path) -> StoreResult<Vec<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text.lines().map(str::to_owned).collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(StoreError::Ledger(format!(
            "could not read the witness file {}: {e}",
            path.display()
        ))),
    }
}

/// The newest signed statement in the file witness at `path` — a checkpoint line, or an
/// acceptance as a checkpoint of its head — whose signature is `key`'s; read from the
/// file's end, so it costs the same however long the file has grown. `None` when the file
/// is missing or holds none.
pub(crate) fn newest_signed(
    path: &Path,
    key: &ed25519_dalek::VerifyingKey,
) -> Option<custos_domain::ledger::Checkpoint> {
    use custos_domain::ledger::{Acceptance, Checkpoint};
    use std::io::{Read as _, Seek as _, SeekFrom};
    let mut f = std::fs::File::open(path).ok()?;
    let len = f.metadata().ok()?.len();
    let take = len.min(64 * 1024);
    f.seek(SeekFrom::Start(len - take)).ok()?;
    let mut tail = Vec::new();
    f.read_to_end(&mut tail).ok()?;
    let text = String::from_utf8_lossy(&tail);
    text.lines().rev().find_map(|line| {
        let line = line.trim_end_matches('\r');
        if let Some(c) = Checkpoint::parse_witness_line(line) {
            return c.signature_valid(key).then_some(c);
        }
        let a = Acceptance::parse_witness_line(line)?;
        a.signature_valid(key).then_some(Checkpoint {
            seq: a.seq,
            hash: a.hash,
            at_unix_ms: a.at_unix_ms,
            signature: Vec::new(),
        })
    })
}

/// What a remote witness has waiting.
#[derive(Debug, Default)]
struct Queue {
    lines: VecDeque<String>,
    /// Lines dropped because the queue was full.
    dropped: u64,
}

/// A remote witness and its delivery task.
#[derive(Debug)]
struct Remote {
    queue: Arc<Mutex<Queue>>,
    wake: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Remote {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The witnesses of one store: the files, written at once, and the remotes with their
/// queues.
pub(crate) struct Witnesses {
    targets: Vec<WitnessTarget>,
    remotes: Vec<Remote>,
    report: Reporter,
}

impl std::fmt::Debug for Witnesses {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Witnesses")
            .field("targets", &self.targets)
            .field("remotes", &self.remotes)
            .finish_non_exhaustive()
    }
}

/// A boxed future of nothing.
pub(crate) type BoxFuture = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// Reports a witness's state to the store (which ledgers changes): `Ok` when written.
pub(crate) type Reporter = Arc<dyn Fn(String, Result<(), String>) -> BoxFuture + Send + Sync>;

impl Witnesses {
    /// Starts delivery to the remote `targets`; `report` hears each outcome.
    pub(crate) fn start(
        targets: Vec<WitnessTarget>,
        tls: Option<Arc<rustls::ClientConfig>>,
        report: Reporter,
    ) -> Self {
        let mut remotes = Vec::new();
        for t in &targets {
            if matches!(t, WitnessTarget::File(_)) {
                continue;
            }
            let queue = Arc::new(Mutex::new(Queue::default()));
            let wake = Arc::new(Notify::new());
            let task = tokio::spawn(deliver(
                t.clone(),
                queue.clone(),
                wake.clone(),
                tls.clone(),
                report.clone(),
            ));
            remotes.push(Remote { queue, wake, task });
        }
        Self {
            targets,
            remotes,
            report,
        }
    }

    /// Records an outcome of writing to `target` (the store ledgers a change of state).
    pub(crate) fn report(&self, target: String, result: Result<(), String>) -> BoxFuture {
        (self.report)(target, result)
    }

    /// Writes `line` to every file witness now, and queues it for every remote one.
    /// Returns each file's outcome.
    pub(crate) fn write(&self, line: &str) -> Vec<(String, Result<(), String>)> {
        for r in &self.remotes {
            let mut q = r.queue.lock().unwrap_or_else(PoisonError::into_inner);
            if q.lines.len() >= QUEUE_LINES {
                q.lines.pop_front();
                q.dropped += 1;
            }
            q.lines.push_back(line.to_owned());
            drop(q);
            r.wake.notify_one();
        }
        self.targets
            .iter()
            .filter_map(|t| t.file().map(|p| (t.name(), append_file(p, line))))
            .collect()
    }

    /// Waits (at most `limit`) until every remote witness has delivered what it holds.
    /// Returns whether all did.
    pub(crate) async fn flush(&self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let waiting = self.remotes.iter().any(|r| {
                !r.queue
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .lines
                    .is_empty()
            });
            if !waiting {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Delivers a remote witness's queue, in order, for as long as the store lives.
async fn deliver(
    target: WitnessTarget,
    queue: Arc<Mutex<Queue>>,
    wake: Arc<Notify>,
    tls: Option<Arc<rustls::ClientConfig>>,
    report: Reporter,
) {
    let name = target.name();
    let mut syslog: Option<Box<dyn Stream>> = None;
    let mut backoff = Duration::from_millis(500);
    loop {
        let next = queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .lines
            .front()
            .cloned();
        let Some(line) = next else {
            wake.notified().await;
            continue;
        };
        let sent = tokio::time::timeout(SEND_TIMEOUT, async {
            match &target {
                WitnessTarget::Syslog(host_port) => {
                    send_syslog(&mut syslog, host_port, &line).await
                }
                WitnessTarget::Http(url) => send_http(url, &line, tls.clone()).await,
                WitnessTarget::File(p) => append_file(p, &line),
            }
        })
        .await
        .unwrap_or_else(|_| Err(format!("no answer within {} s", SEND_TIMEOUT.as_secs())));
        match sent {
            Ok(()) => {
                queue
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .lines
                    .pop_front();
                backoff = Duration::from_millis(500);
                report(name.clone(), Ok(())).await;
            }
            Err(why) => {
                syslog = None;
                tracing::warn!(witness = %name, error = %why, "cannot write to a ledger witness");
                report(name.clone(), Err(why)).await;
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(60));
            }
        }
    }
}

/// A byte stream to a remote witness: TCP, or TLS over TCP.
trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// This machine's name for syslog messages (`-` when unknown, as RFC 5424 allows).
fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty() && s.is_ascii() && !s.contains(' '))
        .unwrap_or_else(|| "-".to_owned())
}

/// One RFC 5424 message holding `line`, framed by its length (RFC 6587 octet counting):
/// facility 13 (log audit), severity 5 (notice), app `custos`, message id `checkpoint`.
pub(crate) fn syslog_frame(line: &str, at: jiff::Timestamp, host: &str, pid: u32) -> String {
    let msg = format!(
        "<109>1 {} {host} custos {pid} checkpoint - {line}",
        at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
    );
    format!("{} {msg}", msg.len())
}

async fn send_syslog(
    conn: &mut Option<Box<dyn Stream>>,
    host_port: &str,
    line: &str,
) -> Result<(), String> {
    if conn.is_none() {
        let s = tokio::net::TcpStream::connect(host_port)
            .await
            .map_err(|e| format!("cannot connect: {e}"))?;
        *conn = Some(Box::new(s));
    }
    let frame = syslog_frame(
        line,
        jiff::Timestamp::now(),
        &hostname(),
        std::process::id(),
    );
    let Some(c) = conn.as_mut() else {
        return Err("not connected".to_owned());
    };
    c.write_all(frame.as_bytes())
        .await
        .map_err(|e| format!("cannot send: {e}"))?;
    c.flush().await.map_err(|e| format!("cannot send: {e}"))
}

async fn send_http(
    url: &url::Url,
    line: &str,
    tls: Option<Arc<rustls::ClientConfig>>,
) -> Result<(), String> {
    let host = url.host_str().ok_or("the address has no host")?.to_owned();
    let https = url.scheme() == "https";
    let port = url
        .port_or_known_default()
        .unwrap_or(if https { 443 } else { 80 });
    let tcp = tokio::net::TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    let io: Box<dyn Stream> = if https {
        let config = tls.ok_or("no TLS settings for an https:// witness")?;
        let name = rustls::pki_types::ServerName::try_from(host.clone())
            .map_err(|e| format!("{host} is not a server name: {e}"))?;
        let tls = tokio_rustls::TlsConnector::from(config)
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS with {host} failed: {e}"))?;
        Box::new(tls)
    } else {
        Box::new(tcp)
    };
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(io))
            .await
            .map_err(|e| format!("HTTP failed: {e}"))?;
    let driver = tokio::spawn(connection);
    let path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    };
    let host_header = match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.clone(),
    };
    let mut req = hyper::Request::post(path)
        .header(hyper::header::HOST, host_header)
        .header(hyper::header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(hyper::header::USER_AGENT, "Custos ledger witness");
    if !url.username().is_empty() {
        use base64::Engine as _;
        let pair = format!("{}:{}", url.username(), url.password().unwrap_or(""));
        req = req.header(
            hyper::header::AUTHORIZATION,
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(pair)
            ),
        );
    }
    let req = req
        .body(http_body_util::Full::new(bytes::Bytes::from(format!(
            "{line}\n"
        ))))
        .map_err(|e| format!("cannot build the request: {e}"))?;
    let res = sender
        .send_request(req)
        .await
        .map_err(|e| format!("HTTP failed: {e}"))?;
    driver.abort();
    if res.status().is_success() {
        Ok(())
    } else {
        Err(format!("the witness answered {}", res.status()))
    }
}

/// The TLS settings for HTTPS witnesses: the system's trusted certificates, and `extra_ca`
/// (a PEM file) if given.
pub fn tls_config(extra_ca: Option<&Path>) -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for cert in native.certs {
        let _ = roots.add(cert);
    }
    if let Some(path) = extra_ca {
        use rustls::pki_types::pem::PemObject as _;
        let certs: Vec<_> = rustls::pki_types::CertificateDer::pem_file_iter(path)
            .map_err(|e| format!("cannot read the witness CA file {}: {e}", path.display()))?
            .collect::<Result<_, _>>()
            .map_err(|e| format!("the witness CA file {} is not PEM: {e}", path.display()))?;
        if certs.is_empty() {
            return Err(format!(
                "the witness CA file {} holds no certificate",
                path.display()
            ));
        }
        for c in certs {
            roots
                .add(c)
                .map_err(|e| format!("the witness CA file {}: {e}", path.display()))?;
        }
    }
    // The ring provider: aws-lc-rs would add post-quantum key exchange but needs cmake and
    // a long native build. A witness line is public and signed by the scheme; TLS here
    // authenticates the endpoint and keeps the line from being altered on the way.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS settings: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_parsed_and_shown_without_secrets() {
        assert_eq!(
            WitnessTarget::parse("/mnt/audit/custos-witness"),
            Ok(WitnessTarget::File(PathBuf::from(
                "/mnt/audit/custos-witness"
            )))
        );
        assert_eq!(
            WitnessTarget::parse("file:/mnt/w"),
            Ok(WitnessTarget::File(PathBuf::from("/mnt/w")))
        );
        assert_eq!(
            WitnessTarget::parse("syslog+tcp://siem.example.org:6514"),
            Ok(WitnessTarget::Syslog("siem.example.org:6514".to_owned()))
        );
        assert!(WitnessTarget::parse("syslog+tcp://siem.example.org").is_err());
        assert!(WitnessTarget::parse("ftp://x/y").is_err());
        let h = WitnessTarget::parse("https://custos:s3cret@log.example.org/witness?token=abc")
            .expect("https");
        let shown = h.name();
        assert!(
            !shown.contains("s3cret") && !shown.contains("abc"),
            "{shown}"
        );
        assert!(
            shown.starts_with("https://custos:***@log.example.org/witness"),
            "{shown}"
        );
    }

    #[test]
    fn syslog_messages_are_rfc_5424_framed_by_their_length() {
        let at: jiff::Timestamp = "2026-12-07T10:00:00.123Z".parse().expect("time");
        let f = syslog_frame("custos-witness-v1 7 ab 1 cd", at, "cctv1", 42);
        let (len, msg) = f.split_once(' ').expect("framed");
        assert_eq!(len.parse::<usize>().expect("length"), msg.len());
        assert_eq!(
            msg,
            "<109>1 2026-12-07T10:00:00.123Z cctv1 custos 42 checkpoint - custos-witness-v1 7 ab 1 cd"
        );
    }
}
