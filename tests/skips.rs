//! Every skip is visible (issue 11, item 13): what the walk leaves out (hidden files and
//! folders, `--exclude`, `--include`, links not followed, `.git`) and what the reader skips
//! (binary, too large, special files) is counted by reason in the summary of every format and
//! listed in `--format json`; a verdict of "no personal data" never stands alone when
//! something was not read.

use crate::common::{code, run, stderr, stdout};
use std::path::Path;

fn put(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = run(dir, args);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)))
}

/// Folders whose only personal data is in hidden places, each a different shape.
fn hidden_only(case: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, "readme.txt", "Release notes, nothing personal.\n");
    match case {
        0 => put(d, ".env", "SMTP_USER=jan.jansen@gmail.com\n"),
        1 => {
            put(d, ".backup/x.csv", "naam,email\nJan,jan.jansen@gmail.com\n");
            put(d, ".backup/oud/y.txt", "bel 0612345678\n");
        }
        _ => put(
            d,
            "db/.klanten.db-journal",
            "IBAN NL39RABO0300065264 van Piet\n",
        ),
    }
    dir
}

#[test]
fn hidden_personal_data_never_gets_a_bare_no_personal_data() {
    for case in 0..3 {
        let dir = hidden_only(case);
        let out = run(dir.path(), &["scan", "."]);
        // A notice, not a failure: hidden files are left out by design (see README).
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let table = stdout(&out);
        assert!(
            !table.contains("No personal data found at the chosen confidence.\n"),
            "{table}"
        );
        assert!(
            table.contains("in the files scanned; 1 input was not scanned"),
            "{table}"
        );
        assert!(table.contains("--hidden scans them"), "{table}");
        assert!(table.contains("1 skipped: 1 hidden"), "{table}");

        let d = json(dir.path(), &["scan", ".", "--format", "json"]);
        assert_eq!(d["stats"]["skipped_hidden"], 1, "{}", d["stats"]);
        assert_eq!(d["stats"]["skipped_inputs"][0]["reason"], "hidden");
        assert_eq!(
            d["stats"]["skipped_by_reason"]["hidden"]["hint"],
            "--hidden scans them"
        );

        // --hidden reads them: the personal data is found and nothing is skipped.
        let d = json(dir.path(), &["scan", ".", "--hidden", "--format", "json"]);
        assert!(d["stats"]["findings"].as_u64().unwrap() > 0, "{case}: {d}");
        assert_eq!(d["stats"]["skipped"], 0, "{case}: {}", d["stats"]);
    }
}

#[test]
fn a_hidden_folder_is_one_entry_with_its_files_counted() {
    let dir = hidden_only(1);
    let d = json(dir.path(), &["scan", ".", "--format", "json"]);
    let s = &d["stats"];
    assert_eq!(s["skipped"], 1, "{s}");
    assert_eq!(s["skipped_inputs"][0]["path"], "./.backup");
    assert_eq!(s["skipped_inputs"][0]["files_beneath"], 2);
    assert_eq!(s["skipped_by_reason"]["hidden"]["directories"], 1);
    assert_eq!(s["skipped_by_reason"]["hidden"]["files"], 2);
    let table = stdout(&run(dir.path(), &["scan", "."]));
    assert!(
        table.contains("1 hidden (1 directory, 2 files): ./.backup/ (2 files)"),
        "{table}"
    );
}

/// A folder with one skip of every reason the walk and the readers have.
fn every_reason() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, "a.txt", "mail jan@voorbeeld.nl\n");
    put(d, ".env", "KEY=x\n");
    put(d, "logs/app.log", "x\n");
    put(d, "logs/old/app.log", "x\n");
    put(d, "notes.md", "x\n");
    put(d, "big.txt", &"x".repeat(5000));
    put(d, ".git/HEAD", "ref: refs/heads/main\n");
    std::fs::write(
        d.join("blob.txt"),
        b"\x00\x01\x02\x03\x00\x00\xff\xfe\x00\x10",
    )
    .unwrap();
    std::os::unix::fs::symlink(d.join("a.txt"), d.join("link.txt")).unwrap();
    dir
}

const EVERY: [&str; 11] = [
    "scan",
    ".",
    "--exclude",
    "logs",
    "--include",
    "*.txt",
    "--max-filesize",
    "1K",
    "-j1",
    "--format",
    "FORMAT",
];

fn args(format: &str) -> Vec<&str> {
    let mut a = EVERY.to_vec();
    a[10] = format;
    a
}

const SUMMARY: &str = "7 skipped: 1 hidden, 1 excluded (1 directory, 2 files), 1 not included, 1 symbolic link, 1 git directory, 1 too large, 1 binary";

