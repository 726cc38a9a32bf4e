//! SQL dumps, streamed statement by statement: PostgreSQL plain dumps (`COPY … FROM stdin`
//! blocks with their escapes and `\N`, and the `INSERT` forms of `--inserts` and
//! `--column-inserts`) and MySQL / MariaDB dumps (extended multi-row `INSERT`, backslash
//! escapes, `_binary` and hex literals, `NULL`). Column names come from the `COPY` or
//! `INSERT` column list, else from the `CREATE TABLE` seen before. DDL, comments, `SET` and
//! everything else that is not table data is skipped.

use super::TableSink;
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read};

fn bad(line: u64, what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("line {line}: {what}"))
}

/// The last part of a possibly schema-qualified, possibly quoted name.
pub(crate) fn unquote_name(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let last = text.trim().rsplit('.').next().unwrap_or("").trim();
    last.trim_matches(|c| c == '"' || c == '`' || c == '[' || c == ']')
        .to_string()
}

/// Splits `a, "b", `c`` into names.
pub(crate) fn name_list(raw: &[u8]) -> Vec<String> {
    raw.split(|&b| b == b',')
        .map(unquote_name)
        .filter(|n| !n.is_empty())
        .collect()
}

/// Undoes PostgreSQL's COPY text escapes in place of a field; `None` for `\N`.
pub(crate) fn copy_field(raw: &[u8], out: &mut Vec<u8>) -> bool {
    if raw == b"\\N" {
        return false;
    }
    out.clear();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' && i + 1 < raw.len() {
            let c = raw[i + 1];
            i += 2;
            match c {
                b'n' => out.push(b'\n'),
                b't' => out.push(b'\t'),
                b'r' => out.push(b'\r'),
                b'b' => out.push(8),
                b'f' => out.push(12),
                b'v' => out.push(11),
                b'0'..=b'7' => {
                    let mut v = u32::from(c - b'0');
                    let mut n = 1;
                    while n < 3 && i < raw.len() && (b'0'..=b'7').contains(&raw[i]) {
                        v = v * 8 + u32::from(raw[i] - b'0');
                        i += 1;
                        n += 1;
                    }
                    out.push(v as u8);
                }
                other => out.push(other),
            }
        } else {
            out.push(raw[i]);
            i += 1;
        }
    }
    true
}

/// One value of an INSERT tuple.
pub(crate) enum Value {
    Null,
    Bytes(Vec<u8>),
}

/// A lexer over one complete INSERT statement.
pub(crate) struct Insert<'s> {
    pub(crate) s: &'s [u8],
    pub(crate) i: usize,
    pub(crate) backslash: bool,
}

impl<'s> Insert<'s> {
    pub(crate) fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    pub(crate) fn eat(&mut self, b: u8) -> bool {
        self.ws();
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn quoted(&mut self, quote: u8) -> Option<Vec<u8>> {
        self.i += 1;
        let mut out = Vec::new();
        while self.i < self.s.len() {
            let b = self.s[self.i];
            if b == b'\\' && self.backslash && self.i + 1 < self.s.len() {
                let c = self.s[self.i + 1];
                out.push(match c {
                    b'n' => b'\n',
                    b't' => b'\t',
                    b'r' => b'\r',
                    b'0' => 0,
                    b'Z' => 26,
                    b'b' => 8,
                    other => other,
                });
                self.i += 2;
            } else if b == quote {
                if self.s.get(self.i + 1) == Some(&quote) {
                    out.push(quote);
                    self.i += 2;
                } else {
                    self.i += 1;
                    return Some(out);
                }
            } else {
                out.push(b);
                self.i += 1;
            }
        }
        None
    }
    pub(crate) fn value(&mut self) -> Option<Value> {
        self.ws();
        let b = self.peek()?;
        if b == b'\'' {
            return self.quoted(b'\'').map(Value::Bytes);
        }
        // A bare token: NULL, a number, true/false, 0x…, or a prefix such as _binary, E, X.
        let start = self.i;
        while self.i < self.s.len()
            && !matches!(self.s[self.i], b',' | b')' | b'\'')
            && !self.s[self.i].is_ascii_whitespace()
        {
            self.i += 1;
        }
        let token = &self.s[start..self.i];
        self.ws();
        if self.peek() == Some(b'\'') {
            // _binary '…', E'…', X'…', N'…': the quoted part is the value.
            return self.quoted(b'\'').map(Value::Bytes);
        }
        if token.eq_ignore_ascii_case(b"null") {
            Some(Value::Null)
        } else {
            Some(Value::Bytes(token.to_vec()))
        }
    }
}

/// Reads the head of an INSERT statement: the table, its columns (from the statement, else
/// from `schemas`), and a lexer placed after `VALUES`; `None` for INSERT … SELECT.
pub(crate) fn insert_head<'s>(
    stmt: &'s [u8],
    line: u64,
    backslash: bool,
    schemas: &HashMap<String, Vec<String>>,
) -> io::Result<Option<(String, Vec<String>, Insert<'s>)>> {
    let mut lx = Insert {
        s: stmt,
        i: "INSERT INTO".len(),
        backslash,
    };
    lx.ws();
    let start = lx.i;
    while lx.i < stmt.len() && !stmt[lx.i].is_ascii_whitespace() && stmt[lx.i] != b'(' {
        lx.i += 1;
    }
    let name = unquote_name(&stmt[start..lx.i]);
    lx.ws();
    let columns = if lx.peek() == Some(b'(') {
        let close = memchr::memchr(b')', &stmt[lx.i..])
            .map(|c| lx.i + c)
            .ok_or_else(|| bad(line, "unclosed column list"))?;
        let cols = name_list(&stmt[lx.i + 1..close]);
        lx.i = close + 1;
        cols
    } else {
        schemas.get(&name).cloned().unwrap_or_default()
    };
    lx.ws();
    if !stmt[lx.i..]
        .get(..6)
        .is_some_and(|v| v.eq_ignore_ascii_case(b"VALUES"))
    {
        return Ok(None);
    }
    lx.i += 6;
    Ok(Some((name, columns, lx)))
}

