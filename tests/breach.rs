//! `piiscan breach` on a leaked set with known counts: people as a minimum and a maximum,
//! the form's kinds, countries, children, special categories, the deadline, both languages,
//! and no value of the leak in any output.

use crate::common::{code, piiscan, stderr, stdout, write};
use std::path::Path;

fn breach(dir: &Path, args: &[&str]) -> std::process::Output {
    piiscan()
        .current_dir(dir)
        .arg("breach")
        .args(args)
        .output()
        .expect("run piiscan")
}

/// A leaked customer table: 6 rows, 5 distinct e-mail addresses (one customer twice), IBANs of
/// two countries, one Belgian phone number, a child's date of birth, a health note; and a
/// support log of two lines naming one more address.
fn leak(d: &Path) {
    write(
        d,
        "leak/klanten.csv",
        "klantnummer,email,iban,telefoon,geboortedatum,notitie\n\
         1,anna.jansen@example.nl,NL91ABNA0417164300,+32 470 12 34 56,1985-04-12,\n\
         2,bram.peeters@example.be,BE68539007547034,,1990-11-02,\n\
         3,chris.devries@example.nl,NL20INGB0001234567,,2014-06-01,\n\
         4,dirk.maes@example.be,,,1970-01-30,\n\
         5,eva.smit@example.nl,,,1962-08-15,\n\
         5,eva.smit@example.nl,,,1962-08-15,\n",
    );
    write(
        d,
        "leak/support.log",
        "2026-11-30 10:00 ticket 17 from frits.bakker@example.nl\n2026-11-30 10:05 ticket 17 closed\n",
    );
}

const PLANTED: &[&str] = &[
    "anna.jansen@example.nl",
    "NL91ABNA0417164300",
    "470 12 34 56",
    "2014-06-01",
    "frits.bakker@example.nl",
];

