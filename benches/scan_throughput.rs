//! Throughput and peak memory of the scanning engine on three generated corpora (see
//! `piiscan::corpus`): sparse (logs, prose, CSV), dense (an item every ~60 bytes) and clean
//! (look-alikes only), on one thread and on all cores, plus `--format ndjson` through the
//! binary. Each measurement runs in a fresh child process so its peak RSS is its own.
//!
//! `cargo bench` (size per corpus: `PIISCAN_BENCH_MB`, default 200; big single-file corpora
//! are split across threads by the engine itself, as ripgrep does not).

use piiscan::corpus;
use piiscan::finding::fingerprint::Fingerprinter;
use piiscan::finding::Confidence;
use piiscan::pipeline::{scan, ScanOptions};
use piiscan::report::CountingSink;
use piiscan::ruleset::RuleSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn child(file: &Path, threads: usize, sample_rows: u64) {
    let rules = RuleSet::builtin().expect("built-in rules");
    let mut opts = ScanOptions {
        min_confidence: Confidence::Medium,
        threads,
        ..ScanOptions::default()
    };
    opts.tables.sample_rows = sample_rows;
    let fp = Fingerprinter::with_key(b"bench", "bench");
    let mut sink = CountingSink::default();
    let start = Instant::now();
    let stats = scan(&[file.to_path_buf()], &rules, &opts, &fp, &mut sink, true).expect("scan");
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} {} {} {:.1}",
        stats.bytes,
        secs,
        sink.findings,
        peak_rss_mb()
    );
}

/// One measurement in a fresh process: (bytes, seconds, findings, peak RSS in MB).
struct Measured {
    bytes: f64,
    secs: f64,
    findings: String,
    rss: String,
}

fn measure(me: &Path, file: &Path, threads: usize, sample_rows: u64) -> Option<Measured> {
    let out = Command::new(me)
        .args([
            "--child",
            &file.display().to_string(),
            &threads.to_string(),
            &sample_rows.to_string(),
        ])
        .output()
        .expect("child");
    let text = String::from_utf8_lossy(&out.stdout);
    let f: Vec<&str> = text.split_whitespace().collect();
    if f.len() < 4 {
        eprintln!("child failed: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    Some(Measured {
        bytes: f[0].parse().unwrap_or(0.0),
        secs: f[1].parse().unwrap_or(f64::NAN),
        findings: f[2].to_string(),
        rss: f[3].to_string(),
    })
}

