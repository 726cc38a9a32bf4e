//! Checking a result: rows counted again in the written file, a re-scan of the output for
//! what the transforms should have removed (risk over quasi-identifiers: [`super::risk`]).

use crate::source::table::{TableFormat, TableSink};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::Path;

/// Counts rows per table.
#[derive(Debug, Default)]
pub struct RowCounter {
    /// Rows per table, in order of appearance.
    pub rows: Vec<(String, u64)>,
}

impl TableSink for RowCounter {
    fn begin(&mut self, table: &str, _columns: &[String]) {
        if self.rows.last().map(|(t, _)| t.as_str()) != Some(table) {
            match self.rows.iter().position(|(t, _)| t == table) {
                Some(i) => {
                    let e = self.rows.remove(i);
                    self.rows.push(e);
                }
                None => self.rows.push((table.to_string(), 0)),
            }
        }
    }
    fn row(&mut self, _cells: &[Option<&[u8]>]) -> bool {
        if let Some(last) = self.rows.last_mut() {
            last.1 += 1;
        }
        true
    }
    fn end(&mut self) {}
}

/// Reads a table file completely through `sink` (every row).
///
/// # Errors
/// The file cannot be read in that format.
pub fn read_table(path: &Path, format: TableFormat, sink: &mut dyn TableSink) -> io::Result<()> {
    if format.needs_path() {
        return crate::source::table::read_path(format, path, 0, sink);
    }
    let opened = crate::source::open::open_path(path)?;
    let mut reader = opened.reader;
    let table = crate::source::table::stem(path);
    crate::source::table::read(format, &mut reader, &table, sink)
}

/// The rows of every table of a file, counted by reading it again.
///
/// # Errors
/// As [`read_table`].
pub fn count_rows(path: &Path, format: TableFormat) -> io::Result<Vec<(String, u64)>> {
    #[cfg(feature = "parquet")]
    if format == TableFormat::Parquet {
        // The footer: written from the row groups, and read without decoding every value.
        use polars::prelude::*;
        let mut r = ParquetReader::new(std::fs::File::open(path)?);
        let n = r
            .num_rows()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
        return Ok(vec![(crate::source::table::stem(path), n as u64)]);
    }
    let mut c = RowCounter::default();
    read_table(path, format, &mut c)?;
    Ok(c.rows)
}

/// Counts the records of a CSV/TSV file as the csv crate reads them (RFC 4180 quoting): a
/// record ends at a line feed, a carriage return or both (CRLF, CR-only and mixed endings)
/// outside quotes, empty lines are no records, and a last line needs no line end.
/// Independent of the parser that read the input, and fast enough to check every output.
///
/// # Errors
/// The file cannot be read.
pub fn count_csv_records(path: &Path) -> io::Result<u64> {
    let mut f = std::fs::File::open(path)?;
    count_records(&mut f)
}

fn count_records(r: &mut dyn std::io::Read) -> io::Result<u64> {
    let mut buf = vec![0u8; 1 << 20];
    // `content`: the current line has something in it (an empty line is no record).
    let (mut records, mut quoted, mut content) = (0u64, false, false);
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = &buf[..n];
        let mut from = 0;
        // Jump from quote to line end with memchr; parity decides whether a line end counts.
        while let Some(i) = memchr::memchr3(b'"', b'\n', b'\r', &chunk[from..]) {
            let at = from + i;
            if at > from {
                content = true;
            }
            match chunk[at] {
                b'"' => {
                    quoted = !quoted;
                    content = true;
                }
                _ if quoted => {}
                _ => {
                    if content {
                        records += 1;
                    }
                    content = false;
                }
            }
            from = at + 1;
        }
        if from < n {
            content = true;
        }
    }
    if content {
        records += 1;
    }
    Ok(records)
}

/// Counts the lines of a text file as the text rewriter reads them: line feeds, plus a last
/// line without one.
///
/// # Errors
/// The file cannot be read.
pub fn count_lines(path: &Path) -> io::Result<u64> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    let (mut lines, mut last) = (0u64, b'\n');
    loop {
        let n = match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        lines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
        last = buf[n - 1];
    }
    if last != b'\n' {
        lines += 1;
    }
    Ok(lines)
}

