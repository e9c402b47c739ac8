//! Ledger witnesses outside the database (BDC-35): each signed checkpoint reaches a file, a
//! syslog server (RFC 5424 over TCP) and an HTTPS endpoint; a witness that cannot be
//! reached is an alarm (ledgered once) until it takes the lines again, and no line is lost
//! meanwhile.

use std::sync::Arc;
use std::time::Duration;

use custos_base::{Actor, SimulatedClock, UnixMs};
use custos_domain::ledger::{Book, Checkpoint, NewEntry};
use custos_store::{DatabaseLocation, LedgerQuery, LedgerSigner, Store, WitnessTarget};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

const SCHOOL: &str = include_str!("../../../policies/bosmere-junior-school.toml");

async fn store(dir: &std::path::Path) -> Store {
    let clock = SimulatedClock::new(UnixMs(1_790_000_000_000));
    let store = Store::open(
        &DatabaseLocation::Sqlite(dir.join("custos.db")),
        Arc::new(clock),
    )
    .await
    .expect("open");
    let console = Actor::Console("tester".to_owned());
    store.migrate(&console).await.expect("migrate");
    store.load_policy(&console, SCHOOL).await.expect("load");
    store
}

/// A syslog server on loopback: each RFC 6587 octet-counted message it receives.
async fn syslog_server(listener: TcpListener) -> mpsc::UnboundedReceiver<String> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut r = BufReader::new(sock);
                loop {
                    let mut len = Vec::new();
                    if r.read_until(b' ', &mut len).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let Ok(n) = String::from_utf8_lossy(&len).trim().parse::<usize>() else {
                        return;
                    };
                    let mut msg = vec![0u8; n];
                    if r.read_exact(&mut msg).await.is_err() {
                        return;
                    }
                    let _ = tx.send(String::from_utf8_lossy(&msg).into_owned());
                }
            });
        }
    });
    rx
}

/// An HTTPS server on loopback with a certificate for `localhost`: each request's body.
async fn https_server(
    listener: TcpListener,
) -> (
    mpsc::UnboundedReceiver<String>,
    std::path::PathBuf,
    tempfile::TempDir,
) {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    let dir = tempfile::tempdir().expect("tmp");
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, cert.cert.pem()).expect("write ca");
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(rustls::pki_types::PrivatePkcs8KeyDer::from(
        cert.key_pair.serialize_der(),
    ));
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert.cert.der().clone()], key)
        .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let (acceptor, tx) = (acceptor.clone(), tx.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(sock).await else {
                    return;
                };
                let mut r = BufReader::new(tls);
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                    if line == "\r\n" {
                        break;
                    }
                }
                let mut body = vec![0u8; len];
                if r.read_exact(&mut body).await.is_err() {
                    return;
                }
                let _ = tx.send(String::from_utf8_lossy(&body).into_owned());
                let _ = r
                    .get_mut()
                    .write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
                    .await;
            });
        }
    });
    (rx, ca, dir)
}

async fn next(rx: &mut mpsc::UnboundedReceiver<String>) -> String {
    tokio::time::timeout(Duration::from_secs(15), rx.recv())
        .await
        .expect("a line in time")
        .expect("a line")
}

/// Every checkpoint reaches the file, the syslog server and the HTTPS endpoint, as the
/// same signed line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bdc_35_checkpoints_reach_a_file_a_syslog_server_and_an_https_endpoint() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = store(dir.path()).await;
    let syslog = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let syslog_port = syslog.local_addr().expect("addr").port();
    let mut syslog_lines = syslog_server(syslog).await;
    let https = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let https_port = https.local_addr().expect("addr").port();
    let (mut https_lines, ca, _ca_dir) = https_server(https).await;
    let file = dir.path().join("elsewhere").join("witness");
    let mut signer = LedgerSigner::new(
        ed25519_dalek::SigningKey::from_bytes(&[5; 32]),
        vec![
            WitnessTarget::File(file.clone()),
            WitnessTarget::parse(&format!("syslog+tcp://127.0.0.1:{syslog_port}")).expect("t"),
            WitnessTarget::parse(&format!("https://localhost:{https_port}/custos/witness"))
                .expect("t"),
        ],
    );
    signer.witness_ca = Some(ca);
    store.set_ledger_signer(signer).await.expect("signer");
    let c = store
        .checkpoint()
        .await
        .expect("checkpoint")
        .expect("signed");
    let line = c.witness_line();
    assert_eq!(
        custos_store::read_witness(&file).expect("file").last(),
        Some(&line)
    );
    let msg = next(&mut syslog_lines).await;
    assert!(
        msg.starts_with("<109>1 ") && msg.contains(" custos ") && msg.ends_with(&line),
        "{msg}"
    );
    assert_eq!(next(&mut https_lines).await.trim_end(), line);
    assert!(store.flush_witnesses(Duration::from_secs(5)).await);
    assert!(store.witness_problems().await.expect("problems").is_empty());
    assert!(Checkpoint::parse_witness_line(&line).is_some());
}

/// A syslog witness that is down is an alarm, ledgered once, while the ledger goes on; its
/// lines wait, and reach it (in order) when it is back, which is ledgered too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bdc_35_a_witness_that_is_down_is_an_alarm_until_it_takes_the_lines() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = store(dir.path()).await;
    // A port nobody listens on yet.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    store
        .set_ledger_signer(LedgerSigner::new(
            ed25519_dalek::SigningKey::from_bytes(&[5; 32]),
            vec![WitnessTarget::parse(&format!("syslog+tcp://127.0.0.1:{port}")).expect("t")],
        ))
        .await
        .expect("signer");
    let console = Actor::Console("tester".to_owned());
    let first = store
        .checkpoint()
        .await
        .expect("checkpoint")
        .expect("signed");
    store
        .append(&console, NewEntry::new(Book::Review, "review-opened"))
        .await
        .expect("append");
    let second = store
        .checkpoint()
        .await
        .expect("checkpoint")
        .expect("signed");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while store.witness_problems().await.expect("problems").is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "no alarm");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let problems = store.witness_problems().await.expect("problems");
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].target, format!("syslog+tcp://127.0.0.1:{port}"));

    let listener = TcpListener::bind(("127.0.0.1", port)).await.expect("bind");
    let mut lines = syslog_server(listener).await;
    assert!(next(&mut lines).await.ends_with(&first.witness_line()));
    assert!(next(&mut lines).await.ends_with(&second.witness_line()));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !store.witness_problems().await.expect("problems").is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "the alarm stays");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let kinds: Vec<String> = store
        .ledger_entries(&LedgerQuery {
            book: Some(Book::System),
            ..Default::default()
        })
        .await
        .expect("entries")
        .into_iter()
        .map(|e| e.kind)
        .filter(|k| k.starts_with("witness-"))
        .collect();
    assert_eq!(kinds, ["witness-failed", "witness-restored"]);
}
