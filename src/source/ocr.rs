//! Optical character recognition for `--ocr`: images (PNG, JPEG, TIFF) and PDF pages without a
//! text layer are read by the `tesseract` program (Debian's `tesseract-ocr`, with the Dutch,
//! French and English languages where installed); PDF pages are rendered to PNG first by
//! `pdftoppm` (poppler-utils). Tesseract's TSV output gives each word's confidence; a line's
//! confidence is its least confident word, and [`lowered`] lowers a finding's confidence by it.
//! Each program runs with a time limit, so that no image hangs the scan.

use crate::finding::Confidence;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one run of tesseract or pdftoppm may take.
pub const TIME_LIMIT: Duration = Duration::from_secs(120);
/// The resolution PDF pages are rendered at for OCR.
pub const DPI: u32 = 300;
/// The languages used when installed, in this order.
const LANGUAGES: [&str; 4] = ["nld", "fra", "eng", "deu"];

/// Why OCR could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OcrError {
    /// The tesseract program is not installed (or not on PATH).
    #[error(
        "--ocr needs the tesseract program, which was not found on PATH \
         (Debian: apt-get install tesseract-ocr tesseract-ocr-nld tesseract-ocr-fra)"
    )]
    NotInstalled,
    /// Tesseract has none of the languages piiscan reads.
    #[error("tesseract has none of the languages nld, fra, eng or deu installed (Debian: apt-get install tesseract-ocr-nld tesseract-ocr-fra)")]
    NoLanguage,
    /// The program failed or took too long on this input.
    #[error("{0}")]
    Failed(String),
}

/// Text read by OCR.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OcrText {
    /// The text, one line of the image a line.
    pub text: String,
    /// Each line's confidence, 0 to 100: the least confident word on it.
    pub line_confidence: Vec<f64>,
}

impl OcrText {
    /// The confidence of the 0-based line `line` (100 for a line the OCR did not give).
    pub fn confidence_of_line(&self, line: usize) -> f64 {
        self.line_confidence.get(line).copied().unwrap_or(100.0)
    }
}

/// A finding's confidence after OCR: kept at an OCR confidence of 90 or more, one level
/// lower from 60, two below 60.
pub fn lowered(confidence: Confidence, ocr: f64) -> Confidence {
    if ocr >= 90.0 {
        confidence
    } else if ocr >= 60.0 {
        confidence.lowered()
    } else {
        confidence.lowered().lowered()
    }
}

/// The tesseract program and the languages it reads with.
#[derive(Debug, Clone)]
pub struct Ocr {
    program: PathBuf,
    languages: String,
}

impl Ocr {
    /// Finds tesseract on PATH and the languages it has.
    ///
    /// # Errors
    /// Tesseract is not installed, or has none of the languages.
    pub fn find() -> Result<Ocr, OcrError> {
        Self::with_program(Path::new("tesseract"))
    }

    /// Uses `program` as tesseract.
    ///
    /// # Errors
    /// The program does not run, or has none of the languages.
    pub fn with_program(program: &Path) -> Result<Ocr, OcrError> {
        let out = Command::new(program)
            .arg("--list-langs")
            .stdin(Stdio::null())
            .output()
            .map_err(|_| OcrError::NotInstalled)?;
        if !out.status.success() {
            return Err(OcrError::NotInstalled);
        }
        let listed = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        let have: Vec<&str> = listed.lines().map(str::trim).collect();
        let languages: Vec<&str> = LANGUAGES
            .iter()
            .copied()
            .filter(|l| have.contains(l))
            .collect();
        if languages.is_empty() {
            return Err(OcrError::NoLanguage);
        }
        Ok(Ocr {
            program: program.to_path_buf(),
            languages: languages.join("+"),
        })
    }

    /// The languages tesseract reads with (`nld+fra+eng`).
    pub fn languages(&self) -> &str {
        &self.languages
    }

    /// Reads the image in the file `image`.
    ///
    /// # Errors
    /// Tesseract failed on it or took longer than [`TIME_LIMIT`].
    pub fn image(&self, image: &Path) -> Result<OcrText, OcrError> {
        let mut cmd = Command::new(&self.program);
        cmd.arg(image)
            .arg("stdout")
            .args(["-l", &self.languages, "--psm", "3", "tsv"]);
        let out = run_limited(cmd, "tesseract")?;
        Ok(parse_tsv(&String::from_utf8_lossy(&out)))
    }

    /// Reads an image given as bytes (written to a private temporary file first).
    ///
    /// # Errors
    /// The temporary file could not be written, or tesseract failed.
    pub fn image_bytes(&self, bytes: &[u8]) -> Result<OcrText, OcrError> {
        let dir = tempdir()?;
        let path = dir.path().join("image");
        std::fs::write(&path, bytes)
            .map_err(|e| OcrError::Failed(format!("temporary file: {e}")))?;
        self.image(&path)
    }

