//! Erasure (art. 17 GDPR): new files without one person's rows and lines, byte for byte the
//! input everywhere else. Each output is written through [`crate::atomic::AtomicFile`]
//! (private temporary file beside the target, synced, renamed; never over an existing file).
//!
//! Rewriters: CSV/TSV (the person's records dropped by the reader's record byte positions, so
//! a record spanning lines inside quotes goes whole), NDJSON (lines dropped), plain text and
//! logs (lines dropped, or each identifier replaced by a keyed token), SQLite (rows deleted by
//! rowid, or their personal-data cells replaced by keyed tokens, in a private copy that is
//! vacuumed with `secure_delete` so no freed page keeps a value) and SQL dumps of pg_dump,
//! mysqldump and mariadb-dump (COPY records and `INSERT` tuples, multi-row ones included:
//! [`super::erase_dump`]). Pseudonymise replaces the person's values by keyed tokens instead:
//! the personal-data cells of their rows (CSV, NDJSON string values, COPY fields, INSERT
//! literals, SQLite cells) and each identifier in a line of text. Anything else holding the
//! person is refused by name: nothing is written for it.

use crate::atomic::{AtomicFile, Replace};
use crate::source::table::{self, TableFormat, TableSink};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// How the person's data is removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Rows and lines are dropped.
    Delete,
    /// The person's values are replaced by keyed tokens; rows and lines stay.
    Pseudonymise,
}

/// Why an input was not rewritten (never names a value).
#[derive(Debug, thiserror::Error)]
pub enum EraseError {
    /// The input cannot be rewritten faithfully.
    #[error("not rewritten: {0}")]
    Refused(String),
    /// Reading or writing failed.
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// An [`EraseError::Refused`] saying `why`.
pub(super) fn refuse<T>(why: impl Into<String>) -> Result<T, EraseError> {
    Err(EraseError::Refused(why.into()))
}

/// Keyed tokens for pseudonymised values: `[email:3f2a9c01b4d7]`, HMAC-SHA256 under a key
/// given by the user (never unkeyed, so a token cannot be found by trying values).
pub struct Tokens {
    key: Vec<u8>,
}

impl Tokens {
    /// Tokens under `key` (already checked as key material).
    pub fn new(key: &[u8]) -> Tokens {
        Tokens { key: key.to_vec() }
    }

    /// The token of `value` of kind `rule`.
    pub fn token(&self, rule: &str, value: &str) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(rule.as_bytes());
        mac.update(&[0]);
        // One person's address spelled in two cases is one token.
        let value = if rule == "email" {
            value.trim().to_lowercase()
        } else {
            value.trim().to_string()
        };
        mac.update(value.as_bytes());
        let out = mac.finalize().into_bytes();
        let hex: String = out[..6].iter().map(|b| format!("{b:02x}")).collect();
        let kind: String = rule
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '_')
            .collect();
        format!("[{kind}:{hex}]")
    }
}

/// What to remove from one input.
#[derive(Debug, Default, Clone)]
pub struct Job {
    /// The input.
    pub input: PathBuf,
    /// Where its new version goes (must not exist).
    pub output: PathBuf,
    /// The person's rows: (table, row) as the scan numbers them.
    pub rows: BTreeSet<(String, u64)>,
    /// Lines of text holding an identifier of the person, with (rule, value) per identifier.
    pub lines: BTreeMap<u64, Vec<(String, String)>>,
    /// Per table: the personal-data columns (pseudonymise replaces these cells).
    pub data_columns: HashMap<String, Vec<(String, String)>>,
}

/// What was changed in one input.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Rows removed (delete) or rewritten (pseudonymise), per table.
    pub rows: BTreeMap<String, u64>,
    /// Lines of text removed or rewritten.
    pub lines: u64,
    /// Rows per table the output must hold (for the check after writing).
    pub expected: BTreeMap<String, u64>,
}

/// Rows per table of a table file, as the scan reads them.
///
/// # Errors
/// The file cannot be read as a table.
pub fn count_rows(path: &Path) -> io::Result<BTreeMap<String, u64>> {
    let mut sink = RowLines::default();
    table::read_file(path, &mut sink)?;
    let mut out = sink.counts.into_iter().collect::<BTreeMap<_, _>>();
    for t in sink.tables {
        out.entry(t).or_insert(0);
    }
    Ok(out)
}

