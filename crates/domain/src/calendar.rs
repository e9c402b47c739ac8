//! The UK working-day calendar and deadlines: bank holidays per nation computed from rules,
//! the one-off changes shipped as data (`crate::bank_holidays`) and more from configuration,
//! due dates for every [`DeadlineRule`] (a combination `earliest:…` included), and a
//! [`Timer`] whose clock can be stopped and restarted (e.g. while a requester's identity is
//! awaited).
//!
//! Bank holidays come from the rules in force since 1978 (Easter by the Gregorian computus,
//! fixed dates, first and last Mondays, substitute days; Scotland's St Andrew's Day from
//! 2007), with the one-off changes proclaimed since 1995 (e.g. 2022-09-19 added;
//! 2020-05-04 moved to 2020-05-08) applied to the nations they were proclaimed for, so
//! [`Calendar::new`] gives the days GOV.UK publishes with no configuration. One-offs
//! proclaimed after a release are given per nation to [`Calendar::with_one_offs`]; they add
//! to the shipped ones and apply only to the nations they name. Deadlines are computed only
//! within [`FIRST_YEAR`] to [`LAST_YEAR`].
//!
//! The rules, exactly (the page for people is `docs/ref/deadlines.md`):
//!
//! - A day is a *working day* when it is Monday to Friday and not a bank holiday of the
//!   calendar's nation.
//! - **Substitute days**: a bank holiday on a Saturday or Sunday gives, in date order, the
//!   next weekday that is not already a bank holiday.
//! - `working-days:N`: the Nth working day after the day of receipt, whatever day that was:
//!   the day of receipt is day 0 even when it is not a working day, and the first working day
//!   after it is day 1 (FOIA s10(1) and (6) as the ICO reads them; the s45 code of practice
//!   would start at the next working day instead, one working day later).
//! - `calendar-days:N`: the day of receipt plus N days, never moved off a weekend or bank
//!   holiday.
//! - `month` and `months:N`: the same date N months after the day of receipt (whatever day
//!   that was); the last day of that month when the date does not exist there; then the next
//!   working day if that is not one (the ICO's reading of UK GDPR Art 12(3)).
//! - `hours:N`: the instant of receipt plus N real hours (a clock change in between moves
//!   the clock time, not the length).
//! - `earliest:RULE,RULE[,…]`: each part's due date worked out as if it were the only
//!   rule (stops of the clock applied to each part as below), and the earliest of them is
//!   the deadline (the first part written, on a tie).
//! - **Pausing** ([`Timer`]): a stop that starts on UK day P and ends on UK day R (P taken
//!   as the day of receipt when earlier) moves a calendar-day deadline R − P days later, and
//!   a `month`/`months:N` deadline too, the move applied to the date before it is put
//!   forward to a working day, and the result put forward again. A working-day deadline
//!   moves by the working days after P up to and including R: the working days up to P
//!   count, and the rest are counted after R, as if the request were received on R. An hour
//!   deadline moves by the exact time stopped. A stop that begins after the deadline (as
//!   moved by earlier stops) has passed gives no time back. While the clock is stopped there
//!   is no due date.
//! - FOIA s10(6) counts a bank holiday in *any* part of the UK as a non-working day:
//!   [`Calendar::any_part_of_uk`] gives that calendar for Freedom of Information deadlines.
//!
//! Invariants: no I/O (the UK time zone comes from the time-zone data compiled into the
//! binary), no clock reads; every function is a function of its arguments. A one-off change
//! counts only in the nations it names (an FOI calendar counts every nation's); a configured
//! one-off is checked against each nation it names, and overrides a shipped one for the same
//! day and nation. Costs: a year's holidays take a few microseconds; a working-day count
//! looks each year up once.

use std::cmp::max;
use std::fmt;

use jiff::civil::{Date, Weekday, date};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};

use crate::bank_holidays;
pub use crate::bank_holidays::Change;
use crate::camera::Nation;
use crate::deadline::{Combination, DeadlineRule};

/// The first year deadlines are computed for.
pub const FIRST_YEAR: i16 = 1990;

/// The last year deadlines are computed for (a deadline must fall in it or before).
pub const LAST_YEAR: i16 = 2200;

/// The time zone every UK day and clock time is read in.
pub const UK_TIME_ZONE: &str = "Europe/London";

/// The years the holiday rules are applied to at all (the Gregorian computus holds from
/// 1583); outside them a year has no holidays.
const RULE_YEARS: std::ops::RangeInclusive<i16> = 1583..=9999;

/// Why a calendar or deadline could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A date outside [`FIRST_YEAR`]..=[`LAST_YEAR`].
    #[error(
        "{date} is outside the years {FIRST_YEAR} to {LAST_YEAR} that the working-day calendar covers"
    )]
    OutOfRange {
        /// The date (a UK day).
        date: Date,
    },
    /// An hour rule was given only a day.
    #[error(
        "{rule} counts hours, so it needs the time of receipt as well as the day (YYYY-MM-DDTHH:MM, UK time)"
    )]
    NeedsTime {
        /// The rule.
        rule: DeadlineRule,
    },
    /// A date to remove is not a bank holiday.
    #[error(
        "{date} cannot be removed as a bank holiday in {nation}: it is not one there",
        nation = nation_name(*nation)
    )]
    NotAHoliday {
        /// The date.
        date: Date,
        /// The nation it was to be removed for.
        nation: Nation,
    },
    /// A date to add is a bank holiday already.
    #[error(
        "{date} cannot be added as an extra bank holiday in {nation}: it is already one ({name})",
        nation = nation_name(*nation)
    )]
    AlreadyAHoliday {
        /// The date.
        date: Date,
        /// The nation it was to be added for.
        nation: Nation,
        /// The holiday it already is.
        name: String,
    },
    /// A configured one-off names no nation.
    #[error(
        "the one-off bank holiday change on {date} names no nation; say which of England and Wales, Scotland and Northern Ireland it is for"
    )]
    NoNation {
        /// The date.
        date: Date,
    },
    /// A date to add falls at a weekend.
    #[error(
        "{date} cannot be added as an extra bank holiday: it is a {weekday}, and weekends are not working days anyway",
        weekday = weekday_name(date.weekday())
    )]
    ExtraAtWeekend {
        /// The date.
        date: Date,
    },
    /// A date both added and removed for one nation.
    #[error(
        "{date} is both added and removed as a bank holiday in {nation}; give it in one list only",
        nation = nation_name(*nation)
    )]
    AddedAndRemoved {
        /// The date.
        date: Date,
        /// The nation.
        nation: Nation,
    },
    /// The clock was stopped while already stopped.
    #[error("the clock has been stopped since {since}; restart it before stopping it again")]
    AlreadyPaused {
        /// When it stopped.
        since: Timestamp,
    },
    /// The clock was restarted while running.
    #[error("the clock is running, so it cannot be restarted; it must be stopped first")]
    NotPaused,
    /// A stop or restart earlier than the event before it.
    #[error(
        "{at} is before {earlier}, the clock's previous event (receipt, stop or restart); give stops and restarts in time order"
    )]
    OutOfOrder {
        /// The stop or restart.
        at: Timestamp,
        /// The event before it.
        earlier: Timestamp,
    },
    /// The UK time zone is missing from the compiled-in time-zone data.
    #[error("the UK time zone ({UK_TIME_ZONE}) is missing from this build: {0}")]
    NoTimeZone(String),
}

/// The nation in words, e.g. "England and Wales".
pub fn nation_name(nation: Nation) -> &'static str {
    match nation {
        Nation::EnglandWales => "England and Wales",
        Nation::Scotland => "Scotland",
        Nation::NorthernIreland => "Northern Ireland",
    }
}

/// The UK time zone.
pub fn uk_time_zone() -> Result<TimeZone, CalendarError> {
    TimeZone::get(UK_TIME_ZONE).map_err(|e| CalendarError::NoTimeZone(e.to_string()))
}

/// The UK day an instant falls on.
pub fn uk_day(at: Timestamp) -> Result<Date, CalendarError> {
    Ok(at.to_zoned(uk_time_zone()?).date())
}

/// Easter Sunday of a Gregorian year by the anonymous (Meeus/Jones/Butcher) computus;
/// `None` before 1583 or after 9999.
pub fn easter_sunday(year: i16) -> Option<Date> {
    if !RULE_YEARS.contains(&year) {
        return None;
    }
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

/// How a day came to be a bank holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HolidayKind {
    /// By the nation's rules, on its own date.
    Rule,
    /// The day off for a rule holiday that fell at a weekend.
    Substitute,
    /// A one-off proclaimed for one year, shipped with Custos (e.g. a state funeral or a
    /// coronation, or where a moved holiday went).
    OneOff,
    /// A one-off added by the configuration.
    Configured,
}

/// The name a configured one-off is shown with.
const CONFIGURED_NAME: &str = "One-off bank holiday (from the configuration)";

/// A one-off change given in the configuration: a day added or removed, for the nations it
/// names. It adds to (or overrides) the changes shipped in `crate::bank_holidays`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfiguredOneOff {
    /// The day.
    pub date: Date,
    /// The nations it applies to (at least one).
    pub nations: Vec<Nation>,
    /// Added or removed.
    pub change: Change,
}

/// One one-off change for one nation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NationChange {
    nation: Nation,
    date: Date,
    change: Change,
    name: &'static str,
    kind: HolidayKind,
}

/// A bank holiday: a day off that is not a working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Holiday {
    /// The day off.
    pub date: Date,
    /// Its name as GOV.UK gives it, e.g. "Boxing Day"; for a substitute, the name of the
    /// holiday it stands in for.
    pub name: &'static str,
    /// How it came about.
    pub kind: HolidayKind,
}

impl fmt::Display for Holiday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            HolidayKind::Rule | HolidayKind::OneOff | HolidayKind::Configured => {
                f.write_str(self.name)
            }
            HolidayKind::Substitute => write!(f, "{} (substitute day)", self.name),
        }
    }
}

/// Working days of one UK nation: Monday to Friday except its bank holidays, with the
/// one-off changes shipped with Custos and those configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    nation: Nation,
    any_part_of_uk: bool,
    /// Every nation's one-off changes, the shipped ones first, then the configured ones (a
    /// later change to the same day and nation wins).
    changes: Vec<NationChange>,
    configured: Vec<ConfiguredOneOff>,
}

impl Calendar {
    /// The nation's calendar: the rules and the one-off changes shipped with Custos.
    pub fn new(nation: Nation) -> Self {
        let changes = bank_holidays::SHIPPED
            .iter()
            .flat_map(|o| {
                o.nations.iter().map(move |&n| NationChange {
                    nation: n,
                    date: o.date,
                    change: o.change,
                    name: o.name,
                    kind: HolidayKind::OneOff,
                })
            })
            .collect();
        Self {
            nation,
            any_part_of_uk: false,
            changes,
            configured: Vec::new(),
        }
    }

    /// The nation's calendar by the rules alone, without the shipped one-offs (to check
    /// the shipped data against).
    pub fn rules_only(nation: Nation) -> Self {
        Self {
            nation,
            any_part_of_uk: false,
            changes: Vec::new(),
            configured: Vec::new(),
        }
    }

