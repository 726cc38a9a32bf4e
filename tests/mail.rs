//! Mail and markup: messages (`.eml`) and mailboxes (mbox) give their headers, every body
//! part and their attachments (read as the files they are) with container paths
//! (`inbox.mbox!message 2!attachment klanten.csv`); HTML and XML are read as text on the lines
//! of the file. Broken mail is scanned as far as it goes and named with exit 2. Fixtures:
//! fixtures/mail (made by its make.py with Python's email and mailbox packages and Chromium).

use crate::common::{ndjson, root, run, stderr, write};
use serde_json::Value;
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    root().join("fixtures/mail")
}

fn scan(dir: &std::path::Path, args: &[&str]) -> (Vec<Value>, Option<i32>, String) {
    let mut a = vec!["scan", "--format", "ndjson", "-q"];
    a.extend_from_slice(args);
    let out = run(dir, &a);
    (ndjson(&out), out.status.code(), stderr(&out))
}

/// (path, rule, "line N" or "table.column:row") of every finding.
fn located(found: &[Value]) -> Vec<(String, String, String)> {
    found
        .iter()
        .map(|f| {
            let at = match f["line"].as_u64().filter(|_| f["table"].is_null()) {
                Some(line) => format!("line {line}"),
                None => format!(
                    "{}.{}:{}",
                    f["table"].as_str().unwrap_or("?"),
                    f["column"].as_str().unwrap_or("?"),
                    f["row"]
                ),
            };
            let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
            (s("path"), s("rule"), at)
        })
        .collect()
}

/// The 1-based line of the first line of `text` that starts with `start`, after `after`.
fn line_of(text: &str, start: &str, after: usize) -> usize {
    text.lines()
        .enumerate()
        .skip(after)
        .find(|(_, l)| l.starts_with(start))
        .map(|(i, _)| i + 1 - after)
        .unwrap_or_else(|| panic!("{start:?} not in the fixture"))
}

fn assert_has(got: &[(String, String, String)], path: &str, rule: &str, at: &str) {
    assert!(
        got.iter()
            .any(|(p, r, a)| p == path && r == rule && a == at),
        "{rule} at {path} {at} not in {got:#?}"
    );
}

/// The planted values of report.eml, under `path` (the message's own location); `skip` is
/// the number of lines before the message in its file.
fn assert_report_found(got: &[(String, String, String)], path: &str, raw: &str, skip: usize) {
    let line = |start: &str| format!("line {}", line_of(raw, start, skip));
    // Headers with display names (the From's name is an encoded word).
    assert_has(got, path, "person_name", &line("From: "));
    assert_has(got, path, "email", &line("From: "));
    assert_has(got, path, "email", &line("To: "));
    assert_has(got, path, "email", &line("Cc: "));
    assert_has(got, path, "email", &line("Reply-To: "));
    assert_has(got, path, "nl.bsn", &line("Subject: "));
    // The quoted-printable ISO-8859-1 part, on its line.
    assert_has(got, path, "iban", &line("Het rekeningnummer"));
    // The base64 HTML part: from the line its body starts on.
    let html_at = raw
        .lines()
        .skip(skip)
        .position(|l| l.starts_with("PGh0bWw"))
        .expect("the HTML part");
    assert_has(got, path, "phone", &format!("line {}", html_at + 1));
    assert_has(got, path, "email", &format!("line {}", html_at + 1));
    // Attachments as the files they are: a table, and an archive's member.
    let csv = format!("{path}!attachment klanten.csv");
    assert_has(got, &csv, "email", "klanten.email:1");
    assert_has(got, &csv, "iban", "klanten.iban:1");
    let zip = format!("{path}!attachment archief.zip!notities.txt");
    assert_has(got, &zip, "email", "line 1");
}

#[test]
fn a_message_gives_headers_every_part_and_its_attachments() {
    let (found, code, err) = scan(&fixtures(), &["report.eml"]);
    assert_eq!(code, Some(0), "{err}");
    let raw = std::fs::read_to_string(fixtures().join("report.eml")).unwrap();
    let got = located(&found);
    assert_report_found(&got, "report.eml", &raw, 0);
    // A script's contents are no text of the mail.
    assert!(!found
        .iter()
        .any(|f| f["evidence"].as_str().unwrap_or("").starts_with("v***@")));
}

