//! `piiscan subject find`: one person found in a CSV, a log, a SQL dump and a SQLite database,
//! spelled differently in each; the other personal data of their rows; rows of other tables
//! through the customer number; and no value of the subject file anywhere in the output.

use crate::common::{code, piiscan, stderr, stdout, write};
use std::path::Path;

fn find(dir: &Path, args: &[&str]) -> std::process::Output {
    piiscan()
        .current_dir(dir)
        .args(["subject", "find", "--subject", "person.toml", "-q"])
        .args(args)
        .output()
        .expect("run piiscan")
}

fn places(o: &std::process::Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// One person (Jan de Vries, customer 1001) in four systems, and a second person beside him.
fn organisation(d: &Path) {
    write(
        d,
        "person.toml",
        "email = [\"Jan.deVries@Example.NL\"]\nphone = [\"+31 6 12345678\"]\n\"nl.bsn\" = [\"111222333\"]\n",
    );
    write(
        d,
        "crm/klanten.csv",
        "klantnummer;naam;email;telefoon;iban\n\
         1001;Jan de Vries;jan.devries@example.nl;06-12345678;NL91ABNA0417164300\n\
         1002;Els Peeters;els.peeters@example.be;+32 470 12 34 56;BE68539007547034\n",
    );
    write(
        d,
        "crm/orders.csv",
        "ordernummer,klantnummer,bezorgadres\n5001,1001,Dorpsstraat 12 Utrecht\n5002,1002,Kerkstraat 1 Gent\n5003,1001,Dorpsstraat 12 Utrecht\n",
    );
    write(
        d,
        "logs/support.log",
        "10:01 ticket 17 belt vanaf 06 12 34 56 78\n10:02 ticket 18 els.peeters@example.be\n",
    );
    write(
        d,
        "db/hr.sql",
        "CREATE TABLE medewerker (id integer, bsn text, email text);\nINSERT INTO medewerker VALUES (1, '111222333', 'JAN.DEVRIES@example.nl'), (2, '123456782', 'els@example.be');\n",
    );
    let conn = rusqlite::Connection::open(d.join("db/tickets.sqlite")).expect("sqlite");
    conn.execute_batch(
        "CREATE TABLE ticket (id INTEGER, email TEXT, body TEXT);\
         INSERT INTO ticket VALUES (1, 'jan.devries@example.nl', 'retour'), (2, 'els.peeters@example.be', 'vraag');",
    )
    .expect("create");
}

#[test]
fn every_place_of_the_person_is_found_and_no_one_else() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    organisation(d);
    let o = find(d, &[".", "--format", "ndjson", "--follow", "0"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let ps = places(&o);
    let matched: Vec<String> = ps
        .iter()
        .filter(|p| p["matched"] == true)
        .map(|p| {
            format!(
                "{} {} {}",
                p["path"].as_str().unwrap_or(""),
                p["rule"].as_str().unwrap_or(""),
                p["row"].as_u64().or(p["line"].as_u64()).unwrap_or(0)
            )
        })
        .collect();
    for want in [
        "./crm/klanten.csv email 1",
        "./crm/klanten.csv phone 1",
        "./logs/support.log phone 1",
        "./db/hr.sql nl.bsn 1",
        "./db/hr.sql email 1",
        "./db/tickets.sqlite email 1",
    ] {
        assert!(
            matched.iter().any(|m| m == want),
            "{want} missing from {matched:#?}"
        );
    }
    // Nothing of the other person's rows.
    assert!(
        ps.iter()
            .all(|p| p["row"].as_u64() != Some(2) && p["line"].as_u64() != Some(2)),
        "{ps:#?}"
    );
    // The row's other personal data belongs to the person too.
    assert!(ps
        .iter()
        .any(|p| p["matched"] == false && p["rule"] == "iban" && p["path"] == "./crm/klanten.csv"));
}

#[test]
fn rows_sharing_the_customer_number_are_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    organisation(d);
    let ps = places(&find(d, &["crm", "--format", "ndjson"]));
    let followed: Vec<u64> = ps
        .iter()
        .filter(|p| p["via"] == "klantnummer" && p["path"] == "crm/orders.csv")
        .filter_map(|p| p["row"].as_u64())
        .collect();
    assert!(followed.contains(&1) && followed.contains(&3), "{ps:#?}");
    assert!(!followed.contains(&2), "order 5002 is another customer's");
    let none = places(&find(d, &["crm", "--format", "ndjson", "--follow", "0"]));
    assert!(none.iter().all(|p| p.get("via").is_none()));
}

#[test]
fn no_value_of_the_subject_file_is_printed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    organisation(d);
    for format in ["text", "ndjson"] {
        let o = find(d, &[".", "--format", format]);
        let all = format!("{}{}", stdout(&o), stderr(&o));
        for v in [
            "jan.devries",
            "Jan.deVries",
            "12345678",
            "111222333",
            "Jan de Vries",
            "NL91ABNA",
        ] {
            assert!(!all.contains(v), "{v} printed ({format}):\n{all}");
        }
    }
    // A subject file with a key that is no rule: named, without its values.
    write(d, "person.toml", "emial = [\"jan.devries@example.nl\"]\n");
    let o = find(d, &["."]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("\"emial\" is no rule id"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("jan.devries"), "{}", stderr(&o));
    write(d, "person.toml", "email = [\"jan.devries@example.nl\"\n");
    let o = find(d, &["."]);
    assert_eq!(code(&o), 2);
    assert!(!stderr(&o).contains("jan.devries"), "{}", stderr(&o));
}
