//! Walking the paths given into a deterministic list of inputs: files sorted by name within
//! each directory, in the order the paths were given. Hidden files, `--include`/`--exclude`
//! globs, symbolic links and the size cap are applied here; errors (unreadable directories,
//! symlink loops, missing paths) become entries, so they are reported in order and counted.
//!
//! Nothing is left out silently: every path the walk does not descend into or read (hidden,
//! excluded, not included, a symbolic link not followed, git's own `.git` directory) is a
//! [`Skipped`] of [`Walked::skipped`], in walk order. A directory left out is one entry, with
//! the files beneath it counted up to [`COUNT_CAP`] entries visited (a `.git` directory is not
//! counted at all), so a huge excluded tree costs no more than that.
//!
//! `.gitignore` files are deliberately not honoured: an ignored `exports/` folder is exactly
//! where personal data leaks from.

use globset::{Glob, GlobSet, GlobSetBuilder};
use std::cell::RefCell;
use std::path::{Path, PathBuf};

/// Entries visited at most to count the files beneath a directory that is left out.
pub const COUNT_CAP: u64 = 10_000;

/// Why the walk left a path out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WalkSkip {
    /// Its name (or a directory's) starts with `.` and `--hidden` was not given.
    Hidden,
    /// It matched an `--exclude` glob (or `exclude` in `.piiscan.toml`).
    Excluded,
    /// `--include` globs were given and it matched none.
    NotIncluded,
    /// A symbolic link, not followed (`--follow-symlinks` follows them).
    Symlink,
    /// Git's own `.git` directory: never walked, `--hidden` or not.
    GitDir,
}

/// A path the walk left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Where it is.
    pub path: PathBuf,
    /// Why it was left out.
    pub reason: WalkSkip,
    /// For a directory: the files beneath it (see [`Beneath`]); `None` for a file (and for
    /// `.git`, whose files are not counted).
    pub beneath: Option<Beneath>,
}

/// The files beneath a directory that was left out, as far as they were counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Beneath {
    /// Files (anything not a directory) found.
    pub files: u64,
    /// Counting stopped at [`COUNT_CAP`] entries, or a part could not be read: there may be
    /// more.
    pub more: bool,
}

/// What a walk found: the inputs to scan, and what it left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Walked {
    /// The inputs, in order.
    pub entries: Vec<Entry>,
    /// What was left out, in walk order.
    pub skipped: Vec<Skipped>,
    /// Include and exclude globs that matched nothing.
    pub unmatched: Vec<UnmatchedGlob>,
}

/// How to walk.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// Walk hidden files and directories (names starting with `.`).
    pub hidden: bool,
    /// Follow symbolic links (loops are detected and reported).
    pub follow_symlinks: bool,
    /// Only files matching one of these globs.
    pub include: Option<Globs>,
    /// Not files (or directories) matching one of these globs.
    pub exclude: Option<Globs>,
    /// Skip files larger than this many bytes.
    pub max_filesize: Option<u64>,
    /// The project root (absolute; where `.piiscan.toml` is): globs are also matched against
    /// the path below it, so a configured `acme/logs/**` holds whichever folder is scanned.
    pub root: Option<PathBuf>,
}

/// Globs such as `*.log` or `acme/logs/**`, with the patterns they were built from (to name
/// one that matched nothing).
#[derive(Debug, Clone)]
pub struct Globs {
    set: GlobSet,
    patterns: Vec<String>,
}

impl Globs {
    /// Does any glob match `path`?
    pub fn is_match(&self, path: impl AsRef<Path>) -> bool {
        self.set.is_match(path)
    }

    /// The patterns, in the order given.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// Does any glob match one of the `candidates`? Marks in `hits` each glob that does.
    fn hit(&self, candidates: &[&Path], hits: &mut [bool]) -> bool {
        let mut any = false;
        for c in candidates {
            for i in self.set.matches(c) {
                hits[i] = true;
                any = true;
            }
        }
        any
    }
}

/// Builds a glob set from patterns such as `*.log` or `exports/**`.
///
/// # Errors
/// A pattern that is not a valid glob.
pub fn globs(patterns: &[String]) -> crate::Result<Option<Globs>> {
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
    let set = b.build().map_err(|e| {
        crate::Error::Usage(format!("globs: {}", crate::source::parse_error::glob(&e)))
    })?;
    Ok(Some(Globs {
        set,
        patterns: patterns.to_vec(),
    }))
}

/// The paths a glob is matched against, for `path` found below the `input` given: the path
/// below the input (`logs/a.log`), the path as walked without a leading `./`
/// (`acme/logs/a.log`), the path below the project root (`root`, with the current directory
/// to resolve relative paths), and the file name.
pub fn glob_candidates(input: &Path, path: &Path, root: Option<(&Path, &Path)>) -> Vec<PathBuf> {
    let mut out = Vec::with_capacity(4);
    out.push(path.strip_prefix(input).unwrap_or(path).to_path_buf());
    out.push(path.strip_prefix(".").unwrap_or(path).to_path_buf());
    if let Some((root, cwd)) = root {
        let abs = crate::source::project::normalise(path, cwd);
        if let Ok(below) = abs.strip_prefix(root) {
            out.push(below.to_path_buf());
        }
    }
    if let Some(name) = path.file_name() {
        out.push(PathBuf::from(name));
    }
    out
}

