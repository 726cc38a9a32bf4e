//! Personal data in names: a file called `111222333.pdf` or `jan.jansen@example.nl.csv` (whose
//! table is then called `jan.jansen@example.nl`) holds personal data in its name. The scan
//! reports it as a finding located on the path ([`crate::finding::Location::Path`]), and
//! human-facing outputs (the terminal table, the data map, register exports) print such names
//! with the matched part masked unless values are asked for. Machine formats that tools use to
//! find the file (SARIF, GitHub annotations, JUnit, JSON and NDJSON `path` fields) keep the
//! true path.
//!
//! What counts: a hit at medium confidence or above, or a checksum-validated identifier (BSN,
//! IBAN, payment card, Belgian national number, VAT numbers) at any confidence, since a file
//! name gives no context words and a bare BSN is still a BSN.

use crate::detect::engine::{Engine, Scratch};
use crate::finding::Confidence;
use crate::ruleset::RuleSet;
use std::borrow::Cow;

/// A piece of personal data found in a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameHit {
    /// Index of the rule in the rule set.
    pub rule: usize,
    /// Byte range in the name.
    pub start: usize,
    /// End of the range.
    pub end: usize,
    /// Confidence: checksum-validated identifiers count as at least `medium` (a checksum
    /// passed, as [`Confidence::Medium`] means).
    pub confidence: Confidence,
}

/// Finds personal data in `name` (a path, a file, a table, a sheet, a column or a key name), in
/// order, without overlaps. Names join words with `_` (`klant_111222333`, `export_jan@x.nl`),
/// which patterns read as part of a word: the name is read as written and again with each `_`
/// as a space (same length, so the offsets hold), and the longer match wins where they overlap.
pub fn find(rules: &RuleSet, scratch: &mut Scratch, name: &str) -> Vec<NameHit> {
    let engine = Engine::new(rules, Confidence::Low, false);
    let mut hits: Vec<NameHit> = Vec::new();
    let spaced = name.contains('_').then(|| name.replace('_', " "));
    for text in std::iter::once(name).chain(spaced.as_deref()) {
        let bytes = text.as_bytes();
        engine.scan(scratch, bytes, 0, bytes.len(), |h| {
            let checksum = rules
                .rules
                .get(h.rule)
                .and_then(|r| r.validator)
                .is_some_and(crate::ruleset::validate::Validator::is_checksum);
            let confidence = if checksum {
                h.confidence.max(Confidence::Medium)
            } else {
                h.confidence
            };
            if confidence >= Confidence::Medium {
                hits.push(NameHit {
                    rule: h.rule,
                    start: h.start,
                    end: h.end,
                    confidence,
                });
            }
        });
    }
    hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
    let mut out: Vec<NameHit> = Vec::with_capacity(hits.len());
    for h in hits {
        if out.last().is_none_or(|l| h.start >= l.end)
            && name.is_char_boundary(h.start)
            && name.is_char_boundary(h.end)
        {
            out.push(h);
        }
    }
    out
}

/// A file name without its last extension (`jan@example.nl.csv` → `jan@example.nl`), so that
/// the extension is not read as part of a value (`.csv` as a top-level domain).
pub fn without_extension(name: &str) -> &str {
    match name.rfind('.') {
        Some(i)
            if i > 0
                && (2..=6).contains(&(name.len() - i))
                && name[i + 1..].bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            &name[..i]
        }
        _ => name,
    }
}

/// Finds personal data in a file or table name: without its extension first, and when that
/// finds nothing, the whole name (a table `jan@example.nl` has no extension to strip).
pub fn find_in_name(rules: &RuleSet, scratch: &mut Scratch, name: &str) -> Vec<NameHit> {
    let bare = without_extension(name);
    let hits = find(rules, scratch, bare);
    if hits.is_empty() && bare.len() < name.len() {
        find(rules, scratch, name)
    } else {
        hits
    }
}

/// The built-in rules, compiled once, for masking names in human-facing outputs.
fn builtin() -> Option<&'static RuleSet> {
    RuleSet::shared_builtin()
}

/// `name` with the pieces `hits` (from [`find`] over `rules`) masked
/// (see [`crate::finding::mask`]).
pub fn masked_by(rules: &RuleSet, name: &str, hits: &[NameHit]) -> String {
    let mut out = String::with_capacity(name.len());
    let mut at = 0;
    for h in hits {
        if h.start < at {
            continue;
        }
        out.push_str(&name[at..h.start]);
        let id = &rules.rules[h.rule].id;
        out.push_str(&crate::finding::mask::mask(id, &name[h.start..h.end]));
        at = h.end;
    }
    out.push_str(&name[at..]);
    out
}

/// The pieces of personal data in a name that may be a path: each part (between `/`, `!`,
/// `\`, `#`) on its own, without a file's extension, with offsets into the whole name.
fn find_in_path(rules: &RuleSet, scratch: &mut Scratch, name: &str) -> Vec<NameHit> {
    let mut hits = Vec::new();
    let mut at = 0;
    for part in name.split_inclusive(['/', '!', '\\', '#']) {
        let bare = part.trim_end_matches(['/', '!', '\\', '#']);
        hits.extend(find_in_name(rules, scratch, bare).into_iter().map(|mut h| {
            h.start += at;
            h.end += at;
            h
        }));
        at += part.len();
    }
    hits
}

