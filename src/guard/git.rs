//! Asking git what changed: the files changed between a revision and the working tree
//! (`--changed-since`), and the staged versions of staged files (`--staged`, for pre-commit).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn git(dir: &Path, args: &[&str]) -> crate::Result<Vec<u8>> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| crate::Error::Usage(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stderr);
        return Err(crate::Error::Usage(format!(
            "git {}: {}",
            args.first().copied().unwrap_or(""),
            msg.trim()
        )));
    }
    Ok(out.stdout)
}

fn split_nul(bytes: &[u8]) -> Vec<String> {
    bytes
        .split(|&b| b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect()
}

/// The top of the work tree that holds `dir`.
///
/// # Errors
/// git is missing or `dir` is not inside a work tree.
pub fn work_tree(dir: &Path) -> crate::Result<PathBuf> {
    let out = git(dir, &["rev-parse", "--show-toplevel"])?;
    Ok(PathBuf::from(String::from_utf8_lossy(&out).trim_end()))
}

/// Files (relative to the work tree) that differ between `rev` and the working tree, plus
/// untracked files that are not ignored. Deleted files are left out.
///
/// # Errors
/// git fails, or `rev` is not a commit.
pub fn changed_since(root: &Path, rev: &str) -> crate::Result<Vec<String>> {
    let spec = format!("{rev}^{{commit}}");
    git(root, &["rev-parse", "--verify", "--quiet", &spec]).map_err(|_| {
        crate::Error::Usage(format!(
            "--changed-since {rev:?}: not a commit in {} (in CI, fetch enough history, e.g. \
             actions/checkout with fetch-depth: 0)",
            root.display()
        ))
    })?;
    let mut files = split_nul(&git(
        root,
        &[
            "diff",
            "--name-only",
            "-z",
            "--no-renames",
            "--diff-filter=d",
            rev,
            "--",
        ],
    )?);
    files.extend(split_nul(&git(
        root,
        &["ls-files", "-z", "--others", "--exclude-standard"],
    )?));
    files.sort();
    files.dedup();
    Ok(files)
}

/// Writes the staged version of every staged (added, copied, modified, renamed) file under
/// `into`, at its path relative to the work tree, and returns those paths.
///
/// # Errors
/// git fails.
pub fn checkout_staged(root: &Path, into: &Path) -> crate::Result<Vec<String>> {
    let files = split_nul(&git(
        root,
        &[
            "diff",
            "--cached",
            "--name-only",
            "-z",
            "--no-renames",
            "--diff-filter=d",
        ],
    )?);
    if files.is_empty() {
        return Ok(files);
    }
    let mut prefix = into.as_os_str().to_os_string();
    prefix.push("/");
    let mut child = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["checkout-index", "-z", "--stdin", "--prefix"])
        .arg(&prefix)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| crate::Error::Usage(format!("cannot run git: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        for f in &files {
            stdin
                .write_all(f.as_bytes())
                .and_then(|_| stdin.write_all(b"\0"))
                .map_err(|e| crate::Error::Usage(format!("git checkout-index: {e}")))?;
        }
    }
    let out = child
        .wait_with_output()
        .map_err(|e| crate::Error::Usage(format!("git checkout-index: {e}")))?;
    if !out.status.success() {
        return Err(crate::Error::Usage(format!(
            "git checkout-index: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(files)
}

/// Which of `files` (relative to the work tree `root`) lie below one of `given` (paths as the
/// user gave them, resolved from `cwd`), pass `include`/`exclude` (matched like the walk
/// does: against the path below the given one, or the file name) and are not hidden unless
/// `hidden`. Returns absolute paths, in order, and the files below `given` left out, each with
/// its reason (nothing is left out silently).
pub fn select(
    root: &Path,
    files: &[String],
    given: &[PathBuf],
    cwd: &Path,
    walk: &crate::source::walk::WalkOptions,
) -> (Vec<PathBuf>, Vec<crate::source::walk::Skipped>) {
    use crate::source::project::normalise;
    use crate::source::walk::{Skipped, WalkSkip};
    let bases: Vec<PathBuf> = given.iter().map(|g| normalise(g, cwd)).collect();
    let mut out = Vec::new();
    let mut left_out = Vec::new();
    let mut leave = |path: PathBuf, reason: WalkSkip| {
        left_out.push(Skipped {
            path,
            reason,
            beneath: None,
        })
    };
    for f in files {
        let abs = normalise(&root.join(f), cwd);
        let Some((base, rel)) = bases
            .iter()
            .find_map(|b| abs.strip_prefix(b).ok().map(|r| (b, r)))
        else {
            continue;
        };
        let hidden = rel.components().any(|c| {
            c.as_os_str()
                .to_str()
                .is_some_and(|s| s.starts_with('.') && s != "." && s != "..")
        });
        if hidden && !walk.hidden {
            leave(abs, WalkSkip::Hidden);
            continue;
        }
        // Matched like the walk matches (below the path given, below the project root, the
        // file name), and against the path in the work tree.
        let mut candidates = crate::source::walk::glob_candidates(
            base,
            &abs,
            walk.root.as_deref().map(|r| (r, cwd)),
        );
        candidates.push(PathBuf::from(f));
        let matches = |set: &Option<crate::source::walk::Globs>| {
            set.as_ref()
                .is_some_and(|s| candidates.iter().any(|c| s.is_match(c)))
        };
        // A file in an excluded folder is excluded: the walk never enters the folder.
        let excluded_dir = walk.exclude.as_ref().is_some_and(|s| {
            candidates.iter().any(|c| {
                c.ancestors()
                    .skip(1)
                    .any(|a| !a.as_os_str().is_empty() && a.is_relative() && s.is_match(a))
            })
        });
        if matches(&walk.exclude) || excluded_dir {
            leave(abs, WalkSkip::Excluded);
            continue;
        }
        if walk.include.is_some() && !matches(&walk.include) {
            leave(abs, WalkSkip::NotIncluded);
            continue;
        }
        out.push(abs);
    }
    (out, left_out)
}
