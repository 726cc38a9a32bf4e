//! Re-identification risk of a table over chosen quasi-identifiers: k-anonymity (counted per
//! person when an entity column says which rows belong to one person), the share of unique
//! records, prosecutor risk, and l-diversity of a sensitive column; and, in [`target`], the
//! least generalisation that reaches a target k, as ARX searches its lattice.
//!
//! The table is read once into interned values (each distinct quasi-identifier combination
//! once, each row three small numbers), so measuring many generalisations of it costs the
//! number of distinct combinations, not the number of rows.

pub mod target;

use crate::source::table::{TableFormat, TableSink};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// What to measure: the quasi-identifiers, and optionally the entity and sensitive columns.
/// Every column is named the same way: `column`, or `table.column` for inputs holding several
/// tables (SQL dumps, SQLite); all must name one table.
#[derive(Debug, Clone, Default)]
pub struct RiskQuery {
    /// The quasi-identifiers.
    pub quasi: Vec<String>,
    /// The column identifying a person (several rows per person).
    pub entity: Option<String>,
    /// A sensitive column, for l-diversity.
    pub sensitive: Option<String>,
}

/// Re-identification risk over quasi-identifiers.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Risk {
    /// The table measured.
    pub table: String,
    /// The quasi-identifiers.
    pub quasi: Vec<String>,
    /// The entity column, if records were grouped by entity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// The sensitive column, if l-diversity was measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<String>,
    /// Records: rows, or distinct persons when an entity column is given.
    pub records: u64,
    /// Equivalence classes: distinct combinations of the quasi-identifiers (per person: distinct
    /// sets of the combinations their rows hold).
    pub classes: u64,
    /// k: the size of the smallest class, in records.
    pub k: u64,
    /// Share of records alone in their class.
    pub unique_share: f64,
    /// Prosecutor risk of the most exposed record: 1 / k.
    pub max_risk: f64,
    /// Average prosecutor risk: the mean over records of 1 / the size of their class.
    pub average_risk: f64,
    /// Share of records in a class smaller than 5 (a common threshold).
    pub share_below_5: f64,
    /// l: the fewest distinct sensitive values in any class (distinct l-diversity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub l: Option<u64>,
}

/// One row, interned: its combination of quasi-identifiers, its person and its sensitive
/// value.
#[derive(Debug, Clone, Copy)]
struct RowRef {
    tuple: u32,
    entity: Option<u32>,
    sensitive: Option<u32>,
}

/// A table read for risk: every distinct combination once, every row as references.
#[derive(Debug, Default)]
pub struct Collected {
    /// The table measured.
    pub table: String,
    /// The quasi-identifier columns, as the user named them.
    pub quasi: Vec<String>,
    /// The entity column, as named.
    pub entity: Option<String>,
    /// The sensitive column, as named.
    pub sensitive: Option<String>,
    /// The distinct combinations of quasi-identifier values, in order of appearance.
    pub tuples: Vec<Vec<Option<String>>>,
    rows: Vec<RowRef>,
}

impl Collected {
    /// Rows read.
    pub fn rows(&self) -> u64 {
        self.rows.len() as u64
    }

    /// The risk when each distinct combination `i` is read as class `class_of[i]` (the
    /// identity for the data as it is; a generalisation maps several onto one).
    pub fn measure(&self, class_of: &[u32]) -> Risk {
        let sizes = if self.entity.is_some() {
            self.per_person(class_of)
        } else {
            self.per_row(class_of)
        };
        let Sizes {
            classes,
            record_sizes,
            diversity,
        } = sizes;
        let records = record_sizes.len() as u64;
        let k = record_sizes.iter().copied().min().unwrap_or(0);
        let share = |n: f64| {
            if records == 0 {
                0.0
            } else {
                n / records as f64
            }
        };
        let alone = record_sizes.iter().filter(|&&n| n == 1).count();
        let below5 = record_sizes.iter().filter(|&&n| n < 5).count();
        let risk_sum: f64 = record_sizes.iter().map(|&n| 1.0 / n as f64).sum();
        Risk {
            table: self.table.clone(),
            quasi: self.quasi.clone(),
            entity: self.entity.clone(),
            sensitive: self.sensitive.clone(),
            records,
            classes,
            k,
            unique_share: share(alone as f64),
            max_risk: if k == 0 { 0.0 } else { 1.0 / k as f64 },
            average_risk: share(risk_sum),
            share_below_5: share(below5 as f64),
            l: self.sensitive.as_ref().map(|_| diversity),
        }
    }

