//! `--format csv`: one row per finding with the contract's fields, RFC 4180 quoting.

use super::{Record, ReportOptions, Reporter};
use crate::finding::Finding;
use crate::pipeline::{InputReport, ScanStats, Sink};
use std::io::{self, Write};

const HEADER: &str = "path,rule,category,confidence,line,byte_start,byte_end,table,column,row,evidence,fingerprint\n";

/// Writes CSV.
pub struct CsvReporter<'w> {
    out: io::BufWriter<Box<dyn Write + 'w>>,
    opts: ReportOptions,
    header_written: bool,
}

impl<'w> CsvReporter<'w> {
    /// A reporter writing to `out`.
    pub fn new(out: Box<dyn Write + 'w>, opts: ReportOptions) -> Self {
        CsvReporter {
            out: io::BufWriter::new(out),
            opts,
            header_written: false,
        }
    }

    fn header(&mut self) -> io::Result<()> {
        if !self.header_written {
            self.out.write_all(HEADER.as_bytes())?;
            self.header_written = true;
        }
        Ok(())
    }
}

/// A field starting with `=`, `+`, `-` or `@` gets a `'` in front, so spreadsheets do not run
/// it as a formula.
pub fn formula_guard(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@']) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Quotes a field when it holds a comma, a quote or a line break, after [`formula_guard`].
pub fn field(s: &str) -> String {
    let s = formula_guard(s).into_owned();
    if s.contains([',', '"', '\n', '\r', ';']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

impl Sink for CsvReporter<'_> {
    fn findings(&mut self, batch: &[Finding]) -> io::Result<()> {
        self.header()?;
        for f in batch {
            let r = Record::new(f, self.opts);
            writeln!(
                self.out,
                "{},{},{},{},{},{},{},{},{},{},{},{}",
                field(r.path),
                r.rule,
                r.category,
                r.confidence,
                opt(r.line),
                opt(r.byte_start),
                opt(r.byte_end),
                field(r.table.unwrap_or("")),
                field(r.column.unwrap_or("")),
                opt(r.row),
                field(r.evidence),
                r.fingerprint
            )?;
        }
        Ok(())
    }
    fn input_done(&mut self, _report: &InputReport) -> io::Result<()> {
        Ok(())
    }
}

impl Reporter for CsvReporter<'_> {
    fn finish(&mut self, _stats: &ScanStats, _failed: &[(String, String)]) -> io::Result<()> {
        self.header()?;
        // One record per finding leaves no room for totals: the command prints the skips on
        // standard error (see [`super::skip_notices`]).
        self.out.flush()
    }
}
