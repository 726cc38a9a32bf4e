//! Allowlists: findings a project accepts, by path glob, rule, known test value or a pattern on
//! the value. Compiled once from the `[[allow]]` entries of `.piiscan.toml`.

use super::config::Loaded;
use crate::detect::column::ColumnVerdict;
use crate::finding::fingerprint::ValueKind as Kind;
use crate::finding::Finding;
use crate::ruleset::RuleSet;
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::Regex;
use std::collections::HashSet;

/// One compiled entry.
#[derive(Debug)]
struct Entry {
    paths: Option<GlobSet>,
    rules: Vec<String>,
    /// Categories of the listed rules (column verdicts name a category).
    categories: Vec<String>,
    /// The listed values as an identifier compares them (separators dropped).
    values: HashSet<String>,
    /// The listed values as other text compares them (case-folded only).
    values_text: HashSet<String>,
    regex: Option<Regex>,
}

/// The compiled allowlist.
#[derive(Debug, Default)]
pub struct Allowlist {
    entries: Vec<Entry>,
}

/// A value as allowlists and fingerprints compare it, by the kind of its category (see
/// [`crate::finding::fingerprint::normalise`]): an e-mail address only case-folded, an identifier
/// without its spaces and separators.
pub fn normalise_value(category: &str, value: &str) -> String {
    crate::finding::fingerprint::normalise(crate::finding::fingerprint::value_kind(category), value)
}

impl Allowlist {
    /// Compiles the entries of a configuration, checking globs, patterns and rule ids.
    ///
    /// # Errors
    /// A bad glob or regular expression, or a rule id the rule set does not have; the
    /// message names the file and the line of the entry.
    pub fn compile(loaded: &Loaded, rules: &RuleSet) -> crate::Result<Allowlist> {
        let mut entries = Vec::new();
        for spanned in &loaded.config.allow {
            let e = spanned.get_ref();
            let fail = |problem: String| loaded.error_at(spanned.span(), &problem);
            let paths = if e.paths.is_empty() {
                None
            } else {
                let mut b = GlobSetBuilder::new();
                for p in &e.paths {
                    b.add(Glob::new(p).map_err(|err| {
                        fail(format!("paths: {}", crate::source::parse_error::glob(&err)))
                    })?);
                }
                Some(b.build().map_err(|err| {
                    fail(format!("paths: {}", crate::source::parse_error::glob(&err)))
                })?)
            };
            let mut categories = Vec::new();
            // A rule defined but not run (`--only`, `--disable`) is no error: the entry
            // just has nothing to accept in this run.
            for id in &e.rules {
                match rules.category_of(id) {
                    Some(c) => categories.push(c.to_string()),
                    None => {
                        return Err(fail(
                            "rules: an id that no rule has (see `piiscan rules list`)".to_string(),
                        ))
                    }
                }
            }
            let regex = match &e.regex {
                Some(r) => Some(Regex::new(r).map_err(|err| {
                    fail(format!(
                        "regex: {}",
                        crate::source::parse_error::regex(&err)
                    ))
                })?),
                None => None,
            };
            entries.push(Entry {
                paths,
                rules: e.rules.clone(),
                categories,
                values: e
                    .values
                    .iter()
                    .map(|v| crate::finding::fingerprint::normalise(Kind::Identifier, v))
                    .collect(),
                values_text: e
                    .values
                    .iter()
                    .map(|v| crate::finding::fingerprint::normalise(Kind::Text, v))
                    .collect(),
                regex,
            });
        }
        Ok(Allowlist { entries })
    }

    /// Is there nothing in it?
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Does an entry accept this finding?
    pub fn allows(&self, f: &Finding) -> bool {
        self.entries.iter().any(|e| {
            e.paths
                .as_ref()
                .is_none_or(|g| g.is_match(&*f.project_path))
                && (e.rules.is_empty() || e.rules.iter().any(|r| *r == *f.rule))
                && (e.values.is_empty() || {
                    let kind = crate::finding::fingerprint::value_kind(&f.category);
                    let listed = match kind {
                        Kind::Identifier => &e.values,
                        Kind::Text => &e.values_text,
                    };
                    listed.contains(&crate::finding::fingerprint::normalise(kind, &f.value))
                })
                && e.regex.as_ref().is_none_or(|r| r.is_match(&f.value))
        })
    }

    /// Does an entry accept a whole column? Only entries without value conditions can: a
    /// column verdict carries no value.
    pub fn allows_column(&self, project_path: &str, v: &ColumnVerdict) -> bool {
        self.entries.iter().any(|e| {
            e.values.is_empty()
                && e.regex.is_none()
                && e.paths.as_ref().is_none_or(|g| g.is_match(project_path))
                && (e.rules.is_empty()
                    || e.rules.contains(&v.rule)
                    || e.categories.contains(&v.category))
        })
    }
}