    /// Without an entity: a record is a row, its class the combination it holds.
    fn per_row(&self, class_of: &[u32]) -> Sizes {
        let mut size: HashMap<u32, u64> = HashMap::new();
        let mut values: HashMap<u32, std::collections::HashSet<u32>> = HashMap::new();
        for r in &self.rows {
            let c = class_of[r.tuple as usize];
            *size.entry(c).or_default() += 1;
            if let Some(s) = r.sensitive {
                values.entry(c).or_default().insert(s);
            }
        }
        Sizes {
            classes: size.len() as u64,
            diversity: diversity(size.keys(), &values),
            record_sizes: self
                .rows
                .iter()
                .map(|r| size[&class_of[r.tuple as usize]])
                .collect(),
        }
    }

    /// With an entity: a record is a person, described by the set of classes their rows hold
    /// (what an attacker who knows all of them can match); persons with the same set form a
    /// class. Rows without an entity value are each a person of their own.
    fn per_person(&self, class_of: &[u32]) -> Sizes {
        let mut profile: HashMap<PersonKey, Vec<u32>> = HashMap::new();
        let mut sensitive: HashMap<PersonKey, Vec<u32>> = HashMap::new();
        for (i, r) in self.rows.iter().enumerate() {
            let who = match r.entity {
                Some(e) => PersonKey::Entity(e),
                None => PersonKey::Row(i as u32),
            };
            profile
                .entry(who)
                .or_default()
                .push(class_of[r.tuple as usize]);
            if let Some(s) = r.sensitive {
                sensitive.entry(who).or_default().push(s);
            }
        }
        let mut group_of: HashMap<Vec<u32>, u32> = HashMap::new();
        let mut group_size: Vec<u64> = Vec::new();
        let mut person_group: Vec<u32> = Vec::with_capacity(profile.len());
        let mut values: HashMap<u32, std::collections::HashSet<u32>> = HashMap::new();
        for (who, mut classes) in profile {
            classes.sort_unstable();
            classes.dedup();
            let next = group_size.len() as u32;
            let g = *group_of.entry(classes).or_insert(next);
            if g == next {
                group_size.push(0);
            }
            group_size[g as usize] += 1;
            person_group.push(g);
            if let Some(s) = sensitive.get(&who) {
                values.entry(g).or_default().extend(s.iter().copied());
            }
        }
        let groups: Vec<u32> = (0..group_size.len() as u32).collect();
        Sizes {
            classes: group_size.len() as u64,
            diversity: diversity(groups.iter(), &values),
            record_sizes: person_group
                .iter()
                .map(|&g| group_size[g as usize])
                .collect(),
        }
    }
}

/// A person: an entity value, or a row that has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum PersonKey {
    Entity(u32),
    Row(u32),
}

/// The class sizes seen by each record, the number of classes, and l.
struct Sizes {
    classes: u64,
    record_sizes: Vec<u64>,
    diversity: u64,
}

/// The fewest distinct sensitive values in any class (a class without any counts 0).
fn diversity<'a>(
    classes: impl Iterator<Item = &'a u32>,
    values: &HashMap<u32, std::collections::HashSet<u32>>,
) -> u64 {
    classes
        .map(|c| values.get(c).map_or(0, |v| v.len() as u64))
        .min()
        .unwrap_or(0)
}

/// Splits `table.column` where the input holds several tables.
fn split_name(name: &str, multi_table: bool) -> (Option<&str>, &str) {
    match name.rsplit_once('.') {
        Some((t, c)) if multi_table => (Some(t), c),
        _ => (None, name),
    }
}

/// Collects the rows of the one table that holds every named column.
struct Collector<'q> {
    quasi: Vec<String>,
    entity: Option<String>,
    sensitive: Option<String>,
    want_table: Option<String>,
    /// Column indexes in the table being read, once it qualifies.
    idx: Option<(Vec<usize>, Option<usize>, Option<usize>)>,
    done: bool,
    problem: Option<String>,
    notices: Vec<String>,
    out: &'q mut Collected,
    tuple_ids: HashMap<Vec<Option<String>>, u32>,
    entity_ids: HashMap<Vec<u8>, u32>,
    sensitive_ids: HashMap<Vec<u8>, u32>,
}

