//! No message prints the content of a file the user gave (issue 12, attacker pass): a file
//! given by mistake where a rule pack, a configuration, a policy, a baseline, a register file
//! or a key file is expected may hold keys or personal data. Every loader's errors give the
//! file, the line (and column where the parser has one), the kind of problem and the names
//! allowed, and never the file's unknown keys or values. Each case plants a secret where the
//! loader will complain about it and looks for it in everything printed.

use crate::common::{piiscan, stderr, stdout};
use std::path::Path;
use std::process::Output;

/// The planted secret: a plain name, so a sanitiser that shows "names" would show it.
const SECRET: &str = "Hunter2Secret";

fn write(dir: &Path, name: &str, text: &str) {
    if let Some(p) = dir.join(name).parent() {
        std::fs::create_dir_all(p).expect("mkdir");
    }
    std::fs::write(dir.join(name), text).expect("write");
}

fn run(dir: &Path, args: &[&str]) -> Output {
    piiscan()
        .current_dir(dir)
        .env("PIISCAN_KEY", "0123456789abcdef0123456789abcdef")
        .args(args)
        .output()
        .expect("run piiscan")
}

/// The run failed, named `file` (and `wanted`), and printed no trace of the secret.
fn refused_without_echo(o: &Output, case: &str, file: &str, wanted: &[&str]) {
    let (out, err) = (stdout(o), stderr(o));
    assert_ne!(o.status.code(), Some(0), "{case}: {out}{err}");
    let all = format!("{out}{err}");
    assert!(
        !all.contains(SECRET),
        "{case}: the secret was printed: {all}"
    );
    assert!(
        !all.contains("unter2"),
        "{case}: part of the secret was printed: {all}"
    );
    assert!(err.contains(file), "{case}: the file is not named: {err}");
    for w in wanted {
        assert!(err.contains(w), "{case}: {w:?} not in {err}");
    }
}

#[test]
fn configuration_errors_never_echo_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "x.csv", "a,b\n1,2\n");
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "key",
            "Hunter2Secret = \"zzz\"\n",
            &["line 1", "unknown field", "`fail-on`"],
        ),
        (
            "level",
            "exclude = []\nmin-confidence = \"Hunter2Secret\"\n",
            &["line 2", "`medium`"],
        ),
        (
            "regex",
            "[[allow]]\nregex = \"(Hunter2Secret\"\n",
            &["line 1", "regex", "does not compile"],
        ),
        (
            "glob",
            "exclude = []\n[[allow]]\npaths = [\"[Hunter2Secret\"]\n",
            &["line 2", "paths", "glob"],
        ),
        (
            "rule",
            "[[allow]]\nrules = [\"Hunter2Secret\"]\n",
            &["line 1", "rules"],
        ),
        (
            "exclude",
            "exclude = [\"[Hunter2Secret\"]\n",
            &["pattern #1", "glob"],
        ),
        (
            "size",
            "max-filesize = \"Hunter2Secret\"\n",
            &["max-filesize"],
        ),
        ("only", "only = [\"Hunter2Secret\"]\n", &["no rule has"]),
        ("toml", "Hunter2Secret\n", &["line 1"]),
        ("value", "hidden = \"Hunter2Secret\"\n", &["line 1"]),
    ];
    for (name, text, wanted) in cases {
        let file = format!("{name}.toml");
        write(d, &file, text);
        let o = run(d, &["scan", "x.csv", "--config", &file]);
        refused_without_echo(&o, name, if *name == "only" { "" } else { &file }, wanted);
    }
}

#[test]
fn rule_pack_errors_never_echo_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "x.csv", "a,b\n1,2\n");
    let rule = |extra: &str, pattern: &str| {
        format!(
            "id = \"my.rule\"\nname = \"Mine\"\ncategory = \"user.contact.email\"\nwhat = \"w\"\nwhy = \"w\"\nreferences = [\"r\"]\n{extra}\n[[patterns]]\nname = \"p\"\nregex = '''{pattern}'''\n[[examples.match]]\ntext = \"ab\"\nreason = \"r\"\n[[examples.match]]\ntext = \"abb\"\nreason = \"r\"\n[[examples.no_match]]\ntext = \"x\"\nreason = \"r\"\n[[examples.no_match]]\ntext = \"y\"\nreason = \"r\"\n"
        )
    };
    let cases: Vec<(&str, String, &[&str])> = vec![
        (
            "key",
            "Hunter2Secret = 1\n".to_string(),
            &["line 1", "unknown field", "`category`"],
        ),
        ("string", "Hunter2Secret\n".to_string(), &["line 1"]),
        (
            "validator",
            rule("validator = \"Hunter2Secret\"", "ab+"),
            &["validator", "nl_bsn"],
        ),
        (
            "confidence",
            rule("confidence = \"Hunter2Secret\"", "ab+"),
            &["low, medium or high"],
        ),
        (
            "category",
            rule("", "ab+").replace("user.contact.email", "Hunter2Secret"),
            &["taxonomy"],
        ),
        ("regex", rule("", "(Hunter2Secret"), &["does not compile"]),
        (
            "id",
            rule("", "ab+").replace("my.rule", "Hunter2Secret"),
            &["rule ?"],
        ),
    ];
    for (name, text, wanted) in cases {
        let file = format!("{name}.toml");
        write(d, &file, &text);
        let o = run(d, &["scan", "x.csv", "--rules", &file]);
        refused_without_echo(&o, name, &file, wanted);
    }
}

