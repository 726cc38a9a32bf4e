//! Binary table formats read completely (issue 11, readers): an SQLite database with its
//! write-ahead log and rollback journal, SQLite, Parquet and workbooks on standard input or
//! compressed, a workbook's comments, properties and names, and a Parquet file's footer
//! metadata and column names.

use crate::common::{anonymise, code, ndjson, piiscan, root, run, stderr, stdout, write};
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

/// Every file below `dir` with its bytes: what must not change when a scan reads it.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            continue;
        }
        let name = e.file_name().to_string_lossy().into_owned();
        out.insert(name, std::fs::read(e.path()).unwrap());
    }
    out
}

/// Makes `name` in `dir` with SQLite itself, in WAL mode: `checkpointed` goes into the database
/// file, then `in_wal` is committed to the write-ahead log only. The files are copied while the
/// writer still holds the database open (as a backup of a running application's folder
/// would), so the copy's `-wal` holds the newest rows; `with_shm` copies the index too.
fn wal_database(dir: &Path, name: &str, checkpointed: &str, in_wal: &str, with_shm: bool) {
    let live = tempfile::tempdir().unwrap();
    let db = live.path().join(name);
    let conn = Connection::open(&db).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    conn.execute_batch("PRAGMA wal_autocheckpoint=0;").unwrap();
    conn.execute_batch(checkpointed).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    conn.execute_batch(in_wal).unwrap();
    let mut suffixes = vec!["", "-wal"];
    if with_shm {
        suffixes.push("-shm");
    }
    for suffix in suffixes {
        let from = live.path().join(format!("{name}{suffix}"));
        assert!(from.exists(), "{suffix} missing");
        std::fs::copy(&from, dir.join(format!("{name}{suffix}"))).unwrap();
    }
    drop(conn);
}

fn found_at(found: &[serde_json::Value], table: &str, column: &str, row: u64) -> bool {
    found
        .iter()
        .any(|f| f["table"] == table && f["column"] == column && f["row"] == row)
}

fn stats(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["scan"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let out = run(dir, &all);
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)));
    v["stats"].clone()
}

