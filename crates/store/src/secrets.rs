//! The scheme's master key and what it protects: camera credentials now, and the data keys
//! that encrypt footage (BJS-6, SCC-9).
//!
//! Invariants:
//! - Everything sealed here is XChaCha20-Poly1305 with a fresh random 24-byte nonce and
//!   associated data naming what the plaintext is and whose it is (e.g. the camera's id),
//!   so a sealed value moved to another row does not open.
//! - The sealed form is text: `v1:` followed by the hex of nonce ‖ ciphertext ‖ tag.
//! - The key never appears in `Debug` output or errors, and its bytes are wiped on drop.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use crate::error::{StoreError, StoreResult};

/// Bytes in a key.
pub const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 24;

/// A 256-bit key: the scheme's master key, or a data key it wraps.
#[derive(Clone)]
pub struct SecretKey([u8; KEY_BYTES]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

impl Drop for SecretKey {
    fn drop(&mut self) {
        // Volatile-free best effort: overwrite before the memory is released.
        self.0.iter_mut().for_each(|b| *b = 0);
        std::hint::black_box(&self.0);
    }
}

impl SecretKey {
    /// A key from its bytes.
    pub fn from_bytes(bytes: [u8; KEY_BYTES]) -> Self {
        Self(bytes)
    }

    /// A fresh random key.
    pub fn generate() -> StoreResult<Self> {
        let mut k = [0u8; KEY_BYTES];
        getrandom::fill(&mut k)
            .map_err(|e| StoreError::Invalid(format!("no randomness for a new key: {e}")))?;
        Ok(Self(k))
    }

    /// Parses 64 hex digits (surrounding white space ignored), as in a key file or the
    /// output of a key command.
    pub fn from_hex(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let bytes = hex_decode(t)
            .filter(|b| b.len() == KEY_BYTES)
            .ok_or_else(|| {
                format!(
                    "a master key is {} hex digits; this has {} characters",
                    KEY_BYTES * 2,
                    t.chars().count()
                )
            })?;
        let mut k = [0u8; KEY_BYTES];
        k.copy_from_slice(&bytes);
        Ok(Self(k))
    }

    /// The key as 64 hex digits, for writing a key file.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// The raw bytes, for the segment cipher.
    pub fn bytes(&self) -> &[u8; KEY_BYTES] {
        &self.0
    }

    /// Seals `plaintext` bound to `context` (what it is and whose).
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> StoreResult<String> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce)
            .map_err(|e| StoreError::Invalid(format!("no randomness for a nonce: {e}")))?;
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let sealed = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| StoreError::Invalid("could not encrypt".to_owned()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("v1:{}", hex(&out)))
    }

    /// Opens a key that [`SecretKey::seal`] sealed for `context` (a data key, a case's
    /// key); `what` names it in the error if the opened value is not a key.
    pub fn open_key(&self, context: &str, sealed: &str, what: &str) -> StoreResult<SecretKey> {
        let arr: [u8; KEY_BYTES] = self
            .open(context, sealed)?
            .try_into()
            .map_err(|_| StoreError::Corrupt(format!("{what} is not {KEY_BYTES} bytes")))?;
        Ok(SecretKey::from_bytes(arr))
    }

    /// Opens what [`SecretKey::seal`] sealed for the same `context`; an error if the key
    /// is wrong, the context differs or the text was changed.
    pub fn open(&self, context: &str, sealed: &str) -> StoreResult<Vec<u8>> {
        let corrupt = || {
            StoreError::Corrupt(format!(
                "a sealed value for {context} does not open with this master key: the key is not the one it was sealed with, or the stored value was changed"
            ))
        };
        let bytes = sealed
            .strip_prefix("v1:")
            .and_then(hex_decode)
            .filter(|b| b.len() > NONCE_BYTES)
            .ok_or_else(corrupt)?;
        let (nonce, body) = bytes.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| corrupt())?;
        XChaCha20Poly1305::new((&self.0).into())
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: body,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| corrupt())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

impl crate::store::Store {
    /// Gives the store the scheme's master key, which seals camera credentials and wraps
    /// the keys that encrypt footage.
    pub fn set_master_key(&self, key: SecretKey) {
        if let Ok(mut slot) = self.inner().master_key.lock() {
            *slot = Some(key);
        }
    }

    /// Whether the master key has been given.
    pub fn has_master_key(&self) -> bool {
        self.inner()
            .master_key
            .lock()
            .map(|k| k.is_some())
            .unwrap_or(false)
    }

    /// The master key, or an error saying how to provide it.
    pub(crate) fn master_key(&self) -> StoreResult<SecretKey> {
        self.inner()
            .master_key
            .lock()
            .ok()
            .and_then(|k| k.clone())
            .ok_or_else(|| {
                StoreError::Invalid(
                    "the scheme's master key is not loaded, so secrets cannot be stored or read; Custos reads it from the key file (storage.master_key_file) or key command (storage.master_key_command) — see docs/ref/storage.md".to_owned(),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// BJS-6, SCC-9: sealed values open only with the same key and context, and any
    /// change to them is detected.
    #[test]
    fn bjs_6_sealed_values_open_only_with_their_key_and_context() {
        let key = SecretKey::generate().expect("key");
        let sealed = key.seal("camera-password:gate", b"hunter2").expect("seal");
        assert!(sealed.starts_with("v1:") && !sealed.contains("hunter2"));
        assert_eq!(
            key.open("camera-password:gate", &sealed).expect("open"),
            b"hunter2"
        );
        assert!(key.open("camera-password:yard", &sealed).is_err());
        let other = SecretKey::generate().expect("key");
        assert!(other.open("camera-password:gate", &sealed).is_err());
        let mut flipped = sealed.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'0' { b'1' } else { b'0' };
        let flipped = String::from_utf8(flipped).expect("utf8");
        assert!(key.open("camera-password:gate", &flipped).is_err());
        assert_ne!(
            key.seal("c", b"x").expect("seal"),
            key.seal("c", b"x").expect("seal"),
            "a fresh nonce each time"
        );
        assert_eq!(
            SecretKey::from_hex(&key.to_hex()).expect("hex").bytes(),
            key.bytes()
        );
        assert!(SecretKey::from_hex("abc").is_err());
        assert_eq!(format!("{key:?}"), "SecretKey(***)");
    }
}
