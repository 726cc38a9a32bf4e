//! `.piiscan.toml`: the project's scan settings, found in the scanned directory or one of its
//! parents (or given with `--config`). Command-line flags override it. Keys are the flags' long
//! names; an unknown key or a wrong value is an error naming the file and line.

use crate::finding::Confidence;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The file name looked for.
pub const FILE_NAME: &str = ".piiscan.toml";

/// A value with the line it was written on (for error messages).
pub type Spanned<T> = toml::Spanned<T>;

/// The settings of a `.piiscan.toml`. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Extra rule packs (files or directories), relative to the configuration file.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Run only these rule ids.
    #[serde(default)]
    pub only: Vec<String>,
    /// Do not run these rule ids.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Only scan files matching these globs.
    #[serde(default)]
    pub include: Vec<Spanned<String>>,
    /// Skip files and directories matching these globs.
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    /// Also scan hidden files.
    pub hidden: Option<bool>,
    /// Report findings at or above this confidence.
    pub min_confidence: Option<Confidence>,
    /// Exit 1 when a new finding at or above this confidence is reported.
    pub fail_on: Option<Confidence>,
    /// Rows read per table; 0 reads every row.
    pub sample_rows: Option<u64>,
    /// Skip files larger than this (e.g. `20M`).
    pub max_filesize: Option<Spanned<String>>,
    /// What all members of one archive may expand to (e.g. `4G`).
    pub archive_max_size: Option<Spanned<String>>,
    /// How many times its stored size an archive member may expand to.
    pub archive_max_ratio: Option<u64>,
    /// How deep archives inside archives are opened.
    pub archive_max_depth: Option<u32>,
    /// How many members all archives of one input may have.
    pub archive_max_entries: Option<u64>,
    /// The baseline used when `--baseline` is not given, relative to the configuration file.
    pub baseline: Option<String>,
    /// Honour `piiscan:allow` comments (default: true).
    pub inline_allow: Option<bool>,
    /// Findings that are accepted: each entry names paths, rules, values or a value pattern.
    #[serde(default)]
    pub allow: Vec<Spanned<AllowEntry>>,
}

/// One allowlist entry. Every field given must match (paths and rules: any of the listed);
/// an entry with no field at all is refused.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowEntry {
    /// Why this is allowed (shown by `--explain`-style messages and kept for reviewers).
    pub reason: Option<String>,
    /// Globs over project paths, e.g. `tests/fixtures/**`.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Rule ids, e.g. `ga_client_id`.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Known test values, compared like fingerprints ([`crate::finding::fingerprint::normalise`]): an
    /// identifier without its spaces and separators (`111222333` also allows `111.222.333`),
    /// any other value case-folded only (`jan.jansen@gmail.com` does not allow
    /// `janjansen@gmail.com`).
    #[serde(default)]
    pub values: Vec<String>,
    /// A regular expression that must match (somewhere in) the value.
    pub regex: Option<String>,
}

/// A configuration and where it came from.
#[derive(Debug)]
pub struct Loaded {
    /// The settings.
    pub config: Config,
    /// The file.
    pub path: PathBuf,
    /// Its text (to turn spans into line numbers).
    pub text: String,
}

