//! Dump conformance: dumps made by the real tools (pg_dump plain as COPY, `--inserts`,
//! `--column-inserts`, `--rows-per-insert`; mariadb-dump default, `--hex-blob`,
//! `--complete-insert`, `--skip-extended-insert`, `--compact`, `--skip-quote-names`,
//! `--compatible=ansi`) of one
//! schema per dialect that uses every type and quoting case, with personal data planted at
//! known table.column and row (fixtures/dumps/planted.tsv). Every planted value must be
//! reported in its own place in every form; the anonymiser leaves an untouched dump byte
//! for byte, removes the policy's values, and refuses a dump cut short.
//!
//! The checked-in fixtures (fixtures/dumps, made by fixtures/dumps/make.sh) run everywhere;
//! with `PIISCAN_RESTORE_DATABASES=1` and PostgreSQL and MariaDB running (.ci/run) the dumps
//! are made afresh by the installed tools, anonymised and restored into the servers with the
//! original row counts.

use crate::common::{piiscan, root, stderr, stdout};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PG_FORMS: &[(&str, &[&str])] = &[
    ("pg_copy.sql", &[]),
    ("pg_inserts.sql", &["--inserts"]),
    ("pg_column_inserts.sql", &["--column-inserts"]),
    ("pg_rows_per_insert.sql", &["--rows-per-insert=2"]),
];

const MARIADB_FORMS: &[(&str, &[&str])] = &[
    ("mariadb_default.sql", &[]),
    ("mariadb_hex_blob.sql", &["--hex-blob"]),
    ("mariadb_complete_insert.sql", &["--complete-insert"]),
    (
        "mariadb_skip_extended_insert.sql",
        &["--skip-extended-insert"],
    ),
    ("mariadb_compact.sql", &["--compact"]),
    (
        "mariadb_skip_quote_names.sql",
        &["--skip-quote-names", "--insert-ignore"],
    ),
    // `SQL_MODE='…,ANSI'`: "…" quotes identifiers.
    ("mariadb_ansi.sql", &["--compatible=ansi"]),
];

/// The policy: every planted column but the JSON ones (hmac text would not be JSON).
const POLICY: &str = r#"on_unlisted = "keep"

[[column]]
name = "*.email"
method = "hmac"
format = "base32"
length = 16

[[column]]
name = "*.e-mail adres"
method = "hmac"
format = "base32"
length = 16

[[column]]
name = "*.iban"
method = "hmac"
format = "base32"
length = 16

[[column]]
name = "*.bsn"
method = "hmac"
format = "base32"
length = 16

[[column]]
name = "*.telefoon"
method = "hmac"
format = "base32"
length = 16

[[column]]
name = "*.bestand"
method = "hmac"
format = "base32"
length = 16
"#;

/// The planted JSON-column values, which the policy keeps.
const KEPT: &[&str] = &["gegevens"];

struct Planted {
    dialect: String,
    table: String,
    column: String,
    row: u64,
    value: String,
}

fn fixtures() -> PathBuf {
    root().join("fixtures/dumps")
}

fn planted(dialect: &str) -> Vec<Planted> {
    let text = std::fs::read_to_string(fixtures().join("planted.tsv")).expect("planted.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Planted {
                dialect: f[0].into(),
                table: f[1].into(),
                column: f[2].into(),
                row: f[3].parse().expect("row"),
                value: f[4].into(),
            }
        })
        .filter(|p| p.dialect == dialect)
        .collect()
}

fn dialect_of(file: &str) -> &'static str {
    if file.starts_with("pg_") {
        "pg"
    } else {
        "mariadb"
    }
}

fn scan(path: &Path) -> Output {
    piiscan()
        .arg("scan")
        .arg(path)
        .args(["--format", "ndjson", "--show-values"])
        .output()
        .expect("run piiscan")
}

fn findings(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

/// Every planted value of the dump's dialect is reported at its table, column and row.
fn assert_planted(path: &Path, dialect: &str) {
    let o = scan(path);
    assert_ne!(
        o.status.code(),
        Some(2),
        "{}: {}",
        path.display(),
        stderr(&o)
    );
    let found = findings(&o);
    for p in planted(dialect) {
        let hit = found.iter().any(|f| {
            f["table"] == p.table.as_str()
                && f["column"] == p.column.as_str()
                && f["row"] == p.row
                && f["evidence"]
                    .as_str()
                    .is_some_and(|e| p.value.contains(e) || e.contains(&p.value))
        });
        assert!(
            hit,
            "{}: {} not found at {}.{} row {}",
            path.display(),
            p.value,
            p.table,
            p.column,
            p.row
        );
    }
    // The function body and trigger text are code, never rows; the address in it is
    // reported as text, by its line.
    let body: Vec<_> = found
        .iter()
        .filter(|f| f["evidence"].as_str() == Some("niet@data.nl"))
        .collect();
    assert!(
        !body.iter().any(|f| f.get("table").is_some()),
        "{}: a function body was read as data",
        path.display()
    );
    assert!(
        body.iter().any(|f| f["line"].as_u64().is_some()),
        "{}: the address in the function body is not reported as text",
        path.display()
    );
}

fn anonymise(input: &Path, policy: &str, out: &Path) -> Output {
    let dir = out.parent().expect("out dir");
    let policy_path = dir.join("policy.toml");
    std::fs::write(&policy_path, policy).expect("policy");
    piiscan()
        .env("PIISCAN_KEY", "conformance-test-key-not-secret-0123456789")
        .arg("anonymise")
        .arg(input)
        .arg("--policy")
        .arg(&policy_path)
        .arg("--out")
        .arg(out)
        .output()
        .expect("run piiscan")
}

/// The anonymised dump keeps its lines, drops the policy's planted values and keeps the rest.
fn assert_anonymised(input: &Path, dialect: &str, out: &Path) {
    let o = anonymise(input, POLICY, out);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}: {}",
        input.display(),
        stderr(&o)
    );
    let before = String::from_utf8_lossy(&std::fs::read(input).expect("in")).into_owned();
    let after = String::from_utf8_lossy(&std::fs::read(out).expect("out")).into_owned();
    assert_eq!(
        before.lines().count(),
        after.lines().count(),
        "{}",
        input.display()
    );
    for p in planted(dialect) {
        let kept = KEPT.contains(&p.column.as_str());
        assert_eq!(
            after.contains(&p.value),
            kept,
            "{}: {} in {}.{}",
            input.display(),
            p.value,
            p.table,
            p.column
        );
    }
    // The function body is code: left as it was.
    assert!(after.contains("niet@data.nl"), "{}", input.display());
}

