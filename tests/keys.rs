//! Keys protect something (issue 12, items 8 to 10): every key holds at least 128 bits, the
//! fingerprint key file is never made in the working directory, and no message shows the
//! content of a key file or a data file given where piiscan expects one of its own files.

use crate::common::{piiscan, stderr};
use std::path::Path;
use std::process::Output;

const LEAK: &str = "BSN klant: 111222333\n";

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

/// A project with one finding, and a scan of it under `env` (the fingerprint key unset).
fn scan_with(dir: &Path, env: &[(&str, &str)]) -> Output {
    std::fs::write(dir.join("notes.txt"), LEAK).expect("write");
    let mut c = piiscan();
    c.current_dir(dir).env_remove("PIISCAN_FINGERPRINT_KEY");
    for (k, v) in env {
        c.env(k, v);
    }
    c.args(["scan", "notes.txt", "--format", "ndjson"])
        .output()
        .expect("run")
}

#[test]
fn short_or_empty_fingerprint_keys_are_refused_naming_their_source() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let home = tempfile::tempdir().expect("home");
    let h = home.path().to_str().expect("utf-8");
    // An empty variable, a short one.
    for key in ["", "short-Zq9"] {
        let o = scan_with(d, &[("PIISCAN_FINGERPRINT_KEY", key), ("HOME", h)]);
        assert_eq!(code(&o), 2, "{key:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("PIISCAN_FINGERPRINT_KEY"),
            "{}",
            stderr(&o)
        );
        assert!(stderr(&o).contains("at least 16"), "{}", stderr(&o));
        if !key.is_empty() {
            assert!(!stderr(&o).contains(key), "{}", stderr(&o));
        }
    }
    // An empty key file (today: silently an unkeyed HMAC) and a short one.
    let file = home.path().join(".local/share/piiscan/fingerprint.key");
    std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
    for text in ["", "\n", "0123456789abcdef\n"] {
        std::fs::write(&file, text).expect("write");
        let o = scan_with(d, &[("HOME", h), ("XDG_DATA_HOME", "")]);
        assert_eq!(code(&o), 2, "{text:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("fingerprint.key") && stderr(&o).contains("at least 16"),
            "{}",
            stderr(&o)
        );
        if !text.trim().is_empty() {
            assert!(!stderr(&o).contains(text.trim()), "{}", stderr(&o));
        }
    }
    // A missing key file is made, with a full key, and used again.
    std::fs::remove_file(&file).expect("rm");
    let a = scan_with(d, &[("HOME", h), ("XDG_DATA_HOME", "")]);
    assert_ne!(code(&a), 2, "{}", stderr(&a));
    let key = std::fs::read_to_string(&file).expect("key made");
    assert_eq!(key.trim().len(), 64);
    let b = scan_with(d, &[("HOME", h)]);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn the_key_file_is_never_made_in_the_working_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let home = tempfile::tempdir().expect("home");
    let h = home.path().to_str().expect("utf-8");
    // An empty or relative XDG_DATA_HOME is ignored: the key goes under $HOME.
    for xdg in ["", "data", "./"] {
        let o = scan_with(d, &[("HOME", h), ("XDG_DATA_HOME", xdg)]);
        assert_ne!(code(&o), 2, "{xdg:?}: {}", stderr(&o));
        assert!(
            !d.join("piiscan").exists(),
            "{xdg:?}: key made in the project"
        );
        assert!(!d.join("data").exists(), "{xdg:?}: key made in the project");
        assert!(home
            .path()
            .join(".local/share/piiscan/fingerprint.key")
            .exists());
    }
    // No usable HOME either: refused, saying what to set.
    for home in [None, Some(""), Some("relative-home")] {
        let mut c = piiscan();
        c.current_dir(d)
            .env_remove("PIISCAN_FINGERPRINT_KEY")
            .env_remove("XDG_DATA_HOME")
            .env_remove("HOME");
        if let Some(hm) = home {
            c.env("HOME", hm);
        }
        let o = c.args(["scan", "notes.txt"]).output().expect("run");
        assert_eq!(code(&o), 2, "{home:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("set PIISCAN_FINGERPRINT_KEY"),
            "{}",
            stderr(&o)
        );
        let entries: Vec<_> = std::fs::read_dir(d).expect("list").flatten().collect();
        assert_eq!(entries.len(), 1, "only notes.txt: {entries:?}");
    }
}

fn write(d: &Path, name: &str, text: &str) {
    std::fs::write(d.join(name), text).expect("write");
}

fn anonymise(d: &Path, env_key: Option<&str>, policy: &str) -> Output {
    let mut c = piiscan();
    c.current_dir(d).env_remove("PIISCAN_KEY");
    if let Some(k) = env_key {
        c.env("PIISCAN_KEY", k);
    }
    c.args([
        "anonymise",
        "in.csv",
        "--policy",
        policy,
        "--out",
        "out.csv",
    ])
    .output()
    .expect("run")
}

