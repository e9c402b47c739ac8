//! Who may do what: rights, what each role holds, where an assignment applies, and the one
//! authorisation function every route and command asks (LJM-6, LBU-4, BDC-11, SCC-7,
//! ALT-21).
//!
//! Invariants:
//! - [`decide`] is the only place that answers "may this person do this here, now?"; it
//!   is a pure function of its arguments and always says why when the answer is no.
//! - Rights to *authorise* controlled actions come from the policy pack (its `authorise`
//!   section), not from role defaults, so a scheme's rules decide who may authorise a
//!   download or a deletion.
//! - A right held on a site applies only to that site's cameras; on a camera group, only to
//!   that group's cameras; on the scheme, everywhere (ALT-21: a trust's headteacher sees
//!   only their own school).
//! - Disabled people may do nothing.
//! - A role whose training the pack requires gives none of the rights the course covers
//!   (every right, unless the pack lists some) until the person has an in-date record of
//!   that course (BDC-11, BJS-9, ALT-17, LBU-4).
//! - A deputy's extra rights (BDC-1) apply only while every holder of each absent role is
//!   absent where the deputy holds their role, and the answer says so ([`Grant::Deputy`]),
//!   so that what is done with them is ledgered as done as deputy.
//! - Watching or reviewing footage of a camera group restricted to client networks is
//!   refused from anywhere else, whoever asks (LJM-8, LBU-5).

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use crate::Ident;
use crate::case::CaseKind;
use crate::network::Network;
use crate::policy::{DeputyRule, PolicyPack};

kebab_enum! {
    /// A fine-grained permission.
    Right, "right" {
        /// Watch cameras live (ALT-5).
        ViewLive = "view-live",
        /// Review recorded footage, stating a reason (LBU-4, ALT-6, BDC-33).
        ReviewRecordings = "review-recordings",
        /// Export or download footage.
        Export = "export",
        /// Authorise a download (ALT-8); held by the roles the pack names.
        AuthoriseDownload = "authorise-download",
        /// Authorise deleting retained footage (LJM-9, ALT-8); held by the roles the pack
        /// names.
        AuthoriseDeletion = "authorise-deletion",
        /// Authorise a third-party disclosure (LBU-19, BDC-39); held by the roles the pack
        /// names for each category, and by deputies the pack gives it to (BDC-1).
        AuthoriseDisclosure = "authorise-disclosure",
        /// Place and release holds on footage (LBU-17, BDC-28).
        ManageHolds = "manage-holds",
        /// Add, change and retire cameras.
        ManageCameras = "manage-cameras",
        /// Add, change and disable user accounts and their roles.
        ManageUsers = "manage-users",
        /// Work cases: requests, complaints, disclosures.
        WorkCases = "work-cases",
        /// Read the logbooks (BDC-18, SCC-10).
        ReadLogbooks = "read-logbooks",
        /// Change the scheme's settings and policy.
        Administer = "administer",
    }
}

/// The rights each built-in role holds by default, apart from the authorisation rights,
/// which the pack gives.
pub fn default_rights(role: &str) -> &'static [Right] {
    use Right::*;
    match role {
        "owner" => &[
            ViewLive,
            ReviewRecordings,
            Export,
            ManageHolds,
            ManageCameras,
            ManageUsers,
            WorkCases,
            ReadLogbooks,
            Administer,
        ],
        "manager" => &[
            ViewLive,
            ReviewRecordings,
            Export,
            ManageHolds,
            ManageCameras,
            ManageUsers,
            WorkCases,
            ReadLogbooks,
        ],
        "supervisor" => &[
            ViewLive,
            ReviewRecordings,
            Export,
            ManageHolds,
            ReadLogbooks,
        ],
        "operator" | "trainee-operator" => &[ViewLive, ReviewRecordings],
        "dpo" => &[
            ReviewRecordings,
            Export,
            ManageHolds,
            WorkCases,
            ReadLogbooks,
        ],
        "auditor" => &[ReadLogbooks],
        "viewer" => &[ViewLive],
        // "authoriser" holds only what the pack's `authorise` section gives it; custom
        // roles hold that and their own `rights` list.
        _ => &[],
    }
}

