//! Asking before what cannot be undone: releasing footage to a third party, deciding a
//! case, disabling an account, releasing a hold, authorising the destruction of a
//! download's copy.
//!
//! The form posts as before. Without `confirm=yes` the handler checks everything it would
//! check, changes nothing, and answers with a confirmation page in the staff shell that says
//! what will happen, carrying the form's fields as hidden inputs, with a Confirm button
//! (`warning`) that posts them again with `confirm=yes`, and a way back. It works without
//! scripts, and a stray click on the form alone never acts.
//!
//! Invariants: the confirmation page is shown only after the right, the CSRF token and the
//! input have been checked, so confirming never meets a refusal it could have shown first;
//! nothing is written before `confirm=yes`.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

use crate::AppState;
use crate::auth::Staff;
use crate::error::WebError;
use crate::pages::render;
use crate::staff::Banner;

/// Whether the form came from the confirmation page (`confirm=yes`).
pub(crate) fn confirmed(confirm: Option<&str>) -> bool {
    confirm == Some("yes")
}

/// What the confirmation page says and sends.
pub(crate) struct Confirmation {
    /// The question, e.g. "Disable Nadia Patel's account?".
    pub(crate) title: String,
    /// "You are about to …", then what follows from it, a sentence each.
    pub(crate) sentences: Vec<String>,
    /// Why it cannot be taken back, in the words that fit (e.g. "This cannot be undone.").
    pub(crate) undo: String,
    /// Where the form posts.
    pub(crate) action: String,
    /// The form's fields, sent again (the CSRF token among them).
    pub(crate) fields: Vec<(&'static str, String)>,
    /// The Confirm button's words, naming the action.
    pub(crate) confirm: String,
    /// Where Cancel leads: the page the form was on.
    pub(crate) cancel: String,
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    banner: Banner,
    c: Confirmation,
}

/// The confirmation page for `c`.
pub(crate) async fn page(
    state: &AppState,
    staff: &Staff,
    c: Confirmation,
) -> Result<Response, WebError> {
    Ok(render(
        StatusCode::OK,
        &ConfirmPage {
            banner: Banner::load(state, staff).await?,
            c,
        },
    ))
}

/// The cameras `ids` by name (their id where a camera is not found), joined with "and".
pub(crate) async fn camera_names(state: &AppState, ids: &[&str]) -> Result<String, WebError> {
    let mut names: Vec<String> = Vec::new();
    for &id in ids {
        let name = match custos_domain::Ident::parse(id) {
            Ok(ident) => state.store.camera(&ident).await?.map(|c| c.draft.name),
            Err(_) => None,
        }
        .unwrap_or_else(|| id.to_owned());
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Ok(match names.as_slice() {
        [] => "no camera".to_owned(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    })
}

/// A span of footage in words: "from 5 Jan … to …" in UK time.
pub(crate) fn span(from_unix_ms: i64, to_unix_ms: i64) -> String {
    format!(
        "from {} to {}",
        custos_base::UnixMs(from_unix_ms).to_london_display(),
        custos_base::UnixMs(to_unix_ms).to_london_display()
    )
}
