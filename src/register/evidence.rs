//! What a scan evidences for the register, per location (a file, or a table of it): the
//! categories of personal data with counts, the fields that hold them, the guessed data
//! subject and why, and the oldest and newest record dates and the youngest age where date
//! columns allow. No value and no hash of one is kept.

use crate::report::InventoryEntry;
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;

/// One location with personal data.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    /// `path` for text, `path#table` for tables.
    pub reference: String,
    /// The file.
    pub dataset: String,
    /// The table, for structured inputs.
    pub table: Option<String>,
    /// Guessed data subject.
    pub subject: String,
    /// Why that subject.
    pub subject_reason: String,
    /// Category → findings or matching cells.
    pub categories: BTreeMap<String, u64>,
    /// Field → category → findings or matching cells (tables): a `contact` column with
    /// e-mail addresses and phone numbers lists both, each with its count.
    pub fields: BTreeMap<String, BTreeMap<String, u64>>,
    /// The oldest record date found in a date column (not a date of birth).
    pub oldest: Option<NaiveDate>,
    /// The newest record date.
    pub newest: Option<NaiveDate>,
    /// The youngest age a date-of-birth column shows, at the scan date.
    pub youngest_age: Option<u32>,
}

/// Groups inventory entries into locations, in order.
pub fn from_inventory(entries: &[InventoryEntry]) -> Vec<Location> {
    let mut out: Vec<Location> = Vec::new();
    for e in entries {
        let reference = match &e.table {
            Some(t) => format!("{}#{t}", e.dataset),
            None => e.dataset.clone(),
        };
        let i = match out.iter().position(|l| l.reference == reference) {
            Some(i) => i,
            None => {
                out.push(Location {
                    reference,
                    dataset: e.dataset.clone(),
                    table: e.table.clone(),
                    subject: e.data_subject.clone(),
                    subject_reason: e.data_subject_reason.clone(),
                    categories: BTreeMap::new(),
                    fields: BTreeMap::new(),
                    oldest: None,
                    newest: None,
                    youngest_age: None,
                });
                out.len() - 1
            }
        };
        let l = &mut out[i];
        *l.categories.entry(e.category.clone()).or_default() += e.count;
        if let Some(f) = &e.field {
            *l.fields
                .entry(f.clone())
                .or_default()
                .entry(e.category.clone())
                .or_default() += e.count;
        }
    }
    out
}

/// A date at the start of a value: `YYYY-MM-DD` (with a time after it or not) or
/// `DD-MM-YYYY` (`/` and `.` too).
pub fn leading_date(v: &str) -> Option<NaiveDate> {
    let t = v.trim();
    let b = t.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = b.get(r)?;
        if s.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(s).ok()?.parse().ok()
        } else {
            None
        }
    };
    let sep = |i: usize| b.get(i).is_some_and(|c| matches!(c, b'-' | b'/' | b'.'));
    if sep(4) && sep(7) {
        return NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?);
    }
    if sep(2) && sep(5) {
        return NaiveDate::from_ymd_opt(i32::try_from(num(6..10)?).ok()?, num(3..5)?, num(0..2)?);
    }
    None
}

/// Does a column name say it holds record dates (created, order date, …)?
fn is_date_column(name: &str) -> bool {
    let n = name.to_lowercase();
    [
        "datum",
        "date",
        "created",
        "updated",
        "aangemaakt",
        "gewijzigd",
        "timestamp",
        "_at",
        "_op",
        "tijd",
        "time",
        "sinds",
        "since",
        "in_dienst",
        "gestart",
    ]
    .iter()
    .any(|k| n.contains(k))
}

/// Reads record dates and dates of birth of table locations from their files.
struct DateSink<'l> {
    locations: &'l mut [Location],
    dataset: String,
    current: Option<usize>,
    record_cols: Vec<usize>,
    birth_cols: Vec<usize>,
    today: NaiveDate,
}

