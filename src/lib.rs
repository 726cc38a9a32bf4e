//! piiscan finds personal data (in the sense of the GDPR / AVG) in files, exports, logs and
//! datasets, with Dutch and Belgian identifiers as first-class citizens.
//!
//! The library does all the work; the `piiscan` binary only parses arguments and prints.
//! The flow of data:
//!
//! ```text
//! paths ─► source::walk ─► source::text (decode, chunk) ─► detect::Engine ─► Finding ─► report
//!                                         rules::RuleSet (compiled once, shared by all threads)
//! ```
//!
//! * [`rules`] loads rule packs (TOML data in `rules/`, embedded at build time, plus user packs)
//!   and compiles them into an immutable [`rules::RuleSet`].
//! * [`detect`] is the hot loop: one multi-pattern pass, validators, context, confidence.
//! * [`source`] walks paths, sniffs and decodes inputs (UTF-8, UTF-16, Windows-1252, gzip).
//! * [`scan`] runs the parallel scan and hands findings, in a deterministic order, to a sink.
//! * [`finding`] is the output data model; [`report`] writes it in every output format.
#![warn(missing_docs)]

pub mod anonymise;
pub mod atomic;
pub mod classify;
pub mod cli;
pub(crate) mod containerscan;
pub mod corpus;
pub mod detect;
pub mod error;
pub mod finding;
pub mod fingerprint;
pub mod guard;
pub mod mask;
pub mod names;
pub mod parse_error;
pub mod progress;
pub mod register;
pub mod report;
pub mod rules;
pub mod scan;
pub mod source;
pub mod table;
pub mod tablescan;

pub use error::{Error, Result};
pub use finding::{Confidence, Finding, Location};
