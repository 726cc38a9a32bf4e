//! Dumps through a pipe: `scan -` reads a dump on standard input as the dump it is, and
//! `anonymise -` streams a dump from standard input to standard output, verified on the fly,
//! a broken or unverified output ended with lines that make psql and mysql fail. The tests
//! with real servers (pg_dump, psql, mariadb-dump, mariadb) need PostgreSQL and MariaDB
//! running as `.ci/run` starts them, with `PIISCAN_RESTORE_DATABASES=1`.

use crate::common::{code, databases, piiscan, root, stderr, stdout, write, KEY};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs piiscan with `input` on standard input.
fn piped(args: &[&str], input: &[u8]) -> Output {
    let mut child = piiscan()
        .env("PIISCAN_KEY", KEY)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run piiscan");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let feeder = std::thread::spawn(move || {
        // piiscan may stop reading early (a refused input): a broken pipe is no failure.
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait for piiscan");
    feeder.join().expect("feeder");
    out
}

/// (rule, table, column, row, line) of every cell finding, sorted.
fn cell_findings(o: &Output) -> Vec<String> {
    let mut v: Vec<String> = stdout(o)
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("ndjson"))
        .filter(|f| f.get("table").is_some())
        .map(|f| {
            format!(
                "{} {} {} {} {}",
                f["rule"], f["table"], f["column"], f["row"], f["line"]
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn scan_of_a_piped_dump_finds_what_a_scan_of_the_dump_file_finds() {
    for dump in ["chinook.pg_dump.sql", "chinook.mariadb_dump.sql"] {
        let path = root().join("fixtures/chinook").join(dump);
        let bytes = std::fs::read(&path).expect("fixture");
        let from_file = piiscan()
            .args(["scan", "--format", "ndjson"])
            .arg(&path)
            .output()
            .expect("run piiscan");
        let from_pipe = piped(&["scan", "--format", "ndjson", "-"], &bytes);
        assert_eq!(code(&from_pipe), code(&from_file), "{}", stderr(&from_pipe));
        let (a, b) = (cell_findings(&from_pipe), cell_findings(&from_file));
        assert!(a.len() > 100, "{dump}: the piped dump was read as a dump");
        assert_eq!(
            a, b,
            "{dump}: same cell findings from the pipe as from the file"
        );
        // The inventory of the pipe names the dump's tables, as the file's does.
        let inv = piped(&["inventory", "--format", "json", "-"], &bytes);
        assert!(
            stdout(&inv).contains("\"customer\"") || stdout(&inv).contains("\"Customer\""),
            "{dump}: {}",
            stdout(&inv)
        );
    }
}

/// `text` in UTF-16: little-endian with a byte order mark (PowerShell's `>`), or big-endian
/// without one.
fn utf16(text: &[u8], little_endian: bool) -> Vec<u8> {
    let text = std::str::from_utf8(text).expect("utf-8 fixture");
    let units = text.encode_utf16();
    if little_endian {
        [0xFF, 0xFE]
            .into_iter()
            .chain(units.flat_map(u16::to_le_bytes))
            .collect()
    } else {
        units.flat_map(u16::to_be_bytes).collect()
    }
}

#[test]
fn a_utf16_dump_is_read_as_a_dump_from_a_file_and_from_a_pipe() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dump = chinook("chinook.pg_dump.sql");
    let utf8 = piped(&["scan", "--format", "ndjson", "-"], &dump);
    let expected = cell_findings(&utf8);
    assert!(expected.len() > 100);
    for little_endian in [true, false] {
        let bytes = utf16(&dump, little_endian);
        let piped_scan = piped(&["scan", "--format", "ndjson", "-"], &bytes);
        assert_eq!(code(&piped_scan), code(&utf8), "{}", stderr(&piped_scan));
        assert_eq!(
            cell_findings(&piped_scan),
            expected,
            "pipe, LE {little_endian}"
        );
        let file = dir.path().join("chinook16.sql");
        std::fs::write(&file, &bytes).expect("write");
        let file_scan = piiscan()
            .args(["scan", "--format", "ndjson"])
            .arg(&file)
            .output()
            .expect("run piiscan");
        assert_eq!(
            cell_findings(&file_scan).len(),
            expected.len(),
            "file, LE {little_endian}: {}",
            stdout(&file_scan)
        );
        // Anonymised through the pipe: decoded, rewritten as UTF-8, the same as the UTF-8 dump.
        let policy = root().join("fixtures/chinook/policy-postgres.toml");
        let policy = policy.to_str().expect("utf-8");
        let a16 = piped(&["anonymise", "-", "--policy", policy], &bytes);
        assert_eq!(code(&a16), 0, "{}", stderr(&a16));
        let a8 = piped(&["anonymise", "-", "--policy", policy], &dump);
        assert_eq!(a16.stdout, a8.stdout, "LE {little_endian}");
    }
}

#[test]
fn text_on_standard_input_that_mentions_sql_stays_text() {
    let text = b"Notes of the meeting\nwe ran\nINSERT INTO klant VALUES (1);\nmail jan.jansen@voorbeeld.nl\n";
    let o = piped(&["scan", "--format", "ndjson", "-"], text);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("\"rule\":\"email\""), "{}", stdout(&o));
    assert!(cell_findings(&o).is_empty(), "{}", stdout(&o));
    assert!(stdout(&o).contains("\"line\":4"), "{}", stdout(&o));
}

fn chinook(name: &str) -> Vec<u8> {
    std::fs::read(root().join("fixtures/chinook").join(name)).expect("fixture")
}

#[test]
fn piped_anonymise_writes_what_the_file_anonymise_writes_and_reports_on_stderr() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (dump, policy) in [
        ("chinook.pg_dump.sql", "policy-postgres.toml"),
        ("chinook.mariadb_dump.sql", "policy-mariadb.toml"),
    ] {
        let policy = root().join("fixtures/chinook").join(policy);
        let policy = policy.to_str().expect("utf-8");
        let file_out = dir.path().join(format!("{dump}.anon.sql"));
        let o = piiscan()
            .env("PIISCAN_KEY", KEY)
            .arg("anonymise")
            .arg(root().join("fixtures/chinook").join(dump))
            .args(["--policy", policy, "--out"])
            .arg(&file_out)
            .output()
            .expect("run piiscan");
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let p = piped(&["anonymise", "-", "--policy", policy], &chinook(dump));
        assert_eq!(code(&p), 0, "{}", stderr(&p));
        assert_eq!(
            p.stdout,
            std::fs::read(&file_out).expect("output"),
            "{dump}: the pipe's output is the file's"
        );
        let report = stderr(&p);
        assert!(report.contains("- → - (SQL dump)"), "{report}");
        assert!(
            report.contains("table customer: 59 rows in, 59 rows out")
                || report.contains("table Customer: 59 rows in, 59 rows out"),
            "{report}"
        );
        assert!(
            report.contains("verified: rows read back equal rows read"),
            "{report}"
        );
        assert!(report.contains("not read back from disk"), "{report}");
        // `--out -` is standard output too.
        let q = piped(
            &["anonymise", "-", "--policy", policy, "--out", "-"],
            &chinook(dump),
        );
        assert_eq!(code(&q), 0, "{}", stderr(&q));
        assert_eq!(q.stdout, p.stdout);
    }
}

