//! `piiscan inventory --format html`: the inventory as one self-contained page a privacy
//! officer reads (a "data map"). What was scanned and with which rules, what could not be read,
//! headline numbers, a matrix of datasets against categories (grouped as the register groups
//! them), a bar chart, and per dataset its fields with masked examples. Inline CSS, JavaScript
//! and SVG only: the page fetches nothing.
//!
//! [`DataMap::build`] gathers the model from the inventory and the scan's statistics;
//! [`html::render`] writes it. Values come masked from the inventory and stay so.

pub mod html;
pub mod taxonomy;

use crate::detect::column::SampledRows;
use crate::finding::Confidence;
use crate::pipeline::{InputName, InputReport, InputStatus, ScanStats, Sink};
use crate::report::{InventoryEntry, InventorySink};
use std::collections::BTreeMap;
use std::io;

/// What the header says about the run.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// The paths given on the command line, as given.
    pub inputs: Vec<String>,
    /// When the map was made (UTC).
    pub generated: chrono::DateTime<chrono::Utc>,
    /// The piiscan version.
    pub version: String,
    /// Rule packs used: pack name and number of rules, in load order.
    pub rule_packs: Vec<(String, usize)>,
    /// Rows read per table (0: every row).
    pub sample_rows: u64,
}

/// An input that was not read, or not read completely, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotRead {
    /// The input, as shown.
    pub path: String,
    /// Why (already free of values).
    pub why: String,
    /// Read in part (its findings are on the map) rather than not at all.
    pub partial: bool,
}

/// The inventory sink of the data map: the inventory, and every input not read with the
/// reason (skipped inputs too, which the plain inventory only counts).
#[derive(Debug, Default)]
pub struct DataMapSink {
    /// The inventory (failed and partial inputs are in `inner.failed` as well).
    pub inner: InventorySink,
    /// Inputs skipped, failed or read in part, in input order.
    pub not_read: Vec<NotRead>,
}

impl Sink for DataMapSink {
    /// Prints and keeps no fingerprint: none is computed.
    fn needs_fingerprints(&self) -> bool {
        false
    }
    fn findings(&mut self, batch: &[crate::finding::Finding]) -> io::Result<()> {
        self.inner.findings(batch)
    }
    fn input_done(&mut self, r: &InputReport) -> io::Result<()> {
        let (why, partial) = match &r.status {
            InputStatus::Scanned => (None, false),
            InputStatus::SkippedBinary => (Some("binary content: skipped".to_string()), false),
            InputStatus::SkippedImage => (
                Some("an image: skipped (read only with --ocr)".to_string()),
                false,
            ),
            InputStatus::SkippedTooLarge => (
                Some("larger than the size limit: skipped".to_string()),
                false,
            ),
            InputStatus::SkippedSpecial(kind) => (Some(format!("{kind}: never opened")), false),
            InputStatus::Failed(w) => (Some(w.clone()), false),
            InputStatus::Partial(w) => (Some(w.clone()), true),
        };
        if let Some(why) = why {
            self.not_read.push(NotRead {
                path: r.path.to_string(),
                why,
                partial,
            });
        }
        self.inner.input_done(r)
    }
    fn columns(
        &mut self,
        input: InputName<'_>,
        verdicts: &[crate::detect::column::ColumnVerdict],
    ) -> io::Result<()> {
        self.inner.columns(input, verdicts)
    }
}

/// How much of a dataset was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coverage {
    /// Every row, or the whole text.
    Full,
    /// A sample of the rows.
    Sampled(SampledRows),
    /// In part: the reason.
    Partial(String),
}

/// One field of a dataset holding personal data (a column, or a rule's findings in a text).
#[derive(Debug, Clone)]
pub struct Field {
    /// The column; `None` for findings in a text.
    pub column: Option<String>,
    /// Taxonomy category.
    pub category: String,
    /// Rule id, or `column_name`.
    pub rule: String,
    /// Confidence.
    pub confidence: Confidence,
    /// Matching cells or findings.
    pub count: u64,
    /// Rows scanned (tables).
    pub rows_scanned: Option<u64>,
    /// Why, in words.
    pub reason: String,
    /// Masked examples.
    pub examples: Vec<String>,
}

