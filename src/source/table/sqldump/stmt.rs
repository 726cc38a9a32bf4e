//! Statements of a dump, read from the [`lex`](super::lex) tokens: the heads of
//! `INSERT`/`REPLACE` (every MySQL and PostgreSQL variant) and `COPY … FROM STDIN` (every
//! option form), their tuples with the byte span of each value, `CREATE TABLE` column lists,
//! and the session statements that change how names and strings are read (`USE`,
//! `SET search_path`, `SET standard_conforming_strings`). Also the COPY data decoders (text
//! and CSV) and the table naming rule shared by the scan and the anonymiser.

use super::lex::{CopyFormat, Dialect, Lexer, StrKind, Syntax, Tok, Token};

/// A statement that could not be read: where (byte offset in the statement) and why.
#[derive(Debug, Clone)]
pub struct StmtError {
    /// Byte offset in the statement text.
    pub at: usize,
    /// What was wrong.
    pub why: String,
}

fn err<T>(at: usize, why: impl Into<String>) -> Result<T, StmtError> {
    Err(StmtError {
        at,
        why: why.into(),
    })
}

/// Tokens of one complete statement.
pub struct Cursor<'s> {
    /// The statement text.
    pub text: &'s [u8],
    lexer: Lexer,
    peeked: Option<Option<Token>>,
    /// Set when the text ends inside a construct: what, and where it began.
    pub open: Option<(&'static str, usize)>,
}

impl<'s> Cursor<'s> {
    /// A cursor over `text` from byte `from`.
    pub fn new(text: &'s [u8], syntax: &Syntax, from: usize) -> Self {
        let mut lexer = Lexer::new(syntax.clone());
        lexer.pos = from;
        Cursor {
            text,
            lexer,
            peeked: None,
            open: None,
        }
    }

    /// The next token without taking it (`None` at the end or at an unterminated construct).
    pub fn peek(&mut self) -> Option<Token> {
        if let Some(p) = self.peeked {
            return p;
        }
        let t = match self.lexer.next(self.text, true) {
            super::lex::Step::Token(t) => Some(t),
            super::lex::Step::Unterminated { what, start } => {
                self.open = Some((what, start));
                None
            }
            _ => None,
        };
        self.peeked = Some(t);
        t
    }

    /// Takes the next token.
    pub fn bump(&mut self) -> Option<Token> {
        let t = self.peek();
        self.peeked = None;
        t
    }

    /// The bytes of a token.
    pub fn bytes(&self, t: Token) -> &'s [u8] {
        &self.text[t.start..t.end]
    }

    fn is_word(&self, t: Option<Token>, kw: &str) -> bool {
        t.is_some_and(|t| t.tok == Tok::Word && self.bytes(t).eq_ignore_ascii_case(kw.as_bytes()))
    }

    /// Takes the next token if it is the keyword `kw`.
    pub fn eat_word(&mut self, kw: &str) -> bool {
        let t = self.peek();
        if self.is_word(t, kw) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// Takes the next token if it is the punctuation `p`.
    pub fn eat(&mut self, p: u8) -> bool {
        if self.peek().is_some_and(|t| t.tok == Tok::Punct(p)) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// Where the cursor is (for messages): the next token's start, else the end.
    pub fn here(&mut self) -> usize {
        match self.peek() {
            Some(t) => t.start,
            None => self.open.map_or(self.text.len(), |o| o.1),
        }
    }

    fn end_error<T>(&mut self, expected: &str) -> Result<T, StmtError> {
        let at = self.here();
        match self.open {
            Some((what, start)) => err(start, format!("{what} is not closed")),
            None => err(at, format!("expected {expected}")),
        }
    }

    /// The dialect being read.
    pub fn syntax(&self) -> &Syntax {
        &self.lexer.syntax
    }
}

/// An identifier as the database names it: quotes removed, doubled quotes undone.
pub fn ident(text: &[u8], tok: Tok) -> String {
    let raw = match tok {
        Tok::Quoted(q) if text.len() >= 2 => {
            let inner = &text[1..text.len() - 1];
            let mut out = Vec::with_capacity(inner.len());
            let mut i = 0;
            while i < inner.len() {
                out.push(inner[i]);
                i += if inner[i] == q && inner.get(i + 1) == Some(&q) {
                    2
                } else {
                    1
                };
            }
            out
        }
        _ => text.to_vec(),
    };
    String::from_utf8_lossy(&raw).into_owned()
}

fn name_part(cur: &mut Cursor<'_>) -> Option<String> {
    let t = cur.peek()?;
    match t.tok {
        Tok::Word | Tok::Quoted(_) => {
            cur.bump();
            Some(ident(cur.bytes(t), t.tok))
        }
        // MySQL without ANSI_QUOTES has no "…" identifiers; a dump never names a table so.
        _ => None,
    }
}

/// A possibly qualified name: its parts (`archief`, `klant`).
pub fn qualified(cur: &mut Cursor<'_>) -> Option<Vec<String>> {
    let mut parts = vec![name_part(cur)?];
    while cur.peek().is_some_and(|t| t.tok == Tok::Punct(b'.')) {
        cur.bump();
        parts.push(name_part(cur)?);
    }
    Some(parts)
}

/// `( a, "b c", `d` )`: the names of a column list (the cursor is at the `(`).
fn column_list(cur: &mut Cursor<'_>) -> Result<Vec<String>, StmtError> {
    let open = cur.here();
    if !cur.eat(b'(') {
        return err(open, "expected a column list");
    }
    let mut names = Vec::new();
    if cur.eat(b')') {
        return Ok(names);
    }
    loop {
        match name_part(cur) {
            Some(n) => names.push(n),
            None => return cur.end_error("a column name"),
        }
        if cur.eat(b',') {
            continue;
        }
        if cur.eat(b')') {
            return Ok(names);
        }
        return cur.end_error("',' or ')' in the column list");
    }
}

/// How table names are reported: PostgreSQL's default schema `public` is dropped and every
/// other schema kept (`archief.klant`); in MySQL the first database a dump `USE`s is the
/// default and tables of any other database are named `db.table`.
#[derive(Debug, Clone, Default)]
pub struct Naming {
    search_path: Option<String>,
    first_db: Option<String>,
    current_db: Option<String>,
}

impl Naming {
    /// `USE db`.
    pub fn use_db(&mut self, db: String) {
        if self.first_db.is_none() {
            self.first_db = Some(db.clone());
        }
        self.current_db = Some(db);
    }

    /// `SET search_path = schema, …`.
    pub fn search_path(&mut self, schema: String) {
        self.search_path = Some(schema).filter(|s| !s.is_empty());
    }

    /// The reported name of a table from its parts.
    pub fn display(&self, dialect: Dialect, parts: &[String]) -> String {
        let (schema, table) = match parts {
            [] => (None, String::new()),
            [t] => (None, t.clone()),
            [.., s, t] => (Some(s.clone()), t.clone()),
        };
        let qualifier = match dialect {
            Dialect::Postgres => schema
                .or_else(|| self.search_path.clone())
                .filter(|s| s != "public"),
            Dialect::MySql => schema
                .or_else(|| self.current_db.clone())
                .filter(|d| Some(d) != self.first_db.as_ref()),
        };
        match qualifier {
            Some(q) => format!("{q}.{table}"),
            None => table,
        }
    }
}

/// The head of an INSERT or REPLACE.
#[derive(Debug, Clone)]
pub struct InsertHead {
    /// The table's name parts.
    pub table: Vec<String>,
    /// The column list, when the statement has one.
    pub columns: Option<Vec<String>>,
    /// `INSERT … DEFAULT VALUES`: one row, no literal values.
    pub default_values: bool,
}

/// The head of a `COPY … FROM STDIN`.
#[derive(Debug, Clone)]
pub struct CopyHead {
    /// The table's name parts.
    pub table: Vec<String>,
    /// The column list, when the statement has one.
    pub columns: Option<Vec<String>>,
    /// The data format.
    pub format: CopyFormat,
}

/// What a statement is, as far as the dump readers care.
#[derive(Debug, Clone)]
pub enum Parsed {
    /// INSERT or REPLACE with VALUES; the cursor is at the first tuple.
    Insert(InsertHead),
    /// COPY FROM STDIN; its data follows.
    Copy(CopyHead),
    /// COPY to or from a file or program: no data in the dump.
    CopyElsewhere,
    /// CREATE TABLE with a column list.
    CreateTable {
        /// Name parts.
        table: Vec<String>,
        /// Column names.
        columns: Vec<String>,
        /// Per column: is its declared type binary (`bytea`, `blob`, …)?
        binary: Vec<bool>,
    },
    /// `USE db`.
    Use(String),
    /// `SET search_path`: its first schema.
    SearchPath(String),
    /// `SET standard_conforming_strings`: on or off.
    StandardStrings(bool),
    /// MySQL `SET` of the session's `sql_mode` (also inside `/*!40101 … */`, among other
    /// assignments, and saved to or restored from user variables), in order.
    SqlMode(Vec<ModeStep>),
    /// `ALTER TABLE`: what it does to the columns, in order.
    AlterTable {
        /// Name parts.
        table: Vec<String>,
        /// The actions that change columns (the others left out).
        ops: Vec<AlterOp>,
    },
    /// `DROP TABLE`: the tables dropped.
    DropTable(Vec<Vec<String>>),
    /// pg_dump's large object calls (`SELECT pg_catalog.lo_open('16397', 131072);`,
    /// `lowrite(0, '\x…')`, `lo_close(0)`).
    LargeObject(LoCall),
    /// Anything else (DDL, SET, SELECT, …): no table data.
    Other,
}

/// One large object call of a plain pg_dump.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoCall {
    /// `lo_open('oid', mode)`: the writes that follow are this object's.
    Open(i64),
    /// `lowrite(fd, '…')`: the string literal of the data (`bytea` input).
    Write(Token),
    /// `lo_close(fd)`.
    Close,
}

