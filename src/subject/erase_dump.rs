//! SQL dumps without one person's rows: pg_dump, mysqldump and mariadb-dump in every form the
//! scan reads (COPY blocks in text or CSV, single-row and multi-row `INSERT`s on one line or
//! many, with or without column lists). The dump is cut by the scan's own lexer
//! ([`crate::source::table::sqldump::lex`]) and its rows are numbered per table as the scan
//! numbers them, so the rows the search found are the rows removed.
//!
//! Delete drops a COPY record, or one tuple of an `INSERT` (with the comma before or after
//! it), or the whole statement when all its tuples are the person's. Pseudonymise replaces
//! the personal-data values of the person's rows by keyed tokens, written as string literals
//! (or COPY fields) of the dump's dialect. Comment lines holding an identifier are dropped or
//! have it replaced. Everything else is copied byte for byte. What cannot be placed (a value
//! written as an expression, literals in an `ON DUPLICATE KEY` clause of a changed statement,
//! an identifier inside other SQL, a dump cut short) refuses the file: nothing is written.

use super::erase::{refuse, EraseError, Job, Method, Outcome, Tokens};
use crate::source::table::sqldump::lex::{CopyFormat, PieceKind, Splitter, Syntax};
use crate::source::table::sqldump::schema::Schemas;
use crate::source::table::sqldump::stmt::{self, FieldSpan, Naming, Parsed, ValueKind};
use crate::source::table::sqldump::{first_word, line_of, SessionChange};
use std::collections::HashMap;

/// The line each row of the dump starts on, as the scan's reader said it: (table, row) →
/// line.
pub(super) type RowLines = HashMap<(String, u64), Option<u64>>;

struct Copying {
    table: String,
    columns: Vec<String>,
    format: CopyFormat,
    header: bool,
}

/// One tuple of an `INSERT`: its parentheses and whether it is the person's.
struct Tuple {
    open: usize,
    close: usize,
    wanted: bool,
}

struct Eraser<'j> {
    job: &'j Job,
    method: Method,
    tokens: Option<&'j Tokens>,
    row_lines: &'j RowLines,
    naming: Naming,
    schemas: Schemas,
    counts: HashMap<String, u64>,
    copying: Option<Copying>,
    outcome: Outcome,
    /// A statement was left out: the line break after it goes too.
    dropped_statement: bool,
    fields: Vec<FieldSpan>,
}

/// The first and last line `text` covers, for a piece whose first token (at `first`) is on
/// `line`.
fn lines_covered(text: &[u8], first: usize, line: u64) -> (u64, u64) {
    let first = first.min(text.len());
    let before = memchr::memchr_iter(b'\n', &text[..first]).count() as u64;
    let start = line.saturating_sub(before);
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    (
        start,
        start + memchr::memchr_iter(b'\n', body).count() as u64,
    )
}

