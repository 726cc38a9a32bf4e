//! Exports of a register: Markdown in Article 30 order (for review in git), CSV with one row
//! per activity and an inventory CSV (`;` and a UTF-8 byte order mark, so Dutch and Belgian
//! Excel opens them right), one self-contained printable HTML file (A4, marked CONCEPT until
//! every activity is `vastgesteld`), and JSON with fideslang-compatible ids.

use super::activity::{Activity, Register};
use super::labels::{self, Lang, LEGAL_BASES};
use crate::report::html::escape as esc;
use serde_json::json;
use std::fmt::Write as _;

fn legal_basis(id: &str, lang: Lang) -> String {
    match LEGAL_BASES.iter().find(|b| b.0 == id) {
        Some((_, nl, en, letter)) => format!(
            "{} ({} 6(1)({letter}))",
            lang.pick(nl, en),
            lang.pick("art.", "Art.")
        ),
        None => id.to_string(),
    }
}

/// When, by what and in which state the export was made: `Export van 2026-12-02 door piiscan
/// 0.1.0 · status: concept (1 van 3 verwerkingen vastgesteld)`. The date is today's, or the
/// day of `SOURCE_DATE_EPOCH`.
pub fn stamp(r: &Register, lang: Lang) -> String {
    let total = active(r).filter(|a| a.status != "vervallen").count();
    let adopted_n = active(r).filter(|a| a.status == "vastgesteld").count();
    let status = if adopted(r) {
        lang.pick("vastgesteld", "adopted").to_string()
    } else {
        format!(
            "{} ({adopted_n} {} {total} {})",
            lang.pick("concept", "draft"),
            lang.pick("van", "of"),
            lang.pick("verwerkingen vastgesteld", "activities adopted")
        )
    };
    format!(
        "{} {} {} piiscan {} · status: {status}",
        lang.pick("Export van", "Exported on"),
        super::today().format("%Y-%m-%d"),
        lang.pick("door", "by"),
        env!("CARGO_PKG_VERSION")
    )
}

fn active(r: &Register) -> impl Iterator<Item = &Activity> {
    r.activities.iter().map(|(_, a)| a)
}

/// Is the whole register adopted (every activity `vastgesteld` or `vervallen`)?
pub fn adopted(r: &Register) -> bool {
    !r.activities.is_empty()
        && active(r).all(|a| a.status == "vastgesteld" || a.status == "vervallen")
}

fn list(items: &[String], empty: &str) -> String {
    if items.is_empty() {
        empty.to_string()
    } else {
        items.join("; ")
    }
}

fn text(s: &str, empty: &str) -> String {
    if s.trim().is_empty() {
        empty.to_string()
    } else {
        s.to_string()
    }
}

