//! Third-party disclosure on the web (LBU-19, LBU-20, LBU-21, BDC-5, BDC-14, BDC-17,
//! BDC-31, BDC-32, BDC-39, SCC-7): the staff form on the Cases page that opens a disclosure
//! case; the Disclosure section of its page — the request, what a release still needs,
//! documents by kind, the public-interest test, the release agreement as the recipient
//! accepts it, authorisation by the person signed in, and the release, made in the
//! background as an Export page job is; and the Disclosures page — the disclosure log, its
//! CSV and the register of physical media evidence leaves on.
//!
//! Invariants:
//! - A disclosure case is opened and worked only by someone holding `work-cases` for
//!   disclosures (`access.case_kinds`); whether a release may go ahead, and who may
//!   authorise it, is the store's answer against the pack (`Store::disclosure_check`,
//!   `Store::authorise_disclosure`), never decided here.
//! - The person who authorises a release is the person signed in, under their own name.
//! - A release is an evidence package, so making one also needs `export` for each of the
//!   case's cameras, as the Export page does.
//! - The agreement recorded is the text the recipient was shown: if the text computed when
//!   the acceptance arrives differs (other names, other footage), nothing is recorded and
//!   the page shows the new text.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use custos_base::{ErrorKind, UnixMs};
use custos_domain::Ident;
use custos_domain::access::{Right, Target};
use custos_domain::case::{CaseKind, CaseState, Decision};
use custos_domain::disclosure::{
    self, Category, DisclosureLogRow, DocumentKind, LegalBasis, MIN_REASON_CHARS, RequestType,
};
use custos_store::cases::{Case, NewCase};
use custos_store::disclosures::{DisclosureRequest, Medium, MediumEvent};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{Staff, url_encode};
use crate::cases::{CasesQuery, load_to_work, target};
use crate::error::WebError;
use crate::export::JobWork;
use crate::pages::render;
use crate::staff::Banner;

/// The third-party request form as typed, kept when it comes back with problems.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RequestForm {
    #[serde(default)]
    csrf: String,
    /// Who asks: the officer with rank and number, the solicitor, the person.
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) contact: String,
    #[serde(default)]
    pub(crate) organisation: String,
    /// A [`Category`] id.
    #[serde(default)]
    pub(crate) category: String,
    /// A [`RequestType`] id.
    #[serde(default)]
    pub(crate) request_type: String,
    #[serde(default)]
    pub(crate) crime_reference: String,
    #[serde(default)]
    pub(crate) purpose: String,
    /// Camera ids, comma separated.
    #[serde(default)]
    pub(crate) cameras: String,
    /// `YYYY-MM-DDTHH:MM`, UK time.
    #[serde(default)]
    pub(crate) from: String,
    #[serde(default)]
    pub(crate) to: String,
    /// When it was received (`YYYY-MM-DDTHH:MM`, UK time); now when empty.
    #[serde(default)]
    pub(crate) received: String,
    #[serde(default)]
    pub(crate) channel: String,
}

/// The third-party request form on the Cases page.
pub(crate) struct Intake {
    pub(crate) form: RequestForm,
    pub(crate) problems: Vec<String>,
    /// (id, in words), every category.
    pub(crate) categories: Vec<(&'static str, &'static str)>,
    /// (id, in words), primary and secondary.
    pub(crate) request_types: Vec<(&'static str, &'static str)>,
    /// Cameras in service, as boxes to tick (those the form names ticked).
    pub(crate) cameras: Vec<crate::forms::CameraChoice>,
}

/// The form on the Cases page, filled with `form` and naming `problems`.
pub(crate) async fn intake(
    state: &AppState,
    mut form: RequestForm,
    problems: Vec<String>,
) -> Result<Intake, WebError> {
    if form.request_type.trim().is_empty() {
        form.request_type = RequestType::Primary.as_str().to_owned();
    }
    Ok(Intake {
        problems,
        categories: Category::ALL
            .iter()
            .map(|c| (c.as_str(), c.describe()))
            .collect(),
        request_types: RequestType::ALL
            .iter()
            .map(|t| (t.as_str(), t.describe()))
            .collect(),
        cameras: crate::forms::camera_choices(
            state
                .store
                .cameras(false)
                .await?
                .into_iter()
                .map(|c| (c.id.to_string(), c.draft.name))
                .collect(),
            &form.cameras,
        ),
        form,
    })
}

/// A UK time field: `None` when empty, or what is wrong with it.
fn uk_time(text: &str, what: &str) -> Result<Option<i64>, String> {
    match text.trim() {
        "" => Ok(None),
        t => UnixMs::parse_uk_local(t)
            .map(|t| Some(t.0))
            .map_err(|e| format!("{what}: {e}")),
    }
}

