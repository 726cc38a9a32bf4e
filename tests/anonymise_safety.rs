//! The anonymiser's writers under attack and accident (issue 12): outputs planned before
//! anything is written (collisions, inputs reached through links and `..`, an output folder
//! inside an input), a folder layout that does not depend on how many files a folder holds,
//! no readable copy of personal data after a kill or a full disk, every row read before and
//! after, only a method's own kept form called "expected", rows counted right for every line
//! ending, and write errors that name the file.

use crate::common::{anonymise, code, piiscan, stderr, stdout, write, KEY};
use std::path::{Path, PathBuf};
use std::process::Output;

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).expect("read")
}

/// Every file under `dir`, hidden ones included.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// The files under `dir` whose bytes contain `needle`.
fn holding(dir: &Path, needle: &str) -> Vec<PathBuf> {
    files_under(dir)
        .into_iter()
        .filter(|p| {
            std::fs::read(p).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
        })
        .collect()
}

/// piiscan's temporary directories under `dir`.
fn temp_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                if e.file_name().to_string_lossy().starts_with(".piiscan-tmp-") {
                    out.push(e.path());
                }
                todo.push(e.path());
            }
        }
    }
    out
}

/// A valid BSN (11-proof) from a counter.
fn bsn(mut n: u64) -> String {
    loop {
        let s = format!("{:09}", 100_000_000 + n);
        let d: Vec<u64> = s.bytes().map(|b| u64::from(b - b'0')).collect();
        let sum: i64 = (0..8).map(|i| (d[i] * (9 - i as u64)) as i64).sum::<i64>() - d[8] as i64;
        if sum % 11 == 0 {
            return s;
        }
        n += 1;
    }
}

#[test]
fn conflicting_outputs_refuse_the_whole_run_and_name_every_conflict() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let input = "id,ip\n1,10.1.2.3\n";
    write(d, "in/x.csv", input);
    write(d, "in/a.csv", input);
    write(d, "in/a.parquet", "PAR1 not really");
    // x.csv.gz beside x.csv: both become x.csv.
    let gz = {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(input.as_bytes()).expect("gz");
        e.finish().expect("gz")
    };
    std::fs::write(d.join("in/x.csv.gz"), gz).expect("write");
    write(
        d,
        "p.toml",
        "[[column]]\nname = \"ip\"\nmethod = \"ip_truncate\"\n[[column]]\nname = \"id\"\nmethod = \"keep\"\n",
    );
    let o = anonymise(
        d,
        &[
            "in", "--policy", "p.toml", "--out", "out", "--to", "parquet",
        ],
    );
    assert_eq!(code(&o), 2);
    let e = stderr(&o);
    assert!(
        e.contains("in/x.csv and in/x.csv.gz") || e.contains("in/x.csv.gz and in/x.csv"),
        "{e}"
    );
    assert!(e.contains("in/a.csv") && e.contains("in/a.parquet"), "{e}");
    assert!(
        e.contains("2 conflict(s)") && e.contains("nothing was written"),
        "{e}"
    );
    assert!(files_under(&d.join("out")).is_empty(), "nothing written");
    // The output folder inside (or equal to) the input folder, even with --force.
    let o = anonymise(d, &["in", "--policy", "p.toml", "--out", "in", "--force"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("inside the input folder"),
        "{}",
        stderr(&o)
    );
    let o = anonymise(
        d,
        &[
            "in/x.csv",
            "in/a.csv",
            "--policy",
            "p.toml",
            "--out",
            "in/sub/..",
        ],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("never overwrites its input"),
        "{}",
        stderr(&o)
    );
    assert_eq!(read(d, "in/x.csv"), input);
    assert_eq!(read(d, "in/a.csv"), input);
}

