//! Time: the [`Clock`] trait, a real and a simulated implementation, and [`UnixMs`].
//!
//! Every component that needs "now" takes a `&dyn Clock` (or an `Arc<dyn Clock>`), so tests
//! can move time forward by hand. Instants are UTC; conversion to Europe/London happens only
//! when showing a time to a person.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// A UTC instant as whole milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixMs(pub i64);

impl UnixMs {
    /// The instant as a `jiff::Timestamp`, or `None` if it is outside jiff's range.
    pub fn to_timestamp(self) -> Option<jiff::Timestamp> {
        jiff::Timestamp::from_millisecond(self.0).ok()
    }

    /// Reads a date bound typed by a person: a UK calendar day `YYYY-MM-DD` (its start in
    /// Europe/London; with `end`, the start of the next day, so the day is included) or an
    /// RFC 3339 instant.
    pub fn parse_bound(text: &str, end: bool) -> Result<Self, String> {
        let text = text.trim();
        if let Ok(ts) = text.parse::<jiff::Timestamp>() {
            return Ok(Self(ts.as_millisecond()));
        }
        let date: jiff::civil::Date = text.parse().map_err(|_| {
            format!(
                "{text:?} is not a date: use YYYY-MM-DD (a day in UK time) or an instant such as 2026-11-23T09:00:00Z"
            )
        })?;
        let date = if end {
            date.tomorrow()
                .map_err(|_| "that date is too late".to_owned())?
        } else {
            date
        };
        let tz = jiff::tz::TimeZone::get("Europe/London")
            .map_err(|e| format!("no UK time zone data: {e}"))?;
        let zoned = date
            .to_zoned(tz)
            .map_err(|e| format!("{text} cannot be placed in UK time: {e}"))?;
        Ok(Self(zoned.timestamp().as_millisecond()))
    }

    /// Reads a time typed by a person: UK local time `YYYY-MM-DDTHH:MM[:SS]` (what a
    /// browser's date-and-time field sends) or an RFC 3339 instant.
    pub fn parse_uk_local(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if let Ok(ts) = text.parse::<jiff::Timestamp>() {
            return Ok(Self(ts.as_millisecond()));
        }
        let dt: jiff::civil::DateTime = text.parse().map_err(|_| {
            format!("{text:?} is not a time: use YYYY-MM-DDTHH:MM (UK time), e.g. 2026-11-23T09:30")
        })?;
        let tz = jiff::tz::TimeZone::get("Europe/London")
            .map_err(|e| format!("no UK time zone data: {e}"))?;
        let zoned = dt
            .to_zoned(tz)
            .map_err(|e| format!("{text} cannot be placed in UK time: {e}"))?;
        Ok(Self(zoned.timestamp().as_millisecond()))
    }

    /// UK local time as `YYYY-MM-DDTHH:MM`, for a browser's date-and-time field.
    pub fn to_uk_local_input(self) -> String {
        self.to_timestamp()
            .and_then(|t| {
                jiff::tz::TimeZone::get("Europe/London")
                    .ok()
                    .map(|tz| t.to_zoned(tz).strftime("%Y-%m-%dT%H:%M").to_string())
            })
            .unwrap_or_default()
    }

    /// This instant moved by whole calendar years, months and days as UK clocks count them
    /// (Europe/London: a month from 31 January is the last day of February; a day is a
    /// calendar day even when the clocks change). `None` outside the representable range.
    pub fn plus_uk_calendar(self, years: i64, months: i64, days: i64) -> Option<Self> {
        let tz = jiff::tz::TimeZone::get("Europe/London").ok()?;
        let span = jiff::Span::new()
            .try_years(years)
            .ok()?
            .try_months(months)
            .ok()?
            .try_days(days)
            .ok()?;
        let z = self.to_timestamp()?.to_zoned(tz).checked_add(span).ok()?;
        Some(Self(z.timestamp().as_millisecond()))
    }

