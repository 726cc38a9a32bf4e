//! Writing findings: one module per output format behind the [`Reporter`] trait. Values are
//! masked once, in [`Record::new`], before any format sees them (unless values were asked for),
//! and text for terminals is sanitised ([`sanitize`]).

pub mod csv;
pub mod datamap;
pub mod github;
pub mod html;
pub mod json;
pub mod junit;
pub mod ndjson;
pub mod sanitize;
pub mod sarif;
pub mod shown;
pub mod table;

pub use shown::ShownNames;

use crate::finding::{Confidence, Explanation, Finding, Location};
use crate::pipeline::{InputReport, ScanStats, Sink};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// The output formats of `piiscan scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Human-readable, grouped by file, with a summary.
    Table,
    /// One JSON document: findings, inventory, stats.
    Json,
    /// One JSON object per finding per line.
    Ndjson,
    /// Comma-separated values with a header.
    Csv,
    /// SARIF 2.1.0 for code-scanning dashboards.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
    /// JUnit XML for CI test reports.
    Junit,
}

impl Format {
    /// Parses a format name.
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "table" => Some(Format::Table),
            "json" => Some(Format::Json),
            "ndjson" => Some(Format::Ndjson),
            "csv" => Some(Format::Csv),
            "sarif" => Some(Format::Sarif),
            "github" => Some(Format::Github),
            "junit" => Some(Format::Junit),
            _ => None,
        }
    }
}

/// Options every reporter shares.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReportOptions {
    /// Print values in full instead of masked.
    pub show_values: bool,
    /// The table format prints every finding instead of the first ones per column and rule.
    pub all: bool,
}

/// A finding as every format prints it: the fields of the finding contract.
#[derive(Debug, Serialize)]
pub struct Record<'a> {
    /// Input path.
    pub path: &'a str,
    /// Rule id.
    pub rule: &'a str,
    /// Taxonomy category.
    pub category: &'a str,
    /// Confidence.
    pub confidence: Confidence,
    /// Set for a finding in a name: `path` (the file's name; `byte_start` and `byte_end` are
    /// offsets in `path`), `table_name` or `column_name` (offsets in that name as read from
    /// the input; the name itself is shown as [`crate::names::shown`] decides).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<&'static str>,
    /// 1-based line (text inputs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// Byte offset of the start (text inputs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub byte_start: Option<u64>,
    /// Byte offset of the end (text inputs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub byte_end: Option<u64>,
    /// Table (structured inputs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<&'a str>,
    /// Column (structured inputs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<&'a str>,
    /// 1-based data row (structured inputs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    /// The value, masked unless values were asked for.
    pub evidence: &'a str,
    /// Keyed fingerprint.
    pub fingerprint: &'a str,
    /// Why, with `--explain`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<&'a Explanation>,
}

