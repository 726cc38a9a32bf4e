//! IP addresses. IPv4 in dotted-quad form; IPv6 in every textual form of RFC 4291 and RFC 6874
//! (full, compressed, IPv4-mapped and embedded, a zone id, inside `[…]:port`).
//!
//! Documentation ranges (RFC 5737: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24; RFC 3849:
//! 2001:db8::/32) are reserved for examples and never assigned to a device, so they never
//! identify a person: they pass at `low` only, found by `--min-confidence low` and never
//! reported at the default level. Loopback, unspecified, multicast, broadcast and 0.0.0.0/8
//! are dropped, and so are the public DNS resolvers that every configuration example names
//! (8.8.8.8, 1.1.1.1, 9.9.9.9, OpenDNS). Networks in CIDR notation (`10.0.0.0/8`,
//! `fd00::/17`: the host bits zero; `192.168.1.20/24` and `/32` name a host and stay) and
//! IPv4 link-local addresses (169.254.0.0/16: self-assigned, or a cloud's metadata endpoint)
//! pass at `low` only.

use super::{Candidate, Verdict};
use crate::finding::Confidence;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Part of a longer dotted number (an OID, a version): `1.2.3.4.5` or `x.1.2.3.4`.
fn is_digit_dot_boundary(c: &Candidate<'_>) -> bool {
    let after = c.after(1) == Some(b'.') && c.after(2).is_some_and(|b| b.is_ascii_digit());
    let before = c.before(1) == Some(b'.') && c.before(2).is_some_and(|b| b.is_ascii_digit());
    after || before
}

/// A product token's version, `Chrome/120.0.0.0` or `Edg/120.0.2210.91` in a user agent: a
/// name of letters (and digits after the first letter) right before a slash.
fn is_product_version(c: &Candidate<'_>) -> bool {
    if c.before(1) != Some(b'/') {
        return false;
    }
    let mut i = c.start - 1;
    let mut letters = 0;
    while i > 0 && (c.hay[i - 1].is_ascii_alphanumeric() || matches!(c.hay[i - 1], b'-' | b'_')) {
        i -= 1;
        letters += 1;
    }
    letters > 0 && c.hay[i].is_ascii_alphabetic()
}

/// A name's version written with a hyphen, `bar-1.2.3.4`, `libfoo_2.36.0.1`.
fn is_hyphenated_version(c: &Candidate<'_>) -> bool {
    matches!(c.before(1), Some(b'-' | b'_')) && c.before(2).is_some_and(|b| b.is_ascii_alphabetic())
}

/// Dotted quads shaped like version numbers rather than host addresses: ending in `.0` (a
/// network address, or `121.0.1.0`), or a one-digit first part with a zero part (`2.36.0.1`,
/// `8.0.0.1`). Such a quad is an address only with context; `52.0.0.30` is not one of them.
fn is_version_shaped(o: [u8; 4]) -> bool {
    o[3] == 0 || (o[0] < 10 && o[1..].contains(&0))
}

/// Parses a dotted quad with no leading zeros.
fn parse_v4(v: &[u8]) -> Result<[u8; 4], &'static str> {
    let mut octets = [0u16; 4];
    let mut i = 0;
    let mut digits = 0;
    for &b in v {
        if b == b'.' {
            if digits == 0 {
                return Err("empty part");
            }
            i += 1;
            digits = 0;
            if i == 4 {
                return Err("too many parts");
            }
        } else if b.is_ascii_digit() {
            if digits == 1 && octets[i] == 0 {
                return Err("leading zero");
            }
            octets[i] = octets[i] * 10 + u16::from(b - b'0');
            digits += 1;
            if octets[i] > 255 {
                return Err("octet over 255");
            }
        } else {
            return Err("not a dotted quad");
        }
    }
    if i != 3 || digits == 0 {
        return Err("not four parts");
    }
    Ok(octets.map(|o| o as u8))
}

