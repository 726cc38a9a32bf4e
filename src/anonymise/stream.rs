//! A SQL dump anonymised on its way through a pipe: `pg_dump … | piiscan anonymise - …`.
//! The dump is read once, from a stream, and rewritten piece by piece into another stream
//! ([`super::dump::rewrite_tracked`]); nothing holds the whole dump and nothing of it is
//! written to disk. A file input is scanned before it is rewritten and re-read after; a
//! stream cannot be, so here:
//!
//! - the policy must pick columns by name: `category` and `rule` column entries need the
//!   scan of the whole dump before the first row is written, and are refused up front;
//! - the output is verified as it is written: a second thread reads what goes out as a
//!   dump, counts its rows per table and re-scans every column and the text around the
//!   tables ([`super::verify::census_dump_stream`]), as the re-scan of a file output does.
//!   A column no policy entry names that holds personal data is found there;
//! - when the rewrite stops part-way, or the verification fails, the output has been
//!   written up to that point. It is then ended with [`poison`]: lines that make psql and
//!   mysql fail (and, for psql, stop), and the run fails (exit 2, or 1 for personal data
//!   found again), so that no one loads it as if it were complete and anonymised.

use super::dump::{self, Written};
use super::plan::Detection;
use super::policy::{Policy, Selector};
use super::{FileReport, Kind};
use crate::ruleset::RuleSet;
use crate::source::table::sqldump::lex::{CopyFormat, Dialect};
use crate::source::table::TableFormat;
use std::io::{self, Read, Write};
use std::sync::mpsc;

/// Chunks of output handed to the verifying thread: at most this many wait, so memory
/// stays bounded whatever the dump's size.
const QUEUED_CHUNKS: usize = 8;

/// The dump format a user says standard input holds (`--from`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DumpFormat {
    /// pg_dump plain format (SQL).
    PgDump,
    /// mysqldump or mariadb-dump.
    Mysqldump,
}

impl DumpFormat {
    /// From its name on the command line (`pg_dump`, `mysqldump`; `mariadb-dump` too).
    pub fn parse(s: &str) -> Option<DumpFormat> {
        match s {
            "pg_dump" | "postgres" | "postgresql" => Some(DumpFormat::PgDump),
            "mysqldump" | "mariadb-dump" | "mysql" | "mariadb" => Some(DumpFormat::Mysqldump),
            _ => None,
        }
    }

    fn dialect(self) -> Dialect {
        match self {
            DumpFormat::PgDump => Dialect::Postgres,
            DumpFormat::Mysqldump => Dialect::MySql,
        }
    }
}

/// The dialect a dump's header comment names, if it names one.
fn header_dialect(head: &[u8]) -> Option<Dialect> {
    let text = String::from_utf8_lossy(&head[..head.len().min(8192)]);
    if text.contains("-- PostgreSQL database dump") {
        Some(Dialect::Postgres)
    } else if text.contains("-- MySQL dump") || text.contains("-- MariaDB dump") {
        Some(Dialect::MySql)
    } else {
        None
    }
}

/// Policy column entries that pick columns by what a scan found in them.
fn scan_selected(policy: &Policy) -> Vec<String> {
    policy
        .columns
        .iter()
        .filter(|e| !matches!(e.selector, Selector::Name(..)))
        .map(|e| e.describe.clone())
        .collect()
}

