//! Password rules, after the UK National Cyber Security Centre's guidance: long enough
//! (at least 12 characters), not a commonly used password or an obvious variation of one,
//! not made from the person's own name or the system's, and no composition rules (no
//! "must contain a digit and a symbol"), which make passwords harder to remember and no
//! harder to guess.
//!
//! Invariants: [`check`] is pure; a refusal says what is wrong and how to pick a better
//! password, never echoing the password itself.

/// The fewest characters a password may have.
pub const MIN_CHARS: usize = 12;
/// The most characters a password may have (bounds the hashing work per login).
pub const MAX_CHARS: usize = 256;

/// Commonly used passwords and password stems, lower-case. A password is refused when,
/// lower-cased and with digits and symbols removed from both ends, it is one of these or
/// is one of these repeated.
const COMMON: &[&str] = &[
    "password",
    "passw0rd",
    "p@ssword",
    "p@ssw0rd",
    "pass",
    "passwd",
    "letmein",
    "welcome",
    "qwerty",
    "qwertyuiop",
    "asdfgh",
    "asdfghjkl",
    "zxcvbn",
    "zxcvbnm",
    "azerty",
    "abc",
    "abcdef",
    "abcdefgh",
    "iloveyou",
    "admin",
    "administrator",
    "root",
    "login",
    "user",
    "guest",
    "master",
    "secret",
    "changeme",
    "default",
    "test",
    "testing",
    "monkey",
    "dragon",
    "football",
    "baseball",
    "soccer",
    "cricket",
    "rugby",
    "liverpool",
    "chelsea",
    "arsenal",
    "manchester",
    "united",
    "sunshine",
    "princess",
    "shadow",
    "superman",
    "batman",
    "trustno",
    "starwars",
    "whatever",
    "freedom",
    "hello",
    "hellohello",
    "charlie",
    "michael",
    "jennifer",
    "jordan",
    "hunter",
    "ranger",
    "buster",
    "tigger",
    "summer",
    "winter",
    "spring",
    "autumn",
    "london",
    "england",
    "britain",
    "scotland",
    "wales",
    "ireland",
    "computer",
    "internet",
    "security",
    "camera",
    "cameras",
    "cctv",
    "custos",
    "school",
    "council",
    "university",
    "student",
    "teacher",
    "office",
    "control",
    "controlroom",
    "operator",
    "manager",
    "supervisor",
    "headteacher",
    "welcomehome",
    "letmeinplease",
    "qazwsx",
    "qazwsxedc",
    "1qaz2wsx",
    "zaq1zaq1",
    "mypassword",
    "newpassword",
    "yourpassword",
    "ilovelondon",
    "loveyou",
    "lovely",
    "flower",
    "butterfly",
    "chocolate",
    "cookie",
    "pepper",
    "ginger",
    "daniel",
    "thomas",
    "jessica",
    "ashley",
    "matthew",
    "andrew",
    "joshua",
    "george",
    "harry",
    "oliver",
    "jack",
    "sophie",
    "emily",
    "chloe",
    "jamesbond",
    "mustang",
    "ferrari",
    "porsche",
    "mercedes",
    "pokemon",
    "minecraft",
    "fortnite",
    "google",
    "facebook",
    "microsoft",
    "windows",
    "apple",
    "samsung",
    "abcabc",
    "aaaaaa",
    "blink",
    "killer",
    "access",
    "service",
    "support",
    "system",
    "network",
    "database",
    "backup",
];

/// Why a password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    /// Too short.
    #[error(
        "the password has {0} characters; use at least {MIN_CHARS} — three or four random words are easy to remember and hard to guess"
    )]
    TooShort(usize),
    /// Too long.
    #[error("the password has {0} characters; use at most {MAX_CHARS}")]
    TooLong(usize),
    /// A common password or a variation of one.
    #[error(
        "that is a commonly used password (or one with digits or symbols added), which attackers try first; choose three or four random words instead"
    )]
    Common,
    /// Made from the person's name or the system's.
    #[error(
        "the password contains your user name or name, or the scheme's; choose something unrelated to you or this system"
    )]
    Personal,
    /// One character or a simple sequence.
    #[error(
        "the password is a single repeated character or a simple sequence; choose three or four random words instead"
    )]
    Trivial,
}

