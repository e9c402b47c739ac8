//! The letters a case produces: the acknowledgement, the extension of the time to answer,
//! and the response, in plain, courteous British English, composed from the case's facts
//! and rendered as a standalone HTML page, as plain text and as a PDF ([`crate::pdf`]).
//!
//! Invariants: composing is a pure function of [`LetterFacts`]. A letter that cannot be
//! written correctly is refused with the reason rather than written wrongly: a response
//! needs its decision (one its case kind allows), a refusal or partial disclosure its
//! reasons (LJM-10, BDC-29), an answer its text, an extension its reason. Every extension
//! and response ends with the requester's rights: the scheme's own complaints procedure,
//! its Data Protection Officer, the Information Commissioner and the courts; refusals and
//! restrictions say that both the regulator and the courts are open (UK GDPR Art 12(4),
//! DPA 2018 s45(5)); FOI responses give the review and the Commissioner's routes instead.
//! Every piece of text is escaped in the HTML.

use std::fmt::Write as _;

use jiff::civil::Date;

use crate::case::{CaseKind, Decision};
use crate::pdf::{self, Block};

kebab_enum! {
    /// Which letter a case sends.
    LetterKind, "letter kind" {
        /// Confirms receipt, gives the reference and when the answer is due, and asks for
        /// proof of identity where it is needed.
        Acknowledgement = "acknowledgement",
        /// Says the time to answer is extended, why, and the new date (UK GDPR Art 12(3)).
        Extension = "extension",
        /// Gives the decision, its reasons and the requester's rights.
        Response = "response",
        /// Gives the outcome of an appeal against a complaint's answer: the final answer,
        /// with where to go next (LBU-25, BDC-21).
        AppealOutcome = "appeal-outcome",
    }
}

/// What an erasure did, for the response to an erasure request (BDC-30).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErasureFacts {
    /// How many recorded segments were erased.
    pub segments_erased: u64,
    /// For each hold that kept footage: a sentence saying what was kept and why, in words
    /// the requester will read.
    pub kept: Vec<String>,
}

/// The facts a letter is composed from.
#[derive(Debug, Clone)]
pub struct LetterFacts<'a> {
    /// Which letter.
    pub kind: LetterKind,
    /// The scheme's policy pack: the controller's name, address and contact points.
    pub pack: &'a crate::PolicyPack,
    /// The case's reference, e.g. `SAR-2026-0007`.
    pub reference: &'a str,
    /// What the case is.
    pub case_kind: CaseKind,
    /// The requester's name.
    pub requester_name: &'a str,
    /// The requester's postal address (lines separated by newlines) or e-mail address.
    pub requester_contact: &'a str,
    /// What the request is about, in one line.
    pub summary: &'a str,
    /// What the requester said, as recorded (a complaint's acknowledgement sends it back
    /// so they can check it, BDC-21).
    pub details: &'a str,
    /// The day the request was received.
    pub received: Date,
    /// The letter's date.
    pub date: Date,
    /// When the answer is due, in words (e.g. "Monday 29 December 2026"); not used while
    /// waiting for proof of identity, since the clock has not started.
    pub due: Option<String>,
    /// Whether the acknowledgement asks for proof of identity.
    pub awaiting_identity: bool,
    /// Why more time is needed (an extension letter).
    pub extension_reason: Option<&'a str>,
    /// The decision (a response letter).
    pub decision: Option<Decision>,
    /// The decision's reasons, or an answer's text (may be empty).
    pub reasons: &'a str,
    /// What an erasure did (a response to an erasure request).
    pub erasure: Option<ErasureFacts>,
    /// Why the request has no footage to keep or give, when the cameras covering the place
    /// hold nothing from the time given (BDC-29): the acknowledgement says so instead of
    /// promising to keep it.
    pub footage_absent: Option<crate::case::FootageAbsence>,
    /// An appeal against a complaint's answer: its grounds, outcome (once decided) and the
    /// outcome's reasons.
    pub appeal: Option<AppealFacts<'a>>,
}

/// An appeal against a complaint's answer, for the appeal outcome letter.
#[derive(Debug, Clone, Copy)]
pub struct AppealFacts<'a> {
    /// The day the appeal came.
    pub received: Date,
    /// Why the complainant appealed.
    pub grounds: &'a str,
    /// How it ended, once decided.
    pub outcome: Option<crate::case::AppealOutcome>,
    /// The outcome's reasons.
    pub reasons: &'a str,
}

/// A composed letter, ready to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    /// The letter's heading, e.g. "Our response to your request for a copy of footage of you".
    pub title: String,
    /// The sender's lines: the controller's name, address, e-mail and telephone.
    pub from: Vec<String>,
    /// The recipient's lines: name, then address or e-mail.
    pub to: Vec<String>,
    /// The letter's date in words, e.g. "Monday 29 December 2026".
    pub date: String,
    /// The case's reference.
    pub reference: String,
    /// E.g. "Dear Ms Smith,".
    pub salutation: String,
    /// The body: each section an optional heading and its paragraphs.
    pub sections: Vec<(Option<String>, Vec<String>)>,
    /// The closing lines; an empty line is a blank line (room for a signature).
    pub signoff: Vec<String>,
}

/// A letter's body: sections, each an optional heading and its paragraphs.
type Sections = Vec<(Option<String>, Vec<String>)>;

/// The Information Commissioner's Office, as given to requesters.
const ICO_CONTACT: &str = "online at ico.org.uk/make-a-complaint, by telephone on 0303 123 1113, or by post to the Information Commissioner's Office, Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF";

/// Composes the `facts.kind` letter, or says why it cannot be written.
pub fn compose(facts: &LetterFacts) -> Result<Letter, String> {
    let words = request_words(facts.case_kind);
    let (title, sections) = match facts.kind {
        LetterKind::Acknowledgement => (
            format!("Acknowledgement of your {words}"),
            acknowledgement(facts),
        ),
        LetterKind::Extension => (
            format!("More time to answer your {words}"),
            extension(facts)?,
        ),
        LetterKind::Response if facts.case_kind == CaseKind::Complaint => (
            format!("Our answer to your {words}"),
            complaint_answer(facts)?,
        ),
        LetterKind::Response => (format!("Our response to your {words}"), response(facts)?),
        LetterKind::AppealOutcome => (
            format!("The outcome of your appeal about your {words}"),
            appeal_outcome(facts)?,
        ),
    };
    let controller = &facts.pack.controller;
    let mut from = vec![controller.name.trim().to_owned()];
    from.extend(
        address_lines(&controller.address)
            .into_iter()
            .filter(|l| *l != controller.name.trim()),
    );
    if let Some(email) = controller.email.as_deref().filter(|e| !e.trim().is_empty()) {
        from.push(format!("E-mail: {}", email.trim()));
    }
    if let Some(phone) = controller.phone.as_deref().filter(|p| !p.trim().is_empty()) {
        from.push(format!("Telephone: {}", phone.trim()));
    }
    let name = facts.requester_name.trim();
    let mut to = Vec::new();
    if !name.is_empty() {
        to.push(name.to_owned());
    }
    to.extend(
        facts
            .requester_contact
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned),
    );
    let salutation = if name.is_empty() {
        "Dear Sir or Madam,".to_owned()
    } else {
        format!("Dear {name},")
    };
    let mut signoff = vec!["Yours sincerely".to_owned(), String::new()];
    let signer = first_phrase(&controller.contact_point);
    if !signer.is_empty() && signer != controller.name.trim() {
        signoff.push(signer.to_owned());
    }
    signoff.push(controller.name.trim().to_owned());
    Ok(Letter {
        title,
        from,
        to,
        date: long_date(facts.date),
        reference: facts.reference.trim().to_owned(),
        salutation,
        sections,
        signoff,
    })
}

