//! SQLite: the database is copied to the temporary output file, transformed there with
//! UPDATE statements (rows read in batches by rowid) in one transaction (dropped columns with `ALTER TABLE … DROP COLUMN`),
//! and then vacuumed with `secure_delete` on, so no old value survives in free pages. The
//! input is opened read-only and never touched.
//!
//! Triggers are set aside while rewriting: an `AFTER UPDATE` trigger that copies `old.email`
//! into a log table would otherwise write the raw values into the output. They are dropped in
//! the working copy before the first UPDATE and created again, from their own SQL, after the
//! last (in the same transaction), so the schema a user gets back is the input's; the report
//! says how many. Every table's rows are counted before anything is changed, so "rows in" is
//! the input's count and a table that grew or shrank while rewriting fails the check.

use super::delimited::TableOutcome;
use super::plan::{Detection, TablePlan};
use super::policy::Policy;
use crate::source::table::sqlite::quote;
use rusqlite::types::Value as SqlValue;
use rusqlite::Connection;
use std::path::Path;

fn sql(path: &Path) -> impl Fn(rusqlite::Error) -> crate::Error + '_ {
    move |e| crate::Error::Usage(format!("{}: {e}", path.display()))
}

/// Rows read and updated at a time.
const BATCH: usize = 10_000;

fn text_of(v: &SqlValue) -> Option<String> {
    match v {
        SqlValue::Null => None,
        SqlValue::Integer(i) => Some(i.to_string()),
        SqlValue::Real(r) => Some(r.to_string()),
        SqlValue::Text(t) => Some(t.clone()),
        SqlValue::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
    }
}

