//! Custos under attack from the same machine, as the demo on 127.0.0.1 would meet it: bursts
//! of sign-ins, and floods of idle and slow connections against a server that records.
//! Every scenario targets only loopback, is bounded in count and time, and stops by itself.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod support;
use support::{RunningDemo, copy_dir};

/// Held by each test here while it runs: an attack is measured on its own, not with another
/// test's attack or servers sharing the machine's cores (a burst of password checks keeps
/// every core busy by design).
static ONE_ATTACK_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The turn to attack, even if an earlier attack's test failed while holding it.
fn attack_turn() -> std::sync::MutexGuard<'static, ()> {
    ONE_ATTACK_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A demo on `data` started by `sh` with the open-file limit (soft and hard) at `nofile`
/// and the configuration file `config`, if any; its log goes to `data`'s sibling
/// `demo.log`.
fn demo_limited(data: &Path, nofile: u32, config: Option<&Path>) -> RunningDemo {
    let mut script = format!("ulimit -n {nofile} && exec \"$0\"");
    if config.is_some() {
        script.push_str(" --config \"$1\" --data \"$2\"");
    } else {
        script.push_str(" --data \"$2\"");
    }
    script.push_str(" demo --listen 127.0.0.1:0 2>\"$3\"");
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_custos"))
        .arg(config.map_or_else(|| Path::new("").to_path_buf(), Path::to_path_buf))
        .arg(data)
        .arg(log_of(data));
    for (k, _) in std::env::vars() {
        if k.starts_with("CUSTOS_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("USER", "tester");
    RunningDemo::spawn(cmd)
}

/// Where [`demo_limited`] writes the demo's log.
fn log_of(data: &Path) -> std::path::PathBuf {
    data.with_file_name("demo.log")
}

/// A process's resident memory now, in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// One request on a fresh connection: the status and how long the whole answer took.
fn timed_request(addr: &str, request: &str) -> (u16, Duration) {
    let started = Instant::now();
    let Ok(mut s) = TcpStream::connect_timeout(
        &addr.parse::<SocketAddr>().expect("address"),
        Duration::from_secs(5),
    ) else {
        return (0, started.elapsed());
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    if s.write_all(request.as_bytes()).is_err() {
        return (0, started.elapsed());
    }
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let status = String::from_utf8_lossy(&answer)
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, started.elapsed())
}

fn healthz(addr: &str) -> (u16, Duration) {
    timed_request(
        addr,
        &format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    )
}

/// Raises this test process's own open-file limit, to hold the attack's connections.
fn raise_own_limit() {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let l = getrlimit(Resource::Nofile);
    let _ = setrlimit(
        Resource::Nofile,
        Rlimit {
            current: l.maximum,
            maximum: l.maximum,
        },
    );
}

/// Keeps up to `held` connections open to `addr` until `stop`: half send nothing, half
/// send a request's headers a byte every half second and never finish. A connection the
/// server closes is opened again, up to `max_opens` in all. Returns how many were opened.
fn flood(addr: SocketAddr, held: usize, max_opens: usize, stop: &AtomicBool) -> usize {
    let mut conns: Vec<(TcpStream, bool)> = Vec::new();
    let mut opened = 0;
    let mut last_drip = Instant::now();
    while !stop.load(Ordering::SeqCst) {
        while conns.len() < held && opened < max_opens && !stop.load(Ordering::SeqCst) {
            opened += 1;
            let Ok(s) = TcpStream::connect_timeout(&addr, Duration::from_millis(300)) else {
                break;
            };
            let _ = s.set_nonblocking(true);
            let slow = opened % 2 == 0;
            if slow {
                let _ = (&s).write(b"GET / HTTP/1.1\r\nHost: flood\r\nX-Slow: ");
            }
            conns.push((s, slow));
        }
        let drip = last_drip.elapsed() >= Duration::from_millis(500);
        if drip {
            last_drip = Instant::now();
        }
        let mut buf = [0u8; 512];
        conns.retain_mut(|(s, slow)| {
            let open = match s.read(&mut buf) {
                Ok(0) => false,
                Ok(_) => true,
                Err(e) => e.kind() == ErrorKind::WouldBlock,
            };
            if open && drip && *slow {
                return match s.write(b"a") {
                    Ok(_) => true,
                    Err(e) => e.kind() == ErrorKind::WouldBlock,
                };
            }
            open
        });
        if opened >= max_opens {
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    opened
}

/// Connections cannot starve the recorder: with the process's descriptor limit at 512,
/// thousands of idle and slow connections over twenty seconds leave no gap in the footage,
/// the camera never drops frames for the recorder, and `/healthz` answers every time,
/// within a second in a release build.
#[test]
fn idle_and_slow_connections_cannot_starve_the_recorder() {
    let _turn = attack_turn();
    raise_own_limit();
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("scheme");
    let demo = demo_limited(&data, 512, None);
    let addr = demo.addr.clone();
    // Let recording settle first.
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(healthz(&addr).0, 200);

    let stop = Arc::new(AtomicBool::new(false));
    let attacker = {
        let stop = stop.clone();
        let target: SocketAddr = addr.parse().expect("address");
        std::thread::spawn(move || flood(target, 1500, 20_000, &stop))
    };
    let flood_started = Instant::now();
    let mut slowest = Duration::ZERO;
    let mut answers = Vec::new();
    while flood_started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(500));
        let (status, took) = healthz(&addr);
        answers.push(status);
        slowest = slowest.max(took);
    }
    stop.store(true, Ordering::SeqCst);
    let opened = attacker.join().expect("attacker");
    std::thread::sleep(Duration::from_secs(2));
    demo.stop();

    assert!(opened >= 1500, "the flood opened only {opened} connections");
    assert!(
        answers.iter().all(|s| *s == 200),
        "/healthz answered {answers:?}"
    );
    // The target is within a second; an unoptimised test build on a loaded machine
    // accepts several times slower (each queued flood connection costs it about a
    // millisecond), so it is held to five. The release figure is measured by
    // `benches/attack.sh` (docs/PERFORMANCE.md).
    let bound = if cfg!(debug_assertions) {
        Duration::from_secs(5)
    } else {
        Duration::from_secs(1)
    };
    assert!(
        slowest < bound,
        "/healthz took {slowest:?} during the flood (at most {bound:?})"
    );
    let db = data.join("custos.db");
    let query = |sql: &str| -> String {
        let out = Command::new("sqlite3")
            .arg(&db)
            .arg(sql)
            .output()
            .expect("sqlite3");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    assert_eq!(
        query("SELECT COUNT(*) FROM recording_gaps"),
        "0",
        "gaps: {}",
        query("SELECT * FROM recording_gaps")
    );
    // The camera never had to drop frames because the recorder fell behind, and each
    // camera's segments follow on from one another without a hole.
    let log = std::fs::read_to_string(log_of(&data)).expect("log");
    assert!(
        !log.contains("RTSP client too slow"),
        "the recorder fell behind the camera:\n{log}"
    );
    for cam in ["sim-1", "sim-2"] {
        let rows = query(&format!(
            "SELECT start_unix_ms, end_unix_ms FROM segments \
             WHERE camera_id = '{cam}' ORDER BY start_unix_ms"
        ));
        let segs: Vec<(i64, i64)> = rows
            .lines()
            .filter_map(|l| {
                let mut f = l.split('|').map(|v| v.parse::<i64>().ok());
                Some((f.next()??, f.next()??))
            })
            .collect();
        assert!(!segs.is_empty(), "{cam}: no segments");
        for w in segs.windows(2) {
            assert!(
                (w[1].0 - w[0].1).abs() <= 100,
                "{cam}: a hole between segments {w:?}"
            );
        }
        let span_ms = segs.last().map_or(0, |s| s.1) - segs[0].0;
        assert!(span_ms >= 22_000, "{cam}: only {span_ms} ms recorded");
    }
}

/// A burst of 300 concurrent sign-ins from as many addresses (behind a trusted proxy)
/// checks passwords a few at a time: the server's memory stays under twice its idle
/// figure, every answer is a refusal or "busy" (never an error), and the server still
/// answers at once afterwards.
#[test]
fn a_burst_of_sign_ins_keeps_memory_under_twice_its_idle_figure() {
    let _turn = attack_turn();
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("scheme");
    let config = dir.path().join("custos.toml");
    std::fs::write(&config, "[web]\ntrusted_proxies = [\"127.0.0.1/32\"]\n").expect("config");
    let demo = demo_limited(&data, 4096, Some(&config));
    let addr = demo.addr.clone();
    let pid = demo.pid();
    std::thread::sleep(Duration::from_secs(4));
    let idle_kib = rss_kib(pid);
    assert!(idle_kib > 0);

    let peak = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::SeqCst) {
                peak.fetch_max(rss_kib(pid) as usize, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(10));
            }
        })
    };
    let statuses = Arc::new(Mutex::new(Vec::new()));
    let start = Arc::new(std::sync::Barrier::new(300));
    let senders: Vec<_> = (0..300)
        .map(|i| {
            let (addr, statuses, start) = (addr.clone(), statuses.clone(), start.clone());
            std::thread::spawn(move || {
                let json = format!(r#"{{"username":"user{i}","password":"guess guess guess"}}"#);
                let request = format!(
                    "POST /api/v1/sessions HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
                     X-Forwarded-For: 10.9.{}.{}\r\n\
                     Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{json}",
                    i / 250,
                    i % 250 + 1,
                    json.len()
                );
                start.wait();
                let (status, _) = timed_request(&addr, &request);
                statuses.lock().expect("lock").push(status);
            })
        })
        .collect();
    for s in senders {
        s.join().expect("sender");
    }
    done.store(true, Ordering::SeqCst);
    sampler.join().expect("sampler");
    let (status, took) = healthz(&addr);
    demo.stop();

    let statuses = statuses.lock().expect("lock").clone();
    assert_eq!(statuses.len(), 300);
    assert!(
        statuses.iter().all(|s| [401, 503].contains(s)),
        "answers: {statuses:?}"
    );
    assert!(statuses.contains(&401), "some passwords were checked");
    let peak_kib = peak.load(Ordering::SeqCst) as u64;
    assert!(
        peak_kib < 2 * idle_kib,
        "memory rose from {idle_kib} KiB idle to {peak_kib} KiB during the burst"
    );
    assert_eq!(status, 200);
    assert!(took < Duration::from_secs(1), "{took:?}");
}

