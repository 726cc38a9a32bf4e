//! SQL dumps, streamed statement by statement: PostgreSQL plain dumps (`COPY … FROM STDIN`
//! in every option form, text and CSV, and the `INSERT` forms of `--inserts`,
//! `--column-inserts` and `--rows-per-insert`) and MySQL / MariaDB dumps (extended and
//! single-row `INSERT`, `INSERT IGNORE`, `REPLACE`, `--hex-blob`, `_binary`, `X''`). One lexer
//! ([`lex`]) reads both dialects' strings, identifiers and comments, so a `;` or an `INSERT`
//! inside a string, a comment or a function body is never taken for SQL; [`stmt`] reads the
//! statements. Column names come from the `COPY` or `INSERT` column list, else from the
//! `CREATE TABLE` seen before. Table names follow [`stmt::Naming`]: `public.klant` is
//! `klant`, `archief.klant` stays `archief.klant`.
//!
//! Nothing is skipped silently: a data statement that cannot be read, and a dump cut short
//! inside a statement or a COPY block, end the read with an error naming the line, after
//! every row that could be read was pushed to the sink (the rest of the dump is still read).

pub mod binary;
pub mod lex;
pub mod schema;
pub mod stmt;

#[cfg(test)]
mod props;

use super::{TableSink, TextAt};
use crate::source::table::pgarchive::data::MAX_BLOB;
use binary::{Hint, View};
use lex::{CopyFormat, Dialect, PieceKind, Splitter, Syntax};
use schema::Schemas;
use std::io::{self, Read};
use stmt::{FieldSpan, Naming, Parsed, ValueSpan};

/// The line of byte `at` of a piece whose first token is on `line` at offset `first`.
pub fn line_of(text: &[u8], first: usize, line: u64, at: usize) -> u64 {
    let (a, b) = (first.min(text.len()), at.min(text.len()));
    if b <= a {
        return line;
    }
    line + memchr::memchr_iter(b'\n', &text[a..b]).count() as u64
}

/// Problems met while reading: the first in full, the others counted.
#[derive(Debug, Default)]
pub struct Problems {
    first: Option<String>,
    more: u64,
}

impl Problems {
    /// Records one.
    pub fn add(&mut self, why: String) {
        if self.first.is_none() {
            self.first = Some(why);
        } else {
            self.more += 1;
        }
    }

    /// The error to return, if there was a problem.
    pub fn into_error(self) -> Option<String> {
        let first = self.first?;
        Some(match self.more {
            0 => first,
            n => format!(
                "{first} (and {n} more problem{} after it)",
                if n == 1 { "" } else { "s" }
            ),
        })
    }
}

/// The verb of a statement's first token, upper case, if it is a word.
pub fn first_word(text: &[u8], first: usize) -> Vec<u8> {
    let rest = text.get(first..).unwrap_or(b"");
    let end = rest
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        .unwrap_or(rest.len());
    rest[..end].to_ascii_uppercase()
}

/// Bytes that carry nothing to scan between the values of an INSERT (`),(`, `;`).
fn trivial(seg: &[u8]) -> bool {
    seg.iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b',' | b'(' | b')' | b';'))
}

/// Walks a piece forward to tell where its bytes are in the input (linear in the piece).
pub struct Walk {
    pos: usize,
    at: TextAt,
}

impl Walk {
    /// At the first byte of a piece that starts at `at`.
    pub fn new(at: TextAt) -> Walk {
        Walk { pos: 0, at }
    }

    /// Where byte `p` of `text` is (`p` never before the last one asked for).
    pub fn to(&mut self, text: &[u8], p: usize) -> TextAt {
        if p > self.pos {
            self.at = self.at.after(&text[self.pos..p.min(text.len())]);
            self.pos = p;
        }
        self.at
    }
}

/// The columns of a table as told to the sink, and where each name is.
#[derive(Default)]
struct Told {
    names: Vec<String>,
    index: std::collections::HashMap<String, usize>,
}

/// A large object being written (`lo_open` … `lo_close`).
struct LargeObject {
    oid: i64,
    data: Vec<u8>,
    /// More than [`MAX_BLOB`] bytes were written: the rest was not kept.
    longer: bool,
    line: u64,
}

/// Where a COPY block is.
struct Copying {
    table: String,
    format: CopyFormat,
    /// What each column is known to be.
    hints: Vec<Hint>,
    /// The rows cannot be tied to columns: scanned as text.
    as_text: bool,
    header: bool,
    rows: u64,
    line: u64,
}

struct Reader<'k> {
    sink: &'k mut dyn TableSink,
    schemas: Schemas,
    /// What each column of the current INSERT is known to be.
    hints: Vec<Hint>,
    /// Columns of the row being read whose value is binary that is not text.
    binary_cells: Vec<usize>,
    /// The large object being written.
    large: Option<LargeObject>,
    /// The line of the last piece read.
    line: u64,
    /// The columns told to the sink, by table.
    told: std::collections::HashMap<String, Told>,
    /// Where each value of the current statement's rows goes among the sink's columns.
    map: Vec<usize>,
    /// `map` is the identity.
    identity: bool,
    /// The column names `map` was made for.
    mapped: Vec<String>,
    naming: Naming,
    open: Option<String>,
    accepting: bool,
    copying: Option<Copying>,
    problems: Problems,
    values: Vec<ValueSpan>,
    fields: Vec<FieldSpan>,
    cells: Vec<Option<Vec<u8>>>,
    /// The last INSERT head sent as text (`INSERT INTO t (a, b) VALUES`): the same head
    /// before every row of `--skip-extended-insert` is scanned once.
    last_head: Vec<u8>,
}

/// What the splitter must be told after a statement.
enum After {
    Nothing,
    Copy(CopyFormat),
    Session(SessionChange),
}

/// A change a statement makes to how the rest of the dump is lexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionChange {
    /// `SET standard_conforming_strings` (PostgreSQL): on or off.
    StandardStrings(bool),
    /// `SET sql_mode` (MySQL), saved and restored through user variables.
    SqlMode(Vec<stmt::ModeStep>),
}

impl SessionChange {
    /// The change a parsed statement makes, if any.
    pub fn of(parsed: &Parsed) -> Option<SessionChange> {
        match parsed {
            Parsed::StandardStrings(on) => Some(SessionChange::StandardStrings(*on)),
            Parsed::SqlMode(steps) => Some(SessionChange::SqlMode(steps.clone())),
            _ => None,
        }
    }

    /// Makes it in the lexer's session.
    pub fn apply(self, syntax: &mut Syntax) {
        match self {
            SessionChange::StandardStrings(on) => syntax.pg_backslash = !on,
            SessionChange::SqlMode(steps) => {
                for step in steps {
                    match step {
                        stmt::ModeStep::Save(var) => {
                            let now = (var, syntax.no_backslash, syntax.ansi_quotes);
                            syntax.saved_modes.retain(|s| s.0 != now.0);
                            // A dump saves a handful; a hostile one is kept bounded.
                            if syntax.saved_modes.len() < 64 {
                                syntax.saved_modes.push(now);
                            }
                        }
                        stmt::ModeStep::Set(nb, aq) => {
                            syntax.no_backslash = nb;
                            syntax.ansi_quotes = aq;
                        }
                        stmt::ModeStep::Restore(var) => {
                            let (nb, aq) = syntax
                                .saved_modes
                                .iter()
                                .find(|s| s.0 == var)
                                .map_or((false, false), |s| (s.1, s.2));
                            syntax.no_backslash = nb;
                            syntax.ansi_quotes = aq;
                        }
                    }
                }
            }
        }
    }
}

