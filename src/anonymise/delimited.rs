//! CSV and TSV, streamed. The input is cut into blocks at record boundaries (a newline outside
//! quotes), blocks are parsed and transformed on worker threads, and written in order, so a
//! file larger than memory works and both cores help. Fields without a transform are copied
//! as read; dropped columns leave the header and every row.

use super::plan::{Detection, TablePlan};
use super::policy::Policy;
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
    /// A delimited output starts with a header line.
    pub header: bool,
}

/// Reads the next block: whole records only (the rest is carried to the next call).
fn next_block(reader: &mut dyn Read, carry: &mut Vec<u8>) -> io::Result<Option<Vec<u8>>> {
    next_block_in(reader, carry, Vec::new())
}

/// [`next_block`] into a spare buffer (a block already used), so blocks are not allocated,
/// zeroed and faulted in again and again.
fn next_block_in(
    reader: &mut dyn Read,
    carry: &mut Vec<u8>,
    mut block: Vec<u8>,
) -> io::Result<Option<Vec<u8>>> {
    block.clear();
    block.extend_from_slice(carry);
    carry.clear();
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
    // The last line end (LF or CR) outside quotes: quotes before it are even in number (""
    // counts two). A CRLF cut between its CR and LF leaves an empty line, which is no record.
    let mut quotes = memchr::memchr_iter(b'"', &block).count();
    let mut end = block.len();
    let mut cut = None;
    while let Some(nl) = memchr::memrchr2(b'\n', b'\r', &block[..end]) {
        quotes -= memchr::memchr_iter(b'"', &block[nl..end]).count();
        if quotes.is_multiple_of(2) {
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
            next_block_in(reader, carry, Vec::new())
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
            let text = match std::str::from_utf8(field) {
                Ok(t) => std::borrow::Cow::Borrowed(t),
                Err(_) => String::from_utf8_lossy(field),
            };
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
    /// The header record as read (empty without a header).
    pub raw_header: Vec<u8>,
}

/// Reads the header from the first block.
///
/// # Errors
/// Read errors.
pub fn read_head(reader: &mut dyn Read, carry: &mut Vec<u8>) -> io::Result<Option<Head>> {
    let Some(first) = next_block(reader, carry)? else {
        return Ok(None);
    };
    let delimiter = crate::source::table::delimited::sniff_delimiter(&first);
    let mut rd = csv_reader(&first, delimiter);
    let mut rec = csv::ByteRecord::new();
    if !rd.read_byte_record(&mut rec).map_err(bad)? {
        return Ok(None);
    }
    // The scan's own header decision (rules, likeness to the rows below, unique names).
    let decided = crate::source::table::delimited::decide_header(&first, delimiter);
    let has_header = decided.is_some();
    let names: Vec<String> =
        decided.unwrap_or_else(|| crate::source::table::delimited::numbered_columns(rec.len()));
    let after = if has_header {
        usize::try_from(rd.position().byte()).unwrap_or(first.len())
    } else {
        0
    };
    let mut after = after.min(first.len());
    // The csv crate stops a CRLF header after its CR: the LF belongs to the header too.
    if after > 0 && first.get(after - 1) == Some(&b'\r') && first.get(after) == Some(&b'\n') {
        after += 1;
    }
    Ok(Some(Head {
        names,
        has_header,
        delimiter,
        rest: first[after..].to_vec(),
        raw_header: first[..after].to_vec(),
    }))
}

/// A block's result (and its rows), or the row within the block that failed and why.
pub(crate) type Produced<T> = Result<(T, u64), (u64, String)>;

/// Turns one block into output, with a worker's own plan.
type Produce<'a, T> = dyn Fn(&[u8], &mut TablePlan) -> Produced<T> + Sync + 'a;

/// Runs blocks through `produce` on `threads` worker threads (each with its own copy of the
/// plan, for its counts) and hands the results to `consume` in input order. Returns the rows
/// produced and the workers' plans.
#[allow(clippy::too_many_arguments)]
fn run_blocks<T: Send>(
    reader: &mut (dyn Read + Send),
    first: Vec<u8>,
    carry: &mut Vec<u8>,
    threads: usize,
    plan: &TablePlan,
    table: &str,
    produce: &Produce<'_, T>,
    consume: &mut (dyn FnMut(T) -> crate::Result<()> + Send),
) -> crate::Result<(u64, Vec<TablePlan>)> {
    let io = |e: io::Error| crate::Error::Usage(format!("{table}: {e}"));
    let fail_at = |rows_before: u64, (row, why): (u64, String)| {
        crate::Error::Usage(format!("{table}: row {}: {why}", rows_before + row))
    };
    // The first block's rest, then blocks from the reader (starting with what the first
    // block carried over).
    let mut first = Some(first);
    let mut read_block = |carry: &mut Vec<u8>, spare: Vec<u8>| -> io::Result<Option<Vec<u8>>> {
        match first.take() {
            Some(b) => Ok(Some(b)),
            None => next_block_in(reader, carry, spare),
        }
    };
    if threads <= 1 {
        let mut plan = plan.clone();
        let mut rows = 0u64;
        let mut spare = Vec::new();
        while let Some(block) = read_block(carry, spare).map_err(io)? {
            let (out, n) = produce(&block, &mut plan).map_err(|e| fail_at(rows, e))?;
            rows += n;
            consume(out)?;
            spare = block;
        }
        return Ok((rows, vec![plan]));
    }
    // Used blocks come back to the reader to be filled again.
    let (spare_tx, spare_rx) = mpsc::channel::<Vec<u8>>();
    let (job_tx, job_rx) = mpsc::sync_channel::<(u64, Vec<u8>)>(threads * 2);
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (done_tx, done_rx) = mpsc::sync_channel::<(u64, Produced<T>)>(threads * 2);
    std::thread::scope(|s| {
        let mut handles = Vec::new();
        for _ in 0..threads {
            let (rx, tx) = (Arc::clone(&job_rx), done_tx.clone());
            let spares = spare_tx.clone();
            let mut plan = plan.clone();
            handles.push(s.spawn(move || {
                loop {
                    let job = match rx.lock() {
                        Ok(r) => r.recv(),
                        Err(_) => break,
                    };
                    let Ok((seq, block)) = job else { break };
                    let result = produce(&block, &mut plan);
                    let _ = spares.send(block);
                    if tx.send((seq, result)).is_err() {
                        break;
                    }
                }
                plan
            }));
        }
        drop(done_tx);
        // The consumer: results in order; after an error, the rest is drained.
        let writer = s.spawn(move || -> crate::Result<u64> {
            let mut pending = std::collections::HashMap::new();
            let (mut next, mut rows) = (0u64, 0u64);
            let mut error = None;
            for (seq, r) in done_rx.iter() {
                pending.insert(seq, r);
                while let Some(r) = pending.remove(&next) {
                    next += 1;
                    match r {
                        Ok((out, n)) if error.is_none() => {
                            rows += n;
                            if let Err(e) = consume(out) {
                                error = Some(e);
                            }
                        }
                        Err(e) if error.is_none() => error = Some(fail_at(rows, e)),
                        _ => {}
                    }
                }
            }
            match error {
                Some(e) => Err(e),
                None => Ok(rows),
            }
        });
        let mut seq = 0u64;
        let mut read_error = None;
        drop(spare_tx);
        loop {
            let spare = spare_rx.try_recv().unwrap_or_default();
            match read_block(carry, spare) {
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
        let plans: Vec<TablePlan> = handles.into_iter().filter_map(|h| h.join().ok()).collect();
        let rows = writer
            .join()
            .map_err(|_| crate::Error::Usage(format!("{table}: the writer thread failed")))??;
        if let Some(e) = read_error {
            return Err(e);
        }
        Ok((rows, plans))
    })
}

/// Sums the counts of the workers' plans.
fn merge_reports(plans: Vec<TablePlan>) -> Vec<super::plan::ColumnReport> {
    let mut columns: Vec<super::plan::ColumnReport> = Vec::new();
    for p in plans {
        for (i, r) in p.into_reports().into_iter().enumerate() {
            match columns.get_mut(i) {
                Some(c) => {
                    c.transformed += r.transformed;
                    c.empty += r.empty;
                    c.invalid += r.invalid;
                    c.unchanged += r.unchanged;
                    c.kept_whole += r.kept_whole;
                }
                None => columns.push(r),
            }
        }
    }
    columns
}

/// Parses the records of a block and calls `on_row` with each transformed row (kept
/// columns only). Returns the rows.
fn block_rows(
    block: &[u8],
    delimiter: u8,
    policy: &Policy,
    plan: &mut TablePlan,
    kept: &[usize],
    on_row: &mut dyn FnMut(&[Option<&str>]),
) -> Result<u64, (u64, String)> {
    if let Some(r) = super::splice::rows(block, delimiter, policy, plan, kept, on_row) {
        return r;
    }
    let mut rd = csv_reader(block, delimiter);
    let mut rec = csv::ByteRecord::new();
    let mut rows = 0u64;
    let mut cells: Vec<Option<std::borrow::Cow<'_, str>>> = Vec::with_capacity(kept.len());
    loop {
        match rd.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err((rows + 1, e.to_string())),
        }
        rows += 1;
        let texts: Vec<std::borrow::Cow<'_, str>> =
            rec.iter().map(String::from_utf8_lossy).collect();
        cells.clear();
        for &i in kept {
            let get = |j: usize| texts.get(j).map(|t| t.to_string());
            let v = texts.get(i).map(|t| t.as_ref());
            let out = plan
                .cell(policy, i, v, get)
                .map_err(|e| (rows, format!("column {}: {}", e.column, e.why)))?;
            cells.push(out.map(|c| std::borrow::Cow::Owned(c.into_owned())));
        }
        let refs: Vec<Option<&str>> = cells.iter().map(|c| c.as_deref()).collect();
        on_row(&refs);
    }
    Ok(rows)
}

/// What a delimited table is converted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Convert {
    /// CSV or TSV with this delimiter (`None`: the input's).
    Delimited(Option<u8>),
    /// NDJSON.
    Ndjson,
    /// Parquet.
    Parquet,
}

/// The type of each column of a delimited table (in the input's column order), from every
/// value of it ([`super::infer`]): a pass over the input before a conversion to Parquet.
///
/// # Errors
/// Read errors and malformed CSV, naming the row.
pub fn infer_types(
    reader: &mut dyn Read,
    table: &str,
) -> crate::Result<Vec<super::infer::ColumnType>> {
    let io = |e: io::Error| crate::Error::Usage(format!("{table}: {e}"));
    let mut carry = Vec::new();
    let Some(head) = read_head(reader, &mut carry).map_err(io)? else {
        return Ok(Vec::new());
    };
    let mut seen = vec![super::infer::Inference::default(); head.names.len()];
    let mut rec = csv::ByteRecord::new();
    let mut rows = 0u64;
    let mut block = Some(head.rest);
    loop {
        let b = match block.take() {
            Some(b) => b,
            None => match next_block(reader, &mut carry).map_err(io)? {
                Some(b) => b,
                None => break,
            },
        };
        let mut rd = csv_reader(&b, head.delimiter);
        loop {
            match rd.read_byte_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    return Err(crate::Error::Usage(format!(
                        "{table}: row {}: {e}",
                        rows + 1
                    )))
                }
            }
            rows += 1;
            for (s, field) in seen.iter_mut().zip(rec.iter()) {
                s.see(std::str::from_utf8(field).ok());
            }
        }
    }
    Ok(seen.iter().map(super::infer::Inference::result).collect())
}

