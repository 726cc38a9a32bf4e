//! SQLite database files, never modified: every user table is read row by row with its column
//! names.
//!
//! A database is read together with the files SQLite keeps beside it: rows committed to its
//! write-ahead log (`<db>-wal`) and not yet checkpointed into the database file, and the
//! original pages of a transaction cut short (`<db>-journal`). Without such a file the
//! database is opened read-only and immutable in place (no journal, lock or `-shm` file is
//! created). With one, the database and the file are copied into a private temporary
//! directory ([`crate::atomic::TempDir::in_temp`]) and opened there, so SQLite replays the log
//! (or rolls the cut transaction back) on the copy, never on the input. A side file is part of
//! its database, not an input of its own; one without its database is named as not scanned
//! ([`not_read_reason`]).

use super::TableSink;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use std::io;
use std::path::{Path, PathBuf};

fn to_io(e: rusqlite::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

/// An SQL identifier in double quotes.
pub(crate) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The first bytes of every SQLite database file.
pub const MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// A file SQLite keeps beside a database `<db>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// `<db>-wal`: the write-ahead log, rows committed and not yet checkpointed.
    Wal,
    /// `<db>-shm`: the log's shared-memory index (no row data; rebuilt from the log).
    Shm,
    /// `<db>-journal`: the rollback journal, the original pages of an open transaction.
    Journal,
}

impl Side {
    /// Every side file, in the order they are copied.
    pub const ALL: [Side; 3] = [Side::Wal, Side::Shm, Side::Journal];

    /// The suffix SQLite appends to the database's name.
    pub fn suffix(self) -> &'static str {
        match self {
            Side::Wal => "-wal",
            Side::Shm => "-shm",
            Side::Journal => "-journal",
        }
    }

    /// What the file is, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Side::Wal => "an SQLite write-ahead log (-wal)",
            Side::Shm => "an SQLite shared-memory index (-shm)",
            Side::Journal => "an SQLite rollback journal (-journal)",
        }
    }

    /// Whether the file holds row data (the index does not).
    fn holds_rows(self) -> bool {
        !matches!(self, Side::Shm)
    }
}

/// Which side file `head` is by its magic bytes (a write-ahead log or a hot rollback journal;
/// the index has none).
pub fn side_by_magic(head: &[u8]) -> Option<Side> {
    match head.get(..8) {
        Some([0x37, 0x7F, 0x06, 0x82 | 0x83, ..]) => Some(Side::Wal),
        Some([0xD9, 0xD5, 0x05, 0xF9, 0x20, 0xA1, 0x63, 0xD7]) => Some(Side::Journal),
        _ => None,
    }
}

/// The database a file is the side file of, by its name: `app.db-wal` → (`app.db`, WAL).
pub fn side_by_name(path: &Path) -> Option<(PathBuf, Side)> {
    let name = path.file_name()?.to_str()?;
    Side::ALL.into_iter().find_map(|side| {
        let base = name.strip_suffix(side.suffix()).filter(|b| !b.is_empty())?;
        Some((path.with_file_name(base), side))
    })
}

/// Whether the file at `path` is an SQLite database (by its first bytes).
pub fn is_database(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == MAGIC)
}

/// Why an input is not read as an input of its own, when it is an SQLite side file: one
/// beside its database is read with the database; one without it cannot be read (its pages
/// mean nothing without the database) and is named as not scanned. `path` is the input's
/// path on disk (`None` for standard input or a member of a container); `head` its first
/// bytes. `None` for every other input.
pub fn not_read_reason(path: Option<&Path>, head: &[u8]) -> Option<String> {
    let by_name = path.and_then(side_by_name);
    if let Some((db, named)) = &by_name {
        if is_database(db) {
            return Some(format!(
                "{} of the database {}; it is read with that database: scan the database \
                 (with its side files beside it), not this file alone",
                named.describe(),
                crate::report::sanitize::sanitize(&db.display().to_string()),
            ));
        }
    }
    // Without its database a file is a side file by its content alone (a diary called
    // `reis-journal` is text); an index has no magic and holds no row data either way.
    let side = side_by_magic(head).filter(|s| s.holds_rows())?;
    let by_name = by_name.filter(|(_, named)| *named == side);
    Some(match (path, by_name) {
        (Some(_), Some((db, _))) => format!(
            "{} without its database ({} is missing or no SQLite database); its rows were \
             not scanned: put it beside its database and scan the database",
            side.describe(),
            crate::report::sanitize::sanitize(&db.display().to_string()),
        ),
        (Some(_), None) => format!(
            "{} without its database; its rows were not scanned: name it <database>{} beside \
             its database and scan the database",
            side.describe(),
            side.suffix()
        ),
        (None, _) => format!(
            "{} on its own; its rows were not scanned: scan its database with the file beside it",
            side.describe()
        ),
    })
}