impl<'a> Record<'a> {
    /// The record of a finding; masks the value unless `opts.show_values`.
    pub fn new(f: &'a Finding, opts: ReportOptions) -> Record<'a> {
        let evidence = if opts.show_values {
            f.value.as_str()
        } else {
            f.masked.as_str()
        };
        let (mut line, mut byte_start, mut byte_end, mut table, mut column, mut row) =
            (None, None, None, None, None, None);
        let mut location = None;
        match &f.location {
            Location::Text {
                line: l,
                byte_start: s,
                byte_end: e,
                ..
            } => {
                line = Some(*l);
                byte_start = Some(*s);
                byte_end = Some(*e);
            }
            Location::Cell {
                table: t,
                column: c,
                row: r,
                line: l,
            } => {
                table = Some(t.as_str());
                column = Some(c.as_str());
                row = Some(*r);
                line = *l;
            }
            Location::Path {
                byte_start: s,
                byte_end: e,
            } => {
                byte_start = Some(*s);
                byte_end = Some(*e);
                location = f.location.name_kind();
            }
            Location::Name {
                table: t,
                column: c,
                byte_start: s,
                byte_end: e,
            } => {
                table = Some(t.as_str());
                column = c.as_deref();
                byte_start = Some(*s);
                byte_end = Some(*e);
                location = f.location.name_kind();
            }
        }
        Record {
            path: &f.path,
            rule: &f.rule,
            category: &f.category,
            confidence: f.confidence,
            location,
            line,
            byte_start,
            byte_end,
            table,
            column,
            row,
            evidence,
            fingerprint: &f.fingerprint,
            explanation: f.explanation.as_deref(),
        }
    }
}

/// The statistics block of the JSON format and the summary of the table.
#[derive(Debug, Serialize)]
pub struct StatsRecord<'a> {
    /// Inputs scanned.
    pub files: u64,
    /// Inputs not read, every reason (a directory left out whole counts one).
    pub skipped: u64,
    /// Inputs skipped as binary.
    pub skipped_binary: u64,
    /// Images skipped (read only with `--ocr`).
    pub skipped_images: u64,
    /// Inputs skipped for their size.
    pub skipped_too_large: u64,
    /// FIFOs, sockets and devices found in directories (never opened).
    pub skipped_special: u64,
    /// Hidden files and directories left out (`--hidden` scans them).
    pub skipped_hidden: u64,
    /// The skips counted by reason (only reasons with a skip).
    pub skipped_by_reason: BTreeMap<&'static str, SkipCountRecord>,
    /// Every skipped input (or directory) with its reason.
    pub skipped_inputs: Vec<SkippedInput<'a>>,
    /// Inputs that could not be scanned (completely or in part).
    pub errors: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Findings.
    pub findings: u64,
    /// Seconds.
    pub elapsed: f64,
    /// MB/s.
    pub mb_per_s: f64,
    /// Findings per rule.
    pub per_rule: BTreeMap<&'a str, u64>,
    /// Findings per category.
    pub per_category: BTreeMap<&'a str, u64>,
    /// The inputs that failed, with the reason.
    pub failed_inputs: &'a [(String, String)],
    /// Findings not reported because they were accepted.
    pub suppressed: Suppressed,
    /// Tables read in part (`--sample-rows`): their rows after the sample were not checked.
    pub sampled: Vec<SampledRecord<'a>>,
}

/// The skips of one reason, as the JSON statistics count them.
#[derive(Debug, Serialize)]
pub struct SkipCountRecord {
    /// Entries: files, and directories left out whole.
    pub entries: u64,
    /// Directories among them.
    pub directories: u64,
    /// Files: a file counts one, a directory the files beneath it.
    pub files: u64,
    /// Some directory was not counted to the end (more than 10,000 entries, or unreadable):
    /// `files` is a lower bound.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub files_at_least: bool,
    /// What reads them, or why nothing does.
    pub hint: &'static str,
}

/// A table of which only a sample was read, as the JSON statistics list it.
#[derive(Debug, Serialize)]
pub struct SampledRecord<'a> {
    /// The input, as shown.
    pub path: &'a str,
    /// The table.
    pub table: &'a str,
    /// Rows read.
    pub rows_read: u64,
    /// Rows the table holds, when known without reading them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_total: Option<u64>,
}

/// The one wording of a sampled table, for every format that prints prose.
/// (The table's name is masked where it holds personal data, as [`crate::names::mask`] does.)
pub fn sampled_notice(path: &str, t: &crate::pipeline::table::SampledTable) -> String {
    format!(
        "{}: table {}: sampled, {} read; the rows not read were not checked (--sample-rows 0 reads every row)",
        sanitize::sanitize(path),
        sanitize::sanitize(&crate::names::mask(&t.table)),
        t.rows.describe()
    )
}

/// An input (or a directory) skipped, and why (`binary`, `too large`, `special file (a
/// FIFO)`, `hidden`, `excluded`, `not included`, `symbolic link`, `git directory`).
#[derive(Debug, Serialize)]
pub struct SkippedInput<'a> {
    /// The input, as shown.
    pub path: &'a str,
    /// Why it was skipped.
    pub reason: String,
    /// For a directory left out whole: the files beneath it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files_beneath: Option<u64>,
    /// `files_beneath` is a lower bound (counting stopped at 10,000 entries, or a part was
    /// unreadable).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub files_at_least: bool,
}

