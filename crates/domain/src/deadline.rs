//! Deadline rules as policy packs write them: `working-days:N`, `calendar-days:N`, `month`,
//! `months:N`, `hours:N`, and `earliest:RULE,RULE[,…]`, whichever of two or more day rules
//! falls first (e.g. `earliest:calendar-days:30,month`: a council's promise of 30 calendar
//! days, never later than the law's one month).
//!
//! This module only parses and prints rules and says them in words; the calendar that turns
//! a rule and a date into a due date is `crate::calendar`.
//!
//! Invariants: every parsed rule prints back to the text it was parsed from (`Display`
//! round-trips). A combination ([`Combination`]) holds two or more parts, each a day rule
//! (`working-days`, `calendar-days`, `month` or `months`), none given twice and none itself
//! a combination: hours cannot be mixed with days (one gives an instant, the other a day),
//! and nesting would add nothing, since the earliest of earliests is one earliest. The text
//! is read without trimming; parts are separated by commas with no spaces, so a rule has
//! exactly one spelling.

use std::fmt;
use std::str::FromStr;

/// The largest count a rule may carry; anything larger is surely a typo.
pub const MAX_COUNT: u32 = 10_000;

/// How a deadline is computed from the day (or instant) something is received.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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
    /// Whichever of two or more day rules gives the earlier due date, each part counted
    /// from the same receipt with the same stops of the clock.
    Earliest(Combination),
}

/// The parts of an `earliest:` rule: two or more day rules, none twice, in the order
/// written. Made only by [`Combination::new`] (or by parsing), which checks this.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Combination(Vec<DeadlineRule>);

impl Combination {
    /// The combination of `parts`, refused unless there are two or more, each a day rule
    /// (not `hours:N`, not a combination), none given twice.
    pub fn new(parts: Vec<DeadlineRule>) -> Result<Self, &'static str> {
        if parts.len() < 2 {
            return Err("a combination needs two rules or more, separated by commas");
        }
        for (i, p) in parts.iter().enumerate() {
            match p {
                DeadlineRule::Hours(_) => {
                    return Err(
                        "hours:N cannot be combined: a combination takes day rules (working-days, calendar-days, month, months)",
                    );
                }
                DeadlineRule::Earliest(_) => {
                    return Err("a combination cannot contain another combination");
                }
                _ => {}
            }
            if parts[..i].contains(p) {
                return Err("a rule is given twice in the combination");
            }
        }
        Ok(Self(parts))
    }

    /// The parts, in the order written.
    pub fn parts(&self) -> &[DeadlineRule] {
        &self.0
    }
}

/// Why a deadline rule could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{text:?} is not a deadline rule: {why}; write one of working-days:N, calendar-days:N, month, months:N or hours:N (N from 1 to {MAX_COUNT}), or earliest:RULE,RULE for whichever of two or more day rules falls first (e.g. earliest:calendar-days:30,month)"
)]
pub struct DeadlineRuleError {
    /// The rejected text.
    pub text: String,
    /// What in particular is wrong.
    pub why: String,
}

/// The prefix of a combination.
const EARLIEST: &str = "earliest:";

impl FromStr for DeadlineRule {
    type Err = DeadlineRuleError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = |why: &str| DeadlineRuleError {
            text: text.to_owned(),
            why: why.to_owned(),
        };
        if let Some(list) = text.strip_prefix(EARLIEST) {
            if list.chars().any(char::is_whitespace) {
                return Err(err(
                    "write the combination's rules separated by commas, without spaces",
                ));
            }
            let mut parts = Vec::new();
            for part in list.split(',') {
                if part.is_empty() {
                    return Err(err(
                        "a rule in the combination is missing (two commas, or one at an end)",
                    ));
                }
                if part == "earliest" || part.starts_with(EARLIEST) {
                    return Err(err("a combination cannot contain another combination"));
                }
                let rule = simple(part)
                    .map_err(|why| err(&format!("in the combination, {part:?}: {why}")))?;
                parts.push(rule);
            }
            return Combination::new(parts).map(Self::Earliest).map_err(err);
        }
        if text == "earliest" {
            return Err(err("\"earliest\" needs its rules (earliest:RULE,RULE)"));
        }
        simple(text).map_err(err)
    }
}

/// One rule that is not a combination.
fn simple(text: &str) -> Result<DeadlineRule, &'static str> {
    if text == "month" {
        return Ok(DeadlineRule::Month);
    }
    let Some((name, count)) = text.split_once(':') else {
        return Err("it has no \":N\" count");
    };
    let make: fn(u32) -> DeadlineRule = match name {
        "working-days" => DeadlineRule::WorkingDays,
        "calendar-days" => DeadlineRule::CalendarDays,
        "months" => DeadlineRule::Months,
        "hours" => DeadlineRule::Hours,
        "month" => return Err("\"month\" takes no count (use months:N)"),
        _ => return Err("the rule name is unknown"),
    };
    let n: u32 = count
        .parse()
        .map_err(|_| "the count is not a whole number")?;
    if n == 0 || n > MAX_COUNT {
        return Err("the count is out of range");
    }
    Ok(make(n))
}

impl fmt::Display for DeadlineRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WorkingDays(n) => write!(f, "working-days:{n}"),
            Self::CalendarDays(n) => write!(f, "calendar-days:{n}"),
            Self::Month => f.write_str("month"),
            Self::Months(n) => write!(f, "months:{n}"),
            Self::Hours(n) => write!(f, "hours:{n}"),
            Self::Earliest(c) => {
                f.write_str(EARLIEST)?;
                for (i, p) in c.parts().iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{p}")?;
                }
                Ok(())
            }
        }
    }
}