/// One cell of the matrix: a category in a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    /// Matching cells or findings, summed over the dataset's fields.
    pub count: u64,
    /// The highest confidence among them.
    pub confidence: Confidence,
    /// Fields holding it.
    pub fields: usize,
}

/// One row of the matrix: a file, or a table of a file.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Anchor id (`ds-1`, …), in map order.
    pub anchor: String,
    /// The input path.
    pub path: String,
    /// The table, for structured inputs.
    pub table: Option<String>,
    /// The row's group: the folder, or the container (database, workbook) of several tables.
    pub group: String,
    /// The row's name inside its group.
    pub label: String,
    /// Guessed data subject.
    pub subject: String,
    /// Why that subject.
    pub subject_reason: String,
    /// How much was read.
    pub coverage: Coverage,
    /// The youngest age a date-of-birth column shows, when one does.
    pub youngest_age: Option<u32>,
    /// Category → cell.
    pub cells: BTreeMap<String, Cell>,
    /// The fields, in inventory order.
    pub fields: Vec<Field>,
}

impl Dataset {
    /// The highest confidence of its cells.
    pub fn confidence(&self) -> Confidence {
        self.cells
            .values()
            .map(|c| c.confidence)
            .max()
            .unwrap_or(Confidence::Low)
    }

    /// Holds a national identification number.
    pub fn has_national_id(&self) -> bool {
        self.cells
            .keys()
            .any(|c| crate::register::labels::is_national_id(c))
    }

    /// Holds a special category (Art. 9) or criminal data (Art. 10).
    pub fn has_special(&self) -> bool {
        self.cells.keys().any(|c| {
            crate::register::labels::is_special(c) || crate::register::labels::is_criminal(c)
        })
    }

    /// Holds data of a child: a date of birth under 16, or pupils.
    pub fn has_children(&self) -> bool {
        self.youngest_age.is_some_and(|a| a < CHILD_AGE) || self.subject == "student"
    }
}

/// Below this age a date of birth marks the data of a child (UAVG art. 5: 16).
pub const CHILD_AGE: u32 = 16;

/// The headline numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Headline {
    /// Datasets holding personal data.
    pub datasets: usize,
    /// Distinct categories found.
    pub kinds: usize,
    /// Datasets with a national identification number.
    pub national_id: usize,
    /// Datasets with special categories or criminal data.
    pub special: usize,
    /// Datasets with data of children.
    pub children: usize,
    /// Values (cells and findings) counted.
    pub values: u64,
}

/// Everything the page shows.
#[derive(Debug, Clone)]
pub struct DataMap {
    /// The run.
    pub run: RunInfo,
    /// Inputs scanned (completely or in part).
    pub files_scanned: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Tables holding personal data.
    pub tables: usize,
    /// Inputs not read, or read in part.
    pub not_read: Vec<NotRead>,
    /// Tables read in part: (input, table, rows).
    pub sampled: Vec<(String, String, SampledRows)>,
    /// The datasets, grouped (groups in first-seen order), rows in input order.
    pub datasets: Vec<Dataset>,
    /// The categories found, in column order.
    pub categories: Vec<String>,
}

