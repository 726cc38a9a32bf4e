//! The transforms: what happens to one value. Each says what it is in the sense of the GDPR
//! and the EDPB (see [`Protection`]): removing, masking, generalising and keyed
//! pseudonymisation all leave a dataset personal data unless a risk assessment of the whole
//! dataset says otherwise; piiscan never calls a single transform "anonymisation".

use super::cryptopan::CryptoPan;
use super::ip;
use chrono::{Datelike, NaiveDate};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// What a transform does to the data, in the GDPR's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Protection {
    /// The value is kept as it is.
    #[default]
    Kept,
    /// The column or value is removed (`drop`, `redact`).
    Removed,
    /// Part of the value stays visible (`mask`): still personal data.
    Masked,
    /// Detail is removed, the value stays true at a coarser level (`ip_truncate`,
    /// `generalise`): generalisation; the result may still single people out.
    Generalised,
    /// Replaced by a keyed, consistent substitute (`hmac`, `ip_prefix_preserving`,
    /// `date_shift`): pseudonymisation; whoever holds the key can link it back.
    Pseudonymised,
    /// The personal data found inside free text is replaced span by span (`spans`), each
    /// span as its `[[text]]` method says; the rest of the text stays, and with it whatever
    /// the scan engine does not recognise.
    Spans,
}

impl Protection {
    /// The label printed in reports and docs.
    pub fn label(self) -> &'static str {
        match self {
            Protection::Kept => "kept (personal data)",
            Protection::Removed => "removed",
            Protection::Masked => "masked (still personal data)",
            Protection::Generalised => "generalised (may still be personal data)",
            Protection::Pseudonymised => "pseudonymised (personal data for the key holder)",
            Protection::Spans => "found spans replaced (the rest of the text kept)",
        }
    }
}

/// How a value is normalised before it is hashed, so spellings of one value agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Normalise {
    /// E-mail-shaped values (`local@domain.tld`) as [`Normalise::Email`], others trimmed:
    /// the default for columns chosen by name, since it depends on the value only.
    Auto,
    /// As it is.
    None,
    /// Spaces around it removed.
    Trim,
    /// Trimmed and lower-cased.
    Lower,
    /// E-mail: trimmed and lower-cased (local part included: most providers ignore case).
    Email,
    /// Digits only (phone numbers, BSN, Belgian national numbers): `06-1234 5678` =
    /// `0612345678`.
    Digits,
    /// Letters and digits, upper-cased (IBAN, licence plates): `nl91 abna…` = `NL91ABNA…`.
    Alnum,
}

impl Normalise {
    /// Parses a policy value.
    pub fn parse(s: &str) -> Option<Normalise> {
        Some(match s {
            "auto" => Normalise::Auto,
            "none" => Normalise::None,
            "trim" => Normalise::Trim,
            "lower" => Normalise::Lower,
            "email" => Normalise::Email,
            "digits" => Normalise::Digits,
            "alnum" => Normalise::Alnum,
            _ => return None,
        })
    }

    /// The normalisation that suits a rule's values (`auto` when none is known).
    pub fn for_rule(rule: &str) -> Normalise {
        match rule {
            "email" => Normalise::Email,
            "phone" | "nl.bsn" | "be.national_number" | "credit_card" => Normalise::Digits,
            "iban" | "nl.licence_plate" | "nl.postcode" | "nl.vat" | "be.vat" => Normalise::Alnum,
            _ => Normalise::Auto,
        }
    }

    /// Applies it.
    pub fn apply<'v>(self, v: &'v str) -> std::borrow::Cow<'v, str> {
        use std::borrow::Cow;
        match self {
            Normalise::Auto => {
                let t = v.trim();
                let email_shaped = t.split_once('@').is_some_and(|(local, domain)| {
                    !local.is_empty() && domain.contains('.') && !domain.contains('@')
                });
                if email_shaped {
                    Normalise::Email.apply(t)
                } else {
                    Cow::Borrowed(t)
                }
            }
            Normalise::None => Cow::Borrowed(v),
            Normalise::Trim => Cow::Borrowed(v.trim()),
            Normalise::Lower | Normalise::Email => {
                let t = v.trim();
                if t.bytes().any(|b| b.is_ascii_uppercase()) || !t.is_ascii() {
                    Cow::Owned(t.to_lowercase())
                } else {
                    Cow::Borrowed(t)
                }
            }
            Normalise::Digits => Cow::Owned(v.chars().filter(char::is_ascii_digit).collect()),
            Normalise::Alnum => Cow::Owned(
                v.chars()
                    .filter(char::is_ascii_alphanumeric)
                    .map(|c| c.to_ascii_uppercase())
                    .collect(),
            ),
        }
    }
}

