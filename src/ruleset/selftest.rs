//! `piiscan rules test`: every rule's own examples, run against the *full* rule set so that
//! overlaps between rules show (a BSN example swallowed by the phone rule fails).

use super::compile::{CompiledRule, RuleSet};
use crate::detect::Engine;
use crate::finding::Confidence;

/// One example that did not hold.
#[derive(Debug, Clone)]
pub struct ExampleFailure {
    /// The rule file.
    pub file: String,
    /// The rule id.
    pub rule: String,
    /// The example text.
    pub text: String,
    /// What went wrong.
    pub problem: String,
}

impl std::fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: rule {}: example {:?}: {}",
            self.file, self.rule, self.text, self.problem
        )
    }
}

/// Hits of every rule in `text`: (rule id, value, confidence).
pub fn hits_in(set: &RuleSet, text: &str) -> Vec<(String, String, Confidence)> {
    let engine = Engine::new(set, Confidence::Low, false);
    let mut scratch = engine.scratch();
    let hay = text.as_bytes();
    let mut out = Vec::new();
    engine.scan(&mut scratch, hay, 0, hay.len(), |h| {
        out.push((
            set.rules[h.rule].id.to_string(),
            String::from_utf8_lossy(&hay[h.start..h.end]).into_owned(),
            h.confidence,
        ))
    });
    out
}

/// Runs the examples of the rules `select` picks. Returns the number of examples checked and
/// the failures.
pub fn run_examples(
    set: &RuleSet,
    select: impl Fn(&CompiledRule) -> bool,
) -> (usize, Vec<ExampleFailure>) {
    let mut checked = 0;
    let mut failures = Vec::new();
    for rule in set.rules.iter().filter(|r| select(r)) {
        let fail = |text: &str, problem: String| ExampleFailure {
            file: rule.file.clone(),
            rule: rule.id.to_string(),
            text: text.to_string(),
            problem,
        };
        for ex in &rule.def.examples.must_match {
            checked += 1;
            let hits = hits_in(set, &ex.text);
            let mine: Vec<_> = hits.iter().filter(|(id, ..)| *id == *rule.id).collect();
            let want_conf = ex.confidence.as_deref().and_then(Confidence::parse);
            let ok = mine.iter().any(|(_, v, c)| {
                ex.value.as_deref().is_none_or(|want| want == v)
                    && want_conf.is_none_or(|w| w == *c)
            });
            if !ok {
                let got: Vec<String> = hits
                    .iter()
                    .map(|(id, v, c)| format!("{id} {v:?} {c}"))
                    .collect();
                let want = match (&ex.value, &ex.confidence) {
                    (Some(v), Some(c)) => format!("{v:?} at {c}"),
                    (Some(v), None) => format!("{v:?}"),
                    (None, Some(c)) => format!("a match at {c}"),
                    (None, None) => "a match".into(),
                };
                failures.push(fail(
                    &ex.text,
                    format!(
                        "expected {want} ({}); found [{}]",
                        ex.reason,
                        got.join(", ")
                    ),
                ));
            }
        }
        for ex in &rule.def.examples.no_match {
            checked += 1;
            let floor = ex
                .at_or_above
                .as_deref()
                .and_then(Confidence::parse)
                .unwrap_or(Confidence::Low);
            let hits = hits_in(set, &ex.text);
            if let Some((_, v, c)) = hits
                .iter()
                .find(|(id, _, c)| *id == *rule.id && *c >= floor)
            {
                failures.push(fail(
                    &ex.text,
                    format!(
                        "must not match at {floor} or above ({}), but found {v:?} at {c}",
                        ex.reason
                    ),
                ));
            }
        }
    }
    (checked, failures)
}