/// A policy that names every personal column of the Chinook PostgreSQL dump but `email`.
fn policy_without_email(dir: &Path) -> String {
    let full = std::fs::read_to_string(root().join("fixtures/chinook/policy-postgres.toml"))
        .expect("policy");
    let mut kept = Vec::new();
    for entry in full.split("[[column]]") {
        if !entry.contains("\"*.email\"") {
            kept.push(entry);
        }
    }
    let text = kept.join("[[column]]");
    write(dir, "no-email.toml", &text);
    dir.join("no-email.toml").display().to_string()
}

const POISON: &str = "piiscan anonymise failed: this output is incomplete and must not be used";

#[test]
fn a_piped_dump_cut_short_gives_exit_2_and_an_output_ending_in_lines_that_fail_a_restore() {
    let dump = chinook("chinook.pg_dump.sql");
    // Cut inside the COPY data of a table.
    let at = dump.len() / 2;
    let policy = root().join("fixtures/chinook/policy-postgres.toml");
    let o = piped(
        &[
            "anonymise",
            "-",
            "--policy",
            policy.to_str().expect("utf-8"),
        ],
        &dump[..at],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(stderr(&o).contains("cut short"), "{}", stderr(&o));
    assert!(stderr(&o).contains("do not use it"), "{}", stderr(&o));
    assert!(
        !stderr(&o).contains("nothing was written"),
        "{}",
        stderr(&o)
    );
    let tail: Vec<&str> = out.lines().rev().take(6).collect();
    assert!(tail.iter().any(|l| l.contains(POISON)), "{tail:?}");
    assert!(tail.contains(&"\\set ON_ERROR_STOP on"), "{tail:?}");
    // Inside the COPY block: a record no table can take, then its end.
    assert!(
        out.lines()
            .any(|l| l.len() == 1600 && l.bytes().all(|b| b == b'\t')),
        "a COPY record of 1601 fields"
    );
    if !databases("pipe test with databases") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("cut.anon.sql");
    std::fs::write(&file, &o.stdout).expect("write");
    psql(
        "postgres",
        &["-c", "DROP DATABASE IF EXISTS piiscan_pipe_cut"],
    );
    psql("postgres", &["-c", "CREATE DATABASE piiscan_pipe_cut"]);
    // A plain `psql -f` (no ON_ERROR_STOP given): the poison lines stop it with exit 3.
    let r = Command::new("psql")
        .args(["-X", "-q", "-d", "piiscan_pipe_cut", "-f"])
        .arg(&file)
        .output()
        .expect("psql");
    assert_eq!(
        r.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert!(String::from_utf8_lossy(&r.stderr).contains(POISON));
}

#[test]
fn personal_data_a_piped_policy_leaves_gives_exit_1_and_an_output_that_fails_a_restore() {
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = policy_without_email(dir.path());
    let o = piped(
        &["anonymise", "-", "--policy", &policy],
        &chinook("chinook.pg_dump.sql"),
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("email"), "{}", stderr(&o));
    assert!(stderr(&o).contains("not usable"), "{}", stderr(&o));
    let out = stdout(&o);
    let tail: Vec<&str> = out.lines().rev().take(5).collect();
    assert!(tail.iter().any(|l| l.contains(POISON)), "{tail:?}");
    // --out FILE: nothing is left on disk.
    let target = dir.path().join("out.sql");
    let f = piped(
        &[
            "anonymise",
            "-",
            "--policy",
            &policy,
            "--out",
            target.to_str().expect("utf-8"),
        ],
        &chinook("chinook.pg_dump.sql"),
    );
    assert_eq!(code(&f), 1, "{}", stderr(&f));
    assert!(!target.exists());
    assert!(
        std::fs::read_dir(dir.path()).expect("dir").count() == 1,
        "only the policy is left"
    );
}

#[test]
fn piped_anonymise_refuses_what_it_cannot_do_in_one_pass_before_writing() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "by-category.toml",
        "[[column]]\ncategory = \"contact.email\"\nmethod = \"redact\"\n",
    );
    let policy = dir.path().join("by-category.toml");
    let policy = policy.to_str().expect("utf-8");
    let o = piped(
        &["anonymise", "-", "--policy", policy],
        &chinook("chinook.pg_dump.sql"),
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).contains("read once"), "{}", stderr(&o));
    // Text is no dump.
    let pg = root().join("fixtures/chinook/policy-postgres.toml");
    let pg = pg.to_str().expect("utf-8");
    let o = piped(
        &["anonymise", "-", "--policy", pg],
        b"jan@example.nl wrote\n",
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).contains("not a SQL dump"), "{}", stderr(&o));
    // --from is checked against the dump's first lines.
    let o = piped(
        &["anonymise", "-", "--policy", pg, "--from", "mysqldump"],
        &chinook("chinook.pg_dump.sql"),
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(o.stdout.is_empty());
}