/// The skips counted by reason (`5 skipped: 3 hidden (1 directory, 41 files), 1 binary,
/// 1 symbolic link`), or `None` when nothing was skipped: the one line every format's summary
/// carries.
pub fn skip_summary(s: &ScanStats) -> Option<String> {
    let counts = s.skip_counts();
    if counts.is_empty() {
        return None;
    }
    let parts: Vec<String> = counts.iter().map(|c| c.describe()).collect();
    Some(format!("{} skipped: {}", s.skipped.len(), parts.join(", ")))
}

/// Paths listed per reason in prose; `--format json` lists every one.
pub const LISTED_PER_REASON: usize = 5;

/// One line per reason naming what was not read: the count, the first paths (each through
/// `show`), and what reads them: `3 hidden (1 directory, 40 files): .env, .backup/ (40
/// files), klanten.db-journal; --hidden scans them`.
pub fn skip_lines(s: &ScanStats, show: &dyn Fn(&str) -> String) -> Vec<String> {
    s.skip_counts()
        .iter()
        .map(|c| {
            let of_reason = s.skipped.iter().filter(|k| k.reason.label() == c.reason);
            let mut paths: Vec<String> = of_reason
                .clone()
                .take(LISTED_PER_REASON)
                .map(|k| match k.beneath {
                    Some(b) => format!(
                        "{}/ ({}{} file{})",
                        show(&k.path),
                        b.files,
                        if b.more { "+" } else { "" },
                        if b.files == 1 && !b.more { "" } else { "s" }
                    ),
                    None => show(&k.path),
                })
                .collect();
            let rest = of_reason.count().saturating_sub(LISTED_PER_REASON);
            if rest > 0 {
                paths.push(format!("… and {rest} more (--format json lists them all)"));
            }
            format!(
                "{}: {}; {}",
                c.describe(),
                paths.join(", "),
                crate::pipeline::SkipReason::hint(c.reason)
            )
        })
        .collect()
}

/// `1 record`, `2 records`: a count with the word that fits it.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What a command prints on standard error about what was not read, when its output has no
/// room for prose (every format but the table): the summary by reason, then a line per reason
/// with the first paths and what reads them. Empty when nothing was skipped.
pub fn skip_notices(s: &ScanStats) -> Vec<String> {
    let Some(summary) = skip_summary(s) else {
        return Vec::new();
    };
    let mut out = vec![format!("piiscan: {summary}")];
    out.extend(
        skip_lines(s, &|p| sanitize::sanitize(p).into_owned())
            .into_iter()
            .map(|l| format!("piiscan: not scanned: {l}")),
    );
    out
}

/// Findings (and columns) not reported because they were accepted.
#[derive(Debug, Serialize, Clone, Copy)]
pub struct Suppressed {
    /// By a `piiscan:allow` comment on their line.
    pub inline: u64,
    /// By the allowlist.
    pub allowlist: u64,
    /// By the baseline.
    pub baseline: u64,
    /// Baseline entries not seen again in the files scanned.
    pub baseline_stale: u64,
}

impl Suppressed {
    /// Was anything suppressed?
    pub fn any(&self) -> bool {
        self.inline + self.allowlist + self.baseline + self.baseline_stale > 0
    }
}

impl<'a> StatsRecord<'a> {
    /// Summarises scan statistics.
    pub fn new(s: &'a ScanStats, failed_inputs: &'a [(String, String)]) -> StatsRecord<'a> {
        let mut per_category: BTreeMap<&str, u64> = BTreeMap::new();
        for (cat, n) in s.per_rule.values() {
            *per_category.entry(cat.as_str()).or_default() += n;
        }
        StatsRecord {
            files: s.files_scanned,
            skipped: s.skipped.len() as u64,
            skipped_binary: s.skipped_with("binary"),
            skipped_images: s.skipped_with("image"),
            skipped_too_large: s.skipped_with("too large"),
            skipped_special: s.skipped_with("special file"),
            skipped_hidden: s.skipped_with("hidden"),
            skipped_by_reason: s
                .skip_counts()
                .into_iter()
                .map(|c| {
                    (
                        c.reason,
                        SkipCountRecord {
                            entries: c.entries,
                            directories: c.directories,
                            files: c.files,
                            files_at_least: c.more,
                            hint: crate::pipeline::SkipReason::hint(c.reason),
                        },
                    )
                })
                .collect(),
            skipped_inputs: s
                .skipped
                .iter()
                .map(|k| SkippedInput {
                    path: &k.path,
                    reason: k.reason.describe(),
                    files_beneath: k.beneath.map(|b| b.files),
                    files_at_least: k.beneath.is_some_and(|b| b.more),
                })
                .collect(),
            errors: s.failed,
            bytes: s.bytes,
            findings: s.findings,
            elapsed: (s.elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
            mb_per_s: (s.mb_per_s() * 10.0).round() / 10.0,
            per_rule: s
                .per_rule
                .iter()
                .map(|(k, (_, n))| (k.as_str(), *n))
                .collect(),
            per_category,
            failed_inputs,
            suppressed: Suppressed {
                inline: s.allowed_inline,
                allowlist: s.allowlisted,
                baseline: s.baselined,
                baseline_stale: s.baseline_stale,
            },
            sampled: s
                .sampled
                .iter()
                .map(|(path, t)| SampledRecord {
                    path,
                    table: &t.table,
                    rows_read: t.rows.read,
                    rows_total: t.rows.total,
                })
                .collect(),
        }
    }
}

