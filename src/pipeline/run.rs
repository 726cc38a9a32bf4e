//! Running one unit of work in a worker: open the input, let `source::input` and
//! `source::table` decide how it is read, and scan its text or cells.

use crate::detect::column::ColumnNames;
use crate::detect::stream::{RegionHit, RegionResult, StreamScanner};
use crate::detect::Engine;
use crate::pipeline::plan::Unit;
use crate::pipeline::table::{TableOptions, TableResult, TableScanner};
use crate::pipeline::InputStatus;
use crate::progress::Progress;
use crate::source::decode::{Decoder, Encoding};
use crate::source::open::{open_path, open_stdin, read_up_to, LocalOpened, Opened};
use crate::source::sniff::Sniffed;
use crate::source::table::TableFormat;
use crate::source::walk::{special_kind, Entry};
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::FileExt;

/// What a worker hands back.
pub(crate) struct UnitResult {
    pub(crate) status: InputStatus,
    pub(crate) region: Option<RegionResult>,
    pub(crate) table: Option<TableResult>,
    pub(crate) bytes: u64,
    /// Members of a container, each reported as an input of its own before the container.
    pub(crate) members: Vec<crate::pipeline::container::MemberResult>,
}

impl UnitResult {
    pub(crate) fn status(status: InputStatus) -> UnitResult {
        UnitResult {
            status,
            region: None,
            table: None,
            bytes: 0,
            members: Vec::new(),
        }
    }
}

/// Counts the bytes read through it, for statistics and progress.
pub(super) struct Counting<'p, R> {
    inner: R,
    count: u64,
    progress: &'p Progress,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        self.progress.add_bytes(n as u64);
        Ok(n)
    }
}

/// What a file that changed under the reader is told with.
pub(super) fn changed_message(at: u64) -> String {
    format!("changed while being read (near byte {at}); it was not scanned completely")
}

/// A file's size and modification time: what must stay the same while it is read.
pub(super) fn stamp(m: &std::fs::Metadata) -> (u64, Option<std::time::SystemTime>) {
    (m.len(), m.modified().ok())
}

/// Turns the result of reading a whole file into "changed while being read" when its size or
/// modification time moved, or a text read ended short of its size (read errors of a file cut
/// short, such as "failed to fill whole buffer", included).
pub(super) fn check_unchanged(
    path: &std::path::Path,
    before: Option<&std::fs::Metadata>,
    mut result: UnitResult,
) -> UnitResult {
    let Some(before) = before else {
        return result;
    };
    let after = std::fs::metadata(path).ok();
    let moved = after.as_ref().map(stamp) != Some(stamp(before));
    let short_text = result.region.is_some()
        && result.bytes < before.len()
        && !matches!(result.status, InputStatus::SkippedBinary)
        && !crate::source::input::text_is_not_bytes(path);
    let cut_short = matches!(&result.status,
        InputStatus::Failed(why) | InputStatus::Partial(why) if why.contains("failed to fill whole buffer"));
    if moved || short_text || cut_short {
        result.status = InputStatus::Partial(changed_message(result.bytes));
    }
    result
}

pub(super) fn describe_read_error(e: &io::Error, compressed: bool, at: u64) -> String {
    if let Some(limit) = crate::source::container::limit_hit(e) {
        format!("stopped after {at} bytes: {limit}")
    } else if compressed {
        format!("compressed stream broken after {at} decompressed bytes: {e}")
    } else {
        format!("read error after {at} bytes: {e}")
    }
}

