//! The record of processing activities (GDPR Art. 30; "register van verwerkingen"): drafted
//! from a scan's inventory, kept in sync by later scans without touching what people wrote,
//! checked for completeness and drift, and exported for people and supervisory authorities.
//!
//! A register is a folder: `register.toml` (the organisation), `activities/<id>.toml`, one per
//! processing activity (the person's, written once), and `evidence/<id>.toml` beside each
//! (piiscan's, rewritten by every update) ([`activity`]). Scans give [`evidence`] per location,
//! recorded relative to the project root ([`refs`]); locations are clustered by data subject
//! and folder into proposed activities; [`drift`] compares what is declared with what is found;
//! [`export`] writes Markdown, CSV, HTML and JSON. Every file is written atomically. The
//! register never holds a personal-data value, nor a hash of one: counts, field names and
//! dates only.

pub mod activity;
pub mod drift;
pub mod evidence;
pub mod export;
pub mod labels;
pub mod refs;
pub mod regroup;

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

/// Scans `paths` and returns the locations with personal data, with record dates, referred to
/// from the project root of the register in `register_dir`, and the scan's totals (what was
/// skipped, sampled).
///
/// # Errors
/// An input could not be read (named with the reason).
pub fn scan_locations(
    register_dir: &Path,
    paths: &[PathBuf],
    rules: &crate::ruleset::RuleSet,
    opts: &crate::pipeline::ScanOptions,
    today: chrono::NaiveDate,
) -> crate::Result<(Vec<Location>, crate::pipeline::ScanStats)> {
    let fp = crate::finding::fingerprint::Fingerprinter::with_key(b"piiscan-register", "none");
    let mut sink = crate::report::InventorySink::default();
    // The register's files show names as every output does (see `crate::names::shown`).
    let mut shown = crate::report::ShownNames::new(&mut sink, false);
    let stats = crate::pipeline::scan(paths, rules, opts, &fp, &mut shown, true)
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
    refs::relativise(&mut locations, &refs::project_root(register_dir));
    Ok((refs::shown(locations), stats))
}

/// Reads the locations from an inventory file (`piiscan inventory --format json`, run in the
/// working directory), referred to from the project root of the register in `register_dir`.
///
/// # Errors
/// The file cannot be read or is not an inventory.
pub fn inventory_locations(
    register_dir: &Path,
    file: &Path,
    today: chrono::NaiveDate,
) -> crate::Result<Vec<Location>> {
    let text = std::fs::read_to_string(file).map_err(|e| crate::Error::io(file, e))?;
    let entries: Vec<crate::report::InventoryEntry> = serde_json::from_str(&text).map_err(|e| {
        crate::Error::Usage(format!(
            "{} (not an inventory from `piiscan inventory --format json`)",
            crate::source::parse_error::json(&file.display().to_string(), &e)
        ))
    })?;
    let mut locations = evidence::from_inventory(&entries);
    evidence::add_dates(&mut locations, today);
    refs::relativise(&mut locations, &refs::project_root(register_dir));
    Ok(refs::shown(locations))
}

/// What a draft or an update did.
#[derive(Debug, Default)]
pub struct Written {
    /// Activity files created.
    pub created: Vec<PathBuf>,
    /// Activities whose evidence file was brought up to date.
    pub updated: Vec<PathBuf>,
    /// Activity files of the older layout migrated (their tool tables moved to `evidence/`).
    pub migrated: Vec<PathBuf>,
    /// Locations marked gone.
    pub gone: Vec<String>,
    /// `register.toml` was created.
    pub organisation_created: bool,
}

/// Writes a register file atomically, making its folder first.
fn write_atomic(path: &Path, text: &str) -> crate::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| crate::Error::io(dir, e))?;
    }
    crate::atomic::write_file(path, text.as_bytes()).map_err(|e| crate::Error::io(path, e))
}

/// Writes a file only when its content changes (so an update with nothing new touches nothing).
fn write_if_changed(path: &Path, text: &str) -> crate::Result<bool> {
    if std::fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(false);
    }
    write_atomic(path, text)?;
    Ok(true)
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
        let (person, evidence) = activity::draft_texts(&p, today, lang);
        // The evidence first: an activity file never exists without its evidence.
        write_atomic(&activity::evidence_path(&path), &evidence)?;
        write_atomic(&path, &person)?;
        out.created.push(path);
    }
    Ok(())
}

/// Drafts a register in `dir` from `locations` (referred to from the project root, as
/// [`scan_locations`] gives them).
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
        write_atomic(&org, &activity::organisation_text(lang))?;
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

/// Updates a register with a new scan: the evidence file of every activity is rewritten (its
/// listed locations found get new evidence, vanished ones are marked gone, never deleted), the
/// person's activity files are not touched (files of the older layout are migrated once: their
/// tool tables move to `evidence/`, every other byte stays), and locations no activity lists
/// become new activities with status `concept`.
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
        if a.older_layout {
            let text = std::fs::read_to_string(path).map_err(|e| crate::Error::io(path, e))?;
            let refs: Vec<String> = a
                .scan
                .location
                .iter()
                .map(|l| l.reference.clone())
                .collect();
            let migrated = activity::migrate_text(&text, &refs, lang).map_err(|e| {
                crate::Error::Usage(crate::source::parse_error::toml_edit(
                    &path.display().to_string(),
                    &text,
                    &e,
                ))
            })?;
            write_atomic(path, &migrated)?;
            out.migrated.push(path.clone());
        }
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
        let id = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = activity::evidence_text(
            &id,
            activity::suggest_table(&subject.0, &subject.1, &cats, lang),
            activity::scan_table(&refreshed, &drift, &date, lang),
            lang,
        );
        if write_if_changed(&activity::evidence_path(path), &text)? {
            out.updated.push(path.clone());
        }
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
