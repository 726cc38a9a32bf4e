//! The `fake` method: keyed, deterministic, format-valid replacements, so that test
//! databases and applications keep working on anonymised copies (as Greenmask's and
//! PostgreSQL Anonymizer's fake functions do). The same value under the same key always gives
//! the same fake, so joins survive; without the key the fake says nothing of the value.
//!
//! What each kind writes:
//! - names from the name lexicons in `rules/lexicons/` (first names, surnames; a Dutch
//!   tussenvoegsel now and then);
//! - e-mail addresses at `example.org`, a domain reserved for examples (RFC 2606);
//! - phone numbers: the input's country and trunk prefix and its layout (spaces, dashes), the
//!   subscriber digits keyed (such a number may be someone's: it is test data, not a promise);
//! - IBANs with the input's country and bank code and a valid check (mod 97; Belgian account
//!   numbers with their own check too);
//! - BSNs from the test range 9xxxxxxxx that pass the 11-proef;
//! - Belgian national numbers with a valid check, a birth date from 1940-1999;
//! - postcodes `1234 AB` (never the letter pairs SA, SD, SS, which PostNL does not use);
//! - street addresses: a street named after a surname, a house number.
//!
//! A fake never equals its input (another draw is taken when it would).

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::OnceLock;

/// What kind of value a `fake` entry writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FakeKind {
    /// A full name.
    Name,
    /// A given name.
    FirstName,
    /// A surname.
    LastName,
    /// An e-mail address at example.org.
    Email,
    /// A phone number in the input's layout.
    Phone,
    /// An IBAN with a valid check.
    Iban,
    /// A BSN from the test range.
    Bsn,
    /// A Belgian national number.
    BeNationalNumber,
    /// A Dutch postcode.
    Postcode,
    /// A street and house number.
    StreetAddress,
}

/// Every kind's name, for messages.
pub const KINDS: &str =
    "name, first_name, last_name, email, phone, iban, bsn, be_national_number, postcode, street_address";

impl FakeKind {
    /// Parses a policy value.
    pub fn parse(s: &str) -> Option<FakeKind> {
        Some(match s {
            "name" => FakeKind::Name,
            "first_name" => FakeKind::FirstName,
            "last_name" => FakeKind::LastName,
            "email" => FakeKind::Email,
            "phone" => FakeKind::Phone,
            "iban" => FakeKind::Iban,
            "bsn" => FakeKind::Bsn,
            "be_national_number" => FakeKind::BeNationalNumber,
            "postcode" => FakeKind::Postcode,
            "street_address" => FakeKind::StreetAddress,
            _ => return None,
        })
    }

    /// The kind that suits a rule id or a category, if one does.
    pub fn for_rule_or_category(rule: Option<&str>, category: Option<&str>) -> Option<FakeKind> {
        if let Some(rule) = rule {
            return Some(match rule {
                "person_name" => FakeKind::Name,
                "email" => FakeKind::Email,
                "phone" => FakeKind::Phone,
                "iban" => FakeKind::Iban,
                "nl.bsn" => FakeKind::Bsn,
                "be.national_number" => FakeKind::BeNationalNumber,
                "nl.postcode" => FakeKind::Postcode,
                "street_address" => FakeKind::StreetAddress,
                _ => return None,
            });
        }
        let c = category?;
        Some(if c.starts_with("user.name") {
            FakeKind::Name
        } else if c.starts_with("user.contact.email") {
            FakeKind::Email
        } else if c.starts_with("user.contact.phone") {
            FakeKind::Phone
        } else if c.starts_with("user.financial.bank_account") {
            FakeKind::Iban
        } else if c.starts_with("user.contact.address.postal_code") {
            FakeKind::Postcode
        } else if c.starts_with("user.contact.address.street") {
            FakeKind::StreetAddress
        } else {
            return None;
        })
    }

    /// The kind's name in a policy.
    pub fn name(self) -> &'static str {
        match self {
            FakeKind::Name => "name",
            FakeKind::FirstName => "first_name",
            FakeKind::LastName => "last_name",
            FakeKind::Email => "email",
            FakeKind::Phone => "phone",
            FakeKind::Iban => "iban",
            FakeKind::Bsn => "bsn",
            FakeKind::BeNationalNumber => "be_national_number",
            FakeKind::Postcode => "postcode",
            FakeKind::StreetAddress => "street_address",
        }
    }
}

/// A stream of keyed numbers for one value: HMAC(key, draw ‖ value), as many as asked.
struct Draws<'a> {
    mac: &'a Hmac<Sha256>,
    value: &'a str,
    draw: u32,
    buf: [u8; 32],
    at: usize,
}

