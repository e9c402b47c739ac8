//! Third-party disclosure: who may ask for footage, what each must show, who authorises the
//! release, what the recipient undertakes and what the disclosure log records (LBU-19,
//! LBU-20, LBU-21, ALT-11, ALT-12, ALT-13, ALT-14, BDC-14, BDC-17, BDC-27, BDC-31, BDC-39,
//! SCC-7).
//!
//! Invariants:
//! - The requester categories are exactly the pack's `[authorise.disclosure]` tables
//!   ([`Category::as_str`] is the table's key), so every category has a position in every pack.
//! - A release ([`check_release`]) needs the category's documents ([`required_documents`]),
//!   a recorded purpose, the recipient's acceptance of the release agreement
//!   ([`agreement_text`]), and authorisation by roles the pack allows for that category; a
//!   secondary request — the media's always — also needs a recorded public-interest test and
//!   the written agreement of a police Inspector or a senior council officer (BDC-39).
//! - A request from the National Crime Agency cannot be refused (BDC-17); any other refusal
//!   needs written reasons (LBU-19, BDC-14) ([`check_refusal`]).
//! - Every problem names what is missing, how to put it right and the clause it comes from.
//! - The disclosure log ([`csv`]) writes every row's fields as given; nothing is computed.

use crate::ident::Ident;
use crate::policy::{Authority, DisclosureAuthorities};

/// The fewest characters accepted as written reasons or a stated purpose (as for case
/// decisions, [`crate::case::check_decision`]).
pub const MIN_REASON_CHARS: usize = 10;

kebab_enum! {
    /// Who is asking for footage (LBU-19, ALT-13, BDC-39, BDC-17). The ids are the keys of
    /// the pack's `[authorise.disclosure]` tables.
    Category, "disclosure category" {
        /// The police and other law-enforcement agencies (British Transport Police, Ministry
        /// of Defence Police and the like).
        LawEnforcement = "law-enforcement",
        /// The National Crime Agency, which the scheme must supply (BDC-17).
        NationalCrimeAgency = "national-crime-agency",
        /// Prosecuting bodies: the Crown Prosecution Service and statutory authorities with
        /// powers to prosecute (Trading Standards, HMRC).
        ProsecutingBody = "prosecuting-body",
        /// A solicitor or other legal representative acting for the person recorded.
        LegalRepresentative = "legal-representative",
        /// Anyone holding a court order for the footage.
        CourtOrder = "court-order",
        /// A statutory body with a power to obtain information (DWP investigators,
        /// regulators, social services).
        StatutoryBody = "statutory-body",
        /// The scheme's own staff or student disciplinary or complaints process.
        HrDiscipline = "hr-discipline",
        /// The press and broadcasters, only through the police.
        Media = "media",
    }
}

impl Category {
    /// The category in words, for forms and letters.
    pub fn describe(self) -> &'static str {
        match self {
            Self::LawEnforcement => "the police or another law-enforcement agency",
            Self::NationalCrimeAgency => "the National Crime Agency",
            Self::ProsecutingBody => {
                "a prosecuting body (the Crown Prosecution Service, or an authority with powers to prosecute such as Trading Standards or HMRC)"
            }
            Self::LegalRepresentative => {
                "a solicitor or other legal representative acting for the person recorded"
            }
            Self::CourtOrder => "a court order",
            Self::StatutoryBody => {
                "a statutory body with a power to obtain information (such as DWP investigators, a regulator or social services)"
            }
            Self::HrDiscipline => "an internal staff or student disciplinary or complaints process",
            Self::Media => "the media, only through the police",
        }
    }

    /// The category in a few words, to go inside a sentence ("a request from the media").
    pub fn name(self) -> &'static str {
        match self {
            Self::LawEnforcement => "the police or another law-enforcement agency",
            Self::NationalCrimeAgency => "the National Crime Agency",
            Self::ProsecutingBody => "a prosecuting body",
            Self::LegalRepresentative => "a legal representative",
            Self::CourtOrder => "the holder of a court order",
            Self::StatutoryBody => "a statutory body",
            Self::HrDiscipline => "an internal disciplinary or complaints process",
            Self::Media => "the media",
        }
    }

    /// The pack's authority for disclosure to this category (`authorise.disclosure.ID`).
    pub fn authority(self, d: &DisclosureAuthorities) -> &Authority {
        match self {
            Self::LawEnforcement => &d.law_enforcement,
            Self::NationalCrimeAgency => &d.national_crime_agency,
            Self::ProsecutingBody => &d.prosecuting_body,
            Self::LegalRepresentative => &d.legal_representative,
            Self::CourtOrder => &d.court_order,
            Self::StatutoryBody => &d.statutory_body,
            Self::HrDiscipline => &d.hr_discipline,
            Self::Media => &d.media,
        }
    }

    /// Whether a release to this category needs a crime reference for the disclosure log
    /// (LBU-20): the police, prosecuting bodies and the NCA (for the NCA, its case or
    /// operation reference), and the media, whose release is a police appeal about a crime
    /// (BDC-39).
    pub fn needs_crime_reference(self) -> bool {
        matches!(
            self,
            Self::LawEnforcement | Self::ProsecutingBody | Self::NationalCrimeAgency | Self::Media
        )
    }

    /// The legal basis a release to this category usually rests on, offered as the default
    /// for the disclosure log (people may choose another).
    pub fn usual_legal_basis(self) -> LegalBasis {
        match self {
            Self::LawEnforcement | Self::ProsecutingBody | Self::Media => {
                LegalBasis::DpaSchedule2Paragraph2
            }
            Self::NationalCrimeAgency | Self::StatutoryBody => LegalBasis::StatutoryPower,
            Self::LegalRepresentative => LegalBasis::DataSubjectConsent,
            Self::CourtOrder => LegalBasis::CourtOrder,
            Self::HrDiscipline => LegalBasis::LegitimateInterests,
        }
    }
}

