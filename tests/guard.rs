//! The CI guard end to end: configuration, allowlists, inline suppression, baselines,
//! `--changed-since` and `--staged` in a real git repository, the CI output formats and the
//! promise that no output holds a value unless asked.

use crate::common::{ndjson, piiscan, run, stderr, stdout};
use std::path::Path;
use std::process::{Command, Output};

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "piiscan test")
        .env("GIT_AUTHOR_EMAIL", "test@piiscan.invalid")
        .env("GIT_COMMITTER_NAME", "piiscan test")
        .env("GIT_COMMITTER_EMAIL", "test@piiscan.invalid")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

/// A repository with one clean export committed.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    git(dir.path(), &["init", "-q", "-b", "main"]);
    std::fs::create_dir(dir.path().join("exports")).expect("mkdir");
    std::fs::write(
        dir.path().join("exports/producten.csv"),
        "sku,omschrijving,prijs\nA-100,Fietsbel chroom,4.95\nA-101,Zadelpen 27.2 mm,19.50\n",
    )
    .expect("write");
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "clean export"]);
    dir
}

const LEAK: &str = "datum;klant;opmerking\n\
2024-03-01;jan.jansen@voorbeeld.nl;bellen op 06-12345678\n";

#[test]
fn a_leak_fails_the_build_until_baselined_and_a_new_value_fails_again() {
    let dir = repo();
    let d = dir.path();
    let gate = [
        "scan",
        ".",
        "--changed-since",
        "HEAD",
        "--fail-on",
        "medium",
    ];
    // Nothing changed: passes.
    let o = run(d, &gate);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    // A clean export added: passes.
    std::fs::write(d.join("exports/voorraad.txt"), "Fietsbel: 140 stuks\n").expect("write");
    assert_eq!(code(&run(d, &gate)), 0);
    // A leaking one: fails, naming the file and only the changed files.
    std::fs::write(d.join("exports/notities.txt"), LEAK).expect("write");
    let o = run(
        d,
        &[
            "scan",
            ".",
            "--changed-since",
            "HEAD",
            "--fail-on",
            "medium",
            "--format",
            "ndjson",
        ],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let found = ndjson(&o);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().all(|f| f["path"] == "exports/notities.txt"));
    // Committed, the same check on the next change set passes: only changes are scanned.
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "notes"]);
    assert_eq!(code(&run(d, &gate)), 0);
    // The full scan fails until the finding is baselined.
    let full = [
        "scan",
        ".",
        "--fail-on",
        "medium",
        "--baseline",
        "baseline.json",
    ];
    let o = run(d, &["scan", ".", "--fail-on", "medium"]);
    assert_eq!(code(&o), 1);
    let o = run(d, &["scan", ".", "--write-baseline", "baseline.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("2 accepted finding(s)"),
        "{}",
        stderr(&o)
    );
    let o = run(d, &full);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(stdout(&o).contains("2 in the baseline"), "{}", stdout(&o));
    // Lines moving up or down change nothing.
    std::fs::write(
        d.join("exports/notities.txt"),
        format!("# export van maart\n\n{LEAK}"),
    )
    .expect("write");
    let o = run(d, &full);
    assert_eq!(code(&o), 0, "moved lines: {}", stdout(&o));
    // Another value on the baselined line is new.
    std::fs::write(
        d.join("exports/notities.txt"),
        LEAK.replace("jan.jansen@", "piet.pietersen@"),
    )
    .expect("write");
    let o = run(
        d,
        &[
            "scan",
            ".",
            "--fail-on",
            "medium",
            "--baseline",
            "baseline.json",
            "--format",
            "ndjson",
        ],
    );
    assert_eq!(code(&o), 1);
    let found = ndjson(&o);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["rule"], "email");
    // The same value a second time in the file is a new occurrence too.
    std::fs::write(
        d.join("exports/notities.txt"),
        format!("{LEAK}2024-03-02;jan.jansen@voorbeeld.nl;\n"),
    )
    .expect("write");
    let o = run(
        d,
        &[
            "scan",
            ".",
            "--fail-on",
            "medium",
            "--baseline",
            "baseline.json",
            "--format",
            "ndjson",
        ],
    );
    assert_eq!(code(&o), 1);
    assert_eq!(ndjson(&o).len(), 1);
    // Scanning from a subdirectory names files the same way: the baseline still matches.
    std::fs::write(d.join("exports/notities.txt"), LEAK).expect("write");
    let o = run(
        &d.join("exports"),
        &[
            "scan",
            ".",
            "--fail-on",
            "medium",
            "--baseline",
            "../baseline.json",
        ],
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn a_baseline_written_with_another_key_is_refused_clearly() {
    let dir = repo();
    let d = dir.path();
    std::fs::write(d.join("exports/notities.txt"), LEAK).expect("write");
    assert_eq!(
        code(&run(d, &["scan", ".", "--write-baseline", "b.json"])),
        0
    );
    let o = piiscan()
        .current_dir(d)
        .env("PIISCAN_FINGERPRINT_KEY", "another-key-of-16-bytes")
        .args(["scan", ".", "--baseline", "b.json"])
        .output()
        .expect("run");
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("another fingerprint key"),
        "{}",
        stderr(&o)
    );
    assert!(
        !stderr(&o).contains("another-key-of-16-bytes"),
        "the key is never printed"
    );
}

