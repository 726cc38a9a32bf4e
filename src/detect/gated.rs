//! The search of a gated group ([`crate::ruleset::gate`]): from one capital letter to the
//! next, the group's automaton runs only where a value the lexicon may know as a first name
//! starts, from the earliest place a frame ending there starts. Capitals the lexicon does not
//! know cost a short automaton step and a lookup; the frames of prose (`met`, `de`, `voor`
//! before any capitalised word) are never matched for nothing.

use crate::ruleset::compile::{SearchGroup, MAX_MATCH_LEN};
use crate::ruleset::gate::{is_capital_byte, FirstNameGate};
use crate::ruleset::lexicon::Lexicons;
use regex_automata::hybrid::dfa::Cache;
use regex_automata::util::start;
use regex_automata::{meta, Anchored, Input};

/// A gated group's automaton caches, kept in the lane.
#[derive(Debug)]
pub(super) struct GateCaches {
    value: Cache,
    frame: Cache,
    /// The last capital looked at in this text and where its frames start: asked again when
    /// a candidate from it failed.
    memo: Option<(usize, Option<(usize, usize)>)>,
    /// Capitals before this position hold no candidate for any later search of this text.
    dead_until: usize,
    /// No match of the group starts between the last searched frame and this position (a
    /// search that found none there): capitals before it need no search of their own.
    clear_until: usize,
}

impl GateCaches {
    /// Fresh caches for `gate`.
    pub(super) fn new(gate: &FirstNameGate) -> Self {
        GateCaches {
            value: gate.value.create_cache(),
            frame: gate.frame.create_cache(),
            memo: None,
            dead_until: 0,
            clear_until: 0,
        }
    }

    /// Forgets what it knew of the last text (a new scan begins).
    pub(super) fn forget(&mut self) {
        self.memo = None;
        self.dead_until = 0;
        self.clear_until = 0;
    }
}

/// Does a value that starts at `vs` end somewhere the lexicon may know as a first name
/// (before a byte a tail can begin with)? The value automaton is walked byte by byte: a match
/// state is entered one byte after a match ends. When the automaton gives up, it may.
fn value_may_pass(
    gate: &FirstNameGate,
    cache: &mut Cache,
    hay: &[u8],
    vs: usize,
    lex: &Lexicons,
) -> bool {
    let dfa = &gate.value;
    let config = start::Config::new()
        .anchored(Anchored::Yes)
        .look_behind(vs.checked_sub(1).map(|i| hay[i]));
    let Ok(mut sid) = dfa.start_state(cache, &config) else {
        return true;
    };
    let end = vs.saturating_add(MAX_MATCH_LEN).min(hay.len());
    for (e, &b) in hay.iter().enumerate().take(end).skip(vs) {
        let Ok(next) = dfa.next_state(cache, sid, b) else {
            return true;
        };
        sid = next;
        if sid.is_match() && gate.tail_first[b as usize] && lex.may_be_first_name(&hay[vs..e]) {
            return true;
        }
        if sid.is_dead() || sid.is_quit() {
            return false;
        }
    }
    // A value that runs to the end of the text (a longer one is dropped anyway).
    end == hay.len()
        && dfa.next_eoi_state(cache, sid).map_or(true, |eoi| {
            eoi.is_match() && lex.may_be_first_name(&hay[vs..end])
        })
}

/// The earliest and the latest start of a frame that ends at `vs`; `None` when no frame ends
/// there. When the automaton gives up, the widest range it could be.
fn frame_starts(
    gate: &FirstNameGate,
    cache: &mut Cache,
    hay: &[u8],
    vs: usize,
) -> Option<(usize, usize)> {
    let lo = vs.saturating_sub(MAX_MATCH_LEN);
    let input = Input::new(hay).range(lo..vs).anchored(Anchored::Yes);
    let earliest = match gate.frame.try_search_rev(cache, &input) {
        Ok(found) => found?.offset(),
        Err(_) => return Some((lo, vs)),
    };
    let latest = match gate.frame.try_search_rev(cache, &input.earliest(true)) {
        Ok(found) => found.map_or(vs, |m| m.offset()),
        Err(_) => vs,
    };
    Some((earliest, latest))
}

/// Where the frames of the values at capital `cap` start (the earliest and the latest of
/// them), or `None` when no value there may pass.
fn frames_at(
    gate: &FirstNameGate,
    caches: &mut GateCaches,
    hay: &[u8],
    cap: usize,
    lex: &Lexicons,
) -> Option<(usize, usize)> {
    if let Some((at, known)) = caches.memo {
        if at == cap {
            return known;
        }
    }
    // A value starts at its first capital, or one byte and an apostrophe before it.
    let before = (cap >= 2 && hay[cap - 1] == b'\'').then(|| cap - 2);
    let mut range: Option<(usize, usize)> = None;
    for vs in [before, Some(cap)].into_iter().flatten() {
        // The validators refuse a value glued to a word before it (`inside_word`).
        let glued = vs > 0 && (hay[vs - 1].is_ascii_alphanumeric() || hay[vs - 1] == b'_');
        if glued || !value_may_pass(gate, &mut caches.value, hay, vs, lex) {
            continue;
        }
        if let Some((e, l)) = frame_starts(gate, &mut caches.frame, hay, vs) {
            range = Some(range.map_or((e, l), |(re, rl)| (re.min(e), rl.max(l))));
        }
    }
    caches.memo = Some((cap, range));
    range
}

