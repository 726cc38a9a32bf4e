//! The one SQL lexer of the dump reader and the dump rewriter: tokens of PostgreSQL and
//! MySQL / MariaDB (strings with `''` and, where the dialect has them, backslash escapes,
//! `E''`, `N''`, `X''`, `B''`, dollar quoting, `"…"` and `` `…` `` identifiers, `--`, `#` and
//! (nested in PostgreSQL) `/* */` comments, MySQL's `/*!40101 … */` conditional code), and a
//! streaming [`Splitter`] that cuts a dump into statements, client commands and COPY data
//! records. The lexer is resumable: a token cut by the end of a read block is continued where
//! it stopped, so every input byte is looked at a bounded number of times (linear time).

use std::io::{self, Read};

/// The SQL dialect of a dump.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// PostgreSQL (pg_dump, psql scripts).
    Postgres,
    /// MySQL or MariaDB (mysqldump, mariadb-dump).
    MySql,
}

/// What the lexer must know of the dialect and the session.
#[derive(Debug, Clone)]
pub struct Syntax {
    /// The dialect.
    pub dialect: Dialect,
    /// PostgreSQL with `standard_conforming_strings = off`: `'…'` takes backslash escapes.
    pub pg_backslash: bool,
    /// The statement delimiter (the mysql client's `DELIMITER`), `;` by default.
    pub delimiter: Vec<u8>,
    /// MySQL with `sql_mode` `NO_BACKSLASH_ESCAPES`: a backslash in a string is a backslash.
    pub no_backslash: bool,
    /// MySQL with `sql_mode` `ANSI_QUOTES` (or `ANSI`): `"…"` is an identifier.
    pub ansi_quotes: bool,
    /// MySQL user variables holding a saved `sql_mode` (`SET @OLD_SQL_MODE=@@SQL_MODE`),
    /// lower-cased, with the two flags above as they were saved.
    pub saved_modes: Vec<(String, bool, bool)>,
}

impl Syntax {
    /// The default session of a dialect.
    pub fn new(dialect: Dialect) -> Syntax {
        Syntax {
            dialect,
            pg_backslash: false,
            delimiter: b";".to_vec(),
            no_backslash: false,
            ansi_quotes: false,
            saved_modes: Vec::new(),
        }
    }

    fn mysql(&self) -> bool {
        self.dialect == Dialect::MySql
    }

    /// Whether a plain `'…'` string takes backslash escapes in this session.
    pub fn backslash_strings(&self) -> bool {
        match self.dialect {
            Dialect::MySql => !self.no_backslash,
            Dialect::Postgres => self.pg_backslash,
        }
    }
}

/// How a string literal is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StrKind {
    /// Backslash escapes apply (MySQL, `E'…'`, PostgreSQL with standard strings off).
    pub escapes: bool,
    /// The prefix letter, upper case (`E`, `N`, `X`, `B`), or 0.
    pub prefix: u8,
    /// The quote byte.
    pub quote: u8,
}

/// A token's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    /// An unquoted identifier or keyword (also `$1` parameters).
    Word,
    /// A number, `0x…` hex literals included.
    Number,
    /// A quoted identifier (`"…"` in PostgreSQL, `` `…` `` in MySQL).
    Quoted(u8),
    /// A string literal; the span covers the prefix and the quotes.
    Str(StrKind),
    /// A dollar-quoted string; `tag_len` is the length of the tag between the dollars.
    Dollar {
        /// Length of the tag.
        tag_len: usize,
    },
    /// Any other single byte.
    Punct(u8),
    /// The statement delimiter.
    End,
}

/// A token and where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub tok: Tok,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// What the lexer found next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A token.
    Token(Token),
    /// The buffer ends inside a token or comment: append more input and call again.
    NeedMore,
    /// Only whitespace and comments remained (at the end of input).
    Eof,
    /// The input ended inside a construct (`what`) that began at byte `start`.
    Unterminated {
        /// What was left open.
        what: &'static str,
        /// Where it began.
        start: usize,
    },
}

#[derive(Debug, Clone, Copy)]
enum PendKind {
    Str(StrKind),
    Dollar(usize),
    Quoted(u8),
    Word,
    Number,
    LineComment,
    Block(u32),
}

#[derive(Debug, Clone, Copy)]
struct Pending {
    kind: PendKind,
    start: usize,
    scanned: usize,
}