fn sh(cmd: &mut Command) -> String {
    let out = cmd.output().expect("the database client runs");
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

fn mariadb(db: &str, sql: &str) -> String {
    let mut c = Command::new("mariadb");
    c.args(["-N", "-B", db, "-e", sql]);
    sh(&mut c)
}

/// Runs `dump | piiscan anonymise - --policy policy`, returning piiscan's output.
fn dump_through_piiscan(dump: &mut Command, policy: &Path) -> Output {
    let mut dumper = dump
        .stdout(Stdio::piped())
        .spawn()
        .expect("the dump tool runs");
    let from = dumper.stdout.take().expect("dump output");
    let o = piiscan()
        .env("PIISCAN_KEY", KEY)
        .args(["anonymise", "-", "--policy"])
        .arg(policy)
        .stdin(Stdio::from(from))
        .output()
        .expect("run piiscan");
    assert!(dumper.wait().expect("dump tool").success());
    o
}

const PIPE_POLICY: &str = r#"on_unlisted = "fail"

[[column]]
name = "naam"
method = "redact"

[[column]]
name = "email"
method = "hmac"
format = "base32"
length = 16
key_label = "email"

[[column]]
name = "telefoon"
method = "redact"
"#;

/// Rows of people: (naam, email, telefoon), values no anonymised output may hold.
fn people(n: usize) -> Vec<(String, String, String)> {
    (0..n)
        .map(|i| {
            (
                format!("Jan Jansen{i}"),
                format!("jan.jansen{i}@voorbeeld.nl"),
                format!("06-{:08}", 12_345_000 + i),
            )
        })
        .collect()
}

#[test]
fn pg_dump_through_piiscan_restores_with_its_row_counts_and_without_its_people() {
    if !databases("pipe test with databases") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "policy.toml", PIPE_POLICY);
    for db in ["piiscan_pipe_src", "piiscan_pipe_dst"] {
        psql(
            "postgres",
            &["-c", &format!("DROP DATABASE IF EXISTS {db}")],
        );
        psql("postgres", &["-c", &format!("CREATE DATABASE {db}")]);
    }
    let rows = people(300);
    let mut sql = String::from(
        "CREATE TABLE klant (id serial PRIMARY KEY, naam text, email text, telefoon text, status text);\n\
         CREATE TABLE bezoek (klant_id int, email text, dag date);\n",
    );
    for (naam, email, tel) in &rows {
        sql.push_str(&format!(
            "INSERT INTO klant (naam, email, telefoon, status) VALUES ('{naam}', '{email}', '{tel}', 'actief');\n\
             INSERT INTO bezoek VALUES (1, '{email}', '2024-01-01');\n"
        ));
    }
    write(dir.path(), "seed.sql", &sql);
    psql(
        "piiscan_pipe_src",
        &["-f", dir.path().join("seed.sql").to_str().expect("utf-8")],
    );
    let o = dump_through_piiscan(
        Command::new("pg_dump").arg("piiscan_pipe_src"),
        &dir.path().join("policy.toml"),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    for (naam, email, tel) in &rows {
        assert!(
            !out.contains(naam.as_str())
                && !out.contains(email.as_str())
                && !out.contains(tel.as_str())
        );
    }
    write(dir.path(), "anon.sql", &out);
    psql(
        "piiscan_pipe_dst",
        &[
            "-1",
            "-f",
            dir.path().join("anon.sql").to_str().expect("utf-8"),
        ],
    );
    for t in ["klant", "bezoek"] {
        let q = format!("SELECT count(*) FROM {t}");
        assert_eq!(
            psql("piiscan_pipe_dst", &["-c", &q]),
            psql("piiscan_pipe_src", &["-c", &q]),
            "{t}"
        );
    }
    assert_eq!(
        psql("piiscan_pipe_dst", &["-c", "SELECT count(*) FROM klant"]),
        "300"
    );
    assert_eq!(
        psql(
            "piiscan_pipe_dst",
            &["-c", "SELECT count(*) FROM klant WHERE naam IS NOT NULL OR telefoon IS NOT NULL OR email LIKE '%voorbeeld%'"]
        ),
        "0"
    );
    assert_eq!(
        psql(
            "piiscan_pipe_dst",
            &[
                "-c",
                "SELECT count(*) FROM bezoek WHERE email LIKE '%voorbeeld%'"
            ]
        ),
        "0"
    );
    // Pseudonyms: one person keeps one token across tables.
    assert_eq!(
        psql(
            "piiscan_pipe_dst",
            &[
                "-c",
                "SELECT count(*) FROM bezoek b JOIN klant k ON k.email = b.email"
            ]
        ),
        "300"
    );
}

#[test]
fn mariadb_dump_through_piiscan_restores_with_its_row_counts_and_without_its_people() {
    if !databases("pipe test with databases") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "policy.toml", PIPE_POLICY);
    for db in ["piiscan_pipe_src", "piiscan_pipe_dst"] {
        mariadb(
            "mysql",
            &format!("DROP DATABASE IF EXISTS {db}; CREATE DATABASE {db}"),
        );
    }
    let rows = people(300);
    let mut sql = String::from(
        "CREATE TABLE klant (id int AUTO_INCREMENT PRIMARY KEY, naam varchar(100), email varchar(100), telefoon varchar(20), status varchar(10));\n\
         CREATE TABLE bezoek (klant_id int, email varchar(100), dag date);\n",
    );
    for (naam, email, tel) in &rows {
        sql.push_str(&format!(
            "INSERT INTO klant (naam, email, telefoon, status) VALUES ('{naam}', '{email}', '{tel}', 'actief');\n\
             INSERT INTO bezoek VALUES (1, '{email}', '2024-01-01');\n"
        ));
    }
    mariadb("piiscan_pipe_src", &sql);
    let o = dump_through_piiscan(
        Command::new("mariadb-dump").arg("piiscan_pipe_src"),
        &dir.path().join("policy.toml"),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    for (naam, email, tel) in &rows {
        assert!(
            !out.contains(naam.as_str())
                && !out.contains(email.as_str())
                && !out.contains(tel.as_str())
        );
    }
    let restore = Command::new("mariadb")
        .arg("piiscan_pipe_dst")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().expect("stdin").write_all(out.as_bytes())?;
            c.wait_with_output()
        })
        .expect("mariadb runs");
    assert!(
        restore.status.success(),
        "{}",
        String::from_utf8_lossy(&restore.stderr)
    );
    for t in ["klant", "bezoek"] {
        let q = format!("SELECT count(*) FROM {t}");
        assert_eq!(
            mariadb("piiscan_pipe_dst", &q),
            mariadb("piiscan_pipe_src", &q),
            "{t}"
        );
    }
    assert_eq!(
        mariadb("piiscan_pipe_dst", "SELECT count(*) FROM klant"),
        "300"
    );
    assert_eq!(
        mariadb(
            "piiscan_pipe_dst",
            "SELECT count(*) FROM klant WHERE naam IS NOT NULL OR telefoon IS NOT NULL OR email LIKE '%voorbeeld%'"
        ),
        "0"
    );
    assert_eq!(
        mariadb(
            "piiscan_pipe_dst",
            "SELECT count(*) FROM bezoek WHERE email LIKE '%voorbeeld%'"
        ),
        "0"
    );
}

