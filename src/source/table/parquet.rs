//! Parquet through polars, row group by row group: the file's footer is read once, then each
//! row group is decoded on its own (split further when it is very large), so files larger than
//! memory work and no row group is decoded twice.
//! Every column is cast to text for scanning; nested columns are read as dotted paths, as
//! JSON is: a struct's fields as `address.city`, a list's elements joined into one cell
//! (`tags[]`), a list of structs per field (`orders[].email`), a map as `m[].key`/`m[].value`.

use super::TableSink;
use polars::prelude::*;
use std::fs::File;
use std::io;
use std::path::Path;

/// The most rows decoded at once; a larger row group is read in slices of this size.
const MAX_BATCH_ROWS: usize = 262_144;

/// The leaf columns of a (possibly nested) column, as dotted paths.
fn leaf_names(name: &str, dtype: &DataType, out: &mut Vec<String>) {
    match dtype {
        DataType::Struct(fields) => {
            for f in fields {
                leaf_names(&format!("{name}.{}", f.name()), f.dtype(), out);
            }
        }
        DataType::List(inner) => leaf_names(&format!("{name}[]"), inner, out),
        _ => out.push(name.to_string()),
    }
}

/// The text of every leaf column of `s`, one entry per row each (in [`leaf_names`] order).
fn render(s: &Series, out: &mut Vec<Vec<Option<String>>>) -> PolarsResult<()> {
    match s.dtype() {
        DataType::Struct(_) => {
            for field in s.struct_()?.fields_as_series() {
                render(&field, out)?;
            }
        }
        DataType::List(inner) => {
            let mut names = Vec::new();
            leaf_names("", inner, &mut names);
            let first = out.len();
            out.extend((0..names.len()).map(|_| Vec::with_capacity(s.len())));
            for item in s.list()?.series_iter() {
                let mut parts: Vec<Vec<Option<String>>> = Vec::with_capacity(names.len());
                if let Some(sub) = &item {
                    render(sub, &mut parts)?;
                }
                for (j, col) in out[first..].iter_mut().enumerate() {
                    let values: Vec<String> = parts
                        .get_mut(j)
                        .map(|p| p.drain(..).flatten().collect())
                        .unwrap_or_default();
                    col.push((!values.is_empty()).then(|| values.join("; ")));
                }
            }
        }
        DataType::Binary => {
            out.push(
                s.binary()?
                    .iter()
                    .map(|v| v.map(|b| String::from_utf8_lossy(b).into_owned()))
                    .collect(),
            );
        }
        _ => {
            let text = s.cast(&DataType::String)?;
            out.push(text.str()?.iter().map(|v| v.map(str::to_string)).collect());
        }
    }
    Ok(())
}

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
    let mut columns: Vec<String> = Vec::new();
    for (name, dtype) in schema.iter() {
        leaf_names(name, &DataType::from_arrow_field(dtype), &mut columns);
    }
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
        let mut texts: Vec<Vec<Option<String>>> = Vec::with_capacity(columns.len());
        for c in df.columns() {
            render(c.as_materialized_series(), &mut texts).map_err(to_io)?;
        }
        let mut cells: Vec<Option<&[u8]>> = Vec::with_capacity(texts.len());
        for i in 0..df.height() {
            cells.clear();
            cells.extend(
                texts
                    .iter()
                    .map(|c| c.get(i).and_then(Option::as_deref).map(str::as_bytes)),
            );
            if !sink.row(&cells) {
                sink.end();
                return Ok(());
            }
        }
    }
    sink.end();
    Ok(())
}
