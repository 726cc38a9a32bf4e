//! pg_dump's archive formats read without pg_restore: custom (`-Fc`, one file starting with
//! `PGDMP`), directory (`-Fd`, a `toc.dat` and one data file per table) and tar (`-Ft`).
//! Every `TABLE DATA` entry becomes a table: named `table` in schema `public` and
//! `schema.table` in any other schema, its columns from the entry's `COPY` statement, its
//! rows from the COPY text data (or, for `--inserts` archives, from the INSERT statements,
//! read as a plain dump is). Large objects become rows of a table `pg_largeobject` with the
//! columns `loid` and `data` (the first [`data::MAX_BLOB`] bytes of each; a longer one is
//! named as partly read).
//!
//! Data is streamed block by block. Compression: zlib/gzip, LZ4 and Zstandard, as pg_dump 12
//! to 17 write them. A cut or damaged archive gives an error naming what was read before.

pub mod data;
pub mod header;
pub mod tar;

use crate::source::table::sqldump::binary::View;
use crate::source::table::sqldump::schema::Schemas;
use crate::source::table::TableSink;
use data::Codec;
use header::{Compression, Format, Primitives, TocEntry};
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// The table that holds large objects.
pub const LARGE_OBJECTS: &str = "pg_largeobject";

/// Does `head` (the first bytes of a file) start a custom archive or a pg_dump tar archive?
pub fn is_archive_head(head: &[u8]) -> bool {
    head.starts_with(b"PGDMP")
        || (head.get(512..517) == Some(b"PGDMP")
            && tar::first_name(head).is_some_and(|n| n.rsplit('/').next() == Some("toc.dat")))
}

/// Is `path` a directory written by `pg_dump -Fd` (a `toc.dat` starting with `PGDMP`)?
pub fn is_directory_archive(path: &Path) -> bool {
    let mut magic = [0u8; 5];
    path.is_dir()
        && open_regular(&path.join("toc.dat"))
            .and_then(|mut f| f.read_exact(&mut magic))
            .is_ok()
        && &magic == b"PGDMP"
}

/// The table name of an entry: `klant` in schema `public`, `archief.klant` elsewhere.
pub fn table_name(namespace: &str, tag: &str) -> String {
    if namespace.is_empty() || namespace == "public" {
        tag.to_string()
    } else {
        format!("{namespace}.{tag}")
    }
}

/// The column names of `COPY schema.table (a, "b c") FROM stdin;`.
pub fn copy_columns(stmt: &str) -> Vec<String> {
    let s = stmt.as_bytes();
    // Skip the (possibly quoted) table name to the column list.
    let mut i = 0;
    let mut quoted = false;
    while i < s.len() {
        match s[i] {
            b'"' => quoted = !quoted,
            b'(' if !quoted => break,
            _ => {}
        }
        i += 1;
    }
    let mut out = Vec::new();
    let mut name = Vec::new();
    let mut in_quotes = false;
    i += 1;
    while i < s.len() {
        let b = s[i];
        if in_quotes {
            if b == b'"' {
                if s.get(i + 1) == Some(&b'"') {
                    name.push(b'"');
                    i += 1;
                } else {
                    in_quotes = false;
                }
            } else {
                name.push(b);
            }
        } else {
            match b {
                b'"' => in_quotes = true,
                b',' | b')' => {
                    out.push(String::from_utf8_lossy(&name).into_owned());
                    name.clear();
                    if b == b')' {
                        break;
                    }
                }
                b' ' | b'\t' | b'\n' => {}
                _ => name.push(b),
            }
        }
        i += 1;
    }
    out.retain(|n| !n.is_empty());
    out
}

/// The columns of every TABLE entry's `CREATE TABLE`, by table name (for `--inserts` data,
/// whose INSERT statements name no columns, and to know the `bytea` columns), read by the
/// plain dump reader's statement parser.
fn table_columns(toc: &[TocEntry]) -> Schemas {
    use crate::source::table::sqldump::lex::{Dialect, Syntax};
    use crate::source::table::sqldump::stmt::{parse, Parsed};
    let syntax = Syntax::new(Dialect::Postgres);
    let mut schemas = Schemas::default();
    for e in toc.iter().filter(|e| e.desc == "TABLE") {
        if let Ok((
            Parsed::CreateTable {
                columns, binary, ..
            },
            _,
        )) = parse(e.defn.as_bytes(), 0, &syntax)
        {
            schemas.create(table_name(&e.namespace, &e.tag), columns, binary);
        }
    }
    schemas
}