/// Names masked so far in this thread (outputs show the same few names again and again).
const MEMO_CAP: usize = 4096;

thread_local! {
    static MEMO: std::cell::RefCell<std::collections::HashMap<String, Option<String>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// `name` (a path, a file, table, sheet, column or key name) with every piece of personal data
/// in it masked, for outputs; `name` itself when it holds none. Reads with the built-in rules.
pub fn mask(name: &str) -> Cow<'_, str> {
    let Some(rules) = builtin() else {
        return Cow::Borrowed(name);
    };
    if let Some(memo) = MEMO.with(|m| m.borrow().get(name).cloned()) {
        return memo.map_or(Cow::Borrowed(name), Cow::Owned);
    }
    let mut scratch = Engine::new(rules, Confidence::Low, false).scratch();
    let hits = find_in_path(rules, &mut scratch, name);
    let masked = (!hits.is_empty()).then(|| masked_by(rules, name, &hits));
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= MEMO_CAP {
            m.clear();
        }
        m.insert(name.to_string(), masked.clone());
    });
    masked.map_or(Cow::Borrowed(name), Cow::Owned)
}

/// How every output shows a name (a path, a file, a table, a sheet, a column or a key): with the
/// personal data in it masked ([`mask`]), or in full when values are shown (`--show-values`).
/// The one place that decides; reporters, the inventory, the data map, the register and the
/// anonymiser's report all call it.
pub fn shown(name: &str, show_values: bool) -> Cow<'_, str> {
    if show_values {
        Cow::Borrowed(name)
    } else {
        mask(name)
    }
}

/// `name` with each piece of personal data in it (as [`mask`] finds them) replaced by
/// `replace(rule_id, value)`; `name` itself when it holds none. For names that cannot carry a
/// mask's `*` (the anonymiser's output file names).
pub fn replaced<'n>(name: &'n str, replace: &dyn Fn(&str, &str) -> String) -> Cow<'n, str> {
    let Some(rules) = builtin() else {
        return Cow::Borrowed(name);
    };
    let mut scratch = Engine::new(rules, Confidence::Low, false).scratch();
    let hits = find_in_path(rules, &mut scratch, name);
    if hits.is_empty() {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len());
    let mut at = 0;
    for h in hits {
        out.push_str(&name[at..h.start]);
        out.push_str(&replace(&rules.rules[h.rule].id, &name[h.start..h.end]));
        at = h.end;
    }
    out.push_str(&name[at..]);
    Cow::Owned(out)
}

/// Does `name` hold personal data (as [`mask`] reads it)?
pub fn holds_personal_data(name: &str) -> bool {
    matches!(mask(name), Cow::Owned(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_personal_data_are_masked_and_others_left_alone() {
        let m = mask("scans/111222333.pdf");
        assert!(!m.contains("111222333"), "{m}");
        assert!(m.starts_with("scans/") && m.ends_with(".pdf"), "{m}");
        let m = mask("export/jan.jansen@example.nl.csv");
        assert!(!m.contains("jan.jansen@example.nl"), "{m}");
        let m = mask("NL91ABNA0417164300-afschrift.txt");
        assert!(!m.contains("NL91ABNA0417164300"), "{m}");
        let m = mask("jan.jansen@example.nl");
        assert!(!m.contains("jansen@example"), "{m}");
        for plain in [
            "data/customers.csv",
            "logs/2024-01-02.log",
            "src/main.rs",
            "a-123.txt",
        ] {
            assert_eq!(mask(plain), plain);
        }
        assert_eq!(shown("111222333.pdf", true), "111222333.pdf");
    }

    #[test]
    fn table_sheet_column_and_key_names_are_read_with_underscores_as_separators() {
        // `_` is a word character for the patterns: `klant_240183009` hides the BSN from a
        // plain read.
        for (name, value) in [
            ("klant_240183009", "240183009"),
            ("dossier_240183009_archief", "240183009"),
            (
                "klant_klaas.vaak@voorbeeld-mail.nl",
                "klaas.vaak@voorbeeld-mail.nl",
            ),
            ("Marloes Verbeek", "Marloes Verbeek"),
            ("NL02ABNA0123456789", "NL02ABNA0123456789"),
            ("0641234567", "0641234567"),
            ("db.sqlite#klant_240183009", "240183009"),
        ] {
            let m = mask(name);
            assert!(!m.contains(value), "{name} → {m}");
            assert!(holds_personal_data(name), "{name}");
            // Masking is stable (outputs and register references agree) and idempotent.
            assert_eq!(mask(name), m);
            assert_eq!(mask(&m), m, "{name}");
        }
        // The rest of a name stays readable.
        assert!(mask("klant_240183009").starts_with("klant_"));
        for plain in ["klanten", "order_2024_01", "customer_id", "email", "col2"] {
            assert_eq!(mask(plain), plain);
        }
        // Replaced for names that cannot hold a mask.
        let r = replaced("export_240183009.csv", &|rule, _| format!("<{rule}>"));
        assert_eq!(r, "export_<nl.bsn>.csv");
    }
}
