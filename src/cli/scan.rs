//! `piiscan scan`: takes the shared settings ([`Settings`]: flags merged with
//! `.piiscan.toml`) and its own (confidence, gate, baseline), picks the inputs (all,
//! changed since a revision, or staged), runs the scan through the gate (allowlist,
//! baseline) into the chosen reporter, writes a new baseline if asked, and maps the outcome to
//! the exit codes of the contract.

use crate::cli::args::ScanArgs;
use crate::cli::exit::Exit;
use crate::cli::settings::{first_path, warn_unmatched, Settings};
use crate::{set_threads, ErrorEcho};
use anyhow::{bail, Context, Result};
use piiscan::finding::fingerprint::Fingerprinter;
use piiscan::finding::Confidence;
use piiscan::guard::allow::Allowlist;
use piiscan::guard::baseline::{Baseline, BaselineWriter};
use piiscan::guard::gate::Gate;
use piiscan::guard::git;
use piiscan::pipeline;
use piiscan::report::{self, Format, ReportOptions};
use piiscan::source::project::{normalise, ProjectPaths};
use std::io;
use std::path::{Path, PathBuf};

fn level(s: &str) -> Result<Confidence> {
    Confidence::parse(s).with_context(|| format!("unknown confidence '{s}' (low, medium or high)"))
}