#[test]
fn fixture_dumps_report_every_planted_value_in_its_place() {
    for (file, _) in PG_FORMS.iter().chain(MARIADB_FORMS) {
        assert_planted(&fixtures().join(file), dialect_of(file));
    }
}

#[test]
fn fixture_dumps_pass_a_keep_policy_byte_identical() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (file, _) in PG_FORMS.iter().chain(MARIADB_FORMS) {
        let out = dir.path().join(file);
        let o = anonymise(&fixtures().join(file), "on_unlisted = \"keep\"\n", &out);
        assert_eq!(o.status.code(), Some(0), "{file}: {}", stderr(&o));
        assert!(
            std::fs::read(fixtures().join(file)).expect("in") == std::fs::read(&out).expect("out"),
            "{file} changed"
        );
    }
}

#[test]
fn fixture_dumps_are_anonymised_value_by_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (file, _) in PG_FORMS.iter().chain(MARIADB_FORMS) {
        let out = dir.path().join(file);
        assert_anonymised(&fixtures().join(file), dialect_of(file), &out);
    }
}

/// A copy of a fixture cut right after the first line that contains `after`, plus `extra`.
fn cut(file: &str, after: &str, extra: &str, dir: &Path) -> PathBuf {
    let text = String::from_utf8_lossy(&std::fs::read(fixtures().join(file)).expect("fixture"))
        .into_owned();
    let at = text.find(after).expect("marker");
    let end = at + text[at..].find('\n').expect("line end") + 1;
    let path = dir.join(format!("cut_{file}"));
    std::fs::write(&path, format!("{}{extra}", &text[..end])).expect("write");
    path
}

#[test]
fn dumps_cut_short_are_named_with_their_line_and_the_rows_before_are_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Mid-COPY: the first row of public.klant is there, the rest and `\.` are not.
    let path = cut("pg_copy.sql", "1\tjan.jansen@voorbeeld.nl", "", dir.path());
    let o = scan(&path);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("cut_pg_copy.sql") && err.contains("cut short") && err.contains("line "),
        "{err}"
    );
    assert!(err.contains("the 1 row before the cut were read"), "{err}");
    assert!(stdout(&o).contains("jan.jansen@voorbeeld.nl"));
    // Mid-INSERT, inside a string.
    let path = cut(
        "mariadb_skip_extended_insert.sql",
        "jan.jansen@voorbeeld.nl",
        "INSERT INTO `klant` VALUES (3,'piet.pie",
        dir.path(),
    );
    let o = scan(&path);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("a string") && err.contains("cut short"),
        "{err}"
    );
    assert!(stdout(&o).contains("jan.jansen@voorbeeld.nl"));
    // The anonymiser refuses both and writes nothing.
    let out = dir.path().join("anon.sql");
    let o = anonymise(&path, POLICY, &out);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("cut short"), "{}", stderr(&o));
    assert!(!out.exists());
}

#[test]
fn an_unreadable_data_statement_is_an_error_and_the_other_inputs_are_scanned() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.sql");
    std::fs::write(
        &bad,
        "-- PostgreSQL database dump\nINSERT INTO public.klant (id, email) VALUES (1, 'a@voorbeeld.nl');\nINSERT INTO public.klant (id, email) VALUES 2, 'b@voorbeeld.nl';\nINSERT INTO public.klant (id, email) VALUES (3, 'c@voorbeeld.nl');\n",
    )
    .expect("write");
    let o = piiscan()
        .arg("scan")
        .arg(&bad)
        .arg(fixtures().join("pg_copy.sql"))
        .args(["--format", "ndjson", "--show-values"])
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("bad.sql") && err.contains("line 3"), "{err}");
    let out = stdout(&o);
    assert!(out.contains("c@voorbeeld.nl") && out.contains("oud.klant@archief.nl"));
    let o = anonymise(&bad, POLICY, &dir.path().join("bad.anon.sql"));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("line 3"), "{}", stderr(&o));
}

