//! Erasure in a live database: piiscan never writes to a database, so `subject erase` writes
//! the SQL statements that delete the person's rows, for a person to review and run (`psql -f`,
//! `mariadb <`). Each table's rows are picked by the identifying values as the database holds
//! them (read by the search), and every statement is guarded: it stops the whole transaction
//! when it would remove another number of rows than the search found (PostgreSQL: a `DO`
//! block raising an exception; MySQL and MariaDB: a check that fails with an error, which
//! stops the `mariadb` / `mysql` client before `COMMIT`).
//!
//! The statements hold the person's values (they must, to find the rows): they are written
//! only where the user asks (`--sql FILE`), never in messages or the report.

use std::collections::{BTreeMap, BTreeSet};

/// The dialect of the statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// PostgreSQL.
    Postgres,
    /// MySQL and MariaDB.
    Mysql,
}

/// The person's rows in one table (`schema.table`).
#[derive(Debug, Default, Clone)]
pub struct TableRows {
    /// The columns the person was found in, with the values as the database holds them.
    pub columns: BTreeMap<String, BTreeSet<String>>,
    /// How many rows the search found.
    pub rows: u64,
}

/// One quoted identifier.
fn ident(name: &str, dialect: Dialect) -> String {
    match dialect {
        Dialect::Postgres => format!("\"{}\"", name.replace('"', "\"\"")),
        Dialect::Mysql => format!("`{}`", name.replace('`', "``")),
    }
}

/// `schema.table` (as the search names a table of a live database) as quoted identifiers.
fn qualified(table: &str, dialect: Dialect) -> String {
    match table.split_once('.') {
        Some((schema, name)) => format!("{}.{}", ident(schema, dialect), ident(name, dialect)),
        None => ident(table, dialect),
    }
}

/// A string literal. PostgreSQL: quotes doubled, under `standard_conforming_strings = on`,
/// which the script sets. MySQL: the UTF-8 bytes in hexadecimal (`_utf8mb4 X'…'`), which mean
/// the same under every `sql_mode` (`NO_BACKSLASH_ESCAPES` or not) and client character set.
fn literal(v: &str, dialect: Dialect) -> String {
    match dialect {
        Dialect::Postgres => format!("'{}'", v.replace('\'', "''")),
        Dialect::Mysql => {
            let hex: String = v.bytes().map(|b| format!("{b:02X}")).collect();
            format!("_utf8mb4 X'{hex}'")
        }
    }
}

/// The condition picking the person's rows of one table: every row holding one of the values
/// anywhere in its column (an identifier column's whole cell, or a mention in free text). It
/// picks at least the rows the search found, which held the value so; with the count check
/// after it, exactly those.
fn condition(rows: &TableRows, dialect: Dialect) -> String {
    let mut parts = Vec::new();
    for (name, values) in &rows.columns {
        let col = ident(name, dialect);
        for v in values {
            let v = literal(v, dialect);
            parts.push(match dialect {
                // As text: the search read every column so (a number, a uuid, jsonb).
                Dialect::Postgres => format!("strpos({col}::text, {v}) > 0"),
                Dialect::Mysql => format!("LOCATE({v}, {col}) > 0"),
            });
        }
    }
    parts.join("\n   OR ")
}

/// A dollar-quote tag that no value holds (a value cannot end the block early).
fn dollar_tag(tables: &BTreeMap<String, TableRows>) -> String {
    let mut n = 0u32;
    loop {
        let tag = if n == 0 {
            "$piiscan$".to_string()
        } else {
            format!("$piiscan{n}$")
        };
        let held = tables.iter().any(|(t, r)| {
            t.contains(&tag)
                || r.columns
                    .iter()
                    .any(|(c, v)| c.contains(&tag) || v.iter().any(|x| x.contains(&tag)))
        });
        if !held {
            return tag;
        }
        n += 1;
    }
}

