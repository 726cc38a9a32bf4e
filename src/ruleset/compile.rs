//! Compiles rule definitions into a [`RuleSet`]: a multi-pattern regex over bytes per search
//! group (ASCII classes and word boundaries, so the lazy DFA keeps its fast path on accented
//! text), a table of the bytes each pattern can start with (to retry other patterns where a
//! candidate fails), per pattern value-group regexes, and one case-insensitive Aho-Corasick
//! automaton of all context words. Invalid rules are refused with the file, the rule and the
//! problem.

use super::gate::FirstNameGate;
use super::lexicon::Lexicons;
use super::schema::RuleDef;
use super::validate::Validator;
use super::SourcedRule;
use crate::error::{Error, Result};
use crate::finding::Confidence;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex_automata::meta;
use regex_automata::util::syntax;
use std::collections::HashSet;
use std::sync::Arc;

/// Which rules to run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only these ids (empty: every rule that is not in preview).
    pub only: Vec<String>,
    /// Not these ids.
    pub disable: Vec<String>,
}

/// One compiled rule.
#[derive(Debug)]
pub struct CompiledRule {
    /// Id, e.g. `nl.bsn`.
    pub id: Arc<str>,
    /// Category, e.g. `user.contact.email`.
    pub category: Arc<str>,
    /// The file it came from.
    pub file: String,
    /// The pack it belongs to.
    pub pack: String,
    /// The definition as written (docs, examples).
    pub def: RuleDef,
    /// Its validator.
    pub validator: Option<Validator>,
    /// Confidence after a pattern matched and the validator passed.
    pub confidence: Confidence,
    /// Cap without a positive context word.
    pub max_without_context: Option<Confidence>,
    /// Candidates without positive context are dropped.
    pub requires_context: bool,
    /// Bytes searched for context words before a match.
    pub window_before: usize,
    /// Bytes searched after.
    pub window_after: usize,
    /// A negative word farther than this from the value does not count.
    pub negative_within: usize,
    /// A known first name before a match counts as context (`[context] names = true`).
    pub name_context: bool,
}

/// One compiled pattern; its search group's regex reports it as pattern id `local`.
#[derive(Debug)]
pub struct CompiledPattern {
    /// The rule it belongs to.
    pub rule: usize,
    /// Its name.
    pub name: String,
    /// Its own confidence, if it overrides the rule's.
    pub confidence: Option<Confidence>,
    /// A regex to extract the value group from the match, when the pattern has one, and the
    /// group's index.
    pub value_group: Option<(regex::bytes::Regex, usize)>,
    /// `starts[b]`: can a match of this pattern start with byte `b`?
    pub starts: [bool; 256],
    /// The search group whose automaton holds it ([`RuleSet::groups`]).
    pub group: usize,
    /// Its pattern id inside that group's automaton.
    pub local: usize,
    /// The validator: the pattern's own, else the rule's.
    pub validator: Option<Validator>,
}

/// What a context word does.
#[derive(Debug, Clone, Copy)]
pub struct ContextWord {
    /// The rule it belongs to.
    pub rule: usize,
    /// Raises (true) or lowers (false) confidence.
    pub positive: bool,
}

/// The compiled, immutable rule set, shared by reference across threads.
#[derive(Debug)]
pub struct RuleSet {
    /// The rules, in load order.
    pub rules: Vec<CompiledRule>,
    /// The patterns, rule by rule (the order a leftmost-first search prefers them in); each
    /// says where it sits in [`RuleSet::groups`].
    pub patterns: Vec<CompiledPattern>,
    /// The patterns, split into search groups (rules' `search_group`), each searched by an
    /// automaton of its own; empty when no rule is selected.
    pub groups: Vec<SearchGroup>,
    /// Context words of all rules, each word once (leftmost-longest, ASCII case-insensitive).
    pub context: Option<AhoCorasick>,
    /// For each word of the automaton: the rules it speaks for, and how.
    pub context_words: Vec<Vec<ContextWord>>,
    /// Name lexicons.
    pub lexicons: Lexicons,
    /// `starters[b]`: how many patterns can start with byte `b` (from each pattern's
    /// [`CompiledPattern::starts`]). Where a candidate fails and no other pattern can start
    /// with its first byte, the engine skips the search for another rule's match there.
    pub starters: Box<[u16; 256]>,
    /// Rules defined but not selected (`only`, `disable`, preview rules): (id, category), so
    /// that an allowlist or a register naming one is not an error.
    pub not_selected: Vec<(Arc<str>, Arc<str>)>,
}

