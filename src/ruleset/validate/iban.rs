//! IBAN: the country's length and BBAN format from the SWIFT IBAN registry, the ISO 13616
//! mod-97 check, and the national checks that python-stdnum applies for Belgium and Spain.
//! Any grouping is accepted: only letters and digits count.

use super::{Digits, Verdict};

/// BBAN formats per country, as the SWIFT IBAN registry (release 101) writes them: `4!n`
/// is four digits, `4!a` four upper-case letters, `4!c` four letters or digits. The IBAN
/// length is 4 plus the BBAN's.
const REGISTRY: &[(&[u8; 2], &str)] = &[
    (b"AD", "4!n4!n12!c"),
    (b"AE", "3!n16!n"),
    (b"AL", "8!n16!c"),
    (b"AT", "5!n11!n"),
    (b"AZ", "4!a20!c"),
    (b"BA", "3!n3!n8!n2!n"),
    (b"BE", "3!n7!n2!n"),
    (b"BG", "4!a4!n2!n8!c"),
    (b"BH", "4!a14!c"),
    (b"BI", "5!n5!n11!n2!n"),
    (b"BR", "8!n5!n10!n1!a1!c"),
    (b"BY", "4!c4!n16!c"),
    (b"CH", "5!n12!c"),
    (b"CR", "4!n14!n"),
    (b"CY", "3!n5!n16!c"),
    (b"CZ", "4!n16!n"),
    (b"DE", "8!n10!n"),
    (b"DJ", "5!n5!n11!n2!n"),
    (b"DK", "4!n9!n1!n"),
    (b"DO", "4!c20!n"),
    (b"EE", "2!n14!n"),
    (b"EG", "4!n4!n17!n"),
    (b"ES", "4!n4!n1!n1!n10!n"),
    (b"FI", "3!n11!n"),
    (b"FK", "2!a12!n"),
    (b"FO", "4!n9!n1!n"),
    (b"FR", "5!n5!n11!c2!n"),
    (b"GB", "4!a6!n8!n"),
    (b"GE", "2!a16!n"),
    (b"GI", "4!a15!c"),
    (b"GL", "4!n9!n1!n"),
    (b"GR", "3!n4!n16!c"),
    (b"GT", "4!c20!c"),
    (b"HN", "4!a20!n"),
    (b"HR", "7!n10!n"),
    (b"HU", "3!n4!n1!n15!n1!n"),
    (b"IE", "4!a6!n8!n"),
    (b"IL", "3!n3!n13!n"),
    (b"IQ", "4!a3!n12!n"),
    (b"IS", "4!n2!n6!n10!n"),
    (b"IT", "1!a5!n5!n12!c"),
    (b"JO", "4!a4!n18!c"),
    (b"KW", "4!a22!c"),
    (b"KZ", "3!n13!c"),
    (b"LB", "4!n20!c"),
    (b"LC", "4!a24!c"),
    (b"LI", "5!n12!c"),
    (b"LT", "5!n11!n"),
    (b"LU", "3!n13!c"),
    (b"LV", "4!a13!c"),
    (b"LY", "3!n3!n15!n"),
    (b"MC", "5!n5!n11!c2!n"),
    (b"MD", "2!c18!c"),
    (b"ME", "3!n13!n2!n"),
    (b"MK", "3!n10!c2!n"),
    (b"MN", "4!n12!n"),
    (b"MR", "5!n5!n11!n2!n"),
    (b"MT", "4!a5!n18!c"),
    (b"MU", "4!a2!n2!n12!n3!n3!a"),
    (b"NI", "4!a20!n"),
    (b"NL", "4!a10!n"),
    (b"NO", "4!n6!n1!n"),
    (b"OM", "3!n16!c"),
    (b"PK", "4!a16!c"),
    (b"PL", "8!n16!n"),
    (b"PS", "4!a21!c"),
    (b"PT", "4!n4!n11!n2!n"),
    (b"QA", "4!a21!c"),
    (b"RO", "4!a16!c"),
    (b"RS", "3!n13!n2!n"),
    (b"RU", "9!n5!n15!c"),
    (b"SA", "2!n18!c"),
    (b"SC", "4!a2!n2!n16!n3!a"),
    (b"SD", "2!n12!n"),
    (b"SE", "3!n16!n1!n"),
    (b"SI", "5!n8!n2!n"),
    (b"SK", "4!n6!n10!n"),
    (b"SM", "1!a5!n5!n12!c"),
    (b"SO", "4!n3!n12!n"),
    (b"ST", "4!n4!n11!n2!n"),
    (b"SV", "4!a20!n"),
    (b"TL", "3!n14!n2!n"),
    (b"TN", "2!n3!n13!n2!n"),
    (b"TR", "5!n1!n16!c"),
    (b"UA", "6!n19!c"),
    (b"VA", "3!n15!n"),
    (b"VG", "4!a16!n"),
    (b"XK", "4!n10!n2!n"),
    (b"YE", "4!a4!n18!c"),
];

/// The registry's BBAN format for a country code.
fn bban_format(cc: &[u8]) -> Option<&'static str> {
    REGISTRY
        .iter()
        .find(|(c, _)| c.as_slice() == cc)
        .map(|(_, f)| *f)
}

