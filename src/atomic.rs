//! The one place where piiscan writes files. A file is written into a private temporary
//! directory beside its target (mode 0700, named `.piiscan-tmp-<pid>-<random>`) as a private
//! file (mode 0600), flushed to disk, renamed into place, and the directory is synced; so a
//! reader sees the old file or the complete new one, never a part, and nobody else can read a
//! half-written copy.
//!
//! The temporary directory goes away when its [`AtomicFile`] is dropped (an error, a panic),
//! and on SIGINT, SIGTERM and SIGHUP: a cleanup thread removes every live temporary directory
//! (a registry kept here) before the process ends with the signal. A write past a file-size
//! limit (`ulimit -f`) fails with an error instead of killing the process, so it is cleaned up
//! too. What a SIGKILL leaves, a later run removes with [`remove_stale`] (directories of this
//! name whose process is gone).

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

/// The name every temporary directory piiscan makes starts with.
pub const TEMP_PREFIX: &str = ".piiscan-tmp-";

/// Temporary directories alive in this process (removed on a terminating signal).
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
/// Set once a terminating signal arrived: no new temporary directory is made after it.
static TERMINATING: AtomicBool = AtomicBool::new(false);

fn live() -> MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// The folder a target lives in (`.` for a bare file name).
fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn random_hex() -> String {
    let mut b = [0u8; 8];
    if getrandom::getrandom(&mut b).is_err() {
        // The name only has to be unlikely to collide; creation refuses an existing one.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        b = (t as u64).to_le_bytes();
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn create_private_dir(path: &Path) -> io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(path)
}

fn create_private_file(path: &Path) -> io::Result<File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).read(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

/// Syncs a directory, so a rename in it survives a crash (a no-op where directories cannot
/// be opened).
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// A private temporary directory beside a target, removed (with all it holds) when dropped.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Makes a directory `.piiscan-tmp-<pid>-<random>` (mode 0700) in the folder of `target`
    /// and registers it for removal on SIGINT and SIGTERM.
    ///
    /// # Errors
    /// The folder cannot be written, or the process is being terminated.
    pub fn beside(target: &Path) -> io::Result<TempDir> {
        install_signal_cleanup();
        let parent = parent_of(target);
        let mut registry = live();
        if TERMINATING.load(Ordering::SeqCst) {
            return Err(io::Error::new(
                io::ErrorKind::Interrupted,
                "piiscan is being stopped",
            ));
        }
        let mut last = None;
        for _ in 0..16 {
            let name = format!("{TEMP_PREFIX}{}-{}", std::process::id(), random_hex());
            let path = parent.join(name);
            match create_private_dir(&path) {
                Ok(()) => {
                    registry.push(path.clone());
                    return Ok(TempDir { path });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("no temporary directory name was free")))
    }

    /// Makes a private directory (mode 0700) in the system's temporary folder (`TMPDIR`), for
    /// copies of inputs that must be read from a file: never beside an input, so nothing is
    /// ever written where the scan reads.
    ///
    /// # Errors
    /// The temporary folder cannot be written, or the process is being terminated.
    pub fn in_temp() -> io::Result<TempDir> {
        TempDir::beside(&std::env::temp_dir().join("piiscan"))
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Creates a new private file (mode 0600) named `name` in the directory.
    ///
    /// # Errors
    /// The file exists already or cannot be created.
    pub fn create_file(&self, name: &str) -> io::Result<(PathBuf, File)> {
        let path = self.path.join(name);
        let file = create_private_file(&path)?;
        Ok((path, file))
    }
}

impl TempDir {
    /// Makes a private directory (mode 0700) named `name` inside, for files that are to
    /// appear together ([`TempDir::publish_dir`]).
    ///
    /// # Errors
    /// It exists already or cannot be created.
    pub fn create_dir(&self, name: &str) -> io::Result<PathBuf> {
        let path = self.path.join(name);
        create_private_dir(&path)?;
        Ok(path)
    }

    /// Moves `staged` (a directory made by [`TempDir::create_dir`], its files written and
    /// synced) to `target` in one rename, syncs the folder, and removes the temporary
    /// directory: `target` appears complete or not at all. `target` must not exist, or be an
    /// empty directory.
    ///
    /// # Errors
    /// `target` exists and is not an empty directory, or the rename fails.
    pub fn publish_dir(self, staged: &Path, target: &Path) -> io::Result<()> {
        sync_dir(staged)?;
        std::fs::rename(staged, target)?;
        sync_dir(&parent_of(target))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let mut registry = live();
        let _ = std::fs::remove_dir_all(&self.path);
        registry.retain(|p| p != &self.path);
    }
}

/// Whether an existing target may be replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// Replace whatever is there.
    Yes,
    /// Fail with `AlreadyExists` when the target exists.
    No,
}

/// A file being written: a private temporary file that becomes the target on
/// [`AtomicFile::commit`], and vanishes (with its directory) when dropped before.
#[derive(Debug)]
pub struct AtomicFile {
    file: File,
    temp: PathBuf,
    target: PathBuf,
    // Dropped last: the file is closed before its directory goes.
    dir: TempDir,
}

impl AtomicFile {
    /// Starts writing `target`: a temporary file of the same name (so of the same extension)
    /// inside a new private directory beside it.
    ///
    /// # Errors
    /// The target's folder cannot be written.
    pub fn create(target: &Path) -> io::Result<AtomicFile> {
        let dir = TempDir::beside(target)?;
        let name = target
            .file_name()
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("output"));
        let temp = dir.path().join(name);
        let file = create_private_file(&temp)?;
        Ok(AtomicFile {
            file,
            temp,
            target: target.to_path_buf(),
            dir,
        })
    }

    /// The temporary file (to read it back, or to open it with a library that wants a path).
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// The private directory holding the temporary file (SQLite puts its journal there).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The target this file becomes.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The open temporary file.
    pub fn file_mut(&mut self) -> &mut File {
        &mut self.file
    }

    /// Flushes the file to disk and renames it onto the target, then syncs the folder.
    ///
    /// # Errors
    /// Syncing or renaming failed (the temporary file is removed then), or the target exists
    /// and `replace` is [`Replace::No`].
    pub fn commit(self, replace: Replace) -> io::Result<()> {
        self.file.sync_all()?;
        match replace {
            Replace::Yes => std::fs::rename(&self.temp, &self.target)?,
            Replace::No => {
                // A hard link fails when the target exists: no window in which another file
                // could be replaced. Where hard links are not supported, check and rename.
                match std::fs::hard_link(&self.temp, &self.target) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Err(e),
                    Err(_) if self.target.symlink_metadata().is_ok() => {
                        return Err(io::Error::new(
                            io::ErrorKind::AlreadyExists,
                            "exists already",
                        ))
                    }
                    Err(_) => std::fs::rename(&self.temp, &self.target)?,
                }
            }
        }
        sync_dir(&parent_of(&self.target))?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// The permissions a plain `File::create` would give a new file (0666 less the umask).
#[cfg(unix)]
fn default_mode() -> u32 {
    // Linux shows the umask in /proc without changing it; elsewhere assume the usual 022.
    let umask = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0o022);
    0o666 & !umask
}