/// `SELECT [pg_catalog.]lo_open(…)` / `lowrite(…)` / `lo_close(…)`, if the statement is one.
fn large_object(cur: &mut Cursor<'_>) -> Option<LoCall> {
    if cur.eat_word("pg_catalog") && !cur.eat(b'.') {
        return None;
    }
    let t = cur.bump().filter(|t| t.tok == Tok::Word)?;
    let name = cur.bytes(t).to_ascii_lowercase();
    if !cur.eat(b'(') {
        return None;
    }
    let call = match name.as_slice() {
        b"lo_open" => {
            let v = cur.bump()?;
            let mut digits = Vec::new();
            match v.tok {
                Tok::Str(k) => unquote_str(cur.bytes(v), k, cur.syntax().dialect, &mut digits),
                Tok::Number => digits.extend_from_slice(cur.bytes(v)),
                _ => return None,
            }
            let oid = std::str::from_utf8(&digits).ok()?.trim().parse().ok()?;
            LoCall::Open(oid)
        }
        b"lowrite" => {
            cur.bump()?;
            if !cur.eat(b',') {
                return None;
            }
            let v = cur.bump().filter(|v| matches!(v.tok, Tok::Str(_)))?;
            LoCall::Write(v)
        }
        b"lo_close" => LoCall::Close,
        _ => return None,
    };
    Some(call)
}

/// Is this the first word of a statement that carries table data?
pub fn is_data_verb(word: &[u8]) -> bool {
    [b"INSERT".as_slice(), b"REPLACE", b"COPY"]
        .iter()
        .any(|v| word.eq_ignore_ascii_case(v))
}

/// Reads the head of a statement (from byte `first`, its first token). For an INSERT the
/// returned cursor stands at the first tuple.
///
/// # Errors
/// A data statement (INSERT, REPLACE, COPY) whose head cannot be read.
pub fn parse<'s>(
    text: &'s [u8],
    first: usize,
    syntax: &Syntax,
) -> Result<(Parsed, Cursor<'s>), StmtError> {
    let mut cur = Cursor::new(text, syntax, first);
    let Some(t) = cur.bump() else {
        return Ok((Parsed::Other, cur));
    };
    if t.tok != Tok::Word {
        return Ok((Parsed::Other, cur));
    }
    let verb = cur.bytes(t).to_ascii_uppercase();
    let parsed = match verb.as_slice() {
        b"INSERT" | b"REPLACE" => Parsed::Insert(insert_head(&mut cur)?),
        b"COPY" => copy_head(&mut cur)?,
        b"CREATE" => create_table(&mut cur),
        b"ALTER" => alter_table(&mut cur),
        b"DROP" => drop_table(&mut cur),
        b"USE" => match name_part(&mut cur) {
            Some(db) => Parsed::Use(db),
            None => Parsed::Other,
        },
        b"SET" => set(&mut cur),
        b"SELECT" if syntax.dialect == Dialect::Postgres => {
            large_object(&mut cur).map_or(Parsed::Other, Parsed::LargeObject)
        }
        _ => Parsed::Other,
    };
    Ok((parsed, cur))
}

