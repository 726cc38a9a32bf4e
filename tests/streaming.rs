//! Bounded memory whatever the number of findings: the findings of an input that is read as
//! one stream (gzip, standard input, a file that is not UTF-8) reach the sink in batches while
//! it is read, not all at once at its end, and in the same order and places as when the same
//! text is scanned as a plain file.

use flate2::write::GzEncoder;
use piiscan::finding::fingerprint::Fingerprinter;
use piiscan::finding::{Finding, Location};
use piiscan::pipeline::{scan, InputReport, ScanOptions, Sink};
use piiscan::ruleset::RuleSet;
use std::io::Write;

/// Records each finding (rule, line, column, bytes) and the size of each batch.
#[derive(Default)]
struct Batches {
    found: Vec<(String, u64, u64, u64, u64)>,
    batches: Vec<usize>,
    inputs: usize,
}

impl Sink for Batches {
    fn findings(&mut self, batch: &[Finding]) -> std::io::Result<()> {
        self.batches.push(batch.len());
        for f in batch {
            if let Location::Text {
                line,
                column,
                byte_start,
                byte_end,
            } = f.location
            {
                self.found
                    .push((f.rule.to_string(), line, column, byte_start, byte_end));
            }
        }
        Ok(())
    }
    fn input_done(&mut self, _: &InputReport) -> std::io::Result<()> {
        self.inputs += 1;
        Ok(())
    }
}

fn run(files: &[std::path::PathBuf], threads: usize) -> Batches {
    let rules = RuleSet::builtin().unwrap();
    let fp = Fingerprinter::with_key(b"streaming-test-key", "test");
    let opts = ScanOptions {
        threads,
        ..ScanOptions::default()
    };
    let mut sink = Batches::default();
    scan(files, &rules, &opts, &fp, &mut sink, true).unwrap();
    sink
}

/// A log with an e-mail address on every line.
fn log(lines: usize, tag: &str) -> String {
    (0..lines)
        .map(|i| format!("2024-03-01T10:00:00Z login ok user=klant{i}.{tag}@voorbeeld.nl\n"))
        .collect()
}

fn gzip(text: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(text).unwrap();
    e.finish().unwrap()
}

#[test]
fn a_gzip_log_with_a_finding_on_every_line_streams_out_in_batches() {
    let dir = tempfile::tempdir().unwrap();
    let text = log(30_000, "gz");
    let plain = dir.path().join("plain.log");
    std::fs::write(&plain, &text).unwrap();
    let gz = dir.path().join("app.log.gz");
    std::fs::write(&gz, gzip(text.as_bytes())).unwrap();
    for threads in [1, 2] {
        let got = run(std::slice::from_ref(&gz), threads);
        assert_eq!(got.found.len(), 30_000, "{threads} threads");
        assert!(
            got.batches.len() >= 5 && got.batches.iter().all(|&n| n <= 8192),
            "one stream's findings must not pile up: batches {:?}",
            got.batches
        );
        let want = run(std::slice::from_ref(&plain), 1);
        assert_eq!(got.found, want.found, "{threads} threads");
    }
}

#[test]
fn a_file_that_is_not_utf8_streams_out_in_batches_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = log(20_000, "latin").into_bytes();
    // An invalid byte early on: the rest is scanned byte by byte, as one stream.
    bytes.splice(40..40, [0xFF, 0xFE, b' ']);
    let file = dir.path().join("latin.log");
    std::fs::write(&file, &bytes).unwrap();
    let got = run(std::slice::from_ref(&file), 1);
    assert_eq!(got.found.len(), 20_000);
    assert!(got.batches.len() >= 4, "batches {:?}", got.batches);
}

#[test]
fn streamed_inputs_keep_their_order_among_others() {
    // Several streamed inputs on two threads: each input's findings come whole and in order,
    // before the next input's, whichever worker finishes first.
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut want = Vec::new();
    for (i, lines) in [12_000usize, 300, 9_000, 50].iter().enumerate() {
        let text = log(*lines, &format!("f{i}"));
        let gz = dir.path().join(format!("f{i}.log.gz"));
        std::fs::write(&gz, gzip(text.as_bytes())).unwrap();
        let plain = dir.path().join(format!("f{i}.log"));
        std::fs::write(&plain, &text).unwrap();
        want.extend(run(&[plain], 1).found);
        files.push(gz);
    }
    let got = run(&files, 2);
    assert_eq!(got.inputs, 4);
    assert_eq!(got.found, want);
}
