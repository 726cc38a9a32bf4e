//! The receiving end of a scan: findings, column verdicts and input reports, in order.

use crate::detect::column::ColumnVerdict;
use crate::finding::Finding;
use crate::pipeline::InputReport;
use std::io;

/// How an input is named: as shown, and relative to the project root.
#[derive(Debug, Clone, Copy)]
pub struct InputName<'a> {
    /// As shown in reports.
    pub path: &'a str,
    /// The project path (see [`ProjectPaths`]).
    pub project_path: &'a str,
}

/// Receives the results of a scan in order.
pub trait Sink {
    /// A batch of findings of one input, by offset.
    fn findings(&mut self, batch: &[Finding]) -> io::Result<()>;
    /// An input is done.
    fn input_done(&mut self, report: &InputReport) -> io::Result<()>;
    /// Column verdicts of a table input (after its findings, before its `input_done`).
    fn columns(&mut self, _input: InputName<'_>, _verdicts: &[ColumnVerdict]) -> io::Result<()> {
        Ok(())
    }
    /// Does this sink read [`Finding::fingerprint`]? When it does not (table, GitHub and JUnit
    /// output, the inventory, the anonymiser's detection), no HMAC is computed at all and the
    /// field stays empty.
    fn needs_fingerprints(&self) -> bool {
        true
    }
}
