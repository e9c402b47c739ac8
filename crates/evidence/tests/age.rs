//! Interoperability of `custos_evidence::age` with the reference `age` tool: a file we
//! encrypt decrypts with `age -d`, and a file `age -p` encrypts decrypts with ours.
//!
//! `age` reads passphrases only from a terminal, so it runs under a pseudo-terminal made by
//! `script` (util-linux): `script -qec "age …" /dev/null` gives `age` a controlling
//! terminal, and the passphrase lines written to `script`'s stdin arrive there as typed.
//! The test fails (never skips) when `age` or `script` is missing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use custos_evidence::age::{Encryptor, decrypt};

/// Fails with instructions unless `tool --version` runs.
fn require(tool: &str, package: &str) {
    let ok = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "`{tool}` is not installed, and this interoperability test needs it: install the \
         Debian package `{package}` (apt-get install -y {package}) and run the test again"
    );
}

/// Quotes `path` for the shell `script` runs its command in.
fn quoted(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

/// Runs `command` under a pseudo-terminal, typing `typed` into it; returns whether it
/// succeeded and what the terminal showed.
fn on_terminal(command: &str, typed: &str) -> (bool, String) {
    let mut child = Command::new("script")
        .args(["-qec", command, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting `script`");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(typed.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), shown)
}

fn pseudo_random(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[test]
fn age_decrypts_what_we_encrypt() {
    require("age", "age");
    require("script", "bsdutils");
    let dir = tempfile::tempdir().unwrap();
    let passphrase = custos_evidence::age::generate_passphrase().unwrap();
    // Two full chunks and a partial one, so the counter and the last-chunk flag both count.
    let plain = pseudo_random(2 * 64 * 1024 + 1234);
    let mut enc = Encryptor::with_passphrase(Vec::new(), &passphrase, 10).unwrap();
    enc.write_all(&plain).unwrap();
    let file = enc.finish().unwrap();
    let (input, output) = (dir.path().join("in.age"), dir.path().join("out"));
    std::fs::write(&input, &file).unwrap();

    let (ok, shown) = on_terminal(
        &format!("age -d -o {} {}", quoted(&output), quoted(&input)),
        &format!("{passphrase}\n"),
    );
    assert!(ok, "age -d failed:\n{shown}");
    assert!(
        std::fs::read(&output).unwrap() == plain,
        "age -d gave other bytes"
    );

    // And `age` refuses it with the wrong passphrase, as we would.
    let (ok, shown) = on_terminal(
        &format!("age -d -o {} {}", quoted(&output), quoted(&input)),
        "not-the-passphrase\n",
    );
    assert!(!ok, "age -d accepted a wrong passphrase:\n{shown}");
}

#[test]
fn we_decrypt_what_age_encrypts() {
    require("age", "age");
    require("script", "bsdutils");
    let dir = tempfile::tempdir().unwrap();
    let passphrase = "correct horse battery staple";
    let plain = pseudo_random(64 * 1024 + 1);
    let (input, output) = (dir.path().join("plain"), dir.path().join("out.age"));
    std::fs::write(&input, &plain).unwrap();

    // `age -p` asks for the passphrase and then to confirm it.
    let (ok, shown) = on_terminal(
        &format!("age -p -o {} {}", quoted(&output), quoted(&input)),
        &format!("{passphrase}\n{passphrase}\n"),
    );
    assert!(ok, "age -p failed:\n{shown}");
    let file = std::fs::read(&output).unwrap();
    assert!(file.starts_with(b"age-encryption.org/v1\n-> scrypt "));

    let mut back = Vec::new();
    decrypt(&file[..], passphrase, &mut back).unwrap();
    assert!(back == plain, "decrypt gave other bytes");
    assert!(decrypt(&file[..], "Correct horse battery staple", std::io::sink()).is_err());
}
