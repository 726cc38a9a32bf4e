//! One set of reading settings for every command (issue 17, item 9): `inventory` and
//! `register draft|update|check` honour `.piiscan.toml` (include, exclude, rules, sample-rows)
//! and take the same `--include/--exclude/--rules/--only/--disable` flags as `scan`; an
//! allowlist naming a rule that `--only`/`--disable` leaves out is no conflict; a glob such as
//! `acme/logs/**` works whichever folder is given, or says why it matched nothing.

use crate::common::{code, run, stderr, stdout};
use std::path::Path;

fn put(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A user rule with a category no built-in rule has.
const CONTRACT_RULE: &str = r#"
id = "acme.contract"
name = "ACME contract number"
category = "user.financial.acme_contract"
what = "ACME contract numbers CT-1234567."
why = "They identify a customer's contract."
references = ["internal numbering policy"]

[[patterns]]
name = "ct"
regex = '''\bCT-\d{7}\b'''

[[examples.match]]
text = "contract CT-1234567"
reason = "the format"

[[examples.match]]
text = "CT-0000001 opgezegd"
reason = "leading zeros"

[[examples.no_match]]
text = "CT-123456"
reason = "six digits"

[[examples.no_match]]
text = "XCT-1234567"
reason = "part of a word"
"#;

/// A small project: a CRM export, logs, test fixtures, and a user pack.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(
        d,
        "acme/crm/klanten.csv",
        "naam,email,contract\nJan Jansen,jan.jansen@gmail.com,CT-1234567\nPiet de Vries,piet@voorbeeld.nl,CT-7654321\n",
    );
    put(d, "acme/logs/app.log", "login by kees@voorbeeld.nl\n");
    put(d, "acme/fixtures/test.csv", "email\ntest@voorbeeld.nl\n");
    put(d, "packs/contract.toml", CONTRACT_RULE);
    dir
}

fn inventory_json(dir: &Path, args: &[&str]) -> Vec<serde_json::Value> {
    let mut a = vec!["inventory", "--format", "json", "-q"];
    a.extend_from_slice(args);
    let out = run(dir, &a);
    assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
    serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)))
}

fn datasets(entries: &[serde_json::Value]) -> Vec<String> {
    let mut v: Vec<String> = entries
        .iter()
        .map(|e| {
            e["dataset"]
                .as_str()
                .unwrap()
                .trim_start_matches("./")
                .to_string()
        })
        .collect();
    v.dedup();
    v
}

#[test]
fn the_inventory_honours_the_configuration() {
    let dir = project();
    let d = dir.path();
    // Without a configuration: every dataset, built-in rules only.
    let all = inventory_json(d, &["."]);
    assert_eq!(
        datasets(&all),
        [
            "acme/crm/klanten.csv",
            "acme/fixtures/test.csv",
            "acme/logs/app.log"
        ]
    );
    assert!(!all.iter().any(|e| e["rule"] == "acme.contract"));

    put(
        d,
        ".piiscan.toml",
        "rules = [\"packs\"]\nexclude = [\"acme/fixtures/**\"]\ninclude = [\"*.csv\"]\nsample-rows = 1\n",
    );
    let inv = inventory_json(d, &["."]);
    assert_eq!(datasets(&inv), ["acme/crm/klanten.csv"], "{inv:?}");
    let contract = inv
        .iter()
        .find(|e| e["field"] == "contract")
        .unwrap_or_else(|| panic!("{inv:?}"));
    assert_eq!(contract["rule"], "acme.contract", "{contract}");
    // sample-rows = 1: one row read per table.
    assert_eq!(contract["rows_scanned"], 1, "{contract}");

    // Flags win over the configuration, as with scan.
    let inv = inventory_json(d, &[".", "--include", "*.log", "--sample-rows", "0"]);
    assert_eq!(datasets(&inv), ["acme/logs/app.log"], "{inv:?}");
    let inv = inventory_json(d, &[".", "--no-config", "--exclude", "crm"]);
    assert_eq!(
        datasets(&inv),
        ["acme/fixtures/test.csv", "acme/logs/app.log"],
        "{inv:?}"
    );
    let inv = inventory_json(d, &[".", "--disable", "acme.contract"]);
    assert!(!inv.iter().any(|e| e["rule"] == "acme.contract"), "{inv:?}");
}

