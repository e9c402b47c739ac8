//! Third-party disclosure cases and the records of evidence leaving the scheme (LBU-19,
//! LBU-20, LBU-21, ALT-11, ALT-12, ALT-13, BDC-5, BDC-14, BDC-17, BDC-31, BDC-32, BDC-39,
//! SCC-7), on the case engine ([`crate::cases`]) and the rules of
//! `custos_domain::disclosure`.
//!
//! A disclosure case records who asks (the category), primary or secondary, the
//! organisation, the crime reference, the purpose and the footage, which is held from the
//! moment the request is received (BDC-28, BDC-40). Documents are kept with the case by
//! kind; a secondary request's public-interest test is recorded in words; the recipient's
//! acceptance of the release agreement is recorded with its full text. The release is
//! authorised by a named person acting in a role the pack allows for the category, only
//! once `domain::disclosure::check_release` passes; a refusal needs reasons and a request
//! from the National Crime Agency cannot be refused (BDC-17). The release itself is an
//! evidence package made for the case, and its hand-over is a row of the disclosure log.
//!
//! Invariants:
//! - Every change writes its ledger entry (book `case`, or `download` for media) in the
//!   same transaction. Entries carry ids, categories, hashes and references — never the
//!   recipient's name, the purpose or the text of the test or the agreement, which stay in
//!   the database and leave with the case when its retention ends.
//! - A disclosure case is decided to disclose only through [`Store::authorise_disclosure`],
//!   and closed only after its footage was released; `act_on_case` refuses the other paths.
//! - A disclosure log row is written in the same transaction as its ledger entry, after the
//!   package it names exists; the log is never edited.
//! - Media register references are never reused: one counter per year (`MED-2026-0001`).

use std::path::Path;

use custos_base::{Actor, UnixMs};
use custos_domain::Ident;
use custos_domain::case::{Action, CaseKind, CaseState, Decision, transition};
use custos_domain::disclosure::{
    Category, DisclosureLogRow, DocumentKind, LegalBasis, MIN_REASON_CHARS, ReleaseAgreement,
    ReleaseCheck, RequestType, agreement_text, check_refusal, check_release, is_secondary_always,
    missing_pack_documents,
};
use custos_domain::ledger::{Book, NewEntry, Reference, to_hex};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::cases::{Case, CaseDocument, NewCase};
use crate::error::{StoreError, StoreResult};
use crate::evidence::{ExportRequest, ExportSummary, Progress};
use crate::store::{Store, WriteTx};

/// What a third party asks for, besides the case's requester and summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureRequest {
    /// Who is asking.
    pub category: Category,
    /// Primary or secondary (BDC-39); the media's is always secondary.
    pub request_type: RequestType,
    /// The requester's organisation: force, firm, body, department.
    pub organisation: String,
    /// The crime reference (for the NCA its case or operation reference); may be blank at
    /// intake and given before release.
    pub crime_reference: String,
    /// What the images are for, as the request states it (LBU-19, SCC-7).
    pub purpose: String,
    /// The cameras asked for.
    pub cameras: Vec<Ident>,
    /// From (ms since the epoch).
    pub from_unix_ms: i64,
    /// To (ms since the epoch, exclusive).
    pub to_unix_ms: i64,
}

/// A release agreement as the recipient accepted it (LBU-21, BDC-31).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedAgreement {
    /// The recipient's name as they gave it.
    pub recipient_name: String,
    /// Their organisation.
    pub organisation: String,
    /// The full text accepted.
    pub text: String,
    /// When the acceptance was recorded.
    pub accepted_at_unix_ms: i64,
    /// Who recorded it (ledger actor text).
    pub recorded_by: String,
}

/// Who authorised a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorisation {
    /// The person (user name).
    pub username: String,
    /// The pack role they acted in.
    pub role: String,
    /// When.
    pub at_unix_ms: i64,
    /// The legal basis recorded for the disclosure log.
    pub legal_basis: LegalBasis,
}

/// A disclosure case's request and where its release stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    /// The case reference, e.g. `DIS-2026-0003`.
    pub reference: String,
    /// Who is asking.
    pub category: Category,
    /// Primary or secondary.
    pub request_type: RequestType,
    /// The requester's organisation.
    pub organisation: String,
    /// The crime reference, blank if none given yet.
    pub crime_reference: String,
    /// The purpose.
    pub purpose: String,
    /// The public-interest test, for a secondary request, once recorded.
    pub public_interest_test: Option<String>,
    /// The accepted release agreement, once accepted.
    pub agreement: Option<AcceptedAgreement>,
    /// The authorisation, once given.
    pub authorisation: Option<Authorisation>,
    /// The kinds of the documents kept with the case.
    pub documents: Vec<DocumentKind>,
    /// The releases made, oldest first.
    pub releases: Vec<DisclosureLogRow>,
}

impl Disclosure {
    /// The documents that count for [`check_release`]: those kept with the case, and the
    /// public-interest test when it is recorded in Custos.
    pub fn documents_provided(&self) -> Vec<DocumentKind> {
        let mut docs = self.documents.clone();
        if self.public_interest_test.is_some() {
            docs.push(DocumentKind::PublicInterestTest);
        }
        docs
    }
}

/// The distinct cameras of a case's footage.
fn case_cameras(case: &Case) -> StoreResult<Vec<Ident>> {
    let mut cameras: Vec<Ident> = Vec::new();
    for f in &case.footage {
        let c = Ident::parse(&f.camera)
            .map_err(|e| StoreError::Corrupt(format!("case {}: {e}", case.reference)))?;
        if !cameras.contains(&c) {
            cameras.push(c);
        }
    }
    Ok(cameras)
}

