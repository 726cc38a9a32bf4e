//! Tables: readers that turn CSV/TSV files and SQL dumps into rows of cells, pushed to a
//! [`TableSink`] one row at a time (nothing holds a whole table). The scan classifies each
//! column from its name and its values ([`crate::detect::column`]) and reports cell findings with
//! `table`, `column` and `row`.

pub mod delimited;
pub mod json;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod pgarchive;
pub mod sqldump;
pub mod sqlite;
pub mod workbook;
pub mod workbook_meta;

use std::io;
use std::path::Path;

/// The most columns tracked per table: keys or fields past it are not read, and the reader
/// says so through [`TableSink::notice`] (the input then counts as not fully read).
pub const MAX_COLUMNS: usize = 10_000;

/// Receives tables row by row.
pub trait TableSink {
    /// A table starts: its name and column names. A reader may call it again for the same
    /// table with a longer column list (the old columns first, in the same order).
    fn begin(&mut self, table: &str, columns: &[String]);
    /// One data row; `None` is SQL NULL. Returns false to stop reading this table's rows.
    fn row(&mut self, cells: &[Option<&[u8]>]) -> bool;
    /// One data row given as (column index, cell) pairs, for readers whose rows fill few of
    /// many columns (JSON): the cost is the cells given, not the table's width. Columns not
    /// named are absent (NULL). Returns false to stop reading this table's rows.
    fn sparse_row(&mut self, cells: &[(usize, Option<&[u8]>)]) -> bool {
        let width = cells.iter().map(|(i, _)| i + 1).max().unwrap_or(0);
        let mut dense: Vec<Option<&[u8]>> = vec![None; width];
        for &(i, cell) in cells {
            if let Some(slot) = dense.get_mut(i) {
                *slot = cell;
            }
        }
        self.row(&dense)
    }
    /// One data row that the input numbers itself (a large object by its oid): reported at
    /// row `row` instead of its place in the table. Returns false to stop reading this
    /// table's rows.
    fn row_at(&mut self, row: u64, cells: &[Option<&[u8]>]) -> bool {
        let _ = row;
        self.row(cells)
    }
    /// The next row starts on this 1-based line of the input: readers of text formats (CSV,
    /// NDJSON, SQL dumps) say so before each row, so that findings in the row's cells carry
    /// the line (SARIF and GitHub annotations point at it). Readers of binary formats do not.
    fn line(&mut self, _line: u64) {}
    /// The cell in column `column` of the row just given held binary that is not text (a
    /// `bytea` image, a hex blob): it was passed as NULL, and is counted as not scanned.
    fn binary(&mut self, _column: usize) {}
    /// Part of the input was not read (a cap was hit, a part was skipped): the message says
    /// what, and names no value. The scan counts the input as not fully read.
    fn notice(&mut self, _message: &str) {}
    /// Text of the input that is no table data: a SQL dump's statements, comments and
    /// definitions around its rows. `at` says where `text` starts in the input. Scanned as a
    /// text file is (the scan reports it by line); sinks that only want rows ignore it.
    fn text(&mut self, _text: &[u8], _at: TextAt) {}
    /// The current table ended.
    fn end(&mut self);
    /// The current table's number of rows, from readers that know it without reading the
    /// rows (SQLite, Parquet, workbooks), so that a sample can say what it covered.
    fn total_rows(&mut self, _rows: u64) {}
}

/// Where a piece of [`TableSink::text`] starts in its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextAt {
    /// 1-based line.
    pub line: u64,
    /// 1-based column, in characters.
    pub column: u64,
    /// Byte offset from the start of the input.
    pub offset: u64,
}

impl TextAt {
    /// The start of an input.
    pub const START: TextAt = TextAt {
        line: 1,
        column: 1,
        offset: 0,
    };

    /// Where the byte after `seg` is, for `seg` starting here (linear in `seg`).
    pub fn after(self, seg: &[u8]) -> TextAt {
        let chars = |s: &[u8]| s.iter().filter(|&&b| b & 0xC0 != 0x80).count() as u64;
        let (line, column) = match memchr::memrchr(b'\n', seg) {
            Some(last) => (
                self.line + memchr::memchr_iter(b'\n', seg).count() as u64,
                1 + chars(&seg[last + 1..]),
            ),
            None => (self.line, self.column + chars(seg)),
        };
        TextAt {
            line,
            column,
            offset: self.offset + seg.len() as u64,
        }
    }
}

/// The table formats piiscan reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// CSV or TSV (delimiter sniffed).
    Delimited,
    /// A SQL dump: pg_dump plain format (COPY or INSERT) or mysqldump / mariadb-dump.
    SqlDump,
    /// A JSON document (an array of objects, or one object).
    Json,
    /// Newline-delimited JSON.
    Ndjson,
    /// A SQLite database file (read from its path, never from a stream).
    Sqlite,
    /// An Excel or OpenDocument workbook (read from its path).
    Workbook,
    /// A Parquet file (read from its path, batch by batch).
    Parquet,
    /// A pg_dump custom (`-Fc`), tar (`-Ft`) or directory (`-Fd`) archive (read from its
    /// path, block by block).
    PgArchive,
}

