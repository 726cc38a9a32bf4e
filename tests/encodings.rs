//! Decoding: UTF-16 with a byte order mark, Latin-1 / Windows-1252, CRLF, gzip, and very long
//! lines. Offsets are those of the decoded text.

use crate::common::{ndjson, run};
use std::fs;
use std::io::Write;

fn found(dir: &std::path::Path, file: &str) -> Vec<serde_json::Value> {
    ndjson(&run(
        dir,
        &["scan", file, "--format", "ndjson", "--show-values"],
    ))
}

#[test]
fn utf16_with_bom_is_decoded_and_offsets_are_in_the_decoded_text() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Zoë: mail zoe@voorbeeld.nl\r\ntel 06-12345678\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
    fs::write(dir.path().join("u16.txt"), bytes).unwrap();
    let f = found(dir.path(), "u16.txt");
    // The name a line starts with ("Zoë:", a speaker), the address and the phone number.
    let rules: Vec<&str> = f.iter().map(|h| h["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["person_name", "email", "phone"], "{f:?}");
    for hit in &f {
        let (s, e) = (
            hit["byte_start"].as_u64().unwrap() as usize,
            hit["byte_end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&text[s..e], hit["evidence"].as_str().unwrap());
    }
    assert_eq!(f[2]["line"], 2, "CRLF counts one line");
}

#[test]
fn latin1_is_decoded_to_utf8_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"naam;plaats\n".repeat(2000);
    bytes.extend_from_slice(b"Ren\xe9e;Li\xe8ge;renee@voorbeeld.be\n");
    fs::write(dir.path().join("l1.txt"), &bytes).unwrap();
    let f = found(dir.path(), "l1.txt");
    assert_eq!(f.len(), 1);
    let decoded = format!(
        "{}Renée;Liège;renee@voorbeeld.be\n",
        "naam;plaats\n".repeat(2000)
    );
    let s = f[0]["byte_start"].as_u64().unwrap() as usize;
    assert_eq!(
        &decoded[s..s + "renee@voorbeeld.be".len()],
        "renee@voorbeeld.be"
    );
    let out = run(dir.path(), &["scan", "l1.txt", "-q"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "Latin-1 is a supported encoding, not an error"
    );
}

#[test]
fn gzip_is_decompressed_on_the_fly() {
    let dir = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"regel een\nBSN 111222333\n").unwrap();
    fs::write(dir.path().join("x.log.gz"), gz.finish().unwrap()).unwrap();
    let f = found(dir.path(), "x.log.gz");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["line"], 2);
    assert_eq!(f[0]["byte_start"], 14);
}

#[test]
fn a_long_single_line_is_scanned_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut line = String::from("[");
    for i in 0..150_000 {
        line.push_str(&format!("{{\"id\":{i},\"status\":\"ok\"}},"));
    }
    line.push_str("{\"email\":\"laatste@voorbeeld.nl\"}]");
    fs::write(dir.path().join("one-line.log"), &line).unwrap();
    let f = found(dir.path(), "one-line.log");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["line"], 1);
    assert_eq!(
        f[0]["byte_start"].as_u64().unwrap() as usize,
        line.len() - "\"}]".len() - "laatste@voorbeeld.nl".len()
    );
}

#[test]
fn a_single_line_json_array_is_read_as_a_table_element_by_element() {
    let dir = tempfile::tempdir().unwrap();
    let mut line = String::from("[");
    for i in 0..150_000 {
        line.push_str(&format!("{{\"id\":{i},\"status\":\"ok\"}},"));
    }
    line.push_str("{\"klant\":{\"email\":\"laatste@voorbeeld.nl\"}}]");
    fs::write(dir.path().join("export.json"), &line).unwrap();
    let sampled = found(dir.path(), "export.json");
    assert!(
        sampled.is_empty(),
        "by default only the first 10,000 rows of a table are read"
    );
    let f = ndjson(&run(
        dir.path(),
        &[
            "scan",
            "export.json",
            "--format",
            "ndjson",
            "--sample-rows",
            "0",
        ],
    ));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["table"], "export");
    assert_eq!(f[0]["column"], "klant.email");
    assert_eq!(f[0]["row"], 150_001);
}
