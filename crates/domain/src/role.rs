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
    let name = display_name(id);
    // A title stays a title; other roles read as common nouns inside a sentence.
    if id == "dpo" {
        name
    } else {
        name.to_lowercase()
    }
}

/// Whether `id` is a built-in role.
pub fn is_built_in(id: &str) -> bool {
    BUILT_IN_ROLES.iter().any(|(r, _)| *r == id)
}

/// A role's name for people: the built-in roles by their titles ("Data Protection
/// Officer"), a custom role by its id in words ("site-manager" is "Site manager").
pub fn display_name(id: &str) -> String {
    match id {
        "owner" => "Owner".to_owned(),
        "manager" => "Manager".to_owned(),
        "supervisor" => "Supervisor".to_owned(),
        "operator" => "Operator".to_owned(),
        "trainee-operator" => "Trainee operator".to_owned(),
        "dpo" => "Data Protection Officer".to_owned(),
        "authoriser" => "Authoriser".to_owned(),
        "auditor" => "Auditor".to_owned(),
        "viewer" => "Viewer".to_owned(),
        custom => {
            let words = custom.replace(['-', '_'], " ");
            let mut c = words.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_role_has_a_title_and_custom_roles_read_as_words() {
        for (id, _) in BUILT_IN_ROLES {
            let name = display_name(id);
            assert!(!name.contains('-'), "{id}: {name}");
            assert!(name.starts_with(|c: char| c.is_uppercase()), "{id}: {name}");
        }
        assert_eq!(display_name("dpo"), "Data Protection Officer");
        assert_eq!(display_name("site-manager"), "Site manager");
    }
}
