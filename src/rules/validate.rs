//! Validators: checksums and plausibility checks that settle a pattern match. They are code,
//! chosen by name from the rule data. Each works on the matched bytes (and, where the format
//! needs it, on the bytes around the match) without allocating.

use crate::finding::Confidence;
use crate::rules::lexicon::Lexicons;

/// A validator, named in a rule file by its `validator = "…"` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validator {
    /// Payment card: Luhn, issuer prefix and length.
    CreditCard,
    /// IBAN: country length and ISO 13616 mod-97; the Belgian national check too.
    Iban,
    /// Dutch BSN: 11-proef, 8 digits padded, 000000000 rejected.
    NlBsn,
    /// Belgian national number (and BIS number): mod-97 for both centuries.
    BeNationalNumber,
    /// Dutch VAT number: mod 97-10 (since 2020) or the 11-proef (older numbers).
    NlVat,
    /// Belgian VAT / enterprise number: mod-97.
    BeVat,
    /// IPv4 address: parsed, not special-purpose, not part of a longer dotted number.
    Ipv4,
    /// IPv6 address: parsed by the standard library, not special-purpose.
    Ipv6,
    /// MAC address: consistent separators, not all zeros or broadcast.
    Mac,
    /// E-mail address: plausible top-level domain.
    Email,
    /// Phone numbers: NL and BE numbering plans, international E.164 country codes.
    Phone,
    /// Dutch postcode: letter pairs never issued, year-like traps.
    NlPostcode,
    /// Dutch licence plate: sidecode letters and banned combinations.
    NlLicencePlate,
    /// Dutch passport / ID-card number: letter O never used, digits present.
    NlIdDocument,
    /// A calendar date in the past (for dates of birth).
    DateOfBirth,
    /// Google Analytics client id: plausible first-visit time stamp.
    GaClientId,
    /// A person's name: first names and surnames from public statistics.
    PersonName,
    /// A name after a title (Dhr., Mevr., Mr, Mme): only common words are refused.
    PersonNameTitled,
    /// A name framed by its place: a signature line, chat sender, e-mail display name or label.
    PersonNameFramed,
    /// A street address: a plausible house number.
    StreetAddress,
}

impl Validator {
    /// Every validator with the name rule files use.
    pub const ALL: &'static [(&'static str, Validator)] = &[
        ("credit_card", Validator::CreditCard),
        ("iban", Validator::Iban),
        ("nl_bsn", Validator::NlBsn),
        ("be_national_number", Validator::BeNationalNumber),
        ("nl_vat", Validator::NlVat),
        ("be_vat", Validator::BeVat),
        ("ipv4", Validator::Ipv4),
        ("ipv6", Validator::Ipv6),
        ("mac_address", Validator::Mac),
        ("email", Validator::Email),
        ("phone", Validator::Phone),
        ("nl_postcode", Validator::NlPostcode),
        ("nl_licence_plate", Validator::NlLicencePlate),
        ("nl_id_document", Validator::NlIdDocument),
        ("date_of_birth", Validator::DateOfBirth),
        ("ga_client_id", Validator::GaClientId),
        ("person_name", Validator::PersonName),
        ("person_name_titled", Validator::PersonNameTitled),
        ("person_name_framed", Validator::PersonNameFramed),
        ("street_address", Validator::StreetAddress),
    ];

    /// Looks a validator up by its name in rule files.
    pub fn by_name(name: &str) -> Option<Validator> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }

    /// The name rule files use.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, v)| *v == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }
}

/// A validator's decision on one candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The candidate stands.
    Pass {
        /// What passed, for `--explain`.
        note: &'static str,
        /// Replace the pattern's confidence with this one.
        set: Option<Confidence>,
        /// Cap the confidence (applied before context).
        cap: Option<Confidence>,
    },
    /// The candidate is dropped.
    Fail(&'static str),
}

impl Verdict {
    fn pass(note: &'static str) -> Verdict {
        Verdict::Pass {
            note,
            set: None,
            cap: None,
        }
    }
    fn capped(note: &'static str, cap: Confidence) -> Verdict {
        Verdict::Pass {
            note,
            set: None,
            cap: Some(cap),
        }
    }
    fn set(note: &'static str, level: Confidence) -> Verdict {
        Verdict::Pass {
            note,
            set: Some(level),
            cap: None,
        }
    }
}

/// What a validator sees: the haystack and the span of the value in it.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'h> {
    /// The buffer being scanned.
    pub hay: &'h [u8],
    /// Start of the value.
    pub start: usize,
    /// End of the value.
    pub end: usize,
}

impl<'h> Candidate<'h> {
    /// The value's bytes.
    pub fn value(&self) -> &'h [u8] {
        &self.hay[self.start..self.end]
    }
    fn before(&self, n: usize) -> Option<u8> {
        self.start.checked_sub(n).map(|i| self.hay[i])
    }
    fn after(&self, n: usize) -> Option<u8> {
        self.hay.get(self.end + n - 1).copied()
    }
}

/// Collects up to N ASCII digits of `bytes` into a fixed array, skipping other bytes.
/// Returns `None` when there are more than N digits.
struct Digits<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> Digits<N> {
    fn of(bytes: &[u8]) -> Option<Self> {
        let mut d = Digits {
            buf: [0; N],
            len: 0,
        };
        for &b in bytes {
            if b.is_ascii_digit() {
                if d.len == N {
                    return None;
                }
                d.buf[d.len] = b - b'0';
                d.len += 1;
            }
        }
        Some(d)
    }
    fn as_slice(&self) -> &[u8] {
        &self.buf[..self.len]
    }
    fn number(&self, range: std::ops::Range<usize>) -> u64 {
        self.buf[range]
            .iter()
            .fold(0u64, |n, &d| n * 10 + u64::from(d))
    }
}

