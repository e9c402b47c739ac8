//! Where a request comes from: the address workstation rules (LJM-8) and sign-in throttling
//! judge it by.
//!
//! Invariants: the peer's address is the client's unless the peer is a reverse proxy the
//! configuration names (`web.trusted_proxies`); only then is `X-Forwarded-For` read, from
//! the right, skipping further trusted proxies, so a client cannot choose its own address
//! by sending the header itself.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use custos_domain::network::Network;

use crate::AppState;
use crate::error::WebError;

/// The client's address, as far as this server can trust it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The client's address for a request from `peer` with these headers.
pub fn client_address(
    peer: IpAddr,
    headers: &axum::http::HeaderMap,
    trusted_proxies: &[Network],
) -> IpAddr {
    let trusted = |a: IpAddr| trusted_proxies.iter().any(|n| n.contains(a));
    if !trusted(peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map_while(|h| h.trim().parse::<IpAddr>().ok())
        .collect();
    hops.into_iter()
        .rev()
        .find(|a| !trusted(*a))
        .unwrap_or(peer)
}

/// The address of the request in `parts`, if the server recorded its peer.
pub(crate) fn from_parts(parts: &Parts, state: &AppState) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| client_address(peer.ip(), &parts.headers, &state.trusted_proxies))
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        from_parts(parts, state)
            .map(ClientAddr)
            .ok_or_else(|| WebError::BadRequest("the client's address is unknown".to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    /// LJM-8: forwarded addresses count only from a configured proxy, and the client
    /// cannot put its own address in front of the proxy's.
    #[test]
    fn ljm_8_forwarded_addresses_are_trusted_only_from_configured_proxies() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            "10.20.1.5, 203.0.113.9".parse().expect("h"),
        );
        let proxies = vec![Network::parse("127.0.0.1").expect("net")];
        // No trusted proxy: the header is ignored.
        assert_eq!(
            client_address(ip("203.0.113.9"), &h, &[]),
            ip("203.0.113.9")
        );
        assert_eq!(client_address(ip("127.0.0.1"), &h, &[]), ip("127.0.0.1"));
        // Through the proxy: the rightmost address the proxy saw, not the spoofed one.
        assert_eq!(
            client_address(ip("127.0.0.1"), &h, &proxies),
            ip("203.0.113.9")
        );
        // A chain of trusted proxies is skipped.
        let two = vec![
            Network::parse("127.0.0.1").expect("net"),
            Network::parse("203.0.113.0/24").expect("net"),
        ];
        assert_eq!(client_address(ip("127.0.0.1"), &h, &two), ip("10.20.1.5"));
        // A proxy that sent no header: the proxy itself.
        assert_eq!(
            client_address(ip("127.0.0.1"), &HeaderMap::new(), &proxies),
            ip("127.0.0.1")
        );
    }
}
