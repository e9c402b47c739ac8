//! Helpers shared by the binary's test files: running `custos` with a clean environment,
//! and a demo started and stopped as a person would.

#![allow(dead_code)]

pub mod browser;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

/// A `custos` command with no `CUSTOS_*` settings inherited from the test's environment.
pub fn custos() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_custos"));
    for (k, _) in std::env::vars() {
        if k.starts_with("CUSTOS_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("USER", "tester");
    cmd
}

/// A free port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Kills a server or demo the test started if the test ends early (a failed assertion), so
/// no process outlives its test.
pub struct Reap(pub u32);

impl Reap {
    pub fn new(child: &std::process::Child) -> Self {
        Self(child.id())
    }
}

impl Drop for Reap {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let _ = Command::new("kill")
                .args(["-9", &self.0.to_string()])
                .status();
        }
    }
}

/// A demo running on an existing data folder: its address, and its output read to the end
/// when it is stopped.
pub struct RunningDemo {
    pub child: std::process::Child,
    pub lines: std::io::Lines<BufReader<std::process::ChildStdout>>,
    pub addr: String,
    /// The demo's accounts, by role: their passwords, as it printed them.
    pub accounts: std::collections::BTreeMap<String, String>,
    _reap: Reap,
}

impl RunningDemo {
    /// Starts `custos demo` on `data` and waits for the address it prints.
    pub fn start(data: &Path) -> Self {
        let mut cmd = custos();
        cmd.arg("--data")
            .arg(data)
            .args(["demo", "--listen", "127.0.0.1:0"]);
        Self::spawn(cmd)
    }

    /// Starts a demo from `cmd` (a `custos … demo` command, or a shell that runs one) and
    /// waits for the address it prints.
    pub fn spawn(mut cmd: Command) -> Self {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("demo starts");
        let reap = Reap::new(&child);
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut addr = None;
        let mut accounts = std::collections::BTreeMap::new();
        while addr.is_none() {
            let Some(Ok(line)) = lines.next() else { break };
            if let Some((role, pw)) = line.trim().split_once(" password ") {
                accounts.insert(role.trim().to_owned(), pw.trim().to_owned());
            }
            if let Some(rest) = line.split("running at http://").nth(1) {
                addr = rest.split('/').next().map(str::to_owned);
            }
        }
        Self {
            child,
            lines,
            addr: addr.expect("the demo prints its URL"),
            accounts,
            _reap: reap,
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops it as Ctrl-C would, and checks that it exits cleanly.
    pub fn stop(mut self) {
        Command::new("sh")
            .args(["-c", &format!("kill -INT {}", self.child.id())])
            .status()
            .expect("kill");
        let _: Vec<String> = self.lines.by_ref().map_while(Result::ok).collect();
        assert!(self.child.wait().expect("demo exits").success());
    }
}

/// Copies the folder `from` (and everything in it) to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let e = e.expect("entry");
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
        }
    }
}