fn sh(cmd: &mut Command) -> String {
    let out = cmd.output().expect("the database tool runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn psql(db: &str, args: &[&str]) -> String {
    let mut c = Command::new("psql");
    c.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-d", db])
        .args(args);
    sh(&mut c)
}

fn mysql(args: &[&str]) -> String {
    let mut c = Command::new("mysql");
    c.args(["--batch", "--skip-column-names"]).args(args);
    sh(&mut c)
}

fn mysql_load(db: &str, file: &Path) {
    let mut c = Command::new("mysql");
    c.arg(db).stdin(std::fs::File::open(file).expect("dump"));
    sh(&mut c);
}

const PG_TABLES: &[&str] = &["public.klant", "archief.klant", "public.\"klant gegevens\""];
const MARIADB_TABLES: &[&str] = &["`klant`", "`klant gegevens`"];

fn pg_fresh(db: &str) {
    psql(
        "postgres",
        &["-c", &format!("DROP DATABASE IF EXISTS {db}")],
    );
    psql("postgres", &["-c", &format!("CREATE DATABASE {db}")]);
}

fn pg_counts(db: &str) -> Vec<String> {
    PG_TABLES
        .iter()
        .map(|t| psql(db, &["-c", &format!("SELECT count(*) FROM {t}")]))
        .collect()
}

fn mariadb_fresh(db: &str) {
    mysql(&[
        "-e",
        &format!("DROP DATABASE IF EXISTS {db}; CREATE DATABASE {db}"),
    ]);
}

fn mariadb_counts(db: &str) -> Vec<String> {
    MARIADB_TABLES
        .iter()
        .map(|t| mysql(&[db, "-e", &format!("SELECT count(*) FROM {t}")]))
        .collect()
}

#[test]
fn pg_dump_forms_are_read_anonymised_and_restored() {
    if !crate::common::databases("dump conformance against servers") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let source = "piiscan_conf_pg_src";
    pg_fresh(source);
    let schema = fixtures().join("schema.pg.sql");
    psql(source, &["-f", schema.to_str().expect("utf-8")]);
    let original = pg_counts(source);
    assert_eq!(original, ["3", "2", "2"]);
    for (file, flags) in PG_FORMS {
        let dump = dir.path().join(file);
        let mut c = Command::new("pg_dump");
        c.args(["--no-owner", "--no-privileges"])
            .args(*flags)
            .args(["-f", dump.to_str().expect("utf-8"), source]);
        sh(&mut c);
        assert_planted(&dump, "pg");
        let anon = dir.path().join(format!("anon_{file}"));
        assert_anonymised(&dump, "pg", &anon);
        let target = "piiscan_conf_pg_anon";
        pg_fresh(target);
        psql(target, &["-f", anon.to_str().expect("utf-8")]);
        assert_eq!(pg_counts(target), original, "{file}");
        let left = psql(
            target,
            &[
                "-c",
                "SELECT count(*) FROM public.klant WHERE email LIKE '%@%'",
            ],
        );
        assert_eq!(left, "0", "{file}: e-mail addresses pseudonymised");
    }
}

#[test]
fn mariadb_dump_forms_are_read_anonymised_and_restored() {
    if !crate::common::databases("dump conformance against servers") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let source = "piiscan_conf_my_src";
    mariadb_fresh(source);
    mysql_load(source, &fixtures().join("schema.mariadb.sql"));
    let original = mariadb_counts(source);
    assert_eq!(original, ["3", "2"]);
    let tool = if Command::new("mariadb-dump")
        .arg("--version")
        .output()
        .is_ok()
    {
        "mariadb-dump"
    } else {
        "mysqldump"
    };
    for (file, flags) in MARIADB_FORMS {
        let dump = dir.path().join(file);
        let mut c = Command::new(tool);
        c.args(["--skip-dump-date", "--triggers"])
            .args(*flags)
            .args(["-r", dump.to_str().expect("utf-8"), source]);
        sh(&mut c);
        assert_planted(&dump, "mariadb");
        let anon = dir.path().join(format!("anon_{file}"));
        assert_anonymised(&dump, "mariadb", &anon);
        let target = "piiscan_conf_my_anon";
        mariadb_fresh(target);
        mysql_load(target, &anon);
        assert_eq!(mariadb_counts(target), original, "{file}");
        let left = mysql(&[
            target,
            "-e",
            "SELECT count(*) FROM klant WHERE email LIKE '%@%'",
        ]);
        assert_eq!(left, "0", "{file}: e-mail addresses pseudonymised");
    }
}

const EMAIL_POLICY: &str = r#"on_unlisted = "keep"

[[column]]
name = "*.email"
method = "hmac"
format = "base32"
length = 16
"#;

fn anonymised_text(dir: &Path, name: &str, dump: &str, policy: &str) -> (Output, String) {
    let input = dir.join(name);
    std::fs::write(&input, dump).expect("write");
    let out = dir.join(format!("anon_{name}"));
    let o = anonymise(&input, policy, &out);
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    (o, text)
}

#[test]
fn anonymise_rewrites_every_insert_variant_and_copy_form() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mysql = "-- MariaDB dump 10.19\n/*!40101 SET NAMES utf8mb4 */;\n\
        INSERT IGNORE INTO `k` (`id`,`email`) VALUES (1,'a1@voorbeeld.nl'),(2,'a2@voorbeeld.nl');\n\
        REPLACE INTO `k` (`id`,`email`) VALUES (3,'a3@voorbeeld.nl');\n\
        INSERT INTO `k` (`id`,`email`) VALUES (4,0x6134406D61696C2E6E6C);\n\
        INSERT INTO `k` (`id`,`email`) VALUES (5,_utf8mb4'a5@voorbeeld.nl') ON DUPLICATE KEY UPDATE `email`=VALUES(`email`);\n";
    let (o, text) = anonymised_text(dir.path(), "my.sql", mysql, EMAIL_POLICY);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for n in 1..=5 {
        assert!(!text.contains(&format!("a{n}@")), "row {n}: {text}");
    }
    assert!(!text.contains("0x6134"), "{text}");
    assert_eq!(text.lines().count(), mysql.lines().count());
    let pg = "-- PostgreSQL database dump\n\
        COPY public.k (id, email) FROM stdin WITH (FORMAT csv, DELIMITER '|', HEADER);\nid|email\n1|\"b1@voorbeeld.nl\"\n\\.\n\
        COPY public.k (id, email) FROM STDIN WITH DELIMITER ',' CSV;\n2,b2@voorbeeld.nl\n\\.\n\
        INSERT INTO public.k (id, email) VALUES (3, E'b3@voorbeeld.nl') ON CONFLICT DO NOTHING;\n\
        INSERT INTO archief.k (id, email) VALUES (4, 'b4@voorbeeld.nl');\n";
    let (o, text) = anonymised_text(dir.path(), "pg.sql", pg, EMAIL_POLICY);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for n in 1..=4 {
        assert!(!text.contains(&format!("b{n}@")), "row {n}: {text}");
    }
    assert!(
        text.contains("id|email\n"),
        "the CSV header is kept: {text}"
    );
    // A policy for one schema's table leaves the other schema's table alone.
    let one = EMAIL_POLICY.replace("*.email", "archief.k.email");
    let (o, text) = anonymised_text(dir.path(), "pg2.sql", pg, &one);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        text.contains("b1@voorbeeld.nl") && !text.contains("b4@voorbeeld.nl"),
        "{text}"
    );
}

