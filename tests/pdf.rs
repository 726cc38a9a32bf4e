//! PDF documents: the text layer of every page, found at `file.pdf!page N` with the line on
//! that page, the document properties and XMP metadata at `file.pdf!metadata`; a PDF without
//! a text layer, an encrypted, a damaged or a cut PDF is named with exit 2, never a hang.
//! Fixtures: fixtures/pdf (made by its make.sh with headless Chromium and qpdf).

use crate::common::{ndjson, root, run, stderr};
use serde_json::Value;

fn scan(args: &[&str]) -> (Vec<Value>, Option<i32>, String) {
    let mut a = vec!["scan", "--format", "ndjson", "-q"];
    a.extend_from_slice(args);
    let out = run(&root().join("fixtures/pdf"), &a);
    (ndjson(&out), out.status.code(), stderr(&out))
}

/// (path, rule, line, masked evidence) of every finding.
fn located(found: &[Value]) -> Vec<(String, String, u64, String)> {
    found
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or("").to_string(),
                f["rule"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["evidence"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Asserts each (path, rule, evidence) is found, at some line.
fn assert_found(found: &[Value], want: &[(&str, &str, &str)]) {
    let got = located(found);
    for (path, rule, evidence) in want {
        assert!(
            got.iter()
                .any(|(p, r, _, e)| p == path && r == rule && e == evidence),
            "{rule} {evidence} at {path} not in {got:#?}"
        );
    }
}

#[test]
fn every_planted_value_is_found_on_its_page() {
    let (found, code, err) = scan(&["rapport.pdf"]);
    assert_eq!(code, Some(0), "{err}");
    assert_found(
        &found,
        &[
            ("rapport.pdf!page 1", "email", "j***@e******.nl"),
            ("rapport.pdf!page 1", "iban", "**** **** **** **** 00"),
            ("rapport.pdf!page 2", "nl.bsn", "*******33"),
            ("rapport.pdf!page 2", "phone", "+** * ******78"),
            ("rapport.pdf!page 3", "email", "s***@v********.nl"),
            // The information dictionary and the XMP packet.
            ("rapport.pdf!metadata", "person_name", "K*** S***"),
            ("rapport.pdf!metadata", "nl.bsn", "*******82"),
            ("rapport.pdf!metadata", "email", "k***@e******.org"),
            ("rapport.pdf!metadata", "email", "m***@e******.com"),
            ("rapport.pdf!metadata", "person_name", "M****** V*****"),
        ],
    );
    // Lines are counted from the top of each page: the IBAN is on page 1's fourth line.
    let got = located(&found);
    assert!(
        got.iter()
            .any(|(p, r, l, _)| p == "rapport.pdf!page 1" && r == "iban" && *l == 4),
        "{got:#?}"
    );
    assert!(
        got.iter()
            .any(|(p, r, l, _)| p == "rapport.pdf!page 2" && r == "nl.bsn" && *l == 2),
        "{got:#?}"
    );
}

#[test]
fn the_document_is_one_input_and_one_dataset() {
    let out = run(
        &root().join("fixtures/pdf"),
        &["scan", "--format", "json", "-q", "rapport.pdf"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["stats"]["files"], 1, "{}", doc["stats"]);
    let inventory = doc["inventory"].as_array().expect("inventory");
    assert!(!inventory.is_empty());
    assert!(
        inventory.iter().all(|e| e["dataset"] == "rapport.pdf"),
        "{inventory:#?}"
    );
}

#[test]
fn a_pdf_without_a_text_layer_is_named() {
    let (found, code, err) = scan(&["scan.pdf", "rapport.pdf"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.lines()
            .any(|l| l.contains("scan.pdf") && l.contains("no text layer") && l.contains("--ocr")),
        "{err}"
    );
    assert!(found.iter().any(|f| f["path"] == "rapport.pdf!page 2"));
}

#[test]
fn encrypted_pdfs_are_named_and_owner_only_ones_read() {
    let (found, code, err) = scan(&["encrypted.pdf", "owner-only.pdf"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.lines().any(|l| l.contains("encrypted.pdf")
            && l.contains("encrypted")
            && l.contains("not scanned")),
        "{err}"
    );
    assert!(!found.iter().any(|f| f["path"]
        .as_str()
        .unwrap_or("")
        .starts_with("encrypted.pdf")));
    // A PDF that restricts only printing and copying opens without a password: it is read.
    assert_found(&found, &[("owner-only.pdf!page 2", "nl.bsn", "*******33")]);
}

#[test]
fn a_broken_xref_and_a_cut_file_are_named_never_a_hang() {
    let started = std::time::Instant::now();
    let (found, code, err) = scan(&["broken-xref.pdf", "truncated.pdf", "rapport.pdf"]);
    assert!(started.elapsed().as_secs() < 60);
    assert_eq!(code, Some(2), "{err}");
    for name in ["broken-xref.pdf", "truncated.pdf"] {
        assert!(
            err.lines().any(|l| l.contains(name)),
            "{name} not named: {err}"
        );
    }
    assert!(!err.contains("panicked"), "{err}");
    // The rebuilt table still gives the pages it could find.
    assert!(
        found.iter().any(|f| f["path"] == "broken-xref.pdf!page 2"),
        "{found:#?}"
    );
    assert!(found.iter().any(|f| f["path"] == "rapport.pdf!page 1"));
}

#[test]
fn a_pdf_inside_an_archive_keeps_its_whole_path() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("hr.zip");
    {
        let file = std::fs::File::create(&zip).unwrap();
        let mut w = zip::ZipWriter::new(file);
        let opts = zip::write::SimpleFileOptions::default();
        w.start_file("dossiers/rapport.pdf", opts).unwrap();
        std::io::Write::write_all(
            &mut w,
            &std::fs::read(root().join("fixtures/pdf/rapport.pdf")).unwrap(),
        )
        .unwrap();
        w.finish().unwrap();
    }
    let out = run(dir.path(), &["scan", "--format", "ndjson", "-q", "hr.zip"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let found = ndjson(&out);
    assert_found(
        &found,
        &[
            ("hr.zip!dossiers/rapport.pdf!page 2", "nl.bsn", "*******33"),
            (
                "hr.zip!dossiers/rapport.pdf!metadata",
                "person_name",
                "K*** S***",
            ),
        ],
    );
}

#[test]
fn anonymise_refuses_a_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.toml");
    std::fs::write(&policy, "on_unlisted = \"keep\"\n").unwrap();
    let out_path = dir.path().join("out.pdf");
    let out = run(
        &root().join("fixtures/pdf"),
        &[
            "anonymise",
            "rapport.pdf",
            "--policy",
            policy.to_str().unwrap(),
            "--out",
            out_path.to_str().unwrap(),
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("a PDF is not rewritten"), "{err}");
    assert!(!out_path.exists());
}

/// Whether tesseract and pdftoppm are installed; with `PIISCAN_REQUIRE_TESSERACT` set (as
/// `.ci/run` sets it) they must be.
fn ocr_tools() -> bool {
    let runs = |program: &str, arg: &str| {
        std::process::Command::new(program)
            .arg(arg)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let ok = runs("tesseract", "--version") && runs("pdftoppm", "-v");
    if !ok {
        assert!(
            std::env::var("PIISCAN_REQUIRE_TESSERACT").is_err(),
            "PIISCAN_REQUIRE_TESSERACT is set but tesseract or pdftoppm was not found"
        );
        eprintln!("OCR test skipped: no tesseract (.ci/run installs Debian's tesseract-ocr)");
    }
    ok
}

#[test]
fn ocr_reads_an_id_card_picture_and_a_scanned_pdf() {
    if !ocr_tools() {
        return;
    }
    let (found, code, err) = scan(&["--ocr", "idkaart.png", "scan.pdf"]);
    assert_eq!(code, Some(0), "{err}");
    for path in ["idkaart.png", "scan.pdf!page 1"] {
        assert_found(
            &found,
            &[
                (path, "nl.bsn", "*******90"),
                (path, "nl.id_document", "*******14"),
                (path, "person_name", "J*****"),
            ],
        );
    }
    // The BSN is on the card's fifth line.
    assert!(located(&found)
        .iter()
        .any(|(p, r, l, _)| p == "scan.pdf!page 1" && r == "nl.bsn" && *l == 5));
}

#[test]
fn without_ocr_images_are_counted_as_images() {
    let out = run(
        &root().join("fixtures/pdf"),
        &["scan", "--format", "json", "-q", "idkaart.png"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["stats"]["skipped_images"], 1, "{}", doc["stats"]);
    assert_eq!(doc["stats"]["skipped_binary"], 0, "{}", doc["stats"]);
    assert_eq!(doc["stats"]["skipped_inputs"][0]["reason"], "image");
    let out = run(&root().join("fixtures/pdf"), &["scan", "-q", "idkaart.png"]);
    assert!(
        crate::common::stdout(&out).contains("1 image: idkaart.png; --ocr reads them"),
        "{}",
        crate::common::stdout(&out)
    );
}

#[test]
fn ocr_without_tesseract_is_a_clear_error() {
    let empty = tempfile::tempdir().unwrap();
    let out = crate::common::piiscan()
        .current_dir(root().join("fixtures/pdf"))
        .env("PATH", empty.path())
        .args(["scan", "-q", "--ocr", "idkaart.png"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--ocr needs the tesseract program"), "{err}");
}

/// A stand-in for tesseract that reads every image as two lines, the BSN line with an OCR
/// confidence of `bsn_confidence`.
fn fake_tesseract(dir: &std::path::Path, bsn_confidence: u32) {
    let script = format!(
        "#!/bin/sh\n\
         if [ \"$1\" = --list-langs ]; then printf 'List of available languages (1):\\neng\\n'; exit 0; fi\n\
         printf 'level\\tpage_num\\tblock_num\\tpar_num\\tline_num\\tword_num\\tleft\\ttop\\twidth\\theight\\tconf\\ttext\\n'\n\
         printf '5\\t1\\t1\\t1\\t1\\t1\\t0\\t0\\t9\\t9\\t96\\tjan.jansen@example.nl\\n'\n\
         printf '5\\t1\\t1\\t1\\t2\\t1\\t0\\t0\\t9\\t9\\t96\\tBSN:\\n'\n\
         printf '5\\t1\\t1\\t1\\t2\\t2\\t0\\t0\\t9\\t9\\t{bsn_confidence}\\t111222333\\n'\n"
    );
    let path = dir.join("tesseract");
    std::fs::write(&path, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn the_ocr_confidence_lowers_the_finding_confidence() {
    let scan_with = |bsn_confidence: u32, min: &str| {
        let bin = tempfile::tempdir().unwrap();
        fake_tesseract(bin.path(), bsn_confidence);
        let out = crate::common::piiscan()
            .current_dir(root().join("fixtures/pdf"))
            .env("PATH", bin.path())
            .args([
                "scan",
                "-q",
                "--ocr",
                "--format",
                "ndjson",
                "--min-confidence",
                min,
                "idkaart.png",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        ndjson(&out)
    };
    let confidence = |found: &[Value], rule: &str| {
        found
            .iter()
            .find(|f| f["rule"] == rule)
            .map(|f| f["confidence"].as_str().unwrap_or("").to_string())
    };
    // Read with confidence: the BSN keeps its confidence (high, with its context word).
    let sure = scan_with(97, "low");
    assert_eq!(confidence(&sure, "nl.bsn").as_deref(), Some("high"));
    // Read at 70: one level lower; at 40: two.
    let unsure = scan_with(70, "low");
    assert_eq!(confidence(&unsure, "nl.bsn").as_deref(), Some("medium"));
    let poor = scan_with(40, "low");
    assert_eq!(confidence(&poor, "nl.bsn").as_deref(), Some("low"));
    // Below the scan's minimum it is not reported; the e-mail on a clear line still is.
    let default = scan_with(40, "medium");
    assert_eq!(confidence(&default, "nl.bsn"), None);
    assert!(confidence(&default, "email").is_some());
}
