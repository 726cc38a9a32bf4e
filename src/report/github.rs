//! `--format github`: GitHub Actions workflow commands, one annotation per finding
//! (`::error file=…,line=…,col=…,title=…::message`), shown on the pull request's changed lines.
//! High confidence is an error, medium a warning, low a notice.

use super::{Record, ReportOptions, Reporter};
use crate::detect::column::ColumnVerdict;
use crate::finding::{Confidence, Finding, Location};
use crate::guard::baseline::name_only;
use crate::pipeline::{InputName, InputReport, ScanStats, Sink};
use std::io::{self, Write};

/// Escapes a workflow command's message.
fn message(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn property(s: &str) -> String {
    message(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(c: Confidence) -> &'static str {
    match c {
        Confidence::High => "error",
        Confidence::Medium => "warning",
        Confidence::Low => "notice",
    }
}

/// Writes workflow commands.
pub struct GithubReporter<'w> {
    out: io::BufWriter<Box<dyn Write + 'w>>,
    opts: ReportOptions,
}

impl<'w> GithubReporter<'w> {
    /// A reporter writing to `out`.
    pub fn new(out: Box<dyn Write + 'w>, opts: ReportOptions) -> Self {
        GithubReporter {
            out: io::BufWriter::new(out),
            opts,
        }
    }
}

impl Sink for GithubReporter<'_> {
    /// Prints and keeps no fingerprint: none is computed.
    fn needs_fingerprints(&self) -> bool {
        false
    }
    fn findings(&mut self, batch: &[Finding]) -> io::Result<()> {
        for f in batch {
            let r = Record::new(f, self.opts);
            let file = property(f.path.trim_start_matches("./"));
            let (place, at) = match &f.location {
                Location::Text { line, column, .. } => {
                    (format!(",line={line},col={column}"), format!("line {line}"))
                }
                Location::Cell {
                    table,
                    column,
                    row,
                    line,
                } => (
                    line.map(|l| format!(",line={l}")).unwrap_or_default(),
                    format!("table {table}, column {column}, row {row}"),
                ),
                Location::Path { .. } | Location::Name { .. } => {
                    (String::new(), f.location.name_words().unwrap_or_default())
                }
            };
            writeln!(
                self.out,
                "::{} file={file}{place},title={}::{}",
                command(f.confidence),
                property(&format!("piiscan {}", f.rule)),
                message(&format!(
                    "{} ({} confidence) at {at}: {}",
                    f.category, f.confidence, r.evidence
                ))
            )?;
        }
        Ok(())
    }
    fn input_done(&mut self, _report: &InputReport) -> io::Result<()> {
        Ok(())
    }
    fn columns(&mut self, input: InputName<'_>, verdicts: &[ColumnVerdict]) -> io::Result<()> {
        for v in verdicts.iter().filter(|v| name_only(v)) {
            writeln!(
                self.out,
                "::notice file={},title={}::{}",
                property(input.path.trim_start_matches("./")),
                property("piiscan column_name"),
                message(&format!(
                    "column {}.{} ({}): {}",
                    v.table, v.column, v.category, v.reason
                ))
            )?;
        }
        Ok(())
    }
}

impl Reporter for GithubReporter<'_> {
    fn finish(&mut self, stats: &ScanStats, failed: &[(String, String)]) -> io::Result<()> {
        for (path, why) in failed {
            writeln!(
                self.out,
                "::error file={},title=piiscan: not scanned::{}",
                property(path.trim_start_matches("./")),
                message(why)
            )?;
        }
        for (path, t) in &stats.sampled {
            writeln!(
                self.out,
                "::warning file={},title=piiscan: sampled::{}",
                property(path.trim_start_matches("./")),
                message(&super::sampled_notice(path, t))
            )?;
        }
        // A notice per reason (count, first paths, what reads them), then one per path up to
        // a few per reason: GitHub shows only the first annotations of a step anyway.
        for line in super::skip_lines(stats, &|p| p.to_string()) {
            writeln!(
                self.out,
                "::notice title=piiscan: not scanned::{}",
                message(&line)
            )?;
        }
        for c in stats.skip_counts() {
            let of_reason = stats
                .skipped
                .iter()
                .filter(|k| k.reason.label() == c.reason);
            for k in of_reason.take(super::LISTED_PER_REASON) {
                writeln!(
                    self.out,
                    "::notice file={},title=piiscan: skipped::{}",
                    property(k.path.trim_start_matches("./")),
                    message(&k.reason.describe())
                )?;
            }
        }
        let skipped = super::skip_summary(stats)
            .map(|s| format!(", {s}"))
            .unwrap_or_default();
        writeln!(
            self.out,
            "piiscan: {} finding(s) in {} file(s), {} could not be scanned{skipped}",
            stats.findings, stats.files_scanned, stats.failed
        )?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn workflow_command_values_are_escaped() {
        assert_eq!(super::property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
        assert_eq!(super::message("50%: a\r\nb"), "50%25: a%0D%0Ab");
    }
}