impl Loaded {
    /// The directory of the file: relative paths in it are resolved from here.
    pub fn dir(&self) -> PathBuf {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    /// The 1-based line of a byte offset in the file.
    pub fn line_of(&self, offset: usize) -> usize {
        1 + self.text.as_bytes()[..offset.min(self.text.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
    }

    /// An error about the value at `span`, naming the file and line.
    pub fn error_at(&self, span: std::ops::Range<usize>, problem: &str) -> crate::Error {
        crate::Error::Usage(format!(
            "{}: line {}: {problem}",
            self.path.display(),
            self.line_of(span.start)
        ))
    }
}

/// Parses a configuration file.
///
/// # Errors
/// The file cannot be read, is not TOML, has an unknown key or a wrong value (the message
/// names the file, line and column).
pub fn load(path: &Path) -> crate::Result<Loaded> {
    let text = std::fs::read_to_string(path).map_err(|e| crate::Error::io(path, e))?;
    let config: Config = toml::from_str(&text).map_err(|e| {
        crate::Error::Usage(crate::source::parse_error::toml(
            &path.display().to_string(),
            &text,
            &e,
        ))
    })?;
    let loaded = Loaded {
        config,
        path: path.to_path_buf(),
        text,
    };
    for entry in &loaded.config.allow {
        let e = entry.get_ref();
        if e.paths.is_empty() && e.rules.is_empty() && e.values.is_empty() && e.regex.is_none() {
            return Err(loaded.error_at(
                entry.span(),
                "an [[allow]] entry needs at least one of paths, rules, values or regex",
            ));
        }
    }
    Ok(loaded)
}

/// Looks for `.piiscan.toml` in `start` (a directory, or the directory of a file) and its
/// parents.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    let abs = crate::source::project::normalise(start, &cwd);
    let mut dir = if abs.is_dir() {
        abs
    } else {
        abs.parent()?.to_path_buf()
    };
    loop {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if !dir.pop() {
            return None;
        }
    }
}

/// The commented starter file written by `piiscan init`.
pub const STARTER: &str = r#"# piiscan configuration: https://github.com/piiscan/piiscan#configuration
# Found in the scanned directory or a parent; command-line flags override it.
# Paths here are relative to this file.

# Extra rule packs (TOML files or directories of them).
# rules = ["piiscan-rules/"]

# Run only these rules, or all but these (ids from `piiscan rules list`).
# only = ["email", "nl.bsn", "iban"]
# disable = ["ga_client_id"]

# Which files to scan (globs over paths below the scanned directory).
# include = ["exports/**", "*.csv"]
exclude = ["target/**", "node_modules/**"]
# hidden = false
# max-filesize = "500M"

# Archives (ZIP, tar, compressed tar) are opened, archives inside them too; these limits stop
# decompression bombs, and what they stop is named (exit 2).
# archive-max-size = "4G"      # all members of one archive together
# archive-max-ratio = 200      # a member's expanded size over its stored size
# archive-max-depth = 6        # archives inside archives
# archive-max-entries = 100000 # members of one archive, nested ones included

# Report findings at or above this confidence (low, medium, high) ...
min-confidence = "medium"
# ... and fail the build (exit 1) on new findings at or above this one.
fail-on = "medium"

# Rows read per table (CSV, dumps, Parquet) to classify its columns; 0 reads every row.
# sample-rows = 10000

# Findings recorded with `piiscan scan --write-baseline .piiscan-baseline.json` are
# accepted; only new ones are reported and fail the build.
# baseline = ".piiscan-baseline.json"

# A `piiscan:allow` comment on a line suppresses the findings on that line.
# inline-allow = true

# Accepted findings. Every field given must match; list fields match any of their items.
# [[allow]]
# reason = "documented test numbers"
# values = ["111222333", "NL91ABNA0417164300"]
#
# [[allow]]
# reason = "example addresses in the documentation"
# paths = ["docs/**"]
# rules = ["email"]
# regex = '@example\.(com|org|net)$'
#
# [[allow]]
# reason = "synthetic fixtures"
# paths = ["tests/fixtures/**"]
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> crate::Result<Loaded> {
        let dir = tempfile::tempdir().map_err(|e| crate::Error::io("tmp", e))?;
        let p = dir.path().join(FILE_NAME);
        std::fs::write(&p, text).map_err(|e| crate::Error::io(&p, e))?;
        load(&p)
    }

    #[test]
    fn the_starter_file_parses() {
        let l = parse(STARTER).expect("starter parses");
        assert_eq!(l.config.fail_on, Some(Confidence::Medium));
        assert_eq!(l.config.exclude.len(), 2);
    }

    #[test]
    fn wrong_keys_and_values_name_the_line() {
        let e = parse("fail-on = \"medium\"\n\nfail_on = \"high\"\n")
            .expect_err("unknown key")
            .to_string();
        // The unknown key is not shown (it is the file's text); the allowed ones are.
        assert!(e.contains("line 3") && e.contains("`fail-on`"), "{e}");
        assert!(!e.contains("fail_on"), "{e}");
        let e = parse("min-confidence = \"huge\"\n")
            .expect_err("bad level")
            .to_string();
        // The file's value is not echoed (it could be anything the file holds); the choices are.
        assert!(
            e.contains("line 1") && e.contains("`medium`") && !e.contains("huge"),
            "{e}"
        );
        let e = parse("exclude = []\n[[allow]]\nreason = \"nothing\"\n")
            .expect_err("empty allow")
            .to_string();
        assert!(e.contains("line 2"), "{e}");
    }
}
