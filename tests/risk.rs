//! `piiscan risk` as a privacy officer gates on it: k per person, one column syntax, l-diversity,
//! exit 1 when --min-k / --max-risk / --min-l are not met, and --target-k's generalisation
//! applied by `anonymise` reaching the k it promised.

use crate::common::{anonymise, code, piiscan, stderr, stdout, write};
use std::path::Path;

fn risk(dir: &Path, args: &[&str]) -> std::process::Output {
    piiscan()
        .current_dir(dir)
        .arg("risk")
        .args(args)
        .output()
        .expect("run piiscan")
}

fn json(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

/// Visits: persons a and b visit both areas, person c only one. Per row every class holds two
/// persons or more; per person c is alone.
const VISITS: &str = "klant,postcode4,diagnose\na,3511,griep\na,3512,griep\nb,3511,burn-out\nb,3512,burn-out\nc,3511,griep\n";

#[test]
fn k_counts_persons_by_all_their_rows_together() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "visits.csv", VISITS);
    let per_row = json(&risk(
        d,
        &["visits.csv", "--quasi", "postcode4", "--format", "json"],
    ));
    assert_eq!(per_row["k"], 2, "rows: 3511 three times, 3512 twice");
    let per_person = json(&risk(
        d,
        &[
            "visits.csv",
            "--quasi",
            "postcode4",
            "--entity",
            "klant",
            "--format",
            "json",
        ],
    ));
    assert_eq!(per_person["records"], 3);
    assert_eq!(per_person["k"], 1, "c alone visits only 3511");
    assert!((per_person["unique_share"].as_f64().unwrap_or(0.0) - 1.0 / 3.0).abs() < 1e-9);
}

#[test]
fn entity_and_quasi_take_the_same_table_column_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "dump.sql",
        "CREATE TABLE bezoek (klant text, postcode4 text);\nINSERT INTO bezoek VALUES ('a','3511'),('a','3512'),('b','3511');\nCREATE TABLE other (klant text);\nINSERT INTO other VALUES ('x');\n",
    );
    let o = risk(
        d,
        &[
            "dump.sql",
            "--quasi",
            "bezoek.postcode4",
            "--entity",
            "bezoek.klant",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let r = json(&o);
    assert_eq!(r["table"], "bezoek");
    assert_eq!(r["records"], 2);
    let o = risk(
        d,
        &[
            "dump.sql",
            "--quasi",
            "bezoek.postcode4",
            "--entity",
            "other.klant",
        ],
    );
    assert_eq!(code(&o), 2, "two tables named: {}", stdout(&o));
    assert!(stderr(&o).contains("several tables"), "{}", stderr(&o));
}

#[test]
fn l_diversity_of_a_sensitive_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "hr.csv",
        "afdeling,leeftijd,reden\nverkoop,30-39,griep\nverkoop,30-39,burn-out\nmagazijn,40-49,rugklachten\nmagazijn,40-49,rugklachten\n",
    );
    let o = risk(
        d,
        &[
            "hr.csv",
            "--quasi",
            "afdeling,leeftijd",
            "--sensitive",
            "reden",
            "--format",
            "json",
        ],
    );
    let r = json(&o);
    assert_eq!(r["k"], 2);
    assert_eq!(r["l"], 1, "everyone in magazijn 40-49 has the same reason");
    let o = risk(
        d,
        &[
            "hr.csv",
            "--quasi",
            "afdeling,leeftijd",
            "--sensitive",
            "reden",
            "--min-l",
            "2",
        ],
    );
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(
        stdout(&o).contains("l = 1 is below --min-l 2"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn gates_exit_1_only_when_not_met() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "visits.csv", VISITS);
    let base = ["visits.csv", "--quasi", "postcode4"];
    let run = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        risk(d, &args)
    };
    assert_eq!(code(&run(&["--min-k", "2"])), 0);
    let o = run(&["--min-k", "3"]);
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).contains("k = 2 is below --min-k 3"),
        "{}",
        stdout(&o)
    );
    assert_eq!(code(&run(&["--max-risk", "0.5"])), 0);
    assert_eq!(code(&run(&["--max-risk", "0.4"])), 1);
    assert_eq!(code(&run(&["--max-risk", "7"])), 2, "not a probability");
    assert_eq!(
        code(&run(&["--min-k", "2", "--entity", "klant"])),
        1,
        "per person k = 1"
    );
}