/// Patterns searched by one automaton. One lazy DFA over every pattern multiplies their
/// states (a name pattern half-way through a word while an e-mail local part runs), so it keeps
/// building states long after warm-up; a few groups of patterns that do not mix well, each with
/// its own automaton, find the same leftmost-first candidates for less work.
#[derive(Debug)]
pub struct SearchGroup {
    /// The group's name (`default` for rules that name none).
    pub name: String,
    /// Its patterns as one leftmost-first regex; pattern id `i` is `patterns[i]`.
    pub regex: meta::Regex,
    /// The same patterns with all-matches semantics: which of them match at a position.
    pub regex_all: meta::Regex,
    /// The rule set's pattern index of each of its pattern ids.
    pub patterns: Vec<usize>,
    /// `starters[b]`: how many of its patterns can start with byte `b`.
    pub starters: Box<[u16; 256]>,
    /// For a group whose patterns only report known first names: the automata that let the
    /// engine search it around such names only (see [`super::gate`]).
    pub gate: Option<FirstNameGate>,
}

/// The longest match the engine reports. Longer matches are dropped (no real identifier, name
/// or address is that long); the overlap kept between chunks is derived from it, so every
/// match that is reported is found whole whatever the chunk boundaries.
///
/// Patterns may use unbounded repetition (`+`, `*`): bounded counts such as `[a-z]{1,30}`
/// multiply the states of the combined DFA and slow every scan down.
pub const MAX_MATCH_LEN: usize = 512;

/// The search group of rules that name none.
pub const DEFAULT_GROUP: &str = "default";

fn level(file: &str, rule: &str, what: &str, value: &Option<String>) -> Result<Option<Confidence>> {
    match value {
        None => Ok(None),
        Some(s) => Confidence::parse(s).map(Some).ok_or_else(|| Error::Rule {
            file: file.into(),
            rule: rule.into(),
            problem: format!("{what} must be low, medium or high"),
        }),
    }
}

pub(super) fn syntax_config() -> syntax::Config {
    syntax::Config::new()
        .unicode(false)
        .utf8(false)
        .multi_line(true)
}

/// Is `id` shaped like a rule id (lower-case letters, digits, `.` and `_`, at most 64)?
fn id_shape(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_')
}

/// A pattern's name as messages show it: quoted when it is a plain name, else `#?`.
fn shown_name(name: &str) -> String {
    let plain = !name.is_empty()
        && name.len() <= 40
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '));
    if plain {
        format!("{name:?}")
    } else {
        "(name not shown)".to_string()
    }
}

/// The kind of a regex syntax error, without the pattern the parser quotes.
fn syntax_kind(message: &str) -> String {
    message
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .map(crate::source::parse_error::sanitise)
        .unwrap_or_else(|| "not a valid regular expression".to_string())
}