/// Runs a validator on a candidate.
pub fn validate(v: Validator, c: &Candidate<'_>, lex: &Lexicons) -> Verdict {
    let value = c.value();
    match v {
        Validator::CreditCard => credit_card(value),
        Validator::Iban => iban(value),
        Validator::NlBsn => bsn(value),
        Validator::BeNationalNumber => be_national_number(value),
        Validator::NlVat => nl_vat(value),
        Validator::BeVat => be_vat(value),
        Validator::Ipv4 => ipv4(c),
        Validator::Ipv6 => ipv6(c),
        Validator::Mac => mac(value),
        Validator::Email => email(value),
        Validator::Phone => phone(c),
        Validator::NlPostcode => nl_postcode(c),
        Validator::NlLicencePlate => licence_plate(value),
        Validator::NlIdDocument => id_document(value),
        Validator::DateOfBirth => date_of_birth(value),
        Validator::GaClientId => ga_client_id(value),
        Validator::PersonName => lex.judge_name(value),
        Validator::PersonNameTitled => lex.judge_titled_name(value),
        Validator::PersonNameFramed => lex.judge_framed_name(value),
        Validator::StreetAddress => street_address(value),
    }
}

/// The Luhn checksum over digits (ISO/IEC 7812-1).
pub fn luhn_valid(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        let mut x = u32::from(d);
        if i % 2 == 1 {
            x *= 2;
            if x > 9 {
                x -= 9;
            }
        }
        sum += x;
    }
    sum % 10 == 0
}

fn separators_consistent(value: &[u8]) -> bool {
    let mut sep = None;
    for &b in value {
        if !b.is_ascii_alphanumeric() {
            match sep {
                None => sep = Some(b),
                Some(s) if s != b => return false,
                _ => {}
            }
        }
    }
    true
}

fn all_same(d: &[u8]) -> bool {
    d.windows(2).all(|w| w[0] == w[1])
}

fn credit_card(value: &[u8]) -> Verdict {
    if !separators_consistent(value) {
        return Verdict::Fail("mixed separators");
    }
    let Some(d) = Digits::<19>::of(value) else {
        return Verdict::Fail("too many digits");
    };
    let digits = d.as_slice();
    let n = digits.len();
    if !(13..=19).contains(&n) || all_same(digits) {
        return Verdict::Fail("length");
    }
    let p2 = d.number(0..2);
    let p4 = d.number(0..4);
    let p6 = d.number(0..6);
    let issuer_ok = match digits[0] {
        4 => matches!(n, 13 | 16 | 19),              // Visa
        5 => (51..=55).contains(&p2) && n == 16,     // Mastercard
        2 => (2221..=2720).contains(&p4) && n == 16, // Mastercard 2-series
        3 => {
            (p2 == 34 || p2 == 37) && n == 15
                || (p2 == 36 || p2 == 38 || (300..=305).contains(&d.number(0..3))) && n == 14
                || (3528..=3589).contains(&p4) && n == 16
        } // Amex, Diners, JCB
        6 => {
            (p4 == 6011 || p2 == 65 || (644..=649).contains(&d.number(0..3)) || (622126..=622925).contains(&p6)) && (16..=19).contains(&n) // Discover, UnionPay
            || (p2 == 67 || p2 == 63) && (12..=19).contains(&n)
        } // Maestro / Bancontact
        _ => false,
    };
    if !issuer_ok {
        return Verdict::Fail("no issuer with this prefix and length");
    }
    if luhn_valid(digits) {
        Verdict::pass("Luhn and issuer prefix")
    } else {
        Verdict::Fail("Luhn")
    }
}

/// IBAN lengths per country (SWIFT IBAN registry).
fn iban_length(cc: &[u8]) -> Option<usize> {
    const TABLE: &[(&[u8; 2], usize)] = &[
        (b"AD", 24),
        (b"AE", 23),
        (b"AL", 28),
        (b"AT", 20),
        (b"AZ", 28),
        (b"BA", 20),
        (b"BE", 16),
        (b"BG", 22),
        (b"BH", 22),
        (b"BR", 29),
        (b"BY", 28),
        (b"CH", 21),
        (b"CR", 22),
        (b"CY", 28),
        (b"CZ", 24),
        (b"DE", 22),
        (b"DK", 18),
        (b"DO", 28),
        (b"EE", 20),
        (b"EG", 29),
        (b"ES", 24),
        (b"FI", 18),
        (b"FO", 18),
        (b"FR", 27),
        (b"GB", 22),
        (b"GE", 22),
        (b"GI", 23),
        (b"GL", 18),
        (b"GR", 27),
        (b"GT", 28),
        (b"HR", 21),
        (b"HU", 28),
        (b"IE", 22),
        (b"IL", 23),
        (b"IQ", 23),
        (b"IS", 26),
        (b"IT", 27),
        (b"JO", 30),
        (b"KW", 30),
        (b"KZ", 20),
        (b"LB", 28),
        (b"LC", 32),
        (b"LI", 21),
        (b"LT", 20),
        (b"LU", 20),
        (b"LV", 21),
        (b"MC", 27),
        (b"MD", 24),
        (b"ME", 22),
        (b"MK", 19),
        (b"MR", 27),
        (b"MT", 31),
        (b"MU", 30),
        (b"NL", 18),
        (b"NO", 15),
        (b"PK", 24),
        (b"PL", 28),
        (b"PS", 29),
        (b"PT", 25),
        (b"QA", 29),
        (b"RO", 24),
        (b"RS", 22),
        (b"SA", 24),
        (b"SC", 31),
        (b"SE", 24),
        (b"SI", 19),
        (b"SK", 24),
        (b"SM", 27),
        (b"ST", 25),
        (b"SV", 28),
        (b"TL", 23),
        (b"TN", 24),
        (b"TR", 26),
        (b"UA", 29),
        (b"VA", 22),
        (b"VG", 24),
        (b"XK", 20),
    ];
    TABLE
        .iter()
        .find(|(c, _)| c.as_slice() == cc)
        .map(|(_, n)| *n)
}