/// Streams a generated pg_dump of `rows` rows of 64 KiB (a `bytea` photo and an e-mail
/// address each) through `piiscan anonymise -`, from memory to nowhere (no byte of it on
/// disk), and returns piiscan's maximum resident set size in KiB (by `/usr/bin/time`).
fn max_rss_of_piped_anonymise(rows: usize, policy: &Path, dir: &Path) -> (u64, u64) {
    let report = dir.join(format!("rss-{rows}"));
    let mut child = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&report)
        .arg(env!("CARGO_BIN_EXE_piiscan"))
        .args(["anonymise", "-", "--policy"])
        .arg(policy)
        .env("PIISCAN_KEY", KEY)
        .env("PIISCAN_FINGERPRINT_KEY", "test-key-not-secret")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("/usr/bin/time runs piiscan");
    let mut stdin = child.stdin.take().expect("stdin");
    let feeder = std::thread::spawn(move || -> std::io::Result<u64> {
        let head = "--\n-- PostgreSQL database dump\n--\n\nCREATE TABLE public.foto (\n    id integer NOT NULL,\n    email text,\n    data bytea\n);\n\nCOPY public.foto (id, email, data) FROM stdin;\n";
        stdin.write_all(head.as_bytes())?;
        let mut blob = String::with_capacity(65_536);
        let mut x: u32 = 0x9e37_79b9;
        for _ in 0..32_768 {
            // Bytes that are no text: the scan counts the cell as binary.
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            blob.push_str(&format!("{:02x}", (x >> 24) as u8));
        }
        let mut sent = head.len() as u64;
        for i in 0..rows {
            let line = format!("{i}\tjan.jansen{i}@voorbeeld.nl\t\\\\x{blob}\n");
            stdin.write_all(line.as_bytes())?;
            sent += line.len() as u64;
        }
        stdin.write_all(b"\\.\n\n")?;
        Ok(sent)
    });
    let mut out = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        // Counted, not kept: the output must not pile up here either.
        let mut buf = vec![0u8; 1 << 16];
        let (mut total, mut tail) = (0u64, Vec::new());
        loop {
            let n = out.read(&mut buf).expect("read output");
            if n == 0 {
                break;
            }
            total += n as u64;
            tail.extend_from_slice(&buf[..n]);
            if tail.len() > 4096 {
                tail.drain(..tail.len() - 4096);
            }
        }
        (total, tail)
    });
    let sent = feeder
        .join()
        .expect("feeder")
        .expect("piiscan read the dump");
    let (written, tail) = reader.join().expect("reader");
    let o = child.wait_with_output().expect("wait");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&tail).ends_with("\\.\n\n"));
    assert!(written > sent * 9 / 10, "the output holds the rows");
    let rss = std::fs::read_to_string(&report).expect("time's report");
    let kib = rss
        .lines()
        .last()
        .and_then(|l| l.trim().parse::<u64>().ok())
        .expect("max RSS in KiB");
    (kib, sent)
}