/// Whether the rows per table read from an output are the ones expected: a table of no rows
/// counts as one that is not there (an NDJSON file whose every line was the person's is empty).
pub fn counts_match(expected: &BTreeMap<String, u64>, after: &BTreeMap<String, u64>) -> bool {
    expected
        .keys()
        .chain(after.keys())
        .all(|t| expected.get(t).copied().unwrap_or(0) == after.get(t).copied().unwrap_or(0))
}

/// A row's cells by column name (`None` for NULL).
type Cells = Vec<(String, Option<String>)>;

/// Records, per row, the line it starts on (numbered per table as the scan numbers rows).
/// And keeps the cells of the wanted rows (for pseudonymise), by column name.
#[derive(Default)]
struct RowLines {
    table: String,
    tables: Vec<String>,
    columns: Vec<String>,
    counts: HashMap<String, u64>,
    pending: Option<u64>,
    rows: HashMap<(String, u64), Option<u64>>,
    wanted: BTreeSet<(String, u64)>,
    cells: HashMap<(String, u64), Cells>,
}

impl RowLines {
    fn take(&mut self, label: Option<u64>, cells: &[Option<&[u8]>]) -> bool {
        let n = self.counts.entry(self.table.clone()).or_default();
        *n += 1;
        let row = label.unwrap_or(*n);
        let line = self.pending.take();
        let at = (self.table.clone(), row);
        if self.wanted.contains(&at) {
            let kept = self
                .columns
                .iter()
                .zip(cells)
                .map(|(c, v)| {
                    (
                        c.clone(),
                        v.map(|b| String::from_utf8_lossy(b).into_owned()),
                    )
                })
                .collect();
            self.cells.insert(at.clone(), kept);
        }
        self.rows.insert(at, line);
        true
    }
}

impl TableSink for RowLines {
    fn begin(&mut self, table: &str, columns: &[String]) {
        self.table = table.to_string();
        self.columns = columns.to_vec();
        if !self.tables.iter().any(|t| t == table) {
            self.tables.push(table.to_string());
        }
    }
    fn row(&mut self, cells: &[Option<&[u8]>]) -> bool {
        self.take(None, cells)
    }
    fn row_at(&mut self, row: u64, cells: &[Option<&[u8]>]) -> bool {
        self.take(Some(row), cells)
    }
    fn line(&mut self, line: u64) {
        self.pending = Some(line);
    }
    fn end(&mut self) {}
}

/// What an input is, for erasure: a table format, plain text, or refused (with why).
fn kind_of(path: &Path) -> Result<Option<TableFormat>, EraseError> {
    let shown = path.to_string_lossy();
    if shown.contains("://") {
        return refuse("a database URL: erasure in a live database is not built");
    }
    if !path.is_file() {
        return refuse("not a plain file (an archive member or a folder)");
    }
    let opened = crate::source::open::open_path(path)?;
    if opened.compressed {
        return refuse("a compressed file: write it uncompressed first");
    }
    match table::detect(path, &opened.head) {
        Some(f @ (TableFormat::Delimited | TableFormat::Ndjson | TableFormat::Sqlite)) => {
            Ok(Some(f))
        }
        Some(TableFormat::SqlDump) => Ok(Some(TableFormat::SqlDump)),
        Some(TableFormat::Parquet) => {
            refuse("a Parquet file: its rows cannot be dropped byte for byte")
        }
        Some(TableFormat::Workbook) => {
            refuse("a workbook: its rows cannot be dropped byte for byte")
        }
        Some(TableFormat::PgArchive) => refuse(
            "a pg_dump archive: restore it and erase in the database, or dump it as plain SQL",
        ),
        Some(TableFormat::Json) => {
            refuse("a JSON document: only NDJSON (one object a line) is rewritten")
        }
        None => {
            let name = path
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase())
                .unwrap_or_default();
            let documents = [
                "pdf", "docx", "doc", "odt", "rtf", "pptx", "eml", "msg", "mbox", "zip", "tar",
                "gz", "7z", "html", "htm", "xml",
            ];
            if documents.contains(&name.as_str()) {
                return refuse("a document or archive: only plain text is rewritten line by line");
            }
            let bytes = std::fs::read(path)?;
            if std::str::from_utf8(&bytes).is_err() || bytes.contains(&0) {
                return refuse("not plain UTF-8 text");
            }
            Ok(None)
        }
    }
}

