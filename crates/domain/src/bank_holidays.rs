//! The one-off changes to UK bank holidays since 1995, shipped as data: days added by
//! proclamation (a millennium, jubilees, a royal wedding, a state funeral, a coronation)
//! and rule days that were moved away (the early May and spring holidays, moved in 1995,
//! 2002, 2012, 2020 and 2022). The rules that give every other year's holidays (Easter,
//! fixed dates, first and last Mondays, substitute days) are in `crate::calendar`; a moved
//! holiday is one day [`Change::Removed`] and one [`Change::Added`].
//!
//! Sources, checked entry by entry: GOV.UK's published bank holidays (its
//! `bank-holidays.json`, which covers 2012 onwards per nation), the Royal Proclamations
//! as reported when they were made, and the independent `holidays` package's UK data
//! (1995–2011, where GOV.UK publishes nothing). `crate::calendar`'s tests compare every
//! year from 1995 to 2027 for each nation with a table of the published days.
//!
//! Invariants (tested): entries are in date order; each names at least one nation; an
//! added day is a weekday that the rules do not already make a bank holiday in each of its
//! nations; a removed day is a bank holiday by the rules in each of its nations. New
//! proclamations are added here with each release, and can be given in the configuration
//! meanwhile (`[calendar]`, see `docs/ref/config.md`).

use jiff::civil::{Date, date};

use crate::camera::Nation;

/// Whether a one-off adds a day off or takes away one the rules give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Change {
    /// A day off that the rules do not give (a proclaimed extra day, or where a holiday
    /// was moved to).
    Added,
    /// A day the rules give that was not a holiday (where a holiday was moved from).
    Removed,
}

/// A one-off change shipped with Custos.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OneOff {
    /// The day.
    pub date: Date,
    /// The nations it applies to.
    pub nations: &'static [Nation],
    /// Added or removed.
    pub change: Change,
    /// Its name, as GOV.UK gives it for an added day; for a removed day, the holiday and
    /// where it went.
    pub name: &'static str,
}

const ALL: &[Nation] = &[
    Nation::EnglandWales,
    Nation::Scotland,
    Nation::NorthernIreland,
];

const fn added(date: Date, nations: &'static [Nation], name: &'static str) -> OneOff {
    OneOff {
        date,
        nations,
        change: Change::Added,
        name,
    }
}

const fn removed(date: Date, nations: &'static [Nation], name: &'static str) -> OneOff {
    OneOff {
        date,
        nations,
        change: Change::Removed,
        name,
    }
}

/// Every one-off change since 1995, in date order.
pub const SHIPPED: &[OneOff] = &[
    // The 50th anniversary of VE Day: the early May holiday moved to Monday 8 May.
    removed(
        date(1995, 5, 1),
        ALL,
        "Early May bank holiday (moved to 8 May)",
    ),
    added(date(1995, 5, 8), ALL, "Early May bank holiday (VE day)"),
    // The millennium. (The New Year holidays of 2000 that followed are the usual
    // substitute days: 3 January, and in Scotland 4 January too.)
    added(date(1999, 12, 31), ALL, "Millennium bank holiday"),
    // The Golden Jubilee: the spring holiday moved to Tuesday 4 June, Monday 3 June added.
    removed(
        date(2002, 5, 27),
        ALL,
        "Spring bank holiday (moved to 4 June)",
    ),
    added(date(2002, 6, 3), ALL, "Golden Jubilee bank holiday"),
    added(date(2002, 6, 4), ALL, "Spring bank holiday"),
    added(date(2011, 4, 29), ALL, "Royal wedding bank holiday"),
    // The Diamond Jubilee: the spring holiday moved to Monday 4 June, Tuesday 5 June added.
    removed(
        date(2012, 5, 28),
        ALL,
        "Spring bank holiday (moved to 4 June)",
    ),
    added(date(2012, 6, 4), ALL, "Spring bank holiday"),
    added(date(2012, 6, 5), ALL, "Queen's Diamond Jubilee"),
    // The 75th anniversary of VE Day: the early May holiday moved to Friday 8 May.
    removed(
        date(2020, 5, 4),
        ALL,
        "Early May bank holiday (moved to 8 May)",
    ),
    added(date(2020, 5, 8), ALL, "Early May bank holiday (VE day)"),
    // The Platinum Jubilee: the spring holiday moved to Thursday 2 June, Friday 3 June added.
    removed(
        date(2022, 5, 30),
        ALL,
        "Spring bank holiday (moved to 2 June)",
    ),
    added(date(2022, 6, 2), ALL, "Spring bank holiday"),
    added(date(2022, 6, 3), ALL, "Platinum Jubilee bank holiday"),
    added(
        date(2022, 9, 19),
        ALL,
        "Bank Holiday for the State Funeral of Queen Elizabeth II",
    ),
    added(
        date(2023, 5, 8),
        ALL,
        "Bank holiday for the coronation of King Charles III",
    ),
    // Proclaimed for Scotland alone (February 2026), the day after the men's football
    // team's first World Cup match since 1998.
    added(
        date(2026, 6, 15),
        &[Nation::Scotland],
        "Bank holiday for Scotland at the FIFA World Cup",
    ),
];
