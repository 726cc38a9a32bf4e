//! `piiscan scan`: merges `.piiscan.toml` with the flags (flags win), picks the inputs (all,
//! changed since a revision, or staged), runs the scan through the gate (allowlist,
//! baseline) into the chosen reporter, writes a new baseline if asked, and maps the outcome to
//! the exit codes of the contract.

use crate::cli::args::{parse_size, ScanArgs};
use crate::{load_rules, set_threads, ErrorEcho};
use anyhow::{bail, Context, Result};
use piiscan::finding::fingerprint::Fingerprinter;
use piiscan::finding::Confidence;
use piiscan::guard::allow::Allowlist;
use piiscan::guard::baseline::{Baseline, BaselineWriter};
use piiscan::guard::config::{self, Loaded};
use piiscan::guard::gate::Gate;
use piiscan::guard::git;
use piiscan::pipeline::{self, ScanOptions};
use piiscan::report::{self, Format, ReportOptions};
use piiscan::ruleset::{RuleSet, Selection};
use piiscan::source::project::{normalise, ProjectPaths};
use piiscan::source::walk::{globs, WalkOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Finds and loads the configuration, unless `--no-config`.
fn configuration(args: &ScanArgs) -> Result<Option<Loaded>> {
    if args.no_config {
        return Ok(None);
    }
    let path = match &args.config {
        Some(p) => Some(p.clone()),
        None => {
            let start = args
                .paths
                .iter()
                .find(|p| p.as_os_str() != "-")
                .cloned()
                .unwrap_or_else(|| PathBuf::from("."));
            config::discover(&start)
        }
    };
    match path {
        Some(p) => Ok(Some(config::load(&p)?)),
        None => Ok(None),
    }
}

/// The project root: the configuration's directory, else the git work tree of the first
/// path, else the current directory.
fn project_root(loaded: Option<&Loaded>, first: &Path, cwd: &Path) -> PathBuf {
    if let Some(l) = loaded {
        return normalise(&l.dir(), cwd);
    }
    let abs = normalise(first, cwd);
    let dir = if abs.is_dir() {
        abs
    } else {
        abs.parent().map(Path::to_path_buf).unwrap_or(abs)
    };
    git::work_tree(&dir).unwrap_or_else(|_| cwd.to_path_buf())
}

fn level(s: &str) -> Result<Confidence> {
    Confidence::parse(s).with_context(|| format!("unknown confidence {s:?}"))
}

/// Runs `piiscan scan`.
pub fn run(args: ScanArgs) -> Result<ExitCode> {
    let loaded = configuration(&args)?;
    let cfg = loaded.as_ref().map(|l| &l.config);
    let cfg_dir = loaded.as_ref().map(|l| l.dir());
    let relative_to_config = |p: &str| match &cfg_dir {
        Some(d) => d.join(p),
        None => PathBuf::from(p),
    };
    let cwd = std::env::current_dir().context("current directory")?;

    // Flags win over the configuration; list flags replace its lists.
    let mut packs = args.rules.clone();
    if let Some(c) = cfg {
        packs.extend(c.rules.iter().map(|p| relative_to_config(p)));
    }
    let pick = |flag: &Vec<String>, conf: Option<&Vec<String>>| {
        if flag.is_empty() {
            conf.cloned().unwrap_or_default()
        } else {
            flag.clone()
        }
    };
    let selection = Selection {
        only: pick(&args.only, cfg.map(|c| &c.only)),
        disable: pick(&args.disable, cfg.map(|c| &c.disable)),
    };
    let rules = RuleSet::compile(load_rules(&packs)?, &selection)?;
    let conf_globs = |v: Option<&Vec<toml::Spanned<String>>>| -> Vec<String> {
        v.map(|v| v.iter().map(|s| s.get_ref().clone()).collect())
            .unwrap_or_default()
    };
    let include = if args.include.is_empty() {
        conf_globs(cfg.map(|c| &c.include))
    } else {
        args.include.clone()
    };
    let exclude = if args.exclude.is_empty() {
        conf_globs(cfg.map(|c| &c.exclude))
    } else {
        args.exclude.clone()
    };
    let max_filesize = match args
        .max_filesize
        .clone()
        .or_else(|| cfg.and_then(|c| c.max_filesize.as_ref().map(|s| s.get_ref().clone())))
    {
        Some(s) => Some(parse_size(&s).with_context(|| {
            let file = match (&args.max_filesize, &loaded) {
                (None, Some(l)) => format!("{}: ", l.path.display()),
                _ => String::new(),
            };
            format!("{file}max-filesize: use a number with K, M or G (e.g. 500M)")
        })?),
        None => None,
    };
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
    let allowlist = match &loaded {
        Some(l) => Allowlist::compile(l, &rules)?,
        None => Allowlist::default(),
    };
    let first = args
        .paths
        .iter()
        .find(|p| p.as_os_str() != "-")
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    let mut project = ProjectPaths::new(Some(project_root(loaded.as_ref(), &first, &cwd)));

    // A pattern from the configuration is named by the file (never quoted).
    let config_file = loaded.as_ref().map(|l| l.path.display().to_string());
    let from_config = |e: piiscan::Error, from_file: bool| -> anyhow::Error {
        match (&config_file, from_file) {
            (Some(f), true) => anyhow::anyhow!("{f}: {e}"),
            _ => e.into(),
        }
    };
    let walk = WalkOptions {
        hidden: args.hidden || cfg.and_then(|c| c.hidden).unwrap_or(false),
        follow_symlinks: args.follow_symlinks,
        include: globs(&include).map_err(|e| from_config(e, args.include.is_empty()))?,
        exclude: globs(&exclude).map_err(|e| from_config(e, args.exclude.is_empty()))?,
        max_filesize,
    };

    // What to scan: the paths, or what git says changed below them.
    // The staged files are written here; it must outlive the scan.
    let mut staged_dir: Option<piiscan::atomic::TempDir> = None;
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
            git::select(&tree, &files, &args.paths, &cwd, &walk)
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
            let selected = git::select(&tree, &files, &args.paths, &cwd, &walk);
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

    let mut opts = ScanOptions {
        min_confidence,
        explain: args.explain,
        walk,
        tables: piiscan::pipeline::table::TableOptions {
            sample_rows: sample_rows(
                args.sample_rows.or_else(|| cfg.and_then(|c| c.sample_rows)),
                fail_on.is_some(),
            ),
            max_findings_per_column: args.max_findings_per_column,
            ..Default::default()
        },
        inline_allow: cfg.and_then(|c| c.inline_allow).unwrap_or(true),
        project,
        archives: archive_limits(&args, cfg)?,
        ocr: if args.ocr {
            Some(piiscan::source::ocr::Ocr::find()?)
        } else {
            None
        },
        ..ScanOptions::default()
    };
    set_threads(&mut opts, args.threads)?;
    let format =
        Format::parse(&args.format).with_context(|| format!("unknown format {:?}", args.format))?;

    let fingerprints = Fingerprinter::from_environment()?;
    let baseline_path = args.baseline.clone().or_else(|| {
        cfg.and_then(|c| c.baseline.as_deref())
            .map(relative_to_config)
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
        &rules,
    );
    let mut echo = ErrorEcho {
        inner: reporter.as_mut(),
        failed: Vec::new(),
        max_level: None,
    };
    let mut gate = Gate::new(&mut echo, &allowlist, baseline, writer);
    let mut stats = pipeline::scan(&inputs, &rules, &opts, &fingerprints, &mut gate, args.quiet)?;
    let counts = gate.counts.clone();
    let (writer, stale) = gate.finish();
    counts.apply(&mut stats, stale);
    let (failed, max_level) = (std::mem::take(&mut echo.failed), echo.max_level);
    reporter.finish(&stats, &failed)?;
    drop(reporter);
    if format != Format::Table {
        for (path, t) in &stats.sampled {
            eprintln!("piiscan: notice: {}", report::sampled_notice(path, t));
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
        return Ok(ExitCode::from(2));
    }
    if args.write_baseline.is_some() {
        // Writing a baseline accepts what this run found.
        return Ok(ExitCode::SUCCESS);
    }
    match (fail_on, max_level) {
        (Some(threshold), Some(seen)) if seen >= threshold => Ok(ExitCode::from(1)),
        _ => Ok(ExitCode::SUCCESS),
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

/// The archive limits: flags first, then `.piiscan.toml`, then the defaults.
fn archive_limits(
    args: &ScanArgs,
    cfg: Option<&piiscan::guard::config::Config>,
) -> Result<piiscan::source::container::Limits> {
    let defaults = piiscan::source::container::Limits::default();
    let max_total = match args
        .archive_max_size
        .clone()
        .or_else(|| cfg.and_then(|c| c.archive_max_size.as_ref().map(|s| s.get_ref().clone())))
    {
        Some(s) => parse_size(&s)
            .with_context(|| format!("archive-max-size {s:?}: use a number with K, M or G"))?,
        None => defaults.max_total,
    };
    let limits = piiscan::source::container::Limits {
        max_total,
        max_ratio: args
            .archive_max_ratio
            .or_else(|| cfg.and_then(|c| c.archive_max_ratio))
            .unwrap_or(defaults.max_ratio),
        max_depth: args
            .archive_max_depth
            .or_else(|| cfg.and_then(|c| c.archive_max_depth))
            .unwrap_or(defaults.max_depth),
        max_entries: args
            .archive_max_entries
            .or_else(|| cfg.and_then(|c| c.archive_max_entries))
            .unwrap_or(defaults.max_entries),
    };
    if limits.max_ratio == 0 || limits.max_depth == 0 || limits.max_entries == 0 {
        bail!("archive-max-ratio, archive-max-depth and archive-max-entries must be at least 1");
    }
    Ok(limits)
}
