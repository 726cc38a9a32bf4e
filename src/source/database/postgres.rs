//! PostgreSQL, live: a read-only session (`default_transaction_read_only`, checked), a
//! `statement_timeout`, the tables and views of every schema but the system's from
//! `pg_catalog` (a partitioned table is read through its parent, its partitions not again),
//! and each table's rows through `COPY (SELECT …) TO STDOUT`, streamed and decoded as
//! pg_dump's COPY text is. A sample of a large table is `TABLESAMPLE SYSTEM … REPEATABLE`
//! (the same blocks every run); a small table, a view, or a table that cannot be sampled is
//! read with `LIMIT`. Row counts are the catalog's estimate (`reltuples`).

use crate::source::database::url::{DbHost, DbUrl};
use crate::source::database::{
    password, shown, Column, DbError, Feed, ReadOptions, MAX_CELL_CHARS,
};
use crate::source::table::sqldump::copy_text_field;
use crate::source::table::TableSink;
use std::io::BufRead;
use std::time::Duration;

/// Types read as binary: only whether a cell is NULL is fetched.
const BINARY_TYPES: &[&str] = &[
    "bytea",
    "_bytea",
    "geometry",
    "geography",
    "raster",
    "box2d",
    "box3d",
];

/// A table or view as the catalog lists it.
#[derive(Debug, Clone)]
pub struct Relation {
    oid: u32,
    schema: String,
    name: String,
    /// `r` table, `p` partitioned, `v` view, `m` materialized view, `f` foreign.
    kind: String,
    /// The catalog's row estimate, when it has one.
    estimate: Option<u64>,
}

impl Relation {
    /// `schema.table`.
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }

    fn relation_sql(&self) -> String {
        let only = if self.kind == "r" { "ONLY " } else { "" };
        format!(
            "{only}{}.{}",
            quote_ident(&self.schema),
            quote_ident(&self.name)
        )
    }

    fn can_sample(&self) -> bool {
        matches!(self.kind.as_str(), "r" | "m" | "p")
    }
}

/// An identifier quoted for SQL.
fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn connect(url: &DbUrl, timeout: u64) -> Result<postgres::Client, DbError> {
    match url.sslmode.as_deref() {
        None | Some("disable" | "allow" | "prefer") => {}
        Some(mode) => {
            return Err(DbError::Unsupported(format!(
                "sslmode={} asks for TLS, which this piiscan does not speak yet: connect over a \
                 unix socket (?host=/var/run/postgresql) or a trusted network with \
                 sslmode=disable",
                crate::report::sanitize::sanitize(mode)
            )))
        }
    }
    let user = url.user_or_default();
    let mut cfg = postgres::Config::new();
    cfg.user(&user)
        .dbname(&url.database)
        .application_name("piiscan")
        .ssl_mode(postgres::config::SslMode::Disable)
        .connect_timeout(Duration::from_secs(15));
    match &url.host {
        DbHost::Tcp { host, port } => {
            cfg.host(host).port(*port);
        }
        DbHost::Socket { path, port } => {
            cfg.host_path(path).port(*port);
        }
        DbHost::Default { port } => {
            match std::env::var("PGHOST").ok().filter(|h| !h.is_empty()) {
                Some(h) if h.starts_with('/') => cfg.host_path(h),
                Some(h) => cfg.host(&h),
                None if std::path::Path::new("/var/run/postgresql").is_dir() => {
                    cfg.host_path("/var/run/postgresql")
                }
                None => cfg.host("localhost"),
            };
            cfg.port(*port);
        }
    }
    if let Some(pw) = password::find(url, &user)? {
        cfg.password(pw);
    }
    cfg.options(&format!(
        "-c default_transaction_read_only=on -c statement_timeout={timeout} -c lock_timeout={timeout}"
    ));
    cfg.connect(postgres::NoTls)
        .map_err(|e| DbError::Connect(error_text(&e)))
}