/// Passes rows to the real sink and counts what was read, for the error messages.
struct Counted<'s> {
    sink: &'s mut dyn TableSink,
    /// Column names and types from the CREATE TABLE statements, by table name.
    columns: Schemas,
    tables: u64,
    rows: u64,
    /// Problems that did not stop the reading (a missing data file, a cut large object).
    problems: Vec<String>,
}

impl Counted<'_> {
    fn summary(&self) -> String {
        format!(
            "read before it: {} table(s), {} row(s)",
            self.tables, self.rows
        )
    }

    /// Takes in the table of contents: the tables' columns, and every entry's definition
    /// as text to scan (`COMMENT ON … IS '…'`, `DEFAULT` values, view and function bodies),
    /// numbered by line as if the definitions were one script, in TOC order.
    fn toc(&mut self, toc: &[TocEntry]) {
        self.columns = table_columns(toc);
        let mut at = crate::source::table::TextAt::START;
        for e in toc {
            if let Some(len) = e.defn_skipped {
                self.sink.notice(&format!(
                    "TOC entry {} ({}): its definition of {len} bytes was too long to scan",
                    e.dump_id,
                    crate::report::sanitize::sanitize(&e.desc)
                ));
            }
            if e.defn.is_empty() {
                continue;
            }
            let text = e.defn.as_bytes();
            self.sink.text(text, at);
            at = at.after(text);
            if !text.ends_with(b"\n") {
                at = at.after(b"\n");
            }
        }
    }

    /// Reads the data of one TABLE DATA entry.
    fn table_data(&mut self, entry: &TocEntry, data: &mut dyn Read) -> io::Result<()> {
        let name = table_name(&entry.namespace, &entry.tag);
        let result = if entry.copy_stmt.trim_start().starts_with("COPY ") {
            let columns = copy_columns(&entry.copy_stmt);
            let mut hints = Vec::new();
            self.columns.hints(&name, &columns, &mut hints);
            self.sink.begin(&name, &columns);
            let copied = data::copy_rows(data, &hints, self.sink);
            self.sink.end();
            copied.map(|c| self.rows += c.rows)
        } else {
            // `pg_dump --inserts`: the data is INSERT statements, named here by the entry.
            let mut rows = RowCount {
                sink: &mut *self.sink,
                rows: 0,
                table: &name,
                columns: self.columns.columns(&name).unwrap_or(&[]),
            };
            let r = crate::source::table::sqldump::read(data, &mut rows);
            self.rows += rows.rows;
            r
        };
        self.tables += 1;
        result.map_err(|e| io::Error::new(e.kind(), format!("table {name}: {e}")))
    }

    /// Adds one large object as a row.
    fn blob(&mut self, oid: i64, data: &mut dyn Read) -> io::Result<()> {
        let (bytes, longer) = data::blob(data)
            .map_err(|e| io::Error::new(e.kind(), format!("large object {oid}: {e}")))?;
        if longer {
            self.problems.push(format!(
                "large object {oid}: only its first {} MiB were scanned",
                data::MAX_BLOB / (1024 * 1024)
            ));
        }
        self.rows += 1;
        large_object(self.sink, oid, bytes);
        Ok(())
    }

    fn begin_blobs(&mut self) {
        self.sink.begin(LARGE_OBJECTS, &large_object_columns());
        self.tables += 1;
    }

    fn finish(self) -> io::Result<()> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "pg_dump archive partly read: {} ({})",
                    self.problems.join("; "),
                    self.summary().replace("read before it", "read")
                ),
            ))
        }
    }
}

/// Counts the rows the plain-dump reader passes on, under the entry's table name and with
/// the table's columns when the INSERT statements name none.
struct RowCount<'s> {
    sink: &'s mut dyn TableSink,
    rows: u64,
    table: &'s str,
    columns: &'s [String],
}

impl TableSink for RowCount<'_> {
    fn begin(&mut self, _table: &str, columns: &[String]) {
        let columns = if columns.is_empty() {
            self.columns
        } else {
            columns
        };
        self.sink.begin(self.table, columns);
    }
    fn row(&mut self, cells: &[Option<&[u8]>]) -> bool {
        self.rows += 1;
        self.sink.row(cells)
    }
    fn row_at(&mut self, row: u64, cells: &[Option<&[u8]>]) -> bool {
        self.rows += 1;
        self.sink.row_at(row, cells)
    }
    fn binary(&mut self, column: usize) {
        self.sink.binary(column);
    }
    fn notice(&mut self, message: &str) {
        self.sink.notice(message);
    }
    fn text(&mut self, text: &[u8], at: crate::source::table::TextAt) {
        self.sink.text(text, at);
    }
    fn end(&mut self) {
        self.sink.end();
    }
}