/// The column a line inside `CREATE TABLE (…)` defines, if it defines one.
pub(crate) fn create_table_column(line: &[u8]) -> Option<String> {
    let t = line.trim_ascii();
    let first = t.split(|b| b.is_ascii_whitespace()).next().unwrap_or(b"");
    const NOT_COLUMNS: &[&[u8]] = &[
        b"CONSTRAINT",
        b"PRIMARY",
        b"KEY",
        b"UNIQUE",
        b"INDEX",
        b"FOREIGN",
        b"CHECK",
        b"FULLTEXT",
        b"SPATIAL",
        b"EXCLUDE",
    ];
    if first.is_empty() || NOT_COLUMNS.iter().any(|k| first.eq_ignore_ascii_case(k)) {
        None
    } else {
        Some(unquote_name(first))
    }
}

/// The table name of a `CREATE TABLE` line, if it is one.
pub(crate) fn create_table_name(text: &[u8]) -> Option<String> {
    if text.len() <= 13 || !text[..13].eq_ignore_ascii_case(b"CREATE TABLE ") {
        return None;
    }
    let rest = &text[13..];
    let rest = rest.strip_prefix(b"IF NOT EXISTS ").unwrap_or(rest);
    let end = rest
        .iter()
        .position(|&b| b == b'(' || b.is_ascii_whitespace())
        .unwrap_or(rest.len());
    Some(unquote_name(&rest[..end]))
}

/// Does this line start a MySQL or MariaDB dump (backslash escapes in strings)?
pub(crate) fn is_mysql_marker(text: &[u8]) -> bool {
    text.starts_with(b"-- MySQL dump")
        || text.starts_with(b"-- MariaDB dump")
        || text.starts_with(b"/*!40")
}

/// The table and columns of a `COPY … FROM stdin;` line (columns from `schemas` when the
/// line has no list).
pub(crate) fn copy_head(
    line: &[u8],
    schemas: &HashMap<String, Vec<String>>,
) -> (String, Vec<String>) {
    let rest = &line[5..];
    match memchr::memchr(b'(', rest) {
        Some(open) => {
            let close = memchr::memchr(b')', rest).unwrap_or(rest.len());
            (
                unquote_name(&rest[..open]),
                name_list(&rest[open + 1..close.max(open + 1)]),
            )
        }
        None => {
            let name_end = rest
                .iter()
                .position(|b| b.is_ascii_whitespace())
                .unwrap_or(rest.len());
            let name = unquote_name(&rest[..name_end]);
            let columns = schemas.get(&name).cloned().unwrap_or_default();
            (name, columns)
        }
    }
}

/// What the reader is in the middle of.
enum State {
    Normal,
    Copy,
    CreateTable { name: String, columns: Vec<String> },
}

struct Reader<'k> {
    sink: &'k mut dyn TableSink,
    schemas: HashMap<String, Vec<String>>,
    open: Option<String>,
    backslash: bool,
}

