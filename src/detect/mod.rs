//! Detection: scanning decoded bytes with a compiled [`crate::ruleset::RuleSet`].
//! [`engine`] holds the hot loop; [`stream`] feeds it chunks of a stream with the overlap that
//! keeps matches and their context whole across chunk boundaries.

pub mod column;
pub mod encoded;
pub mod engine;
mod gated;
pub mod stream;

pub use engine::{Engine, Hit, Scratch};

use crate::finding::{Confidence, Explanation};

/// A value a rule found, before it gets its place in a report: shared by text regions and
/// table cells. The worker that found it fills in the fingerprint and the mask.
#[derive(Debug, Clone)]
pub struct Found {
    /// Rule index.
    pub rule: usize,
    /// The value.
    pub value: String,
    /// Confidence.
    pub confidence: Confidence,
    /// Explanation, with `--explain`.
    pub explanation: Option<Box<Explanation>>,
    /// The keyed fingerprint.
    pub fingerprint: String,
    /// The masked value.
    pub masked: String,
}

impl Found {
    /// A value found by `rule`; fingerprint and mask still empty.
    pub fn new(
        rule: usize,
        value: String,
        confidence: Confidence,
        explanation: Option<Box<Explanation>>,
    ) -> Found {
        Found {
            rule,
            value,
            confidence,
            explanation,
            fingerprint: String::new(),
            masked: String::new(),
        }
    }
}
pub use stream::{RegionResult, StreamScanner};