impl DataMap {
    /// Builds the map from the inventory, the scan's statistics and the inputs not read.
    /// `youngest` gives the youngest age by `path#table` (or `path`) where known.
    pub fn build(
        run: RunInfo,
        entries: &[InventoryEntry],
        stats: &ScanStats,
        not_read: Vec<NotRead>,
        youngest: &BTreeMap<String, u32>,
    ) -> DataMap {
        let mut datasets: Vec<Dataset> = Vec::new();
        for e in entries {
            let i = match datasets
                .iter()
                .position(|d| d.path == e.dataset && d.table == e.table)
            {
                Some(i) => i,
                None => {
                    datasets.push(new_dataset(e, stats, &not_read, youngest));
                    datasets.len() - 1
                }
            };
            let Some(d) = datasets.get_mut(i) else {
                continue;
            };
            let cell = d.cells.entry(e.category.clone()).or_insert(Cell {
                count: 0,
                confidence: e.confidence,
                fields: 0,
            });
            cell.count += e.count;
            cell.confidence = cell.confidence.max(e.confidence);
            cell.fields += 1;
            d.fields.push(Field {
                column: e.field.clone(),
                category: e.category.clone(),
                rule: e.rule.clone(),
                confidence: e.confidence,
                count: e.count,
                rows_scanned: e.rows_scanned,
                reason: e.reason.clone(),
                examples: e.examples.clone(),
            });
        }
        // Rows grouped: groups in order of first appearance, rows in input order within.
        let mut order: Vec<String> = Vec::new();
        for d in &datasets {
            if !order.contains(&d.group) {
                order.push(d.group.clone());
            }
        }
        datasets.sort_by_key(|d| order.iter().position(|g| *g == d.group));
        for (n, d) in datasets.iter_mut().enumerate() {
            d.anchor = format!("ds-{}", n + 1);
        }
        let mut categories: Vec<String> = datasets
            .iter()
            .flat_map(|d| d.cells.keys().cloned())
            .collect();
        categories.sort_by_key(|c| taxonomy::sort_key(c));
        categories.dedup();
        // A person reads the map: personal data in file and table names is masked (see
        // `crate::names`); machine formats keep the true paths.
        let m = |s: &str| crate::names::mask(s).into_owned();
        for d in &mut datasets {
            d.path = m(&d.path);
            d.table = d.table.as_deref().map(m);
            d.group = m(&d.group);
            d.label = m(&d.label);
        }
        let mut not_read = not_read;
        for n in &mut not_read {
            n.path = m(&n.path);
        }
        let mut run = run;
        run.inputs = run.inputs.iter().map(|i| m(i)).collect();
        DataMap {
            run,
            files_scanned: stats.files_scanned,
            bytes: stats.bytes,
            tables: datasets.iter().filter(|d| d.table.is_some()).count(),
            not_read,
            sampled: stats
                .sampled
                .iter()
                .map(|(p, t)| (m(p), m(&t.table), t.rows))
                .collect(),
            datasets,
            categories,
        }
    }

    /// The headline numbers.
    pub fn headline(&self) -> Headline {
        let count = |f: fn(&Dataset) -> bool| self.datasets.iter().filter(|d| f(d)).count();
        Headline {
            datasets: self.datasets.len(),
            kinds: self.categories.len(),
            national_id: count(Dataset::has_national_id),
            special: count(Dataset::has_special),
            children: count(Dataset::has_children),
            values: self
                .datasets
                .iter()
                .flat_map(|d| d.cells.values())
                .map(|c| c.count)
                .sum(),
        }
    }

    /// Per category: datasets holding it and values counted, in column order.
    pub fn per_category(&self) -> Vec<(&str, usize, u64)> {
        self.categories
            .iter()
            .map(|c| {
                let cells = self.datasets.iter().filter_map(|d| d.cells.get(c));
                let (n, v) = cells.fold((0, 0), |(n, v), cell| (n + 1, v + cell.count));
                (c.as_str(), n, v)
            })
            .collect()
    }
}

fn new_dataset(
    e: &InventoryEntry,
    stats: &ScanStats,
    not_read: &[NotRead],
    youngest: &BTreeMap<String, u32>,
) -> Dataset {
    let (folder, file) = match e.dataset.rsplit_once(['/', '\\']) {
        Some((dir, file)) => (dir.to_string(), file.to_string()),
        None => (".".to_string(), e.dataset.clone()),
    };
    let stem = file.split('.').next().unwrap_or(&file).to_lowercase();
    // A table named after its file is the file; other tables sit in their container.
    let (group, label) = match &e.table {
        Some(t) if t.to_lowercase() != stem => (e.dataset.clone(), t.clone()),
        _ => (folder, file),
    };
    let sampled = stats
        .sampled
        .iter()
        .find(|(p, t)| *p == e.dataset && Some(&t.table) == e.table.as_ref())
        .map(|(_, t)| t.rows);
    let partial = not_read
        .iter()
        .find(|n| n.partial && n.path == e.dataset)
        .map(|n| n.why.clone());
    let coverage = match (sampled, partial) {
        (_, Some(why)) => Coverage::Partial(why),
        (Some(rows), None) => Coverage::Sampled(rows),
        (None, None) => Coverage::Full,
    };
    let reference = match &e.table {
        Some(t) => format!("{}#{t}", e.dataset),
        None => e.dataset.clone(),
    };
    Dataset {
        anchor: String::new(),
        path: e.dataset.clone(),
        table: e.table.clone(),
        group,
        label,
        subject: e.data_subject.clone(),
        subject_reason: e.data_subject_reason.clone(),
        coverage,
        youngest_age: youngest.get(&reference).copied(),
        cells: BTreeMap::new(),
        fields: Vec::new(),
    }
}