impl<'a> Draws<'a> {
    fn new(mac: &'a Hmac<Sha256>, value: &'a str, draw: u32) -> Self {
        let mut d = Draws {
            mac,
            value,
            draw,
            buf: [0; 32],
            at: 32,
        };
        d.refill();
        d
    }

    fn refill(&mut self) {
        let mut m = self.mac.clone();
        m.update(&self.draw.to_be_bytes());
        m.update(self.value.as_bytes());
        self.buf.copy_from_slice(&m.finalize().into_bytes());
        self.draw = self.draw.wrapping_add(0x1_0000);
        self.at = 0;
    }

    /// A number below `n` (n > 0); the bias of 64 bits modulo a small n is negligible.
    fn below(&mut self, n: u64) -> u64 {
        if self.at + 8 > self.buf.len() {
            self.refill();
        }
        let mut b = [0u8; 8];
        b.copy_from_slice(&self.buf[self.at..self.at + 8]);
        self.at += 8;
        u64::from_be_bytes(b) % n.max(1)
    }

    fn digit(&mut self) -> char {
        char::from(b'0' + self.below(10) as u8)
    }
}

/// The lexicons' words: (given names, surnames), read once.
fn words() -> &'static (Vec<&'static str>, Vec<&'static str>) {
    static WORDS: OnceLock<(Vec<&'static str>, Vec<&'static str>)> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut first = Vec::new();
        let mut last = Vec::new();
        for (path, text) in crate::ruleset::embedded::EMBEDDED_LEXICONS {
            let file = path.rsplit('/').next().unwrap_or(path);
            let list = match file {
                "first_names.txt" => &mut first,
                "surnames.txt" => &mut last,
                _ => continue,
            };
            list.extend(
                text.lines()
                    .map(str::trim)
                    // Words of letters only, long enough to read as a name.
                    .filter(|l| {
                        l.chars().count() >= 3
                            && !l.starts_with('#')
                            && l.chars().all(char::is_alphabetic)
                    }),
            );
        }
        first.sort_unstable();
        first.dedup();
        last.sort_unstable();
        last.dedup();
        (first, last)
    })
}

fn capitalised(word: &str) -> String {
    let mut c = word.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn pick(d: &mut Draws<'_>, list: &[&'static str], fallback: &'static str) -> String {
    if list.is_empty() {
        return capitalised(fallback);
    }
    capitalised(list[d.below(list.len() as u64) as usize])
}

fn first_name(d: &mut Draws<'_>) -> String {
    pick(d, &words().0, "sam")
}

fn last_name(d: &mut Draws<'_>) -> String {
    let surname = pick(d, &words().1, "jansen");
    match d.below(10) {
        0 | 1 => format!("de {surname}"),
        2 => format!("van {surname}"),
        3 => format!("van der {surname}"),
        _ => surname,
    }
}

/// ASCII letters of a name, for an e-mail address's local part.
fn ascii_letters(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            let c = c.to_lowercase().next()?;
            match c {
                'a'..='z' => Some(c),
                'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => Some('a'),
                'è' | 'é' | 'ê' | 'ë' => Some('e'),
                'ì' | 'í' | 'î' | 'ï' => Some('i'),
                'ò' | 'ó' | 'ô' | 'ö' | 'õ' => Some('o'),
                'ù' | 'ú' | 'û' | 'ü' => Some('u'),
                'ç' => Some('c'),
                'ñ' => Some('n'),
                'ÿ' | 'ý' => Some('y'),
                _ => None,
            }
        })
        .collect()
}

/// The input's digits replaced from the `keep`-th digit on, its other characters kept.
fn redigit(v: &str, keep: usize, d: &mut Draws<'_>) -> String {
    let mut seen = 0;
    v.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                seen += 1;
                if seen > keep {
                    return d.digit();
                }
            }
            c
        })
        .collect()
}

/// `value` mod 97 for a string of digits and upper-case letters (letters as 10..35).
fn mod97(s: &str) -> u32 {
    let mut r: u32 = 0;
    for c in s.chars() {
        let n = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            _ => continue,
        };
        r = if n >= 10 {
            (r * 100 + n) % 97
        } else {
            (r * 10 + n) % 97
        };
    }
    r
}

