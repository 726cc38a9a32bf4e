//! Phone numbers. Dutch and Belgian numbers by their numbering plans (service, company and
//! machine numbers refused); every other country by libphonenumber's metadata (the
//! `phonenumber` crate): valid for the country and of a type a person has (mobile, fixed
//! line, personal, VoIP, pager, voicemail). Dates, counting sequences, Unicode code point
//! lists and hex dumps that look like numbers are refused.

use super::{all_same, Candidate, Digits, Verdict};
use crate::finding::Confidence;
use phonenumber::{country, Type};

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

/// Validates a phone number candidate (international or Dutch/Belgian national format).
pub(super) fn phone(c: &Candidate<'_>) -> Verdict {
    if inside_longer_token(c) {
        return Verdict::Fail("part of a longer token");
    }
    if c.in_decimal_number() || is_zip_plus_four(c.value()) {
        return Verdict::Fail("a decimal number or a US ZIP+4 code");
    }
    if in_group_list(c, true) || in_hex_dump_line(c) {
        return Verdict::Fail("a list of four-digit groups (code points, a hex dump)");
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
        let (national, n) = strip(cc);
        return by_metadata(&rest[..cc], &national[..n]);
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

/// Judges an international number outside NL and BE by libphonenumber's metadata.
fn by_metadata(cc: &[u8], national: &[u8]) -> Verdict {
    let mut e164 = String::with_capacity(cc.len() + national.len() + 1);
    e164.push('+');
    e164.extend(cc.iter().chain(national).map(|&d| char::from(b'0' + d)));
    match phonenumber::parse(None, &e164) {
        Ok(number) if phonenumber::is_valid(&number) => person_type(&number),
        _ => Verdict::capped(
            "E.164 country code and length, not a valid number by libphonenumber",
            Confidence::Low,
        ),
    }
}

/// A valid number of a type a person has passes; service numbers are refused.
fn person_type(number: &phonenumber::PhoneNumber) -> Verdict {
    match number.number_type(&phonenumber::metadata::DATABASE) {
        Type::TollFree | Type::PremiumRate | Type::SharedCost | Type::Uan => {
            Verdict::Fail("free, premium, shared-cost or company number, not a person's")
        }
        Type::Emergency | Type::ShortCode | Type::Carrier | Type::StandardRate => {
            Verdict::Fail("a short or service code")
        }
        _ => Verdict::pass("valid for its country (libphonenumber metadata)"),
    }
}

/// Countries whose national formats are tried for a number written without a country code
/// that is neither Dutch nor Belgian: neighbours, the origins of the largest groups of
/// residents in NL and BE, and the large numbering plans seen in business mail.
const NATIONAL_REGIONS: &[country::Id] = &[
    country::Id::DE,
    country::Id::FR,
    country::Id::GB,
    country::Id::LU,
    country::Id::US,
    country::Id::TR,
    country::Id::MA,
    country::Id::PL,
    country::Id::SR,
    country::Id::ES,
    country::Id::IT,
    country::Id::IL,
    country::Id::IN,
    country::Id::JP,
    country::Id::CN,
    country::Id::BR,
];

/// A number in another country's national format (`(415) 555-0132`, `090-1234-5678`):
/// without a country code the country is a guess, so a valid number stays at `low` unless a
/// context word raises it.
pub(super) fn foreign_national(c: &Candidate<'_>) -> Verdict {
    if inside_longer_token(c) {
        return Verdict::Fail("part of a longer token");
    }
    if c.in_decimal_number() || is_zip_plus_four(c.value()) {
        return Verdict::Fail("a decimal number or a US ZIP+4 code");
    }
    let value = c.value();
    if looks_like_date(value) {
        return Verdict::Fail("a date, not a number");
    }
    let Some(d) = Digits::<20>::of(value) else {
        return Verdict::Fail("too many digits");
    };
    if all_same(d.as_slice()) || is_sequence(d.as_slice()) {
        return Verdict::Fail("a sequence");
    }
    // The tail of an international number already judged (`+44 800 123 4567`).
    let mut i = c.start;
    while i > 0
        && c.start - i < 8
        && matches!(c.hay[i - 1], b'0'..=b'9' | b' ' | b'-' | b'.' | b'(' | b')')
    {
        i -= 1;
    }
    if i < c.start && i > 0 && c.hay[i - 1] == b'+' {
        return Verdict::Fail("part of an international number");
    }
    // A Dutch or Belgian service, company or machine number is not another country's.
    let digits = d.as_slice();
    if digits[0] == 0 && digits.len() > 3 {
        let p3 = u32::from(digits[1]) * 100 + u32::from(digits[2]) * 10 + u32::from(digits[3]);
        let p2 = p3 / 10;
        if matches!(p3, 800 | 900 | 906 | 909)
            || matches!(p2, 70 | 77 | 78 | 84 | 85 | 87 | 88 | 90 | 91 | 97)
        {
            return Verdict::Fail("a Dutch or Belgian service number");
        }
    }
    let Ok(s) = std::str::from_utf8(value) else {
        return Verdict::Fail("not ASCII");
    };
    for &region in NATIONAL_REGIONS {
        if let Ok(number) = phonenumber::parse(Some(region), s) {
            if phonenumber::is_valid(&number) {
                if let Verdict::Pass { .. } = person_type(&number) {
                    return Verdict::capped(
                        "valid national number of another country (libphonenumber metadata)",
                        Confidence::Low,
                    );
                }
            }
        }
    }
    Verdict::Fail("valid in none of the national plans tried")
}

/// Five digits, a dash and four (`02110-1301`): a US ZIP+4 code. No Dutch number has nine
/// digits, and no Belgian area code five.
fn is_zip_plus_four(value: &[u8]) -> bool {
    value.len() == 10
        && value[5] == b'-'
        && value[..5].iter().chain(&value[6..]).all(u8::is_ascii_digit)
}

/// Groups of two or four hex digits separated by single spaces, running on past the value:
/// hex dumps (`06 12 34 56 78 9a`, `3031 3233 3435`) and Unicode code point lists
/// (`0061 0315 0300`). Three four-digit groups are enough on their own.
/// With `alone_ok`, three four-digit groups count without a neighbouring group.
/// Code points beyond U+FFFF have five or six digits (`11935 0334 11930;11935 …`, as the
/// Unicode data files write them): a run of at least five groups of four to six hex digits,
/// joined by single spaces or semicolons, is a code point list whatever its widths.
pub(super) fn in_group_list(c: &Candidate<'_>, alone_ok: bool) -> bool {
    let v = c.value();
    let mut width = None;
    let mut n = 0;
    let mut mixed = false;
    for g in v.split(|&b| b == b' ') {
        if !g.iter().all(u8::is_ascii_hexdigit) || !matches!(g.len(), 2 | 4..=6) {
            return false;
        }
        if *width.get_or_insert(g.len()) != g.len() {
            mixed = true;
        }
        n += 1;
    }
    let Some(w) = width else {
        return false;
    };
    if w == 2 && mixed {
        return false;
    }
    if mixed || w > 4 {
        return w != 2 && code_point_run(c, n) >= 5;
    }
    let group = |s: Option<&[u8]>| s.is_some_and(|s| s.iter().all(u8::is_ascii_hexdigit));
    // The neighbouring group belongs to the same run: white space or an offset's colon
    // around it, not a dash (`4012-8888-8888-1881 4012 8888 8888 1881` are two numbers).
    let bounded =
        |i: Option<&u8>| i.is_none_or(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b':'));
    let more_after = c.after(1) == Some(b' ')
        && group(c.hay.get(c.end + 1..c.end + 1 + w))
        && bounded(c.hay.get(c.end + 1 + w));
    let more_before = c.before(1) == Some(b' ')
        && c.start > w
        && group(c.hay.get(c.start - 1 - w..c.start - 1))
        && (c.start == w + 1 || bounded(c.hay.get(c.start - 2 - w)));
    (alone_ok && w == 4 && n >= 3) || (n >= 2 && (more_after || more_before))
}

/// The number of groups of four to six hex digits in the run around the value (`groups` of
/// its own plus the neighbours joined to it by single spaces or semicolons), counting no
/// further than eight groups each way.
fn code_point_run(c: &Candidate<'_>, groups: usize) -> usize {
    let is_group = |t: &[u8]| matches!(t.len(), 4..=6) && t.iter().all(u8::is_ascii_hexdigit);
    let joiner = |b: u8| matches!(b, b' ' | b';');
    let mut total = groups;
    // Forward from the value's end.
    let mut at = c.end;
    for _ in 0..8 {
        if !c.hay.get(at).is_some_and(|&b| joiner(b)) {
            break;
        }
        let from = at + 1;
        let len = c.hay[from..]
            .iter()
            .take(7)
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        if !is_group(&c.hay[from..from + len]) {
            break;
        }
        total += 1;
        at = from + len;
    }
    // Backward from the value's start.
    let mut at = c.start;
    for _ in 0..8 {
        if at == 0 || !joiner(c.hay[at - 1]) {
            break;
        }
        let to = at - 1;
        let len = c.hay[..to]
            .iter()
            .rev()
            .take(7)
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        if !is_group(&c.hay[to - len..to]) {
            break;
        }
        total += 1;
        at = to - len;
    }
    total
}

/// A line of a hex dump (`00000010: 3031 3233 …  0123…`, `0000020 30 31 32 …`): an offset of
/// six or more hex digits, then at least four groups of hex digits.
pub(super) fn in_hex_dump_line(c: &Candidate<'_>) -> bool {
    let floor = c.start.saturating_sub(200);
    let start = memchr::memrchr(b'\n', &c.hay[floor..c.start]).map_or(floor, |i| floor + i + 1);
    if start == floor && floor > 0 {
        return false;
    }
    let line = &c.hay[start..];
    let offset = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if offset < 6 {
        return false;
    }
    let mut rest = &line[offset..];
    rest = rest.strip_prefix(b":").unwrap_or(rest);
    let mut groups = 0;
    for tok in rest.split(|&b| b == b' ').take(6) {
        if tok.is_empty() {
            continue;
        }
        if matches!(tok.len(), 2 | 4 | 8) && tok.iter().all(u8::is_ascii_hexdigit) {
            groups += 1;
        } else {
            break;
        }
    }
    groups >= 4
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
