//! `piiscan inventory --format html`: the data map page. A golden snapshot guards its
//! structure (the date is fixed with `SOURCE_DATE_EPOCH`, seconds since 1970 UTC, which the
//! page shows as its date; set `PIISCAN_UPDATE_GOLDEN=1` to rewrite the snapshots); the page
//! references nothing outside itself and holds no value in full; in headless Chromium (skipped
//! without it unless `PIISCAN_REQUIRE_CHROMIUM` is set) a screenshot is not blank and shows the
//! matrix's colours, and the printed PDF holds the dataset names, categories and headline
//! numbers.

use crate::common::{piiscan, root, stderr, stdout};
use std::path::Path;
use std::process::{Command, Output};

/// 2025-12-01 12:00 UTC.
const FIXED_DATE: &str = "1764590400";

/// Runs piiscan in the fixtures folder with the date fixed.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    piiscan()
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", FIXED_DATE)
        .args(args)
        .output()
        .expect("run piiscan")
}

fn fixtures() -> std::path::PathBuf {
    root().join("fixtures")
}

/// The data map of `path` (relative to fixtures/) in `lang`, through `--out`.
fn data_map(path: &str, lang: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("datamap.html");
    let o = run_in(
        &fixtures(),
        &[
            "inventory",
            path,
            "-q",
            "--format",
            "html",
            "--lang",
            lang,
            "--out",
            out.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::fs::read_to_string(&out).expect("the page was written")
}

/// Compares `actual` with its golden file in tests/golden/datamap.
fn golden(name: &str, actual: &str) {
    crate::common::golden(&format!("datamap/{name}"), actual.as_bytes());
}

/// Every place the page could load something from: none may leave the file.
fn external_references(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut bad = Vec::new();
    for needle in [
        "http://",
        "https://",
        "ftp://",
        "@import",
        "<link",
        "<iframe",
        "<object",
        "<embed",
        "fetch(",
        "xmlhttprequest",
        "websocket",
        "sendbeacon",
    ] {
        if lower.contains(needle) {
            bad.push(needle.to_string());
        }
    }
    for attr in ["href=", "src=", "action=", "srcset=", "xlink:href="] {
        for (i, _) in lower.match_indices(attr) {
            let value = lower[i + attr.len()..].trim_start_matches(['"', '\'']);
            if !value.starts_with('#') && !value.starts_with("data:") {
                bad.push(lower[i..(i + 40).min(lower.len())].to_string());
            }
        }
    }
    for (i, _) in lower.match_indices("url(") {
        let value = lower[i + 4..].trim_start_matches(['"', '\'', ' ']);
        if !value.starts_with("data:") {
            bad.push(lower[i..(i + 40).min(lower.len())].to_string());
        }
    }
    bad
}

#[test]
fn the_data_map_of_the_fixture_organisation_matches_its_golden_file() {
    let nl = data_map("register-org", "nl");
    golden("register-org.nl.html", &nl);
    let en = data_map("demo", "en");
    golden("demo.en.html", &en);
    // The same page goes to standard output without --out.
    let o = run_in(
        &fixtures(),
        &["inventory", "register-org", "-q", "--format", "html"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), nl);
}

#[test]
fn the_data_map_shows_what_was_scanned_and_the_headline_numbers() {
    let html = data_map("register-org", "en");
    for want in [
        "<h1>Personal data map</h1>",
        "<code>register-org</code>",
        "2025-12-01 12:00 UTC",
        concat!("piiscan ", env!("CARGO_PKG_VERSION")),
        "Everything was read completely.",
        // Four datasets, one with a BSN, one with health data (Art. 9).
        "<b>4</b><span>datasets holding personal data</span>",
        "<b>1</b><span>datasets with a national identification number</span>",
        "<b>1</b><span>datasets with special categories or criminal data</span>",
        "<b>0</b><span>datasets with data of children",
        // Columns grouped as the register groups them; national ids and Art. 9 flagged.
        ">Name and address</th>",
        ">Special categories (Art. 9)</th>",
        "class=\"cat f-nid\"",
        "class=\"cat f-special\"",
        // A row links to its dataset's details.
        "<a href=\"#ds-2\">medewerkers.csv</a>",
        "<section class=\"ds\" id=\"ds-2\">",
        "Data subjects (guess): <strong>Employees</strong>",
        "every row read",
    ] {
        assert!(html.contains(want), "{want:?} not in the page");
    }
    // Rows are grouped by folder.
    for folder in [
        "register-org/crm",
        "register-org/hr",
        "register-org/marketing",
        "register-org/webshop",
    ] {
        assert!(
            html.contains(&format!(
                "<tr class=\"grp\"><th colspan=\"15\">{folder}</th></tr>"
            )),
            "no group {folder}"
        );
    }
}

#[test]
fn the_data_map_references_nothing_outside_the_file() {
    for (path, lang) in [("register-org", "nl"), ("demo", "en")] {
        let html = data_map(path, lang);
        assert_eq!(external_references(&html), Vec::<String>::new(), "{path}");
        assert!(html.contains("<style>") && html.contains("<script>") && html.contains("<svg "));
    }
    // The check itself finds what it must.
    for bad in [
        "<link rel=stylesheet href=\"x.css\">",
        "<img src=\"//cdn.example/x.png\">",
        "<style>@import 'x.css';</style>",
        "<div style=\"background: url(x.png)\">",
        "<a href=\"https://example.org\">",
    ] {
        assert!(!external_references(bad).is_empty(), "{bad}");
    }
    assert!(external_references(
        "<a href=\"#ds-1\"><i style=\"background:url(data:image/png;base64,AA)\">"
    )
    .is_empty());
}

#[test]
fn the_data_map_holds_no_planted_value_in_full() {
    // register-org: every cell of every CSV (values of four characters or more).
    let html = data_map("register-org", "nl");
    let mut checked = 0;
    for dir in ["crm", "hr", "marketing", "webshop"] {
        for e in std::fs::read_dir(fixtures().join("register-org").join(dir))
            .expect("fixture")
            .flatten()
        {
            let mut r = csv::ReaderBuilder::new()
                .flexible(true)
                .from_path(e.path())
                .expect("csv");
            for rec in r.records() {
                for cell in rec.expect("record").iter().map(str::trim) {
                    if cell.chars().count() >= 4 {
                        checked += 1;
                        assert!(
                            !html.contains(cell),
                            "{cell:?} of {} is in the page",
                            e.path().display()
                        );
                    }
                }
            }
        }
    }
    assert!(checked > 100, "{checked}");
    // demo: every value the scanner finds (asked in full with --show-values).
    let html = data_map("demo", "en");
    let o = run_in(
        &fixtures(),
        &["scan", "demo", "-q", "--format", "ndjson", "--show-values"],
    );
    let mut values = 0;
    for line in stdout(&o).lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("json");
        if let Some(value) = v["evidence"].as_str().filter(|s| s.chars().count() >= 4) {
            values += 1;
            assert!(!html.contains(value), "{value:?} is in the page");
        }
    }
    assert!(values > 30, "{values}");
}

#[test]
fn the_data_map_names_what_was_not_read_and_what_was_sampled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir_all(d.join("org")).expect("mkdir");
    let mut big = String::from("naam,email\n");
    for i in 0..30 {
        big.push_str(&format!("Persoon {i},persoon{i}@voorbeeld.nl\n"));
    }
    std::fs::write(d.join("org/leden.csv"), big).expect("write");
    std::fs::write(d.join("org/kapot.xlsx"), b"PK\x03\x04 not a workbook").expect("write");
    let o = run_in(
        d,
        &[
            "inventory",
            "org",
            "-q",
            "--format",
            "html",
            "--lang",
            "en",
            "--sample-rows",
            "10",
            "--out",
            "map.html",
        ],
    );
    // An input that could not be read gives exit 2, on the page and on stderr.
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("kapot.xlsx"), "{}", stderr(&o));
    let html = std::fs::read_to_string(d.join("map.html")).expect("page");
    assert!(
        html.contains("<li><code>org/kapot.xlsx</code>: "),
        "not-read list missing"
    );
    assert!(
        html.contains("<strong>sampled: the first 10 rows (more followed)</strong>"),
        "sampling not shown per dataset"
    );
    assert!(html.contains("<li><code>org/leden.csv</code> table <code>leden</code>: sampled: the first 10 rows (more followed)</li>"));
    assert!(html.contains("<span class=\"tag\">sampled</span>"));
}

