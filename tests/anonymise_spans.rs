//! `method = "spans"`: free text in cells keeps its words, and only the personal data found
//! inside is replaced, each span by its rule's `[[text]]` method; in every table format, in
//! the suggested policy, in the fail-closed check and in the re-scan of the output. And the
//! suggested policy's stability: globs for dated tables, methods independent of other inputs.

use crate::common::{anonymise, code, stderr, stdout, write};
use std::path::Path;

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).expect("read output")
}

const TICKETS: &str = "id,onderwerp,tekst\n\
1,Levering,\"Pakket niet aangekomen. Mail me op jan.jansen@voorbeeld.nl, bel 06-12345678.\"\n\
2,Factuur,De factuur klopt niet. Groet Piet\n\
3,Retour,\"Graag retour, bevestiging naar k.devries@example.com aub\"\n\
4,Vraag,Wanneer gaat de winkel open?\n\
5,Storing,\"Inloggen lukt niet vanaf 81.2.69.142, marie@voorbeeld.be\"\n";

const SPANS_POLICY: &str = "[[column]]\nname = \"tekst\"\nmethod = \"spans\"\n\n\
[[text]]\nrule = \"email\"\nmethod = \"redact\"\nvalue = \"[e-mail]\"\n\n\
[[text]]\nrule = \"phone\"\nmethod = \"redact\"\nvalue = \"[telefoon]\"\n\n\
[[text]]\nrule = \"ipv4\"\nmethod = \"ip_truncate\"\n";

/// The expected `tekst` cells after [`SPANS_POLICY`].
const EXPECTED: [&str; 5] = [
    "Pakket niet aangekomen. Mail me op [e-mail], bel [telefoon].",
    "De factuur klopt niet. Groet Piet",
    "Graag retour, bevestiging naar [e-mail] aub",
    "Wanneer gaat de winkel open?",
    "Inloggen lukt niet vanaf 81.2.69.0, [e-mail]",
];

fn tekst_of_csv(text: &str) -> Vec<String> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    r.records()
        .map(|rec| rec.expect("record")[2].to_string())
        .collect()
}

#[test]
fn spans_replace_only_the_personal_data_inside_csv_cells() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "tickets.csv", TICKETS);
    write(d, "p.toml", SPANS_POLICY);
    let o = anonymise(
        d,
        &["tickets.csv", "--policy", "p.toml", "--out", "out.csv"],
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let out = read(d, "out.csv");
    assert_eq!(tekst_of_csv(&out), EXPECTED);
    // The other columns are copied as read.
    assert!(out.starts_with("id,onderwerp,tekst\n1,Levering,"), "{out}");
    let report = stdout(&o);
    assert!(report.contains("spans inside free-text cells:"), "{report}");
    for line in [
        "email                    redact                replaced 3",
        "phone                    redact                replaced 1",
        "ipv4                     ip_truncate           replaced 1",
    ] {
        assert!(report.contains(line), "{line}\n{report}");
    }
    // Nothing is found again: the truncated address (81.2.69.0) ends in .0, a network
    // address that without address context is reported at low only (a version, x.y.z.0).
    assert!(!report.contains("NOT EXPECTED"), "{report}");
    assert!(
        !report.contains("still holds user.device.ip_address"),
        "{report}"
    );
}

