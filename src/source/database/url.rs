//! Database URLs: `postgres://user@host:5432/db` (also `postgresql://`) and
//! `mysql://user@host:3306/db` (also `mariadb://`), parsed into what a connection needs and
//! the dataset reference that findings and the inventory carry (`postgres://host:5432/db`: no
//! user, no password, the same whichever way the server was reached).
//!
//! A password in the URL is refused: a command line shows in the process list and in shell
//! history. Passwords come from the environment or the clients' files instead
//! ([`crate::source::database::password`]).

use std::path::PathBuf;

/// Which server speaks at the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB.
    Mysql,
}

impl DbKind {
    /// The scheme of the dataset reference.
    pub fn scheme(self) -> &'static str {
        match self {
            DbKind::Postgres => "postgres",
            DbKind::Mysql => "mysql",
        }
    }

    /// The port a URL without one means.
    pub fn default_port(self) -> u16 {
        match self {
            DbKind::Postgres => 5432,
            DbKind::Mysql => 3306,
        }
    }
}

/// Where the server is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbHost {
    /// A TCP host name or address, and port.
    Tcp {
        /// Host name or address (an IPv6 address without its brackets).
        host: String,
        /// Port.
        port: u16,
    },
    /// A unix socket: the directory holding it (PostgreSQL) or the socket file (MySQL).
    Socket {
        /// The socket directory (PostgreSQL) or file (MySQL).
        path: PathBuf,
        /// The port (PostgreSQL names its socket file by it).
        port: u16,
    },
    /// No host given: the client's default (PostgreSQL: `PGHOST`, else the local socket
    /// directory; MySQL: the local socket), on this port.
    Default {
        /// Port.
        port: u16,
    },
}

/// A parsed database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbUrl {
    /// The kind of server.
    pub kind: DbKind,
    /// The user, when the URL names one.
    pub user: Option<String>,
    /// Where the server is.
    pub host: DbHost,
    /// The database.
    pub database: String,
    /// `?password_env=NAME`: the environment variable holding the password.
    pub password_env: Option<String>,
    /// `?statement_timeout=` (PostgreSQL) or `?max_execution_time=` (MySQL), in
    /// milliseconds; `Some(0)`: no timeout; `None`: piiscan's default.
    pub statement_timeout_ms: Option<u64>,
    /// `?sslmode=` (PostgreSQL) or `?ssl-mode=` (MySQL), lower-cased.
    pub sslmode: Option<String>,
    reference: String,
}

/// Why a URL cannot be used. The messages never repeat a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// The URL holds a password.
    #[error("a password in the URL is refused: a command line shows in the process list and in shell history. Give it in {0} instead")]
    Password(&'static str),
    /// Something else is wrong with it.
    #[error("{0}")]
    Invalid(String),
}

/// Does this input name a database rather than a file?
pub fn is_database_url(s: &str) -> bool {
    scheme(s).is_some()
}

fn scheme(s: &str) -> Option<(DbKind, &str)> {
    let (scheme, rest) = s.split_once("://")?;
    let kind = match scheme.to_ascii_lowercase().as_str() {
        "postgres" | "postgresql" => DbKind::Postgres,
        "mysql" | "mariadb" => DbKind::Mysql,
        _ => return None,
    };
    Some((kind, rest))
}

fn where_passwords_go(kind: DbKind) -> &'static str {
    match kind {
        DbKind::Postgres => {
            "PGPASSWORD, ~/.pgpass (or the file PGPASSFILE names), or an environment variable named by ?password_env=NAME"
        }
        DbKind::Mysql => "MYSQL_PWD or an environment variable named by ?password_env=NAME",
    }
}

/// `%XX` escapes decoded (a socket directory given as the host: `%2Fvar%2Frun%2Fpostgresql`).
fn percent_decode(s: &str) -> Result<String, UrlError> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(v) => {
                    out.push(v);
                    i += 3;
                    continue;
                }
                None => return Err(UrlError::Invalid("a bad %-escape in the URL".into())),
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out)
        .map_err(|_| UrlError::Invalid("the URL is not UTF-8 once decoded".into()))
}

/// A timeout such as `5000` (milliseconds), `500ms`, `30s`, `5min` or `0` (none).
pub fn parse_timeout(v: &str) -> Option<u64> {
    let v = v.trim();
    let split = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (n, unit) = v.split_at(split);
    let n: u64 = n.parse().ok()?;
    let scale = match unit.trim() {
        "" | "ms" => 1,
        "s" => 1000,
        "min" => 60_000,
        "h" => 3_600_000,
        _ => return None,
    };
    n.checked_mul(scale)
}

