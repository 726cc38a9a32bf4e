//! Checking a result: rows counted again in the written file, a re-scan of the output for
//! what the transforms should have removed, and re-identification risk (k-anonymity, unique
//! rows, prosecutor risk) over chosen quasi-identifiers, for any dataset.

use crate::table::{TableFormat, TableSink};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
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
        return crate::table::read_path(format, path, 0, sink);
    }
    let opened = crate::source::open::open_path(path)?;
    let mut reader = opened.reader;
    let table = crate::table::stem(path);
    crate::table::read(format, &mut reader, &table, sink)
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
        return Ok(vec![(crate::table::stem(path), n as u64)]);
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

/// Cells of a column in which one category was found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cells {
    /// Cells holding the category.
    pub cells: u64,
    /// Of those, cells that are one value of the category and nothing else (the whole cell,
    /// surrounding whitespace aside): only these can be a method's kept form (a truncated
    /// address); a cell with two addresses or an address and more text is not.
    pub whole: u64,
}

/// Per `(table, column)` (lower-cased): the cells in which each category was found.
pub type Census = HashMap<(String, String), BTreeMap<String, Cells>>;

/// A column scanned by the census: its `(table, column)` key and its name hint.
type Scanned = ((String, String), Option<usize>);

/// Scans chosen columns of a table, every row.
struct CensusSink<'a, 'r> {
    engine: crate::detect::engine::Engine<'r>,
    scratch: crate::detect::engine::Scratch,
    names: crate::classify::ColumnNames,
    wanted: &'a dyn Fn(&str, &str) -> bool,
    /// Per column of the current table: its key and name hint, when it is scanned.
    columns: Vec<Option<Scanned>>,
    /// Per hit of the current cell: its rule and whether it covers the whole cell.
    seen: Vec<(usize, bool)>,
    found: Census,
}

impl TableSink for CensusSink<'_, '_> {
    fn begin(&mut self, table: &str, columns: &[String]) {
        self.columns = columns
            .iter()
            .map(|c| {
                (self.wanted)(table, c).then(|| {
                    (
                        (table.to_lowercase(), c.to_lowercase()),
                        self.names.hint(c).and_then(|h| h.rule),
                    )
                })
            })
            .collect();
    }
    fn row(&mut self, cells: &[Option<&[u8]>]) -> bool {
        let rules = self.engine.rules();
        for (i, cell) in cells.iter().enumerate() {
            let (Some(Some((key, hint))), Some(v)) = (self.columns.get(i), cell) else {
                continue;
            };
            let seen = &mut self.seen;
            seen.clear();
            // The bounds of the cell without surrounding whitespace.
            let lead = v.iter().take_while(|b| b.is_ascii_whitespace()).count();
            let trail = v[lead..]
                .iter()
                .rev()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
            let (from, to) = (lead, v.len() - trail);
            self.engine
                .scan_hinted(&mut self.scratch, v, 0, v.len(), *hint, |h| {
                    seen.push((h.rule, h.start <= from && h.end >= to));
                });
            if seen.is_empty() {
                continue;
            }
            let counts = self.found.entry(key.clone()).or_default();
            let mut categories: Vec<(&str, bool)> = Vec::new();
            for &(r, whole) in seen.iter() {
                let Some(c) = rules.rules.get(r).map(|r| &*r.category) else {
                    continue;
                };
                match categories.iter_mut().find(|(k, _)| *k == c) {
                    Some(e) => e.1 |= whole,
                    None => categories.push((c, whole)),
                }
            }
            // A cell is one value only when every hit in it is of one category.
            let one_category = categories.len() == 1;
            for (c, whole) in categories {
                let e = counts.entry(c.to_string()).or_default();
                e.cells += 1;
                if whole && one_category {
                    e.whole += 1;
                }
            }
        }
        true
    }
    fn end(&mut self) {
        self.columns.clear();
    }
}

/// Scans every row of the columns `wanted(table, column)` chooses in a table file (the
/// re-scan of an output chooses all of them), at medium confidence or above, and counts the
/// cells per category found. No sampling and no cap on findings: this is what the re-scan of
/// an output rests on.
///
/// # Errors
/// The file cannot be read in that format.
pub fn census(
    path: &Path,
    format: TableFormat,
    rules: &crate::rules::RuleSet,
    wanted: &dyn Fn(&str, &str) -> bool,
) -> io::Result<Census> {
    let engine =
        crate::detect::engine::Engine::new(rules, crate::finding::Confidence::Medium, false);
    let mut sink = CensusSink {
        engine,
        scratch: engine.scratch(),
        names: crate::classify::ColumnNames::new(rules),
        wanted,
        columns: Vec::new(),
        seen: Vec::new(),
        found: Census::new(),
    };
    read_table(path, format, &mut sink)?;
    Ok(sink.found)
}

/// Re-identification risk over quasi-identifiers.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Risk {
    /// The table measured.
    pub table: String,
    /// The quasi-identifiers.
    pub quasi: Vec<String>,
    /// The entity column, if records were grouped by entity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// Records (rows, or distinct entities).
    pub records: u64,
    /// Equivalence classes (distinct combinations of the quasi-identifiers).
    pub classes: u64,
    /// k: the size of the smallest class (in records).
    pub k: u64,
    /// Share of records alone in their class (with an entity: in one of its classes).
    pub unique_share: f64,
    /// Prosecutor risk of the most exposed record: 1 / k.
    pub max_risk: f64,
    /// Average prosecutor risk: the mean over records of 1 / their class size (without an
    /// entity this is classes / records).
    pub average_risk: f64,
    /// Share of records in a class smaller than 5 (a common threshold).
    pub share_below_5: f64,
}