/// How a pseudonym is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenFormat {
    /// Lower-case hex of the HMAC, cut to `length` characters (64 in full).
    Hex,
    /// RFC 4648 base32, lower-case, no padding, cut to `length` characters.
    Base32,
}

/// Generalisation targets.
#[derive(Debug, Clone, PartialEq)]
pub enum Generalise {
    /// A date to its year.
    Year,
    /// A date to year and month.
    Month,
    /// A date of birth to an age band (`30-39`) at a reference date.
    AgeBand {
        /// Width of a band in years.
        band: u32,
        /// The date ages are counted at.
        reference: NaiveDate,
    },
    /// A Dutch postcode to its four digits (`1234 AB` → `1234`).
    Postcode4,
    /// A number to its bucket (`size` 10: `27` → `20-29`).
    Bucket {
        /// Bucket width.
        size: f64,
    },
}

/// One configured transform.
#[derive(Clone)]
pub enum Op {
    /// Keep the value.
    Keep,
    /// Remove the column (tables) or the value (text).
    Drop,
    /// A constant, or NULL (`None`).
    Redact(Option<String>),
    /// Keep the first and last characters, mask the rest; for e-mail optionally the domain.
    Mask {
        /// Characters kept at the start.
        keep_first: usize,
        /// Characters kept at the end.
        keep_last: usize,
        /// Keep an e-mail address's domain.
        keep_domain: bool,
        /// The mask character.
        with: char,
    },
    /// HMAC-SHA256 under a secret key.
    Hmac {
        /// The keyed state.
        mac: Hmac<Sha256>,
        /// Output form.
        format: TokenFormat,
        /// Characters kept.
        length: usize,
        /// Put before the token (`cust_`).
        prefix: String,
        /// Normalisation before hashing.
        normalise: Normalise,
    },
    /// Keep the first bits of an IP address.
    IpTruncate {
        /// IPv4 prefix length.
        v4: u8,
        /// IPv6 prefix length.
        v6: u8,
    },
    /// Crypto-PAn.
    IpPrefixPreserving(Box<CryptoPan>),
    /// Coarser values.
    Generalise(Generalise),
    /// Dates moved by a keyed number of days, the same for every row of one entity.
    DateShift {
        /// The keyed state.
        mac: Hmac<Sha256>,
        /// Shifts lie in `-max_days..=max_days`, never 0.
        max_days: u32,
    },
    /// Free text: only the spans the scan engine finds inside are replaced, each by its
    /// rule's `[[text]]` method (see [`super::spans`]).
    Spans(super::spans::SpanSlot),
    /// A keyed, deterministic, format-valid substitute (see [`super::fake`]).
    Fake {
        /// The keyed state.
        mac: Hmac<Sha256>,
        /// What it writes.
        kind: super::fake::FakeKind,
        /// Normalisation before keying, so spellings of one value get one fake.
        normalise: Normalise,
    },
}

impl std::fmt::Debug for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A value the transform could not read (an IP method on `unknown`, a date method on text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub &'static str);

const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

#[cfg(test)]
fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    base32_into(bytes, &mut out);
    out
}

fn base32_into(bytes: &[u8], out: &mut String) {
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((acc >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((acc << (5 - bits)) & 31) as usize]));
    }
}

fn hex_into(bytes: &[u8], out: &mut String) {
    const D: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(char::from(D[usize::from(b >> 4)]));
        out.push(char::from(D[usize::from(b & 15)]));
    }
}

