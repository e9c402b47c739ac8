//! [`Ident`]: a validated, human-readable identifier such as `crime-prevention`.
//!
//! Identifiers name purposes, roles, packs and evidence classes. They are lower-case ASCII
//! letters and digits in words joined by single hyphens ("kebab case"), 1 to 64 characters,
//! so they are stable in URLs, CSV files and ledger entries.

use std::fmt;

/// A kebab-case identifier (`[a-z0-9]+(-[a-z0-9]+)*`, at most 64 characters).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ident(String);

/// Why a string is not an [`Ident`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{value:?} is not a valid identifier: use lower-case letters and digits in words joined by single hyphens, such as \"crime-prevention\" (at most 64 characters)"
)]
pub struct IdentError {
    /// The rejected text.
    pub value: String,
}

impl Ident {
    /// The longest identifier accepted, in bytes.
    pub const MAX_LEN_BYTES: usize = 64;

    /// Parses `s`, refusing anything but kebab case.
    pub fn parse(s: &str) -> Result<Self, IdentError> {
        let ok = !s.is_empty()
            && s.len() <= Self::MAX_LEN_BYTES
            && s.split('-').all(|w| {
                !w.is_empty()
                    && w.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(IdentError {
                value: s.to_owned(),
            })
        }
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The identifier read as words, for a name nobody wrote out: `investigation-hold`
    /// is "Investigation hold".
    pub fn words(&self) -> String {
        let words = self.0.replace('-', " ");
        let mut c = words.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect())
            .unwrap_or_default()
    }
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_identifier_reads_as_words() {
        let id = Ident::parse("investigation-hold").expect("id");
        assert_eq!(id.words(), "Investigation hold");
        assert_eq!(Ident::parse("x1").expect("id").words(), "X1");
    }

    #[test]
    fn kebab_case_is_accepted_and_everything_else_refused() {
        for good in ["a", "crime-prevention", "sar-copy-6m", "x1"] {
            assert_eq!(
                Ident::parse(good).map(|i| i.to_string()),
                Ok(good.to_owned())
            );
        }
        for bad in [
            "",
            "Crime",
            "crime_prevention",
            "-a",
            "a-",
            "a--b",
            "a b",
            "é",
        ] {
            assert!(Ident::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(Ident::parse(&"a".repeat(65)).is_err());
    }
}