/// Writes the new version of `job.input` to `job.output`.
///
/// # Errors
/// The input is refused (a format or form that cannot be rewritten faithfully, pseudonymise
/// where it is not built) or reading or writing failed; nothing is left at the output then.
pub fn erase(job: &Job, method: Method, tokens: Option<&Tokens>) -> Result<Outcome, EraseError> {
    let kind = kind_of(&job.input)?;
    if method == Method::Pseudonymise && tokens.is_none() {
        return refuse("pseudonymise needs a key");
    }
    if let Some(parent) = job.output.parent() {
        std::fs::create_dir_all(parent)?;
    }
    match kind {
        None => text(job, method, tokens),
        Some(TableFormat::Sqlite) => sqlite(job, method, tokens),
        Some(f) => {
            if !job.lines.is_empty() && f != TableFormat::SqlDump {
                return refuse("an identifier outside the table's cells");
            }
            let bytes = std::fs::read(&job.input)?;
            let mut lines = RowLines {
                wanted: job.rows.clone(),
                ..RowLines::default()
            };
            table::read_file(&job.input, &mut lines)?;
            let before = count_rows(&job.input)?;
            let (out, outcome) = match (f, method, tokens) {
                (TableFormat::Delimited, _, _) => delimited(job, &bytes, &lines, tokens)?,
                (TableFormat::SqlDump, _, _) => {
                    super::erase_dump::rewrite(&bytes, job, method, tokens, &lines.rows)?
                }
                (_, Method::Pseudonymise, Some(t)) => in_lines(job, &bytes, &lines, t)?,
                _ => by_lines(job, &bytes, &lines)?,
            };
            let mut outcome = outcome;
            outcome.expected = before
                .iter()
                .map(|(t, n)| {
                    let gone = match method {
                        Method::Delete => outcome.rows.get(t).copied().unwrap_or(0),
                        Method::Pseudonymise => 0,
                    };
                    (t.clone(), n - gone)
                })
                .collect();
            publish(&job.output, &out)?;
            Ok(outcome)
        }
    }
}

fn publish(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = AtomicFile::create(target)?;
    f.write_all(bytes)?;
    f.commit(Replace::No)
}