/// A course a role needs, and the rights it covers (`None`: every right of the role).
type Course = (String, Option<BTreeSet<Right>>);

/// Which rights each role of a scheme holds: the defaults plus what the pack's
/// `authorise` section gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RightsTable {
    by_role: BTreeMap<Ident, BTreeSet<Right>>,
    /// Whether control-room roles need a valid SIA licence (BDC-22).
    licence_required: bool,
    /// Courses each role needs (BDC-11).
    training: BTreeMap<Ident, Vec<Course>>,
    /// Deputising arrangements (BDC-1).
    deputies: Vec<DeputyRule>,
    /// The case kinds a role's `work-cases` covers, for roles the pack limits.
    case_kinds: BTreeMap<Ident, Vec<CaseKind>>,
}

impl RightsTable {
    /// The table for a pack.
    pub fn from_pack(pack: &PolicyPack) -> Self {
        let mut by_role: BTreeMap<Ident, BTreeSet<Right>> = BTreeMap::new();
        for role in &pack.roles {
            let rights = by_role.entry(role.id.clone()).or_default();
            if role.built_in {
                rights.extend(default_rights(role.id.as_str()));
            } else {
                rights.extend(role.rights.iter().copied());
            }
        }
        let grants = [
            (Right::AuthoriseDownload, &pack.authorise.download),
            (Right::AuthoriseDeletion, &pack.authorise.delete_retained),
        ];
        let d = &pack.authorise.disclosure;
        let disclosures = [
            &d.law_enforcement,
            &d.national_crime_agency,
            &d.prosecuting_body,
            &d.legal_representative,
            &d.court_order,
            &d.statutory_body,
            &d.hr_discipline,
            &d.media,
        ];
        let grants = grants
            .into_iter()
            .chain(disclosures.map(|a| (Right::AuthoriseDisclosure, a)));
        for (right, authority) in grants {
            if authority.allowed {
                for role in &authority.roles {
                    by_role.entry(role.clone()).or_default().insert(right);
                }
            }
        }
        let mut training: BTreeMap<Ident, Vec<Course>> = BTreeMap::new();
        for rule in &pack.access.training {
            let covers = rule
                .rights
                .as_ref()
                .map(|rs| rs.iter().copied().collect::<BTreeSet<Right>>());
            for role in &rule.roles {
                training
                    .entry(role.clone())
                    .or_default()
                    .push((rule.course.clone(), covers.clone()));
            }
        }
        Self {
            by_role,
            licence_required: pack.access.sia_licence_required,
            training,
            deputies: pack.access.deputies.clone(),
            case_kinds: pack.access.case_kinds.clone(),
        }
    }

    /// The (role, scope) pairs whose absence would make `assignments` a deputy: what the
    /// store must look up before [`decide`] can answer for a deputy.
    pub fn deputy_needs(&self, assignments: &[Assignment]) -> Vec<Assignment> {
        let mut out = BTreeSet::new();
        for rule in &self.deputies {
            for a in assignments.iter().filter(|a| a.role == rule.deputy) {
                for role in &rule.absent {
                    out.insert(Assignment {
                        role: role.clone(),
                        scope: a.scope.clone(),
                    });
                }
            }
        }
        out.into_iter().collect()
    }

