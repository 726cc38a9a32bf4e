//! Column classification: which kind of personal data a column of a table holds, from its
//! name and from its values, with a reason a person can read ("9,212 of 10,000 sampled values
//! match nl.bsn (11-proef); column name 'bsn'").
//!
//! Values: each sampled cell goes through the text engine; the share of non-empty cells in
//! which a rule matches decides (at least half, far above the chance rate of checksum rules:
//! about 1 in 11 random 9-digit numbers pass the 11-proef). Names: normalised column names are
//! looked up in `rules/lexicons/column_names.txt` and in the rules' own `column_names`;
//! ambiguous names ("name", "title") need support from the values or from a table of people.
//! A column `email_sent` of booleans is not an e-mail column; `col7` full of valid BSNs is.

use crate::finding::Confidence;
use crate::ruleset::RuleSet;
use foldhash::fast::RandomState as FastState;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// What a column name says.
#[derive(Debug, Clone)]
pub struct NameHint {
    /// The category.
    pub category: String,
    /// The rule whose `column_names` listed it, if any.
    pub rule: Option<usize>,
    /// The name alone is not enough ("name", "title").
    pub ambiguous: bool,
}

impl NameHint {
    /// Does the name say the column holds places (a town, a postcode, coordinates)? Then a
    /// person's name found in its cells by its shape alone names a place ("Franklin Park",
    /// "Santo André", "Victoria Valley"), and is not reported; one with evidence (a label, a
    /// title) still is. Street and address columns are not counted:
    /// an address field can hold its addressee ("t.a.v. J. Jansen, Kerkstraat 1").
    pub fn holds_places(&self) -> bool {
        matches!(
            self.category.as_str(),
            "user.contact.address.city" | "user.contact.address.postal_code"
        ) || self.category.starts_with("user.location.")
    }
}

/// Column-name knowledge: the lexicon plus the rules' `column_names`.
#[derive(Debug, Default)]
pub struct ColumnNames {
    names: HashMap<String, NameHint>,
}

const PREFIXES: &[&str] = &[
    "billing", "shipping", "delivery", "invoice", "home", "work", "private", "prive", "primary",
    "contact", "factuur", "bezorg", "thuis", "werk", "customer", "klant", "user", "employee",
];