#[cfg(unix)]
#[test]
fn no_name_of_an_input_is_ever_written_over_even_with_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let input = "id,ip\n1,10.1.2.3\n2,10.2.3.4\n";
    write(d, "data/klanten.csv", input);
    write(
        d,
        "p.toml",
        "[[column]]\nname = \"ip\"\nmethod = \"ip_truncate\"\n[[column]]\nname = \"id\"\nmethod = \"keep\"\n",
    );
    std::os::unix::fs::symlink("data/klanten.csv", d.join("link.csv")).expect("symlink");
    std::fs::hard_link(d.join("data/klanten.csv"), d.join("hard.csv")).expect("hard link");
    std::fs::create_dir(d.join("sub")).expect("mkdir");
    for out in [
        "link.csv",
        "hard.csv",
        "data/../data/klanten.csv",
        "sub/../data/./klanten.csv",
    ] {
        let o = anonymise(
            d,
            &[
                "data/klanten.csv",
                "--policy",
                "p.toml",
                "--out",
                out,
                "--force",
            ],
        );
        assert_eq!(code(&o), 2, "{out}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("never overwrites its input"),
            "{out}: {}",
            stderr(&o)
        );
    }
    // The policy file is no output either.
    let o = anonymise(
        d,
        &[
            "data/klanten.csv",
            "--policy",
            "p.toml",
            "--out",
            "p.toml",
            "--force",
        ],
    );
    assert_eq!(code(&o), 2);
    assert!(read(d, "p.toml").contains("ip_truncate"));
    // A suggested policy never replaces an input, by any name.
    for out in ["data/klanten.csv", "link.csv", "hard.csv"] {
        let o = anonymise(
            d,
            &[
                "data/klanten.csv",
                "--suggest-policy",
                "--out",
                out,
                "--force",
            ],
        );
        assert_eq!(code(&o), 2, "{out}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("never overwrites its input"),
            "{}",
            stderr(&o)
        );
    }
    assert_eq!(read(d, "data/klanten.csv"), input);
    assert_eq!(read(d, "hard.csv"), input);
    // An earlier output is replaced with --force, atomically.
    write(d, "out.csv", "earlier\n");
    let o = anonymise(
        d,
        &[
            "data/klanten.csv",
            "--policy",
            "p.toml",
            "--out",
            "out.csv",
            "--force",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(read(d, "out.csv"), "id,ip\n1,10.1.2.0\n2,10.2.3.0\n");
    assert!(temp_dirs(d).is_empty());
}

#[test]
fn a_folder_with_one_file_still_gives_a_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "in/klanten.csv", "id,ip\n1,10.1.2.3\n");
    write(
        d,
        "p.toml",
        "[[column]]\nname = \"ip\"\nmethod = \"ip_truncate\"\n[[column]]\nname = \"id\"\nmethod = \"keep\"\n",
    );
    let o = anonymise(d, &["in", "--policy", "p.toml", "--out", "out"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(d.join("out").is_dir(), "out is a folder");
    assert_eq!(read(d, "out/klanten.csv"), "id,ip\n1,10.1.2.0\n");
    // A second file changes nothing about the first one's place.
    write(d, "in2/klanten.csv", "id,ip\n1,10.1.2.3\n");
    write(d, "in2/more.csv", "id,ip\n2,10.2.3.4\n");
    let o = anonymise(d, &["in2", "--policy", "p.toml", "--out", "out2"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(read(d, "out2/klanten.csv"), "id,ip\n1,10.1.2.0\n");
}

#[test]
fn a_column_that_holds_bsns_only_after_row_10000_fails_closed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let mut csv = String::from("id,stad,nummer\n");
    for i in 0..10_500 {
        csv.push_str(&format!("{i},Utrecht,\n"));
    }
    let mut n = 0;
    for i in 0..300 {
        let b = bsn(n);
        n = b.parse::<u64>().expect("digits") - 100_000_000 + 7;
        csv.push_str(&format!("{},Utrecht,{b}\n", 10_500 + i));
    }
    write(d, "late.csv", &csv);
    write(
        d,
        "p.toml",
        "on_unlisted = \"fail\"\n[[column]]\nname = \"id\"\nmethod = \"keep\"\n[[column]]\nname = \"stad\"\nmethod = \"keep\"\n",
    );
    let o = anonymise(d, &["late.csv", "--policy", "p.toml", "--out", "out.csv"]);
    assert_eq!(code(&o), 2, "{}{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o).contains("late.nummer") && stderr(&o).contains("bsn"),
        "{}",
        stderr(&o)
    );
    assert!(!d.join("out.csv").exists());
    // Sampling is no option of anonymise itself.
    let o = anonymise(
        d,
        &[
            "late.csv",
            "--policy",
            "p.toml",
            "--out",
            "out.csv",
            "--sample-rows",
            "10",
        ],
    );
    assert_eq!(code(&o), 2);
    assert!(!d.join("out.csv").exists());
}

#[test]
fn the_re_scan_reads_every_row_and_expects_only_the_kept_form() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // E-mail addresses in an IP column after row 10,500, kept by on_invalid = "keep".
    let mut csv = String::from("id,ip\n");
    for i in 0..10_500 {
        csv.push_str(&format!("{i},10.{}.{}.{}\n", i % 250, i % 200, i % 100));
    }
    for i in 0..20 {
        csv.push_str(&format!("{},persoon{i}@voorbeeld.nl\n", 10_500 + i));
    }
    write(d, "late.csv", &csv);
    write(
        d,
        "p.toml",
        "[[column]]\nname = \"id\"\nmethod = \"keep\"\n[[column]]\nname = \"ip\"\nmethod = \"ip_truncate\"\non_invalid = \"keep\"\n",
    );
    let o = anonymise(d, &["late.csv", "--policy", "p.toml", "--out", "out.csv"]);
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    let s = stdout(&o);
    assert!(
        s.contains("late.ip still holds user.contact.email (20) — NOT EXPECTED"),
        "{s}"
    );
    assert!(
        s.contains("late.ip still holds user.device.ip_address (10500) — expected"),
        "{s}"
    );
    // The same in a small file: an e-mail address in an ip_truncate column is a leak.
    write(
        d,
        "small.csv",
        "id,ip\n1,10.1.2.3\n2,jan@voorbeeld.nl\n3,10.2.3.4\n",
    );
    let o = anonymise(
        d,
        &["small.csv", "--policy", "p.toml", "--out", "small.out.csv"],
    );
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(
        stdout(&o).contains("user.contact.email (1) — NOT EXPECTED"),
        "{}",
        stdout(&o)
    );
    // IP addresses alone are the kept form: exit 0.
    write(d, "ips.csv", "id,ip\n1,10.1.2.3\n3,10.2.3.4\n");
    let o = anonymise(
        d,
        &["ips.csv", "--policy", "p.toml", "--out", "ips.out.csv"],
    );
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(
        stdout(&o).contains("expected: ip_truncate"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn rows_are_counted_alike_for_every_line_ending() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "p.toml",
        "[[column]]\nname = \"ip\"\nmethod = \"ip_truncate\"\n[[column]]\nname = \"id\"\nmethod = \"keep\"\n[[column]]\nname = \"note\"\nmethod = \"keep\"\n",
    );
    let cases: [(&str, &str); 6] = [
        ("lf", "id,ip,note\n1,10.1.2.3,a\n2,10.2.3.4,b\n3,10.3.4.5,c\n"),
        ("crlf", "id,ip,note\r\n1,10.1.2.3,a\r\n2,10.2.3.4,b\r\n3,10.3.4.5,c\r\n"),
        ("cr", "id,ip,note\r1,10.1.2.3,a\r2,10.2.3.4,b\r3,10.3.4.5,c\r"),
        ("mixed", "id,ip,note\r\n1,10.1.2.3,a\r2,10.2.3.4,b\n3,10.3.4.5,c"),
        (
            "quoted",
            "id,ip,note\n1,10.1.2.3,\"two\nlines\"\n2,10.2.3.4,\"cr\rinside\"\r3,10.3.4.5,\"crlf\r\ninside\"\r\n",
        ),
        ("blank", "id,ip,note\n\n1,10.1.2.3,a\r\n\r\n2,10.2.3.4,b\r\r3,10.3.4.5,c\n\n"),
    ];
    for (name, text) in cases {
        let file = format!("{name}.csv");
        write(d, &file, text);
        let out = format!("out-{name}.csv");
        let o = anonymise(d, &[&file, "--policy", "p.toml", "--out", &out]);
        assert_eq!(code(&o), 0, "{name}: {}{}", stdout(&o), stderr(&o));
        assert!(
            stdout(&o).contains(&format!("table {name}: 3 rows in, 3 rows out")),
            "{name}: {}",
            stdout(&o)
        );
        assert!(
            stdout(&o).contains(&format!(
                "verified: rows read back equal rows read ({name} 3)"
            )),
            "{name}: {}",
            stdout(&o)
        );
        // The output read by the csv crate: three records, every address truncated.
        let bytes = std::fs::read(d.join(&out)).expect("output");
        let mut r = csv::ReaderBuilder::new().from_reader(&bytes[..]);
        let rows: Vec<csv::StringRecord> = r.records().map(|r| r.expect("record")).collect();
        assert_eq!(
            rows.len(),
            3,
            "{name}: {:?}",
            String::from_utf8_lossy(&bytes)
        );
        let ips: Vec<&str> = rows.iter().map(|r| &r[1]).collect();
        assert_eq!(ips, ["10.1.2.0", "10.2.3.0", "10.3.4.0"], "{name}");
    }
}

#[test]
fn errors_while_writing_name_the_file_the_table_and_the_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "in/web.csv", "id,ip\n1,10.1.2.3\n2,-\n");
    write(
        d,
        "p.toml",
        "[[column]]\nname = \"id\"\nmethod = \"keep\"\n[[column]]\nname = \"ip\"\nmethod = \"ip_truncate\"\non_invalid = \"fail\"\n",
    );
    let o = anonymise(d, &["in", "--policy", "p.toml", "--out", "out"]);
    assert_eq!(code(&o), 2);
    let e = stderr(&o);
    assert!(
        e.contains("in/web.csv")
            && e.contains("out/web.csv")
            && e.contains("row 2")
            && e.contains("ip"),
        "{e}"
    );
    assert!(files_under(&d.join("out")).is_empty());
}