impl TableFormat {
    /// Formats read from a path rather than a byte stream.
    pub fn needs_path(self) -> bool {
        matches!(
            self,
            TableFormat::Sqlite
                | TableFormat::Workbook
                | TableFormat::Parquet
                | TableFormat::PgArchive
        )
    }
}

/// Which table format a file is, from its name (a compression suffix such as `.gz` or `.zst`
/// is looked through: [`crate::source::input::inner_name`]) and, for
/// SQL, its first block. A pg_dump directory archive is recognised from its path alone.
pub fn detect(path: &Path, head: &[u8]) -> Option<TableFormat> {
    if head.starts_with(b"SQLite format 3\0") {
        return Some(TableFormat::Sqlite);
    }
    if pgarchive::is_archive_head(head)
        || (head.is_empty() && pgarchive::is_directory_archive(path))
    {
        return Some(TableFormat::PgArchive);
    }
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    if workbook::has_workbook_name(&name) {
        return Some(TableFormat::Workbook);
    }
    if head.starts_with(b"PAR1") || name.ends_with(".parquet") {
        return Some(TableFormat::Parquet);
    }
    let name = crate::source::input::inner_name(&name);
    if name.ends_with(".csv") || name.ends_with(".tsv") {
        return Some(TableFormat::Delimited);
    }
    if name.ends_with(".ndjson") || name.ends_with(".jsonl") {
        return Some(TableFormat::Ndjson);
    }
    if name.ends_with(".json") {
        return Some(TableFormat::Json);
    }
    if (name.ends_with(".sql") || name.ends_with(".dump")) && dumpish(head) {
        return Some(TableFormat::SqlDump);
    }
    None
}

/// Whether the first block of a file named as a dump (`.sql`, `.dump`) holds what a dump
/// holds: a dump tool's header, or a data or table statement at the start of a line.
fn dumpish(head: &[u8]) -> bool {
    let head = crate::source::sniff::utf8_head(head);
    let text = String::from_utf8_lossy(&head[..head.len().min(8192)]);
    [
        "PostgreSQL database dump",
        "MySQL dump",
        "MariaDB dump",
        "\nCOPY ",
        "\nINSERT INTO ",
        "\nCREATE TABLE ",
    ]
    .iter()
    .any(|m| text.contains(m))
}

/// Which table format a stream without a name (standard input) is, from its first block
/// alone: a pg_dump archive (`PGDMP`), or a plain SQL dump when it starts as pg_dump,
/// mysqldump and mariadb-dump start one: their header comment (`-- PostgreSQL database
/// dump`, `-- MySQL dump`, `-- MariaDB dump`), or, for a dump written without it
/// (`--compact`, `--skip-comments`), a first statement a dump starts with (`SET`, `CREATE
/// TABLE`, `INSERT INTO`, `COPY`, `/*!`, …) after leading comment lines, in UTF-8 or UTF-16
/// (a dump redirected to a file in PowerShell). Text that only mentions SQL further down stays
/// text: `None`.
pub fn detect_stream(head: &[u8]) -> Option<TableFormat> {
    if pgarchive::is_archive_head(head) {
        return Some(TableFormat::PgArchive);
    }
    let head = crate::source::sniff::utf8_head(head);
    let head = &head[..head.len().min(8192)];
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace));
    let mut comments = 0usize;
    for line in lines.by_ref() {
        if let Some(comment) = line.strip_prefix(b"--") {
            let comment = comment.trim_ascii();
            if [
                &b"PostgreSQL database dump"[..],
                b"MySQL dump",
                b"MariaDB dump",
            ]
            .iter()
            .any(|m| comment.starts_with(m))
            {
                return Some(TableFormat::SqlDump);
            }
            comments += 1;
            if comments > 64 {
                return None;
            }
            continue;
        }
        let upper = line.to_ascii_uppercase();
        let starts = [
            &b"SET "[..],
            b"CREATE TABLE ",
            b"CREATE SCHEMA ",
            b"INSERT INTO ",
            b"COPY ",
            b"DROP TABLE ",
            b"LOCK TABLES ",
            b"/*!",
            b"/*M!",
            b"START TRANSACTION;",
            b"BEGIN;",
        ];
        return starts
            .iter()
            .any(|s| upper.starts_with(s))
            .then_some(TableFormat::SqlDump);
    }
    None
}

/// The table name of a flat file: its stem (`klanten.csv.gz` → `klanten`, `.bz2`, `.xz` and
/// `.zst` alike).
pub fn stem(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "-".into());
    let name = crate::source::input::inner_name(&name);
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_string(),
        _ => name.to_string(),
    }
}

