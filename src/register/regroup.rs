//! Regrouping activities as a person would (a webshop's customer administration, support,
//! marketing, HR) rather than as folders fall: `register move`, `merge` and `split`. Only the
//! `locations` lists of the person's activity files change (every other byte, comments
//! included, stays), activity files are added or removed as asked, and the evidence files of
//! the activities touched are rewritten from the evidence the register already holds, so no
//! scan is needed and `register check` agrees at once.

use super::activity::{self, Activity, Proposal, Register};
use super::labels::{Lang, FIELDS};
use super::{drift, refs, write_atomic};
use std::path::{Path, PathBuf};
use toml_edit::{DocumentMut, Item, Value};

/// What a regrouping wrote and removed.
#[derive(Debug, Default)]
pub struct Regrouped {
    /// Files written (activity and evidence files).
    pub written: Vec<PathBuf>,
    /// Files removed (a merged activity's).
    pub removed: Vec<PathBuf>,
    /// The locations that changed activity.
    pub moved: Vec<String>,
    /// Activities left without any location (to merge, or to end).
    pub emptied: Vec<String>,
}

fn usage(m: String) -> crate::Error {
    crate::Error::Usage(m)
}

/// The activity with id `id`, or an error naming the ids there are.
fn find<'r>(reg: &'r Register, id: &str) -> crate::Result<&'r (PathBuf, Activity)> {
    reg.activities
        .iter()
        .find(|(p, a)| a.id == id || p.file_stem().is_some_and(|s| s == id))
        .ok_or_else(|| {
            let ids: Vec<&str> = reg.activities.iter().map(|(_, a)| a.id.as_str()).collect();
            usage(format!(
                "{}: no activity {id:?}; the activities are {}",
                reg.dir.display(),
                ids.join(", ")
            ))
        })
        .and_then(|found| {
            if found.1.older_layout {
                Err(usage(format!(
                    "{}: of the older layout; `piiscan register update` migrates it first",
                    found.0.display()
                )))
            } else {
                Ok(found)
            }
        })
}

/// The listed locations of an activity matching `pattern` (a reference as `register check`
/// shows it, or a glob over them: `crm/*`).
fn matching(a: &Activity, pattern: &str) -> crate::Result<Vec<String>> {
    let glob = globset::GlobBuilder::new(pattern)
        .literal_separator(false)
        .build()
        .map_err(|e| {
            usage(format!(
                "{pattern}: {}",
                crate::source::parse_error::glob(&e)
            ))
        })?
        .compile_matcher();
    Ok(a.scan
        .location
        .iter()
        .map(|l| l.reference.clone())
        .filter(|r| r == pattern || glob.is_match(r))
        .collect())
}

/// Rewrites the `locations` list of an activity file: the references kept (as written) and
/// those added, one a line; every other byte of the file stays.
fn edit_locations(
    reg: &Register,
    path: &Path,
    remove: &[String],
    add: &[String],
) -> crate::Result<()> {
    let text = std::fs::read_to_string(path).map_err(|e| crate::Error::io(path, e))?;
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        usage(crate::source::parse_error::toml_edit(
            &path.display().to_string(),
            &text,
            &e,
        ))
    })?;
    let shown = |r: &str| refs::shown_reference(&refs::normalise(&reg.root, r));
    let mut list: Vec<String> = doc
        .get("locations")
        .and_then(Item::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    list.retain(|r| !remove.contains(&shown(r)));
    for r in add {
        if !list.iter().any(|l| &shown(l) == r) {
            list.push(r.clone());
        }
    }
    let mut array = toml_edit::Array::new();
    for r in &list {
        let mut v = Value::from(r.as_str());
        v.decor_mut().set_prefix("\n  ");
        array.push_formatted(v);
    }
    array.set_trailing_comma(true);
    array.set_trailing("\n");
    match doc.get_mut("locations").and_then(Item::as_value_mut) {
        Some(v) => {
            let decor = v.decor().clone();
            *v = Value::Array(array);
            *v.decor_mut() = decor;
        }
        None => {
            doc.insert("locations", toml_edit::value(array));
        }
    }
    write_atomic(path, &doc.to_string())
}

