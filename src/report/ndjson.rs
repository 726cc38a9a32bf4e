//! `--format ndjson`: one JSON object per finding per line, with the fields of the finding
//! contract. Nothing else goes to standard output, so the stream can be piped into `jq`.

use super::{Record, ReportOptions, Reporter};
use crate::finding::Finding;
use crate::pipeline::{InputReport, ScanStats, Sink};
use std::io::{self, Write};

/// Writes NDJSON.
pub struct NdjsonReporter<'w> {
    out: io::BufWriter<Box<dyn Write + 'w>>,
    opts: ReportOptions,
}

impl<'w> NdjsonReporter<'w> {
    /// A reporter writing to `out`.
    pub fn new(out: Box<dyn Write + 'w>, opts: ReportOptions) -> Self {
        NdjsonReporter {
            out: io::BufWriter::with_capacity(256 * 1024, out),
            opts,
        }
    }
}

impl Sink for NdjsonReporter<'_> {
    fn findings(&mut self, batch: &[Finding]) -> io::Result<()> {
        for f in batch {
            serde_json::to_writer(&mut self.out, &Record::new(f, self.opts))?;
            self.out.write_all(b"\n")?;
        }
        Ok(())
    }
    fn input_done(&mut self, _report: &InputReport) -> io::Result<()> {
        Ok(())
    }
}

impl Reporter for NdjsonReporter<'_> {
    fn finish(&mut self, _stats: &ScanStats, _failed: &[(String, String)]) -> io::Result<()> {
        // One record per finding leaves no room for totals: the command prints the skips on
        // standard error (see [`super::skip_notices`]).
        self.out.flush()
    }
}
