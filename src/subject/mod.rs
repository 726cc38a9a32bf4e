//! Finding one person everywhere, for an access, portability or erasure request (art. 15, 17,
//! 20 GDPR). The subject file names what identifies the person; those values are read from the
//! file only, normalised per kind (phone numbers to E.164, IBANs and national numbers without
//! separators, e-mail addresses case-folded) and kept only as keyed fingerprints under a key
//! made for the run, so no report, log or error can hold them. A scan then compares every value
//! it finds with them: a match is a place holding the person; in a table, the row's other
//! personal data are the person's data too.

pub mod follow;

use crate::detect::column::ColumnVerdict;
use crate::finding::fingerprint::Fingerprinter;
use crate::finding::{Finding, Location};
use crate::pipeline::{InputName, InputReport, InputStatus, Sink};
use crate::ruleset::RuleSet;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Write};
use std::path::Path;

/// Why a subject file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SubjectError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The error.
        source: io::Error,
    },
    /// The file is not valid TOML of the expected shape (the message names no value).
    #[error("{path}: {problem}")]
    Shape {
        /// The file.
        path: String,
        /// What is wrong.
        problem: String,
    },
}

/// What identifies the person, as keyed fingerprints per rule.
#[derive(Debug)]
pub struct Subject {
    fingerprints: Fingerprinter,
    /// Per rule id: the fingerprints of the person's values.
    wanted: HashMap<String, HashSet<String>>,
    /// How many values of each rule the file gave (for the report; no values).
    pub given: BTreeMap<String, usize>,
}

impl Subject {
    /// Reads a subject file: keys are rule ids, values lists of strings
    /// (`email = ["jan@example.nl"]`, `"nl.bsn" = ["111222333"]`).
    ///
    /// # Errors
    /// The file cannot be read, is not TOML, a key is no rule of `rules`, or a value is not a
    /// string. No message holds a value of the file.
    pub fn load(path: &Path, rules: &RuleSet) -> Result<Subject, SubjectError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| SubjectError::Read {
            path: name.clone(),
            source,
        })?;
        let shape = |problem: String| SubjectError::Shape {
            path: name.clone(),
            problem,
        };
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
            shape(match line {
                Some(l) => format!("not valid TOML near line {l}"),
                None => "not valid TOML".to_string(),
            })
        })?;
        let mut key = [0u8; 32];
        getrandom::getrandom(&mut key)
            .map_err(|e| shape(format!("no random key for the run: {e}")))?;
        let mut subject = Subject {
            fingerprints: Fingerprinter::with_key(&key, "subject run"),
            wanted: HashMap::new(),
            given: BTreeMap::new(),
        };
        for (rule_id, values) in &table {
            let Some(rule) = rules.rules.iter().find(|r| &*r.id == rule_id.as_str()) else {
                let known: Vec<&str> = rules.rules.iter().map(|r| &*r.id).collect();
                return Err(shape(format!(
                    "{rule_id:?} is no rule id; use one of {}",
                    known.join(", ")
                )));
            };
            let Some(list) = values.as_array() else {
                return Err(shape(format!("{rule_id}: give a list of strings")));
            };
            let mut set = HashSet::new();
            for v in list {
                let Some(v) = v.as_str() else {
                    return Err(shape(format!("{rule_id}: every value is a string")));
                };
                let v = canonical(&rule.id, v);
                set.insert(
                    subject
                        .fingerprints
                        .fingerprint(&rule.id, &rule.category, "", &v),
                );
            }
            subject.given.insert(rule_id.clone(), set.len());
            subject.wanted.insert(rule_id.clone(), set);
        }
        if subject.wanted.is_empty() {
            return Err(shape("names no identifying value".to_string()));
        }
        Ok(subject)
    }

    /// The run's key, for comparing other values (keys followed) the same way.
    pub fn fingerprints(&self) -> &Fingerprinter {
        &self.fingerprints
    }

    /// Is this finding one of the person's values?
    pub fn matches(&self, f: &Finding) -> bool {
        self.wanted.get(&*f.rule).is_some_and(|set| {
            let v = canonical(&f.rule, &f.value);
            set.contains(&self.fingerprints.fingerprint(&f.rule, &f.category, "", &v))
        })
    }
}