#[test]
fn piping_200_mb_through_anonymise_keeps_max_rss_within_64_mb_of_piping_1_mb() {
    if !Path::new("/usr/bin/time").exists() {
        panic!("/usr/bin/time is needed to measure the maximum RSS (apt-get install time)");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "policy.toml",
        "[[column]]\nname = \"email\"\nmethod = \"hmac\"\nformat = \"base32\"\nlength = 16\nkey_label = \"email\"\n",
    );
    let policy = dir.path().join("policy.toml");
    let (small, small_sent) = max_rss_of_piped_anonymise(16, &policy, dir.path());
    let (large, large_sent) = max_rss_of_piped_anonymise(3_200, &policy, dir.path());
    assert!(
        small_sent < 2 << 20 && large_sent > 200 << 20,
        "{small_sent} {large_sent}"
    );
    eprintln!("max RSS: {small} KiB for {small_sent} bytes, {large} KiB for {large_sent} bytes");
    assert!(
        large <= small + 64 * 1024,
        "max RSS grew from {small} KiB (1 MB dump) to {large} KiB (200 MB dump)"
    );
}

#[test]
fn format_names_the_dump_of_standard_input_as_the_command_line_contract_says() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(
        d.join("policy.toml"),
        "[[column]]\nname = \"email\"\nmethod = \"redact\"\nvalue = \"x\"\n",
    )
    .expect("policy");
    let dump = "-- PostgreSQL database dump\nCOPY public.k (id, email) FROM stdin;\n1\tjan@example.nl\n\\.\n";
    let run = |format: &str| {
        let mut child = crate::common::piiscan()
            .current_dir(d)
            .args([
                "anonymise",
                "-",
                "--policy",
                "policy.toml",
                "--format",
                format,
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(dump.as_bytes())
            .expect("write");
        child.wait_with_output().expect("wait")
    };
    let o = run("pg_dump");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("1\tx\n") && !out.contains("jan@"), "{out}");
    // A MySQL dump format for a pg_dump stream is refused before anything is written.
    let o = run("mysqldump");
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.stdout.is_empty() || !String::from_utf8_lossy(&o.stdout).contains("jan@"));
}