#[test]
fn anonymise_refuses_literals_it_cannot_tie_to_a_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Inside a function call the literal is assigned to no column.
    let mysql = "-- MariaDB dump 10.19\nINSERT INTO `k` (`id`,`email`) VALUES (1,'a@voorbeeld.nl') ON DUPLICATE KEY UPDATE `email`=CONCAT('b@voorbeeld.nl', `id`);\n";
    let (o, _) = anonymised_text(dir.path(), "dup.sql", mysql, EMAIL_POLICY);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("line 2"), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot tie"), "{}", stderr(&o));
    let hidden = "-- PostgreSQL database dump\nWITH x AS (SELECT 1) INSERT INTO public.k (email) VALUES ('a@voorbeeld.nl');\n";
    let (o, _) = anonymised_text(dir.path(), "with.sql", hidden, EMAIL_POLICY);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// Findings of a scan placed by line (text), as (line, value).
fn text_findings(found: &[serde_json::Value]) -> Vec<(u64, String)> {
    found
        .iter()
        .filter(|f| f.get("table").is_none())
        .filter_map(|f| Some((f["line"].as_u64()?, f["evidence"].as_str()?.to_string())))
        .collect()
}

/// Findings of a scan placed in a table, as (table, column, row, value).
fn cell_findings(found: &[serde_json::Value]) -> Vec<(String, String, u64, String)> {
    found
        .iter()
        .filter_map(|f| {
            Some((
                f["table"].as_str()?.to_string(),
                f["column"].as_str()?.to_string(),
                f["row"].as_u64()?,
                f["evidence"].as_str()?.to_string(),
            ))
        })
        .collect()
}

fn scan_text(dir: &Path, name: &str, dump: &str) -> (Output, Vec<serde_json::Value>) {
    let path = dir.join(name);
    std::fs::write(&path, dump).expect("write");
    let o = piiscan()
        .arg("scan")
        .arg(&path)
        .args(["--format", "ndjson", "--show-values", "--fail-on", "medium"])
        .output()
        .expect("run piiscan");
    let found = findings(&o);
    (o, found)
}

/// A PostgreSQL dump with personal data in every kind of non-data text, and rows.
const PG_TEXT: &str = "--
-- PostgreSQL database dump
-- Beheerder: beheer@voorbeeld.nl
--
/* blok
   commentaar@voorbeeld.nl */
CREATE TABLE public.klant (
    id integer NOT NULL,
    email text DEFAULT 'standaard@voorbeeld.nl'::text,
    CONSTRAINT geen_test CHECK ((email <> 'verboden@voorbeeld.nl'::text))
);
COMMENT ON COLUMN public.klant.email IS 'Contact: piet@voorbeeld.nl';
CREATE VIEW public.v AS
 SELECT klant.id FROM public.klant WHERE (klant.email = 'view@voorbeeld.nl'::text);
