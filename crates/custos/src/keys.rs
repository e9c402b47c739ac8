//! The scheme's signing key: an Ed25519 key in OpenSSH private-key format, created once by
//! `custos init` and used to sign ledger checkpoints (and, later, evidence packages).
//!
//! Invariants: the key file is created with mode 0600 and never overwritten; a missing key
//! is an error for every command but `init` and `demo`, because a new key cannot vouch for
//! checkpoints signed by a lost one.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context, bail};
use ed25519_dalek::SigningKey;
use ssh_key::private::{Ed25519Keypair, KeypairData};
use ssh_key::{HashAlg, LineEnding, PrivateKey};

/// The comment written into the key and its public half.
const COMMENT: &str = "custos scheme signing key";

/// Loads the key at `path`.
pub fn load(path: &Path) -> anyhow::Result<SigningKey> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "the scheme's signing key {} does not exist: run `custos init` to create it (or set [ledger] signing_key to where it is). If it was lost, checkpoints signed with it can no longer be verified; keep a copy of the new key somewhere safe",
            path.display()
        ),
        Err(e) => {
            return Err(e)
                .with_context(|| format!("cannot read the signing key {}", path.display()));
        }
    };
    let key = PrivateKey::from_openssh(&text)
        .with_context(|| format!("{} is not an OpenSSH private key", path.display()))?;
    if key.is_encrypted() {
        bail!(
            "the signing key {} is encrypted with a passphrase; Custos needs it unencrypted (protect it with file permissions)",
            path.display()
        );
    }
    match key.key_data() {
        KeypairData::Ed25519(pair) => Ok(SigningKey::from_bytes(&pair.private.to_bytes())),
        other => bail!(
            "the signing key {} is a {} key; Custos signs with Ed25519",
            path.display(),
            other
                .algorithm()
                .map_or_else(|_| "unknown".to_owned(), |a| a.to_string())
        ),
    }
}

/// Loads the key at `path`, creating it first if there is none. Returns the key and
/// whether it was created.
pub fn load_or_create(path: &Path) -> anyhow::Result<(SigningKey, bool)> {
    if path.exists() {
        return Ok((load(path)?, false));
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| anyhow::anyhow!("cannot get random bytes for a new key: {e}"))?;
    let key = SigningKey::from_bytes(&seed);
    let pair = Ed25519Keypair::from_seed(&seed);
    let private = PrivateKey::new(KeypairData::Ed25519(pair), COMMENT)
        .context("cannot build the new signing key")?;
    let text = private
        .to_openssh(LineEnding::LF)
        .context("cannot encode the new signing key")?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options
        .open(path)
        .with_context(|| format!("cannot create the signing key {}", path.display()))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .with_context(|| format!("cannot write the signing key {}", path.display()))?;
    Ok((key, true))
}

/// The public key as one OpenSSH line (`ssh-ed25519 AAAA… comment`), for
/// `allowed_signers` files and `ssh-keygen -Y verify`.
pub fn openssh_public(key: &SigningKey) -> anyhow::Result<String> {
    let pair = Ed25519Keypair::from_seed(&key.to_bytes());
    let public = ssh_key::PublicKey::new(ssh_key::public::KeyData::Ed25519(pair.public), COMMENT);
    public.to_openssh().context("cannot encode the public key")
}

/// The public key's SHA-256 fingerprint as `ssh-keygen -l` prints it.
pub fn fingerprint(key: &SigningKey) -> String {
    let pair = Ed25519Keypair::from_seed(&key.to_bytes());
    ssh_key::PublicKey::new(ssh_key::public::KeyData::Ed25519(pair.public), COMMENT)
        .fingerprint(HashAlg::Sha256)
        .to_string()
}

/// The scheme's master key (BJS-6, SCC-9): from `storage.master_key_command` when set (its
/// standard output, 64 hex digits — for a KMS or secret store), otherwise from the key file.
/// `None` when neither exists yet; commands that need it then say how to provide it.
pub fn load_master(
    config: &crate::config::Config,
) -> anyhow::Result<Option<custos_store::secrets::SecretKey>> {
    if let Some(cmd) = &config.storage.master_key_command {
        let out = std::process::Command::new("sh")
            .args(["-c", cmd])
            .stderr(std::process::Stdio::inherit())
            .output()
            .context("cannot run storage.master_key_command")?;
        if !out.status.success() {
            bail!(
                "storage.master_key_command failed ({}); it must print the master key as 64 hex digits",
                out.status
            );
        }
        let text = String::from_utf8(out.stdout)
            .context("storage.master_key_command printed something that is not text")?;
        let key = custos_store::secrets::SecretKey::from_hex(&text)
            .map_err(|e| anyhow::anyhow!("storage.master_key_command: {e}"))?;
        return Ok(Some(key));
    }
    let path = config.master_key_path();
    match std::fs::read_to_string(&path) {
        Ok(text) => custos_store::secrets::SecretKey::from_hex(&text)
            .map(Some)
            .map_err(|e| anyhow::anyhow!("the master key file {}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read the master key {}", path.display())),
    }
}

/// Creates the master key file (mode 0600) unless a key command is configured or the file
/// exists. Returns whether it was created.
pub fn create_master_if_missing(config: &crate::config::Config) -> anyhow::Result<bool> {
    let path = config.master_key_path();
    if config.storage.master_key_command.is_some() || path.exists() {
        return Ok(false);
    }
    let key = custos_store::secrets::SecretKey::generate()?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options
        .open(&path)
        .with_context(|| format!("cannot create the master key {}", path.display()))?;
    f.write_all(format!("{}\n", key.to_hex()).as_bytes())
        .and_then(|()| f.sync_all())
        .with_context(|| format!("cannot write the master key {}", path.display()))?;
    Ok(true)
}
