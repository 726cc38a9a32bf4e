//! The hot loop. A leftmost-first search over all patterns at once: each search group of the
//! rule set has a lazy DFA of its own (one lane here), and the lanes' next matches are merged
//! as one leftmost-first search over every pattern would order them (the leftmost start, then
//! the first pattern). Each candidate is validated, then context words in a byte window around
//! it set its confidence. When a candidate fails, the other patterns that can start with the
//! same byte are tried at the same position (anchored), so a failed BSN does not hide a Belgian
//! phone number that starts at the same digit. Nothing is allocated per line or per rejected
//! candidate; an accepted hit is handed to the caller's closure.

use crate::finding::{Confidence, Explanation};
use crate::ruleset::compile::{CompiledRule, ContextWord, RuleSet, SearchGroup, MAX_MATCH_LEN};
use crate::ruleset::lexicon::Lexicons;
use crate::ruleset::validate::{self, Candidate, Verdict};
use regex_automata::{meta, Anchored, Input, PatternID, PatternSet};

/// Per-thread reusable state.
#[derive(Debug)]
pub struct Scratch {
    /// One lane per search group, in the rule set's group order.
    lanes: Vec<Lane>,
    /// The other patterns matching where a candidate failed (rule set pattern indexes).
    others: Vec<usize>,
    /// The stream scanner's raw and decoded buffers, kept from file to file.
    stream: (Vec<u8>, Vec<u8>),
    /// Bytes handed to the regex searches so far.
    searched: u64,
}

impl Scratch {
    /// Takes the stream buffers out (they are put back with [`Scratch::put_stream_buffers`]).
    pub(crate) fn take_stream_buffers(&mut self) -> (Vec<u8>, Vec<u8>) {
        std::mem::take(&mut self.stream)
    }

    /// Gives the stream buffers back for the next file.
    pub(crate) fn put_stream_buffers(&mut self, raw: Vec<u8>, buf: Vec<u8>) {
        self.stream = (raw, buf);
    }

    /// Bytes handed to the regex searches so far: the engine's work, which stays within a
    /// constant factor of the input's size whatever the input (see [`search_window`]).
    pub fn searched_bytes(&self) -> u64 {
        self.searched
    }
}

/// What a lane knows of its group's next match.
#[derive(Debug, Clone, Copy)]
enum Next {
    /// Nothing yet (a new scan).
    Unknown,
    /// Its leftmost-first match from any position up to `start`: rule set pattern `pattern`.
    Match {
        start: usize,
        end: usize,
        pattern: usize,
    },
    /// No match of the group starts before the scan's limit.
    Exhausted,
}

/// One search group's caches and what its last search found.
#[derive(Debug)]
struct Lane {
    cache: meta::Cache,
    cache_all: meta::Cache,
    which: PatternSet,
    next: Next,
    /// Capture slots of the value-group regex of each of the group's patterns, made on
    /// first use and reused.
    locations: Vec<Option<regex::bytes::CaptureLocations>>,
    /// The caches of the group's first-name gate, when it has one and the engine uses it.
    gate: Option<super::gated::GateCaches>,
}

/// The first window a search looks at after a candidate: large enough that ordinary text is
/// searched in a few passes, small enough that a run which keeps an unbounded pattern alive
/// (`a.a.a.…` for the e-mail local part, `1.1.1.1.…`) costs a bounded amount per candidate.
const FIRST_WINDOW: usize = 8 * MAX_MATCH_LEN;

/// The span a search starting at `pos` may look at, and the end of the part of it whose match
/// starts are trusted. A pattern such as the e-mail address keeps the lazy DFA running for as
/// long as its repetition goes on; searching to the end of the haystack after every candidate
/// makes a long run quadratic. Within a window, a match that starts before `trusted` and is at
/// most [`MAX_MATCH_LEN`] long ends inside the window, so it is found exactly as an unbounded
/// search finds it (longer matches are dropped anyway); match starts beyond `trusted` are
/// searched again in the next window, which overlaps by `MAX_MATCH_LEN`.
pub fn search_window(pos: usize, window: usize, len: usize) -> (usize, usize) {
    let end = pos.saturating_add(window).min(len);
    let trusted = if end == len { len } else { end - MAX_MATCH_LEN };
    (end, trusted)
}

/// An accepted match, in buffer coordinates.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Index of the rule in the rule set.
    pub rule: usize,
    /// Start of the value.
    pub start: usize,
    /// End of the value.
    pub end: usize,
    /// Confidence after validation and context.
    pub confidence: Confidence,
    /// Why, when explanations were asked for.
    pub explanation: Option<Box<Explanation>>,
}