CREATE FUNCTION public.f() RETURNS text LANGUAGE sql AS $body$
    SELECT 'functie@voorbeeld.nl'; -- ; INSERT INTO x VALUES ('geen@rij.nl');
$body$;
COPY public.klant (id, email) FROM stdin;
1	rij1@voorbeeld.nl
2	rij2@voorbeeld.nl
\\.
INSERT INTO public.klant VALUES (3, 'rij3@voorbeeld.nl') ON CONFLICT (id) DO UPDATE SET email = 'conflict@voorbeeld.nl';
INSERT INTO public.klant VALUES (4, /* tussen@voorbeeld.nl */ 'rij4@voorbeeld.nl'), -- na@voorbeeld.nl
 (5, 'rij5@voorbeeld.nl');
";

#[test]
fn personal_data_in_the_text_around_the_rows_is_reported_by_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (o, found) = scan_text(dir.path(), "tekst.sql", PG_TEXT);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = text_findings(&found);
    let want = [
        (3, "beheer@voorbeeld.nl"),
        (6, "commentaar@voorbeeld.nl"),
        (9, "standaard@voorbeeld.nl"),
        (10, "verboden@voorbeeld.nl"),
        (12, "piet@voorbeeld.nl"),
        (14, "view@voorbeeld.nl"),
        (16, "functie@voorbeeld.nl"),
        (16, "geen@rij.nl"),
        (22, "conflict@voorbeeld.nl"),
        (23, "tussen@voorbeeld.nl"),
        (23, "na@voorbeeld.nl"),
    ];
    for (line, value) in want {
        assert!(
            text.iter().any(|(l, v)| *l == line && v == value),
            "{value} not reported on line {line}: {text:?}"
        );
    }
    assert_eq!(
        text.len(),
        want.len(),
        "each once, and no row as text: {text:?}"
    );
    // The rows keep their place, each once.
    let cells = cell_findings(&found);
    for row in 1..=5u64 {
        let value = format!("rij{row}@voorbeeld.nl");
        let n = cells
            .iter()
            .filter(|c| c.0 == "klant" && c.1 == "email" && c.2 == row && c.3 == value)
            .count();
        assert_eq!(n, 1, "{value}: {cells:?}");
    }
    assert_eq!(cells.len(), 5, "{cells:?}");
}

#[test]
fn a_dump_whose_only_personal_data_is_in_its_text_is_not_clean() {
    let dir = tempfile::tempdir().expect("tempdir");
    let my = "-- MySQL dump 10.13
/*!40101 SET NAMES utf8mb4 */;
# beheer: hash@voorbeeld.nl
CREATE TABLE `product` (
  `id` int NOT NULL,
  `naam` varchar(20) DEFAULT 'x' COMMENT 'vraag aan kolom@voorbeeld.nl',
  `prijs` int DEFAULT NULL
) ENGINE=InnoDB COMMENT='eigenaar tabel@voorbeeld.nl';
/*!50001 CREATE VIEW `v` AS select 'cond@voorbeeld.nl' AS `m` */;
INSERT INTO `product` VALUES (1,'stoel',10),(2,'tafel',20);
INSERT INTO `product` VALUES (3,'kast',30) ON DUPLICATE KEY UPDATE `naam`='dup@voorbeeld.nl';
";
    let (o, found) = scan_text(dir.path(), "my.sql", my);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = text_findings(&found);
    for (line, value) in [
        (3, "hash@voorbeeld.nl"),
        (6, "kolom@voorbeeld.nl"),
        (8, "tabel@voorbeeld.nl"),
        (9, "cond@voorbeeld.nl"),
        (11, "dup@voorbeeld.nl"),
    ] {
        assert!(
            text.iter().any(|(l, v)| *l == line && v == value),
            "{value} not reported on line {line}: {text:?}"
        );
    }
    // The human summary does not call it clean.
    let o = piiscan()
        .arg("scan")
        .arg(dir.path().join("my.sql"))
        .args(["--fail-on", "medium"])
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        !stdout(&o).contains("No personal data found"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn the_same_insert_head_before_every_row_is_reported_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut dump = String::from("-- MySQL dump 10.13\n");
    for i in 0..50 {
        if i == 25 {
            // A comment before a head that is the same as the one before: still read.
            dump.push_str("/* rij van piet@voorbeeld.nl */ ");
        }
        dump.push_str(&format!(
            "INSERT INTO `kolom@voorbeeld.nl` (`id`) VALUES ({i});\n"
        ));
    }
    let (o, found) = scan_text(dir.path(), "heads.sql", &dump);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = text_findings(&found);
    assert_eq!(
        text,
        [
            (2, "kolom@voorbeeld.nl".to_string()),
            (27, "piet@voorbeeld.nl".to_string())
        ],
        "{text:?}"
    );
}

/// A policy that names the rows' column and the text's e-mail addresses.
const TEXT_POLICY: &str = r#"
[[column]]
name = "*.email"
method = "hmac"
format = "base32"
length = 16

[[text]]
rule = "email"
method = "hmac"
format = "base32"
length = 16
"#;

#[test]
fn anonymise_rewrites_the_text_around_the_rows_and_verifies_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (o, text) = anonymised_text(dir.path(), "tekst.sql", PG_TEXT, TEXT_POLICY);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(!text.contains("voorbeeld.nl"), "{text}");
    assert!(!text.contains("geen@rij.nl"), "{text}");
    assert_eq!(text.lines().count(), PG_TEXT.lines().count());
    // Still the same SQL around the new values: the re-scan reads the same rows.
    assert!(text.contains("DEFAULT '"), "{text}");
    assert!(text.contains("AS $body$\n"), "{text}");
    assert!(stdout(&o).contains("text:"), "{}", stdout(&o));
    // The literal assigned to email in ON CONFLICT got the column's transform: the same
    // pseudonym as the rows would give the same address.
    let conflict = text
        .lines()
        .find(|l| l.contains("ON CONFLICT"))
        .expect("the INSERT");
    assert!(conflict.contains("SET email = '"), "{conflict}");

    // Without a [[text]] entry (and no on_unlisted = "keep") the run refuses, naming them.
    let rows_only = TEXT_POLICY
        .split("[[text]]")
        .next()
        .expect("column part")
        .to_string();
    let (o, _) = anonymised_text(dir.path(), "tekst2.sql", PG_TEXT, &rows_only);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("rule email"), "{}", stderr(&o));
    assert!(!dir.path().join("anon_tekst2.sql").exists());
}