impl Reader<'_> {
    /// Makes `table` the current one, for rows of `columns`. The sink keeps each table's
    /// columns by position, as first told; a statement that names them in another order
    /// (an INSERT's own list, or after an `ALTER TABLE` moved, added or dropped columns) has
    /// its values moved to the columns of their names ([`Reader::map`]), and a name the sink
    /// does not know yet is added at the end.
    fn switch_to(&mut self, table: &str, columns: &[String]) {
        let switched = self.open.as_deref() != Some(table);
        if switched {
            if self.open.is_some() {
                self.sink.end();
            }
            self.open = Some(table.to_string());
            self.accepting = true;
        }
        if !switched && columns == self.mapped.as_slice() {
            return; // the same columns as the statement before: the same map
        }
        let told = self.told.entry(table.to_string()).or_default();
        let before = told.names.len();
        self.map.clear();
        let mut used = std::collections::HashSet::new();
        for c in columns {
            let at = match told.index.get(c) {
                Some(&i) if used.insert(i) => i,
                _ => {
                    told.index.entry(c.clone()).or_insert(told.names.len());
                    told.names.push(c.clone());
                    used.insert(told.names.len() - 1);
                    told.names.len() - 1
                }
            };
            self.map.push(at);
        }
        if switched || told.names.len() > before {
            self.sink.begin(table, &told.names);
        }
        self.identity = self.map.iter().enumerate().all(|(i, &m)| i == m);
        self.mapped.clear();
        self.mapped.extend_from_slice(columns);
    }

    /// Where value `i` of a row goes among the sink's columns.
    fn target(&self, i: usize) -> usize {
        match self.map.get(i) {
            Some(&m) => m,
            // Values past the names: after every column the sink knows, by position.
            None if self.map.is_empty() => i,
            None => {
                let width = self
                    .open
                    .as_ref()
                    .and_then(|t| self.told.get(t))
                    .map_or(0, |t| t.names.len());
                width + (i - self.map.len())
            }
        }
    }

    /// Why rows of `table` without a column list cannot be tied to columns, if they cannot.
    fn unsure(&self, table: &str, no_list: bool) -> Option<String> {
        no_list
            .then(|| self.schemas.get(table).and_then(|d| d.unsure.clone()))
            .flatten()
    }

    fn columns(&self, table: &str, listed: Option<Vec<String>>) -> Vec<String> {
        listed
            .or_else(|| self.schemas.columns(table).map(<[String]>::to_vec))
            .unwrap_or_default()
    }

    /// Sends `text[a..b]` to the sink as non-data text, unless it holds nothing to scan.
    fn send_text(&mut self, text: &[u8], walk: &mut Walk, a: usize, b: usize) {
        let b = b.min(text.len());
        if a < b && !trivial(&text[a..b]) {
            let at = walk.to(text, a);
            self.sink.text(&text[a..b], at);
        }
    }

    /// Sends an INSERT's head (from its verb to its first value) unless it is the one sent
    /// last.
    fn send_head(&mut self, text: &[u8], walk: &mut Walk, a: usize, b: usize) {
        let b = b.min(text.len());
        if a < b && text[a..b] != self.last_head[..] {
            self.last_head.clear();
            self.last_head.extend_from_slice(&text[a..b]);
            self.send_text(text, walk, a, b);
        }
    }

    fn push_row(&mut self) {
        if !self.accepting {
            return;
        }
        let more = if self.identity || self.map.is_empty() {
            let cells: Vec<Option<&[u8]>> = self.cells.iter().map(|c| c.as_deref()).collect();
            self.sink.row(&cells)
        } else {
            let width = (0..self.cells.len())
                .map(|i| self.target(i) + 1)
                .max()
                .unwrap_or(0);
            let mut cells: Vec<Option<&[u8]>> = vec![None; width];
            for (i, c) in self.cells.iter().enumerate() {
                cells[self.target(i)] = c.as_deref();
            }
            self.sink.row(&cells)
        };
        if !more {
            self.accepting = false;
        }
        let binary = std::mem::take(&mut self.binary_cells);
        for &i in &binary {
            self.sink.binary(self.target(i));
        }
        self.binary_cells = binary;
        self.binary_cells.clear();
    }

    /// Adds a cell of the row being read: its bytes as `view` says (binary that is not text
    /// is passed as NULL and told to the sink after the row).
    fn add_cell(&mut self, view: Option<View>, out: Vec<u8>) {
        match view {
            None => self.cells.push(None),
            Some(View::Text) => self.cells.push(Some(out)),
            Some(View::Binary) => {
                self.binary_cells.push(self.cells.len());
                self.cells.push(None);
            }
        }
    }

    fn statement(
        &mut self,
        text: &[u8],
        first: usize,
        line: u64,
        syntax: &Syntax,
        cut: Option<(&str, u64)>,
        at: TextAt,
    ) -> After {
        let dialect = syntax.dialect;
        let mut walk = Walk::new(at);
        let verb = first_word(text, first);
        let data = stmt::is_data_verb(&verb);
        let verb_name = String::from_utf8_lossy(&verb).into_owned();
        let parsed = stmt::parse(text, first, syntax);
        // Everything but the values of an INSERT's tuples is text to scan; the values are
        // the rows.
        match &parsed {
            Ok((Parsed::Insert(h), _)) if !h.default_values => {}
            // A large object's data is read as the object, not as text.
            Ok((Parsed::LargeObject(stmt::LoCall::Write(t)), _)) => {
                self.send_text(text, &mut walk, 0, t.start);
                self.send_text(text, &mut walk, t.end, text.len());
            }
            _ => self.send_text(text, &mut walk, 0, text.len()),
        }
        let (parsed, mut cur) = match parsed {
            Ok(p) => p,
            Err(e) => {
                if data || cut.is_some() {
                    let at = line_of(text, first, line, e.at);
                    self.problems.add(match cut {
                        Some((what, open)) => cut_message(text, first, line, None, what, open, 0),
                        None => format!(
                            "line {at}: {verb_name} statement (line {line}) not read: {}",
                            e.why
                        ),
                    });
                }
                return After::Nothing;
            }
        };
        match parsed {
            Parsed::Insert(head) => {
                let table = self.naming.display(dialect, &head.table);
                if let Some(why) = self.unsure(&table, head.columns.is_none()) {
                    // Values that cannot be tied to their columns are scanned as text (by
                    // line), never under the wrong column names.
                    self.send_text(text, &mut walk, 0, text.len());
                    self.problems.add(format!(
                        "line {line}: {verb_name} into {table} has no column list, and {why}: its values were scanned as text, not as columns"
                    ));
                    return After::Nothing;
                }
                let columns = self.columns(&table, head.columns);
                self.switch_to(&table, &columns);
                if head.default_values {
                    return After::Nothing;
                }
                let mut hints = std::mem::take(&mut self.hints);
                self.schemas.hints(&table, &columns, &mut hints);
                let mut rows = 0u64;
                let mut values = std::mem::take(&mut self.values);
                let mut outcome = Ok(());
                // Where the text before the next value starts.
                let mut last = 0usize;
                loop {
                    match stmt::next_tuple(&mut cur, &mut values, rows == 0) {
                        Ok(true) => {}
                        Ok(false) => break,
                        Err(e) => {
                            outcome = Err(e);
                            break;
                        }
                    }
                    rows += 1;
                    // The line where the tuple's first value starts (the walk only moves
                    // forward: asked after the text before the value was sent).
                    let mut tuple_line = None;
                    for v in &values {
                        if last == 0 {
                            self.send_text(text, &mut walk, 0, first);
                            self.send_head(text, &mut walk, first, v.start);
                        } else {
                            self.send_text(text, &mut walk, last, v.start);
                        }
                        if tuple_line.is_none() {
                            tuple_line = Some(walk.to(text, v.start).line);
                        }
                        last = v.end.max(last);
                    }
                    if self.accepting {
                        // Said only for a row that is given, so no other row takes it.
                        if let Some(line) = tuple_line {
                            self.sink.line(line);
                        }
                        self.cells.clear();
                        self.binary_cells.clear();
                        for (i, v) in values.iter().enumerate() {
                            let mut out = Vec::new();
                            let hint = hints.get(i).copied().unwrap_or(Hint::Unknown);
                            let view = binary::insert_value(text, v, syntax, hint, &mut out);
                            self.add_cell(view, out);
                        }
                        self.push_row();
                    }
                }
                self.values = values;
                self.hints = hints;
                if outcome.is_ok() && cut.is_none() {
                    outcome = stmt::tail(&mut cur).map(|_| ());
                }
                // The clauses after the tuples (`ON CONFLICT … DO UPDATE SET a = '…'`), and
                // whatever could not be read as tuples.
                self.send_text(text, &mut walk, last, text.len());
                match (outcome, cut) {
                    (_, Some((what, open))) => self.problems.add(cut_message(
                        text,
                        first,
                        line,
                        Some(&table),
                        what,
                        open,
                        rows,
                    )),
                    (Err(e), None) => {
                        let at = line_of(text, first, line, e.at);
                        self.problems.add(format!(
                            "line {at}: {verb_name} into {table} (line {line}) not read past its row {rows}: {}",
                            e.why
                        ));
                    }
                    (Ok(()), None) => {}
                }
                After::Nothing
            }
            _ if cut.is_some() => {
                if let Some((what, open)) = cut {
                    self.problems
                        .add(cut_message(text, first, line, None, what, open, 0));
                }
                After::Nothing
            }
            Parsed::Copy(head) => {
                let table = self.naming.display(dialect, &head.table);
                let as_text = self.unsure(&table, head.columns.is_none());
                if let Some(why) = &as_text {
                    self.problems.add(format!(
                        "line {line}: COPY into {table} has no column list, and {why}: its rows were scanned as text, not as columns"
                    ));
                }
                let columns = self.columns(&table, head.columns);
                self.switch_to(&table, &columns);
                let mut hints = Vec::new();
                self.schemas.hints(&table, &columns, &mut hints);
                self.copying = Some(Copying {
                    hints,
                    as_text: as_text.is_some(),
                    table,
                    header: head.format.csv && head.format.header,
                    format: head.format.clone(),
                    rows: 0,
                    line,
                });
                After::Copy(head.format)
            }
            Parsed::CreateTable {
                table,
                columns,
                binary,
            } => {
                let table = self.naming.display(dialect, &table);
                self.schemas.create(table, columns, binary);
                After::Nothing
            }
            Parsed::AlterTable { table, ops } => {
                let name = self.naming.display(dialect, &table);
                let renamed = ops.iter().find_map(|o| match o {
                    stmt::AlterOp::RenameTable(parts) => Some(self.naming.display(dialect, parts)),
                    _ => None,
                });
                self.schemas.alter(&name, &ops, line, renamed);
                After::Nothing
            }
            Parsed::DropTable(tables) => {
                for t in tables {
                    let name = self.naming.display(dialect, &t);
                    self.schemas.drop_table(&name);
                }
                After::Nothing
            }
            Parsed::Use(db) => {
                self.naming.use_db(db);
                After::Nothing
            }
            Parsed::SearchPath(s) => {
                self.naming.search_path(s);
                After::Nothing
            }
            p @ (Parsed::StandardStrings(_) | Parsed::SqlMode(_)) => {
                SessionChange::of(&p).map_or(After::Nothing, After::Session)
            }
            Parsed::Other if stmt::hides_data(text, first, syntax) => {
                self.problems.add(format!(
                    "line {line}: statement not read: it holds an INSERT, REPLACE or COPY after a start piiscan does not read"
                ));
                After::Nothing
            }
            Parsed::LargeObject(call) => {
                self.large_object(call, text, syntax, line);
                After::Nothing
            }
            Parsed::CopyElsewhere | Parsed::Other => After::Nothing,
        }
    }

    /// A large object call of a plain pg_dump: the writes between `lo_open` and `lo_close`
    /// are gathered (at most [`MAX_BLOB`] bytes) and the object is passed on as a row of
    /// `pg_largeobject` numbered by its oid, as the archive reader does.
    fn large_object(&mut self, call: stmt::LoCall, text: &[u8], syntax: &Syntax, line: u64) {
        match call {
            stmt::LoCall::Open(oid) => {
                self.close_large_object(Some(line));
                self.large = Some(LargeObject {
                    oid,
                    data: Vec::new(),
                    longer: false,
                    line,
                });
            }
            stmt::LoCall::Write(t) => {
                let mut raw = Vec::new();
                if let lex::Tok::Str(k) = t.tok {
                    stmt::unquote_str(&text[t.start..t.end], k, syntax.dialect, &mut raw);
                }
                let bytes = binary::bytea_hex(&raw)
                    .or_else(|| binary::bytea_escape(&raw))
                    .unwrap_or(raw);
                let Some(lo) = self.large.as_mut() else {
                    self.problems.add(format!(
                        "line {line}: large object data (lowrite) outside an lo_open was not read"
                    ));
                    return;
                };
                let room = usize::try_from(MAX_BLOB).unwrap_or(usize::MAX) - lo.data.len();
                if bytes.len() > room {
                    lo.longer = true;
                }
                lo.data.extend_from_slice(&bytes[..bytes.len().min(room)]);
            }
            stmt::LoCall::Close => self.close_large_object(None),
        }
    }

    /// Passes on the open large object, if any; `cut`: the line of the call that came before
    /// its `lo_close` (or `None` when closed as it should be).
    fn close_large_object(&mut self, cut: Option<u64>) {
        let Some(lo) = self.large.take() else {
            return;
        };
        if let Some(at) = cut {
            self.problems.add(format!(
                "line {at}: large object {} (opened on line {}) was not closed before it; its data was read as far as it went",
                lo.oid, lo.line
            ));
        }
        if lo.longer {
            self.problems.add(format!(
                "line {}: large object {}: only its first {} MiB were scanned",
                lo.line,
                lo.oid,
                MAX_BLOB / (1024 * 1024)
            ));
        }
        let columns = crate::source::table::pgarchive::large_object_columns();
        self.switch_to(crate::source::table::pgarchive::LARGE_OBJECTS, &columns);
        if self.accepting {
            // The object's row is placed on its lo_open line.
            self.sink.line(lo.line);
        }
        if self.accepting
            && !crate::source::table::pgarchive::large_object(self.sink, lo.oid, lo.data)
        {
            self.accepting = false;
        }
    }

    fn copy_row(&mut self, rec: &[u8], at: TextAt) {
        let Some(c) = self.copying.as_mut() else {
            return;
        };
        if c.header {
            c.header = false;
            return;
        }
        c.rows += 1;
        if c.as_text {
            self.sink.text(rec, at);
            return;
        }
        if !self.accepting {
            return;
        }
        self.sink.line(at.line);
        let body = stmt::record_body(rec);
        stmt::split_record(body, &c.format, &mut self.fields);
        self.cells.clear();
        self.binary_cells.clear();
        let fields = std::mem::take(&mut self.fields);
        for (i, f) in fields.iter().enumerate() {
            let mut out = Vec::new();
            let view = self.copying.as_ref().and_then(|c| {
                stmt::field(&body[f.start..f.end], f, &c.format, &mut out).then(|| {
                    binary::pg_value(&mut out, c.hints.get(i).copied().unwrap_or(Hint::Unknown))
                })
            });
            self.add_cell(view, out);
        }
        self.fields = fields;
        self.push_row();
    }
}

