//! Where each output goes, decided for the whole run before anything is written, and the
//! checks that keep a run from destroying data: no two inputs into one output, no output onto
//! an input (by path after resolving symbolic links and `..`, and by device and inode, so hard
//! links count), no output folder inside an input folder, no existing output replaced without
//! `--force`, and never an input, the policy or the key file replaced even with it.
//!
//! The layout: with one file argument, `--out` names the output file (unless `--out` is an
//! existing folder or ends in `/`: then the file goes into it under its own name). With a
//! folder argument, or several arguments, `--out` is a folder: a file argument goes into it
//! under its own name, a folder argument's files under their path below that folder. However
//! many files a folder holds, even one, its outputs go into a folder. Personal data in the
//! names below the argument is replaced by tokens ([`super::names`]).

use super::OutFormat;
use std::path::{Component, Path, PathBuf};

/// One input and its output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The input file.
    pub input: PathBuf,
    /// The output file.
    pub output: PathBuf,
}

/// What a run asks for.
#[derive(Debug)]
pub struct Request<'a> {
    /// The input arguments as given (files or folders).
    pub arguments: &'a [PathBuf],
    /// Every input file, with its path below the argument it was found under (its file name
    /// for a file argument).
    pub files: &'a [(PathBuf, PathBuf)],
    /// `--out`.
    pub out: &'a Path,
    /// `--to`.
    pub to: Option<OutFormat>,
    /// `--force`: earlier outputs may be replaced.
    pub force: bool,
    /// Other files that must never be written over (the policy, the key file).
    pub protected: &'a [PathBuf],
    /// How personal data in input names is replaced in output names
    /// ([`super::names::NameKey`]).
    pub names: &'a super::names::NameKey,
}

/// Does `--out` name a folder?
pub fn into_folder(arguments: &[PathBuf], out: &Path) -> bool {
    arguments.len() > 1
        || arguments.iter().any(|a| a.is_dir())
        || out.is_dir()
        || out.as_os_str().to_string_lossy().ends_with('/')
        || out
            .as_os_str()
            .to_string_lossy()
            .ends_with(std::path::MAIN_SEPARATOR)
}

/// The output of one input file.
fn target(out: &Path, rel: &Path, to: Option<OutFormat>, folder: bool) -> PathBuf {
    if !folder {
        return out.to_path_buf();
    }
    let name = super::output_name(rel, to);
    out.join(rel.parent().unwrap_or(Path::new(""))).join(name)
}

/// A path made absolute and resolved: the longest existing part through
/// [`std::fs::canonicalize`] (symbolic links and `..` resolved by the file system), the rest
/// (which does not exist, so holds no link) normalised by hand.
pub fn resolve(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let parts: Vec<Component<'_>> = abs.components().collect();
    for n in (1..=parts.len()).rev() {
        let prefix: PathBuf = parts[..n].iter().collect();
        if let Ok(mut out) = std::fs::canonicalize(&prefix) {
            for c in &parts[n..] {
                match c {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::CurDir => {}
                    c => out.push(c.as_os_str()),
                }
            }
            return out;
        }
    }
    abs
}

/// Device and inode.
type FileId = (u64, u64);

/// A file's identity on disk: device and inode (so two names of one file agree).
#[cfg(unix)]
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(_path: &Path) -> Option<(u64, u64)> {
    None
}

/// A file that must not be written over: its resolved path and identity.
struct Guarded {
    shown: PathBuf,
    real: PathBuf,
    id: Option<(u64, u64)>,
    what: &'static str,
}

impl Guarded {
    fn new(path: &Path, what: &'static str) -> Guarded {
        Guarded {
            shown: path.to_path_buf(),
            real: resolve(path),
            id: identity(path),
            what,
        }
    }
}

/// Which guarded file `target` would write over, if any.
fn overwrites<'g>(target: &Path, guarded: &'g [Guarded]) -> Option<&'g Guarded> {
    let real = resolve(target);
    let id = identity(target);
    // The name itself, if it is a link: a hard link is found by identity, a symbolic link by
    // where it points (both resolved above).
    guarded
        .iter()
        .find(|g| g.real == real || (id.is_some() && g.id == id))
}

