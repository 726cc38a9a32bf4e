//! The first-name gate: how a search group whose patterns can only report a known first name
//! is searched around such names instead of at every place its frame matches.
//!
//! Patterns such as `first_name_mid_sentence` (`met Koen`, any lower-case word before a
//! capitalised one) match every few words of prose, and almost every match is then refused by
//! the lexicon. For a group of such patterns the engine first looks for the capitalised words
//! the given-name lexicon may know, and runs the group's automaton only from the start of a
//! frame that ends at one (found with a reverse automaton of the frames). The group reports the
//! same accepted matches as a plain search; its rejected candidates are never looked at.
//!
//! That holds because of three properties, checked here when the rule set is compiled (a group
//! that lacks one is searched the plain way):
//! 1. every pattern of the group uses the `person_first_name` validator, which refuses a value
//!    the lexicon does not know as a first name ([`super::lexicon::Lexicons::may_be_first_name`])
//!    or one glued to a word before it;
//! 2. every pattern is a frame, then the capture group `value` at its top level, then a tail;
//! 3. a value starts with an upper-case byte (`A`-`Z`, or the lead byte of an accented
//!    capital: 0xC3-0xC5), or with one byte and an apostrophe before one (`O'Brien`, `d'Ancona`),
//!    and no frame can hold such a byte. So a value is found from its first capital, and no
//!    other match of the group can start inside a frame and hide one.

use super::validate::Validator;
use regex_automata::hybrid::dfa::DFA;
use regex_automata::nfa::thompson;
use regex_automata::util::start;
use regex_automata::{Anchored, MatchKind};
use regex_syntax::hir::{Class, Hir, HirKind};

/// The automata of a gated group.
#[derive(Debug)]
pub struct FirstNameGate {
    /// The values of the group's patterns, anchored, all matches: every place a value that
    /// starts at a position may end.
    pub value: DFA,
    /// The frames, reversed, all matches: searched back from a value's start, the earliest
    /// place a frame ending there can start.
    pub frame: DFA,
    /// `tail_first[b]`: can a pattern's tail (what follows its value) begin with byte `b`?
    /// Only the value ends followed by such a byte (or the end of the text) are looked up.
    pub tail_first: [bool; 256],
}

/// Can `b` open a capital letter (ASCII, or the UTF-8 lead byte of Latin-1 and Latin
/// Extended-A capitals)?
pub fn is_capital_byte(b: u8) -> bool {
    b.is_ascii_uppercase() || (0xC3..=0xC5).contains(&b)
}

/// The frame, the value and the tail of a pattern `frame (?P<value> …) tail`, or `None`.
fn split(hir: &Hir) -> Option<(Hir, Hir, Hir)> {
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    let at = parts.iter().position(
        |p| matches!(p.kind(), HirKind::Capture(c) if c.name.as_deref() == Some("value")),
    )?;
    let HirKind::Capture(value) = parts[at].kind() else {
        return None;
    };
    Some((
        Hir::concat(parts[..at].to_vec()),
        (*value.sub).clone(),
        Hir::concat(parts[at + 1..].to_vec()),
    ))
}

/// Can a string this expression matches hold a capital byte?
fn may_hold_a_capital(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => false,
        HirKind::Literal(lit) => lit.0.iter().any(|&b| is_capital_byte(b)),
        HirKind::Class(Class::Bytes(c)) => c
            .ranges()
            .iter()
            .any(|r| (r.start()..=r.end()).any(is_capital_byte)),
        HirKind::Class(Class::Unicode(c)) => c.ranges().iter().any(|r| {
            (r.start()..=r.end())
                .any(|ch| ch.is_ascii_uppercase() || ('\u{C0}'..='\u{17F}').contains(&ch))
        }),
        HirKind::Repetition(r) => may_hold_a_capital(&r.sub),
        HirKind::Capture(c) => may_hold_a_capital(&c.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().any(may_hold_a_capital),
    }
}

/// Does every value the (anchored, forward) automaton matches start with a capital byte, or
/// with one byte and an apostrophe before a capital byte?
fn values_open_with_a_capital(value: &DFA) -> Option<bool> {
    let mut cache = value.create_cache();
    let config = start::Config::new().anchored(Anchored::Yes);
    let sid = value.start_state(&mut cache, &config).ok()?;
    for b in 0..=255u8 {
        let next = value.next_state(&mut cache, sid, b).ok()?;
        if next.is_dead() || is_capital_byte(b) {
            continue;
        }
        // Only an apostrophe may follow, and then only a capital.
        for c in 0..=255u8 {
            let after = value.next_state(&mut cache, next, c).ok()?;
            if after.is_dead() {
                continue;
            }
            if c != b'\'' {
                return Some(false);
            }
            for d in 0..=255u8 {
                let third = value.next_state(&mut cache, after, d).ok()?;
                if !third.is_dead() && !is_capital_byte(d) {
                    return Some(false);
                }
            }
        }
    }
    Some(true)
}

