//! Atomic file writes: a file piiscan writes is either its old self or complete, never half
//! written, and no other user can read it while it is being written.

use std::io::{self, Write};
use std::path::Path;

/// Writes `contents` to `path` atomically: a private temporary file (mode 0600 on Unix) in the
/// same directory, written, synced to disk and renamed over `path` (which keeps mode 0600); then the directory is
/// synced so the rename survives a crash. On an error the temporary file is removed and `path`
/// is untouched.
///
/// # Errors
/// The directory cannot be written, the disk is full, or the rename fails.
pub fn write_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // `tempfile` creates the file with mode 0600 on Unix and removes it when dropped.
    let mut tmp = tempfile::Builder::new()
        .prefix(".piiscan-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    let file = tmp.persist(path).map_err(|e| e.error)?;
    drop(file);
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replaces_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("out.txt");
        write_file(&p, b"one").expect("write");
        write_file(&p, b"two").expect("replace");
        assert_eq!(std::fs::read(&p).expect("read"), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out.txt")]);
    }

    #[test]
    fn a_failed_write_leaves_the_target_untouched() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("missing-dir").join("out.txt");
        assert!(write_file(&p, b"x").is_err());
        assert!(!p.exists());
    }
}