    /// The deputising arrangements in effect for `subject` now, in words for their page
    /// header (BDC-1).
    pub fn deputising(&self, subject: &Subject) -> Vec<String> {
        let mut out = Vec::new();
        for rule in &self.deputies {
            for a in subject.assignments.iter().filter(|a| a.role == rule.deputy) {
                let away = rule.absent.iter().all(|role| {
                    subject.absent_roles.contains(&Assignment {
                        role: role.clone(),
                        scope: a.scope.clone(),
                    })
                });
                if away {
                    let roles: Vec<String> = rule
                        .absent
                        .iter()
                        .map(|r| crate::role::role_words(r.as_str()))
                        .collect();
                    let rights: Vec<&str> = rule.rights.iter().map(|r| r.describe()).collect();
                    let place = match &a.scope {
                        Scope::Scheme => "across the scheme".to_owned(),
                        Scope::Site(s) => format!("at site {s}"),
                        Scope::CameraGroup(g) => format!("for camera group {g}"),
                    };
                    out.push(format!(
                        "You are deputising for the absent {} ({place}): you may also {}. What you do with these rights is recorded as done as deputy.",
                        roles.join(" and "),
                        rights.join(", ")
                    ));
                }
            }
        }
        out
    }

    /// Whether any role's rights depend on training records.
    pub fn needs_training(&self, role: &str) -> bool {
        self.training.keys().any(|r| r.as_str() == role)
    }

    /// The rights a role holds (none for an unknown role).
    pub fn rights(&self, role: &str) -> BTreeSet<Right> {
        self.by_role
            .iter()
            .find(|(r, _)| r.as_str() == role)
            .map(|(_, rights)| rights.clone())
            .unwrap_or_default()
    }

    /// Whether the pack knows the role.
    pub fn knows(&self, role: &str) -> bool {
        self.by_role.keys().any(|r| r.as_str() == role)
    }

    /// The roles of this pack that give `right`, the role with the fewest rights first (the
    /// one to ask for, LJM-6), then in the order of the built-in roles, custom roles last.
    pub fn roles_with(&self, right: Right) -> Vec<&Ident> {
        let order = |id: &Ident| {
            crate::role::BUILT_IN_ROLES
                .iter()
                .position(|(r, _)| *r == id.as_str())
                .unwrap_or(usize::MAX)
        };
        let mut roles: Vec<(usize, usize, &Ident)> = self
            .by_role
            .iter()
            .filter(|(_, rights)| rights.contains(&right))
            .map(|(id, rights)| (rights.len(), order(id), id))
            .collect();
        roles.sort();
        roles.into_iter().map(|(_, _, id)| id).collect()
    }
}

/// Where an assignment of a role applies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Everywhere in the scheme.
    Scheme,
    /// One site (e.g. one school of a trust).
    Site(Ident),
    /// One group of cameras.
    CameraGroup(Ident),
}

impl Scope {
    /// Parses `scheme`, `site:ID` or `group:ID`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "{s:?} is not a scope: use \"scheme\", \"site:ID\" or \"group:ID\" (IDs in kebab case, e.g. site:bosmere)"
            )
        };
        match s.split_once(':') {
            None if s == "scheme" => Ok(Self::Scheme),
            Some(("site", id)) => Ident::parse(id).map(Self::Site).map_err(|_| bad()),
            Some(("group", id)) => Ident::parse(id).map(Self::CameraGroup).map_err(|_| bad()),
            _ => Err(bad()),
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Scheme => f.write_str("scheme"),
            Self::Site(s) => write!(f, "site:{s}"),
            Self::CameraGroup(g) => write!(f, "group:{g}"),
        }
    }
}

/// One role held by a person, where it applies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Assignment {
    /// The role.
    pub role: Ident,
    /// Where it applies.
    pub scope: Scope,
}

/// The person asking, as far as authorisation needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// Their user name.
    pub username: String,
    /// Whether their account is disabled.
    pub disabled: bool,
    /// The roles they hold.
    pub assignments: Vec<Assignment>,
    /// What their licence and the control room's duty roster allow (BDC-22).
    pub competence: Competence,
    /// Roles, where, that have no holder present now (each holder absent or disabled), as
    /// far as the person's deputising needs to know ([`RightsTable::deputy_needs`]).
    pub absent_roles: Vec<Assignment>,
    /// The address the request comes from; `None` at the server's console.
    pub client: Option<IpAddr>,
}

