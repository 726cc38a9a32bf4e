//! From a policy and what the scanner found to a plan per table: which column gets which
//! transform, which are dropped, which entity column a date shift follows, and the fail-closed
//! check. Also the per-column counts the report prints.

use super::policy::{Detected, Entry, OnInvalid, Policy};
use super::transform::Protection;
use crate::detect::column::ColumnVerdict;
use crate::finding::{Finding, Location};
use crate::pipeline::{InputName, InputReport, Sink};
use std::collections::{BTreeMap, HashMap};

/// What the pre-scan found in one input: per `table.column` (lower-cased), and per rule in text.
#[derive(Debug, Default, Clone)]
pub struct Detection {
    /// Per (table, column), lower-cased.
    pub columns: HashMap<(String, String), Detected>,
    /// Column verdicts, in order (for the fail-closed message).
    pub verdicts: Vec<ColumnVerdict>,
    /// Text findings: rule → (category, count).
    pub text: BTreeMap<String, (String, u64)>,
}

impl Detection {
    /// What is known of a column.
    pub fn column(&self, table: &str, column: &str) -> Detected {
        self.columns
            .get(&(table.to_lowercase(), column.to_lowercase()))
            .cloned()
            .unwrap_or_default()
    }
}

/// A sink that collects a [`Detection`].
#[derive(Debug, Default)]
pub struct DetectionSink {
    /// What was found.
    pub found: Detection,
    /// Inputs that could not be read, with the reason.
    pub failed: Vec<(String, String)>,
}

impl Sink for DetectionSink {
    /// Prints and keeps no fingerprint: none is computed.
    fn needs_fingerprints(&self) -> bool {
        false
    }
    fn findings(&mut self, batch: &[Finding]) -> std::io::Result<()> {
        for f in batch {
            match &f.location {
                Location::Cell { table, column, .. } => {
                    let d = self
                        .found
                        .columns
                        .entry((table.to_lowercase(), column.to_lowercase()))
                        .or_default();
                    if !d.rules.iter().any(|r| **r == *f.rule) {
                        d.rules.push(f.rule.to_string());
                    }
                    if !d.categories.iter().any(|c| **c == *f.category) {
                        d.categories.push(f.category.to_string());
                    }
                    if !d.in_values.iter().any(|c| **c == *f.category) {
                        d.in_values.push(f.category.to_string());
                    }
                    if !d.value_rules.iter().any(|(r, _)| **r == *f.rule) {
                        d.value_rules
                            .push((f.rule.to_string(), f.category.to_string()));
                    }
                }
                Location::Text { .. } => {
                    let e = self
                        .found
                        .text
                        .entry(f.rule.to_string())
                        .or_insert_with(|| (f.category.to_string(), 0));
                    e.1 += 1;
                }
                // A name (the input's, a table's, a column's): the anonymiser rewrites content;
                // output file names are chosen by [`crate::anonymise::output_name`].
                Location::Path { .. } | Location::Name { .. } => {}
            }
        }
        Ok(())
    }
    fn input_done(&mut self, r: &InputReport) -> std::io::Result<()> {
        match &r.status {
            crate::pipeline::InputStatus::Failed(why)
            | crate::pipeline::InputStatus::Partial(why) => {
                self.failed.push((r.path.to_string(), why.clone()));
            }
            _ => {}
        }
        Ok(())
    }
    fn columns(
        &mut self,
        _input: InputName<'_>,
        verdicts: &[ColumnVerdict],
    ) -> std::io::Result<()> {
        for v in verdicts {
            let d = self
                .found
                .columns
                .entry((v.table.to_lowercase(), v.column.to_lowercase()))
                .or_default();
            if !d.categories.contains(&v.category) {
                d.categories.push(v.category.clone());
            }
            if !d.rules.contains(&v.rule) {
                d.rules.push(v.rule.clone());
            }
            self.found.verdicts.push(v.clone());
        }
        Ok(())
    }
}

