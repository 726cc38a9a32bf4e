//! Names as every output shows them: a [`Sink`] in front of a reporter or an inventory that
//! gives the table and column names of findings, column verdicts and sampled tables their
//! shown form ([`crate::names::shown`]: personal data in them masked unless values are shown),
//! so no format prints a table `klant_jan@example.nl` or a sheet `Jan Jansen` in full. The
//! scan itself keeps the names as read (the anonymiser and the register read the tables again
//! by them); only what reaches an output passes through here.

use super::Reporter;
use crate::detect::column::ColumnVerdict;
use crate::finding::{Finding, Location};
use crate::pipeline::{InputName, InputReport, ScanStats, Sink};
use std::borrow::Cow;
use std::io;

/// A sink that forwards to `inner` with names shown as [`crate::names::shown`] decides.
pub struct ShownNames<S> {
    /// The sink or reporter the shown names go to.
    pub inner: S,
    show_values: bool,
}

impl<S> ShownNames<S> {
    /// Wraps `inner`; with `show_values` names pass in full.
    pub fn new(inner: S, show_values: bool) -> Self {
        ShownNames { inner, show_values }
    }

    fn name<'n>(&self, n: &'n str) -> Cow<'n, str> {
        crate::names::shown(n, self.show_values)
    }

    /// The location with its names shown, when any of them changes.
    fn changed(&self, l: &Location) -> Option<Location> {
        let owned = |c: Cow<'_, str>| match c {
            Cow::Owned(s) => Some(s),
            Cow::Borrowed(_) => None,
        };
        match l {
            Location::Cell {
                table,
                column,
                row,
                line,
            } => {
                let (t, c) = (owned(self.name(table)), owned(self.name(column)));
                (t.is_some() || c.is_some()).then(|| Location::Cell {
                    table: t.unwrap_or_else(|| table.clone()),
                    column: c.unwrap_or_else(|| column.clone()),
                    row: *row,
                    line: *line,
                })
            }
            Location::Name {
                table,
                column,
                byte_start,
                byte_end,
            } => {
                let t = owned(self.name(table));
                let c = column.as_deref().and_then(|c| owned(self.name(c)));
                (t.is_some() || c.is_some()).then(|| Location::Name {
                    table: t.unwrap_or_else(|| table.clone()),
                    column: c.or_else(|| column.clone()),
                    byte_start: *byte_start,
                    byte_end: *byte_end,
                })
            }
            Location::Text { .. } | Location::Path { .. } => None,
        }
    }
}

impl<S: Sink> Sink for ShownNames<S> {
    fn findings(&mut self, batch: &[Finding]) -> io::Result<()> {
        if self.show_values {
            return self.inner.findings(batch);
        }
        let mut shown: Option<Vec<Finding>> = None;
        for (i, f) in batch.iter().enumerate() {
            if let Some(l) = self.changed(&f.location) {
                let v = shown.get_or_insert_with(|| batch.to_vec());
                v[i].location = l;
            }
        }
        match shown {
            Some(v) => self.inner.findings(&v),
            None => self.inner.findings(batch),
        }
    }
    fn input_done(&mut self, report: &InputReport) -> io::Result<()> {
        self.inner.input_done(report)
    }
    fn columns(&mut self, input: InputName<'_>, verdicts: &[ColumnVerdict]) -> io::Result<()> {
        if self.show_values {
            return self.inner.columns(input, verdicts);
        }
        let shown: Vec<ColumnVerdict> = verdicts
            .iter()
            .map(|v| ColumnVerdict {
                table: self.name(&v.table).into_owned(),
                column: self.name(&v.column).into_owned(),
                // The reason may quote the column's name.
                reason: self.name(&v.reason).into_owned(),
                ..v.clone()
            })
            .collect();
        self.inner.columns(input, &shown)
    }
    fn needs_fingerprints(&self) -> bool {
        self.inner.needs_fingerprints()
    }
}

impl<S: Sink + Reporter> Reporter for ShownNames<S> {
    fn finish(&mut self, stats: &ScanStats, failed_inputs: &[(String, String)]) -> io::Result<()> {
        if self.show_values || stats.sampled.is_empty() {
            return self.inner.finish(stats, failed_inputs);
        }
        let mut shown = stats.clone();
        for (_, t) in &mut shown.sampled {
            t.table = self.name(&t.table).into_owned();
        }
        self.inner.finish(&shown, failed_inputs)
    }
}

/// A boxed reporter is a sink and a reporter.
impl<R: Reporter + ?Sized> Sink for Box<R> {
    fn findings(&mut self, batch: &[Finding]) -> io::Result<()> {
        (**self).findings(batch)
    }
    fn input_done(&mut self, report: &InputReport) -> io::Result<()> {
        (**self).input_done(report)
    }
    fn columns(&mut self, input: InputName<'_>, verdicts: &[ColumnVerdict]) -> io::Result<()> {
        (**self).columns(input, verdicts)
    }
    fn needs_fingerprints(&self) -> bool {
        (**self).needs_fingerprints()
    }
}

impl<R: Reporter + ?Sized> Reporter for Box<R> {
    fn finish(&mut self, stats: &ScanStats, failed_inputs: &[(String, String)]) -> io::Result<()> {
        (**self).finish(stats, failed_inputs)
    }
}

/// A sink borrowed is a sink (the inventory sinks are read after the scan).
impl<T: Sink + ?Sized> Sink for &mut T {
    fn findings(&mut self, batch: &[Finding]) -> io::Result<()> {
        (**self).findings(batch)
    }
    fn input_done(&mut self, report: &InputReport) -> io::Result<()> {
        (**self).input_done(report)
    }
    fn columns(&mut self, input: InputName<'_>, verdicts: &[ColumnVerdict]) -> io::Result<()> {
        (**self).columns(input, verdicts)
    }
    fn needs_fingerprints(&self) -> bool {
        (**self).needs_fingerprints()
    }
}
