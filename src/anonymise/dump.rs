//! SQL dumps, rewritten statement by statement with every byte outside the changed values
//! left as it was. The dump is cut by the same lexer the scan reads it with
//! ([`crate::source::table::sqldump::lex`]), so both see the same statements, tables and columns:
//! `COPY … FROM STDIN` blocks in text or CSV (fields decoded, transformed and encoded again
//! in the block's own format), and every INSERT / REPLACE form of pg_dump, mysqldump and
//! mariadb-dump, where only the literal of a changed value is replaced. A table without
//! policy columns, and everything that is not table data, is copied unchanged, so a dump the
//! policy does not touch comes out byte-identical.
//!
//! Fail-closed: a data statement the lexer cannot read, a dump cut short, and an
//! `ON DUPLICATE KEY UPDATE` / `ON CONFLICT` clause with literal values in a table the
//! policy changes stop the run; nothing is copied through unread.
//!
//! `drop` is refused for dumps (the table definition would no longer match the data); use
//! `redact`. New values are written as string literals: a transform that turns an integer
//! column into text (hmac on an id) gives a dump the database will refuse.

use super::delimited::TableOutcome;
use super::dumptext::DumpText;
use super::plan::{Detection, TablePlan};
use super::policy::Policy;
use crate::source::table::sqldump::binary::{self, Hint, View};
use crate::source::table::sqldump::lex::{CopyFormat, Dialect, PieceKind, Splitter};
use crate::source::table::sqldump::schema::Schemas;
use crate::source::table::sqldump::stmt::{self, FieldSpan, Naming, Parsed, ValueSpan};
use crate::source::table::sqldump::{cut_message, first_word, line_of, SessionChange};
use std::collections::HashMap;
use std::io::{self, Write};

/// A string literal in the dump's dialect (`backslash`: MySQL, or PostgreSQL with standard
/// strings off).
pub(crate) fn literal(v: &str, backslash: bool, out: &mut Vec<u8>) {
    out.push(b'\'');
    for &b in v.as_bytes() {
        match b {
            b'\'' if backslash => out.extend_from_slice(b"\\'"),
            b'\'' => out.extend_from_slice(b"''"),
            b'\\' if backslash => out.extend_from_slice(b"\\\\"),
            b'\n' if backslash => out.extend_from_slice(b"\\n"),
            b'\r' if backslash => out.extend_from_slice(b"\\r"),
            0 if backslash => out.extend_from_slice(b"\\0"),
            26 if backslash => out.extend_from_slice(b"\\Z"),
            _ => out.push(b),
        }
    }
    out.push(b'\'');
}

/// A PostgreSQL `bytea` value in hex form (`\x6a61…`), as a new value of a binary column is
/// written so that the database reads back exactly its bytes.
fn bytea_hex(v: &str) -> String {
    let mut out = String::with_capacity(2 + v.len() * 2);
    out.push_str("\\x");
    for b in v.bytes() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The value a transform reads, from `plain` (the value as the SQL or COPY text gives it):
/// binary decoded where it holds text, as the scan reads it ([`binary`]). Also whether the
/// value is a PostgreSQL `bytea` whose new value must be written in hex form.
fn transform_input(plain: Vec<u8>, view: Option<View>, decoded: Vec<u8>) -> (String, bool) {
    match view {
        Some(View::Text) if decoded != plain => {
            (String::from_utf8_lossy(&decoded).into_owned(), true)
        }
        _ => (String::from_utf8_lossy(&plain).into_owned(), false),
    }
}

fn usage(line: u64, why: impl std::fmt::Display) -> crate::Error {
    crate::Error::Usage(format!("line {line}: {why}"))
}

struct Copying {
    table: String,
    format: CopyFormat,
    header: bool,
    line: u64,
}

struct Rewriter<'p> {
    policy: &'p Policy,
    found: &'p Detection,
    schemas: Schemas,
    naming: Naming,
    plans: HashMap<String, TablePlan>,
    rows: HashMap<String, u64>,
    order: Vec<String>,
    copying: Option<Copying>,
    values: Vec<ValueSpan>,
    fields: Vec<FieldSpan>,
}

