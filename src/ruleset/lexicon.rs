//! Name lexicons: first names and surnames from public statistics (see the headers of the files
//! in `rules/lexicons/`), used by the `person_name` validator. Lookups lower-case ASCII into a
//! stack buffer: no allocation per candidate.

use crate::finding::Confidence;
use crate::ruleset::validate::Verdict;

/// A word list: the embedded file's lines as they are (the files are lower-case, a test
/// checks it), in a hash set of borrowed slices, so building one allocates only its table and
/// a lookup is one hash and one comparison. (A hash set of 120,000 boxed words once cost most
/// of a second at every start; a sorted vector with two-byte buckets needed a sort at start
/// and several comparisons per lookup.)
#[derive(Debug, Clone, Default)]
struct WordList {
    words: std::collections::HashSet<&'static [u8], foldhash::fast::FixedState>,
}

impl WordList {
    fn extend(&mut self, text: &'static str) {
        let lines = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::as_bytes);
        self.words.reserve(text.len() / 8);
        self.words.extend(lines);
    }

    fn finish(&mut self) {
        self.words.shrink_to_fit();
    }

    fn contains(&self, word: &[u8]) -> bool {
        self.words.contains(word)
    }
}

/// The word lists a name judgement uses.
#[derive(Debug, Clone, Default)]
pub struct Lexicons {
    first_names: WordList,
    surnames: WordList,
    stopwords: WordList,
    /// Given names that are also everyday capitalised words (`first_names_also_words.txt`).
    word_like_names: WordList,
    /// Addresses of organisations and documentation examples (`public_addresses.txt`).
    public_addresses: WordList,
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

/// Is `word` a lower-case particle of a name (`van`, `de`, `'t`, `von`)?
pub(crate) fn is_particle(word: &[u8]) -> bool {
    PARTICLES.contains(&word)
}

/// Is `value` written in capitals only (`BULUT`, `NVT`)?
fn is_shouting(value: &[u8]) -> bool {
    value.len() > 1 && value.iter().all(|b| !b.is_ascii_lowercase())
}

/// Is `word` a particle of a name in any case (`Van`, `DE`, `von`)?
pub(crate) fn is_particle_any_case(word: &[u8]) -> bool {
    PARTICLES.iter().any(|p| p.eq_ignore_ascii_case(word))
}

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

/// The letter without its accent, for the accented letters of the languages Dutch and Belgian
/// data holds names in (Latin-1 and Latin Extended-A: `è`, `ü`, `ş`, `ğ`, `ı`, `ł`, `ż`, `č`, …);
/// `None` for any other letter.
fn unaccented(c: char) -> Option<u8> {
    Some(match c {
        'à'..='å' | 'ā' | 'ă' | 'ą' => b'a',
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => b'c',
        'ď' | 'đ' => b'd',
        'è'..='ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => b'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => b'g',
        'ĥ' | 'ħ' => b'h',
        'ì'..='ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => b'i',
        'ĵ' => b'j',
        'ķ' => b'k',
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => b'l',
        'ñ' | 'ń' | 'ņ' | 'ň' => b'n',
        'ò'..='ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => b'o',
        'ŕ' | 'ŗ' | 'ř' => b'r',
        'ś' | 'ŝ' | 'ş' | 'š' => b's',
        'ţ' | 'ť' | 'ŧ' => b't',
        'ù'..='ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => b'u',
        'ŵ' => b'w',
        'ý' | 'ÿ' | 'ŷ' => b'y',
        'ź' | 'ż' | 'ž' => b'z',
        _ => return None,
    })
}

/// The lower-case word with its accented letters folded to ASCII (`lefèvre` to `lefevre`,
/// `şahin` to `sahin`), or `None` when it has none or has a letter [`unaccented`] does not
/// know (such a word is looked up as it is).
fn fold_accents(word: &[u8]) -> Option<([u8; 64], usize)> {
    if word.is_ascii() {
        return None;
    }
    let text = std::str::from_utf8(word).ok()?;
    let mut out = [0u8; 64];
    let mut n = 0;
    for c in text.chars() {
        *out.get_mut(n)? = if c.is_ascii() {
            c as u8
        } else {
            unaccented(c)?
        };
        n += 1;
    }
    Some((out, n))
}

/// `word` in lower case in `buf` (every letter: `ÖZTÜRK`, `Şahin`, `İnce`), its length, or
/// `None` when it does not fit or is not UTF-8.
fn lower_into(word: &[u8], buf: &mut [u8; 64]) -> Option<usize> {
    if word.is_ascii() {
        let out = buf.get_mut(..word.len())?;
        for (o, &b) in out.iter_mut().zip(word) {
            *o = b.to_ascii_lowercase();
        }
        return Some(word.len());
    }
    let text = std::str::from_utf8(word).ok()?;
    let mut n = 0;
    for c in text.chars() {
        // Turkish dotted capital I lower-cases to i and a combining dot: the dot is dropped.
        let lowered: &mut dyn Iterator<Item = char> = if c == 'İ' {
            &mut std::iter::once('i')
        } else {
            &mut c.to_lowercase()
        };
        for l in lowered {
            let len = l.len_utf8();
            l.encode_utf8(buf.get_mut(n..n + len)?);
            n += len;
        }
    }
    Some(n)
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
                "first_names_also_words.txt" => lex.word_like_names.extend(text),
                "public_addresses.txt" => lex.public_addresses.extend(text),
                _ => {}
            }
        }
        for list in [
            &mut lex.first_names,
            &mut lex.surnames,
            &mut lex.stopwords,
            &mut lex.word_like_names,
            &mut lex.public_addresses,
        ] {
            list.finish();
        }
        lex
    }

    fn contains(set: &WordList, word: &[u8]) -> bool {
        let mut buf = [0u8; 64];
        let Some(n) = lower_into(word, &mut buf) else {
            return false;
        };
        if set.contains(&buf[..n]) {
            return true;
        }
        // Lists kept without accents (INSEE writes LEFEVRE for Lefèvre, Dutch registers
        // Sahin for Şahin): the accented letters folded to ASCII are looked up as well.
        match fold_accents(&buf[..n]) {
            Some((folded, m)) => set.contains(&folded[..m]),
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
            .filter(|w| !is_particle_any_case(w))
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
            common_word |= self.is_common_word(w);
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
    /// "den haag")? A pair after a lower-case particle is part of a surname, not the phrase:
    /// "Eva van den Bosch" is a person, "Den Bosch" a town.
    fn is_phrase_stopword(&self, value: &[u8]) -> bool {
        let mut prev: Option<usize> = None;
        let mut after_particle = false;
        let mut start = 0usize;
        for (i, &b) in value
            .iter()
            .enumerate()
            .chain(std::iter::once((value.len(), &b' ')))
        {
            if b != b' ' {
                continue;
            }
            if let Some(p) = prev {
                if !after_particle && Self::contains(&self.stopwords, &value[p..i]) {
                    return true;
                }
                let word = &value[p..start.saturating_sub(1)];
                after_particle = is_particle_any_case(word);
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
        if let Some(skip) = self.name_after_first_word(value) {
            return Verdict::StartsAt(skip);
        }
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

    /// Where the name starts when the candidate's first word is no name but a word of the
    /// sentence glued to it ("Intake Nordin Boukhari", "Terugbelverzoek van Anna Kowalska"):
    /// the offset of the first capitalised word after it that is a known first name.
    fn name_after_first_word(&self, value: &[u8]) -> Option<usize> {
        let first_end = value.iter().position(|&b| b == b' ')?;
        let first = &value[..first_end];
        // A surname alone before a first name ("Bakker Jan") is rarer than a sentence's
        // word the surname lists also hold ("Intake", "Onboarding").
        let named = is_initials(first) || self.is_first_name(first) || is_particle_any_case(first);
        if named && !self.is_stopword(first) {
            return None;
        }
        let mut at = first_end + 1;
        for word in value[first_end + 1..].split(|&b| b == b' ') {
            if PARTICLES.contains(&word) {
                at += word.len() + 1;
                continue;
            }
            let known = self.is_first_name(word) && !self.is_stopword(word);
            return known.then_some(at);
        }
        None
    }

    /// Judges one capitalised word where a person is named alone by the sentence ("met Koen",
    /// "van Tom naar Griet", a list "Yusuf, Rianne en Bo"): a known first name that is no
    /// everyday word (Mark, Rose, April), no common word and not written in capitals.
    ///
    /// A hyphenated first name counts when each part is one ("Sarah-Jane", "Jean-Luc"). A first
    /// name that is an everyday word counts only when `paired` says it stands beside another
    /// first name ("Laura en Mark").
    pub fn judge_first_name(&self, value: &[u8], paired: bool) -> Verdict {
        if is_shouting(value) || value.contains(&b' ') {
            return Verdict::Fail("not one capitalised word");
        }
        let known = self.may_be_first_name(value)
            && (self.is_first_name(value)
                || value
                    .split(|&b| b == b'-')
                    .all(|part| self.is_first_name(part) && !self.is_word_like_name(part)));
        if !known {
            return Verdict::Fail("not a known first name");
        }
        if self.is_common_word(value) {
            return Verdict::Fail("a first name that is also an everyday word");
        }
        if self.is_word_like_name(value) {
            return if paired {
                Verdict::Pass {
                    note: "a first name that is also a word, beside another first name",
                    set: None,
                    cap: None,
                }
            } else {
                Verdict::Fail("a first name that is also an everyday word")
            };
        }
        Verdict::Pass {
            note: "a known first name where the sentence names a person",
            set: None,
            cap: None,
        }
    }

    /// Can [`Lexicons::judge_first_name`] pass this value? It must be a known first name, or a
    /// hyphenated name whose first part is one (`Jan-Willem`). The engine asks this before it
    /// searches for a pattern that reports first names only (see [`super::gate`]), so the
    /// judgement checks it first.
    pub fn may_be_first_name(&self, value: &[u8]) -> bool {
        self.is_first_name(value)
            || value
                .iter()
                .position(|&b| b == b'-')
                .is_some_and(|dash| self.is_first_name(&value[..dash]))
    }

    /// Is this street and house number one that licence texts and documentation print (the
    /// Free Software Foundation's, `10 Downing Street`, `1 Main St`)?
    pub fn is_public_address(&self, value: &[u8]) -> bool {
        Self::contains(&self.public_addresses, value)
    }

    /// Is this given name also an everyday capitalised word (Mark, Rose, April, Gent)?
    pub fn is_word_like_name(&self, word: &[u8]) -> bool {
        Self::contains(&self.word_like_names, word)
    }

    /// Is this word one of the common words that are no names (Klant, Team, Damen)?
    pub fn is_common_word(&self, word: &[u8]) -> bool {
        self.is_stopword(word) || is_street_word(word)
    }

    /// Judges a name named by a role word before it ("klant Mertens", "verpleegkundige
    /// Hoekstra", "collega Priya Raghunathan"): one word must be a known first name or surname
    /// that is no common or everyday word; several words need a known first name (or
    /// initials) and no common word. Unknown words fail, as the role word alone would
    /// otherwise raise any capitalised word ("klant Graag").
    pub fn judge_known_name(&self, value: &[u8]) -> Verdict {
        if is_shouting(value) {
            return Verdict::Fail("not a capitalised name");
        }
        if value.contains(&b' ') {
            let Some(p) = self.parts(value) else {
                return Verdict::Fail("no name");
            };
            let known_first =
                p.initials || (self.is_first_name(p.first) && !self.is_word_like_name(p.first));
            if p.common_word || !known_first {
                return Verdict::Fail("no known first name, or a common word");
            }
            return Verdict::Pass {
                note: "a known first name and a surname after a role word",
                set: Some(Confidence::Medium),
                cap: None,
            };
        }
        if !(self.is_first_name(value) || self.is_surname(value)) {
            return Verdict::Fail("not a known first name or surname");
        }
        if self.is_common_word(value) || self.is_word_like_name(value) {
            return Verdict::Fail("a name that is also an everyday word");
        }
        Verdict::Pass {
            note: "a known first name or surname after a role word",
            set: Some(Confidence::Medium),
            cap: None,
        }
    }

    /// Judges a name written surname first ("Bakker, J.", "van der Zee, Pieter", "Huisman,
    /// K.L."): the surname's last word must be a known surname and what follows the comma
    /// initials or a known first name that is no everyday word; both known make it `medium`.
    pub fn judge_inverted_name(&self, value: &[u8]) -> Verdict {
        let Some(comma) = value.iter().position(|&b| b == b',') else {
            return Verdict::Fail("no comma between surname and first name");
        };
        let (surname, given) = (&value[..comma], value[comma + 1..].trim_ascii());
        let Some(last) = Self::words(surname).last() else {
            return Verdict::Fail("no surname");
        };
        if !self.is_surname(last) || self.is_common_word(last) {
            return Verdict::Fail("the part before the comma is no known surname");
        }
        // The given name may be followed by initials ("WILHELMINA J.", "Pieter J.").
        let mut given_words = given.split(|&b| b == b' ');
        let given = given_words.next().unwrap_or_default();
        if !given_words.all(|w| is_initials(w) || (w.len() == 1 && w[0].is_ascii_uppercase())) {
            return Verdict::Fail("more than a first name and initials after the comma");
        }
        let initials = is_initials(given);
        let first = !initials
            && self.is_first_name(given)
            && !self.is_word_like_name(given)
            && !self.is_stopword(given);
        if !(initials || first) {
            return Verdict::Fail("the part after the comma is no initials or known first name");
        }
        Verdict::Pass {
            note: "surname, then initials or a first name, both known",
            set: Some(Confidence::Medium),
            cap: None,
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
            Verdict::Fail(_) | Verdict::StartsAt(_) => None,
        }
    }

    /// A lookup finds every word of a list, one-byte words and first and last buckets
    /// included, and nothing else.
    #[test]
    fn word_lists_find_their_words_and_nothing_else() {
        let mut list = WordList::default();
        list.extend("b\nab\naa\nzz\nz\nabc\n\u{e9}mile\nab\n");
        list.finish();
        for w in ["b", "ab", "aa", "zz", "z", "abc", "\u{e9}mile"] {
            assert!(list.contains(w.as_bytes()), "{w}");
        }
        for w in ["", "a", "abd", "c", "zzz", "\u{e9}"] {
            assert!(!list.contains(w.as_bytes()), "{w}");
        }
        assert!(!WordList::default().contains(b"a"));
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
    fn accented_letters_fold_to_ascii() {
        let (w, n) = fold_accents("lefèvre".as_bytes()).expect("accented");
        assert_eq!(&w[..n], b"lefevre");
        let (w, n) = fold_accents("yılmaz".as_bytes()).expect("accented");
        assert_eq!(&w[..n], b"yilmaz");
        let (w, n) = fold_accents("wiśniewska".as_bytes()).expect("accented");
        assert_eq!(&w[..n], b"wisniewska");
        assert!(fold_accents(b"jansen").is_none());
        assert!(fold_accents("ǅemal".as_bytes()).is_none());
        let mut buf = [0u8; 64];
        let n = lower_into("ŞAHİN".as_bytes(), &mut buf).expect("fits");
        assert_eq!(std::str::from_utf8(&buf[..n]).unwrap(), "şahin");
    }

    /// Names whose first letter is outside ASCII are known as their plain-letter spellings.
    #[test]
    fn capitals_outside_ascii_are_looked_up() {
        let lex = Lexicons::builtin();
        for first in ["Özlem", "Ömer", "Éric", "Łukasz", "Şeyma"] {
            assert!(lex.is_first_name(first.as_bytes()), "{first}");
        }
        for last in ["Şahin", "Öztürk", "Yılmaz"] {
            assert!(lex.is_surname(last.as_bytes()), "{last}");
        }
    }

    #[test]
    fn names_with_initials_particles_and_capitalised_particles_pass() {
        let lex = Lexicons::builtin();
        let medium = Some((Some(Confidence::Medium), None));
        assert_eq!(level(lex.judge_name(b"J.P. Bakker")), medium);
        assert_eq!(level(lex.judge_name(b"Marc Van den Bossche")), medium);
        assert_eq!(level(lex.judge_name(b"Sanne de Vries")), medium);
        assert_eq!(level(lex.judge_name(b"Albert Heijn")), None);
        // A town's name after a particle is a surname.
        assert_eq!(level(lex.judge_name(b"Eva van den Bosch")), medium);
        assert_eq!(level(lex.judge_name(b"Den Bosch")), None);
    }

    #[test]
    fn a_lone_first_name_must_be_known_and_no_everyday_word() {
        let lex = Lexicons::builtin();
        let passes = |v: &str| {
            matches!(
                lex.judge_first_name(v.as_bytes(), false),
                Verdict::Pass { .. }
            )
        };
        assert!(passes("Koen") && passes("Griet") && passes("Yusuf") && passes("Özlem"));
        assert!(!passes("Mark") && !passes("Rose") && !passes("April"));
        assert!(!passes("KOEN") && !passes("Rotterdam") && !passes("Koen Jansen"));
    }

    #[test]
    fn a_word_of_the_sentence_before_a_name_is_left_out() {
        let lex = Lexicons::builtin();
        let at = |v: &'static str| -> Option<&'static str> {
            match lex.judge_name(v.as_bytes()) {
                Verdict::StartsAt(n) => Some(&v[n..]),
                _ => None,
            }
        };
        assert_eq!(at("Intake Youssef Boukhari"), Some("Youssef Boukhari"));
        assert_eq!(at("Terugbelverzoek van Anna"), Some("Anna"));
        assert_eq!(at("Peter Jansen"), None);
        assert_eq!(at("J. de Vries"), None);
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