/// The case and request a filled form asks for, or every problem with it, each saying how
/// to put it right.
fn read(f: &RequestForm, now_unix_ms: i64) -> Result<(NewCase, DisclosureRequest), Vec<String>> {
    let mut problems = Vec::new();
    let category = f.category.trim().parse::<Category>().ok();
    if category.is_none() {
        problems.push(
            "Choose who is asking: the police, the National Crime Agency, a prosecuting body, a solicitor, a court order, a statutory body, HR or the media."
                .to_owned(),
        );
    }
    let request_type = f.request_type.trim().parse::<RequestType>().ok();
    match (category, request_type) {
        (_, None) => {
            problems.push("Choose whether the request is primary or secondary.".to_owned())
        }
        (Some(c), Some(RequestType::Primary)) if disclosure::is_secondary_always(c) => problems
            .push(
            "A request from the media is always a secondary request, because the media receive footage only through the police: choose secondary."
                .to_owned(),
        ),
        _ => {}
    }
    if f.name.trim().chars().count() < 2 {
        problems.push(
            "Give the requester's name: the officer (with rank and number), the solicitor or the person asking."
                .to_owned(),
        );
    }
    if f.contact.trim().is_empty() {
        problems.push(
            "Give a way to reach the requester: an e-mail or postal address, or a telephone number."
                .to_owned(),
        );
    }
    if f.organisation.trim().is_empty() {
        problems.push(
            "Give the requester's organisation: the force, firm, body or department.".to_owned(),
        );
    }
    if f.purpose.trim().chars().count() < MIN_REASON_CHARS {
        problems.push(
            "Give the purpose the request states: what the images are for. The release agreement limits their use to it."
                .to_owned(),
        );
    }
    let mut cameras = Vec::new();
    for id in f
        .cameras
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match Ident::parse(id) {
            Ok(c) => cameras.push(c),
            Err(e) => problems.push(format!("Cameras: {e}")),
        }
    }
    if cameras.is_empty() && !problems.iter().any(|p| p.starts_with("Cameras:")) {
        problems.push("Name at least one camera the request is for.".to_owned());
    }
    let mut time = |text: &str, what: &str, missing: &str| match uk_time(text, what) {
        Ok(Some(t)) => Some(t),
        Ok(None) => {
            problems.push(missing.to_owned());
            None
        }
        Err(e) => {
            problems.push(e);
            None
        }
    };
    let from = time(
        &f.from,
        "From",
        "Give the start of the footage asked for (UK time).",
    );
    let to = time(
        &f.to,
        "To",
        "Give the end of the footage asked for (UK time).",
    );
    if let (Some(a), Some(b)) = (from, to)
        && b <= a
    {
        problems.push("The footage asked for must end after it starts.".to_owned());
    }
    let received = match uk_time(&f.received, "Received") {
        Ok(r) => r.unwrap_or(now_unix_ms),
        Err(e) => {
            problems.push(e);
            now_unix_ms
        }
    };
    match (category, request_type, from, to, problems.is_empty()) {
        (Some(category), Some(request_type), Some(from), Some(to), true) => Ok((
            NewCase {
                kind: CaseKind::Disclosure,
                received_at_unix_ms: received,
                channel: match f.channel.trim() {
                    "" => "staff".to_owned(),
                    c => c.to_owned(),
                },
                summary: format!("Request for footage from {}", f.organisation.trim()),
                requester_name: f.name.trim().to_owned(),
                requester_contact: f.contact.trim().to_owned(),
                details: String::new(),
                sighting: None,
                incident_at_unix_ms: None,
                raised_late: false,
            },
            DisclosureRequest {
                category,
                request_type,
                organisation: f.organisation.trim().to_owned(),
                crime_reference: f.crime_reference.trim().to_owned(),
                purpose: f.purpose.trim().to_owned(),
                cameras,
                from_unix_ms: from,
                to_unix_ms: to,
            },
        )),
        _ => Err(problems),
    }
}

/// Whether a store error is the person's to put right (shown with the form) rather than
/// the server's.
fn theirs(e: &custos_store::StoreError) -> bool {
    matches!(e.kind(), ErrorKind::InvalidInput | ErrorKind::NotFound)
}

/// `POST /disclosures/requests`: opens a third-party disclosure case, its footage held at
/// once; on a mistake, the Cases page again with the form as typed and each problem named.
pub(crate) async fn open(
    State(state): State<AppState>,
    staff: Staff,
    crate::forms::ListForm(f): crate::forms::ListForm<RequestForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let actor = staff
        .require(&state, Right::WorkCases, &target(CaseKind::Disclosure))
        .await?;
    let problems = match read(&f, state.store.clock().now().0) {
        Ok((new, request)) => match state.store.open_disclosure(&actor, &new, &request).await {
            Ok(c) => {
                return Ok(Redirect::to(&crate::done::to(
                    &format!("/cases/{}", c.reference),
                    "case-opened",
                ))
                .into_response());
            }
            Err(e) if theirs(&e) => vec![e.to_string()],
            Err(e) => return Err(e.into()),
        },
        Err(problems) => problems,
    };
    crate::cases::dashboard(
        &state,
        &staff,
        CasesQuery::default(),
        StatusCode::UNPROCESSABLE_ENTITY,
        Some((f, problems)),
    )
    .await
}