#[test]
fn rows_committed_to_the_write_ahead_log_are_read_and_the_input_stays_untouched() {
    let dir = tempfile::tempdir().unwrap();
    wal_database(
        dir.path(),
        "app.db",
        "CREATE TABLE klant (naam TEXT, email TEXT, telefoon TEXT);
         INSERT INTO klant VALUES ('Jan', 'jan.jansen@voorbeeld.nl', NULL);",
        // A row added, a value changed, and a table that exists only in the log.
        "INSERT INTO klant VALUES ('Piet', 'piet.devries@voorbeeld.nl', NULL);
         UPDATE klant SET telefoon = '0612345678' WHERE naam = 'Jan';
         CREATE TABLE betaling (iban TEXT);
         INSERT INTO betaling VALUES ('NL91ABNA0417164300');",
        true,
    );
    // A second database whose log has no index beside it.
    wal_database(
        dir.path(),
        "crm.sqlite",
        "CREATE TABLE c (email TEXT);",
        "INSERT INTO c VALUES ('kees.smit@voorbeeld.be');",
        false,
    );
    let before = snapshot(dir.path());
    let out = run(dir.path(), &["scan", ".", "--format", "ndjson"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let found = ndjson(&out);
    assert!(found_at(&found, "klant", "email", 1), "{found:?}");
    assert!(found_at(&found, "klant", "email", 2), "{found:?}");
    assert!(found_at(&found, "klant", "telefoon", 1), "{found:?}");
    assert!(found_at(&found, "betaling", "iban", 1), "{found:?}");
    assert!(found_at(&found, "c", "email", 1), "{found:?}");
    // The side files are part of their databases, not inputs of their own.
    assert!(
        found.iter().all(|f| {
            let p = f["path"].as_str().unwrap();
            p.ends_with("app.db") || p.ends_with("crm.sqlite")
        }),
        "{found:?}"
    );
    let s = stats(dir.path(), &["."]);
    assert_eq!(s["files"], 2, "{s}");
    assert_eq!(s["skipped_binary"], 0, "{s}");
    assert_eq!(s["errors"], 0, "{s}");
    // Nothing was written beside the input: no index, no lock, no journal, no change.
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn a_write_ahead_log_without_its_database_is_named_not_scanned() {
    let dir = tempfile::tempdir().unwrap();
    wal_database(
        dir.path(),
        "app.db",
        "CREATE TABLE k (email TEXT);",
        "INSERT INTO k VALUES ('jan.jansen@voorbeeld.nl');",
        true,
    );
    let alone = dir.path().join("alone");
    std::fs::create_dir(&alone).unwrap();
    // Under its own name, under another name, and named next to its database.
    std::fs::copy(dir.path().join("app.db-wal"), alone.join("app.db-wal")).unwrap();
    std::fs::copy(dir.path().join("app.db-wal"), alone.join("log.bin")).unwrap();
    for (args, says, failed) in [
        (&["scan", "alone/app.db-wal"][..], "without its database", 1),
        (&["scan", "alone"][..], "without its database", 2),
        (&["scan", "alone/log.bin"][..], "write-ahead log", 1),
        (&["scan", "app.db-wal"][..], "read with that database", 1),
    ] {
        let out = run(dir.path(), args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
        assert!(
            stdout(&out).contains(&format!("{failed} failed")),
            "{args:?}: {}",
            stdout(&out)
        );
    }
    let mut child = piiscan()
        .current_dir(dir.path())
        .args(["scan", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let wal = std::fs::read(dir.path().join("app.db-wal")).unwrap();
    child.stdin.take().unwrap().write_all(&wal).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("write-ahead log"), "{}", stderr(&out));
}

#[test]
fn a_transaction_cut_short_is_rolled_back_on_a_copy_and_the_committed_rows_read() {
    let dir = tempfile::tempdir().unwrap();
    let live = tempfile::tempdir().unwrap();
    let db = live.path().join("r.db");
    let conn = Connection::open(&db).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode=DELETE; PRAGMA cache_size=2;
         CREATE TABLE k (email TEXT, note TEXT);
         INSERT INTO k VALUES ('jan.jansen@voorbeeld.nl', 'vast');",
    )
    .unwrap();
    // A transaction that overwrites the committed e-mail and spills its pages into the
    // database file (the cache holds two pages), then "crashes": the files are copied while
    // it is open, with the journal holding the original pages.
    conn.execute_batch("BEGIN; UPDATE k SET email = 'x';")
        .unwrap();
    for i in 0..400 {
        conn.execute(
            "INSERT INTO k VALUES (?1, ?2)",
            ["onbekend", &format!("{i:0>200}")],
        )
        .unwrap();
    }
    std::fs::copy(&db, dir.path().join("r.db")).unwrap();
    std::fs::copy(
        live.path().join("r.db-journal"),
        dir.path().join("r.db-journal"),
    )
    .unwrap();
    conn.execute_batch("ROLLBACK;").unwrap();
    drop(conn);
    let journal = std::fs::read(dir.path().join("r.db-journal")).unwrap();
    assert!(journal.starts_with(&[0xD9, 0xD5, 0x05, 0xF9, 0x20, 0xA1, 0x63, 0xD7]));
    let before = snapshot(dir.path());
    let out = run(dir.path(), &["scan", ".", "--format", "ndjson"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let found = ndjson(&out);
    assert!(found_at(&found, "k", "email", 1), "{found:?}");
    assert_eq!(snapshot(dir.path()), before);
    let s = stats(dir.path(), &["."]);
    assert_eq!(
        (
            s["files"].as_u64(),
            s["errors"].as_u64(),
            s["skipped_binary"].as_u64()
        ),
        (Some(1), Some(0), Some(0)),
        "{s}"
    );
    // A journal alone holds the original pages of a database: named, not skipped.
    std::fs::remove_file(dir.path().join("r.db")).unwrap();
    let out = run(dir.path(), &["scan", "."]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("rollback journal"),
        "{}",
        stderr(&out)
    );
}

/// Runs `piiscan scan -` (and `args`) with `input` on standard input, its temporary folder in
/// `tmp`.
fn scan_stdin(input: &[u8], args: &[&str], tmp: &Path) -> Output {
    let mut child = piiscan()
        .env("TMPDIR", tmp)
        .args(["scan", "-", "--format", "ndjson"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // The scan may stop reading early (a limit): a broken pipe is fine.
    let _ = stdin.write_all(input);
    drop(stdin);
    child.wait_with_output().unwrap()
}

fn rollback_database(path: &Path) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(
        "CREATE TABLE leden (naam TEXT, email TEXT, iban TEXT);
         INSERT INTO leden VALUES ('Sanne', 'sanne.bakker@voorbeeld.nl', 'NL91ABNA0417164300');",
    )
    .unwrap();
}

fn parquet_file(path: &Path) {
    use polars::prelude::*;
    let mut df = df!(
        "email" => ["kees.smit@voorbeeld.be", "ann.peeters@voorbeeld.be"],
        "telefoon" => ["0612345678", "0687654321"],
    )
    .unwrap();
    ParquetWriter::new(std::fs::File::create(path).unwrap())
        .finish(&mut df)
        .unwrap();
}

#[test]
fn sqlite_parquet_and_workbooks_on_standard_input_are_read() {
    let dir = tempfile::tempdir().unwrap();
    rollback_database(&dir.path().join("l.sqlite"));
    parquet_file(&dir.path().join("p.parquet"));
    let cases: [(&str, Vec<u8>); 4] = [
        (
            "sqlite",
            std::fs::read(dir.path().join("l.sqlite")).unwrap(),
        ),
        (
            "parquet",
            std::fs::read(dir.path().join("p.parquet")).unwrap(),
        ),
        (
            "xlsx",
            std::fs::read(root().join("fixtures/demo/crm/klanten.xlsx")).unwrap(),
        ),
        (
            "ods",
            std::fs::read(root().join("fixtures/demo/crm/leden.ods")).unwrap(),
        ),
    ];
    let tmp = tempfile::tempdir().unwrap();
    for (what, bytes) in &cases {
        let out = scan_stdin(bytes, &[], tmp.path());
        assert_eq!(code(&out), 0, "{what}: {}", stderr(&out));
        let found = ndjson(&out);
        assert!(
            found
                .iter()
                .any(|f| f["table"].is_string() && f["row"].is_u64()),
            "{what}: {found:?}"
        );
        assert!(
            found.iter().any(|f| f["rule"] == "email"),
            "{what}: {found:?}"
        );
        // The same bytes compressed, by path: read as well.
        let gz = dir.path().join(format!("x.{what}.gz"));
        let mut enc = flate2::write::GzEncoder::new(
            std::fs::File::create(&gz).unwrap(),
            flate2::Compression::fast(),
        );
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap();
        let out = run(
            dir.path(),
            &["scan", gz.to_str().unwrap(), "--format", "ndjson"],
        );
        assert_eq!(code(&out), 0, "{what}.gz: {}", stderr(&out));
        assert!(
            ndjson(&out).iter().any(|f| f["rule"] == "email"),
            "{what}.gz: {}",
            stdout(&out)
        );
        // Larger than --max-filesize: named, never a silent pass.
        let out = scan_stdin(bytes, &["--max-filesize", "100"], tmp.path());
        assert_eq!(code(&out), 2, "{what}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("larger than 100 bytes"),
            "{what}: {}",
            stderr(&out)
        );
    }
    // Nothing is left in the temporary folder.
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn a_database_in_wal_mode_on_standard_input_says_its_log_was_not_read() {
    let dir = tempfile::tempdir().unwrap();
    wal_database(
        dir.path(),
        "w.db",
        "CREATE TABLE k (email TEXT); INSERT INTO k VALUES ('jan.jansen@voorbeeld.nl');",
        "INSERT INTO k VALUES ('piet.devries@voorbeeld.nl');",
        false,
    );
    let tmp = tempfile::tempdir().unwrap();
    let out = scan_stdin(
        &std::fs::read(dir.path().join("w.db")).unwrap(),
        &[],
        tmp.path(),
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("WAL mode"), "{}", stderr(&out));
    assert!(found_at(&ndjson(&out), "k", "email", 1));
}

#[test]
fn parquet_footer_metadata_and_column_names_are_read() {
    // Made by pyarrow and pandas: fixtures/tables/make_parquet.py.
    let out = run(
        &root(),
        &[
            "scan",
            "fixtures/tables/metadata.parquet",
            "--format",
            "ndjson",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let found = ndjson(&out);
    let has = |table: &str, column: &str, rule: &str| {
        found
            .iter()
            .any(|f| f["table"] == table && f["column"] == column && f["rule"] == rule)
    };
    // A writer's own keys, pandas' schema metadata and a field's Arrow metadata.
    assert!(has("key_value_metadata", "eigenaar", "email"), "{found:?}");
    assert!(has("key_value_metadata", "eigenaar", "phone"), "{found:?}");
    assert!(has("key_value_metadata", "iban", "iban"), "{found:?}");
    assert!(has("key_value_metadata", "pandas", "email"), "{found:?}");
    assert!(
        has("key_value_metadata", "ARROW:schema", "email"),
        "{found:?}"
    );
    // Column names, nested ones included, masked wherever they are printed.
    let names: Vec<&serde_json::Value> = found
        .iter()
        .filter(|f| f["table"] == "metadata" && f["rule"] == "email")
        .collect();
    assert_eq!(names.len(), 2, "{found:?}");
    let text = stdout(&out);
    for value in [
        "sanne.bakker@voorbeeld.nl",
        "piet.devries@voorbeeld.nl",
        "kees.smit@voorbeeld.be",
        "ann.peeters@voorbeeld.be",
        "NL91ABNA0417164300",
    ] {
        assert!(!text.contains(value), "{value} printed: {text}");
    }
    // A file whose footer holds nothing personal gains no findings from it.
    let dir = tempfile::tempdir().unwrap();
    parquet_file(&dir.path().join("p.parquet"));
    let found = ndjson(&run(
        dir.path(),
        &["scan", "p.parquet", "--format", "ndjson"],
    ));
    assert!(!found.is_empty());
    assert!(found.iter().all(|f| f["table"] == "p"), "{found:?}");
}

/// (table, column, row, rule) of every finding.
fn places(found: &[serde_json::Value]) -> Vec<(String, String, u64, String)> {
    found
        .iter()
        .map(|f| {
            (
                f["table"].as_str().unwrap_or("").to_string(),
                f["column"].as_str().unwrap_or("").to_string(),
                f["row"].as_u64().unwrap_or(0),
                f["rule"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Where a finding is expected: table, column, row, rule.
type Place = (&'static str, &'static str, u64, &'static str);

#[test]
fn workbook_comments_properties_and_names_are_read() {
    // Made by XlsxWriter and the standard library: fixtures/tables/make_workbooks.py.
    let cases: [(&str, &[Place]); 3] = [
        (
            "notes.xlsx",
            &[
                ("xl/comments1.xml", "author", 1, "person_name"),
                ("xl/comments1.xml", "text", 1, "person_name"),
                ("docProps/core.xml", "creator", 1, "person_name"),
                ("docProps/core.xml", "lastModifiedBy", 1, "person_name"),
                ("docProps/core.xml", "title", 1, "person_name"),
                ("docProps/core.xml", "description", 1, "email"),
                ("docProps/app.xml", "Manager", 1, "person_name"),
                ("docProps/custom.xml", "Klant-IBAN", 1, "iban"),
                ("xl/workbook.xml", "sheet", 2, "person_name"),
                ("xl/workbook.xml", "refers_to", 3, "email"),
            ],
        ),
        (
            "threaded.xlsx",
            &[
                (
                    "xl/threadedComments/threadedComment1.xml",
                    "author",
                    1,
                    "person_name",
                ),
                (
                    "xl/threadedComments/threadedComment1.xml",
                    "text",
                    1,
                    "email",
                ),
                ("xl/persons/person.xml", "user_id", 1, "email"),
                ("xl/comments1.xml", "author", 1, "person_name"),
            ],
        ),
        (
            "annotated.ods",
            &[
                ("content.xml:annotations", "author", 1, "person_name"),
                ("content.xml:annotations", "text", 1, "email"),
                ("meta.xml", "initial-creator", 1, "person_name"),
                ("meta.xml", "Dossierhouder", 1, "email"),
                ("content.xml", "refers_to", 2, "email"),
            ],
        ),
    ];
    for (file, want) in cases {
        let path = format!("fixtures/tables/{file}");
        let out = run(&root(), &["scan", &path, "--format", "ndjson"]);
        assert_eq!(code(&out), 0, "{file}: {}", stderr(&out));
        let got = places(&ndjson(&out));
        for (table, column, row, rule) in want {
            assert!(
                got.iter()
                    .any(|g| g.0 == *table && g.1 == *column && g.2 == *row && g.3 == *rule),
                "{file}: no {rule} at {table}.{column}[{row}] in {got:?}"
            );
        }
        // The cells themselves hold nothing personal; nothing is printed in full.
        for value in [
            "Marieke Janssens",
            "sanne.bakker@voorbeeld.nl",
            "NL91ABNA0417164300",
            "lotte.deboer@voorbeeld.nl",
            "ruben.mertens@voorbeeld.be",
            "eva.wouters@voorbeeld.be",
            "noor.jacobs@voorbeeld.be",
            "tom.dubois@voorbeeld.be",
        ] {
            assert!(!stdout(&out).contains(value), "{file} prints {value}");
        }
    }
}

#[test]
fn anonymising_a_database_takes_the_rows_of_its_write_ahead_log_too() {
    let dir = tempfile::tempdir().unwrap();
    wal_database(
        dir.path(),
        "app.db",
        "CREATE TABLE k (naam TEXT, email TEXT);
         INSERT INTO k VALUES ('Jan', 'jan.jansen@voorbeeld.nl');",
        "INSERT INTO k VALUES ('Piet', 'piet.devries@voorbeeld.nl');",
        true,
    );
    write(
        dir.path(),
        "p.toml",
        "on_unlisted = \"keep\"\n[[column]]\nname = \"*.email\"\nmethod = \"hmac\"\nformat = \"base32\"\nlength = 16\n",
    );
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let before = snapshot(dir.path());
    let o = anonymise(
        dir.path(),
        &["app.db", "--policy", "p.toml", "--out", "out/anon.db"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("2 rows in, 2 rows out"),
        "{}",
        stdout(&o)
    );
    let out = dir.path().join("out");
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["anon.db"], "no side file left beside the output");
    let bytes = std::fs::read(out.join("anon.db")).unwrap();
    for raw in [
        &b"piet.devries@voorbeeld.nl"[..],
        b"jan.jansen@voorbeeld.nl",
    ] {
        assert!(!bytes.windows(raw.len()).any(|w| w == raw));
    }
    let conn = Connection::open(out.join("anon.db")).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM k", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2);
    drop(conn);
    assert_eq!(snapshot(dir.path()), before);
}
