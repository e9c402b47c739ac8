-- Personal data breaches on the case engine (ALT-18, UK GDPR Articles 33–34): one row per
-- breach case, keyed by its reference. The case's received time is when the scheme became
-- aware of the breach, from which the 72 hours run. What the ICO notification says
-- (Article 33(3)(a)–(d)), the risk as assessed, whether and when the ICO and the people
-- affected were told, or why not (Article 33(5), 34(3)). Every change is ledgered.
CREATE TABLE case_breach (
    reference TEXT PRIMARY KEY REFERENCES cases (reference),
    risk_level TEXT,
    risk_reasons TEXT,
    nature TEXT NOT NULL DEFAULT '',
    subject_categories TEXT NOT NULL DEFAULT '',
    subjects_approx BIGINT,
    record_categories TEXT NOT NULL DEFAULT '',
    records_approx BIGINT,
    consequences TEXT NOT NULL DEFAULT '',
    measures TEXT NOT NULL DEFAULT '',
    ico_notified_at_unix_ms BIGINT,
    delay_reasons TEXT,
    not_notified_reason TEXT,
    people_told_at_unix_ms BIGINT,
    people_told_how TEXT,
    people_exception TEXT,
    people_exception_details TEXT
);