/// The statements erasing the person's rows of `tables` in the database `shown` (a URL
/// without user or password).
pub fn statements(dialect: Dialect, shown: &str, tables: &BTreeMap<String, TableRows>) -> String {
    let mut out = String::new();
    let found: u64 = tables.values().map(|t| t.rows).sum();
    out.push_str(&format!(
        "-- piiscan subject erase: the person's rows in {shown} ({found} row(s) in {} table(s)).\n\
         -- Review, then run as one transaction. Each DELETE stops everything when it would remove\n\
         -- another number of rows than the search found; nothing is removed then.\n\
         -- Rows that hold the person only through a key (the orders of a customer) are not\n\
         -- followed in a live database: add them, or rely on ON DELETE CASCADE.\n",
        tables.len()
    ));
    match dialect {
        Dialect::Postgres => {
            let tag = dollar_tag(tables);
            out.push_str("\\set ON_ERROR_STOP on\nSET standard_conforming_strings = on;\nBEGIN;\n");
            for (table, rows) in tables {
                let name = literal(table, dialect);
                out.push_str(&format!(
                    "DO {tag}\nDECLARE n bigint;\nBEGIN\n  DELETE FROM {}\n  WHERE {};\n  GET DIAGNOSTICS n = ROW_COUNT;\n  IF n <> {} THEN\n    RAISE EXCEPTION '% : % row(s) would go, the search found {}', {name}, n;\n  END IF;\nEND\n{tag};\n",
                    qualified(table, dialect),
                    condition(rows, dialect),
                    rows.rows,
                    rows.rows,
                ));
            }
            out.push_str("COMMIT;\n");
        }
        Dialect::Mysql => {
            out.push_str("SET NAMES utf8mb4;\nSTART TRANSACTION;\n");
            for (table, rows) in tables {
                let t = qualified(table, dialect);
                let cond = condition(rows, dialect);
                let stop = literal(
                    &format!(
                        "{table}: another number of rows than the search found ({}); stop",
                        rows.rows
                    ),
                    dialect,
                );
                // The DELETE itself holds the check too, so that a client that goes on after an
                // error (`--force`) or a table without transactions (MyISAM) removes nothing
                // when the count is wrong; ROW_COUNT() then checks what it removed.
                out.push_str(&format!(
                    "SELECT COUNT(*) INTO @piiscan_rows FROM {t}\nWHERE {cond};\n\
                     -- fails with 'Subquery returns more than 1 row' when the count is not {n}\n\
                     SELECT IF(@piiscan_rows = {n}, 'ok', (SELECT {stop} UNION ALL SELECT {stop})) AS piiscan_check;\n\
                     DELETE FROM {t}\nWHERE @piiscan_rows = {n} AND ({cond});\n\
                     SELECT IF(ROW_COUNT() = {n}, 'ok', (SELECT {stop} UNION ALL SELECT {stop})) AS piiscan_check;\n",
                    n = rows.rows,
                ));
            }
            out.push_str("COMMIT;\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one() -> BTreeMap<String, TableRows> {
        let mut t = TableRows {
            rows: 1,
            ..TableRows::default()
        };
        t.columns
            .insert("email".into(), BTreeSet::from(["o'brien@x.nl".to_string()]));
        t.columns.insert(
            "notes".into(),
            BTreeSet::from(["$piiscan$ \\ x".to_string()]),
        );
        BTreeMap::from([("public.klant".to_string(), t)])
    }

    #[test]
    fn postgres_statements_quote_values_and_never_let_one_end_the_block() {
        let sql = statements(Dialect::Postgres, "postgres://db:5432/crm", &one());
        assert!(sql.contains("DELETE FROM \"public\".\"klant\""), "{sql}");
        assert!(
            sql.contains("strpos(\"email\"::text, 'o''brien@x.nl') > 0"),
            "{sql}"
        );
        assert!(
            sql.contains("strpos(\"notes\"::text, '$piiscan$ \\ x') > 0"),
            "{sql}"
        );
        assert!(
            sql.contains("DO $piiscan1$") && sql.contains("\n$piiscan1$;"),
            "{sql}"
        );
        assert!(sql.contains("IF n <> 1 THEN"));
        assert!(sql.starts_with("-- piiscan") && sql.ends_with("COMMIT;\n"));
        // Doubled quotes are safe only with standard strings: the script sets them.
        assert!(
            sql.contains("SET standard_conforming_strings = on;\nBEGIN;"),
            "{sql}"
        );
    }

    #[test]
    fn mysql_statements_write_values_in_hex_and_check_the_count_twice() {
        let sql = statements(Dialect::Mysql, "mysql://db:3306/crm", &one());
        assert!(sql.contains("FROM `public`.`klant`"), "{sql}");
        // `$piiscan$ \ x` in UTF-8 hex: no escape depends on sql_mode or the client charset.
        assert!(
            sql.contains("LOCATE(_utf8mb4 X'247069697363616E24205C2078', `notes`) > 0"),
            "{sql}"
        );
        assert!(!sql.contains("o'brien"), "{sql}");
        assert!(sql.starts_with("-- piiscan") && sql.contains("SET NAMES utf8mb4;"));
        assert!(sql.contains("IF(@piiscan_rows = 1, 'ok'"), "{sql}");
        assert!(sql.contains("WHERE @piiscan_rows = 1 AND ("), "{sql}");
        assert!(sql.contains("IF(ROW_COUNT() = 1, 'ok'"), "{sql}");
    }
}
