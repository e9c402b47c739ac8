//! Personal data breaches under UK GDPR Articles 33 and 34 (ALT-18): how the risk to people
//! is assessed, what each assessment obliges the controller to do, when the Information
//! Commissioner's Office (ICO) must be notified, what the notification says, and why the
//! people affected may go untold.
//!
//! Invariants:
//! - Pure: no I/O, no clock reads. "Now" and every instant are arguments in Unix
//!   milliseconds (UTC); times are shown in UK time.
//! - The notification deadline is counted by [`crate::calendar`] from the instant the
//!   controller became aware, by the pack's rule (`hours:72` in every shipped pack): 72 real
//!   hours, every day counting (weekends and bank holidays included), whatever the clocks do
//!   in between. Late means sent at or after the instant the deadline passes, as for cases.
//! - The duties follow from the risk level alone ([`duties`]): the ICO is notified unless the
//!   breach is unlikely to result in a risk to people's rights and freedoms (Art 33(1)); the
//!   people affected are told when it is likely to result in a high risk (Art 34(1)).
//! - Every decision carries its reasons in writing: an [`Assessment`] cannot be made without
//!   them; not notifying the ICO needs a recorded reason (Art 33(5)); not telling people
//!   despite a high risk needs one of the Art 34(3) exceptions ([`TellingException`]) and
//!   what makes it apply ([`check_outcome`]).
//! - A notification ([`IcoNotification`]) is checked as a whole and every problem is given at
//!   once, each saying what to write and the clause it comes from: each of Art 33(3)(a)–(d)
//!   is given, or marked "to follow" in an initial notification only (Art 33(4)); a
//!   notification sent after the deadline gives the reasons for the delay (Art 33(1)).

use custos_base::UnixMs;
use jiff::Timestamp;

use crate::calendar::{Calendar, CalendarError, Deadline};
use crate::deadline::DeadlineRule;
use crate::disclosure::MIN_REASON_CHARS;
use crate::pdf::{self, Block};

/// One hour, in milliseconds.
const HOUR_MS: i64 = 60 * 60 * 1000;

/// Why a breach record could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BreachError {
    /// An assessment without its reasons.
    #[error(
        "the risk assessment needs its reasons in writing (at least {MIN_REASON_CHARS} characters): say what personal data was involved, whose, how many people, and why the breach is {level}",
        level = level.describe()
    )]
    NoReasons {
        /// The level assessed.
        level: RiskLevel,
    },
}

kebab_enum! {
    /// How likely a breach is to harm the rights and freedoms of the people whose data it
    /// concerns (UK GDPR Articles 33(1) and 34(1)).
    RiskLevel, "risk level" {
        /// Unlikely to result in a risk: recorded, not notified (Art 33(1), 33(5)).
        Unlikely = "unlikely",
        /// Likely to result in a risk: the ICO is notified (Art 33(1)).
        Risk = "risk",
        /// Likely to result in a high risk: the ICO is notified and the people affected are
        /// told (Art 34(1)).
        HighRisk = "high-risk",
    }
}

impl RiskLevel {
    /// The level in words, to follow "the breach is", e.g. "likely to result in a high risk
    /// to people's rights and freedoms".
    pub fn describe(self) -> &'static str {
        match self {
            Self::Unlikely => "unlikely to result in a risk to people's rights and freedoms",
            Self::Risk => "likely to result in a risk to people's rights and freedoms",
            Self::HighRisk => "likely to result in a high risk to people's rights and freedoms",
        }
    }
}

/// The controller's assessment of the risk a breach poses, with its reasons. Made only by
/// [`Assessment::new`], so an assessment always says why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    level: RiskLevel,
    reasons: String,
}

impl Assessment {
    /// The assessment at `level` for `reasons` (trimmed), refused when the reasons are
    /// shorter than [`MIN_REASON_CHARS`] characters.
    pub fn new(level: RiskLevel, reasons: &str) -> Result<Self, BreachError> {
        let reasons = reasons.trim();
        if reasons.chars().count() < MIN_REASON_CHARS {
            return Err(BreachError::NoReasons { level });
        }
        Ok(Self {
            level,
            reasons: reasons.to_owned(),
        })
    }

    /// The level assessed.
    pub fn level(&self) -> RiskLevel {
        self.level
    }

    /// Why, in the assessor's words.
    pub fn reasons(&self) -> &str {
        &self.reasons
    }

    /// What the assessment obliges the controller to do.
    pub fn duties(&self) -> Duties {
        duties(self.level)
    }
}

/// What a breach at a risk level obliges the controller to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duties {
    /// Notify the ICO within the deadline (Art 33(1)); when false, the reason for not
    /// notifying must be recorded (Art 33(5)).
    pub notify_ico: bool,
    /// Tell the people affected without undue delay (Art 34(1)), unless an exception in
    /// Art 34(3) applies.
    pub tell_people: bool,
}

/// The duties at `level`: the ICO is notified unless the breach is unlikely to result in a
/// risk (Art 33(1)); the people affected are told when it is likely to result in a high risk
/// (Art 34(1)).
pub fn duties(level: RiskLevel) -> Duties {
    Duties {
        notify_ico: level != RiskLevel::Unlikely,
        tell_people: level == RiskLevel::HighRisk,
    }
}

