//! `--format sarif`: SARIF 2.1.0, for GitHub code scanning, GitLab and other dashboards.
//!
//! One run; the driver lists every rule of the set with its documentation as `help`, plus
//! `column_name` for columns judged by their name alone. Each finding is a result with a
//! physical location (file, line and column for text; for table cells the file, with the
//! table, column and row in the message and as a logical location `table.column`) and the
//! keyed fingerprint as a partial fingerprint, so dashboards follow a finding when lines
//! move. Results are streamed: memory does not grow with their number. Inputs that could not
//! be scanned become tool execution notifications, and `executionSuccessful` is false.

use super::{Record, ReportOptions, Reporter};
use crate::detect::column::ColumnVerdict;
use crate::finding::{Confidence, Finding, Location};
use crate::guard::baseline::name_only;
use crate::pipeline::{InputName, InputReport, ScanStats, Sink};
use crate::ruleset::RuleSet;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{self, Write};

/// The rule id of columns judged by their name alone.
pub const COLUMN_RULE: &str = "column_name";

/// The SARIF level of a confidence.
pub fn level(c: Confidence) -> &'static str {
    match c {
        Confidence::High => "error",
        Confidence::Medium => "warning",
        Confidence::Low => "note",
    }
}

/// A path as a relative URI reference: `/` separators, no `./`, unsafe bytes percent-encoded.
pub fn uri(path: &str) -> String {
    let p = path.trim_start_matches("./");
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else if b == b'\\' {
            out.push('/');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Writes SARIF.
pub struct SarifReporter<'w> {
    out: io::BufWriter<Box<dyn Write + 'w>>,
    opts: ReportOptions,
    rules: Vec<Value>,
    index: HashMap<String, usize>,
    first: bool,
    started: bool,
}

impl<'w> SarifReporter<'w> {
    /// A reporter writing to `out`, describing the rules of `set`.
    pub fn new(out: Box<dyn Write + 'w>, opts: ReportOptions, set: &RuleSet) -> Self {
        let mut rules = Vec::new();
        let mut index = HashMap::new();
        for r in &set.rules {
            index.insert(r.id.to_string(), rules.len());
            rules.push(json!({
                "id": &*r.id,
                "name": r.def.name,
                "shortDescription": { "text": r.def.name },
                "fullDescription": { "text": r.def.what.trim() },
                "help": {
                    "text": format!("{}\n\nWhy: {}", r.def.what.trim(), r.def.why.trim()),
                    "markdown": crate::ruleset::docs::rule_section(r),
                },
                "defaultConfiguration": { "level": level(r.confidence) },
                "properties": {
                    "category": &*r.category,
                    "pack": r.pack,
                    "tags": ["privacy", "personal-data", &*r.category],
                },
            }));
        }
        index.insert(COLUMN_RULE.to_string(), rules.len());
        rules.push(json!({
            "id": COLUMN_RULE,
            "name": "Column named like personal data",
            "shortDescription": { "text": "Column named like personal data" },
            "fullDescription": { "text": "A table column whose name (in Dutch, English or French) says it holds personal data, such as achternaam, geboortedatum or bsn, while its sampled values did not decide." },
            "help": {
                "text": "The column's name says it holds personal data. Check its values; remove or anonymise the column, or accept it in the baseline or allowlist.",
                "markdown": "The column's **name** says it holds personal data (lexicon `rules/lexicons/column_names.txt`), while its sampled values did not decide. Check its values; remove or anonymise the column, or accept it in the baseline or an `[[allow]]` entry."
            },
            "defaultConfiguration": { "level": "note" },
            "properties": { "tags": ["privacy", "personal-data"] },
        }));
        SarifReporter {
            out: io::BufWriter::with_capacity(256 * 1024, out),
            opts,
            rules,
            index,
            first: true,
            started: false,
        }
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.out.write_all(
                b"{\n\"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n\"version\": \"2.1.0\",\n\"runs\": [{\n\"columnKind\": \"unicodeCodePoints\",\n\"results\": [",
            )?;
            self.started = true;
        }
        Ok(())
    }

    fn write_result(&mut self, result: &Value) -> io::Result<()> {
        self.start()?;
        self.out
            .write_all(if self.first { b"\n  " } else { b",\n  " })?;
        self.first = false;
        serde_json::to_writer(&mut self.out, result)?;
        Ok(())
    }

    fn result(&self, f: &Finding) -> Value {
        let rec = Record::new(f, self.opts);
        let rule = &*f.rule;
        let (region, logical, place) = match &f.location {
            Location::Text {
                line,
                column,
                byte_start,
                byte_end,
            } => (
                json!({
                    "startLine": line,
                    "startColumn": column,
                    "byteOffset": byte_start,
                    "byteLength": byte_end - byte_start,
                }),
                None,
                format!("line {line}"),
            ),
            Location::Cell {
                table,
                column,
                row,
                line,
            } => (
                json!({ "startLine": line.unwrap_or(1) }),
                Some(json!([{
                    "name": column,
                    "fullyQualifiedName": format!("{table}.{column}"),
                    "kind": "member",
                }])),
                format!("table {table}, column {column}, row {row}"),
            ),
            Location::Name { table, column, .. } => (
                json!({ "startLine": 1 }),
                Some(json!([match column {
                    Some(c) => json!({
                        "name": c,
                        "fullyQualifiedName": format!("{table}.{c}"),
                        "kind": "member",
                    }),
                    None => json!({ "name": table, "fullyQualifiedName": table, "kind": "type" }),
                }])),
                f.location.name_words().unwrap_or_default(),
            ),
            Location::Path { .. } => (json!({ "startLine": 1 }), None, "the file name".into()),
        };
        let mut location = json!({
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&f.path) },
                "region": region,
            }
        });
        if let Some(l) = logical {
            location["logicalLocations"] = l;
        }
        json!({
            "ruleId": rule,
            "ruleIndex": self.index.get(rule).copied().unwrap_or(0),
            "level": level(f.confidence),
            "message": {
                "text": format!("{} ({}, {} confidence) at {place}: {}", self.rules[self.index.get(rule).copied().unwrap_or(0)]["name"].as_str().unwrap_or(rule), rule, f.confidence, rec.evidence),
            },
            "locations": [location],
            "partialFingerprints": { "piiscanFingerprint/v1": f.fingerprint },
            "properties": {
                "confidence": f.confidence.as_str(),
                "category": &*f.category,
                "evidence": rec.evidence,
            },
        })
    }
}

