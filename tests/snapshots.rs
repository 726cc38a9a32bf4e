//! Every output format of `scan` and `inventory`, pinned on one fixed tree
//! (fixtures/snapshot): a change to any format shows as a diff of its golden file in
//! tests/golden/scan and tests/golden/inventory. Set `PIISCAN_UPDATE_GOLDEN=1` to rewrite them,
//! then read the diff. Only what differs from run to run is normalised: the elapsed time and
//! throughput, and the program's version.

use crate::common::{code, golden, piiscan, root, stderr};
use std::process::Output;

const FORMATS: [&str; 7] = ["table", "json", "ndjson", "csv", "sarif", "github", "junit"];
const INVENTORY_FORMATS: [&str; 3] = ["md", "csv", "json"];

/// Runs piiscan from the repository root on the snapshot tree, one thread, no colour.
fn run(args: &[&str]) -> Output {
    piiscan()
        .current_dir(root())
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("run piiscan")
}

/// Replaces what changes between runs of the same build on the same files.
fn normalise(text: &str) -> String {
    let version = env!("CARGO_PKG_VERSION");
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let mut line = line.replace(&format!("\"{version}\""), "\"<version>\"");
        // table: "· 1.6 kB in 1.08 s (0.0 MB/s)"
        if let Some(at) = line.find(" in ").filter(|_| line.contains(" MB/s)")) {
            let end = line
                .find(" MB/s)")
                .map_or(line.len(), |e| e + " MB/s)".len());
            line.replace_range(at..end, " in <elapsed>");
        }
        // json: "elapsed": 1.729, "mb_per_s": 0.0
        for key in ["\"elapsed\": ", "\"mb_per_s\": "] {
            if let Some(at) = line.find(key) {
                let start = at + key.len();
                let end = line[start..]
                    .find([',', '\n', '}'])
                    .map_or(line.len(), |e| start + e);
                line.replace_range(start..end, "0");
            }
        }
        // junit: time="2.806" on the suites (test cases are written with time="0")
        if line.contains("<testsuite") {
            if let Some(at) = line.find(" time=\"") {
                let start = at + " time=\"".len();
                if let Some(len) = line[start..].find('"') {
                    line.replace_range(start..start + len, "0");
                }
            }
        }
        out.push_str(&line);
    }
    out
}

#[test]
fn every_scan_format_matches_its_golden_file() {
    for format in FORMATS {
        let o = run(&["scan", "fixtures/snapshot", "--format", format, "-j1"]);
        // The tree holds personal data: `scan` exits 0 without --fail-on.
        assert_eq!(code(&o), 0, "{format}: {}", stderr(&o));
        let text = String::from_utf8(o.stdout).expect("UTF-8 output");
        golden(
            &format!("scan/{format}.golden"),
            normalise(&text).as_bytes(),
        );
    }
}

#[test]
fn every_inventory_format_matches_its_golden_file() {
    for format in INVENTORY_FORMATS {
        let o = run(&["inventory", "fixtures/snapshot", "--format", format, "-j1"]);
        assert_eq!(code(&o), 0, "{format}: {}", stderr(&o));
        let text = String::from_utf8(o.stdout).expect("UTF-8 output");
        golden(
            &format!("inventory/{format}.golden"),
            normalise(&text).as_bytes(),
        );
    }
}

#[test]
fn the_snapshot_is_the_same_with_more_threads() {
    // The golden files are made with one thread; the order must not depend on the count.
    for format in ["ndjson", "table"] {
        let one = run(&["scan", "fixtures/snapshot", "--format", format, "-j1"]);
        let four = run(&["scan", "fixtures/snapshot", "--format", format, "-j4"]);
        assert_eq!(
            normalise(&String::from_utf8_lossy(&one.stdout)),
            normalise(&String::from_utf8_lossy(&four.stdout)),
            "{format}"
        );
    }
}

#[test]
fn normalising_touches_only_time_and_version() {
    let table = "22 findings · 5 files scanned · 1.6 kB in 1.08 s (0.0 MB/s)\n";
    assert_eq!(
        normalise(table),
        "22 findings · 5 files scanned · 1.6 kB in <elapsed>\n"
    );
    let json = "  \"elapsed\": 1.729,\n  \"mb_per_s\": 12.5\n  \"rows\": 3,\n";
    assert_eq!(
        normalise(json),
        "  \"elapsed\": 0,\n  \"mb_per_s\": 0\n  \"rows\": 3,\n"
    );
    let junit = "<testsuite name=\"piiscan\" tests=\"5\" time=\"2.806\">\n";
    assert_eq!(
        normalise(junit),
        "<testsuite name=\"piiscan\" tests=\"5\" time=\"0\">\n"
    );
}
