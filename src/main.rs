//! The `piiscan` binary: parses arguments, calls the library, prints, and maps the outcome to
//! the exit codes of the contract (0 ran, 1 findings at or above `--fail-on`, 2 usage error or
//! inputs that could not be scanned).

use anyhow::{Context, Result};
use clap::Parser;
mod cli;
use cli::args::{Cli, Command, InventoryArgs, RulesAction};
use cli::exit::Exit;

use piiscan::finding::fingerprint::Fingerprinter;
use piiscan::finding::{Confidence, Finding};
use piiscan::pipeline::{self, InputReport, ScanOptions, Sink};
use piiscan::report;
use piiscan::ruleset::{self, selftest, RuleSet, Selection, SourcedRule};
use std::io::{self, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Scan(args) => cli::scan::run(*args),
        Command::Init { force } => cli::init(force),
        Command::Anonymise(args) => cli::anonymise::run(args),
        Command::Register { action } => cli::register::run(action),
        Command::Breach(args) => cli::breach::run(args),
        Command::Subject { action } => cli::subject::run(action),
        Command::Risk(args) => cli::risk::run(args),
        Command::Inventory(args) => run_inventory(args),
        Command::Rules { action } => run_rules(action),
    };
    let exit = match outcome {
        Ok(exit) => exit,
        Err(e) => {
            if e.chain().any(|c| {
                c.downcast_ref::<io::Error>()
                    .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("piiscan: {}", message(&e));
            Exit::Incomplete
        }
    };
    exit.into()
}

/// An error with its causes, each said once: a cause whose text its context already holds
/// (`file: No such file or directory` over `No such file or directory`) is not repeated.
fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if text.is_empty() || out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

pub(crate) fn load_rules(packs: &[std::path::PathBuf]) -> Result<Vec<SourcedRule>> {
    let mut defs = ruleset::builtin_rules()?;
    for p in packs {
        defs.extend(ruleset::load_user_rules(p)?);
    }
    Ok(defs)
}

/// Names an input that could not be scanned (completely) on stderr, with the reason; returns
/// (path, reason) for the summary.
fn echo_failure(r: &InputReport) -> Option<(String, String)> {
    let (why, part) = match &r.status {
        pipeline::InputStatus::Failed(why) => (why, ""),
        pipeline::InputStatus::Partial(why) => (why, "scanned in part: "),
        _ => return None,
    };
    eprintln!(
        "piiscan: {}: {part}{why}",
        report::sanitize::sanitize(&r.path)
    );
    Some((r.path.to_string(), why.clone()))
}

/// Applies `--threads`, refusing 0.
pub(crate) fn set_threads(opts: &mut ScanOptions, threads: Option<usize>) -> Result<()> {
    if let Some(n) = threads {
        anyhow::ensure!(n > 0, "--threads must be at least 1");
        opts.threads = n;
    }
    Ok(())
}

/// Prints each input that could not be scanned to stderr as it completes, and remembers it;
/// keeps the highest confidence of the findings that reach the report (for `--fail-on`). A
/// column judged by its name alone does not count: a name says what a column is meant to
/// hold, not that it holds personal data (columns judged by their values have cell findings).
pub(crate) struct ErrorEcho<'a> {
    pub(crate) inner: &'a mut dyn report::Reporter,
    pub(crate) failed: Vec<(String, String)>,
    pub(crate) max_level: Option<Confidence>,
}

impl Sink for ErrorEcho<'_> {
    fn needs_fingerprints(&self) -> bool {
        self.inner.needs_fingerprints()
    }
    fn findings(&mut self, batch: &[Finding]) -> io::Result<()> {
        for f in batch {
            self.max_level = self.max_level.max(Some(f.confidence));
        }
        self.inner.findings(batch)
    }
    fn input_done(&mut self, r: &InputReport) -> io::Result<()> {
        if let Some(failure) = echo_failure(r) {
            self.failed.push(failure);
        }
        if let pipeline::InputStatus::SkippedSpecial(kind) = &r.status {
            eprintln!(
                "piiscan: {}: skipped: {kind} (special files are never opened)",
                report::sanitize::sanitize(&r.path)
            );
        }
        self.inner.input_done(r)
    }
    fn columns(
        &mut self,
        input: piiscan::pipeline::InputName<'_>,
        verdicts: &[piiscan::detect::column::ColumnVerdict],
    ) -> io::Result<()> {
        self.inner.columns(input, verdicts)
    }
}