/// People with exact postcodes and birth dates: everyone is unique.
fn people(n: usize) -> String {
    let mut csv = String::from("id,postcode,geboortedatum,plaats\n");
    for i in 0..n {
        let area = 3511 + (i % 3);
        let year = 1970 + (i % 4) * 7;
        csv.push_str(&format!(
            "{i},{area} {}{},{year}-{:02}-{:02},Utrecht\n",
            (b'A' + (i % 26) as u8) as char,
            (b'A' + (i / 26 % 26) as u8) as char,
            1 + i % 12,
            1 + i % 28
        ));
    }
    csv
}

#[test]
fn the_target_k_generalisation_applied_by_anonymise_reaches_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "people.csv", &people(240));
    let before = json(&risk(
        d,
        &[
            "people.csv",
            "--quasi",
            "postcode,geboortedatum",
            "--format",
            "json",
        ],
    ));
    assert_eq!(before["k"], 1);
    let o = risk(
        d,
        &[
            "people.csv",
            "--quasi",
            "postcode,geboortedatum",
            "--target-k",
            "10",
        ],
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("the least generalisation reaching k = 10"),
        "{text}"
    );
    // The printed entries are a policy as they stand.
    let policy: String = text
        .lines()
        .skip_while(|l| !l.contains("as policy entries"))
        .skip(1)
        .map(|l| format!("{}\n", l.trim_start()))
        .collect();
    assert!(policy.contains("method = \"generalise\""), "{policy}");
    write(
        d,
        "policy.toml",
        &format!("on_unlisted = \"keep\"\n{policy}"),
    );
    let o = anonymise(
        d,
        &[
            "people.csv",
            "--policy",
            "policy.toml",
            "--out",
            "anon.csv",
            "--quasi",
            "postcode,geboortedatum",
        ],
    );
    assert!(code(&o) <= 1, "{}", stderr(&o));
    let after = json(&risk(
        d,
        &[
            "anon.csv",
            "--quasi",
            "postcode,geboortedatum",
            "--format",
            "json",
        ],
    ));
    assert!(after["k"].as_u64().unwrap_or(0) >= 10, "{after}");
    let json_search = json(&risk(
        d,
        &[
            "people.csv",
            "--quasi",
            "postcode,geboortedatum",
            "--target-k",
            "10",
            "--format",
            "json",
        ],
    ));
    assert_eq!(json_search["target"]["solution"]["risk"]["k"], after["k"]);
}

#[test]
fn an_unreachable_target_exits_1_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "few.csv",
        "postcode,geboortedatum\n3511 AB,1980-01-01\n3512 CD,1990-01-01\n",
    );
    let o = risk(
        d,
        &[
            "few.csv",
            "--quasi",
            "postcode,geboortedatum",
            "--target-k",
            "5",
        ],
    );
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).contains("no generalisation of these columns reaches k = 5"),
        "{}",
        stdout(&o)
    );
    let o = risk(
        d,
        &[
            "few.csv",
            "--quasi",
            "postcode",
            "--target-k",
            "2",
            "--generalise",
            "postcode=bogus",
        ],
    );
    assert_eq!(code(&o), 2);
}

