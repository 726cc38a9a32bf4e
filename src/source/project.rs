//! Project paths: how a file is named in fingerprints, baselines and allowlists, independent
//! of the directory piiscan was started from and of the path it was given.
//!
//! The project root is the directory of the `.piiscan.toml` in use, else the top of the git
//! work tree, else the current directory. A file's project path is its path relative to that
//! root with `/` separators (`exports/klanten.csv`), so `piiscan scan .` and
//! `piiscan scan exports` from the root, or a scan from a subdirectory, give the same
//! fingerprints. Files outside the root keep their path as given, without a leading `./`.

use std::path::{Component, Path, PathBuf};

/// Maps the paths a scan reaches to display paths and project paths.
#[derive(Debug, Clone, Default)]
pub struct ProjectPaths {
    /// The project root (absolute), if one is known.
    pub root: Option<PathBuf>,
    /// Files under `.0` are shown and named as if they were under `.1` (used to scan the
    /// staged versions of files, written to a temporary directory, under their own names).
    pub remap: Option<(PathBuf, PathBuf)>,
    /// The directory relative paths are resolved from.
    pub cwd: PathBuf,
}

/// Makes a path absolute against `cwd` and removes `.` and `..` lexically.
pub fn normalise(path: &Path, cwd: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn slashed(rel: &Path) -> String {
    rel.components()
        .filter(|c| !matches!(c, Component::CurDir | Component::RootDir))
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

impl ProjectPaths {
    /// Paths relative to `root`, resolved from the current directory.
    pub fn new(root: Option<PathBuf>) -> ProjectPaths {
        let cwd = std::env::current_dir().unwrap_or_default();
        ProjectPaths {
            root: root.map(|r| normalise(&r, &cwd)),
            remap: None,
            cwd,
        }
    }

    fn remapped(&self, path: &Path) -> PathBuf {
        if let Some((from, to)) = &self.remap {
            if let Ok(rest) = path.strip_prefix(from) {
                return to.join(rest);
            }
        }
        path.to_path_buf()
    }

    /// How a path is shown in reports: as reached, or for remapped files, relative to the
    /// current directory when they lie under it.
    pub fn display(&self, path: &Path) -> String {
        if self
            .remap
            .as_ref()
            .is_some_and(|(from, _)| path.starts_with(from))
        {
            let real = self.remapped(path);
            let shown = real.strip_prefix(&self.cwd).unwrap_or(&real);
            return slashed(shown);
        }
        path.display().to_string()
    }

    /// The project path of a file: relative to the root with `/` separators.
    pub fn project_path(&self, path: &Path) -> String {
        let real = self.remapped(path);
        if real.as_os_str() == "-" {
            return "-".into();
        }
        if let Some(root) = &self.root {
            let abs = normalise(&real, &self.cwd);
            if let Ok(rel) = abs.strip_prefix(root) {
                return slashed(rel);
            }
        }
        let s = slashed(&real);
        if real.is_absolute() {
            format!("/{}", s.trim_start_matches('/'))
        } else {
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_paths_do_not_depend_on_how_the_file_was_reached() {
        let p = ProjectPaths {
            root: Some(PathBuf::from("/repo")),
            remap: None,
            cwd: PathBuf::from("/repo/sub"),
        };
        assert_eq!(p.project_path(Path::new("a.csv")), "sub/a.csv");
        assert_eq!(p.project_path(Path::new("./a.csv")), "sub/a.csv");
        assert_eq!(p.project_path(Path::new("../sub/a.csv")), "sub/a.csv");
        assert_eq!(p.project_path(Path::new("/repo/sub/a.csv")), "sub/a.csv");
        assert_eq!(
            p.project_path(Path::new("/elsewhere/b.txt")),
            "/elsewhere/b.txt"
        );
        let none = ProjectPaths {
            root: None,
            remap: None,
            cwd: PathBuf::from("/x"),
        };
        assert_eq!(none.project_path(Path::new("./logs/a.log")), "logs/a.log");
    }

    #[test]
    fn remapped_files_take_their_real_names() {
        let p = ProjectPaths {
            root: Some(PathBuf::from("/repo")),
            remap: Some((PathBuf::from("/tmp/staged"), PathBuf::from("/repo"))),
            cwd: PathBuf::from("/repo"),
        };
        let staged = Path::new("/tmp/staged/exports/k.csv");
        assert_eq!(p.display(staged), "exports/k.csv");
        assert_eq!(p.project_path(staged), "exports/k.csv");
    }
}
