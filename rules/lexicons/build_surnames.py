#!/usr/bin/env python3
"""Rebuilds the Belgian, French and English surname lexicons from their open sources.

    python3 rules/lexicons/build_surnames.py \
        --insee noms2008nat_txt.txt        # or the zip INSEE publishes it in
        --us-census Names_2010Census.csv   # or names.zip
        [--insee-top 50000] [--us-top 1000]

Writes, next to this script:

- surnames_fr_insee.txt    from INSEE, "Les noms de famille en France entre 1891 et 2000"
                           (https://www.insee.fr/fr/statistiques/3536630, noms2008nat_txt.txt:
                           births per surname and decade; Licence Ouverte, see
                           LICENSE-insee-noms-Licence-Ouverte-2.0). The --insee-top surnames with
                           the most births over 1891-2000 ("AUTRES NOMS", the sum of the rare
                           ones, left out).
- surnames_en_uscensus.txt from the U.S. Census Bureau's surnames of the 2010 census
                           (Names_2010Census.csv; public domain, LICENSE-us-census-public-domain):
                           the --us-top most frequent.
- surnames_be_statbel.txt  from sources/statbel_familienamen_2016_top10.tsv (Statbel's top 10
                           of Belgium and its regions, 2016; LICENSE-statbel-open-data).

Each surname is split on spaces and hyphens; particles (de, du, le, la, van, da, dos, ...),
one-letter words and words with digits are dropped; the rest is lower-cased. A word that the
Debian word lists in /usr/share/dict (wamerican, wbritish, wfrench, wngerman, wdutch) hold only
in lower case is an everyday word ("petit", "fontaine", "long") and is dropped, unless it comes
from the --keep-top most frequent names of its source (Petit is the 9th French surname). The
lists are the same on every run for the same inputs: sorted, one word a line, a comment header.

Raw sources are not committed (8 MB); their SHA-256 are printed and named in README.md.
"""

import argparse
import csv
import hashlib
import io
import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))

PARTICLES = {
    "van", "de", "der", "den", "het", "ter", "ten", "te", "in", "'t", "'s", "le", "la", "les",
    "du", "des", "di", "da", "von", "op", "aan", "uit", "d'", "l'", "vanden", "vande", "zu",
    "dos", "das", "del", "della", "dei", "el", "al", "ben", "ait", "abou", "bou", "y", "e", "mc",
    "st", "saint", "sainte", "autres", "noms",
}