/// A glob that matched no path at all: named, so an empty result is explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmatchedGlob {
    /// `include` or `exclude`.
    pub kind: &'static str,
    /// The pattern.
    pub pattern: String,
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
    /// A live database named by its URL.
    Database {
        /// The URL, parsed; shown as its reference (no user, no password).
        url: crate::source::database::DbUrl,
    },
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
            Entry::Database { url } => Path::new(url.reference()),
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
            Entry::Database { url } => url.reference().to_string(),
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

/// Which globs of one kind matched something.
struct Hits<'a> {
    globs: Option<&'a Globs>,
    hits: RefCell<Vec<bool>>,
    /// The project root and the current directory.
    root: Option<(&'a Path, PathBuf)>,
}

impl<'a> Hits<'a> {
    fn new(globs: Option<&'a Globs>, root: Option<&'a Path>) -> Self {
        let n = globs.map_or(0, |g| g.patterns.len());
        let cwd = std::env::current_dir().unwrap_or_default();
        Hits {
            globs,
            hits: RefCell::new(vec![false; n]),
            root: root.map(|r| (r, cwd)),
        }
    }

    /// Does a glob match `path` (found below `input`)?
    fn matches(&self, input: &Path, path: &Path) -> bool {
        let Some(g) = self.globs else {
            return false;
        };
        let root = self.root.as_ref().map(|(r, c)| (*r, c.as_path()));
        let owned = glob_candidates(input, path, root);
        let candidates: Vec<&Path> = owned.iter().map(PathBuf::as_path).collect();
        g.hit(&candidates, &mut self.hits.borrow_mut())
    }

