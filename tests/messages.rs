//! Messages a person reads (issue 17, item 12): an error said once, no Rust type names, and
//! counts and statistics worded to fit one value (or none).

use crate::common::{code, run, stderr, stdout};
use std::path::Path;

fn put(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn a_rule_pack_error_is_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, "a.txt", "hallo\n");
    for args in [
        &["scan", "a.txt", "--rules", "missing.toml"][..],
        &["inventory", "a.txt", "--rules", "missing.toml"][..],
        &["rules", "list", "--rules", "missing.toml"][..],
    ] {
        let out = run(d, args);
        assert_eq!(code(&out), 2, "{args:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert_eq!(
            err.matches("No such file or directory").count(),
            1,
            "{args:?}: {err}"
        );
        assert!(err.contains("missing.toml"), "{err}");
    }
    // An empty pack folder is named, not silently a pack of no rules.
    std::fs::create_dir(d.join("packs")).unwrap();
    let out = run(d, &["scan", "a.txt", "--rules", "packs"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("packs: no rule files (*.toml) in this folder"),
        "{}",
        stderr(&out)
    );
    // A pack named by the configuration and the flag alike is read once, not "defined twice".
    put(
        d,
        "packs/id.toml",
        &std::fs::read_to_string(crate::common::root().join("rules/generic/email.toml"))
            .unwrap()
            .replace("id = \"email\"", "id = \"acme.email\""),
    );
    put(d, ".piiscan.toml", "rules = [\"packs\"]\n");
    let out = run(d, &["scan", "a.txt", "--rules", "packs", "-q"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = run(d, &["scan", "a.txt", "--rules", "./packs/", "-q"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn counts_and_statistics_fit_one_value() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, "one.csv", "postcode4,geboortejaar\n3511,1985\n");
    let out = run(d, &["risk", "one.csv", "--quasi", "postcode4,geboortejaar"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("1 record, so it is unique"), "{text}");
    assert!(!text.contains("records") && !text.contains('%'), "{text}");
    put(d, "none.csv", "postcode4,geboortejaar\n");
    let text = stdout(&run(
        d,
        &["risk", "none.csv", "--quasi", "postcode4,geboortejaar"],
    ));
    assert!(text.contains("no records, nothing to measure"), "{text}");
    put(
        d,
        "two.csv",
        "postcode4,geboortejaar\n3511,1985\n3511,1985\n",
    );
    let text = stdout(&run(
        d,
        &["risk", "two.csv", "--quasi", "postcode4,geboortejaar"],
    ));
    assert!(text.contains("2 records, 1 class, k = 2"), "{text}");

    // One finding in one file; a mention in one of several values.
    put(d, "a.txt", "mail jan@voorbeeld.nl\n");
    let text = stdout(&run(d, &["scan", "a.txt"]));
    assert!(text.contains("1 finding · 1 file scanned"), "{text}");
    put(
        d,
        "notes.csv",
        "id,opmerking\n1,bel morgen terug\n2,mail naar jan@voorbeeld.nl\n3,geen\n",
    );
    let text = stdout(&run(d, &["inventory", "notes.csv"]));
    assert!(
        text.contains("1 of 3 sampled values contains email"),
        "{text}"
    );
    // A sample of one row.
    let big: String = std::iter::once("email\n".to_string())
        .chain((0..5).map(|i| format!("k{i}@voorbeeld.nl\n")))
        .collect();
    put(d, "k.csv", &big);
    let err = stderr(&run(
        d,
        &["scan", "k.csv", "--sample-rows", "1", "--format", "json"],
    ));
    assert!(
        err.contains("sampled, the first row (more followed) read"),
        "{err}"
    );
}
