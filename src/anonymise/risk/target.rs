//! The least generalisation of the quasi-identifiers that reaches a target k (and l), found as
//! ARX finds it: every column has a ladder of ever coarser forms, the combinations of rungs
//! form a lattice, and the lattice is searched from the bottom up, one height at a time, so the
//! first height with a solution holds the least generalised ones. Each rung is a method the
//! anonymiser has (`generalise` to month, year, age band, bucket or postcode4; `drop`), so the
//! answer is a policy that can be applied as it is.

use super::{Collected, Risk};
use crate::anonymise::transform::{generalise, Generalise};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

/// Lattices larger than this are not searched (the answer would take too long to be useful:
/// name fewer columns, or give their ladders).
pub const MAX_NODES: usize = 50_000;

/// The kinds of ladder a column can climb.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LadderKind {
    /// Dates: month, year, age bands of 5, 10 and 20 years.
    Date,
    /// Numbers: buckets of 5, 10, 50, 100 and 1000.
    Number,
    /// Dutch postcodes: the four digits.
    Postcode,
    /// Only dropping the column.
    Other,
    /// The column stays as it is.
    Fixed,
}

impl LadderKind {
    /// Parses a ladder name as given on the command line.
    pub fn parse(name: &str) -> Option<LadderKind> {
        Some(match name {
            "date" => LadderKind::Date,
            "number" => LadderKind::Number,
            "postcode" => LadderKind::Postcode,
            "drop" => LadderKind::Other,
            "none" | "keep" => LadderKind::Fixed,
            _ => return None,
        })
    }
}

/// One rung: how a column's values are written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Rung {
    /// As they are.
    Keep,
    /// Generalised.
    Generalise(#[serde(skip)] Generalise, String),
    /// The column removed.
    Drop,
}

impl Rung {
    /// The rung as a policy entry for `column` (`None` for [`Rung::Keep`]).
    pub fn policy_entry(&self, column: &str) -> Option<String> {
        let name = format!(
            "name = \"{}\"",
            column.replace('\\', "\\\\").replace('"', "\\\"")
        );
        match self {
            Rung::Keep => None,
            Rung::Drop => Some(format!("[[column]]\n{name}\nmethod = \"drop\"\n")),
            Rung::Generalise(g, _) => Some(format!(
                "[[column]]\n{name}\nmethod = \"generalise\"\n{}\n",
                match g {
                    Generalise::Year => "to = \"year\"".to_string(),
                    Generalise::Month => "to = \"month\"".to_string(),
                    Generalise::Postcode4 => "to = \"postcode4\"".to_string(),
                    Generalise::AgeBand { band, reference } => format!(
                        "to = \"age_band\"\nband = {band}\nreference_date = \"{}\"",
                        reference.format("%Y-%m-%d")
                    ),
                    Generalise::Bucket { size } => format!("to = \"bucket\"\nsize = {size}"),
                }
            )),
        }
    }

    /// A short label (`year`, `bucket 10`, `drop`).
    pub fn label(&self) -> &str {
        match self {
            Rung::Keep => "as is",
            Rung::Generalise(_, label) => label,
            Rung::Drop => "drop",
        }
    }

    fn write(&self, v: &str) -> Option<String> {
        match self {
            Rung::Keep => Some(v.to_string()),
            // A value the method cannot read stays as it is (as `on_invalid = "keep"` does):
            // the measure then errs on the side of risk.
            Rung::Generalise(g, _) => Some(generalise(g, v).unwrap_or_else(|_| v.to_string())),
            Rung::Drop => None,
        }
    }
}

