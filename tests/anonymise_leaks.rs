//! Leaks an attacker found behind "verified" (issue 12, second pass): places the policy names
//! but no rewriter transforms (nested fields, list elements, CSV fields beyond the header),
//! SQLite triggers copying raw values while rewriting, a named text rule left raw at low
//! confidence, a value kept unread called "expected", weak keys, baselines and allowlists that
//! take different e-mail addresses for one, and a baseline's content echoed in a message.

use crate::common::{anonymise, code, piiscan, stderr, stdout, write};
use std::path::Path;
use std::process::Output;

/// Does any file under `dir` hold `needle`?
fn anywhere(dir: &Path, needle: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if std::fs::read(&p)
                .is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
            {
                out.push(p.display().to_string());
            }
        }
    }
    out
}

const NESTED: &str = "{\"id\":1,\"u\":{\"mail\":\"jan.jansen@gmail.com\"},\"tags\":[\"piet.pietersen@hotmail.com\",\"x\"],\"orders\":[{\"email\":\"kees.devries@ziggo.nl\"}]}\n\
{\"id\":2,\"u\":{\"mail\":\"anna.bakker@xs4all.nl\"},\"tags\":[\"els.visser@kpn.nl\"],\"orders\":[]}\n";

/// Every address of [`NESTED`].
const NESTED_VALUES: [&str; 5] = [
    "jan.jansen@gmail.com",
    "piet.pietersen@hotmail.com",
    "kees.devries@ziggo.nl",
    "anna.bakker@xs4all.nl",
    "els.visser@kpn.nl",
];

#[test]
fn nested_fields_and_list_elements_the_policy_names_are_refused_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir(d.join("in")).expect("mkdir");
    std::fs::write(d.join("in/arr.ndjson"), NESTED).expect("write");
    // Each way of naming them: by name, by dotted name, by category.
    for (policy, names) in [
        (
            "[[column]]\nname = \"u.mail\"\nmethod = \"hmac\"\n[[column]]\nname = \"tags[[]]\"\nmethod = \"hmac\"\n[[column]]\nname = \"orders[[]].email\"\nmethod = \"hmac\"\n",
            &["arr.tags[]", "arr.orders[].email"][..],
        ),
        (
            "[[column]]\ncategory = \"user.contact.email\"\nmethod = \"redact\"\n",
            &["arr.tags[]", "arr.orders[].email"][..],
        ),
    ] {
        write(d, "p.toml", policy);
        for out in [
            &["--out", "out.ndjson"][..],
            &["--out", "out.parquet", "--to", "parquet"][..],
            &["--out", "out.csv", "--to", "csv"][..],
        ] {
            let mut args = vec!["in/arr.ndjson", "--policy", "p.toml"];
            args.extend_from_slice(out);
            let o = anonymise(d, &args);
            let err = stderr(&o);
            assert_eq!(code(&o), 2, "{out:?} {policy}\n{}{err}", stdout(&o));
            assert!(!stdout(&o).contains("verified"), "{}", stdout(&o));
            for n in names {
                assert!(err.contains(n), "{n} not named: {err}");
            }
            for v in NESTED_VALUES {
                assert!(!err.contains(v), "{err}");
                let holding: Vec<String> = anywhere(d, v)
                    .into_iter()
                    .filter(|p| !p.ends_with("arr.ndjson"))
                    .collect();
                assert!(holding.is_empty(), "{v} in {holding:?}");
            }
        }
    }
}