fn insert_head(cur: &mut Cursor<'_>) -> Result<InsertHead, StmtError> {
    for kw in ["LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE"] {
        cur.eat_word(kw);
    }
    cur.eat_word("IGNORE");
    cur.eat_word("INTO");
    let at = cur.here();
    let Some(table) = qualified(cur) else {
        return cur
            .end_error("a table name")
            .or_else(|e| err(at.max(e.at), e.why));
    };
    // PostgreSQL: INSERT INTO t AS alias
    if cur.eat_word("AS") {
        name_part(cur);
    }
    let columns = if cur.peek().is_some_and(|t| t.tok == Tok::Punct(b'(')) {
        // `(` may also open a subquery: INSERT INTO t (SELECT …)
        let here = cur.here();
        let mut probe = Cursor::new(cur.text, cur.syntax(), here);
        probe.bump();
        if probe.eat_word("SELECT") || probe.eat_word("WITH") || probe.eat_word("VALUES") {
            return err(
                cur.here(),
                "INSERT … SELECT carries no literal rows piiscan can read",
            );
        }
        Some(column_list(cur)?)
    } else {
        None
    };
    if cur.eat_word("OVERRIDING") {
        let _ = cur.eat_word("SYSTEM") || cur.eat_word("USER");
        cur.eat_word("VALUE");
    }
    if cur.eat_word("DEFAULT") {
        if cur.eat_word("VALUES") {
            return Ok(InsertHead {
                table,
                columns,
                default_values: true,
            });
        }
        return cur.end_error("VALUES after DEFAULT");
    }
    if cur.eat_word("VALUES") || cur.eat_word("VALUE") {
        return Ok(InsertHead {
            table,
            columns,
            default_values: false,
        });
    }
    let t = cur.peek();
    if cur.is_word(t, "SELECT") || cur.is_word(t, "WITH") || cur.is_word(t, "TABLE") {
        return err(
            cur.here(),
            "INSERT … SELECT carries no literal rows piiscan can read",
        );
    }
    if cur.is_word(t, "SET") {
        return err(cur.here(), "INSERT … SET is not read");
    }
    cur.end_error("VALUES")
}

/// How a value of a tuple is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// `NULL`.
    Null,
    /// One literal (a string with an optional introducer or cast, a number, a hex literal).
    Literal(Token),
    /// An expression: its text is the value.
    Raw,
}

/// One value of a tuple: its bytes in the statement and how to read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueSpan {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// How it is written.
    pub kind: ValueKind,
}

/// Reads the next tuple of an INSERT into `values`; `false` when the tuples ended.
///
/// # Errors
/// A tuple that is not closed or not separated as SQL requires.
pub fn next_tuple(
    cur: &mut Cursor<'_>,
    values: &mut Vec<ValueSpan>,
    first: bool,
) -> Result<bool, StmtError> {
    values.clear();
    if !first && !cur.eat(b',') {
        return Ok(false);
    }
    if !cur.eat(b'(') {
        if first {
            return cur.end_error("'(' after VALUES");
        }
        return cur.end_error("'(' after ','");
    }
    if cur.eat(b')') {
        return Ok(true);
    }
    loop {
        let mut depth = 0usize;
        let mut count = 0usize;
        let mut strings = 0usize;
        let mut lit: Option<Token> = None;
        let mut start = None;
        let mut end = 0;
        loop {
            let Some(t) = cur.peek() else {
                return cur.end_error("',' or ')' in the tuple");
            };
            match t.tok {
                Tok::Punct(b',') | Tok::Punct(b')') if depth == 0 => break,
                Tok::Punct(b'(') | Tok::Punct(b'[') => depth += 1,
                Tok::Punct(b')') | Tok::Punct(b']') => depth = depth.saturating_sub(1),
                Tok::End => return cur.end_error("',' or ')' in the tuple"),
                Tok::Str(_) | Tok::Dollar { .. } => {
                    strings += 1;
                    lit = Some(t);
                }
                Tok::Number if strings == 0 && lit.is_none() => lit = Some(t),
                _ => {}
            }
            cur.bump();
            start.get_or_insert(t.start);
            end = t.end;
            count += 1;
        }
        let Some(start) = start else {
            return cur.end_error("a value");
        };
        let text = &cur.text[start..end];
        let kind = if count == 1 && text.eq_ignore_ascii_case(b"NULL") {
            ValueKind::Null
        } else {
            match lit {
                Some(t) if strings == 1 || (strings == 0 && count <= 2) => ValueKind::Literal(t),
                _ => ValueKind::Raw,
            }
        };
        values.push(ValueSpan { start, end, kind });
        if cur.eat(b',') {
            continue;
        }
        if cur.eat(b')') {
            return Ok(true);
        }
        return cur.end_error("',' or ')' in the tuple");
    }
}

/// After the tuples: the rest of the statement (`ON DUPLICATE KEY UPDATE …`, `ON CONFLICT …`,
/// `RETURNING …`). Returns whether it holds literal strings.
///
/// # Errors
/// Anything after the tuples that is not one of those clauses.
pub fn tail(cur: &mut Cursor<'_>) -> Result<bool, StmtError> {
    let Some(t) = cur.peek() else {
        return cur.end_error("the end of the statement");
    };
    if t.tok == Tok::End {
        return Ok(false);
    }
    let ok = cur.is_word(Some(t), "ON")
        || cur.is_word(Some(t), "RETURNING")
        || cur.is_word(Some(t), "AS");
    if !ok {
        return cur.end_error("',' or the end of the statement after a tuple");
    }
    let mut literals = false;
    while let Some(t) = cur.bump() {
        match t.tok {
            Tok::End => return Ok(literals),
            Tok::Str(_) | Tok::Dollar { .. } => literals = true,
            _ => {}
        }
    }
    cur.end_error("the end of the statement")
}

/// [`tail`], keeping the tokens of the clauses (the closing delimiter left out) in `out`.
///
/// # Errors
/// As [`tail`].
pub fn tail_tokens(cur: &mut Cursor<'_>, out: &mut Vec<Token>) -> Result<(), StmtError> {
    out.clear();
    let Some(t) = cur.peek() else {
        return cur.end_error("the end of the statement");
    };
    if t.tok == Tok::End {
        return Ok(());
    }
    let ok = cur.is_word(Some(t), "ON")
        || cur.is_word(Some(t), "RETURNING")
        || cur.is_word(Some(t), "AS");
    if !ok {
        return cur.end_error("',' or the end of the statement after a tuple");
    }
    while let Some(t) = cur.bump() {
        if t.tok == Tok::End {
            return Ok(());
        }
        out.push(t);
    }
    cur.end_error("the end of the statement")
}

