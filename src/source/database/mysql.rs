//! MySQL and MariaDB, live: not read yet by this build; the input is named as not read.

use crate::source::database::url::DbUrl;
use crate::source::database::{DbError, ReadOptions};
use crate::source::table::TableSink;

/// Refuses: MySQL and MariaDB are not read live yet (scan a `mariadb-dump` instead).
///
/// # Errors
/// Always [`DbError::Unsupported`].
pub fn read(
    _url: &DbUrl,
    _opts: &ReadOptions<'_>,
    _sink: &mut dyn TableSink,
    _on_table: &mut dyn FnMut(&str),
) -> Result<(), DbError> {
    Err(DbError::Unsupported(
        "MySQL and MariaDB are not read live by this piiscan yet: scan a dump \
         (mariadb-dump DB | piiscan scan -)"
            .into(),
    ))
}
