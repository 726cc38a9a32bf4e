//! The text of a SQL dump around its rows: comments, `COMMENT ON … IS '…'`, `DEFAULT`
//! values, `CHECK` constraints, view and function bodies, MySQL `COMMENT '…'`, and the
//! clauses after an INSERT's tuples. The scan reads it as text ([`crate::source::table::TableSink::text`]);
//! this rewrites it as the text anonymiser does: each span a `[[text]]` entry of the policy
//! names is replaced by the entry's method, but only inside a string literal, a
//! dollar-quoted body or a comment, escaped for the place it goes in, so the dump still
//! restores. A span in an identifier or in code (`"jan@example.nl"` as a name) is left as it
//! was: the re-scan of the output finds it and the run says so (exit 1).

use super::policy::Policy;
use super::text::{span_replacement, SpanReport};
use crate::detect::{Engine, Scratch};
use crate::finding::Confidence;
use crate::ruleset::RuleSet;
use crate::source::table::sqldump::lex::{Syntax, Tok, Token};
use crate::source::table::sqldump::stmt::Cursor;
use std::collections::BTreeMap;

/// Segments shorter than this that held no span are remembered, so the same INSERT head
/// before every row is scanned once.
const REMEMBER: usize = 4096;

/// Rewrites the non-data text of one dump.
pub struct DumpText<'a> {
    policy: &'a Policy,
    rules: &'a RuleSet,
    engine: Engine<'a>,
    scratch: Scratch,
    /// Per rule: spans replaced and unreadable.
    pub reports: BTreeMap<String, SpanReport>,
    hits: Vec<(usize, usize, usize)>,
    tokens: Vec<Token>,
    clean: Vec<u8>,
}

/// Bytes that carry nothing to rewrite.
fn trivial(seg: &[u8]) -> bool {
    seg.iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b',' | b'(' | b')' | b';'))
}

/// Where a span sits in the SQL around it.
enum Place {
    /// Inside a string literal with this quote; `backslash`: backslash escapes apply.
    Str { quote: u8, backslash: bool },
    /// Inside a dollar-quoted string.
    Dollar,
    /// Inside a comment (outside every token).
    Comment,
    /// In an identifier, a keyword or across tokens: not rewritten.
    Code,
}

/// The place of `[start, end)` among `tokens` (sorted, not overlapping).
fn place(tokens: &[Token], start: usize, end: usize) -> Place {
    let i = tokens.partition_point(|t| t.start <= start);
    if let Some(t) = i.checked_sub(1).map(|j| tokens[j]) {
        if t.end > start {
            if end > t.end {
                return Place::Code;
            }
            return match t.tok {
                Tok::Str(k) if k.prefix != b'X' && k.prefix != b'B' => {
                    let open = t.start + usize::from(k.prefix != 0) + 1;
                    if start >= open && end < t.end {
                        Place::Str {
                            quote: k.quote,
                            backslash: k.escapes,
                        }
                    } else {
                        Place::Code
                    }
                }
                Tok::Dollar { tag_len } => {
                    if start >= t.start + tag_len + 2 && end + tag_len + 2 <= t.end {
                        Place::Dollar
                    } else {
                        Place::Code
                    }
                }
                _ => Place::Code,
            };
        }
    }
    match tokens.get(i) {
        Some(next) if next.start < end => Place::Code,
        _ => Place::Comment,
    }
}

/// The replacement as it must be written at `place`, or `None` when it cannot be written
/// there without changing the SQL around it.
fn encode(new: &str, place: &Place) -> Option<Vec<u8>> {
    match *place {
        Place::Str { quote, backslash } => {
            let mut out = Vec::with_capacity(new.len());
            for &b in new.as_bytes() {
                if b == quote || (backslash && b == b'\\') {
                    out.push(b);
                }
                out.push(b);
            }
            Some(out)
        }
        Place::Dollar => (!new.contains('$')).then(|| new.as_bytes().to_vec()),
        Place::Comment => (!new.contains("*/")
            && !new.contains("/*")
            && !new.contains('\n')
            && !new.contains('\r'))
        .then(|| new.as_bytes().to_vec()),
        Place::Code => None,
    }
}

impl<'a> DumpText<'a> {
    /// A rewriter for `policy`'s `[[text]]` entries.
    pub fn new(policy: &'a Policy, rules: &'a RuleSet) -> Self {
        let engine = Engine::new(rules, Confidence::Medium, false);
        DumpText {
            policy,
            rules,
            scratch: engine.scratch(),
            engine,
            reports: BTreeMap::new(),
            hits: Vec::new(),
            tokens: Vec::new(),
            clean: Vec::new(),
        }
    }