/// Columns with personal data that no policy entry names (fail-closed), as `table.column
/// (category: reason)` lines; text rules with findings and no `[[text]]` entry likewise.
pub fn unlisted(policy: &Policy, found: &Detection, text_input: bool) -> Vec<String> {
    if policy.keep_unlisted {
        return Vec::new();
    }
    let mut out = Vec::new();
    for v in &found.verdicts {
        let d = found.column(&v.table, &v.column);
        match policy.for_column(&v.table, &v.column, &d) {
            None => {
                let line = format!("{}.{} ({}: {})", v.table, v.column, v.category, v.reason);
                if !out.contains(&line) {
                    out.push(line);
                }
            }
            // Free text: every rule found inside needs a [[text]] entry for its spans.
            Some(e) if matches!(e.op, super::transform::Op::Spans(_)) => {
                for (rule, category) in &d.value_rules {
                    if policy.for_rule(rule, category).is_none() {
                        let line = format!(
                            "spans of rule {rule} ({category}) in {}.{}: no [[text]] entry names the rule",
                            v.table, v.column
                        );
                        if !out.contains(&line) {
                            out.push(line);
                        }
                    }
                }
            }
            Some(_) => {}
        }
    }
    if text_input {
        for (rule, (category, n)) in &found.text {
            if policy.for_rule(rule, category).is_none() {
                out.push(format!(
                    "{n} span(s) of rule {rule} ({category}) in the text"
                ));
            }
        }
    }
    out
}

/// Counts for one transformed column.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ColumnReport {
    /// Table.
    pub table: String,
    /// Column.
    pub column: String,
    /// Method.
    pub method: String,
    /// What it does to the data.
    pub protection: Protection,
    /// The entry that chose it (`name = "email"`).
    pub entry: String,
    /// Which key, by id (never the key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Values transformed.
    pub transformed: u64,
    /// NULL or empty values left as they were.
    pub empty: u64,
    /// Values the method could not read (redacted or kept, per `on_invalid`).
    pub invalid: u64,
    /// Values that came out equal to what went in (e.g. `10.0.0.0` truncated).
    pub unchanged: u64,
    /// Values that came out as they went in although the method promises to change every
    /// value (a `mask` whose kept characters cover the value): the input's own value.
    #[serde(skip_serializing_if = "is_zero")]
    pub kept_whole: u64,
    /// What of the value's category the method keeps (for the re-scan).
    #[serde(skip)]
    pub kept_form: super::transform::KeptForm,
    /// The mask character of a `mask` column: a value found again that holds none of it
    /// is a part of the input kept as it was.
    #[serde(skip)]
    pub mask_char: Option<char>,
}

/// For serde: leave a zero count out.
#[allow(clippy::trivially_copy_pass_by_ref)]
pub(crate) fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A cell that stops the run (`on_invalid = "fail"`).
#[derive(Debug, Clone)]
pub struct CellError {
    /// Column.
    pub column: String,
    /// Why.
    pub why: &'static str,
}

/// The plan of one table.
#[derive(Debug, Clone)]
pub struct TablePlan {
    /// Table name.
    pub table: String,
    /// Column names.
    pub names: Vec<String>,
    /// Per column: the entry index in `policy.columns` (None: unchanged).
    pub actions: Vec<Option<usize>>,
    /// Per column: the entity column a date shift follows.
    pub entity: Vec<Option<usize>>,
    /// Per column with an action: counts.
    pub reports: Vec<Option<ColumnReport>>,
}

