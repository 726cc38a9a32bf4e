//! Readers you can trust (issue 11, "Other readers"): a CSV data row never becomes the
//! header, JSON keys that are values are masked, odd files (FIFOs, UTF-16 without a BOM) are
//! handled, every skip is counted by reason in every format, nested Parquet columns are read,
//! and a Parquet file among text files never deadlocks the scan.

use crate::common::{ndjson, run, stderr, stdout};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn write(dir: &Path, name: &str, text: &[u8]) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = run(dir, args);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)))
}

#[test]
fn a_headerless_csv_keeps_its_first_row_as_data() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "export.csv",
        b"Jan Jansen,NL39RABO0300065264,0612345678\nPiet de Vries,NL36INGB0007654321,0687654321\n",
    );
    for format in ["json", "table", "csv", "ndjson", "sarif"] {
        let out = run(dir.path(), &["scan", "export.csv", "--format", format]);
        let text = stdout(&out) + &stderr(&out);
        for value in ["Jan Jansen", "NL39RABO0300065264", "0612345678"] {
            assert!(!text.contains(value), "{format} prints {value}: {text}");
        }
    }
    let found = ndjson(&run(
        dir.path(),
        &["scan", "export.csv", "--format", "ndjson"],
    ));
    let at = |col: &str, row: u64| found.iter().any(|f| f["column"] == col && f["row"] == row);
    assert!(at("col1", 1) && at("col2", 1) && at("col3", 1), "{found:?}");
    assert!(at("col2", 2), "{found:?}");
}

#[test]
fn csv_headers_duplicates_cr_line_ends_and_a_bom() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "k.csv",
        b"\xEF\xBB\xBFnaam;email;email\rJan;jan@voorbeeld.nl;piet@voorbeeld.nl\rKees;kees@voorbeeld.nl;x\r",
    );
    let found = ndjson(&run(dir.path(), &["scan", "k.csv", "--format", "ndjson"]));
    let cols: Vec<(&str, u64)> = found
        .iter()
        .map(|f| (f["column"].as_str().unwrap(), f["row"].as_u64().unwrap()))
        .collect();
    assert!(cols.contains(&("email", 1)), "{cols:?}");
    assert!(cols.contains(&("email_2", 1)), "{cols:?}");
    assert!(cols.contains(&("email", 2)), "{cols:?}");
}

#[test]
fn json_keys_that_are_values_are_found_and_masked() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "contacts.json",
        br#"{"k.devries@bedrijf-x.nl": {"plaats": "Utrecht"}, "marieke@huis-y.be": {"plaats": "Gouda"}}"#,
    );
    for args in [
        &["scan", "contacts.json", "--format", "json"][..],
        &["scan", "contacts.json", "--format", "table"],
        &["scan", "contacts.json", "--format", "csv"],
        &["scan", "contacts.json", "--format", "sarif"],
        &["inventory", "contacts.json", "--format", "json"],
    ] {
        let out = run(dir.path(), args);
        let text = stdout(&out) + &stderr(&out);
        assert!(
            !text.contains("k.devries@bedrijf-x.nl") && !text.contains("marieke@huis-y.be"),
            "{args:?} prints a key: {text}"
        );
    }
    let found = ndjson(&run(
        dir.path(),
        &["scan", "contacts.json", "--format", "ndjson"],
    ));
    let emails = found.iter().filter(|f| f["rule"] == "email").count();
    assert_eq!(emails, 2, "{found:?}");
}

#[test]
fn more_columns_than_the_cap_is_named_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let items: Vec<String> = (0..10_050).map(|i| format!("{{\"k{i}\":1}}")).collect();
    write(
        dir.path(),
        "wide.json",
        format!("[{}]", items.join(",")).as_bytes(),
    );
    let out = run(dir.path(), &["scan", "wide.json", "--sample-rows", "0"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("10000"), "{}", stderr(&out));
}

#[test]
fn utf16_without_a_bom_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Contact: jan@voorbeeld.nl, tel 0612345678\r\n";
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    write(dir.path(), "le.txt", &le);
    write(dir.path(), "be.txt", &be);
    let found = ndjson(&run(dir.path(), &["scan", ".", "--format", "ndjson"]));
    for file in ["le.txt", "be.txt"] {
        assert!(
            found
                .iter()
                .any(|f| f["rule"] == "email" && f["path"].as_str().unwrap().ends_with(file)),
            "{file}: {found:?}"
        );
    }
}

