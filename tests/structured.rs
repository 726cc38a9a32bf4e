//! Tables: the real Chinook dumps (pg_dump COPY, pg_dump --column-inserts, mariadb-dump) and
//! CSV exports, classified per column and compared with `fixtures/chinook/labels.jsonl`.

use crate::common::{ndjson, root, run, stdout};
use std::collections::{BTreeMap, HashMap};

/// The inventory of a `piiscan scan … --format json` run in `dir`.
fn scan_inventory(dir: &std::path::Path, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["scan"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let doc: serde_json::Value =
        serde_json::from_str(&stdout(&run(dir, &all))).expect("a JSON document");
    doc["inventory"].as_array().cloned().unwrap_or_default()
}

/// The inventory entry of a column (the first when there are several).
fn field<'e>(entries: &'e [serde_json::Value], name: &str) -> &'e serde_json::Value {
    entries
        .iter()
        .find(|e| e["field"] == name)
        .unwrap_or_else(|| panic!("{name} missing: {entries:?}"))
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn labels() -> HashMap<(String, String), Vec<String>> {
    let text = std::fs::read_to_string(root().join("fixtures/chinook/labels.jsonl")).unwrap();
    text.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|v| {
            let cats = v["categories"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_string())
                .collect();
            (
                (
                    norm(v["table"].as_str().unwrap()),
                    norm(v["column"].as_str().unwrap()),
                ),
                cats,
            )
        })
        .collect()
}

