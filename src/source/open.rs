//! Opening an input as a byte stream: plain files, compressed files (gzip by extension or magic
//! bytes; bzip2, xz and zstd by magic bytes: see [`super::input::codec`]), decompressed on the
//! fly with concatenated members included, and standard input.

use super::input::{codec, decompress, Codec, MAGIC_LEN};
use super::sniff::{sniff, Sniffed, SNIFF_LEN};
use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::Path;

/// A stream with its first block already read and sniffed; `R` is the reader (by default one
/// that can move to another thread; [`LocalOpened`] for a member read from a container).
pub struct Opened<R = Box<dyn Read + Send>> {
    /// What the first block looks like.
    pub sniffed: Sniffed,
    /// The first block followed by the rest of the stream.
    pub reader: R,
    /// Whether the input was decompressed (or taken from a container): it is not read from
    /// its path.
    pub compressed: bool,
    /// The first block (up to 8 KiB), decompressed.
    pub head: Vec<u8>,
}

/// An opened stream that stays on its thread (a member of an archive).
pub type LocalOpened<'a> = Opened<Box<dyn Read + 'a>>;

impl Opened {
    /// The same stream as a [`LocalOpened`].
    pub fn local<'a>(self) -> LocalOpened<'a> {
        Opened {
            sniffed: self.sniffed,
            reader: self.reader,
            compressed: self.compressed,
            head: self.head,
        }
    }
}

/// Sniffs the first block of `reader` and gives the stream back whole, as a local stream.
///
/// # Errors
/// The first block cannot be read.
pub fn open_local<'a>(
    mut reader: Box<dyn Read + 'a>,
    compressed: bool,
) -> io::Result<LocalOpened<'a>> {
    let head = read_up_to(&mut reader, SNIFF_LEN)?;
    Ok(Opened {
        sniffed: sniff(&head),
        head: head.clone(),
        reader: Box::new(Cursor::new(head).chain(reader)),
        compressed,
    })
}

fn codec_of(path: &Path, head: &[u8]) -> Option<Codec> {
    codec(head).or_else(|| {
        path.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
            .then_some(Codec::Gzip)
    })
}

/// Reads up to `n` bytes (fewer only at the end of the stream).
pub fn read_up_to(reader: &mut dyn Read, n: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(n);
    reader.take(n as u64).read_to_end(&mut head)?;
    Ok(head)
}

fn finish(mut reader: Box<dyn Read + Send>, compressed: bool) -> io::Result<Opened> {
    let head = read_up_to(&mut reader, SNIFF_LEN)?;
    Ok(Opened {
        sniffed: sniff(&head),
        head: head.clone(),
        reader: Box::new(Cursor::new(head).chain(reader)),
        compressed,
    })
}

/// Opens a file, decompressing gzip, bzip2, xz and zstd.
///
/// # Errors
/// The file cannot be opened or read, or a compressed stream's header is broken.
pub fn open_path(path: &Path) -> io::Result<Opened> {
    let mut file = File::open(path)?;
    let magic = read_up_to(&mut file, MAGIC_LEN)?;
    let raw: Box<dyn Read + Send> = Box::new(Cursor::new(magic.clone()).chain(file));
    match codec_of(path, &magic) {
        Some(c) => finish(decompress(c, raw), true),
        None => finish(raw, false),
    }
}

/// Opens standard input, decompressing gzip, bzip2, xz and zstd.
///
/// # Errors
/// Standard input cannot be read.
pub fn open_stdin() -> io::Result<Opened> {
    open_reader(Box::new(io::stdin()))
}

/// Opens a stream that has no name (standard input, a pipe), decompressed when its magic
/// bytes say it is compressed, as [`open_stdin`] opens standard input.
///
/// # Errors
/// Reading its first bytes failed.
pub fn open_reader(mut stdin: Box<dyn Read + Send>) -> io::Result<Opened> {
    let magic = read_up_to(&mut stdin, MAGIC_LEN)?;
    let raw: Box<dyn Read + Send> = Box::new(Cursor::new(magic.clone()).chain(stdin));
    match codec(&magic) {
        Some(c) => finish(decompress(c, raw), true),
        None => finish(raw, false),
    }
}

/// A stream copied into a private temporary file, for a reader that needs a path (SQLite,
/// Parquet, workbooks given on standard input or compressed). The file (mode 0600, in a
/// directory of mode 0700 in the system's temporary folder) is removed when this is dropped.
#[derive(Debug)]
pub struct Spooled {
    /// The copy.
    pub path: std::path::PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    _dir: crate::atomic::TempDir,
}

/// Why a stream could not be spooled.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// The stream is larger than the limit: the copy stopped there and was removed.
    #[error(
        "larger than {limit} bytes (--max-filesize, or --archive-max-size when none is given)"
    )]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// Reading the stream or writing the copy failed.
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// Copies `reader` into a new private temporary file named `name`, at most `limit` bytes.
///
/// # Errors
/// The stream is larger than `limit`, cannot be read, or the copy cannot be written.
pub fn spool(reader: &mut dyn Read, name: &str, limit: u64) -> Result<Spooled, SpoolError> {
    let dir = crate::atomic::TempDir::in_temp()?;
    let (path, mut file) = dir.create_file(name)?;
    let bytes = io::copy(&mut reader.take(limit.saturating_add(1)), &mut file)?;
    if bytes > limit {
        return Err(SpoolError::TooLarge { limit });
    }
    Ok(Spooled {
        path,
        bytes,
        _dir: dir,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spool_is_private_bounded_and_removed() {
        let data = vec![7u8; 1000];
        let s = spool(&mut Cursor::new(&data), "x.sqlite", 1000).unwrap();
        assert_eq!(s.bytes, 1000);
        assert_eq!(std::fs::read(&s.path).unwrap(), data);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&s.path), 0o600);
            assert_eq!(mode(s.path.parent().unwrap()), 0o700);
        }
        let dir = s.path.parent().unwrap().to_path_buf();
        drop(s);
        assert!(!dir.exists());
        assert!(matches!(
            spool(&mut Cursor::new(&data), "x", 999),
            Err(SpoolError::TooLarge { limit: 999 })
        ));
    }
}
