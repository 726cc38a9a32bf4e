//! `piiscan subject find`: every place that holds one person (or anyone of a list). Reads
//! every row of every table, at every confidence (a match is an exact comparison with the
//! person's own values, so no confidence threshold is needed), writes the places found input
//! by input, then the rows found by identifiers no rule knows and through keys.

use crate::cli::args::{SubjectAction, SubjectFindArgs};
use crate::cli::exit::Exit;
use crate::cli::settings::{every_row_options, walk_not_read, Settings, WalkNotRead};
use crate::set_threads;
use anyhow::Result;
use piiscan::finding::fingerprint::Fingerprinter;
use piiscan::finding::Confidence;
use piiscan::pipeline;
use piiscan::pipeline::ScanOptions;
use piiscan::report::sanitize::sanitize;
use piiscan::ruleset::RuleSet;
use piiscan::subject::follow::{DataColumns, RowsOf, Tables};
use piiscan::subject::{Output, Place, Subject, SubjectSink, Summary};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Runs `piiscan subject …`.
pub fn run(action: SubjectAction) -> Result<Exit> {
    match action {
        SubjectAction::Find(args) => find(args),
        SubjectAction::Erase(args) => crate::cli::erase::run(args),
    }
}

/// What a search found: the rows of the person (matched, by custom identifiers and
/// followed through keys), the places written, the totals and what was not read.
pub(crate) struct Found {
    /// Every row of the person's.
    pub rows: RowsOf,
    /// The places written (when kept), with values found in text.
    pub kept: Vec<Place>,
    /// The totals, with every input not read.
    pub summary: Summary,
    /// The personal-data columns of each table read.
    pub data: DataColumns,
    /// The walk's skips.
    pub walk_skips: Vec<WalkNotRead>,
}

/// Searches `paths` for the subject, writing places to `out`: the one search `subject find`
/// and `subject erase` (before and after writing) share.
#[allow(clippy::too_many_arguments)]
pub(crate) fn search<W: Write>(
    paths: &[PathBuf],
    rules: &RuleSet,
    opts: &ScanOptions,
    subject: &Subject,
    file: &Path,
    follow: u32,
    out: W,
    format: Output,
    keep: bool,
    quiet: bool,
) -> Result<Found> {
    // The subject keeps its own run-only key; the scan's fingerprints are not used.
    let unused = Fingerprinter::with_key(b"piiscan-subject-find-no-fingerprints", "none");
    let mut sink = SubjectSink::new(subject, out, format).skipping(file);
    if keep {
        sink = sink.keeping();
    }
    let stats = pipeline::scan(paths, rules, opts, &unused, &mut sink, quiet)?;
    let inputs = std::mem::take(&mut sink.table_inputs);
    let data = std::mem::take(&mut sink.data_columns);
    let tables = Tables {
        inputs: &inputs,
        data: &data,
        rules,
        fingerprints: subject.fingerprints(),
    };
    let mut not_read = Vec::new();
    if !subject.custom.is_empty() {
        let found = tables.find_custom(&subject.custom, &sink.matched);
        sink.write_places(&found.places)?;
        not_read.extend(found.not_read);
        for (at, people) in found.rows {
            sink.matched.entry(at).or_default().extend(people);
        }
    }
    let mut rows = sink.matched.clone();
    if follow > 0 && !sink.matched.is_empty() {
        let followed = tables.follow(&sink.matched, follow);
        sink.write_places(&followed.places)?;
        not_read.extend(followed.not_read);
        for (at, people) in followed.rows {
            rows.entry(at).or_default().extend(people);
        }
    }
    let mut summary = sink.summary.clone();
    let kept = std::mem::take(&mut sink.kept);
    drop(sink);
    summary.not_read.extend(not_read);
    if !subject.custom.is_empty() && inputs.is_empty() {
        eprintln!(
            "piiscan: identifiers no rule knows are looked up in the named columns of tables, and no table was read"
        );
    }
    Ok(Found {
        rows,
        kept,
        summary,
        data,
        walk_skips: walk_not_read(&stats),
    })
}

