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

/// One column of a [`FrameBuilder`], in its output type.
#[cfg(feature = "parquet")]
enum Builder {
    Text(polars::prelude::StringChunkedBuilder),
    Integer(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Boolean(Vec<Option<bool>>),
    Date(Vec<Option<i32>>),
    Datetime(Vec<Option<i64>>),
}

/// The rows of one block as columns (text, or the types a CSV's columns were found to
/// have: [`super::infer`]), built on a worker thread.
#[cfg(feature = "parquet")]
pub struct FrameBuilder {
    names: Vec<String>,
    builders: Vec<Builder>,
    rows: usize,
    /// The first cell that did not fit its column's type: its row in the block (1-based)
    /// and why.
    problem: Option<(u64, String)>,
}

#[cfg(feature = "parquet")]
impl FrameBuilder {
    /// Empty text columns with these names.
    pub fn new(names: &[String]) -> Self {
        Self::typed(names, &[])
    }

    /// Empty columns with these names and types (text where `types` has none).
    pub fn typed(names: &[String], types: &[super::infer::ColumnType]) -> Self {
        use super::infer::ColumnType;
        use polars::prelude::*;
        let builders = names
            .iter()
            .enumerate()
            .map(
                |(i, n)| match types.get(i).copied().unwrap_or(ColumnType::Text) {
                    ColumnType::Text => Builder::Text(StringChunkedBuilder::new(
                        PlSmallStr::from(n.as_str()),
                        8192,
                    )),
                    ColumnType::Integer => Builder::Integer(Vec::new()),
                    ColumnType::Float => Builder::Float(Vec::new()),
                    ColumnType::Boolean => Builder::Boolean(Vec::new()),
                    ColumnType::Date => Builder::Date(Vec::new()),
                    ColumnType::Datetime => Builder::Datetime(Vec::new()),
                },
            )
            .collect();
        FrameBuilder {
            names: names.to_vec(),
            builders,
            rows: 0,
            problem: None,
        }
    }

    /// Adds a row. A cell that does not fit its column's type is remembered
    /// ([`FrameBuilder::problem`]); an empty cell in a typed column is NULL.
    pub fn push(&mut self, cells: &[Option<&str>]) {
        use super::infer;
        self.rows += 1;
        for (i, (b, c)) in self.builders.iter_mut().zip(cells).enumerate() {
            if let Builder::Text(t) = b {
                match c {
                    Some(s) => t.append_value(*s),
                    None => t.append_null(),
                }
                continue;
            }
            let v = c.filter(|s| !s.is_empty());
            let fits = match b {
                Builder::Integer(x) => push_parsed(x, v, infer::parse_integer),
                Builder::Float(x) => push_parsed(x, v, infer::parse_float),
                Builder::Boolean(x) => push_parsed(x, v, infer::parse_boolean),
                Builder::Date(x) => push_parsed(x, v, infer::parse_date),
                Builder::Datetime(x) => push_parsed(x, v, infer::parse_datetime),
                Builder::Text(_) => true,
            };
            if !fits && self.problem.is_none() {
                self.problem = Some((
                    self.rows as u64,
                    format!(
                        "column {}: a value that is not of the column's type (the policy's method changed its form)",
                        self.names.get(i).map_or("?", String::as_str)
                    ),
                ));
            }
        }
    }

    /// The first cell that did not fit its column's type: its row in the block and why.
    pub fn problem(&self) -> Option<&(u64, String)> {
        self.problem.as_ref()
    }

    fn finish(self) -> polars::prelude::PolarsResult<polars::prelude::DataFrame> {
        use polars::prelude::*;
        let mut columns: Vec<Column> = Vec::with_capacity(self.builders.len());
        for (name, b) in self.names.iter().zip(self.builders) {
            let name = PlSmallStr::from(name.as_str());
            let series = match b {
                Builder::Text(t) => t.finish().into_series(),
                Builder::Integer(v) => Series::new(name, v),
                Builder::Float(v) => Series::new(name, v),
                Builder::Boolean(v) => Series::new(name, v),
                Builder::Date(v) => Series::new(name, v).cast(&DataType::Date)?,
                Builder::Datetime(v) => {
                    Series::new(name, v).cast(&DataType::Datetime(TimeUnit::Microseconds, None))?
                }
            };
            columns.push(series.into_column());
        }
        DataFrame::new(self.rows, columns)
    }
}

/// Appends `v` parsed (NULL for `None`); false when it does not parse.
#[cfg(feature = "parquet")]
fn push_parsed<T>(to: &mut Vec<Option<T>>, v: Option<&str>, parse: fn(&str) -> Option<T>) -> bool {
    match v {
        None => {
            to.push(None);
            true
        }
        Some(s) => {
            let p = parse(s);
            let fits = p.is_some();
            to.push(p);
            fits
        }
    }
}

/// Rows in a Parquet row group (blocks are gathered up to this many).
#[cfg(feature = "parquet")]
const ROW_GROUP: usize = 131_072;

#[cfg(feature = "parquet")]
fn polars_io(e: polars::prelude::PolarsError) -> io::Error {
    io::Error::other(e.to_string())
}

/// Writes frames to Parquet (zstd) in row groups of about [`ROW_GROUP`] rows, in the frames'
/// column types.
#[cfg(feature = "parquet")]
pub struct ParquetFrames<W: Write> {
    out: Option<W>,
    names: Vec<String>,
    types: Vec<super::infer::ColumnType>,
    writer: Option<polars::prelude::BatchedWriter<W>>,
    pending: Option<polars::prelude::DataFrame>,
}

#[cfg(feature = "parquet")]
impl<W: Write> ParquetFrames<W> {
    /// Writes text columns to `out`.
    pub fn new(out: W, names: &[String]) -> Self {
        Self::typed(out, names, &[])
    }

    /// Writes columns of these types to `out` (the frames pushed are built with them).
    pub fn typed(out: W, names: &[String], types: &[super::infer::ColumnType]) -> Self {
        ParquetFrames {
            out: Some(out),
            names: names.to_vec(),
            types: types.to_vec(),
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
            None if self.writer.is_none() => Some(
                FrameBuilder::typed(&self.names, &self.types)
                    .finish()
                    .map_err(polars_io)?,
            ),
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
