//! Rules as data: the model of a rule pack, loading the built-in packs (embedded from `rules/`)
//! and users' packs (`--rules PATH`), and compiling everything once into an immutable,
//! thread-safe [`RuleSet`].

pub mod compile;
pub mod docs;
pub mod gate;
pub mod lexicon;
pub mod schema;
pub mod selftest;
pub mod validate;

/// The packs and lexicons under `rules/`, embedded at build time by `build.rs`.
pub mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
}

pub use compile::{CompiledRule, RuleSet, Selection};
pub use schema::RuleDef;

use crate::error::{Error, Result};
use std::path::Path;

/// The built-in rule ids of the output contract (ARCHITECTURE.md): they keep their ids, and
/// the built-in packs define every one of them.
pub const CONTRACT_RULE_IDS: &[&str] = &[
    "email",
    "phone",
    "iban",
    "credit_card",
    "ipv4",
    "ipv6",
    "mac_address",
    "nl.bsn",
    "be.national_number",
    "nl.postcode",
    "nl.licence_plate",
    "date_of_birth",
    "person_name",
    "street_address",
    "ga_client_id",
    "nl.id_document",
    "nl.vat",
    "be.vat",
];

/// A selection of every rule in `defs`, preview rules included (for listing and docs).
pub fn select_all(defs: &[SourcedRule]) -> Selection {
    Selection {
        only: defs.iter().map(|r| r.def.id.clone()).collect(),
        disable: Vec::new(),
    }
}

/// A rule definition together with the file it came from.
#[derive(Debug, Clone)]
pub struct SourcedRule {
    /// The file (`<built-in>/generic/email.toml` for embedded rules).
    pub file: String,
    /// The pack: the folder the file is in (`generic`, `nl`, `be`, or a user's).
    pub pack: String,
    /// The definition.
    pub def: RuleDef,
}

fn parse_rule(file: &str, pack: &str, text: &str) -> Result<SourcedRule> {
    let def: RuleDef = toml::from_str(text).map_err(|e| {
        let (position, problem) = match e.span() {
            Some(s) => {
                let (l, c) = crate::source::parse_error::line_column(text, s.start);
                (format!("line {l}, column {c}: "), e.message())
            }
            None => (String::new(), e.message()),
        };
        Error::RuleFile {
            file: file.to_string(),
            problem: format!(
                "{position}{}",
                crate::source::parse_error::sanitise(problem)
            ),
        }
    })?;
    Ok(SourcedRule {
        file: file.to_string(),
        pack: pack.to_string(),
        def,
    })
}

/// The built-in rule definitions, embedded from `rules/`.
pub fn builtin_rules() -> Result<Vec<SourcedRule>> {
    embedded::EMBEDDED_RULES
        .iter()
        .map(|(rel, text)| {
            let pack = rel.split('/').next().unwrap_or("builtin");
            parse_rule(&format!("<built-in>/rules/{rel}"), pack, text)
        })
        .collect()
}

/// Reads a user's rule pack: one `.toml` file, or every `.toml` file under a directory.
///
/// # Errors
/// A file that cannot be read or parsed; the error names the file.
pub fn load_user_rules(path: &Path) -> Result<Vec<SourcedRule>> {
    let mut files = Vec::new();
    if path.is_dir() {
        for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
            let entry = entry.map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
            if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "toml")
            {
                files.push(entry.into_path());
            }
        }
        if files.is_empty() {
            return Err(Error::Usage(format!(
                "{}: no rule files (*.toml) in this folder",
                path.display()
            )));
        }
    } else {
        files.push(path.to_path_buf());
    }
    let pack = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "user".into());
    files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).map_err(|e| Error::io(f, e))?;
            parse_rule(&f.display().to_string(), &pack, &text)
        })
        .collect()
}
