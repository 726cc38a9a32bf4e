//! Live databases: PostgreSQL ([`postgres`]) and MySQL / MariaDB ([`mysql`]) read over their
//! own protocols, table by table, into a [`TableSink`] as the table files are. What is read:
//! every table and view the user may read (`--include`/`--exclude` take `schema.table`
//! globs), their columns from the catalog, and a sample of rows taken as the server can do it
//! cheaply ([`ReadOptions::sample_rows`]; 0 reads every row, streamed). Binary columns are not
//! fetched: each non-NULL cell is counted through [`TableSink::binary`]. Text longer than
//! [`MAX_CELL_CHARS`] is cut there, and said. Row counts come from the catalog.
//!
//! Safety: a read-only session, checked before anything is read, and a timeout per statement
//! (the URL's, else [`DEFAULT_TIMEOUT_MS`] for a sample and none for a full read, which takes
//! as long as the table is large). A table that cannot be read (no privilege, a
//! timeout) is named through [`TableSink::notice`] and the others are read all the same.

pub mod mysql;
pub mod password;
pub mod postgres;
pub mod url;

use crate::source::table::TableSink;
use crate::source::walk::Globs;
pub use url::{is_database_url, DbKind, DbUrl};

/// The longest text cell read, in characters: a longer one is cut here, and said.
pub const MAX_CELL_CHARS: usize = 1 << 20;

/// The timeout per statement of a sampled read when the URL gives none, in milliseconds (a
/// full read, `--sample-rows 0`, has none unless the URL says).
pub const DEFAULT_TIMEOUT_MS: u64 = 60_000;

/// How to read a database.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions<'a> {
    /// Rows read per table (0: all of them).
    pub sample_rows: u64,
    /// Read the catalog only: column names, no rows (`--schema-only`).
    pub schema_only: bool,
    /// Only tables whose `schema.table` matches one of these.
    pub include: Option<&'a Globs>,
    /// Not tables whose `schema.table` matches one of these.
    pub exclude: Option<&'a Globs>,
}

impl ReadOptions<'_> {
    /// The timeout per statement for `url`, in milliseconds (0: none).
    pub fn timeout_ms(&self, url: &DbUrl) -> u64 {
        let default = if self.sample_rows == 0 {
            0
        } else {
            DEFAULT_TIMEOUT_MS
        };
        url.statement_timeout_ms.unwrap_or(default)
    }

    /// Is the table `schema.table` to be read?
    pub fn selected(&self, qualified: &str) -> bool {
        self.include.is_none_or(|g| g.is_match(qualified))
            && !self.exclude.is_some_and(|g| g.is_match(qualified))
    }
}