fn find(args: SubjectFindArgs) -> Result<Exit> {
    let settings = Settings::resolve(&args.scope, &args.paths)?;
    let rules = &settings.rules;
    let (subject, file) = args.who.load(rules)?;
    let file = &file;
    if let Some(dir) = &args.export {
        piiscan::subject::export::plan(dir)?;
    }
    let mut opts = every_row_options(&settings, &args.scope, "subject find")?;
    opts.min_confidence = Confidence::Low;
    set_threads(&mut opts, args.threads)?;
    let format = if args.format == "ndjson" {
        Output::Ndjson
    } else {
        Output::Text
    };
    let stdout = std::io::stdout();
    let found = search(
        &args.paths,
        rules,
        &opts,
        &subject,
        file,
        args.follow,
        std::io::BufWriter::new(stdout.lock()),
        format,
        args.export.is_some(),
        args.quiet,
    )?;
    std::io::stdout().flush()?;
    let Found {
        rows,
        kept,
        summary,
        walk_skips,
        ..
    } = found;
    let given: Vec<String> = subject
        .given
        .iter()
        .map(|(rule, n)| {
            let rule = if rules.rules.iter().any(|r| &*r.id == rule.as_str()) {
                rule.clone()
            } else {
                "identifier".to_string()
            };
            format!("{n} {rule}")
        })
        .collect();
    let who = if subject.list {
        format!(
            "{} of the {} people on the list ({})",
            summary.people,
            subject.people,
            given.join(", ")
        )
    } else {
        format!("the person ({})", given.join(", "))
    };
    eprintln!(
        "piiscan: {who} found at {} place(s) in {} input(s), with {} other value(s) in the same or related rows",
        summary.matched, summary.inputs, summary.row_data
    );
    for (path, why) in &summary.not_read {
        eprintln!(
            "piiscan: {}: {why}; the person may be there too",
            sanitize(&piiscan::names::mask(path))
        );
    }
    if let Some(dir) = &args.export {
        let mut not_read = summary.not_read.clone();
        not_read.extend(
            walk_skips
                .iter()
                .filter(|k| k.counts)
                .map(|k| (k.path.clone(), k.why.clone())),
        );
        let sources = export(dir, &args, &kept, &rows, &given.join(", "), &not_read)?;
        eprintln!(
            "piiscan: wrote the person's records from {sources} source(s) and a summary to {} (it holds their values in full: send it only to them)",
            dir.display()
        );
    }
    let mut incomplete = !summary.not_read.is_empty();
    for k in walk_skips {
        incomplete |= k.counts;
        let may = if k.counts {
            "; the person may be there too"
        } else {
            ""
        };
        eprintln!(
            "piiscan: {}: {}{may}",
            sanitize(&piiscan::names::mask(&k.path)),
            k.why
        );
    }
    Ok(if incomplete {
        Exit::Incomplete
    } else if args.fail_if_found && summary.people > 0 {
        Exit::CheckFailed
    } else {
        Exit::Clean
    })
}

/// Writes `--export DIR`: the register's activities (where one exists) give the summary its
/// purposes; sources are matched to them by their path below the project root.
fn export(
    dir: &std::path::Path,
    args: &SubjectFindArgs,
    places: &[piiscan::subject::Place],
    rows: &piiscan::subject::follow::RowsOf,
    searched: &str,
    not_read: &[(String, String)],
) -> Result<usize> {
    use piiscan::register::refs;
    use piiscan::subject::export;
    let lang = piiscan::register::labels::Lang::parse(&args.lang)
        .unwrap_or(piiscan::register::labels::Lang::Nl);
    let (root, activities) = if args.register.join("register.toml").exists() {
        let register = piiscan::register::activity::Register::load(&args.register)?;
        let activities = register
            .activities
            .iter()
            .map(|(_, a)| export::Activity {
                name: a.name.clone(),
                purposes: a.purposes.clone(),
                legal_basis: a.legal_basis.clone(),
                recipients: a.recipients.clone(),
                retention: a.retention.clone(),
                locations: match &a.locations {
                    Some(list) => list
                        .iter()
                        .map(|l| refs::normalise(&register.root, l))
                        .collect(),
                    None => a
                        .scan
                        .location
                        .iter()
                        .map(|l| l.reference.clone())
                        .collect(),
                },
            })
            .collect();
        (register.root.clone(), activities)
    } else {
        (refs::absolute(std::path::Path::new(".")), Vec::new())
    };
    let reference = |path: &str| refs::relative(&root, &refs::absolute(std::path::Path::new(path)));
    let request = export::Request {
        places,
        rows,
        activities: &activities,
        reference: &reference,
        searched: searched.to_string(),
        not_read,
        date: crate::cli::datamap::now().format("%Y-%m-%d").to_string(),
        lang,
    };
    Ok(export::write(dir, &request)?)
}

impl crate::cli::args::WhoArgs {
    /// The person (or list) the command is about, and the file it came from.
    ///
    /// # Errors
    /// Neither file was given, or it cannot be read.
    pub fn load(&self, rules: &piiscan::ruleset::RuleSet) -> Result<(Subject, PathBuf)> {
        match (&self.subject, &self.subjects) {
            (Some(one), _) => Ok((Subject::load(one, rules)?, one.clone())),
            (None, Some(list)) => Ok((Subject::load_list(list, rules)?, list.clone())),
            (None, None) => anyhow::bail!("give --subject FILE or --subjects FILE.csv"),
        }
    }
}