/// Lower case, letters and digits only: `First_Name` → `firstname`.
pub fn normalise(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The words of a column name, lower-cased: snake_case, kebab-case, spaces, dots, camelCase and
/// PascalCase are split (`GivenName`, `givenName`, `given-name`, `given_name` all give
/// `["given", "name"]`; `SSNNumber` gives `["ssn", "number"]`; `address2` gives `["address",
/// "2"]`).
pub fn split_words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if let Some(&prev) = cur.chars().last().as_ref() {
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let boundary = (prev.is_lowercase() && c.is_uppercase())
                || (prev.is_uppercase() && c.is_uppercase() && next_lower)
                || (prev.is_ascii_digit() != c.is_ascii_digit());
            if boundary {
                words.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words.into_iter().map(|w| w.to_lowercase()).collect()
}

impl ColumnNames {
    /// The built-in knowledge for a rule set.
    pub fn new(rules: &RuleSet) -> ColumnNames {
        let mut names = HashMap::new();
        for (_, text) in crate::ruleset::embedded::EMBEDDED_LEXICONS
            .iter()
            .filter(|(p, _)| p.ends_with("column_names.txt"))
        {
            for line in text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
            {
                let Some((category, words)) = line.split_once(':') else {
                    continue;
                };
                let rule = rules
                    .rules
                    .iter()
                    .position(|r| &*r.category == category.trim());
                for w in words.split_whitespace() {
                    let (ambiguous, w) = match w.strip_prefix('*') {
                        Some(w) => (true, w),
                        None => (false, w),
                    };
                    names.insert(
                        w.to_string(),
                        NameHint {
                            category: category.trim().to_string(),
                            rule,
                            ambiguous,
                        },
                    );
                }
            }
        }
        // The rules' own column names fill gaps; the lexicon's entries (and their ambiguity
        // marks) stand.
        for (i, r) in rules.rules.iter().enumerate() {
            for n in &r.def.column_names {
                names.entry(normalise(n)).or_insert_with(|| NameHint {
                    category: r.category.to_string(),
                    rule: Some(i),
                    ambiguous: false,
                });
            }
        }
        ColumnNames { names }
    }

    /// The hint for a column name, if it has one. The whole name is looked up first
    /// (normalised: `First_Name` is `firstname`), then without a known prefix (`billing_`,
    /// `home_`), then the name's last words (`customer_given_name` → `givenname`,
    /// `employee_sofinummer` → `sofinummer`): a tail is taken only when it is unambiguous, so
    /// that `company_name` or `file_name` never become a person's name.
    pub fn hint(&self, column: &str) -> Option<&NameHint> {
        let n = normalise(column);
        let trimmed = n.trim_end_matches(|c: char| c.is_ascii_digit());
        if let Some(h) = self.names.get(&n).or_else(|| self.names.get(trimmed)) {
            return Some(h);
        }
        let prefixed = PREFIXES.iter().find_map(|p| {
            trimmed
                .strip_prefix(p)
                .filter(|rest| rest.len() >= 2)
                .and_then(|rest| self.names.get(rest))
        });
        if prefixed.is_some() {
            return prefixed;
        }
        let mut words = split_words(column);
        while words
            .last()
            .is_some_and(|w| w.chars().all(|c| c.is_ascii_digit()))
        {
            words.pop();
        }
        (1..words.len()).find_map(|i| {
            let tail: String = words[i..].concat();
            self.names
                .get(&tail)
                .filter(|h| !h.ambiguous && tail.len() >= 3)
        })
    }
}

/// Words of job titles, for the ambiguous column name "title".
const JOB_WORDS: &[&str] = &[
    "manager",
    "engineer",
    "agent",
    "director",
    "staff",
    "assistant",
    "developer",
    "consultant",
    "officer",
    "specialist",
    "sales",
    "support",
    "medewerker",
    "adviseur",
    "directeur",
    "hoofd",
    "coordinator",
    "analyst",
    "administrator",
    "clerk",
    "nurse",
    "verpleegkundige",
    "docent",
    "teacher",
    "owner",
    "president",
    "ceo",
    "cto",
    "cfo",
    "accountant",
];

/// Table names that hold people, so that "name" there means a person's name.
const PEOPLE_TABLES: &[&str] = &[
    "customer",
    "client",
    "klant",
    "employee",
    "medewerker",
    "werknemer",
    "personeel",
    "staff",
    "user",
    "gebruiker",
    "contact",
    "person",
    "persoon",
    "member",
    "lid",
    "leden",
    "patient",
    "student",
    "leerling",
    "relatie",
    "lead",
    "prospect",
    "subscriber",
    "abonnee",
    "applicant",
    "sollicitant",
    "debiteur",
    "supplier",
    "leverancier",
];

/// Whether a table (or file) name speaks of people.
pub fn is_people_table(table: &str) -> bool {
    let n = normalise(table);
    PEOPLE_TABLES.iter().any(|t| n.contains(t))
}

/// What is known about one column after sampling.
#[derive(Debug, Default, Clone)]
pub struct ColumnProfile {
    /// Rows seen.
    pub rows: u64,
    /// Non-empty cells seen.
    pub non_empty: u64,
    /// Distinct values (hashes), up to a cap. Hashed with foldhash, seeded per process: a
    /// cell is hashed once, fast, and crafted values cannot pile up in one bucket.
    distinct: HashSet<u64, FastState>,
    /// Per rule index: cells with a match, cells that are a match as a whole, and the
    /// highest confidence.
    pub rule_hits: HashMap<usize, (u64, u64, Confidence), FastState>,
    /// Masked examples per rule (at most three).
    pub examples: HashMap<usize, Vec<String>, FastState>,
    /// Cells whose words include a known first name or surname.
    pub name_like: u64,
    /// Cells with a job-title word.
    pub job_like: u64,
}

const DISTINCT_CAP: usize = 100_000;

impl ColumnProfile {
    /// Records one cell (`None` or empty: nothing but the row).
    pub fn cell(&mut self, value: Option<&[u8]>, rules: &RuleSet) {
        self.rows += 1;
        let Some(v) = value.filter(|v| !v.iter().all(u8::is_ascii_whitespace)) else {
            return;
        };
        self.non_empty += 1;
        if self.distinct.len() < DISTINCT_CAP {
            use std::hash::BuildHasher;
            let h = self.distinct.hasher().hash_one(v);
            self.distinct.insert(h);
        }
        let words = v.split(|&b| b == b' ' || b == b'-' || b == b',');
        let several = words.clone().filter(|w| !w.is_empty()).nth(1).is_some();
        let mut name_like = false;
        let mut job_like = false;
        for w in words.filter(|w| !w.is_empty()) {
            // One word alone must be a given name: the surname list is large enough to hold
            // most capitalised words ("Rock" of a genre table).
            if w[0].is_ascii_uppercase()
                && (rules.lexicons.is_first_name(w) || (several && rules.lexicons.is_surname(w)))
            {
                name_like = true;
            }
            if JOB_WORDS
                .iter()
                .any(|j| j.as_bytes().eq_ignore_ascii_case(w))
            {
                job_like = true;
            }
        }
        self.name_like += u64::from(name_like);
        self.job_like += u64::from(job_like);
    }

    /// Records that `rule` matched in the current cell (once per cell and rule); `whole` when
    /// the match is (nearly) the whole cell.
    pub fn matched(
        &mut self,
        rule: usize,
        confidence: Confidence,
        whole: bool,
        masked: impl FnOnce() -> String,
    ) {
        let e = self.rule_hits.entry(rule).or_insert((0, 0, confidence));
        e.0 += 1;
        e.1 += u64::from(whole);
        e.2 = e.2.max(confidence);
        let ex = self.examples.entry(rule).or_default();
        if ex.len() < 3 {
            let m = masked();
            if !ex.contains(&m) {
                ex.push(m);
            }
        }
    }

    /// Distinct non-empty values seen (exact up to 100,000).
    pub fn distinct(&self) -> u64 {
        self.distinct.len() as u64
    }
}

/// The judgement on one column: one line of the inventory.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnVerdict {
    /// Table name.
    pub table: String,
    /// Column name.
    pub column: String,
    /// Taxonomy category.
    pub category: String,
    /// The rule whose values decided, or `column_name` when the name did.
    pub rule: String,
    /// Cells that match (for a name verdict: non-empty cells).
    pub count: u64,
    /// Rows scanned.
    pub rows_scanned: u64,
    /// `count` / non-empty cells.
    pub share: f64,
    /// Distinct non-empty values among the sampled cells (exact up to 100,000).
    pub distinct: u64,
    /// How sure.
    pub confidence: Confidence,
    /// Why, in words.
    pub reason: String,
    /// Masked examples.
    pub examples: Vec<String>,
    /// Set when the table was read in part (`--sample-rows`): the verdict rests on a sample.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sampled: Option<SampledRows>,
    /// The values mention the data inside longer text (a ticket body with an e-mail address
    /// in it) rather than being it; a column whose verdicts all mention is free text.
    #[serde(skip)]
    pub mention: bool,
}

/// How much of a table a sample covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct SampledRows {
    /// Rows read.
    pub read: u64,
    /// Rows the table holds, when the reader knows it without reading them (SQLite, Parquet,
    /// workbooks); `None` for streamed formats, where only "more followed" is known.
    pub total: Option<u64>,
}

