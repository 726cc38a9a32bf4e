//! Scanning tables: every sampled cell goes through the text engine, with the column's name
//! as context (a match of a rule whose column names include the column's is `high`); at the
//! end of a table each column is judged ([`crate::detect::column`]) and the cell findings of a
//! column that its values classified are raised to `high`. Findings are capped per column,
//! while the verdicts keep exact counts.

use crate::detect::column::{
    judge, judge_by_name, ColumnNames, ColumnProfile, ColumnVerdict, SampledRows,
};
use crate::detect::{Engine, Found, Scratch};
use crate::finding::Confidence;
use crate::ruleset::RuleSet;
use crate::source::table::{TableSink, TextAt, MAX_COLUMNS};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;

/// One finding in a cell.
#[derive(Debug, Clone)]
pub struct CellHit {
    /// What was found.
    pub found: Found,
    /// Table name.
    pub table: Arc<str>,
    /// Column name.
    pub column: Arc<str>,
    /// 1-based data row.
    pub row: u64,
    /// The 1-based line of the input where the row starts, when the reader knows it (CSV,
    /// NDJSON, SQL dumps); `None` for names and binary formats.
    pub line: Option<u64>,
    /// The column's position in its table.
    pub column_index: usize,
    /// Where in the table: a cell, or the column's or the table's name.
    pub place: Place,
}

/// Where in a table a hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    /// The table's name (a sheet `Jan Jansen`): byte range in it.
    TableName {
        /// Start of the match in the name.
        start: usize,
        /// End of the match.
        end: usize,
    },
    /// The column's name (a header or key that is a value): byte range in it.
    ColumnName {
        /// Start of the match in the name.
        start: usize,
        /// End of the match.
        end: usize,
    },
    /// A cell.
    Cell,
}

/// Cells waiting to be scanned, column by column: a batch of rows is scanned with one engine
/// call per column instead of one per cell. Cells are joined by `\n`, which no built-in
/// pattern matches and where context windows stop, so each cell is judged as if alone; a
/// match that crosses a joint (a user pattern with `\s`) sends its cells back to be scanned
/// one by one.
#[derive(Debug, Default)]
struct Batch {
    columns: Vec<ColumnBatch>,
    bytes: usize,
}

#[derive(Debug, Default)]
struct ColumnBatch {
    buf: Vec<u8>,
    /// The cells queued, in order.
    cells: Vec<QueuedCell>,
}

/// A cell waiting in a [`ColumnBatch`].
#[derive(Debug, Clone, Copy)]
struct QueuedCell {
    /// Its 1-based row.
    row: u64,
    /// The line its row starts on, when the reader said.
    line: Option<u64>,
    /// Where the cell starts in the batch's buffer.
    start: usize,
    /// Where it ends.
    end: usize,
}

impl Batch {
    /// Empties the batch, keeping its buffers.
    fn clear(&mut self) {
        for c in &mut self.columns {
            c.buf.clear();
            c.cells.clear();
        }
        self.bytes = 0;
    }
}

/// A batch on its way to be scanned (here or on the helper thread) and back with its hits.
#[derive(Debug, Default)]
pub(crate) struct Job {
    batch: Batch,
    /// The table the batch belongs to (its place in the scanner's tables).
    table: usize,
    /// Per column: what its name says.
    hints: Vec<CellHint>,
    /// Per column: the hits, by cell (the cell's place in the column's batch).
    found: Vec<Vec<(usize, crate::detect::Hit)>>,
}

/// What a column's name says about its cells.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CellHint {
    /// The rule the name hints at (its matches count as having context).
    rule: Option<usize>,
    /// The column holds places: person names found by their shape alone are no people.
    places: bool,
}