impl Eraser<'_> {
    fn column_name(columns: &[String], k: usize) -> String {
        columns
            .get(k)
            .cloned()
            .unwrap_or_else(|| format!("col{}", k + 1))
    }

    /// The rule of a personal-data column of `table` (pseudonymise replaces its values).
    fn rule_of(&self, table: &str, column: &str) -> Option<&str> {
        self.job
            .data_columns
            .get(table)
            .and_then(|cols| cols.iter().find(|(c, _)| c == column))
            .map(|(_, r)| r.as_str())
    }

    /// The next row number of `table`, and whether it is the person's (checked against the
    /// line the scan's reader gave the row: a row found elsewhere refuses the file).
    fn next_row(&mut self, table: &str, line: Option<u64>) -> Result<bool, EraseError> {
        let n = self.counts.entry(table.to_string()).or_default();
        *n += 1;
        let at = (table.to_string(), *n);
        if !self.job.rows.contains(&at) {
            return Ok(false);
        }
        match (self.row_lines.get(&at), line) {
            (Some(Some(read)), Some(here)) if *read != here => {
                refuse("the person's rows could not be placed in the dump as the scan read it")
            }
            (None, _) => refuse("the person's rows could not be placed in the dump"),
            _ => {
                *self.outcome.rows.entry(table.to_string()).or_default() += 1;
                Ok(true)
            }
        }
    }

    fn token(&self, rule: &str, value: &[u8]) -> Result<String, EraseError> {
        match self.tokens {
            Some(t) => Ok(t.token(rule, &String::from_utf8_lossy(value))),
            None => refuse("pseudonymise needs a key"),
        }
    }

    /// A piece that is no table data: copied, with the comment lines holding an identifier
    /// dropped (delete) or rewritten (pseudonymise); an identifier elsewhere refuses.
    fn other_text(
        &mut self,
        text: &[u8],
        first: usize,
        line: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), EraseError> {
        let (from, to) = lines_covered(text, first, line);
        if self.job.lines.range(from..=to).next().is_none() {
            out.extend_from_slice(text);
            return Ok(());
        }
        for (i, raw) in text.split_inclusive(|&b| b == b'\n').enumerate() {
            let Some(values) = self.job.lines.get(&(from + i as u64)) else {
                out.extend_from_slice(raw);
                continue;
            };
            let shown = String::from_utf8_lossy(raw);
            if !shown.trim_start().starts_with("--") {
                return refuse("an identifier in the dump's SQL outside the table data");
            }
            self.outcome.lines += 1;
            if self.method == Method::Delete {
                continue;
            }
            let mut s = shown.into_owned();
            for (rule, value) in values {
                if value.is_empty() || !s.contains(value.as_str()) {
                    return refuse("an identifier could not be placed in its comment line");
                }
                s = s.replace(value.as_str(), &self.token(rule, value.as_bytes())?);
            }
            out.extend_from_slice(s.as_bytes());
        }
        Ok(())
    }

    /// `text` without the line break that ended a statement left out just before it, and
    /// how many bytes that took.
    fn after_dropped<'t>(&mut self, text: &'t [u8]) -> (&'t [u8], usize) {
        if !std::mem::take(&mut self.dropped_statement) {
            return (text, 0);
        }
        for end in [&b"\r\n"[..], b"\n"] {
            if let Some(rest) = text.strip_prefix(end) {
                return (rest, end.len());
            }
        }
        (text, 0)
    }

    /// One COPY record.
    fn copy_row(&mut self, rec: &[u8], line: u64, out: &mut Vec<u8>) -> Result<(), EraseError> {
        let Some(c) = self.copying.as_mut() else {
            out.extend_from_slice(rec);
            return Ok(());
        };
        if c.header {
            c.header = false;
            out.extend_from_slice(rec);
            return Ok(());
        }
        let table = c.table.clone();
        if !self.next_row(&table, Some(line))? {
            out.extend_from_slice(rec);
            return Ok(());
        }
        self.outcome.lines += 1;
        if self.method == Method::Delete {
            return Ok(());
        }
        let Some(c) = self.copying.as_ref() else {
            return Ok(());
        };
        let (format, columns) = (c.format.clone(), c.columns.clone());
        let body = stmt::record_body(rec);
        let mut fields = std::mem::take(&mut self.fields);
        stmt::split_record(body, &format, &mut fields);
        let mut copied = 0;
        let mut buf = Vec::new();
        for (k, f) in fields.iter().enumerate() {
            let column = Self::column_name(&columns, k);
            let Some(rule) = self.rule_of(&table, &column).map(str::to_string) else {
                continue;
            };
            if !stmt::field(&body[f.start..f.end], f, &format, &mut buf) || buf.is_empty() {
                continue;
            }
            out.extend_from_slice(&body[copied..f.start]);
            stmt::write_field(self.token(&rule, &buf)?.as_bytes(), &format, out);
            copied = f.end;
        }
        out.extend_from_slice(&body[copied..]);
        out.extend_from_slice(&rec[body.len()..]);
        self.fields = fields;
        Ok(())
    }

    /// One complete statement; returns the COPY format when COPY data follows, and a change
    /// of the session's string syntax.
    fn statement(
        &mut self,
        text: &[u8],
        first: usize,
        line: u64,
        syntax: &Syntax,
        out: &mut Vec<u8>,
    ) -> Result<(Option<CopyFormat>, Option<SessionChange>), EraseError> {
        let dialect = syntax.dialect;
        let (parsed, mut cur) = match stmt::parse(text, first, syntax) {
            Ok(p) => p,
            Err(_) if stmt::is_data_verb(&first_word(text, first)) => {
                return refuse(format!("line {line}: a data statement that cannot be read"))
            }
            Err(_) => {
                self.other_text(text, first, line, out)?;
                return Ok((None, None));
            }
        };
        let mut next = (None, None);
        match parsed {
            Parsed::Insert(head) => {
                let table = self.naming.display(dialect, &head.table);
                let unsure = head.columns.is_none()
                    && self.schemas.get(&table).is_some_and(|d| d.unsure.is_some());
                if unsure || head.default_values {
                    // Not rows to the scan (values it read as text, or no values at all).
                    self.other_text(text, first, line, out)?;
                    return Ok(next);
                }
                let columns = head
                    .columns
                    .or_else(|| self.schemas.columns(&table).map(<[String]>::to_vec))
                    .unwrap_or_default();
                self.insert(text, first, line, syntax, &mut cur, &table, &columns, out)?;
            }
            Parsed::Copy(head) => {
                let table = self.naming.display(dialect, &head.table);
                let unsure = head.columns.is_none()
                    && self.schemas.get(&table).is_some_and(|d| d.unsure.is_some());
                if unsure {
                    return refuse(format!(
                        "line {line}: COPY into {table} has no column list the scan could follow"
                    ));
                }
                let columns = head
                    .columns
                    .or_else(|| self.schemas.columns(&table).map(<[String]>::to_vec))
                    .unwrap_or_default();
                self.schemas.set_columns(&table, columns.clone());
                self.copying = Some(Copying {
                    table,
                    columns,
                    header: head.format.csv && head.format.header,
                    format: head.format.clone(),
                });
                next.0 = Some(head.format);
                self.other_text(text, first, line, out)?;
            }
            Parsed::Other if stmt::hides_data(text, first, syntax) => {
                return refuse(format!(
                    "line {line}: a statement holding table data the scan does not read"
                ));
            }
            other => {
                match other {
                    Parsed::CreateTable {
                        table,
                        columns,
                        binary,
                    } => {
                        let table = self.naming.display(dialect, &table);
                        self.schemas.create(table, columns, binary);
                    }
                    Parsed::AlterTable { table, ops } => {
                        let name = self.naming.display(dialect, &table);
                        let renamed = ops.iter().find_map(|o| match o {
                            stmt::AlterOp::RenameTable(parts) => {
                                Some(self.naming.display(dialect, parts))
                            }
                            _ => None,
                        });
                        self.schemas.alter(&name, &ops, line, renamed);
                    }
                    Parsed::DropTable(tables) => {
                        for t in tables {
                            let name = self.naming.display(dialect, &t);
                            self.schemas.drop_table(&name);
                        }
                    }
                    Parsed::Use(db) => self.naming.use_db(db),
                    Parsed::SearchPath(s) => self.naming.search_path(s),
                    p @ (Parsed::StandardStrings(_) | Parsed::SqlMode(_)) => {
                        next.1 = SessionChange::of(&p)
                    }
                    _ => {}
                }
                self.other_text(text, first, line, out)?;
            }
        }
        Ok(next)
    }

    /// An `INSERT` (or `REPLACE`) with its tuples: the person's left out or rewritten.
    #[allow(clippy::too_many_arguments)]
    fn insert(
        &mut self,
        text: &[u8],
        first: usize,
        line: u64,
        syntax: &Syntax,
        cur: &mut stmt::Cursor<'_>,
        table: &str,
        columns: &[String],
        out: &mut Vec<u8>,
    ) -> Result<(), EraseError> {
        let unreadable = |at: usize| {
            EraseError::Refused(format!(
                "line {}: an INSERT into {table} that cannot be read",
                line_of(text, first, line, at)
            ))
        };
        let mut tuples: Vec<Tuple> = Vec::new();
        let mut values = Vec::new();
        let mut edits: Vec<(usize, usize, Vec<u8>)> = Vec::new();
        let mut buf = Vec::new();
        loop {
            let before = cur.here();
            let more = stmt::next_tuple(cur, &mut values, tuples.is_empty())
                .map_err(|e| unreadable(e.at))?;
            if !more {
                break;
            }
            let open = memchr::memchr(b'(', &text[before..])
                .map(|i| before + i)
                .ok_or_else(|| unreadable(before))?;
            let mut close = values.last().map_or(open + 1, |v| v.end);
            while text.get(close).is_some_and(u8::is_ascii_whitespace) {
                close += 1;
            }
            if text.get(close) != Some(&b')') {
                return Err(unreadable(close));
            }
            close += 1;
            let row_line = values.first().map(|v| line_of(text, first, line, v.start));
            let wanted = self.next_row(table, row_line)?;
            if wanted && self.method == Method::Pseudonymise {
                for (k, v) in values.iter().enumerate() {
                    let column = Self::column_name(columns, k);
                    let Some(rule) = self.rule_of(table, &column).map(str::to_string) else {
                        continue;
                    };
                    match v.kind {
                        ValueKind::Null => {}
                        ValueKind::Raw => {
                            return refuse(format!(
                                "line {}: a value of {table}.{column} written as an expression",
                                line_of(text, first, line, v.start)
                            ))
                        }
                        ValueKind::Literal(_) => {
                            if stmt::value(text, v, syntax.dialect, &mut buf) && !buf.is_empty() {
                                let mut lit = Vec::new();
                                crate::anonymise::dump::literal(
                                    &self.token(&rule, &buf)?,
                                    syntax.backslash_strings(),
                                    &mut lit,
                                );
                                edits.push((v.start, v.end, lit));
                            }
                        }
                    }
                }
            }
            tuples.push(Tuple {
                open,
                close,
                wanted,
            });
        }
        let wanted = tuples.iter().filter(|t| t.wanted).count();
        if wanted == 0 {
            self.other_text(text, first, line, out)?;
            return Ok(());
        }
        let mut tail = Vec::new();
        stmt::tail_tokens(cur, &mut tail).map_err(|e| unreadable(e.at))?;
        if !stmt::tail_literals(text, &tail).is_empty() {
            return refuse(format!(
                "line {line}: the person's row is in an INSERT into {table} whose ON … clause holds values"
            ));
        }
        self.outcome.lines += 1;
        match self.method {
            Method::Pseudonymise => {
                let mut copied = 0;
                for (start, end, lit) in &edits {
                    out.extend_from_slice(&text[copied..*start]);
                    out.extend_from_slice(lit);
                    copied = *end;
                }
                out.extend_from_slice(&text[copied..]);
            }
            Method::Delete if wanted == tuples.len() => {
                // What stood before the statement (the line break ending the line before)
                // stays; the line break after it goes.
                out.extend_from_slice(&text[..first.min(text.len())]);
                self.dropped_statement = true;
            }
            Method::Delete => {
                out.extend_from_slice(&text[..tuples[0].open]);
                let mut any = false;
                for (i, t) in tuples.iter().enumerate() {
                    if t.wanted {
                        continue;
                    }
                    if any {
                        // The separator that stood before this tuple (`,`, `,\n\t`).
                        out.extend_from_slice(&text[tuples[i - 1].close..t.open]);
                    }
                    out.extend_from_slice(&text[t.open..t.close]);
                    any = true;
                }
                let last = tuples.last().map_or(text.len(), |t| t.close);
                out.extend_from_slice(&text[last..]);
            }
        }
        Ok(())
    }
}

