//! The `spans` column method, for free text in cells (ticket bodies, notes, comments): the
//! words stay, and only the personal data the scan engine finds inside a cell is replaced,
//! each span by the method of its rule's `[[text]]` entry, exactly as in text and logs
//! ([`super::text::replace_spans`]). A span whose rule no `[[text]]` entry names is
//! redacted (the check before the run names such rules and stops; this is the fail-safe
//! behind it).
//!
//! A policy is compiled without a rule set; [`super::policy::Policy::bind_spans`] gives each
//! `spans` entry its [`SpanRewriter`] before a run. The rewriter is shared by the worker
//! threads of one input: scratch space is pooled, counts are summed under a lock.

use super::policy::Policy;
use super::text::{replace_spans, SpanReport, Unlisted};
use super::transform::{Invalid, KeptForm};
use crate::detect::engine::{Engine, Scratch};
use crate::finding::Confidence;
use crate::ruleset::RuleSet;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Replaces the spans inside cells, for one run.
#[derive(Debug)]
pub struct SpanRewriter {
    rules: Arc<RuleSet>,
    /// The policy's `[[text]]` entries (its columns left out).
    text: Policy,
    scratch: Mutex<Vec<Scratch>>,
    reports: Mutex<BTreeMap<String, SpanReport>>,
}

/// The rewriter of a `spans` entry: empty until the policy is bound to a rule set.
#[derive(Debug, Clone, Default)]
pub struct SpanSlot(pub Option<Arc<SpanRewriter>>);

impl SpanRewriter {
    /// A rewriter over `rules` with the `[[text]]` entries of `policy`.
    pub fn new(rules: Arc<RuleSet>, policy: &Policy) -> SpanRewriter {
        SpanRewriter {
            rules,
            text: Policy {
                keep_unlisted: false,
                columns: Vec::new(),
                text: policy.text.clone(),
            },
            scratch: Mutex::new(Vec::new()),
            reports: Mutex::new(BTreeMap::new()),
        }
    }

    /// Rewrites one cell.
    ///
    /// # Errors
    /// A span's method could not read it and its `[[text]]` entry says `on_invalid = "fail"`.
    pub fn rewrite(&self, value: &str) -> Result<String, Invalid> {
        let engine = Engine::new(&self.rules, Confidence::Medium, false);
        let mut scratch = self
            .scratch
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .unwrap_or_else(|| engine.scratch());
        let mut hits = Vec::new();
        let bytes = value.as_bytes();
        engine.scan(&mut scratch, bytes, 0, bytes.len(), |h| {
            hits.push((h.start, h.end, h.rule));
        });
        self.scratch
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(scratch);
        if hits.is_empty() {
            return Ok(value.to_string());
        }
        hits.sort_unstable();
        let mut reports = BTreeMap::new();
        let edited = replace_spans(
            bytes,
            &hits,
            &self.text,
            &self.rules,
            &mut reports,
            Unlisted::Redact,
        );
        self.merge(reports);
        match edited {
            Ok(Some(v)) => Ok(String::from_utf8(v)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())),
            Ok(None) => Ok(value.to_string()),
            Err(_) => Err(Invalid(
                "a span's method could not read it, and its [[text]] entry says on_invalid = \"fail\"",
            )),
        }
    }

    fn merge(&self, new: BTreeMap<String, SpanReport>) {
        let mut all = self.reports.lock().unwrap_or_else(PoisonError::into_inner);
        for (rule, r) in new {
            match all.get_mut(&rule) {
                Some(a) => {
                    a.replaced += r.replaced;
                    a.invalid += r.invalid;
                }
                None => {
                    all.insert(rule, r);
                }
            }
        }
    }

    /// The spans replaced so far, per rule.
    pub fn reports(&self) -> Vec<SpanReport> {
        self.reports
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect()
    }
}

/// Does the `[[text]]` entry of some rule of `category` keep that category by design (a
/// `mask` or `keep` span, a truncated IP address), so that the re-scan of a `spans` column
/// finding it again is information and not a leak?
pub fn keeps_category(policy: &Policy, rules: &RuleSet, category: &str) -> bool {
    rules
        .rules
        .iter()
        .filter(|r| &*r.category == category)
        .filter_map(|r| policy.for_rule(&r.id, &r.category))
        .any(|e| {
            let own = [category.to_string()];
            match e.op.kept_form() {
                KeptForm::Spans => false,
                k => k.expects(category, &own),
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anonymise::policy::{compile, PolicyDef};

    fn rules() -> Arc<RuleSet> {
        let defs = crate::ruleset::builtin_rules().expect("built-in rules");
        Arc::new(
            RuleSet::compile(defs, &crate::ruleset::Selection::default()).expect("compile rules"),
        )
    }

    fn policy(toml_text: &str) -> Policy {
        let def: PolicyDef = toml::from_str(toml_text).expect("policy");
        compile(&def, std::path::Path::new("."), None, "test.toml", None).expect("compile")
    }

    #[test]
    fn only_the_spans_change_and_each_gets_its_rules_method() {
        let p = policy(
            r#"
[[text]]
rule = "email"
method = "redact"
value = "[e-mail]"
[[text]]
rule = "ipv4"
method = "ip_truncate"
"#,
        );
        let r = SpanRewriter::new(rules(), &p);
        let out = r
            .rewrite("Klant jan.jansen@voorbeeld.nl belt terug, vanaf 192.168.12.34 gezien")
            .expect("rewrite");
        assert_eq!(out, "Klant [e-mail] belt terug, vanaf 192.168.12.0 gezien");
        let plain = "Geen persoonsgegevens hier, alleen een vraag over de levering.";
        assert_eq!(r.rewrite(plain).expect("plain"), plain);
        let counts: Vec<(String, String, u64)> = r
            .reports()
            .into_iter()
            .map(|s| (s.rule, s.method, s.replaced))
            .collect();
        assert_eq!(
            counts,
            vec![
                ("email".to_string(), "redact".to_string(), 1),
                ("ipv4".to_string(), "ip_truncate".to_string(), 1)
            ]
        );
    }

    #[test]
    fn a_span_without_a_text_entry_is_redacted_never_left() {
        let p = policy("[[text]]\nrule = \"ipv4\"\nmethod = \"redact\"\n");
        let r = SpanRewriter::new(rules(), &p);
        let out = r
            .rewrite("mail naar piet@voorbeeld.nl aub")
            .expect("rewrite");
        assert_eq!(out, "mail naar [redacted] aub");
        let reports = r.reports();
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].method, "redact");
    }

    #[test]
    fn a_failing_span_stops_when_its_entry_says_fail() {
        let p = policy(
            "[[text]]\nrule = \"email\"\nmethod = \"generalise\"\nto = \"year\"\non_invalid = \"fail\"\n",
        );
        let r = SpanRewriter::new(rules(), &p);
        assert!(r.rewrite("mail naar piet@voorbeeld.nl aub").is_err());
    }
}