/// Groups of roles still wanting someone, in words.
fn describe_wanting(wanting: &[Vec<Ident>]) -> String {
    wanting
        .iter()
        .map(|g| {
            g.iter()
                .map(Ident::to_string)
                .collect::<Vec<_>>()
                .join(" or ")
        })
        .collect::<Vec<_>>()
        .join(", and ")
}

/// A physical medium evidence left on (BDC-32).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Medium {
    /// Its unique reference, e.g. `MED-2026-0001`, written on the medium.
    pub reference: String,
    /// The package it carries.
    pub package_id: String,
    /// The case it was made for, if any.
    pub case_reference: Option<String>,
    /// What it is and holds, in brief (e.g. "USB stick, encrypted, exhibit JS/1").
    pub description: String,
    /// The officer or person it was delivered to.
    pub issued_to: String,
    /// Their organisation.
    pub organisation: String,
    /// When it was delivered.
    pub issued_at_unix_ms: i64,
    /// Who handed it over (ledger actor text).
    pub issued_by: String,
    /// When it came back, if it did.
    pub returned_at_unix_ms: Option<i64>,
    /// When it was erased or destroyed, if it was.
    pub erased_at_unix_ms: Option<i64>,
    /// Remarks, one line per event.
    pub remarks: String,
}

/// What is done to a medium after it is issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediumEvent {
    /// It came back to the scheme.
    Returned,
    /// It was erased or destroyed.
    Erased,
}

macro_rules! log_columns {
    () => {
        "SELECT handed_over_at_unix_ms, recipient_officer, recipient_organisation, \
         description, crime_reference, legal_basis, package_id, package_sha256, reference, \
         authorised_by FROM disclosure_log "
    };
}

macro_rules! media_columns {
    () => {
        "SELECT reference, package_id, case_reference, description, issued_to, organisation, \
         issued_at_unix_ms, issued_by, returned_at_unix_ms, erased_at_unix_ms, remarks \
         FROM media_register "
    };
}

fn case_ref(reference: &str) -> StoreResult<Reference> {
    Reference::new("case", reference).map_err(|e| StoreError::Invalid(e.to_string()))
}

/// Checks a disclosure request at intake: every problem, each saying what to give.
fn request_problems(d: &DisclosureRequest) -> Vec<String> {
    let mut p = Vec::new();
    if is_secondary_always(d.category) && d.request_type == RequestType::Primary {
        p.push(
            "a request from the media is always a secondary request, because the media receive footage only through the police, in the public interest; record it as secondary"
                .to_owned(),
        );
    }
    if d.organisation.trim().is_empty() {
        p.push("give the requester's organisation (force, firm, body or department)".to_owned());
    }
    if d.purpose.trim().chars().count() < MIN_REASON_CHARS {
        p.push("give the purpose the request states: what the images are for".to_owned());
    }
    if d.cameras.is_empty() {
        p.push("name at least one camera the request is for".to_owned());
    }
    if d.to_unix_ms <= d.from_unix_ms {
        p.push("the footage's range must end after it starts".to_owned());
    }
    p
}

/// Records disclosure request `d` of case `reference` (called by `open_case_with`, inside
/// its transaction).
pub(crate) async fn insert_request(
    tx: &mut WriteTx,
    reference: &str,
    d: &DisclosureRequest,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO case_disclosures (reference, category, request_type, organisation, \
         crime_reference, purpose) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(reference)
    .bind(d.category.as_str())
    .bind(d.request_type.as_str())
    .bind(d.organisation.trim())
    .bind(d.crime_reference.trim())
    .bind(d.purpose.trim())
    .execute(tx.conn())
    .await
    .map_err(StoreError::db("recording a disclosure request"))?;
    Ok(())
}

/// The description of the images for the log and the agreement: cameras and range.
fn describe_footage(case: &Case) -> String {
    let mut cams: Vec<&str> = case.footage.iter().map(|f| f.camera.as_str()).collect();
    cams.sort_unstable();
    cams.dedup();
    match footage_range(case) {
        Some((from, to)) => format!(
            "recordings from camera{} {} between {} and {}",
            if cams.len() == 1 { "" } else { "s" },
            cams.join(", "),
            UnixMs(from).to_london_display(),
            UnixMs(to).to_london_display()
        ),
        None => "no footage named yet".to_owned(),
    }
}

/// The smallest range covering all the case's footage.
fn footage_range(case: &Case) -> Option<(i64, i64)> {
    let from = case.footage.iter().map(|f| f.from_unix_ms).min()?;
    let to = case.footage.iter().map(|f| f.to_unix_ms).max()?;
    Some((from, to))
}

