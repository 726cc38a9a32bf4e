//! Precision and recall per rule on a generated, labelled corpus of realistic mixed
//! Dutch/Belgian/English text with traps (order numbers, time stamps, versions, OIDs, UUIDs,
//! hashes, invoice dates, service numbers). Run with `--nocapture` to see the table.

use piiscan::corpus;
use piiscan::detect::Engine;
use piiscan::finding::Confidence;
use piiscan::ruleset::RuleSet;
use std::collections::BTreeMap;

#[derive(Default, Debug)]
struct Score {
    tp: u32,
    fp: u32,
    fn_: u32,
}

impl Score {
    fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            f64::from(self.tp) / f64::from(self.tp + self.fp)
        }
    }
    fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            f64::from(self.tp) / f64::from(self.tp + self.fn_)
        }
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn score(seed: u64, bytes: usize) -> (BTreeMap<String, Score>, Vec<String>) {
    let doc = corpus::labelled(seed, bytes);
    let rules = RuleSet::builtin().expect("built-in rules compile");
    let engine = Engine::new(&rules, Confidence::Medium, false);
    let mut scratch = engine.scratch();
    let hay = doc.text.as_bytes();
    let mut found = Vec::new();
    engine.scan(&mut scratch, hay, 0, hay.len(), |h| {
        found.push((rules.rules[h.rule].id.to_string(), h.start, h.end))
    });
    let mut scores: BTreeMap<String, Score> = BTreeMap::new();
    let mut matched = vec![false; doc.spans.len()];
    let mut false_positives = Vec::new();
    for (rule, s, e) in &found {
        let hit = doc
            .spans
            .iter()
            .enumerate()
            .find(|(_, (r, ls, le))| r == rule && *s < *le && *e > *ls);
        let entry = scores.entry(rule.clone()).or_default();
        match hit {
            Some((i, _)) if !matched[i] => {
                matched[i] = true;
                entry.tp += 1;
            }
            Some(_) => {}
            None => {
                entry.fp += 1;
                let line_start = doc.text[..*s].rfind('\n').map_or(0, |i| i + 1);
                let line_end = doc.text[*e..].find('\n').map_or(doc.text.len(), |i| e + i);
                false_positives.push(format!(
                    "{rule}: {:?} in {:?}",
                    &doc.text[*s..*e],
                    &doc.text[line_start..line_end]
                ));
            }
        }
    }
    for (i, (rule, s, e)) in doc.spans.iter().enumerate() {
        if !matched[i] {
            scores.entry(rule.to_string()).or_default().fn_ += 1;
            if std::env::var_os("PIISCAN_SHOW_MISSES").is_some() {
                eprintln!("missed {rule}: {:?}", &doc.text[*s..*e]);
            }
        }
    }
    (scores, false_positives)
}

/// Rules found by format alone must reach F1 0.95 with precision first. Names and streets in
/// free text rely on lexicons and titles; their floor is lower and printed for the record.
#[test]
fn precision_and_recall_per_rule_on_the_labelled_corpus() {
    let (scores, fps) = score(20261128, 2_000_000);
    println!(
        "{:<20} {:>6} {:>6} {:>6} {:>9} {:>7} {:>6}",
        "rule", "tp", "fp", "fn", "precision", "recall", "F1"
    );
    for (rule, s) in &scores {
        println!(
            "{rule:<20} {:>6} {:>6} {:>6} {:>9.3} {:>7.3} {:>6.3}",
            s.tp,
            s.fp,
            s.fn_,
            s.precision(),
            s.recall(),
            s.f1()
        );
    }
    for fp in fps.iter().take(20) {
        println!("false positive: {fp}");
    }
    let expected = piiscan::ruleset::CONTRACT_RULE_IDS;
    for rule in expected {
        let s = scores
            .get(*rule)
            .unwrap_or_else(|| panic!("{rule} never fired on the corpus"));
        let (min_precision, min_f1) = match *rule {
            "person_name" | "street_address" => (0.95, 0.80),
            _ => (0.97, 0.95),
        };
        assert!(
            s.precision() >= min_precision,
            "{rule}: precision {:.3} < {min_precision}",
            s.precision()
        );
        assert!(s.f1() >= min_f1, "{rule}: F1 {:.3} < {min_f1}", s.f1());
    }
}

/// The clean corpus holds look-alikes only: nothing may be reported at medium or above.
#[test]
fn no_findings_at_medium_on_look_alikes() {
    let text = corpus::clean(7, 1_000_000);
    let rules = RuleSet::builtin().expect("built-in rules compile");
    let engine = Engine::new(&rules, Confidence::Medium, false);
    let mut scratch = engine.scratch();
    let hay = text.as_bytes();
    let mut found = Vec::new();
    engine.scan(&mut scratch, hay, 0, hay.len(), |h| {
        found.push(format!(
            "{} {:?}",
            rules.rules[h.rule].id,
            &text[h.start..h.end]
        ))
    });
    assert!(
        found.is_empty(),
        "false positives on look-alikes: {:?}",
        &found[..found.len().min(20)]
    );
}