fn iban(v: &str, d: &mut Draws<'_>) -> String {
    let compact: String = v
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid_shape = compact.len() >= 15
        && compact[..2].chars().all(|c| c.is_ascii_uppercase())
        && compact[2..4].chars().all(|c| c.is_ascii_digit());
    let (country, bban) = if valid_shape {
        let country = &compact[..2];
        let old = &compact[4..];
        let bban: String =
            match country {
                // Belgium: 3-digit bank, 7-digit account, 2 check digits (first 10 mod 97).
                "BE" if old.len() == 12 => {
                    let mut ten: String = old[..3].to_string();
                    ten.extend((0..7).map(|_| d.digit()));
                    let n: u64 = ten.parse().unwrap_or(0);
                    let check = match n % 97 {
                        0 => 97,
                        c => c,
                    };
                    format!("{ten}{check:02}")
                }
                // Elsewhere: the bank code (letters, and the digits before the first letterless
                // run for NL's 4 letters) kept, the account digits keyed.
                _ => {
                    let letters = old.chars().take_while(char::is_ascii_alphabetic).count();
                    let keep = if letters > 0 {
                        letters
                    } else {
                        old.len().min(4)
                    };
                    let mut out: String = old[..keep].to_string();
                    out.extend(old[keep..].chars().map(|c| {
                        if c.is_ascii_digit() {
                            d.digit()
                        } else {
                            c
                        }
                    }));
                    out
                }
            };
        (country.to_string(), bban)
    } else {
        let mut b = String::from("ABNA");
        b.extend((0..10).map(|_| d.digit()));
        ("NL".to_string(), b)
    };
    let check = 98 - mod97(&format!("{bban}{country}00"));
    let fresh = format!("{country}{check:02}{bban}");
    // The input's grouping (`NL91 ABNA 0417 1643 00`) kept where it had one.
    if valid_shape && v.trim().contains(' ') {
        fresh
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        fresh
    }
}

fn bsn(v: &str, d: &mut Draws<'_>) -> String {
    loop {
        let mut digits = vec![9u32];
        digits.extend((0..7).map(|_| d.below(10) as u32));
        let sum: u32 = digits.iter().zip((2..=9).rev()).map(|(x, w)| x * w).sum();
        // 11-proef: sum - last ≡ 0 (mod 11), the last digit 0..9.
        let last = sum % 11;
        if last == 10 {
            continue;
        }
        digits.push(last);
        let s: String = digits
            .iter()
            .filter_map(|x| char::from_digit(*x, 10))
            .collect();
        // The input's layout (`999.999.990`) kept where it had separators between digits.
        let mut it = s.chars();
        if v.chars().filter(char::is_ascii_digit).count() == 9 {
            return v
                .chars()
                .map(|c| {
                    if c.is_ascii_digit() {
                        it.next().unwrap_or(c)
                    } else {
                        c
                    }
                })
                .collect();
        }
        return s;
    }
}

fn be_national_number(d: &mut Draws<'_>) -> String {
    let year = 40 + d.below(60);
    let month = 1 + d.below(12);
    let day = 1 + d.below(28);
    let serial = 1 + d.below(997);
    let nine = format!("{year:02}{month:02}{day:02}{serial:03}");
    let n: u64 = nine.parse().unwrap_or(0);
    let check = 97 - n % 97;
    format!("{year:02}.{month:02}.{day:02}-{serial:03}.{check:02}")
}

fn postcode(v: &str, d: &mut Draws<'_>) -> String {
    let digits = 1000 + d.below(9000);
    let letters = loop {
        let a = char::from(b'A' + d.below(26) as u8);
        let b = char::from(b'A' + d.below(26) as u8);
        let pair = format!("{a}{b}");
        if !matches!(pair.as_str(), "SA" | "SD" | "SS") {
            break pair;
        }
    };
    let sep = if v.trim().chars().nth(4) == Some(' ') {
        " "
    } else {
        ""
    };
    let letters = if v.chars().any(|c| c.is_ascii_lowercase()) {
        letters.to_lowercase()
    } else {
        letters
    };
    format!("{digits}{sep}{letters}")
}

fn street_address(d: &mut Draws<'_>) -> String {
    let base = pick(d, &words().1, "jansen");
    let suffix = ["straat", "laan", "weg", "plein", "singel", "dreef"][d.below(6) as usize];
    format!("{base}{suffix} {}", 1 + d.below(199))
}

fn one(kind: FakeKind, v: &str, d: &mut Draws<'_>) -> String {
    match kind {
        FakeKind::FirstName => first_name(d),
        FakeKind::LastName => last_name(d),
        FakeKind::Name => {
            // "Jansen, Jan" stays surname first; a single word stays a single word.
            let words = v.split_whitespace().count();
            if v.contains(',') {
                let last = last_name(d);
                format!("{last}, {}", first_name(d))
            } else if words <= 1 {
                last_name(d)
            } else {
                let first = first_name(d);
                format!("{first} {}", last_name(d))
            }
        }
        FakeKind::Email => {
            let first = ascii_letters(&first_name(d));
            let last = ascii_letters(&last_name(d));
            format!("{first}.{last}{}@example.org", d.below(100))
        }
        FakeKind::Phone => {
            let t = v.trim();
            // Keep the country code or trunk prefix: +31 6, 0032 4, 06, 010.
            let keep = if t.starts_with('+') {
                3
            } else if t.starts_with("00") {
                4
            } else {
                2
            };
            if t.chars().filter(char::is_ascii_digit).count() <= keep {
                let mut s = String::from("06-");
                s.extend((0..8).map(|_| d.digit()));
                s
            } else {
                redigit(v, keep, d)
            }
        }
        FakeKind::Iban => iban(v, d),
        FakeKind::Bsn => bsn(v, d),
        FakeKind::BeNationalNumber => be_national_number(d),
        FakeKind::Postcode => postcode(v, d),
        FakeKind::StreetAddress => street_address(d),
    }
}