/// ISO 7064 mod 97-10 over alphanumerics (letters count as 10..35), in the order given.
fn mod97_chars(chars: impl Iterator<Item = u8>) -> u32 {
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

fn iban(value: &[u8]) -> Verdict {
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
    match iban_length(&s[..2]) {
        Some(len) if len == n => {}
        Some(_) => return Verdict::Fail("wrong length for the country"),
        None => return Verdict::Fail("no IBAN country"),
    }
    if mod97_chars(s[4..].iter().chain(&s[..4]).copied()) != 1 {
        return Verdict::Fail("mod-97");
    }
    if &s[..2] == b"BE" {
        // Belgian BBAN: the last two digits are the first ten modulo 97 (0 becomes 97).
        let Some(d) = Digits::<12>::of(&s[4..]) else {
            return Verdict::Fail("Belgian account number");
        };
        let check = match d.number(0..10) % 97 {
            0 => 97,
            c => c,
        };
        if d.len != 12 || check != d.number(10..12) {
            return Verdict::Fail("Belgian national check");
        }
    }
    Verdict::pass("country length and mod-97")
}

/// The Dutch 11-proef as used for BSN: 9·d1 + 8·d2 + … + 2·d8 − d9 ≡ 0 (mod 11).
pub fn elfproef(d: &[u8; 9]) -> bool {
    let mut sum: i32 = 0;
    for (i, &x) in d[..8].iter().enumerate() {
        sum += (9 - i as i32) * i32::from(x);
    }
    sum -= i32::from(d[8]);
    sum % 11 == 0
}

fn nine_digits(value: &[u8]) -> Option<[u8; 9]> {
    let d = Digits::<9>::of(value)?;
    let mut nine = [0u8; 9];
    match d.len {
        9 => nine.copy_from_slice(d.as_slice()),
        8 => nine[1..].copy_from_slice(d.as_slice()),
        _ => return None,
    }
    Some(nine)
}

fn bsn(value: &[u8]) -> Verdict {
    let Some(d) = nine_digits(value) else {
        return Verdict::Fail("not 8 or 9 digits");
    };
    if d.iter().all(|&x| x == 0) {
        return Verdict::Fail("000000000");
    }
    if elfproef(&d) {
        Verdict::pass("11-proef")
    } else {
        Verdict::Fail("11-proef")
    }
}

fn be_national_number(value: &[u8]) -> Verdict {
    let Some(d) = Digits::<11>::of(value) else {
        return Verdict::Fail("too many digits");
    };
    if d.len != 11 {
        return Verdict::Fail("not 11 digits");
    }
    let month = d.number(2..4);
    let day = d.number(4..6);
    let bis = match month {
        0..=12 => false,
        20..=32 | 40..=52 => true,
        _ => return Verdict::Fail("month"),
    };
    if day > 31 {
        return Verdict::Fail("day");
    }
    let body = d.number(0..9);
    let check = d.number(9..11);
    let before_2000 = 97 - body % 97 == check;
    let after_2000 = 97 - (2_000_000_000 + body) % 97 == check;
    if !(before_2000 || after_2000) {
        return Verdict::Fail("mod-97");
    }
    if bis {
        Verdict::pass("BIS number: month +20/+40 and mod-97")
    } else if after_2000 {
        Verdict::pass("mod-97 (born 2000 or later)")
    } else {
        Verdict::pass("mod-97 (born before 2000)")
    }
}

fn nl_vat(value: &[u8]) -> Verdict {
    // NL + 9 digits + B + 2 digits
    let compact = |b: &u8| b.is_ascii_alphanumeric();
    let mut s = [0u8; 14];
    let mut n = 0;
    for b in value.iter().filter(|b| compact(b)) {
        if n == s.len() {
            return Verdict::Fail("too long");
        }
        s[n] = b.to_ascii_uppercase();
        n += 1;
    }
    if n != 14 || &s[..2] != b"NL" || s[11] != b'B' {
        return Verdict::Fail("not NL + 9 digits + B + 2 digits");
    }
    if &s[12..14] == b"00" {
        return Verdict::Fail("suffix B00");
    }
    if mod97_chars(s[..14].iter().copied()) == 1 {
        return Verdict::pass("mod 97-10 (since 2020)");
    }
    let mut nine = [0u8; 9];
    for (i, b) in s[2..11].iter().enumerate() {
        nine[i] = b - b'0';
    }
    if nine.iter().any(|&x| x > 0) && elfproef(&nine) {
        Verdict::pass("11-proef (number from before 2020)")
    } else {
        Verdict::Fail("neither mod 97-10 nor 11-proef")
    }
}

fn be_vat(value: &[u8]) -> Verdict {
    let Some(d) = Digits::<10>::of(value) else {
        return Verdict::Fail("too many digits");
    };
    let mut ten = [0u8; 10];
    match d.len {
        10 => ten.copy_from_slice(d.as_slice()),
        9 => ten[1..].copy_from_slice(d.as_slice()),
        _ => return Verdict::Fail("not 9 or 10 digits"),
    }
    if ten[0] > 1 || all_same(&ten[1..]) {
        return Verdict::Fail("first digit");
    }
    let num = ten.iter().fold(0u64, |n, &x| n * 10 + u64::from(x));
    if (num / 100 + num % 100) % 97 == 0 {
        Verdict::pass("mod-97")
    } else {
        Verdict::Fail("mod-97")
    }
}

fn is_digit_dot_boundary(c: &Candidate<'_>) -> bool {
    // Part of a longer dotted number (an OID, a version): `1.2.3.4.5` or `x.1.2.3.4`.
    let after = c.after(1) == Some(b'.') && c.after(2).is_some_and(|b| b.is_ascii_digit());
    let before = c.before(1) == Some(b'.') && c.before(2).is_some_and(|b| b.is_ascii_digit());
    after || before
}

fn ipv4(c: &Candidate<'_>) -> Verdict {
    if is_digit_dot_boundary(c) {
        return Verdict::Fail("part of a longer dotted number");
    }
    let mut octets = [0u16; 4];
    let mut i = 0;
    let mut digits = 0;
    for &b in c.value() {
        if b == b'.' {
            i += 1;
            digits = 0;
            if i == 4 {
                return Verdict::Fail("too many parts");
            }
        } else {
            if digits == 1 && octets[i] == 0 {
                return Verdict::Fail("leading zero");
            }
            octets[i] = octets[i] * 10 + u16::from(b - b'0');
            digits += 1;
            if octets[i] > 255 {
                return Verdict::Fail("octet over 255");
            }
        }
    }
    if i != 3 {
        return Verdict::Fail("not four parts");
    }
    let [a, b, c3, _] = octets;
    match (a, b, c3) {
        (0, _, _) => Verdict::Fail("this-network range 0.0.0.0/8"),
        (127, _, _) => Verdict::Fail("loopback"),
        (224..=255, _, _) => Verdict::Fail("multicast or reserved"),
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => {
            Verdict::Fail("documentation range (RFC 5737)")
        }
        (10, _, _) | (192, 168, _) => Verdict::pass("private range (RFC 1918)"),
        (172, 16..=31, _) => Verdict::pass("private range (RFC 1918)"),
        _ => Verdict::pass("parsed"),
    }
}

fn ipv6(c: &Candidate<'_>) -> Verdict {
    let v = c.value();
    if c.after(1)
        .is_some_and(|b| b.is_ascii_hexdigit() || b == b':')
        || c.before(1)
            .is_some_and(|b| b.is_ascii_hexdigit() || b == b':')
    {
        return Verdict::Fail("part of a longer token");
    }
    let Ok(s) = std::str::from_utf8(v) else {
        return Verdict::Fail("not ASCII");
    };
    let Ok(addr) = s.parse::<std::net::Ipv6Addr>() else {
        return Verdict::Fail("does not parse");
    };
    let groups = s.split(':').filter(|g| !g.is_empty()).count();
    if groups < 3 {
        return Verdict::Fail("too few groups to tell from code or text");
    }
    if !v.iter().any(|b| b.is_ascii_digit()) {
        return Verdict::Fail("no digit");
    }
    let seg = addr.segments();
    if addr.is_unspecified() || addr.is_loopback() {
        return Verdict::Fail("unspecified or loopback");
    }
    if seg[0] == 0x2001 && seg[1] == 0x0db8 {
        return Verdict::Fail("documentation range (RFC 3849)");
    }
    if seg[0] & 0xff00 == 0xff00 {
        return Verdict::Fail("multicast");
    }
    Verdict::pass("parsed")
}

fn mac(value: &[u8]) -> Verdict {
    if !separators_consistent(value) {
        return Verdict::Fail("mixed separators");
    }
    let hex: u32 = value.iter().filter(|b| b.is_ascii_hexdigit()).count() as u32;
    if hex != 12 {
        return Verdict::Fail("not 12 hex digits");
    }
    let zeros = value.iter().filter(|&&b| b == b'0').count();
    let effs = value.iter().filter(|&&b| b == b'f' || b == b'F').count();
    if zeros == 12 || effs == 12 {
        return Verdict::Fail("all zeros or broadcast");
    }
    if !value.iter().any(|b| b.is_ascii_digit())
        || !value.iter().any(|b| b.is_ascii_alphabetic()) && all_same(value)
    {
        return Verdict::Fail("implausible");
    }
    Verdict::pass("12 hex digits, one separator")
}

fn email(value: &[u8]) -> Verdict {
    let Some(at) = memchr::memrchr(b'@', value) else {
        return Verdict::Fail("no @");
    };
    let (local, domain) = (&value[..at], &value[at + 1..]);
    if local.first() == Some(&b'.')
        || local.last() == Some(&b'.')
        || memchr::memmem::find(value, b"..").is_some()
    {
        return Verdict::Fail("dots");
    }
    let tld = match memchr::memrchr(b'.', domain) {
        Some(i) => &domain[i + 1..],
        None => return Verdict::Fail("no domain"),
    };
    if tld.len() < 2 || !tld.iter().all(|b| b.is_ascii_alphabetic()) {
        return Verdict::Fail("top-level domain");
    }
    const FILE_EXTS: &[&[u8]] = &[
        b"png", b"jpg", b"jpeg", b"gif", b"svg", b"webp", b"js", b"css", b"ts", b"map", b"json",
        b"woff", b"woff2",
    ];
    if FILE_EXTS.iter().any(|e| tld.eq_ignore_ascii_case(e)) {
        return Verdict::Fail("file name such as logo@2x.png");
    }
    Verdict::pass("local part, domain and top-level domain")
}

/// Country calling codes assigned by the ITU (E.164), one to three digits.
fn country_code_len(d: &[u8]) -> Option<usize> {
    const ONE: &[u8] = &[1, 7];
    const TWO: &[u64] = &[
        20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55,
        56, 57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98,
    ];
    if d.is_empty() {
        return None;
    }
    if ONE.contains(&d[0]) {
        return Some(1);
    }
    if d.len() >= 2 && TWO.contains(&(u64::from(d[0]) * 10 + u64::from(d[1]))) {
        return Some(2);
    }
    // Three-digit codes: 21x, 22x, 23x, 24x, 25x, 26x, 29x, 35x, 37x, 38x, 42x, 50x, 59x, 67x,
    // 68x, 69x, 85x, 88x, 96x, 97x, 99x (most are assigned; unassigned ones are rare in text).
    if d.len() >= 3 {
        let two = u64::from(d[0]) * 10 + u64::from(d[1]);
        if [
            21, 22, 23, 24, 25, 26, 29, 35, 37, 38, 42, 50, 59, 67, 68, 69, 85, 88, 96, 97, 99,
        ]
        .contains(&two)
        {
            return Some(3);
        }
    }
    None
}

fn nl_number(nsn: &[u8]) -> Verdict {
    // Dutch national significant number: 9 digits after the trunk prefix or +31.
    if nsn.len() != 9 || nsn[0] == 0 {
        return Verdict::Fail("a Dutch number has 9 digits after 0 or +31");
    }
    let p3 = u32::from(nsn[0]) * 100 + u32::from(nsn[1]) * 10 + u32::from(nsn[2]);
    let p2 = p3 / 10;
    if matches!(p3, 800 | 900 | 906 | 909) || matches!(p2, 84 | 85 | 87 | 88 | 91 | 97) {
        return Verdict::Fail("service, company or machine number, not a person's");
    }
    Verdict::pass("Dutch numbering plan")
}

fn be_number(nsn: &[u8]) -> Verdict {
    // Belgian: mobile 4xx xx xx xx (9 digits), fixed lines 8 digits.
    match (nsn.len(), nsn.first()) {
        (9, Some(4)) => Verdict::pass("Belgian mobile"),
        (8, Some(&d)) if d != 0 && d != 4 => {
            let p2 = u32::from(nsn[0]) * 10 + u32::from(nsn[1]);
            if matches!(p2, 70 | 77 | 78 | 80 | 90) {
                Verdict::Fail("service or premium number, not a person's")
            } else {
                Verdict::pass("Belgian fixed line")
            }
        }
        _ => Verdict::Fail("a Belgian number has 8 (fixed) or 9 (mobile) digits after 0 or +32"),
    }
}

/// Glued to more letters or digits by `-`, `.` or `/`: part of a longer token (a UUID, an id).
fn inside_longer_token(c: &Candidate<'_>) -> bool {
    let joiner = |b: Option<u8>| matches!(b, Some(b'-' | b'.' | b'/' | b'_'));
    let alnum = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric());
    (joiner(c.after(1)) && alnum(c.after(2))) || (joiner(c.before(1)) && alnum(c.before(2)))
}

