//! Sampling is never silent: a table read in part says so in every format, and a CI gate
//! (`--fail-on`) reads every row unless a sample is asked for.

use crate::common::{ndjson, run, stderr, stdout};
use std::fmt::Write as _;
use std::path::Path;

/// A CSV export whose first `clean` rows hold no personal data and whose next row holds an
/// e-mail address in a free-text column: the leak a sample of the first rows misses.
fn late_leak_csv(dir: &Path, clean: usize) {
    let mut text = String::from("id,status,note\n");
    for i in 1..=clean {
        writeln!(text, "{i},open,order shipped").unwrap();
    }
    writeln!(text, "{},open,contact jan.jansen@telenet.be", clean + 1).unwrap();
    std::fs::write(dir.join("export.csv"), text).unwrap();
}

#[test]
fn a_gate_reads_every_row_by_default() {
    let dir = tempfile::tempdir().unwrap();
    late_leak_csv(dir.path(), 15_000);
    let gate = run(
        dir.path(),
        &[
            "scan",
            "export.csv",
            "--fail-on",
            "medium",
            "--format",
            "ndjson",
        ],
    );
    assert_eq!(gate.status.code(), Some(1), "{}", stderr(&gate));
    let found = ndjson(&gate);
    assert!(
        found
            .iter()
            .any(|f| f["rule"] == "email" && f["row"] == 15_001),
        "the e-mail address in row 15,001 is found: {found:?}"
    );
    assert!(!stderr(&gate).contains("sampled"), "{}", stderr(&gate));
}

#[test]
fn a_sampled_table_says_so_in_the_table_format() {
    let dir = tempfile::tempdir().unwrap();
    late_leak_csv(dir.path(), 15_000);
    let o = run(dir.path(), &["scan", "export.csv"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("Sampled: 1 table(s) read in part"), "{out}");
    assert!(
        out.contains(
            "export.csv: table export: sampled, the first 10,000 rows (more followed) read"
        ),
        "{out}"
    );
}

#[test]
fn a_sampled_table_is_listed_in_json_and_named_on_stderr_for_machine_formats() {
    let dir = tempfile::tempdir().unwrap();
    late_leak_csv(dir.path(), 200);
    let o = run(
        dir.path(),
        &[
            "scan",
            "export.csv",
            "--sample-rows",
            "50",
            "--format",
            "json",
        ],
    );
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let sampled = doc["stats"]["sampled"].as_array().unwrap();
    assert_eq!(sampled.len(), 1, "{doc}");
    assert_eq!(sampled[0]["table"], "export");
    assert_eq!(sampled[0]["rows_read"], 50);
    for format in ["ndjson", "csv", "sarif", "github", "junit"] {
        let o = run(
            dir.path(),
            &[
                "scan",
                "export.csv",
                "--sample-rows",
                "50",
                "--format",
                format,
            ],
        );
        assert!(
            stderr(&o).contains("notice: export.csv: table export: sampled, the first 50 rows"),
            "{format}: {}",
            stderr(&o)
        );
    }
    // An explicit sample is honoured by a gate too, and still named.
    let o = run(
        dir.path(),
        &[
            "scan",
            "export.csv",
            "--sample-rows",
            "50",
            "--fail-on",
            "medium",
            "--format",
            "ndjson",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("sampled"), "{}", stderr(&o));
}

#[test]
fn a_table_read_in_full_is_not_called_sampled() {
    let dir = tempfile::tempdir().unwrap();
    late_leak_csv(dir.path(), 49);
    // 50 data rows, a sample of 50: everything was read.
    let o = run(
        dir.path(),
        &[
            "scan",
            "export.csv",
            "--sample-rows",
            "50",
            "--format",
            "json",
        ],
    );
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        doc["stats"]["sampled"].as_array().unwrap().len(),
        0,
        "{doc}"
    );
}

#[test]
fn sqlite_and_the_inventory_give_the_total_of_a_sampled_table() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crm.sqlite");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("CREATE TABLE klant (id INTEGER, email TEXT);")
        .unwrap();
    let tx = conn.unchecked_transaction().unwrap();
    for i in 0..120 {
        tx.execute(
            "INSERT INTO klant VALUES (?1, ?2)",
            rusqlite::params![i, format!("klant{i}@telenet.be")],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    drop(conn);
    let o = run(
        dir.path(),
        &[
            "scan",
            "crm.sqlite",
            "--sample-rows",
            "100",
            "--format",
            "json",
        ],
    );
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let sampled = &doc["stats"]["sampled"][0];
    assert_eq!(sampled["table"], "klant", "{doc}");
    assert_eq!(sampled["rows_read"], 100);
    assert_eq!(sampled["rows_total"], 120);

    let inv = run(
        dir.path(),
        &[
            "inventory",
            "crm.sqlite",
            "--sample-rows",
            "100",
            "--format",
            "json",
        ],
    );
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&inv.stdout).unwrap();
    let email = entries.iter().find(|e| e["field"] == "email").unwrap();
    assert!(
        email["reason"]
            .as_str()
            .unwrap()
            .ends_with("sampled: 100 of 120 rows"),
        "{email}"
    );
    assert!(
        stderr(&inv).contains("notice: crm.sqlite: table klant: sampled, 100 of 120 rows read"),
        "{}",
        stderr(&inv)
    );
}