/// A resumable SQL lexer over a growing buffer.
#[derive(Debug, Clone)]
pub struct Lexer {
    /// The dialect and session.
    pub syntax: Syntax,
    /// Where the next token is looked for.
    pub pos: usize,
    in_conditional: bool,
    pending: Option<Pending>,
    /// Bytes looked at (for the linearity test).
    pub steps: u64,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

impl Lexer {
    /// A lexer at the start of a buffer.
    pub fn new(syntax: Syntax) -> Lexer {
        Lexer {
            syntax,
            pos: 0,
            in_conditional: false,
            pending: None,
            steps: 0,
        }
    }

    /// The buffer lost its first `by` bytes.
    pub fn shift(&mut self, by: usize) {
        self.pos = self.pos.saturating_sub(by);
        if let Some(p) = self.pending.as_mut() {
            p.start = p.start.saturating_sub(by);
            p.scanned = p.scanned.saturating_sub(by);
        }
    }

    /// The next token of `buf` from [`Lexer::pos`]; `eof` when no more input will come.
    pub fn next(&mut self, buf: &[u8], eof: bool) -> Step {
        loop {
            if let Some(p) = self.pending {
                match self.resume(p, buf, eof) {
                    Resumed::Token(t) => return Step::Token(t),
                    Resumed::Trivia(end) => {
                        self.pos = end;
                        continue;
                    }
                    Resumed::More(scanned) => {
                        if eof {
                            self.pending = None;
                            return Step::Unterminated {
                                what: pending_what(p.kind),
                                start: p.start,
                            };
                        }
                        let cur = self.pending.unwrap_or(p);
                        self.pending = Some(Pending { scanned, ..cur });
                        return Step::NeedMore;
                    }
                }
            }
            let start = self.pos;
            while self.pos < buf.len() && buf[self.pos].is_ascii_whitespace() {
                self.pos += 1;
            }
            self.steps += (self.pos - start) as u64 + 1;
            let pos = self.pos;
            let Some(&c) = buf.get(pos) else {
                return if eof { Step::Eof } else { Step::NeedMore };
            };
            let at = |i: usize| buf.get(pos + i).copied();
            // Lookahead past the buffer end: wait for more unless the input ended.
            macro_rules! need {
                ($i:expr) => {
                    if at($i).is_none() && !eof {
                        return Step::NeedMore;
                    }
                };
            }
            let delim = &self.syntax.delimiter;
            if delim.as_slice() != b";" && c == delim[0] {
                let have = &buf[pos..buf.len().min(pos + delim.len())];
                if have == delim.as_slice() {
                    return self.token(Tok::End, pos, pos + delim.len());
                }
                if !eof && delim.starts_with(have) {
                    return Step::NeedMore;
                }
            }
            let mysql = self.syntax.mysql();
            match c {
                b';' if delim.as_slice() == b";" => return self.token(Tok::End, pos, pos + 1),
                b'-' => {
                    need!(1);
                    if at(1) == Some(b'-') {
                        if mysql {
                            need!(2);
                        }
                        let after = at(2);
                        if !mysql || after.is_none_or(|b| b.is_ascii_whitespace() || b < 32) {
                            self.pend(PendKind::LineComment, pos, pos + 2);
                            continue;
                        }
                    }
                    return self.token(Tok::Punct(c), pos, pos + 1);
                }
                b'#' if mysql => {
                    self.pend(PendKind::LineComment, pos, pos + 1);
                    continue;
                }
                b'/' => {
                    need!(1);
                    if at(1) == Some(b'*') {
                        if mysql {
                            need!(2);
                            need!(3);
                            let bang = match (at(2), at(3)) {
                                (Some(b'!'), _) => Some(3),
                                (Some(b'M'), Some(b'!')) => Some(4),
                                _ => None,
                            };
                            if let Some(skip) = bang {
                                // Conditional code: the body is SQL; skip the version digits.
                                let mut i = pos + skip;
                                while i < buf.len() && buf[i].is_ascii_digit() {
                                    i += 1;
                                }
                                if i == buf.len() && !eof {
                                    return Step::NeedMore;
                                }
                                if buf.get(i) == Some(&b'\\') {
                                    // `/*M!999999\- enable the sandbox mode */`: a client
                                    // command for the mariadb tool, no SQL.
                                    self.pend(PendKind::Block(1), pos, pos + 2);
                                    continue;
                                }
                                self.in_conditional = true;
                                self.pos = i;
                                continue;
                            }
                        }
                        self.pend(PendKind::Block(1), pos, pos + 2);
                        continue;
                    }
                    return self.token(Tok::Punct(c), pos, pos + 1);
                }
                b'*' if self.in_conditional => {
                    need!(1);
                    if at(1) == Some(b'/') {
                        self.in_conditional = false;
                        self.pos = pos + 2;
                        continue;
                    }
                    return self.token(Tok::Punct(c), pos, pos + 1);
                }
                b'\'' => {
                    let escapes = self.syntax.backslash_strings();
                    let kind = StrKind {
                        escapes,
                        prefix: 0,
                        quote: b'\'',
                    };
                    self.pend(PendKind::Str(kind), pos, pos + 1);
                }
                b'"' if mysql && !self.syntax.ansi_quotes => {
                    let kind = StrKind {
                        escapes: !self.syntax.no_backslash,
                        prefix: 0,
                        quote: b'"',
                    };
                    self.pend(PendKind::Str(kind), pos, pos + 1);
                }
                b'"' => self.pend(PendKind::Quoted(b'"'), pos, pos + 1),
                b'`' if mysql => self.pend(PendKind::Quoted(b'`'), pos, pos + 1),
                b'$' if !mysql => {
                    need!(1);
                    match at(1) {
                        Some(b) if b.is_ascii_digit() => self.pend(PendKind::Word, pos, pos + 1),
                        Some(b'$') => self.pend(PendKind::Dollar(0), pos, pos + 2),
                        Some(b) if is_ident_start(b) => {
                            let mut i = pos + 1;
                            while i < buf.len() && is_ident(buf[i]) && buf[i] != b'$' {
                                i += 1;
                            }
                            self.steps += (i - pos) as u64;
                            match buf.get(i) {
                                None if !eof => return Step::NeedMore,
                                Some(b'$') => {
                                    self.pend(PendKind::Dollar(i - pos - 1), pos, i + 1);
                                }
                                _ => return self.token(Tok::Punct(c), pos, pos + 1),
                            }
                        }
                        _ => return self.token(Tok::Punct(c), pos, pos + 1),
                    }
                }
                b'0'..=b'9' => self.pend(PendKind::Number, pos, pos + 1),
                b'.' if at(1).is_some_and(|b| b.is_ascii_digit()) => {
                    self.pend(PendKind::Number, pos, pos + 1)
                }
                b if is_ident_start(b) => self.pend(PendKind::Word, pos, pos + 1),
                _ => return self.token(Tok::Punct(c), pos, pos + 1),
            }
        }
    }