/// The dump `bytes` without the person's rows (or with them pseudonymised), and what changed.
///
/// # Errors
/// Refused as the module says; nothing is to be written then.
pub(super) fn rewrite(
    bytes: &[u8],
    job: &Job,
    method: Method,
    tokens: Option<&Tokens>,
    row_lines: &RowLines,
) -> Result<(Vec<u8>, Outcome), EraseError> {
    let mut eraser = Eraser {
        job,
        method,
        tokens,
        row_lines,
        naming: Naming::default(),
        schemas: Schemas::default(),
        counts: HashMap::new(),
        copying: None,
        outcome: Outcome::default(),
        dropped_statement: false,
        fields: Vec::new(),
    };
    let mut split = Splitter::new(bytes, None);
    let mut out = Vec::with_capacity(bytes.len());
    while let Some(piece) = split.next_piece()? {
        let mut next = (None, None);
        match piece.kind {
            PieceKind::Statement => {
                let (text, cut) = eraser.after_dropped(piece.text);
                next = eraser.statement(
                    text,
                    piece.first.saturating_sub(cut),
                    piece.line,
                    piece.syntax,
                    &mut out,
                )?;
            }
            PieceKind::CopyRow => {
                eraser.dropped_statement = false;
                eraser.copy_row(piece.text, piece.line, &mut out)?;
            }
            PieceKind::CopyEnd => {
                eraser.dropped_statement = false;
                eraser.copying = None;
                out.extend_from_slice(piece.text);
            }
            PieceKind::Command | PieceKind::Trivia => {
                let (text, cut) = eraser.after_dropped(piece.text);
                let line = piece.line + u64::from(cut > 0);
                eraser.other_text(text, 0, line, &mut out)?;
            }
            PieceKind::Incomplete(_) | PieceKind::CopyCut => {
                return refuse("the dump ends inside a statement or a COPY block (cut short)");
            }
        }
        if let Some(f) = next.0 {
            split.begin_copy(f);
        }
        if let Some(change) = next.1 {
            change.apply(split.syntax());
        }
    }
    let placed: u64 = eraser.outcome.rows.values().sum();
    if placed != job.rows.len() as u64 {
        return refuse("the person's rows could not all be placed in the dump");
    }
    Ok((out, eraser.outcome))
}

