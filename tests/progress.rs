//! The progress bar: drawn on a terminal for `scan` and `anonymise`, never when the output is
//! piped, under CI (`CI` set) or with `--quiet`. A terminal is made with util-linux `script`
//! (a pseudo-terminal); where it is missing the terminal half is skipped, and says so.

use crate::common::{piiscan, stderr};
use std::path::Path;
use std::process::Command;

fn fixture(dir: &Path) {
    let mut csv = String::from("id,email\n");
    for i in 0..200 {
        csv.push_str(&format!("{i},klant{i}@voorbeeld.nl\n"));
    }
    std::fs::write(dir.join("klanten.csv"), csv).expect("write");
    std::fs::write(
        dir.join("p.toml"),
        "[[column]]\nname = \"email\"\nmethod = \"redact\"\n",
    )
    .expect("write");
}

const ANONYMISE: &[&str] = &[
    "anonymise",
    "klanten.csv",
    "--policy",
    "p.toml",
    "--out",
    "out.csv",
    "--force",
];

/// What a terminal shows when piiscan runs on one, with `CI` set or not.
fn on_a_terminal(dir: &Path, args: &[&str], ci: bool) -> Option<String> {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: util-linux `script` is not installed (no pseudo-terminal)");
        return None;
    }
    let line = std::iter::once(env!("CARGO_BIN_EXE_piiscan"))
        .chain(args.iter().copied())
        .collect::<Vec<_>>()
        .join(" ");
    let mut c = Command::new("script");
    c.current_dir(dir)
        .args(["-qec", &line, "/dev/null"])
        .env("PIISCAN_FINGERPRINT_KEY", "test-key-not-secret")
        .env("TERM", "xterm");
    if ci {
        c.env("CI", "true");
    } else {
        c.env_remove("CI");
    }
    let o = c.output().expect("run script");
    Some(String::from_utf8_lossy(&o.stdout).into_owned())
}

/// indicatif's bar, as the template draws it: elapsed time and bytes done of the total.
fn has_bar(text: &str) -> bool {
    text.contains("[00:00:") && (text.contains(" B/") || text.contains(" KiB/"))
}

#[test]
fn anonymise_shows_a_bar_on_a_terminal_as_scan_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    fixture(d);
    let Some(scan) = on_a_terminal(d, &["scan", "klanten.csv"], false) else {
        return;
    };
    assert!(has_bar(&scan), "{scan}");
    let shown = on_a_terminal(d, ANONYMISE, false).expect("script");
    assert!(has_bar(&shown), "{shown}");
    assert!(shown.contains("1/1 files"), "{shown}");
    // The report is printed whole, not drawn over.
    assert!(shown.contains("klanten.csv → out.csv (CSV/TSV)"), "{shown}");
    for (args, ci) in [
        (ANONYMISE.to_vec(), true),
        ([ANONYMISE, &["-q"]].concat(), false),
    ] {
        let quiet = on_a_terminal(d, &args, ci).expect("script");
        assert!(!has_bar(&quiet), "{args:?} CI={ci}: {quiet}");
        assert!(quiet.contains("klanten.csv → out.csv"), "{quiet}");
    }
}

#[test]
fn no_bar_when_standard_error_is_piped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    fixture(d);
    let o = piiscan()
        .current_dir(d)
        .args(ANONYMISE)
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
}