impl DbUrl {
    /// Parses a URL.
    ///
    /// # Errors
    /// Not a database URL, a password in it, no database named, an unknown or bad parameter.
    pub fn parse(s: &str) -> Result<DbUrl, UrlError> {
        let (kind, rest) = scheme(s).ok_or_else(|| {
            UrlError::Invalid(
                "not a database URL (postgres://, postgresql://, mysql:// or mariadb://)".into(),
            )
        })?;
        let (main, query) = match rest.split_once('?') {
            Some((m, q)) => (m, Some(q)),
            None => (rest, None),
        };
        let (authority, path) = match main.split_once('/') {
            Some((a, p)) => (a, p),
            None => (main, ""),
        };
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        if userinfo.is_some_and(|u| u.contains(':')) {
            return Err(UrlError::Password(where_passwords_go(kind)));
        }
        let mut user = match userinfo {
            Some(u) if !u.is_empty() => Some(percent_decode(u)?),
            _ => None,
        };
        let (host, mut port) = split_host_port(hostport)?;
        let mut host = percent_decode(&host)?;
        let mut database = percent_decode(path.trim_end_matches('/'))?;
        let mut socket: Option<PathBuf> = None;
        let mut password_env = None;
        let mut statement_timeout_ms = None;
        let mut sslmode = None;
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = percent_decode(v)?;
            match (kind, k) {
                (_, "password") => return Err(UrlError::Password(where_passwords_go(kind))),
                (_, "password_env") => {
                    if v.is_empty() {
                        return Err(UrlError::Invalid("?password_env= names no variable".into()));
                    }
                    password_env = Some(v);
                }
                (DbKind::Postgres, "host") if v.starts_with('/') => socket = Some(v.into()),
                (DbKind::Postgres, "host") => host = v,
                (DbKind::Mysql, "socket") => socket = Some(v.into()),
                (_, "port") => {
                    port =
                        Some(v.parse().map_err(|_| {
                            UrlError::Invalid(format!("?port={v}: not a port number"))
                        })?)
                }
                (_, "user") => user = Some(v),
                (DbKind::Postgres, "dbname") => database = v,
                (DbKind::Postgres, "statement_timeout")
                | (DbKind::Mysql, "max_execution_time" | "statement_timeout") => {
                    statement_timeout_ms = Some(parse_timeout(&v).ok_or_else(|| {
                        UrlError::Invalid(format!(
                            "?{k}={v}: give milliseconds, or a number with ms, s, min or h"
                        ))
                    })?)
                }
                (DbKind::Postgres, "sslmode") | (DbKind::Mysql, "ssl-mode" | "ssl_mode") => {
                    sslmode = Some(v.to_ascii_lowercase())
                }
                (DbKind::Postgres, "application_name" | "connect_timeout") => {}
                _ => {
                    let known = match kind {
                        DbKind::Postgres => "host, port, user, dbname, password_env, statement_timeout, sslmode, application_name, connect_timeout",
                        DbKind::Mysql => "socket, port, user, password_env, max_execution_time (or statement_timeout), ssl-mode",
                    };
                    return Err(UrlError::Invalid(format!(
                        "unknown URL parameter '{}' (known: {known})",
                        crate::report::sanitize::sanitize(k)
                    )));
                }
            }
        }
        if database.is_empty() {
            return Err(UrlError::Invalid(format!(
                "name the database: {}://user@host:{}/DATABASE",
                kind.scheme(),
                kind.default_port()
            )));
        }
        if database.contains('/') {
            return Err(UrlError::Invalid("a database name holds no '/'".into()));
        }
        let port = port.unwrap_or(kind.default_port());
        if host.starts_with('/') {
            socket = Some(PathBuf::from(std::mem::take(&mut host)));
        }
        let host = match socket {
            Some(path) => DbHost::Socket { path, port },
            None if host.is_empty() => DbHost::Default { port },
            None => DbHost::Tcp { host, port },
        };
        let shown_host = match &host {
            DbHost::Tcp { host, .. } if host.contains(':') => format!("[{host}]"),
            DbHost::Tcp { host, .. } => host.to_ascii_lowercase(),
            // A socket reaches a server on this machine.
            DbHost::Socket { .. } | DbHost::Default { .. } => "localhost".to_string(),
        };
        let reference = format!(
            "{}://{shown_host}:{port}/{}",
            kind.scheme(),
            crate::report::sanitize::sanitize(&database)
        );
        Ok(DbUrl {
            kind,
            user,
            host,
            database,
            password_env,
            statement_timeout_ms,
            sslmode,
            reference,
        })
    }

    /// The dataset reference: `postgres://host:5432/db` (no user, no password), the same for
    /// every run against that database; a unix socket is `localhost`.
    pub fn reference(&self) -> &str {
        &self.reference
    }

    /// The user to connect as: the URL's, else `PGUSER` / `USER` (PostgreSQL) or `USER`
    /// (MySQL), else the login name.
    pub fn user_or_default(&self) -> String {
        if let Some(u) = &self.user {
            return u.clone();
        }
        let vars: &[&str] = match self.kind {
            DbKind::Postgres => &["PGUSER", "USER", "LOGNAME"],
            DbKind::Mysql => &["USER", "LOGNAME"],
        };
        vars.iter()
            .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
            .or_else(login_name)
            .unwrap_or_else(|| "postgres".to_string())
    }
}