/// In the clauses after an INSERT's tuples (`ON DUPLICATE KEY UPDATE email = '…'`,
/// `ON CONFLICT (id) DO UPDATE SET email = '…'`): the index in `tokens` of each literal,
/// with the column it is assigned to when it is the whole right side of `column = literal`
/// (`t.column` and `EXCLUDED.column` too), else `None`.
pub fn tail_literals(text: &[u8], tokens: &[Token]) -> Vec<(usize, Option<String>)> {
    let mut out = Vec::new();
    for (k, t) in tokens.iter().enumerate() {
        if !matches!(t.tok, Tok::Str(_) | Tok::Dollar { .. }) {
            continue;
        }
        let assigned = k >= 2
            && tokens[k - 1].tok == Tok::Punct(b'=')
            && matches!(tokens[k - 2].tok, Tok::Word | Tok::Quoted(_))
            // `a <= 'x'` has `<` before its `=`: no assignment.
            // The whole right side: then `,`, `)`, a keyword (`WHERE`) or a cast (`::text`).
            && tokens.get(k + 1).is_none_or(|n| {
                matches!(n.tok, Tok::Punct(b',' | b')' | b':') | Tok::Word)
            });
        let column = assigned.then(|| {
            let c = tokens[k - 2];
            ident(&text[c.start..c.end], c.tok)
        });
        out.push((k, column));
    }
    out
}

fn hex_digit(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

fn unhex(hex: &[u8]) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    hex.chunks(2)
        .map(|p| Some(hex_digit(p[0])? << 4 | hex_digit(p[1])?))
        .collect()
}

/// The text of a hex literal when its bytes are UTF-8, else its text as written.
fn hex_text(raw: &[u8], hex: &[u8], out: &mut Vec<u8>) {
    match unhex(hex).filter(|b| std::str::from_utf8(b).is_ok()) {
        Some(b) => *out = b,
        None => out.extend_from_slice(raw),
    }
}

/// Undoes a string literal's quoting and escapes.
pub fn unquote_str(text: &[u8], k: StrKind, dialect: Dialect, out: &mut Vec<u8>) {
    let skip = usize::from(k.prefix != 0);
    let inner = text
        .get(skip + 1..text.len().saturating_sub(1))
        .unwrap_or(b"");
    if k.prefix == b'X' {
        return hex_text(text, inner, out);
    }
    if k.prefix == b'B' {
        return out.extend_from_slice(text);
    }
    let mut i = 0;
    while i < inner.len() {
        let b = inner[i];
        if b == k.quote && inner.get(i + 1) == Some(&k.quote) {
            out.push(b);
            i += 2;
        } else if b == b'\\' && k.escapes && i + 1 < inner.len() {
            let c = inner[i + 1];
            i += 2;
            match (dialect, c) {
                (_, b'n') => out.push(b'\n'),
                (_, b't') => out.push(b'\t'),
                (_, b'r') => out.push(b'\r'),
                (_, b'b') => out.push(8),
                (Dialect::MySql, b'0') => out.push(0),
                (Dialect::MySql, b'Z') => out.push(26),
                (Dialect::MySql, b'%' | b'_') => out.extend_from_slice(&[b'\\', c]),
                (Dialect::Postgres, b'f') => out.push(12),
                (Dialect::Postgres, b'0'..=b'7') => {
                    let mut v = u32::from(c - b'0');
                    let mut n = 1;
                    while n < 3 && i < inner.len() && (b'0'..=b'7').contains(&inner[i]) {
                        v = v * 8 + u32::from(inner[i] - b'0');
                        i += 1;
                        n += 1;
                    }
                    out.push(v as u8);
                }
                (Dialect::Postgres, b'x') => {
                    let mut v = 0u8;
                    let mut n = 0;
                    while n < 2 && i < inner.len() {
                        let Some(d) = hex_digit(inner[i]) else { break };
                        v = v << 4 | d;
                        i += 1;
                        n += 1;
                    }
                    if n == 0 {
                        out.push(b'x');
                    } else {
                        out.push(v);
                    }
                }
                (Dialect::Postgres, b'u' | b'U') => {
                    let len = if c == b'u' { 4 } else { 8 };
                    let code = inner
                        .get(i..i + len)
                        .and_then(|h| std::str::from_utf8(h).ok())
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .and_then(char::from_u32);
                    match code {
                        Some(ch) => {
                            let mut tmp = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                            i += len;
                        }
                        None => out.push(c),
                    }
                }
                (_, other) => out.push(other),
            }
        } else {
            out.push(b);
            i += 1;
        }
    }
}

/// The value of a tuple's value into `out`; `false` for NULL.
pub fn value(text: &[u8], v: &ValueSpan, dialect: Dialect, out: &mut Vec<u8>) -> bool {
    out.clear();
    match v.kind {
        ValueKind::Null => false,
        ValueKind::Raw => {
            out.extend_from_slice(&text[v.start..v.end]);
            true
        }
        ValueKind::Literal(t) => {
            let raw = &text[t.start..t.end];
            match t.tok {
                Tok::Str(k) => unquote_str(raw, k, dialect, out),
                Tok::Dollar { tag_len } => {
                    let inner = raw
                        .get(tag_len + 2..raw.len().saturating_sub(tag_len + 2))
                        .unwrap_or(b"");
                    out.extend_from_slice(inner);
                }
                _ if raw.len() > 2 && (raw.starts_with(b"0x") || raw.starts_with(b"0X")) => {
                    hex_text(raw, &raw[2..], out)
                }
                _ => out.extend_from_slice(&text[v.start..v.end]),
            }
            true
        }
    }
}

fn create_table(cur: &mut Cursor<'_>) -> Parsed {
    loop {
        let t = cur.peek();
        if cur.is_word(t, "TABLE") {
            cur.bump();
            break;
        }
        let skippable = [
            "OR",
            "REPLACE",
            "GLOBAL",
            "LOCAL",
            "TEMP",
            "TEMPORARY",
            "UNLOGGED",
        ]
        .iter()
        .any(|k| cur.is_word(t, k));
        if !skippable {
            return Parsed::Other;
        }
        cur.bump();
    }
    if cur.eat_word("IF") {
        cur.eat_word("NOT");
        cur.eat_word("EXISTS");
    }
    let Some(table) = qualified(cur) else {
        return Parsed::Other;
    };
    if !cur.eat(b'(') {
        return Parsed::Other;
    }
    const NOT_COLUMNS: &[&str] = &[
        "CONSTRAINT",
        "PRIMARY",
        "KEY",
        "UNIQUE",
        "INDEX",
        "FOREIGN",
        "CHECK",
        "FULLTEXT",
        "SPATIAL",
        "EXCLUDE",
        "LIKE",
        "PERIOD",
    ];
    let mut columns = Vec::new();
    let mut binary = Vec::new();
    let mut at_def = true;
    let mut at_type = false;
    let mut depth = 0usize;
    while let Some(t) = cur.bump() {
        if at_type {
            at_type = false;
            let word = String::from_utf8_lossy(cur.bytes(t));
            if let Some(last) = binary.last_mut() {
                *last = t.tok == Tok::Word && super::binary::is_binary_type(&word);
            }
        }
        if at_def {
            at_def = false;
            let is_constraint =
                t.tok == Tok::Word && NOT_COLUMNS.iter().any(|k| cur.is_word(Some(t), k));
            if matches!(t.tok, Tok::Word | Tok::Quoted(_)) && !is_constraint {
                columns.push(ident(cur.bytes(t), t.tok));
                binary.push(false);
                at_type = true;
            }
        }
        match t.tok {
            Tok::Punct(b'(') => depth += 1,
            Tok::Punct(b')') if depth == 0 => break,
            Tok::Punct(b')') => depth -= 1,
            Tok::Punct(b',') if depth == 0 => at_def = true,
            Tok::End => break,
            _ => {}
        }
    }
    Parsed::CreateTable {
        table,
        columns,
        binary,
    }
}

