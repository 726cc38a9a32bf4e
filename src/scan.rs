//! The scan: walk the inputs, cut them into units of work (whole files, or regions of one large
//! UTF-8 file so that both cores work inside it), run the units on worker threads, and hand the
//! findings to a [`Sink`] in a deterministic order (by input, then offset) whatever the number
//! of threads. Workers may run ahead of the output by a bounded window only, so memory stays
//! bounded however many findings there are.

use crate::classify::{ColumnNames, ColumnVerdict};
use crate::detect::stream::{RegionHit, RegionResult, StreamScanner};
use crate::detect::{Engine, Found};
use crate::finding::{Confidence, Finding, Location};
use crate::fingerprint::Fingerprinter;
use crate::progress::Progress;
use crate::rules::RuleSet;
use crate::source::decode::{Decoder, Encoding};
use crate::source::open::{open_path, open_stdin, read_up_to, LocalOpened, Opened};
use crate::source::project::ProjectPaths;
use crate::source::sniff::{sniff, Sniffed, SNIFF_LEN};
use crate::source::walk::{special_kind, walk, Entry, WalkOptions};
use crate::table::TableFormat;
use crate::tablescan::{SampledTable, TableOptions, TableResult, TableScanner};
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How to scan.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Report findings at or above this confidence.
    pub min_confidence: Confidence,
    /// Attach explanations.
    pub explain: bool,
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Walking options.
    pub walk: WalkOptions,
    /// Files of at least twice this size are split into regions of about this size.
    pub segment_size: u64,
    /// Sampling and caps for tables (CSV, TSV, SQL dumps).
    pub tables: TableOptions,
    /// Drop findings on text lines that carry `piiscan:allow`.
    pub inline_allow: bool,
    /// How files are named in fingerprints (and shown, for remapped staged files).
    pub project: ProjectPaths,
    /// What an archive (with the archives inside it) may expand to.
    pub archives: crate::source::container::Limits,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            min_confidence: Confidence::Medium,
            explain: false,
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            walk: WalkOptions::default(),
            segment_size: 4 * 1024 * 1024,
            tables: TableOptions::default(),
            inline_allow: true,
            project: ProjectPaths::default(),
            archives: crate::source::container::Limits::default(),
        }
    }
}

/// What happened to one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputStatus {
    /// Scanned completely.
    Scanned,
    /// Skipped: binary content.
    SkippedBinary,
    /// Skipped: larger than `--max-filesize`.
    SkippedTooLarge,
    /// Skipped: a FIFO, socket or device found in a directory (never opened); the kind.
    SkippedSpecial(String),
    /// Could not be scanned at all.
    Failed(String),
    /// Scanned in part: the reason says what was not.
    Partial(String),
}

impl InputStatus {
    /// Why the input was skipped, if it was: `binary`, `too large`, `special file`.
    pub fn skip_reason(&self) -> Option<&'static str> {
        match self {
            InputStatus::SkippedBinary => Some("binary"),
            InputStatus::SkippedTooLarge => Some("too large"),
            InputStatus::SkippedSpecial(_) => Some("special file"),
            _ => None,
        }
    }

    /// Is this an error the exit code must show?
    pub fn is_error(&self) -> bool {
        matches!(self, InputStatus::Failed(_) | InputStatus::Partial(_))
    }
}

/// One input's outcome, sent to the sink after its findings.
#[derive(Debug, Clone)]
pub struct InputReport {
    /// The input, as shown.
    pub path: Arc<str>,
    /// The input's project path (see [`ProjectPaths`]).
    pub project_path: Arc<str>,
    /// What happened.
    pub status: InputStatus,
    /// Bytes read (decompressed for gzip).
    pub bytes: u64,
    /// Findings reported for it.
    pub findings: u64,
    /// Findings dropped because their line carries `piiscan:allow`.
    pub allowed_inline: u64,
}

