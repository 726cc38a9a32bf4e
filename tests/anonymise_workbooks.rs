//! Anonymising Excel and OpenDocument workbooks into XLSX: every sheet, the header, cell
//! types kept, `Sheet.column` names, `--suggest-policy`, the output name, and the re-scan of
//! the written XLSX.

use crate::common::{anonymise, code, root, stderr, stdout, write};
use calamine::{open_workbook_auto, Data, Reader, SheetVisible};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::path::Path;

/// A workbook made with rust_xlsxwriter: a customer sheet of typed cells (numbers,
/// booleans, dates, a date and time), a sheet without personal data that starts at B3, a
/// hidden sheet and an empty one.
fn customers_xlsx(path: &Path) {
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("dd-mm-yyyy");
    let stamp = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let ws = wb.add_worksheet();
    ws.set_name("Klanten").expect("name");
    for (c, h) in [
        "Klantnummer",
        "Naam",
        "E-mail",
        "Aantal orders",
        "Actief",
        "Geboortedatum",
        "Aangemaakt",
        "Saldo",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    let people = [
        ("Sanne de Vries", "sanne.devries@voorbeeld.nl", 1985, 3, 12),
        ("Peter Jansen", "p.jansen@webshop.nl", 1979, 7, 1),
        (
            "Fatima el Amrani",
            "fatima.elamrani@voorbeeld.be",
            1992,
            11,
            23,
        ),
    ];
    for (i, (name, email, y, m, d)) in people.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_number(r, 0, 10_231.0 + f64::from(r)).expect("id");
        ws.write_string(r, 1, *name).expect("name");
        ws.write_string(r, 2, *email).expect("email");
        ws.write_number(r, 3, f64::from(r) * 3.0).expect("orders");
        ws.write_boolean(r, 4, i % 2 == 0).expect("bool");
        let born = ExcelDateTime::from_ymd(*y, *m, *d).expect("date");
        ws.write_datetime_with_format(r, 5, &born, &date)
            .expect("born");
        let made = ExcelDateTime::from_ymd(2024, 5, r as u8)
            .expect("date")
            .and_hms(9, 30, 0)
            .expect("time");
        ws.write_datetime_with_format(r, 6, &made, &stamp)
            .expect("made");
        ws.write_number(r, 7, 12.5 * f64::from(r)).expect("saldo");
    }
    let ws = wb.add_worksheet();
    ws.set_name("Orders").expect("name");
    ws.write_string(2, 1, "Order").expect("h");
    ws.write_string(2, 2, "Bedrag").expect("h");
    ws.write_number(3, 1, 5001.0).expect("n");
    ws.write_number(3, 2, 19.95).expect("n");
    ws.write_number(4, 1, 5002.0).expect("n");
    ws.write_number(4, 2, 7.5).expect("n");
    let ws = wb.add_worksheet();
    ws.set_name("Codes").expect("name");
    ws.write_string(0, 0, "Code").expect("h");
    ws.write_string(1, 0, "A-17").expect("v");
    ws.set_hidden(true);
    let ws = wb.add_worksheet();
    ws.set_name("Leeg").expect("name");
    wb.save(path).expect("save");
}

const POLICY: &str = r#"
[[column]]
name = "Klanten.Klantnummer"
method = "hmac"
format = "base32"
length = 16
[[column]]
name = "Klanten.Naam"
method = "redact"
[[column]]
name = "Klanten.E-mail"
method = "hmac"
format = "base32"
length = 16
[[column]]
name = "Klanten.Geboortedatum"
method = "date_shift"
max_days = 30
"#;

fn sheet(path: &Path, name: &str) -> calamine::Range<Data> {
    let mut book = open_workbook_auto(path).expect("open output");
    book.worksheet_range(name).expect("sheet")
}