/// Passes one large object to `sink` as a row of [`LARGE_OBJECTS`] (`loid`, `data`) at row
/// number `oid`, so that a finding names the object: its bytes when they are text, else
/// NULL and counted as binary ([`TableSink::binary`]). The plain dump reader passes the
/// large objects of `lo_open` / `lowrite` blocks here too.
pub fn large_object(sink: &mut dyn TableSink, oid: i64, mut bytes: Vec<u8>) -> bool {
    let view = crate::source::table::sqldump::binary::classify(&mut bytes);
    let id = oid.to_string();
    let data = (view == View::Text).then_some(bytes.as_slice());
    let more = sink.row_at(
        u64::try_from(oid).unwrap_or(0),
        &[Some(id.as_bytes()), data],
    );
    if view == View::Binary {
        sink.binary(1);
    }
    more
}

/// The columns of [`LARGE_OBJECTS`].
pub fn large_object_columns() -> [String; 2] {
    ["loid".to_string(), "data".to_string()]
}

/// Reads a custom archive from a stream (a gzip-compressed archive, standard input); a tar
/// archive needs its file.
///
/// # Errors
/// As [`read_path`]; a tar archive is refused with a message.
pub fn read_stream(reader: &mut dyn Read, sink: &mut dyn TableSink) -> io::Result<()> {
    let mut input = BufReader::with_capacity(256 * 1024, reader);
    let custom = io::BufRead::fill_buf(&mut input)?.starts_with(b"PGDMP");
    if !custom {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "a pg_dump tar archive is read from an uncompressed file; decompress it first",
        ));
    }
    guarded(sink, |out| read_custom(input, out))
}

/// Reads an archive (a custom or tar file, or a directory), pushing every table's rows to
/// `sink`.
///
/// # Errors
/// The archive cannot be read, or is cut or damaged: the message says where and what was
/// read before; those rows are already in `sink`.
pub fn read_path(path: &Path, sink: &mut dyn TableSink) -> io::Result<()> {
    // `dir/toc.dat` named on its own stands for its directory archive.
    let toc_of_dir = path
        .file_name()
        .is_some_and(|n| n == "toc.dat")
        .then(|| path.parent())
        .flatten()
        .filter(|d| is_directory_archive(d));
    guarded(sink, |out| {
        if let Some(dir) = toc_of_dir {
            read_directory(dir, out)
        } else if path.is_dir() {
            read_directory(path, out)
        } else {
            let mut file = File::open(path)?;
            let mut head = [0u8; 5];
            let n = file.read(&mut head)?;
            file.seek(SeekFrom::Start(0))?;
            if head[..n] == *b"PGDMP" {
                read_custom(BufReader::with_capacity(256 * 1024, file), out)
            } else {
                read_tar(file, out)
            }
        }
    })
}

/// Runs a reader with counting, and turns its errors (and a decoder's panic) into one
/// message saying what was read before.
fn guarded(
    sink: &mut dyn TableSink,
    body: impl FnOnce(&mut Counted<'_>) -> io::Result<()>,
) -> io::Result<()> {
    let mut out = Counted {
        sink,
        columns: Schemas::default(),
        tables: 0,
        rows: 0,
        problems: Vec::new(),
    };
    // A decoder bug must not take the whole scan down: it becomes this file's error.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(&mut out)))
        .unwrap_or_else(|_| {
            Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the archive's data could not be decoded",
            ))
        });
    match result {
        Ok(()) => out.finish(),
        Err(e) => {
            let summary = out.summary();
            let mut msg = format!("pg_dump archive cut or damaged: {e} ({summary})");
            if !out.problems.is_empty() {
                msg.push_str("; ");
                msg.push_str(&out.problems.join("; "));
            }
            Err(io::Error::new(io::ErrorKind::InvalidData, msg))
        }
    }
}