/// Totals of a scan.
#[derive(Debug, Clone, Default)]
pub struct ScanStats {
    /// Inputs scanned (completely or in part).
    pub files_scanned: u64,
    /// Inputs skipped as binary.
    pub skipped_binary: u64,
    /// Inputs skipped for their size.
    pub skipped_too_large: u64,
    /// Special files (FIFOs, sockets, devices) found in directories and never opened.
    pub skipped_special: u64,
    /// Every skipped input: (path as shown, reason).
    pub skipped_inputs: Vec<(String, String)>,
    /// Inputs that failed completely or in part.
    pub failed: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Findings reported.
    pub findings: u64,
    /// Findings dropped because their line carries `piiscan:allow`.
    pub allowed_inline: u64,
    /// Findings and columns accepted by the allowlist (set by the caller's gate).
    pub allowlisted: u64,
    /// Findings and columns accepted by the baseline (set by the caller's gate).
    pub baselined: u64,
    /// Baseline entries not seen again in the files scanned (set by the caller's gate).
    pub baseline_stale: u64,
    /// Findings per rule id: (category, count).
    pub per_rule: BTreeMap<String, (String, u64)>,
    /// Tables read in part (`--sample-rows`), in input order: (input as shown, table).
    pub sampled: Vec<(String, SampledTable)>,
    /// Wall-clock time.
    pub elapsed: Duration,
}

impl ScanStats {
    /// Throughput in MB/s (10^6 bytes).
    pub fn mb_per_s(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.bytes as f64 / 1e6 / secs
        } else {
            0.0
        }
    }
}

/// How an input is named: as shown, and relative to the project root.
#[derive(Debug, Clone, Copy)]
pub struct InputName<'a> {
    /// As shown in reports.
    pub path: &'a str,
    /// The project path (see [`ProjectPaths`]).
    pub project_path: &'a str,
}

/// Receives the results of a scan in order.
pub trait Sink {
    /// A batch of findings of one input, by offset.
    fn findings(&mut self, batch: &[Finding]) -> io::Result<()>;
    /// An input is done.
    fn input_done(&mut self, report: &InputReport) -> io::Result<()>;
    /// Column verdicts of a table input (after its findings, before its `input_done`).
    fn columns(&mut self, _input: InputName<'_>, _verdicts: &[ColumnVerdict]) -> io::Result<()> {
        Ok(())
    }
    /// Does this sink read [`Finding::fingerprint`]? When it does not (table, GitHub and JUnit
    /// output, the inventory, the anonymiser's detection), no HMAC is computed at all and the
    /// field stays empty.
    fn needs_fingerprints(&self) -> bool {
        true
    }
}

/// One unit of work.
#[derive(Debug, Clone)]
enum Unit {
    /// A whole input.
    Whole { entry: usize },
    /// Region `index` of `count` of a large UTF-8 file: raw bytes `[start, end)`.
    Region {
        entry: usize,
        index: usize,
        count: usize,
        start: u64,
        end: u64,
    },
}

impl Unit {
    fn entry(&self) -> usize {
        match self {
            Unit::Whole { entry } | Unit::Region { entry, .. } => *entry,
        }
    }
}

