//! The fast path for CSV/TSV to the same format: records are split on the raw bytes (RFC 4180
//! quoting), fields without a transform are copied exactly as read (quotes and all), and only
//! transformed fields are written anew. A block with anything the splitter does not expect
//! (a quote inside an unquoted field, text after a closing quote) is left to the csv crate.

use super::plan::TablePlan;
use super::policy::Policy;
use std::borrow::Cow;

/// One field: its raw bytes in the block and whether it is quoted.
#[derive(Debug, Clone, Copy)]
struct Field {
    start: usize,
    end: usize,
    quoted: bool,
}

/// Splits the record starting at `pos`: fields into `out`; returns the end of the record's
/// content and the position after its line end, or `None` when the record is not plain RFC 4180.
fn split(block: &[u8], pos: usize, d: u8, out: &mut Vec<Field>) -> Option<(usize, usize)> {
    out.clear();
    let mut i = pos;
    loop {
        if block.get(i) == Some(&b'"') {
            // A quoted field: to the closing quote ("" is an escaped quote).
            let mut j = i + 1;
            loop {
                let q = j + memchr::memchr(b'"', &block[j..])?;
                if block.get(q + 1) == Some(&b'"') {
                    j = q + 2;
                } else {
                    j = q + 1;
                    break;
                }
            }
            out.push(Field {
                start: i,
                end: j,
                quoted: true,
            });
            match block.get(j) {
                Some(&c) if c == d => i = j + 1,
                Some(b'\n') => return Some((j, j + 1)),
                Some(b'\r') if block.get(j + 1) == Some(&b'\n') => return Some((j, j + 2)),
                // A carriage return alone ends a record too, as the csv crate reads it.
                Some(b'\r') => return Some((j, j + 1)),
                None => return Some((j, j)),
                _ => return None,
            }
        } else {
            let next = memchr::memchr3(d, b'\n', b'\r', &block[i..]).map(|k| i + k);
            let end = next.unwrap_or(block.len());
            if memchr::memchr(b'"', &block[i..end]).is_some() {
                return None;
            }
            out.push(Field {
                start: i,
                end,
                quoted: false,
            });
            match next {
                Some(n) if block[n] == d => i = n + 1,
                // CRLF, or a lone CR or LF.
                Some(n) if block[n] == b'\r' && block.get(n + 1) == Some(&b'\n') => {
                    return Some((end, n + 2))
                }
                Some(n) => return Some((end, n + 1)),
                None => return Some((end, end)),
            }
        }
    }
}

/// The value of a field: unquoted, `""` made `"`.
fn value<'b>(block: &'b [u8], f: Field) -> Cow<'b, str> {
    let raw = if f.quoted {
        &block[f.start + 1..f.end - 1]
    } else {
        &block[f.start..f.end]
    };
    let text = match std::str::from_utf8(raw) {
        Ok(t) => Cow::Borrowed(t),
        Err(_) => String::from_utf8_lossy(raw),
    };
    if f.quoted && text.contains("\"\"") {
        Cow::Owned(text.replace("\"\"", "\""))
    } else {
        text
    }
}

/// Writes a new value, quoted when it needs to be.
fn write_value(v: &str, d: u8, out: &mut Vec<u8>) {
    let needs = v
        .bytes()
        .any(|b| b == d || b == b'"' || b == b'\n' || b == b'\r');
    if needs {
        out.push(b'"');
        for b in v.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(v.as_bytes());
    }
}

/// Transforms a block in place of the csv crate; `None` when a record is not plain RFC 4180
/// (the caller then parses the block with the csv crate). Empty lines are dropped, as the
/// csv crate drops them.
pub fn block(
    block: &[u8],
    d: u8,
    policy: &Policy,
    plan: &mut TablePlan,
) -> Option<super::delimited::Produced<Vec<u8>>> {
    // If a record turns out not to be plain, the block goes to the csv crate: the counts
    // taken so far are put back first.
    let counts = plan.reports.clone();
    let mut fields = Vec::new();
    let mut out = Vec::with_capacity(block.len() + block.len() / 16);
    let mut rows = 0u64;
    let mut pos = 0;
    while pos < block.len() {
        let Some((content_end, next)) = split(block, pos, d, &mut fields) else {
            plan.reports = counts;
            return None;
        };
        let line_end = &block[content_end..next];
        pos = next;
        if fields.len() == 1 && fields[0].start == fields[0].end && !fields[0].quoted {
            continue; // an empty line
        }
        rows += 1;
        let mut first = true;
        for (i, f) in fields.iter().enumerate() {
            if plan.dropped(policy, i) {
                continue;
            }
            if !first {
                out.push(d);
            }
            first = false;
            if plan.actions.get(i).copied().flatten().is_none() {
                out.extend_from_slice(&block[f.start..f.end]);
                continue;
            }
            let v = value(block, *f);
            let get = |j: usize| fields.get(j).map(|g| value(block, *g).into_owned());
            match plan.cell(policy, i, Some(&v), get) {
                Ok(Some(new)) => write_value(&new, d, &mut out),
                Ok(None) => {}
                Err(e) => return Some(Err((rows, format!("column {}: {}", e.column, e.why)))),
            }
        }
        out.extend_from_slice(if line_end.is_empty() { b"\n" } else { line_end });
    }
    Some(Ok((out, rows)))
}