/// Checks the header's format byte (pg_dump 15 writes the tar code in a directory archive's
/// `toc.dat` too; both carry file names in their TOC).
fn expect_format(found: Format, want: Format) -> io::Result<()> {
    let files = |f| matches!(f, Format::Tar | Format::Directory);
    if found == want || (files(found) && files(want)) {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "the header says the {} format where {} was expected",
                found.label(),
                want.label()
            ),
        ))
    }
}

fn custom_codec(c: Compression) -> Codec {
    match c {
        Compression::None => Codec::Plain,
        Compression::Gzip => Codec::Deflate,
        Compression::Lz4 => Codec::Lz4,
        Compression::Zstd => Codec::Zstd,
    }
}

/// Entries whose data is scanned.
fn wanted(e: &TocEntry) -> bool {
    e.has_data && (e.desc == "TABLE DATA" || e.desc == "BLOBS")
}

/// A custom archive: header, TOC, then data blocks in file order (so an archive written to a
/// pipe, without offsets, reads the same).
fn read_custom<R: Read>(file: R, out: &mut Counted<'_>) -> io::Result<()> {
    const BLOCK_DATA: u8 = 1;
    const BLOCK_BLOBS: u8 = 3;
    let mut p = Primitives::new(file);
    let head = p.header()?;
    expect_format(head.format, Format::Custom)?;
    let toc = p.toc(&head)?;
    out.toc(&toc);
    let codec = custom_codec(head.compression);
    let by_id: HashMap<i64, &TocEntry> = toc.iter().map(|e| (e.dump_id, e)).collect();
    let mut seen = HashSet::new();
    while let Some(kind) = p.byte_or_end()? {
        let at = p.pos - 1;
        let id = p.int()?;
        let entry = by_id
            .get(&id)
            .ok_or_else(|| header::corrupt(at, format!("data block for unknown entry {id}")))?;
        seen.insert(id);
        match kind {
            BLOCK_DATA => {
                let mut chunks = data::Chunks::new(&mut p);
                if entry.desc == "TABLE DATA" {
                    let mut dec = data::decoder(codec, &mut chunks)?;
                    out.table_data(entry, &mut dec)?;
                }
                // What is left (a table the sink stopped reading) is skipped undecompressed.
                chunks.drain()?;
            }
            BLOCK_BLOBS => {
                out.begin_blobs();
                loop {
                    let at = p.pos;
                    let oid = p.int()?;
                    if oid == 0 {
                        break;
                    }
                    if oid < 0 {
                        return Err(header::corrupt(at, "negative large object oid"));
                    }
                    let mut chunks = data::Chunks::new(&mut p);
                    {
                        let mut dec = data::decoder(codec, &mut chunks)?;
                        out.blob(oid, &mut dec)?;
                    }
                    chunks.drain()?;
                }
                out.sink.end();
            }
            other => {
                return Err(header::corrupt(
                    at,
                    format!("unknown data block type {other}"),
                ))
            }
        }
    }
    if let Some(missing) = toc.iter().find(|e| wanted(e) && !seen.contains(&e.dump_id)) {
        return Err(header::corrupt(
            p.pos,
            format!(
                "the archive ends before the data of {} (truncated)",
                describe(missing)
            ),
        ));
    }
    Ok(())
}

fn describe(e: &TocEntry) -> String {
    if e.desc == "BLOBS" {
        "the large objects".to_string()
    } else {
        format!("table {}", table_name(&e.namespace, &e.tag))
    }
}

/// A file name from a TOC that stays inside the archive's directory.
fn plain_name(name: &str) -> io::Result<&str> {
    if name.is_empty() || name.contains('/') || name.contains('\\') || name.starts_with('.') {
        Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the TOC names a data file outside the archive: {name:?}"),
        ))
    } else {
        Ok(name)
    }
}

/// Opens a file of a directory archive, refusing a FIFO, socket or device in its place: those
/// are never opened (an open of a FIFO would block the scan for ever).
fn open_regular(path: &Path) -> io::Result<File> {
    let meta = std::fs::metadata(path)?;
    if let Some(kind) = crate::source::walk::special_kind(meta.file_type()) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("is {kind}; special files are never opened"),
        ));
    }
    File::open(path)
}

/// Opens a data file of a directory archive, compressed or not, as pg_restore finds it: the
/// name itself, else with `.gz`, `.lz4` or `.zst`.
fn open_member(dir: &Path, name: &str) -> io::Result<(Box<dyn Read>, String)> {
    let name = plain_name(name)?;
    for suffix in ["", ".gz", ".lz4", ".zst"] {
        let file = format!("{name}{suffix}");
        match open_regular(&dir.join(&file)) {
            Ok(f) => {
                let raw = BufReader::with_capacity(256 * 1024, f);
                return Ok((data::decoder(Codec::of_name(&file), raw)?, file));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io::Error::new(e.kind(), format!("{file}: {e}"))),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::NotFound,
        format!("data file {name} is missing from the directory"),
    ))
}

