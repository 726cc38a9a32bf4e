//! Renders a [`DataMap`] as one self-contained HTML page: inline CSS ([`CSS`]), inline
//! JavaScript ([`JS`]) for sorting and filtering, inline SVG for the chart. Without
//! JavaScript the page shows everything; printed, it is A4 landscape with a footer.

use super::taxonomy::{self, Group};
use super::{Coverage, DataMap, Dataset};
use crate::finding::Confidence;
use crate::register::labels::{self, Lang};
use std::fmt::Write;

/// The page's style sheet (screen and print).
pub const CSS: &str = include_str!("assets/datamap.css");
/// The page's script: sorting and filtering the matrix.
pub const JS: &str = include_str!("assets/datamap.js");

pub use crate::report::html::escape as esc;

/// Text inside a CSS string: quotes, backslashes and line ends escaped.
fn css_string(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("\\3c "),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A whole number with the language's thousands separator.
pub fn num(n: u64, lang: Lang) -> String {
    let s = n.to_string();
    let sep = lang.pick(".", ",");
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

/// Bytes as B, kB, MB or GB (10^3 steps, one decimal).
pub fn bytes(n: u64, lang: Lang) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut v = n as f64;
    let mut unit = "B";
    for u in UNITS {
        if v < 1000.0 {
            break;
        }
        v /= 1000.0;
        unit = u;
    }
    let s = format!("{v:.1} {unit}");
    match lang {
        Lang::Nl => s.replace('.', ","),
        Lang::En => s,
    }
}

fn conf_label(c: Confidence, lang: Lang) -> &'static str {
    match c {
        Confidence::High => lang.pick("hoog", "high"),
        Confidence::Medium => lang.pick("middel", "medium"),
        Confidence::Low => lang.pick("laag", "low"),
    }
}

fn conf_rank(c: Confidence) -> u8 {
    match c {
        Confidence::Low => 1,
        Confidence::Medium => 2,
        Confidence::High => 3,
    }
}

/// The legal flag of a category: `ID` (national number), `art. 9`, `art. 10`, or none.
fn flag(category: &str) -> Option<(&'static str, &'static str)> {
    if labels::is_national_id(category) {
        Some(("nid", "ID"))
    } else if labels::is_special(category) {
        Some(("special", "art. 9"))
    } else if labels::is_criminal(category) {
        Some(("special", "art. 10"))
    } else {
        None
    }
}

fn flag_badge(category: &str) -> String {
    match flag(category) {
        Some((class, text)) => format!(" <span class=\"flag {class}\">{text}</span>"),
        None => String::new(),
    }
}

/// The page.
pub fn render(map: &DataMap, lang: Lang) -> String {
    let mut s = String::with_capacity(64 * 1024);
    let title = lang.pick("Datakaart persoonsgegevens", "Personal data map");
    let when = map.run.generated.format("%Y-%m-%d %H:%M UTC").to_string();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
<meta name=\"generator\" content=\"piiscan {}\">\n<title>{title}</title>\n<style>\n{CSS}@page {{ @bottom-left {{ content: \"{}\"; font: 7.5pt sans-serif; color: #5b6675; }} @bottom-right {{ content: \"{} \" counter(page) \" / \" counter(pages); font: 7.5pt sans-serif; color: #5b6675; }} }}\n</style>\n</head>\n<body>\n",
        lang.pick("nl", "en"),
        esc(&map.run.version),
        css_string(&format!("piiscan {} · {} {when}", map.run.version, lang.pick("datakaart gemaakt op", "data map made on"))),
        lang.pick("pagina", "page"),
    );
    header(&mut s, map, lang, title, &when);
    headline(&mut s, map, lang);
    matrix(&mut s, map, lang);
    chart(&mut s, map, lang);
    details(&mut s, map, lang);
    let _ = write!(
        s,
        "<footer>piiscan {} · {} {when} · {}</footer>\n<script>\n{JS}</script>\n</body>\n</html>\n",
        esc(&map.run.version),
        lang.pick("datakaart gemaakt op", "data map made on"),
        lang.pick(
            "bevat geen volledige waarden: voorbeelden zijn gemaskeerd",
            "holds no value in full: examples are masked"
        ),
    );
    s
}

