//! Walking the paths given into a deterministic list of inputs: files sorted by name within
//! each directory, in the order the paths were given. Hidden files, `--include`/`--exclude`
//! globs, symbolic links and the size cap are applied here; errors (unreadable directories,
//! symlink loops, missing paths) become entries, so they are reported in order and counted.
//!
//! `.gitignore` files are deliberately not honoured: an ignored `exports/` folder is exactly
//! where personal data leaks from.

use globset::{Glob, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};

/// How to walk.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// Walk hidden files and directories (names starting with `.`).
    pub hidden: bool,
    /// Follow symbolic links (loops are detected and reported).
    pub follow_symlinks: bool,
    /// Only files matching one of these globs.
    pub include: Option<GlobSet>,
    /// Not files (or directories) matching one of these globs.
    pub exclude: Option<GlobSet>,
    /// Skip files larger than this many bytes.
    pub max_filesize: Option<u64>,
}

/// Builds a glob set from patterns such as `*.log` or `exports/**`.
///
/// # Errors
/// A pattern that is not a valid glob.
pub fn globs(patterns: &[String]) -> crate::Result<Option<GlobSet>> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for (i, p) in patterns.iter().enumerate() {
        // The pattern is not quoted: it may come from a file given by mistake.
        let glob = Glob::new(p).map_err(|e| {
            crate::Error::Usage(format!(
                "include/exclude pattern #{}: {}",
                i + 1,
                crate::source::parse_error::glob(&e)
            ))
        })?;
        b.add(glob);
    }
    b.build().map(Some).map_err(|e| {
        crate::Error::Usage(format!("globs: {}", crate::source::parse_error::glob(&e)))
    })
}

/// One input to scan, or a reason it is not scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A file.
    File {
        /// Where it is.
        path: PathBuf,
        /// Its size in bytes (compressed size for gzip).
        size: u64,
    },
    /// Standard input (`-`).
    Stdin,
    /// Larger than `--max-filesize`.
    TooLarge {
        /// Where it is.
        path: PathBuf,
        /// Its size.
        size: u64,
    },
    /// A FIFO, socket or device: never opened (reading one can block forever or never end).
    Special {
        /// Where it is.
        path: PathBuf,
        /// What it is (`a FIFO`, `a socket`, `a character device`, `a block device`).
        kind: &'static str,
        /// Named on the command line (rather than found in a directory).
        named: bool,
    },
    /// Could not be walked or read.
    Error {
        /// What was being reached.
        path: PathBuf,
        /// Why it failed.
        reason: String,
    },
}

impl Entry {
    /// The path of the entry (`-` for standard input).
    pub fn path(&self) -> &Path {
        match self {
            Entry::Stdin => Path::new("-"),
            Entry::File { path, .. }
            | Entry::TooLarge { path, .. }
            | Entry::Special { path, .. }
            | Entry::Error { path, .. } => path,
        }
    }

    /// The path as shown in reports.
    pub fn display(&self) -> String {
        match self {
            Entry::Stdin => "-".into(),
            Entry::File { path, .. }
            | Entry::TooLarge { path, .. }
            | Entry::Special { path, .. }
            | Entry::Error { path, .. } => path.display().to_string(),
        }
    }
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|n| n.starts_with('.') && n != "." && n != "..")
}

fn matches(set: &Option<GlobSet>, rel: &Path, name: &std::ffi::OsStr) -> bool {
    set.as_ref()
        .is_some_and(|s| s.is_match(rel) || s.is_match(name))
}

/// The bytes of the files directly inside `dir` (a pg_dump directory archive's size).
pub fn directory_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|it| {
            it.filter_map(|e| e.ok()?.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// What kind of special file this is, if it is one (not a regular file or directory).
#[cfg(unix)]
pub fn special_kind(ft: std::fs::FileType) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        Some("a FIFO")
    } else if ft.is_socket() {
        Some("a socket")
    } else if ft.is_char_device() {
        Some("a character device")
    } else if ft.is_block_device() {
        Some("a block device")
    } else {
        None
    }
}

/// What kind of special file this is: none that can block can be told apart here.
#[cfg(not(unix))]
pub fn special_kind(_ft: std::fs::FileType) -> Option<&'static str> {
    None
}

fn file_entry(path: PathBuf, size: u64, opts: &WalkOptions) -> Entry {
    match opts.max_filesize {
        Some(max) if size > max => Entry::TooLarge { path, size },
        _ => Entry::File { path, size },
    }
}