/// Scans each column of a batch with one engine call (see [`Batch`]).
fn scan_batch(engine: &Engine<'_>, scratch: &mut Scratch, job: &mut Job) {
    let columns = job.batch.columns.len();
    if job.found.len() < columns {
        job.found.resize_with(columns, Vec::new);
    }
    for (i, col) in job.batch.columns.iter().enumerate() {
        let found = &mut job.found[i];
        found.clear();
        if col.cells.is_empty() {
            continue;
        }
        let CellHint { rule: hint, places } = job.hints.get(i).copied().unwrap_or_default();
        let rules = engine.rules();
        // A name found by its shape alone names a place there; one with evidence (a title, a
        // label: `high`) stays, so a column named `city` cannot hide "Naam: Jan de Vries".
        let kept = |h: &crate::detect::Hit| {
            !(places
                && h.confidence < crate::finding::Confidence::High
                && &*rules.rules[h.rule].category == "user.name")
        };
        let cells = &col.cells;
        let mut crossed = false;
        let mut j = 0;
        engine.scan_hinted(scratch, &col.buf, 0, col.buf.len(), hint, |h| {
            while j + 1 < cells.len() && cells[j].end < h.start {
                j += 1;
            }
            if h.start < cells[j].start || h.end > cells[j].end {
                crossed = true;
            }
            if kept(&h) {
                found.push((j, h));
            }
        });
        if crossed {
            // Rare: scan every cell alone, as if no batch had been made.
            found.clear();
            for (k, c) in cells.iter().enumerate() {
                let (s, e) = (c.start, c.end);
                let v = &col.buf[s..e];
                engine.scan_hinted(scratch, v, 0, v.len(), hint, |mut h| {
                    h.start += s;
                    h.end += s;
                    if kept(&h) {
                        found.push((k, h));
                    }
                });
            }
        }
    }
}

/// A second thread that scans cell batches while the reader fills the next: a large table
/// is read on one thread and scanned on two. Started only when a worker of the scan is idle
/// (no other input is left to read), so the scan never runs more threads than asked.
pub(crate) struct Offload<'scope, 'env> {
    scope: &'scope std::thread::Scope<'scope, 'env>,
    engine: Engine<'env>,
    /// Workers of the scan that have no input left.
    idle: &'env AtomicUsize,
    channels: Option<(SyncSender<Job>, Receiver<Job>)>,
    /// Batches handed to the helper.
    sent: usize,
}

impl<'scope, 'env> Offload<'scope, 'env> {
    /// A helper to be started in `scope` when `idle` says a worker has nothing left to do.
    pub(crate) fn new(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        engine: Engine<'env>,
        idle: &'env AtomicUsize,
    ) -> Self {
        Offload {
            scope,
            engine,
            idle,
            channels: None,
            sent: 0,
        }
    }
}

/// What a [`TableScanner`] needs of its helper thread.
pub(crate) trait Helper {
    /// Whether the helper runs (started now if a worker is idle).
    fn start(&mut self) -> bool;
    /// Hands it a batch.
    fn send(&mut self, job: Job);
    /// The batch handed last, scanned; `None` if the helper is gone.
    fn receive(&mut self) -> Option<Job>;
}

impl Helper for Offload<'_, '_> {
    fn start(&mut self) -> bool {
        if self.channels.is_some() {
            return true;
        }
        if self.idle.load(Ordering::Relaxed) == 0 {
            return false;
        }
        let (to_helper, jobs) = sync_channel::<Job>(1);
        let (done, from_helper) = sync_channel::<Job>(1);
        let engine = self.engine;
        self.scope.spawn(move || {
            let mut scratch = engine.scratch();
            for mut job in jobs {
                scan_batch(&engine, &mut scratch, &mut job);
                if done.send(job).is_err() {
                    break;
                }
            }
        });
        self.channels = Some((to_helper, from_helper));
        true
    }

    fn send(&mut self, job: Job) {
        if let Some((to, _)) = &self.channels {
            // A send fails only if the helper is gone; `receive` then says so.
            let _ = to.send(job);
            self.sent += 1;
        }
    }

    fn receive(&mut self) -> Option<Job> {
        self.channels
            .as_ref()
            .and_then(|(_, from)| from.recv().ok())
    }
}