impl TableSink for Collector<'_> {
    fn begin(&mut self, table: &str, columns: &[String]) {
        if self.done || self.idx.is_some() {
            return;
        }
        if self.want_table.as_deref().is_some_and(|t| t != table) {
            return;
        }
        let find = |name: &str| columns.iter().position(|c| c.eq_ignore_ascii_case(name));
        let quasi: Option<Vec<usize>> = self.quasi.iter().map(|q| find(q)).collect();
        let missing = |what: &str, name: &str| format!("table {table} has no {what} column {name}");
        let Some(quasi) = quasi else {
            if self.want_table.is_some() {
                self.problem = Some(format!(
                    "table {table} lacks some of the columns {}",
                    self.quasi.join(", ")
                ));
            }
            return;
        };
        let entity = match self.entity.as_deref().map(|e| (e, find(e))) {
            Some((e, None)) => {
                self.problem = Some(missing("entity", e));
                return;
            }
            Some((_, i)) => i,
            None => None,
        };
        let sensitive = match self.sensitive.as_deref().map(|s| (s, find(s))) {
            Some((s, None)) => {
                self.problem = Some(missing("sensitive", s));
                return;
            }
            Some((_, i)) => i,
            None => None,
        };
        self.idx = Some((quasi, entity, sensitive));
        self.out.table = table.to_string();
    }

    fn row(&mut self, cells: &[Option<&[u8]>]) -> bool {
        let Some((quasi, entity, sensitive)) = &self.idx else {
            return true;
        };
        if self.done {
            return false;
        }
        let cell = |i: usize| cells.get(i).copied().flatten();
        let key: Vec<Option<String>> = quasi
            .iter()
            .map(|&i| cell(i).map(|b| String::from_utf8_lossy(b).into_owned()))
            .collect();
        let next = self.tuple_ids.len() as u32;
        let tuple = match self.tuple_ids.get(&key) {
            Some(&id) => id,
            None => {
                self.out.tuples.push(key.clone());
                self.tuple_ids.insert(key, next);
                next
            }
        };
        let intern = |ids: &mut HashMap<Vec<u8>, u32>, v: Option<&[u8]>| {
            v.filter(|v| !v.is_empty()).map(|v| {
                let next = ids.len() as u32;
                *ids.entry(v.to_vec()).or_insert(next)
            })
        };
        let entity = intern(&mut self.entity_ids, entity.and_then(cell));
        let sensitive = intern(&mut self.sensitive_ids, sensitive.and_then(cell));
        self.out.rows.push(RowRef {
            tuple,
            entity,
            sensitive,
        });
        true
    }

    fn notice(&mut self, message: &str) {
        self.notices.push(message.to_string());
    }

    fn end(&mut self) {
        if self.idx.is_some() {
            self.done = true;
        }
    }
}

/// Reads the table of `path` that holds every column of `query`.
///
/// # Errors
/// The file cannot be read, no table has all the columns, the names point at different
/// tables, or the reader could not read every row (a risk measured on part of a table would
/// look better than it is).
pub fn collect(path: &Path, format: TableFormat, query: &RiskQuery) -> crate::Result<Collected> {
    let multi = matches!(format, TableFormat::SqlDump | TableFormat::Sqlite);
    let mut tables = Vec::new();
    let mut bare = |name: &str| {
        let (t, c) = split_name(name, multi);
        tables.extend(t.map(str::to_string));
        c.to_string()
    };
    let quasi: Vec<String> = query.quasi.iter().map(|q| bare(q)).collect();
    let entity = query.entity.as_deref().map(&mut bare);
    let sensitive = query.sensitive.as_deref().map(&mut bare);
    tables.sort();
    tables.dedup();
    if tables.len() > 1 {
        return Err(crate::Error::Usage(format!(
            "{}: the columns name several tables ({}); risk is measured within one table",
            path.display(),
            tables.join(", ")
        )));
    }
    let mut out = Collected {
        quasi: query.quasi.clone(),
        entity: query.entity.clone(),
        sensitive: query.sensitive.clone(),
        ..Collected::default()
    };
    let mut sink = Collector {
        quasi,
        entity,
        sensitive,
        want_table: tables.pop(),
        idx: None,
        done: false,
        problem: None,
        notices: Vec::new(),
        out: &mut out,
        tuple_ids: HashMap::new(),
        entity_ids: HashMap::new(),
        sensitive_ids: HashMap::new(),
    };
    super::verify::read_table(path, format, &mut sink).map_err(|e| crate::Error::io(path, e))?;
    let (found, problem, notices) = (sink.idx.is_some(), sink.problem, sink.notices);
    if !found {
        return Err(crate::Error::Usage(format!(
            "{}: {}",
            path.display(),
            problem.unwrap_or_else(|| format!(
                "no table has all of the columns {}",
                query.quasi.join(", ")
            ))
        )));
    }
    if !notices.is_empty() {
        return Err(crate::Error::Usage(format!(
            "{}: not every row could be read ({}); risk is only measured on a whole table",
            path.display(),
            notices.join("; ")
        )));
    }
    Ok(out)
}