/// Plans every output of a run, or names every reason the run must not start.
///
/// # Errors
/// Every conflict, one line each: two inputs into one output, an output onto an input or a
/// protected file, an output folder inside an input folder, an existing output without
/// `force`, an output that is a folder.
pub fn plan(req: &Request<'_>) -> Result<Vec<Planned>, Vec<String>> {
    let folder = into_folder(req.arguments, req.out);
    let mut guarded: Vec<Guarded> = req
        .files
        .iter()
        .map(|(p, _)| Guarded::new(p, "input"))
        .collect();
    guarded.extend(
        req.protected
            .iter()
            .map(|p| Guarded::new(p, "policy or key file")),
    );
    let mut conflicts = Vec::new();
    if folder {
        if req.out.is_file() {
            conflicts.push(format!(
                "{}: is a file; with a folder or several inputs --out names a folder",
                req.out.display()
            ));
        }
        let out_real = resolve(req.out);
        for a in req.arguments.iter().filter(|a| a.is_dir()) {
            let real = resolve(a);
            if out_real.starts_with(&real) {
                conflicts.push(format!(
                    "{}: the output folder is inside the input folder {}; its outputs would be read as inputs",
                    req.out.display(),
                    a.display()
                ));
            }
        }
    }
    // Each planned output with its resolved path and identity.
    let mut planned: Vec<(Planned, PathBuf, Option<FileId>)> = Vec::new();
    for (input, rel) in req.files {
        // Personal data in the names below the argument does not pass into the output's.
        let rel = req.names.path(rel);
        let output = target(req.out, &rel, req.to, folder);
        let real = resolve(&output);
        let id = identity(&output);
        if let Some((earlier, _, _)) = planned
            .iter()
            .find(|(_, r, i)| *r == real || (id.is_some() && *i == id))
        {
            conflicts.push(format!(
                "{}: both {} and {} would be written there",
                output.display(),
                earlier.input.display(),
                input.display()
            ));
        }
        if let Some(g) = overwrites(&output, &guarded) {
            conflicts.push(format!(
                "{}: would replace the {} {}; piiscan never overwrites its input (choose another --out)",
                output.display(),
                g.what,
                g.shown.display()
            ));
        } else if output.is_dir() {
            conflicts.push(format!("{}: is a folder", output.display()));
        } else if super::workbook::is_workbook_name(input)
            && !output
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
        {
            // A workbook is written as XLSX, and read back by that name.
            conflicts.push(format!(
                "{}: {} is written as an XLSX workbook; name the output .xlsx",
                output.display(),
                input.display()
            ));
        } else if output.symlink_metadata().is_ok() && !req.force {
            conflicts.push(format!(
                "{}: exists already (use --force to replace an earlier output)",
                output.display()
            ));
        }
        planned.push((
            Planned {
                input: input.clone(),
                output,
            },
            real,
            id,
        ));
    }
    if conflicts.is_empty() {
        Ok(planned.into_iter().map(|(p, _, _)| p).collect())
    } else {
        Err(conflicts)
    }
}

/// Checks the one file `--suggest-policy --out FILE` writes.
///
/// # Errors
/// The conflict: the file is an input, the key file or an existing file without `force`.
pub fn check_single(
    target: &Path,
    files: &[(PathBuf, PathBuf)],
    protected: &[PathBuf],
    force: bool,
) -> Result<(), String> {
    let mut guarded: Vec<Guarded> = files
        .iter()
        .map(|(p, _)| Guarded::new(p, "input"))
        .collect();
    guarded.extend(
        protected
            .iter()
            .map(|p| Guarded::new(p, "policy or key file")),
    );
    if let Some(g) = overwrites(target, &guarded) {
        return Err(format!(
            "{}: would replace the {} {}; piiscan never overwrites its input",
            target.display(),
            g.what,
            g.shown.display()
        ));
    }
    if target.is_dir() {
        return Err(format!("{}: is a folder", target.display()));
    }
    if target.symlink_metadata().is_ok() && !force {
        return Err(format!(
            "{}: exists already (use --force to replace it)",
            target.display()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_normalises_what_does_not_exist() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = std::fs::canonicalize(dir.path()).expect("canon");
        std::fs::create_dir(d.join("in")).expect("mkdir");
        assert_eq!(resolve(&d.join("in/../in/x.csv")), d.join("in/x.csv"));
        assert_eq!(resolve(&d.join("new/a/../b.csv")), d.join("new/b.csv"));
        assert_eq!(resolve(&d.join("in/./y")), d.join("in/y"));
    }
}
