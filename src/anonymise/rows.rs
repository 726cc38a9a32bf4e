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

/// Writes one row as a JSON object (keys in column order, NULL as `null`) and a newline.
///
/// # Errors
/// Writing failed.
pub fn ndjson_line(
    names: &[String],
    cells: &[Option<&str>],
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut map = serde_json::Map::with_capacity(cells.len());
    for (name, c) in names.iter().zip(cells) {
        map.insert(
            name.clone(),
            c.map_or(serde_json::Value::Null, |s| {
                serde_json::Value::String(s.to_string())
            }),
        );
    }
    serde_json::to_writer(&mut *out, &map)?;
    out.write_all(b"\n")
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
        ndjson_line(&self.names, cells, &mut self.out)?;
        self.rows += 1;
        Ok(())
    }
    fn finish(&mut self) -> io::Result<u64> {
        self.out.flush()?;
        Ok(self.rows)
    }
}

/// The rows of one block as text columns, built on a worker thread.
#[cfg(feature = "parquet")]
pub struct FrameBuilder {
    builders: Vec<polars::prelude::StringChunkedBuilder>,
    rows: usize,
}

#[cfg(feature = "parquet")]
impl FrameBuilder {
    /// Empty columns with these names.
    pub fn new(names: &[String]) -> Self {
        use polars::prelude::*;
        FrameBuilder {
            builders: names
                .iter()
                .map(|n| StringChunkedBuilder::new(PlSmallStr::from(n.as_str()), 8192))
                .collect(),
            rows: 0,
        }
    }

    /// Adds a row.
    pub fn push(&mut self, cells: &[Option<&str>]) {
        for (b, c) in self.builders.iter_mut().zip(cells) {
            match c {
                Some(s) => b.append_value(*s),
                None => b.append_null(),
            }
        }
        self.rows += 1;
    }

    fn finish(self) -> polars::prelude::PolarsResult<polars::prelude::DataFrame> {
        use polars::prelude::*;
        let columns: Vec<Column> = self
            .builders
            .into_iter()
            .map(|b| b.finish().into_series().into_column())
            .collect();
        DataFrame::new(self.rows, columns)
    }
}

/// Rows in a Parquet row group (blocks are gathered up to this many).
#[cfg(feature = "parquet")]
const ROW_GROUP: usize = 131_072;

#[cfg(feature = "parquet")]
fn polars_io(e: polars::prelude::PolarsError) -> io::Error {
    io::Error::other(e.to_string())
}

/// Writes frames to Parquet (zstd) in row groups of about [`ROW_GROUP`] rows; every column is
/// text.
#[cfg(feature = "parquet")]
pub struct ParquetFrames<W: Write> {
    out: Option<W>,
    names: Vec<String>,
    writer: Option<polars::prelude::BatchedWriter<W>>,
    pending: Option<polars::prelude::DataFrame>,
}

#[cfg(feature = "parquet")]
impl<W: Write> ParquetFrames<W> {
    /// Writes to `out`.
    pub fn new(out: W, names: &[String]) -> Self {
        ParquetFrames {
            out: Some(out),
            names: names.to_vec(),
            writer: None,
            pending: None,
        }
    }

    fn write(&mut self, df: &polars::prelude::DataFrame) -> io::Result<()> {
        use polars::prelude::*;
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
        match self.writer.as_mut() {
            Some(w) => w.write_batch(df).map_err(polars_io),
            None => Ok(()),
        }
    }

    /// Adds a block's frame; writes a row group when enough rows are gathered.
    pub fn push(&mut self, frame: FrameBuilder) -> io::Result<()> {
        let df = frame.finish().map_err(polars_io)?;
        let gathered = match self.pending.take() {
            Some(mut p) => {
                p.vstack_mut(&df).map_err(polars_io)?;
                p
            }
            None => df,
        };
        if gathered.height() >= ROW_GROUP {
            let mut g = gathered;
            g.rechunk_mut();
            self.write(&g)?;
        } else {
            self.pending = Some(gathered);
        }
        Ok(())
    }

    /// Writes what is left and the footer.
    pub fn finish(&mut self) -> io::Result<()> {
        let last = match self.pending.take() {
            Some(p) => Some(p),
            None if self.writer.is_none() => {
                Some(FrameBuilder::new(&self.names).finish().map_err(polars_io)?)
            }
            None => None,
        };
        if let Some(mut p) = last {
            p.rechunk_mut();
            self.write(&p)?;
        }
        if let Some(w) = self.writer.take() {
            w.finish().map_err(polars_io)?;
        }
        Ok(())
    }
}

/// Rows to Parquet: gathered in frames of [`ROW_GROUP`] rows (for inputs read row by row).
#[cfg(feature = "parquet")]
pub struct ParquetRows<W: Write> {
    frames: Option<ParquetFrames<W>>,
    out: Option<W>,
    names: Vec<String>,
    current: Option<FrameBuilder>,
    rows: u64,
}

#[cfg(feature = "parquet")]
impl<W: Write> ParquetRows<W> {
    /// Writes to `out`.
    pub fn new(out: W) -> Self {
        ParquetRows {
            frames: None,
            out: Some(out),
            names: Vec::new(),
            current: None,
            rows: 0,
        }
    }
}

#[cfg(feature = "parquet")]
impl<W: Write> RowSink for ParquetRows<W> {
    fn begin(&mut self, names: &[String]) -> io::Result<()> {
        self.names = names.to_vec();
        let out = self
            .out
            .take()
            .ok_or_else(|| io::Error::other("begun twice"))?;
        self.frames = Some(ParquetFrames::new(out, names));
        self.current = Some(FrameBuilder::new(names));
        Ok(())
    }
    fn row(&mut self, cells: &[Option<&str>]) -> io::Result<()> {
        let full = match self.current.as_mut() {
            Some(b) => {
                b.push(cells);
                b.rows >= ROW_GROUP
            }
            None => return Err(io::Error::other("row before begin")),
        };
        self.rows += 1;
        if full {
            let frame = self.current.replace(FrameBuilder::new(&self.names));
            if let (Some(f), Some(frames)) = (frame, self.frames.as_mut()) {
                frames.push(f)?;
            }
        }
        Ok(())
    }
    fn finish(&mut self) -> io::Result<u64> {
        if let (Some(f), Some(frames)) = (self.current.take(), self.frames.as_mut()) {
            if f.rows > 0 {
                frames.push(f)?;
            }
        }
        if let Some(frames) = self.frames.as_mut() {
            frames.finish()?;
        }
        Ok(self.rows)
    }
}