    /// The nation's calendar with configured one-off changes on top of the shipped ones.
    /// Each change applies to the nations it names (a Scottish one-off never moves an
    /// English deadline), and is checked against each of them: an added day must be a
    /// weekday that is not a bank holiday there already, a removed day must be one (by the
    /// rules, a substitute day, or a shipped one-off). A moved holiday is one of each.
    /// Every date must lie in [`FIRST_YEAR`]..=[`LAST_YEAR`].
    pub fn with_one_offs(
        nation: Nation,
        one_offs: &[ConfiguredOneOff],
    ) -> Result<Self, CalendarError> {
        let shipped = Self::new(nation);
        let mut calendar = shipped.clone();
        for o in one_offs {
            check_range(o.date)?;
            if o.nations.is_empty() {
                return Err(CalendarError::NoNation { date: o.date });
            }
            for &n in &o.nations {
                let clash = one_offs
                    .iter()
                    .any(|p| p.change != o.change && p.date == o.date && p.nations.contains(&n));
                if clash {
                    return Err(CalendarError::AddedAndRemoved {
                        date: o.date,
                        nation: n,
                    });
                }
                let already = shipped.holiday_in(n, o.date);
                match o.change {
                    Change::Removed if already.is_none() => {
                        return Err(CalendarError::NotAHoliday {
                            date: o.date,
                            nation: n,
                        });
                    }
                    Change::Added if is_weekend(o.date) => {
                        return Err(CalendarError::ExtraAtWeekend { date: o.date });
                    }
                    Change::Added => {
                        if let Some(h) = already {
                            return Err(CalendarError::AlreadyAHoliday {
                                date: o.date,
                                nation: n,
                                name: h.to_string(),
                            });
                        }
                    }
                    Change::Removed => {}
                }
                calendar.changes.push(NationChange {
                    nation: n,
                    date: o.date,
                    change: o.change,
                    name: CONFIGURED_NAME,
                    kind: HolidayKind::Configured,
                });
            }
        }
        calendar.configured = one_offs.to_vec();
        Ok(calendar)
    }

    /// The same calendar with the bank holidays of every UK nation as non-working days, as
    /// FOIA s10(6) defines a working day for Freedom of Information requests in England,
    /// Wales and Northern Ireland (LJM-11). The one-offs still apply.
    pub fn any_part_of_uk(self) -> Self {
        Self {
            any_part_of_uk: true,
            ..self
        }
    }

    /// The nation whose bank holidays count (and whose rules one-offs were checked against).
    pub fn nation(&self) -> Nation {
        self.nation
    }

    /// Whether every UK nation's bank holidays count ([`Calendar::any_part_of_uk`]).
    pub fn covers_any_part_of_uk(&self) -> bool {
        self.any_part_of_uk
    }

    /// The nations whose rules count.
    fn nations(&self) -> &'static [Nation] {
        if self.any_part_of_uk {
            Nation::ALL
        } else {
            match self.nation {
                Nation::EnglandWales => &[Nation::EnglandWales],
                Nation::Scotland => &[Nation::Scotland],
                Nation::NorthernIreland => &[Nation::NorthernIreland],
            }
        }
    }

    /// The one-off changes from the configuration, as given.
    pub fn configured_one_offs(&self) -> &[ConfiguredOneOff] {
        &self.configured
    }

    /// The year's days off in date order, as GOV.UK lists them: a holiday that falls at a
    /// weekend appears as its substitute day; one-off changes remove and add days. Years
    /// before 1990 or after 2200 get the same rules, which is only an estimate of what was
    /// (or will be) published.
    pub fn holidays(&self, year: i16) -> Vec<Holiday> {
        let mut days: Vec<Holiday> = self
            .nations()
            .iter()
            .flat_map(|&n| self.nation_holidays(n, year))
            .collect();
        // Across nations the same day can come twice (Christmas); keep the first.
        days.sort_by_key(|h| h.date);
        days.dedup_by_key(|h| h.date);
        days
    }

    /// One nation's days off in a year: the rules with substitute days, then each one-off
    /// change for that nation in order (a later change to a day replaces an earlier one).
    fn nation_holidays(&self, nation: Nation, year: i16) -> Vec<Holiday> {
        let mut days = with_substitutes(rule_days(nation, year));
        for c in self
            .changes
            .iter()
            .filter(|c| c.nation == nation && c.date.year() == year)
        {
            days.retain(|h| h.date != c.date);
            if c.change == Change::Added {
                days.push(Holiday {
                    date: c.date,
                    name: c.name,
                    kind: c.kind,
                });
            }
        }
        days.sort_by_key(|h| h.date);
        days
    }

    /// The bank holiday on this day in one nation, if it is one.
    fn holiday_in(&self, nation: Nation, day: Date) -> Option<Holiday> {
        self.nation_holidays(nation, day.year())
            .into_iter()
            .find(|h| h.date == day)
    }

    /// The bank holiday on this day, if it is one.
    pub fn holiday(&self, day: Date) -> Option<Holiday> {
        self.holidays(day.year())
            .into_iter()
            .find(|h| h.date == day)
    }

    /// Whether the day is a working day: Monday to Friday and not a bank holiday.
    pub fn is_working_day(&self, day: Date) -> bool {
        !is_weekend(day) && self.holiday(day).is_none()
    }

    /// The day itself if it is a working day, else the next working day.
    pub fn working_day_on_or_after(&self, day: Date) -> Result<Date, CalendarError> {
        Lookup::new(self).working_day_on_or_after(check_range(day)?)
    }

    /// The Nth working day after the day (which itself never counts); the day itself when
    /// N is 0.
    pub fn nth_working_day_after(&self, day: Date, n: u32) -> Result<Date, CalendarError> {
        Lookup::new(self).nth_working_day_after(check_range(day)?, n)
    }

    /// The deadline for something received at an instant. Day rules count from its UK day.
    pub fn due(
        &self,
        rule: DeadlineRule,
        received_at: Timestamp,
    ) -> Result<Deadline, CalendarError> {
        self.compute(&rule, Receipt::at(received_at)?, &[])
    }

    /// The deadline for something received on a UK day; an hour rule needs the instant
    /// ([`Calendar::due`]) and is refused with [`CalendarError::NeedsTime`].
    pub fn due_on_day(
        &self,
        rule: DeadlineRule,
        received_on: Date,
    ) -> Result<Deadline, CalendarError> {
        let receipt = Receipt {
            on: received_on,
            at: None,
        };
        self.compute(&rule, receipt, &[])
    }

    /// The deadline of a combination: each part worked out with the same receipt and stops,
    /// the earliest due date chosen (the first part written, on a tie).
    fn compute_earliest(
        &self,
        rule: &DeadlineRule,
        combination: &Combination,
        received: Receipt,
        stops: &[(Timestamp, Timestamp)],
    ) -> Result<Deadline, CalendarError> {
        let mut parts = Vec::with_capacity(combination.parts().len());
        let mut chosen: Option<(usize, Timestamp)> = None;
        for (i, part) in combination.parts().iter().enumerate() {
            let d = self.compute(part, received, stops)?;
            let passes = d.due.passes_at()?;
            if chosen.is_none_or(|(_, best)| passes < best) {
                chosen = Some((i, passes));
            }
            parts.push(d);
        }
        let (chosen, _) = chosen.ok_or(CalendarError::OutOfRange { date: received.on })?;
        let (due, paused) = (parts[chosen].due, parts[chosen].paused);
        Ok(Deadline {
            rule: rule.clone(),
            nation: self.nation,
            received,
            due,
            paused,
            detail: Detail::Earliest { parts, chosen },
        })
    }

    /// The deadline with closed stops of the clock, each `(stopped, restarted)`, in order.
    fn compute(
        &self,
        rule: &DeadlineRule,
        received: Receipt,
        stops: &[(Timestamp, Timestamp)],
    ) -> Result<Deadline, CalendarError> {
        check_range(received.on)?;
        let mut look = Lookup::new(self);
        let day_stops = || -> Result<Vec<(Date, Date)>, CalendarError> {
            stops
                .iter()
                .map(|&(p, r)| Ok((uk_day(p)?, uk_day(r)?)))
                .collect()
        };
        let (due, paused, detail) = match *rule {
            DeadlineRule::Earliest(ref c) => {
                return self.compute_earliest(rule, c, received, stops);
            }
            DeadlineRule::WorkingDays(n) => {
                let start = received.on;
                let mut added = 0u32;
                for (p, r) in day_stops()? {
                    let due_now = look.nth_working_day_after(start, n.saturating_add(added))?;
                    if p > due_now {
                        continue;
                    }
                    let from = max(p, start);
                    added = added.saturating_add(look.working_days_between(from, check_range(r)?)?);
                }
                let due = look.nth_working_day_after(start, n.saturating_add(added))?;
                let skipped = look.weekday_holidays_between(start, due)?;
                let detail = Detail::WorkingDays {
                    received_why: look.why_not_working(received.on),
                    skipped,
                };
                (
                    Due::Day(due),
                    (!stops.is_empty()).then_some(Extension::WorkingDays(added)),
                    detail,
                )
            }
            DeadlineRule::CalendarDays(n) => {
                let mut due = add_days(received.on, i64::from(n))?;
                let mut added = 0i64;
                for (p, r) in day_stops()? {
                    if p > due {
                        continue;
                    }
                    let days = days_between(max(p, received.on), r);
                    due = add_days(due, days)?;
                    added += days;
                }
                (
                    Due::Day(due),
                    (!stops.is_empty()).then_some(Extension::CalendarDays(added)),
                    Detail::CalendarDays {
                        why: look.why_not_working(due),
                    },
                )
            }
            DeadlineRule::Month | DeadlineRule::Months(_) => {
                let months = rule.months().unwrap_or(1);
                let corresponding = add_months(received.on, months)?;
                let mut reached = corresponding;
                let mut added = 0i64;
                for (p, r) in day_stops()? {
                    if p > look.working_day_on_or_after(reached)? {
                        continue;
                    }
                    let days = days_between(max(p, received.on), r);
                    reached = add_days(reached, days)?;
                    added += days;
                }
                let due = look.working_day_on_or_after(reached)?;
                let reached_why = look.why_not_working(reached);
                let passed = look.weekday_holidays_between(reached, due)?;
                let detail = Detail::Months {
                    months,
                    corresponding,
                    clamped: corresponding.day() != received.on.day(),
                    reached,
                    reached_why,
                    passed,
                };
                (
                    Due::Day(due),
                    (!stops.is_empty()).then_some(Extension::CalendarDays(added)),
                    detail,
                )
            }
            DeadlineRule::Hours(n) => {
                let at = received
                    .at
                    .ok_or_else(|| CalendarError::NeedsTime { rule: rule.clone() })?;
                let out_of_range = |d: Date| CalendarError::OutOfRange { date: d };
                let late = date(LAST_YEAR, 12, 31);
                let mut due = at
                    .checked_add(SignedDuration::from_hours(i64::from(n)))
                    .map_err(|_| out_of_range(late))?;
                let mut added = SignedDuration::ZERO;
                for &(p, r) in stops {
                    if p > due {
                        continue;
                    }
                    let stopped = r.duration_since(max(p, at));
                    due = due.checked_add(stopped).map_err(|_| out_of_range(late))?;
                    added += stopped;
                }
                check_range(uk_day(due)?)?;
                (
                    Due::Instant(due),
                    (!stops.is_empty()).then_some(Extension::Elapsed(added)),
                    Detail::Hours,
                )
            }
        };
        if let Due::Day(d) = due {
            check_range(d)?;
        }
        Ok(Deadline {
            rule: rule.clone(),
            nation: self.nation,
            received,
            due,
            paused,
            detail,
        })
    }
}

/// When something was received: its UK day, and the instant when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    /// The UK day of receipt.
    pub on: Date,
    /// The instant of receipt, if known (hour rules need it).
    pub at: Option<Timestamp>,
}

impl Receipt {
    /// Received at an instant.
    pub fn at(at: Timestamp) -> Result<Self, CalendarError> {
        Ok(Self {
            on: uk_day(at)?,
            at: Some(at),
        })
    }
}

/// When a deadline falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// By the end of this UK day.
    Day(Date),
    /// By this instant (hour rules).
    Instant(Timestamp),
}

impl Due {
    /// The instant the deadline passes: the start of the next UK day, or the instant.
    pub fn passes_at(&self) -> Result<Timestamp, CalendarError> {
        match *self {
            Self::Instant(t) => Ok(t),
            Self::Day(d) => {
                let next = next_day(d)?;
                next.to_zoned(uk_time_zone()?)
                    .map(|z| z.timestamp())
                    .map_err(|_| CalendarError::OutOfRange { date: next })
            }
        }
    }
}

impl Due {
    /// The due date written out for people, in UK time: `Monday 7 December 2026` for a
    /// day, `Monday 7 December 2026, 16:44` for an instant.
    pub fn describe(&self) -> String {
        match *self {
            Self::Day(d) => custos_base::long_date(d),
            Self::Instant(t) => custos_base::UnixMs(t.as_millisecond()).to_london_long(),
        }
    }
}

