//! Scanning tables: every sampled cell goes through the text engine, with the column's name
//! as context (a match of a rule whose column names include the column's is `high`); at the
//! end of a table each column is judged ([`crate::classify`]) and the cell findings of a
//! column that its values classified are raised to `high`. Findings are capped per column,
//! while the verdicts keep exact counts.

use crate::classify::{judge, ColumnNames, ColumnProfile, ColumnVerdict, SampledRows};
use crate::detect::{Engine, Found, Scratch};
use crate::finding::Confidence;
use crate::rules::RuleSet;
use crate::table::TableSink;
use std::collections::HashMap;
use std::sync::Arc;

/// One finding in a cell.
#[derive(Debug, Clone)]
pub struct CellHit {
    /// What was found.
    pub found: Found,
    /// Table name.
    pub table: Arc<str>,
    /// Column name.
    pub column: Arc<str>,
    /// 1-based data row.
    pub row: u64,
}

/// Everything a table file produced.
#[derive(Debug, Default)]
pub struct TableResult {
    /// Cell findings, by table, then row, then column.
    pub hits: Vec<CellHit>,
    /// Column verdicts, by table and column.
    pub verdicts: Vec<ColumnVerdict>,
    /// Tables read in part (`--sample-rows`), in order: what was not read must be said.
    pub sampled: Vec<SampledTable>,
}

/// A table of which only a sample of rows was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampledTable {
    /// Table name.
    pub table: String,
    /// What the sample covered.
    pub rows: SampledRows,
}

/// How to scan tables.
#[derive(Debug, Clone, Copy)]
pub struct TableOptions {
    /// Rows read per table (0: all).
    pub sample_rows: u64,
    /// Cell findings kept per column (0: all); verdicts still count every match.
    pub max_findings_per_column: u64,
    /// Report cell findings at or above this confidence.
    pub min_confidence: Confidence,
}

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions {
            sample_rows: 10_000,
            max_findings_per_column: 1_000,
            min_confidence: Confidence::Medium,
        }
    }
}

#[derive(Default)]
struct TableState {
    name: Arc<str>,
    columns: Vec<Arc<str>>,
    hint_rules: Vec<Option<usize>>,
    profiles: Vec<ColumnProfile>,
    kept: Vec<u64>,
    rows: u64,
    /// A row came after the sample was full: the table was read in part.
    more: bool,
    /// The table's row count, when the reader knows it.
    total: Option<u64>,
    hits: Vec<CellHit>,
}

impl TableState {
    /// What the sample covered, when the table was not read in full.
    fn sampled(&self) -> Option<SampledRows> {
        let partial = self.more || self.total.is_some_and(|t| t > self.rows);
        partial.then_some(SampledRows {
            read: self.rows,
            total: self.total.map(|t| t.max(self.rows)),
        })
    }
}

/// A [`TableSink`] that scans and classifies.
pub struct TableScanner<'a> {
    engine: &'a Engine<'a>,
    scratch: &'a mut Scratch,
    names: &'a ColumnNames,
    opts: TableOptions,
    tables: HashMap<String, TableState>,
    order: Vec<String>,
    current: Option<String>,
    /// Rules already counted for the current cell (reused, so no allocation per cell).
    seen_rules: Vec<usize>,
}

impl<'a> TableScanner<'a> {
    /// A scanner; `engine` must report every confidence (the options filter at the end).
    pub fn new(
        engine: &'a Engine<'a>,
        scratch: &'a mut Scratch,
        names: &'a ColumnNames,
        opts: TableOptions,
    ) -> Self {
        TableScanner {
            engine,
            scratch,
            names,
            opts,
            tables: HashMap::new(),
            order: Vec::new(),
            current: None,
            seen_rules: Vec::new(),
        }
    }