/// A CSV with a planted e-mail domain on every row, and the policy that pseudonymises it.
fn planted_csv(d: &Path, rows: usize) {
    let mut csv = String::with_capacity(rows * 40);
    csv.push_str("id,email,stad\n");
    for i in 0..rows {
        csv.push_str(&format!("{i},klant{i}@geplant-domein.nl,Utrecht\n"));
    }
    write(d, "in/big.csv", &csv);
    write(
        d,
        "p.toml",
        "on_unlisted = \"keep\"\n[[column]]\nname = \"*email\"\nmethod = \"hmac\"\n",
    );
}

/// A SQLite database with a planted e-mail domain on every row.
fn planted_sqlite(d: &Path, rows: usize) {
    std::fs::create_dir_all(d.join("in")).expect("mkdir");
    let mut conn = rusqlite::Connection::open(d.join("in/big.sqlite")).expect("create");
    conn.execute_batch("CREATE TABLE klanten (id INTEGER PRIMARY KEY, email TEXT, stad TEXT)")
        .expect("table");
    let tx = conn.transaction().expect("tx");
    for i in 0..rows {
        tx.execute(
            "INSERT INTO klanten (email, stad) VALUES (?1, 'Utrecht')",
            [format!("klant{i}@geplant-domein.nl")],
        )
        .expect("insert");
    }
    tx.commit().expect("commit");
    write(
        d,
        "p.toml",
        "on_unlisted = \"keep\"\n[[column]]\nname = \"*.email\"\nmethod = \"hmac\"\n",
    );
}