/// The side files of `db` that hold row data and exist (empty ones need nothing): what must
/// be copied with the database for a copy to hold what the database holds.
///
/// # Errors
/// A side file exists but cannot be inspected.
pub fn live_sides(db: &Path) -> io::Result<Vec<(Side, PathBuf)>> {
    let mut out = Vec::new();
    let name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    for side in [Side::Wal, Side::Journal] {
        let mut side_name = name.clone();
        side_name.push(side.suffix());
        let path = db.with_file_name(side_name);
        match std::fs::metadata(&path) {
            Ok(m) if m.is_file() && m.len() > 0 => out.push((side, path)),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(io::Error::new(
                    e.kind(),
                    format!("{} cannot be read: {e}", side.describe()),
                ))
            }
        }
    }
    Ok(out)
}

/// A file's size and modification time, which must not move while it is copied.
fn stamp(path: &Path) -> io::Result<(u64, Option<std::time::SystemTime>)> {
    let m = std::fs::metadata(path)?;
    Ok((m.len(), m.modified().ok()))
}

/// Copies `from` into a new private file `name` of `dir`.
fn copy_into(dir: &crate::atomic::TempDir, name: &str, from: &Path) -> io::Result<PathBuf> {
    let (path, mut file) = dir.create_file(name)?;
    let mut source = std::fs::File::open(from)?;
    io::copy(&mut source, &mut file)?;
    Ok(path)
}

/// Opens the database in place, read-only and immutable: nothing beside it is created.
fn open_in_place(path: &Path) -> io::Result<Connection> {
    let uri = format!(
        "file:{}?immutable=1",
        path.display()
            .to_string()
            .replace('%', "%25")
            .replace('?', "%3f")
            .replace('#', "%23")
    );
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Connection::open_with_flags(uri, flags).map_err(to_io)
}

/// A database copied with its side files into a private directory, opened there.
struct Copied {
    conn: Connection,
    /// Removed (with the copies) when dropped, after the connection.
    _dir: crate::atomic::TempDir,
}

