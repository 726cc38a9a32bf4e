//! Validators: checksums and plausibility checks that settle a pattern match. They are code,
//! chosen by name from the rule data. Each works on the matched bytes (and, where the format
//! needs it, on the bytes around the match) without allocating.

use crate::finding::Confidence;
use crate::ruleset::lexicon::Lexicons;

mod card;
mod iban;
mod network;
mod phone;

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
    /// Phone numbers: NL and BE numbering plans; other countries by libphonenumber metadata.
    Phone,
    /// A phone number in another country's national format, by libphonenumber metadata.
    PhoneForeignNational,
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
    /// A first name alone where the sentence names a person ("met Koen", a list of names).
    PersonFirstName,
    /// A name written surname first, as lists and registers write it ("Bakker, J.").
    PersonNameInverted,
    /// One word that must be a known first name or surname ("klant Mertens").
    PersonKnownName,
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
        ("phone_foreign_national", Validator::PhoneForeignNational),
        ("nl_postcode", Validator::NlPostcode),
        ("nl_licence_plate", Validator::NlLicencePlate),
        ("nl_id_document", Validator::NlIdDocument),
        ("date_of_birth", Validator::DateOfBirth),
        ("ga_client_id", Validator::GaClientId),
        ("person_name", Validator::PersonName),
        ("person_name_titled", Validator::PersonNameTitled),
        ("person_name_framed", Validator::PersonNameFramed),
        ("person_first_name", Validator::PersonFirstName),
        ("person_name_inverted", Validator::PersonNameInverted),
        ("person_known_name", Validator::PersonKnownName),
        ("street_address", Validator::StreetAddress),
    ];

    /// Looks a validator up by its name in rule files.
    pub fn by_name(name: &str) -> Option<Validator> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }

    /// Does it check a checksum (11-proef, mod-97, Luhn), so that a match is a real
    /// identifier even without context: national numbers, IBANs, payment cards, VAT numbers.
    pub fn is_checksum(self) -> bool {
        matches!(
            self,
            Validator::CreditCard
                | Validator::Iban
                | Validator::NlBsn
                | Validator::BeNationalNumber
                | Validator::NlVat
                | Validator::BeVat
        )
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
    /// The value starts this many bytes into the candidate (the words before it belong to
    /// the sentence, not the name): the pattern is tried again from there.
    StartsAt(usize),
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

    /// Whether the value is (part of) a decimal number: the digits after a decimal point
    /// (`tint="0.39997558519241921"`), or one to three digits, a point and four or more
    /// digits with no leading 0 or `+` (`65.2419444`, a latitude). No card, phone or
    /// identifier is written so.
    fn in_decimal_number(&self) -> bool {
        let digit = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_digit());
        if self.before(1) == Some(b'.') && digit(self.before(2)) {
            return true;
        }
        let v = self.value();
        let Some(dot) = v.iter().position(|&b| b == b'.') else {
            return false;
        };
        let (whole, fraction) = (&v[..dot], &v[dot + 1..]);
        (1..=3).contains(&whole.len())
            && whole[0] != b'0'
            && fraction.len() >= 4
            && whole.iter().chain(fraction).all(u8::is_ascii_digit)
    }

    /// Whether the value is glued to a letter, digit or `_` on either side (a word of which it
    /// is only a part: `xJan`, `Jansen2`), decoding the UTF-8 character next to it, so that
    /// letters outside ASCII count as letters.
    fn inside_word(&self) -> bool {
        let wordy = |c: char| c.is_alphanumeric() || c == '_';
        let lead = (1..=4)
            .filter_map(|n| self.start.checked_sub(n))
            .find(|&i| self.hay[i] & 0xC0 != 0x80);
        let before = lead
            .and_then(|i| std::str::from_utf8(&self.hay[i..self.start]).ok())
            .and_then(|s| s.chars().next());
        let after = {
            let rest = &self.hay[self.end.min(self.hay.len())..];
            let n = match rest.first() {
                Some(b) if *b < 0x80 => 1,
                Some(b) if *b >= 0xF0 => 4,
                Some(b) if *b >= 0xE0 => 3,
                Some(_) => 2,
                None => 0,
            };
            rest.get(..n)
                .and_then(|s| std::str::from_utf8(s).ok())
                .and_then(|s| s.chars().next())
        };
        before.is_some_and(wordy) || after.is_some_and(wordy)
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
        Validator::CreditCard => card::credit_card(c),
        Validator::Iban => iban::iban(value),
        Validator::NlBsn => bsn(value),
        Validator::BeNationalNumber => be_national_number(value),
        Validator::NlVat => nl_vat(value),
        Validator::BeVat => be_vat(value),
        Validator::Ipv4 => network::ipv4(c),
        Validator::Ipv6 => network::ipv6(c),
        Validator::Mac => mac(value),
        Validator::Email => email(c),
        Validator::Phone => phone::phone(c),
        Validator::PhoneForeignNational => phone::foreign_national(c),
        Validator::NlPostcode => nl_postcode(c),
        Validator::NlLicencePlate => licence_plate(value),
        Validator::NlIdDocument => id_document(value),
        Validator::DateOfBirth => date_of_birth(c),
        Validator::GaClientId => ga_client_id(value),
        Validator::PersonName
        | Validator::PersonNameTitled
        | Validator::PersonNameFramed
        | Validator::PersonFirstName
        | Validator::PersonNameInverted
        | Validator::PersonKnownName
            if c.inside_word() || after_a_street_type(c) =>
        {
            Verdict::Fail("part of a longer word, or of a street's name (Rue Jean Jaurès)")
        }
        Validator::PersonName => match lex.judge_name(value) {
            Verdict::Pass { set: Some(_), .. } if surname_alone_after_a_noun(c) => Verdict::Pass {
                note: "a surname alone after a lower-case word names a place as often as a person",
                set: None,
                cap: None,
            },
            verdict => verdict,
        },
        Validator::PersonNameTitled => lex.judge_titled_name(value),
        Validator::PersonNameFramed => lex.judge_framed_name(value),
        Validator::PersonFirstName if glued_to_an_identifier(c) => {
            Verdict::Fail("part of an address or identifier")
        }
        Validator::PersonFirstName if more_name_follows(c) => {
            Verdict::Fail("a longer name follows: the full-name patterns take it")
        }
        Validator::PersonFirstName => {
            // Looked at only for a name that is also a word: the pair is its evidence.
            let paired = lex.is_word_like_name(value) && paired_with_a_first_name(c, lex);
            lex.judge_first_name(value, paired)
        }
        Validator::PersonNameInverted => lex.judge_inverted_name(value),
        Validator::PersonKnownName => lex.judge_known_name(value),
        Validator::StreetAddress => street_address(value, lex),
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
    sum.is_multiple_of(10)
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
    if iban::mod97_chars(s[..14].iter().copied()) == 1 {
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

/// Mail headers whose `<…@…>` values are message identifiers, not addresses (RFC 5322 §3.6.4,
/// RFC 2045 Content-ID), also on their folded continuation lines.
fn in_message_id_header(c: &Candidate<'_>) -> bool {
    const HEADERS: &[&[u8]] = &[
        b"message-id:",
        b"in-reply-to:",
        b"references:",
        b"content-id:",
        b"resent-message-id:",
        b"x-message-id:",
        b"original-message-id:",
        b"x-original-message-id:",
        b"supersedes:",
    ];
    // Headers are short; a References header folds over lines: look back at most 8 KiB.
    let floor = c.start.saturating_sub(8192);
    let line_of = |end: usize| match memchr::memrchr(b'\n', &c.hay[floor..end]) {
        Some(i) => Some(floor + i + 1),
        None if floor == 0 => Some(0),
        None => None,
    };
    let mut line_start = line_of(c.start);
    // Folded header lines start with white space: walk back to the header's first line.
    for _ in 0..100 {
        match line_start {
            Some(ls) if ls > floor && matches!(c.hay.get(ls), Some(b' ' | b'\t')) => {
                line_start = line_of(ls - 1);
            }
            _ => break,
        }
    }
    let head = &c.hay[line_start.unwrap_or(c.start)..c.start];
    let near = &c.hay[c.start.saturating_sub(48)..c.start];
    HEADERS
        .iter()
        .any(|h| head.len() >= h.len() && head[..h.len()].eq_ignore_ascii_case(h))
        || (c.before(1) == Some(b'<') && {
            // `Message-ID=<…>`, `msgid <…>` in a log line.
            let lower = near.to_ascii_lowercase();
            memchr::memmem::find(&lower, b"message-id").is_some()
                || memchr::memmem::find(&lower, b"msgid").is_some()
                || memchr::memmem::find(&lower, b"msg-id").is_some()
        })
}

fn email(c: &Candidate<'_>) -> Verdict {
    let value = c.value();
    if in_message_id_header(c) {
        return Verdict::Fail("a Message-ID (In-Reply-To, References), not an address");
    }
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
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

/// Seconds since the epoch when the run started: read from the clock once, not per candidate.
fn run_started() -> Option<u64> {
    static NOW: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();
    *NOW.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .map(|d| d.as_secs())
    })
}

/// The current year, from the system clock (read once per run).
fn current_year() -> u32 {
    let secs = run_started().unwrap_or(0);
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

/// Whether the value goes on as an address or identifier: `.`, `@`, `+`, `-` or `/` and then
/// a letter or digit (`Sophie.Dubois@…`, `Koen-2`).
fn glued_to_an_identifier(c: &Candidate<'_>) -> bool {
    matches!(
        (c.after(1), c.after(2)),
        (Some(b'.' | b'@' | b'+' | b'-' | b'/'), Some(n)) if n.is_ascii_alphanumeric() || n >= 0x80
    )
}

/// Whether the word right before the value is a French street type: "Rue Jean Jaurès",
/// "Avenue Émile Vandervelde", "Chaussée de Louvain" name streets after people. (Dutch street
/// names end in their street word, which the lexicon's street endings catch.)
fn after_a_street_type(c: &Candidate<'_>) -> bool {
    const STREET_TYPES: &[&str] = &[
        "rue",
        "avenue",
        "boulevard",
        "chaussée",
        "quai",
        "allée",
        "impasse",
        "square",
        "place",
        "drève",
        "chemin",
        "clos",
        "sentier",
    ];
    if c.before(1) != Some(b' ') {
        return false;
    }
    let head = &c.hay[..c.start - 1];
    let from = head
        .iter()
        .rposition(|b| b.is_ascii_whitespace() || matches!(b, b'(' | b',' | b'\x22'))
        .map_or(0, |i| i + 1);
    let word = String::from_utf8_lossy(&head[from..]).to_lowercase();
    STREET_TYPES.contains(&word.as_str())
}

/// Whether the value is a capitalised particle and one surname ("De Vries", "Van der Linden")
/// right after a lower-case word: "zaal De Vries", "wijk De Groot" name a room and a district.
fn surname_alone_after_a_noun(c: &Candidate<'_>) -> bool {
    use crate::ruleset::lexicon::is_particle_any_case;
    let value = c.value();
    let mut words = value.split(|&b| b == b' ');
    let starts_with_particle = value.first().is_some_and(u8::is_ascii_uppercase)
        && words.next().is_some_and(is_particle_any_case);
    // After a word of the sentence that names a person ("met De Vries", "belde De Jong") the
    // surname keeps its confidence; after a noun ("zaal De Vries") it does not.
    const PERSON_WORDS: &[&[u8]] = &[
        b"met", b"aan", b"door", b"voor", b"bij", b"naar", b"van", b"tegen", b"namens", b"en",
        b"of", b"dat", b"belde", b"mailde", b"zegt", b"zei", b"meldt", b"vraagt", b"heeft",
        b"with", b"to", b"by", b"from", b"and", b"avec", b"par", b"et", b"mit", b"und",
    ];
    let word_before = || {
        let head = &c.hay[..c.start.saturating_sub(1)];
        let from = head
            .iter()
            .rposition(|b| !b.is_ascii_lowercase())
            .map_or(0, |i| i + 1);
        &head[from..]
    };
    starts_with_particle
        && words.filter(|w| !is_particle_any_case(w)).count() == 1
        && c.before(1) == Some(b' ')
        && c.before(2).is_some_and(|b| b.is_ascii_lowercase())
        && !PERSON_WORDS.contains(&word_before())
}

/// Whether the value stands in a pair of names joined by a conjunction, the other one a known
/// first name that is no everyday word: "Laura en Mark", "Mark and Laura", "Grace or Hope".
/// The pair, not the word alone, says that Mark here is a person.
fn paired_with_a_first_name(c: &Candidate<'_>, lex: &Lexicons) -> bool {
    const JOINS: &[&[u8]] = &[
        b"en", b"and", b"or", b"of", b"et", b"ou", b"und", b"oder", b"&",
    ];
    // The other name is a capitalised word the lexicons know and no everyday word ("job" or
    // "rob" in lower case are words, not names).
    let is_name = |w: &[u8]| {
        w.first().is_some_and(u8::is_ascii_uppercase)
            && lex.is_first_name(w)
            && !lex.is_word_like_name(w)
            && !lex.is_common_word(w)
    };
    if c.before(1) == Some(b' ') {
        let mut before = c.hay[..c.start - 1].rsplit(|&b| b == b' ');
        if let (Some(join), Some(other)) = (before.next(), before.next()) {
            let other = other.strip_suffix(b",").unwrap_or(other);
            // The word only: not what a line break, a bracket or a quote leaves before it.
            let other = other
                .rsplit(|&b| !(b.is_ascii_alphabetic() || b >= 0x80 || b == b'-'))
                .next()
                .unwrap_or(other);
            if JOINS.contains(&join) && is_name(other) {
                return true;
            }
        }
    }
    let rest = &c.hay[c.end.min(c.hay.len())..];
    let Some(rest) = rest.strip_prefix(b" ") else {
        return false;
    };
    let mut after = rest.split(|&b| b == b' ');
    if let (Some(join), Some(other)) = (after.next(), after.next()) {
        let end = other
            .iter()
            .position(|&b| !(b.is_ascii_alphabetic() || b >= 0x80))
            .unwrap_or(other.len());
        return JOINS.contains(&join) && is_name(&other[..end]);
    }
    false
}

/// Whether a capitalised word, or a particle (`de`, `van 't`), follows the value after one
/// space: "met Koen de Vries" is a full name, which its own patterns find whole.
fn more_name_follows(c: &Candidate<'_>) -> bool {
    let rest = &c.hay[c.end.min(c.hay.len())..];
    let Some(rest) = rest.strip_prefix(b" ") else {
        return false;
    };
    let word_end = rest
        .iter()
        .position(|&b| !(b.is_ascii_alphabetic() || b == b'\'' || b >= 0x80))
        .unwrap_or(rest.len());
    let word = &rest[..word_end];
    // A capital letter, decoded: `à`, `één` or an emoji after the name are no name.
    let capital = |w: &[u8]| {
        (1..=w.len().min(4))
            .rev()
            .find_map(|k| std::str::from_utf8(&w[..k]).ok())
            .and_then(|s| s.chars().next())
            .is_some_and(char::is_uppercase)
    };
    if capital(word) {
        return true;
    }
    // A particle counts when a capitalised word follows it ("Koen de Vries"), not in
    // "Gerard van leverancier Heijmans" or "Marloes van HR".
    let mut words = rest.split(|&b| b == b' ');
    let mut next = words.next();
    while next.is_some_and(crate::ruleset::lexicon::is_particle) {
        next = words.next();
        if let Some(n) = next {
            if capital(n)
                && n.get(1)
                    .is_some_and(|b| b.is_ascii_lowercase() || *b >= 0x80)
            {
                return true;
            }
        }
    }
    false
}

/// A time right after the date (`2024-01-05T10:11`, `12-03-1985 10:11`): a time stamp.
fn followed_by_time(c: &Candidate<'_>) -> bool {
    let t = c
        .hay
        .get(c.end..(c.end + 6).min(c.hay.len()))
        .unwrap_or_default();
    let two_digits_colon =
        |s: &[u8]| s.len() >= 3 && s[0].is_ascii_digit() && s[1].is_ascii_digit() && s[2] == b':';
    matches!(t.first(), Some(b'T' | b' ')) && two_digits_colon(&t[1.min(t.len())..])
}

/// Another date earlier on the same line, close before this one (`geboren 12-03-1985, in
/// dienst 2015-04-01`): the birth word belongs to the first.
fn date_before(c: &Candidate<'_>) -> bool {
    let from = c.start.saturating_sub(40);
    let mut window = &c.hay[from..c.start];
    if let Some(nl) = memchr::memrchr(b'\n', window) {
        window = &window[nl + 1..];
    }
    window
        .split(|b| !(b.is_ascii_digit() || matches!(b, b'-' | b'/' | b'.')))
        .any(|tok| {
            let tok = tok.trim_ascii_end();
            let tok = tok.strip_suffix(b".").unwrap_or(tok);
            tok.len() >= 8 && parse_date(tok).is_some()
        })
}

fn date_of_birth(c: &Candidate<'_>) -> Verdict {
    let value = c.value();
    if followed_by_time(c) {
        return Verdict::Fail("a time stamp, not a birth date");
    }
    if date_before(c) {
        return Verdict::capped(
            "a second date after the one the birth word belongs to",
            Confidence::Low,
        );
    }
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
    let now = run_started().unwrap_or(u64::MAX);
    // Google Analytics started issuing _ga cookies in 2005 (Urchin-based GA).
    if t < 1_104_537_600 || t > now + 86_400 * 366 {
        return Verdict::Fail("first-visit time stamp out of range");
    }
    Verdict::pass("random number and first-visit time stamp")
}

fn street_address(value: &[u8], lex: &Lexicons) -> Verdict {
    if lex.is_public_address(value) {
        return Verdict::Fail("an organisation's address or a documentation example");
    }
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

    /// Passes, but capped at `low`: found with `--min-confidence low` only.
    fn low_only(validator: Validator, s: &str) -> bool {
        let lex = Lexicons::builtin();
        let c = Candidate {
            hay: s.as_bytes(),
            start: 0,
            end: s.len(),
        };
        matches!(
            validate(validator, &c, &lex),
            Verdict::Pass {
                cap: Some(Confidence::Low),
                ..
            }
        )
    }

    /// Judges `value` where it stands in `text`.
    fn v_in(validator: Validator, text: &str, value: &str) -> bool {
        let lex = Lexicons::builtin();
        let start = text.find(value).expect("value in text");
        let c = Candidate {
            hay: text.as_bytes(),
            start,
            end: start + value.len(),
        };
        matches!(validate(validator, &c, &lex), Verdict::Pass { .. })
    }

    // Look-alikes of real source trees: the digits of decimals, coordinates, ZIP+4 codes,
    // code points beyond U+FFFF, the FSF's address. Real numbers beside them stay.
    #[test]
    fn decimals_zip_codes_and_wide_code_points_are_no_numbers() {
        let tint = "tint=\"0.39997558519241921\"/>";
        assert!(!v_in(Validator::CreditCard, tint, "39997558519241921"));
        assert!(v(Validator::CreditCard, "4111 1111 1111 1111"));
        assert!(!v_in(
            Validator::PhoneForeignNational,
            "AK,,65.2419444,-165.2716667",
            "65.2419444"
        ));
        assert!(!v_in(
            Validator::Phone,
            "Boston, MA 02110-1301 USA",
            "02110-1301"
        ));
        assert!(v(Validator::Phone, "02 110 13 01"));
        let nfc = "11935 0334 11930;11935 0334 11930;11935 0334 11930; # SIGN AA";
        assert!(!v_in(Validator::Phone, nfc, "0334 11930"));
        assert!(!v_in(
            Validator::Phone,
            "1611E 0334 16129;1611E 0334 16129;1611E",
            "0334 16129"
        ));
        // Two numbers of four and six digits in a list are no code point run.
        assert!(v_in(
            Validator::Phone,
            "bel 0612 345678;0613 456789",
            "0612 345678"
        ));
        assert!(!v(Validator::StreetAddress, "51 Franklin Street"));
        assert!(v(Validator::StreetAddress, "27 Hartley Street"));
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
            low_only(Validator::Ipv4, "192.0.2.10"),
            "RFC 5737 documentation range: low only, never reported by default"
        );
        assert!(!v(Validator::Ipv4, "01.02.03.04"), "leading zeros");
        assert!(v(Validator::Ipv6, "2a02:a443:1c2d:0:1:2:3:4"));
        assert!(v(Validator::Ipv6, "2a02:a443::1"));
        assert!(
            low_only(Validator::Ipv6, "2001:db8::1"),
            "RFC 3849 documentation range: low only, never reported by default"
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
