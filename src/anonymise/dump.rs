//! SQL dumps, rewritten statement by statement with every byte outside the changed values
//! left as it was: pg_dump `COPY … FROM stdin` blocks (fields unescaped, transformed and
//! escaped again), pg_dump `--inserts`/`--column-inserts` and mysqldump / mariadb-dump
//! (extended) INSERT statements, where only the literal of a changed value is replaced. A table
//! without policy columns, and everything that is not table data, is copied unchanged, so a
//! dump the policy does not touch comes out byte-identical.
//!
//! `drop` is refused for dumps (the table definition would no longer match the data); use
//! `redact`. New values are written as string literals: a transform that turns an integer
//! column into text (hmac on an id) gives a dump the database will refuse.

use super::delimited::TableOutcome;
use super::plan::{Detection, TablePlan};
use super::policy::Policy;
use crate::table::sqldump::{
    copy_field, copy_head, create_table_column, create_table_name, insert_head, is_mysql_marker,
    statement_complete, Value,
};
use std::collections::HashMap;
use std::io::{self, BufRead, Write};

/// Escapes a value for a COPY text field.
fn copy_escape(v: &str, out: &mut Vec<u8>) {
    for &b in v.as_bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

/// A string literal in the dump's dialect.
fn literal(v: &str, backslash: bool, out: &mut Vec<u8>) {
    out.push(b'\'');
    for &b in v.as_bytes() {
        match b {
            b'\'' if backslash => out.extend_from_slice(b"\\'"),
            b'\'' => out.extend_from_slice(b"''"),
            b'\\' if backslash => out.extend_from_slice(b"\\\\"),
            b'\n' if backslash => out.extend_from_slice(b"\\n"),
            b'\r' if backslash => out.extend_from_slice(b"\\r"),
            0 if backslash => out.extend_from_slice(b"\\0"),
            26 if backslash => out.extend_from_slice(b"\\Z"),
            _ => out.push(b),
        }
    }
    out.push(b'\'');
}

struct Rewriter<'p> {
    policy: &'p Policy,
    found: &'p Detection,
    schemas: HashMap<String, Vec<String>>,
    plans: HashMap<String, TablePlan>,
    rows: HashMap<String, u64>,
    order: Vec<String>,
    backslash: bool,
}

