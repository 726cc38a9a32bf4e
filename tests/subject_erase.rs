//! `piiscan subject erase`: one person removed from a CSV (with a quoted cell over two lines),
//! NDJSON, a log, a pg_dump plain dump (COPY and single-row INSERTs) and SQLite; everyone
//! else's rows byte for byte as they were; the person not found afterwards; inputs untouched;
//! outputs never over an input; forms that cannot be rewritten refused by name.

use crate::common::{code, databases, piiscan, root, stderr, stdout, write};
use std::collections::BTreeMap;
use std::path::Path;

const SUBJECT_VALUES: &[&str] = &[
    "devries",
    "DEVRIES",
    "12 34 56 78",
    "111222333",
    "Jan de Vries",
];

fn organisation(d: &Path) {
    write(
        d,
        "person.toml",
        "email = [\"Jan.deVries@Example.NL\"]\nphone = [\"+31 6 12345678\"]\n\"nl.bsn\" = [\"111222333\"]\n",
    );
    write(
        d,
        "org/crm/klanten.csv",
        "klantnummer;naam;email;notitie\n\
         1001;Jan de Vries;jan.devries@example.nl;\"belt vaak\nterug\"\n\
         1002;Els Peeters;els.peeters@example.be;\"twee\nregels\"\n\
         1003;Piet Jansen;piet.jansen@example.nl;geen\n",
    );
    write(
        d,
        "org/crm/orders.csv",
        "ordernummer,klantnummer,bezorgadres\n5001,1001,Dorpsstraat 12 Utrecht\n5002,1002,Kerkstraat 1 Gent\n5003,1001,Dorpsstraat 12 Utrecht\n",
    );
    write(
        d,
        "org/crm/events.ndjson",
        "{\"id\":1,\"email\":\"jan.devries@example.nl\",\"event\":\"login\"}\n{\"id\":2,\"email\":\"els.peeters@example.be\",\"event\":\"login\"}\n",
    );
    write(
        d,
        "org/logs/support.log",
        "10:01 ticket 17 belt vanaf 06 12 34 56 78\n10:02 ticket 18 els.peeters@example.be\n10:03 done\n",
    );
    write(
        d,
        "org/db/hr.sql",
        "--\n-- PostgreSQL database dump\n--\n\
         CREATE TABLE public.medewerker (id integer, bsn text, email text);\n\
         COPY public.medewerker (id, bsn, email) FROM stdin;\n\
         1\t111222333\tJAN.DEVRIES@example.nl\n\
         2\t123456782\tels@example.be\n\
         \\.\n\
         CREATE TABLE public.contact (id integer, email text);\n\
         INSERT INTO public.contact VALUES (1, 'jan.devries@example.nl');\n\
         INSERT INTO public.contact VALUES (2, 'els@example.be');\n",
    );
    let conn = rusqlite::Connection::open(d.join("org/db/tickets.sqlite")).expect("sqlite");
    conn.execute_batch(
        "CREATE TABLE ticket (id INTEGER, email TEXT, body TEXT);\
         INSERT INTO ticket VALUES (1, 'jan.devries@example.nl', 'retour jan.devries@example.nl'), (2, 'els.peeters@example.be', 'vraag');",
    )
    .expect("create");
}

/// Every file below `dir` with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).expect("below").display().to_string();
                out.insert(rel, std::fs::read(&p).expect("read"));
            }
        }
    }
    out
}

fn erase(d: &Path, args: &[&str]) -> std::process::Output {
    piiscan()
        .current_dir(d)
        .args(["subject", "erase", "--subject", "person.toml", "-q"])
        .args(args)
        .output()
        .expect("run piiscan")
}

fn no_values(o: &std::process::Output) {
    let all = format!("{}{}", stdout(o), stderr(o));
    for v in SUBJECT_VALUES {
        assert!(
            !all.contains(v),
            "a value of the subject file in the output"
        );
    }
}

