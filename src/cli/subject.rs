//! `piiscan subject find`: every place that holds one person. Reads every row of every table,
//! at every confidence (a match is an exact comparison with the person's own values, so no
//! confidence threshold is needed), and writes the places found input by input.

use crate::cli::args::{SubjectAction, SubjectFindArgs};
use crate::cli::exit::Exit;
use crate::{load_rules, set_threads};
use anyhow::Result;
use piiscan::finding::fingerprint::Fingerprinter;
use piiscan::finding::Confidence;
use piiscan::pipeline::{self, ScanOptions};
use piiscan::ruleset::{RuleSet, Selection};
use piiscan::subject::{Output, Subject, SubjectSink};
use std::io::Write;

/// Runs `piiscan subject …`.
pub fn run(action: SubjectAction) -> Result<Exit> {
    match action {
        SubjectAction::Find(args) => find(args),
    }
}

fn find(args: SubjectFindArgs) -> Result<Exit> {
    let rules = RuleSet::compile(load_rules(&args.rules)?, &Selection::default())?;
    let subject = Subject::load(&args.subject, &rules)?;
    let mut opts = ScanOptions {
        min_confidence: Confidence::Low,
        tables: piiscan::pipeline::table::TableOptions {
            sample_rows: 0,
            ..Default::default()
        },
        ..ScanOptions::default()
    };
    set_threads(&mut opts, args.threads)?;
    // The subject keeps its own run-only key; the scan's fingerprints are not used.
    let unused = Fingerprinter::with_key(b"piiscan-subject-find-no-fingerprints", "none");
    let format = if args.format == "ndjson" {
        Output::Ndjson
    } else {
        Output::Text
    };
    let stdout = std::io::stdout();
    let mut sink = SubjectSink::new(&subject, std::io::BufWriter::new(stdout.lock()), format)
        .skipping(&args.subject);
    pipeline::scan(&args.paths, &rules, &opts, &unused, &mut sink, args.quiet)?;
    if args.follow > 0 && !sink.matched.is_empty() {
        let followed = piiscan::subject::follow::follow(
            &sink.matched,
            &sink.table_inputs,
            &sink.data_columns,
            subject.fingerprints(),
            args.follow,
        );
        sink.write_followed(&followed.places)?;
        sink.summary.not_read.extend(followed.not_read);
    }
    let summary = sink.summary.clone();
    drop(sink);
    std::io::stdout().flush()?;
    let given: Vec<String> = subject
        .given
        .iter()
        .map(|(rule, n)| format!("{n} {rule}"))
        .collect();
    eprintln!(
        "piiscan: the person ({}) found at {} place(s) in {} input(s), with {} other value(s) in the same rows",
        given.join(", "),
        summary.matched,
        summary.inputs,
        summary.row_data
    );
    for (path, why) in &summary.not_read {
        eprintln!(
            "piiscan: {}: {why}; the person may be there too",
            piiscan::report::sanitize::sanitize(&piiscan::names::mask(path))
        );
    }
    Ok(if summary.not_read.is_empty() {
        Exit::Clean
    } else {
        Exit::Incomplete
    })
}
