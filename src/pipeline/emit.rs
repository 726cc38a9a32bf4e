//! The emitting end of the pipeline: unit results, taken in order, become findings and input
//! reports for the sink; values are masked and fingerprinted here.

use crate::detect::stream::RegionHit;
use crate::detect::Found;
use crate::finding::fingerprint::Fingerprinter;
use crate::finding::{Confidence, Finding, Location};
use crate::pipeline::plan::Unit;
use crate::pipeline::run::UnitResult;
use crate::pipeline::{InputName, InputReport, InputStatus, ScanStats, Sink};
use crate::ruleset::RuleSet;
use std::io;
use std::sync::Arc;

/// Accumulates the regions of one input while they are emitted in order.
#[derive(Default)]
pub(super) struct InputState {
    lines_before: u64,
    /// Characters of the current line in earlier regions (regions may cut inside a line).
    line_chars_before: u64,
    decoded_before: u64,
    bytes: u64,
    findings: u64,
    allowed_inline: u64,
    problems: Vec<String>,
    failed: Option<String>,
    binary: bool,
    image: bool,
    too_large: bool,
    special: Option<String>,
}

impl InputState {
    fn absorb(&mut self, status: &InputStatus, bytes: u64) {
        match status {
            InputStatus::SkippedBinary => self.binary = true,
            InputStatus::SkippedImage => self.image = true,
            InputStatus::SkippedTooLarge => self.too_large = true,
            InputStatus::SkippedSpecial(kind) => self.special = Some(kind.clone()),
            InputStatus::Failed(why) => self.failed = Some(why.clone()),
            InputStatus::Partial(why) => self.problems.push(why.clone()),
            InputStatus::Scanned => {}
        }
        self.bytes += bytes;
    }

    /// The input's status once all its units are in: the gravest wins. Its reasons are
    /// messages that may name tables and columns: personal data in them is masked
    /// ([`crate::names::mask`]).
    fn status(&mut self) -> InputStatus {
        let m = |s: String| crate::names::mask(&s).into_owned();
        if let Some(f) = self.failed.take() {
            InputStatus::Failed(m(f))
        } else if self.binary {
            InputStatus::SkippedBinary
        } else if self.image {
            InputStatus::SkippedImage
        } else if self.too_large {
            InputStatus::SkippedTooLarge
        } else if let Some(kind) = self.special.take() {
            InputStatus::SkippedSpecial(kind)
        } else if !self.problems.is_empty() {
            InputStatus::Partial(m(self.problems.join("; ")))
        } else {
            InputStatus::Scanned
        }
    }
}

/// Fills in the fingerprint and mask of everything a unit found, in the worker that found it,
/// absorbing the keyed rule/path prefix once per rule.
pub(crate) fn mark_found<'f>(
    found: impl Iterator<Item = &'f mut Found>,
    rules: &RuleSet,
    path: &str,
    fingerprints: Option<&Fingerprinter>,
) {
    let mut prefixes = vec![None; rules.rules.len()];
    for f in found {
        let rule = &rules.rules[f.rule];
        let id = &rule.id;
        if let Some(fingerprints) = fingerprints {
            let prefix = prefixes[f.rule].get_or_insert_with(|| fingerprints.prefix(id, path));
            f.fingerprint = Fingerprinter::fingerprint_from(prefix, &rule.category, &f.value);
        }
        f.masked = crate::finding::mask::mask(id, &f.value);
    }
}

/// An input's display path and project path.
pub(super) type Names<'a> = (&'a Arc<str>, &'a Arc<str>);

/// Turns unit results, taken in order, into findings and input reports for the sink.
pub(super) struct Emitter<'a> {
    rules: &'a RuleSet,
    sink: &'a mut dyn Sink,
    stats: ScanStats,
    state: InputState,
    batch: Vec<Finding>,
    per_rule: Vec<u64>,
    error: Option<io::Error>,
    /// For findings in file names (see [`crate::names`]).
    fingerprints: Option<&'a Fingerprinter>,
    name_scratch: crate::detect::engine::Scratch,
    min_confidence: Confidence,
}

impl<'a> Emitter<'a> {
    /// An emitter writing to `sink`; `fingerprints` only when the sink reads them.
    pub(super) fn new(
        rules: &'a RuleSet,
        sink: &'a mut dyn Sink,
        fingerprints: Option<&'a Fingerprinter>,
        name_scratch: crate::detect::engine::Scratch,
        min_confidence: Confidence,
    ) -> Self {
        Emitter {
            rules,
            sink,
            stats: ScanStats::default(),
            state: InputState::default(),
            batch: Vec::new(),
            per_rule: vec![0; rules.rules.len()],
            error: None,
            fingerprints,
            name_scratch,
            min_confidence,
        }
    }