/// Records one hit in cell `v` (at `offset` of its batch) of column `i`: the column's profile
/// learns of the first hit of each rule in the cell, and the hit is kept within the cap.
#[allow(clippy::too_many_arguments)]
fn record_hit(
    t: &mut TableState,
    i: usize,
    at: QueuedCell,
    v: &[u8],
    offset: usize,
    h: crate::detect::Hit,
    seen: &mut Vec<usize>,
    rules: &RuleSet,
    cap: u64,
) {
    let (start, end) = (h.start - offset, h.end - offset);
    let value = || String::from_utf8_lossy(&v[start..end]).into_owned();
    if !seen.contains(&h.rule) {
        seen.push(h.rule);
        // The value is the cell (not a mention inside free text) when the match covers most
        // of it.
        let whole = (end - start) * 10 >= v.trim_ascii().len() * 6;
        let id = &rules.rules[h.rule].id;
        t.profiles[i].matched(h.rule, h.confidence, whole, || {
            crate::finding::mask::mask(id, &value())
        });
    }
    if cap == 0 || t.kept[i] < cap {
        t.kept[i] += 1;
        t.hits.push(CellHit {
            found: Found::new(h.rule, value(), h.confidence, h.explanation),
            table: t.name.clone(),
            column: t.columns[i].clone(),
            row: at.row,
            line: at.line,
            column_index: i,
            place: Place::Cell,
        });
    }
}

/// Bytes of cells gathered before a batch is scanned.
const BATCH_BYTES: usize = 64 * 1024;

/// Batches scanned on the reader's thread before a helper thread is asked for: small tables
/// do not pay for starting one.
const OFFLOAD_AFTER: usize = 4;

/// Everything a table file produced.
#[derive(Debug, Default)]
pub struct TableResult {
    /// Cell findings, by table, then row, then column.
    pub hits: Vec<CellHit>,
    /// Column verdicts, by table and column.
    pub verdicts: Vec<ColumnVerdict>,
    /// What was not read (caps hit), one message each, no values in them.
    pub notices: Vec<String>,
    /// Tables read in part (`--sample-rows`), in order: what was not read must be said.
    pub sampled: Vec<SampledTable>,
    /// Findings in the text around the tables (a SQL dump's statements and comments), in
    /// input order, placed by line and column from the start of the input.
    pub text_hits: Vec<TextHit>,
    /// Columns with cells of binary that is not text, which were not scanned, in order.
    pub binary: Vec<BinaryCells>,
}

/// Cells of one column that held binary that is not text (a `bytea` image, a hex blob): not
/// scanned, counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinaryCells {
    /// Table name.
    pub table: String,
    /// Column name.
    pub column: String,
    /// How many cells.
    pub values: u64,
}

/// A finding in the non-data text of a table input.
#[derive(Debug, Clone)]
pub struct TextHit {
    /// What was found.
    pub found: Found,
    /// Where the value starts.
    pub at: TextAt,
    /// Its length in bytes.
    pub len: u64,
    /// Its line holds the inline suppression marker.
    pub allowed_inline: bool,
}

/// A table of which only a sample of rows was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampledTable {
    /// Table name.
    pub table: String,
    /// What the sample covered.
    pub rows: SampledRows,
}

/// How to scan tables.
#[derive(Debug, Clone, Copy)]
pub struct TableOptions {
    /// Rows read per table (0: all).
    pub sample_rows: u64,
    /// Cell findings kept per column (0: all); verdicts still count every match.
    pub max_findings_per_column: u64,
    /// Report cell findings at or above this confidence.
    pub min_confidence: Confidence,
    /// No rows are read (`--schema-only`, live databases): columns are judged by their
    /// names alone.
    pub schema_only: bool,
}

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions {
            sample_rows: 10_000,
            max_findings_per_column: 1_000,
            min_confidence: Confidence::Medium,
            schema_only: false,
        }
    }
}

#[derive(Default)]
struct TableState {
    name: Arc<str>,
    columns: Vec<Arc<str>>,
    hints: Vec<CellHint>,
    profiles: Vec<ColumnProfile>,
    kept: Vec<u64>,
    /// Rows of the table before each column appeared (its profile counts the rows after).
    since: Vec<u64>,
    rows: u64,
    /// A row came after the sample was full: the table was read in part.
    more: bool,
    /// The table's row count, when the reader knows it.
    total: Option<u64>,
    hits: Vec<CellHit>,
    /// Columns past [`MAX_COLUMNS`] were offered and not tracked.
    capped: bool,
    /// Per column: cells that held binary that is not text (not scanned).
    binary: Vec<u64>,
}

