//! The output data model: a [`Finding`] is one occurrence of personal data, with its location,
//! confidence and (held privately) the matched value. Reports mask the value unless asked.

pub mod fingerprint;
pub mod mask;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// How sure the engine is that a match is personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// The format alone matched.
    Low,
    /// A checksum passed or the format is unmistakable.
    Medium,
    /// A context word (or a column hint) confirms it.
    High,
}

impl Confidence {
    /// Parses `low`, `medium` or `high` (case-insensitive).
    pub fn parse(s: &str) -> Option<Confidence> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Some(Confidence::Low),
            "medium" => Some(Confidence::Medium),
            "high" => Some(Confidence::High),
            _ => None,
        }
    }

    /// The lowercase name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }

    /// One level lower, never below `low`.
    pub fn lowered(self) -> Confidence {
        match self {
            Confidence::High => Confidence::Medium,
            _ => Confidence::Low,
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a finding is. Text-like inputs have a line and byte offsets in the decoded text;
/// structured inputs (tables) have a table, a column and a 1-based data row; personal data in
/// a name is located on that name (the path, a table's or a column's name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A position in decoded text.
    Text {
        /// 1-based line number.
        line: u64,
        /// 1-based column, in characters of the decoded line.
        column: u64,
        /// Byte offset of the first byte of the match in the decoded text.
        byte_start: u64,
        /// Byte offset one past the last byte of the match.
        byte_end: u64,
    },
    /// The input's path itself: its file name holds personal data (`111222333.pdf`).
    Path {
        /// Byte offset of the first byte of the match in the finding's `path`.
        byte_start: u64,
        /// Byte offset one past the last byte of the match in `path`.
        byte_end: u64,
    },
    /// A name inside the input holds personal data: a table's (a SQLite or dump table
    /// `klant_jan@example.nl`, a workbook sheet `Jan Jansen`) or a column's (a CSV header, a
    /// JSON key that is a phone number). Outputs show the names as [`crate::names::shown`]
    /// decides.
    Name {
        /// The table: the one whose name holds it, or the column's.
        table: String,
        /// The column whose name holds it; `None` when the table's name does.
        column: Option<String>,
        /// Byte offset of the first byte of the match in that name (as read from the input).
        byte_start: u64,
        /// Byte offset one past the last byte of the match.
        byte_end: u64,
    },
    /// A cell of a table.
    Cell {
        /// Table name (the file stem for flat files).
        table: String,
        /// Column or key name.
        column: String,
        /// 1-based data row.
        row: u64,
        /// The 1-based line of the input where the row starts, for text formats (CSV,
        /// NDJSON, SQL dumps); `None` for SQLite, Parquet, workbooks and JSON arrays.
        line: Option<u64>,
    },
}

impl Location {
    /// `path`, `table_name` or `column_name` for a finding in a name (the `location` field of
    /// the machine formats); `None` for text and cells.
    pub fn name_kind(&self) -> Option<&'static str> {
        match self {
            Location::Path { .. } => Some("path"),
            Location::Name { column: None, .. } => Some("table_name"),
            Location::Name {
                column: Some(_), ..
            } => Some("column_name"),
            Location::Text { .. } | Location::Cell { .. } => None,
        }
    }

    /// In words, for prose outputs: `the file name`, `the name of table T`, `the name of
    /// column T.C`; `None` for text and cells. The names as the location holds them: reporters
    /// receive them already shown as [`crate::names::shown`] decides
    /// ([`crate::report::ShownNames`]).
    pub fn name_words(&self) -> Option<String> {
        match self {
            Location::Path { .. } => Some("the file name".to_string()),
            Location::Name {
                table,
                column: None,
                ..
            } => Some(format!("the name of table {table}")),
            Location::Name {
                table,
                column: Some(c),
                ..
            } => Some(format!("the name of column {table}.{c}")),
            Location::Text { .. } | Location::Cell { .. } => None,
        }
    }
}

/// Why a finding got its confidence: shown with `--explain`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// Name of the pattern that matched.
    pub pattern: String,
    /// The validator and its verdict, e.g. `nl_bsn: passed (11-proef)`; `none` without one.
    pub validator: String,
    /// The context word that raised the confidence, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// The context word that lowered the confidence, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_context: Option<String>,
    /// The confidence before context was applied.
    pub base_confidence: Confidence,
}

/// One occurrence of personal data.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The input, as reached from the path given (`-` for standard input).
    pub path: Arc<str>,
    /// The input relative to the project root (see [`crate::source::project`]): what
    /// fingerprints, baselines and allowlists name.
    pub project_path: Arc<str>,
    /// The rule id, e.g. `nl.bsn`.
    pub rule: Arc<str>,
    /// The taxonomy category, e.g. `user.contact.email`.
    pub category: Arc<str>,
    /// How sure the engine is.
    pub confidence: Confidence,
    /// Where it is.
    pub location: Location,
    /// The matched value. Never printed unless the user asks for values.
    pub value: String,
    /// The value masked for reports (see [`crate::finding::mask`]).
    pub masked: String,
    /// Stable keyed id for baselines (see [`crate::finding::fingerprint`]).
    pub fingerprint: String,
    /// Why, when `--explain` was asked for.
    pub explanation: Option<Box<Explanation>>,
}
