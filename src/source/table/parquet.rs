//! Parquet through polars, row group by row group: the file's footer is read once, then each
//! row group is decoded on its own (split further when it is very large), so files larger than
//! memory work and no row group is decoded twice.
//! Every column is cast to text for scanning; nested columns are read as dotted paths, as
//! JSON is: a struct's fields as `address.city`, a list's elements joined into one cell
//! (`tags[]`), a list of structs per field (`orders[].email`), a map as `m[].key`/`m[].value`.
//! The footer's key-value metadata (pandas' and Arrow's schema metadata, and whatever a writer
//! put there) is read too, as a table of one row, [`METADATA_TABLE`]: each key a column (so a
//! key is scanned as a column name is), each value its cell; for Arrow's schema (`ARROW:schema`)
//! the cell is what only it holds, the fields' own metadata.

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
    let metadata = head.get_metadata().map_err(to_io)?.clone();
    let schema = head.schema().map_err(to_io)?;
    if let Some(pairs) = metadata.key_value_metadata() {
        let fields: Vec<&ArrowField> = schema.iter_values().collect();
        read_key_values(
            pairs
                .iter()
                .map(|kv| (kv.key.as_str(), kv.value.as_deref())),
            &fields,
            sink,
        );
    }
    let total = head.num_rows().map_err(to_io)?;
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

/// The table a Parquet file's footer key-value metadata is reported as.
pub const METADATA_TABLE: &str = "key_value_metadata";

/// The footer key whose value is Arrow's IPC schema in base64.
const ARROW_SCHEMA_KEY: &str = "ARROW:schema";

/// The metadata of `field` and of the fields inside it, as `name: key=value` lines.
fn field_metadata(path: &str, field: &ArrowField, out: &mut String) {
    use polars::prelude::ArrowDataType as T;
    let path = if path.is_empty() {
        field.name.to_string()
    } else {
        format!("{path}.{}", field.name)
    };
    if let Some(meta) = &field.metadata {
        for (k, v) in meta.iter() {
            out.push_str(&format!("{path}: {k}={v}\n"));
        }
    }
    match field.dtype() {
        T::Struct(fields) => {
            for f in fields {
                field_metadata(&path, f, out);
            }
        }
        T::List(inner) | T::LargeList(inner) | T::FixedSizeList(inner, _) | T::Map(inner, _) => {
            field_metadata(&path, inner, out)
        }
        _ => {}
    }
}

/// Reports the footer's key-value metadata as the one-row table [`METADATA_TABLE`]. Arrow's
/// schema repeats the footer's metadata and the column names (both read already); what only
/// it holds, the fields' own metadata, is its cell (from `fields`, the decoded schema).
fn read_key_values<'k>(
    pairs: impl Iterator<Item = (&'k str, Option<&'k str>)>,
    fields: &[&ArrowField],
    sink: &mut dyn TableSink,
) {
    let mut keys: Vec<String> = Vec::new();
    let mut values: Vec<Option<Vec<u8>>> = Vec::new();
    for (key, value) in pairs {
        let value = match key {
            ARROW_SCHEMA_KEY => {
                let mut text = String::new();
                for f in fields {
                    field_metadata("", f, &mut text);
                }
                (!text.is_empty()).then(|| text.into_bytes())
            }
            _ => value.map(|v| v.as_bytes().to_vec()),
        };
        keys.push(key.to_string());
        values.push(value);
    }
    if keys.is_empty() {
        return;
    }
    sink.begin(METADATA_TABLE, &keys);
    let cells: Vec<Option<&[u8]>> = values.iter().map(|v| v.as_deref()).collect();
    sink.row(&cells);
    sink.end();
}
