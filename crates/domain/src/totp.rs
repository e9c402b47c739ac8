//! Time-based one-time passwords (RFC 6238, on HOTP of RFC 4226): the second factor that
//! the policy pack makes mandatory for its privileged roles.
//!
//! Invariants: codes are 6 digits from HMAC-SHA-1 over 30-second steps (what every
//! authenticator app uses by default); a code is accepted for the current step or the one
//! before or after (clock drift), and never for a step at or before the last one accepted,
//! so a code cannot be replayed. Pure functions: the caller supplies the time and stores
//! the last step.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Seconds per step.
pub const STEP_SECONDS: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;
/// Bytes of a new secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;

/// The HOTP value for `counter` (RFC 4226 section 5.3), `DIGITS` digits.
pub fn hotp(secret: &[u8], counter: u64) -> u32 {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        // HMAC accepts keys of any length; this cannot happen.
        return u32::MAX;
    };
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h[19] & 0x0f);
    let bin = (u32::from(h[offset]) & 0x7f) << 24
        | u32::from(h[offset + 1]) << 16
        | u32::from(h[offset + 2]) << 8
        | u32::from(h[offset + 3]);
    bin % 10u32.pow(DIGITS)
}

/// The step that contains `unix_ms`.
pub fn step_at(unix_ms: i64) -> i64 {
    unix_ms.div_euclid(1000).div_euclid(STEP_SECONDS)
}

/// The code for the step containing `unix_ms`, zero-padded.
pub fn code_at(secret: &[u8], unix_ms: i64) -> String {
    let step = u64::try_from(step_at(unix_ms)).unwrap_or(0);
    format!("{:0width$}", hotp(secret, step), width = DIGITS as usize)
}

/// Checks a code typed by a person (spaces ignored) at `unix_ms`. Returns the step it
/// matched, which the caller stores as the last step used, or `None`.
pub fn verify(secret: &[u8], code: &str, unix_ms: i64, last_step: Option<i64>) -> Option<i64> {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != DIGITS as usize || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let want: u32 = digits.parse().ok()?;
    let now = step_at(unix_ms);
    (now - 1..=now + 1)
        .filter(|s| *s >= 0 && last_step.is_none_or(|l| *s > l))
        .find(|s| hotp(secret, u64::try_from(*s).unwrap_or(0)) == want)
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding (how authenticator apps take secrets).
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for b in bytes {
        buffer = (buffer << 8) | u32::from(*b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Decodes base32 (either case, spaces and padding ignored).
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let v = BASE32
            .iter()
            .position(|b| char::from(*b) == c.to_ascii_uppercase())?;
        buffer = (buffer << 5) | u32::try_from(v).ok()?;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

/// The `otpauth://` URI an authenticator app reads from the QR code.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let enc = |s: &str| {
        let mut o = String::new();
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                o.push(char::from(b));
            } else {
                o.push_str(&format!("%{b:02X}"));
            }
        }
        o
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        enc(issuer),
        enc(account),
        base32_encode(secret),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B (SHA-1 rows), last six digits of the published 8-digit codes.
    #[test]
    fn rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (t, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at(secret, t * 1000), code, "t={t}");
        }
    }

    #[test]
    fn codes_are_accepted_once_within_a_step_of_drift() {
        let secret = b"12345678901234567890";
        let now = 1_111_111_111_000;
        let code = code_at(secret, now);
        let step = verify(secret, &code, now, None).expect("accepted");
        assert_eq!(verify(secret, &code, now, Some(step)), None, "no replay");
        assert!(
            verify(secret, &code, now + 30_000, None).is_some(),
            "one step late"
        );
        assert!(
            verify(secret, &code, now + 90_000, None).is_none(),
            "three steps late"
        );
        assert!(verify(secret, "12345", now, None).is_none());
        assert!(verify(secret, &format!("{} {}", &code[..3], &code[3..]), now, None).is_some());
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("mzxw6ytboi======"), Some(b"foobar".to_vec()));
        let secret: Vec<u8> = (0..20).collect();
        assert_eq!(base32_decode(&base32_encode(&secret)), Some(secret));
    }
}