/// The one spelling of a value that fingerprints compare: phone numbers in E.164 (national
/// numbers read as Dutch), the rest as the fingerprint's own normalisation leaves them.
fn canonical(rule: &str, value: &str) -> String {
    if rule == "phone" {
        if let Ok(n) = phonenumber::parse(Some(phonenumber::country::Id::NL), value) {
            return n.format().mode(phonenumber::Mode::E164).to_string();
        }
    }
    value.to_string()
}

/// One place holding the person, as `subject find` reports it.
#[derive(Debug, Clone, Serialize)]
pub struct Place {
    /// The input.
    pub path: String,
    /// Table, column and row of a cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// The column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The row (1-based).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    /// The line of text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The rule.
    pub rule: String,
    /// The category.
    pub category: String,
    /// The value, masked.
    pub evidence: String,
    /// True for the identifying value itself; false for the row's other personal data.
    pub matched: bool,
    /// For a row found through a key of a matched row: the key column followed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

impl Place {
    fn of(f: &Finding, matched: bool) -> Place {
        let (table, column, row, line) = match &f.location {
            Location::Cell {
                table, column, row, ..
            } => (Some(table.clone()), Some(column.clone()), Some(*row), None),
            Location::Text { line, .. } => (None, None, None, Some(*line)),
            Location::Name { table, column, .. } => {
                (Some(table.clone()), column.clone(), None, None)
            }
            Location::Path { .. } => (None, None, None, None),
        };
        Place {
            path: f.path.to_string(),
            table,
            column,
            row,
            line,
            rule: f.rule.to_string(),
            category: f.category.to_string(),
            evidence: f.masked.clone(),
            matched,
            via: None,
        }
    }
}

/// How the places are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// One line per place, grouped by input, for people.
    Text,
    /// One JSON object per place.
    Ndjson,
}

/// Totals of a search.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Summary {
    /// Places holding an identifying value.
    pub matched: u64,
    /// Other personal data in matched rows.
    pub row_data: u64,
    /// Inputs holding the person.
    pub inputs: u64,
    /// Inputs not read completely: (path, why). The person may be there too.
    pub not_read: Vec<(String, String)>,
}

/// Compares what a scan finds with the subject and writes the places found, input by input.
pub struct SubjectSink<'a, W: Write> {
    subject: &'a Subject,
    out: W,
    format: Output,
    /// Findings of the current input in table cells, kept until the input ends (to follow
    /// matched rows); text findings are written as they come.
    cells: Vec<Finding>,
    matched_rows: HashSet<(String, u64)>,
    wrote_header: bool,
    input_hits: u64,
    /// The totals so far.
    pub summary: Summary,
    /// Every matched row of every input: where keys are followed from.
    pub matched: Vec<follow::RowAt>,
    /// Inputs read as tables, as shown (they are read again to follow keys).
    pub table_inputs: Vec<String>,
    /// The personal-data columns of each table read.
    pub data_columns: follow::DataColumns,
    /// The subject file itself (canonical), which is never reported as a place.
    subject_file: Option<std::path::PathBuf>,
    /// The input being received, and whether it is the subject file.
    current: Option<(std::sync::Arc<str>, bool)>,
}

impl<'a, W: Write> SubjectSink<'a, W> {
    /// A sink writing to `out`.
    pub fn new(subject: &'a Subject, out: W, format: Output) -> Self {
        SubjectSink {
            subject,
            out,
            format,
            cells: Vec::new(),
            matched_rows: HashSet::new(),
            wrote_header: false,
            input_hits: 0,
            summary: Summary::default(),
            matched: Vec::new(),
            table_inputs: Vec::new(),
            data_columns: follow::DataColumns::new(),
            subject_file: None,
            current: None,
        }
    }

    /// Never reports the subject file itself (it holds the person's values by design).
    pub fn skipping(mut self, subject_file: &Path) -> Self {
        self.subject_file = subject_file.canonicalize().ok();
        self
    }

    /// Is `path` the subject file?
    fn is_subject_file(&mut self, path: &std::sync::Arc<str>) -> bool {
        if let Some((p, skip)) = &self.current {
            if p == path {
                return *skip;
            }
        }
        let skip = self
            .subject_file
            .as_ref()
            .is_some_and(|s| Path::new(&**path).canonicalize().ok().as_ref() == Some(s));
        self.current = Some((path.clone(), skip));
        skip
    }