#[cfg(feature = "parquet")]
#[test]
fn a_parquet_struct_field_named_by_the_policy_is_refused_not_passed_through() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let emails = ["jan.jansen@gmail.com", "piet.pietersen@hotmail.com"];
    let bsns = ["111222333", "123456782"];
    let klant = StructChunked::from_series(
        "klant".into(),
        2,
        [
            Series::new("email".into(), emails),
            Series::new("bsn".into(), bsns),
        ]
        .iter(),
    )
    .expect("struct")
    .into_series();
    let id = Series::new("id".into(), [1i64, 2]);
    let mut df = DataFrame::new(2, vec![id.into(), klant.into()]).expect("frame");
    ParquetWriter::new(std::fs::File::create(d.join("n.parquet")).expect("create"))
        .finish(&mut df)
        .expect("parquet");
    write(
        d,
        "p.toml",
        "[[column]]\ncategory = \"user.contact.email\"\nmethod = \"hmac\"\n[[column]]\nname = \"klant.bsn\"\nmethod = \"redact\"\n",
    );
    for out in [
        &["--out", "o.parquet"][..],
        &["--out", "o.ndjson", "--to", "ndjson"][..],
    ] {
        let mut args = vec!["n.parquet", "--policy", "p.toml"];
        args.extend_from_slice(out);
        let o = anonymise(d, &args);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{}{err}", stdout(&o));
        assert!(err.contains("klant.email"), "{err}");
        for v in emails.iter().chain(&bsns) {
            let holding: Vec<String> = anywhere(d, v)
                .into_iter()
                .filter(|p| !p.ends_with("n.parquet"))
                .collect();
            assert!(holding.is_empty(), "{v} in {holding:?}");
        }
    }
}

#[test]
fn csv_fields_beyond_the_header_are_refused_when_named_never_passed_through() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "rag.csv",
        "id,email\n1,piet.pietersen@hotmail.com\n2,kees.devries@ziggo.nl\n3,x@y.nl,jan.jansen@gmail.com,BSN 111222333\n",
    );
    // Unnamed: the run stops and names them.
    write(
        d,
        "p1.toml",
        "[[column]]\nname = \"email\"\nmethod = \"hmac\"\n",
    );
    let o = anonymise(d, &["rag.csv", "--policy", "p1.toml", "--out", "o.csv"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("rag.col3"), "{}", stderr(&o));
    // Named as the message says, by name or by category: still refused, never "verified".
    for policy in [
        "[[column]]\nname = \"email\"\nmethod = \"hmac\"\n[[column]]\nname = \"col3\"\nmethod = \"hmac\"\n[[column]]\nname = \"col4\"\nmethod = \"redact\"\n",
        "[[column]]\nname = \"email\"\nmethod = \"hmac\"\n[[column]]\nname = \"rag.col*\"\nmethod = \"redact\"\n",
    ] {
        write(d, "p2.toml", policy);
        for to in [None, Some("ndjson")] {
            let mut args = vec!["rag.csv", "--policy", "p2.toml", "--out", "o.out"];
            if let Some(t) = to {
                args.extend(["--to", t]);
            }
            let o = anonymise(d, &args);
            let err = stderr(&o);
            assert_eq!(code(&o), 2, "{policy} {to:?}\n{}{err}", stdout(&o));
            assert!(err.contains("rag.col3") && err.contains("rag.col4"), "{err}");
            assert!(!d.join("o.out").exists());
            assert!(!err.contains("jan.jansen@gmail.com") && !err.contains("111222333"));
        }
    }
}

#[test]
fn sqlite_triggers_copy_nothing_while_rewriting_and_come_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let conn = rusqlite::Connection::open(d.join("t.db")).expect("create");
    conn.execute_batch(
        "CREATE TABLE klant(id INTEGER PRIMARY KEY, email TEXT);
         CREATE TABLE log(note TEXT);
         CREATE TABLE audit(n INTEGER);
         CREATE TRIGGER t AFTER UPDATE ON klant BEGIN INSERT INTO log VALUES (old.email); END;
         CREATE TRIGGER t2 BEFORE UPDATE OF email ON klant BEGIN INSERT INTO audit VALUES (1); END;
         INSERT INTO klant(email) VALUES ('jan.jansen@gmail.com'), ('piet.pietersen@hotmail.com');",
    )
    .expect("schema");
    drop(conn);
    write(
        d,
        "p.toml",
        "[[column]]\nname = \"*email\"\nmethod = \"hmac\"\n",
    );
    let o = anonymise(d, &["t.db", "--policy", "p.toml", "--out", "t.anon.db"]);
    let out = stdout(&o);
    assert_eq!(code(&o), 0, "{out}{}", stderr(&o));
    assert!(out.contains("table log: 0 rows in, 0 rows out"), "{out}");
    assert!(out.contains("table audit: 0 rows in, 0 rows out"), "{out}");
    assert!(out.contains("2 trigger(s) were set aside"), "{out}");
    assert!(anywhere(d, "jan.jansen@gmail.com")
        .iter()
        .all(|p| p.ends_with("t.db")));
    let back = rusqlite::Connection::open(d.join("t.anon.db")).expect("open");
    let logged: i64 = back
        .query_row("SELECT count(*) FROM log", [], |r| r.get(0))
        .expect("count");
    assert_eq!(logged, 0);
    let triggers: i64 = back
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(triggers, 2, "the schema comes back with its triggers");
}

