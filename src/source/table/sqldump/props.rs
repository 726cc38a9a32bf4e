//! Property tests of the dump lexers: generated valid dumps of both dialects read back to
//! exactly the generated cells at their table, column and row (and pass the rewriter byte
//! for byte); random bytes and random truncations never panic; and the lexer's work grows
//! linearly with its input (counted in bytes looked at, never timed).

use super::lex::{Dialect, PieceKind, Splitter};
use super::read;
use crate::source::table::TableSink;
use proptest::prelude::*;

type Cells = Vec<Vec<Option<String>>>;

#[derive(Default)]
struct Collect(Vec<(String, Vec<String>, Cells)>);

impl TableSink for Collect {
    fn begin(&mut self, t: &str, columns: &[String]) {
        if self.0.last().map(|l| l.0.as_str()) != Some(t) {
            self.0.push((t.to_string(), columns.to_vec(), Vec::new()));
        }
    }
    fn row(&mut self, cells: &[Option<&[u8]>]) -> bool {
        let row = cells
            .iter()
            .map(|c| c.map(|b| String::from_utf8_lossy(b).into_owned()))
            .collect();
        if let Some(t) = self.0.last_mut() {
            t.2.push(row);
        }
        true
    }
    fn end(&mut self) {}
}

#[derive(Debug, Clone)]
struct Table {
    name: String,
    columns: Vec<String>,
    rows: Cells,
    form: u8,
}

fn text_strategy() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("'".to_string()),
            Just("\\".to_string()),
            Just("\"".to_string()),
            Just("\n".to_string()),
            Just("\t".to_string()),
            Just(";".to_string()),
            Just("$".to_string()),
            Just("--".to_string()),
            Just("/*".to_string()),
            Just("*/".to_string()),
            Just("`".to_string()),
            Just("é".to_string()),
            Just("☃".to_string()),
            Just("INSERT INTO x VALUES (1);".to_string()),
            "[a-zA-Z0-9 @.,()]{1,6}",
        ],
        0..6,
    )
    .prop_map(|parts| parts.concat())
}

fn ident_strategy() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            "[a-z][a-z0-9_]{0,5}",
            Just(" ".to_string()),
            Just(".".to_string()),
            Just("\"".to_string()),
            Just("`".to_string()),
            Just("é".to_string()),
        ],
        1..4,
    )
    .prop_map(|p| p.concat())
}

fn tables_strategy() -> impl Strategy<Value = Vec<Table>> {
    proptest::collection::vec(
        (1usize..4, 0usize..5, any::<u8>()).prop_flat_map(|(ncols, nrows, form)| {
            (
                ident_strategy(),
                proptest::collection::vec(ident_strategy(), ncols),
                proptest::collection::vec(
                    proptest::collection::vec(
                        proptest::option::weighted(0.85, text_strategy()),
                        ncols,
                    ),
                    nrows,
                ),
                Just(form),
            )
        }),
        1..4,
    )
    .prop_map(|ts| {
        ts.into_iter()
            .enumerate()
            .map(|(i, (name, columns, rows, form))| Table {
                name: format!("{name}{i}"),
                columns: columns
                    .into_iter()
                    .enumerate()
                    .map(|(j, c)| format!("{c}{j}"))
                    .collect(),
                rows,
                form,
            })
            .collect()
    })
}

fn quote_ident(name: &str, q: char) -> String {
    let doubled = name.replace(q, &format!("{q}{q}"));
    format!("{q}{doubled}{q}")
}

fn pg_value(v: &Option<String>, form: u8, seed: usize) -> String {
    let Some(v) = v else {
        return "NULL".into();
    };
    match (form as usize + seed) % 3 {
        0 => format!("'{}'", v.replace('\'', "''")),
        1 => {
            let mut out = String::from("E'");
            for c in v.chars() {
                match c {
                    '\'' => out.push_str("\\'"),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\t' => out.push_str("\\t"),
                    c => out.push(c),
                }
            }
            out.push('\'');
            out
        }
        _ if !v.contains("$q$") && !v.ends_with('$') => format!("$q${v}$q$"),
        _ => format!("'{}'", v.replace('\'', "''")),
    }
}