/// One assignment of a MySQL `SET` that touches the session's `sql_mode`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModeStep {
    /// `@var = @@sql_mode`: the current mode saved (the variable lower-cased).
    Save(String),
    /// `sql_mode = '…'`: `NO_BACKSLASH_ESCAPES` and `ANSI_QUOTES` of the new mode.
    Set(bool, bool),
    /// `sql_mode = @var`: back to what the variable saved (the dump's start when unknown).
    Restore(String),
}

/// The flags of a `sql_mode` value that change how a dump is lexed.
pub fn sql_mode_flags(mode: &str) -> (bool, bool) {
    let mut no_backslash = false;
    let mut ansi_quotes = false;
    for m in mode.split(',') {
        match m.trim().to_ascii_uppercase().as_str() {
            "NO_BACKSLASH_ESCAPES" => no_backslash = true,
            // `ANSI` and the old combination modes include ANSI_QUOTES.
            "ANSI_QUOTES" | "ANSI" | "DB2" | "MAXDB" | "MSSQL" | "ORACLE" | "POSTGRESQL" => {
                ansi_quotes = true
            }
            _ => {}
        }
    }
    (no_backslash, ansi_quotes)
}

/// A MySQL `SET` that assigns the session's `sql_mode` (`SET sql_mode = '…'`, `SET SESSION
/// sql_mode`, `@@sql_mode`, `@@session.sql_mode`, `SET @OLD=@@SQL_MODE, SQL_MODE='…'`). A
/// value that is no string (`@OLD_SQL_MODE`, `DEFAULT`) restores what a dump starts with.
fn mysql_sql_mode(cur: &mut Cursor<'_>) -> Option<Parsed> {
    let mut toks: Vec<Token> = Vec::new();
    while let Some(t) = cur.bump() {
        if t.tok == Tok::End {
            break;
        }
        toks.push(t);
    }
    let text = cur.text;
    let word = |t: &Token, w: &str| {
        t.tok == Tok::Word && text[t.start..t.end].eq_ignore_ascii_case(w.as_bytes())
    };
    let mut steps = Vec::new();
    // Is `toks[k]` the session's `sql_mode` (`sql_mode`, `@@sql_mode`, `@@session.sql_mode`,
    // not `@sql_mode`, a user variable, nor the global one)?
    let session_mode = |k: usize| {
        if !word(&toks[k], "sql_mode") {
            return false;
        }
        let before = |n: usize| k.checked_sub(n).and_then(|i| toks.get(i));
        let at = |t: Option<&Token>| t.is_some_and(|t| t.tok == Tok::Punct(b'@'));
        let scoped = before(1).is_some_and(|t| t.tok == Tok::Punct(b'.'));
        if scoped {
            return before(2).is_some_and(|t| !word(t, "global"));
        }
        // `@sql_mode` (one `@`) is a user variable.
        let user_variable = at(before(1)) && !at(before(2));
        !user_variable && !before(1).is_some_and(|t| word(t, "global"))
    };
    // A user variable `@name` ending at token `k`.
    let user_var = |k: usize| {
        let t = toks.get(k)?;
        let at = k.checked_sub(1).and_then(|i| toks.get(i))?;
        let at2 = k.checked_sub(2).and_then(|i| toks.get(i));
        (matches!(t.tok, Tok::Word | Tok::Quoted(_))
            && at.tok == Tok::Punct(b'@')
            && !at2.is_some_and(|a| a.tok == Tok::Punct(b'@')))
        .then(|| ident(&text[t.start..t.end], t.tok).to_ascii_lowercase())
    };
    for k in 0..toks.len() {
        if toks.get(k + 1).map(|t| t.tok) != Some(Tok::Punct(b'=')) {
            continue;
        }
        if session_mode(k) {
            let step = match toks.get(k + 2) {
                Some(v) => match v.tok {
                    Tok::Str(kind) => {
                        let mut out = Vec::new();
                        unquote_str(&text[v.start..v.end], kind, Dialect::MySql, &mut out);
                        let (nb, aq) = sql_mode_flags(&String::from_utf8_lossy(&out));
                        ModeStep::Set(nb, aq)
                    }
                    _ => match user_var(k + 3) {
                        Some(var) => ModeStep::Restore(var),
                        None => ModeStep::Set(false, false),
                    },
                },
                None => continue,
            };
            steps.push(step);
        } else if let Some(var) = user_var(k) {
            // `@var = @@sql_mode`
            let value = k + 4;
            if toks.get(k + 2).is_some_and(|t| t.tok == Tok::Punct(b'@'))
                && toks.get(k + 3).is_some_and(|t| t.tok == Tok::Punct(b'@'))
                && toks.get(value).is_some()
                && session_mode(value)
            {
                steps.push(ModeStep::Save(var));
            }
        }
    }
    (!steps.is_empty()).then_some(Parsed::SqlMode(steps))
}

fn set(cur: &mut Cursor<'_>) -> Parsed {
    if cur.syntax().dialect == Dialect::MySql {
        return mysql_sql_mode(cur).unwrap_or(Parsed::Other);
    }
    cur.eat_word("SESSION");
    cur.eat_word("LOCAL");
    let t = cur.peek();
    let search = cur.is_word(t, "search_path");
    let standard = cur.is_word(t, "standard_conforming_strings");
    if !search && !standard {
        return Parsed::Other;
    }
    cur.bump();
    if !cur.eat(b'=') {
        cur.eat_word("TO");
    }
    let Some(v) = cur.bump() else {
        return Parsed::Other;
    };
    let mut text = Vec::new();
    match v.tok {
        Tok::Str(k) => unquote_str(cur.bytes(v), k, cur.syntax().dialect, &mut text),
        _ => text = ident(cur.bytes(v), v.tok).into_bytes(),
    }
    let text = String::from_utf8_lossy(&text).into_owned();
    if standard {
        let on = !matches!(
            text.to_ascii_lowercase().as_str(),
            "off" | "false" | "0" | "no"
        );
        Parsed::StandardStrings(on)
    } else {
        Parsed::SearchPath(text)
    }
}