#[test]
fn a_text_rule_the_policy_names_is_applied_at_every_confidence() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "a.log",
        "81.204.12.36 user=piet.pietersen@hotmail.com 111222333\nbsn=123456782 ok\nplain 111222333\n",
    );
    write(
        d,
        "p.toml",
        "on_unlisted = \"keep\"\n[[text]]\nrule = \"nl.bsn\"\nmethod = \"redact\"\n",
    );
    let o = anonymise(d, &["a.log", "--policy", "p.toml", "--out", "o.log"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let text = std::fs::read_to_string(d.join("o.log")).expect("read");
    assert!(!text.contains("111222333"), "{text}");
    assert!(!text.contains("123456782"), "{text}");
    // A category entry applies from medium confidence, as the scan reports.
    assert!(text.contains("piet.pietersen@hotmail.com"), "{text}");
}

#[test]
fn a_value_kept_because_it_could_not_be_read_is_never_expected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "w.csv",
        "id,ip\n1,81.204.12.34\n2,\"81.204.12.35, 145.53.1.2\"\n3,10.1.2.3\n",
    );
    write(
        d,
        "p.toml",
        "[[column]]\nname = \"ip\"\nmethod = \"ip_truncate\"\non_invalid = \"keep\"\n",
    );
    let o = anonymise(d, &["w.csv", "--policy", "p.toml", "--out", "o.csv"]);
    let out = stdout(&o);
    assert_eq!(code(&o), 1, "{out}{}", stderr(&o));
    assert!(
        out.contains("w.ip still holds user.device.ip_address (2) — expected"),
        "{out}"
    );
    assert!(
        out.contains("w.ip still holds user.device.ip_address (1) — NOT EXPECTED"),
        "{out}"
    );
    // Every cell readable: only the truncated forms, all expected.
    write(d, "ok.csv", "id,ip\n1,81.204.12.34\n2,10.1.2.3\n");
    let o = anonymise(d, &["ok.csv", "--policy", "p.toml", "--out", "ok.out.csv"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(!stdout(&o).contains("NOT EXPECTED"), "{}", stdout(&o));
}

#[test]
fn weak_keys_are_refused_by_one_rule_for_every_source() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "k.csv", "id,email\n1,jan.jansen@gmail.com\n");
    write(
        d,
        "p.toml",
        "[[column]]\nname = \"email\"\nmethod = \"hmac\"\n",
    );
    let weak: [&str; 6] = [
        "0123456789abcdef0",                // 17 hex digits: 68 bits
        "0x0123456789abcdef0123456789abcd", // 0x + 30 hex digits: 15 bytes
        "00000000000000000000000000000000", // 16 zero bytes
        "AAAAAAAAAAAAAAAAAAAAAA==",         // base64 of zeros
        "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", // 16 NUL bytes
        "abababababababababababababababab", // one byte, 16 times
    ];
    for key in weak {
        // --key-file
        write(d, "weak.key", key);
        let o = piiscan()
            .current_dir(d)
            .env_remove("PIISCAN_KEY")
            .args(["anonymise", "k.csv", "--policy", "p.toml", "--out", "o.csv"])
            .args(["--key-file", "weak.key"])
            .output()
            .expect("run");
        assert_eq!(code(&o), 2, "{key:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("weak.key"), "{}", stderr(&o));
        assert!(!d.join("o.csv").exists());
        // PIISCAN_KEY (a NUL cannot be in an environment variable)
        if !key.contains('\0') {
            let o = piiscan()
                .current_dir(d)
                .env("PIISCAN_KEY", key)
                .args(["anonymise", "k.csv", "--policy", "p.toml", "--out", "o.csv"])
                .output()
                .expect("run");
            assert_eq!(code(&o), 2, "{key:?}: {}", stderr(&o));
            assert!(!stderr(&o).contains(key), "{}", stderr(&o));
            // PIISCAN_FINGERPRINT_KEY
            let o = piiscan()
                .current_dir(d)
                .env("PIISCAN_FINGERPRINT_KEY", key)
                .args(["scan", "k.csv"])
                .output()
                .expect("run");
            assert_eq!(code(&o), 2, "{key:?}: {}", stderr(&o));
            assert!(
                stderr(&o).contains("PIISCAN_FINGERPRINT_KEY"),
                "{}",
                stderr(&o)
            );
        }
    }
}