/// The acknowledgement's body.
fn acknowledgement(facts: &LetterFacts) -> Sections {
    let kind = facts.case_kind;
    let noun = noun(kind);
    let mut first = vec![format!(
        "Thank you for your {}, which we received on {}. Our reference for it is {}; please quote it whenever you contact us about it.",
        request_words(kind),
        long_date(facts.received),
        facts.reference.trim()
    )];
    first.extend(about(facts));
    if let Some(absent) = facts.footage_absent {
        first.push(absent.for_requester());
    } else if keeps_footage(kind) {
        first.push(format!(
            "We have made sure footage that may be relevant is kept while we deal with your {noun}."
        ));
    }
    if !facts.awaiting_identity {
        first.push(
            match facts.due.as_deref().filter(|d| !d.trim().is_empty()) {
                Some(due) => format!("We will answer by {}.", due.trim()),
                None => "We will answer as soon as we can.".to_owned(),
            },
        );
    }
    let mut sections = vec![(None, first)];
    if kind == CaseKind::Complaint {
        let mut copy = vec![
            "This is your complaint as we have recorded it. Please check it, and tell us, quoting our reference, if anything is wrong or missing.".to_owned(),
        ];
        copy.extend(paragraphs(facts.details));
        sections.push((Some("Your complaint as we recorded it".to_owned()), copy));
    }
    if facts.awaiting_identity {
        let mut identity = vec![
            "Before we can start, we need proof of your identity, so that we give information about a person only to that person.".to_owned(),
            if keeps_footage(kind) && facts.footage_absent.is_none() {
                "Please send us a copy of a photographic identity document, such as a passport or a driving licence, and a recent photograph of yourself or a description of how you looked at the time (for example, what you were wearing), so that we can find you in the footage.".to_owned()
            } else {
                "Please send us a copy of a photographic identity document, such as a passport or a driving licence.".to_owned()
            },
        ];
        let mut clock = format!(
            "The time we have to answer your {noun} starts once we have your proof of identity."
        );
        if let Some(rule) = kind.deadline(facts.pack) {
            let _ = write!(
                clock,
                " Once we have it, we will answer within {}.",
                rule.describe()
            );
        }
        identity.push(clock);
        sections.push((Some("Proof of your identity".to_owned()), identity));
    }
    sections.push((
        None,
        vec![format!(
            "If you have any questions, please contact us, quoting {}.",
            facts.reference.trim()
        )],
    ));
    sections
}

/// The extension letter's body.
fn extension(facts: &LetterFacts) -> Result<Sections, String> {
    let kind = facts.case_kind;
    if !kind.checks_identity() {
        return Err(format!(
            "an extension letter extends the time to answer a data protection rights request (UK GDPR Article 12(3)); a {kind} case cannot be extended this way"
        ));
    }
    let reason = facts
        .extension_reason
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| {
            "an extension letter must say why more time is needed (UK GDPR Article 12(3)); give the reason".to_owned()
        })?;
    let mut first = vec![format!(
        "We are writing about your {}, which we received on {} (our reference {}).",
        request_words(kind),
        long_date(facts.received),
        facts.reference.trim()
    )];
    first.extend(about(facts));
    first.push(format!(
        "We need more time to answer it, for this reason: {}",
        sentence(reason)
    ));
    first.push(
        match facts.due.as_deref().filter(|d| !d.trim().is_empty()) {
            Some(due) => format!("We will now answer by {}.", due.trim()),
            None => "We will answer as soon as we can, and within the further time the law allows."
                .to_owned(),
        },
    );
    first.push(
        "The law allows us to extend the time we have to answer by up to two further months where requests are complex or numerous (UK GDPR Article 12(3)). We are sorry that this will take longer, and we will answer sooner if we can.".to_owned(),
    );
    first.push(questions(facts));
    Ok(vec![(None, first), rights(facts, None)])
}