impl SampledRows {
    /// `10,000 of 25,000 rows` or `the first 10,000 rows`.
    pub fn describe(&self) -> String {
        match self.total {
            Some(t) => format!(
                "{} of {} {}",
                thousands(self.read),
                thousands(t),
                if t == 1 { "row" } else { "rows" }
            ),
            None if self.read == 1 => "the first row (more followed)".to_string(),
            None => format!("the first {} rows (more followed)", thousands(self.read)),
        }
    }
}

/// Matching values needed before a reason compares them with the checksum's chance rate.
const CHANCE_CLAIM_MIN: u64 = 20;

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What a column holds by its name alone, for a table whose rows were not read
/// (`--schema-only`): a name that means a category on its own is `medium`; one that needs its
/// values to agree ("naam", "title") is `low`, unless the table is about people. `None`: the
/// name says nothing.
pub fn judge_by_name(table: &str, column: &str, names: &ColumnNames) -> Option<ColumnVerdict> {
    let h = names.hint(column)?;
    let people = h.category == "user.name" && is_people_table(table);
    let (confidence, means) = if h.ambiguous && !people {
        (Confidence::Low, "may mean")
    } else {
        (Confidence::Medium, "means")
    };
    Some(ColumnVerdict {
        table: table.to_string(),
        column: column.to_string(),
        category: h.category.clone(),
        rule: "column_name".to_string(),
        count: 0,
        rows_scanned: 0,
        share: 0.0,
        distinct: 0,
        confidence,
        reason: format!(
            "column name '{column}' {means} {}; no rows were read (--schema-only)",
            h.category
        ),
        examples: Vec::new(),
        sampled: None,
        mention: false,
    })
}