    /// Writes places found after the scan (rows followed through keys).
    ///
    /// # Errors
    /// Writing failed.
    pub fn write_followed(&mut self, places: &[Place]) -> io::Result<()> {
        let mut last: Option<&str> = None;
        for p in places {
            if last != Some(p.path.as_str()) {
                if last.is_some() && self.format == Output::Text {
                    writeln!(self.out)?;
                }
                self.wrote_header = false;
                self.summary.inputs += 1;
                last = Some(p.path.as_str());
            }
            self.write(p)?;
        }
        if last.is_some() && self.format == Output::Text {
            writeln!(self.out)?;
        }
        self.out.flush()
    }

    fn write(&mut self, place: &Place) -> io::Result<()> {
        if place.matched {
            self.summary.matched += 1;
        } else {
            self.summary.row_data += 1;
        }
        self.input_hits += 1;
        match self.format {
            Output::Ndjson => {
                serde_json::to_writer(&mut self.out, place)?;
                writeln!(self.out)
            }
            Output::Text => {
                let clean = crate::report::sanitize::sanitize;
                if !self.wrote_header {
                    writeln!(self.out, "{}", clean(&crate::names::mask(&place.path)))?;
                    self.wrote_header = true;
                }
                let at = match (&place.table, &place.column, place.row, place.line) {
                    (Some(t), Some(c), Some(r), _) => {
                        format!("{}.{}[{r}]", crate::names::mask(t), crate::names::mask(c))
                    }
                    (_, _, _, Some(l)) => format!("line {l}"),
                    (Some(t), Some(c), None, None) => {
                        format!(
                            "name of column {}.{}",
                            crate::names::mask(t),
                            crate::names::mask(c)
                        )
                    }
                    (Some(t), None, None, None) => {
                        format!("name of table {}", crate::names::mask(t))
                    }
                    _ => "file name".to_string(),
                };
                writeln!(
                    self.out,
                    "  {:<28} {:<16} {:<28} {}",
                    clean(&at),
                    place.rule,
                    clean(&place.evidence),
                    match (&place.via, place.matched) {
                        (Some(via), _) =>
                            format!("in a row with the same {}", crate::names::mask(via)),
                        (None, true) => "the person's identifier".to_string(),
                        (None, false) => "in the same row".to_string(),
                    }
                )
            }
        }
    }
}

impl<W: Write> Sink for SubjectSink<'_, W> {
    /// The subject is compared under its own run-only key.
    fn needs_fingerprints(&self) -> bool {
        false
    }

    fn findings(&mut self, batch: &[Finding]) -> io::Result<()> {
        for f in batch {
            if self.is_subject_file(&f.path) {
                continue;
            }
            let matched = self.subject.matches(f);
            match &f.location {
                Location::Cell { table, row, .. } => {
                    if matched {
                        self.matched_rows.insert((table.clone(), *row));
                    }
                    self.cells.push(f.clone());
                }
                _ if matched => self.write(&Place::of(f, true))?,
                _ => {}
            }
        }
        Ok(())
    }

    fn columns(&mut self, input: InputName<'_>, verdicts: &[ColumnVerdict]) -> io::Result<()> {
        self.table_inputs.push(input.path.to_string());
        for v in verdicts {
            self.data_columns
                .entry((input.path.to_string(), v.table.clone()))
                .or_default()
                .push((v.column.clone(), v.rule.clone(), v.category.clone()));
        }
        Ok(())
    }

    fn input_done(&mut self, report: &InputReport) -> io::Result<()> {
        let cells = std::mem::take(&mut self.cells);
        for f in &cells {
            let Location::Cell { table, row, .. } = &f.location else {
                continue;
            };
            if self.matched_rows.contains(&(table.clone(), *row)) {
                let at = (f.path.to_string(), table.clone(), *row);
                if self.matched.last() != Some(&at) {
                    self.matched.push(at);
                }
                let matched = self.subject.matches(f);
                self.write(&Place::of(f, matched))?;
            }
        }
        self.matched_rows.clear();
        if self.input_hits > 0 {
            self.summary.inputs += 1;
            if self.format == Output::Text {
                writeln!(self.out)?;
            }
        }
        self.input_hits = 0;
        self.wrote_header = false;
        if let InputStatus::Failed(why) | InputStatus::Partial(why) = &report.status {
            self.summary
                .not_read
                .push((report.path.to_string(), why.clone()));
        } else if let Some(reason) = report.status.skip_reason() {
            self.summary.not_read.push((
                report.path.to_string(),
                format!("not read: {}", reason.label()),
            ));
        }
        Ok(())
    }
}
