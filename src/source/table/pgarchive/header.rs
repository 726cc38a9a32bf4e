//! The archive header and table of contents that pg_dump writes at the start of a custom
//! archive and in the `toc.dat` of the directory and tar formats: the `PGDMP` magic, the
//! archive version, integer and offset sizes, the format, the compression, then the TOC
//! entries. Integers are a sign byte followed by `int size` little-endian magnitude bytes;
//! strings are an integer length (negative for NULL) followed by that many bytes.

use std::io::{self, Read};

/// The oldest archive version read (pg_dump 9.0); pg_dump 12 to 15 write 1.14, 16 writes
/// 1.15 and 17 writes 1.16.
pub const OLDEST: Version = Version(1, 12, 0);
/// The newest archive version read.
pub const NEWEST: Version = Version(1, 16, 255);

/// Longest TOC string kept in memory (tags, descriptions, COPY statements); longer strings
/// that are only skipped (definitions) have no limit.
const MAX_KEPT_STRING: i64 = 16 * 1024 * 1024;

/// An archive format version (major, minor, revision).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u8, pub u8, pub u8);

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

/// Which pg_dump output format an archive is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `-Fc`: one file, data blocks after the TOC.
    Custom,
    /// `-Ft`: a tar of `toc.dat` and one member per table.
    Tar,
    /// `-Fd`: a directory of `toc.dat` and one file per table.
    Directory,
}

impl Format {
    /// The name pg_dump's documentation uses (`custom (-Fc)`), for messages.
    pub fn label(self) -> &'static str {
        match self {
            Format::Custom => "custom (-Fc)",
            Format::Tar => "tar (-Ft)",
            Format::Directory => "directory (-Fd)",
        }
    }
}

/// How the data is compressed (the archive's header; directory files also say it by suffix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Stored as is.
    None,
    /// zlib in custom archives, gzip files in directories.
    Gzip,
    /// LZ4 frames (pg_dump 16 and later).
    Lz4,
    /// Zstandard frames (pg_dump 16 and later).
    Zstd,
}

/// What the header says.
#[derive(Debug, Clone)]
pub struct Header {
    /// Archive version.
    pub version: Version,
    /// Bytes of an integer's magnitude.
    pub int_size: usize,
    /// Bytes of a file offset.
    pub off_size: usize,
    /// The format.
    pub format: Format,
    /// The compression of the data.
    pub compression: Compression,
}

/// One TOC entry, with the fields piiscan uses.
#[derive(Debug, Clone, Default)]
pub struct TocEntry {
    /// The dump id (data blocks refer to it).
    pub dump_id: i64,
    /// The object's name (a table's name, unquoted).
    pub tag: String,
    /// What the object is: `TABLE DATA`, `BLOBS`, `TABLE`, …
    pub desc: String,
    /// The schema.
    pub namespace: String,
    /// The entry's definition (`CREATE TABLE …`, `COMMENT ON …`, `ALTER TABLE … SET
    /// DEFAULT …`, a function's body), kept up to [`MAX_KEPT_STRING`] bytes.
    pub defn: String,
    /// The length of a definition longer than that, which was skipped unread.
    pub defn_skipped: Option<i64>,
    /// `COPY schema.table (columns) FROM stdin;` of a TABLE DATA entry.
    pub copy_stmt: String,
    /// Whether the entry has a data block (custom format: its offset is not "no data").
    pub has_data: bool,
    /// The data file or member (directory and tar formats).
    pub filename: String,
}

/// Reads the primitives of an archive, counting the bytes read (for error messages).
pub struct Primitives<R> {
    inner: R,
    /// Bytes read so far.
    pub pos: u64,
    /// Integer size from the header (4 until it is read).
    pub int_size: usize,
    /// Offset size from the header.
    pub off_size: usize,
}

/// An error at a byte of the archive.
pub fn corrupt(at: u64, what: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("at byte {at}: {what}"))
}

impl<R: Read> Primitives<R> {
    /// Starts reading at byte 0.
    pub fn new(inner: R) -> Self {
        Primitives {
            inner,
            pos: 0,
            int_size: 4,
            off_size: 8,
        }
    }