/// The lines a broken output is ended with, so that it cannot be loaded as if it were
/// whole: inside a COPY block, a record with more fields than any PostgreSQL table has
/// (the COPY fails, and none of its rows is loaded) and the end of the block; then, for
/// psql, `\unrestrict` of a `\restrict` in force, `\set ON_ERROR_STOP on` and a statement
/// that raises an error (psql stops with exit 3, and a `--single-transaction` restore rolls
/// back); for mysql (which stops at the first error unless `--force`), `DELIMITER ;` and
/// a `SIGNAL`. Without a known dialect, a line that is a syntax error in both.
pub fn poison(written: &Written) -> Vec<u8> {
    const WHY: &str = "piiscan anonymise failed: this output is incomplete and must not be used";
    let mut out = Vec::new();
    if let Some(CopyFormat { delimiter, .. }) = &written.copy {
        out.push(b'\n');
        out.extend(std::iter::repeat_n(*delimiter, 1600));
        out.extend_from_slice(b"\n\\.\n");
    }
    out.extend_from_slice(format!("\n-- {WHY}\n").as_bytes());
    match written.dialect {
        Some(Dialect::Postgres) => {
            if let Some(key) = &written.restrict {
                out.extend_from_slice(format!("\\unrestrict {key}\n").as_bytes());
            }
            out.extend_from_slice(b"\\set ON_ERROR_STOP on\n");
            out.extend_from_slice(
                format!("DO $piiscan$ BEGIN RAISE EXCEPTION '{WHY}'; END $piiscan$;\n").as_bytes(),
            );
        }
        Some(Dialect::MySql) => {
            out.extend_from_slice(b"DELIMITER ;\n");
            out.extend_from_slice(
                format!("SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{WHY}';\n").as_bytes(),
            );
        }
        None => out.extend_from_slice(b"PIISCAN ANONYMISE FAILED: THIS OUTPUT IS INCOMPLETE;\n"),
    }
    out
}

/// Writes to the output and hands each chunk to the verifying thread.
struct Tee<'a> {
    out: &'a mut dyn Write,
    to_check: Option<mpsc::SyncSender<Vec<u8>>>,
}