#[test]
fn every_row_of_the_table_counts_wherever_the_reader_gives_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // A dump that resumes the table after another one, and adds a column on the way: 4 rows
    // of klant, the last two with a postcode. A collector that stopped at the first block
    // measured 2.
    write(
        d,
        "shop.sql",
        "CREATE TABLE klant (id integer, jaar integer);\n\
         CREATE TABLE product (id integer, naam text);\n\
         INSERT INTO klant VALUES (1, 1980), (2, 1980);\n\
         INSERT INTO product VALUES (1, 'thee');\n\
         INSERT INTO klant VALUES (3, 1981), (4, 1981);\n",
    );
    let r = json(&risk(
        d,
        &["shop.sql", "--quasi", "klant.jaar", "--format", "json"],
    ));
    assert_eq!(r["records"], 4, "{r:#}");
    assert_eq!(r["k"], 2, "{r:#}");
    // NDJSON whose quasi-identifier appears only from the third line: the rows before it hold
    // no postcode (NULL), and count.
    write(
        d,
        "events.ndjson",
        "{\"jaar\":1980}\n{\"jaar\":1980}\n{\"jaar\":1980,\"pc\":\"3511\"}\n{\"jaar\":1981,\"pc\":\"3511\"}\n",
    );
    let r = json(&risk(
        d,
        &["events.ndjson", "--quasi", "jaar,pc", "--format", "json"],
    ));
    assert_eq!(r["records"], 4, "{r:#}");
    assert_eq!(
        r["classes"], 3,
        "(1980, -), (1980, 3511), (1981, 3511): {r:#}"
    );
}

#[test]
fn a_bare_column_in_several_tables_must_be_named_with_its_table() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "hr.sql",
        "CREATE TABLE klant (id integer, postcode text);\n\
         CREATE TABLE medewerker (id integer, postcode text);\n\
         INSERT INTO klant VALUES (1, '3511');\n\
         INSERT INTO medewerker VALUES (1, '9000'), (2, '9000');\n",
    );
    let o = risk(d, &["hr.sql", "--quasi", "postcode"]);
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    assert!(
        stderr(&o).contains("klant, medewerker") && stderr(&o).contains("table.column"),
        "{}",
        stderr(&o)
    );
    let r = json(&risk(
        d,
        &[
            "hr.sql",
            "--quasi",
            "medewerker.postcode",
            "--format",
            "json",
        ],
    ));
    assert_eq!((r["records"].as_u64(), r["k"].as_u64()), (Some(2), Some(2)));
}

#[test]
fn an_empty_table_meets_no_gate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "leeg.csv", "postcode4,jaar\n");
    for gate in [["--min-k", "5"], ["--max-risk", "0.2"], ["--min-l", "2"]] {
        let mut args = vec!["leeg.csv", "--quasi", "postcode4"];
        if gate[0] == "--min-l" {
            args.extend(["--sensitive", "jaar"]);
        }
        args.extend(gate);
        let o = risk(d, &args);
        assert_eq!(code(&o), 1, "{gate:?}: {}", stdout(&o));
        assert!(
            stdout(&o).contains("no records"),
            "{gate:?}: {}",
            stdout(&o)
        );
    }
    let o = risk(d, &["leeg.csv", "--quasi", "postcode4"]);
    assert_eq!(code(&o), 0, "no gate, nothing to fail: {}", stdout(&o));
}

#[test]
fn a_person_alone_in_a_class_with_two_values_has_l_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // c is alone in visiting only 3511 and has two diagnoses: both are known to anyone who
    // knows c went there. a and b share their class and each has one, different, diagnosis.
    write(
        d,
        "visits.csv",
        "klant,postcode4,diagnose\na,3511,griep\na,3512,griep\nb,3511,burn-out\nb,3512,burn-out\nc,3511,griep\nc,3511,astma\n",
    );
    let r = json(&risk(
        d,
        &[
            "visits.csv",
            "--quasi",
            "postcode4",
            "--entity",
            "klant",
            "--sensitive",
            "diagnose",
            "--format",
            "json",
        ],
    ));
    assert_eq!(r["l"], 1, "{r:#}");
}
