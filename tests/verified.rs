//! "Verified" means verified (issue 12, attacker pass): a method whose output still holds the
//! input's value is refused where the policy shows it, and otherwise the re-scan calls the
//! leftover unexpected (exit 1); and a column no policy entry names that holds
//! checksum-validated identifiers (BSN, IBAN, payment card, Belgian national number) in any
//! row and at any confidence stops the run (fail-closed), whatever the column is called.

use crate::common::{anonymise, code, stderr, stdout, write};

/// A valid BSN (11-proef) from a counter.
fn bsn(mut n: u64) -> String {
    loop {
        let s = format!("{:09}", 100_000_000 + n);
        let d: Vec<i64> = s.bytes().map(|b| i64::from(b - b'0')).collect();
        let sum: i64 = (0..8).map(|i| d[i] * (9 - i as i64)).sum::<i64>() - d[8];
        if sum % 11 == 0 {
            return s;
        }
        n += 1;
    }
}

/// A valid Dutch IBAN (ISO 13616 mod-97) for a ten-digit account number.
fn iban(account: u64) -> String {
    let bban = format!("ABNA{account:010}");
    // Letters as numbers (A = 10 …), then NL00, mod 97.
    let digits: String = format!("{bban}NL00")
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                c.to_string()
            } else {
                (c as u32 - 'A' as u32 + 10).to_string()
            }
        })
        .collect();
    let rem = digits
        .bytes()
        .fold(0u64, |r, b| (r * 10 + u64::from(b - b'0')) % 97);
    format!("NL{:02}{bban}", 98 - rem)
}

/// A Visa-shaped card number passing Luhn.
fn card(n: u64) -> String {
    let body = format!("4{:014}", 12_345_678_901 + n * 7919);
    let digits: Vec<u32> = body.chars().filter_map(|c| c.to_digit(10)).collect();
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

/// A Belgian national number (born in the 1980s) with its mod-97 check.
fn rrn(n: u64) -> String {
    let first = format!("85{:02}{:02}{:03}", 1 + n % 12, 1 + n % 28, 1 + n % 997);
    let v: u64 = first.parse().expect("digits");
    format!("{first}{:02}", 97 - v % 97)
}

#[test]
fn a_mask_that_keeps_every_character_is_never_verified() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // A neutral name, and a few BSNs among other codes: nothing in the policy, the column
    // name or the column's verdict says BSN, so only the re-scan can tell.
    let mut csv = String::from("id,ref\n");
    for i in 0..120 {
        if i % 40 == 7 {
            csv.push_str(&format!("{i},{}\n", bsn(i * 1000)));
        } else {
            csv.push_str(&format!("{i},code-{i}\n"));
        }
    }
    write(d, "people.csv", &csv);
    write(
        d,
        "p.toml",
        "[[column]]\nname = \"id\"\nmethod = \"keep\"\n[[column]]\nname = \"ref\"\nmethod = \"mask\"\nkeep_first = 5\nkeep_last = 5\n",
    );
    let o = anonymise(d, &["people.csv", "--policy", "p.toml", "--out", "out.csv"]);
    let s = stdout(&o);
    assert_eq!(code(&o), 1, "{s}{}", stderr(&o));
    assert!(
        s.contains("people.ref still holds user.government_id"),
        "{s}"
    );

    // A column of BSNs only: its verdict says BSN, and the policy is refused before writing.
    let mut csv = String::from("id,ref\n");
    for i in 0..40 {
        csv.push_str(&format!("{i},{}\n", bsn(i * 1000)));
    }
    write(d, "all.csv", &csv);
    let o = anonymise(
        d,
        &["all.csv", "--policy", "p.toml", "--out", "all.out.csv"],
    );
    let e = stderr(&o);
    assert_eq!(code(&o), 2, "{}{e}", stdout(&o));
    assert!(
        e.contains("column ref") && e.contains("keep_first + keep_last = 10"),
        "{e}"
    );
    assert!(!d.join("all.out.csv").exists());
    assert!(
        s.contains("NOT EXPECTED: mask left 120 value(s) as they were"),
        "{s}"
    );
    assert!(!s.contains("— expected"), "{s}");

    // E-mail addresses with keep_first beyond their length: every address stays whole.
    let mut csv = String::from("id,email\n");
    for i in 0..30 {
        csv.push_str(&format!("{i},klant{i}@voorbeeld.nl\n"));
    }
    write(d, "mail.csv", &csv);
    write(
        d,
        "m.toml",
        "[[column]]\nname = \"id\"\nmethod = \"keep\"\n[[column]]\nname = \"email\"\nmethod = \"mask\"\nkeep_first = 40\n",
    );
    let o = anonymise(
        d,
        &["mail.csv", "--policy", "m.toml", "--out", "mail.out.csv"],
    );
    let s = stdout(&o);
    assert_eq!(code(&o), 1, "{s}{}", stderr(&o));
    assert!(
        s.contains("mail.email still holds user.contact.email (30) — NOT EXPECTED"),
        "{s}"
    );

    // Partly masked, but a whole BSN survives inside the kept characters.
    write(
        d,
        "notes.csv",
        &format!("id,note\n1,abcdefgh {}\n2,qwertyuiop {}\n", bsn(7), bsn(70)),
    );
    write(
        d,
        "n.toml",
        "[[column]]\nname = \"id\"\nmethod = \"keep\"\n[[column]]\nname = \"note\"\nmethod = \"mask\"\nkeep_first = 0\nkeep_last = 9\n",
    );
    let o = anonymise(
        d,
        &["notes.csv", "--policy", "n.toml", "--out", "notes.out.csv"],
    );
    let s = stdout(&o);
    assert_eq!(code(&o), 1, "{s}{}", stderr(&o));
    assert!(
        s.contains("notes.note still holds") && s.contains("NOT EXPECTED"),
        "{s}"
    );
}