    /// Has the sink failed (a closed pipe, a full disk)? The scan then stops.
    pub(super) fn failed(&self) -> bool {
        self.error.is_some()
    }

    /// The totals, with the findings per rule, or the sink's error.
    pub(super) fn finish(self) -> io::Result<ScanStats> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let mut stats = self.stats;
        let rules = self.rules;
        stats.per_rule = self
            .per_rule
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, n)| {
                (
                    rules.rules[i].id.to_string(),
                    (rules.rules[i].category.to_string(), *n),
                )
            })
            .collect();
        Ok(stats)
    }
    /// Findings in the input's own file name (the last part of its path, after `/` or `!`):
    /// located on the path, so personal data in a name is never silent.
    fn name_findings(&mut self, names: Names<'_>) {
        let path: &str = names.0;
        let base = path.rfind(['/', '!']).map_or(0, |i| i + 1);
        let hits = crate::names::find_in_name(self.rules, &mut self.name_scratch, &path[base..]);
        if hits.is_empty() {
            return;
        }
        self.batch.clear();
        for h in hits {
            if h.confidence < self.min_confidence {
                continue;
            }
            let (start, end) = (base + h.start, base + h.end);
            let value = path[start..end].to_string();
            let id = self.rules.rules[h.rule].id.clone();
            let category = &self.rules.rules[h.rule].category;
            let fingerprint = self.fingerprints.map_or_else(String::new, |f| {
                Fingerprinter::fingerprint_from(&f.prefix(&id, names.1), category, &value)
            });
            let found = Found {
                rule: h.rule,
                confidence: h.confidence,
                fingerprint,
                masked: crate::finding::mask::mask(&id, &value),
                value,
                explanation: None,
            };
            let location = Location::Path {
                byte_start: start as u64,
                byte_end: end as u64,
            };
            let finding = self.finding(names, found, location);
            self.batch.push(finding);
        }
        self.send_batch();
    }

    fn finding(&mut self, names: Names<'_>, found: Found, location: Location) -> Finding {
        let rule = &self.rules.rules[found.rule];
        self.per_rule[found.rule] += 1;
        Finding {
            path: names.0.clone(),
            project_path: names.1.clone(),
            rule: rule.id.clone(),
            category: rule.category.clone(),
            confidence: found.confidence,
            location,
            fingerprint: found.fingerprint,
            masked: found.masked,
            value: found.value,
            explanation: found.explanation,
        }
    }

    fn send_batch(&mut self) {
        self.state.findings += self.batch.len() as u64;
        if self.error.is_none() && !self.batch.is_empty() {
            self.error = self.sink.findings(&self.batch).err();
        }
    }

    /// Sends the hits of the text unit being emitted (a part, or the rest at its end).
    pub(super) fn text_hits(&mut self, names: Names<'_>, hits: Vec<RegionHit>) {
        self.batch.clear();
        for h in hits {
            if h.allowed_inline {
                self.state.allowed_inline += 1;
                continue;
            }
            let location = Location::Text {
                line: 1 + self.state.lines_before + h.newlines_before,
                column: h.column
                    + if h.newlines_before == 0 {
                        self.state.line_chars_before
                    } else {
                        0
                    },
                byte_start: self.state.decoded_before + h.start,
                byte_end: self.state.decoded_before + h.end,
            };
            let finding = self.finding(names, h.found, location);
            self.batch.push(finding);
        }
        self.send_batch();
    }

    /// Reports each member of a container as an input of its own, named `container!member`;
    /// a part (a PDF's page) only has its findings named so, and is counted with its
    /// container, which comes after its parts.
    pub(super) fn emit_members(&mut self, names: Names<'_>, result: &mut UnitResult) {
        let members = std::mem::take(&mut result.members);
        self.emit_member_list(names, members);
    }

    /// [`Self::emit_members`] for members handed on while their container is still read.
    pub(super) fn emit_member_list(
        &mut self,
        names: Names<'_>,
        members: Vec<crate::pipeline::container::MemberResult>,
    ) {
        for m in members {
            let path: Arc<str> = Arc::from(format!("{}!{}", names.0, m.location).as_str());
            let project: Arc<str> = Arc::from(format!("{}!{}", names.1, m.location).as_str());
            if m.part {
                self.emit_part(&m.location, (&path, &project), m.result);
            } else {
                self.emit(&Unit::Whole { entry: 0 }, (&path, &project), m.result);
            }
        }
    }

    /// The findings of a part, its lines counted from its own start; its status and bytes go
    /// to the container's (the part's problems named with the part).
    fn emit_part(&mut self, location: &str, names: Names<'_>, result: UnitResult) {
        let part = location.rsplit('!').next().unwrap_or(location);
        match result.status {
            InputStatus::Failed(why) | InputStatus::Partial(why) => {
                self.state.problems.push(format!("{part}: {why}"));
            }
            _ => {}
        }
        if let Some(mut region) = result.region {
            let lines = std::mem::take(&mut self.state.lines_before);
            let chars = std::mem::take(&mut self.state.line_chars_before);
            let decoded = std::mem::take(&mut self.state.decoded_before);
            self.text_hits(names, std::mem::take(&mut region.hits));
            (
                self.state.lines_before,
                self.state.line_chars_before,
                self.state.decoded_before,
            ) = (lines, chars, decoded);
        }
    }

    pub(super) fn emit(&mut self, unit: &Unit, names: Names<'_>, result: UnitResult) -> bool {
        let path = names.0;
        self.state.absorb(&result.status, result.bytes);
        if let Some(mut region) = result.region {
            let hits = std::mem::take(&mut region.hits);
            self.text_hits(names, hits);
            self.state.lines_before += region.newlines;
            self.state.line_chars_before = region.tail_chars
                + if region.newlines == 0 {
                    self.state.line_chars_before
                } else {
                    0
                };
            self.state.decoded_before += region.decoded_len;
        }
        if let Some(table) = result.table {
            self.stats
                .sampled
                .extend(table.sampled.into_iter().map(|t| (path.to_string(), t)));
            // Binary cells that are not text: counted as skipped (binary), by column.
            for b in &table.binary {
                self.stats.skipped.push(crate::pipeline::outcome::Skip {
                    path: format!("{path}!{}.{}", b.table, b.column),
                    reason: crate::pipeline::SkipReason::BinaryValues(b.values),
                    beneath: None,
                });
            }
            self.batch.clear();
            for h in table.text_hits {
                if h.allowed_inline {
                    self.state.allowed_inline += 1;
                    continue;
                }
                let location = Location::Text {
                    line: h.at.line,
                    column: h.at.column,
                    byte_start: h.at.offset,
                    byte_end: h.at.offset + h.len,
                };
                let finding = self.finding(names, h.found, location);
                self.batch.push(finding);
            }
            // A flat file's one table is named after the file: its name is the file's name,
            // reported once, on the path.
            let base = path.rsplit(['/', '!']).next().unwrap_or(path);
            let stem = crate::source::table::stem(std::path::Path::new(base));
            for h in table.hits {
                if matches!(h.place, crate::pipeline::table::Place::TableName { .. })
                    && *h.table == *stem
                {
                    continue;
                }
                let location = match h.place {
                    crate::pipeline::table::Place::Cell => Location::Cell {
                        table: h.table.to_string(),
                        column: h.column.to_string(),
                        row: h.row,
                        line: h.line,
                    },
                    crate::pipeline::table::Place::ColumnName { start, end } => Location::Name {
                        table: h.table.to_string(),
                        column: Some(h.column.to_string()),
                        byte_start: start as u64,
                        byte_end: end as u64,
                    },
                    crate::pipeline::table::Place::TableName { start, end } => Location::Name {
                        table: h.table.to_string(),
                        column: None,
                        byte_start: start as u64,
                        byte_end: end as u64,
                    },
                };
                let finding = self.finding(names, h.found, location);
                self.batch.push(finding);
            }
            self.send_batch();
            if self.error.is_none() && !table.verdicts.is_empty() {
                let input = InputName {
                    path,
                    project_path: names.1,
                };
                self.error = self.sink.columns(input, &table.verdicts).err();
            }
        }
        let last_of_input = match unit {
            Unit::Whole { .. } => true,
            Unit::Region { index, count, .. } => index + 1 == *count,
        };
        if last_of_input {
            self.name_findings(names);
        }
        if last_of_input {
            let status = self.state.status();
            let done = std::mem::take(&mut self.state);
            self.stats.count(path, &status, done.bytes, done.findings);
            self.stats.allowed_inline += done.allowed_inline;
            let report = InputReport {
                path: path.clone(),
                project_path: names.1.clone(),
                status,
                bytes: done.bytes,
                findings: done.findings,
                allowed_inline: done.allowed_inline,
            };
            if self.error.is_none() {
                self.error = self.sink.input_done(&report).err();
            }
        }
        last_of_input
    }
}