impl fmt::Display for Due {
    /// `YYYY-MM-DD` for a day; RFC 3339 with the UK offset for an instant, e.g.
    /// `2026-10-26T08:00:00+00:00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Day(d) => write!(f, "{d}"),
            Self::Instant(t) => match uk_time_zone() {
                Ok(tz) => write!(f, "{}", t.display_with_offset(tz.to_offset(t))),
                Err(_) => write!(f, "{t}"),
            },
        }
    }
}

/// How far stopping the clock moved a deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extension {
    /// Calendar days (calendar-day and month rules).
    CalendarDays(i64),
    /// Working days (working-day rules).
    WorkingDays(u32),
    /// Elapsed time (hour rules).
    Elapsed(SignedDuration),
}

/// What went into a deadline, for explaining it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Detail {
    WorkingDays {
        /// Why the day of receipt is not a working day, if it is not.
        received_why: Option<String>,
        /// Weekday bank holidays passed over in the count.
        skipped: Vec<Holiday>,
    },
    CalendarDays {
        /// Why the due day is not a working day, if it is not.
        why: Option<String>,
    },
    Months {
        months: u32,
        /// The corresponding date N months on (clamped to the month's end).
        corresponding: Date,
        /// Whether the day of the month did not exist and was clamped.
        clamped: bool,
        /// The corresponding date moved by stops of the clock.
        reached: Date,
        /// Why `reached` is not a working day, if it is not.
        reached_why: Option<String>,
        /// Weekday bank holidays after `reached` up to the due day.
        passed: Vec<Holiday>,
    },
    Hours,
    /// A combination: each part's deadline, and which is the earliest.
    Earliest {
        parts: Vec<Deadline>,
        chosen: usize,
    },
}

/// A computed deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// The rule.
    pub rule: DeadlineRule,
    /// The nation whose working days counted.
    pub nation: Nation,
    /// When it was received.
    pub received: Receipt,
    /// When it is due.
    pub due: Due,
    /// How far stopping the clock moved it, when a [`Timer`] was ever stopped.
    pub paused: Option<Extension>,
    detail: Detail,
}

impl Deadline {
    /// How the deadline was reached, in a sentence or three of plain words, e.g.
    /// "Received Saturday 31 January 2026. One calendar month on is Saturday 28 February
    /// 2026 (February has no 31st, so its last day), not a working day, so the deadline is
    /// the next working day, Monday 2 March 2026." A combination says how each part falls
    /// and which is the earliest.
    pub fn explain(&self) -> String {
        self.words(false)
    }

    /// The explanation; `as_part` when it is one part of a combination, so that it speaks of
    /// the date the part gives rather than of the deadline.
    fn words(&self, as_part: bool) -> String {
        let received = long_date(self.received.on);
        let mut s = match &self.detail {
            Detail::Earliest { parts, chosen } => {
                let mut s = format!(
                    "Received {received}. The deadline is {}.",
                    self.rule.describe()
                );
                let lead = format!("Received {received}. ");
                for part in parts {
                    let text = part.words(true);
                    let rest = text.strip_prefix(&lead).unwrap_or(&text);
                    s.push_str(&format!(
                        " By {}: {}",
                        part.rule.describe(),
                        lower_first(rest)
                    ));
                }
                let due = match self.due {
                    Due::Day(d) => long_date(d),
                    Due::Instant(t) => clock_time(t),
                };
                let same = parts.iter().filter(|p| p.due == self.due).count();
                let which = if parts.len() == 2 {
                    "earlier"
                } else {
                    "earliest"
                };
                if same == parts.len() {
                    let all = if parts.len() == 2 { "Both" } else { "All" };
                    s.push_str(&format!(" {all} give {due}, which is the deadline."));
                } else if let Some(p) = parts.get(*chosen) {
                    s.push_str(&format!(
                        " The {which} is {due}, by {}, which is the deadline.",
                        p.rule.describe()
                    ));
                }
                s
            }
            Detail::WorkingDays {
                received_why,
                skipped,
            } => {
                let n = match self.rule {
                    DeadlineRule::WorkingDays(n) => n,
                    _ => 0,
                };
                let mut s = match received_why {
                    None => format!("Received {received}."),
                    Some(why) => format!(
                        "Received {received}, not a working day ({why}); the day of receipt is day 0 all the same."
                    ),
                };
                if let Some(Extension::WorkingDays(k)) = self.paused {
                    s.push_str(&format!(
                        " The clock was stopped for {}, which are added to the {n}.",
                        plural(i64::from(k), "working day", "working days")
                    ));
                }
                if let Due::Day(due) = self.due {
                    s.push_str(&format!(
                        " The {} working day after it is {}.",
                        ordinal(n.saturating_add(match self.paused {
                            Some(Extension::WorkingDays(k)) => k,
                            _ => 0,
                        })),
                        long_date(due)
                    ));
                }
                if !skipped.is_empty() {
                    let list: Vec<String> = skipped
                        .iter()
                        .map(|h| format!("{h} on {}", short_date(h.date)))
                        .collect();
                    s.push_str(&format!(" Bank holidays not counted: {}.", list.join(", ")));
                }
                s
            }
            Detail::CalendarDays { why } => {
                let n = match self.rule {
                    DeadlineRule::CalendarDays(n) => n,
                    _ => 0,
                };
                let mut s = format!("Received {received}.");
                if let Some(Extension::CalendarDays(k)) = self.paused {
                    s.push_str(&format!(
                        " The clock was stopped for {}, which are added to the {n}.",
                        plural(k, "day", "days")
                    ));
                }
                if let Due::Day(due) = self.due {
                    if self.paused.is_some() {
                        let what = if as_part {
                            "It gives"
                        } else {
                            "The deadline is"
                        };
                        s.push_str(&format!(" {what} {}", long_date(due)));
                    } else {
                        s.push_str(&format!(" {n} calendar days on is {}", long_date(due)));
                    }
                    match why {
                        Some(why) => s.push_str(&format!(
                            ", not a working day ({why}), but calendar-day deadlines are not moved."
                        )),
                        None => s.push('.'),
                    }
                }
                s
            }
            Detail::Months {
                months,
                corresponding,
                clamped,
                reached,
                reached_why,
                passed,
            } => {
                let on = if *months == 1 {
                    "One calendar month on".to_owned()
                } else {
                    format!("{months} calendar months on")
                };
                let mut s = format!("Received {received}. {on} is {}", long_date(*corresponding));
                if *clamped {
                    s.push_str(&format!(
                        " ({} has no {}, so its last day)",
                        corresponding.strftime("%B"),
                        ordinal(u32::try_from(self.received.on.day()).unwrap_or(0))
                    ));
                }
                if let Some(Extension::CalendarDays(k)) = self.paused {
                    s.push_str(&format!(
                        "; the clock was stopped for {}, which moves it to {}",
                        plural(k, "day", "days"),
                        long_date(*reached)
                    ));
                }
                match (reached_why, self.due) {
                    (Some(why), Due::Day(due)) => {
                        let after: Vec<String> = passed
                            .iter()
                            .map(|h| format!("{h} on {}", short_date(h.date)))
                            .collect();
                        let why = if after.is_empty() {
                            why.clone()
                        } else {
                            format!("{why}, with {} after it", after.join(" and "))
                        };
                        let what = if as_part {
                            "it gives"
                        } else {
                            "the deadline is"
                        };
                        s.push_str(&format!(
                            ", not a working day ({why}), so {what} the next working day, {}.",
                            long_date(due)
                        ));
                    }
                    _ if as_part => s.push_str(", a working day."),
                    _ => s.push_str(", a working day, which is the deadline."),
                }
                s
            }
            Detail::Hours => {
                let (Some(at), Due::Instant(due)) = (self.received.at, self.due) else {
                    return format!("Received {received}.");
                };
                let n = match self.rule {
                    DeadlineRule::Hours(n) => n,
                    _ => 0,
                };
                let mut s = format!("Received at {}.", clock_time(at));
                if let Some(Extension::Elapsed(d)) = self.paused {
                    s.push_str(&format!(
                        " The clock was stopped for {}, which is added to the {n} hours.",
                        duration_words(d)
                    ));
                    s.push_str(&format!(" The deadline is {}", clock_time(due)));
                } else {
                    s.push_str(&format!(
                        " {} later is {}",
                        plural(i64::from(n), "hour", "hours"),
                        clock_time(due)
                    ));
                }
                let offsets = uk_time_zone()
                    .map(|tz| tz.to_offset(at) != tz.to_offset(due))
                    .unwrap_or(false);
                if offsets {
                    s.push_str(
                        " (the clocks change in between: hours are counted as real elapsed time, so the clock time differs)",
                    );
                }
                s.push('.');
                s
            }
        };
        s.truncate(s.trim_end().len());
        s
    }
}

/// One stop of a [`Timer`]'s clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    /// When the clock stopped (e.g. identity was asked for).
    pub paused_at: Timestamp,
    /// When it restarted (e.g. identity arrived); `None` while it is still stopped.
    pub resumed_at: Option<Timestamp>,
}

/// A deadline's clock that can be stopped and restarted, such as a subject access request's
/// while the requester's identity is awaited (LBU-18, BJS-10, ALT-10, BDC-29). See the
/// module documentation for how each stop moves the deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timer {
    rule: DeadlineRule,
    received_at: Timestamp,
    pauses: Vec<Pause>,
}

/// Where a [`Timer`] stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimerState {
    /// The clock runs; this is the deadline.
    Running(Deadline),
    /// The clock is stopped, so there is no due date.
    Paused {
        /// When it stopped.
        since: Timestamp,
    },
}

impl Timer {
    /// A clock started at receipt, never stopped.
    pub fn new(rule: DeadlineRule, received_at: Timestamp) -> Self {
        Self {
            rule,
            received_at,
            pauses: Vec::new(),
        }
    }

    /// A clock with its stops as recorded: in time order, none before receipt, only the
    /// last still open.
    pub fn with_pauses(
        rule: DeadlineRule,
        received_at: Timestamp,
        pauses: &[Pause],
    ) -> Result<Self, CalendarError> {
        let mut timer = Self::new(rule, received_at);
        for p in pauses {
            timer.pause(p.paused_at)?;
            if let Some(r) = p.resumed_at {
                timer.resume(r)?;
            }
        }
        Ok(timer)
    }

    /// The rule.
    pub fn rule(&self) -> &DeadlineRule {
        &self.rule
    }

    /// When it was received.
    pub fn received_at(&self) -> Timestamp {
        self.received_at
    }

    /// The stops so far, in order.
    pub fn pauses(&self) -> &[Pause] {
        &self.pauses
    }

    /// Whether the clock is stopped now.
    pub fn is_paused(&self) -> bool {
        self.pauses.last().is_some_and(|p| p.resumed_at.is_none())
    }

    /// Stops the clock.
    pub fn pause(&mut self, at: Timestamp) -> Result<(), CalendarError> {
        let earlier = match self.pauses.last() {
            Some(Pause {
                paused_at,
                resumed_at: None,
            }) => return Err(CalendarError::AlreadyPaused { since: *paused_at }),
            Some(Pause {
                resumed_at: Some(r),
                ..
            }) => *r,
            None => self.received_at,
        };
        if at < earlier {
            return Err(CalendarError::OutOfOrder { at, earlier });
        }
        self.pauses.push(Pause {
            paused_at: at,
            resumed_at: None,
        });
        Ok(())
    }

    /// Restarts the clock.
    pub fn resume(&mut self, at: Timestamp) -> Result<(), CalendarError> {
        match self.pauses.last_mut() {
            Some(p) if p.resumed_at.is_none() => {
                if at < p.paused_at {
                    return Err(CalendarError::OutOfOrder {
                        at,
                        earlier: p.paused_at,
                    });
                }
                p.resumed_at = Some(at);
                Ok(())
            }
            _ => Err(CalendarError::NotPaused),
        }
    }

    /// The deadline now, or that the clock is stopped.
    pub fn state(&self, calendar: &Calendar) -> Result<TimerState, CalendarError> {
        let mut stops = Vec::with_capacity(self.pauses.len());
        for p in &self.pauses {
            match p.resumed_at {
                Some(r) => stops.push((p.paused_at, r)),
                None => return Ok(TimerState::Paused { since: p.paused_at }),
            }
        }
        calendar
            .compute(&self.rule, Receipt::at(self.received_at)?, &stops)
            .map(TimerState::Running)
    }
}

