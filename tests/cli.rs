//! The command line as a user meets it: the demo scan, exit codes, rule selection, user packs,
//! and the `rules` commands.

use crate::common::{ndjson, root, run, stderr, stdout};
use std::fs;

#[test]
fn demo_scan_finds_every_kind_and_skips_binary() {
    let out = run(
        &root(),
        &["scan", "fixtures/demo", "--format", "json", "-q"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one JSON document");
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    let absent_from_demo = ["mac_address", "nl.vat"];
    for rule in piiscan::ruleset::CONTRACT_RULE_IDS
        .iter()
        .filter(|r| !absent_from_demo.contains(r))
    {
        assert!(rules.contains(rule), "{rule} not found in the demo data");
    }
    // docs/logo.png: an image, read only with --ocr.
    assert_eq!(doc["stats"]["skipped_images"], 1);
    assert_eq!(doc["stats"]["skipped_binary"], 0);
    assert_eq!(doc["stats"]["errors"], 0);
    let clean: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"].as_str().unwrap().contains("release_notes"))
        .collect();
    assert!(
        clean.is_empty(),
        "look-alikes in the release notes reported: {clean:?}"
    );
    assert!(doc["inventory"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["rule"] == "nl.bsn"
            && e["dataset"]
                .as_str()
                .unwrap()
                .ends_with("medewerker_notities.txt")));
}

#[test]
fn fail_on_sets_exit_code_one() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("export.txt"), "contact: jan@voorbeeld.nl\n").unwrap();
    let high = run(dir.path(), &["scan", ".", "--fail-on", "medium", "-q"]);
    assert_eq!(high.status.code(), Some(1));
    let none = run(dir.path(), &["scan", ".", "-q"]);
    assert_eq!(
        none.status.code(),
        Some(0),
        "without --fail-on findings do not fail the run"
    );
    fs::write(dir.path().join("export.txt"), "geen persoonsgegevens\n").unwrap();
    let clean = run(dir.path(), &["scan", ".", "--fail-on", "low", "-q"]);
    assert_eq!(clean.status.code(), Some(0));
}

#[test]
fn only_disable_and_min_confidence_select_findings() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("a.txt"),
        "mail jan@voorbeeld.nl tel 06-12345678 referentie 123456782\n",
    )
    .unwrap();
    let only = ndjson(&run(
        dir.path(),
        &["scan", "a.txt", "--only", "email", "--format", "ndjson"],
    ));
    assert_eq!(only.len(), 1);
    assert_eq!(only[0]["rule"], "email");
    let disabled = ndjson(&run(
        dir.path(),
        &[
            "scan",
            "a.txt",
            "--disable",
            "email,phone",
            "--format",
            "ndjson",
        ],
    ));
    assert!(disabled.is_empty(), "{disabled:?}");
    let low = ndjson(&run(
        dir.path(),
        &[
            "scan",
            "a.txt",
            "--min-confidence",
            "low",
            "--format",
            "ndjson",
        ],
    ));
    assert!(
        low.iter()
            .any(|f| f["rule"] == "nl.bsn" && f["confidence"] == "low"),
        "a context-free BSN is low"
    );
    let unknown = run(dir.path(), &["scan", "a.txt", "--only", "nl.bsnn"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("nl.bsnn"));
}

const USER_RULE: &str = r#"
id = "acme.customer_id"
name = "ACME customer number"
category = "user.unique_id"
what = "ACME customer numbers KL-123456."
why = "They identify our customers."
references = ["internal numbering policy"]

[[patterns]]
name = "kl"
regex = '''\bKL-\d{6}\b'''

[[examples.match]]
text = "klant KL-123456"
reason = "the format"

[[examples.match]]
text = "KL-000001 opgezegd"
reason = "leading zeros"

[[examples.no_match]]
text = "KL-12345"
reason = "five digits"

[[examples.no_match]]
text = "XKL-123456"
reason = "part of a word"
"#;