    fn token(&mut self, tok: Tok, start: usize, end: usize) -> Step {
        self.pending = None;
        self.pos = end;
        Step::Token(Token { tok, start, end })
    }

    fn pend(&mut self, kind: PendKind, start: usize, scanned: usize) {
        self.pending = Some(Pending {
            kind,
            start,
            scanned,
        });
    }

    fn resume(&mut self, p: Pending, buf: &[u8], eof: bool) -> Resumed {
        let mut i = p.scanned;
        let before = i;
        let out = match p.kind {
            PendKind::Str(k) => loop {
                let found = if k.escapes {
                    memchr::memchr2(k.quote, b'\\', &buf[i..])
                } else {
                    memchr::memchr(k.quote, &buf[i..])
                };
                let Some(off) = found else {
                    break Resumed::More(buf.len());
                };
                let j = i + off;
                if j + 1 >= buf.len() && !eof {
                    break Resumed::More(j);
                }
                if buf[j] == b'\\' {
                    i = j + 2;
                    if i > buf.len() {
                        break Resumed::More(buf.len());
                    }
                } else if buf.get(j + 1) == Some(&k.quote) {
                    i = j + 2;
                } else {
                    break self.done(Tok::Str(k), p.start, j + 1);
                }
            },
            PendKind::Dollar(tag_len) => loop {
                let Some(off) = memchr::memchr(b'$', &buf[i..]) else {
                    break Resumed::More(buf.len());
                };
                let j = i + off;
                let close = tag_len + 2;
                if j + close > buf.len() {
                    if eof {
                        break Resumed::More(buf.len());
                    }
                    break Resumed::More(j);
                }
                if buf[j..j + close] == buf[p.start..p.start + close] {
                    break self.done(Tok::Dollar { tag_len }, p.start, j + close);
                }
                i = j + 1;
            },
            PendKind::Quoted(q) => loop {
                let Some(off) = memchr::memchr(q, &buf[i..]) else {
                    break Resumed::More(buf.len());
                };
                let j = i + off;
                if j + 1 >= buf.len() && !eof {
                    break Resumed::More(j);
                }
                if buf.get(j + 1) == Some(&q) {
                    i = j + 2;
                } else {
                    break self.done(Tok::Quoted(q), p.start, j + 1);
                }
            },
            PendKind::Word => {
                while i < buf.len() && is_ident(buf[i]) {
                    i += 1;
                }
                if i == buf.len() && !eof {
                    Resumed::More(i)
                } else {
                    self.word_end(p.start, i, buf, eof)
                }
            }
            PendKind::Number => {
                while i < buf.len() {
                    let b = buf[i];
                    let sign = (b == b'+' || b == b'-')
                        && matches!(buf[i - 1], b'e' | b'E')
                        && !matches!(buf.get(p.start + 1), Some(b'x' | b'X'));
                    if !(b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || sign) {
                        break;
                    }
                    i += 1;
                }
                if i == buf.len() && !eof {
                    Resumed::More(i)
                } else {
                    self.done(Tok::Number, p.start, i)
                }
            }
            PendKind::LineComment => match memchr::memchr(b'\n', &buf[i..]) {
                Some(off) => {
                    self.pending = None;
                    Resumed::Trivia(i + off + 1)
                }
                None if eof => {
                    self.pending = None;
                    Resumed::Trivia(buf.len())
                }
                None => Resumed::More(buf.len()),
            },
            PendKind::Block(mut depth) => loop {
                let Some(off) = memchr::memchr2(b'*', b'/', &buf[i..]) else {
                    self.pending = Some(Pending {
                        kind: PendKind::Block(depth),
                        ..p
                    });
                    break Resumed::More(buf.len());
                };
                let j = i + off;
                if j + 1 >= buf.len() {
                    self.pending = Some(Pending {
                        kind: PendKind::Block(depth),
                        ..p
                    });
                    break Resumed::More(j);
                }
                if buf[j] == b'*' && buf[j + 1] == b'/' {
                    depth -= 1;
                    i = j + 2;
                    if depth == 0 {
                        self.pending = None;
                        break Resumed::Trivia(i);
                    }
                } else if buf[j] == b'/' && buf[j + 1] == b'*' && !self.syntax.mysql() {
                    depth += 1;
                    i = j + 2;
                } else {
                    i = j + 1;
                }
            },
        };
        let upto = match out {
            Resumed::Token(t) => t.end,
            Resumed::Trivia(e) => e,
            Resumed::More(s) => s,
        };
        self.steps += upto.saturating_sub(before) as u64 + 1;
        out
    }

