//! NDJSON, line by line: each object's keys (nested ones as dotted paths, like the scanner
//! names them) are matched against the policy; matched values are replaced in the line's own
//! bytes and dropped keys removed with their separator, so a changed line keeps its key order,
//! spacing, escapes and number forms, and a line with nothing to change is copied byte for
//! byte.

use super::delimited::TableOutcome;
use super::plan::{ColumnReport, Detection};
use super::policy::{OnInvalid, Policy};
use serde_json::Value;
use std::collections::HashMap;
use std::io::{self, BufRead, Write};

/// Per key: the entry (if any) and its counts.
struct Keys<'p> {
    policy: &'p Policy,
    found: &'p Detection,
    table: String,
    plans: HashMap<String, Option<usize>>,
    reports: Vec<(String, ColumnReport)>,
}

impl Keys<'_> {
    fn entry(&mut self, path: &str) -> Option<usize> {
        if let Some(e) = self.plans.get(path) {
            return *e;
        }
        let d = self.found.column(&self.table, path);
        let e = self
            .policy
            .column_index(&self.table, path, &d)
            .filter(|&i| !matches!(self.policy.columns[i].op, super::transform::Op::Keep));
        if let Some(i) = e {
            let entry = &self.policy.columns[i];
            self.reports.push((
                path.to_string(),
                ColumnReport {
                    table: self.table.clone(),
                    column: path.to_string(),
                    method: entry.op.name().to_string(),
                    protection: entry.op.protection(),
                    entry: entry.describe.clone(),
                    key: entry.key_note.clone(),
                    kept_form: entry.op.kept_form(),
                    mask_char: entry.op.mask_char(),
                    ..ColumnReport::default()
                },
            ));
        }
        self.plans.insert(path.to_string(), e);
        e
    }

    fn report(&mut self, path: &str) -> Option<&mut ColumnReport> {
        self.reports
            .iter_mut()
            .find(|(p, _)| p == path)
            .map(|(_, r)| r)
    }
}

fn lookup<'v>(root: &'v Value, dotted: &str) -> Option<&'v Value> {
    let mut v = root;
    for part in dotted.split('.') {
        v = v.get(part)?;
    }
    Some(v)
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// One JSON object of a line, by byte positions: `{` at `open`, `}` at `close`.
struct RawObject {
    open: usize,
    close: usize,
    members: Vec<RawMember>,
}

/// One `"key": value` of a [`RawObject`]: the key's opening quote, the value's bytes, and the
/// value's own members when it is an object.
struct RawMember {
    key_start: usize,
    key: String,
    value_start: usize,
    value_end: usize,
    object: Option<RawObject>,
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b
        .get(i)
        .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
    {
        i += 1;
    }
    i
}

/// The end (after the closing quote) of the string whose opening quote is at `i`.
fn string_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'"' => return Some(j + 1),
            _ => j += 1,
        }
    }
    None
}