/// How far past a capital its search looks, so that the capitals after it need none.
const CLEAR_AHEAD: usize = 4096;

/// The first capital byte in `hay[from..to]`, eight bytes at a time: a word with no ASCII
/// capital and no byte above 0x7F is skipped whole.
fn next_capital(hay: &[u8], from: usize, to: usize) -> Option<usize> {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = from;
    while i + 8 <= to {
        let mut word = [0u8; 8];
        word.copy_from_slice(&hay[i..i + 8]);
        let x = u64::from_le_bytes(word);
        // Per byte, for bytes below 0x80: the high bit of (b + 0x3F) is set from 0x41 on, and
        // that of (b + 0x25) from 0x5B on, so `A`..=`Z` sets the first and not the second.
        let seven = x & !HIGH;
        let from_a = seven + LOW * 0x3F;
        let past_z = seven + LOW * 0x25;
        let hits = ((from_a & !past_z) | x) & HIGH;
        if hits != 0 {
            let first = i + (hits.trailing_zeros() / 8) as usize;
            if let Some(at) = hay[first..i + 8].iter().position(|&b| is_capital_byte(b)) {
                return Some(first + at);
            }
        }
        i += 8;
    }
    hay[i..to]
        .iter()
        .position(|&b| is_capital_byte(b))
        .map(|at| i + at)
}

/// The next match of a gated group that starts at or after `pos` (and before `limit`) and whose
/// value may be a known first name, as `(start, end, rule set pattern)`. Matches it skips are
/// ones the group's validator refuses; see [`crate::ruleset::gate`] for why no other match is
/// lost or reordered.
#[allow(clippy::too_many_arguments)]
pub(super) fn next_match(
    group: &SearchGroup,
    gate: &FirstNameGate,
    caches: &mut GateCaches,
    cache: &mut meta::Cache,
    hay: &[u8],
    pos: usize,
    limit: usize,
    lex: &Lexicons,
    searched: &mut u64,
) -> Option<(usize, usize, usize)> {
    // A match that starts before `limit` has its value within MAX_MATCH_LEN of it.
    let stop = limit.saturating_add(MAX_MATCH_LEN).min(hay.len());
    // A capital passed over once stays passed over: `pos` only grows, and with it the frames
    // that count.
    let mut at = pos.max(caches.dead_until);
    while at < stop {
        let Some(cap) = next_capital(hay, at, stop) else {
            caches.dead_until = stop;
            return None;
        };
        caches.dead_until = cap;
        at = cap + 1;
        // A frame of this capital starts after the capital before it, so after the frame
        // whose search set `clear_until`: no match of it starts before `clear_until`.
        if cap < caches.clear_until {
            continue;
        }
        // Only frames that start at or after `pos` count (a candidate from an earlier one
        // was looked at already).
        let Some((earliest, latest)) = frames_at(gate, caches, hay, cap, lex) else {
            continue;
        };
        if latest < pos {
            continue;
        }
        let from = earliest.max(pos);
        // Within the span, a match that starts before `trusted` and is no longer than
        // MAX_MATCH_LEN ends inside it, so it is found as an unbounded search finds it. The
        // span reaches past `cap`, so that one search clears the capitals of a stretch with
        // no match (a column of first names, each alone in its cell).
        let end = cap
            .saturating_add(MAX_MATCH_LEN + 1 + CLEAR_AHEAD)
            .min(hay.len());
        let trusted = if end == hay.len() {
            end
        } else {
            end - MAX_MATCH_LEN
        };
        *searched += (end - from) as u64;
        let found = group
            .regex
            .search_with(cache, &Input::new(hay).span(from..end));
        match found {
            Some(m) if m.start() <= cap => {
                return Some((m.start(), m.end(), group.patterns[m.pattern().as_usize()]));
            }
            Some(m) if m.start() < trusted => caches.clear_until = m.start(),
            _ => caches.clear_until = trusted,
        }
    }
    caches.dead_until = stop;
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_capital_scan_finds_every_capital_a_byte_loop_finds() {
        let text =
            "met de heer van Zanten, daarna élodie en Élodie; Ωmega ßtraße @[`{ AZ az Şükrü\n\
                    xxxxxxxxxxxxxxxxxxxxxxxxxZ \u{7f}\u{80}Ā";
        let hay = text.as_bytes();
        let slow: Vec<usize> = (0..hay.len())
            .filter(|&i| is_capital_byte(hay[i]))
            .collect();
        for from in 0..hay.len() {
            let mut fast = Vec::new();
            let mut at = from;
            while let Some(c) = next_capital(hay, at, hay.len()) {
                fast.push(c);
                at = c + 1;
            }
            let expected: Vec<usize> = slow.iter().copied().filter(|&c| c >= from).collect();
            assert_eq!(fast, expected, "from {from}");
        }
    }
}