fn corpus_file(dir: &Path, name: &str, mb: usize) -> PathBuf {
    let path = dir.join(format!("{name}-{mb}mb.txt"));
    if !path.exists() {
        let bytes = mb * 1_000_000;
        let text = match name {
            "sparse" => corpus::sparse(1, bytes),
            "dense" => corpus::dense(2, bytes),
            _ => corpus::clean(3, bytes),
        };
        std::fs::write(&path, text).expect("write corpus");
    }
    path
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        let file = PathBuf::from(&args[i + 1]);
        let threads: usize = args[i + 2].parse().expect("threads");
        let sample_rows: u64 = args
            .get(i + 3)
            .and_then(|s| s.parse().ok())
            .unwrap_or(10_000);
        child(&file, threads, sample_rows);
        return;
    }
    // `--write-corpora DIR MB TABLE_MB`: only write the corpora (for benches/compare_ripgrep.sh).
    if let Some(i) = args.iter().position(|a| a == "--write-corpora") {
        let dir = PathBuf::from(&args[i + 1]);
        let mb: usize = args[i + 2].parse().expect("MB");
        let table_mb: u64 = args[i + 3].parse().expect("table MB");
        std::fs::create_dir_all(&dir).expect("corpus dir");
        for name in ["sparse", "dense", "clean"] {
            println!("{}", corpus_file(&dir, name, mb).display());
        }
        let path = dir.join(format!("{table_mb}mb-crm.csv"));
        if !path.exists() {
            let mut out =
                std::io::BufWriter::new(std::fs::File::create(&path).expect("create table corpus"));
            corpus::write_crm_table(corpus::TableKind::Csv, &mut out, table_mb * 1_000_000, 5)
                .expect("write table corpus");
        }
        println!("{}", path.display());
        return;
    }
    let mb: usize = std::env::var("PIISCAN_BENCH_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("bench-corpus");
    std::fs::create_dir_all(&dir).expect("corpus dir");
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let me = std::env::current_exe().expect("own path");
    println!("piiscan scan throughput, {mb} MB per corpus, {cores} cores");
    println!(
        "{:<8} {:>7} {:>9} {:>10} {:>12} {:>12}",
        "corpus", "threads", "MB/s", "seconds", "findings", "peak RSS MB"
    );
    for name in ["sparse", "dense", "clean"] {
        let file = corpus_file(&dir, name, mb);
        let mut single = 0.0;
        for threads in [1, cores] {
            let Some(m) = measure(&me, &file, threads, 10_000) else {
                continue;
            };
            let (bytes, secs) = (m.bytes, m.secs);
            let mbs = bytes / 1e6 / secs;
            if threads == 1 {
                single = mbs;
            }
            let speedup = if threads > 1 && single > 0.0 {
                format!("  ({:.2}x)", mbs / single)
            } else {
                String::new()
            };
            println!(
                "{name:<8} {threads:>7} {mbs:>9.1} {secs:>10.3} {:>12} {:>12}{speedup}",
                m.findings, m.rss
            );
        }
    }
    // Tables: a CRM export as CSV, pg_dump and mysqldump (PIISCAN_BENCH_TABLE_MB, default 1000).
    let table_mb: u64 = std::env::var("PIISCAN_BENCH_TABLE_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    println!("\ntables, {table_mb} MB each, every row scanned (--sample-rows 0) and sampled (10,000 rows)");
    println!(
        "{:<10} {:>10} {:>9} {:>10} {:>12} {:>12}",
        "format", "sample", "MB/s", "seconds", "findings", "peak RSS MB"
    );
    for (kind, name) in [
        (corpus::TableKind::Csv, "crm.csv"),
        (corpus::TableKind::PgDump, "crm.pg_dump.sql"),
        (corpus::TableKind::MySqlDump, "crm.mysqldump.sql"),
    ] {
        let path = dir.join(format!("{table_mb}mb-{name}"));
        if !path.exists() {
            let mut out =
                std::io::BufWriter::new(std::fs::File::create(&path).expect("create table corpus"));
            corpus::write_crm_table(kind, &mut out, table_mb * 1_000_000, 5)
                .expect("write table corpus");
        }
        table_runs(&me, &path, name, cores);
    }
    #[cfg(feature = "parquet")]
    {
        let path = dir.join(format!("{table_mb}mb-crm.parquet"));
        if !path.exists() {
            write_parquet(&path, table_mb * 1_000_000);
        }
        table_runs(&me, &path, "crm.parquet", cores);
    }

    // Archives: the same mixed members unpacked, as a ZIP and as a .tar.gz.
    let archive_mb: usize = std::env::var("PIISCAN_BENCH_ARCHIVE_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    archive_runs(&me, &dir, archive_mb, cores);

    // The whole binary with NDJSON output, as a user runs it.
    run_binary(&dir, mb, cores);
}

/// `mb` MB of mixed members (log-like text and CSV exports, 200 members) written as a folder,
/// a ZIP (deflate) and a gzipped tar, each scanned on all cores: the archives' speed against
/// the folder's, in MB of members per second (the goal: at least half).
fn archive_runs(me: &Path, dir: &Path, mb: usize, cores: usize) {
    let members = 200usize;
    let each = mb * 1_000_000 / members;
    let folder = dir.join(format!("archive-{mb}mb"));
    let zip_path = dir.join(format!("archive-{mb}mb.zip"));
    let tgz_path = dir.join(format!("archive-{mb}mb.tar.gz"));
    if !folder.exists() {
        std::fs::create_dir_all(&folder).expect("folder");
        for i in 0..members {
            let (name, bytes) = if i % 2 == 0 {
                (
                    format!("logs/app-{i:03}.log"),
                    corpus::sparse(i as u64 + 10, each).into_bytes(),
                )
            } else {
                let mut out = Vec::with_capacity(each);
                corpus::write_crm_table(corpus::TableKind::Csv, &mut out, each as u64, i as u64)
                    .expect("table");
                (format!("exports/klanten-{i:03}.csv"), out)
            };
            let path = folder.join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, bytes).expect("member");
        }
    }
    let files: Vec<PathBuf> = walk_files(&folder);
    if !zip_path.exists() {
        let mut z = zip::ZipWriter::new(std::fs::File::create(&zip_path).expect("zip"));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for f in &files {
            let name = f
                .strip_prefix(&folder)
                .expect("below")
                .display()
                .to_string();
            z.start_file(name, opts).expect("member");
            std::io::copy(&mut std::fs::File::open(f).expect("open"), &mut z).expect("copy");
        }
        z.finish().expect("finish zip");
    }
    if !tgz_path.exists() {
        let gz = flate2::write::GzEncoder::new(
            std::fs::File::create(&tgz_path).expect("tgz"),
            flate2::Compression::fast(),
        );
        let mut t = tar::Builder::new(gz);
        for f in &files {
            let name = f.strip_prefix(&folder).expect("below");
            t.append_path_with_name(f, name).expect("member");
        }
        t.into_inner().expect("tar").finish().expect("gzip");
    }
    println!(
        "
archives, {mb} MB of members (200: logs and CSV exports), {cores} threads"
    );
    println!(
        "{:<10} {:>9} {:>10} {:>12} {:>12} {:>10}",
        "input", "MB/s", "seconds", "findings", "peak RSS MB", "of folder"
    );
    let mut folder_mbs = 0.0;
    for (name, path) in [
        ("folder", &folder),
        ("zip", &zip_path),
        ("tar.gz", &tgz_path),
    ] {
        let Some(m) = measure(me, path, cores, 10_000) else {
            continue;
        };
        let mbs = m.bytes / 1e6 / m.secs;
        if name == "folder" {
            folder_mbs = mbs;
        }
        println!(
            "{name:<10} {mbs:>9.1} {:>10.3} {:>12} {:>12} {:>9.0}%",
            m.secs,
            m.findings,
            m.rss,
            if folder_mbs > 0.0 {
                100.0 * mbs / folder_mbs
            } else {
                0.0
            }
        );
    }
}

fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    out.sort();
    out
}