/// Decides what a column holds. Returns the verdicts: at most one for the column as a whole,
/// plus one per other rule that matched some cells (free text mentioning an e-mail address).
pub fn judge(
    table: &str,
    column: &str,
    p: &ColumnProfile,
    names: &ColumnNames,
    rules: &RuleSet,
) -> Vec<ColumnVerdict> {
    let mut out = Vec::new();
    if p.non_empty == 0 {
        return out;
    }
    let hint = names.hint(column);
    let share = |n: u64| n as f64 / p.non_empty as f64;
    // Whole-cell matches decide what a column is; mentions inside longer text only show what
    // it contains.
    let mut by_share: Vec<(usize, u64, u64, Confidence)> = p
        .rule_hits
        .iter()
        .map(|(&r, &(n, w, c))| (r, n, w, c))
        .collect();
    by_share.sort_by(|a, b| b.2.cmp(&a.2).then(b.1.cmp(&a.1)).then(a.0.cmp(&b.0)));
    let verdict = |category: &str,
                   rule: &str,
                   count: u64,
                   confidence: Confidence,
                   reason: String,
                   examples: Vec<String>| ColumnVerdict {
        table: table.to_string(),
        column: column.to_string(),
        category: category.to_string(),
        rule: rule.to_string(),
        count,
        rows_scanned: p.rows,
        share: (share(count) * 1000.0).round() / 1000.0,
        distinct: p.distinct(),
        confidence,
        reason,
        examples,
        sampled: None,
        mention: false,
    };
    let mut decided: Option<usize> = None;
    if let Some(&(r, _, n, c)) = by_share.first() {
        let rule = &rules.rules[r];
        if share(n) >= 0.5 {
            let agrees = hint.is_some_and(|h| h.category == *rule.category);
            let validated = rule
                .validator
                .map(|v| format!(" ({})", v.name()))
                .unwrap_or_default();
            let mut reason = if p.non_empty == 1 {
                format!("its one value matches {}{validated}", rule.id)
            } else {
                format!(
                    "{} of {} sampled values {} {}{validated}, {} distinct",
                    thousands(n),
                    thousands(p.non_empty),
                    if n == 1 { "matches" } else { "match" },
                    rule.id,
                    thousands(p.distinct())
                )
            };
            // A chance rate says something about many values, not about a handful.
            if n >= CHANCE_CLAIM_MIN
                && rule
                    .validator
                    .is_some_and(|v| v == crate::ruleset::validate::Validator::NlBsn)
            {
                reason.push_str(", far above the 1 in 11 that pass the 11-proef by chance");
            }
            if agrees {
                reason.push_str(&format!("; column name '{column}'"));
            }
            let confidence = if agrees || share(n) >= 0.8 {
                Confidence::High
            } else {
                c.max(Confidence::Medium)
            };
            out.push(verdict(
                &rule.category,
                &rule.id,
                n,
                confidence,
                reason,
                p.examples.get(&r).cloned().unwrap_or_default(),
            ));
            decided = Some(r);
        }
    }
    if decided.is_none() {
        if let Some(h) = hint {
            let support = match h.category.as_str() {
                "user.name" => share(p.name_like) >= 0.2 || is_people_table(table),
                "user.job_title" => share(p.job_like) >= 0.3,
                _ => false,
            };
            if !h.ambiguous || support {
                let mut reason = format!("column name '{column}' means {}", h.category);
                if h.ambiguous {
                    reason.push_str(if h.category == "user.name" {
                        ", and the values or the table are about people"
                    } else {
                        ", and the values agree"
                    });
                }
                out.push(verdict(
                    &h.category,
                    "column_name",
                    p.non_empty,
                    Confidence::Medium,
                    reason,
                    Vec::new(),
                ));
            }
        }
    }
    // Other rules that matched some cells: personal data inside free text or mixed columns.
    for &(r, n, _, c) in &by_share {
        if Some(r) == decided
            || (decided.is_none() && hint.is_some_and(|h| h.rule == Some(r) && !out.is_empty()))
        {
            continue;
        }
        let rule = &rules.rules[r];
        // A few matches say little about a column: song titles with a first name in them, a
        // bare 9-digit number. Free text must mention the data often enough, and more often
        // for the rules that rest on lexicons and shapes than for checksummed identifiers.
        // A special category (art. 9) or criminal data (art. 10) counts whenever it is there:
        // one diagnosis in 300 ticket bodies is health data all the same. Addresses, postcodes
        // and birth dates mentioned in a minority of free-text cells stay too (from 3 cells and
        // a tenth); names, which song and product titles hold, need a third.
        let special = crate::register::labels::is_special(&rule.category)
            || crate::register::labels::is_criminal(&rule.category);
        let (floor, min_cells) = match &*rule.id {
            _ if special => (0.0, 1),
            "person_name" => (0.3, 1),
            "street_address" | "date_of_birth" | "nl.postcode" => (0.1, 3),
            _ => (0.05, 1),
        };
        if c < Confidence::Medium || share(n) < floor || n < min_cells {
            continue;
        }
        let reason = if p.non_empty == 1 {
            format!("its one value contains {}", rule.id)
        } else {
            format!(
                "{} of {} sampled values {} {}",
                thousands(n),
                thousands(p.non_empty),
                if n == 1 { "contains" } else { "contain" },
                rule.id
            )
        };
        let mut v = verdict(
            &rule.category,
            &rule.id,
            n,
            c,
            reason,
            p.examples.get(&r).cloned().unwrap_or_default(),
        );
        v.mention = true;
        out.push(v);
    }
    out
}