/// Rewrites the evidence file of `a` from the evidence the register holds for its listed
/// locations (kept from the last scan: its date stays).
fn rewrite_evidence(
    path: &Path,
    a: &Activity,
    lang: Lang,
    today: chrono::NaiveDate,
) -> crate::Result<()> {
    let cats = a.found_categories();
    let subject = a
        .suggest
        .subjects
        .first()
        .cloned()
        .unwrap_or_else(|| "unknown".into());
    let drift = drift::recorded(a, today, lang);
    let date = if a.scan.last.is_empty() {
        today.to_string()
    } else {
        a.scan.last.clone()
    };
    let text = activity::evidence_text(
        &a.id,
        activity::suggest_table(&subject, &a.suggest.subject_reason, &cats, lang),
        activity::scan_table(&a.scan.location, &drift, &date, lang),
        lang,
    );
    write_atomic(&activity::evidence_path(path), &text)
}

/// Reloads the register and rewrites the evidence of the activities `ids`.
fn refresh(
    dir: &Path,
    ids: &[String],
    lang: Lang,
    today: chrono::NaiveDate,
    out: &mut Regrouped,
) -> crate::Result<Register> {
    let reg = Register::load(dir)?;
    for (path, a) in &reg.activities {
        if ids.contains(&a.id) {
            rewrite_evidence(path, a, lang, today)?;
            out.written.push(activity::evidence_path(path));
        }
    }
    Ok(reg)
}

/// Moves the locations matching `patterns` (from whichever activities list them) to the
/// activity `to`.
///
/// # Errors
/// No activity `to`, a pattern that matches no location of another activity, or a file that
/// cannot be read or written.
pub fn move_locations(
    dir: &Path,
    patterns: &[String],
    to: &str,
    lang: Lang,
    today: chrono::NaiveDate,
) -> crate::Result<Regrouped> {
    let reg = Register::load(dir)?;
    let (to_path, to_activity) = find(&reg, to)?;
    let mut out = Regrouped::default();
    let mut touched = vec![to_activity.id.clone()];
    for pattern in patterns {
        let mut any = false;
        for (path, a) in &reg.activities {
            if a.id == to_activity.id || a.older_layout {
                continue;
            }
            let found = matching(a, pattern)?;
            if found.is_empty() {
                continue;
            }
            any = true;
            if found.len() == a.scan.location.len() {
                out.emptied.push(a.id.clone());
            }
            edit_locations(&reg, path, &found, &[])?;
            out.written.push(path.clone());
            touched.push(a.id.clone());
            out.moved.extend(found);
        }
        if !any {
            return Err(usage(format!(
                "{pattern}: no other activity lists a location like it (`piiscan register check` shows the references)"
            )));
        }
    }
    out.moved.sort();
    out.moved.dedup();
    edit_locations(&reg, to_path, &[], &out.moved)?;
    out.written.push(to_path.clone());
    refresh(dir, &touched, lang, today, &mut out)?;
    Ok(out)
}

/// Is a field of an activity empty (nothing filled in)?
fn filled(doc: &DocumentMut, key: &str) -> Option<Item> {
    let item = doc.get(key)?;
    let empty = match item.as_value() {
        Some(Value::String(s)) => s.value().trim().is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Integer(i)) => *i.value() == 0,
        _ => false,
    };
    (!empty).then(|| item.clone())
}