/// Measures the risk of a table file as it is.
///
/// # Errors
/// As [`collect`].
pub fn risk(path: &Path, format: TableFormat, query: &RiskQuery) -> crate::Result<Risk> {
    let data = collect(path, format, query)?;
    let identity: Vec<u32> = (0..data.tuples.len() as u32).collect();
    Ok(data.measure(&identity))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table from (quasi values, entity, sensitive) rows, as the collector builds it.
    fn table(rows: &[(&[&str], Option<&str>, Option<&str>)], entity: bool, l: bool) -> Collected {
        let mut c = Collected {
            table: "t".into(),
            quasi: vec!["q".into()],
            entity: entity.then(|| "e".into()),
            sensitive: l.then(|| "s".into()),
            ..Collected::default()
        };
        let mut ids: HashMap<Vec<Option<String>>, u32> = HashMap::new();
        let mut ents: HashMap<&str, u32> = HashMap::new();
        let mut sens: HashMap<&str, u32> = HashMap::new();
        for (q, e, s) in rows {
            let key: Vec<Option<String>> = q.iter().map(|v| Some(v.to_string())).collect();
            let next = ids.len() as u32;
            let tuple = *ids.entry(key.clone()).or_insert_with(|| {
                c.tuples.push(key);
                next
            });
            let n = ents.len() as u32;
            let entity = e.map(|e| *ents.entry(e).or_insert(n));
            let n = sens.len() as u32;
            let sensitive = s.map(|s| *sens.entry(s).or_insert(n));
            c.rows.push(RowRef {
                tuple,
                entity,
                sensitive,
            });
        }
        c
    }

    fn identity(c: &Collected) -> Vec<u32> {
        (0..c.tuples.len() as u32).collect()
    }

    #[test]
    fn rows_form_classes_by_their_combination() {
        let c = table(
            &[
                (&["1234", "1980"], None, None),
                (&["1234", "1980"], None, None),
                (&["1234", "1981"], None, None),
            ],
            false,
            false,
        );
        let r = c.measure(&identity(&c));
        assert_eq!((r.records, r.classes, r.k), (3, 2, 1));
        assert!((r.unique_share - 1.0 / 3.0).abs() < 1e-9);
        assert!((r.average_risk - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(r.l, None);
    }

    #[test]
    fn a_person_is_known_by_all_their_rows_together() {
        // Two persons visit both 1234 and 5678, a third only 1234: per row every class holds
        // two or more persons, but the third person's set of places is unique, and so is k.
        let c = table(
            &[
                (&["1234"], Some("a"), None),
                (&["5678"], Some("a"), None),
                (&["1234"], Some("b"), None),
                (&["5678"], Some("b"), None),
                (&["1234"], Some("c"), None),
            ],
            true,
            false,
        );
        let r = c.measure(&identity(&c));
        assert_eq!(r.records, 3, "three persons");
        assert_eq!(r.classes, 2, "{{1234, 5678}} and {{1234}}");
        assert_eq!(r.k, 1, "person c is alone in visiting only 1234");
        assert!((r.unique_share - 1.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn rows_without_a_person_are_persons_of_their_own() {
        let c = table(&[(&["x"], None, None), (&["x"], None, None)], true, false);
        let r = c.measure(&identity(&c));
        assert_eq!((r.records, r.k), (2, 2));
    }

    #[test]
    fn l_is_the_fewest_sensitive_values_in_a_class() {
        let c = table(
            &[
                (&["1234"], None, Some("griep")),
                (&["1234"], None, Some("burn-out")),
                (&["5678"], None, Some("griep")),
                (&["5678"], None, Some("griep")),
            ],
            false,
            true,
        );
        let r = c.measure(&identity(&c));
        assert_eq!(r.k, 2);
        assert_eq!(r.l, Some(1), "everyone in 5678 has the same diagnosis");
    }

    #[test]
    fn table_column_names_split_only_for_inputs_with_several_tables() {
        assert_eq!(
            split_name("klant.postcode", true),
            (Some("klant"), "postcode")
        );
        assert_eq!(split_name("context.ip", false), (None, "context.ip"));
    }
}