// ---------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------

/// The nation's holidays by rule on their own dates (weekends included), in date order.
fn rule_days(nation: Nation, year: i16) -> Vec<(Date, &'static str)> {
    let Some(easter) = easter_sunday(year) else {
        return Vec::new();
    };
    let monday = |month: i8, nth: i8| {
        date(year, month, 1)
            .nth_weekday_of_month(nth, Weekday::Monday)
            .ok()
    };
    let scotland = nation == Nation::Scotland;
    let ni = nation == Nation::NorthernIreland;
    let mut days: Vec<Option<(Date, &'static str)>> = vec![
        Some((date(year, 1, 1), "New Year's Day")),
        easter
            .checked_sub(2.days())
            .ok()
            .map(|d| (d, "Good Friday")),
        monday(5, 1).map(|d| (d, "Early May bank holiday")),
        monday(5, -1).map(|d| (d, "Spring bank holiday")),
        monday(8, if scotland { 1 } else { -1 }).map(|d| (d, "Summer bank holiday")),
        Some((date(year, 12, 25), "Christmas Day")),
        Some((date(year, 12, 26), "Boxing Day")),
    ];
    if scotland {
        days.push(Some((date(year, 1, 2), "2nd January")));
        // The St Andrew's Day Bank Holiday (Scotland) Act 2007 came into force in January
        // 2007; 30 November 2006 was not a bank holiday.
        if year >= 2007 {
            days.push(Some((date(year, 11, 30), "St Andrew's Day")));
        }
    } else {
        days.push(
            easter
                .checked_add(1.day())
                .ok()
                .map(|d| (d, "Easter Monday")),
        );
    }
    if ni {
        days.push(Some((date(year, 3, 17), "St Patrick's Day")));
        days.push(Some((
            date(year, 7, 12),
            "Battle of the Boyne (Orangemen's Day)",
        )));
    }
    let mut days: Vec<(Date, &'static str)> = days.into_iter().flatten().collect();
    days.sort_by_key(|(d, _)| *d);
    days
}

/// The days off: rule days on weekdays, and for each rule day at a weekend (in date order)
/// the next weekday that is not already a day off.
fn with_substitutes(days: Vec<(Date, &'static str)>) -> Vec<Holiday> {
    let mut out: Vec<Holiday> = days
        .iter()
        .filter(|(d, _)| !is_weekend(*d))
        .map(|&(date, name)| Holiday {
            date,
            name,
            kind: HolidayKind::Rule,
        })
        .collect();
    for &(d, name) in days.iter().filter(|(d, _)| is_weekend(*d)) {
        let mut sub = d;
        loop {
            let Ok(next) = sub.tomorrow() else {
                break;
            };
            sub = next;
            if !is_weekend(sub) && !out.iter().any(|h| h.date == sub) {
                out.push(Holiday {
                    date: sub,
                    name,
                    kind: HolidayKind::Substitute,
                });
                break;
            }
        }
    }
    out.sort_by_key(|h| h.date);
    out
}

/// A calendar with the current year's holidays at hand, for counting day by day.
struct Lookup<'a> {
    calendar: &'a Calendar,
    year: Option<i16>,
    days: Vec<Holiday>,
}

impl<'a> Lookup<'a> {
    fn new(calendar: &'a Calendar) -> Self {
        Self {
            calendar,
            year: None,
            days: Vec::new(),
        }
    }

    fn holiday(&mut self, day: Date) -> Option<Holiday> {
        if self.year != Some(day.year()) {
            self.year = Some(day.year());
            self.days = self.calendar.holidays(day.year());
        }
        self.days.iter().find(|h| h.date == day).copied()
    }

    /// Why the day is not a working day ("Good Friday", "Christmas Day, a Saturday", "a
    /// Sunday"), or `None` when it is one.
    fn why_not_working(&mut self, day: Date) -> Option<String> {
        if let Some(h) = self.holiday(day) {
            return Some(h.to_string());
        }
        if !is_weekend(day) {
            return None;
        }
        let article = weekday_article(day.weekday());
        Some(
            match self
                .calendar
                .nations()
                .iter()
                .flat_map(|&n| rule_days(n, day.year()))
                .find(|(d, _)| *d == day)
            {
                Some((_, name)) => format!("{name}, {article}"),
                None => article.to_owned(),
            },
        )
    }

    fn is_working(&mut self, day: Date) -> bool {
        !is_weekend(day) && self.holiday(day).is_none()
    }

    fn working_day_on_or_after(&mut self, mut day: Date) -> Result<Date, CalendarError> {
        while !self.is_working(day) {
            day = next_day(day)?;
        }
        Ok(day)
    }

    fn nth_working_day_after(&mut self, mut day: Date, n: u32) -> Result<Date, CalendarError> {
        for _ in 0..n {
            day = next_day(day)?;
            day = self.working_day_on_or_after(day)?;
        }
        Ok(day)
    }

    /// The working days after `from` up to and including `until`.
    fn working_days_between(&mut self, from: Date, until: Date) -> Result<u32, CalendarError> {
        let mut n = 0u32;
        let mut d = from;
        while d < until {
            d = next_day(d)?;
            if self.is_working(d) {
                n += 1;
            }
        }
        Ok(n)
    }

    /// The bank holidays on weekdays after `from` up to and including `until`.
    fn weekday_holidays_between(
        &mut self,
        from: Date,
        until: Date,
    ) -> Result<Vec<Holiday>, CalendarError> {
        let mut out = Vec::new();
        let mut d = from;
        while d < until {
            d = next_day(d)?;
            if let Some(h) = self.holiday(d) {
                out.push(h);
            }
        }
        Ok(out)
    }
}

// ---------------------------------------------------------------------------------------
// Date helpers
// ---------------------------------------------------------------------------------------

fn is_weekend(day: Date) -> bool {
    matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn check_range(day: Date) -> Result<Date, CalendarError> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&day.year()) {
        Ok(day)
    } else {
        Err(CalendarError::OutOfRange { date: day })
    }
}

fn next_day(day: Date) -> Result<Date, CalendarError> {
    day.tomorrow()
        .ok()
        .and_then(|d| check_range(d).ok())
        .ok_or(CalendarError::OutOfRange { date: day })
}

fn add_days(day: Date, days: i64) -> Result<Date, CalendarError> {
    let err = CalendarError::OutOfRange { date: day };
    let d = day
        .checked_add(SignedDuration::from_hours(days.saturating_mul(24)))
        .map_err(|_| err.clone())?;
    check_range(d)
}

/// Whole days from `from` to `until` (negative when `until` is earlier; never here).
fn days_between(from: Date, until: Date) -> i64 {
    until.duration_since(from).as_secs() / 86_400
}

/// The same day of the month `months` later, or that month's last day.
fn add_months(day: Date, months: u32) -> Result<Date, CalendarError> {
    let err = || CalendarError::OutOfRange { date: day };
    let index = i64::from(day.year()) * 12 + i64::from(day.month() - 1) + i64::from(months);
    let year = i16::try_from(index / 12).map_err(|_| err())?;
    let month = i8::try_from(index % 12 + 1).map_err(|_| err())?;
    let first = Date::new(year, month, 1).map_err(|_| err())?;
    let d = Date::new(year, month, day.day().min(first.days_in_month())).map_err(|_| err())?;
    check_range(d)
}

fn weekday_name(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

fn weekday_article(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "a Monday",
        Weekday::Tuesday => "a Tuesday",
        Weekday::Wednesday => "a Wednesday",
        Weekday::Thursday => "a Thursday",
        Weekday::Friday => "a Friday",
        Weekday::Saturday => "a Saturday",
        Weekday::Sunday => "a Sunday",
    }
}

/// E.g. "Saturday 31 January 2026".
fn long_date(d: Date) -> String {
    d.strftime("%A %-d %B %Y").to_string()
}

/// E.g. "Friday 3 April".
fn short_date(d: Date) -> String {
    d.strftime("%A %-d %B").to_string()
}

/// E.g. "09:00 BST on Friday 23 October 2026".
fn clock_time(t: Timestamp) -> String {
    match uk_time_zone() {
        Ok(tz) => t
            .to_zoned(tz)
            .strftime("%H:%M %Z on %A %-d %B %Y")
            .to_string(),
        Err(_) => t.to_string(),
    }
}