#[test]
fn spans_work_in_ndjson_dumps_sqlite_and_parquet_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "p.toml", SPANS_POLICY);
    let mut ndjson = String::new();
    let mut dump = String::from(
        "CREATE TABLE tickets (id integer, tekst text);\n\
         COPY public.tickets (id, tekst) FROM stdin;\n",
    );
    let mut csv = csv::Reader::from_reader(TICKETS.as_bytes());
    for (i, rec) in csv.records().enumerate() {
        let rec = rec.expect("record");
        ndjson.push_str(&format!(
            "{}\n",
            serde_json::json!({ "id": i + 1, "tekst": &rec[2] })
        ));
        dump.push_str(&format!("{}\t{}\n", i + 1, &rec[2]));
    }
    dump.push_str("\\.\n");
    write(d, "tickets.ndjson", &ndjson);
    write(d, "tickets.sql", &dump);
    write(
        d,
        "pd.toml",
        &SPANS_POLICY.replace("name = \"tekst\"", "name = \"tickets.tekst\""),
    );
    let o = anonymise(
        d,
        &[
            "tickets.ndjson",
            "--policy",
            "p.toml",
            "--out",
            "out.ndjson",
        ],
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let got: Vec<String> = read(d, "out.ndjson")
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json");
            v["tekst"].as_str().expect("tekst").to_string()
        })
        .collect();
    assert_eq!(got, EXPECTED);
    let o = anonymise(
        d,
        &["tickets.sql", "--policy", "pd.toml", "--out", "out.sql"],
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let out = read(d, "out.sql");
    let got: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split_once('\t').map(|(_, t)| t))
        .collect();
    assert_eq!(got, EXPECTED, "{out}");
    // SQLite: the copy is updated cell by cell.
    {
        let conn = rusqlite::Connection::open(d.join("tickets.sqlite")).expect("create");
        conn.execute_batch("CREATE TABLE tickets (id INTEGER, tekst TEXT)")
            .expect("table");
        let mut csv = csv::Reader::from_reader(TICKETS.as_bytes());
        for (i, rec) in csv.records().enumerate() {
            let rec = rec.expect("record");
            conn.execute(
                "INSERT INTO tickets VALUES (?1, ?2)",
                rusqlite::params![i as i64 + 1, &rec[2]],
            )
            .expect("insert");
        }
    }
    let o = anonymise(
        d,
        &[
            "tickets.sqlite",
            "--policy",
            "pd.toml",
            "--out",
            "out.sqlite",
        ],
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let conn = rusqlite::Connection::open(d.join("out.sqlite")).expect("open");
    let mut st = conn
        .prepare("SELECT tekst FROM tickets ORDER BY id")
        .expect("select");
    let got: Vec<String> = st
        .query_map([], |r| r.get(0))
        .expect("rows")
        .map(|r| r.expect("row"))
        .collect();
    assert_eq!(got, EXPECTED);
    // Parquet, both ways: CSV to Parquet with spans, then back to CSV untouched.
    write(d, "tickets.csv", TICKETS);
    let o = anonymise(
        d,
        &[
            "tickets.csv",
            "--policy",
            "p.toml",
            "--out",
            "t.parquet",
            "--to",
            "parquet",
        ],
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    write(d, "keep.toml", "on_unlisted = \"keep\"\n");
    let o = anonymise(
        d,
        &[
            "t.parquet",
            "--policy",
            "keep.toml",
            "--out",
            "back.csv",
            "--to",
            "csv",
        ],
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert_eq!(tekst_of_csv(&read(d, "back.csv")), EXPECTED);
}

#[test]
fn a_suggested_policy_gives_free_text_spans_and_identifier_columns_hmac() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let mut csv = String::from("id,email,tekst\n");
    for i in 0..20 {
        let body = if i % 2 == 0 {
            format!("\"Vraag over bestelling {i}, antwoord graag naar klant{i}@voorbeeld.nl\"")
        } else {
            format!("Bestelling {i} is goed aangekomen")
        };
        csv.push_str(&format!("{i},k{i}@voorbeeld.nl,{body}\n"));
    }
    write(d, "tickets.csv", &csv);
    let o = anonymise(
        d,
        &["tickets.csv", "--suggest-policy", "--out", "policy.toml"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let policy = read(d, "policy.toml");
    let entry = |name: &str| -> String {
        let at = policy
            .find(&format!("name = \"{name}\""))
            .unwrap_or_else(|| panic!("{name} missing:\n{policy}"));
        policy[at..].lines().nth(1).unwrap_or("").to_string()
    };
    assert!(entry("tekst").starts_with("method = \"spans\""), "{policy}");
    assert_eq!(entry("email"), "method = \"hmac\"", "{policy}");
    assert!(policy.contains("[[text]]\nrule = \"email\""), "{policy}");
    // Used as is, it passes, and the tickets keep their words.
    let o = anonymise(
        d,
        &["tickets.csv", "--policy", "policy.toml", "--out", "out.csv"],
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let out = read(d, "out.csv");
    assert!(!out.contains("@voorbeeld.nl"), "{out}");
    assert!(
        out.contains("Vraag over bestelling 0, antwoord graag naar "),
        "{out}"
    );
    assert!(out.contains("Bestelling 1 is goed aangekomen"), "{out}");
}

#[test]
fn a_rule_inside_spans_cells_without_a_text_entry_stops_the_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "tickets.csv", TICKETS);
    // No entry for phone numbers.
    write(
        d,
        "p.toml",
        &SPANS_POLICY.replace("rule = \"phone\"", "rule = \"nl.bsn\""),
    );
    let o = anonymise(
        d,
        &["tickets.csv", "--policy", "p.toml", "--out", "out.csv"],
    );
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains("spans of rule phone (user.contact.phone_number) in tickets.tekst: no [[text]] entry names the rule"),
        "{err}"
    );
    assert!(!d.join("out.csv").exists());
}

#[test]
fn the_re_scan_fails_a_spans_column_when_a_span_was_left() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "tickets.csv", TICKETS);
    // An IP method cannot read an e-mail address, and `keep` leaves it: a leak, exit 1.
    write(
        d,
        "p.toml",
        &SPANS_POLICY.replace(
            "rule = \"email\"\nmethod = \"redact\"\nvalue = \"[e-mail]\"",
            "rule = \"email\"\nmethod = \"ip_truncate\"\non_invalid = \"keep\"",
        ),
    );
    let o = anonymise(
        d,
        &["tickets.csv", "--policy", "p.toml", "--out", "out.csv"],
    );
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    let report = stdout(&o);
    assert!(
        report.contains("tickets.tekst still holds user.contact.email (3) — NOT EXPECTED"),
        "{report}"
    );
    // A mask keeps the category by design: information, not a failure.
    write(
        d,
        "p.toml",
        &SPANS_POLICY.replace(
            "rule = \"email\"\nmethod = \"redact\"\nvalue = \"[e-mail]\"",
            "rule = \"email\"\nmethod = \"mask\"\nkeep_domain = true",
        ),
    );
    let o = anonymise(
        d,
        &["tickets.csv", "--policy", "p.toml", "--out", "out2.csv"],
    );
    let report = stdout(&o);
    assert_eq!(code(&o), 0, "{report}{}", stderr(&o));
    assert!(!report.contains("NOT EXPECTED"), "{report}");
    assert!(read(d, "out2.csv").contains("j*********@voorbeeld.nl"));
}