fn run_rules(action: RulesAction) -> Result<Exit> {
    let mut out = io::stdout().lock();
    match action {
        RulesAction::List { rules, format } => {
            let defs = load_rules(&rules)?;
            let selection = ruleset::select_all(&defs);
            let set = RuleSet::compile(defs, &selection)?;
            if format == "markdown" {
                out.write_all(ruleset::docs::markdown(&set).as_bytes())?;
                return Ok(Exit::Clean);
            }
            writeln!(
                out,
                "{:<20} {:<8} {:<20} {:<64} name",
                "id", "pack", "validator", "category"
            )?;
            for r in &set.rules {
                let v = r.validator.map(|v| v.name()).unwrap_or("-");
                writeln!(
                    out,
                    "{:<20} {:<8} {:<20} {:<64} {}",
                    r.id, r.pack, v, r.category, r.def.name
                )?;
            }
            Ok(Exit::Clean)
        }
        RulesAction::Explain { id, rules } => {
            let defs = load_rules(&rules)?;
            let selection = ruleset::select_all(&defs);
            let set = RuleSet::compile(defs, &selection)?;
            let r = set
                .rule(&id)
                .with_context(|| format!("no rule has the id {id:?} (see `piiscan rules list`)"))?;
            explain(&mut out, r)?;
            Ok(Exit::Clean)
        }
        RulesAction::Test { path } => {
            let packs: Vec<_> = path.iter().cloned().collect();
            let set = RuleSet::compile(load_rules(&packs)?, &Selection::default())?;
            let user_files: Vec<String> = match &path {
                Some(p) => ruleset::load_user_rules(p)?
                    .into_iter()
                    .map(|r| r.file)
                    .collect(),
                None => Vec::new(),
            };
            let (checked, failures) = selftest::run_examples(&set, |r| {
                user_files.is_empty() || user_files.contains(&r.file)
            });
            for f in &failures {
                writeln!(out, "FAIL {f}")?;
            }
            writeln!(
                out,
                "rules test: {} passed, {} failed",
                checked - failures.len(),
                failures.len()
            )?;
            Ok(if failures.is_empty() {
                Exit::Clean
            } else {
                Exit::CheckFailed
            })
        }
    }
}

fn explain(out: &mut dyn Write, r: &ruleset::CompiledRule) -> io::Result<()> {
    let d = &r.def;
    writeln!(out, "{} ({})", d.name, r.id)?;
    writeln!(out, "category:   {}", r.category)?;
    writeln!(out, "pack:       {} ({})", r.pack, r.file)?;
    writeln!(
        out,
        "validator:  {}",
        r.validator.map(|v| v.name()).unwrap_or("none")
    )?;
    let cap = r
        .max_without_context
        .map(|c| format!(", at most {c} without context"))
        .unwrap_or_default();
    let req = if r.requires_context {
        ", only with a context word"
    } else {
        ""
    };
    writeln!(
        out,
        "confidence: {} when the pattern and validator hold{cap}{req}; high with a context word",
        r.confidence
    )?;
    writeln!(out, "\nWhat it finds\n  {}", d.what.trim())?;
    writeln!(out, "\nWhy it matters\n  {}", d.why.trim())?;
    writeln!(out, "\nReferences")?;
    for rf in &d.references {
        writeln!(out, "  - {rf}")?;
    }
    writeln!(out, "\nPatterns")?;
    for p in &d.patterns {
        let c = p
            .confidence
            .as_deref()
            .map(|c| format!(" [{c}]"))
            .unwrap_or_default();
        writeln!(out, "  {}{c}: {}", p.name, p.regex)?;
    }
    if !d.context.positive.is_empty() {
        writeln!(
            out,
            "\nContext words that raise confidence (within {} bytes before, {} after)",
            r.window_before, r.window_after
        )?;
        writeln!(out, "  {}", d.context.positive.join(", "))?;
    }
    if !d.context.negative.is_empty() {
        let within = d
            .context
            .negative_within
            .map(|n| format!(" (within {n} bytes of the value)"))
            .unwrap_or_default();
        writeln!(
            out,
            "Context words that lower it{within}\n  {}",
            d.context.negative.join(", ")
        )?;
    }
    writeln!(out, "\nExamples that must match")?;
    for e in &d.examples.must_match {
        writeln!(out, "  {:?}  ({})", e.text, e.reason)?;
    }
    writeln!(out, "Examples that must not match")?;
    for e in &d.examples.no_match {
        writeln!(out, "  {:?}  ({})", e.text, e.reason)?;
    }
    Ok(())
}

