//! The scheme's signature over a package's checksums: an SSH signature in the format of
//! `ssh-keygen -Y sign` (the `SSHSIG` armour), namespace `custos-evidence`, made with the
//! scheme's Ed25519 signing key, and the `allowed_signers` line that lets anyone check it
//! with `ssh-keygen -Y verify` (BDC-4, BDC-5).
//!
//! Invariants: the namespace is fixed, so a package signature cannot be replayed as any
//! other kind of SSH signature, nor another as a package's.

use ssh_key::private::{Ed25519Keypair, KeypairData};
use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};

/// The SSH signature namespace of evidence packages.
pub const NAMESPACE: &str = "custos-evidence";

/// The principal named in `allowed_signers` (what `ssh-keygen -Y verify -I` is given).
pub const PRINCIPAL: &str = "custos-evidence";

/// What went wrong signing or checking.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    /// The key or signature could not be encoded or read.
    #[error("{0}")]
    Format(String),
    /// The signature does not match.
    #[error("the signature does not match: {0}")]
    Mismatch(String),
}

fn keypair(seed: &[u8; 32]) -> Result<PrivateKey, SignatureError> {
    PrivateKey::new(
        KeypairData::Ed25519(Ed25519Keypair::from_seed(seed)),
        PRINCIPAL,
    )
    .map_err(|e| SignatureError::Format(e.to_string()))
}

/// Signs `message` with the Ed25519 key whose seed is `seed`; returns the armoured
/// signature (`-----BEGIN SSH SIGNATURE-----` …).
pub fn sign(seed: &[u8; 32], message: &[u8]) -> Result<String, SignatureError> {
    keypair(seed)?
        .sign(NAMESPACE, HashAlg::Sha512, message)
        .and_then(|s| s.to_pem(LineEnding::LF))
        .map_err(|e| SignatureError::Format(e.to_string()))
}

/// The `allowed_signers` file for the key whose seed is `seed`: one line, limited to the
/// evidence namespace.
pub fn allowed_signers(seed: &[u8; 32]) -> Result<String, SignatureError> {
    let public = keypair(seed)?
        .public_key()
        .to_openssh()
        .map_err(|e| SignatureError::Format(e.to_string()))?;
    Ok(format!(
        "{PRINCIPAL} namespaces=\"{NAMESPACE}\" {}\n",
        public.trim()
    ))
}

/// The SHA-256 fingerprint (`SHA256:…`, as `ssh-keygen -l` prints it) of the key whose
/// seed is `seed`.
pub fn fingerprint(seed: &[u8; 32]) -> Result<String, SignatureError> {
    Ok(keypair(seed)?
        .public_key()
        .fingerprint(HashAlg::Sha256)
        .to_string())
}

/// Checks `armoured` over `message` against the key in an `allowed_signers` file, as
/// `ssh-keygen -Y verify -I custos-evidence -n custos-evidence` does; returns the key's
/// SHA-256 fingerprint.
pub fn verify(allowed: &str, message: &[u8], armoured: &str) -> Result<String, SignatureError> {
    let key = allowed_key(allowed)?;
    let sig = SshSig::from_pem(armoured.trim())
        .map_err(|e| SignatureError::Format(format!("SHA256SUMS.sig: {e}")))?;
    key.verify(NAMESPACE, message, &sig)
        .map_err(|e| SignatureError::Mismatch(e.to_string()))?;
    Ok(key.fingerprint(HashAlg::Sha256).to_string())
}

/// The public key `allowed_signers` names for [`PRINCIPAL`].
fn allowed_key(allowed: &str) -> Result<PublicKey, SignatureError> {
    let key_text = allowed
        .lines()
        .find_map(|l| {
            let rest = l.trim().strip_prefix(PRINCIPAL)?.trim_start();
            let rest = rest
                .strip_prefix(&format!("namespaces=\"{NAMESPACE}\""))
                .unwrap_or(rest)
                .trim_start();
            Some(rest.to_owned())
        })
        .ok_or_else(|| {
            SignatureError::Format(format!("allowed_signers names no key for {PRINCIPAL}"))
        })?;
    PublicKey::from_openssh(&key_text)
        .map_err(|e| SignatureError::Format(format!("allowed_signers: {e}")))
}

/// The Ed25519 key named in an `allowed_signers` file, to check other statements the
/// scheme signed with it (the ledger checkpoints in a package's proofs).
pub fn verifying_key(allowed: &str) -> Result<ed25519_dalek::VerifyingKey, SignatureError> {
    let key = allowed_key(allowed)?;
    let ed = key
        .key_data()
        .ed25519()
        .ok_or_else(|| SignatureError::Format("allowed_signers: not an Ed25519 key".to_owned()))?;
    ed25519_dalek::VerifyingKey::from_bytes(&ed.0)
        .map_err(|e| SignatureError::Format(format!("allowed_signers: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// BDC-4: a signature checks against its allowed_signers line and fails for another
    /// message or another key.
    #[test]
    fn bdc_4_signatures_check_against_the_allowed_signers_key() {
        let seed = [7u8; 32];
        let sig = sign(&seed, b"sums").expect("sign");
        assert!(sig.starts_with("-----BEGIN SSH SIGNATURE-----"));
        let allowed = allowed_signers(&seed).expect("allowed");
        assert!(allowed.starts_with("custos-evidence namespaces=\"custos-evidence\" ssh-ed25519 "));
        assert!(
            verify(&allowed, b"sums", &sig)
                .expect("ok")
                .starts_with("SHA256:")
        );
        assert!(verify(&allowed, b"sumz", &sig).is_err());
        let other = allowed_signers(&[8u8; 32]).expect("allowed");
        assert!(verify(&other, b"sums", &sig).is_err());
    }
}