/// Column-level precision and recall of one file's inventory against the labels.
fn score(file: &str) -> (f64, f64, Vec<String>) {
    let out = run(
        &root(),
        &[
            "inventory",
            &format!("fixtures/chinook/{file}"),
            "--format",
            "json",
            "-q",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let entries: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let mut found: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for e in &entries {
        let key = (
            norm(e["table"].as_str().unwrap_or("")),
            norm(e["field"].as_str().unwrap_or("")),
        );
        found
            .entry(key)
            .or_default()
            .push(e["category"].as_str().unwrap().to_string());
    }
    let labels = labels();
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    let mut problems = Vec::new();
    for (key, want) in &labels {
        // Flat files hold one table; match their columns against every table's labels by name.
        let got = found.get(key);
        if file.ends_with(".csv") && !key.0.starts_with(&norm(file.trim_end_matches(".csv"))) {
            continue;
        }
        match (want.is_empty(), got) {
            (true, Some(g)) => {
                fp += 1;
                problems.push(format!("{key:?} reported as {g:?}, labelled not personal"));
            }
            (false, Some(g)) if g.iter().any(|c| want.contains(c)) => tp += 1,
            (false, _) => {
                fn_ += 1;
                problems.push(format!("{key:?} missed (want {want:?}, got {got:?})"));
            }
            (true, None) => {}
        }
    }
    let precision = if tp + fp == 0 {
        1.0
    } else {
        f64::from(tp) / f64::from(tp + fp)
    };
    let recall = if tp + fn_ == 0 {
        1.0
    } else {
        f64::from(tp) / f64::from(tp + fn_)
    };
    println!("{file:<32} precision {precision:.3} recall {recall:.3} ({tp} found, {fp} wrong, {fn_} missed)");
    (precision, recall, problems)
}

#[test]
fn chinook_columns_are_classified_in_every_dump_format() {
    for file in [
        "chinook.pg_dump.sql",
        "chinook.pg_dump_inserts.sql",
        "chinook.mariadb_dump.sql",
        "customer.csv",
        "employee.csv",
    ] {
        let (precision, recall, problems) = score(file);
        for p in &problems {
            println!("  {p}");
        }
        assert!(recall >= 0.95, "{file}: recall {recall:.3}: {problems:?}");
        assert!(
            precision >= 0.95,
            "{file}: precision {precision:.3}: {problems:?}"
        );
    }
}

#[test]
fn cell_findings_carry_table_column_and_row() {
    let found = ndjson(&run(
        &root(),
        &[
            "scan",
            "fixtures/chinook/chinook.pg_dump.sql",
            "--format",
            "ndjson",
            "--only",
            "email",
        ],
    ));
    let first = found
        .iter()
        .find(|f| f["table"] == "customer")
        .expect("customer e-mail findings");
    assert_eq!(first["column"], "email");
    assert_eq!(first["row"], 1);
    assert_eq!(
        first["confidence"], "high",
        "the column's values and name make every cell high"
    );
    // The row's line in the dump, so that annotations point at it (a COPY row is one line).
    let line = first["line"].as_u64().expect("a dump row carries its line") as usize;
    let dump =
        std::fs::read_to_string(root().join("fixtures/chinook/chinook.pg_dump.sql")).unwrap();
    let text = dump.lines().nth(line - 1).unwrap();
    assert!(
        text.starts_with("1\t"),
        "line {line} is the first customer row: {text}"
    );
    let capped = ndjson(&run(
        &root(),
        &[
            "scan",
            "fixtures/chinook/customer.csv",
            "--format",
            "ndjson",
            "--only",
            "email",
            "--max-findings-per-column",
            "5",
        ],
    ));
    assert_eq!(capped.len(), 5);
    let entries = scan_inventory(
        &root(),
        &[
            "fixtures/chinook/customer.csv",
            "--max-findings-per-column",
            "5",
        ],
    );
    let email = field(&entries, "email");
    assert_eq!(email["count"], 59, "the inventory keeps exact counts");
    assert_eq!(email["data_subject"], "customer");
}

#[test]
fn sample_rows_limits_what_is_read_per_table() {
    let entries = scan_inventory(
        &root(),
        &["fixtures/chinook/customer.csv", "--sample-rows", "10"],
    );
    let email = field(&entries, "email");
    assert_eq!(email["rows_scanned"], 10);
    assert_eq!(email["count"], 10);
}

#[test]
fn misleading_names_and_hidden_columns() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("export.csv"),
        "id,email_sent,col7,opmerking\n1,true,111222333,belde vanuit 06-12345678\n2,false,123456782,geen\n3,true,100000009,geen\n",
    )
    .unwrap();
    let out = run(dir.path(), &["inventory", "export.csv", "--format", "json"]);
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let by_field = |f: &str| {
        entries
            .iter()
            .filter(|e| e["field"] == f)
            .collect::<Vec<_>>()
    };
    assert!(
        by_field("email_sent").is_empty(),
        "booleans are no e-mail addresses"
    );
    assert_eq!(by_field("col7")[0]["rule"], "nl.bsn");
    // The reason names the checksum that passed; three values are too few to cite its
    // chance rate (issue 17: wording that fits the number of values).
    let reason = by_field("col7")[0]["reason"].as_str().unwrap();
    assert!(reason.contains("match nl.bsn (nl_bsn)"), "{reason}");
    assert!(!reason.contains("by chance"), "{reason}");
    assert_eq!(
        by_field("opmerking")[0]["rule"],
        "phone",
        "free text is scanned cell by cell"
    );
}

#[test]
fn sqlite_is_read_without_being_modified() {
    let db = root().join("fixtures/chinook/chinook.sqlite");
    let before = std::fs::read(&db).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("chinook.sqlite");
    std::fs::copy(&db, &copy).unwrap();
    let found = ndjson(&run(
        dir.path(),
        &[
            "scan",
            "chinook.sqlite",
            "--format",
            "ndjson",
            "--only",
            "email",
        ],
    ));
    assert!(found
        .iter()
        .any(|f| f["table"] == "Customer" && f["column"] == "Email"));
    assert_eq!(std::fs::read(&db).unwrap(), before);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names.len(),
        1,
        "no journal or lock files were created: {names:?}"
    );
}

