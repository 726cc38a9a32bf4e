//! Payment card numbers: issuer identification ranges and the lengths each network issues
//! (ISO/IEC 7812-1; the networks' published ranges), then the Luhn check. Luhn alone passes
//! one random number in ten, so a number in a table of bare numbers (a constant table in code,
//! `{ 4532015112830366, 5425233430109903, … }`) stays at `low`.

use super::{all_same, luhn_valid, separators_consistent, Candidate, Digits, Verdict};
use crate::finding::Confidence;

/// How sure an issuer match makes the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Issuer {
    /// A network common in the Netherlands and Belgium, or worldwide.
    Common(&'static str),
    /// A network rarely seen here whose ranges overlap ordinary ids (UATP's 1, 8 and 9
    /// prefixes): reported at `low` unless a context word raises it.
    Rare(&'static str),
}

/// The issuer of a number with these digits, if its prefix and length are issued.
fn issuer(d: &Digits<19>) -> Option<Issuer> {
    let n = d.len;
    let p = |k: usize| d.number(0..k);
    let len = |r: std::ops::RangeInclusive<usize>| r.contains(&n);
    use Issuer::{Common, Rare};
    let found = match d.buf[0] {
        1 if n == 15 => Rare("UATP"),
        2 if (2221..=2720).contains(&p(4)) && n == 16 => Common("Mastercard"),
        2 if (2200..=2204).contains(&p(4)) && len(16..=19) => Rare("Mir"),
        3 if (p(2) == 34 || p(2) == 37) && n == 15 => Common("American Express"),
        3 if ((300..=305).contains(&p(3)) || p(4) == 3095 || matches!(p(2), 36 | 38 | 39))
            && len(14..=19) =>
        {
            Common("Diners Club")
        }
        3 if (3528..=3589).contains(&p(4)) && len(16..=19) => Common("JCB"),
        3 if p(2) == 31 && n == 19 => Rare("China T-Union"),
        4 if matches!(n, 13 | 16 | 19) => Common("Visa"),
        5 if (51..=55).contains(&p(2)) && n == 16 => Common("Mastercard"),
        5 if p(4) == 5019 && n == 16 => Common("Dankort"),
        5 if ((506_099..=506_198).contains(&p(6)) || (507_865..=507_964).contains(&p(6)))
            && matches!(n, 16 | 18 | 19) =>
        {
            Rare("Verve")
        }
        5 if (p(2) == 50 || (56..=58).contains(&p(2))) && len(12..=19) => Common("Maestro"),
        6 if (p(4) == 6011
            || (644..=649).contains(&p(3))
            || p(2) == 65
            || (622_126..=622_925).contains(&p(6)))
            && len(16..=19) =>
        {
            Common("Discover")
        }
        6 if p(2) == 62 && len(16..=19) => Common("UnionPay"),
        6 if p(3) == 636 && len(16..=19) => Rare("InterPayment"),
        6 if (637..=639).contains(&p(3)) && n == 16 => Rare("InstaPayment"),
        6 if len(12..=19) => Common("Maestro / Bancontact"),
        8 if (p(2) == 81 || p(2) == 82) && n == 16 => Rare("RuPay"),
        8 if p(4) == 8600 && n == 16 => Rare("UzCard"),
        9 if p(4) == 9860 && n == 16 => Rare("Humo"),
        9 if p(4) == 9792 && n == 16 => Rare("Troy"),
        _ => return None,
    };
    Some(found)
}

/// A number among bare numbers separated by commas (a constant table in code or data), at the
/// start, inside or at the end of the list.
fn in_number_list(c: &Candidate<'_>) -> bool {
    let hay = c.hay;
    let mut i = c.start;
    while i > 0 && matches!(hay[i - 1], b' ' | b'\t') {
        i -= 1;
    }
    let prev_on_line = i.checked_sub(1).map(|k| hay[k]);
    while i > 0 && matches!(hay[i - 1], b' ' | b'\t' | b'\n' | b'\r') {
        i -= 1;
    }
    let prev = i.checked_sub(1).map(|k| hay[k]);
    let mut k = i.saturating_sub(1);
    while k > 0 && matches!(hay[k - 1], b' ' | b'\t' | b'\n' | b'\r') {
        k -= 1;
    }
    let prev_number = prev == Some(b',') && k > 0 && hay[k - 1].is_ascii_digit();
    let prev_ok = prev_number
        || matches!(prev_on_line, None | Some(b'\n'))
        || matches!(prev, Some(b'{' | b'[' | b'('));
    let mut j = c.end;
    while matches!(hay.get(j), Some(b' ' | b'\t')) {
        j += 1;
    }
    let next = hay.get(j).copied();
    let mut m = j + 1;
    while matches!(hay.get(m), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        m += 1;
    }
    let next_number = next == Some(b',') && hay.get(m).is_some_and(u8::is_ascii_digit);
    let next_ok = next_number || matches!(next, None | Some(b'}' | b']' | b')' | b',' | b'\n'));
    prev_ok && next_ok && (prev_number || next_number)
}

/// Validates a payment card candidate.
pub(super) fn credit_card(c: &Candidate<'_>) -> Verdict {
    let value = c.value();
    if !separators_consistent(value) {
        return Verdict::Fail("mixed separators");
    }
    if c.in_decimal_number() {
        return Verdict::Fail("the digits of a decimal number");
    }
    let Some(d) = Digits::<19>::of(value) else {
        return Verdict::Fail("too many digits");
    };
    if !(12..=19).contains(&d.len) || all_same(d.as_slice()) {
        return Verdict::Fail("length");
    }
    let Some(who) = issuer(&d) else {
        return Verdict::Fail("no issuer with this prefix and length");
    };
    if !luhn_valid(d.as_slice()) {
        return Verdict::Fail("Luhn");
    }
    if super::phone::in_group_list(c, false) || super::phone::in_hex_dump_line(c) {
        return Verdict::Fail("groups of a hex dump");
    }
    if in_number_list(c) {
        return Verdict::capped(
            "Luhn passes, but the number stands in a table of numbers",
            Confidence::Low,
        );
    }
    match who {
        Issuer::Common(_) => Verdict::pass("Luhn and issuer prefix"),
        Issuer::Rare(_) => Verdict::capped(
            "Luhn and the prefix of a network rarely seen here",
            Confidence::Low,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, value: &str) -> Verdict {
        let start = text.find(value).unwrap();
        credit_card(&Candidate {
            hay: text.as_bytes(),
            start,
            end: start + value.len(),
        })
    }
    fn medium(text: &str, value: &str) -> bool {
        matches!(check(text, value), Verdict::Pass { cap: None, .. })
    }

    #[test]
    fn networks_and_lengths() {
        for n in [
            "4111111111111111",
            "5555555555554444",
            "2223003122003222",
            "378282246310005",
            "30569309025904",
            "3528000700000000",
            "6011000400000000",
            "6759649826438453",
            "5019717010103742",
            "6703444444444449",
        ] {
            assert!(medium(n, n), "{n}");
        }
        assert!(matches!(
            check("122000000000003", "122000000000003"),
            Verdict::Pass {
                cap: Some(Confidence::Low),
                ..
            }
        ));
        assert!(matches!(
            check("1748503543012", "1748503543012"),
            Verdict::Fail(_)
        ));
    }

    #[test]
    fn constant_tables_stay_low_and_sentences_do_not() {
        let table = "static const uint64_t T[] = { 4111111111111111, 5555555555554444,\n  4012888888881881 };";
        for n in ["4111111111111111", "5555555555554444", "4012888888881881"] {
            assert!(!medium(table, n), "{n}");
        }
        assert!(medium(
            "Betaald met 4111111111111111, dank u",
            "4111111111111111"
        ));
        assert!(medium(
            "pan=4111111111111111, exp=12/27",
            "4111111111111111"
        ));
    }
}