/// A date found in a value, with the text around it, so it can be written back in place.
struct DateIn<'v> {
    date: NaiveDate,
    before: &'v str,
    after: &'v str,
    /// `true` for `DD-MM-YYYY` (Dutch order), with its separator.
    day_first: Option<char>,
    sep: char,
}

fn find_date(v: &str) -> Option<DateIn<'_>> {
    let t = v.trim_start();
    let lead = v.len() - t.len();
    let b = t.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r.clone())
            .filter(|s| s.iter().all(u8::is_ascii_digit))
            .and_then(|s| std::str::from_utf8(s).ok()?.parse::<u32>().ok())
    };
    // YYYY-MM-DD or YYYY/MM/DD
    if let (Some(y), Some(&s1), Some(m), Some(&s2), Some(d)) = (
        digits(0..4),
        b.get(4),
        digits(5..7),
        b.get(7),
        digits(8..10),
    ) {
        if (s1 == b'-' || s1 == b'/') && s1 == s2 {
            let date = NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)?;
            return Some(DateIn {
                date,
                before: &v[..lead],
                after: &t[10..],
                day_first: None,
                sep: char::from(s1),
            });
        }
    }
    // DD-MM-YYYY or DD/MM/YYYY
    if let (Some(d), Some(&s1), Some(m), Some(&s2), Some(y)) = (
        digits(0..2),
        b.get(2),
        digits(3..5),
        b.get(5),
        digits(6..10),
    ) {
        if (s1 == b'-' || s1 == b'/' || s1 == b'.') && s1 == s2 {
            let date = NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)?;
            return Some(DateIn {
                date,
                before: &v[..lead],
                after: &t[10..],
                day_first: Some(char::from(s1)),
                sep: char::from(s1),
            });
        }
    }
    None
}

impl DateIn<'_> {
    fn render(&self, date: NaiveDate) -> String {
        let body = match self.day_first {
            Some(s) => format!(
                "{:02}{s}{:02}{s}{:04}",
                date.day(),
                date.month(),
                date.year()
            ),
            None => format!(
                "{:04}{}{:02}{}{:02}",
                date.year(),
                self.sep,
                date.month(),
                self.sep,
                date.day()
            ),
        };
        format!("{}{body}{}", self.before, self.after)
    }
}

fn mask(v: &str, keep_first: usize, keep_last: usize, keep_domain: bool, with: char) -> String {
    let (local, domain) = match v.rfind('@') {
        Some(at) if keep_domain => (&v[..at], &v[at..]),
        _ => (v, ""),
    };
    let n = local.chars().count();
    let mut out = String::with_capacity(v.len());
    for (i, c) in local.chars().enumerate() {
        if i < keep_first || i + keep_last >= n {
            out.push(c);
        } else {
            out.push(with);
        }
    }
    out.push_str(domain);
    out
}

/// What of a value's category a method keeps by design, so that the re-scan finding it
/// again is information and not a leak.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum KeptForm {
    /// Nothing: any category found again is a leak.
    #[default]
    Nothing,
    /// This category (an IP address stays an IP address after truncation).
    Category(&'static str),
    /// The category of the value itself (masking and keeping): the column's own category.
    Own,
    /// Whatever the `[[text]]` entries of the spans keep (see
    /// [`super::spans::keeps_category`]).
    Spans,
}

impl KeptForm {
    /// Is `category` found again in a column whose own categories are `own` expected?
    pub fn expects(self, category: &str, own: &[String]) -> bool {
        match self {
            KeptForm::Nothing => false,
            KeptForm::Category(c) => c == category,
            KeptForm::Own => own.iter().any(|o| o == category),
            // Decided per category by the caller, which knows the [[text]] entries.
            KeptForm::Spans => false,
        }
    }
}

