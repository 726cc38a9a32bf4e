//! The record of processing activities (GDPR Art. 30; "register van verwerkingen"): drafted
//! from a scan's inventory, kept in sync by later scans without touching what people wrote,
//! checked for completeness and drift, and exported for people and supervisory authorities.
//!
//! A register is a folder: `register.toml` (the organisation) and `activities/<id>.toml`, one
//! per processing activity ([`activity`]). Scans give [`evidence`] per location; locations are
//! clustered by data subject and folder into proposed activities; [`drift`] compares what is
//! declared with what is found; [`export`] writes Markdown, CSV, HTML and JSON. The register
//! never holds a personal-data value, nor a hash of one: counts, field names and dates only.

pub mod activity;
pub mod drift;
pub mod evidence;
pub mod export;
pub mod labels;

use activity::{Proposal, Register};
use evidence::Location;
use labels::Lang;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Today, or the day of `SOURCE_DATE_EPOCH` when set (reproducible outputs and tests).
pub fn today() -> chrono::NaiveDate {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
        .map(|t| t.date_naive())
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

/// Scans `paths` and returns the locations with personal data, with record dates.
///
/// # Errors
/// An input could not be read (named with the reason).
pub fn scan_locations(
    paths: &[PathBuf],
    rules: &crate::rules::RuleSet,
    opts: &crate::scan::ScanOptions,
    today: chrono::NaiveDate,
) -> crate::Result<Vec<Location>> {
    let fp = crate::fingerprint::Fingerprinter::with_key(b"piiscan-register", "none");
    let mut sink = crate::report::InventorySink::default();
    crate::scan::scan(paths, rules, opts, &fp, &mut sink, true)
        .map_err(|e| crate::Error::Usage(e.to_string()))?;
    if !sink.failed.is_empty() {
        let list: Vec<String> = sink
            .failed
            .iter()
            .map(|(p, why)| format!("{p}: {why}"))
            .collect();
        return Err(crate::Error::Usage(format!(
            "could not be scanned (the register would be incomplete):\n  {}",
            list.join("\n  ")
        )));
    }
    let mut locations = evidence::from_inventory(sink.builder.entries());
    evidence::add_dates(&mut locations, today);
    Ok(locations)
}

/// Reads the locations from an inventory file (`piiscan inventory --format json`).
///
/// # Errors
/// The file cannot be read or is not an inventory.
pub fn inventory_locations(file: &Path, today: chrono::NaiveDate) -> crate::Result<Vec<Location>> {
    let text = std::fs::read_to_string(file).map_err(|e| crate::Error::io(file, e))?;
    let entries: Vec<crate::report::InventoryEntry> = serde_json::from_str(&text).map_err(|e| {
        crate::Error::Usage(format!(
            "{} (not an inventory from `piiscan inventory --format json`)",
            crate::parse_error::json(&file.display().to_string(), &e)
        ))
    })?;
    let mut locations = evidence::from_inventory(&entries);
    evidence::add_dates(&mut locations, today);
    Ok(locations)
}

/// What a draft or an update did.
#[derive(Debug, Default)]
pub struct Written {
    /// Activity files created.
    pub created: Vec<PathBuf>,
    /// Activity files whose tool sections were replaced.
    pub updated: Vec<PathBuf>,
    /// Locations marked gone.
    pub gone: Vec<String>,
    /// `register.toml` was created.
    pub organisation_created: bool,
}

fn write_new(path: &Path, text: &str) -> crate::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| crate::Error::io(dir, e))?;
    }
    std::fs::write(path, text).map_err(|e| crate::Error::io(path, e))
}

/// A free id for a proposal: its own, or with `-2`, `-3`, … when taken.
fn free_id(dir: &Path, id: &str) -> String {
    let taken = |i: &str| dir.join("activities").join(format!("{i}.toml")).exists();
    if !taken(id) {
        return id.to_string();
    }
    (2..)
        .map(|n| format!("{id}-{n}"))
        .find(|i| !taken(i))
        .unwrap_or_else(|| id.to_string())
}

fn create(
    dir: &Path,
    proposals: Vec<Proposal>,
    today: chrono::NaiveDate,
    lang: Lang,
    out: &mut Written,
) -> crate::Result<()> {
    for mut p in proposals {
        p.id = free_id(dir, &p.id);
        let path = dir.join("activities").join(format!("{}.toml", p.id));
        write_new(&path, &activity::draft_text(&p, today, lang))?;
        out.created.push(path);
    }
    Ok(())
}

