//! Parquet through polars, batch by batch: the file's footer is read once, then slices of
//! rows are decoded (only the row groups a slice touches), so files larger than memory work.
//! Every column is cast to text for scanning; nested types are shown as polars prints them.

use super::TableSink;
use polars::prelude::*;
use std::fs::File;
use std::io;
use std::path::Path;

const BATCH_ROWS: usize = 8_192;

fn to_io(e: PolarsError) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

/// Reads a Parquet file as one table named `table` (at most `limit` rows; 0: all).
///
/// # Errors
/// The file is not readable Parquet.
pub fn read(path: &Path, table: &str, limit: u64, sink: &mut dyn TableSink) -> io::Result<()> {
    let mut head = ParquetReader::new(File::open(path)?);
    let total = head.num_rows().map_err(to_io)?;
    let metadata = head.get_metadata().map_err(to_io)?.clone();
    let schema = head.schema().map_err(to_io)?;
    let columns: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    sink.begin(table, &columns);
    let rows = if limit > 0 {
        total.min(limit as usize)
    } else {
        total
    };
    let mut offset = 0;
    while offset < rows {
        let len = BATCH_ROWS.min(rows - offset);
        let mut reader = ParquetReader::new(File::open(path)?).with_slice(Some((offset, len)));
        reader.set_metadata(metadata.clone());
        let df = reader.finish().map_err(to_io)?;
        let texts: Vec<StringChunked> = df
            .columns()
            .iter()
            .map(|c| {
                c.as_materialized_series()
                    .cast(&DataType::String)
                    .and_then(|s| s.str().cloned())
            })
            .collect::<PolarsResult<_>>()
            .map_err(to_io)?;
        let mut cells: Vec<Option<&[u8]>> = Vec::with_capacity(texts.len());
        for i in 0..df.height() {
            cells.clear();
            cells.extend(texts.iter().map(|c| c.get(i).map(str::as_bytes)));
            if !sink.row(&cells) {
                sink.end();
                return Ok(());
            }
        }
        offset += len;
    }
    sink.end();
    Ok(())
}