fn phone(c: &Candidate<'_>) -> Verdict {
    if inside_longer_token(c) {
        return Verdict::Fail("part of a longer token");
    }
    let value = c.value();
    let Some(d) = Digits::<20>::of(value) else {
        return Verdict::Fail("too many digits");
    };
    let digits = d.as_slice();
    if digits.len() < 8 || all_same(digits) {
        return Verdict::Fail("too short");
    }
    let has_sep = value
        .iter()
        .any(|b| matches!(b, b' ' | b'-' | b'.' | b'/' | b'('));
    if looks_like_date(value) {
        return Verdict::Fail("a date (dd-mm-yyyy), not a number");
    }
    let international = value.starts_with(b"+") || value.starts_with(b"00");
    if international {
        let rest = if value.starts_with(b"00") {
            &digits[2..]
        } else {
            digits
        };
        // "+31 (0)20 ..." carries a trunk 0 that is not dialled.
        let trunk_in_parens = memchr::memmem::find(value, b"(0)").is_some();
        let strip = |cc: usize| -> ([u8; 20], usize) {
            let mut out = [0u8; 20];
            let mut n = 0;
            for (i, &x) in rest[cc..].iter().enumerate() {
                if trunk_in_parens && i == 0 && x == 0 {
                    continue;
                }
                out[n] = x;
                n += 1;
            }
            (out, n)
        };
        if value.starts_with(b"00") && !has_sep {
            // Digits starting with 00 and no separator: as often an id as a number.
            return match (rest.starts_with(&[3, 1]), rest.starts_with(&[3, 2])) {
                (true, _) => cap_low(nl_number(&rest[2..])),
                (_, true) => cap_low(be_number(&rest[2..])),
                _ => match country_code_len(rest) {
                    Some(_) => Verdict::capped("00 prefix without separators", Confidence::Low),
                    None => Verdict::Fail("no such country code"),
                },
            };
        }
        if rest.starts_with(&[3, 1]) {
            let (nsn, n) = strip(2);
            return nl_number(&nsn[..n]);
        }
        if rest.starts_with(&[3, 2]) {
            let (nsn, n) = strip(2);
            return be_number(&nsn[..n]);
        }
        let Some(cc) = country_code_len(rest) else {
            return Verdict::Fail("no such country code");
        };

        let total = rest.len() - usize::from(trunk_in_parens);
        if !(8..=15).contains(&total) || rest.len() - cc < 6 {
            return Verdict::Fail("E.164 length");
        }
        return Verdict::pass("E.164 country code and length");
    }
    // National format with trunk prefix 0.
    if digits[0] != 0 || digits[1] == 0 {
        return Verdict::Fail("national numbers start with one 0");
    }
    let nsn = &digits[1..];
    if is_sequence(digits) {
        return Verdict::Fail("counting sequence");
    }
    match nsn.len() {
        9 if nsn[0] == 4 => be_number(nsn),
        9 => nl_number(nsn),
        8 => match be_number(nsn) {
            // A bare 9-digit number starting with 0 is as likely an id as a Belgian landline.
            Verdict::Pass { note, .. } if !has_sep => Verdict::capped(note, Confidence::Low),
            v => v,
        },
        _ => Verdict::Fail("length"),
    }
}

