//! Opening an input as a byte stream: plain files, gzip files (by extension or magic bytes,
//! decompressed on the fly, concatenated members included) and standard input.

use super::sniff::{sniff, Sniffed, SNIFF_LEN};
use std::fs::File;
use std::io::{self, BufReader, Cursor, Read};
use std::path::Path;

/// A stream with its first block already read and sniffed.
pub struct Opened {
    /// What the first block looks like.
    pub sniffed: Sniffed,
    /// The first block followed by the rest of the stream.
    pub reader: Box<dyn Read + Send>,
    /// Whether the input was gzip-compressed.
    pub compressed: bool,
    /// The first block (up to 8 KiB), decompressed.
    pub head: Vec<u8>,
}

fn is_gzip(path: &Path, head: &[u8]) -> bool {
    head.starts_with(&[0x1F, 0x8B])
        || path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
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

/// Opens a file, decompressing gzip.
///
/// # Errors
/// The file cannot be opened or read, or a gzip header is broken.
pub fn open_path(path: &Path) -> io::Result<Opened> {
    let mut file = File::open(path)?;
    let magic = read_up_to(&mut file, 2)?;
    let raw: Box<dyn Read + Send> = Box::new(Cursor::new(magic.clone()).chain(file));
    if is_gzip(path, &magic) {
        let gz = flate2::read::MultiGzDecoder::new(BufReader::with_capacity(256 * 1024, raw));
        finish(Box::new(gz), true)
    } else {
        finish(raw, false)
    }
}

/// Opens standard input, decompressing gzip.
///
/// # Errors
/// Standard input cannot be read.
pub fn open_stdin() -> io::Result<Opened> {
    let mut stdin: Box<dyn Read + Send> = Box::new(io::stdin());
    let magic = read_up_to(&mut stdin, 2)?;
    let raw: Box<dyn Read + Send> = Box::new(Cursor::new(magic.clone()).chain(stdin));
    if magic.starts_with(&[0x1F, 0x8B]) {
        finish(Box::new(flate2::read::MultiGzDecoder::new(raw)), true)
    } else {
        finish(raw, false)
    }
}