#[test]
fn every_format_counts_every_reason() {
    let dir = every_reason();
    let d = json(dir.path(), &args("json"));
    let s = &d["stats"];
    assert_eq!(s["skipped"], 7, "{s}");
    let mut listed: Vec<(String, String)> = s["skipped_inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["path"].as_str().unwrap().to_string(),
                k["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    listed.sort();
    let want: Vec<(String, String)> = [
        ("./.env", "hidden"),
        ("./.git", "git directory"),
        ("./big.txt", "too large"),
        ("./blob.txt", "binary"),
        ("./link.txt", "symbolic link"),
        ("./logs", "excluded"),
        ("./notes.md", "not included"),
    ]
    .iter()
    .map(|(p, r)| (p.to_string(), r.to_string()))
    .collect();
    assert_eq!(listed, want);
    for reason in [
        "hidden",
        "excluded",
        "not included",
        "symbolic link",
        "git directory",
        "too large",
        "binary",
    ] {
        assert_eq!(
            s["skipped_by_reason"][reason]["entries"], 1,
            "{reason}: {s}"
        );
    }

    let table = stdout(&run(dir.path(), &args("table")));
    assert!(table.contains(SUMMARY), "{table}");
    for hint in [
        "--hidden scans them",
        "--follow-symlinks follows them",
        "--max-filesize sets the limit",
    ] {
        assert!(table.contains(hint), "{hint}: {table}");
    }
    // Formats without room for prose carry the summary on stderr.
    for f in ["ndjson", "csv", "json", "sarif", "github", "junit"] {
        let out = run(dir.path(), &args(f));
        assert_eq!(code(&out), 0, "{f}: {}", stderr(&out));
        assert!(stderr(&out).contains(SUMMARY), "{f}: {}", stderr(&out));
    }
    let sarif: serde_json::Value =
        serde_json::from_slice(&run(dir.path(), &args("sarif")).stdout).unwrap();
    let inv = &sarif["runs"][0]["invocations"][0];
    assert_eq!(inv["properties"]["skipped"]["hidden"], 1, "{inv}");
    assert_eq!(inv["properties"]["skipped"]["excluded"], 1, "{inv}");
    let notes = inv["toolExecutionNotifications"].to_string();
    assert!(
        notes.contains("not scanned: 1 hidden: ./.env; --hidden scans them"),
        "{notes}"
    );

    let github = stdout(&run(dir.path(), &args("github")));
    assert!(github.contains(SUMMARY), "{github}");
    assert!(
        github.contains("::notice file=.env,title=piiscan: skipped::hidden"),
        "{github}"
    );
    assert!(
        github.contains("::notice title=piiscan: not scanned::1 symbolic link: ./link.txt"),
        "{github}"
    );

    let junit = stdout(&run(dir.path(), &args("junit")));
    for reason in [
        "hidden",
        "excluded",
        "not included",
        "symbolic link",
        "git directory",
    ] {
        assert!(
            junit.contains(&format!("name=\"not scanned: {reason}\"")),
            "{reason}: {junit}"
        );
    }
    // a.txt scanned, big.txt and blob.txt skipped as inputs, five reasons of the walk.
    assert!(junit.contains("tests=\"8\""), "{junit}");
    assert!(junit.contains("skipped=\"7\""), "{junit}");
}

#[test]
fn configured_excludes_are_counted_like_flags() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(
        d,
        ".piiscan.toml",
        "exclude = [\"fixtures/**\", \"*.bak\"]\n",
    );
    put(d, "a.txt", "x\n");
    put(d, "fixtures/klant.csv", "email\njan@voorbeeld.nl\n");
    put(d, "oud.bak", "jan@voorbeeld.nl\n");
    let s = json(d, &["scan", ".", "--format", "json"])["stats"].clone();
    let reasons: Vec<&str> = s["skipped_inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["reason"].as_str().unwrap())
        .collect();
    // The configuration file itself is hidden; `fixtures/**` leaves out the files beneath.
    assert_eq!(s["skipped_by_reason"]["excluded"]["files"], 2, "{s}");
    assert!(
        reasons.contains(&"excluded") && reasons.contains(&"hidden"),
        "{s}"
    );
}

#[test]
fn changed_and_staged_files_left_out_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .args(["-c", "user.email=t@example.org", "-c", "user.name=t"])
            .args(args)
            .current_dir(d)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    put(d, "a.txt", "x\n");
    git(&["add", "."]);
    git(&["commit", "-qm", "one"]);
    put(d, ".env", "MAIL=jan@voorbeeld.nl\n");
    put(d, "b.log", "jan@voorbeeld.nl\n");
    git(&["add", "."]);
    for mode in [&["--staged"][..], &["--changed-since", "HEAD"][..]] {
        let mut a = vec!["scan", ".", "--exclude", "*.log", "--format", "json"];
        a.extend_from_slice(mode);
        let s = json(d, &a)["stats"].clone();
        assert_eq!(s["skipped_hidden"], 1, "{mode:?}: {s}");
        assert_eq!(
            s["skipped_by_reason"]["excluded"]["entries"], 1,
            "{mode:?}: {s}"
        );
    }
}

#[test]
fn the_inventory_names_what_it_did_not_read() {
    let dir = hidden_only(0);
    let out = run(dir.path(), &["inventory", "."]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("1 skipped: 1 hidden") && stderr(&out).contains("--hidden"),
        "{}",
        stderr(&out)
    );
    // The data map lists it among what was not read.
    let out = run(
        dir.path(),
        &["inventory", ".", "--format", "html", "--lang", "en"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let page = stdout(&out);
    assert!(
        page.contains("./.env") && page.contains("hidden: not scanned; --hidden scans them"),
        "{page}"
    );
}
