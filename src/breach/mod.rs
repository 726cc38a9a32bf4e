//! Sizing a data breach for the 72-hour notification (art. 33 GDPR): which kinds of personal
//! data a leaked set holds, in the notification form's wording, how many records, and how many
//! people as a minimum and a maximum with the method stated; the countries the identifiers
//! point to, children, special categories, values that look protected, the deadline, and the
//! ENISA severity hints with their reasoning.
//!
//! Counting is done on keyed fingerprints with a key made for the run and thrown away: the
//! assessment holds no value and no fingerprint that outlives it.

pub mod kinds;
pub mod render;

use crate::detect::column::ColumnVerdict;
use crate::finding::{Finding, Location};
use crate::pipeline::{InputName, InputReport, Sink};
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use kinds::FormKind;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io;

/// Below this age a person is a child for the notification (the AVG's age of consent for
/// online services in the Netherlands).
pub const CHILD_AGE: i32 = 16;

/// A record: a table row or a text line of one input.
type RecordKey = (u32, u32, u64);

/// Collects what a scan finds into the counts of an assessment.
#[derive(Debug, Default)]
pub struct BreachSink {
    reference: Option<NaiveDate>,
    inputs: HashMap<String, u32>,
    tables: HashMap<String, u32>,
    /// Per rule: its kind and the distinct fingerprints of its values.
    per_rule: BTreeMap<String, (FormKind, HashSet<String>, u64)>,
    categories: BTreeMap<FormKind, HashSet<String>>,
    records: HashSet<RecordKey>,
    identifying_records: HashSet<RecordKey>,
    /// Per table (input, table): rows read, and whether a column identifies by its name alone.
    tables_read: HashMap<(u32, u32), (u64, bool)>,
    countries: BTreeMap<String, HashSet<String>>,
    children: HashSet<String>,
    protected: Vec<String>,
    /// Inputs not read completely: (path, why).
    pub failed: Vec<(String, String)>,
}

impl BreachSink {
    /// A sink counting children at `reference` (the day of discovery; today when `None`).
    pub fn new(reference: Option<NaiveDate>) -> Self {
        BreachSink {
            reference,
            ..BreachSink::default()
        }
    }

    fn id(map: &mut HashMap<String, u32>, key: &str) -> u32 {
        let next = map.len() as u32;
        *map.entry(key.to_string()).or_insert(next)
    }

    fn record_of(&mut self, f: &Finding) -> RecordKey {
        let input = Self::id(&mut self.inputs, &f.path);
        match &f.location {
            Location::Cell { table, row, .. } => (input, Self::id(&mut self.tables, table), *row),
            Location::Text { line, .. } => (input, u32::MAX, *line),
            // A name holding personal data is a record of its own (the table's or file's).
            Location::Name { table, .. } => (input, Self::id(&mut self.tables, table), 0),
            Location::Path { .. } => (input, u32::MAX - 1, 0),
        }
    }

    fn note_country(&mut self, f: &Finding) {
        let country = match &*f.rule {
            "nl.bsn" | "nl.id_document" | "nl.licence_plate" | "nl.postcode" => Some("NL".into()),
            "be.national_number" => Some("BE".into()),
            "iban" => f
                .value
                .get(..2)
                .filter(|c| c.bytes().all(|b| b.is_ascii_alphabetic()))
                .map(str::to_ascii_uppercase),
            "phone" => phone_country(&f.value),
            _ => None,
        };
        if let Some(c) = country {
            self.countries
                .entry(c)
                .or_default()
                .insert(f.fingerprint.clone());
        }
    }

    fn note_child(&mut self, f: &Finding) {
        if !f.category.starts_with("user.demographic.date_of_birth") {
            return;
        }
        let Some(born) = parse_date(&f.value) else {
            return;
        };
        let at = self
            .reference
            .unwrap_or_else(|| chrono::Local::now().date_naive());
        let mut age = at.year() - born.year();
        if (at.month(), at.day()) < (born.month(), born.day()) {
            age -= 1;
        }
        if (0..CHILD_AGE).contains(&age) {
            self.children.insert(f.fingerprint.clone());
        }
    }