/// The facts about competence that rights depend on (BDC-11, BDC-22).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Competence {
    /// The courses the person has completed and whose records have not expired, in lower
    /// case ([`course_key`]).
    pub courses: BTreeSet<String>,
    /// The person holds an SIA licence that has not expired.
    pub licence_valid: bool,
    /// Someone holding an operator or supervisor role is signed on duty now.
    pub operator_on_duty: bool,
    /// Someone holding a valid licence and an operator or supervisor role is signed on
    /// duty now.
    pub licensed_operator_on_duty: bool,
}

/// How a course's name is compared: trimmed, in lower case.
pub fn course_key(course: &str) -> String {
    course.trim().to_lowercase()
}

/// Control-room roles whose rights need a valid SIA licence when the pack requires one.
pub const LICENSED_ROLES: &[&str] = &["operator", "supervisor"];

/// The role that may act only while a licensed operator is on duty (BDC-22).
pub const TRAINEE_ROLE: &str = "trainee-operator";

/// What an action is done to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The scheme as a whole (settings, users, logbooks).
    Scheme,
    /// Something on one site, e.g. a camera: its site and the camera groups it is in.
    Located {
        /// The site.
        site: Ident,
        /// The camera groups.
        groups: Vec<Ident>,
        /// The workstation rules of those groups that restrict where they may be watched
        /// from (LJM-8).
        workstations: Vec<WorkstationRule>,
    },
    /// A case: its kind, and the site it concerns, if one (ALT-21).
    Case {
        /// The kind.
        kind: CaseKind,
        /// The site, or `None` for a case about the whole scheme.
        site: Option<Ident>,
    },
}

/// A camera group's rule: its cameras may be watched, live or recorded, only from these
/// client networks (LJM-8, LBU-5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkstationRule {
    /// The camera group.
    pub group: Ident,
    /// The networks allowed.
    pub networks: Vec<Network>,
}

/// How a right was granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// By the person's own roles.
    Own,
    /// As deputy while the holders of these roles are absent (BDC-1).
    Deputy {
        /// The absent roles.
        for_roles: Vec<Ident>,
    },
}

impl Grant {
    /// The absent roles, joined for a ledger entry, when granted as deputy.
    pub fn deputy_for(&self) -> Option<String> {
        match self {
            Self::Own => None,
            Self::Deputy { for_roles } => Some(
                for_roles
                    .iter()
                    .map(Ident::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        }
    }
}

/// The rights that show footage, and so are bound by workstation rules (LJM-8).
pub const VIEWING_RIGHTS: &[Right] = &[Right::ViewLive, Right::ReviewRecordings, Right::Export];

/// Why an action is refused, in words for the person refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denial {
    /// The account is disabled.
    #[error("your account is disabled; ask a manager if you need access again")]
    Disabled,
    /// No role gives the right at all.
    #[error(
        "none of your roles ({roles}) lets you {}; ask a manager if your work needs it",
        .right.describe()
    )]
    NoRight {
        /// The right needed.
        right: Right,
        /// The roles held, for the message.
        roles: String,
    },
    /// The right comes only from control-room roles, and the person's SIA licence is
    /// missing or expired (BDC-22).
    #[error(
        "you may {} only with a valid SIA licence, and Custos has none for you that is in date; ask a supervisor to record your licence",
        .right.describe()
    )]
    LicenceMissing {
        /// The right needed.
        right: Right,
    },
    /// A trainee operator with no (licensed, where required) operator on duty (BDC-22).
    #[error(
        "as a trainee operator you may {} only while {} is signed on duty; ask one to sign on",
        .right.describe(),
        if *.licensed { "a licensed operator" } else { "an operator" }
    )]
    NoLicensedOperatorOnDuty {
        /// The right needed.
        right: Right,
        /// Whether the operator on duty must hold a licence (the scheme requires one).
        licensed: bool,
    },
    /// A role needs a course the person has no in-date record of (BDC-11).
    #[error(
        "you may {} only once your training in {course:?} is recorded and in date; ask a manager to record it",
        .right.describe()
    )]
    TrainingMissing {
        /// The right needed.
        right: Right,
        /// The course.
        course: String,
    },
    /// The camera group may be watched only from listed networks, and the request comes
    /// from elsewhere (LJM-8, LBU-5).
    #[error(
        "the cameras of group {group} may be watched only from the workstations registered for it, and this request comes from {}; use a registered workstation, or ask a manager to register this one",
        .address.map_or_else(|| "an unknown address".to_owned(), |a| a.to_string())
    )]
    Workstation {
        /// The right needed.
        right: Right,
        /// The restricting group.
        group: Ident,
        /// Where the request came from.
        address: Option<IpAddr>,
    },
    /// The person works cases, but not of this kind (`access.case_kinds`).
    #[error(
        "your roles ({roles}) work other kinds of case, not {}; ask a manager if your work needs it",
        .kind.describe_with_article()
    )]
    CaseKind {
        /// The case's kind.
        kind: CaseKind,
        /// The roles that work cases, for the message.
        roles: String,
    },
    /// The person holds none of the roles an authority names.
    #[error(
        "none of your roles ({roles}) may {} here: that needs {wanted}",
        .right.describe()
    )]
    NotAnAuthoriser {
        /// The right needed.
        right: Right,
        /// The roles held, for the message.
        roles: String,
        /// The roles that may, in words.
        wanted: String,
    },
    /// A role gives the right, but not where the target is.
    #[error("you may {} only at {scopes}, not here", .right.describe())]
    OutOfScope {
        /// The right needed.
        right: Right,
        /// Where the person holds it.
        scopes: String,
    },
}

