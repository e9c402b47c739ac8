//! Client networks in CIDR notation (`192.0.2.0/24`, `2001:db8::/32`), for the workstation
//! rules that restrict where a camera group may be watched from (LJM-8, LBU-5, ALT-5).
//!
//! Invariants: a [`Network`] is always normalised (host bits zero), so two spellings of the
//! same network compare equal; an IPv4 address seen as an IPv4-mapped IPv6 address
//! (`::ffff:192.0.2.7`) matches IPv4 networks.

use std::net::IpAddr;

/// A network: an address prefix and its length in bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Network {
    base: IpAddr,
    prefix_bits: u8,
}

impl Network {
    /// Parses `ADDRESS/BITS`, or a bare address (a network of one).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let bad = |why: &str| {
            format!(
                "{text:?} is not a network: {why}; write it in CIDR notation, e.g. 192.0.2.0/24 or 2001:db8::/32"
            )
        };
        let (addr, bits) = match text.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (text, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| bad("the address is not valid"))?;
        let max: u8 = if addr.is_ipv4() { 32 } else { 128 };
        let prefix_bits = match bits {
            None => max,
            Some(b) => b.parse::<u8>().ok().filter(|b| *b <= max).ok_or_else(|| {
                bad(&format!(
                    "the prefix length must be a number from 0 to {max}"
                ))
            })?,
        };
        Ok(Self {
            base: mask(addr, prefix_bits),
            prefix_bits,
        })
    }

    /// Whether `addr` is in this network.
    pub fn contains(&self, addr: IpAddr) -> bool {
        let addr = match addr {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
            v4 => v4,
        };
        addr.is_ipv4() == self.base.is_ipv4() && mask(addr, self.prefix_bits) == self.base
    }
}

fn mask(addr: IpAddr, bits: u8) -> IpAddr {
    match addr {
        IpAddr::V4(a) => {
            let m = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            IpAddr::V4((u32::from(a) & m).into())
        }
        IpAddr::V6(a) => {
            let m = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            IpAddr::V6((u128::from(a) & m).into())
        }
    }
}

impl std::fmt::Display for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.base, self.prefix_bits)
    }
}

impl std::str::FromStr for Network {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::parse(s)
    }
}

/// The network a client is counted as by limits that must not be dodged by changing
/// address: an IPv4 address on its own, an IPv6 address as its /64 (one household or site
/// is normally given a whole /64, so each of its addresses is the same client). An
/// IPv4-mapped IPv6 address counts as its IPv4 address.
pub fn client_network(addr: IpAddr) -> Network {
    let addr = match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    };
    let prefix_bits = if addr.is_ipv4() { 32 } else { 64 };
    Network {
        base: mask(addr, prefix_bits),
        prefix_bits,
    }
}

/// The wider network a client belongs to, for limits that one organisation or provider's
/// block must not use up for everyone: an IPv4 address's /24, an IPv6 address's /48 (a
/// typical site's allocation).
pub fn client_site(addr: IpAddr) -> Network {
    let addr = match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    };
    let prefix_bits = if addr.is_ipv4() { 24 } else { 48 };
    Network {
        base: mask(addr, prefix_bits),
        prefix_bits,
    }
}

/// The text a limit counts `source` under: [`client_network`] of it when it is an address,
/// else the text itself (a console, a test).
pub fn client_key(source: &str) -> String {
    source
        .parse::<IpAddr>()
        .map_or_else(|_| source.to_owned(), |a| client_network(a).to_string())
}

/// Parses a list of networks separated by commas or spaces; an empty list is allowed.
pub fn parse_networks(text: &str) -> Result<Vec<Network>, String> {
    let mut out: Vec<Network> = text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(Network::parse)
        .collect::<Result<_, _>>()?;
    out.sort();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("address")
    }

    #[test]
    fn ljm_8_networks_contain_their_addresses_only() {
        let n = Network::parse("192.0.2.77/24").expect("net");
        assert_eq!(n.to_string(), "192.0.2.0/24");
        assert!(n.contains(ip("192.0.2.1")));
        assert!(n.contains(ip("::ffff:192.0.2.200")));
        assert!(!n.contains(ip("192.0.3.1")));
        assert!(!n.contains(ip("2001:db8::1")));
        let one = Network::parse("10.1.2.3").expect("net");
        assert!(one.contains(ip("10.1.2.3")) && !one.contains(ip("10.1.2.4")));
        let all = Network::parse("0.0.0.0/0").expect("net");
        assert!(all.contains(ip("203.0.113.9")));
        let v6 = Network::parse("2001:db8::/32").expect("net");
        assert!(v6.contains(ip("2001:db8:ffff::1")) && !v6.contains(ip("2001:db9::1")));
    }

    #[test]
    fn ipv6_clients_count_as_their_64_and_ipv4_as_themselves() {
        assert_eq!(client_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(
            client_key("2001:db8:1:2:ffff:ffff:ffff:ffff"),
            client_key("2001:db8:1:2::9")
        );
        assert_ne!(client_key("2001:db8:1:3::1"), client_key("2001:db8:1:2::1"));
        assert_eq!(client_key("192.0.2.7"), "192.0.2.7/32");
        assert_eq!(client_key("::ffff:192.0.2.7"), "192.0.2.7/32");
        assert_eq!(client_key("console"), "console");
        assert_eq!(
            client_site("2001:db8:1:2::1".parse().expect("ip")).to_string(),
            "2001:db8:1::/48"
        );
        assert_eq!(
            client_site("192.0.2.77".parse().expect("ip")).to_string(),
            "192.0.2.0/24"
        );
    }

    #[test]
    fn bad_networks_say_how_to_write_them() {
        for bad in ["192.0.2.0/33", "192.0.2/24", "lab", "::/129", "10.0.0.0/x"] {
            let e = Network::parse(bad).expect_err(bad);
            assert!(e.contains("CIDR notation"), "{e}");
        }
        assert_eq!(
            parse_networks("10.0.0.0/8, 192.0.2.0/24 10.0.0.0/8")
                .expect("list")
                .len(),
            2
        );
        assert!(parse_networks("").expect("empty").is_empty());
    }
}