/// The engine: a rule set plus scanning options. Cheap to copy, shared by reference.
#[derive(Debug, Clone, Copy)]
pub struct Engine<'r> {
    rules: &'r RuleSet,
    min_confidence: Confidence,
    explain: bool,
    /// Search gated groups around known first names only (see [`crate::ruleset::gate`]).
    gates: bool,
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// The next match of `group` that starts at or after `pos` (and before `limit`), as
/// `(start, end, rule set pattern)`: what the lane already knows, else searched in windows that
/// grow while nothing is found (see [`search_window`]).
fn next_match(
    group: &SearchGroup,
    lane: &mut Lane,
    hay: &[u8],
    pos: usize,
    limit: usize,
    lex: &Lexicons,
    searched: &mut u64,
) -> Option<(usize, usize, usize)> {
    match lane.next {
        Next::Match {
            start,
            end,
            pattern,
        } if start >= pos => return Some((start, end, pattern)),
        Next::Exhausted => return None,
        _ => {}
    }
    if let (Some(gate), Some(caches)) = (&group.gate, &mut lane.gate) {
        let found = super::gated::next_match(
            group,
            gate,
            caches,
            &mut lane.cache,
            hay,
            pos,
            limit,
            lex,
            searched,
        );
        lane.next = match found {
            Some((start, end, pattern)) => Next::Match {
                start,
                end,
                pattern,
            },
            None => Next::Exhausted,
        };
        return found;
    }
    let mut at = pos;
    let mut window = FIRST_WINDOW;
    while at < hay.len() && at < limit {
        let (end, trusted) = search_window(at, window, hay.len());
        *searched += (end - at) as u64;
        match group
            .regex
            .search_with(&mut lane.cache, &Input::new(hay).span(at..end))
        {
            Some(m) if m.start() < trusted => {
                let found = (m.start(), m.end(), group.patterns[m.pattern().as_usize()]);
                lane.next = Next::Match {
                    start: found.0,
                    end: found.1,
                    pattern: found.2,
                };
                return Some(found);
            }
            // Nothing that starts in the trusted part: go on from its end with a wider
            // window (clean text is soon searched in large spans).
            _ if end == hay.len() => break,
            _ => {
                at = trusted;
                window = window.saturating_mul(2);
            }
        }
    }
    lane.next = Next::Exhausted;
    None
}

impl<'r> Engine<'r> {
    /// An engine that reports hits at or above `min_confidence`.
    pub fn new(rules: &'r RuleSet, min_confidence: Confidence, explain: bool) -> Self {
        Engine {
            rules,
            min_confidence,
            explain,
            gates: true,
        }
    }

    /// The same engine searching every group the plain way, gated groups included: the
    /// reference the gated search is tested against.
    pub fn without_gates(self) -> Self {
        Engine {
            gates: false,
            ..self
        }
    }