/// A CRM table as Parquet of about `bytes` bytes on disk, written batch by batch.
#[cfg(feature = "parquet")]
fn write_parquet(path: &Path, bytes: u64) {
    use polars::prelude::*;
    let mut csv = Vec::new();
    let mut seed = 11;
    let mut writer: Option<BatchedWriter<std::fs::File>> = None;
    while std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) < bytes {
        csv.clear();
        corpus::write_crm_table(corpus::TableKind::Csv, &mut csv, 20_000_000, seed).expect("rows");
        seed += 1;
        let text = String::from_utf8(csv.clone()).expect("utf-8");
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().expect("header").split(';').collect();
        let rows: Vec<Vec<&str>> = lines.map(|l| l.split(';').collect()).collect();
        let columns: Vec<Column> = header
            .iter()
            .enumerate()
            .map(|(i, h)| {
                Column::new(
                    (*h).into(),
                    rows.iter().map(|r| r[i]).collect::<Vec<&str>>(),
                )
            })
            .collect();
        let df = DataFrame::new(rows.len(), columns).expect("frame");
        if writer.is_none() {
            let file = std::fs::File::create(path).expect("create parquet");
            writer = Some(
                ParquetWriter::new(file)
                    .batched(df.schema())
                    .expect("writer"),
            );
        }
        if let Some(w) = writer.as_mut() {
            w.write_batch(&df).expect("batch");
        }
        if seed > 400 {
            break;
        }
    }
    if let Some(w) = writer {
        w.finish().expect("finish parquet");
    }
}

fn table_runs(me: &Path, path: &Path, name: &str, cores: usize) {
    {
        for sample in [0u64, 10_000] {
            let Some(m) = measure(me, path, cores, sample) else {
                continue;
            };
            let (bytes, secs) = (m.bytes, m.secs);
            let label = if sample == 0 {
                "all rows".to_string()
            } else {
                format!("{sample}")
            };
            println!(
                "{:<10} {label:>10} {:>9.1} {secs:>10.3} {:>12} {:>12}",
                name.split('.').skip(1).collect::<Vec<_>>().join("."),
                bytes / 1e6 / secs,
                m.findings,
                m.rss
            );
        }
    }
}

/// The whole binary with NDJSON output, as a user runs it.
fn run_binary(dir: &Path, mb: usize, cores: usize) {
    let bin = env!("CARGO_BIN_EXE_piiscan");
    let sparse = corpus_file(dir, "sparse", mb);
    for threads in [1, cores] {
        let start = Instant::now();
        let status = Command::new(bin)
            .args([
                "scan",
                &sparse.display().to_string(),
                "--format",
                "ndjson",
                "-q",
                "--threads",
                &threads.to_string(),
            ])
            .env("PIISCAN_FINGERPRINT_KEY", "bench-key-not-secret")
            .stdout(std::process::Stdio::null())
            .status()
            .expect("piiscan binary");
        let secs = start.elapsed().as_secs_f64();
        let size = std::fs::metadata(&sparse).map(|m| m.len()).unwrap_or(0) as f64;
        println!("piiscan scan --format ndjson sparse, {threads} thread(s): {:.1} MB/s ({secs:.3} s, exit {status})", size / 1e6 / secs);
    }
}
