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
    /// The rows summed up once, so that each measure costs the distinct combinations (and
    /// persons), not the rows.
    prepared: std::sync::OnceLock<Prepared>,
}

/// Indexes of the quasi-identifiers, the entity and the sensitive column in a table's columns.
type ColumnIndexes = (Vec<usize>, Option<usize>, Option<usize>);

/// A person's distinct combinations and distinct sensitive values.
type PersonRows = (Vec<u32>, Vec<u32>);

/// What every measure needs, computed once from the rows.
#[derive(Debug, Default)]
struct Prepared {
    /// Per combination: its rows, and the distinct sensitive values they hold.
    tuple_rows: Vec<u64>,
    tuple_sensitive: Vec<Vec<u32>>,
    /// Per person (entity value, or a row without one): the distinct combinations and the
    /// distinct sensitive values of their rows.
    persons: Vec<PersonRows>,
}

impl Prepared {
    fn of(c: &Collected) -> Prepared {
        let n = c.tuples.len();
        let mut tuple_rows = vec![0u64; n];
        let mut tuple_sensitive: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut by_person: HashMap<PersonKey, PersonRows> = HashMap::new();
        for (i, r) in c.rows.iter().enumerate() {
            tuple_rows[r.tuple as usize] += 1;
            if let Some(s) = r.sensitive {
                tuple_sensitive[r.tuple as usize].push(s);
            }
            if c.entity.is_some() {
                let who = match r.entity {
                    Some(e) => PersonKey::Entity(e),
                    None => PersonKey::Row(i as u32),
                };
                let p = by_person.entry(who).or_default();
                p.0.push(r.tuple);
                p.1.extend(r.sensitive);
            }
        }
        for v in &mut tuple_sensitive {
            v.sort_unstable();
            v.dedup();
        }
        let mut persons: Vec<(PersonKey, PersonRows)> = by_person.into_iter().collect();
        persons.sort_unstable_by_key(|(k, _)| *k);
        let persons = persons
            .into_iter()
            .map(|(_, (mut t, mut s))| {
                t.sort_unstable();
                t.dedup();
                s.sort_unstable();
                s.dedup();
                (t, s)
            })
            .collect();
        Prepared {
            tuple_rows,
            tuple_sensitive,
            persons,
        }
    }
}

impl Collected {
    /// Rows read.
    pub fn rows(&self) -> u64 {
        self.rows.len() as u64
    }

    fn prepared(&self) -> &Prepared {
        self.prepared.get_or_init(|| Prepared::of(self))
    }

    /// The risk when each distinct combination `i` is read as class `class_of[i]` (the
    /// identity for the data as it is; a generalisation maps several onto one). Costs the
    /// distinct combinations (and, with an entity, the persons), not the rows.
    pub fn measure(&self, class_of: &[u32]) -> Risk {
        let Sizes { classes, diversity } = if self.entity.is_some() {
            self.per_person(class_of)
        } else {
            self.per_row(class_of)
        };
        // Every record of a class of n sees n: the sums run over classes.
        let records: u64 = classes.iter().sum();
        let k = classes.iter().copied().min().unwrap_or(0);
        let share = |n: f64| {
            if records == 0 {
                0.0
            } else {
                n / records as f64
            }
        };
        let alone = classes.iter().filter(|&&n| n == 1).count();
        let below5: u64 = classes.iter().filter(|&&n| n < 5).sum();
        // A class of n holds n records of risk 1/n each: 1 per class.
        let risk_sum = classes.len() as f64;
        Risk {
            table: self.table.clone(),
            quasi: self.quasi.clone(),
            entity: self.entity.clone(),
            sensitive: self.sensitive.clone(),
            records,
            classes: classes.len() as u64,
            k,
            unique_share: share(alone as f64),
            max_risk: if k == 0 { 0.0 } else { 1.0 / k as f64 },
            average_risk: share(risk_sum),
            share_below_5: share(below5 as f64),
            l: self.sensitive.as_ref().map(|_| diversity),
        }
    }

    /// Without an entity: a record is a row, its class the combination it holds; l is the
    /// fewest distinct sensitive values in a class.
    fn per_row(&self, class_of: &[u32]) -> Sizes {
        let p = self.prepared();
        let mut size: HashMap<u32, u64> = HashMap::new();
        let mut values: HashMap<u32, std::collections::HashSet<u32>> = HashMap::new();
        for (t, &rows) in p.tuple_rows.iter().enumerate() {
            if rows == 0 {
                continue;
            }
            let c = class_of[t];
            *size.entry(c).or_default() += rows;
            let v = values.entry(c).or_default();
            v.extend(p.tuple_sensitive[t].iter().copied());
        }
        let diversity = values.values().map(|v| v.len() as u64).min().unwrap_or(0);
        Sizes {
            classes: size.into_values().collect(),
            diversity,
        }
    }