fn copy_head(cur: &mut Cursor<'_>) -> Result<Parsed, StmtError> {
    if cur.eat_word("BINARY") {
        return err(
            cur.here(),
            "COPY BINARY data cannot be read from a text dump",
        );
    }
    if cur.peek().is_some_and(|t| t.tok == Tok::Punct(b'(')) {
        return Ok(Parsed::CopyElsewhere); // COPY (SELECT …) TO …
    }
    let Some(table) = qualified(cur) else {
        return cur.end_error("a table name after COPY");
    };
    let columns = if cur.peek().is_some_and(|t| t.tok == Tok::Punct(b'(')) {
        Some(column_list(cur)?)
    } else {
        None
    };
    if cur.eat_word("TO") {
        return Ok(Parsed::CopyElsewhere);
    }
    if !cur.eat_word("FROM") {
        return cur.end_error("FROM or TO");
    }
    if !cur.eat_word("STDIN") {
        return Ok(Parsed::CopyElsewhere); // a file or a program: no data in the dump
    }
    let format = copy_options(cur)?;
    Ok(Parsed::Copy(CopyHead {
        table,
        columns,
        format,
    }))
}

/// One byte from a COPY option's string value.
fn option_byte(cur: &mut Cursor<'_>, name: &str) -> Result<Vec<u8>, StmtError> {
    let at = cur.here();
    let Some(t) = cur.bump() else {
        return cur.end_error(&format!("a value for {name}"));
    };
    let mut out = Vec::new();
    match t.tok {
        Tok::Str(k) => unquote_str(cur.bytes(t), k, cur.syntax().dialect, &mut out),
        _ => return err(at, format!("COPY option {name} needs a quoted value")),
    }
    Ok(out)
}

fn single(v: Vec<u8>, name: &str, at: usize) -> Result<u8, StmtError> {
    match v.as_slice() {
        [b] => Ok(*b),
        _ => err(
            at,
            format!("COPY {name} must be a single one-byte character"),
        ),
    }
}

#[derive(Default)]
struct Options {
    csv: bool,
    delimiter: Option<u8>,
    null: Option<Vec<u8>>,
    quote: Option<u8>,
    escape: Option<u8>,
    header: bool,
}

fn copy_options(cur: &mut Cursor<'_>) -> Result<CopyFormat, StmtError> {
    let mut o = Options::default();
    cur.eat_word("WITH");
    if cur.eat(b'(') {
        loop {
            let at = cur.here();
            let Some(t) = cur.bump().filter(|t| t.tok == Tok::Word) else {
                return cur.end_error("a COPY option");
            };
            let name = String::from_utf8_lossy(cur.bytes(t)).to_ascii_lowercase();
            match name.as_str() {
                "format" => {
                    let Some(v) = cur.bump() else {
                        return cur.end_error("a format");
                    };
                    let f = ident(cur.bytes(v), v.tok).to_ascii_lowercase();
                    let f = f.trim_matches('\'');
                    match f {
                        "csv" => o.csv = true,
                        "text" => o.csv = false,
                        "binary" => {
                            return err(at, "COPY FORMAT binary cannot be read from a text dump")
                        }
                        _ => return err(at, format!("unknown COPY format {f:?}")),
                    }
                }
                "delimiter" => {
                    o.delimiter = Some(single(option_byte(cur, "DELIMITER")?, "DELIMITER", at)?)
                }
                "null" => o.null = Some(option_byte(cur, "NULL")?),
                "default" => {
                    option_byte(cur, "DEFAULT")?;
                }
                "quote" => o.quote = Some(single(option_byte(cur, "QUOTE")?, "QUOTE", at)?),
                "escape" => o.escape = Some(single(option_byte(cur, "ESCAPE")?, "ESCAPE", at)?),
                "encoding" => {
                    option_byte(cur, "ENCODING")?;
                }
                "header" | "freeze" | "oids" => {
                    let mut on = true;
                    if let Some(v) = cur.peek().filter(|v| !matches!(v.tok, Tok::Punct(_))) {
                        cur.bump();
                        let w = ident(cur.bytes(v), v.tok).to_ascii_lowercase();
                        on = !matches!(w.trim_matches('\''), "false" | "off" | "0");
                    }
                    if name == "header" {
                        o.header = on;
                    }
                }
                "force_quote" | "force_not_null" | "force_null" => {
                    if !cur.eat(b'*') {
                        column_list(cur)?;
                    }
                }
                _ => return err(at, format!("unknown COPY option {name:?}")),
            }
            if cur.eat(b',') {
                continue;
            }
            if cur.eat(b')') {
                break;
            }
            return cur.end_error("',' or ')' in the COPY options");
        }
    } else {
        // The old forms: DELIMITER [AS] 'x' NULL [AS] 'x' CSV HEADER QUOTE … ESCAPE … FORCE …
        while let Some(t) = cur.peek().filter(|t| t.tok == Tok::Word) {
            let at = t.start;
            cur.bump();
            let name = String::from_utf8_lossy(cur.bytes(t)).to_ascii_lowercase();
            match name.as_str() {
                "binary" => return err(at, "COPY BINARY data cannot be read from a text dump"),
                "csv" => o.csv = true,
                "header" => o.header = true,
                "oids" | "freeze" => {}
                "delimiter" | "null" | "quote" | "escape" | "encoding" => {
                    cur.eat_word("AS");
                    let v = option_byte(cur, &name)?;
                    match name.as_str() {
                        "delimiter" => o.delimiter = Some(single(v, "DELIMITER", at)?),
                        "null" => o.null = Some(v),
                        "quote" => o.quote = Some(single(v, "QUOTE", at)?),
                        "escape" => o.escape = Some(single(v, "ESCAPE", at)?),
                        _ => {}
                    }
                }
                "force" => {
                    if !cur.eat_word("QUOTE") {
                        cur.eat_word("NOT");
                        cur.eat_word("NULL");
                    }
                    if !cur.eat(b'*') {
                        loop {
                            if name_part(cur).is_none() {
                                return cur.end_error("a column name");
                            }
                            if !cur.eat(b',') {
                                break;
                            }
                        }
                    }
                }
                "where" => {
                    while cur.peek().is_some_and(|t| t.tok != Tok::End) {
                        cur.bump();
                    }
                }
                _ => return err(at, format!("unknown COPY option {name:?}")),
            }
        }
    }
    if cur.eat_word("WHERE") {
        while cur.peek().is_some_and(|t| t.tok != Tok::End) {
            cur.bump();
        }
    }
    if !cur.peek().is_some_and(|t| t.tok == Tok::End) {
        return cur.end_error("the end of the COPY statement");
    }
    let base = CopyFormat::default();
    Ok(if o.csv {
        let quote = o.quote.unwrap_or(b'"');
        CopyFormat {
            csv: true,
            delimiter: o.delimiter.unwrap_or(b','),
            null: o.null.unwrap_or_default(),
            quote,
            escape: o.escape.unwrap_or(quote),
            header: o.header,
        }
    } else {
        CopyFormat {
            delimiter: o.delimiter.unwrap_or(base.delimiter),
            null: o.null.unwrap_or(base.null),
            ..base
        }
    })
}

