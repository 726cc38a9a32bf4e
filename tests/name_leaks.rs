//! Personal data in the names of things (issue 12, writers): a workbook sheet called after a
//! person, a SQLite table named after a customer's e-mail address, a column whose name is an
//! IBAN, a SQL dump table with a BSN in its name, a JSON key that is a phone number, a CSV
//! header that is an e-mail address, a file and a folder named after a person. Every output
//! (each scan format, each inventory format with the data map, the register's files and
//! exports, the anonymiser's output names and reports) is searched byte for byte for the
//! planted values: none may be there unless `--show-values` asks for values.

use crate::common::{anonymise, code, piiscan, stderr, stdout, write};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;

const SHEET: &str = "Marloes Verbeek";
const SHEET_IBAN: &str = "NL03RABO0312456789";
const TABLE_EMAIL: &str = "klaas.vaak@voorbeeld-mail.nl";
const COLUMN_IBAN: &str = "NL02ABNA0123456789";
const DUMP_BSN: &str = "240183009";
const KEY_PHONE: &str = "0641234567";
const HEADER_EMAIL: &str = "anna.bakker@voorbeeld-mail.nl";
const FILE_EMAIL: &str = "piet.puk@voorbeeld-mail.nl";

/// Every planted value.
const PLANTED: &[&str] = &[
    SHEET,
    SHEET_IBAN,
    TABLE_EMAIL,
    COLUMN_IBAN,
    DUMP_BSN,
    KEY_PHONE,
    HEADER_EMAIL,
    FILE_EMAIL,
];

/// The first planted value in `bytes`, if any.
fn leaked(bytes: &[u8]) -> Option<&'static str> {
    PLANTED
        .iter()
        .copied()
        .find(|v| bytes.windows(v.len()).any(|w| w == v.as_bytes()))
}

fn run(dir: &Path, args: &[&str]) -> Output {
    piiscan()
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .args(args)
        .output()
        .expect("run piiscan")
}

fn no_leak(o: &Output, case: &str) {
    assert_eq!(leaked(&o.stdout), None, "{case}: stdout: {}", stdout(o));
    assert_eq!(leaked(&o.stderr), None, "{case}: stderr: {}", stderr(o));
}

/// Every file below `dir`, recursively, with its bytes; names included.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let bytes = std::fs::read(&p).expect("read");
                out.push((p, bytes));
            }
        }
    }
    out
}

fn no_leak_in_files(dir: &Path, case: &str) {
    for (p, bytes) in files(dir) {
        let name = p.strip_prefix(dir).unwrap_or(&p).to_string_lossy();
        assert_eq!(leaked(name.as_bytes()), None, "{case}: a file name: {name}");
        assert_eq!(
            leaked(&bytes),
            None,
            "{case}: {name}: {}",
            String::from_utf8_lossy(&bytes)
        );
    }
}

