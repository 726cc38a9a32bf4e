//! The anonymiser keeps a file as it was outside what changes: a CSV's UTF-8 byte order mark,
//! NDJSON lines byte for byte where nothing changes and their key order, spacing and escapes
//! where something does, and column types when a CSV becomes Parquet.

use crate::common::{anonymise, code, stderr, stdout, write};
use std::path::Path;

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn bytes(d: &Path, name: &str) -> Vec<u8> {
    std::fs::read(d.join(name)).expect("read output")
}

#[test]
fn a_csv_keeps_its_byte_order_mark() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let body =
        "klantnummer;email;plaats\r\n1;jan@voorbeeld.nl;Utrecht\r\n2;piet@voorbeeld.nl;Gent\r\n";
    let mut with_bom = BOM.to_vec();
    with_bom.extend_from_slice(body.as_bytes());
    std::fs::write(d.join("bom.csv"), &with_bom).expect("write");
    write(d, "plain.csv", body);
    write(
        d,
        "p.toml",
        "on_unlisted = \"keep\"\n[[column]]\nname = \"email\"\nmethod = \"hmac\"\n",
    );
    for (input, output, to) in [
        ("bom.csv", "bom.out.csv", None),
        ("bom.csv", "bom.out.tsv", Some("tsv")),
        ("plain.csv", "plain.out.csv", None),
        ("bom.csv", "bom.out.ndjson", Some("ndjson")),
    ] {
        let mut args = vec![input, "--policy", "p.toml", "--out", output];
        if let Some(t) = to {
            args.extend(["--to", t]);
        }
        let o = anonymise(d, &args);
        assert_eq!(code(&o), 0, "{input}: {}{}", stdout(&o), stderr(&o));
        let out = bytes(d, output);
        let text = String::from_utf8_lossy(&out);
        assert!(!text.contains("jan@voorbeeld.nl"), "{text}");
        let keeps = input == "bom.csv" && !output.ends_with(".ndjson");
        assert_eq!(out.starts_with(BOM), keeps, "{output}: {text:?}");
        // Once, not twice, and the header after it as it was.
        let rest = out.strip_prefix(BOM).unwrap_or(&out);
        assert!(!rest.starts_with(BOM));
        if to.is_none() {
            assert!(
                rest.starts_with(b"klantnummer;email;plaats\r\n"),
                "{text:?}"
            );
        }
    }
    // A UTF-16 CSV with a byte order mark is written as UTF-8 with one.
    let mut utf16 = vec![0xFF, 0xFE];
    for u in body.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    std::fs::write(d.join("wide.csv"), &utf16).expect("write");
    let o = anonymise(
        d,
        &["wide.csv", "--policy", "p.toml", "--out", "wide.out.csv"],
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let out = bytes(d, "wide.out.csv");
    assert!(out.starts_with(BOM), "{out:?}");
    assert!(out[3..].starts_with(b"klantnummer;email;plaats"), "{out:?}");
}