impl Right {
    /// The right in words, completing "lets you …".
    pub fn describe(self) -> &'static str {
        match self {
            Right::ViewLive => "watch cameras live",
            Right::ReviewRecordings => "review recorded footage",
            Right::Export => "export or download footage",
            Right::AuthoriseDownload => "authorise downloads",
            Right::AuthoriseDeletion => "authorise deleting retained footage",
            Right::AuthoriseDisclosure => "authorise releases to third parties",
            Right::ManageHolds => "place or release holds on footage",
            Right::ManageCameras => "manage cameras",
            Right::ManageUsers => "manage user accounts",
            Right::WorkCases => "work on cases",
            Right::ReadLogbooks => "read the logbooks",
            Right::Administer => "administer the scheme",
        }
    }
}

impl Scope {
    /// Whether a role held at this scope reaches `target`: the whole scheme reaches
    /// everything, a site what is on it, a camera group its cameras.
    pub fn covers(&self, target: &Target) -> bool {
        applies(self, target)
    }
}

fn applies(scope: &Scope, target: &Target) -> bool {
    match (scope, target) {
        (Scope::Scheme, _) => true,
        (_, Target::Scheme) => false,
        (Scope::Site(s), Target::Located { site, .. }) => s == site,
        (Scope::CameraGroup(g), Target::Located { groups, .. }) => groups.contains(g),
        (Scope::Site(s), Target::Case { site, .. }) => site.as_ref() == Some(s),
        (Scope::CameraGroup(_), Target::Case { .. }) => false,
    }
}

impl RightsTable {
    /// Whether `role`'s `right` reaches `target`'s kind: a role the pack limits to some
    /// case kinds works only those.
    fn covers_kind(&self, role: &Ident, right: Right, target: &Target) -> bool {
        match (right, target) {
            (Right::WorkCases, Target::Case { kind, .. }) => self
                .case_kinds
                .get(role)
                .is_none_or(|kinds| kinds.contains(kind)),
            _ => true,
        }
    }
}