    /// Renders page `page` (1-based) of the PDF `pdf` with pdftoppm and reads it.
    ///
    /// # Errors
    /// pdftoppm is missing or failed, or tesseract failed.
    pub fn pdf_page(&self, pdf: &Path, page: usize) -> Result<OcrText, OcrError> {
        let dir = tempdir()?;
        let prefix = dir.path().join("page");
        let mut cmd = Command::new("pdftoppm");
        cmd.args(["-r", &DPI.to_string(), "-gray", "-png", "-singlefile"])
            .args(["-f", &page.to_string(), "-l", &page.to_string()])
            .arg(pdf)
            .arg(&prefix);
        run_limited(cmd, "pdftoppm (poppler-utils)")?;
        self.image(&prefix.with_extension("png"))
    }
}

fn tempdir() -> Result<tempfile::TempDir, OcrError> {
    tempfile::Builder::new()
        .prefix("piiscan-ocr-")
        .tempdir()
        .map_err(|e| OcrError::Failed(format!("temporary directory: {e}")))
}

/// Runs `cmd` to its end within [`TIME_LIMIT`], returning its standard output.
fn run_limited(mut cmd: Command, what: &str) -> Result<Vec<u8>, OcrError> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| OcrError::Failed(format!("{what} could not be started: {e}")))?;
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    // Read both pipes on threads, so a full pipe never stalls the program.
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stdout.as_mut() {
            let _ = s.read_to_end(&mut buf);
        }
        buf
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stderr.as_mut() {
            let _ = s.take(64 * 1024).read_to_end(&mut buf);
        }
        buf
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > TIME_LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(OcrError::Failed(format!(
                    "{what} took longer than {} s and was stopped",
                    TIME_LIMIT.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(OcrError::Failed(format!("{what}: {e}"))),
        }
    };
    let out = out.join().unwrap_or_default();
    let err = err.join().unwrap_or_default();
    if !status.success() {
        let why = String::from_utf8_lossy(&err);
        let why = why.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("");
        return Err(OcrError::Failed(format!(
            "{what} failed ({status}): {}",
            why.chars().take(200).collect::<String>()
        )));
    }
    Ok(out)
}

/// Tesseract's TSV (`level page_num block_num par_num line_num word_num left top width height
/// conf text`): the words of each line joined by spaces, lines in order, each line's least
/// word confidence.
pub fn parse_tsv(tsv: &str) -> OcrText {
    let mut out = OcrText::default();
    let mut current: Option<(u32, u32, u32, u32)> = None;
    let mut line = String::new();
    let mut least = 100.0f64;
    let flush = |out: &mut OcrText, line: &mut String, least: &mut f64| {
        if !line.is_empty() {
            out.text.push_str(line);
            out.text.push('\n');
            out.line_confidence.push(*least);
        }
        line.clear();
        *least = 100.0;
    };
    for row in tsv.lines().skip(1) {
        let cols: Vec<&str> = row.splitn(12, '\t').collect();
        if cols.len() < 12 || cols[0] != "5" {
            continue;
        }
        let word = cols[11].trim();
        let conf: f64 = cols[10].trim().parse().unwrap_or(-1.0);
        if word.is_empty() || conf < 0.0 {
            continue;
        }
        let n = |i: usize| cols[i].parse::<u32>().unwrap_or(0);
        let key = (n(1), n(2), n(3), n(4));
        if current != Some(key) {
            flush(&mut out, &mut line, &mut least);
            current = Some(key);
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        least = least.min(conf);
    }
    flush(&mut out, &mut line, &mut least);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_lines_and_their_least_confidence() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t0\t0\t10\t10\t96.5\tNaam:\n\
                   5\t1\t1\t1\t1\t2\t0\t0\t10\t10\t91.0\tJansen\n\
                   5\t1\t1\t1\t2\t1\t0\t0\t10\t10\t55.2\tBSN\n\
                   5\t1\t1\t1\t2\t2\t0\t0\t10\t10\t88\t999999990\n\
                   5\t1\t1\t1\t2\t3\t0\t0\t10\t10\t95\t \n";
        let t = parse_tsv(tsv);
        assert_eq!(t.text, "Naam: Jansen\nBSN 999999990\n");
        assert_eq!(t.line_confidence, vec![91.0, 55.2]);
        assert_eq!(t.confidence_of_line(5), 100.0);
    }

    #[test]
    fn confidence_is_lowered_by_the_ocr_confidence() {
        assert_eq!(lowered(Confidence::High, 95.0), Confidence::High);
        assert_eq!(lowered(Confidence::High, 75.0), Confidence::Medium);
        assert_eq!(lowered(Confidence::High, 40.0), Confidence::Low);
        assert_eq!(lowered(Confidence::Medium, 10.0), Confidence::Low);
    }

    #[test]
    fn a_missing_program_is_a_clear_error() {
        let e = Ocr::with_program(Path::new("/nonexistent/tesseract")).unwrap_err();
        assert_eq!(e, OcrError::NotInstalled);
        assert!(e.to_string().contains("apt-get install tesseract-ocr"));
    }
}
