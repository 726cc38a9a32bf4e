//! Locations as the register records them: `path` or `path#table`, the path relative to the
//! project root with `/` between its parts, never an absolute path of one machine. The project
//! root is the git work tree that holds the register folder, else the folder that holds it.
//! So `register update ./acme`, `update /abs/path/acme` and `update .` from inside `acme` all
//! give the same references as the `register draft acme` they follow.

use super::evidence::Location;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

/// `p` as an absolute path: joined to the working directory, `.` and `..` taken out, and the
/// longest part of it that exists resolved through symbolic links.
pub fn absolute(p: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    let mut clean = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other.as_os_str()),
        }
    }
    let mut existing = clean.clone();
    let mut rest: Vec<OsString> = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut out = real;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return out;
        }
        match (
            existing.file_name().map(ToOwned::to_owned),
            existing.parent(),
        ) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => return clean,
        }
    }
}

/// The project root of a register folder: the git work tree above it, else its parent.
pub fn project_root(register_dir: &Path) -> PathBuf {
    let dir = absolute(register_dir);
    let parent = dir.parent().map(Path::to_path_buf).unwrap_or(dir.clone());
    parent
        .ancestors()
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf)
        .unwrap_or(parent)
}

/// `path` (absolute) relative to `root` (absolute), parts joined by `/`; `..` where it lies
/// outside.
pub fn relative(root: &Path, path: &Path) -> String {
    let r: Vec<_> = root.components().collect();
    let p: Vec<_> = path.components().collect();
    let common = r.iter().zip(&p).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); r.len() - common];
    parts.extend(
        p.get(common..)
            .unwrap_or_default()
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// Is a location a URL (a database, `postgres://…`) rather than a path? URLs are kept as
/// written.
fn is_url(location: &str) -> bool {
    location.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+')
    })
}

/// A recorded reference made canonical: relative ones are read from the project root,
/// absolute ones (older registers) are made relative to it; URLs stay as written.
pub fn normalise(root: &Path, recorded: &str) -> String {
    if is_url(recorded) {
        return recorded.to_string();
    }
    relative(root, &absolute(&root.join(recorded)))
}

/// Rewrites the datasets and references of freshly scanned locations (spelled as the command
/// line gave them, from the working directory) relative to the project root.
pub fn relativise(locations: &mut [Location], root: &Path) {
    for l in locations.iter_mut().filter(|l| !is_url(&l.dataset)) {
        let dataset = relative(root, &absolute(Path::new(&l.dataset)));
        l.reference = match &l.table {
            Some(t) => format!("{dataset}#{t}"),
            None => dataset.clone(),
        };
        l.dataset = dataset;
    }
}

/// A reference as the register records it: personal data in its file, table or sheet name
/// masked ([`crate::names::mask`]), as every output shows names. Recorded references of older
/// registers (which kept names in full) pass through this too when a register is read, so
/// they match the new ones.
pub fn shown_reference(reference: &str) -> String {
    crate::names::mask(reference).into_owned()
}

/// The locations with their references, files, tables and fields shown as the register
/// records them ([`shown_reference`]); locations whose shown references coincide are merged.
pub fn shown(locations: Vec<Location>) -> Vec<Location> {
    let mut out: Vec<Location> = Vec::with_capacity(locations.len());
    for mut l in locations {
        l.reference = shown_reference(&l.reference);
        l.dataset = shown_reference(&l.dataset);
        l.table = l.table.map(|t| shown_reference(&t));
        l.subject_reason = shown_reference(&l.subject_reason);
        l.fields = std::mem::take(&mut l.fields)
            .into_iter()
            .map(|(f, c)| (shown_reference(&f), c))
            .collect();
        match out.iter_mut().find(|o| o.reference == l.reference) {
            Some(o) => {
                for (c, n) in l.categories {
                    *o.categories.entry(c).or_default() += n;
                }
                for (f, c) in l.fields {
                    o.fields.entry(f).or_insert(c);
                }
                o.oldest = o.oldest.min(l.oldest).or(o.oldest).or(l.oldest);
                o.newest = o.newest.max(l.newest);
                o.youngest_age = match (o.youngest_age, l.youngest_age) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            None => out.push(l),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_relative_to_the_root_whatever_the_spelling() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = absolute(dir.path());
        std::fs::create_dir_all(root.join("acme/crm")).expect("mkdir");
        std::fs::write(root.join("acme/crm/k.csv"), "x").expect("write");
        let abs = root.join("acme/crm/k.csv");
        assert_eq!(relative(&root, &absolute(&abs)), "acme/crm/k.csv");
        for spelled in [
            "acme/crm/k.csv#k",
            "./acme/crm/k.csv#k",
            "acme/../acme/crm/./k.csv#k",
        ] {
            assert_eq!(normalise(&root, spelled), "acme/crm/k.csv#k", "{spelled}");
        }
        let absolute_ref = format!("{}#k", abs.display());
        assert_eq!(normalise(&root, &absolute_ref), "acme/crm/k.csv#k");
        assert_eq!(normalise(&root, "gone/away.csv"), "gone/away.csv");
        assert_eq!(relative(&root.join("acme"), &abs), "crm/k.csv");
        assert_eq!(relative(&root.join("other"), &abs), "../acme/crm/k.csv");
        assert_eq!(project_root(&root.join("register")), root);
        let url = "postgres://app@db.example/crm#klanten";
        assert_eq!(normalise(&root, url), url);
    }
}