/// `dd.mm.yyyy…`, `dd-mm-yyyy…` or `dd/mm/yyyy…` with a 19xx or 20xx year.
fn looks_like_date(value: &[u8]) -> bool {
    let mut groups = value
        .split(|b| !b.is_ascii_digit())
        .filter(|g| !g.is_empty());
    match (groups.next(), groups.next(), groups.next()) {
        (Some(d), Some(m), Some(y)) => {
            d.len() <= 2
                && m.len() <= 2
                && y.len() == 4
                && (y.starts_with(b"19") || y.starts_with(b"20"))
        }
        _ => false,
    }
}

fn cap_low(v: Verdict) -> Verdict {
    match v {
        Verdict::Pass { note, .. } => Verdict::capped(note, Confidence::Low),
        fail => fail,
    }
}

fn is_sequence(d: &[u8]) -> bool {
    d.windows(2).all(|w| w[1] == (w[0] + 1) % 10)
}

fn nl_postcode(c: &Candidate<'_>) -> Verdict {
    let v = c.value();
    let n = v.len();
    let letters = [v[n - 2], v[n - 1]];
    if matches!(&letters, b"SA" | b"SD" | b"SS") {
        return Verdict::Fail("letters SA, SD and SS are never issued");
    }
    let digits = u32::from(v[0] - b'0') * 1000
        + u32::from(v[1] - b'0') * 100
        + u32::from(v[2] - b'0') * 10
        + u32::from(v[3] - b'0');
    const ABBREV: &[&[u8; 2]] = &[
        b"AD", b"BC", b"CE", b"AM", b"PM", b"QA", b"WO", b"EU", b"NL", b"BE", b"US", b"UK", b"HR",
        b"IT", b"CV", b"TV", b"PC", b"ID", b"OK", b"GB", b"MB", b"KB", b"TB", b"CO", b"EN", b"FR",
        b"DE", b"Q1", b"Q2",
    ];
    if (1900..=2099).contains(&digits) && ABBREV.iter().any(|a| a.as_slice() == letters) {
        return Verdict::capped("year followed by an abbreviation", Confidence::Low);
    }
    // A capitalised word (the town) after the postcode makes it an address line.
    let rest = &c.hay[c.end..];
    let mut i = 0;
    while i < rest.len() && i < 3 && (rest[i] == b' ' || rest[i] == b',') {
        i += 1;
    }
    let town = i > 0
        && rest.get(i).is_some_and(|b| b.is_ascii_uppercase())
        && rest
            .get(i + 1)
            .is_some_and(|b| b.is_ascii_lowercase() || *b == b'\'' || *b >= 0x80);
    if town {
        Verdict::set("followed by a town name", Confidence::Medium)
    } else {
        Verdict::pass("letters allowed")
    }
}