impl Op {
    /// The method name of the policy.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Keep => "keep",
            Op::Drop => "drop",
            Op::Redact(_) => "redact",
            Op::Mask { .. } => "mask",
            Op::Hmac { .. } => "hmac",
            Op::IpTruncate { .. } => "ip_truncate",
            Op::IpPrefixPreserving(_) => "ip_prefix_preserving",
            Op::Generalise(_) => "generalise",
            Op::DateShift { .. } => "date_shift",
            Op::Spans(_) => "spans",
            Op::Fake { .. } => "fake",
        }
    }

    /// The form of the value this method keeps by design.
    pub fn kept_form(&self) -> KeptForm {
        const IP: &str = "user.device.ip_address";
        const DATE: &str = "user.demographic.date_of_birth";
        const POSTCODE: &str = "user.contact.address.postal_code";
        match self {
            // A fake is of the value's own kind by design (a valid IBAN, a name).
            Op::Keep | Op::Mask { .. } | Op::Fake { .. } => KeptForm::Own,
            Op::Drop | Op::Redact(_) | Op::Hmac { .. } => KeptForm::Nothing,
            Op::IpTruncate { .. } | Op::IpPrefixPreserving(_) => KeptForm::Category(IP),
            Op::DateShift { .. } => KeptForm::Category(DATE),
            Op::Generalise(Generalise::Year | Generalise::Month) => KeptForm::Category(DATE),
            Op::Generalise(Generalise::Postcode4) => KeptForm::Category(POSTCODE),
            Op::Generalise(Generalise::AgeBand { .. } | Generalise::Bucket { .. }) => {
                KeptForm::Nothing
            }
            Op::Spans(_) => KeptForm::Spans,
        }
    }

    /// Does the method promise that every value it reads comes out different (masking,
    /// keyed substitutes, date shifts, coarser dates and numbers)? Then a value that came
    /// out as it went in is the input's own value, never the method's kept form.
    /// `ip_truncate` and `postcode4` do not: an address with no host bits, or a postcode of
    /// four digits, is already what they keep.
    pub fn promises_change(&self) -> bool {
        match self {
            Op::Mask { .. }
            | Op::Hmac { .. }
            | Op::Fake { .. }
            | Op::IpPrefixPreserving(_)
            | Op::DateShift { .. } => true,
            Op::Generalise(g) => !matches!(g, Generalise::Postcode4),
            Op::Keep | Op::Drop | Op::Redact(_) | Op::IpTruncate { .. } | Op::Spans(_) => false,
        }
    }

    /// The mask character of `mask` (what a masked part of a value is written with).
    pub fn mask_char(&self) -> Option<char> {
        match self {
            Op::Mask { with, .. } => Some(*with),
            _ => None,
        }
    }

    /// What it does to the data.
    pub fn protection(&self) -> Protection {
        match self {
            Op::Keep => Protection::Kept,
            Op::Drop | Op::Redact(_) => Protection::Removed,
            Op::Mask { .. } => Protection::Masked,
            Op::IpTruncate { .. } | Op::Generalise(_) => Protection::Generalised,
            Op::Hmac { .. }
            | Op::Fake { .. }
            | Op::IpPrefixPreserving(_)
            | Op::DateShift { .. } => Protection::Pseudonymised,
            Op::Spans(_) => Protection::Spans,
        }
    }

    /// Transforms one value; `Ok(None)` is NULL (empty in CSV). `entity` is the row's value
    /// of the entity column, for `date_shift`.
    ///
    /// # Errors
    /// The value cannot be read by this method (not an IP address, not a date, not a number).
    pub fn apply(&self, v: &str, entity: Option<&str>) -> Result<Option<String>, Invalid> {
        Ok(Some(match self {
            Op::Keep => v.to_string(),
            Op::Drop | Op::Redact(None) => return Ok(None),
            Op::Redact(Some(c)) => c.clone(),
            Op::Mask {
                keep_first,
                keep_last,
                keep_domain,
                with,
            } => mask(v, *keep_first, *keep_last, *keep_domain, *with),
            Op::Hmac {
                mac,
                format,
                length,
                prefix,
                normalise,
            } => {
                let mut m = mac.clone();
                m.update(normalise.apply(v).as_bytes());
                let digest = m.finalize().into_bytes();
                let mut token = String::with_capacity(prefix.len() + length);
                token.push_str(prefix);
                // Encode only the bytes the token shows.
                match format {
                    TokenFormat::Hex => {
                        hex_into(&digest[..length.div_ceil(2).min(digest.len())], &mut token)
                    }
                    TokenFormat::Base32 => base32_into(
                        &digest[..(length * 5).div_ceil(8).min(digest.len())],
                        &mut token,
                    ),
                }
                token.truncate(prefix.len() + length);
                token
            }
            Op::IpTruncate { v4, v6 } => {
                let (addr, before, after) =
                    ip::parse_loose(v).ok_or(Invalid("not an IP address"))?;
                ip::render(before, ip::truncate(addr, *v4, *v6), after)
            }
            Op::IpPrefixPreserving(cp) => {
                let (addr, before, after) =
                    ip::parse_loose(v).ok_or(Invalid("not an IP address"))?;
                ip::render(before, cp.ip(addr), after)
            }
            Op::Generalise(g) => generalise(g, v)?,
            Op::Fake {
                mac,
                kind,
                normalise,
            } => super::fake::fake(*kind, mac, &normalise.apply(v), v),
            Op::Spans(slot) => slot
                .0
                .as_ref()
                .ok_or(Invalid("the spans method was not given a rule set"))?
                .rewrite(v)?,
            Op::DateShift { mac, max_days } => {
                let found = find_date(v).ok_or(Invalid("not a date"))?;
                let mut m = mac.clone();
                // The shift depends on the entity (or, without one, on the value itself).
                m.update(entity.unwrap_or(v).trim().as_bytes());
                let d = m.finalize().into_bytes();
                let r = u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]);
                let span = 2 * u64::from((*max_days).max(1));
                // 1..=max_days or -max_days..=-1: never 0, so every date moves.
                let k = (r % span) as i64;
                let max = i64::from((*max_days).max(1));
                let days = if k < max { k + 1 } else { max - 1 - k };
                let shifted = found
                    .date
                    .checked_add_signed(chrono::TimeDelta::days(days))
                    .ok_or(Invalid("date out of range"))?;
                found.render(shifted)
            }
        }))
    }
}