impl TableState {
    /// Adds a column (unless the cap is reached): its name is scanned like a value, since
    /// keys can be values (`{"jan@example.nl": {...}}`); a name holding a detected value is
    /// reported as a finding located on the name. The name is kept as read (the anonymiser
    /// finds the column by it); outputs show it as [`crate::names::shown`] decides.
    fn add_column(&mut self, raw: &str, ctx: &mut ColumnCtx<'_, '_>) -> bool {
        if self.columns.len() >= MAX_COLUMNS {
            self.capped = true;
            return false;
        }
        let index = self.columns.len();
        let rules = ctx.engine.rules();
        let hits = crate::names::find(rules, ctx.scratch, raw);
        let name: Arc<str> = Arc::from(raw);
        for h in hits {
            self.hits.push(CellHit {
                found: Found::new(h.rule, raw[h.start..h.end].to_string(), h.confidence, None),
                table: self.name.clone(),
                column: name.clone(),
                row: self.rows + 1,
                line: None,
                column_index: index,
                place: Place::ColumnName {
                    start: h.start,
                    end: h.end,
                },
            });
        }
        let hint = ctx.names.hint(raw);
        self.hints.push(CellHint {
            rule: hint.and_then(|h| h.rule),
            places: hint.is_some_and(|h| h.holds_places()),
        });
        self.columns.push(name);
        self.profiles.push(ColumnProfile::default());
        self.kept.push(0);
        self.since.push(self.rows);
        true
    }
}

/// What adding a column needs from the scanner.
struct ColumnCtx<'e, 's> {
    engine: &'e Engine<'e>,
    scratch: &'s mut Scratch,
    names: &'e ColumnNames,
}

impl TableState {
    /// What the sample covered, when the table was not read in full.
    fn sampled(&self) -> Option<SampledRows> {
        let partial = self.more || self.total.is_some_and(|t| t > self.rows);
        partial.then_some(SampledRows {
            read: self.rows,
            total: self.total.map(|t| t.max(self.rows)),
        })
    }
}

/// A [`TableSink`] that scans and classifies.
pub struct TableScanner<'a> {
    engine: &'a Engine<'a>,
    scratch: &'a mut Scratch,
    names: &'a ColumnNames,
    opts: TableOptions,
    /// The tables, in the order they were first seen.
    tables: Vec<TableState>,
    /// Each table's place in `tables`, by name.
    index: HashMap<String, usize>,
    /// The table rows go to now (its place in `tables`).
    current: Option<usize>,
    /// Rules already counted for the current cell (reused, so no allocation per cell).
    seen_rules: Vec<usize>,
    /// Notices from the readers.
    notices: Vec<String>,
    /// Findings in the non-data text.
    text_hits: Vec<TextHit>,
    /// Whether a line with the inline marker suppresses its text findings.
    inline_allow: bool,
    /// Cells of the current table not yet scanned.
    batch: Batch,
    /// An emptied job, for the next batch scanned here (its buffers are reused).
    spare: Option<Job>,
    /// A batch is on the helper thread.
    in_flight: Option<()>,
    /// The helper thread, when the scan may use one.
    offload: Option<&'a mut dyn Helper>,
    /// Batches flushed so far: a table of fewer than [`OFFLOAD_AFTER`] is scanned here.
    flushed: usize,
    /// Batches scanned here before the helper is asked ([`OFFLOAD_AFTER`]).
    offload_after: usize,
    /// Bytes gathered before a batch is scanned ([`BATCH_BYTES`]; 0 scans row by row).
    batch_bytes: usize,
    /// The row number the reader gave the row being added ([`TableSink::row_at`]).
    label: Option<u64>,
    /// The line the next row starts on ([`TableSink::line`]), until that row is added.
    line: Option<u64>,
}

