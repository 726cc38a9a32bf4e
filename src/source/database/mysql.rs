//! MySQL and MariaDB, live: a read-only session (`SET SESSION TRANSACTION READ ONLY`,
//! checked), a timeout per statement (`max_execution_time` on MySQL, `max_statement_time` on
//! MariaDB), the tables and views of the URL's database from `information_schema`, and each
//! table's rows over the text protocol, streamed. A sample of a large table with an integer
//! primary key is read as short primary-key ranges spread from its smallest to its largest key
//! (index range scans: never `ORDER BY RAND()`); other tables and views are read with `LIMIT`.
//! Row counts are the catalog's estimate (`TABLE_ROWS`).
//!
//! `information_schema` lists only the tables the user holds some privilege on: a table it
//! may not touch at all is not seen. One it may see but not `SELECT` is named.

use crate::source::database::url::{DbHost, DbUrl};
use crate::source::database::{
    password, shown, Column, DbError, Feed, ReadOptions, MAX_CELL_CHARS,
};
use crate::source::table::TableSink;
use mysql::prelude::Queryable;
use std::time::Duration;

/// Types read as binary: only whether a cell is NULL is fetched.
const BINARY_TYPES: &[&str] = &[
    "binary",
    "varbinary",
    "tinyblob",
    "blob",
    "mediumblob",
    "longblob",
    "geometry",
    "point",
    "linestring",
    "polygon",
    "multipoint",
    "multilinestring",
    "multipolygon",
    "geometrycollection",
    "geomcollection",
];

/// Integer types a primary key can be sampled by ranges of.
const INTEGER_TYPES: &[&str] = &[
    "tinyint",
    "smallint",
    "mediumint",
    "int",
    "integer",
    "bigint",
];

/// Ranges read from a large table's primary key.
const RANGES: u64 = 20;

/// A table or view as `information_schema` lists it.
#[derive(Debug, Clone)]
pub struct Relation {
    schema: String,
    name: String,
    view: bool,
    estimate: Option<u64>,
}

impl Relation {
    /// `database.table`.
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }

    fn relation_sql(&self) -> String {
        format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.name))
    }
}

/// An identifier quoted for MySQL.
fn quote_ident(s: &str) -> String {
    format!("`{}`", s.replace('`', "``"))
}

fn error_text(e: &mysql::Error) -> String {
    match e {
        mysql::Error::MySqlError(m) => format!("{} ({})", m.message, m.code),
        other => other.to_string(),
    }
}

fn connect(url: &DbUrl) -> Result<(mysql::Conn, bool), DbError> {
    match url.sslmode.as_deref() {
        None | Some("disabled" | "preferred") => {}
        Some(mode) => {
            return Err(DbError::Unsupported(format!(
                "ssl-mode={} asks for TLS, which this piiscan does not speak yet: connect over \
                 the unix socket (?socket=/run/mysqld/mysqld.sock) or a trusted network",
                crate::report::sanitize::sanitize(mode)
            )))
        }
    }
    let user = url.user_or_default();
    let mut b = mysql::OptsBuilder::new()
        .user(Some(user.clone()))
        .db_name(Some(url.database.clone()))
        .prefer_socket(false)
        .tcp_connect_timeout(Some(Duration::from_secs(15)));
    b = match &url.host {
        DbHost::Tcp { host, port } => b.ip_or_hostname(Some(host.clone())).tcp_port(*port),
        DbHost::Socket { path, .. } => b.socket(Some(path.to_string_lossy().into_owned())),
        DbHost::Default { port } => {
            let sock = "/run/mysqld/mysqld.sock";
            if std::path::Path::new(sock).exists() {
                b.socket(Some(sock))
            } else {
                b.ip_or_hostname(Some("localhost")).tcp_port(*port)
            }
        }
    };
    if let Some(pw) = password::find(url, &user)? {
        b = b.pass(Some(pw));
    }
    let mut conn = mysql::Conn::new(b).map_err(|e| DbError::Connect(error_text(&e)))?;
    let version: Option<String> = conn
        .query_first("SELECT VERSION()")
        .map_err(|e| DbError::Connect(error_text(&e)))?;
    let mariadb = version.is_some_and(|v| v.contains("MariaDB"));
    Ok((conn, mariadb))
}