fn run(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().expect("custos runs");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// BDC-35: someone who can write the data folder puts an older copy of it back (rolling
/// the ledger back). The witness, kept in the key folder apart from the data, remembers
/// how far the ledger had got: `custos ledger verify` says so, `custos serve` starts and
/// runs but signs nothing over that chain and raises the alarm, until the DPO accepts the
/// ledger as it stands with a reason; then it verifies again.
#[test]
fn bdc_35_a_ledger_rolled_back_in_the_data_folder_is_caught_by_the_witness_kept_apart() {
    let _turn = attack_turn();
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("scheme");
    let policies = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies");
    let school = policies.join("bosmere-junior-school.toml");
    let trust = policies.join("active-learning-trust.toml");
    let custos_at = |args: &[&str]| {
        let mut cmd = support::custos();
        cmd.arg("--data").arg(&data).args(args);
        run(&mut cmd)
    };
    let (code, out) = run(support::custos()
        .arg("--data")
        .arg(&data)
        .args(["init", "--policy"])
        .arg(&school));
    assert_eq!(code, 0, "{out}");
    let witness = dir.path().join("scheme-keys").join("ledger-witness");
    assert!(
        witness.exists(),
        "the witness is kept apart from the data: {out}"
    );
    assert!(!data.join("ledger-witness").exists());

    // An older copy is kept; the scheme goes on.
    let older = dir.path().join("older");
    copy_dir(&data, &older);
    for pack in [&trust, &school] {
        let (code, out) = run(support::custos()
            .arg("--data")
            .arg(&data)
            .args(["policy", "load"])
            .arg(pack));
        assert_eq!(code, 0, "{out}");
    }
    let (code, out) = custos_at(&["ledger", "verify"]);
    assert_eq!(code, 0, "{out}");

    // The older copy is put back over the data folder.
    std::fs::remove_dir_all(&data).expect("rm");
    copy_dir(&older, &data);
    let (code, out) = custos_at(&["ledger", "verify"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.starts_with("LEDGER DAMAGED: ") && out.contains("behind the witness"),
        "{out}"
    );

    // The server runs on it, but signs nothing, and raises the alarm.
    let before = std::fs::read_to_string(&witness).expect("witness");
    let mut cmd = support::custos();
    cmd.arg("--data")
        .arg(&data)
        .args(["serve", "--listen", "127.0.0.1:0"]);
    let server = RunningDemo::spawn(cmd);
    let (status, _) = healthz(&server.addr);
    assert_eq!(status, 200);
    std::thread::sleep(Duration::from_secs(4));
    server.stop();
    assert_eq!(
        std::fs::read_to_string(&witness).expect("witness"),
        before,
        "nothing was signed over the rolled-back chain"
    );
    // Behind the witness — or, if the server's own first entries reached the witness's last
    // line before the verification read the chain, at odds with it there.
    let (code, out) = custos_at(&["ledger", "alarms"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("behind the witness")
            || out.contains("the entry was rewritten after it was signed"),
        "{out}"
    );

    // The DPO accepts the ledger as it stands: recorded, signed into the witness, and the
    // ledger verifies again.
    let (code, out) = custos_at(&["ledger", "accept", "--reason", " "]);
    assert_ne!(code, 0, "a reason is needed: {out}");
    let (code, out) = custos_at(&[
        "ledger",
        "accept",
        "--reason",
        "older copy put back during a test; accepted to carry on",
    ]);
    assert_eq!(code, 0, "{out}");
    let lines = std::fs::read_to_string(&witness).expect("witness");
    assert!(lines.contains("custos-accept-v1 "), "{lines}");
    let (code, out) = custos_at(&["ledger", "verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("Ledger intact: "), "{out}");
}

/// BJS-6, SCC-9: a copy of the data folder, or another user of the machine, learns nothing:
/// the data folder is its owner's alone (0700, the database 0600), it holds no key (they
/// are in the key folder beside it, 0700), and `custos check` warns when the keys share a
/// disk with the footage.
#[test]
fn bjs_6_the_data_folder_is_private_and_holds_no_key() {
    let _turn = attack_turn();
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("scheme");
    let school =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/bosmere-junior-school.toml");
    let (code, out) = run(support::custos()
        .arg("--data")
        .arg(&data)
        .args(["init", "--policy"])
        .arg(&school));
    assert_eq!(code, 0, "{out}");
    let mode = |p: &Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700, "the data folder");
    assert_eq!(mode(&data.join("custos.db")), 0o600, "the database");
    let keys = dir.path().join("scheme-keys");
    assert_eq!(mode(&keys), 0o700, "the key folder");
    for key in ["master-key", "ledger-signing-key"] {
        assert!(!data.join(key).exists(), "{key} is not in the data folder");
        assert_eq!(mode(&keys.join(key)), 0o600, "{key}");
    }
    // A folder made readable by others is made private again when the scheme is opened.
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::fs::set_permissions(
        data.join("custos.db"),
        std::fs::Permissions::from_mode(0o644),
    )
    .expect("chmod");
    let (code, out) = run(support::custos().arg("--data").arg(&data).arg("migrate"));
    assert_eq!(code, 0, "{out}");
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("custos.db")), 0o600);
    // Here the keys are on the footage's disk: the check says so, and still passes.
    let (code, out) = run(support::custos().arg("--data").arg(&data).arg("check"));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("WARNING  the master key") && out.contains("same file system"),
        "{out}"
    );
}
