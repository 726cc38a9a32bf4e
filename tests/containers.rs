//! Archives and compressed files: members are scanned as the files they are and named
//! `archive!member`; bombs, encrypted members and broken archives are named with exit 2 while
//! the rest is scanned. Fixtures: fixtures/containers (made by its make.sh with real tools).

use crate::common::{ndjson, root, run, stderr, stdout};
use serde_json::Value;
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    root().join("fixtures/containers")
}

/// Scans `paths` in the container fixtures as NDJSON: (findings, exit code, stderr).
fn scan(args: &[&str]) -> (Vec<Value>, Option<i32>, String) {
    let mut a = vec!["scan", "--format", "ndjson", "-q"];
    a.extend_from_slice(args);
    let out = run(&fixtures(), &a);
    (ndjson(&out), out.status.code(), stderr(&out))
}

/// (path, rule, line or "table.column:row") of every finding.
fn located(found: &[Value]) -> Vec<(String, String, String)> {
    found
        .iter()
        .map(|f| {
            let at = match f["line"].as_u64().filter(|_| f["table"].is_null()) {
                Some(line) => format!("line {line}"),
                None => format!(
                    "{}.{}:{}",
                    f["table"].as_str().unwrap_or("?"),
                    f["column"].as_str().unwrap_or("?"),
                    f["row"]
                ),
            };
            (
                f["path"].as_str().unwrap_or("").to_string(),
                f["rule"].as_str().unwrap_or("").to_string(),
                at,
            )
        })
        .collect()
}

/// What the export (`hr/klanten.csv` and `logs/app.log`) must give under `prefix`.
fn assert_export_found(found: &[Value], prefix: &str) {
    let got = located(found);
    let want = [
        (
            format!("{prefix}!hr/klanten.csv"),
            "email",
            "klanten.email:1",
        ),
        (
            format!("{prefix}!hr/klanten.csv"),
            "email",
            "klanten.email:2",
        ),
        (format!("{prefix}!hr/klanten.csv"), "iban", "klanten.iban:1"),
        (format!("{prefix}!logs/app.log"), "email", "line 1"),
        (format!("{prefix}!logs/app.log"), "nl.bsn", "line 2"),
    ];
    for (path, rule, at) in want {
        assert!(
            got.iter()
                .any(|(p, r, a)| *p == path && r == rule && a == at),
            "{rule} at {path} {at} not in {got:#?}"
        );
    }
}

#[test]
fn every_archive_format_gives_each_member_as_the_file_it_is() {
    for archive in [
        "export.zip",
        "export.tar",
        "export.tgz",
        "export.tar.bz2",
        "export.tar.xz",
        "export.tar.zst",
        "export.7z",
    ] {
        let (found, code, err) = scan(&[archive]);
        assert_eq!(code, Some(0), "{archive}: {err}");
        assert_export_found(&found, archive);
        // The CSV member is a table: its cells carry their row, and the line the row
        // starts on (the header is line 1).
        assert!(found
            .iter()
            .filter(|f| f["path"].as_str().unwrap().ends_with("klanten.csv"))
            .all(|f| f["table"] == "klanten"
                && f["line"].as_u64() == f["row"].as_u64().map(|r| r + 1)));
    }
}

#[test]
fn a_single_compressed_file_keeps_its_own_name() {
    let (found, code, err) = scan(&["app.log.bz2"]);
    assert_eq!(code, Some(0), "{err}");
    let got = located(&found);
    assert!(got.contains(&("app.log.bz2".into(), "email".into(), "line 1".into())));
    assert!(got.contains(&("app.log.bz2".into(), "nl.bsn".into(), "line 2".into())));
}

#[test]
fn archives_inside_archives_are_opened_with_their_whole_path() {
    let (found, code, err) = scan(&["nested.zip"]);
    assert_eq!(code, Some(0), "{err}");
    assert_export_found(&found, "nested.zip!backup/2019.tgz");
    assert_export_found(&found, "nested.zip!old.zip");
    // A gzip-compressed CSV inside the ZIP is a table named after its stem.
    let got = located(&found);
    assert!(
        got.iter()
            .any(|(p, r, a)| p == "nested.zip!backup/klanten.csv.gz"
                && r == "email"
                && a == "klanten.email:1"),
        "{got:#?}"
    );
    // Members have fingerprints of their own: the same value in two members differs.
    let fp = |path: &str| {
        found
            .iter()
            .find(|f| f["path"] == path && f["rule"] == "nl.bsn")
            .map(|f| f["fingerprint"].clone())
    };
    assert_ne!(
        fp("nested.zip!old.zip!logs/app.log"),
        fp("nested.zip!backup/2019.tgz!logs/app.log")
    );
}