#[test]
fn spans_entries_are_checked_when_the_policy_loads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "tickets.csv", TICKETS);
    for (policy, says) in [
        (
            "[[text]]\nrule = \"email\"\nmethod = \"spans\"\n",
            "[[text]] #1: spans is for [[column]] entries",
        ),
        (
            "[[column]]\nname = \"tekst\"\nmethod = \"spans\"\non_invalid = \"keep\"\n",
            "[[column]] #1: on_invalid does not apply to spans",
        ),
    ] {
        write(d, "p.toml", policy);
        let o = anonymise(
            d,
            &["tickets.csv", "--policy", "p.toml", "--out", "out.csv"],
        );
        assert_eq!(code(&o), 2, "{policy}");
        assert!(stderr(&o).contains(says), "{}", stderr(&o));
    }
}

/// Item: suggested policies are stable. A dated file's table is named by a glob that takes
/// next month's file, and a CSV column gets the same method with or without a dump beside it.
#[test]
fn suggested_names_match_next_months_file_and_methods_do_not_depend_on_other_inputs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let events = |month: &str| -> String {
        (0..20)
            .map(|i| {
                format!(
                    "{}\n",
                    serde_json::json!({"id": i, "context": {"ip": format!("81.2.{month}.{i}")}})
                )
            })
            .collect()
    };
    write(d, "events-2024-05.ndjson", &events("5"));
    write(d, "events-2024-06.ndjson", &events("6"));
    write(d, "events-2024-07.ndjson", &events("7"));
    let o = anonymise(
        d,
        &[
            "events-2024-05.ndjson",
            "events-2024-06.ndjson",
            "--suggest-policy",
            "--out",
            "policy.toml",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let policy = read(d, "policy.toml");
    assert_eq!(
        policy.matches("name = \"events-*.context.ip\"").count(),
        1,
        "{policy}"
    );
    assert!(!policy.contains("name = \"events-2024"), "{policy}");
    // Next month's file is covered by it.
    let o = anonymise(
        d,
        &[
            "events-2024-07.ndjson",
            "events-2024-05.ndjson",
            "--policy",
            "policy.toml",
            "--out",
            "out",
        ],
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(read(d, "out/events-2024-07.ndjson").contains("81.2.7.0"));

    // A date of birth in a CSV: the same method alone and with a SQL dump beside it.
    let mut csv = String::from("id,geboortedatum\n");
    let mut dump = String::from(
        "CREATE TABLE patient (id integer, geboortedatum date);\nCOPY public.patient (id, geboortedatum) FROM stdin;\n",
    );
    for i in 0..20 {
        csv.push_str(&format!("{i},19{:02}-0{}-1{}\n", 50 + i, 1 + i % 9, i % 10));
        dump.push_str(&format!(
            "{i}\t19{:02}-0{}-1{}\n",
            50 + i,
            1 + i % 9,
            i % 10
        ));
    }
    dump.push_str("\\.\n");
    write(d, "klanten.csv", &csv);
    write(d, "patient.sql", &dump);
    let method_of = |args: &[&str], name: &str| -> String {
        let mut all = args.to_vec();
        all.extend(["--suggest-policy", "--out", "s.toml", "--force"]);
        let o = anonymise(d, &all);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let p = read(d, "s.toml");
        let at = p
            .find(&format!("name = \"{name}\""))
            .unwrap_or_else(|| panic!("{name}:\n{p}"));
        p[at..].lines().nth(1).unwrap_or("").to_string()
    };
    let alone = method_of(&["klanten.csv"], "geboortedatum");
    let with_dump = method_of(&["klanten.csv", "patient.sql"], "klanten.geboortedatum");
    assert_eq!(alone, with_dump);
    assert_eq!(
        method_of(&["klanten.csv", "patient.sql"], "patient.geboortedatum"),
        "method = \"date_shift\""
    );
}