/// One line of the inventory: a kind of personal data in a dataset (a file, or a table of
/// it) and field.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct InventoryEntry {
    /// The dataset: the input path.
    pub dataset: String,
    /// The table, for structured inputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// The field (column) for structured inputs; absent for text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Taxonomy category.
    pub category: String,
    /// Rule id, or `column_name` when the column's name decided.
    pub rule: String,
    /// Findings (text) or matching cells (tables).
    pub count: u64,
    /// Rows scanned (tables).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_scanned: Option<u64>,
    /// Share of non-empty sampled cells (tables).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    /// Distinct values among the sampled cells (tables).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distinct: Option<u64>,
    /// Highest confidence.
    pub confidence: Confidence,
    /// Why, in words.
    pub reason: String,
    /// Masked examples.
    #[serde(default)]
    pub examples: Vec<String>,
    /// Guessed data subject (`unknown` when nothing fits).
    pub data_subject: String,
    /// Why that subject.
    pub data_subject_reason: String,
}

/// Aggregates findings (text) and column verdicts (tables) into inventory entries.
#[derive(Debug, Default)]
pub struct InventoryBuilder {
    current: BTreeMap<String, InventoryEntry>,
    done: Vec<InventoryEntry>,
    /// The mailbox whose messages are being reported: one dataset for all its messages.
    mailbox: Option<Mailbox>,
}

/// The text findings of a mailbox's messages, gathered into one dataset.
#[derive(Debug, Default)]
struct Mailbox {
    /// The mailbox's path.
    path: String,
    /// Messages reported so far.
    messages: u64,
    /// Per rule (or file-name rule): the entry, and the messages it was found in.
    entries: BTreeMap<String, (InventoryEntry, u64)>,
}

/// The mailbox of a message's location (`inbox.mbox!message 37` → `inbox.mbox`).
fn mailbox_of(path: &str) -> Option<&str> {
    let (mailbox, message) = path.rsplit_once("!message ")?;
    message
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then_some(mailbox)
        .filter(|_| !message.is_empty())
}

impl InventoryBuilder {
    /// Adds findings of the input being reported (text findings; personal data in the file's
    /// name as the field `(file name)`, in a table's name as the table's field `(table name)`,
    /// in a column's name as that column; the cells of tables come as verdicts).
    pub fn add(&mut self, batch: &[Finding]) {
        for f in batch
            .iter()
            .filter(|f| !matches!(f.location, Location::Cell { .. }))
        {
            let (table, field) = match &f.location {
                Location::Path { .. } => (None, Some(FILE_NAME_FIELD.to_string())),
                Location::Name { table, column, .. } => (
                    Some(table.clone()),
                    Some(
                        column
                            .clone()
                            .unwrap_or_else(|| TABLE_NAME_FIELD.to_string()),
                    ),
                ),
                Location::Text { .. } | Location::Cell { .. } => (None, None),
            };
            let key = match (&table, &field) {
                (None, None) => f.rule.to_string(),
                (t, Some(c)) => format!("{}\u{0}{c}\u{0}{}", t.as_deref().unwrap_or(""), f.rule),
                (Some(t), None) => format!("{t}\u{0}{}", f.rule),
            };
            let e = self.current.entry(key).or_insert_with(|| {
                let (subject, why) =
                    crate::detect::column::guess_subject(&f.path, table.as_deref());
                InventoryEntry {
                    dataset: f.path.to_string(),
                    table,
                    field,
                    category: f.category.to_string(),
                    rule: f.rule.to_string(),
                    count: 0,
                    rows_scanned: None,
                    share: None,
                    distinct: None,
                    confidence: f.confidence,
                    reason: String::new(),
                    examples: Vec::new(),
                    data_subject: subject.to_string(),
                    data_subject_reason: why,
                }
            });
            e.count += 1;
            e.confidence = e.confidence.max(f.confidence);
            if e.examples.len() < 3 && !e.examples.contains(&f.masked) {
                e.examples.push(f.masked.clone());
            }
        }
    }