fn licence_plate(value: &[u8]) -> Verdict {
    const ALLOWED: &[u8] = b"BDFGHJKLMNPRSTVXZ";
    const BANNED: &[&[u8]] = &[
        b"SS", b"SD", b"SA", b"GVD", b"KKK", b"NSB", b"PVV", b"SGP", b"TBS", b"VVD",
    ];
    for group in value.split(|&b| b == b'-') {
        if group.iter().all(|b| b.is_ascii_uppercase()) {
            if !group.iter().all(|b| ALLOWED.contains(b)) {
                return Verdict::Fail("vowels and C, Q, W, Y are not used in plates");
            }
            if BANNED.contains(&group) {
                return Verdict::Fail("combination never issued");
            }
        }
    }
    Verdict::pass("sidecode letters")
}

fn id_document(value: &[u8]) -> Verdict {
    if value.contains(&b'O') {
        return Verdict::Fail("letter O is never used");
    }
    let digits = value.iter().filter(|b| b.is_ascii_digit()).count();
    if digits < 2 {
        return Verdict::Fail("a word, not a document number");
    }
    if all_same(&value[2..]) {
        return Verdict::Fail("repeated character");
    }
    Verdict::pass("format: 2 letters, 6 letters or digits, 1 digit, no O")
}

/// Month names in Dutch, English and French (lowercase ASCII prefixes that identify them).
fn month_from_name(word: &[u8]) -> Option<u32> {
    const MONTHS: &[(&str, u32)] = &[
        ("januari", 1),
        ("january", 1),
        ("janvier", 1),
        ("jan", 1),
        ("februari", 2),
        ("february", 2),
        ("fevrier", 2),
        ("février", 2),
        ("feb", 2),
        ("fev", 2),
        ("maart", 3),
        ("march", 3),
        ("mars", 3),
        ("mrt", 3),
        ("mar", 3),
        ("april", 4),
        ("avril", 4),
        ("apr", 4),
        ("avr", 4),
        ("mei", 5),
        ("may", 5),
        ("mai", 5),
        ("juni", 6),
        ("june", 6),
        ("juin", 6),
        ("jun", 6),
        ("juli", 7),
        ("july", 7),
        ("juillet", 7),
        ("jul", 7),
        ("augustus", 8),
        ("august", 8),
        ("aout", 8),
        ("août", 8),
        ("aug", 8),
        ("september", 9),
        ("septembre", 9),
        ("sep", 9),
        ("sept", 9),
        ("oktober", 10),
        ("october", 10),
        ("octobre", 10),
        ("okt", 10),
        ("oct", 10),
        ("november", 11),
        ("novembre", 11),
        ("nov", 11),
        ("december", 12),
        ("decembre", 12),
        ("décembre", 12),
        ("dec", 12),
    ];
    let mut lower = [0u8; 16];
    if word.len() > lower.len() {
        return None;
    }
    for (i, b) in word.iter().enumerate() {
        lower[i] = b.to_ascii_lowercase();
    }
    let w = &lower[..word.len()];
    let w = w.strip_suffix(b".").unwrap_or(w);
    MONTHS
        .iter()
        .find(|(n, _)| n.as_bytes() == w)
        .map(|(_, m)| *m)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// The current year, from the system clock.
fn current_year() -> u32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    (1970 + secs / 31_556_952) as u32
}