    /// The reader underneath, placed after what was read.
    pub fn inner(&mut self) -> &mut R {
        &mut self.inner
    }

    /// Fills `buf`, or says the archive ended early.
    pub fn exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        self.inner.read_exact(buf).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                corrupt(self.pos, "the archive ends here (truncated)")
            } else {
                e
            }
        })?;
        self.pos += buf.len() as u64;
        Ok(())
    }

    /// One byte.
    pub fn byte(&mut self) -> io::Result<u8> {
        let mut b = [0u8; 1];
        self.exact(&mut b)?;
        Ok(b[0])
    }

    /// One byte, or `None` at a clean end of the archive.
    pub fn byte_or_end(&mut self) -> io::Result<Option<u8>> {
        let mut b = [0u8; 1];
        loop {
            match self.inner.read(&mut b) {
                Ok(0) => return Ok(None),
                Ok(_) => {
                    self.pos += 1;
                    return Ok(Some(b[0]));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// An integer: a sign byte, then `int_size` little-endian bytes.
    pub fn int(&mut self) -> io::Result<i64> {
        let at = self.pos;
        let sign = self.byte()?;
        let mut buf = [0u8; 8];
        let n = self.int_size;
        self.exact(&mut buf[..n])?;
        let magnitude = u64::from_le_bytes(buf);
        let value = i64::try_from(magnitude).map_err(|_| corrupt(at, "integer out of range"))?;
        Ok(match sign {
            0 => value,
            1 => -value,
            _ => return Err(corrupt(at, "bad integer sign byte")),
        })
    }

    /// A string kept in memory; `None` for NULL.
    pub fn string(&mut self) -> io::Result<Option<String>> {
        let at = self.pos;
        let len = self.int()?;
        if len < 0 {
            return Ok(None);
        }
        if len > MAX_KEPT_STRING {
            return Err(corrupt(
                at,
                format!("string of {len} bytes is implausibly long"),
            ));
        }
        let mut buf = Vec::new();
        let got = (&mut self.inner).take(len as u64).read_to_end(&mut buf)?;
        self.pos += got as u64;
        if (got as i64) < len {
            return Err(corrupt(
                self.pos,
                "the archive ends inside a string (truncated)",
            ));
        }
        Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
    }

    /// A string kept, NULL read as empty.
    pub fn text(&mut self) -> io::Result<String> {
        Ok(self.string()?.unwrap_or_default())
    }

    /// A string kept when it is at most [`MAX_KEPT_STRING`] bytes (NULL read as empty), else
    /// skipped: `Err(length)`.
    pub fn kept_or_skipped(&mut self) -> io::Result<Result<String, i64>> {
        let len = self.int()?;
        if len <= MAX_KEPT_STRING {
            // Read again through `string` from the length just taken.
            let mut buf = Vec::new();
            if len > 0 {
                let got = (&mut self.inner).take(len as u64).read_to_end(&mut buf)?;
                self.pos += got as u64;
                if (got as i64) < len {
                    return Err(corrupt(
                        self.pos,
                        "the archive ends inside a string (truncated)",
                    ));
                }
            }
            return Ok(Ok(String::from_utf8_lossy(&buf).into_owned()));
        }
        let got = io::copy(&mut (&mut self.inner).take(len as u64), &mut io::sink())?;
        self.pos += got;
        if got < len as u64 {
            return Err(corrupt(
                self.pos,
                "the archive ends inside a string (truncated)",
            ));
        }
        Ok(Err(len))
    }

    /// A string skipped without keeping it.
    pub fn skip_string(&mut self) -> io::Result<()> {
        let len = self.int()?;
        if len > 0 {
            let got = io::copy(&mut (&mut self.inner).take(len as u64), &mut io::sink())?;
            self.pos += got;
            if got < len as u64 {
                return Err(corrupt(
                    self.pos,
                    "the archive ends inside a string (truncated)",
                ));
            }
        }
        Ok(())
    }

    /// A data offset of a custom archive: whether the entry has data.
    pub fn offset_has_data(&mut self) -> io::Result<bool> {
        let at = self.pos;
        let flag = self.byte()?;
        let mut buf = [0u8; 8];
        let n = self.off_size;
        self.exact(&mut buf[..n])?;
        match flag {
            1 | 2 => Ok(true),
            3 => Ok(false),
            _ => Err(corrupt(at, "bad data offset flag")),
        }
    }

    /// Reads the header; the magic `PGDMP` first.
    pub fn header(&mut self) -> io::Result<Header> {
        let mut magic = [0u8; 5];
        self.exact(&mut magic)?;
        if &magic != b"PGDMP" {
            return Err(corrupt(0, "not a pg_dump archive (no PGDMP magic)"));
        }
        let version = Version(self.byte()?, self.byte()?, self.byte()?);
        if version < OLDEST || version > NEWEST {
            return Err(corrupt(
                5,
                format!(
                    "archive version {version} is not supported (piiscan reads {OLDEST} to {}, \
                     pg_dump 9.0 to 17)",
                    Version(NEWEST.0, NEWEST.1, 0)
                ),
            ));
        }
        let int_size = usize::from(self.byte()?);
        let off_size = usize::from(self.byte()?);
        if !(1..=8).contains(&int_size) || !(1..=8).contains(&off_size) {
            return Err(corrupt(8, "implausible integer or offset size"));
        }
        self.int_size = int_size;
        self.off_size = off_size;
        let format = match self.byte()? {
            1 => Format::Custom,
            3 => Format::Tar,
            5 => Format::Directory,
            other => return Err(corrupt(10, format!("unknown archive format {other}"))),
        };
        let compression = if version >= Version(1, 15, 0) {
            match self.byte()? {
                0 => Compression::None,
                1 => Compression::Gzip,
                2 => Compression::Lz4,
                3 => Compression::Zstd,
                other => return Err(corrupt(11, format!("unknown compression method {other}"))),
            }
        } else if self.int()? != 0 {
            Compression::Gzip
        } else {
            Compression::None
        };
        for _ in 0..7 {
            self.int()?; // the creation time
        }
        self.skip_string()?; // database name
        self.skip_string()?; // server version
        self.skip_string()?; // pg_dump version
        Ok(Header {
            version,
            int_size,
            off_size,
            format,
            compression,
        })
    }

    /// Reads the table of contents that follows the header.
    pub fn toc(&mut self, header: &Header) -> io::Result<Vec<TocEntry>> {
        let v = header.version;
        let at = self.pos;
        let count = self.int()?;
        if count < 0 {
            return Err(corrupt(at, "negative TOC entry count"));
        }
        let mut entries = Vec::new();
        for _ in 0..count {
            let at = self.pos;
            let mut e = TocEntry {
                dump_id: self.int()?,
                ..TocEntry::default()
            };
            if e.dump_id <= 0 {
                return Err(corrupt(at, "TOC entry id out of range"));
            }
            self.int()?; // had a dumper
            self.skip_string()?; // table oid
            self.skip_string()?; // oid
            e.tag = self.text()?;
            e.desc = self.text()?;
            self.int()?; // section
            match self.kept_or_skipped()? {
                Ok(defn) => e.defn = defn,
                Err(len) => e.defn_skipped = Some(len),
            }
            self.skip_string()?; // drop statement
            e.copy_stmt = self.text()?;
            e.namespace = self.text()?;
            self.skip_string()?; // tablespace
            if v >= Version(1, 14, 0) {
                self.skip_string()?; // table access method
            }
            if v >= Version(1, 16, 0) {
                self.int()?; // relkind
            }
            self.skip_string()?; // owner
            self.skip_string()?; // "with oids"
            while self.string()?.is_some() {} // dependencies
            match header.format {
                Format::Custom => e.has_data = self.offset_has_data()?,
                Format::Tar | Format::Directory => {
                    e.filename = self.text()?;
                    e.has_data = !e.filename.is_empty();
                }
            }
            entries.push(e);
        }
        Ok(entries)
    }
}
