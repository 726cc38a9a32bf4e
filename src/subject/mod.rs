//! Finding one person everywhere, for an access, portability or erasure request (art. 15, 17,
//! 20 GDPR). The subject file names what identifies the person; those values are read from the
//! file only, normalised per kind (phone numbers to E.164, IBANs and national numbers without
//! separators, e-mail addresses case-folded) and kept only as keyed fingerprints under a key
//! made for the run, so no report, log or error can hold them. A scan then compares every value
//! it finds with them: a match is a place holding the person; in a table, the row's other
//! personal data are the person's data too.

pub mod erase;
mod erase_dump;
pub mod erase_sql;
pub mod export;
pub mod follow;

use crate::detect::column::ColumnVerdict;
use crate::finding::fingerprint::Fingerprinter;
use crate::finding::{Finding, Location};
use crate::pipeline::{InputName, InputReport, InputStatus, Sink};
use crate::ruleset::RuleSet;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
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

/// A person of the subject list: their data row (1-based) in `--subjects FILE.csv`; 1 for a
/// subject file.
pub type Person = u32;

/// An identifier no rule knows (a customer number), looked up in the named columns of tables.
#[derive(Debug)]
pub struct CustomId {
    /// Its name in the subject file (`customer_number`), shown as the place's rule.
    pub name: String,
    /// The columns that hold it, lower case, letters and digits only (`klantnummer`).
    pub columns: Vec<String>,
    wanted: HashMap<String, BTreeSet<Person>>,
}

impl CustomId {
    fn fingerprint(&self, fp: &Fingerprinter, value: &str) -> String {
        fp.fingerprint("custom", &self.name, "", &value.trim().to_lowercase())
    }

    /// The people whose identifier `value` is.
    pub fn people_of(&self, fp: &Fingerprinter, value: &str) -> Option<BTreeSet<Person>> {
        self.wanted.get(&self.fingerprint(fp, value)).cloned()
    }

    /// Is `value` one of the identifiers?
    pub fn holds(&self, fp: &Fingerprinter, value: &str) -> bool {
        self.wanted.contains_key(&self.fingerprint(fp, value))
    }
}

/// What identifies the person (or each person of a list), as keyed fingerprints per rule.
#[derive(Debug)]
pub struct Subject {
    fingerprints: Fingerprinter,
    /// Per rule id: the fingerprints of the values, with the people they identify.
    wanted: HashMap<String, HashMap<String, BTreeSet<Person>>>,
    /// Identifiers no rule knows, looked up in named columns.
    pub custom: Vec<CustomId>,
    /// How many values of each kind the file gave (for the report; no values).
    pub given: BTreeMap<String, usize>,
    /// How many people: 1 for a subject file, the data rows of a list.
    pub people: u32,
    /// Read from a list (`--subjects`): places name the person by their row.
    pub list: bool,
}