    /// With an entity: a record is a person, described by the set of classes their rows hold
    /// (what an attacker who knows all of them can match); persons with the same set form a
    /// class. Rows without an entity value are each a person of their own.
    ///
    /// l counts what an attacker who places a person in their class cannot tell apart: each
    /// person's sensitive values are one set, and l is the number of distinct sets in the class
    /// (persons without a value count none), except that a value every person of the class
    /// holds is learned for certain, and gives l = 1. (Counting the union of the class's
    /// values instead would give a person with `griep` and `burn-out` alone in a class l = 2,
    /// though both of their values are known.)
    fn per_person(&self, class_of: &[u32]) -> Sizes {
        let p = self.prepared();
        let mut group_of: HashMap<Vec<u32>, usize> = HashMap::new();
        let mut groups: Vec<(u64, Vec<&[u32]>)> = Vec::new();
        let mut profile: Vec<u32> = Vec::new();
        for (tuples, sensitive) in &p.persons {
            profile.clear();
            profile.extend(tuples.iter().map(|&t| class_of[t as usize]));
            profile.sort_unstable();
            profile.dedup();
            let next = groups.len();
            let g = match group_of.get(profile.as_slice()) {
                Some(&g) => g,
                None => {
                    group_of.insert(profile.clone(), next);
                    groups.push((0, Vec::new()));
                    next
                }
            };
            groups[g].0 += 1;
            groups[g].1.push(sensitive);
        }
        let diversity = if self.sensitive.is_some() {
            groups
                .iter()
                .map(|(_, sets)| class_diversity(sets))
                .min()
                .unwrap_or(0)
        } else {
            0
        };
        Sizes {
            classes: groups.iter().map(|(n, _)| *n).collect(),
            diversity,
        }
    }
}

/// l of one class of persons, each with their sorted, distinct sensitive values (see
/// [`Collected::per_person`]).
fn class_diversity(sets: &[&[u32]]) -> u64 {
    let held: Vec<&[u32]> = sets.iter().copied().filter(|s| !s.is_empty()).collect();
    if held.is_empty() {
        return 0;
    }
    // A value in every person's set (persons without any included: they are in the class too,
    // but an attacker who knows the target has a value learns it from the others).
    let first = held[0];
    let certain = first
        .iter()
        .any(|v| held.iter().all(|s| s.binary_search(v).is_ok()));
    if certain {
        return 1;
    }
    let distinct: std::collections::HashSet<&[u32]> = held.into_iter().collect();
    distinct.len() as u64
}

/// A person: an entity value, or a row that has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum PersonKey {
    Entity(u32),
    Row(u32),
}

/// The size of each class, in records, and l.
struct Sizes {
    classes: Vec<u64>,
    diversity: u64,
}

/// Splits `table.column` where the input holds several tables.
fn split_name(name: &str, multi_table: bool) -> (Option<&str>, &str) {
    match name.rsplit_once('.') {
        Some((t, c)) if multi_table => (Some(t), c),
        _ => (None, name),
    }
}

/// The tables of an input with their columns (the longest list a reader gave: a dump's
/// `ALTER TABLE`, NDJSON keys that appear late).
#[derive(Default)]
struct Schemas {
    tables: Vec<(String, Vec<String>)>,
}

impl TableSink for Schemas {
    fn begin(&mut self, table: &str, columns: &[String]) {
        match self.tables.iter_mut().find(|(t, _)| t == table) {
            Some((_, known)) if known.len() < columns.len() => *known = columns.to_vec(),
            Some(_) => {}
            None => self.tables.push((table.to_string(), columns.to_vec())),
        }
    }
    fn row(&mut self, _cells: &[Option<&[u8]>]) -> bool {
        true
    }
    fn end(&mut self) {}
}

/// Collects every row of the chosen table, wherever in the input its rows come (a table a
/// dump resumes later, rows before a late column appeared: that column is NULL in them).
struct Collector<'q> {
    target: String,
    /// Indexes of the quasi-identifiers, the entity and the sensitive column, in the table's
    /// full column list (a reader's earlier, shorter lists are its first columns).
    idx: ColumnIndexes,
    active: bool,
    notices: Vec<String>,
    out: &'q mut Collected,
    tuple_ids: HashMap<Vec<Option<String>>, u32>,
    entity_ids: HashMap<Vec<u8>, u32>,
    sensitive_ids: HashMap<Vec<u8>, u32>,
}