pub(crate) fn run_opened(
    opened: io::Result<LocalOpened<'_>>,
    path: Option<&std::path::Path>,
    ctx: &Ctx<'_>,
    scratch: &mut crate::detect::Scratch,
    flush: Flush<'_>,
    members: MemberFlush<'_>,
) -> UnitResult {
    let mut opened = match opened {
        Ok(o) => o,
        Err(e) => return UnitResult::status(InputStatus::Failed(e.to_string())),
    };
    // A file SQLite keeps beside a database: read with it, or named when it is alone.
    let on_disk = path.filter(|_| !opened.compressed);
    if let Some(why) = crate::source::table::sqlite::not_read_reason(on_disk, &opened.head) {
        return UnitResult::status(InputStatus::Failed(why));
    }
    // SQLite, Parquet and workbooks given as a stream (standard input, a compressed file):
    // copied to a private temporary file and read from there.
    if on_disk.is_none() {
        if let Some(table) = streamed_table(path, &opened.head) {
            return run_spooled(table, opened, path, ctx, scratch, members);
        }
    }
    // SQLite, Parquet and workbooks are binary and are read from their path.
    if let Some(path) = on_disk {
        if let Some(format) =
            crate::source::table::detect(path, &opened.head).filter(|f| f.needs_path())
        {
            drop(opened);
            return run_table_path(format, path, ctx, scratch);
        }
    }
    // Archives and documents: their members or text (the decision is source::input's).
    let name = path
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy());
    if let Some(kind) =
        crate::source::input::container(name.as_deref().unwrap_or("-"), &opened.head)
    {
        return crate::pipeline::container::run(kind, opened, path, ctx, scratch, members);
    }
    // A pg_dump archive inside gzip or on standard input: read as a stream.
    if crate::source::table::pgarchive::is_archive_head(&opened.head) {
        return run_archive_stream(opened.reader, ctx, scratch);
    }
    // A dump piped to standard input is read as the dump it is (its head tells), not as text.
    let table = match path {
        Some(p) => crate::source::table::detect(p, &opened.head).map(|f| (p, f)),
        None => crate::source::table::detect_stream(&opened.head)
            .filter(|f| *f == TableFormat::SqlDump)
            .map(|f| (std::path::Path::new("-"), f)),
    };
    if let (Some((path, format)), Sniffed::Text { encoding, bom }) = (table, opened.sniffed) {
        if let Err(e) = read_up_to(&mut opened.reader, bom) {
            return UnitResult::status(InputStatus::Failed(e.to_string()));
        }
        return run_table(
            format,
            path,
            opened.reader,
            encoding,
            opened.compressed,
            ctx,
            scratch,
        );
    }
    run_text(opened, ctx, scratch, flush)
}

/// Scans an opened stream as text, whatever its name or content looks like (the text of a
/// document, a message or markup, extracted by a container reader).
pub(crate) fn run_text(
    mut opened: LocalOpened<'_>,
    ctx: &Ctx<'_>,
    scratch: &mut crate::detect::Scratch,
    flush: Flush<'_>,
) -> UnitResult {
    let (encoding, bom) = match opened.sniffed {
        Sniffed::Binary => return UnitResult::status(InputStatus::SkippedBinary),
        Sniffed::Text { encoding, bom } => (encoding, bom),
    };
    if let Err(e) = read_up_to(&mut opened.reader, bom) {
        return UnitResult::status(InputStatus::Failed(e.to_string()));
    }
    let scanner = StreamScanner::new(ctx.engine).inline_allow(ctx.inline_allow);
    let mut add = |n: u64| ctx.progress.add_bytes(n);
    let region = scanner.run_flushing(
        scratch,
        &mut opened.reader,
        Decoder::new(encoding),
        0,
        None,
        &mut add,
        flush,
    );
    let bytes = region.raw_len + bom as u64;
    let status = match (&region.error, region.invalid_utf8_at) {
        (Some(e), _) => {
            InputStatus::Partial(describe_read_error(e, opened.compressed, region.raw_len))
        }
        (None, Some(at)) => InputStatus::Partial(format!(
            "invalid UTF-8 at byte {at} of the decoded text; the rest was scanned byte by byte"
        )),
        (None, None) => InputStatus::Scanned,
    };
    UnitResult {
        status,
        region: Some(region),
        table: None,
        bytes,
        members: Vec::new(),
    }
}