    fn done(&mut self, tok: Tok, start: usize, end: usize) -> Resumed {
        self.pending = None;
        self.pos = end;
        Resumed::Token(Token { tok, start, end })
    }

    /// A word ended at `end`: a one-letter prefix before a quote makes a string.
    fn word_end(&mut self, start: usize, end: usize, buf: &[u8], eof: bool) -> Resumed {
        if end - start == 1 && buf.get(end) == Some(&b'\'') {
            let letter = buf[start].to_ascii_uppercase();
            let mysql = self.syntax.mysql();
            let escapes = match letter {
                b'E' if !mysql => Some(true),
                b'N' => Some(self.syntax.backslash_strings()),
                b'X' | b'B' => Some(false),
                _ => None,
            };
            if let Some(escapes) = escapes {
                let kind = StrKind {
                    escapes,
                    prefix: letter,
                    quote: b'\'',
                };
                let p = Pending {
                    kind: PendKind::Str(kind),
                    start,
                    scanned: end + 1,
                };
                self.pending = Some(p);
                return self.resume(p, buf, eof);
            }
        }
        self.done(Tok::Word, start, end)
    }
}

enum Resumed {
    Token(Token),
    Trivia(usize),
    More(usize),
}

fn pending_what(kind: PendKind) -> &'static str {
    match kind {
        PendKind::Str(_) => "a string",
        PendKind::Dollar(_) => "a dollar-quoted string",
        PendKind::Quoted(_) => "a quoted identifier",
        PendKind::Block(_) => "a /* comment */",
        PendKind::Word | PendKind::Number | PendKind::LineComment => "a statement",
    }
}