/// CSV/TSV: drops the person's records by their byte positions.
fn delimited(
    job: &Job,
    bytes: &[u8],
    lines: &RowLines,
    tokens: Option<&Tokens>,
) -> Result<(Vec<u8>, Outcome), EraseError> {
    let table = lines.tables.first().cloned().unwrap_or_default();
    if job.rows.iter().any(|(t, _)| *t != table) {
        return refuse("a row of another table than the file's");
    }
    let bom = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let head = &bytes[..bytes.len().min(table::delimited::HEAD_LEN)];
    let delimiter = table::delimited::sniff_delimiter(head);
    let header = table::delimited::decide_header(head, delimiter);
    let body = &bytes[bom..];
    let mut rd = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(body);
    let mut rec = csv::ByteRecord::new();
    let mut out = bytes[..bom].to_vec();
    let mut kept_to = 0usize;
    let mut n = 0u64;
    let mut first = true;
    let mut outcome = Outcome::default();
    loop {
        let start = rd.position().byte() as usize;
        let more = rd
            .read_byte_record(&mut rec)
            .map_err(|e| EraseError::Refused(format!("the CSV could not be read again: {e}")))?;
        if !more {
            break;
        }
        let end = rd.position().byte() as usize;
        if first && header.is_some() {
            first = false;
            continue;
        }
        first = false;
        n += 1;
        if job.rows.contains(&(table.clone(), n)) {
            out.extend_from_slice(&body[kept_to..start]);
            kept_to = end;
            *outcome.rows.entry(table.clone()).or_default() += 1;
            if let Some(t) = tokens {
                let names = header
                    .clone()
                    .unwrap_or_else(|| table::delimited::numbered_columns(rec.len()));
                let cols = job.data_columns.get(&table).cloned().unwrap_or_default();
                let cells: Vec<Vec<u8>> = rec
                    .iter()
                    .enumerate()
                    .map(|(i, cell)| {
                        let rule = names
                            .get(i)
                            .and_then(|name| cols.iter().find(|(c, _)| c == name))
                            .map(|(_, r)| r.as_str());
                        match rule {
                            Some(r) if !cell.is_empty() => {
                                t.token(r, &String::from_utf8_lossy(cell)).into_bytes()
                            }
                            _ => cell.to_vec(),
                        }
                    })
                    .collect();
                let ending: &[u8] = if body[start..end].ends_with(b"\r\n") {
                    b"\r\n"
                } else if body[start..end].ends_with(b"\n") {
                    b"\n"
                } else {
                    b""
                };
                let mut w = csv::WriterBuilder::new()
                    .delimiter(delimiter)
                    .terminator(csv::Terminator::Any(b'\n'))
                    .from_writer(Vec::new());
                w.write_record(&cells)
                    .map_err(|e| EraseError::Io(io::Error::other(e.to_string())))?;
                let mut line = w
                    .into_inner()
                    .map_err(|e| EraseError::Io(io::Error::other(e.to_string())))?;
                line.pop();
                out.extend_from_slice(&line);
                out.extend_from_slice(ending);
            }
        }
    }
    out.extend_from_slice(&body[kept_to..]);
    let wanted = job.rows.len() as u64;
    if outcome.rows.values().sum::<u64>() != wanted {
        return refuse("the person's rows could not all be placed in the file");
    }
    Ok((out, outcome))
}

/// NDJSON: drops the lines the person's rows are on.
fn by_lines(job: &Job, bytes: &[u8], lines: &RowLines) -> Result<(Vec<u8>, Outcome), EraseError> {
    let mut drop: BTreeSet<u64> = BTreeSet::new();
    let mut rows_on: HashMap<u64, Vec<&(String, u64)>> = HashMap::new();
    for (at, line) in &lines.rows {
        if let Some(l) = line {
            rows_on.entry(*l).or_default().push(at);
        }
    }
    for at in &job.rows {
        match lines.rows.get(at) {
            Some(Some(l)) => {
                drop.insert(*l);
            }
            _ => return refuse("a row of the person's has no line of its own"),
        }
    }
    let text_lines: Vec<&[u8]> = bytes.split_inclusive(|b| *b == b'\n').collect();
    if !job.lines.is_empty() {
        return refuse("an identifier outside the rows");
    }
    let mut outcome = Outcome::default();
    for l in &drop {
        for at in rows_on.get(l).into_iter().flatten() {
            *outcome.rows.entry(at.0.clone()).or_default() += 1;
        }
    }
    outcome.lines = drop.len() as u64;
    let mut out = Vec::with_capacity(bytes.len());
    for (i, line) in text_lines.iter().enumerate() {
        if !drop.contains(&(i as u64 + 1)) {
            out.extend_from_slice(line);
        }
    }
    Ok((out, outcome))
}