/// Checks one rule's shape: the things a pack author can get wrong.
fn lint(r: &SourcedRule) -> Result<()> {
    let bad = |problem: String| Error::Rule {
        file: r.file.clone(),
        // An id that is not one (lower-case letters, digits, '.', '_', 64 at most) is the
        // file's text, perhaps not a rule pack at all: not shown.
        rule: if id_shape(&r.def.id) {
            r.def.id.clone()
        } else {
            "?".into()
        },
        problem,
    };
    let d = &r.def;
    let id_ok = id_shape(&d.id);
    if !id_ok {
        return Err(bad(
            "the id must be lower-case letters, digits, '.' and '_'".into(),
        ));
    }
    if d.category.is_empty() || !d.category.starts_with("user.") {
        return Err(bad(
            "the category is not a taxonomy id (user.…; see TAXONOMY.md)".into(),
        ));
    }
    if d.what.trim().is_empty() || d.why.trim().is_empty() || d.references.is_empty() {
        return Err(bad("what, why and references must be filled in".into()));
    }
    if d.patterns.is_empty() {
        return Err(bad("a rule needs at least one pattern".into()));
    }
    if d.examples.must_match.len() < 2 || d.examples.no_match.len() < 2 {
        return Err(bad(
            "a rule needs at least two match and two no_match examples".into(),
        ));
    }
    for v in d
        .validator
        .iter()
        .chain(d.patterns.iter().filter_map(|p| p.validator.as_ref()))
    {
        if Validator::by_name(v).is_none() {
            let known: Vec<&str> = Validator::ALL.iter().map(|(n, _)| *n).collect();
            return Err(bad(format!(
                "the validator is none of the known ones: {}",
                known.join(", ")
            )));
        }
    }
    if d.requires_context && d.context.positive.is_empty() {
        return Err(bad("requires_context needs positive context words".into()));
    }
    for ex in &d.examples.must_match {
        level(&r.file, &d.id, "an example's confidence", &ex.confidence)?;
    }
    for ex in &d.examples.no_match {
        level(&r.file, &d.id, "an example's at_or_above", &ex.at_or_above)?;
    }
    for p in &d.patterns {
        level(&r.file, &d.id, "a pattern's confidence", &p.confidence)?;
        let hir =
            regex_automata::util::syntax::parse_with(&p.regex, &syntax_config()).map_err(|e| {
                bad(format!(
                    "pattern {} does not compile ({})",
                    shown_name(&p.name),
                    syntax_kind(&e.to_string())
                ))
            })?;
        if hir.properties().minimum_len() == Some(0) {
            return Err(bad(format!(
                "pattern {} matches the empty string",
                shown_name(&p.name)
            )));
        }
        if let Some(g) = &p.value_group {
            let re = regex::bytes::Regex::new(&format!("(?-u){}", p.regex)).map_err(|e| {
                bad(format!(
                    "pattern {}: {}",
                    shown_name(&p.name),
                    crate::source::parse_error::regex(&e)
                ))
            })?;
            if !re.capture_names().any(|n| n == Some(g.as_str())) {
                return Err(bad(format!(
                    "pattern {} has no capture group of the value_group's name",
                    shown_name(&p.name)
                )));
            }
        }
    }
    Ok(())
}

/// The set of first bytes a pattern's match can begin with, from its anchored lazy DFA: the
/// engine's prefilter for retrying other patterns where a candidate fails.
fn start_bytes(pattern: &str) -> [bool; 256] {
    use regex_automata::hybrid::dfa::DFA;
    use regex_automata::util::start;
    use regex_automata::Anchored;
    let mut starts = [true; 256];
    let Ok(dfa) = DFA::builder().syntax(syntax_config()).build(pattern) else {
        return starts;
    };
    let mut cache = dfa.create_cache();
    // After a non-word byte, at a line start, and after a word byte (`\b` before a non-word
    // byte can only hold there).
    for look_behind in [b' ', b'\n', b'a'] {
        let config = start::Config::new()
            .anchored(Anchored::Yes)
            .look_behind(Some(look_behind));
        let Ok(sid) = dfa.start_state(&mut cache, &config) else {
            return [true; 256];
        };
        for b in 0..=255u8 {
            let Ok(next) = dfa.next_state(&mut cache, sid, b) else {
                return [true; 256];
            };
            if look_behind == b' ' {
                starts[b as usize] = !next.is_dead();
            } else if !next.is_dead() {
                starts[b as usize] = true;
            }
        }
    }
    starts
}