/// What the server said, without the client's wrapping.
fn error_text(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

/// Makes sure nothing can be written: every transaction of the session is read-only.
fn ensure_read_only(client: &mut postgres::Client) -> Result<(), DbError> {
    client
        .batch_execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        .map_err(|e| DbError::NotReadOnly(error_text(&e)))?;
    let on: String = client
        .query_one("SHOW transaction_read_only", &[])
        .and_then(|r| r.try_get(0))
        .map_err(|e| DbError::NotReadOnly(error_text(&e)))?;
    if on != "on" {
        return Err(DbError::NotReadOnly(format!(
            "transaction_read_only is {on}"
        )));
    }
    Ok(())
}

fn relations(client: &mut postgres::Client) -> Result<Vec<Relation>, DbError> {
    let rows = client
        .query(
            "SELECT c.oid, n.nspname::text, c.relname::text, c.relkind::text, \
               CASE WHEN c.relkind = 'p' THEN \
                 (SELECT sum(k.reltuples)::float8 FROM pg_partition_tree(c.oid) t \
                  JOIN pg_class k ON k.oid = t.relid WHERE t.isleaf AND k.reltuples >= 0) \
               WHEN c.relkind IN ('r', 'm') AND c.reltuples >= 0 THEN c.reltuples::float8 \
               END \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition \
               AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
               AND n.nspname !~ '^pg_(toast|temp_)' \
             ORDER BY 2, 3",
            &[],
        )
        .map_err(|e| DbError::Catalog(error_text(&e)))?;
    rows.iter()
        .map(|r| {
            let estimate: Option<f64> = r.try_get(4)?;
            Ok(Relation {
                oid: r.try_get(0)?,
                schema: r.try_get(1)?,
                name: r.try_get(2)?,
                kind: r.try_get(3)?,
                estimate: estimate.map(|e| e.max(0.0).round() as u64),
            })
        })
        .collect::<Result<_, postgres::Error>>()
        .map_err(|e| DbError::Catalog(error_text(&e)))
}

fn columns(client: &mut postgres::Client, oid: u32) -> Result<Vec<Column>, postgres::Error> {
    let rows = client.query(
        "SELECT a.attname::text, t.typname::text, \
           has_column_privilege(a.attrelid, a.attnum, 'SELECT') \
         FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid \
         WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped \
         ORDER BY a.attnum",
        &[&oid],
    )?;
    rows.iter()
        .map(|r| {
            let typname: String = r.try_get(1)?;
            Ok(Column {
                name: r.try_get(0)?,
                binary: BINARY_TYPES.contains(&typname.as_str()),
                readable: r.try_get(2)?,
            })
        })
        .collect()
}

/// The `COPY` of a table's rows: every readable column as text cut one character past the
/// bound (so a cut is seen), a binary column as whether it is NULL; sampled as asked.
fn copy_sql(rel: &Relation, cols: &[Column], limit: u64, sample: bool) -> String {
    let list: Vec<String> = cols
        .iter()
        .filter(|c| c.readable)
        .map(|c| {
            let q = quote_ident(&c.name);
            if c.binary {
                format!("({q} IS NOT NULL)")
            } else {
                format!("left({q}::text, {})", MAX_CELL_CHARS + 1)
            }
        })
        .collect();
    let mut sql = format!(
        "COPY (SELECT {} FROM {}",
        list.join(", "),
        rel.relation_sql()
    );
    if sample {
        let est = rel.estimate.unwrap_or(0).max(1) as f64;
        // Twice the rows asked for, on average: SYSTEM samples whole blocks.
        let percent = (200.0 * limit as f64 / est).clamp(0.0001, 100.0);
        sql.push_str(&format!(
            " TABLESAMPLE SYSTEM ({percent:.4}) REPEATABLE (20241)"
        ));
    }
    if limit > 0 {
        // One row past the sample: the sink then knows more followed.
        sql.push_str(&format!(" LIMIT {}", limit + 1));
    }
    sql.push_str(") TO STDOUT");
    sql
}

/// Streams one `COPY … TO STDOUT` into the feed. Returns the server's error, if any.
fn copy_rows(client: &mut postgres::Client, sql: &str, feed: &mut Feed<'_>) -> Result<(), String> {
    let reader = client.copy_out(sql).map_err(|e| error_text(&e))?;
    let mut reader = std::io::BufReader::with_capacity(256 * 1024, reader);
    let mut line = Vec::new();
    let mut decoded: Vec<Vec<u8>> = Vec::new();
    let mut nulls: Vec<bool> = Vec::new();
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line).map_err(|e| {
            // The server's message travels inside the io::Error.
            match e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<postgres::Error>())
            {
                Some(pe) => error_text(pe),
                None => e.to_string(),
            }
        })?;
        if n == 0 {
            return Ok(());
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        let mut k = 0;
        for raw in line.split(|&b| b == b'\t') {
            if decoded.len() <= k {
                decoded.push(Vec::new());
                nulls.push(false);
            }
            decoded[k].clear();
            nulls[k] = !copy_text_field(raw, &mut decoded[k]);
            k += 1;
        }
        let fields: Vec<Option<&[u8]>> = (0..k)
            .map(|i| (!nulls[i]).then_some(decoded[i].as_slice()))
            .collect();
        feed.row(&fields);
    }
}