/// NDJSON, pseudonymised: on each of the person's row lines, the string values of
/// personal-data columns are replaced by tokens in place (a JSON string by a JSON string), the
/// rest of the line as it was.
fn in_lines(
    job: &Job,
    bytes: &[u8],
    lines: &RowLines,
    tokens: &Tokens,
) -> Result<(Vec<u8>, Outcome), EraseError> {
    let mut edits: BTreeMap<u64, Vec<(String, String)>> = BTreeMap::new();
    let mut outcome = Outcome::default();
    for at in &job.rows {
        let Some(Some(line)) = lines.rows.get(at) else {
            return refuse("a row of the person's has no line of its own");
        };
        let cols = job.data_columns.get(&at.0).cloned().unwrap_or_default();
        for (col, value) in lines.cells.get(at).into_iter().flatten() {
            let (Some(v), Some((_, rule))) = (value, cols.iter().find(|(c, _)| c == col)) else {
                continue;
            };
            if v.is_empty() {
                continue;
            }
            edits
                .entry(*line)
                .or_default()
                .push((v.clone(), tokens.token(rule, v)));
        }
        *outcome.rows.entry(at.0.clone()).or_default() += 1;
    }
    let mut out = Vec::with_capacity(bytes.len());
    for (i, raw) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        let Some(list) = edits.get(&(i as u64 + 1)) else {
            out.extend_from_slice(raw);
            continue;
        };
        outcome.lines += 1;
        let mut s = String::from_utf8_lossy(raw).into_owned();
        for (value, token) in list {
            let from = serde_json::to_string(value).map_err(|e| io::Error::other(e.to_string()))?;
            let to = serde_json::to_string(token).map_err(|e| io::Error::other(e.to_string()))?;
            if !s.contains(&from) {
                return refuse("a value that is no JSON string could not be replaced in its line");
            }
            s = s.replace(&from, &to);
        }
        out.extend_from_slice(s.as_bytes());
    }
    Ok((out, outcome))
}

/// Plain text and logs: lines dropped, or identifiers replaced by tokens.
fn text(job: &Job, method: Method, tokens: Option<&Tokens>) -> Result<Outcome, EraseError> {
    if !job.rows.is_empty() {
        return refuse("rows in a file read as text");
    }
    let bytes = std::fs::read(&job.input)?;
    let mut out = Vec::with_capacity(bytes.len());
    let mut outcome = Outcome::default();
    for (i, line) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        let Some(values) = job.lines.get(&(i as u64 + 1)) else {
            out.extend_from_slice(line);
            continue;
        };
        outcome.lines += 1;
        // Delete: the line is left out.
        if let (Method::Pseudonymise, Some(t)) = (method, tokens) {
            let mut s = String::from_utf8_lossy(line).into_owned();
            for (rule, value) in values {
                if value.is_empty() || !s.contains(value.as_str()) {
                    return refuse("an identifier could not be placed in its line");
                }
                s = s.replace(value.as_str(), &t.token(rule, value));
            }
            out.extend_from_slice(s.as_bytes());
        }
    }
    publish(&job.output, &out)?;
    Ok(outcome)
}

fn sql_err(e: rusqlite::Error) -> EraseError {
    EraseError::Refused(format!("SQLite: {e}"))
}

