//! CSV and TSV, streamed. The input is cut into blocks at record boundaries (a newline outside
//! quotes), blocks are parsed and transformed on worker threads, and written in order, so a
//! file larger than memory works and both cores help. Fields without a transform are copied
//! as read; dropped columns leave the header and every row.

use super::plan::{Detection, TablePlan};
use super::policy::Policy;
use super::rows::RowSink;
use std::io::{self, Read, Write};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// Raw bytes per block.
const BLOCK: usize = 1 << 20;

/// What rewriting one table did.
#[derive(Debug, Default)]
pub struct TableOutcome {
    /// The table.
    pub table: String,
    /// Data rows read.
    pub rows_in: u64,
    /// Data rows written.
    pub rows_out: u64,
    /// Counts per transformed column.
    pub columns: Vec<super::plan::ColumnReport>,
}

/// Reads the next block: whole records only (the rest is carried to the next call).
fn next_block(reader: &mut dyn Read, carry: &mut Vec<u8>) -> io::Result<Option<Vec<u8>>> {
    let mut block = std::mem::take(carry);
    let start = block.len();
    block.resize(start + BLOCK, 0);
    let mut filled = start;
    while filled < block.len() {
        match reader.read(&mut block[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    block.truncate(filled);
    if block.is_empty() {
        return Ok(None);
    }
    if filled < start + BLOCK {
        return Ok(Some(block)); // the end of the input
    }
    // The last newline outside quotes: quotes before it are even in number ("" counts two).
    let mut quotes = memchr::memchr_iter(b'"', &block).count();
    let mut end = block.len();
    let mut cut = None;
    while let Some(nl) = memchr::memrchr(b'\n', &block[..end]) {
        quotes -= memchr::memchr_iter(b'"', &block[nl..end]).count();
        if quotes % 2 == 0 {
            cut = Some(nl + 1);
            break;
        }
        end = nl;
    }
    match cut {
        Some(c) => {
            carry.extend_from_slice(&block[c..]);
            block.truncate(c);
            Ok(Some(block))
        }
        None => {
            // One record longer than a block: read on.
            *carry = block;
            next_block(reader, carry)
        }
    }
}

fn csv_reader(bytes: &[u8], delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
}

fn bad(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

/// Transforms the records of one block into CSV bytes; returns the bytes and the rows.
/// An error carries the row within the block.
fn transform_block(
    block: &[u8],
    delimiter_in: u8,
    delimiter_out: u8,
    policy: &Policy,
    plan: &mut TablePlan,
) -> Result<(Vec<u8>, u64), (u64, String)> {
    let mut rd = csv_reader(block, delimiter_in);
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter_out)
        .from_writer(Vec::with_capacity(block.len() + block.len() / 8));
    let mut rec = csv::ByteRecord::new();
    let mut rows = 0u64;
    loop {
        match rd.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err((rows + 1, e.to_string())),
        }
        rows += 1;
        for (i, field) in rec.iter().enumerate() {
            if plan.dropped(policy, i) {
                continue;
            }
            if plan.actions.get(i).copied().flatten().is_none() {
                w.write_field(field).map_err(|e| (rows, e.to_string()))?;
                continue;
            }
            let text = String::from_utf8_lossy(field);
            let get = |j: usize| rec.get(j).map(|b| String::from_utf8_lossy(b).into_owned());
            let out = plan
                .cell(policy, i, Some(&text), get)
                .map_err(|e| (rows, format!("column {}: {}", e.column, e.why)))?;
            w.write_field(out.as_deref().unwrap_or(""))
                .map_err(|e| (rows, e.to_string()))?;
        }
        w.write_record(None::<&[u8]>)
            .map_err(|e| (rows, e.to_string()))?;
    }
    let bytes = w.into_inner().map_err(|e| (rows, e.to_string()))?;
    Ok((bytes, rows))
}

/// The header of a delimited input: its names (or `col1…` when the first record is data),
/// whether it had one, the delimiter, and the bytes after it.
pub struct Head {
    /// Column names.
    pub names: Vec<String>,
    /// Was the first record a header?
    pub has_header: bool,
    /// The delimiter.
    pub delimiter: u8,
    /// Bytes of the first block after the header.
    pub rest: Vec<u8>,
}

/// Reads the header from the first block.
///
/// # Errors
/// Read errors.
pub fn read_head(reader: &mut dyn Read, carry: &mut Vec<u8>) -> io::Result<Option<Head>> {
    let Some(first) = next_block(reader, carry)? else {
        return Ok(None);
    };
    let delimiter = crate::table::delimited::sniff_delimiter(&first);
    let mut rd = csv_reader(&first, delimiter);
    let mut rec = csv::ByteRecord::new();
    if !rd.read_byte_record(&mut rec).map_err(bad)? {
        return Ok(None);
    }
    let has_header = crate::table::delimited::looks_like_header(&rec);
    let names: Vec<String> = if has_header {
        rec.iter()
            .map(|f| String::from_utf8_lossy(f).trim().to_string())
            .collect()
    } else {
        (1..=rec.len()).map(|i| format!("col{i}")).collect()
    };
    let after = if has_header {
        usize::try_from(rd.position().byte()).unwrap_or(first.len())
    } else {
        0
    };
    Ok(Some(Head {
        names,
        has_header,
        delimiter,
        rest: first[after.min(first.len())..].to_vec(),
    }))
}

/// Rewrites a delimited table to CSV/TSV with `delimiter_out` on `threads` threads.
///
/// # Errors
/// Read or write errors, malformed CSV, and cells that fail with `on_invalid = "fail"`,
/// naming the row and column.
#[allow(clippy::too_many_arguments)]
pub fn rewrite(
    reader: &mut (dyn Read + Send),
    out: &mut (dyn Write + Send),
    policy: &Policy,
    found: &Detection,
    table: &str,
    delimiter_out: Option<u8>,
    threads: usize,
) -> crate::Result<TableOutcome> {
    let io = |e: io::Error| crate::Error::Usage(format!("{table}: {e}"));
    let mut carry = Vec::new();
    let Some(head) = read_head(reader, &mut carry).map_err(io)? else {
        return Ok(TableOutcome {
            table: table.to_string(),
            ..TableOutcome::default()
        });
    };
    let plan = TablePlan::new(policy, table, &head.names, found)?;
    let d_out = delimiter_out.unwrap_or(head.delimiter);
    if head.has_header {
        let mut w = csv::WriterBuilder::new()
            .delimiter(d_out)
            .from_writer(Vec::new());
        let kept: Vec<&String> = head
            .names
            .iter()
            .enumerate()
            .filter(|(i, _)| !plan.dropped(policy, *i))
            .map(|(_, n)| n)
            .collect();
        w.write_record(kept).map_err(|e| io(bad(e)))?;
        out.write_all(&w.into_inner().map_err(|e| io(bad(e)))?)
            .map_err(io)?;
    }
    let threads = threads.max(1);
    let mut first = Some(head.rest);
    // The first block's rest, then blocks from the reader (starting with what the first
    // block carried over).
    let mut read_block = |carry: &mut Vec<u8>| -> io::Result<Option<Vec<u8>>> {
        match first.take() {
            Some(b) => Ok(Some(b)),
            None => next_block(reader, carry),
        }
    };
    let mut rows_in = 0u64;
    let mut rows_out = 0u64;
    let mut plans = Vec::new();
    let fail_at = |rows_before: u64, (row, why): (u64, String)| {
        crate::Error::Usage(format!("{table}: row {}: {why}", rows_before + row))
    };
    if threads == 1 {
        let mut plan = plan;
        while let Some(block) = read_block(&mut carry).map_err(io)? {
            let (bytes, rows) = transform_block(&block, head.delimiter, d_out, policy, &mut plan)
                .map_err(|e| fail_at(rows_in, e))?;
            rows_in += rows;
            rows_out += rows;
            out.write_all(&bytes).map_err(io)?;
        }
        plans.push(plan);
    } else {
        let (job_tx, job_rx) = mpsc::sync_channel::<(u64, Vec<u8>)>(threads * 2);
        let job_rx = Arc::new(Mutex::new(job_rx));
        type Done = (u64, Result<(Vec<u8>, u64), (u64, String)>);
        let (done_tx, done_rx) = mpsc::sync_channel::<Done>(threads * 2);
        let outcome: crate::Result<()> = std::thread::scope(|s| {
            let mut handles = Vec::new();
            for _ in 0..threads {
                let (rx, tx) = (Arc::clone(&job_rx), done_tx.clone());
                let mut plan = plan.clone();
                let d_in = head.delimiter;
                handles.push(s.spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => break,
                        };
                        let Ok((seq, block)) = job else { break };
                        let r = transform_block(&block, d_in, d_out, policy, &mut plan);
                        if tx.send((seq, r)).is_err() {
                            break;
                        }
                    }
                    plan
                }));
            }
            drop(done_tx);
            // The writer: results in order.
            let writer = s.spawn(move || -> crate::Result<(u64, u64)> {
                let mut pending = std::collections::HashMap::new();
                let (mut next, mut rows) = (0u64, 0u64);
                let mut error = None;
                for (seq, r) in done_rx.iter() {
                    pending.insert(seq, r);
                    while let Some(r) = pending.remove(&next) {
                        next += 1;
                        match r {
                            Ok((bytes, n)) if error.is_none() => {
                                out.write_all(&bytes).map_err(io)?;
                                rows += n;
                            }
                            Err(e) if error.is_none() => error = Some(fail_at(rows, e)),
                            _ => {}
                        }
                    }
                }
                match error {
                    Some(e) => Err(e),
                    None => Ok((rows, rows)),
                }
            });
            let mut seq = 0u64;
            let mut read_error = None;
            loop {
                match read_block(&mut carry) {
                    Ok(Some(block)) => {
                        if job_tx.send((seq, block)).is_err() {
                            break;
                        }
                        seq += 1;
                    }
                    Ok(None) => break,
                    Err(e) => {
                        read_error = Some(io(e));
                        break;
                    }
                }
            }
            drop(job_tx);
            for h in handles {
                if let Ok(p) = h.join() {
                    plans.push(p);
                }
            }
            let written = writer
                .join()
                .map_err(|_| crate::Error::Usage(format!("{table}: the writer thread failed")))?;
            if let Some(e) = read_error {
                return Err(e);
            }
            let (r_in, r_out) = written?;
            rows_in = r_in;
            rows_out = r_out;
            Ok(())
        });
        outcome?;
    }
    let mut columns: Vec<super::plan::ColumnReport> = Vec::new();
    for p in plans {
        for (i, r) in p.into_reports().into_iter().enumerate() {
            match columns.get_mut(i) {
                Some(c) => {
                    c.transformed += r.transformed;
                    c.empty += r.empty;
                    c.invalid += r.invalid;
                    c.unchanged += r.unchanged;
                }
                None => columns.push(r),
            }
        }
    }
    Ok(TableOutcome {
        table: table.to_string(),
        rows_in,
        rows_out,
        columns,
    })
}

