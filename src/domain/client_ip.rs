//! Which address a request comes from when reverse proxies stand in front of the service.
//!
//! `X-Forwarded-For` is a list each proxy appends the address it saw to; anyone can send one
//! with made-up entries. It is honoured only when the connection comes from a configured
//! trusted proxy, and then read from the right (the entries our own proxies appended), taking
//! the first address that is not itself a trusted proxy: entries left of it were written by
//! the client and prove nothing. Pure: no IO, no framework types.

// `core::net`: plain address values; nothing here touches the network.
use core::net::IpAddr;

use ipnet::IpNet;

/// Parses one `trusted_proxies` entry: an address (`10.0.0.1`) or a network (`10.0.0.0/8`).
pub fn parse_trusted(entry: &str) -> Option<IpNet> {
    let entry = entry.trim();
    entry
        .parse::<IpNet>()
        .ok()
        .or_else(|| entry.parse::<IpAddr>().ok().map(IpNet::from))
}

fn is_trusted(ip: &IpAddr, trusted: &[IpNet]) -> bool {
    trusted.iter().any(|net| net.contains(ip))
}

/// The client's address: `peer` itself unless `peer` is a trusted proxy, then the rightmost
/// untrusted address of the `X-Forwarded-For` values (`forwarded`, one per header line, in
/// order). An unreadable entry stops the walk at the last address known good.
pub fn resolve<'a>(
    peer: IpAddr,
    forwarded: impl IntoIterator<Item = &'a str>,
    trusted: &[IpNet],
) -> IpAddr {
    if !is_trusted(&peer, trusted) {
        return peer;
    }
    let entries: Vec<&str> = forwarded
        .into_iter()
        .flat_map(|line| line.split(','))
        .collect();
    let mut client = peer;
    for entry in entries.iter().rev() {
        let Some(ip) = parse_entry(entry) else {
            return client;
        };
        client = ip;
        if !is_trusted(&ip, trusted) {
            return ip;
        }
    }
    client
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`1.2.3.4:5678`,
/// `[::1]:5678`).
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<core::net::SocketAddr>().ok().map(|s| s.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn proxies() -> Vec<IpNet> {
        ["10.0.0.0/8", "127.0.0.1"]
            .iter()
            .map(|e| parse_trusted(e).unwrap())
            .collect()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let got = resolve(ip("203.0.113.9"), ["1.2.3.4"], &proxies());
        assert_eq!(got, ip("203.0.113.9"));
    }

    #[test]
    fn a_trusted_peer_hands_over_the_rightmost_untrusted_address() {
        let got = resolve(
            ip("127.0.0.1"),
            ["6.6.6.6, 198.51.100.7", "10.1.2.3"],
            &proxies(),
        );
        assert_eq!(got, ip("198.51.100.7"), "6.6.6.6 was written by the client");
    }

    #[test]
    fn a_trusted_peer_without_the_header_is_the_client() {
        assert_eq!(resolve(ip("10.0.0.5"), [], &proxies()), ip("10.0.0.5"));
    }

    #[test]
    fn garbage_stops_the_walk_at_the_last_good_address() {
        let got = resolve(ip("10.0.0.5"), ["1.2.3.4, nonsense, 10.9.9.9"], &proxies());
        assert_eq!(got, ip("10.9.9.9"));
        let got = resolve(ip("10.0.0.5"), ["[2001:db8::1]:443"], &proxies());
        assert_eq!(got, ip("2001:db8::1"));
    }

    #[test]
    fn entries_parse_as_addresses_or_networks() {
        assert!(parse_trusted("192.168.0.0/16").is_some());
        assert!(parse_trusted("::1").is_some());
        assert!(parse_trusted("not an address").is_none());
    }
}
