//! `--format junit`: JUnit XML, which CI systems (GitLab, Jenkins, Azure) show as a test
//! report. Every input is a test case: it fails when personal data was found in it (the
//! failure lists the findings, at most [`LISTED`] of them, with masked evidence), errs when
//! it could not be scanned, and is skipped when it was binary, too large or a special file.
//! What the walk left out (hidden, excluded, not included, links, `.git`) is one skipped case
//! per reason. Columns named like personal data (judged by the name alone) are listed in the
//! case's output.

use super::{Record, ReportOptions, Reporter};
use crate::detect::column::ColumnVerdict;
use crate::finding::{Finding, Location};
use crate::guard::baseline::name_only;
use crate::pipeline::{InputName, InputReport, InputStatus, ScanStats, Sink, SkipReason};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Findings listed per test case; the failure message counts them all.
pub const LISTED: usize = 100;

/// Escapes text for XML 1.0, replacing characters it cannot hold.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Writes JUnit XML (buffered: the totals come first in the file).
pub struct JunitReporter<'w> {
    out: io::BufWriter<Box<dyn Write + 'w>>,
    opts: ReportOptions,
    cases: String,
    details: String,
    names: String,
    found: u64,
    per_rule: BTreeMap<String, u64>,
    tests: u64,
    failures: u64,
    errors: u64,
    skipped: u64,
}

impl<'w> JunitReporter<'w> {
    /// A reporter writing to `out`.
    pub fn new(out: Box<dyn Write + 'w>, opts: ReportOptions) -> Self {
        JunitReporter {
            out: io::BufWriter::new(out),
            opts,
            cases: String::new(),
            details: String::new(),
            names: String::new(),
            found: 0,
            per_rule: BTreeMap::new(),
            tests: 0,
            failures: 0,
            errors: 0,
            skipped: 0,
        }
    }

    fn note(&mut self, rule: &str, line: String) {
        self.found += 1;
        *self.per_rule.entry(rule.to_string()).or_default() += 1;
        if self.found as usize <= LISTED {
            self.details.push_str(&line);
            self.details.push('\n');
        }
    }
}

impl Sink for JunitReporter<'_> {
    /// Prints and keeps no fingerprint: none is computed.
    fn needs_fingerprints(&self) -> bool {
        false
    }
    fn findings(&mut self, batch: &[Finding]) -> io::Result<()> {
        for f in batch {
            let r = Record::new(f, self.opts);
            let at = match &f.location {
                Location::Text { line, column, .. } => format!("line {line}, column {column}"),
                Location::Cell {
                    table, column, row, ..
                } => format!("{table}.{column} row {row}"),
                Location::Path { .. } | Location::Name { .. } => {
                    f.location.name_words().unwrap_or_default()
                }
            };
            let line = format!(
                "{at}: {} ({}, {}) {}",
                f.rule, f.category, f.confidence, r.evidence
            );
            self.note(&f.rule, line);
        }
        Ok(())
    }

    fn columns(&mut self, _input: InputName<'_>, verdicts: &[ColumnVerdict]) -> io::Result<()> {
        // Columns judged by their name alone do not fail the gate: shown as output only.
        for v in verdicts.iter().filter(|v| name_only(v)) {
            let _ = writeln!(
                self.names,
                "column {}.{} is named like {}: {}",
                v.table, v.column, v.category, v.reason
            );
        }
        Ok(())
    }

    fn input_done(&mut self, report: &InputReport) -> io::Result<()> {
        self.tests += 1;
        let name = xml(&report.path);
        let _ = write!(
            self.cases,
            "    <testcase classname=\"piiscan\" name=\"{name}\" time=\"0\">"
        );
        match &report.status {
            InputStatus::Failed(why) | InputStatus::Partial(why) => {
                self.errors += 1;
                let _ = write!(
                    self.cases,
                    "\n      <error type=\"not-scanned\" message=\"{}\"/>\n    ",
                    xml(why)
                );
            }
            InputStatus::SkippedBinary
            | InputStatus::SkippedImage
            | InputStatus::SkippedTooLarge
            | InputStatus::SkippedSpecial(_) => {
                self.skipped += 1;
                let why = match &report.status {
                    InputStatus::SkippedBinary => "binary".to_string(),
                    InputStatus::SkippedImage => "an image: read only with --ocr".to_string(),
                    InputStatus::SkippedSpecial(kind) => {
                        format!("{kind}: special files are never opened")
                    }
                    _ => "larger than --max-filesize".to_string(),
                };
                let _ = write!(
                    self.cases,
                    "\n      <skipped message=\"{}\"/>\n    ",
                    xml(&why)
                );
            }
            InputStatus::Scanned => {}
        }
        if self.found > 0 {
            self.failures += 1;
            let summary: Vec<String> = self
                .per_rule
                .iter()
                .map(|(r, n)| format!("{r} ({n})"))
                .collect();
            let more = (self.found as usize).saturating_sub(LISTED);
            if more > 0 {
                let _ = writeln!(self.details, "… and {more} more");
            }
            let _ = write!(
                self.cases,
                "\n      <failure type=\"personal-data\" message=\"{} finding(s): {}\">{}</failure>\n    ",
                self.found,
                xml(&summary.join(", ")),
                xml(&self.details)
            );
        }
        if !self.names.is_empty() {
            let _ = write!(
                self.cases,
                "\n      <system-out>{}</system-out>\n    ",
                xml(&self.names)
            );
            self.names.clear();
        }
        self.cases.push_str("</testcase>\n");
        self.found = 0;
        self.per_rule.clear();
        self.details.clear();
        Ok(())
    }
}

impl Reporter for JunitReporter<'_> {
    fn finish(&mut self, stats: &ScanStats, _failed: &[(String, String)]) -> io::Result<()> {
        // What the walk left out was never an input: one skipped case per reason, naming
        // the count, the first paths and what reads them.
        let walk_reasons: Vec<&str> = stats
            .skipped
            .iter()
            .filter(|k| matches!(k.reason, SkipReason::Walk(_)))
            .map(|k| k.reason.label())
            .collect();
        let lines = super::skip_lines(stats, &|p| p.to_string());
        for (c, line) in stats.skip_counts().iter().zip(&lines) {
            if !walk_reasons.contains(&c.reason) {
                continue;
            }
            self.tests += 1;
            self.skipped += 1;
            let _ = write!(
                self.cases,
                "    <testcase classname=\"piiscan\" name=\"{}\" time=\"0\">\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                xml(&format!("not scanned: {}", c.reason)),
                xml(line)
            );
        }
        let time = stats.elapsed.as_secs_f64();
        let counts = format!(
            "tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{time:.3}\"",
            self.tests, self.failures, self.errors, self.skipped
        );
        writeln!(self.out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
        writeln!(self.out, "<testsuites name=\"piiscan\" {counts}>")?;
        writeln!(self.out, "  <testsuite name=\"piiscan\" {counts}>")?;
        self.out.write_all(self.cases.as_bytes())?;
        writeln!(self.out, "  </testsuite>\n</testsuites>")?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn xml_text_is_escaped_and_valid() {
        assert_eq!(
            super::xml("a<b & \"c\"\u{1}"),
            "a&lt;b &amp; &quot;c&quot;\u{FFFD}"
        );
    }
}