#[test]
fn short_master_keys_and_key_files_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "in.csv", "id,email,ip\n1,jan@example.nl,10.1.2.3\n");
    write(
        d,
        "hmac.toml",
        "on_unlisted = \"keep\"\n[[column]]\nname = \"email\"\nmethod = \"hmac\"\n",
    );
    // PIISCAN_KEY set to nothing (a missing CI secret) or too little.
    for key in ["", "   ", "0123456789abcdef0123"] {
        let o = anonymise(d, Some(key), "hmac.toml");
        assert_eq!(code(&o), 2, "{key:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("PIISCAN_KEY"), "{}", stderr(&o));
        assert!(!d.join("out.csv").exists());
    }
    // A policy key_file of one byte (today: accepted and called pseudonymised).
    for (name, text) in [
        ("one.key", "ab\n"),
        ("empty.key", ""),
        ("fifteen.key", &"0c".repeat(15)),
    ] {
        write(d, name, text);
        write(
            d,
            "kf.toml",
            &format!("on_unlisted = \"keep\"\n[[column]]\nname = \"email\"\nmethod = \"hmac\"\nkey_file = \"{name}\"\n"),
        );
        let o = anonymise(d, None, "kf.toml");
        assert_eq!(code(&o), 2, "{name}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(name) && stderr(&o).contains("at least 16"),
            "{}",
            stderr(&o)
        );
        assert!(!d.join("out.csv").exists());
    }
    // Crypto-PAn takes exactly 32 bytes: 16 is refused.
    write(d, "cp16.key", "000102030405060708090a0b0c0d0e0f");
    write(
        d,
        "cp.toml",
        "on_unlisted = \"keep\"\n[[column]]\nname = \"ip\"\nmethod = \"ip_prefix_preserving\"\nkey_file = \"cp16.key\"\n",
    );
    let o = anonymise(d, None, "cp.toml");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("exactly 32 bytes"), "{}", stderr(&o));
    // 16 bytes of hex (32 digits) is enough for hmac.
    write(d, "ok.key", "0f0e0d0c0b0a09080706050403020100");
    write(
        d,
        "kf.toml",
        "on_unlisted = \"keep\"\n[[column]]\nname = \"email\"\nmethod = \"hmac\"\nkey_file = \"ok.key\"\n",
    );
    let o = anonymise(d, None, "kf.toml");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// A key file and a file of personal data, each given where piiscan expects a rule pack, a
/// configuration, a policy, a baseline, an inventory and a register file: the error names the
/// file and the line, and shows nothing of its content.
#[test]
fn parse_errors_never_show_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let key = "c2VjcmV0LWtleS1tYXRlcmlhbC0wMTIzNDU2Nzg5YWJjZGVm";
    write(d, "piiscan.key", &format!("{key}\n"));
    write(
        d,
        "people.csv",
        "naam,email,bsn\nJan Jansen,jan.jansen@example.nl,111222333\n",
    );
    // Valid TOML of personal data: the values must not come back in `invalid type` messages.
    write(
        d,
        "people.toml",
        "controller_name = 111222333\nname = [\"jan.jansen@example.nl\"]\nid = 1\nbsn = \"111222333\"\n",
    );
    let secrets = [key, "Jan Jansen", "jan.jansen", "111222333", "c2VjcmV0"];
    std::fs::create_dir_all(d.join("register/activities")).expect("mkdir");
    for file in ["piiscan.key", "people.csv", "people.toml"] {
        let runs: Vec<(&str, Vec<&str>)> = vec![
            ("rule pack", vec!["scan", "--rules", file, "people.csv"]),
            ("config", vec!["scan", "--config", file, "people.csv"]),
            ("baseline", vec!["scan", "--baseline", file, "people.csv"]),
            (
                "policy",
                vec![
                    "anonymise",
                    "people.csv",
                    "--policy",
                    file,
                    "--out",
                    "o.csv",
                ],
            ),
            ("inventory", vec!["register", "draft", "--inventory", file]),
        ];
        let mut outputs: Vec<(String, Output)> = runs
            .into_iter()
            .map(|(what, args)| {
                let o = piiscan()
                    .current_dir(d)
                    .env("PIISCAN_KEY", "a-master-key-of-enough-length")
                    .args(&args)
                    .output()
                    .expect("run");
                (what.to_string(), o)
            })
            .collect();
        // The same file as the organisation and as an activity of a register.
        for target in ["register/register.toml", "register/activities/a.toml"] {
            let _ = std::fs::remove_file(d.join("register/register.toml"));
            let _ = std::fs::remove_file(d.join("register/activities/a.toml"));
            if target.ends_with("a.toml") {
                write(d, "register/register.toml", "");
            }
            std::fs::copy(d.join(file), d.join(target)).expect("copy");
            let o = piiscan()
                .current_dir(d)
                .args(["register", "check"])
                .output()
                .expect("run");
            outputs.push((target.to_string(), o));
        }
        for (what, o) in outputs {
            let err = stderr(&o);
            assert_eq!(code(&o), 2, "{file} as {what}: {err}");
            assert!(err.contains("line "), "{file} as {what}: no line: {err}");
            for s in secrets {
                assert!(!err.contains(s), "{file} as {what}: {s} shown: {err}");
            }
        }
    }
}