/// Art. 9, art. 10 and national-number data, each group with its own ground (a tax law that
/// allows a BSN is never printed as if it allowed the health data beside it); `geen` when
/// the activity holds none.
fn special_groups(a: &Activity, lang: Lang, none: &str) -> String {
    let found = a.found_categories();
    let all: Vec<&String> = a.categories.iter().chain(found.iter()).collect();
    let names = |pick: fn(&str) -> bool| {
        let mut v: Vec<String> = all
            .iter()
            .filter(|c| pick(c))
            .map(|c| labels::category(c, lang))
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let groups = [
        (
            names(labels::is_special),
            "art. 9",
            lang.pick("uitzondering (art. 9(2))", "exception (Art. 9(2))"),
            &a.art9_condition,
        ),
        (
            names(labels::is_criminal),
            "art. 10",
            lang.pick("grondslag", "basis"),
            &a.art10_basis,
        ),
        (
            names(labels::is_national_id),
            "art. 87",
            lang.pick("wettelijke grondslag", "statutory basis"),
            &a.national_id_law,
        ),
    ];
    let parts: Vec<String> = groups
        .iter()
        .filter(|(cats, ..)| !cats.is_empty())
        .map(|(cats, art, ground, value)| {
            format!(
                "{art}: {} — {ground}: {}",
                cats.join("; "),
                if value.trim().is_empty() {
                    none
                } else {
                    value.as_str()
                }
            )
        })
        .collect();
    if parts.is_empty() {
        lang.pick("geen", "none").to_string()
    } else {
        parts.join(" | ")
    }
}

/// The rows of an activity in Article 30(1) order: (heading, article, value).
fn rows(a: &Activity, lang: Lang) -> Vec<(String, &'static str, String)> {
    let none = lang.pick("(niet ingevuld)", "(not filled in)");
    let cats: Vec<String> = a
        .categories
        .iter()
        .map(|c| format!("{} ({c})", labels::category(c, lang)))
        .collect();
    let subjects: Vec<String> = a
        .subjects
        .iter()
        .map(|s| labels::subject(s, lang).to_string())
        .collect();
    let special = special_groups(a, lang, none);
    let h = |nl: &str, en: &str| lang.pick(nl, en).to_string();
    vec![
        (
            h("Doeleinden", "Purposes"),
            "30(1)(b)",
            list(&a.purposes, none),
        ),
        (
            h("Rechtsgrond", "Lawful basis"),
            "6(1)",
            if a.legal_basis.is_empty() {
                none.into()
            } else {
                format!(
                    "{}{}",
                    legal_basis(&a.legal_basis, lang),
                    if a.legal_basis_ref.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", a.legal_basis_ref)
                    }
                )
            },
        ),
        (
            h("Categorieën betrokkenen", "Categories of data subjects"),
            "30(1)(c)",
            list(&subjects, none),
        ),
        (
            h(
                "Categorieën persoonsgegevens",
                "Categories of personal data",
            ),
            "30(1)(c)",
            list(&cats, none),
        ),
        (
            h(
                "Bijzondere, strafrechtelijke en identificatienummers",
                "Special, criminal and national identifiers",
            ),
            "9, 10, 87",
            special,
        ),
        (
            h("Ontvangers", "Recipients"),
            "30(1)(d)",
            list(&a.recipients, none),
        ),
        (
            h("Verwerkers", "Processors"),
            "28",
            list(&a.processors, lang.pick("geen opgegeven", "none given")),
        ),
        (
            h("Doorgifte buiten de EER", "Transfers outside the EEA"),
            "30(1)(e)",
            list(&a.transfers, lang.pick("geen", "none")),
        ),
        (
            h("Bewaartermijn", "Retention"),
            "30(1)(f)",
            text(&a.retention, none),
        ),
        (
            h("Beveiligingsmaatregelen", "Security measures"),
            "30(1)(g)",
            list(&a.security, none),
        ),
        (
            h("DPIA", "DPIA"),
            "35",
            text(&a.dpia, lang.pick("niet vastgelegd", "not recorded")),
        ),
    ]
}

/// A location as an export shows it: personal data in a file or table name masked (see
/// [`crate::names`]); the register's own files keep the true reference.
fn shown(reference: &str) -> String {
    crate::names::mask(reference).into_owned()
}

fn locations(a: &Activity, lang: Lang) -> Vec<String> {
    a.scan
        .location
        .iter()
        .map(|l| {
            let cats: Vec<String> = l
                .categories
                .iter()
                // Cells or text spans found, not people: say so.
                .map(|(c, n)| {
                    let unit = match (n, lang) {
                        (1, Lang::Nl) => "waarde",
                        (_, Lang::Nl) => "waarden",
                        (1, Lang::En) => "value",
                        (_, Lang::En) => "values",
                    };
                    format!("{} {n} {unit}", labels::category(c, lang))
                })
                .collect();
            let dates = match (&l.oldest_record, &l.newest_record) {
                (Some(o), Some(n)) => format!("; {} {o} – {n}", lang.pick("records", "records")),
                _ => String::new(),
            };
            let gone = if l.gone {
                lang.pick(" (niet meer gevonden)", " (no longer found)")
            } else {
                ""
            };
            format!("{}{gone}: {}{dates}", shown(&l.reference), cats.join(", "))
        })
        .collect()
}

