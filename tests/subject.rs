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

/// One person (Jan de Vries, customer 1001) in six systems (CSV, NDJSON, a log, a SQL dump,
/// SQLite, a PDF), and a second person beside him.
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
    write(
        d,
        "events/clicks.ndjson",
        "{\"user\":{\"email\":\"Jan.DeVries@example.nl\"},\"page\":\"/retour\"}\n{\"user\":{\"email\":\"els.peeters@example.be\"},\"page\":\"/\"}\n",
    );
    // A personnel file printed to PDF (fixtures/pdf/rapport.pdf): the person's BSN and phone
    // number on page 2.
    std::fs::create_dir_all(d.join("docs")).expect("mkdir");
    std::fs::copy(
        crate::common::root().join("fixtures/pdf/rapport.pdf"),
        d.join("docs/personeelsdossier.pdf"),
    )
    .expect("copy the PDF fixture");
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
        "./events/clicks.ndjson email 1",
        "./docs/personeelsdossier.pdf!page 2 nl.bsn 2",
        "./docs/personeelsdossier.pdf!page 2 phone 3",
    ] {
        assert!(
            matched.iter().any(|m| m == want),
            "{want} missing from {matched:#?}"
        );
    }
    // Nothing of the other person's rows (row 2 of each table, line 2 of the log).
    assert!(
        ps.iter().all(|p| match p["row"].as_u64() {
            Some(row) => row != 2,
            None => p["path"] != "./logs/support.log" || p["line"].as_u64() != Some(2),
        }),
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
    // (The key may itself be a value: `"jan@example.nl" = [...]`; it is never quoted.)
    assert!(
        stderr(&o).contains("line 1: a key that is no rule id"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("emial"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("jan.devries"), "{}", stderr(&o));
    write(d, "person.toml", "\"jan.devries@example.nl\" = [\"x\"]\n");
    let o = find(d, &["."]);
    assert_eq!(code(&o), 2);
    assert!(!stderr(&o).contains("jan.devries"), "{}", stderr(&o));
    // An empty list identifies no one: refused, not a search for nobody that finds nothing.
    write(d, "person.toml", "phone = [\"0612345678\"]\nemail = []\n");
    let o = find(d, &["."]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("line 2: email: the list is empty"),
        "{}",
        stderr(&o)
    );
    write(d, "person.toml", "email = [\"jan.devries@example.nl\"\n");
    let o = find(d, &["."]);
    assert_eq!(code(&o), 2);
    assert!(!stderr(&o).contains("jan.devries"), "{}", stderr(&o));
}

/// Places as `rule table row` strings.
fn rows_of(ps: &[serde_json::Value]) -> Vec<String> {
    ps.iter()
        .map(|p| {
            format!(
                "{} {} {} {}",
                p["rule"].as_str().unwrap_or(""),
                p["table"].as_str().unwrap_or(""),
                p["row"].as_u64().unwrap_or(0),
                p["via"].as_str().unwrap_or("-")
            )
        })
        .collect()
}

#[test]
fn a_table_resumed_later_in_a_dump_keeps_its_row_numbers_when_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "person.toml", "email = [\"jan.devries@example.nl\"]\n");
    // klanten comes in two INSERT blocks with orders between them: Jan is klanten row 2, and
    // his order is orders row 2; a follower that restarts counting at each block would
    // report row 1 of either.
    write(
        d,
        "shop.sql",
        "CREATE TABLE klanten (id integer, email text);\n\
         CREATE TABLE orders (id integer, klant_id integer, iban text);\n\
         INSERT INTO klanten VALUES (7, 'els@example.be');\n\
         INSERT INTO orders VALUES (70, 7, 'BE68539007547034');\n\
         INSERT INTO klanten VALUES (8, 'jan.devries@example.nl');\n\
         INSERT INTO orders VALUES (80, 8, 'NL91ABNA0417164300');\n",
    );
    let o = find(d, &["shop.sql", "--format", "ndjson"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let got = rows_of(&places(&o));
    assert!(got.contains(&"email klanten 2 -".to_string()), "{got:#?}");
    assert!(
        got.contains(&"iban orders 2 klant_id".to_string()),
        "{got:#?}"
    );
    assert!(
        got.iter().all(|g| !g.contains(" 1 ")),
        "the other customer's rows: {got:#?}"
    );
}

#[test]
fn keys_that_name_other_people_or_things_are_not_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "person.toml", "email = [\"jan.devries@example.nl\"]\n");
    // Jan's order names a product and the employee who took it: other buyers of the product
    // and the employee's other customers are not Jan's. Neither is a house number a key.
    write(
        d,
        "orders.csv",
        "order_id,klantnummer,product_id,employee_id,huisnummer,email\n\
         5001,1001,42,3,12,jan.devries@example.nl\n\
         5002,1002,42,3,12,els.peeters@example.be\n",
    );
    write(
        d,
        "klanten.csv",
        "klantnummer,naam,email\n1001,Jan de Vries,n/a\n1002,Els Peeters,els.peeters@example.be\n",
    );
    let o = find(d, &[".", "--format", "ndjson", "--follow", "3"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let ps = places(&o);
    // The order names two people (customer, employee): whose would the rest be? Only its own
    // key is followed, and no row refers to order 5001.
    assert!(
        ps.iter().all(|p| p["row"] == 1),
        "rows of someone else: {ps:#?}"
    );
    // With the employee gone, the one person it names is followed: the customer record, whose
    // `email` column holds `n/a` there, which is no e-mail address and is not reported as one.
    write(
        d,
        "orders.csv",
        "order_id,klantnummer,product_id,huisnummer,email\n\
         5001,1001,42,12,jan.devries@example.nl\n\
         5002,1002,42,12,els.peeters@example.be\n",
    );
    let ps = places(&find(d, &[".", "--format", "ndjson", "--follow", "3"]));
    let got = rows_of(&ps);
    assert!(
        got.contains(&"person_name klanten 1 klantnummer".to_string()),
        "{got:#?}"
    );
    assert!(
        ps.iter().all(|p| p["row"] == 1),
        "rows of someone else: {ps:#?}"
    );
    assert!(
        !got.contains(&"email klanten 1 klantnummer".to_string()),
        "a cell that holds no e-mail address is reported as one: {got:#?}"
    );
}

#[test]
fn identifiers_no_rule_knows_are_found_in_the_columns_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    organisation(d);
    write(
        d,
        "person.toml",
        "customer_number = [\"1001\"]\ncolumns = [\"klantnummer\"]\n",
    );
    let o = find(d, &["crm", "--format", "ndjson"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let ps = places(&o);
    let got = rows_of(&ps);
    for want in [
        "customer_number klanten 1 -",
        "iban klanten 1 -",
        "customer_number orders 1 -",
        "customer_number orders 3 -",
    ] {
        assert!(got.contains(&want.to_string()), "{want}: {got:#?}");
    }
    assert!(ps.iter().all(|p| p["row"] != 2), "{ps:#?}");
    assert!(!stdout(&o).contains("1001"), "{}", stdout(&o));
    // The table form names columns per identifier.
    write(
        d,
        "person.toml",
        "[klant]\nvalues = [\"1002\"]\ncolumns = [\"Klant_Nummer\"]\n",
    );
    let ps = places(&find(d, &["crm", "--format", "ndjson", "--follow", "0"]));
    assert!(
        rows_of(&ps).contains(&"klant klanten 2 -".to_string()),
        "{ps:#?}"
    );
}

#[test]
fn hidden_files_are_searched_or_named_never_left_out_silently() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    organisation(d);
    write(
        d,
        ".backup/klanten-oud.csv",
        "email\njan.devries@example.nl\n",
    );
    let o = find(d, &[".", "--format", "ndjson"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(".backup: hidden") && stderr(&o).contains("--hidden"),
        "{}",
        stderr(&o)
    );
    let o = find(d, &[".", "--format", "ndjson", "--hidden"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        places(&o)
            .iter()
            .any(|p| p["path"] == "./.backup/klanten-oud.csv"),
        "{}",
        stdout(&o)
    );
    // A sample could miss the person: refused.
    let o = find(d, &[".", "--sample-rows", "10"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("reads every row"), "{}", stderr(&o));
}

#[test]
fn the_summary_counts_each_input_once_and_names_are_masked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    organisation(d);
    // A file named after the person.
    write(
        d,
        "crm/jan.devries@example.nl.csv",
        "klantnummer,opmerking\n1001,belt terug\n",
    );
    let o = find(d, &["crm", "--format", "ndjson"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stdout(&o).contains("jan.devries"), "{}", stdout(&o));
    let ps = places(&o);
    let inputs: std::collections::BTreeSet<&str> =
        ps.iter().filter_map(|p| p["path"].as_str()).collect();
    // klanten (matched), orders and the masked file (followed): three inputs, counted once
    // though the followed rows are written after the scan's.
    assert_eq!(inputs.len(), 3, "{inputs:?}");
    assert!(stderr(&o).contains("in 3 input(s)"), "{}", stderr(&o));
}

#[test]
fn a_list_of_people_is_matched_at_once_and_can_fail_a_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    organisation(d);
    // Three people who asked to be forgotten: Els (by e-mail), someone not in the data, and
    // Jan (by customer number, a column the data has).
    write(
        d,
        "forgotten.csv",
        "email;klantnummer\nels.peeters@example.be;\nnobody@example.org;\n;1001\n",
    );
    let o = piiscan()
        .current_dir(d)
        .args(["subject", "find", "--subjects", "forgotten.csv", "-q"])
        .args(["crm", "logs", "--format", "ndjson", "--fail-if-found"])
        .output()
        .expect("run");
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let ps = places(&o);
    let whose = |person: u64| -> Vec<String> {
        rows_of(
            &ps.iter()
                .filter(|p| p["subject"] == person)
                .cloned()
                .collect::<Vec<_>>(),
        )
    };
    assert!(
        whose(1).contains(&"email klanten 2 -".to_string()),
        "{ps:#?}"
    );
    assert!(whose(2).is_empty(), "{ps:#?}");
    assert!(
        whose(3).contains(&"klantnummer klanten 1 -".to_string()),
        "{ps:#?}"
    );
    assert!(
        stderr(&o).contains("2 of the 3 people on the list"),
        "{}",
        stderr(&o)
    );
    for v in ["els.peeters", "nobody", "1001"] {
        assert!(!stdout(&o).contains(v) && !stderr(&o).contains(v), "{v}");
    }
    // No one of the list in the data: exit 0.
    write(d, "forgotten.csv", "email\nnobody@example.org\n");
    let o = piiscan()
        .current_dir(d)
        .args(["subject", "find", "--subjects", "forgotten.csv", "-q"])
        .args(["crm", "logs", "--fail-if-found"])
        .output()
        .expect("run");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn an_access_request_is_exported_with_the_registers_purposes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    organisation(d);
    // A register whose customer activity has its purposes filled in.
    let o = piiscan()
        .current_dir(d)
        .args(["register", "draft", "crm", "--register", "register"])
        .output()
        .expect("draft");
    assert!(code(&o) <= 1, "{}", stderr(&o));
    let activities = d.join("register/activities");
    let mut filled = 0;
    for e in std::fs::read_dir(&activities)
        .expect("activities")
        .flatten()
    {
        let text = std::fs::read_to_string(e.path()).expect("read");
        if text.contains("klanten.csv") {
            let text = text
                .replace(
                    "purposes = []",
                    "purposes = [\"Uitvoeren van bestellingen\"]",
                )
                .replace(
                    "retention = \"\"",
                    "retention = \"7 jaar na de laatste bestelling\"",
                );
            std::fs::write(e.path(), text).expect("write");
            filled += 1;
        }
    }
    assert_eq!(filled, 1, "one activity covers klanten.csv");
    let o = find(
        d,
        &["crm", "logs", "--export", "inzage", "--format", "ndjson"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // The places output still masks; the export holds the values, privately.
    assert!(!stdout(&o).contains("NL91ABNA0417164300"));
    let export = d.join("inzage");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&export)
            .expect("dir")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the export folder is private: {mode:o}");
    }
    let mut sources = Vec::new();
    for e in std::fs::read_dir(&export).expect("export").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(e.path()).expect("read"))
                    .expect("json");
            sources.push(v);
        }
    }
    let of = |source: &str| {
        sources
            .iter()
            .find(|s| s["source"] == source)
            .unwrap_or_else(|| panic!("{source}: {sources:#?}"))
    };
    // The matched row in full, the followed orders (not the other customer's), the log line's
    // phone number.
    let klanten = of("crm/klanten.csv");
    assert_eq!(klanten["records"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        klanten["records"][0]["fields"]["iban"],
        "NL91ABNA0417164300"
    );
    assert_eq!(klanten["records"][0]["fields"]["naam"], "Jan de Vries");
    let orders = of("crm/orders.csv");
    let rows: Vec<u64> = orders["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter_map(|r| r["row"].as_u64())
        .collect();
    assert_eq!(rows, vec![1, 3], "{orders:#}");
    assert_eq!(orders["records"][0]["found_by"][0], "via klantnummer");
    let log = of("logs/support.log");
    assert_eq!(log["mentions"][0]["line"], 1);
    assert_eq!(log["mentions"][0]["value"], "06 12 34 56 78");
    let summary = std::fs::read_to_string(export.join("summary.md")).expect("summary");
    for want in [
        "Uitvoeren van bestellingen",
        "7 jaar na de laatste bestelling",
        "crm/klanten.csv",
        "Bankrekeningnummer",
        "Bronnen zonder activiteit in het register",
    ] {
        assert!(summary.contains(want), "{want}:\n{summary}");
    }
    assert!(export.join("summary.html").exists());
    // Planned before anything is written: an existing folder with files is refused, as is
    // --export for a list of people.
    let o = find(d, &["crm", "--export", "inzage"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not an empty folder"), "{}", stderr(&o));
    assert!(
        !stderr(&o).contains("found at"),
        "refused before the search: {}",
        stderr(&o)
    );
    // English, and no temporary folder left beside it.
    let o = find(d, &["crm", "--export", "access", "--lang", "en"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let summary = std::fs::read_to_string(d.join("access/summary.md")).expect("summary");
    assert!(summary.contains("Where your data is held"), "{summary}");
    let leftovers: Vec<String> = std::fs::read_dir(d)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".piiscan-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn the_export_and_the_places_keep_their_form() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    organisation(d);
    let o = piiscan()
        .current_dir(d)
        .env("SOURCE_DATE_EPOCH", "1764576000")
        .args(["subject", "find", "--subject", "person.toml", "-q"])
        .args([
            "crm",
            "logs",
            "db/hr.sql",
            "--export",
            "out",
            "--format",
            "ndjson",
        ])
        .output()
        .expect("run");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    crate::common::golden("subject/places.ndjson", stdout(&o).as_bytes());
    for file in ["summary.md", "summary.html"] {
        let text = std::fs::read(d.join("out").join(file)).expect("summary");
        crate::common::golden(&format!("subject/{file}"), &text);
    }
    let text = piiscan()
        .current_dir(d)
        .args(["subject", "find", "--subject", "person.toml", "-q"])
        .args(["crm", "logs", "db/hr.sql"])
        .output()
        .expect("run");
    crate::common::golden("subject/places.txt", stdout(&text).as_bytes());
}

#[test]
fn the_export_summary_prints_in_chromium() {
    let Some(chromium) = crate::common::chromium("subject summary HTML-to-PDF test") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    organisation(d);
    let o = find(d, &["crm", "--export", "inzage"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let (text, _) = crate::common::print_to_pdf(chromium, &d.join("inzage/summary.html"));
    for want in [
        "Inzage in persoonsgegevens",
        "crm/klanten.csv",
        "Bankrekeningnummer",
    ] {
        assert!(text.contains(want), "{want} not in the PDF:\n{text}");
    }
}