/// The response's body.
fn response(facts: &LetterFacts) -> Result<Sections, String> {
    let kind = facts.case_kind;
    let decision = facts
        .decision
        .ok_or_else(|| "a response letter needs the decision: decide the case first".to_owned())?;
    if !kind.decisions().contains(&decision) {
        return Err(format!(
            "a {kind} case cannot be decided \"{decision}\"; its decisions are: {}",
            kind.decisions()
                .iter()
                .map(|d| d.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let reasons = paragraphs(facts.reasons);
    if reasons.is_empty() {
        match decision {
            Decision::Refuse | Decision::DiscloseInPart => {
                return Err(format!(
                    "a letter telling the requester of a decision to {decision} must give the reasons"
                ));
            }
            Decision::Answer => {
                return Err("an answer letter needs the answer, in the reasons".to_owned());
            }
            _ => {}
        }
    }
    let noun = noun(kind);
    let footage = if kind == CaseKind::SubjectAccess {
        "the footage of you that we hold"
    } else {
        "the footage you asked for"
    };
    const SENT: &str = "It will be sent to you securely, separately from this letter, with instructions on how to open it.";
    const OTHERS: &str = "Where other people can be seen in the footage, we have considered their privacy too: we have obscured them, or included them only where it is reasonable to do so.";

    let mut first = vec![format!(
        "We are writing with our response to your {}, which we received on {} (our reference {}).",
        request_words(kind),
        long_date(facts.received),
        facts.reference.trim()
    )];
    first.extend(about(facts));
    let mut extra = Vec::new();
    match decision {
        Decision::Disclose => {
            first.push(format!("We are providing you with a copy of {footage}. {SENT}"));
            if kind == CaseKind::SubjectAccess {
                first.push(OTHERS.to_owned());
            }
        }
        Decision::ViewOnly => {
            first.push(format!(
                "Rather than sending you a copy, we are offering you the chance to view {footage} at our premises."
            ));
            let mut arrange = vec![format!(
                "To arrange a viewing at a time that suits you, please contact us, quoting {}: {}",
                facts.reference.trim(),
                sentence(&facts.pack.controller.contact_point)
            )];
            arrange.extend(contact_details(facts.pack));
            extra.push((Some("Arranging a viewing".to_owned()), arrange));
        }
        Decision::DiscloseInPart => {
            first.push(format!(
                "We are providing you with a copy of part of {footage}. {SENT}"
            ));
            if kind == CaseKind::SubjectAccess {
                first.push(OTHERS.to_owned());
            }
            first.push(
                "We have not provided the rest, for the reasons set out below.".to_owned(),
            );
        }
        Decision::Refuse => first.push(if kind == CaseKind::Objection {
            "We have considered your objection carefully, but we are not able to agree to it, for the reasons set out below.".to_owned()
        } else {
            format!("We are not able to comply with your {noun}, for the reasons set out below.")
        }),
        Decision::Restrict => {
            first.push(
                "We have restricted the information we give you in response to your request, as section 45(4) of the Data Protection Act 2018 allows where this is necessary and proportionate, for example to avoid prejudicing the prevention or detection of crime.".to_owned(),
            );
            first.push(if reasons.is_empty() {
                "We cannot tell you our reasons, because doing so would undermine the purpose of the restriction (Data Protection Act 2018 section 45(6)).".to_owned()
            } else {
                "Our reasons are set out below.".to_owned()
            });
        }
        Decision::Accept => first.extend(accepted(kind, facts.erasure.as_ref())),
        Decision::Answer => first.push("Our answer is set out below.".to_owned()),
        // A complaint's answer has its own letter (`complaint_answer`).
        Decision::Upheld | Decision::PartlyUpheld | Decision::NotUpheld => {
            first.push("Our answer is set out below.".to_owned());
        }
    }
    let mut sections = vec![(None, first)];
    sections.extend(extra);
    if !reasons.is_empty() {
        let heading = if decision == Decision::Answer {
            "Our answer"
        } else {
            "Reasons"
        };
        sections.push((Some(heading.to_owned()), reasons));
    }
    sections.push((None, vec![questions(facts)]));
    sections.push(rights(facts, Some(decision)));
    Ok(sections)
}

/// A complaint's answer (BDC-21, LBU-25): the outcome, what was found and done, and the
/// next steps: an appeal under the scheme's procedure, and the regulators.
fn complaint_answer(facts: &LetterFacts) -> Result<Sections, String> {
    let decision = facts.decision.ok_or_else(|| {
        "an answer to a complaint needs its outcome: decide the complaint first".to_owned()
    })?;
    let findings = paragraphs(facts.reasons);
    if findings.is_empty() {
        return Err(
            "an answer to a complaint must say what was found and what is done about it, in the reasons"
                .to_owned(),
        );
    }
    let mut first = vec![format!(
        "We are writing with our answer to your complaint, which we received on {} (our reference {}).",
        long_date(facts.received),
        facts.reference.trim()
    )];
    first.extend(about(facts));
    first.push(match decision {
        Decision::Upheld => "We have investigated your complaint and we uphold it: we agree that we were at fault. What we found, and what we are doing about it, is set out below.".to_owned(),
        Decision::PartlyUpheld => "We have investigated your complaint and we uphold part of it. What we found, and what we are doing about it, is set out below.".to_owned(),
        Decision::NotUpheld => "We have investigated your complaint carefully and we do not uphold it, for the reasons set out below.".to_owned(),
        Decision::Refuse => "We are not able to consider your complaint under our procedure, for the reasons set out below.".to_owned(),
        other => {
            return Err(format!(
                "a complaint is answered as upheld, partly upheld, not upheld or refused, not \"{other}\""
            ));
        }
    });
    let heading = if decision == Decision::Refuse {
        "Reasons"
    } else {
        "What we found"
    };
    let mut next = vec![format!(
        "If you are not satisfied with our answer, you can appeal. {}",
        sentence(&facts.pack.controller.complaints)
    )];
    next.push(format!(
        "Please appeal in writing, quoting {}, and say why you are not satisfied.",
        facts.reference.trim()
    ));
    next.extend(regulators(facts.pack));
    Ok(vec![
        (None, first),
        (Some(heading.to_owned()), findings),
        (None, vec![questions(facts)]),
        (Some("If you are not satisfied".to_owned()), next),
    ])
}

/// The outcome of an appeal against a complaint's answer: the scheme's final answer, and
/// where the complainant can go next.
fn appeal_outcome(facts: &LetterFacts) -> Result<Sections, String> {
    if facts.case_kind != CaseKind::Complaint {
        return Err(format!(
            "only a complaint's answer can be appealed; a {} case has no appeal",
            facts.case_kind
        ));
    }
    let appeal = facts
        .appeal
        .ok_or_else(|| "there is no appeal on this complaint to write about".to_owned())?;
    let outcome = appeal
        .outcome
        .ok_or_else(|| "decide the appeal before writing its outcome".to_owned())?;
    let reasons = paragraphs(appeal.reasons);
    if reasons.is_empty() {
        return Err("the outcome of an appeal must give its reasons".to_owned());
    }
    let mut first = vec![format!(
        "We are writing about your appeal, which we received on {}, against our answer to your complaint (our reference {}).",
        long_date(appeal.received),
        facts.reference.trim()
    )];
    if !appeal.grounds.trim().is_empty() {
        first.push(format!(
            "You told us you were not satisfied because: {}",
            sentence(appeal.grounds)
        ));
    }
    first.push(match outcome {
        crate::case::AppealOutcome::Upheld => "Your appeal has been considered by someone who was not involved in our first answer, and we uphold it: we have changed our answer, as set out below.".to_owned(),
        crate::case::AppealOutcome::NotUpheld => "Your appeal has been considered by someone who was not involved in our first answer, and we do not uphold it: our answer stands, for the reasons set out below.".to_owned(),
    });
    let mut next =
        vec!["This is our final answer: our complaints procedure is now complete.".to_owned()];
    next.extend(regulators(facts.pack));
    Ok(vec![
        (None, first),
        (Some("Reasons".to_owned()), reasons),
        (None, vec![questions(facts)]),
        (Some("If you are still not satisfied".to_owned()), next),
    ])
}

/// Where a complainant can take their complaint outside the scheme: the ICO about personal
/// data, and the Local Government and Social Care Ombudsman where the controller is a
/// council.
fn regulators(pack: &crate::PolicyPack) -> Vec<String> {
    let mut out = vec![format!(
        "If your complaint is about how we handle personal information, including footage of you, you can complain to the Information Commissioner's Office (ICO): {ICO_CONTACT}."
    )];
    if pack.controller.ombudsman == Some(crate::policy::Ombudsman::LocalGovernment) {
        out.push(
            "Once our complaints procedure is complete, you can also ask the Local Government and Social Care Ombudsman to look at your complaint: online at lgo.org.uk, or by telephone on 0300 061 0614.".to_owned(),
        );
    }
    out
}

/// What an accepted request did.
fn accepted(kind: CaseKind, erasure: Option<&ErasureFacts>) -> Vec<String> {
    match kind {
        CaseKind::Erasure => {
            let Some(erasure) = erasure else {
                return vec!["We have erased the footage you asked us to erase.".to_owned()];
            };
            let n = erasure.segments_erased;
            let kept: Vec<String> = erasure
                .kept
                .iter()
                .map(|k| k.trim())
                .filter(|k| !k.is_empty())
                .map(sentence)
                .collect();
            let mut out = vec![match (n, kept.is_empty()) {
                (0, true) => {
                    "We hold none of the footage you asked us to erase: any there was has already been deleted.".to_owned()
                }
                (0, false) => {
                    "We have not yet been able to erase the footage you asked us to erase.".to_owned()
                }
                (n, true) => format!(
                    "We have erased the footage you asked us to erase ({n} recorded {}).",
                    if n == 1 { "clip" } else { "clips" }
                ),
                (n, false) => format!(
                    "We have erased the footage you asked us to erase ({n} recorded {}), but we have not been able to erase all of it.",
                    if n == 1 { "clip" } else { "clips" }
                ),
            }];
            if !kept.is_empty() {
                out.extend(kept.iter().cloned());
                out.push(if kept.len() == 1 {
                    "It will be erased when that hold ends.".to_owned()
                } else {
                    "Each will be erased when its hold ends.".to_owned()
                });
            }
            out
        }
        CaseKind::Objection => vec![
            "We have accepted your objection: we will no longer use footage of you in the way you objected to.".to_owned(),
        ],
        CaseKind::Restriction => vec![
            "We have restricted the use of footage of you, as you asked: we will keep it, but will not otherwise use it while the restriction lasts. We will tell you before the restriction is lifted.".to_owned(),
        ],
        CaseKind::Rectification => {
            vec!["We have corrected the information about you, as you asked.".to_owned()]
        }
        _ => vec!["We have done what you asked.".to_owned()],
    }
}

/// The "Your rights" section that ends every extension and response.
fn rights(facts: &LetterFacts, decision: Option<Decision>) -> (Option<String>, Vec<String>) {
    let controller = &facts.pack.controller;
    let complaints = sentence(&controller.complaints);
    let mut out = Vec::new();
    if facts.case_kind == CaseKind::Foi {
        if facts.pack.nation == crate::Nation::Scotland {
            out.push(format!(
                "If you are not satisfied with our response, you can require us to review it, within 40 working days of receiving this letter (Freedom of Information (Scotland) Act 2002 section 20). {complaints}"
            ));
            out.push(
                "If you are still not satisfied after our review, you can apply to the Scottish Information Commissioner for a decision (section 47 of that Act): online at foi.scot, or by post to the Scottish Information Commissioner, Kinburn Castle, Doubledykes Road, St Andrews, Fife KY16 9DS.".to_owned(),
            );
        } else {
            out.push(format!(
                "If you are not satisfied with our response, you can ask us to review it; please ask within 40 working days of the date of this letter. {complaints}"
            ));
            out.push(format!(
                "If you are still not satisfied after our review, you can ask the Information Commissioner's Office to decide whether we have dealt with your request as the Freedom of Information Act 2000 requires (section 50): {ICO_CONTACT}."
            ));
        }
        out.push(format!(
            "If your request concerns information about you, you can also contact our Data Protection Officer: {}",
            sentence(&controller.dpo)
        ));
        return (Some("Your rights".to_owned()), out);
    }
    out.push(format!(
        "If you are not satisfied with how we have dealt with your {}, please tell us. {complaints}",
        noun(facts.case_kind)
    ));
    out.push(format!(
        "You can also contact our Data Protection Officer: {}",
        sentence(&controller.dpo)
    ));
    out.push(format!(
        "You have the right to complain to the Information Commissioner's Office (ICO), which regulates data protection in the UK: {ICO_CONTACT}."
    ));
    out.push(
        "You may also apply to a court if you believe your data protection rights have been infringed (UK GDPR Article 79; Data Protection Act 2018 section 167).".to_owned(),
    );
    match decision {
        Some(Decision::Refuse | Decision::DiscloseInPart) => out.push(
            "Because we have not done all that you asked, the law requires us to tell you that you can both complain to the Information Commissioner's Office and seek a remedy through the courts (UK GDPR Article 12(4)).".to_owned(),
        ),
        Some(Decision::Restrict) => out.push(
            "Because we have restricted your rights, the law requires us to tell you that you can ask the Information Commissioner to check that the restriction is lawful (Data Protection Act 2018 section 51), complain to the Information Commissioner's Office, and apply to a court (section 167), and that all of these are open to you (Data Protection Act 2018 section 45(5)).".to_owned(),
        ),
        _ => {}
    }
    (Some("Your rights".to_owned()), out)
}

/// "If you have any questions …", with the reference.
fn questions(facts: &LetterFacts) -> String {
    format!(
        "If you have any questions about this letter, please contact us, quoting {}.",
        facts.reference.trim()
    )
}

/// The sentence saying what the request is about, if the summary is given.
fn about(facts: &LetterFacts) -> Option<String> {
    let summary = facts.summary.trim();
    (!summary.is_empty())
        .then(|| format!("We have recorded it as being about: {}", sentence(summary)))
}

/// The controller's e-mail address and telephone number, as lines of a paragraph.
fn contact_details(pack: &crate::PolicyPack) -> Vec<String> {
    let c = &pack.controller;
    let mut out = Vec::new();
    if let Some(email) = c.email.as_deref().filter(|e| !e.trim().is_empty()) {
        out.push(format!("E-mail: {}", email.trim()));
    }
    if let Some(phone) = c.phone.as_deref().filter(|p| !p.trim().is_empty()) {
        out.push(format!("Telephone: {}", phone.trim()));
    }
    out
}

/// A case kind's request in words, e.g. "request for a copy of footage of you".
fn request_words(kind: CaseKind) -> &'static str {
    match kind {
        CaseKind::SubjectAccess => "request for a copy of footage of you",
        CaseKind::Erasure => "request to erase footage of you",
        CaseKind::Objection => "objection to being recorded",
        CaseKind::Restriction => "request to restrict the use of footage of you",
        CaseKind::Rectification => "request to correct information about you",
        CaseKind::Foi => "request for information",
        CaseKind::Disclosure => "request for footage",
        CaseKind::Complaint => "complaint about our CCTV",
        CaseKind::Breach => "report of a personal data breach",
        // Never sent: an authorisation has no requester to write to.
        CaseKind::Covert => "covert surveillance authorisation",
        CaseKind::PoliceControl => "police request to take control of the system",
    }
}

/// What the requester sent, in one word: "request", "objection", "complaint" or "report".
fn noun(kind: CaseKind) -> &'static str {
    match kind {
        CaseKind::Objection => "objection",
        CaseKind::Complaint => "complaint",
        CaseKind::Breach => "report",
        _ => "request",
    }
}

/// Whether the request is about footage of the requester, which is kept while it is dealt
/// with.
fn keeps_footage(kind: CaseKind) -> bool {
    matches!(
        kind,
        CaseKind::SubjectAccess | CaseKind::Erasure | CaseKind::Objection | CaseKind::Restriction
    )
}

/// E.g. "Monday 29 December 2026".
fn long_date(d: Date) -> String {
    d.strftime("%A %-d %B %Y").to_string()
}

/// `text` trimmed, ending with a full stop unless it already ends a sentence.
fn sentence(text: &str) -> String {
    let t = text.trim();
    if t.is_empty() || t.ends_with(['.', '!', '?', ')', '"', '\'', '”', '’']) {
        t.to_owned()
    } else {
        format!("{t}.")
    }
}

/// `text` split into paragraphs at line breaks, trimmed, empty ones dropped.
fn paragraphs(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A postal address split into lines at commas and line breaks.
fn address_lines(address: &str) -> Vec<String> {
    address
        .split([',', '\n'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The first phrase of `text` (up to a comma, semicolon or full stop), e.g. "The Data
/// Protection Manager" from a contact point that goes on to give the address.
fn first_phrase(text: &str) -> &str {
    text.split([',', ';', '.'])
        .next()
        .unwrap_or_default()
        .trim()
}

/// `text` with `&`, `<`, `>`, `"` and `'` escaped for HTML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Print-friendly styles for the HTML letter.
const CSS: &str = "\
body { font-family: Helvetica, Arial, sans-serif; font-size: 11pt; line-height: 1.45; color: #000; background: #fff; max-width: 42em; margin: 2em auto; padding: 0 1em; }
address { font-style: normal; margin: 0 0 1.5em; }
.from { text-align: right; }
.date, .reference { margin: 0; }
.salutation { margin-top: 1.5em; }
h1 { font-size: 13pt; margin: 1.2em 0 0.6em; }
h2 { font-size: 11.5pt; margin: 1.2em 0 0.4em; }
p { margin: 0 0 0.6em; }
.signoff { margin-top: 1.5em; }
@page { size: A4; margin: 25mm; }
@media print { body { max-width: none; margin: 0; padding: 0; } h1, h2 { break-after: avoid; } }
";

impl Letter {
    /// The letter as a complete, standalone HTML document (every piece of text escaped).
    pub fn to_html(&self) -> String {
        let lines = |lines: &[String]| {
            lines
                .iter()
                .map(|l| escape(l))
                .collect::<Vec<_>>()
                .join("<br>\n")
        };
        let mut h = String::new();
        let _ = write!(
            h,
            "<!doctype html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<main class=\"letter\">\n",
            escape(&self.title)
        );
        let _ = writeln!(
            h,
            "<address class=\"from\">\n{}\n</address>",
            lines(&self.from)
        );
        let _ = writeln!(h, "<address class=\"to\">\n{}\n</address>", lines(&self.to));
        let _ = writeln!(h, "<p class=\"date\">{}</p>", escape(&self.date));
        let _ = writeln!(
            h,
            "<p class=\"reference\">Our reference: {}</p>",
            escape(&self.reference)
        );
        let _ = writeln!(
            h,
            "<p class=\"salutation\">{}</p>",
            escape(&self.salutation)
        );
        let _ = writeln!(h, "<h1>{}</h1>", escape(&self.title));
        for (heading, paragraphs) in &self.sections {
            h.push_str("<section>\n");
            if let Some(heading) = heading {
                let _ = writeln!(h, "<h2>{}</h2>", escape(heading));
            }
            for p in paragraphs {
                let _ = writeln!(h, "<p>{}</p>", escape(p));
            }
            h.push_str("</section>\n");
        }
        let _ = writeln!(h, "<p class=\"signoff\">\n{}\n</p>", lines(&self.signoff));
        h.push_str("</main>\n</body>\n</html>\n");
        h
    }

    /// The letter as plain text (for an e-mail body or a record), lines ending in `\n`.
    pub fn plain_text(&self) -> String {
        let mut t = String::new();
        for line in &self.from {
            let _ = writeln!(t, "{line}");
        }
        t.push('\n');
        for line in &self.to {
            let _ = writeln!(t, "{line}");
        }
        let _ = write!(
            t,
            "\n{}\nOur reference: {}\n\n{}\n\n{}\n\n",
            self.date, self.reference, self.salutation, self.title
        );
        for (heading, paragraphs) in &self.sections {
            if let Some(heading) = heading {
                let _ = writeln!(t, "{heading}\n");
            }
            for p in paragraphs {
                let _ = writeln!(t, "{p}\n");
            }
        }
        for line in &self.signoff {
            let _ = writeln!(t, "{line}");
        }
        t
    }

    /// The letter as a PDF file (A4), stamped as created at `created`.
    pub fn to_pdf(&self, created: jiff::Timestamp) -> Vec<u8> {
        let mut blocks: Vec<Block> = self.from.iter().cloned().map(Block::Line).collect();
        blocks.push(Block::Space);
        blocks.extend(self.to.iter().cloned().map(Block::Line));
        blocks.push(Block::Space);
        blocks.push(Block::Line(self.date.clone()));
        blocks.push(Block::Line(format!("Our reference: {}", self.reference)));
        blocks.push(Block::Space);
        blocks.push(Block::Paragraph(self.salutation.clone()));
        blocks.push(Block::Heading(self.title.clone()));
        for (heading, paragraphs) in &self.sections {
            if let Some(heading) = heading {
                blocks.push(Block::Heading(heading.clone()));
            }
            blocks.extend(paragraphs.iter().cloned().map(Block::Paragraph));
        }
        blocks.push(Block::Space);
        blocks.extend(self.signoff.iter().map(|l| {
            if l.is_empty() {
                Block::Space
            } else {
                Block::Line(l.clone())
            }
        }));
        pdf::render(&self.title, &blocks, created)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn bassetlaw() -> crate::PolicyPack {
        crate::PolicyPack::parse(include_str!(
            "../../../policies/bassetlaw-district-council.toml"
        ))
        .expect("pack")
    }

    fn ljmu() -> crate::PolicyPack {
        crate::PolicyPack::parse(include_str!(
            "../../../policies/ljmu-operational-cameras.toml"
        ))
        .expect("pack")
    }

    fn facts(pack: &crate::PolicyPack, kind: LetterKind) -> LetterFacts<'_> {
        LetterFacts {
            kind,
            pack,
            reference: "SAR-2026-0007",
            case_kind: CaseKind::SubjectAccess,
            requester_name: "Ms Jane Smith",
            requester_contact: "12 Park Road\nWorksop\nS80 1AA",
            summary: "footage of the Market Square camera on 2 January 2026 between 15:00 and 16:00",
            received: date(2026, 1, 5),
            date: date(2026, 12, 29),
            due: Some("Thursday 5 February 2026".to_owned()),
            awaiting_identity: false,
            extension_reason: None,
            decision: None,
            reasons: "",
            erasure: None,
            footage_absent: None,
            details: "",
            appeal: None,
        }
    }

    fn text_of(f: &LetterFacts) -> String {
        compose(f).expect("letter").plain_text()
    }

    fn assert_rights(text: &str) {
        for needle in [
            "Your rights",
            "ico.org.uk/make-a-complaint",
            "0303 123 1113",
            "Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF",
            "UK GDPR Article 79; Data Protection Act 2018 section 167",
        ] {
            assert!(text.contains(needle), "{needle:?} in\n{text}");
        }
    }

    /// BDC-29, BDC-2: a request about a time whose footage no longer exists is told so in
    /// its acknowledgement, which promises to keep nothing and asks for no photograph to
    /// find the requester in footage there is not.
    #[test]
    fn bdc_29_an_acknowledgement_says_when_the_footage_no_longer_exists() {
        let pack = bassetlaw();
        let mut f = facts(&pack, LetterKind::Acknowledgement);
        f.awaiting_identity = true;
        f.footage_absent = Some(crate::case::FootageAbsence::PastRetention { kept_days: 30 });
        let t = text_of(&f);
        assert!(
            t.contains("kept for 30 days and then erased automatically, so footage from that time no longer exists"),
            "{t}"
        );
        assert!(!t.contains("is kept while we deal"), "{t}");
        assert!(!t.contains("find you in the footage"), "{t}");
        assert!(t.contains("photographic identity document"), "{t}");
        f.footage_absent = Some(crate::case::FootageAbsence::NoneRecorded);
        let t = text_of(&f);
        assert!(t.contains("recorded nothing at the time you gave"), "{t}");
        assert!(!t.contains("is kept while we deal"), "{t}");
    }

    #[test]
    fn acknowledgement_asks_for_identity() {
        let pack = bassetlaw();
        let mut f = facts(&pack, LetterKind::Acknowledgement);
        f.awaiting_identity = true;
        let t = text_of(&f);
        for needle in [
            "Acknowledgement of your request for a copy of footage of you",
            "which we received on Monday 5 January 2026",
            "Our reference for it is SAR-2026-0007",
            "Proof of your identity",
            "we need proof of your identity",
            "photographic identity document",
            "so that we can find you in the footage",
            "starts once we have your proof of identity",
            "Once we have it, we will answer within 30 calendar days or one calendar month, whichever is earlier.",
            "We have made sure footage that may be relevant is kept while we deal with your request.",
            "Market Square camera",
        ] {
            assert!(t.contains(needle), "{needle:?} in\n{t}");
        }
        assert!(
            !t.contains("We will answer by"),
            "the clock has not started"
        );
        assert!(!t.contains("Your rights"), "{t}");

        f.awaiting_identity = false;
        let t = text_of(&f);
        assert!(
            t.contains("We will answer by Thursday 5 February 2026."),
            "{t}"
        );
        assert!(!t.contains("proof of your identity"));

        f.case_kind = CaseKind::Foi;
        let t = text_of(&f);
        assert!(t.contains("your request for information"), "{t}");
        assert!(!t.contains("footage that may be relevant is kept"), "{t}");
    }

    #[test]
    fn letter_has_addresses_date_and_signoff() {
        let pack = bassetlaw();
        let letter = compose(&facts(&pack, LetterKind::Acknowledgement)).expect("letter");
        assert_eq!(
            letter.from,
            [
                "Bassetlaw District Council",
                "Queen's Buildings",
                "Potter Street",
                "Worksop",
                "S80 2AH",
                "Telephone: 01909 533 533"
            ]
        );
        assert_eq!(
            letter.to,
            ["Ms Jane Smith", "12 Park Road", "Worksop", "S80 1AA"]
        );
        assert_eq!(letter.date, "Tuesday 29 December 2026");
        assert_eq!(letter.salutation, "Dear Ms Jane Smith,");
        assert_eq!(
            letter.signoff,
            [
                "Yours sincerely",
                "",
                "The Data Protection Manager",
                "Bassetlaw District Council"
            ]
        );
        let t = letter.plain_text();
        assert!(
            t.contains("Tuesday 29 December 2026\nOur reference: SAR-2026-0007\n"),
            "{t}"
        );
    }

    #[test]
    fn extension_letter_gives_new_date_and_reason() {
        let pack = bassetlaw();
        let mut f = facts(&pack, LetterKind::Extension);
        f.due = Some("Monday 6 April 2026".to_owned());
        let err = compose(&f).expect_err("no reason");
        assert!(err.contains("why more time is needed"), "{err}");
        f.extension_reason = Some("the footage covers six cameras over two days");
        let t = text_of(&f);
        for needle in [
            "More time to answer your request for a copy of footage of you",
            "We need more time to answer it, for this reason: the footage covers six cameras over two days.",
            "We will now answer by Monday 6 April 2026.",
            "up to two further months where requests are complex or numerous (UK GDPR Article 12(3))",
        ] {
            assert!(t.contains(needle), "{needle:?} in\n{t}");
        }
        assert_rights(&t);
        assert!(t.contains(pack.controller.complaints.trim()), "{t}");
        assert!(t.contains(pack.controller.dpo.trim()), "{t}");
        f.case_kind = CaseKind::Foi;
        assert!(
            compose(&f).is_err(),
            "Article 12(3) is for data protection rights"
        );
    }

    #[test]
    fn ljm_10_refusal_letter_gives_reasons_and_rights() {
        let pack = ljmu();
        let mut f = facts(&pack, LetterKind::Response);
        f.decision = Some(Decision::Refuse);
        let err = compose(&f).expect_err("no reasons");
        assert!(err.contains("must give the reasons"), "{err}");
        f.reasons = "The request is manifestly unfounded: it repeats a request answered last week.";
        let t = text_of(&f);
        for needle in [
            "Our response to your request for a copy of footage of you",
            "We are not able to comply with your request, for the reasons set out below.",
            "Reasons\n\nThe request is manifestly unfounded: it repeats a request answered last week.",
            "you can both complain to the Information Commissioner's Office and seek a remedy through the courts (UK GDPR Article 12(4))",
            "Complaints about the disclosure of images go to the University's Data Protection Officer.",
            "contact our Data Protection Officer: The University's Data Protection Officer, in writing.",
        ] {
            assert!(t.contains(needle), "{needle:?} in\n{t}");
        }
        assert_rights(&t);
        assert!(t.trim_end().ends_with("Liverpool John Moores University"));
        let rights_at = t.find("Your rights").expect("rights");
        assert!(
            rights_at > t.find("Reasons").expect("reasons"),
            "rights come last"
        );
    }

    #[test]
    fn bdc_29_view_only_letter_offers_viewing() {
        let pack = bassetlaw();
        let mut f = facts(&pack, LetterKind::Response);
        f.decision = Some(Decision::ViewOnly);
        let t = text_of(&f);
        for needle in [
            "we are offering you the chance to view the footage of you that we hold at our premises",
            "Arranging a viewing",
            "To arrange a viewing at a time that suits you, please contact us, quoting SAR-2026-0007: The Data Protection Manager, Bassetlaw District Council",
            "Telephone: 01909 533 533",
        ] {
            assert!(t.contains(needle), "{needle:?} in\n{t}");
        }
        assert_rights(&t);
        assert!(!t.contains("Article 12(4)"), "not a refusal");
    }

    #[test]
    fn disclosure_letter_says_copy_is_sent_securely() {
        let pack = bassetlaw();
        let mut f = facts(&pack, LetterKind::Response);
        f.decision = Some(Decision::Disclose);
        let t = text_of(&f);
        assert!(t.contains("We are providing you with a copy of the footage of you that we hold. It will be sent to you securely"), "{t}");
        assert!(
            t.contains("Where other people can be seen in the footage"),
            "{t}"
        );
        assert!(!t.contains("\nReasons\n"), "no reasons given, no section");

        f.decision = Some(Decision::DiscloseInPart);
        f.reasons = "Part of the footage shows another person whose privacy outweighs the request.";
        let t = text_of(&f);
        assert!(t.contains("a copy of part of the footage of you"), "{t}");
        assert!(t.contains("We have not provided the rest, for the reasons set out below."));
        assert!(
            t.contains("Reasons\n\nPart of the footage shows another person"),
            "{t}"
        );
        assert!(t.contains("Article 12(4)"), "{t}");
    }

    #[test]
    fn bdc_41_restriction_letter_cites_s45() {
        let pack = bassetlaw();
        let mut f = facts(&pack, LetterKind::Response);
        f.decision = Some(Decision::Restrict);
        f.reasons = "Telling you more would prejudice a police investigation.";
        let t = text_of(&f);
        for needle in [
            "as section 45(4) of the Data Protection Act 2018 allows",
            "Our reasons are set out below.",
            "Reasons\n\nTelling you more would prejudice a police investigation.",
            "(Data Protection Act 2018 section 51)",
            "(Data Protection Act 2018 section 45(5))",
        ] {
            assert!(t.contains(needle), "{needle:?} in\n{t}");
        }
        assert_rights(&t);
        f.reasons = "";
        let t = text_of(&f);
        assert!(t.contains("would undermine the purpose of the restriction (Data Protection Act 2018 section 45(6))"), "{t}");
        assert!(!t.contains("\nReasons\n"), "{t}");
    }

    #[test]
    fn bdc_30_erasure_letter_says_what_a_hold_kept() {
        let pack = bassetlaw();
        let mut f = facts(&pack, LetterKind::Response);
        f.case_kind = CaseKind::Erasure;
        f.reference = "ERA-2026-0003";
        f.decision = Some(Decision::Accept);
        f.erasure = Some(ErasureFacts {
            segments_erased: 12,
            kept: vec!["We have not been able to erase footage of the car park on 2 January 2026, because the police have asked us to keep it for an investigation".to_owned()],
        });
        let t = text_of(&f);
        for needle in [
            "Our response to your request to erase footage of you",
            "We have erased the footage you asked us to erase (12 recorded clips), but we have not been able to erase all of it.",
            "because the police have asked us to keep it for an investigation.",
            "It will be erased when that hold ends.",
        ] {
            assert!(t.contains(needle), "{needle:?} in\n{t}");
        }
        assert_rights(&t);

        f.erasure = Some(ErasureFacts {
            segments_erased: 1,
            kept: Vec::new(),
        });
        let t = text_of(&f);
        assert!(
            t.contains("We have erased the footage you asked us to erase (1 recorded clip)."),
            "{t}"
        );
        assert!(!t.contains("hold"), "{t}");

        f.case_kind = CaseKind::Restriction;
        let t = text_of(&f);
        assert!(
            t.contains("We have restricted the use of footage of you, as you asked"),
            "{t}"
        );
    }

    #[test]
    fn a_response_needs_a_decision_its_kind_allows() {
        let pack = bassetlaw();
        let mut f = facts(&pack, LetterKind::Response);
        let err = compose(&f).expect_err("no decision");
        assert!(err.contains("needs the decision"), "{err}");
        f.decision = Some(Decision::Accept);
        let err = compose(&f).expect_err("subject access is not accepted");
        assert!(err.contains("cannot be decided \"accept\""), "{err}");
        f.case_kind = CaseKind::Foi;
        f.decision = Some(Decision::Answer);
        assert!(compose(&f).is_err(), "an answer needs its text");
        f.reasons = "We hold 14 cameras in the town centre.";
        let t = text_of(&f);
        assert!(t.contains("Our answer\n\nWe hold 14 cameras"), "{t}");
        assert!(t.contains("your request for information"), "{t}");
        // A complaint is answered with its outcome, not a bare answer.
        f.case_kind = CaseKind::Complaint;
        assert!(compose(&f).is_err(), "a complaint is upheld or not");
    }

    #[test]
    fn foi_response_gives_review_and_commissioner_routes() {
        let pack = ljmu();
        let mut f = facts(&pack, LetterKind::Response);
        f.case_kind = CaseKind::Foi;
        f.reference = "FOI-2026-0002";
        f.decision = Some(Decision::Answer);
        f.reasons = "The University has 214 operational cameras.";
        let t = text_of(&f);
        assert!(t.contains("you can ask us to review it"), "{t}");
        assert!(
            t.contains("Freedom of Information Act 2000 requires (section 50)"),
            "{t}"
        );
        assert!(t.contains("ico.org.uk/make-a-complaint"), "{t}");
        assert!(!t.contains("Article 79"), "{t}");
    }

    #[test]
    fn html_is_standalone_and_escapes_everything() {
        let pack = bassetlaw();
        let mut f = facts(&pack, LetterKind::Response);
        f.requester_name = "<script>alert('x')</script> & \"Co\"";
        f.decision = Some(Decision::Refuse);
        f.reasons = "Footage <b>was</b> overwritten.";
        let letter = compose(&f).expect("letter");
        let html = letter.to_html();
        assert!(
            html.starts_with("<!doctype html>\n<html lang=\"en-GB\">"),
            "{html}"
        );
        assert!(html.contains("<meta charset=\"utf-8\">"));
        assert!(
            html.contains(
                "<title>Our response to your request for a copy of footage of you</title>"
            )
        );
        assert!(html.contains("<style>") && html.contains("@media print"));
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Co&quot;"),
            "{html}"
        );
        assert!(html.contains("Footage &lt;b&gt;was&lt;/b&gt; overwritten."));
        assert!(html.contains("Queen&#39;s Buildings"));
        assert!(html.contains("<h2>Your rights</h2>"));
        assert!(html.contains("ico.org.uk/make-a-complaint"));
        assert!(html.trim_end().ends_with("</html>"));
        assert!(
            letter
                .plain_text()
                .contains("Dear <script>alert('x')</script> & \"Co\",")
        );
    }

    #[test]
    fn pdf_starts_with_header_and_contains_the_reference() {
        let pack = bassetlaw();
        let mut f = facts(&pack, LetterKind::Response);
        f.decision = Some(Decision::ViewOnly);
        let letter = compose(&f).expect("letter");
        let created: jiff::Timestamp = "2026-12-29T10:00:00Z".parse().expect("time");
        let bytes = letter.to_pdf(created);
        assert!(bytes.starts_with(b"%PDF-1.4\n"));
        let s = String::from_utf8_lossy(&bytes);
        assert!(s.contains("(Our reference: SAR-2026-0007)"), "{s}");
        assert!(s.contains("/Title (Our response to your request for a copy of footage of you)"));
        assert!(s.contains("(Your rights)"));
        assert!(s.trim_end().ends_with("%%EOF"));
        assert_eq!(bytes, letter.to_pdf(created), "deterministic");
    }

    /// BDC-21: a complaint's acknowledgement sends back the complaint as recorded, for the
    /// complainant to check, and says when it will be answered.
    #[test]
    fn bdc_21_a_complaint_acknowledgement_sends_back_the_complaint_as_recorded() {
        let pack = bassetlaw();
        let f = LetterFacts {
            case_kind: CaseKind::Complaint,
            reference: "COM-2026-0001",
            summary: "a camera pointing into a back garden",
            details: "The camera on the corner of Bridge Street looks into my garden.",
            due: Some("Thursday 14 January 2027".to_owned()),
            ..facts(&pack, LetterKind::Acknowledgement)
        };
        let text = text_of(&f);
        for needle in [
            "Acknowledgement of your complaint",
            "Your complaint as we recorded it",
            "Please check it",
            "looks into my garden",
            "We will answer by Thursday 14 January 2027.",
        ] {
            assert!(text.contains(needle), "{needle}: {text}");
        }
    }

    /// BDC-21, LBU-25: a complaint's answer gives the outcome and what was found, then
    /// the appeal and the regulators: the ICO, and for a council the Local Government and
    /// Social Care Ombudsman; a university's letter names no ombudsman.
    #[test]
    fn bdc_21_a_complaint_answer_gives_the_outcome_the_appeal_and_the_ombudsman() {
        let pack = bassetlaw();
        let f = LetterFacts {
            case_kind: CaseKind::Complaint,
            reference: "COM-2026-0001",
            decision: Some(Decision::PartlyUpheld),
            reasons: "The camera's privacy mask had slipped; it was reset on 4 January.",
            ..facts(&pack, LetterKind::Response)
        };
        let text = text_of(&f);
        for needle in [
            "Our answer to your complaint",
            "we uphold part of it",
            "What we found",
            "privacy mask had slipped",
            "you can appeal",
            "ico.org.uk/make-a-complaint",
            "Local Government and Social Care Ombudsman",
        ] {
            assert!(text.contains(needle), "{needle}: {text}");
        }
        let lbu = crate::PolicyPack::parse(include_str!(
            "../../../policies/loughborough-university.toml"
        ))
        .expect("pack");
        let f = LetterFacts { pack: &lbu, ..f };
        let text = text_of(&f);
        assert!(text.contains("Chief Operating Officer"), "{text}");
        assert!(!text.contains("Ombudsman"), "{text}");
        // An answer without findings is refused.
        let f = LetterFacts { reasons: "", ..f };
        assert!(compose(&f).is_err());
    }

    /// LBU-25: the outcome of an appeal is the final answer, with its reasons and the ICO.
    #[test]
    fn lbu_25_the_appeal_outcome_is_the_final_answer() {
        let pack = bassetlaw();
        let appeal = AppealFacts {
            received: date(2027, 1, 20),
            grounds: "the mask still shows part of the garden",
            outcome: Some(crate::case::AppealOutcome::Upheld),
            reasons: "A site visit found the mask one metre short; the camera was moved.",
        };
        let f = LetterFacts {
            case_kind: CaseKind::Complaint,
            reference: "COM-2026-0001",
            decision: Some(Decision::PartlyUpheld),
            reasons: "The mask had slipped.",
            appeal: Some(appeal),
            ..facts(&pack, LetterKind::AppealOutcome)
        };
        let text = text_of(&f);
        for needle in [
            "The outcome of your appeal",
            "Wednesday 20 January 2027",
            "the mask still shows part of the garden",
            "we uphold it",
            "one metre short",
            "This is our final answer",
            "ico.org.uk",
        ] {
            assert!(text.contains(needle), "{needle}: {text}");
        }
        let undecided = LetterFacts {
            appeal: Some(AppealFacts {
                outcome: None,
                ..appeal
            }),
            ..f.clone()
        };
        assert!(compose(&undecided).is_err());
    }

    #[test]
    fn letter_kinds_round_trip() {
        for kind in LetterKind::ALL {
            assert_eq!(kind.as_str().parse::<LetterKind>(), Ok(*kind));
            assert_eq!(kind.to_string(), kind.as_str());
        }
        assert!("reply".parse::<LetterKind>().is_err());
    }
}
