//! Detection: scanning decoded bytes with a compiled [`crate::rules::RuleSet`].
//! [`engine`] holds the hot loop; [`stream`] feeds it chunks of a stream with the overlap that
//! keeps matches and their context whole across chunk boundaries.

pub mod engine;
pub mod stream;

pub use engine::{Engine, Hit, Scratch};
pub use stream::{RegionResult, StreamScanner};