/// A workbook with two sheets named after a person and an IBAN, written as the XLSX format
/// says (inline strings), so the readers see the names as Excel would write them.
fn workbook(path: &Path) {
    let f = std::fs::File::create(path).expect("create");
    let mut z = zip::ZipWriter::new(f);
    let o = zip::write::SimpleFileOptions::default();
    let sheets = [SHEET, SHEET_IBAN];
    let mut put = |name: &str, text: String| {
        z.start_file(name, o).expect("zip entry");
        z.write_all(text.as_bytes()).expect("zip write");
    };
    let overrides: String = (1..=sheets.len())
        .map(|i| format!("<Override PartName=\"/xl/worksheets/sheet{i}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"))
        .collect();
    put("[Content_Types].xml", format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>{overrides}</Types>"));
    put("_rels/.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>".to_string());
    let list: String = sheets
        .iter()
        .enumerate()
        .map(|(i, s)| {
            format!(
                "<sheet name=\"{s}\" sheetId=\"{}\" r:id=\"rId{}\"/>",
                i + 1,
                i + 1
            )
        })
        .collect();
    put("xl/workbook.xml", format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>{list}</sheets></workbook>"));
    let rels: String = (1..=sheets.len())
        .map(|i| format!("<Relationship Id=\"rId{i}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{i}.xml\"/>"))
        .collect();
    put("xl/_rels/workbook.xml.rels", format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{rels}</Relationships>"));
    let cell = |r: &str, t: &str| format!("<c r=\"{r}\" t=\"inlineStr\"><is><t>{t}</t></is></c>");
    for i in 1..=sheets.len() {
        put(
            &format!("xl/worksheets/sheet{i}.xml"),
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\">{}{}</row><row r=\"2\">{}{}</row><row r=\"3\">{}{}</row></sheetData></worksheet>",
                cell("A1", "email"),
                cell("B1", "status"),
                cell("A2", "kees@voorbeeld.nl"),
                cell("B2", "open"),
                cell("A3", "els@voorbeeld.nl"),
                cell("B3", "dicht"),
            ),
        );
    }
    z.finish().expect("zip finish");
}

/// A project whose names hold personal data: every kind of name, in every table reader.
fn project(d: &Path) {
    let data = d.join("data");
    std::fs::create_dir_all(&data).expect("mkdir");
    workbook(&data.join("relaties.xlsx"));
    let db = rusqlite::Connection::open(data.join("crm.db")).expect("sqlite");
    db.execute_batch(&format!(
        "CREATE TABLE \"klant_{TABLE_EMAIL}\" (id INTEGER, email TEXT, \"{COLUMN_IBAN}\" TEXT);
         INSERT INTO \"klant_{TABLE_EMAIL}\" VALUES (1, 'kees@voorbeeld.nl', 'ja'), (2, 'els@voorbeeld.nl', 'nee');"
    ))
    .expect("sqlite schema");
    drop(db);
    write(
        &data,
        "dump.sql",
        &format!(
            "CREATE TABLE `dossier_{DUMP_BSN}` (id int, email varchar(64));\nINSERT INTO `dossier_{DUMP_BSN}` VALUES (1,'kees@voorbeeld.nl'),(2,'els@voorbeeld.nl');\n"
        ),
    );
    write(
        &data,
        "contacts.json",
        &format!("[{{\"{KEY_PHONE}\": \"ja\", \"status\": \"open\"}}, {{\"{KEY_PHONE}\": \"nee\", \"status\": \"dicht\"}}]\n"),
    );
    write(
        &data,
        "leden.csv",
        &format!("id,{HEADER_EMAIL},status\n1,ja,open\n2,nee,dicht\n"),
    );
    write(
        &data,
        &format!("export_{FILE_EMAIL}.csv"),
        "email,status\nkees@voorbeeld.nl,open\nels@voorbeeld.nl,dicht\n",
    );
}

#[test]
fn names_holding_personal_data_are_findings_located_on_the_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    project(d);
    let o = run(d, &["scan", "data", "--format", "ndjson"]);
    // NDJSON keeps the true path (tools find the file by it); nothing else of a name.
    let out = stdout(&o).replace(&format!("export_{FILE_EMAIL}.csv"), "export.csv");
    assert_eq!(leaked(out.as_bytes()), None, "{out}");
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let at = |kind: &str, path: &str, rule: &str| {
        lines.iter().any(|v| {
            v["location"] == kind
                && v["path"].as_str().is_some_and(|p| p.ends_with(path))
                && v["rule"] == rule
        })
    };
    assert!(at("table_name", "crm.db", "email"), "{lines:?}");
    assert!(at("column_name", "crm.db", "iban"), "{lines:?}");
    assert!(at("table_name", "dump.sql", "nl.bsn"), "{lines:?}");
    assert!(
        at("table_name", "relaties.xlsx", "person_name"),
        "{lines:?}"
    );
    assert!(at("table_name", "relaties.xlsx", "iban"), "{lines:?}");
    assert!(at("column_name", "contacts.json", "phone"), "{lines:?}");
    assert!(at("path", ".csv", "email"), "{lines:?}");
    // The offsets point into the name as read: with --show-values it is shown in full.
    let shown = run(d, &["scan", "data", "--format", "ndjson", "--show-values"]);
    let lines: Vec<serde_json::Value> = stdout(&shown)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let table = lines
        .iter()
        .find(|v| v["location"] == "table_name" && v["rule"] == "nl.bsn")
        .expect("the dump's table name");
    let name = table["table"].as_str().expect("table");
    assert_eq!(name, format!("dossier_{DUMP_BSN}"));
    let (s, e) = (
        table["byte_start"].as_u64().expect("start") as usize,
        table["byte_end"].as_u64().expect("end") as usize,
    );
    assert_eq!(&name[s..e], DUMP_BSN);
}

#[test]
fn no_scan_format_prints_a_name_holding_personal_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    project(d);
    // The file named after a person is the one name tool formats keep (they find the file by
    // it, see tests/path_names.rs): left out here, and checked in the human format.
    let tools = tempfile::tempdir().expect("tempdir");
    project(tools.path());
    std::fs::remove_file(tools.path().join(format!("data/export_{FILE_EMAIL}.csv"))).expect("rm");
    for format in ["table", "json", "ndjson", "csv", "sarif", "github", "junit"] {
        let root = if format == "table" { d } else { tools.path() };
        for extra in [&[][..], &["--sample-rows", "1"], &["--explain"]] {
            let mut args = vec!["scan", "data", "--format", format];
            args.extend_from_slice(extra);
            let o = run(root, &args);
            assert!(code(&o) <= 1, "{format}: {}{}", stdout(&o), stderr(&o));
            no_leak(&o, &format!("scan --format {format} {extra:?}"));
        }
    }
    // Asked for: the names in full.
    let o = run(d, &["scan", "data", "--show-values"]);
    for v in [TABLE_EMAIL, SHEET, COLUMN_IBAN, DUMP_BSN, KEY_PHONE] {
        assert!(stdout(&o).contains(v), "{v}: {}", stdout(&o));
    }
}