/// Guesses the dialect from the start of a dump.
pub fn detect_dialect(head: &[u8]) -> Dialect {
    let has = |m: &[u8]| memchr::memmem::find(head, m).is_some();
    if has(b"PostgreSQL database dump") || has(b"\nCOPY ") || head.starts_with(b"COPY ") {
        return Dialect::Postgres;
    }
    if has(b"MySQL dump")
        || has(b"MariaDB dump")
        || has(b"/*!40")
        || has(b"/*M!")
        || has(b"`")
        || has(b"\\'")
    {
        return Dialect::MySql;
    }
    Dialect::Postgres
}

/// The data format of a `COPY … FROM STDIN` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyFormat {
    /// CSV rather than text.
    pub csv: bool,
    /// Field delimiter.
    pub delimiter: u8,
    /// The string that stands for NULL.
    pub null: Vec<u8>,
    /// CSV quote.
    pub quote: u8,
    /// CSV escape.
    pub escape: u8,
    /// CSV: the first record is a header.
    pub header: bool,
}

impl Default for CopyFormat {
    fn default() -> Self {
        CopyFormat {
            csv: false,
            delimiter: b'\t',
            null: b"\\N".to_vec(),
            quote: b'"',
            escape: b'"',
            header: false,
        }
    }
}

/// What a piece of the dump is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PieceKind {
    /// A complete statement (with the whitespace and comments before it and its delimiter).
    Statement,
    /// A client command line (`\restrict`, `\connect`, `DELIMITER ;;`).
    Command,
    /// One record of COPY data, with its line ending.
    CopyRow,
    /// The `\.` line that ends COPY data.
    CopyEnd,
    /// Whitespace and comments (the rest of a COPY line, the end of the dump).
    Trivia,
    /// The input ended inside a statement: `what` was left open.
    Incomplete(&'static str),
    /// The input ended inside COPY data (no `\.`).
    CopyCut,
}

/// A piece of the dump; consecutive pieces cover the input byte for byte.
#[derive(Debug)]
pub struct Piece<'a> {
    /// What it is.
    pub kind: PieceKind,
    /// The session the piece was lexed in.
    pub syntax: &'a Syntax,
    /// Its bytes.
    pub text: &'a [u8],
    /// The line of its first token (of the piece for data and trivia).
    pub line: u64,
    /// Offset in `text` of its first token.
    pub first: usize,
    /// For [`PieceKind::Incomplete`]: the line where the open construct began.
    pub open_line: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Mode {
    Sql,
    /// Skip the rest of the COPY line, then read records.
    CopyLineRest(CopyFormat),
    Copy(CopyFormat),
    Done,
}

const CHUNK: usize = 256 * 1024;

/// Cuts a dump into [`Piece`]s, reading it block by block.
pub struct Splitter<R> {
    input: R,
    buf: Vec<u8>,
    block: Vec<u8>,
    start: usize,
    eof: bool,
    lexer: Lexer,
    detected: bool,
    line: u64,
    counted: usize,
    first: Option<(usize, u64)>,
    mode: Mode,
    csv_scan: (usize, bool),
    /// The dialect when the caller knows it.
    forced: Option<Dialect>,
}

impl<R: Read> Splitter<R> {
    /// A splitter; the dialect is guessed from the first block unless given.
    pub fn new(input: R, dialect: Option<Dialect>) -> Self {
        Splitter {
            input,
            buf: Vec::with_capacity(CHUNK),
            block: Vec::new(),
            start: 0,
            eof: false,
            lexer: Lexer::new(Syntax::new(dialect.unwrap_or(Dialect::Postgres))),
            detected: false,
            line: 1,
            counted: 0,
            first: None,
            mode: Mode::Sql,
            csv_scan: (0, false),
            forced: dialect,
        }
    }

    /// The lexer's session (the caller updates it after `SET standard_conforming_strings`).
    pub fn syntax(&mut self) -> &mut Syntax {
        &mut self.lexer.syntax
    }

    /// Bytes the lexer looked at so far.
    pub fn steps(&self) -> u64 {
        self.lexer.steps
    }

    /// The statement just returned was `COPY … FROM STDIN`: data records follow its line.
    pub fn begin_copy(&mut self, format: CopyFormat) {
        self.mode = Mode::CopyLineRest(format);
    }