impl TablePlan {
    /// Plans a table's columns.
    ///
    /// # Errors
    /// A date shift's entity column is not in the table.
    pub fn new(
        policy: &Policy,
        table: &str,
        names: &[String],
        found: &Detection,
    ) -> crate::Result<TablePlan> {
        let mut actions = Vec::with_capacity(names.len());
        let mut entity = Vec::with_capacity(names.len());
        let mut reports = Vec::with_capacity(names.len());
        for name in names {
            let d = found.column(table, name);
            let hit = policy
                .column_index(table, name, &d)
                .filter(|&i| !matches!(policy.columns[i].op, super::transform::Op::Keep));
            if let Some(e) = hit.map(|i| &policy.columns[i]) {
                if let super::transform::Op::Mask {
                    keep_first,
                    keep_last,
                    ..
                } = e.op
                {
                    if let Some(why) = d
                        .rules
                        .iter()
                        .find_map(|r| super::policy::mask_keeps_whole(keep_first, keep_last, r))
                    {
                        return Err(crate::Error::Usage(format!(
                            "table {table}: column {name} (policy entry {}): {why}",
                            e.describe
                        )));
                    }
                }
            }
            let ent = match hit.and_then(|i| policy.columns[i].entity.as_ref()) {
                Some(col) => Some(
                    names
                        .iter()
                        .position(|n| n.eq_ignore_ascii_case(col))
                        .ok_or_else(|| {
                            crate::Error::Usage(format!(
                                "table {table}: column {name} follows entity column {col:?}, which the table does not have"
                            ))
                        })?,
                ),
                None => None,
            };
            reports.push(hit.map(|i| {
                let e: &Entry = &policy.columns[i];
                ColumnReport {
                    table: table.to_string(),
                    column: name.clone(),
                    method: e.op.name().to_string(),
                    protection: e.op.protection(),
                    entry: e.describe.clone(),
                    key: e.key_note.clone(),
                    kept_form: e.op.kept_form(),
                    mask_char: e.op.mask_char(),
                    ..ColumnReport::default()
                }
            }));
            actions.push(hit);
            entity.push(ent);
        }
        Ok(TablePlan {
            table: table.to_string(),
            names: names.to_vec(),
            actions,
            entity,
            reports,
        })
    }

    /// Does the plan leave every value as it is?
    pub fn is_identity(&self) -> bool {
        self.actions.iter().all(Option::is_none)
    }

    /// Is column `i` dropped?
    pub fn dropped(&self, policy: &Policy, i: usize) -> bool {
        self.actions
            .get(i)
            .copied()
            .flatten()
            .is_some_and(|a| matches!(policy.columns[a].op, super::transform::Op::Drop))
    }

    /// Transforms cell `i` of a row. `Ok(None)` is NULL; `get` reads another cell of the row
    /// (for the entity column). Cells without an action come back as they were.
    ///
    /// # Errors
    /// The method cannot read the value and the entry says `on_invalid = "fail"`.
    pub fn cell<'v>(
        &mut self,
        policy: &Policy,
        i: usize,
        value: Option<&'v str>,
        get: impl Fn(usize) -> Option<String>,
    ) -> Result<Option<std::borrow::Cow<'v, str>>, CellError> {
        use std::borrow::Cow;
        let Some(a) = self.actions.get(i).copied().flatten() else {
            return Ok(value.map(Cow::Borrowed));
        };
        let entry = &policy.columns[a];
        let report = self.reports[i].as_mut();
        let Some(v) = value.filter(|v| !v.is_empty()) else {
            if let Some(r) = report {
                r.empty += 1;
            }
            return Ok(value.map(Cow::Borrowed));
        };
        let entity = self.entity[i].and_then(&get);
        match entry.op.apply(v, entity.as_deref()) {
            Ok(out) => {
                if let Some(r) = report {
                    r.transformed += 1;
                    if out.as_deref() == Some(v) {
                        r.unchanged += 1;
                        if entry.op.promises_change() {
                            r.kept_whole += 1;
                        }
                    }
                }
                Ok(out.map(Cow::Owned))
            }
            Err(invalid) => {
                if let Some(r) = report {
                    r.invalid += 1;
                }
                match entry.on_invalid {
                    OnInvalid::Redact => Ok(None),
                    OnInvalid::Keep => Ok(Some(Cow::Borrowed(v))),
                    OnInvalid::Fail => Err(CellError {
                        column: self.names[i].clone(),
                        why: invalid.0,
                    }),
                }
            }
        }
    }

    /// The counts of the transformed columns.
    pub fn into_reports(self) -> Vec<ColumnReport> {
        self.reports.into_iter().flatten().collect()
    }
}
