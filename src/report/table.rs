//! `--format table`: findings grouped by file with masked evidence, then a summary with counts
//! per rule and category, files scanned, skipped and failed, bytes, time and MB/s. A person
//! reads it: unless `--all`, each table column and each rule of a text file shows its first
//! findings and then how many more it holds (the other formats list every finding).

use super::sanitize::sanitize;
use super::{Record, ReportOptions, Reporter, StatsRecord};
use crate::finding::{Finding, Location};
use crate::pipeline::{InputReport, ScanStats, Sink};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Findings printed per table column before the rest is counted.
const FIRST_PER_COLUMN: u64 = 3;
/// Findings printed per rule in a text file before the rest is counted.
const FIRST_PER_TEXT_RULE: u64 = 20;

/// Writes the human-readable table.
pub struct TableReporter<'w> {
    out: io::BufWriter<Box<dyn Write + 'w>>,
    opts: ReportOptions,
    current: Option<String>,
    /// Column verdicts printed (a column can hold personal data with no cell finding).
    columns_listed: u64,
    /// Findings of the current input per group (`table.column`, or the rule in text):
    /// (printed, held back).
    groups: BTreeMap<String, (u64, u64)>,
}

impl<'w> TableReporter<'w> {
    /// A reporter writing to `out`.
    pub fn new(out: Box<dyn Write + 'w>, opts: ReportOptions) -> Self {
        TableReporter {
            out: io::BufWriter::new(out),
            opts,
            current: None,
            columns_listed: 0,
            groups: BTreeMap::new(),
        }
    }

    /// A path or table name as printed: personal data in it masked unless values are shown
    /// (see [`crate::names`]).
    fn name(&self, s: &str) -> String {
        crate::names::shown(s, self.opts.show_values).into_owned()
    }

    /// Should this finding be printed, or only counted? Counts it either way.
    fn shown(&mut self, f: &Finding) -> bool {
        let (group, first) = match &f.location {
            Location::Cell { table, column, .. } => (format!("{table}.{column}"), FIRST_PER_COLUMN),
            Location::Path { .. } => (format!("{} in the file name", f.rule), FIRST_PER_TEXT_RULE),
            Location::Name { .. } => (format!("{} in names", f.rule), FIRST_PER_TEXT_RULE),
            _ => (format!("{} in the text", f.rule), FIRST_PER_TEXT_RULE),
        };
        let counts = self.groups.entry(group).or_default();
        if self.opts.all || counts.0 < first {
            counts.0 += 1;
            true
        } else {
            counts.1 += 1;
            false
        }
    }

    /// After an input: how many findings each group held back.
    fn held_back(&mut self) -> io::Result<()> {
        let rest: Vec<(String, u64)> = std::mem::take(&mut self.groups)
            .into_iter()
            .filter(|(_, (_, more))| *more > 0)
            .map(|(g, (_, more))| (g, more))
            .collect();
        if rest.is_empty() {
            return Ok(());
        }
        let total: u64 = rest.iter().map(|(_, n)| n).sum();
        let parts: Vec<String> = rest
            .iter()
            .map(|(g, n)| format!("{} {}", sanitize(&self.name(g)), n))
            .collect();
        writeln!(
            self.out,
            "  … {total} more finding(s) not printed: {} (--all prints every one)",
            parts.join(", ")
        )
    }
}

fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1_000_000_000 => format!("{:.2} GB", n as f64 / 1e9),
        n if n >= 1_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        n if n >= 1_000 => format!("{:.1} kB", n as f64 / 1e3),
        n => format!("{n} B"),
    }
}

impl Sink for TableReporter<'_> {
    /// Prints and keeps no fingerprint: none is computed.
    fn needs_fingerprints(&self) -> bool {
        false
    }
    fn findings(&mut self, batch: &[Finding]) -> io::Result<()> {
        for f in batch {
            if self.current.as_deref() != Some(&*f.path) {
                if self.current.is_some() {
                    writeln!(self.out)?;
                }
                writeln!(self.out, "{}", sanitize(&self.name(&f.path)))?;
                self.current = Some(f.path.to_string());
            }
            if !self.shown(f) {
                continue;
            }
            let r = Record::new(f, self.opts);
            let place = match (r.line, r.byte_start, r.table, r.column, r.row) {
                (Some(l), Some(b), ..) => format!("{l}:{b}"),
                (_, _, Some(t), Some(c), Some(row)) => format!("{}.{c}[{row}]", self.name(t)),
                _ if r.location == Some("path") => "file name".to_string(),
                (_, _, Some(t), None, None) => format!("{} (table name)", self.name(t)),
                (_, _, Some(t), Some(c), None) => {
                    format!("{}.{} (column name)", self.name(t), self.name(c))
                }
                _ => String::new(),
            };
            // line:byte is short; table.column[row] needs room.
            let width = if r.line.is_some() && r.table.is_none() {
                12
            } else {
                28
            };
            write!(
                self.out,
                "  {:<width$} {:<18} {:<7} {:<28} {}",
                sanitize(&place),
                r.rule,
                r.confidence.as_str(),
                sanitize(r.evidence),
                r.category
            )?;
            if let Some(e) = r.explanation {
                write!(
                    self.out,
                    "  [pattern {}; validator {}",
                    e.pattern, e.validator
                )?;
                if let Some(c) = &e.context {
                    write!(self.out, "; context {:?}", sanitize(c))?;
                }
                if let Some(c) = &e.negative_context {
                    write!(self.out, "; lowered by {:?}", sanitize(c))?;
                }
                write!(self.out, "]")?;
            }
            writeln!(self.out)?;
        }
        Ok(())
    }
    fn input_done(&mut self, _report: &InputReport) -> io::Result<()> {
        self.held_back()
    }
    fn columns(
        &mut self,
        input: crate::pipeline::InputName<'_>,
        verdicts: &[crate::detect::column::ColumnVerdict],
    ) -> io::Result<()> {
        self.held_back()?;
        let path = input.path;
        if self.current.as_deref() != Some(path) {
            if self.current.is_some() {
                writeln!(self.out)?;
            }
            writeln!(self.out, "{}", sanitize(&self.name(path)))?;
            self.current = Some(path.to_string());
        }
        self.columns_listed += verdicts.len() as u64;
        writeln!(self.out, "  columns:")?;
        for v in verdicts {
            writeln!(
                self.out,
                "  {:<32} {:<7} {:<40} {}",
                sanitize(&format!("{}.{}", self.name(&v.table), v.column)),
                v.confidence.as_str(),
                v.category,
                sanitize(&v.reason)
            )?;
        }
        Ok(())
    }
}