impl Store {
    /// Opens a third-party disclosure case (LBU-19, ALT-13, BDC-39): the case, its request
    /// and its footage, held at once under the pack's `request-pending` class (BDC-28,
    /// BDC-40), all in one transaction (ledgered `case-opened` with the category and
    /// `case-footage-held`).
    pub async fn open_disclosure(
        &self,
        actor: &Actor,
        new: &NewCase,
        request: &DisclosureRequest,
    ) -> StoreResult<Case> {
        let mut problems = request_problems(request);
        if new.kind != CaseKind::Disclosure {
            problems.push(format!(
                "a disclosure request opens a disclosure case, not a {} case",
                new.kind
            ));
        }
        for c in &request.cameras {
            if self.camera(c).await?.is_none() {
                problems.push(format!(
                    "there is no camera {c}; `custos camera list` shows the register"
                ));
            }
        }
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems.join("; ")));
        }
        self.open_case_with(actor, new, Some(request), None, None, None)
            .await
            .map(|(c, _)| c)
    }

    /// The disclosure request of case `reference`, with its documents, agreement,
    /// authorisation and releases; `None` if the case is not a disclosure.
    pub async fn disclosure(&self, reference: &str) -> StoreResult<Option<Disclosure>> {
        let get = StoreError::db("reading a disclosure");
        let Some(r) = sqlx::query(
            "SELECT reference, category, request_type, organisation, crime_reference, purpose, \
             public_interest_test, recipient_name, recipient_organisation, agreement_text, \
             agreement_accepted_at_unix_ms, agreement_recorded_by, authorised_by, \
             authorised_role, authorised_at_unix_ms, legal_basis \
             FROM case_disclosures WHERE reference = $1",
        )
        .bind(reference.trim())
        .fetch_optional(self.pool())
        .await
        .map_err(&get)?
        else {
            return Ok(None);
        };
        let reference: String = r.try_get(0).map_err(&get)?;
        let corrupt = |e: String| StoreError::Corrupt(format!("disclosure {reference}: {e}"));
        let category: String = r.try_get(1).map_err(&get)?;
        let request_type: String = r.try_get(2).map_err(&get)?;
        let agreement = match (
            r.try_get::<Option<String>, _>(7).map_err(&get)?,
            r.try_get::<Option<String>, _>(8).map_err(&get)?,
            r.try_get::<Option<String>, _>(9).map_err(&get)?,
            r.try_get::<Option<i64>, _>(10).map_err(&get)?,
            r.try_get::<Option<String>, _>(11).map_err(&get)?,
        ) {
            (Some(n), Some(o), Some(t), Some(at), Some(by)) => Some(AcceptedAgreement {
                recipient_name: n,
                organisation: o,
                text: t,
                accepted_at_unix_ms: at,
                recorded_by: by,
            }),
            _ => None,
        };
        let authorisation = match (
            r.try_get::<Option<String>, _>(12).map_err(&get)?,
            r.try_get::<Option<String>, _>(13).map_err(&get)?,
            r.try_get::<Option<i64>, _>(14).map_err(&get)?,
            r.try_get::<Option<String>, _>(15).map_err(&get)?,
        ) {
            (Some(u), Some(role), Some(at), Some(basis)) => Some(Authorisation {
                username: u,
                role,
                at_unix_ms: at,
                legal_basis: basis.parse().map_err(corrupt)?,
            }),
            _ => None,
        };
        let mut documents = Vec::new();
        for d in self.case_documents(&reference).await? {
            if let Some(k) = d.kind.as_deref().and_then(|k| k.parse().ok())
                && !documents.contains(&k)
            {
                documents.push(k);
            }
        }
        let releases = self
            .disclosure_log_rows(Some(&reference))
            .await?
            .into_iter()
            .map(|(_, row)| row)
            .collect();
        Ok(Some(Disclosure {
            category: category.parse().map_err(corrupt)?,
            request_type: request_type.parse().map_err(corrupt)?,
            organisation: r.try_get(3).map_err(&get)?,
            crime_reference: r.try_get(4).map_err(&get)?,
            purpose: r.try_get(5).map_err(&get)?,
            public_interest_test: r.try_get(6).map_err(&get)?,
            agreement,
            authorisation,
            documents,
            releases,
            reference,
        }))
    }

    async fn require_disclosure(&self, reference: &str) -> StoreResult<(Case, Disclosure)> {
        let case = self.case(reference).await?.ok_or_else(|| {
            StoreError::NotFound(format!(
                "there is no case {}; disclosure references look like DIS-2026-0003",
                reference.trim()
            ))
        })?;
        let d = self.disclosure(&case.reference).await?.ok_or_else(|| {
            StoreError::Invalid(format!(
                "{} is a {} case, not a third-party disclosure",
                case.reference, case.kind
            ))
        })?;
        Ok((case, d))
    }

    /// Refuses a change to a disclosure that is already decided or finished.
    fn still_open_for_change(case: &Case, what: &str) -> StoreResult<()> {
        if !case.state.is_open() || case.decision.is_some() {
            return Err(StoreError::Invalid(format!(
                "{} is {}{}; {what} can only be recorded before the request is decided",
                case.reference,
                case.state,
                case.decision
                    .as_ref()
                    .map(|(d, _)| format!(" (decided: {d})"))
                    .unwrap_or_default()
            )));
        }
        Ok(())
    }

    /// Records the crime reference of disclosure `reference` (ledgered
    /// `disclosure-crime-reference`, with its SHA-256).
    pub async fn set_crime_reference(
        &self,
        actor: &Actor,
        reference: &str,
        crime_reference: &str,
    ) -> StoreResult<()> {
        let (case, _) = self.require_disclosure(reference).await?;
        Self::still_open_for_change(&case, "the crime reference")?;
        let crime = crime_reference.trim();
        if crime.is_empty() {
            return Err(StoreError::Invalid(
                "give the crime reference number the officer quoted".to_owned(),
            ));
        }
        let mut tx = self.write().await?;
        sqlx::query("UPDATE case_disclosures SET crime_reference = $1 WHERE reference = $2")
            .bind(crime)
            .bind(&case.reference)
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("recording a crime reference"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Case, "disclosure-crime-reference")
                .with_ref(case_ref(&case.reference)?)
                .with("sha256", to_hex(&Sha256::digest(crime.as_bytes()))),
        );
        tx.commit().await
    }

    /// Records the scheme's public-interest test for a secondary request (BDC-39): why
    /// releasing the images serves the public. Ledgered `disclosure-public-interest-test`
    /// with the text's SHA-256.
    pub async fn record_public_interest_test(
        &self,
        actor: &Actor,
        reference: &str,
        text: &str,
    ) -> StoreResult<()> {
        let (case, d) = self.require_disclosure(reference).await?;
        Self::still_open_for_change(&case, "a public-interest test")?;
        if d.request_type == RequestType::Primary && !is_secondary_always(d.category) {
            return Err(StoreError::Invalid(format!(
                "{} is a primary request; a public-interest test is recorded for secondary requests only",
                case.reference
            )));
        }
        let text = text.trim();
        if text.chars().count() < 20 {
            return Err(StoreError::Invalid(
                "write the public-interest test out: why releasing these images serves public \
                 well-being, a health or safety issue or the prevention of crime, and why that \
                 outweighs the privacy of the people shown"
                    .to_owned(),
            ));
        }
        let mut tx = self.write().await?;
        sqlx::query("UPDATE case_disclosures SET public_interest_test = $1 WHERE reference = $2")
            .bind(text)
            .bind(&case.reference)
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("recording a public-interest test"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Case, "disclosure-public-interest-test")
                .with_ref(case_ref(&case.reference)?)
                .with("sha256", to_hex(&Sha256::digest(text.as_bytes()))),
        );
        tx.commit().await
    }

    /// Keeps a document of `kind` with disclosure `reference`, encrypted like every case
    /// document (ledgered `case-document-added` with the kind).
    #[allow(clippy::too_many_arguments)]
    pub async fn add_disclosure_document(
        &self,
        actor: &Actor,
        documents: &Path,
        reference: &str,
        kind: DocumentKind,
        name: &str,
        media_type: &str,
        contents: &[u8],
    ) -> StoreResult<CaseDocument> {
        let (case, _) = self.require_disclosure(reference).await?;
        if !case.state.is_open() {
            return Err(StoreError::Invalid(format!(
                "{} is {}; documents are added to open cases only",
                case.reference, case.state
            )));
        }
        self.add_case_document_of_kind(
            actor,
            documents,
            &case.reference,
            Some(kind.as_str()),
            name,
            media_type,
            contents,
        )
        .await
    }

    /// The release agreement for disclosure `reference` as `recipient_name` of
    /// `organisation` would accept it: the request's purpose, the footage, and every
    /// undertaking (`domain::disclosure::agreement_text`).
    pub async fn release_agreement(
        &self,
        reference: &str,
        recipient_name: &str,
        organisation: &str,
    ) -> StoreResult<String> {
        let (case, d) = self.require_disclosure(reference).await?;
        let controller = self
            .active_policy()
            .await?
            .map(|p| p.pack.controller.name)
            .ok_or_else(|| StoreError::Invalid("no policy pack is loaded".to_owned()))?;
        Ok(agreement_text(
            &ReleaseAgreement {
                recipient_name: recipient_name.trim().to_owned(),
                organisation: organisation.trim().to_owned(),
                category: d.category,
                description_of_images: describe_footage(&case),
                purpose_limit: d.purpose.clone(),
            },
            &controller,
        ))
    }

    /// Records that `recipient_name` of `organisation` accepted the release agreement
    /// (LBU-21, BDC-31, ALT-11, ALT-12), keeping the full text they accepted. Ledgered
    /// `disclosure-agreement-accepted` with the text's SHA-256 (not the names).
    pub async fn accept_release_agreement(
        &self,
        actor: &Actor,
        reference: &str,
        recipient_name: &str,
        organisation: &str,
    ) -> StoreResult<AcceptedAgreement> {
        let (case, _) = self.require_disclosure(reference).await?;
        // What was authorised is released to whom it was authorised for: the agreement
        // cannot change once the request is decided.
        Self::still_open_for_change(&case, "the release agreement")?;
        let mut problems = Vec::new();
        if recipient_name.trim().chars().count() < 2 {
            problems.push("give the recipient's name as they sign it");
        }
        if organisation.trim().chars().count() < 2 {
            problems.push("give the recipient's organisation");
        }
        if case.footage.is_empty() {
            problems.push("name the footage first: the agreement says what is released");
        }
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems.join("; ")));
        }
        let text = self
            .release_agreement(&case.reference, recipient_name, organisation)
            .await?;
        let now = self.clock().now().0;
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE case_disclosures SET recipient_name = $1, recipient_organisation = $2, \
             agreement_text = $3, agreement_accepted_at_unix_ms = $4, \
             agreement_recorded_by = $5 WHERE reference = $6",
        )
        .bind(recipient_name.trim())
        .bind(organisation.trim())
        .bind(&text)
        .bind(now)
        .bind(actor.to_string())
        .bind(&case.reference)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("recording a release agreement"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Case, "disclosure-agreement-accepted")
                .with_ref(case_ref(&case.reference)?)
                .with("sha256", to_hex(&Sha256::digest(text.as_bytes()))),
        );
        tx.commit().await?;
        Ok(AcceptedAgreement {
            recipient_name: recipient_name.trim().to_owned(),
            organisation: organisation.trim().to_owned(),
            text,
            accepted_at_unix_ms: now,
            recorded_by: actor.to_string(),
        })
    }

    /// What stands between disclosure `reference` and its release if `authoriser`
    /// authorised it now: `Ok` with the role they would act in, or every problem
    /// (`domain::disclosure::check_release`, and `access::decide_authority` for the
    /// authoriser — their role where the footage is, training, licences, deputising), each
    /// saying how to put it right. Without an authoriser, whether the request itself is
    /// complete.
    pub async fn disclosure_check(
        &self,
        reference: &str,
        authoriser: Option<&custos_domain::access::Subject>,
    ) -> StoreResult<Result<Ident, Vec<String>>> {
        let (case, d) = self.require_disclosure(reference).await?;
        let policy = self
            .active_policy()
            .await?
            .ok_or_else(|| StoreError::Invalid("no policy pack is loaded".to_owned()))?;
        let authority = d.category.authority(&policy.pack.authorise.disclosure);
        let allowed = authority.roles.clone();
        let mut problems = Vec::new();
        let mut acting = Vec::new();
        let mut refused = false;
        if let Some(subject) = authoriser {
            let table = self.rights_table().await?;
            let targets = self.targets_of(&case_cameras(&case)?).await?;
            let given = self
                .authorisations_given(&format!("case:{}", case.reference))
                .await?;
            let pairs: Vec<(String, Ident)> = given
                .iter()
                .map(|g| (g.username.clone(), g.role.clone()))
                .collect();
            let wanting = custos_domain::access::groups_wanting(&authority.groups(), &pairs);
            let roles: Vec<Ident> = wanting.iter().flatten().cloned().collect();
            if given.iter().any(|g| g.username == subject.username) {
                refused = true;
                problems.push(format!(
                    "{} has already authorised this release; it needs another person: {}",
                    subject.username,
                    describe_wanting(&wanting)
                ));
            } else {
                match custos_domain::access::decide_authority(
                    &table,
                    subject,
                    custos_domain::access::Right::AuthoriseDisclosure,
                    &roles,
                    &targets,
                ) {
                    Ok((role, _)) => acting = vec![role],
                    Err(denial) => {
                        refused = true;
                        problems.push(denial.to_string());
                    }
                }
            }
        }
        if case.footage.is_empty() {
            problems.push(format!(
                "{} names no footage yet: add the cameras and times to release",
                case.reference
            ));
        }
        let docs = d.documents_provided();
        problems.extend(missing_pack_documents(
            d.category,
            d.request_type == RequestType::Secondary,
            &authority.documents,
            &docs,
        ));
        if let Err(more) = check_release(&ReleaseCheck {
            category: d.category,
            request_type: d.request_type,
            documents: &docs,
            agreement_accepted: d.agreement.is_some(),
            purpose: &d.purpose,
            crime_reference: &d.crime_reference,
            authorised_by: &acting,
            allowed_roles: &allowed,
        }) {
            problems.extend(more.into_iter().filter(|p| {
                // Without an authoriser named yet, or one refused for their own reason,
                // "nobody has authorised" is not a further problem.
                (authoriser.is_some() && !refused) || !p.starts_with("nobody has authorised")
            }));
        }
        Ok(match (problems.is_empty(), acting.into_iter().next()) {
            (true, Some(role)) => Ok(role),
            (true, None) if authoriser.is_none() => {
                // The request is complete; the role is the first allowed one, for display.
                match allowed.first() {
                    Some(r) => Ok(r.clone()),
                    None => Err(vec!["the pack names no role for this category".to_owned()]),
                }
            }
            (true, None) => Err(vec!["the authoriser holds no role".to_owned()]),
            (false, _) => Err(problems),
        })
    }

    /// The authorisations given so far for disclosure `reference`, and the groups of roles
    /// still wanting someone (LBU-19: a release that needs two people).
    pub async fn disclosure_authorisations(
        &self,
        reference: &str,
    ) -> StoreResult<(Vec<crate::downloads::Given>, Vec<Vec<Ident>>)> {
        let (case, d) = self.require_disclosure(reference).await?;
        let policy = self
            .active_policy()
            .await?
            .ok_or_else(|| StoreError::Invalid("no policy pack is loaded".to_owned()))?;
        let given = self
            .authorisations_given(&format!("case:{}", case.reference))
            .await?;
        let pairs: Vec<(String, Ident)> = given
            .iter()
            .map(|g| (g.username.clone(), g.role.clone()))
            .collect();
        let wanting = if d.authorisation.is_some() {
            Vec::new()
        } else {
            custos_domain::access::groups_wanting(
                &d.category
                    .authority(&policy.pack.authorise.disclosure)
                    .groups(),
                &pairs,
            )
        };
        Ok((given, wanting))
    }

    /// `authoriser`'s authorisation of the release of disclosure `reference`, given in
    /// their own name (LBU-19, SCC-7, BDC-39, BDC-1): they act in a role the pack allows for
    /// the category where every camera of the case is (`access::decide_authority`, deputies
    /// included), once every document, test and agreement is in
    /// ([`Store::disclosure_check`]). Where the pack asks for more than one person
    /// (`all_of`), each authorisation is ledgered `disclosure-authorised` until the last;
    /// the last decides the case `disclose` with every authoriser, their roles and the legal
    /// basis (the category's usual one unless `legal_basis` is given), ledgered
    /// `case-decide` as the last authoriser's act.
    pub async fn authorise_disclosure(
        &self,
        authoriser: &custos_domain::access::Subject,
        reference: &str,
        legal_basis: Option<LegalBasis>,
    ) -> StoreResult<Case> {
        let (case, d) = self.require_disclosure(reference).await?;
        let next = transition(
            case.kind,
            case.state,
            case.progress(),
            Action::Decide(Decision::Disclose),
        )
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.disclosure_check(&case.reference, Some(authoriser))
            .await?
            .map_err(|p| {
                StoreError::Invalid(format!(
                    "{} cannot be authorised: {}",
                    case.reference,
                    p.join("; ")
                ))
            })?;
        let policy = self
            .active_policy()
            .await?
            .ok_or_else(|| StoreError::Invalid("no policy pack is loaded".to_owned()))?;
        let groups = d
            .category
            .authority(&policy.pack.authorise.disclosure)
            .groups();
        let targets = self.targets_of(&case_cameras(&case)?).await?;
        let on = format!("case:{}", case.reference);
        let now = self.clock().now().0;
        let mut tx = self.write().await?;
        let (role, grant, wanting) = self
            .give_authorisation(
                &mut tx,
                authoriser,
                &on,
                custos_domain::access::Right::AuthoriseDisclosure,
                &groups,
                &targets,
                now,
            )
            .await?;
        let actor = match grant.deputy_for() {
            Some(for_roles) => Actor::Deputy {
                user: authoriser.username.clone(),
                for_roles,
            },
            None => Actor::User(authoriser.username.clone()),
        };
        if !wanting.is_empty() {
            tx.record(
                &actor,
                NewEntry::new(Book::Case, "disclosure-authorised")
                    .with_ref(case_ref(&case.reference)?)
                    .with("role", role.as_str())
                    .with("still_needs", describe_wanting(&wanting)),
            );
            tx.commit().await?;
            return self
                .case(&case.reference)
                .await?
                .ok_or_else(|| StoreError::NotFound(case.reference.clone()));
        }
        let mut everyone = self.authorisations_given(&on).await?;
        everyone.retain(|g| g.username != authoriser.username);
        let mut names: Vec<String> = everyone.iter().map(|g| g.username.clone()).collect();
        let mut roles: Vec<String> = everyone.iter().map(|g| g.role.to_string()).collect();
        names.push(authoriser.username.clone());
        roles.push(role.to_string());
        let who = names.join(" and ");
        let role_words = roles.join(" and ");
        let basis = legal_basis.unwrap_or_else(|| d.category.usual_legal_basis());
        let reasons = format!(
            "release to {} authorised by {who} acting as {role_words}; legal basis: {}",
            d.category.describe(),
            basis.describe()
        );
        sqlx::query(
            "UPDATE case_disclosures SET authorised_by = $1, authorised_role = $2, \
             authorised_at_unix_ms = $3, legal_basis = $4 WHERE reference = $5",
        )
        .bind(&who)
        .bind(&role_words)
        .bind(now)
        .bind(basis.as_str())
        .bind(&case.reference)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("authorising a disclosure"))?;
        sqlx::query(
            "UPDATE cases SET decision = $1, decision_reasons = $2, state = $3 \
             WHERE reference = $4",
        )
        .bind(Decision::Disclose.as_str())
        .bind(&reasons)
        .bind(next.as_str())
        .bind(&case.reference)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("authorising a disclosure"))?;
        let mut entry = NewEntry::new(Book::Case, Action::Decide(Decision::Disclose).ledger_kind())
            .with_ref(case_ref(&case.reference)?);
        for n in &names {
            entry = entry.with_ref(
                Reference::new("user", n).map_err(|e| StoreError::Invalid(e.to_string()))?,
            );
        }
        tx.record(
            &actor,
            entry
                .with("from", case.state.as_str())
                .with("to", next.as_str())
                .with("decision", Decision::Disclose.as_str())
                .with("category", d.category.as_str())
                .with("request_type", d.request_type.as_str())
                .with("authorised_by", who.as_str())
                .with("role", role_words.as_str())
                .with("legal_basis", basis.as_str()),
        );
        tx.commit().await?;
        self.case(&case.reference)
            .await?
            .ok_or_else(|| StoreError::NotFound(case.reference.clone()))
    }

    /// Checks a step `act_on_case` is about to take on disclosure `case`: a decision to
    /// disclose goes through [`Store::authorise_disclosure`]; a refusal needs reasons and
    /// is impossible for the National Crime Agency (BDC-17); a case decided to disclose
    /// closes only once its footage was released.
    pub(crate) async fn check_disclosure_step(
        &self,
        case: &Case,
        action: Action,
        reasons: &str,
    ) -> StoreResult<()> {
        let Some(d) = self.disclosure(&case.reference).await? else {
            return Ok(());
        };
        match action {
            Action::Decide(Decision::Disclose) => Err(StoreError::Invalid(format!(
                "a release is decided by authorising it, which checks the documents, the \
                 agreement and the authoriser's role: `custos disclosure authorise {}`, or \
                 Authorise on the case's page",
                case.reference
            ))),
            Action::Decide(Decision::Refuse) => {
                check_refusal(d.category, reasons).map_err(StoreError::Invalid)
            }
            Action::Close
                if matches!(case.decision, Some((Decision::Disclose, _)))
                    && d.releases.is_empty() =>
            {
                Err(StoreError::Invalid(format!(
                    "{} was authorised for release but nothing has been released yet: \
                     release the footage (`custos disclosure release {}`), then close it",
                    case.reference, case.reference
                )))
            }
            _ => Ok(()),
        }
    }

    /// Releases disclosure `reference`: an evidence package of its footage made in `out`
    /// for the case ([`Store::export_package`], held under the pack's class for disclosed
    /// copies), and the hand-over written to the disclosure log with its ledger entry
    /// (`disclosure-released`) in one transaction (LBU-20, BDC-5).
    #[allow(clippy::too_many_arguments)]
    pub async fn release_disclosure(
        &self,
        actor: &Actor,
        footage: &Path,
        out: &Path,
        reference: &str,
        exhibit: &str,
        encrypt: bool,
        progress: Progress<'_>,
    ) -> StoreResult<ExportSummary> {
        let (case, d) = self.require_disclosure(reference).await?;
        let (Some(auth), Some(agreement)) = (&d.authorisation, &d.agreement) else {
            return Err(StoreError::Invalid(format!(
                "{} is not authorised for release yet; `custos disclosure check {}` says what it needs",
                case.reference, case.reference
            )));
        };
        if case.state != CaseState::Decided
            || !matches!(case.decision, Some((Decision::Disclose, _)))
        {
            return Err(StoreError::Invalid(format!(
                "{} is {}; footage is released while the case is decided to disclose and not yet closed",
                case.reference, case.state
            )));
        }
        let (from, to) = footage_range(&case)
            .ok_or_else(|| StoreError::Invalid(format!("{} names no footage", case.reference)))?;
        let mut cameras: Vec<Ident> = Vec::new();
        for f in &case.footage {
            let c = Ident::parse(&f.camera)
                .map_err(|e| StoreError::Corrupt(format!("case {}: {e}", case.reference)))?;
            if !cameras.contains(&c) {
                cameras.push(c);
            }
        }
        let summary = self
            .produce_package(
                actor,
                footage,
                out,
                &ExportRequest {
                    exhibit: exhibit.trim().to_owned(),
                    cameras,
                    from_unix_ms: from,
                    to_unix_ms: to,
                    requester: format!("{} ({})", case.requester_name, d.organisation),
                    authoriser: auth.username.clone(),
                    recipient: format!("{} ({})", agreement.recipient_name, agreement.organisation),
                    purpose: d.purpose.clone(),
                    case_ref: Some(case.reference.clone()),
                    keep_as: None,
                    encrypt,
                },
                None,
                progress,
            )
            .await?;
        let now = self.clock().now().0;
        let description = format!("{}; exhibit {}", describe_footage(&case), exhibit.trim());
        let authorised_by = format!("{} ({})", auth.username, auth.role);
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO disclosure_log (package_id, reference, handed_over_at_unix_ms, \
             recipient_officer, recipient_organisation, description, crime_reference, \
             legal_basis, package_sha256, authorised_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&summary.package_id)
        .bind(&case.reference)
        .bind(now)
        .bind(&agreement.recipient_name)
        .bind(&agreement.organisation)
        .bind(&description)
        .bind(&d.crime_reference)
        .bind(auth.legal_basis.as_str())
        .bind(&summary.sums_sha256)
        .bind(&authorised_by)
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("writing the disclosure log"))?;
        tx.record(
            actor,
            NewEntry::new(Book::Case, "disclosure-released")
                .with_ref(case_ref(&case.reference)?)
                .with_ref(
                    Reference::new("package", &summary.package_id)
                        .map_err(|e| StoreError::Invalid(e.to_string()))?,
                )
                .with("category", d.category.as_str())
                .with("legal_basis", auth.legal_basis.as_str())
                .with("sums_sha256", summary.sums_sha256.as_str())
                .with("encrypted", encrypt),
        );
        tx.commit().await?;
        Ok(summary)
    }

    async fn disclosure_log_rows(
        &self,
        reference: Option<&str>,
    ) -> StoreResult<Vec<(i64, DisclosureLogRow)>> {
        let get = StoreError::db("reading the disclosure log");
        let rows = match reference {
            Some(r) => {
                sqlx::query(concat!(
                    log_columns!(),
                    "WHERE reference = $1 ORDER BY handed_over_at_unix_ms, package_id"
                ))
                .bind(r)
                .fetch_all(self.pool())
                .await
            }
            None => {
                sqlx::query(concat!(
                    log_columns!(),
                    "ORDER BY handed_over_at_unix_ms, package_id"
                ))
                .fetch_all(self.pool())
                .await
            }
        }
        .map_err(&get)?;
        rows.iter()
            .map(|r| {
                let at: i64 = r.try_get(0).map_err(&get)?;
                let basis: String = r.try_get(5).map_err(&get)?;
                Ok((
                    at,
                    DisclosureLogRow {
                        handed_over_at: UnixMs(at).to_rfc3339(),
                        recipient_officer: r.try_get(1).map_err(&get)?,
                        recipient_organisation: r.try_get(2).map_err(&get)?,
                        description_of_images: r.try_get(3).map_err(&get)?,
                        crime_reference: r.try_get(4).map_err(&get)?,
                        legal_basis: basis.parse().map_err(|e: String| {
                            StoreError::Corrupt(format!("the disclosure log: {e}"))
                        })?,
                        package_id: r.try_get(6).map_err(&get)?,
                        package_sha256: r.try_get(7).map_err(&get)?,
                        case_reference: r.try_get(8).map_err(&get)?,
                        authorised_by: r.try_get(9).map_err(&get)?,
                    },
                ))
            })
            .collect()
    }

    /// The disclosure log (LBU-20), oldest first: every hand-over from `from_unix_ms` to
    /// `to_unix_ms` (either open).
    pub async fn disclosure_log(
        &self,
        from_unix_ms: Option<i64>,
        to_unix_ms: Option<i64>,
    ) -> StoreResult<Vec<DisclosureLogRow>> {
        Ok(self
            .disclosure_log_rows(None)
            .await?
            .into_iter()
            .filter(|(at, _)| {
                from_unix_ms.is_none_or(|f| *at >= f) && to_unix_ms.is_none_or(|t| *at < t)
            })
            .map(|(_, row)| row)
            .collect())
    }

    /// Records a physical medium carrying package `package_id` delivered to `issued_to` of
    /// `organisation` (BDC-32), under a new unique reference (`MED-2026-0001`) to write on
    /// it; ledgered `medium-issued` (book `download`).
    #[allow(clippy::too_many_arguments)]
    pub async fn issue_medium(
        &self,
        actor: &Actor,
        package_id: &str,
        case_reference: Option<&str>,
        description: &str,
        issued_to: &str,
        organisation: &str,
        remarks: &str,
    ) -> StoreResult<Medium> {
        let mut problems = Vec::new();
        let package_id = package_id.trim();
        if !package_id.starts_with('P') || package_id.len() < 9 {
            problems.push(
                "give the id of the package on the medium (it starts with P and is in the package's custody.json)"
                    .to_owned(),
            );
        }
        if description.trim().is_empty() {
            problems.push("say what the medium is (e.g. encrypted USB stick, DVD)".to_owned());
        }
        if issued_to.trim().chars().count() < 2 || organisation.trim().chars().count() < 2 {
            problems
                .push("give the name and organisation of the person it is delivered to".to_owned());
        }
        let case = match case_reference.map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => Some(
                self.case(r)
                    .await?
                    .ok_or_else(|| StoreError::NotFound(format!("there is no case {r}")))?
                    .reference,
            ),
            None => None,
        };
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems.join("; ")));
        }
        let now = self.clock().now().0;
        let mut tx = self.write().await?;
        let reference = crate::cases::next_numbered(&mut tx, "MED", now).await?;
        sqlx::query(
            "INSERT INTO media_register (reference, package_id, case_reference, description, \
             issued_to, organisation, issued_at_unix_ms, issued_by, remarks) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&reference)
        .bind(package_id)
        .bind(case.as_deref())
        .bind(description.trim())
        .bind(issued_to.trim())
        .bind(organisation.trim())
        .bind(now)
        .bind(actor.to_string())
        .bind(remarks.trim())
        .execute(tx.conn())
        .await
        .map_err(StoreError::db("registering a medium"))?;
        let mut entry = NewEntry::new(Book::Download, "medium-issued")
            .with_ref(
                Reference::new("medium", &reference)
                    .map_err(|e| StoreError::Invalid(e.to_string()))?,
            )
            .with_ref(
                Reference::new("package", package_id)
                    .map_err(|e| StoreError::Invalid(e.to_string()))?,
            );
        if let Some(c) = &case {
            entry = entry.with_ref(case_ref(c)?);
        }
        if let Some(d) = self.download_of_package(package_id).await? {
            entry = entry.with_ref(crate::downloads::download_ref(&d)?);
        }
        tx.record(actor, entry);
        tx.commit().await?;
        self.medium(&reference)
            .await?
            .ok_or_else(|| StoreError::NotFound(reference))
    }

    /// Records what became of medium `reference`: returned or erased (BDC-32), with
    /// remarks appended; ledgered `medium-returned` or `medium-erased`.
    pub async fn medium_event(
        &self,
        actor: &Actor,
        reference: &str,
        event: MediumEvent,
        remarks: &str,
    ) -> StoreResult<Medium> {
        let m = self.medium(reference).await?.ok_or_else(|| {
            StoreError::NotFound(format!(
                "there is no medium {}; references look like MED-2026-0001 (`custos media list`)",
                reference.trim()
            ))
        })?;
        let (sql, kind, done) = match event {
            MediumEvent::Returned => (
                "UPDATE media_register SET returned_at_unix_ms = $1, remarks = $2 \
                 WHERE reference = $3",
                "medium-returned",
                m.returned_at_unix_ms,
            ),
            MediumEvent::Erased => (
                "UPDATE media_register SET erased_at_unix_ms = $1, remarks = $2 \
                 WHERE reference = $3",
                "medium-erased",
                m.erased_at_unix_ms,
            ),
        };
        if done.is_some() {
            return Err(StoreError::Invalid(format!(
                "medium {} is already recorded as {}",
                m.reference,
                if event == MediumEvent::Returned {
                    "returned"
                } else {
                    "erased"
                }
            )));
        }
        let now = self.clock().now().0;
        let remarks = match remarks.trim() {
            "" => m.remarks.clone(),
            r if m.remarks.is_empty() => r.to_owned(),
            r => format!("{}\n{r}", m.remarks),
        };
        let mut tx = self.write().await?;
        sqlx::query(sql)
            .bind(now)
            .bind(&remarks)
            .bind(&m.reference)
            .execute(tx.conn())
            .await
            .map_err(StoreError::db("updating the media register"))?;
        let mut entry = NewEntry::new(Book::Download, kind).with_ref(
            Reference::new("medium", &m.reference)
                .map_err(|e| StoreError::Invalid(e.to_string()))?,
        );
        if let Some(d) = self.download_of_package(&m.package_id).await? {
            entry = entry.with_ref(crate::downloads::download_ref(&d)?);
        }
        tx.record(actor, entry);
        tx.commit().await?;
        self.medium(&m.reference)
            .await?
            .ok_or_else(|| StoreError::NotFound(m.reference))
    }

    /// Medium `reference`, if registered.
    pub async fn medium(&self, reference: &str) -> StoreResult<Option<Medium>> {
        Ok(self
            .media_register_rows(Some(reference.trim()))
            .await?
            .into_iter()
            .next())
    }

    /// The media register (BDC-32), oldest first.
    pub async fn media_register(&self) -> StoreResult<Vec<Medium>> {
        self.media_register_rows(None).await
    }

    async fn media_register_rows(&self, reference: Option<&str>) -> StoreResult<Vec<Medium>> {
        let get = StoreError::db("reading the media register");
        let rows = match reference {
            Some(r) => {
                sqlx::query(concat!(media_columns!(), "WHERE reference = $1"))
                    .bind(r)
                    .fetch_all(self.pool())
                    .await
            }
            None => {
                sqlx::query(concat!(
                    media_columns!(),
                    "ORDER BY issued_at_unix_ms, reference"
                ))
                .fetch_all(self.pool())
                .await
            }
        }
        .map_err(&get)?;
        rows.iter()
            .map(|r| {
                Ok(Medium {
                    reference: r.try_get(0).map_err(&get)?,
                    package_id: r.try_get(1).map_err(&get)?,
                    case_reference: r.try_get(2).map_err(&get)?,
                    description: r.try_get(3).map_err(&get)?,
                    issued_to: r.try_get(4).map_err(&get)?,
                    organisation: r.try_get(5).map_err(&get)?,
                    issued_at_unix_ms: r.try_get(6).map_err(&get)?,
                    issued_by: r.try_get(7).map_err(&get)?,
                    returned_at_unix_ms: r.try_get(8).map_err(&get)?,
                    erased_at_unix_ms: r.try_get(9).map_err(&get)?,
                    remarks: r.try_get(10).map_err(&get)?,
                })
            })
            .collect()
    }
}