/// Rewrites the copy of a database at `work` (already copied from the input). Returns the
/// outcome per table and the number of triggers set aside while rewriting (and put back).
///
/// # Errors
/// SQLite errors (a WITHOUT ROWID table with a policy column, a dropped column that an index
/// or key needs) and values that fail with `on_invalid = "fail"`.
pub fn rewrite(
    work: &Path,
    policy: &Policy,
    found: &Detection,
) -> crate::Result<(Vec<TableOutcome>, usize)> {
    let err = sql(work);
    let mut conn = Connection::open(work).map_err(&err)?;
    conn.pragma_update(None, "secure_delete", true)
        .map_err(&err)?;
    let tables: Vec<String> = {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .map_err(&err)?;
        let names = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(&err)?;
        names.collect::<Result<_, _>>().map_err(&err)?
    };
    let tx = conn.transaction().map_err(&err)?;
    let count_of = |c: &rusqlite::Transaction<'_>, table: &str| -> crate::Result<u64> {
        c.query_row(&format!("SELECT count(*) FROM {}", quote(table)), [], |r| {
            r.get::<_, i64>(0)
        })
        .map(|n| u64::try_from(n).unwrap_or(0))
        .map_err(&err)
    };
    // The input's rows, before any statement could change them.
    let mut counted = Vec::with_capacity(tables.len());
    for table in &tables {
        counted.push(count_of(&tx, table)?);
    }
    let triggers: Vec<(String, String)> = {
        let mut stmt = tx
            .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL ORDER BY name")
            .map_err(&err)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(&err)?;
        rows.collect::<Result<_, _>>().map_err(&err)?
    };
    for (name, _) in &triggers {
        tx.execute_batch(&format!("DROP TRIGGER {}", quote(name)))
            .map_err(&err)?;
    }
    let mut outcomes = Vec::new();
    for (table, rows_in) in tables.into_iter().zip(counted) {
        let q = quote(&table);
        let count = |c: &rusqlite::Transaction<'_>| count_of(c, &table);
        let columns: Vec<String> = {
            let stmt = tx
                .prepare(&format!("SELECT * FROM {q} LIMIT 0"))
                .map_err(&err)?;
            stmt.column_names().iter().map(|c| c.to_string()).collect()
        };
        let mut plan = TablePlan::new(policy, &table, &columns, found)?;
        if plan.is_identity() {
            let rows_out = count(&tx)?;
            outcomes.push(TableOutcome {
                table,
                rows_in,
                rows_out,
                columns: Vec::new(),
                header: false,
            });
            continue;
        }
        let changed: Vec<usize> = (0..columns.len())
            .filter(|&i| plan.actions[i].is_some() && !plan.dropped(policy, i))
            .collect();
        if !changed.is_empty() {
            // Rows are read in batches by rowid, so a large table does not sit in memory.
            let select =
                format!("SELECT rowid, * FROM {q} WHERE rowid > ?1 ORDER BY rowid LIMIT {BATCH}");
            let set: Vec<String> = changed
                .iter()
                .enumerate()
                .map(|(k, &i)| format!("{} = ?{}", quote(&columns[i]), k + 1))
                .collect();
            let update = format!(
                "UPDATE {q} SET {} WHERE rowid = ?{}",
                set.join(", "),
                changed.len() + 1
            );
            let mut read = tx.prepare(&select).map_err(|e| {
                crate::Error::Usage(format!(
                    "{}: table {table}: {e} (tables WITHOUT ROWID are not supported)",
                    work.display()
                ))
            })?;
            let mut write = tx.prepare(&update).map_err(&err)?;
            let mut after = i64::MIN;
            let mut n = 0u64;
            loop {
                let rows: Vec<(i64, Vec<SqlValue>)> = read
                    .query_map([after], |r| {
                        let id: i64 = r.get(0)?;
                        let mut vals = Vec::with_capacity(columns.len());
                        for i in 0..columns.len() {
                            vals.push(r.get::<_, SqlValue>(i + 1)?);
                        }
                        Ok((id, vals))
                    })
                    .map_err(&err)?
                    .collect::<Result<_, _>>()
                    .map_err(&err)?;
                let Some(last) = rows.last().map(|r| r.0) else {
                    break;
                };
                after = last;
                for (rowid, vals) in &rows {
                    n += 1;
                    let texts: Vec<Option<String>> = vals.iter().map(text_of).collect();
                    let mut params: Vec<SqlValue> = Vec::with_capacity(changed.len() + 1);
                    for &i in &changed {
                        let get = |j: usize| texts.get(j).cloned().flatten();
                        let v = plan
                            .cell(policy, i, texts[i].as_deref(), get)
                            .map_err(|e| {
                                crate::Error::Usage(format!(
                                    "table {table}, row {n}: column {}: {}",
                                    e.column, e.why
                                ))
                            })?;
                        params.push(match v {
                            None => SqlValue::Null,
                            Some(s) if texts[i].as_deref() == Some(s.as_ref()) => vals[i].clone(),
                            Some(s) => SqlValue::Text(s.into_owned()),
                        });
                    }
                    params.push(SqlValue::Integer(*rowid));
                    write
                        .execute(rusqlite::params_from_iter(params.iter()))
                        .map_err(&err)?;
                }
            }
        }
        let dropped: Vec<usize> = (0..columns.len())
            .filter(|&i| plan.dropped(policy, i))
            .collect();
        for i in dropped {
            if let Some(r) = plan.reports[i].as_mut() {
                r.transformed = rows_in;
            }
            tx.execute_batch(&format!(
                "ALTER TABLE {q} DROP COLUMN {}",
                quote(&columns[i])
            ))
            .map_err(|e| {
                crate::Error::Usage(format!(
                    "table {table}: column {} cannot be dropped ({e}); use redact",
                    columns[i]
                ))
            })?;
        }
        let rows_out = count(&tx)?;
        outcomes.push(TableOutcome {
            table,
            rows_in,
            rows_out,
            columns: plan.into_reports(),
            header: false,
        });
    }
    for (name, text) in &triggers {
        tx.execute_batch(text).map_err(|e| {
            crate::Error::Usage(format!(
                "{}: trigger {name} could not be put back after rewriting: {e}",
                work.display()
            ))
        })?;
    }
    tx.commit().map_err(&err)?;
    conn.execute_batch("VACUUM").map_err(&err)?;
    Ok((outcomes, triggers.len()))
}
