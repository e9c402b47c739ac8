//! Time-based one-time passwords (RFC 6238, on HOTP of RFC 4226): the second factor that
//! the policy pack makes mandatory for its privileged roles.
//!
//! The codes are computed by the `totp-rs` crate (built without its default features, so
//! without its clock helpers, QR codes or secret generation); this module fixes the
//! parameters, decides which steps are acceptable and keeps the replay rule.
//!
//! Invariants:
//! - codes are 6 digits from HMAC-SHA-1 over 30-second steps (what every authenticator app
//!   uses by default);
//! - a code is accepted for the current step or the one before or after (clock drift), and
//!   never for a step at or before the last one accepted, so a code cannot be replayed;
//! - steps before the epoch (negative times) are never accepted;
//! - pure functions: the caller supplies the time (`unix_ms`) and stores the last step; no
//!   clock is read here (none of `totp-rs`'s `*_current` functions is called).

use totp_rs::{Algorithm, Secret, TOTP};

/// Seconds per step.
pub const STEP_SECONDS: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;
/// Bytes of a new secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;

/// `totp-rs` generator for `secret` with our parameters and steps of `step_seconds`; no
/// skew, because the drift window and the replay rule are decided in [`verify`].
///
/// `new_unchecked` is used because `TOTP::new` refuses secrets under 128 bits, while a
/// secret of any length has a well-defined HMAC (secrets made here are [`SECRET_BYTES`]).
/// (`totp-rs`'s `otpauth` feature would add issuer and account arguments; it stays off.)
fn generator(secret: &[u8], step_seconds: u64) -> TOTP {
    TOTP::new_unchecked(
        Algorithm::SHA1,
        DIGITS as usize,
        0,
        step_seconds,
        secret.to_vec(),
    )
}

/// The generator with our 30-second step.
fn totp(secret: &[u8]) -> TOTP {
    generator(secret, STEP_SECONDS.unsigned_abs())
}

/// The first second of `step`, as `totp-rs` takes time; `None` before the epoch.
fn step_start_s(step: i64) -> Option<u64> {
    u64::try_from(step.checked_mul(STEP_SECONDS)?).ok()
}

/// The HOTP value for `counter` (RFC 4226 section 5.3), `DIGITS` digits.
pub fn hotp(secret: &[u8], counter: u64) -> u32 {
    // With a step of one second, `totp-rs`'s moving factor is the time itself, so any
    // counter is its own "time".
    generator(secret, 1)
        .generate(counter)
        .parse()
        // `generate` gives DIGITS decimal digits, which always parse.
        .unwrap_or(u32::MAX)
}

/// The step that contains `unix_ms`.
pub fn step_at(unix_ms: i64) -> i64 {
    unix_ms.div_euclid(1000).div_euclid(STEP_SECONDS)
}

/// The code for the step containing `unix_ms`, zero-padded. Times before the epoch give
/// the code of step 0.
pub fn code_at(secret: &[u8], unix_ms: i64) -> String {
    let time_s = step_start_s(step_at(unix_ms)).unwrap_or(0);
    totp(secret).generate(time_s)
}

/// Checks a code typed by a person (spaces ignored) at `unix_ms`. Returns the step it
/// matched, which the caller stores as the last step used, or `None`.
///
/// The steps tried are the current one and the one before and after, earliest first,
/// leaving out any at or before `last_step` and any before the epoch.
pub fn verify(secret: &[u8], code: &str, unix_ms: i64, last_step: Option<i64>) -> Option<i64> {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != DIGITS as usize || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let totp = totp(secret);
    let now = step_at(unix_ms);
    (now - 1..=now + 1)
        .filter(|s| *s >= 0 && last_step.is_none_or(|l| *s > l))
        // `check` without skew compares this one step's code in constant time.
        .find(|s| step_start_s(*s).is_some_and(|t| totp.check(&digits, t)))
}

/// RFC 4648 base32 without padding (how authenticator apps take secrets).
pub fn base32_encode(bytes: &[u8]) -> String {
    match Secret::Raw(bytes.to_vec()).to_encoded() {
        Secret::Encoded(text) => text,
        // `to_encoded` of a raw secret is always encoded.
        Secret::Raw(_) => String::new(),
    }
}

/// Decodes base32 (either case, spaces and padding ignored).
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let normalised: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    Secret::Encoded(normalised).to_bytes().ok()
}

