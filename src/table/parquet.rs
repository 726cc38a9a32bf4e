//! Parquet through polars, row group by row group: the file's footer is read once, then each
//! row group is decoded on its own (split further when it is very large), so files larger than
//! memory work and no row group is decoded twice.
//! Every column is cast to text for scanning; nested types are shown as polars prints them.

use super::TableSink;
use polars::prelude::*;
use std::fs::File;
use std::io;
use std::path::Path;

/// The most rows decoded at once; a larger row group is read in slices of this size.
const MAX_BATCH_ROWS: usize = 262_144;

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
    sink.total_rows(total as u64);
    let rows = if limit > 0 {
        total.min(limit as usize)
    } else {
        total
    };
    // Slices that follow the row groups: each is decoded once.
    let mut slices = Vec::new();
    let mut start = 0;
    for group in &metadata.row_groups {
        let mut left = group.num_rows();
        while left > 0 && start < rows {
            let len = left.min(MAX_BATCH_ROWS).min(rows - start);
            slices.push((start, len));
            start += len;
            left -= len.min(left);
        }
    }
    for (offset, len) in slices {
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
    }
    sink.end();
    Ok(())
}