/// Parses `d-m-yyyy`, `d/m/yyyy`, `d.m.yyyy`, `yyyy-mm-dd` and `d maart 1985` into (y, m, d).
pub fn parse_date(value: &[u8]) -> Option<(u32, u32, u32)> {
    let parts: [&[u8]; 3] = {
        let mut it = value
            .split(|b| matches!(b, b'-' | b'/' | b'.' | b' '))
            .filter(|p| !p.is_empty());
        [it.next()?, it.next()?, it.next()?]
    };
    let num = |p: &[u8]| -> Option<u32> {
        if p.is_empty() || p.len() > 4 || !p.iter().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(p.iter().fold(0u32, |n, &b| n * 10 + u32::from(b - b'0')))
    };
    let (y, m, d) = if parts[0].len() == 4 {
        (num(parts[0])?, num(parts[1])?, num(parts[2])?)
    } else {
        let m = num(parts[1]).or_else(|| month_from_name(parts[1]))?;
        (num(parts[2])?, m, num(parts[0])?)
    };
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some((y, m, d))
}

fn date_of_birth(value: &[u8]) -> Verdict {
    match parse_date(value) {
        Some((y, _, _)) if y >= 1900 && y <= current_year() => {
            Verdict::pass("a calendar date in the past")
        }
        Some(_) => Verdict::Fail("year out of range for a birth date"),
        None => Verdict::Fail("not a calendar date"),
    }
}

fn ga_client_id(value: &[u8]) -> Verdict {
    let Some(dot) = memchr::memrchr(b'.', value) else {
        return Verdict::Fail("no time stamp");
    };
    let ts = &value[dot + 1..];
    if ts.len() != 10 {
        return Verdict::Fail("time stamp length");
    }
    let t = ts.iter().fold(0u64, |n, &b| n * 10 + u64::from(b - b'0'));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(u64::MAX);
    // Google Analytics started issuing _ga cookies in 2005 (Urchin-based GA).
    if t < 1_104_537_600 || t > now + 86_400 * 366 {
        return Verdict::Fail("first-visit time stamp out of range");
    }
    Verdict::pass("random number and first-visit time stamp")
}