/// The end of the value that starts at `i` (a string, an array or object with everything
/// in it, a number or a literal).
fn value_end(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => string_end(b, i),
        b'[' | b'{' => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = string_end(b, j)?;
                        continue;
                    }
                    b'[' | b'{' => depth += 1,
                    b']' | b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            None
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n')
            {
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

/// The byte positions of the object at `i` and of every object nested in it. The line was
/// parsed by serde_json first, so it is valid JSON and nested no deeper than its limit.
fn parse_object(b: &[u8], i: usize) -> Option<RawObject> {
    if b.get(i) != Some(&b'{') {
        return None;
    }
    let mut members = Vec::new();
    let mut j = skip_ws(b, i + 1);
    if b.get(j) == Some(&b'}') {
        return Some(RawObject {
            open: i,
            close: j,
            members,
        });
    }
    loop {
        if b.get(j) != Some(&b'"') {
            return None;
        }
        let key_start = j;
        let key_end = string_end(b, j)?;
        let raw = &b[j..key_end];
        let key = if raw.contains(&b'\\') {
            serde_json::from_slice::<String>(raw).ok()?
        } else {
            std::str::from_utf8(&raw[1..raw.len() - 1])
                .ok()?
                .to_string()
        };
        j = skip_ws(b, key_end);
        if b.get(j) != Some(&b':') {
            return None;
        }
        let value_start = skip_ws(b, j + 1);
        let (object, end) = if b.get(value_start) == Some(&b'{') {
            let o = parse_object(b, value_start)?;
            let end = o.close + 1;
            (Some(o), end)
        } else {
            (None, value_end(b, value_start)?)
        };
        members.push(RawMember {
            key_start,
            key,
            value_start,
            value_end: end,
            object,
        });
        j = skip_ws(b, end);
        match b.get(j) {
            Some(b',') => j = skip_ws(b, j + 1),
            Some(b'}') => {
                return Some(RawObject {
                    open: i,
                    close: j,
                    members,
                })
            }
            _ => return None,
        }
    }
}

/// What becomes of one member.
enum Edit {
    Keep,
    Drop,
    Replace(Vec<u8>),
}

/// What the policy does to the leaf at `path` whose value is `raw`.
fn decide(
    raw: &[u8],
    path: &str,
    keys: &mut Keys<'_>,
    root: &Value,
    line: u64,
) -> Result<Edit, String> {
    let Some(i) = keys.entry(path) else {
        return Ok(Edit::Keep);
    };
    let policy = keys.policy;
    let entry = &policy.columns[i];
    if matches!(entry.op, super::transform::Op::Drop) {
        if let Some(r) = keys.report(path) {
            r.transformed += 1;
        }
        return Ok(Edit::Drop);
    }
    let value: Value =
        serde_json::from_slice(raw).map_err(|e| format!("line {line}: key {path}: {e}"))?;
    let Some(text) = scalar_text(&value).filter(|t| !t.is_empty()) else {
        if let Some(r) = keys.report(path) {
            r.empty += 1;
        }
        return Ok(Edit::Keep);
    };
    let entity = entry
        .entity
        .as_deref()
        .and_then(|e| lookup(root, e))
        .and_then(scalar_text);
    let new = match entry.op.apply(&text, entity.as_deref()) {
        Ok(v) => {
            if let Some(r) = keys.report(path) {
                r.transformed += 1;
                if v.as_deref() == Some(text.as_str()) {
                    r.unchanged += 1;
                    if entry.op.promises_change() {
                        r.kept_whole += 1;
                    }
                }
            }
            // A value that comes out as it went in keeps its bytes (and its type).
            if v.as_deref() == Some(text.as_str()) {
                return Ok(Edit::Keep);
            }
            v.map_or(Value::Null, Value::String)
        }
        Err(why) => {
            if let Some(r) = keys.report(path) {
                r.invalid += 1;
            }
            match entry.on_invalid {
                OnInvalid::Redact => Value::Null,
                OnInvalid::Keep => return Ok(Edit::Keep),
                OnInvalid::Fail => return Err(format!("line {line}: key {path}: {}", why.0)),
            }
        }
    };
    serde_json::to_vec(&new)
        .map(Edit::Replace)
        .map_err(|e| format!("line {line}: key {path}: {e}"))
}

/// Writes the object `obj` of line `b` into `out` with the policy's changes: a changed value
/// replaced in place, a dropped member removed with its separator, and every other byte (key
/// order, spacing, escapes, number forms) as it was. Returns whether anything changed (when
/// not, `out` holds the object's bytes unchanged).
fn render(
    b: &[u8],
    obj: &RawObject,
    prefix: &str,
    keys: &mut Keys<'_>,
    root: &Value,
    line: u64,
    out: &mut Vec<u8>,
) -> Result<bool, String> {
    let mut kept: Vec<(usize, Option<Vec<u8>>)> = Vec::with_capacity(obj.members.len());
    let mut changed = false;
    for (idx, m) in obj.members.iter().enumerate() {
        let path = if prefix.is_empty() {
            m.key.clone()
        } else {
            format!("{prefix}.{}", m.key)
        };
        if let Some(child) = &m.object {
            let mut sub = Vec::new();
            if render(b, child, &path, keys, root, line, &mut sub)? {
                changed = true;
                kept.push((idx, Some(sub)));
            } else {
                kept.push((idx, None));
            }
            continue;
        }
        match decide(&b[m.value_start..m.value_end], &path, keys, root, line)? {
            Edit::Keep => kept.push((idx, None)),
            Edit::Drop => changed = true,
            Edit::Replace(v) => {
                changed = true;
                kept.push((idx, Some(v)));
            }
        }
    }
    if !changed {
        out.extend_from_slice(&b[obj.open..=obj.close]);
        return Ok(false);
    }
    let first_key = obj.members.first().map_or(obj.close, |m| m.key_start);
    out.extend_from_slice(&b[obj.open..first_key]);
    for (n, (idx, new)) in kept.iter().enumerate() {
        let m = &obj.members[*idx];
        if n > 0 {
            // The separator before this member as it was (`, ` or `,\t`).
            out.extend_from_slice(&b[obj.members[idx - 1].value_end..m.key_start]);
        }
        out.extend_from_slice(&b[m.key_start..m.value_start]);
        match new {
            Some(v) => out.extend_from_slice(v),
            None => out.extend_from_slice(&b[m.value_start..m.value_end]),
        }
    }
    let last_end = obj.members.last().map_or(obj.close, |m| m.value_end);
    out.extend_from_slice(&b[last_end..=obj.close]);
    Ok(true)
}

/// Rewrites NDJSON.
///
/// # Errors
/// Read or write errors, a line that is not a JSON object, or a value that fails with
/// `on_invalid = "fail"`; messages name the line.
pub fn rewrite(
    reader: &mut dyn io::Read,
    out: &mut dyn Write,
    policy: &Policy,
    found: &Detection,
    table: &str,
) -> crate::Result<TableOutcome> {
    let err = |m: String| crate::Error::Usage(format!("{table}: {m}"));
    let mut input = io::BufReader::with_capacity(256 * 1024, reader);
    let mut out = io::BufWriter::with_capacity(256 * 1024, out);
    let mut keys = Keys {
        policy,
        found,
        table: table.to_string(),
        plans: HashMap::new(),
        reports: Vec::new(),
    };
    let mut line = Vec::new();
    let mut rendered = Vec::new();
    let (mut rows_in, mut rows_out, mut lineno) = (0u64, 0u64, 0u64);
    loop {
        line.clear();
        if input
            .read_until(b'\n', &mut line)
            .map_err(|e| err(e.to_string()))?
            == 0
        {
            break;
        }
        lineno += 1;
        let body = line.trim_ascii();
        if body.is_empty() {
            out.write_all(&line).map_err(|e| err(e.to_string()))?;
            continue;
        }
        rows_in += 1;
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| err(format!("line {lineno}: not JSON: {e}")))?;
        if !value.is_object() {
            return Err(err(format!("line {lineno}: not a JSON object")));
        }
        let at = line.len() - line.trim_ascii_start().len();
        let obj = parse_object(&line, at)
            .ok_or_else(|| err(format!("line {lineno}: could not be read for rewriting")))?;
        rendered.clear();
        if render(&line, &obj, "", &mut keys, &value, lineno, &mut rendered).map_err(err)? {
            // Only the object changes: what is around it (spaces, the line end) stays.
            out.write_all(&line[..obj.open])
                .and_then(|()| out.write_all(&rendered))
                .and_then(|()| out.write_all(&line[obj.close + 1..]))
                .map_err(|e| err(e.to_string()))?;
        } else {
            out.write_all(&line).map_err(|e| err(e.to_string()))?;
        }
        rows_out += 1;
    }
    out.flush().map_err(|e| err(e.to_string()))?;
    Ok(TableOutcome {
        table: table.to_string(),
        rows_in,
        rows_out,
        columns: keys.reports.into_iter().map(|(_, r)| r).collect(),
        header: false,
    })
}

