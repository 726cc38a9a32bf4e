//! Following a person's rows through the keys they share with other tables: the key columns
//! of a matched row (a customer number, an order id) are looked up in every table read, and
//! rows holding the same key are the person's too, found `via` that key. One level deep by
//! default; each level starts from the rows the previous one found.
//!
//! Key columns are recognised by name (`id`, `*_id`, `*nummer`, `*number`, `*nr`, `*_no`) and
//! joined by what they identify: `klantnummer`, `klant_id` and the `id` of table `klant` or
//! `klanten` are one key. Key values are compared as keyed fingerprints under the run's key.

use super::Place;
use crate::finding::fingerprint::Fingerprinter;
use crate::source::table::TableSink;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// A row of a table of one input.
pub type RowAt = (String, String, u64);

/// The personal-data columns of a table, with their rule and category (from the scan's column
/// verdicts): what a followed row is reported with.
pub type DataColumns = HashMap<(String, String), Vec<(String, String, String)>>;

/// The thing a key column identifies, or `None` when it is no key: `klantnummer` → `klant`.
pub fn key_of(table: &str, column: &str) -> Option<String> {
    let c: String = column
        .to_lowercase()
        .chars()
        .filter(|ch| ch.is_alphanumeric())
        .collect();
    if c == "id" || c == "nr" || c == "nummer" {
        return Some(singular(&table.to_lowercase()));
    }
    for suffix in ["nummer", "number", "id", "nr", "no"] {
        if let Some(base) = c.strip_suffix(suffix) {
            if base.len() >= 3 {
                return Some(singular(base));
            }
        }
    }
    None
}

/// `klanten` → `klant`, `orders` → `order`, `customers` → `customer`.
fn singular(word: &str) -> String {
    let w = word.rsplit('.').next().unwrap_or(word);
    for plural in ["en", "s"] {
        if let Some(base) = w.strip_suffix(plural) {
            if base.len() >= 3 {
                return base.to_string();
            }
        }
    }
    w.to_string()
}

/// Reads the key values of chosen rows.
struct KeyCollector<'a> {
    rows: &'a HashSet<(String, u64)>,
    fingerprints: &'a Fingerprinter,
    table: String,
    keys_of_columns: Vec<Option<String>>,
    row: u64,
    found: HashSet<(String, String)>,
}

impl TableSink for KeyCollector<'_> {
    fn begin(&mut self, table: &str, columns: &[String]) {
        if self.table != table {
            self.row = 0;
        }
        self.table = table.to_string();
        self.keys_of_columns = columns.iter().map(|c| key_of(table, c)).collect();
    }
    fn row(&mut self, cells: &[Option<&[u8]>]) -> bool {
        self.row += 1;
        if !self.rows.contains(&(self.table.clone(), self.row)) {
            return true;
        }
        for (key, cell) in self.keys_of_columns.iter().zip(cells) {
            if let (Some(key), Some(v)) = (key, cell) {
                let v = String::from_utf8_lossy(v);
                if !v.trim().is_empty() {
                    let fp = self.fingerprints.fingerprint("key", key, "", v.trim());
                    self.found.insert((key.clone(), fp));
                }
            }
        }
        true
    }
    fn end(&mut self) {}
}

/// Finds the rows that hold one of the keys.
struct RowFinder<'a> {
    keys: &'a HashSet<(String, String)>,
    fingerprints: &'a Fingerprinter,
    path: &'a str,
    data: &'a DataColumns,
    known: &'a HashSet<RowAt>,
    table: String,
    columns: Vec<String>,
    keys_of_columns: Vec<Option<String>>,
    row: u64,
    places: Vec<Place>,
    rows: Vec<RowAt>,
}

