//! NDJSON, line by line: each object's keys (nested ones as dotted paths, like the scanner
//! names them) are matched against the policy; matched values are transformed in place,
//! dropped keys removed. A line with nothing to change is copied byte for byte.

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

/// Walks an object, transforming matched leaves. Returns whether anything changed.
fn walk(
    obj: &mut serde_json::Map<String, Value>,
    prefix: &str,
    keys: &mut Keys<'_>,
    root: &Value,
    line: u64,
) -> Result<bool, String> {
    let mut changed = false;
    let names: Vec<String> = obj.keys().cloned().collect();
    for name in names {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        if let Some(Value::Object(inner)) = obj.get_mut(&name) {
            changed |= walk(inner, &path, keys, root, line)?;
            continue;
        }
        let Some(i) = keys.entry(&path) else {
            continue;
        };
        let policy = keys.policy;
        let entry = &policy.columns[i];
        if matches!(entry.op, super::transform::Op::Drop) {
            obj.remove(&name);
            if let Some(r) = keys.report(&path) {
                r.transformed += 1;
            }
            changed = true;
            continue;
        }
        let Some(text) = obj
            .get(&name)
            .and_then(scalar_text)
            .filter(|t| !t.is_empty())
        else {
            if let Some(r) = keys.report(&path) {
                r.empty += 1;
            }
            continue;
        };
        let entity = entry
            .entity
            .as_deref()
            .and_then(|e| lookup(root, e))
            .and_then(scalar_text);
        let new = match entry.op.apply(&text, entity.as_deref()) {
            Ok(v) => {
                if let Some(r) = keys.report(&path) {
                    r.transformed += 1;
                    if v.as_deref() == Some(text.as_str()) {
                        r.unchanged += 1;
                        if entry.op.promises_change() {
                            r.kept_whole += 1;
                        }
                    }
                }
                v.map_or(Value::Null, Value::String)
            }
            Err(why) => {
                if let Some(r) = keys.report(&path) {
                    r.invalid += 1;
                }
                match entry.on_invalid {
                    OnInvalid::Redact => Value::Null,
                    OnInvalid::Keep => continue,
                    OnInvalid::Fail => return Err(format!("line {line}: key {path}: {}", why.0)),
                }
            }
        };
        obj.insert(name, new);
        changed = true;
    }
    Ok(changed)
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
        let mut value: Value = serde_json::from_slice(body)
            .map_err(|e| err(format!("line {lineno}: not JSON: {e}")))?;
        let root = value.clone();
        let changed = match value.as_object_mut() {
            Some(obj) => walk(obj, "", &mut keys, &root, lineno).map_err(err)?,
            None => return Err(err(format!("line {lineno}: not a JSON object"))),
        };
        if changed {
            serde_json::to_writer(&mut out, &value).map_err(|e| err(e.to_string()))?;
            let ending: &[u8] = if line.ends_with(b"\r\n") {
                b"\r\n"
            } else if line.ends_with(b"\n") {
                b"\n"
            } else {
                b""
            };
            out.write_all(ending).map_err(|e| err(e.to_string()))?;
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
