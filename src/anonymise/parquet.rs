//! Parquet through polars, slice by slice (row groups, split when large), so a file larger
//! than memory works. Columns without a transform keep their type; transformed ones become
//! text; dropped ones go. The output is Parquet (zstd), or rows for CSV and NDJSON.

use super::delimited::TableOutcome;
use super::plan::{Detection, TablePlan};
use super::policy::Policy;
use super::rows::RowSink;
use polars::prelude::*;
use std::fs::File;
use std::io::Write;
use std::path::Path;

const MAX_BATCH_ROWS: usize = 262_144;

fn perr(path: &Path) -> impl Fn(PolarsError) -> crate::Error + '_ {
    move |e| crate::Error::Usage(format!("{}: {e}", path.display()))
}

/// Where transformed batches go.
pub enum Target<'a, W: Write> {
    /// A Parquet file.
    Parquet(W),
    /// Rows (CSV, NDJSON).
    Rows(&'a mut dyn RowSink),
}

/// Rewrites a Parquet file.
///
/// # Errors
/// Unreadable Parquet, write errors, values that fail with `on_invalid = "fail"`.
pub fn rewrite<W: Write>(
    path: &Path,
    target: Target<'_, W>,
    policy: &Policy,
    found: &Detection,
    table: &str,
) -> crate::Result<TableOutcome> {
    let err = perr(path);
    let file = File::open(path).map_err(|e| crate::Error::io(path, e))?;
    let mut head = ParquetReader::new(file);
    let total = head.num_rows().map_err(&err)?;
    let metadata = head.get_metadata().map_err(&err)?.clone();
    let schema = head.schema().map_err(&err)?;
    let names: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    let mut plan = TablePlan::new(policy, table, &names, found)?;
    let kept: Vec<usize> = (0..names.len())
        .filter(|&i| !plan.dropped(policy, i))
        .collect();
    let mut slices = Vec::new();
    let mut start = 0;
    for group in &metadata.row_groups {
        let mut left = group.num_rows();
        while left > 0 && start < total {
            let len = left.min(MAX_BATCH_ROWS);
            slices.push((start, len));
            start += len;
            left -= len;
        }
    }
    let (mut parquet_out, rows_sink) = match target {
        Target::Parquet(w) => (Some(w), None),
        Target::Rows(s) => (None, Some(s)),
    };
    let mut rows_sink = rows_sink;
    if let Some(s) = rows_sink.as_mut() {
        let kept_names: Vec<String> = kept.iter().map(|&i| names[i].clone()).collect();
        s.begin(&kept_names)
            .map_err(|e| crate::Error::Usage(format!("{table}: {e}")))?;
    }
    let mut writer: Option<BatchedWriter<W>> = None;
    let (mut rows_in, mut rows_out) = (0u64, 0u64);
    for (offset, len) in slices {
        let file = File::open(path).map_err(|e| crate::Error::io(path, e))?;
        let mut reader = ParquetReader::new(file).with_slice(Some((offset, len)));
        reader.set_metadata(metadata.clone());
        let df = reader.finish().map_err(&err)?;
        let height = df.height();
        rows_in += height as u64;
        // Text of every column a transform reads (its own, and an entity column).
        let needs_text: Vec<bool> = (0..names.len())
            .map(|i| {
                plan.actions[i].is_some() || plan.entity.contains(&Some(i)) || rows_sink.is_some()
            })
            .collect();
        let texts: Vec<Option<StringChunked>> = df
            .columns()
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if needs_text[i] {
                    c.as_materialized_series()
                        .cast(&DataType::String)
                        .and_then(|s| s.str().cloned())
                        .map(Some)
                } else {
                    Ok(None)
                }
            })
            .collect::<PolarsResult<_>>()
            .map_err(&err)?;
        let get_text = |j: usize, row: usize| -> Option<String> {
            texts.get(j)?.as_ref()?.get(row).map(str::to_string)
        };
        if let Some(sink) = rows_sink.as_mut() {
            for row in 0..height {
                let mut cells: Vec<Option<String>> = Vec::with_capacity(kept.len());
                for &i in &kept {
                    let v = texts[i].as_ref().and_then(|t| t.get(row));
                    let out = plan.cell(policy, i, v, |j| get_text(j, row)).map_err(|e| {
                        crate::Error::Usage(format!(
                            "{table}: row {}: column {}: {}",
                            rows_out + row as u64 + 1,
                            e.column,
                            e.why
                        ))
                    })?;
                    cells.push(out.map(|c| c.into_owned()));
                }
                let refs: Vec<Option<&str>> = cells.iter().map(|c| c.as_deref()).collect();
                sink.row(&refs)
                    .map_err(|e| crate::Error::Usage(format!("{table}: {e}")))?;
            }
            rows_out += height as u64;
            continue;
        }
        let mut columns: Vec<Column> = Vec::with_capacity(kept.len());
        for &i in &kept {
            let original = &df.columns()[i];
            if plan.actions[i].is_none() {
                columns.push(original.clone());
                continue;
            }
            let mut b = StringChunkedBuilder::new(PlSmallStr::from(names[i].as_str()), height);
            let text = texts[i].as_ref();
            for row in 0..height {
                let v = text.and_then(|t| t.get(row));
                let out = plan.cell(policy, i, v, |j| get_text(j, row)).map_err(|e| {
                    crate::Error::Usage(format!(
                        "{table}: row {}: column {}: {}",
                        rows_out + row as u64 + 1,
                        e.column,
                        e.why
                    ))
                })?;
                match out {
                    Some(s) => b.append_value(s.as_ref()),
                    None => b.append_null(),
                }
            }
            columns.push(b.finish().into_series().into_column());
        }
        let out_df = DataFrame::new(height, columns).map_err(&err)?;
        if writer.is_none() {
            let w = parquet_out
                .take()
                .ok_or_else(|| crate::Error::Usage(format!("{table}: writer gone")))?;
            writer = Some(
                ParquetWriter::new(w)
                    .with_compression(ParquetCompression::Zstd(None))
                    .batched(out_df.schema())
                    .map_err(&err)?,
            );
        }
        if let Some(w) = writer.as_mut() {
            w.write_batch(&out_df).map_err(&err)?;
        }
        rows_out += out_df.height() as u64;
    }
    let header = rows_sink.is_some();
    if let Some(sink) = rows_sink {
        rows_out = sink
            .finish()
            .map_err(|e| crate::Error::Usage(format!("{table}: {e}")))?;
    } else if let Some(w) = writer.take() {
        w.finish().map_err(&err)?;
    } else if let Some(w) = parquet_out.take() {
        // No rows: an empty file with the kept columns.
        let cols: Vec<Column> = kept
            .iter()
            .map(|&i| Column::new_empty(PlSmallStr::from(names[i].as_str()), &DataType::String))
            .collect();
        let mut df = DataFrame::new(0, cols).map_err(&err)?;
        ParquetWriter::new(w).finish(&mut df).map_err(&err)?;
    }
    Ok(TableOutcome {
        table: table.to_string(),
        rows_in,
        rows_out,
        columns: plan.into_reports(),
        header,
    })
}
