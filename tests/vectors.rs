//! Recall on public test vectors at `--min-confidence low`: Presidio's IP, phone, payment
//! card and IBAN recognizer cases (fixtures/vectors/presidio, MIT) and python-stdnum's IBAN
//! test numbers (fixtures/vectors/python-stdnum, LGPL-2.1+). A case counts as found when one
//! hit of the rule family covers the whole expected value (an IPv4-mapped address must be
//! covered whole, not only its IPv4 part). Run with `--nocapture` for the table and misses.

use piiscan::detect::Engine;
use piiscan::finding::Confidence;
use piiscan::ruleset::RuleSet;
use std::collections::BTreeMap;

const PRESIDIO: &str = include_str!("../fixtures/vectors/presidio/cases.tsv");
const STDNUM_IBAN: &str = include_str!("../fixtures/vectors/python-stdnum/iban.tsv");

/// The rules a vector kind is found by.
fn family(kind: &str) -> &'static [&'static str] {
    match kind {
        "ip" => &["ipv4", "ipv6"],
        "phone" => &["phone"],
        "credit_card" => &["credit_card"],
        "iban" => &["iban"],
        _ => &[],
    }
}

/// Hits of the kind's rules in `text` at `level` or above: (start, end).
fn hits(rules: &RuleSet, level: Confidence, kind: &str, text: &str) -> Vec<(usize, usize)> {
    let engine = Engine::new(rules, level, false);
    let mut scratch = engine.scratch();
    let mut out = Vec::new();
    let ids = family(kind);
    engine.scan(&mut scratch, text.as_bytes(), 0, text.len(), |h| {
        if ids.contains(&&*rules.rules[h.rule].id) {
            out.push((h.start, h.end));
        }
    });
    out
}

#[derive(Default)]
struct Tally {
    expected: u32,
    found: u32,
    negatives: u32,
    false_hits: u32,
    not_personal: u32,
    not_personal_found: u32,
}

fn covered(text: &str, value: &str, found: &[(usize, usize)]) -> bool {
    let mut from = 0;
    while let Some(i) = text[from..].find(value) {
        let (s, e) = (from + i, from + i + value.len());
        if found.iter().any(|&(hs, he)| hs <= s && he >= e) {
            return true;
        }
        from = s + 1;
    }
    false
}

fn presidio_tally() -> (BTreeMap<String, Tally>, Vec<String>) {
    let rules = RuleSet::builtin().expect("built-in rules compile");
    let mut t: BTreeMap<String, Tally> = BTreeMap::new();
    let mut misses = Vec::new();
    for line in PRESIDIO
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let f: Vec<&str> = line.splitn(4, '\t').collect();
        let (kind, expect, value, text) = (f[0], f[1], f[2], f[3]);
        let found = hits(&rules, Confidence::Low, kind, text);
        let e = t.entry(kind.to_string()).or_default();
        // A prefix length is not part of the address: `192.168.1.0/24` counts as found when
        // the address is.
        let value = match kind {
            "ip" => value.split('/').next().unwrap_or(value),
            _ => value,
        };
        match expect {
            "match" => {
                e.expected += 1;
                if covered(text, value, &found) {
                    e.found += 1;
                } else {
                    misses.push(format!("missed {kind}: {value:?} in {text:?}"));
                }
            }
            "not_personal" => {
                e.not_personal += 1;
                if covered(text, value, &found) {
                    e.not_personal_found += 1;
                }
            }
            _ => {
                e.negatives += 1;
                if !found.is_empty() {
                    e.false_hits += 1;
                    misses.push(format!("false hit {kind}: {text:?} {found:?}"));
                }
            }
        }
    }
    (t, misses)
}

/// Presidio's cases: recall at least 0.90 per kind at `low`. The positives that are not
/// personal data by definition (loopback, unspecified, multicast, broadcast, 0.0.0.0/8) are
/// counted apart and printed: piiscan drops them on purpose.
#[test]
fn presidio_cases_recall_at_low() {
    let (t, misses) = presidio_tally();
    println!(
        "{:<12} {:>8} {:>6} {:>7} {:>9} {:>10} {:>12}",
        "kind", "expected", "found", "recall", "negatives", "false hits", "not personal"
    );
    for (kind, s) in &t {
        println!(
            "{kind:<12} {:>8} {:>6} {:>7.3} {:>9} {:>10} {:>5} ({} found)",
            s.expected,
            s.found,
            f64::from(s.found) / f64::from(s.expected.max(1)),
            s.negatives,
            s.false_hits,
            s.not_personal,
            s.not_personal_found
        );
    }
    for m in &misses {
        println!("{m}");
    }
    for (kind, s) in &t {
        let recall = f64::from(s.found) / f64::from(s.expected.max(1));
        assert!(recall >= 0.90, "{kind}: recall {recall:.3} < 0.90");
    }
    let ip = &t["ip"];
    assert_eq!(
        ip.not_personal_found, 0,
        "loopback and friends are never reported"
    );
}

/// python-stdnum's IBAN numbers: the registry samples (any grouping) are found, and the
/// mangled ones (broken checksums, wrong lengths, letters where the BBAN format wants digits,
/// unknown countries, failed national checks) are not.
#[test]
fn stdnum_ibans_at_low() {
    let rules = RuleSet::builtin().expect("built-in rules compile");
    let (mut valid, mut found, mut invalid, mut wrongly) = (0u32, 0u32, 0u32, Vec::new());
    let mut missed = Vec::new();
    for line in STDNUM_IBAN
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (expect, number) = line.split_once('\t').expect("two columns");
        let h = hits(&rules, Confidence::Low, "iban", number);
        if expect == "valid" {
            valid += 1;
            if covered(number, number, &h) {
                found += 1;
            } else {
                missed.push(number);
            }
        } else {
            invalid += 1;
            if !h.is_empty() {
                wrongly.push(number);
            }
        }
    }
    let recall = f64::from(found) / f64::from(valid);
    println!("python-stdnum IBAN: {found} of {valid} valid found (recall {recall:.3}); {} of {invalid} invalid found", wrongly.len());
    println!("missed: {missed:?}");
    assert!(recall >= 0.90, "recall {recall:.3} < 0.90: {missed:?}");
    assert!(wrongly.is_empty(), "invalid IBANs found: {wrongly:?}");
}