/// Markdown in Article 30 order.
pub fn markdown(r: &Register, lang: Lang) -> String {
    let o = &r.organisation;
    let mut s = String::new();
    let concept = if adopted(r) { "" } else { " — CONCEPT" };
    let _ = writeln!(
        s,
        "# {}{concept}\n",
        lang.pick(
            "Register van verwerkingen",
            "Record of processing activities"
        )
    );
    let _ = writeln!(s, "_{}_\n", stamp(r, lang));
    let none = lang.pick("(niet ingevuld)", "(not filled in)");
    let _ = writeln!(
        s,
        "**{}** (art. 30(1)(a)): {}, {}, {}  \n**{}**: {}  \n**{}**: {} {}\n",
        lang.pick("Verwerkingsverantwoordelijke", "Controller"),
        text(&o.controller_name, none),
        text(&o.controller_address, none),
        text(&o.controller_contact, none),
        lang.pick("KvK/KBO", "Registration number"),
        text(&o.org_number, none),
        lang.pick(
            "Functionaris gegevensbescherming",
            "Data protection officer"
        ),
        text(&o.dpo_name, none),
        o.dpo_contact
    );
    let _ = writeln!(
        s,
        "| {} | Status | {} | {} |\n| --- | --- | --- | --- |",
        lang.pick("Verwerking", "Activity"),
        lang.pick("Betrokkenen", "Data subjects"),
        lang.pick("Persoonsgegevens", "Personal data")
    );
    for a in active(r) {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            a.name.replace('|', "\\|"),
            a.status,
            a.subjects.join(", "),
            a.categories.len()
        );
    }
    for a in active(r) {
        let _ = writeln!(s, "\n## {} (`{}`) — {}\n", a.name, a.id, a.status);
        for (h, art, v) in rows(a, lang) {
            let _ = writeln!(s, "- **{h}** (art. {art}): {}", v.replace('\n', " "));
        }
        let locs = locations(a, lang);
        if !locs.is_empty() {
            let _ = writeln!(
                s,
                "\n{}:\n",
                lang.pick("Vindplaatsen (scan)", "Locations (scan)")
            );
            for l in locs {
                let _ = writeln!(s, "- `{l}`");
            }
        }
        if !a.scan.drift.is_empty() {
            let _ = writeln!(s, "\n{}:\n", lang.pick("Open afwijkingen", "Open drift"));
            for d in &a.scan.drift {
                let _ = writeln!(s, "- {} {}: {}", d.severity.as_str(), d.code, d.detail);
            }
        }
    }
    s
}

fn csv_bytes(rows: Vec<Vec<String>>) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    for r in rows {
        let _ = w.write_record(
            r.iter()
                .map(|c| crate::report::csv::formula_guard(c).into_owned()),
        );
    }
    w.into_inner().unwrap_or_default()
}

/// CSV, one row per activity (`;`, UTF-8 with a byte order mark).
pub fn csv_register(r: &Register, lang: Lang) -> Vec<u8> {
    let mut head = vec![
        lang.pick("Kenmerk", "ID").to_string(),
        lang.pick("Naam verwerking", "Processing activity")
            .to_string(),
        "Status".into(),
        lang.pick("Verwerkingsverantwoordelijke", "Controller")
            .to_string(),
    ];
    let sample = Activity::default();
    head.extend(
        rows(&sample, lang)
            .into_iter()
            .map(|(h, art, _)| format!("{h} (art. {art})")),
    );
    head.push(lang.pick("Vindplaatsen", "Locations").to_string());
    let mut out = vec![head];
    for a in active(r) {
        let mut row = vec![
            a.id.clone(),
            a.name.clone(),
            a.status.clone(),
            r.organisation.controller_name.clone(),
        ];
        row.extend(rows(a, lang).into_iter().map(|(_, _, v)| v));
        row.push(locations(a, lang).join(" ; "));
        out.push(row);
    }
    csv_bytes(out)
}