pub(super) fn run_region(
    path: &std::path::Path,
    start: u64,
    end: u64,
    ctx: &Ctx<'_>,
    scratch: &mut crate::detect::Scratch,
    flush: Flush<'_>,
) -> UnitResult {
    let (engine, progress) = (ctx.engine, ctx.progress);
    let fail = |e: io::Error| UnitResult::status(InputStatus::Failed(e.to_string()));
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    // Context before the region, starting on a character boundary.
    let mut pre_start = start.saturating_sub(crate::ruleset::compile::MAX_MATCH_LEN as u64);
    let mut lead = vec![0u8; (start - pre_start) as usize];
    if let Err(e) = file.read_exact_at(&mut lead, pre_start) {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            return UnitResult::status(InputStatus::Partial(changed_message(pre_start)));
        }
        return fail(e);
    }
    pre_start += lead
        .iter()
        .position(|&b| b & 0xC0 != 0x80)
        .unwrap_or(lead.len()) as u64;
    if let Err(e) = file.seek(SeekFrom::Start(pre_start)) {
        return fail(e);
    }
    let before = file.metadata().ok();
    let scanner = StreamScanner::new(engine).inline_allow(ctx.inline_allow);
    let mut reader = io::BufReader::with_capacity(64 * 1024, &mut file);
    let mut seen = 0u64;
    let own = end - start;
    let pre = start - pre_start;
    let mut add = |n: u64| {
        // Count only the region's own bytes.
        let before = seen;
        seen += n;
        let own_new = seen.saturating_sub(pre).min(own) - before.saturating_sub(pre).min(own);
        progress.add_bytes(own_new);
    };
    let region = scanner.run_flushing(
        scratch,
        &mut reader as &mut dyn Read,
        Decoder::new(Encoding::Utf8),
        pre,
        Some(own),
        &mut add,
        flush,
    );
    let after = std::fs::metadata(path).ok();
    let changed = region.error.is_none()
        && (region.raw_len < own || before.as_ref().map(stamp) != after.as_ref().map(stamp));
    let status = match (&region.error, region.invalid_utf8_at) {
        _ if changed => InputStatus::Partial(changed_message(start + region.raw_len)),
        (Some(e), _) => InputStatus::Partial(describe_read_error(e, false, start + region.raw_len)),
        (None, Some(at)) => InputStatus::Partial(format!(
            "invalid UTF-8 near byte {} ; the rest of that region was scanned byte by byte",
            start + at
        )),
        (None, None) => InputStatus::Scanned,
    };
    UnitResult {
        status,
        bytes: region.raw_len,
        region: Some(region),
        table: None,
        members: Vec::new(),
    }
}

/// Hands a text unit's hits on while it is still being read (see [`Msg::Part`]).
pub(super) type Flush<'f> = &'f mut dyn FnMut(&mut Vec<RegionHit>);

pub(crate) use crate::pipeline::container::MemberFlush;

pub(super) fn run_unit(
    unit: &Unit,
    entries: &[Entry],
    ctx: &Ctx<'_>,
    scratch: &mut crate::detect::Scratch,
    flush: Flush<'_>,
    members: MemberFlush<'_>,
) -> UnitResult {
    match (unit, &entries[unit.entry()]) {
        (Unit::Region { start, end, .. }, Entry::File { path, .. }) => {
            run_region(path, *start, *end, ctx, scratch, flush)
        }
        (_, Entry::File { path, .. }) if path.is_dir() => {
            // The walker yields a directory only for a pg_dump directory archive.
            run_table_path(TableFormat::PgArchive, path, ctx, scratch)
        }
        (_, Entry::File { path, .. }) => {
            let before = std::fs::metadata(path).ok();
            // Checked again just before opening: a FIFO put in a file's place would block.
            if let Some(kind) = before.as_ref().and_then(|m| special_kind(m.file_type())) {
                return UnitResult::status(InputStatus::SkippedSpecial(kind.to_string()));
            }
            let result = run_opened(
                open_path(path).map(Opened::local),
                Some(path),
                ctx,
                scratch,
                flush,
                members,
            );
            check_unchanged(path, before.as_ref(), result)
        }
        (_, Entry::Stdin) => run_opened(
            open_stdin().map(Opened::local),
            None,
            ctx,
            scratch,
            flush,
            members,
        ),
        (_, Entry::Database { url }) => run_database(url, ctx, scratch),
        (_, Entry::TooLarge { .. }) => UnitResult::status(InputStatus::SkippedTooLarge),
        (
            _,
            Entry::Special {
                kind, named: false, ..
            },
        ) => UnitResult::status(InputStatus::SkippedSpecial(kind.to_string())),
        (
            _,
            Entry::Special {
                kind, named: true, ..
            },
        ) => UnitResult::status(InputStatus::Failed(format!(
            "is {kind}; special files are never opened (pipe its contents to `piiscan scan -`)"
        ))),
        (_, Entry::Error { reason, .. }) => UnitResult::status(InputStatus::Failed(reason.clone())),
    }
}