#[test]
fn anonymise_never_calls_a_dump_verified_when_its_text_still_holds_named_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    // An address as a table and an owner name is code: it is not rewritten (the dump would
    // no longer restore), and the re-scan says so with exit 1; the output is not kept, so no
    // copy of that data is left on disk.
    let dump = "-- PostgreSQL database dump
CREATE TABLE public.\"jan@voorbeeld.nl\" (id integer, email text);
ALTER TABLE public.\"jan@voorbeeld.nl\" OWNER TO \"jan@voorbeeld.nl\";
COPY public.\"jan@voorbeeld.nl\" (id, email) FROM stdin;
1\trij@voorbeeld.nl
\\.
";
    let (o, text) = anonymised_text(dir.path(), "code.sql", dump, TEXT_POLICY);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("NOT EXPECTED"), "{}", stdout(&o));
    assert!(stdout(&o).contains("text (email)"), "{}", stdout(&o));
    assert!(stdout(&o).contains("not written"), "{}", stdout(&o));
    assert!(
        text.is_empty(),
        "an output with unexpected data is not kept: {text}"
    );
}

#[test]
fn anonymise_ties_on_conflict_and_on_duplicate_key_literals_to_their_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let my = "-- MariaDB dump 10.19
INSERT INTO `k` (`id`,`email`,`naam`) VALUES (1,'a@voorbeeld.nl','x') ON DUPLICATE KEY UPDATE `email`='a@voorbeeld.nl', naam = 'y';
";
    let policy = format!("{TEXT_POLICY}\n[[column]]\nname = \"*.naam\"\nmethod = \"keep\"\n");
    let (o, text) = anonymised_text(dir.path(), "dup.sql", my, &policy);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(!text.contains("a@voorbeeld.nl"), "{text}");
    assert!(
        text.contains("naam = 'y'"),
        "an unchanged column keeps its literal: {text}"
    );
    // The row's value and the assigned value are the same address: the same pseudonym.
    let quoted: Vec<&str> = text.split('\'').collect();
    assert_eq!(quoted[1], quoted[5], "{text}");
    let pg = "-- PostgreSQL database dump
INSERT INTO public.k (id, email) VALUES (1, 'b@voorbeeld.nl') ON CONFLICT (id) DO UPDATE SET email = 'c@voorbeeld.nl' WHERE k.id > 0;
INSERT INTO public.k (id, email) VALUES (2, 'd@voorbeeld.nl') ON CONFLICT (id) DO UPDATE SET email = 'e@voorbeeld.nl'::text, id = 3;
";
    let (o, text) = anonymised_text(dir.path(), "conflict.sql", pg, TEXT_POLICY);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(!text.contains("@voorbeeld.nl"), "{text}");
    assert!(text.contains("WHERE k.id > 0;"), "{text}");
}

/// The binary-value fixtures (fixtures/dumps/binary): bytea in hex and escape form, MySQL
/// blobs raw and as `--hex-blob`, and large objects, in every form pg_dump writes.
fn binary_fixture(name: &str) -> PathBuf {
    fixtures().join("binary").join(name)
}

fn json_scan(path: &Path) -> (Output, serde_json::Value) {
    let o = piiscan()
        .arg("scan")
        .arg(path)
        .args(["--format", "json", "--show-values"])
        .output()
        .expect("run piiscan");
    let v = serde_json::from_str(&stdout(&o)).unwrap_or(serde_json::Value::Null);
    (o, v)
}

fn has_cell(found: &serde_json::Value, table: &str, column: &str, row: u64, value: &str) -> bool {
    found["findings"].as_array().is_some_and(|a| {
        a.iter().any(|f| {
            f["table"] == table
                && f["column"] == column
                && f["row"] == row
                && f["evidence"].as_str() == Some(value)
        })
    })
}