/// The message for a dump that ends inside a statement (`text` from its first token at byte
/// `first` on `line`): names the line where the dump ends.
pub fn cut_message(
    text: &[u8],
    first: usize,
    line: u64,
    table: Option<&str>,
    what: &str,
    open: u64,
    rows: u64,
) -> String {
    let verb = String::from_utf8_lossy(&first_word(text, first)).into_owned();
    let verb = if verb.is_empty() {
        "unnamed".to_string()
    } else {
        verb
    };
    let end = line_of(text, first, line, text.trim_ascii_end().len());
    let into = table.map(|t| format!(" into {t}")).unwrap_or_default();
    let read = if table.is_some() {
        format!(
            "; its {rows} complete row{} before the cut were read",
            if rows == 1 { "" } else { "s" }
        )
    } else {
        String::new()
    };
    if what == "a statement" {
        format!(
            "line {end}: the dump ends before the end of the {verb}{into} statement of line {line} (no closing ;): it was cut short{read}"
        )
    } else {
        format!(
            "line {end}: the dump ends inside {what} begun on line {open}, in the {verb}{into} statement of line {line}: it was cut short{read}"
        )
    }
}

/// One field of COPY's text format (pg_dump's default) decoded into `out`; `false` for NULL
/// (`\N`). For readers of pg_dump archives, whose table data is COPY text.
pub fn copy_text_field(raw: &[u8], out: &mut Vec<u8>) -> bool {
    let span = stmt::FieldSpan {
        start: 0,
        end: raw.len(),
        quoted: false,
    };
    stmt::field(raw, &span, &lex::CopyFormat::default(), out)
}

/// Reads a dump, pushing every table's rows to `sink`; the dialect is guessed from the start.
///
/// # Errors
/// Read errors, and (after every readable row was pushed) data statements that could not be
/// read and a dump cut short, with the line.
pub fn read(reader: &mut dyn Read, sink: &mut dyn TableSink) -> io::Result<()> {
    read_dialect(reader, None, sink)
}