/// What a worker needs besides its scratch space.
pub(crate) struct Ctx<'a> {
    /// The rules at the scan's confidence, for text.
    pub(super) engine: &'a Engine<'a>,
    /// The same rules reporting every confidence: table cells are judged per column first.
    pub(super) table_engine: &'a Engine<'a>,
    /// Column-name hints.
    pub(super) names: &'a ColumnNames,
    /// Sampling and caps for tables.
    pub(super) tables: TableOptions,
    /// Bytes and files done, for the progress bar.
    pub(super) progress: &'a Progress,
    /// Drop findings on lines that carry `piiscan:allow`.
    pub(super) inline_allow: bool,
    /// What an archive may expand to.
    pub(crate) limits: crate::source::container::Limits,
    /// The most bytes of a stream copied to a temporary file to be read from a path
    /// (`--max-filesize`, else the archive size limit).
    pub(crate) spool_limit: u64,
    /// `--ocr`: tesseract, for images and PDF pages without a text layer.
    pub(crate) ocr: Option<&'a crate::source::ocr::Ocr>,
    /// The walk's globs: a database's tables are chosen by them (`schema.table`).
    pub(crate) walk: &'a crate::source::walk::WalkOptions,
    /// Worker threads: a live database is read on up to this many connections.
    pub(crate) threads: usize,
    /// Workers that have no input left: a large table may then be scanned on two threads.
    pub(crate) idle: &'a std::sync::atomic::AtomicUsize,
}

/// A table format read from a path, recognised in a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Streamed {
    /// This format, by its magic bytes or its (decompressed) name.
    Table(TableFormat),
    /// A ZIP on standard input: a workbook when its parts say so, else an archive.
    Zip,
}

/// Whether a stream (standard input when `path` is `None`, else a compressed file or a
/// member) holds a table that is read from a path: SQLite and Parquet by their magic bytes, a
/// workbook by its decompressed name (`a.xlsx.gz`) or, on standard input, by its parts.
pub(super) fn streamed_table(path: Option<&std::path::Path>, head: &[u8]) -> Option<Streamed> {
    if head.starts_with(crate::source::table::sqlite::MAGIC) {
        return Some(Streamed::Table(TableFormat::Sqlite));
    }
    if head.starts_with(b"PAR1") {
        return Some(Streamed::Table(TableFormat::Parquet));
    }
    if !crate::source::input::is_zip(head) {
        return None;
    }
    let Some(path) = path else {
        return Some(Streamed::Zip);
    };
    let name = path.file_name()?.to_string_lossy();
    let inner = crate::source::input::inner_name(&name);
    crate::source::table::workbook::has_workbook_name(&inner)
        .then_some(Streamed::Table(TableFormat::Workbook))
}