/// What a worker hands back.
pub(crate) struct UnitResult {
    pub(crate) status: InputStatus,
    pub(crate) region: Option<RegionResult>,
    pub(crate) table: Option<TableResult>,
    pub(crate) bytes: u64,
    /// Members of a container, each reported as an input of its own before the container.
    pub(crate) members: Vec<crate::containerscan::MemberResult>,
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

/// What a worker sends the emitter.
enum Msg {
    /// Hits of a text unit still being read, in order: sent only while the unit is the next
    /// to be emitted, so they go straight out and memory stays bounded however many findings
    /// a file holds (gzip, standard input and non-UTF-8 files are one unit each).
    Part(Vec<RegionHit>),
    /// The unit is done (boxed: a result is large, a part is small).
    Done(Box<UnitResult>),
}

/// Hits a unit that is not yet the next to be emitted gathers before it waits for its turn.
const FAR_HITS: usize = 32 * 1024;

/// Counts the bytes read through it, for statistics and progress.
struct Counting<'p, R> {
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

/// Splits a large plain UTF-8 file at line starts near each multiple of `segment`.
fn plan_regions(path: &std::path::Path, size: u64, segment: u64) -> Option<Vec<(u64, u64)>> {
    if segment == 0
        || size < 2 * segment
        || path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
    {
        return None;
    }
    let file = std::fs::File::open(path).ok()?;
    let mut head = vec![0u8; SNIFF_LEN.min(size as usize)];
    file.read_exact_at(&mut head, 0).ok()?;
    if crate::source::input::codec(&head).is_some() {
        return None;
    }
    if crate::table::detect(path, &head).is_some() {
        return None;
    }
    let bom = match sniff(&head) {
        Sniffed::Text {
            encoding: Encoding::Utf8,
            bom,
        } => bom as u64,
        _ => return None,
    };
    let mut cuts = vec![bom];
    let mut probe = vec![0u8; 64 * 1024];
    let mut nominal = segment;
    while nominal < size.saturating_sub(segment / 2) {
        let n = file.read_at(&mut probe, nominal).ok()?;
        let window = &probe[..n];
        // Cut after a newline; in one long line, after a byte no pattern contains (so no
        // match straddles the cut); failing both, on a character boundary.
        let cut = match memchr::memchr(b'\n', window) {
            Some(i) => nominal + i as u64 + 1,
            None => match window
                .iter()
                .position(|b| matches!(b, b'"' | b'}' | b']' | b'>' | b';' | b'\t'))
            {
                Some(i) => nominal + i as u64 + 1,
                None => nominal + window.iter().position(|&b| b & 0xC0 != 0x80).unwrap_or(0) as u64,
            },
        };
        if cut > *cuts.last().unwrap_or(&0) && cut < size {
            cuts.push(cut);
        }
        nominal += segment;
    }
    cuts.push(size);
    if cuts.len() < 3 {
        return None;
    }
    Some(cuts.windows(2).map(|w| (w[0], w[1])).collect())
}

fn plan(entries: &[Entry], segment: u64) -> Vec<Unit> {
    let mut units = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        match e {
            Entry::File { path, size } => match plan_regions(path, *size, segment) {
                Some(regions) => {
                    let count = regions.len();
                    for (index, (start, end)) in regions.into_iter().enumerate() {
                        units.push(Unit::Region {
                            entry: i,
                            index,
                            count,
                            start,
                            end,
                        });
                    }
                }
                None => units.push(Unit::Whole { entry: i }),
            },
            _ => units.push(Unit::Whole { entry: i }),
        }
    }
    units
}

/// What a file that changed under the reader is told with.
fn changed_message(at: u64) -> String {
    format!("changed while being read (near byte {at}); it was not scanned completely")
}

/// A file's size and modification time: what must stay the same while it is read.
fn stamp(m: &std::fs::Metadata) -> (u64, Option<std::time::SystemTime>) {
    (m.len(), m.modified().ok())
}