/// Why a database could not be read at all (a table that fails is a notice instead).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL cannot be used.
    #[error(transparent)]
    Url(#[from] url::UrlError),
    /// No password could be had where one was named.
    #[error(transparent)]
    Password(#[from] password::PasswordError),
    /// The server could not be reached or refused the login.
    #[error("could not connect: {0}")]
    Connect(String),
    /// The session could not be made read-only: nothing was read.
    #[error("the session could not be made read-only, so nothing was read: {0}")]
    NotReadOnly(String),
    /// The catalog (the list of tables and columns) could not be read.
    #[error("the list of tables could not be read: {0}")]
    Catalog(String),
    /// Asked for something this build cannot do (TLS).
    #[error("{0}")]
    Unsupported(String),
}

/// A connection with a read-only session, ready to read tables.
pub enum Session {
    /// PostgreSQL.
    Postgres(Box<::postgres::Client>),
    /// MySQL or MariaDB.
    Mysql(Box<::mysql::Conn>),
}

/// One table or view to read, as the catalog listed it.
#[derive(Debug, Clone)]
pub enum Table {
    /// Of PostgreSQL.
    Postgres(postgres::Relation),
    /// Of MySQL or MariaDB.
    Mysql(mysql::Relation),
}

impl Table {
    /// `schema.table`.
    pub fn qualified(&self) -> String {
        match self {
            Table::Postgres(r) => r.qualified(),
            Table::Mysql(r) => r.qualified(),
        }
    }
}

impl Session {
    /// Connects to the database at `url`, with a read-only session (checked) and the
    /// statement timeout. Each worker opens its own.
    ///
    /// # Errors
    /// No connection, or no read-only session.
    pub fn open(url: &DbUrl, opts: &ReadOptions<'_>) -> Result<Session, DbError> {
        let timeout = opts.timeout_ms(url);
        Ok(match url.kind {
            DbKind::Postgres => Session::Postgres(Box::new(postgres::open(url, timeout)?)),
            DbKind::Mysql => Session::Mysql(Box::new(mysql::open(url, timeout)?)),
        })
    }

    /// The tables and views to read (those the globs select), in name order.
    ///
    /// # Errors
    /// The catalog cannot be read.
    pub fn tables(&mut self, url: &DbUrl, opts: &ReadOptions<'_>) -> Result<Vec<Table>, DbError> {
        Ok(match self {
            Session::Postgres(c) => postgres::tables(c, opts)?
                .into_iter()
                .map(Table::Postgres)
                .collect(),
            Session::Mysql(c) => mysql::tables(c, url, opts)?
                .into_iter()
                .map(Table::Mysql)
                .collect(),
        })
    }

    /// Reads one table into `sink`; what fails is a notice naming the table.
    pub fn read_table(&mut self, table: &Table, opts: &ReadOptions<'_>, sink: &mut dyn TableSink) {
        match (self, table) {
            (Session::Postgres(c), Table::Postgres(r)) => postgres::read_table(c, r, opts, sink),
            (Session::Mysql(c), Table::Mysql(r)) => mysql::read_table(c, r, opts, sink),
            (_, t) => sink.notice(&format!(
                "table {}: listed by another kind of server; not read",
                shown(&t.qualified())
            )),
        }
    }
}

/// Reads the database at `url` into `sink`, one table after another on one connection;
/// `on_table` is told each table's name before it is read (for progress).
///
/// # Errors
/// No connection, no read-only session, no catalog. Tables that fail are notices.
pub fn read(
    url: &DbUrl,
    opts: &ReadOptions<'_>,
    sink: &mut dyn TableSink,
    on_table: &mut dyn FnMut(&str),
) -> Result<(), DbError> {
    let mut session = Session::open(url, opts)?;
    for table in session.tables(url, opts)? {
        on_table(&table.qualified());
        session.read_table(&table, opts, sink);
    }
    Ok(())
}

/// A table's name as messages show it (masked where it holds a value, sanitized).
pub(crate) fn shown(name: &str) -> String {
    crate::report::sanitize::sanitize(&crate::names::mask(name)).into_owned()
}

/// A column of a table to read.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    /// Its name.
    pub name: String,
    /// A binary type (bytea, geometry, blob): only whether it is NULL is fetched.
    pub binary: bool,
    /// The user may read it.
    pub readable: bool,
}

/// Hands the rows of one table to the sink: binary columns as counts, long text cut.
pub(crate) struct Feed<'s> {
    sink: &'s mut dyn TableSink,
    /// Per column given to the sink: binary?
    binary: Vec<bool>,
    /// Cells cut at [`MAX_CELL_CHARS`].
    pub cut: u64,
    /// Rows handed on.
    pub rows: u64,
    /// The sink wants no more rows.
    pub full: bool,
    cells: Vec<Option<Vec<u8>>>,
}