impl TableSink for Collector<'_> {
    fn begin(&mut self, table: &str, _columns: &[String]) {
        self.active = table == self.target;
    }

    fn row(&mut self, cells: &[Option<&[u8]>]) -> bool {
        if !self.active {
            return true;
        }
        let (quasi, entity, sensitive) = &self.idx;
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
        self.active = false;
    }
}

/// Reads the table of `path` that holds every column of `query`: a first pass learns the
/// tables and their columns, a second reads the chosen table's rows.
///
/// # Errors
/// The file cannot be read, no table has all the columns, several do and the names do not say
/// which (`table.column`), the names point at different tables, or the reader could not read
/// every row (a risk measured on part of a table would look better than it is).
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
    let usage = |m: String| crate::Error::Usage(format!("{}: {m}", path.display()));
    if tables.len() > 1 {
        return Err(usage(format!(
            "the columns name several tables ({}); risk is measured within one table",
            tables.join(", ")
        )));
    }
    let want = tables.pop();
    let mut schemas = Schemas::default();
    super::verify::read_table(path, format, &mut schemas).map_err(|e| crate::Error::io(path, e))?;
    let find =
        |columns: &[String], name: &str| columns.iter().position(|c| c.eq_ignore_ascii_case(name));
    let resolve = |columns: &[String]| -> Result<ColumnIndexes, String> {
        let quasi: Option<Vec<usize>> = quasi.iter().map(|q| find(columns, q)).collect();
        let quasi = quasi
            .ok_or_else(|| format!("lacks some of the columns {}", quasi_names(&query.quasi)))?;
        let entity = match &entity {
            Some(e) => Some(find(columns, e).ok_or_else(|| format!("has no entity column {e}"))?),
            None => None,
        };
        let sensitive = match &sensitive {
            Some(s) => {
                Some(find(columns, s).ok_or_else(|| format!("has no sensitive column {s}"))?)
            }
            None => None,
        };
        Ok((quasi, entity, sensitive))
    };
    let (target, idx) = match &want {
        Some(t) => {
            let Some((name, columns)) = schemas
                .tables
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(t))
            else {
                return Err(usage(format!("has no table {t}")));
            };
            let idx = resolve(columns).map_err(|m| usage(format!("table {name} {m}")))?;
            (name.clone(), idx)
        }
        None => {
            let fitting: Vec<(&String, ColumnIndexes)> = schemas
                .tables
                .iter()
                .filter_map(|(name, columns)| resolve(columns).ok().map(|i| (name, i)))
                .collect();
            let mut fitting = fitting;
            if fitting.len() > 1 {
                let names: Vec<&str> = fitting.iter().map(|(n, _)| n.as_str()).collect();
                return Err(usage(format!(
                    "the tables {} all have the columns {}: name the one to measure as table.column (--quasi {}.{})",
                    names.join(", "),
                    quasi_names(&query.quasi),
                    names[0],
                    query.quasi.first().map(String::as_str).unwrap_or("")
                )));
            }
            match fitting.pop() {
                Some((name, idx)) => (name.clone(), idx),
                None => {
                    // Say what is wrong with a table that has the quasi-identifiers.
                    let why =
                        schemas
                            .tables
                            .iter()
                            .find_map(|(name, columns)| match resolve(columns) {
                                Err(m) if !m.starts_with("lacks") => {
                                    Some(format!("table {name} {m}"))
                                }
                                _ => None,
                            });
                    return Err(usage(why.unwrap_or_else(|| {
                        format!(
                            "no table has all of the columns {}",
                            quasi_names(&query.quasi)
                        )
                    })));
                }
            }
        }
    };
    let mut out = Collected {
        table: target.clone(),
        quasi: query.quasi.clone(),
        entity: query.entity.clone(),
        sensitive: query.sensitive.clone(),
        ..Collected::default()
    };
    let mut sink = Collector {
        target,
        idx,
        active: false,
        notices: Vec::new(),
        out: &mut out,
        tuple_ids: HashMap::new(),
        entity_ids: HashMap::new(),
        sensitive_ids: HashMap::new(),
    };
    super::verify::read_table(path, format, &mut sink).map_err(|e| crate::Error::io(path, e))?;
    if !sink.notices.is_empty() {
        return Err(usage(format!(
            "not every row could be read ({}); risk is only measured on a whole table",
            sink.notices.join("; ")
        )));
    }
    Ok(out)
}

fn quasi_names(quasi: &[String]) -> String {
    quasi.join(", ")
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