/// Data subjects guessed from table, file and folder names (register.md §4.2), with the token
/// that decided; `unknown` when nothing fits, never a silent default.
pub fn guess_subject(path: &str, table: Option<&str>) -> (&'static str, String) {
    const SUBJECTS: &[(&str, &[&str])] = &[
        (
            "employee",
            &[
                "employee",
                "staff",
                "personnel",
                "payroll",
                "medewerker",
                "werknemer",
                "personeel",
                "salaris",
                "verzuim",
                "hr",
            ],
        ),
        (
            "job_applicant",
            &[
                "applicant",
                "candidate",
                "recruitment",
                "sollicitant",
                "kandidaat",
                "werving",
            ],
        ),
        ("patient", &["patient", "patiënt", "medical", "behandeling"]),
        ("student", &["student", "pupil", "leerling", "cursist"]),
        (
            "subscriber",
            &[
                "subscriber",
                "newsletter",
                "mailinglist",
                "abonnee",
                "nieuwsbrief",
            ],
        ),
        ("member", &["member", "membership", "leden", "lid"]),
        (
            "prospect",
            &["lead", "prospect", "offerteaanvraag", "contactformulier"],
        ),
        (
            "customer",
            &[
                "customer",
                "client",
                "buyer",
                "klant",
                "klanten",
                "debiteur",
                "afnemer",
                "invoice",
                "factuur",
                "order",
                "bestelling",
            ],
        ),
        (
            "supplier_vendor",
            &["supplier", "vendor", "creditor", "leverancier", "crediteur"],
        ),
        (
            "visitor",
            &[
                "visitor",
                "session",
                "pageview",
                "access",
                "analytics",
                "bezoeker",
                "sessie",
            ],
        ),
        (
            "user",
            &[
                "user",
                "users",
                "account",
                "profile",
                "gebruiker",
                "profiel",
                "login",
            ],
        ),
        ("donor", &["donor", "donation", "donateur", "schenking"]),
        ("tenant", &["tenant", "lease", "huurder"]),
    ];
    let mut sources: Vec<String> = Vec::new();
    if let Some(t) = table {
        sources.push(t.to_lowercase());
    }
    sources.extend(path.rsplit('/').map(str::to_lowercase));
    for source in &sources {
        let tokens: Vec<&str> = source
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .collect();
        for (subject, words) in SUBJECTS {
            if let Some(w) = tokens.iter().find(|t| {
                words.iter().any(|w| {
                    *t == w || t.strip_suffix('s') == Some(w) || t.starts_with(w) && w.len() >= 5
                })
            }) {
                // The name as outputs show it: personal data in it masked.
                let shown = crate::names::mask(source);
                return (subject, format!("name '{shown}' contains '{w}'"));
            }
        }
    }
    (
        "unknown",
        "no table, file or folder name says whose data this is".to_string(),
    )
}

