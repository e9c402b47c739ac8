//! The person's own account: setting up the second factor (RFC 6238 TOTP) with a QR code
//! for their authenticator app, mandatory for the roles the pack lists in
//! `access.mfa_roles`.
//!
//! Invariants: the secret is shown once, on this page, to the signed-in person; it is
//! stored only after they prove their app holds it by entering a current code; replacing a
//! factor also needs the password and a current code from the factor it replaces (a
//! session left open is not enough); both are ledgered by the store.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use custos_domain::access::Username;
use custos_domain::totp;
use serde::Deserialize;

use crate::AppState;
use crate::auth::{Staff, safe_next};
use crate::client::ClientAddr;
use crate::error::WebError;
use crate::pages::render;

#[derive(Template)]
#[template(path = "mfa.html")]
struct MfaPage {
    name: String,
    enrolled: bool,
    csrf: String,
    secret: String,
    qr_svg: String,
    message: Option<String>,
}

fn page(
    staff: &Staff,
    scheme: &str,
    secret: &[u8],
    message: Option<String>,
) -> Result<MfaPage, WebError> {
    let uri = totp::otpauth_uri(scheme, &staff.info.subject.username, secret);
    let qr = qrcode::QrCode::new(uri.as_bytes())
        .map_err(|e| WebError::BadRequest(format!("cannot make the QR code: {e}")))?;
    let qr_svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(220, 220)
        .build();
    Ok(MfaPage {
        name: staff.info.display_name.clone(),
        enrolled: staff.info.mfa_enrolled,
        csrf: staff.info.csrf.clone(),
        secret: totp::base32_encode(secret),
        qr_svg,
        message,
    })
}

async fn scheme_name(state: &AppState) -> Result<String, WebError> {
    Ok(state.store.active_policy().await?.map_or_else(
        || "Custos".to_owned(),
        |p| format!("Custos {}", p.pack.name),
    ))
}

/// `GET /account/mfa`: a new secret as a QR code, and a form for the first code.
pub(crate) async fn mfa_form(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, WebError> {
    let secret = state.store.new_mfa_secret()?;
    let p = page(&staff, &scheme_name(&state).await?, &secret, None)?;
    Ok(render(StatusCode::OK, &p))
}

/// The enrolment form; replacing a factor also takes the password and a current code
/// from the factor being replaced.
#[derive(Debug, Deserialize)]
pub(crate) struct MfaForm {
    csrf: String,
    secret: String,
    code: String,
    password: Option<String>,
    current_code: Option<String>,
}

/// `POST /account/mfa`: stores the secret once the code proves the app holds it.
pub(crate) async fn mfa_enrol(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddr(client): ClientAddr,
    Form(f): Form<MfaForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let secret = totp::base32_decode(&f.secret)
        .ok_or_else(|| WebError::BadRequest("the secret is damaged; reload the page".to_owned()))?;
    let name = Username::parse(&staff.info.subject.username).map_err(WebError::BadRequest)?;
    let done = if staff.info.mfa_enrolled {
        state
            .store
            .replace_mfa(
                &name,
                f.password.as_deref().unwrap_or_default(),
                f.current_code.as_deref().unwrap_or_default(),
                &secret,
                &f.code,
                &client.to_string(),
            )
            .await
            .map(|refused| {
                refused.map(|r| match r {
                    custos_store::SignIn::SourceThrottled { .. }
                    | custos_store::SignIn::AccountLocked { .. } => {
                        "Too many attempts: wait 15 minutes, then try again.".to_owned()
                    }
                    custos_store::SignIn::Busy => {
                        "The server is busy; try again in a few seconds.".to_owned()
                    }
                    _ => "Your password or the code from your current app is not right.".to_owned(),
                })
            })
    } else {
        state
            .store
            .enrol_mfa(&staff.actor(), &name, &secret, &f.code)
            .await
            .map(|()| None)
    };
    match done {
        Ok(None) => Ok(Redirect::to(staff.landing()).into_response()),
        Ok(Some(refused)) => {
            let p = page(&staff, &scheme_name(&state).await?, &secret, Some(refused))?;
            Ok(render(StatusCode::UNAUTHORIZED, &p))
        }
        Err(e) if e.kind() == custos_base::ErrorKind::InvalidInput => {
            let p = page(
                &staff,
                &scheme_name(&state).await?,
                &secret,
                Some(e.to_string()),
            )?;
            Ok(render(StatusCode::BAD_REQUEST, &p))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "declaration.html")]
struct DeclarationPage {
    name: String,
    text: String,
    csrf: String,
    next: String,
    accepted: bool,
}

/// `?next=…`
#[derive(Debug, Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

pub(crate) async fn declaration_text(state: &AppState) -> Result<String, WebError> {
    match state.store.active_policy().await? {
        Some(p) => Ok(p.pack.access.declaration),
        None => Err(WebError::Forbidden(
            "no policy pack is loaded, so there is no declaration yet".to_owned(),
        )),
    }
}

/// `GET /account/declaration`: the scheme's confidentiality declaration (BDC-7).
pub(crate) async fn declaration_form(
    State(state): State<AppState>,
    staff: Staff,
    axum::extract::Query(q): axum::extract::Query<NextQuery>,
) -> Result<Response, WebError> {
    let text = declaration_text(&state).await?;
    let name = Username::parse(&staff.info.subject.username).map_err(WebError::BadRequest)?;
    let accepted = state.store.has_accepted_declaration(&name, &text).await?;
    Ok(render(
        StatusCode::OK,
        &DeclarationPage {
            name: staff.info.display_name.clone(),
            text,
            csrf: staff.info.csrf.clone(),
            next: safe_next(q.next.as_deref()),
            accepted,
        },
    ))
}

/// The acceptance form.
#[derive(Debug, Deserialize)]
pub(crate) struct DeclarationForm {
    csrf: String,
    next: Option<String>,
}

/// `POST /account/declaration`: records the acceptance (ledgered with the text).
pub(crate) async fn declaration_accept(
    State(state): State<AppState>,
    staff: Staff,
    Form(f): Form<DeclarationForm>,
) -> Result<Response, WebError> {
    staff.check_csrf(&f.csrf)?;
    let text = declaration_text(&state).await?;
    let name = Username::parse(&staff.info.subject.username).map_err(WebError::BadRequest)?;
    state
        .store
        .accept_declaration(&staff.actor(), &name, &text)
        .await?;
    Ok(Redirect::to(&safe_next(f.next.as_deref())).into_response())
}