#[test]
fn out_is_refused_for_the_formats_that_print() {
    let o = run_in(
        &fixtures(),
        &[
            "inventory",
            "register-org",
            "-q",
            "--format",
            "md",
            "--out",
            "x.md",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--format html"), "{}", stderr(&o));
}

fn chromium() -> Option<&'static str> {
    crate::common::chromium("data map browser test")
}

/// Decodes an 8-bit RGB or RGBA PNG (what Chromium writes) into RGB pixels.
fn decode_png(bytes: &[u8]) -> (usize, usize, Vec<[u8; 3]>) {
    use std::io::Read;
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let (mut width, mut height, mut channels) = (0usize, 0usize, 0usize);
    let mut idat = Vec::new();
    let mut at = 8;
    while at + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().expect("len")) as usize;
        let kind = &bytes[at + 4..at + 8];
        let data = &bytes[at + 8..at + 8 + len];
        match kind {
            b"IHDR" => {
                width = u32::from_be_bytes(data[0..4].try_into().expect("w")) as usize;
                height = u32::from_be_bytes(data[4..8].try_into().expect("h")) as usize;
                assert_eq!(data[8], 8, "bit depth");
                channels = match data[9] {
                    2 => 3,
                    6 => 4,
                    c => panic!("colour type {c}"),
                };
                assert_eq!(data[12], 0, "interlaced");
            }
            b"IDAT" => idat.extend_from_slice(data),
            _ => {}
        }
        at += 12 + len;
    }
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..])
        .read_to_end(&mut raw)
        .expect("inflate");
    let stride = width * channels;
    assert_eq!(raw.len(), height * (stride + 1), "image data size");
    let mut prev = vec![0u8; stride];
    let mut pixels = Vec::with_capacity(width * height);
    for y in 0..height {
        let line = &raw[y * (stride + 1)..(y + 1) * (stride + 1)];
        let filter = line[0];
        let mut cur = line[1..].to_vec();
        for i in 0..stride {
            let a = if i >= channels {
                cur[i - channels] as i16
            } else {
                0
            };
            let b = prev[i] as i16;
            let c = if i >= channels {
                prev[i - channels] as i16
            } else {
                0
            };
            let add = match filter {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                4 => {
                    let p = a + b - c;
                    let (pa, pb, pc) = ((p - a).abs(), (p - b).abs(), (p - c).abs());
                    if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    }
                }
                f => panic!("filter {f}"),
            };
            cur[i] = cur[i].wrapping_add(add as u8);
        }
        for px in cur.chunks(channels) {
            pixels.push([px[0], px[1], px[2]]);
        }
        prev = cur;
    }
    (width, height, pixels)
}