impl Rewriter<'_> {
    /// The plan of a table (created on first sight); `None` when it changes nothing.
    fn plan(
        &mut self,
        table: &str,
        columns: &[String],
        line: u64,
    ) -> crate::Result<Option<&mut TablePlan>> {
        if !self.plans.contains_key(table) {
            let plan = TablePlan::new(self.policy, table, columns, self.found)?;
            if let Some(i) = (0..columns.len()).find(|&i| plan.dropped(self.policy, i)) {
                return Err(crate::Error::Usage(format!(
                    "line {line}: table {table}, column {}: drop is not possible in a SQL dump \
                     (the table definition would no longer match); use redact",
                    columns[i]
                )));
            }
            self.order.push(table.to_string());
            self.plans.insert(table.to_string(), plan);
        }
        Ok(self.plans.get_mut(table).filter(|p| !p.is_identity()))
    }

    fn count(&mut self, table: &str, n: u64) {
        match self.rows.get_mut(table) {
            Some(c) => *c += n,
            None => {
                self.rows.insert(table.to_string(), n);
            }
        }
    }

    /// Rewrites one COPY data line (without its line ending) into `out`.
    fn copy_line(
        &mut self,
        table: &str,
        text: &[u8],
        out: &mut Vec<u8>,
        line: u64,
    ) -> crate::Result<()> {
        let policy = self.policy;
        let Some(plan) = self.plans.get_mut(table).filter(|p| !p.is_identity()) else {
            out.extend_from_slice(text);
            return Ok(());
        };
        let raw: Vec<&[u8]> = text.split(|&b| b == b'\t').collect();
        // Only the fields a transform reads are decoded: its own, and an entity column.
        let mut decoded: Vec<Option<String>> = vec![None; raw.len()];
        let mut buf = Vec::new();
        for (i, r) in raw.iter().enumerate() {
            let needed =
                plan.actions.get(i).copied().flatten().is_some() || plan.entity.contains(&Some(i));
            if needed && copy_field(r, &mut buf) {
                decoded[i] = Some(String::from_utf8_lossy(&buf).into_owned());
            }
        }
        for (i, r) in raw.iter().enumerate() {
            if i > 0 {
                out.push(b'\t');
            }
            if plan.actions.get(i).copied().flatten().is_none() {
                out.extend_from_slice(r);
                continue;
            }
            let get = |j: usize| decoded.get(j).cloned().flatten();
            let v = plan
                .cell(policy, i, decoded[i].as_deref(), get)
                .map_err(|e| {
                    crate::Error::Usage(format!(
                        "line {line}: table {table}, column {}: {}",
                        e.column, e.why
                    ))
                })?;
            match v {
                Some(v) => copy_escape(&v, out),
                None => out.extend_from_slice(b"\\N"),
            }
        }
        Ok(())
    }

    /// Rewrites one complete INSERT statement into `out`.
    fn insert(&mut self, stmt: &[u8], out: &mut Vec<u8>, line: u64) -> crate::Result<()> {
        let bad = |e: io::Error| crate::Error::Usage(e.to_string());
        let Some((table, columns, mut lx)) =
            insert_head(stmt, line, self.backslash, &self.schemas).map_err(bad)?
        else {
            out.extend_from_slice(stmt);
            return Ok(());
        };
        let backslash = self.backslash;
        let policy = self.policy;
        let mut rows = 0u64;
        // A table the policy leaves alone is copied; its tuples are still read, to count them.
        let mut plan = self.plan(&table, &columns, line)?;
        let mut copied = 0usize;
        let mut spans: Vec<(usize, usize, Option<String>)> = Vec::new();
        while lx.eat(b'(') {
            spans.clear();
            loop {
                lx.ws();
                let start = lx.i;
                let v = lx.value().ok_or_else(|| {
                    crate::Error::Usage(format!("line {line}: unterminated value in INSERT"))
                })?;
                if plan.is_some() {
                    spans.push((
                        start,
                        lx.i,
                        match v {
                            Value::Null => None,
                            Value::Bytes(b) => Some(String::from_utf8_lossy(&b).into_owned()),
                        },
                    ));
                }
                if lx.eat(b',') {
                    continue;
                }
                if lx.eat(b')') {
                    break;
                }
                return Err(crate::Error::Usage(format!(
                    "line {line}: expected ',' or ')' in INSERT values"
                )));
            }
            rows += 1;
            if let Some(plan) = plan.as_deref_mut() {
                for i in 0..spans.len() {
                    if plan.actions.get(i).copied().flatten().is_none() {
                        continue;
                    }
                    let (start, end) = (spans[i].0, spans[i].1);
                    let get = |j: usize| spans.get(j).and_then(|s| s.2.clone());
                    let v = plan
                        .cell(policy, i, spans[i].2.as_deref(), get)
                        .map_err(|e| {
                            crate::Error::Usage(format!(
                                "line {line}: table {table}, column {}: {}",
                                e.column, e.why
                            ))
                        })?;
                    out.extend_from_slice(&stmt[copied..start]);
                    match v {
                        Some(v) => literal(&v, backslash, out),
                        None => out.extend_from_slice(b"NULL"),
                    }
                    copied = end;
                }
            }
            if !lx.eat(b',') {
                break;
            }
        }
        out.extend_from_slice(&stmt[copied..]);
        self.count(&table, rows);
        Ok(())
    }
}