kebab_enum! {
    /// Whether a request is for one of the purposes footage is ordinarily released for, or
    /// any other (BDC-39).
    RequestType, "request type" {
        /// Evidence in criminal or civil proceedings, preventing, investigating or detecting
        /// crime, identifying witnesses (BDC-39 "primary request to view data").
        Primary = "primary",
        /// Anything else, such as the media or an insurer: allowed only in the public
        /// interest with an outside officer's written agreement (BDC-39).
        Secondary = "secondary",
    }
}

impl RequestType {
    /// The request type in words.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Primary => {
                "a primary request: evidence in proceedings, or preventing, investigating or detecting crime"
            }
            Self::Secondary => {
                "a secondary request: any other purpose, released only in the public interest with an outside officer's written agreement"
            }
        }
    }
}

/// Whether every request from `category` is a secondary request: the media's, which follow
/// the secondary-request procedure (BDC-39 "Media disclosure").
pub fn is_secondary_always(category: Category) -> bool {
    category == Category::Media
}

/// Whether a request from `category` may be refused: every one but the National Crime
/// Agency's, which must be complied with (BDC-17, Crime and Courts Act 2013 s7). A refusal
/// needs written reasons ([`check_refusal`]).
pub fn may_refuse(category: Category) -> bool {
    category != Category::NationalCrimeAgency
}

kebab_enum! {
    /// A document a requester provides, or the scheme records, before footage is released.
    DocumentKind, "disclosure document" {
        /// The requesting force's or agency's form certifying that the images are needed to
        /// prevent or detect crime or to apprehend or prosecute offenders, and that the
        /// investigation would be prejudiced without them (DPA 2018 Schedule 2 paragraph 2;
        /// LBU-19).
        PoliceRequestForm = "police-request-form",
        /// A letter signed by the person recorded authorising the solicitor to act for them
        /// (LBU-19).
        LetterOfAuthority = "letter-of-authority",
        /// Evidence of the identity of the person recorded (LBU-19).
        SubjectIdentity = "subject-identity",
        /// The court order itself (ALT-13).
        CourtOrder = "court-order",
        /// The body's written request citing the statutory power under which it asks
        /// (LBU-19; Crime and Courts Act 2013 s7 for the NCA, BDC-17).
        StatutoryNotice = "statutory-notice",
        /// The written request from HR (for staff) or the officer responsible for students,
        /// naming the disciplinary or complaints investigation (LBU-19).
        DisciplinaryRequest = "disciplinary-request",
        /// The scheme's recorded test that disclosure is in the public interest (BDC-39).
        PublicInterestTest = "public-interest-test",
        /// The written agreement of a police officer not below the rank of Inspector (crime
        /// prevention) or a senior council officer (public well-being, health or safety)
        /// (BDC-39).
        InspectorAgreement = "inspector-agreement",
        /// The release agreement signed by the recipient on paper (LBU-21, BDC-31); an
        /// agreement accepted in Custos counts the same ([`ReleaseCheck::agreement_accepted`]).
        ReleaseAgreement = "release-agreement",
    }
}

impl DocumentKind {
    /// The document in words, for forms.
    pub fn describe(self) -> &'static str {
        match self {
            Self::PoliceRequestForm => {
                "the requesting force's or agency's form certifying the purpose (preventing or detecting crime, apprehending or prosecuting offenders) and that the investigation would be prejudiced without the images (DPA 2018 Schedule 2 paragraph 2)"
            }
            Self::LetterOfAuthority => {
                "a letter of authority signed by the person recorded, authorising the solicitor to act for them"
            }
            Self::SubjectIdentity => "evidence of the identity of the person recorded",
            Self::CourtOrder => "the court order",
            Self::StatutoryNotice => {
                "the body's written request citing the statutory power under which it asks"
            }
            Self::DisciplinaryRequest => {
                "the written request from HR (staff) or the officer responsible for students, naming the disciplinary or complaints investigation"
            }
            Self::PublicInterestTest => {
                "the scheme's recorded public-interest test: why releasing the images serves the public (public well-being, a health or safety issue, or preventing crime)"
            }
            Self::InspectorAgreement => {
                "the written agreement of a police officer not below the rank of Inspector (crime prevention) or a senior council officer (public well-being, health or safety)"
            }
            Self::ReleaseAgreement => {
                "the release agreement signed by the recipient: use for the stated purpose only, secure keeping and disposal, no onward disclosure or publication"
            }
        }
    }

    /// What a release lacks without this document, how to put it right and the clause, for
    /// `category`.
    fn missing(self, category: Category) -> String {
        match self {
            Self::PoliceRequestForm if category == Category::Media => {
                "a release to the media needs the police's written request, certifying that the public's help is needed to identify a victim, witness or perpetrator; the media receive images only through the police, so ask the investigating officer for it".to_owned()
            }
            Self::PoliceRequestForm => format!(
                "a request from {} needs its form certifying the purpose and that the investigation would be prejudiced without the images (the exemption in DPA 2018 Schedule 2 paragraph 2 rests on it); ask the officer for it and attach it to the case",
                category.name()
            ),
            Self::LetterOfAuthority => {
                "a solicitor needs a letter of authority signed by the person recorded, since it is their data being released; ask the solicitor for it and attach it to the case".to_owned()
            }
            Self::SubjectIdentity => {
                "a solicitor's request needs evidence of the identity of the person recorded; ask the solicitor for it and attach it to the case".to_owned()
            }
            Self::CourtOrder => {
                "a release under a court order needs the order itself; attach a copy and release only what it requires".to_owned()
            }
            Self::StatutoryNotice if category == Category::NationalCrimeAgency => {
                "a request from the National Crime Agency needs its written request, citing the Crime and Courts Act 2013 s7; attach it to the case".to_owned()
            }
            Self::StatutoryNotice => format!(
                "a request from {} needs evidence of its statutory power: its written request citing the power; attach it to the case",
                category.name()
            ),
            Self::DisciplinaryRequest => {
                "a release for discipline or complaints needs the written request from HR (staff) or the officer responsible for students, naming the investigation; attach it to the case".to_owned()
            }
            Self::PublicInterestTest => {
                "a secondary request needs a recorded public-interest test: why releasing the images serves public well-being, a health or safety issue or the prevention of crime; record it with the case".to_owned()
            }
            Self::InspectorAgreement => {
                "a secondary request needs the written agreement of a police Inspector (crime prevention) or a senior council officer (public well-being, health or safety); attach it to the case".to_owned()
            }
            Self::ReleaseAgreement => {
                "the recipient has not accepted the release agreement: use for the stated purpose only, secure disposal, no onward disclosure, no social media; have them accept it before anything is handed over".to_owned()
            }
        }
    }
}

