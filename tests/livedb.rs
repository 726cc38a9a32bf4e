//! Live databases: a PostgreSQL database with personal data of several kinds (a table
//! without a primary key, a view, a partitioned table, a binary column, a table the scanning
//! user may not read) is scanned live as a user with limited grants; every labelled column is
//! found, the unreadable table is named with exit 2, and the database is the same afterwards.
//! Needs the PostgreSQL server `.ci/run` starts (a superuser role for the current user);
//! elsewhere the tests say they were skipped.

use crate::common::{code, databases, ndjson, piiscan, stderr, stdout};
use std::process::{Command, Output};

const DB: &str = "piiscan_live";
const READER: &str = "piiscan_live_reader";
/// Only for this throw-away role of the test database.
const READER_PW: &str = "live-test-pw-not-secret";

fn psql(db: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-At",
            "-d",
            db,
            "-c",
            sql,
        ])
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "psql {sql:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

const SCHEMA: &str = r#"
CREATE SCHEMA crm;
CREATE TABLE crm.klanten (
  id serial PRIMARY KEY, naam text, email text, iban text, bsn text, telefoon text, foto bytea);
INSERT INTO crm.klanten (naam, email, iban, bsn, telefoon, foto)
SELECT (ARRAY['Jan de Vries','Anna Jansen','Pieter Bakker','Sanne Visser','Thomas Smit'])[1 + i % 5],
       'klant' || i || '@voorbeeld.nl',
       (ARRAY['NL91ABNA0417164300','NL20INGB0001234567','NL39RABO0300065264'])[1 + i % 3],
       (ARRAY['111222333','123456782','010464554'])[1 + i % 3],
       '06-' || (12340000 + i)::text,
       CASE WHEN i % 2 = 0 THEN decode('89504e470d0a1a0a', 'hex') END
FROM generate_series(1, 60) i;
-- No primary key.
CREATE TABLE crm.bezoeken (ip inet, bezoeker_email text, moment timestamptz);
INSERT INTO crm.bezoeken
SELECT ('84.241.12.' || i)::inet, 'bezoeker' || i || '@example.com', now()
FROM generate_series(1, 40) i;
CREATE VIEW crm.klant_contact AS SELECT naam, email FROM crm.klanten;
CREATE TABLE crm.bestellingen (id int, besteld date, telefoon text) PARTITION BY RANGE (besteld);
CREATE TABLE crm.bestellingen_2024 PARTITION OF crm.bestellingen FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE crm.bestellingen_2025 PARTITION OF crm.bestellingen FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO crm.bestellingen
SELECT i, date '2024-06-01' + i * 7, '+31 6 ' || (23450000 + i)::text FROM generate_series(1, 50) i;
-- Large enough to be sampled by blocks.
CREATE TABLE crm.groot AS SELECT i AS id, 'g' || i || '@voorbeeld.nl' AS email FROM generate_series(1, 30000) i;
-- Slow to read: times out under a short statement_timeout.
CREATE VIEW crm.traag AS SELECT email, pg_sleep(0.3)::text AS wacht FROM crm.klanten LIMIT 3;
-- The scanning user may not read this one.
CREATE TABLE crm.salarissen (bsn text, iban text, bedrag numeric);
INSERT INTO crm.salarissen VALUES ('111222333', 'NL91ABNA0417164300', 4200);
ANALYZE;
"#;