fn header(s: &mut String, map: &DataMap, lang: Lang, title: &str, when: &str) {
    let _ = writeln!(s, "<header>\n<h1>{title}</h1>");
    let inputs: Vec<String> = map
        .run
        .inputs
        .iter()
        .map(|p| format!("<code>{}</code>", esc(p)))
        .collect();
    let packs: Vec<String> = map
        .run
        .rule_packs
        .iter()
        .map(|(p, n)| format!("{} ({n})", esc(p)))
        .collect();
    let rules_total: usize = map.run.rule_packs.iter().map(|(_, n)| n).sum();
    let sample = if map.run.sample_rows == 0 {
        lang.pick("alle rijen van elke tabel", "every row of every table")
            .to_string()
    } else {
        format!(
            "{} {}",
            num(map.run.sample_rows, lang),
            lang.pick(
                "rijen per tabel om kolommen te beoordelen",
                "rows per table to classify columns"
            )
        )
    };
    let _ = writeln!(
        s,
        "<table class=\"meta\">\n\
<tr><th>{}</th><td>{}</td></tr>\n\
<tr><th>{}</th><td>{} {}, {} {}, {} {}</td></tr>\n\
<tr><th>{}</th><td>{when}</td></tr>\n\
<tr><th>{}</th><td>piiscan {} · {rules_total} {}: {}</td></tr>\n\
<tr><th>{}</th><td>{sample}</td></tr>\n</table>",
        lang.pick("Gescand", "Scanned"),
        inputs.join(", "),
        lang.pick("Gelezen", "Read"),
        num(map.files_scanned, lang),
        lang.pick("bestanden", "files"),
        num(map.tables as u64, lang),
        lang.pick("tabellen met persoonsgegevens", "tables with personal data"),
        bytes(map.bytes, lang),
        lang.pick("gelezen", "read"),
        lang.pick("Datum", "Date"),
        lang.pick("Versie en regels", "Version and rules"),
        esc(&map.run.version),
        lang.pick("regels", "rules"),
        packs.join(", "),
        lang.pick("Steekproef", "Sample"),
    );
    // What was not read, and what was read in part.
    let _ = writeln!(
        s,
        "<h2 class=\"small\">{}</h2>",
        lang.pick(
            "Niet of niet volledig gelezen",
            "Not read, or not read completely"
        )
    );
    if map.not_read.is_empty() && map.sampled.is_empty() {
        let _ = writeln!(
            s,
            "<p class=\"ok\">{}</p>",
            lang.pick(
                "Alles is volledig gelezen.",
                "Everything was read completely."
            )
        );
    } else {
        let _ = writeln!(s, "<ul class=\"notread\">");
        for n in &map.not_read {
            let _ = writeln!(
                s,
                "<li><code>{}</code>: {}{}</li>",
                esc(&n.path),
                if n.partial {
                    lang.pick("deels gelezen: ", "read in part: ")
                } else {
                    ""
                },
                esc(&n.why)
            );
        }
        for (path, table, rows) in &map.sampled {
            let _ = writeln!(
                s,
                "<li><code>{}</code> {} <code>{}</code>: {} {}</li>",
                esc(path),
                lang.pick("tabel", "table"),
                esc(table),
                lang.pick("steekproef van", "sampled:"),
                esc(&rows.describe())
            );
        }
        let _ = writeln!(s, "</ul>");
    }
    let _ = writeln!(s, "</header>");
}