/// The rungs of a ladder, from the data as it is to the column dropped.
pub fn ladder(kind: LadderKind, reference: NaiveDate) -> Vec<Rung> {
    let g = |g: Generalise, label: &str| Rung::Generalise(g, label.to_string());
    let mut rungs = vec![Rung::Keep];
    match kind {
        LadderKind::Fixed => return rungs,
        LadderKind::Date => {
            rungs.push(g(Generalise::Month, "month"));
            rungs.push(g(Generalise::Year, "year"));
            for band in [5, 10, 20] {
                rungs.push(g(
                    Generalise::AgeBand { band, reference },
                    &format!("age band {band}"),
                ));
            }
        }
        LadderKind::Number => {
            for size in [5.0, 10.0, 50.0, 100.0, 1000.0] {
                rungs.push(g(Generalise::Bucket { size }, &format!("bucket {size}")));
            }
        }
        LadderKind::Postcode => rungs.push(g(Generalise::Postcode4, "postcode4")),
        LadderKind::Other => {}
    }
    rungs.push(Rung::Drop);
    rungs
}

/// Guesses a column's ladder from its values: dates, Dutch postcodes, numbers, or other.
pub fn infer(values: &[&str]) -> LadderKind {
    let filled: Vec<&str> = values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .collect();
    if filled.is_empty() {
        return LadderKind::Other;
    }
    let most =
        |f: &dyn Fn(&str) -> bool| filled.iter().filter(|v| f(v)).count() * 10 >= filled.len() * 9;
    if most(&|v| generalise(&Generalise::Year, v).is_ok() && v.len() >= 8) {
        LadderKind::Date
    } else if most(&is_postcode) {
        LadderKind::Postcode
    } else if most(&|v| v.replace(',', ".").parse::<f64>().is_ok_and(f64::is_finite)) {
        LadderKind::Number
    } else {
        LadderKind::Other
    }
}

/// `1234 AB` or `1234AB`.
fn is_postcode(v: &str) -> bool {
    let compact: Vec<u8> = v.bytes().filter(|b| *b != b' ').collect();
    compact.len() == 6
        && compact[0] != b'0'
        && compact[..4].iter().all(u8::is_ascii_digit)
        && compact[4..].iter().all(u8::is_ascii_alphabetic)
}

/// A generalisation that reaches the target, with the risk it leaves.
#[derive(Debug, Clone, Serialize)]
pub struct Solution {
    /// Each quasi-identifier with the rung chosen for it.
    pub columns: Vec<(String, Rung)>,
    /// The risk after it.
    pub risk: Risk,
}

/// The outcome of a search.
#[derive(Debug, Clone, Serialize)]
pub struct Search {
    /// The target k.
    pub target_k: u64,
    /// The target l, if one was given.
    pub target_l: Option<u64>,
    /// Lattice nodes measured.
    pub nodes_measured: usize,
    /// The least generalisation found, if any reaches the target.
    pub solution: Option<Solution>,
}

/// Why a search was not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    /// The lattice has more than [`MAX_NODES`] nodes.
    #[error("the generalisation lattice has {0} combinations (at most {MAX_NODES} are searched): name fewer quasi-identifiers or give ladders with --generalise")]
    TooLarge(usize),
}

/// Each column's values at each rung, interned: `ids[column][rung][value index]`.
struct Interned {
    ids: Vec<Vec<Vec<u32>>>,
    /// Per distinct tuple, the index of its value in each column.
    value_of: Vec<Vec<u32>>,
}

