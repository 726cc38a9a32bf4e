//! Writing rows in the output formats: CSV/TSV, NDJSON and Parquet (batch by batch, so
//! memory stays bounded). Used when the output format differs from the input's, and for
//! Parquet and NDJSON inputs.

use std::io::{self, Write};

/// Receives the rows of one table.
pub trait RowSink {
    /// The column names (after dropped columns are removed).
    fn begin(&mut self, names: &[String]) -> io::Result<()>;
    /// One row; `None` is NULL.
    fn row(&mut self, cells: &[Option<&str>]) -> io::Result<()>;
    /// The end; returns the rows written.
    fn finish(&mut self) -> io::Result<u64>;
}

/// CSV or TSV.
pub struct CsvRows<W: Write> {
    w: csv::Writer<W>,
    rows: u64,
}

impl<W: Write> CsvRows<W> {
    /// Writes with `delimiter` (`,` or `\t`).
    pub fn new(out: W, delimiter: u8) -> Self {
        CsvRows {
            w: csv::WriterBuilder::new()
                .delimiter(delimiter)
                .from_writer(out),
            rows: 0,
        }
    }
}

fn csv_io(e: csv::Error) -> io::Error {
    io::Error::other(e.to_string())
}

impl<W: Write> RowSink for CsvRows<W> {
    fn begin(&mut self, names: &[String]) -> io::Result<()> {
        self.w.write_record(names).map_err(csv_io)
    }
    fn row(&mut self, cells: &[Option<&str>]) -> io::Result<()> {
        for c in cells {
            self.w.write_field(c.unwrap_or("")).map_err(csv_io)?;
        }
        self.w.write_record(None::<&[u8]>).map_err(csv_io)?;
        self.rows += 1;
        Ok(())
    }
    fn finish(&mut self) -> io::Result<u64> {
        self.w.flush()?;
        Ok(self.rows)
    }
}

/// NDJSON: one object per row, keys in column order, NULL as `null`.
pub struct NdjsonRows<W: Write> {
    out: io::BufWriter<W>,
    names: Vec<String>,
    rows: u64,
}

impl<W: Write> NdjsonRows<W> {
    /// Writes to `out`.
    pub fn new(out: W) -> Self {
        NdjsonRows {
            out: io::BufWriter::with_capacity(256 * 1024, out),
            names: Vec::new(),
            rows: 0,
        }
    }
}

impl<W: Write> RowSink for NdjsonRows<W> {
    fn begin(&mut self, names: &[String]) -> io::Result<()> {
        self.names = names.to_vec();
        Ok(())
    }
    fn row(&mut self, cells: &[Option<&str>]) -> io::Result<()> {
        let mut map = serde_json::Map::with_capacity(cells.len());
        for (name, c) in self.names.iter().zip(cells) {
            map.insert(
                name.clone(),
                c.map_or(serde_json::Value::Null, |s| {
                    serde_json::Value::String(s.to_string())
                }),
            );
        }
        serde_json::to_writer(&mut self.out, &map)?;
        self.out.write_all(b"\n")?;
        self.rows += 1;
        Ok(())
    }
    fn finish(&mut self) -> io::Result<u64> {
        self.out.flush()?;
        Ok(self.rows)
    }
}

/// Parquet through polars, written batch by batch; every column is text.
#[cfg(feature = "parquet")]
pub struct ParquetRows<W: Write> {
    out: Option<W>,
    writer: Option<polars::prelude::BatchedWriter<W>>,
    names: Vec<String>,
    builders: Vec<polars::prelude::StringChunkedBuilder>,
    pending: usize,
    rows: u64,
}

#[cfg(feature = "parquet")]
const PARQUET_BATCH: usize = 131_072;

#[cfg(feature = "parquet")]
fn polars_io(e: polars::prelude::PolarsError) -> io::Error {
    io::Error::other(e.to_string())
}

#[cfg(feature = "parquet")]
impl<W: Write> ParquetRows<W> {
    /// Writes to `out`.
    pub fn new(out: W) -> Self {
        ParquetRows {
            out: Some(out),
            writer: None,
            names: Vec::new(),
            builders: Vec::new(),
            pending: 0,
            rows: 0,
        }
    }

    fn fresh_builders(&mut self) {
        use polars::prelude::*;
        self.builders = self
            .names
            .iter()
            .map(|n| StringChunkedBuilder::new(PlSmallStr::from(n.as_str()), PARQUET_BATCH))
            .collect();
    }

    fn flush_batch(&mut self) -> io::Result<()> {
        use polars::prelude::*;
        if self.pending == 0 && self.writer.is_some() {
            return Ok(());
        }
        let builders = std::mem::take(&mut self.builders);
        let height = self.pending;
        let columns: Vec<Column> = builders
            .into_iter()
            .map(|b| b.finish().into_series().into_column())
            .collect();
        let df = DataFrame::new(height, columns).map_err(polars_io)?;
        if self.writer.is_none() {
            let out = self
                .out
                .take()
                .ok_or_else(|| io::Error::other("writer gone"))?;
            self.writer = Some(
                ParquetWriter::new(out)
                    .with_compression(ParquetCompression::Zstd(None))
                    .batched(df.schema())
                    .map_err(polars_io)?,
            );
        }
        if let Some(w) = self.writer.as_mut() {
            w.write_batch(&df).map_err(polars_io)?;
        }
        self.pending = 0;
        self.fresh_builders();
        Ok(())
    }
}

#[cfg(feature = "parquet")]
impl<W: Write> RowSink for ParquetRows<W> {
    fn begin(&mut self, names: &[String]) -> io::Result<()> {
        self.names = names.to_vec();
        self.fresh_builders();
        Ok(())
    }
    fn row(&mut self, cells: &[Option<&str>]) -> io::Result<()> {
        for (b, c) in self.builders.iter_mut().zip(cells) {
            match c {
                Some(s) => b.append_value(*s),
                None => b.append_null(),
            }
        }
        self.pending += 1;
        self.rows += 1;
        if self.pending >= PARQUET_BATCH {
            self.flush_batch()?;
        }
        Ok(())
    }
    fn finish(&mut self) -> io::Result<u64> {
        self.flush_batch()?;
        if let Some(w) = self.writer.take() {
            w.finish().map_err(polars_io)?;
        }
        Ok(self.rows)
    }
}
