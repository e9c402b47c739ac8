//! Managing accounts on the web, for those with `manage-users` over the whole scheme:
//! listing accounts, adding one (with a new random password shown once), disabling and
//! enabling with a reason, granting and revoking roles, and marking people absent and back
//! so that the pack's deputies act for them (LJM-6, LBU-4, BDC-1).
//!
//! Invariants: every handler requires `manage-users` at the scheme scope and checks the
//! CSRF token on changes; every change is one store call, which ledgers it; a password is
//! shown once, on the page that created it, and never stored readably.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use custos_domain::Ident;
use custos_domain::access::{Assignment, Right, Scope, Target, Username, may_manage_roles};
use custos_store::{Absence, UserRecord};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Staff;
use crate::error::WebError;
use crate::pages::render;
use crate::staff::Banner;

struct UserRow {
    username: String,
    name: String,
    /// (role id, scope, the two in words).
    roles: Vec<(String, String, String)>,
    mfa: bool,
    disabled: bool,
    /// Current or coming absences, as "from – until (reason)".
    away: Vec<String>,
}

fn row(u: &UserRecord, absences: &[Absence], names: &custos_domain::ledger::Names) -> UserRow {
    UserRow {
        away: absences
            .iter()
            .filter(|a| a.username == u.username)
            .map(|a| format!("{} to {} ({})", a.from, a.until, a.reason))
            .collect(),
        username: u.username.clone(),
        name: u.display_name.clone(),
        roles: u
            .assignments
            .iter()
            .map(|a| {
                let scope = a.scope.to_string();
                let words = format!(
                    "{}{}",
                    custos_domain::role::display_name(a.role.as_str()),
                    names.scope(&scope)
                );
                (a.role.to_string(), scope, words)
            })
            .collect(),
        mfa: u.mfa_enrolled,
        disabled: u.disabled,
    }
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    banner: Banner,
    users: Vec<UserRow>,
    /// The roles this person may hand out: (id, in words).
    roles: Vec<(String, String)>,
    /// Where a role may apply: (scope as stored, in words), the whole scheme first.
    scopes: Vec<(String, String)>,
    created: Option<(String, String)>,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    created: Option<(String, String)>,
) -> Result<Response, WebError> {
    // Only the roles this person may hand out, the least right first (so the lists
    // default to it, LJM-6).
    let mut roles: Vec<(usize, String)> = match state.store.active_policy().await? {
        Some(p) => p
            .pack
            .roles
            .iter()
            // A role that gives nothing under this pack is not offered.
            .filter(|r| !staff.table.rights(r.id.as_str()).is_empty())
            .filter(|r| {
                may_manage_roles(
                    &staff.table,
                    &staff.info.subject,
                    std::slice::from_ref(&r.id),
                )
                .is_ok()
            })
            .map(|r| (staff.table.rights(r.id.as_str()).len(), r.id.to_string()))
            .collect(),
        None => Vec::new(),
    };
    roles.sort();
    let roles = roles
        .into_iter()
        .map(|(_, r)| {
            let words = custos_domain::role::display_name(&r);
            (r, words)
        })
        .collect();
    let absences = state.store.absences(None).await?;
    let names = crate::staff::names(state).await?;
    let mut scopes = vec![("scheme".to_owned(), "The whole scheme".to_owned())];
    let sites: std::collections::BTreeSet<String> = state
        .store
        .cameras(false)
        .await?
        .into_iter()
        .map(|c| c.draft.site.to_string())
        .collect();
    scopes.extend(
        sites
            .into_iter()
            .map(|s| (format!("site:{s}"), format!("Site {s}"))),
    );
    scopes.extend(
        names
            .groups
            .iter()
            .map(|(id, name)| (format!("group:{id}"), format!("Camera group {name}"))),
    );
    let users = state
        .store
        .users()
        .await?
        .iter()
        .map(|u| row(u, &absences, &names))
        .collect();
    Ok(render(
        StatusCode::OK,
        &UsersPage {
            banner: Banner::load(state, staff).await?,
            users,
            roles,
            scopes,
            created,
        },
    ))
}