const PLANTED: &str = "geplant-domein.nl";

/// Where a run is when it is stopped.
#[derive(Debug, Clone, Copy)]
enum Point {
    /// Its temporary directory exists.
    TempDir,
    /// Its temporary output holds at least this many bytes.
    Written(u64),
    /// SQLite's rollback journal exists (mid-transaction).
    Journal,
}

fn reached(out: &Path, point: Point) -> bool {
    let dirs = temp_dirs(out);
    match point {
        Point::TempDir => !dirs.is_empty(),
        Point::Written(n) => dirs.iter().any(|t| {
            files_under(t)
                .iter()
                .any(|f| std::fs::metadata(f).is_ok_and(|m| m.len() >= n))
        }),
        Point::Journal => dirs.iter().any(|t| {
            files_under(t)
                .iter()
                .any(|f| f.to_string_lossy().ends_with("-journal"))
        }),
    }
}

/// Starts a run, stops it with `signal` once it reached `point`; returns whether it was
/// stopped there (a run that finished first is not).
#[cfg(unix)]
fn stop_at(d: &Path, input: &str, output: &str, point: Point, signal: i32) -> bool {
    let mut child = piiscan()
        .current_dir(d)
        .env("PIISCAN_KEY", KEY)
        .args(["anonymise", input, "--policy", "p.toml", "--out", output])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let out = d.join("out");
    let mut stopped = false;
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if reached(&out, point) {
            let pid = i32::try_from(child.id()).expect("pid");
            // SAFETY: a signal to the child we started.
            unsafe { libc::kill(pid, signal) };
            stopped = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let status = child.wait().expect("wait");
    if stopped && signal == libc::SIGTERM {
        use std::os::unix::process::ExitStatusExt;
        assert!(
            status.signal() == Some(libc::SIGTERM)
                || status.code() == Some(143)
                || status.success(),
            "{status:?}"
        );
    }
    stopped
}

/// After a kill: anything holding a planted value is private (a 0600 file in a 0700
/// temporary directory), and the next run into the same folder removes it and says so.
#[cfg(unix)]
fn after_sigkill(d: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let out = d.join("out");
    let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    for f in holding(&out, PLANTED) {
        let tmp = f.parent().expect("parent");
        assert!(
            tmp.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".piiscan-tmp-")),
            "{f:?} outside a temporary directory"
        );
        assert_eq!(mode(tmp), 0o700, "{tmp:?}");
        assert_eq!(mode(&f), 0o600, "{f:?}");
    }
    let left = temp_dirs(&out);
    write(d, "small.csv", "id,stad\n1,Utrecht\n");
    let o = anonymise(
        d,
        &["small.csv", "--policy", "p.toml", "--out", "out/small.csv"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for t in &left {
        assert!(
            stderr(&o).contains(&*t.file_name().expect("name").to_string_lossy()),
            "{}",
            stderr(&o)
        );
    }
    if !left.is_empty() {
        assert!(
            stderr(&o).contains("left by an interrupted run"),
            "{}",
            stderr(&o)
        );
    }
    assert_eq!(
        files_under(&out),
        vec![out.join("small.csv")],
        "only the new output is left"
    );
    std::fs::remove_file(out.join("small.csv")).expect("rm");
}

#[cfg(unix)]
#[test]
fn a_killed_csv_run_leaves_no_readable_personal_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    planted_csv(d, 150_000);
    std::fs::create_dir(d.join("out")).expect("mkdir");
    let mut stopped = 0;
    for point in [Point::TempDir, Point::Written(1 << 20)] {
        for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGKILL] {
            stopped += usize::from(stop_at(d, "in/big.csv", "out/big.csv", point, signal));
            if signal != libc::SIGKILL {
                // Nothing at all is left: no temporary file of any name.
                let left: Vec<PathBuf> = files_under(&d.join("out"))
                    .into_iter()
                    .filter(|f| {
                        f.file_name()
                            .is_some_and(|n| n != "big.csv" && n != "big.sqlite")
                    })
                    .collect();
                assert!(left.is_empty(), "{point:?}: {left:?}");
                assert!(temp_dirs(&d.join("out")).is_empty(), "{point:?}");
                assert!(holding(&d.join("out"), PLANTED).is_empty(), "{point:?}");
            } else {
                after_sigkill(d);
            }
            let _ = std::fs::remove_file(d.join("out/big.csv"));
        }
    }
    assert!(stopped >= 3, "the runs were stopped midway ({stopped})");
}