    /// RFC 3339 in UTC with a `Z` suffix, e.g. `2026-11-23T09:30:00Z`; for logs and files.
    pub fn to_rfc3339(self) -> String {
        match self.to_timestamp() {
            Some(ts) => ts.to_string(),
            None => format!("(invalid time {} ms)", self.0),
        }
    }

    /// The local date and time in Europe/London written out, e.g. `Monday 7 December 2026,
    /// 16:44`; for people, where the date matters (a deadline, when a request came).
    pub fn to_london_long(self) -> String {
        let Some(ts) = self.to_timestamp() else {
            return format!("(invalid time {} ms)", self.0);
        };
        match jiff::tz::TimeZone::get("Europe/London") {
            Ok(tz) => {
                let z = ts.to_zoned(tz);
                format!("{}, {}", long_date(z.date()), z.strftime("%H:%M"))
            }
            Err(_) => ts.to_string(),
        }
    }

    /// The local time in Europe/London, e.g. `2026-11-23 09:30 GMT`; for people.
    pub fn to_london_display(self) -> String {
        let Some(ts) = self.to_timestamp() else {
            return format!("(invalid time {} ms)", self.0);
        };
        match jiff::tz::TimeZone::get("Europe/London") {
            Ok(tz) => ts.to_zoned(tz).strftime("%Y-%m-%d %H:%M %Z").to_string(),
            Err(_) => ts.to_string(),
        }
    }
}

/// A calendar date written out, e.g. `Monday 7 December 2026`.
pub fn long_date(d: jiff::civil::Date) -> String {
    d.strftime("%A %-d %B %Y").to_string()
}

/// The source of "now" for everything in Custos.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant.
    fn now(&self) -> UnixMs;
}

/// The machine's real-time clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> UnixMs {
        UnixMs(jiff::Timestamp::now().as_millisecond())
    }
}

/// A clock that only moves when told to; for tests. Clones share the same time.
#[derive(Debug, Clone)]
pub struct SimulatedClock {
    now_ms: Arc<AtomicI64>,
}

impl SimulatedClock {
    /// A clock standing at `start`.
    pub fn new(start: UnixMs) -> Self {
        Self {
            now_ms: Arc::new(AtomicI64::new(start.0)),
        }
    }

    /// Moves time forward (or backward, for a negative argument) by `delta_ms`.
    pub fn advance_ms(&self, delta_ms: i64) {
        self.now_ms.fetch_add(delta_ms, Ordering::SeqCst);
    }

    /// Sets the time.
    pub fn set(&self, to: UnixMs) {
        self.now_ms.store(to.0, Ordering::SeqCst);
    }
}

impl Clock for SimulatedClock {
    fn now(&self) -> UnixMs {
        UnixMs(self.now_ms.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simulated_clock_moves_only_when_told() {
        let c = SimulatedClock::new(UnixMs(1_000));
        assert_eq!(c.now(), UnixMs(1_000));
        c.advance_ms(500);
        assert_eq!(c.clone().now(), UnixMs(1_500));
        c.set(UnixMs(0));
        assert_eq!(c.now(), UnixMs(0));
    }

    #[test]
    fn times_are_shown_in_london() {
        // 2026-07-01T12:00:00Z is 13:00 BST; 2026-12-01T12:00:00Z is 12:00 GMT.
        let summer = UnixMs(1_782_907_200_000);
        assert_eq!(summer.to_rfc3339(), "2026-07-01T12:00:00Z");
        assert_eq!(summer.to_london_display(), "2026-07-01 13:00 BST");
        let winter = UnixMs(1_796_126_400_000);
        assert_eq!(winter.to_london_display(), "2026-12-01 12:00 GMT");
        assert_eq!(summer.to_london_long(), "Wednesday 1 July 2026, 13:00");
        assert_eq!(winter.to_london_long(), "Tuesday 1 December 2026, 12:00");
    }
}