/// Makes every statement of the session read-only and bounded in time; checks the former.
fn prepare_session(conn: &mut mysql::Conn, ms: u64, mariadb: bool) -> Result<(), DbError> {
    let ro = |e: mysql::Error| DbError::NotReadOnly(error_text(&e));
    conn.query_drop("SET SESSION TRANSACTION READ ONLY")
        .map_err(ro)?;
    conn.query_drop("SET NAMES utf8mb4").map_err(ro)?;
    // MariaDB before 11.1 names it tx_read_only.
    let on: Option<i64> = conn
        .query_first("SELECT @@session.transaction_read_only")
        .or_else(|_| conn.query_first("SELECT @@session.tx_read_only"))
        .map_err(ro)?;
    if on != Some(1) {
        return Err(DbError::NotReadOnly(
            "the session's transactions are not read-only".into(),
        ));
    }
    let set = if mariadb {
        format!("SET SESSION max_statement_time = {}", ms as f64 / 1000.0)
    } else {
        format!("SET SESSION max_execution_time = {ms}")
    };
    conn.query_drop(set)
        .map_err(|e| DbError::Connect(format!("the statement timeout: {}", error_text(&e))))
}

fn relations(conn: &mut mysql::Conn, db: &str) -> Result<Vec<Relation>, DbError> {
    let rows: Vec<(String, String, String, Option<u64>)> = conn
        .exec(
            "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, TABLE_ROWS FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'VIEW', 'SYSTEM VERSIONED') \
             ORDER BY TABLE_NAME",
            (db,),
        )
        .map_err(|e| DbError::Catalog(error_text(&e)))?;
    Ok(rows
        .into_iter()
        .map(|(schema, name, kind, rows)| Relation {
            schema,
            name,
            view: kind == "VIEW",
            estimate: if kind == "VIEW" { None } else { rows },
        })
        .collect())
}

/// A table's columns, and its primary key when that is one integer column.
fn columns(
    conn: &mut mysql::Conn,
    rel: &Relation,
) -> Result<(Vec<Column>, Option<String>), mysql::Error> {
    let rows: Vec<(String, String, String)> = conn.exec(
        "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_KEY FROM information_schema.COLUMNS \
         WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
        (&rel.schema, &rel.name),
    )?;
    let pri: Vec<&(String, String, String)> = rows.iter().filter(|r| r.2 == "PRI").collect();
    let key = match pri.as_slice() {
        [(name, ty, _)] if INTEGER_TYPES.contains(&ty.to_ascii_lowercase().as_str()) => {
            Some(name.clone())
        }
        _ => None,
    };
    let cols = rows
        .iter()
        .map(|(name, ty, _)| Column {
            name: name.clone(),
            binary: BINARY_TYPES.contains(&ty.to_ascii_lowercase().as_str()),
            readable: true,
        })
        .collect();
    Ok((cols, key))
}