#[test]
fn user_packs_add_rules_and_are_tested() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("acme");
    fs::create_dir(&pack).unwrap();
    fs::write(pack.join("customer_id.toml"), USER_RULE).unwrap();
    fs::write(dir.path().join("data.txt"), "order by KL-654321\n").unwrap();
    let found = ndjson(&run(
        dir.path(),
        &["scan", "data.txt", "--rules", "acme", "--format", "ndjson"],
    ));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["rule"], "acme.customer_id");
    let test = run(dir.path(), &["rules", "test", "acme"]);
    assert_eq!(test.status.code(), Some(0), "{}", stdout(&test));
    assert!(stdout(&test).contains("4 passed, 0 failed"));
    // A failing example makes `rules test` fail and name the rule and example.
    fs::write(
        pack.join("customer_id.toml"),
        USER_RULE.replace("KL-12345\"", "KL-999999\""),
    )
    .unwrap();
    let failing = run(dir.path(), &["rules", "test", "acme"]);
    assert_eq!(failing.status.code(), Some(1));
    assert!(
        stdout(&failing).contains("acme.customer_id") && stdout(&failing).contains("KL-999999")
    );
}

#[test]
fn broken_rule_files_are_refused_with_file_rule_and_problem() {
    let dir = tempfile::tempdir().unwrap();
    let bad_regex = USER_RULE.replace(r"\bKL-\d{6}\b", r"\bKL-(\d{6}\b");
    fs::write(dir.path().join("bad.toml"), bad_regex).unwrap();
    let out = run(dir.path(), &["scan", ".", "--rules", "bad.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("bad.toml")
            && err.contains("acme.customer_id")
            && err.contains("does not compile"),
        "{err}"
    );

    fs::write(
        dir.path().join("bad.toml"),
        USER_RULE.replace(
            "category = \"user.unique_id\"",
            "category = \"user.unique_id\"\nvalidator = \"luhnn\"",
        ),
    )
    .unwrap();
    let err = stderr(&run(dir.path(), &["rules", "list", "--rules", "bad.toml"]));
    // The file's value is not echoed (it may be the wrong file); the allowed names are.
    assert!(
        err.contains("the validator is none of the known ones: credit_card")
            && !err.contains("luhnn"),
        "{err}"
    );

    fs::write(dir.path().join("bad.toml"), "id = \"x\"\nname = \n").unwrap();
    let err = stderr(&run(dir.path(), &["rules", "list", "--rules", "bad.toml"]));
    assert!(err.contains("bad.toml") && err.contains("line 2"), "{err}");
}

#[test]
fn rules_list_explain_and_builtin_self_test() {
    let dir = root();
    let list = stdout(&run(&dir, &["rules", "list"]));
    for id in piiscan::ruleset::CONTRACT_RULE_IDS {
        assert!(
            list.lines().any(|l| l.starts_with(&format!("{id} "))),
            "{id} missing from rules list"
        );
    }
    let explain = stdout(&run(&dir, &["rules", "explain", "nl.bsn"]));
    assert!(
        explain.contains("11-proef")
            && explain.contains("burgerservicenummer")
            && explain.contains("Examples that must match")
    );
    let test = run(&dir, &["rules", "test"]);
    assert_eq!(test.status.code(), Some(0), "{}", stdout(&test));
    assert!(stdout(&test).contains(" 0 failed"));
}

#[test]
fn standard_input_include_exclude_hidden_and_size() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.log"), "ip 84.241.12.7\n").unwrap();
    fs::write(dir.path().join("b.txt"), "mail jan@voorbeeld.nl\n").unwrap();
    fs::create_dir(dir.path().join(".secret")).unwrap();
    fs::write(dir.path().join(".secret/c.txt"), "mail piet@voorbeeld.nl\n").unwrap();
    fs::write(
        dir.path().join("big.txt"),
        format!("{}\nmail kees@voorbeeld.nl\n", "x".repeat(4096)),
    )
    .unwrap();
    let paths = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["scan", ".", "--format", "ndjson"];
        a.extend_from_slice(args);
        let mut p: Vec<String> = ndjson(&run(dir.path(), &a))
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_string())
            .collect();
        p.sort();
        p.dedup();
        p
    };
    assert_eq!(paths(&[]), ["./a.log", "./b.txt", "./big.txt"]);
    assert_eq!(paths(&["--include", "*.log"]), ["./a.log"]);
    assert_eq!(paths(&["--exclude", "*.log"]), ["./b.txt", "./big.txt"]);
    assert_eq!(
        paths(&["--hidden"]),
        ["./.secret/c.txt", "./a.log", "./b.txt", "./big.txt"]
    );
    assert_eq!(paths(&["--max-filesize", "1K"]), ["./a.log", "./b.txt"]);

    let mut child = crate::common::piiscan()
        .args(["scan", "-", "--format", "ndjson"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"BSN: 111222333\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let found = ndjson(&out);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["path"], "-");
    assert_eq!(found[0]["rule"], "nl.bsn");
}

#[test]
fn a_closed_pipe_ends_the_scan_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let lines: String = (0..200_000)
        .map(|i| format!("regel {i} mail klant{i}@voorbeeld.nl\n"))
        .collect();
    fs::write(dir.path().join("many.txt"), lines).unwrap();
    let mut child = crate::common::piiscan()
        .current_dir(dir.path())
        .args(["scan", "many.txt", "--format", "ndjson"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    use std::io::BufRead;
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("\"rule\":\"email\""));
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty(), "no error message for a closed pipe");
}

