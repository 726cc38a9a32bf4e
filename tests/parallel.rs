//! Determinism: the same findings, in the same order, whatever the number of threads and
//! however a large file is split into regions.

use crate::common::{root, run, stdout};
use piiscan::corpus;
use piiscan::finding::fingerprint::Fingerprinter;
use piiscan::finding::{Finding, Location};
use piiscan::pipeline::{scan, InputReport, ScanOptions, Sink};
use piiscan::ruleset::RuleSet;

#[derive(Default)]
struct Collect(Vec<(String, String, u64, u64, u64, u64)>);

impl Sink for Collect {
    fn findings(&mut self, batch: &[Finding]) -> std::io::Result<()> {
        for f in batch {
            if let Location::Text {
                line,
                column,
                byte_start,
                byte_end,
            } = f.location
            {
                self.0.push((
                    f.path.to_string(),
                    f.rule.to_string(),
                    line,
                    column,
                    byte_start,
                    byte_end,
                ));
            }
        }
        Ok(())
    }
    fn input_done(&mut self, _: &InputReport) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn output_is_the_same_for_any_thread_count() {
    let demo = |threads: &str| {
        let args = [
            "scan",
            "fixtures/demo",
            "--format",
            "ndjson",
            "--threads",
            threads,
        ];
        stdout(&run(&root(), &args))
    };
    let one = demo("1");
    for threads in ["2", "4", "8"] {
        assert_eq!(one, demo(threads), "--threads {threads}");
    }
}

fn scan_with(
    file: &std::path::Path,
    threads: usize,
    segment_size: u64,
) -> Vec<(String, String, u64, u64, u64, u64)> {
    let rules = RuleSet::builtin().unwrap();
    let fp = Fingerprinter::with_key(b"k", "test");
    let mut found = Collect::default();
    let opts = ScanOptions {
        threads,
        segment_size,
        ..ScanOptions::default()
    };
    scan(&[file.to_path_buf()], &rules, &opts, &fp, &mut found, true).unwrap();
    found.0
}

#[test]
fn splitting_one_file_into_regions_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.txt");
    std::fs::write(&file, corpus::sparse(99, 600_000)).unwrap();
    let whole = scan_with(&file, 1, 0);
    assert!(whole.len() > 1000);
    for (threads, segment) in [(1, 50_000), (2, 64 * 1024), (3, 100_003)] {
        assert_eq!(
            whole,
            scan_with(&file, threads, segment),
            "threads {threads}, regions of {segment} bytes"
        );
    }
    // One long line (a minified JSON export) is cut between values, never inside one.
    let json: String = corpus::sparse(98, 600_000)
        .lines()
        .map(|l| format!("{{\"t\":\"{l}\"}},"))
        .collect();
    std::fs::write(&file, format!("[{json}]")).unwrap();
    let whole = scan_with(&file, 1, 0);
    assert!(whole.len() > 1000);
    for (threads, segment) in [(2, 64 * 1024), (3, 100_003)] {
        assert_eq!(
            whole,
            scan_with(&file, threads, segment),
            "threads {threads}, regions of {segment} bytes"
        );
    }
}

#[test]
fn one_large_table_scanned_on_two_threads_gives_what_one_gives() {
    // 2 MB of CSV is 30-odd cell batches: on two threads the second worker has nothing to
    // read, so the table hands its batches to a helper thread (see `pipeline::table::Offload`).
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("klanten.csv");
    let mut out = std::fs::File::create(&file).unwrap();
    corpus::write_crm_table(corpus::TableKind::Csv, &mut out, 2_000_000, 17).unwrap();
    drop(out);
    let scan = |threads: &str| {
        let path = file.to_str().unwrap();
        let args = [
            "scan",
            path,
            "--sample-rows",
            "0",
            "--max-findings-per-column",
            "0",
            "--format",
            "ndjson",
            "--threads",
            threads,
        ];
        stdout(&run(&root(), &args))
    };
    let one = scan("1");
    assert!(one.lines().count() > 20_000, "{}", one.lines().count());
    assert_eq!(one, scan("2"));
}