    /// The rule set.
    pub fn rules(&self) -> &'r RuleSet {
        self.rules
    }

    /// Fresh per-thread scratch space.
    pub fn scratch(&self) -> Scratch {
        Scratch {
            lanes: self
                .rules
                .groups
                .iter()
                .map(|g| Lane {
                    cache: g.regex.create_cache(),
                    cache_all: g.regex_all.create_cache(),
                    which: PatternSet::new(g.patterns.len()),
                    next: Next::Unknown,
                    locations: vec![None; g.patterns.len()],
                    gate: g
                        .gate
                        .as_ref()
                        .filter(|_| self.gates)
                        .map(super::gated::GateCaches::new),
                })
                .collect(),
            others: Vec::new(),
            stream: (Vec::new(), Vec::new()),
            searched: 0,
        }
    }

    /// Scans `hay[from..]` and calls `on_hit` for each accepted hit that starts before `limit`.
    /// Returns the position where a following scan of the same stream must resume: past the
    pub fn scan(
        &self,
        scratch: &mut Scratch,
        hay: &[u8],
        from: usize,
        limit: usize,
        on_hit: impl FnMut(Hit),
    ) -> usize {
        self.scan_hinted(scratch, hay, from, limit, None, on_hit)
    }

    /// Like [`Engine::scan`], with a column hint: the rule whose column names include the
    /// column's counts as having a positive context word (a `geboortedatum` column makes its
    /// dates birth dates, and its matches `high`).
    /// Lines holding encoded text (`jan%40telenet.be`, `&#64;`, `\u0040`, `=40`) are scanned
    /// decoded as well (see [`super::encoded`]); their hits point at the original bytes.
    pub fn scan_hinted(
        &self,
        scratch: &mut Scratch,
        hay: &[u8],
        from: usize,
        limit: usize,
        hint: Option<usize>,
        on_hit: impl FnMut(Hit),
    ) -> usize {
        if super::encoded::needs_decoding(&hay[from.min(limit)..limit]) {
            return super::encoded::scan_decoding(self, scratch, hay, from, limit, hint, on_hit);
        }
        self.scan_plain(scratch, hay, from, limit, hint, on_hit)
    }

    /// The scan without the decoding pass.
    pub(super) fn scan_plain(
        &self,
        scratch: &mut Scratch,
        hay: &[u8],
        from: usize,
        limit: usize,
        hint: Option<usize>,
        mut on_hit: impl FnMut(Hit),
    ) -> usize {
        let groups = &self.rules.groups;
        let lexicons = &self.rules.lexicons;
        let Scratch {
            lanes,
            others,
            searched,
            ..
        } = scratch;
        for lane in lanes.iter_mut() {
            lane.next = Next::Unknown;
            if let Some(gate) = &mut lane.gate {
                gate.forget();
            }
        }
        let mut resume = limit;
        let mut pos = from;
        while pos < hay.len() && pos < limit {
            // The leftmost next match of all lanes; at the same start, the first pattern.
            let mut best: Option<(usize, usize, usize)> = None;
            for (group, lane) in groups.iter().zip(lanes.iter_mut()) {
                if let Some(m) = next_match(group, lane, hay, pos, limit, lexicons, searched) {
                    if best.is_none_or(|b| (m.0, m.2) < (b.0, b.2)) {
                        best = Some(m);
                    }
                }
            }
            let Some((start, end, pid)) = best else {
                break;
            };
            if start >= limit {
                break;
            }
            let mut accepted = self.evaluate(hay, pid, start, end, hint, lanes).map(|h| {
                let end = end.max(h.end);
                (h, end)
            });
            // A failed candidate, or one only at `low`, may hide another rule's match at the
            // same position (a BSN with its leading zero is also a Belgian landline). One
            // anchored all-patterns pass per group says which other patterns match here; the
            // most confident of them wins.
            let first = hay[start] as usize;
            let own = u16::from(self.rules.patterns[pid].starts[first]);
            if self.rules.starters[first] > own
                && accepted
                    .as_ref()
                    .is_none_or(|(h, _)| h.confidence == Confidence::Low)
            {
                // Matches longer than MAX_MATCH_LEN are dropped, so the anchored passes
                // need not look further (and must not: see `search_window`).
                let here_end = start.saturating_add(MAX_MATCH_LEN + 1).min(hay.len());
                others.clear();
                for (g, (group, lane)) in groups.iter().zip(lanes.iter_mut()).enumerate() {
                    let mine = self.rules.patterns[pid].group == g;
                    // Every lane knows its next match from `pos` on: one that starts later
                    // proves that none of its patterns matches here (a leftmost search would
                    // have found it), so only the candidate's lane and lanes with a match
                    // here are asked.
                    let matches_here =
                        matches!(lane.next, Next::Match { start: s, .. } if s == start);
                    let own = if mine { own } else { 0 };
                    if group.starters[first] <= own || !(mine || matches_here) {
                        continue;
                    }
                    lane.which.clear();
                    *searched += (here_end - start) as u64;
                    let input = Input::new(hay)
                        .span(start..here_end)
                        .anchored(Anchored::Yes);
                    group.regex_all.which_overlapping_matches_with(
                        &mut lane.cache_all,
                        &input,
                        &mut lane.which,
                    );
                    others.extend(lane.which.iter().map(|q| group.patterns[q.as_usize()]));
                }
                // In pattern order, as one automaton over every pattern reports them.
                others.sort_unstable();
                for &q in others.iter() {
                    if q == pid {
                        continue;
                    }
                    *searched += (here_end - start) as u64;
                    let Some(m2) = self.anchored_match(hay, q, start, here_end, lanes) else {
                        continue;
                    };
                    let Some(hit) = self.evaluate(hay, q, m2.0, m2.1, hint, lanes) else {
                        continue;
                    };
                    if accepted
                        .as_ref()
                        .is_none_or(|(best, _)| hit.confidence > best.confidence)
                    {
                        let strong = hit.confidence > Confidence::Low;
                        let end = m2.1.max(hit.end);
                        accepted = Some((hit, end));
                        if strong {
                            break;
                        }
                    }
                }
            }
            match accepted {
                Some((hit, end)) => {
                    // Go on after the value, not after the match: a pattern's trailing context
                    // can hold a value of its own (`Jan de Vries <jan@example.nl>`: the name's
                    // pattern reads the address as its frame).
                    let next = hit.end.clamp(start + 1, end);
                    if hit.confidence >= self.min_confidence {
                        on_hit(hit);
                    }
                    resume = resume.max(next);
                    pos = next;
                }
                None => pos = start + 1,
            }
        }
        resume
    }

    /// The match of pattern `pattern` (a rule set index) anchored at `start`, searched no
    /// further than `end`.
    fn anchored_match(
        &self,
        hay: &[u8],
        pattern: usize,
        start: usize,
        end: usize,
        lanes: &mut [Lane],
    ) -> Option<(usize, usize)> {
        let p = &self.rules.patterns[pattern];
        let input = Input::new(hay)
            .span(start..end)
            .anchored(Anchored::Pattern(PatternID::new_unchecked(p.local)));
        let m = self.rules.groups[p.group]
            .regex
            .search_with(&mut lanes[p.group].cache, &input)?;
        Some((m.start(), m.end()))
    }

    /// Validates one candidate and sets its confidence; `None` when it is dropped. When the
    /// validator says the value starts further on (a capitalised word glued before a name:
    /// "Intake Nordin Boukhari"), the pattern is matched again from there.
    #[allow(clippy::too_many_arguments)]
    fn evaluate(
        &self,
        hay: &[u8],
        pid: usize,
        start: usize,
        end: usize,
        hint: Option<usize>,
        lanes: &mut [Lane],
    ) -> Option<Hit> {
        if end - start > MAX_MATCH_LEN {
            return None;
        }
        let pattern = &self.rules.patterns[pid];
        let rule = &self.rules.rules[pattern.rule];
        let (mut vstart, vend) = match &pattern.value_group {
            Some((re, group)) => {
                let slot = &mut lanes[pattern.group].locations[pattern.local];
                let locations = slot.get_or_insert_with(|| re.capture_locations());
                re.captures_read(locations, &hay[start..end])?;
                let (s, e) = locations.get(*group)?;
                (start + s, start + e)
            }
            None => (start, end),
        };
        let mut level = pattern.confidence.unwrap_or(rule.confidence);
        let mut note = "none";
        if let Some(v) = pattern.validator {
            loop {
                let candidate = Candidate {
                    hay,
                    start: vstart,
                    end: vend,
                };
                match validate::validate(v, &candidate, &self.rules.lexicons) {
                    Verdict::Fail(_) => return None,
                    Verdict::StartsAt(skip) => {
                        let from = vstart + skip;
                        if skip == 0 || from >= vend {
                            return None;
                        }
                        if pattern.value_group.is_some() {
                            // A frame's value ("Hallo Tante Marie"): judged again from there,
                            // its end where the frame put it.
                            vstart = from;
                            continue;
                        }
                        let here_end = from.saturating_add(MAX_MATCH_LEN + 1).min(hay.len());
                        let (s, e) = self.anchored_match(hay, pid, from, here_end, lanes)?;
                        return self.evaluate(hay, pid, s, e, hint, lanes);
                    }
                    Verdict::Pass { note: n, set, cap } => {
                        note = n;
                        if let Some(s) = set {
                            level = level.max(s);
                        }
                        if let Some(c) = cap {
                            level = level.min(c);
                        }
                        break;
                    }
                }
            }
        }
        let base = level;
        let (positive, negative) = self.context(hay, pattern.rule, rule, vstart, vend);
        // A first name near the value stands in for a context word, unless a negative word
        // says the text is about something else ("Criminal Record (album by Rick Wakeman)").
        let positive = positive.or_else(|| {
            (rule.name_context && negative.is_none())
                .then(|| self.first_name_near(hay, vstart, vend, rule))
                .flatten()
        });
        let hinted = hint == Some(pattern.rule);
        if rule.requires_context && positive.is_none() && !hinted {
            return None;
        }
        // A positive word raises to high, else the rule's cap applies; a negative word then
        // lowers one level ("IBAN …, bijvoorbeeld NL91…" ends at medium).
        if positive.is_some() || hinted {
            level = Confidence::High;
        } else if let Some(cap) = rule.max_without_context {
            level = level.min(cap);
        }
        if negative.is_some() {
            level = level.lowered();
        }
        let explanation = self.explain.then(|| {
            let word = |r: Option<(usize, usize)>| {
                r.map(|(s, e)| String::from_utf8_lossy(&hay[s..e]).into_owned())
            };
            Box::new(Explanation {
                pattern: pattern.name.clone(),
                validator: match pattern.validator {
                    Some(v) => format!("{}: passed ({note})", v.name()),
                    None => "none".into(),
                },
                context: word(positive),
                negative_context: word(negative),
                base_confidence: base,
            })
        });
        Some(Hit {
            rule: pattern.rule,
            start: vstart,
            end: vend,
            confidence: level,
            explanation,
        })
    }

    /// A capitalised first name the lexicons know near a value, on its line: before it
    /// ("Fatima gaat met zwangerschapsverlof"), or after it with a word between ("ramadan werkt
    /// Samira", "VOG van Bas Vermeulen"); a name right after the value is part of a title
    /// ("Depression Cherry") and does not count.
    fn first_name_near(
        &self,
        hay: &[u8],
        vstart: usize,
        vend: usize,
        rule: &CompiledRule,
    ) -> Option<(usize, usize)> {
        let mut wstart = vstart.saturating_sub(rule.window_before);
        if let Some(nl) = memchr::memrchr(b'\n', &hay[wstart..vstart]) {
            wstart += nl + 1;
        }
        let mut wend = (vend + rule.window_after).min(hay.len());
        if let Some(nl) = memchr::memchr(b'\n', &hay[vend..wend]) {
            wend = vend + nl;
        }
        let before = self.first_names_in(hay, wstart, vstart).last();
        before.or_else(|| {
            self.first_names_in(hay, vend, wend).find(|&(s, _)| {
                // At least one word between the value and the name.
                hay[vend..s].iter().any(|&b| b.is_ascii_alphabetic())
            })
        })
    }

    /// Spans of the capitalised words in `hay[from..to]` that the lexicons know as first
    /// names; a word cut by either end of the window is skipped.
    fn first_names_in<'h>(
        &'h self,
        hay: &'h [u8],
        from: usize,
        to: usize,
    ) -> impl Iterator<Item = (usize, usize)> + 'h {
        let word = |b: u8| is_word_byte(b) && b != b'_';
        let mut i = from;
        std::iter::from_fn(move || {
            while i < to {
                if !word(hay[i]) {
                    i += 1;
                    continue;
                }
                let s = i;
                while i < hay.len() && word(hay[i]) {
                    i += 1;
                }
                let cut = (s > 0 && s == from && word(hay[s - 1])) || i > to;
                let w = &hay[s..i.min(to)];
                let capital = w[0].is_ascii_uppercase()
                    || (w.len() > 1 && w[0] == 0xC3 && (0x80..=0x9E).contains(&w[1]));
                let lower_rest = w[1..].iter().all(|b| !b.is_ascii_uppercase());
                if !cut
                    && w.len() >= 2
                    && capital
                    && lower_rest
                    && self.rules.lexicons.is_first_name(w)
                    && !self.rules.lexicons.is_word_like_name(w)
                {
                    return Some((s, i));
                }
            }
            None
        })
    }

    /// The nearest positive and negative context words of rule `rule` (`compiled`) in the
    /// window around a value; a negative word counts only within the rule's `negative_within`.
    #[allow(clippy::type_complexity)]
    fn context(
        &self,
        hay: &[u8],
        rule: usize,
        compiled: &CompiledRule,
        vstart: usize,
        vend: usize,
    ) -> (Option<(usize, usize)>, Option<(usize, usize)>) {
        let (before, after) = (compiled.window_before, compiled.window_after);
        let Some(ac) = self.rules.context.as_ref() else {
            return (None, None);
        };
        // The window stays on the value's line: a label on another line of a log or CSV file
        // says nothing about this value.
        let mut wstart = vstart.saturating_sub(before);
        if let Some(nl) = memchr::memrchr(b'\n', &hay[wstart..vstart]) {
            wstart += nl + 1;
        }
        let mut wend = (vend + after).min(hay.len());
        if let Some(nl) = memchr::memchr(b'\n', &hay[vend..wend]) {
            wend = vend + nl;
        }
        let mut positive = None;
        let mut negative = None;
        let input = aho_corasick::Input::new(hay).span(wstart..wend);
        for m in ac.find_iter(input) {
            if m.start() < vend && m.end() > vstart {
                continue;
            }
            let Some(&ContextWord { positive: pos, .. }) = self.rules.context_words
                [m.pattern().as_usize()]
            .iter()
            .find(|w| w.rule == rule) else {
                continue;
            };
            let bounded_left = m.start() == 0
                || !is_word_byte(hay[m.start() - 1])
                || !is_word_byte(hay[m.start()]);
            let bounded_right = m.end() >= hay.len()
                || !is_word_byte(hay[m.end()])
                || !is_word_byte(hay[m.end() - 1]);
            if !(bounded_left && bounded_right) {
                continue;
            }
            // Keep the word nearest to the value.
            let dist = |s: usize, e: usize| {
                if e <= vstart {
                    vstart - e
                } else {
                    s.saturating_sub(vend)
                }
            };
            if !pos && dist(m.start(), m.end()) > compiled.negative_within {
                continue;
            }
            let slot = if pos { &mut positive } else { &mut negative };
            match slot {
                Some((s, e)) if dist(*s, *e) <= dist(m.start(), m.end()) => {}
                _ => *slot = Some((m.start(), m.end())),
            }
        }
        (positive, negative)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes searched for `text`, scanned whole with every built-in rule.
    fn searched(rules: &RuleSet, text: &[u8]) -> u64 {
        let engine = Engine::new(rules, Confidence::Low, false);
        let mut scratch = engine.scratch();
        engine.scan(&mut scratch, text, 0, text.len(), |_| {});
        scratch.searched_bytes()
    }

    /// Every hit of `engine` on `text`, as (rule, start, end, confidence).
    fn engine_hits(engine: Engine<'_>, text: &[u8]) -> Vec<(usize, usize, usize, Confidence)> {
        let mut scratch = engine.scratch();
        let mut out = Vec::new();
        engine.scan(&mut scratch, text, 0, text.len(), |h| {
            out.push((h.rule, h.start, h.end, h.confidence));
        });
        out
    }

    /// The first-name gate changes the work, never the findings: on the labelled names
    /// corpora, the accuracy fixtures and generated prose, the gated search reports exactly
    /// what the plain search of every group reports, and searches less.
    #[test]
    fn the_first_name_gate_finds_what_a_plain_search_finds() {
        let rules = RuleSet::builtin().expect("built-in rules");
        assert!(
            rules.groups.iter().any(|g| g.gate.is_some()),
            "the lone first-name patterns of person_name form a gated group"
        );
        let gated = Engine::new(&rules, Confidence::Low, false);
        let plain = gated.without_gates();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/accuracy");
        let mut texts: Vec<Vec<u8>> = Vec::new();
        let mut dirs = vec![root];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("fixture dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path
                    .extension()
                    .is_some_and(|e| e == "txt" || e == "log" || e == "eml")
                {
                    texts.push(std::fs::read(&path).expect("fixture"));
                }
            }
        }
        assert!(texts.len() > 10, "the names corpora are read");
        texts.push(crate::corpus::clean(7, 400_000).into_bytes());
        texts.push(crate::corpus::dense(7, 400_000).into_bytes());
        // Edges of the gate: names after an apostrophe, glued to a word, at the text's ends,
        // inside frames of other patterns, accented and hyphenated.
        texts.push(
            "Anna\nmet d'Artagnan en O'Brien. - Élodie zegt dat xAnna en _Koen er waren.\n\
             1. Jan-Willem\n  * Sanne\nBeste Anna: met Koen (die) en Ömer, Şükrü; Zoë.\n\
             Intake Anna Bram: tegen Lieke - Bart -> naar Øystein\nmet Koen"
                .as_bytes()
                .to_vec(),
        );
        // A column of first names, one per cell, with sentences between them now and then:
        // searches that clear stretches of capitals end at every distance from a name.
        let cells = [
            "Robin",
            "Anouk",
            "Jan-Willem",
            "Zoë",
            "Koen",
            "Émile",
            "O'Neill",
            "Sanne",
        ];
        let mut column = String::new();
        for i in 0..6000 {
            column.push_str(cells[i % cells.len()]);
            column.push(if i % 7 == 0 { ' ' } else { '\n' });
            if i % 997 == 0 {
                column.push_str("belde met Koen over Anouk. Daarna - Sanne zegt\n");
            }
        }
        texts.push(column.into_bytes());
        let (mut gated_work, mut plain_work) = (0, 0);
        for text in &texts {
            assert_eq!(engine_hits(gated, text), engine_hits(plain, text));
            gated_work += searched_with(gated, text);
            plain_work += searched_with(plain, text);
        }
        assert!(gated_work < plain_work, "{gated_work} < {plain_work}");
    }

    /// Random texts made of the pieces the gate's reasoning rests on (known first names,
    /// names after an apostrophe, hyphenated and accented names, lower-case words, sentence
    /// and list punctuation, capitalised words that are no names, line breaks) are scanned
    /// alike with and without the gate.
    #[test]
    fn the_first_name_gate_agrees_with_a_plain_search_on_random_text() {
        let rules = RuleSet::builtin().expect("built-in rules");
        let gated = Engine::new(&rules, Confidence::Low, false);
        let plain = gated.without_gates();
        let pieces = [
            "Koen",
            "Anouk",
            "Jan-Willem",
            "Zoë",
            "Émile",
            "O'Neill",
            "d'Artagnan",
            "Sanne",
            "Mark",
            "Bakker",
            "Jansen",
            "Het",
            "Dorpsstraat",
            "NL",
            "met",
            "de",
            "en",
            "zegt",
            "belde",
            "van",
            "naar",
            " ",
            " ",
            " ",
            "  ",
            ". ",
            ", ",
            ": ",
            "- ",
            "1. ",
            "* ",
            "\u{2013} ",
            "\n",
            "\n",
            "\t",
            "(",
            ")",
            "x",
            "42",
            "'",
            "-",
            "@",
            "\u{2022} ",
        ];
        let mut rng = crate::corpus::Rng::new(31);
        let (mut gated_scratch, mut plain_scratch) = (gated.scratch(), plain.scratch());
        let hits_of = |engine: Engine<'_>, scratch: &mut Scratch, text: &[u8]| {
            let mut out = Vec::new();
            engine.scan(scratch, text, 0, text.len(), |h| {
                out.push((h.rule, h.start, h.end, h.confidence));
            });
            out
        };
        let mut compared = 0;
        for _ in 0..20_000 {
            let n = 1 + rng.below(40) as usize;
            let text: String = (0..n).map(|_| *rng.pick(&pieces)).collect();
            let a = hits_of(gated, &mut gated_scratch, text.as_bytes());
            let b = hits_of(plain, &mut plain_scratch, text.as_bytes());
            assert_eq!(a, b, "{text:?}");
            compared += a.len();
        }
        assert!(compared > 2000, "{compared} hits compared");
    }

    fn searched_with(engine: Engine<'_>, text: &[u8]) -> u64 {
        let mut scratch = engine.scratch();
        engine.scan(&mut scratch, text, 0, text.len(), |_| {});
        scratch.searched_bytes()
    }

    /// A value inside another pattern's trailing context is found too: an e-mail display name
    /// once hid its address, so `Name <address>` left the address raw in an anonymised file.
    #[test]
    fn a_value_in_another_patterns_context_is_found() {
        let rules = RuleSet::builtin().expect("built-in rules");
        let engine = Engine::new(&rules, Confidence::Low, false);
        let mut scratch = engine.scratch();
        for line in [
            "Van: Sophie Dubois <sophie.dubois@telenet.be>\n",
            "From: Jan Jansen <jan.jansen@gmail.com>\n",
            "Cc: \"Piet de Vries\" <p.devries@ziggo.nl>, Anna Bakker <anna@xs4all.nl>\n",
        ] {
            let hay = line.as_bytes();
            let mut found = Vec::new();
            engine.scan(&mut scratch, hay, 0, hay.len(), |h| {
                found.push((
                    rules.rules[h.rule].id.to_string(),
                    line[h.start..h.end].to_string(),
                ))
            });
            let emails = found.iter().filter(|(r, _)| r == "email").count();
            assert_eq!(emails, line.matches('@').count(), "{line}: {found:?}");
        }
    }

    /// Every hit of `text`, scanned whole, as (rule, start, end, confidence).
    fn hits(rules: &RuleSet, text: &[u8]) -> Vec<(usize, usize, usize, Confidence)> {
        let engine = Engine::new(rules, Confidence::Low, false);
        let mut scratch = engine.scratch();
        let mut out = Vec::new();
        engine.scan(&mut scratch, text, 0, text.len(), |h| {
            out.push((h.rule, h.start, h.end, h.confidence))
        });
        out
    }

    /// Search groups are a speed setting: the built-in rules in their groups find exactly what
    /// the same rules find in one automaton, on text of every kind the corpora hold (and the
    /// candidates of one group never hide another's: a name that ends where an e-mail address
    /// starts, a phone number inside a failed BSN).
    #[test]
    fn search_groups_find_what_one_automaton_finds() {
        let grouped = RuleSet::builtin().expect("built-in rules");
        let mut defs = crate::ruleset::builtin_rules().expect("built-in rules");
        for d in &mut defs {
            d.def.search_group = None;
            for p in &mut d.def.patterns {
                p.search_group = None;
            }
        }
        let single =
            RuleSet::compile(defs, &crate::ruleset::Selection::default()).expect("compiles");
        assert!(
            grouped.groups.len() >= 3,
            "the built-in rules use several groups"
        );
        assert_eq!(single.groups.len(), 1);
        let mut texts = vec![
            crate::corpus::labelled(7, 400_000).text.into_bytes(),
            crate::corpus::sparse(8, 300_000).into_bytes(),
            crate::corpus::dense(9, 300_000).into_bytes(),
            crate::corpus::clean(10, 300_000).into_bytes(),
            b"Jan de Vries <jan@example.nl> 0612345678 NL91ABNA0417164300 2001:db8::1 \
              Met vriendelijke groet,\nPiet Bakker\n"
                .to_vec(),
        ];
        // The hand-written accuracy corpora: names in mail, chat, CRM notes, HR files.
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/accuracy");
        for dir in [
            fixtures.clone(),
            fixtures.join("names/data"),
            fixtures.join("names_b/data"),
        ] {
            for entry in std::fs::read_dir(&dir)
                .expect("accuracy fixtures")
                .flatten()
            {
                if entry.path().is_file() {
                    texts.push(std::fs::read(entry.path()).expect("readable"));
                }
            }
        }
        assert!(texts.len() > 30, "{} texts", texts.len());
        let mut compared = 0;
        for text in texts {
            let (a, b) = (hits(&grouped, &text), hits(&single, &text));
            compared += a.len();
            if let Some(i) = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i)) {
                panic!(
                    "first difference at hit {i}: grouped {:?}, one automaton {:?}",
                    a.get(i),
                    b.get(i)
                );
            }
        }
        assert!(compared > 10_000, "{compared} hits compared");
    }

    /// Runs that keep an unbounded pattern alive (the e-mail local part over `a.a.a.…`, dotted
    /// digits, digit runs, capitalised words) once made every candidate search to the end of
    /// the line: 40 kB took a minute. The work must grow linearly with the input.
    #[test]
    fn long_runs_are_searched_in_linear_work() {
        let rules = RuleSet::builtin().expect("built-in rules");
        let shapes: [(&str, &str, &str); 8] = [
            ("", "a.", "@gmail.com"),
            // Known first names in a row: every capital opens the first-name gate.
            ("", "met Anna ", ""),
            ("", "Koen. ", ""),
            ("", "1.1.1.1.", ""),
            ("", "12", ""),
            ("", "Aa ", ""),
            ("", "a-", "@x.nl"),
            ("+31 ", "6 1", ""),
        ];
        for (head, unit, tail) in shapes {
            let make = |n: usize| format!("{head}{}{tail}\n", unit.repeat(n)).into_bytes();
            let small = make(4 << 10);
            let large = make(16 << 10);
            let (s, l) = (searched(&rules, &small), searched(&rules, &large));
            let ratio = l as f64 / s.max(1) as f64;
            let size = large.len() as f64 / small.len() as f64;
            assert!(
                ratio <= size * 1.25,
                "{unit:?}: {s} bytes searched for {} bytes, {l} for {}: ratio {ratio:.1}",
                small.len(),
                large.len()
            );
        }
    }

    /// Special-category words need context a title lacks: a bare `Depression` or `Heart
    /// Attack` (Chinook track names) stays low; a person near it (a pronoun, a person word,
    /// a first name before it or after a word) makes it high; a name right after it is part of
    /// the title, and a negative word ("album") keeps a name from counting.
    #[test]
    fn special_category_words_need_a_person_or_context() {
        let rules = RuleSet::builtin().expect("built-in rules");
        let engine = Engine::new(&rules, Confidence::Low, true);
        let mut scratch = engine.scratch();
        let level = |scratch: &mut Scratch, text: &str| {
            let mut out = None;
            engine.scan(scratch, text.as_bytes(), 0, text.len(), |h| {
                let id = &*rules.rules[h.rule].id;
                if matches!(id, "health" | "criminal_record" | "religion") && out.is_none() {
                    out = Some((h.confidence, h.explanation.and_then(|e| e.context)));
                }
            });
            out
        };
        for title in ["Depression", "Heart Attack", "Maternity Leave", "Whiplash"] {
            assert_eq!(
                level(&mut scratch, title).map(|l| l.0),
                Some(Confidence::Low),
                "{title}"
            );
        }
        assert_eq!(
            level(&mut scratch, "Album: Depression Cherry (Beach House)").map(|l| l.0),
            Some(Confidence::Low)
        );
        assert_eq!(
            level(&mut scratch, "Criminal Record (album by Rick Wakeman)").map(|l| l.0),
            Some(Confidence::Low)
        );
        let (l, why) = level(
            &mut scratch,
            "Fatima gaat per 1 september met zwangerschapsverlof.",
        )
        .expect("found");
        assert_eq!((l, why.as_deref()), (Confidence::High, Some("Fatima")));
        let (l, why) =
            level(&mut scratch, "Tijdens de ramadan werkt Samira vroeg.").expect("found");
        assert_eq!((l, why.as_deref()), (Confidence::High, Some("Samira")));
        let (l, _) = level(&mut scratch, "Zij is thuis met een burn-out.").expect("found");
        assert_eq!(l, Confidence::High);
    }
}
