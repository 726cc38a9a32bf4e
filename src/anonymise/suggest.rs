//! `piiscan anonymise --suggest-policy`: a starter policy from a scan. Every column with
//! personal data gets an entry with a method that suits its category and a comment saying
//! why; text rules found get `[[text]]` entries. People review it before use: a suggestion
//! is not a risk assessment.

use super::plan::Detection;
use std::fmt::Write;

/// The method suggested for a rule or category, with its parameters as TOML lines.
/// `typed` inputs (dumps, SQLite) get methods that keep a column's type: a date stays a date.
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

/// A starter policy (TOML with comments) for what `found` holds.
pub fn policy(input: &str, found: &Detection, typed: bool) -> String {
    let mut out = String::new();
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
    for v in &found.verdicts {
        let key = format!("{}.{}", v.table, v.column);
        if !seen.insert(key.clone()) {
            continue;
        }
        let (method, params) = method_for(&v.rule, &v.category, typed);
        let _ = writeln!(out, "# {key}: {} ({})", v.category, v.reason);
        let _ = writeln!(out, "[[column]]");
        if qualified {
            let _ = writeln!(out, "name = {key:?}");
        } else {
            let _ = writeln!(out, "name = {:?}", v.column);
        }
        let _ = writeln!(out, "method = {method:?}");
        if !params.is_empty() {
            let _ = writeln!(out, "{params}");
        }
        let _ = writeln!(out);
    }
    for (rule, (category, n)) in &found.text {
        let (method, params) = method_for(rule, category, false);
        let _ = writeln!(out, "# {n} span(s) of {rule} ({category}) in the text");
        let _ = writeln!(out, "[[text]]");
        let _ = writeln!(out, "rule = {rule:?}");
        let _ = writeln!(out, "method = {method:?}");
        if !params.is_empty() {
            let _ = writeln!(out, "{params}");
        }
        let _ = writeln!(out);
    }
    out
}
