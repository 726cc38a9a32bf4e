//! The rule file format, as serde reads it. One TOML file holds one rule; see `rules/README.md`.
//! [`super::compile`] turns these loose shapes into a validated, compiled [`super::RuleSet`].

use serde::Deserialize;

/// One rule as written in a pack file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    /// Stable id, e.g. `nl.bsn`. Never reused.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Taxonomy category (see TAXONOMY.md).
    pub category: String,
    /// What the rule finds.
    pub what: String,
    /// Why it matters (and what it deliberately does not find).
    pub why: String,
    /// Where the format and checksum come from.
    pub references: Vec<String>,
    /// The validator, by name; see [`super::validate::Validator`].
    #[serde(default)]
    pub validator: Option<String>,
    /// Confidence when a pattern matches and the validator passes (default `medium`).
    #[serde(default)]
    pub confidence: Option<String>,
    /// Cap applied when no positive context word is near (e.g. `low` for bare BSNs).
    #[serde(default)]
    pub max_without_context: Option<String>,
    /// Drop candidates that have no positive context word near them.
    #[serde(default)]
    pub requires_context: bool,
    /// Off unless asked for with `--only` (rules in preview).
    #[serde(default)]
    pub preview: bool,
    /// The search group: rules of one group are searched by one automaton (default
    /// `default`). A speed setting only: what is found does not depend on it.
    #[serde(default)]
    pub search_group: Option<String>,
    /// Context words.
    #[serde(default)]
    pub context: ContextDef,
    /// Column-name hints for structured data (normalised names).
    #[serde(default)]
    pub column_names: Vec<String>,
    /// The patterns; at least one.
    pub patterns: Vec<PatternDef>,
    /// Examples that must and must not match.
    pub examples: ExamplesDef,
}

/// Words near a match that raise or lower confidence.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextDef {
    /// Bytes before the match searched for context words (default 48).
    #[serde(default)]
    pub window_before: Option<usize>,
    /// Bytes after the match searched for context words (default 24).
    #[serde(default)]
    pub window_after: Option<usize>,
    /// Words (Dutch, English, French) that raise confidence to `high`.
    #[serde(default)]
    pub positive: Vec<String>,
    /// Words that lower confidence by one level.
    #[serde(default)]
    pub negative: Vec<String>,
    /// Bytes between the value and a negative word for the word to count (default: the whole
    /// window). A street word belongs to the name beside it ("Van der Laan"), not to a first name
    /// half a sentence away, so a rule about short values can keep its negative words close.
    #[serde(default)]
    pub negative_within: Option<usize>,
    /// A capitalised first name the lexicons know, in the window before the match, counts as
    /// a positive context word ("Fatima gaat met zwangerschapsverlof"): a person is near.
    #[serde(default)]
    pub names: bool,
}

/// One pattern of a rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatternDef {
    /// Name shown by `--explain`.
    pub name: String,
    /// Regular expression over bytes, ASCII classes (`\d`, `\w`, `\b` are ASCII).
    pub regex: String,
    /// Confidence of this pattern instead of the rule's.
    #[serde(default)]
    pub confidence: Option<String>,
    /// Capture group (name) holding the value, when the match includes surrounding text.
    #[serde(default)]
    pub value_group: Option<String>,
    /// A validator for this pattern instead of the rule's.
    #[serde(default)]
    pub validator: Option<String>,
    /// This pattern's own search group, if it is not the rule's.
    #[serde(default)]
    pub search_group: Option<String>,
}

/// A rule's own examples.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExamplesDef {
    /// Texts in which the rule must find something.
    #[serde(rename = "match", default)]
    pub must_match: Vec<MatchExample>,
    /// Texts in which it must not.
    #[serde(default)]
    pub no_match: Vec<NoMatchExample>,
}

/// A text the rule must find personal data in.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchExample {
    /// The text.
    pub text: String,
    /// The value that must be found (default: any value).
    #[serde(default)]
    pub value: Option<String>,
    /// The confidence it must have (default: any).
    #[serde(default)]
    pub confidence: Option<String>,
    /// Why this must match.
    pub reason: String,
}

/// A text in which the rule must not find anything (at or above a level).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoMatchExample {
    /// The text.
    pub text: String,
    /// No finding at or above this level (default `low`: no finding at all).
    #[serde(default)]
    pub at_or_above: Option<String>,
    /// Why this must not match.
    pub reason: String,
}