#[cfg(unix)]
#[test]
fn a_killed_sqlite_run_leaves_no_readable_copy_or_journal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    planted_sqlite(d, 40_000);
    std::fs::create_dir(d.join("out")).expect("mkdir");
    let size = std::fs::metadata(d.join("in/big.sqlite"))
        .expect("meta")
        .len();
    let mut stopped = 0;
    for point in [Point::TempDir, Point::Written(size), Point::Journal] {
        for signal in [libc::SIGTERM, libc::SIGKILL] {
            stopped += usize::from(stop_at(d, "in/big.sqlite", "out/big.sqlite", point, signal));
            if signal != libc::SIGKILL {
                // Nothing at all is left: no temporary file of any name.
                let left: Vec<PathBuf> = files_under(&d.join("out"))
                    .into_iter()
                    .filter(|f| {
                        f.file_name()
                            .is_some_and(|n| n != "big.csv" && n != "big.sqlite")
                    })
                    .collect();
                assert!(left.is_empty(), "{point:?}: {left:?}");
                assert!(temp_dirs(&d.join("out")).is_empty(), "{point:?}");
                assert!(holding(&d.join("out"), PLANTED).is_empty(), "{point:?}");
            } else {
                after_sigkill(d);
            }
            let _ = std::fs::remove_file(d.join("out/big.sqlite"));
        }
    }
    assert!(stopped >= 4, "the runs were stopped midway ({stopped})");
}