/// The `otpauth://` URI an authenticator app reads from the QR code.
///
/// Our own rather than `totp-rs`'s (its `otpauth` feature), which orders the parameters
/// differently, leaves out the default period and would pull in a URL library.
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

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    /// RFC 6238 appendix B (SHA-1 rows), last six digits of the published 8-digit codes.
    #[test]
    fn rfc_6238_test_vectors() {
        for (t, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
            (20_000_000_000, "353130"),
        ] {
            assert_eq!(code_at(RFC_SECRET, t * 1000), code, "t={t}");
            // Anywhere inside the step gives the same code.
            let step_start_ms = t / STEP_SECONDS * STEP_SECONDS * 1000;
            assert_eq!(code_at(RFC_SECRET, step_start_ms), code, "t={t}");
            assert_eq!(code_at(RFC_SECRET, step_start_ms + 29_999), code, "t={t}");
        }
    }

    /// RFC 4226 appendix D: HOTP values for counters 0 to 9 of the same secret.
    #[test]
    fn rfc_4226_hotp_test_vectors() {
        let expected = [
            755_224, 287_082, 359_152, 969_429, 338_314, 254_676, 287_922, 162_583, 399_871,
            520_489,
        ];
        for (counter, want) in expected.into_iter().enumerate() {
            assert_eq!(hotp(RFC_SECRET, counter as u64), want, "counter {counter}");
        }
        // The TOTP code of a step is the HOTP value of that step's number.
        let step = step_at(1_111_111_109_000);
        assert_eq!(
            code_at(RFC_SECRET, 1_111_111_109_000),
            format!("{:06}", hotp(RFC_SECRET, step as u64))
        );
        // Counters far beyond any time are still HOTP counters, not times.
        assert!(hotp(RFC_SECRET, u64::MAX) < 1_000_000);
    }

    #[test]
    fn codes_are_accepted_once_within_a_step_of_drift() {
        let secret = RFC_SECRET;
        let now = 1_111_111_111_000;
        let code = code_at(secret, now);
        let step = verify(secret, &code, now, None).expect("accepted");
        assert_eq!(step, step_at(now));
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
    fn the_drift_window_is_one_step_each_way_and_never_at_or_before_the_last() {
        let now = 1_234_567_890_000;
        let step = step_at(now);
        for (offset, accepted) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
            let code = code_at(RFC_SECRET, (step + offset) * STEP_SECONDS * 1000);
            let got = verify(RFC_SECRET, &code, now, None);
            assert_eq!(got, accepted.then_some(step + offset), "offset {offset}");
            // A step already used, or any before it, is refused even inside the window.
            if accepted {
                assert_eq!(
                    verify(RFC_SECRET, &code, now, Some(step + offset)),
                    None,
                    "offset {offset}"
                );
                assert_eq!(
                    verify(RFC_SECRET, &code, now, Some(step + offset - 1)),
                    Some(step + offset),
                    "offset {offset}"
                );
            }
        }
        // The next step's code after this step was used: drift forward still works.
        let next = code_at(RFC_SECRET, (step + 1) * STEP_SECONDS * 1000);
        assert_eq!(verify(RFC_SECRET, &next, now, Some(step)), Some(step + 1));
        // Letters, signs and wrong lengths are refused before any code is computed.
        for bad in ["12345a", "+12345", "1234567", "", "１２３４５６"] {
            assert_eq!(verify(RFC_SECRET, bad, now, None), None, "{bad:?}");
        }
    }

    #[test]
    fn times_before_the_epoch_are_never_accepted() {
        let code = code_at(RFC_SECRET, 0);
        assert_eq!(code_at(RFC_SECRET, -1), code);
        // At step 0, the step before (-1) does not exist; step 0 and 1 do.
        assert_eq!(verify(RFC_SECRET, &code, 0, None), Some(0));
        assert_eq!(verify(RFC_SECRET, &code, -30_000, None), Some(0));
        assert_eq!(verify(RFC_SECRET, &code, -60_001, None), None);
        assert_eq!(verify(RFC_SECRET, &code, i64::MIN, None), None);
        // The far end of time does not overflow.
        let _ = verify(RFC_SECRET, "000000", i64::MAX, None);
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        // RFC 4648 section 10, without padding.
        for (raw, text) in [
            (&b""[..], ""),
            (b"f", "MY"),
            (b"fo", "MZXQ"),
            (b"foo", "MZXW6"),
            (b"foob", "MZXW6YQ"),
            (b"fooba", "MZXW6YTB"),
            (b"foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32_encode(raw), text);
            assert_eq!(base32_decode(text), Some(raw.to_vec()), "{text}");
        }
        assert_eq!(base32_decode("mzxw6ytboi======"), Some(b"foobar".to_vec()));
        assert_eq!(base32_decode("MZXW 6YTB OI"), Some(b"foobar".to_vec()));
        assert_eq!(base32_decode("MZXW6YTB0I"), None, "0 is not base32");
        assert_eq!(base32_decode("MZXW6YTBÖI"), None);
        let secret: Vec<u8> = (0..20).collect();
        assert_eq!(base32_decode(&base32_encode(&secret)), Some(secret));
    }

    #[test]
    fn the_otpauth_uri_names_the_parameters_apps_expect() {
        assert_eq!(
            otpauth_uri("Hall School", "j.smith@example", b"foobar"),
            "otpauth://totp/Hall%20School:j.smith%40example?secret=MZXW6YTBOI\
             &issuer=Hall%20School&algorithm=SHA1&digits=6&period=30"
        );
    }
}
