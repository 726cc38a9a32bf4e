//! Office documents read as text: every part a person wrote in (body, headers, footers,
//! comments, notes, properties) is scanned, inside archives too; broken and legacy documents are
//! named with exit 2. Fixtures: fixtures/documents (made by its make.py with python-docx,
//! python-pptx and odfpy).

use crate::common::{ndjson, root, run, stderr};
use serde_json::Value;

fn scan(args: &[&str]) -> (Vec<Value>, Option<i32>, String) {
    let mut a = vec!["scan", "--format", "ndjson", "-q"];
    a.extend_from_slice(args);
    let out = run(&root().join("fixtures/documents"), &a);
    (ndjson(&out), out.status.code(), stderr(&out))
}

/// The rules found in `path`, sorted, each once.
fn rules_in(found: &[Value], path: &str) -> Vec<String> {
    let mut rules: Vec<String> = found
        .iter()
        .filter(|f| f["path"] == path)
        .map(|f| f["rule"].as_str().unwrap_or("").to_string())
        .collect();
    rules.sort();
    rules.dedup();
    rules
}

/// Whether a finding of `rule` in `path` has this masked evidence.
fn has(found: &[Value], path: &str, rule: &str, evidence: &str) -> bool {
    found.iter().any(|f| {
        f["path"] == path && f["rule"] == rule && f["evidence"] == evidence && f["line"].is_u64()
    })
}

#[test]
fn word_text_headers_footers_comments_and_author() {
    let (found, code, err) = scan(&["cv.docx"]);
    assert_eq!(code, Some(0), "{err}");
    // Body.
    assert!(has(&found, "cv.docx", "email", "j***@e******.nl"));
    assert!(has(&found, "cv.docx", "iban", "****************00"));
    // Header and footer.
    assert!(has(&found, "cv.docx", "email", "p***@e******.org"));
    assert!(has(&found, "cv.docx", "nl.bsn", "*******33"));
    // The comment and the author property.
    assert!(has(&found, "cv.docx", "email", "s***@v********.nl"));
    assert!(has(&found, "cv.docx", "person_name", "K*** S***"));
}

#[test]
fn powerpoint_and_opendocument() {
    let (found, code, err) = scan(&["kandidaat.pptx", "brief.odt", "presentatie.odp"]);
    assert_eq!(code, Some(0), "{err}");
    // Slide text, speaker notes and the author.
    assert!(has(&found, "kandidaat.pptx", "email", "j***@e******.nl"));
    assert!(has(&found, "kandidaat.pptx", "email", "p***@e******.org"));
    assert!(has(&found, "kandidaat.pptx", "person_name", "K*** S***"));
    // ODT: body, the footer of the master page, the creator.
    assert_eq!(
        rules_in(&found, "brief.odt"),
        ["email", "iban", "nl.bsn", "person_name"]
    );
    assert_eq!(
        rules_in(&found, "presentatie.odp"),
        ["email", "iban", "nl.bsn", "person_name"]
    );
}

#[test]
fn documents_inside_an_archive_are_documents() {
    let (found, code, err) = scan(&["hr.zip"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        rules_in(&found, "hr.zip!cv.docx"),
        ["email", "iban", "nl.bsn", "person_name"]
    );
    assert_eq!(
        rules_in(&found, "hr.zip!brief.odt"),
        ["email", "iban", "nl.bsn", "person_name"]
    );
}

#[test]
fn broken_and_legacy_documents_are_named() {
    let (found, code, err) = scan(&["broken.docx", "oud.doc", "cv.docx"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.lines()
            .any(|l| l.contains("broken.docx") && l.contains("not a readable document")),
        "{err}"
    );
    assert!(
        err.lines()
            .any(|l| l.contains("oud.doc") && l.contains("legacy Word document")),
        "{err}"
    );
    assert!(found.iter().any(|f| f["path"] == "cv.docx"));
}

#[test]
fn anonymise_refuses_a_document() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.toml");
    std::fs::write(&policy, "on_unlisted = \"keep\"\n").unwrap();
    let out_path = dir.path().join("out.docx");
    let out = run(
        &root().join("fixtures/documents"),
        &[
            "anonymise",
            "cv.docx",
            "--policy",
            policy.to_str().unwrap(),
            "--out",
            out_path.to_str().unwrap(),
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("office document is not rewritten"), "{err}");
    assert!(!out_path.exists());
}