impl<'s> Feed<'s> {
    /// Starts table `name` with the readable ones of `columns`.
    pub fn begin(sink: &'s mut dyn TableSink, name: &str, columns: &[Column]) -> Feed<'s> {
        let readable: Vec<&Column> = columns.iter().filter(|c| c.readable).collect();
        let names: Vec<String> = readable.iter().map(|c| c.name.clone()).collect();
        sink.begin(name, &names);
        Feed {
            sink,
            binary: readable.iter().map(|c| c.binary).collect(),
            cut: 0,
            rows: 0,
            full: false,
            cells: Vec::new(),
        }
    }

    /// The sink, for notices and counts.
    pub fn sink(&mut self) -> &mut dyn TableSink {
        self.sink
    }

    /// One row, a cell per readable column (a binary column's cell says whether it is
    /// non-NULL: `t`, `1`); `None` is NULL.
    pub fn row(&mut self, fields: &[Option<&[u8]>]) {
        if self.full {
            return;
        }
        self.cells.clear();
        for (i, f) in fields.iter().enumerate() {
            let binary = self.binary.get(i).copied().unwrap_or(false);
            let cell = match f {
                _ if binary => None,
                None => None,
                Some(v) => Some(self.cut_to_bound(v)),
            };
            self.cells.push(cell);
        }
        let cells: Vec<Option<&[u8]>> = self.cells.iter().map(|c| c.as_deref()).collect();
        if !self.sink.row(&cells) {
            self.full = true;
            return;
        }
        self.rows += 1;
        for (i, f) in fields.iter().enumerate() {
            if self.binary.get(i).copied().unwrap_or(false)
                && matches!(f, Some(v) if matches!(*v, b"t" | b"1"))
            {
                self.sink.binary(i);
            }
        }
    }

    fn cut_to_bound(&mut self, v: &[u8]) -> Vec<u8> {
        if v.len() <= MAX_CELL_CHARS {
            return v.to_vec();
        }
        // Characters, not bytes: the server cut at MAX_CELL_CHARS + 1 characters.
        let mut chars = 0usize;
        for (at, &b) in v.iter().enumerate() {
            if b & 0xC0 != 0x80 {
                if chars == MAX_CELL_CHARS {
                    self.cut += 1;
                    return v[..at].to_vec();
                }
                chars += 1;
            }
        }
        v.to_vec()
    }

    /// Ends the table: says how many cells were cut.
    pub fn end(self, name: &str) {
        if self.cut > 0 {
            self.sink.notice(&format!(
                "table {}: {} cells longer than {MAX_CELL_CHARS} characters were read up to \
                 that length only",
                shown(name),
                self.cut
            ));
        }
        self.sink.end();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::table::CollectedRows;

    #[test]
    fn a_sample_has_a_default_timeout_and_a_full_read_none_unless_the_url_says() {
        let url = |q: &str| DbUrl::parse(&format!("postgres://u@h/db{q}")).unwrap();
        let sampled = ReadOptions {
            sample_rows: 10_000,
            ..ReadOptions::default()
        };
        let full = ReadOptions::default();
        assert_eq!(sampled.timeout_ms(&url("")), DEFAULT_TIMEOUT_MS);
        assert_eq!(full.timeout_ms(&url("")), 0);
        assert_eq!(full.timeout_ms(&url("?statement_timeout=2s")), 2000);
        assert_eq!(sampled.timeout_ms(&url("?statement_timeout=0")), 0);
    }

    #[test]
    fn binary_cells_are_counted_and_long_text_is_cut_and_said() {
        #[derive(Default)]
        struct Sink {
            rows: CollectedRows,
            binary: Vec<usize>,
            notices: Vec<String>,
        }
        impl TableSink for Sink {
            fn begin(&mut self, t: &str, c: &[String]) {
                self.rows.begin(t, c)
            }
            fn row(&mut self, cells: &[Option<&[u8]>]) -> bool {
                self.rows.row(cells)
            }
            fn binary(&mut self, column: usize) {
                self.binary.push(column)
            }
            fn notice(&mut self, m: &str) {
                self.notices.push(m.to_string())
            }
            fn end(&mut self) {}
        }
        let mut sink = Sink::default();
        let cols = [
            Column {
                name: "foto".into(),
                binary: true,
                readable: true,
            },
            Column {
                name: "geheim".into(),
                binary: false,
                readable: false,
            },
            Column {
                name: "tekst".into(),
                binary: false,
                readable: true,
            },
        ];
        let long = "é".repeat(MAX_CELL_CHARS + 1);
        let mut feed = Feed::begin(&mut sink, "public.t", &cols);
        feed.row(&[Some(b"t"), Some(long.as_bytes())]);
        feed.row(&[Some(b"f"), None]);
        feed.end("public.t");
        assert_eq!(sink.rows.columns, ["foto", "tekst"]);
        assert_eq!(sink.binary, [0]);
        assert_eq!(sink.rows.rows[0][0], None);
        assert_eq!(
            sink.rows.rows[0][1].as_ref().map(|s| s.chars().count()),
            Some(MAX_CELL_CHARS)
        );
        assert_eq!(sink.notices.len(), 1, "{:?}", sink.notices);
    }
}