/// Collects the classes of one table.
struct RiskSink<'q> {
    quasi: &'q [String],
    entity: Option<&'q str>,
    want_table: Option<String>,
    table: Option<String>,
    idx: Option<Vec<usize>>,
    ent_idx: Option<usize>,
    classes: HashMap<Vec<Option<String>>, (u64, HashSet<String>)>,
    done: bool,
    problem: Option<String>,
}

impl TableSink for RiskSink<'_> {
    fn begin(&mut self, table: &str, columns: &[String]) {
        if self.done || self.idx.is_some() {
            return;
        }
        if self.want_table.as_deref().is_some_and(|t| t != table) {
            return;
        }
        let find = |name: &str| columns.iter().position(|c| c.eq_ignore_ascii_case(name));
        let idx: Option<Vec<usize>> = self.quasi.iter().map(|q| find(q)).collect();
        let ent = self.entity.map(find);
        match (idx, ent) {
            (Some(idx), None) => {
                self.idx = Some(idx);
                self.table = Some(table.to_string());
            }
            (Some(idx), Some(Some(e))) => {
                self.idx = Some(idx);
                self.ent_idx = Some(e);
                self.table = Some(table.to_string());
            }
            (Some(_), Some(None)) => {
                self.problem = Some(format!(
                    "table {table} has no column {:?}",
                    self.entity.unwrap_or("")
                ));
            }
            (None, _) => {
                if self.want_table.is_some() {
                    self.problem = Some(format!(
                        "table {table} lacks some of the columns {}",
                        self.quasi.join(", ")
                    ));
                }
            }
        }
    }
    fn row(&mut self, cells: &[Option<&[u8]>]) -> bool {
        let Some(idx) = &self.idx else {
            return true;
        };
        if self.done {
            return false;
        }
        let key: Vec<Option<String>> = idx
            .iter()
            .map(|&i| {
                cells
                    .get(i)
                    .copied()
                    .flatten()
                    .map(|b| String::from_utf8_lossy(b).into_owned())
            })
            .collect();
        let e = self.classes.entry(key).or_default();
        e.0 += 1;
        if let Some(ei) = self.ent_idx {
            if let Some(v) = cells.get(ei).copied().flatten() {
                e.1.insert(String::from_utf8_lossy(v).into_owned());
            }
        }
        true
    }
    fn end(&mut self) {
        if self.idx.is_some() {
            self.done = true;
        }
    }
}

/// Measures k-anonymity and prosecutor risk of a table file over `quasi` (names, or
/// `table.column` for files with several tables). With `entity`, records are the distinct
/// entities, and a class's size is the number of distinct entities in it.
///
/// # Errors
/// The file cannot be read, or no table has all the columns.
pub fn risk(
    path: &Path,
    format: TableFormat,
    quasi: &[String],
    entity: Option<&str>,
) -> crate::Result<Risk> {
    let mut want_table = None;
    let mut names = Vec::new();
    for q in quasi {
        match q.rsplit_once('.') {
            Some((t, c)) if format == TableFormat::SqlDump || format == TableFormat::Sqlite => {
                want_table = Some(t.to_string());
                names.push(c.to_string());
            }
            _ => names.push(q.clone()),
        }
    }
    let mut sink = RiskSink {
        quasi: &names,
        entity,
        want_table,
        table: None,
        idx: None,
        ent_idx: None,
        classes: HashMap::new(),
        done: false,
        problem: None,
    };
    read_table(path, format, &mut sink).map_err(|e| crate::Error::io(path, e))?;
    let Some(table) = sink.table.clone() else {
        return Err(crate::Error::Usage(format!(
            "{}: {}",
            path.display(),
            sink.problem
                .unwrap_or_else(|| format!("no table has all of the columns {}", quasi.join(", ")))
        )));
    };
    // A class's size is its number of records (rows, or distinct entities). Each record's
    // risk is 1 / the size of its class; an entity in several classes takes its riskiest.
    let classes = sink.classes.len() as u64;
    let mut k = u64::MAX;
    let (records, alone, below5, risk_sum) = if entity.is_some() {
        let mut smallest: HashMap<&String, u64> = HashMap::new();
        for (_, ents) in sink.classes.values() {
            let size = ents.len() as u64;
            if size == 0 {
                continue;
            }
            k = k.min(size);
            for e in ents {
                let m = smallest.entry(e).or_insert(size);
                *m = (*m).min(size);
            }
        }
        let alone = smallest.values().filter(|&&n| n == 1).count() as u64;
        let below5 = smallest.values().filter(|&&n| n < 5).count() as u64;
        let risk: f64 = smallest.values().map(|&n| 1.0 / n as f64).sum();
        (smallest.len() as u64, alone, below5, risk)
    } else {
        let (mut records, mut alone, mut below5, mut risk) = (0u64, 0u64, 0u64, 0.0f64);
        for (rows, _) in sink.classes.values() {
            k = k.min(*rows);
            records += rows;
            if *rows == 1 {
                alone += 1;
            }
            if *rows < 5 {
                below5 += rows;
            }
            risk += 1.0; // rows × 1/rows
        }
        (records, alone, below5, risk)
    };
    if k == u64::MAX {
        k = 0;
    }
    let share = |n: f64| {
        if records == 0 {
            0.0
        } else {
            n / records as f64
        }
    };
    Ok(Risk {
        table,
        quasi: quasi.to_vec(),
        entity: entity.map(str::to_string),
        records,
        classes,
        k,
        unique_share: share(alone as f64),
        max_risk: if k == 0 { 0.0 } else { 1.0 / k as f64 },
        average_risk: share(risk_sum),
        share_below_5: share(below5 as f64),
    })
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