/// Reads a table file that needs its path (SQLite, workbooks); at most `limit` rows per table.
///
/// # Errors
/// The file cannot be opened or read as that format.
pub fn read_path(
    format: TableFormat,
    path: &Path,
    limit: u64,
    sink: &mut dyn TableSink,
) -> io::Result<()> {
    match format {
        TableFormat::Sqlite => sqlite::read(path, limit, sink),
        #[cfg(feature = "parquet")]
        TableFormat::Parquet => parquet::read(path, &stem(path), limit, sink),
        #[cfg(not(feature = "parquet"))]
        TableFormat::Parquet => Err(io::Error::other(
            "this piiscan was built without Parquet support (feature `parquet`)",
        )),
        TableFormat::PgArchive => pgarchive::read_path(path, sink),
        _ => workbook::read(path, limit, sink),
    }
}

/// Reads every row of a table file of any format [`detect`] knows (compressed ones included)
/// into `sink`: the one way the anonymiser's verification, risk and subject requests read a
/// table again. `None` when the file is no table.
///
/// # Errors
/// The file cannot be opened or read as its format.
pub fn read_file(path: &Path, sink: &mut dyn TableSink) -> io::Result<Option<TableFormat>> {
    if pgarchive::is_directory_archive(path) {
        read_path(TableFormat::PgArchive, path, 0, sink)?;
        return Ok(Some(TableFormat::PgArchive));
    }
    let opened = crate::source::open::open_path(path)?;
    let Some(format) = detect(path, &opened.head) else {
        return Ok(None);
    };
    if format.needs_path() && !opened.compressed {
        drop(opened);
        read_path(format, path, 0, sink)?;
    } else {
        let mut reader = opened.reader;
        read(format, &mut reader, &stem(path), sink)?;
    }
    Ok(Some(format))
}

/// Reads a table file, pushing its rows to `sink`.
///
/// # Errors
/// Read errors and malformed input, with the line where it broke.
pub fn read(
    format: TableFormat,
    reader: &mut dyn io::Read,
    flat_name: &str,
    sink: &mut dyn TableSink,
) -> io::Result<()> {
    match format {
        TableFormat::Delimited => delimited::read(reader, flat_name, sink),
        TableFormat::SqlDump => sqldump::read(reader, sink),
        TableFormat::Json => json::read(reader, flat_name, false, sink),
        TableFormat::Ndjson => json::read(reader, flat_name, true, sink),
        TableFormat::Sqlite
        | TableFormat::Workbook
        | TableFormat::Parquet
        | TableFormat::PgArchive => Err(io::Error::other("this format is read from its path")),
    }
}

/// A sink that keeps every row, for the readers' tests.
#[cfg(test)]
#[derive(Default)]
pub(crate) struct CollectedRows {
    /// The last column list seen.
    pub columns: Vec<String>,
    /// Every row, `None` for NULL.
    pub rows: Vec<Vec<Option<String>>>,
}

#[cfg(test)]
impl TableSink for CollectedRows {
    fn begin(&mut self, _table: &str, columns: &[String]) {
        self.columns = columns.to_vec();
    }
    fn row(&mut self, cells: &[Option<&[u8]>]) -> bool {
        self.rows.push(
            cells
                .iter()
                .map(|c| c.map(|b| String::from_utf8_lossy(b).into_owned()))
                .collect(),
        );
        true
    }
    fn end(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_is_a_dump_by_its_first_lines_only() {
        let pg = b"--\n-- PostgreSQL database dump\n--\n\n\\restrict abc\nSET x = 1;\n";
        assert_eq!(detect_stream(pg), Some(TableFormat::SqlDump));
        let maria = b"/*M!999999\\- enable the sandbox mode */ \n-- MariaDB dump 10.19\n";
        assert_eq!(detect_stream(maria), Some(TableFormat::SqlDump));
        assert_eq!(
            detect_stream(b"-- MySQL dump 10.13  Distrib 8.0\n"),
            Some(TableFormat::SqlDump)
        );
        // --compact and --skip-comments dumps: the first statement.
        assert_eq!(
            detect_stream(
                b"\xEF\xBB\xBF/*!40101 SET NAMES utf8mb4 */;\nCREATE TABLE `k` (a int);\n"
            ),
            Some(TableFormat::SqlDump)
        );
        assert_eq!(
            detect_stream(b"-- my data\n\nINSERT INTO k VALUES (1);\n"),
            Some(TableFormat::SqlDump)
        );
        assert_eq!(
            detect_stream(b"PGDMP\x01\x0e\x00"),
            Some(TableFormat::PgArchive)
        );
        // Text that mentions SQL further down stays text.
        assert_eq!(
            detect_stream(b"Notes\nINSERT INTO k VALUES (1);\n-- PostgreSQL database dump\n"),
            None
        );
        assert_eq!(detect_stream(b"name,email\njan,jan@example.nl\n"), None);
        assert_eq!(detect_stream(b""), None);
    }
}