/// Checks a proposed password. `context` holds words that must not be in it: the user
/// name, the person's name, the scheme's name (each word of 4 or more letters counts).
pub fn check(password: &str, context: &[&str]) -> Result<(), PasswordProblem> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(PasswordProblem::TooShort(chars));
    }
    if chars > MAX_CHARS {
        return Err(PasswordProblem::TooLong(chars));
    }
    let lower = password.to_lowercase();
    let letters: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
    if is_trivial(&letters) {
        return Err(PasswordProblem::Trivial);
    }
    let stem = lower.trim_matches(|c: char| !c.is_alphabetic());
    let stem_compact: String = stem.chars().filter(|c| !c.is_whitespace()).collect();
    if stem_compact.is_empty()
        || COMMON
            .iter()
            .any(|w| stem_compact == *w || is_repeat_of(&stem_compact, w))
    {
        return Err(PasswordProblem::Common);
    }
    for word in context
        .iter()
        .flat_map(|c| c.split(|ch: char| !ch.is_alphanumeric()))
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 4)
    {
        if lower.contains(&word) {
            return Err(PasswordProblem::Personal);
        }
    }
    Ok(())
}

fn is_repeat_of(s: &str, unit: &str) -> bool {
    !unit.is_empty() && s.len().is_multiple_of(unit.len()) && s == unit.repeat(s.len() / unit.len())
}

/// One repeated character, or a run of consecutive characters up or down (`123456789012`,
/// `abcdefghijkl`, `987654321098`).
fn is_trivial(s: &str) -> bool {
    let cs: Vec<u32> = s.chars().map(u32::from).collect();
    if cs.len() < 2 {
        return true;
    }
    let same = cs.windows(2).all(|w| w[0] == w[1]);
    let wraps = |a: u32, b: u32, up: bool| {
        // Digits may wrap around (…7890123…).
        let digit = |c: u32| (u32::from('0')..=u32::from('9')).contains(&c);
        if up {
            b == a + 1 || (digit(a) && digit(b) && a == u32::from('9') && b == u32::from('0'))
        } else {
            a == b + 1 || (digit(a) && digit(b) && a == u32::from('0') && b == u32::from('9'))
        }
    };
    let up = cs.windows(2).all(|w| wraps(w[0], w[1], true));
    let down = cs.windows(2).all(|w| wraps(w[0], w[1], false));
    same || up || down
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ncsc_length_rule_without_composition_rules() {
        assert_eq!(check("short one", &[]), Err(PasswordProblem::TooShort(9)));
        // No digits, no symbols, no capitals: fine, because it is long and uncommon.
        assert_eq!(check("correct horse battery staple", &[]), Ok(()));
        assert_eq!(
            check(&"x".repeat(300), &[]),
            Err(PasswordProblem::TooLong(300))
        );
    }

    #[test]
    fn common_passwords_and_variations_are_refused() {
        for p in [
            "password1234",
            "Password123!",
            "P@ssw0rd2026!!",
            "qwertyuiop12",
            "!!Letmein2026",
            "welcomewelcome",
            "iloveyou1234",
        ] {
            assert_eq!(check(p, &[]), Err(PasswordProblem::Common), "{p}");
        }
    }

    #[test]
    fn trivial_sequences_are_refused() {
        for p in [
            "123456789012",
            "aaaaaaaaaaaa",
            "abcdefghijklm",
            "987654321098",
            "7890123456789",
        ] {
            assert_eq!(check(p, &[]), Err(PasswordProblem::Trivial), "{p}");
        }
    }

    #[test]
    fn personal_words_are_refused() {
        assert_eq!(
            check(
                "jsmith-winter-cat",
                &["jsmith", "Jane Smith", "Bosmere Junior School"]
            ),
            Err(PasswordProblem::Personal)
        );
        assert_eq!(
            check("walnut bosmere lamp", &["op1", "Bosmere Junior School"]),
            Err(PasswordProblem::Personal)
        );
        assert_eq!(
            check("walnut kettle lamp", &["op1", "Bosmere Junior School"]),
            Ok(())
        );
    }

    #[test]
    fn refusals_never_contain_the_password() {
        let e = check("Password123!", &[]).expect_err("common").to_string();
        assert!(!e.contains("Password123!"));
    }
}