/// Writes `contents` to `path` atomically (temporary file, fsync, rename, directory fsync),
/// replacing what is there. An existing file keeps its permissions; a new one gets those a
/// plain create would give.
///
/// # Errors
/// The folder cannot be written, or writing, syncing or renaming failed; nothing is left
/// behind then.
pub fn write_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(contents)?;
    match std::fs::metadata(path) {
        Ok(meta) => std::fs::set_permissions(f.path(), meta.permissions())?,
        #[cfg(unix)]
        Err(_) => {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(f.path(), std::fs::Permissions::from_mode(default_mode()))?;
        }
        #[cfg(not(unix))]
        Err(_) => {}
    }
    f.commit(Replace::Yes)
}

/// Writes a private file (mode 0600, for keys) atomically, replacing what is there.
///
/// # Errors
/// As [`write_file`].
pub fn write_private_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(contents)?;
    f.commit(Replace::Yes)
}

/// A temporary directory a run left behind and a later run removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// The directory removed.
    pub path: PathBuf,
    /// The process that made it.
    pub pid: u32,
}

/// The process id in a temporary directory's name, if it is one of ours.
fn pid_of(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(TEMP_PREFIX)?;
    let (pid, random) = rest.split_once('-')?;
    if random.is_empty() || !random.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    pid.parse().ok()
}