/// The scan behind `inventory` in every format: the shared settings (flags and
/// `.piiscan.toml`), and no fingerprint key (an inventory holds no fingerprints, so none is
/// needed and none is created).
pub(crate) fn scan_for_inventory(
    args: &InventoryArgs,
    settings: &cli::settings::Settings,
    sink: &mut dyn pipeline::Sink,
) -> Result<pipeline::ScanStats> {
    let mut opts = settings.scan_options(INVENTORY_ROWS);
    set_threads(&mut opts, args.threads)?;
    let fingerprints = Fingerprinter::with_key(b"piiscan-inventory-no-fingerprints", "none");
    // Every inventory format shows table and column names as `piiscan::names::shown` decides.
    let mut shown = report::ShownNames::new(sink, false);
    let stats = pipeline::scan(
        &args.paths,
        &settings.rules,
        &opts,
        &fingerprints,
        &mut shown,
        args.quiet,
    )?;
    cli::settings::warn_unmatched(&stats, settings, &args.scope, &args.paths);
    Ok(stats)
}

/// Rows per table the inventory reads unless asked otherwise.
pub(crate) const INVENTORY_ROWS: u64 = 10_000;

fn run_inventory(args: InventoryArgs) -> Result<Exit> {
    if args.format == "html" {
        return cli::datamap::run(args);
    }
    if args.out.is_some() {
        anyhow::bail!("--out writes the data map: use it with --format html");
    }
    let settings = cli::settings::Settings::resolve(&args.scope, &args.paths)?;
    let mut sink = report::InventorySink::default();
    let stats = scan_for_inventory(&args, &settings, &mut sink)?;
    let entries = sink.builder.entries();
    let mut out = io::BufWriter::new(io::stdout().lock());
    match args.format.as_str() {
        "json" => {
            serde_json::to_writer_pretty(&mut out, entries)?;
            writeln!(out)?;
        }
        "csv" => {
            writeln!(out, "dataset,table,field,category,rule,count,rows_scanned,share,confidence,data_subject,reason")?;
            for e in entries {
                let f = report::csv::field;
                writeln!(
                    out,
                    "{},{},{},{},{},{},{},{},{},{},{}",
                    f(&e.dataset),
                    f(e.table.as_deref().unwrap_or("")),
                    f(e.field.as_deref().unwrap_or("")),
                    e.category,
                    e.rule,
                    e.count,
                    e.rows_scanned.map(|r| r.to_string()).unwrap_or_default(),
                    e.share.map(|r| r.to_string()).unwrap_or_default(),
                    e.confidence,
                    e.data_subject,
                    f(&e.reason)
                )?;
            }
        }
        _ => {
            writeln!(
                out,
                "| dataset | table.field | category | confidence | data subject | reason |"
            )?;
            writeln!(out, "| --- | --- | --- | --- | --- | --- |")?;
            for e in entries {
                let place = match (&e.table, &e.field) {
                    // A person reads the Markdown: names holding personal data are masked.
                    (Some(t), Some(c)) => format!("{}.{c}", piiscan::names::mask(t)),
                    (None, Some(c)) => c.clone(),
                    _ => "(text)".to_string(),
                };
                let cell = |s: &str| report::sanitize::sanitize(s).replace('|', "\\|");
                writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} |",
                    cell(&piiscan::names::mask(&e.dataset)),
                    cell(&place),
                    e.category,
                    e.confidence,
                    e.data_subject,
                    cell(&e.reason)
                )?;
            }
        }
    }
    out.flush()?;
    for (path, t) in &stats.sampled {
        eprintln!("piiscan: notice: {}", report::sampled_notice(path, t));
    }
    for line in report::skip_notices(&stats) {
        eprintln!("{line}");
    }
    for (path, why) in &sink.failed {
        eprintln!("piiscan: {}: {why}", report::sanitize::sanitize(path));
    }
    Ok(if !sink.failed.is_empty() {
        Exit::Incomplete
    } else {
        Exit::Clean
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_cause_is_said_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory");
        let e: anyhow::Error = piiscan::Error::io("packs/x.toml", io).into();
        assert_eq!(
            super::message(&e),
            "packs/x.toml: No such file or directory"
        );
        let e = anyhow::anyhow!("inner").context("reading the policy");
        assert_eq!(super::message(&e), "reading the policy: inner");
    }
}
