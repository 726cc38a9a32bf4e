//! Binary values of a dump, decoded so that the text inside them is scanned: PostgreSQL
//! `bytea` in hex form (`\x6a616e…`, in COPY data and in string literals, also behind
//! `::bytea` casts and inside `decode('…', 'hex' | 'base64' | 'escape')`) and in escape form
//! (`\001…`, `\\`), and MySQL / MariaDB binary literals (`0x…`, `X'…'`, `_binary '…'`).
//! Decoding is linear in the value and never grows it. Decoded bytes that are text become the
//! cell's content; bytes that are not text are reported as [`View::Binary`] (the reader skips
//! and counts them, never silently).

use super::lex::{Dialect, Syntax, Tok};
use super::stmt::{unquote_str, value, Cursor, ValueKind, ValueSpan};

/// What the column of a value is known to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    /// Declared binary (`bytea`; MySQL `blob`, `binary`, `varbinary`, …).
    Binary,
    /// Declared with another type: its values are taken as written.
    Other,
    /// No declaration seen.
    Unknown,
}

/// How a value's bytes are to be scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// As text (decoded where it was binary).
    Text,
    /// Binary that is not text: not scanned, counted.
    Binary,
}

/// Is this a declared binary type (the first word of a column's type, any case)?
pub fn is_binary_type(word: &str) -> bool {
    matches!(
        word.to_ascii_lowercase().as_str(),
        "bytea" | "blob" | "tinyblob" | "mediumblob" | "longblob" | "binary" | "varbinary"
    )
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Hex digits (pairs, whitespace allowed between pairs as PostgreSQL allows) into bytes.
pub fn unhex(hex: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(hex.len() / 2);
    let mut i = 0;
    while i < hex.len() {
        if hex[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let hi = hex_digit(hex[i])?;
        let lo = hex_digit(*hex.get(i + 1)?)?;
        out.push(hi << 4 | lo);
        i += 2;
    }
    Some(out)
}

/// `bytea` hex form: `\x` and hex digits.
pub fn bytea_hex(v: &[u8]) -> Option<Vec<u8>> {
    let digits = v.strip_prefix(b"\\x").or_else(|| v.strip_prefix(b"\\X"))?;
    unhex(digits)
}

/// `bytea` escape form: `\\` is a backslash, `\nnn` an octal byte, other bytes as they are;
/// `None` for a lone backslash (not valid escape form).
pub fn bytea_escape(v: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        if v[i] != b'\\' {
            out.push(v[i]);
            i += 1;
            continue;
        }
        match v.get(i + 1..i + 4) {
            _ if v.get(i + 1) == Some(&b'\\') => {
                out.push(b'\\');
                i += 2;
            }
            Some([a, b, c])
                if (b'0'..=b'3').contains(a)
                    && (b'0'..=b'7').contains(b)
                    && (b'0'..=b'7').contains(c) =>
            {
                out.push((a - b'0') << 6 | (b - b'0') << 3 | (c - b'0'));
                i += 4;
            }
            _ => return None,
        }
    }
    Some(out)
}

/// Base64 (PostgreSQL's `decode(…, 'base64')`: whitespace ignored, `=` padding).
pub fn base64(v: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(v.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    let mut padded = false;
    for &b in v {
        let d = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                padded = true;
                continue;
            }
            _ if b.is_ascii_whitespace() => continue,
            _ => return None,
        };
        if padded {
            return None;
        }
        acc = acc << 6 | u32::from(d);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Are these bytes text: UTF-8 without NUL and with few control characters (tabs, line ends
/// and form feeds are text)?
pub fn is_text(b: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(b) else {
        return false;
    };
    let controls = s
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c'))
        .count();
    !s.contains('\0') && controls * 20 <= s.chars().count()
}

/// Sets `value` to `bytes` when they are text, and says how it is to be scanned.
fn settle(value: &mut Vec<u8>, bytes: Vec<u8>) -> View {
    if is_text(&bytes) {
        *value = bytes;
        View::Text
    } else {
        value.clear();
        View::Binary
    }
}

/// A PostgreSQL value (a COPY field or a string literal, already unquoted) of a column with
/// `hint`: a `bytea` in hex form is decoded in any column not declared otherwise, escape form
/// in a declared `bytea` column. A value that decodes to `\x…` again (`'\\x…'::bytea` with
/// standard strings on) is decoded once more. Other values are left as they are.
pub fn pg_value(value: &mut Vec<u8>, hint: Hint) -> View {
    if hint == Hint::Other {
        return View::Text;
    }
    let decoded = match bytea_hex(value) {
        Some(b) => b,
        None if hint == Hint::Binary => match bytea_escape(value) {
            Some(b) => b,
            None => return View::Text,
        },
        None => return View::Text,
    };
    let decoded = match bytea_hex(&decoded) {
        Some(again) => again,
        None => decoded,
    };
    settle(value, decoded)
}

/// Bytes of a MySQL binary value (a hex literal decoded, a `_binary` string unquoted) in
/// `value`: kept when text, else [`View::Binary`].
pub fn classify(value: &mut Vec<u8>) -> View {
    let bytes = std::mem::take(value);
    settle(value, bytes)
}

/// Bytes decoded from a binary form (`decode(…)`, a cast): kept in `value` when text (a
/// `\x…` inside is decoded once more), else [`View::Binary`].
pub fn decoded(value: &mut Vec<u8>, bytes: Vec<u8>) -> View {
    let bytes = match bytea_hex(&bytes) {
        Some(again) => again,
        None => bytes,
    };
    settle(value, bytes)
}

/// The bytes of a MySQL binary literal (`0x…`, `X'…'`, `_binary '…'`), undecoded by any
/// text rule; `None` when the value is no binary literal.
pub fn mysql_literal(text: &[u8], v: &ValueSpan, syntax: &Syntax) -> Option<Vec<u8>> {
    if !is_mysql_binary_literal(text, v) {
        return None;
    }
    let ValueKind::Literal(t) = v.kind else {
        return None;
    };
    let raw = &text[t.start..t.end];
    match t.tok {
        Tok::Number => unhex(raw.get(2..)?),
        Tok::Str(k) if k.prefix == b'X' => unhex(raw.get(2..raw.len().checked_sub(1)?)?),
        Tok::Str(k) => {
            let mut out = Vec::new();
            unquote_str(raw, k, syntax.dialect, &mut out);
            Some(out)
        }
        _ => None,
    }
}

/// Is the value a MySQL binary literal: `0x…`, `X'…'`, `_binary '…'`?
pub fn is_mysql_binary_literal(text: &[u8], v: &ValueSpan) -> bool {
    let raw = &text[v.start..v.end];
    let lower = |n: usize| raw.get(..n).map(<[u8]>::to_ascii_lowercase);
    raw.len() > 2 && lower(2).as_deref() == Some(b"0x")
        || lower(2).as_deref() == Some(b"x'")
        || lower(7).as_deref() == Some(b"_binary")
}

/// A PostgreSQL INSERT value written as an expression that makes a `bytea`:
/// `decode('…', 'hex' | 'base64' | 'escape')` (also `pg_catalog.decode`, with a cast after),
/// or a literal cast to `bytea` (`'…'::bytea`, `E'…'::bytea`, `CAST('…' AS bytea)`): the
/// decoded bytes, or `None` when the value is no such expression.
pub fn pg_expression(text: &[u8], v: &ValueSpan, syntax: &Syntax) -> Option<Vec<u8>> {
    let span = &text[..v.end];
    let mut cur = Cursor::new(span, syntax, v.start);
    let mut toks = Vec::new();
    while let Some(t) = cur.bump() {
        if t.tok == Tok::End || toks.len() > 16 {
            break;
        }
        toks.push(t);
    }
    let word = |i: usize, w: &str| {
        toks.get(i).is_some_and(|t| {
            t.tok == Tok::Word && span[t.start..t.end].eq_ignore_ascii_case(w.as_bytes())
        })
    };
    let punct = |i: usize, p: u8| toks.get(i).is_some_and(|t| t.tok == Tok::Punct(p));
    let string = |i: usize| {
        let t = toks.get(i)?;
        let Tok::Str(k) = t.tok else { return None };
        let mut out = Vec::new();
        unquote_str(&span[t.start..t.end], k, syntax.dialect, &mut out);
        Some(out)
    };
    // Is the rest from token `i` a `::bytea` cast (or nothing)?
    let cast_or_end = |i: usize| {
        i == toks.len() || (punct(i, b':') && punct(i + 1, b':') && word(i + 2, "bytea"))
    };
    // A string read as `bytea` input: hex form, else escape form, else as written.
    let input = |s: Vec<u8>| bytea_hex(&s).or_else(|| bytea_escape(&s)).unwrap_or(s);
    // `'…'::bytea`
    if let Some(s) = string(0) {
        return (toks.len() == 4 && cast_or_end(1)).then(|| input(s));
    }
    // `CAST('…' AS bytea)`
    if word(0, "cast") && punct(1, b'(') && word(3, "as") && word(4, "bytea") && punct(5, b')') {
        return string(2).filter(|_| toks.len() == 6).map(input);
    }
    // `[pg_catalog.]decode('…', 'fmt')[::bytea]`
    let at = if word(0, "pg_catalog") && punct(1, b'.') {
        2
    } else {
        0
    };
    if !(word(at, "decode") && punct(at + 1, b'(') && punct(at + 3, b',') && punct(at + 5, b')')) {
        return None;
    }
    if !cast_or_end(at + 6) {
        return None;
    }
    let data = string(at + 2)?;
    let format = string(at + 4)?;
    match format.to_ascii_lowercase().as_slice() {
        b"hex" => unhex(&data),
        b"base64" => base64(&data),
        b"escape" => bytea_escape(&data),
        _ => None,
    }
}

/// The value of an INSERT's value into `out`, decoded where it is binary: `None` for NULL,
/// else how `out` is to be scanned.
pub fn insert_value(
    text: &[u8],
    v: &ValueSpan,
    syntax: &Syntax,
    hint: Hint,
    out: &mut Vec<u8>,
) -> Option<View> {
    match syntax.dialect {
        Dialect::MySql => {
            if let Some(bytes) = mysql_literal(text, v, syntax) {
                *out = bytes;
                return Some(classify(out));
            }
            if !value(text, v, syntax.dialect, out) {
                return None;
            }
            Some(if hint == Hint::Binary {
                classify(out)
            } else {
                View::Text
            })
        }
        Dialect::Postgres => {
            // Only an expression, or a literal with something after it (a cast), can be one.
            let expression = match v.kind {
                ValueKind::Raw => true,
                ValueKind::Literal(t) => t.end < v.end,
                ValueKind::Null => false,
            };
            if expression {
                if let Some(bytes) = pg_expression(text, v, syntax) {
                    return Some(decoded(out, bytes));
                }
            }
            if !value(text, v, syntax.dialect, out) {
                return None;
            }
            Some(pg_value(out, hint))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_escape_and_base64_forms_decode() {
        assert_eq!(bytea_hex(b"\\x6a616e").as_deref(), Some(&b"jan"[..]));
        assert_eq!(bytea_hex(b"\\X6A 61 6e").as_deref(), Some(&b"jan"[..]));
        assert_eq!(bytea_hex(b"\\x").as_deref(), Some(&b""[..]));
        assert_eq!(bytea_hex(b"\\x6a6"), None, "odd digits");
        assert_eq!(bytea_hex(b"\\x6g"), None);
        assert_eq!(bytea_hex(b"x6a"), None);
        assert_eq!(
            bytea_escape(b"a\\\\b\\001\\303\\274").as_deref(),
            Some(&b"a\\b\x01\xc3\xbc"[..])
        );
        assert_eq!(bytea_escape(b"a\\b"), None);
        assert_eq!(bytea_escape(b"\\400"), None);
        assert_eq!(base64(b"amFuQHgu\nbmw=").as_deref(), Some(&b"jan@x.nl"[..]));
        assert_eq!(base64(b"YQ==").as_deref(), Some(&b"a"[..]));
        assert_eq!(base64(b"a*b"), None);
    }

    #[test]
    fn text_and_binary_are_told_apart() {
        assert!(is_text("Zoë Ĳsselmeer\tjan@x.nl\n".as_bytes()));
        assert!(is_text(b""));
        assert!(!is_text(b"\x00\xff\x10"));
        assert!(!is_text(b"jan@x.nl\0"));
        assert!(!is_text(b"\x89PNG\r\n\x1a\n"));
        assert!(!is_text(&[1, 2, 3, 4, b'a']));
    }

    #[test]
    fn pg_values_follow_the_column_type() {
        let mut v = b"\\x6a616e40782e6e6c".to_vec();
        assert_eq!(pg_value(&mut v, Hint::Unknown), View::Text);
        assert_eq!(v, b"jan@x.nl");
        let mut v = b"\\x00ff10".to_vec();
        assert_eq!(pg_value(&mut v, Hint::Binary), View::Binary);
        let mut v = b"\\x00ff10".to_vec();
        assert_eq!(pg_value(&mut v, Hint::Other), View::Text, "a text column");
        assert_eq!(v, b"\\x00ff10");
        let mut v = b"M\\303\\274ller jan@x.nl".to_vec();
        assert_eq!(pg_value(&mut v, Hint::Binary), View::Text);
        assert_eq!(v, "Müller jan@x.nl".as_bytes());
        let mut v = b"M\\303\\274ller".to_vec();
        assert_eq!(pg_value(&mut v, Hint::Unknown), View::Text, "not hex form");
        assert_eq!(v, b"M\\303\\274ller");
        let mut v = b"\\\\x6a616e".to_vec();
        assert_eq!(pg_value(&mut v, Hint::Binary), View::Text, "decoded twice");
        assert_eq!(v, b"jan");
        let mut v = b"\\001\\002\\003\\004".to_vec();
        assert_eq!(pg_value(&mut v, Hint::Binary), View::Binary);
    }
}