fn assignment(role: &str, scope: &str) -> Result<Assignment, WebError> {
    let role = Ident::parse(role.trim()).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let scope = if scope.trim().is_empty() {
        Scope::Scheme
    } else {
        Scope::parse(scope.trim()).map_err(WebError::BadRequest)?
    };
    Ok(Assignment { role, scope })
}

/// Refuses unless `staff` holds every right of each of `roles` (nobody hands out, or takes
/// from others, more than they hold).
fn may_manage(staff: &Staff, roles: &[Ident]) -> Result<(), WebError> {
    may_manage_roles(&staff.table, &staff.info.subject, roles).map_err(WebError::AskManagers)
}

/// Refuses unless `staff` may manage every role the account `name` holds.
async fn may_manage_account(
    state: &AppState,
    staff: &Staff,
    name: &Username,
) -> Result<(), WebError> {
    if let Some(u) = state.store.user(name).await? {
        let roles: Vec<Ident> = u.assignments.into_iter().map(|a| a.role).collect();
        may_manage(staff, &roles)?;
    }
    Ok(())
}

fn username(s: &str) -> Result<Username, WebError> {
    Username::parse(s.trim()).map_err(WebError::BadRequest)
}

/// `GET /users`
pub(crate) async fn list(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, WebError> {
    staff
        .require(&state, Right::ManageUsers, &Target::Scheme)
        .await?;
    page(&state, &staff, None).await
}

/// The form for a new account.
#[derive(Debug, Deserialize)]
pub(crate) struct AddForm {
    csrf: String,
    username: String,
    name: String,
    role: String,
    #[serde(default)]
    scope: String,
}

/// `POST /users`: adds an account and shows its new password once.
pub(crate) async fn add(
    State(state): State<AppState>,
    staff: Staff,
    Form(f): Form<AddForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let actor = staff
        .require(&state, Right::ManageUsers, &Target::Scheme)
        .await?;
    let name = username(&f.username)?;
    let role = assignment(&f.role, &f.scope)?;
    may_manage(&staff, std::slice::from_ref(&role.role))?;
    let password = custos_store::users::generate_password()?;
    state
        .store
        .add_user(&actor, &name, &f.name, &password, &[role])
        .await?;
    page(&state, &staff, Some((name.to_string(), password))).await
}

/// A change with a reason.
#[derive(Debug, Deserialize)]
pub(crate) struct ReasonForm {
    csrf: String,
    reason: String,
    /// `yes` from the confirmation page (disabling asks first).
    confirm: Option<String>,
}

/// `POST /users/{name}/disable`
pub(crate) async fn disable(
    State(state): State<AppState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, WebError> {
    set_disabled(&state, &staff, &name, &f, true).await
}

/// `POST /users/{name}/enable`
pub(crate) async fn enable(
    State(state): State<AppState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, WebError> {
    set_disabled(&state, &staff, &name, &f, false).await
}

async fn set_disabled(
    state: &AppState,
    staff: &Staff,
    name: &str,
    f: &ReasonForm,
    disabled: bool,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let actor = staff
        .require(state, Right::ManageUsers, &Target::Scheme)
        .await?;
    let name = username(name)?;
    may_manage_account(state, staff, &name).await?;
    if disabled && !crate::confirm::confirmed(f.confirm.as_deref()) {
        return confirm_disable(state, staff, &name, f).await;
    }
    state
        .store
        .set_user_disabled(&actor, &name, disabled, &f.reason)
        .await?;
    Ok(Redirect::to(&crate::done::to(
        "/users",
        if disabled {
            "user-disabled"
        } else {
            "user-enabled"
        },
    ))
    .into_response())
}

/// The page that asks before account `name` is disabled, naming the person.
async fn confirm_disable(
    state: &AppState,
    staff: &Staff,
    name: &Username,
    f: &ReasonForm,
) -> Result<Response, WebError> {
    let Some(user) = state.store.user(name).await? else {
        return Err(WebError::Store(custos_store::StoreError::NotFound(
            format!("there is no account {name}"),
        )));
    };
    if user.disabled {
        return Err(WebError::BadRequest(format!(
            "the account {name} is already disabled"
        )));
    }
    // As the store refuses at the end, so as not to ask about what cannot be done.
    let owner = |u: &UserRecord| {
        !u.disabled
            && u.assignments
                .iter()
                .any(|a| a.role.as_str() == "owner" && a.scope == Scope::Scheme)
    };
    if owner(&user)
        && !state
            .store
            .users()
            .await?
            .iter()
            .any(|u| u.username != user.username && owner(u))
    {
        return Err(WebError::BadRequest(format!(
            "{name} is the scheme's only owner: give another person the owner role first, then disable {name}"
        )));
    }
    let reason = f.reason.trim();
    if reason.is_empty() {
        return Err(WebError::BadRequest(
            "give the reason the account is disabled; it is kept in the ledger".to_owned(),
        ));
    }
    let who = &user.display_name;
    crate::confirm::page(
        state,
        staff,
        crate::confirm::Confirmation {
            title: format!("Disable {who}'s account?"),
            sentences: vec![
                format!("You are about to disable the account of {who} ({name})."),
                format!(
                    "{who} will no longer be able to sign in, and any page or stream they have open stops working."
                ),
                format!("The reason kept in the ledger: {reason}"),
            ],
            undo: "A manager can enable the account again later; both changes stay in the ledger."
                .to_owned(),
            action: format!("/users/{name}/disable"),
            fields: vec![("csrf", f.csrf.clone()), ("reason", f.reason.clone())],
            confirm: format!("Disable {who}'s account"),
            cancel: "/users".to_owned(),
        },
    )
    .await
}

/// A role at a scope.
#[derive(Debug, Deserialize)]
pub(crate) struct RoleForm {
    csrf: String,
    role: String,
    #[serde(default)]
    scope: String,
}

/// `POST /users/{name}/grant`
pub(crate) async fn grant(
    State(state): State<AppState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(f): Form<RoleForm>,
) -> Result<Response, WebError> {
    change_role(&state, &staff, &name, &f, true).await
}

/// `POST /users/{name}/revoke`
pub(crate) async fn revoke(
    State(state): State<AppState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(f): Form<RoleForm>,
) -> Result<Response, WebError> {
    change_role(&state, &staff, &name, &f, false).await
}

async fn change_role(
    state: &AppState,
    staff: &Staff,
    name: &str,
    f: &RoleForm,
    grant: bool,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let actor = staff
        .require(state, Right::ManageUsers, &Target::Scheme)
        .await?;
    let (who, what) = (username(name)?, assignment(&f.role, &f.scope)?);
    may_manage(staff, std::slice::from_ref(&what.role))?;
    if grant {
        state.store.grant_role(&actor, &who, &what).await?;
    } else {
        state.store.revoke_role(&actor, &who, &what).await?;
    }
    Ok(Redirect::to(&crate::done::to(
        "/users",
        if grant {
            "role-granted"
        } else {
            "role-revoked"
        },
    ))
    .into_response())
}

/// An absence: first and last day away, and why.
#[derive(Debug, Deserialize)]
pub(crate) struct AbsentForm {
    csrf: String,
    from: String,
    until: String,
    reason: String,
}

/// `POST /users/{name}/absent`: marks a person away for whole days (BDC-1).
pub(crate) async fn absent(
    State(state): State<AppState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(f): Form<AbsentForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let actor = staff
        .require(&state, Right::ManageUsers, &Target::Scheme)
        .await?;
    state
        .store
        .record_absence(&actor, &username(&name)?, &f.from, &f.until, &f.reason)
        .await?;
    Ok(Redirect::to(&crate::done::to("/users", "absence-recorded")).into_response())
}

/// Only the CSRF token.
#[derive(Debug, Deserialize)]
pub(crate) struct CsrfForm {
    csrf: String,
}

/// `POST /users/{name}/back`: ends a person's absence now (BDC-1).
pub(crate) async fn back(
    State(state): State<AppState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let actor = staff
        .require(&state, Right::ManageUsers, &Target::Scheme)
        .await?;
    state.store.end_absence(&actor, &username(&name)?).await?;
    Ok(Redirect::to(&crate::done::to("/users", "absence-ended")).into_response())
}
