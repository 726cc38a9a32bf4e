//! SQLite database files, opened read-only and immutable (nothing is ever written, no journal
//! or lock files are created): every user table is read row by row with its column names.

use super::TableSink;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use std::io;
use std::path::Path;

fn to_io(e: rusqlite::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

/// An SQL identifier in double quotes.
pub(crate) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Reads every table of a SQLite file (at most `limit` rows each; 0: all).
///
/// # Errors
/// The file is not a readable SQLite database.
pub fn read(path: &Path, limit: u64, sink: &mut dyn TableSink) -> io::Result<()> {
    let uri = format!(
        "file:{}?immutable=1",
        path.display()
            .to_string()
            .replace('?', "%3f")
            .replace('#', "%23")
    );
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(uri, flags).map_err(to_io)?;
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
