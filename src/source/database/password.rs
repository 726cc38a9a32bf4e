//! Where a database password comes from, never the command line: the environment variable a
//! URL names (`?password_env=NAME`), else `PGPASSWORD` and the password file (`PGPASSFILE`,
//! else `~/.pgpass`) for PostgreSQL, or `MYSQL_PWD` for MySQL. None at all is fine: the
//! server may trust the socket's peer.

use crate::source::database::url::{DbHost, DbKind, DbUrl};
use std::path::{Path, PathBuf};

/// Why no password could be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// `?password_env=NAME` names a variable that is not set.
    #[error("?password_env={0}: the environment variable {0} is not set")]
    Unset(String),
}

/// The password for `url` as `user`, if one is given anywhere.
///
/// # Errors
/// `?password_env=` names a variable that is not set.
pub fn find(url: &DbUrl, user: &str) -> Result<Option<String>, PasswordError> {
    if let Some(var) = &url.password_env {
        return match std::env::var(var) {
            Ok(v) => Ok(Some(v)),
            Err(_) => Err(PasswordError::Unset(
                crate::report::sanitize::sanitize(var).into_owned(),
            )),
        };
    }
    let env = match url.kind {
        DbKind::Postgres => "PGPASSWORD",
        DbKind::Mysql => "MYSQL_PWD",
    };
    if let Some(v) = std::env::var(env).ok().filter(|v| !v.is_empty()) {
        return Ok(Some(v));
    }
    if url.kind == DbKind::Postgres {
        if let Some(file) = pgpass_file() {
            if let Ok(text) = std::fs::read_to_string(&file) {
                if private(&file) {
                    let (host, port) = pgpass_host(&url.host);
                    return Ok(pgpass_lookup(&text, &host, port, &url.database, user));
                }
            }
        }
    }
    Ok(None)
}

/// The password file: `PGPASSFILE`, else `~/.pgpass`.
fn pgpass_file() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PGPASSFILE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    std::env::var_os("HOME").map(|h| Path::new(&h).join(".pgpass"))
}

/// libpq ignores a password file that others may read; so does piiscan.
#[cfg(unix)]
fn private(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 == 0)
}

#[cfg(not(unix))]
fn private(_path: &Path) -> bool {
    true
}

/// The host and port as a `.pgpass` line names them: a socket connection is `localhost`.
fn pgpass_host(host: &DbHost) -> (String, u16) {
    match host {
        DbHost::Tcp { host, port } => (host.clone(), *port),
        DbHost::Socket { port, .. } | DbHost::Default { port } => ("localhost".into(), *port),
    }
}

/// The fields of one `.pgpass` line (`host:port:database:user:password`, with `\:` and `\\`
/// escapes); `None` for comments, blank and short lines.
fn pgpass_fields(line: &str) -> Option<Vec<String>> {
    if line.trim_start().starts_with('#') || line.trim().is_empty() {
        return None;
    }
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    fields.last_mut()?.push(n);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            _ => fields.last_mut()?.push(c),
        }
    }
    (fields.len() == 5).then_some(fields)
}

/// The password of the first `.pgpass` line that matches (a field `*` matches anything).
pub fn pgpass_lookup(text: &str, host: &str, port: u16, db: &str, user: &str) -> Option<String> {
    let port = port.to_string();
    let want = [host, port.as_str(), db, user];
    text.lines().filter_map(pgpass_fields).find_map(|f| {
        let matches = f[..4]
            .iter()
            .zip(want)
            .all(|(field, want)| field == "*" || field == want);
        matches.then(|| f[4].clone())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pgpass_lines_match_with_wildcards_and_escapes() {
        let text = "# comment\n\
                    db.example.nl:5432:crm:alice:first\n\
                    *:5432:*:bob:p\\:w\\\\d\n\
                    localhost:*:shop:*:socket-pw\n\
                    short:line\n";
        let get = |h, p, d, u| pgpass_lookup(text, h, p, d, u);
        assert_eq!(
            get("db.example.nl", 5432, "crm", "alice").as_deref(),
            Some("first")
        );
        assert_eq!(get("db.example.nl", 5433, "crm", "alice"), None);
        assert_eq!(get("any", 5432, "x", "bob").as_deref(), Some("p:w\\d"));
        assert_eq!(
            get("localhost", 6000, "shop", "carol").as_deref(),
            Some("socket-pw")
        );
        assert_eq!(get("short", 5432, "line", "x"), None);
    }

    #[test]
    fn a_socket_connection_is_localhost_in_pgpass() {
        let (h, p) = pgpass_host(&DbHost::Socket {
            path: "/var/run/postgresql".into(),
            port: 5432,
        });
        assert_eq!((h.as_str(), p), ("localhost", 5432));
    }
}
