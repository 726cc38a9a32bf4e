//! `piiscan anonymise --suggest-policy`: a starter policy from a scan. Every column with
//! personal data gets an entry with a method that suits its category and a comment saying
//! why; text rules found get `[[text]]` entries. People review it before use: a suggestion
//! is not a risk assessment.

use super::plan::Detection;
use std::fmt::Write;

/// The method suggested for a rule or category, with its parameters as TOML lines.
/// `typed` inputs (dumps, SQLite, workbooks) get methods that keep a column's type: a date stays a date.
fn method_for(rule: &str, category: &str, typed: bool) -> (&'static str, &'static str) {
    const TOKEN: &str = "format = \"base32\"\nlength = 16";
    const REDACT: &str = "value = \"\"   # empty text; remove this line for NULL";
    match rule {
        "email" => (
            "hmac",
            "format = \"base32\"\nlength = 16\nkey_label = \"email\"",
        ),
        "phone" => (
            "hmac",
            "format = \"base32\"\nlength = 16\nkey_label = \"phone\"",
        ),
        "nl.bsn" | "be.national_number" => (
            "hmac",
            "format = \"base32\"\nlength = 16\nkey_label = \"national_id\"",
        ),
        "iban" | "credit_card" => (
            "hmac",
            "format = \"base32\"\nlength = 16\nkey_label = \"account\"",
        ),
        "ipv4" | "ipv6" => ("ip_truncate", "ipv4_prefix = 24\nipv6_prefix = 48"),
        "nl.postcode" => ("generalise", "to = \"postcode4\""),
        "street_address" | "person_name" => ("redact", REDACT),
        "mac_address" | "ga_client_id" | "nl.licence_plate" | "nl.id_document" => ("hmac", TOKEN),
        _ if category.contains("date_of_birth") || rule == "date_of_birth" => {
            if typed {
                (
                    "date_shift",
                    "max_days = 180   # or generalise to = \"age_band\" where the column is text",
                )
            } else {
                ("generalise", "to = \"age_band\"\nband = 10")
            }
        }
        _ if category.contains("email") => (
            "hmac",
            "format = \"base32\"\nlength = 16\nkey_label = \"email\"",
        ),
        _ if category.contains("phone") => (
            "hmac",
            "format = \"base32\"\nlength = 16\nkey_label = \"phone\"",
        ),
        _ if category.contains("postal_code") => ("generalise", "to = \"postcode4\""),
        _ if category.contains("unique_id") || category.contains("account") => (
            "hmac",
            "format = \"base32\"\nlength = 16\nkey_label = \"id\"",
        ),
        _ if category.contains("ip_address") => {
            ("ip_truncate", "ipv4_prefix = 24\nipv6_prefix = 48")
        }
        _ => ("redact", REDACT),
    }
}

/// The name a policy gives a table: a date or timestamp in it (digit groups joined by `-`,
/// `_`, `.`, `T` or `:`, starting with four digits or of three groups or more) becomes `*`,
/// so the entry matches next month's file too (`events-2024-05` gives `events-*`); other
/// names stay as they are (`table1`, `v2_users_007`).
pub fn table_glob(table: &str) -> String {
    let chars: Vec<char> = table.chars().collect();
    let mut out = String::with_capacity(table.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // The digit groups from here, with single separators between them.
        let mut groups: Vec<usize> = Vec::new();
        let mut j = i;
        let mut end = i;
        loop {
            let from = j;
            while chars.get(j).is_some_and(char::is_ascii_digit) {
                j += 1;
            }
            groups.push(j - from);
            end = end.max(j);
            let separated = chars
                .get(j)
                .is_some_and(|c| matches!(c, '-' | '_' | '.' | 'T' | ':'))
                && chars.get(j + 1).is_some_and(char::is_ascii_digit);
            if !separated {
                break;
            }
            j += 1;
        }
        if groups[0] >= 4 || groups.len() >= 3 {
            out.push('*');
            i = end;
        } else {
            // Not a date from here: the first group stays, the rest is looked at again.
            out.extend(&chars[i..i + groups[0]]);
            i += groups[0];
        }
    }
    out
}

/// `name` as a policy glob that matches it and what a mask or a date made a wildcard: the
/// characters a glob reads as syntax (`?`, `[`, `]`, `{`, `}`) escaped, `*` kept (a mask's
/// stars and [`table_glob`]'s dates). Without this, a column `score[2]` or `a{b,c}` would be a
/// pattern matching other columns, or none.
pub fn literal_glob(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '?' | '[' | ']' | '{' | '}' => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
            c => out.push(c),
        }
    }
    out
}