#[cfg(test)]
mod tests {
    use super::super::erase::{erase, Job, Method, Tokens};

    /// Erases rows `rows` of `table` from `dump`; the output, or why it was refused.
    fn erased(
        dump: &str,
        table: &str,
        rows: &[u64],
        method: Method,
        lines: &[(u64, &str, &str)],
    ) -> Result<String, String> {
        let dir = tempfile::tempdir().expect("tempdir");
        let input = dir.path().join("d.sql");
        std::fs::write(&input, dump).expect("write");
        let mut job = Job {
            input,
            output: dir.path().join("out/d.sql"),
            ..Job::default()
        };
        for r in rows {
            job.rows.insert((table.to_string(), *r));
        }
        for (line, rule, value) in lines {
            job.lines
                .entry(*line)
                .or_default()
                .push((rule.to_string(), value.to_string()));
        }
        job.data_columns.insert(
            table.to_string(),
            vec![
                ("email".into(), "email".into()),
                ("naam".into(), "name".into()),
            ],
        );
        let tokens = Tokens::new(b"0123456789abcdef0123456789abcdef");
        let outcome = erase(&job, method, Some(&tokens)).map_err(|e| e.to_string())?;
        assert_eq!(
            outcome.rows.get(table).copied().unwrap_or(0),
            rows.len() as u64
        );
        Ok(std::fs::read_to_string(&job.output).expect("output"))
    }

