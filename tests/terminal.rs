//! The default terminal output stays readable: the first findings of each table column and
//! of each rule in a text file, then how many more; `--all` prints every one.

use crate::common::{run, stdout};
use std::fmt::Write as _;

#[test]
fn a_column_shows_its_first_findings_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("id,email\n");
    for i in 1..=50 {
        writeln!(csv, "{i},klant{i}@telenet.be").unwrap();
    }
    std::fs::write(dir.path().join("klanten.csv"), csv).unwrap();
    let mut log = String::new();
    for i in 1..=30 {
        writeln!(log, "GET / from 84.241.12.{i}").unwrap();
    }
    std::fs::write(dir.path().join("access.log"), log).unwrap();

    let out = stdout(&run(dir.path(), &["scan", "."]));
    let cells = out.matches("klanten.email[").count();
    assert_eq!(cells, 3, "{out}");
    assert!(
        out.contains("… 47 more finding(s) not printed: klanten.email 47 (--all prints every one)"),
        "{out}"
    );
    let lines = out
        .lines()
        .filter(|l| {
            l.trim_start().starts_with(|c: char| c.is_ascii_digit()) && l.contains(" ipv4 ")
        })
        .count();
    assert_eq!(lines, 20, "{out}");
    assert!(
        out.contains("… 10 more finding(s) not printed: ipv4 in the text 10"),
        "{out}"
    );
    // The summary still counts every finding.
    assert!(out.contains("80 findings"), "{out}");

    let all = stdout(&run(dir.path(), &["scan", ".", "--all"]));
    assert_eq!(all.matches("klanten.email[").count(), 50, "{all}");
    assert!(!all.contains("not printed"), "{all}");
}

#[test]
fn no_clean_verdict_after_listing_columns_with_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    // Names no rule recognises, in a column whose name says what it holds.
    std::fs::write(
        dir.path().join("personeel.csv"),
        "id,achternaam\n1,Qwxyzk\n2,Zrtvbn\n3,Plmokn\n",
    )
    .unwrap();
    let out = stdout(&run(dir.path(), &["scan", "personeel.csv"]));
    assert!(out.contains("personeel.achternaam"), "{out}");
    assert!(!out.contains("No personal data found"), "{out}");
    assert!(
        out.contains("but 1 column(s) above are judged to hold personal data"),
        "{out}"
    );
}

/// A column name is the file's content: control characters in it (an escape sequence that
/// sets the window title or clears the screen to hide findings) never reach the terminal.
#[test]
fn control_characters_in_names_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.csv"),
        "id,\"em\x1b]0;PWNED\x07ail\x1b[2J\",naam\n1,jan.jansen@gmail.com,Jan\n2,piet.pietersen@hotmail.com,Piet\n",
    )
    .unwrap();
    let o = run(dir.path(), &["scan", "t.csv", "--all"]);
    let out = stdout(&o);
    assert!(out.contains("@"), "the findings are listed: {out}");
    assert!(
        !out.bytes().any(|b| b == 0x1b || b == 0x07),
        "raw control characters in: {out:?}"
    );
}
