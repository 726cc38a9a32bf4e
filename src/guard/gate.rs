//! The gate: a [`Sink`] between the scan and the reporter that drops accepted findings
//! (allowlist, baseline), records what a new baseline should hold, and counts what it dropped.

use super::allow::Allowlist;
use super::baseline::{name_only, Baseline, BaselineWriter};
use crate::detect::column::ColumnVerdict;
use crate::finding::{Finding, Location};
use crate::pipeline::{InputName, InputReport, ScanStats, Sink};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io;

/// What the gate dropped.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct GateCounts {
    /// Findings and columns accepted by the allowlist.
    pub allowlisted: u64,
    /// Findings and columns accepted by the baseline.
    pub baselined: u64,
    /// Findings (not columns) dropped, per rule id.
    pub dropped_per_rule: BTreeMap<String, u64>,
}

impl GateCounts {
    /// Takes what was dropped out of the scan's totals, which count every finding, and
    /// records the suppression counts, so summaries count what was reported.
    pub fn apply(&self, stats: &mut ScanStats, baseline_stale: u64) {
        for (rule, n) in &self.dropped_per_rule {
            if let Some((_, count)) = stats.per_rule.get_mut(rule) {
                *count -= n;
            }
            stats.findings -= n;
        }
        stats.per_rule.retain(|_, (_, n)| *n > 0);
        stats.allowlisted = self.allowlisted;
        stats.baselined = self.baselined;
        stats.baseline_stale = baseline_stale;
    }
}

/// Filters findings and column verdicts before `inner` sees them.
pub struct Gate<'a> {
    inner: &'a mut dyn Sink,
    allow: &'a Allowlist,
    baseline: Option<Baseline>,
    writer: Option<BaselineWriter>,
    kept: Vec<Finding>,
    /// Per column of the current input: findings kept and findings dropped.
    cells: HashMap<(String, String), (u64, u64)>,
    scanned: HashSet<String>,
    /// What was dropped.
    pub counts: GateCounts,
}

impl<'a> Gate<'a> {
    /// A gate in front of `inner`; `writer` collects a new baseline (of everything the
    /// allowlist does not accept, whether the old baseline had it or not).
    pub fn new(
        inner: &'a mut dyn Sink,
        allow: &'a Allowlist,
        baseline: Option<Baseline>,
        writer: Option<BaselineWriter>,
    ) -> Gate<'a> {
        Gate {
            inner,
            allow,
            baseline,
            writer,
            kept: Vec::new(),
            cells: HashMap::new(),
            scanned: HashSet::new(),
            counts: GateCounts::default(),
        }
    }

    /// The new baseline, and the number of baseline entries that were not seen again in the
    /// files scanned.
    pub fn finish(self) -> (Option<BaselineWriter>, u64) {
        let stale = self
            .baseline
            .as_ref()
            .map(|b| b.stale(&self.scanned))
            .unwrap_or(0);
        (self.writer, stale)
    }

    fn passes_all(&self) -> bool {
        self.allow.is_empty() && self.baseline.is_none() && self.writer.is_none()
    }
}

impl Sink for Gate<'_> {
    /// The baseline (read or written) compares fingerprints; otherwise the report decides.
    fn needs_fingerprints(&self) -> bool {
        self.baseline.is_some() || self.writer.is_some() || self.inner.needs_fingerprints()
    }
    fn findings(&mut self, batch: &[Finding]) -> io::Result<()> {
        if self.passes_all() {
            return self.inner.findings(batch);
        }
        self.kept.clear();
        for f in batch {
            let cell = match &f.location {
                Location::Cell { table, column, .. } => Some(
                    self.cells
                        .entry((table.clone(), column.clone()))
                        .or_default(),
                ),
                Location::Text { .. } | Location::Path { .. } | Location::Name { .. } => None,
            };
            let dropped = if self.allow.allows(f) {
                self.counts.allowlisted += 1;
                true
            } else {
                if let Some(w) = self.writer.as_mut() {
                    w.add(f);
                }
                let accepted = self.baseline.as_mut().is_some_and(|b| b.take(f));
                if accepted {
                    self.counts.baselined += 1;
                }
                accepted
            };
            if let Some((kept, gone)) = cell {
                if dropped {
                    *gone += 1;
                } else {
                    *kept += 1;
                }
            }
            if dropped {
                *self
                    .counts
                    .dropped_per_rule
                    .entry(f.rule.to_string())
                    .or_default() += 1;
            } else {
                self.kept.push(f.clone());
            }
        }
        if self.kept.is_empty() {
            return Ok(());
        }
        let kept = std::mem::take(&mut self.kept);
        let result = self.inner.findings(&kept);
        self.kept = kept;
        result
    }

    fn input_done(&mut self, report: &InputReport) -> io::Result<()> {
        self.scanned.insert(report.project_path.to_string());
        self.cells.clear();
        self.inner.input_done(report)
    }

    fn columns(&mut self, input: InputName<'_>, verdicts: &[ColumnVerdict]) -> io::Result<()> {
        if self.passes_all() {
            return self.inner.columns(input, verdicts);
        }
        let mut kept = Vec::with_capacity(verdicts.len());
        for v in verdicts {
            if self.allow.allows_column(input.project_path, v) {
                self.counts.allowlisted += 1;
                continue;
            }
            if name_only(v) {
                if let Some(w) = self.writer.as_mut() {
                    w.add_column(input.project_path, v);
                }
                if self
                    .baseline
                    .as_ref()
                    .is_some_and(|b| b.has_column(input.project_path, v))
                {
                    self.counts.baselined += 1;
                    continue;
                }
            } else if let Some((0, gone)) = self.cells.get(&(v.table.clone(), v.column.clone())) {
                // Every cell finding of this column was accepted: so is the column.
                if *gone > 0 {
                    continue;
                }
            }
            kept.push(v.clone());
        }
        if kept.is_empty() {
            return Ok(());
        }
        self.inner.columns(input, &kept)
    }
}