fn headline(s: &mut String, map: &DataMap, lang: Lang) {
    let h = map.headline();
    let card = |s: &mut String, n: usize, what: &str, class: &str| {
        let _ = writeln!(
            s,
            "<div class=\"card {class}\"><b>{}</b><span>{what}</span></div>",
            num(n as u64, lang)
        );
    };
    let _ = writeln!(s, "<section class=\"headline\">");
    card(
        s,
        h.datasets,
        lang.pick(
            "datasets met persoonsgegevens",
            "datasets holding personal data",
        ),
        "",
    );
    card(
        s,
        h.kinds,
        lang.pick("soorten persoonsgegevens", "kinds of personal data"),
        "",
    );
    card(
        s,
        h.national_id,
        lang.pick(
            "datasets met BSN of rijksregisternummer",
            "datasets with a national identification number",
        ),
        if h.national_id > 0 { "nid" } else { "" },
    );
    card(
        s,
        h.special,
        lang.pick(
            "datasets met bijzondere of strafrechtelijke gegevens",
            "datasets with special categories or criminal data",
        ),
        if h.special > 0 { "special" } else { "" },
    );
    card(
        s,
        h.children,
        lang.pick(
            "datasets met gegevens van kinderen (jonger dan 16 of leerlingen)",
            "datasets with data of children (under 16, or pupils)",
        ),
        if h.children > 0 { "special" } else { "" },
    );
    let _ = writeln!(
        s,
        "<p class=\"note\">{} {}.</p>\n</section>",
        num(h.values, lang),
        lang.pick(
            "waarden geteld (cellen en vondsten in tekst)",
            "values counted (cells, and findings in text)"
        )
    );
}

fn matrix(s: &mut String, map: &DataMap, lang: Lang) {
    let _ = writeln!(
        s,
        "<section class=\"map\">\n<h2>{}</h2>",
        lang.pick(
            "Datakaart: datasets en categorieën",
            "Data map: datasets and categories"
        )
    );
    if map.datasets.is_empty() {
        let _ = writeln!(
            s,
            "<p class=\"ok\">{}</p>\n</section>",
            lang.pick(
                "Geen persoonsgegevens gevonden in wat gelezen is.",
                "No personal data found in what was read."
            )
        );
        return;
    }
    // Legend and filters (the filters need JavaScript and appear when it runs).
    let _ = writeln!(
        s,
        "<p class=\"legend\">{}: <span class=\"c conf-3\">{}</span> <span class=\"c conf-2\">{}</span> <span class=\"c conf-1\">{}</span> · \
<span class=\"flag nid\">ID</span> {} · <span class=\"flag special\">art. 9</span> {} · {}</p>",
        lang.pick("Zekerheid", "Confidence"),
        conf_label(Confidence::High, lang),
        conf_label(Confidence::Medium, lang),
        conf_label(Confidence::Low, lang),
        lang.pick("nationaal identificatienummer", "national identification number"),
        lang.pick("bijzonder persoonsgegeven (art. 10: strafrechtelijk)", "special category (art. 10: criminal data)"),
        lang.pick("het getal is het aantal waarden; klik voor de velden", "the number counts values; click for the fields"),
    );
    let mut subjects: Vec<&str> = map.datasets.iter().map(|d| d.subject.as_str()).collect();
    subjects.sort_unstable();
    subjects.dedup();
    let _ = write!(
        s,
        "<div class=\"controls\" hidden>\n<label>{} <select id=\"f-cat\"><option value=\"\">{}</option>",
        lang.pick("Categorie", "Category"),
        lang.pick("alle", "all")
    );
    for c in &map.categories {
        let _ = write!(
            s,
            "<option value=\"{}\">{}</option>",
            esc(c),
            esc(&labels::category(c, lang))
        );
    }
    let _ = write!(
        s,
        "</select></label>\n<label>{} <select id=\"f-subject\"><option value=\"\">{}</option>",
        lang.pick("Betrokkenen", "Data subjects"),
        lang.pick("alle", "all")
    );
    for sub in &subjects {
        let _ = write!(
            s,
            "<option value=\"{}\">{}</option>",
            esc(sub),
            esc(labels::subject(sub, lang))
        );
    }
    let _ = writeln!(
        s,
        "</select></label>\n<label>{} <select id=\"f-conf\"><option value=\"1\">{}</option><option value=\"2\">{}</option><option value=\"3\">{}</option></select></label>\n\
<button type=\"button\" id=\"f-group\" hidden>{}</button>\n<span class=\"shown\"><span id=\"f-count\">{}</span> {} {}</span>\n</div>",
        lang.pick("Zekerheid", "Confidence"),
        lang.pick("alle", "all"),
        lang.pick("middel of hoog", "medium or high"),
        lang.pick("alleen hoog", "high only"),
        lang.pick("weer per map", "group by folder again"),
        map.datasets.len(),
        lang.pick("van", "of"),
        map.datasets.len(),
    );

    // Column groups: consecutive categories of the same group.
    let mut groups: Vec<(Group, usize)> = Vec::new();
    for c in &map.categories {
        let g = taxonomy::group_of(c);
        match groups.last_mut() {
            Some((last, n)) if *last == g => *n += 1,
            _ => groups.push((g, 1)),
        }
    }
    let sort_title = lang.pick("sorteren", "sort");
    let _ = writeln!(
        s,
        "<div class=\"scroll\"><table id=\"matrix\" class=\"matrix\">\n<thead>\n<tr class=\"groups\"><th rowspan=\"2\" class=\"name\"><button type=\"button\" data-key=\"name\" title=\"{sort_title}\">Dataset</button></th>\
<th rowspan=\"2\" class=\"subj\"><button type=\"button\" data-key=\"subject\" title=\"{sort_title}\">{}</button></th>",
        lang.pick("Betrokkenen", "Data subjects")
    );
    for (g, n) in &groups {
        let _ = write!(
            s,
            "<th colspan=\"{n}\" class=\"g g-{}\">{}</th>",
            g.id(),
            esc(g.label(lang))
        );
    }
    let _ = writeln!(
        s,
        "<th rowspan=\"2\" class=\"total\"><button type=\"button\" data-key=\"total\" title=\"{sort_title}\">{}</button></th></tr>\n<tr class=\"cats\">",
        lang.pick("Totaal", "Total")
    );
    for c in &map.categories {
        let class = match flag(c) {
            Some((f, _)) => format!("cat f-{f}"),
            None => "cat".to_string(),
        };
        let _ = write!(
            s,
            "<th class=\"{class}\" data-cat=\"{}\" title=\"{}\"><button type=\"button\" data-key=\"{}\"><span class=\"v\">{}</span>{}</button></th>",
            esc(c),
            esc(c),
            esc(c),
            esc(&labels::category(c, lang)),
            flag_badge(c)
        );
    }
    let _ = writeln!(s, "</tr>\n</thead>");
    let cols = map.categories.len() + 3;
    let mut current: Option<&str> = None;
    for d in &map.datasets {
        if current != Some(d.group.as_str()) {
            if current.is_some() {
                let _ = writeln!(s, "</tbody>");
            }
            let _ = writeln!(
                s,
                "<tbody>\n<tr class=\"grp\"><th colspan=\"{cols}\">{}</th></tr>",
                esc(&d.group)
            );
            current = Some(d.group.as_str());
        }
        row(s, map, d, lang);
    }
    let _ = writeln!(s, "</tbody>\n</table></div>\n</section>");
}

