//! `custos deadline RULE DATE [--nation NATION]`: a deadline worked out with the scheme's
//! working-day calendar (`custos_domain::calendar`), printed as the due date on the first
//! line (`YYYY-MM-DD`, or RFC 3339 for `hours:N`) and how it was reached in plain words
//! after it. RULE is any rule a policy pack may give, a combination
//! (`earliest:calendar-days:30,month`) included, whose explanation says how each part falls.
//!
//! The nation is `--nation` (`--any-part-of-uk` adds every UK nation's bank holidays, as
//! FOIA counts working days), else the active policy pack's when the data folder (or the
//! configured database) holds a scheme, else England and Wales. The one-off bank holiday
//! changes shipped with Custos always count; more come from `[calendar]` in the
//! configuration, each for the nations it names. Reads the database only to find the pack;
//! writes nothing.

use std::process::ExitCode;

use anyhow::{Context, bail};
use custos_domain::calendar::{self, Calendar};
use custos_domain::{DeadlineRule, Nation};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime};

use crate::commands::SQLITE_FILE;
use crate::config::Config;

/// When something was received, as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Received {
    /// A UK day.
    Day(Date),
    /// An instant.
    At(Timestamp),
}

/// Runs `custos deadline`.
pub async fn run(
    config: &Config,
    rule: DeadlineRule,
    date: &str,
    nation: Option<Nation>,
    any_part_of_uk: bool,
) -> anyhow::Result<ExitCode> {
    let received = parse_received(&rule, date)?;
    let (nation, whence) = match nation {
        Some(n) => (n, "given with --nation"),
        None => scheme_nation(config).await?,
    };
    let mut calendar = config
        .calendar
        .calendar(nation)
        .map_err(anyhow::Error::msg)?;
    if any_part_of_uk {
        calendar = calendar.any_part_of_uk();
    }
    let deadline = match received {
        Received::Day(d) => calendar.due_on_day(rule.clone(), d),
        Received::At(t) => calendar.due(rule.clone(), t),
    }?;
    println!("{}", deadline.due);
    println!("{}", deadline.explain());
    println!("{}", rule_line(&rule, &calendar, whence));
    Ok(ExitCode::SUCCESS)
}

/// The closing line: the rule in words and whose working days counted.
fn rule_line(rule: &DeadlineRule, calendar: &Calendar, whence: &str) -> String {
    if rule.counts_hours() {
        return format!(
            "Rule {rule} ({}), counted in real elapsed time; times are UK time.",
            rule.describe()
        );
    }
    let one_offs = calendar.configured_one_offs().len();
    let changes = match one_offs {
        0 => String::new(),
        1 => ", with 1 one-off change from the configuration".to_owned(),
        n => format!(", with {n} one-off changes from the configuration"),
    };
    if calendar.covers_any_part_of_uk() {
        return format!(
            "Rule {rule} ({}); working days are Monday to Friday except bank holidays in any part of the UK, as FOIA s10(6) counts them{changes}.",
            rule.describe()
        );
    }
    format!(
        "Rule {rule} ({}); working days are Monday to Friday except {} bank holidays ({whence}{changes}).",
        rule.describe(),
        calendar::nation_name(calendar.nation())
    )
}

/// Reads DATE: a UK day for day rules; a UK local time (or an RFC 3339 instant) for hours.
fn parse_received(rule: &DeadlineRule, text: &str) -> anyhow::Result<Received> {
    let text = text.trim();
    let is_plain_date = text.len() == 10 && text.parse::<Date>().is_ok();
    if rule.counts_hours() {
        if is_plain_date {
            bail!(
                "{rule} counts hours, so DATE needs the time of receipt too: write YYYY-MM-DDTHH:MM (UK time), e.g. {text}T09:00"
            );
        }
        if let Ok(t) = text.parse::<Timestamp>() {
            return Ok(Received::At(t));
        }
        let Ok(dt) = text.parse::<DateTime>() else {
            bail!(
                "{text:?} is not a time: write YYYY-MM-DDTHH:MM (UK time), e.g. 2026-10-23T09:00"
            );
        };
        let tz = calendar::uk_time_zone()?;
        let at = dt
            .to_zoned(tz)
            .with_context(|| format!("{text} cannot be placed in UK time"))?;
        return Ok(Received::At(at.timestamp()));
    }
    if is_plain_date {
        return Ok(Received::Day(text.parse()?));
    }
    // A time of day is allowed but only its UK day counts.
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(Received::Day(calendar::uk_day(t)?));
    }
    if let Ok(dt) = text.parse::<DateTime>() {
        return Ok(Received::Day(dt.date()));
    }
    bail!("{text:?} is not a date: write YYYY-MM-DD, e.g. 2026-01-31")
}

/// The active pack's nation when there is a scheme, else England and Wales; with where it
/// came from, in words.
async fn scheme_nation(config: &Config) -> anyhow::Result<(Nation, &'static str)> {
    let scheme = config.database.url.is_some() || config.data_dir.join(SQLITE_FILE).exists();
    if !scheme {
        return Ok((
            Nation::EnglandWales,
            "the default, as there is no scheme in the data folder; give --nation for another",
        ));
    }
    let hint = "cannot read the scheme's policy pack to find its nation; give --nation";
    let store = crate::commands::open(config).await.context(hint)?;
    let active = store.active_policy().await;
    store.close().await;
    Ok(match active.context(hint)? {
        Some(p) => (p.pack.nation, "the nation of the scheme's policy pack"),
        None => (
            Nation::EnglandWales,
            "the default, as the scheme has no policy pack loaded; give --nation for another",
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_for_the_rule() {
        let month = DeadlineRule::Month;
        let hours = DeadlineRule::Hours(72);
        assert_eq!(
            parse_received(&month, "2026-01-31").expect("date"),
            Received::Day("2026-01-31".parse().expect("date"))
        );
        assert_eq!(
            parse_received(&month, "2026-01-31T23:30").expect("time"),
            Received::Day("2026-01-31".parse().expect("date"))
        );
        // 23:30 UTC on 31 May is 00:30 on 1 June in UK summer time.
        assert_eq!(
            parse_received(&month, "2026-05-31T23:30:00Z").expect("instant"),
            Received::Day("2026-06-01".parse().expect("date"))
        );
        let e = parse_received(&month, "2026-02-30").expect_err("no such day");
        assert!(e.to_string().contains("write YYYY-MM-DD"), "{e}");
        assert_eq!(
            parse_received(&hours, "2026-10-23T09:00").expect("time"),
            Received::At("2026-10-23T08:00:00Z".parse().expect("instant"))
        );
        let e = parse_received(&hours, "2026-10-23").expect_err("needs a time");
        assert!(e.to_string().contains("needs the time of receipt"), "{e}");
        let e = parse_received(&hours, "23/10/2026 09:00").expect_err("bad");
        assert!(e.to_string().contains("write YYYY-MM-DDTHH:MM"), "{e}");
    }
}