/// What an IPv4 address is: dropped, documentation (low), or an address.
fn judge_v4(a: Ipv4Addr) -> Verdict {
    let [o1, o2, o3, _] = a.octets();
    match (o1, o2, o3) {
        (0, _, _) => Verdict::Fail("this-network range 0.0.0.0/8"),
        (127, _, _) => Verdict::Fail("loopback"),
        (224..=255, _, _) => Verdict::Fail("multicast or reserved"),
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => {
            Verdict::capped("documentation range (RFC 5737)", Confidence::Low)
        }
        // 2.5.x.x is the X.500 arc of object identifiers (2.5.4.3 commonName,
        // 2.5.29.37 extKeyUsage): in code and certificates it is far more often an OID.
        (2, 5, _) => Verdict::capped("reads as an X.500 OID (2.5.x.x)", Confidence::Low),
        (10, _, _) | (192, 168, _) | (172, 16..=31, _) => Verdict::pass("private range (RFC 1918)"),
        _ => Verdict::pass("parsed"),
    }
}

/// Validates an IPv4 candidate.
pub(super) fn ipv4(c: &Candidate<'_>) -> Verdict {
    if is_digit_dot_boundary(c) {
        return Verdict::Fail("part of a longer dotted number");
    }
    if is_product_version(c) {
        return Verdict::Fail("a product version in a user agent (Name/1.2.3.4)");
    }
    if is_hyphenated_version(c) {
        return Verdict::Fail("a name's version (name-1.2.3.4)");
    }
    match parse_v4(c.value()) {
        Ok(o) if is_public_resolver(o) => {
            Verdict::Fail("a public DNS resolver's well-known address (8.8.8.8, 1.1.1.1)")
        }
        Ok(o) => match judge_v4(Ipv4Addr::from(o)) {
            Verdict::Pass { .. }
                if network_prefix(c, 31).is_some_and(|len| host_bits_zero(&o, len)) =>
            {
                Verdict::capped(
                    "a network in CIDR notation (10.0.0.0/8): an address only at low",
                    Confidence::Low,
                )
            }
            Verdict::Pass { .. } if o[..2] == [169, 254] => Verdict::capped(
                "link-local (169.254.0.0/16): self-assigned, or a cloud metadata endpoint",
                Confidence::Low,
            ),
            Verdict::Pass { .. } if is_version_shaped(o) => Verdict::capped(
                "shaped like a version (x.y.z.0, zero parts): an address only with context",
                Confidence::Low,
            ),
            v => v,
        },
        Err(why) => Verdict::Fail(why),
    }
}

/// The prefix length after the value (`/24`), when it is one of at most `max` bits (a prefix
/// of the address's full length, `/32` or `/128`, names one host and is not counted).
fn network_prefix(c: &Candidate<'_>, max: u32) -> Option<u32> {
    if c.after(1) != Some(b'/') {
        return None;
    }
    let rest = c.hay.get(c.end + 1..)?;
    let digits = rest
        .iter()
        .take(4)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if !(1..=3).contains(&digits) || rest.get(digits).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    let len: u32 = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    (len <= max).then_some(len)
}

/// Whether every bit of `octets` past the first `len` is zero: a network, not a host in it.
fn host_bits_zero(octets: &[u8], len: u32) -> bool {
    octets.iter().enumerate().all(|(i, &o)| {
        let first = i as u32 * 8;
        let keep = len.saturating_sub(first).min(8);
        keep == 8 || o & (0xffu8.checked_shr(keep).unwrap_or(0)) == 0
    })
}

/// The public DNS resolvers every configuration example names (Google, Cloudflare, Quad9,
/// OpenDNS): services, not anybody's device.
fn is_public_resolver(o: [u8; 4]) -> bool {
    matches!(
        o,
        [8, 8, 8, 8]
            | [8, 8, 4, 4]
            | [1, 1, 1, 1]
            | [1, 0, 0, 1]
            | [9, 9, 9, 9]
            | [149, 112, 112, 112]
            | [208, 67, 222, 222]
            | [208, 67, 220, 220]
    )
}