/// The scalar leaves of an object as dotted paths (nested objects flattened; arrays and
/// other values as JSON text).
fn leaves(
    prefix: &str,
    obj: &serde_json::Map<String, Value>,
    out: &mut Vec<(String, Option<String>)>,
) {
    for (k, v) in obj {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Object(inner) => leaves(&path, inner, out),
            Value::Null => out.push((path, None)),
            Value::String(s) => out.push((path, Some(s.clone()))),
            other => out.push((path, Some(other.to_string()))),
        }
    }
}

fn objects(
    reader: &mut dyn io::Read,
    table: &str,
    mut each: impl FnMut(u64, &serde_json::Map<String, Value>) -> crate::Result<()>,
) -> crate::Result<()> {
    let err = |m: String| crate::Error::Usage(format!("{table}: {m}"));
    let mut input = io::BufReader::with_capacity(256 * 1024, reader);
    let mut line = Vec::new();
    let mut lineno = 0u64;
    loop {
        line.clear();
        if input
            .read_until(b'\n', &mut line)
            .map_err(|e| err(e.to_string()))?
            == 0
        {
            return Ok(());
        }
        lineno += 1;
        let body = line.trim_ascii();
        if body.is_empty() {
            continue;
        }
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| err(format!("line {lineno}: not JSON: {e}")))?;
        let Value::Object(obj) = value else {
            return Err(err(format!("line {lineno}: not a JSON object")));
        };
        each(lineno, &obj)?;
    }
}