/// `?recipient=&organisation=&changed=1` on a case's page: the release agreement shown for
/// that recipient; `changed` when an acceptance came for a text that no longer reads so.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct AgreementQuery {
    recipient: Option<String>,
    organisation: Option<String>,
    changed: Option<String>,
}

/// A release agreement as accepted.
pub(crate) struct Accepted {
    pub(crate) name: String,
    pub(crate) organisation: String,
    pub(crate) text: String,
    pub(crate) at: String,
    pub(crate) by: String,
}

/// A row of the disclosure log, for people (LBU-20).
pub(crate) struct LogRow {
    /// Handed over at, UK time.
    pub(crate) at: String,
    pub(crate) officer: String,
    pub(crate) organisation: String,
    pub(crate) description: String,
    pub(crate) crime_reference: String,
    /// The legal basis in words.
    pub(crate) basis: &'static str,
    pub(crate) package_id: String,
    pub(crate) package_sha256: String,
    pub(crate) case_reference: String,
    pub(crate) authorised_by: String,
}

/// An RFC 3339 instant as UK time, or as given if it does not read.
fn uk_display(rfc3339: &str) -> String {
    rfc3339
        .parse::<jiff::Timestamp>()
        .map(|t| UnixMs(t.as_millisecond()).to_london_display())
        .unwrap_or_else(|_| rfc3339.to_owned())
}