/// Runs `piiscan scan`.
pub fn run(args: ScanArgs) -> Result<Exit> {
    let settings = Settings::resolve(&args.scope, &args.paths)?;
    let cfg = settings.config();
    let cwd = settings.cwd.clone();
    let rules = &settings.rules;
    let walk = settings.walk.clone();
    let min_confidence = match &args.min_confidence {
        Some(s) => level(s)?,
        None => cfg
            .and_then(|c| c.min_confidence)
            .unwrap_or(Confidence::Medium),
    };
    let fail_on = match &args.fail_on {
        Some(s) => Some(level(s)?),
        None => cfg.and_then(|c| c.fail_on),
    };
    let allowlist = match &settings.loaded {
        Some(l) => Allowlist::compile(l, rules)?,
        None => Allowlist::default(),
    };
    let first = first_path(&args.paths);
    let mut project = ProjectPaths::new(Some(settings.root.clone()));

    // What to scan: the paths, or what git says changed below them.
    // The staged files are written here; it must outlive the scan.
    let mut staged_dir: Option<piiscan::atomic::TempDir> = None;
    // Changed or staged files left out (hidden, excluded, not included): counted as skipped.
    let mut not_selected: Vec<piiscan::source::walk::Skipped> = Vec::new();
    let inputs: Vec<PathBuf> = if args.changed_since.is_some() || args.staged {
        if args.paths.iter().any(|p| p.as_os_str() == "-") {
            bail!("--changed-since and --staged scan files of a git work tree, not standard input");
        }
        let tree = git::work_tree(&normalise(
            if first.is_dir() {
                &first
            } else {
                first.parent().unwrap_or(Path::new("."))
            },
            &cwd,
        ))
        .context("--changed-since and --staged need a git work tree")?;
        if let Some(rev) = &args.changed_since {
            let files = git::changed_since(&tree, rev)?;
            let (selected, left_out) = git::select(&tree, &files, &args.paths, &cwd, &walk);
            not_selected = left_out;
            selected
                .into_iter()
                .map(|abs| abs.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or(abs))
                .collect()
        } else {
            // The staged copies are the user's data: a private directory (0700), removed on
            // SIGINT/SIGTERM, and what a SIGKILL left is removed by the next run.
            let tmp = std::env::temp_dir();
            for stale in piiscan::atomic::remove_stale(&tmp).unwrap_or_default() {
                eprintln!(
                    "piiscan: removed {}, left by an earlier run that was stopped",
                    stale.path.display()
                );
            }
            let dir = piiscan::atomic::TempDir::beside(&tmp.join("staged"))
                .context("temporary directory for the staged files")?;
            let files = git::checkout_staged(&tree, dir.path())?;
            let (selected, left_out) = git::select(&tree, &files, &args.paths, &cwd, &walk);
            not_selected = left_out;
            let inputs = selected
                .iter()
                .filter_map(|abs| abs.strip_prefix(&tree).ok())
                .map(|rel| dir.path().join(rel))
                .collect();
            project.remap = Some((dir.path().to_path_buf(), tree.clone()));
            staged_dir = Some(dir);
            inputs
        }
    } else {
        args.paths.clone()
    };

    let mut opts = settings.scan_options(sample_rows(settings.sample_rows, fail_on.is_some()));
    opts.min_confidence = min_confidence;
    opts.explain = args.explain;
    opts.tables.max_findings_per_column = args.max_findings_per_column;
    opts.project = project;
    opts.ocr = if args.ocr {
        Some(piiscan::source::ocr::Ocr::find()?)
    } else {
        None
    };
    set_threads(&mut opts, args.threads)?;
    let format =
        Format::parse(&args.format).with_context(|| format!("unknown format {:?}", args.format))?;

    let fingerprints = Fingerprinter::from_environment()?;
    let baseline_path = args.baseline.clone().or_else(|| {
        cfg.and_then(|c| c.baseline.as_deref())
            .map(|p| settings.relative_to_config(p))
            // A configured baseline that does not exist yet is not an error: it is written
            // by the first `--write-baseline`.
            .filter(|p| p.exists())
    });
    let baseline = match &baseline_path {
        Some(p) => Some(Baseline::load(
            p,
            &fingerprints.key_id(),
            &fingerprints.source,
        )?),
        None => None,
    };
    let writer = args
        .write_baseline
        .as_ref()
        .map(|_| BaselineWriter::default());

    let stdout = io::stdout();
    let mut reporter = report::reporter(
        format,
        Box::new(stdout.lock()),
        ReportOptions {
            show_values: args.show_values,
            all: args.all,
        },
        rules,
    );
    let mut echo = ErrorEcho {
        inner: reporter.as_mut(),
        failed: Vec::new(),
        max_level: None,
    };
    let mut gate = Gate::new(&mut echo, &allowlist, baseline, writer);
    let mut stats = pipeline::scan(&inputs, rules, &opts, &fingerprints, &mut gate, args.quiet)?;
    let counts = gate.counts.clone();
    let (writer, stale) = gate.finish();
    counts.apply(&mut stats, stale);
    stats.skipped.extend(not_selected.into_iter().map(|k| {
        pipeline::Skip {
            path: k
                .path
                .strip_prefix(&cwd)
                .unwrap_or(&k.path)
                .display()
                .to_string(),
            reason: pipeline::SkipReason::Walk(k.reason),
            beneath: k.beneath,
        }
    }));
    let (failed, max_level) = (std::mem::take(&mut echo.failed), echo.max_level);
    reporter.finish(&stats, &failed)?;
    drop(reporter);
    warn_unmatched(&stats, &settings, &args.scope, &args.paths);
    if format != Format::Table {
        for (path, t) in &stats.sampled {
            eprintln!("piiscan: notice: {}", report::sampled_notice(path, t));
        }
        for line in report::skip_notices(&stats) {
            eprintln!("{line}");
        }
    }
    drop(staged_dir);

    if let (Some(w), Some(path)) = (writer, &args.write_baseline) {
        let n = w.len();
        w.write(path, &fingerprints.key_id())
            .with_context(|| format!("writing the baseline {}", path.display()))?;
        eprintln!(
            "piiscan: wrote {} with {n} accepted finding(s) (no values, keyed fingerprints only)",
            path.display()
        );
    }
    if !failed.is_empty() {
        eprintln!(
            "piiscan: {} input(s) could not be scanned completely",
            failed.len()
        );
        return Ok(Exit::Incomplete);
    }
    if args.write_baseline.is_some() {
        // Writing a baseline accepts what this run found.
        return Ok(Exit::Clean);
    }
    match (fail_on, max_level) {
        (Some(threshold), Some(seen)) if seen >= threshold => Ok(Exit::CheckFailed),
        _ => Ok(Exit::Clean),
    }
}

/// Rows read per table: as asked (flag or configuration), else every row for a gate
/// (`--fail-on`: a build must not pass over rows nobody read), else a sample of 10,000.
fn sample_rows(asked: Option<u64>, gate: bool) -> u64 {
    match asked {
        Some(n) => n,
        None if gate => 0,
        None => 10_000,
    }
}