    const MYSQL: &str = "-- MySQL dump 10.13\n\
        CREATE TABLE `klant` (`id` int, `naam` varchar(40), `email` varchar(80));\n\
        INSERT INTO `klant` VALUES (1,'Jan','jan@x.nl'),(2,'Els','els@x.nl'),(3,'Piet','piet@x.nl');\n\
        INSERT INTO `klant` VALUES (4,'An','an@x.nl');\n\
        -- the end\n";

    #[test]
    fn a_tuple_of_an_extended_insert_goes_with_one_comma_wherever_it_stands() {
        let out = |rows: &[u64]| erased(MYSQL, "klant", rows, Method::Delete, &[]).unwrap();
        assert!(out(&[2]).contains("VALUES (1,'Jan','jan@x.nl'),(3,'Piet','piet@x.nl');\n"));
        assert!(out(&[1]).contains("VALUES (2,'Els','els@x.nl'),(3,'Piet','piet@x.nl');\n"));
        assert!(out(&[3]).contains("VALUES (1,'Jan','jan@x.nl'),(2,'Els','els@x.nl');\n"));
        assert!(out(&[1, 3]).contains("VALUES (2,'Els','els@x.nl');\n"));
        // The whole statement, with its line, when every tuple is the person's; rows are
        // numbered per table across statements.
        let all = out(&[4]);
        assert!(!all.contains("'An'"), "{all}");
        assert!(
            all.ends_with("(3,'Piet','piet@x.nl');\n-- the end\n"),
            "{all}"
        );
        assert_eq!(out(&[1, 2, 3]).lines().count(), MYSQL.lines().count() - 1);
    }

