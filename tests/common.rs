//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The piiscan binary built for these tests.
pub fn piiscan() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_piiscan"));
    // A fixed fingerprint key: tests must not write into the user's home.
    c.env("PIISCAN_FINGERPRINT_KEY", "test-key-not-secret");
    c.env_remove("CI");
    c
}

/// Runs piiscan with arguments in a directory.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    piiscan()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run piiscan")
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Parses NDJSON output into JSON values.
pub fn ndjson(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_str(l).expect("valid JSON line"))
        .collect()
}

/// The master key the anonymiser tests give through `PIISCAN_KEY`; tests assert it is never
/// printed, so it is recognisable.
pub const KEY: &str = "SECRET-master-key-4f1c9e2b7a-do-not-print";

/// Runs `piiscan anonymise` with [`KEY`] in a directory.
pub fn anonymise(dir: &Path, args: &[&str]) -> Output {
    piiscan()
        .current_dir(dir)
        .env("PIISCAN_KEY", KEY)
        .arg("anonymise")
        .args(args)
        .output()
        .expect("run piiscan")
}

/// The exit code (-1 when killed by a signal).
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Writes a file below `dir`, making its folders.
pub fn write(dir: &Path, name: &str, text: &str) {
    if let Some(parent) = dir.join(name).parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(dir.join(name), text).expect("write");
}

/// Compares `actual` with the golden file `tests/golden/<name>`, or writes it when
/// `PIISCAN_UPDATE_GOLDEN=1`; a difference names the first line that differs.
pub fn golden(name: &str, actual: &[u8]) {
    let path = root().join("tests/golden").join(name);
    if std::env::var("PIISCAN_UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let want = std::fs::read(&path).unwrap_or_else(|_| {
        panic!(
            "{} missing: run with PIISCAN_UPDATE_GOLDEN=1",
            path.display()
        )
    });
    if want != actual {
        let (want, got) = (
            String::from_utf8_lossy(&want),
            String::from_utf8_lossy(actual),
        );
        let line = want
            .lines()
            .zip(got.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(want.lines().count().min(got.lines().count()));
        panic!(
            "{name} differs from its golden file at line {}:\nwant: {:?}\ngot:  {:?}\n(PIISCAN_UPDATE_GOLDEN=1 rewrites it)",
            line + 1,
            want.lines().nth(line).unwrap_or(""),
            got.lines().nth(line).unwrap_or("")
        );
    }
}

/// Chromium, if installed (`.ci/run` installs Debian's package); `PIISCAN_REQUIRE_CHROMIUM`
/// makes its absence a failure. `what` names the test skipped without it.
pub fn chromium(what: &str) -> Option<&'static str> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    if found.is_none() {
        assert!(
            std::env::var("PIISCAN_REQUIRE_CHROMIUM").is_err(),
            "PIISCAN_REQUIRE_CHROMIUM is set but no chromium was found"
        );
        eprintln!("{what} skipped: no chromium (.ci/run installs Debian's package)");
    }
    found
}

/// Prints `html` to an A4 PDF beside it in headless Chromium and returns the PDF's text
/// (pdftotext, from poppler-utils) and its number of pages.
pub fn print_to_pdf(chromium: &str, html: &Path) -> (String, usize) {
    let pdf = html.with_extension("pdf");
    let o = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
        ])
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium");
    assert!(
        pdf.exists(),
        "no PDF: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let pages = text.matches('\u{c}').count().max(1);
    (text, pages)
}

/// Whether the tests that need PostgreSQL and MariaDB servers run (`PIISCAN_RESTORE_DATABASES=1`,
/// as `.ci/run` sets with both servers started); says on stderr that `what` is skipped when not.
pub fn databases(what: &str) -> bool {
    if std::env::var("PIISCAN_RESTORE_DATABASES").as_deref() == Ok("1") {
        return true;
    }
    eprintln!("{what} skipped: set PIISCAN_RESTORE_DATABASES=1 with PostgreSQL and MariaDB running (.ci/run does)");
    false
}