/// One value generalised as `g` says; `Invalid` when it is not of the kind `g` reads.
pub(crate) fn generalise(g: &Generalise, v: &str) -> Result<String, Invalid> {
    Ok(match g {
        Generalise::Year => {
            let d = find_date(v).ok_or(Invalid("not a date"))?;
            format!("{:04}", d.date.year())
        }
        Generalise::Month => {
            let d = find_date(v).ok_or(Invalid("not a date"))?;
            format!("{:04}-{:02}", d.date.year(), d.date.month())
        }
        Generalise::AgeBand { band, reference } => {
            let d = find_date(v).ok_or(Invalid("not a date"))?;
            let born = d.date;
            let mut age = reference.year() - born.year();
            if (reference.month(), reference.day()) < (born.month(), born.day()) {
                age -= 1;
            }
            let age = u32::try_from(age).map_err(|_| Invalid("born after the reference date"))?;
            let band = (*band).max(1);
            let low = age / band * band;
            format!("{low}-{}", low + band - 1)
        }
        Generalise::Postcode4 => {
            let digits: String = v.trim().chars().take(4).collect();
            if digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()) {
                digits
            } else {
                return Err(Invalid("not a Dutch postcode"));
            }
        }
        Generalise::Bucket { size } => {
            let x: f64 = v
                .trim()
                .replace(',', ".")
                .parse()
                .map_err(|_| Invalid("not a number"))?;
            let low = (x / size).floor() * size;
            let high = low + size;
            if size.fract() == 0.0 && low.fract() == 0.0 {
                format!("{}-{}", low as i64, high as i64 - 1)
            } else {
                format!("{low}-{high}")
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hmac_op(key: &[u8], format: TokenFormat, length: usize, normalise: Normalise) -> Op {
        Op::Hmac {
            mac: <Hmac<Sha256> as Mac>::new_from_slice(key).expect("key"),
            format,
            length,
            prefix: String::new(),
            normalise,
        }
    }

    #[test]
    fn hmac_reproduces_rfc_4231() {
        let path = format!(
            "{}/fixtures/vectors/hmac-sha256-rfc4231.tsv",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).expect("vectors");
        for l in text.lines().skip(1) {
            let f: Vec<&str> = l.split('\t').collect();
            let key: Vec<u8> = (0..f[0].len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&f[0][i..i + 2], 16).expect("hex"))
                .collect();
            let op = hmac_op(&key, TokenFormat::Hex, 64, Normalise::None);
            assert_eq!(op.apply(f[1], None), Ok(Some(f[2].to_string())), "{}", f[1]);
        }
    }

    #[test]
    fn normalisation_makes_spellings_agree() {
        let op = hmac_op(b"k", TokenFormat::Base32, 16, Normalise::Email);
        let a = op.apply(" Jan.Jansen@Voorbeeld.NL", None);
        assert_eq!(a, op.apply("jan.jansen@voorbeeld.nl", None));
        assert_eq!(
            a.as_ref().map(|t| t.as_ref().map(String::len)),
            Ok(Some(16))
        );
        let auto = hmac_op(b"k", TokenFormat::Hex, 64, Normalise::Auto);
        assert_eq!(auto.apply("A@B.nl ", None), auto.apply("a@b.nl", None));
        assert_ne!(auto.apply("ABC", None), auto.apply("abc", None));
        let op = hmac_op(b"k", TokenFormat::Hex, 64, Normalise::Digits);
        assert_eq!(op.apply("06-1234 5678", None), op.apply("0612345678", None));
        assert_eq!(op.apply("111.222.333", None), op.apply("111222333", None));
        let op = hmac_op(b"k", TokenFormat::Hex, 64, Normalise::Alnum);
        assert_eq!(
            op.apply("nl91 abna 0417 1643 00", None),
            op.apply("NL91ABNA0417164300", None)
        );
        assert_eq!(base32(b"foobar"), "mzxw6ytboi");
    }

    #[test]
    fn masks_generalisations_and_date_shifts() {
        let m = Op::Mask {
            keep_first: 1,
            keep_last: 0,
            keep_domain: true,
            with: '*',
        };
        assert_eq!(
            m.apply("jan@voorbeeld.nl", None),
            Ok(Some("j**@voorbeeld.nl".into()))
        );
        let g = |g: Generalise, v: &str| Op::Generalise(g).apply(v, None);
        assert_eq!(g(Generalise::Year, "1985-04-12"), Ok(Some("1985".into())));
        assert_eq!(
            g(Generalise::Month, "12-04-1985"),
            Ok(Some("1985-04".into()))
        );
        let reference = NaiveDate::from_ymd_opt(2026, 4, 11).expect("date");
        let band = Generalise::AgeBand {
            band: 10,
            reference,
        };
        assert_eq!(g(band.clone(), "1985-04-12"), Ok(Some("40-49".into())));
        assert_eq!(g(band, "1985-04-11"), Ok(Some("40-49".into())));
        assert_eq!(g(Generalise::Postcode4, "3511 AB"), Ok(Some("3511".into())));
        assert_eq!(
            g(Generalise::Bucket { size: 10.0 }, "27"),
            Ok(Some("20-29".into()))
        );
        assert_eq!(g(Generalise::Year, "morgen"), Err(Invalid("not a date")));
        let shift = Op::DateShift {
            mac: <Hmac<Sha256> as Mac>::new_from_slice(b"k").expect("key"),
            max_days: 30,
        };
        let a = shift.apply("2024-03-01", Some("klant-1")).expect("date");
        let b = shift
            .apply("2024-03-11T10:00:00", Some("klant-1"))
            .expect("date");
        let (a, b) = (a.expect("value"), b.expect("value"));
        let da = NaiveDate::parse_from_str(&a, "%Y-%m-%d").expect("a");
        let db = NaiveDate::parse_from_str(&b[..10], "%Y-%m-%d").expect("b");
        assert_eq!(
            (db - da).num_days(),
            10,
            "intervals survive within an entity"
        );
        assert!(b.ends_with("T10:00:00"));
        assert_ne!(a, "2024-03-01");
        let moved = (da - NaiveDate::from_ymd_opt(2024, 3, 1).expect("d")).num_days();
        assert!(moved != 0 && moved.abs() <= 30);
    }
}
