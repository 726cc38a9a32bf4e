//! PDF text extraction in pages per second: the Chromium-printed fixture
//! (fixtures/pdf/rapport.pdf, 3 pages) read again and again, and a generated document of
//! `PIISCAN_BENCH_PAGES` pages (default 2000) of 45 lines each, drawn as Chromium and LaTeX draw
//! them (a `Tm` per line, `TJ` arrays with kerning, runs split by `Td`), each through the reader
//! alone and through the whole scan (detection included), on one thread.
//!
//! `cargo bench --bench pdf_pages`

use piiscan::finding::fingerprint::Fingerprinter;
use piiscan::pipeline::{scan, ScanOptions};
use piiscan::report::CountingSink;
use piiscan::ruleset::RuleSet;
use piiscan::source::container::pdf;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

/// A PDF of `pages` pages of text, one font, a few values on every page.
fn generated(pages: usize) -> Vec<u8> {
    let font = 3 + 2 * pages;
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {pages} >>",
            (0..pages)
                .map(|i| format!("{} 0 R", 3 + 2 * i))
                .collect::<Vec<_>>()
                .join(" ")
        )
        .into_bytes(),
    ];
    for p in 0..pages {
        let mut content = String::new();
        for line in 0..45 {
            let y = 760 - line * 16;
            let _ = write!(content, "BT /F1 11 Tf 1 0 0 1 56 {y} Tm ");
            match line % 5 {
                0 => {
                    let _ = write!(
                        content,
                        "[(Klant ) -20 (nummer {p}-{line}: Jan Jansen, jan.jansen) 10 (@example.nl)] TJ"
                    );
                }
                1 => {
                    let _ = write!(
                        content,
                        "(IBAN NL91 ABNA 0417 1643 00 en BSN 111222333) Tj 180 0 Td (op pagina {p}) Tj"
                    );
                }
                _ => {
                    let _ = write!(
                        content,
                        "[(De rapportage over het kwartaal beschrijft de voortgang van het project) -250 (en de planning.)] TJ"
                    );
                }
            }
            content.push_str(" ET\n");
        }
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 {font} 0 R >> >> /Contents {} 0 R >>",
                4 + 2 * p
            )
            .into_bytes(),
        );
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend_from_slice(content.as_bytes());
        stream.extend_from_slice(b"\nendstream");
        objects.push(stream);
    }
    objects.push(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    );
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Pages per second of the reader alone over `rounds` reads of `bytes`.
fn reader(name: &str, bytes: &[u8], rounds: usize) {
    let start = Instant::now();
    let mut pages = 0usize;
    let mut chars = 0usize;
    for _ in 0..rounds {
        let doc = pdf::read(bytes).expect("readable");
        pages += doc.pages.len();
        chars += doc.pages.iter().map(|p| p.text.len()).sum::<usize>();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "pdf reader  {name:<28} {pages:>6} pages in {secs:>6.2} s: {:>8.0} pages/s ({:.1} MB of text/s)",
        pages as f64 / secs,
        chars as f64 / 1e6 / secs
    );
}

/// Pages per second through the whole scan (one thread), findings counted.
fn whole_scan(name: &str, path: &Path, pages: usize) {
    let rules = RuleSet::builtin().expect("built-in rules");
    let opts = ScanOptions {
        threads: 1,
        ..ScanOptions::default()
    };
    let fp = Fingerprinter::with_key(b"bench", "bench");
    let mut sink = CountingSink::default();
    let start = Instant::now();
    scan(&[path.to_path_buf()], &rules, &opts, &fp, &mut sink, true).expect("scan");
    let secs = start.elapsed().as_secs_f64();
    println!(
        "whole scan  {name:<28} {pages:>6} pages in {secs:>6.2} s: {:>8.0} pages/s ({} findings)",
        pages as f64 / secs,
        sink.findings
    );
}

fn main() {
    let pages: usize = std::env::var("PIISCAN_BENCH_PAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pdf/rapport.pdf");
    let chromium = std::fs::read(&fixture).expect("fixtures/pdf/rapport.pdf");
    reader("rapport.pdf (Chromium) x300", &chromium, 300);
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("generated.pdf");
    let bytes = generated(pages);
    std::fs::write(&path, &bytes).expect("write");
    println!(
        "generated: {pages} pages, {:.1} MB",
        bytes.len() as f64 / 1e6
    );
    reader("generated", &bytes, 1);
    whole_scan("generated", &path, pages);
}