impl TableSink for RowFinder<'_> {
    fn begin(&mut self, table: &str, columns: &[String]) {
        if self.table != table {
            self.row = 0;
        }
        self.table = table.to_string();
        self.columns = columns.to_vec();
        self.keys_of_columns = columns.iter().map(|c| key_of(table, c)).collect();
    }
    fn row(&mut self, cells: &[Option<&[u8]>]) -> bool {
        self.row += 1;
        let at = (self.path.to_string(), self.table.clone(), self.row);
        if self.known.contains(&at) {
            return true;
        }
        let via =
            self.keys_of_columns
                .iter()
                .zip(cells)
                .enumerate()
                .find_map(|(i, (key, cell))| {
                    let (key, v) = (key.as_ref()?, (*cell)?);
                    let v = String::from_utf8_lossy(v);
                    let fp = self.fingerprints.fingerprint("key", key, "", v.trim());
                    self.keys.contains(&(key.clone(), fp)).then_some(i)
                });
        let Some(via) = via else {
            return true;
        };
        let via_name = self.columns[via].clone();
        let cell = |i: usize| cells.get(i).copied().flatten().map(String::from_utf8_lossy);
        let data = self.data.get(&(self.path.to_string(), self.table.clone()));
        let mut any = false;
        for (column, rule, category) in data.into_iter().flatten() {
            let Some(i) = self.columns.iter().position(|c| c == column) else {
                continue;
            };
            let Some(v) = cell(i).filter(|v| !v.trim().is_empty()) else {
                continue;
            };
            any = true;
            self.places
                .push(self.place(column, rule, category, &v, &via_name));
        }
        if !any {
            let v = cell(via).unwrap_or_default();
            self.places
                .push(self.place(&via_name, "relation", "user.unique_id", &v, &via_name));
        }
        self.rows.push(at);
        true
    }
    fn end(&mut self) {}
}

impl RowFinder<'_> {
    fn place(&self, column: &str, rule: &str, category: &str, value: &str, via: &str) -> Place {
        Place {
            path: self.path.to_string(),
            table: Some(self.table.clone()),
            column: Some(column.to_string()),
            row: Some(self.row),
            line: None,
            rule: rule.to_string(),
            category: category.to_string(),
            evidence: crate::finding::mask::mask(rule, value),
            matched: false,
            via: Some(via.to_string()),
        }
    }
}

/// What following found, and the inputs that could not be read again.
#[derive(Debug, Default)]
pub struct Followed {
    /// The places of the rows found through keys.
    pub places: Vec<Place>,
    /// Inputs that could not be read again: (path, why).
    pub not_read: Vec<(String, String)>,
}

/// Follows the keys of `matched` rows through every table input, `levels` deep.
pub fn follow(
    matched: &[RowAt],
    table_inputs: &[String],
    data: &DataColumns,
    fingerprints: &Fingerprinter,
    levels: u32,
) -> Followed {
    let mut out = Followed::default();
    let mut known: HashSet<RowAt> = matched.iter().cloned().collect();
    let mut frontier: Vec<RowAt> = matched.to_vec();
    for _ in 0..levels {
        let mut by_input: HashMap<&str, HashSet<(String, u64)>> = HashMap::new();
        for (path, table, row) in &frontier {
            by_input
                .entry(path.as_str())
                .or_default()
                .insert((table.clone(), *row));
        }
        let mut keys = HashSet::new();
        for (path, rows) in &by_input {
            let mut c = KeyCollector {
                rows,
                fingerprints,
                table: String::new(),
                keys_of_columns: Vec::new(),
                row: 0,
                found: HashSet::new(),
            };
            if let Err(e) = crate::source::table::read_file(Path::new(path), &mut c) {
                out.not_read
                    .push((path.to_string(), format!("not followed: {e}")));
            }
            keys.extend(c.found);
        }
        if keys.is_empty() {
            break;
        }
        let mut next = Vec::new();
        for path in table_inputs {
            let mut f = RowFinder {
                keys: &keys,
                fingerprints,
                path,
                data,
                known: &known,
                table: String::new(),
                columns: Vec::new(),
                keys_of_columns: Vec::new(),
                row: 0,
                places: Vec::new(),
                rows: Vec::new(),
            };
            if let Err(e) = crate::source::table::read_file(Path::new(path), &mut f) {
                out.not_read
                    .push((path.clone(), format!("not followed: {e}")));
                continue;
            }
            out.places.extend(f.places);
            next.extend(f.rows);
        }
        known.extend(next.iter().cloned());
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_columns_are_joined_by_what_they_identify() {
        assert_eq!(key_of("orders", "klantnummer").as_deref(), Some("klant"));
        assert_eq!(key_of("orders", "klant_id").as_deref(), Some("klant"));
        assert_eq!(key_of("klanten", "id").as_deref(), Some("klant"));
        assert_eq!(
            key_of("public.customers", "id").as_deref(),
            Some("customer")
        );
        assert_eq!(key_of("orders", "customer_id").as_deref(), Some("customer"));
        assert_eq!(key_of("orders", "order_no").as_deref(), Some("order"));
        assert_eq!(key_of("orders", "email"), None);
        assert_eq!(key_of("orders", "bedrag"), None);
    }
}
