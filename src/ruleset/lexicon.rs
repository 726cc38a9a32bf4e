//! Name lexicons: first names and surnames from public statistics (see the headers of the files
//! in `rules/lexicons/`), used by the `person_name` validator. Lookups lower-case ASCII into a
//! stack buffer: no allocation per candidate.

use crate::finding::Confidence;
use crate::ruleset::validate::Verdict;

/// A word list: the embedded file's lines as they are (the files are lower-case, a test
/// checks it), sorted, so building one allocates a single vector and a lookup is a binary
/// search. (A hash set of 120,000 boxed words cost most of a second at every start.)
#[derive(Debug, Clone, Default)]
struct WordList(Vec<&'static [u8]>);

impl WordList {
    fn extend(&mut self, text: &'static str) {
        self.0.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::as_bytes),
        );
    }

    fn finish(&mut self) {
        self.0.sort_unstable();
        self.0.dedup();
    }

    fn contains(&self, word: &[u8]) -> bool {
        self.0.binary_search(&word).is_ok()
    }
}

/// The word lists a name judgement uses.
#[derive(Debug, Clone, Default)]
pub struct Lexicons {
    first_names: WordList,
    surnames: WordList,
    stopwords: WordList,
}

/// What a name candidate's words are, as the lexicons see them.
struct Parts<'a> {
    first: &'a [u8],
    last: Option<&'a [u8]>,
    initials: bool,
    common_word: bool,
    /// A lower-case tussenvoegsel stands between the words ("Thijs van 't Hek").
    particle: bool,
}

/// Lower-case particles (tussenvoegsels and their French and German cousins) inside names.
const PARTICLES: &[&[u8]] = &[
    b"van", b"de", b"der", b"den", b"het", b"ter", b"ten", b"te", b"in", b"'t", b"le", b"la",
    b"du", b"des", b"di", b"da", b"von", b"op", b"aan", b"uit", b"d'", b"l'", b"vanden", b"vande",
    b"zu", b"dos", b"del", b"el", b"al", b"ben", b"ait", b"abou", b"bou",
];

/// Endings of street and square names: "Jan van Galenstraat" is a street, not Jan.
const STREET_ENDINGS: &[&[u8]] = &[
    b"straat",
    b"laan",
    b"plein",
    b"kade",
    b"gracht",
    b"singel",
    b"steeg",
    b"dreef",
    b"strasse",
    b"stra\xC3\x9Fe",
    b"street",
    b"road",
    b"avenue",
    b"boulevard",
    b"weg",
];

/// Does the word end like a street name (and is longer than the ending)?
fn is_street_word(word: &[u8]) -> bool {
    STREET_ENDINGS
        .iter()
        .any(|e| word.len() > e.len() && word[word.len() - e.len()..].eq_ignore_ascii_case(e))
}

/// The lower-case word with its Latin-1 accented letters (UTF-8 `C3 xx`) folded to ASCII
/// (`lefèvre` to `lefevre`, `müller` to `muller`), or `None` when it has none or has a letter
/// outside Latin-1 (such a word is looked up as it is).
fn fold_latin1(word: &[u8]) -> Option<([u8; 64], usize)> {
    if word.is_ascii() {
        return None;
    }
    let mut out = [0u8; 64];
    let (mut i, mut n) = (0, 0);
    while i < word.len() {
        let b = word[i];
        if b.is_ascii() {
            out[n] = b;
            i += 1;
        } else if b == 0xC3 && i + 1 < word.len() {
            out[n] = match word[i + 1] {
                0xA0..=0xA5 => b'a',
                0xA7 => b'c',
                0xA8..=0xAB => b'e',
                0xAC..=0xAF => b'i',
                0xB1 => b'n',
                0xB2..=0xB6 | 0xB8 => b'o',
                0xB9..=0xBC => b'u',
                0xBD | 0xBF => b'y',
                _ => return None,
            };
            i += 2;
        } else {
            return None;
        }
        n += 1;
    }
    Some((out, n))
}

/// Are these bytes initials (`J.`, `J.P.`, `A.B.C.`)?
fn is_initials(word: &[u8]) -> bool {
    word.len() >= 2
        && word.len().is_multiple_of(2)
        && word
            .chunks(2)
            .all(|c| c[0].is_ascii_uppercase() && c[1] == b'.')
}