/// [`read`] with the dialect given (`None`: guessed). Plain dump text from any reader: other
/// readers (pg_dump archives) feed their `COPY … FROM stdin;` statements and data here.
///
/// # Errors
/// As [`read`].
pub fn read_dialect(
    reader: &mut dyn Read,
    dialect: Option<Dialect>,
    sink: &mut dyn TableSink,
) -> io::Result<()> {
    let mut split = Splitter::new(reader, dialect);
    let mut rd = Reader {
        sink,
        schemas: Schemas::default(),
        hints: Vec::new(),
        binary_cells: Vec::new(),
        large: None,
        line: 1,
        told: std::collections::HashMap::new(),
        map: Vec::new(),
        identity: true,
        mapped: Vec::new(),
        naming: Naming::default(),
        open: None,
        accepting: true,
        copying: None,
        problems: Problems::default(),
        values: Vec::new(),
        fields: Vec::new(),
        cells: Vec::new(),
        last_head: Vec::new(),
    };
    let outcome = read_pieces(&mut split, &mut rd);
    if rd.large.is_some() {
        rd.close_large_object(Some(rd.line));
    }
    if rd.open.is_some() {
        rd.sink.end();
    }
    outcome?;
    match rd.problems.into_error() {
        Some(why) => Err(io::Error::new(io::ErrorKind::InvalidData, why)),
        None => Ok(()),
    }
}

