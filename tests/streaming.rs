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

/// Peak resident memory (kB) of `piiscan scan ARGS`, sampled from `/proc` while it runs, and
/// the number of findings it wrote (NDJSON lines naming a rule); the run must succeed.
#[cfg(target_os = "linux")]
fn peak_rss_kb(args: &[&std::ffi::OsStr]) -> (u64, usize) {
    use std::io::BufRead;
    let mut child = crate::common::piiscan()
        .env("PIISCAN_FINGERPRINT_KEY", "streaming-test-key-0123456789")
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run piiscan");
    let out = child.stdout.take().expect("stdout");
    let counter = std::thread::spawn(move || {
        std::io::BufReader::new(out)
            .lines()
            .map_while(Result::ok)
            .filter(|l| l.contains("\"rule\""))
            .count()
    });
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let exit = loop {
        if let Ok(text) = std::fs::read_to_string(&status) {
            let hwm = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
            peak = peak.max(hwm.unwrap_or(0));
        }
        if let Some(exit) = child.try_wait().expect("wait") {
            break exit;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    assert_eq!(exit.code(), Some(0), "piiscan did not finish its scan");
    (peak, counter.join().expect("count"))
}

/// A ZIP archive of `members` logs, each with a finding on every one of `lines` lines.
#[cfg(target_os = "linux")]
fn zip_of_logs(path: &std::path::Path, members: usize, lines: usize) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for m in 0..members {
        z.start_file(format!("logs/app-{m:03}.log"), opts).unwrap();
        z.write_all(log(lines, &format!("m{m}")).as_bytes())
            .unwrap();
    }
    z.finish().unwrap();
}

/// Bounded memory for archives: the members of a ZIP go out to the report one by one while
/// the archive is read, so a ZIP of forty members with a finding on every line needs about
/// the memory of one of them, not of all forty (measured: the peak resident set of the run).
#[cfg(target_os = "linux")]
#[test]
fn a_zip_with_many_findings_is_held_one_member_at_a_time_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let (one, many) = (dir.path().join("one.zip"), dir.path().join("many.zip"));
    zip_of_logs(&one, 1, 6_000);
    zip_of_logs(&many, 40, 6_000);
    let peak = |p: &std::path::Path| {
        peak_rss_kb(&[
            "scan".as_ref(),
            p.as_os_str(),
            "--format".as_ref(),
            "ndjson".as_ref(),
            "--threads".as_ref(),
            "1".as_ref(),
        ])
    };
    let ((p1, n1), (p40, n40)) = (peak(&one), peak(&many));
    assert!(p1 > 0, "no memory reading from /proc");
    assert_eq!((n1, n40), (6_000, 240_000), "every finding is reported");
    // 240,000 findings held at once would take well over 60 MB more than one member's 6,000.
    assert!(
        p40 < p1 + 30_000,
        "40 members peaked at {p40} kB, one member at {p1} kB: members pile up"
    );
}

/// Members handed on while their archive is read keep their place: a ZIP of 300 members (more
/// than a unit gathers before it waits for its turn) between two logs gives the same findings
/// in the same order on two threads as on one.
#[test]
fn archive_members_keep_their_order_among_other_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("a-first.log");
    std::fs::write(&first, log(20_000, "first")).unwrap();
    let zip = dir.path().join("b-members.zip");
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(&zip).unwrap());
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for m in 0..300 {
            z.start_file(format!("m{m:03}.log"), opts).unwrap();
            z.write_all(log(3, &format!("z{m}")).as_bytes()).unwrap();
        }
        z.finish().unwrap();
    }
    let last = dir.path().join("c-last.log");
    std::fs::write(&last, log(500, "last")).unwrap();
    let files = [first, zip, last];
    let one = run(&files, 1);
    let two = run(&files, 2);
    assert_eq!(one.found.len(), 20_000 + 900 + 500);
    assert_eq!(two.found, one.found);
    assert_eq!(two.inputs, one.inputs);
    assert_eq!(one.inputs, 3 + 300, "each member is reported as an input");
}