/// The instant `unix_ms` as a timestamp; a time outside jiff's range (beyond the year 9999
/// either way) is outside the calendar's years too.
fn timestamp(unix_ms: i64) -> Result<Timestamp, CalendarError> {
    Timestamp::from_millisecond(unix_ms).map_err(|_| CalendarError::OutOfRange {
        date: if unix_ms < 0 {
            jiff::civil::Date::MIN
        } else {
            jiff::civil::Date::MAX
        },
    })
}

/// When the ICO must be notified of a breach the controller became aware of at
/// `aware_unix_ms`, by the pack's `rule` (`deadlines.breach_notification`, `hours:72` as the
/// law has it: real elapsed hours, so a clock change moves the clock time of the deadline,
/// not its length, and weekends and bank holidays count like any other day).
pub fn notification_due(
    aware_unix_ms: i64,
    rule: &DeadlineRule,
    calendar: &Calendar,
) -> Result<Deadline, CalendarError> {
    calendar.due(rule.clone(), timestamp(aware_unix_ms)?)
}

/// How long is left until a deadline, or how long it is overdue, as a page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Countdown {
    ms_left: i64,
}

impl Countdown {
    /// The time from `now_unix_ms` until the deadline passes at `due_unix_ms`.
    pub fn between(due_unix_ms: i64, now_unix_ms: i64) -> Self {
        Self {
            ms_left: due_unix_ms.saturating_sub(now_unix_ms),
        }
    }

    /// Milliseconds left; zero or less once the deadline has passed.
    pub fn ms_left(&self) -> i64 {
        self.ms_left
    }

    /// Whole hours left, rounded towards zero: negative once overdue (−3 when 3 hours and
    /// some minutes overdue), 0 within the last hour either side.
    pub fn hours_left(&self) -> i64 {
        self.ms_left / HOUR_MS
    }

    /// Whether the deadline has passed (at its instant, it has).
    pub fn is_overdue(&self) -> bool {
        self.ms_left <= 0
    }

    /// In words: "41 hours left", "1 hour left", "less than an hour left", "overdue by less
    /// than an hour", "overdue by 3 hours". Hours are whole hours, never rounded up.
    pub fn describe(&self) -> String {
        let hours = self.hours_left().abs();
        if self.is_overdue() {
            format!("overdue by {}", hours_words(hours))
        } else {
            format!("{} left", hours_words(hours))
        }
    }
}

impl std::fmt::Display for Countdown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// The countdown to `deadline` at `now_unix_ms`, e.g. "41 hours left" or "overdue by 3
/// hours" ([`Countdown::describe`]).
pub fn hours_left(deadline: &Deadline, now_unix_ms: i64) -> Result<Countdown, CalendarError> {
    let due = deadline.due.passes_at()?.as_millisecond();
    Ok(Countdown::between(due, now_unix_ms))
}

/// Whole hours in words: "less than an hour", "1 hour", "41 hours".
fn hours_words(hours: i64) -> String {
    match hours {
        0 => "less than an hour".to_owned(),
        1 => "1 hour".to_owned(),
        n => format!("{n} hours"),
    }
}

kebab_enum! {
    /// Why the people affected by a high-risk breach need not be told directly (UK GDPR
    /// Article 34(3)).
    TellingException, "exception to telling people" {
        /// The data were made unintelligible to anyone not authorised to see them, such as
        /// by encryption, before the breach (Art 34(3)(a)).
        Unintelligible = "unintelligible",
        /// Measures taken since mean the high risk is no longer likely to materialise
        /// (Art 34(3)(b)).
        RiskNoLongerLikely = "risk-no-longer-likely",
        /// Telling each person would take disproportionate effort, so the public are told
        /// instead, as effectively (Art 34(3)(c)).
        DisproportionateEffort = "disproportionate-effort",
    }
}

impl TellingException {
    /// The exception in words, for the breach record.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Unintelligible => {
                "the personal data were protected so that they are unintelligible to anyone not authorised to see them, such as by encryption (UK GDPR Article 34(3)(a))"
            }
            Self::RiskNoLongerLikely => {
                "measures taken since the breach mean the high risk to people's rights and freedoms is no longer likely to materialise (UK GDPR Article 34(3)(b))"
            }
            Self::DisproportionateEffort => {
                "telling each person would involve disproportionate effort, so the public are told instead, in a way that informs them as effectively (UK GDPR Article 34(3)(c))"
            }
        }
    }

    /// Whether the people must still be informed by a public communication instead
    /// (Art 34(3)(c)).
    pub fn needs_public_communication(self) -> bool {
        self == Self::DisproportionateEffort
    }

    /// What the record must say for the exception to apply, for a problem message.
    fn needs(self) -> &'static str {
        match self {
            Self::Unintelligible => {
                "say how the data were protected (e.g. the encryption used) and that the key was not compromised"
            }
            Self::RiskNoLongerLikely => {
                "say what was done after the breach and why the high risk is no longer likely"
            }
            Self::DisproportionateEffort => {
                "say why telling each person is disproportionate, and how and when the public were told instead"
            }
        }
    }
}