/// A checksum of every table's rows, partitions included.
fn checksums() -> String {
    let tables = [
        "crm.klanten",
        "crm.bezoeken",
        "crm.bestellingen_2024",
        "crm.bestellingen_2025",
        "crm.salarissen",
        "crm.groot",
    ];
    tables
        .iter()
        .map(|t| {
            psql(
                DB,
                &format!("SELECT '{t}:' || count(*) || ':' || md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM {t} x"),
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn set_up() {
    psql("postgres", &format!("DROP DATABASE IF EXISTS {DB}"));
    psql("postgres", &format!("DROP ROLE IF EXISTS {READER}"));
    psql("postgres", &format!("CREATE DATABASE {DB}"));
    psql(
        "postgres",
        &format!("CREATE ROLE {READER} LOGIN PASSWORD '{READER_PW}'"),
    );
    psql(DB, SCHEMA);
    psql(
        DB,
        &format!(
            "GRANT USAGE ON SCHEMA crm TO {READER}; \
             GRANT SELECT ON crm.klanten, crm.bezoeken, crm.klant_contact, crm.bestellingen, crm.groot, crm.traag TO {READER}"
        ),
    );
}

fn url(extra: &str) -> String {
    format!("postgres://{READER}@127.0.0.1:5432/{DB}{extra}")
}

fn scan(args: &[&str], pw: Option<&str>) -> Output {
    let mut c = piiscan();
    c.arg("scan")
        .args(args)
        .arg("--quiet")
        .env_remove("PGPASSWORD");
    if let Some(pw) = pw {
        c.env("PGPASSWORD", pw);
    }
    // No ~/.pgpass of the machine's user may answer for the test.
    c.env("PGPASSFILE", "/nonexistent/pgpass");
    c.output().expect("run piiscan")
}

fn found(findings: &[serde_json::Value], table: &str, column: &str, rule: &str) -> bool {
    findings
        .iter()
        .any(|f| f["table"] == table && f["column"] == column && f["rule"] == rule)
}

#[test]
fn a_live_postgresql_database_is_scanned_read_only_and_unreadable_tables_are_named() {
    if !databases("live PostgreSQL test") {
        return;
    }
    set_up();
    let before = checksums();

    let o = scan(&[&url(""), "--format", "ndjson"], Some(READER_PW));
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "exit: {err}");
    assert!(
        err.contains("crm.salarissen"),
        "the unreadable table is named: {err}"
    );
    let findings = ndjson(&o);
    for (table, column, rule) in [
        ("crm.klanten", "naam", "person_name"),
        ("crm.klanten", "email", "email"),
        ("crm.klanten", "iban", "iban"),
        ("crm.klanten", "bsn", "nl.bsn"),
        ("crm.klanten", "telefoon", "phone"),
        ("crm.bezoeken", "ip", "ipv4"),
        ("crm.bezoeken", "bezoeker_email", "email"),
        ("crm.klant_contact", "email", "email"),
        ("crm.bestellingen", "telefoon", "phone"),
    ] {
        assert!(
            found(&findings, table, column, rule),
            "{table}.{column} as {rule}: {}",
            stdout(&o)
        );
    }
    let ds = format!("postgres://127.0.0.1:5432/{DB}");
    assert!(
        findings.iter().all(|f| f["path"] == ds.as_str()),
        "{}",
        stdout(&o)
    );
    assert!(
        !findings
            .iter()
            .any(|f| f["table"] == "crm.salarissen" || f["table"] == "crm.bestellingen_2024"),
        "no rows of the unreadable table, partitions read through their parent: {}",
        stdout(&o)
    );
    assert!(!stdout(&o).contains(READER), "no user in the output");

    // The password from a variable the URL names; the binary column counted as not scanned.
    let o = Command::new(env!("CARGO_BIN_EXE_piiscan"))
        .args(["scan", &url("?password_env=LIVE_PW&statement_timeout=20s")])
        .args(["--format", "json", "--quiet", "--include", "crm.klant*"])
        .env_remove("PGPASSWORD")
        .env("PGPASSFILE", "/nonexistent/pgpass")
        .env("LIVE_PW", READER_PW)
        .output()
        .expect("run piiscan");
    let out = stdout(&o);
    assert_eq!(code(&o), 0, "only readable tables included: {}", stderr(&o));
    assert!(out.contains("foto"), "the binary column is counted: {out}");
    assert!(!out.contains("crm.bezoeken"), "--include crm.klant*: {out}");

    // One connection per worker: the same output whatever the number of threads.
    let one = scan(
        &[
            &url(""),
            "--format",
            "ndjson",
            "-j",
            "1",
            "--exclude",
            "crm.traag",
        ],
        Some(READER_PW),
    );
    let four = scan(
        &[
            &url(""),
            "--format",
            "ndjson",
            "-j",
            "4",
            "--exclude",
            "crm.traag",
        ],
        Some(READER_PW),
    );
    assert_eq!(code(&one), 2, "{}", stderr(&one));
    assert_eq!(stdout(&one), stdout(&four), "threads change nothing");
    assert_eq!(stderr(&one), stderr(&four));

    // A statement that runs past the timeout: that table is named, the others are read.
    let o = scan(
        &[
            &url("?statement_timeout=150ms"),
            "--format",
            "ndjson",
            "--include",
            "crm.traag",
        ],
        Some(READER_PW),
    );
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(
        err.contains("crm.traag") && err.contains("timeout"),
        "{err}"
    );
    let o = scan(
        &[
            &url("?statement_timeout=150ms"),
            "--format",
            "ndjson",
            "--exclude",
            "crm.traag",
        ],
        Some(READER_PW),
    );
    assert!(
        found(&ndjson(&o), "crm.klanten", "email", "email"),
        "{}",
        stderr(&o)
    );

    // Every row (streamed through COPY), and a sample by blocks of the large table.
    let inventory = |rows: &str| -> Vec<serde_json::Value> {
        let o = piiscan()
            .args(["inventory", &url(""), "--format", "json", "--quiet"])
            .args(["--sample-rows", rows, "--exclude", "crm.traag"])
            .env("PGPASSWORD", READER_PW)
            .env("PGPASSFILE", "/nonexistent/pgpass")
            .output()
            .expect("run piiscan");
        let v: serde_json::Value =
            serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
        v.as_array().cloned().unwrap_or_default()
    };
    let field = |inv: &[serde_json::Value], table: &str, field: &str| {
        inv.iter()
            .find(|r| r["table"] == table && r["field"] == field)
            .cloned()
            .unwrap_or_else(|| panic!("{table}.{field} in {inv:?}"))
    };
    let all = inventory("0");
    assert_eq!(field(&all, "crm.groot", "email")["rows_scanned"], 30000);
    assert_eq!(
        field(&all, "crm.bestellingen", "telefoon")["rows_scanned"],
        50
    );
    let sampled = inventory("1000");
    let g = field(&sampled, "crm.groot", "email");
    assert_eq!(g["rows_scanned"], 1000, "{g}");
    assert!(
        g["reason"]
            .as_str()
            .is_some_and(|r| r.contains("of 30,000 rows")),
        "{g}"
    );
    assert_eq!(
        field(&sampled, "crm.klanten", "email")["rows_scanned"],
        60,
        "a small table is read whole"
    );

    // A wrong password: the database is named as not read.
    let o = scan(&[&url("")], Some("wrong"));
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(!stderr(&o).contains("wrong"), "{}", stderr(&o));

    assert_eq!(before, checksums(), "the database is unchanged");
}

#[test]
fn a_password_in_a_database_url_is_refused_and_not_repeated() {
    let o = scan(&["postgres://u:hunter22@127.0.0.1:5432/db"], None);
    assert_eq!(code(&o), 2);
    let all = format!("{}{}", stdout(&o), stderr(&o));
    assert!(!all.contains("hunter22"), "{all}");
    assert!(
        all.contains("PGPASSWORD"),
        "says where a password goes: {all}"
    );
}

#[test]
fn schema_only_judges_columns_by_name_and_reads_no_rows() {
    if !databases("live PostgreSQL --schema-only test") {
        return;
    }
    // Its own database, so the tests may run at the same time.
    psql("postgres", "DROP DATABASE IF EXISTS piiscan_live_schema");
    psql("postgres", "CREATE DATABASE piiscan_live_schema");
    psql(
        "piiscan_live_schema",
        "CREATE TABLE klanten (id int, email text, iban text, opmerking text); \
         INSERT INTO klanten VALUES (1, 'jan@voorbeeld.nl', 'NL91ABNA0417164300', 'x'); ANALYZE",
    );
    let o = piiscan()
        .args([
            "inventory",
            "postgres:///piiscan_live_schema?host=/var/run/postgresql",
        ])
        .args(["--schema-only", "--format", "json", "--quiet"])
        .output()
        .expect("run piiscan");
    assert!(o.status.success() || code(&o) == 1, "{}", stderr(&o));
    let inv: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let rows = inv.as_array().expect("an array");
    let email = rows
        .iter()
        .find(|r| r["table"] == "public.klanten" && r["field"] == "email")
        .unwrap_or_else(|| panic!("email judged by its name: {inv}"));
    assert_eq!(email["rule"], "column_name");
    assert_eq!(email["rows_scanned"], 0);
    assert_eq!(
        email["dataset"],
        "postgres://localhost:5432/piiscan_live_schema"
    );
    assert!(!stdout(&o).contains("j***@"), "no values: {}", stdout(&o));
}

fn mysql(sql: &str) -> String {
    let out = Command::new("mysql")
        .args(["--batch", "--skip-column-names", "-e", sql])
        .output()
        .expect("mysql runs");
    assert!(
        out.status.success(),
        "mysql {sql:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

const MYSQL_SCHEMA: &str = r#"
DROP DATABASE IF EXISTS piiscan_live;
CREATE DATABASE piiscan_live CHARACTER SET utf8mb4;
USE piiscan_live;
CREATE TABLE klanten (id int PRIMARY KEY AUTO_INCREMENT, naam varchar(100), email varchar(200),
  iban varchar(34), bsn varchar(9), telefoon varchar(20), foto blob);
INSERT INTO klanten (naam, email, iban, bsn, telefoon, foto)
SELECT ELT(1 + seq % 5, 'Jan de Vries', 'Anna Jansen', 'Pieter Bakker', 'Sanne Visser', 'Thomas Smit'),
       CONCAT('klant', seq, '@voorbeeld.nl'),
       ELT(1 + seq % 3, 'NL91ABNA0417164300', 'NL20INGB0001234567', 'NL39RABO0300065264'),
       ELT(1 + seq % 3, '111222333', '123456782', '010464554'),
       CONCAT('06-', 12340000 + seq),
       IF(seq % 2 = 0, 0x89504e470d0a1a0a, NULL)
FROM seq_1_to_60;
CREATE TABLE bezoeken (ip varchar(45), bezoeker_email varchar(200), moment datetime);
INSERT INTO bezoeken SELECT CONCAT('84.241.12.', seq), CONCAT('bezoeker', seq, '@example.com'), NOW() FROM seq_1_to_40;
CREATE VIEW klant_contact AS SELECT naam, email FROM klanten;
CREATE TABLE groot (id int PRIMARY KEY, email varchar(100));
INSERT INTO groot SELECT seq, CONCAT('g', seq, '@voorbeeld.nl') FROM seq_1_to_30000;
CREATE TABLE salarissen (bsn varchar(9), iban varchar(34), bedrag decimal(10,2));
INSERT INTO salarissen VALUES ('111222333', 'NL91ABNA0417164300', 4200);
ANALYZE TABLE klanten, bezoeken, groot, salarissen;
DROP USER IF EXISTS 'piiscan_live_reader'@'localhost';
CREATE USER 'piiscan_live_reader'@'localhost' IDENTIFIED BY 'live-test-pw-not-secret';
GRANT SELECT ON piiscan_live.klanten TO 'piiscan_live_reader'@'localhost';
GRANT SELECT ON piiscan_live.bezoeken TO 'piiscan_live_reader'@'localhost';
GRANT SELECT ON piiscan_live.klant_contact TO 'piiscan_live_reader'@'localhost';
GRANT SELECT ON piiscan_live.groot TO 'piiscan_live_reader'@'localhost';
-- Seen in the catalog, but not to be read.
GRANT INSERT ON piiscan_live.salarissen TO 'piiscan_live_reader'@'localhost';
"#;

#[test]
fn a_live_mariadb_database_is_scanned_read_only_and_unreadable_tables_are_named() {
    if !databases("live MariaDB test") {
        return;
    }
    mysql(MYSQL_SCHEMA);
    let sums = || {
        mysql("CHECKSUM TABLE piiscan_live.klanten, piiscan_live.bezoeken, piiscan_live.groot, piiscan_live.salarissen EXTENDED")
    };
    let before = sums();
    let url = format!(
        "mysql://{READER}@localhost/piiscan_live?socket=/run/mysqld/mysqld.sock&max_execution_time=20s"
    );
    let o = piiscan()
        .args([
            "scan",
            &url,
            "--format",
            "ndjson",
            "--quiet",
            "--sample-rows",
            "1000",
        ])
        .env("MYSQL_PWD", READER_PW)
        .output()
        .expect("run piiscan");
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "exit: {err}");
    assert!(
        err.contains("piiscan_live.salarissen"),
        "the unreadable table is named: {err}"
    );
    let findings = ndjson(&o);
    for (table, column, rule) in [
        ("piiscan_live.klanten", "naam", "person_name"),
        ("piiscan_live.klanten", "email", "email"),
        ("piiscan_live.klanten", "iban", "iban"),
        ("piiscan_live.klanten", "bsn", "nl.bsn"),
        ("piiscan_live.klanten", "telefoon", "phone"),
        ("piiscan_live.bezoeken", "ip", "ipv4"),
        ("piiscan_live.bezoeken", "bezoeker_email", "email"),
        ("piiscan_live.klant_contact", "email", "email"),
        ("piiscan_live.groot", "email", "email"),
    ] {
        assert!(
            found(&findings, table, column, rule),
            "{table}.{column} as {rule}: {}",
            stdout(&o)
        );
    }
    assert!(findings
        .iter()
        .all(|f| f["path"] == "mysql://localhost:3306/piiscan_live"));
    assert!(!findings
        .iter()
        .any(|f| f["table"] == "piiscan_live.salarissen"));

    // The large table is sampled by primary-key ranges: a thousand rows, from all over it.
    let o = piiscan()
        .args([
            "inventory",
            &url,
            "--format",
            "json",
            "--quiet",
            "--sample-rows",
            "1000",
        ])
        .args(["--include", "*.groot"])
        .env("MYSQL_PWD", READER_PW)
        .output()
        .expect("run piiscan");
    let inv: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let email = inv
        .as_array()
        .and_then(|a| a.iter().find(|r| r["field"] == "email"))
        .unwrap_or_else(|| panic!("{inv}"));
    assert_eq!(email["rows_scanned"], 1000, "{email}");
    assert_eq!(email["distinct"], 1000, "no row read twice: {email}");
    assert!(
        email["reason"]
            .as_str()
            .is_some_and(|r| r.contains("sampled")),
        "{email}"
    );

    assert_eq!(before, sums(), "the database is unchanged");
}

/// Runs `piiscan subject erase --sql FILE` for the person in `d` against `url`.
fn erase_statements(d: &std::path::Path, url: &str, sql: &str) -> Output {
    piiscan()
        .current_dir(d)
        .args(["subject", "erase", "--subject", "person.toml", "-q", url])
        .args(["--out", "out", "--sql", sql])
        .output()
        .expect("run piiscan")
}

/// Runs a file of statements with a client; its success and output.
fn run_file(client: &mut Command, file: &std::path::Path) -> (bool, String) {
    let o = client
        .stdin(std::fs::File::open(file).expect("statements"))
        .output()
        .expect("client runs");
    (o.status.success(), format!("{}{}", stdout(&o), stderr(&o)))
}

#[test]
fn subject_erase_writes_guarded_statements_for_a_live_database_and_changes_nothing_itself() {
    if !databases("live subject erase test") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(
        d.join("person.toml"),
        "email = [\"Jan.deVries@Example.NL\"]\n",
    )
    .expect("write");
    let rows = "INSERT INTO klant VALUES (1, 'Jan de Vries', 'jan.devries@example.nl'), \
                (2, 'Els Peeters', 'els@example.be'); \
                INSERT INTO ticket VALUES (1, 'belt terug: jan.devries@example.nl, O''Brien'), (2, 'vraag van els@example.be');";
    // PostgreSQL.
    let pg = "piiscan_live_erase";
    psql("postgres", &format!("DROP DATABASE IF EXISTS {pg}"));
    psql("postgres", &format!("CREATE DATABASE {pg}"));
    psql(pg, "CREATE TABLE klant (id int PRIMARY KEY, naam text, email text); CREATE TABLE ticket (id int, body text);");
    psql(pg, rows);
    let url = format!("postgres:///{pg}?host=/var/run/postgresql");
    let o = erase_statements(d, &url, "pg.sql");
    // Keys are not followed in a live database: named, exit 2.
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("statements deleting 1 row(s) of public.klant, 1 row(s) of public.ticket written to pg.sql"), "{err}");
    assert!(!err.to_lowercase().contains("devries@"), "{err}");
    assert_eq!(
        psql(pg, "SELECT count(*) FROM klant"),
        "2",
        "piiscan changed nothing"
    );
    // A refused rerun: the file exists.
    let again = erase_statements(d, &url, "pg.sql");
    assert!(
        stderr(&again).contains("exists already"),
        "{}",
        stderr(&again)
    );
    // Guarded: a row the search did not find but the condition would take stops everything.
    psql(
        pg,
        "INSERT INTO klant VALUES (3, 'Bo', 'bojan.devries@example.nl')",
    );
    let psql_file = || {
        let mut c = Command::new("psql");
        c.args(["-X", "-q", "-d", pg]);
        c
    };
    let (ok, said) = run_file(&mut psql_file(), &d.join("pg.sql"));
    assert!(!ok, "{said}");
    assert!(
        said.contains("public.klant : 2 row(s) would go, the search found 1"),
        "{said}"
    );
    assert_eq!(psql(pg, "SELECT count(*) FROM klant"), "3");
    psql(pg, "DELETE FROM klant WHERE id = 3");
    let (ok, said) = run_file(&mut psql_file(), &d.join("pg.sql"));
    assert!(ok, "{said}");
    assert_eq!(psql(pg, "SELECT string_agg(id::text, ',') FROM klant"), "2");
    assert_eq!(
        psql(pg, "SELECT string_agg(id::text, ',') FROM ticket"),
        "2"
    );
    psql("postgres", &format!("DROP DATABASE {pg}"));

    // MariaDB, the same.
    let my = "piiscan_live_erase";
    mysql(&format!(
        "DROP DATABASE IF EXISTS {my}; CREATE DATABASE {my}"
    ));
    mysql(&format!("USE {my}; CREATE TABLE klant (id int PRIMARY KEY, naam text, email text); CREATE TABLE ticket (id int, body text); {rows}"));
    let url = format!("mysql://root@localhost/{my}?socket=/run/mysqld/mysqld.sock");
    let o = erase_statements(d, &url, "my.sql");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("1 row(s) of {my}.klant")),
        "{}",
        stderr(&o)
    );
    // Without --sql nothing is written, and pseudonymise is not offered there: named.
    for (extra, said) in [
        (&[][..], "--sql FILE writes the statements"),
        (
            &["--method", "pseudonymise", "--sql", "p.sql"][..],
            "pseudonymise is not offered",
        ),
    ] {
        let o = piiscan()
            .current_dir(d)
            .env(
                "PIISCAN_FINGERPRINT_KEY",
                "0123456789abcdef0123456789abcdef",
            )
            .args([
                "subject",
                "erase",
                "--subject",
                "person.toml",
                "-q",
                &url,
                "--out",
                "out",
            ])
            .args(extra)
            .output()
            .expect("run piiscan");
        assert_eq!(code(&o), 2, "{}", stderr(&o));
        assert!(stderr(&o).contains(said), "{}", stderr(&o));
        assert!(!d.join("p.sql").exists());
    }
    mysql(&format!(
        "INSERT INTO {my}.klant VALUES (3, 'Bo', 'bojan.devries@example.nl')"
    ));
    let client = || {
        let mut c = Command::new("mariadb");
        c.arg(my);
        c
    };
    let (ok, said) = run_file(&mut client(), &d.join("my.sql"));
    assert!(
        !ok && said.contains("Subquery returns more than 1 row"),
        "{said}"
    );
    assert_eq!(mysql(&format!("SELECT count(*) FROM {my}.klant")), "3");
    mysql(&format!("DELETE FROM {my}.klant WHERE id = 3"));
    let (ok, said) = run_file(&mut client(), &d.join("my.sql"));
    assert!(ok, "{said}");
    assert_eq!(
        mysql(&format!("SELECT GROUP_CONCAT(id) FROM {my}.klant")),
        "2"
    );
    assert_eq!(
        mysql(&format!("SELECT GROUP_CONCAT(id) FROM {my}.ticket")),
        "2"
    );
    mysql(&format!("DROP DATABASE {my}"));
}