    /// Adds the column verdicts of a table input.
    pub fn add_columns(&mut self, path: &str, verdicts: &[crate::detect::column::ColumnVerdict]) {
        for v in verdicts {
            let (subject, why) = crate::detect::column::guess_subject(path, Some(&v.table));
            self.done.push(InventoryEntry {
                dataset: path.to_string(),
                table: Some(v.table.clone()),
                field: Some(v.column.clone()),
                category: v.category.clone(),
                rule: v.rule.clone(),
                count: v.count,
                rows_scanned: Some(v.rows_scanned),
                share: Some(v.share),
                distinct: Some(v.distinct),
                confidence: v.confidence,
                reason: match v.sampled {
                    Some(rows) => format!("{}; sampled: {}", v.reason, rows.describe()),
                    None => v.reason.clone(),
                },
                examples: v.examples.clone(),
                data_subject: subject.to_string(),
                data_subject_reason: why,
            });
        }
    }

    /// Closes the current input, the one at `path`. The messages of a mailbox
    /// (`inbox.mbox!message 37`) are one dataset, the mailbox, with its messages counted; the
    /// mailbox's entries are complete when the mailbox itself is done.
    pub fn input_done(&mut self, path: &str) {
        let current = std::mem::take(&mut self.current);
        if let Some(mailbox) = mailbox_of(path) {
            if self.mailbox.as_ref().is_some_and(|m| m.path != mailbox) {
                self.close_mailbox();
            }
            let m = self.mailbox.get_or_insert_with(|| Mailbox {
                path: mailbox.to_string(),
                ..Mailbox::default()
            });
            m.messages += 1;
            for (key, mut e) in current {
                e.dataset = mailbox.to_string();
                match m.entries.get_mut(&key) {
                    Some((have, messages)) => {
                        have.count += e.count;
                        have.confidence = have.confidence.max(e.confidence);
                        for x in e.examples {
                            if have.examples.len() < 3 && !have.examples.contains(&x) {
                                have.examples.push(x);
                            }
                        }
                        *messages += 1;
                    }
                    None => {
                        m.entries.insert(key, (e, 1));
                    }
                }
            }
            return;
        }
        let mailbox_done = self.mailbox.as_ref().is_some_and(|m| m.path == path);
        let inside = self
            .mailbox
            .as_ref()
            .is_some_and(|m| path.starts_with(&format!("{}!", m.path)));
        if !inside && !mailbox_done {
            self.close_mailbox();
        }
        for (_, mut e) in current {
            // The input is the dataset: a document's pages are one, whatever part of it
            // each finding names.
            e.dataset = path.to_string();
            e.reason = if e.field.as_deref() == Some(FILE_NAME_FIELD) {
                format!("the file's name holds {} ({})", e.rule, e.category)
            } else if e.field.as_deref() == Some(TABLE_NAME_FIELD) {
                format!("the table's name holds {} ({})", e.rule, e.category)
            } else if e.table.is_some() {
                format!("the column's name holds {} ({})", e.rule, e.category)
            } else {
                format!("{} finding(s) of {} in the text", e.count, e.rule)
            };
            self.done.push(e);
        }
        if mailbox_done {
            self.close_mailbox();
        }
    }