/// The fake of `v` (already normalised as the entry says) under `mac`.
pub fn fake(kind: FakeKind, mac: &Hmac<Sha256>, key_of_value: &str, v: &str) -> String {
    for draw in 0..16u32 {
        let mut d = Draws::new(mac, key_of_value, draw);
        let out = one(kind, v, &mut d);
        if out.trim() != v.trim() {
            return out;
        }
    }
    // Sixteen draws all equal to the input cannot happen but for a one-value space.
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mac() -> Hmac<Sha256> {
        <Hmac<Sha256> as Mac>::new_from_slice(b"test key for fakes, 32 bytes....").expect("key")
    }

    fn bsn_valid(s: &str) -> bool {
        let d: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
        let sum: u32 = d[..8].iter().zip((2..=9).rev()).map(|(x, w)| x * w).sum();
        d.len() == 9 && (sum + 11 * 100 - d[8]).is_multiple_of(11)
    }

    #[test]
    fn fakes_are_keyed_deterministic_and_valid() {
        let m = mac();
        let a = fake(FakeKind::Bsn, &m, "111222333", "111222333");
        assert_eq!(a, fake(FakeKind::Bsn, &m, "111222333", "111222333"));
        assert!(a.starts_with('9') && bsn_valid(&a), "{a}");
        let dotted = fake(FakeKind::Bsn, &m, "111222333", "111.222.333");
        assert_eq!(dotted.len(), 11, "{dotted}");
        assert!(bsn_valid(&dotted), "{dotted}");
        let other = <Hmac<Sha256> as Mac>::new_from_slice(b"another key").expect("key");
        assert_ne!(a, fake(FakeKind::Bsn, &other, "111222333", "111222333"));
        for v in [
            "NL91ABNA0417164300",
            "NL91 ABNA 0417 1643 00",
            "BE68539007547034",
        ] {
            let f = fake(FakeKind::Iban, &m, v, v);
            let compact: String = f.chars().filter(|c| *c != ' ').collect();
            let rotated = format!("{}{}", &compact[4..], &compact[..4]);
            assert_eq!(mod97(&rotated), 1, "{f} passes the IBAN check");
            assert_eq!(&compact[..2], &v[..2]);
            assert_eq!(f.contains(' '), v.contains(' '), "{f}");
            assert_ne!(compact, v.replace(' ', ""));
            if v.starts_with("BE") {
                let ten: u64 = compact[4..14].parse().expect("digits");
                let check: u64 = compact[14..16].parse().expect("digits");
                assert_eq!(
                    if ten.is_multiple_of(97) { 97 } else { ten % 97 },
                    check,
                    "{f}"
                );
            }
        }
        let e = fake(FakeKind::Email, &m, "jan@example.nl", "jan@example.nl");
        assert!(e.ends_with("@example.org") && e.is_ascii(), "{e}");
        let p = fake(FakeKind::Phone, &m, "0612345678", "06-1234 5678");
        assert!(
            p.starts_with("06-") && p.len() == "06-1234 5678".len(),
            "{p}"
        );
        let p = fake(FakeKind::Phone, &m, "32470123456", "+32 470 12 34 56");
        assert!(p.starts_with("+32 ") && p.len() == 16, "{p}");
        let pc = fake(FakeKind::Postcode, &m, "1234AB", "1234 AB");
        assert!(pc.len() == 7 && pc.as_bytes()[4] == b' ', "{pc}");
        let rrn = fake(FakeKind::BeNationalNumber, &m, "x", "85.07.30-033.28");
        let digits: String = rrn.chars().filter(char::is_ascii_digit).collect();
        let n: u64 = digits[..9].parse().expect("digits");
        let c: u64 = digits[9..].parse().expect("digits");
        assert_eq!(97 - n % 97, c, "{rrn}");
        let name = fake(FakeKind::Name, &m, "jan de vries", "Jan de Vries");
        assert!(name.split_whitespace().count() >= 2, "{name}");
        assert!(
            name.chars().next().is_some_and(char::is_uppercase),
            "{name}"
        );
    }
}