/// Rewrites a SQL dump.
///
/// # Errors
/// Read or write errors, malformed statements, `drop` in a policy column, and values that
/// fail with `on_invalid = "fail"`; messages name the line.
pub fn rewrite(
    reader: &mut dyn io::Read,
    out: &mut dyn Write,
    policy: &Policy,
    found: &Detection,
) -> crate::Result<Vec<TableOutcome>> {
    let ioerr = |e: io::Error| crate::Error::Usage(e.to_string());
    let mut input = io::BufReader::with_capacity(256 * 1024, reader);
    let mut out = io::BufWriter::with_capacity(256 * 1024, out);
    let mut rw = Rewriter {
        policy,
        found,
        schemas: HashMap::new(),
        plans: HashMap::new(),
        rows: HashMap::new(),
        order: Vec::new(),
        backslash: false,
    };
    let mut line = Vec::new();
    let mut stmt: Vec<u8> = Vec::new();
    let mut stmt_line = 0u64;
    let mut lineno = 0u64;
    let mut copy: Option<String> = None;
    let mut create: Option<(String, Vec<String>)> = None;
    let mut edited = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line).map_err(ioerr)? == 0 {
            break;
        }
        lineno += 1;
        let body_len = line.len()
            - if line.ends_with(b"\r\n") {
                2
            } else {
                usize::from(line.ends_with(b"\n"))
            };
        let (text, ending) = line.split_at(body_len);
        if !stmt.is_empty() {
            stmt.extend_from_slice(&line);
            let trimmed = stmt.trim_ascii_end();
            if statement_complete(trimmed, rw.backslash) {
                let end = trimmed.len();
                edited.clear();
                rw.insert(&stmt[..end], &mut edited, stmt_line)?;
                edited.extend_from_slice(&stmt[end..]);
                out.write_all(&edited).map_err(ioerr)?;
                stmt.clear();
            }
            continue;
        }
        if let Some(table) = copy.as_deref() {
            if text == b"\\." {
                copy = None;
                out.write_all(&line).map_err(ioerr)?;
                continue;
            }
            edited.clear();
            rw.copy_line(table, text, &mut edited, lineno)?;
            edited.extend_from_slice(ending);
            out.write_all(&edited).map_err(ioerr)?;
            rw.count(table, 1);
            continue;
        }
        if let Some((name, columns)) = create.as_mut() {
            if text.trim_ascii().starts_with(b")") {
                rw.schemas
                    .insert(std::mem::take(name), std::mem::take(columns));
                create = None;
            } else if let Some(c) = create_table_column(text) {
                columns.push(c);
            }
            out.write_all(&line).map_err(ioerr)?;
            continue;
        }
        if lineno < 40 && is_mysql_marker(text) {
            rw.backslash = true;
        }
        if text.starts_with(b"COPY ") && text.ends_with(b"FROM stdin;") {
            let (table, columns) = copy_head(text, &rw.schemas);
            rw.plan(&table, &columns, lineno)?;
            copy = Some(table);
            out.write_all(&line).map_err(ioerr)?;
        } else if let Some(name) = create_table_name(text) {
            create = Some((name, Vec::new()));
            out.write_all(&line).map_err(ioerr)?;
        } else if text.len() > 12 && text[..12].eq_ignore_ascii_case(b"INSERT INTO ") {
            stmt.extend_from_slice(&line);
            stmt_line = lineno;
            let trimmed = stmt.trim_ascii_end();
            if statement_complete(trimmed, rw.backslash) {
                let end = trimmed.len();
                edited.clear();
                rw.insert(&stmt[..end], &mut edited, stmt_line)?;
                edited.extend_from_slice(&stmt[end..]);
                out.write_all(&edited).map_err(ioerr)?;
                stmt.clear();
            }
        } else {
            out.write_all(&line).map_err(ioerr)?;
        }
    }
    if !stmt.is_empty() {
        return Err(crate::Error::Usage(format!(
            "line {stmt_line}: INSERT statement not terminated at the end of the dump"
        )));
    }
    out.flush().map_err(ioerr)?;
    let mut outcomes = Vec::new();
    for table in rw.order {
        let rows = rw.rows.get(&table).copied().unwrap_or(0);
        let plan = rw.plans.remove(&table);
        outcomes.push(TableOutcome {
            table,
            rows_in: rows,
            rows_out: rows,
            columns: plan.map(TablePlan::into_reports).unwrap_or_default(),
            header: false,
        });
    }
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_follow_the_dialect() {
        let mut out = Vec::new();
        literal("O'Brien\\x\n", true, &mut out);
        assert_eq!(out, b"'O\\'Brien\\\\x\\n'");
        out.clear();
        literal("O'Brien\\x", false, &mut out);
        assert_eq!(out, b"'O''Brien\\x'");
        out.clear();
        copy_escape("a\tb\\c\nd", &mut out);
        assert_eq!(out, b"a\\tb\\\\c\\nd");
    }
}