#[test]
fn every_sheet_is_anonymised_into_xlsx_with_its_cell_types() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    customers_xlsx(&d.join("klanten.xlsx"));
    write(d, "p.toml", POLICY);
    let o = anonymise(
        d,
        &["klanten.xlsx", "--policy", "p.toml", "--out", "uit.xlsx"],
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let report = stdout(&o);
    assert!(
        report.contains("table Klanten: 3 rows in, 3 rows out"),
        "{report}"
    );
    assert!(
        report.contains("table Orders: 2 rows in, 2 rows out"),
        "{report}"
    );
    assert!(report.contains("(workbook)"), "{report}");
    let out = d.join("uit.xlsx");
    let book = open_workbook_auto(&out).expect("open output");
    assert_eq!(
        book.sheet_names(),
        ["Klanten", "Orders", "Codes", "Leeg"],
        "every sheet, in order"
    );
    let hidden: Vec<bool> = book
        .sheets_metadata()
        .iter()
        .map(|s| s.visible != SheetVisible::Visible)
        .collect();
    assert_eq!(
        hidden,
        [false, false, true, false],
        "the hidden sheet stays hidden"
    );
    let input = sheet(&d.join("klanten.xlsx"), "Klanten");
    let k = sheet(&out, "Klanten");
    assert_eq!(k.get_size(), input.get_size());
    assert_eq!(
        k.get((0, 2)),
        Some(&Data::String("E-mail".into())),
        "the header"
    );
    for r in 1..=3 {
        // Pseudonyms are text; no e-mail address is left.
        let Some(Data::String(token)) = k.get((r, 2)) else {
            panic!("e-mail {r}: {:?}", k.get((r, 2)));
        };
        assert_eq!(token.len(), 16, "{token}");
        assert!(!token.contains('@'));
        assert!(
            matches!(k.get((r, 0)), Some(Data::String(_))),
            "an hmac of a number is text"
        );
        assert_eq!(
            k.get((r, 1)),
            Some(&Data::Empty),
            "redacted to an empty cell"
        );
        // Untouched cells keep their type and value.
        assert_eq!(k.get((r, 3)), input.get((r, 3)), "a number stays a number");
        assert!(matches!(k.get((r, 3)), Some(Data::Float(_))));
        assert_eq!(
            k.get((r, 4)),
            input.get((r, 4)),
            "a boolean stays a boolean"
        );
        assert!(matches!(k.get((r, 4)), Some(Data::Bool(_))));
        assert_eq!(k.get((r, 7)), input.get((r, 7)));
        let (Some(Data::DateTime(made)), Some(Data::DateTime(was))) =
            (k.get((r, 6)), input.get((r, 6)))
        else {
            panic!("a date and time stays one: {:?}", k.get((r, 6)));
        };
        assert_eq!(made.to_ymd_hms_milli(), was.to_ymd_hms_milli());
        // A shifted date is still a date, and another one.
        let (Some(Data::DateTime(born)), Some(Data::DateTime(orig))) =
            (k.get((r, 5)), input.get((r, 5)))
        else {
            panic!("a shifted date stays a date: {:?}", k.get((r, 5)));
        };
        assert!(born.is_datetime());
        let moved = (born.as_f64() - orig.as_f64()).abs();
        assert!(moved > 0.0 && moved <= 30.0, "shifted by {moved} days");
    }
    // The sheet without personal data: its cells where they were, as they were.
    let orders = sheet(&out, "Orders");
    assert_eq!(orders.start(), Some((2, 1)), "the sheet still starts at B3");
    assert_eq!(orders.get((1, 1)), Some(&Data::Float(19.95)));
    let codes = sheet(&out, "Codes");
    assert_eq!(codes.get((1, 0)), Some(&Data::String("A-17".into())));
    // Pseudonyms are deterministic: a second run gives the same e-mail tokens.
    let o = anonymise(
        d,
        &["klanten.xlsx", "--policy", "p.toml", "--out", "again.xlsx"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        sheet(&d.join("again.xlsx"), "Klanten").get((1, 2)),
        k.get((1, 2))
    );
}

#[test]
fn an_opendocument_workbook_gives_an_xlsx_and_never_a_misnamed_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir(d.join("in")).expect("mkdir");
    std::fs::copy(
        root().join("fixtures/demo/crm/leden.ods"),
        d.join("in/leden.ods"),
    )
    .expect("copy");
    write(
        d,
        "p.toml",
        "on_unlisted = \"keep\"\n[[column]]\nname = \"Leden.E-mail\"\nmethod = \"hmac\"\n\
         [[column]]\nname = \"Leden.Naam\"\nmethod = \"drop\"\n\
         [[column]]\nname = \"Leden.Telefoon\"\nmethod = \"redact\"\n",
    );
    let o = anonymise(d, &["in", "--policy", "p.toml", "--out", "out"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(
        d.join("out/leden.xlsx").is_file(),
        "an .ods input gives an .xlsx"
    );
    assert!(!d.join("out/leden.ods").exists());
    let leden = sheet(&d.join("out/leden.xlsx"), "Leden");
    let header: Vec<String> = leden
        .rows()
        .next()
        .expect("header")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        header,
        ["Lidnummer", "E-mail", "Telefoon", "Geboortedatum"],
        "Naam dropped"
    );
    assert_eq!(leden.get((1, 0)), Some(&Data::String("501".into())));
    assert!(!leden.get((1, 1)).expect("e-mail").to_string().contains('@'));
    assert_eq!(leden.get((1, 2)), Some(&Data::Empty));
    // One file named as another format: refused before anything is written.
    let o = anonymise(
        d,
        &[
            "in/leden.ods",
            "--policy",
            "p.toml",
            "--out",
            "leden-anon.ods",
        ],
    );
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    assert!(
        stderr(&o).contains("name the output .xlsx"),
        "{}",
        stderr(&o)
    );
    assert!(!d.join("leden-anon.ods").exists());
}

#[test]
fn suggest_policy_reads_a_folder_with_a_workbook() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir(d.join("in")).expect("mkdir");
    customers_xlsx(&d.join("in/klanten.xlsx"));
    write(
        d,
        "in/notes.csv",
        "id,email\n1,jan@voorbeeld.nl\n2,piet@voorbeeld.nl\n3,kees@voorbeeld.nl\n",
    );
    let o = anonymise(d, &["in", "--suggest-policy", "--out", "p.toml"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let policy = std::fs::read_to_string(d.join("p.toml")).expect("policy");
    assert!(policy.contains("name = \"Klanten.E-mail\""), "{policy}");
    assert!(
        policy.contains("name = \"Klanten.Geboortedatum\""),
        "{policy}"
    );
    // The suggestion runs as it is, and the output re-scans clean.
    let o = anonymise(d, &["in", "--policy", "p.toml", "--out", "out"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(d.join("out/klanten.xlsx").is_file());
}

#[test]
fn the_re_scan_reads_the_written_xlsx_and_catches_a_leftover() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Log").expect("name");
    ws.write_string(0, 0, "id").expect("h");
    ws.write_string(0, 1, "ip").expect("h");
    for (r, ip) in ["81.204.12.34", "jan.jansen@voorbeeld.nl", "10.1.2.3"]
        .iter()
        .enumerate()
    {
        ws.write_number(r as u32 + 1, 0, r as f64).expect("id");
        ws.write_string(r as u32 + 1, 1, *ip).expect("ip");
    }
    wb.save(d.join("log.xlsx")).expect("save");
    write(
        d,
        "p.toml",
        "[[column]]\nname = \"id\"\nmethod = \"keep\"\n\
         [[column]]\nname = \"Log.ip\"\nmethod = \"ip_truncate\"\non_invalid = \"keep\"\n",
    );
    let o = anonymise(d, &["log.xlsx", "--policy", "p.toml", "--out", "out.xlsx"]);
    let report = stdout(&o);
    assert_eq!(code(&o), 1, "{report}{}", stderr(&o));
    assert!(
        report.contains("Log.ip still holds user.contact.email (1) — NOT EXPECTED"),
        "{report}"
    );
    assert!(report.contains("not written"), "{report}");
    assert!(
        !d.join("out.xlsx").exists(),
        "an output with a leftover is not kept"
    );
    // Without the unreadable value, the truncated addresses are the kept form: written.
    write(
        d,
        "p.toml",
        "[[column]]\nname = \"id\"\nmethod = \"keep\"\n\
         [[column]]\nname = \"Log.ip\"\nmethod = \"ip_truncate\"\n",
    );
    let o = anonymise(d, &["log.xlsx", "--policy", "p.toml", "--out", "out.xlsx"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let log = sheet(&d.join("out.xlsx"), "Log");
    assert_eq!(log.get((1, 1)), Some(&Data::String("81.204.12.0".into())));
    assert_eq!(log.get((2, 1)), Some(&Data::Empty), "unreadable: redacted");
    assert_eq!(log.get((1, 0)), Some(&Data::Float(0.0)), "kept number");
}