    fn rules(&self) -> &'a RuleSet {
        self.engine.rules()
    }

    /// Judges every table and returns the findings and verdicts.
    pub fn finish(mut self) -> TableResult {
        let rules = self.rules();
        let mut out = TableResult::default();
        for name in std::mem::take(&mut self.order) {
            let Some(mut t) = self.tables.remove(&name) else {
                continue;
            };
            let sampled = t.sampled();
            if let Some(rows) = sampled {
                out.sampled.push(SampledTable {
                    table: t.name.to_string(),
                    rows,
                });
            }
            let mut decided: Vec<Option<String>> = vec![None; t.columns.len()];
            for (i, col) in t.columns.iter().enumerate() {
                let mut verdicts = judge(&t.name, col, &t.profiles[i], self.names, rules);
                for v in &mut verdicts {
                    v.sampled = sampled;
                }
                if let Some(v) = verdicts
                    .first()
                    .filter(|v| v.rule != "column_name" && v.share >= 0.5)
                {
                    decided[i] = Some(v.rule.clone());
                }
                out.verdicts.extend(verdicts);
            }
            for mut h in t.hits.drain(..) {
                let col = t.columns.iter().position(|c| *c == h.column).unwrap_or(0);
                if decided[col].as_deref() == Some(&*rules.rules[h.found.rule].id) {
                    h.found.confidence = Confidence::High;
                }
                if h.found.confidence >= self.opts.min_confidence {
                    out.hits.push(h);
                }
            }
        }
        out
    }
}

impl TableSink for TableScanner<'_> {
    fn begin(&mut self, table: &str, columns: &[String]) {
        let names = self.names;
        let t = self.tables.entry(table.to_string()).or_insert_with(|| {
            self.order.push(table.to_string());
            TableState {
                name: Arc::from(table),
                ..TableState::default()
            }
        });
        for (i, c) in columns.iter().enumerate() {
            if i >= t.columns.len() {
                t.columns.push(Arc::from(c.as_str()));
                t.hint_rules.push(names.hint(c).and_then(|h| h.rule));
                t.profiles.push(ColumnProfile::default());
                t.kept.push(0);
            }
        }
        self.current = Some(table.to_string());
    }

    fn row(&mut self, cells: &[Option<&[u8]>]) -> bool {
        let engine = self.engine;
        let rules = engine.rules();
        let Some(t) = self.current.as_ref().and_then(|c| self.tables.get_mut(c)) else {
            return false;
        };
        if self.opts.sample_rows > 0 && t.rows >= self.opts.sample_rows {
            t.more = true;
            return false;
        }
        t.rows += 1;
        while t.columns.len() < cells.len() {
            let n = t.columns.len() + 1;
            t.columns.push(Arc::from(format!("col{n}").as_str()));
            t.hint_rules.push(None);
            t.profiles.push(ColumnProfile::default());
            t.kept.push(0);
        }
        for (i, cell) in cells.iter().enumerate() {
            t.profiles[i].cell(*cell, rules);
            let Some(v) = cell else { continue };
            let seen = &mut self.seen_rules;
            seen.clear();
            let (profile, kept, hits) = (&mut t.profiles[i], &mut t.kept[i], &mut t.hits);
            let (column, table, row, hint) = (&t.columns[i], &t.name, t.rows, t.hint_rules[i]);
            let trimmed = v.trim_ascii().len();
            engine.scan_hinted(self.scratch, v, 0, v.len(), hint, |h| {
                let value = || String::from_utf8_lossy(&v[h.start..h.end]).into_owned();
                if !seen.contains(&h.rule) {
                    seen.push(h.rule);
                    // The value is the cell (not a mention inside free text) when the match
                    // covers most of it.
                    let whole = (h.end - h.start) * 10 >= trimmed * 6;
                    let id = &rules.rules[h.rule].id;
                    profile.matched(h.rule, h.confidence, whole, || {
                        crate::mask::mask(id, &value())
                    });
                }
                if self.opts.max_findings_per_column == 0
                    || *kept < self.opts.max_findings_per_column
                {
                    *kept += 1;
                    hits.push(CellHit {
                        found: Found::new(h.rule, value(), h.confidence, h.explanation),
                        table: table.clone(),
                        column: column.clone(),
                        row,
                    });
                }
            });
        }
        true
    }

    fn end(&mut self) {
        self.current = None;
    }

    fn total_rows(&mut self, rows: u64) {
        if let Some(t) = self.current.as_ref().and_then(|c| self.tables.get_mut(c)) {
            t.total = Some(t.total.unwrap_or(0).max(rows));
        }
    }
}