#[test]
fn a_mask_that_really_masks_still_verifies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let mut csv = String::from("id,bsn,email\n");
    for i in 0..20 {
        csv.push_str(&format!("{i},{},klant{i}@voorbeeld.nl\n", bsn(i * 31)));
    }
    write(d, "ok.csv", &csv);
    write(
        d,
        "p.toml",
        "[[column]]\nname = \"id\"\nmethod = \"keep\"\n[[column]]\nname = \"bsn\"\nmethod = \"mask\"\nkeep_first = 0\nkeep_last = 3\n[[column]]\nname = \"email\"\nmethod = \"mask\"\nkeep_first = 1\nkeep_domain = true\n",
    );
    let o = anonymise(d, &["ok.csv", "--policy", "p.toml", "--out", "ok.out.csv"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let out = std::fs::read_to_string(d.join("ok.out.csv")).expect("output");
    assert!(!out.contains(&bsn(31)), "{out}");
}

#[test]
fn policies_whose_output_would_hold_the_input_are_refused_when_loaded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "in.csv",
        &format!("id,bsn,ip,day\n1,{},10.1.2.3,2024-01-02\n", bsn(3)),
    );
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "rule",
            "[[column]]\nrule = \"nl.bsn\"\nmethod = \"mask\"\nkeep_last = 9\n",
            &["[[column]] #1", "keep_first + keep_last", "nl.bsn"],
        ),
        (
            "category",
            "[[column]]\ncategory = \"user.financial.bank_account\"\nmethod = \"mask\"\nkeep_first = 10\nkeep_last = 10\n",
            &["[[column]] #1", "keep_first + keep_last", "iban"],
        ),
        (
            "ipv4",
            "[[column]]\nname = \"ip\"\nmethod = \"ip_truncate\"\nipv4_prefix = 32\n",
            &["line 1:", "ipv4_prefix", "whole address"],
        ),
        (
            "ipv6",
            "[[column]]\nname = \"ip\"\nmethod = \"ip_truncate\"\nipv6_prefix = 128\n",
            &["ipv6_prefix", "whole address"],
        ),
        (
            "shift",
            "[[column]]\nname = \"id\"\nmethod = \"keep\"\n\n[[column]]\nname = \"day\"\nmethod = \"date_shift\"\nmax_days = 0\n",
            &["line 5:", "[[column]] #2", "max_days 0"],
        ),
        (
            "bucket",
            "[[column]]\nname = \"id\"\nmethod = \"generalise\"\nto = \"bucket\"\nsize = 0.0\n",
            &["[[column]] #1", "size"],
        ),
        (
            "band",
            "[[column]]\nname = \"day\"\nmethod = \"generalise\"\nto = \"age_band\"\nband = 0\n",
            &["[[column]] #1", "band 0"],
        ),
    ];
    for (name, policy, wanted) in cases {
        let file = format!("{name}.toml");
        write(d, &file, policy);
        let out = format!("{name}.out.csv");
        let o = anonymise(d, &["in.csv", "--policy", &file, "--out", &out]);
        let e = stderr(&o);
        assert_eq!(code(&o), 2, "{name}: {}{e}", stdout(&o));
        assert!(e.contains(&file), "{name}: {e}");
        for w in *wanted {
            assert!(e.contains(w), "{name}: {w:?} in {e}");
        }
        assert!(!d.join(&out).exists(), "{name}");
    }
    // A column whose values are known BSNs (by its name here) cannot be masked whole.
    write(
        d,
        "named.toml",
        "[[column]]\nname = \"bsn\"\nmethod = \"mask\"\nkeep_first = 4\nkeep_last = 4\n[[column]]\nname = \"*\"\nmethod = \"keep\"\n",
    );
    let o = anonymise(
        d,
        &["in.csv", "--policy", "named.toml", "--out", "named.out.csv"],
    );
    let e = stderr(&o);
    assert_eq!(code(&o), 2, "{}{e}", stdout(&o));
    assert!(
        e.contains("column bsn") && e.contains("keep_first + keep_last = 8"),
        "{e}"
    );
    assert!(!d.join("named.out.csv").exists());
}