/// Whether the people affected were told (Art 34).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeopleDecision {
    /// The people affected were told, in clear and plain language (Art 34(1), (2)).
    Told,
    /// Not told directly because an exception applies, with what makes it apply (and, for
    /// disproportionate effort, how the public were told instead).
    NotTold {
        /// Which exception.
        exception: TellingException,
        /// Why it applies, in words.
        details: String,
    },
    /// Not told, because the breach is not likely to result in a high risk.
    NotRequired,
}

/// What the controller decided about a breach, for the breach record (Art 33(5)).
#[derive(Debug, Clone, Copy)]
pub struct Outcome<'a> {
    /// The assessment of the risk.
    pub assessment: &'a Assessment,
    /// Whether the ICO is notified.
    pub notify_ico: bool,
    /// Why not, when it is not (Art 33(5)); blank when it is.
    pub why_not_notified: &'a str,
    /// Whether the people affected were told.
    pub people: &'a PeopleDecision,
}

/// Checks a breach's outcome against its assessment: `Ok`, or every problem, each saying
/// what to do and the clause.
pub fn check_outcome(o: &Outcome) -> Result<(), Vec<String>> {
    let level = o.assessment.level();
    let duties = duties(level);
    let mut problems = Vec::new();
    if duties.notify_ico && !o.notify_ico {
        problems.push(format!(
            "the assessment finds the breach {}, so the ICO must be notified within 72 hours of becoming aware of it (UK GDPR Article 33(1)); notify the ICO, or record a new assessment with its reasons",
            level.describe()
        ));
    }
    if !o.notify_ico && o.why_not_notified.trim().chars().count() < MIN_REASON_CHARS {
        problems.push(
            "a decision not to notify the ICO needs its reason in writing, kept with the breach record (UK GDPR Article 33(5)): say why the breach is unlikely to result in a risk to people's rights and freedoms"
                .to_owned(),
        );
    }
    match o.people {
        PeopleDecision::NotRequired if duties.tell_people => problems.push(format!(
            "the assessment finds the breach {}, so the people affected must be told without undue delay (UK GDPR Article 34(1)); record that they were told, or which exception in Article 34(3) applies and why",
            level.describe()
        )),
        PeopleDecision::NotTold { exception, details }
            if details.trim().chars().count() < MIN_REASON_CHARS =>
        {
            problems.push(format!(
                "not telling the people affected because {} needs the facts that make it apply: {}",
                exception.describe(),
                exception.needs()
            ));
        }
        _ => {}
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

kebab_enum! {
    /// Whether a notification gives everything or comes in phases (Art 33(4)).
    Phase, "notification phase" {
        /// The first notification, sent within the deadline while some information is not
        /// yet known: fields may be "to follow".
        Initial = "initial",
        /// A notification that gives everything Art 33(3) asks for.
        Complete = "complete",
    }
}

/// A piece of information a notification gives, or will give later (Art 33(4)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Info<T> {
    /// Given now.
    Given(T),
    /// Not yet known; to follow in a further notification (an initial notification only).
    ToFollow,
}

/// The contact point for the ICO: the Data Protection Officer or another (Art 33(3)(b)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// The person's name, and role if wanted (e.g. "Jane Doe, Data Protection Officer").
    pub name: String,
    /// How to reach them: e-mail, telephone, postal address (lines separated by newlines).
    pub details: String,
}

/// A notification of a personal data breach to the ICO (UK GDPR Article 33(3)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcoNotification {
    /// The controller's name.
    pub controller_name: String,
    /// Initial (some information to follow) or complete (Art 33(4)).
    pub phase: Phase,
    /// (a) What happened: the nature of the breach.
    pub what_happened: Info<String>,
    /// (a) The categories of people concerned, e.g. "pupils, staff and visitors".
    pub subject_categories: Info<String>,
    /// (a) The approximate number of people concerned.
    pub subjects_approx: Info<u64>,
    /// (a) The categories of personal data records concerned, e.g. "CCTV recordings of the
    /// main entrance".
    pub record_categories: Info<String>,
    /// (a) The approximate number of personal data records concerned.
    pub records_approx: Info<u64>,
    /// (b) The Data Protection Officer or other contact point.
    pub contact: Contact,
    /// (c) The likely consequences of the breach.
    pub consequences: Info<String>,
    /// (d) The measures taken or proposed to address the breach, including those to mitigate
    /// its possible adverse effects.
    pub measures: Info<String>,
    /// When the controller became aware of the breach.
    pub aware_unix_ms: i64,
    /// When the notification is sent.
    pub sent_unix_ms: i64,
    /// Why it is sent after the deadline (Art 33(1)); blank when it is in time.
    pub delay_reasons: String,
}

/// The words printed for information to follow.
const TO_FOLLOW: &str = "To follow: not yet known; it will be given in a further notification without undue further delay (UK GDPR Article 33(4)).";