/// Whether `manager` may grant, take away or disable the holding of `roles`: nobody hands
/// out, or takes from others, more than they hold themselves — every right the roles give
/// must be one of the manager's own roles' rights. Otherwise why not, in words.
pub fn may_manage_roles(
    table: &RightsTable,
    manager: &Subject,
    roles: &[Ident],
) -> Result<(), String> {
    let own: BTreeSet<Right> = manager
        .assignments
        .iter()
        .flat_map(|a| table.rights(a.role.as_str()))
        .collect();
    for role in roles {
        let beyond: Vec<&str> = table
            .rights(role.as_str())
            .into_iter()
            .filter(|r| !own.contains(r))
            .map(|r| r.describe())
            .collect();
        if !beyond.is_empty() {
            return Err(format!(
                "the {} role lets its holder {}, which your own roles do not; ask someone who holds every right of that role (such as the scheme's owner)",
                crate::role::display_name(role.as_str()),
                beyond.join(", ")
            ));
        }
    }
    Ok(())
}

/// Whether `subject` may use `right` on `target` under `table`, and how; if not, why.
pub fn decide(
    table: &RightsTable,
    subject: &Subject,
    right: Right,
    target: &Target,
) -> Result<Grant, Denial> {
    if subject.disabled {
        return Err(Denial::Disabled);
    }
    // LJM-8: a restricted camera group is watched only from its workstations, whoever asks.
    if VIEWING_RIGHTS.contains(&right)
        && let Target::Located { workstations, .. } = target
        && let Some(rule) = workstations.iter().find(|w| {
            !subject
                .client
                .is_some_and(|c| w.networks.iter().any(|n| n.contains(c)))
        })
    {
        return Err(Denial::Workstation {
            right,
            group: rule.group.clone(),
            address: subject.client,
        });
    }
    let gate = |a: &Assignment| gate(table, subject, right, a);
    let holding_any_kind: Vec<&Assignment> = subject
        .assignments
        .iter()
        .filter(|a| table.rights(a.role.as_str()).contains(&right))
        .collect();
    let holding: Vec<&Assignment> = holding_any_kind
        .iter()
        .copied()
        .filter(|a| table.covers_kind(&a.role, right, target))
        .collect();
    if holding
        .iter()
        .any(|a| gate(a).is_ok() && applies(&a.scope, target))
    {
        return Ok(Grant::Own);
    }
    // BDC-1: a deputy's rights while the holders of the roles they stand in for are absent.
    for rule in table.deputies.iter().filter(|r| r.rights.contains(&right)) {
        let covering = subject.assignments.iter().any(|a| {
            a.role == rule.deputy
                && gate(a).is_ok()
                && applies(&a.scope, target)
                && rule.absent.iter().all(|role| {
                    subject.absent_roles.contains(&Assignment {
                        role: role.clone(),
                        scope: a.scope.clone(),
                    })
                })
        });
        if covering {
            return Ok(Grant::Deputy {
                for_roles: rule.absent.clone(),
            });
        }
    }
    if holding.is_empty()
        && !holding_any_kind.is_empty()
        && let Target::Case { kind, .. } = target
    {
        return Err(Denial::CaseKind {
            kind: *kind,
            roles: holding_any_kind
                .iter()
                .map(|a| crate::role::display_name(a.role.as_str()))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    if holding.is_empty() {
        let roles: Vec<String> = subject
            .assignments
            .iter()
            .map(|a| crate::role::display_name(a.role.as_str()))
            .collect();
        return Err(Denial::NoRight {
            right,
            roles: if roles.is_empty() {
                "none".to_owned()
            } else {
                roles.join(", ")
            },
        });
    }
    let gated: Vec<&Assignment> = holding
        .iter()
        .copied()
        .filter(|a| gate(a).is_ok())
        .collect();
    if gated.is_empty()
        && let Some(Err(d)) = holding.first().map(|a| gate(a))
    {
        return Err(d);
    }
    Err(Denial::OutOfScope {
        right,
        scopes: gated
            .iter()
            .map(|a| a.scope.to_string())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// Whether `subject` may authorise an action whose authority names `roles` (the roles
/// still wanted, from the pack's `authorise` section), for footage at every one of
/// `targets`, and in which role. The same gates as [`decide`] apply — disabled accounts,
/// licences, supervision, training — and a deputy stands in for an absent holder of one of
/// `roles` when the pack gives the deputy `right` (BDC-1): the answer is then
/// [`Grant::Deputy`], and the role acted in is the absent one. One assignment must reach
/// every target.
pub fn decide_authority(
    table: &RightsTable,
    subject: &Subject,
    right: Right,
    roles: &[Ident],
    targets: &[Target],
) -> Result<(Ident, Grant), Denial> {
    if subject.disabled {
        return Err(Denial::Disabled);
    }
    let reaches = |a: &Assignment| targets.iter().all(|t| applies(&a.scope, t));
    let usable = |a: &Assignment| gate(table, subject, right, a).is_ok();
    let holding: Vec<&Assignment> = subject
        .assignments
        .iter()
        .filter(|a| roles.contains(&a.role))
        .collect();
    if let Some(a) = holding.iter().find(|a| usable(a) && reaches(a)) {
        return Ok((a.role.clone(), Grant::Own));
    }
    for rule in table.deputies.iter().filter(|r| r.rights.contains(&right)) {
        let Some(stands_for) = rule.absent.iter().find(|r| roles.contains(r)) else {
            continue;
        };
        let covering = subject.assignments.iter().any(|a| {
            a.role == rule.deputy
                && usable(a)
                && reaches(a)
                && rule.absent.iter().all(|role| {
                    subject.absent_roles.contains(&Assignment {
                        role: role.clone(),
                        scope: a.scope.clone(),
                    })
                })
        });
        if covering {
            return Ok((
                stands_for.clone(),
                Grant::Deputy {
                    for_roles: rule.absent.clone(),
                },
            ));
        }
    }
    if holding.is_empty() {
        let held: Vec<String> = subject
            .assignments
            .iter()
            .map(|a| crate::role::display_name(a.role.as_str()))
            .collect();
        let wanted: Vec<String> = roles
            .iter()
            .map(|r| crate::role::display_name(r.as_str()))
            .collect();
        return Err(Denial::NotAnAuthoriser {
            right,
            roles: if held.is_empty() {
                "none".to_owned()
            } else {
                held.join(", ")
            },
            wanted: wanted.join(" or "),
        });
    }
    if let Some(Err(d)) = holding
        .iter()
        .find(|a| !usable(a))
        .filter(|_| !holding.iter().any(|a| usable(a)))
        .map(|a| gate(table, subject, right, a))
    {
        return Err(d);
    }
    Err(Denial::OutOfScope {
        right,
        scopes: holding
            .iter()
            .filter(|a| usable(a))
            .map(|a| format!("{} at {}", a.role, a.scope))
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// The groups of an authority still wanting someone, given who has authorised in which
/// role: each group needs one person acting in one of its roles, and nobody counts for two
/// groups (LBU-19: two people, not one person holding two roles). Groups are returned as
/// the pack lists them.
pub fn groups_wanting(groups: &[Vec<Ident>], given: &[(String, Ident)]) -> Vec<Vec<Ident>> {
    // Try every way of giving each person to at most one group their role belongs to, and
    // keep the one that fills the most groups (authorities have two or three groups).
    fn best(
        groups: &[Vec<Ident>],
        given: &[(String, Ident)],
        filled: &mut Vec<bool>,
        used: &mut Vec<bool>,
    ) -> Vec<bool> {
        let mut best_fill = filled.clone();
        for (p, (_, role)) in given.iter().enumerate() {
            if used[p] {
                continue;
            }
            for (g, roles) in groups.iter().enumerate() {
                if filled[g] || !roles.contains(role) {
                    continue;
                }
                filled[g] = true;
                used[p] = true;
                let candidate = best(groups, given, filled, used);
                if candidate.iter().filter(|f| **f).count()
                    > best_fill.iter().filter(|f| **f).count()
                {
                    best_fill = candidate;
                }
                filled[g] = false;
                used[p] = false;
            }
        }
        best_fill
    }
    let mut seen: Vec<&str> = Vec::new();
    let distinct: Vec<(String, Ident)> = given
        .iter()
        .filter(|(who, _)| {
            let first = !seen.contains(&who.as_str());
            seen.push(who);
            first
        })
        .cloned()
        .collect();
    let filled = best(
        groups,
        &distinct,
        &mut vec![false; groups.len()],
        &mut vec![false; distinct.len()],
    );
    groups
        .iter()
        .zip(filled)
        .filter(|(_, f)| !f)
        .map(|(g, _)| g.clone())
        .collect()
}

/// Whether an assignment's `right` is usable now: licence (BDC-22), supervision of
/// trainees (BDC-22) and the training that covers the right (BDC-11, BJS-9, ALT-17,
/// LBU-4).
fn gate(
    table: &RightsTable,
    subject: &Subject,
    right: Right,
    a: &Assignment,
) -> Result<(), Denial> {
    let role = a.role.as_str();
    let competence = &subject.competence;
    if table.licence_required && LICENSED_ROLES.contains(&role) && !competence.licence_valid {
        return Err(Denial::LicenceMissing { right });
    }
    let supervised = if table.licence_required {
        competence.licensed_operator_on_duty
    } else {
        competence.operator_on_duty
    };
    if role == TRAINEE_ROLE && !supervised {
        return Err(Denial::NoLicensedOperatorOnDuty {
            right,
            licensed: table.licence_required,
        });
    }
    if let Some(courses) = table.training.get(&a.role)
        && let Some((missing, _)) = courses.iter().find(|(c, covers)| {
            covers.as_ref().is_none_or(|rs| rs.contains(&right))
                && !competence.courses.contains(&course_key(c))
        })
    {
        return Err(Denial::TrainingMissing {
            right,
            course: missing.clone(),
        });
    }
    Ok(())
}

/// A user name: 1 to 64 characters, lower-case letters, digits, `.`, `-` and `_`,
/// starting with a letter (so it is safe in URLs, logs and the ledger's `user:NAME`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Username(String);

impl Username {
    /// Parses a user name, saying what is wrong with a bad one.
    pub fn parse(s: &str) -> Result<Self, String> {
        let ok = (1..=64).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_')
            });
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(format!(
                "{s:?} is not a user name: use 1 to 64 lower-case letters, digits, dots, hyphens or underscores, starting with a letter (e.g. j.smith)"
            ))
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The role in which `person` keeps `book` (or, with `countersign`, countersigns its
/// entries and checks it) under the pack's `[books]` (BDC-18): the first of their roles the
/// book's rule names, wherever they hold it. Otherwise why not, in words that name the
/// roles that would do.
pub fn book_role(
    books: &crate::policy::Books,
    book: crate::ledger::Book,
    person: &Subject,
    countersign: bool,
) -> Result<Ident, String> {
    let what = book.title().to_lowercase();
    let Some(rule) = books.rule(book) else {
        return Err(format!("the {what} is not one of the books kept here"));
    };
    let roles = if countersign {
        &rule.countersign
    } else {
        &rule.keep
    };
    let doing = if countersign { "countersigned" } else { "kept" };
    if roles.is_empty() {
        return Err(format!("nobody countersigns the {what} here"));
    }
    let named = roles
        .iter()
        .map(|r| crate::role::role_words(r.as_str()))
        .collect::<Vec<_>>()
        .join(" or ");
    if person.disabled {
        return Err(format!(
            "your account is disabled; the {what} is {doing} by the {named}"
        ));
    }
    person
        .assignments
        .iter()
        .find(|a| roles.contains(&a.role))
        .map(|a| a.role.clone())
        .ok_or_else(|| {
            let yours = person
                .assignments
                .iter()
                .map(|a| crate::role::display_name(a.role.as_str()))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "the {what} is {doing} here by the {named}; none of your roles ({}) is one of them",
                if yours.is_empty() {
                    "none"
                } else {
                    yours.as_str()
                }
            )
        })
}