/// A table whose column `col` holds `value(i)` from row `from` on (1-based data rows).
fn late_column(rows: usize, from: usize, col: &str, value: impl Fn(u64) -> String) -> String {
    let mut csv = format!("id,{col},note\n");
    for i in 1..=rows {
        let v = if i >= from {
            value(i as u64)
        } else {
            format!("x{i}")
        };
        csv.push_str(&format!("{i},{v},plain text {i}\n"));
    }
    csv
}

#[test]
fn validated_identifiers_in_unnamed_columns_stop_the_run_at_any_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "p.toml",
        "[[column]]\nname = \"id\"\nmethod = \"keep\"\n[[column]]\nname = \"note\"\nmethod = \"keep\"\n",
    );
    type Case = (
        &'static str,
        &'static str,
        usize,
        usize,
        fn(u64) -> String,
        &'static str,
    );
    let cases: [Case; 5] = [
        ("bsn_late", "ref", 12_000, 10_001, |i| bsn(i * 13), "nl_bsn"),
        ("iban_one", "col7", 3_000, 3_000, iban, "bank_account"),
        ("card_last", "k", 2_500, 2_500, card, "credit_card"),
        ("rrn_mid", "x", 6_000, 5_000, rrn, "be_rrn"),
        ("bsn_first", "code", 50, 1, |i| bsn(i * 101), "nl_bsn"),
    ];
    for (name, col, rows, from, value, category) in cases {
        write(
            d,
            &format!("{name}.csv"),
            &late_column(rows, from, col, value),
        );
        let out = format!("{name}.out.csv");
        let o = anonymise(
            d,
            &[&format!("{name}.csv"), "--policy", "p.toml", "--out", &out],
        );
        let e = stderr(&o);
        assert_eq!(code(&o), 2, "{name}: {}{e}", stdout(&o));
        assert!(e.contains(&format!("{name}.{col} (")), "{name}: {e}");
        assert!(e.contains(category), "{name}: {e}");
        if from > 1 {
            // Too few to make a column verdict: found by the every-row identifier check.
            assert!(
                e.contains(&format!("the first in row {from}")),
                "{name}: {e}"
            );
            assert!(
                e.contains("validated identifiers count at any confidence"),
                "{name}: {e}"
            );
        }
        assert!(!d.join(&out).exists(), "{name}: an output was written");
        // No value in the message.
        assert!(!e.contains(&value(from as u64)), "{name}: {e}");
    }
    // Named with method = "keep", the column is the user's decision, and the run goes on.
    write(
        d,
        "keep.toml",
        "[[column]]\nname = \"id\"\nmethod = \"keep\"\n[[column]]\nname = \"note\"\nmethod = \"keep\"\n[[column]]\nname = \"code\"\nmethod = \"keep\"\n",
    );
    let o = anonymise(
        d,
        &[
            "bsn_first.csv",
            "--policy",
            "keep.toml",
            "--out",
            "kept.csv",
        ],
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    // NDJSON: a key holding BSNs after row 10,000.
    let mut nd = String::new();
    for i in 1..=10_050u64 {
        if i > 10_000 {
            nd.push_str(&format!("{{\"id\":{i},\"ref\":\"{}\"}}\n", bsn(i * 7)));
        } else {
            nd.push_str(&format!("{{\"id\":{i},\"ref\":\"x{i}\"}}\n"));
        }
    }
    write(d, "late.ndjson", &nd);
    write(
        d,
        "id.toml",
        "[[column]]\nname = \"id\"\nmethod = \"keep\"\n",
    );
    let o = anonymise(
        d,
        &[
            "late.ndjson",
            "--policy",
            "id.toml",
            "--out",
            "late.out.ndjson",
        ],
    );
    let e = stderr(&o);
    assert_eq!(code(&o), 2, "{}{e}", stdout(&o));
    assert!(e.contains("late.ref (") && e.contains("nl_bsn"), "{e}");
    assert!(!d.join("late.out.ndjson").exists());
}