    /// The assessment of everything received, for a breach discovered at `discovered`.
    pub fn assess(&self, discovered: Option<NaiveDateTime>) -> Assessment {
        let mut categories = Vec::new();
        for (kind, cats) in &self.categories {
            let (findings, distinct) = self
                .per_rule
                .values()
                .filter(|(k, _, _)| k == kind)
                .fold((0, 0), |(n, d), (_, fps, count)| {
                    (n + count, d + fps.len() as u64)
                });
            let mut taxonomy: Vec<String> = cats.iter().cloned().collect();
            taxonomy.sort();
            categories.push(KindCount {
                kind: *kind,
                findings,
                distinct_values: distinct,
                taxonomy,
            });
        }
        let (by_name_rows, by_name_max): (u64, u64) = self
            .tables_read
            .values()
            .fold((0, 0), |(rows, ident), (n, by_name)| {
                (rows + n, ident + if *by_name { *n } else { 0 })
            });
        let tables_by_name: HashSet<(u32, u32)> = self
            .tables_read
            .iter()
            .filter(|(_, (_, by_name))| *by_name)
            .map(|(k, _)| *k)
            .collect();
        let in_tables_read = |r: &RecordKey| self.tables_read.contains_key(&(r.0, r.1));
        // Records: every row of a table holding personal data, and every text line with a
        // finding.
        let records =
            by_name_rows + self.records.iter().filter(|r| !in_tables_read(r)).count() as u64;
        let people_max = by_name_max
            + self
                .identifying_records
                .iter()
                .filter(|r| !tables_by_name.contains(&(r.0, r.1)))
                .count() as u64;
        let counted = |with_names: bool| {
            self.per_rule
                .iter()
                .filter(|(rule, (k, _, _))| {
                    k.identifies() && (with_names || *rule != "person_name")
                })
                .map(|(rule, (_, fps, _))| (rule.clone(), fps.len() as u64))
                .max_by_key(|(rule, n)| (*n, std::cmp::Reverse(rule.clone())))
        };
        let (minimum_rule, people_min) = match counted(false).filter(|(_, n)| *n > 0) {
            Some(best) => (Some(best.0), best.1),
            None => counted(true).map_or((None, 0), |(r, n)| (Some(r), n)),
        };
        let special: Vec<String> = self
            .categories
            .get(&FormKind::Special)
            .map(|c| {
                let mut v: Vec<String> = c.iter().cloned().collect();
                v.sort();
                v
            })
            .unwrap_or_default();
        let countries = self
            .countries
            .iter()
            .map(|(c, fps)| (c.clone(), fps.len() as u64))
            .collect();
        Assessment {
            records,
            people_min,
            people_max: people_max.max(people_min),
            method: Method {
                minimum_rule: minimum_rule.clone(),
                minimum: minimum_rule.map_or_else(
                    || "no identifying value was found".to_string(),
                    |r| format!("the largest number of distinct values of one identifying kind: {r} (distinct by keyed fingerprint; spellings of one value count once)"),
                ),
                maximum: "the number of records (table rows, text lines) holding any identifying value; every row of a table with a column identifying by its name counts".to_string(),
            },
            categories,
            countries,
            special_categories: special,
            criminal: self.categories.contains_key(&FormKind::Criminal),
            children: self.children.len() as u64,
            protected: self.protected.clone(),
            discovered: discovered.map(|d| d.format("%Y-%m-%d %H:%M").to_string()),
            deadline: discovered.map(|d| {
                (d + chrono::Duration::hours(72))
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            }),
            severity: Severity::of(&self.categories.keys().copied().collect::<Vec<_>>()),
            // Names of what was not read are masked as every output masks them.
            not_read: self
                .failed
                .iter()
                .map(|(path, why)| (crate::names::mask(path).into_owned(), why.clone()))
                .collect(),
        }
    }
}