    fn unmatched(self, kind: &'static str) -> Vec<UnmatchedGlob> {
        let Some(g) = self.globs else {
            return Vec::new();
        };
        g.patterns
            .iter()
            .zip(self.hits.into_inner())
            .filter(|(_, hit)| !hit)
            .map(|(p, _)| UnmatchedGlob {
                kind,
                pattern: p.clone(),
            })
            .collect()
    }
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

/// Counts the files beneath `dir`, visiting at most `cap` entries ([`COUNT_CAP`] in a walk);
/// links are not followed.
pub fn count_beneath(dir: &Path, cap: u64) -> Beneath {
    let mut b = Beneath::default();
    let mut visited = 0u64;
    for e in walkdir::WalkDir::new(dir).min_depth(1).into_iter() {
        visited += 1;
        if visited > cap {
            b.more = true;
            break;
        }
        match e {
            Ok(e) if e.file_type().is_dir() => {}
            Ok(_) => b.files += 1,
            // An unreadable part: what is beneath it is not known.
            Err(_) => b.more = true,
        }
    }
    b
}

/// A skip of `path`: a directory gets the files beneath it counted (not `.git`: it can be
/// huge, and what it holds is git's, not the user's files).
fn skipped(path: &Path, is_dir: bool, reason: WalkSkip) -> Skipped {
    let beneath = (is_dir && reason != WalkSkip::GitDir).then(|| count_beneath(path, COUNT_CAP));
    Skipped {
        path: path.to_path_buf(),
        reason,
        beneath,
    }
}

/// Expands the inputs into entries (what was left out is dropped: see [`walk_all`]).
pub fn walk(inputs: &[PathBuf], opts: &WalkOptions) -> Vec<Entry> {
    walk_all(inputs, opts).entries
}

/// Expands the inputs into entries, and names every path left out.
pub fn walk_all(inputs: &[PathBuf], opts: &WalkOptions) -> Walked {
    let mut out = Vec::new();
    let left_out: RefCell<Vec<Skipped>> = RefCell::new(Vec::new());
    let include = Hits::new(opts.include.as_ref(), opts.root.as_deref());
    let exclude = Hits::new(opts.exclude.as_ref(), opts.root.as_deref());
    let mut databases = false;
    for input in inputs {
        if input.as_os_str() == "-" {
            out.push(Entry::Stdin);
            continue;
        }
        if let Some(s) = crate::source::input::database_url(input) {
            // Its tables are chosen by the globs when it is read, by `schema.table`.
            databases = true;
            out.push(match crate::source::database::DbUrl::parse(s) {
                Ok(url) => Entry::Database { url },
                Err(e) => Entry::Error {
                    path: PathBuf::from(crate::source::database::url::redacted(s)),
                    reason: e.to_string(),
                },
            });
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
                let reason = if name == ".git" {
                    WalkSkip::GitDir
                } else if !opts.hidden && is_hidden(name) {
                    WalkSkip::Hidden
                } else if exclude.matches(input, e.path()) {
                    WalkSkip::Excluded
                } else {
                    return true;
                };
                let is_dir = e.file_type().is_dir();
                left_out
                    .borrow_mut()
                    .push(skipped(e.path(), is_dir, reason));
                false
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
                    let toc = e.path().join("toc.dat");
                    if opts.include.is_some()
                        && !include.matches(input, e.path())
                        && !include.matches(input, &toc)
                    {
                        left_out.borrow_mut().push(Skipped {
                            path: e.into_path(),
                            reason: WalkSkip::NotIncluded,
                            beneath: None,
                        });
                        continue;
                    }
                    let size = directory_size(e.path());
                    out.push(file_entry(e.into_path(), size, opts));
                }
                Ok(e) if e.file_type().is_file() => {
                    if opts.include.is_some() && !include.matches(input, e.path()) {
                        left_out.borrow_mut().push(Skipped {
                            path: e.into_path(),
                            reason: WalkSkip::NotIncluded,
                            beneath: None,
                        });
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
                Ok(e) if e.file_type().is_dir() => {}
                Ok(e) => {
                    // Special files and links not followed (with links followed, file_type
                    // is the target's).
                    if e.file_type().is_symlink() {
                        // To a directory or a file, it is not followed (whatever --include).
                        left_out.borrow_mut().push(Skipped {
                            path: e.into_path(),
                            reason: WalkSkip::Symlink,
                            beneath: None,
                        });
                    } else if opts.include.is_some() && !include.matches(input, e.path()) {
                        left_out.borrow_mut().push(Skipped {
                            path: e.into_path(),
                            reason: WalkSkip::NotIncluded,
                            beneath: None,
                        });
                    } else if let Some(kind) = special_kind(e.file_type()) {
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
    // With a database given, a glob may be meant for its tables only: not said to match nothing.
    let mut unmatched = Vec::new();
    if !databases {
        unmatched = include.unmatched("include");
        unmatched.extend(exclude.unmatched("exclude"));
    }
    Walked {
        entries: out,
        skipped: left_out.into_inner(),
        unmatched,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(p: &Path) {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, b"x\n").unwrap();
    }

    #[test]
    fn every_path_left_out_is_named_in_walk_order() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        for f in [
            "a.txt",
            ".env",
            ".backup/x.csv",
            ".backup/deep/y.txt",
            "data/.klanten.db-journal",
            "logs/1.log",
            "logs/2.log",
            "notes.md",
            ".git/HEAD",
        ] {
            touch(&r.join(f));
        }
        std::os::unix::fs::symlink(r.join("a.txt"), r.join("link.txt")).unwrap();
        let opts = WalkOptions {
            exclude: globs(&["logs".to_string()]).unwrap(),
            include: globs(&["*.txt".to_string(), "*.csv".to_string()]).unwrap(),
            ..Default::default()
        };
        let w = walk_all(&[r.to_path_buf()], &opts);
        let files: Vec<_> = w.entries.iter().map(|e| e.path().to_path_buf()).collect();
        assert_eq!(files, [r.join("a.txt")]);
        let got: Vec<(String, WalkSkip, Option<Beneath>)> = w
            .skipped
            .iter()
            .map(|s| {
                let rel = s.path.strip_prefix(r).unwrap().display().to_string();
                (rel, s.reason, s.beneath)
            })
            .collect();
        let dir = |files| Some(Beneath { files, more: false });
        assert_eq!(
            got,
            [
                (".backup".into(), WalkSkip::Hidden, dir(2)),
                (".env".into(), WalkSkip::Hidden, None),
                (".git".into(), WalkSkip::GitDir, None),
                ("data/.klanten.db-journal".into(), WalkSkip::Hidden, None),
                ("link.txt".into(), WalkSkip::Symlink, None),
                ("logs".into(), WalkSkip::Excluded, dir(2)),
                ("notes.md".into(), WalkSkip::NotIncluded, None),
            ]
        );
    }

    #[test]
    fn hidden_paths_are_walked_with_hidden_and_links_followed_when_asked() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        touch(&r.join(".env"));
        touch(&r.join(".backup/x.csv"));
        touch(&r.join("real/a.txt"));
        std::os::unix::fs::symlink(r.join("real"), r.join("alias")).unwrap();
        let opts = WalkOptions {
            hidden: true,
            follow_symlinks: true,
            ..Default::default()
        };
        let w = walk_all(&[r.to_path_buf()], &opts);
        assert!(w.skipped.is_empty(), "{:?}", w.skipped);
        assert_eq!(w.entries.len(), 4, "{:?}", w.entries);
    }

    #[test]
    fn counting_a_huge_tree_stops_at_the_cap() {
        let d = tempfile::tempdir().unwrap();
        for i in 0..30 {
            touch(&d.path().join(format!("sub{}/f{i}", i % 3)));
        }
        assert_eq!(
            count_beneath(d.path(), 1000),
            Beneath {
                files: 30,
                more: false
            }
        );
        let capped = count_beneath(d.path(), 10);
        assert!(capped.more && capped.files <= 10, "{capped:?}");
    }
}