#[test]
fn a_leak_is_sized_with_minimum_and_maximum() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    leak(d);
    let o = breach(
        d,
        &[
            "leak",
            "--format",
            "json",
            "--discovered",
            "2026-12-01 09:30",
            "-q",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let a: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(
        a["people_min"], 6,
        "5 distinct addresses in the table, 1 in the log"
    );
    assert_eq!(a["people_max"], 7, "6 rows and 1 log line hold an address");
    assert_eq!(a["records"], 7);
    assert_eq!(a["deadline"], "2026-12-04 09:30");
    assert_eq!(a["children"], 1, "born 2014: 12 at discovery");
    assert_eq!(a["countries"]["NL"], 2, "two Dutch IBANs");
    assert_eq!(
        a["countries"]["BE"], 2,
        "a Belgian IBAN and a +32 phone number"
    );
    let kinds: Vec<&str> = a["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .filter_map(|k| k["kind"].as_str())
        .collect();
    for k in ["contact", "financial", "birth_date"] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
    assert_eq!(a["severity"]["dpc"], 3);
    assert!(a["method"]["minimum"]
        .as_str()
        .unwrap_or("")
        .contains("email"));
    for v in PLANTED {
        assert!(!stdout(&o).contains(v), "{v} in the JSON");
        assert!(!stderr(&o).contains(v), "{v} on stderr");
    }
}

#[test]
fn the_report_is_written_in_dutch_and_english_and_as_a_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    leak(d);
    let nl = stdout(&breach(d, &["leak", "--discovered", "2026-12-01", "-q"]));
    assert!(
        nl.contains("Aantal betrokkenen (minimum – maximum): **6 – 7**"),
        "{nl}"
    );
    assert!(
        nl.contains("Uiterste meldtermijn: **2026-12-04 00:00**"),
        "{nl}"
    );
    assert!(nl.contains("Wat is er gebeurd?"), "blanks for people: {nl}");
    let en = stdout(&breach(d, &["leak", "--lang", "en", "-q"]));
    assert!(
        en.contains("Number of people (minimum – maximum): **6 – 7**"),
        "{en}"
    );
    assert!(en.contains("pass --discovered"), "{en}");
    let o = breach(
        d,
        &["leak", "--format", "html", "--out", "report.html", "-q"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let page = std::fs::read_to_string(d.join("report.html")).expect("page");
    assert!(page.contains("@page { size: A4"), "printable");
    assert!(
        page.contains("<td>Contactgegevens (e-mail, telefoon)</td>"),
        "{page}"
    );
    for text in [&nl, &en, &page] {
        for v in PLANTED {
            assert!(!text.contains(v), "{v} in a report");
        }
    }
}

#[test]
fn special_categories_and_what_was_not_read_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "verzuim.csv",
        "naam,reden\nAnna Jansen,burn-out na overspannenheid\nBram Peeters,zwangerschapsverlof\n",
    );
    std::fs::write(d.join("scan.bin"), [0u8, 159, 146, 150, 0, 1, 2, 3]).expect("binary");
    let o = breach(d, &[".", "--format", "json", "-q"]);
    assert_eq!(
        code(&o),
        2,
        "a file not read makes the numbers a lower bound"
    );
    let a: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(a["special_categories"][0], "user.health_and_medical");
    assert_eq!(
        a["severity"]["dpc"], 4,
        "art. 9 data: ENISA's sensitive context"
    );
    assert_eq!(
        a["people_min"], 2,
        "names are counted when nothing else identifies"
    );
    let not_read = a["not_read"].to_string();
    assert!(not_read.contains("scan.bin"), "{not_read}");
    let md = stdout(&breach(d, &["."]));
    assert!(md.contains("niet alles kon worden gelezen"), "{md}");
}

#[test]
fn the_output_never_replaces_an_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    leak(d);
    let before = std::fs::read(d.join("leak/klanten.csv")).expect("read");
    let o = breach(d, &["leak", "--out", "leak/klanten.csv", "-q"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("one of the inputs"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(d.join("leak/klanten.csv")).expect("read"),
        before
    );
    let o = breach(d, &["leak", "--discovered", "gisteren"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("YYYY-MM-DD HH:MM"), "{}", stderr(&o));
}

#[test]
fn what_the_walk_left_out_is_named_and_names_are_masked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    leak(d);
    // A hidden folder of the leak, and an unreadable table named after a person.
    write(
        d,
        "leak/.old/klanten-2019.csv",
        "email\ngert.mol@example.nl\n",
    );
    write(
        d,
        "leak/jan.devries@example.nl.sqlite",
        "SQLite format 3\0 this is no database",
    );
    let o = breach(d, &["leak", "--format", "json", "-q"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let a: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let not_read = a["not_read"].to_string();
    assert!(
        not_read.contains(".old") && not_read.contains("hidden"),
        "{not_read}"
    );
    let all = format!("{}{}", stdout(&o), stderr(&o));
    assert!(!all.contains("jan.devries"), "{all}");
    assert!(!all.contains("gert.mol"), "{all}");
    // With --hidden the folder is read and counted.
    std::fs::remove_file(d.join("leak/jan.devries@example.nl.sqlite")).expect("rm");
    let o = breach(d, &["leak", "--format", "json", "--hidden", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let a: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(a["people_min"], 7, "{a:#}");
}

#[test]
fn the_html_report_prints_on_a4_in_chromium() {
    let Some(chromium) = crate::common::chromium("breach HTML-to-PDF test") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    leak(d);
    for (lang, wants) in [
        ("nl", ["Beoordeling datalek", "Contactgegevens", "72"]),
        ("en", ["Data breach assessment", "Contact data", "72"]),
    ] {
        let html = d.join(format!("breach-{lang}.html"));
        let o = breach(
            d,
            &[
                "leak",
                "--format",
                "html",
                "--lang",
                lang,
                "--discovered",
                "2026-12-01 09:30",
                "--out",
                html.to_str().expect("utf-8"),
                "-q",
            ],
        );
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let (text, pages) = crate::common::print_to_pdf(chromium, &html);
        for want in wants {
            assert!(text.contains(want), "{want} not in the {lang} PDF:\n{text}");
        }
        assert!(pages <= 4, "{pages} pages for a small leak");
        for v in PLANTED {
            assert!(!text.contains(v), "{v} printed");
        }
    }
}