impl IcoNotification {
    /// Checks the notification against the deadline for `rule` on `calendar`: `Ok`, or every
    /// problem at once, each saying what to write and the clause.
    pub fn validate(&self, rule: &DeadlineRule, calendar: &Calendar) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        if self.controller_name.trim().is_empty() {
            problems.push(
                "the controller's name is blank; give the organisation's name as registered with the ICO"
                    .to_owned(),
            );
        }
        let texts = [
            (
                &self.what_happened,
                "(a) what happened",
                "describe what happened, how and when",
            ),
            (
                &self.subject_categories,
                "(a) the categories of people concerned",
                "say whose data it is, e.g. pupils, staff, visitors or members of the public",
            ),
            (
                &self.record_categories,
                "(a) the categories of personal data records concerned",
                "say what records are concerned, e.g. CCTV recordings of which cameras and when",
            ),
            (
                &self.consequences,
                "(c) the likely consequences",
                "say what could happen to the people concerned as a result",
            ),
            (
                &self.measures,
                "(d) the measures taken or proposed",
                "say what has been done or will be done about the breach, including to limit its possible harm to the people concerned",
            ),
        ];
        for (info, what, how) in texts {
            match info {
                Info::Given(text) if text.trim().is_empty() => problems.push(format!(
                    "{what} is blank; {how} (UK GDPR Article 33(3)), or mark it to follow in an initial notification"
                )),
                Info::Given(_) => {}
                Info::ToFollow => self.to_follow(what, &mut problems),
            }
        }
        let numbers = [
            (
                &self.subjects_approx,
                "(a) the approximate number of people concerned",
            ),
            (
                &self.records_approx,
                "(a) the approximate number of records concerned",
            ),
        ];
        for (info, what) in numbers {
            match info {
                Info::Given(0) => problems.push(format!(
                    "{what} is 0; give an estimate of at least 1 (UK GDPR Article 33(3)(a)), or mark it to follow in an initial notification"
                )),
                Info::Given(_) => {}
                Info::ToFollow => self.to_follow(what, &mut problems),
            }
        }
        if self.contact.name.trim().is_empty() {
            problems.push(
                "(b) the contact point has no name; give the name of the Data Protection Officer or other person the ICO can ask for more information (UK GDPR Article 33(3)(b))"
                    .to_owned(),
            );
        }
        if self.contact.details.trim().is_empty() {
            problems.push(
                "(b) the contact point has no contact details; give the Data Protection Officer's or other contact point's e-mail address and telephone number (UK GDPR Article 33(3)(b))"
                    .to_owned(),
            );
        }
        if self.sent_unix_ms < self.aware_unix_ms {
            problems.push(format!(
                "the notification is sent at {}, before the controller became aware of the breach at {}; check both times",
                uk_time(self.sent_unix_ms),
                uk_time(self.aware_unix_ms)
            ));
        }
        let due = notification_due(self.aware_unix_ms, rule, calendar)
            .and_then(|d| Ok((hours_left(&d, self.sent_unix_ms)?, d)));
        match due {
            Ok((countdown, deadline)) => {
                let reasons = self.delay_reasons.trim().chars().count();
                if countdown.is_overdue() && reasons < MIN_REASON_CHARS {
                    problems.push(format!(
                        "this notification is sent {} after the controller became aware of the breach, later than the {} allowed (it was due by {}), so it must give the reasons for the delay (UK GDPR Article 33(1)); write why it could not be sent in time",
                        hours_words(self.sent_unix_ms.saturating_sub(self.aware_unix_ms) / HOUR_MS),
                        rule.describe(),
                        deadline.due.describe()
                    ));
                }
            }
            Err(e) => problems.push(format!(
                "the deadline for notifying the ICO cannot be worked out from the time the controller became aware of the breach: {e}"
            )),
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// The problem for `what` marked to follow, unless this is an initial notification.
    fn to_follow(&self, what: &str, problems: &mut Vec<String>) {
        if self.phase != Phase::Initial {
            problems.push(format!(
                "{what} is marked to follow, but only an initial notification may leave information to follow (UK GDPR Article 33(4)); give it now, or send this as an initial notification"
            ));
        }
    }

    /// The notification's title.
    pub fn title(&self) -> String {
        match self.phase {
            Phase::Initial => {
                "Personal data breach: initial notification to the Information Commissioner's Office"
                    .to_owned()
            }
            Phase::Complete => {
                "Personal data breach: notification to the Information Commissioner's Office"
                    .to_owned()
            }
        }
    }

    /// The notification as titled sections of paragraphs, in the shape of
    /// [`crate::letter::Letter::sections`], so it can be sent as a letter, a PDF or plain
    /// text: who is notifying, (a) to (d) of Article 33(3), when the controller became aware
    /// and when it notified, and the reasons for any delay.
    pub fn sections(&self) -> Vec<(Option<String>, Vec<String>)> {
        let text = |info: &Info<String>| match info {
            Info::Given(t) => t.trim().to_owned(),
            Info::ToFollow => TO_FOLLOW.to_owned(),
        };
        let number = |info: &Info<u64>| match info {
            Info::Given(n) => format!("about {n}"),
            Info::ToFollow => TO_FOLLOW.to_owned(),
        };
        let mut about = vec![format!(
            "{} notifies the Information Commissioner's Office of a personal data breach under UK GDPR Article 33.",
            self.controller_name.trim()
        )];
        about.push(match self.phase {
            Phase::Initial => "This is an initial notification, sent while some information is not yet known (UK GDPR Article 33(4)). Information marked \"To follow\" will be given in a further notification without undue further delay.".to_owned(),
            Phase::Complete => "This notification gives the information UK GDPR Article 33(3) asks for.".to_owned(),
        });
        let mut sections = vec![
            (Some("About this notification".to_owned()), about),
            (
                Some("(a) The nature of the breach (UK GDPR Article 33(3)(a))".to_owned()),
                vec![
                    text(&self.what_happened),
                    format!(
                        "Categories of people concerned: {}",
                        text(&self.subject_categories)
                    ),
                    format!(
                        "Approximate number of people concerned: {}",
                        number(&self.subjects_approx)
                    ),
                    format!(
                        "Categories of personal data records concerned: {}",
                        text(&self.record_categories)
                    ),
                    format!(
                        "Approximate number of personal data records concerned: {}",
                        number(&self.records_approx)
                    ),
                ],
            ),
            (
                Some(
                    "(b) The Data Protection Officer or other contact point (UK GDPR Article 33(3)(b))"
                        .to_owned(),
                ),
                vec![
                    format!("Name: {}", self.contact.name.trim()),
                    format!(
                        "Contact details: {}",
                        self.contact
                            .details
                            .lines()
                            .map(str::trim)
                            .filter(|l| !l.is_empty())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ],
            ),
            (
                Some("(c) The likely consequences of the breach (UK GDPR Article 33(3)(c))".to_owned()),
                vec![text(&self.consequences)],
            ),
            (
                Some(
                    "(d) The measures taken or proposed, including to mitigate possible adverse effects (UK GDPR Article 33(3)(d))"
                        .to_owned(),
                ),
                vec![text(&self.measures)],
            ),
            (
                Some("When the breach became known and when it was notified".to_owned()),
                vec![
                    format!(
                        "The controller became aware of the breach at {}.",
                        uk_time(self.aware_unix_ms)
                    ),
                    format!(
                        "This notification is sent at {}, {} later.",
                        uk_time(self.sent_unix_ms),
                        hours_words(
                            self.sent_unix_ms.saturating_sub(self.aware_unix_ms).max(0) / HOUR_MS
                        )
                    ),
                ],
            ),
        ];
        if !self.delay_reasons.trim().is_empty() {
            sections.push((
                Some("Reasons for the delay (UK GDPR Article 33(1))".to_owned()),
                vec![self.delay_reasons.trim().to_owned()],
            ));
        }
        sections
    }

    /// The notification laid out once, as a document's blocks: the title and each
    /// section's heading as headings, its paragraphs as paragraphs. The plain text and
    /// the PDF are both rendered from these, so they say the same.
    pub fn blocks(&self) -> Vec<Block> {
        let mut blocks = vec![Block::Heading(self.title())];
        for (heading, paragraphs) in self.sections() {
            blocks.extend(heading.map(Block::Heading));
            blocks.extend(paragraphs.into_iter().map(Block::Paragraph));
        }
        blocks
    }

    /// The notification as plain text: the title, then each section's heading and
    /// paragraphs, separated by blank lines; lines end in `\n`.
    pub fn plain_text(&self) -> String {
        let mut t = String::new();
        for block in self.blocks() {
            match block {
                Block::Heading(text) | Block::Paragraph(text) | Block::Line(text) => {
                    t.push_str(&text);
                    t.push_str("\n\n");
                }
                Block::Space => t.push('\n'),
            }
        }
        t.truncate(t.trim_end().len());
        t.push('\n');
        t
    }

    /// The notification as a PDF file (A4), stamped as created at `created`: the same
    /// blocks as [`IcoNotification::plain_text`].
    pub fn to_pdf(&self, created: jiff::Timestamp) -> Vec<u8> {
        pdf::render(&self.title(), &self.blocks(), created)
    }
}

/// An instant in UK time for people, e.g. "10:00 GMT on Saturday 27 March 2027".
fn uk_time(unix_ms: i64) -> String {
    match (timestamp(unix_ms), crate::calendar::uk_time_zone()) {
        (Ok(t), Ok(tz)) => t
            .to_zoned(tz)
            .strftime("%H:%M %Z on %A %-d %B %Y")
            .to_string(),
        _ => UnixMs(unix_ms).to_rfc3339(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Nation;
    use crate::calendar::Due;

    /// A UK local time `YYYY-MM-DDTHH:MM` in Unix milliseconds.
    fn uk(text: &str) -> i64 {
        UnixMs::parse_uk_local(text).expect(text).0
    }

    fn calendar() -> Calendar {
        Calendar::new(Nation::EnglandWales)
    }

    fn rule() -> DeadlineRule {
        "hours:72".parse().expect("rule")
    }

    /// The instant the notification for a breach known at `aware` is due.
    fn due(aware: &str) -> i64 {
        let d = notification_due(uk(aware), &rule(), &calendar()).expect("deadline");
        match d.due {
            Due::Instant(t) => t.as_millisecond(),
            Due::Day(day) => panic!("an hour rule gave a day: {day}"),
        }
    }

    fn complete(aware: &str, sent: &str) -> IcoNotification {
        IcoNotification {
            controller_name: "Bosmere Junior School".to_owned(),
            phase: Phase::Complete,
            what_happened: Info::Given(
                "A laptop holding an unencrypted export of playground footage was stolen from a car."
                    .to_owned(),
            ),
            subject_categories: Info::Given("pupils and staff".to_owned()),
            subjects_approx: Info::Given(120),
            record_categories: Info::Given(
                "CCTV recordings of the playground cameras, 3 to 5 March".to_owned(),
            ),
            records_approx: Info::Given(3),
            contact: Contact {
                name: "Jane Doe, Data Protection Officer".to_owned(),
                details: "dpo@bosmere.example\n01473 000000".to_owned(),
            },
            consequences: Info::Given(
                "Pupils could be identified and located by whoever holds the footage.".to_owned(),
            ),
            measures: Info::Given(
                "Reported to the police; exports are now encrypted; parents have been told."
                    .to_owned(),
            ),
            aware_unix_ms: uk(aware),
            sent_unix_ms: uk(sent),
            delay_reasons: String::new(),
        }
    }

    fn problems(n: &IcoNotification) -> Vec<String> {
        n.validate(&rule(), &calendar())
            .expect_err("should be refused")
    }

    #[test]
    fn alt_18_a_breach_is_due_at_the_ico_72_hours_after_awareness_across_the_clock_change() {
        // The clocks go forward at 01:00 GMT on Sunday 28 March 2027.
        let aware = uk("2027-03-27T10:00");
        let due_unix_ms = due("2027-03-27T10:00");
        assert_eq!(due_unix_ms, uk("2027-03-30T11:00"));
        assert_eq!(due_unix_ms - aware, 72 * HOUR_MS);
        assert_eq!(uk_time(due_unix_ms), "11:00 BST on Tuesday 30 March 2027");
        let d = notification_due(aware, &rule(), &calendar()).expect("deadline");
        assert!(d.explain().contains("the clocks change"), "{}", d.explain());
    }

    #[test]
    fn alt_18_a_breach_is_due_72_real_hours_later_when_the_clocks_go_back() {
        // The clocks go back at 01:00 GMT on Sunday 25 October 2026.
        let aware = uk("2026-10-24T12:00");
        assert_eq!(uk_time(aware), "12:00 BST on Saturday 24 October 2026");
        let due_unix_ms = due("2026-10-24T12:00");
        assert_eq!(due_unix_ms, uk("2026-10-27T11:00"));
        assert_eq!(due_unix_ms - aware, 72 * HOUR_MS);
        assert_eq!(uk_time(due_unix_ms), "11:00 GMT on Tuesday 27 October 2026");
    }

    #[test]
    fn alt_18_the_72_hours_count_every_day_over_christmas_and_new_year() {
        assert_eq!(due("2026-12-24T09:00"), uk("2026-12-27T09:00"));
        assert_eq!(due("2026-12-30T17:30"), uk("2027-01-02T17:30"));
        // A weekend counts too.
        assert_eq!(due("2026-11-27T16:00"), uk("2026-11-30T16:00"));
    }

    #[test]
    fn alt_18_the_countdown_says_the_hours_left_and_overdue() {
        let aware = uk("2026-11-02T09:00");
        let d = notification_due(aware, &rule(), &calendar()).expect("deadline");
        let at = |now: i64| hours_left(&d, now).expect("countdown");
        let c = at(aware + 31 * HOUR_MS - 1);
        assert_eq!((c.hours_left(), c.is_overdue()), (41, false));
        assert_eq!(c.to_string(), "41 hours left");
        assert_eq!(at(aware + 71 * HOUR_MS).describe(), "1 hour left");
        assert_eq!(
            at(aware + 72 * HOUR_MS - 60_000).describe(),
            "less than an hour left"
        );
        let now = at(aware + 72 * HOUR_MS);
        assert!(now.is_overdue());
        assert_eq!(now.describe(), "overdue by less than an hour");
        let late = at(aware + 75 * HOUR_MS + 20 * 60_000);
        assert_eq!(late.hours_left(), -3);
        assert_eq!(late.describe(), "overdue by 3 hours");
    }

    #[test]
    fn alt_18_the_duties_follow_from_the_risk_level() {
        assert_eq!(
            duties(RiskLevel::Unlikely),
            Duties {
                notify_ico: false,
                tell_people: false
            }
        );
        assert_eq!(
            duties(RiskLevel::Risk),
            Duties {
                notify_ico: true,
                tell_people: false
            }
        );
        assert_eq!(
            duties(RiskLevel::HighRisk),
            Duties {
                notify_ico: true,
                tell_people: true
            }
        );
        for level in RiskLevel::ALL {
            assert_eq!(level.as_str().parse(), Ok(*level));
            assert!(level.describe().contains("rights and freedoms"));
        }
        assert_eq!(RiskLevel::HighRisk.as_str(), "high-risk");
    }

    #[test]
    fn alt_18_an_assessment_needs_its_reasons() {
        let e = Assessment::new(RiskLevel::Risk, "  bad ").expect_err("no reasons");
        let text = e.to_string();
        assert!(text.contains("needs its reasons in writing"), "{text}");
        assert!(text.contains("how many people"), "{text}");
        assert!(text.contains("likely to result in a risk"), "{text}");
        let a = Assessment::new(RiskLevel::HighRisk, " Footage of pupils was stolen. ")
            .expect("assessment");
        assert_eq!(a.reasons(), "Footage of pupils was stolen.");
        assert!(a.duties().tell_people);
    }

    #[test]
    fn alt_18_not_notifying_the_ico_needs_a_recorded_reason() {
        let unlikely = Assessment::new(
            RiskLevel::Unlikely,
            "An encrypted USB stick was lost and found unopened the same day.",
        )
        .expect("assessment");
        let outcome = |why: &'static str| Outcome {
            assessment: &unlikely,
            notify_ico: false,
            why_not_notified: why,
            people: &PeopleDecision::NotRequired,
        };
        let e = check_outcome(&outcome(" ")).expect_err("no reason");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].contains("not to notify the ICO needs its reason"),
            "{e:?}"
        );
        assert!(e[0].contains("Article 33(5)"), "{e:?}");
        assert_eq!(
            check_outcome(&outcome(
                "The data were encrypted and the stick was recovered unopened."
            )),
            Ok(())
        );

        let risk = Assessment::new(
            RiskLevel::Risk,
            "Footage of a car park was e-mailed to the wrong person.",
        )
        .expect("assessment");
        let e = check_outcome(&Outcome {
            assessment: &risk,
            notify_ico: false,
            why_not_notified: "",
            people: &PeopleDecision::NotRequired,
        })
        .expect_err("must notify");
        assert!(e[0].contains("must be notified within 72 hours"), "{e:?}");
        assert!(e[1].contains("needs its reason"), "{e:?}");
    }

    #[test]
    fn alt_18_a_high_risk_breach_tells_people_unless_an_exception_applies() {
        let high = Assessment::new(
            RiskLevel::HighRisk,
            "Footage of pupils was published on social media.",
        )
        .expect("assessment");
        let outcome = |people: &'static PeopleDecision| Outcome {
            assessment: &high,
            notify_ico: true,
            why_not_notified: "",
            people,
        };
        assert_eq!(check_outcome(&outcome(&PeopleDecision::Told)), Ok(()));
        let e = check_outcome(&outcome(&PeopleDecision::NotRequired)).expect_err("untold");
        assert!(e[0].contains("must be told without undue delay"), "{e:?}");
        assert!(e[0].contains("Article 34(1)"), "{e:?}");

        static SHORT: PeopleDecision = PeopleDecision::NotTold {
            exception: TellingException::DisproportionateEffort,
            details: String::new(),
        };
        let e = check_outcome(&outcome(&SHORT)).expect_err("no details");
        assert!(e[0].contains("how and when the public were told"), "{e:?}");
        assert!(e[0].contains("Article 34(3)(c)"), "{e:?}");
        assert!(TellingException::DisproportionateEffort.needs_public_communication());
        assert!(!TellingException::Unintelligible.needs_public_communication());
        for e in TellingException::ALL {
            assert!(e.describe().contains("Article 34(3)"));
            assert_eq!(e.as_str().parse(), Ok(*e));
        }
    }