/// Reads one table or view.
pub fn read_table(
    client: &mut postgres::Client,
    rel: &Relation,
    opts: &ReadOptions<'_>,
    sink: &mut dyn TableSink,
) {
    let name = rel.qualified();
    let cols = match columns(client, rel.oid) {
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
    let hidden: Vec<&str> = cols
        .iter()
        .filter(|c| !c.readable)
        .map(|c| c.name.as_str())
        .collect();
    let readable = cols.len() - hidden.len();
    let mut feed = Feed::begin(sink, &name, &cols);
    if !hidden.is_empty() && !opts.schema_only {
        let what = if readable == 0 {
            "this user may not read it (no SELECT privilege); not read".to_string()
        } else {
            format!(
                "this user may not read {} of its {} columns ({}); they were not read",
                hidden.len(),
                cols.len(),
                hidden
                    .iter()
                    .map(|c| shown(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        feed.sink()
            .notice(&format!("table {}: {what}", shown(&name)));
    }
    if opts.schema_only || readable == 0 {
        // The catalog's count, for the inventory (a table not read is named above instead).
        if let Some(est) = rel.estimate.filter(|_| opts.schema_only) {
            feed.sink().total_rows(est);
        }
        feed.end(&name);
        return;
    }
    let limit = opts.sample_rows;
    let big = limit > 0 && rel.can_sample() && rel.estimate.is_some_and(|e| e > 4 * limit);
    let mut outcome = copy_rows(client, &copy_sql(rel, &cols, limit, big), &mut feed);
    let mut sampled = big;
    if big && outcome.is_err() && feed.rows == 0 {
        // A table that cannot be sampled by blocks (a foreign or odd one): the first rows.
        sampled = false;
        outcome = copy_rows(client, &copy_sql(rel, &cols, limit, false), &mut feed);
    }
    if let Err(why) = outcome {
        let read = feed.rows;
        let after = if read > 0 {
            format!("; the {read} rows before it were scanned")
        } else {
            "; not read".to_string()
        };
        feed.sink()
            .notice(&format!("table {}: {why}{after}", shown(&name)));
    } else if sampled || feed.full {
        if let Some(est) = rel.estimate {
            let seen = feed.rows + u64::from(feed.full);
            feed.sink().total_rows(est.max(seen));
        }
    }
    feed.end(&name);
}

/// Connects, and makes the session read-only (checked).
///
/// # Errors
/// No connection, or no read-only session.
pub fn open(url: &DbUrl, timeout_ms: u64) -> Result<postgres::Client, DbError> {
    let mut client = connect(url, timeout_ms)?;
    ensure_read_only(&mut client)?;
    Ok(client)
}

/// The tables and views to read, in `schema.table` order.
///
/// # Errors
/// The catalog cannot be read.
pub fn tables(
    client: &mut postgres::Client,
    opts: &ReadOptions<'_>,
) -> Result<Vec<Relation>, DbError> {
    Ok(relations(client)?
        .into_iter()
        .filter(|r| opts.selected(&r.qualified()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_statements_sample_large_tables_and_quote_names() {
        let rel = Relation {
            oid: 1,
            schema: "public".into(),
            name: "klant\"en".into(),
            kind: "r".into(),
            estimate: Some(10_000_000),
        };
        let cols = [
            Column {
                name: "email".into(),
                binary: false,
                readable: true,
            },
            Column {
                name: "foto".into(),
                binary: true,
                readable: true,
            },
            Column {
                name: "iban".into(),
                binary: false,
                readable: false,
            },
        ];
        let sql = copy_sql(&rel, &cols, 10_000, true);
        assert_eq!(
            sql,
            "COPY (SELECT left(\"email\"::text, 1048577), (\"foto\" IS NOT NULL) FROM ONLY \
             \"public\".\"klant\"\"en\" TABLESAMPLE SYSTEM (0.2000) REPEATABLE (20241) LIMIT \
             10001) TO STDOUT"
        );
        let all = copy_sql(&rel, &cols, 0, false);
        assert!(
            !all.contains("LIMIT") && !all.contains("TABLESAMPLE"),
            "{all}"
        );
    }
}