/// A directory archive: `toc.dat`, then each entry's data file in TOC order. A missing or
/// damaged file is named and the other tables are still read.
fn read_directory(dir: &Path, out: &mut Counted<'_>) -> io::Result<()> {
    let toc_file = open_regular(&dir.join("toc.dat"))?;
    let mut p = Primitives::new(BufReader::new(toc_file));
    let (head, toc) = p
        .header()
        .and_then(|h| Ok((h.clone(), p.toc(&h)?)))
        .map_err(|e| io::Error::new(e.kind(), format!("toc.dat: {e}")))?;
    expect_format(head.format, Format::Directory)?;
    out.toc(&toc);
    // Every file the TOC lists (any entry's, data or not), and the large objects' files.
    let mut listed: HashSet<String> = HashSet::from(["toc.dat".to_string()]);
    listed.extend(
        toc.iter()
            .filter(|e| !e.filename.is_empty())
            .map(|e| e.filename.clone()),
    );
    for entry in toc.iter().filter(|e| wanted(e)) {
        let done = if entry.desc == "TABLE DATA" {
            open_member(dir, &entry.filename).and_then(|(mut data, file)| {
                out.table_data(entry, &mut data)
                    .map_err(|e| io::Error::new(e.kind(), format!("{file}: {e}")))
            })
        } else {
            directory_blobs(dir, &entry.filename, out, &mut listed)
        };
        if let Err(e) = done {
            out.problems.push(e.to_string());
        }
    }
    for name in unlisted(dir, &listed)? {
        out.problems.push(format!(
            "{name}: a file in the archive directory that toc.dat does not list; it was not \
             scanned (scan it on its own)"
        ));
    }
    Ok(())
}

/// The names in a directory archive that are no file the TOC lists (with or without a
/// compression suffix), sorted: pg_dump writes none, so each is named, never passed over.
fn unlisted(dir: &Path, listed: &HashSet<String>) -> io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        let base = [".gz", ".lz4", ".zst"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .unwrap_or(&name);
        if !listed.contains(base) && !listed.contains(&name) {
            names.push(crate::report::sanitize::sanitize(&name).into_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// The large objects listed in a directory archive's `blobs.toc` (`oid file` lines).
fn directory_blobs(
    dir: &Path,
    list: &str,
    out: &mut Counted<'_>,
    listed: &mut HashSet<String>,
) -> io::Result<()> {
    let (list_data, list_file) = open_member(dir, list)?;
    let mut text = String::new();
    list_data
        .take(64 * 1024 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| io::Error::new(e.kind(), format!("{list_file}: {e}")))?;
    out.begin_blobs();
    let mut result = Ok(());
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let parsed = line
            .split_once(' ')
            .and_then(|(oid, file)| Some((oid.parse::<i64>().ok()?, file.trim())));
        if let Some((_, file)) = parsed {
            listed.insert(file.to_string());
        }
        let Some((oid, file)) = parsed else {
            result = Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{list_file}: a line that is not `oid file`"),
            ));
            break;
        };
        if let Err(e) = open_member(dir, file).and_then(|(mut d, _)| out.blob(oid, &mut d)) {
            out.problems.push(format!("{file}: {e}"));
        }
    }
    out.sink.end();
    result
}