impl<'a> TableScanner<'a> {
    /// A scanner; `engine` must report every confidence (the options filter at the end).
    pub fn new(
        engine: &'a Engine<'a>,
        scratch: &'a mut Scratch,
        names: &'a ColumnNames,
        opts: TableOptions,
    ) -> Self {
        TableScanner {
            engine,
            scratch,
            names,
            opts,
            tables: Vec::new(),
            index: HashMap::new(),
            current: None,
            seen_rules: Vec::new(),
            notices: Vec::new(),
            text_hits: Vec::new(),
            inline_allow: true,
            batch: Batch::default(),
            spare: None,
            in_flight: None,
            offload: None,
            flushed: 0,
            offload_after: OFFLOAD_AFTER,
            batch_bytes: BATCH_BYTES,
            label: None,
            line: None,
        }
    }

    /// Whether text findings on a line with the inline marker are flagged as allowed (default:
    /// yes), as in text files.
    pub fn inline_allow(mut self, on: bool) -> Self {
        self.inline_allow = on;
        self
    }

    /// Lets the scanner hand its batches to `helper` (see [`Offload`]).
    pub(crate) fn offload(mut self, helper: &'a mut dyn Helper) -> Self {
        self.offload = Some(helper);
        self
    }

    /// Notes that the current table had cells past the column cap.
    fn mark_capped(&mut self, width: usize) {
        if let Some(t) = self.current.and_then(|c| self.tables.get_mut(c)) {
            if width > t.columns.len() {
                t.capped = true;
            }
        }
    }

    fn rules(&self) -> &'a RuleSet {
        self.engine.rules()
    }

    /// Judges every table and returns the findings and verdicts.
    pub fn finish(mut self) -> TableResult {
        self.settle();
        let rules = self.rules();
        let mut out = TableResult {
            notices: std::mem::take(&mut self.notices),
            text_hits: std::mem::take(&mut self.text_hits),
            ..TableResult::default()
        };
        for mut t in std::mem::take(&mut self.tables) {
            if t.capped {
                out.notices.push(format!(
                    "table {}: more than {MAX_COLUMNS} columns; the values of the columns past \
                     them were not read",
                    crate::report::sanitize::sanitize(&crate::names::mask(&t.name))
                ));
            }
            for (i, &values) in t.binary.iter().enumerate() {
                if values > 0 {
                    out.binary.push(BinaryCells {
                        table: t.name.to_string(),
                        column: t.columns.get(i).map_or_else(String::new, |c| c.to_string()),
                        values,
                    });
                }
            }
            for (profile, since) in t.profiles.iter_mut().zip(&t.since) {
                profile.rows = profile.rows.max(t.rows - since);
            }
            let sampled = t.sampled();
            if let Some(rows) = sampled {
                out.sampled.push(SampledTable {
                    table: t.name.to_string(),
                    rows,
                });
            }
            let mut decided: Vec<Option<String>> = vec![None; t.columns.len()];
            for (i, col) in t.columns.iter().enumerate() {
                let mut verdicts = if self.opts.schema_only {
                    judge_by_name(&t.name, col, self.names)
                        .into_iter()
                        .collect()
                } else {
                    judge(&t.name, col, &t.profiles[i], self.names, rules)
                };
                for v in &mut verdicts {
                    v.sampled = sampled;
                }
                if let Some(v) = verdicts
                    .first()
                    .filter(|v| v.rule != "column_name" && v.share >= 0.5)
                {
                    decided[i] = Some(v.rule.clone());
                }
                out.verdicts.extend(verdicts);
            }
            // Batches push a column's hits at once: back to row order (a stable sort keeps
            // the order inside a cell, and names before the cells of their row).
            t.hits
                .sort_by_key(|h| (h.row, h.place == Place::Cell, h.column_index));
            for mut h in t.hits.drain(..) {
                let col = h.column_index;
                if !matches!(h.place, Place::TableName { .. })
                    && decided.get(col).and_then(Option::as_deref)
                        == Some(&*rules.rules[h.found.rule].id)
                {
                    h.found.confidence = Confidence::High;
                }
                if h.found.confidence >= self.opts.min_confidence {
                    out.hits.push(h);
                }
            }
        }
        out
    }
}