/// The bytes a match of the (anchored, forward) automaton can begin with, after a letter (a
/// value ends with one).
fn first_bytes(dfa: &DFA) -> Option<[bool; 256]> {
    let mut cache = dfa.create_cache();
    let config = start::Config::new()
        .anchored(Anchored::Yes)
        .look_behind(Some(b'a'));
    let sid = dfa.start_state(&mut cache, &config).ok()?;
    let mut first = [false; 256];
    for (b, can) in (0..=255u8).zip(first.iter_mut()) {
        *can = !dfa.next_state(&mut cache, sid, b).ok()?.is_dead();
    }
    Some(first)
}

impl FirstNameGate {
    /// The gate of a group of patterns (their sources and validators), when the group has the
    /// three properties of the module's documentation; `None` otherwise.
    pub fn build(
        patterns: &[(&str, Option<Validator>)],
        config: &regex_automata::util::syntax::Config,
    ) -> Option<FirstNameGate> {
        if patterns.is_empty()
            || patterns
                .iter()
                .any(|(_, v)| *v != Some(Validator::PersonFirstName))
        {
            return None;
        }
        let mut frames = Vec::new();
        let mut values = Vec::new();
        let mut tails = Vec::new();
        for (source, _) in patterns {
            let hir = regex_automata::util::syntax::parse_with(source, config).ok()?;
            let (frame, value, tail) = split(&hir)?;
            if may_hold_a_capital(&frame) {
                return None;
            }
            tails.push(tail);
            frames.push(frame);
            values.push(value);
        }
        let dfa = |hirs: &[Hir], reverse: bool| {
            let nfa = thompson::Compiler::new()
                .configure(
                    thompson::Config::new()
                        .reverse(reverse)
                        .which_captures(thompson::WhichCaptures::None),
                )
                .build_many_from_hir(hirs)
                .ok()?;
            DFA::builder()
                .configure(DFA::config().match_kind(MatchKind::All))
                .build_from_nfa(nfa)
                .ok()
        };
        let value = dfa(&values, false)?;
        if !values_open_with_a_capital(&value)? {
            return None;
        }
        let frame = dfa(&frames, true)?;
        let tail_first = first_bytes(&dfa(&tails, false)?)?;
        Some(FirstNameGate {
            value,
            frame,
            tail_first,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> regex_automata::util::syntax::Config {
        regex_automata::util::syntax::Config::new()
            .unicode(false)
            .utf8(false)
            .multi_line(true)
    }

    fn gate(sources: &[&str]) -> Option<FirstNameGate> {
        let ps: Vec<_> = sources
            .iter()
            .map(|s| (*s, Some(Validator::PersonFirstName)))
            .collect();
        FirstNameGate::build(&ps, &config())
    }

    #[test]
    fn a_frame_of_lower_case_words_is_gated() {
        assert!(
            gate(&[r"(?:^|[ \t])[a-z]{2,}[ \t](?P<value>(?:O'|d')?[A-Z][a-z]+)(?:[ \t]|$)"])
                .is_some()
        );
    }

    #[test]
    fn only_value_ends_a_tail_can_follow_are_looked_up() {
        let g = gate(&[r"(?:^|[ \t])[a-z]{2,}[ \t](?P<value>[A-Z][a-z]+)(?:[ \t][a-z]|[.,]|$)"])
            .expect("gated");
        let follow: Vec<u8> = (0..=255u8).filter(|&b| g.tail_first[b as usize]).collect();
        // `An` in `Anna` is no value end: a tail cannot begin with `n`.
        assert_eq!(follow, b"\t\n ,.".to_vec());
    }

    #[test]
    fn a_frame_that_may_hold_a_capital_is_searched_plainly() {
        // `Beste Anna:` could hide a value inside its frame.
        assert!(gate(&[r"(?:^|[ \t])[A-Z][a-z]+[ \t](?P<value>[A-Z][a-z]+):"]).is_none());
        assert!(gate(&[r"(?i:met) (?P<value>[A-Z][a-z]+)"]).is_none());
    }

    #[test]
    fn a_value_that_may_open_with_a_lower_case_word_is_searched_plainly() {
        assert!(gate(&[r" (?P<value>(?:van )?[A-Z][a-z]+)"]).is_none());
        assert!(gate(&[r" (?P<value>[a-z]*[A-Z][a-z]+)"]).is_none());
    }

    #[test]
    fn a_value_inside_a_group_or_another_validator_is_searched_plainly() {
        assert!(gate(&[r"(?: (?P<value>[A-Z][a-z]+))"]).is_some()); // a plain group vanishes
        assert!(gate(&[r"(?:x|(?P<value>[A-Z][a-z]+))"]).is_none());
        let other = [(r" (?P<value>[A-Z][a-z]+)", Some(Validator::PersonName))];
        assert!(FirstNameGate::build(&other, &config()).is_none());
    }
}
