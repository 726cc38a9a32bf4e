//! What a scan reports besides findings: each input's status and the totals.

use crate::pipeline::table::SampledTable;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// What happened to one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputStatus {
    /// Scanned completely.
    Scanned,
    /// Skipped: binary content.
    SkippedBinary,
    /// Skipped: an image (PNG, JPEG, TIFF), read only with `--ocr`.
    SkippedImage,
    /// Skipped: larger than `--max-filesize`.
    SkippedTooLarge,
    /// Skipped: a FIFO, socket or device found in a directory (never opened); the kind.
    SkippedSpecial(String),
    /// Could not be scanned at all.
    Failed(String),
    /// Scanned in part: the reason says what was not.
    Partial(String),
}

impl InputStatus {
    /// Why the input was skipped, if it was: `binary`, `too large`, `special file`.
    pub fn skip_reason(&self) -> Option<&'static str> {
        match self {
            InputStatus::SkippedBinary => Some("binary"),
            InputStatus::SkippedImage => Some("image"),
            InputStatus::SkippedTooLarge => Some("too large"),
            InputStatus::SkippedSpecial(_) => Some("special file"),
            _ => None,
        }
    }

    /// Is this an error the exit code must show?
    pub fn is_error(&self) -> bool {
        matches!(self, InputStatus::Failed(_) | InputStatus::Partial(_))
    }
}

/// One input's outcome, sent to the sink after its findings.
#[derive(Debug, Clone)]
pub struct InputReport {
    /// The input, as shown.
    pub path: Arc<str>,
    /// The input's project path (see [`ProjectPaths`]).
    pub project_path: Arc<str>,
    /// What happened.
    pub status: InputStatus,
    /// Bytes read (decompressed for gzip).
    pub bytes: u64,
    /// Findings reported for it.
    pub findings: u64,
    /// Findings dropped because their line carries `piiscan:allow`.
    pub allowed_inline: u64,
}

/// Totals of a scan.
#[derive(Debug, Clone, Default)]
pub struct ScanStats {
    /// Inputs scanned (completely or in part).
    pub files_scanned: u64,
    /// Inputs skipped as binary.
    pub skipped_binary: u64,
    /// Images skipped (not read without `--ocr`).
    pub skipped_images: u64,
    /// Inputs skipped for their size.
    pub skipped_too_large: u64,
    /// Special files (FIFOs, sockets, devices) found in directories and never opened.
    pub skipped_special: u64,
    /// Every skipped input: (path as shown, reason).
    pub skipped_inputs: Vec<(String, String)>,
    /// Inputs that failed completely or in part.
    pub failed: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Findings reported.
    pub findings: u64,
    /// Findings dropped because their line carries `piiscan:allow`.
    pub allowed_inline: u64,
    /// Findings and columns accepted by the allowlist (set by the caller's gate).
    pub allowlisted: u64,
    /// Findings and columns accepted by the baseline (set by the caller's gate).
    pub baselined: u64,
    /// Baseline entries not seen again in the files scanned (set by the caller's gate).
    pub baseline_stale: u64,
    /// Findings per rule id: (category, count).
    pub per_rule: BTreeMap<String, (String, u64)>,
    /// Tables read in part (`--sample-rows`), in input order: (input as shown, table).
    pub sampled: Vec<(String, SampledTable)>,
    /// Wall-clock time.
    pub elapsed: Duration,
}

impl ScanStats {
    /// Throughput in MB/s (10^6 bytes).
    pub fn mb_per_s(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.bytes as f64 / 1e6 / secs
        } else {
            0.0
        }
    }
}

impl ScanStats {
    /// Counts one finished input.
    pub(super) fn count(&mut self, path: &str, status: &InputStatus, bytes: u64, findings: u64) {
        if let Some(reason) = status.skip_reason() {
            let reason = match status {
                InputStatus::SkippedSpecial(kind) => format!("{reason} ({kind})"),
                _ => reason.to_string(),
            };
            self.skipped_inputs.push((path.to_string(), reason));
        }
        match status {
            InputStatus::Scanned => self.files_scanned += 1,
            InputStatus::Partial(_) => {
                self.files_scanned += 1;
                self.failed += 1;
            }
            InputStatus::Failed(_) => self.failed += 1,
            InputStatus::SkippedBinary => self.skipped_binary += 1,
            InputStatus::SkippedImage => self.skipped_images += 1,
            InputStatus::SkippedTooLarge => self.skipped_too_large += 1,
            InputStatus::SkippedSpecial(_) => self.skipped_special += 1,
        }
        self.bytes += bytes;
        self.findings += findings;
    }
}