#[test]
fn a_mailbox_gives_each_message_with_its_number() {
    let (found, code, err) = scan(&fixtures(), &["inbox.mbox"]);
    let got = located(&found);
    // Message 3 is Latin-1: the lines are what count.
    let raw = String::from_utf8_lossy(&std::fs::read(fixtures().join("inbox.mbox")).unwrap())
        .into_owned();
    // Message 2 starts after its `From ` line.
    let second = raw
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("From MAILER-DAEMON"))
        .nth(1)
        .map(|(i, _)| i + 1)
        .unwrap();
    assert_report_found(&got, "inbox.mbox!message 2", &raw, second);
    // Message 1: a `>From ` line unquoted, the phone on its line (line 10 of the message).
    assert_has(&got, "inbox.mbox!message 1", "phone", "line 10");
    // Message 3 declares UTF-8 and is Latin-1: read, and named (exit 2).
    assert!(
        got.iter()
            .any(|(p, r, _)| p == "inbox.mbox!message 3" && r == "email"),
        "{got:#?}"
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("inbox.mbox!message 3") && err.contains("not valid UTF-8"),
        "{err}"
    );
}

#[test]
fn a_cut_message_is_scanned_as_far_as_it_goes_and_named() {
    let (found, code, err) = scan(&fixtures(), &["truncated.eml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("truncated.eml") && err.contains("closing boundary is missing"),
        "{err}"
    );
    let got = located(&found);
    assert_has(
        &got,
        "truncated.eml!attachment klanten.csv",
        "email",
        "klanten.email:1",
    );
}

#[test]
fn broken_and_hostile_mail_is_named_fast() {
    let dir = tempfile::tempdir().unwrap();
    // 10,000 nested multiparts, 10,000 sibling parts, no boundary, broken base64.
    let mut deep = String::from("From: a@example.nl\n");
    for i in 0..10_000 {
        deep.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=b{i}\n\n--b{i}\n"
        ));
    }
    deep.push_str("\nbinnenste jan.deep@example.nl\n");
    write(dir.path(), "deep.eml", &deep);
    let mut wide = String::from("Content-Type: multipart/mixed; boundary=w\n\n");
    for i in 0..10_000 {
        wide.push_str(&format!("--w\nContent-Type: text/plain\n\nregel {i}\n"));
    }
    wide.push_str("--w\n\nlaatste wide@example.nl\n--w--\n");
    write(dir.path(), "wide.eml", &wide);
    write(
        dir.path(),
        "noboundary.eml",
        "Content-Type: multipart/mixed\n\nnob@example.nl\n",
    );
    write(
        dir.path(),
        "b64.eml",
        "Content-Transfer-Encoding: base64\n\n!!!!amFu\nb64@example.nl\n",
    );
    let start = std::time::Instant::now();
    let (found, code, err) = scan(dir.path(), &["."]);
    assert!(start.elapsed().as_secs() < 30, "{:?}", start.elapsed());
    assert_eq!(code, Some(2), "{err}");
    for (file, why) in [
        ("deep.eml", "nested deeper"),
        ("noboundary.eml", "no boundary"),
        ("b64.eml", "base64 broken"),
    ] {
        assert!(
            err.lines().any(|l| l.contains(file) && l.contains(why)),
            "{file}: {err}"
        );
    }
    let got = located(&found);
    for (file, address) in [
        ("deep.eml", "jan.deep@"),
        ("wide.eml", "wide@"),
        ("noboundary.eml", "nob@"),
        ("b64.eml", "b64@"),
    ] {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        let at = text.lines().position(|l| l.contains(address)).unwrap() + 1;
        let path = format!("./{file}");
        assert!(
            got.iter()
                .any(|(p, r, a)| *p == path && r == "email" && *a != "line 1"),
            "{file} (line {at}): {got:#?}"
        );
        if file != "b64.eml" {
            assert_has(&got, &path, "email", &format!("line {at}"));
        }
    }
}

