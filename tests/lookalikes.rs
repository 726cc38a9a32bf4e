//! Precision on look-alikes (fixtures/lookalikes, made by its generate.py): browser versions
//! and user agents, OIDs, Message-IDs, documentation addresses, Unicode code point lists,
//! numeric constant tables that pass Luhn, ISO dates without birth context, hex dumps and
//! UUIDs give no finding at medium; personal data in the same contexts stays found. Encoded
//! values are found and replaced whole by `anonymise`.

use crate::common::{ndjson, piiscan, root, run, stderr, stdout};
use piiscan::detect::encoded::decode_value;
use piiscan::detect::Engine;
use piiscan::finding::Confidence;
use piiscan::ruleset::RuleSet;
use std::fs;

fn medium_hits(rules: &RuleSet, text: &str) -> Vec<(String, String)> {
    let engine = Engine::new(rules, Confidence::Medium, false);
    let mut scratch = engine.scratch();
    let mut out = Vec::new();
    engine.scan(&mut scratch, text.as_bytes(), 0, text.len(), |h| {
        let raw = &text.as_bytes()[h.start..h.end];
        let value = decode_value(raw).unwrap_or_else(|| String::from_utf8_lossy(raw).into_owned());
        out.push((rules.rules[h.rule].id.to_string(), value));
    });
    out
}

#[test]
fn look_alikes_give_no_finding_at_medium() {
    let rules = RuleSet::builtin().expect("built-in rules compile");
    let dir = root().join("fixtures/lookalikes/clean");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("fixtures/lookalikes/clean")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert!(files.len() >= 9, "the generated corpus is there");
    let mut all = Vec::new();
    for f in &files {
        let text = fs::read_to_string(f).expect("utf-8 fixture");
        let hits = medium_hits(&rules, &text);
        println!(
            "{:<30} {:>7} bytes {:>3} findings at medium",
            f.file_name().unwrap().to_string_lossy(),
            text.len(),
            hits.len()
        );
        for (rule, value) in hits {
            all.push(format!("{}: {rule} {value:?}", f.display()));
        }
    }
    assert!(
        all.is_empty(),
        "false positives: {:#?}",
        &all[..all.len().min(30)]
    );
}

#[test]
fn personal_data_next_to_look_alikes_stays_found() {
    let rules = RuleSet::builtin().expect("built-in rules compile");
    let base = root().join("fixtures/lookalikes");
    let text = fs::read_to_string(base.join("keep.txt")).expect("keep.txt");
    let expect = fs::read_to_string(base.join("keep.tsv")).expect("keep.tsv");
    let lines: Vec<&str> = text.lines().collect();
    let wanted: Vec<(&str, &str)> = expect
        .lines()
        .map(|l| l.split_once('\t').expect("rule and value"))
        .collect();
    assert_eq!(lines.len(), wanted.len());
    for (line, (rule, value)) in lines.iter().zip(&wanted) {
        let hits = medium_hits(&rules, line);
        let want = (rule.to_string(), value.to_string());
        assert!(
            hits.contains(&want),
            "{want:?} not found in {line:?}: {hits:?}"
        );
        // Nothing else but the names of people (another rule's business) on these lines.
        let others: Vec<_> = hits
            .iter()
            .filter(|h| **h != want && h.0 != "person_name")
            .collect();
        assert!(
            others.is_empty(),
            "look-alikes found in {line:?}: {others:?}"
        );
    }
}

#[test]
fn user_agent_columns_are_not_ip_addresses() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(
        dir.path().join("visits.csv"),
        "id,client_ip,user_agent\n\
         1,84.241.12.7,\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36\"\n\
         2,91.182.44.210,\"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/121.0.6167.85 Safari/537.36 Edg/121.0.2277.83\"\n\
         3,81.2.69.142,\"Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Version/17.2 Safari/605.1.15\"\n",
    )
    .expect("write");
    let found = ndjson(&run(
        dir.path(),
        &[
            "scan",
            "visits.csv",
            "--format",
            "ndjson",
            "--min-confidence",
            "low",
        ],
    ));
    assert!(
        found.iter().any(|f| f["column"] == "client_ip"),
        "the client address column is found: {found:?}"
    );
    assert!(
        !found.iter().any(|f| f["column"] == "user_agent"),
        "user agents hold no address: {found:?}"
    );
}

#[test]
fn encoded_values_are_found_and_anonymised_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let log = "GET /subscribe?email=jan%40telenet.be&name=Jan+de+Vries HTTP/1.1\n\
               <a href=\"mailto:piet&#64;voorbeeld.nl\">Piet</a> or &lt;marie&commat;skynet.be&gt;\n\
               {\"contact\":\"sophie\\u0040telenet.be\",\"tel\":\"\\u002b32 470 12 34 56\"}\n\
               Aan: k.jansen=40ziggo.nl\n";
    fs::write(d.join("app.log"), log).expect("write");
    fs::write(
        d.join("p.toml"),
        "[[text]]\nrule = \"email\"\nmethod = \"hmac\"\nformat = \"base32\"\nlength = 16\nkey_label = \"email\"\n\n[[text]]\nrule = \"phone\"\nmethod = \"redact\"\n\n[[text]]\nrule = \"person_name\"\nmethod = \"redact\"\n",
    )
    .expect("write policy");
    let o = run(
        d,
        &["scan", "app.log", "--format", "ndjson", "--show-values"],
    );
    let found = ndjson(&o);
    let emails: Vec<String> = found
        .iter()
        .filter(|f| f["rule"] == "email")
        .map(|f| {
            let s = f["byte_start"].as_u64().unwrap() as usize;
            let e = f["byte_end"].as_u64().unwrap() as usize;
            log[s..e].to_string()
        })
        .collect();
    assert_eq!(
        emails,
        [
            "jan%40telenet.be",
            "piet&#64;voorbeeld.nl",
            "marie&commat;skynet.be",
            "sophie\\u0040telenet.be",
            "k.jansen=40ziggo.nl"
        ],
        "offsets point at the encoded text: {found:?}"
    );
    assert!(
        found.iter().any(|f| f["rule"] == "phone"),
        "the \\u002b-escaped phone number: {found:?}"
    );
    let o = piiscan()
        .current_dir(d)
        .env("PIISCAN_KEY", "a-test-master-key-of-enough-length-1234")
        .args([
            "anonymise",
            "app.log",
            "--policy",
            "p.toml",
            "--out",
            "out.log",
        ])
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = fs::read_to_string(d.join("out.log")).expect("output");
    for gone in [
        "jan%40telenet",
        "telenet.be",
        "piet&#64;",
        "voorbeeld.nl",
        "marie&commat;",
        "sophie",
        "k.jansen",
        "470 12 34 56",
        "Jan+de+Vries",
        "Vries",
    ] {
        assert!(!out.contains(gone), "{gone:?} left in {out}");
    }
    assert!(
        out.contains("GET /subscribe?email="),
        "the rest is kept: {out}"
    );
}
