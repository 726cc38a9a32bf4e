//! The one place where the flags every reading command shares ([`ScopeArgs`]) and
//! `.piiscan.toml` become typed settings: the rules, the walk (hidden files, links, include
//! and exclude globs, size cap), the rows read per table and the archive limits. `scan`,
//! `inventory` and `register draft|update|check` all take them from here, so they read the
//! same files with the same rules. Flags win over the configuration; a list flag replaces the
//! configuration's list; rule packs of both add up.

use crate::cli::args::{parse_size, ScopeArgs};
use crate::load_rules;
use anyhow::{bail, Context, Result};
use piiscan::guard::config::{self, Config, Loaded};
use piiscan::guard::git;
use piiscan::pipeline::ScanOptions;
use piiscan::ruleset::{RuleSet, Selection};
use piiscan::source::container::Limits;
use piiscan::source::project::{normalise, ProjectPaths};
use piiscan::source::walk::{globs, WalkOptions};
use std::path::{Path, PathBuf};

/// The rules of a run: the process's shared built-in set when the run selects nothing else
/// (no packs, no `--only`, no `--disable`), so it is compiled once; else the run's own.
pub enum Rules {
    /// The shared built-in rules.
    Builtin(&'static RuleSet),
    /// Rules compiled for this run.
    Own(Box<RuleSet>),
}

impl Rules {
    /// Compiles (or shares) the built-in rules plus `packs`, selected by `selection`.
    fn selected(packs: &[PathBuf], selection: &Selection) -> Result<Rules> {
        if packs.is_empty() && selection.only.is_empty() && selection.disable.is_empty() {
            if let Some(shared) = RuleSet::shared_builtin() {
                return Ok(Rules::Builtin(shared));
            }
        }
        Ok(Rules::Own(Box::new(RuleSet::compile(
            load_rules(packs)?,
            selection,
        )?)))
    }
}

impl std::ops::Deref for Rules {
    type Target = RuleSet;