/// Converts NDJSON to a table (CSV, TSV, Parquet): the columns are every key path seen in the
/// file, in order of first appearance, an object's keys sorted (a first pass reads them), a missing key is NULL, nested objects
/// are flattened to dotted paths, arrays kept as JSON text. `open` opens the input again for
/// each pass.
///
/// # Errors
/// As [`rewrite`], and a date shift's entity column that no object has.
pub fn convert(
    open: &dyn Fn() -> crate::Result<Box<dyn io::Read + Send>>,
    sink: &mut dyn super::rows::RowSink,
    policy: &Policy,
    found: &Detection,
    table: &str,
) -> crate::Result<TableOutcome> {
    let mut names: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut flat = Vec::new();
    objects(&mut *open()?, table, |_, obj| {
        flat.clear();
        leaves("", obj, &mut flat);
        for (k, _) in &flat {
            if !index.contains_key(k) {
                index.insert(k.clone(), names.len());
                names.push(k.clone());
            }
        }
        Ok(())
    })?;
    let mut plan = super::plan::TablePlan::new(policy, table, &names, found)?;
    let kept: Vec<usize> = (0..names.len())
        .filter(|&i| !plan.dropped(policy, i))
        .collect();
    let kept_names: Vec<String> = kept.iter().map(|&i| names[i].clone()).collect();
    let io_err = |e: io::Error| crate::Error::Usage(format!("{table}: {e}"));
    sink.begin(&kept_names).map_err(io_err)?;
    let mut rows = 0u64;
    let mut cells: Vec<Option<String>> = vec![None; names.len()];
    objects(&mut *open()?, table, |lineno, obj| {
        rows += 1;
        cells.iter_mut().for_each(|c| *c = None);
        flat.clear();
        leaves("", obj, &mut flat);
        for (k, v) in flat.drain(..) {
            if let Some(&i) = index.get(&k) {
                cells[i] = v;
            }
        }
        let mut out: Vec<Option<String>> = Vec::with_capacity(kept.len());
        for &i in &kept {
            let get = |j: usize| cells.get(j).cloned().flatten();
            let v = plan
                .cell(policy, i, cells[i].as_deref(), get)
                .map_err(|e| {
                    crate::Error::Usage(format!(
                        "{table}: line {lineno}: key {}: {}",
                        e.column, e.why
                    ))
                })?;
            out.push(v.map(|c| c.into_owned()));
        }
        let refs: Vec<Option<&str>> = out.iter().map(|c| c.as_deref()).collect();
        sink.row(&refs).map_err(io_err)
    })?;
    let rows_out = sink.finish().map_err(io_err)?;
    Ok(TableOutcome {
        table: table.to_string(),
        rows_in: rows,
        rows_out,
        columns: plan.into_reports(),
        header: true,
    })
}