/// Copies the database and its `sides` into a private temporary directory and opens the copy
/// (read-write: SQLite replays a log or rolls a journal back on it, never on the input).
fn open_copy(db: &Path, sides: &[(Side, PathBuf)]) -> io::Result<Copied> {
    let changed = || {
        io::Error::other(
            "changed while being read (the database or its side files were written to while \
             they were copied); not scanned",
        )
    };
    let before: Vec<_> = std::iter::once(db)
        .chain(sides.iter().map(|(_, p)| p.as_path()))
        .map(stamp)
        .collect::<io::Result<_>>()?;
    let dir = crate::atomic::TempDir::in_temp()
        .map_err(|e| io::Error::new(e.kind(), format!("temporary directory: {e}")))?;
    let copy = copy_into(&dir, "db", db)?;
    for (side, path) in sides {
        copy_into(&dir, &format!("db{}", side.suffix()), path)?;
    }
    let after: Vec<_> = std::iter::once(db)
        .chain(sides.iter().map(|(_, p)| p.as_path()))
        .map(stamp)
        .collect::<io::Result<_>>()
        .map_err(|_| changed())?;
    if before != after {
        return Err(changed());
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(&copy, flags).map_err(to_io)?;
    Ok(Copied { conn, _dir: dir })
}

/// Reads every table of a SQLite file with its side files (at most `limit` rows each; 0: all).
///
/// # Errors
/// The file is not a readable SQLite database.
pub fn read(path: &Path, limit: u64, sink: &mut dyn TableSink) -> io::Result<()> {
    let sides = live_sides(path)?;
    if sides.is_empty() {
        return read_conn(&open_in_place(path)?, limit, sink);
    }
    let copied = open_copy(path, &sides)?;
    read_conn(&copied.conn, limit, sink)
}

/// The bytes of the side files read with the database at `path`.
pub fn sides_size(path: &Path) -> u64 {
    live_sides(path)
        .map(|s| {
            s.iter()
                .filter_map(|(_, p)| std::fs::metadata(p).ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn read_conn(conn: &Connection, limit: u64, sink: &mut dyn TableSink) -> io::Result<()> {
    conn.pragma_update(None, "query_only", true)
        .map_err(to_io)?;
    let tables: Vec<String> = {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .map_err(to_io)?;
        let names = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(to_io)?;
        names.collect::<Result<_, _>>().map_err(to_io)?
    };
    let mut text = Vec::new();
    for table in tables {
        let limit_sql = if limit > 0 {
            format!(" LIMIT {limit}")
        } else {
            String::new()
        };
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {}{limit_sql}", quote(&table)))
            .map_err(to_io)?;
        let columns: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
        sink.begin(&table, &columns);
        if limit > 0 {
            let total: i64 = conn
                .query_row(
                    &format!("SELECT count(*) FROM {}", quote(&table)),
                    [],
                    |r| r.get(0),
                )
                .map_err(to_io)?;
            sink.total_rows(total.max(0) as u64);
        }
        let mut rows = stmt.query([]).map_err(to_io)?;
        while let Some(row) = rows.next().map_err(to_io)? {
            // Render numbers as text once per row; cells borrow from `text` or the row.
            text.clear();
            let mut spans: Vec<Option<(bool, usize, usize)>> = Vec::with_capacity(columns.len());
            for i in 0..columns.len() {
                let v = row.get_ref(i).map_err(to_io)?;
                spans.push(match v {
                    ValueRef::Null => None,
                    ValueRef::Integer(n) => {
                        let s = text.len();
                        text.extend_from_slice(n.to_string().as_bytes());
                        Some((true, s, text.len()))
                    }
                    ValueRef::Real(f) => {
                        let s = text.len();
                        text.extend_from_slice(f.to_string().as_bytes());
                        Some((true, s, text.len()))
                    }
                    ValueRef::Text(b) | ValueRef::Blob(b) => Some((false, 0, b.len())),
                });
            }
            let mut cells: Vec<Option<&[u8]>> = Vec::with_capacity(columns.len());
            for (i, span) in spans.iter().enumerate() {
                cells.push(match span {
                    None => None,
                    Some((true, s, e)) => Some(&text[*s..*e]),
                    Some((false, _, _)) => match row.get_ref(i).map_err(to_io)? {
                        ValueRef::Text(b) | ValueRef::Blob(b) => Some(b),
                        _ => None,
                    },
                });
            }
            if !sink.row(&cells) {
                break;
            }
        }
        sink.end();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_files_are_told_by_name_and_magic() {
        assert_eq!(
            side_by_name(Path::new("d/app.db-wal")),
            Some((PathBuf::from("d/app.db"), Side::Wal))
        );
        assert_eq!(
            side_by_name(Path::new("x.sqlite-journal")),
            Some((PathBuf::from("x.sqlite"), Side::Journal))
        );
        assert_eq!(side_by_name(Path::new("-wal")), None);
        assert_eq!(side_by_name(Path::new("app.db")), None);
        assert_eq!(
            side_by_magic(b"\x37\x7f\x06\x82\0\x2d\xe2\x18"),
            Some(Side::Wal)
        );
        assert_eq!(
            side_by_magic(b"\x37\x7f\x06\x83\0\x2d\xe2\x18"),
            Some(Side::Wal)
        );
        assert_eq!(
            side_by_magic(b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7"),
            Some(Side::Journal)
        );
        assert_eq!(side_by_magic(b"SQLite format 3\0"), None);
        assert_eq!(side_by_magic(b"\x37\x7f"), None);
    }

    #[test]
    fn a_side_file_alone_is_named_and_an_index_alone_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let wal = dir.path().join("a.db-wal");
        let why = not_read_reason(Some(&wal), b"\x37\x7f\x06\x82\0\0\0\0").unwrap();
        assert!(why.contains("without its database"), "{why}");
        // Beside its database: read with it.
        std::fs::write(
            dir.path().join("a.db"),
            [MAGIC.as_slice(), &[0; 100]].concat(),
        )
        .unwrap();
        let why = not_read_reason(Some(&wal), b"\x37\x7f\x06\x82\0\0\0\0").unwrap();
        assert!(why.contains("read with that database"), "{why}");
        // Beside a file that is no database, or on standard input: not read, and said so.
        let other = dir.path().join("notes.txt-wal");
        std::fs::write(dir.path().join("notes.txt"), b"text").unwrap();
        assert!(not_read_reason(Some(&other), b"\x37\x7f\x06\x82\0\0\0\0").is_some());
        assert!(not_read_reason(None, b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7").is_some());
        let diary = dir.path().join("reis-journal");
        assert_eq!(not_read_reason(Some(&diary), b"Dag 1: Gent"), None);
        assert_eq!(not_read_reason(Some(&dir.path().join("x-wal")), b""), None);
        // An index without its database holds no rows; other files are no side files.
        assert_eq!(
            not_read_reason(Some(&dir.path().join("b.db-shm")), b"\0\0"),
            None
        );
        assert_eq!(
            not_read_reason(Some(&dir.path().join("b.db")), b"SQLite"),
            None
        );
        assert_eq!(not_read_reason(None, b"hello"), None);
    }
}