/// The documents a release to `category` needs, the release agreement last.
///
/// - Law enforcement: the force's form certifying the purpose (LBU-19; DPA 2018 Schedule 2
///   paragraph 2). The crime reference is a field of the release, not a document
///   ([`Category::needs_crime_reference`]).
/// - Prosecuting body: the same certifying form, from the body. LBU-19 discloses to "law
///   enforcement and other statutory agencies" on "a form certifying" that the images are
///   needed for "the apprehension or prosecution of offenders", and BDC-39 treats statutory
///   prosecuting bodies with the police ("reasons and statement of purpose"); the
///   prosecution's purpose is crime, so its certificate is the one that fits. Where an
///   authority relies on a statutory power rather than prosecution, it is a statutory body.
/// - Legal representative: a letter of authority and the subject's identity (LBU-19).
/// - Court order: the order (ALT-13 11.5).
/// - Statutory body: its written request citing the power (LBU-19 "evidence of that
///   statutory authority").
/// - HR and discipline: the written request from HR or the officer responsible for
///   students naming the investigation (LBU-19); the code's other safeguard, authorisation by
///   the named officers, is the pack's roles ([`ReleaseCheck::allowed_roles`]).
/// - Media: always secondary ([`is_secondary_always`]), and only through the police: the
///   police's written request (BDC-39 category 4, "where it is assessed by the Police that
///   the public's assistance is needed").
/// - National Crime Agency: its written request citing its power (BDC-17).
///
/// A `secondary` request (and every media request) also needs a public-interest test and an
/// Inspector's or senior council officer's agreement (BDC-39). Every release needs the
/// recipient's release agreement (LBU-21, BDC-31, ALT-11, ALT-12).
pub fn required_documents(category: Category, secondary: bool) -> Vec<DocumentKind> {
    use DocumentKind::*;
    let mut docs = match category {
        Category::LawEnforcement | Category::ProsecutingBody | Category::Media => {
            vec![PoliceRequestForm]
        }
        Category::LegalRepresentative => vec![LetterOfAuthority, SubjectIdentity],
        Category::CourtOrder => vec![DocumentKind::CourtOrder],
        Category::StatutoryBody | Category::NationalCrimeAgency => vec![StatutoryNotice],
        Category::HrDiscipline => vec![DisciplinaryRequest],
    };
    if secondary || is_secondary_always(category) {
        docs.extend([PublicInterestTest, InspectorAgreement]);
    }
    docs.push(ReleaseAgreement);
    docs
}

/// The documents the pack requires for `category` besides the lawful minimum
/// (`[authorise.disclosure.CATEGORY] documents`, [`crate::policy::Authority::documents`])
/// that `provided` lacks, each as a problem saying what to attach. Documents the minimum
/// already requires are left to [`check_release`].
pub fn missing_pack_documents(
    category: Category,
    secondary: bool,
    pack_documents: &[DocumentKind],
    provided: &[DocumentKind],
) -> Vec<String> {
    let minimum = required_documents(category, secondary);
    pack_documents
        .iter()
        .filter(|d| !minimum.contains(d) && !provided.contains(d))
        .map(|d| {
            format!(
                "this scheme's code also requires {} for a release to {} (the pack's [authorise.disclosure.{category}] documents); attach it to the case",
                d.describe(),
                category.name()
            )
        })
        .collect()
}