/// docs/rules.md is generated from the rule files; regenerate it with
/// `cargo run -- rules list --format markdown > docs/rules.md`.
#[test]
fn the_committed_rule_reference_is_current() {
    let generated = stdout(&run(&root(), &["rules", "list", "--format", "markdown"]));
    let committed = fs::read_to_string(root().join("docs/rules.md")).unwrap_or_default();
    assert!(
        generated == committed,
        "docs/rules.md is stale: run `cargo run -- rules list --format markdown > docs/rules.md`"
    );
}

/// GitHub's anchor of a Markdown heading: lower case, spaces to hyphens, punctuation dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

#[test]
fn every_link_to_a_readme_heading_points_to_one_that_exists() {
    let readme = std::fs::read_to_string(crate::common::root().join("README.md")).expect("README");
    let headings: std::collections::HashSet<String> = readme
        .lines()
        .filter_map(|l| l.strip_prefix('#'))
        .map(|l| anchor(l.trim_start_matches('#')))
        .collect();
    let mut links: Vec<String> = readme
        .match_indices("](#")
        .filter_map(|(i, _)| {
            let rest = &readme[i + 3..];
            rest.find(')').map(|end| rest[..end].to_string())
        })
        .collect();
    let starter = piiscan::guard::config::STARTER;
    links.extend(starter.match_indices("piiscan/piiscan#").map(|(i, m)| {
        starter[i + m.len()..]
            .split(|c: char| c.is_whitespace() || c == ')')
            .next()
            .unwrap_or("")
            .to_string()
    }));
    assert!(!links.is_empty());
    for link in links {
        assert!(
            headings.contains(&link),
            "#{link} is no heading of README.md"
        );
    }
}

/// A summary line without its time: `71 findings · … · 11.5 kB in 0.93 s (0.0 MB/s)`.
fn untimed(line: &str) -> &str {
    line.rsplit_once(" in ").map_or(line, |(head, _)| head)
}

#[test]
fn the_readme_tour_shows_what_the_demo_scan_prints() {
    let readme = std::fs::read_to_string(crate::common::root().join("README.md")).expect("README");
    let tour = readme
        .split("$ piiscan scan fixtures/demo\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the tour's output block");
    let out = crate::common::run(&crate::common::root(), &["scan", "fixtures/demo"]);
    let printed = crate::common::stdout(&out);
    for line in tour
        .lines()
        .filter(|l| !l.trim().is_empty() && l.trim() != "...")
    {
        if line.contains(" findings · ") {
            let got = printed
                .lines()
                .find(|l| l.contains(" findings · "))
                .expect("a summary line");
            assert_eq!(untimed(line), untimed(got), "the tour's summary line");
        } else {
            assert!(
                printed.lines().any(|l| l == line),
                "the tour shows {line:?}, which the demo scan does not print"
            );
        }
    }
}

#[test]
fn the_readme_pins_pre_commit_to_this_versions_release_tag() {
    let readme = std::fs::read_to_string(crate::common::root().join("README.md")).expect("README");
    let rev = readme
        .lines()
        .find_map(|l| l.trim().strip_prefix("rev: "))
        .expect("a pre-commit rev in the README");
    assert_eq!(
        rev,
        format!("v{}", env!("CARGO_PKG_VERSION")),
        "tag the release the README names"
    );
    let hooks = std::fs::read_to_string(crate::common::root().join(".pre-commit-hooks.yaml"))
        .expect(".pre-commit-hooks.yaml");
    for id in ["id: piiscan", "id: piiscan-system"] {
        assert!(
            hooks.contains(id),
            "{id} missing from .pre-commit-hooks.yaml"
        );
    }
}