impl Sink for BreachSink {
    fn findings(&mut self, batch: &[Finding]) -> io::Result<()> {
        for f in batch {
            let kind = FormKind::of(&f.category);
            let entry = self
                .per_rule
                .entry(f.rule.to_string())
                .or_insert_with(|| (kind, HashSet::new(), 0));
            entry.1.insert(f.fingerprint.clone());
            entry.2 += 1;
            self.categories
                .entry(kind)
                .or_default()
                .insert(f.category.to_string());
            let record = self.record_of(f);
            self.records.insert(record);
            if kind.identifies() {
                self.identifying_records.insert(record);
            }
            self.note_country(f);
            self.note_child(f);
        }
        Ok(())
    }

    fn columns(&mut self, input: InputName<'_>, verdicts: &[ColumnVerdict]) -> io::Result<()> {
        let id = Self::id(&mut self.inputs, input.path);
        for v in verdicts {
            let kind = FormKind::of(&v.category);
            let table = Self::id(&mut self.tables, &v.table);
            let slot = self.tables_read.entry((id, table)).or_insert((0, false));
            slot.0 = slot.0.max(v.rows_scanned);
            if v.rule == "column_name" {
                self.categories
                    .entry(kind)
                    .or_default()
                    .insert(v.category.clone());
                slot.1 |= kind.identifies();
            }
            if looks_protected(&v.column) {
                self.protected.push(format!(
                    "{} {}.{}",
                    crate::names::mask(input.path),
                    crate::names::mask(&v.table),
                    crate::names::mask(&v.column)
                ));
            }
        }
        Ok(())
    }

    fn input_done(&mut self, report: &InputReport) -> io::Result<()> {
        let why = match &report.status {
            crate::pipeline::InputStatus::Failed(w) | crate::pipeline::InputStatus::Partial(w) => {
                Some(w.clone())
            }
            s => s.skip_reason().map(|r| format!("not read: {}", r.label())),
        };
        if let Some(why) = why {
            self.failed.push((report.path.to_string(), why));
        }
        Ok(())
    }
}

/// Does a column's name say its values are hashed, encrypted or pseudonymised?
fn looks_protected(column: &str) -> bool {
    let c = column.to_ascii_lowercase();
    [
        "hash",
        "sha1",
        "sha256",
        "md5",
        "bcrypt",
        "encrypted",
        "versleuteld",
        "cipher",
        "pseudoniem",
        "pseudonym",
        "token",
        "wachtwoord",
        "password",
    ]
    .iter()
    .any(|w| c.contains(w))
}

/// The country of an international phone number (`+32 …`, `0032 …`); national forms are not
/// guessed.
fn phone_country(value: &str) -> Option<String> {
    let compact: String = value
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    let international = if let Some(rest) = compact.strip_prefix("00") {
        format!("+{rest}")
    } else if compact.starts_with('+') {
        compact
    } else {
        return None;
    };
    let number = phonenumber::parse(None, &international).ok()?;
    let id = number.country().id()?;
    Some(format!("{id:?}"))
}

/// A date as people write it: `1990-05-17`, `17-05-1990`, `17/05/1990`, `17.05.1990`.
fn parse_date(value: &str) -> Option<NaiveDate> {
    let v = value.trim();
    for format in ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(v, format) {
            return Some(d);
        }
    }
    None
}

/// How the numbers of people were counted.
#[derive(Debug, Clone, Serialize)]
pub struct Method {
    /// The rule whose distinct values gave the minimum.
    pub minimum_rule: Option<String>,
    /// How the minimum was counted.
    pub minimum: String,
    /// How the maximum was counted.
    pub maximum: String,
}

