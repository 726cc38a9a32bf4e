//! `--format json`: one document with `findings`, `inventory` and `stats`. Findings are written
//! as they arrive (the array is streamed), so memory does not grow with their number.

use super::{InventoryBuilder, Record, ReportOptions, Reporter, StatsRecord};
use crate::finding::Finding;
use crate::pipeline::{InputReport, ScanStats, Sink};
use std::io::{self, Write};

/// Writes the JSON document.
pub struct JsonReporter<'w> {
    out: io::BufWriter<Box<dyn Write + 'w>>,
    opts: ReportOptions,
    first: bool,
    started: bool,
    inventory: InventoryBuilder,
}

impl<'w> JsonReporter<'w> {
    /// A reporter writing to `out`.
    pub fn new(out: Box<dyn Write + 'w>, opts: ReportOptions) -> Self {
        JsonReporter {
            out: io::BufWriter::with_capacity(256 * 1024, out),
            opts,
            first: true,
            started: false,
            inventory: InventoryBuilder::default(),
        }
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.out.write_all(b"{\n\"findings\": [")?;
            self.started = true;
        }
        Ok(())
    }
}

impl Sink for JsonReporter<'_> {
    fn findings(&mut self, batch: &[Finding]) -> io::Result<()> {
        self.start()?;
        for f in batch {
            self.out
                .write_all(if self.first { b"\n  " } else { b",\n  " })?;
            self.first = false;
            serde_json::to_writer(&mut self.out, &Record::new(f, self.opts))?;
        }
        self.inventory.add(batch);
        Ok(())
    }
    fn input_done(&mut self, report: &InputReport) -> io::Result<()> {
        self.inventory.input_done(&report.path);
        Ok(())
    }
    fn columns(
        &mut self,
        input: crate::pipeline::InputName<'_>,
        verdicts: &[crate::detect::column::ColumnVerdict],
    ) -> io::Result<()> {
        let path = input.path;
        self.inventory.add_columns(path, verdicts);
        Ok(())
    }
}

impl Reporter for JsonReporter<'_> {
    fn finish(&mut self, stats: &ScanStats, failed: &[(String, String)]) -> io::Result<()> {
        self.start()?;
        self.out.write_all(b"\n],\n\"inventory\": ")?;
        serde_json::to_writer_pretty(&mut self.out, self.inventory.entries())?;
        self.out.write_all(b",\n\"stats\": ")?;
        serde_json::to_writer_pretty(&mut self.out, &StatsRecord::new(stats, failed))?;
        self.out.write_all(b"\n}\n")?;
        self.out.flush()
    }
}