impl Lexicons {
    /// The lexicons embedded from `rules/lexicons/`.
    pub fn builtin() -> Lexicons {
        let mut lex = Lexicons::default();
        for (path, text) in crate::ruleset::embedded::EMBEDDED_LEXICONS {
            let file = path.rsplit('/').next().unwrap_or(path);
            match file {
                "first_names.txt" => lex.first_names.extend(text),
                // surnames.txt (Meertens) and the lists build_surnames.py makes from INSEE,
                // Statbel and the U.S. census (surnames_fr_insee.txt, ...).
                f if f.starts_with("surnames") && f.ends_with(".txt") => lex.surnames.extend(text),
                "name_stopwords.txt" => lex.stopwords.extend(text),
                _ => {}
            }
        }
        for list in [&mut lex.first_names, &mut lex.surnames, &mut lex.stopwords] {
            list.finish();
        }
        lex
    }

    fn contains(set: &WordList, word: &[u8]) -> bool {
        let mut buf = [0u8; 64];
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
        if set.contains(&buf[..word.len()]) {
            return true;
        }
        // Lists kept without accents (INSEE writes LEFEVRE for Lefèvre): the Latin-1 letters
        // folded to ASCII are looked up as well.
        match fold_latin1(&buf[..word.len()]) {
            Some((folded, n)) => set.contains(&folded[..n]),
            None => false,
        }
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
            .filter(|w| !PARTICLES.iter().any(|p| p.eq_ignore_ascii_case(w)))
    }