/// The youngest age per location (`path#table`, or `path`), read from date-of-birth columns
/// as the register does.
pub fn youngest_ages(
    entries: &[InventoryEntry],
    today: chrono::NaiveDate,
) -> BTreeMap<String, u32> {
    let mut locations = crate::register::evidence::from_inventory(entries);
    crate::register::evidence::add_dates(&mut locations, today);
    locations
        .into_iter()
        .filter_map(|l| l.youngest_age.map(|a| (l.reference, a)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::table::SampledTable;

    fn entry(dataset: &str, table: Option<&str>, field: &str, category: &str) -> InventoryEntry {
        InventoryEntry {
            dataset: dataset.into(),
            table: table.map(Into::into),
            field: table.map(|_| field.to_string()),
            category: category.into(),
            rule: "column_name".into(),
            count: 3,
            rows_scanned: table.map(|_| 3),
            share: None,
            distinct: None,
            confidence: Confidence::Medium,
            reason: "r".into(),
            examples: Vec::new(),
            data_subject: "customer".into(),
            data_subject_reason: "why".into(),
        }
    }

    fn run() -> RunInfo {
        RunInfo {
            inputs: vec![".".into()],
            generated: chrono::DateTime::from_timestamp(0, 0).unwrap_or_default(),
            version: "0".into(),
            rule_packs: Vec::new(),
            sample_rows: 10,
        }
    }

    #[test]
    fn rows_are_grouped_by_folder_or_container_and_sampling_is_kept() {
        let entries = [
            entry("crm/klanten.csv", Some("klanten"), "naam", "user.name"),
            entry(
                "db/shop.sqlite",
                Some("customers"),
                "bsn",
                "user.government_id.national_identification_number.nl_bsn",
            ),
            entry("notes.txt", None, "", "user.health_and_medical"),
            entry(
                "db/shop.sqlite",
                Some("orders"),
                "email",
                "user.contact.email",
            ),
            entry(
                "crm/klanten.csv",
                Some("klanten"),
                "email",
                "user.contact.email",
            ),
        ];
        let mut stats = ScanStats::default();
        stats.sampled.push((
            "db/shop.sqlite".into(),
            SampledTable {
                table: "orders".into(),
                rows: SampledRows {
                    read: 10,
                    total: Some(25),
                },
            },
        ));
        let youngest = BTreeMap::from([("crm/klanten.csv#klanten".to_string(), 12)]);
        let map = DataMap::build(run(), &entries, &stats, Vec::new(), &youngest);
        let rows: Vec<(&str, &str)> = map
            .datasets
            .iter()
            .map(|d| (d.group.as_str(), d.label.as_str()))
            .collect();
        assert_eq!(
            rows,
            [
                ("crm", "klanten.csv"),
                ("db/shop.sqlite", "customers"),
                ("db/shop.sqlite", "orders"),
                (".", "notes.txt"),
            ]
        );
        assert_eq!(map.datasets[0].cells["user.contact.email"].count, 3);
        assert_eq!(map.datasets[0].fields.len(), 2);
        assert_eq!(
            map.datasets[2].coverage,
            Coverage::Sampled(SampledRows {
                read: 10,
                total: Some(25)
            })
        );
        assert_eq!(map.datasets[1].coverage, Coverage::Full);
        assert_eq!(
            map.headline(),
            Headline {
                datasets: 4,
                kinds: 4,
                national_id: 1,
                special: 1,
                children: 1,
                values: 15,
            }
        );
        assert_eq!(
            map.categories,
            [
                "user.name",
                "user.contact.email",
                "user.government_id.national_identification_number.nl_bsn",
                "user.health_and_medical",
            ]
        );
    }
}