impl DeadlineRule {
    /// The rule in words for people, e.g. "5 working days", "one calendar month", or "30
    /// calendar days or one calendar month, whichever is earlier".
    pub fn describe(&self) -> String {
        let plural = |n: u32, one: &str, many: &str| {
            if n == 1 {
                format!("1 {one}")
            } else {
                format!("{n} {many}")
            }
        };
        match self {
            Self::WorkingDays(n) => plural(*n, "working day", "working days"),
            Self::CalendarDays(n) => plural(*n, "calendar day", "calendar days"),
            Self::Month => "one calendar month".to_owned(),
            Self::Months(n) => plural(*n, "calendar month", "calendar months"),
            Self::Hours(n) => plural(*n, "hour", "hours"),
            Self::Earliest(c) => {
                let words: Vec<String> = c.parts().iter().map(Self::describe).collect();
                match words.split_last() {
                    Some((last, rest)) if !rest.is_empty() => {
                        let which = if rest.len() == 1 {
                            "earlier"
                        } else {
                            "earliest"
                        };
                        format!("{} or {last}, whichever is {which}", rest.join(", "))
                    }
                    _ => words.concat(),
                }
            }
        }
    }

    /// Whether the rule counts hours (its due date is an instant, not a day).
    pub fn counts_hours(&self) -> bool {
        matches!(self, Self::Hours(_))
    }

    /// The rule's count of months when it is `month` or `months:N`; for a combination,
    /// the fewest months among its parts (the month rule that binds); else `None`.
    pub fn months(&self) -> Option<u32> {
        match self {
            Self::Month => Some(1),
            Self::Months(n) => Some(*n),
            Self::Earliest(c) => c.parts().iter().filter_map(Self::months).min(),
            Self::WorkingDays(_) | Self::CalendarDays(_) | Self::Hours(_) => None,
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
            "earliest:calendar-days:30,month",
            "earliest:month,calendar-days:30",
            "earliest:working-days:20,calendar-days:30,months:2",
        ] {
            let rule: DeadlineRule = text.parse().expect(text);
            assert_eq!(rule.to_string(), text);
        }
        assert_eq!("hours:72".parse(), Ok(DeadlineRule::Hours(72)));
        assert_eq!(DeadlineRule::WorkingDays(15).describe(), "15 working days");
    }

    /// BDC-29, BDC-30: the council's 30 calendar days and the law's one month combine,
    /// and the combination reads as plain words.
    #[test]
    fn bdc_29_bdc_30_the_earlier_of_thirty_days_and_a_month_parses_and_reads_in_words() {
        let rule: DeadlineRule = "earliest:calendar-days:30,month".parse().expect("rule");
        let DeadlineRule::Earliest(c) = &rule else {
            panic!("not a combination: {rule:?}");
        };
        assert_eq!(
            c.parts(),
            [DeadlineRule::CalendarDays(30), DeadlineRule::Month]
        );
        assert_eq!(
            rule.describe(),
            "30 calendar days or one calendar month, whichever is earlier"
        );
        assert_eq!(rule.months(), Some(1));
        let three: DeadlineRule = "earliest:working-days:20,calendar-days:30,months:2"
            .parse()
            .expect("rule");
        assert_eq!(
            three.describe(),
            "20 working days, 30 calendar days or 2 calendar months, whichever is earliest"
        );
        assert_eq!(three.months(), Some(2));
        assert_eq!(
            "earliest:calendar-days:30,working-days:20"
                .parse::<DeadlineRule>()
                .expect("rule")
                .months(),
            None
        );
        assert_eq!(
            Combination::new(vec![DeadlineRule::Month]),
            Err("a combination needs two rules or more, separated by commas")
        );
    }

    #[test]
    fn bad_rules_say_what_is_wrong() {
        let cases = [
            ("fortnight", "no \":N\" count"),
            ("weeks:2", "rule name is unknown"),
            ("working-days:five", "not a whole number"),
            ("working-days:0", "out of range"),
            ("month:1", "takes no count"),
            ("earliest", "needs its rules"),
            ("earliest:", "a rule in the combination is missing"),
            ("earliest:month", "needs two rules or more"),
            ("earliest:month,", "a rule in the combination is missing"),
            ("earliest:,month", "a rule in the combination is missing"),
            ("earliest:calendar-days:30, month", "without spaces"),
            (
                "earliest:calendar-days:30,weeks:4",
                "\"weeks:4\": the rule name is unknown",
            ),
            (
                "earliest:calendar-days:0,month",
                "\"calendar-days:0\": the count is out of range",
            ),
            (
                "earliest:hours:72,working-days:3",
                "hours:N cannot be combined",
            ),
            ("earliest:month,month", "given twice"),
            (
                "earliest:month,earliest:calendar-days:30,working-days:5",
                "cannot contain another combination",
            ),
            ("Earliest:month,calendar-days:30", "rule name is unknown"),
        ];
        for (text, why) in cases {
            let e = text.parse::<DeadlineRule>().expect_err(text).to_string();
            assert!(e.contains(why), "{text}: {e}");
            assert!(e.contains("working-days:N"), "{text}: {e}");
            assert!(e.contains("earliest:RULE,RULE"), "{text}: {e}");
        }
    }
}