impl TableScanner<'_> {
    /// Adds table `table` (first seen): its own name is scanned, since it may hold personal
    /// data (a sheet `Jan Jansen`). Returns its place in `tables`.
    fn add_table(&mut self, table: &str) -> usize {
        let mut t = TableState {
            name: Arc::from(table),
            ..TableState::default()
        };
        for h in crate::names::find(self.engine.rules(), self.scratch, table) {
            t.hits.push(CellHit {
                found: Found::new(
                    h.rule,
                    table[h.start..h.end].to_string(),
                    h.confidence,
                    None,
                ),
                table: t.name.clone(),
                column: Arc::from(""),
                row: 1,
                line: None,
                column_index: 0,
                place: Place::TableName {
                    start: h.start,
                    end: h.end,
                },
            });
        }
        self.tables.push(t);
        self.index.insert(table.to_string(), self.tables.len() - 1);
        self.tables.len() - 1
    }

    /// Profiles one cell of column `i` of the current table and queues it for scanning.
    fn cell(&mut self, i: usize, cell: Option<&[u8]>) {
        let rules = self.engine.rules();
        let Some(t) = self.current.and_then(|c| self.tables.get_mut(c)) else {
            return;
        };
        let Some(profile) = t.profiles.get_mut(i) else {
            return;
        };
        profile.cell(cell, rules);
        let Some(v) = cell else { return };
        if self.batch.columns.len() <= i {
            self.batch.columns.resize_with(i + 1, ColumnBatch::default);
        }
        let col = &mut self.batch.columns[i];
        if !col.buf.is_empty() {
            col.buf.push(b'\n');
        }
        let start = col.buf.len();
        col.buf.extend_from_slice(v);
        col.cells.push(QueuedCell {
            row: self.label.unwrap_or(t.rows),
            line: self.line,
            start,
            end: col.buf.len(),
        });
        self.batch.bytes += v.len() + 1;
    }

    /// Scans the queued cells, one engine call per column (see [`Batch`]): on the helper
    /// thread when there is one (the hits of the batch before are recorded meanwhile, so
    /// one batch may be in flight), else here.
    fn flush(&mut self) {
        if self.batch.bytes == 0 {
            return;
        }
        self.batch.bytes = 0;
        self.flushed += 1;
        let Some(table) = self.current.filter(|&c| c < self.tables.len()) else {
            self.batch.clear();
            return;
        };
        let mut job = match self.in_flight.take() {
            Some(()) => {
                let job = self.take_back();
                self.record(job)
            }
            None => self.spare.take().unwrap_or_default(),
        };
        job.table = table;
        job.hints.clear();
        job.hints.extend(self.tables[table].hints.iter().copied());
        std::mem::swap(&mut job.batch, &mut self.batch);
        if self.flushed > self.offload_after {
            if let Some(offload) = self.offload.as_mut() {
                if offload.start() {
                    offload.send(job);
                    self.in_flight = Some(());
                    return;
                }
            }
        }
        scan_batch(self.engine, self.scratch, &mut job);
        let job = self.record(job);
        self.spare = Some(job);
    }

    /// Waits for the batch in flight, if any, and records its hits: before the current
    /// table changes and before the end.
    fn settle(&mut self) {
        self.flush();
        if self.in_flight.take().is_some() {
            let job = self.take_back();
            let job = self.record(job);
            self.spare = Some(job);
        }
    }

    /// The batch in flight, back from the helper thread.
    fn take_back(&mut self) -> Job {
        // The helper only ends when its channel closes, which happens after this scanner is
        // gone; a helper that panicked takes the scan down with it (no batch is dropped).
        match self.offload.as_mut().and_then(|o| o.receive()) {
            Some(job) => job,
            None => panic!("the table scan's helper thread stopped with a batch in flight"),
        }
    }

    /// Records the hits of a scanned batch in its table and returns the job emptied, for
    /// reuse.
    fn record(&mut self, mut job: Job) -> Job {
        let rules = self.engine.rules();
        let cap = self.opts.max_findings_per_column;
        if let Some(t) = self.tables.get_mut(job.table) {
            for (i, (col, found)) in job.batch.columns.iter().zip(&mut job.found).enumerate() {
                let mut last = usize::MAX;
                for (cell, h) in found.drain(..) {
                    if cell != last {
                        self.seen_rules.clear();
                        last = cell;
                    }
                    let at = col.cells[cell];
                    record_hit(
                        t,
                        i,
                        at,
                        &col.buf[at.start..at.end],
                        at.start,
                        h,
                        &mut self.seen_rules,
                        rules,
                        cap,
                    );
                }
            }
        }
        job.batch.clear();
        for f in &mut job.found {
            f.clear();
        }
        job
    }

    /// Starts a row of the current table: false when there is none or its sample is full.
    /// Columns up to `width` exist afterwards (as `colN`), within the cap.
    fn start_row(&mut self, width: usize) -> bool {
        let Some(t) = self.current.and_then(|c| self.tables.get_mut(c)) else {
            return false;
        };
        if self.opts.sample_rows > 0 && t.rows >= self.opts.sample_rows {
            t.more = true;
            return false;
        }
        let mut ctx = ColumnCtx {
            engine: self.engine,
            scratch: self.scratch,
            names: self.names,
        };
        while t.columns.len() < width {
            let name = format!("col{}", t.columns.len() + 1);
            if !t.add_column(&name, &mut ctx) {
                break;
            }
        }
        t.rows += 1;
        true
    }
}