#[test]
fn the_register_reads_what_scan_reads_and_check_knows_user_categories() {
    let dir = project();
    let d = dir.path();
    put(d, ".piiscan.toml", "exclude = [\"acme/fixtures/**\"]\n");
    let out = run(
        d,
        &[
            "register", "draft", "acme", "--rules", "packs", "--lang", "en",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut text = String::new();
    for e in walkdir::WalkDir::new(d.join("register"))
        .into_iter()
        .flatten()
    {
        if e.file_type().is_file() {
            text += &std::fs::read_to_string(e.path()).unwrap();
        }
    }
    assert!(
        text.contains("klanten.csv") && text.contains("app.log"),
        "{text}"
    );
    assert!(
        !text.contains("fixtures"),
        "the configured exclude is honoured: {text}"
    );
    assert!(text.contains("user.financial.acme_contract"), "{text}");

    // The person declares the category the pack found.
    let activity = std::fs::read_dir(d.join("register/activities"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            std::fs::read_to_string(p).unwrap().contains("klanten.csv")
                || p.to_string_lossy().contains("customer")
        })
        .expect("an activity");
    let text = std::fs::read_to_string(&activity).unwrap();
    assert!(text.contains("\ncategories = []\n"), "{text}");
    std::fs::write(
        &activity,
        text.replace(
            "\ncategories = []\n",
            "\ncategories = [\"user.financial.acme_contract\"]\n",
        ),
    )
    .unwrap();
    // A fresh scan with the same pack: the user category is current, not stale.
    let check = |extra: &[&str]| {
        let mut a = vec!["register", "check", "acme", "--format", "json"];
        a.extend_from_slice(extra);
        let out = run(d, &a);
        let v: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
        v.as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "STALE_CATEGORY")
            .count()
    };
    assert_eq!(check(&["--rules", "packs"]), 0);
    // Without the pack its category is no longer found: that is what stale means.
    assert!(check(&[]) > 0);
    // The pack in the configuration counts as given.
    put(
        d,
        ".piiscan.toml",
        "rules = [\"packs\"]\nexclude = [\"acme/fixtures/**\"]\n",
    );
    assert_eq!(check(&[]), 0);
}

#[test]
fn an_allowlist_naming_a_rule_not_run_is_no_conflict() {
    let dir = project();
    let d = dir.path();
    put(
        d,
        ".piiscan.toml",
        "rules = [\"packs\"]\n\n[[allow]]\nrules = [\"iban\"]\nreason = \"test IBANs\"\n\n[[allow]]\nrules = [\"acme.contract\"]\npaths = [\"acme/fixtures/**\"]\nreason = \"fixtures\"\n",
    );
    for flags in [
        &["--only", "email"][..],
        &["--disable", "iban,acme.contract"][..],
        &["--only", "email,person_name"][..],
    ] {
        let mut a = vec!["scan", ".", "-q", "--format", "json"];
        a.extend_from_slice(flags);
        let out = run(d, &a);
        assert_eq!(code(&out), 0, "{flags:?}: {}", stderr(&out));
    }
    // An id no pack defines is still refused, naming the file and line.
    put(d, ".piiscan.toml", "[[allow]]\nrules = [\"ibann\"]\n");
    let out = run(d, &["scan", ".", "--only", "email"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains(".piiscan.toml: line") && stderr(&out).contains("no rule has"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_folder_glob_works_whichever_folder_is_given_or_says_why_not() {
    let dir = project();
    let d = dir.path();
    let files = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["scan", "-q", "--format", "json"];
        a.extend_from_slice(args);
        let out = run(d, &a);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut p: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                f["path"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("./")
                    .to_string()
            })
            .collect();
        p.dedup();
        p
    };
    for given in [".", "acme", "./acme", "acme/logs"] {
        assert_eq!(
            files(&[given, "--include", "acme/logs/**"]),
            ["acme/logs/app.log"],
            "scan {given}"
        );
        let kept = files(&[
            given,
            "--exclude",
            "acme/logs/**",
            "--exclude",
            "acme/fixtures",
        ]);
        assert!(
            !kept
                .iter()
                .any(|p| p.contains("logs") || p.contains("fixtures")),
            "scan {given}: {kept:?}"
        );
    }
    // The project root is the configuration's folder: a configured glob holds for a subfolder.
    put(d, ".piiscan.toml", "exclude = [\"acme/crm/**\"]\n");
    let sub = d.join("acme");
    let out = run(&sub, &["scan", ".", "-q", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["stats"]["skipped_by_reason"]["excluded"]["files"], 1,
        "{}",
        v["stats"]
    );
    std::fs::remove_file(d.join(".piiscan.toml")).unwrap();

    // A glob that matches nothing says so, and how globs are matched.
    let out = run(d, &["scan", "acme", "--include", "acme/log/**"]);
    assert_eq!(code(&out), 0);
    let err = stderr(&out);
    assert!(
        err.contains("include glob 'acme/log/**' matched no path below acme")
            && err.contains("the path below each path given"),
        "{err}"
    );
    let out = run(d, &["inventory", "acme", "--exclude", "nothing-here/**"]);
    assert!(
        stderr(&out).contains("exclude glob 'nothing-here/**' matched no path"),
        "{}",
        stderr(&out)
    );
}