/// Runs piiscan under a file-size limit of `blocks` (of the shell's `ulimit -f`).
#[cfg(unix)]
fn anonymise_limited(dir: &Path, blocks: u64, args: &[&str]) -> Output {
    std::process::Command::new("sh")
        .current_dir(dir)
        .env("PIISCAN_KEY", KEY)
        .env("PIISCAN_FINGERPRINT_KEY", "test-key-not-secret")
        .arg("-c")
        .arg(format!("ulimit -f {blocks}; exec \"$0\" anonymise \"$@\""))
        .arg(env!("CARGO_BIN_EXE_piiscan"))
        .args(args)
        .output()
        .expect("run sh")
}

#[cfg(unix)]
#[test]
fn a_full_disk_leaves_nothing_behind_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    planted_csv(d, 60_000);
    let o = anonymise_limited(
        d,
        200,
        &["in/big.csv", "--policy", "p.toml", "--out", "out/big.csv"],
    );
    assert_eq!(code(&o), 2, "{}{}", stdout(&o), stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("out/big.csv") && e.contains("File too large"),
        "{e}"
    );
    assert!(
        e.contains("not kept") || e.contains("no output was left"),
        "{e}"
    );
    assert!(
        files_under(&d.join("out")).is_empty(),
        "{:?}",
        files_under(&d.join("out"))
    );
    assert!(temp_dirs(&d.join("out")).is_empty());

    planted_sqlite(d, 40_000);
    let o = anonymise_limited(
        d,
        200,
        &[
            "in/big.sqlite",
            "--policy",
            "p.toml",
            "--out",
            "out/big.sqlite",
        ],
    );
    assert_eq!(code(&o), 2, "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("File too large"), "{}", stderr(&o));
    assert!(
        files_under(&d.join("out")).is_empty(),
        "{:?}",
        files_under(&d.join("out"))
    );
    assert!(holding(d, PLANTED)
        .iter()
        .all(|p| p.starts_with(d.join("in"))));
}