#[test]
fn a_log_and_a_dump_keep_their_byte_order_mark_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let mut log = BOM.to_vec();
    log.extend_from_slice(b"2024-05-01 login 81.204.12.34 ok\n2024-05-01 logout\n");
    std::fs::write(d.join("a.log"), &log).expect("write");
    write(
        d,
        "p.toml",
        "[[text]]\nrule = \"ipv4\"\nmethod = \"ip_truncate\"\n",
    );
    let o = anonymise(d, &["a.log", "--policy", "p.toml", "--out", "a.out.log"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let out = bytes(d, "a.out.log");
    assert!(out.starts_with(BOM), "{out:?}");
    assert_eq!(
        &out[3..],
        b"2024-05-01 login 81.204.12.0 ok\n2024-05-01 logout\n"
    );
    // A dump the policy does not change comes out byte for byte, its mark included.
    let mut dump = BOM.to_vec();
    dump.extend_from_slice(
        b"-- PostgreSQL database dump\nCREATE TABLE t (id integer, n text);\nCOPY public.t (id, n) FROM stdin;\n1\tx\n\\.\n",
    );
    std::fs::write(d.join("d.sql"), &dump).expect("write");
    write(d, "keep.toml", "on_unlisted = \"keep\"\n");
    let o = anonymise(d, &["d.sql", "--policy", "keep.toml", "--out", "d.out.sql"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert_eq!(bytes(d, "d.out.sql"), dump);
}

#[test]
fn ndjson_lines_keep_their_bytes_order_and_spacing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let lines = [
        // Spaces after separators, a nested object, a number form serde would change.
        "{\"id\": 1, \"email\": \"jan@voorbeeld.nl\", \"naam\": \"Jan\", \"meta\": {\"ip\": \"81.204.12.34\", \"z\": 1.50}}\n",
        // Nothing to change: copied byte for byte, odd spacing and escapes included.
        "{ \"id\" :2 ,\"note\":\"caf\\u00e9 \\/ ok\", \"n\": 1e3 }\n",
        // Keys out of alphabetical order, a tab, an escape beside the changed value, CRLF.
        "{\"z_last\": true,\t\"email\" : \"piet@voorbeeld.nl\" , \"a\": \"caf\\u00e9\"}\r\n",
        // A dropped first and a dropped last member.
        "{\"naam\": \"Kees\", \"id\": 4}\n",
        "{\"id\": 5, \"naam\": \"Anna\"}\n",
        "\n",
        // An address that comes out as it went in keeps its bytes.
        "{\"id\": 6, \"meta\": {\"ip\": \"10.0.0.0\"}}",
    ];
    write(d, "events.ndjson", &lines.concat());
    write(
        d,
        "p.toml",
        "on_unlisted = \"keep\"\n\
         [[column]]\nname = \"email\"\nmethod = \"hmac\"\nformat = \"base32\"\nlength = 16\n\
         [[column]]\nname = \"naam\"\nmethod = \"drop\"\n\
         [[column]]\nname = \"meta.ip\"\nmethod = \"ip_truncate\"\n",
    );
    let o = anonymise(
        d,
        &["events.ndjson", "--policy", "p.toml", "--out", "out.ndjson"],
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let out = String::from_utf8(bytes(d, "out.ndjson")).expect("utf-8");
    let got: Vec<&str> = out.split_inclusive('\n').collect();
    assert_eq!(got.len(), lines.len(), "{out}");
    let token = |line: &str| -> String {
        let v: serde_json::Value = serde_json::from_str(line.trim()).expect("json");
        v["email"].as_str().expect("token").to_string()
    };
    let t1 = token(got[0]);
    assert_eq!(t1.len(), 16);
    assert_eq!(
        got[0],
        format!("{{\"id\": 1, \"email\": \"{t1}\", \"meta\": {{\"ip\": \"81.204.12.0\", \"z\": 1.50}}}}\n")
    );
    assert_eq!(
        got[1], lines[1],
        "an unchanged line is byte for byte the same"
    );
    let t3 = token(got[2]);
    assert_eq!(
        got[2],
        format!("{{\"z_last\": true,\t\"email\" : \"{t3}\" , \"a\": \"caf\\u00e9\"}}\r\n")
    );
    assert_eq!(got[3], "{\"id\": 4}\n");
    assert_eq!(got[4], "{\"id\": 5}\n");
    assert_eq!(got[5], "\n");
    assert_eq!(got[6], lines[6]);
}

#[cfg(feature = "parquet")]
#[test]
fn csv_to_parquet_infers_and_keeps_column_types() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let mut csv = String::from("id,email,bedrag,actief,geboren,gezien,postcode,score,code\n");
    for i in 0..30 {
        csv.push_str(&format!(
            "{i},p{i}@voorbeeld.nl,{}.{:02},{},19{:02}-0{}-1{},2024-05-0{} 12:3{}:00,{}AB,{},{:03}\n",
            i * 3,
            i,
            if i % 2 == 0 { "true" } else { "false" },
            50 + i,
            1 + i % 9,
            i % 10,
            1 + i % 9,
            i % 10,
            1000 + i,
            // A column with an empty cell: NULL, still an integer.
            if i == 7 { String::new() } else { format!("{i}") },
            i
        ));
    }
    write(d, "k.csv", &csv);
    write(
        d,
        "p.toml",
        "on_unlisted = \"keep\"\n\
         [[column]]\nname = \"email\"\nmethod = \"hmac\"\n\
         [[column]]\nname = \"id\"\nmethod = \"hmac\"\n\
         [[column]]\nname = \"postcode\"\nmethod = \"generalise\"\nto = \"postcode4\"\n",
    );
    let o = anonymise(
        d,
        &[
            "k.csv",
            "--policy",
            "p.toml",
            "--out",
            "k.parquet",
            "--to",
            "parquet",
        ],
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let df = ParquetReader::new(std::fs::File::open(d.join("k.parquet")).expect("open"))
        .finish()
        .expect("parquet");
    let dtype = |c: &str| df.column(c).expect(c).dtype().clone();
    assert_eq!(dtype("bedrag"), DataType::Float64);
    assert_eq!(dtype("actief"), DataType::Boolean);
    assert_eq!(dtype("geboren"), DataType::Date);
    assert!(
        matches!(dtype("gezien"), DataType::Datetime(_, _)),
        "{:?}",
        dtype("gezien")
    );
    assert_eq!(dtype("score"), DataType::Int64);
    assert_eq!(df.column("score").expect("score").null_count(), 1);
    // Transformed columns are text: an hmac of an integer id is a token.
    assert_eq!(dtype("id"), DataType::String);
    assert_eq!(dtype("email"), DataType::String);
    assert_eq!(
        dtype("postcode"),
        DataType::String,
        "1000AB generalised to 1000 stays text"
    );
    // Leading zeros are data: `007` stays text, not 7.
    assert_eq!(dtype("code"), DataType::String);
    assert_eq!(df.height(), 30);
    let bedrag = df.column("bedrag").expect("b").f64().expect("f64").get(2);
    assert_eq!(bedrag, Some(6.02));
}