    fn line_at(&mut self, pos: usize) -> u64 {
        if pos > self.counted {
            self.line += memchr::memchr_iter(b'\n', &self.buf[self.counted..pos]).count() as u64;
            self.counted = pos;
        }
        self.line
    }

    fn refill(&mut self) -> io::Result<()> {
        if self.start > 0 {
            self.line_at(self.start);
            let by = self.start;
            self.buf.drain(..by);
            self.lexer.shift(by);
            self.counted -= by;
            if let Some((f, _)) = self.first.as_mut() {
                *f -= by;
            }
            self.csv_scan.0 = self.csv_scan.0.saturating_sub(by);
            self.start = 0;
        }
        // Read into a block of its own: a reader that returns little at a time (a gzip
        // stream) costs no more than one that fills the block.
        self.block.resize(CHUNK, 0);
        let got = loop {
            match self.input.read(&mut self.block) {
                Ok(g) => break g,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        self.buf.extend_from_slice(&self.block[..got]);
        if got == 0 {
            self.eof = true;
        }
        Ok(())
    }

    fn emit(&mut self, kind: PieceKind, end: usize, open_line: u64) -> Piece<'_> {
        let start = self.start;
        let (first, line) = match self.first.take() {
            Some((f, l)) => (f - start, l),
            None => (0, self.line_at(start)),
        };
        self.start = end;
        Piece {
            kind,
            syntax: &self.lexer.syntax,
            text: &self.buf[start..end],
            line,
            first,
            open_line,
        }
    }

    /// The next piece, `None` at the end of the input.
    ///
    /// # Errors
    /// Read errors of the input.
    pub fn next_piece(&mut self) -> io::Result<Option<Piece<'_>>> {
        if !self.detected {
            while !self.eof && self.buf.len() < 64 * 1024 {
                self.refill()?;
            }
            let dialect = self
                .forced
                .unwrap_or_else(|| detect_dialect(&self.buf[..self.buf.len().min(64 * 1024)]));
            self.lexer.syntax.dialect = dialect;
            self.detected = true;
        }
        loop {
            match std::mem::replace(&mut self.mode, Mode::Done) {
                Mode::Done => return Ok(None),
                Mode::Sql => {
                    self.mode = Mode::Sql;
                    if let Some(kind) = self.sql_step()? {
                        let (kind, end, open) = kind;
                        return Ok(Some(self.emit(kind, end, open)));
                    }
                }
                Mode::CopyLineRest(f) => match memchr::memchr(b'\n', &self.buf[self.start..]) {
                    Some(off) => {
                        let end = self.start + off + 1;
                        self.mode = Mode::Copy(f);
                        self.lexer.pos = end;
                        self.csv_scan = (end, false);
                        return Ok(Some(self.emit(PieceKind::Trivia, end, 0)));
                    }
                    None if self.eof => {
                        let end = self.buf.len();
                        self.mode = Mode::Done;
                        return Ok(Some(self.emit(PieceKind::CopyCut, end, 0)));
                    }
                    None => {
                        self.mode = Mode::CopyLineRest(f);
                        self.refill()?;
                    }
                },
                Mode::Copy(f) => {
                    let found = self.record_end(&f);
                    match found {
                        Some(end) => {
                            let rec = &self.buf[self.start..end];
                            let body = rec.strip_suffix(b"\n").unwrap_or(rec);
                            let body = body.strip_suffix(b"\r").unwrap_or(body);
                            let kind = if body == b"\\." {
                                self.mode = Mode::Sql;
                                self.lexer.pos = end;
                                PieceKind::CopyEnd
                            } else {
                                self.mode = Mode::Copy(f);
                                PieceKind::CopyRow
                            };
                            self.csv_scan = (end, false);
                            return Ok(Some(self.emit(kind, end, 0)));
                        }
                        None if self.eof => {
                            let end = self.buf.len();
                            if end > self.start {
                                // A last record without a line ending, then the cut.
                                let rec = &self.buf[self.start..end];
                                if rec == b"\\." {
                                    self.mode = Mode::Sql;
                                    self.lexer.pos = end;
                                    return Ok(Some(self.emit(PieceKind::CopyEnd, end, 0)));
                                }
                                // A `\.` line cut after its backslash is no record.
                                if rec == b"\\" {
                                    self.mode = Mode::Done;
                                    return Ok(Some(self.emit(PieceKind::CopyCut, end, 0)));
                                }
                                self.mode = Mode::Copy(f);
                                self.csv_scan = (end, false);
                                return Ok(Some(self.emit(PieceKind::CopyRow, end, 0)));
                            }
                            self.mode = Mode::Done;
                            return Ok(Some(self.emit(PieceKind::CopyCut, end, 0)));
                        }
                        None => {
                            self.mode = Mode::Copy(f);
                            self.refill()?;
                        }
                    }
                }
            }
        }
    }