/// What the census found of one category in one column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    /// Cells in which the category was found.
    pub cells: u64,
    /// Of those, cells where a found value holds no mask character (every cell, for a
    /// column that was not masked): the value is there as it was, not in a masked form.
    pub unmasked: u64,
    /// Of those, cells that are one value of the category and nothing else (the whole cell,
    /// surrounding whitespace aside): only these can be a method's kept form (a truncated
    /// address); a cell with two addresses or an address and more text is not.
    pub whole: u64,
    /// The first row (1-based, per table) where it was found.
    pub first_row: u64,
}

/// Per `(table, column)` (lower-cased): what was found of each category.
pub type Census = HashMap<(String, String), BTreeMap<String, Count>>;

/// Per rule: its category and the spans found in the text around the tables (a dump's
/// comments and definitions).
pub type TextCensus = BTreeMap<String, (String, u64)>;

/// How the census looks at one column.
#[derive(Debug, Clone, Copy, Default)]
pub struct Watch {
    /// The column was masked with this character.
    pub mask_char: Option<char>,
}

/// A column scanned by the census: its `(table, column)` key, its name hint, how to look.
type Scanned = ((String, String), Option<usize>, Watch);

/// Scans chosen columns of a table, every row.
struct CensusSink<'a, 'r> {
    engine: crate::detect::engine::Engine<'r>,
    scratch: crate::detect::engine::Scratch,
    names: crate::detect::column::ColumnNames,
    wanted: &'a dyn Fn(&str, &str) -> Option<Watch>,
    /// Only rules with a checksum (any confidence) are counted, others not at all.
    checksum_only: bool,
    /// Per column of the current table: its key and name hint, when it is scanned.
    columns: Vec<Option<Scanned>>,
    /// Rows of the current table so far.
    row: u64,
    /// Per rule seen in the current cell: whether one of its values held no mask char, and
    /// whether one of its hits covers the whole cell.
    seen: Vec<(usize, bool, bool)>,
    found: Census,
    text: TextCensus,
}

/// Is a hit counted: medium or above, or a checksum-validated identifier at any level
/// (a bare BSN is `low` without context, and still a BSN); with `checksum_only`, only those.
fn counted(
    rules: &crate::ruleset::RuleSet,
    rule: usize,
    confidence: crate::finding::Confidence,
    checksum_only: bool,
) -> bool {
    let checksum = rules
        .rules
        .get(rule)
        .and_then(|r| r.validator)
        .is_some_and(crate::ruleset::validate::Validator::is_checksum);
    checksum || (!checksum_only && confidence >= crate::finding::Confidence::Medium)
}