/// CSV, one row per activity × location × category: the inventory behind the register.
pub fn csv_inventory(r: &Register, lang: Lang) -> Vec<u8> {
    let mut out = vec![vec![
        lang.pick("Kenmerk", "ID").to_string(),
        lang.pick("Vindplaats", "Location").to_string(),
        lang.pick("Categorie", "Category").to_string(),
        lang.pick("Categorie-id", "Category id").to_string(),
        lang.pick("Aantal", "Count").to_string(),
        lang.pick("Velden", "Fields").to_string(),
        lang.pick("Oudste record", "Oldest record").to_string(),
        lang.pick("Nieuwste record", "Newest record").to_string(),
        lang.pick("Niet meer gevonden", "No longer found")
            .to_string(),
    ]];
    for a in active(r) {
        for l in &a.scan.location {
            for (c, n) in &l.categories {
                // Every field holding this category, with its count there when known.
                let fields: Vec<String> = l
                    .fields
                    .iter()
                    .filter_map(|(f, cats)| match cats.get(c) {
                        Some(0) => Some(f.clone()),
                        Some(n) => Some(format!("{f} ({n})")),
                        None => None,
                    })
                    .collect();
                out.push(vec![
                    a.id.clone(),
                    shown(&l.reference),
                    labels::category(c, lang),
                    c.clone(),
                    n.to_string(),
                    fields.join(", "),
                    l.oldest_record.clone().unwrap_or_default(),
                    l.newest_record.clone().unwrap_or_default(),
                    if l.gone { "1".into() } else { String::new() },
                ]);
            }
        }
    }
    csv_bytes(out)
}