/// SQLite: a private copy, rows deleted by rowid (or cells updated), vacuumed.
fn sqlite(job: &Job, method: Method, tokens: Option<&Tokens>) -> Result<Outcome, EraseError> {
    if !job.lines.is_empty() {
        return refuse("an identifier outside the table's cells");
    }
    let before = count_rows(&job.input)?;
    let mut work = AtomicFile::create(&job.output)?;
    {
        let mut input = std::fs::File::open(&job.input)?;
        io::copy(&mut input, work.file_mut())?;
        work.file_mut().sync_all()?;
    }
    let mut outcome = Outcome::default();
    {
        let mut conn = rusqlite::Connection::open(work.path()).map_err(sql_err)?;
        conn.pragma_update(None, "secure_delete", true)
            .map_err(sql_err)?;
        let tx = conn.transaction().map_err(sql_err)?;
        let mut by_table: BTreeMap<&str, BTreeSet<u64>> = BTreeMap::new();
        for (t, n) in &job.rows {
            by_table.entry(t.as_str()).or_default().insert(*n);
        }
        for (t, wanted) in &by_table {
            let q = crate::source::table::sqlite::quote(t);
            let mut ids = Vec::new();
            {
                let mut stmt = tx
                    .prepare(&format!("SELECT rowid, * FROM {q}"))
                    .map_err(|_| {
                        EraseError::Refused("a table without rowid holds the person's row".into())
                    })?;
                let mut rows = stmt.query([]).map_err(sql_err)?;
                let mut n = 0u64;
                while let Some(r) = rows.next().map_err(sql_err)? {
                    n += 1;
                    if wanted.contains(&n) {
                        ids.push(r.get::<_, i64>(0).map_err(sql_err)?);
                    }
                }
            }
            if ids.len() != wanted.len() {
                return refuse("the person's rows could not all be placed in the database");
            }
            match (method, tokens) {
                (Method::Pseudonymise, Some(tok)) => {
                    let cols = job.data_columns.get(*t).cloned().unwrap_or_default();
                    for id in &ids {
                        for (col, rule) in &cols {
                            let c = crate::source::table::sqlite::quote(col);
                            let v: Option<String> = tx
                                .query_row(
                                    &format!("SELECT CAST({c} AS TEXT) FROM {q} WHERE rowid = ?1"),
                                    [id],
                                    |r| r.get(0),
                                )
                                .map_err(sql_err)?;
                            if let Some(v) = v {
                                tx.execute(
                                    &format!("UPDATE {q} SET {c} = ?1 WHERE rowid = ?2"),
                                    rusqlite::params![tok.token(rule, &v), id],
                                )
                                .map_err(sql_err)?;
                            }
                        }
                    }
                }
                _ => {
                    for id in &ids {
                        tx.execute(&format!("DELETE FROM {q} WHERE rowid = ?1"), [id])
                            .map_err(sql_err)?;
                    }
                }
            }
            outcome.rows.insert(t.to_string(), ids.len() as u64);
        }
        tx.commit().map_err(sql_err)?;
        conn.execute_batch("VACUUM").map_err(sql_err)?;
        conn.close().map_err(|(_, e)| sql_err(e))?;
    }
    work.file_mut().sync_all()?;
    // The copy was written by SQLite through its own handle: sync that content too.
    std::fs::File::open(work.path())?.sync_all()?;
    outcome.expected = before
        .iter()
        .map(|(t, n)| {
            let gone = match method {
                Method::Delete => outcome.rows.get(t).copied().unwrap_or(0),
                Method::Pseudonymise => 0,
            };
            (t.clone(), n - gone)
        })
        .collect();
    work.commit(Replace::No)?;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_table_matches_a_missing_one_and_nothing_else_does() {
        let m = |v: &[(&str, u64)]| -> BTreeMap<String, u64> {
            v.iter().map(|(t, n)| (t.to_string(), *n)).collect()
        };
        assert!(counts_match(&m(&[("events", 0)]), &m(&[])));
        assert!(counts_match(&m(&[("a", 2)]), &m(&[("a", 2), ("b", 0)])));
        assert!(!counts_match(&m(&[("a", 2)]), &m(&[("a", 3)])));
        assert!(!counts_match(&m(&[("a", 1)]), &m(&[])));
    }

    #[test]
    fn tokens_are_keyed_and_name_the_kind() {
        let a = Tokens::new(b"0123456789abcdef-key-one");
        let b = Tokens::new(b"0123456789abcdef-key-two");
        let t = a.token("email", "Jan@Example.nl");
        assert!(t.starts_with("[email:") && t.ends_with(']'), "{t}");
        assert!(!t.contains("Jan"));
        assert_eq!(t, a.token("email", "jan@example.nl"));
        assert_ne!(t, b.token("email", "jan@example.nl"));
        assert_ne!(t, a.token("email", "els@example.nl"));
    }

    #[test]
    fn a_crlf_csv_loses_only_the_persons_record_spanning_lines() {
        let dir = tempfile::tempdir().expect("tempdir");
        let input = dir.path().join("k.csv");
        std::fs::write(
            &input,
            "id,email,notitie\r\n1,a@x.nl,\"twee\r\nregels\"\r\n2,b@x.nl,een\r\n",
        )
        .expect("write");
        let mut job = Job {
            input: input.clone(),
            output: dir.path().join("out/k.csv"),
            ..Job::default()
        };
        job.rows.insert(("k".into(), 1));
        let outcome = erase(&job, Method::Delete, None).expect("erase");
        assert_eq!(outcome.rows.get("k"), Some(&1));
        assert_eq!(outcome.expected.get("k"), Some(&1));
        assert_eq!(
            std::fs::read_to_string(&job.output).expect("read"),
            "id,email,notitie\r\n2,b@x.nl,een\r\n"
        );
        // Never over an existing file.
        assert!(erase(&job, Method::Delete, None).is_err());
    }
}