#[cfg(test)]
mod column_name_tests {
    use super::*;

    #[test]
    fn column_names_are_split_into_words() {
        assert_eq!(split_words("GivenName"), ["given", "name"]);
        assert_eq!(split_words("givenName"), ["given", "name"]);
        assert_eq!(split_words("given-name"), ["given", "name"]);
        assert_eq!(split_words("given_name"), ["given", "name"]);
        assert_eq!(split_words("Given Name"), ["given", "name"]);
        assert_eq!(split_words("SSNNumber"), ["ssn", "number"]);
        assert_eq!(split_words("address2"), ["address", "2"]);
    }

    #[test]
    fn real_schemas_column_names_have_their_categories() {
        let rules = RuleSet::builtin().expect("built-in rules");
        let names = ColumnNames::new(&rules);
        let cat = |c: &str| names.hint(c).map(|h| h.category.clone());
        for (column, category) in [
            ("GivenName", "user.name"),
            ("given-name", "user.name"),
            ("middle_name", "user.name"),
            ("FamilyName", "user.name"),
            ("maidenName", "user.name"),
            ("account_holder", "user.name"),
            ("rekeninghouder", "user.name"),
            ("Tenaamstelling", "user.name"),
            ("customer_given_name", "user.name"),
            ("nationality", "user.demographic.nationality"),
            ("SSN", "user.government_id.national_identification_number"),
            (
                "national_id",
                "user.government_id.national_identification_number",
            ),
            (
                "employee_sofinummer",
                "user.government_id.national_identification_number.nl_bsn",
            ),
            (
                "rijksregisternummer",
                "user.government_id.national_identification_number.be_rrn",
            ),
            ("passport_no", "user.government_id.passport_number"),
            ("IdCardNumber", "user.government_id.passport_number"),
            ("cvv", "user.financial.credit_card"),
            ("CVC2", "user.financial.credit_card"),
            ("userName", "user.account.username"),
            ("login", "user.account.username"),
            ("device_id", "user.device.device_id"),
            ("latitude", "user.location.precise"),
            ("lng", "user.location.precise"),
            ("gross_salary", "user.financial.income"),
            ("religion", "user.demographic.religious_belief"),
            ("health_status", "user.health_and_medical"),
            ("verzuimreden", "user.health_and_medical"),
        ] {
            assert_eq!(cat(column).as_deref(), Some(category), "{column}");
        }
        for column in [
            "company_name",
            "file_name",
            "product_name",
            "hostname",
            "order_id",
        ] {
            let h = names.hint(column);
            assert!(h.is_none_or(|h| h.ambiguous), "{column}: {h:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(values: &[&str], rules: &RuleSet) -> ColumnProfile {
        let engine = crate::detect::Engine::new(rules, Confidence::Low, false);
        let mut scratch = engine.scratch();
        let mut p = ColumnProfile::default();
        for v in values {
            p.cell(Some(v.as_bytes()), rules);
            let mut seen = HashSet::new();
            engine.scan(&mut scratch, v.as_bytes(), 0, v.len(), |h| {
                if seen.insert(h.rule) {
                    p.matched(h.rule, h.confidence, h.end - h.start == v.len(), || {
                        "x".to_string()
                    });
                }
            });
        }
        p
    }

    #[test]
    fn names_are_normalised_and_prefixes_stripped() {
        let rules = RuleSet::builtin().unwrap();
        let names = ColumnNames::new(&rules);
        assert_eq!(names.hint("First_Name").unwrap().category, "user.name");
        assert_eq!(
            names.hint("BillingPostalCode").unwrap().category,
            "user.contact.address.postal_code"
        );
        assert_eq!(
            names.hint("address_line_1").unwrap().category,
            "user.contact.address.street"
        );
        assert_eq!(
            names.hint("telefoon2").unwrap().category,
            "user.contact.phone_number"
        );
        assert!(names.hint("email_sent").is_none());
        assert!(names.hint("name").unwrap().ambiguous);
    }

    /// A ticket body column: e-mail addresses in most cells, street addresses in a fifth, one
    /// burn-out. Every category stays, with its count; before, the addresses (below a third)
    /// and the health mention were dropped.
    #[test]
    fn minority_categories_of_a_free_text_column_stay() {
        let rules = RuleSet::builtin().expect("rules");
        let names = ColumnNames::new(&rules);
        let mut cells: Vec<String> = (0..30)
            .map(|i| format!("Vraag over bestelling {i}, mail naar klant{i}@voorbeeld.nl"))
            .collect();
        for (i, c) in cells.iter_mut().enumerate().take(6) {
            *c = format!("Bezorgen op Kerkstraat {}, 3511 AB Utrecht", i + 2);
        }
        cells[29] = "Klant meldt zich ziek met een burn-out, later terugbellen".into();
        let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        let v = judge("tickets", "body", &profile(&refs, &rules), &names, &rules);
        let cats: Vec<&str> = v.iter().map(|v| v.category.as_str()).collect();
        for want in [
            "user.contact.email",
            "user.contact.address.street",
            "user.health_and_medical",
        ] {
            assert!(cats.contains(&want), "{want} missing from {cats:?}");
        }
    }

    #[test]
    fn values_decide_where_names_say_nothing() {
        let rules = RuleSet::builtin().unwrap();
        let names = ColumnNames::new(&rules);
        let bsns = profile(&["111222333", "123456782", "100000009", "Onbekend"], &rules);
        let v = judge("export", "col7", &bsns, &names, &rules);
        assert_eq!(v[0].rule, "nl.bsn");
        assert!(
            v[0].reason.contains("3 of 4 sampled values match nl.bsn"),
            "{}",
            v[0].reason
        );
        assert!(
            !v[0].reason.contains("by chance"),
            "three values say nothing about a chance rate: {}",
            v[0].reason
        );
        let one = profile(&["111222333"], &rules);
        let v = judge("export", "col7", &one, &names, &rules);
        assert_eq!(v[0].reason, "its one value matches nl.bsn (nl_bsn)");
        let many: Vec<String> = (0..40).map(|_| "111222333".to_string()).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let v = judge("export", "col7", &profile(&many, &rules), &names, &rules);
        assert!(
            v[0].reason.ends_with("that pass the 11-proef by chance"),
            "{}",
            v[0].reason
        );
        let flags = profile(&["true", "false", "true"], &rules);
        assert!(judge("export", "email_sent", &flags, &names, &rules).is_empty());
        let genres = profile(&["Rock", "Jazz", "Metal", "Alternative & Punk"], &rules);
        assert!(
            judge("genre", "name", &genres, &names, &rules).is_empty(),
            "'name' of a genre is no person"
        );
        let people = profile(&["Rock", "Jazz"], &rules);
        assert_eq!(
            judge("customers", "name", &people, &names, &rules)[0].category,
            "user.name"
        );
    }
}
