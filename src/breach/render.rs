//! The assessment as a person reads it: Markdown, or HTML for printing on A4, in Dutch or
//! English, shaped like the notification form, with the questions a scan cannot answer left as
//! marked blanks.

use super::Assessment;
use crate::register::labels::Lang;
use crate::report::html::escape;
use std::fmt::Write;

/// The questions of the form that only people can answer.
const BLANKS: &[(&str, &str)] = &[
    ("Wat is er gebeurd? (oorzaak)", "What happened? (cause)"),
    ("Wanneer begon het lek, en wanneer is het gestopt?", "When did the breach start, and when did it stop?"),
    ("Welke maatregelen zijn genomen om het lek te dichten en de gevolgen te beperken?", "What was done to end the breach and limit its consequences?"),
    ("Zijn de betrokkenen geïnformeerd, of wordt dat gedaan? Zo niet: waarom niet?", "Have the people concerned been told, or will they be? If not, why not?"),
    ("Omstandigheden van het lek (ENISA CB: verlies van vertrouwelijkheid, integriteit, beschikbaarheid, kwade opzet; elk +0 tot +0,5)", "Circumstances of the breach (ENISA CB: loss of confidentiality, integrity, availability, malicious intent; each +0 to +0.5)"),
];

/// The report as Markdown.
pub fn markdown(a: &Assessment, lang: Lang) -> String {
    let t = |nl: &'static str, en: &'static str| lang.pick(nl, en);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {}\n",
        t("Beoordeling datalek", "Data breach assessment")
    );
    if !a.not_read.is_empty() {
        let _ = writeln!(
            out,
            "> **{}** {}\n",
            t("Let op:", "Note:"),
            t(
                "niet alles kon worden gelezen; de aantallen hieronder kunnen te laag zijn.",
                "not everything could be read; the numbers below may be too low."
            )
        );
        for (path, why) in &a.not_read {
            let _ = writeln!(
                out,
                "> - {}: {}",
                md_cell(&crate::names::mask(path)),
                md_cell(why)
            );
        }
        out.push('\n');
    }
    if let (Some(d), Some(deadline)) = (&a.discovered, &a.deadline) {
        let _ = writeln!(
            out,
            "- {}: {d}\n- {}: **{deadline}** ({})",
            t("Ontdekt", "Discovered"),
            t("Uiterste meldtermijn", "Notification deadline"),
            t("72 uur na ontdekking", "72 hours after discovery")
        );
    } else {
        let _ = writeln!(
            out,
            "- {}",
            t(
                "Ontdekt: (niet opgegeven: geef --discovered voor de termijn van 72 uur)",
                "Discovered: (not given: pass --discovered for the 72-hour deadline)"
            )
        );
    }
    let _ = writeln!(
        out,
        "- {}: {}\n- {}: **{} – {}**\n",
        t(
            "Records met persoonsgegevens",
            "Records holding personal data"
        ),
        a.records,
        t(
            "Aantal betrokkenen (minimum – maximum)",
            "Number of people (minimum – maximum)"
        ),
        a.people_min,
        a.people_max
    );
    let _ = writeln!(out, "{}:\n", t("Zo geteld", "Counted as follows"));
    let minimum = match &a.method.minimum_rule {
        Some(rule) => format!(
            "{} {rule} ({})",
            t(
                "het grootste aantal verschillende waarden van één identificerende soort:",
                "the largest number of distinct values of one identifying kind:"
            ),
            t(
                "verschillend volgens een sleutel-vingerafdruk; schrijfwijzen van één waarde tellen één keer",
                "distinct by keyed fingerprint; spellings of one value count once"
            )
        ),
        None => t("geen identificerende waarde gevonden", "no identifying value was found").to_string(),
    };
    let _ = writeln!(out, "- minimum: {minimum}");
    let _ = writeln!(
        out,
        "- maximum: {}\n",
        t(
            "het aantal records (tabelrijen, tekstregels) met een identificerende waarde; bij een tabel met een kolom die op naam identificeert telt elke rij",
            "the number of records (table rows, text lines) holding any identifying value; every row of a table with a column identifying by its name counts"
        )
    );
    let _ = writeln!(
        out,
        "## {}\n",
        t("Soorten persoonsgegevens", "Kinds of personal data")
    );
    if a.categories.is_empty() {
        let _ = writeln!(
            out,
            "{}\n",
            t("Geen persoonsgegevens gevonden.", "No personal data found.")
        );
    } else {
        let _ = writeln!(
            out,
            "| {} | {} | {} |\n| --- | ---: | ---: |",
            t("soort", "kind"),
            t("gevonden", "found"),
            t("verschillende waarden", "distinct values")
        );
        for k in &a.categories {
            let (found, distinct) = if k.findings == 0 {
                let by_name = t("op kolomnaam", "by column name");
                (by_name.to_string(), "–".to_string())
            } else {
                (k.findings.to_string(), k.distinct_values.to_string())
            };
            let _ = writeln!(out, "| {} | {found} | {distinct} |", k.kind.label(lang));
        }
        out.push('\n');
    }
    let yes_no = |b: bool| if b { t("ja", "yes") } else { t("nee", "no") };
    let _ = writeln!(
        out,
        "- {}: {}",
        t(
            "Bijzondere persoonsgegevens (art. 9)",
            "Special categories (Art. 9)"
        ),
        if a.special_categories.is_empty() {
            yes_no(false).to_string()
        } else {
            format!("{} ({})", yes_no(true), a.special_categories.join(", "))
        }
    );
    let _ = writeln!(
        out,
        "- {}: {}",
        t(
            "Strafrechtelijke gegevens (art. 10)",
            "Criminal data (Art. 10)"
        ),
        yes_no(a.criminal)
    );
    let _ = writeln!(
        out,
        "- {}: {}",
        t(
            "Kinderen (jonger dan 16 op de dag van ontdekking)",
            "Children (under 16 on the day of discovery)"
        ),
        a.children
    );
    let countries = if a.countries.is_empty() {
        t("onbekend", "unknown").to_string()
    } else {
        a.countries
            .iter()
            .map(|(c, n)| format!("{c} ({n})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(
        out,
        "- {}: {countries}",
        t(
            "Landen (uit BSN, rijksregisternummer, IBAN, telefoonnummers)",
            "Countries (from BSN, national numbers, IBANs, phone numbers)"
        )
    );
    let _ = writeln!(
        out,
        "- {}: {}\n",
        t(
            "Waarden die versleuteld, gehasht of gepseudonimiseerd lijken (op kolomnaam)",
            "Values that look encrypted, hashed or pseudonymised (by column name)"
        ),
        if a.protected.is_empty() {
            t("geen gezien", "none seen").to_string()
        } else {
            a.protected
                .iter()
                .map(|p| md_cell(p))
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    let s = &a.severity;
    let _ = writeln!(
        out,
        "## {}\n",
        t("Ernst (ENISA-methode)", "Severity (ENISA method)")
    );
    let top = a
        .categories
        .iter()
        .map(|k| k.kind)
        .max_by_key(|k| k.enisa_dpc())
        .map_or_else(
            || t("geen", "none").to_string(),
            |k| k.label(lang).to_lowercase(),
        );
    let _ = writeln!(
        out,
        "- DPC = {}: {} {top} ({})",
        s.dpc,
        t("de gevoeligste soort is", "the most sensitive kind is"),
        t(
            "ENISA: 1 eenvoudig, 2 gedrag, 3 financieel of vatbaar voor identiteitsfraude, 4 gevoelig",
            "ENISA: 1 simple, 2 behavioural, 3 financial or identity-fraud prone, 4 sensitive"
        )
    );
    let ei = if s.ei >= 1.0 {
        t(
            "maximaal: namen, nationale nummers of contactgegevens identificeren mensen direct",
            "maximal: names, national numbers or contact details identify people directly",
        )
    } else if s.ei >= 0.5 {
        t(
            "beperkt: alleen indirecte identificatoren (rekeningen, online identificatoren, data) zonder namen",
            "limited: only indirect identifiers (accounts, online identifiers, dates) without names",
        )
    } else {
        t(
            "verwaarloosbaar: geen identificator gevonden",
            "negligible: no identifier found",
        )
    };
    let _ = writeln!(out, "- EI = {}: {ei}", s.ei);
    let _ = writeln!(
        out,
        "- DPC × EI = {:.2} ({}), {}\n",
        s.score_before_circumstances,
        s.level_before_circumstances,
        t(
            "vóór de omstandigheden (CB) hieronder; ernst = DPC × EI + CB",
            "before the circumstances (CB) below; severity = DPC × EI + CB"
        )
    );
    let _ = writeln!(
        out,
        "## {}\n",
        t("In te vullen door u", "For you to fill in")
    );
    for (nl, en) in BLANKS {
        let _ = writeln!(out, "- {}\n  > _____________________", t(nl, en));
    }
    out
}

/// Keeps a Markdown table cell or list item in one piece.
fn md_cell(s: &str) -> String {
    crate::report::sanitize::sanitize(s).replace('|', "\\|")
}

/// The report as a self-contained HTML page, laid out for A4.
pub fn html(a: &Assessment, lang: Lang) -> String {
    let md = markdown(a, lang);
    let mut body = String::new();
    let mut in_list = false;
    let mut in_table = false;
    for line in md.lines() {
        let esc = escape(line);
        let close = |body: &mut String, in_list: &mut bool, in_table: &mut bool| {
            if *in_list {
                body.push_str("</ul>\n");
                *in_list = false;
            }
            if *in_table {
                body.push_str("</table>\n");
                *in_table = false;
            }
        };
        if let Some(h) = line.strip_prefix("# ") {
            close(&mut body, &mut in_list, &mut in_table);
            let _ = writeln!(body, "<h1>{}</h1>", escape(h));
        } else if let Some(h) = line.strip_prefix("## ") {
            close(&mut body, &mut in_list, &mut in_table);
            let _ = writeln!(body, "<h2>{}</h2>", escape(h));
        } else if line.starts_with("| ---") {
            continue;
        } else if line.starts_with('|') {
            if !in_table {
                close(&mut body, &mut in_list, &mut in_table);
                body.push_str("<table>\n");
                in_table = true;
            }
            let cells: Vec<String> = line
                .trim_matches('|')
                .split(" | ")
                .map(|c| format!("<td>{}</td>", escape(c.trim())))
                .collect();
            let _ = writeln!(body, "<tr>{}</tr>", cells.join(""));
        } else if let Some(item) = line
            .strip_prefix("- ")
            .or_else(|| line.strip_prefix("> - "))
        {
            if !in_list {
                close(&mut body, &mut in_list, &mut in_table);
                body.push_str("<ul>\n");
                in_list = true;
            }
            let _ = writeln!(body, "<li>{}</li>", bold(&escape(item)));
        } else if line.trim_start().starts_with("> ____") {
            body.push_str("<div class=\"blank\"></div>\n");
        } else if let Some(q) = line.strip_prefix("> ") {
            close(&mut body, &mut in_list, &mut in_table);
            let _ = writeln!(body, "<p class=\"note\">{}</p>", bold(&escape(q)));
        } else if !line.trim().is_empty() {
            close(&mut body, &mut in_list, &mut in_table);
            let _ = writeln!(body, "<p>{}</p>", bold(&esc));
        }
    }
    if in_list {
        body.push_str("</ul>\n");
    }
    if in_table {
        body.push_str("</table>\n");
    }
    crate::report::html::a4_page(
        lang.pick("nl", "en"),
        lang.pick("Beoordeling datalek", "Data breach assessment"),
        "table { border-collapse: collapse; margin: 0.5em 0; }\n.note { border-left: 3px solid #c00; padding-left: 8px; }\n.blank { border-bottom: 1px solid #333; height: 3.5em; margin-bottom: 0.8em; }\nh2 { break-after: avoid; }\n",
        &body,
    )
}

/// `**x**` to `<strong>x</strong>` (in text already escaped).
fn bold(s: &str) -> String {
    let mut out = String::new();
    let mut open = false;
    for (i, part) in s.split("**").enumerate() {
        if i > 0 {
            out.push_str(if open { "</strong>" } else { "<strong>" });
            open = !open;
        }
        out.push_str(part);
    }
    if open {
        out.push_str("</strong>");
    }
    out
}