DICTS = ["american-english", "british-english", "french", "ngerman", "dutch"]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_member(path, suffix):
    """The text of `path`, or of its member ending in `suffix` when it is a zip."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.lower().endswith(suffix)]
            if not names:
                sys.exit(f"{path}: no member ending in {suffix}")
            return z.read(names[0]).decode("utf-8")
    with open(path, encoding="utf-8") as f:
        return f.read()


def lower_only_words():
    """Words the dictionaries hold only in lower case (never as a proper noun)."""
    lower, capital = set(), set()
    found = False
    for name in DICTS:
        path = os.path.join("/usr/share/dict", name)
        if not os.path.exists(path):
            continue
        found = True
        with open(path, encoding="utf-8", errors="replace") as f:
            for w in f:
                w = w.strip()
                if not w or w.endswith("'s"):
                    continue
                if w[0].islower():
                    lower.add(w)
                else:
                    capital.add(w.lower())
    if not found:
        sys.exit("no word lists in /usr/share/dict: apt-get install wamerican wbritish wfrench wngerman wdutch")
    return lower - capital


def words_of(name):
    for part in name.replace("-", " ").split():
        # D'ALMEIDA stays d'almeida: the lexicon is looked up with the elision, as text has it.
        w = part.strip().lower()
        if w in PARTICLES or len(w) < 2 or any(c.isdigit() for c in w):
            continue
        if not all(c.isalpha() or c == "'" for c in w):
            continue
        yield w


def build(ranked, keep_top, everyday):
    """ranked: surnames, most frequent first. Returns the sorted set of kept words."""
    out = set()
    for rank, name in enumerate(ranked):
        for w in words_of(name):
            if w in everyday and rank >= keep_top:
                continue
            out.add(w)
    return sorted(out)


def write(file_name, header, words):
    path = os.path.join(HERE, file_name)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for line in header:
            f.write(f"# {line}\n" if line else "#\n")
        f.write(f"# {len(words)} words. Rebuilt by rules/lexicons/build_surnames.py; do not edit.\n")
        for w in words:
            f.write(w + "\n")
    print(f"{file_name}: {len(words)} words")


def insee(path, top):
    text = read_member(path, ".txt")
    totals = []
    rows = csv.reader(io.StringIO(text), delimiter="\t")
    next(rows)
    for row in rows:
        if not row or row[0] == "AUTRES NOMS":
            continue
        totals.append((-sum(int(x) for x in row[1:]), row[0]))
    totals.sort()
    return [name for _, name in totals[:top]]


def us_census(path, top):
    text = read_member(path, ".csv")
    ranked = []
    for row in csv.DictReader(io.StringIO(text)):
        try:
            rank = int(row["rank"])
            int(row["count"])
        except (KeyError, TypeError, ValueError):
            continue  # a cut-off last line, or the ALL OTHER NAMES total
        ranked.append((rank, row["name"]))
    ranked.sort()
    return [name for _, name in ranked[:top]]


def statbel(path):
    seen, ranked = set(), []
    with open(path, encoding="utf-8") as f:
        rows = [l.rstrip("\n").split("\t") for l in f if not l.startswith("#")]
    for region, rank, name, count in sorted(rows[1:], key=lambda r: -int(r[3])):
        if name not in seen:
            seen.add(name)
            ranked.append(name)
    return ranked


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--insee", required=True, help="noms2008nat_txt.txt or its zip")
    ap.add_argument("--us-census", required=True, help="Names_2010Census.csv or names.zip")
    ap.add_argument("--insee-top", type=int, default=50000)
    ap.add_argument("--us-top", type=int, default=1000)
    ap.add_argument("--keep-top", type=int, default=1000)
    a = ap.parse_args()
    everyday = lower_only_words()
    print(f"insee source sha256 {sha256(a.insee)}")
    print(f"us-census source sha256 {sha256(a.us_census)}")

    ranked = insee(a.insee, a.insee_top)
    write(
        "surnames_fr_insee.txt",
        [
            "French surname words, lower-case, without particles (LE GALL gives gall). Source:",
            "INSEE, Les noms de famille en France entre 1891 et 2000 (noms2008nat_txt.txt,",
            "https://www.insee.fr/fr/statistiques/3536630), Licence Ouverte (Etalab): see",
            f"LICENSE-insee-noms-Licence-Ouverte-2.0. The {len(ranked)} surnames with the most births",
            "1891-2000; INSEE writes them in capitals without accents.",
        ],
        build(ranked, a.keep_top, everyday),
    )
    ranked = us_census(a.us_census, a.us_top)
    write(
        "surnames_en_uscensus.txt",
        [
            "English-language surname words, lower-case. Source: U.S. Census Bureau, surnames",
            "of the 2010 census (Names_2010Census.csv), public domain: see",
            f"LICENSE-us-census-public-domain. The {len(ranked)} most frequent.",
        ],
        build(ranked, a.keep_top, everyday),
    )
    ranked = statbel(os.path.join(HERE, "sources", "statbel_familienamen_2016_top10.tsv"))
    write(
        "surnames_be_statbel.txt",
        [
            "Belgian surname words, lower-case. Source: Statbel, the most frequent surnames of",
            "2016 in Belgium and its regions (sources/statbel_familienamen_2016_top10.tsv):",
            "see LICENSE-statbel-open-data.",
        ],
        build(ranked, a.keep_top, everyday),
    )


if __name__ == "__main__":
    main()