/// Turns the result of reading a whole file into "changed while being read" when its size or
/// modification time moved, or a text read ended short of its size (read errors of a file cut
/// short, such as "failed to fill whole buffer", included).
fn check_unchanged(
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

fn describe_read_error(e: &io::Error, compressed: bool, at: u64) -> String {
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
) -> UnitResult {
    let mut opened = match opened {
        Ok(o) => o,
        Err(e) => return UnitResult::status(InputStatus::Failed(e.to_string())),
    };
    // SQLite, Parquet and workbooks are binary and are read from their path.
    if let Some(path) = path.filter(|_| !opened.compressed) {
        if let Some(format) = crate::table::detect(path, &opened.head).filter(|f| f.needs_path()) {
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
        return crate::containerscan::run(kind, opened, path, ctx, scratch);
    }
    // A pg_dump archive inside gzip or on standard input: read as a stream.
    if crate::table::pgarchive::is_archive_head(&opened.head) {
        return run_archive_stream(opened.reader, ctx, scratch);
    }
    let (encoding, bom) = match opened.sniffed {
        Sniffed::Binary => return UnitResult::status(InputStatus::SkippedBinary),
        Sniffed::Text { encoding, bom } => (encoding, bom),
    };
    if let Err(e) = read_up_to(&mut opened.reader, bom) {
        return UnitResult::status(InputStatus::Failed(e.to_string()));
    }
    if let Some(path) = path {
        if let Some(format) = crate::table::detect(path, &opened.head) {
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

fn run_region(
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
    let mut pre_start = start.saturating_sub(crate::rules::compile::MAX_MATCH_LEN as u64);
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
type Flush<'f> = &'f mut dyn FnMut(&mut Vec<RegionHit>);

fn run_unit(
    unit: &Unit,
    entries: &[Entry],
    ctx: &Ctx<'_>,
    scratch: &mut crate::detect::Scratch,
    flush: Flush<'_>,
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
            );
            check_unchanged(path, before.as_ref(), result)
        }
        (_, Entry::Stdin) => run_opened(open_stdin().map(Opened::local), None, ctx, scratch, flush),
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
    engine: &'a Engine<'a>,
    /// The same rules reporting every confidence: table cells are judged per column first.
    table_engine: &'a Engine<'a>,
    names: &'a ColumnNames,
    tables: TableOptions,
    progress: &'a Progress,
    inline_allow: bool,
    /// What an archive may expand to.
    pub(crate) limits: crate::source::container::Limits,
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
        std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
    };
    let mut scanner = TableScanner::new(ctx.table_engine, scratch, ctx.names, ctx.tables)
        .inline_allow(ctx.inline_allow);
    let outcome = crate::table::read_path(format, path, ctx.tables.sample_rows, &mut scanner);
    let table = scanner.finish();
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

/// Reads a pg_dump archive from a stream (gzip-compressed or standard input) and scans its
/// cells.
fn run_archive_stream(
    reader: Box<dyn Read + '_>,
    ctx: &Ctx<'_>,
    scratch: &mut crate::detect::Scratch,
) -> UnitResult {
    let mut counting = Counting {
        inner: reader,
        count: 0,
        progress: ctx.progress,
    };
    let mut scanner = TableScanner::new(ctx.table_engine, scratch, ctx.names, ctx.tables)
        .inline_allow(ctx.inline_allow);
    let outcome = crate::table::pgarchive::read_stream(&mut counting, &mut scanner);
    let table = scanner.finish();
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
fn run_table(
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
    let mut scanner = TableScanner::new(ctx.table_engine, scratch, ctx.names, ctx.tables)
        .inline_allow(ctx.inline_allow);
    let outcome = crate::table::read(
        format,
        &mut decoded,
        &crate::table::stem(path),
        &mut scanner,
    );
    let table = scanner.finish();
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

/// Accumulates the regions of one input while they are emitted in order.
#[derive(Default)]
struct InputState {
    lines_before: u64,
    /// Characters of the current line in earlier regions (regions may cut inside a line).
    line_chars_before: u64,
    decoded_before: u64,
    bytes: u64,
    findings: u64,
    allowed_inline: u64,
    problems: Vec<String>,
    failed: Option<String>,
    binary: bool,
    too_large: bool,
    special: Option<String>,
}

impl InputState {
    fn absorb(&mut self, status: &InputStatus, bytes: u64) {
        match status {
            InputStatus::SkippedBinary => self.binary = true,
            InputStatus::SkippedTooLarge => self.too_large = true,
            InputStatus::SkippedSpecial(kind) => self.special = Some(kind.clone()),
            InputStatus::Failed(why) => self.failed = Some(why.clone()),
            InputStatus::Partial(why) => self.problems.push(why.clone()),
            InputStatus::Scanned => {}
        }
        self.bytes += bytes;
    }

    /// The input's status once all its units are in: the gravest wins.
    fn status(&mut self) -> InputStatus {
        if let Some(f) = self.failed.take() {
            InputStatus::Failed(f)
        } else if self.binary {
            InputStatus::SkippedBinary
        } else if self.too_large {
            InputStatus::SkippedTooLarge
        } else if let Some(kind) = self.special.take() {
            InputStatus::SkippedSpecial(kind)
        } else if !self.problems.is_empty() {
            InputStatus::Partial(self.problems.join("; "))
        } else {
            InputStatus::Scanned
        }
    }
}

impl ScanStats {
    fn count(&mut self, path: &str, status: &InputStatus, bytes: u64, findings: u64) {
        if let Some(reason) = status.skip_reason() {
            let reason = match status {
                InputStatus::SkippedSpecial(kind) => format!("{reason} ({kind})"),
                _ => reason.to_string(),
            };
            self.skipped_inputs.push((path.to_string(), reason));
        }
        match status {
            InputStatus::Scanned => self.files_scanned += 1,
            InputStatus::Partial(_) => {
                self.files_scanned += 1;
                self.failed += 1;
            }
            InputStatus::Failed(_) => self.failed += 1,
            InputStatus::SkippedBinary => self.skipped_binary += 1,
            InputStatus::SkippedTooLarge => self.skipped_too_large += 1,
            InputStatus::SkippedSpecial(_) => self.skipped_special += 1,
        }
        self.bytes += bytes;
        self.findings += findings;
    }
}

/// Fills in the fingerprint and mask of everything a unit found, in the worker that found it,
/// absorbing the keyed rule/path prefix once per rule.
pub(crate) fn mark_found<'f>(
    found: impl Iterator<Item = &'f mut Found>,
    rules: &RuleSet,
    path: &str,
    fingerprints: Option<&Fingerprinter>,
) {
    let mut prefixes = vec![None; rules.rules.len()];
    for f in found {
        let rule = &rules.rules[f.rule];
        let id = &rule.id;
        if let Some(fingerprints) = fingerprints {
            let prefix = prefixes[f.rule].get_or_insert_with(|| fingerprints.prefix(id, path));
            f.fingerprint = Fingerprinter::fingerprint_from(prefix, &rule.category, &f.value);
        }
        f.masked = crate::mask::mask(id, &f.value);
    }
}

/// An input's display path and project path.
type Names<'a> = (&'a Arc<str>, &'a Arc<str>);

/// Turns unit results, taken in order, into findings and input reports for the sink.
struct Emitter<'a> {
    rules: &'a RuleSet,
    sink: &'a mut dyn Sink,
    stats: ScanStats,
    state: InputState,
    batch: Vec<Finding>,
    per_rule: Vec<u64>,
    error: Option<io::Error>,
    /// For findings in file names (see [`crate::names`]).
    fingerprints: Option<&'a Fingerprinter>,
    name_scratch: crate::detect::engine::Scratch,
    min_confidence: Confidence,
}

impl Emitter<'_> {
    /// Findings in the input's own file name (the last part of its path, after `/` or `!`):
    /// located on the path, so personal data in a name is never silent.
    fn name_findings(&mut self, names: Names<'_>) {
        let path: &str = names.0;
        let base = path.rfind(['/', '!']).map_or(0, |i| i + 1);
        let hits = crate::names::find_in_name(self.rules, &mut self.name_scratch, &path[base..]);
        if hits.is_empty() {
            return;
        }
        self.batch.clear();
        for h in hits {
            if h.confidence < self.min_confidence {
                continue;
            }
            let (start, end) = (base + h.start, base + h.end);
            let value = path[start..end].to_string();
            let id = self.rules.rules[h.rule].id.clone();
            let category = &self.rules.rules[h.rule].category;
            let fingerprint = self.fingerprints.map_or_else(String::new, |f| {
                Fingerprinter::fingerprint_from(&f.prefix(&id, names.1), category, &value)
            });
            let found = Found {
                rule: h.rule,
                confidence: h.confidence,
                fingerprint,
                masked: crate::mask::mask(&id, &value),
                value,
                explanation: None,
            };
            let location = Location::Path {
                byte_start: start as u64,
                byte_end: end as u64,
            };
            let finding = self.finding(names, found, location);
            self.batch.push(finding);
        }
        self.send_batch();
    }

    fn finding(&mut self, names: Names<'_>, found: Found, location: Location) -> Finding {
        let rule = &self.rules.rules[found.rule];
        self.per_rule[found.rule] += 1;
        Finding {
            path: names.0.clone(),
            project_path: names.1.clone(),
            rule: rule.id.clone(),
            category: rule.category.clone(),
            confidence: found.confidence,
            location,
            fingerprint: found.fingerprint,
            masked: found.masked,
            value: found.value,
            explanation: found.explanation,
        }
    }

    fn send_batch(&mut self) {
        self.state.findings += self.batch.len() as u64;
        if self.error.is_none() && !self.batch.is_empty() {
            self.error = self.sink.findings(&self.batch).err();
        }
    }

    /// Sends the hits of the text unit being emitted (a part, or the rest at its end).
    fn text_hits(&mut self, names: Names<'_>, hits: Vec<RegionHit>) {
        self.batch.clear();
        for h in hits {
            if h.allowed_inline {
                self.state.allowed_inline += 1;
                continue;
            }
            let location = Location::Text {
                line: 1 + self.state.lines_before + h.newlines_before,
                column: h.column
                    + if h.newlines_before == 0 {
                        self.state.line_chars_before
                    } else {
                        0
                    },
                byte_start: self.state.decoded_before + h.start,
                byte_end: self.state.decoded_before + h.end,
            };
            let finding = self.finding(names, h.found, location);
            self.batch.push(finding);
        }
        self.send_batch();
    }

    /// Reports each member of a container as an input of its own, named `container!member`.
    fn emit_members(&mut self, names: Names<'_>, result: &mut UnitResult) {
        for m in std::mem::take(&mut result.members) {
            let path: Arc<str> = Arc::from(format!("{}!{}", names.0, m.location).as_str());
            let project: Arc<str> = Arc::from(format!("{}!{}", names.1, m.location).as_str());
            self.emit(&Unit::Whole { entry: 0 }, (&path, &project), m.result);
        }
    }

    fn emit(&mut self, unit: &Unit, names: Names<'_>, result: UnitResult) -> bool {
        let path = names.0;
        self.state.absorb(&result.status, result.bytes);
        if let Some(mut region) = result.region {
            let hits = std::mem::take(&mut region.hits);
            self.text_hits(names, hits);
            self.state.lines_before += region.newlines;
            self.state.line_chars_before = region.tail_chars
                + if region.newlines == 0 {
                    self.state.line_chars_before
                } else {
                    0
                };
            self.state.decoded_before += region.decoded_len;
        }
        if let Some(table) = result.table {
            self.stats
                .sampled
                .extend(table.sampled.into_iter().map(|t| (path.to_string(), t)));
            self.batch.clear();
            for h in table.text_hits {
                if h.allowed_inline {
                    self.state.allowed_inline += 1;
                    continue;
                }
                let location = Location::Text {
                    line: h.at.line,
                    column: h.at.column,
                    byte_start: h.at.offset,
                    byte_end: h.at.offset + h.len,
                };
                let finding = self.finding(names, h.found, location);
                self.batch.push(finding);
            }
            for h in table.hits {
                let location = Location::Cell {
                    table: h.table.to_string(),
                    column: h.column.to_string(),
                    row: h.row,
                };
                let finding = self.finding(names, h.found, location);
                self.batch.push(finding);
            }
            self.send_batch();
            if self.error.is_none() && !table.verdicts.is_empty() {
                let input = InputName {
                    path,
                    project_path: names.1,
                };
                self.error = self.sink.columns(input, &table.verdicts).err();
            }
        }
        let last_of_input = match unit {
            Unit::Whole { .. } => true,
            Unit::Region { index, count, .. } => index + 1 == *count,
        };
        if last_of_input {
            self.name_findings(names);
        }
        if last_of_input {
            let status = self.state.status();
            let done = std::mem::take(&mut self.state);
            self.stats.count(path, &status, done.bytes, done.findings);
            self.stats.allowed_inline += done.allowed_inline;
            let report = InputReport {
                path: path.clone(),
                project_path: names.1.clone(),
                status,
                bytes: done.bytes,
                findings: done.findings,
                allowed_inline: done.allowed_inline,
            };
            if self.error.is_none() {
                self.error = self.sink.input_done(&report).err();
            }
        }
        last_of_input
    }
}

/// Runs a scan.
///
/// # Errors
/// Only errors of the sink (writing the output, e.g. a closed pipe, which also stops the
/// workers); input errors are reported per input.
pub fn scan(
    inputs: &[PathBuf],
    rules: &RuleSet,
    opts: &ScanOptions,
    fingerprints: &Fingerprinter,
    sink: &mut dyn Sink,
    quiet: bool,
) -> io::Result<ScanStats> {
    let started = Instant::now();
    let entries = walk(inputs, &opts.walk);
    let units = plan(&entries, opts.segment_size);
    let total_bytes: u64 = entries
        .iter()
        .map(|e| {
            if let Entry::File { size, .. } = e {
                *size
            } else {
                0
            }
        })
        .sum();
    let progress = Progress::new(total_bytes, quiet);
    let engine = Engine::new(rules, opts.min_confidence, opts.explain);
    let table_engine = Engine::new(rules, Confidence::Low, opts.explain);
    let names = ColumnNames::new(rules);
    let tables = TableOptions {
        min_confidence: opts.min_confidence,
        ..opts.tables
    };
    let threads = opts.threads.max(1);
    // Workers run ahead of the output by this many units at most: memory stays bounded.
    let window = threads * 2 + 1;
    let paths: Vec<Arc<str>> = entries
        .iter()
        .map(|e| match e {
            Entry::Stdin => Arc::from("-"),
            _ => Arc::from(opts.project.display(e.path()).as_str()),
        })
        .collect();
    let project_paths: Vec<Arc<str>> = entries
        .iter()
        .map(|e| match e {
            Entry::Stdin => Arc::from("-"),
            _ => Arc::from(opts.project.project_path(e.path()).as_str()),
        })
        .collect();

    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let emitted = Mutex::new(0usize);
    let advanced = Condvar::new();
    let (tx, rx) = mpsc::channel::<(usize, Msg)>();
    let fingerprints = sink.needs_fingerprints().then_some(fingerprints);
    let mut emitter = Emitter {
        rules,
        sink,
        stats: ScanStats::default(),
        state: InputState::default(),
        batch: Vec::new(),
        per_rule: vec![0; rules.rules.len()],
        error: None,
        fingerprints,
        name_scratch: engine.scratch(),
        min_confidence: opts.min_confidence,
    };
    let ctx = Ctx {
        engine: &engine,
        table_engine: &table_engine,
        names: &names,
        tables,
        progress: &progress,
        inline_allow: opts.inline_allow,
        limits: opts.archives,
    };
    std::thread::scope(|s| {
        let (next, stop, emitted, advanced) = (&next, &stop, &emitted, &advanced);
        let (units, entries, engine) = (&units, &entries, &engine);
        let (paths, project_paths) = (&paths, &project_paths);
        let (ctx, progress) = (&ctx, &progress);
        // Plain threads, not a rayon pool: a unit may call into polars, which runs on its own
        // rayon pool. A rayon worker of ours waiting for that pool would meanwhile steal and
        // run another of our units on the same stack, and that unit can block on the output
        // window, which waits for the unit suspended beneath it: a deadlock. A plain thread
        // just waits, and nothing of ours ever runs on a stack it does not own.
        for _ in 0..threads {
            let tx = tx.clone();
            s.spawn(move || {
                let mut scratch = engine.scratch();
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= units.len() || stop.load(Ordering::Relaxed) {
                        break;
                    }
                    {
                        let mut done = emitted.lock().unwrap_or_else(|p| p.into_inner());
                        while i >= *done + window && !stop.load(Ordering::Relaxed) {
                            done = advanced.wait(done).unwrap_or_else(|p| p.into_inner());
                        }
                    }
                    let path = &project_paths[units[i].entry()];
                    let mut flush = |hits: &mut Vec<RegionHit>| {
                        let mut done = emitted.lock().unwrap_or_else(|p| p.into_inner());
                        if *done < i && hits.len() < FAR_HITS {
                            return;
                        }
                        while *done < i && !stop.load(Ordering::Relaxed) {
                            done = advanced.wait(done).unwrap_or_else(|p| p.into_inner());
                        }
                        drop(done);
                        if stop.load(Ordering::Relaxed) {
                            return;
                        }
                        let mut part = std::mem::take(hits);
                        mark_found(
                            part.iter_mut().map(|h| &mut h.found),
                            rules,
                            path,
                            fingerprints,
                        );
                        // A closed channel means the emitter stopped; the unit ends below.
                        let _ = tx.send((i, Msg::Part(part)));
                    };
                    let mut result = run_unit(&units[i], entries, ctx, &mut scratch, &mut flush);
                    if let Some(region) = result.region.as_mut() {
                        mark_found(
                            region.hits.iter_mut().map(|h| &mut h.found),
                            rules,
                            path,
                            fingerprints,
                        );
                    }
                    if let Some(table) = result.table.as_mut() {
                        mark_found(
                            table
                                .hits
                                .iter_mut()
                                .map(|h| &mut h.found)
                                .chain(table.text_hits.iter_mut().map(|h| &mut h.found)),
                            rules,
                            path,
                            fingerprints,
                        );
                    }
                    crate::containerscan::mark_members(&mut result, rules, path, fingerprints);
                    if tx.send((i, Msg::Done(Box::new(result)))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);

        let mut pending: HashMap<usize, UnitResult> = HashMap::new();
        let mut next_emit = 0usize;
        let mut files_done = 0usize;
        for (i, msg) in rx.iter() {
            let r = match msg {
                Msg::Part(hits) => {
                    // Sent only once unit `i` is the next to be emitted.
                    debug_assert_eq!(i, next_emit);
                    let unit = &units[i];
                    let names = (&paths[unit.entry()], &project_paths[unit.entry()]);
                    emitter.text_hits(names, hits);
                    if emitter.error.is_some() {
                        stop.store(true, Ordering::Relaxed);
                        advanced.notify_all();
                        break;
                    }
                    continue;
                }
                Msg::Done(r) => *r,
            };
            pending.insert(i, r);
            while let Some(mut r) = pending.remove(&next_emit) {
                let unit = &units[next_emit];
                let names = (&paths[unit.entry()], &project_paths[unit.entry()]);
                emitter.emit_members(names, &mut r);
                if emitter.emit(unit, names, r) {
                    files_done += 1;
                    progress.set_files(files_done, entries.len());
                }
                next_emit += 1;
                *emitted.lock().unwrap_or_else(|p| p.into_inner()) = next_emit;
                if emitter.error.is_some() {
                    stop.store(true, Ordering::Relaxed);
                }
                advanced.notify_all();
            }
            if emitter.error.is_some() {
                break;
            }
        }
    });
    progress.finish();
    let mut stats = emitter.stats;
    stats.per_rule = emitter
        .per_rule
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(i, n)| {
            (
                rules.rules[i].id.to_string(),
                (rules.rules[i].category.to_string(), *n),
            )
        })
        .collect();
    stats.elapsed = started.elapsed();
    match emitter.error {
        Some(e) => Err(e),
        None => Ok(stats),
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