impl Reader<'_> {
    fn switch_to(&mut self, table: &str, columns: Vec<String>) {
        if self.open.as_deref() != Some(table) {
            if self.open.is_some() {
                self.sink.end();
            }
            self.sink.begin(table, &columns);
            self.open = Some(table.to_string());
        }
    }

    fn copy_header(&mut self, line: &[u8]) {
        // COPY public.customer (customer_id, first_name, …) FROM stdin;
        let (name, columns) = copy_head(line, &self.schemas);
        self.switch_to(&name, columns);
    }

    fn insert(&mut self, stmt: &[u8], line: u64) -> io::Result<()> {
        let Some((name, columns, mut lx)) = insert_head(stmt, line, self.backslash, &self.schemas)?
        else {
            return Ok(()); // INSERT … SELECT and the like carry no literal rows
        };
        self.switch_to(&name, columns);
        let mut values: Vec<Value> = Vec::new();
        loop {
            if !lx.eat(b'(') {
                break;
            }
            values.clear();
            loop {
                values.push(
                    lx.value()
                        .ok_or_else(|| bad(line, "unterminated value in INSERT"))?,
                );
                if lx.eat(b',') {
                    continue;
                }
                if lx.eat(b')') {
                    break;
                }
                return Err(bad(line, "expected ',' or ')' in INSERT values"));
            }
            let cells: Vec<Option<&[u8]>> = values
                .iter()
                .map(|v| match v {
                    Value::Null => None,
                    Value::Bytes(b) => Some(b.as_slice()),
                })
                .collect();
            self.sink.row(&cells);
            if !lx.eat(b',') {
                break;
            }
        }
        Ok(())
    }
}

/// Does the statement end on this line: a `;` at the end, outside quotes?
pub(crate) fn statement_complete(stmt: &[u8], backslash: bool) -> bool {
    let mut quoted = false;
    let mut i = 0;
    while i < stmt.len() {
        match stmt[i] {
            b'\\' if quoted && backslash => i += 1,
            b'\'' => quoted = !quoted,
            _ => {}
        }
        i += 1;
    }
    !quoted && stmt.trim_ascii_end().ends_with(b";")
}

/// Reads a dump, pushing every table's rows to `sink`.
///
/// # Errors
/// Read errors and malformed INSERT statements, with the line number.
pub fn read(reader: &mut dyn Read, sink: &mut dyn TableSink) -> io::Result<()> {
    let mut input = BufReader::with_capacity(256 * 1024, reader);
    let mut rd = Reader {
        sink,
        schemas: HashMap::new(),
        open: None,
        backslash: false,
    };
    let mut state = State::Normal;
    let mut line = Vec::new();
    let mut stmt: Vec<u8> = Vec::new();
    let mut stmt_line = 0u64;
    let mut field = Vec::new();
    let mut fields: Vec<Vec<u8>> = Vec::new();
    let mut nulls: Vec<bool> = Vec::new();
    let mut lineno = 0u64;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        lineno += 1;
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if !stmt.is_empty() {
            stmt.push(b'\n');
            stmt.extend_from_slice(text);
            if statement_complete(&stmt, rd.backslash) {
                rd.insert(&stmt, stmt_line)?;
                stmt.clear();
            }
            continue;
        }
        match &mut state {
            State::Copy => {
                if text == b"\\." {
                    state = State::Normal;
                    continue;
                }
                fields.clear();
                nulls.clear();
                for raw in text.split(|&b| b == b'\t') {
                    let present = copy_field(raw, &mut field);
                    fields.push(if present { field.clone() } else { Vec::new() });
                    nulls.push(!present);
                }
                let cells: Vec<Option<&[u8]>> = fields
                    .iter()
                    .zip(&nulls)
                    .map(|(f, &null)| if null { None } else { Some(f.as_slice()) })
                    .collect();
                rd.sink.row(&cells);
            }
            State::CreateTable { name, columns } => {
                let t = text.trim_ascii();
                if t.starts_with(b")") {
                    rd.schemas
                        .insert(std::mem::take(name), std::mem::take(columns));
                    state = State::Normal;
                    continue;
                }
                if let Some(c) = create_table_column(t) {
                    columns.push(c);
                }
            }
            State::Normal => {
                if lineno < 40 && is_mysql_marker(text) {
                    rd.backslash = true;
                }
                if text.starts_with(b"COPY ") && text.ends_with(b"FROM stdin;") {
                    rd.copy_header(text);
                    state = State::Copy;
                } else if let Some(name) = create_table_name(text) {
                    state = State::CreateTable {
                        name,
                        columns: Vec::new(),
                    };
                } else if text.len() > 12 && text[..12].eq_ignore_ascii_case(b"INSERT INTO ") {
                    stmt.extend_from_slice(text);
                    stmt_line = lineno;
                    if statement_complete(&stmt, rd.backslash) {
                        rd.insert(&stmt, stmt_line)?;
                        stmt.clear();
                    }
                }
            }
        }
    }
    if !stmt.is_empty() {
        return Err(bad(
            stmt_line,
            "INSERT statement not terminated at the end of the dump",
        ));
    }
    if rd.open.is_some() {
        rd.sink.end();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    type Rows = Vec<Vec<Option<String>>>;

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
        assert_eq!(t[0].2[1][2].as_deref(), Some("0xFFEE"));
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
}