/// "USER (ROLE)" as the disclosure log stores its authorisers (several joined by "; "),
/// with each person by name and each role in words.
fn authorisers_words(stored: &str, names: &custos_domain::ledger::Names) -> String {
    stored
        .split("; ")
        .map(|one| match one.split_once(" (") {
            Some((user, role)) => format!(
                "{} ({})",
                names.person(user),
                custos_domain::role::role_words(role.trim_end_matches(')'))
            ),
            None => names.who(one),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn log_row(r: &DisclosureLogRow, names: &custos_domain::ledger::Names) -> LogRow {
    LogRow {
        at: uk_display(&r.handed_over_at),
        officer: r.recipient_officer.clone(),
        organisation: r.recipient_organisation.clone(),
        description: r.description_of_images.clone(),
        crime_reference: r.crime_reference.clone(),
        basis: r.legal_basis.describe(),
        package_id: r.package_id.clone(),
        package_sha256: r.package_sha256.clone(),
        case_reference: r.case_reference.clone(),
        authorised_by: authorisers_words(&r.authorised_by, names),
    }
}

/// The Disclosure section of a disclosure case's page.
pub(crate) struct Section {
    /// Who is asking, in words.
    pub(crate) category: &'static str,
    /// Primary or secondary, in words.
    pub(crate) request_type: &'static str,
    /// Whether the request is secondary (every media request is).
    pub(crate) secondary: bool,
    pub(crate) organisation: String,
    pub(crate) crime_reference: String,
    pub(crate) purpose: String,
    /// Open and not yet decided: the request's details may still change.
    pub(crate) undecided: bool,
    /// Open: documents and the agreement may still be added.
    pub(crate) open: bool,
    /// What a release still needs if the person signed in authorised it now.
    pub(crate) problems: Vec<String>,
    /// When nothing is missing: the role they would authorise it in.
    pub(crate) ready_as: String,
    /// The kinds of document kept with the case: (id, in words).
    pub(crate) held: Vec<(&'static str, &'static str)>,
    /// The kinds a document may be kept as, the request's own first: (id, label).
    pub(crate) upload_kinds: Vec<(&'static str, String)>,
    pub(crate) public_interest_test: String,
    pub(crate) agreement: Option<Accepted>,
    /// The agreement as the recipient named would accept it now.
    pub(crate) preview: String,
    pub(crate) recipient: String,
    pub(crate) recipient_organisation: String,
    /// The text changed since it was shown; it is shown again.
    pub(crate) agreement_changed: bool,
    /// Received and not yet started: started before it can be authorised.
    pub(crate) needs_start: bool,
    /// Whether to offer "Authorise release".
    pub(crate) may_authorise: bool,
    /// The authorisations given so far, in words, where a release needs more than one.
    pub(crate) given: Vec<String>,
    /// Who must still authorise, in words, once someone has (LBU-19).
    pub(crate) still_needs: String,
    /// (id, in words), every legal basis.
    pub(crate) bases: Vec<(&'static str, &'static str)>,
    /// The category's usual basis, chosen unless changed.
    pub(crate) usual_basis: &'static str,
    /// Who authorised it, in words, once authorised.
    pub(crate) authorisation: String,
    /// Whether to offer the release.
    pub(crate) may_release: bool,
    pub(crate) releases: Vec<LogRow>,
    /// Why this request cannot be refused, if it cannot (BDC-17).
    pub(crate) no_refusal: String,
}

/// The Disclosure section for case `c`, if it is a third-party disclosure.
pub(crate) async fn section(
    state: &AppState,
    staff: &Staff,
    c: &Case,
    q: AgreementQuery,
) -> Result<Option<Section>, WebError> {
    if c.kind != CaseKind::Disclosure {
        return Ok(None);
    }
    let Some(d) = state.store.disclosure(&c.reference).await? else {
        return Ok(None);
    };
    let undecided = c.state.is_open() && c.decision.is_none();
    let names = crate::staff::names(state).await?;
    let role = |r: &str| custos_domain::role::role_words(r);
    let (problems, ready_as) = if undecided {
        match state
            .store
            .disclosure_check(&c.reference, Some(&staff.info.subject))
            .await?
        {
            Ok(r) => (Vec::new(), custos_domain::role::role_words(r.as_str())),
            Err(problems) => (problems, String::new()),
        }
    } else {
        (Vec::new(), String::new())
    };
    let (given, wanting) = state.store.disclosure_authorisations(&c.reference).await?;
    let given: Vec<String> = given
        .iter()
        .map(|g| match &g.as_deputy_for {
            Some(d) => format!(
                "{} as {} (deputising for the absent {}), {}",
                names.person(&g.username),
                role(g.role.as_str()),
                d.split(", ").map(role).collect::<Vec<_>>().join(", "),
                UnixMs(g.at_unix_ms).to_london_display()
            ),
            None => format!(
                "{} as {}, {}",
                names.person(&g.username),
                role(g.role.as_str()),
                UnixMs(g.at_unix_ms).to_london_display()
            ),
        })
        .collect();
    let still_needs = wanting
        .iter()
        .map(|g| {
            g.iter()
                .map(|r| role(r.as_str()))
                .collect::<Vec<_>>()
                .join(" or ")
        })
        .collect::<Vec<_>>()
        .join(", and ");
    let secondary =
        d.request_type == RequestType::Secondary || disclosure::is_secondary_always(d.category);
    let needed = disclosure::required_documents(d.category, secondary);
    let mut upload_kinds: Vec<(&'static str, String)> = Vec::new();
    for (first, kind) in needed
        .iter()
        .map(|k| (true, *k))
        .chain(DocumentKind::ALL.iter().map(|k| (false, *k)))
    {
        // The public-interest test is written on the page, not uploaded.
        if kind == DocumentKind::PublicInterestTest
            || upload_kinds.iter().any(|(id, _)| *id == kind.as_str())
        {
            continue;
        }
        let label = match (kind, first) {
            (DocumentKind::ReleaseAgreement, _) => format!(
                "{} — only if they bring one signed on paper; otherwise record their acceptance below",
                kind.describe()
            ),
            (_, true) => format!("{} (this request needs it)", kind.describe()),
            (_, false) => kind.describe().to_owned(),
        };
        upload_kinds.push((kind.as_str(), label));
    }
    let nonempty = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let recipient = nonempty(q.recipient).unwrap_or_else(|| c.requester_name.clone());
    let recipient_organisation = nonempty(q.organisation).unwrap_or_else(|| d.organisation.clone());
    let preview = if d.agreement.is_none() && c.state.is_open() {
        state
            .store
            .release_agreement(&c.reference, &recipient, &recipient_organisation)
            .await?
    } else {
        String::new()
    };
    let decided_to_disclose =
        c.state == CaseState::Decided && matches!(c.decision, Some((Decision::Disclose, _)));
    Ok(Some(Section {
        category: d.category.describe(),
        request_type: if secondary {
            RequestType::Secondary.describe()
        } else {
            d.request_type.describe()
        },
        secondary,
        organisation: d.organisation.clone(),
        crime_reference: d.crime_reference.clone(),
        purpose: d.purpose.clone(),
        undecided,
        open: c.state.is_open(),
        needs_start: undecided && c.state == CaseState::Received,
        may_authorise: undecided
            && c.state == CaseState::InProgress
            && d.authorisation.is_none()
            && problems.is_empty(),
        problems,
        ready_as,
        given,
        still_needs,
        held: d
            .documents
            .iter()
            .map(|k| (k.as_str(), k.describe()))
            .collect(),
        upload_kinds,
        public_interest_test: d.public_interest_test.clone().unwrap_or_default(),
        agreement: d.agreement.as_ref().map(|a| Accepted {
            name: a.recipient_name.clone(),
            organisation: a.organisation.clone(),
            text: a.text.clone(),
            at: UnixMs(a.accepted_at_unix_ms).to_london_display(),
            by: names.who(&a.recorded_by),
        }),
        preview,
        recipient,
        recipient_organisation,
        agreement_changed: q.changed.is_some_and(|c| !c.is_empty()),
        bases: LegalBasis::ALL
            .iter()
            .map(|b| (b.as_str(), b.describe()))
            .collect(),
        usual_basis: d.category.usual_legal_basis().as_str(),
        authorisation: d
            .authorisation
            .as_ref()
            .map(|a| {
                format!(
                    "Authorised by {} acting as {} on {}; legal basis: {}.",
                    names.person(&a.username),
                    role(a.role.as_str()),
                    UnixMs(a.at_unix_ms).to_london_display(),
                    a.legal_basis.describe()
                )
            })
            .unwrap_or_default(),
        may_release: decided_to_disclose && d.authorisation.is_some() && d.agreement.is_some(),
        releases: d.releases.iter().map(|r| log_row(r, &names)).collect(),
        no_refusal: disclosure::check_refusal(d.category, "")
            .err()
            .filter(|_| !disclosure::may_refuse(d.category))
            .unwrap_or_default(),
    }))
}

/// Back to the case's page, at `anchor`.
fn back_to(reference: &str, anchor: &str) -> Response {
    Redirect::to(&crate::done::to(
        &format!("/cases/{reference}#{anchor}"),
        "disclosure-recorded",
    ))
    .into_response()
}

/// The crime reference form.
#[derive(Debug, Deserialize)]
pub(crate) struct CrimeReferenceForm {
    csrf: String,
    #[serde(default)]
    crime_reference: String,
}

/// `POST /cases/{reference}/crime-reference`: records the crime reference the officer
/// quoted (for the NCA, its case or operation reference).
pub(crate) async fn crime_reference(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(f): Form<CrimeReferenceForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let (c, actor) = load_to_work(&state, &staff, &reference).await?;
    state
        .store
        .set_crime_reference(&actor, &c.reference, &f.crime_reference)
        .await?;
    Ok(back_to(&c.reference, "disclosure"))
}

/// The public-interest test form.
#[derive(Debug, Deserialize)]
pub(crate) struct PublicInterestForm {
    csrf: String,
    #[serde(default)]
    text: String,
}

/// `POST /cases/{reference}/public-interest-test`: records why releasing the images serves
/// the public, for a secondary request (BDC-39).
pub(crate) async fn public_interest_test(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(f): Form<PublicInterestForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let (c, actor) = load_to_work(&state, &staff, &reference).await?;
    state
        .store
        .record_public_interest_test(&actor, &c.reference, &f.text)
        .await?;
    Ok(back_to(&c.reference, "public-interest"))
}

/// The recipient's acceptance of the release agreement.
#[derive(Debug, Deserialize)]
pub(crate) struct AgreementForm {
    csrf: String,
    #[serde(default)]
    recipient: String,
    #[serde(default)]
    organisation: String,
    /// The agreement's text as the page showed it.
    #[serde(default)]
    shown: String,
    /// Present when ticked.
    accepted: Option<String>,
}

/// Text compared line by line, whatever line ends a browser sent.
fn same_text(a: &str, b: &str) -> bool {
    let lines = |s: &str| {
        s.replace("\r\n", "\n")
            .lines()
            .map(|l| l.trim_end().to_owned())
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_owned()
    };
    lines(a) == lines(b)
}

/// `POST /cases/{reference}/agreement`: records that the recipient read and accepts the
/// release agreement shown (LBU-21, BDC-31), keeping its full text.
pub(crate) async fn agreement(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(f): Form<AgreementForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let (c, actor) = load_to_work(&state, &staff, &reference).await?;
    if f.accepted.is_none() {
        return Err(WebError::BadRequest(
            "Tick \"The recipient has read and accepts this agreement\" once they have; nothing is recorded until then."
                .to_owned(),
        ));
    }
    let now = state
        .store
        .release_agreement(&c.reference, &f.recipient, &f.organisation)
        .await?;
    if !same_text(&now, &f.shown) {
        return Ok(Redirect::to(&format!(
            "/cases/{}?recipient={}&organisation={}&changed=1#agreement",
            c.reference,
            url_encode(f.recipient.trim()),
            url_encode(f.organisation.trim())
        ))
        .into_response());
    }
    state
        .store
        .accept_release_agreement(&actor, &c.reference, &f.recipient, &f.organisation)
        .await?;
    Ok(back_to(&c.reference, "agreement"))
}

/// The authorisation form.
#[derive(Debug, Deserialize)]
pub(crate) struct AuthoriseForm {
    csrf: String,
    /// A [`LegalBasis`] id; the category's usual one when empty.
    #[serde(default)]
    legal_basis: String,
}

/// `POST /cases/{reference}/authorise`: the person signed in authorises the release, in a
/// role the pack allows for the category, once nothing is missing; the case is decided to
/// disclose.
pub(crate) async fn authorise(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(f): Form<AuthoriseForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let (c, _) = load_to_work(&state, &staff, &reference).await?;
    let basis = match f.legal_basis.trim() {
        "" => None,
        b => Some(b.parse::<LegalBasis>().map_err(WebError::BadRequest)?),
    };
    state
        .store
        .authorise_disclosure(&staff.info.subject, &c.reference, basis)
        .await?;
    Ok(back_to(&c.reference, "release"))
}

/// The release form.
#[derive(Debug, Deserialize)]
pub(crate) struct ReleaseForm {
    csrf: String,
    #[serde(default)]
    exhibit: String,
    /// Present when ticked.
    encrypt: Option<String>,
    /// `yes` from the confirmation page.
    confirm: Option<String>,
}

/// `POST /cases/{reference}/release`: makes the release's evidence package in the
/// background, as the Export page does, and leads to the same job page: progress, the
/// archive to download and the passphrase shown once. The hand-over is written to the
/// disclosure log when the package is made.
pub(crate) async fn release(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(f): Form<ReleaseForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let (c, _) = load_to_work(&state, &staff, &reference).await?;
    let folders = crate::export::folders(&state)?;
    // A release is an evidence package: it needs `export` for each of its cameras, as the
    // Export page does, and is ledgered as done with that right.
    let mut actor = None;
    let mut seen: Vec<&str> = Vec::new();
    for footage in &c.footage {
        if seen.contains(&footage.camera.as_str()) {
            continue;
        }
        seen.push(&footage.camera);
        let id = Ident::parse(&footage.camera).map_err(|e| WebError::BadRequest(e.to_string()))?;
        let Some(camera) = state.store.camera(&id).await? else {
            return Err(WebError::BadRequest(format!("there is no camera {id}")));
        };
        actor = Some(
            staff
                .require(
                    &state,
                    Right::Export,
                    &state.store.camera_target(&camera).await?,
                )
                .await?,
        );
    }
    let Some(actor) = actor else {
        return Err(WebError::BadRequest(format!(
            "{} names no footage to release",
            c.reference
        )));
    };
    if f.exhibit.trim().is_empty() {
        return Err(WebError::BadRequest(
            "Give the exhibit reference the package is produced as (for example JS/1).".to_owned(),
        ));
    }
    if !crate::confirm::confirmed(f.confirm.as_deref()) {
        return confirm_release(&state, &staff, &c, &f).await;
    }
    let id = crate::export::spawn(
        &state,
        &staff,
        actor,
        folders,
        JobWork::Release {
            reference: c.reference.clone(),
            exhibit: f.exhibit.trim().to_owned(),
            encrypt: f.encrypt.is_some(),
        },
    )?;
    Ok(Redirect::to(&format!("/exports/{id}")).into_response())
}

/// The page that asks before case `c`'s footage is released, naming the footage and the
/// recipient who accepted the release agreement.
async fn confirm_release(
    state: &AppState,
    staff: &Staff,
    c: &Case,
    f: &ReleaseForm,
) -> Result<Response, WebError> {
    let d = state.store.disclosure(&c.reference).await?;
    let (Some(_), Some(agreement)) = (
        d.as_ref().and_then(|d| d.authorisation.as_ref()),
        d.as_ref().and_then(|d| d.agreement.as_ref()),
    ) else {
        return Err(WebError::BadRequest(format!(
            "{} is not authorised for release yet; its page says what it still needs",
            c.reference
        )));
    };
    if c.state != CaseState::Decided || !matches!(c.decision, Some((Decision::Disclose, _))) {
        return Err(WebError::BadRequest(format!(
            "{} is {}; footage is released while the case is decided to disclose and not yet closed",
            c.reference, c.state
        )));
    }
    let recipient = format!("{} of {}", agreement.recipient_name, agreement.organisation);
    let mut footage = Vec::new();
    for part in &c.footage {
        footage.push(format!(
            "{} {}",
            crate::confirm::camera_names(state, &[part.camera.as_str()]).await?,
            crate::confirm::span(part.from_unix_ms, part.to_unix_ms)
        ));
    }
    let exhibit = f.exhibit.trim();
    let mut fields = vec![("csrf", f.csrf.clone()), ("exhibit", f.exhibit.clone())];
    if let Some(e) = &f.encrypt {
        fields.push(("encrypt", e.clone()));
    }
    crate::confirm::page(
        state,
        staff,
        crate::confirm::Confirmation {
            title: format!("Release the footage of {} to {recipient}?", c.reference),
            sentences: vec![
                format!(
                    "You are about to release the footage of {} to {recipient}, as exhibit {exhibit}.",
                    footage.join("; ")
                ),
                if f.encrypt.is_some() {
                    "An evidence package is made of it, encrypted with a passphrase shown to you once, and its hand-over is written to the disclosure log.".to_owned()
                } else {
                    "An evidence package is made of it, not encrypted, and its hand-over is written to the disclosure log.".to_owned()
                },
            ],
            undo: "Once handed over, the footage is out of the scheme's hands: this cannot be undone."
                .to_owned(),
            action: format!("/cases/{}/release", c.reference),
            fields,
            confirm: "Release the footage".to_owned(),
            cancel: format!("/cases/{}#release", c.reference),
        },
    )
    .await
}

/// A registered medium, for people.
pub(crate) struct MediumRow {
    pub(crate) reference: String,
    pub(crate) package_id: String,
    pub(crate) case_reference: String,
    pub(crate) description: String,
    pub(crate) issued_to: String,
    pub(crate) organisation: String,
    pub(crate) issued_at: String,
    pub(crate) issued_by: String,
    pub(crate) returned: String,
    pub(crate) erased: String,
    pub(crate) remarks: String,
    /// The link to report it lost as a breach: while it is out, for those who may.
    pub(crate) report_breach: Option<String>,
}

fn medium_row(m: Medium, names: &custos_domain::ledger::Names, staff: &Staff) -> MediumRow {
    let when = |t: Option<i64>| t.map(|t| UnixMs(t).to_london_display()).unwrap_or_default();
    let out = m.returned_at_unix_ms.is_none() && m.erased_at_unix_ms.is_none();
    MediumRow {
        report_breach: out
            .then(|| {
                crate::cases::report_breach(
                    staff,
                    "media-register",
                    &format!("Medium {} lost or not returned", m.reference),
                )
            })
            .flatten(),
        returned: when(m.returned_at_unix_ms),
        erased: when(m.erased_at_unix_ms),
        issued_at: UnixMs(m.issued_at_unix_ms).to_london_display(),
        reference: m.reference,
        package_id: m.package_id,
        case_reference: m.case_reference.unwrap_or_default(),
        description: m.description,
        issued_to: m.issued_to,
        organisation: m.organisation,
        issued_by: names.who(&m.issued_by),
        remarks: m.remarks,
    }
}

/// The form registering a physical medium, as typed.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct MediumForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub(crate) package_id: String,
    #[serde(default)]
    pub(crate) case_ref: String,
    #[serde(default)]
    pub(crate) description: String,
    #[serde(default)]
    pub(crate) issued_to: String,
    #[serde(default)]
    pub(crate) organisation: String,
    #[serde(default)]
    pub(crate) remarks: String,
}

#[derive(Template)]
#[template(path = "disclosures.html")]
struct DisclosuresPage {
    banner: Banner,
    log: Vec<LogRow>,
    media: Vec<MediumRow>,
    /// Whether this person may register media and record what became of them.
    may_register: bool,
    form: MediumForm,
    problems: Vec<String>,
    /// Packages released, for the register form's suggestions.
    packages: Vec<String>,
}

async fn disclosures_page(
    state: &AppState,
    staff: &Staff,
    form: MediumForm,
    problems: Vec<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    // The log and the register are shown only to those who read the logbooks, also when
    // the page comes back from registering a medium.
    let reader = staff.may(Right::ReadLogbooks, &Target::Scheme);
    let (log, media) = if reader {
        (
            state.store.disclosure_log(None, None).await?,
            state.store.media_register().await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let names = crate::staff::names(state).await?;
    let mut packages: Vec<String> = log.iter().map(|r| r.package_id.clone()).collect();
    packages.dedup();
    Ok(render(
        status,
        &DisclosuresPage {
            banner: Banner::load(state, staff).await?,
            log: log.iter().map(|r| log_row(r, &names)).collect(),
            media: media
                .into_iter()
                .map(|m| medium_row(m, &names, staff))
                .collect(),
            may_register: staff.may(Right::Export, &Target::Scheme),
            form,
            problems,
            packages,
        },
    ))
}

/// `GET /disclosures`: the disclosure log (LBU-20) and the media register (BDC-32).
pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, WebError> {
    staff
        .require(&state, Right::ReadLogbooks, &Target::Scheme)
        .await?;
    disclosures_page(
        &state,
        &staff,
        MediumForm::default(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// `GET /disclosures.csv`: the disclosure log as CSV, headed by its field names.
pub(crate) async fn csv(State(state): State<AppState>, staff: Staff) -> Result<Response, WebError> {
    staff
        .require(&state, Right::ReadLogbooks, &Target::Scheme)
        .await?;
    let rows = state.store.disclosure_log(None, None).await?;
    let today = UnixMs(state.store.clock().now().0).to_uk_local_input();
    let today = today.get(..10).unwrap_or("today");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"custos-disclosure-log-{today}.csv\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        disclosure::csv(&rows),
    )
        .into_response())
}

/// `POST /media`: registers a physical medium a package leaves on, under a new reference
/// to write on it; on a mistake, the page again with the form as typed and the problem.
pub(crate) async fn register_medium(
    State(state): State<AppState>,
    staff: Staff,
    Form(f): Form<MediumForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let actor = staff
        .require(&state, Right::Export, &Target::Scheme)
        .await?;
    let case = Some(f.case_ref.trim()).filter(|c| !c.is_empty());
    match state
        .store
        .issue_medium(
            &actor,
            &f.package_id,
            case,
            &f.description,
            &f.issued_to,
            &f.organisation,
            &f.remarks,
        )
        .await
    {
        Ok(m) => Ok(Redirect::to(&crate::done::to(
            &format!("/disclosures#medium-{}", m.reference),
            "medium-registered",
        ))
        .into_response()),
        Err(e) if theirs(&e) => {
            disclosures_page(
                &state,
                &staff,
                f,
                vec![e.to_string()],
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// What became of a medium.
#[derive(Debug, Deserialize)]
pub(crate) struct MediumEventForm {
    csrf: String,
    #[serde(default)]
    remarks: String,
}

async fn medium_event(
    state: AppState,
    staff: Staff,
    reference: String,
    f: MediumEventForm,
    event: MediumEvent,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let actor = staff
        .require(&state, Right::Export, &Target::Scheme)
        .await?;
    let m = state
        .store
        .medium_event(&actor, &reference, event, &f.remarks)
        .await?;
    Ok(Redirect::to(&crate::done::to(
        &format!("/disclosures#medium-{}", m.reference),
        match event {
            MediumEvent::Returned => "medium-returned",
            MediumEvent::Erased => "medium-erased",
        },
    ))
    .into_response())
}

/// `POST /media/{reference}/returned`: the medium came back to the scheme.
pub(crate) async fn medium_returned(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(f): Form<MediumEventForm>,
) -> Result<Response, WebError> {
    medium_event(state, staff, reference, f, MediumEvent::Returned).await
}

/// `POST /media/{reference}/erased`: the medium was erased or destroyed.
pub(crate) async fn medium_erased(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(f): Form<MediumEventForm>,
) -> Result<Response, WebError> {
    medium_event(state, staff, reference, f, MediumEvent::Erased).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// LBU-19, BDC-39: an empty form names every missing piece; the media cannot be a
    /// primary request; a good form becomes a disclosure case with its request.
    #[test]
    fn lbu_19_the_third_party_form_names_each_problem_and_reads_the_request() {
        let now = 1_800_000_000_000;
        let empty = read(&RequestForm::default(), now).expect_err("empty");
        for what in [
            "who is asking",
            "primary or secondary",
            "requester's name",
            "way to reach",
            "organisation",
            "purpose",
            "camera",
            "start of the footage",
            "end of the footage",
        ] {
            assert!(
                empty.iter().any(|p| p.contains(what)),
                "{what} in {empty:?}"
            );
        }
        let good = RequestForm {
            name: "PC 1234 Sam Officer".to_owned(),
            contact: "sam.officer@police.example".to_owned(),
            organisation: "Hampshire Constabulary".to_owned(),
            category: "law-enforcement".to_owned(),
            request_type: "primary".to_owned(),
            crime_reference: " CR/0412/26 ".to_owned(),
            purpose: "Identify the person who damaged the gate".to_owned(),
            cameras: "front-gate, side-door".to_owned(),
            from: "2026-11-20T08:30".to_owned(),
            to: "2026-11-20T08:50".to_owned(),
            ..RequestForm::default()
        };
        let (case, req) = read(&good, now).expect("good");
        assert_eq!(case.kind, CaseKind::Disclosure);
        assert_eq!(case.received_at_unix_ms, now);
        assert_eq!(req.category, Category::LawEnforcement);
        assert_eq!(req.crime_reference, "CR/0412/26");
        assert_eq!(req.cameras.len(), 2);
        let media = RequestForm {
            category: "media".to_owned(),
            ..good
        };
        let e = read(&media, now).expect_err("media primary");
        assert!(
            e.iter().any(|p| p.contains("always a secondary request")),
            "{e:?}"
        );
        let backwards = RequestForm {
            request_type: "secondary".to_owned(),
            from: "2026-11-20T09:00".to_owned(),
            ..media
        };
        let e = read(&backwards, now).expect_err("ends before it starts");
        assert_eq!(
            e,
            vec!["The footage asked for must end after it starts.".to_owned()]
        );
    }

    #[test]
    fn an_agreement_reads_the_same_whatever_line_ends_the_browser_sent() {
        assert!(same_text("Release\n\n1. One\n", "Release\r\n\r\n1. One"));
        assert!(!same_text("I, A, of B", "I, A, of C"));
    }
}