/// Runs piiscan with a deadline: a hang kills the child and fails the test. Its output is
/// drained while it runs (a full pipe must not pass for a hang).
fn run_with_deadline(dir: &Path, args: &[&str], deadline: Duration) -> std::process::Output {
    let mut child = crate::common::piiscan()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let drain = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("piiscan {args:?} did not finish within {deadline:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    std::process::Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

#[test]
fn special_files_are_never_opened() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", b"jan@voorbeeld.nl\n");
    let fifo = dir.path().join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo not available: skipped");
        return;
    }
    let limit = Duration::from_secs(60);
    let out = run_with_deadline(dir.path(), &["scan", ".", "--format", "json"], limit);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("pipe: skipped: a FIFO"),
        "{}",
        stderr(&out)
    );
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["stats"]["skipped_special"], 1);
    assert_eq!(
        d["stats"]["skipped_inputs"][0]["reason"],
        "special file (a FIFO)"
    );
    // Named on the command line: not opened either, and the run says it was not scanned.
    let out = run_with_deadline(dir.path(), &["scan", "pipe"], limit);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is a FIFO"), "{}", stderr(&out));
}

#[test]
fn every_format_counts_skips_by_reason() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", b"jan@voorbeeld.nl\n");
    write(
        dir.path(),
        "blob.bin",
        b"\x00\x01\x02\x03\x00\x00\xff\xfe\x00\x10",
    );
    write(dir.path(), "big.txt", &b"x".repeat(5000));
    let args = |f: &'static str| ["scan", ".", "--max-filesize", "1K", "--format", f];
    let d = json(dir.path(), &args("json"));
    assert_eq!(d["stats"]["skipped_binary"], 1);
    assert_eq!(d["stats"]["skipped_too_large"], 1);
    let reasons: Vec<&str> = d["stats"]["skipped_inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["too large", "binary"]);
    let table = stdout(&run(dir.path(), &args("table")));
    assert!(
        table.contains("2 skipped: 1 too large, 1 binary"),
        "{table}"
    );
    for f in ["ndjson", "csv"] {
        let err = stderr(&run(dir.path(), &args(f)));
        assert!(
            err.contains("2 skipped: 1 too large, 1 binary"),
            "{f}: {err}"
        );
    }
    let sarif = stdout(&run(dir.path(), &args("sarif")));
    assert!(sarif.contains("skipped (binary)"), "{sarif}");
    let github = stdout(&run(dir.path(), &args("github")));
    assert!(
        github.contains("::notice file=blob.bin,title=piiscan: skipped::binary"),
        "{github}"
    );
    let junit = stdout(&run(dir.path(), &args("junit")));
    assert!(junit.contains("<skipped message=\"binary\"/>"), "{junit}");
}

#[cfg(feature = "parquet")]
fn nested_parquet(path: &Path, rows: usize) {
    use polars::prelude::*;
    let emails: Vec<String> = (0..rows)
        .map(|i| format!("klant{i}@voorbeeld.nl"))
        .collect();
    let cities: Vec<&str> = (0..rows).map(|_| "Utrecht").collect();
    let klant = StructChunked::from_series(
        "klant".into(),
        rows,
        [
            Series::new("email".into(), emails),
            Series::new("stad".into(), cities),
        ]
        .iter(),
    )
    .unwrap()
    .into_series();
    let phones: Vec<Series> = (0..rows)
        .map(|_| Series::new("".into(), ["0612345678", "0687654321"]))
        .collect();
    let tel = Series::new("tel".into(), phones);
    let mut df = DataFrame::new(rows, vec![klant.into(), tel.into()]).unwrap();
    ParquetWriter::new(std::fs::File::create(path).unwrap())
        .finish(&mut df)
        .unwrap();
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_nested_columns_read_as_dotted_paths() {
    let dir = tempfile::tempdir().unwrap();
    nested_parquet(&dir.path().join("nested.parquet"), 3);
    let out = run(
        dir.path(),
        &["scan", "nested.parquet", "--format", "ndjson"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let found = ndjson(&out);
    let at = |col: &str, rule: &str| {
        found
            .iter()
            .any(|f| f["column"] == col && f["rule"] == rule)
    };
    assert!(at("klant.email", "email"), "{found:?}");
    assert!(at("tel[]", "phone"), "{found:?}");
    assert!(found
        .iter()
        .any(|f| f["column"] == "klant.email" && f["row"] == 3));
}

/// One Parquet file among text files: the scan used to hang (a rayon worker waiting in
/// polars' pool ran another unit that waited on the ordered output). Many runs at several
/// thread counts, each under a deadline.
#[cfg(feature = "parquet")]
#[test]
fn a_parquet_file_among_text_files_never_deadlocks() {
    let dir = tempfile::tempdir().unwrap();
    nested_parquet(&dir.path().join("b.parquet"), 20_000);
    for i in 0..40 {
        write(
            dir.path(),
            &format!("t{i:02}.txt"),
            format!("mail klant{i}@voorbeeld.nl\n")
                .repeat(200)
                .as_bytes(),
        );
    }
    write(dir.path(), "a.txt", b"jan@voorbeeld.nl\n");
    for threads in ["2", "4", "8"] {
        for _ in 0..4 {
            let out = run_with_deadline(
                dir.path(),
                &["scan", ".", "-j", threads, "--format", "json", "-q"],
                Duration::from_secs(120),
            );
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        }
    }
}