/// The name of the user this process runs as, as the clients default to it.
#[cfg(unix)]
fn login_name() -> Option<String> {
    // SAFETY: getpwuid returns a pointer to a static record or NULL; the name is copied out
    // at once, before any other call that could reuse the record.
    unsafe {
        let pw = libc::getpwuid(libc::geteuid());
        if pw.is_null() || (*pw).pw_name.is_null() {
            return None;
        }
        std::ffi::CStr::from_ptr((*pw).pw_name)
            .to_str()
            .ok()
            .map(str::to_string)
    }
}

#[cfg(not(unix))]
fn login_name() -> Option<String> {
    None
}

/// What an input that looks like a database URL is shown as when it cannot be parsed: the
/// scheme and what follows the user part, so that a password given by mistake is not echoed.
pub fn redacted(s: &str) -> String {
    let Some((scheme, rest)) = s.split_once("://") else {
        return crate::report::sanitize::sanitize(s).into_owned();
    };
    let main = rest.split('?').next().unwrap_or(rest);
    let (authority, path) = main.split_once('/').unwrap_or((main, ""));
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    crate::report::sanitize::sanitize(&format!("{scheme}://{host}/{path}")).into_owned()
}

fn split_host_port(hp: &str) -> Result<(String, Option<u16>), UrlError> {
    let bad_port = |p: &str| {
        UrlError::Invalid(format!(
            "port '{}': not a number",
            crate::report::sanitize::sanitize(p)
        ))
    };
    if let Some(rest) = hp.strip_prefix('[') {
        let (h, after) = rest
            .split_once(']')
            .ok_or_else(|| UrlError::Invalid("an IPv6 host without its closing ]".into()))?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p.parse().map_err(|_| bad_port(p))?),
            None if after.is_empty() => None,
            None => return Err(UrlError::Invalid("text after the IPv6 host".into())),
        };
        return Ok((h.to_string(), port));
    }
    match hp.rsplit_once(':') {
        Some((h, p)) => Ok((h.to_string(), Some(p.parse().map_err(|_| bad_port(p))?))),
        None => Ok((hp.to_string(), None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_give_connection_parts_and_a_reference_without_the_user() {
        let u = DbUrl::parse("postgres://Alice@DB.example.nl:6432/klanten?statement_timeout=30s")
            .unwrap();
        assert_eq!(u.kind, DbKind::Postgres);
        assert_eq!(u.user.as_deref(), Some("Alice"));
        assert_eq!(
            u.host,
            DbHost::Tcp {
                host: "DB.example.nl".into(),
                port: 6432
            }
        );
        assert_eq!(u.statement_timeout_ms, Some(30_000));
        assert_eq!(u.reference(), "postgres://db.example.nl:6432/klanten");
        let u = DbUrl::parse("postgresql://bob@/crm?host=/var/run/postgresql").unwrap();
        assert_eq!(
            u.host,
            DbHost::Socket {
                path: "/var/run/postgresql".into(),
                port: 5432
            }
        );
        assert_eq!(u.reference(), "postgres://localhost:5432/crm");
        let u = DbUrl::parse("postgres://%2Ftmp@/crm").unwrap();
        assert_eq!(u.user.as_deref(), Some("/tmp"));
        let u = DbUrl::parse("postgres://%2Frun%2Fpg/crm").unwrap();
        assert!(matches!(u.host, DbHost::Socket { .. }), "{:?}", u.host);
        let u = DbUrl::parse(
            "mariadb://app@[::1]/shop?socket=/run/mysqld/mysqld.sock&max_execution_time=500",
        )
        .unwrap();
        assert_eq!(u.kind, DbKind::Mysql);
        assert_eq!(u.reference(), "mysql://localhost:3306/shop");
        assert_eq!(u.statement_timeout_ms, Some(500));
        let u = DbUrl::parse("mysql://app@[::1]:3307/shop").unwrap();
        assert_eq!(u.reference(), "mysql://[::1]:3307/shop");
    }

    #[test]
    fn a_password_in_the_url_is_refused_without_being_repeated() {
        for url in [
            "postgres://u:geheim@host/db",
            "postgres://u:@host/db",
            "postgres://u@host/db?password=geheim",
            "mysql://u:geheim@host/db",
        ] {
            let e = DbUrl::parse(url).unwrap_err();
            let msg = e.to_string();
            assert!(matches!(e, UrlError::Password(_)), "{url}: {msg}");
            assert!(!msg.contains("geheim"), "{msg}");
            assert!(msg.contains("password_env"), "{msg}");
            assert!(!redacted(url).contains("geheim"), "{}", redacted(url));
        }
        assert!(DbUrl::parse("postgres://u@host/db").is_ok());
    }

    #[test]
    fn bad_urls_say_what_is_wrong() {
        assert!(DbUrl::parse("postgres://u@host").is_err());
        assert!(DbUrl::parse("postgres://u@host:x/db").is_err());
        assert!(DbUrl::parse("postgres://u@host/db?wachtwoord=1").is_err());
        assert!(DbUrl::parse("postgres://u@host/db?statement_timeout=soon").is_err());
        assert!(!is_database_url("klanten.csv"));
        assert!(!is_database_url("https://example.nl/x"));
        assert_eq!(parse_timeout("0"), Some(0));
        assert_eq!(parse_timeout("2min"), Some(120_000));
    }
}
