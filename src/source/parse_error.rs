//! Parse errors that never show the file's content. A file given where a rule pack, a
//! configuration, a policy, a baseline or a register file is expected may hold a key or
//! personal data; the parsers' own messages quote the offending source line and values
//! (`toml` prints the line with a caret, `serde` writes `invalid type: string "…"`). These
//! helpers name the file, the line and column and the kind of problem, and replace every quoted
//! piece of the file's text by `…`; schema words (field names, expected symbols) stay.

use std::fmt::Write as _;

/// Line and column (1-based, columns in characters) of a byte offset in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let at = offset.min(bytes.len());
    let before = &bytes[..at];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = 1 + String::from_utf8_lossy(&before[start..]).chars().count();
    (line, column)
}

/// Is a back-quoted token a word of the schema or the grammar, safe to show: punctuation only
/// (`=`, `]`), or a short name that starts with a letter (`fail_on`)?
fn shown(token: &str) -> bool {
    let punctuation = !token.is_empty() && !token.chars().any(char::is_alphanumeric);
    let name = token.len() <= 40
        && token.starts_with(|c: char| c.is_ascii_alphabetic())
        && token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    punctuation || name
}

/// A parser's message with the file's text taken out: every `"…"` string, and every
/// back-quoted token that is not one of ours, becomes `…`. Ours are the names a parser lists
/// after `expected` (the allowed fields, variants and symbols) and the field it says is
/// missing; what comes before (`unknown field `…``, `duplicate key `…``, `unknown variant
/// `…``) is a key or value of the file.
pub fn sanitise(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message.lines().next().unwrap_or("").trim_end();
    while let Some(i) = rest.find(['"', '`']) {
        let (head, tail) = rest.split_at(i);
        out.push_str(head);
        let quote = tail.chars().next().unwrap_or('"');
        let body = &tail[1..];
        let Some(end) = body.find(quote) else {
            // An unclosed quote: nothing after it is shown.
            out.push(quote);
            out.push('…');
            return out;
        };
        let token = &body[..end];
        let ours = out.contains("expected") || head.ends_with("missing field ");
        let is_value = quote != '`' || !ours || !shown(token);
        out.push(quote);
        out.push_str(if is_value { "…" } else { token });
        out.push(quote);
        rest = &body[end + 1..];
    }
    out.push_str(rest);
    out
}

/// `FILE: line L, column C: PROBLEM` (or `FILE: PROBLEM` without a position).
pub fn describe(file: &str, position: Option<(usize, usize)>, problem: &str) -> String {
    let mut s = format!("{file}: ");
    if let Some((l, c)) = position {
        let _ = write!(s, "line {l}, column {c}: ");
    }
    s.push_str(&sanitise(problem));
    s
}

/// A `toml` error in `text` read from `file`.
pub fn toml(file: &str, text: &str, e: &toml::de::Error) -> String {
    describe(
        file,
        e.span().map(|s| line_column(text, s.start)),
        e.message(),
    )
}

/// A `toml_edit` error in `text` read from `file`.
pub fn toml_edit(file: &str, text: &str, e: &toml_edit::TomlError) -> String {
    describe(
        file,
        e.span().map(|s| line_column(text, s.start)),
        e.message(),
    )
}

/// A `regex` error: its kind only (the crate's message quotes the pattern, with a caret).
pub fn regex(e: &regex::Error) -> String {
    match e {
        regex::Error::Syntax(m) => {
            let kind = m
                .lines()
                .rev()
                .find_map(|l| l.trim().strip_prefix("error: "))
                .unwrap_or("not a valid regular expression");
            format!(
                "the regular expression does not compile ({})",
                sanitise(kind)
            )
        }
        regex::Error::CompiledTooBig(_) => "the regular expression is too big".to_string(),
        _ => "the regular expression does not compile".to_string(),
    }
}

/// A `globset` error: its kind only (the crate's message quotes the glob).
pub fn glob(e: &globset::Error) -> String {
    format!(
        "the glob does not parse ({})",
        sanitise(&e.kind().to_string())
    )
}

/// The 1-based line of the `n`-th (0-based) `[[header]]` array-of-tables header in a TOML
/// text, to point at an entry a semantic check refuses.
pub fn nth_header_line(text: &str, header: &str, n: usize) -> Option<usize> {
    let want = format!("[[{header}]]");
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.split_whitespace().collect::<String>().starts_with(&want))
        .nth(n)
        .map(|(i, _)| i + 1)
}

/// A `serde_json` error in a file.
pub fn json(file: &str, e: &serde_json::Error) -> String {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let problem = full.strip_suffix(&suffix).unwrap_or(&full);
    let position = (e.line() > 0).then(|| (e.line(), e.column()));
    describe(file, position, problem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_taken_out_and_schema_words_kept() {
        assert_eq!(
            sanitise("invalid type: string \"111222333\", expected a sequence"),
            "invalid type: string \"…\", expected a sequence"
        );
        assert_eq!(
            sanitise("unknown variant `huge`, expected one of `low`, `medium`, `high`"),
            "unknown variant `…`, expected one of `low`, `medium`, `high`"
        );
        // The unknown key is the file's text (it may be a secret); the allowed ones are ours.
        assert_eq!(
            sanitise("unknown field `Hunter2Secret`, expected `fail_on`"),
            "unknown field `…`, expected `fail_on`"
        );
        assert_eq!(
            sanitise("duplicate key `Hunter2Secret` in table `x`"),
            "duplicate key `…` in table `…`"
        );
        assert_eq!(sanitise("missing field `name`"), "missing field `name`");
        assert_eq!(sanitise("expected `.`, `=`"), "expected `.`, `=`");
        assert_eq!(
            sanitise("invalid type: integer `111222333`"),
            "invalid type: integer `…`"
        );
        assert_eq!(sanitise("bad `jan@example.nl`"), "bad `…`");
        assert_eq!(sanitise("unclosed \"secret"), "unclosed \"…");
        assert_eq!(sanitise("two\nlines with the source"), "two");
    }

    #[test]
    fn a_toml_error_names_line_and_column_without_the_source() {
        let text = "a = 1\nc2VjcmV0LWtleS1tYXRlcmlhbA\n";
        let e = ::toml::from_str::<::toml::Value>(text).expect_err("not toml");
        let m = toml("k.key", text, &e);
        assert!(m.starts_with("k.key: line 2, column "), "{m}");
        assert!(!m.contains("c2VjcmV0"), "{m}");
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
    }
}