fn row(s: &mut String, map: &DataMap, d: &Dataset, lang: Lang) {
    let total: u64 = d.cells.values().map(|c| c.count).sum();
    let cats: Vec<&str> = d.cells.keys().map(String::as_str).collect();
    let sampled = match &d.coverage {
        Coverage::Full => String::new(),
        Coverage::Sampled(_) => format!(
            " <span class=\"tag\">{}</span>",
            lang.pick("steekproef", "sampled")
        ),
        Coverage::Partial(_) => format!(
            " <span class=\"tag warn\">{}</span>",
            lang.pick("deels gelezen", "read in part")
        ),
    };
    let subject = labels::subject(&d.subject, lang);
    let _ = write!(
        s,
        "<tr class=\"row\" data-anchor=\"{}\" data-name=\"{}\" data-subject=\"{}\" data-subject-label=\"{}\" data-total=\"{total}\" data-cats=\"{}\">\
<th class=\"name\" scope=\"row\"><a href=\"#{}\">{}</a>{sampled}<small class=\"in\">{}</small></th><td class=\"subj\">{}</td>",
        d.anchor,
        esc(&d.label.to_lowercase()),
        esc(&d.subject),
        esc(subject),
        esc(&cats.join(" ")),
        d.anchor,
        esc(&d.label),
        esc(&d.group),
        esc(subject),
    );
    for c in &map.categories {
        match d.cells.get(c) {
            Some(cell) => {
                let f = flag(c).map(|(f, _)| format!(" f-{f}")).unwrap_or_default();
                let _ = write!(
                    s,
                    "<td class=\"c conf-{}{f}\" data-cat=\"{}\" data-conf=\"{}\" data-count=\"{}\" title=\"{}: {} · {} {}\"><a href=\"#{}\">{}</a></td>",
                    conf_rank(cell.confidence),
                    esc(c),
                    conf_rank(cell.confidence),
                    cell.count,
                    esc(&labels::category(c, lang)),
                    num(cell.count, lang),
                    lang.pick("zekerheid", "confidence"),
                    conf_label(cell.confidence, lang),
                    d.anchor,
                    num(cell.count, lang),
                );
            }
            None => {
                let _ = write!(s, "<td class=\"c e\" data-cat=\"{}\"></td>", esc(c));
            }
        }
    }
    let _ = writeln!(s, "<td class=\"total\">{}</td></tr>", num(total, lang));
}