/// The line of `text` that byte `at` is on (1-based).
fn line_at(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

/// Lower case, letters and digits only: how column names are compared.
fn squash(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

impl Subject {
    fn empty() -> Result<Subject, String> {
        let mut key = [0u8; 32];
        getrandom::getrandom(&mut key).map_err(|e| format!("no random key for the run: {e}"))?;
        Ok(Subject {
            fingerprints: Fingerprinter::with_key(&key, "subject run"),
            wanted: HashMap::new(),
            custom: Vec::new(),
            given: BTreeMap::new(),
            people: 0,
            list: false,
        })
    }

    /// Adds one value of `key` (a rule id, or a custom identifier's name) for `person`.
    fn add(&mut self, rules: &RuleSet, key: &str, value: &str, person: Person) -> bool {
        let value = value.trim();
        if value.is_empty() {
            return false;
        }
        if let Some(rule) = rules.rules.iter().find(|r| &*r.id == key) {
            let v = canonical(&rule.id, value);
            let fp = self
                .fingerprints
                .fingerprint(&rule.id, &rule.category, "", &v);
            self.wanted
                .entry(key.to_string())
                .or_default()
                .entry(fp)
                .or_default()
                .insert(person);
        } else if let Some(i) = self.custom.iter().position(|c| c.name == key) {
            let fp = self.custom[i].fingerprint(&self.fingerprints, value);
            self.custom[i].wanted.entry(fp).or_default().insert(person);
        } else {
            return false;
        }
        *self.given.entry(key.to_string()).or_default() += 1;
        true
    }

    /// Reads a subject file: keys are rule ids with lists of strings (`email =
    /// ["jan@example.nl"]`, `"nl.bsn" = ["111222333"]`); a key no rule knows is an identifier
    /// looked up in the columns `columns = [...]` names (beside it, or in its own table:
    /// `[klantnummer] values = ["K-1001"] columns = ["klantnummer", "customer_no"]`).
    ///
    /// # Errors
    /// The file cannot be read, is not TOML, a key is no rule id and no columns are named, a
    /// list is empty or holds something other than strings. Messages name lines, never a
    /// key no rule knows or a value (either may be the person's).
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
        let doc = toml_edit::ImDocument::parse(text.as_str()).map_err(|e| {
            shape(match e.span() {
                Some(s) => format!("not valid TOML near line {}", line_at(&text, s.start)),
                None => "not valid TOML".to_string(),
            })
        })?;
        let table = doc.as_table();
        let line_of = |key: &str| {
            table
                .key(key)
                .and_then(|k| k.span())
                .map(|s| line_at(&text, s.start))
                .unwrap_or(0)
        };
        let strings = |item: &toml_edit::Item, what: &str, line: usize| {
            let list = item
                .as_array()
                .ok_or_else(|| shape(format!("line {line}: {what}: give a list of strings")))?;
            let mut out = Vec::new();
            for v in list.iter() {
                out.push(
                    v.as_str()
                        .ok_or_else(|| {
                            shape(format!("line {line}: {what}: every value is a string"))
                        })?
                        .to_string(),
                );
            }
            if out.is_empty() {
                return Err(shape(format!(
                    "line {line}: {what}: the list is empty; give at least one value (an empty list identifies no one)"
                )));
            }
            Ok(out)
        };
        let mut subject = Subject::empty().map_err(shape)?;
        subject.people = 1;
        let shared_columns = match table.get("columns") {
            Some(item) => Some(strings(item, "columns", line_of("columns"))?),
            None => None,
        };
        let is_rule = |k: &str| rules.rules.iter().any(|r| &*r.id == k);
        for (key, item) in table.iter() {
            if key == "columns" {
                continue;
            }
            let line = line_of(key);
            let shown = if is_rule(key) {
                key.to_string()
            } else {
                "an identifier no rule knows".to_string()
            };
            let (values, columns) = match item.as_table_like() {
                Some(t) if !item.is_array() => {
                    let values = t.get("values").ok_or_else(|| {
                        shape(format!("line {line}: {shown}: give `values = [...]`"))
                    })?;
                    let columns = t
                        .get("columns")
                        .map(|c| strings(c, "columns", line))
                        .transpose()?;
                    (strings(values, &shown, line)?, columns)
                }
                _ => (strings(item, &shown, line)?, None),
            };
            if !is_rule(key) {
                let Some(columns) = columns.or_else(|| shared_columns.clone()) else {
                    let known: Vec<&str> = rules.rules.iter().map(|r| &*r.id).collect();
                    return Err(shape(format!(
                        "line {line}: a key that is no rule id; use one of {}, or, for an identifier no rule knows (a customer number), name the columns that hold it with `columns = [\"klantnummer\"]`",
                        known.join(", ")
                    )));
                };
                subject.custom.push(CustomId {
                    name: key.to_string(),
                    columns: columns.iter().map(|c| squash(c)).collect(),
                    wanted: HashMap::new(),
                });
            }
            for v in &values {
                if !subject.add(rules, key, v, 1) {
                    return Err(shape(format!("line {line}: {shown}: a value is empty")));
                }
            }
        }
        if subject.given.is_empty() {
            return Err(shape("names no identifying value".to_string()));
        }
        Ok(subject)
    }

    /// Reads a list of people (`--subjects FILE.csv`, a CRM export of those who asked to be
    /// forgotten): one person per row, columns named by rule id (`email`, `nl.bsn`) or, for an
    /// identifier no rule knows, by the column that holds it in the data (`klantnummer`).
    /// Comma-, semicolon- or tab-separated.
    ///
    /// # Errors
    /// The file cannot be read, has no header or no data row, a row names no value, or a row
    /// has more cells than the header. Messages name lines, never values.
    pub fn load_list(path: &Path, rules: &RuleSet) -> Result<Subject, SubjectError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| SubjectError::Read {
            path: name.clone(),
            source,
        })?;
        let shape = |problem: String| SubjectError::Shape {
            path: name.clone(),
            problem,
        };
        let head = bytes.split(|b| *b == b'\n').next().unwrap_or(&[]);
        let delimiter = [b';', b'\t', b',']
            .into_iter()
            .max_by_key(|d| head.iter().filter(|b| *b == d).count())
            .unwrap_or(b',');
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(false)
            .from_reader(bytes.as_slice());
        let header: Vec<String> = reader
            .headers()
            .map_err(|_| shape("line 1: no header row (column names: rule ids such as email, nl.bsn, or the data's column names)".to_string()))?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
            .collect();
        let mut subject = Subject::empty().map_err(shape)?;
        subject.list = true;
        for h in &header {
            let known = rules.rules.iter().any(|r| &*r.id == h.as_str());
            if !known && !h.is_empty() && !subject.custom.iter().any(|c| &c.name == h) {
                subject.custom.push(CustomId {
                    name: h.clone(),
                    columns: vec![squash(h)],
                    wanted: HashMap::new(),
                });
            }
        }
        let mut record = csv::ByteRecord::new();
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    return Err(shape(format!(
                        "line {line}: not a row of the list (a cell count that differs from the header's, or bad quoting)"
                    )));
                }
            }
            let line = record.position().map(|p| p.line()).unwrap_or(0);
            let person = subject.people + 1;
            let mut any = false;
            for (h, cell) in header.iter().zip(record.iter()) {
                let Ok(v) = std::str::from_utf8(cell) else {
                    return Err(shape(format!("line {line}: a cell is not UTF-8")));
                };
                any |= subject.add(rules, h, v, person);
            }
            if !any {
                return Err(shape(format!(
                    "line {line}: the row names no value; every row is one person"
                )));
            }
            subject.people = person;
        }
        if subject.people == 0 {
            return Err(shape("the list has no data row".to_string()));
        }
        Ok(subject)
    }

    /// The run's key, for comparing other values (keys followed) the same way.
    pub fn fingerprints(&self) -> &Fingerprinter {
        &self.fingerprints
    }

    /// The people this finding's value identifies, if any.
    pub fn matches(&self, f: &Finding) -> Option<&BTreeSet<Person>> {
        self.wanted.get(&*f.rule).and_then(|set| {
            let v = canonical(&f.rule, &f.value);
            set.get(&self.fingerprints.fingerprint(&f.rule, &f.category, "", &v))
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
    /// Whose place it is (see [`Person`]); written as `subject` for a list.
    #[serde(skip)]
    pub person: Person,
    /// The value in full, kept only for `--export` of a value found in text and for the
    /// statements `subject erase --sql` writes for a matched cell (never written to the
    /// places output).
    #[serde(skip)]
    pub value: Option<String>,
}

impl Place {
    fn of(f: &Finding, matched: bool, person: Person) -> Place {
        let (table, column, row, line) = match &f.location {
            Location::Cell {
                table,
                column,
                row,
                line,
                ..
            } => (Some(table.clone()), Some(column.clone()), Some(*row), *line),
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
            person,
            value: None,
        }
    }

    /// The place as written: every name (path, table, column, key) masked where it holds
    /// personal data, as in every other output.
    fn masked(&self) -> Place {
        let m = |s: &str| crate::names::mask(s).into_owned();
        Place {
            path: m(&self.path),
            table: self.table.as_deref().map(m),
            column: self.column.as_deref().map(m),
            via: self.via.as_deref().map(m),
            ..self.clone()
        }
    }
}

/// A place of a list's person, as `--format ndjson` writes it.
#[derive(Serialize)]
struct ListPlace<'a> {
    #[serde(flatten)]
    place: &'a Place,
    /// The person's row in the list.
    subject: Person,
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
    /// The people of a list found (1 or 0 for a subject file).
    pub people: u64,
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
    matched_rows: HashMap<(String, u64), BTreeSet<Person>>,
    wrote_header: bool,
    /// The input the last place written belongs to.
    last_input: Option<String>,
    /// Inputs with a place written, and people found: counted once each.
    inputs_seen: HashSet<String>,
    people_seen: BTreeSet<Person>,
    /// The totals so far.
    pub summary: Summary,
    /// Every matched row of every input, with its people: where keys are followed from.
    pub matched: follow::RowsOf,
    /// Inputs read as tables, as shown (they are read again to follow keys).
    pub table_inputs: Vec<String>,
    /// The personal-data columns of each table read.
    pub data_columns: follow::DataColumns,
    /// The subject file itself (canonical), which is never reported as a place.
    subject_file: Option<std::path::PathBuf>,
    /// Keep every place written, with values found in text ([`SubjectSink::keeping`]).
    keep: bool,
    /// The places written, when kept.
    pub kept: Vec<Place>,
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
            matched_rows: HashMap::new(),
            wrote_header: false,
            last_input: None,
            inputs_seen: HashSet::new(),
            people_seen: BTreeSet::new(),
            summary: Summary::default(),
            matched: follow::RowsOf::new(),
            table_inputs: Vec::new(),
            data_columns: follow::DataColumns::new(),
            subject_file: None,
            keep: false,
            kept: Vec::new(),
            current: None,
        }
    }

    /// Never reports the subject file itself (it holds the person's values by design).
    pub fn skipping(mut self, subject_file: &Path) -> Self {
        self.subject_file = subject_file.canonicalize().ok();
        self
    }

    /// Keeps every place written, and the full values found in text, for an export.
    pub fn keeping(mut self) -> Self {
        self.keep = true;
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

    /// Writes places found after the scan (rows found by custom identifiers or through keys),
    /// input by input.
    ///
    /// # Errors
    /// Writing failed.
    pub fn write_places(&mut self, places: &[Place]) -> io::Result<()> {
        let mut order: Vec<&Place> = places.iter().collect();
        order.sort_by(|a, b| a.path.cmp(&b.path));
        for p in order {
            self.write(p)?;
        }
        self.end_input()?;
        self.out.flush()
    }

    /// Ends the group of places of one input (text output: a blank line).
    fn end_input(&mut self) -> io::Result<()> {
        if self.last_input.take().is_some() && self.format == Output::Text {
            writeln!(self.out)?;
        }
        self.wrote_header = false;
        Ok(())
    }

    fn write(&mut self, place: &Place) -> io::Result<()> {
        if self.last_input.as_deref() != Some(place.path.as_str()) {
            self.end_input()?;
            self.last_input = Some(place.path.clone());
        }
        if place.matched {
            self.summary.matched += 1;
        } else {
            self.summary.row_data += 1;
        }
        if self.inputs_seen.insert(place.path.clone()) {
            self.summary.inputs += 1;
        }
        if self.people_seen.insert(place.person) {
            self.summary.people += 1;
        }
        if self.keep {
            self.kept.push(place.clone());
        }
        let shown = place.masked();
        match self.format {
            Output::Ndjson => {
                if self.subject.list {
                    let p = ListPlace {
                        place: &shown,
                        subject: place.person,
                    };
                    serde_json::to_writer(&mut self.out, &p)?;
                } else {
                    serde_json::to_writer(&mut self.out, &shown)?;
                }
                writeln!(self.out)
            }
            Output::Text => {
                let clean = crate::report::sanitize::sanitize;
                if !self.wrote_header {
                    writeln!(self.out, "{}", clean(&shown.path))?;
                    self.wrote_header = true;
                }
                let at = match (&shown.table, &shown.column, shown.row, shown.line) {
                    (Some(t), Some(c), Some(r), _) => format!("{t}.{c}[{r}]"),
                    (_, _, _, Some(l)) => format!("line {l}"),
                    (Some(t), Some(c), None, None) => format!("name of column {t}.{c}"),
                    (Some(t), None, None, None) => format!("name of table {t}"),
                    _ => "file name".to_string(),
                };
                let what = match (&shown.via, shown.matched) {
                    (Some(via), _) => format!("in a row with the same {via}"),
                    (None, true) => "the person's identifier".to_string(),
                    (None, false) => "in the same row".to_string(),
                };
                let whose = if self.subject.list {
                    format!(" (person {})", place.person)
                } else {
                    String::new()
                };
                writeln!(
                    self.out,
                    "  {:<28} {:<16} {:<28} {what}{whose}",
                    clean(&at),
                    clean(&shown.rule),
                    clean(&shown.evidence),
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
            let people = self.subject.matches(f);
            match &f.location {
                Location::Cell { table, row, .. } => {
                    if let Some(people) = people {
                        self.matched_rows
                            .entry((table.clone(), *row))
                            .or_default()
                            .extend(people.iter().copied());
                    }
                    self.cells.push(f.clone());
                }
                _ => {
                    for person in people.into_iter().flatten() {
                        let mut place = Place::of(f, true, *person);
                        if self.keep {
                            place.value = Some(f.value.clone());
                        }
                        self.write(&place)?;
                    }
                }
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
            let Some(people) = self.matched_rows.get(&(table.clone(), *row)).cloned() else {
                continue;
            };
            let at = (f.path.to_string(), table.clone(), *row);
            self.matched
                .entry(at)
                .or_default()
                .extend(people.iter().copied());
            let own = self.subject.matches(f);
            for person in &people {
                let matched = own.is_some_and(|o| o.contains(person));
                let mut place = Place::of(f, matched, *person);
                if self.keep && matched {
                    place.value = Some(f.value.clone());
                }
                self.write(&place)?;
            }
        }
        self.matched_rows.clear();
        self.end_input()?;
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