/// The hand-labelled corpus under `fixtures/accuracy/`: `[[rule|value]]` marks a value that
/// `rule` must find. Returns the text without markup and the labelled spans.
fn hand_labelled(text: &str) -> (String, Vec<(String, usize, usize)>) {
    let mut out = String::with_capacity(text.len());
    let mut spans = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("[[") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let close = after.find("]]").expect("every [[ has its ]]");
        let (rule, value) = after[..close].split_once('|').expect("[[rule|value]]");
        let start = out.len();
        out.push_str(value);
        spans.push((rule.to_string(), start, out.len()));
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    (out, spans)
}

/// Scores every rule that labels something in the hand-written corpus (names, special
/// categories, criminal data): precision and recall per rule at `medium`, printed; floors
/// asserted. Set PIISCAN_SHOW_MISSES=1 to list the misses and false positives.
#[test]
fn precision_and_recall_on_the_hand_labelled_corpus() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/accuracy");
    let rules = RuleSet::builtin().expect("built-in rules compile");
    let engine = Engine::new(&rules, Confidence::Medium, false);
    let mut scratch = engine.scratch();
    let mut scores: BTreeMap<String, Score> = BTreeMap::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures/accuracy")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "the hand-labelled corpus is missing");
    let show = std::env::var_os("PIISCAN_SHOW_MISSES").is_some();
    let mut docs = Vec::new();
    for f in &files {
        let raw = std::fs::read_to_string(f).expect("readable fixture");
        docs.push((f.clone(), hand_labelled(&raw)));
    }
    let scored: std::collections::BTreeSet<String> = docs
        .iter()
        .flat_map(|(_, (_, spans))| spans.iter().map(|(r, _, _)| r.clone()))
        .collect();
    for (f, (text, spans)) in &docs {
        let hay = text.as_bytes();
        let mut found = Vec::new();
        engine.scan(&mut scratch, hay, 0, hay.len(), |h| {
            found.push((rules.rules[h.rule].id.to_string(), h.start, h.end))
        });
        let mut matched = vec![false; spans.len()];
        for (rule, s, e) in found.iter().filter(|(r, _, _)| scored.contains(r)) {
            let hit = spans
                .iter()
                .position(|(r, ls, le)| r == rule && s < le && e > ls);
            let entry = scores.entry(rule.clone()).or_default();
            match hit {
                Some(i) if !matched[i] => {
                    matched[i] = true;
                    entry.tp += 1;
                }
                Some(_) => {}
                None => {
                    entry.fp += 1;
                    if show {
                        eprintln!("{}: false {rule}: {:?}", f.display(), &text[*s..*e]);
                    }
                }
            }
        }
        for (i, (rule, s, e)) in spans.iter().enumerate() {
            if !matched[i] {
                scores.entry(rule.clone()).or_default().fn_ += 1;
                if show {
                    eprintln!("{}: missed {rule}: {:?}", f.display(), &text[*s..*e]);
                }
            }
        }
    }
    println!(
        "{:<20} {:>6} {:>6} {:>6} {:>9} {:>7}",
        "rule", "tp", "fp", "fn", "precision", "recall"
    );
    let mut total = Score::default();
    for (rule, s) in &scores {
        println!(
            "{rule:<20} {:>6} {:>6} {:>6} {:>9.3} {:>7.3}",
            s.tp,
            s.fp,
            s.fn_,
            s.precision(),
            s.recall()
        );
        if rule != "person_name" {
            total.tp += s.tp;
            total.fp += s.fp;
            total.fn_ += s.fn_;
        }
    }
    println!(
        "{:<20} {:>6} {:>6} {:>6} {:>9.3} {:>7.3}",
        "art. 9 / art. 10",
        total.tp,
        total.fp,
        total.fn_,
        total.precision(),
        total.recall()
    );
    let names = scores.get("person_name").expect("names are labelled");
    assert!(
        names.precision() >= 0.90,
        "person_name precision {:.3}",
        names.precision()
    );
    assert!(
        names.recall() >= 0.85,
        "person_name recall {:.3}",
        names.recall()
    );
    assert!(
        total.precision() >= 0.90,
        "art. 9/10 precision {:.3}",
        total.precision()
    );
    assert!(
        total.recall() >= 0.85,
        "art. 9/10 recall {:.3}",
        total.recall()
    );
}

/// Art. 9 and art. 10 rules that are scored here.
const SPECIAL_RULES: &[&str] = &[
    "health",
    "religion",
    "ethnic_origin",
    "political_opinion",
    "trade_union",
    "sexual_orientation",
    "genetic",
    "biometric",
    "criminal_record",
];