impl crate::source::table::TableSink for DateSink<'_> {
    fn begin(&mut self, table: &str, columns: &[String]) {
        self.current = self.locations.iter().position(|l| {
            // Inventories give names as shown (personal data masked): match either form.
            l.dataset == self.dataset
                && l.table
                    .as_deref()
                    .is_some_and(|t| t == table || crate::names::mask(table) == t)
        });
        self.record_cols.clear();
        self.birth_cols.clear();
        let Some(i) = self.current else { return };
        for (c, name) in columns.iter().enumerate() {
            let fields = &self.locations[i].fields;
            let birth = fields
                .get(name)
                .or_else(|| fields.get(crate::names::mask(name).as_ref()))
                .is_some_and(|c| c.contains_key("user.demographic.date_of_birth"));
            if birth {
                self.birth_cols.push(c);
            } else if is_date_column(name) {
                self.record_cols.push(c);
            }
        }
    }
    fn row(&mut self, cells: &[Option<&[u8]>]) -> bool {
        let Some(i) = self.current else { return true };
        if self.record_cols.is_empty() && self.birth_cols.is_empty() {
            return false;
        }
        let date = |c: usize| {
            cells
                .get(c)
                .copied()
                .flatten()
                .and_then(|b| std::str::from_utf8(b).ok())
                .and_then(leading_date)
        };
        let l = &mut self.locations[i];
        for &c in &self.record_cols {
            if let Some(d) = date(c).filter(|d| *d <= self.today) {
                l.oldest = Some(l.oldest.map_or(d, |o| o.min(d)));
                l.newest = Some(l.newest.map_or(d, |n| n.max(d)));
            }
        }
        for &c in &self.birth_cols {
            if let Some(born) = date(c).filter(|d| *d <= self.today) {
                let mut age = self.today.year() - born.year();
                if (self.today.month(), self.today.day()) < (born.month(), born.day()) {
                    age -= 1;
                }
                if let Ok(age) = u32::try_from(age) {
                    l.youngest_age = Some(l.youngest_age.map_or(age, |y| y.min(age)));
                }
            }
        }
        true
    }
    fn end(&mut self) {
        self.current = None;
    }
}

/// Fills in record dates and youngest ages by reading the tables again (every row).
/// Unreadable files are left without dates.
pub fn add_dates(locations: &mut [Location], today: NaiveDate) {
    let mut datasets: Vec<String> = locations
        .iter()
        .filter(|l| l.table.is_some())
        .map(|l| l.dataset.clone())
        .collect();
    datasets.sort_unstable();
    datasets.dedup();
    for dataset in datasets {
        let path = std::path::Path::new(&dataset);
        let Some(format) = crate::anonymise::kind_of(path)
            .ok()
            .and_then(|k| k.table_format())
        else {
            continue;
        };
        let mut sink = DateSink {
            locations,
            dataset: dataset.clone(),
            current: None,
            record_cols: Vec::new(),
            birth_cols: Vec::new(),
            today,
        };
        let _ = crate::anonymise::verify::read_table(path, format, &mut sink);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(field: &str, category: &str, count: u64) -> InventoryEntry {
        InventoryEntry {
            dataset: "crm.csv".into(),
            table: Some("klanten".into()),
            field: Some(field.into()),
            category: category.into(),
            rule: "test".into(),
            count,
            rows_scanned: None,
            share: None,
            distinct: None,
            confidence: crate::finding::Confidence::Medium,
            reason: String::new(),
            examples: Vec::new(),
            data_subject: "customer".into(),
            data_subject_reason: String::new(),
        }
    }

    /// A field holding several kinds (e-mail and phone in `contact`, a name and health data
    /// in `notes`) lists every category with its count; before, only the first stayed.
    #[test]
    fn a_field_with_several_categories_lists_each_with_its_count() {
        let locs = from_inventory(&[
            entry("contact", "user.contact.email", 120),
            entry("contact", "user.contact.phone_number", 45),
            entry("notes", "user.name", 30),
            entry("notes", "user.health_and_medical", 4),
            entry("email", "user.contact.email", 300),
        ]);
        assert_eq!(locs.len(), 1);
        let f = &locs[0].fields;
        assert_eq!(f["contact"]["user.contact.email"], 120);
        assert_eq!(f["contact"]["user.contact.phone_number"], 45);
        assert_eq!(f["notes"].len(), 2);
        assert_eq!(f["notes"]["user.health_and_medical"], 4);
        assert_eq!(locs[0].categories["user.contact.email"], 420);
    }

    #[test]
    fn dates_at_the_start_of_a_value() {
        let d = |s: &str| leading_date(s).map(|d| d.to_string());
        assert_eq!(d("2012-03-01"), Some("2012-03-01".into()));
        assert_eq!(d("2012-03-01T10:00:00Z"), Some("2012-03-01".into()));
        assert_eq!(d("01-03-2012"), Some("2012-03-01".into()));
        assert_eq!(d("12.04.1985"), Some("1985-04-12".into()));
        assert_eq!(d("2012-13-01"), None);
        assert_eq!(d("klant 12"), None);
    }
}
