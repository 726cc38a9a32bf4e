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
use crate::ruleset::RuleSet;
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
    /// Spans that came out as they went in although the method promises to change them.
    #[serde(skip_serializing_if = "super::plan::is_zero")]
    pub kept_whole: u64,
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

/// What a span of rule index `rule` holding `value` becomes under `policy`: `Ok(None)` when
/// the policy leaves it as it is (no `[[text]]` entry for it, or `on_invalid = "keep"`).
/// The rule's report is made in `reports` on its first span, and the span is counted there
/// (replaced, or unreadable).
///
/// # Errors
/// A span the method cannot read under `on_invalid = "fail"`: the reason.
pub fn span_replacement(
    policy: &Policy,
    rules: &RuleSet,
    rule: usize,
    value: &str,
    reports: &mut BTreeMap<String, SpanReport>,
) -> Result<Option<String>, String> {
    let r = &rules.rules[rule];
    let Some(entry) = policy.for_rule(&r.id, &r.category) else {
        return Ok(None);
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
    match entry.op.apply(value, None) {
        Ok(v) => {
            report.replaced += 1;
            if entry.op.promises_change() && v.as_deref() == Some(value) {
                report.kept_whole += 1;
            }
            Ok(Some(v.unwrap_or_else(|| REDACTED.to_string())))
        }
        Err(why) => {
            report.invalid += 1;
            match entry.on_invalid {
                OnInvalid::Redact => Ok(Some(REDACTED.to_string())),
                OnInvalid::Keep => Ok(None),
                OnInvalid::Fail => Err(why.0.to_string()),
            }
        }
    }
}

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
        let edited = replace_spans(&line, &hits, policy, rules, &mut reports, Unlisted::Leave)
            .map_err(|f| {
                err(format!(
                    "line {}: {} span: {}",
                    outcome.lines_in, f.rule, f.why
                ))
            })?;
        let edited = edited.as_deref().unwrap_or(&line);
        out.write_all(edited).map_err(|e| err(e.to_string()))?;
        outcome.lines_out += 1;
    }
    out.flush().map_err(|e| err(e.to_string()))?;
    outcome.spans = reports.into_values().collect();
    Ok(outcome)
}

/// What happens to a span whose rule no `[[text]]` entry names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unlisted {
    /// Left as it is (text: the fail-closed check before the run named every such rule).
    Leave,
    /// Replaced by [`REDACTED`] and counted under `redact` (cells: fail-safe when a rule
    /// turns up that the check before the run did not see).
    Redact,
}

/// A span whose method could not read it, with `on_invalid = "fail"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanFailure {
    /// The rule of the span.
    pub rule: String,
    /// Why the method could not read it.
    pub why: String,
}

/// Replaces the spans `hits` (`(start, end, rule)`, sorted by start) of `line`, each by the
/// method of its rule's `[[text]]` entry, from the end backwards so the offsets of earlier
/// spans hold; a span overlapping one already replaced is skipped. Counts go to `reports`.
/// `None` when nothing changed.
///
/// # Errors
/// A span's method could not read it and its entry says `on_invalid = "fail"`.
pub fn replace_spans(
    line: &[u8],
    hits: &[(usize, usize, usize)],
    policy: &Policy,
    rules: &RuleSet,
    reports: &mut BTreeMap<String, SpanReport>,
    unlisted: Unlisted,
) -> Result<Option<Vec<u8>>, SpanFailure> {
    let mut edited: Option<Vec<u8>> = None;
    let mut floor = usize::MAX;
    for &(start, end, rule) in hits.iter().rev() {
        if end > floor {
            continue; // overlaps a span already replaced
        }
        let r = &rules.rules[rule];
        let new = if policy.for_rule(&r.id, &r.category).is_none() {
            if unlisted == Unlisted::Leave {
                continue;
            }
            let report = reports
                .entry(r.id.to_string())
                .or_insert_with(|| SpanReport {
                    rule: r.id.to_string(),
                    method: "redact".to_string(),
                    protection: Protection::Removed,
                    ..SpanReport::default()
                });
            report.replaced += 1;
            REDACTED.to_string()
        } else {
            // An encoded span (`jan%40telenet.be`) is transformed as the value it encodes,
            // and its replacement written in the same encoding.
            let raw = &line[start..end];
            let decoded = crate::detect::encoded::decode_value(raw);
            let value = match &decoded {
                Some(d) => std::borrow::Cow::Borrowed(d.as_str()),
                None => String::from_utf8_lossy(raw),
            };
            match span_replacement(policy, rules, rule, &value, reports) {
                Ok(Some(new)) if decoded.is_some() => {
                    crate::detect::encoded::encode_like(raw, &new)
                }
                Ok(Some(new)) => new,
                Ok(None) => continue,
                Err(why) => {
                    return Err(SpanFailure {
                        rule: r.id.to_string(),
                        why,
                    })
                }
            }
        };
        edited
            .get_or_insert_with(|| line.to_vec())
            .splice(start..end, new.bytes());
        floor = start;
    }
    Ok(edited)
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