impl TableSink for TableScanner<'_> {
    fn begin(&mut self, table: &str, columns: &[String]) {
        self.settle();
        let at = match self.index.get(table) {
            Some(&at) => at,
            None => self.add_table(table),
        };
        let Some(t) = self.tables.get_mut(at) else {
            return;
        };
        let mut ctx = ColumnCtx {
            engine: self.engine,
            scratch: self.scratch,
            names: self.names,
        };
        // Only the columns not yet known: a reader that grows its list calls this often.
        for c in columns.iter().skip(t.columns.len()) {
            if !t.add_column(c, &mut ctx) {
                break;
            }
        }
        self.current = Some(at);
    }

    fn row(&mut self, cells: &[Option<&[u8]>]) -> bool {
        if !self.start_row(cells.len()) {
            self.line = None;
            return false;
        }
        for (i, cell) in cells.iter().enumerate() {
            self.cell(i, *cell);
        }
        self.line = None;
        self.mark_capped(cells.len());
        if self.batch.bytes >= self.batch_bytes {
            self.flush();
        }
        true
    }

    fn sparse_row(&mut self, cells: &[(usize, Option<&[u8]>)]) -> bool {
        let width = cells.iter().map(|(i, _)| i + 1).max().unwrap_or(0);
        if !self.start_row(width) {
            self.line = None;
            return false;
        }
        for &(i, cell) in cells {
            self.cell(i, cell);
        }
        self.line = None;
        self.mark_capped(width);
        if self.batch.bytes >= self.batch_bytes {
            self.flush();
        }
        true
    }

    fn row_at(&mut self, row: u64, cells: &[Option<&[u8]>]) -> bool {
        self.label = Some(row);
        let more = self.row(cells);
        self.label = None;
        more
    }

    fn line(&mut self, line: u64) {
        self.line = Some(line);
    }

    fn binary(&mut self, column: usize) {
        if let Some(t) = self.current.and_then(|c| self.tables.get_mut(c)) {
            if column < t.columns.len() {
                if t.binary.len() <= column {
                    t.binary.resize(column + 1, 0);
                }
                t.binary[column] += 1;
            }
        }
    }

    fn notice(&mut self, message: &str) {
        self.notices.push(message.to_string());
    }

    fn text(&mut self, text: &[u8], at: TextAt) {
        let min = self.opts.min_confidence;
        let marker = self.inline_allow
            && memchr::memmem::find(text, crate::detect::stream::ALLOW_MARKER).is_some();
        let mut found = Vec::new();
        self.engine.scan(self.scratch, text, 0, text.len(), |h| {
            if h.confidence >= min {
                found.push(h);
            }
        });
        found.sort_by_key(|h| h.start);
        let mut walk = crate::source::table::sqldump::Walk::new(at);
        for h in found {
            self.text_hits.push(TextHit {
                at: walk.to(text, h.start),
                len: (h.end - h.start) as u64,
                allowed_inline: marker
                    && crate::detect::stream::allowed_inline(text, h.start, h.end),
                found: Found::new(
                    h.rule,
                    String::from_utf8_lossy(&text[h.start..h.end]).into_owned(),
                    h.confidence,
                    h.explanation,
                ),
            });
        }
    }

    fn end(&mut self) {
        self.settle();
        self.current = None;
    }

    fn total_rows(&mut self, rows: u64) {
        if let Some(t) = self.current.and_then(|c| self.tables.get_mut(c)) {
            t.total = Some(t.total.unwrap_or(0).max(rows));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Seen = Vec<(u64, usize, String, String, Confidence)>;

    /// Scans `rows` in batches of `batch_bytes` (0: row by row), the batches on a helper
    /// thread from the first when `helper`.
    fn scan_table(rows: &[Vec<String>], batch_bytes: usize, helper: bool) -> (Seen, usize) {
        let rules = RuleSet::builtin().unwrap();
        let engine = Engine::new(&rules, Confidence::Low, false);
        let names = ColumnNames::new(&rules);
        let mut scratch = engine.scratch();
        let opts = TableOptions {
            sample_rows: 0,
            max_findings_per_column: 0,
            min_confidence: Confidence::Low,
            schema_only: false,
        };
        let idle = AtomicUsize::new(1);
        std::thread::scope(|scope| {
            let mut offload = Offload::new(scope, engine, &idle);
            let mut s = TableScanner::new(&engine, &mut scratch, &names, opts);
            if helper {
                s = s.offload(&mut offload);
                s.offload_after = 0;
            }
            s.batch_bytes = batch_bytes;
            let seen = scan_rows(s, rows, &rules);
            assert_eq!(offload.sent > 2, helper, "{} batches", offload.sent);
            seen
        })
    }

    fn scan_rows(mut s: TableScanner<'_>, rows: &[Vec<String>], rules: &RuleSet) -> (Seen, usize) {
        let header: Vec<String> = ["opmerking", "email", "nummer", "jan@voorbeeld.nl"]
            .map(String::from)
            .to_vec();
        s.begin("t", &header);
        for row in rows {
            let cells: Vec<Option<&[u8]>> = row
                .iter()
                .map(|c| (c != "NULL").then_some(c.as_bytes()))
                .collect();
            s.row(&cells);
        }
        s.end();
        let out = s.finish();
        let seen = out
            .hits
            .iter()
            .map(|h| {
                (
                    h.row,
                    h.column_index,
                    rules.rules[h.found.rule].id.to_string(),
                    h.found.value.clone(),
                    h.found.confidence,
                )
            })
            .collect();
        (seen, out.verdicts.len())
    }

    #[test]
    fn cells_scanned_in_batches_are_judged_as_if_alone() {
        // Cells whose neighbours in a column batch could glue onto them: digits after digits,
        // letters after a postcode, a cell holding a line break, empty and NULL cells.
        let cells = [
            "123456782",
            "1234",
            "AB",
            "1234 AB Utrecht",
            "bel 06-12345678 of mail",
            "klant@voorbeeld.nl",
            "",
            "NULL",
            "NL91ABNA0417164300",
            "regel een\n06 12345678 regel twee",
            "192.168.1.20",
            "2001:db8::1",
            "geboren 12-03-1985",
            "Dhr. Jan de Vries",
            "  ",
            "0612345678",
            "BE0123456749",
        ];
        let mut rows = Vec::new();
        let mut r = crate::corpus::Rng::new(7);
        for _ in 0..600 {
            rows.push(
                (0..4)
                    .map(|_| cells[r.below(cells.len() as u64) as usize].to_string())
                    .collect::<Vec<_>>(),
            );
        }
        let (alone, verdicts_alone) = scan_table(&rows, 0, false);
        let (batched, verdicts_batched) = scan_table(&rows, BATCH_BYTES, false);
        assert!(alone.len() > 600, "{}", alone.len());
        assert_eq!(alone, batched);
        assert_eq!(verdicts_alone, verdicts_batched);
        // Small batches cut anywhere give the same again.
        assert_eq!(alone, scan_table(&rows, 100, false).0);
        // And so do batches scanned on the helper thread, one in flight while the next fills.
        let (helped, verdicts_helped) = scan_table(&rows, 100, true);
        assert_eq!(alone, helped);
        assert_eq!(verdicts_alone, verdicts_helped);
        assert_eq!(alone, scan_table(&rows, BATCH_BYTES / 16, true).0);
    }
}