/// One self-contained, printable HTML page (A4 landscape), marked CONCEPT until every
/// activity is `vastgesteld`.
pub fn html(r: &Register, lang: Lang) -> String {
    let concept = !adopted(r);
    let o = &r.organisation;
    let none = lang.pick("(niet ingevuld)", "(not filled in)");
    let title = lang.pick(
        "Register van verwerkingen",
        "Record of processing activities",
    );
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<style>\n\
@page {{ size: A4 landscape; margin: 15mm; }}\n\
body {{ font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 10pt; color: #111; }}\n\
h1 {{ font-size: 18pt; margin: 0 0 4mm; }} h2 {{ font-size: 13pt; margin: 8mm 0 2mm; page-break-after: avoid; }}\n\
table {{ border-collapse: collapse; width: 100%; margin-bottom: 4mm; }}\n\
th, td {{ border: 1px solid #999; padding: 1.5mm 2mm; text-align: left; vertical-align: top; }}\n\
th {{ background: #eee; width: 28%; }}\n\
section {{ page-break-inside: avoid; }}\n\
.concept {{ position: fixed; top: 40%; left: 0; right: 0; text-align: center; font-size: 90pt; color: rgba(200,0,0,0.12); transform: rotate(-20deg); z-index: -1; }}\n\
.status {{ font-weight: normal; color: #555; font-size: 10pt; }}\n\
.drift {{ color: #a00; }}\n\
</style>\n</head>\n<body>\n",
        lang.pick("nl", "en")
    );
    if concept {
        let _ = writeln!(s, "<div class=\"concept\">CONCEPT</div>");
    }
    let _ = writeln!(
        s,
        "<h1>{title}{}</h1>\n<p class=\"status\">{}</p>\n<table>\n<tr><th>{} (art. 30(1)(a))</th><td>{}<br>{}<br>{}</td></tr>\n<tr><th>{}</th><td>{}</td></tr>\n<tr><th>{}</th><td>{} {}</td></tr>\n</table>",
        if concept { " — CONCEPT" } else { "" },
        esc(&stamp(r, lang)),
        lang.pick("Verwerkingsverantwoordelijke", "Controller"),
        esc(&text(&o.controller_name, none)),
        esc(&o.controller_address),
        esc(&o.controller_contact),
        lang.pick("KvK / KBO", "Registration number"),
        esc(&text(&o.org_number, none)),
        lang.pick("Functionaris gegevensbescherming", "Data protection officer"),
        esc(&text(&o.dpo_name, none)),
        esc(&o.dpo_contact)
    );
    for a in active(r) {
        let _ = writeln!(
            s,
            "<section>\n<h2>{} <span class=\"status\">({}, {})</span></h2>\n<table>",
            esc(&a.name),
            esc(&a.id),
            esc(&a.status)
        );
        for (h, art, v) in rows(a, lang) {
            let _ = writeln!(
                s,
                "<tr><th>{} (art. {art})</th><td>{}</td></tr>",
                esc(&h),
                esc(&v)
            );
        }
        let locs = locations(a, lang);
        if !locs.is_empty() {
            let items: Vec<String> = locs.iter().map(|l| esc(l)).collect();
            let _ = writeln!(
                s,
                "<tr><th>{}</th><td>{}</td></tr>",
                lang.pick("Vindplaatsen (scan)", "Locations (scan)"),
                items.join("<br>")
            );
        }
        if !a.scan.drift.is_empty() {
            let items: Vec<String> = a
                .scan
                .drift
                .iter()
                .map(|d| format!("{} {}: {}", d.severity.as_str(), d.code, esc(&d.detail)))
                .collect();
            let _ = writeln!(
                s,
                "<tr><th>{}</th><td class=\"drift\">{}</td></tr>",
                lang.pick("Open afwijkingen", "Open drift"),
                items.join("<br>")
            );
        }
        let _ = writeln!(s, "</table>\n</section>");
    }
    let _ = writeln!(
        s,
        "<p>{}</p>\n</body>\n</html>",
        lang.pick(
            "Opgesteld met piiscan; de vindplaatsen komen uit scans, de overige velden van de organisatie.",
            "Prepared with piiscan; locations come from scans, the other fields from the organisation."
        )
    );
    s
}

/// The fideslang name of a lawful basis.
fn fides_basis(id: &str) -> Option<&'static str> {
    Some(match id {
        "consent" => "Consent",
        "contract" => "Contract",
        "legal_obligation" => "Legal obligations",
        "vital_interests" => "Vital interests",
        "public_task" => "Public interest",
        "legitimate_interests" => "Legitimate interests",
        _ => return None,
    })
}

/// JSON for machines, with fideslang-compatible ids (`fides_key`, `data_categories`,
/// `data_subjects`, `legal_basis_for_processing`).
pub fn json(r: &Register) -> String {
    let o = &r.organisation;
    let activities: Vec<serde_json::Value> = active(r)
        .map(|a| {
            json!({
                "fides_key": a.id,
                "name": a.name,
                "status": a.status,
                "privacy_declarations": [{
                    "name": a.name,
                    "data_categories": a.categories,
                    "data_subjects": a.subjects,
                    "legal_basis_for_processing": fides_basis(&a.legal_basis),
                    "special_category_legal_basis": if a.art9_condition.is_empty() { None } else { Some(&a.art9_condition) },
                    "retention_period": if a.retention.is_empty() { None } else { Some(&a.retention) },
                }],
                "purposes": a.purposes,
                "legal_basis_reference": a.legal_basis_ref,
                "recipients": a.recipients,
                "processors": a.processors,
                "transfers": a.transfers,
                "security_measures": a.security,
                "national_id_law": a.national_id_law,
                "art10_basis": a.art10_basis,
                "dpia": a.dpia,
                "locations": a.scan.location.iter().map(|l| json!({
                    "ref": shown(&l.reference),
                    "data_categories": l.categories,
                    "fields": l.fields,
                    "oldest_record": l.oldest_record,
                    "newest_record": l.newest_record,
                    "gone": l.gone,
                })).collect::<Vec<_>>(),
                "drift": a.scan.drift,
            })
        })
        .collect();
    let doc = json!({
        "organization": {
            "name": o.controller_name,
            "address": o.controller_address,
            "contact": o.controller_contact,
            "registration_number": o.org_number,
            "data_protection_officer": { "name": o.dpo_name, "contact": o.dpo_contact },
            "representative": o.representative,
        },
        "adopted": adopted(r),
        "exported": super::today().format("%Y-%m-%d").to_string(),
        "piiscan_version": env!("CARGO_PKG_VERSION"),
        "processing_activities": activities,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
