//! pg_dump's custom, directory and tar archives, read without pg_restore: every planted value
//! at its table, column and row; a `-Fd` directory is one dataset; cut archives exit 2 naming
//! the file; `anonymise` refuses archives. The fixtures were made by pg_dump 15, 16 and 17
//! (fixtures/pgarchive/README.md), the text outside the rows (TOC definitions) included; with `PIISCAN_RESTORE_DATABASES=1` fresh archives are made
//! by the server's pg_dump.

use crate::common::{ndjson, piiscan, root, stderr};
use std::path::Path;
use std::process::Command;

/// (table, column, row, rule) of every planted value.
const PLANTED: &[(&str, &str, u64, &str)] = &[
    ("klant", "email", 1, "email"),
    ("klant", "iban", 1, "iban"),
    ("klant", "telefoon", 1, "phone"),
    ("klant", "email", 2, "email"),
    ("klant", "telefoon", 2, "phone"),
    ("klant", "iban", 3, "iban"),
    ("archief.klant", "email", 1, "email"),
    ("archief.klant", "bsn", 1, "nl.bsn"),
    ("archief.klant", "bsn", 2, "nl.bsn"),
    ("klant gegevens", "e-mail adres", 1, "email"),
    // A large object is reported at row = its oid (assigned by the server, from 16384 on).
    ("pg_largeobject", "data", OID, "email"),
];

/// Stands for "the large object's oid" in [`PLANTED`].
const OID: u64 = u64::MAX;

fn scan(path: &Path) -> std::process::Output {
    piiscan()
        .arg("scan")
        .arg(path)
        .args(["--format", "ndjson"])
        .output()
        .expect("run piiscan")
}

fn assert_planted(path: &Path) {
    let o = scan(path);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}: {}",
        path.display(),
        stderr(&o)
    );
    let found = ndjson(&o);
    for &(table, column, row, rule) in PLANTED {
        assert!(
            found.iter().any(|f| f["table"] == table
                && f["column"] == column
                && (f["row"] == row || (row == OID && f["row"].as_u64() >= Some(16384)))
                && f["rule"] == rule
                && f["path"] == path.to_string_lossy().as_ref()),
            "{}: no {rule} at {table}.{column}[{row}]",
            path.display()
        );
    }
    assert!(
        !found
            .iter()
            .any(|f| f["table"] == "klant" && f["column"] == "bsn"),
        "the two klant tables are kept apart"
    );
}

#[test]
fn every_planted_value_in_every_pg_dump_15_format() {
    for name in [
        "custom.dump",
        "custom-z0.dump",
        "custom-inserts.dump",
        "dir",
        "dir-z0",
        "tar.tar",
    ] {
        assert_planted(&root().join("fixtures/pgarchive").join(name));
    }
}

/// The values `schema-text.sql` plants outside the rows, and the line of the archive's
/// definitions (numbered as one script in TOC order) each is reported on.
const PLANTED_TEXT: &[(&str, u64)] = &[
    ("functie@example.nl", 11),
    ("verboden@example.nl", 17),
    ("standaard@example.nl", 21),
    ("commentaar@example.nl", 27),
    ("view@example.nl", 35),
];

#[test]
fn every_planted_value_in_real_pg_dump_16_and_17_archives_rows_and_definitions() {
    for name in [
        "pg16/custom-gzip.dump",
        "pg16/custom-none.dump",
        "pg16/dir-gzip",
        "pg16/tar.tar",
        "pg17/custom-gzip.dump",
        "pg17/custom-lz4.dump",
        "pg17/custom-zstd.dump",
        "pg17/custom-none.dump",
        "pg17/dir-gzip",
        "pg17/dir-lz4",
        "pg17/dir-zstd",
        "pg17/tar.tar",
    ] {
        let path = root().join("fixtures/pgarchive").join(name);
        assert_planted(&path);
        let o = piiscan()
            .arg("scan")
            .arg(&path)
            .args(["--format", "ndjson", "--show-values"])
            .output()
            .expect("run piiscan");
        let found = ndjson(&o);
        for &(value, line) in PLANTED_TEXT {
            assert!(
                found.iter().any(|f| f["evidence"] == value
                    && f["line"] == line
                    && f.get("table").is_none()),
                "{name}: {value} not reported as text on line {line}"
            );
        }
    }
}

#[test]
fn a_directory_archive_is_one_dataset_not_its_gzip_files() {
    let o = piiscan()
        .arg("scan")
        .arg(root().join("fixtures/pgarchive"))
        .args(["--format", "ndjson"])
        .output()
        .expect("run piiscan");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let found = ndjson(&o);
    assert!(found.iter().all(|f| {
        let p = f["path"].as_str().unwrap_or("");
        !p.contains(".dat") && !p.ends_with("toc.dat")
    }));
    assert!(found.iter().any(|f| f["path"]
        .as_str()
        .is_some_and(|p| p.ends_with("pgarchive/dir"))
        && f["table"] == "archief.klant"));
}

#[test]
fn a_cut_archive_exits_2_naming_the_file_with_the_rows_before_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let full = std::fs::read(root().join("fixtures/pgarchive/custom-z0.dump")).expect("fixture");
    // Cut inside the last table's data: the tables before it are still reported.
    let at = full
        .windows(17)
        .rposition(|w| w == b"spatie@example.nl")
        .expect("planted value");
    let cut = dir.path().join("cut.dump");
    std::fs::write(&cut, &full[..at + 5]).expect("write");
    let o = scan(&cut);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("cut.dump") && err.contains("cut or damaged"),
        "{err}"
    );
    assert!(
        !err.contains("spatie@example.nl"),
        "no value in messages: {err}"
    );
    let found = ndjson(&o);
    assert!(found
        .iter()
        .any(|f| f["table"] == "archief.klant" && f["column"] == "bsn"));
}