#[test]
fn staged_scans_the_staged_version_only() {
    let dir = repo();
    let d = dir.path();
    std::fs::write(
        d.join("exports/notities.txt"),
        "datum;opmerking\n2024-03-01;geen\n",
    )
    .expect("write");
    git(d, &["add", "exports/notities.txt"]);
    // The working tree has a leak that is not staged: a pre-commit hook must not see it.
    std::fs::write(d.join("exports/notities.txt"), LEAK).expect("write");
    let o = run(d, &["scan", ".", "--staged", "--fail-on", "medium"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    git(d, &["add", "exports/notities.txt"]);
    let o = run(
        d,
        &[
            "scan",
            ".",
            "--staged",
            "--fail-on",
            "medium",
            "--format",
            "ndjson",
        ],
    );
    assert_eq!(code(&o), 1);
    let found = ndjson(&o);
    assert_eq!(found.len(), 2);
    assert_eq!(
        found[0]["path"], "exports/notities.txt",
        "shown under its own name"
    );
    // Its fingerprints are those of the same file scanned in the working tree.
    let o = run(d, &["scan", "exports", "--format", "ndjson"]);
    let worktree = ndjson(&o);
    assert_eq!(found[0]["fingerprint"], worktree[0]["fingerprint"]);
}

#[test]
fn inline_allow_and_allowlists_suppress_exactly_what_they_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir_all(d.join("docs")).expect("mkdir");
    std::fs::create_dir_all(d.join("logs")).expect("mkdir");
    std::fs::write(
        d.join("logs/app.log"),
        "login jan.jansen@voorbeeld.nl from 10.1.2.3\n\
         testaccount bsn 111222333 # piiscan:allow\n\
         BSN 123456782 van klant\n\
         mail piet@example.com\n",
    )
    .expect("write");
    std::fs::write(
        d.join("docs/handleiding.md"),
        "Schrijf naar support@example.org of bel 020-1234567.\n",
    )
    .expect("write");
    std::fs::write(
        d.join(".piiscan.toml"),
        r#"
[[allow]]
reason = "example addresses"
rules = ["email"]
regex = '@example\.(com|org)$'

[[allow]]
reason = "documented test BSN"
values = ["123.456.782"]

[[allow]]
paths = ["docs/**"]
rules = ["phone"]
"#,
    )
    .expect("write");
    let o = run(d, &["scan", ".", "--format", "ndjson"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut rules: Vec<String> = ndjson(&o)
        .iter()
        .map(|f| {
            format!(
                "{}:{}",
                f["path"].as_str().unwrap_or(""),
                f["rule"].as_str().unwrap_or("")
            )
        })
        .collect();
    rules.sort();
    // Left: the real e-mail address and the IP address. Gone: the inline-allowed BSN, the
    // listed test BSN, both example.* addresses and the phone number in docs/.
    assert_eq!(rules, ["./logs/app.log:email", "./logs/app.log:ipv4"]);
    let o = run(d, &["scan", ".", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let s = &doc["stats"]["suppressed"];
    assert_eq!(s["inline"], 1, "{s}");
    assert_eq!(s["allowlist"], 4, "{s}");
    // --no-config reports everything but the inline-allowed line.
    let o = run(d, &["scan", ".", "--no-config", "--format", "ndjson"]);
    assert_eq!(ndjson(&o).len(), 6, "{}", stdout(&o));
}

#[test]
fn configuration_is_found_overridden_and_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir_all(d.join("exports/2024")).expect("mkdir");
    // A phone number without a context word: medium confidence.
    std::fs::write(d.join("exports/2024/a.txt"), "06-12345678\n").expect("write");
    // `init` writes a starter that works as is, and refuses to overwrite it.
    assert_eq!(code(&run(d, &["init"])), 0);
    assert_eq!(code(&run(d, &["init"])), 2);
    // Found from a subdirectory: its fail-on applies.
    let o = run(&d.join("exports/2024"), &["scan", "."]);
    assert_eq!(code(&o), 1, "starter sets fail-on = medium: {}", stdout(&o));
    // A flag wins over the file.
    let o = run(&d.join("exports"), &["scan", ".", "--fail-on", "high"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    // A wrong key names the file and line.
    std::fs::write(
        d.join(".piiscan.toml"),
        "fail-on = \"medium\"\nfail_on = \"high\"\n",
    )
    .expect("write");
    let o = run(d, &["scan", "."]);
    assert_eq!(code(&o), 2);
    let e = stderr(&o);
    // The unknown key is the file's text and is not shown; the allowed keys are.
    assert!(
        e.contains(".piiscan.toml") && e.contains("line 2") && e.contains("`fail-on`"),
        "{e}"
    );
    assert!(!e.contains("fail_on"), "{e}");
    // So does a rule id an allow entry does not know.
    std::fs::write(
        d.join(".piiscan.toml"),
        "\n[[allow]]\nrules = [\"emial\"]\n",
    )
    .expect("write");
    let e = stderr(&run(d, &["scan", "."]));
    assert!(e.contains("line 2") && e.contains("rules"), "{e}");
    assert!(!e.contains("emial"), "the file's value is not echoed: {e}");
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let root = crate::common::root();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("fixtures/schemas/sarif-schema-2.1.0.json"))
            .expect("schema"),
    )
    .expect("schema JSON");
    let validator = jsonschema::draft4::new(&schema).expect("schema compiles");
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("notes.txt"), LEAK).expect("write");
    std::fs::write(d.join("broken.gz"), b"\x1f\x8b\x08\x00garbage").expect("write");
    let demo = root.join("fixtures/demo");
    let o = piiscan()
        .current_dir(d)
        .args(["scan", ".", "--format", "sarif"])
        .arg(&demo)
        .output()
        .expect("run");
    assert_eq!(code(&o), 2, "the broken gzip file is an error");
    let sarif: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("SARIF is JSON");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(rules.iter().any(|r| r["id"] == "nl.bsn"
        && r["help"]["markdown"]
            .as_str()
            .is_some_and(|h| h.contains("11-proef"))));
    let results = run["results"].as_array().expect("results");
    let text = results
        .iter()
        .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "notes.txt")
        .expect("text result");
    let region = &text["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 2);
    assert!(region["startColumn"].as_u64().is_some_and(|c| c > 1));
    assert!(text["partialFingerprints"]["piiscanFingerprint/v1"].is_string());
    let cell = results
        .iter()
        .find(|r| r["locations"][0]["logicalLocations"][0]["kind"] == "member")
        .expect("a table cell result");
    assert!(cell["message"]["text"]
        .as_str()
        .is_some_and(|m| m.contains("row ")));
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
}

#[test]
fn github_and_junit_formats() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(
        d.join("notes.txt"),
        "Klant belde.\nMail naar jan.jansen@voorbeeld.nl, tel 06-12345678.\n",
    )
    .expect("write");
    let o = run(d, &["scan", "notes.txt", "--format", "github"]);
    let out = stdout(&o);
    assert!(
        out.lines()
            .any(|l| l.starts_with("::error file=notes.txt,line=2,col=")
                && l.contains("title=piiscan email::")),
        "{out}"
    );
    let o = run(d, &["scan", "notes.txt", "--format", "junit"]);
    let out = stdout(&o);
    assert!(out.starts_with("<?xml"), "{out}");
    assert!(out.contains("tests=\"1\" failures=\"1\""), "{out}");
    assert!(
        out.contains(
            "<failure type=\"personal-data\" message=\"2 finding(s): email (1), phone (1)\""
        ),
        "{out}"
    );
}

#[test]
fn no_output_baseline_or_message_holds_a_value_unless_asked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // Values that appear in no rule's examples (SARIF carries the rules' documentation).
    let planted = [
        "marieke.dekker@zorgpost.nl",
        "232262536",
        "NL39RABO0300065264",
        "0687654321",
    ];
    std::fs::write(
        d.join("export.txt"),
        "klant marieke.dekker@zorgpost.nl, BSN 232262536\nIBAN NL39RABO0300065264 tel 0687654321\n",
    )
    .expect("write");
    std::fs::write(
        d.join("klanten.csv"),
        "naam,email,bsn\nMarieke Dekker,marieke.dekker@zorgpost.nl,232262536\n",
    )
    .expect("write");
    let mut outputs = Vec::new();
    for format in ["table", "json", "ndjson", "csv", "sarif", "github", "junit"] {
        let o = run(
            d,
            &[
                "scan",
                ".",
                "--format",
                format,
                "--explain",
                "--write-baseline",
                "b.json",
            ],
        );
        assert_eq!(code(&o), 0, "{format}: {}", stderr(&o));
        outputs.push((format.to_string(), stdout(&o) + &stderr(&o)));
        outputs.push((
            format!("baseline after {format}"),
            std::fs::read_to_string(d.join("b.json")).expect("baseline"),
        ));
        std::fs::remove_file(d.join("b.json")).expect("rm");
    }
    let o = run(d, &["inventory", ".", "--format", "json"]);
    outputs.push(("inventory".into(), stdout(&o) + &stderr(&o)));
    for (what, text) in &outputs {
        for value in planted {
            assert!(!text.contains(value), "{what} holds {value}");
        }
        // Nor the digits of the BSN in another spelling.
        assert!(
            !text.contains("232 262 536") && !text.contains("232.262.536"),
            "{what}"
        );
    }
    let o = run(d, &["scan", ".", "--format", "ndjson", "--show-values"]);
    assert!(
        stdout(&o).contains("marieke.dekker@zorgpost.nl"),
        "--show-values shows them"
    );
}

/// `--staged` copies the staged files (personal data) to a temporary directory: it must be a
/// private one piiscan cleans up, and what a killed run left there is removed by the next one.
#[test]
#[cfg(unix)]
fn staged_copies_are_private_and_never_left_behind() {
    use std::os::unix::fs::PermissionsExt;
    let dir = repo();
    let d = dir.path();
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(d.join("exports/notities.txt"), LEAK).expect("write");
    git(d, &["add", "exports/notities.txt"]);
    // A run killed with SIGKILL left this (its process, pid 2^22 + 1, is gone).
    let stale = tmp.path().join(".piiscan-tmp-4194305-00ff00ff00ff00ff");
    std::fs::create_dir(&stale).expect("stale dir");
    std::fs::write(stale.join("notities.txt"), LEAK).expect("stale copy");
    let o = piiscan()
        .current_dir(d)
        .env("TMPDIR", tmp.path())
        .args(["scan", ".", "--staged", "--fail-on", "medium"])
        .output()
        .expect("run");
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    assert!(!stale.exists(), "the stale copy is removed");
    assert!(
        stderr(&o).contains("left by an earlier run"),
        "{}",
        stderr(&o)
    );
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("read tmp")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(
        left.is_empty(),
        "nothing left in the temporary folder: {left:?}"
    );
    // While it runs the copies sit in a directory only the user can open: the directory
    // piiscan makes there is created 0700 (the same code as the anonymiser's).
    let probe = piiscan::atomic::TempDir::beside(&tmp.path().join("x")).expect("temp dir");
    let mode = std::fs::metadata(probe.path())
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);
}