#[test]
fn html_and_xml_are_text_on_the_lines_of_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let html = "<!DOCTYPE html>\n<html><head>\n<style>\n.a { }\n</style>\n\
        <meta name=\"author\" content=\"Sanne Bakker\">\n</head><body>\n\
        <p class=\"x\">Mail <a href=\"mailto:sanne.bakker@example.nl\">Sanne</a>\n\
        of bel +31&nbsp;6&nbsp;12345678</p>\n<!-- BSN 111222333 -->\n\
        <script>\nvar hidden = 'hidden.x@example.org';\n</script>\n<p>jan&#64;example.nl</p>\n</body></html>\n";
    write(dir.path(), "page.html", html);
    let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<klanten>\n  <klant naam=\"Jan Jansen\">\n\
        \x20   <bsn>111222333</bsn>\n    <email>jan&#x40;example.nl</email>\n  </klant>\n</klanten>\n";
    write(dir.path(), "klanten.xml", xml);
    let (found, code, err) = scan(dir.path(), &["page.html", "klanten.xml"]);
    assert_eq!(code, Some(0), "{err}");
    let got = located(&found);
    let line = |text: &str, needle: &str| {
        format!(
            "line {}",
            text.lines().position(|l| l.contains(needle)).unwrap() + 1
        )
    };
    assert_has(&got, "page.html", "email", &line(html, "mailto:"));
    assert_has(&got, "page.html", "phone", &line(html, "+31&nbsp;"));
    assert_has(&got, "page.html", "nl.bsn", &line(html, "BSN 111222333"));
    assert_has(&got, "page.html", "email", &line(html, "jan&#64;"));
    assert!(
        !found
            .iter()
            .any(|f| f["evidence"].as_str().unwrap_or("").starts_with("h***@")),
        "a script's contents are dropped: {got:#?}"
    );
    assert_has(&got, "klanten.xml", "email", &line(xml, "jan&#x40;"));
    // The element's name is the context word: the BSN is high.
    let bsn = found
        .iter()
        .find(|f| f["path"] == "klanten.xml" && f["rule"] == "nl.bsn")
        .unwrap_or_else(|| panic!("{got:#?}"));
    assert_eq!(bsn["line"].as_u64(), Some(4));
    assert_eq!(bsn["confidence"], "high", "{bsn}");
}

#[test]
fn a_mailbox_is_one_dataset_with_its_messages_counted() {
    let out = run(
        &fixtures(),
        &["inventory", "-q", "--format", "csv", "inbox.mbox"],
    );
    let csv = crate::common::stdout(&out);
    assert!(
        csv.lines().any(|l| l.starts_with("inbox.mbox,,,")
            && l.contains(",email,")
            && l.contains("in 3 of 3 message(s)")),
        "{csv}"
    );
    assert!(!csv.contains("inbox.mbox!message 1,"), "{csv}");
    // An attachment is a dataset of its own, under its path.
    assert!(
        csv.contains("inbox.mbox!message 2!attachment klanten.csv,klanten,email,"),
        "{csv}"
    );
}

/// An Outlook message built to MS-OXMSG with `cfb`'s writer (no tool on Debian writes .msg).
fn outlook_message() -> Vec<u8> {
    use std::io::Write;
    let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    let mut cf = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    let put = |cf: &mut cfb::CompoundFile<_>, path: &str, data: &[u8]| {
        cf.create_stream(path).unwrap().write_all(data).unwrap();
    };
    put(&mut cf, "/__properties_version1.0", &[0u8; 32]);
    put(&mut cf, "/__substg1.0_0C1A001F", &utf16("Renée Müller"));
    put(
        &mut cf,
        "/__substg1.0_5D01001F",
        &utf16("renee.muller@example.nl"),
    );
    put(
        &mut cf,
        "/__substg1.0_0037001F",
        &utf16("Dossier BSN 111222333"),
    );
    cf.create_storage("/__attach_version1.0_#00000000").unwrap();
    let att = "/__attach_version1.0_#00000000";
    put(
        &mut cf,
        &format!("{att}/__substg1.0_3707001F"),
        &utf16("klanten.csv"),
    );
    put(
        &mut cf,
        &format!("{att}/__substg1.0_37010102"),
        b"naam,email\nSanne Bakker,sanne.bakker@example.nl\n",
    );
    cf.flush().unwrap();
    cf.into_inner().into_inner()
}

#[test]
fn an_outlook_message_is_read_like_a_mail() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("dossier.msg"), outlook_message()).unwrap();
    let (found, code, err) = scan(dir.path(), &["dossier.msg"]);
    assert_eq!(code, Some(0), "{err}");
    let got = located(&found);
    assert_has(&got, "dossier.msg", "email", "line 1");
    assert_has(&got, "dossier.msg", "nl.bsn", "line 2");
    assert_has(
        &got,
        "dossier.msg!attachment klanten.csv",
        "email",
        "klanten.email:1",
    );
    // A broken one is named (exit 2), never skipped.
    std::fs::write(
        dir.path().join("kapot.msg"),
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 cut short",
    )
    .unwrap();
    let (_, code, err) = scan(dir.path(), &["kapot.msg"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("kapot.msg") && err.contains("not a readable Outlook message"),
        "{err}"
    );
}
