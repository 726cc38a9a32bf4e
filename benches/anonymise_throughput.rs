//! Throughput and peak memory of `piiscan anonymise` on a generated web-analytics table
//! (`piiscan::corpus::write_web_events`: id, ip with IPv4 and IPv6, email, timestamp, url,
//! user agent): IP addresses truncated, e-mail addresses pseudonymised with HMAC. Each run is
//! the release binary in a fresh process, as a user runs it; peak RSS is polled from /proc.
//!
//! `cargo bench --bench anonymise_throughput` (rows: `PIISCAN_BENCH_ROWS`, default 5,000,000).
//! Reports rows/s, MB/s and peak memory for CSV to CSV on one thread and on all cores, CSV to
//! Parquet, and a pg_dump COPY rewrite of the same rows; each the fastest of three runs. The
//! times include the whole job: the scan before (fail-closed check), the rewrite, reading the
//! rows back and the re-scan after.

use piiscan::corpus;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const POLICY: &str = r#"
[[column]]
name = "ip"
method = "ip_truncate"

[[column]]
name = "email"
method = "hmac"
format = "base32"
length = 20
key_label = "email"

[[column]]
category = "user"
method = "keep"
"#;

fn rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// Runs the binary three times (disk writeback makes single runs noisy); returns the fastest
/// time in seconds and the largest peak RSS in MB.
fn run(args: &[&str]) -> (f64, f64) {
    let runs: Vec<(f64, f64)> = (0..3).map(|_| run_once(args)).collect();
    (
        runs.iter().map(|r| r.0).fold(f64::INFINITY, f64::min),
        runs.iter().map(|r| r.1).fold(0.0, f64::max),
    )
}

fn run_once(args: &[&str]) -> (f64, f64) {
    let bin = env!("CARGO_BIN_EXE_piiscan");
    let start = Instant::now();
    let mut child = Command::new(bin)
        .args(args)
        .env("PIISCAN_KEY", "bench-key-0123456789abcdef0123456789abcdef")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("run piiscan");
    let mut peak: f64 = 0.0;
    loop {
        if let Some(r) = rss_mb(child.id()) {
            peak = peak.max(r);
        }
        match child.try_wait().expect("wait") {
            Some(status) => {
                assert!(status.success(), "piiscan {args:?} failed: {status}");
                break;
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    (start.elapsed().as_secs_f64(), peak)
}

fn corpus_file(dir: &Path, rows: u64) -> PathBuf {
    let path = dir.join(format!("web_events_{rows}.csv"));
    if !path.exists() {
        let tmp = path.with_extension("tmp");
        let mut f = std::fs::File::create(&tmp).expect("create corpus");
        corpus::write_web_events(&mut f, 7, rows).expect("write corpus");
        std::fs::rename(&tmp, &path).expect("rename corpus");
    }
    path
}

/// The same rows as a pg_dump plain-format COPY block.
fn dump_file(dir: &Path, csv: &Path, rows: u64) -> PathBuf {
    let path = dir.join(format!("web_events_{rows}.pg_dump.sql"));
    if path.exists() {
        return path;
    }
    let input = std::io::BufReader::new(std::fs::File::open(csv).expect("open corpus"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).expect("create dump"));
    out.write_all(
        b"--\n-- PostgreSQL database dump\n--\n\nCREATE TABLE public.events (\n    id bigint NOT NULL,\n    ip text,\n    email text,\n    \"timestamp\" text,\n    url text,\n    user_agent text\n);\n\nCOPY public.events (id, ip, email, \"timestamp\", url, user_agent) FROM stdin;\n",
    )
    .expect("write");
    for line in input.lines().skip(1) {
        let line = line.expect("line");
        // The corpus quotes only the user agent, which holds no comma or tab.
        let fields: Vec<String> = line
            .splitn(6, ',')
            .map(|f| f.trim_matches('"').to_string())
            .collect();
        out.write_all(fields.join("\t").as_bytes()).expect("write");
        out.write_all(b"\n").expect("write");
    }
    out.write_all(b"\\.\n\n--\n-- PostgreSQL database dump complete\n--\n")
        .expect("write");
    out.flush().expect("flush");
    path
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rows: u64 = std::env::var("PIISCAN_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5_000_000);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("anonymise-bench");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let csv = corpus_file(&dir, rows);
    let mb = std::fs::metadata(&csv).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    let policy = dir.join("policy.toml");
    std::fs::write(&policy, POLICY).expect("policy");
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    println!("anonymise: {rows} rows, {mb:.0} MB of CSV; ip truncated, email HMAC (base32)");
    println!(
        "{:<22} {:>8} {:>12} {:>8} {:>12}",
        "job", "seconds", "rows/s", "MB/s", "peak RSS MB"
    );
    let out = |name: &str| dir.join(name).display().to_string();
    let (c, p) = (csv.display().to_string(), policy.display().to_string());
    let mut jobs: Vec<(String, Vec<String>)> = vec![(
        "CSV -> CSV, 1 thread".into(),
        vec![
            "-j".into(),
            "1".into(),
            "--to".into(),
            "csv".into(),
            "--out".into(),
            out("out1.csv"),
        ],
    )];
    if cores > 1 {
        jobs.push((
            format!("CSV -> CSV, {cores} threads"),
            vec![
                "-j".into(),
                cores.to_string(),
                "--out".into(),
                out("out2.csv"),
            ],
        ));
    }
    jobs.push((
        "CSV -> Parquet".into(),
        vec![
            "--to".into(),
            "parquet".into(),
            "--out".into(),
            out("out.parquet"),
        ],
    ));
    let mut csv_secs = f64::NAN;
    for (name, extra) in &jobs {
        let mut args: Vec<&str> = vec!["anonymise", &c, "--policy", &p, "--force"];
        args.extend(extra.iter().map(String::as_str));
        let (secs, rss) = run(&args);
        if name.starts_with("CSV -> CSV") {
            csv_secs = if csv_secs.is_nan() {
                secs
            } else {
                csv_secs.min(secs)
            };
        }
        println!(
            "{:<22} {:>8.2} {:>12.0} {:>8.1} {:>12.0}",
            name,
            secs,
            rows as f64 / secs,
            mb / secs,
            rss
        );
        if name == "CSV -> Parquet" {
            println!(
                "{:<22} {:>8.2}x the fastest CSV -> CSV run",
                "",
                secs / csv_secs
            );
        }
    }
    let dump = dump_file(&dir, &csv, rows);
    let dump_mb = std::fs::metadata(&dump).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    let d = dump.display().to_string();
    let o = out("out.pg_dump.sql");
    let (secs, rss) = run(&["anonymise", &d, "--policy", &p, "--force", "--out", &o]);
    println!(
        "{:<22} {:>8.2} {:>12.0} {:>8.1} {:>12.0}",
        "pg_dump rewrite",
        secs,
        rows as f64 / secs,
        dump_mb / secs,
        rss
    );
}