impl TableSink for CensusSink<'_, '_> {
    fn begin(&mut self, table: &str, columns: &[String]) {
        self.row = 0;
        self.columns = columns
            .iter()
            .map(|c| {
                (self.wanted)(table, c).map(|watch| {
                    (
                        (table.to_lowercase(), c.to_lowercase()),
                        self.names.hint(c).and_then(|h| h.rule),
                        watch,
                    )
                })
            })
            .collect();
    }
    fn row(&mut self, cells: &[Option<&[u8]>]) -> bool {
        self.row += 1;
        for (i, cell) in cells.iter().enumerate() {
            let (Some(Some((key, hint, watch))), Some(v)) = (self.columns.get(i), cell) else {
                continue;
            };
            let mut seen = std::mem::take(&mut self.seen);
            seen.clear();
            // The bounds of the cell without surrounding whitespace.
            let lead = v.iter().take_while(|b| b.is_ascii_whitespace()).count();
            let trail = v[lead..]
                .iter()
                .rev()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
            let (from, to) = (lead, v.len() - trail);
            let mut mask = [0u8; 4];
            let mask: Option<&[u8]> = watch.mask_char.map(|c| c.encode_utf8(&mut mask).as_bytes());
            let (engine, checksum_only) = (self.engine, self.checksum_only);
            let rules = engine.rules();
            engine.scan_hinted(&mut self.scratch, v, 0, v.len(), *hint, |h| {
                if !counted(rules, h.rule, h.confidence, checksum_only) {
                    return;
                }
                let value = v.get(h.start..h.end).unwrap_or_default();
                let unmasked = mask.is_none_or(|m| memchr::memmem::find(value, m).is_none());
                let whole = h.start <= from && h.end >= to;
                match seen.iter_mut().find(|(r, _, _)| *r == h.rule) {
                    Some(s) => {
                        s.1 |= unmasked;
                        s.2 |= whole;
                    }
                    None => seen.push((h.rule, unmasked, whole)),
                }
            });
            if !seen.is_empty() {
                // One count per category and cell; unmasked (whole) if any of its values was.
                let mut categories: Vec<(&str, bool, bool)> = Vec::new();
                for &(r, unmasked, whole) in seen.iter() {
                    let Some(c) = rules.rules.get(r).map(|r| &*r.category) else {
                        continue;
                    };
                    match categories.iter_mut().find(|(k, _, _)| *k == c) {
                        Some(e) => {
                            e.1 |= unmasked;
                            e.2 |= whole;
                        }
                        None => categories.push((c, unmasked, whole)),
                    }
                }
                // A cell is one value only when every hit in it is of one category.
                let one_category = categories.len() == 1;
                let counts = self.found.entry(key.clone()).or_default();
                for (c, unmasked, whole) in categories {
                    let n = counts.entry(c.to_string()).or_default();
                    if n.cells == 0 {
                        n.first_row = self.row;
                    }
                    n.cells += 1;
                    n.unmasked += u64::from(unmasked);
                    n.whole += u64::from(whole && one_category);
                }
            }
            self.seen = seen;
        }
        true
    }
    fn end(&mut self) {
        self.columns.clear();
    }
    fn text(&mut self, text: &[u8], _at: crate::source::table::TextAt) {
        let (engine, checksum_only) = (self.engine, self.checksum_only);
        let rules = engine.rules();
        let found = &mut self.text;
        engine.scan(&mut self.scratch, text, 0, text.len(), |h| {
            if !counted(rules, h.rule, h.confidence, checksum_only) {
                return;
            }
            let r = &rules.rules[h.rule];
            found
                .entry(r.id.to_string())
                .or_insert_with(|| (r.category.to_string(), 0))
                .1 += 1;
        });
    }
}

/// Scans every row of the columns `wanted(table, column)` chooses in a table file (the
/// re-scan of an output chooses all of them) and counts the cells per category found: hits
/// at medium confidence or above, and checksum-validated identifiers (BSN, IBAN, payment
/// card, national and VAT numbers) at any confidence. No sampling and no cap on findings:
/// this is what the re-scan of an output rests on. The text around the tables (a dump's
/// comments and definitions) is scanned too, every span counted by rule.
///
/// # Errors
/// The file cannot be read in that format.
pub fn census(
    path: &Path,
    format: TableFormat,
    rules: &crate::ruleset::RuleSet,
    wanted: &dyn Fn(&str, &str) -> Option<Watch>,
) -> io::Result<(Census, TextCensus)> {
    census_with(path, format, rules, wanted, false)
}

/// Like [`census`], counting only checksum-validated identifiers, at any confidence: what
/// the anonymiser's fail-closed check looks for in the columns no policy entry names.
///
/// # Errors
/// As [`census`].
pub fn checksum_census(
    path: &Path,
    format: TableFormat,
    rules: &crate::ruleset::RuleSet,
    wanted: &dyn Fn(&str, &str) -> Option<Watch>,
) -> io::Result<Census> {
    census_with(path, format, rules, wanted, true).map(|(found, _)| found)
}