impl Rewriter<'_> {
    fn note(&mut self, table: &str) {
        if !self.rows.contains_key(table) {
            self.rows.insert(table.to_string(), 0);
            self.order.push(table.to_string());
        }
    }

    /// The plan of a table, made on its first row (when the column count is known, so a
    /// table without column names gets `col1…colN` as the scan names them; `None` when it
    /// changes nothing), and where each value of this row's columns is in it: a statement
    /// may name the columns in another order, or (after an `ALTER TABLE`) name columns the
    /// plan does not have yet, which are added to it.
    fn plan(
        &mut self,
        table: &str,
        columns: &[String],
        width: usize,
        line: u64,
    ) -> crate::Result<(Option<&mut TablePlan>, Vec<usize>)> {
        let mut names = columns.to_vec();
        while names.len() < width {
            names.push(format!("col{}", names.len() + 1));
        }
        // The common case: the columns the plan was made for, in its order.
        if self.plans.get(table).is_some_and(|p| p.names == names) {
            let map = (0..names.len()).collect();
            return Ok((self.plans.get_mut(table).filter(|p| !p.is_identity()), map));
        }
        let known: Vec<String> = self
            .plans
            .get(table)
            .map(|p| p.names.clone())
            .unwrap_or_default();
        let mut all = known.clone();
        let mut map = Vec::with_capacity(names.len());
        let mut used = std::collections::HashSet::new();
        for n in &names {
            let at = match all
                .iter()
                .enumerate()
                .position(|(k, a)| a == n && !used.contains(&k))
            {
                Some(k) => k,
                None => {
                    all.push(n.clone());
                    all.len() - 1
                }
            };
            used.insert(at);
            map.push(at);
        }
        if !self.plans.contains_key(table) || all.len() > known.len() {
            let mut plan = TablePlan::new(self.policy, table, &all, self.found)?;
            if let Some(i) = (0..all.len()).find(|&i| plan.dropped(self.policy, i)) {
                return Err(usage(
                    line,
                    format!(
                        "table {table}, column {}: drop is not possible in a SQL dump \
                         (the table definition would no longer match); use redact",
                        all[i]
                    ),
                ));
            }
            // The counts so far stay with their columns.
            if let Some(old) = self.plans.remove(table) {
                for (i, r) in old.reports.into_iter().enumerate() {
                    if let Some(slot) = plan.reports.get_mut(i) {
                        *slot = r;
                    }
                }
            }
            self.plans.insert(table.to_string(), plan);
        }
        Ok((self.plans.get_mut(table).filter(|p| !p.is_identity()), map))
    }

    fn count(&mut self, table: &str) {
        if let Some(c) = self.rows.get_mut(table) {
            *c += 1;
        }
    }

    /// Refuses rows of `table` without a column list when an `ALTER TABLE` changed its
    /// columns in a way not followed: their values cannot be tied to the policy's columns.
    fn sure(&self, table: &str, no_list: bool, line: u64, verb: &str) -> crate::Result<()> {
        match self.schemas.get(table).and_then(|d| d.unsure.as_ref()) {
            Some(why) if no_list => Err(usage(
                line,
                format!("{verb} into {table} has no column list, and {why}; piiscan does not copy table data it cannot tie to its columns"),
            )),
            _ => Ok(()),
        }
    }

    fn columns(&self, table: &str, listed: Option<Vec<String>>) -> Vec<String> {
        listed
            .or_else(|| self.schemas.columns(table).map(<[String]>::to_vec))
            .unwrap_or_default()
    }

    /// Rewrites one COPY record (with its line ending) into `out`.
    fn copy_row(&mut self, rec: &[u8], line: u64, out: &mut Vec<u8>) -> crate::Result<()> {
        let Some(c) = self.copying.as_mut() else {
            out.extend_from_slice(rec);
            return Ok(());
        };
        if c.header {
            c.header = false;
            out.extend_from_slice(rec);
            return Ok(());
        }
        let (table, format) = (c.table.clone(), c.format.clone());
        self.count(&table);
        let body = stmt::record_body(rec);
        let ending = &rec[body.len()..];
        let mut fields = std::mem::take(&mut self.fields);
        stmt::split_record(body, &format, &mut fields);
        let columns = self.columns(&table, None);
        let mut hints = Vec::new();
        self.schemas.hints(&table, &columns, &mut hints);
        let policy = self.policy;
        let outcome = (|| {
            let (plan, map) = self.plan(&table, &columns, fields.len(), line)?;
            let Some(plan) = plan else {
                out.extend_from_slice(rec);
                return Ok(());
            };
            // Only the fields a transform reads are decoded: its own, and an entity column;
            // by the plan's columns.
            let width = plan.names.len();
            let mut decoded: Vec<Option<String>> = vec![None; width];
            let mut bytea = vec![false; width];
            let mut buf = Vec::new();
            for (k, f) in fields.iter().enumerate() {
                let i = map[k];
                let needed = plan.actions.get(i).copied().flatten().is_some()
                    || plan.entity.contains(&Some(i));
                if needed && stmt::field(&body[f.start..f.end], f, &format, &mut buf) {
                    let plain = buf.clone();
                    let hint = hints.get(k).copied().unwrap_or(Hint::Unknown);
                    let view = binary::pg_value(&mut buf, hint);
                    let (v, hex) = transform_input(plain, Some(view), std::mem::take(&mut buf));
                    decoded[i] = Some(v);
                    bytea[i] = hex || hint == Hint::Binary;
                }
            }
            let mut copied = 0;
            for (k, f) in fields.iter().enumerate() {
                let i = map[k];
                if plan.actions.get(i).copied().flatten().is_none() {
                    continue;
                }
                let get = |j: usize| decoded.get(j).cloned().flatten();
                let v = plan
                    .cell(policy, i, decoded[i].as_deref(), get)
                    .map_err(|e| {
                        usage(
                            line,
                            format!("table {table}, column {}: {}", e.column, e.why),
                        )
                    })?;
                out.extend_from_slice(&body[copied..f.start]);
                match v {
                    Some(v) if bytea[i] => {
                        stmt::write_field(bytea_hex(&v).as_bytes(), &format, out)
                    }
                    Some(v) => stmt::write_field(v.as_bytes(), &format, out),
                    None => stmt::write_null(&format, out),
                }
                copied = f.end;
            }
            out.extend_from_slice(&body[copied..]);
            out.extend_from_slice(ending);
            Ok(())
        })();
        self.fields = fields;
        outcome
    }

    /// Rewrites one complete statement into `out`; returns the COPY format when COPY data
    /// follows, and the new `standard_conforming_strings`.
    fn statement(
        &mut self,
        text: &[u8],
        first: usize,
        line: u64,
        syntax: &crate::source::table::sqldump::lex::Syntax,
        tw: &mut DumpText<'_>,
        out: &mut Vec<u8>,
    ) -> crate::Result<(Option<CopyFormat>, Option<SessionChange>)> {
        let dialect = syntax.dialect;
        let backslash = syntax.backslash_strings();
        let verb = first_word(text, first);
        let verb_name = String::from_utf8_lossy(&verb).into_owned();
        let (parsed, mut cur) = match stmt::parse(text, first, syntax) {
            Ok(p) => p,
            Err(e) if stmt::is_data_verb(&verb) => {
                return Err(usage(
                    line_of(text, first, line, e.at),
                    format!(
                        "{verb_name} statement (line {line}) not understood: {}; piiscan does not copy table data it cannot read",
                        e.why
                    ),
                ))
            }
            Err(_) => {
                tw.write(text, syntax, line, out)?;
                return Ok((None, None));
            }
        };
        let mut next = (None, None);
        match parsed {
            Parsed::Insert(head) => {
                let table = self.naming.display(dialect, &head.table);
                self.sure(&table, head.columns.is_none(), line, &verb_name)?;
                let columns = self.columns(&table, head.columns);
                self.note(&table);
                if head.default_values {
                    self.count(&table);
                    tw.write(text, syntax, line, out)?;
                    return Ok(next);
                }
                let policy = self.policy;
                let mut hints = Vec::new();
                self.schemas.hints(&table, &columns, &mut hints);
                let mut values = std::mem::take(&mut self.values);
                // Bytes of `text` written so far: between the values, the text is rewritten
                // as text; a value is copied, or replaced when its column changes.
                let mut copied = 0usize;
                let mut rows = 0u64;
                let mut changes = false;
                let outcome: crate::Result<()> = (|| {
                    loop {
                        let more = stmt::next_tuple(&mut cur, &mut values, rows == 0).map_err(|e| {
                            usage(
                                line_of(text, first, line, e.at),
                                format!("{verb_name} into {table} (line {line}) not understood after its row {rows}: {}; piiscan does not copy table data it cannot read", e.why),
                            )
                        })?;
                        if !more {
                            break;
                        }
                        rows += 1;
                        self.count(&table);
                        let row_line =
                            line_of(text, first, line, values.first().map_or(0, |v| v.start));
                        let (plan, map) = self.plan(&table, &columns, values.len(), line)?;
                        // By the plan's columns.
                        let width = plan.as_ref().map_or(0, |p| p.names.len());
                        let mut decoded: Vec<Option<String>> = vec![None; width];
                        let mut bytea = vec![false; width];
                        if let Some(plan) = plan.as_ref() {
                            changes = true;
                            let mut buf = Vec::new();
                            for (k, v) in values.iter().enumerate() {
                                let i = map[k];
                                let needed = plan.actions.get(i).copied().flatten().is_some()
                                    || plan.entity.contains(&Some(i));
                                if !needed || !stmt::value(text, v, dialect, &mut buf) {
                                    continue;
                                }
                                let hint = hints.get(k).copied().unwrap_or(Hint::Unknown);
                                let mut bin = Vec::new();
                                let view = binary::insert_value(text, v, syntax, hint, &mut bin);
                                let (value, hex) =
                                    transform_input(std::mem::take(&mut buf), view, bin);
                                decoded[i] = Some(value);
                                bytea[i] =
                                    dialect == Dialect::Postgres && (hex || hint == Hint::Binary);
                            }
                        }
                        let mut plan = plan;
                        for (k, v) in values.iter().enumerate() {
                            let i = map[k];
                            tw.write(&text[copied..v.start], syntax, row_line, out)?;
                            copied = v.end;
                            let Some(plan) = plan
                                .as_deref_mut()
                                .filter(|p| p.actions.get(i).copied().flatten().is_some())
                            else {
                                // A column that does not change: its value as it is.
                                out.extend_from_slice(&text[v.start..v.end]);
                                continue;
                            };
                            let get = |j: usize| decoded.get(j).cloned().flatten();
                            let new =
                                plan.cell(policy, i, decoded[i].as_deref(), get)
                                    .map_err(|e| {
                                        usage(
                                            row_line,
                                            format!(
                                                "table {table}, column {}: {}",
                                                e.column, e.why
                                            ),
                                        )
                                    })?;
                            match new {
                                Some(n) if bytea[i] => literal(&bytea_hex(&n), backslash, out),
                                Some(n) => literal(&n, backslash, out),
                                None => out.extend_from_slice(b"NULL"),
                            }
                        }
                    }
                    let mut tail = Vec::new();
                    stmt::tail_tokens(&mut cur, &mut tail).map_err(|e| {
                        usage(
                            line_of(text, first, line, e.at),
                            format!("{verb_name} into {table} (line {line}) not understood: {}; piiscan does not copy table data it cannot read", e.why),
                        )
                    })?;
                    // `ON DUPLICATE KEY UPDATE email = '…'`, `ON CONFLICT … DO UPDATE SET
                    // email = '…'`: a literal assigned to a column gets that column's
                    // transform; one that cannot be tied to a column stops the run when the
                    // table changes (the text around it is rewritten as text).
                    let mut plan = self.plans.get_mut(&table).filter(|p| !p.is_identity());
                    for (k, column) in stmt::tail_literals(text, &tail) {
                        let t = tail[k];
                        let Some(plan) = plan.as_deref_mut() else {
                            continue;
                        };
                        // By the plan's columns (a statement may list them in another order).
                        let index = column.as_deref().and_then(|c| {
                            plan.names.iter().position(|n| n.eq_ignore_ascii_case(c))
                        });
                        let Some(i) = index else {
                            return Err(usage(
                                line_of(text, first, line, t.start),
                                format!("{verb_name} into {table} (line {line}): its ON … clause holds a literal value piiscan cannot tie to a column; remove the clause or anonymise the table another way"),
                            ));
                        };
                        if plan.actions.get(i).copied().flatten().is_none() {
                            continue;
                        }
                        let span = ValueSpan {
                            start: t.start,
                            end: t.end,
                            kind: stmt::ValueKind::Literal(t),
                        };
                        let mut buf = Vec::new();
                        stmt::value(text, &span, dialect, &mut buf);
                        let v = String::from_utf8_lossy(&buf).into_owned();
                        let new = plan.cell(policy, i, Some(&v), |_| None).map_err(|e| {
                            usage(
                                line_of(text, first, line, t.start),
                                format!("table {table}, column {}: {}", e.column, e.why),
                            )
                        })?;
                        tw.write(&text[copied..t.start], syntax, line, out)?;
                        match new {
                            Some(n) => literal(&n, backslash, out),
                            None => out.extend_from_slice(b"NULL"),
                        }
                        copied = t.end;
                    }
                    Ok(())
                })();
                self.values = values;
                outcome?;
                tw.write(&text[copied..], syntax, line, out)?;
            }
            Parsed::Copy(head) => {
                let table = self.naming.display(dialect, &head.table);
                self.sure(&table, head.columns.is_none(), line, "COPY")?;
                let columns = self.columns(&table, head.columns);
                self.note(&table);
                // The COPY's own column list wins over CREATE TABLE for its rows.
                self.schemas.set_columns(&table, columns);
                self.copying = Some(Copying {
                    table,
                    header: head.format.csv && head.format.header,
                    format: head.format.clone(),
                    line,
                });
                next.0 = Some(head.format);
                tw.write(text, syntax, line, out)?;
            }
            Parsed::Other if stmt::hides_data(text, first, syntax) => {
                return Err(usage(
                    line,
                    "statement not understood: it holds an INSERT, REPLACE or COPY after a start piiscan does not read; piiscan does not copy table data it cannot read",
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
                tw.write(text, syntax, line, out)?;
            }
        }
        Ok(next)
    }
}

/// Follows psql's `\restrict KEY` and `\unrestrict KEY` lines.
fn note_restrict(text: &[u8], written: &mut Written) {
    if memchr::memmem::find(text, b"restrict").is_none() {
        return;
    }
    for line in text.split(|&b| b == b'\n') {
        let line = String::from_utf8_lossy(line);
        let mut words = line.split_ascii_whitespace();
        match (words.next(), words.next()) {
            (Some("\\restrict"), Some(key)) => written.restrict = Some(key.to_string()),
            (Some("\\unrestrict"), _) => written.restrict = None,
            _ => {}
        }
    }
}

/// Counts the lines of a stream written piece by piece: line feeds, plus a last line without
/// one.
#[derive(Default)]
struct Lines {
    feeds: u64,
    open: bool,
}

impl Lines {
    fn add(&mut self, bytes: &[u8]) {
        if let Some(&last) = bytes.last() {
            self.feeds += memchr::memchr_iter(b'\n', bytes).count() as u64;
            self.open = last != b'\n';
        }
    }

    fn count(&self) -> u64 {
        self.feeds + u64::from(self.open)
    }
}

/// Rewrites a SQL dump: the rows of its tables by the policy's columns, and its other text
/// (comments, definitions) by the policy's `[[text]]` entries ([`DumpText`]). The text
/// outcome is there when a `[[text]]` entry met a span.
///
/// # Errors
/// Read or write errors, statements that cannot be read, a dump cut short, `drop` in a
/// policy column, and values that fail with `on_invalid = "fail"`; messages name the line.
pub fn rewrite(
    reader: &mut dyn io::Read,
    out: &mut dyn Write,
    policy: &Policy,
    rules: &crate::ruleset::RuleSet,
    found: &Detection,
) -> crate::Result<(Vec<TableOutcome>, Option<super::text::TextOutcome>)> {
    rewrite_tracked(
        reader,
        out,
        policy,
        rules,
        found,
        None,
        &mut Written::default(),
    )
}

/// Where the output of a rewrite stands: what was written last, so that a rewrite that
/// stops part-way can end its output with lines that make it fail to load (see
/// [`super::stream`]). Every piece of the dump (a statement, a COPY record, a comment) is
/// written whole or not at all.
#[derive(Debug, Clone, Default)]
pub struct Written {
    /// The dialect of the dump, once the lexer knows it.
    pub dialect: Option<Dialect>,
    /// The format of the COPY block the output is inside of (its `COPY … FROM stdin;` line
    /// written, its `\.` not yet).
    pub copy: Option<CopyFormat>,
    /// The statement delimiter in force (`DELIMITER ;;` in a MySQL dump's trigger section).
    pub delimiter: Vec<u8>,
    /// The key of a psql `\restrict KEY` line in force (recent pg_dump writes one; psql
    /// then runs no other meta-command until `\unrestrict KEY`).
    pub restrict: Option<String>,
}

/// [`rewrite`] with the dump's dialect given (`None`: told by the lexer) and `written`
/// kept up to date with what was written, for a caller that must end a broken output.
///
/// # Errors
/// As [`rewrite`].
pub fn rewrite_tracked(
    reader: &mut dyn io::Read,
    out: &mut dyn Write,
    policy: &Policy,
    rules: &crate::ruleset::RuleSet,
    found: &Detection,
    dialect: Option<Dialect>,
    written: &mut Written,
) -> crate::Result<(Vec<TableOutcome>, Option<super::text::TextOutcome>)> {
    let mut tw = DumpText::new(policy, rules);
    let (mut lines_in, mut lines_out) = (Lines::default(), Lines::default());
    let ioerr = |e: io::Error| crate::Error::Usage(e.to_string());
    let mut split = Splitter::new(reader, dialect);
    let mut out = io::BufWriter::with_capacity(256 * 1024, out);
    let mut rw = Rewriter {
        policy,
        found,
        schemas: Schemas::default(),
        naming: Naming::default(),
        plans: HashMap::new(),
        rows: HashMap::new(),
        order: Vec::new(),
        copying: None,
        values: Vec::new(),
        fields: Vec::new(),
    };
    let mut edited = Vec::new();
    while let Some(piece) = split.next_piece().map_err(ioerr)? {
        edited.clear();
        lines_in.add(piece.text);
        let mut next = (None, None);
        match piece.kind {
            PieceKind::Statement => {
                next = rw.statement(
                    piece.text,
                    piece.first,
                    piece.line,
                    piece.syntax,
                    &mut tw,
                    &mut edited,
                )?;
            }
            PieceKind::CopyRow => rw.copy_row(piece.text, piece.line, &mut edited)?,
            PieceKind::CopyEnd => {
                rw.copying = None;
                edited.extend_from_slice(piece.text);
            }
            PieceKind::Command | PieceKind::Trivia => {
                note_restrict(piece.text, written);
                tw.write(piece.text, piece.syntax, piece.line, &mut edited)?
            }
            PieceKind::Incomplete(what) => {
                return Err(crate::Error::Usage(format!(
                    "{}; nothing was written",
                    cut_message(
                        piece.text,
                        piece.first,
                        piece.line,
                        None,
                        what,
                        piece.open_line,
                        0
                    )
                )));
            }
            PieceKind::CopyCut => {
                let (table, line) = rw
                    .copying
                    .as_ref()
                    .map_or((String::new(), 0), |c| (c.table.clone(), c.line));
                return Err(usage(
                    piece.line,
                    format!("the COPY data of {table} (line {line}) ends without its \\. line: the dump was cut short; nothing was written"),
                ));
            }
        }
        out.write_all(&edited).map_err(ioerr)?;
        lines_out.add(&edited);
        if let Some(f) = next.0 {
            split.begin_copy(f);
        }
        if let Some(change) = next.1 {
            change.apply(split.syntax());
        }
        let syntax = split.syntax();
        written.dialect = Some(syntax.dialect);
        written.delimiter.clone_from(&syntax.delimiter);
        written.copy = rw.copying.as_ref().map(|c| c.format.clone());
    }
    out.flush().map_err(ioerr)?;
    let mut outcomes = Vec::new();
    for table in rw.order {
        let rows = rw.rows.get(&table).copied().unwrap_or(0);
        let plan = rw.plans.remove(&table);
        outcomes.push(TableOutcome {
            table,
            rows_in: rows,
            rows_out: rows,
            columns: plan.map(TablePlan::into_reports).unwrap_or_default(),
            header: false,
        });
    }
    let text = (!tw.reports.is_empty()).then(|| super::text::TextOutcome {
        lines_in: lines_in.count(),
        lines_out: lines_out.count(),
        spans: tw.reports.into_values().collect(),
    });
    Ok((outcomes, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_follow_the_dialect() {
        let mut out = Vec::new();
        literal("O'Brien\\x\n", true, &mut out);
        assert_eq!(out, b"'O\\'Brien\\\\x\\n'");
        out.clear();
        literal("O'Brien\\x", false, &mut out);
        assert_eq!(out, b"'O''Brien\\x'");
        out.clear();
        stmt::write_field(b"a\tb\\c\nd", &CopyFormat::default(), &mut out);
        assert_eq!(out, b"a\\tb\\\\c\\nd");
    }
}