    #[test]
    fn alt_18_a_notification_in_time_with_everything_is_accepted() {
        let n = complete("2027-03-27T10:00", "2027-03-30T10:59");
        assert_eq!(n.validate(&rule(), &calendar()), Ok(()));
    }

    #[test]
    fn alt_18_a_notification_without_a_contact_point_is_refused() {
        let mut n = complete("2027-03-27T10:00", "2027-03-28T10:00");
        n.contact = Contact {
            name: " ".to_owned(),
            details: String::new(),
        };
        let e = problems(&n);
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].contains("no name"), "{e:?}");
        assert!(e[0].contains("Data Protection Officer"), "{e:?}");
        assert!(e[1].contains("no contact details"), "{e:?}");
        assert!(e.iter().all(|p| p.contains("Article 33(3)(b)")), "{e:?}");
    }

    #[test]
    fn alt_18_a_late_notification_needs_the_reasons_for_the_delay() {
        // Due at 11:00 BST on 30 March 2027; sent at 11:00 it is late.
        let mut n = complete("2027-03-27T10:00", "2027-03-30T11:00");
        let e = problems(&n);
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("sent 72 hours after"), "{e:?}");
        assert!(e[0].contains("reasons for the delay"), "{e:?}");
        assert!(e[0].contains("Article 33(1)"), "{e:?}");
        assert!(e[0].contains("Tuesday 30 March 2027, 11:00"), "{e:?}");
        n.delay_reasons =
            "The theft was reported to us by the police only on the evening of 29 March."
                .to_owned();
        assert_eq!(n.validate(&rule(), &calendar()), Ok(()));
        let text = n.plain_text();
        assert!(text.contains("Reasons for the delay"), "{text}");
        assert!(text.contains("reported to us by the police"), "{text}");
    }

    #[test]
    fn alt_18_only_an_initial_notification_may_leave_information_to_follow() {
        let mut n = complete("2026-12-24T09:00", "2026-12-25T09:00");
        n.subjects_approx = Info::ToFollow;
        n.consequences = Info::ToFollow;
        let e = problems(&n);
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(
            e[0].starts_with("(c) the likely consequences is marked to follow"),
            "{e:?}"
        );
        assert!(
            e[1].starts_with("(a) the approximate number of people"),
            "{e:?}"
        );
        assert!(e.iter().all(|p| p.contains("Article 33(4)")), "{e:?}");
        n.phase = Phase::Initial;
        assert_eq!(n.validate(&rule(), &calendar()), Ok(()));
        let text = n.plain_text();
        assert!(
            text.starts_with("Personal data breach: initial notification"),
            "{text}"
        );
        assert!(text.contains("This is an initial notification"), "{text}");
        assert!(
            text.contains("Approximate number of people concerned: To follow"),
            "{text}"
        );
    }

    #[test]
    fn alt_18_validation_gives_every_problem_at_once() {
        let mut n = complete("2026-10-24T12:00", "2026-10-28T09:00");
        n.controller_name = String::new();
        n.what_happened = Info::Given("  ".to_owned());
        n.records_approx = Info::Given(0);
        n.contact.details = String::new();
        let e = problems(&n);
        assert_eq!(e.len(), 5, "{e:?}");
        assert!(e[0].contains("controller's name is blank"), "{e:?}");
        assert!(e[1].contains("(a) what happened is blank"), "{e:?}");
        assert!(e[2].contains("records concerned is 0"), "{e:?}");
        assert!(e[3].contains("no contact details"), "{e:?}");
        assert!(e[4].contains("reasons for the delay"), "{e:?}");

        let e = problems(&complete("2026-10-24T12:00", "2026-10-24T11:00"));
        assert!(e[0].contains("before the controller became aware"), "{e:?}");
    }

    #[test]
    fn alt_18_the_notification_text_gives_each_of_article_33_3_a_to_d() {
        let n = complete("2027-03-27T10:00", "2027-03-28T14:30");
        let sections = n.sections();
        let headings: Vec<&str> = sections.iter().filter_map(|(h, _)| h.as_deref()).collect();
        for clause in ["(a)", "(b)", "(c)", "(d)"] {
            assert!(
                headings
                    .iter()
                    .any(|h| h.starts_with(clause) && h.contains(&format!("Article 33(3){clause}"))),
                "{clause}: {headings:?}"
            );
        }
        let text = n.plain_text();
        for expected in [
            "Personal data breach: notification to the Information Commissioner's Office",
            "Bosmere Junior School notifies the Information Commissioner's Office",
            // (a)
            "A laptop holding an unencrypted export",
            "Categories of people concerned: pupils and staff",
            "Approximate number of people concerned: about 120",
            "Categories of personal data records concerned: CCTV recordings of the playground",
            "Approximate number of personal data records concerned: about 3",
            // (b)
            "Name: Jane Doe, Data Protection Officer",
            "Contact details: dpo@bosmere.example, 01473 000000",
            // (c)
            "Pupils could be identified",
            // (d)
            "including to mitigate possible adverse effects",
            "exports are now encrypted",
            // When.
            "became aware of the breach at 10:00 GMT on Saturday 27 March 2027",
            "sent at 14:30 BST on Sunday 28 March 2027, 27 hours later",
        ] {
            assert!(
                text.contains(expected),
                "{expected:?} missing from:\n{text}"
            );
        }
        assert!(!text.contains("Reasons for the delay"), "{text}");
        assert!(!text.contains("To follow"), "{text}");
        assert!(text.ends_with("27 hours later.\n"), "{text}");
    }

    #[test]
    fn alt_18_the_notification_as_a_pdf_has_the_same_blocks_as_its_text() {
        let mut n = complete("2027-03-27T10:00", "2027-03-30T12:00");
        n.delay_reasons = "The police told us of the theft only on 29 March.".to_owned();
        let blocks = n.blocks();
        assert_eq!(blocks[0], Block::Heading(n.title()));
        let text = n.plain_text();
        for b in &blocks {
            if let Block::Heading(t) | Block::Paragraph(t) = b {
                assert!(text.contains(t.as_str()), "{t:?} missing from:\n{text}");
            }
        }
        let created: jiff::Timestamp = "2027-03-30T11:00:00Z".parse().expect("time");
        let bytes = n.to_pdf(created);
        assert!(bytes.starts_with(b"%PDF-1.4\n"));
        let s = String::from_utf8_lossy(&bytes);
        assert!(
            s.contains("(Reasons for the delay \\(UK GDPR Article 33\\(1\\)\\))"),
            "{s}"
        );
        assert!(
            s.contains("/Title (Personal data breach: notification"),
            "{s}"
        );
        assert_eq!(bytes, n.to_pdf(created), "deterministic");
    }
}