fn read(d: &Path, name: &str) -> String {
    std::fs::read_to_string(d.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn erase_removes_exactly_the_persons_rows_and_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    organisation(d);
    let before = files(&d.join("org"));
    let o = erase(d, &["org", "--out", "out", "--report", "report.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    no_values(&o);
    // Everyone else's records byte for byte; the person's quoted two-line record gone whole.
    assert_eq!(
        read(d, "out/crm/klanten.csv"),
        "klantnummer;naam;email;notitie\n1002;Els Peeters;els.peeters@example.be;\"twee\nregels\"\n1003;Piet Jansen;piet.jansen@example.nl;geen\n"
    );
    // Orders followed through the customer number.
    assert_eq!(
        read(d, "out/crm/orders.csv"),
        "ordernummer,klantnummer,bezorgadres\n5002,1002,Kerkstraat 1 Gent\n"
    );
    assert_eq!(
        read(d, "out/crm/events.ndjson"),
        "{\"id\":2,\"email\":\"els.peeters@example.be\",\"event\":\"login\"}\n"
    );
    assert_eq!(
        read(d, "out/logs/support.log"),
        "10:02 ticket 18 els.peeters@example.be\n10:03 done\n"
    );
    let dump = read(d, "org/db/hr.sql")
        .replace("1\t111222333\tJAN.DEVRIES@example.nl\n", "")
        .replace(
            "INSERT INTO public.contact VALUES (1, 'jan.devries@example.nl');\n",
            "",
        );
    assert_eq!(read(d, "out/db/hr.sql"), dump);
    // SQLite: one row left, the other person's intact, the deleted value in no page.
    let conn = rusqlite::Connection::open(d.join("out/db/tickets.sqlite")).expect("open");
    let rows: Vec<(i64, String)> = conn
        .prepare("SELECT id, email FROM ticket")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(rows, vec![(2, "els.peeters@example.be".to_string())]);
    drop(conn);
    let bytes = std::fs::read(d.join("out/db/tickets.sqlite")).expect("read");
    assert!(
        !bytes.windows(7).any(|w| w == b"devries"),
        "the deleted value survives in the database file"
    );
    // The report: rows per table, no value.
    let report: serde_json::Value =
        serde_json::from_str(&read(d, "report.json")).expect("report json");
    let by_input: BTreeMap<String, serde_json::Value> = report["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .map(|e| (e["input"].as_str().unwrap_or("").to_string(), e.clone()))
        .collect();
    assert_eq!(by_input["org/db/hr.sql"]["rows"]["medewerker"], 1);
    assert_eq!(by_input["org/db/hr.sql"]["rows"]["contact"], 1);
    assert_eq!(by_input["org/crm/orders.csv"]["rows"]["orders"], 2);
    assert_eq!(by_input["org/logs/support.log"]["lines"], 1);
    assert!(by_input.values().all(|e| e["status"] == "erased"));
    let text = read(d, "report.json");
    assert!(SUBJECT_VALUES.iter().all(|v| !text.contains(v)));
    // Both report forms pinned.
    crate::common::golden("subject/erase-report.json", text.as_bytes());
    crate::common::golden("subject/erase-report.txt", stderr(&o).as_bytes());
    // Inputs untouched.
    assert_eq!(files(&d.join("org")), before);
    // The person is found nowhere in the outputs.
    let again = piiscan()
        .current_dir(d)
        .args(["subject", "find", "--subject", "person.toml", "-q", "out"])
        .args(["--fail-if-found", "--format", "ndjson"])
        .output()
        .expect("run");
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert_eq!(stdout(&again), "");
}

#[test]
fn an_output_over_an_input_or_an_existing_file_is_refused_and_nothing_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    organisation(d);
    let before = files(&d.join("org"));
    let o = erase(d, &["org/crm/klanten.csv", "--out", "org/crm"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("would replace the input"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("nothing was written"));
    assert_eq!(files(&d.join("org")), before);
    // A file already in DIR is never replaced.
    write(d, "out/klanten.csv", "earlier\n");
    let o = erase(d, &["org/crm/klanten.csv", "--out", "out"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("exists already"), "{}", stderr(&o));
    assert_eq!(read(d, "out/klanten.csv"), "earlier\n");
    no_values(&o);
}

#[test]
fn forms_that_cannot_be_rewritten_are_refused_by_name_and_the_others_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    organisation(d);
    // An INSERT whose ON DUPLICATE KEY clause holds values: refused (fail closed), nothing
    // written for it.
    write(
        d,
        "org/db/upsert.sql",
        "-- MySQL dump 10.13\nCREATE TABLE t (id integer, email text);\nINSERT INTO t VALUES (1, 'jan.devries@example.nl'), (2, 'els@example.be') ON DUPLICATE KEY UPDATE email = 'jan.devries@example.nl';\n",
    );
    let o = erase(d, &["org", "--out", "out"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("org/db/upsert.sql: line 3: the person's row is in an INSERT into t whose ON … clause holds values"),
        "{err}"
    );
    assert!(!d.join("out/db/upsert.sql").exists());
    assert!(d.join("out/crm/klanten.csv").exists());
    no_values(&o);
}

#[test]
fn pseudonymise_replaces_the_persons_values_by_keyed_tokens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    organisation(d);
    // Never without a key.
    let o = piiscan()
        .current_dir(d)
        .env_remove("PIISCAN_FINGERPRINT_KEY")
        .args(["subject", "erase", "--subject", "person.toml", "-q"])
        .args(["org/logs", "--out", "out", "--method", "pseudonymise"])
        .output()
        .expect("run piiscan");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("needs a key"));
    assert!(!d.join("out").exists());
    write(d, "key.txt", "3f2a9c01b4d7e85f6a1b2c3d4e5f6071\n");
    let before = files(&d.join("org"));
    let o = erase(
        d,
        &[
            "org",
            "--out",
            "out",
            "--method",
            "pseudonymise",
            "--key-file",
            "key.txt",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    no_values(&o);
    assert_eq!(files(&d.join("org")), before);
    let log = read(d, "out/logs/support.log");
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(
        lines[0].starts_with("10:01 ticket 17 belt vanaf [phone:"),
        "{log}"
    );
    assert_eq!(lines[1], "10:02 ticket 18 els.peeters@example.be");
    // Tables: the person's cells replaced, every row kept, the others byte for byte.
    let csv = read(d, "out/crm/klanten.csv");
    assert!(csv.contains(";[email:"), "{csv}");
    assert!(csv.ends_with(
        "\n1002;Els Peeters;els.peeters@example.be;\"twee\nregels\"\n1003;Piet Jansen;piet.jansen@example.nl;geen\n"
    ));
    assert_eq!(
        csv.lines().count(),
        read(d, "org/crm/klanten.csv").lines().count()
    );
    let events = read(d, "out/crm/events.ndjson");
    assert!(
        events.starts_with("{\"id\":1,\"email\":\"[email:"),
        "{events}"
    );
    assert!(
        events.ends_with("\n{\"id\":2,\"email\":\"els.peeters@example.be\",\"event\":\"login\"}\n")
    );
    let dump = read(d, "out/db/hr.sql");
    assert!(
        dump.contains("INSERT INTO public.contact VALUES (1, '[email:"),
        "{dump}"
    );
    assert!(dump.contains("2\t123456782\tels@example.be\n"));
    for text in [&log, &csv, &events, &dump] {
        assert!(SUBJECT_VALUES.iter().all(|v| !text.contains(v)), "{text}");
    }
    let conn = rusqlite::Connection::open(d.join("out/db/tickets.sqlite")).expect("open");
    let emails: Vec<String> = conn
        .prepare("SELECT email FROM ticket ORDER BY id")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert!(emails[0].starts_with("[email:"), "{emails:?}");
    assert_eq!(emails[1], "els.peeters@example.be");
    // No identifier of the person left.
    let again = piiscan()
        .current_dir(d)
        .args(["subject", "find", "--subject", "person.toml", "-q", "out"])
        .args(["--fail-if-found", "--format", "ndjson"])
        .output()
        .expect("run");
    assert_eq!(code(&again), 0, "{}", stderr(&again));
}

/// The tuples of the extended INSERTs of a mysqldump (one line or one tuple a line), by table.
fn tuples(dump: &str) -> BTreeMap<String, Vec<String>> {
    let between = regex::Regex::new(r"\),\s*\(").expect("regex");
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for statement in dump.split("INSERT INTO `").skip(1) {
        let (table, rest) = statement.split_once("` VALUES").expect("VALUES");
        let (values, _) = rest.split_once(");\n").expect("end");
        let values = values.trim_start().strip_prefix('(').expect("(");
        out.entry(table.to_string())
            .or_default()
            .extend(between.split(values).map(str::to_string));
    }
    out
}

#[test]
fn a_mariadb_dump_loses_exactly_the_persons_tuples_of_its_extended_inserts_and_restores() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let input = std::fs::read_to_string(root().join("fixtures/chinook/chinook.mariadb_dump.sql"))
        .expect("fixture");
    write(d, "org/chinook.sql", &input);
    write(d, "person.toml", "email = [\"LuisG@Embraer.com.br\"]\n");
    let o = erase(d, &["org", "--out", "out", "--report", "report.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stderr(&o).contains("luisg"), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_str(&read(d, "report.json")).expect("report");
    let rows = &report["inputs"][0]["rows"];
    assert_eq!(
        (rows["Customer"].as_u64(), rows["Invoice"].as_u64()),
        (Some(1), Some(7))
    );
    // Every tuple of every table as it was, but the customer's and their 7 invoices'.
    let output = read(d, "out/chinook.sql");
    let (before, after) = (tuples(&input), tuples(&output));
    for (table, was) in &before {
        let now = &after[table];
        let gone: Vec<&String> = was.iter().filter(|t| !now.contains(t)).collect();
        let expected = match table.as_str() {
            "Customer" => 1,
            "Invoice" => 7,
            _ => 0,
        };
        assert_eq!(gone.len(), expected, "{table}");
        assert_eq!(now.len(), was.len() - expected, "{table}");
        assert!(now.iter().all(|t| was.contains(t)), "{table}");
        if table == "Invoice" {
            assert!(
                gone.iter().all(|t| t.split(',').nth(1) == Some("1")),
                "{gone:?}"
            );
        }
    }
    assert!(!output.to_lowercase().contains("luisg@embraer.com.br"));
    let again = piiscan()
        .current_dir(d)
        .args(["subject", "find", "--subject", "person.toml", "-q", "out"])
        .output()
        .expect("run");
    assert_eq!(stdout(&again), "", "{}", stderr(&again));
    if !databases("restore of an erased mariadb-dump") {
        return;
    }
    let db = "piiscan_erase_restore";
    let sh = |sql: &str, input: Option<&str>| {
        let mut c = std::process::Command::new("mariadb");
        c.args(["-N", "-B"]);
        if input.is_some() {
            c.arg(db);
        }
        c.args(["-e", sql]);
        let o = c.output().expect("mariadb");
        assert!(o.status.success(), "{sql}: {}", stderr(&o));
        stdout(&o).trim().to_string()
    };
    sh(
        &format!("DROP DATABASE IF EXISTS {db}; CREATE DATABASE {db}"),
        None,
    );
    let restore = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("mariadb {db} < out/chinook.sql"))
        .current_dir(d)
        .output()
        .expect("restore");
    assert!(restore.status.success(), "{}", stderr(&restore));
    assert_eq!(sh("SELECT count(*) FROM Customer", Some(db)), "58");
    assert_eq!(sh("SELECT count(*) FROM Invoice", Some(db)), "405");
    assert_eq!(
        sh(
            "SELECT count(*) FROM Customer WHERE CustomerId = 1",
            Some(db)
        ),
        "0"
    );
    sh(&format!("DROP DATABASE {db}"), None);
}

#[test]
fn a_list_of_people_is_erased_in_one_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    organisation(d);
    // Jan by e-mail, Els by e-mail, and someone the data does not hold.
    write(
        d,
        "forgotten.csv",
        "email\njan.devries@example.nl\nels.peeters@example.be\nnobody@example.org\n",
    );
    let o = piiscan()
        .current_dir(d)
        .args(["subject", "erase", "--subjects", "forgotten.csv", "-q"])
        .args(["org/crm", "--out", "out"])
        .output()
        .expect("run piiscan");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        !err.contains("peeters") && !err.contains("devries"),
        "{err}"
    );
    // Only Piet is left in the customers; the orders of Jan and Els followed and gone.
    assert_eq!(
        read(d, "out/klanten.csv"),
        "klantnummer;naam;email;notitie\n1003;Piet Jansen;piet.jansen@example.nl;geen\n"
    );
    assert_eq!(
        read(d, "out/orders.csv"),
        "ordernummer,klantnummer,bezorgadres\n"
    );
    assert_eq!(read(d, "out/events.ndjson"), "");
    // The same list finds nobody in the outputs.
    let again = piiscan()
        .current_dir(d)
        .args(["subject", "find", "--subjects", "forgotten.csv", "-q"])
        .args(["out", "--fail-if-found"])
        .output()
        .expect("run piiscan");
    assert_eq!(code(&again), 0, "{}", stdout(&again));
    // --subject and --subjects do not go together.
    let both = erase(d, &["--subjects", "forgotten.csv", "org", "--out", "out2"]);
    assert_eq!(code(&both), 2, "{}", stderr(&both));
}