/// Drafts a register in `dir` from `locations`.
///
/// # Errors
/// `dir` already holds activities (use [`update`]), or a file cannot be written.
pub fn draft(
    dir: &Path,
    locations: &[Location],
    lang: Lang,
    today: chrono::NaiveDate,
) -> crate::Result<Written> {
    let adir = dir.join("activities");
    let has_activities = std::fs::read_dir(&adir)
        .map(|mut r| r.next().is_some())
        .unwrap_or(false);
    if has_activities {
        return Err(crate::Error::Usage(format!(
            "{}: holds a register already; `piiscan register update` keeps it in sync without touching what people wrote",
            dir.display()
        )));
    }
    let mut out = Written::default();
    let org = dir.join("register.toml");
    if !org.exists() {
        write_new(&org, &activity::organisation_text(lang))?;
        out.organisation_created = true;
    }
    create(
        dir,
        activity::cluster(locations, lang),
        today,
        lang,
        &mut out,
    )?;
    Ok(out)
}

/// Updates a register with a new scan: the tool sections of every activity are replaced
/// (found locations get new evidence, vanished ones are marked gone, never deleted), every
/// human value and comment is kept byte for byte, and locations no activity records become new
/// activities with status `concept`.
///
/// # Errors
/// The register cannot be read or written.
pub fn update(
    dir: &Path,
    locations: &[Location],
    lang: Lang,
    today: chrono::NaiveDate,
) -> crate::Result<Written> {
    let register = Register::load(dir)?;
    let current: HashMap<String, &Location> =
        locations.iter().map(|l| (l.reference.clone(), l)).collect();
    let date = today.to_string();
    let mut out = Written::default();
    for (path, a) in &register.activities {
        let refreshed = drift::refresh(&a.scan.location, &current);
        out.gone.extend(
            refreshed
                .iter()
                .filter(|l| {
                    l.gone
                        && !a
                            .scan
                            .location
                            .iter()
                            .any(|o| o.reference == l.reference && o.gone)
                })
                .map(|l| l.reference.clone()),
        );
        let mut updated = a.clone();
        updated.scan.location = refreshed.clone();
        let mut cats = updated.found_categories();
        cats.sort();
        let subject = a
            .scan
            .location
            .iter()
            .find_map(|l| {
                current
                    .get(&l.reference)
                    .map(|c| (c.subject.clone(), c.subject_reason.clone()))
            })
            .unwrap_or_else(|| {
                (
                    a.suggest
                        .subjects
                        .first()
                        .cloned()
                        .unwrap_or_else(|| "unknown".into()),
                    a.suggest.subject_reason.clone(),
                )
            });
        updated.suggest.subjects = vec![subject.0.clone()];
        let drift = drift::recorded(&updated, today, lang);
        let text = std::fs::read_to_string(path).map_err(|e| crate::Error::io(path, e))?;
        let merged = activity::merge_text(
            &text,
            activity::suggest_table(&subject.0, &subject.1, &cats, lang),
            activity::scan_table(&refreshed, &drift, &date, lang),
        )
        .map_err(|e| crate::Error::Usage(format!("{}: {e}", path.display())))?;
        if merged != text {
            std::fs::write(path, merged).map_err(|e| crate::Error::io(path, e))?;
        }
        out.updated.push(path.clone());
    }
    let new: Vec<Location> = drift::unassigned(&register, locations)
        .into_iter()
        .cloned()
        .collect();
    create(dir, activity::cluster(&new, lang), today, lang, &mut out)?;
    Ok(out)
}

/// One result of a check: where (`register.toml` or an activity id) and what.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Finding {
    /// `register.toml`, an activity id, or a location.
    pub place: String,
    /// The finding.
    #[serde(flatten)]
    pub drift: drift::Drift,
}

/// Checks a register: completeness and drift against the recorded scans, or against a fresh
/// scan (`current`), which also finds locations no activity covers.
pub fn check(
    register: &Register,
    current: Option<&[Location]>,
    lang: Lang,
    today: chrono::NaiveDate,
) -> Vec<Finding> {
    let mut out: Vec<Finding> = drift::organisation(&register.organisation, lang)
        .into_iter()
        .map(|d| Finding {
            place: "register.toml".into(),
            drift: d,
        })
        .collect();
    let by_ref: Option<HashMap<String, &Location>> =
        current.map(|c| c.iter().map(|l| (l.reference.clone(), l)).collect());
    for (_, a) in &register.activities {
        let mut a = a.clone();
        if let Some(map) = &by_ref {
            a.scan.location = drift::refresh(&a.scan.location, map);
        }
        for d in drift::activity(&a, today, lang) {
            out.push(Finding {
                place: a.id.clone(),
                drift: d,
            });
        }
    }
    if let Some(c) = current {
        for l in drift::unassigned(register, c) {
            out.push(Finding {
                place: l.reference.clone(),
                drift: drift::unassigned_drift(l, lang),
            });
        }
    }
    out
}