#[test]
fn a_damaged_directory_archive_names_the_missing_file_and_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = dir.path().join("dump");
    std::fs::create_dir(&archive).expect("mkdir");
    for e in std::fs::read_dir(root().join("fixtures/pgarchive/dir")).expect("fixture") {
        let e = e.expect("entry");
        std::fs::copy(e.path(), archive.join(e.file_name())).expect("copy");
    }
    std::fs::remove_file(archive.join("3352.dat.gz")).expect("remove");
    let o = scan(&archive);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("3352.dat"), "{}", stderr(&o));
    assert!(ndjson(&o)
        .iter()
        .any(|f| f["table"] == "archief.klant" && f["column"] == "email"));
}

#[test]
fn anonymise_refuses_archives_and_points_to_pg_restore() {
    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["custom.dump", "dir", "tar.tar"] {
        let o = piiscan()
            .env("PIISCAN_KEY", "pgarchive-test-key-not-secret-0123456789")
            .arg("anonymise")
            .arg(root().join("fixtures/pgarchive").join(name))
            .arg("--policy")
            .arg(root().join("fixtures/chinook/policy-postgres.toml"))
            .arg("--out")
            .arg(dir.path().join(format!("out-{name}")))
            .output()
            .expect("run piiscan");
        assert_ne!(o.status.code(), Some(0), "{name}");
        let err = stderr(&o);
        assert!(
            err.contains(name) && err.contains("pg_restore -f plain.sql"),
            "{name}: {err}"
        );
        assert!(
            !dir.path().join(format!("out-{name}")).exists(),
            "{name}: nothing written"
        );
    }
}

fn sh(cmd: &mut Command) {
    let out = cmd.output().expect("the database client runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn fresh_archives_from_the_servers_pg_dump() {
    if !crate::common::databases("pg_dump archive test") {
        return;
    }
    let db = "piiscan_pgarchive_test";
    let psql = |args: &[&str]| {
        sh(Command::new("psql")
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d"])
            .args(args));
    };
    psql(&["postgres", "-c", &format!("DROP DATABASE IF EXISTS {db}")]);
    psql(&["postgres", "-c", &format!("CREATE DATABASE {db}")]);
    let schema = root().join("fixtures/pgarchive/schema.sql");
    psql(&[db, "-f", schema.to_str().expect("utf-8")]);
    let dir = tempfile::tempdir().expect("tempdir");
    let version = Command::new("pg_dump")
        .arg("--version")
        .output()
        .expect("pg_dump runs");
    let version = String::from_utf8_lossy(&version.stdout).to_string();
    let major: u32 = version
        .split_whitespace()
        .find_map(|w| w.split('.').next()?.parse().ok())
        .unwrap_or(0);
    let mut forms: Vec<(&str, Vec<&str>)> = vec![
        ("custom.dump", vec!["-Fc"]),
        ("custom-z0.dump", vec!["-Fc", "-Z0"]),
        ("dir", vec!["-Fd"]),
        ("dir-z0", vec!["-Fd", "-Z0"]),
        ("tar.tar", vec!["-Ft"]),
    ];
    if major >= 16 {
        forms.push(("custom-lz4.dump", vec!["-Fc", "-Z", "lz4"]));
        forms.push(("custom-zstd.dump", vec!["-Fc", "-Z", "zstd"]));
        forms.push(("dir-lz4", vec!["-Fd", "-Z", "lz4"]));
        forms.push(("dir-zstd", vec!["-Fd", "-Z", "zstd"]));
    }
    for (name, args) in &forms {
        let out = dir.path().join(name);
        sh(Command::new("pg_dump")
            .args(args)
            .arg("-f")
            .arg(&out)
            .arg(db));
        assert_planted(&out);
    }
    psql(&["postgres", "-c", &format!("DROP DATABASE {db}")]);
}

#[test]
fn a_gzipped_archive_and_one_on_standard_input_are_read_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let raw = std::fs::read(root().join("fixtures/pgarchive/custom.dump")).expect("fixture");
    let gz = dir.path().join("custom.dump.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut enc, &raw).expect("gzip");
    std::fs::write(&gz, enc.finish().expect("gzip")).expect("write");
    let o = scan(&gz);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(ndjson(&o)
        .iter()
        .any(|f| f["table"] == "archief.klant" && f["column"] == "bsn" && f["row"] == 2));
    let o = piiscan()
        .args(["scan", "-", "--format", "ndjson"])
        .stdin(std::fs::File::open(root().join("fixtures/pgarchive/custom.dump")).expect("fixture"))
        .output()
        .expect("run piiscan");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(ndjson(&o)
        .iter()
        .any(|f| f["table"] == "klant" && f["column"] == "iban" && f["row"] == 3));
}

#[cfg(unix)]
#[test]
fn fifos_in_a_directory_archive_are_named_not_opened() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("fd");
    std::fs::create_dir(&archive).unwrap();
    let source = root().join("fixtures/pgarchive/dir");
    for e in std::fs::read_dir(&source).unwrap() {
        let e = e.unwrap();
        let name = e.file_name();
        let to = archive.join(&name);
        if name.to_string_lossy().ends_with(".dat.gz") {
            let ok = std::process::Command::new("mkfifo")
                .arg(&to)
                .status()
                .unwrap();
            assert!(ok.success());
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
    let mut child = piiscan()
        .arg("scan")
        .arg(&archive)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the scan blocked on a FIFO inside a directory archive");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(err.contains("special files are never opened"), "{err}");
}