#[test]
fn the_data_map_renders_and_prints_in_chromium() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let html = dir.path().join("datamap.html");
    std::fs::write(&html, data_map("register-org", "nl")).expect("write");
    let browser = |args: &[String]| {
        Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
            ])
            .args(args)
            .arg(format!("file://{}", html.display()))
            .output()
            .expect("chromium")
    };

    // A screenshot: not blank, and the matrix's high-confidence colour (#1d4e89) is on it.
    let png = dir.path().join("datamap.png");
    let o = browser(&[
        "--window-size=1280,1400".to_string(),
        format!("--screenshot={}", png.display()),
    ]);
    let bytes = std::fs::read(&png)
        .unwrap_or_else(|_| panic!("no screenshot: {}", String::from_utf8_lossy(&o.stderr)));
    let (w, h, pixels) = decode_png(&bytes);
    assert!(w >= 1000 && h >= 1000, "{w}x{h}");
    let inked = pixels.iter().filter(|p| p.iter().any(|&c| c < 200)).count();
    assert!(
        inked * 100 > pixels.len(),
        "blank screenshot: {inked} of {} pixels inked",
        pixels.len()
    );
    let near = |p: &[u8; 3], q: [u8; 3]| p.iter().zip(q).all(|(&a, b)| a.abs_diff(b) <= 8);
    let high = pixels
        .iter()
        .filter(|p| near(p, [0x1d, 0x4e, 0x89]))
        .count();
    assert!(
        high > 500,
        "the matrix's cells are not coloured: {high} pixels"
    );

    // Printed to PDF: the dataset names, categories and headline numbers are in its text.
    let pdf = dir.path().join("datamap.pdf");
    let o = browser(&[
        "--no-pdf-header-footer".to_string(),
        format!("--print-to-pdf={}", pdf.display()),
    ]);
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
    let text = String::from_utf8_lossy(&o.stdout);
    let words: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for want in [
        "Datakaart persoonsgegevens",
        "klanten.csv",
        "medewerkers.csv",
        "nieuwsbrief_abonnees.csv",
        "sessies.csv",
        "Burgerservicenummer (BSN)",
        "E-mailadres",
        "Gezondheidsgegevens",
        "IP-adres",
        "4 datasets met persoonsgegevens",
        "12 soorten persoonsgegevens",
        "1 datasets met BSN of rijksregisternummer",
        "165 waarden geteld",
        concat!(
            "piiscan ",
            env!("CARGO_PKG_VERSION"),
            " · datakaart gemaakt op 2025-12-01 12:00 UTC"
        ),
    ] {
        assert!(words.contains(want), "{want:?} not in the PDF:\n{words}");
    }
}

#[test]
fn the_data_map_never_replaces_an_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    crate::common::write(
        d,
        "crm/klanten.csv",
        "naam,email\nJan de Vries,jan@example.nl\n",
    );
    let before = std::fs::read(d.join("crm/klanten.csv")).expect("read");
    std::os::unix::fs::symlink(d.join("crm/klanten.csv"), d.join("map.html")).expect("link");
    for out in ["crm/klanten.csv", "crm/../crm/klanten.csv", "map.html"] {
        let o = piiscan()
            .current_dir(d)
            .args(["inventory", "crm", "--format", "html", "--out", out, "-q"])
            .output()
            .expect("run");
        assert_eq!(o.status.code(), Some(2), "{out}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("one of the inputs"),
            "{out}: {}",
            stderr(&o)
        );
    }
    assert_eq!(
        std::fs::read(d.join("crm/klanten.csv")).expect("read"),
        before
    );
}