/// One of the form's kinds with its counts.
#[derive(Debug, Clone, Serialize)]
pub struct KindCount {
    /// The kind.
    pub kind: FormKind,
    /// Values found of this kind (cells and text spans).
    pub findings: u64,
    /// Distinct values (keyed fingerprints) per rule, summed over the kind's rules.
    pub distinct_values: u64,
    /// The taxonomy categories seen of this kind.
    pub taxonomy: Vec<String>,
}

/// ENISA's severity method, as far as a scan can take it: the data-processing context and the
/// ease of identification come from the data; the circumstances of the breach are left to the
/// person filling in the form.
#[derive(Debug, Clone, Serialize)]
pub struct Severity {
    /// Data-processing context: the highest score of the kinds present (1 to 4).
    pub dpc: u8,
    /// Why that score.
    pub dpc_reason: String,
    /// Ease of identification (0.25, 0.5, 0.75 or 1).
    pub ei: f64,
    /// Why that value.
    pub ei_reason: String,
    /// DPC × EI, before the circumstances of the breach are added.
    pub score_before_circumstances: f64,
    /// The level of that score: low, medium, high, very high.
    pub level_before_circumstances: &'static str,
}

impl Severity {
    fn of(kinds: &[FormKind]) -> Severity {
        let top = kinds.iter().copied().max_by_key(|k| k.enisa_dpc());
        let dpc = top.map_or(0, FormKind::enisa_dpc);
        let dpc_reason = match top {
            None => "no personal data found".to_string(),
            Some(k) => format!(
                "the most sensitive kind present is {} (ENISA: 1 simple, 2 behavioural, 3 financial or identity-fraud prone, 4 sensitive)",
                k.label(crate::register::labels::Lang::En).to_lowercase()
            ),
        };
        let direct = kinds.iter().any(|k| {
            matches!(
                k,
                FormKind::NameAddress
                    | FormKind::NationalNumber
                    | FormKind::IdDocument
                    | FormKind::Contact
            )
        });
        let indirect = kinds.iter().any(|k| {
            matches!(
                k,
                FormKind::Financial | FormKind::OnlineIdentifier | FormKind::BirthDate
            )
        });
        let (ei, ei_reason) = if direct {
            (
                1.0,
                "maximal: names, national numbers or contact details identify people directly",
            )
        } else if indirect {
            (0.5, "limited: only indirect identifiers (accounts, online identifiers, dates) without names")
        } else {
            (0.25, "negligible: no identifier found")
        };
        let score = f64::from(dpc) * ei;
        Severity {
            dpc,
            dpc_reason,
            ei,
            ei_reason: ei_reason.to_string(),
            score_before_circumstances: score,
            level_before_circumstances: if score < 2.0 {
                "low"
            } else if score < 3.0 {
                "medium"
            } else if score < 4.0 {
                "high"
            } else {
                "very high"
            },
        }
    }
}

/// The assessment: what the notification form asks that a scan can answer.
#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    /// Records holding personal data (table rows, text lines).
    pub records: u64,
    /// The fewest people the data can concern.
    pub people_min: u64,
    /// The most people the data can concern.
    pub people_max: u64,
    /// How both were counted.
    pub method: Method,
    /// The form's kinds present, with counts.
    pub categories: Vec<KindCount>,
    /// Countries the identifiers point to, with distinct values per country.
    pub countries: BTreeMap<String, u64>,
    /// Special categories (Art. 9) seen, as taxonomy ids.
    pub special_categories: Vec<String>,
    /// Criminal data (Art. 10) seen.
    pub criminal: bool,
    /// Distinct dates of birth of people under [`CHILD_AGE`] at the day of discovery.
    pub children: u64,
    /// Columns whose names say their values are hashed, encrypted or pseudonymised.
    pub protected: Vec<String>,
    /// When the breach was discovered, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discovered: Option<String>,
    /// 72 hours after discovery: the notification deadline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<String>,
    /// ENISA severity hints.
    pub severity: Severity,
    /// Inputs not read completely: the numbers above may be too low.
    pub not_read: Vec<(String, String)>,
}