impl Sink for SarifReporter<'_> {
    fn findings(&mut self, batch: &[Finding]) -> io::Result<()> {
        for f in batch {
            let r = self.result(f);
            self.write_result(&r)?;
        }
        Ok(())
    }
    fn input_done(&mut self, _report: &InputReport) -> io::Result<()> {
        Ok(())
    }
    fn columns(&mut self, input: InputName<'_>, verdicts: &[ColumnVerdict]) -> io::Result<()> {
        for v in verdicts.iter().filter(|v| name_only(v)) {
            let r = json!({
                "ruleId": COLUMN_RULE,
                "ruleIndex": self.index[COLUMN_RULE],
                // A name is a hint, not evidence: a note, which does not fail the gate.
                "level": "note",
                "message": {
                    "text": format!("Column {}.{} ({}): {}", v.table, v.column, v.category, v.reason),
                },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(input.path) },
                        "region": { "startLine": 1 },
                    },
                    "logicalLocations": [{
                        "name": v.column,
                        "fullyQualifiedName": format!("{}.{}", v.table, v.column),
                        "kind": "member",
                    }],
                }],
                "partialFingerprints": {
                    "piiscanColumn/v1": format!("{}:{}.{}:{}", input.project_path, v.table, v.column, v.category),
                },
                "properties": { "confidence": v.confidence.as_str(), "category": v.category },
            });
            self.write_result(&r)?;
        }
        Ok(())
    }
}

/// Skipped paths given a notification each, per reason; the per-reason notification counts
/// them all (`--format json` lists every one).
const SKIPS_LISTED_PER_REASON: usize = 100;

impl Reporter for SarifReporter<'_> {
    fn finish(&mut self, stats: &ScanStats, failed: &[(String, String)]) -> io::Result<()> {
        self.start()?;
        self.out.write_all(b"\n],\n\"tool\": ")?;
        let tool = json!({
            "driver": {
                "name": "piiscan",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/piiscan/piiscan",
                "rules": self.rules,
            }
        });
        serde_json::to_writer_pretty(&mut self.out, &tool)?;
        let notifications: Vec<Value> = failed
            .iter()
            .map(|(path, why)| {
                json!({
                    "level": "error",
                    "message": { "text": format!("{path}: {why}") },
                    "locations": [{ "physicalLocation": { "artifactLocation": { "uri": uri(path) } } }],
                })
            })
            .chain(stats.sampled.iter().map(|(path, t)| {
                json!({
                    "level": "warning",
                    "message": { "text": super::sampled_notice(path, t) },
                    "locations": [{ "physicalLocation": { "artifactLocation": { "uri": uri(path) } } }],
                })
            }))
            .chain(
                super::skip_lines(stats, &|p| p.to_string())
                    .into_iter()
                    .map(|line| {
                        json!({
                            "level": "note",
                            "message": { "text": format!("not scanned: {line}") },
                        })
                    }),
            )
            .chain(stats.skip_counts().into_iter().flat_map(|c| {
                stats
                    .skipped
                    .iter()
                    .filter(move |k| k.reason.label() == c.reason)
                    .take(SKIPS_LISTED_PER_REASON)
                    .map(|k| {
                        json!({
                            "level": "note",
                            "message": { "text": format!("{}: skipped ({})", k.path, k.reason.describe()) },
                            "locations": [{ "physicalLocation": { "artifactLocation": { "uri": uri(&k.path) } } }],
                        })
                    })
            }))
            .collect();
        let skipped: serde_json::Map<String, Value> = stats
            .skip_counts()
            .iter()
            .map(|c| (c.reason.to_string(), json!(c.entries)))
            .collect();
        let invocation = json!([{
            "executionSuccessful": failed.is_empty(),
            "toolExecutionNotifications": notifications,
            "properties": { "skipped": skipped },
        }]);
        self.out.write_all(b",\n\"invocations\": ")?;
        serde_json::to_writer_pretty(&mut self.out, &invocation)?;
        self.out.write_all(b"\n}]\n}\n")?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn paths_become_relative_uri_references() {
        assert_eq!(
            uri("./exports/klanten 2024.csv"),
            "exports/klanten%202024.csv"
        );
        assert_eq!(uri("logs/ü.log"), "logs/%C3%BC.log");
    }
}