/// Everything [`check_release`] looks at for one release.
#[derive(Debug, Clone, Copy)]
pub struct ReleaseCheck<'a> {
    /// Who is asking.
    pub category: Category,
    /// Primary or secondary (BDC-39).
    pub request_type: RequestType,
    /// The documents provided or recorded.
    pub documents: &'a [DocumentKind],
    /// Whether the recipient has accepted the release agreement ([`agreement_text`]) in
    /// Custos; a signed paper agreement is [`DocumentKind::ReleaseAgreement`] instead.
    pub agreement_accepted: bool,
    /// The purpose the images are released for, as the request states it (LBU-19, SCC-7).
    pub purpose: &'a str,
    /// The crime reference (for the NCA its case or operation reference), blank if none.
    pub crime_reference: &'a str,
    /// The roles under which each person authorising the release acts.
    pub authorised_by: &'a [Ident],
    /// The roles the pack allows to authorise disclosure to this category
    /// (`authorise.disclosure.CATEGORY.roles`, [`Category::authority`]); empty when the pack
    /// says `allowed = false`.
    pub allowed_roles: &'a [Ident],
}

/// Checks that a release may go ahead: `Ok` or every problem, each saying what is missing,
/// how to put it right and the clause.
pub fn check_release(req: &ReleaseCheck) -> Result<(), Vec<String>> {
    let cat = req.category;
    let mut problems = Vec::new();

    if req.allowed_roles.is_empty() {
        problems.push(if cat == Category::NationalCrimeAgency {
            "the pack names no role that may authorise disclosure to the National Crime Agency, yet its requests must be complied with by law; list the roles under [authorise.disclosure.national-crime-agency] in the pack".to_owned()
        } else {
            format!(
                "this scheme does not disclose to {} (its pack says allowed = false under [authorise.disclosure.{cat}]); refuse the request with reasons, or change the pack if the code of practice allows it",
                cat.name()
            )
        });
    }

    if is_secondary_always(cat) && req.request_type == RequestType::Primary {
        problems.push(
            "a request from the media is always a secondary request, because the media receive footage only through the police, in the public interest; record it as secondary"
                .to_owned(),
        );
    }

    let secondary = req.request_type == RequestType::Secondary;
    for doc in required_documents(cat, secondary) {
        let have = req.documents.contains(&doc)
            || (doc == DocumentKind::ReleaseAgreement && req.agreement_accepted);
        if !have {
            problems.push(doc.missing(cat));
        }
    }

    if cat.needs_crime_reference() && req.crime_reference.trim().is_empty() {
        problems.push(if cat == Category::NationalCrimeAgency {
            "a release to the National Crime Agency needs its case or operation reference for the disclosure log; ask the NCA officer for it".to_owned()
        } else {
            format!(
                "a release to {} needs the crime reference number for the disclosure log; ask the officer for it",
                cat.name()
            )
        });
    }

    if req.purpose.trim().chars().count() < MIN_REASON_CHARS {
        problems.push(
            "the request needs its purpose in writing: what the images are for, which the release agreement limits their use to; never commercial or entertainment use"
                .to_owned(),
        );
    }

    if !req.allowed_roles.is_empty() {
        let allowed = req
            .allowed_roles
            .iter()
            .map(|r| crate::role::display_name(r.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        if req.authorised_by.is_empty() {
            problems.push(format!(
                "nobody has authorised this release; it needs a person acting as one of: {allowed}"
            ));
        }
        for role in req.authorised_by {
            if !req.allowed_roles.contains(role) {
                problems.push(format!(
                    "the role {} may not authorise disclosure to {}; it needs a person acting as one of: {allowed}",
                    crate::role::display_name(role.as_str()),
                    cat.name()
                ));
            }
        }
    }

    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Checks a refusal: a National Crime Agency request cannot be refused (BDC-17); any other
/// refusal needs written reasons of at least [`MIN_REASON_CHARS`] characters (LBU-19,
/// BDC-14, SCC-7).
pub fn check_refusal(category: Category, reasons: &str) -> Result<(), String> {
    if !may_refuse(category) {
        return Err(
            "a request from the National Crime Agency must be complied with and cannot be refused (Crime and Courts Act 2013 s7); release the footage"
                .to_owned(),
        );
    }
    if reasons.trim().chars().count() < MIN_REASON_CHARS {
        return Err(format!(
            "a refusal of a request from {} needs its reasons in writing, so the requester can be told why; record why the request was refused",
            category.name()
        ));
    }
    Ok(())
}

/// What every recipient undertakes, in plain English (LBU-21, BDC-31, ALT-11, ALT-12,
/// ALT-14, BDC-27).
pub const UNDERTAKINGS: &[&str] = &[
    "I will use the recordings only for the purpose stated above.",
    "I will keep the recordings secure while I hold them, and keep any password for them apart from the copy.",
    "I will dispose of the recordings securely as soon as they are no longer needed for that purpose.",
    "I will not pass the recordings, or anything from them, to anyone else without the controller's written consent.",
    "I will not post the recordings, or stills from them, on social media, and will not give them to the press or broadcasters, unless the stated purpose is such a publication and the controller has agreed to it in writing.",
    "I will not sell the recordings or use them for entertainment or any commercial purpose.",
    "I understand that the recordings remain the controller's property.",
];

/// What a media recipient also undertakes (BDC-31; BDC-39 "Media disclosure").
pub const MEDIA_UNDERTAKINGS: &[&str] = &[
    "I will process the recordings in the manner the controller prescribes, and will not reveal the identities or details the controller says must not be revealed.",
    "I will pass proof of my editing back to the controller for approval before any use.",
    "I understand that this agreement is a contract, to be signed by both parties.",
];

/// The release agreement a recipient accepts (LBU-21, BDC-31).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseAgreement {
    /// Who is receiving the recordings.
    pub recipient_name: String,
    /// The recipient's organisation (force, firm, body, department).
    pub organisation: String,
    /// The category of requester (the media undertake more, [`MEDIA_UNDERTAKINGS`]).
    pub category: Category,
    /// What is released, in brief (the same description as the disclosure log's).
    pub description_of_images: String,
    /// The purpose use is limited to.
    pub purpose_limit: String,
}

/// The text the recipient accepts: who they are, what they receive, the purpose, and each
/// undertaking ([`UNDERTAKINGS`], and [`MEDIA_UNDERTAKINGS`] for the media) as a numbered
/// line.
pub fn agreement_text(a: &ReleaseAgreement, controller_name: &str) -> String {
    let mut out = format!(
        "Release agreement\n\nI, {}, of {}, receive from {controller_name} (the controller) the following recordings: {}\n\nPurpose: {}\n\nI undertake that:\n",
        a.recipient_name.trim(),
        a.organisation.trim(),
        a.description_of_images.trim(),
        a.purpose_limit.trim(),
    );
    let media: &[&str] = if a.category == Category::Media {
        MEDIA_UNDERTAKINGS
    } else {
        &[]
    };
    for (i, u) in UNDERTAKINGS.iter().chain(media).enumerate() {
        out.push_str(&format!("{}. {u}\n", i + 1));
    }
    out
}

kebab_enum! {
    /// The lawful basis a disclosure rests on, for the disclosure log.
    LegalBasis, "legal basis" {
        /// DPA 2018 Schedule 2 paragraph 2: crime and taxation.
        DpaSchedule2Paragraph2 = "dpa-2018-schedule-2-paragraph-2",
        /// DPA 2018 Schedule 2 paragraph 5: required by law, or for legal proceedings.
        DpaSchedule2Paragraph5 = "dpa-2018-schedule-2-paragraph-5",
        /// A court order.
        CourtOrder = "court-order",
        /// A statutory power to obtain the information (for the NCA, the Crime and Courts Act
        /// 2013 s7).
        StatutoryPower = "statutory-power",
        /// The written authority of the person recorded (a solicitor acting for them).
        DataSubjectConsent = "data-subject-consent",
        /// UK GDPR Article 6(1)(f), legitimate interests (internal discipline).
        LegitimateInterests = "uk-gdpr-article-6-1-f",
    }
}

impl LegalBasis {
    /// The basis in words.
    pub fn describe(self) -> &'static str {
        match self {
            Self::DpaSchedule2Paragraph2 => {
                "DPA 2018 Schedule 2 paragraph 2: the prevention or detection of crime, or the apprehension or prosecution of offenders"
            }
            Self::DpaSchedule2Paragraph5 => {
                "DPA 2018 Schedule 2 paragraph 5: disclosure required by law, or in connection with legal proceedings"
            }
            Self::CourtOrder => "a court order",
            Self::StatutoryPower => {
                "the requesting body's statutory power (for the National Crime Agency, the Crime and Courts Act 2013 s7)"
            }
            Self::DataSubjectConsent => {
                "the written authority of the person recorded (a letter of authority)"
            }
            Self::LegitimateInterests => {
                "UK GDPR Article 6(1)(f): the controller's legitimate interests (internal discipline or complaints)"
            }
        }
    }
}

/// One row of the disclosure log: the ICO's fields (LBU-20) and the package and case it
/// came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureLogRow {
    /// When the images were handed over (RFC 3339, as the caller formats it).
    pub handed_over_at: String,
    /// The receiving officer's or person's name.
    pub recipient_officer: String,
    /// Their organisation.
    pub recipient_organisation: String,
    /// Brief details of the images.
    pub description_of_images: String,
    /// The crime reference number, empty where none applies.
    pub crime_reference: String,
    /// The lawful basis of the disclosure.
    pub legal_basis: LegalBasis,
    /// The evidence package handed over, empty if none.
    pub package_id: String,
    /// The package's SHA-256 (of its signed `SHA256SUMS`), in hex, empty if none.
    pub package_sha256: String,
    /// The disclosure case's reference, e.g. `DIS-2026-0003`.
    pub case_reference: String,
    /// Who authorised the release.
    pub authorised_by: String,
}