fn skipped_binary(found: &serde_json::Value) -> Vec<String> {
    found["stats"]["skipped_inputs"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|s| {
                    s["reason"]
                        .as_str()
                        .is_some_and(|r| r.starts_with("binary"))
                })
                .filter_map(|s| s["path"].as_str())
                .map(|p| p.rsplit('!').next().unwrap_or(p).to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn text_inside_binary_values_and_large_objects_is_found_in_every_form() {
    for name in [
        "pg_copy.sql",
        "pg_inserts.sql",
        "pg_escape_inserts.sql",
        "custom.dump",
        "dir",
        "tar.tar",
    ] {
        let (o, found) = json_scan(&binary_fixture(name));
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        for (table, column, row, value) in [
            ("bestand", "inhoud", 1, "bytea.hex@voorbeeld.nl"),
            ("bestand", "inhoud", 3, "111222333"),
            ("pg_largeobject", "data", 16001, "lo.mail@voorbeeld.nl"),
        ] {
            assert!(
                has_cell(&found, table, column, row, value),
                "{name}: {value} not at {table}.{column} row {row}"
            );
        }
        // The binary that is not text is counted by column, never scanned as text.
        assert_eq!(
            skipped_binary(&found),
            ["bestand.inhoud", "pg_largeobject.data"],
            "{name}"
        );
    }
    for name in ["mariadb_default.sql", "mariadb_hex_blob.sql"] {
        let (o, found) = json_scan(&binary_fixture(name));
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        assert!(
            has_cell(&found, "bestand", "inhoud", 1, "blob.hex@voorbeeld.nl"),
            "{name}"
        );
        assert!(
            has_cell(&found, "bestand", "kort", 2, "111222333"),
            "{name}"
        );
        assert_eq!(
            skipped_binary(&found),
            ["bestand.inhoud", "bestand.kort"],
            "{name}"
        );
    }
}

#[test]
fn files_an_archive_does_not_list_and_missing_large_objects_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A directory archive with a planted data file and a note: both named, exit 2.
    let archive = dir.path().join("dir");
    std::fs::create_dir(&archive).expect("dir");
    for e in std::fs::read_dir(binary_fixture("dir")).expect("fixture") {
        let e = e.expect("entry");
        std::fs::copy(e.path(), archive.join(e.file_name())).expect("copy");
    }
    std::fs::copy(archive.join("3340.dat.gz"), archive.join("9999.dat.gz")).expect("plant");
    std::fs::write(archive.join("notes.txt"), "bel jan@voorbeeld.nl\n").expect("note");
    let (o, found) = json_scan(&archive);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("9999.dat.gz") && err.contains("notes.txt"),
        "{err}"
    );
    assert!(
        !err.contains("jan@voorbeeld.nl"),
        "no value in a message: {err}"
    );
    assert!(has_cell(
        &found,
        "pg_largeobject",
        "data",
        16001,
        "lo.mail@voorbeeld.nl"
    ));
    // A large object's file gone: named.
    std::fs::remove_file(archive.join("9999.dat.gz")).expect("rm");
    std::fs::remove_file(archive.join("notes.txt")).expect("rm");
    std::fs::remove_file(archive.join("blob_16001.dat.gz")).expect("rm");
    let (o, _) = json_scan(&archive);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("blob_16001.dat"), "{}", stderr(&o));
    // The same in a tar archive (GNU tar edits a copy).
    if Command::new("tar").arg("--version").output().is_err() {
        return;
    }
    for (edit, named) in [
        (vec!["--append", "-C", "NOTES", "notes.txt"], "notes.txt"),
        (vec!["--delete", "blob_16001.dat"], "large object 16001"),
    ] {
        let tar = dir.path().join("t.tar");
        std::fs::copy(binary_fixture("tar.tar"), &tar).expect("copy");
        let notes = dir.path().join("notes");
        std::fs::create_dir_all(&notes).expect("notes dir");
        std::fs::write(notes.join("notes.txt"), "x\n").expect("note");
        let args: Vec<String> = edit
            .iter()
            .map(|a| a.replace("NOTES", notes.to_str().expect("utf-8")))
            .collect();
        sh(Command::new("tar").args(&args).arg("-f").arg(&tar));
        let (o, _) = json_scan(&tar);
        assert_eq!(o.status.code(), Some(2), "{named}");
        assert!(stderr(&o).contains(named), "{}", stderr(&o));
    }
}

