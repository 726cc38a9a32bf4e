//! Output formats: the finding contract's fields, masking by default, offsets that point at the
//! value, stable keyed fingerprints, and that no format leaks a value without `--show-values`.

use crate::common::{ndjson, piiscan, run, stdout};
use std::fs;

const PLANTED: &[&str] = &[
    "jan.jansen@voorbeeld.nl",
    "111222333",
    "NL91ABNA0417164300",
    "06-12345678",
    "84.241.12.7",
];

fn planted_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("export.txt"),
        "naam;email\nJan;jan.jansen@voorbeeld.nl\nBSN: 111222333\nIBAN NL91ABNA0417164300, tel 06-12345678\nlogin from 84.241.12.7\n",
    )
    .unwrap();
    dir
}

#[test]
fn ndjson_has_the_contract_fields_and_offsets_point_at_the_value() {
    let dir = planted_dir();
    let text = fs::read_to_string(dir.path().join("export.txt")).unwrap();
    let found = ndjson(&run(
        dir.path(),
        &["scan", "export.txt", "--format", "ndjson", "--show-values"],
    ));
    assert_eq!(found.len(), PLANTED.len());
    for f in &found {
        for field in [
            "path",
            "rule",
            "category",
            "confidence",
            "line",
            "byte_start",
            "byte_end",
            "evidence",
            "fingerprint",
        ] {
            assert!(f.get(field).is_some(), "{field} missing in {f}");
        }
        let (s, e) = (
            f["byte_start"].as_u64().unwrap() as usize,
            f["byte_end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&text[s..e], f["evidence"].as_str().unwrap());
        let line = f["line"].as_u64().unwrap() as usize;
        assert_eq!(text[..s].matches('\n').count() + 1, line);
    }
    let rules: Vec<&str> = found.iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(
        rules,
        ["email", "nl.bsn", "iban", "phone", "ipv4"],
        "ordered by offset"
    );
}

#[test]
fn no_format_shows_a_value_unless_asked() {
    let dir = planted_dir();
    for format in ["table", "json", "ndjson", "csv"] {
        let out = run(dir.path(), &["scan", ".", "--format", format, "--explain"]);
        let all = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
        for value in PLANTED {
            assert!(!all.contains(value), "{format} output shows {value}");
        }
        let shown = stdout(&run(
            dir.path(),
            &["scan", ".", "--format", format, "--show-values"],
        ));
        assert!(
            shown.contains("jan.jansen@voorbeeld.nl"),
            "{format} with --show-values"
        );
    }
    let masked = ndjson(&run(dir.path(), &["scan", ".", "--format", "ndjson"]));
    assert_eq!(masked[0]["evidence"], "j***@v********.nl");
}

#[test]
fn fingerprints_are_stable_keyed_and_survive_moving_lines() {
    let dir = planted_dir();
    let fp = |key: &str| -> Vec<String> {
        let out = piiscan()
            .current_dir(dir.path())
            .env("PIISCAN_FINGERPRINT_KEY", key)
            .args(["scan", "export.txt", "--format", "ndjson"])
            .output()
            .unwrap();
        ndjson(&out)
            .iter()
            .map(|f| f["fingerprint"].as_str().unwrap().to_string())
            .collect()
    };
    let a = fp("team-key-of-16-bytes");
    assert_eq!(a, fp("team-key-of-16-bytes"), "stable across runs");
    assert_ne!(a, fp("other-key-of-16-bytes"), "keyed");
    assert!(a.iter().all(|f| f.len() == 32));
    // Moving a line keeps its fingerprint; a new value on the same line changes it.
    let text = fs::read_to_string(dir.path().join("export.txt")).unwrap();
    fs::write(dir.path().join("export.txt"), format!("\n\n{text}")).unwrap();
    assert_eq!(a, fp("team-key-of-16-bytes"));
    fs::write(
        dir.path().join("export.txt"),
        text.replace("111222333", "123456782"),
    )
    .unwrap();
    let changed = fp("team-key-of-16-bytes");
    assert_ne!(a[1], changed[1]);
    assert_eq!(a[0], changed[0]);
}

#[test]
fn json_csv_and_table_carry_the_same_findings() {
    let dir = planted_dir();
    let doc: serde_json::Value = serde_json::from_str(&stdout(&run(
        dir.path(),
        &["scan", ".", "--format", "json"],
    )))
    .unwrap();
    assert_eq!(doc["findings"].as_array().unwrap().len(), PLANTED.len());
    for key in ["files", "bytes", "skipped", "errors", "elapsed", "findings"] {
        assert!(doc["stats"].get(key).is_some(), "stats.{key}");
    }
    assert_eq!(doc["inventory"].as_array().unwrap().len(), PLANTED.len());
    let csv = stdout(&run(dir.path(), &["scan", ".", "--format", "csv"]));
    assert!(csv.starts_with("path,rule,category,confidence,line,byte_start,byte_end,table,column,row,evidence,fingerprint\n"));
    assert_eq!(csv.lines().count(), PLANTED.len() + 1);
    let table = stdout(&run(dir.path(), &["scan", "."]));
    assert!(
        table.contains("Findings by rule:")
            && table.contains(" scanned · ")
            && table.contains("MB/s")
    );
}

#[test]
fn explain_names_pattern_validator_and_context() {
    let dir = planted_dir();
    let found = ndjson(&run(
        dir.path(),
        &["scan", ".", "--format", "ndjson", "--explain"],
    ));
    let bsn = found.iter().find(|f| f["rule"] == "nl.bsn").unwrap();
    assert_eq!(bsn["explanation"]["validator"], "nl_bsn: passed (11-proef)");
    assert_eq!(bsn["explanation"]["context"], "BSN");
    assert_eq!(
        bsn["explanation"]["base_confidence"], "medium",
        "checksum passed; without context it would be capped at low"
    );
    assert_eq!(bsn["confidence"], "high");
}

/// A cell finding carries the line its row starts on, for CSV (a quoted cell spanning lines
/// moves the next row down), NDJSON (blank lines counted) and dump rows (COPY and
/// multi-line INSERTs, large objects on their lo_open line), so SARIF and GitHub annotations point at it.
#[test]
fn cell_findings_carry_the_line_of_their_row() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("klanten.csv"),
        "naam,opmerking,email\nJan,\"twee\nregels\",jan.jansen@voorbeeld.nl\nPiet,,piet@voorbeeld.nl\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("events.ndjson"),
        "{\"email\":\"a.devries@voorbeeld.nl\"}\n\n{\"email\":\"b.bakker@voorbeeld.nl\"}\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("dump.sql"),
        "CREATE TABLE t (id int, email text);\n\nINSERT INTO t (id, email) VALUES\n(1, 'c.smit@voorbeeld.nl'),\n(2, 'd.visser@voorbeeld.nl');\nCOPY public.u (id, email) FROM stdin;\n1\te.mulder@voorbeeld.nl\n\\.\nSELECT pg_catalog.lo_open('16385', 131072);\nSELECT pg_catalog.lowrite(0, '\\x6d61696c3a20662e64656a6f6e6740766f6f726265656c642e6e6c');\nSELECT pg_catalog.lo_close(0);\n",
    )
    .unwrap();
    let found = ndjson(&run(
        dir.path(),
        &["scan", ".", "--format", "ndjson", "--sample-rows", "0"],
    ));
    let lines = |path: &str| -> Vec<(u64, u64)> {
        let mut v: Vec<(u64, u64)> = found
            .iter()
            .filter(|f| f["path"].as_str().unwrap().ends_with(path) && f["rule"] == "email")
            .map(|f| (f["row"].as_u64().unwrap(), f["line"].as_u64().unwrap()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(lines("klanten.csv"), [(1, 2), (2, 4)]);
    assert_eq!(lines("events.ndjson"), [(1, 1), (2, 3)]);
    // A large object is its oid's row, placed on its lo_open line.
    assert_eq!(lines("dump.sql"), [(1, 4), (1, 7), (2, 5), (16385, 9)]);
    let github = crate::common::stdout(&run(
        dir.path(),
        &[
            "scan",
            "klanten.csv",
            "--format",
            "github",
            "--sample-rows",
            "0",
        ],
    ));
    assert!(github.contains("file=klanten.csv,line=4,"), "{github}");
    let sarif: serde_json::Value = serde_json::from_str(&crate::common::stdout(&run(
        dir.path(),
        &[
            "scan",
            "klanten.csv",
            "--format",
            "sarif",
            "--sample-rows",
            "0",
        ],
    )))
    .unwrap();
    let starts: Vec<u64> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "email")
        .map(|r| {
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(starts, [2, 4]);
}