#[test]
fn policy_errors_never_echo_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "x.csv", "a,b\n1,2\n");
    let entry = |extra: &str| format!("[[column]]\nname = \"a\"\n{extra}\n");
    let cases: Vec<(&str, String, &[&str])> = vec![
        (
            "key",
            "Hunter2Secret = 1\n".to_string(),
            &["line 1", "unknown field", "`on_unlisted`"],
        ),
        (
            "method",
            entry("method = \"Hunter2Secret\""),
            &["line 1", "[[column]] #1", "hmac"],
        ),
        (
            "unlisted",
            "on_unlisted = \"Hunter2Secret\"\n".to_string(),
            &["line 1", "\"keep\""],
        ),
        (
            "format",
            entry("method = \"hmac\"\nformat = \"Hunter2Secret\""),
            &["format", "base32"],
        ),
        (
            "normalise",
            entry("method = \"hmac\"\nnormalise = \"Hunter2Secret\""),
            &["normalise", "digits"],
        ),
        (
            "to",
            entry("method = \"generalise\"\nto = \"Hunter2Secret\""),
            &["age_band"],
        ),
        (
            "reference",
            entry("method = \"generalise\"\nto = \"age_band\"\nreference_date = \"Hunter2Secret\""),
            &["YYYY-MM-DD"],
        ),
        (
            "invalid",
            entry("method = \"redact\"\non_invalid = \"Hunter2Secret\""),
            &["`redact`"],
        ),
        (
            "field",
            entry("method = \"redact\"\nHunter2Secret = 1"),
            &["unknown field", "`keep_first`"],
        ),
        (
            "glob",
            "[[column]]\nname = \"[Hunter2Secret\"\nmethod = \"drop\"\n".to_string(),
            &["[[column]] #1", "glob"],
        ),
        (
            "number",
            entry("method = \"mask\"\nkeep_first = \"Hunter2Secret\""),
            &["line 4"],
        ),
    ];
    for (name, text, wanted) in cases {
        let file = format!("{name}.toml");
        write(d, &file, &text);
        let o = run(
            d,
            &["anonymise", "x.csv", "--policy", &file, "--out", "o.csv"],
        );
        refused_without_echo(&o, name, &file, wanted);
    }
}

#[test]
fn baseline_key_and_register_errors_never_echo_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "x.csv", "a,b\n1,2\n");
    for (name, text) in [
        ("b1.json", "{\"Hunter2Secret\": 1}\n"),
        ("b2.json", "{\"piiscan_baseline\": \"Hunter2Secret\"}\n"),
        ("b3.json", "Hunter2Secret\n"),
    ] {
        write(d, name, text);
        let o = run(d, &["scan", "x.csv", "--baseline", name]);
        refused_without_echo(&o, name, name, &[]);
    }
    // A policy's key file that is no hex key.
    write(d, "k.hex", "Hunter2Secret-Hunter2Secret-Hunter2Secret\n");
    write(
        d,
        "p.toml",
        "[[column]]\nname = \"a\"\nmethod = \"hmac\"\nkey_file = \"k.hex\"\n[[column]]\nname = \"b\"\nmethod = \"keep\"\n",
    );
    let o = run(
        d,
        &["anonymise", "x.csv", "--policy", "p.toml", "--out", "o.csv"],
    );
    refused_without_echo(&o, "key_file", "k.hex", &["hexadecimal"]);
    // --key-file likewise.
    let o = run(
        d,
        &[
            "anonymise",
            "x.csv",
            "--policy",
            "p.toml",
            "--out",
            "o.csv",
            "--key-file",
            "k.hex",
        ],
    );
    refused_without_echo(&o, "--key-file", "k.hex", &[]);
}

#[test]
fn register_files_never_echo_their_content() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "data/klanten.csv",
        "email\njan@voorbeeld.nl\npiet@voorbeeld.nl\n",
    );
    let o = run(d, &["register", "draft", "data"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let acts = d.join("register/activities");
    let act = std::fs::read_dir(&acts)
        .expect("activities")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "toml"))
        .expect("an activity");
    let original = std::fs::read_to_string(&act).expect("read");
    // A value that is no allowed status and no legal basis.
    let edited = original
        .replace("status = \"concept\"", "status = \"Hunter2Secret\"")
        .replace("legal_basis = \"\"", "legal_basis = \"Hunter2Secret\"");
    assert_ne!(edited, original, "the draft has a status and a legal basis");
    std::fs::write(&act, &edited).expect("edit");
    let o = run(d, &["register", "check", "data"]);
    let all = format!("{}{}", stdout(&o), stderr(&o));
    assert!(!all.contains(SECRET), "{all}");
    assert!(
        all.contains("INVALID_VALUE") || all.contains("status"),
        "{all}"
    );
    // Not TOML at all.
    std::fs::write(&act, format!("{original}\nHunter2Secret\n")).expect("edit");
    let o = run(d, &["register", "check", "data"]);
    let name = act
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    refused_without_echo(&o, "register toml", &name, &["line"]);
    std::fs::write(d.join("register/register.toml"), "Hunter2Secret = [\n").expect("edit");
    std::fs::write(&act, &original).expect("restore");
    let o = run(d, &["register", "check", "data"]);
    refused_without_echo(&o, "register.toml", "register.toml", &["line"]);
}