/// A byte that may not touch an IPv6 address on either side.
fn glued(b: Option<u8>) -> bool {
    b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b':' || b == b'_')
}

/// Validates an IPv6 candidate: an optional zone id (`%eth0`, `%25eth0` in a URL) is part of
/// the value; an embedded dotted quad is parsed with the rest.
pub(super) fn ipv6(c: &Candidate<'_>) -> Verdict {
    let v = c.value();
    if glued(c.before(1)) || glued(c.after(1)) {
        return Verdict::Fail("part of a longer token");
    }
    // A trailing '.' and digit would make it part of a dotted number.
    if c.after(1) == Some(b'.') && c.after(2).is_some_and(|b| b.is_ascii_digit()) {
        return Verdict::Fail("part of a longer token");
    }
    let addr_part = match memchr::memchr(b'%', v) {
        Some(i) => {
            let zone = &v[i + 1..];
            if zone.is_empty() {
                return Verdict::Fail("empty zone id");
            }
            &v[..i]
        }
        None => v,
    };
    let Ok(s) = std::str::from_utf8(addr_part) else {
        return Verdict::Fail("not ASCII");
    };
    let Ok(addr) = s.parse::<Ipv6Addr>() else {
        return Verdict::Fail("does not parse");
    };
    let compressed = s.contains("::");
    let groups = s.split(':').filter(|g| !g.is_empty()).count();
    let dotted = s.contains('.');
    // `a:b::c`, `dead::beef`, `std::vec`: too little to tell from code or prose unless the
    // address is a known form (link-local, mapped, embedded IPv4).
    let seg = addr.segments();
    let link_local = seg[0] & 0xffc0 == 0xfe80;
    // `2001:db8::/32`, `fd00::/17`: a network in CIDR notation, not a host in it.
    let cidr = network_prefix(c, 127).is_some_and(|len| host_bits_zero(&addr.octets(), len));
    if !dotted && !link_local && !cidr && groups < 3 {
        return Verdict::Fail("too few groups to tell from code or text");
    }
    if !dotted && !v.iter().any(u8::is_ascii_digit) {
        return Verdict::Fail("no digit");
    }
    if !compressed && !dotted && groups != 8 {
        return Verdict::Fail("eight groups or ::");
    }
    if addr.is_unspecified() || addr.is_loopback() {
        return Verdict::Fail("unspecified or loopback");
    }
    if seg[0] & 0xff00 == 0xff00 {
        return Verdict::Fail("multicast");
    }
    // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses carry an IPv4
    // address: judged as that address.
    if seg[..5] == [0; 5] && (seg[5] == 0xffff || seg[5] == 0) {
        let [a, b] = seg[6].to_be_bytes();
        let [c3, d] = seg[7].to_be_bytes();
        return match judge_v4(Ipv4Addr::new(a, b, c3, d)) {
            Verdict::Pass { cap, .. } => Verdict::Pass {
                note: "IPv4-mapped address",
                set: None,
                cap,
            },
            other => other,
        };
    }
    if seg[0] == 0x2001 && seg[1] == 0x0db8 {
        return Verdict::capped("documentation range (RFC 3849)", Confidence::Low);
    }
    if cidr {
        return Verdict::capped(
            "a network in CIDR notation (fd00::/8): an address only at low",
            Confidence::Low,
        );
    }
    if link_local {
        return Verdict::pass("link-local address (its interface id may be derived from a MAC)");
    }
    Verdict::pass("parsed")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, value: &str) -> Verdict {
        let start = text.find(value).unwrap();
        let c = Candidate {
            hay: text.as_bytes(),
            start,
            end: start + value.len(),
        };
        if value.contains(':') {
            ipv6(&c)
        } else {
            ipv4(&c)
        }
    }
    fn passes(text: &str, value: &str) -> bool {
        matches!(check(text, value), Verdict::Pass { cap: None, .. })
    }

    #[test]
    fn user_agent_versions_are_not_addresses_but_the_client_is() {
        let line = "84.241.12.7 - - \"GET /\" 200 \"Mozilla/5.0 AppleWebKit/537.36 Chrome/120.0.0.0 Edg/120.0.2210.91\"";
        assert!(passes(line, "84.241.12.7"));
        assert!(!passes(line, "120.0.0.0"));
        assert!(!passes(line, "120.0.2210.91"));
        // A URL's host is still an address.
        assert!(passes("http://84.241.12.7/login", "84.241.12.7"));
    }

    #[test]
    fn every_ipv6_form() {
        for (text, value) in [
            ("2a02:a443:1c2d:0:1:2:3:4", "2a02:a443:1c2d:0:1:2:3:4"),
            ("fe80::1%eth0 up", "fe80::1%eth0"),
            ("[2a02:a443::1]:443", "2a02:a443::1"),
            ("mapped ::ffff:84.241.12.7", "::ffff:84.241.12.7"),
            ("64:ff9b::84.241.12.7", "64:ff9b::84.241.12.7"),
            (
                "0:0:0:0:0:FFFF:129.144.52.38",
                "0:0:0:0:0:FFFF:129.144.52.38",
            ),
        ] {
            assert!(passes(text, value), "{value}");
        }
        assert!(!passes("::ffff:127.0.0.1", "::ffff:127.0.0.1"));
        assert!(!passes("ff02::1", "ff02::1"));
        assert!(!passes("fe80::1text", "fe80::1"));
        assert!(!passes("std::vec", "::"));
        assert!(!passes(
            "684D:1111:222:3333:4444:5555:77",
            "684D:1111:222:3333:4444:5555:77"
        ));
    }

    #[test]
    fn documentation_ranges_only_at_low() {
        for (t, v) in [
            ("192.0.2.10", "192.0.2.10"),
            ("198.51.100.7", "198.51.100.7"),
            ("203.0.113.9", "203.0.113.9"),
            ("2001:db8::1", "2001:db8::1"),
            ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ] {
            assert!(
                matches!(
                    check(t, v),
                    Verdict::Pass {
                        cap: Some(Confidence::Low),
                        ..
                    }
                ),
                "{v}"
            );
        }
    }

    #[test]
    fn networks_only_at_low_and_public_resolvers_never() {
        for (t, v) in [
            ("allow 10.0.0.0/8;", "10.0.0.0"),
            ("route 192.168.0.0/16 via", "192.168.0.0"),
            ("\"fd00::/17\".parse()", "fd00::"),
            ("fd00:e0::/28", "fd00:e0::"),
        ] {
            assert!(
                matches!(
                    check(t, v),
                    Verdict::Pass {
                        cap: Some(Confidence::Low),
                        ..
                    }
                ),
                "{v}"
            );
        }
        for (t, v) in [
            ("nameserver 8.8.8.8", "8.8.8.8"),
            ("dns = 1.1.1.1", "1.1.1.1"),
        ] {
            assert!(matches!(check(t, v), Verdict::Fail(_)), "{v}");
        }
        assert!(passes("host 192.168.1.1/32", "192.168.1.1"));
        // A host with its prefix length, and a prefix whose host bits are set, stay.
        assert!(passes("inet 192.168.1.20/24 brd", "192.168.1.20"));
        assert!(passes("addr 2a02:a443:1c2d::5/64", "2a02:a443:1c2d::5"));
        assert!(passes("10.1.2.3/", "10.1.2.3"));
        assert!(matches!(
            check("http://169.254.169.254/latest/meta-data", "169.254.169.254"),
            Verdict::Pass {
                cap: Some(Confidence::Low),
                ..
            }
        ));
    }
}