/// The text with its first letter in lower case ("One calendar month on" → "one …").
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn duration_words(d: SignedDuration) -> String {
    let minutes = d.as_secs() / 60;
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m) {
        (h, 0) => plural(h, "hour", "hours"),
        (0, m) => plural(m, "minute", "minutes"),
        (h, m) => format!(
            "{} {}",
            plural(h, "hour", "hours"),
            plural(m, "minute", "minutes")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        text.parse().expect(text)
    }

    /// A UK local time `YYYY-MM-DDTHH:MM` as an instant.
    fn uk(text: &str) -> Timestamp {
        let dt: jiff::civil::DateTime = text.parse().expect(text);
        dt.to_zoned(uk_time_zone().expect("tz"))
            .expect(text)
            .timestamp()
    }

    fn days_off(cal: &Calendar, year: i16) -> Vec<String> {
        cal.holidays(year)
            .iter()
            .map(|h| h.date.to_string())
            .collect()
    }

    fn due(cal: &Calendar, rule: &str, received: &str) -> String {
        let rule: DeadlineRule = rule.parse().expect(rule);
        cal.due_on_day(rule.clone(), d(received))
            .unwrap_or_else(|e| panic!("{rule} {received}: {e}"))
            .due
            .to_string()
    }

    const EW: Nation = Nation::EnglandWales;
    const SC: Nation = Nation::Scotland;
    const NI: Nation = Nation::NorthernIreland;

    #[test]
    fn easter_by_the_computus_matches_known_dates() {
        for (year, easter) in [
            (1990, "1990-04-15"),
            (2000, "2000-04-23"),
            (2008, "2008-03-23"),
            (2011, "2011-04-24"),
            (2019, "2019-04-21"),
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2026, "2026-04-05"),
            (2027, "2027-03-28"),
            (2038, "2038-04-25"),
        ] {
            assert_eq!(easter_sunday(year), Some(d(easter)), "{year}");
        }
        for year in FIRST_YEAR..=LAST_YEAR {
            let e = easter_sunday(year).expect("in range");
            assert_eq!(e.weekday(), Weekday::Sunday, "{year}");
            assert!(e >= date(year, 3, 22) && e <= date(year, 4, 25), "{year}");
        }
        assert_eq!(easter_sunday(1500), None);
    }

    /// Every nation's bank holidays on weekdays, 1995 to 2027, as published: GOV.UK's
    /// lists (its `bank-holidays.json`) for 2012 onwards, which the independent `holidays`
    /// package's UK data matches; that package's data for 1995 to 2011, except that
    /// Scotland's St Andrew's Day begins in 2007, when its Act came into force (the package
    /// has it from 2006); and Scotland's 15 June 2026, proclaimed in February 2026.
    #[rustfmt::skip]
    const PUBLISHED: &[(Nation, i16, &str)] = &[
        (EW, 1995, "01-02 04-14 04-17 05-08 05-29 08-28 12-25 12-26"),
        (EW, 1996, "01-01 04-05 04-08 05-06 05-27 08-26 12-25 12-26"),
        (EW, 1997, "01-01 03-28 03-31 05-05 05-26 08-25 12-25 12-26"),
        (EW, 1998, "01-01 04-10 04-13 05-04 05-25 08-31 12-25 12-28"),
        (EW, 1999, "01-01 04-02 04-05 05-03 05-31 08-30 12-27 12-28 12-31"),
        (EW, 2000, "01-03 04-21 04-24 05-01 05-29 08-28 12-25 12-26"),
        (EW, 2001, "01-01 04-13 04-16 05-07 05-28 08-27 12-25 12-26"),
        (EW, 2002, "01-01 03-29 04-01 05-06 06-03 06-04 08-26 12-25 12-26"),
        (EW, 2003, "01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26"),
        (EW, 2004, "01-01 04-09 04-12 05-03 05-31 08-30 12-27 12-28"),
        (EW, 2005, "01-03 03-25 03-28 05-02 05-30 08-29 12-26 12-27"),
        (EW, 2006, "01-02 04-14 04-17 05-01 05-29 08-28 12-25 12-26"),
        (EW, 2007, "01-01 04-06 04-09 05-07 05-28 08-27 12-25 12-26"),
        (EW, 2008, "01-01 03-21 03-24 05-05 05-26 08-25 12-25 12-26"),
        (EW, 2009, "01-01 04-10 04-13 05-04 05-25 08-31 12-25 12-28"),
        (EW, 2010, "01-01 04-02 04-05 05-03 05-31 08-30 12-27 12-28"),
        (EW, 2011, "01-03 04-22 04-25 04-29 05-02 05-30 08-29 12-26 12-27"),
        (EW, 2012, "01-02 04-06 04-09 05-07 06-04 06-05 08-27 12-25 12-26"),
        (EW, 2013, "01-01 03-29 04-01 05-06 05-27 08-26 12-25 12-26"),
        (EW, 2014, "01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26"),
        (EW, 2015, "01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-28"),
        (EW, 2016, "01-01 03-25 03-28 05-02 05-30 08-29 12-26 12-27"),
        (EW, 2017, "01-02 04-14 04-17 05-01 05-29 08-28 12-25 12-26"),
        (EW, 2018, "01-01 03-30 04-02 05-07 05-28 08-27 12-25 12-26"),
        (EW, 2019, "01-01 04-19 04-22 05-06 05-27 08-26 12-25 12-26"),
        (EW, 2020, "01-01 04-10 04-13 05-08 05-25 08-31 12-25 12-28"),
        (EW, 2021, "01-01 04-02 04-05 05-03 05-31 08-30 12-27 12-28"),
        (EW, 2022, "01-03 04-15 04-18 05-02 06-02 06-03 08-29 09-19 12-26 12-27"),
        (EW, 2023, "01-02 04-07 04-10 05-01 05-08 05-29 08-28 12-25 12-26"),
        (EW, 2024, "01-01 03-29 04-01 05-06 05-27 08-26 12-25 12-26"),
        (EW, 2025, "01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26"),
        (EW, 2026, "01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-28"),
        (EW, 2027, "01-01 03-26 03-29 05-03 05-31 08-30 12-27 12-28"),
        (SC, 1995, "01-02 01-03 04-14 05-08 05-29 08-07 12-25 12-26"),
        (SC, 1996, "01-01 01-02 04-05 05-06 05-27 08-05 12-25 12-26"),
        (SC, 1997, "01-01 01-02 03-28 05-05 05-26 08-04 12-25 12-26"),
        (SC, 1998, "01-01 01-02 04-10 05-04 05-25 08-03 12-25 12-28"),
        (SC, 1999, "01-01 01-04 04-02 05-03 05-31 08-02 12-27 12-28 12-31"),
        (SC, 2000, "01-03 01-04 04-21 05-01 05-29 08-07 12-25 12-26"),
        (SC, 2001, "01-01 01-02 04-13 05-07 05-28 08-06 12-25 12-26"),
        (SC, 2002, "01-01 01-02 03-29 05-06 06-03 06-04 08-05 12-25 12-26"),
        (SC, 2003, "01-01 01-02 04-18 05-05 05-26 08-04 12-25 12-26"),
        (SC, 2004, "01-01 01-02 04-09 05-03 05-31 08-02 12-27 12-28"),
        (SC, 2005, "01-03 01-04 03-25 05-02 05-30 08-01 12-26 12-27"),
        (SC, 2006, "01-02 01-03 04-14 05-01 05-29 08-07 12-25 12-26"),
        (SC, 2007, "01-01 01-02 04-06 05-07 05-28 08-06 11-30 12-25 12-26"),
        (SC, 2008, "01-01 01-02 03-21 05-05 05-26 08-04 12-01 12-25 12-26"),
        (SC, 2009, "01-01 01-02 04-10 05-04 05-25 08-03 11-30 12-25 12-28"),
        (SC, 2010, "01-01 01-04 04-02 05-03 05-31 08-02 11-30 12-27 12-28"),
        (SC, 2011, "01-03 01-04 04-22 04-29 05-02 05-30 08-01 11-30 12-26 12-27"),
        (SC, 2012, "01-02 01-03 04-06 05-07 06-04 06-05 08-06 11-30 12-25 12-26"),
        (SC, 2013, "01-01 01-02 03-29 05-06 05-27 08-05 12-02 12-25 12-26"),
        (SC, 2014, "01-01 01-02 04-18 05-05 05-26 08-04 12-01 12-25 12-26"),
        (SC, 2015, "01-01 01-02 04-03 05-04 05-25 08-03 11-30 12-25 12-28"),
        (SC, 2016, "01-01 01-04 03-25 05-02 05-30 08-01 11-30 12-26 12-27"),
        (SC, 2017, "01-02 01-03 04-14 05-01 05-29 08-07 11-30 12-25 12-26"),
        (SC, 2018, "01-01 01-02 03-30 05-07 05-28 08-06 11-30 12-25 12-26"),
        (SC, 2019, "01-01 01-02 04-19 05-06 05-27 08-05 12-02 12-25 12-26"),
        (SC, 2020, "01-01 01-02 04-10 05-08 05-25 08-03 11-30 12-25 12-28"),
        (SC, 2021, "01-01 01-04 04-02 05-03 05-31 08-02 11-30 12-27 12-28"),
        (SC, 2022, "01-03 01-04 04-15 05-02 06-02 06-03 08-01 09-19 11-30 12-26 12-27"),
        (SC, 2023, "01-02 01-03 04-07 05-01 05-08 05-29 08-07 11-30 12-25 12-26"),
        (SC, 2024, "01-01 01-02 03-29 05-06 05-27 08-05 12-02 12-25 12-26"),
        (SC, 2025, "01-01 01-02 04-18 05-05 05-26 08-04 12-01 12-25 12-26"),
        (SC, 2026, "01-01 01-02 04-03 05-04 05-25 06-15 08-03 11-30 12-25 12-28"),
        (SC, 2027, "01-01 01-04 03-26 05-03 05-31 08-02 11-30 12-27 12-28"),
        (NI, 1995, "01-02 03-17 04-14 04-17 05-08 05-29 07-12 08-28 12-25 12-26"),
        (NI, 1996, "01-01 03-18 04-05 04-08 05-06 05-27 07-12 08-26 12-25 12-26"),
        (NI, 1997, "01-01 03-17 03-28 03-31 05-05 05-26 07-14 08-25 12-25 12-26"),
        (NI, 1998, "01-01 03-17 04-10 04-13 05-04 05-25 07-13 08-31 12-25 12-28"),
        (NI, 1999, "01-01 03-17 04-02 04-05 05-03 05-31 07-12 08-30 12-27 12-28 12-31"),
        (NI, 2000, "01-03 03-17 04-21 04-24 05-01 05-29 07-12 08-28 12-25 12-26"),
        (NI, 2001, "01-01 03-19 04-13 04-16 05-07 05-28 07-12 08-27 12-25 12-26"),
        (NI, 2002, "01-01 03-18 03-29 04-01 05-06 06-03 06-04 07-12 08-26 12-25 12-26"),
        (NI, 2003, "01-01 03-17 04-18 04-21 05-05 05-26 07-14 08-25 12-25 12-26"),
        (NI, 2004, "01-01 03-17 04-09 04-12 05-03 05-31 07-12 08-30 12-27 12-28"),
        (NI, 2005, "01-03 03-17 03-25 03-28 05-02 05-30 07-12 08-29 12-26 12-27"),
        (NI, 2006, "01-02 03-17 04-14 04-17 05-01 05-29 07-12 08-28 12-25 12-26"),
        (NI, 2007, "01-01 03-19 04-06 04-09 05-07 05-28 07-12 08-27 12-25 12-26"),
        (NI, 2008, "01-01 03-17 03-21 03-24 05-05 05-26 07-14 08-25 12-25 12-26"),
        (NI, 2009, "01-01 03-17 04-10 04-13 05-04 05-25 07-13 08-31 12-25 12-28"),
        (NI, 2010, "01-01 03-17 04-02 04-05 05-03 05-31 07-12 08-30 12-27 12-28"),
        (NI, 2011, "01-03 03-17 04-22 04-25 04-29 05-02 05-30 07-12 08-29 12-26 12-27"),
        (NI, 2012, "01-02 03-19 04-06 04-09 05-07 06-04 06-05 07-12 08-27 12-25 12-26"),
        (NI, 2013, "01-01 03-18 03-29 04-01 05-06 05-27 07-12 08-26 12-25 12-26"),
        (NI, 2014, "01-01 03-17 04-18 04-21 05-05 05-26 07-14 08-25 12-25 12-26"),
        (NI, 2015, "01-01 03-17 04-03 04-06 05-04 05-25 07-13 08-31 12-25 12-28"),
        (NI, 2016, "01-01 03-17 03-25 03-28 05-02 05-30 07-12 08-29 12-26 12-27"),
        (NI, 2017, "01-02 03-17 04-14 04-17 05-01 05-29 07-12 08-28 12-25 12-26"),
        (NI, 2018, "01-01 03-19 03-30 04-02 05-07 05-28 07-12 08-27 12-25 12-26"),
        (NI, 2019, "01-01 03-18 04-19 04-22 05-06 05-27 07-12 08-26 12-25 12-26"),
        (NI, 2020, "01-01 03-17 04-10 04-13 05-08 05-25 07-13 08-31 12-25 12-28"),
        (NI, 2021, "01-01 03-17 04-02 04-05 05-03 05-31 07-12 08-30 12-27 12-28"),
        (NI, 2022, "01-03 03-17 04-15 04-18 05-02 06-02 06-03 07-12 08-29 09-19 12-26 12-27"),
        (NI, 2023, "01-02 03-17 04-07 04-10 05-01 05-08 05-29 07-12 08-28 12-25 12-26"),
        (NI, 2024, "01-01 03-18 03-29 04-01 05-06 05-27 07-12 08-26 12-25 12-26"),
        (NI, 2025, "01-01 03-17 04-18 04-21 05-05 05-26 07-14 08-25 12-25 12-26"),
        (NI, 2026, "01-01 03-17 04-03 04-06 05-04 05-25 07-13 08-31 12-25 12-28"),
        (NI, 2027, "01-01 03-17 03-26 03-29 05-03 05-31 07-12 08-30 12-27 12-28"),
    ];

    /// The shipped calendar, with no configuration, gives the published days of every year
    /// from 1995 to 2027 in every nation: the rules, substitute days and the one-offs
    /// shipped as data (the 1995 and 2020 VE Day moves, the millennium, the jubilees of
    /// 2002, 2012 and 2022, the royal wedding, the state funeral, the coronation).
    #[test]
    fn bank_holidays_match_the_published_lists_1995_to_2027() {
        let years: Vec<i16> = (1995..=2027).collect();
        for nation in [EW, SC, NI] {
            let listed: Vec<i16> = PUBLISHED
                .iter()
                .filter(|(n, _, _)| *n == nation)
                .map(|(_, y, _)| *y)
                .collect();
            assert_eq!(listed, years, "{nation}: every year, once, in order");
        }
        let mut wrong = Vec::new();
        for &(nation, year, days) in PUBLISHED {
            let expected: Vec<String> = days.split(' ').map(|md| format!("{year}-{md}")).collect();
            let got = days_off(&Calendar::new(nation), year);
            if got != expected {
                wrong.push(format!(
                    "{nation} {year}: got {got:?}, published {expected:?}"
                ));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    /// The shipped one-offs keep their invariants: in date order, each for at least one
    /// nation; an added day a weekday the rules do not already give, a removed day one they
    /// do, in each nation named.
    #[test]
    fn shipped_one_offs_fit_the_rules_of_their_nations() {
        use crate::bank_holidays::{Change, SHIPPED};
        assert!(SHIPPED.windows(2).all(|w| w[0].date <= w[1].date));
        for o in SHIPPED {
            assert!(!o.nations.is_empty(), "{}", o.date);
            assert!(!o.name.trim().is_empty(), "{}", o.date);
            for &n in o.nations {
                let by_rules = Calendar::rules_only(n).holiday(o.date);
                match o.change {
                    Change::Added => {
                        assert!(!is_weekend(o.date), "{} {n}", o.date);
                        assert_eq!(by_rules, None, "{} {n}", o.date);
                    }
                    Change::Removed => assert!(by_rules.is_some(), "{} {n}", o.date),
                }
            }
        }
        // The rules alone are wrong for these years; the shipped data puts them right.
        assert!(Calendar::rules_only(EW).is_working_day(d("2020-05-08")));
        assert!(!Calendar::new(EW).is_working_day(d("2020-05-08")));
        assert!(Calendar::new(EW).is_working_day(d("2020-05-04")));
        assert_eq!(
            Calendar::new(NI)
                .holiday(d("2022-09-19"))
                .map(|h| h.to_string()),
            Some("Bank Holiday for the State Funeral of Queen Elizabeth II".to_owned())
        );
    }

    #[test]
    fn substitute_days_follow_weekend_holidays() {
        let names = |cal: &Calendar, year| -> Vec<String> {
            cal.holidays(year)
                .iter()
                .map(|h| format!("{} {h}", h.date))
                .collect()
        };
        // 2027: Christmas on a Saturday, Boxing Day on a Sunday.
        let ew = names(&Calendar::new(EW), 2027);
        assert!(
            ew.contains(&"2027-12-27 Christmas Day (substitute day)".to_owned()),
            "{ew:?}"
        );
        assert!(
            ew.contains(&"2027-12-28 Boxing Day (substitute day)".to_owned()),
            "{ew:?}"
        );
        // 2022: Christmas on a Sunday, Boxing Day on the Monday, the substitute Tuesday.
        let ew22 = names(&Calendar::new(EW), 2022);
        assert!(
            ew22.contains(&"2022-12-26 Boxing Day".to_owned()),
            "{ew22:?}"
        );
        assert!(
            ew22.contains(&"2022-12-27 Christmas Day (substitute day)".to_owned()),
            "{ew22:?}"
        );
        // Scotland 2022: 1 and 2 January a Saturday and Sunday → Monday 3 and Tuesday 4.
        assert_eq!(
            &days_off(&Calendar::new(SC), 2022)[..2],
            ["2022-01-03", "2022-01-04"]
        );
        // Scotland 2023: 1 January a Sunday, 2 January the Monday → the substitute Tuesday.
        assert_eq!(
            &days_off(&Calendar::new(SC), 2023)[..2],
            ["2023-01-02", "2023-01-03"]
        );
        // St Andrew's Day 2025 is a Sunday → Monday 1 December in Scotland.
        let sc = Calendar::new(SC);
        assert_eq!(
            sc.holiday(d("2025-12-01")).map(|h| h.to_string()),
            Some("St Andrew's Day (substitute day)".to_owned())
        );
        assert!(Calendar::new(EW).is_working_day(d("2025-12-01")));
        // The Boyne 2026 (12 July) is a Sunday → Monday 13 July in Northern Ireland only.
        assert!(!Calendar::new(NI).is_working_day(d("2026-07-13")));
        assert!(Calendar::new(EW).is_working_day(d("2026-07-13")));
        // St Patrick's Day 2024 is a Sunday → Monday 18 March in Northern Ireland.
        assert!(!Calendar::new(NI).is_working_day(d("2024-03-18")));
    }

    fn one_off(date: &str, nations: &[Nation], change: Change) -> ConfiguredOneOff {
        ConfiguredOneOff {
            date: d(date),
            nations: nations.to_vec(),
            change,
        }
    }

    /// A fresh install, with no configuration, counts the one-off holidays of 2020 to 2023
    /// in real deadlines: BDC-21's five working days to acknowledge a complaint, the month
    /// rule of BDC-29 and FOI's working days (LJM-11).
    #[test]
    fn bank_holidays_of_2020_to_2023_need_no_configuration() {
        let ew = Calendar::new(EW);
        assert!(ew.configured_one_offs().is_empty());
        // Received Monday 27 April 2020: 4 May was a working day that year, 8 May was not.
        assert_eq!(due(&ew, "working-days:5", "2020-04-27"), "2020-05-04");
        let nine = ew
            .due_on_day(DeadlineRule::WorkingDays(9), d("2020-04-27"))
            .expect("due");
        assert_eq!(nine.due, Due::Day(d("2020-05-11")));
        assert!(
            nine.explain().contains(
                "Bank holidays not counted: Early May bank holiday (VE day) on Friday 8 May."
            ),
            "{}",
            nine.explain()
        );
        // A month from 8 April 2020 is Friday 8 May, a bank holiday: Monday 11 May.
        assert_eq!(due(&ew, "month", "2020-04-08"), "2020-05-11");
        // 2022: Monday 30 May worked; Thursday 2 and Friday 3 June off; Monday 19 September
        // off.
        assert_eq!(due(&ew, "working-days:1", "2022-05-27"), "2022-05-30");
        assert_eq!(due(&ew, "working-days:3", "2022-05-31"), "2022-06-07");
        assert_eq!(due(&ew, "working-days:1", "2022-09-16"), "2022-09-20");
        // 2023: the coronation on Monday 8 May.
        assert_eq!(due(&ew, "working-days:1", "2023-05-05"), "2023-05-09");
        for nation in [SC, NI] {
            let cal = Calendar::new(nation);
            assert_eq!(due(&cal, "working-days:1", "2022-09-16"), "2022-09-20");
            assert_eq!(due(&cal, "working-days:1", "2023-05-05"), "2023-05-09");
            assert!(!cal.is_working_day(d("2020-05-08")), "{nation}");
            assert!(cal.is_working_day(d("2020-05-04")), "{nation}");
        }
    }

    /// A one-off applies only to the nations it names: Scotland's World Cup holiday (15 June
    /// 2026, shipped) and a Scottish one-off from the configuration do not move an English
    /// or Northern Irish deadline, but do move an FOI deadline, which counts bank holidays
    /// anywhere in the UK (FOIA s10(6), LJM-11).
    #[test]
    fn a_scottish_one_off_does_not_move_an_english_deadline() {
        assert_eq!(
            due(&Calendar::new(EW), "working-days:1", "2026-06-12"),
            "2026-06-15"
        );
        assert_eq!(
            due(&Calendar::new(NI), "working-days:1", "2026-06-12"),
            "2026-06-15"
        );
        assert_eq!(
            due(&Calendar::new(SC), "working-days:1", "2026-06-12"),
            "2026-06-16"
        );
        assert_eq!(
            due(
                &Calendar::new(EW).any_part_of_uk(),
                "working-days:1",
                "2026-06-12"
            ),
            "2026-06-16"
        );

        // Configured: Monday 7 June 2027 for Scotland; Tuesday 8 June for everyone.
        let config = [
            one_off("2027-06-07", &[SC], Change::Added),
            one_off("2027-06-08", &[EW, SC, NI], Change::Added),
        ];
        let cal = |n| Calendar::with_one_offs(n, &config).expect("valid");
        assert_eq!(due(&cal(EW), "working-days:1", "2027-06-04"), "2027-06-07");
        assert_eq!(due(&cal(NI), "working-days:1", "2027-06-04"), "2027-06-07");
        assert_eq!(due(&cal(SC), "working-days:1", "2027-06-04"), "2027-06-09");
        assert_eq!(due(&cal(EW), "working-days:2", "2027-06-04"), "2027-06-09");
        assert_eq!(
            due(&cal(EW).any_part_of_uk(), "working-days:1", "2027-06-04"),
            "2027-06-09"
        );
        assert_eq!(cal(EW).configured_one_offs(), config);
        assert_eq!(
            cal(SC)
                .holiday(d("2027-06-07"))
                .map(|h| (h.kind, h.to_string())),
            Some((
                HolidayKind::Configured,
                "One-off bank holiday (from the configuration)".to_owned()
            ))
        );
        // A configured removal overrides a shipped addition, for its nation only.
        let undo = [one_off("2026-06-15", &[SC], Change::Removed)];
        assert!(
            Calendar::with_one_offs(SC, &undo)
                .expect("valid")
                .is_working_day(d("2026-06-15"))
        );
        // The shipped days are still there under a configuration.
        assert!(!cal(EW).is_working_day(d("2023-05-08")));
    }

    #[test]
    fn bad_one_offs_say_what_is_wrong() {
        let e = |one_offs: &[ConfiguredOneOff]| {
            Calendar::with_one_offs(EW, one_offs)
                .expect_err("refused")
                .to_string()
        };
        // Easter Monday is a holiday in England and Wales, not in Scotland.
        let easter = e(&[one_off("2026-04-06", &[EW, SC], Change::Removed)]);
        assert!(
            easter.contains(
                "2026-04-06 cannot be removed as a bank holiday in Scotland: it is not one there"
            ),
            "{easter}"
        );
        let already = e(&[one_off("2026-01-02", &[SC], Change::Added)]);
        assert!(
            already.contains("cannot be added as an extra bank holiday in Scotland: it is already one (2nd January)"),
            "{already}"
        );
        let shipped = e(&[one_off("2023-05-08", &[EW], Change::Added)]);
        assert!(
            shipped.contains("already one (Bank holiday for the coronation of King Charles III)"),
            "{shipped}"
        );
        assert!(e(&[one_off("2026-05-09", &[EW], Change::Added)]).contains("it is a Saturday"));
        let both = e(&[
            one_off("2026-05-05", &[NI], Change::Added),
            one_off("2026-05-05", &[SC, NI], Change::Removed),
        ]);
        assert!(both.contains("both added and removed"), "{both}");
        assert!(
            e(&[one_off("1980-05-05", &[EW], Change::Added)])
                .contains("outside the years 1990 to 2200")
        );
        let none = e(&[one_off("2027-06-07", &[], Change::Added)]);
        assert!(none.contains("2027-06-07 names no nation"), "{none}");
    }

    /// LBU-18, BJS-10, ALT-10, BDC-29 (subject access within one month) and BDC-30 (other
    /// rights requests): the ICO's month rule, at month ends, Easter, Christmas and New
    /// Year, in every nation.
    #[test]
    fn month_rule_lbu_18_bjs_10_alt_10_bdc_29_bdc_30() {
        let table: &[(Nation, &str, &str)] = &[
            // 31 January → no 31 February → Saturday 28 February → Monday 2 March.
            (EW, "2026-01-31", "2026-03-02"),
            (SC, "2026-01-31", "2026-03-02"),
            (NI, "2026-01-31", "2026-03-02"),
            // Month ends and leap years.
            (EW, "2026-03-31", "2026-04-30"),
            (EW, "2026-08-31", "2026-09-30"),
            (EW, "2028-01-30", "2028-02-29"),
            (EW, "2028-02-29", "2028-03-29"),
            (EW, "2026-01-15", "2026-02-16"), // 15 February 2026 is a Sunday.
            // Easter 2026: 3 April is Good Friday; Easter Monday 6 April is not a holiday in
            // Scotland.
            (EW, "2026-03-03", "2026-04-07"),
            (NI, "2026-03-03", "2026-04-07"),
            (SC, "2026-03-03", "2026-04-06"),
            // Easter 2025: 18 April Good Friday, 21 April Easter Monday.
            (EW, "2025-03-18", "2025-04-22"),
            (SC, "2025-03-18", "2025-04-21"),
            // Easter 2027: 26 March Good Friday, 29 March Easter Monday.
            (EW, "2027-02-26", "2027-03-30"),
            (SC, "2027-02-26", "2027-03-29"),
            // Christmas 2027 on a Saturday: substitutes Monday 27 and Tuesday 28.
            (EW, "2027-11-25", "2027-12-29"),
            (SC, "2027-11-25", "2027-12-29"),
            (NI, "2027-11-25", "2027-12-29"),
            // New Year 2027: Friday 1 January; Scotland's 2 January (a Saturday) → Monday 4.
            (EW, "2026-12-01", "2027-01-04"),
            (NI, "2026-12-01", "2027-01-04"),
            (SC, "2026-12-01", "2027-01-05"),
            // St Andrew's Day 2025 (a Sunday) → Monday 1 December in Scotland.
            (EW, "2025-10-30", "2025-12-01"),
            (SC, "2025-10-30", "2025-12-02"),
            // St Patrick's Day 2026 (Tuesday 17 March) in Northern Ireland.
            (EW, "2026-02-17", "2026-03-17"),
            (NI, "2026-02-17", "2026-03-18"),
            // The Boyne 2026 (a Sunday) → Monday 13 July in Northern Ireland.
            (EW, "2026-06-12", "2026-07-13"),
            (NI, "2026-06-12", "2026-07-14"),
            // Received on a Saturday: counted from that day all the same.
            (EW, "2026-02-07", "2026-03-09"),
        ];
        for &(nation, received, expected) in table {
            assert_eq!(
                due(&Calendar::new(nation), "month", received),
                expected,
                "{nation} {received}"
            );
        }
    }

    /// The extension of UK GDPR Art 12(3) as packs write it (`months:N`), counted from the
    /// day of receipt like the month rule (LBU-18, BJS-10, ALT-10, BDC-29).
    #[test]
    fn months_rule_lbu_18_bjs_10_alt_10_bdc_29() {
        let ew = Calendar::new(EW);
        assert_eq!(due(&ew, "months:3", "2026-11-30"), "2027-03-01"); // 28 Feb 2027 a Sunday.
        assert_eq!(due(&ew, "months:2", "2026-12-31"), "2027-03-01");
        assert_eq!(due(&ew, "months:3", "2026-01-31"), "2026-04-30");
        assert_eq!(due(&ew, "months:12", "2026-12-25"), "2027-12-29");
        assert_eq!(
            due(&Calendar::new(SC), "months:2", "2026-10-30"),
            "2026-12-30"
        );
        assert_eq!(
            due(&Calendar::new(SC), "months:1", "2025-10-30"),
            "2025-12-02"
        );
    }

    /// LJM-11: FOI's 20 working days, across Christmas 2026 in each nation (Scotland's
    /// 2 January 2027, a Saturday, gives Monday 4 January), across Easter 2025 and 2027,
    /// and from a Saturday.
    #[test]
    fn working_days_rule_ljm_11() {
        let table: &[(Nation, &str, &str, &str)] = &[
            (EW, "working-days:20", "2026-12-14", "2027-01-14"),
            (NI, "working-days:20", "2026-12-14", "2027-01-14"),
            (SC, "working-days:20", "2026-12-14", "2027-01-15"),
            (EW, "working-days:20", "2025-04-01", "2025-05-01"),
            (NI, "working-days:20", "2025-04-01", "2025-05-01"),
            (SC, "working-days:20", "2025-04-01", "2025-04-30"),
            (EW, "working-days:5", "2027-03-24", "2027-04-02"),
            (SC, "working-days:5", "2027-03-24", "2027-04-01"),
            // Received Saturday 31 January 2026: the Saturday is day 0, Monday 2 February
            // day 1.
            (EW, "working-days:20", "2026-01-31", "2026-02-27"),
            (EW, "working-days:1", "2026-01-31", "2026-02-02"),
            // Received on Easter Saturday 2026: day 1 is Tuesday 7 April in England and
            // Wales, Monday 6 April in Scotland.
            (EW, "working-days:5", "2026-04-04", "2026-04-13"),
            (SC, "working-days:5", "2026-04-04", "2026-04-10"),
            // Received on Good Friday itself.
            (EW, "working-days:1", "2026-04-03", "2026-04-07"),
            // Across the Boyne 2026 (Monday 13 July in Northern Ireland).
            (NI, "working-days:5", "2026-07-09", "2026-07-17"),
            (EW, "working-days:5", "2026-07-09", "2026-07-16"),
            // Across Christmas 2027 (substitutes Monday 27 and Tuesday 28 December).
            (EW, "working-days:3", "2027-12-23", "2027-12-30"),
        ];
        for &(nation, rule, received, expected) in table {
            assert_eq!(
                due(&Calendar::new(nation), rule, received),
                expected,
                "{nation} {rule} {received}"
            );
        }
    }

    /// BDC-29's 30 calendar days and other calendar-day rules: never moved off a weekend or
    /// bank holiday.
    /// LJM-11: FOIA s10(6) makes a bank holiday anywhere in the UK a non-working day.
    #[test]
    fn foi_working_days_skip_bank_holidays_anywhere_in_the_uk_ljm_11() {
        let foi = Calendar::new(EW).any_part_of_uk();
        assert!(foi.covers_any_part_of_uk());
        assert_eq!(
            days_off(&foi, 2026),
            [
                "2026-01-01",
                "2026-01-02",
                "2026-03-17",
                "2026-04-03",
                "2026-04-06",
                "2026-05-04",
                "2026-05-25",
                "2026-06-15",
                "2026-07-13",
                "2026-08-03",
                "2026-08-31",
                "2026-11-30",
                "2026-12-25",
                "2026-12-28",
            ]
        );
        // Scotland's 4 January 2027 and Northern Ireland's St Patrick's Day count too.
        assert_eq!(due(&foi, "working-days:20", "2026-12-14"), "2027-01-15");
        assert_eq!(due(&foi, "working-days:5", "2026-03-12"), "2026-03-20");
        assert_eq!(
            due(&Calendar::new(EW), "working-days:5", "2026-03-12"),
            "2026-03-19"
        );
        // One-offs still apply, every nation's.
        let foi = Calendar::new(EW).any_part_of_uk();
        assert!(!foi.is_working_day(d("2023-05-08")));
        assert!(!foi.is_working_day(d("2026-06-15")));
    }

    /// BDC-29 (a copy within 30 calendar days of a subject access request) and BDC-30 (a
    /// written decision on another rights request within 30 days), never later than the
    /// law's one month (UK GDPR Art 12(3)): `earliest:calendar-days:30,month` is due on
    /// whichever date comes first.
    #[test]
    fn bdc_29_bdc_30_due_at_the_earlier_of_thirty_days_and_a_month() {
        let rule = "earliest:calendar-days:30,month";
        // (nation, received, 30 calendar days, one month, the deadline)
        let table: &[(Nation, &str, &str, &str, &str)] = &[
            // January has 31 days: 30 days is the earlier.
            (EW, "2026-01-05", "2026-02-04", "2026-02-05", "2026-02-04"),
            // From 31 January the month is the earlier: 28 February 2027 is a Sunday, so
            // Monday 1 March, before 30 days' Tuesday 2 March; in the leap year 2028,
            // 29 February, before 1 March.
            (EW, "2027-01-31", "2027-03-02", "2027-03-01", "2027-03-01"),
            (EW, "2028-01-31", "2028-03-01", "2028-02-29", "2028-02-29"),
            (NI, "2027-01-31", "2027-03-02", "2027-03-01", "2027-03-01"),
            // Both give Monday 2 March 2026.
            (EW, "2026-01-31", "2026-03-02", "2026-03-02", "2026-03-02"),
            (EW, "2026-02-01", "2026-03-03", "2026-03-02", "2026-03-02"),
            // 30 days ends on Christmas Day, a calendar day all the same; the month would
            // run past the Christmas holidays.
            (EW, "2026-11-25", "2026-12-25", "2026-12-29", "2026-12-25"),
            // 30 days ends on a Saturday; the month on the Monday after.
            (SC, "2026-04-30", "2026-05-30", "2026-06-01", "2026-05-30"),
        ];
        for &(nation, received, thirty, month, expected) in table {
            let cal = Calendar::new(nation);
            assert_eq!(
                due(&cal, "calendar-days:30", received),
                thirty,
                "{nation} {received}"
            );
            assert_eq!(due(&cal, "month", received), month, "{nation} {received}");
            assert_eq!(due(&cal, rule, received), expected, "{nation} {received}");
        }
        let ew = Calendar::new(EW);
        let explain = |received: &str| {
            ew.due_on_day(rule.parse().expect("rule"), d(received))
                .expect("due")
                .explain()
        };
        assert_eq!(
            explain("2026-01-05"),
            "Received Monday 5 January 2026. The deadline is 30 calendar days or one calendar month, whichever is earlier. By 30 calendar days: 30 calendar days on is Wednesday 4 February 2026. By one calendar month: one calendar month on is Thursday 5 February 2026, a working day. The earlier is Wednesday 4 February 2026, by 30 calendar days, which is the deadline."
        );
        assert_eq!(
            explain("2027-01-31"),
            "Received Sunday 31 January 2027. The deadline is 30 calendar days or one calendar month, whichever is earlier. By 30 calendar days: 30 calendar days on is Tuesday 2 March 2027. By one calendar month: one calendar month on is Sunday 28 February 2027 (February has no 31st, so its last day), not a working day (a Sunday), so it gives the next working day, Monday 1 March 2027. The earlier is Monday 1 March 2027, by one calendar month, which is the deadline."
        );
        assert!(
            explain("2026-01-31")
                .ends_with("Both give Monday 2 March 2026, which is the deadline."),
            "{}",
            explain("2026-01-31")
        );
        let three = ew
            .due_on_day(
                "earliest:working-days:20,calendar-days:30,month"
                    .parse()
                    .expect("rule"),
                d("2026-01-05"),
            )
            .expect("due");
        assert_eq!(three.due, Due::Day(d("2026-02-02")));
        assert!(
            three.explain().ends_with(
                "The earliest is Monday 2 February 2026, by 20 working days, which is the deadline."
            ),
            "{}",
            three.explain()
        );
    }

    /// BDC-29: "within 30 days of receiving all the information required": the clock stops
    /// for each part of the combination as it would for that rule alone, and the earlier
    /// date still wins; a stop after the 30 days have run gives them no time back.
    #[test]
    fn bdc_29_a_stopped_clock_moves_each_part_of_the_earlier_rule() {
        let ew = Calendar::new(EW);
        let rule: DeadlineRule = "earliest:calendar-days:30,month".parse().expect("rule");
        let state = |stops: &[(&str, Option<&str>)]| {
            let pauses: Vec<Pause> = stops
                .iter()
                .map(|(p, r)| Pause {
                    paused_at: uk(p),
                    resumed_at: r.map(uk),
                })
                .collect();
            Timer::with_pauses(rule.clone(), uk("2026-01-05T10:00"), &pauses)
                .expect("valid")
                .state(&ew)
                .expect("state")
        };
        // Identity asked for on Tuesday 6 January, given on Friday 16 January: 10 days.
        // 30 days: 4 February + 10 = Saturday 14 February. Month: 5 February + 10 =
        // Sunday 15 February, so Monday 16 February. The earlier: Saturday 14 February.
        let TimerState::Running(d1) = state(&[("2026-01-06T09:00", Some("2026-01-16T15:00"))])
        else {
            panic!("running");
        };
        assert_eq!(d1.due, Due::Day(d("2026-02-14")));
        assert_eq!(d1.paused, Some(Extension::CalendarDays(10)));
        assert!(
            d1.explain()
                .contains("By 30 calendar days: the clock was stopped for 10 days"),
            "{}",
            d1.explain()
        );
        // While the clock is stopped there is no due date.
        assert!(matches!(
            state(&[("2026-01-06T09:00", None)]),
            TimerState::Paused { .. }
        ));
        // Stopped on Thursday 5 February, after the 30 days ran out on the 4th: the month
        // moves to Tuesday 10 February, but the 30 days do not move, and they are earlier.
        let TimerState::Running(d2) = state(&[("2026-02-05T09:00", Some("2026-02-10T09:00"))])
        else {
            panic!("running");
        };
        assert_eq!(d2.due, Due::Day(d("2026-02-04")));
    }

    #[test]
    fn calendar_days_rule_bdc_29() {
        let ew = Calendar::new(EW);
        assert_eq!(due(&ew, "calendar-days:30", "2026-12-01"), "2026-12-31");
        assert_eq!(due(&ew, "calendar-days:40", "2026-11-16"), "2026-12-26"); // a Saturday
        assert_eq!(due(&ew, "calendar-days:30", "2026-01-31"), "2026-03-02");
        assert_eq!(due(&ew, "calendar-days:1", "2026-12-31"), "2027-01-01");
        let deadline = ew
            .due_on_day(DeadlineRule::CalendarDays(40), d("2026-11-16"))
            .expect("due");
        assert!(
            deadline
                .explain()
                .contains("calendar-day deadlines are not moved"),
            "{}",
            deadline.explain()
        );
    }

    #[test]
    fn hours_are_real_elapsed_hours_across_the_clock_change() {
        let ew = Calendar::new(EW);
        // British Summer Time ends at 02:00 on Sunday 25 October 2026.
        let deadline = ew
            .due(DeadlineRule::Hours(72), uk("2026-10-23T09:00"))
            .expect("due");
        assert_eq!(deadline.due, Due::Instant(uk("2026-10-26T08:00")));
        assert_eq!(deadline.due.to_string(), "2026-10-26T08:00:00+00:00");
        let text = deadline.explain();
        assert!(
            text.contains("09:00 BST on Friday 23 October 2026"),
            "{text}"
        );
        assert!(
            text.contains("08:00 GMT on Monday 26 October 2026"),
            "{text}"
        );
        assert!(text.contains("clocks change"), "{text}");
        // And where summer time begins (29 March 2026).
        let spring = ew
            .due(DeadlineRule::Hours(24), uk("2026-03-28T12:00"))
            .expect("due");
        assert_eq!(spring.due.to_string(), "2026-03-29T13:00:00+01:00");
        // An hour rule needs the time.
        assert_eq!(
            ew.due_on_day(DeadlineRule::Hours(72), d("2026-10-23")),
            Err(CalendarError::NeedsTime {
                rule: DeadlineRule::Hours(72)
            })
        );
    }

    #[test]
    fn deadlines_refuse_dates_outside_the_calendar() {
        let ew = Calendar::new(EW);
        assert!(matches!(
            ew.due_on_day(DeadlineRule::Month, d("1989-12-31")),
            Err(CalendarError::OutOfRange { .. })
        ));
        assert!(matches!(
            ew.due_on_day(DeadlineRule::Month, d("2200-12-15")),
            Err(CalendarError::OutOfRange { .. })
        ));
        assert!(matches!(
            ew.due_on_day(DeadlineRule::WorkingDays(10_000), d("2190-01-01")),
            Err(CalendarError::OutOfRange { .. })
        ));
        assert_eq!(due(&ew, "month", "2200-11-15"), "2200-12-15");
    }

    #[test]
    fn explanations_say_how_the_date_was_reached() {
        let ew = Calendar::new(EW);
        let text = ew
            .due_on_day(DeadlineRule::Month, d("2026-01-31"))
            .expect("due")
            .explain();
        assert_eq!(
            text,
            "Received Saturday 31 January 2026. One calendar month on is Saturday 28 February 2026 (February has no 31st, so its last day), not a working day (a Saturday), so the deadline is the next working day, Monday 2 March 2026."
        );
        let text = ew
            .due_on_day(DeadlineRule::Month, d("2027-11-25"))
            .expect("due")
            .explain();
        assert!(
            text.contains("(Christmas Day, a Saturday, with Christmas Day (substitute day) on Monday 27 December and Boxing Day (substitute day) on Tuesday 28 December after it)"),
            "{text}"
        );
        let text = ew
            .due_on_day(DeadlineRule::WorkingDays(5), d("2026-04-04"))
            .expect("due")
            .explain();
        assert_eq!(
            text,
            "Received Saturday 4 April 2026, not a working day (a Saturday); the day of receipt is day 0 all the same. The 5th working day after it is Monday 13 April 2026. Bank holidays not counted: Easter Monday on Monday 6 April."
        );
        let text = ew
            .due_on_day(DeadlineRule::WorkingDays(20), d("2025-04-01"))
            .expect("due")
            .explain();
        assert!(
            text.ends_with("Bank holidays not counted: Good Friday on Friday 18 April, Easter Monday on Monday 21 April."),
            "{text}"
        );
        let text = ew
            .due_on_day(DeadlineRule::WorkingDays(1), d("2026-04-03"))
            .expect("due")
            .explain();
        assert!(text.contains("not a working day (Good Friday)"), "{text}");
    }

    /// LBU-18, BJS-10, ALT-10, BDC-29: the subject access clock stops while identity is
    /// awaited and restarts when it arrives; the month deadline moves by the days stopped,
    /// then onto a working day.
    #[test]
    fn a_stopped_month_clock_lbu_18_bjs_10_alt_10_bdc_29() {
        let ew = Calendar::new(EW);
        let mut timer = Timer::new(DeadlineRule::Month, uk("2026-01-05T10:00"));
        let running = |t: &Timer| match t.state(&ew).expect("state") {
            TimerState::Running(d) => d,
            TimerState::Paused { since } => panic!("paused since {since}"),
        };
        assert_eq!(running(&timer).due, Due::Day(d("2026-02-05")));
        timer.pause(uk("2026-01-06T09:00")).expect("pause");
        assert_eq!(
            timer.state(&ew),
            Ok(TimerState::Paused {
                since: uk("2026-01-06T09:00")
            })
        );
        // Identity arrives 10 days later: 5 February + 10 days = Sunday 15 February →
        // Monday 16 February.
        timer.resume(uk("2026-01-16T15:00")).expect("resume");
        let deadline = running(&timer);
        assert_eq!(deadline.due, Due::Day(d("2026-02-16")));
        assert_eq!(deadline.paused, Some(Extension::CalendarDays(10)));
        assert!(
            deadline.explain().contains("stopped for 10 days"),
            "{}",
            deadline.explain()
        );
        // A second stop, of 2 days: 15 February + 2 = Tuesday 17 February.
        timer.pause(uk("2026-01-20T09:00")).expect("pause");
        timer.resume(uk("2026-01-22T09:00")).expect("resume");
        assert_eq!(running(&timer).due, Due::Day(d("2026-02-17")));
        // The adjustment is applied after the stops, not before: received 31 January, a
        // month on is Saturday 28 February; stopped 1 day → Sunday 1 March → Monday 2 March
        // (not Tuesday 3 March).
        let t = Timer::with_pauses(
            DeadlineRule::Month,
            uk("2026-01-31T10:00"),
            &[Pause {
                paused_at: uk("2026-02-02T10:00"),
                resumed_at: Some(uk("2026-02-03T10:00")),
            }],
        )
        .expect("valid");
        assert_eq!(running(&t).due, Due::Day(d("2026-03-02")));
        // A stop and restart on the same day moves nothing.
        let t = Timer::with_pauses(
            DeadlineRule::Month,
            uk("2026-01-05T10:00"),
            &[Pause {
                paused_at: uk("2026-01-06T09:00"),
                resumed_at: Some(uk("2026-01-06T17:00")),
            }],
        )
        .expect("valid");
        assert_eq!(running(&t).due, Due::Day(d("2026-02-05")));
        // A stop after the deadline has passed gives no time back.
        let t = Timer::with_pauses(
            DeadlineRule::Month,
            uk("2026-01-05T10:00"),
            &[Pause {
                paused_at: uk("2026-02-10T09:00"),
                resumed_at: Some(uk("2026-02-20T09:00")),
            }],
        )
        .expect("valid");
        assert_eq!(running(&t).due, Due::Day(d("2026-02-05")));
    }

    /// LJM-11 (working days) and BDC-29 (30 calendar days) with the clock stopped.
    #[test]
    fn stopped_working_day_and_calendar_day_clocks_ljm_11_bdc_29() {
        let ew = Calendar::new(EW);
        let due_with = |rule: DeadlineRule, received: &str, stops: &[(&str, &str)]| {
            let pauses: Vec<Pause> = stops
                .iter()
                .map(|(p, r)| Pause {
                    paused_at: uk(p),
                    resumed_at: Some(uk(r)),
                })
                .collect();
            match Timer::with_pauses(rule, uk(received), &pauses)
                .expect("valid")
                .state(&ew)
                .expect("state")
            {
                TimerState::Running(d) => (d.due.to_string(), d.paused),
                TimerState::Paused { .. } => panic!("paused"),
            }
        };
        // Received Monday 2 March 2026; 2 working days run (3, 4 March); stopped Wednesday
        // 4 March, restarted Monday 9 March: 18 working days remain after 9 March →
        // Thursday 2 April (the 23rd working day after 2 March).
        assert_eq!(
            due_with(
                DeadlineRule::WorkingDays(20),
                "2026-03-02T10:00",
                &[("2026-03-04T10:00", "2026-03-09T10:00")]
            ),
            ("2026-04-02".to_owned(), Some(Extension::WorkingDays(3)))
        );
        // Restarted on a Saturday: as if received that Saturday, so Monday counts, as it
        // does after a restart on the Friday.
        assert_eq!(
            due_with(
                DeadlineRule::WorkingDays(20),
                "2026-03-02T10:00",
                &[("2026-03-04T10:00", "2026-03-07T10:00")]
            ),
            ("2026-04-01".to_owned(), Some(Extension::WorkingDays(2)))
        );
        assert_eq!(
            due_with(
                DeadlineRule::WorkingDays(20),
                "2026-03-02T10:00",
                &[("2026-03-04T10:00", "2026-03-06T16:00")]
            )
            .0,
            "2026-04-01"
        );
        // Stopped and restarted on the same Saturday: nothing moves.
        assert_eq!(
            due_with(
                DeadlineRule::WorkingDays(20),
                "2026-03-02T10:00",
                &[("2026-03-07T10:00", "2026-03-07T12:00")]
            )
            .0,
            due(&ew, "working-days:20", "2026-03-02")
        );
        // Received on a Saturday and stopped at once until Tuesday: as if received Tuesday.
        assert_eq!(
            due_with(
                DeadlineRule::WorkingDays(5),
                "2026-03-07T10:00",
                &[("2026-03-07T11:00", "2026-03-10T10:00")]
            )
            .0,
            due(&ew, "working-days:5", "2026-03-10")
        );
        // Calendar days: 30 days from 1 December 2026, stopped 3 days, never adjusted.
        assert_eq!(
            due_with(
                DeadlineRule::CalendarDays(30),
                "2026-12-01T10:00",
                &[("2026-12-05T10:00", "2026-12-08T10:00")]
            ),
            ("2027-01-03".to_owned(), Some(Extension::CalendarDays(3)))
        );
        // Hours: 72 hours stopped for 5 h 30 min.
        assert_eq!(
            due_with(
                DeadlineRule::Hours(72),
                "2026-10-23T09:00",
                &[("2026-10-23T10:00", "2026-10-23T15:30")]
            )
            .0,
            "2026-10-26T13:30:00+00:00"
        );
    }

    #[test]
    fn timer_events_must_be_in_order() {
        let mut t = Timer::new(DeadlineRule::Month, uk("2026-01-05T10:00"));
        assert_eq!(
            t.resume(uk("2026-01-06T10:00")),
            Err(CalendarError::NotPaused)
        );
        assert!(matches!(
            t.pause(uk("2026-01-04T10:00")),
            Err(CalendarError::OutOfOrder { .. })
        ));
        t.pause(uk("2026-01-06T10:00")).expect("pause");
        assert!(t.is_paused());
        assert!(matches!(
            t.pause(uk("2026-01-07T10:00")),
            Err(CalendarError::AlreadyPaused { .. })
        ));
        assert!(matches!(
            t.resume(uk("2026-01-05T12:00")),
            Err(CalendarError::OutOfOrder { .. })
        ));
        t.resume(uk("2026-01-07T10:00")).expect("resume");
        assert!(!t.is_paused());
        assert_eq!(t.pauses().len(), 1);
    }

    #[test]
    fn a_day_due_passes_at_the_start_of_the_next_uk_day() {
        // 1 June 2026 is in summer time: the day ends at 23:00 UTC.
        let due = Due::Day(d("2026-06-01"));
        assert_eq!(
            due.passes_at().expect("instant").to_string(),
            "2026-06-01T23:00:00Z"
        );
    }

    #[test]
    fn ordinals_read_naturally() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111]
            .map(ordinal)
            .to_vec();
        assert_eq!(
            got,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd",
                "101st", "111th"
            ]
        );
    }
}
