//! Deadline rules as policy packs write them: `working-days:N`, `calendar-days:N`, `month`,
//! `months:N`, `hours:N`.
//!
//! This module only parses and prints rules; the calendar that turns a rule and a date into
//! a due date lives beside it once working days per nation are modelled. Invariant: every
//! parsed rule prints back to the text it was parsed from (`Display` round-trips).

use std::fmt;
use std::str::FromStr;

/// The largest count a rule may carry; anything larger is surely a typo.
pub const MAX_COUNT: u32 = 10_000;

/// How a deadline is computed from the day (or instant) something is received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeadlineRule {
    /// N working days of the scheme's nation.
    WorkingDays(u32),
    /// N calendar days.
    CalendarDays(u32),
    /// The ICO's "one month": the same date next month, the last day of the month if that
    /// date does not exist, moved to the next working day if it is not one.
    Month,
    /// N months, counted like [`DeadlineRule::Month`].
    Months(u32),
    /// N wall-clock hours from the instant of receipt or awareness.
    Hours(u32),
}

/// Why a deadline rule could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{text:?} is not a deadline rule: {why}; write one of working-days:N, calendar-days:N, month, months:N or hours:N (N from 1 to {MAX_COUNT})"
)]
pub struct DeadlineRuleError {
    /// The rejected text.
    pub text: String,
    /// What in particular is wrong.
    pub why: &'static str,
}

impl FromStr for DeadlineRule {
    type Err = DeadlineRuleError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = |why| DeadlineRuleError {
            text: text.to_owned(),
            why,
        };
        if text == "month" {
            return Ok(Self::Month);
        }
        let Some((name, count)) = text.split_once(':') else {
            return Err(err("it has no \":N\" count"));
        };
        let make: fn(u32) -> Self = match name {
            "working-days" => Self::WorkingDays,
            "calendar-days" => Self::CalendarDays,
            "months" => Self::Months,
            "hours" => Self::Hours,
            "month" => return Err(err("\"month\" takes no count (use months:N)")),
            _ => return Err(err("the rule name is unknown")),
        };
        let n: u32 = count
            .parse()
            .map_err(|_| err("the count is not a whole number"))?;
        if n == 0 || n > MAX_COUNT {
            return Err(err("the count is out of range"));
        }
        Ok(make(n))
    }
}

impl fmt::Display for DeadlineRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WorkingDays(n) => write!(f, "working-days:{n}"),
            Self::CalendarDays(n) => write!(f, "calendar-days:{n}"),
            Self::Month => f.write_str("month"),
            Self::Months(n) => write!(f, "months:{n}"),
            Self::Hours(n) => write!(f, "hours:{n}"),
        }
    }
}

impl DeadlineRule {
    /// The rule in words for people, e.g. "5 working days" or "one month (ICO rule)".
    pub fn describe(&self) -> String {
        let plural = |n: u32, one: &str, many: &str| {
            if n == 1 {
                format!("1 {one}")
            } else {
                format!("{n} {many}")
            }
        };
        match *self {
            Self::WorkingDays(n) => plural(n, "working day", "working days"),
            Self::CalendarDays(n) => plural(n, "calendar day", "calendar days"),
            Self::Month => "one calendar month".to_owned(),
            Self::Months(n) => plural(n, "calendar month", "calendar months"),
            Self::Hours(n) => plural(n, "hour", "hours"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_and_print_back() {
        for text in [
            "working-days:5",
            "calendar-days:30",
            "month",
            "months:3",
            "hours:72",
        ] {
            let rule: DeadlineRule = text.parse().expect(text);
            assert_eq!(rule.to_string(), text);
        }
        assert_eq!("hours:72".parse(), Ok(DeadlineRule::Hours(72)));
        assert_eq!(DeadlineRule::WorkingDays(15).describe(), "15 working days");
    }

    #[test]
    fn bad_rules_say_what_is_wrong() {
        let cases = [
            ("fortnight", "no \":N\" count"),
            ("weeks:2", "rule name is unknown"),
            ("working-days:five", "not a whole number"),
            ("working-days:0", "out of range"),
            ("month:1", "takes no count"),
        ];
        for (text, why) in cases {
            let e = text.parse::<DeadlineRule>().expect_err(text).to_string();
            assert!(e.contains(why), "{text}: {e}");
            assert!(e.contains("working-days:N"), "{text}: {e}");
        }
    }
}