    #[test]
    fn pseudonymise_replaces_the_literals_of_personal_columns_in_their_tuple() {
        let out = erased(MYSQL, "klant", &[2], Method::Pseudonymise, &[]).unwrap();
        assert!(!out.contains("els@x.nl") && !out.contains("'Els'"), "{out}");
        assert!(out.contains(",(2,'[name:"), "{out}");
        assert!(out.contains("(1,'Jan','jan@x.nl')"), "{out}");
    }

    #[test]
    fn pg_dump_rows_per_insert_and_copy_blocks_in_text_and_csv() {
        let pg = "-- PostgreSQL database dump\n\
            CREATE TABLE public.klant (id integer, naam text, email text);\n\
            INSERT INTO public.klant (id, naam, email) VALUES\n\t(1, 'Jan', 'jan@x.nl'),\n\t(2, 'Els', 'els@x.nl');\n\
            COPY public.klant (id, naam, email) FROM stdin;\n3\tPiet\tpiet@x.nl\n4\tAn\tan@x.nl\n\\.\n\
            COPY public.klant (id, naam, email) FROM stdin WITH (FORMAT csv);\n5,\"Ko\",\"ko\n@x.nl\"\n6,Mo,mo@x.nl\n\\.\n";
        let out = erased(pg, "klant", &[1, 4, 5], Method::Delete, &[]).unwrap();
        assert!(out.contains("VALUES\n\t(2, 'Els', 'els@x.nl');\n"), "{out}");
        assert!(out.contains("3\tPiet\tpiet@x.nl\n\\.\n"), "{out}");
        assert!(out.contains("FORMAT csv);\n6,Mo,mo@x.nl\n"), "{out}");
        for gone in ["jan@x.nl", "an@x.nl\n", "\"Ko\""] {
            assert!(!out.contains(gone), "{gone}: {out}");
        }
        let out = erased(pg, "klant", &[4, 6], Method::Pseudonymise, &[]).unwrap();
        assert!(out.contains("4\t[name:"), "{out}");
        assert!(
            !out.contains("mo@x.nl") && out.contains("6,\"[name:"),
            "{out}"
        );
    }

    #[test]
    fn comment_lines_go_and_identifiers_in_other_sql_refuse_the_dump() {
        let dump = format!("{MYSQL}-- contact: els@x.nl\n");
        let out = erased(
            &dump,
            "klant",
            &[2],
            Method::Delete,
            &[(6, "email", "els@x.nl")],
        )
        .unwrap();
        assert!(!out.contains("els@x.nl"), "{out}");
        let dump = format!("{MYSQL}CREATE VIEW v AS SELECT 'els@x.nl';\n");
        let why = erased(
            &dump,
            "klant",
            &[2],
            Method::Delete,
            &[(6, "email", "els@x.nl")],
        )
        .unwrap_err();
        assert!(why.contains("outside the table data"), "{why}");
    }

    #[test]
    fn what_cannot_be_placed_refuses_the_dump() {
        let cut = "-- MySQL dump\nINSERT INTO `k` VALUES (1,'a'),(2,'b'";
        assert!(erased(cut, "k", &[1], Method::Delete, &[]).is_err());
        let upsert = "-- MySQL dump\nINSERT INTO `k` (id, email) VALUES (1,'a@x.nl') ON DUPLICATE KEY UPDATE email='a@x.nl';\n";
        let why = erased(upsert, "k", &[1], Method::Delete, &[]).unwrap_err();
        assert!(why.contains("ON"), "{why}");
        let expr = "-- MySQL dump\nINSERT INTO `k` (id, email) VALUES (1,CONCAT('a','@x.nl'));\n";
        let why = erased(expr, "k", &[1], Method::Pseudonymise, &[]).unwrap_err();
        assert!(why.contains("expression"), "{why}");
        // A row the dump does not have.
        assert!(erased(MYSQL, "klant", &[9], Method::Delete, &[]).is_err());
    }
}