impl Write for Tee<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        if let Some(tx) = &self.to_check {
            // A verifier that stopped has its error at the join.
            if tx.send(buf[..n].to_vec()).is_err() {
                self.to_check = None;
            }
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Reads the chunks a [`Tee`] sends, until it is dropped.
struct Chunks {
    from: mpsc::Receiver<Vec<u8>>,
    chunk: Vec<u8>,
    at: usize,
}

impl Read for Chunks {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.chunk.len() {
            match self.from.recv() {
                Ok(c) => {
                    self.chunk = c;
                    self.at = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// A run that failed: why, and whether it wrote an output that was then ended with
/// [`poison`].
#[derive(Debug)]
pub struct StreamError {
    /// Why (names tables and columns; mask them before printing).
    pub error: crate::Error,
    /// Whether part of an output was written (and ended with the poison lines).
    pub output_started: bool,
}

/// Anonymises the SQL dump on `input` into `output`, verifying the output as it is
/// written. `name` is what the report calls the output (`-` for standard output). A report
/// with `written: false` means the re-scan found personal data the policy does not expect:
/// the output was then ended with the [`poison`] lines.
///
/// # Errors
/// The input is no SQL dump (or a pg_dump archive, or not the `from` format), the policy
/// selects columns by category or rule, the rewrite failed (its message names the line),
/// or the rows read back differ from the rows read. [`StreamError::output_started`] says
/// whether output was written (and poisoned) before the error.
pub fn anonymise_stream(
    input: Box<dyn Read + Send>,
    output: &mut dyn Write,
    name: &str,
    policy: &Policy,
    rules: &std::sync::Arc<RuleSet>,
    from: Option<DumpFormat>,
) -> Result<FileReport, StreamError> {
    let early = |why: String| StreamError {
        error: crate::Error::Usage(why),
        output_started: false,
    };
    let selected = scan_selected(policy);
    if !selected.is_empty() {
        return Err(early(format!(
            "standard input is read once, so the dump cannot be scanned before it is rewritten: \
             the policy entries {} pick columns by what a scan finds in them; name the \
             columns instead (name = \"email\", name = \"klanten.*\"), or anonymise a dump file",
            selected.join(", ")
        )));
    }
    let policy = &policy.bind_spans(rules);
    let rules_ref: &RuleSet = rules;
    let opened = open_stream(input).map_err(|e| early(format!("standard input: {e}")))?;
    match crate::source::table::detect_stream(&opened.head) {
        Some(TableFormat::SqlDump) => {}
        Some(TableFormat::PgArchive) => {
            return Err(early(
                "standard input holds a pg_dump archive (custom format); anonymise rewrites \
                 plain SQL dumps: pipe `pg_dump --format=plain` (the default) instead"
                    .into(),
            ))
        }
        _ => {
            return Err(early(
                "standard input is not a SQL dump (a pg_dump plain dump, or a mysqldump or \
                 mariadb-dump dump, told by its first lines); nothing was written"
                    .into(),
            ))
        }
    }
    let said = header_dialect(&opened.head);
    let dialect = match (from.map(DumpFormat::dialect), said) {
        (Some(f), Some(h)) if f != h => {
            return Err(early(format!(
                "--from says {}, but standard input starts as a {} dump; nothing was written",
                dialect_name(f),
                dialect_name(h)
            )))
        }
        (f, h) => f.or(h),
    };
    let (mut reader, bom) = (opened.reader, opened.bom);
    // A UTF-8 byte order mark goes out as it came in, as a dump file's does.
    if bom {
        output
            .write_all(b"\xEF\xBB\xBF")
            .map_err(|e| early(format!("writing the output: {e}")))?;
    }
    let mut written = Written {
        dialect,
        ..Written::default()
    };
    let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(QUEUED_CHUNKS);
    // Watched for the mask character of a masked column, as the file re-scan does.
    let wanted = |table: &str, column: &str| {
        let mask_char = policy
            .for_column(table, column, &Default::default())
            .and_then(|e| e.op.mask_char());
        Some(super::verify::Watch { mask_char })
    };
    let mut poisoned = false;
    let (rewritten, checked) = std::thread::scope(|s| {
        let checker = s.spawn(move || {
            let mut chunks = Chunks {
                from: rx,
                chunk: Vec::new(),
                at: 0,
            };
            let result = super::verify::census_dump_stream(&mut chunks, rules_ref, &wanted);
            // Whatever the result, the rest is drained so the writer never blocks.
            let _ = io::copy(&mut chunks, &mut io::sink());
            result
        });
        let mut tee = Tee {
            out: &mut *output,
            to_check: Some(tx),
        };
        let rewritten = dump::rewrite_tracked(
            &mut *reader,
            &mut tee,
            policy,
            rules_ref,
            &Detection::default(),
            // The lexer tells the dialect itself unless the user said it.
            from.map(DumpFormat::dialect),
            &mut written,
        );
        // The end of the output for the checker; the poison lines are not checked.
        let out = tee.out;
        drop(tee.to_check.take());
        let checked = checker
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the verifying thread stopped")));
        if rewritten.is_err() {
            poisoned = true;
            let _ = out.write_all(&poison(&written));
            let _ = out.flush();
        }
        (rewritten, checked)
    });
    let fail = |why: String, output: &mut dyn Write, poisoned: bool| {
        if !poisoned {
            let _ = output.write_all(&poison(&written));
            let _ = output.flush();
        }
        StreamError {
            error: crate::Error::Usage(why),
            output_started: true,
        }
    };
    let (tables, text_outcome) = match rewritten {
        Ok(r) => r,
        Err(e) => {
            return Err(fail(
                format!(
                    "standard input → {name}: {}; the output written so far was ended with \
                     lines that make psql and mysql fail; do not use it",
                    e.to_string().replace("; nothing was written", "")
                ),
                output,
                poisoned,
            ))
        }
    };
    let super::verify::StreamCensus {
        found: after,
        text: text_after,
        rows: rows_back,
    } = match checked {
        Ok(c) => c,
        Err(e) => {
            return Err(fail(
                format!(
                    "standard input → {name}: reading the output back as it was written: {e}; \
                     it was ended with lines that make psql and mysql fail; do not use it"
                ),
                output,
                poisoned,
            ))
        }
    };
    let mut rows_verified = Vec::new();
    for t in &tables {
        let back = rows_back
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(&t.table))
            .map_or(0, |(_, n)| *n);
        if t.rows_in != t.rows_out || t.rows_in != back {
            return Err(fail(
                format!(
                    "standard input → {name}: table {}: {} rows read, {} written, {} read back; \
                     the output was ended with lines that make psql and mysql fail; do not use it",
                    t.table, t.rows_in, t.rows_out, back
                ),
                output,
                poisoned,
            ));
        }
        rows_verified.push((t.table.clone(), back));
    }
    let mut leftovers =
        super::table_leftovers(&Detection::default(), &after, &tables, policy, rules_ref);
    leftovers.extend(super::text_leftovers(
        &text_after,
        text_outcome.as_ref(),
        policy,
    ));
    let clean = !leftovers.iter().any(|l| !l.expected);
    if !clean {
        let _ = output.write_all(&poison(&written));
        let _ = output.flush();
    }
    Ok(FileReport {
        written: clean,
        input: "-".into(),
        output: name.to_string(),
        kind: Kind::Dump,
        tables,
        text: text_outcome,
        rows_verified,
        leftovers,
        cell_spans: policy.span_reports(),
        notes: vec![
            "read from standard input once: the output was verified as it was written (rows \
             counted and every column re-scanned), not read back from disk"
                .into(),
        ],
    })
}

fn dialect_name(d: Dialect) -> &'static str {
    match d {
        Dialect::Postgres => "pg_dump",
        Dialect::MySql => "mysqldump",
    }
}

/// Standard input opened for the rewrite.
struct Stream {
    /// The dump, past any byte order mark.
    reader: Box<dyn Read + Send>,
    /// Its first block (decompressed, and as UTF-8), for the format decision.
    head: Vec<u8>,
    /// It started with a UTF-8 byte order mark.
    bom: bool,
}

/// Standard input as the rewriter reads it: decompressed when it is compressed, its first
/// block kept for the format decision; UTF-16 decoded (to UTF-8, as a dump file is), a byte
/// order mark passed over. 8-bit text is never transcoded (see `open_dump`).
fn open_stream(input: Box<dyn Read + Send>) -> io::Result<Stream> {
    use crate::source::decode::{DecodingReader, Encoding};
    use crate::source::sniff::Sniffed;
    let mut o = crate::source::open::open_reader(input)?;
    let mut utf8_bom = false;
    if let Sniffed::Text { encoding, bom } = o.sniffed {
        crate::source::open::read_up_to(&mut o.reader, bom)?;
        if matches!(encoding, Encoding::Utf16Le | Encoding::Utf16Be) {
            o.reader = Box::new(DecodingReader::new(o.reader, encoding));
        } else {
            utf8_bom = bom > 0 && encoding == Encoding::Utf8;
        }
    }
    Ok(Stream {
        reader: o.reader,
        head: crate::source::sniff::utf8_head(&o.head).into_owned(),
        bom: utf8_bom,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poison_ends_a_copy_block_and_stops_psql_or_mysql() {
        let copy = Written {
            dialect: Some(Dialect::Postgres),
            copy: Some(CopyFormat::default()),
            delimiter: b";".to_vec(),
            restrict: Some("abc".into()),
        };
        let p = String::from_utf8(poison(&copy)).unwrap();
        let lines: Vec<&str> = p.lines().collect();
        assert_eq!(lines[1].len(), 1600);
        assert!(lines[1].bytes().all(|b| b == b'\t'));
        assert_eq!(lines[2], "\\.");
        assert!(p.contains("\\unrestrict abc\n\\set ON_ERROR_STOP on\nDO $piiscan$"));
        let my = Written {
            dialect: Some(Dialect::MySql),
            ..Written::default()
        };
        let p = String::from_utf8(poison(&my)).unwrap();
        assert!(p.contains("DELIMITER ;\nSIGNAL SQLSTATE '45000'"));
        assert!(!p.contains("\\set"));
    }

    #[test]
    fn dump_formats_are_named_as_the_tools_are() {
        assert_eq!(DumpFormat::parse("pg_dump"), Some(DumpFormat::PgDump));
        assert_eq!(
            DumpFormat::parse("mariadb-dump"),
            Some(DumpFormat::Mysqldump)
        );
        assert_eq!(DumpFormat::parse("csv"), None);
    }
}