/// [`census`] and [`count_rows`] in one pass over a SQL dump given as a stream (the output
/// of a rewrite that goes to standard output, read as it is written): what the re-scan
/// found, and the rows per table read back.
///
/// # Errors
/// The stream cannot be read as a SQL dump.
pub fn census_dump_stream(
    reader: &mut dyn io::Read,
    rules: &crate::ruleset::RuleSet,
    wanted: &dyn Fn(&str, &str) -> Option<Watch>,
) -> io::Result<StreamCensus> {
    let engine = crate::detect::engine::Engine::new(rules, crate::finding::Confidence::Low, false);
    let mut both = Both {
        census: CensusSink {
            engine,
            scratch: engine.scratch(),
            names: crate::detect::column::ColumnNames::new(rules),
            wanted,
            checksum_only: false,
            columns: Vec::new(),
            row: 0,
            seen: Vec::new(),
            found: Census::new(),
            text: TextCensus::new(),
        },
        rows: RowCounter::default(),
    };
    crate::source::table::read(TableFormat::SqlDump, reader, "-", &mut both)?;
    Ok(StreamCensus {
        found: both.census.found,
        text: both.census.text,
        rows: both.rows.rows,
    })
}

/// What [`census_dump_stream`] found.
#[derive(Debug, Default)]
pub struct StreamCensus {
    /// Per column: the categories found, as [`census`] counts them.
    pub found: Census,
    /// In the text around the tables, per rule.
    pub text: TextCensus,
    /// Rows per table read back.
    pub rows: Vec<(String, u64)>,
}

/// A census and a row count over one read.
struct Both<'a, 'r> {
    census: CensusSink<'a, 'r>,
    rows: RowCounter,
}

impl TableSink for Both<'_, '_> {
    fn begin(&mut self, table: &str, columns: &[String]) {
        self.census.begin(table, columns);
        self.rows.begin(table, columns);
    }
    fn row(&mut self, cells: &[Option<&[u8]>]) -> bool {
        self.census.row(cells);
        self.rows.row(cells)
    }
    fn end(&mut self) {
        self.census.end();
        self.rows.end();
    }
    fn text(&mut self, text: &[u8], at: crate::source::table::TextAt) {
        self.census.text(text, at);
    }
}

fn census_with(
    path: &Path,
    format: TableFormat,
    rules: &crate::ruleset::RuleSet,
    wanted: &dyn Fn(&str, &str) -> Option<Watch>,
    checksum_only: bool,
) -> io::Result<(Census, TextCensus)> {
    let engine = crate::detect::engine::Engine::new(rules, crate::finding::Confidence::Low, false);
    let mut sink = CensusSink {
        engine,
        scratch: engine.scratch(),
        names: crate::detect::column::ColumnNames::new(rules),
        wanted,
        checksum_only,
        columns: Vec::new(),
        row: 0,
        seen: Vec::new(),
        found: Census::new(),
        text: TextCensus::new(),
    };
    read_table(path, format, &mut sink)?;
    Ok((sink.found, sink.text))
}

/// What the re-scan of an output found: in a transformed column, or in one the policy left
/// as it was without saying `keep`.
#[derive(Debug, Clone, Serialize)]
pub struct Leftover {
    /// `table.column`, or `text`.
    pub place: String,
    /// The method applied.
    pub method: String,
    /// Categories still found, with the number of cells (every row is read).
    pub categories: BTreeMap<String, u64>,
    /// Whether the method keeps the category by design (an IP stays an IP after truncation):
    /// then this is information, not a failure.
    pub expected: bool,
    /// Values the method left as they were although it promises to change every value.
    #[serde(skip_serializing_if = "super::plan::is_zero")]
    pub kept_whole: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The csv crate's count, the reference the readers use.
    fn csv_crate(bytes: &[u8]) -> u64 {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        r.byte_records().filter(Result::is_ok).count() as u64
    }

    #[test]
    fn records_are_counted_as_the_csv_crate_reads_them_for_every_line_ending() {
        for text in [
            &b"a,b\n1,2\n3,4\n"[..],
            b"a,b\r\n1,2\r\n3,4\r\n",
            b"a,b\r1,2\r3,4\r",
            b"a,b\r1,2\n3,4\r\n5,6",
            b"a,b\n1,\"x\ny\"\n2,\"p\rq\"\r3,\"r\r\ns\"\r\n",
            b"a,b\n\n1,2\r\n\r\n\r3,4",
            b"a,b\n\"\"\n",
            b"",
            b"\n\n",
        ] {
            assert_eq!(
                count_records(&mut &text[..]).expect("count"),
                csv_crate(text),
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
    }
}
