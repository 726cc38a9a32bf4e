//! Baselines: the findings a project has accepted, so that only new ones are reported.
//!
//! An entry is a finding's keyed fingerprint (HMAC-SHA256 over rule, project path and the
//! normalised value; see [`crate::finding::fingerprint`]) with the number of times it occurs. Line
//! numbers are not part of it, so moving lines up or down changes nothing, while a different
//! value on a baselined line has another fingerprint and is reported (gitleaks' positional
//! fingerprints miss exactly that). A second occurrence of a baselined value in the same file
//! is new too: the count says how many were accepted.
//!
//! The file holds no value and no unkeyed hash of one: without the key, trying every BSN or
//! IPv4 address does not find a fingerprint back. It records the key's public id, so a run
//! with another key says so instead of reporting every finding as new. Names-only column
//! verdicts (a column called `achternaam`) are recorded by path, table, column and category.

use crate::detect::column::ColumnVerdict;
use crate::finding::{Finding, Location};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// The format version written and understood.
pub const VERSION: u32 = 1;

/// An accepted finding.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BaselineFinding {
    /// Keyed fingerprint.
    pub fingerprint: String,
    /// Rule id.
    pub rule: String,
    /// Project path.
    pub path: String,
    /// Where it was first seen, for people reading the file (not used to match).
    pub location: String,
    /// How many occurrences are accepted.
    pub count: u64,
}

/// An accepted column verdict that rests on the column's name alone.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BaselineColumn {
    /// Project path.
    pub path: String,
    /// Table.
    pub table: String,
    /// Column.
    pub column: String,
    /// Category.
    pub category: String,
}

/// The file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BaselineFile {
    /// Format version.
    pub piiscan_baseline: u32,
    /// Public id of the fingerprint key that wrote it.
    pub key_id: String,
    /// Accepted findings, by path, rule and fingerprint.
    pub findings: Vec<BaselineFinding>,
    /// Accepted name-only column verdicts.
    #[serde(default)]
    pub columns: Vec<BaselineColumn>,
}

/// Does a column verdict rest on the column's name alone (no cell finding stands for it)?
pub fn name_only(v: &ColumnVerdict) -> bool {
    v.rule == "column_name"
}

/// Where a finding is, in words, for the baseline (a file kept in the project): names
/// holding personal data are masked ([`crate::names::mask`]).
fn describe(location: &Location) -> String {
    let m = |n: &str| crate::names::mask(n).into_owned();
    match location {
        Location::Text { line, .. } => format!("line {line}"),
        Location::Path { .. } => "the file name".to_string(),
        Location::Name {
            table,
            column: None,
            ..
        } => format!("the name of table {}", m(table)),
        Location::Name {
            table,
            column: Some(c),
            ..
        } => format!("the name of column {}.{}", m(table), m(c)),
        Location::Cell {
            table, column, row, ..
        } => format!("{}.{} row {row}", m(table), m(column)),
    }
}

/// A loaded baseline, consumed as findings are matched.
#[derive(Debug, Default)]
pub struct Baseline {
    remaining: HashMap<String, (u64, String)>,
    columns: HashSet<BaselineColumn>,
}