/// Two horizontal bar charts side by side: categories by datasets and by values.
fn chart(s: &mut String, map: &DataMap, lang: Lang) {
    let rows = map.per_category();
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "<section class=\"charts\">\n<h2>{}</h2>\n<div class=\"chartrow\">",
        lang.pick("Categorieën in beeld", "Categories at a glance")
    );
    let by_datasets: Vec<(&str, u64)> = rows.iter().map(|(c, n, _)| (*c, *n as u64)).collect();
    let by_values: Vec<(&str, u64)> = rows.iter().map(|(c, _, v)| (*c, *v)).collect();
    bars(
        s,
        lang.pick("Aantal datasets per categorie", "Datasets per category"),
        &by_datasets,
        lang,
    );
    bars(
        s,
        lang.pick("Aantal waarden per categorie", "Values per category"),
        &by_values,
        lang,
    );
    let _ = writeln!(s, "</div>\n</section>");
}

fn bars(s: &mut String, title: &str, rows: &[(&str, u64)], lang: Lang) {
    const LABEL: u64 = 190;
    const BAR: u64 = 220;
    const ROW: u64 = 20;
    const TOP: u64 = 8;
    let max = rows.iter().map(|(_, v)| *v).max().unwrap_or(1).max(1);
    let height = TOP + ROW * rows.len() as u64 + 4;
    let width = LABEL + BAR + 60;
    let _ = writeln!(
        s,
        "<figure class=\"chart\"><figcaption>{}</figcaption>\n<svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">",
        esc(title),
        esc(title)
    );
    for (i, (c, v)) in rows.iter().enumerate() {
        let y = TOP + ROW * i as u64;
        let w = (v * BAR).div_ceil(max).max(1);
        let class = match flag(c) {
            Some((f, _)) => format!("bar f-{f}"),
            None => format!("bar g-{}", taxonomy::group_of(c).id()),
        };
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"lbl\">{}</text><rect x=\"{LABEL}\" y=\"{}\" width=\"{w}\" height=\"{}\" class=\"{class}\"><title>{}: {}</title></rect><text x=\"{}\" y=\"{}\" class=\"val\">{}</text>",
            LABEL - 6,
            y + 14,
            esc(&labels::category(c, lang)),
            y + 3,
            ROW - 6,
            esc(&labels::category(c, lang)),
            num(*v, lang),
            LABEL + w + 5,
            y + 14,
            num(*v, lang),
        );
    }
    let _ = writeln!(s, "</svg></figure>");
}

