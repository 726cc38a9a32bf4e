//! What a scan reports besides findings: each input's status and the totals.

use crate::pipeline::table::SampledTable;
use crate::source::walk::{Beneath, WalkSkip};
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
    /// Why the input was skipped, if it was.
    pub fn skip_reason(&self) -> Option<SkipReason> {
        match self {
            InputStatus::SkippedBinary => Some(SkipReason::Binary),
            InputStatus::SkippedTooLarge => Some(SkipReason::TooLarge),
            InputStatus::SkippedSpecial(kind) => Some(SkipReason::Special(kind.clone())),
            InputStatus::SkippedImage => Some(SkipReason::Image),
            _ => None,
        }
    }

    /// Is this an error the exit code must show?
    pub fn is_error(&self) -> bool {
        matches!(self, InputStatus::Failed(_) | InputStatus::Partial(_))
    }
}

/// Why something given or found was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// Binary content.
    Binary,
    /// An image, read only with `--ocr`.
    Image,
    /// Values of a table column that are binary and not text (a `bytea` or blob column): how
    /// many.
    BinaryValues(u64),
    /// Larger than `--max-filesize`.
    TooLarge,
    /// A FIFO, socket or device (never opened); the kind.
    Special(String),
    /// Left out by the walk: hidden, excluded, not included, a link, `.git`.
    Walk(WalkSkip),
}

/// Every reason, in the order summaries list them.
const ORDER: [&str; 9] = [
    "hidden",
    "excluded",
    "not included",
    "symbolic link",
    "git directory",
    "too large",
    "binary",
    "image",
    "special file",
];

impl SkipReason {
    /// The reason as counted: `hidden`, `excluded`, `not included`, `symbolic link`,
    /// `git directory`, `too large`, `binary`, `special file`.
    pub fn label(&self) -> &'static str {
        match self {
            SkipReason::Binary | SkipReason::BinaryValues(_) => "binary",
            SkipReason::Image => "image",
            SkipReason::TooLarge => "too large",
            SkipReason::Special(_) => "special file",
            SkipReason::Walk(WalkSkip::Hidden) => "hidden",
            SkipReason::Walk(WalkSkip::Excluded) => "excluded",
            SkipReason::Walk(WalkSkip::NotIncluded) => "not included",
            SkipReason::Walk(WalkSkip::Symlink) => "symbolic link",
            SkipReason::Walk(WalkSkip::GitDir) => "git directory",
        }
    }

    /// The reason as listed for one input: the label, with the kind of a special file
    /// (`special file (a FIFO)`).
    pub fn describe(&self) -> String {
        match self {
            SkipReason::Special(kind) => format!("special file ({kind})"),
            SkipReason::BinaryValues(n) => format!(
                "binary ({n} value{} not text)",
                if *n == 1 { "" } else { "s" }
            ),
            other => other.label().to_string(),
        }
    }

    /// What reads such inputs, or why nothing does.
    pub fn hint(label: &str) -> &'static str {
        match label {
            "hidden" => "--hidden scans them",
            "excluded" => "they match --exclude or `exclude` in .piiscan.toml",
            "not included" => "they match no --include or `include` glob",
            "symbolic link" => "--follow-symlinks follows them",
            "git directory" => "git's own files; the history is not scanned",
            "too large" => "--max-filesize sets the limit",
            "binary" => "no text to read",
            "image" => "--ocr reads them",
            _ => "FIFOs, sockets and devices are never opened",
        }
    }
}

/// One input (or directory) not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// The path, as shown.
    pub path: String,
    /// Why.
    pub reason: SkipReason,
    /// For a directory left out whole: the files beneath it.
    pub beneath: Option<Beneath>,
}

/// The skips of one reason, counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkipCount {
    /// The reason ([`SkipReason::label`]).
    pub reason: &'static str,
    /// Entries: files, and directories left out whole.
    pub entries: u64,
    /// Files: a file counts one, a directory the files beneath it.
    pub files: u64,
    /// Some directory was not counted to the end: there may be more files.
    pub more: bool,
    /// Directories among the entries.
    pub directories: u64,
}

impl SkipCount {
    /// `3 hidden (2 directories, 40 files)`, `1 binary`, `1 git directory`.
    pub fn describe(&self) -> String {
        if self.reason == "git directory" {
            let s = if self.entries == 1 { "y" } else { "ies" };
            return format!("{} git director{s}", self.entries);
        }
        if self.directories == 0 {
            return format!("{} {}", self.entries, self.reason);
        }
        let plus = if self.more { "+" } else { "" };
        format!(
            "{} {} ({} {}, {}{plus} {})",
            self.entries,
            self.reason,
            self.directories,
            if self.directories == 1 {
                "directory"
            } else {
                "directories"
            },
            self.files,
            if self.files == 1 && !self.more {
                "file"
            } else {
                "files"
            }
        )
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
    /// Everything not read: inputs skipped (binary, too large, special files), then what the
    /// walk left out (hidden, excluded, not included, links, `.git`).
    pub skipped: Vec<Skip>,
    /// Include and exclude globs that matched no path.
    pub unmatched_globs: Vec<crate::source::walk::UnmatchedGlob>,
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
            self.skipped.push(Skip {
                path: path.to_string(),
                reason,
                beneath: None,
            });
        }
        match status {
            InputStatus::Scanned => self.files_scanned += 1,
            InputStatus::Partial(_) => {
                self.files_scanned += 1;
                self.failed += 1;
            }
            InputStatus::Failed(_) => self.failed += 1,
            InputStatus::SkippedBinary
            | InputStatus::SkippedImage
            | InputStatus::SkippedTooLarge
            | InputStatus::SkippedSpecial(_) => {}
        }
        self.bytes += bytes;
        self.findings += findings;
    }

    /// Adds what the walk left out, each path shown by `show`, and the globs that matched
    /// nothing.
    pub(super) fn left_out(
        &mut self,
        walked: crate::source::walk::Walked,
        show: impl Fn(&std::path::Path) -> String,
    ) {
        self.unmatched_globs = walked.unmatched;
        self.skipped
            .extend(walked.skipped.into_iter().map(|s| Skip {
                path: show(&s.path),
                reason: SkipReason::Walk(s.reason),
                beneath: s.beneath,
            }));
    }

    /// Entries skipped with this reason label ([`SkipReason::label`]).
    pub fn skipped_with(&self, reason: &str) -> u64 {
        self.skipped
            .iter()
            .filter(|s| s.reason.label() == reason)
            .count() as u64
    }

    /// The skips counted by reason, reasons with none left out, in a fixed order.
    pub fn skip_counts(&self) -> Vec<SkipCount> {
        ORDER
            .iter()
            .filter_map(|&reason| {
                let mut c = SkipCount {
                    reason,
                    entries: 0,
                    files: 0,
                    more: false,
                    directories: 0,
                };
                for s in self.skipped.iter().filter(|s| s.reason.label() == reason) {
                    c.entries += 1;
                    match s.beneath {
                        Some(b) => {
                            c.directories += 1;
                            c.files += b.files;
                            c.more |= b.more;
                        }
                        // `.git` is a directory whose files are not counted.
                        None if s.reason == SkipReason::Walk(WalkSkip::GitDir) => {
                            c.directories += 1;
                            c.more = true;
                        }
                        None => c.files += 1,
                    }
                }
                (c.entries > 0).then_some(c)
            })
            .collect()
    }
}