    /// Splits a candidate: its first and last name words (particles left out), whether it
    /// starts with initials, and whether a word of it (or the whole) is a common word.
    fn parts<'a>(&self, value: &'a [u8]) -> Option<Parts<'a>> {
        // A leading title the pattern included ("Mr. Patel") is no part of the name.
        let mut words = Self::words(value).peekable();
        let first = *words.peek()?;
        let initials =
            is_initials(first) || (first.len() > 2 && first.ends_with(b".") && is_initials(first));
        let mut last = None;
        let mut common_word = self.is_phrase_stopword(value);
        for w in words {
            common_word |= self.is_stopword(w) || is_street_word(w);
            last = Some(w);
        }
        let last = last.filter(|l| !std::ptr::eq(*l, first));
        let particle = value
            .split(|&b| b == b' ')
            .skip(1)
            .any(|w| PARTICLES.contains(&w));
        Some(Parts {
            first,
            last,
            initials,
            common_word,
            particle,
        })
    }

    /// Is the value, or two words next to each other in it, a listed phrase ("albert heijn",
    /// "den haag")?
    fn is_phrase_stopword(&self, value: &[u8]) -> bool {
        let mut prev: Option<usize> = None;
        let mut start = 0;
        for (i, &b) in value
            .iter()
            .enumerate()
            .chain(std::iter::once((value.len(), &b' ')))
        {
            if b != b' ' {
                continue;
            }
            if let Some(p) = prev {
                if Self::contains(&self.stopwords, &value[p..i]) {
                    return true;
                }
            }
            prev = Some(start);
            start = i + 1;
        }
        false
    }

    fn is_stopword(&self, word: &[u8]) -> bool {
        Self::contains(&self.stopwords, word)
    }

    /// Judges two or more capitalised words, or a greeting's name: a known first name (or
    /// initials) and a known surname raise the confidence to `medium`; one known part leaves
    /// the pattern's confidence as it is; nothing known refuses a pair of words.
    pub fn judge_name(&self, value: &[u8]) -> Verdict {
        let Some(Parts {
            first,
            last,
            initials,
            common_word,
            particle,
        }) = self.parts(value)
        else {
            return Verdict::Fail("no name");
        };
        if common_word {
            return Verdict::Fail("a common word, not a name");
        }
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
                (true, false) if particle => medium(
                    "a known first name (or initials) and a tussenvoegsel before the surname",
                ),
                (true, false) | (false, true) => plain("one part of the name is known"),
                (false, false) => Verdict::Fail("neither part is a known name"),
            },
        }
    }

    /// Judges a name after a title: common words ("Dear Customer") are refused, a name with
    /// no known part is kept at `medium`.
    pub fn judge_titled_name(&self, value: &[u8]) -> Verdict {
        let Some(p) = self.parts(value) else {
            return Verdict::Fail("no name");
        };
        if p.common_word {
            return Verdict::Fail("a common word, not a name");
        }
        let (first, last, initials) = (p.first, p.last.unwrap_or(p.first), p.initials);
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

impl Lexicons {
    /// Judges a name framed by its place (the line after a closing, a chat sender, an e-mail
    /// display name, a `Naam:` label): the place is the evidence, so several capitalised words
    /// need no lexicon; one word must be a known name ("[10:07] Systeem:" is not a person); a
    /// common word anywhere refuses it ("Team Klantenservice").
    pub fn judge_framed_name(&self, value: &[u8]) -> Verdict {
        let Some(p) = self.parts(value) else {
            return Verdict::Fail("no name");
        };
        if p.common_word {
            return Verdict::Fail("a common word, not a name");
        }
        let known_first = p.initials || self.is_first_name(p.first);
        match p.last {
            None if known_first || self.is_surname(p.first) => Verdict::Pass {
                note: "its place, and a known name",
                set: None,
                cap: None,
            },
            None => Verdict::Fail("one word the lexicons do not know"),
            Some(last) if known_first || self.is_surname(last) => Verdict::Pass {
                note: "its place, and a known first name or surname",
                set: None,
                cap: None,
            },
            Some(_) => Verdict::Pass {
                note: "its place, names the lexicons do not know",
                set: None,
                cap: Some(Confidence::Medium),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lookups compare bytes as the files hold them: every word must already be lower-case.
    #[test]
    fn lexicon_files_are_lower_case() {
        for (path, text) in crate::ruleset::embedded::EMBEDDED_LEXICONS {
            for line in text.lines().filter(|l| !l.starts_with('#')) {
                assert_eq!(
                    line,
                    line.to_lowercase(),
                    "{path}: {line:?} is not lower-case"
                );
            }
        }
    }

    fn level(v: Verdict) -> Option<(Option<Confidence>, Option<Confidence>)> {
        match v {
            Verdict::Pass { set, cap, .. } => Some((set, cap)),
            Verdict::Fail(_) => None,
        }
    }

    #[test]
    fn initials_are_recognised() {
        assert!(is_initials(b"J."));
        assert!(is_initials(b"J.P."));
        assert!(!is_initials(b"Jp."));
        assert!(!is_initials(b"J"));
    }

    #[test]
    fn the_lexicons_hold_names_of_the_populations_in_dutch_and_belgian_data() {
        let lex = Lexicons::builtin();
        for first in [
            "Jan",
            "Sanne",
            "Emre",
            "Fatima",
            "Youssef",
            "Agnieszka",
            "Priya",
            "Klaus",
        ] {
            assert!(lex.is_first_name(first.as_bytes()), "{first}");
        }
        for last in [
            "Jansen", "Vries", "Yilmaz", "Öztürk", "Kowalski", "Bouzid", "Ramdin",
        ] {
            assert!(lex.is_surname(last.as_bytes()), "{last}");
        }
    }

    /// Belgian, French and English surnames from Statbel, INSEE and the U.S. census
    /// (build_surnames.py) are known; INSEE's unaccented spellings match accented text.
    #[test]
    fn surnames_of_belgian_french_and_english_populations_are_known() {
        let lex = Lexicons::builtin();
        for last in [
            "Abgrall",
            "Zwingelstein",
            "Abitbol",
            "Lefèvre",
            "Lefebvre",
            "Peeters",
            "Diallo",
            "Petit",
            "Guérin",
            "Floc'h",
            "Kowalczyk",
        ] {
            assert!(lex.is_surname(last.as_bytes()), "{last}");
        }
        // Everyday words stay out, whichever list they came from.
        for word in ["Facture", "Commande", "Service", "Merci"] {
            assert!(!lex.is_surname(word.as_bytes()), "{word}");
        }
        let medium = Some((Some(Confidence::Medium), None));
        assert_eq!(
            level(lex.judge_name("Sébastien Abgrall".as_bytes())),
            medium
        );
        assert_eq!(level(lex.judge_name("Marie Guérin".as_bytes())), medium);
    }

    #[test]
    fn latin1_letters_fold_to_ascii() {
        let (w, n) = fold_latin1("lefèvre".as_bytes()).expect("accented");
        assert_eq!(&w[..n], b"lefevre");
        assert!(fold_latin1(b"jansen").is_none());
        assert!(fold_latin1("yılmaz".as_bytes()).is_none());
    }

    #[test]
    fn names_with_initials_particles_and_capitalised_particles_pass() {
        let lex = Lexicons::builtin();
        let medium = Some((Some(Confidence::Medium), None));
        assert_eq!(level(lex.judge_name(b"J.P. Bakker")), medium);
        assert_eq!(level(lex.judge_name(b"Marc Van den Bossche")), medium);
        assert_eq!(level(lex.judge_name(b"Sanne de Vries")), medium);
        assert_eq!(level(lex.judge_name(b"Albert Heijn")), None);
    }

    #[test]
    fn a_framed_name_needs_a_known_part_when_it_is_one_word() {
        let lex = Lexicons::builtin();
        assert!(level(lex.judge_framed_name(b"Systeem")).is_none());
        assert!(level(lex.judge_framed_name(b"Team Klantenservice")).is_none());
        assert_eq!(level(lex.judge_framed_name(b"Lien")), Some((None, None)));
        assert_eq!(
            level(lex.judge_framed_name(b"Xqor Plimbat")),
            Some((None, Some(Confidence::Medium)))
        );
    }
}