/// Does `bban` (upper case) follow a registry format such as `4!a10!n`?
fn follows(format: &str, bban: &[u8]) -> bool {
    let mut pos = 0;
    let mut count = 0usize;
    for b in format.bytes() {
        match b {
            b'0'..=b'9' => count = count * 10 + usize::from(b - b'0'),
            b'!' => {}
            kind => {
                let Some(part) = bban.get(pos..pos + count) else {
                    return false;
                };
                let ok = match kind {
                    b'n' => part.iter().all(u8::is_ascii_digit),
                    b'a' => part.iter().all(u8::is_ascii_uppercase),
                    _ => part
                        .iter()
                        .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()),
                };
                if !ok {
                    return false;
                }
                pos += count;
                count = 0;
            }
        }
    }
    pos == bban.len()
}

/// The BBAN length the registry gives a country (the IBAN is four longer).
fn bban_len(format: &str) -> usize {
    let mut total = 0;
    let mut count = 0;
    for b in format.bytes() {
        match b {
            b'0'..=b'9' => count = count * 10 + usize::from(b - b'0'),
            b'!' => {}
            _ => {
                total += count;
                count = 0;
            }
        }
    }
    total
}

/// ISO 7064 mod 97-10 over alphanumerics (letters count as 10..35), in the order given.
pub(super) fn mod97_chars(chars: impl Iterator<Item = u8>) -> u32 {
    let mut r = 0u32;
    for b in chars {
        let b = b.to_ascii_uppercase();
        if b.is_ascii_digit() {
            r = (r * 10 + u32::from(b - b'0')) % 97;
        } else {
            let v = u32::from(b - b'A') + 10;
            r = (r * 100 + v) % 97;
        }
    }
    r
}

/// Belgian BBAN: the last two digits are the first ten modulo 97 (0 becomes 97).
fn belgian_check(bban: &[u8]) -> bool {
    let Some(d) = Digits::<12>::of(bban) else {
        return false;
    };
    let check = match d.number(0..10) % 97 {
        0 => 97,
        c => c,
    };
    d.len == 12 && check == d.number(10..12)
}

/// Spanish BBAN (código cuenta cliente): two check digits, one over bank and branch, one over
/// the account number, weights 1, 2, 4, 8, 5, 10, 9, 7, 3, 6 modulo 11.
fn spanish_check(bban: &[u8]) -> bool {
    const W: [u32; 10] = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6];
    let digit = |digits: &[u8]| -> u8 {
        // Right-aligned on the weights: the bank+branch part has 8 digits, padded with 00.
        let pad = 10 - digits.len();
        let sum: u32 = digits
            .iter()
            .enumerate()
            .map(|(i, &d)| W[i + pad] * u32::from(d - b'0'))
            .sum();
        match 11 - sum % 11 {
            11 => 0,
            10 => 1,
            c => c as u8,
        }
    };
    bban.len() == 20
        && bban.iter().all(u8::is_ascii_digit)
        && digit(&bban[..8]) == bban[8] - b'0'
        && digit(&bban[10..]) == bban[9] - b'0'
}

/// Validates an IBAN in any grouping.
pub(super) fn iban(value: &[u8]) -> Verdict {
    let mut buf = [0u8; 34];
    let mut n = 0;
    for &b in value {
        if b.is_ascii_alphanumeric() {
            if n == buf.len() {
                return Verdict::Fail("too long");
            }
            buf[n] = b.to_ascii_uppercase();
            n += 1;
        }
    }
    let s = &buf[..n];
    if n < 15 {
        return Verdict::Fail("too short");
    }
    let Some(format) = bban_format(&s[..2]) else {
        return Verdict::Fail("no IBAN country");
    };
    if bban_len(format) + 4 != n {
        return Verdict::Fail("wrong length for the country");
    }
    if !s[2..4].iter().all(u8::is_ascii_digit) || !follows(format, &s[4..]) {
        return Verdict::Fail("not the country's BBAN format");
    }
    if mod97_chars(s[4..].iter().chain(&s[..4]).copied()) != 1 {
        return Verdict::Fail("mod-97");
    }
    match &s[..2] {
        b"BE" if !belgian_check(&s[4..]) => Verdict::Fail("Belgian national check"),
        b"ES" if !spanish_check(&s[4..]) => Verdict::Fail("Spanish national check"),
        _ => Verdict::pass("country length, BBAN format and mod-97"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> bool {
        matches!(iban(s.as_bytes()), Verdict::Pass { .. })
    }

    #[test]
    fn registry_lengths_match_the_formats() {
        for (cc, f) in REGISTRY {
            let len = bban_len(f) + 4;
            assert!((15..=34).contains(&len), "{cc:?} {len}");
        }
        assert_eq!(bban_len(bban_format(b"NL").unwrap()), 14);
        assert_eq!(bban_len(bban_format(b"RU").unwrap()), 29);
    }

    #[test]
    fn any_grouping_and_national_checks() {
        assert!(ok("TL 38 008 00123456789101 57"));
        assert!(ok("NL91ABNA0417164300"));
        assert!(ok("BE71 0961 2345 6769"));
        assert!(ok("ES91 2100 0418 4502 0005 1332"));
        // Spanish: mod-97 passes but the national check digits do not.
        assert!(!ok("ES2121000418450200051331"));
        // A letter where the Dutch format wants digits.
        assert!(!ok("NL56 3003 0A17 1643 00"));
        assert!(!ok("BG93 BNBG 9661 1A20 3456 78"));
    }
}