    /// Adds the gathered entries of the mailbox being reported.
    fn close_mailbox(&mut self) {
        let Some(m) = self.mailbox.take() else {
            return;
        };
        for (_, (mut e, messages)) in m.entries {
            e.reason = if e.field.as_deref() == Some(FILE_NAME_FIELD) {
                format!(
                    "the name of {messages} of {} message(s) holds {} ({})",
                    m.messages, e.rule, e.category
                )
            } else {
                format!(
                    "{} finding(s) of {} in {messages} of {} message(s)",
                    e.count, e.rule, m.messages
                )
            };
            self.done.push(e);
        }
    }

    /// The entries, in input order, then by table, column or rule.
    pub fn entries(&self) -> &[InventoryEntry] {
        &self.done
    }
}

/// A reporter receives findings in order, then the statistics.
pub trait Reporter: Sink {
    /// Writes the end of the report.
    ///
    /// # Errors
    /// Writing the output failed.
    fn finish(&mut self, stats: &ScanStats, failed_inputs: &[(String, String)]) -> io::Result<()>;
}

/// Creates the reporter for a format; SARIF describes the rules of `rules`.
pub fn reporter<'w>(
    format: Format,
    out: Box<dyn Write + 'w>,
    opts: ReportOptions,
    rules: &crate::ruleset::RuleSet,
) -> Box<dyn Reporter + 'w> {
    let inner: Box<dyn Reporter + 'w> = match format {
        Format::Table => Box::new(table::TableReporter::new(out, opts)),
        Format::Json => Box::new(json::JsonReporter::new(out, opts)),
        Format::Ndjson => Box::new(ndjson::NdjsonReporter::new(out, opts)),
        Format::Csv => Box::new(csv::CsvReporter::new(out, opts)),
        Format::Sarif => Box::new(sarif::SarifReporter::new(out, opts, rules)),
        Format::Github => Box::new(github::GithubReporter::new(out, opts)),
        Format::Junit => Box::new(junit::JunitReporter::new(out, opts)),
    };
    // Every format gets table and column names as `crate::names::shown` decides.
    Box::new(ShownNames::new(inner, opts.show_values))
}

/// Collects the inventory only (for `piiscan inventory` and the register), and the inputs
/// that could not be scanned.
#[derive(Debug, Default)]
pub struct InventorySink {
    /// The inventory.
    pub builder: InventoryBuilder,
    /// Inputs that failed, with the reason.
    pub failed: Vec<(String, String)>,
}

impl Sink for InventorySink {
    /// Prints and keeps no fingerprint: none is computed.
    fn needs_fingerprints(&self) -> bool {
        false
    }
    fn findings(&mut self, batch: &[Finding]) -> io::Result<()> {
        self.builder.add(batch);
        Ok(())
    }
    fn input_done(&mut self, r: &InputReport) -> io::Result<()> {
        if let crate::pipeline::InputStatus::Failed(why)
        | crate::pipeline::InputStatus::Partial(why) = &r.status
        {
            self.failed.push((r.path.to_string(), why.clone()));
        }
        self.builder.input_done(&r.path);
        Ok(())
    }
    fn columns(
        &mut self,
        input: crate::pipeline::InputName<'_>,
        verdicts: &[crate::detect::column::ColumnVerdict],
    ) -> io::Result<()> {
        self.builder.add_columns(input.path, verdicts);
        Ok(())
    }
}

/// The field an inventory gives personal data found in a file's name.
pub const FILE_NAME_FIELD: &str = "(file name)";

/// The field an inventory gives personal data found in a table's (or sheet's) name.
pub const TABLE_NAME_FIELD: &str = "(table name)";

/// Counts what a sink would print (for benchmarks and tests).
#[derive(Debug, Default)]
pub struct CountingSink {
    /// Findings seen.
    pub findings: u64,
    /// Inputs seen.
    pub inputs: u64,
    /// Inputs with errors.
    pub errors: u64,
}

impl Sink for CountingSink {
    /// Prints and keeps no fingerprint: none is computed.
    fn needs_fingerprints(&self) -> bool {
        false
    }
    fn findings(&mut self, batch: &[Finding]) -> io::Result<()> {
        self.findings += batch.len() as u64;
        Ok(())
    }
    fn input_done(&mut self, report: &InputReport) -> io::Result<()> {
        self.inputs += 1;
        if report.status.is_error() {
            self.errors += 1;
        }
        Ok(())
    }
}