/// Merges the activities `from` into `into`: their locations join its list, list fields
/// (purposes, recipients, …) are joined, a field only they filled in is taken over, and
/// their files are removed. A field both filled in differently is for a person to settle:
/// refused, naming it.
///
/// # Errors
/// An activity that does not exist, a field filled in differently, or a file that cannot be
/// read or written.
pub fn merge(
    dir: &Path,
    from: &[String],
    into: &str,
    lang: Lang,
    today: chrono::NaiveDate,
) -> crate::Result<Regrouped> {
    let reg = Register::load(dir)?;
    let (into_path, into_activity) = find(&reg, into)?;
    let read = |p: &Path| -> crate::Result<DocumentMut> {
        let text = std::fs::read_to_string(p).map_err(|e| crate::Error::io(p, e))?;
        text.parse().map_err(|e: toml_edit::TomlError| {
            usage(crate::source::parse_error::toml_edit(
                &p.display().to_string(),
                &text,
                &e,
            ))
        })
    };
    let mut target = read(into_path)?;
    let mut sources = Vec::new();
    for id in from {
        let (path, a) = find(&reg, id)?;
        if a.id == into_activity.id {
            return Err(usage(format!(
                "{id}: an activity is not merged into itself"
            )));
        }
        sources.push((path.clone(), a.clone(), read(path)?));
    }
    let mut conflicts = Vec::new();
    for f in FIELDS {
        for (path, _, doc) in &sources {
            let Some(theirs) = filled(doc, f.key) else {
                continue;
            };
            match (filled(&target, f.key), theirs.as_value()) {
                (None, _) => {
                    if let (Some(slot), Some(v)) = (
                        target.get_mut(f.key).and_then(Item::as_value_mut),
                        theirs.as_value(),
                    ) {
                        let decor = slot.decor().clone();
                        *slot = v.clone();
                        *slot.decor_mut() = decor;
                    } else {
                        target.insert(f.key, theirs.clone());
                    }
                }
                (Some(_), Some(Value::Array(add))) if f.list => {
                    if let Some(list) = target.get_mut(f.key).and_then(Item::as_array_mut) {
                        for v in add.iter() {
                            if !list.iter().any(|x| x.as_str() == v.as_str()) {
                                list.push(v.clone());
                            }
                        }
                    }
                }
                (Some(ours), Some(v))
                    if ours.as_value().map(|o| o.to_string().trim().to_string())
                        != Some(v.to_string().trim().to_string()) =>
                {
                    conflicts.push(format!("{} ({})", f.key, path.display()));
                }
                _ => {}
            }
        }
    }
    if !conflicts.is_empty() {
        return Err(usage(format!(
            "{}: filled in differently in the activities to merge: {}; make them agree (or empty one), then merge",
            into_path.display(),
            conflicts.join(", ")
        )));
    }
    write_atomic(into_path, &target.to_string())?;
    let mut out = Regrouped::default();
    let moved: Vec<String> = sources
        .iter()
        .flat_map(|(_, a, _)| a.scan.location.iter().map(|l| l.reference.clone()))
        .collect();
    // Reload with the merged fields, then add the locations (refresh reads their evidence
    // from the sources' evidence files, which are still there).
    let reg = Register::load(dir)?;
    edit_locations(&reg, into_path, &[], &moved)?;
    out.written.push(into_path.clone());
    refresh(
        dir,
        std::slice::from_ref(&into_activity.id),
        lang,
        today,
        &mut out,
    )?;
    for (path, _, _) in &sources {
        for p in [activity::evidence_path(path), path.clone()] {
            std::fs::remove_file(&p).map_err(|e| crate::Error::io(&p, e))?;
            out.removed.push(p);
        }
    }
    out.moved = moved;
    Ok(out)
}

/// Splits the locations matching `patterns` off the activity `from` into a new activity
/// named `name` (status concept, its fields empty for a person to fill in: a split is made
/// because the purposes differ).
///
/// # Errors
/// No activity `from`, a pattern that matches none of its locations, all of them matched
/// (that is a rename), or a file that cannot be read or written.
pub fn split(
    dir: &Path,
    from: &str,
    patterns: &[String],
    name: &str,
    id: Option<&str>,
    lang: Lang,
    today: chrono::NaiveDate,
) -> crate::Result<(Regrouped, PathBuf)> {
    let reg = Register::load(dir)?;
    let (from_path, from_activity) = find(&reg, from)?;
    let mut moved = Vec::new();
    for p in patterns {
        let found = matching(from_activity, p)?;
        if found.is_empty() {
            return Err(usage(format!(
                "{p}: matches no location of {}",
                from_activity.id
            )));
        }
        moved.extend(found);
    }
    moved.sort();
    moved.dedup();
    if moved.len() == from_activity.scan.location.len() {
        return Err(usage(format!(
            "every location of {} matched: that is a rename (edit its name), not a split",
            from_activity.id
        )));
    }
    let id = activity::slug(id.unwrap_or(name));
    if id.is_empty() {
        return Err(usage("--name gives no id (use letters or digits)".into()));
    }
    let path = dir.join("activities").join(format!("{id}.toml"));
    if path.exists() {
        return Err(usage(format!(
            "{}: exists; choose another --id",
            path.display()
        )));
    }
    let text = activity::activity_text(
        &Proposal {
            id: id.clone(),
            name: name.to_string(),
            subject: String::new(),
            subject_reason: String::new(),
            locations: Vec::new(),
        },
        lang,
    );
    write_atomic(&path, &text)?;
    let mut out = Regrouped::default();
    edit_locations(&reg, &path, &[], &moved)?;
    out.written.push(path.clone());
    edit_locations(&reg, from_path, &moved, &[])?;
    out.written.push(from_path.clone());
    // The new activity takes the subject piiscan suggested for the one it came from.
    let reg = Register::load(dir)?;
    for (p, a) in &reg.activities {
        if a.id == id || a.id == from_activity.id {
            let mut a = a.clone();
            if a.id == id {
                a.suggest = from_activity.suggest.clone();
            }
            rewrite_evidence(p, &a, lang, today)?;
            out.written.push(activity::evidence_path(p));
        }
    }
    out.moved = moved;
    Ok((out, path))
}