/// Runs `scan .` in `d` with extra arguments.
fn scan(d: &Path, args: &[&str]) -> Output {
    piiscan()
        .current_dir(d)
        .args(["scan", ".", "--fail-on", "medium"])
        .args(args)
        .output()
        .expect("run")
}

#[test]
fn baselines_and_allowlists_match_only_the_same_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir(d.join(".git")).expect("git");
    write(d, "a.txt", "contact: jan.jansen@gmail.com\n");
    let o = scan(d, &["--write-baseline", "b.json"]);
    assert!(d.join("b.json").exists(), "{}", stderr(&o));
    for other in [
        "jan.jansen@gmailc.om",
        "janjansen@gmail.com",
        "jan-jansen@gmail.com",
    ] {
        write(d, "a.txt", &format!("contact: {other}\n"));
        let o = scan(d, &["--baseline", "b.json"]);
        assert_eq!(code(&o), 1, "{other} suppressed: {}", stdout(&o));
    }
    // The same value, written in other case: still the accepted one.
    write(d, "a.txt", "contact: Jan.Jansen@Gmail.com\n");
    assert_eq!(code(&scan(d, &["--baseline", "b.json"])), 0);
    // An allowlist of values.
    std::fs::remove_file(d.join("b.json")).expect("rm");
    write(
        d,
        ".piiscan.toml",
        "[[allow]]\nvalues = [\"jan.jansen@gmail.com\", \"111.222.333\"]\n",
    );
    for (text, found) in [
        ("janjansen@gmail.com", true),
        ("jan.jansen@gmailc.om", true),
        ("jan.jansen@gmail.com", false),
        ("bsn 111222333", false),
    ] {
        write(d, "a.txt", &format!("contact: {text}\n"));
        let o = scan(d, &[]);
        assert_eq!(code(&o) == 1, found, "{text}: {}", stdout(&o));
    }
}

#[test]
fn a_baselines_key_id_is_never_echoed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir(d.join(".git")).expect("git");
    write(d, "a.txt", "contact: jan.jansen@gmail.com\n");
    for id in ["jan.jansen@gmail.com 111222333", "1112223330000000"] {
        write(
            d,
            "b.json",
            &format!(
                "{{\"piiscan_baseline\":1,\"key_id\":\"{id}\",\"findings\":[],\"columns\":[]}}\n"
            ),
        );
        let o = scan(d, &["--baseline", "b.json"]);
        let all = format!("{}{}", stdout(&o), stderr(&o));
        assert_eq!(code(&o), 2, "{all}");
        assert!(
            all.contains("b.json") && all.contains("another fingerprint key"),
            "{all}"
        );
        assert!(!all.contains(id) && !all.contains("111222333"), "{all}");
    }
}
