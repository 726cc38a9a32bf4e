//! Personal data in a file's name (issue 12, attacker pass): `111222333.pdf`, a CSV named
//! after a customer's e-mail address (whose table then has that name), a statement named after
//! an IBAN. The name is itself a finding, located on the path, so it is never silent; the
//! outputs a person reads (the terminal table, inventory Markdown, the data map, register
//! exports) mask the matched part unless `--show-values`; the formats tools use to find the
//! file (NDJSON, JSON, SARIF, GitHub, JUnit) keep the true path.

use crate::common::{piiscan, stderr, stdout};
use std::path::Path;
use std::process::Output;

const BSN: &str = "111222333";
const EMAIL: &str = "jan.jansen@example.nl";
const IBAN: &str = "NL91ABNA0417164300";

fn run(dir: &Path, args: &[&str]) -> Output {
    piiscan()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run piiscan")
}

/// A folder whose file names hold personal data and whose contents hold none.
fn project(d: &Path) {
    let data = d.join("data");
    std::fs::create_dir_all(&data).expect("mkdir");
    std::fs::write(data.join(format!("{BSN}.pdf")), "scan of a letter\n").expect("write");
    std::fs::write(data.join(format!("{EMAIL}.csv")), "id,status\n1,open\n").expect("write");
    std::fs::write(data.join(format!("afschrift-{IBAN}.txt")), "saldo 12\n").expect("write");
    std::fs::write(data.join("report-2024.txt"), "nothing here\n").expect("write");
}

fn holds_a_value(s: &str) -> Option<&'static str> {
    [BSN, EMAIL, IBAN].into_iter().find(|v| s.contains(v))
}

#[test]
fn a_name_holding_personal_data_is_a_finding_located_on_the_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    project(d);
    let o = run(
        d,
        &["scan", "data", "--format", "ndjson", "--fail-on", "medium"],
    );
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let on_path: Vec<&serde_json::Value> =
        lines.iter().filter(|v| v["location"] == "path").collect();
    let rules: Vec<&str> = on_path.iter().filter_map(|v| v["rule"].as_str()).collect();
    assert!(rules.contains(&"nl.bsn"), "{lines:?}");
    assert!(rules.contains(&"email"), "{lines:?}");
    assert!(rules.contains(&"iban"), "{lines:?}");
    for v in &on_path {
        // The true path, and offsets into it that point at the value.
        let path = v["path"].as_str().expect("path");
        let (s, e) = (
            v["byte_start"].as_u64().expect("start") as usize,
            v["byte_end"].as_u64().expect("end") as usize,
        );
        let value = &path[s..e];
        assert!([BSN, EMAIL, IBAN].contains(&value), "{path} {s}..{e}");
        // The evidence is masked.
        assert!(
            holds_a_value(v["evidence"].as_str().expect("evidence")).is_none(),
            "{v}"
        );
    }
    assert!(
        !lines.iter().any(|v| v["path"]
            .as_str()
            .is_some_and(|p| p.contains("report-2024"))),
        "a plain name is no finding: {lines:?}"
    );
}

#[test]
fn human_outputs_mask_names_and_tool_formats_keep_the_true_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    project(d);
    // Read by a person: masked.
    for args in [
        &["scan", "data"][..],
        &["inventory", "data"],
        &["inventory", "data", "--format", "html"],
    ] {
        let o = run(d, args);
        let all = format!("{}{}", stdout(&o), stderr(&o));
        assert_eq!(holds_a_value(&all), None, "{args:?}: {all}");
        // Only the matched part is masked: the rest of the name stays readable.
        assert!(all.contains("afschrift-"), "{args:?}: {all}");
    }
    let table = stdout(&run(d, &["scan", "data"]));
    assert!(table.contains("file name"), "{table}");
    assert!(table.contains("*******33.pdf"), "{table}");
    // Asked for: shown.
    let shown = stdout(&run(d, &["scan", "data", "--show-values"]));
    assert!(shown.contains(&format!("data/{BSN}.pdf")), "{shown}");
    // Used by tools to find the file: the true path.
    for format in ["sarif", "github", "junit", "json", "ndjson"] {
        let o = run(d, &["scan", "data", "--format", format]);
        let out = stdout(&o);
        assert!(out.contains(&format!("{BSN}.pdf")), "{format}: {out}");
        // SARIF writes the path as a URI (`@` as `%40`).
        assert!(
            out.contains(&format!("{EMAIL}.csv"))
                || out.contains(&format!("{}.csv", EMAIL.replace('@', "%40"))),
            "{format}: {out}"
        );
    }
}

#[test]
fn register_exports_mask_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    project(d);
    // A table of e-mail addresses in a file named after one: the table name is masked too.
    std::fs::write(
        d.join(format!("data/{EMAIL}.csv")),
        "email\npiet@voorbeeld.nl\nkees@voorbeeld.nl\n",
    )
    .expect("write");
    let o = run(d, &["register", "draft", "data"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    for format in ["md", "csv", "html", "json"] {
        let o = run(d, &["register", "export", "--format", format]);
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(0), "{format}: {out}{}", stderr(&o));
        assert_eq!(holds_a_value(&out), None, "{format}: {out}");
        assert!(out.contains("*******33.pdf"), "{format}: {out}");
    }
}
