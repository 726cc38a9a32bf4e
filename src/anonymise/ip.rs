//! IP truncation: keep the first N bits of an address and zero the rest (by default /24 for
//! IPv4 and /48 for IPv6, as web analytics tools mask addresses). It is generalisation, not
//! anonymisation: the Dutch AP still treats a /24 as personal data (256 addresses share it).
//! An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is truncated as the IPv4 address it holds
//! (with the IPv4 prefix) and keeps its mapped form.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Keeps the first `bits` bits of an IPv4 address.
pub fn truncate_v4(ip: Ipv4Addr, bits: u8) -> Ipv4Addr {
    let mask = match bits.min(32) {
        0 => 0,
        n => u32::MAX << (32 - u32::from(n)),
    };
    Ipv4Addr::from(u32::from(ip) & mask)
}

/// Keeps the first `bits` bits of an IPv6 address.
pub fn truncate_v6(ip: Ipv6Addr, bits: u8) -> Ipv6Addr {
    let mask = match bits.min(128) {
        0 => 0,
        n => u128::MAX << (128 - u32::from(n)),
    };
    Ipv6Addr::from(u128::from(ip) & mask)
}

/// Truncates either kind; mapped IPv4 in IPv6 uses the IPv4 prefix.
pub fn truncate(ip: IpAddr, v4_bits: u8, v6_bits: u8) -> IpAddr {
    match ip {
        IpAddr::V4(a) => IpAddr::V4(truncate_v4(a, v4_bits)),
        IpAddr::V6(a) => match a.to_ipv4_mapped() {
            Some(v4) => IpAddr::V6(truncate_v4(v4, v4_bits).to_ipv6_mapped()),
            None => IpAddr::V6(truncate_v6(a, v6_bits)),
        },
    }
}

/// Writes `before`, the address and `after` (IPv4 without the formatting machinery: this is
/// the hot path of log and table anonymisation).
pub fn render(before: &str, ip: IpAddr, after: &str) -> String {
    let mut out = String::with_capacity(before.len() + 15 + after.len());
    out.push_str(before);
    match ip {
        IpAddr::V4(a) => {
            for (i, octet) in a.octets().iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                if *octet >= 100 {
                    out.push(char::from(b'0' + octet / 100));
                }
                if *octet >= 10 {
                    out.push(char::from(b'0' + octet / 10 % 10));
                }
                out.push(char::from(b'0' + octet % 10));
            }
        }
        IpAddr::V6(a) => {
            use std::fmt::Write;
            let _ = write!(out, "{a}");
        }
    }
    out.push_str(after);
    out
}

/// Parses an address as it appears in logs and exports: plain, in brackets (`[::1]`), or
/// with a port (`1.2.3.4:443`, `[::1]:443`), with spaces around it. Returns the address and
/// the text before and after it, so `before + new address + after` keeps the rest.
pub fn parse_loose(s: &str) -> Option<(IpAddr, &str, &str)> {
    let t = s.trim();
    let start = s.len() - s.trim_start().len();
    let end = start + t.len();
    if let Ok(ip) = t.parse::<IpAddr>() {
        return Some((ip, &s[..start], &s[end..]));
    }
    if t.starts_with('[') {
        let close = t.find(']')?;
        let ip = t[1..close].parse::<IpAddr>().ok()?;
        return Some((ip, &s[..start + 1], &s[start + close..]));
    }
    let colon = t.rfind(':')?;
    let ip = t[..colon].parse::<Ipv4Addr>().ok()?;
    Some((IpAddr::V4(ip), &s[..start], &s[start + colon..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproduces_the_reference_vectors() {
        let path = format!(
            "{}/fixtures/vectors/ip-truncate-sample.tsv",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).expect("vectors");
        let mut n = 0;
        for l in text.lines().skip(1) {
            let f: Vec<&str> = l.split('\t').collect();
            let input: IpAddr = f[1].parse().expect("ip");
            let want: IpAddr = f[2].parse().expect("ip");
            assert_eq!(truncate(input, 24, 48), want, "{l}");
            n += 1;
        }
        assert_eq!(n, 20);
    }

    #[test]
    fn rendering_matches_display() {
        for ip in [
            "0.0.0.0",
            "9.10.99.100",
            "255.255.255.255",
            "2001:db8::1",
            "::ffff:1.2.3.4",
        ] {
            let a: IpAddr = ip.parse().expect("ip");
            assert_eq!(render("[", a, "]"), format!("[{a}]"));
        }
    }

    #[test]
    fn any_prefix_and_mapped_addresses() {
        let ip: IpAddr = "203.0.113.77".parse().expect("ip");
        assert_eq!(truncate(ip, 16, 48).to_string(), "203.0.0.0");
        assert_eq!(truncate(ip, 0, 48).to_string(), "0.0.0.0");
        assert_eq!(truncate(ip, 32, 48), ip);
        let mapped: IpAddr = "::ffff:203.0.113.77".parse().expect("ip");
        assert_eq!(truncate(mapped, 24, 48).to_string(), "::ffff:203.0.113.0");
        let v6: IpAddr = "2001:db8:85a3:8d3:1319:8a2e:370:7348".parse().expect("ip");
        assert_eq!(truncate(v6, 24, 64).to_string(), "2001:db8:85a3:8d3::");
        assert_eq!(
            parse_loose("[2001:db8::1]:443").map(|p| p.0.to_string()),
            Some("2001:db8::1".into())
        );
        assert_eq!(
            parse_loose("10.1.2.3:8080").map(|p| (p.0.to_string(), p.2.to_string())),
            Some(("10.1.2.3".into(), ":8080".into()))
        );
        assert_eq!(
            parse_loose(" [::1]:80").map(|p| (p.1.to_string(), p.2.to_string())),
            Some((" [".into(), "]:80".into()))
        );
    }
}
