//! Library errors. Every variant names the input it concerns (a file, a rule, a line), so a
//! message printed to the user says where to look.

use std::path::PathBuf;

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong inside the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A rule file could not be parsed or a rule in it is invalid.
    #[error("{file}: rule {rule}: {problem}")]
    Rule {
        /// The rule file (or `<built-in>/…` for embedded packs).
        file: String,
        /// The rule id, or `?` when the id itself is missing.
        rule: String,
        /// What is wrong.
        problem: String,
    },
    /// A rule file is not valid TOML.
    #[error("{file}: {problem}")]
    RuleFile {
        /// The rule file.
        file: String,
        /// The parser's message, with line and column.
        problem: String,
    },
    /// A value given on the command line or in a configuration is not usable.
    #[error("{0}")]
    Usage(String),
    /// A fingerprint key could not be read or created.
    #[error("fingerprint key: {0}")]
    Key(String),
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
