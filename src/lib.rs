//! piiscan finds personal data (in the sense of the GDPR / AVG) in files, exports, logs and
//! datasets, with Dutch and Belgian identifiers as first-class citizens.
//!
//! The library does all the work; the `piiscan` binary only parses arguments and prints.
//! The flow of data:
//!
//! ```text
//! paths ─► source (walk, sniff, decode, readers) ─► pipeline (units, workers, order) ─► Sink
//!                      │                                   │
//!                      └──────► detect::Engine ◄───────────┘  ruleset::RuleSet (compiled once)
//! ```
//!
//! Dependencies point one way: the commands (`anonymise`, `guard`, `register`, `report`) use
//! [`pipeline`], which uses [`source`] and [`detect`], which use [`ruleset`] and [`finding`].
//!
//! * [`ruleset`] loads rule packs (TOML data in `rules/`, embedded at build time, plus user
//!   packs) and compiles them into an immutable [`ruleset::RuleSet`].
//! * [`source`] walks paths, sniffs and decodes inputs, and holds every reader: text, tables
//!   ([`source::table`]), containers ([`source::container`]); [`source::input`] makes the one
//!   format decision that scan, anonymise, verification and the register share.
//! * [`detect`] is the hot loop: one multi-pattern pass per search group, validators, context,
//!   confidence, and the classification of table columns ([`detect::column`]).
//! * [`pipeline`] runs the parallel scan and hands findings, in a deterministic order, to a
//!   [`pipeline::Sink`].
//! * [`finding`] is the output data model, with its fingerprints and masks; [`report`] writes it
//!   in every output format.
#![warn(missing_docs)]

pub mod anonymise;
pub mod atomic;
pub mod breach;
pub mod corpus;
pub mod detect;
pub mod error;
pub mod finding;
pub mod guard;
pub mod names;
pub mod pipeline;
pub mod progress;
pub mod register;
pub mod report;
pub mod ruleset;
pub mod source;
pub mod subject;

pub use error::{Error, Result};
pub use finding::{Confidence, Finding, Location};