/// The select list: text cut one character past the bound, binary as whether it is NULL.
fn select_list(cols: &[Column]) -> String {
    cols.iter()
        .map(|c| {
            let q = quote_ident(&c.name);
            if c.binary {
                format!("({q} IS NOT NULL)")
            } else {
                format!("LEFT({q}, {})", MAX_CELL_CHARS + 1)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Streams the rows of `sql` into the feed; with `key`, the last column is the primary key,
/// not handed on, and its last value is returned.
fn stream(
    conn: &mut mysql::Conn,
    sql: &str,
    key: bool,
    feed: &mut Feed<'_>,
) -> Result<Option<i128>, String> {
    let result = conn.query_iter(sql).map_err(|e| error_text(&e))?;
    let mut last = None;
    for row in result {
        let row = row.map_err(|e| error_text(&e))?;
        let values = row.unwrap();
        let mut fields: Vec<Option<&[u8]>> = values
            .iter()
            .map(|v| match v {
                mysql::Value::Bytes(b) => Some(b.as_slice()),
                _ => None,
            })
            .collect();
        if key {
            if let Some(Some(k)) = fields.pop() {
                last = std::str::from_utf8(k).ok().and_then(|s| s.parse().ok());
            }
        }
        feed.row(&fields);
    }
    Ok(last)
}

/// Reads a sample of a large table by primary-key ranges spread over its keys.
fn sample_by_key(
    conn: &mut mysql::Conn,
    rel: &Relation,
    cols: &[Column],
    key: &str,
    limit: u64,
    feed: &mut Feed<'_>,
) -> Result<(), String> {
    let k = quote_ident(key);
    let bounds: Option<(Option<i128>, Option<i128>)> = conn
        .query_first(format!(
            "SELECT CAST(MIN({k}) AS CHAR), CAST(MAX({k}) AS CHAR) FROM {}",
            rel.relation_sql()
        ))
        .map(|r: Option<(Option<String>, Option<String>)>| {
            r.map(|(a, b)| {
                (
                    a.and_then(|s| s.parse().ok()),
                    b.and_then(|s| s.parse().ok()),
                )
            })
        })
        .map_err(|e| error_text(&e))?;
    let Some((Some(min), Some(max))) = bounds else {
        return Ok(());
    };
    let per = limit.div_ceil(RANGES).max(1);
    let step = ((max - min) / RANGES as i128).max(1);
    let mut next = min;
    for i in 0..RANGES as i128 {
        if feed.full || feed.rows >= limit {
            break;
        }
        let start = (min + i * step).max(next);
        if start > max {
            break;
        }
        let sql = format!(
            "SELECT {}, {k} FROM {} WHERE {k} >= {start} ORDER BY {k} LIMIT {per}",
            select_list(cols),
            rel.relation_sql()
        );
        match stream(conn, &sql, true, feed)? {
            Some(last) => next = last + 1,
            None => break,
        }
    }
    Ok(())
}

/// Reads one table or view.
pub fn read_table(
    conn: &mut mysql::Conn,
    rel: &Relation,
    opts: &ReadOptions<'_>,
    sink: &mut dyn TableSink,
) {
    let name = rel.qualified();
    let (cols, key) = match columns(conn, rel) {
        Ok(c) => c,
        Err(e) => {
            sink.notice(&format!(
                "table {}: its columns could not be listed ({}); not read",
                shown(&name),
                error_text(&e)
            ));
            return;
        }
    };
    let mut feed = Feed::begin(sink, &name, &cols);
    if opts.schema_only || cols.is_empty() {
        if let Some(est) = rel.estimate.filter(|_| opts.schema_only) {
            feed.sink().total_rows(est);
        }
        feed.end(&name);
        return;
    }
    let limit = opts.sample_rows;
    let by_key = match &key {
        Some(k) if limit > 0 && !rel.view && rel.estimate.is_some_and(|e| e > 4 * limit) => {
            Some(k.clone())
        }
        _ => None,
    };
    let outcome = match &by_key {
        Some(k) => sample_by_key(conn, rel, &cols, k, limit, &mut feed),
        None => {
            let mut sql = format!("SELECT {} FROM {}", select_list(&cols), rel.relation_sql());
            if limit > 0 {
                sql.push_str(&format!(" LIMIT {}", limit + 1));
            }
            stream(conn, &sql, false, &mut feed).map(|_| ())
        }
    };
    if let Err(why) = outcome {
        let read = feed.rows;
        let after = if read > 0 {
            format!("; the {read} rows before it were scanned")
        } else {
            "; not read".to_string()
        };
        feed.sink()
            .notice(&format!("table {}: {why}{after}", shown(&name)));
    } else if by_key.is_some() || feed.full {
        if let Some(est) = rel.estimate {
            let seen = feed.rows + u64::from(feed.full);
            feed.sink().total_rows(est.max(seen));
        }
    }
    feed.end(&name);
}

/// Connects, and makes the session read-only (checked) and bounded in time.
///
/// # Errors
/// No connection, or no read-only session.
pub fn open(url: &DbUrl, timeout_ms: u64) -> Result<mysql::Conn, DbError> {
    let (mut conn, mariadb) = connect(url)?;
    prepare_session(&mut conn, timeout_ms, mariadb)?;
    Ok(conn)
}

/// The tables and views of the URL's database to read, by name.
///
/// # Errors
/// The catalog cannot be read.
pub fn tables(
    conn: &mut mysql::Conn,
    url: &DbUrl,
    opts: &ReadOptions<'_>,
) -> Result<Vec<Relation>, DbError> {
    Ok(relations(conn, &url.database)?
        .into_iter()
        .filter(|r| opts.selected(&r.qualified()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_lists_cut_text_and_fetch_only_nullness_of_binary() {
        let cols = [
            Column {
                name: "e`mail".into(),
                binary: false,
                readable: true,
            },
            Column {
                name: "foto".into(),
                binary: true,
                readable: true,
            },
        ];
        assert_eq!(
            select_list(&cols),
            "LEFT(`e``mail`, 1048577), (`foto` IS NOT NULL)"
        );
    }
}