/// Reads a delimited table into a [`RowSink`] (for NDJSON or Parquet output).
///
/// # Errors
/// As [`rewrite`].
pub fn convert(
    reader: &mut (dyn Read + Send),
    sink: &mut dyn RowSink,
    policy: &Policy,
    found: &Detection,
    table: &str,
) -> crate::Result<TableOutcome> {
    let io = |e: io::Error| crate::Error::Usage(format!("{table}: {e}"));
    let mut carry = Vec::new();
    let Some(head) = read_head(reader, &mut carry).map_err(io)? else {
        return Ok(TableOutcome::default());
    };
    let mut plan = TablePlan::new(policy, table, &head.names, found)?;
    let kept: Vec<usize> = (0..head.names.len())
        .filter(|&i| !plan.dropped(policy, i))
        .collect();
    let names: Vec<String> = kept.iter().map(|&i| head.names[i].clone()).collect();
    sink.begin(&names).map_err(io)?;
    let mut rows = 0u64;
    let mut block = Some(head.rest);
    let mut rec = csv::ByteRecord::new();
    while let Some(b) = block.take() {
        let mut rd = csv_reader(&b, head.delimiter);
        loop {
            match rd.read_byte_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(io(bad(format!("row {}: {e}", rows + 1)))),
            }
            rows += 1;
            let texts: Vec<std::borrow::Cow<'_, str>> =
                rec.iter().map(String::from_utf8_lossy).collect();
            let mut cells: Vec<Option<std::borrow::Cow<'_, str>>> = Vec::with_capacity(kept.len());
            for &i in &kept {
                let get = |j: usize| texts.get(j).map(|t| t.to_string());
                let v = texts.get(i).map(|t| t.as_ref());
                let out = plan.cell(policy, i, v, get).map_err(|e| {
                    crate::Error::Usage(format!(
                        "{table}: row {rows}: column {}: {}",
                        e.column, e.why
                    ))
                })?;
                cells.push(out.map(|c| std::borrow::Cow::Owned(c.into_owned())));
            }
            let refs: Vec<Option<&str>> = cells.iter().map(|c| c.as_deref()).collect();
            sink.row(&refs).map_err(io)?;
        }
        block = next_block(reader, &mut carry).map_err(io)?;
    }
    let rows_out = sink.finish().map_err(io)?;
    Ok(TableOutcome {
        table: table.to_string(),
        rows_in: rows,
        rows_out,
        columns: plan.into_reports(),
    })
}
