//! Bad input: each problem is reported on stderr with the path and the reason, every other file
//! is still scanned, and the exit code is 2.

use crate::common::{ndjson, run, stderr};
use std::fs;
use std::io::Write;

fn with_good_file() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("good.txt"), "mail jan@voorbeeld.nl\n").unwrap();
    dir
}

fn assert_reported(dir: &std::path::Path, args: &[&str], path_part: &str, reason_part: &str) {
    let mut a = vec!["scan"];
    a.extend_from_slice(args);
    a.extend_from_slice(&["--format", "ndjson"]);
    let out = run(dir, &a);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "exit code; stderr: {err}");
    assert!(
        err.lines()
            .any(|l| l.contains(path_part) && l.contains(reason_part)),
        "stderr names {path_part} and {reason_part}: {err}"
    );
    let found = ndjson(&out);
    assert!(
        found
            .iter()
            .any(|f| f["path"].as_str().unwrap().ends_with("good.txt")),
        "the other file was still scanned"
    );
}

fn running_as_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

#[test]
fn unreadable_file() {
    let dir = with_good_file();
    let bad = dir.path().join("locked.txt");
    if running_as_root() {
        // Root reads any file whatever its mode; a socket named on the command line is never
        // opened (a walk skips sockets and names them, as it does other special files).
        let _listener = std::os::unix::net::UnixListener::bind(&bad).unwrap();
        assert_reported(
            dir.path(),
            &[".", "locked.txt"],
            "locked.txt",
            "is a socket; special files are never opened",
        );
    } else {
        use std::os::unix::fs::PermissionsExt;
        fs::write(&bad, "BSN 111222333").unwrap();
        fs::set_permissions(&bad, fs::Permissions::from_mode(0o000)).unwrap();
        assert_reported(dir.path(), &["."], "locked.txt", "Permission denied");
    }
}

#[test]
fn unreadable_directory_or_missing_path() {
    let dir = with_good_file();
    assert_reported(
        dir.path(),
        &[".", "no-such-dir"],
        "no-such-dir",
        "No such file",
    );
}

#[test]
fn broken_gzip_stream() {
    let dir = with_good_file();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..2000 {
        writeln!(gz, "regel {i}: BSN 111222333").unwrap();
    }
    let bytes = gz.finish().unwrap();
    fs::write(dir.path().join("cut.log.gz"), &bytes[..bytes.len() / 2]).unwrap();
    assert_reported(dir.path(), &["."], "cut.log.gz", "compressed stream broken");
    // What was decompressed before the break is still reported.
    let found = ndjson(&run(
        dir.path(),
        &["scan", "cut.log.gz", "--format", "ndjson"],
    ));
    assert!(!found.is_empty());
}

#[test]
fn invalid_utf8() {
    let dir = with_good_file();
    let mut bytes = "Zoë woont hier\n".as_bytes().to_vec();
    bytes.extend_from_slice(b"kapot \xFF\xFE teken, mail zoe@voorbeeld.nl\n");
    fs::write(dir.path().join("broken.txt"), bytes).unwrap();
    assert_reported(dir.path(), &["."], "broken.txt", "invalid UTF-8");
    let found = ndjson(&run(
        dir.path(),
        &["scan", "broken.txt", "--format", "ndjson"],
    ));
    // The line after the bad bytes is still scanned ("Zoë woont hier" is a name too).
    let emails = found.iter().filter(|f| f["rule"] == "email").count();
    assert_eq!(
        emails, 1,
        "the rest of the file is still scanned: {found:?}"
    );
}

#[test]
fn symlink_loop() {
    let dir = with_good_file();
    fs::create_dir(dir.path().join("sub")).unwrap();
    std::os::unix::fs::symlink("..", dir.path().join("sub/back")).unwrap();
    assert_reported(
        dir.path(),
        &[".", "--follow-symlinks"],
        "back",
        "symbolic link loop",
    );
    // Without --follow-symlinks links are not followed: no loop, no error.
    let out = run(dir.path(), &["scan", ".", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn binary_files_are_skipped_and_counted() {
    let dir = with_good_file();
    fs::write(
        dir.path().join("photo.jpg"),
        [
            0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1,
        ],
    )
    .unwrap();
    fs::write(
        dir.path().join("blob.bin"),
        b"\x00\x01\x02\x03\x00\x00\xff\xfe",
    )
    .unwrap();
    let out = run(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["stats"]["skipped_binary"], 1);
    // A JPEG is an image (read with --ocr), counted as such.
    assert_eq!(doc["stats"]["skipped_images"], 1);
    assert_eq!(doc["stats"]["files"], 1);
}

#[test]
fn broken_tables_name_the_line_and_keep_the_rows_before() {
    let dir = with_good_file();
    fs::write(
        dir.path().join("dump.sql"),
        "-- PostgreSQL database dump\nINSERT INTO public.klant (id, email) VALUES (1, 'jan@voorbeeld.nl');\nINSERT INTO public.klant (id, email) VALUES (2, 'open\n",
    )
    .unwrap();
    assert_reported(dir.path(), &["."], "dump.sql", "line 3");
    fs::write(
        dir.path().join("export.ndjson"),
        "{\"email\":\"a@voorbeeld.nl\"}\n{kapot\n",
    )
    .unwrap();
    assert_reported(dir.path(), &["."], "export.ndjson", "line 2");
    let found = ndjson(&run(
        dir.path(),
        &["scan", "dump.sql", "export.ndjson", "--format", "ndjson"],
    ));
    assert_eq!(
        found.len(),
        2,
        "the rows before the break are still reported: {found:?}"
    );
}
