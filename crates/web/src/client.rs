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

/// The client's address for a request from `peer` with these headers: the peer, unless
/// it is a trusted proxy; then the right-most `X-Forwarded-For` hop that is not a trusted
/// proxy (hops may be `IP`, `IP:port` or `[IPv6]:port`; several headers count as one list
/// in order). If every hop is a trusted proxy, the left-most is the client. A hop that is
/// not an address, met before the client is found, makes the client unknown: it is given
/// as the unspecified address (`0.0.0.0`), which no workstation rule or `/metrics`
/// network names, so garbage can never pass for the proxy.
pub fn client_address(
    peer: IpAddr,
    headers: &axum::http::HeaderMap,
    trusted_proxies: &[Network],
) -> IpAddr {
    let trusted = |a: IpAddr| trusted_proxies.iter().any(|n| n.contains(a));
    if !trusted(peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|v| {
            v.to_str()
                .map_or_else(|_| vec!["?"], |s| s.split(',').collect())
        })
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(addr) = parse_hop(hop) else {
            return IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);
        };
        client = addr;
        if !trusted(addr) {
            break;
        }
    }
    client
}

/// One `X-Forwarded-For` hop: an address, with or without a port.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
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

    fn forwarded(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", v.parse().expect("h"));
        h
    }

    /// A client cannot pose as the proxy (or anyone trusted) with garbage or with trusted
    /// addresses of its own in front: the right-most hop that is not a trusted proxy is
    /// the client; ports are allowed; garbage before the client makes it unknown.
    #[test]
    fn lbu_16_a_client_cannot_pose_as_the_proxy_through_x_forwarded_for() {
        let proxies = vec![Network::parse("127.0.0.1").expect("net")];
        let from_proxy = |v: &str| client_address(ip("127.0.0.1"), &forwarded(v), &proxies);
        // The client's garbage, then the address the proxy saw.
        assert_eq!(from_proxy("x, 203.0.113.9"), ip("203.0.113.9"));
        // The client claims to be the proxy; the proxy appended the truth.
        assert_eq!(from_proxy("x, 127.0.0.1, 203.0.113.9"), ip("203.0.113.9"));
        // Ports, IPv4 and IPv6.
        assert_eq!(from_proxy("203.0.113.9:4711"), ip("203.0.113.9"));
        assert_eq!(from_proxy("[2001:db8::7]:443"), ip("2001:db8::7"));
        // Garbage where the client's address should be: unknown, not the proxy.
        let unknown = from_proxy("127.0.0.1, x");
        assert!(unknown.is_unspecified(), "{unknown}");
        assert!(
            !Network::parse("127.0.0.0/8")
                .expect("net")
                .contains(unknown)
        );
        assert!(from_proxy("").is_unspecified());
        // Only trusted hops: the left-most of them.
        assert_eq!(from_proxy("127.0.0.1"), ip("127.0.0.1"));
    }
}
