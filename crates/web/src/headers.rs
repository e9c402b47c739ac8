//! The headers every response carries, so that nothing Custos sends can be framed by
//! another site, sniffed into another type, leak its address in a `Referer`, or be kept
//! by a browser or proxy cache.
//!
//! Invariants:
//! - A Content-Security-Policy allows scripts, styles, media and connections from this
//!   site only, no inline script, no plugins, forms only to this site, and no framing
//!   (`frame-ancestors 'none'`, with `X-Frame-Options: DENY` for older browsers).
//! - `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer` on everything.
//! - `Cache-Control: no-store` on every answer but our own static files (which may be
//!   cached but must be revalidated); a handler's own `Cache-Control` is kept.
//! - `Strict-Transport-Security` when the request reached us over TLS, which Custos learns
//!   only from a trusted proxy's `X-Forwarded-Proto: https`.

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// The Content-Security-Policy of every response.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; \
font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// HSTS for a year, for this host and its subdomains.
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Adds the headers above to the response to `req`.
pub(crate) async fn secure(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let over_tls = req
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .is_some_and(|ConnectInfo(peer)| {
            state.trusted_proxies.iter().any(|n| n.contains(peer.ip()))
        })
        && req
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(if is_static { "no-cache" } else { "no-store" }),
        );
    }
    if over_tls {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    res
}
