//! A live PostgreSQL table scanned by `piiscan scan postgres://…`: with the default sample
//! (`TABLESAMPLE SYSTEM`), fully (`--sample-rows 0`, streamed through `COPY … TO STDOUT`), and,
//! to compare, `psql -c "COPY … TO STDOUT" | piiscan scan -`. Each the fastest of three runs
//! of the release binary in a fresh process.
//!
//! Needs a PostgreSQL server the current user reaches as a superuser through `psql` (as
//! `.ci/run` sets up): `PIISCAN_BENCH_POSTGRES=1 cargo bench --bench livedb_throughput`
//! (rows: `PIISCAN_BENCH_ROWS`, default 10,000,000). Without the variable it says so and
//! stops. The table is made once, in the database `piiscan_bench`, and kept for later runs.

use std::process::{Command, Stdio};
use std::time::Instant;

const DB: &str = "piiscan_bench";

fn psql(db: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-At",
            "-d",
            db,
            "-c",
            sql,
        ])
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "psql {sql:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Makes the table of `rows` rows unless it is there already.
fn table(rows: u64) {
    let exists = psql(
        "postgres",
        &format!("SELECT count(*) FROM pg_database WHERE datname = '{DB}'"),
    ) == "1";
    if exists
        && psql(DB, "SELECT coalesce(max(id), 0) FROM klanten")
            .parse::<u64>()
            .ok()
            == Some(rows)
    {
        return;
    }
    psql("postgres", &format!("DROP DATABASE IF EXISTS {DB}"));
    psql("postgres", &format!("CREATE DATABASE {DB}"));
    eprintln!("making a table of {rows} rows…");
    psql(
        DB,
        &format!(
            "CREATE TABLE klanten AS SELECT i::bigint AS id, \
               (ARRAY['Jan de Vries','Anna Jansen','Pieter Bakker'])[1 + i % 3] AS naam, \
               'klant' || i || '@voorbeeld.nl' AS email, \
               (ARRAY['NL91ABNA0417164300','NL20INGB0001234567'])[1 + i % 2] AS iban, \
               '06-' || (10000000 + i % 89999999)::text AS telefoon, \
               md5(i::text) AS notitie \
             FROM generate_series(1, {rows}) i; \
             ALTER TABLE klanten ADD PRIMARY KEY (id); ANALYZE klanten"
        ),
    );
}

/// The fastest of three runs of `sh -c script`, in seconds.
fn fastest(script: &str) -> f64 {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            let status = Command::new("sh")
                .args(["-c", script])
                .stdout(Stdio::null())
                .status()
                .expect("sh runs");
            // 0: nothing to gate on; 1 and 2 would be a gate or a table not read.
            assert_eq!(status.code(), Some(0), "{script}");
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    if std::env::var("PIISCAN_BENCH_POSTGRES").as_deref() != Ok("1") {
        eprintln!(
            "livedb_throughput skipped: set PIISCAN_BENCH_POSTGRES=1 with PostgreSQL running"
        );
        return;
    }
    let rows: u64 = std::env::var("PIISCAN_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    table(rows);
    let bin = env!("CARGO_BIN_EXE_piiscan");
    let url = format!("postgres:///{DB}?statement_timeout=0");
    let sampled = fastest(&format!("'{bin}' scan '{url}' --quiet --format ndjson"));
    let full = fastest(&format!(
        "'{bin}' scan '{url}' --quiet --format ndjson --sample-rows 0"
    ));
    let piped = fastest(&format!(
        "psql -X -d {DB} -c 'COPY klanten TO STDOUT' | '{bin}' scan - --quiet --format ndjson"
    ));
    let rate = |s: f64| rows as f64 / s / 1e6;
    println!("rows: {rows}");
    println!("live, default sample:      {sampled:8.2} s");
    println!(
        "live, --sample-rows 0:     {full:8.2} s  {:6.2} M rows/s",
        rate(full)
    );
    println!(
        "COPY | piiscan scan -:     {piped:8.2} s  {:6.2} M rows/s",
        rate(piped)
    );
    println!("live full / piped rate:    {:8.2}", piped / full);
}