    /// The end (after its line ending) of the COPY record at `start`, if in the buffer.
    fn record_end(&mut self, f: &CopyFormat) -> Option<usize> {
        let (mut i, mut quoted) = self.csv_scan;
        if i < self.start {
            i = self.start;
            quoted = false;
        }
        let buf = &self.buf;
        let begin = i;
        let out = if !f.csv {
            memchr::memchr(b'\n', &buf[i..]).map(|off| i + off + 1)
        } else {
            let mut found = None;
            while i < buf.len() {
                let b = buf[i];
                if quoted {
                    if b == f.escape && f.escape != f.quote {
                        if i + 1 >= buf.len() {
                            break;
                        }
                        if buf[i + 1] == f.quote || buf[i + 1] == f.escape {
                            i += 2;
                            continue;
                        }
                    }
                    if b == f.quote {
                        quoted = false;
                    }
                } else if b == f.quote {
                    quoted = true;
                } else if b == b'\n' {
                    found = Some(i + 1);
                    break;
                }
                i += 1;
            }
            found
        };
        self.lexer.steps += (i.max(begin) - begin) as u64 + 1;
        if out.is_none() {
            self.csv_scan = (i, quoted);
        }
        out
    }

    /// Lexes on to the end of a statement or command; `None` when more input was read.
    fn sql_step(&mut self) -> io::Result<Option<(PieceKind, usize, u64)>> {
        let lexer = &mut self.lexer;
        match lexer.next(&self.buf, self.eof) {
            Step::NeedMore => {
                self.refill()?;
                Ok(None)
            }
            Step::Eof => {
                let end = self.buf.len();
                self.mode = Mode::Done;
                if let Some((f, _)) = self.first {
                    let open = self.line_at(f);
                    return Ok(Some((PieceKind::Incomplete("a statement"), end, open)));
                }
                if end > self.start {
                    Ok(Some((PieceKind::Trivia, end, 0)))
                } else {
                    Ok(None)
                }
            }
            Step::Unterminated { what, start } => {
                let end = self.buf.len();
                self.mode = Mode::Done;
                let open = self.line_at(start);
                if self.first.is_none() {
                    self.first = Some((start, open));
                }
                Ok(Some((PieceKind::Incomplete(what), end, open)))
            }
            Step::Token(t) => {
                let is_first = self.first.is_none();
                if is_first {
                    let line = self.line_at(t.start);
                    self.first = Some((t.start, line));
                }
                if t.tok == Tok::End {
                    return Ok(Some((PieceKind::Statement, t.end, 0)));
                }
                if is_first {
                    let syntax = &self.lexer.syntax;
                    let word = &self.buf[t.start..t.end];
                    let command = match (syntax.dialect, t.tok) {
                        (Dialect::Postgres, Tok::Punct(b'\\')) => true,
                        (Dialect::MySql, Tok::Word) => word.eq_ignore_ascii_case(b"DELIMITER"),
                        _ => false,
                    };
                    if command {
                        return self.command_line().map(Some);
                    }
                }
                Ok(None)
            }
        }
    }

    /// A client command: the rest of its line.
    fn command_line(&mut self) -> io::Result<(PieceKind, usize, u64)> {
        loop {
            let at = self.first.map_or(self.start, |(f, _)| f);
            let end = match memchr::memchr(b'\n', &self.buf[at..]) {
                Some(off) => at + off + 1,
                None if self.eof => self.buf.len(),
                None => {
                    self.refill()?;
                    continue;
                }
            };
            let lexer = &mut self.lexer;
            lexer.pos = end;
            if lexer.syntax.dialect == Dialect::MySql {
                // DELIMITER x
                let rest = self.buf[at..end].get(9..).unwrap_or(b"").trim_ascii();
                if !rest.is_empty() {
                    lexer.syntax.delimiter = rest.to_vec();
                }
            }
            return Ok((PieceKind::Command, end, 0));
        }
    }
}