    fn deref(&self) -> &RuleSet {
        match self {
            Rules::Builtin(r) => r,
            Rules::Own(r) => r,
        }
    }
}

/// The settings of one run.
pub struct Settings {
    /// The configuration, unless there is none or `--no-config`.
    pub loaded: Option<Loaded>,
    /// The rules (built-in, the packs of the flags and of the configuration), selected.
    pub rules: Rules,
    /// How to walk the paths given.
    pub walk: WalkOptions,
    /// Rows per table as asked (flag, else configuration); `None`: the command's default.
    pub sample_rows: Option<u64>,
    /// What archives may expand to.
    pub archives: Limits,
    /// `--schema-only`: live databases are read by their catalog alone.
    pub schema_only: bool,
    /// The project root: the configuration's folder, else the git work tree of the first
    /// path, else the current folder.
    pub root: PathBuf,
    /// The current folder.
    pub cwd: PathBuf,
}

/// The first path given that is not standard input (`.` when there is none).
pub fn first_path(paths: &[PathBuf]) -> PathBuf {
    paths
        .iter()
        .find(|p| p.as_os_str() != "-")
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Finds and loads the configuration, unless `--no-config`.
fn configuration(scope: &ScopeArgs, paths: &[PathBuf]) -> Result<Option<Loaded>> {
    if scope.no_config {
        return Ok(None);
    }
    let path = match &scope.config {
        Some(p) => Some(p.clone()),
        None => config::discover(&first_path(paths)),
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

/// A list flag, else the configuration's list.
fn pick<T: Clone>(flag: &[T], conf: Option<&Vec<T>>) -> Vec<T> {
    if flag.is_empty() {
        conf.cloned().unwrap_or_default()
    } else {
        flag.to_vec()
    }
}

impl Settings {
    /// Merges the flags with the configuration found for `paths`.
    ///
    /// # Errors
    /// A configuration or rule pack that cannot be read, an unknown rule id, a bad glob or
    /// size (named by the file it came from).
    pub fn resolve(scope: &ScopeArgs, paths: &[PathBuf]) -> Result<Settings> {
        let loaded = configuration(scope, paths)?;
        let cwd = std::env::current_dir().context("current directory")?;
        let cfg = loaded.as_ref().map(|l| &l.config);
        let relative_to_config = |p: &str| match &loaded {
            Some(l) => l.dir().join(p),
            None => PathBuf::from(p),
        };

        let mut packs = scope.rules.clone();
        if let Some(c) = cfg {
            packs.extend(c.rules.iter().map(|p| relative_to_config(p)));
        }
        // A pack named by both the flag and the configuration (or twice) is read once.
        let mut seen = std::collections::HashSet::new();
        packs.retain(|p| seen.insert(normalise(p, &cwd)));
        let selection = Selection {
            only: pick(&scope.only, cfg.map(|c| &c.only)),
            disable: pick(&scope.disable, cfg.map(|c| &c.disable)),
        };
        let rules = Rules::selected(&packs, &selection)?;

        let conf_globs = |v: Option<&Vec<toml::Spanned<String>>>| -> Vec<String> {
            v.map(|v| v.iter().map(|s| s.get_ref().clone()).collect())
                .unwrap_or_default()
        };
        let include = pick(&scope.include, Some(&conf_globs(cfg.map(|c| &c.include))));
        let exclude = pick(&scope.exclude, Some(&conf_globs(cfg.map(|c| &c.exclude))));
        // A pattern from the configuration is named by the file (never quoted).
        let config_file = loaded.as_ref().map(|l| l.path.display().to_string());
        let from_config = |e: piiscan::Error, from_file: bool| -> anyhow::Error {
            match (&config_file, from_file) {
                (Some(f), true) => anyhow::anyhow!("{f}: {e}"),
                _ => e.into(),
            }
        };
        let max_filesize = match scope
            .max_filesize
            .clone()
            .or_else(|| cfg.and_then(|c| c.max_filesize.as_ref().map(|s| s.get_ref().clone())))
        {
            Some(s) => Some(parse_size(&s).with_context(|| {
                let file = match (&scope.max_filesize, &loaded) {
                    (None, Some(l)) => format!("{}: ", l.path.display()),
                    _ => String::new(),
                };
                format!("{file}max-filesize: use a number with K, M or G (e.g. 500M)")
            })?),
            None => None,
        };
        let root = project_root(loaded.as_ref(), &first_path(paths), &cwd);
        let walk = WalkOptions {
            hidden: scope.hidden || cfg.and_then(|c| c.hidden).unwrap_or(false),
            follow_symlinks: scope.follow_symlinks,
            include: globs(&include).map_err(|e| from_config(e, scope.include.is_empty()))?,
            exclude: globs(&exclude).map_err(|e| from_config(e, scope.exclude.is_empty()))?,
            max_filesize,
            root: Some(root.clone()),
        };
        let archives = archive_limits(scope, cfg)?;
        if scope.schema_only {
            if let Some(p) = paths
                .iter()
                .find(|p| piiscan::source::input::database_url(p).is_none())
            {
                bail!(
                    "--schema-only reads the catalog of live databases (postgres://, mysql://);                      {} is no database URL",
                    piiscan::report::sanitize::sanitize(&p.display().to_string())
                );
            }
        }
        Ok(Settings {
            schema_only: scope.schema_only,
            sample_rows: scope
                .sample_rows
                .or_else(|| cfg.and_then(|c| c.sample_rows)),
            loaded,
            rules,
            walk,
            archives,
            root,
            cwd,
        })
    }

    /// The configuration's settings, if there is a configuration.
    pub fn config(&self) -> Option<&Config> {
        self.loaded.as_ref().map(|l| &l.config)
    }

    /// A path written in the configuration, resolved from the configuration's folder.
    pub fn relative_to_config(&self, p: &str) -> PathBuf {
        match &self.loaded {
            Some(l) => l.dir().join(p),
            None => PathBuf::from(p),
        }
    }

    /// The scan options of these settings: the walk, the archive limits, the project paths and
    /// the rows per table (as asked, else `default_rows`).
    pub fn scan_options(&self, default_rows: u64) -> ScanOptions {
        ScanOptions {
            walk: self.walk.clone(),
            tables: piiscan::pipeline::table::TableOptions {
                sample_rows: self.sample_rows.unwrap_or(default_rows),
                schema_only: self.schema_only,
                ..Default::default()
            },
            inline_allow: self.config().and_then(|c| c.inline_allow).unwrap_or(true),
            project: ProjectPaths::new(Some(self.root.clone())),
            archives: self.archives,
            ..ScanOptions::default()
        }
    }
}

/// The scan options of a command that must read everything to keep its promise (`subject
/// find`: the person may be in any row; `breach`: the counts would be too low): every row of
/// every table, whatever `.piiscan.toml` samples. A `--sample-rows` other than 0 is refused.
///
/// # Errors
/// `--sample-rows N` with N > 0.
pub fn every_row_options(
    settings: &Settings,
    scope: &ScopeArgs,
    command: &str,
) -> Result<ScanOptions> {
    if let Some(n) = scope.sample_rows.filter(|n| *n != 0) {
        bail!(
            "{command} reads every row of every table (a sample could miss rows that count); --sample-rows {n} does not apply, only 0"
        );
    }
    Ok(settings.scan_options(0))
}

/// What the walk left out (hidden, excluded, not included, links, `.git`), one entry per
/// path with the reason and what reads it: `.backup/: hidden, a folder of 3 file(s); --hidden
/// scans them`. `counts` is false for git's own directory (its objects are not personal
/// data files), true for the rest: a command that promises to have read everything must say
/// it did not.
pub fn walk_not_read(stats: &piiscan::pipeline::ScanStats) -> Vec<WalkNotRead> {
    use piiscan::pipeline::SkipReason;
    stats
        .skipped
        .iter()
        .filter(|k| matches!(k.reason, SkipReason::Walk(_)))
        .map(|k| {
            let label = k.reason.label();
            let why = match k.beneath {
                Some(b) => format!(
                    "{label}, a folder of {}{} file(s): not scanned; {}",
                    b.files,
                    if b.more { "+" } else { "" },
                    SkipReason::hint(label)
                ),
                None => format!("{label}: not scanned; {}", SkipReason::hint(label)),
            };
            WalkNotRead {
                path: k.path.clone(),
                why,
                counts: label != "git directory",
            }
        })
        .collect()
}

/// A path the walk left out, as [`walk_not_read`] describes it.
#[derive(Debug, Clone)]
pub struct WalkNotRead {
    /// The path, as shown.
    pub path: String,
    /// Why, and what reads it.
    pub why: String,
    /// Whether it makes the run incomplete (exit 2).
    pub counts: bool,
}

/// Warns about each include glob, and each exclude glob given as a flag, that matched no
/// path, saying how globs are matched, so that an empty scan is explained. (An exclude of the
/// configuration that matches nothing in this run is normal: `node_modules/**`.)
pub fn warn_unmatched(
    stats: &piiscan::pipeline::ScanStats,
    settings: &Settings,
    scope: &ScopeArgs,
    given: &[PathBuf],
) {
    let below: Vec<String> = given.iter().map(|p| p.display().to_string()).collect();
    for g in &stats.unmatched_globs {
        if g.kind == "exclude" && scope.exclude.is_empty() {
            continue;
        }
        eprintln!(
            "piiscan: warning: {} glob '{}' matched no path below {}: a glob is matched against the path below each path given (for `scan acme`: logs/app.log), the path as given (acme/logs/app.log), the path below the project root ({}), and the file name; `*` matches across `/`, `**` spans folders",
            g.kind,
            piiscan::report::sanitize::sanitize(&g.pattern),
            piiscan::report::sanitize::sanitize(&below.join(", ")),
            piiscan::report::sanitize::sanitize(&settings.root.display().to_string()),
        );
    }
}

/// The archive limits: flags first, then `.piiscan.toml`, then the defaults.
fn archive_limits(scope: &ScopeArgs, cfg: Option<&Config>) -> Result<Limits> {
    let defaults = Limits::default();
    let max_total = match scope
        .archive_max_size
        .clone()
        .or_else(|| cfg.and_then(|c| c.archive_max_size.as_ref().map(|s| s.get_ref().clone())))
    {
        Some(s) => parse_size(&s)
            .with_context(|| format!("archive-max-size {s:?}: use a number with K, M or G"))?,
        None => defaults.max_total,
    };
    let limits = Limits {
        max_total,
        max_ratio: scope
            .archive_max_ratio
            .or_else(|| cfg.and_then(|c| c.archive_max_ratio))
            .unwrap_or(defaults.max_ratio),
        max_depth: scope
            .archive_max_depth
            .or_else(|| cfg.and_then(|c| c.archive_max_depth))
            .unwrap_or(defaults.max_depth),
        max_entries: scope
            .archive_max_entries
            .or_else(|| cfg.and_then(|c| c.archive_max_entries))
            .unwrap_or(defaults.max_entries),
    };
    if limits.max_ratio == 0 || limits.max_depth == 0 || limits.max_entries == 0 {
        bail!("archive-max-ratio, archive-max-depth and archive-max-entries must be at least 1");
    }
    Ok(limits)
}