/// The disclosure log's column headings, in [`csv`]'s order.
pub const LOG_HEADERS: &[&str] = &[
    "Handed over at",
    "Receiving officer",
    "Organisation",
    "Description of images",
    "Crime reference",
    "Legal basis",
    "Package",
    "Package SHA-256",
    "Case",
    "Authorised by",
];

/// The disclosure log as CSV through [`crate::csvfile`] (RFC 4180, CRLF line ends, formulas
/// defused as in every CSV Custos writes): a header row, then one record per row in the
/// given order. The legal basis is written as its id.
pub fn csv(rows: &[DisclosureLogRow]) -> String {
    crate::csvfile::document(
        LOG_HEADERS,
        rows.iter().map(|r| {
            [
                r.handed_over_at.as_str(),
                &r.recipient_officer,
                &r.recipient_organisation,
                &r.description_of_images,
                &r.crime_reference,
                r.legal_basis.as_str(),
                &r.package_id,
                &r.package_sha256,
                &r.case_reference,
                &r.authorised_by,
            ]
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Vec<Ident> {
        v.iter().map(|s| Ident::parse(s).expect("ident")).collect()
    }

    /// A release with everything `category` needs for a primary request.
    fn complete<'a>(
        category: Category,
        docs: &'a [DocumentKind],
        roles: &'a [Ident],
    ) -> ReleaseCheck<'a> {
        ReleaseCheck {
            category,
            request_type: if is_secondary_always(category) {
                RequestType::Secondary
            } else {
                RequestType::Primary
            },
            documents: docs,
            agreement_accepted: true,
            purpose: "investigation of a burglary on 3 March",
            crime_reference: "CR/2026/01234",
            authorised_by: &roles[..1],
            allowed_roles: roles,
        }
    }

    fn errors(req: &ReleaseCheck) -> Vec<String> {
        check_release(req).expect_err("should be refused")
    }

    #[test]
    fn categories_are_the_packs_disclosure_tables() {
        let pack =
            crate::PolicyPack::parse(include_str!("../../../policies/bosmere-junior-school.toml"))
                .expect("pack");
        let tables: Vec<&str> = pack
            .authorise
            .disclosure
            .categories()
            .iter()
            .map(|(k, _)| *k)
            .collect();
        let ours: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(tables, ours);
        for (k, a) in pack.authorise.disclosure.categories() {
            let c: Category = k.parse().expect("category");
            assert_eq!(c.authority(&pack.authorise.disclosure), a);
        }
        for c in Category::ALL {
            assert!(!c.describe().is_empty());
        }
        for d in DocumentKind::ALL {
            assert!(!d.describe().is_empty());
        }
        for b in LegalBasis::ALL {
            assert!(!b.describe().is_empty());
        }
    }

    #[test]
    fn lbu_19_the_police_need_a_form_certifying_the_purpose_and_a_crime_reference() {
        let roles = ids(&["dpo"]);
        assert_eq!(
            required_documents(Category::LawEnforcement, false),
            vec![
                DocumentKind::PoliceRequestForm,
                DocumentKind::ReleaseAgreement
            ]
        );
        let docs = [DocumentKind::PoliceRequestForm];
        assert_eq!(
            check_release(&complete(Category::LawEnforcement, &docs, &roles)),
            Ok(())
        );
        let e = errors(&ReleaseCheck {
            documents: &[],
            crime_reference: "  ",
            ..complete(Category::LawEnforcement, &docs, &roles)
        });
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].contains("form certifying the purpose") && e[0].contains("ask the officer"));
        assert!(e[1].contains("crime reference") && e[1].contains("disclosure log"));
    }

    #[test]
    fn lbu_19_a_prosecuting_body_certifies_its_purpose_like_the_police() {
        let roles = ids(&["owner"]);
        assert_eq!(
            required_documents(Category::ProsecutingBody, false),
            required_documents(Category::LawEnforcement, false)
        );
        let e = errors(&ReleaseCheck {
            crime_reference: "",
            ..complete(Category::ProsecutingBody, &[], &roles)
        });
        assert!(
            e[0].contains("prosecuting body") && e[0].contains("attach it to the case"),
            "{e:?}"
        );
        assert!(e[1].contains("crime reference"), "{e:?}");
    }

    #[test]
    fn lbu_19_a_solicitor_needs_a_letter_of_authority_and_the_subjects_identity() {
        let roles = ids(&["dpo"]);
        assert_eq!(
            required_documents(Category::LegalRepresentative, false),
            vec![
                DocumentKind::LetterOfAuthority,
                DocumentKind::SubjectIdentity,
                DocumentKind::ReleaseAgreement
            ]
        );
        let e = errors(&complete(
            Category::LegalRepresentative,
            &[DocumentKind::LetterOfAuthority],
            &roles,
        ));
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].contains("identity of the person recorded") && e[0].contains("ask the solicitor")
        );
        let docs = [
            DocumentKind::SubjectIdentity,
            DocumentKind::LetterOfAuthority,
        ];
        // No crime reference is needed for a solicitor.
        assert_eq!(
            check_release(&ReleaseCheck {
                crime_reference: "",
                ..complete(Category::LegalRepresentative, &docs, &roles)
            }),
            Ok(())
        );
    }

    #[test]
    fn lbu_19_a_statutory_body_shows_its_power_and_a_court_order_its_order() {
        let roles = ids(&["dpo"]);
        let e = errors(&complete(Category::StatutoryBody, &[], &roles));
        assert!(
            e[0].contains("statutory power") && e[0].contains("attach it to the case"),
            "{e:?}"
        );
        assert!(
            check_release(&complete(
                Category::StatutoryBody,
                &[DocumentKind::StatutoryNotice],
                &roles
            ))
            .is_ok()
        );
        let e = errors(&complete(Category::CourtOrder, &[], &roles));
        assert!(
            e[0].contains("court order") && e[0].contains("release only what it requires"),
            "{e:?}"
        );
        assert!(
            check_release(&complete(
                Category::CourtOrder,
                &[DocumentKind::CourtOrder],
                &roles
            ))
            .is_ok()
        );
    }

    #[test]
    fn lbu_19_hr_discipline_needs_the_named_officers_and_a_written_request() {
        let roles = ids(&["director-of-hr", "academic-registrar", "head-of-security"]);
        let docs = [DocumentKind::DisciplinaryRequest];
        let both = ids(&["director-of-hr", "head-of-security"]);
        assert_eq!(
            check_release(&ReleaseCheck {
                authorised_by: &both,
                crime_reference: "",
                ..complete(Category::HrDiscipline, &docs, &roles)
            }),
            Ok(())
        );
        let e = errors(&complete(Category::HrDiscipline, &[], &roles));
        assert!(
            e[0].contains("disciplin") && e[0].contains("naming the investigation"),
            "{e:?}"
        );
        let wrong = ids(&["director-of-hr", "operator"]);
        let e = errors(&ReleaseCheck {
            authorised_by: &wrong,
            ..complete(Category::HrDiscipline, &docs, &roles)
        });
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].contains("Operator may not authorise")
                && e[0].contains("Director of hr, Academic registrar, Head of security"),
            "{e:?}"
        );
        let e = errors(&ReleaseCheck {
            authorised_by: &[],
            ..complete(Category::HrDiscipline, &docs, &roles)
        });
        assert!(e[0].contains("nobody has authorised"), "{e:?}");
    }

    #[test]
    fn lbu_19_a_category_the_pack_does_not_allow_is_not_released() {
        let e = errors(&ReleaseCheck {
            authorised_by: &[],
            allowed_roles: &[],
            ..complete(
                Category::Media,
                &[
                    DocumentKind::PoliceRequestForm,
                    DocumentKind::PublicInterestTest,
                    DocumentKind::InspectorAgreement,
                ],
                &ids(&["dpo"]),
            )
        });
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("allowed = false") && e[0].contains("authorise.disclosure.media"));
        let e = errors(&ReleaseCheck {
            authorised_by: &[],
            allowed_roles: &[],
            ..complete(
                Category::NationalCrimeAgency,
                &[DocumentKind::StatutoryNotice],
                &ids(&["dpo"]),
            )
        });
        assert!(e[0].contains("must be complied with"), "{e:?}");
    }

    #[test]
    fn bdc_17_an_nca_request_cannot_be_refused() {
        assert!(!may_refuse(Category::NationalCrimeAgency));
        let e = check_refusal(
            Category::NationalCrimeAgency,
            "we would rather not, for reasons",
        )
        .expect_err("NCA");
        assert!(e.contains("cannot be refused"), "{e}");
        for c in Category::ALL {
            if *c != Category::NationalCrimeAgency {
                assert!(may_refuse(*c));
            }
        }
        let roles = ids(&["manager"]);
        assert_eq!(
            required_documents(Category::NationalCrimeAgency, false),
            vec![
                DocumentKind::StatutoryNotice,
                DocumentKind::ReleaseAgreement
            ]
        );
        let e = errors(&ReleaseCheck {
            crime_reference: "",
            ..complete(Category::NationalCrimeAgency, &[], &roles)
        });
        assert!(e[0].contains("Crime and Courts Act 2013 s7"), "{e:?}");
        assert!(e[1].contains("operation reference"), "{e:?}");
    }

    #[test]
    fn lbu_19_bdc_14_a_refusal_needs_written_reasons() {
        let e = check_refusal(Category::LegalRepresentative, "  no ").expect_err("blank");
        assert!(e.contains("reasons in writing"), "{e}");
        assert_eq!(
            check_refusal(
                Category::Media,
                "no public-interest case; the victim does not want an appeal"
            ),
            Ok(())
        );
    }

    #[test]
    fn bdc_39_a_secondary_request_needs_a_public_interest_test_and_an_inspectors_agreement() {
        let roles = ids(&["dpo"]);
        assert_eq!(
            required_documents(Category::StatutoryBody, true),
            vec![
                DocumentKind::StatutoryNotice,
                DocumentKind::PublicInterestTest,
                DocumentKind::InspectorAgreement,
                DocumentKind::ReleaseAgreement
            ]
        );
        let e = errors(&ReleaseCheck {
            request_type: RequestType::Secondary,
            ..complete(
                Category::StatutoryBody,
                &[DocumentKind::StatutoryNotice],
                &roles,
            )
        });
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].contains("public-interest test") && e[0].contains("prevention of crime"));
        assert_eq!(
            e[1],
            "a secondary request needs the written agreement of a police Inspector (crime prevention) or a senior council officer (public well-being, health or safety); attach it to the case"
        );
        assert!(
            check_release(&ReleaseCheck {
                request_type: RequestType::Secondary,
                ..complete(
                    Category::StatutoryBody,
                    &[
                        DocumentKind::StatutoryNotice,
                        DocumentKind::PublicInterestTest,
                        DocumentKind::InspectorAgreement
                    ],
                    &roles
                )
            })
            .is_ok()
        );
    }

    #[test]
    fn bdc_39_the_media_are_always_secondary_and_only_through_the_police() {
        assert!(is_secondary_always(Category::Media));
        assert!(!is_secondary_always(Category::LawEnforcement));
        assert_eq!(
            required_documents(Category::Media, false),
            vec![
                DocumentKind::PoliceRequestForm,
                DocumentKind::PublicInterestTest,
                DocumentKind::InspectorAgreement,
                DocumentKind::ReleaseAgreement
            ]
        );
        let roles = ids(&["dpo"]);
        let e = errors(&ReleaseCheck {
            request_type: RequestType::Primary,
            ..complete(Category::Media, &[], &roles)
        });
        assert!(e[0].contains("always a secondary request"), "{e:?}");
        assert!(e[1].contains("only through the police"), "{e:?}");
        assert!(e[2].contains("public-interest test"), "{e:?}");
        assert!(e[3].contains("Inspector"), "{e:?}");
        assert_eq!(e.len(), 4, "{e:?}");
    }

    #[test]
    fn lbu_21_release_needs_the_recipients_agreement() {
        let roles = ids(&["dpo"]);
        let docs = [DocumentKind::PoliceRequestForm];
        let e = errors(&ReleaseCheck {
            agreement_accepted: false,
            ..complete(Category::LawEnforcement, &docs, &roles)
        });
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("release agreement") && e[0].contains("no onward disclosure"));
        // A signed paper agreement counts the same.
        let paper = [
            DocumentKind::PoliceRequestForm,
            DocumentKind::ReleaseAgreement,
        ];
        assert!(
            check_release(&ReleaseCheck {
                agreement_accepted: false,
                ..complete(Category::LawEnforcement, &paper, &roles)
            })
            .is_ok()
        );
        // The purpose the agreement limits use to must be stated.
        let e = errors(&ReleaseCheck {
            purpose: "evidence",
            ..complete(Category::LawEnforcement, &docs, &roles)
        });
        assert!(
            e[0].contains("purpose in writing")
                && e[0].contains("never commercial or entertainment use"),
            "{e:?}"
        );
    }

    #[test]
    fn lbu_21_alt_11_alt_12_the_agreement_text_lists_the_undertakings() {
        let mut a = ReleaseAgreement {
            recipient_name: "PC 1234 Jane Smith".to_owned(),
            organisation: "Nottinghamshire Police".to_owned(),
            category: Category::LawEnforcement,
            description_of_images: "Car park camera, 3 March 2026 21:10-21:40".to_owned(),
            purpose_limit: "Investigation of crime CR/2026/01234".to_owned(),
        };
        let t = agreement_text(&a, "Bassetlaw District Council");
        assert!(t.contains("I, PC 1234 Jane Smith, of Nottinghamshire Police, receive from Bassetlaw District Council"));
        assert!(t.contains("Purpose: Investigation of crime CR/2026/01234"));
        assert!(t.contains("1. I will use the recordings only for the purpose stated above."));
        assert!(t.contains("dispose of the recordings securely"));
        assert!(t.contains("without the controller's written consent"));
        assert!(t.contains("social media"));
        assert!(t.contains("remain the controller's property"));
        assert!(!t.contains("proof of my editing"));
        assert!(t.contains(&format!("{}. ", UNDERTAKINGS.len())));
        a.category = Category::Media;
        let t = agreement_text(&a, "Bassetlaw District Council");
        assert!(t.contains("proof of my editing"), "{t}");
        assert!(t.contains(&format!(
            "{}. ",
            UNDERTAKINGS.len() + MEDIA_UNDERTAKINGS.len()
        )));
    }

    #[test]
    fn lbu_20_the_disclosure_log_is_csv_with_the_icos_fields() {
        let rows = [
            DisclosureLogRow {
                handed_over_at: "2026-03-04T10:15:00+00:00".to_owned(),
                recipient_officer: "PC 1234 Jane Smith".to_owned(),
                recipient_organisation: "Nottinghamshire Police".to_owned(),
                description_of_images: "Car park, 21:10-21:40, two men, one \"tall\"".to_owned(),
                crime_reference: "CR/2026/01234".to_owned(),
                legal_basis: LegalBasis::DpaSchedule2Paragraph2,
                package_id: "EVD-2026-0007".to_owned(),
                package_sha256: "ab".repeat(32),
                case_reference: "DIS-2026-0003".to_owned(),
                authorised_by: "Sam Jones, manager".to_owned(),
            },
            DisclosureLogRow {
                handed_over_at: "2026-03-05T09:00:00+00:00".to_owned(),
                recipient_officer: "A. Patel".to_owned(),
                recipient_organisation: "Patel & Co, Solicitors".to_owned(),
                description_of_images: "Front gate\nline two".to_owned(),
                crime_reference: String::new(),
                legal_basis: LegalBasis::DataSubjectConsent,
                package_id: String::new(),
                package_sha256: String::new(),
                case_reference: "DIS-2026-0004".to_owned(),
                authorised_by: "Sam Jones".to_owned(),
            },
        ];
        let out = csv(&rows);
        let lines: Vec<&str> = out.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "Handed over at,Receiving officer,Organisation,Description of images,Crime reference,Legal basis,Package,Package SHA-256,Case,Authorised by"
        );
        assert_eq!(
            lines[1],
            format!(
                "2026-03-04T10:15:00+00:00,PC 1234 Jane Smith,Nottinghamshire Police,\"Car park, 21:10-21:40, two men, one \"\"tall\"\"\",CR/2026/01234,dpa-2018-schedule-2-paragraph-2,EVD-2026-0007,{},DIS-2026-0003,\"Sam Jones, manager\"",
                "ab".repeat(32)
            )
        );
        assert_eq!(
            lines[2],
            "2026-03-05T09:00:00+00:00,A. Patel,\"Patel & Co, Solicitors\",\"Front gate\nline two\",,data-subject-consent,,,DIS-2026-0004,Sam Jones"
        );
        assert_eq!(lines[3], "");
        assert_eq!(lines.len(), 4);
        assert!(out.ends_with("\r\n"));
        assert_eq!(csv(&[]), format!("{}\r\n", LOG_HEADERS.join(",")));
    }

    #[test]
    fn usual_legal_bases_follow_the_category() {
        assert_eq!(
            Category::LawEnforcement.usual_legal_basis(),
            LegalBasis::DpaSchedule2Paragraph2
        );
        assert_eq!(
            Category::NationalCrimeAgency.usual_legal_basis(),
            LegalBasis::StatutoryPower
        );
        assert_eq!(
            Category::HrDiscipline.usual_legal_basis().as_str(),
            "uk-gdpr-article-6-1-f"
        );
        assert_eq!(
            "court-order".parse::<LegalBasis>(),
            Ok(LegalBasis::CourtOrder)
        );
    }
}
