//! A year's complaints in figures, for the Complaints page, its CSV and the annual report
//! (BDC-21: the number of complaints, the time taken to acknowledge and to answer them,
//! how they were received, and how they ended; SCC-10 and BJS-12's annual reviews take
//! complaints into account).
//!
//! Invariants: pure — the complaints come in as facts, the deadlines from the pack and the
//! calendar given; each complaint counts in the UK month it was received; a complaint
//! counts as acknowledged or answered in time only once it was, before its deadline
//! passed (one still open counts in neither, one open past its deadline as late).

use crate::case::{AppealOutcome, CaseDue, CaseKind, CaseState, Decision, Timeliness};

/// What a complaint's figures need to know about it.
#[derive(Debug, Clone)]
pub struct ComplaintFacts {
    /// When it was received.
    pub received_unix_ms: i64,
    /// How it came (`public-form`, `letter`, `email`…).
    pub channel: String,
    /// Where it stands.
    pub state: CaseState,
    /// How it was answered, if it was.
    pub decision: Option<Decision>,
    /// When it was acknowledged in writing.
    pub acknowledged_unix_ms: Option<i64>,
    /// When the first answer was sent (the case closed).
    pub closed_unix_ms: Option<i64>,
    /// The appeal's outcome, if it was appealed: `None` inside while undecided.
    pub appeal: Option<Option<AppealOutcome>>,
}

/// One month's complaints.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonthFigures {
    /// The month, e.g. `2026-12`.
    pub month: String,
    /// Received in the month.
    pub received: u32,
    /// Acknowledged in writing before the acknowledgement's deadline passed.
    pub acknowledged_in_time: u32,
    /// Answered before the answer's deadline passed.
    pub answered_in_time: u32,
    /// Answered after the deadline, or still open past it.
    pub late: u32,
    /// Upheld.
    pub upheld: u32,
    /// Upheld in part.
    pub partly_upheld: u32,
    /// Not upheld.
    pub not_upheld: u32,
    /// Refused (raised too late, and not accepted).
    pub refused: u32,
    /// Withdrawn by the complainant.
    pub withdrawn: u32,
    /// Not yet answered.
    pub open: u32,
    /// Appealed.
    pub appealed: u32,
    /// Appeals upheld.
    pub appeals_upheld: u32,
}

/// The column headings of [`MonthFigures`], for tables and the CSV.
pub const HEADINGS: [&str; 13] = [
    "Month",
    "Received",
    "Acknowledged in time",
    "Answered in time",
    "Late",
    "Upheld",
    "Partly upheld",
    "Not upheld",
    "Refused",
    "Withdrawn",
    "Open",
    "Appealed",
    "Appeals upheld",
];

impl MonthFigures {
    /// The figures in [`HEADINGS`] order.
    pub fn cells(&self) -> Vec<String> {
        let mut out = vec![self.month.clone()];
        out.extend(
            [
                self.received,
                self.acknowledged_in_time,
                self.answered_in_time,
                self.late,
                self.upheld,
                self.partly_upheld,
                self.not_upheld,
                self.refused,
                self.withdrawn,
                self.open,
                self.appealed,
                self.appeals_upheld,
            ]
            .map(|n| n.to_string()),
        );
        out
    }

    fn add(&mut self, other: &Self) {
        self.received += other.received;
        self.acknowledged_in_time += other.acknowledged_in_time;
        self.answered_in_time += other.answered_in_time;
        self.late += other.late;
        self.upheld += other.upheld;
        self.partly_upheld += other.partly_upheld;
        self.not_upheld += other.not_upheld;
        self.refused += other.refused;
        self.withdrawn += other.withdrawn;
        self.open += other.open;
        self.appealed += other.appealed;
        self.appeals_upheld += other.appeals_upheld;
    }
}

/// A year's figures: one row per month (January to December) and the year's total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearFigures {
    /// The months, January first.
    pub months: Vec<MonthFigures>,
    /// The year's total (`month` is "Total").
    pub total: MonthFigures,
    /// How the year's complaints came, by channel, most first: (channel, count).
    pub channels: Vec<(String, u32)>,
}

