//! How to scan: the options of one scan.

use crate::finding::Confidence;
use crate::pipeline::table::TableOptions;
use crate::source::project::ProjectPaths;
use crate::source::walk::WalkOptions;

/// How to scan.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Report findings at or above this confidence.
    pub min_confidence: Confidence,
    /// Attach explanations.
    pub explain: bool,
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Walking options.
    pub walk: WalkOptions,
    /// Files of at least twice this size are split into regions of about this size.
    pub segment_size: u64,
    /// Sampling and caps for tables (CSV, TSV, SQL dumps).
    pub tables: TableOptions,
    /// Drop findings on text lines that carry `piiscan:allow`.
    pub inline_allow: bool,
    /// How files are named in fingerprints (and shown, for remapped staged files).
    pub project: ProjectPaths,
    /// What an archive (with the archives inside it) may expand to.
    pub archives: crate::source::container::Limits,
    /// `--ocr`: images and PDF pages without a text layer are read by tesseract.
    pub ocr: Option<crate::source::ocr::Ocr>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            min_confidence: Confidence::Medium,
            explain: false,
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            walk: WalkOptions::default(),
            segment_size: 512 * 1024,
            tables: TableOptions::default(),
            inline_allow: true,
            project: ProjectPaths::default(),
            archives: crate::source::container::Limits::default(),
            ocr: None,
        }
    }
}