#[test]
fn an_encrypted_member_is_named_and_the_rest_scanned() {
    let (found, code, err) = scan(&["encrypted.zip"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("encrypted.zip!secret.txt") && err.contains("encrypted; not scanned"),
        "{err}"
    );
    let got = located(&found);
    assert!(got.contains(&(
        "encrypted.zip!open.txt".into(),
        "email".into(),
        "line 1".into()
    )));
    assert!(!got.iter().any(|(p, ..)| p.contains("secret")));
}

#[test]
fn seven_zip_encryption_and_bombs_are_named_and_the_rest_scanned() {
    // Encrypted members: named; the open member beside them scanned.
    let (found, code, err) = scan(&["encrypted.7z"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("encrypted.7z!secret.txt") && err.contains("encrypted; not scanned"),
        "{err}"
    );
    assert!(located(&found).contains(&(
        "encrypted.7z!open.txt".into(),
        "email".into(),
        "line 1".into()
    )));
    // An encrypted file list: the archive named, the other inputs scanned.
    let (found, code, err) = scan(&["encrypted-names.7z", "app.log.bz2"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.lines()
            .any(|l| l.contains("encrypted-names.7z") && l.contains("list of files is encrypted")),
        "{err}"
    );
    assert!(found.iter().any(|f| f["path"] == "app.log.bz2"));
    // A bomb in a solid block: stopped by the ratio, and the member packed after it, which
    // cannot be reached without unpacking the bomb, named.
    let (found, code, err) = scan(&["bomb.7z"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.lines()
            .any(|l| l.contains("bomb.7z!a-spaces.log") && l.contains("--archive-max-ratio")),
        "{err}"
    );
    assert!(
        err.lines().any(|l| l.contains("bomb.7z!b-after.log")
            && l.contains("after a-spaces.log, which hit a limit")),
        "{err}"
    );
    assert!(found.is_empty(), "{found:?}");
    // With a higher ratio both are read.
    let (found, code, err) = scan(&["bomb.7z", "--archive-max-ratio", "20000"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(found.iter().any(|f| f["path"] == "bomb.7z!b-after.log"));
}

#[test]
fn a_member_of_an_unread_compression_method_is_named() {
    let (found, code, err) = scan(&["bzip2-member.zip"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("bzip2-member.zip!a.txt") && err.contains("not scanned"),
        "{err}"
    );
    assert!(found.iter().any(|f| f["path"] == "bzip2-member.zip!b.txt"));
}

#[test]
fn a_truncated_archive_is_named_and_the_other_inputs_scanned() {
    let (found, code, err) = scan(&["truncated.zip", "app.log.bz2"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.lines()
            .any(|l| l.contains("truncated.zip") && l.contains("not a readable ZIP archive")),
        "{err}"
    );
    assert!(found.iter().any(|f| f["path"] == "app.log.bz2"));
}

#[test]
fn a_decompression_bomb_is_stopped_and_named() {
    let started = std::time::Instant::now();
    let (found, code, err) = scan(&["bomb.zip"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.lines().any(|l| l.contains("bomb.zip!spaces.log.gz")
            && l.contains("--archive-max-ratio")
            && l.contains("decompression bomb")),
        "{err}"
    );
    // The member after it is still scanned.
    assert!(found.iter().any(|f| f["path"] == "bomb.zip!after.txt"));
    assert!(started.elapsed().as_secs() < 30);
    // The limit is the user's: a higher ratio reads the whole member.
    let (_, code, err) = scan(&["bomb.zip", "--archive-max-ratio", "2000"]);
    assert_eq!(code, Some(0), "{err}");
    // So is the total size.
    let (_, code, err) = scan(&[
        "bomb.zip",
        "--archive-max-ratio",
        "2000",
        "--archive-max-size",
        "1M",
    ]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--archive-max-size"), "{err}");
}

#[test]
fn nesting_is_stopped_at_the_depth_limit() {
    let started = std::time::Instant::now();
    let (_, code, err) = scan(&["nest42.zip", "--archive-max-depth", "3"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.lines().any(
            |l| l.starts_with("piiscan: nest42.zip!l8_0.zip!l7_0.zip!l6_0.zip:")
                && l.contains("--archive-max-depth 3")
        ),
        "{err}"
    );
    // Default limits: stopped too (depth 6 or the total), never a hang.
    let (_, code, err) = scan(&["nest42.zip"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--archive-max-"), "{err}");
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
}

#[test]
fn the_entry_limit_and_the_configuration_file() {
    let (_, code, err) = scan(&["export.zip", "--archive-max-entries", "1"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("export.zip") && err.contains("--archive-max-entries"),
        "{err}"
    );
    // The same limits from .piiscan.toml.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixtures().join("nest42.zip"), dir.path().join("nest42.zip")).unwrap();
    std::fs::write(dir.path().join(".piiscan.toml"), "archive-max-depth = 2\n").unwrap();
    let out = run(dir.path(), &["scan", ".", "-q", "--format", "ndjson"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--archive-max-depth 2"), "{err}");
    std::fs::write(
        dir.path().join(".piiscan.toml"),
        "archive-max-size = \"lots\"\n",
    )
    .unwrap();
    let out = run(dir.path(), &["scan", ".", "-q"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("archive-max-size"));
}

#[test]
fn the_inventory_and_table_output_name_members_as_locations() {
    let out = run(
        &fixtures(),
        &["inventory", "export.zip", "-q", "--format", "csv"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("export.zip!hr/klanten.csv"), "{text}");
    assert!(text.contains("export.zip!logs/app.log"), "{text}");
}

#[test]
fn anonymise_refuses_an_archive() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.toml");
    std::fs::write(&policy, "on_unlisted = \"keep\"\n").unwrap();
    let out_dir = dir.path().join("out.zip");
    for input in ["export.zip", "export.tgz", "export.tar.zst"] {
        let out = run(
            &fixtures(),
            &[
                "anonymise",
                input,
                "--policy",
                policy.to_str().unwrap(),
                "--out",
                out_dir.to_str().unwrap(),
            ],
        );
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{input}: {err}");
        assert!(
            err.contains("archive") && err.contains("not rewritten"),
            "{input}: {err}"
        );
        assert!(!out_dir.exists(), "{input}: nothing written");
    }
}