/// One field of a COPY record: its bytes in the record, and whether it was quoted (CSV).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpan {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// CSV: written in quotes.
    pub quoted: bool,
}

/// The record without its line ending.
pub fn record_body(rec: &[u8]) -> &[u8] {
    let body = rec.strip_suffix(b"\n").unwrap_or(rec);
    body.strip_suffix(b"\r").unwrap_or(body)
}

/// Splits a COPY record (without its line ending) into fields.
pub fn split_record(body: &[u8], f: &CopyFormat, fields: &mut Vec<FieldSpan>) {
    fields.clear();
    let mut start = 0;
    let mut i = 0;
    let mut quoted = false;
    let mut was_quoted = false;
    while i < body.len() {
        let b = body[i];
        if f.csv {
            if quoted {
                if b == f.escape && f.escape != f.quote && i + 1 < body.len() {
                    let n = body[i + 1];
                    if n == f.quote || n == f.escape {
                        i += 2;
                        continue;
                    }
                }
                if b == f.quote {
                    quoted = false;
                }
            } else if b == f.quote {
                quoted = true;
                was_quoted = true;
            } else if b == f.delimiter {
                fields.push(FieldSpan {
                    start,
                    end: i,
                    quoted: was_quoted,
                });
                start = i + 1;
                was_quoted = false;
            }
        } else if b == b'\\' {
            i += 2;
            continue;
        } else if b == f.delimiter {
            fields.push(FieldSpan {
                start,
                end: i,
                quoted: false,
            });
            start = i + 1;
        }
        i += 1;
    }
    fields.push(FieldSpan {
        start,
        end: body.len().max(start),
        quoted: was_quoted,
    });
}

/// The value of a COPY field into `out`; `false` for NULL.
pub fn field(raw: &[u8], span: &FieldSpan, f: &CopyFormat, out: &mut Vec<u8>) -> bool {
    out.clear();
    if !span.quoted && raw == f.null.as_slice() {
        return false;
    }
    if f.csv {
        let mut quoted = false;
        let mut i = 0;
        while i < raw.len() {
            let b = raw[i];
            if quoted {
                if b == f.escape
                    && i + 1 < raw.len()
                    && (raw[i + 1] == f.quote || raw[i + 1] == f.escape)
                {
                    out.push(raw[i + 1]);
                    i += 2;
                    continue;
                }
                if b == f.quote {
                    quoted = false;
                } else {
                    out.push(b);
                }
            } else if b == f.quote {
                quoted = true;
            } else {
                out.push(b);
            }
            i += 1;
        }
        return true;
    }
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
                b'x' => {
                    let mut v = 0u8;
                    let mut n = 0;
                    while n < 2 && i < raw.len() {
                        let Some(d) = hex_digit(raw[i]) else { break };
                        v = v << 4 | d;
                        i += 1;
                        n += 1;
                    }
                    out.push(if n == 0 { b'x' } else { v });
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

/// Writes a value as a COPY field of format `f`.
pub fn write_field(v: &[u8], f: &CopyFormat, out: &mut Vec<u8>) {
    if f.csv {
        out.push(f.quote);
        for &b in v {
            if b == f.quote || (b == f.escape && f.escape != f.quote) {
                out.push(f.escape);
            }
            out.push(b);
        }
        out.push(f.quote);
        return;
    }
    for &b in v {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ if b == f.delimiter => out.extend_from_slice(&[b'\\', b]),
            _ => out.push(b),
        }
    }
}

/// Writes NULL as a COPY field of format `f`.
pub fn write_null(f: &CopyFormat, out: &mut Vec<u8>) {
    out.extend_from_slice(&f.null);
}

/// Does a statement that is not read as data still hold a data statement: one that starts
/// with `WITH` or with no keyword at all (say, after an unknown client command) and has an
/// INSERT, REPLACE or COPY in it? Such a statement is never passed over in silence.
pub fn hides_data(text: &[u8], first: usize, syntax: &Syntax) -> bool {
    let mut cur = Cursor::new(text, syntax, first);
    let Some(t) = cur.bump() else {
        return false;
    };
    if t.tok == Tok::Word && !cur.bytes(t).eq_ignore_ascii_case(b"WITH") {
        return false;
    }
    while let Some(t) = cur.bump() {
        if t.tok == Tok::Word && is_data_verb(cur.bytes(t)) {
            return true;
        }
    }
    false
}

/// Where `ALTER TABLE` puts a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// Where it was (or at the end, for a new column).
    Stays,
    /// `FIRST`.
    First,
    /// `AFTER column`.
    After(String),
}

/// One action of an `ALTER TABLE` that changes the columns or their order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlterOp {
    /// `ADD [COLUMN] [IF NOT EXISTS] name type … [FIRST | AFTER x]`.
    Add {
        /// The new column.
        name: String,
        /// Its type is binary.
        binary: bool,
        /// Where it goes.
        place: Place,
    },
    /// `DROP [COLUMN] [IF EXISTS] name`; whether `IF EXISTS` was said.
    Drop(String, bool),
    /// `CHANGE old new type …`, `MODIFY name type …`, `ALTER COLUMN name TYPE …`.
    Change {
        /// The column's name before.
        old: String,
        /// Its name after.
        new: String,
        /// Its new type is binary (`None`: the type did not change).
        binary: Option<bool>,
        /// Where it goes.
        place: Place,
    },
    /// `RENAME [COLUMN] old TO new`.
    Rename(String, String),
    /// `RENAME TO table`.
    RenameTable(Vec<String>),
    /// An action that changes the columns in a way not followed: what it is.
    Unknown(String),
}