fn read_pieces<R: Read>(split: &mut Splitter<R>, rd: &mut Reader<'_>) -> io::Result<()> {
    // Where the next piece starts (pieces cover the input byte for byte).
    let mut at = TextAt::START;
    loop {
        let Some(piece) = split.next_piece()? else {
            return Ok(());
        };
        let syntax = piece.syntax;
        rd.line = piece.line;
        let here = at;
        at = at.after(piece.text);
        let after = match piece.kind {
            PieceKind::Statement => {
                rd.statement(piece.text, piece.first, piece.line, syntax, None, here)
            }
            PieceKind::Incomplete(what) => {
                let open = piece.open_line;
                rd.statement(
                    piece.text,
                    piece.first,
                    piece.line,
                    syntax,
                    Some((what, open)),
                    here,
                )
            }
            PieceKind::CopyRow => {
                rd.copy_row(piece.text, here);
                After::Nothing
            }
            PieceKind::CopyEnd => {
                rd.copying = None;
                After::Nothing
            }
            PieceKind::CopyCut => {
                if let Some(c) = rd.copying.take() {
                    rd.problems.add(format!(
                        "line {}: the COPY data of {} (line {}) ends without its \\. line: the dump was cut short; the {} row{} before the cut were read",
                        piece.line, c.table, c.line, c.rows, if c.rows == 1 { "" } else { "s" }
                    ));
                }
                After::Nothing
            }
            PieceKind::Command | PieceKind::Trivia => {
                let mut walk = Walk::new(here);
                rd.send_text(piece.text, &mut walk, 0, piece.text.len());
                After::Nothing
            }
        };
        match after {
            After::Nothing => {}
            After::Copy(f) => split.begin_copy(f),
            After::Session(change) => change.apply(split.syntax()),
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    type Rows = Vec<Vec<Option<String>>>;
    type Named = Vec<(String, Vec<String>, Rows)>;

    #[derive(Default)]
    struct Tables(Vec<(String, Vec<String>, Rows)>);
    impl TableSink for Tables {
        fn begin(&mut self, t: &str, columns: &[String]) {
            self.0.push((t.to_string(), columns.to_vec(), Vec::new()));
        }
        fn row(&mut self, cells: &[Option<&[u8]>]) -> bool {
            let row = cells
                .iter()
                .map(|c| c.map(|b| String::from_utf8_lossy(b).into_owned()))
                .collect();
            if let Some(t) = self.0.last_mut() {
                t.2.push(row);
            }
            true
        }
        fn end(&mut self) {}
    }

    fn parse(dump: &str) -> Vec<(String, Vec<String>, Rows)> {
        let mut t = Tables::default();
        read(&mut dump.as_bytes(), &mut t).unwrap();
        t.0
    }

    #[test]
    fn pg_copy_blocks_with_escapes_and_nulls() {
        let t = parse("--\n-- PostgreSQL database dump\n--\nSET x = 1;\nCOPY public.klant (id, naam, notitie) FROM stdin;\n1\tJan\t\\N\n2\tPiet\tregel\\nnieuw\\tTab \\\\ slash\n\\.\n");
        assert_eq!(t[0].0, "klant");
        assert_eq!(t[0].1, ["id", "naam", "notitie"]);
        assert_eq!(t[0].2[0], [Some("1".into()), Some("Jan".into()), None]);
        assert_eq!(t[0].2[1][2].as_deref(), Some("regel\nnieuw\tTab \\ slash"));
    }

    #[test]
    fn pg_inserts_with_and_without_columns() {
        let t = parse("CREATE TABLE public.klant (\n    id integer NOT NULL,\n    naam text,\n    CONSTRAINT pk PRIMARY KEY (id)\n);\nINSERT INTO public.klant VALUES (1, 'O''Brien');\nINSERT INTO public.klant (id, naam) VALUES (2, 'twee\nregels');\n");
        assert_eq!(t[0].1, ["id", "naam"]);
        assert_eq!(t[0].2[0][1].as_deref(), Some("O'Brien"));
        assert_eq!(t[0].2[1][1].as_deref(), Some("twee\nregels"));
    }

    #[test]
    fn mysql_extended_inserts() {
        let t = parse("-- MySQL dump 10.13\nCREATE TABLE `Customer` (\n  `CustomerId` int NOT NULL,\n  `Email` varchar(60),\n  `Photo` blob,\n  PRIMARY KEY (`CustomerId`)\n) ENGINE=InnoDB;\nINSERT INTO `Customer` VALUES (1,'a\\'b@x.nl',_binary '\\0\\Z'),(2,NULL,0xFFEE);\n");
        assert_eq!(t[0].0, "Customer");
        assert_eq!(t[0].1, ["CustomerId", "Email", "Photo"]);
        assert_eq!(t[0].2.len(), 2);
        assert_eq!(t[0].2[0][1].as_deref(), Some("a'b@x.nl"));
        assert_eq!(t[0].2[1][1], None);
        assert_eq!(t[0].2[1][2], None, "binary that is not text");
    }

    #[test]
    fn a_broken_insert_names_its_line() {
        let mut t = Tables::default();
        let err = read(
            &mut "SET a=1;\nINSERT INTO t VALUES (1, 'open;\n".as_bytes(),
            &mut t,
        )
        .unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
    }
    /// Tables by name (a table seen twice is merged), and the error if any.
    fn read_all(dump: &str) -> (Named, Option<String>) {
        let mut t = Tables::default();
        let e = read(&mut dump.as_bytes(), &mut t)
            .err()
            .map(|e| e.to_string());
        let mut merged: Named = Vec::new();
        for (name, cols, rows) in t.0 {
            match merged.iter_mut().find(|m| m.0 == name) {
                Some(m) => {
                    // A table told again with more columns (the old ones first).
                    if cols.len() > m.1.len() {
                        m.1 = cols;
                    }
                    m.2.extend(rows)
                }
                None => merged.push((name, cols, rows)),
            }
        }
        (merged, e)
    }

    fn cell(
        t: &[(String, Vec<String>, Rows)],
        table: &str,
        row: usize,
        col: &str,
    ) -> Option<String> {
        let t = t
            .iter()
            .find(|t| t.0 == table)
            .unwrap_or_else(|| panic!("no table {table} in {t:?}"));
        let i =
            t.1.iter()
                .position(|c| c == col)
                .unwrap_or_else(|| panic!("no column {col} in {:?}", t.1));
        t.2[row].get(i).cloned().flatten()
    }

    #[test]
    fn an_e_string_before_a_big_dump_does_not_hang_or_hide_rows() {
        let mut d = String::from("-- PostgreSQL database dump\nINSERT INTO public.a (x) VALUES (E'O\\'Brien; \\\\ ''q''');\nCOPY public.klant (id, email) FROM stdin;\n");
        for i in 0..20_000 {
            d.push_str(&format!("{i}\tk{i}@voorbeeld.nl\n"));
        }
        d.push_str("\\.\n");
        let (t, e) = read_all(&d);
        assert_eq!(e, None);
        assert_eq!(cell(&t, "a", 0, "x").as_deref(), Some("O'Brien; \\ 'q'"));
        assert_eq!(t[1].2.len(), 20_000);
        assert_eq!(
            cell(&t, "klant", 19_999, "email").as_deref(),
            Some("k19999@voorbeeld.nl")
        );
    }

    #[test]
    fn function_bodies_with_insert_text_and_semicolons_are_not_statements() {
        let d = "-- PostgreSQL database dump\n\
            CREATE FUNCTION public.f() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\nINSERT INTO public.log VALUES ('it''s; here');\nEND;\n$$;\n\
            CREATE FUNCTION public.g() RETURNS text AS $body$ SELECT 'x; $$ INSERT INTO y VALUES (1);' $body$ LANGUAGE sql;\n\
            /* a comment /* nested; INSERT INTO z VALUES (1); */ still comment; */\n\
            -- INSERT INTO q VALUES ('no');\n\
            INSERT INTO public.klant (id, email) VALUES (1, 'jan@voorbeeld.nl');\n";
        let (t, e) = read_all(d);
        assert_eq!(e, None);
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(
            cell(&t, "klant", 0, "email").as_deref(),
            Some("jan@voorbeeld.nl")
        );
    }

    #[test]
    fn every_copy_option_form_is_read() {
        let forms = [
            ("COPY public.k (id, email) FROM stdin;\n", "1\tjan@x.nl\n2\t\\N\n"),
            ("copy public.k (id, email) from STDIN;\n", "1\tjan@x.nl\n2\t\\N\n"),
            ("COPY public.k (id, email) FROM STDIN WITH (FORMAT csv);\n", "1,jan@x.nl\n2,\n"),
            ("COPY public.k (id, email) FROM STDIN WITH (FORMAT csv, DELIMITER '|', HEADER, NULL 'NULL', QUOTE '''', ESCAPE '\\');\n", "id|email\n1|'jan@x.nl'\n2|NULL\n"),
            ("COPY public.k (id, email) FROM STDIN (FORMAT 'csv', HEADER true, FORCE_NOT_NULL (email));\n", "id,email\n1,\"jan@x.nl\"\n2,\n"),
            ("COPY public.k (id, email) FROM STDIN WITH DELIMITER '|' CSV;\n", "1|jan@x.nl\n2|\n"),
            ("COPY public.k (id, email) FROM STDIN WITH DELIMITER AS '|' NULL AS 'nil';\n", "1|jan@x.nl\n2|nil\n"),
            ("COPY public.k (id, email) FROM stdin CSV HEADER;\n", "id,email\n1,jan@x.nl\n2,\n"),
            ("COPY public.k (id, email) FROM stdin WITH CSV HEADER QUOTE AS '\"' FORCE NOT NULL email;\n", "id,email\n1,\"jan@x.nl\"\n2,\n"),
            ("COPY public.k (id, email) FROM STDIN WITH (DELIMITER E'\\t');\n", "1\tjan@x.nl\n2\t\\N\n"),
        ];
        for (head, data) in forms {
            let (t, e) = read_all(&format!(
                "-- PostgreSQL database dump\n{head}{data}\\.\nSELECT 1;\n"
            ));
            assert_eq!(e, None, "{head}");
            assert_eq!(t[0].2.len(), 2, "{head}: {t:?}");
            assert_eq!(
                cell(&t, "k", 0, "email").as_deref(),
                Some("jan@x.nl"),
                "{head}"
            );
            assert_eq!(cell(&t, "k", 1, "email"), None, "{head}");
        }
    }

    #[test]
    fn csv_copy_records_may_span_lines_and_quote_delimiters() {
        let d = "COPY public.k (id, note) FROM STDIN WITH (FORMAT csv);\n1,\"a,b\nc \"\"q\"\"\"\n2,\"\"\n\\.\n";
        let (t, e) = read_all(d);
        assert_eq!(e, None);
        assert_eq!(cell(&t, "k", 0, "note").as_deref(), Some("a,b\nc \"q\""));
        assert_eq!(
            cell(&t, "k", 1, "note").as_deref(),
            Some(""),
            "a quoted empty field is not NULL"
        );
    }

    #[test]
    fn text_copy_with_another_delimiter_honours_escaped_delimiters() {
        let d = "COPY public.k (a, b) FROM STDIN WITH DELIMITER '|';\nx\\|y|\\x41\\101\n\\.\n";
        let (t, _) = read_all(d);
        assert_eq!(cell(&t, "k", 0, "a").as_deref(), Some("x|y"));
        assert_eq!(cell(&t, "k", 0, "b").as_deref(), Some("AA"));
    }

    #[test]
    fn insert_variants_are_all_read() {
        let d = "-- MySQL dump 10.13\n\
            INSERT IGNORE INTO `k` (`id`,`email`) VALUES (1,'a@x.nl'),(2,'b@x.nl');\n\
            REPLACE INTO `k` (`id`,`email`) VALUES (3,'c@x.nl');\n\
            REPLACE `k` (`id`,`email`) VALUES (4,'d@x.nl');\n\
            INSERT LOW_PRIORITY IGNORE INTO `k` (`id`,`email`) VALUE (5,'e@x.nl');\n\
            INSERT INTO `k` (`id`,`email`) VALUES (6,'f@x.nl') ON DUPLICATE KEY UPDATE `email`=VALUES(`email`);\n";
        let (t, e) = read_all(d);
        assert_eq!(e, None);
        let emails: Vec<_> = (0..6)
            .map(|r| cell(&t, "k", r, "email").unwrap_or_default())
            .collect();
        assert_eq!(
            emails,
            ["a@x.nl", "b@x.nl", "c@x.nl", "d@x.nl", "e@x.nl", "f@x.nl"]
        );
        let d = "-- PostgreSQL database dump\n\
            INSERT INTO public.k (id, email) VALUES (1, 'a@x.nl') ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email;\n\
            INSERT INTO public.k (id, email) OVERRIDING SYSTEM VALUE VALUES (2, 'b@x.nl'), (3, 'c@x.nl') ON CONFLICT DO NOTHING;\n\
            INSERT INTO public.k AS t (id, email) VALUES (4, 'd@x.nl'::text) RETURNING id;\n";
        let (t, e) = read_all(d);
        assert_eq!(e, None);
        assert_eq!(t[0].2.len(), 4);
        assert_eq!(cell(&t, "k", 3, "email").as_deref(), Some("d@x.nl"));
    }

    #[test]
    fn a_string_of_many_lines_is_one_value() {
        let mut d = String::from("INSERT INTO k (id, note) VALUES (1, '");
        for i in 0..200_000 {
            d.push_str(&format!("regel {i};\n"));
        }
        d.push_str("'), (2, 'jan@x.nl');\n");
        let (t, e) = read_all(&d);
        assert_eq!(e, None);
        assert_eq!(t[0].2.len(), 2);
        assert_eq!(cell(&t, "k", 1, "note").as_deref(), Some("jan@x.nl"));
    }

    #[test]
    fn quoted_identifiers_keep_spaces_dots_and_quotes() {
        let d = "-- PostgreSQL database dump\n\
            CREATE TABLE public.\"klant gegevens\" (\n    \"e-mail adres\" text,\n    \"a.b\" text,\n    \"x\"\"y\" text\n);\n\
            INSERT INTO public.\"klant gegevens\" VALUES ('jan@x.nl', 'p', 'q');\n\
            COPY \"archief\".\"oud.klant\" (\"naam \"\"roep\"\"\") FROM stdin;\nJan\n\\.\n";
        let (t, e) = read_all(d);
        assert_eq!(e, None);
        assert_eq!(t[0].0, "klant gegevens");
        assert_eq!(t[0].1, ["e-mail adres", "a.b", "x\"y"]);
        assert_eq!(t[1].0, "archief.oud.klant");
        assert_eq!(t[1].1, ["naam \"roep\""]);
        let (t, _) = read_all(
            "-- MySQL dump\nINSERT INTO `klant gegevens` (`e``mail`) VALUES ('a@x.nl');\n",
        );
        assert_eq!(t[0].0, "klant gegevens");
        assert_eq!(t[0].1, ["e`mail"]);
    }

    #[test]
    fn two_schemas_with_one_table_name_are_two_tables() {
        let d = "-- PostgreSQL database dump\n\
            CREATE TABLE public.klant (id integer, email text);\n\
            CREATE TABLE archief.klant (email text, id integer);\n\
            COPY public.klant (id, email) FROM stdin;\n1\tnu@x.nl\n\\.\n\
            INSERT INTO archief.klant VALUES ('oud@x.nl', 7);\n";
        let (t, e) = read_all(d);
        assert_eq!(e, None);
        assert_eq!(cell(&t, "klant", 0, "email").as_deref(), Some("nu@x.nl"));
        assert_eq!(
            cell(&t, "archief.klant", 0, "email").as_deref(),
            Some("oud@x.nl")
        );
        assert_eq!(cell(&t, "archief.klant", 0, "id").as_deref(), Some("7"));
    }

    #[test]
    fn mysql_databases_after_the_first_are_qualified() {
        let d = "-- MySQL dump\nUSE `shop`;\nINSERT INTO `klant` VALUES (1);\nUSE `archief`;\nINSERT INTO `klant` VALUES (2);\nINSERT INTO `shop`.`klant` VALUES (3);\n";
        let (t, _) = read_all(d);
        assert_eq!(
            t.iter()
                .map(|t| (t.0.as_str(), t.2.len()))
                .collect::<Vec<_>>(),
            [("klant", 2), ("archief.klant", 1)]
        );
    }

    #[test]
    fn hex_blobs_introducers_and_x_literals() {
        let d = "-- MySQL dump\n/*!40101 SET NAMES utf8mb4 */;\n/*!40000 ALTER TABLE `k` DISABLE KEYS */;\n\
            INSERT INTO `k` (`a`,`b`,`c`,`d`,`e`) VALUES (0x6A616E40782E6E6C,0xFFFE,_binary 'x\\0y',_utf8mb4'caf\\'e',X'6A6F40782E6E6C');\n";
        let (t, e) = read_all(d);
        assert_eq!(e, None);
        assert_eq!(cell(&t, "k", 0, "a").as_deref(), Some("jan@x.nl"));
        assert_eq!(cell(&t, "k", 0, "b"), None, "binary that is not text");
        assert_eq!(cell(&t, "k", 0, "c"), None, "binary that is not text");
        assert_eq!(cell(&t, "k", 0, "d").as_deref(), Some("caf'e"));
        assert_eq!(cell(&t, "k", 0, "e").as_deref(), Some("jo@x.nl"));
    }

    #[test]
    fn skip_quote_names_and_compact_dumps_are_mysql() {
        let d = "/*!40101 SET @saved_cs_client = @@character_set_client */;\nCREATE TABLE klant (\n  id int NOT NULL,\n  email varchar(50)\n);\nINSERT INTO klant VALUES (1,'a\\'b@x.nl');\n";
        let (t, e) = read_all(d);
        assert_eq!(e, None);
        assert_eq!(cell(&t, "klant", 0, "email").as_deref(), Some("a'b@x.nl"));
    }

    #[test]
    fn delimiter_blocks_and_psql_meta_commands_are_not_data() {
        let d = "-- MySQL dump\nDELIMITER ;;\nCREATE TRIGGER t BEFORE INSERT ON k FOR EACH ROW BEGIN INSERT INTO log VALUES ('x'); END ;;\nDELIMITER ;\nINSERT INTO `k` VALUES (1,'a@x.nl');\n";
        let (t, e) = read_all(d);
        assert_eq!(e, None);
        assert_eq!(t.len(), 1, "{t:?}");
        let d = "\\restrict abc\n-- PostgreSQL database dump\nINSERT INTO public.k VALUES (1, 'a@x.nl');\n\\unrestrict abc\n";
        let (t, e) = read_all(d);
        assert_eq!(e, None);
        assert_eq!(t[0].2.len(), 1);
    }

    #[test]
    fn standard_conforming_strings_off_turns_on_backslash_escapes() {
        let d = "-- PostgreSQL database dump\nSET standard_conforming_strings = off;\nINSERT INTO public.k VALUES ('a\\'b; c');\nSET standard_conforming_strings = on;\nINSERT INTO public.k VALUES ('d\\');\n";
        let (t, e) = read_all(d);
        assert_eq!(e, None);
        assert_eq!(t[0].2[0][0].as_deref(), Some("a'b; c"));
        assert_eq!(t[0].2[1][0].as_deref(), Some("d\\"));
    }

    #[test]
    fn a_data_statement_that_cannot_be_read_is_an_error_and_later_rows_are_still_read() {
        let d = "-- PostgreSQL database dump\nINSERT INTO public.k (id) VALUES (1);\nINSERT INTO public.k (id) VALUES 2, 3;\nINSERT INTO public.k (id) SELECT 4;\nINSERT INTO public.k (id) VALUES (5);\n";
        let (t, e) = read_all(d);
        let e = e.expect("an error");
        assert!(e.starts_with("line 3:"), "{e}");
        assert!(e.contains("1 more problem"), "{e}");
        assert_eq!(t[0].2.len(), 2);
    }

    #[test]
    fn a_dump_cut_mid_copy_reports_the_rows_before() {
        let d = "-- PostgreSQL database dump\nCOPY public.k (id, email) FROM stdin;\n1\ta@x.nl\n2\tb@x.nl\n";
        let (t, e) = read_all(d);
        let e = e.expect("an error");
        assert!(
            e.contains("line 5") && e.contains("cut short") && e.contains("2 rows"),
            "{e}"
        );
        assert_eq!(t[0].2.len(), 2);
    }

    #[test]
    fn a_dump_cut_mid_insert_or_mid_string_reports_the_rows_before() {
        let d = "-- MySQL dump\nINSERT INTO `k` VALUES (1,'a@x.nl'),(2,'b@x.nl'),(3,'c@x";
        let (t, e) = read_all(d);
        let e = e.expect("an error");
        assert!(
            e.contains("line 2") && e.contains("a string") && e.contains("2 complete rows"),
            "{e}"
        );
        assert_eq!(t[0].2.len(), 2);
        let d = "-- MySQL dump\nINSERT INTO `k` VALUES (1,'a@x.nl'),\n(2,'b@x.nl')";
        let (t, e) = read_all(d);
        let e = e.expect("an error");
        assert!(e.contains("cut short"), "{e}");
        assert_eq!(t[0].2.len(), 2);
        let (_, e) = read_all("-- PostgreSQL database dump\nCREATE FUNCTION f() AS $$ body");
        assert!(e.expect("an error").contains("dollar-quoted"));
    }

    #[test]
    fn a_data_statement_behind_an_unknown_start_is_not_passed_over() {
        let d = "-- PostgreSQL database dump\nWITH x AS (SELECT 1) INSERT INTO public.k VALUES ('a@x.nl');\n";
        let (_, e) = read_all(d);
        assert!(e
            .expect("an error")
            .starts_with("line 2: statement not read"));
    }

    #[test]
    fn mysql_no_backslash_escapes_reads_a_backslash_as_a_backslash() {
        for set in [
            "/*!40101 SET SQL_MODE='NO_BACKSLASH_ESCAPES' */;",
            "SET sql_mode = 'STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES';",
            "SET SESSION sql_mode='no_backslash_escapes';",
            "SET @@session.sql_mode = 'NO_BACKSLASH_ESCAPES';",
            "/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO,NO_BACKSLASH_ESCAPES' */;",
        ] {
            let d = format!(
                "-- MySQL dump 10.13\n{set}\nINSERT INTO `k` (`a`,`b`,`c`) VALUES (1,'C:\\','jan@x.nl'),(2,'a\\''b','\\n');\n"
            );
            let (t, e) = read_all(&d);
            assert_eq!(e, None, "{set}");
            assert_eq!(cell(&t, "k", 0, "b").as_deref(), Some("C:\\"), "{set}");
            assert_eq!(cell(&t, "k", 0, "c").as_deref(), Some("jan@x.nl"), "{set}");
            assert_eq!(cell(&t, "k", 1, "b").as_deref(), Some("a\\'b"), "{set}");
            assert_eq!(cell(&t, "k", 1, "c").as_deref(), Some("\\n"), "{set}");
        }
    }

    #[test]
    fn mysql_sql_mode_is_restored_and_only_the_session_counts() {
        // Restored from the variable it was saved in: backslash escapes again.
        let d = "-- MySQL dump\n/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_BACKSLASH_ESCAPES' */;\n\
            INSERT INTO `k` (`a`) VALUES ('C:\\');\n/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;\n\
            INSERT INTO `k` (`a`) VALUES ('O\\'Brien');\n";
        let (t, e) = read_all(d);
        assert_eq!(e, None);
        assert_eq!(cell(&t, "k", 0, "a").as_deref(), Some("C:\\"));
        assert_eq!(cell(&t, "k", 1, "a").as_deref(), Some("O'Brien"));
        // A user variable and the global mode do not change this session.
        for set in [
            "SET @sql_mode = 'NO_BACKSLASH_ESCAPES';",
            "SET GLOBAL sql_mode = 'NO_BACKSLASH_ESCAPES';",
            "SET @@global.sql_mode = 'NO_BACKSLASH_ESCAPES';",
        ] {
            let d = format!("-- MySQL dump\n{set}\nINSERT INTO `k` (`a`) VALUES ('O\\'Brien');\n");
            let (t, e) = read_all(&d);
            assert_eq!(e, None, "{set}");
            assert_eq!(cell(&t, "k", 0, "a").as_deref(), Some("O'Brien"), "{set}");
        }
    }

    #[test]
    fn mysql_ansi_quotes_reads_double_quoted_identifiers() {
        for set in [
            "/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO,ANSI' */;",
            "SET sql_mode='ANSI_QUOTES';",
            "SET SQL_MODE = 'POSTGRESQL';",
        ] {
            let d = format!(
                "-- MySQL dump 10.13\n{set}\nCREATE TABLE \"klant gegevens\" (\n  \"id\" int,\n  \"e-mail\" varchar(9) COMMENT 'x'\n);\n\
                 INSERT INTO \"klant gegevens\" VALUES (1,'a@x.nl');\n\
                 /*!50003 SET @saved_sql_mode = @@sql_mode */ ;\n/*!50003 SET sql_mode = 'STRICT_TRANS_TABLES' */ ;\n\
                 /*!50003 SET sql_mode = @saved_sql_mode */ ;\n\
                 INSERT INTO \"klant gegevens\" (\"id\", \"e-mail\") VALUES (2,'b@x.nl');\n"
            );
            let (t, e) = read_all(&d);
            assert_eq!(e, None, "{set}");
            assert_eq!(t.len(), 1, "{set}: {t:?}");
            assert_eq!(
                cell(&t, "klant gegevens", 0, "e-mail").as_deref(),
                Some("a@x.nl")
            );
            assert_eq!(
                cell(&t, "klant gegevens", 1, "e-mail").as_deref(),
                Some("b@x.nl")
            );
        }
        // Without the mode, "…" is a string in MySQL.
        let (t, e) = read_all("-- MySQL dump\nINSERT INTO `k` (`a`) VALUES (\"a\\\"b\");\n");
        assert_eq!(e, None);
        assert_eq!(cell(&t, "k", 0, "a").as_deref(), Some("a\"b"));
    }

    /// Every row with the number the reader gave it, and the binary cells told.
    #[derive(Default)]
    struct Numbered {
        rows: Vec<(String, Option<u64>, Vec<Option<String>>)>,
        binary: Vec<(String, usize)>,
        table: String,
    }
    impl TableSink for Numbered {
        fn begin(&mut self, t: &str, _columns: &[String]) {
            self.table = t.to_string();
        }
        fn row(&mut self, cells: &[Option<&[u8]>]) -> bool {
            let row = cells
                .iter()
                .map(|c| c.map(|b| String::from_utf8_lossy(b).into_owned()))
                .collect();
            self.rows.push((self.table.clone(), None, row));
            true
        }
        fn row_at(&mut self, n: u64, cells: &[Option<&[u8]>]) -> bool {
            self.row(cells);
            if let Some(r) = self.rows.last_mut() {
                r.1 = Some(n);
            }
            true
        }
        fn binary(&mut self, column: usize) {
            self.binary.push((self.table.clone(), column));
        }
        fn end(&mut self) {}
    }

    fn numbered(dump: &str) -> (Numbered, Option<String>) {
        let mut n = Numbered::default();
        let e = read(&mut dump.as_bytes(), &mut n)
            .err()
            .map(|e| e.to_string());
        (n, e)
    }

    #[test]
    fn bytea_in_every_postgresql_form_is_decoded_and_scanned_as_text() {
        let jan = "6a616e40782e6e6c"; // jan@x.nl
        let create = "-- PostgreSQL database dump\nCREATE TABLE public.b (id integer, data bytea, note text);\n";
        let forms = [
            format!("{create}COPY public.b (id, data, note) FROM stdin;\n1\t\\\\x{jan}\tn\n\\.\n"),
            // No CREATE TABLE: the hex form is still bytea.
            format!("-- PostgreSQL database dump\nCOPY public.b (id, data, note) FROM stdin;\n1\t\\\\x{jan}\tn\n\\.\n"),
            format!("{create}COPY public.b (id, data, note) FROM stdin WITH (FORMAT csv);\n1,\\x{jan},n\n\\.\n"),
            format!("{create}INSERT INTO public.b VALUES (1, '\\x{jan}', 'n');\n"),
            format!("{create}INSERT INTO public.b VALUES (1, E'\\\\x{jan}', 'n');\n"),
            format!("{create}INSERT INTO public.b (id, data, note) VALUES (1, '\\x{jan}'::bytea, 'n');\n"),
            format!("-- PostgreSQL database dump\nINSERT INTO public.b (id, data, note) VALUES (1, '\\\\x{jan}'::bytea, 'n');\n"),
            format!("{create}INSERT INTO public.b VALUES (1, decode('{jan}', 'hex'), 'n');\n"),
            format!("{create}INSERT INTO public.b VALUES (1, pg_catalog.decode('{}', 'hex')::bytea, 'n');\n", jan.to_uppercase()),
            format!("{create}INSERT INTO public.b VALUES (1, decode('amFuQHgubmw=', 'base64'), 'n');\n"),
            format!("{create}INSERT INTO public.b VALUES (1, decode('jan\\100x.nl', 'escape'), 'n');\n"),
            format!("{create}INSERT INTO public.b VALUES (1, CAST('\\x{jan}' AS bytea), 'n');\n"),
            format!("{create}SET standard_conforming_strings = off;\nINSERT INTO public.b VALUES (1, '\\\\x{jan}', 'n');\n"),
            // Escape form (bytea_output = escape) in a bytea column.
            format!("{create}INSERT INTO public.b VALUES (1, 'jan\\100x.nl', 'n');\n"),
            format!("{create}COPY public.b (id, data, note) FROM stdin;\n1\tjan\\\\100x.nl\tn\n\\.\n"),
        ];
        for d in &forms {
            let (t, e) = read_all(d);
            assert_eq!(e, None, "{d}");
            assert_eq!(cell(&t, "b", 0, "data").as_deref(), Some("jan@x.nl"), "{d}");
            assert_eq!(cell(&t, "b", 0, "note").as_deref(), Some("n"), "{d}");
        }
        // Non-ASCII text in escape form is decoded to its characters.
        let (t, _) = read_all(&format!(
            "{create}INSERT INTO public.b VALUES (1, 'Zo\\303\\253 M\\303\\274ller', NULL);\n"
        ));
        assert_eq!(cell(&t, "b", 0, "data").as_deref(), Some("Zoë Müller"));
    }

    #[test]
    fn binary_that_is_not_text_is_skipped_and_counted_never_scanned_as_text() {
        let create = "-- PostgreSQL database dump\nCREATE TABLE public.b (id integer, data bytea, note text);\n";
        let d = format!(
            "{create}COPY public.b (id, data, note) FROM stdin;\n1\t\\\\x00ff10\t\\\\x00ff\n2\t\\\\x89504e470d0a1a0a\t\\N\n3\t\\\\x\t\\N\n\\.\n\
             INSERT INTO public.b VALUES (4, decode('AAEC', 'base64'), 'x'), (5, '\\001\\002\\003', 'y');\n"
        );
        let (n, e) = numbered(&d);
        assert_eq!(e, None);
        assert_eq!(n.rows.len(), 5);
        assert_eq!(n.rows[0].2[1], None);
        // A text column keeps its value as written, even one that looks like hex.
        assert_eq!(n.rows[0].2[2].as_deref(), Some("\\x00ff"));
        assert_eq!(n.rows[2].2[1].as_deref(), Some(""), "empty bytea is text");
        assert_eq!(
            n.binary,
            [
                ("b".to_string(), 1),
                ("b".to_string(), 1),
                ("b".to_string(), 1),
                ("b".to_string(), 1)
            ]
        );
        // MySQL: hex literals, X'' and _binary strings; a blob column's raw string.
        let d = "-- MySQL dump\nCREATE TABLE `m` (\n  `id` int,\n  `data` longblob,\n  `kort` varbinary(9),\n  `naam` varchar(9)\n);\n\
            INSERT INTO `m` VALUES (1,0x6A616E40782E6E6C,X'FFFE','a'),(2,_binary 'jan@x.nl',_binary '\\0\\0\\0\\0','b'),(3,'\\0\\0\\0\\0',0x00,'c');\n";
        let (n, e) = numbered(d);
        assert_eq!(e, None);
        assert_eq!(n.rows[0].2[1].as_deref(), Some("jan@x.nl"));
        assert_eq!(n.rows[1].2[1].as_deref(), Some("jan@x.nl"));
        assert_eq!(n.rows[0].2[2], None);
        assert_eq!(n.rows[2].2[1], None);
        let cols: Vec<usize> = n.binary.iter().map(|b| b.1).collect();
        assert_eq!(cols, [2, 2, 1, 2]);
    }

    #[test]
    fn plain_dump_large_objects_are_rows_numbered_by_their_oid() {
        // Two objects; the first written in three chunks with the address across two of them.
        let d = "-- PostgreSQL database dump\nSELECT pg_catalog.lo_create('16385');\nSELECT pg_catalog.lo_create('16386');\nBEGIN;\n\
            SELECT pg_catalog.lo_open('16385', 131072);\nSELECT pg_catalog.lowrite(0, '\\x6d61696c3a206a616e');\nSELECT pg_catalog.lowrite(0, '\\x40782e');\n\
            SELECT pg_catalog.lowrite(0, '\\x6e6c');\nSELECT pg_catalog.lo_close(0);\n\
            SELECT pg_catalog.lo_open('16386', 131072);\nSELECT pg_catalog.lowrite(0, '\\x89504e470d0a1a0a');\nSELECT pg_catalog.lo_close(0);\nCOMMIT;\n\
            SELECT lo_open(16387, 131072);\nSELECT lowrite(0, E'piet\\\\100x.nl');\nSELECT lo_close(0);\n";
        let (n, e) = numbered(d);
        assert_eq!(e, None);
        let rows: Vec<_> = n
            .rows
            .iter()
            .map(|r| (r.0.as_str(), r.1, r.2[1].as_deref()))
            .collect();
        assert_eq!(
            rows,
            [
                ("pg_largeobject", Some(16385), Some("mail: jan@x.nl")),
                ("pg_largeobject", Some(16386), None),
                ("pg_largeobject", Some(16387), Some("piet@x.nl")),
            ]
        );
        assert_eq!(n.binary, [("pg_largeobject".to_string(), 1)]);
        // Cut before lo_close: read as far as it went, and named.
        let (n, e) = numbered("-- PostgreSQL database dump\nSELECT pg_catalog.lo_open('7', 131072);\nSELECT pg_catalog.lowrite(0, '\\x6a616e40782e6e6c');\n");
        assert_eq!(n.rows[0].2[1].as_deref(), Some("jan@x.nl"));
        let e = e.expect("an error");
        assert!(
            e.contains("large object 7") && e.contains("not closed"),
            "{e}"
        );
        // Data outside an lo_open is named, not passed over.
        let (_, e) =
            numbered("-- PostgreSQL database dump\nSELECT pg_catalog.lowrite(0, '\\x6a616e');\n");
        assert!(e.expect("an error").contains("outside an lo_open"));
    }

    #[test]
    fn alter_table_column_changes_are_followed_by_later_inserts() {
        let d = "-- MySQL dump\nCREATE TABLE `k` (\n  `id` int,\n  `naam` varchar(9)\n);\n\
            INSERT INTO `k` VALUES (1,'Jan');\n\
            ALTER TABLE `k` ADD COLUMN `email` varchar(50) FIRST;\n\
            INSERT INTO `k` VALUES ('a@x.nl',2,'Piet');\n\
            ALTER TABLE `k` ADD `tel` varchar(20) AFTER `id`, DROP COLUMN `naam`;\n\
            INSERT INTO `k` VALUES ('b@x.nl',3,'0612345678');\n\
            ALTER TABLE `k` CHANGE `tel` `telefoon` varchar(20) FIRST, MODIFY `id` int AFTER `email`;\n\
            INSERT INTO `k` VALUES ('0698765432','c@x.nl',4);\n\
            /*!40000 ALTER TABLE `k` DISABLE KEYS */;\nALTER TABLE `k` ADD PRIMARY KEY (`id`), ADD INDEX `i` (`email`), ENGINE=InnoDB;\n\
            INSERT INTO `k` VALUES ('0611111111','d@x.nl',5);\n";
        let (t, e) = read_all(d);
        assert_eq!(e, None);
        let email: Vec<_> = (0..5).map(|r| cell(&t, "k", r, "email")).collect();
        assert_eq!(
            email,
            [
                None,
                Some("a@x.nl".into()),
                Some("b@x.nl".into()),
                Some("c@x.nl".into()),
                Some("d@x.nl".into())
            ]
        );
        let ids: Vec<_> = (0..5).map(|r| cell(&t, "k", r, "id")).collect();
        assert_eq!(ids, ["1", "2", "3", "4", "5"].map(|v| Some(v.to_string())));
        assert_eq!(cell(&t, "k", 2, "tel").as_deref(), Some("0612345678"));
        assert_eq!(cell(&t, "k", 3, "telefoon").as_deref(), Some("0698765432"));
        assert_eq!(cell(&t, "k", 2, "naam"), None, "dropped");
        // PostgreSQL: ADD COLUMN, DROP COLUMN IF EXISTS, RENAME COLUMN, ALTER COLUMN TYPE.
        let d = "-- PostgreSQL database dump\nCREATE TABLE public.k (id integer, naam text);\n\
            ALTER TABLE ONLY public.k ADD COLUMN data bytea, DROP COLUMN IF EXISTS nope, RENAME COLUMN naam TO email;\n\
            ALTER TABLE public.k ALTER COLUMN id SET DEFAULT 1, ADD CONSTRAINT pk PRIMARY KEY (id);\n\
            INSERT INTO public.k VALUES (1, 'a@x.nl', '\\x6a616e40782e6e6c');\n";
        let (t, e) = read_all(d);
        assert_eq!(e, None);
        assert_eq!(cell(&t, "k", 0, "email").as_deref(), Some("a@x.nl"));
        assert_eq!(cell(&t, "k", 0, "data").as_deref(), Some("jan@x.nl"));
    }

    #[test]
    fn an_insert_list_in_another_order_goes_to_the_named_columns() {
        let d = "-- MySQL dump\nINSERT INTO `k` (`id`,`email`) VALUES (1,'a@x.nl');\nINSERT INTO `k` (`email`,`id`) VALUES ('b@x.nl',2);\nINSERT INTO `k` (`tel`,`id`) VALUES ('0612345678',3);\n";
        let (t, e) = read_all(d);
        assert_eq!(e, None);
        assert_eq!(cell(&t, "k", 1, "email").as_deref(), Some("b@x.nl"));
        assert_eq!(cell(&t, "k", 1, "id").as_deref(), Some("2"));
        assert_eq!(cell(&t, "k", 2, "tel").as_deref(), Some("0612345678"));
        assert_eq!(cell(&t, "k", 2, "email"), None);
    }

    #[test]
    fn an_alter_that_cannot_be_followed_is_named_and_its_rows_are_scanned_as_text() {
        for alter in [
            "ALTER TABLE `k` ADD COLUMN `x` int AFTER `nope`;",
            "ALTER TABLE `k` DROP COLUMN `nope`;",
            "ALTER TABLE `k` CHANGE `nope` `x` int;",
            "ALTER TABLE `k` ADD (`x` int, `y` int);",
        ] {
            let d = format!(
                "-- MySQL dump\nCREATE TABLE `k` (\n  `id` int,\n  `email` varchar(9)\n);\n{alter}\nINSERT INTO `k` VALUES (1,'a@x.nl',3);\nINSERT INTO `k` (`id`,`email`) VALUES (2,'b@x.nl');\n"
            );
            let mut n = Numbered::default();
            let e = read(&mut d.as_bytes(), &mut n).err().map(|e| e.to_string());
            let e = e.expect("an error");
            assert!(
                e.contains("line 7") && e.contains("line 6") && e.contains("scanned as text"),
                "{alter}: {e}"
            );
            // Only the row with its own column list is read as columns.
            assert_eq!(n.rows.len(), 1, "{alter}");
            assert_eq!(n.rows[0].2[1].as_deref(), Some("b@x.nl"));
        }
    }
}