impl RuleSet {
    /// Compiles the built-in rules plus user packs, restricted by `selection`.
    ///
    /// # Errors
    /// A rule that fails its lint, a duplicate id, or an id in `selection` that no rule has.
    pub fn compile(defs: Vec<SourcedRule>, selection: &Selection) -> Result<RuleSet> {
        let mut seen = HashSet::new();
        for r in &defs {
            lint(r)?;
            if !seen.insert(r.def.id.clone()) {
                return Err(Error::Rule {
                    file: r.file.clone(),
                    rule: r.def.id.clone(),
                    problem: "this id is defined twice".into(),
                });
            }
        }
        for id in selection.only.iter().chain(&selection.disable) {
            if !seen.contains(id) {
                let shown = if id_shape(id) {
                    format!("the id {id:?}")
                } else {
                    "an id given in only or disable".to_string()
                };
                return Err(Error::Usage(format!(
                    "no rule has {shown} (see `piiscan rules list`)"
                )));
            }
        }
        let (chosen, others): (Vec<SourcedRule>, Vec<SourcedRule>) =
            defs.into_iter().partition(|r| {
                let id = &r.def.id;
                let on = if selection.only.is_empty() {
                    !r.def.preview
                } else {
                    selection.only.contains(id)
                };
                on && !selection.disable.contains(id)
            });
        let not_selected = others
            .iter()
            .map(|r| {
                (
                    Arc::from(r.def.id.as_str()),
                    Arc::from(r.def.category.as_str()),
                )
            })
            .collect();

        let mut rules = Vec::new();
        let mut patterns = Vec::new();
        let mut regexes = Vec::new();
        let mut words: Vec<String> = Vec::new();
        let mut context_words: Vec<Vec<ContextWord>> = Vec::new();
        for r in chosen {
            let d = &r.def;
            let idx = rules.len();
            for (k, p) in d.patterns.iter().enumerate() {
                let value_group = match &p.value_group {
                    Some(g) => {
                        let rule_error = |problem: String| Error::Rule {
                            file: r.file.clone(),
                            rule: d.id.clone(),
                            problem,
                        };
                        let re = regex::bytes::Regex::new(&format!("(?-u)^(?:{})", p.regex))
                            .map_err(|e| rule_error(crate::source::parse_error::regex(&e)))?;
                        let index = re
                            .capture_names()
                            .position(|n| n == Some(g.as_str()))
                            .ok_or_else(|| rule_error(format!("no capture group named {g}")))?;
                        Some((re, index))
                    }
                    None => None,
                };
                patterns.push(CompiledPattern {
                    rule: idx,
                    name: p.name.clone(),
                    confidence: level(&r.file, &d.id, "confidence", &p.confidence)?,
                    value_group,
                    starts: start_bytes(&p.regex),
                    group: 0,
                    // The pattern's index in its rule until the groups are made (below).
                    local: k,
                    validator: p
                        .validator
                        .as_deref()
                        .or(d.validator.as_deref())
                        .and_then(Validator::by_name),
                });
                regexes.push(p.regex.clone());
            }
            for (list, positive) in [(&d.context.positive, true), (&d.context.negative, false)] {
                for w in list {
                    let key = w.to_ascii_lowercase();
                    let slot = match words.iter().position(|x| *x == key) {
                        Some(i) => i,
                        None => {
                            words.push(key);
                            context_words.push(Vec::new());
                            words.len() - 1
                        }
                    };
                    context_words[slot].push(ContextWord {
                        rule: idx,
                        positive,
                    });
                }
            }
            rules.push(CompiledRule {
                id: Arc::from(d.id.as_str()),
                category: Arc::from(d.category.as_str()),
                file: r.file.clone(),
                pack: r.pack.clone(),
                validator: d.validator.as_deref().and_then(Validator::by_name),
                confidence: level(&r.file, &d.id, "confidence", &d.confidence)?
                    .unwrap_or(Confidence::Medium),
                max_without_context: level(
                    &r.file,
                    &d.id,
                    "max_without_context",
                    &d.max_without_context,
                )?,
                requires_context: d.requires_context,
                window_before: d.context.window_before.unwrap_or(48).min(MAX_MATCH_LEN),
                window_after: d.context.window_after.unwrap_or(24).min(MAX_MATCH_LEN),
                negative_within: d.context.negative_within.unwrap_or(MAX_MATCH_LEN),
                name_context: d.context.names,
                def: r.def,
            });
        }
        let build = |kind: regex_automata::MatchKind, regexes: &[&str]| {
            meta::Builder::new()
                .syntax(syntax_config())
                .configure(
                    meta::Config::new()
                        .match_kind(kind)
                        .hybrid_cache_capacity(64 << 20),
                )
                .build_many(regexes)
                .map_err(|e| Error::Usage(format!("the rule set does not compile as a whole: {e}")))
        };
        // Each group's patterns, in pattern order (groups in the order they first appear).
        let mut members: Vec<(&str, Vec<usize>)> = Vec::new();
        for (i, p) in patterns.iter_mut().enumerate() {
            let def = &rules[p.rule].def;
            let name = def.patterns[p.local]
                .search_group
                .as_deref()
                .or(def.search_group.as_deref())
                .unwrap_or(DEFAULT_GROUP);
            let g = match members.iter().position(|(n, _)| *n == name) {
                Some(g) => g,
                None => {
                    members.push((name, Vec::new()));
                    members.len() - 1
                }
            };
            p.group = g;
            p.local = members[g].1.len();
            members[g].1.push(i);
        }
        let mut groups = Vec::with_capacity(members.len());
        for (name, ids) in members {
            let sources: Vec<&str> = ids.iter().map(|&i| regexes[i].as_str()).collect();
            let mut starters = Box::new([0u16; 256]);
            for &i in &ids {
                for (b, n) in starters.iter_mut().enumerate() {
                    *n += u16::from(patterns[i].starts[b]);
                }
            }
            let gated: Vec<_> = ids
                .iter()
                .map(|&i| (regexes[i].as_str(), patterns[i].validator))
                .collect();
            groups.push(SearchGroup {
                gate: FirstNameGate::build(&gated, &syntax_config()),
                name: name.to_string(),
                regex: build(regex_automata::MatchKind::LeftmostFirst, &sources)?,
                regex_all: build(regex_automata::MatchKind::All, &sources)?,
                patterns: ids,
                starters,
            });
        }
        let context = if words.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .prefilter(false)
                    .match_kind(MatchKind::LeftmostLongest)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&words)
                    .map_err(|e| Error::Usage(format!("context words: {e}")))?,
            )
        };
        let mut starters = Box::new([0u16; 256]);
        for p in &patterns {
            for (b, n) in starters.iter_mut().enumerate() {
                *n += u16::from(p.starts[b]);
            }
        }
        Ok(RuleSet {
            not_selected,
            starters,
            rules,
            patterns,
            groups,
            context,
            context_words,
            lexicons: Lexicons::builtin(),
        })
    }

    /// The built-in rules, all selected.
    ///
    /// # Errors
    /// Only if a built-in rule file is broken (a test guards against that).
    pub fn builtin() -> Result<RuleSet> {
        RuleSet::compile(super::builtin_rules()?, &Selection::default())
    }

    /// The built-in rules with the default selection, compiled once per process and shared
    /// by everything that needs them whatever rules a run selects (masking names, judging a
    /// CSV's first record) and by runs that select nothing else: a compile costs tens of
    /// milliseconds. `None` if they do not compile.
    pub fn shared_builtin() -> Option<&'static RuleSet> {
        static SHARED: std::sync::OnceLock<Option<RuleSet>> = std::sync::OnceLock::new();
        SHARED.get_or_init(|| RuleSet::builtin().ok()).as_ref()
    }

    /// Finds a rule by id.
    pub fn rule(&self, id: &str) -> Option<&CompiledRule> {
        self.rules.iter().find(|r| &*r.id == id)
    }

    /// The category of a rule defined by id, selected or not.
    pub fn category_of(&self, id: &str) -> Option<&str> {
        match self.rule(id) {
            Some(r) => Some(&r.category),
            None => self
                .not_selected
                .iter()
                .find(|(i, _)| &**i == id)
                .map(|(_, c)| &**c),
        }
    }
}