/// `ALTER TABLE [ONLY] [IF EXISTS] name action, …`: the actions that touch the columns.
fn alter_table(cur: &mut Cursor<'_>) -> Parsed {
    let _ = cur.eat_word("ONLINE") || cur.eat_word("IGNORE");
    if !cur.eat_word("TABLE") {
        return Parsed::Other;
    }
    if cur.eat_word("IF") {
        cur.eat_word("EXISTS");
    }
    cur.eat_word("ONLY");
    let Some(table) = qualified(cur) else {
        return Parsed::Other;
    };
    cur.eat(b'*');
    // The actions, split at top-level commas.
    let mut actions: Vec<Vec<Token>> = vec![Vec::new()];
    let mut depth = 0usize;
    while let Some(t) = cur.bump() {
        match t.tok {
            Tok::End => break,
            Tok::Punct(b'(') => depth += 1,
            Tok::Punct(b')') => depth = depth.saturating_sub(1),
            Tok::Punct(b',') if depth == 0 => {
                actions.push(Vec::new());
                continue;
            }
            _ => {}
        }
        if let Some(a) = actions.last_mut() {
            a.push(t);
        }
    }
    let text = cur.text;
    let ops = actions
        .iter()
        .filter(|a| !a.is_empty())
        .filter_map(|a| alter_action(text, a))
        .collect();
    Parsed::AlterTable { table, ops }
}

/// `DROP TABLE [IF EXISTS] a, b …`.
fn drop_table(cur: &mut Cursor<'_>) -> Parsed {
    let _ = cur.eat_word("TEMPORARY");
    if !cur.eat_word("TABLE") {
        return Parsed::Other;
    }
    if cur.eat_word("IF") {
        cur.eat_word("EXISTS");
    }
    let mut tables = Vec::new();
    while let Some(t) = qualified(cur) {
        tables.push(t);
        if !cur.eat(b',') {
            break;
        }
    }
    Parsed::DropTable(tables)
}

/// Words after `ADD` that add no column.
const NOT_A_COLUMN: &[&str] = &[
    "CONSTRAINT",
    "PRIMARY",
    "UNIQUE",
    "INDEX",
    "KEY",
    "FOREIGN",
    "FULLTEXT",
    "SPATIAL",
    "CHECK",
    "PERIOD",
    "PARTITION",
    "EXCLUDE",
    "SYSTEM",
];

/// One action's effect on the columns (`None`: it changes none).
fn alter_action(text: &[u8], a: &[Token]) -> Option<AlterOp> {
    let word = |i: usize| {
        a.get(i)
            .filter(|t| t.tok == Tok::Word)
            .map(|t| String::from_utf8_lossy(&text[t.start..t.end]).to_ascii_uppercase())
    };
    let name = |i: usize| {
        a.get(i)
            .filter(|t| matches!(t.tok, Tok::Word | Tok::Quoted(_)))
            .map(|t| ident(&text[t.start..t.end], t.tok))
    };
    let is = |i: usize, w: &str| word(i).as_deref() == Some(w);
    let binary_at = |i: usize| word(i).is_some_and(|w| super::binary::is_binary_type(&w));
    // `FIRST` or `AFTER x` at the top level of the action.
    let place = || {
        let mut depth = 0usize;
        for (k, t) in a.iter().enumerate() {
            match t.tok {
                Tok::Punct(b'(') => depth += 1,
                Tok::Punct(b')') => depth = depth.saturating_sub(1),
                _ if depth > 0 => {}
                _ if is(k, "FIRST") => return Place::First,
                _ if is(k, "AFTER") => {
                    return name(k + 1).map_or(Place::After(String::new()), Place::After)
                }
                _ => {}
            }
        }
        Place::Stays
    };
    let verb = word(0)?;
    let mut i = 1;
    match verb.as_str() {
        "ADD" => {
            if NOT_A_COLUMN.iter().any(|w| is(1, w)) {
                return None;
            }
            if is(i, "COLUMN") {
                i += 1;
            }
            if is(i, "IF") && is(i + 1, "NOT") && is(i + 2, "EXISTS") {
                i += 3;
            }
            if a.get(i).is_some_and(|t| t.tok == Tok::Punct(b'(')) {
                return Some(AlterOp::Unknown(
                    "ADD of a parenthesised column list".to_string(),
                ));
            }
            let Some(column) = name(i) else {
                return Some(AlterOp::Unknown("ADD without a column name".to_string()));
            };
            Some(AlterOp::Add {
                name: column,
                binary: binary_at(i + 1),
                place: place(),
            })
        }
        "DROP" => {
            if NOT_A_COLUMN.iter().any(|w| is(1, w)) || is(1, "DEFAULT") {
                return None;
            }
            if is(i, "COLUMN") {
                i += 1;
            }
            let if_exists = is(i, "IF") && is(i + 1, "EXISTS");
            if if_exists {
                i += 2;
            }
            match name(i) {
                Some(column) => Some(AlterOp::Drop(column, if_exists)),
                None => Some(AlterOp::Unknown("DROP without a column name".to_string())),
            }
        }
        "CHANGE" | "MODIFY" => {
            if is(i, "COLUMN") {
                i += 1;
            }
            if is(i, "IF") && is(i + 1, "EXISTS") {
                i += 2;
            }
            let old = name(i)?;
            let (new, ty) = if verb == "CHANGE" {
                (name(i + 1)?, i + 2)
            } else {
                (old.clone(), i + 1)
            };
            Some(AlterOp::Change {
                old,
                new,
                binary: Some(binary_at(ty)),
                place: place(),
            })
        }
        "ALTER" => {
            if is(i, "COLUMN") {
                i += 1;
            }
            let old = name(i)?;
            // `TYPE x` or `SET DATA TYPE x`: the type changes, the place does not.
            let ty = if is(i + 1, "TYPE") {
                Some(i + 2)
            } else if is(i + 1, "SET") && is(i + 2, "DATA") && is(i + 3, "TYPE") {
                Some(i + 4)
            } else {
                None
            };
            ty.map(|ty| AlterOp::Change {
                new: old.clone(),
                old,
                binary: Some(binary_at(ty)),
                place: Place::Stays,
            })
        }
        "RENAME" => {
            if is(1, "TO") || is(1, "AS") {
                let mut parts = Vec::new();
                let mut k = 2;
                while let Some(p) = name(k) {
                    parts.push(p);
                    if !a.get(k + 1).is_some_and(|t| t.tok == Tok::Punct(b'.')) {
                        break;
                    }
                    k += 2;
                }
                return Some(AlterOp::RenameTable(parts));
            }
            if NOT_A_COLUMN.iter().any(|w| is(1, w)) {
                return None;
            }
            if is(i, "COLUMN") {
                i += 1;
            }
            match (name(i), is(i + 1, "TO"), name(i + 2)) {
                (Some(old), true, Some(new)) => Some(AlterOp::Rename(old, new)),
                _ => Some(AlterOp::Unknown(
                    "RENAME not of the form a TO b".to_string(),
                )),
            }
        }
        _ => None,
    }
}
