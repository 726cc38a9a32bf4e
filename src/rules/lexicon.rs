//! Name lexicons: first names and surnames from public statistics (see the headers of the files
//! in `rules/lexicons/`), used by the `person_name` validator. Lookups lower-case ASCII into a
//! stack buffer: no allocation per candidate.

use crate::finding::Confidence;
use crate::rules::validate::Verdict;
use std::collections::HashSet;

/// The word lists a name judgement uses.
#[derive(Debug, Clone, Default)]
pub struct Lexicons {
    first_names: HashSet<Box<[u8]>>,
    surnames: HashSet<Box<[u8]>>,
    stopwords: HashSet<Box<[u8]>>,
}

/// Lower-case particles (tussenvoegsels and their French and German cousins) inside names.
const PARTICLES: &[&[u8]] = &[
    b"van", b"de", b"der", b"den", b"het", b"ter", b"ten", b"te", b"in", b"'t", b"le", b"la",
    b"du", b"des", b"di", b"da", b"von", b"op", b"aan", b"uit", b"d'", b"l'",
];

fn parse_list(text: &str) -> HashSet<Box<[u8]>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.to_lowercase().into_bytes().into_boxed_slice())
        .collect()
}

impl Lexicons {
    /// The lexicons embedded from `rules/lexicons/`.
    pub fn builtin() -> Lexicons {
        let mut lex = Lexicons::default();
        for (path, text) in crate::rules::embedded::EMBEDDED_LEXICONS {
            let words = parse_list(text);
            match *path {
                p if p.ends_with("first_names.txt") => lex.first_names.extend(words),
                p if p.ends_with("surnames.txt") => lex.surnames.extend(words),
                p if p.ends_with("name_stopwords.txt") => lex.stopwords.extend(words),
                _ => {}
            }
        }
        lex
    }

    fn contains(set: &HashSet<Box<[u8]>>, word: &[u8]) -> bool {
        let mut buf = [0u8; 48];
        if word.len() > buf.len() {
            return false;
        }
        for (i, &b) in word.iter().enumerate() {
            buf[i] = b.to_ascii_lowercase();
        }
        // Accented capitals (É, Ö, …) are two UTF-8 bytes: C3 80..9E lower-case to C3 A0..BE.
        if word.len() >= 2 && buf[0] == 0xC3 && (0x80..=0x9E).contains(&buf[1]) {
            buf[1] += 0x20;
        }
        set.contains(&buf[..word.len()])
    }

    /// Is this (capitalised) word a known first name?
    pub fn is_first_name(&self, word: &[u8]) -> bool {
        Self::contains(&self.first_names, word)
    }

    /// Is this (capitalised) word a known surname (without particles)?
    pub fn is_surname(&self, word: &[u8]) -> bool {
        Self::contains(&self.surnames, word)
    }

    fn words(value: &[u8]) -> impl Iterator<Item = &[u8]> {
        value
            .split(|&b| b == b' ' || b == b'-')
            .filter(|w| !w.is_empty())
            .filter(|w| !PARTICLES.iter().any(|p| p == w))
    }

    fn is_stopword(&self, word: &[u8]) -> bool {
        Self::contains(&self.stopwords, word)
    }

    /// Judges two or more capitalised words, or a greeting's name: a known first name (or
    /// initials) and a known surname raise the confidence to `medium`; one known part leaves
    /// the pattern's confidence as it is; nothing known refuses a pair of words.
    pub fn judge_name(&self, value: &[u8]) -> Verdict {
        let mut words = Self::words(value);
        let Some(first) = words.next() else {
            return Verdict::Fail("no name");
        };
        let last = words.last();
        if self.is_stopword(first) || last.is_some_and(|l| self.is_stopword(l)) {
            return Verdict::Fail("a common word, not a name");
        }
        let initials = first.len() == 2 && first[1] == b'.';
        let medium = |note| Verdict::Pass {
            note,
            set: Some(Confidence::Medium),
            cap: None,
        };
        let plain = |note| Verdict::Pass {
            note,
            set: None,
            cap: None,
        };
        match last {
            None if self.is_first_name(first) || self.is_surname(first) => medium("a known name"),
            None => plain("an unknown word"),
            Some(last) => match (initials || self.is_first_name(first), self.is_surname(last)) {
                (true, true) => medium("first name (or initials) and surname from the lexicons"),
                (true, false) | (false, true) => plain("one part of the name is known"),
                (false, false) => Verdict::Fail("neither part is a known name"),
            },
        }
    }

    /// Judges a name after a title: common words ("Dear Customer") are refused, a name with
    /// no known part is kept at `medium`.
    pub fn judge_titled_name(&self, value: &[u8]) -> Verdict {
        let mut words = Self::words(value);
        let Some(first) = words.next() else {
            return Verdict::Fail("no name");
        };
        let last = words.last().unwrap_or(first);
        if self.is_stopword(first) || self.is_stopword(last) {
            return Verdict::Fail("a common word, not a name");
        }
        let initials = first.len() == 2 && first[1] == b'.';
        if initials || self.is_first_name(first) || self.is_surname(last) {
            Verdict::Pass {
                note: "title and a known name",
                set: None,
                cap: None,
            }
        } else {
            Verdict::Pass {
                note: "title and an unknown name",
                set: None,
                cap: Some(Confidence::Medium),
            }
        }
    }
}