#[test]
fn excel_sheets_are_tables() {
    let out = run(
        &root(),
        &[
            "inventory",
            "fixtures/demo/crm/klanten.xlsx",
            "--format",
            "json",
        ],
    );
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let get = |f: &str| field(&entries, f);
    assert_eq!(get("Naam")["category"], "user.name");
    assert_eq!(get("E-mail")["rule"], "email");
    assert_eq!(get("IBAN")["rule"], "iban");
    assert_eq!(
        get("Geboortedatum")["rule"],
        "date_of_birth",
        "the column name is the birth context of its dates"
    );
    assert_eq!(get("Opmerking")["rule"], "nl.bsn");
    assert!(
        get("Opmerking")["reason"]
            .as_str()
            .unwrap()
            .contains("contain"),
        "a mention in free text, not a BSN column"
    );
    assert!(
        entries.iter().all(|e| e["table"] != "Orders"),
        "the Orders sheet holds no personal data"
    );
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_is_read_batch_by_batch() {
    use polars::prelude::*;
    let n = 20_000;
    let names: Vec<String> = (0..n)
        .map(|i| {
            if i % 2 == 0 {
                "Sanne de Vries".into()
            } else {
                "Peter Jansen".into()
            }
        })
        .collect();
    let emails: Vec<String> = (0..n).map(|i| format!("klant{i}@voorbeeld.nl")).collect();
    let bsn: Vec<i64> = (0..n)
        .map(|i| if i % 2 == 0 { 111_222_333 } else { 123_456_782 })
        .collect();
    let days: Vec<i32> = (0..n).map(|i| 5_000 + (i as i32 % 3_000)).collect();
    let mut df = DataFrame::new(
        n,
        vec![
            Column::new("naam".into(), names),
            Column::new("email".into(), emails),
            Column::new("bsn".into(), bsn),
            Column::new("geboortedatum".into(), days)
                .cast(&DataType::Date)
                .unwrap(),
        ],
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("klanten.parquet");
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .with_row_group_size(Some(4_096))
        .finish(&mut df)
        .unwrap();

    let out = run(
        dir.path(),
        &[
            "inventory",
            "klanten.parquet",
            "--format",
            "json",
            "--sample-rows",
            "0",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let get = |f: &str| field(&entries, f);
    assert_eq!(get("email")["count"], n);
    assert_eq!(get("bsn")["rule"], "nl.bsn");
    assert_eq!(get("naam")["category"], "user.name");
    assert_eq!(
        get("geboortedatum")["category"],
        "user.demographic.date_of_birth"
    );
    assert_eq!(get("email")["data_subject"], "customer");
    let found = ndjson(&run(
        dir.path(),
        &[
            "scan",
            "klanten.parquet",
            "--format",
            "ndjson",
            "--only",
            "email",
            "--sample-rows",
            "0",
            "--max-findings-per-column",
            "0",
        ],
    ));
    assert_eq!(found.len(), n);
    assert_eq!(
        found[n - 1]["row"],
        n as u64,
        "rows are counted across batches"
    );
}

#[test]
fn opendocument_sheets_are_tables_too() {
    let out = run(
        &root(),
        &[
            "inventory",
            "fixtures/demo/crm/leden.ods",
            "--format",
            "json",
        ],
    );
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(field(&entries, "Telefoon")["rule"], "phone");
    assert_eq!(field(&entries, "Geboortedatum")["rule"], "date_of_birth");
    assert_eq!(
        field(&entries, "Naam")["data_subject"],
        "member",
        "'Leden' is a members' table"
    );
}

#[test]
fn names_in_columns_of_places_are_places() {
    // Towns named after people: in a column whose name says it holds towns they are no
    // person's name; the people in the name and address columns stay found (an address field
    // can hold its addressee).
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("klanten.csv"),
        "Naam,Woonplaats,AccentCity,Adres\n\
         Jan de Vries,Franklin Park,Victoria Valley,Kerkstraat 1\n\
         Sanne Bakker,Santo André,Paulo Afonso,Dorpsstraat 2\n\
         Piet Jansen,Tom Price,Miriam Vale,t.a.v. Karin Mulder Laan 3\n\
         Els Peeters,Naam: Joost Verbeek,Gent,Kerkstraat 4\n",
    )
    .unwrap();
    let found = ndjson(&run(
        dir.path(),
        &[
            "scan",
            "klanten.csv",
            "--format",
            "ndjson",
            "--only",
            "person_name",
        ],
    ));
    let columns: Vec<&str> = found.iter().filter_map(|f| f["column"].as_str()).collect();
    // A name with evidence (a label) in a place column stays: the column's name cannot hide it.
    assert_eq!(
        columns,
        ["Naam", "Naam", "Naam", "Adres", "Naam", "Woonplaats"],
        "{found:?}"
    );
}