fn street_address(value: &[u8]) -> Verdict {
    // The house number: the first run of digits.
    let mut n = 0u32;
    let mut seen = false;
    for &b in value {
        if b.is_ascii_digit() {
            n = n.saturating_mul(10).saturating_add(u32::from(b - b'0'));
            seen = true;
        } else if seen {
            break;
        }
    }
    if !seen || n == 0 || n > 9999 {
        return Verdict::Fail("house number");
    }
    Verdict::pass("street name and house number")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(validator: Validator, s: &str) -> bool {
        let lex = Lexicons::builtin();
        let c = Candidate {
            hay: s.as_bytes(),
            start: 0,
            end: s.len(),
        };
        matches!(validate(validator, &c, &lex), Verdict::Pass { .. })
    }

    // BSN: python-stdnum `stdnum/nl/bsn.py` doctests (111222333, 123456782 valid; 123456789
    // invalid); 000000000 passes the sum but is rejected by stdnum and by us.
    #[test]
    fn bsn_published_numbers() {
        assert!(v(Validator::NlBsn, "111222333"));
        assert!(v(Validator::NlBsn, "123456782"));
        assert!(v(Validator::NlBsn, "1112.22.333"));
        assert!(!v(Validator::NlBsn, "123456789"));
        assert!(!v(Validator::NlBsn, "000000000"));
        assert!(
            !v(Validator::NlBsn, "12345678"),
            "padded to 012345678 fails the 11-proef"
        );
    }

    // Belgian national number: stdnum `stdnum/be/nn.py` doctests (85.07.30-033.28 born 1985,
    // 17.07.30-033.84 born 2017); BIS 98.47.28-997.65 from stdnum `stdnum/be/bis.py`.
    #[test]
    fn be_national_number_both_centuries_and_bis() {
        assert!(v(Validator::BeNationalNumber, "85.07.30-033.28"));
        assert!(v(Validator::BeNationalNumber, "17.07.30-033.84"));
        assert!(v(Validator::BeNationalNumber, "98.47.28-997.65"));
        assert!(!v(Validator::BeNationalNumber, "85073003329"));
        assert!(
            !v(Validator::BeNationalNumber, "85.13.30-033.28"),
            "month 13"
        );
    }

    // IBAN: the ISO 13616 / SWIFT registry examples (NL91ABNA0417164300, GB82WEST12345698765432,
    // DE89370400440532013000) and BE71096123456769 from the registry's Belgian entry.
    #[test]
    fn iban_registry_examples() {
        assert!(v(Validator::Iban, "NL91ABNA0417164300"));
        assert!(v(Validator::Iban, "NL91 ABNA 0417 1643 00"));
        assert!(v(Validator::Iban, "GB82WEST12345698765432"));
        assert!(v(Validator::Iban, "DE89370400440532013000"));
        assert!(v(Validator::Iban, "BE71096123456769"));
        assert!(!v(Validator::Iban, "NL91ABNA0417164301"), "check digits");
        assert!(!v(Validator::Iban, "NL91ABNA041716430"), "length for NL");
    }

    // Payment cards: the networks' published test numbers (Visa 4111 1111 1111 1111,
    // Mastercard 5555 5555 5555 4444, Amex 3782 822463 10005; listed in Stripe's and Adyen's
    // testing docs).
    #[test]
    fn credit_card_test_numbers() {
        assert!(v(Validator::CreditCard, "4111111111111111"));
        assert!(v(Validator::CreditCard, "4111 1111 1111 1111"));
        assert!(v(Validator::CreditCard, "5555555555554444"));
        assert!(v(Validator::CreditCard, "378282246310005"));
        assert!(!v(Validator::CreditCard, "4111111111111112"), "Luhn");
        assert!(
            !v(Validator::CreditCard, "4111-1111 1111-1111"),
            "mixed separators"
        );
        assert!(!v(Validator::CreditCard, "9111111111111111"), "no issuer");
    }

    // VAT: stdnum `stdnum/nl/btw.py` (NL004495445B01, NL002455799B11 pass; the new mod-97
    // numbers such as NL000099998B57), stdnum `stdnum/be/vat.py` (BE0403019261).
    #[test]
    fn vat_numbers() {
        assert!(v(Validator::NlVat, "NL004495445B01"));
        assert!(v(Validator::NlVat, "NL000099998B57"));
        assert!(v(Validator::NlVat, "NL002455799B11"));
        assert!(!v(Validator::NlVat, "NL004495446B01"));
        assert!(v(Validator::BeVat, "BE0403019261"));
        assert!(v(Validator::BeVat, "0403.019.261"));
        assert!(!v(Validator::BeVat, "BE0403019262"));
    }

    #[test]
    fn ip_addresses() {
        assert!(v(Validator::Ipv4, "84.241.12.7"));
        assert!(!v(Validator::Ipv4, "256.1.1.1"));
        assert!(!v(Validator::Ipv4, "127.0.0.1"));
        assert!(
            !v(Validator::Ipv4, "192.0.2.10"),
            "RFC 5737 documentation range"
        );
        assert!(!v(Validator::Ipv4, "01.02.03.04"), "leading zeros");
        assert!(v(Validator::Ipv6, "2a02:a443:1c2d:0:1:2:3:4"));
        assert!(v(Validator::Ipv6, "2a02:a443::1"));
        assert!(
            !v(Validator::Ipv6, "2001:db8::1"),
            "RFC 3849 documentation range"
        );
        assert!(
            !v(Validator::Ipv6, "dead::beef"),
            "too few groups to be sure"
        );
        assert!(!v(Validator::Ipv6, "12:34:56"));
    }

    #[test]
    fn phones() {
        assert!(v(Validator::Phone, "06-12345678"));
        assert!(v(Validator::Phone, "+31 6 12345678"));
        assert!(v(Validator::Phone, "+31 (0)20 123 4567"));
        assert!(v(Validator::Phone, "0470 12 34 56"));
        assert!(v(Validator::Phone, "+32 470 12 34 56"));
        assert!(v(Validator::Phone, "+44 20 7946 0958"));
        assert!(
            !v(Validator::Phone, "0800-1234567"),
            "free-phone service number"
        );
        assert!(!v(Validator::Phone, "+31 6 1234567"), "too short");
        assert!(!v(Validator::Phone, "0123456789"), "counting sequence");
    }

    #[test]
    fn dates_and_misc() {
        assert_eq!(parse_date(b"12-03-1985"), Some((1985, 3, 12)));
        assert_eq!(parse_date(b"1985-03-12"), Some((1985, 3, 12)));
        assert_eq!(parse_date(b"12 maart 1985"), Some((1985, 3, 12)));
        assert_eq!(parse_date(b"31-02-1985"), None);
        assert!(v(Validator::DateOfBirth, "29-02-2000"));
        assert!(
            !v(Validator::DateOfBirth, "29-02-1900"),
            "1900 was no leap year"
        );
        assert!(v(Validator::Mac, "00:1A:2B:3C:4D:5E"));
        assert!(!v(Validator::Mac, "00:1A-2B:3C:4D:5E"));
        assert!(!v(Validator::Mac, "ff:ff:ff:ff:ff:ff"));
        assert!(v(Validator::NlLicencePlate, "12-GBL-3"));
        assert!(!v(Validator::NlLicencePlate, "AB-12-CD"), "vowels");
        assert!(!v(Validator::NlLicencePlate, "12-PVV-3"), "never issued");
        assert!(
            v(Validator::NlIdDocument, "SPECI2014"),
            "the government's specimen number"
        );
        assert!(!v(Validator::NlIdDocument, "OPERATOR1"));
        assert!(v(Validator::GaClientId, "GA1.2.1234567890.1690000000"));
        assert!(!v(Validator::GaClientId, "GA1.2.1234567890.0000000001"));
    }
}