/// A starter policy (TOML with comments) for what `found` holds. `typed` holds the tables
/// (lower-cased) of dumps and SQLite databases: their columns get methods that keep a type.
pub fn policy(input: &str, found: &Detection, typed: &std::collections::HashSet<String>) -> String {
    let mut out = String::new();
    let input = crate::names::mask(input);
    let _ = writeln!(
        out,
        "# Starter policy suggested by piiscan from a scan of {input}.\n\
         # Review every entry: methods are chosen by category, not by your purpose.\n\
         # hmac, ip_prefix_preserving and date_shift need a key: --key-file FILE or PIISCAN_KEY.\n\
         # Entries with the same key_label give the same pseudonym for the same value\n\
         # (joins between tables and files survive).\n\
         on_unlisted = \"fail\"\n"
    );
    let mut seen = std::collections::HashSet::new();
    // With several tables, name columns as table.column, so `title` in one table does not
    // pick `title` in another.
    let tables: std::collections::HashSet<&str> =
        found.verdicts.iter().map(|v| v.table.as_str()).collect();
    let qualified = tables.len() > 1;
    // Rules whose spans need a [[text]] entry: found in text, or inside free-text cells.
    let mut text: std::collections::BTreeMap<&str, (&str, u64, bool)> = found
        .text
        .iter()
        .map(|(r, (c, n))| (r.as_str(), (c.as_str(), *n, false)))
        .collect();
    for v in &found.verdicts {
        // Names as every output shows them (see `crate::names`): personal data in a table's or
        // a column's name masked. A mask keeps the separators and turns the rest into `*`, so
        // as a glob it still matches the name it masks.
        let table = crate::names::mask(&v.table);
        let column = crate::names::mask(&v.column);
        let key = format!("{table}.{column}");
        let glob = format!("{}.{column}", table_glob(&table));
        // One entry per name: next month's file is the same table.
        if !seen.insert(if qualified {
            glob.to_lowercase()
        } else {
            key.clone()
        }) {
            continue;
        }
        let name = literal_glob(if qualified { &glob } else { &column });
        let name = name.as_str();
        // Free text: every verdict of the column is a mention inside longer values.
        let mentions: Vec<&crate::detect::column::ColumnVerdict> = found
            .verdicts
            .iter()
            .filter(|w| w.table == v.table && w.column == v.column)
            .collect();
        if mentions.iter().all(|w| w.mention) {
            let cats: Vec<&str> = mentions.iter().map(|w| w.category.as_str()).collect();
            let _ = writeln!(
                out,
                "# {key}: free text that mentions {} ({}); only what is found inside is replaced",
                cats.join(", "),
                mentions
                    .iter()
                    .map(|w| crate::names::mask(&w.reason).into_owned())
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            let _ = writeln!(out, "[[column]]");
            let _ = writeln!(out, "name = {}", toml_string(name));
            let _ = writeln!(
                out,
                "method = \"spans\"   # each span by the [[text]] entry of its rule"
            );
            let _ = writeln!(out);
            for w in &mentions {
                let e = text.entry(&w.rule).or_insert((&w.category, 0, true));
                e.1 += w.count;
                e.2 = true;
            }
            // Rules found in fewer cells than a verdict needs have spans too.
            let d = found
                .columns
                .get(&(v.table.to_lowercase(), v.column.to_lowercase()));
            for (rule, category) in d.iter().flat_map(|d| d.value_rules.iter()) {
                text.entry(rule).or_insert((category, 0, true)).2 = true;
            }
            continue;
        }
        let typed = typed.contains(&v.table.to_lowercase());
        let (method, params) = method_for(&v.rule, &v.category, typed);
        let _ = writeln!(
            out,
            "# {key}: {} ({})",
            v.category,
            crate::names::mask(&v.reason)
        );
        let _ = writeln!(out, "[[column]]");
        let _ = writeln!(out, "name = {}", toml_string(name));
        let _ = writeln!(out, "method = {}", toml_string(method));
        if !params.is_empty() {
            let _ = writeln!(out, "{params}");
        }
        let _ = writeln!(out);
    }
    for (rule, (category, n, in_cells)) in &text {
        let (method, params) = method_for(rule, category, false);
        let place = if *in_cells && found.text.contains_key(*rule) {
            "in the text and in free-text cells"
        } else if *in_cells {
            "in free-text cells"
        } else {
            "in the text"
        };
        if *n > 0 {
            let _ = writeln!(out, "# {n} span(s) of {rule} ({category}) {place}");
        } else {
            let _ = writeln!(out, "# spans of {rule} ({category}) {place}");
        }
        let _ = writeln!(out, "[[text]]");
        let _ = writeln!(out, "rule = {}", toml_string(rule));
        let _ = writeln!(out, "method = {}", toml_string(method));
        if !params.is_empty() {
            let _ = writeln!(out, "{params}");
        }
        let _ = writeln!(out);
    }
    out
}

/// A TOML basic string (quoted, escaped as TOML escapes, not as Rust's `{:?}` does).
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::{literal_glob, table_glob};

    #[test]
    fn names_with_glob_syntax_match_only_themselves() {
        for name in ["score[2]", "a{b,c}", "why?", "events-*.ip"] {
            let glob = globset::Glob::new(&literal_glob(name))
                .expect("glob")
                .compile_matcher();
            assert!(glob.is_match(name), "{name}");
        }
        let glob = globset::Glob::new(&literal_glob("score[2]"))
            .expect("glob")
            .compile_matcher();
        assert!(!glob.is_match("score2"), "a class would match score2");
        let glob = globset::Glob::new(&literal_glob("a{b,c}"))
            .expect("glob")
            .compile_matcher();
        assert!(!glob.is_match("ab"), "alternatives would match ab");
    }

    #[test]
    fn dated_table_names_become_globs_and_others_stay() {
        for (name, glob) in [
            ("events-2024-05", "events-*"),
            ("export_20240501", "export_*"),
            ("log-2024-05-01T12:00", "log-*"),
            ("2024-05-orders", "*-orders"),
            ("klanten", "klanten"),
            ("table1", "table1"),
            ("v2_users_007", "v2_users_007"),
            ("q3-2024", "q3-*"),
        ] {
            assert_eq!(table_glob(name), glob, "{name}");
        }
    }
}