/// Rewrites a delimited table into `out` as CSV/TSV, NDJSON or Parquet, on `threads`
/// threads. `types` are the input's column types for Parquet ([`infer_types`]; empty: every
/// column text): a transformed column is text unless its method keeps the value's form (a
/// `date_shift` of a date column).
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
    to: Convert,
    threads: usize,
    types: &[super::infer::ColumnType],
) -> crate::Result<TableOutcome> {
    let io = |e: io::Error| crate::Error::Usage(format!("{table}: {e}"));
    #[cfg(not(feature = "parquet"))]
    let _ = types;
    let mut carry = Vec::new();
    let Some(head) = read_head(reader, &mut carry).map_err(io)? else {
        return Ok(TableOutcome {
            table: table.to_string(),
            ..TableOutcome::default()
        });
    };
    let plan = TablePlan::new(policy, table, &head.names, found)?;
    let kept: Vec<usize> = (0..head.names.len())
        .filter(|&i| !plan.dropped(policy, i))
        .collect();
    let kept_names: Vec<String> = kept.iter().map(|&i| head.names[i].clone()).collect();
    let d_in = head.delimiter;
    let (rows, plans, header) = match to {
        Convert::Delimited(d) => {
            let d_out = d.unwrap_or(d_in);
            if head.has_header {
                let keep: Vec<bool> = (0..head.names.len())
                    .map(|i| !plan.dropped(policy, i))
                    .collect();
                let raw = (d_out == d_in)
                    .then(|| super::splice::header(&head.raw_header, d_in, &keep))
                    .flatten();
                let bytes = match raw {
                    Some(b) => b,
                    None => {
                        let mut w = csv::WriterBuilder::new()
                            .delimiter(d_out)
                            .from_writer(Vec::new());
                        w.write_record(&kept_names).map_err(|e| io(bad(e)))?;
                        w.into_inner().map_err(|e| io(bad(e)))?
                    }
                };
                out.write_all(&bytes).map_err(io)?;
            }
            // Same delimiter: untouched fields are copied as read (the splice fast path).
            let produce = |block: &[u8], plan: &mut TablePlan| {
                if d_out == d_in {
                    if let Some(r) = super::splice::block(block, d_in, policy, plan) {
                        return r;
                    }
                }
                transform_block(block, d_in, d_out, policy, plan)
            };
            let mut consume = |bytes: Vec<u8>| out.write_all(&bytes).map_err(io);
            let (rows, plans) = run_blocks(
                reader,
                head.rest,
                &mut carry,
                threads,
                &plan,
                table,
                &produce,
                &mut consume,
            )?;
            (rows, plans, head.has_header)
        }
        Convert::Ndjson => {
            let produce = |block: &[u8], plan: &mut TablePlan| {
                let mut bytes = Vec::with_capacity(block.len() * 2);
                let rows = block_rows(block, d_in, policy, plan, &kept, &mut |cells| {
                    // Writing to memory does not fail.
                    let _ = super::rows::ndjson_line(&kept_names, cells, &mut bytes);
                })?;
                Ok((bytes, rows))
            };
            let mut consume = |bytes: Vec<u8>| out.write_all(&bytes).map_err(io);
            let (rows, plans) = run_blocks(
                reader,
                head.rest,
                &mut carry,
                threads,
                &plan,
                table,
                &produce,
                &mut consume,
            )?;
            (rows, plans, false)
        }
        #[cfg(feature = "parquet")]
        Convert::Parquet => {
            use super::infer::ColumnType;
            let kept_types: Vec<ColumnType> = kept
                .iter()
                .map(|&i| {
                    let t = types.get(i).copied().unwrap_or(ColumnType::Text);
                    match plan.actions[i].map(|a| &policy.columns[a].op) {
                        None => t,
                        Some(super::transform::Op::DateShift { .. })
                            if matches!(t, ColumnType::Date | ColumnType::Datetime) =>
                        {
                            t
                        }
                        Some(_) => ColumnType::Text,
                    }
                })
                .collect();
            let mut sink = super::rows::ParquetFrames::typed(&mut *out, &kept_names, &kept_types);
            let produce = |block: &[u8], plan: &mut TablePlan| {
                let mut frame = super::rows::FrameBuilder::typed(&kept_names, &kept_types);
                let rows = block_rows(block, d_in, policy, plan, &kept, &mut |cells| {
                    frame.push(cells)
                })?;
                if let Some((row, why)) = frame.problem() {
                    return Err((*row, why.clone()));
                }
                Ok((frame, rows))
            };
            let mut consume = |frame: super::rows::FrameBuilder| sink.push(frame).map_err(io);
            let (rows, plans) = run_blocks(
                reader,
                head.rest,
                &mut carry,
                threads,
                &plan,
                table,
                &produce,
                &mut consume,
            )?;
            sink.finish().map_err(io)?;
            (rows, plans, false)
        }
        #[cfg(not(feature = "parquet"))]
        Convert::Parquet => {
            return Err(crate::Error::Usage(
                "this piiscan was built without Parquet support".into(),
            ))
        }
    };
    Ok(TableOutcome {
        table: table.to_string(),
        rows_in: rows,
        rows_out: rows,
        columns: merge_reports(plans),
        header,
    })
}
