//! Text and logs, line by line: the scan engine finds the spans, each span whose rule the
//! policy names (`[[text]]`) is replaced by its method's output, from the end of the line
//! backwards so the offsets of earlier spans hold. Everything else is copied byte for byte.
//! A rule the policy names by id (`rule = "nl.bsn"`) is applied to every match at any
//! confidence (a bare number that only looks like a BSN too); other entries apply from
//! medium confidence up, as the scan reports. The re-scan ([`census`]) counts alike.

use super::policy::{OnInvalid, Policy};
use super::transform::Protection;
use crate::detect::Engine;
use crate::finding::Confidence;
use crate::rules::RuleSet;
use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};

/// Counts for one rule's spans.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SpanReport {
    /// Rule id.
    pub rule: String,
    /// Method.
    pub method: String,
    /// What it does to the data.
    pub protection: Protection,
    /// Which key, by id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Spans replaced.
    pub replaced: u64,
    /// Spans the method could not read.
    pub invalid: u64,
    /// What of the value's category the method keeps (for the re-scan).
    #[serde(skip)]
    pub kept_form: super::transform::KeptForm,
}

/// What rewriting a text did.
#[derive(Debug, Default)]
pub struct TextOutcome {
    /// Lines read.
    pub lines_in: u64,
    /// Lines written.
    pub lines_out: u64,
    /// Per rule.
    pub spans: Vec<SpanReport>,
}

/// Text that stands for a removed value in text (a `redact` without `value`).
pub const REDACTED: &str = "[redacted]";

/// Rewrites a text.
///
/// # Errors
/// Read or write errors, and spans that fail with `on_invalid = "fail"` (naming the line).
pub fn rewrite(
    reader: &mut dyn io::Read,
    out: &mut dyn Write,
    policy: &Policy,
    rules: &RuleSet,
    name: &str,
) -> crate::Result<TextOutcome> {
    let err = |m: String| crate::Error::Usage(format!("{name}: {m}"));
    let engine = Engine::new(rules, Confidence::Low, false);
    let mut scratch = engine.scratch();
    let counts = |rule: usize, confidence: Confidence| {
        confidence >= Confidence::Medium || policy.names_rule(&rules.rules[rule].id)
    };
    let mut input = io::BufReader::with_capacity(256 * 1024, reader);
    let mut out = io::BufWriter::with_capacity(256 * 1024, out);
    let mut reports: BTreeMap<String, SpanReport> = BTreeMap::new();
    let mut line = Vec::new();
    let mut hits: Vec<(usize, usize, usize)> = Vec::new();
    let mut outcome = TextOutcome::default();
    loop {
        line.clear();
        if input
            .read_until(b'\n', &mut line)
            .map_err(|e| err(e.to_string()))?
            == 0
        {
            break;
        }
        outcome.lines_in += 1;
        hits.clear();
        engine.scan(&mut scratch, &line, 0, line.len(), |h| {
            if counts(h.rule, h.confidence) {
                hits.push((h.start, h.end, h.rule));
            }
        });
        if hits.is_empty() {
            out.write_all(&line).map_err(|e| err(e.to_string()))?;
            outcome.lines_out += 1;
            continue;
        }
        hits.sort_unstable();
        let mut edited = line.clone();
        let mut floor = usize::MAX;
        for &(start, end, rule) in hits.iter().rev() {
            if end > floor {
                continue; // overlaps a span already replaced
            }
            let r = &rules.rules[rule];
            let Some(entry) = policy.for_rule(&r.id, &r.category) else {
                continue;
            };
            let report = reports
                .entry(r.id.to_string())
                .or_insert_with(|| SpanReport {
                    rule: r.id.to_string(),
                    method: entry.op.name().to_string(),
                    protection: entry.op.protection(),
                    key: entry.key_note.clone(),
                    kept_form: entry.op.kept_form(),
                    ..SpanReport::default()
                });
            let value = String::from_utf8_lossy(&line[start..end]);
            let new = match entry.op.apply(&value, None) {
                Ok(v) => {
                    report.replaced += 1;
                    v
                }
                Err(why) => {
                    report.invalid += 1;
                    match entry.on_invalid {
                        OnInvalid::Redact => None,
                        OnInvalid::Keep => continue,
                        OnInvalid::Fail => {
                            return Err(err(format!(
                                "line {}: {} span: {}",
                                outcome.lines_in, r.id, why.0
                            )))
                        }
                    }
                }
            };
            let new = new.unwrap_or_else(|| REDACTED.to_string());
            edited.splice(start..end, new.bytes());
            floor = start;
        }
        out.write_all(&edited).map_err(|e| err(e.to_string()))?;
        outcome.lines_out += 1;
    }
    out.flush().map_err(|e| err(e.to_string()))?;
    outcome.spans = reports.into_values().collect();
    Ok(outcome)
}

/// Re-scans a text output line by line as [`rewrite`] reads it: per rule, its category and
/// the matches found, from medium confidence up, and at any confidence for a rule the policy
/// names by id (so a bare BSN left behind fails the verification).
///
/// # Errors
/// The file cannot be read.
pub fn census(
    path: &std::path::Path,
    policy: &Policy,
    rules: &RuleSet,
) -> io::Result<BTreeMap<String, (String, u64)>> {
    let engine = Engine::new(rules, Confidence::Low, false);
    let mut scratch = engine.scratch();
    let mut input = io::BufReader::with_capacity(256 * 1024, std::fs::File::open(path)?);
    let mut found: BTreeMap<String, (String, u64)> = BTreeMap::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        engine.scan(&mut scratch, &line, 0, line.len(), |h| {
            let r = &rules.rules[h.rule];
            if h.confidence >= Confidence::Medium || policy.names_rule(&r.id) {
                found
                    .entry(r.id.to_string())
                    .or_insert_with(|| (r.category.to_string(), 0))
                    .1 += 1;
            }
        });
    }
    Ok(found)
}