/// Art. 9/10 hits at medium or above in one text: (rule, start, end).
fn special_hits(
    engine: &Engine,
    scratch: &mut piiscan::detect::Scratch,
    rules: &RuleSet,
    text: &str,
) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    engine.scan(scratch, text.as_bytes(), 0, text.len(), |h| {
        let id = rules.rules[h.rule].id.to_string();
        if SPECIAL_RULES.contains(&id.as_str()) {
            out.push((id, h.start, h.end));
        }
    });
    out
}

/// Special-category words need context that song, album and product titles lack: on
/// `fixtures/special_categories` (sick-leave, HR and care sentences about a person; titles,
/// products, leaflets and policies that are not) every art. 9/10 rule keeps precision 0.90
/// and recall 0.85 at medium, printed per rule; and the Chinook dumps (a music store: track
/// names such as `Depression`, `Heart Attack`, `Maternity Leave`) give no art. 9/10 finding
/// at the default confidence.
#[test]
fn special_categories_need_context_precision_and_recall() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/special_categories");
    let rules = RuleSet::builtin().expect("built-in rules compile");
    let engine = Engine::new(&rules, Confidence::Medium, false);
    let mut scratch = engine.scratch();
    let show = std::env::var_os("PIISCAN_SHOW_MISSES").is_some();
    let mut scores: BTreeMap<String, Score> = BTreeMap::new();
    let positive = std::fs::read_to_string(dir.join("positive.tsv")).expect("positive.tsv");
    for line in positive
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let mut f = line.splitn(3, '\t');
        let (rule, value, text) = (
            f.next().expect("rule"),
            f.next().expect("value"),
            f.next().expect("text"),
        );
        let at = text
            .to_ascii_lowercase()
            .find(&value.to_ascii_lowercase())
            .unwrap_or_else(|| panic!("{value:?} is in {text:?}"));
        let (ls, le) = (at, at + value.len());
        // Another word of the same rule in the sentence ("ziek gemeld ... bedrijfsarts") is
        // the same person's data: neither a hit nor a false one. Another rule's is false.
        let mut found = false;
        for (r, s, e) in special_hits(&engine, &mut scratch, &rules, text) {
            if r == rule {
                if s < le && e > ls && !found {
                    found = true;
                    scores.entry(r).or_default().tp += 1;
                }
            } else {
                scores.entry(r.clone()).or_default().fp += 1;
                if show {
                    eprintln!("false {r}: {:?} in {text:?}", &text[s..e]);
                }
            }
        }
        if !found {
            scores.entry(rule.to_string()).or_default().fn_ += 1;
            if show {
                eprintln!("missed {rule}: {value:?} in {text:?}");
            }
        }
    }
    let negative = std::fs::read_to_string(dir.join("negative.tsv")).expect("negative.tsv");
    for text in negative
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        for (r, s, e) in special_hits(&engine, &mut scratch, &rules, text) {
            if show {
                eprintln!("false {r}: {:?} in {text:?}", &text[s..e]);
            }
            scores.entry(r).or_default().fp += 1;
        }
    }
    println!(
        "{:<20} {:>6} {:>6} {:>6} {:>9} {:>7}",
        "rule", "tp", "fp", "fn", "precision", "recall"
    );
    for (rule, s) in &scores {
        println!(
            "{rule:<20} {:>6} {:>6} {:>6} {:>9.3} {:>7.3}",
            s.tp,
            s.fp,
            s.fn_,
            s.precision(),
            s.recall()
        );
    }
    // The Chinook dumps, scanned as a user would (tables, cells, column names).
    let mut chinook = Vec::new();
    for f in [
        "chinook.pg_dump.sql",
        "chinook.mariadb_dump.sql",
        "chinook.sqlite",
    ] {
        let path = dir.join("../chinook").join(f);
        let out = crate::common::piiscan()
            .args(["scan", "--format", "ndjson", "--quiet"])
            .arg(&path)
            .output()
            .expect("piiscan runs");
        for v in crate::common::ndjson(&out) {
            let rule = v["rule"].as_str().unwrap_or_default();
            if SPECIAL_RULES.contains(&rule) {
                chinook.push(format!("{f}: {rule} in {}.{}", v["table"], v["column"]));
            }
        }
    }
    println!(
        "Chinook (3 dumps): {} art. 9/10 findings at medium",
        chinook.len()
    );
    assert!(
        chinook.is_empty(),
        "music titles taken for special categories: {chinook:?}"
    );
    for rule in SPECIAL_RULES {
        let s = scores
            .get(*rule)
            .unwrap_or_else(|| panic!("{rule} is not labelled"));
        assert!(
            s.precision() >= 0.90,
            "{rule}: precision {:.3}",
            s.precision()
        );
        assert!(s.recall() >= 0.85, "{rule}: recall {:.3}", s.recall());
    }
}