impl Baseline {
    /// Reads a baseline, checking that it was written with the key in use.
    ///
    /// # Errors
    /// The file cannot be read or parsed, has an unknown version, or was written with another
    /// fingerprint key.
    pub fn load(path: &Path, key_id: &str, key_source: &str) -> crate::Result<Baseline> {
        let text = std::fs::read_to_string(path).map_err(|e| crate::Error::io(path, e))?;
        let file: BaselineFile = serde_json::from_str(&text).map_err(|e| {
            crate::Error::Usage(format!(
                "{} (not a piiscan baseline)",
                crate::source::parse_error::json(&path.display().to_string(), &e)
            ))
        })?;
        if file.piiscan_baseline != VERSION {
            return Err(crate::Error::Usage(format!(
                "{}: baseline format {} is not known to this piiscan (it reads {VERSION})",
                path.display(),
                file.piiscan_baseline
            )));
        }
        if file.key_id != key_id {
            // The file's key id is content of the file and is never echoed: only this
            // run's own key id is shown.
            return Err(crate::Error::Usage(format!(
                "{}: written with another fingerprint key (its key id is not this run's); this run's key ({key_source}) \
                 has id {key_id}. Set {} to the key that wrote the baseline (e.g. from a CI secret), \
                 or write a new one with --write-baseline",
                path.display(),
                crate::finding::fingerprint::KEY_ENV
            )));
        }
        let mut remaining = HashMap::new();
        for f in file.findings {
            let e = remaining.entry(f.fingerprint).or_insert((0, f.path));
            e.0 += f.count;
        }
        Ok(Baseline {
            remaining,
            columns: file.columns.into_iter().collect(),
        })
    }

    /// Is this finding accepted? Each accepted occurrence is used once.
    pub fn take(&mut self, f: &Finding) -> bool {
        match self.remaining.get_mut(&f.fingerprint) {
            Some((n, _)) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }

    /// Is this name-only column verdict accepted?
    pub fn has_column(&self, project_path: &str, v: &ColumnVerdict) -> bool {
        self.columns.contains(&BaselineColumn {
            path: project_path.to_string(),
            table: v.table.clone(),
            column: v.column.clone(),
            category: v.category.clone(),
        })
    }

    /// Accepted occurrences not seen again in the files that were scanned: fixed findings,
    /// whose entries a new `--write-baseline` would drop.
    pub fn stale(&self, scanned: &HashSet<String>) -> u64 {
        self.remaining
            .values()
            .filter(|(_, path)| scanned.contains(path))
            .map(|(n, _)| n)
            .sum()
    }
}

/// Collects the findings of a run into a new baseline.
#[derive(Debug, Default)]
pub struct BaselineWriter {
    findings: BTreeMap<(String, String, String), BaselineFinding>,
    columns: Vec<BaselineColumn>,
}

impl BaselineWriter {
    /// Records a finding.
    pub fn add(&mut self, f: &Finding) {
        let key = (
            f.project_path.to_string(),
            f.rule.to_string(),
            f.fingerprint.clone(),
        );
        self.findings
            .entry(key)
            .and_modify(|e| e.count += 1)
            .or_insert_with(|| BaselineFinding {
                fingerprint: f.fingerprint.clone(),
                rule: f.rule.to_string(),
                path: f.project_path.to_string(),
                location: describe(&f.location),
                count: 1,
            });
    }

    /// Records a name-only column verdict.
    pub fn add_column(&mut self, project_path: &str, v: &ColumnVerdict) {
        self.columns.push(BaselineColumn {
            path: project_path.to_string(),
            table: v.table.clone(),
            column: v.column.clone(),
            category: v.category.clone(),
        });
    }

    /// Findings recorded (occurrences).
    pub fn len(&self) -> u64 {
        self.findings.values().map(|f| f.count).sum::<u64>() + self.columns.len() as u64
    }

    /// Is nothing recorded?
    pub fn is_empty(&self) -> bool {
        self.findings.is_empty() && self.columns.is_empty()
    }

    /// Writes the baseline atomically ([`crate::atomic::write_file`]).
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn write(mut self, path: &Path, key_id: &str) -> crate::Result<()> {
        self.columns.sort();
        self.columns.dedup();
        let file = BaselineFile {
            piiscan_baseline: VERSION,
            key_id: key_id.to_string(),
            findings: self.findings.into_values().collect(),
            columns: self.columns,
        };
        let mut text = serde_json::to_vec_pretty(&file)
            .map_err(|e| crate::Error::io(path, std::io::Error::other(e)))?;
        text.push(b'\n');
        crate::atomic::write_file(path, &text).map_err(|e| crate::Error::io(path, e))?;
        Ok(())
    }
}