/// The figures of the complaints received in `year` (UK time), under `pack` on `calendar`,
/// as they stand at `now_unix_ms`.
pub fn figures(
    year: i16,
    complaints: &[ComplaintFacts],
    pack: &crate::PolicyPack,
    calendar: &crate::calendar::Calendar,
    now_unix_ms: i64,
) -> Result<YearFigures, crate::calendar::CalendarError> {
    let tz = crate::calendar::uk_time_zone()?;
    let mut months: Vec<MonthFigures> = (1..=12)
        .map(|m| MonthFigures {
            month: format!("{year}-{m:02}"),
            ..MonthFigures::default()
        })
        .collect();
    let mut channels: std::collections::BTreeMap<String, u32> = Default::default();
    for c in complaints {
        let Ok(at) = jiff::Timestamp::from_millisecond(c.received_unix_ms) else {
            continue;
        };
        let day = at.to_zoned(tz.clone()).date();
        if day.year() != year {
            continue;
        }
        let Some(m) = usize::try_from(day.month() - 1)
            .ok()
            .and_then(|i| months.get_mut(i))
        else {
            continue;
        };
        m.received += 1;
        *channels
            .entry(crate::case::channel_words(&c.channel))
            .or_default() += 1;
        if let (Some(ack), CaseDue::Due(d)) = (
            c.acknowledged_unix_ms,
            crate::case::acknowledgement_due(c.received_unix_ms, pack, calendar)?,
        ) && ack < d.due.passes_at()?.as_millisecond()
        {
            m.acknowledged_in_time += 1;
        }
        // An appealed complaint was answered when it first closed.
        let state = match c.state {
            CaseState::Appealed | CaseState::AppealDecided => CaseState::Closed,
            s => s,
        };
        match crate::case::timeliness(
            CaseKind::Complaint,
            state,
            c.received_unix_ms,
            c.closed_unix_ms,
            &[],
            false,
            pack,
            calendar,
            now_unix_ms,
        )? {
            Some(Timeliness::InTime) => m.answered_in_time += 1,
            Some(Timeliness::Late) => m.late += 1,
            _ => {}
        }
        match (c.state, c.decision) {
            (CaseState::Withdrawn, _) => m.withdrawn += 1,
            (s, _)
                if !matches!(
                    s,
                    CaseState::Closed | CaseState::Appealed | CaseState::AppealDecided
                ) =>
            {
                m.open += 1;
            }
            (_, Some(Decision::Upheld)) => m.upheld += 1,
            (_, Some(Decision::PartlyUpheld)) => m.partly_upheld += 1,
            (_, Some(Decision::NotUpheld)) => m.not_upheld += 1,
            (_, Some(Decision::Refuse)) => m.refused += 1,
            _ => {}
        }
        if let Some(outcome) = c.appeal {
            m.appealed += 1;
            if outcome == Some(AppealOutcome::Upheld) {
                m.appeals_upheld += 1;
            }
        }
    }
    let mut total = MonthFigures {
        month: "Total".to_owned(),
        ..MonthFigures::default()
    };
    for m in &months {
        total.add(m);
    }
    let mut channels: Vec<(String, u32)> = channels.into_iter().collect();
    channels.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(YearFigures {
        months,
        total,
        channels,
    })
}

/// The figures as a CSV file: a row per month, then the total.
pub fn csv(f: &YearFigures) -> String {
    crate::csvfile::document(
        &HEADINGS,
        f.months
            .iter()
            .chain(std::iter::once(&f.total))
            .map(MonthFigures::cells),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(t: &str) -> i64 {
        t.parse::<jiff::Timestamp>().expect("time").as_millisecond()
    }

    fn council() -> crate::PolicyPack {
        crate::PolicyPack::parse(include_str!(
            "../../../policies/bassetlaw-district-council.toml"
        ))
        .expect("pack")
    }

    fn closed(received: &str, acknowledged: &str, answered: &str, d: Decision) -> ComplaintFacts {
        ComplaintFacts {
            received_unix_ms: ms(received),
            channel: "letter".to_owned(),
            state: CaseState::Closed,
            decision: Some(d),
            acknowledged_unix_ms: Some(ms(acknowledged)),
            closed_unix_ms: Some(ms(answered)),
            appeal: None,
        }
    }

    /// BDC-21: the year's complaints by the month received — how many, acknowledged and
    /// answered in time (five and fifteen working days, over Christmas), how they ended,
    /// appeals, and how they came; a complaint from another year is not counted.
    #[test]
    fn bdc_21_a_years_complaints_are_counted_by_month_outcome_and_time() {
        let pack = council();
        let calendar = crate::calendar::Calendar::new(pack.nation);
        let mut upheld = closed(
            "2026-12-21T10:00:00Z",
            "2026-12-30T09:00:00Z",
            "2027-01-14T12:00:00Z",
            Decision::Upheld,
        );
        upheld.channel = "public-form".to_owned();
        let mut late_ack = closed(
            "2026-12-21T10:00:00Z",
            "2026-12-31T09:00:00Z",
            "2027-01-15T12:00:00Z",
            Decision::NotUpheld,
        );
        late_ack.state = CaseState::AppealDecided;
        late_ack.appeal = Some(Some(AppealOutcome::Upheld));
        let open = ComplaintFacts {
            received_unix_ms: ms("2026-03-02T10:00:00Z"),
            channel: "email".to_owned(),
            state: CaseState::InProgress,
            decision: None,
            acknowledged_unix_ms: None,
            closed_unix_ms: None,
            appeal: None,
        };
        let other_year = closed(
            "2025-12-01T10:00:00Z",
            "2025-12-02T10:00:00Z",
            "2025-12-03T10:00:00Z",
            Decision::Upheld,
        );
        let f = figures(
            2026,
            &[upheld, late_ack, open, other_year],
            &pack,
            &calendar,
            ms("2027-02-01T09:00:00Z"),
        )
        .expect("figures");
        let dec = &f.months[11];
        assert_eq!(dec.month, "2026-12");
        assert_eq!(
            (
                dec.received,
                dec.acknowledged_in_time,
                dec.answered_in_time,
                dec.late,
                dec.upheld,
                dec.not_upheld,
                dec.appealed,
                dec.appeals_upheld
            ),
            (2, 1, 1, 1, 1, 1, 1, 1)
        );
        let march = &f.months[2];
        assert_eq!((march.received, march.open, march.late), (1, 1, 1));
        assert_eq!(f.total.received, 3);
        assert_eq!(f.channels[0].1, 1);
        assert_eq!(f.channels.len(), 3);
        let text = csv(&f);
        assert!(
            text.starts_with("Month,Received,Acknowledged in time"),
            "{text}"
        );
        assert!(
            text.contains("2026-12,2,1,1,1,1,0,1,0,0,0,1,1\r\n"),
            "{text}"
        );
        assert!(
            text.trim_end().ends_with("Total,3,1,1,2,1,0,1,0,0,1,1,1"),
            "{text}"
        );
    }
}