    /// Writes `seg`, non-data text lexed in `syntax` starting at a token boundary, into
    /// `out` with the spans the policy names replaced where they can be.
    ///
    /// # Errors
    /// A span that fails with `on_invalid = "fail"`, naming `line`.
    pub fn write(
        &mut self,
        seg: &[u8],
        syntax: &Syntax,
        line: u64,
        out: &mut Vec<u8>,
    ) -> crate::Result<()> {
        if self.policy.text.is_empty() || trivial(seg) || seg == &self.clean[..] {
            out.extend_from_slice(seg);
            return Ok(());
        }
        self.hits.clear();
        let (rules, policy, hits) = (self.rules, self.policy, &mut self.hits);
        self.engine.scan(&mut self.scratch, seg, 0, seg.len(), |h| {
            let r = &rules.rules[h.rule];
            if policy.for_rule(&r.id, &r.category).is_some() {
                hits.push((h.start, h.end, h.rule));
            }
        });
        if self.hits.is_empty() {
            if seg.len() < REMEMBER {
                self.clean.clear();
                self.clean.extend_from_slice(seg);
            }
            out.extend_from_slice(seg);
            return Ok(());
        }
        self.hits.sort_unstable();
        self.tokens.clear();
        let mut cur = Cursor::new(seg, syntax, 0);
        while let Some(t) = cur.bump() {
            self.tokens.push(t);
        }
        let mut edits: Vec<(usize, usize, Vec<u8>)> = Vec::new();
        let mut floor = 0usize;
        for &(start, end, rule) in &self.hits {
            if start < floor {
                continue; // overlaps a span already replaced
            }
            let at = place(&self.tokens, start, end);
            if matches!(at, Place::Code) {
                continue;
            }
            let value = String::from_utf8_lossy(&seg[start..end]);
            let new = span_replacement(self.policy, self.rules, rule, &value, &mut self.reports)
                .map_err(|why| {
                    crate::Error::Usage(format!(
                        "line {line}: {} span: {why}",
                        self.rules.rules[rule].id
                    ))
                })?;
            let Some(new) = new else { continue };
            match encode(&new, &at) {
                Some(bytes) => {
                    edits.push((start, end, bytes));
                    floor = end;
                }
                None => {
                    // Not written: it is not counted as replaced (the re-scan will name it).
                    if let Some(r) = self.reports.get_mut(&*self.rules.rules[rule].id) {
                        r.replaced = r.replaced.saturating_sub(1);
                    }
                }
            }
        }
        let mut copied = 0;
        for (start, end, bytes) in edits {
            out.extend_from_slice(&seg[copied..start]);
            out.extend_from_slice(&bytes);
            copied = end;
        }
        out.extend_from_slice(&seg[copied..]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::table::sqldump::lex::Dialect;

    fn tokens(seg: &[u8], dialect: Dialect) -> Vec<Token> {
        let syntax = Syntax::new(dialect);
        let mut cur = Cursor::new(seg, &syntax, 0);
        std::iter::from_fn(|| cur.bump()).collect()
    }

    fn place_of(seg: &str, value: &str, dialect: Dialect) -> &'static str {
        let start = seg.find(value).expect("value in segment");
        match place(&tokens(seg.as_bytes(), dialect), start, start + value.len()) {
            Place::Str { .. } => "string",
            Place::Dollar => "dollar",
            Place::Comment => "comment",
            Place::Code => "code",
        }
    }

    #[test]
    fn spans_are_placed_in_strings_bodies_comments_or_code() {
        let pg = Dialect::Postgres;
        let my = Dialect::MySql;
        let v = "jan@example.nl";
        assert_eq!(place_of("-- jan@example.nl\nSET a = 1;", v, pg), "comment");
        assert_eq!(
            place_of("/* x jan@example.nl */ SET a = 1;", v, pg),
            "comment"
        );
        assert_eq!(
            place_of("COMMENT ON TABLE t IS 'jan@example.nl';", v, pg),
            "string"
        );
        assert_eq!(
            place_of("COMMENT ON TABLE t IS E'a\\'jan@example.nl';", v, pg),
            "string"
        );
        assert_eq!(
            place_of("SELECT $b$ x 'jan@example.nl' $b$;", v, pg),
            "dollar"
        );
        assert_eq!(
            place_of("ALTER TABLE t OWNER TO \"jan@example.nl\";", v, pg),
            "code"
        );
        assert_eq!(
            place_of("CREATE TABLE `jan@example.nl` (a int);", v, my),
            "code"
        );
        assert_eq!(place_of("SET x = jan@example.nl;", v, pg), "code");
        assert_eq!(
            place_of("CREATE TABLE t (a int COMMENT \"jan@example.nl\");", v, my),
            "string"
        );
        assert_eq!(place_of("SELECT X'jan@example.nl';", v, pg), "code");
    }

    #[test]
    fn replacements_are_escaped_for_their_place() {
        let s = |quote, backslash| Place::Str { quote, backslash };
        assert_eq!(encode("o'b\\c", &s(b'\'', true)).unwrap(), b"o''b\\\\c");
        assert_eq!(encode("o'b\\c", &s(b'\'', false)).unwrap(), b"o''b\\c");
        assert_eq!(encode("a\"b", &s(b'"', true)).unwrap(), b"a\"\"b");
        assert!(encode("a$b", &Place::Dollar).is_none());
        assert!(encode("a*/b", &Place::Comment).is_none());
        assert!(encode("a\nb", &Place::Comment).is_none());
        assert!(encode("x", &Place::Code).is_none());
    }
}