/// Is a process with this id running (on this machine)? Unknown counts as running.
fn alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    #[cfg(unix)]
    {
        let Ok(p) = libc::pid_t::try_from(pid) else {
            return true;
        };
        // SAFETY: kill with signal 0 only checks whether the process exists.
        let r = unsafe { libc::kill(p, 0) };
        r == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// Removes, from `dir`, the temporary directories piiscan runs left there whose process is
/// gone (killed with SIGKILL, or the machine went down), and says which.
///
/// # Errors
/// A stale directory could not be removed (the folder itself not being readable is not an
/// error: nothing was left there by us then).
pub fn remove_stale(dir: &Path) -> io::Result<Vec<Stale>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut removed = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(pid_of) else {
            continue;
        };
        if alive(pid) || !e.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let path = e.path();
        std::fs::remove_dir_all(&path)?;
        removed.push(Stale { path, pid });
    }
    removed.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(removed)
}

/// Removes every live temporary directory (called on a terminating signal).
#[cfg(unix)]
fn remove_live(registry: &mut Vec<PathBuf>) {
    for p in registry.drain(..) {
        // A writer may still be adding a file (a journal): try again a few times.
        for _ in 0..5 {
            if std::fs::remove_dir_all(&p).is_ok() || !p.exists() {
                break;
            }
        }
    }
}

#[cfg(unix)]
fn install_signal_cleanup() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGXFSZ};
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Past a file-size limit a write then fails (EFBIG) instead of killing the process.
        let _ = signal_hook::flag::register(SIGXFSZ, std::sync::Arc::new(AtomicBool::new(false)));
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        let _ = std::thread::Builder::new()
            .name("piiscan-cleanup".into())
            .spawn(move || {
                if let Some(sig) = signals.forever().next() {
                    let mut registry = live();
                    TERMINATING.store(true, Ordering::SeqCst);
                    remove_live(&mut registry);
                    // End as the signal would have: the shell sees "terminated".
                    let _ = signal_hook::low_level::emulate_default_handler(sig);
                    std::process::exit(128 + sig);
                }
            });
    });
}

#[cfg(not(unix))]
fn install_signal_cleanup() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_committed_file_replaces_the_target_and_leaves_no_temporary_directory() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("out.txt");
        std::fs::write(&target, "old").expect("write");
        write_file(&target, b"new").expect("atomic write");
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("dir")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out.txt")]);
    }

    #[cfg(unix)]
    #[test]
    fn temporary_files_are_private_and_vanish_when_dropped() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("out.csv");
        let mut f = AtomicFile::create(&target).expect("create");
        f.write_all(b"secret").expect("write");
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(f.dir()), 0o700);
        assert_eq!(mode(f.path()), 0o600);
        assert!(f.path().ends_with("out.csv"));
        let tmp = f.dir().to_path_buf();
        assert!(tmp
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(TEMP_PREFIX)));
        drop(f);
        assert!(!tmp.exists());
        assert!(!target.exists());
    }

    #[test]
    fn no_replace_refuses_an_existing_target() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("out.csv");
        std::fs::write(&target, "earlier").expect("write");
        let mut f = AtomicFile::create(&target).expect("create");
        f.write_all(b"new").expect("write");
        let e = f.commit(Replace::No).expect_err("exists");
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "earlier");
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
    }

    #[test]
    fn stale_directories_of_dead_processes_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        // A pid far above any real one (pid_max is at most 2^22 on Linux).
        let dead = dir.path().join(format!("{TEMP_PREFIX}99999999-0123abcd"));
        std::fs::create_dir(&dead).expect("mkdir");
        std::fs::write(dead.join("x.csv"), "jan@voorbeeld.nl").expect("write");
        let mine = dir
            .path()
            .join(format!("{TEMP_PREFIX}{}-feedbeef", std::process::id()));
        std::fs::create_dir(&mine).expect("mkdir");
        let other = dir.path().join(".piiscan-tmp-notes");
        std::fs::create_dir(&other).expect("mkdir");
        let removed = remove_stale(dir.path()).expect("clean");
        assert_eq!(
            removed,
            vec![Stale {
                path: dead.clone(),
                pid: 99_999_999
            }]
        );
        assert!(!dead.exists() && mine.exists() && other.exists());
    }
}