#[test]
fn anonymise_follows_alter_table_and_column_lists_in_any_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mysql = "-- MariaDB dump 10.19\nCREATE TABLE `k` (\n  `id` int,\n  `naam` varchar(9)\n);\n\
        INSERT INTO `k` VALUES (1,'Jan');\n\
        ALTER TABLE `k` ADD COLUMN `email` varchar(50) FIRST;\n\
        INSERT INTO `k` VALUES ('c1@voorbeeld.nl',2,'Piet');\n\
        ALTER TABLE `k` DROP COLUMN `naam`, ADD `tel` varchar(20) AFTER `email`;\n\
        INSERT INTO `k` VALUES ('c2@voorbeeld.nl','0612345678',3);\n\
        ALTER TABLE `k` CHANGE `email` `email` varchar(60) AFTER `id`;\n\
        INSERT INTO `k` VALUES ('0612345678',4,'c3@voorbeeld.nl');\n\
        INSERT INTO `k` (`email`,`id`) VALUES ('c4@voorbeeld.nl',5);\n";
    let (o, text) = anonymised_text(dir.path(), "alter.sql", mysql, EMAIL_POLICY);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for n in 1..=4 {
        assert!(!text.contains(&format!("c{n}@")), "c{n}: {text}");
    }
    assert!(text.contains("'Jan'") && text.contains("'Piet'"), "{text}");
    assert_eq!(text.matches("'0612345678'").count(), 2, "{text}");
    // The same dump is scanned with each address in its own column.
    let (o, found) = json_scan(&dir.path().join("alter.sql"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for (row, n) in [(2, 1), (3, 2), (4, 3), (5, 4)] {
        assert!(
            has_cell(&found, "k", "email", row, &format!("c{n}@voorbeeld.nl")),
            "c{n} not at k.email row {row}"
        );
    }
    // An ALTER that cannot be followed: the anonymiser refuses, naming both lines.
    let unsure = "-- MariaDB dump 10.19\nCREATE TABLE `k` (\n  `id` int,\n  `email` varchar(50)\n);\n\
        ALTER TABLE `k` ADD COLUMN `x` int AFTER `nope`;\nINSERT INTO `k` VALUES (1,'d@voorbeeld.nl',2);\n";
    let (o, _) = anonymised_text(dir.path(), "unsure.sql", unsure, EMAIL_POLICY);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("line 7") && stderr(&o).contains("line 6"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("d@voorbeeld.nl"), "{}", stderr(&o));
    let (o, found) = json_scan(&dir.path().join("unsure.sql"));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        found["findings"].as_array().is_some_and(|a| a
            .iter()
            .any(|f| f["evidence"] == "d@voorbeeld.nl" && f["line"] == 7)),
        "scanned as text, by line"
    );
}

/// The real server agrees with the column order piiscan follows through ALTER TABLE.
#[test]
fn mariadb_agrees_with_the_column_order_after_alter_table() {
    if !crate::common::databases("dump conformance against servers") {
        return;
    }
    let db = "piiscan_conf_alter";
    mariadb_fresh(db);
    let script = "CREATE TABLE k (id int, naam varchar(9));\n\
        ALTER TABLE k ADD COLUMN email varchar(50) FIRST;\n\
        ALTER TABLE k DROP COLUMN naam, ADD tel varchar(20) AFTER email;\n\
        ALTER TABLE k CHANGE email email varchar(60) AFTER id;\n\
        INSERT INTO k VALUES ('0612345678',4,'c3@voorbeeld.nl');\n";
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("alter.sql");
    std::fs::write(&file, format!("-- MariaDB dump 10.19\n{script}")).expect("write");
    mysql_load(db, &file);
    let email = mysql(&[db, "-e", "SELECT email FROM k WHERE id = 4"]);
    assert_eq!(email, "c3@voorbeeld.nl");
    let (_, found) = json_scan(&file);
    assert!(has_cell(&found, "k", "email", 1, "c3@voorbeeld.nl"));
}

/// bytea values anonymised are written back as bytea (hex form) and restore.
#[test]
fn bytea_values_are_anonymised_and_restored() {
    if !crate::common::databases("dump conformance against servers") {
        return;
    }
    let source = "piiscan_conf_bin_src";
    pg_fresh(source);
    let schema = binary_fixture("schema.pg.sql");
    psql(source, &["-f", schema.to_str().expect("utf-8")]);
    let policy = "on_unlisted = \"keep\"\n\n[[column]]\nname = \"bestand.inhoud\"\nmethod = \"hmac\"\nformat = \"base32\"\nlength = 16\n";
    let dir = tempfile::tempdir().expect("tempdir");
    for (n, flags) in [&[][..], &["--inserts"][..], &["--column-inserts"][..]]
        .into_iter()
        .enumerate()
    {
        let dump = dir.path().join(format!("bin{n}.sql"));
        let mut c = Command::new("pg_dump");
        c.args(["--no-owner", "--no-privileges"]).args(flags).args([
            "-f",
            dump.to_str().expect("utf-8"),
            source,
        ]);
        sh(&mut c);
        let anon = dir.path().join(format!("anon_bin{n}.sql"));
        let o = anonymise(&dump, policy, &anon);
        assert_eq!(o.status.code(), Some(0), "{flags:?}: {}", stderr(&o));
        let target = "piiscan_conf_bin_anon";
        pg_fresh(target);
        psql(target, &["-f", anon.to_str().expect("utf-8")]);
        let rows = psql(target, &["-c", "SELECT count(*) FROM public.bestand"]);
        assert_eq!(rows, "4", "{flags:?}");
        let left = psql(
            target,
            &[
                "-c",
                "SELECT count(*) FROM public.bestand WHERE convert_from(inhoud, 'UTF8') LIKE '%voorbeeld%' OR inhoud = '\\x00ff10fe'::bytea",
            ],
        );
        // The text values are pseudonymised; the binary one is changed too (hmac of its form).
        assert_eq!(left, "0", "{flags:?}");
        let nulls = psql(
            target,
            &[
                "-c",
                "SELECT count(*) FROM public.bestand WHERE inhoud IS NULL",
            ],
        );
        assert_eq!(nulls, "1", "{flags:?}");
    }
}