fn copy_text(v: &Option<String>) -> String {
    let Some(v) = v else {
        return "\\N".into();
    };
    let mut out = String::new();
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

fn mysql_value(v: &Option<String>, form: u8, seed: usize) -> String {
    let Some(v) = v else {
        return "NULL".into();
    };
    if (form as usize + seed) % 4 == 3 && !v.is_empty() {
        let hex: String = v.bytes().map(|b| format!("{b:02X}")).collect();
        return format!("0x{hex}");
    }
    let mut out = String::from(if seed % 5 == 4 { "_utf8mb4'" } else { "'" });
    for c in v.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn render(dialect: Dialect, tables: &[Table]) -> String {
    let mut d = String::new();
    let q = if dialect == Dialect::Postgres {
        '"'
    } else {
        '`'
    };
    d.push_str(match dialect {
        Dialect::Postgres => {
            "--\n-- PostgreSQL database dump\n--\nSET standard_conforming_strings = on;\n"
        }
        Dialect::MySql => "-- MariaDB dump 10.19\n/*!40101 SET NAMES utf8mb4 */;\n",
    });
    for t in tables {
        let name = match dialect {
            Dialect::Postgres => format!("public.{}", quote_ident(&t.name, q)),
            Dialect::MySql => quote_ident(&t.name, q),
        };
        let cols: Vec<String> = t.columns.iter().map(|c| quote_ident(c, q)).collect();
        d.push_str(&format!(
            "/* table {} */\nCREATE TABLE {name} (\n    {}\n);\n",
            t.form,
            cols.iter()
                .map(|c| format!("{c} text"))
                .collect::<Vec<_>>()
                .join(",\n    ")
        ));
        let list = format!("({})", cols.join(", "));
        if dialect == Dialect::Postgres && t.form % 3 == 0 {
            d.push_str(&format!("COPY {name} {list} FROM stdin;\n"));
            for r in &t.rows {
                let line: Vec<String> = r.iter().map(copy_text).collect();
                d.push_str(&line.join("\t"));
                d.push('\n');
            }
            d.push_str("\\.\n\n");
            continue;
        }
        if t.rows.is_empty() {
            continue;
        }
        let value = |v: &Option<String>, s: usize| match dialect {
            Dialect::Postgres => pg_value(v, t.form, s),
            Dialect::MySql => mysql_value(v, t.form, s),
        };
        let tuple = |r: &Vec<Option<String>>, i: usize| {
            let vs: Vec<String> = r.iter().enumerate().map(|(j, v)| value(v, i + j)).collect();
            format!("({})", vs.join(","))
        };
        let verb = match (dialect, t.form % 4) {
            (Dialect::MySql, 1) => "INSERT IGNORE INTO",
            (Dialect::MySql, 2) => "REPLACE INTO",
            _ => "INSERT INTO",
        };
        let with_list = if t.form % 2 == 0 { list.as_str() } else { "" };
        if t.form % 5 < 2 {
            // Extended: all rows in one statement.
            let tuples: Vec<String> = t
                .rows
                .iter()
                .enumerate()
                .map(|(i, r)| tuple(r, i))
                .collect();
            d.push_str(&format!(
                "{verb} {name} {with_list} VALUES {};\n",
                tuples.join(",\n")
            ));
        } else {
            for (i, r) in t.rows.iter().enumerate() {
                d.push_str(&format!(
                    "{verb} {name} {with_list} VALUES {};\n-- row {i}\n",
                    tuple(r, i)
                ));
            }
        }
    }
    d
}

fn expected(tables: &[Table]) -> Vec<(String, Vec<String>, Cells)> {
    tables
        .iter()
        .filter(|t| !t.rows.is_empty() || t.form % 3 == 0)
        .map(|t| (t.name.clone(), t.columns.clone(), t.rows.clone()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn generated_dumps_read_back_cell_for_cell(tables in tables_strategy(), mysql in any::<bool>()) {
        let dialect = if mysql { Dialect::MySql } else { Dialect::Postgres };
        let dump = render(dialect, &tables);
        let mut got = Collect::default();
        let outcome = read(&mut dump.as_bytes(), &mut got);
        prop_assert!(outcome.is_ok(), "{:?}\n{}", outcome, dump);
        let mut want = expected(&tables);
        if dialect == Dialect::MySql {
            // A MySQL table with no rows has no INSERT, so it is never begun.
            want.retain(|t| !t.2.is_empty());
        }
        let got_tables: Vec<_> = got.0.into_iter().filter(|t| !(t.2.is_empty() && dialect == Dialect::MySql)).collect();
        prop_assert_eq!(got_tables, want, "{}", dump);
    }

    #[test]
    fn generated_dumps_pass_the_rewriter_byte_for_byte(tables in tables_strategy(), mysql in any::<bool>()) {
        let dialect = if mysql { Dialect::MySql } else { Dialect::Postgres };
        let dump = render(dialect, &tables);
        let policy = crate::anonymise::policy::Policy { keep_unlisted: true, columns: Vec::new(), text: Vec::new() };
        let found = crate::anonymise::plan::Detection::default();
        let mut out = Vec::new();
        let r = crate::anonymise::dump::rewrite(&mut dump.as_bytes(), &mut out, &policy, rules(), &found);
        prop_assert!(r.is_ok(), "{:?}", r.err().map(|e| e.to_string()));
        prop_assert_eq!(String::from_utf8_lossy(&out), dump);
    }

    #[test]
    fn truncated_dumps_never_panic_and_report_only_rows_before_the_cut(
        tables in tables_strategy(), mysql in any::<bool>(), cut in 0.0f64..1.0
    ) {
        let dialect = if mysql { Dialect::MySql } else { Dialect::Postgres };
        let dump = render(dialect, &tables);
        let at = (dump.len() as f64 * cut) as usize;
        let bytes = &dump.as_bytes()[..at.min(dump.len())];
        let mut got = Collect::default();
        let _ = read(&mut &bytes[..], &mut got);
        let want = expected(&tables);
        for (name, _, rows) in &got.0 {
            let full = want.iter().find(|w| &w.0 == name);
            prop_assert!(full.is_some(), "table {} not generated", name);
            if let Some(full) = full {
                prop_assert!(rows.len() <= full.2.len());
                // Every row but a last one cut inside it is exactly as generated.
                for (i, r) in rows.iter().enumerate().take(rows.len().saturating_sub(1)) {
                    prop_assert_eq!(r, &full.2[i]);
                }
            }
        }
        let policy = crate::anonymise::policy::Policy { keep_unlisted: true, columns: Vec::new(), text: Vec::new() };
        let found = crate::anonymise::plan::Detection::default();
        let _ = crate::anonymise::dump::rewrite(&mut &bytes[..], &mut Vec::new(), &policy, rules(), &found);
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(
        prop_oneof![any::<u8>(), Just(b'\''), Just(b'$'), Just(b';'), Just(b'\n'), Just(b'\\'), Just(b'('), Just(b'"')],
        0..3000,
    ), head in 0usize..4) {
        let prefix: &[u8] = [b"".as_slice(), b"-- MySQL dump\nINSERT INTO t VALUES (", b"COPY t (a) FROM stdin WITH (FORMAT csv);\n", b"INSERT INTO t VALUES ($a$"][head];
        let input = [prefix, &bytes].concat();
        let _ = read(&mut &input[..], &mut Collect::default());
        let policy = crate::anonymise::policy::Policy { keep_unlisted: true, columns: Vec::new(), text: Vec::new() };
        let found = crate::anonymise::plan::Detection::default();
        let _ = crate::anonymise::dump::rewrite(&mut &input[..], &mut Vec::new(), &policy, rules(), &found);
    }
}

/// The built-in rules, compiled once for all cases.
fn rules() -> &'static crate::ruleset::RuleSet {
    static RULES: std::sync::OnceLock<crate::ruleset::RuleSet> = std::sync::OnceLock::new();
    RULES.get_or_init(|| crate::ruleset::RuleSet::builtin().expect("built-in rules"))
}

/// Bytes the lexer looked at to cut `input` into pieces.
fn steps(input: &[u8]) -> u64 {
    let mut split = Splitter::new(input, None);
    while let Ok(Some(p)) = split.next_piece() {
        if p.kind == PieceKind::Statement && p.text[p.first..].starts_with(b"COPY") {
            split.begin_copy(super::lex::CopyFormat::default());
        }
    }
    split.steps()
}

#[test]
fn the_lexers_work_grows_linearly_with_the_input() {
    let patterns: [(&[u8], &[u8], &[u8]); 7] = [
        (
            b"-- PostgreSQL\nINSERT INTO t VALUES (E'",
            b"a\\'b;",
            b"');\n",
        ),
        (b"INSERT INTO t VALUES ('", b"line;\n", b"');\n"),
        (
            b"CREATE FUNCTION f() AS $body$",
            b"$ $b $bod ;'",
            b"$body$;\n",
        ),
        (b"-- MySQL dump\nINSERT INTO t VALUES (0x", b"6A61", b");\n"),
        (b"", b"INSERT INTO t VALUES (1,'x');\n", b""),
        (b"/* ", b"/* a */ * / ", b"*/;\n"),
        (b"COPY t (a) FROM stdin;\n", b"1\tjan\n", b"\\.\n"),
    ];
    for (head, body, tail) in patterns {
        let make = |n: usize| [head, &body.repeat(n), tail].concat();
        let n = 300_000 / body.len();
        let (small, large) = (steps(&make(n)), steps(&make(4 * n)));
        assert!(
            large <= 4 * small + 4 * 1024,
            "{}: {small} steps for n, {large} for 4n",
            String::from_utf8_lossy(body)
        );
        assert!(large >= 3 * small, "the counter counts: {small} {large}");
    }
}