/// A tar archive: its members indexed by their headers, then `toc.dat`, then each entry's
/// member; large objects are the `blob_OID.dat` members.
fn read_tar(mut file: File, out: &mut Counted<'_>) -> io::Result<()> {
    let len = file.metadata()?.len();
    let (members, damage) = tar::members(&mut file, len)?;
    if let Some(d) = damage {
        out.problems.push(d);
    }
    let by_name: HashMap<&str, &tar::Member> = members.iter().map(|m| (m.base_name(), m)).collect();
    let toc_member = by_name.get("toc.dat").ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "no toc.dat member in the tar file",
        )
    })?;
    file.seek(SeekFrom::Start(toc_member.offset))?;
    let mut p = Primitives::new(BufReader::new((&mut file).take(toc_member.size)));
    let (head, toc) = p
        .header()
        .and_then(|h| Ok((h.clone(), p.toc(&h)?)))
        .map_err(|e| io::Error::new(e.kind(), format!("toc.dat: {e}")))?;
    drop(p);
    expect_format(head.format, Format::Tar)?;
    out.toc(&toc);
    // Members pg_dump does not write (no TOC entry's, no large object's, not its script)
    // are named, never passed over.
    let known = |base: &str| {
        let base = base.strip_suffix(".gz").unwrap_or(base);
        base == "toc.dat"
            || base == "restore.sql"
            || (base.starts_with("blobs") && base.ends_with(".toc"))
            || (base.starts_with("blob_") && base.ends_with(".dat"))
            || toc
                .iter()
                .any(|e| !e.filename.is_empty() && e.filename == base)
    };
    let mut strangers: Vec<String> = members
        .iter()
        .map(tar::Member::base_name)
        .filter(|b| !known(b))
        .map(|b| crate::report::sanitize::sanitize(b).into_owned())
        .collect();
    strangers.sort();
    for name in strangers {
        out.problems.push(format!(
            "{name}: a member of the tar archive that toc.dat does not list; it was not scanned"
        ));
    }
    for entry in toc.iter().filter(|e| wanted(e) && e.desc == "TABLE DATA") {
        let member = [entry.filename.clone(), format!("{}.gz", entry.filename)]
            .iter()
            .find_map(|n| by_name.get(n.as_str()).copied());
        let Some(member) = member else {
            out.problems.push(format!(
                "{}: member {} is missing from the tar file",
                describe(entry),
                entry.filename
            ));
            continue;
        };
        file.seek(SeekFrom::Start(member.offset))?;
        let raw = BufReader::with_capacity(256 * 1024, (&mut file).take(member.size));
        let done = data::decoder(Codec::of_name(&member.name), raw)
            .and_then(|mut d| out.table_data(entry, &mut d));
        if let Err(e) = done {
            out.problems.push(format!("{}: {e}", member.base_name()));
        }
    }
    let blobs: Vec<(i64, &tar::Member)> = members
        .iter()
        .filter_map(|m| {
            let base = m.base_name();
            let stem = base.strip_suffix(".gz").unwrap_or(base);
            let oid = stem
                .strip_prefix("blob_")?
                .strip_suffix(".dat")?
                .parse::<i64>()
                .ok()?;
            Some((oid, m))
        })
        .collect();
    // Every large object the archive's list names must be there to read.
    for entry in toc.iter().filter(|e| wanted(e) && e.desc == "BLOBS") {
        // pg_dump's tar writer lists them in `blobs.toc` (the entry's own file name is not
        // written).
        // pg_dump 17 names it `blobs_ID.toc`, in the entry's file name.
        let numbered = format!("blobs_{}.toc", entry.dump_id);
        let Some(list) = [entry.filename.as_str(), numbered.as_str(), "blobs.toc"]
            .iter()
            .find_map(|n| by_name.get(n).copied())
        else {
            out.problems.push(
                "the large objects: member blobs.toc is missing from the tar file; they were \
                 not scanned"
                    .to_string(),
            );
            continue;
        };
        file.seek(SeekFrom::Start(list.offset))?;
        let mut text = String::new();
        (&mut file)
            .take(list.size.min(64 * 1024 * 1024))
            .read_to_string(&mut text)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", entry.filename)))?;
        for line in text.lines() {
            let Some((oid, name)) = line.split_once(' ') else {
                continue;
            };
            let name = name.trim();
            if !by_name.contains_key(name) && !by_name.contains_key(format!("{name}.gz").as_str()) {
                out.problems.push(format!(
                    "large object {}: member {} is missing from the tar file; it was not scanned",
                    crate::report::sanitize::sanitize(oid.trim()),
                    crate::report::sanitize::sanitize(name)
                ));
            }
        }
    }
    if !blobs.is_empty() {
        out.begin_blobs();
        for (oid, m) in blobs {
            file.seek(SeekFrom::Start(m.offset))?;
            let raw = BufReader::new((&mut file).take(m.size));
            if let Err(e) =
                data::decoder(Codec::of_name(&m.name), raw).and_then(|mut d| out.blob(oid, &mut d))
            {
                out.problems.push(format!("{}: {e}", m.base_name()));
            }
        }
        out.sink.end();
    }
    Ok(())
}

#[cfg(test)]
mod tests;