fn intern(data: &Collected, ladders: &[Vec<Rung>]) -> Interned {
    let columns = data.quasi.len();
    let mut distinct: Vec<HashMap<Option<&str>, u32>> = vec![HashMap::new(); columns];
    let mut values: Vec<Vec<Option<&str>>> = vec![Vec::new(); columns];
    let mut value_of = Vec::with_capacity(data.tuples.len());
    for tuple in &data.tuples {
        let mut row = Vec::with_capacity(columns);
        for (c, v) in tuple.iter().enumerate() {
            let v = v.as_deref();
            let next = distinct[c].len() as u32;
            let id = *distinct[c].entry(v).or_insert_with(|| {
                values[c].push(v);
                next
            });
            row.push(id);
        }
        value_of.push(row);
    }
    let ids = ladders
        .iter()
        .enumerate()
        .map(|(c, rungs)| {
            rungs
                .iter()
                .map(|rung| {
                    let mut seen: HashMap<Option<String>, u32> = HashMap::new();
                    values[c]
                        .iter()
                        .map(|v| {
                            let written = v.and_then(|v| rung.write(v));
                            let next = seen.len() as u32;
                            *seen.entry(written).or_insert(next)
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    Interned { ids, value_of }
}

/// Searches the lattice of `ladders` (one per quasi-identifier, in order) for the least
/// generalisation with k ≥ `target_k` and, if given, l ≥ `target_l`. Among the solutions of the
/// lowest height, the one dropping the fewest columns and then with the smallest average risk
/// wins.
///
/// # Errors
/// The lattice is too large to search.
pub fn search(
    data: &Collected,
    ladders: &[Vec<Rung>],
    target_k: u64,
    target_l: Option<u64>,
) -> Result<Search, SearchError> {
    let heights: Vec<usize> = ladders.iter().map(|l| l.len().max(1) - 1).collect();
    let nodes = heights
        .iter()
        .try_fold(1usize, |n, h| n.checked_mul(h + 1))
        .unwrap_or(usize::MAX);
    if nodes > MAX_NODES {
        return Err(SearchError::TooLarge(nodes));
    }
    let interned = intern(data, ladders);
    let mut measured = 0;
    let total: usize = heights.iter().sum();
    for height in 0..=total {
        let mut best: Option<(usize, f64, Vec<usize>, Risk)> = None;
        for node in nodes_at(&heights, height) {
            measured += 1;
            let risk = data.measure(&classes(&interned, &node));
            let reaches = risk.k >= target_k && target_l.is_none_or(|l| risk.l.unwrap_or(0) >= l);
            if !reaches {
                continue;
            }
            let dropped = node
                .iter()
                .zip(ladders)
                .filter(|(&r, l)| matches!(l[r], Rung::Drop))
                .count();
            let better = best.as_ref().is_none_or(|(d, avg, _, _)| {
                dropped < *d || (dropped == *d && risk.average_risk < *avg)
            });
            if better {
                best = Some((dropped, risk.average_risk, node, risk));
            }
        }
        if let Some((_, _, node, risk)) = best {
            let columns = data
                .quasi
                .iter()
                .zip(node.iter().zip(ladders))
                .map(|(name, (&r, l))| (name.clone(), l[r].clone()))
                .collect();
            return Ok(Search {
                target_k,
                target_l,
                nodes_measured: measured,
                solution: Some(Solution { columns, risk }),
            });
        }
    }
    Ok(Search {
        target_k,
        target_l,
        nodes_measured: measured,
        solution: None,
    })
}

/// The class of every distinct tuple at one lattice node.
fn classes(interned: &Interned, node: &[usize]) -> Vec<u32> {
    let mut seen: HashMap<Vec<u32>, u32> = HashMap::new();
    interned
        .value_of
        .iter()
        .map(|row| {
            let key: Vec<u32> = row
                .iter()
                .enumerate()
                .map(|(c, &v)| interned.ids[c][node[c]][v as usize])
                .collect();
            let next = seen.len() as u32;
            *seen.entry(key).or_insert(next)
        })
        .collect()
}

/// Every node (a rung per column, each at most its column's height) whose rungs sum to
/// `height`, in lexicographic order.
fn nodes_at(heights: &[usize], height: usize) -> Vec<Vec<usize>> {
    fn go(heights: &[usize], left: usize, prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        let Some((&h, rest)) = heights.split_first() else {
            if left == 0 {
                out.push(prefix.clone());
            }
            return;
        };
        let room: usize = rest.iter().sum();
        for r in left.saturating_sub(room)..=h.min(left) {
            prefix.push(r);
            go(rest, left - r, prefix, out);
            prefix.pop();
        }
    }
    let mut out = Vec::new();
    go(heights, height, &mut Vec::new(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anonymise::risk::RowRef;

    fn data(rows: &[[&str; 2]]) -> Collected {
        let mut c = Collected {
            table: "t".into(),
            quasi: vec!["postcode".into(), "geboortedatum".into()],
            ..Collected::default()
        };
        let mut ids: HashMap<Vec<Option<String>>, u32> = HashMap::new();
        for r in rows {
            let key: Vec<Option<String>> = r.iter().map(|v| Some(v.to_string())).collect();
            let next = ids.len() as u32;
            let tuple = *ids.entry(key.clone()).or_insert_with(|| {
                c.tuples.push(key);
                next
            });
            c.rows.push(RowRef {
                tuple,
                entity: None,
                sensitive: None,
            });
        }
        c
    }

    fn reference() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).expect("date")
    }

    #[test]
    fn nodes_of_a_height_are_every_split_of_it() {
        assert_eq!(
            nodes_at(&[2, 1], 2),
            vec![vec![1, 1], vec![2, 0]],
            "rungs (1,1) and (2,0) sum to 2"
        );
        assert_eq!(nodes_at(&[2, 1], 0), vec![vec![0, 0]]);
        assert_eq!(nodes_at(&[2, 1], 4), Vec::<Vec<usize>>::new());
    }

    #[test]
    fn the_least_generalisation_reaching_k_is_chosen() {
        // Four people in two postcode areas, born in two years: exact values single everyone
        // out; postcode4 and the year of birth give classes of two.
        let d = data(&[
            ["1234 AB", "1980-03-01"],
            ["1234 CD", "1980-07-15"],
            ["5678 EF", "1991-01-20"],
            ["5678 GH", "1991-11-30"],
        ]);
        let ladders = vec![
            ladder(LadderKind::Postcode, reference()),
            ladder(LadderKind::Date, reference()),
        ];
        let s = search(&d, &ladders, 2, None).expect("small lattice");
        let sol = s.solution.expect("k = 2 is reachable");
        assert_eq!(sol.risk.k, 2);
        let labels: Vec<&str> = sol.columns.iter().map(|(_, r)| r.label()).collect();
        // Lower nodes leave someone alone: postcode4 with the month, the exact postcode with
        // the year, the postcode dropped with the month.
        assert_eq!(labels, ["postcode4", "year"]);
        assert_eq!(sol.risk.classes, 2);
    }

    #[test]
    fn an_unreachable_target_says_so() {
        let d = data(&[["1234 AB", "1980-03-01"]]);
        let ladders = vec![
            ladder(LadderKind::Postcode, reference()),
            ladder(LadderKind::Date, reference()),
        ];
        let s = search(&d, &ladders, 2, None).expect("small lattice");
        assert!(
            s.solution.is_none(),
            "one record can never be in a class of two"
        );
    }

    #[test]
    fn a_lattice_too_large_is_refused() {
        let d = data(&[["1234 AB", "1980-03-01"]]);
        let wide: Vec<Vec<Rung>> = (0..8)
            .map(|_| ladder(LadderKind::Date, reference()))
            .collect();
        assert!(matches!(
            search(&d, &wide, 2, None),
            Err(SearchError::TooLarge(_))
        ));
    }

    #[test]
    fn ladders_are_inferred_from_values() {
        assert_eq!(infer(&["1980-03-01", "1991-11-30"]), LadderKind::Date);
        assert_eq!(infer(&["1234 AB", "5678CD"]), LadderKind::Postcode);
        assert_eq!(infer(&["12", "47,5"]), LadderKind::Number);
        assert_eq!(infer(&["Utrecht", "Gent"]), LadderKind::Other);
    }

    #[test]
    fn policy_entries_use_the_anonymisers_methods() {
        let r = Rung::Generalise(Generalise::Year, "year".into());
        assert_eq!(
            r.policy_entry("geboortedatum").as_deref(),
            Some("[[column]]\nname = \"geboortedatum\"\nmethod = \"generalise\"\nto = \"year\"\n")
        );
        assert_eq!(Rung::Keep.policy_entry("x"), None);
    }
}