#[test]
fn no_inventory_format_prints_a_name_holding_personal_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    project(d);
    std::fs::remove_file(d.join(format!("data/export_{FILE_EMAIL}.csv"))).expect("rm");
    for format in ["md", "json", "csv", "html"] {
        let o = run(d, &["inventory", "data", "--format", format]);
        assert_eq!(code(&o), 0, "{format}: {}", stderr(&o));
        no_leak(&o, &format!("inventory --format {format}"));
    }
    let out = tempfile::tempdir().expect("tempdir");
    let map = out.path().join("map.html");
    let o = run(
        d,
        &[
            "inventory",
            "data",
            "--format",
            "html",
            "--out",
            map.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    no_leak(&o, "data map --out");
    no_leak_in_files(out.path(), "data map");
    // The inventory names what it found in the names.
    let md = stdout(&run(d, &["inventory", "data"]));
    assert!(md.contains("(table name)"), "{md}");
    assert!(md.contains("the column's name holds"), "{md}");
}

#[test]
fn the_register_never_records_a_name_holding_personal_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    project(d);
    let o = run(d, &["register", "draft", "data"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    no_leak(&o, "register draft");
    no_leak_in_files(&d.join("register"), "register draft");
    // An update finds the same locations again (no location gone, none new) and writes none of
    // the names either.
    let o = run(d, &["register", "update", "data"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    no_leak(&o, "register update");
    assert!(
        stderr(&o).contains("0 new") && stderr(&o).contains("0 locations no longer found"),
        "{}",
        stderr(&o)
    );
    no_leak_in_files(&d.join("register"), "register update");
    let o = run(d, &["register", "check"]);
    no_leak(&o, "register check");
    let exports = tempfile::tempdir().expect("tempdir");
    for format in ["md", "csv", "html", "json"] {
        let o = run(d, &["register", "export", "--format", format]);
        assert_eq!(code(&o), 0, "{format}: {}", stderr(&o));
        no_leak(&o, &format!("register export --format {format}"));
        let file = exports.path().join(format!("register.{format}"));
        let o = run(
            d,
            &[
                "register",
                "export",
                "--format",
                format,
                "--out",
                file.to_str().expect("utf-8"),
            ],
        );
        assert_eq!(code(&o), 0, "{format}: {}", stderr(&o));
        no_leak(&o, &format!("register export --out {format}"));
    }
    no_leak_in_files(exports.path(), "register exports");
}

#[test]
fn anonymised_outputs_carry_no_personal_data_from_input_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        &format!("in/export_{FILE_EMAIL}.csv"),
        "id,email\n1,kees@voorbeeld.nl\n2,els@voorbeeld.nl\n",
    );
    write(
        d,
        &format!("in/dossier_{DUMP_BSN}/{SHEET}.csv"),
        "id,email\n1,kees@voorbeeld.nl\n",
    );
    let policy = "on_unlisted = \"fail\"\n[[column]]\nname = \"email\"\nmethod = \"redact\"\n[[column]]\nname = \"id\"\nmethod = \"keep\"\n";
    write(d, "policy.toml", policy);
    let mut names = Vec::new();
    for (round, format) in [(1, "text"), (2, "json")] {
        let mut args = vec![
            "in",
            "--policy",
            "policy.toml",
            "--out",
            "out",
            "--format",
            format,
        ];
        if round > 1 {
            args.push("--force");
        }
        let o = anonymise(d, &args);
        assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
        no_leak(&o, &format!("anonymise --format {format}"));
        no_leak_in_files(&d.join("out"), "anonymise outputs");
        let mut got: Vec<PathBuf> = files(&d.join("out")).into_iter().map(|(p, _)| p).collect();
        got.sort();
        names.push(got);
    }
    // Two outputs, and the same names on every run with the same key.
    assert_eq!(names[0].len(), 2, "{:?}", names[0]);
    assert_eq!(names[0], names[1]);
    // Without a master key the rule id stands for the value; still nothing of it passes.
    let o = piiscan()
        .current_dir(d)
        .env_remove("PIISCAN_KEY")
        .args([
            "anonymise",
            "in",
            "--policy",
            "policy.toml",
            "--out",
            "plain",
        ])
        .output()
        .expect("run");
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    no_leak(&o, "anonymise without a key");
    no_leak_in_files(&d.join("plain"), "anonymise outputs without a key");
    // Two inputs that then share an output name are refused, and the message names neither.
    write(
        d,
        "in/export_jan@voorbeeld-mail.nl.csv",
        "id,email\n1,a@b.nl\n",
    );
    let o = piiscan()
        .current_dir(d)
        .env_remove("PIISCAN_KEY")
        .args([
            "anonymise",
            "in",
            "--policy",
            "policy.toml",
            "--out",
            "clash",
        ])
        .output()
        .expect("run");
    assert_eq!(code(&o), 2, "{}{}", stdout(&o), stderr(&o));
    no_leak(&o, "anonymise conflict");
    assert!(
        !stderr(&o).contains("jan@voorbeeld-mail.nl"),
        "{}",
        stderr(&o)
    );
    assert!(!d.join("clash").join("export_email.csv").exists());
}

#[test]
fn a_suggested_policy_names_no_personal_data_and_still_matches_its_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir_all(d.join("in")).expect("mkdir");
    let db = rusqlite::Connection::open(d.join("in/crm.db")).expect("sqlite");
    db.execute_batch(&format!(
        "CREATE TABLE \"klant_{TABLE_EMAIL}\" (id INTEGER, email TEXT, \"{COLUMN_IBAN}\" TEXT);
         INSERT INTO \"klant_{TABLE_EMAIL}\" VALUES (1, 'kees@voorbeeld.nl', 'NL20INGB0001234567'),
             (2, 'els@voorbeeld.nl', 'NL91ABNA0417164300');"
    ))
    .expect("sqlite schema");
    drop(db);
    write(
        d,
        &format!("in/export_{FILE_EMAIL}.csv"),
        "id,email\n1,kees@voorbeeld.nl\n2,els@voorbeeld.nl\n",
    );
    let o = anonymise(d, &["in", "--suggest-policy"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    no_leak(&o, "--suggest-policy");
    let policy = stdout(&o);
    let o = anonymise(d, &["in", "--suggest-policy", "--out", "policy.toml"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    no_leak(&o, "--suggest-policy --out");
    assert_eq!(
        std::fs::read_to_string(d.join("policy.toml")).expect("policy"),
        policy
    );
    // Its masked names are globs that match the names they mask: the run covers every column
    // (the policy fails closed on any it does not name) and rewrites them.
    let o = anonymise(d, &["in", "--policy", "policy.toml", "--out", "out"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    no_leak(&o, "anonymise with the suggested policy");
    let out = rusqlite::Connection::open(d.join("out/crm.db")).expect("sqlite");
    let ibans: Vec<String> = out
        .prepare(&format!(
            "SELECT \"{COLUMN_IBAN}\" FROM \"klant_{TABLE_EMAIL}\""
        ))
        .expect("select")
        .query_map([], |r| r.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert!(
        !ibans
            .iter()
            .any(|v| v.contains("INGB") || v.contains("ABNA")),
        "{ibans:?}"
    );
}