/// Copies a stream holding a table read from a path into a private temporary file (within
/// `--max-filesize`), reads the copy and removes it. A ZIP on standard input that is no
/// workbook is read as the archive it is.
pub(super) fn run_spooled(
    table: Streamed,
    mut opened: LocalOpened<'_>,
    path: Option<&std::path::Path>,
    ctx: &Ctx<'_>,
    scratch: &mut crate::detect::Scratch,
    members: MemberFlush<'_>,
) -> UnitResult {
    use crate::source::open::{spool, SpoolError};
    let what = match table {
        Streamed::Table(TableFormat::Sqlite) => "an SQLite database",
        Streamed::Table(TableFormat::Parquet) => "a Parquet file",
        _ => "a workbook or ZIP archive",
    };
    let origin = if path.is_some() {
        "the decompressed file"
    } else {
        "standard input"
    };
    // The copy is named as the input is, so that a table takes the input's name.
    let name = match path.and_then(|p| p.file_name()) {
        Some(n) => crate::source::input::inner_name(&n.to_string_lossy()),
        None => match table {
            Streamed::Table(TableFormat::Parquet) => "stdin.parquet".to_string(),
            Streamed::Table(TableFormat::Sqlite) => "stdin.sqlite".to_string(),
            _ => "stdin".to_string(),
        },
    };
    let spooled = match spool(&mut opened.reader, &name, ctx.spool_limit) {
        Ok(s) => s,
        Err(SpoolError::TooLarge { limit }) => {
            return UnitResult::status(InputStatus::Failed(format!(
                "{origin} holds {what} larger than {limit} bytes (--max-filesize), the most \
                 copied to a temporary file to read it; not scanned: scan the file by its path \
                 or raise --max-filesize"
            )))
        }
        Err(SpoolError::Io(e)) => {
            return UnitResult::status(InputStatus::Failed(format!(
                "{origin} holds {what}, which could not be copied to a temporary file to read \
                 it ({}); not scanned: scan the file by its path",
                describe_read_error(&e, opened.compressed, 0)
            )))
        }
    };
    let format = match table {
        Streamed::Table(format) => format,
        Streamed::Zip if crate::source::table::workbook::is_zip_workbook(&spooled.path) => {
            TableFormat::Workbook
        }
        Streamed::Zip => {
            // An archive: its members are read from the copy.
            let reopened = std::fs::File::open(&spooled.path)
                .map(|f| Box::new(f) as Box<dyn Read>)
                .and_then(|r| crate::source::open::open_local(r, true));
            let Ok(reopened) = reopened else {
                return UnitResult::status(InputStatus::Failed(
                    "standard input could not be read back from its temporary copy".into(),
                ));
            };
            return crate::pipeline::container::run(
                crate::source::input::Container::Zip,
                reopened,
                path,
                ctx,
                scratch,
                members,
            );
        }
    };
    // A database in WAL mode keeps its newest rows in a `-wal` file, which no stream carries.
    let wal_mode = format == TableFormat::Sqlite && opened.head.get(18..20) == Some(&[2, 2]);
    let mut result = run_table_path(format, &spooled.path, ctx, scratch);
    result.bytes = spooled.bytes;
    if wal_mode {
        let note = format!(
            "an SQLite database in WAL mode read from {origin}: rows in its write-ahead log \
             (-wal), if it has one, were not read; scan the database by its path to read them"
        );
        result.status = match result.status {
            InputStatus::Scanned => InputStatus::Partial(note),
            InputStatus::Partial(m) => InputStatus::Partial(format!("{m}; {note}")),
            other => other,
        };
    }
    result
}