/// Parses `--discovered`: `YYYY-MM-DD HH:MM` (or `YYYY-MM-DDTHH:MM`), or a date alone (00:00).
pub fn parse_discovered(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    for format in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, format) {
            return Some(d);
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn finding(rule: &str, category: &str, value: &str, fp: &str, row: u64) -> Finding {
        Finding {
            path: Arc::from("leak.csv"),
            project_path: Arc::from("leak.csv"),
            rule: Arc::from(rule),
            category: Arc::from(category),
            confidence: crate::finding::Confidence::High,
            location: Location::Cell {
                table: "leak".into(),
                column: "c".into(),
                row,
                line: None,
            },
            value: value.into(),
            masked: String::new(),
            fingerprint: fp.into(),
            explanation: None,
        }
    }

    #[test]
    fn minimum_and_maximum_people() {
        let mut s = BreachSink::new(NaiveDate::from_ymd_opt(2026, 12, 1));
        let batch = vec![
            finding("email", "user.contact.email", "a@x.nl", "e1", 1),
            finding("email", "user.contact.email", "a@x.nl", "e1", 2),
            finding("email", "user.contact.email", "b@x.nl", "e2", 3),
            finding(
                "nl.bsn",
                "user.government_id.national_identification_number.nl_bsn",
                "111222333",
                "b1",
                1,
            ),
            finding("ipv4", "user.device.ip_address", "192.0.2.1", "i1", 4),
        ];
        s.findings(&batch).expect("sink");
        let a = s.assess(None);
        assert_eq!(a.people_min, 2, "two distinct e-mail addresses");
        assert_eq!(
            a.people_max, 3,
            "rows 1, 2 and 3 hold an identifying value; row 4 only an IP"
        );
        assert_eq!(a.records, 4);
        assert_eq!(a.countries.get("NL"), Some(&1));
        assert!(a.method.minimum.contains("email"));
    }

    #[test]
    fn children_are_counted_at_the_day_of_discovery() {
        let mut s = BreachSink::new(NaiveDate::from_ymd_opt(2026, 12, 1));
        let batch = vec![
            finding(
                "date_of_birth",
                "user.demographic.date_of_birth",
                "2012-06-01",
                "d1",
                1,
            ),
            finding(
                "date_of_birth",
                "user.demographic.date_of_birth",
                "10-12-2010",
                "d2",
                2,
            ),
            finding(
                "date_of_birth",
                "user.demographic.date_of_birth",
                "1980-01-01",
                "d3",
                3,
            ),
        ];
        s.findings(&batch).expect("sink");
        // 14, and 15 until the birthday on 10 December: both children; 46 is not.
        assert_eq!(s.assess(None).children, 2);
    }

    #[test]
    fn the_deadline_is_72_hours_after_discovery() {
        let s = BreachSink::default();
        let a = s.assess(parse_discovered("2026-12-01 09:30"));
        assert_eq!(a.deadline.as_deref(), Some("2026-12-04 09:30"));
        assert!(parse_discovered("1 december").is_none());
    }

    #[test]
    fn international_phone_numbers_give_their_country() {
        assert_eq!(phone_country("+32 470 12 34 56").as_deref(), Some("BE"));
        assert_eq!(phone_country("0031 6 12345678").as_deref(), Some("NL"));
        assert_eq!(phone_country("06 12345678"), None);
    }

    #[test]
    fn severity_before_circumstances() {
        let s = Severity::of(&[FormKind::Contact, FormKind::Special]);
        assert_eq!((s.dpc, s.ei), (4, 1.0));
        assert_eq!(s.level_before_circumstances, "very high");
        let s = Severity::of(&[FormKind::OnlineIdentifier]);
        assert_eq!(s.level_before_circumstances, "low");
    }
}
