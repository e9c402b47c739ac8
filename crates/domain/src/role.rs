//! Roles a policy pack can name: the built-in roles of every scheme, and custom ones.
//!
//! The built-in roles follow the codes of practice (BDC-1: owner, manager, supervisor,
//! operator; BDC-22: trainee operator; the DPO; an authoriser such as a headteacher (ALT-8);
//! auditor; viewer). A pack may add custom roles; their ids must not clash with these.

use crate::Ident;

/// The built-in roles, by id, with a one-line description for people.
pub const BUILT_IN_ROLES: &[(&str, &str)] = &[
    ("owner", "Owns the scheme and answers for it"),
    ("manager", "Runs the scheme day to day"),
    (
        "supervisor",
        "Supervises the control room and its operators",
    ),
    ("operator", "Watches cameras and reviews footage"),
    (
        "trainee-operator",
        "An operator in training, working under a licensed operator",
    ),
    ("dpo", "The Data Protection Officer"),
    (
        "authoriser",
        "Authorises downloads, deletions or disclosures, e.g. a headteacher",
    ),
    (
        "auditor",
        "Reads logbooks and settings to check the scheme; changes nothing",
    ),
    (
        "viewer",
        "May watch the cameras they are given, nothing more",
    ),
];

/// A role id known to a pack: one of [`BUILT_IN_ROLES`] or a custom role of the pack.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Role {
    /// The role's id, e.g. `manager` or `headteacher`.
    pub id: Ident,
    /// What the role is for, in words.
    pub description: String,
    /// Whether the role is one of the built-in roles.
    pub built_in: bool,
    /// For a custom role, the rights the pack gives it (beyond any authorisation rights
    /// from the pack's `authorise` section); empty for built-in roles, whose rights are
    /// fixed (`access::default_rights`).
    pub rights: Vec<crate::access::Right>,
}

/// A role id in words, to go inside a sentence: `dpo` is "Data Protection Officer",
/// `trainee-operator` "trainee operator"; a custom role's id with spaces for hyphens.
pub fn role_words(id: &str) -> String {
    match id {
        "dpo" => "Data Protection Officer".to_owned(),
        other => other.replace('-', " "),
    }
}

/// Whether `id` is a built-in role.
pub fn is_built_in(id: &str) -> bool {
    BUILT_IN_ROLES.iter().any(|(r, _)| *r == id)
}