/// Scans the cells `read` gives a table scanner, with a helper thread for the scanning
/// when a worker of the scan is idle (see [`crate::pipeline::table::Offload`]).
fn scan_table<T>(
    ctx: &Ctx<'_>,
    scratch: &mut crate::detect::Scratch,
    read: impl FnOnce(&mut TableScanner<'_>) -> T,
) -> (TableResult, T) {
    std::thread::scope(|s| {
        let mut helper = crate::pipeline::table::Offload::new(s, *ctx.table_engine, ctx.idle);
        let mut scanner = TableScanner::new(ctx.table_engine, scratch, ctx.names, ctx.tables)
            .inline_allow(ctx.inline_allow)
            .offload(&mut helper);
        let outcome = read(&mut scanner);
        (scanner.finish(), outcome)
    })
}

/// Reads a SQLite file or a workbook and scans its cells.
pub(crate) fn run_table_path(
    format: TableFormat,
    path: &std::path::Path,
    ctx: &Ctx<'_>,
    scratch: &mut crate::detect::Scratch,
) -> UnitResult {
    let bytes = if path.is_dir() {
        crate::source::walk::directory_size(path)
    } else {
        let own = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        match format {
            TableFormat::Sqlite => own + crate::source::table::sqlite::sides_size(path),
            _ => own,
        }
    };
    let (table, outcome) = scan_table(ctx, scratch, |scanner| {
        crate::source::table::read_path(format, path, ctx.tables.sample_rows, scanner)
    });
    ctx.progress.add_bytes(bytes);
    let status = match outcome {
        Ok(()) if table.notices.is_empty() => InputStatus::Scanned,
        Ok(()) => InputStatus::Partial(table.notices.join("; ")),
        // An archive cut or damaged part-way: the rows before the damage are reported.
        Err(e) if format == TableFormat::PgArchive => {
            InputStatus::Partial(format!("{e}; the rows before it were scanned"))
        }
        Err(e) => InputStatus::Failed(e.to_string()),
    };
    UnitResult {
        status,
        region: None,
        table: Some(table),
        bytes,
        members: Vec::new(),
    }
}

/// Reads a live database and scans its cells: the tables are shared out among up to
/// `--threads` connections (one per worker, each with its own read-only session), each table
/// scanned on its own and the results put back in table order, so the output is the same
/// whatever the number of threads. A table that could not be read is named and makes the
/// input partial; no connection, or no read-only session, fails it.
pub(crate) fn run_database(
    url: &crate::source::database::DbUrl,
    ctx: &Ctx<'_>,
    scratch: &mut crate::detect::Scratch,
) -> UnitResult {
    use crate::source::database::Session;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let opts = crate::source::database::ReadOptions {
        sample_rows: ctx.tables.sample_rows,
        schema_only: ctx.tables.schema_only,
        include: ctx.walk.include.as_ref(),
        exclude: ctx.walk.exclude.as_ref(),
    };
    let failed = |e: crate::source::database::DbError| {
        UnitResult::status(InputStatus::Failed(e.to_string()))
    };
    let mut first = match Session::open(url, &opts) {
        Ok(s) => s,
        Err(e) => return failed(e),
    };
    let tables = match first.tables(url, &opts) {
        Ok(t) => t,
        Err(e) => return failed(e),
    };
    let reference = url.reference();
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<Option<TableResult>>> =
        Mutex::new((0..tables.len()).map(|_| None).collect());
    let work = |session: &mut Session, scratch: &mut crate::detect::Scratch| loop {
        let i = next.fetch_add(1, Ordering::SeqCst);
        let Some(table) = tables.get(i) else { break };
        let name = table.qualified();
        ctx.progress.set_message(format!(
            "{reference} {}",
            crate::source::database::shown(&name)
        ));
        let mut scanner = TableScanner::new(ctx.table_engine, scratch, ctx.names, ctx.tables)
            .inline_allow(ctx.inline_allow);
        session.read_table(table, &opts, &mut scanner);
        let result = scanner.finish();
        if let Some(slot) = done.lock().unwrap_or_else(|p| p.into_inner()).get_mut(i) {
            *slot = Some(result);
        }
    };
    let workers = ctx.threads.clamp(1, tables.len().max(1));
    std::thread::scope(|s| {
        for _ in 1..workers {
            s.spawn(|| {
                // A worker that cannot connect leaves its share to the others.
                if let Ok(mut session) = Session::open(url, &opts) {
                    let mut scratch = ctx.table_engine.scratch();
                    work(&mut session, &mut scratch);
                }
            });
        }
        work(&mut first, scratch);
    });
    let mut table = TableResult::default();
    for part in done
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .flatten()
    {
        table.hits.extend(part.hits);
        table.verdicts.extend(part.verdicts);
        table.notices.extend(part.notices);
        table.sampled.extend(part.sampled);
        table.text_hits.extend(part.text_hits);
        table.binary.extend(part.binary);
    }
    let status = if table.notices.is_empty() {
        InputStatus::Scanned
    } else {
        InputStatus::Partial(table.notices.join("; "))
    };
    UnitResult {
        status,
        region: None,
        table: Some(table),
        bytes: 0,
        members: Vec::new(),
    }
}

/// Reads a pg_dump archive from a stream (gzip-compressed or standard input) and scans its
/// cells.
pub(super) fn run_archive_stream(
    reader: Box<dyn Read + '_>,
    ctx: &Ctx<'_>,
    scratch: &mut crate::detect::Scratch,
) -> UnitResult {
    let mut counting = Counting {
        inner: reader,
        count: 0,
        progress: ctx.progress,
    };
    let (table, outcome) = scan_table(ctx, scratch, |scanner| {
        crate::source::table::pgarchive::read_stream(&mut counting, scanner)
    });
    let status = match outcome {
        Ok(()) => InputStatus::Scanned,
        Err(e) => InputStatus::Partial(format!("{e}; the rows before it were scanned")),
    };
    UnitResult {
        status,
        region: None,
        table: Some(table),
        bytes: counting.count,
        members: Vec::new(),
    }
}

/// Reads a table file and scans its cells.
pub(super) fn run_table(
    format: TableFormat,
    path: &std::path::Path,
    reader: Box<dyn Read + '_>,
    encoding: Encoding,
    compressed: bool,
    ctx: &Ctx<'_>,
    scratch: &mut crate::detect::Scratch,
) -> UnitResult {
    let mut counting = Counting {
        inner: reader,
        count: 0,
        progress: ctx.progress,
    };
    let mut decoded = crate::source::decode::DecodingReader::new(&mut counting, encoding);
    let (table, outcome) = scan_table(ctx, scratch, |scanner| {
        crate::source::table::read(
            format,
            &mut decoded,
            &crate::source::table::stem(path),
            scanner,
        )
    });
    let bytes = counting.count;
    let status = match outcome {
        Ok(()) if table.notices.is_empty() => InputStatus::Scanned,
        Ok(()) => InputStatus::Partial(table.notices.join("; ")),
        Err(e) if compressed && e.kind() != io::ErrorKind::InvalidData => {
            InputStatus::Partial(describe_read_error(&e, true, bytes))
        }
        // The dump reader's messages say themselves which rows were read.
        Err(e) if format == TableFormat::SqlDump => InputStatus::Partial(e.to_string()),
        Err(e) => InputStatus::Partial(format!("{e}; the rows before it were scanned")),
    };
    UnitResult {
        status,
        region: None,
        table: Some(table),
        bytes,
        members: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_result(bytes: u64, status: InputStatus) -> UnitResult {
        UnitResult {
            status,
            region: Some(RegionResult::default()),
            table: None,
            bytes,
            members: Vec::new(),
        }
    }

    #[test]
    fn a_file_that_changes_while_read_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        std::fs::write(&path, b"0123456789").unwrap();
        let before = std::fs::metadata(&path).unwrap();
        // Read completely, unchanged: scanned.
        let r = check_unchanged(&path, Some(&before), text_result(10, InputStatus::Scanned));
        assert_eq!(r.status, InputStatus::Scanned);
        // The read ended short of the size it had when opened (it shrank).
        let r = check_unchanged(&path, Some(&before), text_result(4, InputStatus::Scanned));
        assert!(
            matches!(&r.status, InputStatus::Partial(m) if m.contains("changed while being read")),
            "{:?}",
            r.status
        );
        // A read error of a file cut short is told as the change it is.
        let cut = InputStatus::Failed("failed to fill whole buffer".into());
        let r = check_unchanged(&path, Some(&before), text_result(10, cut));
        assert!(
            matches!(&r.status, InputStatus::Partial(m) if m.contains("changed while being read")),
            "{:?}",
            r.status
        );
        // Its size moved between opening and the end of the read.
        std::fs::write(&path, b"01234").unwrap();
        let r = check_unchanged(&path, Some(&before), text_result(10, InputStatus::Scanned));
        assert!(r.status.is_error());
    }
}