impl Reporter for TableReporter<'_> {
    fn finish(&mut self, stats: &ScanStats, failed: &[(String, String)]) -> io::Result<()> {
        let s = StatsRecord::new(stats, failed);
        if self.current.is_some() {
            writeln!(self.out)?;
        }
        // A verdict covers what was read: when something was not, the same sentence says so.
        let not_read = match s.skipped {
            0 => String::new(),
            1 => "; 1 input was not scanned (below)".to_string(),
            n => format!("; {n} inputs were not scanned (below)"),
        };
        if s.findings == 0 && self.columns_listed > 0 {
            writeln!(
                self.out,
                "No findings at the chosen confidence, but {} column(s) above are judged to hold personal data{not_read}.",
                self.columns_listed
            )?;
        } else if s.findings == 0 && s.skipped > 0 {
            writeln!(
                self.out,
                "No personal data found at the chosen confidence in the files scanned{not_read}."
            )?;
        } else if s.findings == 0 {
            writeln!(self.out, "No personal data found at the chosen confidence.")?;
        } else {
            writeln!(self.out, "Findings by rule:")?;
            for (rule, (cat, n)) in &stats.per_rule {
                writeln!(self.out, "  {rule:<20} {n:>8}  {cat}")?;
            }
            writeln!(self.out, "Findings by category:")?;
            for (cat, n) in &s.per_category {
                writeln!(self.out, "  {cat:<60} {n:>8}")?;
            }
        }
        let lines = super::skip_lines(stats, &|p| sanitize(&self.name(p)).into_owned());
        if !lines.is_empty() {
            writeln!(self.out, "Not scanned:")?;
            for line in &lines {
                writeln!(self.out, "  {line}")?;
            }
        }
        let skipped = super::skip_summary(stats).unwrap_or_else(|| "0 skipped".to_string());
        writeln!(
            self.out,
            "{} · {} scanned · {skipped} · {} failed · {} in {:.2} s ({:.1} MB/s)",
            super::count(s.findings, "finding", "findings"),
            super::count(s.files, "file", "files"),
            s.errors,
            human_bytes(s.bytes),
            stats.elapsed.as_secs_f64(),
            s.mb_per_s
        )?;
        if !stats.sampled.is_empty() {
            writeln!(
                self.out,
                "Sampled: {} table(s) read in part; findings and \"no personal data\" cover only the rows read:",
                stats.sampled.len()
            )?;
            for (path, t) in stats.sampled.iter().take(20) {
                let t = crate::pipeline::table::SampledTable {
                    table: self.name(&t.table),
                    rows: t.rows,
                };
                writeln!(
                    self.out,
                    "  {}",
                    super::sampled_notice(&self.name(path), &t)
                )?;
            }
            if stats.sampled.len() > 20 {
                writeln!(
                    self.out,
                    "  … and {} more (--format json lists them all)",
                    stats.sampled.len() - 20
                )?;
            }
        }
        let q = s.suppressed;
        if q.any() {
            writeln!(
                self.out,
                "Not reported: {} allowed inline (piiscan:allow), {} by the allowlist, {} in the baseline{}",
                q.inline,
                q.allowlist,
                q.baseline,
                if q.baseline_stale > 0 {
                    format!(
                        " · {} baseline entries no longer found (--write-baseline drops them)",
                        q.baseline_stale
                    )
                } else {
                    String::new()
                }
            )?;
        }
        if !self.opts.show_values && s.findings > 0 {
            writeln!(
                self.out,
                "Values are masked; --show-values prints them in full."
            )?;
        }
        self.out.flush()
    }
}