/// Expands the inputs into entries.
pub fn walk(inputs: &[PathBuf], opts: &WalkOptions) -> Vec<Entry> {
    let mut out = Vec::new();
    for input in inputs {
        if input.as_os_str() == "-" {
            out.push(Entry::Stdin);
            continue;
        }
        let meta = match std::fs::metadata(input) {
            Ok(m) => m,
            Err(e) => {
                out.push(Entry::Error {
                    path: input.clone(),
                    reason: e.to_string(),
                });
                continue;
            }
        };
        if let Some(kind) = special_kind(meta.file_type()) {
            out.push(Entry::Special {
                path: input.clone(),
                kind,
                named: true,
            });
            continue;
        }
        if !meta.is_dir() {
            out.push(file_entry(input.clone(), meta.len(), opts));
            continue;
        }
        // A pg_dump directory archive is one dataset, read through its toc.dat.
        if crate::source::table::pgarchive::is_directory_archive(input) {
            out.push(file_entry(input.clone(), directory_size(input), opts));
            continue;
        }
        let mut walker = walkdir::WalkDir::new(input)
            .follow_links(opts.follow_symlinks)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                if e.depth() == 0 {
                    return true;
                }
                let name = e.file_name();
                if name == ".git" || (!opts.hidden && is_hidden(name)) {
                    return false;
                }
                let rel = e.path().strip_prefix(input).unwrap_or(e.path());
                !matches(&opts.exclude, rel, name)
            });
        while let Some(item) = walker.next() {
            match item {
                Ok(e)
                    if e.depth() > 0
                        && e.file_type().is_dir()
                        && crate::source::table::pgarchive::is_directory_archive(e.path()) =>
                {
                    // A pg_dump directory archive: one entry; its files are not walked.
                    walker.skip_current_dir();
                    let rel = e.path().strip_prefix(input).unwrap_or(e.path());
                    let toc = rel.join("toc.dat");
                    if opts.include.is_some()
                        && !matches(&opts.include, rel, e.file_name())
                        && !matches(&opts.include, &toc, std::ffi::OsStr::new("toc.dat"))
                    {
                        continue;
                    }
                    let size = directory_size(e.path());
                    out.push(file_entry(e.into_path(), size, opts));
                }
                Ok(e) if e.file_type().is_file() => {
                    let rel = e.path().strip_prefix(input).unwrap_or(e.path());
                    if opts.include.is_some() && !matches(&opts.include, rel, e.file_name()) {
                        continue;
                    }
                    match e.metadata() {
                        Ok(m) => out.push(file_entry(e.into_path(), m.len(), opts)),
                        Err(err) => out.push(Entry::Error {
                            path: e.into_path(),
                            reason: err.to_string(),
                        }),
                    }
                }
                Ok(e) => {
                    // Special files (with links followed, file_type is the target's).
                    let rel = e.path().strip_prefix(input).unwrap_or(e.path());
                    let included =
                        opts.include.is_none() || matches(&opts.include, rel, e.file_name());
                    if let Some(kind) = special_kind(e.file_type()).filter(|_| included) {
                        out.push(Entry::Special {
                            path: e.into_path(),
                            kind,
                            named: false,
                        });
                    }
                }
                Err(err) => {
                    let path = err
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| input.clone());
                    let reason = match err.loop_ancestor() {
                        Some(anc) => format!("symbolic link loop back to {}", anc.display()),
                        None => err
                            .io_error()
                            .map(|e| e.to_string())
                            .unwrap_or_else(|| err.to_string()),
                    };
                    out.push(Entry::Error { path, reason });
                }
            }
        }
    }
    drop_sqlite_sides(&mut out);
    out
}

/// Removes the files SQLite keeps beside a database (`-wal`, `-shm`, `-journal`) when the
/// database is an entry too: they are read with it
/// ([`crate::source::table::sqlite`]), not as inputs of their own. One whose database is not
/// among the entries stays, and is named as not scanned when it is run.
fn drop_sqlite_sides(entries: &mut Vec<Entry>) {
    use crate::source::table::sqlite;
    let listed: std::collections::HashSet<PathBuf> = entries
        .iter()
        .filter(|e| matches!(e, Entry::File { .. } | Entry::TooLarge { .. }))
        .map(|e| e.path().to_path_buf())
        .collect();
    entries.retain(|e| {
        let (Entry::File { path, .. } | Entry::TooLarge { path, .. }) = e else {
            return true;
        };
        match sqlite::side_by_name(path) {
            Some((db, _)) => !(listed.contains(&db) && sqlite::is_database(&db)),
            None => true,
        }
    });
}