fn details(s: &mut String, map: &DataMap, lang: Lang) {
    if map.datasets.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "<section class=\"details\">\n<h2>{}</h2>",
        lang.pick("Per dataset", "Per dataset")
    );
    for d in &map.datasets {
        let place = match &d.table {
            Some(t) => format!(
                "<code>{}</code> · {} <code>{}</code>",
                esc(&d.path),
                lang.pick("tabel", "table"),
                esc(t)
            ),
            None => format!(
                "<code>{}</code> · {}",
                esc(&d.path),
                lang.pick("tekst", "text")
            ),
        };
        let coverage = match &d.coverage {
            Coverage::Full => match d.table {
                Some(_) => lang
                    .pick("alle rijen gelezen", "every row read")
                    .to_string(),
                None => lang.pick("volledig gelezen", "read completely").to_string(),
            },
            Coverage::Sampled(rows) => format!(
                "<strong>{} {}</strong>",
                lang.pick("steekproef:", "sampled:"),
                esc(&rows.describe())
            ),
            Coverage::Partial(why) => format!(
                "<strong class=\"warn\">{}</strong> {}",
                lang.pick("deels gelezen:", "read in part:"),
                esc(why)
            ),
        };
        let mut marks = String::new();
        if d.has_national_id() {
            marks.push_str(" <span class=\"flag nid\">ID</span>");
        }
        if d.has_special() {
            marks.push_str(&format!(
                " <span class=\"flag special\">{}</span>",
                lang.pick("bijzonder", "special")
            ));
        }
        if d.has_children() {
            marks.push_str(&format!(
                " <span class=\"flag special\">{}</span>",
                lang.pick("kinderen", "children")
            ));
        }
        let _ = writeln!(
            s,
            "<section class=\"ds\" id=\"{}\">\n<h3>{}{marks}</h3>\n<p class=\"where\">{place} · {coverage}</p>\n\
<p>{}: <strong>{}</strong> <span class=\"muted\">({}; {})</span></p>",
            d.anchor,
            esc(&d.label),
            lang.pick("Betrokkenen (gok)", "Data subjects (guess)"),
            esc(labels::subject(&d.subject, lang)),
            esc(&d.subject),
            esc(&d.subject_reason),
        );
        let _ = writeln!(
            s,
            "<table class=\"fields\">\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th class=\"n\">{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>",
            lang.pick("Veld", "Field"),
            lang.pick("Categorie", "Category"),
            lang.pick("Zekerheid", "Confidence"),
            lang.pick("Aantal", "Count"),
            lang.pick("Reden", "Reason"),
            lang.pick("Voorbeelden (gemaskeerd)", "Examples (masked)"),
        );
        for f in &d.fields {
            let field = match &f.column {
                Some(c) => format!("<code>{}</code>", esc(c)),
                None => format!(
                    "<span class=\"muted\">({})</span>",
                    lang.pick("tekst", "text")
                ),
            };
            let count = match f.rows_scanned {
                Some(r) => format!(
                    "{} {} {}",
                    num(f.count, lang),
                    lang.pick("van", "of"),
                    num(r, lang)
                ),
                None => num(f.count, lang),
            };
            let examples: Vec<String> = f
                .examples
                .iter()
                .map(|e| format!("<code>{}</code>", esc(e)))
                .collect();
            let _ = writeln!(
                s,
                "<tr><td>{field}</td><td>{}{} <span class=\"muted\">{}</span></td><td><span class=\"c conf-{}\">{}</span></td><td class=\"n\">{count}</td><td>{}</td><td>{}</td></tr>",
                esc(&labels::category(&f.category, lang)),
                flag_badge(&f.category),
                esc(&f.rule),
                conf_rank(f.confidence),
                conf_label(f.confidence, lang),
                esc(&f.reason),
                examples.join(" "),
            );
        }
        let _ = writeln!(s, "</tbody>\n</table>\n</section>");
    }
    let _ = writeln!(s, "</section>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_html() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn numbers_and_sizes_follow_the_language() {
        assert_eq!(num(1_234_567, Lang::Nl), "1.234.567");
        assert_eq!(num(1_234_567, Lang::En), "1,234,567");
        assert_eq!(num(12, Lang::En), "12");
        assert_eq!(bytes(999, Lang::En), "999 B");
        assert_eq!(bytes(1_500, Lang::Nl), "1,5 kB");
        assert_eq!(bytes(2_500_000, Lang::En), "2.5 MB");
    }
}