/// Like [`block`], but hands each transformed row (kept columns only) to `on_row`, for
/// NDJSON and Parquet output. `None` when a record is not plain RFC 4180.
pub fn rows(
    block: &[u8],
    d: u8,
    policy: &Policy,
    plan: &mut TablePlan,
    kept: &[usize],
    on_row: &mut dyn FnMut(&[Option<&str>]),
) -> Option<Result<u64, (u64, String)>> {
    let counts = plan.reports.clone();
    let mut fields = Vec::new();
    let mut cells: Vec<Option<Cow<'_, str>>> = Vec::with_capacity(kept.len());
    let mut rows = 0u64;
    let mut pos = 0;
    while pos < block.len() {
        let Some((_, next)) = split(block, pos, d, &mut fields) else {
            plan.reports = counts;
            return None;
        };
        pos = next;
        if fields.len() == 1 && fields[0].start == fields[0].end && !fields[0].quoted {
            continue;
        }
        rows += 1;
        cells.clear();
        for &i in kept {
            let Some(f) = fields.get(i).copied() else {
                cells.push(None);
                continue;
            };
            let v = value(block, f);
            if plan.actions.get(i).copied().flatten().is_none() {
                cells.push(Some(v));
                continue;
            }
            let get = |j: usize| fields.get(j).map(|g| value(block, *g).into_owned());
            match plan.cell(policy, i, Some(&v), get) {
                Ok(out) => cells.push(out.map(|c| Cow::Owned(c.into_owned()))),
                Err(e) => return Some(Err((rows, format!("column {}: {}", e.column, e.why)))),
            }
        }
        let refs: Vec<Option<&str>> = cells.iter().map(|c| c.as_deref()).collect();
        on_row(&refs);
    }
    Some(Ok(rows))
}

/// The header record as read, without the dropped columns (`keep[i]` false); `None` when it
/// is not plain RFC 4180.
pub fn header(raw: &[u8], d: u8, keep: &[bool]) -> Option<Vec<u8>> {
    let mut fields = Vec::new();
    let (content_end, next) = split(raw, 0, d, &mut fields)?;
    let mut out = Vec::with_capacity(raw.len());
    let mut first = true;
    for (i, f) in fields.iter().enumerate() {
        if !keep.get(i).copied().unwrap_or(true) {
            continue;
        }
        if !first {
            out.push(d);
        }
        first = false;
        out.extend_from_slice(&raw[f.start..f.end]);
    }
    let end = &raw[content_end..next];
    out.extend_from_slice(if end.is_empty() { b"\n" } else { end });
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(line: &str) -> Option<Vec<String>> {
        let mut f = Vec::new();
        split(line.as_bytes(), 0, b',', &mut f)?;
        Some(
            f.iter()
                .map(|x| value(line.as_bytes(), *x).into_owned())
                .collect(),
        )
    }

    #[test]
    fn splits_rfc_4180_records() {
        assert_eq!(
            fields("a,b,c\n"),
            Some(vec!["a".into(), "b".into(), "c".into()])
        );
        assert_eq!(
            fields("a,\"b,c\",\"d\"\"e\"\r\n"),
            Some(vec!["a".into(), "b,c".into(), "d\"e".into()])
        );
        assert_eq!(
            fields("a,,\n"),
            Some(vec!["a".into(), String::new(), String::new()])
        );
        assert_eq!(
            fields("\"multi\nline\",x"),
            Some(vec!["multi\nline".into(), "x".into()])
        );
        assert_eq!(fields("a\"b,c\n"), None, "a quote in an unquoted field");
        assert_eq!(fields("\"a\"b,c\n"), None, "text after a closing quote");
        assert_eq!(fields("\"open,c\n"), None, "an unclosed quote");
    }
}
